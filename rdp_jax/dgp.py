"""Data-generating processes: random concept supports, magnitudes and inputs `x = Σ_{i∈S} a_i f_i`.

A DGP draws a support `S ⊆ {0, …, n-1}` of active concepts from a pattern
distribution `P(S = T)`, a magnitude `a_i > 0` for each active concept, and
returns `x = Σ_{i∈S} a_i f_i` for concept directions `F = [f_1 … f_n]` of
shape (d, n). The support families are independent Bernoulli, explicit
patterns, pair blocks, a Gaussian copula and a hierarchy (forest) of concepts.

Parameters are validated at construction and stored as float64 NumPy arrays,
so `patterns()` is exact to float64 rounding. The exception is a Gaussian
copula whose correlation couples a concept with two or more others. Its
pattern probabilities carry a stated quasi-Monte Carlo error, see
`copula_patterns`. `sample` uses only `jnp` operations on those arrays, so it
runs under `jax.jit` and under `jax.vmap` over a DGP ensemble built by
`stack_dgps`. Samples are float32.

Source: the setting of Mencattini, Montagna and Locatello, "The
Rate-Distortion-Polysemanticity Tradeoff in SAEs", arXiv:2605.14694 (2026).
Only the paper's abstract was available, so these families are this toolkit's
reconstruction of its data-generating processes.
"""

import functools
import math
from collections.abc import Sequence
from typing import NamedTuple, Union

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import scipy.integrate
import scipy.special
import scipy.stats

from ._validation import (
    check_binary,
    check_correlation,
    check_distribution,
    check_finite,
    check_ndim,
    check_positive_int,
    check_probabilities,
    check_probability_vector,
    check_real_scalar,
    check_shape,
    format_index,
    show,
)

# `patterns()` enumerates at most 2**16 supports, so its (P, n) bool table
# stays within 1 MiB.
MAX_PATTERN_CONCEPTS = 16
MAX_PATTERN_BLOCKS = MAX_PATTERN_CONCEPTS // 2

# A copula whose correlation does not pair up concepts needs all 2**n orthant
# probabilities, each a quasi-Monte Carlo integral of up to n dimensions.
MAX_COPULA_CONCEPTS = 12

# Absolute error requested from Genz's algorithm for each orthant probability
# of three or more dimensions, and the seed of its random lattice shifts. In
# one measurement with SciPy 1.17, 1e-7 made 3- and 4-dimensional orthants
# about 10 times slower than 1e-6 (30 ms instead of 3 ms).
COPULA_CDF_ABSEPS = 1e-6
COPULA_CDF_SEED = 0

# Pair blocks accept a + b + c up to 1 + 1e-12 so that decimal inputs are not
# rejected for float64 rounding: 0.34 + 0.56 + 0.1 evaluates to 1.0000000000000002.
BLOCK_SUM_ATOL = 1e-12

# Columns of user-given concept directions must have unit norm within 1e-6,
# which admits directions that were normalised in float32.
DIRECTION_NORM_ATOL = 1e-6

MAGNITUDE_KINDS = ("unit", "uniform", "exponential")

_HIGHEST = jax.lax.Precision.HIGHEST


class Sample(NamedTuple):
    """A batch drawn from a DGP.

    Attributes:
        x: shape (num, d) float32, the inputs `x = Σ_{i∈S} a_i f_i`.
        support: shape (num, n) bool, the active concepts `S`.
        magnitudes: shape (num, n) float32, `a_i` on the support and 0 outside it.
    """

    x: jax.Array
    support: jax.Array
    magnitudes: jax.Array


# ---------------------------------------------------------------------------
# Pattern enumeration helpers.


def _sort_patterns(supports: np.ndarray, probs: np.ndarray):
    """Drop zero-probability patterns and sort by support size, then by the sorted active indices."""
    keep = probs > 0.0
    supports, probs = supports[keep], probs[keep]
    n = supports.shape[1]
    # np.lexsort uses the last key as the primary one. Within one size,
    # "active index tuples in lexicographic order" puts rows with an earlier
    # active concept first, which is ascending order of the negated columns.
    keys = [~supports[:, j] for j in reversed(range(n))] + [supports.sum(axis=1)]
    order = np.lexsort(keys)
    return supports[order], probs[order]


def _product_patterns(n: int, components):
    """Enumerate the patterns of independent components and their probabilities.

    Args:
        n: number of concepts.
        components: iterable of `(indices, states, state_probs)`, where `indices`
            has shape (k,), `states` shape (K, k) bool and `state_probs` shape (K,).
            Components must cover disjoint concepts. Uncovered concepts are inactive.

    Returns:
        `(supports, probs)` of shapes (P, n) bool and (P,) float64, sorted by `_sort_patterns`.
    """
    supports = np.zeros((1, n), dtype=bool)
    probs = np.ones(1, dtype=np.float64)
    for indices, states, state_probs in components:
        keep = state_probs > 0.0
        states, state_probs = states[keep], state_probs[keep]
        count = supports.shape[0]
        supports = np.repeat(supports, states.shape[0], axis=0)
        supports[:, indices] = np.tile(states, (count, 1))
        probs = (probs[:, None] * state_probs[None, :]).reshape(-1)
    return _sort_patterns(supports, probs)


