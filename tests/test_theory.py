"""Tests for rdp_jax.theory: closed forms against exact brute-force solvers.

Each closed form is compared with a solver that does not use it. T1 is checked
against breadth-first set cover. T2 is checked against an oracle encoder that
tries every support of at most `k` atoms of a set-atom dictionary with
non-negative least squares. T4 is checked against a grid search over pairs of
unit atoms in the plane, refined by Nelder-Mead.
"""

import decimal
import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize, nnls

from rdp_jax.theory import (
    TwoConceptOptimum,
    distortion_topk,
    rate_topk,
    rate_zero_distortion,
    support_sizes,
    two_concept_topk1,
)

# NNLS solves in float64 with residuals of order 1e-15 on these tiny problems.
NNLS_TOL = 1e-9


# ---------------------------------------------------------------------------
# Brute-force solvers


def all_supports(n):
    """Every subset of {0..n-1} as a (2^n, n) bool array, the empty set first."""
    return np.array(list(itertools.product([False, True], repeat=n)))[:, ::-1]


def min_cover_size(support, r):
    """Minimum number of atoms of at most `r` concepts whose union is `support`, by breadth-first search."""
    target = frozenset(support)
    if not target:
        return 0

    # An atom reaching outside `target` would break the union, so atoms are subsets of it.
    blocks = [
        frozenset(block)
        for size in range(1, r + 1)
        for block in itertools.combinations(sorted(target), size)
    ]
    frontier = {frozenset()}
    seen = set(frontier)
    for depth in itertools.count(1):
        next_frontier = set()
        for covered in frontier:
            for block in blocks:
                union = covered | block
                if union == target:
                    return depth
                if union not in seen:
                    seen.add(union)
                    next_frontier.add(union)
        frontier = next_frontier


@functools.lru_cache(maxsize=None)
def set_atom_dictionary(n, r):
    """(n, M) unit atoms sum_{i in T} f_i / sqrt|T| for every non-empty T with |T| <= r."""
    atoms = []
    for size in range(1, min(r, n) + 1):
        for block in itertools.combinations(range(n), size):
            atom = np.zeros(n)
            atom[list(block)] = 1.0 / np.sqrt(size)
            atoms.append(atom)
    return np.stack(atoms, axis=1)


def oracle_error(w_dec, x, k):
    """min over h >= 0 with ||h||_0 <= k of ||x - W h||^2, enumerating every atom support."""
    best = float(x @ x)
    num_atoms = w_dec.shape[1]
    # NNLS may zero coefficients, so supports of exactly min(k, M) atoms cover all smaller ones.
    for columns in itertools.combinations(range(num_atoms), min(k, num_atoms)):
        if not columns:
            continue
        _, residual_norm = nnls(w_dec[:, list(columns)], x)
        best = min(best, residual_norm**2)
    return best


@functools.lru_cache(maxsize=None)
def set_atom_error(support, k, r):
    """Oracle error of the pattern `support` (tuple of bools) with the set-atom dictionary."""
    x = np.asarray(support, dtype=np.float64)
    return oracle_error(set_atom_dictionary(len(support), r), x, k)


def set_atom_atoms_used(support, k, r):
    """Minimum number j <= k of set atoms that reaches the best error available with k atoms."""
    best = set_atom_error(support, k, r)
    for j in range(k + 1):
        if set_atom_error(support, j, r) <= best + NNLS_TOL:
            return j
    raise AssertionError("unreachable: j = k always reaches the best error")


def brute_rate_zero_distortion(supports, probs, r):
    covers = [min_cover_size(np.flatnonzero(row), r) for row in supports]
    return float(np.dot(probs, covers))


def brute_distortion_topk(supports, probs, k, r):
    errors = [set_atom_error(tuple(bool(v) for v in row), k, r) for row in supports]
    return float(np.dot(probs, errors))


