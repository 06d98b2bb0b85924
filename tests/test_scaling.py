"""Scaling sweeps, the knee, inverse sizing, failures, headroom (sizer/scaling.py).

Hand cases use tests/fixtures/catalog_model (round numbers, on top of the built-in
catalog): links carry 10 GB/s; test server t-srv has 4 GPUs and 2 ports (20 GB/s);
model t-m trains at 1000 samples/s per GPU, so with 1 MB samples (t-1mb) a server wants
4 GB/s, with 8 MB (t-8mb) 32 GB/s; storage t-st reads 20 GB/s over 4 ports (40 GB/s);
t-srv-cap has a 15 GB/s client ingest limit; switch t-sw has 32 ports.

Reference-architecture cases use the built-in catalog and the scenarios in scenarios/
(IBM RA "IBM Spectrum Storage for AI with NVIDIA DGX Systems", 2019; DOMAIN.md).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizer import scaling as S
from sizer.analysis import Analysis, analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.design import Design
from sizer.loader import load_scenario
from sizer.ports import port_problems
from sizer.resolve import resolve
from sizer.scaling.evaluate import scale_demand
from sizer.schema import Scenario
from sizer.topology import build_fabric

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
FIX = Path(__file__).parent / "fixtures" / "catalog_model"
GB = 1e9
#: payload share of an InfiniBand link after RDMA framing (sizer/protocols.py)
IB = 4096 / 4122
EDR = 12.5 * GB * IB  # EDR InfiniBand payload per link, one direction


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog([FIX])


@pytest.fixture(scope="module")
def real() -> Any:
    return load_catalog()


def design(cat: Any, **kw: Any) -> Design:
    spec: dict[str, Any] = {
        "name": "hand case",
        "compute": [{"server": "t-srv", "count": 1}],
        "storage": [{"unit": "t-st", "count": 1}],
        "network": {"topology": "single-switch", "switch": "t-sw"},
        "workloads": [{"model": "t-m", "dataset": "t-1mb"}],
    }
    spec.update(kw)
    sc = Scenario.model_validate(spec)
    assert check_scenario(sc, cat) == []
    return resolve(sc, cat)


def ra(real: Any, name: str) -> Design:
    return resolve(load_scenario(SCEN / name, real), real)


def saturated_groups(a: Analysis) -> set[str]:
    return {r.group for r in a.resources if r.saturated}


def assert_same(p: S.SweepPoint, a: Analysis) -> None:
    """The fast evaluation equals analyze_design: figures to 1e-9, and the bottleneck.

    When several resource groups saturate at the same level the solver's choice among
    them depends on rounding; then the fast bottleneck must be one of them.
    """
    assert p.feasible
    assert p.images_per_sec == pytest.approx(a.images_per_sec, rel=1e-9, abs=1e-6)
    assert p.read_bytes_per_sec == pytest.approx(a.read_bytes_per_sec, rel=1e-9, abs=1e-3)
    if a.gpu_data_utilization is None:
        assert p.gpu_data_utilization is None
    else:
        assert p.gpu_data_utilization == pytest.approx(a.gpu_data_utilization, rel=1e-9)
    wl = [w.gpu_data_utilization for w in a.workloads if not w.unbounded]
    wl = [u for u in wl if u is not None]
    if wl:
        assert p.min_gpu_data_utilization == pytest.approx(min(wl), rel=1e-9)
    b = a.bottleneck
    if b is None:
        assert p.bottleneck_kind is None
    elif len(saturated_groups(a)) == 1:
        assert (p.bottleneck_kind, p.bottleneck_group) == (b["kind"], b["group"])
    else:
        assert p.bottleneck_group in saturated_groups(a)


def exact(d: Design) -> Analysis:
    return analyze_design(d, build_fabric(d))


# ------------------------------------------------------------------ fast == analyze_design


@pytest.mark.parametrize("name", sorted(p.name for p in SCEN.glob("*.yaml")))
def test_fast_equals_analyze_design_on_shipped_scenarios(real: Any, name: str) -> None:
    """Sampled (servers, units) points of every shipped scenario, storage finite and
    unlimited."""
    d = ra(real, name)
    n0, k0 = d.total_servers, d.storage[0].count
    for n in sorted({1, 2, max(1, n0 // 2), n0}):
        for k in sorted({1, 2, k0}):
            v = S.vary(d, n, k)
            for scale in (1.0, math.inf):
                p = S.evaluate(v, storage_scale=scale)
                try:
                    a = analyze_design(v, build_fabric(v), storage_scale=scale)
                except ValueError:
                    assert not p.feasible
                    continue
                assert_same(p, a)


@pytest.mark.parametrize("over", [1.0, 2.0, 3.0])
@pytest.mark.parametrize("storage_leaves", [None, 0])
def test_fast_equals_analyze_design_on_leaf_spine(
    cat: Any, over: float, storage_leaves: int | None
) -> None:
    """Leaf-spine with dedicated or shared storage leaves, two compute groups (mixed
    leaves), two storage groups, a cached and an uncached workload."""
    net: dict[str, Any] = {
        "topology": "leaf-spine",
        "switch": "t-sw-64",
        "leaves": 5,
        "spines": 2,
        "oversubscription": over,
    }
    if storage_leaves is not None:
        net["storage_leaves"] = storage_leaves
    d = design(
        cat,
        compute=[
            {"server": "t-srv", "count": 7, "name": "a"},
            {"server": "t-srv-cap", "count": 4, "name": "b"},
        ],
        storage=[{"unit": "t-st", "count": 3}, {"unit": "t-st-fast", "count": 2}],
        network=net,
        workloads=[
            {"model": "t-m", "dataset": "t-8mb", "gpus_per_server": 3},
            {
                "model": "t-m",
                "dataset": "t-4mb",
                "gpus_per_server": 1,
                "phase": "inference",
                "cache": 0.5,
            },
        ],
    )
    for n in (1, 4, 11, 17):
        for k in (1, 3, 6):
            v = S.vary(d, n, k)
            p = S.evaluate(v)
            try:
                a = exact(v)
            except ValueError:
                assert not p.feasible
                continue
            assert_same(p, a)


def test_sweep_points_equal_analyze_design_on_a_sample(cat: Any) -> None:
    """Every 7th point of a 24 x 6 dual-switch sweep, against the full analysis."""
    d = design(
        cat,
        compute=[{"server": "t-srv-prep", "count": 2}],
        storage=[{"unit": "t-st", "count": 1}],
        network={"topology": "dual-switch", "switch": "t-sw-64"},
        workloads=[{"model": "t-m", "dataset": "t-4mb"}],
    )
    res = S.sweep(d, range(1, 25), range(1, 7))
    assert res.evaluations == 144
    for p in res.points[::7]:
        assert_same(p, exact(S.vary(d, p.servers, p.storage_units)))


# ------------------------------------------------------------------ hand-computed sweeps


def test_storage_bound_knee_by_hand(cat: Any) -> None:
    """One t-st (20 GB/s) feeding t-srv servers that want 4 GB/s each (4 GPUs x 1000
    samples/s x 1 MB), single 32-port switch.

    Efficiency = min(1, 20 / (4 n)): n = 5 -> 20/20 = 100%; n = 6 -> 20/24 = 83% < 95%,
    so the knee is at 6 servers, caused by the storage unit.  Two units (40 GB/s): n = 10
    -> 100%, n = 11 -> 40/44 = 91%: knee at 11.  Ports: 2 n + 4 k <= 32, so with one
    unit at most 14 servers fit, with two 12.
    """
    d = design(cat)
    res = S.sweep(d, range(1, 16), [1, 2])
    one, two = res.lines
    assert one.knee is not None and one.knee.servers == 6
    assert one.knee.last_linear_servers == 5
    assert one.knee.efficiency == pytest.approx(20 / 24)
    assert (one.knee.bottleneck_kind, one.knee.bottleneck_group) == ("storage", "t-st x1")
    assert [e for e in one.efficiency[:5]] == pytest.approx([1.0] * 5)
    assert one.ideal[13] == pytest.approx(14 * 4000)  # images/s: 14 x 4 GPUs x 1000
    assert one.points[13].images_per_sec == pytest.approx(20_000)  # 20 GB/s / 1 MB
    assert [p.feasible for p in one.points] == [True] * 14 + [False]
    assert two.knee is not None and two.knee.servers == 11
    assert two.knee.efficiency == pytest.approx(40 / 44)
    assert [p.feasible for p in two.points] == [True] * 12 + [False] * 3


def test_client_bound_design_never_benefits_from_more_storage(cat: Any) -> None:
    """Two t-srv-cap (15 GB/s client ingest each, 20 GB/s of links) want 32 GB/s each
    (8 MB samples).  One t-st gives 20 GB/s (10 each, 31%); from two units on each
    server takes its 15 GB/s ingest limit (47%) whatever the storage: the plateau is at
    2 units and no count reaches 90% -- sizing says the clients' ingest limits."""
    d = design(
        cat,
        compute=[{"server": "t-srv-cap", "count": 2}],
        workloads=[{"model": "t-m", "dataset": "t-8mb"}],
    )
    res = S.storage_sweep(d, range(1, 7))
    reads = [line.points[0].read_bytes_per_sec for line in res.lines]
    assert reads == pytest.approx([20 * GB] + [30 * GB] * 5)
    utils = [line.points[0].min_gpu_data_utilization for line in res.lines]
    assert utils == pytest.approx([10 / 32] + [15 / 32] * 5)
    for line in res.lines[1:]:
        assert line.points[0].bottleneck_kind == "server-ingest"
    assert res.plateau[0]["storage_units"] == 2
    assert res.plateau[0]["bottleneck"] == {
        "kind": "server-ingest",
        "group": "t-srv-cap x2 client ingest",
    }
    r = S.size_storage(d)
    assert not r.met and r.storage_units is None
    assert r.limiting == {"kind": "server-ingest", "group": "t-srv-cap x2 client ingest"}
    assert "the clients' ingest limit" in r.reason


