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
public, so the statements below (T1, T2, T2b, T3, T4, T6) are this toolkit's
reconstruction, and each is verified numerically against exact brute-force
solvers in the tests.

Every function works in numpy float64 and broadcasts its scalar parameters
(`k`, `r`, `lam`, or `a`, `b`, `c`) with numpy rules. A scalar parameter gives
a numpy float64 scalar out. The exception is `pair_dictionary_rate`, whose
number of extra latents `t` is a scalar because it sets the length of the
returned pair list.
"""

from typing import NamedTuple

import numpy as np

from ._validation import (
    PROBABILITY_SUM_ATOL,
    check_binary,
    check_distribution,
    check_ndim,
    check_nonnegative,
    check_probabilities,
    check_probability_vector,
    check_shape,
    first_index,
    show,
)

__all__ = [
    "LagrangianFrontier",
    "MonosemanticPenalty",
    "PairDictionary",
    "TwoConceptOptimum",
    "distortion_topk",
    "l0_lagrangian_frontier",
    "l1_rate_zero_distortion",
    "monosemantic_penalty",
    "pair_dictionary_rate",
    "pair_probabilities",
    "rate_topk",
    "rate_zero_distortion",
    "support_sizes",
    "two_concept_topk1",
]

# Tolerance on `a + b + c <= 1` in `two_concept_topk1`, for float64 round-off.
_SIMPLEX_TOL = 1e-12

# Tolerance on the symmetry of `pair_probs`: a matrix filled from float64
# probabilities in both triangles agrees to rounding, far below 1e-12.
_SYMMETRY_ATOL = 1e-12


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

    The optimum assumes an unlimited dictionary: it may use a different set
    atom for every block of every pattern. For `r = n` and `k >= 1` it is 0,
    reached with one latent per non-empty pattern. An SAE with fewer latents
    than the optimum uses can stay above this value; compare with the exact
    finite-dictionary solvers in `rdp_jax.exact` instead.

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


def _broadcast_named(first_name: str, first: np.ndarray, second_name: str, second: np.ndarray):
    try:
        return np.broadcast_arrays(first, second)
    except ValueError:
        raise ValueError(
            f"`{first_name}` and `{second_name}` must broadcast together; "
            f"got shapes {first.shape} and {second.shape}."
        ) from None


def _broadcast_pair(k: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _broadcast_named("k", k, "r", r)


def _broadcast_product(k: np.ndarray, r: np.ndarray) -> np.ndarray:
    k, r = _broadcast_pair(k, r)
    return k * r


# ---------------------------------------------------------------------------
# T1 and T2 consequences: the cost of monosemanticity


class MonosemanticPenalty(NamedTuple):
    """Rate and distortion lost by restricting the dictionary to one concept per atom."""

    rate: np.ndarray
    """`R*_1 - R*_n = E[(|S| - 1)_+]`, a float64 scalar."""
    distortion: np.ndarray | None
    """`D*_1(k) - D*_n(k)` with the shape of `k` (float64), or None when `k` is None."""


def monosemantic_penalty(supports, probs, k=None) -> MonosemanticPenalty:
    """Compute how much rate and distortion the monosemantic class `W_1` loses against `W_n`.

    .. math::
        \\Delta_R = R^*_1 - R^*_n = \\mathbb{E}\\left[(|S| - 1)_+\\right], \\qquad
        \\Delta_D(k) = D^*_1(k) - D^*_n(k)
            = \\mathbb{E}\\left[(|S| - k)_+\\right] - \\mathbb{E}\\left[(|S| - k n)_+\\right].

    `Delta_R` is the difference of the T1 rates `E|S|` and `P(S != {})`. It is
    zero iff concepts never co-occur, equals the co-occurrence `p_12` for two
    concepts, and equals `sum_{i<j} p_ij` when no support exceeds two concepts.
    `Delta_D(k)` is the difference of the T2 distortions with `r = 1` and
    `r = n`, where `n` is the number of columns of `supports`. Both are
    computed as one expectation of a non-negative per-pattern difference, so
    they are never negative, even after rounding.

    Source: follows from T1 and T2 of Mencattini, Montagna, Locatello,
    arXiv:2605.14694 (2026), as reconstructed by this toolkit and verified
    numerically.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        k: L0 budget, an integer >= 0 or an integer array, or None to skip the
            distortion penalty.

    Returns:
        `MonosemanticPenalty` with `rate` a numpy float64 scalar and
        `distortion` of the shape of `k`, or None when `k` is None.

    Raises:
        ValueError: if the pattern distribution or `k` is invalid.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    sizes = supports.sum(axis=1, dtype=np.int64)
    rate = _expect_over_patterns(probs, np.maximum(sizes - 1, 0))
    if k is None:
        return MonosemanticPenalty(rate=rate, distortion=None)

    k = _check_integers(k, "k", minimum=0)
    num_concepts = supports.shape[1]
    lost_mono = np.maximum(sizes - k[..., None], 0)
    lost_free = np.maximum(sizes - k[..., None] * num_concepts, 0)
    distortion = _expect_over_patterns(probs, lost_mono - lost_free)
    return MonosemanticPenalty(rate=rate, distortion=distortion)


