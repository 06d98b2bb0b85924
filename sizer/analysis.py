"""Demand vs supply on the fabric: per-workload rates, resource loads, the bottleneck.

``analyze(scenario, catalog) -> Analysis`` is pure.  The model (DOMAIN.md, "The model
sizer computes"):

1. **Demand.** A GPU running workload W wants ``samples/s(model, GPU, precision, phase)``
   (catalog) x ``bytes/sample(dataset)`` bytes/s.  A flow is one workload on one server;
   its demand is that times the GPUs it uses.  Synthetic data wants 0 bytes.  A local
   cache with hit ratio h serves a fraction h locally: only ``1 - h`` of the bytes cross
   the fabric and hit storage.
2. **Supply.** Every resource data crosses has a capacity: each storage unit's read
   bandwidth, each link bundle (per direction data flows), each inter-switch bundle, each
   switch's forwarding capacity (half its bidirectional switching capacity), each
   server's client-side ingest limit (catalog, where published), optionally each
   server's host preprocessing rate in images/s.
3. **Routing.** Spectrum-Scale-style striping: every server's bytes come evenly from
   every storage unit; the fabric splits them over equal-cost paths and parallel links
   (:func:`sizer.topology.routing_fractions`).  ``weights[r, f]`` is the fraction of flow
   f's bytes that cross resource r.
4. **Sharing.** Weighted max-min fairness per GPU (:func:`sizer.flows.solve`).

Flows are measured in *dataset bytes consumed per second* (including cache hits), so
storage and links carry ``(1 - h)`` per byte and host preprocessing ``1 / bytes_per_sample``
images per byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sizer.design import Design, cache_hit_ratio
from sizer.flows import solve
from sizer.model import FED, KINDS, FlowSpec, Resources, flow_specs
from sizer.problem import Columns, columns, declare_rows
from sizer.reduction import Reduced, reduce
from sizer.resolve import resolve
from sizer.result import Analysis, ResourceResult, WorkloadResult
from sizer.topology import Fabric, build_fabric

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.schema import Scenario

__all__ = [
    "FED",
    "KINDS",
    "Analysis",
    "ResourceResult",
    "WorkloadResult",
    "analyze",
    "analyze_design",
]


def analyze(scenario: Scenario, catalog: Catalog) -> Analysis:
    """Analyze a validated scenario (see :func:`sizer.loader.load_scenario`).

    Parameters
    ----------
    scenario : Scenario
    catalog : Catalog

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from sizer.catalog import load_catalog
    >>> from sizer.loader import load_scenario
    >>> cat = load_catalog()
    >>> a = analyze(load_scenario("scenarios/ra-1x-dgx1-1x-ess3000.yaml", cat), cat)
    >>> a.bottleneck is None   # one ESS 3000 is not stressed by one DGX-1 (RA)
    True
    """
    return analyze_design(resolve(scenario, catalog))


def analyze_design(d: Design, fabric: Fabric | None = None, storage_scale: float = 1.0) -> Analysis:
    """Analyze a resolved design, optionally on a given (e.g. degraded) fabric.

    ``storage_scale`` multiplies every storage unit's read bandwidth (used by scaling
    analysis to ask "what if storage were unlimited": pass ``math.inf``).

    Four steps: declare the resources of every element of the fabric
    (:func:`sizer.problem.declare_rows`), route every server's reads over it into the weight matrix
    (:func:`sizer.problem.columns`), solve max-min fairly (:func:`sizer.flows.solve`), reduce to
    results (:func:`sizer.reduction.reduce`).
    """
    import time

    t0 = time.perf_counter()
    fab = fabric if fabric is not None else build_fabric(d)
    bundles = fab.bundles()
    rows = declare_rows(d, fab, storage_scale, bundles)
    specs = flow_specs(d)
    cols = columns(d, fab, rows, specs, bundles)
    caps = rows.table.capacities()
    t1 = time.perf_counter()
    sol = solve(cols.weights, caps, cols.demand, cols.share)
    t2 = time.perf_counter()
    red = reduce(
        d,
        specs,
        cols.spec,
        np.ones(cols.n),
        rows.table,
        cols.weights,
        cols.demand,
        sol.rates,
        sol.binding,
        cols.unreachable,
    )
    t3 = time.perf_counter()
    return _analysis(
        d,
        fab,
        specs,
        rows.table,
        red,
        cols,
        sol,
        caps,
        {"build": t1 - t0, "solve": t2 - t1, "results": t3 - t2, "total": t3 - t0},
    )


def _analysis(
    d: Design,
    fab: Fabric,
    specs: list[FlowSpec],
    table: Resources,
    red: Reduced,
    cols: Columns,
    sol: Any,
    caps: np.ndarray,
    timings: dict[str, float],
) -> Analysis:
    resources = [
        ResourceResult(*row)
        for row in zip(
            table.ids,
            table.kinds,
            table.groups,
            caps.tolist(),  # Python floats, as float(caps[i])
            np.asarray(red.load, dtype=np.float64).tolist(),
            table.units,
            strict=True,
        )
    ]
    workloads: list[WorkloadResult] = []
    for w, fig in zip(d.workloads, red.workloads, strict=True):
        first = next((fs for fs in specs if fs.workload == w.index), None)
        hit, mode, note = cache_hit_ratio(w, d.servers[first.group]) if first else (0.0, "none", "")
        workloads.append(
            WorkloadResult(
                index=w.index,
                label=w.label,
                model=w.model_id,
                phase=w.phase,
                precision=w.precision,
                dataset=w.dataset_id,
                gpus=fig.gpus,
                servers=fig.servers,
                unbounded=w.unbounded,
                demand_images_per_sec=fig.demand_images_per_sec,
                images_per_sec=fig.images_per_sec,
                demand_read_bytes_per_sec=fig.demand_read_bytes_per_sec,
                read_bytes_per_sec=fig.read_bytes_per_sec,
                gpu_data_utilization=fig.gpu_data_utilization,
                bound_by=fig.bound_by or {},
                cache_hit_ratio=hit,
                cache_mode=mode,
                cache_note=note,
            )
        )
    return Analysis(
        design=d,
        workloads=workloads,
        resources=resources,
        reduced=red,
        flows=cols.n,
        nnz=int(cols.weights.nnz),
        iterations=sol.iterations,
        problem=(cols.weights, caps, cols.demand, cols.share, sol.rates),
        fabric=fab,
        timings=timings,
    )
