"""Tests for rdp_jax.theory: closed forms against exact brute-force solvers.

Each closed form is compared with a solver that does not use it. T1 is checked
against breadth-first set cover. T2 is checked against an oracle encoder that
tries every support of at most `k` atoms of a set-atom dictionary with
non-negative least squares. T2b is checked against every partition of a
support into blocks with every encode-or-drop choice, T3 against linear
programs over set atoms and random budget-r dictionaries, and T6 against every
choice of composite pair atoms and every small set-atom dictionary. T4 is
checked against a grid search over pairs of unit atoms in the plane, refined
by Nelder-Mead.
"""

import decimal
import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize, nnls

from rdp_jax.theory import (
    LagrangianFrontier,
    MonosemanticPenalty,
    PairDictionary,
    TwoConceptOptimum,
    distortion_topk,
    l0_lagrangian_frontier,
    l1_rate_zero_distortion,
    monosemantic_penalty,
    pair_dictionary_rate,
    pair_probabilities,
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


# ---------------------------------------------------------------------------
# Brute-force solvers for T2b, T3 and T6


def set_partitions(items, max_block):
    """Yield every partition of the tuple `items` into blocks of at most `max_block` items."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    # The block holding `first` takes any subset of the rest that fits.
    for size in range(min(max_block, len(items))):
        for companions in itertools.combinations(rest, size):
            remaining = tuple(item for item in rest if item not in companions)
            for partition in set_partitions(remaining, max_block):
                yield [(first, *companions)] + partition


@functools.lru_cache(maxsize=None)
def lagrangian_minimisers(size, lam, r):
    """Minimum of D + lam R for one support of `size` concepts, and every (R, D) reaching it.

    Enumerates each partition of the support into blocks of at most `r`
    concepts and each encode-or-drop choice per block: an encoded block costs
    one set atom, a dropped block adds its size to the distortion.
    """
    outcomes = set()
    for partition in set_partitions(tuple(range(size)), r):
        block_sizes = [len(block) for block in partition]
        for encoded in itertools.product([False, True], repeat=len(block_sizes)):
            rate = sum(encoded)
            distortion = sum(s for s, e in zip(block_sizes, encoded) if not e)
            outcomes.add((rate, distortion))

    costs = {outcome: outcome[1] + lam * outcome[0] for outcome in outcomes}
    best = min(costs.values())
    # Costs are sums of at most 5 small integers and multiples of lam.
    minimisers = {outcome for outcome, cost in costs.items() if cost <= best + 1e-12}
    return best, minimisers


# HiGHS feasibility tolerances, tightened from the 1e-7 default so that the
# reported optimum is accurate well inside the 1e-9 comparison tolerance.
LINPROG_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
LINPROG_TOL = 1e-9


def min_l1_rate(w_dec, x):
    """min sum_j h_j over h >= 0 with W h = x exactly, by linear programming; inf if infeasible."""
    result = linprog(
        np.ones(w_dec.shape[1]),
        A_eq=w_dec,
        b_eq=x,
        bounds=(0, None),
        method="highs",
        options=LINPROG_OPTIONS,
    )
    if result.status == 2:
        return np.inf
    assert result.status == 0, result.message
    return result.fun


def set_atom_l1_rate(size, r):
    """Minimum L1 rate of x_S with the unit set atoms 1_T / sqrt|T|, T ⊆ S, |T| <= r, for |S| = size.

    Atoms reaching outside S cannot be cancelled by non-negative weights, so
    they are left out. A minimum over one dictionary in W_r certifies only that
    the closed form is reachable, an upper bound on the optimum over W_r.
    """
    if size == 0:
        return 0.0
    w_dec = set_atom_dictionary(size, r)
    return min_l1_rate(w_dec, np.ones(size))


def random_budget_dictionary(rng, n, r, num_atoms, *, nonnegative):
    """(n, num_atoms) unit atoms, each on a random set of at most r concepts."""
    w_dec = np.zeros((n, num_atoms))
    for j in range(num_atoms):
        block = rng.choice(n, size=int(rng.integers(1, r + 1)), replace=False)
        coefficients = rng.standard_normal(len(block))
        if nonnegative:
            coefficients = np.abs(coefficients)
        w_dec[block, j] = coefficients / np.linalg.norm(coefficients)
    return w_dec


def brute_pair_choice_rate(singleton_probs, pair_probs, t):
    """Minimum rate over every choice of min(t, #pairs) composite pair atoms."""
    n = len(singleton_probs)
    pairs = list(itertools.combinations(range(n), 2))
    base = singleton_probs.sum() + 2.0 * sum(pair_probs[i, j] for i, j in pairs)
    best = np.inf
    for chosen in itertools.combinations(pairs, min(t, len(pairs))):
        best = min(best, base - sum(pair_probs[i, j] for i, j in chosen))
    return best


@functools.lru_cache(maxsize=None)
def exact_atom_count(target, available):
    """Minimum number of atoms among `available` (set atoms as tuples) that fit 1_target exactly by NNLS, or inf."""
    n = max(target) + 1
    x = np.zeros(n)
    x[list(target)] = 1.0
    for count in range(1, len(available) + 1):
        for atoms in itertools.combinations(available, count):
            w_dec = np.zeros((n, count))
            for column, atom in enumerate(atoms):
                w_dec[list(atom), column] = 1.0 / np.sqrt(len(atom))
            _, residual = nnls(w_dec, x)
            if residual < NNLS_TOL:
                return count
    return np.inf


def brute_set_dictionary_rate(supports, probs, num_atoms):
    """Minimum L0 rate of exact reconstruction over every dictionary of `num_atoms` distinct set atoms."""
    n = supports.shape[1]
    all_atoms = [atom for size in range(1, n + 1) for atom in itertools.combinations(range(n), size)]
    targets = [tuple(np.flatnonzero(row)) for row in supports]

    best = np.inf
    for dictionary in itertools.combinations(all_atoms, num_atoms):
        rate = 0.0
        for target, prob in zip(targets, probs):
            if not target:
                continue
            # Non-negative weights on non-negative atoms cannot cancel a
            # coordinate outside the target, so only atoms inside it can help.
            inside = tuple(atom for atom in dictionary if set(atom) <= set(target))
            rate += prob * exact_atom_count(target, inside)
        best = min(best, rate)
    return best


def random_pair_distribution(n, seed, zero_pairs=0):
    """Supports of sizes 0 to 2 over n concepts, every singleton present, Dirichlet(1) weights.

    The first `zero_pairs` pairs get probability 0, so ties and absent pairs occur.
    """
    rng = np.random.default_rng(seed)
    rows = [np.zeros(n, dtype=bool)]
    for i in range(n):
        rows.append(np.eye(n, dtype=bool)[i])
    for i, j in itertools.combinations(range(n), 2):
        row = np.zeros(n, dtype=bool)
        row[[i, j]] = True
        rows.append(row)
    probs = rng.dirichlet(np.ones(len(rows)))
    probs[n + 1 : n + 1 + zero_pairs] = 0.0
    return np.array(rows), probs / probs.sum()


def per_pattern(function, support, *args, **kwargs):
    """Evaluate a closed form on the one-pattern distribution {support: 1}."""
    return function(support[None, :], np.ones(1), *args, **kwargs)


# ---------------------------------------------------------------------------
# Monosemantic penalty (T1 and T2 differences)


@pytest.mark.parametrize("seed", range(3))
def test_penalty_rate_is_t1_difference(seed):
    supports, probs = random_distribution(4, seed=200 + seed)
    expected = rate_zero_distortion(supports, probs, 1) - rate_zero_distortion(supports, probs)
    # Two sums of 16 products, each rounded to about 1e-16.
    np.testing.assert_allclose(monosemantic_penalty(supports, probs).rate, expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_penalty_distortion_is_t2_difference(seed):
    supports, probs = random_distribution(4, seed=210 + seed)
    k = np.arange(6)
    expected = distortion_topk(supports, probs, k, 1) - distortion_topk(supports, probs, k, None)
    penalty = monosemantic_penalty(supports, probs, k)
    assert penalty.distortion.shape == (6,)
    np.testing.assert_allclose(penalty.distortion, expected, atol=1e-12)


def test_penalty_without_k_has_no_distortion():
    supports, probs = random_distribution(3, seed=220)
    penalty = monosemantic_penalty(supports, probs)
    assert isinstance(penalty, MonosemanticPenalty)
    assert penalty.distortion is None
    assert np.ndim(penalty.rate) == 0


def test_penalty_two_concepts_is_p12():
    supports, probs = random_distribution(2, seed=221)
    p12 = probs[supports.all(axis=1)].sum()
    np.testing.assert_allclose(monosemantic_penalty(supports, probs).rate, p12, atol=1e-15)


def test_penalty_small_supports_sum_pairs():
    supports, probs = random_pair_distribution(4, seed=222)
    _, pair_probs = pair_probabilities(supports, probs)
    # With |S| <= 2, (|S| - 1)_+ is 1 exactly on the pair patterns.
    expected = np.triu(pair_probs, k=1).sum()
    np.testing.assert_allclose(monosemantic_penalty(supports, probs).rate, expected, atol=1e-15)


def test_penalty_zero_without_cooccurrence():
    supports = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    penalty = monosemantic_penalty(supports, np.array([0.1, 0.2, 0.3, 0.4]), k=np.arange(3))
    assert penalty.rate == 0.0
    assert np.all(penalty.distortion == 0.0)


def test_penalty_hand_example():
    # Patterns {}, {0}, {0,1}, {0,1,2} with probabilities 0.1, 0.2, 0.3, 0.4.
    # Rate: (|S| - 1)_+ = 0, 0, 1, 2, so 0.3 + 0.8 = 1.1.
    # k = 1, n = 3: (|S| - 1)_+ - (|S| - 3)_+ = 0, 0, 1, 2, so 1.1 again.
    # k = 2: (|S| - 2)_+ - 0 = 0, 0, 0, 1, so 0.4.
    supports = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    penalty = monosemantic_penalty(supports, np.array([0.1, 0.2, 0.3, 0.4]), k=[1, 2])
    np.testing.assert_allclose(penalty.rate, 1.1, atol=1e-15)
    np.testing.assert_allclose(penalty.distortion, [1.1, 0.4], atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(distribution=pattern_distributions(), k=st.integers(0, 4))
def test_penalty_property_nonnegative_difference(distribution, k):
    supports, probs = distribution
    penalty = monosemantic_penalty(supports, probs, k)
    expected_rate = rate_zero_distortion(supports, probs, 1) - rate_zero_distortion(supports, probs)
    expected_distortion = distortion_topk(supports, probs, k, 1) - distortion_topk(supports, probs, k)
    assert penalty.rate >= 0.0
    assert penalty.distortion >= 0.0
    np.testing.assert_allclose(penalty.rate, expected_rate, atol=1e-12)
    np.testing.assert_allclose(penalty.distortion, expected_distortion, atol=1e-12)


# ---------------------------------------------------------------------------
# T2b: L0-Lagrangian frontier

# Integer penalties create ties between encoding and dropping a block, and
# non-integer ones have a unique minimiser per pattern.
LAGRANGIAN_PENALTIES = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.5, 7.0]


@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_t2b_matches_partition_search(r):
    for support in all_supports(5):
        size = int(support.sum())
        for lam in LAGRANGIAN_PENALTIES:
            best, minimisers = lagrangian_minimisers(size, lam, r)
            frontier = per_pattern(l0_lagrangian_frontier, support, lam, r)
            case = f"|S| = {size}, lam = {lam}, r = {r}"

            # Integer-valued rate and distortion, so the comparisons are exact up to lam's rounding.
            assert abs(frontier.distortion + lam * frontier.rate - best) < 1e-12, case
            assert (int(frontier.rate), int(frontier.distortion)) in minimisers, case
            # Encoding only blocks larger than lam picks the lowest-rate minimiser.
            assert frontier.rate == min(rate for rate, _ in minimisers), case
            if len(minimisers) == 1:
                assert (frontier.rate, frontier.distortion) == next(iter(minimisers)), case


@pytest.mark.parametrize("lam", [0.3, 1.7, 2.4])
def test_t2b_distribution_matches_unique_minimisers(lam):
    supports, probs = random_distribution(4, seed=int(10 * lam))
    r = 3
    rates, distortions = [], []
    for support in supports:
        _, minimisers = lagrangian_minimisers(int(support.sum()), lam, r)
        # A non-integer penalty never ties, so each pattern has one minimiser.
        assert len(minimisers) == 1
        (rate, distortion), = minimisers
        rates.append(rate)
        distortions.append(distortion)

    frontier = l0_lagrangian_frontier(supports, probs, lam, r)
    # Sums of 16 products of small integers and probabilities.
    np.testing.assert_allclose(frontier.rate, probs @ rates, atol=1e-12)
    np.testing.assert_allclose(frontier.distortion, probs @ distortions, atol=1e-12)


@pytest.mark.parametrize("r", [1, 2, 3])
def test_t2b_equals_t2_lagrangian(r):
    # With j atoms the least distortion is D*_r(j) (T2), so the Lagrangian optimum
    # of a pattern is min_j (lam j + D*_r(j)), a bound that holds for every W_r.
    for support in all_supports(5):
        for lam in LAGRANGIAN_PENALTIES:
            frontier = per_pattern(l0_lagrangian_frontier, support, lam, r)
            budgets = np.arange(6)
            bound = np.min(lam * budgets + per_pattern(distortion_topk, support, budgets, r))
            assert abs(frontier.distortion + lam * frontier.rate - bound) < 1e-12


@pytest.mark.parametrize("seed", range(2))
def test_t2b_random_dictionaries_stay_above(seed):
    rng = np.random.default_rng(300 + seed)
    n = 4
    for _ in range(4):
        r = int(rng.integers(1, n))
        w_dec = random_budget_dictionary(rng, n, r, int(rng.integers(2, 7)), nonnegative=rng.random() < 0.5)
        for support in all_supports(n)[1:]:
            x = support.astype(np.float64)
            errors = np.array([oracle_error(w_dec, x, k) for k in range(4)])
            for lam in (0.5, 1.5, 2.5):
                frontier = per_pattern(l0_lagrangian_frontier, support, lam, r)
                optimum = frontier.distortion + lam * frontier.rate
                assert np.min(errors + lam * np.arange(4)) >= optimum - NNLS_TOL, f"{support.astype(int)}, r={r}"


def test_t2b_endpoints():
    supports, probs = random_distribution(5, seed=230)
    for r in range(1, 6):
        at_zero = l0_lagrangian_frontier(supports, probs, 0.0, r)
        np.testing.assert_allclose(at_zero.rate, rate_zero_distortion(supports, probs, r), atol=1e-12)
        assert at_zero.distortion == 0.0

        # No block has more than r concepts, so lam = r drops every block.
        at_r = l0_lagrangian_frontier(supports, probs, float(r), r)
        assert at_r.rate == 0.0
        np.testing.assert_allclose(at_r.distortion, (probs @ supports).sum(), atol=1e-12)


def test_t2b_monotone_in_lam():
    supports, probs = random_distribution(5, seed=231)
    lam = np.linspace(0.0, 6.0, 61)[:, None]
    frontier = l0_lagrangian_frontier(supports, probs, lam, np.arange(1, 6))
    assert np.all(np.diff(frontier.rate, axis=0) <= 0.0)
    assert np.all(np.diff(frontier.distortion, axis=0) >= 0.0)


def test_t2b_tie_encodes_only_larger_blocks():
    # |S| = 4, r = 2, lam = 2: each full block costs min(2, 2) = 2 whether encoded
    # or not, so (R, D) = (0, 4), (1, 2) and (2, 0) all cost 4. The function
    # encodes only blocks larger than lam, which gives (0, 4).
    support = np.array([1, 1, 1, 1])
    _, minimisers = lagrangian_minimisers(4, 2.0, 2)
    frontier = per_pattern(l0_lagrangian_frontier, support, 2.0, 2)
    assert minimisers == {(0, 4), (1, 2), (2, 0)}
    assert (frontier.rate, frontier.distortion) == (0.0, 4.0)


def test_t2b_hand_example():
    # Patterns {}, {0}, {0,1}, {0,1,2} with probabilities 0.1, 0.2, 0.3, 0.4, r = 2, lam = 1.5.
    # Blocks: {0} -> [1], {0,1} -> [2], {0,1,2} -> [2, 1]. Blocks of 2 are encoded, blocks of 1 dropped.
    # R = 0.3 + 0.4 = 0.7, D = 0.2 + 0.4 = 0.6.
    supports = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    frontier = l0_lagrangian_frontier(supports, np.array([0.1, 0.2, 0.3, 0.4]), 1.5, 2)
    np.testing.assert_allclose(frontier.rate, 0.7, atol=1e-15)
    np.testing.assert_allclose(frontier.distortion, 0.6, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    distribution=pattern_distributions(),
    lam=st.one_of(st.integers(0, 5).map(float), st.floats(0.0, 5.0)),
    r=st.integers(1, 5),
)
def test_t2b_property_vs_partition_search(distribution, lam, r):
    supports, probs = distribution
    frontier = l0_lagrangian_frontier(supports, probs, lam, r)
    best = [lagrangian_minimisers(int(row.sum()), lam, r)[0] for row in supports]
    # The expected Lagrangian is unique even where the minimiser is not.
    np.testing.assert_allclose(frontier.distortion + lam * frontier.rate, probs @ best, atol=1e-12)
    for row in supports:
        pattern = per_pattern(l0_lagrangian_frontier, row, lam, r)
        _, minimisers = lagrangian_minimisers(int(row.sum()), lam, r)
        assert (int(pattern.rate), int(pattern.distortion)) in minimisers


def test_t2b_broadcasts_lam_and_r():
    supports, probs = random_distribution(4, seed=232)
    lam = np.array([0.0, 1.0, 2.5])[:, None]
    r = np.array([1, 2])
    frontier = l0_lagrangian_frontier(supports, probs, lam, r)
    assert isinstance(frontier, LagrangianFrontier)
    assert frontier.rate.shape == (3, 2)
    assert frontier.distortion.shape == (3, 2)
    for i, j in itertools.product(range(3), range(2)):
        scalar = l0_lagrangian_frontier(supports, probs, float(lam[i, 0]), int(r[j]))
        assert frontier.rate[i, j] == scalar.rate
        assert frontier.distortion[i, j] == scalar.distortion
    assert np.ndim(scalar.rate) == 0


# ---------------------------------------------------------------------------
# T3: L1 rate at zero distortion


@pytest.mark.parametrize("r", [1, 2, 3, 4, 5])
def test_t3_matches_set_atom_lp(r):
    # Upper bound: the LP optimum over set atoms is reachable, and equals the closed form.
    for support in all_supports(5):
        expected = set_atom_l1_rate(int(support.sum()), r)
        closed_form = per_pattern(l1_rate_zero_distortion, support, r)
        assert abs(closed_form - expected) < LINPROG_TOL, f"support {support.astype(int)}, r={r}"


@pytest.mark.parametrize("seed", range(3))
def test_t3_random_dictionaries_stay_above(seed):
    # Lower bound over W_r: random budget-r atoms plus the concept atoms, which
    # keep every pattern reachable, never reconstruct it at a smaller L1 rate.
    rng = np.random.default_rng(400 + seed)
    n = 4
    for _ in range(5):
        r = int(rng.integers(1, n + 1))
        extra = random_budget_dictionary(rng, n, r, int(rng.integers(2, 9)), nonnegative=rng.random() < 0.7)
        w_dec = np.concatenate([np.eye(n), extra], axis=1)
        for support in all_supports(n)[1:]:
            bound = per_pattern(l1_rate_zero_distortion, support, r)
            rate = min_l1_rate(w_dec, support.astype(np.float64))
            assert rate >= bound - LINPROG_TOL, f"support {support.astype(int)}, r={r}"


@pytest.mark.parametrize("r", [1, 2, 3])
def test_t3_norm_bounds_hold(r):
    # The proof's two inequalities for any x = W h with unit atoms of W_r and h >= 0.
    rng = np.random.default_rng(410 + r)
    for _ in range(50):
        w_dec = random_budget_dictionary(rng, 5, r, 6, nonnegative=False)
        h = rng.exponential(size=6) * (rng.random(6) < 0.6)
        x = w_dec @ h
        # Float64 rounding of sums of 6 terms of order 1.
        assert np.abs(x).sum() <= np.sqrt(r) * h.sum() + 1e-12
        assert np.linalg.norm(x) <= h.sum() + 1e-12


def test_t3_monosemantic_and_unrestricted():
    supports, probs = random_distribution(5, seed=240)
    sizes = supports.sum(axis=1)
    np.testing.assert_allclose(l1_rate_zero_distortion(supports, probs, 1), probs @ sizes, atol=1e-12)
    np.testing.assert_allclose(l1_rate_zero_distortion(supports, probs), probs @ np.sqrt(sizes), atol=1e-12)


def test_t3_hand_example():
    # Patterns {}, {0}, {0,1}, {0,1,2} with probabilities 0.1, 0.2, 0.3, 0.4, r = 2:
    # |S| / sqrt(min(2, |S|)) = 0, 1, 2 / sqrt(2), 3 / sqrt(2), so 0.2 + 1.8 / sqrt(2).
    supports = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])
    value = l1_rate_zero_distortion(supports, np.array([0.1, 0.2, 0.3, 0.4]), 2)
    np.testing.assert_allclose(value, 0.2 + 1.8 / np.sqrt(2.0), atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(distribution=pattern_distributions(), r=st.integers(1, 5))
def test_t3_property_vs_lp(distribution, r):
    supports, probs = distribution
    expected = probs @ [set_atom_l1_rate(int(row.sum()), r) for row in supports]
    np.testing.assert_allclose(l1_rate_zero_distortion(supports, probs, r), expected, atol=LINPROG_TOL)


def test_t3_broadcasts_r():
    supports, probs = random_distribution(4, seed=241)
    values = l1_rate_zero_distortion(supports, probs, np.array([[1, 2], [3, 4]]))
    assert values.shape == (2, 2)
    assert values[1, 0] == l1_rate_zero_distortion(supports, probs, 3)
    assert np.ndim(l1_rate_zero_distortion(supports, probs, 2)) == 0


# ---------------------------------------------------------------------------
# T6: finite dictionary, supports of at most two concepts


@pytest.mark.parametrize("seed", range(3))
def test_t6_matches_pair_choice(seed):
    supports, probs = random_pair_distribution(5, seed=500 + seed, zero_pairs=2 * seed)
    singleton_probs, pair_probs = pair_probabilities(supports, probs)
    for t in range(12):
        expected = brute_pair_choice_rate(singleton_probs, pair_probs, t)
        # Sums of at most 16 probabilities.
        np.testing.assert_allclose(
            pair_dictionary_rate(singleton_probs, pair_probs, t).rate, expected, atol=1e-12, err_msg=f"t={t}"
        )


@pytest.mark.parametrize("t", [0, 1, 2, 3])
def test_t6_matches_set_dictionaries(t):
    # Every dictionary of n + t distinct set atoms, larger atoms included, so
    # the check also shows that atoms on three or more concepts never help.
    supports, probs = random_pair_distribution(4, seed=510 + t)
    singleton_probs, pair_probs = pair_probabilities(supports, probs)
    expected = brute_set_dictionary_rate(supports, probs, 4 + t)
    np.testing.assert_allclose(pair_dictionary_rate(singleton_probs, pair_probs, t).rate, expected, atol=1e-12)


def test_t6_pairs_reach_the_rate():
    supports, probs = random_pair_distribution(5, seed=520, zero_pairs=3)
    singleton_probs, pair_probs = pair_probabilities(supports, probs)
    for t in range(12):
        result = pair_dictionary_rate(singleton_probs, pair_probs, t)
        composite = {tuple(pair) for pair in result.pairs.tolist()}
        achieved = singleton_probs.sum() + sum(
            pair_probs[i, j] * (1 if (i, j) in composite else 2) for i, j in itertools.combinations(range(5), 2)
        )
        assert result.pairs.shape == (min(t, 7), 2)
        assert result.pairs.dtype == np.int64
        assert all(i < j and pair_probs[i, j] > 0 for i, j in composite)
        np.testing.assert_allclose(result.rate, achieved, atol=1e-12)


def test_t6_pairs_ranked_with_ties():
    # q_01 = q_23 = 0.2 tie and q_12 = 0.25 leads: order (1, 2), (0, 1), (2, 3).
    # Pairs (0, 2), (0, 3) and (1, 3) never occur and are never listed.
    singleton_probs = np.full(4, 0.05)
    pair_probs = np.zeros((4, 4))
    for (i, j), q in {(0, 1): 0.2, (2, 3): 0.2, (1, 2): 0.25}.items():
        pair_probs[i, j] = pair_probs[j, i] = q
    for t, expected in [(0, []), (1, [[1, 2]]), (2, [[1, 2], [0, 1]]), (6, [[1, 2], [0, 1], [2, 3]])]:
        pairs = pair_dictionary_rate(singleton_probs, pair_probs, t).pairs
        assert pairs.tolist() == expected, f"t={t}"


def test_t6_hand_example():
    # u = 0.1, 0.2, 0.1 and q_01 = 0.3, q_12 = 0.1 (empty set 0.2). With t = 1 the
    # pair (0, 1) gets a composite atom: 0.4 + 0.3 + 2 * 0.1 = 0.9.
    pair_probs = np.zeros((3, 3))
    pair_probs[0, 1] = pair_probs[1, 0] = 0.3
    pair_probs[1, 2] = pair_probs[2, 1] = 0.1
    result = pair_dictionary_rate(np.array([0.1, 0.2, 0.1]), pair_probs, 1)
    assert isinstance(result, PairDictionary)
    np.testing.assert_allclose(result.rate, 0.9, atol=1e-15)
    assert result.pairs.tolist() == [[0, 1]]


def test_t6_extremes_match_t1():
    supports, probs = random_pair_distribution(4, seed=530)
    singleton_probs, pair_probs = pair_probabilities(supports, probs)
    # t = 0 is the monosemantic dictionary, and one atom per pair is unrestricted.
    no_extra = pair_dictionary_rate(singleton_probs, pair_probs, 0).rate
    every_pair = pair_dictionary_rate(singleton_probs, pair_probs, 6).rate
    np.testing.assert_allclose(no_extra, rate_zero_distortion(supports, probs, 1), atol=1e-12)
    np.testing.assert_allclose(every_pair, rate_zero_distortion(supports, probs), atol=1e-12)


def test_pair_probabilities_hand_example():
    # Rows {}, {1}, {0, 2}, {1}, {2, 0} listed with repeats: P({1}) = 0.2 + 0.1,
    # P({0, 2}) = 0.3 + 0.15.
    supports = np.array([[0, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 0], [1, 0, 1]])
    singleton_probs, pair_probs = pair_probabilities(supports, np.array([0.25, 0.2, 0.3, 0.1, 0.15]))
    np.testing.assert_allclose(singleton_probs, [0.0, 0.3, 0.0], atol=1e-15)
    expected = np.zeros((3, 3))
    expected[0, 2] = expected[2, 0] = 0.45
    np.testing.assert_allclose(pair_probs, expected, atol=1e-15)


@st.composite
def pair_inputs(draw):
    """Singleton and pair probabilities with every singleton positive, and a t."""
    n = draw(st.integers(1, 5))
    num_pairs = n * (n - 1) // 2
    weights = draw(st.lists(st.floats(0.0, 1.0), min_size=n + num_pairs + 1, max_size=n + num_pairs + 1))
    singleton_weights = draw(st.lists(st.floats(1e-3, 1.0), min_size=n, max_size=n))
    weights = np.array(weights)
    weights[:n] = singleton_weights
    weights = weights / weights.sum()
    pair_probs = np.zeros((n, n))
    first, second = np.triu_indices(n, k=1)
    pair_probs[first, second] = weights[n : n + num_pairs]
    pair_probs = pair_probs + pair_probs.T
    return weights[:n], pair_probs, draw(st.integers(0, num_pairs + 2))


@settings(max_examples=60, deadline=None)
@given(inputs=pair_inputs())
def test_t6_property_vs_pair_choice(inputs):
    singleton_probs, pair_probs, t = inputs
    result = pair_dictionary_rate(singleton_probs, pair_probs, t)
    expected = brute_pair_choice_rate(singleton_probs, pair_probs, t)
    np.testing.assert_allclose(result.rate, expected, atol=1e-12)
    chosen = [pair_probs[i, j] for i, j in result.pairs]
    assert all(np.diff(chosen) <= 0.0)


# ---------------------------------------------------------------------------
# Invalid inputs of T2b, T3, T6 and the penalty

PAIR_SINGLETONS = np.array([0.2, 0.3])
PAIR_MATRIX = np.array([[0.0, 0.1], [0.1, 0.0]])

NEW_INVALID_CASES = [
    # (function, keyword arguments, argument named in the message, value shown)
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=PROBS, lam=-0.5), "lam", "-0.5"),
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=PROBS, lam=np.array([1.0, np.nan])), "lam", "nan"),
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=PROBS, lam=np.inf), "lam", "inf"),
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=PROBS, lam=1.0, r=0), "r", "0"),
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=PROBS, lam=np.ones(3), r=np.array([1, 2])), "lam", "(3,)"),
    (l0_lagrangian_frontier, dict(supports=SUPPORTS, probs=np.array([0.5, 0.6]), lam=1.0), "probs", "1.1"),
    (l1_rate_zero_distortion, dict(supports=SUPPORTS, probs=PROBS, r=1.5), "r", "1.5"),
    (l1_rate_zero_distortion, dict(supports=SUPPORTS, probs=np.array([np.nan, 1.0])), "probs", "nan"),
    (monosemantic_penalty, dict(supports=SUPPORTS, probs=PROBS, k=-1), "k", "-1"),
    (monosemantic_penalty, dict(supports=np.array([[1, 2]]), probs=np.ones(1)), "supports", "2"),
    (pair_dictionary_rate, dict(singleton_probs=[0.2, 0.0], pair_probs=PAIR_MATRIX, t=1), "singleton_probs", "0.0"),
    (pair_dictionary_rate, dict(singleton_probs=[0.2, np.nan], pair_probs=PAIR_MATRIX, t=1), "singleton_probs", "nan"),
    (
        pair_dictionary_rate,
        dict(singleton_probs=PAIR_SINGLETONS, pair_probs=np.array([[0.0, 0.1], [0.2, 0.0]]), t=1),
        "pair_probs",
        "0.2",
    ),
    (
        pair_dictionary_rate,
        dict(singleton_probs=PAIR_SINGLETONS, pair_probs=np.array([[0.1, 0.1], [0.1, 0.0]]), t=1),
        "pair_probs",
        "0.1",
    ),
    (pair_dictionary_rate, dict(singleton_probs=PAIR_SINGLETONS, pair_probs=np.zeros((3, 3)), t=1), "pair_probs", "(3, 3)"),
    (
        pair_dictionary_rate,
        dict(singleton_probs=[0.4, 0.5], pair_probs=np.array([[0.0, 0.3], [0.3, 0.0]]), t=1),
        "singleton_probs",
        "1.2",
    ),
    (pair_dictionary_rate, dict(singleton_probs=PAIR_SINGLETONS, pair_probs=PAIR_MATRIX, t=-1), "t", "-1"),
    (pair_dictionary_rate, dict(singleton_probs=PAIR_SINGLETONS, pair_probs=PAIR_MATRIX, t=[1, 2]), "t", "(2,)"),
    (pair_probabilities, dict(supports=np.array([[1, 1, 1], [0, 0, 0]]), probs=PROBS), "supports", "3"),
    (pair_probabilities, dict(supports=np.array([[1, 0], [0, 1]]), probs=np.array([0.5, 0.7])), "probs", "1.2"),
]


@pytest.mark.parametrize("function, kwargs, argument, value_text", NEW_INVALID_CASES)
def test_invalid_new_inputs_raise(function, kwargs, argument, value_text):
    with pytest.raises(ValueError) as excinfo:
        function(**kwargs)
    message = str(excinfo.value)
    assert f"`{argument}`" in message
    assert value_text in message
