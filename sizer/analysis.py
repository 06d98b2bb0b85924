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

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from sizer.design import Design, cache_hit_ratio, resolve
from sizer.flows import solve
from sizer.topology import Fabric, Router, build_fabric

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.schema import Scenario

__all__ = ["Analysis", "ResourceResult", "WorkloadResult", "analyze", "analyze_design"]

#: A flow at or above this fraction of its demand counts as fed.
FED = 1.0 - 1e-9

KINDS = ("storage", "link", "switch", "server-ingest", "host-preprocessing", "gpu-compute")


# Resource group names: resources that behave alike share one (all units of a storage
# group, all links of one bundle type).  Public so the fast sweep evaluator in
# sizer/scaling.py names groups exactly as the analysis does.


def storage_group(unit_id: str, count: int) -> str:
    return f"{unit_id} x{count}"


def storage_links_group(unit_id: str) -> str:
    return f"{unit_id} -> switch links"


def server_links_group(group_name: str) -> str:
    return f"switch -> {group_name} links"


def fabric_links_group(role_from: str, role_to: str) -> str:
    return f"{role_from} -> {role_to} links" if role_from != role_to else "inter-switch links"


def ingest_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} client ingest"


def preprocessing_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} host preprocessing"


def switch_group(switch_id: str) -> str:
    return f"{switch_id} switches"


@dataclass(slots=True)
class ResourceResult:
    id: str
    kind: str
    group: str  # resources that behave alike (all units of a storage group, ...)
    capacity: float  # bytes/s, or images/s for host-preprocessing
    load: float
    unit: str  # "B/s" or "images/s"

    @property
    def utilization(self) -> float:
        if self.capacity == 0:
            return 1.0 if self.load > 0 else 0.0
        return self.load / self.capacity if math.isfinite(self.capacity) else 0.0

    @property
    def saturated(self) -> bool:
        return self.utilization >= 1.0 - 1e-9 and self.load > 0

    @property
    def headroom(self) -> float:
        """capacity / load: how many times the current load fits (inf when unloaded)."""
        return self.capacity / self.load if self.load > 0 else math.inf


@dataclass(frozen=True)
class WorkloadResult:
    index: int
    label: str
    model: str
    phase: str
    precision: str
    dataset: str | None
    gpus: int
    servers: int
    unbounded: bool
    demand_images_per_sec: float
    images_per_sec: float
    demand_read_bytes_per_sec: float  # from storage, after cache hits
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bound_by: dict[str, Any]
    cache_hit_ratio: float
    cache_mode: str
    cache_note: str


@dataclass
class Analysis:
    """The result of one analysis; :meth:`to_json` is the stable machine-readable form."""

    design: Design
    workloads: list[WorkloadResult]
    resources: list[ResourceResult]
    bottleneck: dict[str, Any] | None
    images_per_sec: float
    read_bytes_per_sec: float
    demand_read_bytes_per_sec: float
    gpu_data_utilization: float | None
    flows: int
    nnz: int
    iterations: int
    fabric: Fabric = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)
    #: the solved problem (weights, capacities, demands, shares, rates), for checking
    problem: tuple[Any, ...] = field(default=(), repr=False)

    def top_resources(self, n: int = 8) -> list[ResourceResult]:
        """The most utilised resources, one per group."""
        best: dict[str, ResourceResult] = {}
        for r in self.resources:
            if r.group not in best or r.utilization > best[r.group].utilization:
                best[r.group] = r
        return sorted(best.values(), key=lambda r: (-r.utilization, r.id))[:n]

    def to_json(self) -> dict[str, Any]:
        d = self.design
        return {
            "scenario": d.name,
            "catalog_digest": d.catalog_digest,
            "design": {
                "servers": d.total_servers,
                "gpus": d.total_gpus,
                "storage_units": d.total_storage_units,
                "topology": d.topology,
                "switches": len(self.fabric.switches),
                "switch": d.switch_id,
            },
            "aggregate": {
                "images_per_sec": self.images_per_sec,
                "read_bytes_per_sec": self.read_bytes_per_sec,
                "demand_read_bytes_per_sec": _num(self.demand_read_bytes_per_sec),
                "gpu_data_utilization": self.gpu_data_utilization,
            },
            "workloads": [
                {
                    "name": w.label,
                    "model": w.model,
                    "phase": w.phase,
                    "precision": w.precision,
                    "dataset": w.dataset,
                    "gpus": w.gpus,
                    "servers": w.servers,
                    "demand_images_per_sec": _num(w.demand_images_per_sec),
                    "images_per_sec": w.images_per_sec,
                    "demand_read_bytes_per_sec": _num(w.demand_read_bytes_per_sec),
                    "read_bytes_per_sec": w.read_bytes_per_sec,
                    "gpu_data_utilization": w.gpu_data_utilization,
                    "bound_by": w.bound_by,
                    "cache": {
                        "hit_ratio": w.cache_hit_ratio,
                        "mode": w.cache_mode,
                        "note": w.cache_note,
                    },
                }
                for w in self.workloads
            ],
            "resources": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "group": r.group,
                    "capacity": r.capacity,
                    "load": r.load,
                    "unit": r.unit,
                    "utilization": r.utilization,
                    "saturated": r.saturated,
                    "headroom": _num(r.headroom),
                }
                for r in self.resources
            ],
            "bottleneck": self.bottleneck,
        }


