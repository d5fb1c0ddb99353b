"""Rate, distortion and polysemanticity of trained SAEs.

Definitions follow the rate-distortion-polysemanticity theory of SAEs (Mencattini, Montagna,
Locatello, arXiv:2605.14694, 2026), as reconstructed in docs/theory.md. They are the
rate `R = E ||h||_0`, L1 rate `R_1 = E sum_j h_j ||w_j||`, distortion `D = E ||x - x_hat||^2`
(summed over coordinates, not divided by `d`), `FVU = D / E ||x - E x||^2` as a ratio of means,
concept profile `c_j = F^+ w_j`, and polysemanticity degree `nu_j = ||c_j||_2^4 / ||c_j||_4^4`.
"""

from __future__ import annotations

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

from ._ensemble import prepare_dgp
from ._validation import check_binary, check_distribution, check_ndim, check_positive_int, check_probabilities
from .sae import AbstractSAE


def concept_profiles(w_dec: Float[Array, "d m"], concept_directions: Float[Array, "d n"]) -> Float[Array, "n m"]:
    """Compute the concept profile `c_j = F^+ w_j` of every decoder atom.

    Args:
        w_dec: decoder atoms as columns, shape (d, m).
        concept_directions: concept directions `F`, shape (d, n).

    Returns:
        Profiles as columns, shape (n, m).
    """
    return jnp.linalg.pinv(concept_directions.astype(w_dec.dtype)) @ w_dec


def polysemanticity_degree(profiles: Float[Array, "n m"]) -> Float[Array, " m"]:
    """Compute the participation ratio `nu_j = ||c_j||_2^4 / ||c_j||_4^4` of each profile.

    `nu_j` is 1 for a single concept and `q` for an equal mix of `q` concepts. A zero profile
    (a masked latent, or an atom outside `span(F)`) gives NaN.
    """
    squared = profiles**2
    numerator = jnp.sum(squared, axis=0) ** 2
    denominator = jnp.sum(squared**2, axis=0)
    return jnp.where(denominator > 0, numerator / jnp.where(denominator > 0, denominator, 1.0), jnp.nan)


def support_count(profiles: Float[Array, "n m"], tau: float = 0.1) -> Int[Array, " m"]:
    """Count the concepts of each profile with `|c_ij| > tau * max_i |c_ij|`."""
    magnitude = jnp.abs(profiles)
    threshold = tau * jnp.max(magnitude, axis=0, keepdims=True)
    return jnp.sum((magnitude > threshold) & (magnitude > 0), axis=0)


def mixing_ratio(profiles: Float[Array, "n m"]) -> Float[Array, " m"]:
    """Compute the second-largest over the largest absolute concept coefficient of each atom.

    For the two-concept TopK-1 optimum this is the mixing ratio `alpha` of the atom
    `f_B + alpha f_A`. It is 0 for a monosemantic atom and NaN for a zero atom.
    """
    magnitude = jnp.sort(jnp.abs(profiles), axis=0)
    largest = magnitude[-1]
    second = magnitude[-2] if profiles.shape[0] > 1 else jnp.zeros_like(largest)
    return jnp.where(largest > 0, second / jnp.where(largest > 0, largest, 1.0), jnp.nan)


def sae_polysemanticity(degrees: Float[Array, " m"], alive: Bool[Array, " m"]) -> Float[Array, ""]:
    """Compute the SAE-level polysemanticity: the mean of `nu_j - 1` over alive latents."""
    valid = alive & jnp.isfinite(degrees)
    total = jnp.sum(jnp.where(valid, degrees - 1.0, 0.0))
    return total / jnp.maximum(jnp.sum(valid), 1).astype(degrees.dtype)


def activation_profiles(h: Float[Array, "batch m"], support: Bool[Array, "batch n"]) -> Float[Array, "n m"]:
    """Compute `E[h_j | i in S]` for every concept `i` and latent `j`: what makes a latent fire.

    Concepts that are never active in the batch get NaN rows.
    """
    indicator = support.astype(h.dtype)
    counts = jnp.sum(indicator, axis=0)
    sums = indicator.T @ h
    return jnp.where(counts[:, None] > 0, sums / jnp.maximum(counts, 1.0)[:, None], jnp.nan)