def brute_rate_topk(supports, probs, k, r):
    used = [set_atom_atoms_used(tuple(bool(v) for v in row), k, r) for row in supports]
    return float(np.dot(probs, used))


# T4 patterns in the (A, B) plane: A only, B only, both.
TWO_CONCEPT_PATTERNS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def two_atom_errors(angles):
    """(..., 3) per-pattern TopK-1 errors ||x||^2 - max(w.x, 0)^2 for atom angles (..., 2)."""
    atoms = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    projections = np.maximum(atoms @ TWO_CONCEPT_PATTERNS.T, 0.0)
    sq_norms = np.sum(TWO_CONCEPT_PATTERNS**2, axis=1)
    return np.min(sq_norms - projections**2, axis=-2)


def two_atom_assignment(angles):
    """(..., 3) index of the atom (0 or 1) that codes each pattern, for atom angles (..., 2)."""
    atoms = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    projections = np.maximum(atoms @ TWO_CONCEPT_PATTERNS.T, 0.0)
    return np.argmax(projections, axis=-2)


def two_atom_partition(angles):
    """(..., 3) pattern partition, labelled so that the group of pattern A is 0."""
    assignment = two_atom_assignment(angles)
    return np.where(assignment[..., :1] == 0, assignment, 1 - assignment)


def brute_two_concept(a, b, c, grid_size=120):
    """Best two-atom TopK-1 dictionary: grid over both angles, then Nelder-Mead per basin.

    Returns the minimal distortion and the (2,) angles reaching it.
    """
    weights = np.array([a, b, c])
    theta = np.linspace(0.0, 2.0 * np.pi, grid_size, endpoint=False)
    grid = np.stack(np.meshgrid(theta, theta, indexing="ij"), axis=-1).reshape(-1, 2)
    grid_values = two_atom_errors(grid) @ weights

    # Refine the best grid point of every assignment class, so that each basin
    # is explored even when the basins differ by less than the grid resolution.
    classes = two_atom_partition(grid)
    starts = []
    for label in np.unique(classes, axis=0):
        members = np.flatnonzero(np.all(classes == label, axis=1))
        starts.append(grid[members[np.argmin(grid_values[members])]])

    best_value, best_angles = np.inf, None
    for start in starts:
        result = minimize(
            lambda angles: float(two_atom_errors(angles) @ weights),
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20_000},
        )
        if result.fun < best_value:
            best_value, best_angles = result.fun, result.x
    return best_value, best_angles


def brute_two_concept_mono(a, b, c):
    """Best TopK-1 distortion with two atoms drawn from {+-f_A, +-f_B}."""
    weights = np.array([a, b, c])
    angles = [0.0, np.pi / 2, np.pi, 3 * np.pi / 2]
    return min(
        float(two_atom_errors(np.array(pair)) @ weights)
        for pair in itertools.combinations_with_replacement(angles, 2)
    )


# ---------------------------------------------------------------------------
# Fixtures and strategies


def random_distribution(n, seed):
    """All 2^n patterns with Dirichlet(1) probabilities."""
    rng = np.random.default_rng(seed)
    supports = all_supports(n)
    return supports, rng.dirichlet(np.ones(len(supports)))


@st.composite
def pattern_distributions(draw, max_concepts=4, max_patterns=6):
    """Random supports (duplicates and the empty pattern allowed) with normalised weights.

    Normalised uniform weights, zeros included, stand in for Dirichlet draws
    because hypothesis can shrink them to a small failing case.
    """
    n = draw(st.integers(1, max_concepts))
    num_patterns = draw(st.integers(1, max_patterns))
    rows = draw(
        st.lists(
            st.lists(st.booleans(), min_size=n, max_size=n),
            min_size=num_patterns,
            max_size=num_patterns,
        )
    )
    weights = draw(
        st.lists(st.floats(0.0, 1.0), min_size=num_patterns, max_size=num_patterns).filter(
            lambda w: sum(w) > 1e-3
        )
    )
    weights = np.array(weights)
    return np.array(rows, dtype=bool), weights / weights.sum()


