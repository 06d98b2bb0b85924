"""The topology diagram: an SVG drawn from the fabric's networkx graph.

:func:`summarize` turns the graph into rows of boxes and labeled bundles; it draws every
server, storage unit and switch when a row holds at most ``max_row`` of them, and
otherwise groups identical endpoints (same kind, same compute/storage group, same cabling;
then same group; then same kind) and switches (same role and attachments) into one box
with a ``×N`` count, so hundreds of servers stay legible.  :func:`draw_svg` lays the rows
out (storage on top, switches, servers at the bottom; for leaf-spine: spines, leaves,
endpoints) and writes plain SVG 1.1 with every text escaped.

Font sizes are in viewBox units: the diagram is 1000 units wide and printed about 170 mm
wide, so 17 units ~ 8 pt.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from sizer.report import fmt

if TYPE_CHECKING:
    import networkx as nx

    from sizer.analysis import Analysis

__all__ = ["Diagram", "diagram_for", "draw_svg", "summarize"]

WIDTH = 1000.0
FONT = 17.0  # >= 8 pt at 170 mm print width
SMALL = 17.0
CHAR_W = 0.6  # average glyph width of DejaVu Sans, in em (conservative)
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
    g: nx.DiGraph, a: Analysis, *, max_row: int = 10, link_names: dict[str, str] | None = None
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
    """
    d = a.design
    leaf_spine = d.topology == "leaf-spine"
    sat_nodes, sat_edges = _saturated(a, g)
    nodes = sorted(g.nodes, key=lambda n: _node_sort(g, n))

    def row(n: str) -> int:
        return _row_of(g.nodes[n]["kind"], g.nodes[n].get("role", ""), leaf_spine)

    # each row is grouped only as far as it must be to hold at most max_row boxes
    row_level: dict[int, int] = {}
    for r in {row(n) for n in nodes}:
        members = [n for n in nodes if row(n) == r]
        for level in range(4):
            if len({_class(g, n, level) for n in members}) <= max_row:
                break
        row_level[r] = level
    level = max(row_level.values())
    classes: dict[tuple[Any, ...], list[str]] = {}
    for n in nodes:
        classes.setdefault(_class(g, n, row_level[row(n)]), []).append(n)
    node_class = {n: c for c, ms in classes.items() for n in ms}
    keys = {c: f"n{i}" for i, c in enumerate(classes)}
    dnodes: dict[str, DNode] = {}
    rows: list[list[DNode]] = [[], [], []]
    for c, members in classes.items():
        first = g.nodes[members[0]]
        kind = first["kind"]
        dn = DNode(
            keys[c],
            kind,
            _lines(g, a, members),
            len(members),
            highlight=any(m in sat_nodes for m in members),
        )
        dnodes[dn.key] = dn
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
    # order boxes in a row by the mean position of what they connect to (leaf-spine)
    for i, dn in enumerate(rows[1] if leaf_spine else []):
        dn.order = i
    if leaf_spine:
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


def _role(a: Analysis, groups: list[int]) -> str:
    """What compute groups do, in a few words: ``UNet3D training``, ``ResNet-50 training +
    inference``, ``read benchmark`` (the model's short name, not the workload's label)."""
    by_model: dict[str, list[str]] = {}
    for w in a.design.workloads:
        if any(gi in w.groups for gi in groups):
            model = "read" if w.unbounded else w.model_name.split(" (")[0].split()[-1]
            phase = "benchmark" if w.unbounded else w.phase
            phases = by_model.setdefault(model, [])
            if phase not in phases:
                phases.append(phase)
    return " + ".join(f"{m} {' + '.join(ps)}" for m, ps in by_model.items())


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
            lines.append(_role(a, groups) or sg.name)
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


# --------------------------------------------------------------------------- drawing


_SUFFIX = re.compile(r"^(.*?)( (?:#|×)[0-9,]+)$", re.S)


def _fit(text: str, width: float, size: float) -> str:
    """Cut ``text`` with an ellipsis so that it fits ``width`` viewBox units; a trailing
    `` #7`` or `` ×16`` (which unit, how many) is kept."""
    most = max(1, int(width / (CHAR_W * size)))
    if len(text) <= most:
        return text
    m = _SUFFIX.match(text)
    if m and len(m.group(2)) + 2 <= most:
        head, tail = m.group(1), m.group(2)
        return head[: most - len(tail) - 1] + "…" + tail
    return text[: max(1, most - 1)] + "…"


