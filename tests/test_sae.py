"""SAE modules: encoding rules, the budget projection, and the JumpReLU pseudo-gradients."""

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import rdp_jax as rdp


def _topk_sae(w_dec, k, *, k_max=None, w_enc=None, b_enc=None):
    d, m = w_dec.shape
    return rdp.TopKSAE(
        w_enc=w_dec.T if w_enc is None else w_enc,
        b_enc=jnp.zeros(m) if b_enc is None else b_enc,
        w_dec=w_dec,
        b_dec=jnp.zeros(d),
        latent_mask=jnp.ones(m, dtype=bool),
        use_decoder_bias=False,
        k=jnp.asarray(k, dtype=jnp.int32),
        k_max=k if k_max is None else k_max,
    )


@pytest.mark.parametrize("k", [1, 2, 3])
def test_topk_ties_select_exactly_k(k):
    # Four copies of each of two atoms: every pre-activation of x = f_0 + f_1 ties.
    atom_0, atom_1 = jnp.eye(2)
    w_dec = jnp.stack([atom_0] * 4 + [atom_1] * 4, axis=1)
    sae = _topk_sae(w_dec, k)
    h = sae.encode(jnp.ones((5, 2)))
    l0 = jnp.sum(h > 0, axis=1)
    assert jnp.all(l0 == k)


def test_topk_keeps_largest():
    w_dec = jnp.eye(4)
    sae = _topk_sae(w_dec, 2)
    x = jnp.array([[0.1, 0.9, 0.5, 0.3]])
    h = sae.encode(x)
    chex.assert_trees_all_close(h, jnp.array([[0.0, 0.9, 0.5, 0.0]]))


def test_topk_negative_preactivations_stay_zero():
    sae = _topk_sae(jnp.eye(3), 3)
    h = sae.encode(jnp.array([[-1.0, 0.5, -0.2]]))
    chex.assert_trees_all_close(h, jnp.array([[0.0, 0.5, 0.0]]))


def test_topk_traced_k_matches_static():
    w_dec = jnp.eye(5)
    x = jax.random.uniform(jax.random.key(3), (7, 5))
    reference = _topk_sae(w_dec, 2).encode(x)
    padded = _topk_sae(w_dec, 2, k_max=4)
    chex.assert_trees_all_close(padded.encode(x), reference)


def test_masked_latents_never_fire(key):
    sae = rdp.init_sae(
        "topk",
        None,
        d=4,
        num_latents=6,
        k_max=3,
        k=jnp.asarray(3, jnp.int32),
        num_active_latents=jnp.asarray(2, jnp.int32),
        key=key,
    )
    x = jax.random.normal(jax.random.key(1), (50, 4))
    _, h = sae(x)
    assert jnp.all(h[:, 2:] == 0)
    assert jnp.all(sae.w_dec[:, 2:] == 0)


@pytest.mark.parametrize("budget", [1, 2, 3])
def test_projection_keeps_at_most_r_concepts(budget):
    directions = jnp.asarray(rdp.concept_directions(5, 8, key=jax.random.key(0)), dtype=jnp.float32)
    w_dec = jax.random.normal(jax.random.key(1), (8, 12))
    projected = rdp.project_to_budget(w_dec, directions, jnp.asarray(budget, jnp.int32))
    profiles = rdp.concept_profiles(projected, directions)
    nonzero = jnp.sum(jnp.abs(profiles) > 1e-5, axis=0)  # float32 round-off in F^+ is ~1e-7
    assert jnp.all(nonzero <= budget)
    chex.assert_trees_all_close(jnp.linalg.norm(projected, axis=0), jnp.ones(12), atol=1e-5)


def test_projection_keeps_largest_coefficients():
    directions = jnp.eye(3)
    w_dec = jnp.array([[0.2], [-0.9], [0.5]])
    projected = rdp.project_to_budget(w_dec, directions, jnp.asarray(2, jnp.int32))
    expected = jnp.array([[0.0], [-0.9], [0.5]]) / jnp.sqrt(0.81 + 0.25)
    chex.assert_trees_all_close(projected, expected, atol=1e-6)


def test_projection_budget_zero_is_identity():
    w_dec = jax.random.normal(jax.random.key(2), (4, 6))
    projected = rdp.project_to_budget(w_dec, jnp.eye(4), jnp.asarray(0, jnp.int32))
    chex.assert_trees_all_equal(projected, w_dec)