# ---------------------------------------------------------------------------
# support_sizes


def test_support_sizes_counts_rows():
    supports = np.array([[0, 0, 0], [1, 0, 1], [1, 1, 1]])
    sizes = support_sizes(supports)
    assert sizes.tolist() == [0, 2, 3]
    assert sizes.dtype.kind == "i"


def test_support_sizes_accepts_bool():
    supports = np.array([[True, False], [True, True]])
    assert support_sizes(supports).tolist() == [1, 2]


# ---------------------------------------------------------------------------
# T1: rate at zero distortion


@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_t1_matches_set_cover(r):
    supports, probs = random_distribution(4, seed=r)
    expected = brute_rate_zero_distortion(supports, probs, r)
    # Both sides are sums of 16 products of small integers and probabilities.
    np.testing.assert_allclose(rate_zero_distortion(supports, probs, r), expected, atol=1e-12)


@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_t1_matches_exact_nnls(r):
    # Minimum number of set atoms whose NNLS reconstruction is exact, pattern by pattern.
    for support in all_supports(4):
        atoms = set_atom_atoms_used(tuple(support), k=4, r=r)
        closed_form = rate_zero_distortion(support[None, :], np.ones(1), r)
        assert closed_form == atoms, f"support {support.astype(int)}"


def test_t1_monosemantic_equals_marginals():
    supports, probs = random_distribution(5, seed=0)
    marginals = probs @ supports
    np.testing.assert_allclose(rate_zero_distortion(supports, probs, 1), marginals.sum(), atol=1e-12)


def test_t1_unrestricted_equals_nonempty_mass():
    supports, probs = random_distribution(5, seed=1)
    nonempty_mass = probs[supports.any(axis=1)].sum()
    np.testing.assert_allclose(rate_zero_distortion(supports, probs), nonempty_mass, atol=1e-12)


def test_t1_none_equals_r_n():
    supports, probs = random_distribution(5, seed=2)
    assert rate_zero_distortion(supports, probs, None) == rate_zero_distortion(supports, probs, 5)


def test_t1_two_concept_penalty_is_p12():
    supports, probs = random_distribution(2, seed=3)
    pair_mass = probs[supports.all(axis=1)].sum()
    penalty = rate_zero_distortion(supports, probs, 1) - rate_zero_distortion(supports, probs)
    np.testing.assert_allclose(penalty, pair_mass, atol=1e-12)


