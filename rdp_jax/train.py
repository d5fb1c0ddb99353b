"""Training many SAEs at once: one jit-compiled `lax.scan` over steps for a whole ensemble.

Every parameter of the ensemble carries a leading member axis. Each member has its own seed,
TopK budget `k`, penalty coefficient, number of latents `m`, learning rate and polysemanticity
budget `r`, and may have its own DGP. Members never interact: a member's trajectory depends only
on the base key, its own hyperparameters and its DGP, so it is the same in any ensemble.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, PRNGKeyArray
from tqdm.auto import tqdm

from . import checkpoint as _checkpoint
from ._ensemble import prepare_dgp
from ._validation import show
from .dgp import DGP
from .sae import SAE_KINDS, AbstractSAE, aux_k_loss, init_sae, normalize_decoder, project_to_budget

logger = logging.getLogger(__name__)

_SPEC_FIELDS = ("seed", "k", "coefficient", "num_latents", "learning_rate", "budget")


@dataclasses.dataclass(frozen=True)
class EnsembleSpec:
    """Per-member hyperparameters of an ensemble: one tuple entry per member.

    Attributes:
        seed: seed of the member's initialisation and data stream.
        k: TopK budget, per input for TopK and on average over a batch for BatchTopK (ignored by
            ReLU and JumpReLU SAEs).
        coefficient: L1 (ReLU) or L0 (JumpReLU) penalty coefficient `lambda`.
        num_latents: number of latents `m`.
        learning_rate: Adam learning rate.
        budget: polysemanticity budget `r`; 0 means unrestricted, 1 monosemantic.
    """

    seed: tuple[int, ...]
    k: tuple[int, ...]
    coefficient: tuple[float, ...]
    num_latents: tuple[int, ...]
    learning_rate: tuple[float, ...]
    budget: tuple[int, ...]

    def __post_init__(self):
        lengths = {name: len(getattr(self, name)) for name in _SPEC_FIELDS}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"all `EnsembleSpec` fields must have the same length; got lengths {lengths}.")
        if lengths["seed"] == 0:
            raise ValueError("`EnsembleSpec` needs at least one member; got empty fields.")
        _check_members("seed", self.seed, lambda v: isinstance(v, (int, np.integer)) and v >= 0, "a non-negative integer")
        _check_members("k", self.k, lambda v: isinstance(v, (int, np.integer)) and v >= 1, "a positive integer")
        _check_members("num_latents", self.num_latents, lambda v: isinstance(v, (int, np.integer)) and v >= 1, "a positive integer")
        _check_members("budget", self.budget, lambda v: isinstance(v, (int, np.integer)) and v >= 0, "a non-negative integer (0 = unrestricted)")
        _check_members("coefficient", self.coefficient, lambda v: math.isfinite(v) and v >= 0, "a finite non-negative number")
        _check_members("learning_rate", self.learning_rate, lambda v: math.isfinite(v) and v > 0, "a finite positive number")
        for position, (k, m) in enumerate(zip(self.k, self.num_latents)):
            if k > m:
                raise ValueError(f"`k` must not exceed `num_latents`; got k={k} > num_latents={m} for member {position}.")

    @classmethod
    def grid(
        cls,
        *,
        num_latents: int | Sequence[int],
        seed: int | Sequence[int] = 0,
        k: int | Sequence[int] = 1,
        coefficient: float | Sequence[float] = 0.0,
        learning_rate: float | Sequence[float] = 1e-2,
        budget: int | None | Sequence[int | None] = 0,
    ) -> EnsembleSpec:
        """Build the Cartesian product of the given values, seeds varying fastest.

        A scalar counts as a one-element list. `budget=None` is the same as 0 (unrestricted).
        """
        axes = {
            "num_latents": _as_list(num_latents),
            "k": _as_list(k),
            "coefficient": [float(v) for v in _as_list(coefficient)],
            "learning_rate": [float(v) for v in _as_list(learning_rate)],
            "budget": [0 if v is None else v for v in _as_list(budget)],
            "seed": _as_list(seed),
        }
        rows = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
        return cls.from_rows(rows)

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]]) -> EnsembleSpec:
        """Build a spec from one dict per member with the keys of `EnsembleSpec`."""
        for position, row in enumerate(rows):
            missing = set(_SPEC_FIELDS) - set(row)
            if missing:
                raise ValueError(f"`rows[{position}]` is missing keys {sorted(missing)}; got keys {sorted(row)}.")
        return cls(**{name: tuple(row[name] for row in rows) for name in _SPEC_FIELDS})

    @property
    def num_members(self) -> int:
        return len(self.seed)

    def rows(self) -> list[dict[str, Any]]:
        """Return one dict of hyperparameters per member."""
        return [{name: getattr(self, name)[i] for name in _SPEC_FIELDS} for i in range(self.num_members)]

    def to_dict(self) -> dict[str, list]:
        return {name: list(getattr(self, name)) for name in _SPEC_FIELDS}


def _as_list(value) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | range | np.ndarray):
        return [value]
    return list(value)


def _check_members(name: str, values: tuple, is_valid, expected: str) -> None:
    for position, value in enumerate(values):
        try:
            valid = bool(is_valid(value))
        except TypeError:
            valid = False
        if not valid:
            raise ValueError(f"`{name}[{position}]` must be {expected}; got {show(value)}.")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Settings shared by every member of an ensemble.

    Attributes:
        sae_kind: "topk", "batchtopk", "relu" or "jumprelu".
        steps: Adam steps per member.
        batch_size: inputs sampled per member and step.
        chunk_size: steps per compiled `lax.scan` call; progress and checkpoints update between chunks.
        init: "data" (atoms from data samples) or "random" (random unit atoms).
        init_noise: tie-breaking noise added to data atoms.
        init_threshold: initial JumpReLU threshold.
        bandwidth: JumpReLU straight-through kernel width.
        use_decoder_bias: train a decoder bias; the theory's SAEs have none.
        lr_schedule: "constant", or "cosine" decay from each member's learning rate down to
            `lr_final_fraction` times it at the last step.
        lr_final_fraction: final learning rate as a fraction of the initial one ("cosine" only).
        aux_k: dead latents used by the auxiliary-k loss per input; 0 turns the loss off.
        aux_coefficient: weight of the auxiliary-k loss.
        dead_after_steps: steps without firing after which a latent counts as dead.
        threshold_decay: decay of the running average behind the BatchTopK inference threshold.
    """

    sae_kind: str = "topk"
    steps: int = 2000
    batch_size: int = 256
    chunk_size: int = 250
    init: str = "data"
    init_noise: float = 0.01
    init_threshold: float = 0.1
    bandwidth: float = 0.05
    use_decoder_bias: bool = False
    lr_schedule: str = "constant"
    lr_final_fraction: float = 0.1
    aux_k: int = 0
    aux_coefficient: float = 1.0 / 32.0
    dead_after_steps: int = 200
    threshold_decay: float = 0.99

    def __post_init__(self):
        if self.sae_kind not in SAE_KINDS:
            raise ValueError(f"`sae_kind` must be one of {SAE_KINDS}; got {show(self.sae_kind)}.")
        if self.init not in ("data", "random"):
            raise ValueError(f"`init` must be 'data' or 'random'; got {show(self.init)}.")
        for name in ("steps", "batch_size", "chunk_size", "dead_after_steps"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer; got {show(value)}.")
        for name in ("init_threshold", "bandwidth"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"`{name}` must be a finite positive number; got {show(value)}.")
        if not isinstance(self.aux_k, (int, np.integer)) or self.aux_k < 0:
            raise ValueError(f"`aux_k` must be a non-negative integer; got {show(self.aux_k)}.")
        if not (math.isfinite(self.aux_coefficient) and self.aux_coefficient >= 0):
            raise ValueError(f"`aux_coefficient` must be a finite non-negative number; got {show(self.aux_coefficient)}.")
        if not (math.isfinite(self.threshold_decay) and 0 <= self.threshold_decay < 1):
            raise ValueError(f"`threshold_decay` must lie in [0, 1); got {show(self.threshold_decay)}.")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"`lr_schedule` must be 'constant' or 'cosine'; got {show(self.lr_schedule)}.")
        if not (math.isfinite(self.lr_final_fraction) and 0 <= self.lr_final_fraction <= 1):
            raise ValueError(f"`lr_final_fraction` must lie in [0, 1]; got {show(self.lr_final_fraction)}.")
        if not (math.isfinite(self.init_noise) and self.init_noise >= 0):
            raise ValueError(f"`init_noise` must be a finite non-negative number; got {show(self.init_noise)}.")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def learning_rate_factor(self, step: Array) -> Array:
        """Return the factor that multiplies each member's learning rate at `step`."""
        if self.lr_schedule == "constant":
            return jnp.ones((), jnp.float32)
        progress = jnp.minimum(step.astype(jnp.float32) / self.steps, 1.0)
        cosine = 0.5 * (1.0 + jnp.cos(jnp.pi * progress))
        return self.lr_final_fraction + (1.0 - self.lr_final_fraction) * cosine


