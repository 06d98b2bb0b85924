"""The report's charts as a customer reads them (issue 15).

* the server-scaling chart goes on past the switch-port limit, with the limit marked;
* the storage sweep's utilization axis is 0-100% and the 90% bar is drawn where 90% is
  (read from the SVG: the bar's path sits 90% of the way from the 0 tick to the 100 tick);
* one GPU workload draws one utilization series, not a duplicate "least-fed" line;
* resource labels name products, not catalog ids;
* a single memory case is a table, not a sliver of a bar on an 80 GiB axis.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest_report import SCENARIOS, Rendered


def svg_of(html: str, prefix: str) -> str:
    """The inline SVG whose element ids start with ``prefix-``."""
    for m in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        if f'id="{prefix}-' in m.group(0):
            return m.group(0)
    raise AssertionError(f"no chart {prefix!r}")


def y_ticks(svg: str, prefix: str) -> dict[str, float]:
    """Tick label -> the tick's y coordinate in the SVG."""
    out = {}
    pattern = rf'id="{prefix}-ytick_\d+">.*?<use [^>]*y="([-\d.]+)".*?>([\d,]+)</text>'
    for y, label in re.findall(pattern, svg, re.S):
        out[label] = float(y)
    return out


def bar_y(svg: str, prefix: str) -> float:
    """The y of the horizontal bar line (asserting it is horizontal)."""
    m = re.search(
        rf'<g id="{prefix}-bar">\s*<path d="M ([-\d.]+) ([-\d.]+)\s*L ([-\d.]+) ([-\d.]+)', svg
    )
    assert m, "no bar line in the chart"
    x0, y0, x1, y1 = (float(v) for v in m.groups())
    assert y0 == y1 and x1 > x0
    return y0


def test_bar_reader_sees_a_misplaced_line() -> None:
    """The check is not vacuous: a line at 50% is not at 90%."""
    from sizer.report.charts import scaling_chart

    svg = scaling_chart(
        [{"label": "u", "x": [1, 2], "y": [40.0, 100.0]}],
        xlabel="units",
        ylabel="%",
        percent=True,
        bar={"y": 50.0, "label": "50% bar"},
        prefix="t",
    )
    ticks = y_ticks(svg, "t")
    y = bar_y(svg, "t")
    assert abs(y - (ticks["0"] + 0.5 * (ticks["100"] - ticks["0"]))) < 0.5
    assert abs(y - (ticks["0"] + 0.9 * (ticks["100"] - ticks["0"]))) > 5


@pytest.mark.parametrize("stem", ["ra-9x-dgx1-3x-ess3000", "dgx-h100-su-ndr-ess3500"])
def test_storage_chart_is_0_to_100_with_the_90_bar(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    svg = svg_of(shipped_reports[stem].html, "scaling_storage")
    ticks = y_ticks(svg, "scaling_storage")
    assert list(ticks) == ["0", "20", "40", "60", "80", "100"]
    y = bar_y(svg, "scaling_storage")
    assert abs(y - (ticks["0"] + 0.9 * (ticks["100"] - ticks["0"]))) < 0.5
    assert "90% bar" in svg


@pytest.mark.parametrize(
    ("stem", "series"),
    [("ra-9x-dgx1-3x-ess3000", 1), ("ra-9x-dgx1-3x-ess3000-mixed", 2)],
)
def test_one_workload_one_utilization_series(
    stem: str, series: int, shipped_reports: dict[str, Rendered]
) -> None:
    fig = shipped_reports[stem].context["scaling"]["figures"][1]
    assert len(fig["series"]) == series
    svg = svg_of(shipped_reports[stem].html, "scaling_storage")
    assert ("least-fed workload" in svg) == (series == 2)


def test_server_chart_goes_past_the_port_limit(shipped_reports: dict[str, Rendered]) -> None:
    """RA 9x DGX-1: two SB7800 hold 12 DGX-1; the sweep runs to 18 and storage
    (3 x ESS 3000) becomes the limit past the port limit."""
    r = shipped_reports["ra-9x-dgx1-3x-ess3000"]
    fig = r.context["scaling"]["figures"][0]
    past = next(s for s in fig["series"] if s["label"].startswith("past the switch-port limit"))
    assert past["x"][0] == 12 and past["x"][-1] == 18
    assert {"x": 12, "label": "switch-port limit: 12"} in fig["marks"]
    svg = svg_of(r.html, "scaling_servers")
    assert "switch-port limit: 12" in svg
    text = " ".join(r.context["scaling"]["paragraphs"])
    assert "ESS 3000 ×3 would become the limit at 15 servers" in text


@pytest.mark.parametrize("stem", ["ra-9x-dgx1-3x-ess3000", "ra-3x-dgx2-3x-ess3000"])
def test_resource_labels_in_words(stem: str, shipped_reports: dict[str, Rendered]) -> None:
    r = shipped_reports[stem]
    svg = svg_of(r.html, "util")
    labels = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "DGX" in labels
    for raw in ("dgx-1", "dgx-2", "ess-3000", "sb7800", "->"):
        assert raw not in labels, raw
    assert any("switch → DGX" in x["label"] for x in r.context["resources"])


def test_single_memory_case_is_a_table(shipped_reports: dict[str, Rendered]) -> None:
    one = shipped_reports["dgx-a100-pod-hdr-ess3200"]
    assert len(one.context["memory"]) == 1
    assert 'id="mem-' not in one.html and 'table class="data memory"' in one.html
    two = shipped_reports["dgx-h100-su-ndr-ess3500"]
    assert 'id="mem-' in two.html


def _rects(svg: str, rx: tuple[str, ...]) -> list[tuple[float, float, float, float]]:
    out = []
    pattern = r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="(\d+)"'
    for x, y, w, h, r in re.findall(pattern, svg):
        if r in rx:
            out.append((float(x), float(y), float(x) + float(w), float(y) + float(h)))
    return out


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def collisions(svg: str) -> list[str]:
    """Cable-count labels (rx 3) that overlap another label or a box (rx 4 or 8)."""
    labels = _rects(svg, ("3",))
    boxes = _rects(svg, ("4", "8"))
    out = []
    for i, a in enumerate(labels):
        out += [
            f"label {i} / label {j}" for j, b in enumerate(labels[i + 1 :], i + 1) if _overlap(a, b)
        ]
        out += [f"label {i} / box {j}" for j, b in enumerate(boxes) if _overlap(a, b)]
    return out


def test_collision_check_sees_a_collision() -> None:
    svg = (
        '<rect x="0" y="0" width="20" height="10" rx="3"/>'
        '<rect x="15" y="5" width="20" height="10" rx="3"/>'
        '<rect x="100" y="0" width="50" height="50" rx="8"/>'
    )
    assert collisions(svg) == ["label 0 / label 1"]


@pytest.mark.parametrize("stem", sorted(p.stem for p in SCENARIOS))
def test_topology_labels_do_not_collide_and_name_products(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    html = shipped_reports[stem].html
    svg = re.search(r'<svg[^>]*class="topology".*?</svg>', html, re.S)
    assert svg
    assert collisions(svg.group(0)) == []
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg.group(0))
    ids = ("dgx-", "ess-", "sb7800", "qm8700", "qm9700", "edr-ib", "hdr-ib", "ndr-ib")
    assert [x for x in texts if any(i in x for i in ids)] == []
