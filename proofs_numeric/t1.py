"""T1: exact reconstruction over `W_r` needs `R*_r = E ceil(|S| / r)` active latents on average.

Comparisons on seeded random pattern distributions over `n <= 4` concepts:

1. closed form vs exact solver: for each pattern, the fewest atoms from the dictionary of all
   set atoms with at most `r` concepts whose non-negative combination reconstructs it exactly,
   found by the oracle encoder with growing `k`;
2. closed form vs the optimal finite set-atom dictionary with one atom per pattern
   (unrestricted rate `P(S != {})`);
3. the consequence `Delta_R = sum_{i<j} p_ij` when supports have at most two concepts.

4. trained JumpReLU SAEs with L0 penalty `lambda = 0.5` on random pattern distributions: by
   T2b the optimum of `D + lambda R` then has zero distortion and the T1 rate, so no SAE may reach
   a Lagrangian below `lambda R*_r`. How close the best seed comes is reported as information,
   because JumpReLU training does not reliably reach this optimum.
"""

from __future__ import annotations

import sys

import numpy as np

from proofs_numeric._harness import CheckResult, ErrorTracker, format_gap, all_supports, describe_distribution, random_pattern_distribution, run_main
from rdp_jax import rate_zero_distortion
from rdp_jax.exact import oracle_encode, set_atom_dictionary, set_atoms
from rdp_jax.recipes import train_jumprelu

# Rates are sums of at most 16 products of probabilities and small integers in float64.
TOLERANCE = 1e-12
# A residual below this counts as exact reconstruction (NNLS round-off is about 1e-15).
EXACT_RESIDUAL = 1e-10
# Exact evaluation of float32 SAEs: squared errors and rates of at most 3 units summed in float32.
FLOAT32_TOLERANCE = 1e-5
# Below 1 every block is encoded at the optimum (T2b), which then has zero distortion and rate R*_r.
PENALTY = 0.5


def fewest_atoms(atoms: np.ndarray, pattern: np.ndarray) -> int:
    """Return the fewest dictionary atoms that reconstruct the pattern exactly."""
    if not pattern.any():
        return 0
    x = pattern.astype(float)[None, :]
    for k in range(1, pattern.size + 1):
        if oracle_encode(atoms, x, k).errors[0] < EXACT_RESIDUAL:
            return k
    raise AssertionError(f"pattern {pattern} cannot be reconstructed by the dictionary")


def check_exact_solver(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 5))
        supports, probs = random_pattern_distribution(rng, n)
        for r in range(1, n + 1):
            atoms = set_atoms(n, r)
            exact = sum(p * fewest_atoms(atoms, s) for s, p in zip(supports, probs) if p > 0)
            closed = float(rate_zero_distortion(supports, probs, r))
            tracker.add(
                abs(closed - exact),
                size=n * 100 + np.count_nonzero(probs),
                describe=lambda: f"n={n}, r={r}: closed form {closed:.15g}, exact {exact:.15g}, patterns {describe_distribution(supports, probs)}",
            )
    return tracker.result("T1", "closed form vs fewest exact set atoms", "float64 sums of probabilities")


def check_pattern_dictionary(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 4))
        supports, probs = random_pattern_distribution(rng, n, sparsity=0.6)
        nonempty = int(np.count_nonzero((probs > 0) & supports.any(axis=1)))
        if nonempty == 0:
            continue
        dictionary = set_atom_dictionary(supports, probs, nonempty)
        closed = float(rate_zero_distortion(supports, probs, None))
        tracker.add(
            abs(closed - dictionary.rate),
            size=n * 100 + nonempty,
            describe=lambda: f"n={n}, m={nonempty}: closed form {closed:.15g}, best dictionary {dictionary.rate:.15g}",
        )
    return tracker.result("T1", "unrestricted rate vs best dictionary, m = #patterns", "float64 sums of probabilities")


def check_pair_penalty(rng: np.random.Generator, num_distributions: int):
    tracker = ErrorTracker(TOLERANCE)
    for _ in range(num_distributions):
        n = int(rng.integers(2, 6))
        supports, probs = random_pattern_distribution(rng, n)
        small = supports.sum(axis=1) <= 2
        probs = np.where(small, probs, 0.0)
        probs = probs / probs.sum()
        penalty = float(rate_zero_distortion(supports, probs, 1) - rate_zero_distortion(supports, probs, None))
        pair_mass = sum(
            float(probs[supports[:, i] & supports[:, j]].sum()) for i in range(n) for j in range(i + 1, n)
        )
        tracker.add(
            abs(penalty - pair_mass),
            size=n * 100 + np.count_nonzero(probs),
            describe=lambda: f"n={n}: Delta_R {penalty:.15g}, sum of p_ij {pair_mass:.15g}",
        )
    return tracker.result("T1", "Delta_R = sum p_ij when |S| <= 2", "float64 sums of probabilities")


def check_trained(rng: np.random.Generator, num_distributions: int, seeds: int, steps: int):
    import jax

    import rdp_jax as rdp

    n = 3
    supports = all_supports(n)
    probs_per_dgp = [random_pattern_distribution(rng, n, sparsity=0.3)[1] for _ in range(num_distributions)]
    dgps = [rdp.pattern_dgp(supports, probs) for probs in probs_per_dgp]
    below = ErrorTracker(FLOAT32_TOLERANCE)
    gaps = []
    for budget in (0, 1):
        result, members = train_jumprelu(dgps, budget, [PENALTY], seeds=seeds, steps=steps, batch_size=512, key=jax.random.key(budget), progress=False)
        member_dgp = np.array([member["dgp"] for member in members])
        exact = rdp.evaluate_on_patterns(result.saes, np.eye(n), supports, np.stack(probs_per_dgp)[member_dgp])
        lagrangian = exact.distortion + PENALTY * exact.rate_l0
        for index, probs in enumerate(probs_per_dgp):
            optimum = PENALTY * float(rate_zero_distortion(supports, probs, None if budget == 0 else budget))
            best = float(lagrangian[member_dgp == index].min())
            describe = lambda: f"r={budget or 'free'}: trained {best:.6g} < optimum {optimum:.6g}, patterns {describe_distribution(supports, probs)}"
            below.add(optimum - best, size=index, describe=describe)
            gaps.append(best / optimum - 1.0)
    return [
        below.result("T1", "trained JumpReLU (lambda 0.5) never below lambda R*", "float32 evaluation of the trained SAEs"),
        CheckResult(
            "T1",
            "best trained JumpReLU, relative gap above optimum",
            len(gaps),
            max(gaps),
            0.0,
            "",
            "all: " + "; ".join(format_gap(gap) for gap in gaps),
            informational=True,
        ),
    ]


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    results = [
        check_exact_solver(rng, 5 if quick else 40),
        check_pattern_dictionary(rng, 3 if quick else 20),
        check_pair_penalty(rng, 10 if quick else 100),
    ]
    if not quick:
        results += check_trained(rng, num_distributions=4, seeds=3, steps=8000)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
