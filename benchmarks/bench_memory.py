"""Benchmark: `estimate_memory` for every model, training and inference, with a fit check.

Run: python benchmarks/bench_memory.py [--repeat N]

Each call builds the per-layer table (shape inference, saved-tensor rules for training,
liveness for CNN inference, which is O(layers x tensors)), the per-category totals and the
largest batch by bisection for an 80 GiB GPU. Prints the median time per call. The slowest
case is ResNet-152 inference (about 520 layers); a sizing sweep calls this a few hundred
times, so tens of milliseconds per call is the budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sizer.memory import estimate_memory
from sizer.networks import model_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'model':<20} {'phase':<10} {'median ms':>10} {'largest batch':>14}")
    for model_id in model_ids():
        for phase in ("training", "inference"):
            times = []
            est = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                est = estimate_memory(
                    model_id, batch=8, precision="bf16", phase=phase, gpu_memory_bytes=80 * 2**30
                )
                times.append(time.perf_counter() - t0)
            assert est is not None
            ms = 1e3 * statistics.median(times)
            print(f"{model_id:<20} {phase:<10} {ms:>10.2f} {est.largest_batch:>14,}")


if __name__ == "__main__":
    main()
