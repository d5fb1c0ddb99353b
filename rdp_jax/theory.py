"""Closed-form optima of the rate-distortion-polysemanticity theory of SAEs.

The setting: `n` orthonormal concepts, unit magnitudes, and a pattern
distribution given as `supports` (P, n) of 0/1 entries with `probs` (P,)
summing to 1. A row of `supports` is one support `S`, and the input it stands
for is `x_S = sum_{i in S} f_i`, so `||x_S||^2 = |S|`. The empty pattern may be
present. `r` is the polysemanticity budget: every dictionary atom lies in the
span of at most `r` concepts (the class `W_r`), and `r=None` means
unrestricted (`r = n`).

Source: Mencattini, Montagna, Locatello, "The Rate-Distortion-Polysemanticity
Tradeoff in SAEs", arXiv:2605.14694 (2026). Only the abstract of that paper is
public, so the statements below (T1, T2, T4) are this toolkit's
reconstruction, and each is verified numerically against exact brute-force
solvers in the tests.

Every function works in numpy float64 and broadcasts its scalar parameters
(`k`, `r`, or `a`, `b`, `c`) with numpy rules. A scalar parameter gives a
numpy float64 scalar out.
"""

from typing import NamedTuple

import numpy as np

from ._validation import (
    check_binary,
    check_distribution,
    check_ndim,
    check_probabilities,
    check_shape,
)

__all__ = [
    "TwoConceptOptimum",
    "distortion_topk",
    "rate_topk",
    "rate_zero_distortion",
    "support_sizes",
    "two_concept_topk1",
]

# Tolerance on `a + b + c <= 1` in `two_concept_topk1`, for float64 round-off.
_SIMPLEX_TOL = 1e-12


# ---------------------------------------------------------------------------
# Input checks


def _check_supports(supports) -> np.ndarray:
    supports = check_binary("supports", supports)
    check_ndim("supports", supports, 2)
    if supports.shape[0] == 0 or supports.shape[1] == 0:
        raise ValueError(
            f"`supports` needs at least one pattern and one concept; got shape {supports.shape}."
        )
    return supports


def _check_probs(probs, num_patterns: int) -> np.ndarray:
    probs = check_distribution("probs", probs)
    check_shape("probs", probs, (num_patterns,), reason="to match the rows of `supports`")
    return probs


def _check_integers(value, name: str, minimum: int) -> np.ndarray:
    """Check that `value` contains integers >= `minimum` and return it as an int64 array."""
    array = np.asarray(value)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"`{name}` must be an integer or an integer array; got {value!r}.")

    # Integral floats such as 2.0 are accepted, so `np.arange(4.0)` works.
    is_integer = np.isfinite(array) & (array == np.round(array)) & (array >= minimum)
    if not np.all(is_integer):
        bad = array[~is_integer] if array.ndim else array
        raise ValueError(
            f"`{name}` must contain integers >= {minimum}; got {np.ravel(bad)[0].item()!r}."
        )
    return array.astype(np.int64)


def _check_budget(r, num_concepts: int) -> np.ndarray:
    if r is None:
        return np.asarray(num_concepts, dtype=np.int64)
    return _check_integers(r, "r", minimum=1)


def _check_pattern_distribution(supports, probs) -> tuple[np.ndarray, np.ndarray]:
    supports = _check_supports(supports)
    probs = _check_probs(probs, supports.shape[0])
    return supports, probs


def _expect_over_patterns(probs: np.ndarray, per_pattern: np.ndarray) -> np.ndarray:
    """Average `per_pattern` (*shape, P) over patterns with weights `probs` (P,).

    Summing along the last, contiguous axis rounds every entry the same way as
    a scalar call, so broadcast and scalar results agree bit for bit, and
    entrywise larger `per_pattern` rows never give a smaller expectation.
    """
    expectation = np.sum(probs * per_pattern, axis=-1)
    return expectation[()]


# ---------------------------------------------------------------------------
# Pattern statistics


def support_sizes(supports) -> np.ndarray:
    """Count the active concepts of each pattern.

    Args:
        supports: (P, n) 0/1 array (bool or integer), one pattern per row.

    Returns:
        (P,) int64 array of support sizes `|S|`.

    Raises:
        ValueError: if `supports` is not a non-empty 2-D array of 0/1 entries.
    """
    return _check_supports(supports).sum(axis=1, dtype=np.int64)


# ---------------------------------------------------------------------------
# T1: L0 rate at zero distortion


