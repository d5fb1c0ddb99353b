"""T6: with supports of at most two concepts and `m = n + t` set atoms, the least rate of exact
reconstruction is `sum u_i + 2 sum q_ij - (sum of the t largest q_ij)`.

The `t` extra latents become composite atoms for the `t` most frequent pairs, so which latents
are polysemantic, and how many, follows the ranking of co-occurrence probabilities. The
comparison, on seeded random distributions with every singleton present, is against the exact
brute-force search over all dictionaries of `n + t` set atoms.

Trained SAEs are not compared here: T6 is a statement about dictionaries of set atoms, and
trained atoms are arbitrary directions, outside that class.
"""

from __future__ import annotations

import sys

import numpy as np

from proofs_numeric._harness import ErrorTracker, all_supports, describe_distribution, run_main
from rdp_jax import pair_dictionary_rate, pair_probabilities
from rdp_jax.exact import set_atom_dictionary

# Rates are sums of a few dozen probabilities in float64.
TOLERANCE = 1e-12


def random_pair_distribution(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw supports of size at most two with every singleton present and random pair masses."""
    supports = all_supports(n)
    sizes = supports.sum(axis=1)
    supports = supports[sizes <= 2]
    sizes = sizes[sizes <= 2]
    weights = rng.dirichlet(np.ones(len(supports)))
    drop = (sizes == 2) & (rng.random(len(supports)) < 0.4)
    weights = np.where(drop, 0.0, weights)
    weights = np.where(sizes == 1, np.maximum(weights, 1e-3), weights)
    return supports, weights / weights.sum()


def check_brute_force(rng: np.random.Generator, num_cases: int):
    tracker = ErrorTracker(TOLERANCE)
    chosen = ErrorTracker(TOLERANCE)
    for _ in range(num_cases):
        n = int(rng.integers(2, 5))
        supports, probs = random_pair_distribution(rng, n)
        singleton_probs, pair_probs = pair_probabilities(supports, probs)
        num_pairs = int(np.count_nonzero(np.triu(pair_probs, 1)))
        t = int(rng.integers(0, num_pairs + 2))
        closed = pair_dictionary_rate(singleton_probs, pair_probs, t)
        exact = set_atom_dictionary(supports, probs, n + t)
        tracker.add(
            abs(float(closed.rate) - exact.rate),
            size=n * 100 + t,
            describe=lambda: f"n={n}, t={t}: closed form {float(closed.rate):.15g}, brute force {exact.rate:.15g}, patterns {describe_distribution(supports, probs)}",
        )

        # The brute-force dictionary's composite atoms carry the same pair mass as the closed form's.
        composite = exact.atoms[exact.atoms.sum(axis=1) == 2]
        mass_exact = sum(pair_probs[tuple(np.flatnonzero(row))] for row in composite)
        mass_closed = sum(pair_probs[i, j] for i, j in closed.pairs)
        chosen.add(
            abs(mass_exact - mass_closed),
            size=n * 100 + t,
            describe=lambda: f"n={n}, t={t}: composite pairs {closed.pairs.tolist()} carry {mass_closed:.12g}, brute force {mass_exact:.12g}",
        )
    return [
        tracker.result("T6", "closed form vs brute-force set-atom dictionary", "float64 sums of probabilities"),
        chosen.result("T6", "composite atoms go to the most frequent pairs", "float64 sums of probabilities"),
    ]


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    return check_brute_force(rng, 10 if quick else 80)


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
