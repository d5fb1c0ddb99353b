"""Shared pieces of the numerical proofs: random pattern distributions, result rows, the table."""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from collections.abc import Callable

import jax
import numpy as np


@dataclasses.dataclass
class CheckResult:
    """One row of a proof table: a comparison of a closed form with an independent computation.

    Attributes:
        theorem: label such as "T2".
        comparison: what is compared, e.g. "closed form vs exact solver".
        cases: number of cases tried.
        max_error: largest violation found (an absolute error, or how far a trained SAE beats
            the optimum, depending on the comparison).
        tolerance: the largest error that still passes, with `tolerance_reason` saying why.
        tolerance_reason: short justification of the tolerance.
        counterexample: description of the smallest failing case, or None.
        finding: True for rows that report findings (conjectures) rather than pass or fail.
        informational: True for rows that report a measured gap without a pass or fail verdict.
    """

    theorem: str
    comparison: str
    cases: int
    max_error: float
    tolerance: float
    tolerance_reason: str
    counterexample: str | None = None
    finding: bool = False
    informational: bool = False

    @property
    def passed(self) -> bool:
        if self.finding or self.informational:
            return True
        return math.isfinite(self.max_error) and self.max_error <= self.tolerance

    @property
    def status(self) -> str:
        if self.informational:
            return "INFO"
        if self.finding:
            return "FINDING" if self.counterexample else "NONE FOUND"
        return "PASS" if self.passed else "FAIL"


class ErrorTracker:
    """Collects per-case errors and keeps the smallest case whose error exceeds the tolerance."""

    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.cases = 0
        self.max_error = 0.0
        self.counterexample: str | None = None
        self._counterexample_size = math.inf

    def add(self, error: float, size: float, describe: Callable[[], str]) -> None:
        """Record one case; `size` orders counterexamples (smaller is simpler)."""
        self.cases += 1
        error = float(error) if math.isfinite(error) else math.inf
        self.max_error = max(self.max_error, error)
        if error > self.tolerance and size < self._counterexample_size:
            self._counterexample_size = size
            self.counterexample = describe()

    def result(self, theorem: str, comparison: str, tolerance_reason: str) -> CheckResult:
        return CheckResult(
            theorem=theorem,
            comparison=comparison,
            cases=self.cases,
            max_error=self.max_error,
            tolerance=self.tolerance,
            tolerance_reason=tolerance_reason,
            counterexample=self.counterexample,
        )


def all_supports(n: int) -> np.ndarray:
    """Return all `2**n` supports over `n` concepts as a (2**n, n) bool array, empty set first."""
    indices = np.arange(2**n)[:, None]
    return ((indices >> np.arange(n)[None, :]) & 1).astype(bool)


