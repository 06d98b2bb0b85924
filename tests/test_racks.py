"""sizer.racks: power and rack-unit totals by hand; placement never exceeds a rack."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizer.bom import Bom, BomLine, bill_of_materials
from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.racks import DEFAULT_HEIGHT_U, DEFAULT_MAX_KW, layout_for, rack_layout
from sizer.topology import build_fabric

CAT = load_catalog()
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _bom(path: Path) -> Bom:
    d = load_design(path, CAT)
    return bill_of_materials(d, build_fabric(d))


def test_ra_9x_totals_by_hand() -> None:
    """RA 9 x DGX-1 + 3 x ESS 3000 + 2 x SB7800 (catalog figures):
    power 9 x 3,200 + 3 x 2,000 + 2 x 300 = 35,400 W; rack units 9 x 3 + 3 x 2 + 2 x 1
    = 35 U.  Default racks (42 U, 20 kW): rack 1 takes the 2 switches (600 W), the 3 ESS
    (6,000 W) and 4 DGX-1 (12,800 W) = 19,400 W in 2 + 6 + 12 = 20 U; a fifth DGX-1
    would make 22,600 W, so the other 5 go to rack 2: 16,000 W in 15 U."""
    bom = _bom(ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml")
    assert bom.power_watts == 35_400
    assert bom.rack_units == 35
    assert bom.power_complete
    lay = layout_for(bom, None)
    assert lay.defaults and lay.height_u == DEFAULT_HEIGHT_U
    assert lay.max_watts == DEFAULT_MAX_KW * 1000
    assert [(r.used_u, r.watts) for r in lay.racks] == [(20, 19_400), (15, 16_000)]
    assert lay.watts == bom.power_watts and lay.used_u == bom.rack_units
    first = lay.racks[0].devices
    assert [(p.id, p.u) for p in first[:3]] == [("sb7800", 1), ("sb7800", 2), ("ess-3000", 3)]


@pytest.mark.parametrize("height, kw", [(42, 20.0), (48, 40.0), (24, 12.0), (12, 10.5)])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_placement_within_limits(scenario: Path, height: int, kw: float) -> None:
    bom = _bom(scenario)
    lay = rack_layout(bom, height_u=height, max_watts=kw * 1000)
    placed = sum(len(r.devices) for r in lay.racks) + len(lay.too_tall)
    assert placed == sum(x.count for x in bom.lines)
    for r in lay.racks:
        assert r.used_u <= height
        if len(r.devices) > 1:
            assert r.watts <= kw * 1000 + 1e-6
        # no two devices share a U
        us = [u for p in r.devices for u in range(p.u, p.u + p.height)]
        assert len(us) == len(set(us)) and max(us) <= height
    if not lay.too_tall:
        assert lay.watts == pytest.approx(bom.power_watts)


def test_device_above_limit_gets_its_own_rack() -> None:
    bom = Bom((BomLine("GPU server", "dgx-2", "DGX-2", 2, 20.0, 20000.0),), {})
    lay = rack_layout(bom, height_u=42, max_watts=8000)
    assert [len(r.devices) for r in lay.racks] == [1, 1]
    assert lay.over_limit == ("DGX-2 #1", "DGX-2 #2")


def test_too_tall_device_is_reported() -> None:
    bom = Bom((BomLine("GPU server", "big", "Big", 1, 10.0, 100.0),), {})
    lay = rack_layout(bom, height_u=8, max_watts=8000)
    assert lay.racks == () and lay.too_tall == ("Big #1",)


def test_bad_limits_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        rack_layout(Bom((), {}), height_u=0)
