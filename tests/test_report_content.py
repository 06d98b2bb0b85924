"""What a reader of the PDF sees: for every shipped scenario the text (pdftotext, Debian
poppler-utils) holds every section heading and the key figures of ``sizer analyze
--json`` -- the same numbers, rounded by the one formatting helper (sizer/report/fmt.py).
Also: no WeasyPrint warnings, PDF metadata and bookmarks, A4 vs Letter."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sizer.report import fmt
from tests.conftest_report import SCENARIOS, Rendered

STEMS = [p.stem for p in SCENARIOS]


def _text(tool: Callable[[str], str], pdf: Path) -> str:
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return " ".join(out.split())


def _analyze_json(path: Path) -> dict[str, Any]:
    """``sizer analyze FILE --json``, as the user runs it."""
    from sizer.cli import cli

    r = CliRunner().invoke(cli, ["analyze", str(path), "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def key_figures(j: dict[str, Any], words: Callable[[str], str] = str) -> list[str]:
    """The figures of ``analyze --json`` the report must print, formatted as it prints them;
    resource groups as the report names them (``words``: :func:`sizer.report.names.words_for`,
    product names for catalog ids)."""
    agg = j["aggregate"]
    out = [fmt.rate(agg["read_bytes_per_sec"])]
    if agg["images_per_sec"] is not None and agg["sample_unit"] is not None:
        out.append(f"{fmt.images(agg['images_per_sec'])} {agg['sample_unit']}s/s")
    if agg["gpu_data_utilization"] is not None:
        out.append(fmt.pct(agg["gpu_data_utilization"]))
    for w in j["workloads"]:
        out.append(fmt.rate(w["read_bytes_per_sec"]))
        out.append(
            fmt.rate(w["demand_read_bytes_per_sec"])
            if w["demand_read_bytes_per_sec"] is not None
            else "unbounded"
        )
        if w["demand_images_per_sec"] is not None:
            out.append(fmt.images(w["images_per_sec"]))
            out.append(fmt.images(w["demand_images_per_sec"]))
            out.append(fmt.pct(w["gpu_data_utilization"]))
        out.append(words(w["bound_by"]["group"]))
    groups: dict[str, dict[str, Any]] = {}
    for r in j["resources"]:
        best = groups.get(r["group"])
        if best is None or r["utilization"] > best["utilization"]:
            groups[r["group"]] = r
    for r in groups.values():
        out.append(words(r["group"]))
        out.append(fmt.pct(r["utilization"]))
        out.append(fmt.capacity(r["capacity"], r["unit"]))
        if r["headroom"] is not None:
            out.append(fmt.factor(r["headroom"]))
    b = j["bottleneck"]
    if b is None:
        out.append("compute-bound")
    else:
        out += [words(b["group"]), fmt.pct(b["utilization"])]
    d = j["design"]
    out += [f"{d['gpus']} GPUs", d["topology"]]
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_text_has_headings_and_key_figures(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    r = shipped_reports[stem]
    text = _text(tool, r.pdf_path)
    for s in r.context["sections"]:
        assert f"{s['number']} {s['title']}" in text, s
    for h in (
        "Key figures",
        "Bill of materials",
        "Switch ports",
        "Topology",
        "Per-workload results",
        "Resource utilization",
        "Model assumptions",
        "Catalog figures used",
    ):
        assert h in text, h
    j = _analyze_json(r.scenario)
    assert j == json.loads(json.dumps(r.analysis_json))  # the fixture's numbers are the CLI's
    from sizer.analysis import analyze_design
    from sizer.loader import load_design
    from sizer.report.names import words_for

    words = words_for(analyze_design(load_design(r.scenario)))
    missing = [k for k in key_figures(j, words) if k not in text]
    assert not missing, f"{stem}: not in the PDF text: {missing}"
    assert r.context["fingerprint"] in text and "2026-01-02" in text
    assert j["scenario"].split()[0] in text


@pytest.mark.parametrize("stem", STEMS)
def test_every_catalog_figure_used_is_listed(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    from sizer.analysis import analyze
    from sizer.catalog import load_catalog
    from sizer.loader import load_scenario

    cat = load_catalog()
    a = analyze(load_scenario(shipped_reports[stem].scenario, cat), cat)
    html = shipped_reports[stem].html
    for u in a.design.used:
        ref = f'<code class="sub ref">{u.entry}</code></td><td>'
        assert ref in html and f'<code class="sub ref">{_esc(u.field)}</code>' in html, (
            u.entry,
            u.field,
        )


def _esc(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))


@pytest.mark.parametrize("stem", STEMS)
def test_render_logged_nothing(stem: str, shipped_reports: dict[str, Rendered]) -> None:
    """WeasyPrint logs a warning for a blocked URL, a missing font or bad CSS."""
    assert shipped_reports[stem].log == []


def test_pdf_metadata_bookmarks_and_page_numbers(
    shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    r = shipped_reports["ra-9x-dgx1-3x-ess3000"]
    info = subprocess.run(
        [tool("pdfinfo"), str(r.pdf_path)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    from sizer import __version__

    assert re.search(rf"^Author:\s+sizer {re.escape(__version__)}$", info, re.M)
    assert re.search(r"^Title:\s+Storage and fabric sizing report: RA 9x DGX-1", info, re.M)
    assert "(A4)" in info
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    text = _text(tool, r.pdf_path)
    assert f"Page 2 of {pages}" in text and f"Page {pages} of {pages}" in text
    blob = _inflated(r.pdf_path.read_bytes())
    assert b"/Outlines" in blob  # bookmarks from the headings
    titles = re.findall(rb"/Title \(([^)]*)\)", blob)
    for sec in r.context["sections"]:
        assert f"{sec['number']} {sec['title']}".encode() in titles
    # the running header holds the scenario name on every page after the cover
    assert text.count("RA 9x DGX-1 + 3x ESS 3000 DGX POD") >= pages


def _inflated(raw: bytes) -> bytes:
    """The PDF with its Flate streams (object streams included) inflated."""
    import zlib

    parts = [raw]
    for m in re.finditer(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)endstream", raw, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_letter_paper(
    tmp_path: Path, tool: Callable[[str], str], catalog: Any, weasyprint_log: list[Any]
) -> None:
    from sizer.report import build_report
    from tests.conftest_report import REPORT_DATE

    path = SCENARIOS[0]
    rep = build_report(path, catalog, date=REPORT_DATE, paper="letter")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(rep.pdf or b"")
    info = subprocess.run(
        [tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert "612 x 792 pts (letter)" in info


@pytest.mark.parametrize("stem", STEMS)
def test_scaling_and_memory_figures_in_pdf(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str], catalog: Any
) -> None:
    """The scaling section prints sizer.scaling's sizing, headroom and N-1 figures, and
    the memory section sizer.memory's totals, through the same helpers."""
    from sizer import scaling
    from sizer.analysis import analyze
    from sizer.loader import load_scenario

    r = shipped_reports[stem]
    text = _text(tool, r.pdf_path)
    sc = load_scenario(r.scenario, catalog)
    a = analyze(sc, catalog)
    sizing = scaling.size_storage(a.design).to_json()
    if sizing["met"]:
        assert f"{sizing['storage_units']} × {a.design.storage[0].unit_name}" in text
    head = scaling.headroom(a.design).to_json()
    if head["multiplier"] is not None:
        assert fmt.factor(head["multiplier"]) in text

    # a table cell may break after a hyphen, which pdftotext then drops: compare without
    # hyphens and spaces
    def bare(s: str) -> str:
        return re.sub(r"[-\s]", "", s)

    from sizer.report.names import words_for

    words = words_for(a)  # the report names elements by product, not catalog id
    for case in scaling.failure_cases(a.design, fabric=a.fabric):
        j = case.to_json()
        assert bare(words(j["element"])) in bare(text)
        assert fmt.pct(j["relative"]) in text
    for m in r.context["memory"] or []:
        assert m["total"] in text and m["gpu_memory"] in text and m["largest_batch"] in text
