"""T4: two concepts, two latents, TopK with k = 1.

With `a = P(A only)`, `b = P(B only)`, `c = P(both)` and `u = min(a, b)`, the optimum is
`D* = (u + 2c - sqrt(u^2 + 4c^2)) / 2`, reached by giving the rarer solo concept the atom
`f_B + alpha* f_A` with `alpha* = (sqrt(u^2 + 4c^2) - u) / (2c)`; monosemantic atoms reach only
`D_mono = c`. Comparisons:

1. closed form vs the exact k = 1 solver (enumeration of the partitions of the three patterns,
   float64) on the whole (a, b, c) simplex grid with step 0.05: distortion and mixing ratio;
2. trained 2-latent TopK-1 SAEs on random simplex points: the best of the seeds within 5% or
   0.005 of `D*`, and no SAE below it.
"""

from __future__ import annotations

import sys

import numpy as np

from proofs_numeric._harness import ErrorTracker, TrainedComparison, run_main, train_on_patterns
from rdp_jax import two_concept_topk1
from rdp_jax.exact import topk1_optimum

# Eigen-decompositions of 2x2 float64 matrices: about 1e-16 relative; 1e-12 leaves room.
DISTORTION_TOLERANCE = 1e-12
# The mixing ratio is a ratio of eigenvector entries, accurate to about 1e-12 away from c = 0.
MIXING_TOLERANCE = 1e-8
PATTERNS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=bool)


def simplex_grid(step: float) -> list[tuple[float, float, float]]:
    count = int(round(1 / step))
    return [
        (i * step, j * step, l * step)
        for i in range(count + 1)
        for j in range(count + 1 - i)
        for l in range(count + 1 - i - j)
    ]


def check_exact_solver(step: float):
    distortion = ErrorTracker(DISTORTION_TOLERANCE)
    mixing = ErrorTracker(MIXING_TOLERANCE)
    for a, b, c in simplex_grid(step):
        closed = two_concept_topk1(a, b, c)
        weights = np.array([a, b, c])
        optimum = topk1_optimum(PATTERNS[1:].astype(float), weights, 2, method="enumerate")
        describe = lambda: f"(a, b, c) = ({a:.2f}, {b:.2f}, {c:.2f}): closed form {float(closed.distortion):.15g}, exact {optimum.distortion:.15g}"
        distortion.add(abs(float(closed.distortion) - optimum.distortion), size=a + b + c, describe=describe)

        if c > 0 and min(a, b) > 0:
            atoms = np.abs(optimum.atoms)
            mixed = atoms[:, np.argmax(atoms.min(axis=0))]
            ratio = mixed.min() / mixed.max()
            mixing.add(
                abs(ratio - float(closed.mixing)),
                size=a + b + c,
                describe=lambda: f"(a, b, c) = ({a:.2f}, {b:.2f}, {c:.2f}): alpha* {float(closed.mixing):.12g}, exact atom ratio {ratio:.12g}",
            )
    return [
        distortion.result("T4", "D* closed form vs exact k=1 solver (grid)", "float64 eigen-decomposition"),
        mixing.result("T4", "alpha* closed form vs exact k=1 atoms (grid)", "float64 eigenvector ratio"),
    ]


def check_trained(rng: np.random.Generator, num_points: int, seeds: int, steps: int):
    probs_per_dgp = []
    while len(probs_per_dgp) < num_points:
        a, b, c, empty = rng.dirichlet(np.ones(4))
        if min(a, b, c) > 0.02:
            probs_per_dgp.append(np.array([empty, a, b, c]))
    members, evaluation = train_on_patterns(PATTERNS, probs_per_dgp, k=[1], budget=[0], seeds=seeds, num_latents=2, steps=steps)

    comparison = TrainedComparison()
    for index, probs in enumerate(probs_per_dgp):
        indices = [i for i, row in enumerate(members) if row["dgp"] == index]
        optimum = float(two_concept_topk1(probs[1], probs[2], probs[3]).distortion)
        best = float(evaluation.distortion[indices].min())
        describe = lambda: f"(a, b, c) = {tuple(np.round(probs[1:], 4))}: best {best:.6g}, D* {optimum:.6g}"
        comparison.add(best, optimum, size=index, describe=describe)
    return comparison.results("T4", "TopK-1", "D*")


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    results = check_exact_solver(0.1 if quick else 0.05)
    if not quick:
        results += check_trained(rng, num_points=10, seeds=16, steps=2000)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
