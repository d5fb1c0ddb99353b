"""Tests for the data-generating processes: exact pattern laws, samplers, magnitudes, validation and ensembles."""

import equinox as eqx
import jax
import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

import rdp_jax as rdp

from rdp_jax.dgp import (
    COPULA_CDF_ABSEPS,
    DGP,
    BernoulliSupport,
    CopulaSupport,
    HierarchicalSupport,
    PairBlockSupport,
    PatternSupport,
    bernoulli_dgp,
    bivariate_normal_cdf,
    block_correlation,
    _copula_patterns_cached,
    concept_directions,
    copula_dgp,
    copula_patterns,
    hierarchical_dgp,
    low_rank_correlation,
    pair_block_dgp,
    pattern_dgp,
    stack_dgps,
    zipf_marginals,
)

NUM_SAMPLES = 200_000

# A correct sampler fails a chi-square test at this threshold with probability
# 1e-4 per test. The seed is fixed, so each test is deterministic.
P_VALUE_MIN = 1e-4

# Monte-Carlo checks allow 5 standard errors: a correct sampler exceeds that
# with probability about 6e-7 per check.
NUM_STANDARD_ERRORS = 5.0


@eqx.filter_jit
def _sample(dgp_or_support, key, num):
    return dgp_or_support.sample(num, key=key)


def _encode(supports) -> np.ndarray:
    """Encode each bool row as the integer whose bit i is concept i."""
    supports = np.asarray(supports, dtype=np.int64)
    return supports @ (np.int64(1) << np.arange(supports.shape[1], dtype=np.int64))


def _pattern_counts(sampled, supports):
    """Count sampled supports per pattern, and the samples that match no pattern."""
    sampled_codes = _encode(sampled)
    pattern_codes = _encode(supports)
    order = np.argsort(pattern_codes)
    sorted_codes = pattern_codes[order]
    position = np.clip(np.searchsorted(sorted_codes, sampled_codes), 0, len(sorted_codes) - 1)
    found = sorted_codes[position] == sampled_codes
    counts_sorted = np.bincount(position[found], minlength=len(sorted_codes))
    counts = np.empty_like(counts_sorted)
    counts[order] = counts_sorted
    return counts, int((~found).sum())


def _chi_square_p_value(counts, probs) -> float:
    expected = counts.sum() * probs
    # The chi-square approximation needs at least about 5 expected counts per pattern.
    assert expected.min() >= 5.0
    return scipy.stats.chisquare(counts, expected).pvalue


def _pattern_marginals(supports, probs) -> np.ndarray:
    return probs @ supports.astype(np.float64)


def _standard_error(p, num) -> np.ndarray:
    """Standard error sqrt(p (1 - p) / N) of a frequency estimated from N Bernoulli draws."""
    return np.sqrt(p * (1.0 - p) / num)


def _copula_pairs():
    # Pairs (0, 3) and (1, 2) are correlated and concept 4 is independent, so
    # the correlation is block-diagonal with blocks of size <= 2 after a permutation.
    correlation = np.eye(5)
    correlation[0, 3] = correlation[3, 0] = 0.6
    correlation[1, 2] = correlation[2, 1] = -0.5
    return CopulaSupport([0.3, 0.6, 0.5, 0.2, 0.4], correlation)


FAMILIES = {
    "bernoulli": lambda: BernoulliSupport([0.1, 0.3, 0.5, 0.9]),
    "bernoulli_degenerate": lambda: BernoulliSupport([0.2, 0.0, 0.7, 1.0]),
    "patterns": lambda: PatternSupport(
        [[0, 0, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 1]], [0.1, 0.25, 0.4, 0.25, 0.0]
    ),
    "pair_blocks": lambda: PairBlockSupport([0.25, 0.1], [0.2, 0.3], [0.3, 0.05]),
    "copula_pairs": _copula_pairs,
    "copula_comonotone": lambda: CopulaSupport([0.3, 0.5], [[1.0, 1.0], [1.0, 1.0]]),
    "hierarchical": lambda: HierarchicalSupport([-1, 0, 0, 1, -1], [0.6, 0.5, 0.3, 0.7, 0.4]),
}


def _expected_marginals(support) -> np.ndarray:
    """Marginals from each family's parameters, computed without `patterns()`."""
    if isinstance(support, (BernoulliSupport, CopulaSupport)):
        return support.p
    if isinstance(support, PairBlockSupport):
        return np.stack([support.a + support.c, support.b + support.c], axis=-1).reshape(-1)
    if isinstance(support, HierarchicalSupport):
        # A concept is active iff it and all its ancestors pass their draws.
        return np.where(support.ancestors, support.p[None, :], 1.0).prod(axis=1)
    return support.probs @ support.supports.astype(np.float64)