def test_knee_is_per_workload_not_hidden_by_a_cheap_workload(cat: Any) -> None:
    """Each t-srv (4 ports here: 40 GB/s, so one server's 22 GB/s is fed) runs A = t-m
    training on 2 GPUs with 8 MB samples (2,000 images/s, 16 GB/s) and B = t-m inference
    on 2 GPUs with 1 MB samples (6,000 images/s, 6 GB/s); two t-st give 40 GB/s.

    2 servers want 44 GB/s.  Max-min per GPU: B's GPUs want 3 GB/s each, A's 8; at level
    t >= 3, 2 x (2 x 3 + 2 t) = 40 gives t = 7, so A gets 14 of 16 GB/s: 1,750 images/s
    per server, 87.5% of linear, while B is fully fed.  Aggregate images/s is
    2 x (1,750 + 6,000) = 15,500 of 16,000 ideal, 96.9% -- above 95%, and would call it
    linear.  Per workload, A's 87.5% puts the knee at 2 servers, on the storage.
    """
    d = design(
        cat,
        compute=[{"server": "t-srv", "count": 1, "overrides": {"storage_ports": 4}}],
        storage=[{"unit": "t-st", "count": 2}],
        workloads=[
            {"model": "t-m", "dataset": "t-8mb", "gpus_per_server": 2},
            {"model": "t-m", "dataset": "t-1mb", "gpus_per_server": 2, "phase": "inference"},
        ],
    )
    res = S.server_sweep(d, [1, 2])
    line = res.lines[0]
    p2 = line.points[1]
    assert p2.workload_images_per_sec == pytest.approx((3500, 12000))
    assert p2.images_per_sec / line.ideal[1] == pytest.approx(15500 / 16000)
    assert line.efficiency[1] == pytest.approx(0.875)
    assert res.knee is not None and res.knee.servers == 2
    assert res.knee.bottleneck_group == "t-st x2"


@pytest.mark.parametrize(
    ("over", "knee", "kind", "group"),
    [
        (1.0, 16, "storage", "t-st x3"),
        (3.0, 11, "link", "leaf -> spine links"),
        (6.0, 6, "link", "leaf -> spine links"),
    ],
)
def test_network_bound_leaf_spine_knee_moves_with_oversubscription(
    cat: Any, over: float, knee: int, kind: str, group: str
) -> None:
    """Leaf-spine, 4 leaves (1 storage leaf + 3 server leaves), 2 spines, 32-port
    switches, 10 GB/s links.  Three t-st (60 GB/s read, 12 ports = 120 GB/s) on the
    storage leaf; t-srv servers (4 GB/s each) on the server leaves.

    Storage-leaf uplinks per spine = ceil(120 GB/s / r / (2 spines x 10 GB/s)):
    r = 1 -> 6 per spine = 120 GB/s, so storage (60) limits: 60/(4 n) < 0.95 first at
    n = 16 (60/64 = 94%; n = 15 is 100%).  r = 3 -> 2 per spine = 40 GB/s < 60: the
    uplinks limit, first at n = 11 (40/44 = 91%).  r = 6 -> 1 per spine = 20 GB/s, knee
    at n = 6 (20/24 = 83%).  A server leaf with m servers has ceil(m/r) links per spine,
    20 ceil(m/r) >= 4 m GB/s until the knee, so only the storage leaf's uplinks bind.
    """
    d = design(
        cat,
        compute=[{"server": "t-srv", "count": 1}],
        storage=[{"unit": "t-st", "count": 3}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw",
            "leaves": 4,
            "spines": 2,
            "storage_leaves": 1,
            "oversubscription": over,
        },
    )
    res = S.server_sweep(d, range(1, 19))
    k = res.knee
    assert k is not None
    assert (k.servers, k.bottleneck_kind, k.bottleneck_group) == (knee, kind, group)
    cap = {1.0: 60, 3.0: 40, 6.0: 20}[over] * GB
    assert res.lines[0].points[knee - 1].read_bytes_per_sec == pytest.approx(cap)
    assert k.efficiency == pytest.approx(cap / (4 * GB * knee))


# ------------------------------------------------------------------ RA sizing answers


def test_ra_9x_dgx1_alexnet_sizes_to_2_ess3000(real: Any) -> None:
    """RA figure 8 / 19: 9 DGX-1 (72 V100) training AlexNet want ~75.6 GB/s; "for the
    images/sec reported with 9 DGX-1, 2 ESS 3000 units were enough".  One unit (40
    GB/s) feeds them 53%; two (80 GB/s) 100%."""
    d = ra(real, "ra-9x-dgx1-3x-ess3000.yaml")
    assert d.total_gpus == 72
    assert exact(d).demand_read_bytes_per_sec == pytest.approx(75.6 * GB, rel=0.01)
    r = S.size_storage(d)
    assert (r.met, r.storage_units, r.unit_id, r.objective) == (
        True,
        2,
        "ess-3000",
        "min-utilization",
    )
    assert r.probes == [(1, False), (2, True)]
    assert r.achieved is not None and r.achieved.min_gpu_data_utilization == pytest.approx(1.0)


