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
    # A file object, not a path: equinox appends ".eqx" to paths without a suffix.
    with temporary_state.open("wb") as handle:
        eqx.tree_serialise_leaves(handle, state)

    record = dict(metadata)
    record["steps_done"] = steps_done
    record["history"] = [[step, loss.tolist(), distortion.tolist(), l0.tolist()] for step, loss, distortion, l0 in history]
    temporary_metadata = _metadata_path(path).with_name(_metadata_path(path).name + ".tmp")
    temporary_metadata.write_text(json.dumps(record))

    os.replace(temporary_state, path)
    os.replace(temporary_metadata, _metadata_path(path))


def _difference(stored, current) -> str:
    """Describe how two metadata values differ, naming only the keys that changed."""
    if isinstance(stored, dict) and isinstance(current, dict):
        keys = sorted(set(stored) | set(current))
        changed = [key for key in keys if stored.get(key) != current.get(key)]
        parts = []
        for key in changed[:5]:
            parts.append(f"{key}: stored {_shorten(stored.get(key))}, current {_shorten(current.get(key))}")
        if len(changed) > 5:
            parts.append(f"and {len(changed) - 5} more keys")
        return "; ".join(parts)
    return f"stored {_shorten(stored)}, current {_shorten(current)}"


def _shorten(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load(path: str | Path, like: Any, metadata: dict) -> tuple[Any, int, list]:
    """Load a checkpoint into the structure of `like`.

    Raises:
        ValueError: the checkpoint was written for a different spec, config or key.
    """
    path = Path(path)
    record = json.loads(_metadata_path(path).read_text())
    for field, expected in metadata.items():
        stored = record.get(field)
        if stored != expected:
            raise ValueError(
                f"checkpoint `{path}` was written with a different `{field}` ({_difference(stored, expected)}); "
                "delete it or pass another `checkpoint_path`."
            )
    with path.open("rb") as handle:
        state = eqx.tree_deserialise_leaves(handle, like)
    history = [(step, np.asarray(loss), np.asarray(distortion), np.asarray(l0)) for step, loss, distortion, l0 in record["history"]]
    return state, int(record["steps_done"]), history