def rate_zero_distortion(supports, probs, r=None):
    """Compute the minimum L0 rate of exact reconstruction over `W_r` (T1).

    .. math::
        R^*_r = \\mathbb{E}\\left\\lceil |S| / r \\right\\rceil

    With `r = 1` this is the monosemantic rate `E|S| = sum_i p_i`, and with
    `r = None` (unrestricted) it is `P(S != {})`.

    Proof idea: each atom reaches at most `r` concepts, so `ceil(|S|/r)` atoms
    are needed to cover `S`. Splitting `S` into blocks of at most `r` concepts
    and using one set atom per block reaches that count.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T1 as
    reconstructed by this toolkit and verified numerically.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        r: polysemanticity budget, an integer >= 1 or an integer array;
            `None` means unrestricted (`r = n`).

    Returns:
        float64 array with the shape of `r` (a numpy scalar for scalar `r`).

    Raises:
        ValueError: if the pattern distribution or `r` is invalid.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    r = _check_budget(r, supports.shape[1])

    sizes = supports.sum(axis=1, dtype=np.int64)
    atoms_needed = -(-sizes // r[..., None])
    return _expect_over_patterns(probs, atoms_needed)


# ---------------------------------------------------------------------------
# T2: distortion under a hard budget k (TopK)


def distortion_topk(supports, probs, k, r=None):
    """Compute the minimum distortion over `W_r` with at most `k` active latents (T2).

    .. math::
        D^*_r(k) = \\mathbb{E}\\left[(|S| - k r)_+\\right]

    Proof idea: `k` atoms of `W_r` span at most `k r` concept coordinates, and
    each concept of `S` outside them adds 1 to the squared error. Set atoms on
    `k` disjoint blocks of `r` concepts of `S` lose exactly that much.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T2 as
    reconstructed by this toolkit and verified numerically.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        k: L0 budget, an integer >= 0 or an integer array.
        r: polysemanticity budget, an integer >= 1 or an integer array;
            `None` means unrestricted (`r = n`).

    Returns:
        float64 array with the broadcast shape of `k` and `r` (a numpy scalar
        when both are scalars).

    Raises:
        ValueError: if the pattern distribution, `k` or `r` is invalid, or if
            `k` and `r` do not broadcast.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    k = _check_integers(k, "k", minimum=0)
    r = _check_budget(r, supports.shape[1])
    reach = _broadcast_product(k, r)

    sizes = supports.sum(axis=1, dtype=np.int64)
    lost_concepts = np.maximum(sizes - reach[..., None], 0)
    return _expect_over_patterns(probs, lost_concepts)


