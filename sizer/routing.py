"""How data is routed over the fabric: equal-cost multi-path at link level.

From the source endpoint, traffic follows only shortest paths (in switch hops) to the
destination; at every node it splits over the next-hop links in proportion to the
number of parallel links.  Endpoints that share a cabling pattern (attached to the same
switches with the same link counts) share the same fractions, so routing is computed
once per pattern pair, not per server.

:func:`routing_fractions` is the reference (networkx, one pair at a time);
:class:`Router` is the vectorised form the analysis uses (tested equal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

__all__ = ["Attach", "Router", "routing_fractions"]

Attach = tuple[tuple[str, int], ...]  # ((switch, links), ...) sorted


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

    def __init__(
        self,
        g: nx.DiGraph | None,
        switches: list[str],
        edges: Iterable[tuple[str, str, dict[str, Any]]] = (),
    ) -> None:
        """Route over the switch graph of ``g``, or (``g`` None) over the switch-to-switch
        ``edges`` among all (u, v, attributes) given in the graph's edge order."""
        import numpy as np
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import shortest_path

        self.switches = list(switches)
        self.index = {s: i for i, s in enumerate(self.switches)}
        if g is not None:
            succ = dict(g.adjacency())  # node -> {successor: edge data}, plain dicts
            edges = ((u, v, data) for u in self.switches for v, data in succ.get(u, {}).items())
        eu, ev, el = [], [], []
        for u, v, data in edges:
            iu, iv = self.index.get(u), self.index.get(v)
            if iu is not None and iv is not None and data.get("links", 0) > 0:
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
