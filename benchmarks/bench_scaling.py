"""Time the scaling sweep and inverse sizing of :mod:`sizer.scaling` on DGX H100 PODs.

Run ``python benchmarks/bench_scaling.py`` (``--repeat N``, ``--check K``).  Targets
(issue 5, on this 2-core machine):

* a full 1..128-server x 1..32-unit sweep of a DGX H100 leaf-spine design (4,096
  analyses) in under 5 s;
* ``size`` (fewest storage units for every GPU >= 90% fed) for a 1,024-server design in
  under 1 s.

It also times one full :func:`sizer.analysis.analyze_design` at the largest sweep point
(what a brute-force sweep would pay per point) and checks ``K`` sampled sweep points
against it (fast == exact).  Exit status 1 when a target is missed or a check fails.

Designs (built in memory; figures from the built-in catalog):

* sweep: DGX H100 (8 GPUs, 4 NDR storage ports, 80 GB/s ingest) running MLPerf Storage
  UNet3D on 6 GPUs and ResNet-50 on 2, IBM ESS 3500 storage (91 GB/s, 8 HDR ports),
  QM9700 leaf-spine with 32 leaves, 16 spines, 1:1;
* size: 1,024 DGX H100 running MLPerf Storage ResNet-50 on all 8 GPUs, 2 storage ports
  each (the most a 2-level QM9700 fabric takes), 64 leaves, 16 spines, 3:1.
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from sizer import scaling
from sizer.catalog import load_catalog
from sizer.design import Design
from sizer.resolve import resolve
from sizer.schema import Scenario

SWEEP_TARGET_S = 5.0
SIZE_TARGET_S = 1.0


MIXED = [
    {"model": "unet3d-mlperf", "phase": "training", "gpus_per_server": 6},
    {"model": "resnet-50-mlperf", "phase": "training", "gpus_per_server": 2},
]
RESNET = [{"model": "resnet-50-mlperf", "phase": "training"}]


def h100_pod(
    servers: int, units: int, workloads: list[dict[str, Any]], **network: Any
) -> dict[str, Any]:
    """A DGX H100 + ESS 3500 leaf-spine scenario (as the YAML would hold it)."""
    compute: dict[str, Any] = {"server": "dgx-h100", "count": servers}
    ports = network.pop("storage_ports", None)
    if ports is not None:
        compute["overrides"] = {"storage_ports": ports}
    return {
        "name": f"{servers}x DGX H100 + {units}x ESS 3500, leaf-spine",
        "compute": [compute],
        "storage": [{"unit": "ess-3500", "count": units}],
        "network": {"topology": "leaf-spine", "switch": "qm9700", **network},
        "workloads": workloads,
    }


def design(data: dict[str, Any]) -> Design:
    cat = load_catalog()
    return resolve(Scenario.model_validate(data), cat)


def timed(fn: Any, repeat: int) -> tuple[list[float], Any]:
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def same(a: scaling.SweepPoint, b: scaling.SweepPoint) -> bool:
    def close(x: float | None, y: float | None) -> bool:
        if x is None or y is None:
            return x is y
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6)

    return (
        a.feasible == b.feasible
        and close(a.images_per_sec, b.images_per_sec)
        and close(a.read_bytes_per_sec, b.read_bytes_per_sec)
        and close(a.gpu_data_utilization, b.gpu_data_utilization)
        and close(a.min_gpu_data_utilization, b.min_gpu_data_utilization)
        and (a.bottleneck_kind, a.bottleneck_group) == (b.bottleneck_kind, b.bottleneck_group)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    parser.add_argument("--check", type=int, default=12, help="sweep points checked vs exact")
    args = parser.parse_args(argv)
    ok = True
    load1, _, _ = os.getloadavg()
    print(f"# {os.cpu_count()} CPUs, load average {load1:.2f} (timings inflate when > CPUs)")

    d = design(h100_pod(128, 32, MIXED, leaves=32, spines=16))
    scaling.evaluate(d)  # warm-up (imports)
    times, res = timed(lambda: scaling.sweep(d, range(1, 129), range(1, 33)), args.repeat)
    med = statistics.median(times)
    feasible = sum(p.feasible for p in res.points)
    print(
        f"sweep 1..128 servers x 1..32 units: {res.evaluations} points ({feasible} fit the "
        f"ports) median {med:.2f} s, best {min(times):.2f} s "
        f"({1e3 * med / res.evaluations:.2f} ms/point); target < {SWEEP_TARGET_S:g} s: "
        f"{'ok' if med < SWEEP_TARGET_S else 'MISSED'}"
    )
    ok &= med < SWEEP_TARGET_S
    for line in (res.lines[0], res.lines[7], res.lines[15], res.lines[31]):
        k = line.knee
        where = (
            f"knee at {k.servers} servers ({k.efficiency:.0%}), {k.bottleneck_group}"
            if k
            else "linear to 128 servers"
        )
        print(f"  {line.storage_units:>2} units: {where}")

    t0 = time.perf_counter()
    exact = scaling.evaluate(d, method="exact")
    t_exact = time.perf_counter() - t0
    print(
        f"one analyze_design at 128 servers x 32 units: {1e3 * t_exact:.0f} ms "
        f"(a brute-force sweep would take ~{t_exact * res.evaluations / 60:.0f} min at that cost)"
    )
    n_check = min(args.check, len(res.points))
    step = max(1, len(res.points) // max(1, n_check))
    sample = [*res.points[::step][:n_check], res.points[-1]]
    bad = 0
    t0 = time.perf_counter()
    for p in sample:
        e = scaling.evaluate(scaling.vary(d, p.servers, p.storage_units), method="exact")
        if not same(p, e):
            bad += 1
            print(f"  MISMATCH at {p.servers} servers x {p.storage_units} units:\n  {p}\n  {e}")
    print(
        f"checked {len(sample)} sampled points against analyze_design in "
        f"{time.perf_counter() - t0:.1f} s: {'all equal' if not bad else f'{bad} differ'}"
    )
    ok &= bad == 0
    ok &= same(res.points[-1], exact)

    big = design(
        h100_pod(1024, 32, RESNET, leaves=64, spines=16, oversubscription=3, storage_ports=2)
    )
    times, sz = timed(lambda: scaling.size_storage(big), args.repeat)
    med = statistics.median(times)
    print(
        f"size, 1,024 DGX H100: {sz.storage_units} x {sz.unit_id} ({sz.reason}) "
        f"{len(sz.probes)} probes, median {1e3 * med:.0f} ms, best {1e3 * min(times):.0f} ms; "
        f"target < {SIZE_TARGET_S:g} s: {'ok' if med < SIZE_TARGET_S else 'MISSED'}"
    )
    ok &= med < SIZE_TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
