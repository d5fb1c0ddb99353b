"""Saving trained ensembles with their configuration, and loading scans from TOML.

A saved result is two files: `<path>` contains the SAE parameters (`equinox.tree_serialise_leaves`)
and `<path>.json` contains the spec, the config, the divergence flags and the training history, so
that a result can be reloaded and traced back to the settings that produced it.

A scan file is TOML with a `[train]` table of `TrainConfig` fields and a `[grid]` table of
`EnsembleSpec.grid` arguments (scalars or lists), for example::

    [train]
    sae_kind = "topk"
    steps = 3000
    lr_schedule = "cosine"

    [grid]
    num_latents = 32
    k = [1, 2, 3, 4]
    budget = [0, 1]
    seed = [0, 1, 2, 3]
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import equinox as eqx
import jax
import numpy as np

from .train import EnsembleResult, EnsembleSpec, TrainConfig, init_ensemble

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_RESULT_FORMAT = 1


def _metadata_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def save_result(path: str | Path, result: EnsembleResult, **extra) -> None:
    """Save a trained ensemble and its configuration; `extra` is stored in the JSON as given.

    Both files are written to temporary names and then renamed, so an interrupted save never
    leaves a partial file under `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    # A file object, not a path: equinox appends ".eqx" to paths without a suffix.
    with temporary.open("wb") as handle:
        eqx.tree_serialise_leaves(handle, result.saes)

    record = {
        "format": _RESULT_FORMAT,
        "spec": result.spec.to_dict(),
        "config": result.config.to_dict(),
        "diverged": result.diverged.tolist(),
        "diverged_step": result.diverged_step.tolist(),
        "history_step": result.history_step.tolist(),
        "history_loss": result.history_loss.tolist(),
        "history_distortion": result.history_distortion.tolist(),
        "history_l0": result.history_l0.tolist(),
        "extra": extra,
    }
    temporary_metadata = path.with_name(path.name + ".json.tmp")
    temporary_metadata.write_text(json.dumps(record, indent=1))
    os.replace(temporary, path)
    os.replace(temporary_metadata, _metadata_path(path))


def load_result(path: str | Path, dgp) -> tuple[EnsembleResult, dict]:
    """Load an ensemble saved by `save_result`.

    Args:
        path: the file given to `save_result`.
        dgp: the DGP (or sequence of DGPs) the ensemble was trained on; it fixes the input
            dimension and the structure of the SAEs.

    Returns:
        The `EnsembleResult` and the `extra` dict stored with it.
    """
    path = Path(path)
    metadata_path = _metadata_path(path)
    if not path.is_file() or not metadata_path.is_file():
        raise FileNotFoundError(f"no saved result at `{path}`: both {path} and {metadata_path} must exist.")
    record = json.loads(metadata_path.read_text())
    if record.get("format") != _RESULT_FORMAT:
        raise ValueError(f"`{metadata_path}` has format {record.get('format')!r}; this version reads format {_RESULT_FORMAT}.")

    spec = EnsembleSpec(**{name: tuple(values) for name, values in record["spec"].items()})
    config = TrainConfig(**record["config"])
    like, _ = eqx.filter_eval_shape(lambda: init_ensemble(dgp, spec, config, key=jax.random.key(0)))
    try:
        with path.open("rb") as handle:
            saes = eqx.tree_deserialise_leaves(handle, like.saes)
    except RuntimeError as error:
        raise ValueError(
            f"the SAEs saved at `{path}` do not match the structure that `dgp` and the saved spec give; "
            f"pass the DGP the ensemble was trained on ({error})."
        ) from error

    result = EnsembleResult(
        saes=saes,
        spec=spec,
        config=config,
        diverged=np.asarray(record["diverged"], dtype=bool),
        diverged_step=np.asarray(record["diverged_step"], dtype=np.int32),
        history_step=np.asarray(record["history_step"]),
        history_loss=np.asarray(record["history_loss"]),
        history_distortion=np.asarray(record["history_distortion"]),
        history_l0=np.asarray(record["history_l0"]),
    )
    return result, record["extra"]


def load_scan(path: str | Path) -> tuple[EnsembleSpec, TrainConfig]:
    """Read a scan from a TOML file with `[train]` and `[grid]` tables.

    Raises:
        ValueError: a table is missing or has a key that `TrainConfig` or `EnsembleSpec.grid`
            does not take.
    """
    path = Path(path)
    with path.open("rb") as handle:
        document = tomllib.load(handle)

    unknown_tables = set(document) - {"train", "grid"}
    if unknown_tables:
        raise ValueError(f"scan file `{path}` has unknown tables {sorted(unknown_tables)}; expected [train] and [grid].")
    if "grid" not in document:
        raise ValueError(f"scan file `{path}` is missing the [grid] table.")

    train_fields = {field.name for field in dataclasses.fields(TrainConfig)}
    unknown = set(document.get("train", {})) - train_fields
    if unknown:
        raise ValueError(f"[train] in `{path}` has unknown keys {sorted(unknown)}; valid keys are {sorted(train_fields)}.")
    grid_fields = {"num_latents", "seed", "k", "coefficient", "learning_rate", "budget"}
    unknown = set(document["grid"]) - grid_fields
    if unknown:
        raise ValueError(f"[grid] in `{path}` has unknown keys {sorted(unknown)}; valid keys are {sorted(grid_fields)}.")
    if "num_latents" not in document["grid"]:
        raise ValueError(f"[grid] in `{path}` is missing `num_latents`.")

    config = TrainConfig(**document.get("train", {}))
    spec = EnsembleSpec.grid(**document["grid"])
    return spec, config
