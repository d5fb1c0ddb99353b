"""Shared set-up for the figure scripts: output paths, scale, CSV writing and plot style."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import NamedTuple

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent / "out"
SCALES = ("small", "paper")

plt.rcParams.update(
    {
        "figure.dpi": 120,
        "savefig.dpi": 150,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
    }
)


def scale() -> str:
    """Return the run size from the `SCALE` environment variable: "small" (default) or "paper"."""
    value = os.environ.get("SCALE", "small")
    if value not in SCALES:
        raise SystemExit(f"SCALE must be one of {SCALES}; got {value!r}.")
    return value


def write_csv(name: str, rows: list[dict]) -> Path:
    """Write `rows` to `figures/out/<name>.csv`, columns in first-seen order, atomically."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        columns.extend(column for column in row if column not in columns)

    path = OUT_DIR / f"{name}.csv"
    temporary = path.with_suffix(".csv.tmp")
    with temporary.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    temporary.replace(path)
    return path


def write_json(name: str, record: dict) -> Path:
    """Write the configuration and check outcomes behind a figure to `figures/out/<name>.json`."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record, indent=1, default=float))
    temporary.replace(path)
    return path


def save_figure(figure: plt.Figure, name: str) -> Path:
    """Save `figure` to `figures/out/<name>.png` and close it."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.png"
    figure.savefig(path, bbox_inches="tight")
    plt.close(figure)
    return path


def format_gap(gap: float) -> str:
    """Format a relative gap as a signed percentage, printing rounding-level gaps as +0.0%."""
    return f"{0.0 if abs(gap) < 5e-4 else gap:+.1%}"


def report(**values) -> None:
    """Print `key=value` pairs on one line."""
    print(" ".join(f"{key}={value}" for key, value in values.items()), flush=True)


# Acceptance: the best seed within 5% or 0.005 of the closed form, whichever is looser.
RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE = 0.05, 0.005
# Exact pattern evaluation runs in float32; the squared errors summed are at most a few units,
# so rounding stays far below this.
FLOAT32_TOLERANCE = 1e-5
# A sampled distortion "beats" the optimum only if it lies more than 3 standard errors below it.
SAMPLING_Z = 3.0


class Comparison(NamedTuple):
    """Outcome of comparing one setting's trained SAEs with its closed-form optimum."""

    best: int
    within_tolerance: bool
    beats_optimum: bool

    @property
    def passed(self) -> bool:
        return self.within_tolerance and not self.beats_optimum


def compare_with_optimum(optimum: float, members, exact, sampled) -> Comparison:
    """Check the trained members of one setting against the optimum distortion.

    The best seed (by exact distortion) must come within the tolerance, and no member may beat the
    optimum: exactly by more than float32 rounding, or by sampling by more than `SAMPLING_Z`
    standard errors of its held-out estimate.
    """
    members = np.asarray(members)
    best = int(members[np.argmin(exact.distortion[members])])
    gap = float(exact.distortion[best]) - optimum
    within = gap <= max(RELATIVE_TOLERANCE * optimum, ABSOLUTE_TOLERANCE)

    beats_exact = np.min(exact.distortion[members] - optimum) < -FLOAT32_TOLERANCE
    beats_sampled = np.min(sampled.distortion[members] - optimum + SAMPLING_Z * sampled.distortion_se[members]) < 0
    return Comparison(best, bool(within), bool(beats_exact or beats_sampled))