def _all_supports(n: int) -> np.ndarray:
    """Return all 2**n supports over n concepts as a (2**n, n) bool array."""
    codes = np.arange(2**n, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


def _check_pattern_size(name: str, n: int, limit: int, unit: str) -> None:
    if n > limit:
        raise ValueError(
            f"`patterns()` enumerates at most {limit} {unit}, but this {name} has {n}."
        )


def _check_unstacked(name: str, array, ndim: int) -> None:
    if np.ndim(array) != ndim:
        raise ValueError(
            f"`{name}` has stacked parameters of shape {np.shape(array)}, but this method needs a "
            "single member, so select one with `jax.tree.map(lambda leaf: leaf[i], ensemble)`."
        )


# ---------------------------------------------------------------------------
# Bivariate normal CDF.


def _plackett_integrand(theta: float, h: float, k: float) -> float:
    """Integrand of the bivariate normal CDF in θ = arcsin(r), written to avoid cancellation near |r| = 1."""
    s = math.sin(theta)
    cos_squared = math.cos(theta) ** 2
    if s >= 0.0:
        # h² - 2shk + k² = (h - k)² + 2hk(1 - s), and 1 - s² = (1 - s)(1 + s).
        exponent = (h - k) ** 2 / (2.0 * cos_squared) + h * k / (1.0 + s)
    else:
        exponent = (h + k) ** 2 / (2.0 * cos_squared) - h * k / (1.0 - s)
    return math.exp(-exponent) / (2.0 * math.pi)


def bivariate_normal_cdf(h: float, k: float, rho: float) -> float:
    """Compute the standard bivariate normal CDF `Φ2(h, k; ρ) = P(Z_1 ≤ h, Z_2 ≤ k)` in float64.

    Plackett's identity `∂Φ2/∂ρ = φ2(h, k; ρ)` integrated from ρ = 0 gives

        Φ2(h, k; ρ) = Φ(h) Φ(k) + ∫_0^ρ φ2(h, k; r) dr,
        φ2(h, k; r) = exp(-(h² - 2rhk + k²) / (2(1 - r²))) / (2π sqrt(1 - r²)).

    The integral is computed with `scipy.integrate.quad` after the substitution
    `r = sin θ`, which removes the `1/sqrt(1 - r²)` singularity. The cases
    ρ = ±1 and infinite limits are handled exactly:
    `Φ2(h, k; 1) = Φ(min(h, k))` and `Φ2(h, k; -1) = max(0, Φ(h) + Φ(k) - 1)`.

    Args:
        h, k: upper limits, each finite or ±inf.
        rho: correlation in [-1, 1].

    Returns:
        The probability as a Python float. `quad` is asked for an absolute error of 1e-15.

    Source: Plackett's (1954) formula for `∂Φ2/∂ρ` and the integral studied by
    Drezner & Wesolowsky (1990), as given in Genz (2004), "Numerical computation
    of rectangular bivariate and trivariate normal and t probabilities",
    Statistics and Computing 14, 151-160, section 2.
    """
    h = float(h)
    k = float(k)
    if math.isnan(h) or math.isnan(k):
        raise ValueError(f"`h` and `k` must not be NaN, but got h = {show(h)}, k = {show(k)}.")
    rho = check_real_scalar("rho", rho, low=-1.0, high=1.0)

    if h == -math.inf or k == -math.inf:
        return 0.0
    if h == math.inf:
        return float(scipy.special.ndtr(k))
    if k == math.inf:
        return float(scipy.special.ndtr(h))
    cdf_h = float(scipy.special.ndtr(h))
    cdf_k = float(scipy.special.ndtr(k))
    lower = max(0.0, cdf_h + cdf_k - 1.0)
    upper = min(cdf_h, cdf_k)
    if rho == 1.0:
        return upper
    if rho == -1.0:
        return lower

    integral, _ = scipy.integrate.quad(
        _plackett_integrand, 0.0, math.asin(rho), args=(h, k), epsabs=1e-15, epsrel=1e-13, limit=200
    )
    # Clipping to the Fréchet bounds only removes rounding error.
    return min(max(cdf_h * cdf_k + integral, lower), upper)


def _copula_pair_cooccurrence(p_i: float, p_j: float, rho: float) -> float:
    """Return P(z_i < Φ^{-1}(p_i), z_j < Φ^{-1}(p_j)) for a latent pair with correlation ρ."""
    if p_i == 0.0 or p_j == 0.0:
        return 0.0
    if p_i == 1.0:
        return p_j
    if p_j == 1.0:
        return p_i
    if rho == 1.0:
        return min(p_i, p_j)
    if rho == -1.0:
        return max(0.0, p_i + p_j - 1.0)
    return bivariate_normal_cdf(scipy.special.ndtri(p_i), scipy.special.ndtri(p_j), rho)


def _copula_pair_states(p_i: float, p_j: float, rho: float) -> np.ndarray:
    """Return the probabilities of (neither, i only, j only, both) for a copula pair."""
    both = _copula_pair_cooccurrence(p_i, p_j, rho)
    if abs(rho) < 1.0 and 0.0 < p_i < 1.0 and 0.0 < p_j < 1.0:
        # All four states have positive probability, and the subtractions are
        # accurate to float64 rounding in absolute terms.
        return np.array([1.0 - p_i - p_j + both, p_i - both, p_j - both, both])
    # Some states have probability exactly 0. Each state is itself a thresholded
    # pair (complementing a concept negates its latent), which the exact
    # formulas return without the rounding residue of a subtraction.
    first_only = _copula_pair_cooccurrence(p_i, 1.0 - p_j, -rho)
    second_only = _copula_pair_cooccurrence(1.0 - p_i, p_j, -rho)
    neither = _copula_pair_cooccurrence(1.0 - p_i, 1.0 - p_j, rho)
    return np.array([neither, first_only, second_only, both])


# ---------------------------------------------------------------------------
# Gaussian-copula patterns for any correlation, by inclusion-exclusion.


class CopulaPatterns(NamedTuple):
    """Pattern distribution of a Gaussian copula with its Monte Carlo error bound.

    Attributes:
        supports: shape (P, n) bool, the supports with positive probability.
        probs: shape (P,) float64, summing to 1.
        error_bound: absolute error bound on every entry of `probs`, a float.
            0 when every orthant probability was computed exactly.
    """

    supports: np.ndarray
    probs: np.ndarray
    error_bound: float


def _orthant_probability(p: np.ndarray, correlation: np.ndarray) -> float:
    """Compute `P(z_i < Φ^{-1}(p_i) for all i)` for `z ~ N(0, Σ)`, with every `p_i` in (0, 1).

    Exact for one and two dimensions. Three or more dimensions use Genz's
    quasi-Monte Carlo algorithm, asked for absolute error `COPULA_CDF_ABSEPS`,
    with a fresh generator seeded by `COPULA_CDF_SEED`, so the value does not
    depend on the order of the calls.
    """
    dimension = p.shape[0]
    if dimension == 0:
        return 1.0
    if dimension == 1:
        return float(p[0])
    if dimension == 2:
        return _copula_pair_cooccurrence(float(p[0]), float(p[1]), float(correlation[0, 1]))

    # NOTE: SciPy 1.17 ignores `releps` and stops refining once three standard
    # errors over 10 random lattice shifts fall below `abseps`, or when
    # `maxpts` (10^6 points per dimension) is spent. The bound is therefore a
    # statistical estimate, and if `maxpts` runs out first the error can
    # exceed it without a warning.
    return float(
        scipy.stats.multivariate_normal.cdf(
            scipy.special.ndtri(p),
            cov=correlation,
            allow_singular=True,
            abseps=COPULA_CDF_ABSEPS,
            releps=0.0,
            rng=np.random.default_rng(COPULA_CDF_SEED),
        )
    )


def _superset_transform(values: np.ndarray, num_bits: int, sign: float) -> np.ndarray:
    """Return `g[T] = Σ_{A ⊇ T} sign^{|A \\ T|} values[A]` over bitmask indices, in O(n 2^n)."""
    result = values.copy()
    masks = np.arange(values.shape[0])
    for bit in range(num_bits):
        without = masks[((masks >> bit) & 1) == 0]
        result[without] += sign * result[without | (1 << bit)]
    return result


@functools.lru_cache(maxsize=8)
def _copula_patterns_cached(p_bytes: bytes, correlation_bytes: bytes, n: int) -> CopulaPatterns:
    p = np.frombuffer(p_bytes, dtype=np.float64)
    correlation = np.frombuffer(correlation_bytes, dtype=np.float64).reshape(n, n)

    # Concepts with p = 0 are never active and concepts with p = 1 always are,
    # so inclusion-exclusion runs over the other ("free") concepts only.
    free = np.flatnonzero((p > 0.0) & (p < 1.0))
    free_supports = _all_supports(free.shape[0])
    orthant = np.empty(free_supports.shape[0])
    for mask, active in enumerate(free_supports):
        indices = free[active]
        orthant[mask] = _orthant_probability(p[indices], correlation[np.ix_(indices, indices)])

    # P(S ∩ free = T) = Σ_{A ⊇ T} (-1)^{|A \ T|} Φ_A, and the count of
    # Monte Carlo terms in that sum bounds its error in units of abseps.
    raw = _superset_transform(orthant, free.shape[0], -1.0)
    is_monte_carlo = (free_supports.sum(axis=1) >= 3).astype(np.float64)
    monte_carlo_terms = _superset_transform(is_monte_carlo, free.shape[0], 1.0)

    # Cancellation can leave tiny negative values. Clipping them moves each
    # entry towards its true, non-negative value, and renormalising moves it
    # by at most the clipped mass.
    clipped_mass = float(-np.minimum(raw, 0.0).sum())
    probs = np.maximum(raw, 0.0)
    probs = probs / probs.sum()
    error_bound = float(monte_carlo_terms.max()) * COPULA_CDF_ABSEPS + clipped_mass

    supports = np.zeros((free_supports.shape[0], n), dtype=bool)
    supports[:, free] = free_supports
    supports[:, p == 1.0] = True
    supports, probs = _sort_patterns(supports, probs)
    return CopulaPatterns(supports=supports, probs=probs, error_bound=error_bound)


def copula_patterns(p, correlation) -> CopulaPatterns:
    """Enumerate the patterns of a Gaussian copula with any correlation matrix, for n <= 12.

    With thresholds `t_i = Φ^{-1}(p_i)` and orthant probabilities
    `Φ_A = P(z_i < t_i for all i ∈ A)` of `z ~ N(0, Σ)`, inclusion-exclusion
    over the inactive concepts gives

        P(S = T) = Σ_{U ⊆ Tᶜ} (-1)^{|U|} Φ_{T ∪ U}.

    `Φ_A` is `p_i` in one dimension and the bivariate normal CDF in two, both
    exact to float64 rounding. In three or more dimensions it comes from
    `scipy.stats.multivariate_normal.cdf`, Genz's quasi-Monte Carlo algorithm,
    asked for absolute error `COPULA_CDF_ABSEPS` (1e-6) with the fixed seed
    `COPULA_CDF_SEED`, so repeated calls return identical values. Negative
    results of cancellation are clipped to 0 and the probabilities
    renormalised.

    `error_bound` is the largest number of Monte Carlo terms in one pattern's
    sum times `COPULA_CDF_ABSEPS`, plus the clipped mass, and bounds the
    absolute error of every entry of `probs` as far as Genz's statistical
    error estimate is valid. When at most two concepts have `p_i` strictly
    between 0 and 1, no term is Monte Carlo, the result is exact to float64
    rounding, and the bound is only the clipped mass, 0 or of order 1e-16.

    Summing `probs` over the supports that contain a set B of at most two
    concepts recovers the exact `Φ_B` up to the clipped mass, because
    inclusion-exclusion is inverted exactly. Marginals and pair co-occurrences
    therefore carry no Monte Carlo error. The bound grows as `2^n` times
    `COPULA_CDF_ABSEPS` (4e-3 at n = 12) because it adds the worst case of
    every term.

    The cost is `2^n` orthant probabilities of up to `n` dimensions. With
    SciPy 1.17 on one CPU core, one took 2 to 12 ms and a random two-factor
    correlation with n = 12 took 18 s in all, an estimate that varies with Σ
    and the machine. The last 8 results are cached.

    Args:
        p: shape (n,) marginals, each in [0, 1], with n <= 12.
        correlation: shape (n, n), symmetric, unit diagonal, positive semidefinite.

    Returns:
        `CopulaPatterns` with supports (P, n) bool and probs (P,) float64, sorted
        by size and then by active indices, and the float `error_bound`.

    Raises:
        ValueError: if `p` or `correlation` is invalid, or n > 12.
    """
    p = check_probability_vector("p", p)
    correlation = check_correlation("correlation", correlation)
    check_shape("correlation", correlation, (p.shape[0], p.shape[0]), reason="to match `p`")
    if p.shape[0] > MAX_COPULA_CONCEPTS:
        raise ValueError(
            f"`p` must have at most {MAX_COPULA_CONCEPTS} concepts when the correlation couples a concept "
            f"with two or more others, because the cost grows as 2^n orthant probabilities, "
            f"but it has {p.shape[0]}."
        )

    cached = _copula_patterns_cached(p.tobytes(), correlation.tobytes(), p.shape[0])
    return CopulaPatterns(
        supports=cached.supports.copy(), probs=cached.probs.copy(), error_bound=cached.error_bound
    )


# ---------------------------------------------------------------------------
# Support distributions.


class BernoulliSupport(eqx.Module):
    """Independent concepts: concept i is active with probability `p_i`.

    `P(S = T) = Π_{i∈T} p_i Π_{i∉T} (1 - p_i)`, so `|S|` is Poisson-binomial.

    Attributes:
        p: shape (n,) float64, the marginals.
    """

    p: np.ndarray

    def __init__(self, p):
        """Args:
        p: shape (n,), each in [0, 1].
        """
        self.p = check_probability_vector("p", p)

    @property
    def n(self) -> int:
        """Number of concepts."""
        return self.p.shape[-1]

    def sample(self, num: int, *, key) -> jax.Array:
        """Draw `num` supports, shape (num, n) bool."""
        uniform = jax.random.uniform(key, (num, self.n), dtype=jnp.float32)
        return uniform < jnp.asarray(self.p, dtype=jnp.float32)[None, :]

    def patterns(self):
        """Enumerate the supports with positive probability.

        Returns:
            `(supports, probs)`: shape (P, n) bool and (P,) float64, sorted by
            size and then by active indices. Raises `ValueError` when n > 16.
        """
        _check_unstacked("BernoulliSupport", self.p, 1)
        _check_pattern_size("BernoulliSupport", self.n, MAX_PATTERN_CONCEPTS, "concepts")
        states = np.array([[False], [True]])
        components = [([i], states, np.array([1.0 - p_i, p_i])) for i, p_i in enumerate(self.p)]
        return _product_patterns(self.n, components)


class PatternSupport(eqx.Module):
    """Explicit pattern distribution: support `supports[k]` with probability `probs[k]`.

    Attributes:
        supports: shape (P, n) bool, distinct rows.
        probs: shape (P,) float64, summing to 1.
    """

    supports: np.ndarray
    probs: np.ndarray

    def __init__(self, supports, probs):
        """Args:
        supports: shape (P, n), entries 0/1 or bool, no duplicate rows.
        probs: shape (P,), non-negative, summing to 1 within 1e-9. It is
            renormalised to sum to 1 in float64.
        """
        supports = check_binary("supports", supports)
        check_ndim("supports", supports, 2)
        if supports.shape[0] == 0 or supports.shape[1] == 0:
            raise ValueError(f"`supports` must be non-empty, but it has shape {supports.shape}.")
        unique, counts = np.unique(supports, axis=0, return_counts=True)
        if (counts > 1).any():
            row = unique[int(np.argmax(counts > 1))]
            rows = np.flatnonzero((supports == row[None, :]).all(axis=1))
            raise ValueError(
                f"`supports` must not repeat a pattern, but rows {rows[0]} and {rows[1]} "
                f"are both {row.astype(int).tolist()}."
            )

        probs = check_distribution("probs", probs)
        check_shape("probs", probs, (supports.shape[0],), reason="to match the rows of `supports`")
        self.supports = supports
        self.probs = probs

    @property
    def n(self) -> int:
        """Number of concepts."""
        return self.supports.shape[-1]

    def sample(self, num: int, *, key) -> jax.Array:
        """Draw `num` supports by inverse-CDF sampling of the pattern index, shape (num, n) bool."""
        probs = jnp.asarray(self.probs, dtype=jnp.float32)
        cdf = jnp.cumsum(probs)
        # Dividing by the last entry makes it exactly 1, so a uniform draw in
        # [0, 1) always lands on a pattern with positive float32 probability.
        cdf = cdf / cdf[-1]
        uniform = jax.random.uniform(key, (num,), dtype=jnp.float32)
        index = jnp.searchsorted(cdf, uniform, side="right")
        index = jnp.minimum(index, probs.shape[-1] - 1)
        return jnp.asarray(self.supports)[index]

    def patterns(self):
        """Return the patterns with positive probability, sorted by size and then by active indices.

        Returns:
            `(supports, probs)`: shape (P', n) bool and (P',) float64.
        """
        _check_unstacked("PatternSupport", self.probs, 1)
        return _sort_patterns(self.supports.copy(), self.probs.copy())


class PairBlockSupport(eqx.Module):
    """Concepts in disjoint pairs `(2i, 2i + 1)`, each pair drawn independently of the others.

    Block i is "first only" with probability `a_i`, "second only" `b_i`,
    "both" `c_i` and "neither" `1 - a_i - b_i - c_i`. The marginals are
    `p_{2i} = a_i + c_i`, `p_{2i+1} = b_i + c_i` and the co-occurrence is `c_i`.

    Attributes:
        a, b, c: shape (num_blocks,) float64.
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray

    def __init__(self, a, b, c, num_blocks=None):
        """Args:
        a, b, c: scalars or shape (num_blocks,), each in [0, 1], with `a + b + c ≤ 1`.
        num_blocks: number of pairs. Required when `a`, `b` and `c` are all scalars,
            otherwise it must match their length.
        """
        values = {name: check_probabilities(name, value) for name, value in (("a", a), ("b", b), ("c", c))}
        lengths = {}
        for name, value in values.items():
            if value.ndim > 1:
                raise ValueError(
                    f"`{name}` must be a scalar or have shape (num_blocks,), but it has shape {value.shape}."
                )
            if value.ndim == 1:
                lengths[name] = value.shape[0]

        if num_blocks is not None:
            num_blocks = check_positive_int("num_blocks", num_blocks)
            for name, length in lengths.items():
                if length != num_blocks:
                    raise ValueError(
                        f"`num_blocks` = {num_blocks} must match the length of `{name}`, which is {length}."
                    )
        elif lengths:
            names = list(lengths)
            for name in names[1:]:
                if lengths[name] != lengths[names[0]]:
                    raise ValueError(
                        f"`{name}` must have the same length as `{names[0]}` ({lengths[names[0]]}), "
                        f"but it has length {lengths[name]}."
                    )
            num_blocks = check_positive_int(f"len({names[0]})", lengths[names[0]])
        else:
            raise ValueError("`num_blocks` must be given when `a`, `b` and `c` are all scalars, but got None.")

        a, b, c = (np.broadcast_to(values[name], (num_blocks,)).copy() for name in ("a", "b", "c"))
        total = a + b + c
        over = total > 1.0 + BLOCK_SUM_ATOL
        if over.any():
            block = int(np.argmax(over))
            raise ValueError(
                f"`a + b + c` must be at most 1 in every block, but block {block} has "
                f"a + b + c = {show(total[block])}."
            )
        self.a, self.b, self.c = a, b, c

    @property
    def num_blocks(self) -> int:
        """Number of concept pairs."""
        return self.a.shape[-1]

    @property
    def n(self) -> int:
        """Number of concepts, `2 * num_blocks`."""
        return 2 * self.num_blocks

    def sample(self, num: int, *, key) -> jax.Array:
        """Draw `num` supports, shape (num, n) bool, from one uniform draw per block."""
        a = jnp.asarray(self.a, dtype=jnp.float32)[None, :]
        b = jnp.asarray(self.b, dtype=jnp.float32)[None, :]
        c = jnp.asarray(self.c, dtype=jnp.float32)[None, :]
        first_end = a
        second_end = first_end + b
        both_end = second_end + c

        uniform = jax.random.uniform(key, (num, self.num_blocks), dtype=jnp.float32)
        both = (uniform >= second_end) & (uniform < both_end)
        first = (uniform < first_end) | both
        second = (uniform >= first_end) & (uniform < both_end)
        return jnp.stack([first, second], axis=-1).reshape(num, self.n)

    def patterns(self):
        """Enumerate the supports with positive probability as a product over blocks.

        Returns:
            `(supports, probs)`: shape (P, n) bool and (P,) float64, sorted by
            size and then by active indices. Raises `ValueError` beyond 8 blocks.
        """
        _check_unstacked("PairBlockSupport", self.a, 1)
        _check_pattern_size("PairBlockSupport", self.num_blocks, MAX_PATTERN_BLOCKS, "blocks")
        states = np.array([[False, False], [True, False], [False, True], [True, True]])
        components = []
        for i in range(self.num_blocks):
            neither = max(0.0, 1.0 - self.a[i] - self.b[i] - self.c[i])
            state_probs = np.array([neither, self.a[i], self.b[i], self.c[i]])
            components.append(([2 * i, 2 * i + 1], states, state_probs))
        return _product_patterns(self.n, components)


def _matrix_square_root(correlation: np.ndarray) -> np.ndarray:
    """Return L with `L L^T = Σ`: the Cholesky factor, or `V diag(sqrt(λ))` when Σ is singular."""
    try:
        return np.linalg.cholesky(correlation)
    except np.linalg.LinAlgError:
        eigenvalues, eigenvectors = np.linalg.eigh(correlation)
        return eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))[None, :]


def _pair_partners(correlation: np.ndarray):
    """Return each concept's correlated partner (or -1), or None if some concept has two partners."""
    coupled = correlation != 0.0
    np.fill_diagonal(coupled, False)
    if (coupled.sum(axis=1) > 1).any():
        return None
    return np.where(coupled.any(axis=1), np.argmax(coupled, axis=1), -1)


class CopulaSupport(eqx.Module):
    """Gaussian-copula correlated Bernoulli concepts with exact marginals `p_i`.

    A latent `z ~ N(0, Σ)` with unit-diagonal `Σ` is thresholded: concept i is
    active iff `z_i < Φ^{-1}(p_i)`, so `P(i ∈ S) = p_i` exactly and
    `P({i, j} ⊆ S) = Φ2(Φ^{-1}(p_i), Φ^{-1}(p_j); Σ_ij)`, which increases with `Σ_ij`.

    Attributes:
        p: shape (n,) float64, the marginals.
        correlation: shape (n, n) float64, the latent correlation matrix Σ.
        thresholds: shape (n,) float64, `Φ^{-1}(p_i)`, with -inf for p = 0 and +inf for p = 1.
        sqrt_correlation: shape (n, n) float64, L with `L L^T = Σ`.
    """

    p: np.ndarray
    correlation: np.ndarray
    thresholds: np.ndarray
    sqrt_correlation: np.ndarray

    def __init__(self, p, correlation):
        """Args:
        p: shape (n,), each in [0, 1].
        correlation: shape (n, n), symmetric, unit diagonal, positive semidefinite.
        """
        p = check_probability_vector("p", p)
        correlation = check_correlation("correlation", correlation)
        check_shape("correlation", correlation, (p.shape[0], p.shape[0]), reason="to match `p`")
        self.p = p
        self.correlation = correlation
        # ndtri(0) = -inf and ndtri(1) = +inf, so those concepts are never or always active.
        self.thresholds = scipy.special.ndtri(p)
        self.sqrt_correlation = _matrix_square_root(correlation)

    @property
    def n(self) -> int:
        """Number of concepts."""
        return self.p.shape[-1]

    def sample(self, num: int, *, key) -> jax.Array:
        """Draw `num` supports, shape (num, n) bool, by thresholding `z = L ε` with `ε ~ N(0, I)`."""
        noise = jax.random.normal(key, (num, self.n), dtype=jnp.float32)
        sqrt_correlation = jnp.asarray(self.sqrt_correlation, dtype=jnp.float32)
        latent = jnp.matmul(noise, sqrt_correlation.T, precision=_HIGHEST)
        return latent < jnp.asarray(self.thresholds, dtype=jnp.float32)[None, :]

    def pair_cooccurrence(self, i: int, j: int) -> float:
        """Compute the exact co-occurrence `P({i, j} ⊆ S) = Φ2(Φ^{-1}(p_i), Φ^{-1}(p_j); Σ_ij)`.

        Valid for any correlation matrix. For `i == j` it returns `p_i`.

        Args:
            i, j: concept indices in [0, n).

        Returns:
            The probability as a Python float.
        """
        _check_unstacked("CopulaSupport", self.p, 1)
        for name, index in (("i", i), ("j", j)):
            if not isinstance(index, (int, np.integer)) or isinstance(index, bool) or not 0 <= index < self.n:
                raise ValueError(f"`{name}` must be an integer in [0, {self.n}), but got {show(index)}.")
        if i == j:
            return float(self.p[i])
        return _copula_pair_cooccurrence(float(self.p[i]), float(self.p[j]), float(self.correlation[i, j]))

    def patterns(self):
        """Enumerate the supports with positive probability.

        Exact to float64 rounding when every concept is correlated with at
        most one other, so that Σ is block-diagonal with blocks of size at most
        2 (after a permutation). The blocks are then independent and each
        pair's four states follow from the bivariate normal CDF. This case
        allows n <= 16.

        Any other correlation goes through `copula_patterns` (n <= 12), which
        sums orthant probabilities by inclusion-exclusion. Orthants of three or
        more dimensions carry quasi-Monte Carlo error, bounded by
        `pattern_error_bound()`.

        Returns:
            `(supports, probs)`: shape (P, n) bool and (P,) float64, sorted by
            size and then by active indices. Raises `ValueError` when n > 16
            for pair-structured Σ, and when n > 12 for any other Σ.
        """
        _check_unstacked("CopulaSupport", self.p, 1)
        partners = _pair_partners(self.correlation)
        if partners is None:
            general = copula_patterns(self.p, self.correlation)
            return general.supports, general.probs
        _check_pattern_size("CopulaSupport", self.n, MAX_PATTERN_CONCEPTS, "concepts")

        single_states = np.array([[False], [True]])
        pair_states = np.array([[False, False], [True, False], [False, True], [True, True]])
        components = []
        for i in range(self.n):
            j = int(partners[i])
            if j < 0:
                components.append(([i], single_states, np.array([1.0 - self.p[i], self.p[i]])))
            elif i < j:
                state_probs = _copula_pair_states(float(self.p[i]), float(self.p[j]), float(self.correlation[i, j]))
                components.append(([i, j], pair_states, state_probs))
        return _product_patterns(self.n, components)

    def pattern_error_bound(self) -> float:
        """Return the absolute error bound on every probability that `patterns()` returns.

        0.0 when each concept is correlated with at most one other, because
        `patterns()` is then exact to float64 rounding. Otherwise the
        `error_bound` of `copula_patterns`: the largest number of quasi-Monte
        Carlo terms in one pattern's inclusion-exclusion sum times
        `COPULA_CDF_ABSEPS`, plus the mass clipped from negative results. It
        is valid as far as Genz's statistical error estimate is. Float64
        rounding, of order 1e-15 per pattern, is not included.

        Raises:
            ValueError: in the same cases as `patterns()`.
        """
        _check_unstacked("CopulaSupport", self.p, 1)
        if _pair_partners(self.correlation) is None:
            return copula_patterns(self.p, self.correlation).error_bound
        _check_pattern_size("CopulaSupport", self.n, MAX_PATTERN_CONCEPTS, "concepts")
        return 0.0


def _ancestor_matrix(parent: np.ndarray) -> np.ndarray:
    """Return A with `A[i, j]` true iff j is i or an ancestor of i, raising ValueError on a cycle."""
    n = parent.shape[0]
    ancestors = np.zeros((n, n), dtype=bool)
    for i in range(n):
        chain = [i]
        node = i
        while parent[node] >= 0:
            node = int(parent[node])
            if node in chain:
                cycle = chain[chain.index(node):] + [node]
                raise ValueError(
                    "`parent` must describe a forest, but it contains the cycle "
                    + " -> ".join(str(c) for c in cycle)
                    + "."
                )
            chain.append(node)
        ancestors[i, chain] = True
    return ancestors


class HierarchicalSupport(eqx.Module):
    """Concepts in a forest: a child can be active only when its parent is active.

    A root i is active with probability `p_i`. A child i is active with
    probability `p_i` given that its parent is active, and never otherwise.
    Equivalently, each concept passes an independent Bernoulli(`p_i`) draw and
    is active iff it and all its ancestors pass.

    Attributes:
        parent: shape (n,) int64, -1 for a root, else the index of the parent.
        p: shape (n,) float64, the conditional activation probabilities.
        ancestors: shape (n, n) bool, `ancestors[i, j]` true iff j is i or an ancestor of i.
    """

    parent: np.ndarray
    p: np.ndarray
    ancestors: np.ndarray

    def __init__(self, parent, p):
        """Args:
        parent: shape (n,) integers, -1 for a root, else a concept index in [0, n)
            other than i itself, with no cycles.
        p: shape (n,), each in [0, 1].
        """
        parent = np.asarray(parent)
        if parent.dtype.kind not in "iu":
            raise ValueError(f"`parent` must be an integer array, but got dtype {parent.dtype}.")
        check_ndim("parent", parent, 1)
        n = parent.shape[0]
        if n == 0:
            raise ValueError("`parent` must not be empty, but it has shape (0,).")
        parent = parent.astype(np.int64)
        bad = (parent < -1) | (parent >= n)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"`parent` entries must be -1 or in [0, {n}), but parent[{i}] = {parent[i]}.")

        p = check_probability_vector("p", p)
        check_shape("p", p, (n,), reason="to match `parent`")
        self.parent = parent
        self.p = p
        self.ancestors = _ancestor_matrix(parent)

    @property
    def n(self) -> int:
        """Number of concepts."""
        return self.p.shape[-1]

    def sample(self, num: int, *, key) -> jax.Array:
        """Draw `num` supports, shape (num, n) bool: a concept is active iff no draw on its ancestor path fails."""
        uniform = jax.random.uniform(key, (num, self.n), dtype=jnp.float32)
        failed = (uniform >= jnp.asarray(self.p, dtype=jnp.float32)[None, :]).astype(jnp.float32)
        ancestors = jnp.asarray(self.ancestors, dtype=jnp.float32)
        failures_on_path = jnp.matmul(failed, ancestors.T, precision=_HIGHEST)
        return failures_on_path == 0.0

    def patterns(self):
        """Enumerate the supports with positive probability.

        `P(S = T) = Π_{i eligible} (p_i if i ∈ T else 1 - p_i)` when every active
        child's parent is in T, and 0 otherwise. A concept is eligible when it
        is a root or its parent is in T.

        Returns:
            `(supports, probs)`: shape (P, n) bool and (P,) float64, sorted by
            size and then by active indices. Raises `ValueError` when n > 16.
        """
        _check_unstacked("HierarchicalSupport", self.p, 1)
        _check_pattern_size("HierarchicalSupport", self.n, MAX_PATTERN_CONCEPTS, "concepts")
        supports = _all_supports(self.n)
        is_root = self.parent < 0
        parent_active = supports[:, np.where(is_root, 0, self.parent)]
        eligible = is_root[None, :] | parent_active
        consistent = ~(supports & ~eligible).any(axis=1)
        factors = np.where(supports, self.p[None, :], 1.0 - self.p[None, :])
        probs = np.where(eligible, factors, 1.0).prod(axis=1) * consistent
        return _sort_patterns(supports, probs)


