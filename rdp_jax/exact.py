"""Exact solvers for optimal SAEs on finite pattern distributions.

Brute-force counterparts of the closed forms in `rdp_jax.theory`. The module
provides the oracle encoder (the best code of at most `k` atoms for a fixed
dictionary), the `k = 1` optimum over all dictionaries (T5), the optimal
finite dictionary of set atoms at zero distortion (T1 at finite `m`, and T6),
and a small exact search for Conjecture C1. Everything runs in numpy/scipy
float64 by enumeration, so each solver is meant for toy sizes and raises
`ValueError` when a stated enumeration limit would be exceeded.

A pattern distribution is `supports` (P, n) of 0/1 entries with `probs` (P,)
summing to 1. Pattern `T` stands for the input `x_T = F 1_T` with unit
magnitudes, where `F` (d, n) holds the concept directions (the identity
unless given). A *set atom* for a non-empty `T ⊆ {0..n-1}` is the unit
vector `sum_{i in T} f_i / sqrt|T|`.

Source: Mencattini, Montagna, Locatello, "The Rate-Distortion-Polysemanticity
Tradeoff in SAEs", arXiv:2605.14694 (2026). Only the abstract of that paper is
public, so T1, T2, T5, T6 and Conjecture C1 as used here are this toolkit's
reconstruction, verified numerically by these solvers.
"""

import itertools
import math
import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import nnls

from ._validation import (
    check_binary,
    check_distribution,
    check_finite,
    check_ndim,
    check_positive_int,
    check_shape,
    show,
)

__all__ = [
    "C1Result",
    "OracleCodes",
    "OracleEvaluation",
    "SetAtomDictionary",
    "TopK1Optimum",
    "oracle_distortion",
    "oracle_encode",
    "search_c1",
    "set_atom_dictionary",
    "set_atoms",
    "topk1_optimum",
]

# Largest number of atom supports that `oracle_encode` enumerates. Each
# support is solved once for every input.
MAX_ORACLE_SUPPORTS = 200_000

# Largest number of candidate dictionaries that `set_atom_dictionary` and
# `search_c1` enumerate.
MAX_DICTIONARIES = 200_000

# Largest number of (dictionary, atom support) pairs that `search_c1` visits.
# A visit took about 20 microseconds in one CPU-core measurement, so the
# limit is an estimated 40 seconds of search.
MAX_C1_EVALUATIONS = 2_000_000

# `topk1_optimum` enumerates partitions of at most this many non-trivial
# points, and its "auto" method enumerates up to `AUTO_ENUMERATE_POINTS`.
MAX_ENUMERATED_POINTS = 12
AUTO_ENUMERATE_POINTS = 10

# A code entry above this value counts towards the L0 rate.
ACTIVE_ATOL = 1e-12

# Two squared errors of an input `x` tie when they differ by at most
# TIE_RTOL * (1 + ||x||^2). NNLS on these small problems is accurate to about
# 1e-15 relative, so the tolerance absorbs rounding, not real differences.
TIE_RTOL = 1e-12

# `set_atom_dictionary` calls a pattern exactly reconstructed when the NNLS
# residual norm is below this value.
EXACT_RESIDUAL_ATOL = 1e-10

# Relative gap below which two eigenvalues of a group's second moment count
# as equal when `topk1_optimum` picks a non-negative top eigenvector.
EIGENVALUE_RTOL = 1e-12

# The alternating method stops a restart after this many assignment steps if
# the assignment has not converged. The objective never increases, so the
# cap only guards against cycling between tied assignments.
MAX_ALTERNATING_STEPS = 100

TOPK1_METHODS = ("auto", "enumerate", "alternating")


# ---------------------------------------------------------------------------
# Input checks


def _check_nonnegative_int(name: str, value) -> int:
    is_integer = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if not is_integer or value < 0:
        raise ValueError(f"`{name}` must be a non-negative integer, but got {show(value)}.")
    return int(value)


def _check_matrix(name: str, value) -> np.ndarray:
    """Check a finite 2-D array with at least one row and one column."""
    matrix = check_ndim(name, check_finite(name, value), 2)
    if 0 in matrix.shape:
        raise ValueError(f"`{name}` must have at least one row and one column, but it has shape {matrix.shape}.")
    return matrix


def _check_patterns(supports, probs) -> tuple[np.ndarray, np.ndarray]:
    supports = check_ndim("supports", check_binary("supports", supports), 2)
    if 0 in supports.shape:
        raise ValueError(
            f"`supports` must have at least one pattern and one concept, but it has shape {supports.shape}."
        )
    probs = check_distribution("probs", probs)
    check_shape("probs", probs, (supports.shape[0],), reason="to match the rows of `supports`")
    return supports, probs


