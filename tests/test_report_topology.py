"""The topology drawing places devices by rack (issue 15: "both fabrics' devices placed
by rack when the rack elevation exists", "no colliding labels").

For every shipped scenario: the drawing has one labeled frame per rack column of the rack
elevation (a run of racks holding the same devices is one column, as in the elevation);
every box stands for devices of its column's racks only; no two texts of the SVG overlap;
no text is cut short.  A hand case: the 9x DGX-1 RA puts the two switches, the three
ESS 3000 and DGX-1 #1-4 in rack 1, DGX-1 #5-9 in rack 2.
"""

from __future__ import annotations

import re
from html import unescape
from itertools import combinations

import pytest

from sizer.analysis import analyze_design
from sizer.bom import bill_of_materials
from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.report.racks_view import rack_runs
from sizer.report.topology import BOLD, CHAR_W, rack_columns, summarize
from tests.conftest_report import ROOT, SCENARIOS, Rendered

STEMS = [p.stem for p in SCENARIOS]
CAT = load_catalog()


def _analysis(stem: str):  # type: ignore[no-untyped-def]
    return analyze_design(load_design(ROOT / "scenarios" / f"{stem}.yaml", CAT))


def _texts(svg: str) -> list[tuple[float, float, float, float, str]]:
    """Every ``<text>`` of an SVG as its box (x0, y0, x1, y1) and its string; widths at
    :data:`CHAR_W` em per character (conservative for DejaVu Sans; bold :data:`BOLD`
    times wider), height one em."""
    out = []
    for m in re.finditer(r"<text ([^>]*)>(.*?)</text>", svg, re.S):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        text = unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        size = float(attrs["font-size"])
        x, y = float(attrs["x"]), float(attrs["y"])
        w = len(text) * CHAR_W * size * (BOLD if attrs.get("font-weight") == "bold" else 1)
        anchor = attrs.get("text-anchor", "start")
        x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
        out.append((x0, y - 0.8 * size, x0 + w, y + 0.2 * size, text))
    return out


def _overlaps(svg: str) -> list[tuple[str, str]]:
    boxes = _texts(svg)
    return [
        (a[4], b[4])
        for a, b in combinations(boxes, 2)
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    ]


def _topology_svg(html: str) -> str:
    m = re.search(r'<svg[^>]*class="topology".*?</svg>', html, re.S)
    assert m
    return m.group(0)


def test_overlap_check_sees_an_overlap() -> None:
    svg = (
        '<svg><text x="10" y="20" font-size="17">leaf-1 Spectrum</text>'
        '<text x="60" y="25" font-size="17">2 × 14</text></svg>'
    )
    assert _overlaps(svg) == [("leaf-1 Spectrum", "2 × 14")]


def test_ra_9x_racks_by_hand() -> None:
    """20 kW per rack (the default), first fit: rack 1 takes both SB7800 (2 x 300 W),
    the 3 ESS 3000 (3 x 2,000 W) and DGX-1 #1-4 (4 x 3,200 W): 19,400 W; DGX-1 #5 would
    make 22,600 W, so DGX-1 #5-9 go to rack 2 (16,000 W)."""
    a = _analysis("ra-9x-dgx1-3x-ess3000")
    cols = rack_columns(a)
    assert cols is not None
    col_of, labels = cols
    assert labels == ["Rack 1", "Rack 2"]
    assert {n for n, c in col_of.items() if c == 1} == {f"dgx-1#{k}" for k in range(5, 10)}
    dg = summarize(a.fabric.graph, a, racks=cols)
    assert dg.columns == ["Rack 1", "Rack 2"] and not dg.grouped
    heads = {dn.lines[0]: dn.col for r in dg.rows for dn in r}
    assert heads["DGX-1 #4"] == 0 and heads["DGX-1 #5"] == 1
    assert heads["switch-A"] == heads["ESS 3000 #3"] == 0


@pytest.mark.parametrize("stem", STEMS)
def test_boxes_sit_in_their_racks(stem: str) -> None:
    a = _analysis(stem)
    cols = rack_columns(a)
    assert cols is not None
    col_of, labels = cols
    layout = bill_of_materials(a.design, a.fabric).layout
    want = [f"Rack {f}" if f == last else f"Racks {f}–{last}" for f, last, _r in rack_runs(layout)]
    assert labels == want
    dg = summarize(a.fabric.graph, a, racks=cols)
    assert dg.columns == labels  # drawn by rack: the columns fit the drawing
    drawn = [dn for r in dg.rows for dn in r]
    assert sorted(n for dn in drawn for n in dn.nodes) == sorted(a.fabric.graph.nodes)
    for dn in drawn:
        assert {col_of[n] for n in dn.nodes} == {dn.col}, dn.lines


@pytest.mark.parametrize("stem", STEMS)
def test_no_colliding_or_cut_labels(stem: str, shipped_reports: dict[str, Rendered]) -> None:
    html = shipped_reports[stem].html
    svg = _topology_svg(html)
    assert 'class="topology"' in svg and ">Rack 1<" in svg
    assert _overlaps(svg) == []
    cut = [t[4] for t in _texts(svg) if "…" in t[4]]
    assert cut == []
    assert "Devices are drawn in their racks" in shipped_reports[stem].context["diagram_caption"]


def test_too_many_rack_columns_draw_by_kind() -> None:
    """Fourteen columns of one device each do not fit 1,000 units of width side by side
    with their texts whole: the drawing falls back to rows by kind (no frames)."""
    a = _analysis("ra-9x-dgx1-3x-ess3000")
    nodes = sorted(a.fabric.graph.nodes)
    one_each = ({n: i for i, n in enumerate(nodes)}, [f"Rack {i + 1}" for i in range(len(nodes))])
    dg = summarize(a.fabric.graph, a, racks=one_each)
    assert len(nodes) == 14 and dg.columns == []
    assert [len(r) for r in dg.rows] == [3, 2, 9]
