"""Polysemanticity of the optimal 2-latent TopK-1 SAE as co-occurrence grows (T4).

Two concepts A and B occur alone with probabilities `a` and `b` and together with probability
`c`; with `u = min(a, b)`, T4 gives the optimal mixing ratio
`alpha* = (sqrt(u^2 + 4c^2) - u) / (2c)` of the atom that absorbs the co-occurrence and the
distortion gap `D_mono - D* = c - (u + 2c - sqrt(u^2 + 4c^2)) / 2`. The sweep keeps `a : b = 3 : 2`
and `P(S = {}) = 0.2`, and varies `c/u`. One vmapped ensemble trains every sweep value and seed.

Theorem labels refer to the rate-distortion-polysemanticity theory of Mencattini, Montagna and
Locatello (arXiv:2605.14694), as reconstructed and checked in docs/theory.md.

Run with `python -m figures.polysemanticity_vs_cooccurrence` (SCALE=paper for more seeds).
"""

from __future__ import annotations

import sys

import jax
import numpy as np

import rdp_jax as rdp
from figures._common import compare_with_optimum, report, save_figure, scale, write_csv, write_json

import matplotlib.pyplot as plt  # noqa: E402  (backend set in figures._common)

NAME = "polysemanticity_vs_cooccurrence"
SETTINGS = {
    "small": dict(sweep=12, seeds=32, steps=4000, batch_size=256, eval_samples=1 << 16),
    "paper": dict(sweep=40, seeds=128, steps=20000, batch_size=1024, eval_samples=1 << 20),
}
MAX_RATIO = 4.0
EMPTY_PROBABILITY = 0.2
KEY = 1


