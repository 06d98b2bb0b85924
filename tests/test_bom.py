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
    assert rows[0][:9] == ("GPU server", "NVIDIA DGX-1 (V100 16GB)", "", "", "dgx-1", "", 9, 0, 9)
    assert rows[0][9:11] == (27, 28800)


def test_one_line_per_product_with_its_roles() -> None:
    """The LLM scenario's two DGX H100 groups (32 train Llama 3.1 405B: the checkpoint
    job; 8 run UNet3D) are one orderable line of 40 saying what each part does.  Its rack
    units and power are the two groups' sums: 40 x 8 U = 320 U, 40 x 10.2 kW = 408 kW; the
    BOM totals are unchanged by the merge (320 + 6 x 2 + 7 x 2 = 346 U).  The per-group
    lines stay (the rack layout numbers devices by them)."""
    bom = _bom("dgx-h100-llm-405b-ddn")
    servers = [x for x in bom.items if x.kind == "GPU server"]
    assert [(x.id, x.count, x.rack_units, x.power_watts) for x in servers] == [
        ("dgx-h100", 40, 320.0, 408000.0)
    ]
    assert servers[0].roles_text == "32 for Llama-3.1-405B training, 8 for UNet3D training"
    assert [x.count for x in bom.lines if x.kind == "GPU server"] == [32, 8]
    assert bom.rack_units == sum(x.rack_units for x in bom.items) == 346.0
    assert bom.power_watts == sum(x.power_watts or 0 for x in bom.items)
    rows = export_rows(bom)
    assert [r[:3] for r in rows if r[0] == "GPU server"] == [
        ("GPU server", "NVIDIA DGX H100", servers[0].roles_text)
    ]


def test_different_configurations_stay_apart() -> None:
    """Two groups of one server id with different storage links (an override) are two
    configurations to order: two lines."""
    text = (ROOT / "scenarios" / "dgx-h100-llm-405b-ddn.yaml").read_text()
    one_port = "      storage_link: eth-200g\n      storage_ports: 1\n  - name: unet3d"
    text = text.replace("      storage_link: eth-200g\n  - name: unet3d", one_port, 1)
    assert one_port in text
    d = load_design("x.yaml", CAT, source=text.encode())
    bom = bill_of_materials(d, build_fabric(d))
    assert [x.count for x in bom.items if x.kind == "GPU server"] == [32, 8]
