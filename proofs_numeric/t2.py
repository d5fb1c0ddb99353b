"""T2: the least distortion of TopK SAEs over `W_r` is `D*_r(k) = E[(|S| - k r)_+]`.

Three comparisons on seeded random pattern distributions over `n <= 4` concepts:

1. closed form vs exact solver: the oracle encoder (every support of at most `k` atoms, exact
   non-negative least squares) over the dictionary of all set atoms with at most `r` concepts;
2. lower bound: random dictionaries inside `W_r` with the oracle encoder never go below it;
3. trained TopK SAEs, free and projected onto `W_1` after every step, with more latents than
   patterns: the best seed comes within 5% or 0.005, and no SAE goes below it.
"""

from __future__ import annotations

import sys

import numpy as np

from proofs_numeric._harness import (
    ErrorTracker,
    TrainedComparison,
    describe_distribution,
    random_budgeted_dictionary,
    random_pattern_distribution,
    run_main,
    train_on_patterns,
)
from rdp_jax import distortion_topk
from rdp_jax.exact import oracle_distortion, set_atoms

# NNLS in float64 solves these small systems to about 1e-14; 1e-9 leaves room for accumulation.
EXACT_TOLERANCE = 1e-9


def check_exact_solver(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        for r in range(1, n + 1):
            atoms = set_atoms(n, r)
            for k in range(0, n + 1):
                closed = float(distortion_topk(supports, probs, k, r))
                exact = oracle_distortion(atoms, supports, probs, k).distortion
                tracker.add(
                    abs(closed - exact),
                    size=n * 100 + np.count_nonzero(probs),
                    describe=lambda: f"n={n}, r={r}, k={k}, closed form {closed:.12g}, exact {exact:.12g}, patterns {describe_distribution(supports, probs)}",
                )
    return tracker.result("T2", "closed form vs exact oracle over set atoms", "float64 NNLS round-off")


def check_lower_bound(rng: np.random.Generator, num_dictionaries: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_dictionaries):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        r = int(rng.integers(1, n + 1))
        k = int(rng.integers(1, n + 1))
        num_atoms = int(rng.integers(1, 7))
        atoms = random_budgeted_dictionary(rng, n, r, num_atoms)

        closed = float(distortion_topk(supports, probs, k, r))
        achieved = oracle_distortion(atoms, supports, probs, k).distortion
        tracker.add(
            closed - achieved,
            size=n * 100 + num_atoms,
            describe=lambda: f"n={n}, r={r}, k={k}: dictionary {atoms.round(4).tolist()} reaches {achieved:.12g} < {closed:.12g}",
        )
    return tracker.result("T2", "random W_r dictionaries never below it", "float64 NNLS round-off")


def check_trained(rng: np.random.Generator, num_distributions: int, seeds: int, steps: int):
    n = 3
    supports = None
    probs_per_dgp = []
    for _ in range(num_distributions):
        supports, probs = random_pattern_distribution(rng, n, sparsity=0.2)
        probs_per_dgp.append(probs)
    budgets = [0, 1]
    members, evaluation = train_on_patterns(
        supports, probs_per_dgp, k=[1, 2], budget=budgets, seeds=seeds, num_latents=2 ** (n + 1), steps=steps
    )

    comparison = TrainedComparison()
    groups = {}
    for index, row in enumerate(members):
        groups.setdefault((row["dgp"], row["k"], row["budget"]), []).append(index)
    for (dgp_index, k, budget), indices in groups.items():
        probs = probs_per_dgp[dgp_index]
        optimum = float(distortion_topk(supports, probs, k, None if budget == 0 else budget))
        best = float(evaluation.distortion[indices].min())
        describe = lambda: f"k={k}, r={budget or 'free'}: best {best:.6g} vs optimum {optimum:.6g}, patterns {describe_distribution(supports, probs)}"
        comparison.add(best, optimum, size=dgp_index, describe=describe)
    return comparison.results("T2", "TopK", "it")


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    results = [
        check_exact_solver(rng, 6 if quick else 40),
        check_lower_bound(rng, 30 if quick else 300),
    ]
    if not quick:
        results += check_trained(rng, num_distributions=6, seeds=8, steps=2000)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