def _num(x: float) -> float | None:
    """JSON has no infinity: unbounded quantities are null."""
    return x if math.isfinite(x) else None


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
    """
    import time

    t0 = time.perf_counter()
    fab = fabric if fabric is not None else build_fabric(d)
    g = fab.graph
    # ---------------------------------------------------------------- resources
    r_id: list[str] = []
    r_kind: list[str] = []
    r_group: list[str] = []
    r_cap: list[float] = []
    r_unit: list[str] = []

    def add(rid: str, kind: str, group: str, cap: float, unit: str = "B/s") -> int:
        r_id.append(rid)
        r_kind.append(kind)
        r_group.append(group)
        r_cap.append(cap)
        r_unit.append(unit)
        return len(r_id) - 1

    storage_r: dict[str, int] = {}
    for ep in fab.storage:
        s = d.storage[ep.group]
        storage_r[ep.node] = add(
            ep.node, "storage", storage_group(s.unit_id, s.count), s.read_bandwidth * storage_scale
        )
    ingest_r: dict[str, int] = {}
    prep_r: dict[str, int] = {}
    for ep in fab.servers:
        sg = d.servers[ep.group]
        if sg.ingest_limit is not None:
            ingest_r[ep.node] = add(
                f"{ep.node} ingest",
                "server-ingest",
                ingest_group(sg.name, sg.count),
                sg.ingest_limit,
            )
    edge_r: dict[tuple[str, str], int] = {}
    kinds = dict(g.nodes(data="kind"))
    for u, v, data in g.edges(data=True):
        ku, kv = kinds[u], kinds[v]
        if ku == "storage":
            grp = storage_links_group(g.nodes[u]["model"])
        elif kv == "server":
            grp = server_links_group(d.servers[g.nodes[v]["group"]].name)
        else:
            ru, rv = g.nodes[u]["role"], g.nodes[v]["role"]
            grp = fabric_links_group(ru, rv)
        label = f"{data['links']}x {data['link_type']}"
        edge_r[(u, v)] = add(f"{u} -> {v} ({label})", "link", grp, data["capacity"])
    switch_r: dict[str, int] = {}
    if d.switch_forwarding is not None:
        for sw in fab.switches:
            switch_r[sw] = add(
                f"{sw} ({d.switch_id}) forwarding",
                "switch",
                f"{d.switch_id} switches",
                d.switch_forwarding,
            )
    for ep in fab.servers:
        sg = d.servers[ep.group]
        if sg.preprocessing_rate is not None:
            prep_r[ep.node] = add(
                f"{ep.node} preprocessing",
                "host-preprocessing",
                preprocessing_group(sg.name, sg.count),
                sg.preprocessing_rate,
                "images/s",
            )
    n_res = len(r_id)

    # ------------------------------------------------- routing per cabling pattern
    n_units = len(fab.storage)
    st_by_attach: dict[tuple[tuple[str, int], ...], list[str]] = defaultdict(list)
    for ep in fab.storage:
        st_by_attach[ep.attach].append(ep.node)
    st_patterns = list(st_by_attach.items())
    router = Router(g, fab.switches)
    st_src = router.sources([a for a, _nodes in st_patterns])
    st_weight = np.asarray([len(nodes) for _a, nodes in st_patterns], dtype=np.float64)
    # storage-link resource ids per (storage pattern, cable bundle)
    st_link_idx = [
        [np.asarray([edge_r.get((node, sw), -1) for node in nodes], dtype=np.int64) for sw, _n in a]
        for a, nodes in st_patterns
    ]
    router_edges = np.asarray([edge_r[e] for e in router.edges], dtype=np.int64)
    storage_idx = np.asarray([storage_r[ep.node] for ep in fab.storage], dtype=np.int64)
    shared_cache: dict[
        tuple[tuple[str, int], ...], tuple[np.ndarray, np.ndarray, list[tuple[str, float]]]
    ] = {}

    def pattern(
        attach: tuple[tuple[str, int], ...],
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, float]]]:
        """Weights of one byte read by a server cabled as ``attach``: (resource indices,
        fractions) over storage units, storage links and inter-switch links, plus the
        fraction arriving over each of the server's switches."""
        hit = shared_cache.get(attach)
        if hit is not None:
            return hit
        if n_units == 0:  # no storage left (failure analysis): nothing can arrive
            empty: tuple[np.ndarray, np.ndarray, list[tuple[str, float]]] = (
                np.zeros(0, dtype=np.int64),
                np.zeros(0),
                [],
            )
            shared_cache[attach] = empty
            return empty
        w = 1.0 / n_units
        split, edge_flow, to_dst = router.route_arrays(st_src, st_weight * w, attach)
        idx_parts = [storage_idx]
        val_parts = [np.full(n_units, w)]
        through = np.zeros(len(fab.switches))  # bytes entering each switch
        for p, j in zip(*np.nonzero(split), strict=True):
            f = float(split[p, j])
            link_idx = st_link_idx[p][j]
            idx_parts.append(link_idx)
            val_parts.append(np.full(len(link_idx), w * f))
            through[st_src[0][p, j]] += w * f * len(link_idx)
        nz = edge_flow > 0
        idx_parts.append(router_edges[nz])
        val_parts.append(edge_flow[nz])
        if switch_r:
            np.add.at(through, router.ev, edge_flow)
            hit_sw = np.flatnonzero(through > 0)
            idx_parts.append(
                np.asarray([switch_r[router.switches[i]] for i in hit_sw], dtype=np.int64)
            )
            val_parts.append(through[hit_sw])
        res = (np.concatenate(idx_parts), np.concatenate(val_parts), sorted(to_dst.items()))
        shared_cache[attach] = res
        return res

    # ---------------------------------------------------------------- flows
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    demand: list[float] = []
    share: list[float] = []
    flow_w: list[int] = []
    flow_gpus: list[int] = []
    flow_bps: list[float] = []
    flow_miss: list[float] = []
    flow_images_demand: list[float] = []
    unreachable: list[int] = []  # flows whose server cannot reach storage (failed fabric)
    cache_info: dict[int, tuple[float, str, str]] = {}
    servers_by_group: dict[int, list[Any]] = defaultdict(list)
    for ep in fab.servers:
        servers_by_group[ep.group].append(ep)
    f_next = 0
    for w in d.workloads:
        for gi in w.groups:
            sg = d.servers[gi]
            hit, mode, note = cache_hit_ratio(w, sg)
            cache_info.setdefault(w.index, (hit, mode, note))
            miss = 1.0 - hit
            gpus = w.gpus_per_server[gi]
            rate = w.samples_per_sec_per_gpu[gi]
            eps = servers_by_group[gi]
            n = len(eps)
            if n == 0:
                continue
            fids = np.arange(f_next, f_next + n)
            f_next += n
            if w.unbounded:
                dem = math.inf
                img = 0.0
            else:
                img = gpus * rate
                dem = img * w.bytes_per_sample
            demand.extend([dem] * n)
            share.extend([float(max(gpus, 1))] * n)
            flow_w.extend([w.index] * n)
            flow_gpus.extend([0 if w.unbounded else gpus] * n)
            flow_bps.extend([w.bytes_per_sample] * n)
            flow_miss.extend([miss] * n)
            flow_images_demand.extend([img] * n)
            by_attach: dict[tuple[tuple[str, int], ...], list[int]] = defaultdict(list)
            for j, ep in enumerate(eps):
                by_attach[ep.attach].append(j)
            for attach, js in by_attach.items():
                idx, val, to_srv = pattern(attach)
                sel = fids[np.asarray(js)]
                reach = bool(to_srv)
                if miss > 0 and not reach:
                    unreachable.extend(int(f) for f in sel)
                if miss > 0 and reach:
                    rows.append(np.tile(idx, len(sel)))
                    cols.append(np.repeat(sel, len(idx)))
                    vals.append(np.tile(val * miss, len(sel)))
                    for sw, frac in to_srv:
                        ridx = np.fromiter(
                            (edge_r[(sw, eps[j].node)] for j in js), dtype=np.int64, count=len(js)
                        )
                        rows.append(ridx)
                        cols.append(sel)
                        vals.append(np.full(len(js), frac * miss))
                    ing = [ingest_r[eps[j].node] for j in js if eps[j].node in ingest_r]
                    if ing:
                        rows.append(np.asarray(ing, dtype=np.int64))
                        cols.append(sel)
                        vals.append(np.full(len(js), miss))
                if w.bytes_per_sample > 0:
                    pre = [prep_r[eps[j].node] for j in js if eps[j].node in prep_r]
                    if pre:
                        rows.append(np.asarray(pre, dtype=np.int64))
                        cols.append(sel)
                        vals.append(np.full(len(js), 1.0 / w.bytes_per_sample))
    n_flows = f_next
    dem_arr = np.asarray(demand, dtype=np.float64)
    unreach = np.zeros(n_flows, dtype=bool)
    unreach[unreachable] = True
    if unreach.any():
        dem_arr = np.where(unreach, 0.0, dem_arr)  # cut off: nothing can arrive
    if rows:
        W = sp.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_res, n_flows),
        ).tocsr()
        W.sum_duplicates()  # canonical in place, so the solver need not copy it
    else:
        W = sp.csr_matrix((n_res, n_flows))
    caps = np.asarray(r_cap, dtype=np.float64)
    t1 = time.perf_counter()
    sol = solve(W, caps, dem_arr, np.asarray(share, dtype=np.float64))
    t2 = time.perf_counter()
    rates = sol.rates
    load = np.asarray(W @ rates).ravel()

    resources = [
        ResourceResult(r_id[i], r_kind[i], r_group[i], float(caps[i]), float(load[i]), r_unit[i])
        for i in range(n_res)
    ]
    # ---------------------------------------------------------------- per workload
    fw = np.asarray(flow_w, dtype=np.int64)
    fg = np.asarray(flow_gpus, dtype=np.float64)
    fbps = np.asarray(flow_bps, dtype=np.float64)
    fmiss = np.asarray(flow_miss, dtype=np.float64)
    fimg_dem = np.asarray(flow_images_demand, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fimg = np.where(fbps > 0, rates / np.where(fbps > 0, fbps, 1.0), fimg_dem)
        fimg = np.where(unreach, 0.0, fimg)
        futil = np.where(np.asarray(demand) > 0, rates / np.where(dem_arr > 0, dem_arr, 1.0), 1.0)
        futil = np.where(unreach, 0.0, futil)
    binding = sol.binding.copy()
    workloads: list[WorkloadResult] = []
    for w in d.workloads:
        m = fw == w.index
        gpus = int(fg[m].sum())
        hit, mode, note = cache_info.get(w.index, (0.0, "none", ""))
        util = float((fg[m] * futil[m]).sum() / gpus) if gpus > 0 else None
        bound = _bound_by(m, binding, futil, fg, r_id, r_kind, r_group, unreach, w.unbounded)
        workloads.append(
            WorkloadResult(
                index=w.index,
                label=w.label,
                model=w.model_id,
                phase=w.phase,
                precision=w.precision,
                dataset=w.dataset_id,
                gpus=gpus,
                servers=int(m.sum()),
                unbounded=w.unbounded,
                demand_images_per_sec=float(fimg_dem[m].sum()) if not w.unbounded else math.inf,
                images_per_sec=float(fimg[m].sum()) if not w.unbounded else 0.0,
                demand_read_bytes_per_sec=float((dem_arr[m] * fmiss[m]).sum()),
                read_bytes_per_sec=float((rates[m] * fmiss[m]).sum()),
                gpu_data_utilization=util,
                bound_by=bound,
                cache_hit_ratio=hit,
                cache_mode=mode,
                cache_note=note,
            )
        )
    gpu_total = float(fg.sum())
    agg_util = float((fg * futil).sum() / gpu_total) if gpu_total > 0 else None
    f_unbounded = (
        np.asarray([w.unbounded for w in d.workloads])[fw] if n_flows else np.zeros(0, dtype=bool)
    )
    bottleneck = _bottleneck(binding, futil, fg, resources, f_unbounded)
    if unreach.any():
        cut_gpus = float(fg[unreach].sum())
        if bottleneck is None or cut_gpus >= bottleneck["gpus_capped"]:
            bottleneck = {
                "id": None,
                "kind": "link",
                "group": "no path to storage (failed fabric)",
                "resources": 0,
                "utilization": 0.0,
                "capacity": 0.0,
                "unit": "B/s",
                "gpus_capped": int(cut_gpus),
                "capped_gpu_data_utilization": 0.0 if cut_gpus else None,
            }
    t3 = time.perf_counter()
    return Analysis(
        design=d,
        workloads=workloads,
        resources=resources,
        bottleneck=bottleneck,
        images_per_sec=float(sum(w.images_per_sec for w in workloads)),
        read_bytes_per_sec=float((rates * fmiss).sum()),
        demand_read_bytes_per_sec=float((dem_arr * fmiss).sum()),
        gpu_data_utilization=agg_util,
        flows=n_flows,
        nnz=int(W.nnz),
        iterations=sol.iterations,
        problem=(W, caps, dem_arr, np.asarray(share, dtype=np.float64), rates),
        fabric=fab,
        timings={"build": t1 - t0, "solve": t2 - t1, "results": t3 - t2, "total": t3 - t0},
    )


def _capped(binding: np.ndarray, futil: np.ndarray, unbounded: np.ndarray) -> np.ndarray:
    """Flows held below their demand by a resource (read benchmarks always are)."""
    return (binding >= 0) & (unbounded | (futil < FED))


def _bound_by(
    m: np.ndarray,
    binding: np.ndarray,
    futil: np.ndarray,
    fg: np.ndarray,
    r_id: list[str],
    r_kind: list[str],
    r_group: list[str],
    unreach: np.ndarray,
    unbounded: bool,
) -> dict[str, Any]:
    """What holds a workload back: the resource that froze most of its unmet demand."""
    if (m & unreach).any():
        return {"id": None, "kind": "link", "group": "no path to storage (failed fabric)"}
    sel = m & _capped(binding, futil, np.full(len(m), unbounded))
    if not sel.any():
        return {"id": None, "kind": "gpu-compute", "group": "GPU compute"}
    weight = np.ones(int(sel.sum())) if unbounded else (1.0 - futil[sel]) * np.maximum(fg[sel], 1)
    score = np.bincount(binding[sel], weights=weight, minlength=len(r_id))
    best = int(np.argmax(score))  # ties: lowest index
    return {"id": r_id[best], "kind": r_kind[best], "group": r_group[best]}


def _bottleneck(
    binding: np.ndarray,
    futil: np.ndarray,
    fg: np.ndarray,
    resources: list[ResourceResult],
    unbounded: np.ndarray,
) -> dict[str, Any] | None:
    """The saturated resource group that froze the most GPU demand (None: all GPUs fed).

    Resources that behave alike (the units of one storage group, the links of one
    bundle type) form a group; the group's unmet demand is the sum over the flows its
    members froze of ``GPUs x (1 - utilization)`` (a read benchmark flow counts 1).
    """
    sel = _capped(binding, futil, unbounded)
    if not sel.any():
        return None
    names = sorted({r.group for r in resources})
    gid = {g: i for i, g in enumerate(names)}
    r_gid = np.fromiter((gid[r.group] for r in resources), dtype=np.int64, count=len(resources))
    fgrp = r_gid[binding[sel]]
    unmet = np.where(unbounded[sel], 1.0, (1.0 - futil[sel]) * fg[sel])
    score = np.bincount(fgrp, weights=unmet, minlength=len(names))
    g_best = int(np.argmax(score))
    grp = names[g_best]
    in_grp = fgrp == g_best
    gpus = float(fg[sel][in_grp].sum())
    util = float((fg[sel][in_grp] * futil[sel][in_grp]).sum() / gpus) if gpus else None
    members = [r for r in resources if r.group == grp]
    rep = max(members, key=lambda r: (r.utilization, r.id))
    return {
        "id": rep.id,
        "kind": rep.kind,
        "group": grp,
        "resources": len(members),
        "utilization": rep.utilization,
        "capacity": float(sum(r.capacity for r in members)),
        "unit": rep.unit,
        "gpus_capped": int(gpus),
        "capped_gpu_data_utilization": util,
    }