# ---------------------------------------------------------------------------
# Exact pattern distributions and sampling frequencies.


@pytest.mark.parametrize("family", FAMILIES)
def test_patterns_well_formed(family):
    supports, probs = FAMILIES[family]().patterns()

    assert supports.dtype == np.bool_
    assert probs.dtype == np.float64
    assert (probs > 0.0).all()
    # Products of float64 probabilities sum to 1 within a few ulps.
    assert abs(probs.sum() - 1.0) < 1e-12
    assert len(np.unique(supports, axis=0)) == len(supports)
    sizes = supports.sum(axis=1)
    assert (np.diff(sizes) >= 0).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_pattern_marginals_exact(family):
    support = FAMILIES[family]()
    supports, probs = support.patterns()

    # Float64 rounding of sums over at most 32 patterns.
    np.testing.assert_allclose(_pattern_marginals(supports, probs), _expected_marginals(support), atol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_sampling_matches_patterns(family, key):
    support = FAMILIES[family]()
    supports, probs = support.patterns()
    sampled = np.asarray(_sample(support, key, NUM_SAMPLES))

    counts, outside = _pattern_counts(sampled, supports)
    assert sampled.shape == (NUM_SAMPLES, support.n)
    assert outside == 0
    assert _chi_square_p_value(counts, probs) > P_VALUE_MIN


def test_pair_block_cooccurrence_exact():
    support = PairBlockSupport(0.25, 0.2, 0.3, num_blocks=3)
    supports, probs = support.patterns()

    both = probs @ (supports[:, 0] & supports[:, 1]).astype(np.float64)
    across = probs @ (supports[:, 0] & supports[:, 2]).astype(np.float64)
    assert len(probs) == 4**3
    assert abs(both - 0.3) < 1e-12
    # Blocks are independent: P(0 and 2) = p_0 p_2 = 0.55².
    assert abs(across - 0.55 * 0.55) < 1e-12


def test_block_sum_rounding_accepted():
    # 0.34 + 0.56 + 0.1 evaluates to 1.0000000000000002 in float64.
    supports, probs = PairBlockSupport(0.34, 0.56, 0.1, num_blocks=1).patterns()

    assert len(probs) == 3
    assert abs(probs.sum() - 1.0) < 1e-12


def test_hierarchical_child_needs_parent(key):
    parent = np.array([-1, 0, 1, 2, 0, 4, -1, 6])
    support = HierarchicalSupport(parent, np.full(8, 0.7))
    sampled = np.asarray(_sample(support, key, NUM_SAMPLES))

    for child in np.flatnonzero(parent >= 0):
        assert sampled[:, child].any()
        assert not (sampled[:, child] & ~sampled[:, parent[child]]).any()


def test_hierarchical_patterns_respect_forest():
    parent = np.array([-1, 0, 1, -1])
    supports, _ = HierarchicalSupport(parent, [0.5, 0.5, 0.5, 0.5]).patterns()

    for child in np.flatnonzero(parent >= 0):
        assert not (supports[:, child] & ~supports[:, parent[child]]).any()
    # Chains 0 -> 1 -> 2 give 4 consistent states, times 2 for the root 3.
    assert len(supports) == 8


def test_pattern_limits_raise():
    with pytest.raises(ValueError, match="16"):
        BernoulliSupport(np.full(17, 0.5)).patterns()
    with pytest.raises(ValueError, match="8"):
        PairBlockSupport(0.1, 0.1, 0.1, num_blocks=9).patterns()
    with pytest.raises(ValueError, match="16"):
        HierarchicalSupport(np.full(17, -1), np.full(17, 0.5)).patterns()


# ---------------------------------------------------------------------------
# Gaussian copula.


def test_copula_low_rank_frequencies(key):
    loadings = np.array([[0.8, 0.1], [0.6, -0.3], [-0.5, 0.5], [0.2, 0.7]])
    p = np.array([0.3, 0.5, 0.2, 0.6])
    support = CopulaSupport(p, low_rank_correlation(loadings))
    sampled = np.asarray(_sample(support, key, NUM_SAMPLES)).astype(np.float64)

    marginal_error = np.abs(sampled.mean(axis=0) - p)
    np.testing.assert_array_less(marginal_error, NUM_STANDARD_ERRORS * _standard_error(p, NUM_SAMPLES))
    for i in range(4):
        for j in range(i + 1, 4):
            exact = support.pair_cooccurrence(i, j)
            frequency = (sampled[:, i] * sampled[:, j]).mean()
            standard_error = _standard_error(exact, NUM_SAMPLES)
            assert abs(frequency - exact) < NUM_STANDARD_ERRORS * standard_error
            if abs(support.correlation[i, j]) >= 0.3:
                # The check can tell correlated from independent sampling.
                assert abs(exact - p[i] * p[j]) > 10.0 * standard_error


def _copula_low_rank():
    # Every concept correlates with at least two others, so the exact pair path
    # does not apply.
    loadings = np.array([[0.8, 0.1], [0.6, -0.3], [-0.5, 0.5], [0.2, 0.7], [0.5, 0.5]])
    return CopulaSupport([0.3, 0.5, 0.2, 0.6, 0.4], low_rank_correlation(loadings))


def _align(supports, probs, reference_supports):
    """Reorder `probs` to the rows of `reference_supports`, with 0 for missing patterns."""
    lookup = dict(zip(_encode(supports).tolist(), probs.tolist()))
    return np.array([lookup.get(code, 0.0) for code in _encode(reference_supports).tolist()])


def _superset_mass(supports, probs, concepts) -> float:
    """P(concepts ⊆ S) summed from a pattern distribution."""
    return float(probs @ supports[:, concepts].all(axis=1).astype(np.float64))


def test_copula_general_matches_samples(key):
    support = _copula_low_rank()
    supports, probs = support.patterns()
    num = 400_000
    sampled = np.asarray(_sample(support, key, num))

    counts, outside = _pattern_counts(sampled, supports)
    assert len(probs) == 32
    assert outside == 0
    assert _chi_square_p_value(counts, probs) > P_VALUE_MIN
    # The same samples reject independent concepts, so the check has power.
    independent = _align(*BernoulliSupport(support.p).patterns(), supports)
    assert _chi_square_p_value(counts, independent) < P_VALUE_MIN


def test_copula_general_low_orders_exact():
    support = _copula_low_rank()
    supports, probs = support.patterns()
    bound = support.pattern_error_bound()
    # Inclusion-exclusion inverts exactly, so sums over supersets of one or two
    # concepts differ from the exact orthant probability by at most the clipped
    # mass, which the bound contains. 1e-12 covers float64 rounding of 32 terms.
    tolerance = bound + 1e-12

    for i in range(support.n):
        exact = scipy.special.ndtr(support.thresholds[i])
        assert abs(_superset_mass(supports, probs, [i]) - exact) <= tolerance, f"concept {i}"
    for i in range(support.n):
        for j in range(i + 1, support.n):
            exact = support.pair_cooccurrence(i, j)
            assert abs(_superset_mass(supports, probs, [i, j]) - exact) <= tolerance, f"pair {i}, {j}"


def test_copula_general_third_order():
    support = _copula_low_rank()
    supports, probs = support.patterns()
    concepts = [0, 1, 4]
    correlation = support.correlation[np.ix_(concepts, concepts)]
    reference = scipy.stats.multivariate_normal.cdf(
        support.thresholds[concepts], cov=correlation, abseps=1e-9, releps=0.0, rng=np.random.default_rng(7)
    )
    # Both sides are quasi-Monte Carlo estimates of one orthant probability:
    # ours within the stated bound, the reference within its 1e-9 request.
    assert abs(_superset_mass(supports, probs, concepts) - reference) <= support.pattern_error_bound() + 1e-9


def test_copula_block_paths_agree():
    support = _copula_pairs()
    pair_supports, pair_probs = support.patterns()
    general = copula_patterns(support.p, support.correlation)

    assert support.pattern_error_bound() == 0.0
    # 2^5 patterns: the empty one sums C(5,3) + C(5,4) + C(5,5) = 16 Monte Carlo terms.
    assert general.error_bound >= 16 * COPULA_CDF_ABSEPS
    np.testing.assert_array_equal(general.supports, pair_supports)
    np.testing.assert_allclose(general.probs, pair_probs, rtol=0.0, atol=general.error_bound + 1e-12)


def test_copula_general_reproducible():
    support = _copula_low_rank()
    _copula_patterns_cached.cache_clear()
    first_supports, first_probs = support.patterns()
    _copula_patterns_cached.cache_clear()
    second_supports, second_probs = support.patterns()

    np.testing.assert_array_equal(first_supports, second_supports)
    np.testing.assert_array_equal(first_probs, second_probs)


def test_copula_comonotone_general():
    # One shared latent z: concept i is active iff z < Φ^{-1}(p_i), so with
    # p = (0.2, 0.3, 0.5) the supports are nested. P({}) = 1 - 0.5,
    # P({2}) = 0.5 - 0.3, P({1, 2}) = 0.3 - 0.2 and P({0, 1, 2}) = 0.2.
    support = CopulaSupport([0.2, 0.3, 0.5], np.ones((3, 3)))
    supports, probs = support.patterns()
    expected = {(): 0.5, (2,): 0.2, (1, 2): 0.1, (0, 1, 2): 0.2}
    bound = support.pattern_error_bound()

    assert 0.0 < bound < 1e-4
    for row, prob in zip(supports, probs):
        active = tuple(np.flatnonzero(row).tolist())
        assert abs(prob - expected.get(active, 0.0)) <= bound + 1e-12, f"pattern {active}"


def test_copula_general_degenerate_marginals():
    correlation = low_rank_correlation(np.full((5, 1), 0.6))
    support = CopulaSupport([0.0, 1.0, 0.3, 0.5, 0.4], correlation)
    supports, probs = support.patterns()

    assert not supports[:, 0].any()
    assert supports[:, 1].all()
    assert len(probs) == 8
    # Three free concepts: every pattern's sum contains the one three-dimensional orthant.
    assert support.pattern_error_bound() >= COPULA_CDF_ABSEPS
    np.testing.assert_allclose(
        _pattern_marginals(supports, probs), support.p, atol=support.pattern_error_bound() + 1e-12
    )


def test_copula_two_free_concepts_exact():
    # Concept 2 correlates with both others but is always active, so only two
    # concepts are free and every orthant probability is exact.
    correlation = low_rank_correlation(np.full((3, 1), 0.7))
    support = CopulaSupport([0.3, 0.6, 1.0], correlation)
    supports, probs = support.patterns()

    both = support.pair_cooccurrence(0, 1)
    # The four states of the free pair, each with concept 2 active.
    expected = {(2,): 1.0 - 0.3 - 0.6 + both, (0, 2): 0.3 - both, (1, 2): 0.6 - both, (0, 1, 2): both}
    assert support.pattern_error_bound() == 0.0
    assert len(probs) == 4
    for row, prob in zip(supports, probs):
        active = tuple(np.flatnonzero(row).tolist())
        # Float64 rounding of a sum of four orthant probabilities.
        assert abs(prob - expected[active]) < 1e-15, f"pattern {active}"


def test_copula_general_limit_raises():
    support = CopulaSupport(np.full(13, 0.5), low_rank_correlation(np.full((13, 1), 0.5)))
    with pytest.raises(ValueError, match="12"):
        support.patterns()
    with pytest.raises(ValueError, match="12"):
        support.pattern_error_bound()


def test_copula_cooccurrence_increases_with_rho():
    p = np.array([0.3, 0.6])
    rhos = np.linspace(-1.0, 1.0, 21)
    cooccurrences = []
    for rho in rhos:
        support = CopulaSupport(p, [[1.0, rho], [rho, 1.0]])
        supports, probs = support.patterns()
        np.testing.assert_allclose(_pattern_marginals(supports, probs), p, atol=1e-12)
        cooccurrences.append(support.pair_cooccurrence(0, 1))

    assert (np.diff(cooccurrences) > 0.0).all()
    assert cooccurrences[0] == max(0.0, p.sum() - 1.0)
    assert cooccurrences[10] == pytest.approx(p[0] * p[1], abs=1e-15)
    assert cooccurrences[-1] == p.min()


def test_copula_degenerate_marginals(key):
    support = CopulaSupport([0.0, 1.0, 0.4, 0.5], block_correlation(2, [0.5, 0.7]))
    sampled = np.asarray(_sample(support, key, 1000))
    supports, _ = support.patterns()

    assert not sampled[:, 0].any()
    assert sampled[:, 1].all()
    assert not supports[:, 0].any()
    assert supports[:, 1].all()


# ---------------------------------------------------------------------------
# Bivariate normal CDF.


BIVARIATE_POINTS = [(0.3, -0.2, 0.5), (-1.5, 0.7, -0.8), (2.0, 2.5, 0.95), (-0.4, -0.4, -0.3), (1.0, -2.0, 0.999)]


@pytest.mark.parametrize("h, k, rho", BIVARIATE_POINTS)
def test_bivariate_cdf_matches_scipy(h, k, rho):
    reference = scipy.stats.multivariate_normal.cdf(
        [h, k], cov=[[1.0, rho], [rho, 1.0]], abseps=1e-10, releps=1e-10
    )
    # SciPy's integration was asked for 1e-10 absolute error.
    assert abs(bivariate_normal_cdf(h, k, rho) - reference) < 1e-9


@pytest.mark.parametrize("h, k, rho", BIVARIATE_POINTS)
def test_bivariate_cdf_reflection_identity(h, k, rho):
    # Φ2(h, k; ρ) + Φ2(h, -k; -ρ) = Φ(h), because Z_2 ≤ k and -Z_2 < -k partition the event.
    total = bivariate_normal_cdf(h, k, rho) + bivariate_normal_cdf(h, -k, -rho)
    assert abs(total - scipy.special.ndtr(h)) < 1e-13


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.2, 0.7])
def test_bivariate_cdf_at_origin(rho):
    # Sheppard's formula Φ2(0, 0; ρ) = 1/4 + arcsin(ρ) / (2π).
    assert abs(bivariate_normal_cdf(0.0, 0.0, rho) - (0.25 + np.arcsin(rho) / (2 * np.pi))) < 1e-14


