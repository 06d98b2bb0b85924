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
leaf-spine
    Two-level fat tree.  Storage units sit on dedicated storage leaves (as in NVIDIA's
    SuperPOD storage fabric): by default as few leaves as hold the storage ports at the
    chosen oversubscription, or ``storage_leaves``; with ``storage_leaves: 0`` they are
    spread round-robin over the server leaves.  Servers fill the remaining leaves in
    contiguous blocks.  Every leaf has uplinks to every spine sized so that downlink
    bandwidth / uplink bandwidth = ``oversubscription`` (rounded up to whole links, so
    the real ratio is never worse than asked).

Routing
-------
Equal-cost multi-path at link level: from the source endpoint, traffic follows only
shortest paths (in switch hops) to the destination; at every node it splits over the
next-hop links in proportion to the number of parallel links.  Endpoints that share
a cabling pattern (attached to the same switches with the same link counts) share the
same fractions, so routing is computed once per pattern pair, not per server.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.design import Design
    from sizer.schema import Scenario

__all__ = [
    "Endpoint",
    "Fabric",
    "Router",
    "build_fabric",
    "endpoint_rate",
    "port_problems",
    "routing_fractions",
    "split_ports",
    "storage_leaf_count",
]

Attach = tuple[tuple[str, int], ...]  # ((switch, links), ...) sorted


@dataclass(slots=True)
class Endpoint:
    """A server or storage unit and how it is cabled (treat as read-only)."""

    node: str
    kind: str  # "server" | "storage"
    group: int
    index: int  # 0-based within its group
    attach: Attach
    link_rate: float  # effective bytes/s per cable (min of endpoint and switch rates)


@dataclass
class Fabric:
    """The built fabric: the graph plus the bookkeeping the report needs."""

    graph: nx.DiGraph
    servers: list[Endpoint]
    storage: list[Endpoint]
    switches: list[str]
    ports_used: dict[str, int]
    ports_available: dict[str, int]
    cables: dict[str, int] = field(default_factory=dict)  # link type -> count

    def switch_graph(self) -> nx.DiGraph:
        """The subgraph of switches and inter-switch bundles."""
        return self.graph.subgraph(self.switches)


def _server_labels(d: Design) -> list[str]:
    """Each server group's node-name prefix: its label, plus ``[index]`` when another group
    (two unnamed groups of one server type) or a storage unit has the same label, so that
    no two endpoints share a graph node."""
    seen: dict[str, int] = defaultdict(int)
    for g in d.servers:
        seen[g.name] += 1
    units = {s.unit_id for s in d.storage}
    return [
        f"{g.name}[{gi}]" if seen[g.name] > 1 or g.name in units else g.name
        for gi, g in enumerate(d.servers)
    ]


def _server_node(labels: list[str], gi: int, k: int) -> str:
    return f"{labels[gi]}#{k + 1}"


def _storage_node(d: Design, si: int, k: int) -> str:
    s = d.storage[si]
    return f"{s.unit_id}#{k + 1}" if len(d.storage) == 1 else f"{s.unit_id}[{si}]#{k + 1}"


