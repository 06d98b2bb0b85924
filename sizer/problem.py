"""The max-min problem of a design: its rows (resources), its columns (flows) and the
weight matrix between them.

Rows: one per element of the fabric that data crosses (:func:`declare_rows`): storage
units, client ingest, the client hosts' PCIe and memory, link bundles, switch
forwarding, host preprocessing.  Columns: one flow per workload per server, routed over
the fabric (:class:`Routes`, :class:`DirectRoutes`) and written block by block
(:class:`ColumnBlocks`).  ``weights[r, f]`` is what one byte delivered to flow ``f`` costs
resource ``r``.  :mod:`sizer.analysis` solves the problem and reduces it to results;
:mod:`sizer.transfer` reuses its rows and routes for bulk transfers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from sizer.design import Design
from sizer.model import (
    FlowSpec,
    Resources,
    drive_links_group,
    fabric_links_group,
    server_links_group,
    storage_links_group,
)
from sizer.routing import Router
from sizer.topology import Fabric

__all__ = [
    "ColumnBlocks",
    "Columns",
    "DirectRoutes",
    "Routes",
    "Rows",
    "columns",
    "declare_rows",
    "flow_block",
]


@dataclass
class Rows:
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
) -> Rows:
    """One row per element: storage units, client ingest, the client hosts' PCIe and
    memory, link bundles, switch forwarding, host preprocessing (this order breaks ties
    between simultaneous saturations)."""
    t = Resources()
    rows = Rows(t, {}, {}, {}, {}, {})
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
        rows: Rows,
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

    def __init__(self, fab: Fabric, rows: Rows, replicas: int = 1) -> None:
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
class Columns:
    """The flows: one per workload per server, and the weight matrix."""

    weights: Any  # (R, F) CSC
    demand: np.ndarray
    share: np.ndarray
    spec: np.ndarray  # FlowSpec index of each flow
    unreachable: np.ndarray

    @property
    def n(self) -> int:
        return len(self.spec)


def columns(
    d: Design,
    fab: Fabric,
    rows: Rows,
    specs: list[FlowSpec],
    bundles: list[tuple[str, str, dict[str, Any]]],
) -> Columns:
    """Route every flow's bytes: storage, links and switches carry ``miss`` per byte read,
    the server's ingest ``miss``, its preprocessing ``1 / bytes_per_sample`` images.

    Flows are numbered spec by spec, server by server.  Servers of one group that share
    a cabling pattern share the routed part of their column, so each (spec, pattern)
    block of columns is written at once (:class:`ColumnBlocks`)."""
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
    return Columns(W, dem, _join(share, np.float64), _join(spec_of, np.int64), cut)


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
    rows: Rows,
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


class ColumnBlocks:
    """A weight matrix (R, F) assembled block of columns by block, as CSC.

    Each block is a set of columns (flows, ascending) with the same entries per column,
    given as pieces of one value per column or one row shared by all.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]] = []

    def add(self, flows: np.ndarray, r_parts: list[np.ndarray], v_parts: list[np.ndarray]) -> None:
        if r_parts:
            self.blocks.append((flows, r_parts, v_parts))

    def matrix(self, n_rows: int, n_flows: int) -> Any:
        counts = np.zeros(n_flows, dtype=np.int64)
        for flows, r_parts, _v in self.blocks:
            counts[flows] = sum(r.shape[1] for r in r_parts)
        nnz = int(counts.sum())
        # 32-bit indices, as scipy picks them for this size (the solver needs no copy)
        idx_t = np.int32 if max(nnz, n_rows, n_flows) < np.iinfo(np.int32).max else np.int64
        indptr = np.zeros(n_flows + 1, dtype=idx_t)
        np.cumsum(counts, out=indptr[1:])
        indices = np.empty(nnz, dtype=idx_t)
        data = np.empty(nnz, dtype=np.float64)
        for flows, r_parts, v_parts in self.blocks:
            _write_block(indices, indptr, flows, r_parts)
            _write_block(data, indptr, flows, v_parts)
        # the solver takes CSC as it is (rows within a column in the order written, each
        # once: a flow crosses each resource once)
        return sp.csc_array((data, indices, indptr), shape=(n_rows, n_flows))


def _write_block(
    target: np.ndarray, indptr: np.ndarray, flows: np.ndarray, pieces: list[Any]
) -> None:
    """Write one block's pieces (each ``(flows, width)``) into the CSC array ``target``."""
    n = len(flows)
    width = sum(p.shape[1] for p in pieces)
    if int(flows[-1]) - int(flows[0]) + 1 == n:  # consecutive flows: one contiguous slab
        start = int(indptr[flows[0]])
        slab = target[start : start + n * width].reshape(n, width)
        col = 0
        for p in pieces:
            slab[:, col : col + p.shape[1]] = p
            col += p.shape[1]
    else:
        target[indptr[flows][:, None] + np.arange(width)] = np.hstack(pieces)
