"""Time :func:`sizer.flows.solve` on random instances shaped like a leaf-spine cluster.

Run ``python benchmarks/bench_flows.py`` (add ``--repeat N``, ``--seed S``).  For each
cluster size it prints the instance shape, the number of filling iterations and the
median / fastest solve time over the repeats.  Target: the 1,024-server instance
(2,048 flows x ~1,200 resources x ~250k nonzeros) well under 30 ms.

Instance model (all figures are assumptions chosen to make many resources contend):

* each server has 2 storage-network ports; one flow per port (F = 2 * servers), each
  flow standing for 4 GPUs (share 4) of one of four job classes whose per-GPU read rate
  is 0.4, 0.8, 1.5 or 3 GB/s, times +-20 % jitter so that no two demands tie;
* resources: one host link per server (50 GB/s, both flows cross it, weight 1), one
  uplink bundle per 32-server leaf (weight 1), ``servers / 64`` spines shared by ECMP
  (weight 1 / n_spines each), one downlink bundle per storage leaf (weight 1 / n
  storage leaves), and ``servers / 8`` storage nodes of 25 GB/s (with +-30 % spread);
  each flow stripes over ~100 random storage nodes with random (Dirichlet) weights;
* ~1 in 16 flows also carries an images/s limit on a per-leaf preprocessing resource,
  weight 1 / bytes_per_sample (the "different units" case).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from sizer.flows import check_max_min, solve

GB = 1e9


@dataclass
class Instance:
    weights: Any
    capacities: np.ndarray
    demands: np.ndarray
    shares: np.ndarray


def leaf_spine_instance(n_servers: int, rng: np.random.Generator) -> Instance:
    """Build one random instance for a cluster of ``n_servers`` servers."""
    ports = 2
    n_flows = ports * n_servers
    n_leaves = max(1, n_servers // 32)
    n_spines = max(1, n_servers // 64)
    n_storage = max(2, n_servers // 8)
    n_storage_leaves = max(1, n_storage // 32)
    stripe = min(100, n_storage)

    # Resource index ranges.
    host0 = 0
    leaf0 = host0 + n_servers
    spine0 = leaf0 + n_leaves
    sleaf0 = spine0 + n_spines
    store0 = sleaf0 + n_storage_leaves
    prep0 = store0 + n_storage
    n_res = prep0 + n_leaves

    flows = np.arange(n_flows)
    server = flows // ports
    leaf = server * n_leaves // n_servers
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    def add(r: np.ndarray, f: np.ndarray, w: np.ndarray | float) -> None:
        rows.append(np.asarray(r).ravel())
        cols.append(np.asarray(f).ravel())
        vals.append(np.broadcast_to(w, np.shape(r)).ravel().astype(float))

    add(host0 + server, flows, np.ones(n_flows))
    add(leaf0 + leaf, flows, np.ones(n_flows))
    sp_idx = np.broadcast_to(np.arange(n_spines), (n_flows, n_spines))
    add(spine0 + sp_idx, np.repeat(flows, n_spines).reshape(n_flows, -1), 1.0 / n_spines)
    sl_idx = np.broadcast_to(np.arange(n_storage_leaves), (n_flows, n_storage_leaves))
    add(
        sleaf0 + sl_idx,
        np.repeat(flows, n_storage_leaves).reshape(n_flows, -1),
        1.0 / n_storage_leaves,
    )
    # Stripes: each flow reads from `stripe` random storage nodes, uneven weights.
    keys = rng.random((n_flows, n_storage))
    chosen = np.argsort(keys, axis=1)[:, :stripe]
    frac = rng.dirichlet(np.full(stripe, 5.0), size=n_flows)
    add(store0 + chosen, np.repeat(flows, stripe).reshape(n_flows, -1), frac)
    # Images/s limit on a few flows: weight 1 / bytes_per_sample.
    limited = flows[rng.random(n_flows) < 1 / 16]
    bytes_per_sample = rng.choice([110e3, 500e3, 3e6], size=limited.size)
    add(prep0 + leaf[limited], limited, 1.0 / bytes_per_sample)

    weights = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_res, n_flows),
    )
    capacities = np.empty(n_res)
    capacities[host0:leaf0] = 50 * GB
    capacities[leaf0:spine0] = 32 * 25 * GB * 0.5  # 2:1 oversubscribed leaf uplinks
    capacities[spine0:sleaf0] = 64 * 25 * GB
    capacities[sleaf0:store0] = 32 * 2 * 25 * GB
    capacities[store0:prep0] = 25 * GB * rng.uniform(0.7, 1.3, n_storage)
    capacities[prep0:] = 20_000  # images/s per leaf preprocessing pool

    gpus = 4
    per_gpu = rng.choice([0.4, 0.8, 1.5, 3.0], size=n_flows) * GB
    demands = gpus * per_gpu * rng.uniform(0.8, 1.2, n_flows)
    shares = np.full(n_flows, float(gpus))
    return Instance(weights, capacities, demands, shares)


def time_solve(inst: Instance, repeat: int) -> tuple[list[float], int]:
    times = []
    result = solve(inst.weights, inst.capacities, inst.demands, inst.shares)  # warm-up
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = solve(inst.weights, inst.capacities, inst.demands, inst.shares)
        times.append(time.perf_counter() - t0)
    problems = check_max_min(inst.weights, inst.capacities, inst.demands, inst.shares, result.rates)
    if problems:
        raise SystemExit("solver result failed check_max_min:\n" + "\n".join(problems[:10]))
    return times, result.iterations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed solves per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--servers", type=int, nargs="*", default=[8, 64, 256, 1024])
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    load1, _, _ = os.getloadavg()
    print(f"# {os.cpu_count()} CPUs, load average {load1:.2f} (timings inflate when > CPUs)")
    header = f"{'servers':>8} {'flows':>6} {'resources':>9} {'nnz':>8} {'iters':>6}"
    print(header + f" {'median ms':>10} {'min ms':>8}")
    for n in args.servers:
        inst = leaf_spine_instance(n, rng)
        times, iters = time_solve(inst, args.repeat)
        n_res, n_flows = inst.weights.shape
        print(
            f"{n:>8} {n_flows:>6} {n_res:>9} {inst.weights.nnz:>8} {iters:>6}"
            f" {1e3 * statistics.median(times):>10.2f} {1e3 * min(times):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