class _MemberHyperparameters(NamedTuple):
    k: Array
    coefficient: Array
    learning_rate: Array
    budget: Array


class TrainState(NamedTuple):
    """Everything that changes during training, stacked along the member axis.

    `steps_since_fired` (E, m) counts, per latent, the steps since it last fired on a training
    batch. The auxiliary-k loss treats latents at `dead_after_steps` or more as dead.
    """

    saes: AbstractSAE
    opt_state: Any
    alive: Array
    diverged_step: Array
    steps_since_fired: Array


@dataclasses.dataclass
class EnsembleResult:
    """Trained ensemble with its configuration and training history.

    Attributes:
        saes: the SAEs, every array with a leading member axis of length E.
        spec: per-member hyperparameters.
        config: shared training settings.
        diverged: (E,) bool, members whose loss or parameters became NaN or inf; they were frozen
            at their last finite parameters.
        diverged_step: (E,) int, the step of divergence, -1 for members that never diverged.
        history_step: (C,) the step count at the end of each chunk.
        history_loss, history_distortion, history_l0: (C, E) training-batch means over each chunk.
    """

    saes: AbstractSAE
    spec: EnsembleSpec
    config: TrainConfig
    diverged: np.ndarray
    diverged_step: np.ndarray
    history_step: np.ndarray
    history_loss: np.ndarray
    history_distortion: np.ndarray
    history_l0: np.ndarray

    def member(self, index: int) -> AbstractSAE:
        """Return the SAE of one member, without the member axis."""
        num_members = self.spec.num_members
        if not isinstance(index, (int, np.integer)) or not -num_members <= index < num_members:
            raise IndexError(f"`index` must be an integer in [{-num_members}, {num_members}); got {show(index)}.")
        return jax.tree.map(lambda leaf: leaf[index], self.saes)


