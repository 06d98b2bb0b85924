"""What the shipped reports cite and how they state capacities (issue 15).

* No source a customer should not see: no internal file label ("seeds/"), no Q&A dataset
  (Hugging Face), no "unanswered.io"; a manual mirror is named as a mirror.
* One device, one capacity: link and switch capacities say "per direction", and a switch's
  bidirectional switching capacity is the same figure in the resource table and the sources.
* The executive summary names the catalog figures of confidence B or A the result uses.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest_report import SCENARIOS, Rendered

ROOT = Path(__file__).resolve().parents[1]
STEMS = [p.stem for p in SCENARIOS]
#: Source labels that must not reach a customer.
INTERNAL = ("seeds/", "huggingface", "unanswered", "IBM RA seeds")


def _text(tool: Callable[[str], str], pdf: Path) -> str:
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return " ".join(out.split())


def test_catalog_sources_name_no_internal_label() -> None:
    """Every ``source:`` and ``note:`` of the built-in catalog."""
    bad = []
    for f in sorted((ROOT / "catalog").rglob("*.yaml")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(source|note):", line):
                bad += [f"{f.name}:{n}: {w}" for w in INTERNAL if w.lower() in line.lower()]
    assert bad == []


def test_mirrors_are_named_as_mirrors() -> None:
    """A figure read on a mirror site says so in its source text."""
    mirrors = ("easymanua.ls", "hubbry.com", "w3cub.com", "vdocuments.net")
    bad = []
    for f in sorted((ROOT / "catalog").rglob("*.yaml")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if any(m in line for m in mirrors) and "mirror" not in line:
                bad.append(f"{f.name}:{n}")
    assert bad == []


@pytest.mark.parametrize("stem", STEMS)
def test_report_cites_no_internal_label(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    r = shipped_reports[stem]
    text = _text(tool, r.pdf_path).lower()
    html = r.html.lower()
    assert [w for w in INTERNAL if w.lower() in text or w.lower() in html] == []


def test_ibm_ra_cited_by_title(shipped_reports: dict[str, Rendered]) -> None:
    html = shipped_reports["ra-9x-dgx1-3x-ess3000"].html
    assert "IBM Spectrum Storage for AI with NVIDIA DGX Systems: Proven Infrastructure" in html
    assert "2019" in html


@pytest.mark.parametrize("stem", STEMS)
def test_link_and_switch_capacities_say_per_direction(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    rows = shipped_reports[stem].context["resources"]
    for r in rows:
        if r["kind"] in ("network link", "switch"):
            assert r["direction"].startswith("per direction"), r
    assert "per direction" in shipped_reports[stem].html


@pytest.mark.parametrize(
    ("stem", "per_direction", "bidirectional"),
    [
        ("ra-9x-dgx1-3x-ess3000", "450.0 GB/s", "7.2 Tb/s"),
        ("dgx-h100-su-ndr-ess3500", "3.2 TB/s", "51.2 Tb/s"),
    ],
)
def test_switch_capacity_agrees_between_table_and_sources(
    stem: str,
    per_direction: str,
    bidirectional: str,
    shipped_reports: dict[str, Rendered],
    tool: Callable[[str], str],
) -> None:
    """SB7800: 450 GB/s per direction = 7.2 Tb/s bidirectional; QM9700: 3.2 TB/s = 51.2."""
    r = shipped_reports[stem]
    sw = next(x for x in r.context["resources"] if x["kind"] == "switch")
    assert sw["capacity"] == per_direction
    assert sw["direction"] == f"per direction ({bidirectional} bidirectional)"
    used = next(u for u in r.context["used"] if u["field"] == "switching_capacity")
    assert used["value"].startswith(f"{bidirectional} bidirectional")
    assert used["value"].endswith(f"= {per_direction} per direction")
    text = _text(tool, r.pdf_path)
    assert f"{bidirectional} bidirectional" in text


def test_summary_names_weak_figures(shipped_reports: dict[str, Rendered]) -> None:
    summary = " ".join(shipped_reports["dgx-h100-su-ndr-ess3500"].context["summary"])
    assert "confidence" in summary.lower() or "Confidence" in summary
    assert "IBM Elastic Storage System 3500 port count (8 ports, A)" in summary
    ra = " ".join(shipped_reports["ra-9x-dgx1-3x-ess3000"].context["summary"])
    assert "Mellanox SB7800 (Switch-IB 2, EDR) port count (36 ports, B)" in ra


@pytest.mark.parametrize("stem", STEMS)
def test_components_glossary_and_not_modeled_in_pdf(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    r = shipped_reports[stem]
    text = _text(tool, r.pdf_path)
    for c in r.context["components"]:
        assert c["name"] in text
    for term in ("GPU data utilization", "Bottleneck", "N+1", "Oversubscription"):
        assert any(g["term"] == term for g in r.context["glossary"])
    assert "What this analysis does not model" in text
    for sentence in r.context["not_modeled"]:
        assert " ".join(sentence.split()[:6]) in text


def test_component_figures_are_the_catalogs(shipped_reports: dict[str, Rendered]) -> None:
    """Every figure of a component description is the design's (so the catalog's)."""
    from sizer.catalog import load_catalog

    cat = load_catalog()
    r = shipped_reports["ra-3x-dgx2-3x-ess3000"]
    by = {c["name"]: {s["label"]: s["value"] for s in c["specs"]} for c in r.context["components"]}
    sw = by[cat.switches["sb7800"].name]
    assert sw["Switching capacity"] == "7.2 Tb/s bidirectional = 450.0 GB/s per direction"
    assert sw["Ports"].startswith("36 × ")
    ess = by[cat.storage["ess-3000"].name]
    assert ess["Read bandwidth"] == "40.0 GB/s per unit"
    assert ess["Write bandwidth"] == "not in the catalog"  # no policy: no lower-bound note
    dgx2 = by[cat.servers["dgx-2"].name]
    assert dgx2["Client read limit"] == "20.0 GB/s per server"


def test_storage_components_give_the_write_figure(shipped_reports: dict[str, Rendered]) -> None:
    """The checkpoint scenario's storage unit shows its write figure (what saves use)."""
    from sizer.catalog import load_catalog

    ddn = load_catalog().storage["ddn-ai400x2-turbo"]
    ctx = shipped_reports["dgx-h100-llm-405b-ddn"].context
    by = {c["name"]: {s["label"]: s["value"] for s in c["specs"]} for c in ctx["components"]}
    assert ddn.write_bandwidth is not None
    assert by[ddn.name]["Write bandwidth"] == f"{ddn.write_bandwidth.value / 1e9:.1f} GB/s per unit"