Support = Union[BernoulliSupport, PatternSupport, PairBlockSupport, CopulaSupport, HierarchicalSupport]
_SUPPORT_TYPES = (BernoulliSupport, PatternSupport, PairBlockSupport, CopulaSupport, HierarchicalSupport)


# ---------------------------------------------------------------------------
# Marginals and correlation matrices.


def zipf_marginals(n: int, *, exponent: float = 1.0, p_max: float = 0.5) -> np.ndarray:
    """Build Zipf-distributed marginals `p_i = p_max · (i + 1)^(-exponent)`.

    Args:
        n: number of concepts.
        exponent: decay exponent, finite and at least 0.
        p_max: marginal of the most frequent concept, in [0, 1].

    Returns:
        Shape (n,) float64, non-increasing.
    """
    n = check_positive_int("n", n)
    exponent = check_real_scalar("exponent", exponent, low=0.0)
    p_max = check_real_scalar("p_max", p_max, low=0.0, high=1.0)
    return p_max * np.arange(1, n + 1, dtype=np.float64) ** (-exponent)


def block_correlation(num_blocks: int, rho) -> np.ndarray:
    """Build a pair-block correlation matrix: `Σ[2i, 2i+1] = Σ[2i+1, 2i] = ρ_i`, 0 across blocks.

    Args:
        num_blocks: number of concept pairs.
        rho: scalar or shape (num_blocks,), each in [-1, 1].

    Returns:
        Shape (2 num_blocks, 2 num_blocks) float64 with unit diagonal.
    """
    num_blocks = check_positive_int("num_blocks", num_blocks)
    rho = check_finite("rho", rho)
    if rho.ndim > 1 or (rho.ndim == 1 and rho.shape[0] != num_blocks):
        raise ValueError(
            f"`rho` must be a scalar or have shape ({num_blocks},) to match `num_blocks`, "
            f"but it has shape {rho.shape}."
        )
    outside = np.abs(rho) > 1.0
    if outside.any():
        index = np.unravel_index(int(np.argmax(outside)), rho.shape)
        place = f"rho{format_index(index)}" if rho.ndim else "rho"
        raise ValueError(f"`rho` must lie in [-1, 1], but {place} = {show(rho[index])}.")

    rho = np.broadcast_to(rho, (num_blocks,))
    correlation = np.eye(2 * num_blocks)
    blocks = np.arange(num_blocks)
    correlation[2 * blocks, 2 * blocks + 1] = rho
    correlation[2 * blocks + 1, 2 * blocks] = rho
    return correlation