def random_pattern_distribution(rng: np.random.Generator, n: int, *, sparsity: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Draw a random distribution over all `2**n` supports.

    Each pattern keeps a Dirichlet(1) weight with probability `1 - sparsity` and gets zero weight
    otherwise (at least one pattern stays), so cases range from a few patterns to all of them.
    """
    supports = all_supports(n)
    weights = rng.dirichlet(np.ones(len(supports)))
    keep = rng.random(len(supports)) >= sparsity
    keep[rng.integers(len(supports))] = True
    weights = np.where(keep, weights, 0.0)
    return supports, weights / weights.sum()


def random_budgeted_dictionary(rng: np.random.Generator, n: int, r: int, num_atoms: int, *, nonnegative: bool = False) -> np.ndarray:
    """Draw `num_atoms` unit atoms in `W_r`: each a random combination of `r` random concepts.

    Returns:
        The atoms as columns, shape (n, num_atoms).
    """
    atoms = np.zeros((n, num_atoms))
    for j in range(num_atoms):
        concepts = rng.choice(n, size=r, replace=False)
        coefficients = rng.normal(size=r)
        atoms[concepts, j] = np.abs(coefficients) if nonnegative else coefficients
    return atoms / np.linalg.norm(atoms, axis=0, keepdims=True)


def format_gap(gap: float) -> str:
    """Format a relative gap as a signed percentage, printing rounding-level gaps as +0.0%."""
    return f"{0.0 if abs(gap) < 5e-4 else gap:+.1%}"


def describe_distribution(supports: np.ndarray, probs: np.ndarray) -> str:
    """Format the positive-probability patterns as `{0,2}: 0.25, ...` for a counterexample."""
    parts = []
    for support, probability in zip(supports, probs):
        if probability > 0:
            members = ",".join(str(i) for i in np.flatnonzero(support))
            parts.append(f"{{{members}}}: {probability:.6g}")
    return "; ".join(parts)


def print_table(results: list[CheckResult]) -> None:
    """Print the proof table and, below it, every counterexample."""
    header = f"{'theorem':<8} {'comparison':<52} {'cases':>6} {'max error':>11} {'tolerance':>10}  status"
    print(header)
    print("-" * len(header))
    for row in results:
        error = "-" if row.finding else f"{row.max_error:.3g}"
        tolerance = "-" if row.finding or row.informational else f"{row.tolerance:.3g}"
        print(f"{row.theorem:<8} {row.comparison:<52} {row.cases:>6} {error:>11} {tolerance:>10}  {row.status}")
    for row in results:
        if row.counterexample:
            label = "smallest counterexample"
            if row.finding:
                label = "finding"
            elif row.informational:
                label = "detail"
            print(f"\n{row.theorem} ({row.comparison}) {label}: {row.counterexample}")
    print("\ntolerances:")
    for row in results:
        if not (row.finding or row.informational):
            print(f"  {row.theorem} {row.comparison}: {row.tolerance:.3g}, {row.tolerance_reason}")


def run_main(run: Callable[..., list[CheckResult]], description: str) -> int:
    """Parse `--quick` and `--seed`, run the checks, print the table; return 1 if any row failed."""
    main_spec = getattr(sys.modules["__main__"], "__spec__", None)
    program = f"python -m {main_spec.name.removesuffix('.__main__')}" if main_spec else None
    parser = argparse.ArgumentParser(prog=program, description=description)
    parser.add_argument("--quick", action="store_true", help="fewer cases and no SAE training (seconds, for the test suite)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random DGPs (default 0)")
    arguments = parser.parse_args()

    # Exact solvers use NumPy float64; this makes any JAX computation in a proof float64 as well.
    jax.config.update("jax_enable_x64", True)
    start = time.perf_counter()
    results = run(quick=arguments.quick, seed=arguments.seed)
    print_table(results)
    print(f"\nelapsed_s={time.perf_counter() - start:.1f}")
    return 0 if all(row.passed for row in results) else 1


def train_on_patterns(
    supports: np.ndarray,
    probs_per_dgp: list[np.ndarray],
    *,
    k: list[int],
    budget: list[int],
    seeds: int,
    num_latents: int,
    steps: int,
    sae_kind: str = "topk",
    coefficient: list[float] = (0.0,),
    key: int = 0,
):
    """Train TopK-family SAEs on several pattern DGPs at once and evaluate them exactly.

    Every DGP shares the pattern list `supports` (zero probabilities allowed), so one ensemble
    covers all of them: a member per (DGP, k, budget, coefficient, seed).

    Returns:
        `(members, evaluation)`: one dict per member with its `dgp` index and hyperparameters,
        and the exact `Evaluation` of every member.
    """
    import rdp_jax as rdp

    members, dgps = [], []
    for index, probs in enumerate(probs_per_dgp):
        dgp = rdp.pattern_dgp(supports, probs)
        for row in rdp.EnsembleSpec.grid(
            num_latents=num_latents, k=k, budget=budget, coefficient=list(coefficient), seed=list(range(seeds))
        ).rows():
            members.append(dict(row, dgp=index))
            dgps.append(dgp)

    spec = rdp.EnsembleSpec.from_rows([{key_: value for key_, value in row.items() if key_ != "dgp"} for row in members])
    config = rdp.TrainConfig(sae_kind=sae_kind, steps=steps, batch_size=512, chunk_size=steps, lr_schedule="cosine")
    result = rdp.train_ensemble(dgps, spec, config, key=jax.random.key(key), progress=False)
    probs_matrix = np.stack([probs_per_dgp[row["dgp"]] for row in members])
    evaluation = rdp.evaluate_on_patterns(result.saes, np.eye(supports.shape[1]), supports, probs_matrix)
    return members, evaluation


class TrainedComparison:
    """Collects, per setting, the best trained distortion against its optimum.

    Two rows come out: the best seed's gap divided by the allowed gap (5% of the optimum or
    0.005, whichever is larger) must be at most 1, and no trained value may fall below the optimum
    by more than float32 rounding of the exact evaluation.
    """

    RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE = 0.05, 0.005
    FLOAT32_TOLERANCE = 1e-5

    def __init__(self):
        self.near = ErrorTracker(1.0)
        self.below = ErrorTracker(self.FLOAT32_TOLERANCE)

    def add(self, best: float, optimum: float, size: float, describe: Callable[[], str]) -> None:
        """Record one setting: the least trained distortion `best` and the optimum."""
        allowed = max(self.RELATIVE_TOLERANCE * optimum, self.ABSOLUTE_TOLERANCE)
        self.near.add(max(best - optimum, 0.0) / allowed, size=size, describe=describe)
        self.below.add(optimum - best, size=size, describe=describe)

    def results(self, theorem: str, model: str, optimum_name: str) -> list[CheckResult]:
        return [
            self.near.result(theorem, f"best trained {model} seed within 5% or 0.005", "gap of the best seed over the allowed gap, at most 1"),
            self.below.result(theorem, f"trained {model} SAEs never below {optimum_name}", "float32 evaluation of the trained SAEs"),
        ]