# ---------------------------------------------------------------------------
# T2b: L0-Lagrangian frontier (JumpReLU, L0 penalty lam)


class LagrangianFrontier(NamedTuple):
    """Rate and distortion of the minimiser of `D + lam R` over `W_r` (T2b).

    Both fields are float64 with the broadcast shape of `lam` and `r`.
    """

    rate: np.ndarray
    """`R(lam) = E[number of blocks larger than lam]`."""
    distortion: np.ndarray
    """`D(lam) = E[total size of the blocks not larger than lam]`."""


def l0_lagrangian_frontier(supports, probs, lam, r=None) -> LagrangianFrontier:
    """Compute the rate and distortion that minimise `D + lam R` over `W_r` (T2b).

    Each support `S` is split into `floor(|S|/r)` full blocks of `r` concepts
    and one remainder block of `|S| mod r` concepts. A block is encoded by one
    set atom, at rate 1 and no distortion, iff its size exceeds `lam`, and is
    dropped otherwise, adding its size to the distortion:

    .. math::
        R(\\lambda) = \\mathbb{E}\\left[\\#\\{\\text{blocks } B : |B| > \\lambda\\}\\right],
        \\qquad
        D(\\lambda) = \\mathbb{E}\\left[\\sum_{B : |B| \\le \\lambda} |B|\\right].

    Sweeping `lam` from 0 upwards traces the frontier from the T1 point
    `(E ceil(|S|/r), 0)` to `(0, E|S|)`.

    Proof idea: with `j` active atoms of `W_r` a pattern loses at least
    `(|S| - j r)_+` (T2), and set atoms on blocks of `S` reach that loss. The
    optimum of a pattern is therefore the minimum of `sum_B min(lam, |B|)`
    over partitions of `S` into blocks `B` of at most `r` concepts. The
    per-block cost `min(lam, |B|)` is concave in the block size, so the most
    unequal partition, full blocks plus a remainder, minimises the sum.

    Ties: a block whose size equals `lam` costs `lam` either way, so encoding
    or dropping it is equally optimal, and with `lam = r` any number of full
    blocks may be encoded. This function encodes a block only when its size
    is strictly larger than `lam`, which gives the lowest-rate minimiser.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T2b as
    reconstructed by this toolkit and verified numerically.

    Args:
        supports: (P, n) 0/1 array, one pattern per row.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.
        lam: L0 penalty per active latent, a finite float >= 0 or an array.
        r: polysemanticity budget, an integer >= 1 or an integer array;
            `None` means unrestricted (`r = n`).

    Returns:
        `LagrangianFrontier` whose fields have the broadcast shape of `lam`
        and `r` (numpy scalars when both are scalars).

    Raises:
        ValueError: if the pattern distribution, `lam` or `r` is invalid, or
            if `lam` and `r` do not broadcast.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    lam = check_nonnegative("lam", lam)
    r = _check_budget(r, supports.shape[1])
    lam, r = _broadcast_named("lam", lam, "r", r)
    lam, r = lam[..., None], r[..., None]

    sizes = supports.sum(axis=1, dtype=np.int64)
    full_blocks = sizes // r
    remainder = sizes % r
    full_encoded = r > lam
    remainder_encoded = remainder > lam

    blocks_encoded = np.where(full_encoded, full_blocks, 0) + remainder_encoded
    concepts_dropped = np.where(full_encoded, 0, full_blocks * r) + np.where(remainder_encoded, 0, remainder)
    return LagrangianFrontier(
        rate=_expect_over_patterns(probs, blocks_encoded),
        distortion=_expect_over_patterns(probs, concepts_dropped),
    )


# ---------------------------------------------------------------------------
# T3: L1 rate at zero distortion


def l1_rate_zero_distortion(supports, probs, r=None):
    """Compute the minimum L1 rate of exact reconstruction with unit-norm atoms of `W_r` (T3).

    .. math::
        R^*_{1,r} = \\mathbb{E}\\left[\\frac{|S|}{\\sqrt{\\min(r, |S|)}}\\right],

    with 0 for the empty support. The monosemantic rate (`r = 1`) is `E|S|`
    and the unrestricted one (`r = None`) is `E sqrt|S|`.

    Proof idea: `x_S = W h` with unit-norm atoms gives
    `sqrt|S| = ||x_S||_2 <= sum_j h_j`, and an atom with at most `r` non-zero
    coefficients has `||w_j||_1 <= sqrt(r)`, so `|S| = ||x_S||_1 <= sqrt(r) sum_j h_j`.
    The larger of the two bounds is `|S| / sqrt(min(r, |S|))`. The atom
    `x_S / ||x_S||` reaches it when `|S| <= r`. Otherwise the atoms
    `1_T / sqrt(r)` on all `r`-subsets `T` of `S`, with equal weights, cover
    every concept of `S` equally and reach it too.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T3 as
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
    concepts_per_atom = np.minimum(r[..., None], sizes)
    # The empty support has rate 0, and the safe denominator avoids 0/0 there.
    safe_concepts = np.maximum(concepts_per_atom, 1)
    per_pattern = np.where(sizes > 0, sizes / np.sqrt(safe_concepts), 0.0)
    return _expect_over_patterns(probs, per_pattern)


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


