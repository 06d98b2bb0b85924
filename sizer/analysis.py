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

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sizer.design import Design, cache_hit_ratio
from sizer.flows import ColumnBlocks, solve
from sizer.model import (
    FED,
    KINDS,
    FlowSpec,
    Reduced,
    Resources,
    drive_links_group,
    fabric_links_group,
    flow_specs,
    reduce,
    server_links_group,
    storage_links_group,
)
from sizer.resolve import resolve
from sizer.result import Analysis, ResourceResult, WorkloadResult
from sizer.routing import Router
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
    (:func:`declare_rows`), route every server's reads over it into the weight matrix
    (:func:`_columns`), solve max-min fairly (:func:`sizer.flows.solve`), reduce to
    results (:func:`sizer.model.reduce`).
    """
    import time

    t0 = time.perf_counter()
    fab = fabric if fabric is not None else build_fabric(d)
    bundles = fab.bundles()
    rows = declare_rows(d, fab, storage_scale, bundles)
    specs = flow_specs(d)
    cols = _columns(d, fab, rows, specs, bundles)
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


@dataclass
class _Rows:
    """The declared resources and where each element's row is."""

    table: Resources
    storage: dict[str, int]  # storage node -> row
    ingest: dict[str, int]  # server node -> row
    edge: dict[tuple[str, str], int]  # graph edge -> row
    switch: dict[str, int]  # switch -> row
    prep: dict[str, int]  # server node -> row
    pcie: dict[str, int] = field(default_factory=dict)  # server node -> row
    memory: dict[str, int] = field(default_factory=dict)  # server node -> row


def declare_rows(
    d: Design, fab: Fabric, storage_scale: float, bundles: list[tuple[str, str, dict[str, Any]]]
) -> _Rows:
    """One row per element: storage units, client ingest, the client hosts' PCIe and
    memory, link bundles, switch forwarding, host preprocessing (this order breaks ties
    between simultaneous saturations)."""
    t = Resources()
    rows = _Rows(t, {}, {}, {}, {}, {})
    for ep in fab.storage:
        scale = storage_scale * fab.unit_scale.get(ep.node, 1.0)
        rows.storage[ep.node] = t.storage_unit(ep.node, d.storage[ep.group], scale)
    runs = list(fab.server_runs())
    # Direct-attached: local drives reach the host over their own PCIe links (rows of
    # kind link), not through the storage NICs, so neither the PCIe behind the NICs nor
    # the published client read limit (a storage-network read: the DGX H100's 80 GB/s is
    # "the maximum network performance") applies; host memory does (rows below).
    networked = fab.topology != "direct-attached"
    for gi, nodes in runs if networked else ():
        at = t.ingests([f"{node} ingest" for node in nodes], d.servers[gi])
        if at is not None:
            rows.ingest.update(zip(nodes, at, strict=True))
    for gi, nodes in runs if networked else ():
        at = t.pcies([f"{node} PCIe (storage NICs)" for node in nodes], d.servers[gi])
        if at is not None:
            rows.pcie.update(zip(nodes, at, strict=True))
    for gi, nodes in runs:
        at = t.host_memories([f"{node} host memory" for node in nodes], d.servers[gi])
        if at is not None:
            rows.memory.update(zip(nodes, at, strict=True))
    edges, ids, groups, caps = _link_bundles(d, fab, bundles)
    rows.edge = dict(zip(edges, t.links(ids, groups, caps), strict=True))
    for sw in fab.switches:
        i = t.switch(f"{sw} ({d.switch_id}) forwarding", d)
        if i is not None:
            rows.switch[sw] = i
    for gi, nodes in runs:
        at = t.preprocessings([f"{node} preprocessing" for node in nodes], d.servers[gi])
        if at is not None:
            rows.prep.update(zip(nodes, at, strict=True))
    return rows