def test_normalize_decoder_unit_columns(key):
    sae = _topk_sae(3.0 * jax.random.normal(key, (4, 5)), 1)
    normalized = rdp.normalize_decoder(sae)
    chex.assert_trees_all_close(jnp.linalg.norm(normalized.w_dec, axis=0), jnp.ones(5), atol=1e-6)


def test_relu_penalty_is_norm_weighted_l1():
    w_dec = jnp.array([[2.0, 0.0], [0.0, 0.5]])
    sae = rdp.ReLUSAE(
        w_enc=jnp.eye(2),
        b_enc=jnp.zeros(2),
        w_dec=w_dec,
        b_dec=jnp.zeros(2),
        latent_mask=jnp.ones(2, dtype=bool),
        use_decoder_bias=False,
    )
    x = jnp.array([[1.0, 4.0], [-1.0, 2.0]])
    h = sae.encode(x)
    # Codes: [1, 4] and [0, 2]; weighted by atom norms [2, 0.5]: 2 + 2 and 0 + 1, batch mean 2.5.
    assert float(sae.penalty(x, h)) == pytest.approx(2.5)


def _jumprelu_sae(threshold, bandwidth):
    return rdp.JumpReLUSAE(
        w_enc=jnp.eye(2),
        b_enc=jnp.zeros(2),
        w_dec=jnp.eye(2),
        b_dec=jnp.zeros(2),
        latent_mask=jnp.ones(2, dtype=bool),
        use_decoder_bias=False,
        log_threshold=jnp.log(jnp.full(2, threshold)),
        bandwidth=bandwidth,
    )


def test_jumprelu_forward_thresholds():
    sae = _jumprelu_sae(0.5, 0.1)
    h = sae.encode(jnp.array([[0.4, 0.6]]))
    chex.assert_trees_all_close(h, jnp.array([[0.0, 0.6]]))


def test_jumprelu_l0_pseudo_gradient():
    # Pre-activation 0.52 lies within half a bandwidth of the threshold 0.5, 0.9 does not.
    sae = _jumprelu_sae(0.5, 0.1)
    x = jnp.array([[0.52, 0.9]])

    def l0(log_threshold):
        return eqx.tree_at(lambda s: s.log_threshold, sae, log_threshold).penalty(x, None)

    grad = jax.grad(l0)(sae.log_threshold)
    # d/dlog(theta) = theta * dH/dtheta = 0.5 * (-1 / 0.1) for the first latent, 0 for the second.
    chex.assert_trees_all_close(grad, jnp.array([-5.0, 0.0]), atol=1e-5)


def test_jumprelu_output_pseudo_gradient():
    sae = _jumprelu_sae(0.5, 0.1)
    x = jnp.array([[0.52, 0.9]])

    def total(log_threshold):
        return jnp.sum(eqx.tree_at(lambda s: s.log_threshold, sae, log_threshold).encode(x))

    grad = jax.grad(total)(sae.log_threshold)
    # d(zH)/dtheta = -(theta / eps) K, times dtheta/dlog(theta) = theta: -(0.5 / 0.1) * 0.5.
    chex.assert_trees_all_close(grad, jnp.array([-2.5, 0.0]), atol=1e-5)


def test_init_rejects_unknown_kind(key):
    with pytest.raises(ValueError, match="`kind`"):
        rdp.init_sae(
            "gated",
            None,
            d=2,
            num_latents=2,
            k_max=1,
            k=jnp.asarray(1, jnp.int32),
            num_active_latents=jnp.asarray(2, jnp.int32),
            key=key,
        )