class Evaluation(NamedTuple):
    """Summary of one SAE (or, stacked, of an ensemble) on a DGP.

    Attributes:
        rate_l0: `E ||h||_0`.
        rate_l1: `E sum_j h_j ||w_j||`.
        distortion: `E ||x - x_hat||^2`.
        distortion_se: standard error of `distortion`; 0 for exact pattern evaluation.
        fvu: fraction of variance unexplained, a ratio of means.
        dead_fraction: fraction of the SAE's latents that never fire.
        polysemanticity: mean of `nu_j - 1` over alive latents.
        max_mixing: largest mixing ratio among alive latents.
    """

    rate_l0: Array
    rate_l1: Array
    distortion: Array
    distortion_se: Array
    fvu: Array
    dead_fraction: Array
    polysemanticity: Array
    max_mixing: Array


def _summarise(sae: AbstractSAE, x, weights, concept_directions, num_samples: int | None) -> Evaluation:
    x_hat, h = sae(x)
    errors = jnp.sum((x - x_hat) ** 2, axis=1)
    distortion = jnp.sum(weights * errors)
    if num_samples is None:
        distortion_se = jnp.zeros((), errors.dtype)
    else:
        distortion_se = jnp.std(errors) / jnp.sqrt(jnp.asarray(num_samples, errors.dtype))

    mean_x = weights @ x
    variance = jnp.sum(weights * jnp.sum(x**2, axis=1)) - jnp.sum(mean_x**2)
    fires = (h > 0).astype(x.dtype)
    alive = (weights @ fires > 0) & sae.latent_mask
    num_latents = jnp.sum(sae.latent_mask).astype(x.dtype)

    profiles = concept_profiles(sae.w_dec, concept_directions)
    mixing = jnp.where(alive, mixing_ratio(profiles), 0.0)
    return Evaluation(
        rate_l0=jnp.sum(weights * jnp.sum(fires, axis=1)),
        rate_l1=jnp.sum(weights * (h @ jnp.linalg.norm(sae.w_dec, axis=0))),
        distortion=distortion,
        distortion_se=distortion_se,
        fvu=distortion / variance,
        dead_fraction=1.0 - jnp.sum(alive).astype(x.dtype) / num_latents,
        polysemanticity=sae_polysemanticity(polysemanticity_degree(profiles), alive),
        max_mixing=jnp.max(jnp.where(jnp.isfinite(mixing), mixing, 0.0)),
    )


def _check_member_axis(saes: AbstractSAE, *, stacked: bool) -> None:
    if not isinstance(saes, AbstractSAE):
        raise TypeError(f"`saes` must be an SAE module; got {type(saes).__name__}.")
    ndim = saes.w_dec.ndim
    if stacked and ndim != 3:
        raise ValueError(
            f"`saes` must be stacked with a leading member axis (`w_dec` of shape (E, d, m)); got `w_dec` of shape "
            f"{saes.w_dec.shape}. Use `evaluate` for a single SAE."
        )
    if not stacked and ndim != 2:
        raise ValueError(
            f"`sae` must be a single SAE (`w_dec` of shape (d, m)); got `w_dec` of shape {saes.w_dec.shape}. "
            "Use `evaluate_ensemble` for a stacked ensemble, or `EnsembleResult.member(i)`."
        )


def evaluate(sae: AbstractSAE, dgp, *, num_samples: int, key: PRNGKeyArray) -> Evaluation:
    """Estimate rate, distortion and polysemanticity of one SAE on fresh samples of `dgp`.

    The distortion comes with its standard error `std(||x - x_hat||^2) / sqrt(num_samples)`.
    """
    if isinstance(sae, AbstractSAE) and not isinstance(sae.w_dec, jax.core.Tracer):
        _check_member_axis(sae, stacked=False)
        check_positive_int("num_samples", num_samples)
    x = dgp.sample(num_samples, key=key).x
    weights = jnp.full(num_samples, 1.0 / num_samples, dtype=x.dtype)
    return _summarise(sae, x, weights, dgp.concept_directions, num_samples)


