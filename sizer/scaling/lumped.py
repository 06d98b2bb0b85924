"""The lumped fast path: the analysis' max-min problem, symmetry-reduced.

:func:`sizer.analysis.analyze_design` builds the full flows x resources problem (one flow
per workload per server, one resource per link bundle, unit, switch and server).  Sweeps
need thousands of points, so :func:`solve_lumped` solves the *lumped* problem instead:
servers of one compute group cabled alike (same leaf composition in a leaf-spine, same
port split in a dual-switch) are interchangeable, and so are the resources they use.
The max-min fair allocation is unique, hence symmetric, so every flow of a class gets
the same rate and every resource of a class carries the same load.  Progressive filling
on the lumped problem -- one column per (workload, server class), one row per resource
class with weight ``n_flows(class) * sum_of_member_weights / n_members`` -- follows the
same trajectory (same levels, same freeze events) as on the full problem.

Both problems are declared with :mod:`sizer.model` (the same resources, flows and
reduction to results), so they cannot disagree on what a resource is or how the
bottleneck is named.  Routing is the one of :mod:`sizer.topology` (ECMP, striping over
every unit), written per topology in closed form; switch forwarding counts the bytes
entering each switch, as the full analysis does.  A design the closed forms do not
cover raises :class:`Unsupported`, and the caller runs the exact analysis.
``tests/test_scaling.py`` checks lumped == exact on every topology and on random
designs and catalogs (blocking switches, thin links, client caps, client hosts' PCIe and
memory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sizer.design import Design
from sizer.flows import solve_columns
from sizer.model import Resources, flow_specs
from sizer.reduction import reduce
from sizer.topology import port_overflow

if TYPE_CHECKING:
    from sizer.model import FlowSpec
    from sizer.reduction import Reduced

__all__ = ["Parts", "Unsupported", "parts", "solve_lumped"]


class Unsupported(Exception):
    """The design's structure is outside what the lumped model handles (use exact)."""


@dataclass(frozen=True)
class Parts:
    """What the lumped problem of a design needs that its counts do not change: the flow
    specs, per compute and storage group the rate of one cable and its links' group name,
    the fabric links' group names, whether the switch rows can bind.  :func:`parts`
    computes them once; they hold for every design :func:`sizer.scaling.vary` makes of it
    (a sweep's points)."""

    specs: list[FlowSpec]
    srv_rate: list[float]  # one cable, per compute group
    st_rate: list[float]  # one cable, per storage group
    srv_links: list[str]
    st_links: list[str]
    fabric_links: dict[str, str]  # "up" / "down": leaf -> spine, spine -> leaf
    #: A switch that forwards at least what all its ports can bring in (per direction)
    #: never binds: every byte it forwards entered through one of its ports, each at most
    #: switch_link_rate, and on a tie the links (declared first) freeze the flows.  Leaving
    #: its row out changes no rate and no bottleneck; the full analysis keeps it (it lists
    #: every resource).
    switch_free: bool


def parts(d: Design) -> Parts:
    """The :class:`Parts` of ``d`` (and of every design that differs only in counts)."""
    from sizer.model import fabric_links_group, server_links_group, storage_links_group
    from sizer.topology import endpoint_rate

    fwd = d.switch_forwarding
    return Parts(
        specs=flow_specs(d),
        srv_rate=[endpoint_rate(d, "server", i) for i in range(len(d.servers))],
        st_rate=[endpoint_rate(d, "storage", i) for i in range(len(d.storage))],
        srv_links=[server_links_group(sg.name) for sg in d.servers],
        st_links=[storage_links_group(st.unit_id) for st in d.storage],
        fabric_links={
            "up": fabric_links_group("leaf", "spine"),
            "down": fabric_links_group("spine", "leaf"),
        },
        switch_free=fwd is None or fwd >= d.switch_ports * d.switch_link_rate,
    )


@dataclass
class _Cls:
    """A class of interchangeable endpoints: ``n`` of group ``group`` cabled alike.

    ``links`` maps an attachment slot (a switch, or a leaf class) to the links per
    endpoint; ``leaf`` is the leaf class index (leaf-spine) or 0.
    """

    group: int
    leaf: int
    n: int
    links: dict[int, int]


@dataclass
class _Struct:
    srv: list[_Cls]
    st: list[_Cls]
    leaf_spine: bool
    leaf_m: list[int]  # leaf-spine: leaves per leaf class
    leaf_uplinks: list[int]  # leaf-spine: links from one leaf of the class to each spine
    spines: int