# ---------------------------------------------------------------------------
# T6: finite dictionary, zero distortion, supports of at most two concepts


class PairDictionary(NamedTuple):
    """Minimum rate of a dictionary of `n + t` set atoms on supports of at most two concepts (T6)."""

    rate: np.ndarray
    """Minimum L0 rate of exact reconstruction, a float64 scalar."""
    pairs: np.ndarray
    """(num_pairs, 2) int64 pairs `(i, j)`, `i < j`, that get composite atoms, most frequent first."""


def pair_probabilities(supports, probs) -> tuple[np.ndarray, np.ndarray]:
    """Split a pattern distribution with supports of at most two concepts into singleton and pair probabilities.

    Rows that repeat a support add their probabilities. The empty support
    contributes to neither output.

    Args:
        supports: (P, n) 0/1 array, one pattern per row, each with at most two
            active concepts.
        probs: (P,) pattern probabilities summing to 1 within 1e-9, used
            after division by their sum.

    Returns:
        `(singleton_probs, pair_probs)`: (n,) float64 with
        `singleton_probs[i] = P(S = {i})`, and (n, n) float64, symmetric with
        zero diagonal, with `pair_probs[i, j] = P(S = {i, j})`.

    Raises:
        ValueError: if the pattern distribution is invalid or some support has
            more than two concepts.
    """
    supports, probs = _check_pattern_distribution(supports, probs)
    sizes = supports.sum(axis=1, dtype=np.int64)
    too_large = sizes > 2
    if too_large.any():
        row = int(np.argmax(too_large))
        raise ValueError(
            f"`supports` must have at most 2 active concepts per row, but row {row} has {sizes[row]}."
        )

    num_concepts = supports.shape[1]
    singleton_probs = np.zeros(num_concepts)
    singleton_rows = sizes == 1
    np.add.at(singleton_probs, np.argmax(supports[singleton_rows], axis=1), probs[singleton_rows])

    pair_probs = np.zeros((num_concepts, num_concepts))
    pair_rows = sizes == 2
    # np.nonzero lists the two active columns of each pair row in order, so i < j.
    pair_indices = np.nonzero(supports[pair_rows])[1].reshape(-1, 2)
    first, second = pair_indices[:, 0], pair_indices[:, 1]
    np.add.at(pair_probs, (first, second), probs[pair_rows])
    np.add.at(pair_probs, (second, first), probs[pair_rows])
    return singleton_probs, pair_probs


def _check_pair_inputs(singleton_probs, pair_probs) -> tuple[np.ndarray, np.ndarray]:
    singleton_probs = check_probability_vector("singleton_probs", singleton_probs)
    not_positive = singleton_probs <= 0.0
    if not_positive.any():
        i = int(np.argmax(not_positive))
        raise ValueError(
            "`singleton_probs` must be positive, because every concept needs its own atom, "
            f"but singleton_probs[{i}] = {show(singleton_probs[i])}."
        )

    num_concepts = singleton_probs.shape[0]
    pair_probs = check_probabilities("pair_probs", pair_probs, ndim=2)
    check_shape("pair_probs", pair_probs, (num_concepts, num_concepts), reason="to match `singleton_probs`")
    asymmetry = np.abs(pair_probs - pair_probs.T)
    if asymmetry.max() > _SYMMETRY_ATOL:
        i, j = first_index(asymmetry > _SYMMETRY_ATOL)
        raise ValueError(
            f"`pair_probs` must be symmetric, but pair_probs[{i}, {j}] = {show(pair_probs[i, j])} "
            f"and pair_probs[{j}, {i}] = {show(pair_probs[j, i])}."
        )
    diagonal = np.diag(pair_probs)
    if (diagonal != 0.0).any():
        i = int(np.argmax(diagonal != 0.0))
        raise ValueError(f"`pair_probs` must have a zero diagonal, but pair_probs[{i}, {i}] = {show(diagonal[i])}.")
    return singleton_probs, 0.5 * (pair_probs + pair_probs.T)


