"""sizer.bom: cables by length class, optics per port and spares, checked by hand."""

from __future__ import annotations

from pathlib import Path

from sizer.bom import bill_of_materials, export_rows
from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.topology import build_fabric

CAT = load_catalog()
ROOT = Path(__file__).resolve().parent.parent


def _bom(stem: str):  # type: ignore[no-untyped-def]
    d = load_design(ROOT / "scenarios" / f"{stem}.yaml", CAT)
    return bill_of_materials(d, build_fabric(d))


def test_ra_9x_cables_by_length_class() -> None:
    """9 DGX-1 x 4 EDR + 3 ESS 3000 x 8 EDR = 60 cables.  Rack 1 holds both switches, the
    3 ESS and DGX-1 #1-4: 24 + 16 = 40 in-rack DACs; DGX-1 #5-9 sit in rack 2: 5 x 4 = 20
    optical cables.  Spares 5% rounded up: 2 and 1."""
    bom = _bom("ra-9x-dgx1-3x-ess3000")
    got = {(p.part, p.length_class): (p.count, p.spares) for p in bom.parts.lines}
    assert got == {
        ("QSFP28 passive copper DAC", "in rack (DAC, up to 3 m)"): (40, 2),
        ("QSFP28 active optical cable (AOC)", "between racks (optical)"): (20, 1),
    }
    assert sum(c for c, _ in got.values()) == sum(bom.cables.values()) == 60


def test_single_rack_is_all_dac() -> None:
    bom = _bom("ra-1x-dgx1-1x-ess3000")
    assert [(p.kind, p.length_class, p.count) for p in bom.parts.lines] == [
        ("cable", "in rack (DAC, up to 3 m)", sum(bom.cables.values()))
    ]


def test_ndr_twin_port_optics_and_200g_splitters() -> None:
    """DGX H100 SU (2 x 16 DGX H100, 2 NDR storage ports each = 64 ports; 8 ESS 3500 with
    8 HDR ports = 64) on QM9700: at 20 kW per rack every DGX H100 is in its own rack, so all
    64 server ports are optical: 32 twin-port switch transceivers, 64 fibres, 64 device
    transceivers.  The 64 HDR ports take 1:2 splitter fibres: 32 fibres on 16 twin-port
    cages."""
    bom = _bom("dgx-h100-su-ndr-ess3500")
    by = {}
    for p in bom.parts.lines:
        by[(p.part_no, p.link)] = by.get((p.part_no, p.link), 0) + p.count
    assert by[("MMA4Z00-NS", "ndr-ib")] == 32
    assert by[("MFP7E10", "ndr-ib")] == 64
    assert by[("MMA4Z00-NS400", "ndr-ib")] == 64
    assert by[("MFP7E20", "hdr-ib")] == 32
    assert by[("MMA4Z00-NS", "hdr-ib")] == 16


def test_export_rows_one_per_orderable_line() -> None:
    bom = _bom("ra-9x-dgx1-3x-ess3000")
    rows = export_rows(bom)
    assert len(rows) == len(bom.lines) + len(bom.parts.lines)
    assert rows[0][:8] == ("GPU server", "NVIDIA DGX-1 (V100 16GB)", "", "dgx-1", "", 9, 0, 9)
    assert rows[0][8:10] == (27, 28800)