@eqx.filter_jit
def _evaluate_members(saes, dgp, key, num_samples: int, dgp_axis, members_per_batch: int):
    def one(member):
        sae, member_dgp = member
        return evaluate(sae, member_dgp, num_samples=num_samples, key=key)

    if dgp_axis is None:
        return jax.lax.map(lambda sae: one((sae, dgp)), saes, batch_size=members_per_batch)
    return jax.lax.map(one, (saes, dgp), batch_size=members_per_batch)


def evaluate_ensemble(
    saes: AbstractSAE, dgp, *, num_samples: int, key: PRNGKeyArray, members_per_batch: int = 16
) -> Evaluation:
    """Evaluate every member of a stacked ensemble on the same fresh samples.

    Members are processed `members_per_batch` at a time so memory stays at that many
    `(num_samples, m)` code matrices.

    Args:
        saes: stacked SAEs, leading member axis E.
        dgp: one DGP for all members, or a sequence of one per member.
        num_samples: held-out samples per member; all members see the same key.
        key: PRNG key for the held-out samples.
        members_per_batch: members evaluated in parallel.

    Returns:
        An `Evaluation` whose fields have shape (E,), as numpy arrays.
    """
    _check_member_axis(saes, stacked=True)
    check_positive_int("num_samples", num_samples)
    check_positive_int("members_per_batch", members_per_batch)
    num_members = saes.w_dec.shape[0]
    stacked_dgp, dgp_axis = prepare_dgp(dgp, num_members)
    result = _evaluate_members(saes, stacked_dgp, key, num_samples, dgp_axis, members_per_batch)
    return Evaluation(*(np.asarray(field) for field in result))


def evaluate_on_patterns(
    saes: AbstractSAE,
    concept_directions: Float[Array, "d n"],
    supports: Bool[Array, "P n"],
    probs: Float[Array, "P"] | Float[Array, "E P"],
) -> Evaluation:
    """Evaluate a stacked ensemble exactly, as expectations over a finite pattern distribution.

    Each pattern `T` is the input `x_T = sum_{i in T} f_i` (unit magnitudes) weighted by its
    probability, so there is no sampling error: the result is exact up to float32 rounding.

    Args:
        saes: stacked SAEs, leading member axis E.
        concept_directions: `F`, shape (d, n), shared by all members.
        supports: patterns as 0/1 rows, shape (P, n).
        probs: pattern probabilities, shape (P,) shared or (E, P) one row per member.

    Returns:
        An `Evaluation` whose fields have shape (E,), as numpy arrays; `distortion_se` is 0.
    """
    _check_member_axis(saes, stacked=True)
    num_members, d, _ = saes.w_dec.shape
    supports = check_ndim("supports", check_binary("supports", supports), 2).astype(np.float32)
    probs = check_probabilities("probs", probs)
    if probs.ndim == 1:
        probs = np.broadcast_to(probs, (num_members, probs.shape[0]))
    if probs.shape != (num_members, supports.shape[0]):
        raise ValueError(
            f"`probs` must have shape ({supports.shape[0]},) or ({num_members}, {supports.shape[0]}); got {probs.shape}."
        )
    probs = np.stack([check_distribution(f"probs[{member}]", row) for member, row in enumerate(probs)])
    directions = np.asarray(concept_directions, dtype=np.float64)
    if directions.shape != (d, supports.shape[1]):
        raise ValueError(
            f"`concept_directions` must have shape (d, n) = ({d}, {supports.shape[1]}) to match the SAEs and `supports`; "
            f"got {directions.shape}."
        )
    probs = probs.astype(np.float32)
    directions = jnp.asarray(directions, dtype=jnp.float32)
    x = jnp.asarray(supports) @ directions.T
    summarise = eqx.filter_vmap(lambda sae, weights: _summarise(sae, x, weights, directions, None))
    return Evaluation(*(np.asarray(field) for field in summarise(saes, jnp.asarray(probs))))
