"""T3: with unit-norm atoms, the least L1 rate of exact reconstruction over `W_r` is
`R*_1 = E[|S| / sqrt(min(r, |S|))]`: `E|S|` monosemantic, `E sqrt|S|` unrestricted.

Comparisons on seeded random pattern distributions over `n <= 4` concepts:

1. closed form vs exact solver: for each pattern, a linear program minimises the sum of the codes
   over all set atoms with at most `r` concepts, subject to exact reconstruction;
2. lower bound: the same linear program over random `W_r` dictionaries (plus the concept atoms,
   so that exact reconstruction is possible) never goes below the closed form;
3. trained ReLU SAEs with a small norm-weighted L1 penalty on two pair blocks. Their distortion is
   small but not zero, so the bound is applied with the error of each pattern `e_S`: the proof's
   two inequalities `||x_hat||_2 <= R_1` and `||x_hat||_1 <= sqrt(r) R_1` give
   `R_1(S) >= max(sqrt|S| - ||e_S||, (|S| - sqrt(d) ||e_S||) / sqrt(r))`, which is T3 at zero
   error. No trained SAE may fall below its bound; how far the best seed stays above T3 is
   reported as information.
"""

from __future__ import annotations

import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

import rdp_jax as rdp
from proofs_numeric._harness import CheckResult, ErrorTracker, format_gap, describe_distribution, random_budgeted_dictionary, random_pattern_distribution, run_main
from rdp_jax import l1_rate_zero_distortion
from rdp_jax.exact import set_atoms

# The HiGHS linear programs are solved to about 1e-12 here; sums of probabilities in float64.
EXACT_TOLERANCE = 1e-9
# Trained SAEs run in float32: rates and norms of size <= 4 carry about 1e-6 relative error.
FLOAT32_TOLERANCE = 1e-4


def least_l1_rate(atoms: np.ndarray, supports, probs) -> float:
    """Return `E min sum h` over non-negative exact codes, by one linear program per pattern."""
    total = 0.0
    for support, probability in zip(supports, probs):
        if probability == 0 or not support.any():
            continue
        result = scipy.optimize.linprog(
            c=np.ones(atoms.shape[1]), A_eq=atoms, b_eq=support.astype(float), bounds=(0, None), method="highs"
        )
        if result.status != 0:
            return np.inf
        total += probability * result.fun
    return total


def check_exact_solver(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        for r in range(1, n + 1):
            closed = float(l1_rate_zero_distortion(supports, probs, r))
            exact = least_l1_rate(set_atoms(n, r), supports, probs)
            tracker.add(
                abs(closed - exact),
                size=n * 100 + np.count_nonzero(probs),
                describe=lambda: f"n={n}, r={r}: closed form {closed:.12g}, linear program {exact:.12g}, patterns {describe_distribution(supports, probs)}",
            )
    return tracker.result("T3", "closed form vs linear program over set atoms", "HiGHS optimality tolerance")


def check_lower_bound(rng: np.random.Generator, num_dictionaries: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_dictionaries):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        r = int(rng.integers(1, n + 1))
        num_random = int(rng.integers(1, 9))
        random_atoms = random_budgeted_dictionary(rng, n, r, num_random, nonnegative=True)
        atoms = np.concatenate([np.eye(n), random_atoms], axis=1)

        closed = float(l1_rate_zero_distortion(supports, probs, r))
        achieved = least_l1_rate(atoms, supports, probs)
        tracker.add(
            closed - achieved,
            size=n * 100 + num_random,
            describe=lambda: f"n={n}, r={r}: dictionary {atoms.round(4).tolist()} reaches {achieved:.12g} < {closed:.12g}",
        )
    return tracker.result("T3", "random W_r dictionaries never below it", "HiGHS optimality tolerance")


def _per_pattern(saes, x_patterns):
    def one(sae):
        x_hat, h = sae(x_patterns)
        rate_l1 = h @ jnp.linalg.norm(sae.w_dec, axis=0)
        return jnp.linalg.norm(x_patterns - x_hat, axis=1), rate_l1, jnp.sum((x_patterns - x_hat) ** 2, axis=1)

    return [np.asarray(value, dtype=np.float64) for value in eqx.filter_vmap(one)(saes)]


def check_trained(seeds: int, steps: int):
    dgp = rdp.pair_block_dgp(2, 0.2, 0.15, 0.3)
    supports, probs = dgp.patterns()
    n = supports.shape[1]
    budgets, coefficients = [0, 1, 2], [0.003, 0.01]
    spec = rdp.EnsembleSpec.grid(num_latents=32, coefficient=coefficients, budget=budgets, seed=list(range(seeds)))
    config = rdp.TrainConfig(sae_kind="relu", steps=steps, batch_size=512, chunk_size=steps, lr_schedule="cosine")
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)
    x_patterns = jnp.asarray(supports, jnp.float32)
    errors, rates, squared_errors = _per_pattern(result.saes, x_patterns)

    sizes = supports.sum(axis=1).astype(float)
    below = ErrorTracker(FLOAT32_TOLERANCE)
    gaps = []
    for index, row in enumerate(spec.rows()):
        r_effective = n if row["budget"] == 0 else row["budget"]
        bound = np.maximum(np.sqrt(sizes) - errors[index], (sizes - np.sqrt(n) * errors[index]) / np.sqrt(r_effective))
        bound = np.maximum(bound, 0.0)
        expected_bound, expected_rate = float(probs @ bound), float(probs @ rates[index])
        below.add(
            expected_bound - expected_rate,
            size=index,
            describe=lambda: f"r={row['budget'] or 'free'}, coefficient {row['coefficient']}: L1 rate {expected_rate:.6g} below its bound {expected_bound:.6g}",
        )
    for budget in budgets:
        optimum = float(l1_rate_zero_distortion(supports, probs, None if budget == 0 else budget))
        indices = [i for i, row in enumerate(spec.rows()) if row["budget"] == budget and row["coefficient"] == min(coefficients)]
        distortions = squared_errors[indices] @ probs
        best = indices[int(np.argmin(distortions))]
        gaps.append(
            (float(probs @ rates[best]) / optimum - 1.0, f"r={budget or 'free'}: L1 rate {probs @ rates[best]:.4g} at distortion {distortions.min():.2g}, T3 {optimum:.4g}")
        )
    return [
        below.result("T3", "trained ReLU never below the error-adjusted bound", "float32 evaluation of the trained SAEs"),
        CheckResult(
            "T3",
            "lowest-distortion ReLU seed, L1 rate relative to T3",
            len(gaps),
            max(gap for gap, _ in gaps),
            0.0,
            "",
            "; ".join(f"{text} ({format_gap(gap)})" for gap, text in gaps),
            informational=True,
        ),
    ]


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    results = [check_exact_solver(rng, 5 if quick else 40), check_lower_bound(rng, 20 if quick else 200)]
    if not quick:
        results += check_trained(seeds=4, steps=3000)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
