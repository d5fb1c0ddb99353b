"""Sparse autoencoders as equinox modules: TopK, BatchTopK, ReLU with norm-weighted L1, and JumpReLU.

Every SAE stores its encoder `w_enc` (m, d), `b_enc` (m,), decoder `w_dec` (d, m) whose
columns are the dictionary atoms, decoder bias `b_dec` (d,), and a boolean `latent_mask` (m,)
that switches latents off. The mask lets one ensemble hold members with different numbers of
latents: a member with `m` latents uses the first `m` of `m_max` slots.

Encoding follows the usual convention `pre = (x - b_dec) W_enc^T + b_enc`. The theory's SAEs have
no decoder bias, so `b_dec` stays at zero and receives no gradient unless `use_decoder_bias=True`.
An SAE with a bias lies outside the class that the closed forms optimise over.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import equinox as eqx
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

SAE_KINDS = ("topk", "batchtopk", "relu", "jumprelu")

# Guards the division when a decoder column is zero (a masked latent).
_NORM_EPS = 1e-12


class AbstractSAE(eqx.Module):
    """Fields and methods shared by all SAE kinds; subclasses define `encode` and `penalty`."""

    w_enc: Float[Array, "m d"]
    b_enc: Float[Array, " m"]
    w_dec: Float[Array, "d m"]
    b_dec: Float[Array, " d"]
    latent_mask: Bool[Array, " m"]
    use_decoder_bias: bool = eqx.field(static=True)

    @property
    def num_latents(self) -> int:
        """Number of latent slots `m_max`, including masked ones."""
        return self.w_dec.shape[1]

    def pre_activations(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        """Compute `(x - b_dec) W_enc^T + b_enc` for a batch of inputs."""
        return (x - self._decoder_bias()[None, :]) @ self.w_enc.T + self.b_enc[None, :]

    def decode(self, h: Float[Array, "batch m"]) -> Float[Array, "batch d"]:
        """Reconstruct `x_hat = h W_dec^T + b_dec`."""
        return h @ self.w_dec.T + self._decoder_bias()[None, :]

    def __call__(self, x: Float[Array, "batch d"]) -> tuple[Float[Array, "batch d"], Float[Array, "batch m"]]:
        """Encode and decode a batch; returns `(x_hat, h)`."""
        h = self.encode(x)
        return self.decode(h), h

    def encode(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        raise NotImplementedError

    def penalty(self, x: Float[Array, "batch d"], h: Float[Array, "batch m"]) -> Float[Array, ""]:
        """Return the batch-mean sparsity penalty before its coefficient (zero for TopK)."""
        raise NotImplementedError

    def training_codes(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        """Return the codes used in the training loss; the same as `encode` except for BatchTopK."""
        return self.encode(x)

    def update_statistics(self, x: Float[Array, "batch d"]) -> AbstractSAE:
        """Return the SAE with non-gradient statistics updated from a training batch (none by default)."""
        return self

    def _decoder_bias(self) -> Float[Array, " d"]:
        if self.use_decoder_bias:
            return self.b_dec
        return jax.lax.stop_gradient(jnp.zeros_like(self.b_dec))


class TopKSAE(AbstractSAE):
    """TopK SAE: keep the `k` largest pre-activations, pass them through a ReLU.

    Exactly `k` indices are selected even when pre-activations tie (duplicated latents tie
    exactly under the monosemantic projection), so L0 never exceeds `k`. `k` is an array so that
    an ensemble can vmap over it; `k_max` is the static size passed to `lax.top_k`.
    """

    k: Int[Array, ""]
    k_max: int = eqx.field(static=True)

    def encode(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        pre = self.pre_activations(x)
        selectable = jnp.where(self.latent_mask[None, :], pre, -jnp.inf)
        values, indices = jax.lax.top_k(selectable, self.k_max)

        rank = jnp.arange(self.k_max, dtype=self.k.dtype)
        values = jnp.where((rank < self.k)[None, :], jax.nn.relu(values), 0.0)
        return _scatter_rows(values, indices, pre.shape[1])

    def penalty(self, x, h):
        return jnp.zeros((), h.dtype)


def _scatter_rows(values: Array, indices: Array, num_latents: int) -> Array:
    def scatter(row_values, row_indices):
        return jnp.zeros(num_latents, values.dtype).at[row_indices].set(row_values)

    return jax.vmap(scatter)(values, indices)


class BatchTopKSAE(AbstractSAE):
    """BatchTopK SAE: in training, keep the `k * batch` largest pre-activations of the whole batch.

    The budget is `k` latents per input on average over a batch, so inputs with more active
    concepts can use more latents. At inference, where no batch is assumed, a latent fires when its
    pre-activation exceeds `threshold`, a running average of the smallest activation selected in
    training batches (Bussmann, Leask, Nanda, "BatchTopK Sparse Autoencoders", arXiv:2412.06410).
    `threshold` is updated outside the gradient, by `update_statistics`; a negative value means
    that no batch has been seen yet.
    """

    k: Int[Array, ""]
    k_max: int = eqx.field(static=True)
    threshold: Float[Array, ""]
    threshold_decay: float = eqx.field(static=True)

    def encode(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        pre = self.pre_activations(x)
        threshold = jax.lax.stop_gradient(jnp.maximum(self.threshold, 0.0))
        h = jnp.where(pre > threshold, pre, 0.0)
        return jnp.where(self.latent_mask[None, :], h, 0.0)

    def training_codes(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        pre = self.pre_activations(x)
        batch, num_latents = pre.shape
        selectable = jnp.where(self.latent_mask[None, :], pre, -jnp.inf).reshape(-1)
        values, flat_indices = jax.lax.top_k(selectable, batch * self.k_max)

        rank = jnp.arange(batch * self.k_max, dtype=self.k.dtype)
        values = jnp.where(rank < self.k * batch, jax.nn.relu(values), 0.0)
        flat = jnp.zeros(batch * num_latents, pre.dtype).at[flat_indices].set(values)
        return flat.reshape(batch, num_latents)

    def penalty(self, x, h):
        return jnp.zeros((), h.dtype)

    def update_statistics(self, x: Float[Array, "batch d"]) -> BatchTopKSAE:
        h = jax.lax.stop_gradient(self.training_codes(x))
        smallest_selected = jnp.min(jnp.where(h > 0, h, jnp.inf))
        smallest_selected = jnp.where(jnp.isfinite(smallest_selected), smallest_selected, 0.0)
        decayed = self.threshold_decay * self.threshold + (1.0 - self.threshold_decay) * smallest_selected
        threshold = jnp.where(self.threshold < 0, smallest_selected, decayed)
        return eqx.tree_at(lambda sae: sae.threshold, self, threshold)


class ReLUSAE(AbstractSAE):
    """ReLU SAE trained with the norm-weighted L1 penalty `sum_j h_j ||w_j||`.

    The penalty is invariant to rescaling a latent (encoder times `s`, decoder divided by `s`).
    """

    def encode(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        h = jax.nn.relu(self.pre_activations(x))
        return jnp.where(self.latent_mask[None, :], h, 0.0)

    def penalty(self, x, h):
        atom_norms = jnp.linalg.norm(self.w_dec, axis=0)
        return jnp.mean(h @ atom_norms)


def _rectangle(u: Array) -> Array:
    return (jnp.abs(u) < 0.5).astype(u.dtype)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _jumprelu(z: Array, threshold: Array, bandwidth: float) -> Array:
    return z * (z > threshold).astype(z.dtype)


def _jumprelu_fwd(z, threshold, bandwidth):
    return _jumprelu(z, threshold, bandwidth), (z, threshold)


def _jumprelu_bwd(bandwidth, residuals, cotangent):
    z, threshold = residuals
    dz = cotangent * (z > threshold).astype(z.dtype)
    dthreshold = -cotangent * (threshold / bandwidth) * _rectangle((z - threshold) / bandwidth)
    return dz, jnp.sum(dthreshold, axis=0, keepdims=True)


_jumprelu.defvjp(_jumprelu_fwd, _jumprelu_bwd)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _heaviside(z: Array, threshold: Array, bandwidth: float) -> Array:
    return (z > threshold).astype(z.dtype)


def _heaviside_fwd(z, threshold, bandwidth):
    return _heaviside(z, threshold, bandwidth), (z, threshold)


def _heaviside_bwd(bandwidth, residuals, cotangent):
    z, threshold = residuals
    dthreshold = -cotangent / bandwidth * _rectangle((z - threshold) / bandwidth)
    return jnp.zeros_like(z), jnp.sum(dthreshold, axis=0, keepdims=True)


_heaviside.defvjp(_heaviside_fwd, _heaviside_bwd)


class JumpReLUSAE(AbstractSAE):
    """JumpReLU SAE: `h = z H(z - theta)` with a learned threshold per latent, trained with an L0 penalty.

    The step function has no useful gradient, so the threshold learns through straight-through
    pseudo-derivatives with a rectangle kernel of width `bandwidth` (Rajamanoharan et al., "Jumping
    Ahead: Improving Reconstruction Fidelity with JumpReLU Sparse Autoencoders", arXiv:2407.14435,
    eqs. 11-12): `dH/dtheta = -K((z - theta)/eps)/eps` and `d(zH)/dtheta = -(theta/eps) K(...)`.
    The threshold is stored as its logarithm so that it stays positive.
    """

    log_threshold: Float[Array, " m"]
    bandwidth: float = eqx.field(static=True)

    @property
    def threshold(self) -> Float[Array, " m"]:
        return jnp.exp(self.log_threshold)

    def encode(self, x: Float[Array, "batch d"]) -> Float[Array, "batch m"]:
        pre = self.pre_activations(x)
        h = _jumprelu(pre, self.threshold[None, :], self.bandwidth)
        return jnp.where(self.latent_mask[None, :], h, 0.0)

    def penalty(self, x, h):
        pre = self.pre_activations(x)
        active = _heaviside(pre, self.threshold[None, :], self.bandwidth)
        active = jnp.where(self.latent_mask[None, :], active, 0.0)
        return jnp.mean(jnp.sum(active, axis=1))


def aux_k_loss(
    sae: AbstractSAE,
    x: Float[Array, "batch d"],
    x_hat: Float[Array, "batch d"],
    dead: Bool[Array, " m"],
    aux_k: int,
) -> Float[Array, ""]:
    """Compute the auxiliary-k loss that gives dead latents a gradient.

    The dead latents with the `aux_k` largest pre-activations reconstruct the main model's residual
    `e = x - x_hat`, which is held fixed (no gradient): `L_aux = E ||e - W_dec z_dead||^2`. The
    decoder bias is already part of `x_hat`, so it is not added again. The loss is zero when no
    latent is dead. Source: Gao et al., "Scaling and evaluating sparse autoencoders",
    arXiv:2406.04093, section A.2.

    Args:
        sae: the SAE.
        x: inputs, shape (batch, d).
        x_hat: the SAE's reconstructions, shape (batch, d).
        dead: which latents count as dead, shape (m,).
        aux_k: static number of dead latents used per input.

    Returns:
        The batch-mean auxiliary loss, a scalar.
    """
    residual = jax.lax.stop_gradient(x - x_hat)
    pre = sae.pre_activations(x)
    dead = dead & sae.latent_mask
    selectable = jnp.where(dead[None, :], pre, -jnp.inf)
    values, indices = jax.lax.top_k(selectable, aux_k)
    values = jnp.where(jnp.isfinite(values), jax.nn.relu(values), 0.0)

    z_dead = _scatter_rows(values, indices, pre.shape[1])
    residual_hat = z_dead @ sae.w_dec.T
    return jnp.mean(jnp.sum((residual - residual_hat) ** 2, axis=1))


def normalize_decoder(sae: AbstractSAE) -> AbstractSAE:
    """Rescale every decoder column to unit norm; masked columns become zero."""
    norms = jnp.linalg.norm(sae.w_dec, axis=0, keepdims=True)
    w_dec = sae.w_dec / jnp.maximum(norms, _NORM_EPS)
    w_dec = jnp.where(sae.latent_mask[None, :], w_dec, 0.0)
    return eqx.tree_at(lambda s: s.w_dec, sae, w_dec)


def project_to_budget(
    w_dec: Float[Array, "d m"],
    concept_directions: Float[Array, "d n"],
    budget: Int[Array, ""],
    *,
    concept_pinv: Float[Array, "n d"] | None = None,
) -> Float[Array, "d m"]:
    """Project decoder atoms onto the budgeted class `W_r`: at most `r` concepts per atom.

    Each atom's concept profile `c_j = F^+ w_j` keeps its `r` largest entries in absolute value
    (ties go to the lower concept index), the atom becomes `F c_j` and is renormalised to unit
    norm. The projection also removes any component outside `span(F)`. A `budget` of 0 or less
    means unrestricted and returns `w_dec` unchanged.

    Args:
        w_dec: decoder atoms as columns, shape (d, m).
        concept_directions: the concept directions `F`, shape (d, n).
        budget: the polysemanticity budget `r`, a scalar integer array.
        concept_pinv: `F^+`, shape (n, d), if already computed; training passes it so that the
            pseudo-inverse is not recomputed at every step.

    Returns:
        The projected atoms, shape (d, m).
    """
    if concept_pinv is None:
        concept_pinv = jnp.linalg.pinv(concept_directions)
    profiles = concept_pinv @ w_dec
    order = jnp.argsort(-jnp.abs(profiles), axis=0, stable=True)
    rank = jnp.argsort(order, axis=0, stable=True).astype(budget.dtype)
    kept = jnp.where(rank < budget, profiles, 0.0)

    projected = concept_directions @ kept
    norms = jnp.linalg.norm(projected, axis=0, keepdims=True)
    projected = projected / jnp.maximum(norms, _NORM_EPS)
    return jnp.where(budget > 0, projected, w_dec)


def init_sae(
    kind: str,
    x_init: Float[Array, "m d"] | None,
    *,
    d: int,
    num_latents: int,
    k_max: int,
    k: Int[Array, ""],
    num_active_latents: Int[Array, ""],
    init_threshold: float = 0.1,
    bandwidth: float = 0.05,
    init_noise: float = 0.01,
    threshold_decay: float = 0.99,
    use_decoder_bias: bool = False,
    key: PRNGKeyArray,
) -> AbstractSAE:
    """Initialise one SAE with tied encoder and decoder.

    With `x_init`, the decoder atoms are data samples (plus Gaussian noise of scale
    `init_noise` that breaks ties between identical samples), normalised; zero samples fall back
    to random directions. Data initialisation is the usual remedy for the local optima of TopK
    training at small `k`. Without `x_init` the atoms are random unit vectors. The encoder starts
    as the transposed decoder, and the biases at zero.

    Args:
        kind: one of "topk", "batchtopk", "relu", "jumprelu".
        x_init: data samples used as initial atoms, shape (num_latents, d), or None.
        d: input dimension.
        num_latents: latent slots `m_max`.
        k_max: static upper bound on `k` (TopK and BatchTopK).
        k: this member's TopK budget, a scalar integer array.
        num_active_latents: this member's number of latents `m <= m_max`.
        init_threshold: initial JumpReLU threshold.
        bandwidth: JumpReLU kernel width.
        init_noise: scale of the tie-breaking noise added to data atoms.
        threshold_decay: decay of the running average behind the BatchTopK inference threshold.
        use_decoder_bias: train a decoder bias (outside the theory's class when True).
        key: PRNG key.

    Returns:
        An SAE with unit-norm decoder columns and the latents beyond `num_active_latents` masked.
    """
    if kind not in SAE_KINDS:
        raise ValueError(f"`kind` must be one of {SAE_KINDS}; got {kind!r}.")
    random_key, noise_key = jax.random.split(key)

    random_atoms = jax.random.normal(random_key, (num_latents, d))
    if x_init is None:
        atoms = random_atoms
    else:
        noisy = x_init + init_noise * jax.random.normal(noise_key, x_init.shape)
        is_zero = jnp.linalg.norm(x_init, axis=1, keepdims=True) == 0
        atoms = jnp.where(is_zero, random_atoms, noisy)
    atoms = atoms / jnp.linalg.norm(atoms, axis=1, keepdims=True)

    latent_mask = jnp.arange(num_latents, dtype=num_active_latents.dtype) < num_active_latents
    w_dec = jnp.where(latent_mask[None, :], atoms.T, 0.0)
    common = dict(
        w_enc=w_dec.T,
        b_enc=jnp.zeros(num_latents),
        w_dec=w_dec,
        b_dec=jnp.zeros(d),
        latent_mask=latent_mask,
        use_decoder_bias=use_decoder_bias,
    )
    if kind == "topk":
        return TopKSAE(**common, k=k, k_max=k_max)
    if kind == "batchtopk":
        return BatchTopKSAE(
            **common, k=k, k_max=k_max, threshold=-jnp.ones((), w_dec.dtype), threshold_decay=threshold_decay
        )
    if kind == "relu":
        return ReLUSAE(**common)
    return JumpReLUSAE(
        **common,
        log_threshold=jnp.full(num_latents, jnp.log(init_threshold)),
        bandwidth=float(bandwidth),
    )
