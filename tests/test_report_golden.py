"""Golden structural snapshots of the report, one per shipped scenario.

The snapshot (``tests/golden/report-<stem>.txt``) lists the section headings, table
captions and headers and figure captions, in document order -- the report's structure,
not its numbers (those are checked against ``analyze --json`` in test_report_content).
On a mismatch the actual snapshot is written next to the golden one as
``report-<stem>.txt.actual`` (git-ignored) and the first differing line is shown.
Refresh deliberately with ``pytest --update-golden``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest_report import SCENARIOS, Rendered

GOLDEN = Path(__file__).resolve().parent / "golden"
TAGS = {"h1", "h2", "h3", "caption", "figcaption", "th"}


class _Structure(HTMLParser):
    """Collects heading, caption and table-header text; ``th`` only inside ``thead``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._stack: list[str] = []
        self._text: list[str] = []
        self._in_thead = False
        self._row: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._svg += 1
        if self._svg:
            return
        if tag == "thead":
            self._in_thead = True
            self._row = []
        if tag in TAGS:
            self._stack.append(tag)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
            return
        if self._svg:
            return
        if tag in TAGS and self._stack and self._stack[-1] == tag:
            self._stack.pop()
            text = " ".join("".join(self._text).split())
            if tag == "th":
                if self._in_thead:
                    self._row.append(text)
            else:
                self.lines.append(f"{tag}: {text}")
        if tag == "thead":
            self._in_thead = False
            self.lines.append("table: " + " | ".join(self._row))

    def handle_data(self, data: str) -> None:
        if self._stack and not self._svg:
            self._text.append(data)


def structure(html: str) -> str:
    p = _Structure()
    p.feed(html)
    p.close()
    return "\n".join(p.lines) + "\n"


@pytest.mark.parametrize("stem", [p.stem for p in SCENARIOS])
def test_structure_matches_golden(
    stem: str, shipped_reports: dict[str, Rendered], update_golden: bool
) -> None:
    actual = structure(shipped_reports[stem].html)
    golden = GOLDEN / f"report-{stem}.txt"
    other = GOLDEN / f"report-{stem}.txt.actual"
    if update_golden or not golden.exists():
        if not update_golden:
            other.write_text(actual, encoding="utf-8")
            pytest.fail(
                f"no golden file {golden.name}; wrote {other.name} -- check it, then "
                "run pytest --update-golden"
            )
        golden.write_text(actual, encoding="utf-8")
        other.unlink(missing_ok=True)
        return
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        other.write_text(actual, encoding="utf-8")
        a, e = actual.splitlines(), expected.splitlines()
        for i, (x, y) in enumerate(zip(a, e, strict=False), 1):
            if x != y:
                pytest.fail(
                    f"{golden.name}:{i}: expected {y!r}, got {x!r} "
                    f"(actual written to {other.name}; pytest --update-golden to accept)"
                )
        pytest.fail(
            f"{golden.name}: {len(e)} lines expected, {len(a)} rendered "
            f"(actual written to {other.name})"
        )
    other.unlink(missing_ok=True)


def test_structure_parser() -> None:
    html = (
        "<h2>1 A</h2><table><caption>C</caption><thead><tr><th>x</th><th>y</th></tr>"
        "</thead><tbody><tr><th>row</th></tr></tbody></table><figure><svg><text>no"
        "</text></svg><figcaption>Figure 1: f</figcaption></figure>"
    )
    assert structure(html) == "h2: 1 A\ncaption: C\ntable: x | y\nfigcaption: Figure 1: f\n"
