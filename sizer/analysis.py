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
import scipy.sparse as sp

from sizer.design import Design, cache_hit_ratio, resolve
from sizer.flows import ColumnBlocks, solve
from sizer.model import (
    FED,
    KINDS,
    FlowSpec,
    Reduced,
    Resources,
    fabric_links_group,
    flow_specs,
    reduce,
    server_links_group,
    storage_links_group,
)
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
    "Transfer",
    "WorkloadResult",
    "analyze",
    "analyze_design",
    "transfer",
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
    (:func:`_declare`), route every server's reads over it into the weight matrix
    (:func:`_columns`), solve max-min fairly (:func:`sizer.flows.solve`), reduce to
    results (:func:`sizer.model.reduce`).
    """
    import time

    t0 = time.perf_counter()
    fab = fabric if fabric is not None else build_fabric(d)
    bundles = fab.bundles()
    rows = _declare(d, fab, storage_scale, bundles)
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


def _declare(
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
    for gi, nodes in runs:
        at = t.ingests([f"{node} ingest" for node in nodes], d.servers[gi])
        if at is not None:
            rows.ingest.update(zip(nodes, at, strict=True))
    for gi, nodes in runs:
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
        if u["kind"] == "storage":
            key = ("storage", u["model"])
        elif v["kind"] == "server":
            key = ("server", d.servers[v["group"]].name)
        else:
            key = (u["role"], v["role"])
        name = group_of.get(key)
        if name is None:
            if key[0] == "storage":
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


class _Routes:
    """Weights of one byte read by a server, per cabling pattern (computed once each).

    Every server's bytes come evenly from every storage unit (striping); the fabric
    splits them over equal-cost paths and parallel links (:class:`sizer.routing.Router`).
    """

    def __init__(
        self, fab: Fabric, rows: _Rows, bundles: list[tuple[str, str, dict[str, Any]]]
    ) -> None:
        self.fab = fab
        self.rows = rows
        self.n_units = len(fab.storage)
        by_attach: dict[tuple[tuple[str, int], ...], list[str]] = defaultdict(list)
        for ep in fab.storage:
            by_attach[ep.attach].append(ep.node)
        patterns = list(by_attach.items())
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
        idx = [self.storage_rows]
        val = [np.full(self.n_units, w)]
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
    routes = _Routes(fab, rows, bundles)
    blocks = ColumnBlocks()
    patterns = fab.server_patterns()
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
        for attach, js, nodes in patterns[fs.group]:
            flows = f_next + js
            idx, val, to_srv = routes(attach)
            if fs.miss > 0 and not to_srv:
                unreachable.append(flows)
            blocks.add(flows, *_block(rows, fs, nodes, idx, val, to_srv))
        f_next += n
    W = blocks.matrix(len(rows.table), f_next)
    cut = np.zeros(f_next, dtype=bool)
    if unreachable:
        cut[np.concatenate(unreachable)] = True
    dem = _join(demand, np.float64)
    if cut.any():
        dem = np.where(cut, 0.0, dem)  # cut off: nothing can arrive
    return _Columns(W, dem, _join(share, np.float64), _join(spec_of, np.int64), cut)


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _block(
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


# ------------------------------------------------------------------ bulk transfers


@dataclass(frozen=True)
class Transfer:
    """A burst of bytes between servers and storage (a checkpoint save or restore),
    solved phase by phase on the model: every server moves its bytes at its max-min fair
    rate; when the first servers finish, the rest share what they freed.

    Attributes
    ----------
    direction : {"write", "read"}
    bytes : float
        All bytes moved.
    seconds : float
        Until the last server is done (0 when nothing moves; inf when a server's bytes
        have no path).
    first_rate : float
        Bytes/s of all servers together in the first phase (every server moving).
    bound_by : dict or None
        The resource group that froze the most bytes: ``{"group", "kind", "resource"}``
        (None when nothing was moved or no resource binds).
    phases : int
        Solves needed (servers finishing at distinct times).
    unknown_storage : bool
        A write burst whose storage units have no write figure (they then bound nothing:
        the time is a lower bound).
    """

    direction: str
    bytes: float
    seconds: float
    first_rate: float
    bound_by: dict[str, str] | None
    phases: int
    unknown_storage: bool

    @property
    def rate(self) -> float:
        """Bytes/s averaged over the whole burst."""
        if self.seconds == 0 or not np.isfinite(self.seconds):
            return 0.0
        return self.bytes / self.seconds


def transfer(
    d: Design,
    server_bytes: dict[str, float],
    direction: str,
    *,
    streams: dict[str, int] | None = None,
    fabric: Fabric | None = None,
    background: Analysis | None = None,
) -> Transfer:
    """Move ``server_bytes`` (server node -> bytes) to storage (``"write"``) or from it
    (``"read"``) on the design's fabric.

    The model is the analysis' (:func:`analyze_design`) with the direction's capacities:
    a write uses each storage unit's write bandwidth (times its fabric scale; a unit
    without a write figure is unlimited and ``unknown_storage`` is set) and the links in
    the other direction (the same rate per direction); the servers' client ingest limit
    is a read figure and only bounds a read, while the client host's PCIe (the same rate
    per direction) and memory (crossed twice; not at all with GPUDirect Storage)
    bound both.  ``background`` is the analysis of the reads
    running meanwhile on the same fabric: a read burst shares every resource with them
    max-min fairly (their flows join each phase's problem with their own demands); a
    write burst shares only the switches with them, after their load.  Every flow's bytes are striped evenly over every
    storage unit, as reads are.  ``streams`` (server -> writing ranks, default 1) weighs
    the fair share: one stream per rank.

    Cost: one max-min solve per phase; servers finishing within 1e-9 of each other
    finish in one phase.
    """
    if direction not in ("write", "read"):
        raise ValueError(f"direction must be 'write' or 'read', not {direction!r}")
    fab = fabric if fabric is not None else build_fabric(d)
    bundles = fab.bundles()
    rows = _declare(d, fab, 1.0, bundles)
    caps = rows.table.capacities()
    unknown = False
    if direction == "write":
        for ep in fab.storage:
            w = d.storage[ep.group].write_bandwidth
            unknown |= w is None
            caps[rows.storage[ep.node]] = (
                np.inf if w is None else w * fab.unit_scale.get(ep.node, 1.0)
            )
        for r in rows.ingest.values():
            caps[r] = np.inf
    # the reads running meanwhile: a read burst shares every row with them max-min
    # fairly (their flows join the problem with their demands); a write burst shares
    # only the switches with them (both directions cross a switch), where the reads keep
    # their rates and the write gets what they leave
    joint = None
    if background is not None and direction == "read":
        bw, _bcaps, bdem, bshare, _brates = background.problem
        if bw.shape[0] != len(rows.table) or [r.id for r in background.resources] != list(
            rows.table.ids
        ):
            raise ValueError("background must be the analysis of the same design and fabric")
        joint = (bw.tocsc(), np.asarray(bdem, dtype=np.float64), np.asarray(bshare, float))
    elif background is not None:
        load = {r.id: r.load for r in background.resources}
        for i in rows.switch.values():
            caps[i] = max(0.0, caps[i] - load.get(rows.table.ids[i], 0.0))
    # one column per server that moves bytes, routed as its reads are (miss 1, no samples);
    # the bytes cross host memory twice (GPU <-> bounce buffer <-> NIC) unless the group
    # uses GPUDirect Storage
    routes = _Routes(fab, rows, bundles)
    blocks = ColumnBlocks()
    nodes_in: list[str] = []
    cut: list[str] = []
    for gi, pats in fab.server_patterns().items():
        crossings = 0 if d.servers[gi].gpudirect_storage else 2
        spec = FlowSpec(0, 0, 0, 1.0, np.inf, 0.0, 0.0, 1.0, True, crossings)
        for attach, _js, nodes in pats:
            mine = [n for n in nodes if server_bytes.get(n, 0.0) > 0]
            if not mine:
                continue
            idx, val, to_srv = routes(attach)
            if not to_srv:
                cut += mine
                continue
            flows = np.arange(len(nodes_in), len(nodes_in) + len(mine))
            blocks.add(flows, *_block(rows, spec, mine, idx, val, to_srv))
            nodes_in += mine
    total = float(sum(server_bytes.values()))
    if cut:
        return Transfer(direction, total, np.inf, 0.0, None, 0, unknown)
    if not nodes_in:
        return Transfer(direction, total, 0.0, 0.0, None, 0, unknown)
    W = blocks.matrix(len(rows.table), len(nodes_in)).tocsc()
    left = np.asarray([server_bytes[n] for n in nodes_in], dtype=np.float64)
    share = np.asarray([float((streams or {}).get(n, 1)) for n in nodes_in])
    frozen: dict[int, float] = defaultdict(float)  # binding row -> bytes it froze
    active = np.arange(len(nodes_in))
    t = 0.0
    first_rate = 0.0
    phases = 0
    while len(active):
        sub = W[:, active]
        dem = np.full(len(active), np.inf)
        shr = share[active]
        if joint is not None:  # the background reads' columns after the burst's
            sub = sp.hstack([sub, joint[0]], format="csc")
            dem = np.concatenate([dem, joint[1]])
            shr = np.concatenate([shr, joint[2]])
        sol = solve(sub.tocsr(), caps, dem, shr)
        rates = sol.rates[: len(active)]
        binding = sol.binding[: len(active)]
        phases += 1
        if phases == 1:
            first_rate = float(rates.sum())
        if not (rates > 0).all():  # a saturated switch left nothing (background reads)
            return Transfer(direction, total, np.inf, first_rate, None, phases, unknown)
        dt_each = left[active] / rates
        dt = float(dt_each.min())
        for rate, b in zip(rates.tolist(), binding.tolist(), strict=True):
            if b >= 0:
                frozen[b] += rate * dt
        t += dt
        left[active] -= rates * dt
        done = dt_each <= dt * (1 + 1e-9)
        left[active[done]] = 0.0
        active = active[~done]
    bound = None
    if frozen:  # the group that froze the most bytes, named by its row that froze most
        by_group: dict[str, float] = defaultdict(float)
        for r, b in frozen.items():
            by_group[rows.table.groups[r]] += b
        top = max(sorted(by_group), key=lambda g: by_group[g])
        row = max((r for r in frozen if rows.table.groups[r] == top), key=lambda r: frozen[r])
        bound = {
            "group": rows.table.groups[row],
            "kind": rows.table.kinds[row],
            "resource": rows.table.ids[row],
        }
        if direction == "write" and bound["kind"] == "link":
            # the rows are the read direction's bundles, each standing for its reverse
            # (the same rate per direction): name what the write crosses
            bound["group"] = _reversed_arrow(bound["group"])
            bound["resource"] = _reversed_arrow(bound["resource"])
    return Transfer(direction, total, t, first_rate, bound, phases, unknown)


def _reversed_arrow(text: str) -> str:
    """``a -> b links`` -> ``b -> a links``; ``u -> v (2x hdr-ib)`` -> ``v -> u (2x hdr-ib)``.

    >>> _reversed_arrow("leaf -> spine links"), _reversed_arrow("leaf-3 -> spine-1 (4x eth)")
    ('spine -> leaf links', 'spine-1 -> leaf-3 (4x eth)')
    >>> _reversed_arrow("inter-switch links")
    'inter-switch links'
    """
    if " -> " not in text:
        return text
    a, rest = text.split(" -> ", 1)
    for tail in (" links", " ("):
        if tail in rest:
            b, end = rest.split(tail, 1)
            return f"{b} -> {a}{tail}{end}"
    return f"{rest} -> {a}"