def test_bivariate_cdf_limits():
    h, k = 0.4, -0.7
    assert bivariate_normal_cdf(h, k, 0.0) == pytest.approx(scipy.special.ndtr(h) * scipy.special.ndtr(k), abs=1e-15)
    assert bivariate_normal_cdf(h, k, 1.0) == scipy.special.ndtr(min(h, k))
    assert bivariate_normal_cdf(h, k, -1.0) == max(0.0, scipy.special.ndtr(h) + scipy.special.ndtr(k) - 1.0)
    assert bivariate_normal_cdf(-np.inf, k, 0.5) == 0.0
    assert bivariate_normal_cdf(np.inf, k, 0.5) == scipy.special.ndtr(k)
    # Near ρ = 1 the integral must approach Φ(min(h, k)) continuously.
    assert abs(bivariate_normal_cdf(h, k, 1.0 - 1e-12) - scipy.special.ndtr(min(h, k))) < 1e-6


# ---------------------------------------------------------------------------
# Magnitudes, inputs and concept directions.


def test_unit_magnitudes_identity_directions(key):
    dgp = bernoulli_dgp([0.2, 0.5, 0.7])
    sample = _sample(dgp, key, 1000)

    assert sample.x.dtype == np.float32
    assert sample.magnitudes.dtype == np.float32
    assert sample.support.dtype == np.bool_
    np.testing.assert_array_equal(np.asarray(sample.x), np.asarray(sample.support, dtype=np.float32))
    np.testing.assert_array_equal(np.asarray(sample.magnitudes), np.asarray(sample.support, dtype=np.float32))