def rate_topk(supports, probs, k, r=None):
    """Compute the L0 rate used by the T2 optimum with budget `k` over `W_r`.

    .. math::
        R_r(k) = \\mathbb{E}\\left[\\min(\\lceil |S| / r \\rceil, k)\\right]

    A pattern with `|S| <= k r` is reconstructed exactly, and no fewer than the
    T1 count `ceil(|S|/r)` atoms can do that. A pattern with `|S| > k r` keeps
    only `k r` of its concepts, which takes all `k` atoms. This is the rate
    coordinate of the T2 frontier `(R_r(k), D*_r(k))` when sweeping `k`.

    Source: follows from T1 and T2 of Mencattini, Montagna, Locatello,
    arXiv:2605.14694 (2026), as reconstructed by this toolkit.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        k: L0 budget, an integer >= 0 or an integer array.
        r: polysemanticity budget, an integer >= 1 or an integer array;
            `None` means unrestricted (`r = n`).

    Returns:
        float64 array with the broadcast shape of `k` and `r` (a numpy scalar
        when both are scalars).

    Raises:
        ValueError: if the pattern distribution, `k` or `r` is invalid, or if
            `k` and `r` do not broadcast.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    k = _check_integers(k, "k", minimum=0)
    r = _check_budget(r, supports.shape[1])
    k, r = _broadcast_pair(k, r)

    sizes = supports.sum(axis=1, dtype=np.int64)
    atoms_used = np.minimum(-(-sizes // r[..., None]), k[..., None])
    return _expect_over_patterns(probs, atoms_used)


def _broadcast_pair(k: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.broadcast_arrays(k, r)
    except ValueError:
        raise ValueError(
            f"`k` and `r` must broadcast together; got shapes {k.shape} and {r.shape}."
        ) from None


def _broadcast_product(k: np.ndarray, r: np.ndarray) -> np.ndarray:
    k, r = _broadcast_pair(k, r)
    return k * r


# ---------------------------------------------------------------------------
# T4: two concepts, two latents, k = 1


class TwoConceptOptimum(NamedTuple):
    """Optimal two-latent TopK-1 dictionary for two concepts (T4).

    Every field has the broadcast shape of `a`, `b` and `c`.
    """

    distortion: np.ndarray
    """Unrestricted optimum `D*` (float64)."""
    distortion_mono: np.ndarray
    """Monosemantic optimum `D_mono = c` (float64)."""
    mixing: np.ndarray
    """Mixing ratio `alpha*` of the absorbing atom `f_rare + alpha* f_other` (float64)."""
    absorbing: np.ndarray
    """Concept whose atom absorbs the co-occurrence: 1 for B (`b <= a`), 0 for A (int64)."""


def _check_simplex_point(a, b, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = {
        name: check_probabilities(name, value)
        for name, value in (("a", a), ("b", b), ("c", c))
    }

    try:
        a, b, c = np.broadcast_arrays(arrays["a"], arrays["b"], arrays["c"])
    except ValueError:
        raise ValueError(
            "`a`, `b` and `c` must broadcast together; got shapes "
            f"{arrays['a'].shape}, {arrays['b'].shape} and {arrays['c'].shape}."
        ) from None

    total = a + b + c
    over = total > 1 + _SIMPLEX_TOL
    if np.any(over):
        raise ValueError(
            f"`a + b + c` must be at most 1 (tolerance 1e-12); got {total[over].flat[0].item()!r}."
        )
    return a, b, c


def two_concept_topk1(a, b, c) -> TwoConceptOptimum:
    """Compute the optimal TopK-1 SAE with two latents on two concepts (T4).

    With `a = P(A only)`, `b = P(B only)`, `c = P(both)`, `u = min(a, b)` and
    `s = sqrt(u^2 + 4 c^2)`:

    .. math::
        D_\\text{mono} = c, \\qquad
        D^* = \\frac{u + 2c - s}{2} < c \\text{ for } c > 0, \\qquad
        \\alpha^* = \\frac{s - u}{2c}.

    The optimum keeps the atom of the more frequent solo concept and gives the
    rarer one, say B, the atom `f_B + alpha* f_A`, which also codes the
    co-occurrence. `alpha*` rises from 0 (its limit at `c = 0`) to 1 as `c/u`
    grows. Ties `a == b` report B as the absorbing concept, and both choices
    are optimal then.

    Proof idea: with `k = 1` each pattern is coded by one atom, and for a
    fixed assignment the best atom is the top eigenvector of the group's
    weighted second moment. Of the two-group partitions, the one that puts the
    pair with the rarer solo concept loses least.

    The closed forms are evaluated without cancellation for `c << u` or
    `u << c`: `alpha* = 2c / (u + s)` and
    `D* = c * u / (u + s) * (u + s + 2c) / (s + 2c)`, both algebraically
    equal to the forms above, so the relative float64 error stays at a few
    units of 1e-16 and nothing underflows before the result does.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T4 as
    reconstructed by this toolkit and verified numerically.

    Args:
        a: probability of concept A alone, float in [0, 1] or an array.
        b: probability of concept B alone, float in [0, 1] or an array.
        c: probability of both together, float in [0, 1] or an array, with
            `a + b + c <= 1` (tolerance 1e-12).

    Returns:
        `TwoConceptOptimum` whose fields have the broadcast shape of `a`, `b`
        and `c` (numpy scalars when all three are scalars).

    Raises:
        ValueError: if an argument is not a finite probability, if
            `a + b + c > 1`, or if the shapes do not broadcast.
    """
    a, b, c = _check_simplex_point(a, b, c)

    u = np.minimum(a, b)
    s = np.hypot(u, 2.0 * c)
    both_zero = s == 0.0
    # At u = c = 0 the distortion is 0 and the mixing ratio takes its value on
    # the line c = 0, which is 0. The safe denominators avoid 0/0 there.
    safe_u_plus_s = np.where(both_zero, 1.0, u + s)
    safe_s_plus_2c = np.where(both_zero, 1.0, s + 2.0 * c)

    mixing = np.where(both_zero, 0.0, 2.0 * c / safe_u_plus_s)
    # Two ratios of order 1 rather than one product of four small factors,
    # which underflows to 0/0 for probabilities near 1e-160.
    solo_share = u / safe_u_plus_s
    pair_factor = (u + s + 2.0 * c) / safe_s_plus_2c
    distortion = np.where(both_zero, 0.0, c * solo_share * pair_factor)
    absorbing = (b <= a).astype(np.int64)

    return TwoConceptOptimum(
        distortion=distortion[()],
        distortion_mono=c.copy()[()],
        mixing=mixing[()],
        absorbing=absorbing[()],
    )
