"""Tests for rdp_jax.exact: exact solvers against brute force written differently and closed forms.

The oracle encoder is checked against bounded least squares (`lsq_linear`
with BVLS) on every support and against the closed form for an orthonormal
dictionary. The `k = 1` optimum is checked against T4, against a direct
listing of set partitions (restricted growth strings) and against the
oracle encoder on its own atoms. The set-atom dictionary search is checked
against T1 and T6, with the T6 expectation computed here from the pattern
probabilities.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import lsq_linear, nnls
from scipy.stats import special_ortho_group

from rdp_jax.exact import (
    C1Result,
    OracleCodes,
    OracleEvaluation,
    SetAtomDictionary,
    TopK1Optimum,
    oracle_distortion,
    oracle_encode,
    search_c1,
    set_atom_dictionary,
    set_atoms,
    topk1_optimum,
)
from rdp_jax.theory import (
    distortion_topk,
    rate_topk,
    rate_zero_distortion,
    two_concept_topk1,
)

# Sums and eigenvalues of a few float64 numbers of order 1 agree to ~1e-15,
# so exact identities are checked at 1e-12 and solver-to-solver at 1e-10.
FLOAT_TOL = 1e-12
SOLVER_TOL = 1e-10
# BVLS in `lsq_linear` stops at a relative tolerance of about 1e-10 on the
# cost, so the oracle is compared with it at 1e-9.
BVLS_TOL = 1e-9


# ---------------------------------------------------------------------------
# Helpers


def all_patterns(n, max_size=None):
    """Every non-empty support of at most `max_size` concepts as a (P, n) bool array."""
    max_size = n if max_size is None else max_size
    rows = []
    for size in range(1, max_size + 1):
        for block in itertools.combinations(range(n), size):
            row = np.zeros(n, dtype=bool)
            row[list(block)] = True
            rows.append(row)
    return np.array(rows)


def random_distribution(rng, n, max_size=None, with_empty=True):
    """Random subset of the patterns with Dirichlet probabilities, the empty pattern first if kept."""
    supports = all_patterns(n, max_size)
    keep = rng.random(supports.shape[0]) < 0.6
    keep[rng.integers(supports.shape[0])] = True
    supports = supports[keep]
    if with_empty:
        supports = np.vstack([np.zeros((1, n), dtype=bool), supports])
    probs = rng.dirichlet(np.ones(supports.shape[0]))
    return supports, probs


def bvls_error(w_dec, x, k):
    """Least squared error over every support of at most `k` atoms, by bounded least squares."""
    best = float(x @ x)
    for size in range(1, min(k, w_dec.shape[1]) + 1):
        for columns in itertools.combinations(range(w_dec.shape[1]), size):
            fit = lsq_linear(w_dec[:, list(columns)], x, bounds=(0.0, np.inf), method="bvls", tol=1e-14)
            best = min(best, 2.0 * fit.cost)
    return best


def participation_ratio(atom):
    """Polysemanticity degree `||c||_2^4 / ||c||_4^4` of an atom in concept coordinates."""
    return np.sum(atom**2) ** 2 / np.sum(atom**4)


def restricted_growth_strings(num_points, max_blocks):
    """Every set partition of `num_points` points into at most `max_blocks` blocks."""

    def extend(prefix, num_blocks):
        if len(prefix) == num_points:
            yield prefix
            return
        for block in range(min(num_blocks + 1, max_blocks)):
            yield from extend(prefix + [block], max(num_blocks, block + 1))

    yield from extend([], 0)


def partition_listing_optimum(points, weights, m):
    """T5 objective minimised by listing every partition, with second moments in input space."""
    best = np.inf
    for labels in restricted_growth_strings(points.shape[0], m):
        labels = np.array(labels)
        cost = 0.0
        for group in np.unique(labels):
            members = labels == group
            moment = (weights[members, None] * points[members]).T @ points[members]
            cost += np.trace(moment) - np.linalg.eigvalsh(moment)[-1]
        best = min(best, cost)
    return best


def random_cloud(seed, signed=False):
    """A few random points in d <= 4 with random weights and m <= 3 atoms."""
    rng = np.random.default_rng(seed)
    num_points, d, m = rng.integers(3, 9), rng.integers(2, 5), rng.integers(1, 4)
    if signed:
        points = rng.normal(size=(num_points, d))
    else:
        points = rng.random((num_points, d)) * (rng.random((num_points, d)) < 0.7)
    return points, rng.random(num_points), int(m)


# ---------------------------------------------------------------------------
# oracle_encode


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2])
def test_oracle_matches_bvls(seed, k):
    rng = np.random.default_rng(seed)
    w_dec = rng.normal(size=(3, 5))
    x = rng.normal(size=(4, 3))

    codes, errors = oracle_encode(w_dec, x, k)

    expected = np.array([bvls_error(w_dec, row, k) for row in x])
    np.testing.assert_allclose(errors, expected, atol=BVLS_TOL)
    assert np.all(codes >= 0.0)
    assert np.all(np.count_nonzero(codes, axis=1) <= k)
    residuals = x - codes @ w_dec.T
    np.testing.assert_allclose(np.sum(residuals**2, axis=1), errors, atol=FLOAT_TOL)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_oracle_identity_keeps_top_k(k):
    rng = np.random.default_rng(k)
    x = rng.normal(size=(20, 5))

    codes, errors = oracle_encode(np.eye(5), x, k)

    # With orthonormal atoms the best code keeps the k largest positive coordinates.
    expected = np.zeros_like(x)
    for row, values in enumerate(x):
        top = np.argsort(-values)[:k]
        top = top[values[top] > 0.0]
        expected[row, top] = values[top]
    np.testing.assert_allclose(codes, expected, atol=FLOAT_TOL)
    np.testing.assert_allclose(errors, np.sum((x - expected) ** 2, axis=1), atol=FLOAT_TOL)


def test_oracle_zero_budget():
    x = np.array([[1.0, -2.0], [0.5, 0.5]])
    codes, errors = oracle_encode(np.eye(2), x, 0)

    np.testing.assert_array_equal(codes, np.zeros((2, 2)))
    np.testing.assert_allclose(errors, [5.0, 0.5], atol=FLOAT_TOL)


@pytest.mark.parametrize("k", [3, 4, 10])
def test_oracle_large_k_is_nnls(k):
    rng = np.random.default_rng(k)
    w_dec = rng.normal(size=(5, 3))
    x = rng.normal(size=(6, 5))

    codes, errors = oracle_encode(w_dec, x, k)

    for row, target in enumerate(x):
        coefficients, residual_norm = nnls(w_dec, target)
        np.testing.assert_allclose(codes[row], coefficients, atol=SOLVER_TOL)
        np.testing.assert_allclose(errors[row], residual_norm**2, atol=SOLVER_TOL)


def test_oracle_overcomplete_large_k():
    # With m > d the atoms are dependent, so the enumeration path runs. Its
    # error must still be the plain NNLS minimum.
    rng = np.random.default_rng(7)
    w_dec = rng.normal(size=(3, 6))
    x = rng.normal(size=(5, 3))

    _, errors = oracle_encode(w_dec, x, 6)

    expected = [nnls(w_dec, target)[1] ** 2 for target in x]
    np.testing.assert_allclose(errors, expected, atol=SOLVER_TOL)


def test_oracle_tie_picks_first():
    # Atoms 0 and 1 are the same vector, so both one-atom codes tie exactly.
    w_dec = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    x = np.array([[2.0, 0.0]])

    first = oracle_encode(w_dec, x, 1)
    second = oracle_encode(w_dec, x, 1)
    swapped = oracle_encode(w_dec[:, ::-1], x, 1)

    np.testing.assert_array_equal(first.codes, [[2.0, 0.0, 0.0]])
    np.testing.assert_array_equal(first.codes, second.codes)
    np.testing.assert_array_equal(swapped.codes, [[0.0, 2.0, 0.0]])


@pytest.mark.parametrize("k", [2, 3])
def test_oracle_prefers_fewest_atoms(k):
    # x = e0 + e1 is reached exactly by atoms {0, 1} and by the composite atom 2
    # alone. At k = 3 >= m the atoms are dependent, so one NNLS would not do.
    w_dec = np.array([[1.0, 0.0, 2**-0.5], [0.0, 1.0, 2**-0.5]])
    x = np.array([[1.0, 1.0]])

    codes, errors = oracle_encode(w_dec, x, k)

    np.testing.assert_allclose(codes, [[0.0, 0.0, 2**0.5]], atol=FLOAT_TOL)
    assert errors[0] < FLOAT_TOL


def test_oracle_sparsest_among_dependent():
    # x = 1_{0123} is reached exactly by {0,2} + {1,3}. Plain NNLS on these six
    # dependent set atoms (scipy 1.17) returns a four-atom exact code instead.
    concept_sets = [(0, 1), (1, 2, 3), (0, 2), (0, 1, 3), (1, 3), (0, 3)]
    w_dec = np.zeros((4, len(concept_sets)))
    for column, concepts in enumerate(concept_sets):
        w_dec[list(concepts), column] = 1.0 / np.sqrt(len(concepts))
    x = np.ones((1, 4))

    codes, errors = oracle_encode(w_dec, x, len(concept_sets))

    np.testing.assert_allclose(codes, [[0.0, 0.0, 2**0.5, 0.0, 2**0.5, 0.0]], atol=FLOAT_TOL)
    assert errors[0] < FLOAT_TOL


def test_oracle_returns_named_tuple():
    result = oracle_encode(np.eye(2), np.ones((3, 2)), 1)
    assert isinstance(result, OracleCodes)
    assert result.codes.shape == (3, 2)
    assert result.errors.shape == (3,)


# ---------------------------------------------------------------------------
# oracle_distortion and T2


@st.composite
def t2_cases(draw):
    n = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    supports, probs = random_distribution(np.random.default_rng(seed), n)
    return supports, probs, draw(st.integers(0, 3)), draw(st.integers(1, n))


@settings(max_examples=60, deadline=None)
@given(t2_cases())
def test_t2_set_atoms_reach_bound(case):
    supports, probs, k, r = case
    result = oracle_distortion(set_atoms(supports.shape[1], r), supports, probs, k)

    assert isinstance(result, OracleEvaluation)
    assert abs(result.distortion - distortion_topk(supports, probs, k, r)) < SOLVER_TOL
    assert abs(result.rate - rate_topk(supports, probs, k, r)) < SOLVER_TOL


@pytest.mark.parametrize("r", [1, 2, 4])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_t2_all_patterns_of_four(k, r):
    rng = np.random.default_rng(10 * k + r)
    supports = np.vstack([np.zeros((1, 4), dtype=bool), all_patterns(4)])
    probs = rng.dirichlet(np.ones(16))

    result = oracle_distortion(set_atoms(4, r), supports, probs, k)

    assert abs(result.distortion - distortion_topk(supports, probs, k, r)) < SOLVER_TOL
    assert abs(result.rate - rate_topk(supports, probs, k, r)) < SOLVER_TOL


def test_oracle_distortion_rotated_concepts():
    # Rotating concepts and atoms together leaves the oracle's errors unchanged.
    rng = np.random.default_rng(3)
    supports, probs = random_distribution(rng, 3)
    directions = special_ortho_group.rvs(5, random_state=4)[:, :3]
    w_dec = set_atoms(3, 2)

    plain = oracle_distortion(w_dec, supports, probs, 1)
    rotated = oracle_distortion(directions @ w_dec, supports, probs, 1, concept_directions=directions)

    assert abs(rotated.distortion - plain.distortion) < SOLVER_TOL
    assert abs(rotated.rate - plain.rate) < SOLVER_TOL


def test_set_atoms_order():
    atoms = set_atoms(3, 2)
    assert atoms.shape == (3, 6)
    np.testing.assert_array_equal(atoms[:, :3], np.eye(3))
    np.testing.assert_allclose(atoms[:, 3], [2**-0.5, 2**-0.5, 0.0], atol=FLOAT_TOL)
    np.testing.assert_allclose(np.linalg.norm(atoms, axis=0), 1.0, atol=FLOAT_TOL)


# ---------------------------------------------------------------------------
# topk1_optimum and T4, T5

T4_SUPPORTS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
T4_GRID = [(i, j, l) for i in range(21) for j in range(21) for l in range(21) if i + j + l <= 20]


def test_t4_grid_matches_closed_form():
    for i, j, l in T4_GRID:
        a, b, c = i / 20, j / 20, l / 20
        result = topk1_optimum(T4_SUPPORTS, [a, b, c], 2)
        closed = two_concept_topk1(a, b, c)

        assert abs(result.distortion - closed.distortion) < FLOAT_TOL, (a, b, c)
        if l == 0:
            continue

        pair_atom = result.atoms[:, result.assignment[2]]
        mixing = pair_atom.min() / pair_atom.max()
        assert abs(mixing - closed.mixing) < 1e-8, (a, b, c)
        if i != j and min(i, j) > 0:
            rarer = 1 if j < i else 0
            assert result.assignment[2] == result.assignment[rarer], (a, b, c)
            assert np.argmax(pair_atom) == rarer, (a, b, c)


@pytest.mark.parametrize("seed", range(8))
def test_dp_matches_partition_listing(seed):
    points, weights, m = random_cloud(seed, signed=seed % 2 == 1)
    points, weights = points[:7], weights[:7]

    result = topk1_optimum(points, weights, m, method="enumerate")

    assert abs(result.distortion - partition_listing_optimum(points, weights, m)) < SOLVER_TOL


@pytest.mark.parametrize("seed", range(10))
def test_alternating_finds_enumerated(seed):
    points, weights, m = random_cloud(seed, signed=seed >= 7)

    exact = topk1_optimum(points, weights, m, method="enumerate")
    alternating = topk1_optimum(points, weights, m, method="alternating", restarts=64, seed=seed)
    single = topk1_optimum(points, weights, m, method="alternating", restarts=1, seed=seed)

    assert alternating.method == "alternating"
    assert abs(alternating.distortion - exact.distortion) < 1e-9
    assert single.distortion >= exact.distortion - FLOAT_TOL


@pytest.mark.parametrize("seed", range(6))
def test_topk1_atoms_reach_distortion(seed):
    # On non-negative points the k = 1 oracle with the returned atoms loses exactly D*.
    points, weights, m = random_cloud(seed)
    result = topk1_optimum(points, weights, m)

    codes, errors = oracle_encode(result.atoms, points, 1)

    assert np.all(result.atoms >= 0.0)
    assert abs(weights @ errors - result.distortion) < SOLVER_TOL
    np.testing.assert_allclose(np.linalg.norm(result.atoms, axis=0)[np.unique(result.assignment)], 1.0)


def test_topk1_skips_trivial_points():
    points = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    weights = np.array([0.5, 0.3, 0.2, 0.0])

    result = topk1_optimum(points, weights, 2)

    assert result.distortion < FLOAT_TOL
    assert result.assignment[1] == -1
    # The zero-weight pair is coded by the first of the two tied atoms.
    assert result.assignment[3] == 0
    assert isinstance(result, TopK1Optimum)


def test_topk1_auto_switches_method():
    rng = np.random.default_rng(0)
    small = topk1_optimum(rng.random((10, 3)), rng.random(10), 2)
    large = topk1_optimum(rng.random((11, 3)), rng.random(11), 2, restarts=8)

    assert small.method == "enumerate"
    assert large.method == "alternating"
    assert large.atoms.shape == (3, 2)


@pytest.mark.parametrize("seed", range(6))
def test_t5_singletons_stay_monosemantic(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    m = n + int(rng.integers(0, 3))
    supports = np.vstack([np.zeros(n), np.eye(n)])
    probs = rng.dirichlet(np.ones(n + 1))

    result = topk1_optimum(supports, probs, m)

    assert result.distortion < FLOAT_TOL
    used = np.unique(result.assignment[1:])
    assert used.size == n
    for atom in result.atoms[:, used].T:
        assert np.sum(np.abs(atom - np.eye(n)[np.argmax(atom)])) < FLOAT_TOL


@pytest.mark.parametrize("seed", range(6))
def test_t5_pairs_force_polysemantic(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    supports, probs = random_distribution(rng, n, max_size=2)
    supports = np.vstack([supports, np.eye(n)[0] + np.eye(n)[1]])
    probs = np.append(probs, 0.1 + rng.random())
    probs = probs / probs.sum()

    result = topk1_optimum(supports.astype(float), probs, n)
    mono = distortion_topk(supports, probs, 1, 1)

    assert result.distortion < mono - 1e-9
    degrees = [participation_ratio(result.atoms[:, j]) for j in np.unique(result.assignment) if j >= 0]
    assert max(degrees) > 1.0 + 1e-6


# ---------------------------------------------------------------------------
# set_atom_dictionary, T1 and T6


@pytest.mark.parametrize("seed", range(6))
def test_set_atoms_many_latents_t1(seed):
    rng = np.random.default_rng(seed)
    supports, probs = random_distribution(rng, int(rng.integers(1, 5)))
    num_patterns = int(np.count_nonzero(supports.any(axis=1)))

    result = set_atom_dictionary(supports, probs, num_patterns)

    assert isinstance(result, SetAtomDictionary)
    assert result.feasible
    assert abs(result.rate - rate_zero_distortion(supports, probs)) < FLOAT_TOL
    assert abs(result.rate - probs[supports.any(axis=1)].sum()) < FLOAT_TOL


@st.composite
def t6_cases(draw):
    n = draw(st.integers(2, 4))
    pairs = list(itertools.combinations(range(n), 2))
    singles = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    pair_weights = draw(st.lists(st.floats(0.0, 1.0), min_size=len(pairs), max_size=len(pairs)))
    t = draw(st.integers(0, len(pairs)))
    return n, pairs, np.array(singles), np.array(pair_weights), t


@settings(max_examples=25, deadline=None)
@given(t6_cases())
def test_t6_composite_atoms_for_top_pairs(case):
    n, pairs, singles, pair_weights, t = case
    total = singles.sum() + pair_weights.sum()
    u, q = singles / total, pair_weights / total
    supports = np.vstack([np.eye(n)] + [np.eye(n)[i] + np.eye(n)[j] for i, j in pairs])
    probs = np.concatenate([u, q])

    result = set_atom_dictionary(supports, probs, n + t)

    expected = u.sum() + 2.0 * q.sum() - np.sort(q)[::-1][:t].sum()
    assert result.feasible
    assert abs(result.rate - expected) < FLOAT_TOL
    assert result.atoms.shape == (n + t, n)


def test_t6_no_composites_at_m_equal_n():
    u = np.array([0.2, 0.3, 0.1])
    q = np.array([0.25, 0.1, 0.05])
    supports = np.vstack([np.eye(3), [[1, 1, 0], [1, 0, 1], [0, 1, 1]]])

    result = set_atom_dictionary(supports, np.concatenate([u, q]), 3)

    assert abs(result.rate - (u.sum() + 2.0 * q.sum())) < FLOAT_TOL
    np.testing.assert_array_equal(result.atoms, np.eye(3, dtype=bool))


def test_set_atoms_fractional_cover():
    # With the three pair atoms, {0,1,2} = (pair01 + pair02 + pair12) / 2 needs
    # three atoms and each pair needs one, so the rate is 0.9 + 3 * 0.1.
    supports = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]])
    probs = np.array([0.3, 0.3, 0.3, 0.1])

    result = set_atom_dictionary(supports, probs, 3)

    assert abs(result.rate - 1.2) < FLOAT_TOL
    np.testing.assert_array_equal(result.atoms, supports[:3].astype(bool))


def test_set_atoms_infeasible():
    result = set_atom_dictionary(np.eye(3), np.full(3, 1 / 3), 2)

    assert not result.feasible
    assert result.rate == np.inf
    assert not result.atoms.any()


# ---------------------------------------------------------------------------
# search_c1


@pytest.mark.parametrize("seed", range(8))
def test_c1_mono_never_lower_distortion(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4))
    supports, probs = random_distribution(rng, n)
    k, m = int(rng.integers(1, 3)), int(rng.integers(1, 5))

    result = search_c1(supports, probs, k, m)

    assert isinstance(result, C1Result)
    assert result.distortion_mono >= result.distortion_free - FLOAT_TOL
    assert result.dictionary_mono.shape == (n, m)
    assert result.dictionary_free.shape == (n, m)


def test_c1_two_concepts_by_hand():
    # a, b, c = 0.5, 0.2, 0.3 with k = 1, m = 2. Monosemantic {f_A, f_B} loses
    # the pair's second concept: D = c = 0.3. The best set atoms keep f_A and
    # give B the pair atom, whose error on {B} is 1/2: D = b/2 = 0.1. Every
    # pattern uses one latent in both, so both rates are 1.
    supports = np.array([[1, 0], [0, 1], [1, 1]])
    result = search_c1(supports, [0.5, 0.2, 0.3], 1, 2)

    assert abs(result.distortion_mono - 0.3) < FLOAT_TOL
    assert abs(result.distortion_free - 0.1) < FLOAT_TOL
    assert abs(result.rate_mono - 1.0) < FLOAT_TOL
    assert abs(result.rate_free - 1.0) < FLOAT_TOL
    np.testing.assert_allclose(result.dictionary_free[:, 1], [2**-0.5, 2**-0.5], atol=FLOAT_TOL)
    assert not result.counterexample
    assert result.distortion_free >= two_concept_topk1(0.5, 0.2, 0.3).distortion


def test_c1_rate_tradeoff_not_flagged():
    # With m = 1 the monosemantic optimum f_A leaves {B} uncoded: D = b + c =
    # 0.5 at rate a + c = 0.8. The pair atom codes every pattern: D = (a + b)/2
    # = 0.35 at rate 1. The lower monosemantic rate comes with a higher
    # distortion, a trade-off along the frontier, so no flag is raised.
    supports = np.array([[1, 0], [0, 1], [1, 1]])
    result = search_c1(supports, [0.5, 0.2, 0.3], 1, 1)

    assert abs(result.distortion_mono - 0.5) < FLOAT_TOL
    assert abs(result.rate_mono - 0.8) < FLOAT_TOL
    assert abs(result.distortion_free - 0.35) < FLOAT_TOL
    assert abs(result.rate_free - 1.0) < FLOAT_TOL
    assert not result.counterexample


def test_c1_flags_set_atom_limit():
    # Patterns {A} 0.8 and {A,B} 0.2 with k = m = 1: f_A (D = 0.2) beats the
    # pair atom (D = 0.4), so both classes pick f_A and the flag is raised.
    # A tilted atom does better, so C1 itself survives this case.
    supports = np.array([[1, 0], [1, 1]])
    result = search_c1(supports, [0.8, 0.2], 1, 1)
    exact = topk1_optimum(supports.astype(float), [0.8, 0.2], 1)

    assert abs(result.distortion_free - 0.2) < FLOAT_TOL
    assert result.counterexample
    assert exact.distortion < result.distortion_mono - 1e-3


def test_c1_fails_for_orthogonal_pair():
    # Patterns {2} with 0.8 and {0,1} with 0.2, k = m = 1. Both pattern vectors
    # are orthogonal, so M = 0.8 e2 e2^T + 0.2 (e0 + e1)(e0 + e1)^T has
    # eigenvalues 0.8 and 0.4, and the exact optimum D* = 1.2 - 0.8 = 0.4 is
    # reached by the concept atom f_2 (rate 0.8). The monosemantic optimum is
    # no worse although P(|S| > k) > 0 and m < 2 patterns: C1's strict part fails.
    supports = np.array([[0, 0, 1], [1, 1, 0]])
    probs = [0.8, 0.2]

    result = search_c1(supports, probs, 1, 1)
    exact = topk1_optimum(supports.astype(float), probs, 1)

    assert result.counterexample
    assert abs(result.distortion_mono - 0.4) < FLOAT_TOL
    assert abs(result.rate_mono - 0.8) < FLOAT_TOL
    assert abs(exact.distortion - result.distortion_mono) < FLOAT_TOL
    np.testing.assert_allclose(exact.atoms[:, 0], [0.0, 0.0, 1.0], atol=FLOAT_TOL)


# ---------------------------------------------------------------------------
# Invalid inputs

EYE = np.eye(2)
SUPPORTS = np.array([[1, 0], [1, 1]])
PROBS = np.array([0.5, 0.5])

INVALID_CASES = [
    (oracle_encode, (np.ones(3), np.ones((1, 3)), 1), "w_dec"),
    (oracle_encode, (np.zeros((2, 0)), np.ones((1, 2)), 1), "w_dec"),
    (oracle_encode, ([[np.nan, 0.0], [0.0, 1.0]], np.ones((1, 2)), 1), "w_dec"),
    (oracle_encode, (EYE, np.ones((1, 3)), 1), "x"),
    (oracle_encode, (EYE, [[np.inf, 0.0]], 1), "x"),
    (oracle_encode, (EYE, np.ones((1, 2)), -1), "k"),
    (oracle_encode, (EYE, np.ones((1, 2)), 1.5), "k"),
    (oracle_encode, (EYE, np.ones((1, 2)), True), "k"),
    (oracle_encode, (np.ones((2, 40)), np.ones((1, 2)), 5), "k"),
    (oracle_distortion, (np.ones((3, 2)), SUPPORTS, PROBS, 1), "concept_directions"),
    (oracle_distortion, (EYE, SUPPORTS, PROBS, 1, np.ones((3, 2))), "concept_directions"),
    (oracle_distortion, (EYE, [[2, 0], [1, 1]], PROBS, 1), "supports"),
    (oracle_distortion, (EYE, SUPPORTS, [0.5, 0.6], 1), "probs"),
    (oracle_distortion, (EYE, SUPPORTS, [1.0], 1), "probs"),
    (topk1_optimum, (EYE, [1.0], 1), "weights"),
    (topk1_optimum, (EYE, [1.0, -0.5], 1), "weights"),
    (topk1_optimum, (EYE, [1.0, 1.0], 0), "m"),
    (topk1_optimum, (np.ones(2), [1.0, 1.0], 1), "points"),
    (set_atom_dictionary, (SUPPORTS, PROBS, 0), "m"),
    (set_atom_dictionary, (np.zeros((1, 0)), [1.0], 1), "supports"),
    (set_atom_dictionary, (all_patterns(5), np.full(31, 1 / 31), 10), "m"),
    (search_c1, (SUPPORTS, PROBS, -1, 1), "k"),
    (search_c1, (SUPPORTS, PROBS, 1, 2.0), "m"),
    (search_c1, (all_patterns(6), np.full(63, 1 / 63), 1, 5), "m"),
    (set_atoms, (0,), "n"),
    (set_atoms, (3, 0), "r"),
]


@pytest.mark.parametrize("function, arguments, name", INVALID_CASES)
def test_invalid_input_names_argument(function, arguments, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        function(*arguments)


@pytest.mark.parametrize(
    "keywords, name",
    [
        ({"method": "kmeans"}, "method"),
        ({"restarts": 0}, "restarts"),
        ({"seed": -1}, "seed"),
    ],
)
def test_topk1_invalid_options(keywords, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        topk1_optimum(EYE, [1.0, 1.0], 1, **keywords)


def test_enumerate_rejects_many_points():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="`points`"):
        topk1_optimum(rng.random((13, 2)) + 0.1, np.ones(13), 2, method="enumerate")


def test_topk1_accepts_bool_points():
    points = np.array([[True, False], [False, True], [True, True]])
    from_bool = topk1_optimum(points, [0.3, 0.2, 0.15], 2)
    from_float = topk1_optimum(points.astype(float), [0.3, 0.2, 0.15], 2)
    assert from_bool.distortion == from_float.distortion