def low_rank_correlation(loadings) -> np.ndarray:
    """Build a low-rank-plus-diagonal correlation matrix `Σ = L L^T + diag(1 - ||l_i||²)`.

    The latent is a factor model `z_i = l_i · u + sqrt(1 - ||l_i||²) e_i` with
    independent standard normal `u` and `e`, so Σ is positive semidefinite.

    Args:
        loadings: shape (n, r), or (n,) for one factor, with every row norm at most 1.

    Returns:
        Shape (n, n) float64, `L L^T` with the diagonal set to 1.
    """
    loadings = check_finite("loadings", loadings)
    if loadings.ndim == 1:
        loadings = loadings[:, None]
    check_ndim("loadings", loadings, 2)
    if loadings.shape[0] == 0:
        raise ValueError(f"`loadings` must have at least one row, but it has shape {loadings.shape}.")
    norms = np.linalg.norm(loadings, axis=1)
    over = norms > 1.0 + 1e-12
    if over.any():
        i = int(np.argmax(over))
        raise ValueError(f"`loadings` rows must have norm at most 1, but row {i} has norm {show(norms[i])}.")

    correlation = loadings @ loadings.T
    np.fill_diagonal(correlation, 1.0)
    return correlation


# ---------------------------------------------------------------------------
# Concept directions and the DGP.