@pytest.mark.parametrize("magnitude", ["unit", "uniform", "exponential"])
@pytest.mark.parametrize("d", [6, 3])
def test_x_equals_magnitudes_times_directions(magnitude, d, key):
    direction_key, sample_key = jax.random.split(key)
    dgp = bernoulli_dgp([0.3, 0.5, 0.6, 0.8], d=d, magnitude=magnitude, direction_key=direction_key)
    sample = _sample(dgp, sample_key, 5000)
    support = np.asarray(sample.support)
    magnitudes = np.asarray(sample.magnitudes, dtype=np.float64)

    assert sample.x.shape == (5000, d)
    assert (magnitudes[support] > 0.0).all()
    assert (magnitudes[~support] == 0.0).all()
    # Float32 rounding of a sum of at most 4 products of size O(10).
    np.testing.assert_allclose(np.asarray(sample.x), magnitudes @ dgp.concept_directions.T, rtol=1e-5, atol=1e-5)


def test_magnitude_distribution_moments(key):
    low, high, scale = 0.2, 1.7, 2.5
    uniform_dgp = bernoulli_dgp(np.full(4, 0.5), magnitude="uniform", magnitude_low=low, magnitude_high=high)
    exponential_dgp = bernoulli_dgp(np.full(4, 0.5), magnitude="exponential", magnitude_scale=scale)
    uniform_key, exponential_key = jax.random.split(key)

    uniform = np.asarray(_sample(uniform_dgp, uniform_key, 50_000).magnitudes)
    uniform = uniform[uniform > 0.0].astype(np.float64)
    assert uniform.min() >= low
    assert uniform.max() <= high
    # Standard error of a mean: (high - low) / sqrt(12 N) for uniform, scale / sqrt(N) for Exp.
    assert abs(uniform.mean() - 0.5 * (low + high)) < NUM_STANDARD_ERRORS * (high - low) / np.sqrt(12 * uniform.size)

    exponential = np.asarray(_sample(exponential_dgp, exponential_key, 50_000).magnitudes)
    exponential = exponential[exponential > 0.0].astype(np.float64)
    assert abs(exponential.mean() - scale) < NUM_STANDARD_ERRORS * scale / np.sqrt(exponential.size)


