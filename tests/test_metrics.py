"""Metrics: polysemanticity scores on known atoms, rate and distortion against direct computation."""

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import rdp_jax as rdp


def _topk_ensemble(w_dec_stack, k):
    members, d, m = w_dec_stack.shape
    return rdp.TopKSAE(
        w_enc=jnp.swapaxes(w_dec_stack, 1, 2),
        b_enc=jnp.zeros((members, m)),
        w_dec=w_dec_stack,
        b_dec=jnp.zeros((members, d)),
        latent_mask=jnp.ones((members, m), dtype=bool),
        use_decoder_bias=False,
        k=jnp.full(members, k, dtype=jnp.int32),
        k_max=k,
    )


@pytest.mark.parametrize("q", [1, 2, 3, 4])
def test_degree_of_equal_mix_is_q(q):
    profile = jnp.zeros((6, 1)).at[:q, 0].set(1.0)
    assert float(rdp.polysemanticity_degree(profile)[0]) == pytest.approx(q)


def test_degree_zero_atom_is_nan():
    assert jnp.isnan(rdp.polysemanticity_degree(jnp.zeros((3, 1)))[0])


def test_mixing_ratio_of_tilted_atom():
    alpha = 0.4
    profile = jnp.array([[alpha], [1.0], [0.0]])
    assert float(rdp.mixing_ratio(profile)[0]) == pytest.approx(alpha)


def test_support_count_threshold():
    profile = jnp.array([[1.0], [0.5], [0.05], [0.0]])
    assert int(rdp.support_count(profile, tau=0.1)[0]) == 2


def test_profiles_recover_coefficients():
    directions = jnp.asarray(rdp.concept_directions(3, 7, key=jax.random.key(4)), jnp.float32)
    coefficients = jnp.array([[0.5, 0.0], [0.0, 2.0], [1.0, -1.0]])
    profiles = rdp.concept_profiles(directions @ coefficients, directions)
    chex.assert_trees_all_close(profiles, coefficients, atol=1e-5)


def test_sae_polysemanticity_ignores_dead():
    degrees = jnp.array([1.0, 2.0, 3.0, jnp.nan])
    alive = jnp.array([True, True, False, True])
    assert float(rdp.sae_polysemanticity(degrees, alive)) == pytest.approx(0.5)


def test_activation_profiles_conditional_means():
    h = jnp.array([[1.0, 0.0], [3.0, 2.0], [0.0, 4.0]])
    support = jnp.array([[True, False], [True, True], [False, True]])
    expected = jnp.array([[2.0, 1.0], [1.5, 3.0]])
    chex.assert_trees_all_close(rdp.activation_profiles(h, support), expected)


def test_exact_evaluation_by_hand():
    # Monosemantic TopK-1 on one pair block: only AB loses one unit, so D = c and R = P(S != {}).
    a, b, c = 0.3, 0.2, 0.15
    saes = _topk_ensemble(jnp.eye(2)[None], 1)
    supports = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    probs = np.array([1 - a - b - c, a, b, c])
    result = rdp.evaluate_on_patterns(saes, jnp.eye(2), supports, probs)
    assert result.distortion[0] == pytest.approx(c, abs=1e-6)
    assert result.rate_l0[0] == pytest.approx(a + b + c, abs=1e-6)
    assert result.dead_fraction[0] == 0.0
    assert result.polysemanticity[0] == pytest.approx(0.0)
    variance = (a + c) * (1 - a - c) + (b + c) * (1 - b - c)
    assert result.fvu[0] == pytest.approx(c / variance, rel=1e-5)


def test_sampled_matches_exact_evaluation():
    dgp = rdp.pair_block_dgp(2, 0.2, 0.15, 0.3)
    atoms = jax.random.uniform(jax.random.key(0), (3, 4, 6))
    saes = eqx.filter_vmap(rdp.normalize_decoder)(_topk_ensemble(atoms, 2))
    supports, probs = dgp.patterns()
    exact = rdp.evaluate_on_patterns(saes, dgp.concept_directions, supports, probs)
    sampled = rdp.evaluate_ensemble(saes, dgp, num_samples=1 << 16, key=jax.random.key(1))
    # The Monte Carlo estimate lies within 5 standard errors of the exact expectation.
    assert np.all(np.abs(sampled.distortion - exact.distortion) < 5 * sampled.distortion_se)
    assert np.all(sampled.distortion_se > 0)


def test_evaluate_fvu_ratio_of_means():
    dgp = rdp.bernoulli_dgp(np.array([0.5, 0.3, 0.1]))
    sae = jax.tree.map(lambda leaf: leaf[0], _topk_ensemble(jnp.eye(3)[None], 1))
    key = jax.random.key(2)
    result = rdp.evaluate(sae, dgp, num_samples=4096, key=key)
    x = dgp.sample(4096, key=key).x
    x_hat, _ = sae(x)
    distortion = jnp.mean(jnp.sum((x - x_hat) ** 2, axis=1))
    variance = jnp.mean(jnp.sum((x - jnp.mean(x, axis=0)[None, :]) ** 2, axis=1))
    assert float(result.fvu) == pytest.approx(float(distortion / variance), rel=1e-5)


def test_dead_latent_counted():
    w_dec = jnp.concatenate([jnp.eye(2), -jnp.eye(2)], axis=1)[None]
    saes = _topk_ensemble(w_dec, 1)
    supports = np.array([[1, 0], [0, 1]])
    result = rdp.evaluate_on_patterns(saes, jnp.eye(2), supports, np.array([0.5, 0.5]))
    assert result.dead_fraction[0] == pytest.approx(0.5)


def test_pattern_probs_shape_checked():
    saes = _topk_ensemble(jnp.eye(2)[None], 1)
    with pytest.raises(ValueError, match="`probs`"):
        rdp.evaluate_on_patterns(saes, jnp.eye(2), np.array([[1, 0]]), np.array([[0.5, 0.5]]))


@pytest.mark.parametrize(
    "probs, directions, message",
    [
        (np.array([0.5, 0.5, 0.5, 0.5]), np.eye(2), "`probs\\[0\\]` must sum to 1"),
        (np.array([np.nan, 0.5, 0.25, 0.25]), np.eye(2), "`probs`"),
        (np.array([0.25] * 4), np.eye(3), "`concept_directions`"),
    ],
)
def test_pattern_evaluation_rejects_bad_input(probs, directions, message):
    saes = _topk_ensemble(jnp.eye(2)[None], 1)
    supports = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    with pytest.raises(ValueError, match=message):
        rdp.evaluate_on_patterns(saes, directions, supports, probs)


def test_member_axis_checked():
    saes = _topk_ensemble(jnp.eye(2)[None], 1)
    single = jax.tree.map(lambda leaf: leaf[0], saes)
    dgp = rdp.bernoulli_dgp(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="stacked"):
        rdp.evaluate_on_patterns(single, jnp.eye(2), np.array([[1, 0]]), np.array([1.0]))
    with pytest.raises(ValueError, match="single SAE"):
        rdp.evaluate(saes, dgp, num_samples=8, key=jax.random.key(0))
    with pytest.raises(ValueError, match="`num_samples`"):
        rdp.evaluate_ensemble(saes, dgp, num_samples=0, key=jax.random.key(0))