def test_ra_3x_dgx2_fio_sizes_to_2_ess3000(real: Any) -> None:
    """RA figures 16-17: three DGX-2 top out at 60 GB/s together (client ingest); 2 units
    give up to 80 GB/s, so 2 suffice.  Read benchmark: the objective is the throughput
    with unlimited storage (60 GB/s) within 1%; 1 unit reads 40 GB/s."""
    d = ra(real, "ra-3x-dgx2-3x-ess3000.yaml")
    r = S.size_storage(d)
    assert (r.met, r.storage_units, r.objective) == (True, 2, "read-ceiling")
    assert r.target == pytest.approx(0.99 * 60 * GB)
    assert r.achieved is not None and r.achieved.read_bytes_per_sec == pytest.approx(60 * GB)
    assert r.achieved.bottleneck_kind == "server-ingest"


def test_ra_1x_dgx1_needs_1_ess3000(real: Any) -> None:
    """RA figure 6: "a single DGX-1's total bandwidth request does not stress one ESS
    3000"."""
    r = S.size_storage(ra(real, "ra-1x-dgx1-1x-ess3000.yaml"))
    assert (r.met, r.storage_units) == (True, 1)


# ------------------------------------------------------------------ sizing = brute force


def brute_force(
    d: Design, objective: str, target: float, kmax: int
) -> tuple[int | None, list[bool | None]]:
    """Fewest units meeting the objective by a linear scan with analyze_design, and the
    meets-sequence over 1..kmax (None where the cabling does not fit the ports)."""
    seq: list[bool | None] = []
    for k in range(1, kmax + 1):
        v = S.vary(d, storage_units=k)
        try:
            a = exact(v)
        except ValueError:
            seq.append(None)
            continue
        if objective == "images-per-sec":
            ok = a.images_per_sec >= target * (1 - 1e-9)
        elif objective == "read-ceiling":
            ok = a.read_bytes_per_sec >= target * (1 - 1e-9)
        else:
            us = [
                w.gpu_data_utilization
                for w in a.workloads
                if not w.unbounded and w.gpu_data_utilization is not None
            ]
            ok = not us or min(us) >= target - 1e-9
        seq.append(ok)
    first = next((i + 1 for i, ok in enumerate(seq) if ok), None)
    return first, seq


def assert_monotone(seq: list[bool | None]) -> None:
    """Once a unit count meets the objective, every larger one does, and once the
    cabling no longer fits the ports, no larger count fits (the bisection's assumptions,
    which hold for single- and dual-switch designs: see S.units_monotone)."""
    fits = [x is not None for x in seq]
    assert fits == sorted(fits, reverse=True), seq
    oks = [bool(x) for x in seq if x is not None]
    assert oks == sorted(oks), seq


@pytest.mark.parametrize("name", sorted(p.name for p in SCEN.glob("*.yaml")))
@pytest.mark.parametrize("objective", ["default", "images"])
def test_sizing_equals_brute_force_on_shipped_scenarios(
    real: Any, name: str, objective: str
) -> None:
    d = ra(real, name)
    if objective == "images":
        if not S.has_gpu_workloads(d):
            pytest.skip("read benchmark: no images/s")
        demand = exact(d).workloads
        target = 0.8 * sum(w.demand_images_per_sec for w in demand)
        r = S.size_storage(d, target_images_per_sec=target, max_units=16)
    else:
        r = S.size_storage(d, max_units=16)
    first, seq = brute_force(d, r.objective, r.target, 16)
    if S.units_monotone(d):
        assert_monotone(seq)
        assert r.monotone is None and r.search == "galloping + bisection"
    assert r.storage_units == first
    assert r.met == (first is not None)
    if S.units_monotone(d):  # images/s and bytes/s never fall as units are added
        vals = [S.evaluate(S.vary(d, storage_units=k)) for k in range(1, len(seq) + 1)]
        vals = [v for v in vals if v.feasible]
        for a, b in itertools.pairwise(vals):
            assert b.read_bytes_per_sec >= a.read_bytes_per_sec * (1 - 1e-12)
            assert b.images_per_sec >= a.images_per_sec * (1 - 1e-12)


def test_leaf_spine_is_not_monotone_in_units_by_hand(cat: Any) -> None:
    """Why leaf-spine sizing checks every count below its answer (found by hypothesis).

    One t-srv (2 ports, 20 GB/s) on leaf 1 of 3 leaves, 1 spine, 4:1, storage spread over
    the server leaves (storage_leaves 0); t-st-fast units (100 GB/s, 2 ports) land
    round-robin on leaves 1, 2, 3, 1, ...; fio reads as fast as the path allows.
    Leaf 1 has ceil((20 + 20 u1) / 4 / 10) uplinks of 10 GB/s (u1 = units on leaf 1).

    1 unit (on leaf 1): no spine traffic, the server link gives 20 GB/s.
    2 units: half the bytes come from leaf 2 over leaf 1's 1 downlink: x/2 <= 10, 20 GB/s.
    3 units: two thirds from leaves 2 and 3: 2x/3 <= 10, only 15 GB/s.
    4 units: leaf 1 holds 2 units and has 2 downlinks: x/2 <= 20, the server link's 20.
    """
    d = design(
        cat,
        compute=[{"server": "t-srv", "count": 1}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw-64",
            "leaves": 3,
            "spines": 1,
            "oversubscription": 4.0,
            "storage_leaves": 0,
        },
        workloads=[{"model": "fio-read"}],
    )
    assert not S.units_monotone(d)
    reads = [S.evaluate(S.vary(d, storage_units=k)).read_bytes_per_sec for k in (1, 2, 3, 4)]
    assert reads == pytest.approx([20 * GB, 20 * GB, 15 * GB, 20 * GB])
    for k in (1, 2, 3, 4):
        assert_same(S.evaluate(S.vary(d, storage_units=k)), exact(S.vary(d, storage_units=k)))
    r = S.size_storage(S.vary(d, storage_units=3))  # ceiling taken at 3 units: 15 GB/s
    assert r.storage_units == 1


def test_leaf_spine_sizing_finds_a_count_bisection_misses(cat: Any) -> None:
    """Ten t-srv-cap on a 6-leaf, 2-spine, 6:1 leaf-spine with storage on the server
    leaves: the 90% bar is met at 28 t-st-fast units, not at 29..32, and again from 33
    (found by a random search).  Galloping (..., 16, 32) then bisection in (16, 32]
    would settle on 33; the verification pass finds 28, as brute force does."""
    d = design(
        cat,
        compute=[{"server": "t-srv-cap", "count": 10}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw-64",
            "leaves": 6,
            "spines": 2,
            "oversubscription": 6.0,
            "storage_leaves": 0,
        },
        workloads=[{"model": "t-m", "dataset": "t-4mb"}],
    )
    r = S.size_storage(d)
    assert r.storage_units == 28 and r.monotone is False
    first, seq = brute_force(d, r.objective, r.target, 34)
    assert first == 28
    assert seq[27:33] == [True, False, False, False, False, True]


def test_sizing_by_exact_method_agrees(real: Any) -> None:
    d = ra(real, "ra-9x-dgx1-3x-ess3000.yaml")
    assert S.size_storage(d, method="exact").storage_units == 2


def test_sizing_stops_at_the_port_limit(cat: Any) -> None:
    """12 t-srv want 48 GB/s; 90% needs 20k/48 >= 0.9, k >= 3 units -- but 12 x 2 +
    3 x 4 = 36 > 32 ports: at most 2 units fit, so the target is not met, limited by
    the switch ports.  On a 64-port switch the answer is 3."""
    d = design(cat, compute=[{"server": "t-srv", "count": 12}])
    r = S.size_storage(d)
    assert not r.met and r.max_units_fit == 2
    assert r.limiting == {"kind": "link", "group": "switch ports"}
    assert "at most 2 fit the switches' ports" in r.reason
    d64 = design(
        cat,
        compute=[{"server": "t-srv", "count": 12}],
        network={"topology": "single-switch", "switch": "t-sw-64"},
    )
    assert S.size_storage(d64).storage_units == 3