def test_directions_orthonormal(key):
    identity = concept_directions(4, 7)
    random = concept_directions(4, 7, key=key)

    np.testing.assert_array_equal(identity, np.eye(7, 4))
    assert random.shape == (7, 4)
    assert random.dtype == np.float64
    np.testing.assert_allclose(random.T @ random, np.eye(4), atol=1e-12)
    assert not np.allclose(random, identity)


def test_directions_superposition_unit_norm(key):
    directions = concept_directions(10, 4, key=key)

    assert directions.shape == (4, 10)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=0), np.ones(10), atol=1e-12)
    with pytest.raises(ValueError, match="`key`"):
        concept_directions(10, 4)


def test_zipf_and_correlation_builders():
    np.testing.assert_allclose(zipf_marginals(4, exponent=2.0, p_max=0.4), 0.4 / np.array([1.0, 4.0, 9.0, 16.0]))
    correlation = block_correlation(2, [0.3, -0.6])
    assert correlation.shape == (4, 4)
    assert correlation[0, 1] == correlation[1, 0] == 0.3
    assert correlation[2, 3] == -0.6
    assert correlation[0, 2] == 0.0
    loadings = np.array([[0.6, 0.0], [0.6, 0.8]])
    low_rank = low_rank_correlation(loadings)
    np.testing.assert_allclose(low_rank, [[1.0, 0.36], [0.36, 1.0]], atol=1e-15)