_optimizer = optax.scale_by_adam()


def _batch_loss(params, static, x, coefficient, dead, config: TrainConfig):
    sae = eqx.combine(params, static)
    h = sae.training_codes(x)
    x_hat = sae.decode(h)
    distortion = jnp.mean(jnp.sum((x - x_hat) ** 2, axis=1))
    loss = distortion + coefficient * sae.penalty(x, h)
    if config.aux_k > 0:
        loss = loss + config.aux_coefficient * aux_k_loss(sae, x, x_hat, dead, config.aux_k)
    l0 = jnp.mean(jnp.sum((h > 0).astype(x.dtype), axis=1))
    return loss, (distortion, l0, h)


def _tree_select(condition: Array, on_true, on_false):
    return jax.tree.map(lambda a, b: jnp.where(condition, a, b), on_true, on_false)


def _member_step(
    sae, opt_state, alive, diverged_step, steps_since_fired, dgp, concept_pinv, hyper, data_key, step, config: TrainConfig, project: bool
):
    params, static = eqx.partition(sae, eqx.is_inexact_array)
    x = dgp.sample(config.batch_size, key=jax.random.fold_in(data_key, step)).x
    dead = steps_since_fired >= config.dead_after_steps
    loss_and_grad = jax.value_and_grad(_batch_loss, has_aux=True)
    (loss, (distortion, l0, h)), grads = loss_and_grad(params, static, x, hyper.coefficient, dead, config)

    # optax's bias correction raises a float to an int32 step count, which strict promotion rejects.
    with jax.numpy_dtype_promotion("standard"):
        updates, new_opt_state = _optimizer.update(grads, opt_state, params)
    learning_rate = hyper.learning_rate * config.learning_rate_factor(step)
    updates = jax.tree.map(lambda u: -learning_rate * u, updates)
    new_sae = normalize_decoder(eqx.apply_updates(sae, updates))
    if project:
        directions = dgp.concept_directions.astype(x.dtype)
        w_dec = project_to_budget(new_sae.w_dec, directions, hyper.budget, concept_pinv=concept_pinv)
        new_sae = eqx.tree_at(lambda s: s.w_dec, new_sae, w_dec)
    new_sae = new_sae.update_statistics(x)

    new_params = eqx.filter(new_sae, eqx.is_inexact_array)
    finite = jnp.isfinite(loss) & jnp.all(jnp.stack([jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(new_params)]))
    keep = alive & finite
    sae = _tree_select(keep, new_sae, sae)
    opt_state = _tree_select(keep, new_opt_state, opt_state)
    diverged_step = jnp.where(alive & ~finite, step, diverged_step)
    fired = jnp.any(h > 0, axis=0)
    steps_since_fired = jnp.where(fired, 0, steps_since_fired + 1)
    return (sae, opt_state, keep, diverged_step, steps_since_fired), (loss, distortion, l0)