def test_images_target_beyond_compute_names_gpu_compute(cat: Any) -> None:
    """One t-srv computes 4,000 images/s; 5,000 cannot be reached with any storage."""
    r = S.size_storage(design(cat), target_images_per_sec=5000, max_units=64)
    assert not r.met
    assert r.limiting is None
    assert "GPU compute (the GPUs' own rate is 4,000 images/s)" in r.reason


def test_bad_sizing_options_raise(cat: Any) -> None:
    d = design(cat)
    for kw, msg in [
        ({"target_images_per_sec": 0}, "must be a number > 0"),
        ({"target_images_per_sec": -5}, "must be a number > 0"),
        ({"min_utilization": 1.5}, "must be in (0, 1]"),
        ({"min_utilization": 0.9, "target_images_per_sec": 10}, "not both"),
        ({"max_units": 0}, "max_units must be >= 1"),
    ]:
        with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace("]", r"\]")):
            S.size_storage(d, **kw)
    fio = design(cat, workloads=[{"model": "fio-read"}])
    with pytest.raises(ValueError, match="only read benchmarks"):
        S.size_storage(fio, target_images_per_sec=10)


def test_size_all_units_ranks_and_skips_incompatible(real: Any) -> None:
    d = ra(real, "ra-3x-dgx2-3x-ess3000.yaml")
    out = S.size_all_units(d, real)
    ids = [r.unit_id for r in out]
    assert set(ids) == set(real.storage)
    met = [r for r in out if r.met]
    assert [r.storage_units for r in met] == sorted(r.storage_units for r in met)
    ess = next(r for r in out if r.unit_id == "ess-3000")
    assert ess.storage_units == 2
    for r in out:
        if real.links[real.storage[r.unit_id].link].kind != "infiniband":
            assert r.skipped and "but switch sb7800 is infiniband" in r.reason


# ------------------------------------------------------------------ converse, headroom


def test_max_servers_by_hand(cat: Any) -> None:
    """One t-st (20 GB/s), 4 GB/s per server: 5 servers are 100% fed, 6 get 83% < 90%."""
    lim = S.max_servers(design(cat))
    assert (lim.servers, lim.port_limited) == (5, False)
    assert lim.limiting == {"kind": "storage", "group": "t-st x1"}


def test_max_servers_port_limited(real: Any) -> None:
    """RA 9x DGX-1 dual switch: 3 ESS (120 GB/s) would feed 14 DGX-1 (8.4 GB/s each), but
    each SB7800 has 36 ports: 3 x 4 + 2 n <= 36 -> 12 servers."""
    lim = S.max_servers(ra(real, "ra-9x-dgx1-3x-ess3000.yaml"))
    assert (lim.servers, lim.port_limited) == (12, True)


def test_headroom_by_hand(cat: Any) -> None:
    """One t-srv wants 4 GB/s from a 20 GB/s unit: demand can grow until 90% of it is
    20 GB/s, m = 20 / (0.9 x 4) = 5.56; with a 50% bar, m = 10."""
    d = design(cat)
    h = S.headroom(d)
    assert float(h) == pytest.approx(20 / 3.6, rel=1e-5)
    assert h.limiting == {"kind": "storage", "group": "t-st x1"}
    assert float(S.headroom(d, min_utilization=0.5)) == pytest.approx(10.0, rel=1e-5)
    # at the multiplier the least-fed GPU is exactly at the bar
    p = S.evaluate(scale_demand(d, float(h)))
    assert p.min_gpu_data_utilization == pytest.approx(0.9, rel=1e-5)


def test_headroom_below_one_and_read_only(cat: Any) -> None:
    """Two servers want 8 GB/s from 20... no: 8 MB samples, 32 GB/s each on 20 GB/s of
    links: already 62.5% fed; demand must shrink to 20/(0.9 x 32) = 0.694."""
    h = S.headroom(design(cat, workloads=[{"model": "t-m", "dataset": "t-8mb"}]))
    assert float(h) == pytest.approx(20 / 28.8, rel=1e-5)
    assert "already under the bar" in h.note
    ro = S.headroom(design(cat, workloads=[{"model": "fio-read"}]))
    assert ro.multiplier is None and ro.to_json()["multiplier"] is None


# ------------------------------------------------------------------ failures (N-1)


def case(cases: list[S.FailureCase], kind: str) -> S.FailureCase:
    return next(c for c in cases if c.kind == kind)


def test_dual_switch_ra_survives_one_switch_at_half_the_fabric(real: Any) -> None:
    """RA figure 7: 4 DGX-1 (4 EDR links each, 2 + 2) and 2 ESS 3000 (8 links, 4 + 4) on
    two SB7800.  EDR carries 12.5 GB/s per link.

    Intact: server links 4 x 4 x 12.5 = 200 GB/s, storage links 2 x 8 x 12.5 = 200 GB/s.
    Switch A lost: each DGX-1 keeps 2 links (25 GB/s), each ESS 4 (50 GB/s, still above
    its 40 GB/s read): 100 + 100 GB/s, half the fabric.  The ResNet-50 mix wants
    4 x (6 x 1276 + 2 x 3857) img/s x 112.7 KB = 6.9 GB/s, far below 80 GB/s of storage
    and 100 GB/s of links: still 61,480 images/s, every GPU fed.
    """
    cases = S.failure_cases(ra(real, "ra-4x-dgx1-2x-ess3000-dual.yaml"))
    base, sw = case(cases, "baseline"), case(cases, "switch")
    assert base.server_link_bytes_per_sec == pytest.approx(16 * EDR)
    assert base.storage_link_bytes_per_sec == pytest.approx(16 * EDR)
    assert sw.server_link_bytes_per_sec == pytest.approx(8 * EDR)
    assert sw.storage_link_bytes_per_sec == pytest.approx(8 * EDR)
    assert sw.equivalent == 2  # switch A and B are interchangeable
    assert sw.images_per_sec == pytest.approx(base.images_per_sec) == pytest.approx(61_480)
    assert sw.gpu_data_utilization == pytest.approx(1.0)
    assert (sw.servers_cut_off, sw.total_loss, sw.relative) == (0, False, pytest.approx(1.0))
    # the busiest resource is storage before and after: 6.93 / 80 GB/s = 8.7%
    assert sw.peak_utilization == pytest.approx(base.peak_utilization)
    assert sw.peak_utilization == pytest.approx(sw.read_bytes_per_sec / (80 * GB))


def test_dual_switch_read_throughput_halves_by_hand(real: Any, tmp_path: Path) -> None:
    """The RA cabling with one DGX-1 and two ESS 3000 running the fio read test.

    Intact: the DGX-1's 4 EDR links (50 GB/s) limit; storage could give 80.  Switch lost:
    2 links, 25 GB/s -- exactly half.  A storage unit lost: 40 GB/s (storage-bound),
    80%.  One server link lost (1 + 2 links): every unit still sends half its bytes via
    each switch (ECMP splits by the storage side's 4 + 4 links), so the single link on
    switch A carries half: 2 x 12.5 = 25 GB/s, also 50%.  One storage link of unit 1
    lost (3 + 4 links): unit 1 now sends 4/7 of its bytes via switch B, so the DGX-1's two
    B links carry (4/7 + 1/2) / 2 = 15/28 of its reads: 25 GB/s / (15/28) = 46.7 GB/s.
    """
    f = tmp_path / "dual-fio.yaml"
    f.write_text(
        "name: 1 DGX-1 + 2 ESS 3000 dual fio\n"
        "compute: [{server: dgx-1, count: 1}]\n"
        "storage: [{unit: ess-3000, count: 2, data_replicas: 2}]\n"
        "network: {topology: dual-switch, switch: sb7800}\n"
        "workloads: [{model: fio-read}]\n"
    )
    d = resolve(load_scenario(f, real), real)
    cases = S.failure_cases(d)
    got = {c.kind: c.read_bytes_per_sec for c in cases}
    assert got == pytest.approx(
        {
            "baseline": 50 * GB * IB,
            # one of a unit's 2 I/O servers lost: that unit reads 20 GB/s, and every file
            # is striped over both units, so the whole file system reads 2 x 20 GB/s
            "storage-server": 40 * GB,
            "storage-unit": 40 * GB,  # replicated: the other unit serves it all
            "switch": 25 * GB * IB,
            "server-link": 25 * GB * IB,
            "storage-link": 25 * GB * IB * 28 / 15,
        }
    )
    assert case(cases, "baseline").bottleneck["group"] == "switch -> dgx-1 links"
    assert case(cases, "storage-unit").bottleneck["kind"] == "storage"
    worst = [c for c in cases if c.worst]
    assert len(worst) == 1 and worst[0].relative == pytest.approx(0.5)


