"""The report says which of the entries it used came from a user catalog (``--catalog``):
their figures are the user's, not sizer's sourced built-in ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sizer.catalog import load_catalog
from sizer.report import build_report

ROOT = Path(__file__).resolve().parents[1]
USER = ROOT / "benchmarks" / "mlperf_check" / "catalog"
SCENARIO = ROOT / "benchmarks" / "mlperf_check" / "ddn-ai400x2t-18c-unet3d-h100.yaml"


def test_user_catalog_entries_are_named() -> None:
    rep = build_report(SCENARIO, load_catalog([USER]), date=dt.date(2026, 1, 2), formats=("html",))
    line = next(x for x in rep.context["assumptions"] if x.startswith("User catalog:"))
    assert "storage/ddn-ai400x2-turbo-ib (" in line and "storage.yaml:" in line
    assert "servers/" not in line  # the hosts are built-in entries
    assert "User catalog:" in rep.html


def test_no_user_catalog_no_line() -> None:
    rep = build_report(
        ROOT / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml",
        load_catalog(),
        date=dt.date(2026, 1, 2),
        formats=("html",),
    )
    assert not any(x.startswith("User catalog:") for x in rep.context["assumptions"])