def split_ports(ports: int, parts: int) -> list[int]:
    """Split ``ports`` as evenly as possible into ``parts`` (first parts get the extra)."""
    base, extra = divmod(ports, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _plan(
    d: Design,
) -> tuple[list[tuple[str, str, int, int, Attach]], list[str], list[tuple[str, str, int]]]:
    """Cabling plan: endpoints with attachments, switch names, inter-switch bundles.

    Returns ``(endpoints, switches, isl)`` where endpoints are
    ``(node, kind, group, index, attach)`` and isl are ``(a, b, links)`` (undirected).
    """
    eps: list[tuple[str, str, int, int, Attach]] = []
    isl: list[tuple[str, str, int]] = []
    labels = _server_labels(d)
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
        j = 0
        for gi, g in enumerate(d.servers):
            for k in range(g.count):
                eps.append(
                    (
                        _server_node(labels, gi, k),
                        "server",
                        gi,
                        k,
                        ((leaves[leaf_of[j]], g.storage_ports),),
                    )
                )
                j += 1
        j = 0
        for si, s in enumerate(d.storage):
            for k in range(s.count):
                eps.append(
                    (
                        _storage_node(d, si, k),
                        "storage",
                        si,
                        k,
                        ((leaves[st_leaves[j % len(st_leaves)]], s.ports),),
                    )
                )
                j += 1
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


def _ports(
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


def build_fabric(d: Design) -> Fabric:
    """Build the fabric graph for a resolved design.

    Raises
    ------
    ValueError
        If a switch has fewer ports than the cabling needs (the loader reports this
        earlier, as a located problem, via :func:`port_problems`).
    """
    eps, switches, isl = _plan(d)
    used = _ports(eps, switches, isl)
    over = [sw for sw, n in used.items() if n > d.switch_ports]
    if over:
        raise ValueError(f"switch {over[0]} needs {used[over[0]]} ports, has {d.switch_ports}")
    g = nx.DiGraph(topology=d.topology)
    nodes: list[tuple[str, dict[str, Any]]] = []
    for sw in switches:
        role = "spine" if sw.startswith("spine") else "leaf" if sw.startswith("leaf") else "switch"
        nodes.append((sw, {"kind": "switch", "role": role, "model": d.switch_id}))
    servers: list[Endpoint] = []
    storage: list[Endpoint] = []
    cables: dict[str, int] = defaultdict(int)
    edges: list[tuple[str, str, dict[str, Any]]] = []
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
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return Fabric(
        g, servers, storage, switches, used, dict.fromkeys(switches, d.switch_ports), dict(cables)
    )


def port_problems(
    sc: Scenario, cat: Catalog
) -> list[tuple[tuple[str | int, ...], str, str | None]]:
    """Port-budget and link-compatibility problems of a scenario, as (loc, msg, hint)."""
    from sizer.design import resolve

    d = resolve(sc, cat)
    out: list[tuple[tuple[str | int, ...], str, str | None]] = []
    for gi, gsp in enumerate(d.servers):
        if gsp.link_kind != d.switch_link_kind:
            out.append(
                (
                    ("compute", gi, "server"),
                    f"{gsp.server_id} storage ports are {gsp.link_kind} ({gsp.link_id}) "
                    f"but switch {d.switch_id} is {d.switch_link_kind}",
                    "pick a switch of the same kind, or override storage_link",
                )
            )
    for si, s in enumerate(d.storage):
        if s.link_kind != d.switch_link_kind:
            out.append(
                (
                    ("storage", si, "unit"),
                    f"{s.unit_id} ports are {s.link_kind} ({s.link_id}) but switch "
                    f"{d.switch_id} is {d.switch_link_kind}",
                    f"pick a switch of the same kind, or a storage unit with {d.switch_link_kind} "
                    "ports (`sizer catalog` lists them)",
                )
            )
    if out:
        return out
    eps, switches, isl = _plan(d)
    used = _ports(eps, switches, isl)
    worst = max(switches, key=lambda sw: used[sw])
    if used[worst] > d.switch_ports:
        need = used[worst]
        parts: dict[str, int] = defaultdict(int)
        for _node, kind, gi, _k, attach in eps:
            label = d.servers[gi].server_id if kind == "server" else d.storage[gi].unit_id
            parts[label] += sum(n for sw, n in attach if sw == worst)
        for a, b, n in isl:
            if worst in (a, b):
                parts["inter-switch links"] += n
        detail = " + ".join(f"{n} {label}" for label, n in parts.items() if n)
        where = "the switch" if d.topology == "single-switch" else worst
        if d.topology == "single-switch":
            hint = "use topology dual-switch or leaf-spine"
        elif d.topology == "dual-switch":
            hint = "use topology leaf-spine, or a switch with more ports"
        else:
            hint = "add leaves, raise oversubscription, or use a larger switch"
        out.append(
            (
                ("network", "switch"),
                f"{where} needs {need} ports ({detail}) but {d.switch_id} has {d.switch_ports}",
                hint,
            )
        )
    return out


def routing_fractions(g: nx.DiGraph, src: Attach, dst: Attach) -> dict[tuple[str, str], float]:
    """Fraction of a flow's bytes on each edge, from a source to a destination endpoint.

    Parameters
    ----------
    g : networkx.DiGraph
        The switch graph (switch nodes and inter-switch edges with ``links``).
    src, dst : tuple of (switch, links)
        How the source (a storage unit) and destination (a server) are cabled.

    Returns
    -------
    dict
        ``{(u, v): fraction}`` over inter-switch edges, plus ``("<src>", switch)`` and
        ``(switch, "<dst>")`` entries for the endpoint link bundles.  Fractions leaving
        the source sum to 1.  Returns ``{}`` if the destination is unreachable.

    Notes
    -----
    Cost O(V + E) of the switch graph per call.

    Examples
    --------
    Dual-switch, both ends on both switches: half the bytes via each switch.

    >>> g = nx.DiGraph(); g.add_nodes_from(["A", "B"])
    >>> f = routing_fractions(g, (("A", 4), ("B", 4)), (("A", 2), ("B", 2)))
    >>> f[("<src>", "A")], f[("B", "<dst>")]
    (0.5, 0.5)
    """
    work = nx.DiGraph()
    work.add_nodes_from(g.nodes)
    for u, v, data in g.edges(data=True):
        if data.get("links", 0) > 0:
            work.add_edge(u, v, links=data["links"])
    for sw, n in src:
        if n > 0 and sw in work:
            work.add_edge("<src>", sw, links=n)
    for sw, n in dst:
        if n > 0 and sw in work:
            work.add_edge(sw, "<dst>", links=n)
    if "<src>" not in work or "<dst>" not in work:
        return {}
    try:
        dist = nx.single_source_shortest_path_length(work.reverse(copy=False), "<dst>")
    except nx.NodeNotFound:
        return {}
    if "<src>" not in dist:
        return {}
    inflow: dict[str, float] = defaultdict(float)
    inflow["<src>"] = 1.0
    out: dict[tuple[str, str], float] = {}
    for node in sorted((n for n in dist), key=lambda n: -dist[n]):
        amount = inflow.get(node, 0.0)
        if amount == 0.0 or node == "<dst>":
            continue
        nxt = [
            (v, work[node][v]["links"])
            for v in work.successors(node)
            if v in dist and dist[v] == dist[node] - 1
        ]
        total = sum(n for _v, n in nxt)
        for v, n in nxt:
            share = amount * n / total
            out[(node, v)] = out.get((node, v), 0.0) + share
            inflow[v] += share
    return out


class Router:
    """ECMP routing over a fabric's switch graph, computed once per fabric.

    All-pairs switch hop distances come from :func:`scipy.sparse.csgraph.shortest_path`;
    each destination pattern then costs one layer-by-layer numpy propagation over the
    switch edges, for every source at once (routing is linear in the bytes injected).
    The result equals :func:`routing_fractions` summed over the sources (tested).
    """

    def __init__(self, g: nx.DiGraph, switches: list[str]) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import shortest_path

        self.switches = list(switches)
        self.index = {s: i for i, s in enumerate(self.switches)}
        eu, ev, el = [], [], []
        for u in self.switches:
            if u not in g:
                continue
            iu = self.index[u]
            for v, data in g.adj[u].items():
                iv = self.index.get(v)
                if iv is not None and data.get("links", 0) > 0:
                    eu.append(iu)
                    ev.append(iv)
                    el.append(float(data["links"]))
        n = len(self.switches)
        self.eu = np.asarray(eu, dtype=np.int64)
        self.ev = np.asarray(ev, dtype=np.int64)
        self.el = np.asarray(el, dtype=np.float64)
        self.edges = [(self.switches[a], self.switches[b]) for a, b in zip(eu, ev, strict=True)]
        adj = csr_matrix((np.ones(len(eu)), (self.eu, self.ev)), shape=(n, n))
        self.dist = shortest_path(adj, directed=True, unweighted=True) if n else np.zeros((0, 0))

    def sources(self, attaches: list[Attach]) -> tuple[Any, Any]:
        """Padded arrays (switch index, links) of source patterns, for :meth:`route_arrays`.

        A switch missing from this router (failed) is padded out (links 0).
        """
        import numpy as np

        width = max((len(a) for a in attaches), default=1) or 1
        idx = np.zeros((len(attaches), width), dtype=np.int64)
        links = np.zeros((len(attaches), width))
        for p, attach in enumerate(attaches):
            for j, (sw, n) in enumerate(attach):
                i = self.index.get(sw)
                if i is not None and n > 0:
                    idx[p, j] = i
                    links[p, j] = n
        return idx, links

    def route_arrays(
        self, src: tuple[Any, Any], weights: Any, dst: Attach
    ) -> tuple[Any, Any, dict[str, float]]:
        """Vectorised :meth:`route`: ``src`` from :meth:`sources`, ``weights`` per source.

        Returns ``(split, edge_flow, to_dst)`` where ``split[p, j]`` is the fraction of
        source p's bytes leaving over its j-th cable bundle (rows of unreachable sources
        are 0).
        """
        import numpy as np

        n = len(self.switches)
        dist_c = np.full(n, np.inf)
        for sw, links in dst:
            i = self.index.get(sw)
            if i is not None and links > 0:
                dist_c = np.minimum(dist_c, self.dist[:, i] + 1.0)
        s_idx, s_links = src
        if n == 0:  # every switch failed: nothing is reachable
            return np.zeros_like(s_links), np.zeros(len(self.eu)), {}
        d = np.where(s_links > 0, dist_c[s_idx], np.inf)
        best = d.min(axis=1) if d.size else np.zeros(0)
        chosen = np.isfinite(d) & (d == best[:, None])
        w_links = np.where(chosen, s_links, 0.0)
        total = w_links.sum(axis=1)
        split = np.divide(
            w_links, total[:, None], out=np.zeros_like(w_links), where=total[:, None] > 0
        )
        inflow = np.zeros(n)
        np.add.at(inflow, s_idx.ravel(), (split * np.asarray(weights)[:, None]).ravel())
        edge_flow = np.zeros(len(self.eu))
        to_dst: dict[str, float] = {}
        if len(self.eu):
            du, dv = dist_c[self.eu], dist_c[self.ev]
            valid = np.isfinite(du) & (dv == du - 1.0)
            out_links = np.zeros(n)
            np.add.at(out_links, self.eu[valid], self.el[valid])
        finite = dist_c[np.isfinite(dist_c)]
        maxd = int(finite.max()) if finite.size else 0
        for k in range(maxd, 0, -1):
            layer = dist_c == float(k)
            if k == 1:
                for j in np.flatnonzero(layer & (inflow > 0)):
                    to_dst[self.switches[int(j)]] = float(inflow[j])
                break
            sel = valid & layer[self.eu]
            if not sel.any():
                continue
            f = inflow[self.eu[sel]] * self.el[sel] / out_links[self.eu[sel]]
            edge_flow[sel] += f
            np.add.at(inflow, self.ev[sel], f)
        return split, edge_flow, to_dst

    def route(
        self, sources: list[tuple[Attach, float]], dst: Attach
    ) -> tuple[list[dict[str, float]], Any, dict[str, float]]:
        """Route bytes from several sources to one destination pattern.

        Parameters
        ----------
        sources : list of (attach, weight)
            Each source endpoint pattern and the bytes it injects (e.g. 1/U per unit).
        dst : attach
            The destination endpoint's cabling.

        Returns
        -------
        (per_source, edge_flow, to_dst)
            ``per_source[i]``: {switch: fraction} leaving source i (summing to 1, or {}
            when unreachable); ``edge_flow``: numpy array aligned with :attr:`edges`;
            ``to_dst``: {switch: bytes} into the destination.
        """
        attaches = [a for a, _w in sources]
        split, edge_flow, to_dst = self.route_arrays(
            self.sources(attaches), [w for _a, w in sources], dst
        )
        per_source = []
        for p, attach in enumerate(attaches):
            per_source.append(
                {sw: float(split[p, j]) for j, (sw, _n) in enumerate(attach) if split[p, j] > 0}
            )
        return per_source, edge_flow, to_dst