def test_pattern_dgp_delegates_patterns():
    dgp = pattern_dgp([[1, 0], [0, 1]], [0.4, 0.6], d=3)
    supports, probs = dgp.patterns()

    assert (dgp.n, dgp.d) == (2, 3)
    np.testing.assert_array_equal(supports, [[True, False], [False, True]])
    np.testing.assert_allclose(probs, [0.4, 0.6], atol=1e-15)


# ---------------------------------------------------------------------------
# Keys.


def test_same_key_same_sample(key):
    dgp = copula_dgp([0.3, 0.5, 0.4, 0.6], block_correlation(2, 0.5), magnitude="uniform")
    first = _sample(dgp, key, 2000)
    second = _sample(dgp, key, 2000)
    other = _sample(dgp, jax.random.key(1), 2000)

    np.testing.assert_array_equal(np.asarray(first.x), np.asarray(second.x))
    np.testing.assert_array_equal(np.asarray(first.support), np.asarray(second.support))
    assert not np.array_equal(np.asarray(first.support), np.asarray(other.support))
    assert not np.array_equal(np.asarray(first.x), np.asarray(other.x))


# ---------------------------------------------------------------------------
# Ensembles.


ENSEMBLES = {
    "pair_blocks": lambda: [pair_block_dgp(2, 0.2, 0.15, 0.05), pair_block_dgp(2, 0.2, 0.15, 0.4)],
    "hierarchical": lambda: [hierarchical_dgp([-1, 0, 1], [0.6, 0.5, 0.4]), hierarchical_dgp([1, -1, 1], [0.3, 0.7, 0.5])],
}


@pytest.mark.parametrize("ensemble", ENSEMBLES)
def test_stacked_members_follow_own_parameters(ensemble, key):
    dgps = ENSEMBLES[ensemble]()
    stacked = stack_dgps(dgps)
    keys = jax.random.split(key, len(dgps))
    samples = jax.jit(jax.vmap(lambda dgp, member_key: dgp.sample(NUM_SAMPLES, key=member_key)))(stacked, keys)

    assert samples.x.shape == (len(dgps), NUM_SAMPLES, dgps[0].d)
    for member, dgp in enumerate(dgps):
        supports, probs = dgp.patterns()
        counts, outside = _pattern_counts(np.asarray(samples.support[member]), supports)
        assert outside == 0
        assert _chi_square_p_value(counts, probs) > P_VALUE_MIN


def test_stacked_members_differ(key):
    stacked = stack_dgps(ENSEMBLES["pair_blocks"]())
    keys = jax.random.split(key, 2)
    support = np.asarray(jax.vmap(lambda dgp, member_key: dgp.sample(50_000, key=member_key).support)(stacked, keys))

    both = (support[:, :, 0] & support[:, :, 1]).mean(axis=1)
    assert abs(both[0] - 0.05) < NUM_STANDARD_ERRORS * _standard_error(0.05, 50_000)
    assert abs(both[1] - 0.4) < NUM_STANDARD_ERRORS * _standard_error(0.4, 50_000)