def _link_bundles(
    d: Design, fab: Fabric, bundles: list[tuple[str, str, dict[str, Any]]]
) -> tuple[list[tuple[str, str]], list[str], list[str], list[float]]:
    """Every graph edge (a link bundle, one direction) in graph order: (u, v), id, group
    and capacity."""
    nodes = fab.nodes()
    group_of: dict[tuple[str, str], str] = {}  # (u, v) -> group, memoised by end type

    def group(u: dict[str, Any], v: dict[str, Any]) -> str:
        if u["kind"] == "storage" and v["kind"] == "server":  # direct-attached: a drive
            key = ("drive", u["model"])
        elif u["kind"] == "storage":
            key = ("storage", u["model"])
        elif v["kind"] == "server":
            key = ("server", d.servers[v["group"]].name)
        else:
            key = (u["role"], v["role"])
        name = group_of.get(key)
        if name is None:
            if key[0] == "drive":
                name = drive_links_group(key[1])
            elif key[0] == "storage":
                name = storage_links_group(key[1])
            elif key[0] == "server":
                name = server_links_group(key[1])
            else:
                name = fabric_links_group(*key)
            group_of[key] = name
        return name

    edges, ids, groups, caps = [], [], [], []
    for u, v, data in bundles:
        edges.append((u, v))
        ids.append(f"{u} -> {v} ({data['links']}x {data['link_type']})")
        groups.append(group(nodes[u], nodes[v]))
        caps.append(data["capacity"])
    return edges, ids, groups, caps


_Pattern = tuple[np.ndarray, np.ndarray, list[tuple[str, float]]]


class Routes:
    """Weights of one byte read by a server, per cabling pattern (computed once each).

    Every server's bytes come evenly from every storage unit (striping); the fabric
    splits them over equal-cost paths and parallel links (:class:`sizer.routing.Router`).
    A server that cannot reach some units (a failed switch) reads their share from the
    replicas on the units it reaches when the file system keeps ``replicas`` >= 2 copies
    and at most ``replicas - 1`` units are out of reach; otherwise part of every striped
    file is out of its reach and it gets nothing (no path).
    """

    def __init__(
        self,
        fab: Fabric,
        rows: _Rows,
        bundles: list[tuple[str, str, dict[str, Any]]],
        replicas: int = 1,
    ) -> None:
        self.fab = fab
        self.rows = rows
        self.n_units = len(fab.storage)
        self.replicas = replicas
        by_attach: dict[tuple[tuple[str, int], ...], list[str]] = defaultdict(list)
        for ep in fab.storage:
            by_attach[ep.attach].append(ep.node)
        patterns = list(by_attach.items())
        pattern_of = {n: p for p, (_a, nodes) in enumerate(patterns) for n in nodes}
        self.unit_pattern = np.asarray([pattern_of[ep.node] for ep in fab.storage], np.int64)
        self.router = Router(None, fab.switches, bundles)
        self.src = self.router.sources([a for a, _nodes in patterns])
        self.src_weight = np.asarray([len(nodes) for _a, nodes in patterns], dtype=np.float64)
        # storage-link rows of every (storage pattern p, cable bundle j), flattened, with
        # the bundle each belongs to and each bundle's number of links (units)
        st_rows, st_p, st_j = [], [], []
        self.st_count = np.zeros(self.src[0].shape)
        for p, (a, nodes) in enumerate(patterns):
            for j, (sw, _n) in enumerate(a):
                st_rows += [rows.edge.get((n, sw), -1) for n in nodes]
                st_p += [p] * len(nodes)
                st_j += [j] * len(nodes)
                self.st_count[p, j] = len(nodes)
        self.st_rows = np.asarray(st_rows, dtype=np.int64)
        self.st_p = np.asarray(st_p, dtype=np.int64)
        self.st_j = np.asarray(st_j, dtype=np.int64)
        self.router_rows = np.asarray([rows.edge[e] for e in self.router.edges], dtype=np.int64)
        self.storage_rows = np.asarray([rows.storage[ep.node] for ep in fab.storage], np.int64)
        sw_row = rows.switch
        self.switch_rows = np.asarray([sw_row.get(sw, -1) for sw in self.router.switches], np.int64)
        self.cache: dict[tuple[tuple[str, int], ...], _Pattern] = {}

    def __call__(self, attach: tuple[tuple[str, int], ...]) -> _Pattern:
        """(rows, fractions) over storage units, storage links, inter-switch links and
        switches for a server cabled as ``attach``, plus the fraction arriving over each
        of its switches (empty: no path to storage)."""
        hit = self.cache.get(attach)
        if hit is None:
            hit = self.cache[attach] = self._route(attach)
        return hit

    def _route(self, attach: tuple[tuple[str, int], ...]) -> _Pattern:
        if self.n_units == 0:  # no storage left (failure analysis): nothing can arrive
            return np.zeros(0, dtype=np.int64), np.zeros(0), []
        w = 1.0 / self.n_units
        router = self.router
        split, edge_flow, to_dst = router.route_arrays(self.src, self.src_weight * w, attach)
        lost = split.sum(axis=1) == 0  # storage patterns this server cannot reach
        if lost.any() and not lost.all():
            n_lost = float(self.src_weight[lost].sum())
            if n_lost > self.replicas - 1:  # part of every file is out of reach
                return np.zeros(0, dtype=np.int64), np.zeros(0), []
            # the replicas on the units it reaches serve the lost units' share
            w = 1.0 / (self.n_units - n_lost)
            weight = np.where(lost, 0.0, self.src_weight * w)
            split, edge_flow, to_dst = router.route_arrays(self.src, weight, attach)
        idx = [self.storage_rows]
        val = [np.where(lost[self.unit_pattern], 0.0, w)]
        # storage links: each carries its bundle's fraction of its unit's bytes
        frac = split[self.st_p, self.st_j]
        used = frac > 0
        idx.append(self.st_rows[used])
        val.append(w * frac[used])
        nz = edge_flow > 0
        idx.append(self.router_rows[nz])
        val.append(edge_flow[nz])
        if self.rows.switch:
            # bytes entering each switch: from storage bundles (in bundle order), then
            # over inter-switch links
            through = np.zeros(len(self.fab.switches))
            p, j = np.nonzero(split)
            np.add.at(through, self.src[0][p, j], w * split[p, j] * self.st_count[p, j])
            np.add.at(through, router.ev, edge_flow)
            hit_sw = np.flatnonzero(through > 0)
            idx.append(self.switch_rows[hit_sw])
            val.append(through[hit_sw])
        return np.concatenate(idx), np.concatenate(val), sorted(to_dst.items())


