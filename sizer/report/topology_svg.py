"""The topology diagram drawn: :func:`draw_svg` lays out the rows of boxes that
:func:`sizer.report.topology.summarize` made (storage on top, switches, servers at the
bottom; for leaf-spine: spines, leaves, endpoints; by rack when the rack elevation's
columns fit) and writes plain SVG 1.1 with every text escaped; :func:`diagram_for` is the
report's entry point (the SVG and its caption).

Font sizes are in viewBox units: the diagram is 1000 units wide and printed about 170 mm
wide, so 17 units ~ 8 pt.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING

from sizer.report import fmt
from sizer.report.topology import (
    BOLD,
    BOX_GAP,
    CHAR_W,
    COL_GAP,
    COL_PAD,
    FILL,
    FONT,
    HIGHLIGHT,
    LINE_H,
    LINK_STYLES,
    RACK_LABEL_H,
    ROW_GAP,
    SMALL,
    SUFFIX,
    TEXT_PAD,
    WIDTH,
    Diagram,
    box_width,
    column_widths,
    rack_columns,
    summarize,
    text_w,
)

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["diagram_for", "draw_svg"]


def _fit(text: str, width: float, size: float) -> str:
    """Cut ``text`` with an ellipsis so that it fits ``width`` viewBox units; a trailing
    `` #7`` or `` ×16`` (which unit, how many) is kept."""
    most = max(1, int((width + 1.0) / (CHAR_W * size)))  # 1 unit of slack, as _squeeze_fits
    if len(text) <= most:
        return text
    m = SUFFIX.match(text)
    if m and len(m.group(2)) + 2 <= most:
        head, tail = m.group(1), m.group(2)
        return head[: most - len(tail) - 1] + "…" + tail
    return text[: max(1, most - 1)] + "…"


def _joined(labels: list[str]) -> str:
    """The cable counts of the bundles at one box side as one label, bundles of one size
    added up: ``["2×", "2×"]`` -> ``2 × 2`` (two bundles of two cables), ``["3 × 4", "3 ×
    4"]`` -> ``6 × 4``, ``["16×", "8×"]`` -> ``16 + 8``; any ``T in all`` -> the cables in
    all.

    >>> _joined(["3 × 4", "3 × 4"]), _joined(["16×", "8×"]), _joined(["2×", "4 in all"])
    ('6 × 4', '16 + 8', '6 in all')
    """
    by_size: dict[int, int] = {}  # cables per bundle -> bundles
    cables = 0
    whole = True
    for x in labels:
        m = re.fullmatch(r"(\d+) × (\d+)|(\d+)×|(\d+) in all", x)
        if m is None:
            return " + ".join(x.removesuffix("×") for x in labels)
        if m.group(4):
            whole = False
            cables += int(m.group(4))
            continue
        n, size = (int(m.group(1)), int(m.group(2))) if m.group(1) else (1, int(m.group(3)))
        by_size[size] = by_size.get(size, 0) + n
        cables += n * size
    if not whole:
        return f"{cables} in all"
    if len(by_size) == 1:
        ((size, n),) = by_size.items()
        return f"{n} × {size}" if n > 1 else f"{size}×"
    return " + ".join(f"{n} × {size}" if n > 1 else str(size) for size, n in by_size.items())