@eqx.filter_jit
def _run_chunk(state: TrainState, dgp, hyper, data_keys, start: Array, num_steps: int, config: TrainConfig, dgp_axis, project: bool):
    # The pseudo-inverse of F is computed once per chunk, not at every step. When no member has a
    # budget, the static `project` flag skips the projection altogether.
    pinv = lambda directions: jnp.linalg.pinv(directions.astype(jnp.float32))
    concept_pinv = pinv(dgp.concept_directions) if dgp_axis is None else jax.vmap(pinv)(dgp.concept_directions)
    member_step = eqx.filter_vmap(_member_step, in_axes=(0, 0, 0, 0, 0, dgp_axis, dgp_axis, 0, 0, None, None, None))

    def body(carry, step):
        new_carry, metrics = member_step(*carry, dgp, concept_pinv, hyper, data_keys, step, config, project)
        return new_carry, metrics

    steps = start + jnp.arange(num_steps, dtype=start.dtype)
    carry, (loss, distortion, l0) = jax.lax.scan(body, tuple(state), steps)
    return TrainState(*carry), (jnp.mean(loss, axis=0), jnp.mean(distortion, axis=0), jnp.mean(l0, axis=0))


def _distinct_samples(dgp, num: int, *, key: PRNGKeyArray) -> Array:
    """Draw `8 num` samples and return `num` of them, distinct non-zero ones first.

    On DGPs with finitely many patterns, distinct samples give every frequent pattern, and often
    the rare ones, an initial atom. Duplicate atoms would start in the same local optimum.
    Duplicates are found by sorting a random projection, which separates distinct rows with
    probability 1.
    """
    pool_key, projection_key = jax.random.split(key)
    x_pool = dgp.sample(8 * num, key=pool_key).x
    projection = x_pool @ jax.random.normal(projection_key, (x_pool.shape[1],), x_pool.dtype)

    order = jnp.argsort(projection)
    repeats_previous = jnp.concatenate([jnp.zeros(1, bool), projection[order][1:] == projection[order][:-1]])
    duplicate = jnp.zeros(x_pool.shape[0], bool).at[order].set(repeats_previous)
    is_zero = jnp.linalg.norm(x_pool, axis=1) == 0

    rank = 2 * is_zero.astype(jnp.int32) + duplicate.astype(jnp.int32)
    return x_pool[jnp.argsort(rank, stable=True)[:num]]