class DirectRoutes:
    """Routes of a direct-attached fabric: a server reads its own data striped evenly over
    its own drives (a local file system or RAID 0 over them), ``1 / K`` of every byte
    from each of its K drives and over each drive's PCIe link; nothing is shared between
    servers.  A server whose drives are not all there (a lost drive) reads the lost share
    from its other drives when ``replicas`` >= 2 copies are kept and at most
    ``replicas - 1`` are lost; otherwise part of its data is offline and it gets nothing."""

    def __init__(self, fab: Fabric, rows: _Rows, replicas: int = 1) -> None:
        self.rows = rows
        self.replicas = replicas

    def __call__(self, attach: tuple[tuple[str, int], ...]) -> _Pattern:
        """(storage rows, fractions) of the server's drives, and the fraction arriving
        over each drive's link (empty: its data is offline)."""
        have = [dn for dn, _n in attach if dn in self.rows.storage]
        lost = len(attach) - len(have)
        if not have or lost > self.replicas - 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0), []
        w = 1.0 / len(have)
        idx = np.asarray([self.rows.storage[dn] for dn in have], dtype=np.int64)
        return idx, np.full(len(have), w), [(dn, w) for dn in have]


@dataclass
class _Columns:
    """The flows: one per workload per server, and the weight matrix."""

    weights: Any  # (R, F) CSR
    demand: np.ndarray
    share: np.ndarray
    spec: np.ndarray  # FlowSpec index of each flow
    unreachable: np.ndarray

    @property
    def n(self) -> int:
        return len(self.spec)


