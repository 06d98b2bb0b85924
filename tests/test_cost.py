"""sizer.cost: BOM line totals, the grand total, $/GB/s read and $/usable TB by hand;
compare's ranking; the report's cost table and the exports' price columns (openpyxl)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sizer.bom import bill_of_materials, part_price_id
from sizer.catalog import load_catalog
from sizer.cost import design_cost
from sizer.loader import load_design, load_prices, price_ids
from sizer.report import build_report
from sizer.topology import build_fabric

CAT = load_catalog()
ROOT = Path(__file__).resolve().parent.parent
RA9 = ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml"
DUAL = ROOT / "scenarios" / "ra-4x-dgx1-2x-ess3000-dual.yaml"
SINGLE = ROOT / "scenarios" / "ra-4x-dgx1-2x-ess3000-single.yaml"

PRICES = (
    "currency: USD\n"
    "prices:\n"
    "  dgx-1: 150000\n"
    "  ess-3000: 200000\n"
    "  sb7800: 20000\n"
    "  QSFP28 passive copper DAC: 90\n"
    "  QSFP28 active optical cable (AOC): 400\n"
)


@pytest.fixture
def prices(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = tmp_path / "prices.yaml"
    p.write_text(PRICES)
    return load_prices(p, CAT)


def _cost(path: Path, prices):  # type: ignore[no-untyped-def]
    d = load_design(path, CAT)
    return design_cost(d, bill_of_materials(d, build_fabric(d)), prices.prices, prices.currency)


def test_ra9_totals_by_hand(prices) -> None:  # type: ignore[no-untyped-def]
    """9 DGX-1 x 150,000 + 3 ESS 3000 x 200,000 + 2 SB7800 x 20,000 + (40 + 2 spares) DAC
    x 90 + (20 + 1) AOC x 400 = 1,350,000 + 600,000 + 40,000 + 3,780 + 8,400 = 2,002,180.
    The storage data path (all but the DGX-1): 652,180, over 3 x 40 GB/s = 120 GB/s."""
    c = _cost(RA9, prices)
    assert [(x.price_id, x.quantity, x.total) for x in c.lines] == [
        ("dgx-1", 9, 1_350_000),
        ("ess-3000", 3, 600_000),
        ("sb7800", 2, 40_000),
        ("QSFP28 active optical cable (AOC)", 21, 8_400),
        ("QSFP28 passive copper DAC", 42, 3_780),
    ]
    assert c.total == 2_002_180
    assert c.storage_total == 652_180
    assert c.per_read_gbps == pytest.approx(652_180 / 120)
    usable_tb = load_design(RA9, CAT).capacity.usable_bytes((3,)) / 1e12
    assert c.per_usable_tb == pytest.approx(652_180 / usable_tb)
    assert c.complete and c.unit == "USD"


def test_unpriced_lines_are_named_not_counted(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("part,price\ness-3000,200000\n")
    c = _cost(RA9, load_prices(p, CAT))
    assert c.total == c.storage_total == 600_000
    assert c.unpriced == [
        "QSFP28 active optical cable (AOC)",
        "QSFP28 passive copper DAC",
        "dgx-1",
        "sb7800",
    ]
    assert not c.complete and c.unit == "price units"


def test_every_shipped_part_has_a_price_id() -> None:
    """Each cabling line of every shipped scenario can be priced (the ids a price list
    accepts cover what the BOM names)."""
    known = price_ids(CAT)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        d = load_design(path, CAT)
        bom = bill_of_materials(d, build_fabric(d))
        for x in bom.lines:
            assert x.id in known, (path.name, x.id)
        for p in bom.parts.lines:
            assert part_price_id(p) in known, (path.name, part_price_id(p))


def _sizer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sizer", *args], capture_output=True, text=True)


def test_compare_ranks_on_cost(tmp_path: Path) -> None:
    """Same 4 DGX-1 + 2 ESS 3000; the single-switch design has one SB7800 less: storage data
    path 2 x 200,000 + 20,000 + 34 DACs x 90 = 423,060 over 80 GB/s -> 5,288.25 per GB/s;
    the dual-switch one 443,060 -> 5,538.25.  The single ranks first."""
    p = tmp_path / "p.yaml"
    p.write_text(PRICES)
    r = _sizer("compare", str(DUAL), str(SINGLE), "--prices", str(p), "--json")
    assert r.returncode == 0, r.stderr
    designs = json.loads(r.stdout)["designs"]
    got = [
        (d["cost"]["storage_total"], d["cost"]["per_read_GBps"], d["cost_rank"]) for d in designs
    ]
    assert got == [(443_060, 5_538.25, 2), (423_060, 5_288.25, 1)]
    csv_out = _sizer(
        "compare", str(DUAL), str(SINGLE), "--prices", str(p), "--format", "csv"
    ).stdout
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [(x["cost_rank"], x["currency"]) for x in rows] == [("2", "USD"), ("1", "USD")]


def test_compare_without_prices_has_no_cost_keys() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "sizer", "compare", str(DUAL), str(SINGLE), "--json"],
        capture_output=True,
        text=True,
    )
    assert all("cost" not in d for d in json.loads(r.stdout)["designs"])


def test_size_prices_the_sized_design(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(PRICES)
    r = subprocess.run(
        [sys.executable, "-m", "sizer", "size", str(RA9), "--prices", str(p), "--json"],
        capture_output=True,
        text=True,
    )
    out = json.loads(r.stdout)
    n = out["cost"]["storage_units"]
    assert n >= 1 and out["cost"]["unit"] == "ess-3000"
    # the sized count of ESS 3000 at 200,000 each is in the storage data path
    assert out["cost"]["storage_total"] >= n * 200_000


def test_report_cost_table_and_export_columns(prices) -> None:  # type: ignore[no-untyped-def]
    openpyxl = pytest.importorskip("openpyxl")
    rep = build_report(RA9, CAT, formats=("html",), prices=prices)
    cost = rep.context["cost"]
    assert (cost["unit"], cost["total"], cost["storage_total"]) == ("USD", "2,002,180", "652,180")
    assert '<h3 id="cost">Cost</h3>' in rep.html
    files = rep.files()
    ws = openpyxl.load_workbook(io.BytesIO(files["bom.xlsx"]))["BOM"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Unit price (USD)", "Line total (USD)")
    assert [r[-1] for r in rows[1:]] == [1_350_000, 600_000, 40_000, 8_400, 3_780]
    assert sum(r[-1] for r in rows[1:]) == 2_002_180
    text = files["bom.csv"].decode()
    assert next(csv.reader(io.StringIO(text)))[-1] == "Line total (USD)"


def test_report_without_prices_unchanged() -> None:
    rep = build_report(RA9, CAT, formats=("html",))
    assert rep.context["cost"] is None
    assert "Unit price" not in rep.files()["bom.csv"].decode()