def test_t1_hand_example():
    # Patterns {}, {0}, {0,1}, {0,1,2} with probabilities 0.1, 0.2, 0.3, 0.4.
    # r = 2 needs 0, 1, 1, 2 atoms: 0.2 + 0.3 + 0.8 = 1.3.
    supports = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(rate_zero_distortion(supports, probs, 2), 1.3, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(distribution=pattern_distributions(), r=st.integers(1, 5))
def test_t1_property_vs_brute_force(distribution, r):
    supports, probs = distribution
    expected = brute_rate_zero_distortion(supports, probs, r)
    np.testing.assert_allclose(rate_zero_distortion(supports, probs, r), expected, atol=1e-12)


# ---------------------------------------------------------------------------
# T2: distortion under a hard budget k


@pytest.mark.parametrize("r", [1, 2, 3])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_t2_matches_set_atom_oracle(k, r):
    supports, probs = random_distribution(4, seed=10 * k + r)
    expected = brute_distortion_topk(supports, probs, k, r)
    np.testing.assert_allclose(distortion_topk(supports, probs, k, r), expected, atol=NNLS_TOL)


@pytest.mark.parametrize("seed", range(4))
def test_t2_random_dictionaries_stay_above(seed):
    # Lower bound: no dictionary in W_r, drawn at random, beats the closed form on any pattern.
    rng = np.random.default_rng(seed)
    n = 4
    for _ in range(6):
        r = int(rng.integers(1, n))
        num_atoms = int(rng.integers(1, 9))
        w_dec = np.zeros((n, num_atoms))
        for j in range(num_atoms):
            block = rng.choice(n, size=int(rng.integers(1, r + 1)), replace=False)
            coefficients = rng.standard_normal(len(block))
            if rng.random() < 0.5:
                coefficients = np.abs(coefficients)
            w_dec[block, j] = coefficients / np.linalg.norm(coefficients)

        for support in all_supports(n)[1:]:
            x = support.astype(np.float64)
            for k in (1, 2, 3):
                bound = distortion_topk(support[None, :], np.ones(1), k, r)
                error = oracle_error(w_dec, x, k)
                assert error >= bound - NNLS_TOL, f"support {support.astype(int)}, k={k}, r={r}"


def test_t2_zero_budget_is_mean_support():
    supports, probs = random_distribution(5, seed=4)
    mean_support = (probs @ supports).sum()
    np.testing.assert_allclose(distortion_topk(supports, probs, 0, 2), mean_support, atol=1e-12)


def test_t2_nonincreasing_in_k():
    supports, probs = random_distribution(5, seed=5)
    values = distortion_topk(supports, probs, np.arange(7)[:, None], np.arange(1, 6))
    assert np.all(np.diff(values, axis=0) <= 0)


def test_t2_nonincreasing_in_r():
    supports, probs = random_distribution(5, seed=6)
    values = distortion_topk(supports, probs, np.arange(7)[:, None], np.arange(1, 6))
    assert np.all(np.diff(values, axis=1) <= 0)


def test_t2_hand_example():
    # Patterns {}, {0}, {0,1}, {0,1,2} with probabilities 0.1, 0.2, 0.3, 0.4.
    # k = 1, r = 1 loses 0, 0, 1, 2 concepts: 0.3 + 0.8 = 1.1.
    supports = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(distortion_topk(supports, probs, 1, 1), 1.1, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(distribution=pattern_distributions(), k=st.integers(0, 3), r=st.integers(1, 5))
def test_t2_property_vs_brute_force(distribution, k, r):
    supports, probs = distribution
    expected = brute_distortion_topk(supports, probs, k, r)
    np.testing.assert_allclose(distortion_topk(supports, probs, k, r), expected, atol=NNLS_TOL)


# ---------------------------------------------------------------------------
# Rate of the T2 optimum


@pytest.mark.parametrize("r", [1, 2, 3])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_rate_topk_matches_oracle(k, r):
    supports, probs = random_distribution(4, seed=100 + 10 * k + r)
    expected = brute_rate_topk(supports, probs, k, r)
    # Both sides are sums of 16 products of small integers and probabilities.
    np.testing.assert_allclose(rate_topk(supports, probs, k, r), expected, atol=1e-12)


def test_rate_topk_large_k_is_t1():
    supports, probs = random_distribution(5, seed=7)
    for r in range(1, 6):
        np.testing.assert_allclose(
            rate_topk(supports, probs, 5, r), rate_zero_distortion(supports, probs, r), atol=1e-12
        )


def test_rate_topk_nondecreasing_in_k():
    supports, probs = random_distribution(5, seed=8)
    values = rate_topk(supports, probs, np.arange(7)[:, None], np.arange(1, 6))
    assert np.all(np.diff(values, axis=0) >= 0)


@settings(max_examples=40, deadline=None)
@given(distribution=pattern_distributions(), k=st.integers(0, 3), r=st.integers(1, 5))
def test_rate_topk_property_vs_brute_force(distribution, k, r):
    supports, probs = distribution
    expected = brute_rate_topk(supports, probs, k, r)
    np.testing.assert_allclose(rate_topk(supports, probs, k, r), expected, atol=1e-12)


# ---------------------------------------------------------------------------
# T4: two concepts, two latents, k = 1

T4_POINTS = [
    (0.3, 0.2, 0.15),  # b < a, so B absorbs
    (0.2, 0.3, 0.15),  # a < b, so A absorbs
    (0.25, 0.25, 0.3),  # tie a == b
    (0.4, 0.35, 0.0),  # no co-occurrence
    (0.3, 0.1, 1e-6),  # tiny c
    (0.1, 0.3, 1e-6),  # tiny c, a < b
    (0.05, 0.5, 0.45),  # c much larger than u
    (0.5, 0.0, 0.5),  # u = 0
    (1 / 3, 1 / 3, 1 / 3),
    (0.1, 0.2, 0.05),  # empty pattern carries the remaining mass
]


@pytest.mark.parametrize("a, b, c", T4_POINTS)
def test_t4_matches_grid_search(a, b, c):
    expected, _ = brute_two_concept(a, b, c)
    # Nelder-Mead stops at xatol 1e-12 and fatol 1e-15, far inside 1e-7.
    np.testing.assert_allclose(two_concept_topk1(a, b, c).distortion, expected, atol=1e-7)


@st.composite
def simplex_points(draw):
    """(a, b, c) with a + b + c <= 1, from normalised weights of four outcomes."""
    weights = draw(
        st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-3)
    )
    a, b, c, _ = np.array(weights) / sum(weights)
    return float(a), float(b), float(c)


@settings(max_examples=25, deadline=None)
@given(point=simplex_points())
def test_t4_property_vs_grid_search(point):
    a, b, c = point
    expected, _ = brute_two_concept(a, b, c)
    # Same optimiser tolerance as the fixed grid of points.
    np.testing.assert_allclose(two_concept_topk1(a, b, c).distortion, expected, atol=1e-7)


@pytest.mark.parametrize("a, b, c", T4_POINTS)
def test_t4_mono_matches_axis_atoms(a, b, c):
    expected = brute_two_concept_mono(a, b, c)
    # Only a handful of float64 products separate the two sides.
    np.testing.assert_allclose(two_concept_topk1(a, b, c).distortion_mono, expected, atol=1e-15)


@pytest.mark.parametrize("a, b, c", [p for p in T4_POINTS if p[2] > 0])
def test_t4_mixing_matches_optimiser(a, b, c):
    _, angles = brute_two_concept(a, b, c)
    absorbing_atom = two_atom_assignment(angles)[2]
    atom = np.abs([np.cos(angles[absorbing_atom]), np.sin(angles[absorbing_atom])])
    # The distortion is flat to second order in the angles, so the optimiser pins the
    # ratio only to about 1e-8 on these points, and 1e-4 leaves a wide margin.
    np.testing.assert_allclose(two_concept_topk1(a, b, c).mixing, atom.min() / atom.max(), atol=1e-4)


@pytest.mark.parametrize("a, b, c", [p for p in T4_POINTS if p[2] > 0 and p[0] != p[1]])
def test_t4_absorbing_matches_optimiser(a, b, c):
    _, angles = brute_two_concept(a, b, c)
    assignment = two_atom_assignment(angles)
    # The concept whose solo pattern shares the atom of the pair: 0 for A, 1 for B.
    absorbing = 1 if assignment[1] == assignment[2] else 0
    assert assignment[0] != assignment[1], "solo patterns share an atom"
    assert two_concept_topk1(a, b, c).absorbing == absorbing


@pytest.mark.parametrize("a, b, c", [p for p in T4_POINTS if p[2] > 0])
def test_t4_beats_monosemantic(a, b, c):
    optimum = two_concept_topk1(a, b, c)
    assert optimum.distortion < optimum.distortion_mono


def test_t4_tie_reports_b():
    assert two_concept_topk1(0.25, 0.25, 0.3).absorbing == 1


def test_t4_zero_c_limits():
    optimum = two_concept_topk1(0.3, 0.2, 0.0)
    assert optimum.mixing == 0.0
    assert optimum.distortion == 0.0


def test_t4_all_mass_on_pair():
    # Only the pair occurs, so one atom (f_A + f_B)/sqrt(2) codes it exactly.
    optimum = two_concept_topk1(0.0, 0.0, 1.0)
    assert optimum.distortion == 0.0
    assert optimum.mixing == 1.0


def test_t4_mixing_rises_with_ratio():
    u = 1e-4
    c = np.geomspace(1e-7, 0.4, 200)
    mixing = two_concept_topk1(0.5, u, c).mixing
    assert np.all(np.diff(mixing) > 0)
    assert mixing[0] < 0.01
    assert mixing[-1] > 0.99


def _decimal_reference(u, c):
    """D* and alpha* from the textbook forms in 500-digit decimal arithmetic."""
    with decimal.localcontext() as context:
        # c / u reaches 1e-200 below, and the textbook form cancels c^2 / u against u.
        context.prec = 500
        u, c = decimal.Decimal(u), decimal.Decimal(c)
        s = (u * u + 4 * c * c).sqrt()
        return float((u + 2 * c - s) / 2), float((s - u) / (2 * c))


@pytest.mark.parametrize(
    "u, c", [(0.3, 1e-9), (0.3, 1e-5), (0.2, 0.15), (1e-12, 0.4), (1e-6, 0.45), (0.3, 1e-200)]
)
def test_t4_stable_for_extreme_ratios(u, c):
    expected_distortion, expected_mixing = _decimal_reference(u, c)
    optimum = two_concept_topk1(0.5, u, c)
    # A few float64 operations, each rounding by at most 1.1e-16, with no cancellation.
    np.testing.assert_allclose(optimum.distortion, expected_distortion, rtol=2e-15)
    np.testing.assert_allclose(optimum.mixing, expected_mixing, rtol=2e-15)


@pytest.mark.parametrize(
    "a, b, c", [(0.0, 0.0, 1.6e-174), (1e-170, 2e-170, 3e-170), (0.0, 0.5, 5e-324)]
)
def test_t4_tiny_probabilities_finite(a, b, c):
    optimum = two_concept_topk1(a, b, c)
    assert np.isfinite(optimum.distortion)
    assert np.isfinite(optimum.mixing)
    assert 0.0 <= optimum.distortion <= c


def test_t4_returns_named_tuple():
    optimum = two_concept_topk1(0.3, 0.2, 0.15)
    assert isinstance(optimum, TwoConceptOptimum)
    assert optimum.absorbing.dtype.kind == "i"


def test_t4_broadcasts():
    a = np.array([0.3, 0.2])[:, None]
    c = np.array([0.0, 0.1, 0.15])
    optimum = two_concept_topk1(a, 0.25, c)
    for field in optimum:
        assert np.shape(field) == (2, 3)
    for i, j in itertools.product(range(2), range(3)):
        scalar = two_concept_topk1(a[i, 0], 0.25, c[j])
        assert optimum.distortion[i, j] == scalar.distortion
        assert optimum.mixing[i, j] == scalar.mixing
        assert optimum.absorbing[i, j] == scalar.absorbing


# ---------------------------------------------------------------------------
# Broadcasting and scalar output


def test_t2_broadcasts_k_and_r():
    supports, probs = random_distribution(4, seed=9)
    k = np.arange(4)[:, None]
    r = np.array([1, 2])
    values = distortion_topk(supports, probs, k=k, r=r)
    assert values.shape == (4, 2)
    for i, j in itertools.product(range(4), range(2)):
        assert values[i, j] == distortion_topk(supports, probs, int(k[i, 0]), int(r[j]))


def test_rate_topk_broadcasts_k_and_r():
    supports, probs = random_distribution(4, seed=9)
    values = rate_topk(supports, probs, k=np.arange(4)[:, None], r=np.array([1, 2]))
    assert values.shape == (4, 2)
    assert values[3, 1] == rate_topk(supports, probs, 3, 2)


def test_t1_broadcasts_r():
    supports, probs = random_distribution(4, seed=9)
    values = rate_zero_distortion(supports, probs, np.array([[1, 2], [3, 4]]))
    assert values.shape == (2, 2)
    assert values[1, 0] == rate_zero_distortion(supports, probs, 3)


def test_scalar_parameters_give_scalars():
    supports, probs = random_distribution(3, seed=9)
    assert np.ndim(rate_zero_distortion(supports, probs, 2)) == 0
    assert np.ndim(distortion_topk(supports, probs, 1, 2)) == 0
    assert np.ndim(rate_topk(supports, probs, 1)) == 0


# ---------------------------------------------------------------------------
# Invalid inputs

SUPPORTS = np.array([[1, 0], [1, 1]])
PROBS = np.array([0.5, 0.5])

INVALID_CASES = [
    # (function, keyword arguments, argument named in the message, value shown)
    (distortion_topk, dict(probs=np.array([0.5, 0.4])), "probs", "0.9"),
    (distortion_topk, dict(probs=np.array([1.2, -0.2])), "probs", "1.2"),
    (distortion_topk, dict(probs=np.array([-0.2, 1.2])), "probs", "-0.2"),
    (distortion_topk, dict(probs=np.array([np.nan, 1.0])), "probs", "nan"),
    (distortion_topk, dict(probs=np.array([0.5, 0.25, 0.25])), "probs", "3"),
    (distortion_topk, dict(probs=np.ones((1, 2))), "probs", "(1, 2)"),
    (distortion_topk, dict(supports=np.array([[2, 0], [1, 1]])), "supports", "2"),
    (distortion_topk, dict(supports=np.array([1, 0])), "supports", "(2,)"),
    (distortion_topk, dict(supports=np.zeros((2, 0))), "supports", "(2, 0)"),
    (distortion_topk, dict(k=-1), "k", "-1"),
    (distortion_topk, dict(k=1.5), "k", "1.5"),
    (distortion_topk, dict(k=True), "k", "True"),
    (distortion_topk, dict(k=np.array([1, 2, 3]), r=np.array([1, 2])), "k", "(3,)"),
    (distortion_topk, dict(r=0), "r", "0"),
    (distortion_topk, dict(r=np.array([1, 0])), "r", "0"),
    (rate_topk, dict(k=-2), "k", "-2"),
    (rate_zero_distortion, dict(r=0.5), "r", "0.5"),
]


@pytest.mark.parametrize("function, overrides, argument, value_text", INVALID_CASES)
def test_invalid_pattern_inputs_raise(function, overrides, argument, value_text):
    kwargs = dict(supports=SUPPORTS, probs=PROBS, k=1, r=1)
    if function is rate_zero_distortion:
        del kwargs["k"]
    kwargs.update(overrides)
    with pytest.raises(ValueError) as excinfo:
        function(**kwargs)
    message = str(excinfo.value)
    assert f"`{argument}`" in message
    assert value_text in message


INVALID_SIMPLEX_CASES = [
    (dict(a=0.5, b=0.25, c=0.5), "a + b + c", "1.25"),
    (dict(c=-0.1), "c", "-0.1"),
    (dict(a=np.nan), "a", "nan"),
    (dict(b=1.5), "b", "1.5"),
    (dict(a=np.ones(2), c=np.zeros(3)), "a", "(3,)"),
]


@pytest.mark.parametrize("overrides, argument, value_text", INVALID_SIMPLEX_CASES)
def test_invalid_simplex_inputs_raise(overrides, argument, value_text):
    kwargs = dict(a=0.3, b=0.2, c=0.1)
    kwargs.update(overrides)
    with pytest.raises(ValueError) as excinfo:
        two_concept_topk1(**kwargs)
    message = str(excinfo.value)
    assert f"`{argument}`" in message
    assert value_text in message


def test_probs_sum_within_tolerance_accepted():
    probs = np.array([0.5, 0.5 + 5e-10])
    assert np.isfinite(distortion_topk(SUPPORTS, probs, 1, 1))