def _place_by_rack(
    dg: Diagram, box_h: dict[int, float], frames: list[tuple[float, float, str]]
) -> float:
    """Box positions column by column (one per rack column, left to right), each row's
    boxes of a column side by side and centered in it; squeezed to the drawing's width
    when the columns need more.  Appends each column's frame to ``frames``; returns the
    bottom of the last row."""
    for row in dg.rows:
        for dn in row:
            dn.w = box_width(dn.lines, dn.bold)
    widths = column_widths(dg)
    total = sum(widths) + COL_GAP * (len(widths) - 1)
    k = min(1.0, (WIDTH - 4.0) / total)  # 2 units free at each side for the frame's line
    x, col_x = (WIDTH - total * k) / 2, []
    for cw in widths:
        col_x.append(x)
        x += (cw + COL_GAP) * k
    y = 12.0 + RACK_LABEL_H
    for ri, row in enumerate(dg.rows):
        for ci in range(len(dg.columns)):
            cell = [dn for dn in row if dn.col == ci]
            if not cell:
                continue
            cell_w = sum(dn.w for dn in cell) * k + BOX_GAP * k * (len(cell) - 1)
            bx = col_x[ci] + (widths[ci] * k - cell_w) / 2
            for dn in cell:
                dn.w *= k
                dn.h = box_h[ri]
                dn.x, dn.y = bx + dn.w / 2, y
                bx += dn.w + BOX_GAP * k
        y += box_h[ri] + ROW_GAP
    frames.extend(
        (cx, cw * k, label) for cx, cw, label in zip(col_x, widths, dg.columns, strict=True)
    )
    return y - ROW_GAP


def draw_svg(dg: Diagram, title: str = "Storage fabric topology", wires: str = "cables") -> str:
    """The diagram as an SVG string (no external references, every text escaped)."""
    box_h = {r: 0.0 for r in range(len(dg.rows))}
    for ri, row in enumerate(dg.rows):
        box_h[ri] = 14.0 + LINE_H * max(len(n.lines) for n in row)
    frames: list[tuple[float, float, str]] = []  # rack columns: (x, width, label)
    if dg.columns:
        body_h = _place_by_rack(dg, box_h, frames)
    else:
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
    # rack frames first (under everything), each labeled at its top left
    for fx, fw, label in frames:
        out.append(
            f'<rect x="{fx:.1f}" y="12.0" width="{fw:.1f}" height="{body_h - 12.0 + COL_PAD:.1f}" '
            'rx="6" fill="#F7F7F7" stroke="#888888" stroke-width="1.2" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{fx + 8:.1f}" y="{12.0 + 22:.1f}" font-size="{SMALL:.0f}" '
            f'font-weight="bold" fill="#333333">{escape(_fit(label, fw - 12, SMALL * BOLD))}</text>'
        )
    # bundles (under the boxes)
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
        tw = text_w(text, SMALL) + 6
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
                weight = ' font-weight="bold"' if li < dn.bold else ""
                out.append(
                    f'<text x="{dn.x:.1f}" y="{ty:.1f}" font-size="{FONT:.0f}" '
                    f'text-anchor="middle"{weight} fill="#000000">'
                    f"{escape(_fit(line, dn.w - 2 * TEXT_PAD, FONT * (BOLD if li < dn.bold else 1)))}</text>"
                )
    out.extend(labels)
    # legend
    ly = body_h + 34.0
    out.append(
        f'<text x="0" y="{ly:.1f}" font-size="{SMALL:.0f}" fill="#000000">'
        f"{escape(f'Numbers on lines: {wires} per bundle; N × M: N bundles of M {wires}')}"
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
    """The topology SVG of an analysis and its caption; devices are drawn in their racks
    (the rack elevation's columns) when those fit the drawing."""
    racks = rack_columns(a)
    dg = summarize(a.fabric.graph, a, max_row=max_row, link_names=link_names, racks=racks)
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
    if d.direct_attached:
        drives = ", ".join(f"{s.count} × {s.unit_name}" for s in d.storage)
        cap = (
            f"Direct-attached drives, no switch: {parts[0]}, each with {drives} inside it "
            f"on its own PCIe link ({d.total_storage_units * d.total_servers} drives in all)."
        )
    if dg.columns:
        cap += (
            " Devices are drawn in their racks, as in the rack elevation (a run of racks "
            "holding the same devices is one frame)."
        )
    elif racks is not None:
        cap += f" Drawn by kind: the {len(set(racks[0].values()))} rack groups do not fit side by side."
    if dg.grouped:
        cap += " Identical units are drawn as one box with their count (×N)."
    wires = "PCIe links" if d.direct_attached else "cables"
    return draw_svg(dg, title=cap, wires=wires), cap
