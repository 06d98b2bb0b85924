"""The topology diagram: an SVG drawn from the fabric's networkx graph.

:func:`summarize` turns the graph into rows of boxes and labeled bundles; it draws every
server, storage unit and switch when a row holds at most ``max_row`` of them, and
otherwise groups identical endpoints (same kind, same compute/storage group, same cabling;
then same group; then same kind) and switches (same role and attachments) into one box
with a ``×N`` count, so hundreds of servers stay legible.  :mod:`sizer.report.topology_svg` lays the
rows out and draws them.

Font sizes are in viewBox units: the diagram is 1000 units wide and printed about 170 mm
wide, so 17 units ~ 8 pt.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.text import group_role

if TYPE_CHECKING:
    import networkx as nx

    from sizer.analysis import Analysis

__all__ = ["Diagram", "rack_columns", "summarize"]

WIDTH = 1000.0
FONT = 17.0  # >= 8 pt at 170 mm print width
SMALL = 17.0
CHAR_W = 0.6  # average glyph width of DejaVu Sans, in em (conservative)
BOLD = 1.08  # DejaVu Sans Bold is about this much wider than Book
LINE_H = 21.0
ROW_GAP = 105.0
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion
#: Okabe-Ito colors and dash patterns per link type (readable in greyscale by the dash).
LINK_STYLES = [
    ("#0072B2", ""),
    ("#E69F00", "10 5"),
    ("#009E73", "3 4"),
    ("#CC79A7", "12 4 3 4"),
    ("#000000", "6 3"),
]
FILL = {"server": "#E3F1EA", "storage": "#DCEAF6", "switch": "#F0F0F0"}


@dataclass
class DNode:
    key: str
    kind: str  # server | storage | switch
    lines: list[str]
    members: int
    highlight: bool = False
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    col: int = -1  # rack column (Diagram.columns), -1: not drawn by rack
    bold: int = 1  # how many of the lines are the box's (bold) head
    nodes: tuple[str, ...] = ()  # the fabric graph's nodes the box stands for


@dataclass
class DEdge:
    upper: str
    lower: str
    link_type: str
    label: str
    bundles: int
    highlight: bool = False


@dataclass
class Diagram:
    rows: list[list[DNode]]
    edges: list[DEdge]
    grouped: bool
    level: int
    link_names: dict[str, str] = field(default_factory=dict)
    caption: str = ""
    #: the rack columns, left to right (``Rack 1``, ``Racks 3–33``); empty: drawn by kind
    columns: list[str] = field(default_factory=list)


def _attach(g: nx.DiGraph, n: str) -> tuple[tuple[str, int], ...]:
    out = []
    for u, v, data in list(g.in_edges(n, data=True)) + list(g.out_edges(n, data=True)):
        other = u if v == n else v
        if g.nodes[other]["kind"] == "switch":
            out.append((other, int(data["links"])))
    return tuple(sorted(set(out)))


def _class(g: nx.DiGraph, n: str, level: int) -> tuple[Any, ...]:
    data = g.nodes[n]
    kind = data["kind"]
    if kind == "switch":
        if level <= 1:
            return ("switch", n)
        role = data.get("role", "switch")
        if level == 2:
            kinds = sorted(
                {g.nodes[m]["kind"] for m in nx_neighbors(g, n) if g.nodes[m]["kind"] != "switch"}
            )
            return ("switch", role, tuple(kinds))
        return ("switch", role)
    if level == 0:
        return (kind, n)
    if level == 1:
        return (kind, data["group"], _attach(g, n))
    if level == 2:
        return (kind, data["group"])
    return (kind,)


def nx_neighbors(g: nx.DiGraph, n: str) -> list[str]:
    return sorted(set(g.successors(n)) | set(g.predecessors(n)))


def _row_of(kind: str, role: str, leaf_spine: bool) -> int:
    if leaf_spine:
        return {"spine": 0, "leaf": 1}.get(role, 2) if kind == "switch" else 2
    return {"storage": 0, "switch": 1, "server": 2}[kind]


def summarize(
    g: nx.DiGraph,
    a: Analysis,
    *,
    max_row: int = 10,
    link_names: dict[str, str] | None = None,
    racks: tuple[dict[str, int], list[str]] | None = None,
) -> Diagram:
    """Rows of (possibly grouped) boxes and bundles for the fabric graph of ``a``.

    Parameters
    ----------
    g : networkx.DiGraph
        ``a.fabric.graph``: nodes with ``kind`` server | storage | switch, edges with
        ``links`` and ``link_type``.
    a : Analysis
        For names, GPU counts, storage bandwidth and which resources are saturated.
    max_row : int
        Most boxes a row may hold before identical nodes are grouped.
    racks : (node -> column, column labels), optional
        From :func:`rack_columns`: every box holds devices of one rack column (a rack, or
        a run of racks holding the same devices), drawn inside that rack's labeled frame;
        nodes are grouped (the same levels as without racks, for the whole drawing) until
        the columns fit the drawing's width.
    """
    d = a.design
    leaf_spine = d.topology == "leaf-spine"
    sat = _saturated(a, g)
    nodes = sorted(g.nodes, key=lambda n: _node_sort(g, n))

    def row(n: str) -> int:
        return _row_of(g.nodes[n]["kind"], g.nodes[n].get("role", ""), leaf_spine)

    if racks is not None:
        col_of, columns = racks
        # group one row at a time, the row with the most boxes first, until it fits
        levels = dict.fromkeys(range(3), 0)
        while True:
            dg = _build(g, a, nodes, levels, sat, link_names, col_of)
            dg.columns = list(columns)
            cells = Counter((dn.col, ri) for ri, r in enumerate(dg.rows) for dn in r)
            if _squeeze_fits(dg) and max(cells.values()) <= max_row:
                break
            boxes = Counter(row(n) for n in nodes)
            per_row = {
                r: len({(col_of[n], *_class(g, n, levels[r])) for n in nodes if row(n) == r})
                for r in boxes
            }
            open_rows = [r for r in per_row if levels[r] < 3]
            if not open_rows:
                break
            levels[max(open_rows, key=lambda r: (per_row[r], -r))] += 1
        if _racks_width(dg) <= MAX_SQUEEZE * WIDTH:
            return dg
        # too many rack columns to read side by side: drawn by kind (the caption says so)
    # each row is grouped only as far as it must be to hold at most max_row boxes
    row_level: dict[int, int] = {}
    for r in {row(n) for n in nodes}:
        members = [n for n in nodes if row(n) == r]
        for level in range(4):
            if len({_class(g, n, level) for n in members}) <= max_row:
                break
        row_level[r] = level
    return _build(g, a, nodes, row_level, sat, link_names, None)


def _build(
    g: nx.DiGraph,
    a: Analysis,
    nodes: list[str],
    row_level: dict[int, int],
    sat: tuple[set[str], set[tuple[str, str]]],
    link_names: dict[str, str] | None,
    col_of: dict[str, int] | None,
) -> Diagram:
    """The diagram at the given grouping level per row (and rack column per node)."""
    leaf_spine = a.design.topology == "leaf-spine"
    sat_nodes, sat_edges = sat

    def row(n: str) -> int:
        return _row_of(g.nodes[n]["kind"], g.nodes[n].get("role", ""), leaf_spine)

    present = {row(n) for n in nodes}
    level = max(row_level[r] for r in present)
    classes: dict[tuple[Any, ...], list[str]] = {}
    for n in nodes:
        c = _class(g, n, row_level[row(n)])
        classes.setdefault(c if col_of is None else (col_of[n], *c), []).append(n)
    node_class = {n: c for c, ms in classes.items() for n in ms}
    keys = {c: f"n{i}" for i, c in enumerate(classes)}
    rows: list[list[DNode]] = [[], [], []]
    for c, members in classes.items():
        first = g.nodes[members[0]]
        kind = first["kind"]
        lines, bold = _lines(g, a, members), 1
        if col_of is not None:
            lines, bold = _wrapped(lines)
        dn = DNode(
            keys[c],
            kind,
            lines,
            len(members),
            highlight=any(m in sat_nodes for m in members),
            col=-1 if col_of is None else col_of[members[0]],
            bold=bold,
            nodes=tuple(members),
        )
        if col_of is not None:
            dn.w = box_width(dn.lines, dn.bold)
        rows[_row_of(kind, first.get("role", ""), leaf_spine)].append(dn)
    # bundles, aggregated per class pair and link type
    agg: dict[tuple[str, str, str], list[tuple[int, bool]]] = defaultdict(list)
    for u, v, data in g.edges(data=True):
        ku, kv = g.nodes[u]["kind"], g.nodes[v]["kind"]
        if ku == "switch" and kv == "switch" and u > v:
            continue  # one drawing per inter-switch bundle (both directions exist)
        cu, cv = keys[node_class[u]], keys[node_class[v]]
        ru = _row_of(ku, g.nodes[u].get("role", ""), leaf_spine)
        rv = _row_of(kv, g.nodes[v].get("role", ""), leaf_spine)
        if ru > rv or (ru == rv and cu > cv):
            cu, cv = cv, cu
        hl = (u, v) in sat_edges or (v, u) in sat_edges
        agg[(cu, cv, data["link_type"])].append((int(data["links"]), hl))
    edges = []
    for (cu, cv, lt), items in agg.items():
        counts = sorted({n for n, _ in items})
        total = sum(n for n, _ in items)
        if len(items) == 1:
            label = f"{counts[0]}×"
        elif len(counts) == 1:
            label = f"{len(items)} × {counts[0]}"
        else:
            label = f"{total} in all"
        edges.append(DEdge(cu, cv, lt, label, len(items), any(h for _, h in items)))
    if col_of is not None:  # by rack, then storage before servers, then device order
        for r in rows:
            order = {dn.key: i for i, dn in enumerate(r)}
            r.sort(key=lambda dn: (dn.col, dn.kind != "storage", order[dn.key]))
    elif leaf_spine:  # order boxes in a row by the mean position of what they connect to
        for i, dn in enumerate(rows[1]):
            dn.order = i
        pos = {dn.key: dn.order for dn in rows[1]}
        for dn in rows[2]:
            ups = [pos[e.upper] for e in edges if e.lower == dn.key and e.upper in pos]
            dn.order = sum(ups) / len(ups) if ups else 0.0
        rows[2].sort(key=lambda dn: (dn.order, dn.kind != "storage"))
    names = dict(link_names or {})
    lt_used = sorted({e.link_type for e in edges})
    return Diagram(
        [r for r in rows if r], edges, level > 0, level, {lt: names.get(lt, lt) for lt in lt_used}
    )


#: rack columns wider than the drawing are squeezed to fit up to this factor; beyond it
#: the diagram is drawn by kind instead
MAX_SQUEEZE = 1.25
#: a box's text line longer than this many characters wraps (rack columns are narrow)
WRAP_CHARS = 18
#: narrowest and widest box in a rack column, viewBox units
BOX_MIN_W, BOX_MAX_W = 96.0, 240.0
BOX_GAP = 6.0  # between boxes of a rack column
COL_PAD = 6.0  # between a rack frame and its boxes
TEXT_PAD = 4.0  # between a box's side and its text
COL_GAP = 10.0  # between rack frames
RACK_LABEL_H = 36.0  # the rack label above a column's first row


#: a label's count suffix (" #3", " ×12"), kept whole when a label is cut or wrapped
SUFFIX = re.compile(r"^(.*?)( (?:#|×)[0-9,]+)$", re.S)


def text_w(text: str, size: float) -> float:
    """Width of ``text`` at ``size`` by the average glyph width (what cuts go by)."""
    return len(text) * CHAR_W * size


def _wrapped(lines: list[str]) -> tuple[list[str], int]:
    """A box's lines for a narrow rack column, and how many of them are its bold head: a
    long first line keeps its product on one line and puts the count or number (`` ×4``,
    `` #2``) on the next; a longer second or third line (a role: ``Llama-3.1-405B
    training``) goes on two lines."""
    head = lines[0]
    m = SUFFIX.match(head)
    out, bold = [head], 1
    if len(head) > WRAP_CHARS and m:
        out, bold = [m.group(1), m.group(2).strip()], 2
    for line in lines[1:]:
        parts = textwrap.wrap(line, WRAP_CHARS) if len(line) > WRAP_CHARS else [line]
        out += parts[:1] + ([" ".join(parts[1:])] if len(parts) > 1 else [])
    return out, bold


def _glyph_w(text: str, size: float) -> float:
    """``text``'s width in DejaVu Sans at ``size``, by character class (capitals and
    signs are wider than the 0.6 em average: 'Quantum QM8700' is 0.64 em a character)."""
    em = 0.0
    for ch in text:
        if ch.isupper():
            em += 0.76
        elif ch.isdigit():
            em += 0.64
        elif ch.islower():
            em += 0.63
        elif ch == " ":
            em += 0.32
        elif ch in "#×≤%&@":
            em += 0.84
        else:
            em += 0.42
    return em * size


def _lines_w(lines: list[str], bold: int = 1) -> float:
    """The widest line of a box, bold head lines :data:`BOLD` wider; never under the
    0.6 em average :func:`_fit` cuts by."""
    return max(
        max(_glyph_w(x, size), text_w(x, size))
        for i, x in enumerate(lines)
        for size in [FONT * (BOLD if i < bold else 1)]
    )


def box_width(lines: list[str], bold: int = 1) -> float:
    """A box wide enough for its lines, the bold head ones :data:`BOLD` wider."""
    need = _lines_w(lines, bold) + 2 * TEXT_PAD + 2.0
    return min(BOX_MAX_W, max(BOX_MIN_W, need))


def _squeeze_fits(dg: Diagram) -> bool:
    """The rack columns fit the drawing's width, squeezed if need be, with every box's
    text still whole (a box keeps 10 units of its width for padding)."""
    k = min(1.0, (WIDTH - 4.0) / _racks_width(dg))
    return all(
        dn.w * k - 2 * TEXT_PAD + 1.0
        >= min(_lines_w(dn.lines, dn.bold), BOX_MAX_W - 2 * TEXT_PAD - 2)
        for r in dg.rows
        for dn in r
    )


def _racks_width(dg: Diagram) -> float:
    """The width the rack columns need side by side, before any scaling."""
    return sum(column_widths(dg)) + COL_GAP * (len(dg.columns) - 1)


def column_widths(dg: Diagram) -> list[float]:
    out = []
    for ci, label in enumerate(dg.columns):
        widest = max(
            (
                sum(dn.w for dn in r if dn.col == ci)
                + BOX_GAP * (sum(1 for dn in r if dn.col == ci) - 1)
                for r in dg.rows
                if any(dn.col == ci for dn in r)
            ),
            default=BOX_MIN_W,
        )
        out.append(max(widest, text_w(label, SMALL * BOLD) + 12.0) + 2 * COL_PAD)
    return out


def rack_columns(a: Analysis) -> tuple[dict[str, int], list[str]] | None:
    """Every fabric node's rack column and the columns' labels, from the rack elevation
    (:mod:`sizer.racks`; a run of racks holding the same devices is one column, as in the
    elevation drawing); None when a device has no rack (taller than a rack)."""
    from sizer.bom import bill_of_materials
    from sizer.report.racks_view import rack_runs

    d = a.design
    layout = bill_of_materials(d, a.fabric).layout
    runs = rack_runs(layout)
    col_of_rack = {
        ri: ci for ci, (first, last, _r) in enumerate(runs) for ri in range(first, last + 1)
    }
    rack = {(p.line, p.number): r.index for r in layout.racks for p in r.devices}
    g = a.fabric.graph
    n_srv, n_sto = len(d.servers), len(d.storage)
    sw_no = {sw: i + 1 for i, sw in enumerate(a.fabric.switches)}
    col: dict[str, int] = {}
    for n, data in g.nodes(data=True):
        if data["kind"] == "server":
            key = (data["group"], data["index"] + 1)
        elif data["kind"] == "storage":
            key = (n_srv + data["group"], data["index"] + 1)
        else:
            key = (n_srv + n_sto, sw_no[n])
        if key not in rack:
            return None
        col[n] = col_of_rack[rack[key]]
    labels = [f"Rack {f}" if f == last else f"Racks {f}–{last}" for f, last, _r in runs]
    return col, labels


def _node_sort(g: nx.DiGraph, n: str) -> tuple[Any, ...]:
    data = g.nodes[n]
    return (data["kind"], data.get("group", 0), data.get("index", 0), n)


def _saturated(a: Analysis, g: nx.DiGraph) -> tuple[set[str], set[tuple[str, str]]]:
    """Graph nodes and edges whose resource is saturated."""
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    sat = [r for r in a.resources if r.saturated]
    if not sat:
        return nodes, edges
    by_prefix = {f"{u} -> {v} (": (u, v) for u, v in g.edges}
    for r in sat:
        if r.kind == "storage" and r.id in g:
            nodes.add(r.id)
        elif r.kind in ("server-ingest", "host-preprocessing"):
            nodes.add(r.id.rsplit(" ", 1)[0])
        elif r.kind == "client":  # "<server> PCIe (storage NICs)", "<server> host memory"
            for tail in (" PCIe (storage NICs)", " host memory"):
                if r.id.endswith(tail):
                    nodes.add(r.id[: -len(tail)])
        elif r.kind == "link":
            head = r.id.split(" (", 1)[0] + " ("
            if head in by_prefix:
                edges.add(by_prefix[head])
    return nodes, edges


def _lines(g: nx.DiGraph, a: Analysis, members: list[str]) -> list[str]:
    """A box's text: product names (not catalog ids), a number per unit, and for compute
    nodes their GPUs and role."""
    d = a.design
    first = g.nodes[members[0]]
    kind = first["kind"]
    n = len(members)
    if kind == "server":
        groups = sorted({g.nodes[m]["group"] for m in members})
        sg = d.servers[first["group"]]
        gpus = sum(d.servers[g.nodes[m]["group"]].gpu_count for m in members)
        models = {d.servers[gi].server_name for gi in groups}
        name = fmt.short_product(sg.server_name, sg.server_id) if len(models) == 1 else "servers"
        head = f"{name} #{members[0].rsplit('#', 1)[-1]}" if n == 1 else f"{name} ×{n}"
        lines = [head, f"{fmt.count(gpus)} GPUs"]
        if len(d.servers) > 1:  # several compute groups: say what each one does
            roles = dict.fromkeys(group_role(d, gi, short=True) for gi in groups)
            lines.append(" + ".join(roles))
        return lines
    if kind == "storage":
        st = d.storage[first["group"]]
        groups = sorted({g.nodes[m]["group"] for m in members})
        name = fmt.short_product(st.unit_name, st.unit_id) if len(groups) == 1 else "storage"
        if n == 1:
            return [f"{name} #{members[0].rsplit('#', 1)[-1]}", fmt.rate(st.read_bandwidth)]
        bw = sum(d.storage[g.nodes[m]["group"]].read_bandwidth for m in members)
        return [f"{name} ×{n}", fmt.rate(bw)]
    ports = a.fabric.ports_used
    avail = a.fabric.ports_available
    product = fmt.short_product(d.switch_name, d.switch_id)
    if n == 1:
        return [members[0], product, f"{ports[members[0]]}/{avail[members[0]]} ports"]
    role = first.get("role", "switch")
    most = max(ports[m] for m in members)
    return [f"{role} ×{n}", product, f"≤ {most}/{avail[members[0]]} ports"]
