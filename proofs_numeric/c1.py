"""Conjecture C1: for general `k` and finite `m`, monosemanticity never helps, and strictly hurts
when `P(|S| > k) > 0` and `m` is below the number of patterns.

For a known counterexample and seeded random small cases (`n <= 3`, `1 <= k <= 2`, `m` below the
number of patterns) this module compares the best monosemantic dictionary with the best dictionary of `m` set atoms,
both under the exact oracle encoder. Because set atoms are only part of the unrestricted class,
a case where the monosemantic optimum is not strictly worse is a candidate; for `k = 1` the exact
T5 solver over all atoms then confirms or removes it. Counterexamples are reported as findings,
not failures. The table separates counterexamples confirmed over all atoms (the seeded known
case and any random one), candidates with `k = 2` that no exact solver here can verify, and
candidates that a tilted atom refutes. One row does pass or fail: the monosemantic optimum is
never strictly better in distortion than the set-atom optimum, which holds because concept atoms
are set atoms.
"""

from __future__ import annotations

import sys

import numpy as np

from proofs_numeric._harness import CheckResult, ErrorTracker, describe_distribution, random_pattern_distribution, run_main
from rdp_jax.exact import search_c1, topk1_optimum

# Oracle distortions and rates are float64 NNLS results accurate to about 1e-14.
TOLERANCE = 1e-10


def _known_counterexample() -> tuple[np.ndarray, np.ndarray]:
    """Return n = 3 with P({2}) = 0.8 and P({0, 1}) = 0.2: orthogonal patterns, so f_2 is optimal for k = m = 1."""
    supports = np.array([[False, False, True], [True, True, False]])
    return supports, np.array([0.8, 0.2])


def _cases(rng: np.random.Generator, num_cases: int):
    yield 3, *_known_counterexample(), 1
    for _ in range(num_cases):
        n = int(rng.integers(2, 4))
        yield n, *random_pattern_distribution(rng, n, sparsity=0.5), int(rng.integers(1, 3))


def run(*, quick: bool, seed: int):
    rng = np.random.default_rng(seed)
    never_better = ErrorTracker(TOLERANCE)
    confirmed, refuted, unverified = [], [], []
    num_cases = 30 if quick else 300

    for case_index, (n, supports, probs, k) in enumerate(_cases(rng, num_cases)):
        positive = probs > 0
        num_patterns = int(np.count_nonzero(positive & supports.any(axis=1)))
        if num_patterns < 2 or float(probs[supports.sum(axis=1) > k].sum()) == 0:
            continue
        m = 1 if num_patterns == 2 else int(rng.integers(1, num_patterns))
        result = search_c1(supports, probs, k, m)
        label = "seeded known case" if case_index == 0 else "random case"
        describe = lambda: f"{label}, n={n}, k={k}, m={m}: mono (D, R) = ({result.distortion_mono:.6g}, {result.rate_mono:.6g}), set atoms ({result.distortion_free:.6g}, {result.rate_free:.6g}), patterns {describe_distribution(supports, probs)}"
        never_better.add(result.distortion_free - result.distortion_mono, size=n * 100 + m, describe=describe)

        if not result.counterexample:
            continue
        size = (n, m, num_patterns)
        if k > 1:
            unverified.append((size, describe()))
            continue
        keep = positive & supports.any(axis=1)
        exact = topk1_optimum(supports[keep].astype(float), probs[keep], m, method="enumerate")
        if exact.distortion >= result.distortion_mono - TOLERANCE:
            confirmed.append((size, describe() + f"; exact k=1 optimum over all atoms {exact.distortion:.6g}"))
        else:
            refuted.append((size, describe() + f"; a tilted atom reaches {exact.distortion:.6g}"))

    def smallest(cases):
        return min(cases)[1] if cases else None

    return [
        never_better.result("C1", "monosemantic optimum never better in distortion", "float64 NNLS round-off"),
        CheckResult("C1", f"counterexamples confirmed over all atoms, k=1 ({len(confirmed)})", never_better.cases, float(len(confirmed)), 0.0, "", smallest(confirmed), finding=True),
        CheckResult("C1", f"set-atom candidates, k=2, not verifiable ({len(unverified)})", never_better.cases, float(len(unverified)), 0.0, "", smallest(unverified), finding=True),
        CheckResult("C1", f"set-atom candidates refuted by a tilted atom ({len(refuted)})", len(refuted), 0.0, 0.0, "", None, informational=True),
    ]


if __name__ == "__main__":
    sys.exit(run_main(run, __doc__))
