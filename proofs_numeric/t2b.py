"""T2b: the L0-Lagrangian frontier. Minimising `D + lambda R` over `W_r` splits each support into
`floor(|S|/r)` blocks of size `r` and one remainder, and encodes a block iff its size exceeds
`lambda`; so `R(lambda) = E[#blocks larger than lambda]` and `D(lambda) = E[total size of blocks
not larger than lambda]`.

Comparisons:

1. closed form vs exact solver on seeded random pattern distributions: for each pattern and each
   budget `j`, the oracle encoder over all set atoms with at most `r` concepts gives the least
   distortion with `j` atoms; the least `D + lambda L0` over `j` is the exact Lagrangian. The
   penalty `lambda` is drawn off the integers, where the minimiser is unique, so the rate and the
   distortion are compared as well as the Lagrangian;
2. trained JumpReLU SAEs (L0 penalty `lambda`, settings from `rdp_jax.recipes`) on two pair
   blocks: none reaches a Lagrangian
   below the optimum. How far the best seed stays above it is reported as information: JumpReLU
   training with straight-through threshold gradients does not reliably reach this optimum.
"""

from __future__ import annotations

import sys

import jax
import numpy as np

import rdp_jax as rdp
from proofs_numeric._harness import CheckResult, ErrorTracker, format_gap, describe_distribution, random_budgeted_dictionary, random_pattern_distribution, run_main
from rdp_jax import l0_lagrangian_frontier
from rdp_jax.exact import oracle_encode, set_atoms
from rdp_jax.recipes import train_jumprelu

# NNLS in float64 and sums of a few dozen probabilities.
EXACT_TOLERANCE = 1e-9
# Exact evaluation of float32 SAEs: squared errors of at most 4 units and rates summed in float32.
FLOAT32_TOLERANCE = 1e-5
# Codes below this count as zero when counting the atoms an oracle code uses.
ZERO_CODE = 1e-12


def exact_lagrangian(atoms, supports, probs, lam: float) -> tuple[float, float, float]:
    """Return the exact `(D + lam R, R, D)` over a dictionary (n, M) by enumerating budgets."""
    value = rate = distortion = 0.0
    for support, probability in zip(supports, probs):
        if probability == 0:
            continue
        x = support.astype(float)[None, :]
        options = []
        for budget in range(min(int(support.sum()), atoms.shape[1]) + 1):
            codes = oracle_encode(atoms, x, budget)
            used = int(np.count_nonzero(codes.codes[0] > ZERO_CODE))
            options.append((float(codes.errors[0]) + lam * used, used, float(codes.errors[0])))
        best = min(options)
        value += probability * best[0]
        rate += probability * best[1]
        distortion += probability * best[2]
    return value, rate, distortion


def check_exact_solver(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        for r in range(1, n + 1):
            lam = float(rng.uniform(0.05, n + 0.5))
            if abs(lam - round(lam)) < 1e-3:
                continue
            closed = l0_lagrangian_frontier(supports, probs, lam, r)
            closed_value = float(closed.distortion) + lam * float(closed.rate)
            value, rate, distortion = exact_lagrangian(set_atoms(n, r), supports, probs, lam)
            error = max(abs(closed_value - value), abs(float(closed.rate) - rate), abs(float(closed.distortion) - distortion))
            tracker.add(
                error,
                size=n * 100 + np.count_nonzero(probs),
                describe=lambda: f"n={n}, r={r}, lambda={lam:.4f}: closed form (R, D) = ({float(closed.rate):.12g}, {float(closed.distortion):.12g}), exact ({rate:.12g}, {distortion:.12g}), patterns {describe_distribution(supports, probs)}",
            )
    return tracker.result("T2b", "closed form vs exact Lagrangian over set atoms", "float64 NNLS round-off")


def check_lower_bound(rng: np.random.Generator, num_dictionaries: int):
    tracker = ErrorTracker(EXACT_TOLERANCE)
    for _ in range(num_dictionaries):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        r = int(rng.integers(1, n + 1))
        lam = float(rng.uniform(0.05, n + 0.5))
        num_atoms = int(rng.integers(1, 7))
        atoms = random_budgeted_dictionary(rng, n, r, num_atoms)

        closed = l0_lagrangian_frontier(supports, probs, lam, r)
        optimum = float(closed.distortion) + lam * float(closed.rate)
        achieved = exact_lagrangian(atoms, supports, probs, lam)[0]
        tracker.add(
            optimum - achieved,
            size=n * 100 + num_atoms,
            describe=lambda: f"n={n}, r={r}, lambda={lam:.4f}: dictionary {atoms.round(4).tolist()} reaches {achieved:.12g} < {optimum:.12g}",
        )
    return tracker.result("T2b", "random W_r dictionaries never below it", "float64 NNLS round-off")


def check_trained(seeds: int, steps: int):
    dgp = rdp.pair_block_dgp(2, 0.2, 0.15, 0.3)
    supports, probs = dgp.patterns()
    lambdas, budgets = [0.5, 1.5, 2.5], [0, 1, 2]
    evaluations = {}
    for budget in budgets:
        result, members = train_jumprelu(
            [dgp], budget, lambdas, seeds=seeds, steps=steps, batch_size=512, key=jax.random.fold_in(jax.random.key(0), budget), progress=False
        )
        penalties = np.array([member["penalty"] for member in members])
        evaluations[budget] = (penalties, rdp.evaluate_on_patterns(result.saes, dgp.concept_directions, supports, probs))

    below = ErrorTracker(FLOAT32_TOLERANCE)
    gaps = []
    for lam in lambdas:
        for budget in budgets:
            penalties, evaluation = evaluations[budget]
            indices = np.flatnonzero(penalties == lam)
            frontier = l0_lagrangian_frontier(supports, probs, lam, None if budget == 0 else budget)
            optimum = float(frontier.distortion) + lam * float(frontier.rate)
            achieved = evaluation.distortion[indices] + lam * evaluation.rate_l0[indices]
            below.add(
                optimum - float(achieved.min()),
                size=lam,
                describe=lambda: f"lambda={lam}, r={budget or 'free'}: trained {achieved.min():.6g} < optimum {optimum:.6g}",
            )
            gaps.append((float(achieved.min()) / optimum - 1.0, f"lambda={lam}, r={budget or 'free'}: best {achieved.min():.4g} vs {optimum:.4g}"))

    largest = max(gaps)
    return [
        below.result("T2b", "trained JumpReLU never below the Lagrangian", "float32 evaluation of the trained SAEs"),
        CheckResult(
            "T2b",
            "best trained JumpReLU, relative gap above optimum",
            len(gaps),
            largest[0],
            0.0,
            "",
            f"largest at {largest[1]}; all: " + "; ".join(format_gap(gap) for gap, _ in gaps),
            informational=True,
        ),
    ]


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    results = [check_exact_solver(rng, 5 if quick else 40), check_lower_bound(rng, 20 if quick else 200)]
    if not quick:
        results += check_trained(seeds=3, steps=8000)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
