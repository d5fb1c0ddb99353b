"""Training recipes that the figures and numerical proofs share.

The settings were chosen on the small pair-block and copula DGPs of the figures. They are a
starting point for other DGPs, not a guarantee of reaching the optimum.
"""

from __future__ import annotations

from collections.abc import Sequence

from jaxtyping import PRNGKeyArray

from .dgp import DGP
from .train import EnsembleResult, EnsembleSpec, TrainConfig, train_ensemble

# JumpReLU settings per polysemanticity budget r (0 = unrestricted). Unrestricted SAEs need a
# latent per pattern, so they get many. Monosemantic latents that start on the same concept tie
# exactly and fire together, so that class gets fewer latents and larger tie-breaking noise in
# the initial atoms.
JUMPRELU_BY_BUDGET = {
    0: dict(num_latents=24, init_noise=0.01),
    1: dict(num_latents=8, init_noise=0.3),
    2: dict(num_latents=16, init_noise=0.1),
}
JUMPRELU_LEARNING_RATES = (3e-3, 1e-2)


def train_jumprelu(
    dgps: DGP | Sequence[DGP],
    budget: int | None,
    penalties: float | Sequence[float],
    *,
    seeds: int,
    steps: int,
    batch_size: int,
    key: PRNGKeyArray,
    progress: bool = True,
) -> tuple[EnsembleResult, list[dict]]:
    """Train JumpReLU SAEs of one budget for every (DGP, penalty, learning rate, seed) in one ensemble.

    Args:
        dgps: one DGP, or several of the same family and sizes.
        budget: polysemanticity budget `r` in `JUMPRELU_BY_BUDGET`; 0 or None for unrestricted.
        penalties: one L0 penalty coefficient `lambda` or several.
        seeds: seeds per (DGP, penalty, learning rate).
        steps: Adam steps, with a cosine learning-rate decay. The figures use 8000 to 10000 on
            the pair-block DGPs; at 1500 members often end with every latent off.
        batch_size: inputs per member and step.
        key: PRNG key.
        progress: show a progress bar.

    Returns:
        `(result, members)`: the `EnsembleResult` and, per member, a dict with its `dgp` index
        and `penalty`.
    """
    if isinstance(dgps, DGP):
        dgps = [dgps]
    if isinstance(penalties, (int, float)):
        penalties = [penalties]
    budget = 0 if budget is None else budget
    if budget not in JUMPRELU_BY_BUDGET:
        raise ValueError(f"`budget` must be one of {sorted(JUMPRELU_BY_BUDGET)} or None (unrestricted); got {budget!r}.")
    settings = JUMPRELU_BY_BUDGET[budget]
    rows, members, member_dgps = [], [], []
    for index, dgp in enumerate(dgps):
        for penalty in penalties:
            for learning_rate in JUMPRELU_LEARNING_RATES:
                for seed in range(seeds):
                    rows.append(
                        dict(seed=seed, k=1, coefficient=penalty, num_latents=settings["num_latents"], learning_rate=learning_rate, budget=budget)
                    )
                    members.append(dict(dgp=index, penalty=penalty))
                    member_dgps.append(dgp)
    config = TrainConfig(
        sae_kind="jumprelu",
        steps=steps,
        batch_size=batch_size,
        chunk_size=1000,
        lr_schedule="cosine",
        bandwidth=0.2,
        init_threshold=0.5,
        init_noise=settings["init_noise"],
    )
    result = train_ensemble(member_dgps, EnsembleSpec.from_rows(rows), config, key=key, progress=progress)
    return result, members
