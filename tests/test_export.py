"""BOM exports: bom.csv and bom.xlsx beside the report, opened and checked against the
report's own tables (the BOM table for devices, the cabling table for parts)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sizer.bom import EXPORT_COLUMNS
from sizer.catalog import load_catalog
from sizer.report import build_report

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalog()


@pytest.fixture(scope="module", params=["ra-9x-dgx1-3x-ess3000", "dgx-h100-su-ndr-ess3500"])
def report(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return build_report(ROOT / "scenarios" / f"{request.param}.yaml", CAT, formats=("html",))


def _num(s: str) -> int:
    return int(s.replace(",", ""))


def test_files_beside_the_report(report) -> None:  # type: ignore[no-untyped-def]
    assert list(report.files()) == ["report.html", "bom.csv", "bom.xlsx"]


def test_xlsx_matches_the_report_tables(report) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(io.BytesIO(report.files()["bom.xlsx"]))
    ws = wb["BOM"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    body = rows[1:]
    ctx = report.context
    items = ctx["bom"]["items"]
    parts = ctx["parts"]["rows"]
    assert len(body) == len(items) + len(parts)
    for row, item in zip(body, items, strict=False):
        assert (row[1], row[2] or "", row[4], row[6]) == (
            item["item"],
            item["roles"],
            item["id"],
            _num(item["count"]),
        )
        assert row[9] == pytest.approx(float(item["rack_units"].replace(",", "")))
    for row, p in zip(body[len(items) :], parts, strict=True):
        assert row[1] == p["part"]
        assert (row[6], row[7], row[8]) == (_num(p["count"]), _num(p["spares"]), _num(p["total"]))
        assert row[8] == row[6] + row[7]
    # numbers stay numbers in the spreadsheet
    assert all(isinstance(r[6], int) for r in body)


def test_csv_equals_xlsx(report) -> None:  # type: ignore[no-untyped-def]
    files = report.files()
    text = files["bom.csv"].decode("utf-8")
    got = list(csv.reader(io.StringIO(text)))
    ws = openpyxl.load_workbook(io.BytesIO(files["bom.xlsx"]))["BOM"]
    want = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    assert got == want


def test_exports_are_reproducible(report) -> None:  # type: ignore[no-untyped-def]
    assert report.files()["bom.xlsx"] == report.files()["bom.xlsx"]


def test_ndr_splitters_and_twin_port_optics() -> None:
    """DGX H100 SU on QM9700: NDR servers between racks get one twin-port transceiver per
    two device ports; the HDR ESS 3500 ports get 1:2 splitter fibres."""
    r = build_report(ROOT / "scenarios" / "dgx-h100-su-ndr-ess3500.yaml", CAT, formats=("html",))
    by_no = {}
    for p in r.context["parts"]["rows"]:
        by_no.setdefault(p["part_no"], []).append(p)
    fibre = sum(_num(p["count"]) for p in by_no["MFP7E10"])
    twin = sum(_num(p["count"]) for p in by_no["MMA4Z00-NS"] if p["link"] == "ndr-ib")
    assert twin * 2 == fibre
    assert "MFP7E20" in by_no and "MCP7Y00-Nxxx" not in by_no