def test_single_switch_loses_everything(real: Any) -> None:
    cases = S.failure_cases(ra(real, "ra-4x-dgx1-2x-ess3000-single.yaml"))
    sw = case(cases, "switch")
    assert (sw.images_per_sec, sw.servers_cut_off, sw.total_loss) == (0.0, 4, True)
    assert "single switch: losing it disconnects every server from storage" in sw.note
    # a whole unprotected storage unit is a total loss too (data offline); it is listed
    # first, so it is the worst of the two
    assert case(cases, "storage-unit").total_loss and case(cases, "storage-unit").worst
    assert sw.bottleneck is not None
    assert (sw.bottleneck["kind"], sw.bottleneck["group"]) == (
        "link",
        "no path to storage (failed fabric)",
    )


def test_servers_cut_off_but_fed_from_their_cache_name_no_bottleneck(real: Any) -> None:
    """DGX H100 SU: losing leaf-2 cuts the 16 ResNet-50 servers off storage, but their
    local NVMe cache holds ImageNet, so every GPU stays fed: nothing limits the throughput
    (it used to read 'no path to storage'); the note says what happened.  Losing leaf-1
    cuts off the UNet3D servers, which have no such cache: that one is limited."""
    cases = S.failure_cases(ra(real, "dgx-h100-su-ndr-ess3500.yaml"))
    by = {c.element: c for c in cases if c.kind == "switch"}
    fed, starved = by["leaf-2"], by["leaf-1"]
    assert (fed.servers_cut_off, fed.relative, fed.bottleneck) == (16, 1.0, None)
    assert "fed from the local cache" in fed.note
    assert starved.servers_cut_off == 16 and starved.relative == pytest.approx(0.5)
    assert starved.bottleneck is not None
    assert starved.bottleneck["group"] == "no path to storage (failed fabric)"


def test_only_storage_unit_lost(real: Any) -> None:
    cases = S.failure_cases(ra(real, "ra-1x-dgx1-1x-ess3000.yaml"))
    u = case(cases, "storage-unit")
    assert (u.images_per_sec, u.total_loss, u.servers_cut_off) == (0.0, True, 1)


def test_leaf_spine_failures_cover_leaf_spine_and_links(cat: Any) -> None:
    """Losing a server leaf cuts its servers off; losing a spine or one uplink only
    thins the fabric."""
    d = design(
        cat,
        compute=[{"server": "t-srv", "count": 6}],
        storage=[{"unit": "t-st", "count": 2}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw",
            "leaves": 3,
            "spines": 2,
            "storage_leaves": 1,
        },
    )
    cases = S.failure_cases(d)
    kinds = {c.kind for c in cases}
    assert kinds == {
        "baseline",
        "storage-unit",
        "switch",
        "inter-switch-link",
        "server-link",
        "storage-link",
    }
    leaf = [c for c in cases if c.kind == "switch" and c.servers_cut_off == 3]
    assert leaf and leaf[0].images_per_sec == pytest.approx(3 * 4000)
    storage_leaf = [c for c in cases if c.kind == "switch" and c.total_loss]
    assert storage_leaf  # the only storage leaf
    spine = [c for c in cases if c.kind == "switch" and "spine" in c.element]
    assert spine and spine[0].servers_cut_off == 0 and spine[0].equivalent == 2
    for c in cases:
        assert c.to_json()["kind"] == c.kind


# ------------------------------------------------------------------ comparison


def test_compare_side_by_side(real: Any) -> None:
    dual = ra(real, "ra-4x-dgx1-2x-ess3000-dual.yaml")
    single = ra(real, "ra-4x-dgx1-2x-ess3000-single.yaml")
    c = S.compare([dual, single])
    a, b = c.rows
    assert (a.switches, b.switches) == (2, 1)
    assert (a.ports_used, a.ports_available) == (32, 72)
    assert (b.ports_used, b.ports_available) == (32, 36)
    assert a.rack_units == b.rack_units + 1  # one more 1U switch
    assert a.images_per_sec == pytest.approx(b.images_per_sec)
    assert a.sizing.storage_units == b.sizing.storage_units == 1
    j = c.to_json()
    assert [d["switches"] for d in j["designs"]] == [2, 1]
    assert j["objective"] == "min-utilization"


# ------------------------------------------------------------------ random designs


SERVERS = ["t-srv", "t-srv-1p", "t-srv-cap", "t-srv-prep", "t-srv-host"]
UNITS = ["t-st", "t-st-fast", "t-st-6", "t-st-small"]


@st.composite
def random_design(draw: Any) -> dict[str, Any]:
    topo = draw(st.sampled_from(["single-switch", "dual-switch", "leaf-spine"]))
    n_groups = draw(st.integers(1, 2))
    compute = [
        {
            "server": draw(st.sampled_from(SERVERS)),
            "count": draw(st.integers(1, 6)),
            "name": f"g{i}",
        }
        for i in range(n_groups)
    ]
    storage = [{"unit": draw(st.sampled_from(UNITS)), "count": draw(st.integers(1, 3))}]
    net: dict[str, Any] = {"topology": topo, "switch": "t-sw-64"}
    if topo == "leaf-spine":
        net.update(
            leaves=draw(st.integers(2, 5)),
            spines=draw(st.integers(1, 3)),
            oversubscription=draw(st.sampled_from([1.0, 1.5, 2.0, 4.0])),
        )
        if draw(st.booleans()):
            net["storage_leaves"] = draw(st.integers(0, 1))
    workloads = []
    for j in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["t-m", "t-m", "fio-read"]))
        w: dict[str, Any] = {"model": kind}
        if kind == "t-m":
            w["dataset"] = draw(
                st.sampled_from(["t-1mb", "t-4mb", "t-8mb", "t-100kb", "t-100kb-rec"])
            )
            w["phase"] = draw(st.sampled_from(["training", "inference"]))
            w["gpus_per_server"] = 2
            if draw(st.booleans()):
                w["cache"] = draw(st.sampled_from([0.25, 0.5]))
        if n_groups == 2 and draw(st.booleans()):
            w["groups"] = [f"g{j % 2}"]
        workloads.append(w)
    return {
        "name": "random",
        "compute": compute,
        "storage": storage,
        "network": net,
        "workloads": workloads,
    }