def _init_member(dgp, seed_key, k, num_active_latents, *, config: TrainConfig, d: int, num_latents: int, k_max: int):
    init_key, sample_key, _ = jax.random.split(seed_key, 3)
    x_init = None
    if config.init == "data":
        x_init = _distinct_samples(dgp, num_latents, key=sample_key)
    sae = init_sae(
        config.sae_kind,
        x_init,
        d=d,
        num_latents=num_latents,
        k_max=k_max,
        k=k,
        num_active_latents=num_active_latents,
        init_threshold=config.init_threshold,
        bandwidth=config.bandwidth,
        init_noise=config.init_noise,
        threshold_decay=config.threshold_decay,
        use_decoder_bias=config.use_decoder_bias,
        key=init_key,
    )
    params = eqx.filter(sae, eqx.is_inexact_array)
    return sae, _optimizer.init(params)


def _key_to_list(key: PRNGKeyArray) -> list[int]:
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    return np.asarray(key).ravel().tolist()


def _check_key(key) -> None:
    is_typed = isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key)
    is_raw = isinstance(key, (jax.Array, np.ndarray)) and key.dtype == np.uint32 and key.shape == (2,)
    if not (is_typed or is_raw):
        raise TypeError(f"`key` must be a PRNG key such as `jax.random.key(0)`; got {show(key)}.")


def _dgp_fingerprint(dgp) -> str:
    """Return a hash of a DGP's parameters and settings, so a checkpoint can name the data it was trained on."""
    digest = hashlib.sha256(str(jax.tree_util.tree_structure(dgp)).encode())
    for leaf in jax.tree_util.tree_leaves(dgp):
        array = np.asarray(leaf)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def init_ensemble(
    dgp: DGP | Sequence[DGP], spec: EnsembleSpec, config: TrainConfig, *, key: PRNGKeyArray
) -> tuple[TrainState, Array]:
    """Initialise every member of an ensemble.

    Args:
        dgp: one DGP shared by all members, or a sequence with one DGP per member.
        spec: per-member hyperparameters.
        config: shared settings.
        key: base PRNG key; member `i` uses `fold_in(key, spec.seed[i])`.

    Returns:
        The initial `TrainState` and the (E,) per-member data keys.
    """
    stacked_dgp, dgp_axis = prepare_dgp(dgp, spec.num_members)
    d = dgp.d if dgp_axis is None else dgp[0].d
    num_latents = max(spec.num_latents)
    k_max = max(spec.k)

    seed_keys = jax.vmap(lambda seed: jax.random.fold_in(key, seed))(jnp.asarray(spec.seed, dtype=jnp.uint32))
    init_keys, data_keys = jax.vmap(lambda member_key: tuple(jax.random.split(member_key)))(seed_keys)

    init_member = eqx.filter_vmap(
        lambda g, member_key, k, m: _init_member(g, member_key, k, m, config=config, d=d, num_latents=num_latents, k_max=k_max),
        in_axes=(dgp_axis, 0, 0, 0),
    )
    saes, opt_state = init_member(
        stacked_dgp, init_keys, jnp.asarray(spec.k, dtype=jnp.int32), jnp.asarray(spec.num_latents, dtype=jnp.int32)
    )
    state = TrainState(
        saes=saes,
        opt_state=opt_state,
        alive=jnp.ones(spec.num_members, dtype=bool),
        diverged_step=jnp.full(spec.num_members, -1, dtype=jnp.int32),
        steps_since_fired=jnp.zeros((spec.num_members, num_latents), dtype=jnp.int32),
    )
    return state, data_keys


