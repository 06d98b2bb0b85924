"""sizer.capacity: usable capacity by hand, the need over a horizon, capacity-bound sizing."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from sizer.capacity import capacity_plan, capacity_problems, usable_bytes
from sizer.catalog import load_catalog
from sizer.errors import SizerInputError
from sizer.loader import load_design, load_scenario
from sizer.scaling.study import size_study

CAT = load_catalog()

BASE = """\
name: capacity test
compute:
  - server: dgx-1
    count: 9
storage:
  - unit: {unit}
    count: 3
{extra}network:
  topology: dual-switch
  switch: sb7800
workloads:
  - model: alexnet
    dataset: imagenet
target:
  gpu_data_utilization: 0.9
{capacity}"""


def _write(tmp_path: Path, unit: str = "ess-3000", extra: str = "", capacity: str = "") -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(BASE.format(unit=unit, extra=extra, capacity=capacity))
    return p


def test_usable_ess3500_8p3p_by_hand(tmp_path: Path) -> None:
    """ESS 3500, 24 x 15.36 TB, 8+3p: raw 368.64 TB; x 8/11 = 268.1018; spare 2 of 24
    drives: x 22/24 = 245.7600; file system 0.2%: x 0.998 = 245.2685 TB."""
    d = load_design(_write(tmp_path, "ess-3500", "    protection: 8+3p\n"), CAT)
    u = d.capacity.units[0]
    assert u.raw_bytes == pytest.approx(368.64e12)
    assert u.usable_bytes == pytest.approx(245.2685e12, rel=1e-6)
    assert usable_bytes(368.64e12, 8, 3, 2 / 24, 0.002) == pytest.approx(245.2685e12, rel=1e-6)


def test_usable_ess3000_12_drives_4p2p_by_hand(tmp_path: Path) -> None:
    """ESS 3000, 12 x 15.36 TB, 4+2p: raw 184.32 TB; x 4/6 = 122.88; spare 2 of 12
    drives: x 10/12 = 102.40; x 0.998 = 102.1952 TB."""
    extra = "    drives: 12 x 15.36 TB\n    protection: 4+2p\n"
    d = load_design(_write(tmp_path, extra=extra), CAT)
    u = d.capacity.units[0]
    assert (u.drives, u.protection) == ("12 x 15.36 TB", "4+2p")
    assert u.usable_bytes == pytest.approx(102.1952e12, rel=1e-6)


def test_replication_is_a_third() -> None:
    """3-way replication keeps 1/3 of raw (before spares and file system)."""
    assert usable_bytes(300.0, 1, 2, 0.0, 0.0) == pytest.approx(100.0)


def test_needed_grows_over_horizon(tmp_path: Path) -> None:
    """400 TB datasets + 80 checkpoints + 20 scratch = 500 TB; 30%/year for 3 years:
    500 x 1.3^3 = 1,098.5 TB."""
    cap = (
        "capacity:\n  datasets: 400 TB\n  checkpoints: 80 TB\n  scratch: 20 TB\n"
        "  growth_per_year: 0.3\n  horizon_years: 3\n"
    )
    p = load_design(_write(tmp_path, capacity=cap), CAT).capacity
    assert p.needed_now == pytest.approx(500e12)
    assert p.needed_bytes == pytest.approx(1098.5e12)
    # 3 x 269.795 TB = 809.39 TB usable: full after log(809.39/500)/log(1.3) = 1.84 years
    assert p.years_until_full() == pytest.approx(math.log(809.3853 / 500) / math.log(1.3), rel=1e-5)


def test_default_need_is_the_catalog_dataset(tmp_path: Path) -> None:
    p = load_design(_write(tmp_path), CAT).capacity
    assert p.datasets_bytes == pytest.approx(144.4e9, rel=1e-3)
    assert p.datasets_from.startswith("catalog: imagenet")
    assert not p.stated


def test_size_is_capacity_bound(tmp_path: Path) -> None:
    """Bandwidth: 2 x ESS 3000 feed 9 DGX-1 (the RA).  Capacity: 1 PB stated, no growth;
    8+2p gives 269.795 TB per unit, so ceil(1000 / 269.795) = 4 units: capacity decides."""
    cap = "capacity:\n  datasets: 1 PB\n"
    st = size_study(load_design(_write(tmp_path, capacity=cap), CAT))
    assert st.sizing.storage_units == 2
    c = st.capacity
    assert c is not None
    assert (c.bandwidth_units, c.capacity_units, c.storage_units) == (2, 4, 4)
    assert c.decided_by == "capacity"
    assert c.reason.startswith("capacity decides: 1,000.0 TB needed in 3 years takes 4 x ess-3000")
    j = st.to_json()["capacity"]
    assert j["storage_units"] == 4 and j["decided_by"] == "capacity"


def test_size_is_bandwidth_bound_by_default(tmp_path: Path) -> None:
    c = size_study(load_design(_write(tmp_path), CAT)).capacity
    assert c is not None and c.decided_by == "bandwidth" and c.storage_units == 2


def test_replication_needs_more_units(tmp_path: Path) -> None:
    """3-way: 368.64 / 3 x 22/24 x 0.998 = 112.414 TB per unit; 1 PB -> 9 units."""
    cap = "capacity:\n  datasets: 1 PB\n"
    d = load_design(
        _write(tmp_path, extra="    protection: 3-way replication\n", capacity=cap), CAT
    )
    assert d.capacity.units[0].usable_bytes == pytest.approx(112.4142e12, rel=1e-5)
    assert d.capacity.units_needed(0) == 9


def test_data_replicas_halve_the_usable_capacity(tmp_path: Path) -> None:
    """ESS 3500 8+3p holds 245.2685 TB each (above); with data_replicas: 2 every byte is
    stored on two units, so each unit holds 122.634 TB of new data: 1 PB -> 9 units."""
    cap = "capacity:\n  datasets: 1 PB\n"
    extra = "    protection: 8+3p\n    data_replicas: 2\n"
    d = load_design(_write(tmp_path, "ess-3500", extra, capacity=cap), CAT)
    u = d.capacity.units[0]
    assert u.replicas == 2 and u.protection == "8+3p, 2 replicas"
    assert u.usable_bytes == pytest.approx(245.2685e12 / 2, rel=1e-6)
    assert d.capacity.units_needed(0) == 9


def test_unit_without_capacity_figures() -> None:
    group = SimpleNamespace(
        unit="netapp-aff-a900-ha", count=2, drives=None, protection=None, data_replicas=1
    )
    net = SimpleNamespace(topology="single-switch")
    sc = SimpleNamespace(capacity=None, storage=[group], network=net)
    p = capacity_plan(sc, CAT, ())  # type: ignore[arg-type]
    assert p.units == (None,) and not p.complete and p.units_needed(0) is None


def test_bad_drive_format_is_located(tmp_path: Path) -> None:
    with pytest.raises(SizerInputError) as e:
        load_scenario(_write(tmp_path, extra="    drives: lots\n"), CAT)
    assert "storage[0].drives" in str(e.value)
    assert "write COUNT x SIZE" in str(e.value)


def test_bad_capacity_value_is_located(tmp_path: Path) -> None:
    with pytest.raises(SizerInputError) as e:
        load_scenario(_write(tmp_path, capacity="capacity:\n  growth_per_year: -1\n"), CAT)
    assert "capacity.growth_per_year" in str(e.value)


def test_unknown_option_and_code_are_problems(tmp_path: Path) -> None:
    extra = "    drives: 24 x 99 TB\n    protection: 16+1p\n"
    sc = load_scenario(_write(tmp_path, extra=extra), CAT)
    probs = capacity_problems(sc, CAT)
    assert probs == [
        (
            ("storage", 0, "drives"),
            "ess-3000 has no drive option '24 x 99 TB'",
            "one of '24 x 15.36 TB', '24 x 7.68 TB', '12 x 15.36 TB'",
        ),
        (
            ("storage", 0, "protection"),
            "ess-3000 offers no protection code '16+1p'",
            "one of '8+2p', '8+3p', '4+2p', '4+3p', '3-way replication'",
        ),
    ]


def test_unknown_option_is_said_on_the_plan(tmp_path: Path) -> None:
    d = load_design(_write(tmp_path, extra="    protection: 16+1p\n"), CAT)
    assert d.capacity.units == (None,)
    assert d.capacity.problems == (
        "storage[0].protection: ess-3000 offers no protection code '16+1p' (one of '8+2p', "
        "'8+3p', '4+2p', '4+3p', '3-way replication')",
    )
