"""Saving and resuming ensemble training between scan chunks.

A checkpoint is two files: `<path>` with the array leaves of the training state
(`equinox.tree_serialise_leaves`) and `<path>.json` with the step count, the history so far, and
the spec, config and key it belongs to. Both are written to temporary files and renamed, so an
interruption leaves either the previous checkpoint or the new one, never a torn file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import equinox as eqx
import numpy as np


def _metadata_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def exists(path: str | Path) -> bool:
    """Return whether a complete checkpoint (state and metadata) is at `path`."""
    path = Path(path)
    return path.is_file() and _metadata_path(path).is_file()


def save(path: str | Path, state: Any, steps_done: int, history: list, metadata: dict) -> None:
    """Write the training state and its metadata atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary_state = path.with_name(path.name + ".tmp")
    eqx.tree_serialise_leaves(temporary_state, state)

    record = dict(metadata)
    record["steps_done"] = steps_done
    record["history"] = [[step, loss.tolist(), distortion.tolist(), l0.tolist()] for step, loss, distortion, l0 in history]
    temporary_metadata = _metadata_path(path).with_name(_metadata_path(path).name + ".tmp")
    temporary_metadata.write_text(json.dumps(record))

    os.replace(temporary_state, path)
    os.replace(temporary_metadata, _metadata_path(path))


def load(path: str | Path, like: Any, metadata: dict) -> tuple[Any, int, list]:
    """Load a checkpoint into the structure of `like`.

    Raises:
        ValueError: the checkpoint was written for a different spec, config or key.
    """
    path = Path(path)
    record = json.loads(_metadata_path(path).read_text())
    for field, expected in metadata.items():
        if record.get(field) != expected:
            raise ValueError(
                f"checkpoint `{path}` was written with a different `{field}`; "
                f"delete it or pass another `checkpoint_path` (stored {record.get(field)!r}, current {expected!r})."
            )
    state = eqx.tree_deserialise_leaves(path, like)
    history = [(step, np.asarray(loss), np.asarray(distortion), np.asarray(l0)) for step, loss, distortion, l0 in record["history"]]
    return state, int(record["steps_done"]), history
