"""The POD's other fabrics (scenario ``fabrics:``): counts from NVIDIA's DGX SuperPOD
Table 4 by hand, "not in the catalog" where a figure is not sourced, totals on their own
line, the exports' section label, and off by default."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from sizer.bom import bill_of_materials, export_rows
from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.pod_fabrics import NOT_DATA_PATH, su_row
from sizer.report import build_report
from sizer.topology import build_fabric

CAT = load_catalog()
ROOT = Path(__file__).resolve().parent.parent
H100 = ROOT / "scenarios" / "dgx-h100-su-ndr-ess3500.yaml"
QM9700_W = CAT.switches["qm9700"].power_watts.value  # type: ignore[union-attr]


def _with(tmp_path: Path, src: Path, extra: str, *, count: int | None = None) -> Path:
    text = src.read_text()
    if count is not None:  # both H100 groups get `count`, on a storage fabric that fits
        text = text.replace("count: 16", f"count: {count}")
        text = text.replace("leaves: 4 ", "leaves: 12 ").replace("spines: 2", "spines: 8")
    p = tmp_path / src.name
    p.write_text(text + "\n" + extra)
    return p


def _bom(path: Path):  # type: ignore[no-untyped-def]
    d = load_design(path, CAT)
    return bill_of_materials(d, build_fabric(d))


BOTH = "fabrics:\n  compute: rail-optimized\n  management: true\n"


def test_off_by_default() -> None:
    assert _bom(H100).other is None


def test_table4_rows() -> None:
    assert su_row(1) == (1, 31, 8, 4, 252, 256)
    assert su_row(31) == (1, 31, 8, 4, 252, 256)
    assert su_row(32) == (2, 63, 16, 8, 508, 512)
    assert su_row(127) == (4, 127, 32, 16, 1020, 1024)
    assert su_row(128) is None


def test_h100_su_compute_and_management(tmp_path: Path) -> None:
    """32 DGX H100: more than the 31 a 1-SU fabric keeps with UFM -> the 2-SU row: 16 leaf
    + 8 spine QM9700, 8 x 32 + 4 = 260 node/UFM cables, 512 leaf-spine cables.  Power:
    24 x the catalog's QM9700 figure; 24 x 1 U."""
    bom = _bom(_with(tmp_path, H100, BOTH))
    o = bom.other
    got = {(x.fabric, x.item): x.count for x in o.lines}
    assert got[("compute fabric", "NVIDIA Quantum-2 QM9700 (NDR), leaf")] == 16
    assert got[("compute fabric", "NVIDIA Quantum-2 QM9700 (NDR), spine")] == 8
    assert got[("compute fabric", "NDR cable, node and UFM to leaf")] == 260
    assert got[("compute fabric", "NDR cable, leaf to spine")] == 512
    assert "32 DGX fill 1 SU but one slot per fabric is given up for UFM" in o.lines[0].note
    assert (
        got[
            (
                "management",
                "management server (dual-socket x86: Base Command Manager head nodes and services)",
            )
        ]
        == 5
    )
    # counts NVIDIA's documents read here do not give: said, never guessed
    missing = [x for x in o.lines if x.count is None]
    assert {x.id for x in missing} == {"sn4600c", "sn2201", "ufm-appliance"}
    assert all(x.note.startswith("not in the catalog") for x in missing)
    assert o.rack_units == 24.0
    assert o.power_watts == pytest.approx(24 * QM9700_W)
    # the data-path totals are unchanged; the POD total is the sum
    assert bom.rack_units == _bom(H100).rack_units
    assert bom.power_watts == _bom(H100).power_watts


def test_one_su_when_31_nodes(tmp_path: Path) -> None:
    """15 + 16 = 31 DGX H100: the 1-SU row, 8 leaf + 4 spine, 8 x 31 + 4 = 252 cables."""
    p = tmp_path / "h31.yaml"
    p.write_text(
        H100.read_text().replace("count: 16\n  - name: resnet", "count: 15\n  - name: resnet")
        + "\nfabrics:\n  compute: rail-optimized\n"
    )
    got = {x.item: x.count for x in _bom(p).other.lines}
    assert got == {
        "NVIDIA Quantum-2 QM9700 (NDR), leaf": 8,
        "NVIDIA Quantum-2 QM9700 (NDR), spine": 4,
        "NDR cable, node and UFM to leaf": 252,
        "NDR cable, leaf to spine": 256,
    }


def test_above_table_is_not_invented(tmp_path: Path) -> None:
    """2 x 64 = 128 DGX H100: above Table 4's 127 -> one line, no count, the reason."""
    bom = _bom(_with(tmp_path, H100, "fabrics:\n  compute: rail-optimized\n", count=64))
    (line,) = bom.other.lines
    assert line.count is None and "127" in line.note
    assert bom.other.power_watts == 0.0


def test_servers_without_ndr_compute_ports(tmp_path: Path) -> None:
    """DGX-1 (4 EDR compute ports): the SU table does not apply; said, not guessed."""
    src = ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml"
    bom = _bom(_with(tmp_path, src, "fabrics:\n  compute: rail-optimized\n"))
    (line,) = bom.other.lines
    assert line.count is None and "not in the catalog" in line.note
    assert "NVIDIA DGX-1 (V100 16GB) is not" in line.note  # the product, not its catalog id


def test_exports_label_the_lines(tmp_path: Path) -> None:
    bom = _bom(_with(tmp_path, H100, BOTH))
    rows = export_rows(bom)
    other = [r for r in rows if NOT_DATA_PATH in str(r[0])]
    assert len(other) == len(bom.other.lines) == 8
    assert [r[6] for r in other][:4] == [16, 8, 260, 512]
    assert other[-1][6] == "not in the catalog"


def test_report_table_and_pod_total(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rep = build_report(_with(tmp_path, H100, BOTH), CAT, formats=("html",))
    html = rep.files()["report.html"].decode()
    assert "The POD&#39;s other fabrics (not part of the data-path model)" in html or (
        "The POD's other fabrics (not part of the data-path model)" in html
    )
    other = rep.context["bom"]["other"]
    plain = _bom(H100)
    assert other["pod_rack_units"] == f"{plain.rack_units + 24:,.0f}"
    ws = openpyxl.load_workbook(io.BytesIO(rep.files()["bom.xlsx"]))["BOM"]
    sections = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sum(NOT_DATA_PATH in s for s in sections) == 8
    text = rep.files()["bom.csv"].decode()
    assert sum(NOT_DATA_PATH in r[0] for r in csv.reader(io.StringIO(text))) == 8


def test_bad_fabrics_key_is_located(tmp_path: Path) -> None:
    p = _with(tmp_path, H100, "fabrics:\n  compute: fat-tree\n  management: maybe\n")
    r = subprocess.run(
        [sys.executable, "-m", "sizer", "analyze", str(p)], capture_output=True, text=True
    )
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert any("fabrics.compute" in x and f"{p.name}:" in x for x in lines), r.stderr
    assert any("fabrics.management" in x for x in lines), r.stderr
    assert "Traceback" not in r.stderr
