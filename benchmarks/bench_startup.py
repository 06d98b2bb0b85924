"""Start-up time of the command line: ``python -m sizer --help``, run N times, median wall time.

Usage::

    python benchmarks/bench_startup.py            # 20 runs
    python benchmarks/bench_startup.py --runs 50

Each run is a fresh interpreter (subprocess), so the figure includes Python's own start-up
(``python -c pass`` is printed for comparison) and every import ``sizer.cli`` makes.  The
test suite does not time this (timings are noisy on shared machines); instead
tests/test_cli.py checks that ``import sizer.cli`` pulls in none of the heavy libraries,
which is what keeps ``--help`` fast.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _time(argv: list[str], runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per command (default 20)")
    args = parser.parse_args()
    for label, argv in [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("python -m sizer --help", [sys.executable, "-m", "sizer", "--help"]),
    ]:
        times = _time(argv, args.runs)
        print(
            f"{label:<24} median {statistics.median(times) * 1000:6.0f} ms   "
            f"min {min(times) * 1000:6.0f} ms   max {max(times) * 1000:6.0f} ms   "
            f"({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
