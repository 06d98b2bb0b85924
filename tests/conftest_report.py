"""Fixtures and options for the report tests (loaded from tests/conftest.py via
``pytest_plugins = ["tests.conftest_report"]``).

* ``--update-golden``: rewrite ``tests/golden/report-*.txt`` instead of comparing.
* ``shipped_reports``: every ``scenarios/*.yaml`` rendered once per session (HTML + PDF,
  fixed date) into a temporary directory, with WeasyPrint's log captured.
* ``weasyprint_log``: fails the test if WeasyPrint (or fontTools) logs a warning during it.
* ``tool(name)``: the path of an external program (pdftotext, pdftoppm, chromium); skips
  the test when it is missing, but fails under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REPORT_DATE = dt.date(2026, 1, 2)
LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ report snapshots instead of comparing",
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def weasyprint_log() -> Iterator[list[logging.LogRecord]]:
    """Fail the test if WeasyPrint logs a warning (STYLE.md 15); yields the records so a
    test that expects some (a refused URL) can check and clear them."""
    h = _Collect()
    loggers = [logging.getLogger(n) for n in LOGGERS]
    for lg in loggers:
        lg.addHandler(h)
    try:
        yield h.records
    finally:
        for lg in loggers:
            lg.removeHandler(h)
    msgs = [f"{r.name}: {r.getMessage()}" for r in h.records]
    assert not msgs, "WeasyPrint logged:\n" + "\n".join(msgs)


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def tool() -> Callable[[str], str]:
    """``tool("pdftotext")`` -> its path; skip when missing (fail under CI=true)."""

    def find(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            msg = f"{name} is not installed (apt-get install poppler-utils chromium)"
            if _in_ci():
                pytest.fail(msg + "; CI must have it")
            pytest.skip(msg)
        return path

    return find


@dataclass
class Rendered:
    stem: str
    scenario: Path
    html_path: Path
    pdf_path: Path
    html: str
    analysis_json: dict[str, Any]
    context: dict[str, Any]
    log: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def shipped_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Every shipped scenario rendered once (HTML + PDF, A4, date 2026-01-02)."""
    from sizer.catalog import load_catalog
    from sizer.report import build_report
    from sizer.report.write import write_files

    out = tmp_path_factory.mktemp("reports")
    cat = load_catalog()
    h = _Collect()
    loggers = [logging.getLogger(n) for n in LOGGERS]
    for lg in loggers:
        lg.addHandler(h)
    result: dict[str, Rendered] = {}
    try:
        for path in SCENARIOS:
            before = len(h.records)
            rep = build_report(path, cat, date=REPORT_DATE)
            write_files(out, rep.name, rep.files())
            from sizer.analysis import analyze
            from sizer.loader import load_scenario

            a = analyze(load_scenario(path, cat), cat)
            result[path.stem] = Rendered(
                path.stem,
                path,
                out / rep.name / "report.html",
                out / rep.name / "report.pdf",
                rep.html,
                a.to_json(),
                rep.context,
                [f"{r.name}: {r.getMessage()}" for r in h.records[before:]],
            )
    finally:
        for lg in loggers:
            lg.removeHandler(h)
    return result


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))
