"""Access-pattern costs (sizer/access.py): by hand, in the full and the fast model, as
properties, and as bad catalog input.

Hand cases use tests/fixtures/catalog_model: t-st-small reads 20 GB/s sequentially and
quotes 1,000,000 IOPS at 4 KB requests and 100,000 file opens/s, so a request costs
1/1e6 - 4e3/20e9 = 0.8 us beyond its bytes and a file open 10 us.  100 KB samples, one
per file (t-100kb): cost = 1 + 20e9 x (0.8e-6 + 10e-6) / 100e3 = 3.16, the unit
delivers 20 / 3.16 = 6.329 GB/s; packed 1,000 to a record file (t-100kb-rec): cost =
1 + 20e9 x (0.8e-6 / 100e3 + 10e-6 / 100e6) = 1.162, 17.21 GB/s.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sizer import scaling as S
from sizer.access import effective_read, read_cost, request_seconds
from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.design import Design
from sizer.errors import SizerInputError
from sizer.resolve import resolve
from sizer.schema import Scenario

FIX = Path(__file__).parent / "fixtures" / "catalog_model"
GB = 1e9


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog([FIX])


def design(cat: Any, dataset: str, servers: int = 8, unit: str = "t-st-small") -> Design:
    """``servers`` x t-srv (4 GPUs) running t-m inference (3,000 samples/s per GPU) on
    ``dataset``, one storage unit, one switch."""
    sc = Scenario.model_validate(
        {
            "name": "access hand case",
            "compute": [{"server": "t-srv", "count": servers}],
            "storage": [{"unit": unit, "count": 1}],
            "network": {"topology": "single-switch", "switch": "t-sw"},
            "workloads": [{"model": "t-m", "dataset": dataset, "phase": "inference"}],
        }
    )
    assert check_scenario(sc, cat) == []
    return resolve(sc, cat)


def test_request_and_open_seconds_from_the_catalog(cat: Any) -> None:
    st_ = design(cat, "t-100kb").storage[0]
    assert st_.read_request_seconds == pytest.approx(1e-6 - 4e3 / 20e9)
    assert st_.file_open_seconds == pytest.approx(1e-5)
    plain = design(cat, "t-100kb", unit="t-st").storage[0]
    assert (plain.read_request_seconds, plain.file_open_seconds) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("dataset", "cost"),
    [("t-100kb", 1 + 20e9 * (0.8e-6 + 1e-5) / 100e3), ("t-100kb-rec", 1.162)],
)
def test_cost_by_hand(cat: Any, dataset: str, cost: float) -> None:
    d = design(cat, dataset)
    assert read_cost(d.storage[0], d.workloads[0]) == pytest.approx(cost)
    assert effective_read(d.storage[0], d.workloads[0]) == pytest.approx(20 * GB / cost)


def test_small_files_bind_the_unit_in_analyze_and_fast(cat: Any) -> None:
    """8 servers x 4 GPUs x 3,000/s x 100 KB = 9.6 GB/s wanted; links carry 20 GB/s a
    server and 40 GB/s from the unit; the unit delivers 6.329 GB/s of 100 KB files."""
    d = design(cat, "t-100kb")
    a = analyze_design(d)
    assert a.read_bytes_per_sec == pytest.approx(20 * GB / 3.16)
    assert a.images_per_sec == pytest.approx(20 * GB / 3.16 / 100e3)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "storage"
    unit = next(r for r in a.resources if r.kind == "storage")
    assert unit.utilization == pytest.approx(1.0)
    fast = S.evaluate(d)
    assert fast.read_bytes_per_sec == pytest.approx(a.read_bytes_per_sec, rel=1e-9)
    assert fast.bottleneck_kind == "storage"
    # the same bytes packed into record files: the unit has room (9.6 < 17.2 GB/s)
    rec = analyze_design(design(cat, "t-100kb-rec"))
    assert rec.read_bytes_per_sec == pytest.approx(9.6 * GB)
    # a unit without access figures: 9.6 GB/s, all fed
    plain = analyze_design(design(cat, "t-100kb", unit="t-st"))
    assert plain.read_bytes_per_sec == pytest.approx(9.6 * GB)


def test_two_workloads_share_the_units_time(cat: Any) -> None:
    """Small files and records on one unit: each byte of a 100 KB file costs 3.16, of a
    record 1.162; the unit's 20 GB/s of time is shared max-min fairly per GPU (4 servers
    each, 4.8 GB/s wanted each): equal rates x with 3.16 x + 1.162 x = 20 GB/s."""
    sc = Scenario.model_validate(
        {
            "name": "two patterns",
            "compute": [
                {"name": "a", "server": "t-srv", "count": 4},
                {"name": "b", "server": "t-srv", "count": 4},
            ],
            "storage": [{"unit": "t-st-small", "count": 1}],
            "network": {"topology": "single-switch", "switch": "t-sw"},
            "workloads": [
                {"model": "t-m", "dataset": "t-100kb", "phase": "inference", "groups": ["a"]},
                {"model": "t-m", "dataset": "t-100kb-rec", "phase": "inference", "groups": ["b"]},
            ],
        }
    )
    assert check_scenario(sc, cat) == []
    d = resolve(sc, cat)
    a = analyze_design(d)
    x = 20 * GB / (3.16 + 1.162)
    got = [w.read_bytes_per_sec for w in a.workloads]
    assert got == pytest.approx([x, x])
    assert S.evaluate(d).read_bytes_per_sec == pytest.approx(2 * x, rel=1e-9)


_SIZES = st.floats(1e3, 1e9)
_HAND_CASE = design(load_catalog([FIX]), "t-100kb")


@settings(deadline=None)
@given(
    bw=st.floats(1e9, 1e12),
    iops=st.floats(1e3, 1e8),
    opens=st.floats(1.0, 1e7),
    sample=_SIZES,
    per_file=st.integers(1, 10_000),
    grow=st.floats(1.0, 100.0),
)
def test_cost_is_at_least_one_and_never_grows_with_size(
    bw: float, iops: float, opens: float, sample: float, per_file: int, grow: float
) -> None:
    """An access-pattern figure never raises a throughput (cost >= 1); a larger sample
    or more samples per file never lowers one (cost does not grow)."""
    d = _HAND_CASE
    unit = dataclasses.replace(
        d.storage[0],
        read_bandwidth=bw,
        read_request_seconds=request_seconds(iops, 512.0, bw),
        file_open_seconds=1.0 / opens,
    )
    w = dataclasses.replace(d.workloads[0], bytes_per_sample=sample, samples_per_file=per_file)
    c = read_cost(unit, w)
    assert c >= 1.0
    bigger = dataclasses.replace(w, bytes_per_sample=sample * grow)
    assert read_cost(unit, bigger) <= c * (1 + 1e-12)
    packed = dataclasses.replace(w, samples_per_file=per_file + 1)
    assert read_cost(unit, packed) <= c * (1 + 1e-12)


def test_access_figures_never_raise_throughput(cat: Any) -> None:
    for ds in ("t-100kb", "t-100kb-rec", "t-1mb"):
        for n in (1, 4, 8):
            with_figures = analyze_design(design(cat, ds, n)).read_bytes_per_sec
            plain = dataclasses.replace(
                design(cat, ds, n).storage[0], read_request_seconds=0.0, file_open_seconds=0.0
            )
            d = dataclasses.replace(design(cat, ds, n), storage=(plain,))
            assert with_figures <= analyze_design(d).read_bytes_per_sec * (1 + 1e-12)


UNIT = """\
storage:
  - id: u-iops
    name: unit with an IOPS figure
    vendor: test
    read_bandwidth: {value: 20 GB/s, source: "test fixture", confidence: A}
    ports: {value: 4, source: "test fixture", confidence: A}
    link: hdr-ib
    rack_units: {value: 2, source: "test fixture", confidence: A}
"""


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (
            '    read_iops: {value: 1000000, source: "test fixture", confidence: A}\n',
            "read_iops and read_iops_size go together",
        ),
        (
            '    read_iops: {value: 10000000, source: "test fixture", confidence: A}\n'
            '    read_iops_size: {value: 4 KB, source: "test fixture", confidence: A}\n',
            "is not below read_bandwidth",
        ),
        (
            '    file_opens: {value: 0, source: "test fixture", confidence: A}\n',
            "must be more than 0",
        ),
    ],
)
def test_bad_access_figures_are_located(tmp_path: Path, extra: str, words: str) -> None:
    (tmp_path / "storage.yaml").write_text(UNIT + extra)
    with pytest.raises(SizerInputError) as err:
        load_catalog([tmp_path])
    text = str(err.value)
    assert words in text
    assert "storage.yaml" in text