def _columns(
    d: Design,
    fab: Fabric,
    rows: _Rows,
    specs: list[FlowSpec],
    bundles: list[tuple[str, str, dict[str, Any]]],
) -> _Columns:
    """Route every flow's bytes: storage, links and switches carry ``miss`` per byte read,
    the server's ingest ``miss``, its preprocessing ``1 / bytes_per_sample`` images.

    Flows are numbered spec by spec, server by server.  Servers of one group that share
    a cabling pattern share the routed part of their column, so each (spec, pattern)
    block of columns is written at once (:class:`sizer.flows.ColumnBlocks`)."""
    routes: Routes | DirectRoutes = (
        DirectRoutes(fab, rows, d.data_replicas)
        if fab.topology == "direct-attached"
        else Routes(fab, rows, bundles, replicas=d.data_replicas)
    )
    blocks = ColumnBlocks()
    patterns = fab.server_patterns()
    unit_rows = [(rows.storage[ep.node], ep.group) for ep in fab.storage]
    demand: list[np.ndarray] = []
    share: list[np.ndarray] = []
    spec_of: list[np.ndarray] = []
    unreachable: list[np.ndarray] = []
    f_next = 0
    for si, fs in enumerate(specs):
        n = sum(len(nodes) for _attach, _js, nodes in patterns.get(fs.group, []))
        if n == 0:
            continue
        demand.append(np.full(n, fs.demand))
        share.append(np.full(n, fs.share))
        spec_of.append(np.full(n, si, dtype=np.int64))
        cost = _row_costs(len(rows.table), unit_rows, fs.storage_cost)
        for attach, js, nodes in patterns[fs.group]:
            flows = f_next + js
            idx, val, to_srv = routes(attach)
            if cost is not None:
                val = val * cost[idx]
            if fs.miss > 0 and not to_srv:
                unreachable.append(flows)
            blocks.add(flows, *flow_block(rows, fs, nodes, idx, val, to_srv))
        f_next += n
    W = blocks.matrix(len(rows.table), f_next)
    cut = np.zeros(f_next, dtype=bool)
    if unreachable:
        cut[np.concatenate(unreachable)] = True
    dem = _join(demand, np.float64)
    if cut.any():
        dem = np.where(cut, 0.0, dem)  # cut off: nothing can arrive
    return _Columns(W, dem, _join(share, np.float64), _join(spec_of, np.int64), cut)


def _row_costs(
    n_rows: int, unit_rows: list[tuple[int, int]], storage_cost: tuple[float, ...]
) -> np.ndarray | None:
    """Per row, what one routed byte of a flow costs it: the flow's access-pattern cost
    on its storage units' rows (:mod:`sizer.access`), 1 elsewhere; None: 1 everywhere."""
    if not storage_cost:
        return None
    cost = np.ones(n_rows)
    for row, group in unit_rows:
        cost[row] = storage_cost[group]
    return cost


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def flow_block(
    rows: _Rows,
    fs: FlowSpec,
    nodes: list[str],
    idx: np.ndarray,
    val: np.ndarray,
    to_srv: list[tuple[str, float]],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The rows and weights of one block of columns (one server each), as column pieces:
    each piece is either one value per server or shared by all (broadcast)."""
    n = len(nodes)
    r_parts: list[np.ndarray] = []
    v_parts: list[np.ndarray] = []
    miss = fs.miss
    if miss > 0 and to_srv:
        r_parts.append(np.broadcast_to(idx, (n, len(idx))))
        v_parts.append(np.broadcast_to(val * miss, (n, len(idx))))
        for sw, frac in to_srv:
            r_parts.append(_per_server(rows.edge, [(sw, node) for node in nodes]))
            v_parts.append(np.full((n, 1), frac * miss))
        if nodes[0] in rows.ingest:
            r_parts.append(_per_server(rows.ingest, nodes))
            v_parts.append(np.full((n, 1), miss))
        if nodes[0] in rows.pcie:
            r_parts.append(_per_server(rows.pcie, nodes))
            v_parts.append(np.full((n, 1), miss))
        if fs.memory_crossings and nodes[0] in rows.memory:
            r_parts.append(_per_server(rows.memory, nodes))
            v_parts.append(np.full((n, 1), fs.memory_crossings * miss))
    if fs.bytes_per_sample > 0 and nodes[0] in rows.prep:
        r_parts.append(_per_server(rows.prep, nodes))
        v_parts.append(np.full((n, 1), 1.0 / fs.bytes_per_sample))
    return r_parts, v_parts


def _per_server(row_of: dict[Any, int], keys: list[Any]) -> np.ndarray:
    """One row per server, as a column vector."""
    return np.fromiter((row_of[k] for k in keys), dtype=np.int64, count=len(keys))[:, None]


def _analysis(
    d: Design,
    fab: Fabric,
    specs: list[FlowSpec],
    table: Resources,
    red: Reduced,
    cols: _Columns,
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
        bottleneck=red.bottleneck,
        images_per_sec=red.images_per_sec,
        read_bytes_per_sec=red.read_bytes_per_sec,
        demand_read_bytes_per_sec=red.demand_read_bytes_per_sec,
        gpu_data_utilization=red.gpu_data_utilization,
        flows=cols.n,
        nnz=int(cols.weights.nnz),
        iterations=sol.iterations,
        problem=(cols.weights, caps, cols.demand, cols.share, sol.rates),
        fabric=fab,
        timings=timings,
        reduced=red,
    )