def train_ensemble(
    dgp: DGP | Sequence[DGP],
    spec: EnsembleSpec,
    config: TrainConfig = TrainConfig(),
    *,
    key: PRNGKeyArray,
    checkpoint_path: str | Path | None = None,
    progress: bool = True,
) -> EnsembleResult:
    """Train an ensemble of SAEs with Adam, all members in one compiled scan.

    Each step, every member draws a fresh batch from its DGP on device, takes an Adam step on
    `distortion + coefficient * penalty`, renormalises its decoder columns, and projects its atoms
    onto `W_r` when its budget `r` is positive. A member whose loss or parameters turn NaN or inf
    is frozen at its last finite parameters and reported in `diverged`.

    Args:
        dgp: one DGP for all members, or a sequence of one DGP per member (same family and sizes).
        spec: per-member hyperparameters.
        config: shared settings.
        key: base PRNG key.
        checkpoint_path: file to save the state to after every chunk; an existing checkpoint
            written with the same spec and config is resumed.
        progress: show a progress bar on stderr.

    Returns:
        An `EnsembleResult`.
    """
    if not isinstance(spec, EnsembleSpec):
        raise TypeError(f"`spec` must be an EnsembleSpec; got {type(spec).__name__}.")
    if not isinstance(config, TrainConfig):
        raise TypeError(f"`config` must be a TrainConfig; got {type(config).__name__}.")
    _check_key(key)
    if config.aux_k > max(spec.num_latents):
        raise ValueError(f"`config.aux_k` must not exceed the largest `num_latents` {max(spec.num_latents)}; got {config.aux_k}.")
    stacked_dgp, dgp_axis = prepare_dgp(dgp, spec.num_members)
    state, data_keys = init_ensemble(dgp, spec, config, key=key)
    hyper = _MemberHyperparameters(
        k=jnp.asarray(spec.k, dtype=jnp.int32),
        coefficient=jnp.asarray(spec.coefficient, dtype=jnp.float32),
        learning_rate=jnp.asarray(spec.learning_rate, dtype=jnp.float32),
        budget=jnp.asarray(spec.budget, dtype=jnp.int32),
    )
    metadata = {
        "spec": spec.to_dict(),
        "config": config.to_dict(),
        "key": _key_to_list(key),
        "dgp": _dgp_fingerprint(stacked_dgp),
    }

    project = max(spec.budget) > 0
    steps_done, history = 0, []
    if checkpoint_path is not None and _checkpoint.exists(checkpoint_path):
        state, steps_done, history = _checkpoint.load(checkpoint_path, state, metadata)
        logger.info("resumed %d members from %s at step %d", spec.num_members, checkpoint_path, steps_done)

    bar = tqdm(total=config.steps, initial=steps_done, disable=not progress, desc=f"{config.sae_kind} x{spec.num_members}", mininterval=2.0)
    try:
        while steps_done < config.steps:
            num_steps = min(config.chunk_size, config.steps - steps_done)
            state, (loss, distortion, l0) = _run_chunk(
                state, stacked_dgp, hyper, data_keys, jnp.asarray(steps_done, dtype=jnp.int32), num_steps, config, dgp_axis, project
            )
            steps_done += num_steps
            history.append((steps_done, np.asarray(loss), np.asarray(distortion), np.asarray(l0)))
            if checkpoint_path is not None:
                _checkpoint.save(checkpoint_path, state, steps_done, history, metadata)

            num_diverged = int(np.sum(~np.asarray(state.alive)))
            bar.update(num_steps)
            bar.set_postfix(best_loss=f"{np.nanmin(history[-1][1]):.4g}", diverged=num_diverged)
    except KeyboardInterrupt:
        if checkpoint_path is not None and steps_done > 0:
            logger.warning("interrupted; checkpoint %s contains step %d, rerun with the same arguments to resume", checkpoint_path, steps_done)
        raise
    finally:
        bar.close()

    diverged = ~np.asarray(state.alive)
    if diverged.any():
        logger.warning("%d of %d members diverged and were frozen: %s", diverged.sum(), spec.num_members, np.flatnonzero(diverged).tolist())
    return EnsembleResult(
        saes=state.saes,
        spec=spec,
        config=config,
        diverged=diverged,
        diverged_step=np.asarray(state.diverged_step),
        history_step=np.array([entry[0] for entry in history]),
        history_loss=np.stack([entry[1] for entry in history]),
        history_distortion=np.stack([entry[2] for entry in history]),
        history_l0=np.stack([entry[3] for entry in history]),
    )