def concept_directions(n: int, d: int, *, key=None) -> np.ndarray:
    """Build concept directions `F = [f_1 … f_n]` with unit columns.

    For `d >= n` the columns are orthonormal (`F^T F = I`): the first n standard
    basis vectors when `key` is None, otherwise the Q factor of a Gaussian
    (d, n) matrix with the signs fixed so that diag(R) > 0, which is a uniformly
    random orthonormal frame. For `d < n` (superposition) the columns are
    independent uniformly random unit vectors, and the closed forms do not apply.

    Args:
        n: number of concepts.
        d: input dimension.
        key: a JAX PRNG key, required when `d < n`.

    Returns:
        Shape (d, n) float64.
    """
    n = check_positive_int("n", n)
    d = check_positive_int("d", d)
    if key is None:
        if d < n:
            raise ValueError(
                f"`key` must be given when `d` < `n` (random unit directions), but got key=None with d = {d}, n = {n}."
            )
        return np.eye(d, n)

    # The Gaussian is drawn in float32 by JAX. The QR factorisation and the
    # normalisation run in float64, so the columns are orthonormal to float64 rounding.
    gaussian = np.asarray(jax.random.normal(key, (d, n), dtype=jnp.float32), dtype=np.float64)
    if d < n:
        return gaussian / np.linalg.norm(gaussian, axis=0, keepdims=True)
    q, r = np.linalg.qr(gaussian)
    signs = np.where(np.diag(r) < 0.0, -1.0, 1.0)
    return q * signs[None, :]