def pair_dictionary_rate(singleton_probs, pair_probs, t) -> PairDictionary:
    """Compute the minimum rate of `n + t` set atoms on supports of at most two concepts (T6).

    With `u_i = P(S = {i}) > 0`, `q_ij = P(S = {i, j})` and the remaining
    probability on the empty support, the minimum L0 rate of exact
    reconstruction with `m = n + t` set atoms is

    .. math::
        R^* = \\sum_i u_i + 2 \\sum_{i<j} q_{ij} - (\\text{sum of the } t
        \\text{ largest } q_{ij}),

    reached by the `n` concept atoms plus composite atoms `f_i + f_j` for the
    `t` most frequent pairs. Which latents are polysemantic, and how many, is
    set by the ranking of the co-occurrence probabilities.

    Proof idea: non-negative set atoms reconstruct `x_S` exactly only with
    atoms inside `S`, so every singleton pattern needs its concept atom, which
    takes `n` latents. A pair pattern then costs 2 atoms, or 1 when its
    composite atom is present. Atoms on three or more concepts fit no support,
    so the `t` remaining latents are best spent on the most frequent pairs.

    `pairs` lists only pairs with `q_ij > 0`: when `t` exceeds their number,
    the extra latents lower the rate no further, and a composite atom for a
    pair that never occurs would be a dead latent. Equal `q_ij` are ranked in
    `(i, j)` order, and swapping tied pairs leaves the rate unchanged.

    Source: Mencattini, Montagna, Locatello, arXiv:2605.14694 (2026), T6 as
    reconstructed by this toolkit and verified numerically.

    Args:
        singleton_probs: (n,) `u_i`, each in (0, 1].
        pair_probs: (n, n) `q_ij`, each in [0, 1], symmetric within 1e-12 and
            with a zero diagonal. `pair_probabilities` builds both inputs from
            a pattern distribution.
        t: number of latents beyond the `n` concept atoms, an integer >= 0.

    Returns:
        `PairDictionary` with `rate` a numpy float64 scalar and `pairs` of
        shape `(min(t, number of pairs with q_ij > 0), 2)`.

    Raises:
        ValueError: if some `u_i` is not positive, `pair_probs` is not a
            symmetric matrix of probabilities with zero diagonal, the total
            probability exceeds 1 (tolerance 1e-9), or `t` is not a scalar
            integer >= 0.
    """
    singleton_probs, pair_probs = _check_pair_inputs(singleton_probs, pair_probs)
    first, second = np.triu_indices(singleton_probs.shape[0], k=1)
    pair_values = pair_probs[first, second]
    total = singleton_probs.sum() + pair_values.sum()
    if total > 1.0 + PROBABILITY_SUM_ATOL:
        raise ValueError(
            f"`singleton_probs` and `pair_probs` must have total probability at most 1 "
            f"(tolerance {PROBABILITY_SUM_ATOL:g}), but they sum to {show(total)}."
        )
    t = _check_integers(t, "t", minimum=0)
    if t.ndim != 0:
        raise ValueError(f"`t` must be a scalar integer, but it has shape {t.shape}.")

    # A stable sort of -q keeps the (i, j) order of np.triu_indices among ties.
    ranking = np.argsort(-pair_values, kind="stable")
    num_composite = min(int(t), int(np.count_nonzero(pair_values)))
    chosen = ranking[:num_composite]
    atoms_per_pair = np.full(pair_values.shape, 2.0)
    atoms_per_pair[chosen] = 1.0

    # A sum of non-negative terms, with no subtraction that could cancel.
    rate = singleton_probs.sum() + np.sum(atoms_per_pair * pair_values)
    pairs = np.stack([first[chosen], second[chosen]], axis=1).astype(np.int64)
    return PairDictionary(rate=np.float64(rate), pairs=pairs)