def _structure(d: Design, pt: Parts) -> _Struct | str:
    """Endpoint classes and port check of the fabric :func:`sizer.topology.build_fabric`
    would build, in O(switches + groups).  Returns the port problem as a string when
    the switches are too small (``build_fabric`` raises ValueError then)."""
    from sizer.topology import split_ports, storage_leaf_count

    ports = d.switch_ports
    n_sg, n_st = len(d.servers), len(d.storage)
    if d.topology == "single-switch":
        used = sum(g.count * g.storage_ports for g in d.servers) + sum(
            s.count * s.ports for s in d.storage
        )
        if used > ports:
            return port_overflow("switch", used, ports)
        return _Struct(
            [
                _Cls(gi, 0, g.count, {0: g.storage_ports})
                for gi, g in enumerate(d.servers)
                if g.count > 0
            ],
            [_Cls(si, 0, s.count, {0: s.ports}) for si, s in enumerate(d.storage) if s.count > 0],
            False,
            [],
            [],
            0,
        )
    if d.topology == "dual-switch":

        def att(p: int) -> dict[int, int]:
            a, b = split_ports(p, 2)
            return {k: n for k, n in ((0, a), (1, b)) if n > 0}

        srv = [
            _Cls(gi, 0, g.count, att(g.storage_ports))
            for gi, g in enumerate(d.servers)
            if g.count > 0
        ]
        st = [_Cls(si, 0, s.count, att(s.ports)) for si, s in enumerate(d.storage) if s.count > 0]
        for k, name in ((0, "switch-A"), (1, "switch-B")):
            used = sum(c.n * c.links.get(k, 0) for c in srv + st) + d.isl_links
            if used > ports:
                return port_overflow(name, used, ports)
        return _Struct(srv, st, False, [], [], 0)
    if d.topology != "leaf-spine" or d.leaves is None or d.spines is None:
        raise Unsupported(d.topology)
    n_leaves, n_spines = d.leaves, d.spines
    n_st_leaves = storage_leaf_count(d)
    srv_leaves = n_leaves - n_st_leaves
    # Leaves as runs of consecutive alike leaves (composition, leaves): what each holds
    # per compute group, servers filling the server leaves in contiguous blocks, groups
    # in order, ...
    zero_srv, zero_st = (0,) * n_sg, (0,) * n_st
    if n_sg == 1:
        base, extra = divmod(d.total_servers, srv_leaves)  # split_ports, as runs
        srv_runs: list[tuple[tuple[int, ...], int]] = [
            ((base + 1,), extra),
            ((base,), srv_leaves - extra),
        ]
    else:
        starts = [0]
        for g in d.servers:
            starts.append(starts[-1] + g.count)
        comp = []
        lo = 0
        for cnt in split_ports(d.total_servers, srv_leaves):
            hi = lo + cnt
            comp.append(
                tuple(max(0, min(hi, starts[gi + 1]) - max(lo, starts[gi])) for gi in range(n_sg))
            )
            lo = hi
        srv_runs = _runs(comp)
    srv_runs.append((zero_srv, n_st_leaves))
    # ... and per storage group, the units round-robin over the storage leaves (or over
    # all server leaves)
    n_sl = n_st_leaves or srv_leaves
    at_pos: list[list[int]] = [[0] * n_st for _ in range(n_sl)]  # per storage leaf position
    j0 = 0
    for si, s in enumerate(d.storage):
        base, extra = divmod(s.count, n_sl)
        shift = j0 % n_sl  # the group's first unit lands on storage leaf position ``shift``
        for p in range(n_sl):
            at_pos[p][si] = base + (1 if (p - shift) % n_sl < extra else 0)
        j0 += s.count
    st_runs = [(zero_st, srv_leaves)] if n_st_leaves else []
    st_runs += _runs([tuple(x) for x in at_pos])
    # leaf class -> leaves and its first leaf, by first appearance
    counts: dict[tuple[Any, ...], int] = {}
    first: dict[tuple[Any, ...], int] = {}
    lo = 0
    for lk, m in _merge(srv_runs, st_runs):
        if lk in counts:
            counts[lk] += m
        else:
            counts[lk], first[lk] = m, lo
        lo += m
    srv_ports = [g.storage_ports for g in d.servers]
    st_ports = [s.ports for s in d.storage]
    srate = [r * p for r, p in zip(pt.srv_rate, srv_ports, strict=True)]
    trate = [r * p for r, p in zip(pt.st_rate, st_ports, strict=True)]
    info: dict[tuple[Any, ...], tuple[int, int]] = {}
    for lk in counts:
        down_bw = used = 0
        for c, r, p in zip(lk[0], srate, srv_ports, strict=True):
            down_bw += c * r
            used += c * p
        st_bw = 0
        for c, r, p in zip(lk[1], trate, st_ports, strict=True):
            st_bw += c * r
            used += c * p
        down_bw += st_bw
        per_spine = max(
            1, math.ceil(down_bw / d.oversubscription / (n_spines * d.switch_link_rate) - 1e-9)
        )
        info[lk] = (per_spine, used + n_spines * per_spine)
    over = [lk for lk in counts if info[lk][1] > ports]
    if over:
        lk = min(over, key=first.__getitem__)
        return port_overflow(f"leaf-{first[lk] + 1}", info[lk][1], ports)
    spine_ports = sum(info[lk][0] * m for lk, m in counts.items())
    if spine_ports > ports:
        return port_overflow("spine-1", spine_ports, ports)
    classes = {(lk[0], lk[1], info[lk][0]): m for lk, m in counts.items()}
    srv_l: list[_Cls] = []
    st_l: list[_Cls] = []
    leaf_m: list[int] = []
    leaf_uplinks: list[int] = []
    for li, (key, m) in enumerate(classes.items()):
        leaf_m.append(m)
        leaf_uplinks.append(key[2])
        for gi, c in enumerate(key[0]):
            if c:
                srv_l.append(_Cls(gi, li, c * m, {li: srv_ports[gi]}))
        for si, c in enumerate(key[1]):
            if c:
                st_l.append(_Cls(si, li, c * m, {li: st_ports[si]}))
    return _Struct(srv_l, st_l, True, leaf_m, leaf_uplinks, n_spines)