MISMATCHED = {
    "support_type": [bernoulli_dgp([0.5, 0.5]), pattern_dgp([[1, 0], [0, 1]], [0.5, 0.5])],
    "n": [bernoulli_dgp([0.5, 0.5]), bernoulli_dgp([0.5, 0.5, 0.5])],
    "d": [bernoulli_dgp([0.5, 0.5]), bernoulli_dgp([0.5, 0.5], d=3)],
    "magnitude": [bernoulli_dgp([0.5, 0.5]), bernoulli_dgp([0.5, 0.5], magnitude="uniform")],
    "magnitude_high": [
        bernoulli_dgp([0.5, 0.5], magnitude="uniform"),
        bernoulli_dgp([0.5, 0.5], magnitude="uniform", magnitude_high=2.0),
    ],
    "pattern_count": [pattern_dgp([[1, 0], [0, 1]], [0.5, 0.5]), pattern_dgp([[1, 0], [0, 1], [1, 1]], [0.2, 0.3, 0.5])],
}


@pytest.mark.parametrize("case", MISMATCHED)
def test_stack_mismatch_raises(case):
    with pytest.raises(ValueError, match=r"`dgps\[1\]`"):
        stack_dgps(MISMATCHED[case])


def test_stack_empty_raises():
    with pytest.raises(ValueError, match="`dgps`"):
        stack_dgps([])


# ---------------------------------------------------------------------------
# Input validation.


INVALID = {
    "bernoulli_above_one": (lambda: BernoulliSupport([0.5, 1.2]), "`p`"),
    "bernoulli_negative": (lambda: BernoulliSupport([-0.1, 0.5]), "`p`"),
    "bernoulli_nan": (lambda: BernoulliSupport([np.nan, 0.5]), "`p`"),
    "bernoulli_matrix": (lambda: BernoulliSupport([[0.5, 0.5]]), "`p`"),
    "bernoulli_empty": (lambda: BernoulliSupport([]), "`p`"),
    "probs_sum": (lambda: PatternSupport([[1, 0], [0, 1]], [0.5, 0.6]), "`probs`"),
    "probs_negative": (lambda: PatternSupport([[1, 0], [0, 1]], [1.1, -0.1]), "`probs`"),
    "probs_inf": (lambda: PatternSupport([[1, 0], [0, 1]], [np.inf, 0.0]), "`probs`"),
    "probs_length": (lambda: PatternSupport([[1, 0], [0, 1]], [1.0]), "`probs`"),
    "duplicate_patterns": (lambda: PatternSupport([[1, 0], [1, 0]], [0.5, 0.5]), "`supports`"),
    "supports_not_binary": (lambda: PatternSupport([[2, 0], [0, 1]], [0.5, 0.5]), "`supports`"),
    "supports_vector": (lambda: PatternSupport([1, 0], [0.5, 0.5]), "`supports`"),
    "block_sum": (lambda: PairBlockSupport(0.5, 0.3, 0.3, num_blocks=2), "`a \\+ b \\+ c`"),
    "block_negative": (lambda: PairBlockSupport(-0.1, 0.3, 0.3, num_blocks=2), "`a`"),
    "block_count_mismatch": (lambda: PairBlockSupport([0.1, 0.2], 0.3, 0.3, num_blocks=3), "`num_blocks`"),
    "block_length_mismatch": (lambda: PairBlockSupport([0.1, 0.2], [0.3, 0.1, 0.1], 0.3), "`b`"),
    "block_count_missing": (lambda: PairBlockSupport(0.1, 0.2, 0.3), "`num_blocks`"),
    "block_count_zero": (lambda: PairBlockSupport(0.1, 0.2, 0.3, num_blocks=0), "`num_blocks`"),
    "correlation_asymmetric": (lambda: CopulaSupport([0.5, 0.5], [[1.0, 0.3], [0.2, 1.0]]), "`correlation`"),
    "correlation_not_psd": (
        lambda: CopulaSupport([0.5] * 3, [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]),
        "`correlation`",
    ),
    "correlation_diagonal": (lambda: CopulaSupport([0.5, 0.5], [[2.0, 0.0], [0.0, 1.0]]), "`correlation`"),
    "correlation_entry": (lambda: CopulaSupport([0.5, 0.5], [[1.0, 1.5], [1.5, 1.0]]), "`correlation`"),
    "correlation_shape": (lambda: CopulaSupport([0.5, 0.5, 0.5], np.eye(2)), "`correlation`"),
    "copula_p": (lambda: CopulaSupport([0.5, 1.2], np.eye(2)), "`p`"),
    "parent_cycle": (lambda: HierarchicalSupport([1, 2, 0], [0.5, 0.5, 0.5]), "`parent`"),
    "parent_self": (lambda: HierarchicalSupport([-1, 1], [0.5, 0.5]), "`parent`"),
    "parent_range": (lambda: HierarchicalSupport([-1, 5], [0.5, 0.5]), "`parent`"),
    "parent_float": (lambda: HierarchicalSupport([-1.0, 0.0], [0.5, 0.5]), "`parent`"),
    "hierarchical_p_shape": (lambda: HierarchicalSupport([-1, 0], [0.5, 0.5, 0.5]), "`p`"),
    "magnitude_unknown": (lambda: bernoulli_dgp([0.5], magnitude="gamma"), "`magnitude`"),
    "magnitude_low_zero": (lambda: bernoulli_dgp([0.5], magnitude="uniform", magnitude_low=0.0), "`magnitude_low`"),
    "magnitude_high_below_low": (
        lambda: bernoulli_dgp([0.5], magnitude="uniform", magnitude_low=1.0, magnitude_high=0.5),
        "`magnitude_high`",
    ),
    "magnitude_scale_negative": (lambda: bernoulli_dgp([0.5], magnitude_scale=-1.0), "`magnitude_scale`"),
    "magnitude_scale_nan": (lambda: bernoulli_dgp([0.5], magnitude_scale=np.nan), "`magnitude_scale`"),
    "d_zero": (lambda: bernoulli_dgp([0.5], d=0), "`d`"),
    "d_fraction": (lambda: bernoulli_dgp([0.5], d=2.5), "`d`"),
    "d_bool": (lambda: concept_directions(2, True), "`d`"),
    "n_negative": (lambda: concept_directions(-1, 2), "`n`"),
    "directions_shape": (lambda: DGP(BernoulliSupport([0.5, 0.5]), np.eye(3)), "`concept_directions`"),
    "directions_norm": (lambda: DGP(BernoulliSupport([0.5, 0.5]), 2.0 * np.eye(2)), "`concept_directions`"),
    "zipf_p_max": (lambda: zipf_marginals(4, p_max=1.5), "`p_max`"),
    "zipf_exponent": (lambda: zipf_marginals(4, exponent=-1.0), "`exponent`"),
    "block_rho": (lambda: block_correlation(2, [0.5, 1.5]), "`rho`"),
    "block_rho_length": (lambda: block_correlation(2, [0.5, 0.5, 0.5]), "`rho`"),
    "loadings_norm": (lambda: low_rank_correlation([[0.9, 0.9], [0.1, 0.1]]), "`loadings`"),
    "bivariate_rho": (lambda: bivariate_normal_cdf(0.0, 0.0, 1.1), "`rho`"),
    "cooccurrence_index": (lambda: CopulaSupport([0.5, 0.5], np.eye(2)).pair_cooccurrence(0, 2), "`j`"),
}