def _positive_patterns(supports: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the patterns with positive probability, which alone affect an expectation."""
    keep = probs > 0.0
    return supports[keep], probs[keep]


# ---------------------------------------------------------------------------
# Set atoms


def _set_atom_supports(n: int, r: int) -> np.ndarray:
    """List every non-empty `T` with `|T| <= r` as a (M, n) bool array, by size, then lexicographic."""
    rows = []
    for size in range(1, min(r, n) + 1):
        for block in itertools.combinations(range(n), size):
            row = np.zeros(n, dtype=bool)
            row[list(block)] = True
            rows.append(row)
    return np.array(rows, dtype=bool).reshape(-1, n)


def _unit_atoms(atom_supports: np.ndarray) -> np.ndarray:
    """Turn (M, n) bool set-atom supports into (n, M) unit columns `1_T / sqrt|T|`."""
    sizes = atom_supports.sum(axis=1)
    return (atom_supports / np.sqrt(sizes)[:, None]).T


def set_atoms(n, r=None) -> np.ndarray:
    """Build the dictionary of every set atom with at most `r` concepts, in concept coordinates.

    .. math::
        w_T = \\frac{1}{\\sqrt{|T|}} \\sum_{i \\in T} e_i, \\qquad
        T \\subseteq \\{0, \\dots, n-1\\},\\ 1 \\le |T| \\le r

    Columns are ordered by `|T|`, then lexicographically, so the first `n`
    columns are the concept atoms `e_0 … e_{n-1}`. With `r` concepts per atom
    this dictionary reaches the T2 optimum `E[(|S| - k r)_+]` under the oracle
    encoder. Multiply by `F` (d, n) to place the atoms in input space.

    Args:
        n: number of concepts, a positive integer.
        r: largest number of concepts per atom, a positive integer, or None
            for every non-empty subset (`r = n`).

    Returns:
        (n, M) float64 array of unit columns, `M = sum_{s <= min(r, n)} C(n, s)`.

    Raises:
        ValueError: if `n` or `r` is not a positive integer.
    """
    n = check_positive_int("n", n)
    r = n if r is None else check_positive_int("r", r)
    return _unit_atoms(_set_atom_supports(n, r))


# ---------------------------------------------------------------------------
# Oracle encoder


class OracleCodes(NamedTuple):
    """Oracle codes of a batch of inputs for one dictionary."""

    codes: np.ndarray
    """(N, m) float64 non-negative codes with at most `k` non-zero entries per row."""
    errors: np.ndarray
    """(N,) float64 squared reconstruction errors `||x - W h||^2`."""


def _count_supports(num_atoms: int, budget: int) -> int:
    return sum(math.comb(num_atoms, size) for size in range(budget + 1))


def _search_supports(
    num_atoms: int,
    budget: int,
    squared_norms: np.ndarray,
    solve: Callable[[tuple[int, ...]], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Find, for every input, the best atom support of at most `budget` atoms.

    `solve(columns)` returns the NNLS coefficients (N, len(columns)) and
    squared errors (N,) of all inputs on those atoms. Supports are visited by
    size, then lexicographically, and a later support replaces the current one
    only when its error is lower by more than the tie tolerance. So among
    (near-)ties the fewest atoms win, then the first support.
    """
    num_inputs = squared_norms.shape[0]
    codes = np.zeros((num_inputs, num_atoms))
    errors = squared_norms.copy()
    tolerance = TIE_RTOL * (1.0 + squared_norms)

    # Supports of exactly `budget` atoms would already give the minimum error,
    # because NNLS on a superset can zero the extra coefficients. Smaller
    # supports are still visited first: with linearly dependent atoms the
    # superset's NNLS solution need not be the sparsest minimiser, and the
    # L0 rate must count the sparsest one.
    for size in range(1, budget + 1):
        for columns in itertools.combinations(range(num_atoms), size):
            coefficients, support_errors = solve(columns)
            better = support_errors < errors - tolerance
            if better.any():
                errors[better] = support_errors[better]
                codes[better] = 0.0
                codes[np.ix_(better, columns)] = coefficients[better]
    return codes, errors


def _nnls_solver(w_dec: np.ndarray, x: np.ndarray):
    """Return a `solve(columns)` that runs NNLS for every row of `x` on the atoms `columns`."""

    def solve(columns: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        atoms = w_dec[:, list(columns)]
        coefficients = np.empty((x.shape[0], len(columns)))
        for row, target in enumerate(x):
            # scipy raises RuntimeError when NNLS reaches `maxiter` (default 3
            # per column), so the cap is set well above what these sizes need.
            coefficients[row] = nnls(atoms, target, maxiter=50 * len(columns))[0]
        residuals = x - coefficients @ atoms.T
        return coefficients, np.einsum("ij,ij->i", residuals, residuals)

    return solve


def oracle_encode(w_dec, x, k) -> OracleCodes:
    """Compute the exact best non-negative code with at most `k` active latents.

    .. math::
        h^*(x) = \\operatorname*{argmin}_{h \\ge 0,\\ \\|h\\|_0 \\le k} \\|x - W h\\|^2

    Every support of at most `min(k, m)` atoms is solved with non-negative
    least squares (`scipy.optimize.nnls`). Among supports whose errors agree
    within `TIE_RTOL * (1 + ||x||^2)`, the code with the fewest atoms wins,
    then the first support in lexicographic order of atom indices, so the
    result is deterministic and its L0 is the smallest among minimisers.
    When `k >= m` and `W` has full column rank, the minimiser is unique and a
    single NNLS over all atoms computes it.

    Source: the oracle encoder of Mencattini, Montagna, Locatello,
    arXiv:2605.14694 (2026), as reconstructed by this toolkit.

    Args:
        w_dec: (d, m) dictionary whose columns are the atoms.
        x: (N, d) inputs.
        k: L0 budget, a non-negative integer.

    Returns:
        `OracleCodes` with codes (N, m) and squared errors (N,), float64.

    Raises:
        ValueError: if an array is not finite or has the wrong shape, if `k`
            is not a non-negative integer, or if more than
            `MAX_ORACLE_SUPPORTS` supports would be solved.
    """
    w_dec = _check_matrix("w_dec", w_dec)
    d, num_atoms = w_dec.shape
    x = check_finite("x", x)
    check_shape("x", x, (None, d), reason=f"(N, d) with d = {d} rows of `w_dec`")
    k = _check_nonnegative_int("k", k)

    squared_norms = np.einsum("ij,ij->i", x, x)
    solve = _nnls_solver(w_dec, x)
    if k >= num_atoms and np.linalg.matrix_rank(w_dec) == num_atoms:
        codes, errors = solve(tuple(range(num_atoms)))
        return OracleCodes(codes=codes, errors=errors)

    budget = min(k, num_atoms)
    num_supports = _count_supports(num_atoms, budget)
    if num_supports > MAX_ORACLE_SUPPORTS:
        raise ValueError(
            f"`k` = {k} with m = {num_atoms} atoms needs {num_supports} supports, more than "
            f"the limit of {MAX_ORACLE_SUPPORTS}. Use a smaller `k` or fewer atoms."
        )
    codes, errors = _search_supports(num_atoms, budget, squared_norms, solve)
    return OracleCodes(codes=codes, errors=errors)


class OracleEvaluation(NamedTuple):
    """Expected distortion and L0 rate of a dictionary under the oracle encoder."""

    distortion: float
    """`E ||x - W h*(x)||^2`."""
    rate: float
    """`E ||h*(x)||_0`, counting code entries above `ACTIVE_ATOL`."""


def oracle_distortion(w_dec, supports, probs, k, concept_directions=None) -> OracleEvaluation:
    """Compute the expected distortion and L0 rate of a dictionary under the oracle encoder.

    .. math::
        D = \\sum_T P(T)\\, \\|x_T - W h^*(x_T)\\|^2, \\qquad
        R = \\sum_T P(T)\\, \\|h^*(x_T)\\|_0, \\qquad x_T = F 1_T

    Patterns of probability 0 are skipped. See `oracle_encode` for the codes
    and their tie-breaking.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), as
    reconstructed by this toolkit.

    Args:
        w_dec: (d, m) dictionary whose columns are the atoms.
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        k: L0 budget, a non-negative integer.
        concept_directions: (d, n) concept directions `F`, or None for the
            identity, which needs `d = n`.

    Returns:
        `OracleEvaluation(distortion, rate)` of Python floats.

    Raises:
        ValueError: if an argument is invalid or the shapes disagree, or if
            `oracle_encode` would exceed its support limit.
    """
    w_dec = _check_matrix("w_dec", w_dec)
    supports, probs = _check_patterns(supports, probs)
    d, n = w_dec.shape[0], supports.shape[1]
    if concept_directions is None:
        if d != n:
            raise ValueError(
                f"`concept_directions` is required when `w_dec` has d = {d} rows and "
                f"`supports` has n = {n} concepts, but got None."
            )
        directions = np.eye(n)
    else:
        directions = check_finite("concept_directions", concept_directions)
        check_shape("concept_directions", directions, (d, n), reason="(d, n) to match `w_dec` and `supports`")

    patterns, weights = _positive_patterns(supports, probs)
    x = patterns.astype(np.float64) @ directions.T
    codes, errors = oracle_encode(w_dec, x, k)
    active = np.count_nonzero(codes > ACTIVE_ATOL, axis=1)
    return OracleEvaluation(distortion=float(weights @ errors), rate=float(weights @ active))


# ---------------------------------------------------------------------------
# T5: the k = 1 optimum


class TopK1Optimum(NamedTuple):
    """Optimal dictionary of `m` atoms for codes with one active latent (T5)."""

    distortion: float
    """`sum_p w_p (||x_p||^2 - (a_{g(p)} . x_p)^2)`, exact or an upper bound (see `method`)."""
    atoms: np.ndarray
    """(d, m) float64 unit atoms, zero columns for unused latents."""
    assignment: np.ndarray
    """(P,) int64 index of the atom that codes each point, -1 where no atom does."""
    method: str
    """"enumerate" (exact) or "alternating" (an upper bound on the optimum)."""


def _top_eigenvector(points: np.ndarray, weights: np.ndarray, nonnegative: bool) -> np.ndarray:
    """Compute a unit top eigenvector of `M = sum_p w_p x_p x_p^T` from the (q, q) Gram matrix.

    For non-negative points `M` is a non-negative matrix. By Perron-Frobenius
    its top eigenspace has a basis of non-negative vectors with disjoint
    supports, so the projection of the all-ones vector onto that eigenspace
    is non-negative. That projection gives a non-negative atom even when the
    top eigenvalue is repeated.
    """
    half = np.sqrt(weights)[:, None] * points
    eigenvalues, eigenvectors = np.linalg.eigh(half @ half.T)
    top = eigenvalues >= eigenvalues[-1] * (1.0 - EIGENVALUE_RTOL)
    # Columns of `basis` are orthonormal eigenvectors of M for the top eigenvalue.
    basis = half.T @ eigenvectors[:, top] / np.sqrt(eigenvalues[top])

    if nonnegative:
        atom = basis @ basis.sum(axis=0)
    else:
        atom = basis[:, -1]
    if atom.sum() < 0.0:
        atom = -atom
    if nonnegative:
        atom = np.maximum(atom, 0.0)
    return atom / np.linalg.norm(atom)


def _fit_atoms(points, weights, assignment, num_atoms, nonnegative) -> np.ndarray:
    atoms = np.zeros((points.shape[1], num_atoms))
    for group in range(num_atoms):
        members = assignment == group
        if members.any():
            atoms[:, group] = _top_eigenvector(points[members], weights[members], nonnegative)
    return atoms


def _assignment_cost(points, weights, atoms, assignment) -> float:
    projections = np.einsum("pd,dp->p", points, atoms[:, assignment])
    residuals = np.maximum(np.einsum("pd,pd->p", points, points) - projections**2, 0.0)
    return float(weights @ residuals)


def _subset_costs(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Cost `tr M_g - lambda_max(M_g)` of every subset `g` of the points, indexed by bitmask."""
    num_points = points.shape[0]
    half = np.sqrt(weights)[:, None] * points
    gram = half @ half.T
    costs = np.zeros(1 << num_points)
    for size in range(1, num_points + 1):
        members = np.array(list(itertools.combinations(range(num_points), size)))
        masks = (1 << members).sum(axis=1)
        blocks = gram[members[:, :, None], members[:, None, :]]
        largest = np.linalg.eigvalsh(blocks)[:, -1]
        costs[masks] = np.maximum(np.trace(blocks, axis1=1, axis2=2) - largest, 0.0)
    return costs


def _partition_pairs(num_points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List every (mask, block) with `block ⊆ mask` containing the lowest point of `mask`.

    Returns the blocks and the remainders `mask ^ block`, sorted by mask, and
    the start of each mask's run (masks 1 .. 2^P - 1).
    """
    blocks, starts = [], []
    for mask in range(1, 1 << num_points):
        starts.append(len(blocks))
        lowest = mask & -mask
        others = mask ^ lowest
        subset = others
        while True:
            blocks.append(subset | lowest)
            if subset == 0:
                break
            subset = (subset - 1) & others
    blocks = np.array(blocks, dtype=np.int64)
    masks = np.repeat(np.arange(1, 1 << num_points), np.diff(np.append(starts, len(blocks))))
    return blocks, masks ^ blocks, np.array(starts, dtype=np.int64)


def _enumerate_partitions(points, weights, num_atoms) -> np.ndarray:
    """Return the group of each point in the optimal partition into at most `num_atoms` groups.

    Dynamic programming over subsets: `best_j[mask]` is the least cost of
    splitting `mask` into at most `j` groups, and the group that contains the
    lowest point of `mask` is chosen explicitly. This visits every set
    partition implicitly in O(m 3^P) steps rather than listing the Bell(P)
    partitions one by one. Among equal costs the first block in the
    enumeration order wins.
    """
    num_points = points.shape[0]
    costs = _subset_costs(points, weights)
    blocks, remainders, starts = _partition_pairs(num_points)
    positions = np.arange(blocks.shape[0])

    best = np.full(1 << num_points, np.inf)
    best[0] = 0.0
    choices = []
    for _ in range(min(num_atoms, num_points)):
        candidates = costs[blocks] + best[remainders]
        minima = np.minimum.reduceat(candidates, starts)
        is_minimum = candidates == np.repeat(minima, np.diff(np.append(starts, blocks.shape[0])))
        first = np.minimum.reduceat(np.where(is_minimum, positions, positions.shape[0]), starts)
        best = np.concatenate([[0.0], minima])
        choices.append(np.concatenate([[0], blocks[first]]))

    groups = np.empty(num_points, dtype=np.int64)
    mask = (1 << num_points) - 1
    for group, choice in enumerate(reversed(choices)):
        if mask == 0:
            break
        block = int(choice[mask])
        groups[[i for i in range(num_points) if block >> i & 1]] = group
        mask ^= block
    return groups


def _seed_atoms(points, weights, num_atoms, rng) -> np.ndarray:
    """Pick starting atoms among the points, each with probability proportional to its weighted residual."""
    squared_norms = np.einsum("pd,pd->p", points, points)
    atoms = np.zeros((points.shape[1], num_atoms))
    residuals = weights * squared_norms
    initial_total = residuals.sum()
    for column in range(num_atoms):
        total = residuals.sum()
        if total <= TIE_RTOL * initial_total:
            break
        chosen = rng.choice(points.shape[0], p=residuals / total)
        atoms[:, column] = points[chosen] / np.sqrt(squared_norms[chosen])
        captured = np.max((points @ atoms[:, : column + 1]) ** 2, axis=1)
        residuals = weights * np.maximum(squared_norms - captured, 0.0)
    return atoms


def _alternate(points, weights, num_atoms, restarts, rng, nonnegative) -> np.ndarray:
    """Return the best assignment over `restarts` runs of assignment and eigenvector steps."""
    best_cost, best_assignment = np.inf, None
    for _ in range(restarts):
        atoms = _seed_atoms(points, weights, num_atoms, rng)
        assignment = np.argmax((points @ atoms) ** 2, axis=1)
        for _ in range(MAX_ALTERNATING_STEPS):
            atoms = _fit_atoms(points, weights, assignment, num_atoms, nonnegative)
            updated = np.argmax((points @ atoms) ** 2, axis=1)
            if np.array_equal(updated, assignment):
                break
            assignment = updated

        cost = _assignment_cost(points, weights, atoms, assignment)
        if cost < best_cost:
            best_cost, best_assignment = cost, assignment
    return best_assignment


def _check_topk1_arguments(points, weights, m, method, restarts, seed):
    if np.asarray(points).dtype == bool:
        points = np.asarray(points, dtype=np.float64)
    points = _check_matrix("points", points)
    weights = check_finite("weights", weights)
    check_shape("weights", weights, (points.shape[0],), reason="to match the rows of `points`")
    negative = weights < 0.0
    if negative.any():
        index = int(np.argmax(negative))
        raise ValueError(f"`weights` must be non-negative, but weights[{index}] = {show(weights[index])}.")
    m = check_positive_int("m", m)
    if method not in TOPK1_METHODS:
        raise ValueError(f"`method` must be one of {', '.join(TOPK1_METHODS)}, but got {show(method)}.")
    restarts = check_positive_int("restarts", restarts)
    seed = _check_nonnegative_int("seed", seed)
    return points, weights, m, restarts, seed


def topk1_optimum(points, weights, m, *, method="auto", restarts=64, seed=0) -> TopK1Optimum:
    """Find the optimal dictionary of `m` atoms for codes with one active latent (T5).

    With one active latent per input, each point is coded by one atom, and
    for a fixed group `g` of points the best atom is the top eigenvector of
    the group's weighted second moment. The optimum is therefore a weighted
    one-dimensional subspace clustering:

    .. math::
        D^* = \\min_{\\text{partitions into} \\le m \\text{ groups}}
        \\sum_g \\left(\\operatorname{tr} M_g - \\lambda_{\\max}(M_g)\\right),
        \\qquad M_g = \\sum_{p \\in g} w_p x_p x_p^T.

    Points of weight 0 and zero points cost nothing and are left out of the
    search. `method="enumerate"` minimises over every partition of the
    remaining points (dynamic programming over subsets, exact, at most
    `MAX_ENUMERATED_POINTS` points). `method="alternating"` assigns each
    point to the atom maximising `(a . x)^2` and refits each atom as its
    group's top eigenvector until the assignment stops changing, from
    `restarts` seedings that draw points with probability proportional to
    their weighted residual, and keeps the best run. Its distortion is an
    upper bound on `D*`. `method="auto"` enumerates up to
    `AUTO_ENUMERATE_POINTS` points and alternates beyond.

    Atoms are unit vectors with a non-negative sum. When every point is
    non-negative, the atoms are non-negative (Perron-Frobenius), so
    non-negative codes reach `D*`.

    NOTE: for points with negative entries, `D*` is the optimum with signed
    codes. Non-negative codes match it only when every point of a group has
    a non-negative inner product with the group's atom.

    Source: T5 of Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026),
    as reconstructed by this toolkit and verified numerically.

    Args:
        points: (P, d) points `x_p`, for example `supports @ F.T`.
        weights: (P,) non-negative weights `w_p`, for example probabilities.
        m: number of atoms, a positive integer.
        method: "auto", "enumerate" or "alternating".
        restarts: number of alternating runs, a positive integer.
        seed: seed of the numpy generator for the alternating seedings, a
            non-negative integer.

    Returns:
        `TopK1Optimum` with the distortion, atoms (d, m), the atom index of
        each point (P,) and the method used. Points outside the search are
        assigned to the atom with the largest `(a . x)^2`, the first among
        ties, or -1 when every atom is orthogonal to them (zero points
        always).

    Raises:
        ValueError: if an argument is invalid, or if `method="enumerate"`
            gets more than `MAX_ENUMERATED_POINTS` points of positive weight.
    """
    points, weights, m, restarts, seed = _check_topk1_arguments(points, weights, m, method, restarts, seed)
    squared_norms = np.einsum("pd,pd->p", points, points)
    searched = (weights > 0.0) & (squared_norms > 0.0)
    num_searched = int(searched.sum())
    if method == "auto":
        method = "enumerate" if num_searched <= AUTO_ENUMERATE_POINTS else "alternating"
    if method == "enumerate" and num_searched > MAX_ENUMERATED_POINTS:
        raise ValueError(
            f"`points` has {num_searched} non-zero points of positive weight, more than the "
            f"{MAX_ENUMERATED_POINTS} that method 'enumerate' allows. Use method 'alternating'."
        )

    nonnegative = bool(np.all(points >= 0.0))
    atoms = np.zeros((points.shape[1], m))
    assignment = np.full(points.shape[0], -1, dtype=np.int64)
    if num_searched > 0:
        group_points, group_weights = points[searched], weights[searched]
        if method == "enumerate":
            groups = _enumerate_partitions(group_points, group_weights, m)
        else:
            rng = np.random.default_rng(seed)
            groups = _alternate(group_points, group_weights, m, restarts, rng, nonnegative)
        atoms = _fit_atoms(group_points, group_weights, groups, m, nonnegative)
        assignment[searched] = groups

    # Points left out of the search are coded as the oracle would code them.
    outside = np.flatnonzero(~searched)
    if outside.size:
        projections = (points[outside] @ atoms) ** 2
        nearest = np.argmax(projections, axis=1)
        assignment[outside] = np.where(projections.max(axis=1) > 0.0, nearest, -1)

    distortion = _assignment_cost(points[searched], weights[searched], atoms, assignment[searched])
    return TopK1Optimum(distortion=distortion, atoms=atoms, assignment=assignment, method=method)


# ---------------------------------------------------------------------------
# T1 at finite m and T6: the optimal dictionary of set atoms


class SetAtomDictionary(NamedTuple):
    """Optimal dictionary of `m` set atoms for exact reconstruction."""

    rate: float
    """Minimum expected L0 of exact non-negative codes, `inf` when no dictionary is feasible."""
    atoms: np.ndarray
    """(m, n) bool whose row `j` is the concept set `T` of atom `j`, all False for an unused latent."""
    feasible: bool
    """Whether some dictionary reconstructs every pattern of positive probability exactly."""


def _bitmask(row: np.ndarray) -> int:
    return int(sum(1 << int(i) for i in np.flatnonzero(row)))


class _ExactCover:
    """Minimum number of set atoms that reconstruct each pattern exactly, cached."""

    def __init__(self, patterns: np.ndarray, candidates: np.ndarray):
        self.targets = patterns.astype(np.float64)
        self.pattern_masks = [_bitmask(row) for row in patterns]
        self.candidate_masks = [_bitmask(row) for row in candidates]
        self.columns = _unit_atoms(candidates)
        self.exact_cache: dict[tuple[int, tuple[int, ...]], bool] = {}
        self.count_cache: dict[tuple[int, tuple[int, ...]], float] = {}

    def _is_exact(self, pattern: int, atoms: tuple[int, ...]) -> bool:
        union = 0
        for atom in atoms:
            union |= self.candidate_masks[atom]
        if union != self.pattern_masks[pattern]:
            return False
        key = (pattern, atoms)
        if key not in self.exact_cache:
            residual = nnls(self.columns[:, list(atoms)], self.targets[pattern], maxiter=50 * len(atoms))[1]
            self.exact_cache[key] = residual < EXACT_RESIDUAL_ATOL
        return self.exact_cache[key]

    def count(self, pattern: int, inside: tuple[int, ...]) -> float:
        """Count the minimum number of atoms among `inside` that reconstruct the pattern, `inf` if none can."""
        key = (pattern, inside)
        if key not in self.count_cache:
            self.count_cache[key] = np.inf
            for size in range(1, len(inside) + 1):
                if any(self._is_exact(pattern, atoms) for atoms in itertools.combinations(inside, size)):
                    self.count_cache[key] = float(size)
                    break
        return self.count_cache[key]


def set_atom_dictionary(supports, probs, m) -> SetAtomDictionary:
    """Find the dictionary of `m` set atoms with the least L0 rate of exact reconstruction.

    .. math::
        R^*(m) = \\min_{|\\mathcal{D}| = m} \\sum_S P(S)\\, L_{\\mathcal{D}}(S),

    where `L_D(S)` is the fewest atoms of `D` whose non-negative combination
    equals `x_S` exactly. Only atoms `T ⊆ S` can take part, because any other
    atom puts mass on a concept outside `S` that non-negative codes cannot
    cancel. `L_D(S)` is found by NNLS on subsets of those atoms of increasing
    size (residual norm below `EXACT_RESIDUAL_ATOL`). A dictionary that cannot
    reconstruct some pattern of positive probability is infeasible.

    The search ranges over atoms contained in some pattern of positive
    probability, because other atoms never take part. Adding an atom cannot
    raise the rate, because every code of the smaller dictionary remains
    available. So when `m` is at least their number, all of them form the
    optimum and the remaining rows are unused. Otherwise every
    combination of `m` of them is tried, and the first optimum in
    lexicographic order (atoms by size, then lexicographic) is kept.

    With `m` at least the number of non-empty patterns this is T1's
    unrestricted rate `P(S != {})`. With supports of at most two concepts,
    every `u_i = P(S = {i}) > 0` and `m = n + t`, it is T6's
    `sum_i u_i + 2 sum_{i<j} q_ij - (sum of the t largest q_ij)`.

    Source: T1 and T6 of Mencattini, Montagna, Locatello, arXiv:2605.14694
    (2026), as reconstructed by this toolkit.

    Args:
        supports: (P, n) 0/1 array, one pattern per row. Intended for
            `n <= 5`.
        probs: (P,) pattern probabilities summing to 1 within 1e-9.
        m: number of latents, a positive integer.

    Returns:
        `SetAtomDictionary(rate, atoms (m, n) bool, feasible)`. When no
        dictionary is feasible, `rate` is `inf` and `atoms` is all False.

    Raises:
        ValueError: if an argument is invalid, or if more than
            `MAX_DICTIONARIES` combinations of atoms would be tried.
    """
    supports, probs = _check_patterns(supports, probs)
    m = check_positive_int("m", m)
    n = supports.shape[1]

    patterns, weights = _positive_patterns(supports, probs)
    nonempty = patterns.any(axis=1)
    patterns, weights = patterns[nonempty], weights[nonempty]
    all_candidates = _set_atom_supports(n, n)
    is_inside = ~(all_candidates[None, :, :] & ~patterns[:, None, :]).any(axis=2)
    candidates = all_candidates[is_inside.any(axis=0)]
    is_inside = is_inside[:, is_inside.any(axis=0)]

    num_candidates = candidates.shape[0]
    if m >= num_candidates:
        combinations = [tuple(range(num_candidates))]
    else:
        num_combinations = math.comb(num_candidates, m)
        if num_combinations > MAX_DICTIONARIES:
            raise ValueError(
                f"`m` = {m} needs {num_combinations} combinations of the {num_candidates} useful set atoms, "
                f"more than the limit of {MAX_DICTIONARIES}. Use fewer concepts or another `m`."
            )
        combinations = itertools.combinations(range(num_candidates), m)

    cover = _ExactCover(patterns, candidates)
    best_rate, best_atoms = np.inf, None
    for atoms in combinations:
        rate = 0.0
        for pattern, weight in enumerate(weights):
            inside = tuple(atom for atom in atoms if is_inside[pattern, atom])
            rate += weight * cover.count(pattern, inside)
            if rate == np.inf:
                break
        if rate < best_rate - TIE_RTOL:
            best_rate, best_atoms = rate, atoms

    chosen = np.zeros((m, n), dtype=bool)
    if best_atoms is not None:
        chosen[: len(best_atoms)] = candidates[list(best_atoms)]
    return SetAtomDictionary(rate=float(best_rate), atoms=chosen, feasible=best_atoms is not None)


# ---------------------------------------------------------------------------
# Conjecture C1: general k, finite m


class C1Result(NamedTuple):
    """Monosemantic and unrestricted optima of a small exact search for Conjecture C1."""

    distortion_mono: float
    """Least expected oracle distortion over dictionaries of concept atoms."""
    rate_mono: float
    """Expected L0 of the oracle codes of that monosemantic dictionary."""
    distortion_free: float
    """Least expected oracle distortion over dictionaries of `m` set atoms."""
    rate_free: float
    """Expected L0 of the oracle codes of that set-atom dictionary."""
    dictionary_mono: np.ndarray
    """(n, m) float64 unit atoms of the monosemantic optimum, zero columns for unused latents."""
    dictionary_free: np.ndarray
    """(n, m) float64 unit atoms of the set-atom optimum, zero columns for unused latents."""
    counterexample: bool
    """Whether the two optima contradict Conjecture C1 as stated (see `search_c1`)."""


def _best_dictionary(dictionaries, budget, squared_norms, weights, solve_on_candidates):
    """Find the dictionary of least distortion, ties broken by lower rate, as (distortion, rate, dictionary)."""
    best = (np.inf, np.inf, None)
    for dictionary in dictionaries:

        def solve(columns, dictionary=dictionary):
            return solve_on_candidates(tuple(dictionary[c] for c in columns))

        codes, errors = _search_supports(len(dictionary), min(budget, len(dictionary)), squared_norms, solve)
        distortion = float(weights @ errors)
        rate = float(weights @ np.count_nonzero(codes > ACTIVE_ATOL, axis=1))
        lower = distortion < best[0] - TIE_RTOL
        tied_but_sparser = distortion <= best[0] + TIE_RTOL and rate < best[1] - TIE_RTOL
        if lower or tied_but_sparser:
            best = (distortion, rate, dictionary)
    return best


def _cached_solver(candidate_columns: np.ndarray, x: np.ndarray):
    """Wrap NNLS on candidate atoms, addressed by index, in a cache because dictionaries share supports."""
    solve = _nnls_solver(candidate_columns, x)
    cache = {}

    def solve_on_candidates(columns: tuple[int, ...]):
        if columns not in cache:
            cache[columns] = solve(columns)
        return cache[columns]

    return solve_on_candidates


def _padded(candidate_columns: np.ndarray, dictionary: tuple[int, ...], m: int) -> np.ndarray:
    atoms = np.zeros((candidate_columns.shape[0], m))
    atoms[:, : len(dictionary)] = candidate_columns[:, list(dictionary)]
    return atoms


def search_c1(supports, probs, k, m) -> C1Result:
    """Compare the best monosemantic and the best set-atom dictionary of `m` latents under a budget `k`.

    Conjecture C1 states that for every `k`, `m` and pattern distribution the
    monosemantic optimum is no better than the unrestricted one in rate and
    in distortion. It also states that the monosemantic optimum is strictly
    worse in one of them when `P(|S| > k) > 0` and `m` is below the number of
    patterns. This function checks both on one small case, with orthonormal
    concepts (`F = I`) and unit magnitudes.

    Each candidate dictionary is scored with the oracle encoder of budget `k`
    (see `oracle_encode`):

    .. math::
        D(W) = \\sum_T P(T)\\, \\|1_T - W h^*(1_T)\\|^2, \\qquad
        R(W) = \\sum_T P(T)\\, \\|h^*(1_T)\\|_0,

    and the optimum of a class is the dictionary of least `D`, ties (within
    `TIE_RTOL`) broken by lower `R`, then by the first in enumeration order.
    The monosemantic class is every choice of `min(m, n)` distinct concept
    atoms, since more would repeat one. The unrestricted class is every choice
    of `min(m, 2^n - 1)` distinct set atoms (see `set_atoms`). Both pad with
    zero columns up to `m`.

    NOTE: set atoms are only part of the unrestricted class, so
    `distortion_free` is an upper bound on the true unrestricted optimum,
    and a flagged case may disappear with arbitrary atoms (for `k = 1`,
    `topk1_optimum` gives the exact optimum).

    Both optima are ordered by distortion first and rate second, and every
    monosemantic dictionary is also a set-atom dictionary, so the monosemantic
    optimum is never better in that order: C1's first part is true by
    construction. A lower monosemantic rate at a higher distortion is a
    trade-off along the frontier, not a counterexample. `counterexample` is
    True when `P(|S| > k) > 0`, `m` is below the number of non-empty patterns
    of positive probability, and the monosemantic optimum is not worse: its
    distortion ties within `TIE_RTOL` and its rate is not higher by more than
    `TIE_RTOL`.
    A counterexample is a finding about the conjecture or about this
    restricted search, not a failure of the solver. The strict part of C1
    does fail: with `k = m = 1` and patterns `{2}` (0.8) and `{0,1}` (0.2),
    whose vectors are orthogonal, the concept atom `f_2` is optimal among all
    atoms (T5 gives `D* = 0.4`, equal to the monosemantic optimum).

    Source: Conjecture C1 of Mencattini, Montagna, Locatello,
    arXiv:2605.14694 (2026), as reconstructed by this toolkit.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9.
        k: L0 budget, a non-negative integer.
        m: number of latents, a positive integer.

    Returns:
        `C1Result` with both optima, their (n, m) dictionaries and the
        counterexample flag.

    Raises:
        ValueError: if an argument is invalid, or if the search would try
            more than `MAX_DICTIONARIES` dictionaries or visit more than
            `MAX_C1_EVALUATIONS` (dictionary, support) pairs.
    """
    supports, probs = _check_patterns(supports, probs)
    k = _check_nonnegative_int("k", k)
    m = check_positive_int("m", m)
    n = supports.shape[1]

    candidate_columns = set_atoms(n)
    num_mono, num_free = min(m, n), min(m, candidate_columns.shape[1])
    mono_count = math.comb(n, num_mono)
    free_count = math.comb(candidate_columns.shape[1], num_free)
    if free_count > MAX_DICTIONARIES:
        raise ValueError(
            f"`m` = {m} needs {free_count} dictionaries of set atoms on n = {n} concepts, "
            f"more than the limit of {MAX_DICTIONARIES}. Use fewer concepts or another `m`."
        )
    evaluations = mono_count * _count_supports(num_mono, min(k, num_mono)) + free_count * _count_supports(
        num_free, min(k, num_free)
    )
    if evaluations > MAX_C1_EVALUATIONS:
        raise ValueError(
            f"`k` = {k} with `m` = {m} needs {evaluations} oracle evaluations, more than the limit of "
            f"{MAX_C1_EVALUATIONS}. Use a smaller `k` or `m`."
        )

    patterns, weights = _positive_patterns(supports, probs)
    x = patterns.astype(np.float64)
    squared_norms = x.sum(axis=1)
    solve_on_candidates = _cached_solver(candidate_columns, x)
    # The first n candidate atoms are the concept atoms.
    mono = _best_dictionary(
        itertools.combinations(range(n), num_mono), k, squared_norms, weights, solve_on_candidates
    )
    free = _best_dictionary(
        itertools.combinations(range(candidate_columns.shape[1]), num_free),
        k,
        squared_norms,
        weights,
        solve_on_candidates,
    )

    distortion_mono, rate_mono, _ = mono
    distortion_free, rate_free, _ = free
    # Both optima are least distortion first, then least rate, and the monosemantic class is part of
    # the set-atom class, so the monosemantic optimum can only tie or lose in that order.
    mono_worse = distortion_mono > distortion_free + TIE_RTOL or (
        abs(distortion_mono - distortion_free) <= TIE_RTOL and rate_mono > rate_free + TIE_RTOL
    )
    num_nonempty = int(np.count_nonzero(squared_norms > 0))
    strict_claim = bool(weights[squared_norms > k].sum() > 0.0) and m < num_nonempty
    return C1Result(
        distortion_mono=distortion_mono,
        rate_mono=rate_mono,
        distortion_free=distortion_free,
        rate_free=rate_free,
        dictionary_mono=_padded(candidate_columns, mono[2], m),
        dictionary_free=_padded(candidate_columns, free[2], m),
        counterexample=bool(strict_claim and not mono_worse),
    )
