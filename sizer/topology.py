"""The storage fabric as a networkx graph, and how data is routed over it.

Nodes are typed (``kind`` = ``server`` | ``storage`` | ``switch``).  Edges are directed
in the direction data flows for a read (storage -> switch -> server; both directions
between switches) and carry ``links`` (parallel cables), ``rate`` (effective payload
bytes/s of one link, one direction) and ``capacity = links * rate``.

Topologies
----------
single-switch
    Every port of every server and storage unit on one switch.
dual-switch
    Each endpoint splits its ports across switches A and B (the RA's cabling: a DGX-1's
    4 links as 2 + 2, an ESS 3000's 8 links as 4 + 4).  ``isl_links`` optional links join
    A and B; with every endpoint on both switches they carry no read traffic.
direct-attached
    No switch: every server holds its own NVMe drives (each storage group's ``count`` in
    every server), each on a PCIe link of its own (edges drive -> server); a server reads
    only its own drives.
leaf-spine
    Two-level fat tree.  Storage units sit on dedicated storage leaves (as in NVIDIA's
    SuperPOD storage fabric): by default as few leaves as hold the storage ports at the
    chosen oversubscription, or ``storage_leaves``; with ``storage_leaves: 0`` they are
    spread round-robin over the server leaves.  Servers fill the remaining leaves in
    contiguous blocks.  Every leaf has uplinks to every spine sized so that downlink
    bandwidth / uplink bandwidth = ``oversubscription`` (rounded up to whole links, so
    the real ratio is never worse than asked).

Routing over the fabric is :mod:`sizer.routing`.  Failure analysis changes a built
fabric with its operations (:meth:`Fabric.without_switch`, ...), which keep the graph
and every endpoint's cabling in step.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from sizer.design import Design

__all__ = [
    "Endpoint",
    "Fabric",
    "build_fabric",
    "endpoint_rate",
    "plan_cabling",
    "port_overflow",
    "ports_used",
    "server_labels",
    "split_ports",
    "storage_leaf_count",
    "storage_prefix",
]

from sizer.routing import Attach


@dataclass(slots=True)
class Endpoint:
    """A server or storage unit and how it is cabled (treat as read-only)."""

    node: str
    kind: str  # "server" | "storage"
    group: int
    index: int  # 0-based within its group
    attach: Attach
    link_rate: float  # effective bytes/s per cable (min of endpoint and switch rates)


#: (node, attributes) and (u, v, attributes): the graph's content, in insertion order
NodeList = list[tuple[str, dict[str, Any]]]
EdgeList = list[tuple[str, str, dict[str, Any]]]


@dataclass
class Fabric:
    """The built fabric: the graph plus the bookkeeping the report needs.

    The networkx graph is built on first use of :attr:`graph` (the analysis reads the
    plan's node and edge lists instead, :meth:`bundles`); from then on the graph is the
    truth, so that changes made to it are seen.
    """

    servers: list[Endpoint]
    storage: list[Endpoint]
    switches: list[str]
    ports_used: dict[str, int]
    ports_available: dict[str, int]
    cables: dict[str, int] = field(default_factory=dict)  # link type -> count
    topology: str = ""
    _nodes: NodeList | None = field(default=None, repr=False)
    _edges: EdgeList | None = field(default=None, repr=False)
    _graph: nx.DiGraph | None = field(default=None, repr=False)
    #: storage node -> fraction of its unit's bandwidth left (failure analysis)
    unit_scale: dict[str, float] = field(default_factory=dict)

    @property
    def graph(self) -> nx.DiGraph:
        """Nodes typed ``kind`` server | storage | switch; edges with ``links``, ``rate``,
        ``capacity`` and ``link_type`` (built on first use)."""
        if self._graph is None:
            g = nx.DiGraph(topology=self.topology)
            g.add_nodes_from(self._nodes or [])
            g.add_edges_from(self._edges or [])
            self._graph = g
            self._nodes = self._edges = None  # the graph is the truth from now on
        return self._graph

    def nodes(self) -> dict[str, dict[str, Any]]:
        """Node -> attributes (read-only)."""
        if self._graph is None and self._nodes is not None:
            return dict(self._nodes)
        return dict(self.graph.nodes(data=True))

    def bundles(self) -> EdgeList:
        """Every edge (a link bundle, one direction) as (u, v, attributes), in the graph's
        edge order (by source node in insertion order), without building the graph."""
        if self._graph is None and self._nodes is not None and self._edges is not None:
            by_source: dict[str, EdgeList] = defaultdict(list)
            for e in self._edges:
                by_source[e[0]].append(e)
            return [e for node, _attrs in self._nodes for e in by_source.get(node, ())]
        return [(u, v, data) for u, nbrs in self.graph.adjacency() for v, data in nbrs.items()]

    def server_runs(self) -> list[tuple[int, list[str]]]:
        """The server nodes in order, as runs of one group."""
        return [
            (gi, [ep.node for ep in eps])
            for gi, eps in itertools.groupby(self.servers, lambda ep: ep.group)
        ]

    def server_patterns(self) -> dict[int, list[tuple[Attach, Any, list[str]]]]:
        """Per server group: (cabling pattern, positions in the group as an int array,
        server nodes), patterns in order of first appearance."""
        import numpy as np

        by_group: dict[int, dict[Attach, list[Endpoint]]] = defaultdict(dict)
        position: dict[int, int] = defaultdict(int)
        where: dict[str, int] = {}
        for ep in self.servers:
            by_group[ep.group].setdefault(ep.attach, []).append(ep)
            where[ep.node] = position[ep.group]
            position[ep.group] += 1
        out: dict[int, list[tuple[Attach, Any, list[str]]]] = {}
        for gi, by_attach in by_group.items():
            out[gi] = []
            for attach, eps in by_attach.items():
                nodes = [ep.node for ep in eps]
                js = np.fromiter((where[n] for n in nodes), dtype=np.int64, count=len(nodes))
                out[gi].append((attach, js, nodes))
        return out

    def switch_graph(self) -> nx.DiGraph:
        """The subgraph of switches and inter-switch bundles."""
        return self.graph.subgraph(self.switches)

    # ------------------------------------------------------------ failure operations
    # Each returns a changed copy; the graph and every endpoint's ``attach`` (by which
    # the analysis routes) stay in step.

    def copy(self) -> Fabric:
        return dataclasses.replace(
            self,
            _nodes=None,
            _edges=None,
            _graph=self.graph.copy(),
            servers=list(self.servers),
            storage=list(self.storage),
            switches=list(self.switches),
            ports_used=dict(self.ports_used),
            unit_scale=dict(self.unit_scale),
        )

    def without_io_server(self, node: str, io_servers: int) -> Fabric:
        """One of the ``io_servers`` I/O servers of storage unit ``node`` failed: the unit
        keeps (n - 1) / n of its bandwidth and of the cables of each of its bundles (the
        lost server's share, rounded to whole cables; at least one cable stays)."""
        f = self.copy()
        keep = (io_servers - 1) / io_servers
        f.unit_scale[node] = f.unit_scale.get(node, 1.0) * keep
        g = f.graph
        for i, ep in enumerate(f.storage):
            if ep.node != node:
                continue
            att = []
            for sw, n in ep.attach:
                left = max(1, round(n * keep))
                g[node][sw].update(links=left, capacity=left * g[node][sw]["rate"])
                att.append((sw, left))
            f.storage[i] = dataclasses.replace(ep, attach=tuple(att))
        return f

    def without_switch(self, switch: str) -> Fabric:
        """``switch`` failed: its node, its links and every endpoint's cables to it."""
        f = self.copy()
        f.graph.remove_node(switch)
        f.switches.remove(switch)
        f.ports_used.pop(switch, None)
        f.servers = _drop_attach(f.servers, switch)
        f.storage = _drop_attach(f.storage, switch)
        return f

    def without_storage_unit(self, group: int) -> Fabric:
        """The last storage unit of ``group`` failed: its node and its links are gone."""
        f = self.copy()
        lost = [ep for ep in f.storage if ep.group == group][-1]
        f.graph.remove_node(lost.node)
        f.storage = [ep for ep in f.storage if ep is not lost]
        return f

    def without_one_link(self, u: str, v: str, both: bool) -> Fabric:
        """One cable of the bundle u -> v lost (and of v -> u, for inter-switch bundles)."""
        f = self.copy()
        g = f.graph
        for a, b in ((u, v), (v, u)) if both else ((u, v),):
            data = g[a][b]
            n = data["links"] - 1
            if n <= 0:
                g.remove_edge(a, b)
            else:
                g[a][b].update(links=n, capacity=n * data["rate"])
        for lst in (f.servers, f.storage):
            for i, ep in enumerate(lst):
                if ep.node in (u, v):
                    sw = v if ep.node == u else u
                    att = tuple((s, n - 1 if s == sw else n) for s, n in ep.attach)
                    lst[i] = dataclasses.replace(ep, attach=tuple((s, n) for s, n in att if n > 0))
        return f

    # ------------------------------------------------------------ questions
    def reachable_servers(self) -> int:
        """Servers some storage unit can reach: one search from all units at once,
        O(V + E) (a search per unit took 49 s on 10,000 servers x 500 units)."""
        g = self.graph
        todo = [ep.node for ep in self.storage if ep.node in g]
        seen = set(todo)
        while todo:
            for v in g.successors(todo.pop()):
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
        return sum(1 for ep in self.servers if ep.node in seen)

    def edge_capacity(self) -> tuple[float, float]:
        """(sum of switch -> server capacities, sum of storage -> switch capacities)."""
        g = self.graph
        kind = g.nodes
        to_srv = sum(
            d["capacity"] for _u, v, d in g.edges(data=True) if kind[v]["kind"] == "server"
        )
        from_st = sum(
            d["capacity"] for u, _v, d in g.edges(data=True) if kind[u]["kind"] == "storage"
        )
        return float(to_srv), float(from_st)

    def switch_signature(self, sw: str) -> tuple[Any, ...]:
        """Switches with equal signatures are interchangeable (one failure case for all)."""
        g = self.graph
        role = g.nodes[sw].get("role", "switch")
        ends = sorted(
            (g.nodes[x]["kind"], g.nodes[x].get("group", -1), g[sw][x]["links"])
            for x in g.successors(sw)
            if g.nodes[x]["kind"] != "switch"
        )
        ends += sorted(
            ("storage-in", g.nodes[x].get("group", -1), g[x][sw]["links"])
            for x in g.predecessors(sw)
            if g.nodes[x]["kind"] == "storage"
        )
        nbrs = sorted(
            (g.nodes[x].get("role", "switch"), g[sw][x]["links"])
            for x in g.successors(sw)
            if g.nodes[x]["kind"] == "switch"
        )
        return (role, tuple(ends), tuple(nbrs))


def _drop_attach(eps: list[Endpoint], switch: str) -> list[Endpoint]:
    return [
        dataclasses.replace(ep, attach=tuple((sw, n) for sw, n in ep.attach if sw != switch))
        if any(sw == switch for sw, _n in ep.attach)
        else ep
        for ep in eps
    ]


def server_labels(d: Design) -> list[str]:
    """Each server group's node-name prefix: its label, plus ``[index]`` when another group
    (two unnamed groups of one server type) or a storage unit has the same label, so that
    no two endpoints share a graph node."""
    seen: dict[str, int] = defaultdict(int)
    for g in d.servers:
        seen[g.name] += 1
    units = {s.unit_id for s in d.storage}
    # storage node prefixes: 'ess-3000', or 'ess-3000[1]' with several storage groups
    taken = units | {storage_prefix(d, si) for si in range(len(d.storage))}
    labels = []
    for gi, g in enumerate(d.servers):
        label = g.name
        if seen[label] > 1 or label in units:
            label = f"{g.name}[{gi}]"
            if label in taken:  # a group named like a storage unit, one of several groups
                label = f"{g.name}[compute {gi}]"
        labels.append(label)
    return labels


def _server_node(labels: list[str], gi: int, k: int) -> str:
    return f"{labels[gi]}#{k + 1}"


def storage_prefix(d: Design, si: int) -> str:
    s = d.storage[si]
    return s.unit_id if len(d.storage) == 1 else f"{s.unit_id}[{si}]"


def _storage_node(d: Design, si: int, k: int) -> str:
    return f"{storage_prefix(d, si)}#{k + 1}"


def split_ports(ports: int, parts: int) -> list[int]:
    """Split ``ports`` as evenly as possible into ``parts`` (first parts get the extra)."""
    base, extra = divmod(ports, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_cabling(
    d: Design,
) -> tuple[list[tuple[str, str, int, int, Attach]], list[str], list[tuple[str, str, int]]]:
    """Cabling plan: endpoints with attachments, switch names, inter-switch bundles.

    Returns ``(endpoints, switches, isl)`` where endpoints are
    ``(node, kind, group, index, attach)`` and isl are ``(a, b, links)`` (undirected).
    """
    eps: list[tuple[str, str, int, int, Attach]] = []
    isl: list[tuple[str, str, int]] = []
    labels = server_labels(d)
    if d.topology == "single-switch":
        switches = ["switch"]
        for gi, g in enumerate(d.servers):
            for k in range(g.count):
                eps.append(
                    (_server_node(labels, gi, k), "server", gi, k, (("switch", g.storage_ports),))
                )
        for si, s in enumerate(d.storage):
            for k in range(s.count):
                eps.append((_storage_node(d, si, k), "storage", si, k, (("switch", s.ports),)))
    elif d.topology == "dual-switch":
        switches = ["switch-A", "switch-B"]

        def att(p: int) -> Attach:
            a, b = split_ports(p, 2)
            return tuple((sw, n) for sw, n in (("switch-A", a), ("switch-B", b)) if n > 0)

        for gi, g in enumerate(d.servers):
            for k in range(g.count):
                eps.append((_server_node(labels, gi, k), "server", gi, k, att(g.storage_ports)))
        for si, s in enumerate(d.storage):
            for k in range(s.count):
                eps.append((_storage_node(d, si, k), "storage", si, k, att(s.ports)))
        if d.isl_links:
            isl.append(("switch-A", "switch-B", d.isl_links))
    else:
        assert d.leaves is not None and d.spines is not None
        leaves = [f"leaf-{i + 1}" for i in range(d.leaves)]
        spines = [f"spine-{i + 1}" for i in range(d.spines)]
        switches = leaves + spines
        n_srv = d.total_servers
        n_st_leaves = storage_leaf_count(d)
        srv_leaves = d.leaves - n_st_leaves
        st_leaves = list(range(srv_leaves, d.leaves)) if n_st_leaves else list(range(srv_leaves))
        per_leaf = split_ports(n_srv, srv_leaves)
        leaf_of: list[int] = []
        for li, n in enumerate(per_leaf):
            leaf_of.extend([li] * n)
        # servers fill the server leaves in contiguous blocks, storage goes round-robin
        # over the storage leaves (or over the server leaves)
        srv_idx = 0
        for gi, g in enumerate(d.servers):
            for k in range(g.count):
                leaf = leaves[leaf_of[srv_idx]]
                eps.append(
                    (_server_node(labels, gi, k), "server", gi, k, ((leaf, g.storage_ports),))
                )
                srv_idx += 1
        st_idx = 0
        for si, s in enumerate(d.storage):
            for k in range(s.count):
                leaf = leaves[st_leaves[st_idx % len(st_leaves)]]
                eps.append((_storage_node(d, si, k), "storage", si, k, ((leaf, s.ports),)))
                st_idx += 1
        # uplinks: leaf downlink bandwidth / oversubscription, split evenly over spines
        down_bw: dict[str, float] = defaultdict(float)
        for _node, kind, gi, _k, attach in eps:
            rate = endpoint_rate(d, kind, gi)
            for sw, n in attach:
                down_bw[sw] += n * rate
        for leaf in leaves:
            up_bw = down_bw[leaf] / d.oversubscription
            per_spine = max(1, math.ceil(up_bw / (d.spines * d.switch_link_rate) - 1e-9))
            for sp in spines:
                isl.append((leaf, sp, per_spine))
    return eps, switches, isl


def storage_leaf_count(d: Design) -> int:
    """Leaves dedicated to storage in a leaf-spine design (0: shared with servers)."""
    assert d.leaves is not None
    if d.leaves == 1:
        return 0
    if d.storage_leaves is not None:
        return min(d.storage_leaves, d.leaves - 1)
    r = d.oversubscription
    down_cap = max(1, math.floor(d.switch_ports * r / (1.0 + r)))
    ports = sum(s.ports * s.count for s in d.storage)
    return min(d.leaves - 1, max(1, math.ceil(ports / down_cap)))


def endpoint_rate(d: Design, kind: str, gi: int) -> float:
    own = d.servers[gi].link_rate if kind == "server" else d.storage[gi].link_rate
    return min(own, d.switch_link_rate)


def ports_used(
    eps: Iterable[tuple[str, str, int, int, Attach]],
    switches: list[str],
    isl: list[tuple[str, str, int]],
) -> dict[str, int]:
    used = dict.fromkeys(switches, 0)
    for _node, _kind, _g, _k, attach in eps:
        for sw, n in attach:
            used[sw] += n
    for a, b, n in isl:
        used[a] += n
        used[b] += n
    return used


def port_overflow(switch: str, used: int, ports: int) -> str:
    """Why a switch cannot take its cabling: ``switch leaf-2 needs 70 ports, has 64``
    (``the switch ...`` for a single-switch fabric's one switch, named "switch")."""
    who = "the switch" if switch == "switch" else f"switch {switch}"
    return f"{who} needs {used} ports, has {ports}"


def build_fabric(d: Design) -> Fabric:
    """Build the fabric graph for a resolved design.

    Raises
    ------
    ValueError
        If a switch has fewer ports than the cabling needs (the loader reports this
        earlier, as a located problem, via :func:`sizer.ports.port_problems`).
    """
    if d.direct_attached:
        return _build_direct(d)
    eps, switches, isl = plan_cabling(d)
    used = ports_used(eps, switches, isl)
    over = [sw for sw, n in used.items() if n > d.switch_ports]
    if over:
        raise ValueError(port_overflow(over[0], used[over[0]], d.switch_ports))
    nodes: NodeList = []
    for sw in switches:
        role = "spine" if sw.startswith("spine") else "leaf" if sw.startswith("leaf") else "switch"
        nodes.append((sw, {"kind": "switch", "role": role, "model": d.switch_id}))
    servers: list[Endpoint] = []
    storage: list[Endpoint] = []
    cables: dict[str, int] = defaultdict(int)
    edges: EdgeList = []
    for node, kind, gi, k, attach in eps:
        rate = endpoint_rate(d, kind, gi)
        if kind == "server":
            link_id, model = d.servers[gi].link_id, d.servers[gi].server_id
        else:
            link_id, model = d.storage[gi].link_id, d.storage[gi].unit_id
        nodes.append((node, {"kind": kind, "group": gi, "index": k, "model": model}))
        ep = Endpoint(node, kind, gi, k, tuple(sorted(attach)), rate)
        (servers if kind == "server" else storage).append(ep)
        for sw, n in attach:
            u, v = (sw, node) if kind == "server" else (node, sw)
            edges.append(
                (u, v, {"links": n, "rate": rate, "capacity": n * rate, "link_type": link_id})
            )
            cables[link_id] += n
    rate = d.switch_link_rate
    for a, b, n in isl:
        attrs = {"links": n, "rate": rate, "capacity": n * rate, "link_type": d.switch_link_id}
        edges.append((a, b, dict(attrs)))
        edges.append((b, a, dict(attrs)))
        cables[d.switch_link_id] += n
    available = dict.fromkeys(switches, d.switch_ports)
    return Fabric(
        servers, storage, switches, used, available, dict(cables), d.topology, nodes, edges
    )


def drive_node(server: str, d: Design, si: int, k: int) -> str:
    """A drive's node: its server's node, then its own, e.g. ``dgx-h100#1/micron-9550-pro#3``."""
    return f"{server}/{_storage_node(d, si, k)}"


def _build_direct(d: Design) -> Fabric:
    """The direct-attached fabric: every server with its own drives (each storage group's
    ``count`` of them), each drive on one PCIe link of its own into its server; no
    switches, no cables.  A server's ``attach`` lists its drives (one link each), a
    drive's its server, so every server is a cabling pattern of its own."""
    labels = server_labels(d)
    nodes: NodeList = []
    edges: EdgeList = []
    servers: list[Endpoint] = []
    storage: list[Endpoint] = []
    n_srv = 0
    for gi, g in enumerate(d.servers):
        for k in range(g.count):
            node = _server_node(labels, gi, k)
            nodes.append((node, {"kind": "server", "group": gi, "index": k, "model": g.server_id}))
            drives: list[str] = []
            for si, s in enumerate(d.storage):
                for j in range(s.count):
                    dn = drive_node(node, d, si, j)
                    idx = n_srv * s.count + j
                    nodes.append(
                        (dn, {"kind": "storage", "group": si, "index": idx, "model": s.unit_id,
                              "host": node})
                    )  # fmt: skip
                    storage.append(Endpoint(dn, "storage", si, idx, ((node, 1),), s.link_rate))
                    edges.append(
                        (dn, node, {"links": 1, "rate": s.link_rate, "capacity": s.link_rate,
                                    "link_type": s.link_id})
                    )  # fmt: skip
                    drives.append(dn)
            rate = min((s.link_rate for s in d.storage), default=0.0)
            servers.append(Endpoint(node, "server", gi, k, tuple((x, 1) for x in drives), rate))
            n_srv += 1
    return Fabric(servers, storage, [], {}, {}, {}, d.topology, nodes, edges)
