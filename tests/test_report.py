"""Unit tests of the report stage (:mod:`sizer.report`): numbers, names, writes, fetcher,
date, reproducibility, diagram grouping and chart hygiene.  No external programs."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sizer.errors import SizerInputError
from sizer.report import build_report, fmt, report_date
from sizer.report.context import fingerprint, header_text, sections
from sizer.report.pdf import AssetFetcher, RefusedURL
from sizer.report.write import OutsideOutputDir, safe_name, write_files

REPO = Path(__file__).resolve().parents[1]
RA9 = REPO / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml"
DATE = dt.date(2026, 1, 2)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("fn", "value", "text"),
    [
        (fmt.images, 670968.0, "670,968"),
        (fmt.images, 74551.5, "74,552"),
        (fmt.images, float("inf"), "unbounded"),
        (fmt.rate, 75618093600.0, "75.6 GB/s"),
        (fmt.rate, 4e10, "40.0 GB/s"),
        (fmt.pct, 0.6301507799999998, "63%"),
        (fmt.pct, 1.0, "100%"),
        (fmt.pct, None, "–"),
        (fmt.factor, 1.5869217840212786, "1.59×"),
        (fmt.factor, float("inf"), "–"),
        (fmt.gib, 2**34, "16.00 GiB"),
        (fmt.count, 2.5, "2.5"),
        (fmt.count, 1200, "1,200"),
        (fmt.watts, 28800, "28.8 kW"),
        (fmt.watts, 3500, "3,500 W"),
    ],
)
def test_fmt(fn: Callable[[Any], str], value: Any, text: str) -> None:
    assert fn(value) == text


def test_pct_matches_the_terminal_summary() -> None:
    """One spelling of a percentage: the report's and `sizer analyze`'s agree."""
    from sizer.text import pct as _pct

    for x in (0.0, 0.004, 0.5, 0.62, 0.995, 0.9951, 1.0):
        assert fmt.pct(x) == _pct(x)


# --------------------------------------------------------------------------- names, writes


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ra-9x-dgx1-3x-ess3000", "ra-9x-dgx1-3x-ess3000"),
        ("../../etc/passwd", "etc-passwd"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("..", "scenario"),
        (".hidden", "hidden"),
        ("a b\tc\nd", "a-b-c-d"),
        ("x" * 300, "x" * 100),
        ("Ünïcode", "n-code"),
    ],
)
def test_safe_name(text: str, name: str) -> None:
    assert safe_name(text) == name


def test_write_files_atomic_and_confined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = write_files(out, "pod", {"report.html": b"<p>1</p>", "report.pdf": b"%PDF"})
    assert [p.name for p in paths] == ["report.html", "report.pdf"]
    assert (out / "pod" / "report.html").read_bytes() == b"<p>1</p>"
    write_files(out, "pod", {"report.html": b"<p>2</p>"})  # replaces the set
    assert (out / "pod" / "report.html").read_bytes() == b"<p>2</p>"
    # issue 18: the old PDF does not stay beside the new HTML as if they were a pair
    assert sorted(p.name for p in (out / "pod").iterdir()) == ["report.html"]
    mode = (out / "pod" / "report.html").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "", ".x"])
def test_write_files_refuses_unsafe_dir_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutsideOutputDir):
        write_files(tmp_path, name, {"report.html": b"x"})
    assert list(tmp_path.iterdir()) == []


def test_write_files_refuses_unsafe_file_names(tmp_path: Path) -> None:
    with pytest.raises(OutsideOutputDir):
        write_files(tmp_path, "pod", {"../evil.html": b"x"})
    assert not (tmp_path / "evil.html").exists()


def test_write_files_refuses_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "pod").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideOutputDir, match="symbolic link"):
        write_files(out, "pod", {"report.html": b"x"})
    (out / "pod").unlink()
    (out / "pod").mkdir()
    (out / "pod" / "report.html").symlink_to(outside / "victim")
    with pytest.raises(OutsideOutputDir, match="not a regular file"):
        write_files(out, "pod", {"report.html": b"x"})
    assert list(outside.iterdir()) == []


def test_write_files_leaves_no_temp_file_on_failure(tmp_path: Path, monkeypatch: Any) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", boom)
    with pytest.raises(OSError, match="disk full"):
        write_files(tmp_path, "pod", {"report.html": b"x"})
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- date, hash


def test_report_date_from_source_date_epoch() -> None:
    assert report_date({"SOURCE_DATE_EPOCH": "1767312000"}) == dt.date(2026, 1, 2)
    assert report_date({}) == dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize("raw", ["yesterday", "-5", "1.5", "9" * 40])
def test_report_date_rejects_bad_epoch(raw: str) -> None:
    with pytest.raises(SizerInputError) as e:
        report_date({"SOURCE_DATE_EPOCH": raw})
    assert "SOURCE_DATE_EPOCH" in str(e.value)


def test_fingerprint_covers_scenario_and_catalog() -> None:
    a = fingerprint(b"name: x\n", "0" * 64)
    assert re.fullmatch(r"[0-9a-f]{12}", a)
    assert a != fingerprint(b"name: y\n", "0" * 64)
    assert a != fingerprint(b"name: x\n", "1" + "0" * 63)


def test_header_text_is_cut() -> None:
    assert header_text("short") == "short"
    long = header_text("x" * 200)
    assert len(long) == 80 and long.endswith("…")


def test_sections_in_order() -> None:
    titles = [s["title"] for s in sections(True, True)]
    assert titles == [
        "Executive summary",
        "Design and bill of materials",
        "Components",
        "Capacity",
        "Racks, power and weight",
        "Data-path analysis",
        "Scaling",
        "GPU memory",
        "Assumptions and sources",
        "Glossary",
        "Appendix: the scenario as given",
    ]
    assert [s["number"] for s in sections(False, False)] == [str(n) for n in range(1, 10)]


# --------------------------------------------------------------------------- fetcher


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.com/a.png",
        "ftp://example.com/a",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://remote-host/share/report.css",
    ],
)
def test_fetcher_refuses_everything_outside_the_assets(url: str) -> None:
    f = AssetFetcher()
    with pytest.raises(RefusedURL):
        f.fetch(url)
    assert f.refused == [url]


def test_fetcher_refuses_path_escapes(tmp_path: Path) -> None:
    f = AssetFetcher()
    escape = f.root.as_uri() + "/../pyproject.toml"
    with pytest.raises(RefusedURL):
        f.fetch(escape)
    link = tmp_path / "assets"
    link.mkdir()
    (link / "x.css").symlink_to(REPO / "pyproject.toml")
    g = AssetFetcher(link)
    with pytest.raises(RefusedURL):
        g.fetch((link / "x.css").as_uri())


def test_fetcher_serves_packaged_css() -> None:
    f = AssetFetcher()
    r = f.fetch((f.root / "report.css").as_uri())
    assert b"@page" in r.read()
    assert f.served and not f.refused


# --------------------------------------------------------------------------- reproducible


def test_same_inputs_same_html(catalog: Any) -> None:
    """Byte-identical HTML from two renders (STYLE.md 13); the date is an input."""
    a = build_report(RA9, catalog, date=DATE, formats=("html",))
    b = build_report(RA9, catalog, date=DATE, formats=("html",))
    assert a.html == b.html
    assert a.pdf is None and list(a.files()) == ["report.html", "bom.csv", "bom.xlsx"]
    c = build_report(RA9, catalog, date=dt.date(2026, 1, 3), formats=("html",))
    assert c.html != a.html and c.html.replace("2026-01-03", "2026-01-02") == a.html


def test_source_date_epoch_sets_the_cover_date(catalog: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    r = build_report(RA9, catalog, formats=("html",))
    assert r.context["date"] == "2026-01-02"


def test_html_is_self_contained(catalog: Any) -> None:
    html = build_report(RA9, catalog, date=DATE, formats=("html",)).html
    refs = re.findall(r"""(?:src|href)\s*=\s*(["']?)([^"'\s>]*)""", html)
    assert refs and all(q == '"' and v.startswith("#") for q, v in refs), refs
    assert "url(" not in html.replace("url(#", "")
    assert "<script" not in html.lower()
    assert "@import" not in html


# --------------------------------------------------------------------------- diagram


def _analysis(write_yaml: Callable[..., Path], catalog: Any, text: str) -> Any:
    from sizer.analysis import analyze
    from sizer.loader import load_scenario

    return analyze(load_scenario(write_yaml(text), catalog), catalog)


POD = """\
name: diagram POD
compute:
  - server: dgx-1
    count: {n}
storage:
  - unit: ess-3000
    count: {m}
network:
  topology: {topo}
  switch: {switch}
{extra}workloads:
  - model: resnet-50
    phase: training
    precision: fp16
    dataset: imagenet
"""


@pytest.mark.parametrize("n", range(1, 10))
def test_diagram_draws_every_server_up_to_nine(n: int, write_yaml: Any, catalog: Any) -> None:
    from sizer.report.topology import FONT, summarize
    from sizer.report.topology_svg import diagram_for

    a = _analysis(
        write_yaml, catalog, POD.format(n=n, m=2, topo="dual-switch", switch="sb7800", extra="")
    )
    dg = summarize(a.fabric.graph, a)
    assert not dg.grouped
    assert [len(r) for r in dg.rows] == [2, 2, n]
    assert sum(e.bundles for e in dg.edges) == a.fabric.graph.number_of_edges()
    svg, caption = diagram_for(a)
    for k in range(1, n + 1):
        assert f">DGX-1 #{k}<" in svg  # product names, not catalog ids (issue 15)
    # >= 8 pt: the 1000-unit-wide drawing prints at most 180 mm wide
    assert FONT * 170 / 1000 >= 8 * 25.4 / 72
    sizes = {float(x) for x in re.findall(r'font-size="([0-9.]+)"', svg)}
    assert min(sizes) >= FONT
    assert "2 × 2" in svg and f"{a.fabric.cables['edr-ib']} cables" in caption


def test_diagram_groups_hundreds_of_servers(write_yaml: Any, catalog: Any) -> None:
    from sizer.report.topology import summarize
    from sizer.report.topology_svg import diagram_for

    extra = "  leaves: 40\n  spines: 32\n"
    a = _analysis(
        write_yaml,
        catalog,
        POD.format(n=300, m=8, topo="leaf-spine", switch="qm9700", extra=extra)
        .replace("dgx-1", "dgx-h100")
        .replace("ess-3000", "ess-3500"),
    )
    dg = summarize(a.fabric.graph, a)
    assert dg.grouped
    assert max(len(r) for r in dg.rows) <= 10
    members = sum(dn.members for r in dg.rows for dn in r if dn.kind == "server")
    assert members == 300
    links = sum(
        d["links"]
        for _u, _v, d in a.fabric.graph.edges(data=True)
        if a.fabric.graph.nodes[_v]["kind"] == "server"
    )
    svg, caption = diagram_for(a)
    assert "Identical units are drawn as one box" in caption
    assert svg.count("<rect") < 80
    assert links == 300 * 2  # 2 storage ports per DGX H100
    # drawn by rack: DGX H100 #1 shares rack 8 with storage, the other 299 fill racks
    # 9-307, one each: their box takes 299 bundles of 2 cables
    assert ">Racks 9–307<" in svg and "299 × 2" in svg


# --------------------------------------------------------------------------- charts


def test_diagram_labels_keep_the_unit_number() -> None:
    from sizer.report.topology import FONT
    from sizer.report.topology_svg import _fit

    assert _fit("dgx-1 #7", 200, FONT) == "dgx-1 #7"
    cut = _fit("<b>a very long group name</b> #12", 150, FONT)
    assert cut.endswith("… #12") and len(cut) <= int(150 / (0.6 * FONT))
    assert _fit("x" * 50 + " ×300", 120, FONT).endswith("… ×300")


def _chart_rows() -> list[dict[str, Any]]:
    return [
        {
            "group": "ess-3000 x1 $a$ <b>",
            "kind": "storage",
            "utilization": 1.0,
            "util": "100%",
            "saturated": True,
            "bottleneck": True,
        },
        {
            "group": "switch -> dgx-1 links",
            "kind": "network link",
            "utilization": 0.4,
            "util": "40%",
            "saturated": False,
            "bottleneck": False,
        },
    ]


def test_charts_are_reproducible_and_weasyprint_friendly() -> None:
    from sizer.report.charts import memory_chart, scaling_chart, utilization_chart

    a = utilization_chart(_chart_rows())
    assert a == utilization_chart(_chart_rows())
    assert "style=" not in a and "<style" not in a  # presentation attributes only
    assert "$a$ &lt;b&gt;" in a  # no mathtext, text escaped
    ids = re.findall(r'id="([^"]+)"', a)
    assert ids and all(i.startswith("util-") for i in ids) and len(ids) == len(set(ids))
    sizes = [float(x) for x in re.findall(r'font-size="([0-9.]+)px"', a)]
    assert sizes and min(sizes) >= 8.0  # drawn at print size: px here are points
    s = scaling_chart(
        [{"label": "achieved", "x": [1, 2], "y": [1.0, 2.0]}],
        xlabel="GPU servers",
        ylabel="images/s",
        marks=[{"x": 2, "label": "knee: 2"}],
    )
    assert "GPU servers" in s and "knee: 2" in s
    assert not set(re.findall(r'id="([^"]+)"', s)) & set(ids)
    m = memory_chart(
        [
            {
                "title": "VGG-16 training",
                "gpu_memory_bytes": 16 * 2**30,
                "parts": [{"key": "parameters", "label": "parameters", "bytes": 2**30}],
            }
        ]
    )
    assert "memory per GPU (GiB)" in m


def test_paper_changes_the_pdf_not_the_html(catalog: Any) -> None:
    a = build_report(RA9, catalog, date=DATE, formats=("html",), paper="a4")
    b = build_report(RA9, catalog, date=DATE, formats=("html",), paper="letter")
    assert a.html == b.html