@settings(
    max_examples=int(os.environ.get("SIZER_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(spec=random_design())
def test_random_designs_fast_equals_exact_and_sizing_equals_brute_force(
    spec: dict[str, Any],
) -> None:
    cat = load_catalog([FIX])  # cached; not a fixture, whose repr hypothesis would print
    sc = Scenario.model_validate(spec)
    if check_scenario(sc, cat) or port_problems(sc, cat):
        return
    d = resolve(sc, cat)
    assert_same(S.evaluate(d), exact(d))
    r = S.size_storage(d, max_units=8)
    first, seq = brute_force(d, r.objective, r.target, 8)
    if S.units_monotone(d):
        assert_monotone(seq)
    assert r.storage_units == first


def test_json_has_no_infinities(cat: Any) -> None:
    import json

    d = design(cat, workloads=[{"model": "fio-read"}])
    for obj in (
        S.sweep(d, [1, 2], [1]).to_json(),
        S.size_storage(d).to_json(),
        S.headroom(d).to_json(),
        S.max_servers(d).to_json(),
        [c.to_json() for c in S.failure_cases(d)],
        S.compare([d]).to_json(),
    ):
        json.dumps(obj, allow_nan=False)


def test_vary_keeps_the_mix_and_splits_groups(cat: Any) -> None:
    d = design(
        cat,
        compute=[
            {"server": "t-srv", "count": 6, "name": "a"},
            {"server": "t-srv-cap", "count": 2, "name": "b"},
        ],
    )
    assert [g.count for g in S.vary(d, 4).servers] == [3, 1]
    assert [g.count for g in S.vary(d, 5).servers] == [4, 1]
    assert [g.count for g in S.vary(d, 1).servers] == [1, 0]
    v = S.vary(d, storage_units=5)
    assert v.storage[0].count == 5 and v.workloads == d.workloads
    assert dataclasses.replace(v, storage=d.storage) == d


# ------------------------------------------------------------------ one model: fast == exact
# The lumped fast path once lacked the switch-forwarding resource: with a blocking switch
# `analyze` said switch-bound while `size` (fast) sized as if the switch were free.


def test_blocking_switch_fast_equals_exact_from_the_cli(tmp_path: Path) -> None:
    """A user catalog makes the RA's SB7800 blocking: 400 Gb/s switching capacity
    (bidirectional) = 25 GB/s per direction per switch, 50 GB/s for the two switches of
    the 9x DGX-1 POD, whose AlexNet wants 75.6 GB/s: 50 / 75.6 = 66% fed, switch-bound at
    any number of ESS 3000.  analyze, size and size --exact must all say so."""
    import json

    from click.testing import CliRunner

    from sizer.cli import cli
    from tests.test_golden_json import normalise

    (tmp_path / "sw.yaml").write_text(
        "switches:\n"
        "  - id: sb7800\n"
        "    name: blocking SB7800\n"
        "    vendor: test\n"
        "    link: edr-ib\n"
        "    ports: {value: 36, source: test, confidence: A}\n"
        "    switching_capacity: {value: 400 Gb/s, source: test, confidence: A}\n"
        "    rack_units: {value: 1, source: test, confidence: A}\n",
        encoding="utf-8",
    )
    file = str(SCEN / "ra-9x-dgx1-3x-ess3000.yaml")
    run = CliRunner().invoke
    a = run(cli, ["analyze", file, "--catalog", str(tmp_path), "--json"])
    assert a.exit_code == 0, a.stderr
    b = json.loads(a.stdout)["bottleneck"]
    assert (b["kind"], b["group"]) == ("switch", "sb7800 switches")
    assert json.loads(a.stdout)["aggregate"]["gpu_data_utilization"] == pytest.approx(
        50e9 / 75.6e9, rel=1e-3
    )
    outs = []
    for extra in ([], ["--exact"]):
        r = run(cli, ["size", file, "--catalog", str(tmp_path), "--json", *extra])
        assert r.exit_code == 1, r.stdout  # unreachable: the switches bound it
        s = json.loads(r.stdout)["sizing"]
        assert s["met"] is False
        assert s["limiting"] == {"kind": "switch", "group": "sb7800 switches"}
        outs.append(normalise({k: v for k, v in s.items() if k != "search"}))
    assert outs[0] == outs[1]


@st.composite
def random_user_catalog(draw: Any) -> dict[str, Any]:
    """What a user catalog can change in the model's inputs: a blocking switch (forwarding
    below its ports' rate), thin links, client ingest caps, the client hosts' PCIe
    (adapters, generation, lanes) and memory (sockets, channels, MT/s) parts, and a
    scenario's GPUDirect Storage."""
    return {
        "switch_forwarding": draw(st.sampled_from([None, 5 * GB, 20 * GB, 60 * GB, 200 * GB])),
        "link_scale": draw(st.sampled_from([1.0, 0.5, 0.1])),
        "switch_link_scale": draw(st.sampled_from([1.0, 0.5, 0.1])),
        "ingest": draw(st.sampled_from([None, 3 * GB, 12 * GB])),
        "pcie": draw(st.sampled_from([None, (1, 3, 16), (2, 3, 4), (1, 4, 4), (2, 5, 16)])),
        "memory": draw(st.sampled_from([None, (1, 1, 1600.0), (1, 2, 800.0), (2, 8, 3200.0)])),
        "gds": draw(st.booleans()),
    }


def with_catalog(d: Design, u: dict[str, Any]) -> Design:
    """``d`` as resolved against a catalog with ``u``'s figures."""
    client: dict[str, Any] = {}
    if u.get("pcie") is not None:
        client.update(
            zip(
                ("storage_adapters", "storage_pcie_gen", "storage_pcie_lanes"),
                u["pcie"],
                strict=True,
            )
        )
    if u.get("memory") is not None:
        client.update(
            zip(("cpu_sockets", "memory_channels", "memory_mts"), u["memory"], strict=True)
        )
    servers = tuple(
        dataclasses.replace(
            g,
            link_rate=g.link_rate * u["link_scale"],
            ingest_limit=u["ingest"] if u["ingest"] is not None else g.ingest_limit,
            # the client parts on the first group only, GDS on the last: groups differ
            **(client if gi == 0 else {}),
            gpudirect_storage=u.get("gds", False) and gi == len(d.servers) - 1,
        )
        for gi, g in enumerate(d.servers)
    )
    storage = tuple(
        dataclasses.replace(s, link_rate=s.link_rate * u["link_scale"]) for s in d.storage
    )
    return dataclasses.replace(
        d,
        servers=servers,
        storage=storage,
        switch_link_rate=d.switch_link_rate * u["switch_link_scale"],
        switch_forwarding=u["switch_forwarding"],
    )


@settings(
    max_examples=int(os.environ.get("SIZER_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(spec=random_design(), user=random_user_catalog())
def test_random_designs_and_catalogs_fast_equals_exact(
    spec: dict[str, Any], user: dict[str, Any]
) -> None:
    """fast == --exact for evaluate, size and sweep on random designs and catalogs."""
    cat = load_catalog([FIX])
    sc = Scenario.model_validate(spec)
    if check_scenario(sc, cat) or port_problems(sc, cat):
        return
    d = with_catalog(resolve(sc, cat), user)
    for scale in (1.0, math.inf):
        assert_same(S.evaluate(d, storage_scale=scale), analyze_design(d, storage_scale=scale))
    fast, slow = S.size_storage(d, max_units=6), S.size_storage(d, max_units=6, method="exact")
    assert (fast.storage_units, fast.met, fast.limiting) == (
        slow.storage_units,
        slow.met,
        slow.limiting,
    )
    n = d.total_servers
    sw_f = S.sweep(d, [1, n], [1, 2])
    sw_e = S.sweep(d, [1, n], [1, 2], method="exact")
    for lf, le in zip(sw_f.lines, sw_e.lines, strict=True):
        for pf, pe in zip(lf.points, le.points, strict=True):
            assert pf.feasible == pe.feasible
            if pf.feasible:
                assert pf.images_per_sec == pytest.approx(pe.images_per_sec, rel=1e-9, abs=1e-6)
                assert pf.read_bytes_per_sec == pytest.approx(pe.read_bytes_per_sec, rel=1e-9)


# ------------------------------------------------------------------ per-workload pass bars


COSMO = """\
name: 16 DGX H100 CosmoFlow
compute:
  - server: dgx-h100
    count: 16
storage:
  - unit: ess-3500
    count: 1
network:
  topology: dual-switch
  switch: qm9700
workloads:
  - model: cosmoflow-mlperf
    phase: training
"""


def test_cosmoflow_is_sized_at_its_own_70_percent_bar(real: Any, tmp_path: Path) -> None:
    """MLPerf Storage passes CosmoFlow at 70% accelerator utilization, not 90%.

    Per H100: batch 1 / 0.0035 s = 285.7 samples/s x 2,828,486 B = 0.808 GB/s; 16 DGX H100
    x 8 = 128 GPUs want 103.4 GB/s.  One ESS 3500 reads 91 GB/s: 91 / 103.4 = 88% fed,
    enough for CosmoFlow's 70% bar (1 unit) but not for 90% (2 units)."""
    from sizer.loader import load_design

    f = tmp_path / "cosmo.yaml"
    f.write_text(COSMO, encoding="utf-8")
    d = load_design(f, real)
    assert [w.bar for w in d.workloads] == [0.7]
    demand = 128 * 1 / 0.0035 * 2_828_486
    a = exact(d)
    assert a.workloads[0].demand_read_bytes_per_sec == pytest.approx(demand, rel=1e-6)
    assert a.gpu_data_utilization == pytest.approx(91e9 / demand, rel=1e-6)
    r = S.size_storage(d)
    assert (r.storage_units, list(r.bars)) == (1, [0.7])
    assert r.bar_words == "every GPU workload at least 70% fed"
    assert S.size_storage(d, min_utilization=0.9).storage_units == 2  # the command line's bar
    f.write_text(COSMO + "    min_utilization: 0.95\n", encoding="utf-8")
    d95 = load_design(f, real)
    assert S.size_storage(d95).storage_units == 2  # the scenario's own bar
    # the converse and the headroom use the same bars
    assert S.headroom(d).min_utilization == 0.9  # the default, for workloads without a bar
    assert float(S.headroom(d)) == pytest.approx(91e9 / (0.7 * demand), rel=1e-5)


def test_mixed_bars_name_each_workload(real: Any, tmp_path: Path) -> None:
    f = tmp_path / "mixed.yaml"
    f.write_text(
        COSMO.replace("count: 16", "count: 8", 1)
        + "    gpus_per_server: 4\n  - model: unet3d-mlperf\n    phase: training\n"
        "    gpus_per_server: 4\n",
        encoding="utf-8",
    )
    from sizer.loader import load_design

    d = load_design(f, real)
    r = S.size_storage(d)
    assert list(r.bars) == [0.7, 0.9]
    assert r.bar_words.startswith("every GPU workload at least its bar fed (")
    assert "70%" in r.bar_words and "90%" in r.bar_words


def test_a_lost_io_server_paces_the_striped_file_system(real: Any) -> None:
    """RA 9x DGX-1 AlexNet (75.6 GB/s) on 3 ESS 3000 (120 GB/s).  One of a unit's two NSD
    servers lost: that unit reads 20 GB/s; every server reads a third of its bytes from
    it, so the file system delivers at most 3 x 20 = 60 GB/s: 60 / 75.6 = 79% fed."""
    cases = S.failure_cases(ra(real, "ra-9x-dgx1-3x-ess3000.yaml"))
    c = case(cases, "storage-server")
    assert c.equivalent == 6  # 3 units x 2 I/O servers
    assert c.read_bytes_per_sec == pytest.approx(60 * GB, rel=1e-9)
    assert c.gpu_data_utilization == pytest.approx(60 / 75.6, rel=1e-3)
    assert c.bottleneck is not None and c.bottleneck["kind"] == "storage"


def test_a_lost_unit_without_replicas_takes_the_data_offline(real: Any, tmp_path: Path) -> None:
    """Without replication every file has blocks on every unit: losing one whole unit
    stops every GPU.  With data_replicas 2 the other two units serve it (80 GB/s >= 75.6)."""
    d = ra(real, "ra-9x-dgx1-3x-ess3000.yaml")
    off = case(S.failure_cases(d), "storage-unit")
    assert (off.images_per_sec, off.gpu_data_utilization, off.total_loss) == (0.0, 0.0, True)
    assert off.servers_cut_off == 9 and off.relative == 0.0
    assert off.bottleneck == {"kind": "storage", "group": "data offline (no replica)"}
    rep = dataclasses.replace(
        d, storage=tuple(dataclasses.replace(s, data_replicas=2) for s in d.storage)
    )
    on = case(S.failure_cases(rep), "storage-unit")
    assert (on.total_loss, on.gpu_data_utilization) == (False, pytest.approx(1.0))


# ------------------------------------------------------------------ N+1 sizing


def test_n_plus_one_on_the_ra_9x_dgx1(real: Any) -> None:
    """RA 9x DGX-1 AlexNet wants 75.6 GB/s; the 90% bar is 68.04 GB/s.  Intact, 2 ESS 3000
    (80 GB/s) meet it.  One NSD server of k units lost: striping paces the file system to
    the degraded unit, k x 20 GB/s >= 68.04 needs k = 4.  A whole unit lost with
    data_replicas 2: (k - 1) x 40 >= 68.04 needs k = 3; without replicas no count survives.
    """
    d = ra(real, "ra-9x-dgx1-3x-ess3000.yaml")
    st = S.size_study(d)
    assert (st.sizing.storage_units, d.target.survive) == (2, "one-server")
    sv = st.survivable
    assert sv is not None and (sv.met, sv.storage_units, sv.minimum) == (True, 4, 2)
    unit = S.size_study(d, survive="one-unit").survivable
    assert unit is not None and not unit.met and "data_replicas: 2" in unit.reason
    rep = dataclasses.replace(
        d, storage=tuple(dataclasses.replace(s, data_replicas=2) for s in d.storage)
    )
    unit2 = S.size_study(rep, survive="one-unit").survivable
    assert unit2 is not None and (unit2.met, unit2.storage_units) == (True, 3)
    single = ra(real, "ra-4x-dgx1-2x-ess3000-single.yaml")
    sw = S.size_study(single, survive="one-switch").survivable
    assert sw is not None and not sw.met and "single point of failure" in sw.reason
    assert S.size_study(d, survive="none").survivable.storage_units == 2  # type: ignore[union-attr]


def test_unlike_samples_are_not_summed_and_a_cut_off_leaf_is_not_100_percent(real: Any) -> None:
    """The DGX H100 SU runs UNet3D (146.6 MB volumes) on 16 servers and ResNet-50 (ImageNet
    JPEGs, cached) on 16: no aggregate samples/s (a sum of volumes and images means
    nothing).  With 2 storage ports per DGX H100, leaf-1 holds the 16 UNet3D servers:
    losing it cuts off 128 of 256 GPUs (no cache), so the POD delivers 128 / 256 = 50% of
    its GPU demand, not the 100% a sum of samples said."""
    d = ra(real, "dgx-h100-su-ndr-ess3500.yaml")
    j = exact(d).to_json()
    assert j["aggregate"]["images_per_sec"] is None and j["aggregate"]["sample_unit"] is None
    assert [w["sample_unit"] for w in j["workloads"]] == ["volume", "image"]
    assert (j["aggregate"]["gpus_fed"], j["aggregate"]["gpus_cut_off"]) == (256, 0)
    leaf = next(c for c in S.failure_cases(d) if c.element.startswith("leaf-1"))
    assert leaf.servers_cut_off == 16
    assert leaf.relative == pytest.approx(128 / 256)
    assert leaf.gpu_data_utilization == pytest.approx(128 / 256)


def test_headroom_names_the_bar_and_the_first_saturation(real: Any) -> None:
    """RA 9x DGX-1 AlexNet: 75.6 GB/s on 120 GB/s of ESS 3000.  The first resource to fill
    is storage at 120 / 75.6 = 1.59x; GPUs stay 90% fed until 120 / (0.9 x 75.6) = 1.76x."""
    h = S.headroom(ra(real, "ra-9x-dgx1-3x-ess3000.yaml"))
    demand = 9 * 8 * 9319 * 112.7e3 * 1.0
    assert float(h) == pytest.approx(120e9 / (0.9 * 75.6e9), rel=2e-3)
    assert h.saturation == pytest.approx(120e9 / 75.6e9, rel=2e-3)
    assert h.saturates == {"kind": "storage", "group": "ess-3000 x3"}
    assert "saturates at 1.59x" in h.note
    assert demand == pytest.approx(75.6e9, rel=2e-3)


@settings(
    max_examples=int(os.environ.get("SIZER_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(spec=random_design(), replicas=st.sampled_from([1, 2]))
def test_cut_off_gpus_always_count(spec: dict[str, Any], replicas: int) -> None:
    """A failure case that cuts servers off from storage, on a design where every server
    runs one uncached GPU workload, never reads as intact (even when the survivors take
    up the stranded GPUs' share of a saturated storage: hypothesis found 3 servers on one
    unit, one server's only cable lost, the other two then at 1.5x their share: the same
    GPU demand delivered; the figure is capped at the share of GPUs still reaching
    storage); and with that one workload on identical servers, no single failure
    delivers more GPU demand than the intact design.

    (Max-min fairness is not monotone in general: with unlike workloads, or read
    benchmarks, a failure that slows one flow can let another gain more than it lost --
    tests/test_flows.py keeps such a counterexample.  So the second claim is asserted only
    where it holds: one workload, identical servers.)"""
    spec = {**spec, "compute": spec["compute"][:1]}
    spec["workloads"] = [
        {k: v for k, v in w.items() if k not in ("groups", "cache")}
        for w in spec["workloads"]
        if w["model"] != "fio-read"
    ][:1]
    if not spec["workloads"]:
        return
    cat = load_catalog([FIX])
    sc = Scenario.model_validate(spec)
    if check_scenario(sc, cat) or port_problems(sc, cat):
        return
    d = resolve(sc, cat)
    d = dataclasses.replace(
        d, storage=tuple(dataclasses.replace(s, data_replicas=replicas) for s in d.storage)
    )
    cases = S.failure_cases(d)
    for c in cases[1:]:
        assert c.relative is not None
        assert c.relative <= 1.0 + 1e-9, c
        if c.servers_cut_off:
            assert c.relative < 1.0, c


def test_stranded_gpus_cap_the_failure_figure() -> None:
    """Hypothesis' counterexample by hand: 3 one-port servers of 2 GPUs on one storage unit
    that saturates; losing server 1's only cable strands 2 of 6 GPUs while the other two
    servers take up its share (same GPU demand delivered): the case reads 4/6 = 67%."""
    spec = {
        "name": "stranded",
        "compute": [{"server": "t-srv-1p", "count": 3, "name": "g0"}],
        "storage": [{"unit": "t-st", "count": 1, "data_replicas": 2}],
        "network": {"topology": "single-switch", "switch": "t-sw-64"},
        "workloads": [
            {"model": "t-m", "dataset": "t-4mb", "phase": "inference", "gpus_per_server": 2}
        ],
    }
    cat = load_catalog([FIX])
    d = resolve(Scenario.model_validate(spec), cat)
    cases = S.failure_cases(d)
    cut = [c for c in cases if c.kind == "server-link" and c.servers_cut_off]
    assert cut
    for c in cut:
        assert c.relative == pytest.approx(4 / 6)


def test_failure_cases_reevaluate_the_checkpoint_policy() -> None:
    """Each N-1 case evaluates the checkpoint policy on what is left: a lost leaf cuts
    servers off (no save, the policy does not fit), a lost spine or server cable slows the
    save, and no lost element ever makes a save or a restore faster than intact."""
    from sizer.loader import load_design

    d = load_design(ROOT / "scenarios" / "dgx-h100-llm-405b-ddn.yaml")
    cases = S.failure_cases(d)
    base = cases[0]
    assert base.kind == "baseline" and base.checkpoint is not None
    assert base.checkpoint["fits"] and base.checkpoint["save_seconds"] == pytest.approx(
        11.837, 1e-3
    )
    leaf = next(c for c in cases if c.kind == "switch" and c.element == "leaf-1")
    assert leaf.checkpoint == {
        "save_seconds": None,
        "restore_seconds": None,
        "fits": False,
        "problems": ["a writing server has no path to storage",
                     "a restoring server has no path to storage"],
    }  # fmt: skip
    spine = next(c for c in cases if c.kind == "switch" and c.element.startswith("spine"))
    assert spine.checkpoint is not None and spine.checkpoint["fits"]
    assert spine.checkpoint["save_seconds"] > base.checkpoint["save_seconds"] * 1.02
    for c in cases:
        ck = c.checkpoint
        assert ck is not None
        if ck["save_seconds"] is not None:
            assert ck["save_seconds"] >= base.checkpoint["save_seconds"] * (1 - 1e-9), c.element
            assert ck["restore_seconds"] >= base.checkpoint["restore_seconds"] * (1 - 1e-9)
    # a design without a policy has none in any case
    ra = load_design(ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml")
    assert all(c.checkpoint is None for c in S.failure_cases(ra))


@pytest.mark.parametrize(("replicas", "delivered"), [(1, 0.0), (2, 2500.0)])
def test_a_unit_out_of_reach_is_offline_or_read_from_replicas(
    replicas: int, delivered: float
) -> None:
    """Found by hypothesis (test_cut_off_gpus_always_count): one server on leaf-1, two
    units (one per leaf).  Losing leaf-2 put unit 2 out of the server's reach; the routing
    dropped its half of every byte and the server read 5,000 images/s through a link
    that carries 2,500 (10 GB/s of 4 MB images): twice the intact design.  Now, without
    a replica, part of every striped file is out of reach and the server gets nothing;
    with two copies it reads everything from unit 1, still bound by its link."""
    spec = {
        "name": "one server, a unit per leaf",
        "compute": [{"server": "t-srv-1p", "count": 1, "name": "g0"}],
        "storage": [{"unit": "t-st", "count": 2}],
        "network": {"topology": "leaf-spine", "switch": "t-sw-64", "leaves": 2, "spines": 1,
                    "oversubscription": 1.0, "storage_leaves": 0},
        "workloads": [{"model": "t-m", "dataset": "t-4mb", "phase": "inference",
                       "gpus_per_server": 2}],
    }  # fmt: skip
    d = resolve(Scenario.model_validate(spec), load_catalog([FIX]))
    d = dataclasses.replace(
        d, storage=tuple(dataclasses.replace(s, data_replicas=replicas) for s in d.storage)
    )
    cases = S.failure_cases(d)
    assert cases[0].images_per_sec == pytest.approx(2500.0)
    leaf2 = next(c for c in cases if c.element.startswith("leaf-2"))
    assert leaf2.images_per_sec == pytest.approx(delivered)
    assert leaf2.relative == pytest.approx(delivered / 2500.0)
    if replicas == 1:
        assert leaf2.bottleneck == {"kind": "storage", "group": "data out of reach (no replica)"}