def _joined(labels: list[str]) -> str:
    """The cable counts of the bundles at one box side as one label: ``["2×", "2×"]`` ->
    ``2 × 2`` (two bundles of two cables), ``["16×", "8×"]`` -> ``16 + 8``."""
    if len(set(labels)) == 1 and labels[0].endswith("×"):
        return f"{len(labels)} × {labels[0][:-1]}"
    return " + ".join(x.removesuffix("×") for x in labels)


def _text_w(text: str, size: float) -> float:
    return len(text) * CHAR_W * size


def draw_svg(dg: Diagram, title: str = "Storage fabric topology") -> str:
    """The diagram as an SVG string (no external references, every text escaped)."""
    box_h = {r: 0.0 for r in range(len(dg.rows))}
    for ri, row in enumerate(dg.rows):
        box_h[ri] = 14.0 + LINE_H * max(len(n.lines) for n in row)
    y = 12.0
    for ri, row in enumerate(dg.rows):
        n = len(row)
        slot = WIDTH / n
        w = min(230.0, slot - 14.0)
        for i, dn in enumerate(row):
            dn.w, dn.h = w, box_h[ri]
            dn.x = slot * (i + 0.5)
            dn.y = y
        y += box_h[ri] + ROW_GAP
    body_h = y - ROW_GAP
    by_key = {dn.key: dn for row in dg.rows for dn in row}
    styles = {lt: LINK_STYLES[i % len(LINK_STYLES)] for i, lt in enumerate(sorted(dg.link_names))}

    # ports: each box spreads its bundles along the side facing the other end, in the
    # order of the other end's x position, so bundles do not cross inside a row pair
    ports: dict[tuple[str, int], tuple[float, float]] = {}
    sides: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(dg.edges):
        sides[(e.upper, "bottom")].append(i)
        sides[(e.lower, "top")].append(i)
    for (key, side), idx in sides.items():
        dn = by_key[key]

        def other_x(i: int, side: str = side) -> float:
            e = dg.edges[i]
            return by_key[e.lower if side == "bottom" else e.upper].x

        idx.sort(key=lambda i: (other_x(i), i))
        k = len(idx)
        inner = dn.w - 16.0
        for j, i in enumerate(idx):
            px = dn.x - inner / 2 + inner * (j + 0.5) / k
            py = dn.y + dn.h if side == "bottom" else dn.y
            ports[(key, i if side == "top" else -1 - i)] = (px, py)

    out: list[str] = []
    legend_h = 30.0 + 26.0 * (
        len(dg.link_names)
        + (
            1
            if any(e.highlight for e in dg.edges) or any(n.highlight for r in dg.rows for n in r)
            else 0
        )
    )
    total_h = body_h + 24.0 + legend_h
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="topology" '
        f'viewBox="0 0 {WIDTH:.0f} {total_h:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif">'
    )
    out.append(f"<title>{escape(title)}</title>")
    # bundles first (under the boxes)
    labels: list[str] = []
    at: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for i, e in enumerate(dg.edges):
        x1, y1 = ports[(e.upper, -1 - i)]
        x2, y2 = ports[(e.lower, i)]
        color, dash = styles[e.link_type]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if e.highlight:
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{HIGHLIGHT}" stroke-width="9" stroke-opacity="0.85"/>'
            )
        width = 2.2 if e.bundles == 1 else 3.2
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{color}" stroke-width="{width}"{dash_attr}/>'
        )
        # the cable count sits at the endpoint end (storage: below the box, server: above
        # it); a switch-to-switch bundle's at the lower switch
        upper = by_key[e.upper]
        if upper.kind != "switch":
            at[(e.upper, "bottom")].append((x1, e.label))
        else:
            at[(e.lower, "top")].append((x2, e.label))
    for (key, side), items in at.items():
        dn = by_key[key]
        if len(items) == 1:
            lx, text = items[0]
        else:  # one label per box side, centered: labels side by side would collide
            lx, text = dn.x, _joined([label for _x, label in items])
            text = _fit(text, dn.w - 6, SMALL)
        ly = dn.y + dn.h + 14.0 if side == "bottom" else dn.y - 13.0
        tw = _text_w(text, SMALL) + 6
        labels.append(
            f'<rect x="{lx - tw / 2:.1f}" y="{ly - SMALL * 0.75:.1f}" width="{tw:.1f}" '
            f'height="{SMALL * 1.3:.1f}" rx="3" fill="#FFFFFF" fill-opacity="0.9"/>'
            f'<text x="{lx:.1f}" y="{ly + SMALL * 0.35:.1f}" font-size="{SMALL:.0f}" '
            f'text-anchor="middle" fill="#000000">{escape(text)}</text>'
        )
    for row in dg.rows:
        for dn in row:
            x0 = dn.x - dn.w / 2
            stroke = HIGHLIGHT if dn.highlight else "#333333"
            sw = 5 if dn.highlight else 1.5
            rx = 4 if dn.kind == "switch" else 8
            out.append(
                f'<rect x="{x0:.1f}" y="{dn.y:.1f}" width="{dn.w:.1f}" '
                f'height="{dn.h:.1f}" rx="{rx}" fill="{FILL[dn.kind]}" '
                f'stroke="{stroke}" stroke-width="{sw}"/>'
            )
            if dn.members > 1:  # stacked look for grouped boxes
                out.append(
                    f'<path d="M{x0 + 5:.1f},{dn.y - 5:.1f} h{dn.w:.1f} v{dn.h:.1f}" '
                    f'fill="none" stroke="#333333" stroke-width="1.2"/>'
                )
            for li, line in enumerate(dn.lines):
                ty = dn.y + 7 + LINE_H * (li + 0.78)
                weight = ' font-weight="bold"' if li == 0 else ""
                out.append(
                    f'<text x="{dn.x:.1f}" y="{ty:.1f}" font-size="{FONT:.0f}" '
                    f'text-anchor="middle"{weight} fill="#000000">'
                    f"{escape(_fit(line, dn.w - 10, FONT))}</text>"
                )
    out.extend(labels)
    # legend
    ly = body_h + 34.0
    out.append(
        f'<text x="0" y="{ly:.1f}" font-size="{SMALL:.0f}" fill="#000000">'
        f"{escape('Numbers on lines: cables per bundle; N × M: N bundles of M cables')}"
        "</text>"
    )
    for lt, name in sorted(dg.link_names.items()):
        ly += 26.0
        color, dash = styles[lt]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="0" y1="{ly - 6:.1f}" x2="60" y2="{ly - 6:.1f}" stroke="{color}" '
            f'stroke-width="3"{dash_attr}/>'
        )
        out.append(
            f'<text x="72" y="{ly:.1f}" font-size="{SMALL:.0f}" fill="#000000">'
            f"{escape(_fit(name, WIDTH - 80, SMALL))}</text>"
        )
    if any(e.highlight for e in dg.edges) or any(n.highlight for r in dg.rows for n in r):
        ly += 26.0
        out.append(
            f'<line x1="0" y1="{ly - 6:.1f}" x2="60" y2="{ly - 6:.1f}" '
            f'stroke="{HIGHLIGHT}" stroke-width="9"/>'
        )
        out.append(
            f'<text x="72" y="{ly:.1f}" font-size="{SMALL:.0f}" fill="#000000">'
            "saturated resource (runs at 100% of its capacity)</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def diagram_for(
    a: Analysis, link_names: dict[str, str] | None = None, max_row: int = 10
) -> tuple[str, str]:
    """The topology SVG of an analysis and its caption."""
    dg = summarize(a.fabric.graph, a, max_row=max_row, link_names=link_names)
    d = a.design
    models = {g.server_name for g in d.servers}
    parts = [
        f"{d.total_servers} × {d.servers[0].server_name}"
        if len(models) == 1
        else f"{d.total_servers} servers",
        f"{d.total_storage_units} × {d.storage[0].unit_name}"
        if len(d.storage) == 1
        else f"{d.total_storage_units} storage units",
        f"{len(a.fabric.switches)} × {d.switch_name}",
    ]
    layout = {"single-switch": "one switch", "dual-switch": "two switches"}
    cap = (
        f"Storage fabric ({layout.get(d.topology, d.topology)}): {', '.join(parts)}; "
        f"{fmt.count(sum(a.fabric.cables.values()))} cables."
    )
    if dg.grouped:
        cap += " Identical units are drawn as one box with their count (×N)."
    return draw_svg(dg, title=cap), cap