def test_data_init_uses_samples(key):
    x_init = jnp.array([[3.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    sae = rdp.init_sae(
        "relu",
        x_init,
        d=3,
        num_latents=2,
        k_max=1,
        k=jnp.asarray(1, jnp.int32),
        num_active_latents=jnp.asarray(2, jnp.int32),
        init_noise=0.0,
        key=key,
    )
    np.testing.assert_allclose(sae.w_dec, jnp.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), atol=1e-6)
    np.testing.assert_allclose(sae.w_enc, sae.w_dec.T)


def _batchtopk_sae(w_dec, k, threshold=-1.0):
    d, m = w_dec.shape
    return rdp.BatchTopKSAE(
        w_enc=w_dec.T,
        b_enc=jnp.zeros(m),
        w_dec=w_dec,
        b_dec=jnp.zeros(d),
        latent_mask=jnp.ones(m, dtype=bool),
        use_decoder_bias=False,
        k=jnp.asarray(k, dtype=jnp.int32),
        k_max=k,
        threshold=jnp.asarray(threshold),
        threshold_decay=0.9,
    )


def test_batchtopk_budget_over_batch():
    # Input 0 has three strong coordinates, input 1 none: the batch budget of 2 * 2 goes to input 0 first.
    sae = _batchtopk_sae(jnp.eye(4), 2)
    x = jnp.array([[0.9, 0.8, 0.7, 0.0], [0.1, 0.0, 0.0, 0.0]])
    h = sae.training_codes(x)
    assert int(jnp.sum(h > 0)) == 4
    assert int(jnp.sum(h[0] > 0)) == 3


def test_batchtopk_ties_select_exactly_budget():
    atom_0, atom_1 = jnp.eye(2)
    sae = _batchtopk_sae(jnp.stack([atom_0] * 3 + [atom_1] * 3, axis=1), 1)
    h = sae.training_codes(jnp.ones((4, 2)))
    assert int(jnp.sum(h > 0)) == 4


def test_batchtopk_threshold_running_average():
    sae = _batchtopk_sae(jnp.eye(3), 1)
    x = jnp.array([[0.5, 0.2, 0.0], [0.0, 0.3, 0.1]])
    first = sae.update_statistics(x)
    # First batch: the threshold becomes the smallest selected activation, 0.3.
    assert float(first.threshold) == pytest.approx(0.3)
    second = first.update_statistics(jnp.array([[0.9, 0.0, 0.0], [0.0, 0.0, 0.8]]))
    # Then a running average with decay 0.9: 0.9 * 0.3 + 0.1 * 0.8.
    assert float(second.threshold) == pytest.approx(0.35)


def test_batchtopk_inference_uses_threshold():
    sae = _batchtopk_sae(jnp.eye(3), 1, threshold=0.25)
    h = sae.encode(jnp.array([[0.5, 0.2, 0.3]]))
    chex.assert_trees_all_close(h, jnp.array([[0.5, 0.0, 0.3]]))


def test_aux_loss_zero_without_dead():
    sae = _topk_sae(jnp.eye(3), 1)
    x = jnp.array([[1.0, 0.5, 0.0]])
    x_hat, _ = sae(x)
    assert float(rdp.aux_k_loss(sae, x, x_hat, jnp.zeros(3, dtype=bool), 2)) == pytest.approx(float(jnp.sum((x - x_hat) ** 2)))


def test_aux_loss_reaches_dead_latents_only():
    # An encoder of 2 I overshoots the residual, so the dead latent has a non-zero gradient.
    sae = _topk_sae(jnp.eye(3), 1, w_enc=2.0 * jnp.eye(3))
    x = jnp.array([[1.0, 0.5, 0.25]])
    x_hat, _ = sae(x)
    dead = jnp.array([False, True, False])

    def loss(w_enc):
        return rdp.aux_k_loss(eqx.tree_at(lambda s: s.w_enc, sae, w_enc), x, x_hat, dead, 1)

    grad = jax.grad(loss)(sae.w_enc)
    assert float(jnp.abs(grad[1]).sum()) > 0
    assert float(jnp.abs(grad[0]).sum()) == 0
    assert float(jnp.abs(grad[2]).sum()) == 0


def test_aux_loss_counts_decoder_bias_once():
    # With a decoder bias, a dead latent that reconstructs the residual exactly gives zero loss.
    d = 2
    sae = rdp.TopKSAE(
        w_enc=jnp.eye(d),
        b_enc=jnp.zeros(d),
        w_dec=jnp.eye(d),
        b_dec=jnp.array([0.3, -0.2]),
        latent_mask=jnp.ones(d, dtype=bool),
        use_decoder_bias=True,
        k=jnp.asarray(1, jnp.int32),
        k_max=1,
    )
    x = jnp.array([[2.0, 0.7]])
    x_hat, _ = sae(x)
    residual = x - x_hat
    assert float(residual[0, 1]) > 0
    dead = jnp.array([False, True])
    assert float(rdp.aux_k_loss(sae, x, x_hat, dead, 1)) == pytest.approx(0.0, abs=1e-10)