class DGP(eqx.Module):
    """A data-generating process `x = Σ_{i∈S} a_i f_i` with support S, magnitudes a and directions F.

    Magnitudes are drawn independently for each active concept:
    "unit" sets `a_i = 1`, "uniform" draws `a_i ~ U[magnitude_low, magnitude_high]`
    and "exponential" draws `a_i = magnitude_scale · Exp(1)`.

    Attributes:
        support: the support distribution.
        concept_directions: shape (d, n) float64, unit columns `f_i`.
        magnitude: one of "unit", "uniform", "exponential".
        magnitude_low, magnitude_high: bounds of the uniform magnitudes, `0 < low <= high`.
        magnitude_scale: mean of the exponential magnitudes, positive.
    """

    support: Support
    concept_directions: np.ndarray
    magnitude: str = eqx.field(static=True)
    magnitude_low: float = eqx.field(static=True)
    magnitude_high: float = eqx.field(static=True)
    magnitude_scale: float = eqx.field(static=True)

    def __init__(
        self,
        support: Support,
        concept_directions,
        magnitude: str = "unit",
        magnitude_low: float = 0.5,
        magnitude_high: float = 1.5,
        magnitude_scale: float = 1.0,
    ):
        """Args:
        support: one of the support distributions of this module.
        concept_directions: shape (d, n) with unit-norm columns (within 1e-6),
            where n is the support's number of concepts.
        magnitude: "unit", "uniform" or "exponential".
        magnitude_low, magnitude_high: uniform bounds, `0 < magnitude_low <= magnitude_high`.
        magnitude_scale: exponential scale, positive.
        """
        if not isinstance(support, _SUPPORT_TYPES):
            names = ", ".join(t.__name__ for t in _SUPPORT_TYPES)
            raise TypeError(f"`support` must be one of {names}, but got {type(support).__name__}.")
        directions = check_finite("concept_directions", concept_directions)
        check_shape(
            "concept_directions", directions, (None, support.n), reason=f"(d, n) with n = {support.n} concepts"
        )
        if directions.shape[0] == 0:
            raise ValueError(f"`concept_directions` must have at least one row, but it has shape {directions.shape}.")
        norms = np.linalg.norm(directions, axis=0)
        off_unit = np.abs(norms - 1.0) > DIRECTION_NORM_ATOL
        if off_unit.any():
            i = int(np.argmax(off_unit))
            raise ValueError(f"`concept_directions` columns must have unit norm, but column {i} has norm {show(norms[i])}.")

        if magnitude not in MAGNITUDE_KINDS:
            raise ValueError(f"`magnitude` must be one of {', '.join(MAGNITUDE_KINDS)}, but got {show(magnitude)}.")
        magnitude_low = check_real_scalar("magnitude_low", magnitude_low, low=0.0, low_open=True)
        magnitude_high = check_real_scalar("magnitude_high", magnitude_high)
        if magnitude_high < magnitude_low:
            raise ValueError(
                f"`magnitude_high` must be at least `magnitude_low` = {show(magnitude_low)}, but got {show(magnitude_high)}."
            )
        magnitude_scale = check_real_scalar("magnitude_scale", magnitude_scale, low=0.0, low_open=True)

        self.support = support
        self.concept_directions = directions
        self.magnitude = magnitude
        self.magnitude_low = magnitude_low
        self.magnitude_high = magnitude_high
        self.magnitude_scale = magnitude_scale

    @property
    def n(self) -> int:
        """Number of concepts."""
        return self.support.n

    @property
    def d(self) -> int:
        """Input dimension."""
        return self.concept_directions.shape[-2]

    def _sample_magnitudes(self, support: jax.Array, *, key) -> jax.Array:
        shape = support.shape
        if self.magnitude == "unit":
            return support.astype(jnp.float32)
        if self.magnitude == "uniform":
            draws = jax.random.uniform(
                key, shape, dtype=jnp.float32, minval=self.magnitude_low, maxval=self.magnitude_high
            )
        else:
            # -log(u) with u in [tiny, 1) is Exp(1) and strictly positive, unlike
            # jax.random.exponential, which returns exactly 0 when u = 0.
            uniform = jax.random.uniform(
                key, shape, dtype=jnp.float32, minval=jnp.finfo(jnp.float32).tiny, maxval=1.0
            )
            draws = self.magnitude_scale * -jnp.log(uniform)
        return jnp.where(support, draws, 0.0)

    def sample(self, num: int, *, key) -> Sample:
        """Draw `num` inputs `x = Σ_{i∈S} a_i f_i` with their supports and magnitudes.

        Pure `jnp` on the fields, so it can be wrapped in `jax.jit` or
        `eqx.filter_jit` (with `num` static) and vmapped over `stack_dgps`.

        Args:
            num: number of samples, a Python int.
            key: a JAX PRNG key.

        Returns:
            A `Sample` with x (num, d) float32, support (num, n) bool and magnitudes (num, n) float32.
        """
        if np.ndim(self.concept_directions) != 2:
            raise ValueError(
                f"`sample` needs a single DGP, but the concept directions have shape "
                f"{np.shape(self.concept_directions)}, so vmap over the stacked ensemble instead."
            )
        num = check_positive_int("num", num)
        support_key, magnitude_key = jax.random.split(key)
        support = self.support.sample(num, key=support_key)
        magnitudes = self._sample_magnitudes(support, key=magnitude_key)
        directions = jnp.asarray(self.concept_directions, dtype=jnp.float32)
        x = jnp.matmul(magnitudes, directions.T, precision=_HIGHEST)
        return Sample(x=x, support=support, magnitudes=magnitudes)

    def patterns(self):
        """Return the support's pattern distribution `(supports (P, n) bool, probs (P,) float64)`.

        Exact to float64 rounding, except for a `CopulaSupport` whose
        correlation couples a concept with two or more others, where
        `CopulaSupport.pattern_error_bound()` bounds the error.
        """
        return self.support.patterns()

    def pattern_error_bound(self) -> float:
        """Return the absolute error bound of `patterns()`: the copula's bound, else 0.0 (exact)."""
        bound = getattr(self.support, "pattern_error_bound", None)
        return 0.0 if bound is None else float(bound())