@pytest.mark.parametrize("case", INVALID)
def test_invalid_arguments_raise(case):
    make, name = INVALID[case]
    with pytest.raises(ValueError, match=name):
        make()


# ---------------------------------------------------------------------------
# Property test over random explicit pattern distributions.


@st.composite
def _pattern_distributions(draw):
    n = draw(st.integers(1, 4))
    codes = draw(st.lists(st.integers(0, 2**n - 1), min_size=1, max_size=min(6, 2**n), unique=True))
    weights = draw(st.lists(st.integers(0, 10), min_size=len(codes), max_size=len(codes)))
    if sum(weights) == 0:
        weights[0] = 1
    supports = ((np.array(codes)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
    return supports, np.array(weights, dtype=np.float64) / sum(weights)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_pattern_distributions())
def test_pattern_marginals_match_samples(distribution):
    supports, probs = distribution
    support = PatternSupport(supports, probs)
    pattern_supports, pattern_probs = support.patterns()
    num = 20_000
    sampled = np.asarray(_sample(support, jax.random.key(1), num)).astype(np.float64)

    # Float64 rounding of at most 6 probabilities.
    assert abs(pattern_probs.sum() - 1.0) < 1e-12
    marginals = _pattern_marginals(pattern_supports, pattern_probs)
    np.testing.assert_allclose(marginals, _pattern_marginals(supports, probs), atol=1e-12)
    # Marginals of 0 or 1 have zero standard error, so sampling must match exactly.
    assert (np.abs(sampled.mean(axis=0) - marginals) <= NUM_STANDARD_ERRORS * _standard_error(marginals, num)).all()


def test_dgp_pattern_error_bound():
    exact = rdp.pair_block_dgp(1, 0.3, 0.2, 0.15)
    assert exact.pattern_error_bound() == 0.0
    correlation = rdp.low_rank_correlation(np.array([[0.6, 0.3], [0.5, -0.4], [0.7, 0.1], [0.2, 0.6]]))
    copula = rdp.copula_dgp(np.full(4, 0.3), correlation)
    assert copula.pattern_error_bound() == copula.support.pattern_error_bound()
    assert copula.pattern_error_bound() > 0.0