def sweep_probabilities(ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return `(a, b, c)` with `a : b = 3 : 2`, `c / b = ratio` and `a + b + c = 1 - P(empty)`."""
    scale_factor = (1.0 - EMPTY_PROBABILITY) / (0.5 + 0.2 * ratio)
    return 0.3 * scale_factor, 0.2 * scale_factor, 0.2 * ratio * scale_factor


def pattern_probabilities(a, b, c) -> tuple[np.ndarray, np.ndarray]:
    """Return the four patterns (empty, A, B, AB) and their probabilities, one row per sweep value."""
    supports = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=bool)
    probs = np.stack([1.0 - a - b - c, a, b, c], axis=-1)
    return supports, probs


def main() -> int:
    settings = SETTINGS[scale()]
    report(figure=NAME, scale=scale(), **settings)
    ratios = np.linspace(0.0, MAX_RATIO, settings["sweep"])
    a, b, c = sweep_probabilities(ratios)
    optimum = rdp.two_concept_topk1(a, b, c)

    seeds = settings["seeds"]
    member_ratio = np.repeat(np.arange(settings["sweep"]), seeds)
    dgps = [rdp.pair_block_dgp(1, a[i], b[i], c[i]) for i in member_ratio]
    spec = rdp.EnsembleSpec.from_rows(
        [
            dict(seed=seed, k=1, coefficient=0.0, num_latents=2, learning_rate=1e-2, budget=0)
            for _ in range(settings["sweep"])
            for seed in range(seeds)
        ]
    )
    config = rdp.TrainConfig(sae_kind="topk", steps=settings["steps"], batch_size=settings["batch_size"], lr_schedule="cosine")
    train_key, eval_key = jax.random.split(jax.random.key(KEY))
    result = rdp.train_ensemble(dgps, spec, config, key=train_key)

    supports, probs = pattern_probabilities(a[member_ratio], b[member_ratio], c[member_ratio])
    exact = rdp.evaluate_on_patterns(result.saes, dgps[0].concept_directions, supports, probs)
    sampled = rdp.evaluate_ensemble(result.saes, dgps, num_samples=settings["eval_samples"], key=eval_key)

    rows, passed = [], True
    for index, ratio in enumerate(ratios):
        members = np.flatnonzero(member_ratio == index)
        target = float(optimum.distortion[index])
        comparison = compare_with_optimum(target, members, exact, sampled)
        best = comparison.best
        passed &= comparison.passed
        report(
            c_over_u=f"{ratio:.3f}",
            closed_form=f"{target:.5f}",
            best_exact=f"{exact.distortion[best]:.5f}",
            best_sampled=f"{sampled.distortion[best]:.5f}",
            sampling_se=f"{sampled.distortion_se[best]:.5f}",
            mixing_closed_form=f"{optimum.mixing[index]:.4f}",
            mixing_best=f"{exact.max_mixing[best]:.4f}",
            median_exact=f"{np.median(exact.distortion[members]):.5f}",
            within_tolerance=comparison.within_tolerance,
            beats_optimum=comparison.beats_optimum,
        )
        for member in members:
            rows.append(
                dict(
                    source="trained",
                    c_over_u=ratio,
                    a=a[index],
                    b=b[index],
                    c=c[index],
                    seed=spec.seed[member],
                    best_seed=member == best,
                    distortion=float(exact.distortion[member]),
                    distortion_sampled=float(sampled.distortion[member]),
                    distortion_sampled_se=float(sampled.distortion_se[member]),
                    mixing=float(exact.max_mixing[member]),
                    closed_form_distortion=target,
                    closed_form_distortion_mono=float(optimum.distortion_mono[index]),
                    closed_form_mixing=float(optimum.mixing[index]),
                )
            )

    fine = np.linspace(0.0, MAX_RATIO, 200)
    fine_optimum = rdp.two_concept_topk1(*sweep_probabilities(fine))
    rows += [
        dict(
            source="closed_form",
            c_over_u=ratio,
            closed_form_distortion=float(fine_optimum.distortion[i]),
            closed_form_distortion_mono=float(fine_optimum.distortion_mono[i]),
            closed_form_mixing=float(fine_optimum.mixing[i]),
        )
        for i, ratio in enumerate(fine)
    ]
    csv_path = write_csv(NAME, rows)
    json_path = write_json(
        NAME,
        dict(
            scale=scale(),
            settings=settings,
            dgp=dict(family="one pair block", a_to_b=1.5, empty_probability=EMPTY_PROBABILITY, c_over_u=ratios.tolist()),
            key=KEY,
            train_config=config.to_dict(),
            diverged_members=int(result.diverged.sum()),
            checks_passed=passed,
        ),
    )
    png_path = save_figure(draw(rows, fine, fine_optimum, settings), NAME)
    report(figure=NAME, csv=csv_path, json=json_path, png=png_path, checks="PASS" if passed else "FAIL")
    return 0 if passed else 1


def draw(rows, fine, fine_optimum, settings) -> plt.Figure:
    """Draw `alpha*` and the distortion gap against `c/u`, trained SAEs as points."""
    trained = [row for row in rows if row["source"] == "trained"]
    best = [row for row in trained if row["best_seed"]]
    figure, (left, right) = plt.subplots(1, 2, figsize=(8.0, 3.2))

    left.plot(fine, fine_optimum.mixing, "k-", lw=1.5, label="T4 closed form α*")
    left.scatter([row["c_over_u"] for row in trained], [row["mixing"] for row in trained], s=6, alpha=0.15, color="tab:purple", lw=0)
    left.scatter(
        [row["c_over_u"] for row in best],
        [row["mixing"] for row in best],
        s=36,
        marker="D",
        facecolor="none",
        edgecolor="tab:purple",
        label=f"trained TopK-1, best of {settings['seeds']} seeds (dots: all)",
    )
    left.set_xlabel("co-occurrence  c / u")
    left.set_ylabel("mixing ratio of the absorbing latent")
    left.legend(fontsize=7)

    gap = fine_optimum.distortion_mono - fine_optimum.distortion
    right.plot(fine, gap, "k-", lw=1.5, label="T4 closed form  D$_{mono}$ − D*")
    right.scatter(
        [row["c_over_u"] for row in trained],
        [row["closed_form_distortion_mono"] - row["distortion"] for row in trained],
        s=6,
        alpha=0.15,
        color="tab:green",
        lw=0,
    )
    right.scatter(
        [row["c_over_u"] for row in best],
        [row["closed_form_distortion_mono"] - row["distortion"] for row in best],
        s=36,
        marker="D",
        facecolor="none",
        edgecolor="tab:green",
        label="D$_{mono}$ − trained distortion, best seed (dots: all)",
    )
    right.set_xlabel("co-occurrence  c / u")
    right.set_ylabel("distortion saved by polysemanticity")
    right.legend(fontsize=7)
    figure.suptitle("Two concepts, two latents, TopK k = 1:  a : b = 3 : 2,  P(S = ∅) = 0.2", fontsize=9)
    return figure


if __name__ == "__main__":
    sys.exit(main())