# ---------------------------------------------------------------------------
# Convenience constructors.


def _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key) -> DGP:
    d = support.n if d is None else d
    directions = concept_directions(support.n, d, key=direction_key)
    return DGP(
        support,
        directions,
        magnitude=magnitude,
        magnitude_low=magnitude_low,
        magnitude_high=magnitude_high,
        magnitude_scale=magnitude_scale,
    )


def bernoulli_dgp(
    p,
    *,
    d=None,
    magnitude="unit",
    magnitude_low=0.5,
    magnitude_high=1.5,
    magnitude_scale=1.0,
    direction_key=None,
) -> DGP:
    """Build a DGP with independent Bernoulli(`p_i`) concepts.

    Args:
        p: shape (n,), each in [0, 1].
        d: input dimension, n by default. Directions come from
            `concept_directions(n, d, key=direction_key)`.
        magnitude, magnitude_low, magnitude_high, magnitude_scale: as in `DGP`.
        direction_key: PRNG key for random directions, required when d < n.
    """
    support = BernoulliSupport(p)
    return _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key)


def pattern_dgp(
    supports,
    probs,
    *,
    d=None,
    magnitude="unit",
    magnitude_low=0.5,
    magnitude_high=1.5,
    magnitude_scale=1.0,
    direction_key=None,
) -> DGP:
    """Build a DGP with an explicit pattern distribution, see `PatternSupport`.

    Args:
        supports: shape (P, n), 0/1 entries, distinct rows.
        probs: shape (P,), summing to 1.
        d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key: as in `bernoulli_dgp`.
    """
    support = PatternSupport(supports, probs)
    return _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key)