def _runs(values: list[Any]) -> list[tuple[Any, int]]:
    """``values`` as runs of equal consecutive values: (value, length)."""
    out: list[tuple[Any, int]] = []
    for v in values:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


def _merge(a: list[tuple[Any, int]], b: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """Two run-length lists over the same leaves as one of pairs ((a value, b value), length)."""
    out: list[tuple[Any, int]] = []
    i = j = 0
    left_a = left_b = 0
    va = vb = None
    while True:
        while not left_a and i < len(a):
            va, left_a = a[i]
            i += 1
        while not left_b and j < len(b):
            vb, left_b = b[j]
            j += 1
        if not (left_a and left_b):
            return out
        n = min(left_a, left_b)
        out.append(((va, vb), n))
        left_a -= n
        left_b -= n


# Row order mirrors the full analysis' declaration order (units, ingest, the client
# hosts' PCIe and memory, edges in graph order -- server, uplink, downlink, storage --,
# switches, preprocessing) so that simultaneous saturations break ties the same way where
# rounding allows.
(
    _ORD_UNIT,
    _ORD_INGEST,
    _ORD_PCIE,
    _ORD_MEMORY,
    _ORD_PEDGE,
    _ORD_UP,
    _ORD_DOWN,
    _ORD_SEDGE,
    _ORD_SWITCH,
    _ORD_PREP,
) = range(10)


class _Rows:
    """Lumped rows, created on first use and keyed by the class they stand for."""

    def __init__(self) -> None:
        self.table = Resources()
        self.index: dict[tuple[Any, ...], int | None] = {}  # None: no catalog figure
        self.order: list[tuple[int, int, int]] = []

    def get(self, key: tuple[Any, ...], order: int, declare: Any, *args: Any) -> int | None:
        """The row of ``key``, declared by ``declare(table, *args)`` (a
        :class:`~sizer.model.Resources` method) the first time."""
        index = self.index
        if key in index:
            return index[key]
        i = index[key] = declare(self.table, *args)
        if i is not None:
            self.order.append((order, key[1] if len(key) > 1 else 0, key[2] if len(key) > 2 else 0))
        return i

    def link(self, key: tuple[Any, ...], order: int, group: str, cap: float, members: int) -> int:
        """The row of a class of link bundles (one direction)."""
        i = self.index.get(key)
        if i is None:
            i = self.get(key, order, Resources.link, key[0], group, cap, members)
            assert i is not None
        return i

    def resources(self) -> tuple[Resources, dict[int, int]]:
        """The rows in the full analysis' order, and where each declared row went."""
        order = sorted(range(len(self.table)), key=self.order.__getitem__)
        return self.table.reordered(order), {i: p for p, i in enumerate(order)}


def solve_lumped(d: Design, storage_scale: float = 1.0, pt: Parts | None = None) -> Reduced | str:
    """The lumped max-min solution of ``d``, reduced exactly as the full analysis'.

    ``pt`` is :func:`parts` of ``d`` or of the design ``d`` was varied from (a sweep
    computes it once); None computes it.

    Returns the port problem as a string when the switches are too small (the full
    analysis' ``build_fabric`` raises ValueError then).

    Raises
    ------
    Unsupported
        The design is outside what the closed-form routing covers (no storage, a server
        and a storage unit sharing no switch on a dual-switch fabric).
    """
    if d.direct_attached:  # every server its own drives: the full analysis
        raise Unsupported("direct-attached")
    if pt is None:
        pt = parts(d)
    struct = _structure(d, pt)
    if isinstance(struct, str):
        return struct
    if d.total_storage_units == 0:
        raise Unsupported("no storage")
    rows = _Rows()
    routing = _Routing(d, pt, struct, rows, storage_scale)
    specs = pt.specs
    cols: list[dict[int, float]] = []
    col_spec: list[int] = []
    col_n: list[float] = []
    base: dict[int, dict[int, float]] = {}
    for si, fs in enumerate(specs):
        sg = d.servers[fs.group]
        if sg.count == 0:
            continue
        miss = fs.miss
        for pi, pc in enumerate(struct.srv):
            if pc.group != fs.group:
                continue
            col: dict[int, float] = {}
            if miss > 0:
                if pi not in base:
                    base[pi] = routing.column(pi, pc)
                col = dict(base[pi]) if miss == 1.0 else {i: v * miss for i, v in base[pi].items()}
                for g, c in enumerate(fs.storage_cost):  # access pattern (sizer.access)
                    unit = rows.index.get(("unit", g))
                    if unit is not None:
                        col[unit] *= c
                if fs.memory_crossings:
                    i = rows.get(("memory", pi), _ORD_MEMORY, Resources.host_memory, "memory",
                                 sg, pc.n)  # fmt: skip
                    if i is not None:
                        col[i] = col.get(i, 0.0) + fs.memory_crossings * miss
            if fs.bytes_per_sample > 0:
                i = rows.get(("prep", pi), _ORD_PREP, Resources.preprocessing, "prep", sg, pc.n)
                if i is not None:
                    col[i] = col.get(i, 0.0) + 1.0 / fs.bytes_per_sample
            cols.append(col)
            col_spec.append(si)
            col_n.append(float(pc.n))
    table, pos = rows.resources()
    spec_cols = [{pos[i]: v for i, v in col.items()} for col in cols]
    demand = [specs[i].demand for i in col_spec]
    share = [specs[i].share for i in col_spec]
    sol = solve_columns(spec_cols, table.caps, demand, share)
    return reduce(
        d, specs, np.asarray(col_spec, dtype=np.intp), np.asarray(col_n), table, None,
        np.asarray(demand, dtype=np.float64), sol.rates, sol.binding, load=sol.load,
        detail=False,
    )  # fmt: skip


class _Routing:
    """Closed-form routing of :mod:`sizer.topology` on the lumped classes.

    Every server reads 1/K of its bytes from every unit.  Single/dual switch: through
    the switches the unit and the server share, split in proportion to the unit's links
    there.  Leaf-spine: unit edge -> (other leaf: uplinks 1/S per spine, spine downlinks
    to the server's leaf) -> server edge.  A switch forwards every byte that enters it:
    from its storage links and from its inter-switch links.
    """

    def __init__(
        self, d: Design, pt: Parts, struct: _Struct, rows: _Rows, storage_scale: float
    ) -> None:
        self.d = d
        self.s = struct
        self.rows = rows
        self.scale = storage_scale
        self.K = d.total_storage_units
        self.switch_free = pt.switch_free
        self.st_rate, self.st_links = pt.st_rate, pt.st_links
        self.srv_rate, self.srv_links = pt.srv_rate, pt.srv_links
        self.fabric_links = pt.fabric_links

    def _split(self, sc: _Cls, pc: _Cls) -> dict[int, float]:
        common = [k for k in sc.links if k in pc.links]
        if not common:
            raise Unsupported("no common switch")
        tot = sum(sc.links[k] for k in common)
        return {k: sc.links[k] / tot for k in common}

    def _switch(self, key: tuple[Any, ...], members: int) -> int | None:
        if self.switch_free:
            return None
        return self.rows.get(key, _ORD_SWITCH, Resources.switch, "switch", self.d, members)

    def column(self, pi: int, pc: _Cls) -> dict[int, float]:
        """Lumped weights of flow class ``pc`` per byte of cache miss."""
        d, s, rows, K = self.d, self.s, self.rows, self.K
        sg = d.servers[pc.group]
        col: dict[int, float] = {}
        n_c = pc.n
        per_unit = n_c / K  # lumped weight on each unit's resources
        i = rows.get(("ingest", pi), _ORD_INGEST, Resources.ingest, "ingest", sg, n_c)
        if i is not None:
            col[i] = 1.0
        i = rows.get(("pcie", pi), _ORD_PCIE, Resources.pcie, "pcie", sg, n_c)
        if i is not None:
            col[i] = 1.0
        arrive: dict[int, float] = {}
        for ci, sc in enumerate(s.st):
            st = d.storage[sc.group]
            i = rows.get(("unit", sc.group), _ORD_UNIT, Resources.storage_unit, "unit", st,
                         self.scale, st.count)  # fmt: skip
            assert i is not None
            col[i] = col.get(i, 0.0) + per_unit * sc.n / st.count
            trate = self.st_rate[sc.group]
            if s.leaf_spine:
                self._leaf_spine(col, arrive, ci, sc, pc, self.st_links[sc.group], trate)
                continue
            for k, frac in self._split(sc, pc).items():
                i = rows.link(("sedge", ci, k), _ORD_SEDGE, self.st_links[sc.group],
                              sc.links[k] * trate, sc.n)  # fmt: skip
                col[i] = col.get(i, 0.0) + per_unit * frac
                arrive[k] = arrive.get(k, 0.0) + sc.n / K * frac
                i = self._switch(("switch", k), 1)
                if i is not None:  # every byte enters the switch from the storage link
                    col[i] = col.get(i, 0.0) + n_c * sc.n / K * frac
        prate = self.srv_rate[pc.group]
        for k, frac in arrive.items():
            i = rows.link(("pedge", pi, k), _ORD_PEDGE, self.srv_links[pc.group],
                          pc.links[k] * prate, n_c)  # fmt: skip
            col[i] = col.get(i, 0.0) + frac
        return col

    def _leaf_spine(
        self,
        col: dict[int, float],
        arrive: dict[int, float],
        ci: int,
        sc: _Cls,
        pc: _Cls,
        links_group: str,
        trate: float,
    ) -> None:
        """Storage class ``sc`` on leaf class ``sc.leaf``, servers on ``pc.leaf``."""
        s, K, rows = self.s, self.K, self.rows
        S, swr = s.spines, self.d.switch_link_rate
        n_c = pc.n
        per_unit = n_c / K
        up, down = sc.leaf, pc.leaf
        m_l, m_p = s.leaf_m[up], s.leaf_m[down]
        i = rows.link(("sedge", ci, up), _ORD_SEDGE, links_group, sc.links[up] * trate, sc.n)
        col[i] = col.get(i, 0.0) + per_unit
        arrive[down] = arrive.get(down, 0.0) + sc.n / K
        # the units' leaf: every byte enters it from a storage link
        sw = self._switch(("leaf", up), m_l)
        if sw is not None:
            col[sw] = col.get(sw, 0.0) + n_c * sc.n / (K * m_l)
        eff = float(sc.n)
        if up == down:
            eff -= sc.n / m_l  # the units on the server's own leaf stay on it
        if eff <= 0:
            return
        links = self.fabric_links
        i = rows.link(("up", up), _ORD_UP, links["up"], s.leaf_uplinks[up] * swr, m_l * S)
        col[i] = col.get(i, 0.0) + per_unit * eff / (m_l * S)
        i = rows.link(("down", down), _ORD_DOWN, links["down"], s.leaf_uplinks[down] * swr,
                      m_p * S)  # fmt: skip
        col[i] = col.get(i, 0.0) + per_unit * eff / (m_p * S)
        if self.switch_free:
            return
        # crossing bytes enter a spine (1/S each) and then the server's leaf
        for sw_key, members in ((("spine",), S), (("leaf", down), m_p)):
            sw = self._switch(sw_key, members)
            if sw is not None:
                col[sw] = col.get(sw, 0.0) + n_c * eff / (K * members)
