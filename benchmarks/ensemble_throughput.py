"""Throughput of ensemble training: one vmapped ensemble of E members against E single trainings.

For each ensemble size E, the script times `train_ensemble` on E TopK SAEs after one untimed run
with the same shapes, so compilation is excluded. It reports member-steps per second and the
speed-up over training the same members one at a time, both measured in the same run. It writes the
numbers to `benchmarks/out/ensemble_throughput.csv` and prints `key=value` lines.

Run with `python -m benchmarks.ensemble_throughput` (`make bench`).
"""

from __future__ import annotations

import csv
import platform
import sys
import time
from pathlib import Path

import jax

import rdp_jax as rdp

OUT = Path(__file__).resolve().parent / "out" / "ensemble_throughput.csv"
ENSEMBLE_SIZES = (1, 8, 64)
STEPS, BATCH_SIZE, NUM_LATENTS, K = 500, 256, 32, 2


def timed_training(dgp, num_members: int) -> float:
    """Return the wall time of one training of `num_members` members, compilation excluded."""
    spec = rdp.EnsembleSpec.grid(num_latents=NUM_LATENTS, k=K, seed=list(range(num_members)))
    config = rdp.TrainConfig(steps=STEPS, batch_size=BATCH_SIZE, chunk_size=STEPS)
    rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)

    start = time.perf_counter()
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(1), progress=False)
    jax.block_until_ready(result.saes.w_dec)
    return time.perf_counter() - start


def main() -> int:
    dgp = rdp.pair_block_dgp(2, 0.2, 0.15, 0.3)
    single = timed_training(dgp, 1)
    rows = []
    for num_members in ENSEMBLE_SIZES:
        seconds = single if num_members == 1 else timed_training(dgp, num_members)
        throughput = num_members * STEPS / seconds
        rows.append(
            dict(
                members=num_members,
                seconds=round(seconds, 3),
                member_steps_per_second=round(throughput, 1),
                speedup_over_one_at_a_time=round(num_members * single / seconds, 2),
            )
        )
        print(" ".join(f"{key}={value}" for key, value in rows[-1].items()), flush=True)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"backend={jax.default_backend()} devices={len(jax.devices())} machine={platform.machine()} csv={OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
