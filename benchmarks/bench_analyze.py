"""Benchmark: `analyze` on leaf-spine DGX H100 designs of 8 .. 1,024 servers.

Run: python benchmarks/bench_analyze.py [--repeat N]

Each design: DGX H100 (8 GPUs; 2 of the 4 NDR storage ports cabled so that 1,024
servers fit a two-tier QM9700 fat tree), mixed workloads (half the servers ResNet-50
training on 6 GPUs + CosmoFlow on 2, half UNet3D on 8), dozens of IBM SSS 6000 units,
QM9700 leaf-spine at 3:1.  Prints the median analyze time, the solver's share, flows x
resources and non-zeros of the weight matrix.  Target (issue 17: 1,024 servers <= 30 ms
median) on a 2-core machine, time no worse than linear in nnz.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.ports import port_problems
from sizer.resolve import resolve
from sizer.schema import Scenario

SIZES = [(8, 4), (64, 12), (256, 24), (1024, 48)]


def design_for(servers: int, units: int) -> Scenario:
    half = servers // 2
    srv_ports = servers * 2
    st_ports = units * 16
    leaves = math.ceil(srv_ports / 48) + math.ceil(st_ports / 48)
    spines = 16 if servers >= 64 else 4
    ov = {"storage_ports": 2}
    return Scenario.model_validate(
        {
            "name": f"bench {servers} DGX H100",
            "compute": [
                {"name": "a", "server": "dgx-h100", "count": half, "overrides": ov},
                {"name": "b", "server": "dgx-h100", "count": servers - half, "overrides": ov},
            ],
            "storage": [{"unit": "ibm-sss-6000", "count": units}],
            "network": {
                "topology": "leaf-spine",
                "switch": "qm9700",
                "leaves": leaves,
                "spines": spines,
                "oversubscription": 3,
            },
            "workloads": [
                {
                    "model": "resnet-50",
                    "dataset": "imagenet",
                    "gpus_per_server": 6,
                    "groups": ["a"],
                },
                {"model": "cosmoflow-mlperf", "gpus_per_server": 2, "groups": ["a"]},
                {"model": "unet3d-mlperf", "groups": ["b"]},
            ],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=21)
    args = ap.parse_args()
    cat = load_catalog()
    print(
        f"{'servers':>8} {'flows':>6} {'resources':>9} {'nnz':>9} {'iters':>5} "
        f"{'build ms':>9} {'solve ms':>9} {'total ms':>9} {'solver %':>8} {'us/nnz':>7}"
    )
    for servers, units in SIZES:
        sc = design_for(servers, units)
        problems = check_scenario(sc, cat) + port_problems(sc, cat)
        assert not problems, problems
        d = resolve(sc, cat)
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            a = analyze_design(d)
            runs.append((time.perf_counter() - t0, a.timings))
        total = statistics.median(r[0] for r in runs)
        solve = statistics.median(r[1]["solve"] for r in runs)
        build = statistics.median(r[1]["build"] for r in runs)
        print(
            f"{servers:>8} {a.flows:>6} {len(a.resources):>9} {a.nnz:>9} {a.iterations:>5} "
            f"{build * 1e3:>9.2f} {solve * 1e3:>9.2f} {total * 1e3:>9.2f} "
            f"{100 * solve / total:>7.0f}% {1e6 * total / a.nnz:>7.3f}"
        )


if __name__ == "__main__":
    main()
