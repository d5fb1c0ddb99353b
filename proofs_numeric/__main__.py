"""Run every theorem's numerical proof and print one combined table; exit 1 if any row fails."""

from __future__ import annotations

import importlib
import sys

from proofs_numeric import MODULES
from proofs_numeric._harness import run_main


def run(*, quick: bool, seed: int):
    results = []
    for name in MODULES:
        module = importlib.import_module(f"proofs_numeric.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results += module.run(quick=quick, seed=seed)
    return results


if __name__ == "__main__":
    sys.exit(run_main(run, "Numerical proofs of every theorem."))