def pair_block_dgp(
    num_blocks,
    a,
    b,
    c,
    *,
    d=None,
    magnitude="unit",
    magnitude_low=0.5,
    magnitude_high=1.5,
    magnitude_scale=1.0,
    direction_key=None,
) -> DGP:
    """Build a DGP with `n = 2 num_blocks` concepts in independent pairs, see `PairBlockSupport`.

    Args:
        num_blocks: number of pairs, or None to take it from the lengths of `a`, `b`, `c`.
        a, b, c: "first only", "second only" and "both" probabilities, scalars or (num_blocks,).
        d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key: as in `bernoulli_dgp`.
    """
    support = PairBlockSupport(a, b, c, num_blocks=num_blocks)
    return _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key)


def copula_dgp(
    p,
    correlation,
    *,
    d=None,
    magnitude="unit",
    magnitude_low=0.5,
    magnitude_high=1.5,
    magnitude_scale=1.0,
    direction_key=None,
) -> DGP:
    """Build a DGP with Gaussian-copula correlated concepts, see `CopulaSupport`.

    Args:
        p: shape (n,) marginals.
        correlation: shape (n, n) latent correlation matrix.
        d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key: as in `bernoulli_dgp`.
    """
    support = CopulaSupport(p, correlation)
    return _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key)


def hierarchical_dgp(
    parent,
    p,
    *,
    d=None,
    magnitude="unit",
    magnitude_low=0.5,
    magnitude_high=1.5,
    magnitude_scale=1.0,
    direction_key=None,
) -> DGP:
    """Build a DGP whose concepts form a forest, see `HierarchicalSupport`.

    Args:
        parent: shape (n,), -1 for a root, else the parent's index.
        p: shape (n,), activation probability given the parent is active.
        d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key: as in `bernoulli_dgp`.
    """
    support = HierarchicalSupport(parent, p)
    return _make_dgp(support, d, magnitude, magnitude_low, magnitude_high, magnitude_scale, direction_key)


def _static_description(dgp: DGP) -> dict:
    return {
        "support type": type(dgp.support).__name__,
        "n": dgp.n,
        "d": dgp.d,
        "magnitude": dgp.magnitude,
        "magnitude_low": dgp.magnitude_low,
        "magnitude_high": dgp.magnitude_high,
        "magnitude_scale": dgp.magnitude_scale,
    }


def stack_dgps(dgps: Sequence[DGP]) -> DGP:
    """Stack DGPs of the same structure into one ensemble DGP with a leading member axis.

    Every array field gains a leading axis of length `len(dgps)`, so
    `jax.vmap(lambda dgp, key: dgp.sample(num, key=key))(stacked, keys)`
    samples member i from `dgps[i]`. The support type, n, d, magnitude settings
    and every parameter shape must agree across members.

    Args:
        dgps: non-empty sequence of `DGP`.

    Returns:
        A `DGP` whose array leaves have shape (len(dgps), ...).
    """
    dgps = list(dgps)
    if not dgps:
        raise ValueError("`dgps` must contain at least one DGP, but it is empty.")
    for position, dgp in enumerate(dgps):
        if not isinstance(dgp, DGP):
            raise TypeError(f"`dgps[{position}]` must be a DGP, but got {type(dgp).__name__}.")

    reference = _static_description(dgps[0])
    reference_leaves, reference_treedef = jax.tree.flatten(dgps[0])
    for position, dgp in enumerate(dgps[1:], start=1):
        description = _static_description(dgp)
        for field, value in description.items():
            if value != reference[field]:
                raise ValueError(
                    f"`dgps[{position}]` must match `dgps[0]` in {field}, but it has {show(value)} "
                    f"where `dgps[0]` has {show(reference[field])}."
                )
        leaves, treedef = jax.tree.flatten(dgp)
        shapes = [np.shape(leaf) for leaf in leaves]
        reference_shapes = [np.shape(leaf) for leaf in reference_leaves]
        if treedef != reference_treedef or shapes != reference_shapes:
            raise ValueError(
                f"`dgps[{position}]` must have the same parameter shapes as `dgps[0]`, "
                f"but it has {shapes} where `dgps[0]` has {reference_shapes}."
            )

    return jax.tree.map(lambda *leaves: np.stack([np.asarray(leaf) for leaf in leaves]), *dgps)
