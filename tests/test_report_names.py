"""Names in the report: products and roles in words, never a catalog id or an internal
group or node name used as a label (issue 15: "ess-3000 x3", "dgx-1 #1", "switch ->
llm links" in the tables, the charts and the drawings).

Two checks on every shipped report: the PDF's text (pdftotext, the appendix that quotes
the scenario file left out) has no catalog id used as a label -- followed by a count
(`` x3``, `` ×3``), a unit number (``#1``), an arrow or ``links``/``switches``/``client
ingest``, or after an arrow; and the HTML has no catalog id as a word anywhere outside
the quoted source texts (``.src``), the reference columns that exist to tie a line to
the catalog and to a price list (``code.ref``: the BOM's catalog id, the cost table's
price id) and the appendix.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.report.names import words_for
from tests.conftest_report import ROOT, SCENARIOS, Rendered

STEMS = [p.stem for p in SCENARIOS]
CAT = load_catalog()
#: catalog ids that are also English words of the report's sentences ("synthetic data")
ENGLISH = frozenset({"synthetic"})
IDS = sorted({i for _kind, i, _e in CAT.entries()} - ENGLISH, key=len, reverse=True)
_ALT = "|".join(re.escape(i) for i in IDS)
#: an id standing as a word (not inside a longer id, a URL or a file name)
ID_WORD = re.compile(rf"(?<![\w./-])({_ALT})(?![\w-])")
#: an id used as a label: counted, numbered, an arrow's end, a resource group
ID_LABEL = re.compile(
    rf"(?<![\w./-])({_ALT})(?:#| #\d| x\d| ×| ->| →| <->| ↔| links| switches| client ingest)"
    rf"|(?:->|→|<->|↔) ({_ALT})(?![\w-])"
)


class _Text(HTMLParser):
    """The report's text outside ``<head>``, ``pre``, and elements of class ``src`` or
    ``ref``; each text node with the tag it sits in."""

    SKIP_CLASSES = frozenset({"src", "ref"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: inside a skipped subtree
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "col", "img", "link", "path", "rect", "line", "circle", "use"):
            return  # void (or empty SVG) elements: no end tag to pop
        classes = set((dict(attrs).get("class") or "").split())
        skip = bool(self.stack and self.stack[-1])
        skip = skip or tag in ("head", "pre", "style", "title") or bool(classes & self.SKIP_CLASSES)
        self.stack.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "meta", "col", "img", "link", "path", "rect", "line", "circle", "use"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def html_words(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def test_the_checks_see_an_id_label() -> None:
    """The patterns catch the defects the issue found."""
    for bad in ("ess-3000 x3", "dgx-1 #1", "switch -> dgx-1 links", "sb7800 switches"):
        assert ID_LABEL.search(bad), bad
    assert ID_WORD.search(html_words("<table><tr><td>qm9700</td></tr></table>"))
    ok = '<td><code class="ref">qm9700</code></td><td class="src">qm9700 (https://x/dgx-1)</td>'
    assert not ID_WORD.search(html_words(f"<table><tr>{ok}</tr></table>"))
    assert not ID_LABEL.search("ESS 3000 ×3, switch → DGX-1 links, DGX-1 #4")


def test_words_by_hand() -> None:
    """The LLM scenario: two named groups of DGX H100 (llm: the checkpoint job, no read
    workload; unet3d: UNet3D); resource groups, nodes and failure elements in words."""
    a = analyze_design(load_design(ROOT / "scenarios" / "dgx-h100-llm-405b-ddn.yaml", CAT))
    w = words_for(a)
    assert w("switch -> unet3d links") == "switch → DGX H100 (UNet3D training) links"
    assert w("llm x32 client ingest") == "DGX H100 (Llama-3.1-405B training) ×32 client ingest"
    assert w("ddn-ai400x2-turbo x6") == "DDN AI400X2-Turbo ×6"
    assert w("leaf-1 -> llm#1 (1 of 2 links)") == (
        "leaf-1 → DGX H100 (Llama-3.1-405B training) #1 (1 of 2 links)"
    )
    assert w("leaf-1 <-> spine-1 (1 of 14 links)") == "leaf-1 ↔ spine-1 (1 of 14 links)"
    assert w("sn4600 switches") == "Spectrum-3 SN4600 switches"
    # a group name is replaced only where it names the group, not as an English word
    assert w("unet3d training") == "unet3d training"


@pytest.mark.parametrize("stem", STEMS)
def test_no_catalog_id_as_a_label_in_the_pdf(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str]
) -> None:
    r = shipped_reports[stem]
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(r.pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = text[: text.rindex("Appendix: the scenario as given")]
    flat = " ".join(body.split())
    found = sorted({m.group(0) for m in ID_LABEL.finditer(flat)})
    assert not found, f"{stem}: catalog ids used as labels: {found}"


@pytest.mark.parametrize("stem", STEMS)
def test_no_catalog_id_outside_sources_and_references(
    stem: str, shipped_reports: dict[str, Rendered]
) -> None:
    words = html_words(shipped_reports[stem].html)
    found = sorted({m.group(0) for m in ID_WORD.finditer(words)})
    assert not found, f"{stem}: catalog ids in the report's own words: {found}"


@pytest.mark.parametrize(
    ("name", "entry_id", "label"),
    [
        ("NVIDIA DGX H100", "dgx-h100", "DGX H100"),
        ("NVIDIA Quantum-2 QM9700 (NDR)", "qm9700", "Quantum-2 QM9700"),
        # a long name: the id as a model number, spelt as the name spells its words ...
        ("Micron 9550 PRO 7.68 TB NVMe SSD", "micron-9550-pro", "Micron 9550 PRO"),
        (
            "NetApp AFX 1K storage node (shelves not counted)",
            "netapp-afx-1k-node",
            "NetApp AFX 1K node",
        ),
        # ... and upper case where the name has no such word
        ("IBM Elastic Storage System 3000", "ess-3000", "ESS 3000"),
        ("IBM Storage Scale System 6000", "ibm-sss-6000", "IBM SSS 6000"),
    ],
)
def test_short_product_labels(name: str, entry_id: str, label: str) -> None:
    from sizer.report.fmt import short_product

    assert short_product(name, entry_id) == label
