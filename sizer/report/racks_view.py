"""The report's racks section: per-rack U and kW, POD totals, weights where sourced, and
an SVG rack elevation (from :mod:`sizer.racks`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from sizer.report import fmt

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog
    from sizer.racks import Rack, RackLayout

__all__ = ["device_labels", "rack_runs", "racks_context", "racks_svg"]

_FILL = {"switch": "#9ecae1", "storage unit": "#a1d99b", "GPU server": "#fdd0a2"}
_SECTION = {"switch": "switches", "storage unit": "storage", "GPU server": "servers"}
_PER_ROW = 6
_U_PX = 9
_RACK_W = 150
_GAP = 22


def _weight(cat: Catalog | None, kind: str, ident: str) -> float | None:
    if cat is None:
        return None
    table: Any = {"GPU server": cat.servers, "storage unit": cat.storage, "switch": cat.switches}
    entry = table.get(kind, {}).get(ident)
    fig = getattr(entry, "weight_kg", None) if entry is not None else None
    return None if fig is None else float(fig.value)


def rack_runs(layout: RackLayout) -> list[tuple[int, int, Rack]]:
    """Runs of consecutive racks holding the same devices: (first, last, one of them)."""
    out: list[tuple[int, int, Rack]] = []
    for r in layout.racks:
        sig = [(p.line, p.height) for p in r.devices]  # one group's servers: one role
        if out:
            first, _last, prev = out[-1]
            if [(p.line, p.height) for p in prev.devices] == sig and prev.watts == r.watts:
                out[-1] = (first, r.index, prev)
                continue
        out.append((r.index, r.index, r))
    return out


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` px at font ``size`` (DejaVu Sans
    glyphs average under 0.6 em)."""
    most = max(1, int(width / (0.6 * size)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _span(first: int, last: int) -> str:
    return f"Rack {first}" if first == last else f"Racks {first}–{last} (×{last - first + 1})"


def device_labels(a: Analysis, layout: RackLayout) -> dict[tuple[int, int], tuple[str, str]]:
    """(BOM line, number) -> (label, role) of every placed device, in product words: a
    server ``DGX H100 #3`` with its group's role when the product alone does not say it
    (``UNet3D training``), a storage unit ``ESS 3000 #2``, a switch by its fabric name and
    product (``leaf-1``, ``SB7800``)."""
    from sizer.report.names import role_words

    d = a.design
    n_srv, n_sto = len(d.servers), len(d.storage)
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for r in layout.racks:
        for p in r.devices:
            if p.line < n_srv:
                g = d.servers[p.line]
                label = f"{fmt.short_product(g.server_name, g.server_id)} #{p.number}"
                out[(p.line, p.number)] = (label, role_words(d, p.line))
            elif p.line < n_sto + n_srv:
                s = d.storage[p.line - n_srv]
                out[(p.line, p.number)] = (
                    f"{fmt.short_product(s.unit_name, s.unit_id)} #{p.number}",
                    "",
                )
            else:
                sw = a.fabric.switches[p.number - 1] if p.number <= len(a.fabric.switches) else ""
                product = fmt.short_product(d.switch_name, d.switch_id)
                out[(p.line, p.number)] = (f"{sw} {product}".strip(), "")
    return out


def racks_svg(
    layout: RackLayout, labels: dict[tuple[int, int], tuple[str, str]] | None = None
) -> str:
    """The elevation: one column per rack (a run of racks holding the same devices drawn
    once, titled with its range), U1 at the bottom, rows of six.  ``labels``: each
    device's label and role (:func:`device_labels`); without them the catalog id."""
    groups = rack_runs(layout)
    n = len(groups)
    if n == 0:
        return ""
    cols = min(n, _PER_ROW)
    rows = -(-n // _PER_ROW)
    rack_h = layout.height_u * _U_PX
    cell_h = rack_h + 46
    w = cols * (_RACK_W + _GAP) + _GAP
    h = rows * cell_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        f'width="{w}" height="{h}" role="img" aria-label="Rack elevation" '
        'font-family="DejaVu Sans, sans-serif">'
    ]
    for i, (first, last, r) in enumerate(groups):
        x = _GAP + (i % _PER_ROW) * (_RACK_W + _GAP)
        y0 = 18 + (i // _PER_ROW) * cell_h
        out.append(
            f'<text x="{x + _RACK_W / 2}" y="{y0 - 5}" font-size="10" text-anchor="middle" '
            f'font-weight="bold">{escape(_span(first, last))}</text>'
        )
        out.append(
            f'<rect x="{x}" y="{y0}" width="{_RACK_W}" height="{rack_h}" fill="#f7f7f7" '
            'stroke="#333" stroke-width="1.2"/>'
        )
        for u in range(1, layout.height_u + 1, 5):
            yy = y0 + rack_h - u * _U_PX + _U_PX - 1
            out.append(f'<text x="{x - 3}" y="{yy}" font-size="6" text-anchor="end">{u}</text>')
        for p in r.devices:
            if p.height == 0:  # inside another device (a drive in its server): not drawn
                continue
            top = y0 + rack_h - (p.u + p.height - 1) * _U_PX
            hh = p.height * _U_PX
            out.append(
                f'<rect x="{x + 2}" y="{top + 0.5}" width="{_RACK_W - 4}" height="{hh - 1}" '
                f'fill="{_FILL.get(p.kind, "#ddd")}" stroke="#555" stroke-width="0.5"/>'
            )
            name, role = (labels or {}).get((p.line, p.number), (f"{p.id} #{p.number}", ""))
            if last > first:  # one drawing for a run of racks: no unit number
                name = name.rsplit(" #", 1)[0]
            size = 7 if hh >= 9 else 6
            out.append(
                f'<text x="{x + 6}" y="{top + min(hh, 9) - 2}" font-size="{size}">'
                f"{escape(_fit(name, _RACK_W - 10, size))}</text>"
            )
            if role and hh >= 18:  # a second line for the role where the device is tall
                out.append(
                    f'<text x="{x + 6}" y="{top + 16}" font-size="6">'
                    f"{escape(_fit(role, _RACK_W - 10, 6))}</text>"
                )
        kw = r.watts / 1000
        out.append(
            f'<text x="{x + _RACK_W / 2}" y="{y0 + rack_h + 13}" font-size="8" '
            f'text-anchor="middle">{r.used_u}/{layout.height_u} U, {kw:,.1f}/'
            f"{layout.max_watts / 1000:,.0f} kW{' each' if last > first else ''}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def racks_context(a: Analysis, cat: Catalog | None) -> dict[str, Any]:
    """Per-rack rows, POD totals and the layout (for :func:`racks_svg`)."""
    from sizer.bom import bill_of_materials

    bom = bill_of_materials(a.design, a.fabric)
    lay: RackLayout = bom.layout
    rows = []
    from sizer.report.names import role_words

    n_srv = len(a.design.servers)
    for first, last, r in rack_runs(lay):
        counts: dict[str, int] = {}
        for p in r.devices:
            role = role_words(a.design, p.line) if p.line < n_srv else ""
            name = f"{p.name} ({role})" if role else p.name
            counts[name] = counts.get(name, 0) + 1
        weights = [_weight(cat, p.kind, p.id) for p in r.devices]
        known = [x for x in weights if x is not None]
        rows.append(
            {
                "rack": str(first) if first == last else f"{first}–{last}",
                "devices": ", ".join(f"{n} × {name}" for name, n in counts.items())
                + ("" if first == last else f" in each of {last - first + 1} racks"),
                "used": f"{r.used_u} / {lay.height_u} U" + ("" if first == last else " each"),
                "power": f"{fmt.watts(r.watts)} / {fmt.watts(lay.max_watts)}"
                + ("" if first == last else " each"),
                "weight": (
                    "n/a"
                    if not known
                    else f"{sum(known):,.0f} kg"
                    + ("" if len(known) == len(weights) else " (partial)")
                ),
            }
        )
    per_line = [(_weight(cat, x.kind, x.id), x.count, x.name) for x in bom.lines if x.count > 0]
    w_known = sum(w * n for w, n, _ in per_line if w is not None)
    w_missing = sorted({name for w, _, name in per_line if w is None})
    limits = f"{lay.height_u} U and {fmt.watts(lay.max_watts)} per rack" + (
        " (defaults: the scenario has no racks: section)" if lay.defaults else " (scenario)"
    )
    warn = []
    if lay.over_limit:
        warn.append(
            "above the per-rack power limit on their own, one per rack: "
            + ", ".join(lay.over_limit)
        )
    if lay.too_tall:
        warn.append("taller than a rack, not placed: " + ", ".join(lay.too_tall))
    return {
        "layout": lay,
        "labels": device_labels(a, lay),
        "rows": rows,
        "limits": limits,
        "racks": fmt.count(len(lay.racks)),
        "power": fmt.watts(lay.watts),
        "rack_units": fmt.count(lay.used_u),
        "weight": f"{w_known:,.0f} kg" if w_known else "n/a",
        "weight_note": (
            "no weight figure in the catalog for: " + ", ".join(w_missing) if w_missing else ""
        ),
        "warnings": warn,
    }