def test_not_modeled_is_specific_to_the_scenario(shipped_reports: dict[str, Rendered]) -> None:
    fio = " ".join(shipped_reports["ra-3x-dgx2-3x-ess3000"].context["not_modeled"])
    assert "fio random read" in fio and "ECMP" not in fio
    h100 = " ".join(shipped_reports["dgx-h100-su-ndr-ess3500"].context["not_modeled"])
    assert "ECMP" in h100 and "read benchmark" not in h100 and "memory allocator" in h100
    ra9 = " ".join(shipped_reports["ra-9x-dgx1-3x-ess3000"].context["not_modeled"])
    assert "memory allocator" not in ra9


@pytest.mark.parametrize("stem", STEMS)
def test_link_rates_in_the_body_say_per_direction(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    """Link names print their rate as per direction in the design text, the BOM, the
    components and the topology legend (``InfiniBand EDR 4x (100 Gb/s per direction)``)."""
    ctx = shipped_reports[stem].context
    body = [
        *ctx["design_text"],
        *(c["name"] for c in ctx["bom"]["cables"]),
        *(s["value"] for c in ctx["components"] for s in c["specs"]),
    ]
    bare = [x for x in body if re.search(r"\d [GT]b/s\)", x)]
    assert bare == []
    # (an Ethernet link is named "200 Gigabit Ethernet (per direction)"; a drive's PCIe
    # link is named without a rate and its ports say "15.8 GB/s per direction each")
    said = r"(Gb/s|Ethernet) \(?per direction\)|GB/s per direction each"
    assert any(re.search(said, x) for x in body)
    svg = re.search(r'<svg[^>]*class="topology".*?</svg>', shipped_reports[stem].html, re.S)
    assert svg and not re.search(r"\d [GT]b/s\)", svg.group(0))


@pytest.mark.parametrize("stem", STEMS)
def test_rates_quoted_in_sources_are_read_by_a_rule(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    """The catalog's source texts quote rates as their documents give them ("7.2 Tb/s",
    "400 Gb/s", "80 GBps"); the sources section says, right before the table quoting
    them, which are per direction and which bidirectional (issue 15)."""
    from sizer.report.sources_view import RATES_IN_SOURCES

    html = shipped_reports[stem].html
    note = html.index('<p class="note rates-note">')
    assert html.index('<h3 id="figures-used">') < note < html.index('<table class="data used">')
    assert RATES_IN_SOURCES.startswith("Rates inside the quoted source texts")
    for words in ("per direction", "bidirectional", "one way"):
        assert words in RATES_IN_SOURCES
    text = _text(tool, shipped_reports[stem].pdf_path)
    assert " ".join(RATES_IN_SOURCES.split()[:12]) in text


@pytest.mark.parametrize("stem", STEMS)
def test_every_bit_rate_the_report_states_says_its_direction(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    """Outside the quoted sources (``.src``) and the catalog references, every rate in
    bits the report prints (a link's or a switch's) is followed, in its phrase, by "per
    direction" or "bidirectional"; a storage or client figure is printed in GB/s only."""
    from tests.test_report_names import html_words

    words = html_words(shipped_reports[stem].html)
    bare = [
        words[max(0, m.start() - 40) : m.end() + 30]
        for m in re.finditer(r"\d[\d.,]* ?[GT]b/s", words)
        if not re.match(r"(?:(?!; |\. ).){0,30}?(per direction|bidirectional)", words[m.end() :])
    ]
    assert bare == [], bare
    assert re.search(r"\d[\d.,]* ?[GT]b/s", words)  # the check has rates to look at


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (1, "ports", "port"),
        (2, "ports", "ports"),
        (1, "I/O servers", "I/O server"),
        (1, "channels per socket", "channel per socket"),
        (1, "files/s", "files/s"),
        (1, "U", "U"),
    ],
)
def test_a_count_of_one_is_singular(value: int, unit: str, words: str) -> None:
    """A catalog unit is plural ('ports'); one of it reads '1 port' in the sources list."""
    from sizer.report.sources_view import _unit_for

    assert _unit_for(value, unit) == words
