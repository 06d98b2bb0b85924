"""The fabric model against hand-computed cases and the reference architecture.

Hand cases use tests/fixtures/catalog_model (round numbers): links carry 10 GB/s; a
test GPU runs model t-m at 1000 samples/s (training) or 3000 (inference); datasets have
1, 4 or 8 MB samples, so a training GPU wants 1, 4 or 8 GB/s.  Storage t-st reads
20 GB/s over 4 ports, t-st-fast 100 GB/s over 2 ports, t-st-6 6 GB/s.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from sizer.analysis import Analysis, analyze, analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.loader import load_scenario
from sizer.ports import port_problems
from sizer.resolve import resolve
from sizer.schema import Scenario
from sizer.topology import build_fabric

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
FIX = Path(__file__).parent / "fixtures" / "catalog_model"
GB = 1e9


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog([FIX])


@pytest.fixture(scope="module")
def real() -> Any:
    return load_catalog()


def scenario(cat: Any, **kw: Any) -> Scenario:
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
    assert port_problems(sc, cat) == []
    return sc


def run(cat: Any, **kw: Any) -> Analysis:
    a = analyze(scenario(cat, **kw), cat)
    check_invariants(a)
    return a


def check_invariants(a: Analysis) -> None:
    """No resource over capacity; no workload above its demand."""
    for r in a.resources:
        assert r.load <= r.capacity * (1 + 1e-9) + 1e-6, r
    for w in a.workloads:
        if not w.unbounded:
            assert w.images_per_sec <= w.demand_images_per_sec * (1 + 1e-9)
            assert w.read_bytes_per_sec <= w.demand_read_bytes_per_sec * (1 + 1e-9) + 1e-6


def util(a: Analysis, i: int = 0) -> float:
    u = a.workloads[i].gpu_data_utilization
    assert u is not None
    return u


# ----------------------------------------------------------------------------- hand cases


def test_one_flow_fed(cat: Any) -> None:
    """1 server x 4 GPUs x 1 GB/s = 4 GB/s; 20 GB/s storage, 2x10 GB/s links: all fed."""
    a = run(cat)
    assert a.bottleneck is None
    assert a.images_per_sec == pytest.approx(4000)
    assert a.read_bytes_per_sec == pytest.approx(4 * GB)
    assert util(a) == pytest.approx(1.0)
    assert a.workloads[0].bound_by["kind"] == "gpu-compute"
    st = next(r for r in a.resources if r.kind == "storage")
    assert st.utilization == pytest.approx(0.2)
    assert st.headroom == pytest.approx(5.0)


def test_storage_bound(cat: Any) -> None:
    """8 servers x 4 GB/s = 32 GB/s wanted from one 20 GB/s unit.

    Storage links 4x10 = 40 GB/s and server links 2x10 = 20 GB/s each do not bind, so
    each server gets 20/8 = 2.5 GB/s: utilization 2.5/4 = 62.5 %, 20,000 images/s.
    """
    a = run(cat, compute=[{"server": "t-srv", "count": 8}])
    assert a.read_bytes_per_sec == pytest.approx(20 * GB)
    assert a.images_per_sec == pytest.approx(20_000)
    assert util(a) == pytest.approx(0.625)
    assert a.bottleneck is not None
    assert a.bottleneck["kind"] == "storage"
    assert a.bottleneck["gpus_capped"] == 32
    assert a.bottleneck["capped_gpu_data_utilization"] == pytest.approx(0.625)


def test_adding_a_storage_unit_to_a_storage_bound_design(cat: Any) -> None:
    """Same 32 GB/s demand with 2 units: 40 GB/s read >= 32, everything fed."""
    a = run(cat, compute=[{"server": "t-srv", "count": 8}], storage=[{"unit": "t-st", "count": 2}])
    assert a.bottleneck is None
    assert a.images_per_sec == pytest.approx(32_000)
    # striping: each unit serves half of every server's bytes = 16 GB/s
    loads = [r.load for r in a.resources if r.kind == "storage"]
    assert loads == pytest.approx([16 * GB, 16 * GB])


def test_storage_link_bound(cat: Any) -> None:
    """One unit cabled with 1 port: 10 GB/s link < 20 GB/s read; 8 x 4 GB/s wanted.

    Each server gets 10/8 = 1.25 GB/s, utilization 31.25 %, bound by the storage link.
    """
    a = run(
        cat,
        compute=[{"server": "t-srv", "count": 8}],
        storage=[{"unit": "t-st", "count": 1, "ports": 1}],
    )
    assert a.read_bytes_per_sec == pytest.approx(10 * GB)
    assert util(a) == pytest.approx(0.3125)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "link"
    assert "t-st" in a.bottleneck["id"]


def test_two_flows_unequal_shares_one_link(cat: Any) -> None:
    """One 1-port server (10 GB/s link): X = 1 GPU wanting 8 GB/s, Y = 3 GPUs wanting 4 GB/s each.

    Demand 8 + 12 = 20 > 10.  Per-GPU fair level L: 1L + 3L = 10, L = 2.5 GB/s per GPU,
    below both demands: X gets 2.5 (31.25 %), Y gets 7.5 (62.5 %).
    """
    a = run(
        cat,
        compute=[{"server": "t-srv-1p", "count": 1}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        workloads=[
            {"model": "t-m", "dataset": "t-8mb", "gpus_per_server": 1},
            {"model": "t-m", "dataset": "t-4mb", "gpus_per_server": 3},
        ],
    )
    assert a.workloads[0].read_bytes_per_sec == pytest.approx(2.5 * GB)
    assert a.workloads[1].read_bytes_per_sec == pytest.approx(7.5 * GB)
    assert util(a, 0) == pytest.approx(0.3125)
    assert util(a, 1) == pytest.approx(0.625)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "link"


def test_flow_under_demand_next_to_capped_flow(cat: Any) -> None:
    """10 GB/s link: X = 1 GPU wanting 1 GB/s, Y = 3 GPUs wanting 12 GB/s.

    X is frozen at its demand (1 < fair level 2.5); Y takes the rest, 9 GB/s = 75 %.
    """
    a = run(
        cat,
        compute=[{"server": "t-srv-1p", "count": 1}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        workloads=[
            {"model": "t-m", "dataset": "t-1mb", "gpus_per_server": 1},
            {"model": "t-m", "dataset": "t-4mb", "gpus_per_server": 3},
        ],
    )
    assert util(a, 0) == pytest.approx(1.0)
    assert a.workloads[0].bound_by["kind"] == "gpu-compute"
    assert a.workloads[1].read_bytes_per_sec == pytest.approx(9 * GB)
    assert util(a, 1) == pytest.approx(0.75)
    assert a.gpu_data_utilization == pytest.approx((1 * 1.0 + 3 * 0.75) / 4)


def test_parallel_links(cat: Any) -> None:
    """One server, 2 parallel 10 GB/s links, 4 GPUs x 8 GB/s = 32 GB/s wanted.

    Two 100 GB/s units (2 ports each) do not bind; the 2-link bundle carries 20 GB/s:
    utilization 62.5 %.
    """
    a = run(
        cat,
        storage=[{"unit": "t-st-fast", "count": 2}],
        workloads=[{"model": "t-m", "dataset": "t-8mb"}],
    )
    assert a.read_bytes_per_sec == pytest.approx(20 * GB)
    assert util(a) == pytest.approx(0.625)
    bundle = next(r for r in a.resources if r.kind == "link" and r.id.startswith("switch ->"))
    assert bundle.capacity == pytest.approx(20 * GB)
    assert bundle.saturated


def test_dual_switch_paths(cat: Any) -> None:
    """Dual switch: 2 servers (1 port on A, 1 on B), one 100 GB/s unit with 2 ports (1 + 1).

    Each server wants 4 GPUs x 4 GB/s = 16 GB/s, 32 in all.  Bytes split half via A, half
    via B; the storage's link to each switch carries 10 GB/s, so 20 GB/s in all: 10 per
    server (62.5 %).  Each server link carries 5 GB/s of its 10.
    """
    a = run(
        cat,
        compute=[{"server": "t-srv", "count": 2}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        network={"topology": "dual-switch", "switch": "t-sw"},
        workloads=[{"model": "t-m", "dataset": "t-4mb"}],
    )
    assert a.read_bytes_per_sec == pytest.approx(20 * GB)
    assert util(a) == pytest.approx(0.625)
    st_links = [r for r in a.resources if r.kind == "link" and r.id.startswith("t-st-fast")]
    assert len(st_links) == 2 and all(r.saturated for r in st_links)
    srv_links = [r for r in a.resources if r.kind == "link" and r.id.startswith("switch-")]
    assert [r.load for r in srv_links] == pytest.approx([5 * GB] * 4)


def test_dual_switch_losing_one_switch_halves_the_fabric(cat: Any) -> None:
    """Same design as above without switch B: only the storage's 10 GB/s link to A is left,
    so the pair gets 10 GB/s (5 each, 31.25 %)."""
    d = resolve(
        scenario(
            cat,
            compute=[{"server": "t-srv", "count": 2}],
            storage=[{"unit": "t-st-fast", "count": 1}],
            network={"topology": "dual-switch", "switch": "t-sw"},
            workloads=[{"model": "t-m", "dataset": "t-4mb"}],
        ),
        cat,
    )
    fab = build_fabric(d)
    fab.graph.remove_node("switch-B")
    fab.switches.remove("switch-B")
    a = analyze_design(d, fabric=fab)
    check_invariants(a)
    assert a.read_bytes_per_sec == pytest.approx(10 * GB)
    assert util(a) == pytest.approx(0.3125)


def test_single_switch_lost_cuts_everything(cat: Any) -> None:
    """Single switch removed: no server reaches storage; 0 images/s, named as such."""
    d = resolve(scenario(cat), cat)
    fab = build_fabric(d)
    fab.graph.remove_node("switch")
    fab.switches.remove("switch")
    a = analyze_design(d, fabric=fab)
    assert a.images_per_sec == 0
    assert a.workloads[0].bound_by["group"].startswith("no path")


def _leaf_spine(cat: Any, ratio: float) -> Analysis:
    return run(
        cat,
        compute=[{"server": "t-srv", "count": 4}],
        storage=[{"unit": "t-st-fast", "count": 2}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw",
            "leaves": 2,
            "spines": 1,
            "oversubscription": ratio,
        },
        workloads=[{"model": "t-m", "dataset": "t-4mb"}],
    )


def test_leaf_spine_non_blocking(cat: Any) -> None:
    """Leaf 1: 4 servers x 2 ports = 80 GB/s down; leaf 2 (storage): 2 units x 2 ports =
    40 GB/s down.  At 1:1, leaf 2 has 4 uplinks (40 GB/s) to the spine, leaf 1 has 8.
    Demand 4 x 16 = 64 GB/s; the storage links (40 GB/s) and leaf-2 uplinks (40 GB/s)
    both cap it at 40: 10 GB/s per server, 62.5 %."""
    a = _leaf_spine(cat, 1.0)
    assert a.read_bytes_per_sec == pytest.approx(40 * GB)
    assert util(a) == pytest.approx(0.625)
    up = next(r for r in a.resources if r.id.startswith("leaf-2 -> spine-1"))
    assert up.capacity == pytest.approx(40 * GB)


def test_leaf_spine_two_to_one(cat: Any) -> None:
    """At 2:1 the storage leaf keeps 40/2 = 20 GB/s of uplink (2 links): the pod gets
    20 GB/s, 5 GB/s per server = 31.25 %, bound by the leaf -> spine links."""
    a = _leaf_spine(cat, 2.0)
    assert a.read_bytes_per_sec == pytest.approx(20 * GB)
    assert util(a) == pytest.approx(0.3125)
    assert a.bottleneck is not None
    assert a.bottleneck["group"] == "leaf -> spine links"


def test_client_ingest_cap(cat: Any) -> None:
    """A server with a 15 GB/s client ingest limit wanting 16 GB/s gets 15 (93.75 %)."""
    a = run(
        cat,
        compute=[{"server": "t-srv-cap", "count": 1}],
        storage=[{"unit": "t-st-fast", "count": 1}],
        workloads=[{"model": "t-m", "dataset": "t-4mb"}],
    )
    assert a.read_bytes_per_sec == pytest.approx(15 * GB)
    assert util(a) == pytest.approx(0.9375)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "server-ingest"


def test_host_preprocessing_cap(cat: Any) -> None:
    """Host decodes 2000 images/s; 4 GPUs want 4000: half fed, preprocessing-bound."""
    a = run(cat, compute=[{"server": "t-srv-prep", "count": 1}])
    assert a.images_per_sec == pytest.approx(2000)
    assert a.read_bytes_per_sec == pytest.approx(2 * GB)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "host-preprocessing"
    prep = next(r for r in a.resources if r.kind == "host-preprocessing")
    assert prep.unit == "images/s" and prep.load == pytest.approx(2000)


def test_synthetic_data_wants_nothing(real: Any) -> None:
    """Synthetic data is generated on the GPU: 0 bytes, images/s = compute rate."""
    sc = Scenario.model_validate(
        {
            "name": "synthetic",
            "compute": [{"server": "dgx-1", "count": 1}],
            "storage": [{"unit": "ess-3000", "count": 1}],
            "network": {"topology": "single-switch", "switch": "sb7800"},
            "workloads": [{"model": "resnet-50", "dataset": "synthetic"}],
        }
    )
    a = analyze(sc, real)
    assert a.read_bytes_per_sec == 0
    rate = real.throughput("resnet-50", "v100-sxm2-16gb", "fp16", "training").samples_per_sec
    assert a.images_per_sec == pytest.approx(8 * rate)
    assert a.bottleneck is None
    assert all(r.load == 0 for r in a.resources)


def test_mixed_training_and_inference_on_one_server(cat: Any) -> None:
    """2 training GPUs want 1 GB/s each, 2 inference GPUs 3 GB/s each; storage 6 GB/s.

    Fair level L per GPU: training freezes at L = 1 (2 GB/s); the 4 GB/s left go to the
    two inference GPUs, 2 GB/s each = 66.7 % of 3.
    """
    a = run(
        cat,
        storage=[{"unit": "t-st-6", "count": 1}],
        workloads=[
            {"model": "t-m", "phase": "training", "gpus_per_server": 2},
            {"model": "t-m", "phase": "inference", "gpus_per_server": 2},
        ],
    )
    assert util(a, 0) == pytest.approx(1.0)
    assert util(a, 1) == pytest.approx(2 / 3)
    assert a.workloads[1].images_per_sec == pytest.approx(4000)
    assert a.images_per_sec == pytest.approx(2000 + 4000)


def test_cache_hit_ratio(cat: Any) -> None:
    """Storage-bound case (32 GB/s wanted of 20) with half the reads cached: 16 GB/s from
    storage, all GPUs fed, 32,000 images/s."""
    a = run(
        cat,
        compute=[{"server": "t-srv", "count": 8}],
        workloads=[{"model": "t-m", "dataset": "t-1mb", "cache": 0.5}],
    )
    assert a.bottleneck is None
    assert a.read_bytes_per_sec == pytest.approx(16 * GB)
    assert a.images_per_sec == pytest.approx(32_000)
    assert a.workloads[0].cache_mode == "declared"


def test_cache_auto(cat: Any) -> None:
    """1 TB NVMe + 50 % of 1 TB RAM = 1.5 TB node cache >= the 1 TB dataset: hit 1.0,
    nothing read from storage after the first epoch."""
    a = run(
        cat,
        compute=[{"server": "t-srv-cache", "count": 1}],
        workloads=[{"model": "t-m", "dataset": "t-1mb", "cache": "auto"}],
    )
    w = a.workloads[0]
    assert (w.cache_mode, w.cache_hit_ratio) == ("auto", 1.0)
    assert a.read_bytes_per_sec == 0
    assert a.images_per_sec == pytest.approx(4000)


def test_graph_is_a_real_networkx_graph(cat: Any) -> None:
    d = resolve(
        scenario(
            cat,
            compute=[{"server": "t-srv", "count": 3}],
            network={"topology": "dual-switch", "switch": "t-sw"},
        ),
        cat,
    )
    fab = build_fabric(d)
    assert isinstance(fab.graph, nx.DiGraph)
    kinds = nx.get_node_attributes(fab.graph, "kind")
    assert sorted(set(kinds.values())) == ["server", "storage", "switch"]
    assert fab.ports_used == {"switch-A": 5, "switch-B": 5}
    assert fab.cables == {"t-10": 10}


def test_json_contract(cat: Any) -> None:
    j = run(cat, compute=[{"server": "t-srv", "count": 8}]).to_json()
    assert set(j) >= {"scenario", "aggregate", "workloads", "resources", "bottleneck"}
    assert set(j["aggregate"]) >= {"images_per_sec", "read_bytes_per_sec", "gpu_data_utilization"}
    assert set(j["workloads"][0]) >= {
        "model",
        "phase",
        "gpus",
        "demand_images_per_sec",
        "images_per_sec",
        "read_bytes_per_sec",
        "bound_by",
    }
    assert set(j["resources"][0]) >= {"id", "kind", "capacity", "load", "utilization", "saturated"}
    assert {r["kind"] for r in j["resources"]} <= {
        "storage",
        "link",
        "server-ingest",
        "host-preprocessing",
        "gpu-compute",
    }
    assert j["bottleneck"]["kind"] == "storage"


# ----------------------------------------------------------------------------- the RA


def ra(real: Any, name: str, **update: Any) -> Analysis:
    sc = load_scenario(SCEN / name, real)
    if update:
        sc = sc.model_copy(update=update)
    a = analyze(sc, real)
    check_invariants(a)
    return a


def _units(sc_name: str, real: Any, n: int) -> Analysis:
    sc = load_scenario(SCEN / sc_name, real)
    st = [sc.storage[0].model_copy(update={"count": n})]
    return ra(real, sc_name, storage=st)


def test_ra_one_dgx1_does_not_stress_one_ess3000(real: Any) -> None:
    """RA ("Throughput results with DGX-1 systems"): a single DGX-1's total bandwidth
    request does not stress one ESS 3000 - even the heaviest model, AlexNet FP16 on 8
    GPUs (8 x 9,319 images/s x 112.7 kB = 8.4 GB/s of 40)."""
    a = ra(real, "ra-1x-dgx1-1x-ess3000.yaml")
    assert a.bottleneck is None and a.gpu_data_utilization == pytest.approx(1.0)
    st = next(r for r in a.resources if r.kind == "storage")
    assert st.utilization < 0.25
    assert a.read_bytes_per_sec == pytest.approx(8 * 9319 * 112_700, rel=1e-9)


@pytest.mark.parametrize("units", [1, 2, 3])
def test_ra_storage_scales_linearly_with_ess3000_units(real: Any, units: int) -> None:
    """RA (fio/IOR): throughput scales linearly from ~40 GB/s per ESS 3000 unit when the
    clients are not the limit: nine DGX-1 (4 EDR links = 50 GB/s each, no published
    client cap) running the read benchmark get 40 / 80 / 120 GB/s."""
    sc = load_scenario(SCEN / "ra-9x-dgx1-3x-ess3000.yaml", real)
    sc = sc.model_copy(
        update={
            "storage": [sc.storage[0].model_copy(update={"count": units})],
            "workloads": [
                sc.workloads[0].model_copy(update={"model": "fio-read", "dataset": None})
            ],
        }
    )
    a = analyze(sc, real)
    assert a.read_bytes_per_sec == pytest.approx(40 * GB * units)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "storage"


def test_ra_three_dgx2_reach_60_gbs_client_bound(real: Any) -> None:
    """RA (DGX-2 throughput, figures 16-17): three DGX-2 top out at 60 GB/s together."""
    a = ra(real, "ra-3x-dgx2-3x-ess3000.yaml")
    assert a.read_bytes_per_sec == pytest.approx(60 * GB)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "server-ingest"


def test_ra_two_ess3000_suffice_for_three_dgx2_third_adds_nothing(real: Any) -> None:
    """RA: 2 units give up to 80 GB/s, so 2 suffice for the 60 GB/s of three DGX-2; a
    third unit adds nothing."""
    two = _units("ra-3x-dgx2-3x-ess3000.yaml", real, 2)
    three = _units("ra-3x-dgx2-3x-ess3000.yaml", real, 3)
    assert two.read_bytes_per_sec == pytest.approx(60 * GB)
    assert three.read_bytes_per_sec == pytest.approx(two.read_bytes_per_sec)
    assert two.bottleneck is not None and two.bottleneck["kind"] == "server-ingest"


def test_ra_one_ess3000_is_saturated_by_three_dgx2(real: Any) -> None:
    """RA: a single ESS 3000 reaches its maximum throughput with three DGX-2 clients."""
    a = _units("ra-3x-dgx2-3x-ess3000.yaml", real, 1)
    assert a.read_bytes_per_sec == pytest.approx(40 * GB)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "storage"
    assert a.bottleneck["utilization"] == pytest.approx(1.0)


def test_ra_nine_dgx1_fully_fed_by_two_ess3000(real: Any) -> None:
    """RA: for the images/s reported with 9 DGX-1, 2 ESS 3000 units were enough.

    AlexNet FP16 on 72 V100: 72 x 9,319 x 112.7 kB = 75.6 GB/s <= 2 x 40 GB/s.  With one
    unit the POD is storage-bound at 40 / 75.6 = 53 %.
    """
    two = _units("ra-9x-dgx1-3x-ess3000.yaml", real, 2)
    assert two.bottleneck is None
    assert two.gpu_data_utilization == pytest.approx(1.0)
    one = _units("ra-9x-dgx1-3x-ess3000.yaml", real, 1)
    assert one.bottleneck is not None and one.bottleneck["kind"] == "storage"
    demand = 72 * 9319 * 112_700
    assert one.gpu_data_utilization == pytest.approx(40 * GB / demand)


def test_ra_dgx2_model_tests_do_not_stress_storage(real: Any) -> None:
    """RA (DGX-2 model tests): GPUs stay saturated; one DGX-2's request does not stress
    an ESS 3000."""
    a = ra(real, "ra-3x-dgx2-3x-ess3000-training.yaml")
    assert a.bottleneck is None
    assert max(r.utilization for r in a.resources if r.kind == "storage") < 0.25


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_analyzes(real: Any, path: Path) -> None:
    a = analyze(load_scenario(path, real), real)
    check_invariants(a)
    j = a.to_json()
    assert j["scenario"]
    assert math.isfinite(j["aggregate"]["read_bytes_per_sec"])


def test_switch_forwarding_resource(real: Any) -> None:
    """Each SB7800 forwards 7.2 Tb/s / 2 = 450 GB/s one way.  In the dual-switch RA POD
    every byte crosses exactly one of the two switches, half each: 75.6 / 2 GB/s."""
    a = ra(real, "ra-9x-dgx1-3x-ess3000.yaml")
    sw = [r for r in a.resources if r.kind == "switch"]
    assert [r.capacity for r in sw] == pytest.approx([450e9, 450e9])
    assert [r.load for r in sw] == pytest.approx([a.read_bytes_per_sec / 2] * 2)


@pytest.mark.parametrize(
    ("server", "unit", "switch", "precision", "phase", "per_gpu", "data"),
    [
        ("dgx-a100", "ess-3200", "qm8700", "int8", "inference", 40576.5, "preprocessed"),
        ("dgx-h100", "ess-3500", "qm9700", "int8", "inference", 87971, "preprocessed"),
        ("dgx-h200", "ess-3500", "qm9700", "int8", "inference", 94620, "preprocessed"),
        ("dgx-a100", "ess-3200", "qm8700", "fp32", "training", 1066, "synthetic"),
        ("dgx-h100", "ess-3500", "qm9700", "fp32", "training", 1753, "synthetic"),
    ],
)
def test_current_gpu_rows_resolve_in_a_scenario(
    tmp_path: Path,
    catalog: Any,
    server: str,
    unit: str,
    switch: str,
    precision: str,
    phase: str,
    per_gpu: float,
    data: str,
) -> None:
    """Each ResNet-50 gpu x precision x phase row added for DGX A100/H100/H200 (issue 16,
    item 9) validates and analyzes as a scenario: 2 servers x 8 GPUs want 16 x the
    per-GPU rate, e.g. DGX H100 INT8 inference 16 x 87,971 = 1,407,536 images/s, and the
    demand says how the rate was measured."""
    from sizer.loader import load_design

    path = tmp_path / f"{server}-{precision}-{phase}.yaml"
    path.write_text(
        f"name: 2x {server} ResNet-50 {precision} {phase}\n"
        f"compute:\n  - server: {server}\n    count: 2\n"
        f"storage:\n  - unit: {unit}\n    count: 1\n"
        f"network:\n  topology: single-switch\n  switch: {switch}\n"
        f"workloads:\n  - model: resnet-50\n    phase: {phase}\n"
        f"    precision: {precision}\n    dataset: imagenet\n",
        encoding="utf-8",
    )
    a = analyze_design(load_design(path, catalog))
    check_invariants(a)
    w = a.to_json()["workloads"][0]
    assert w["demand_images_per_sec"] == pytest.approx(16 * per_gpu)
    assert w["demand_measured_on"] == [data]
    assert w["precision"] == precision


def test_preprocessed_demand_is_noted_in_the_report(tmp_path: Path, catalog: Any) -> None:
    """An MLPerf Inference rate (preprocessed input held in memory) is an upper bound, and
    the report's summary says so."""
    import datetime as dt

    from sizer.report import build_report

    path = tmp_path / "h100-int8.yaml"
    path.write_text(
        "name: 2x DGX H100 ResNet-50 INT8 inference\n"
        "compute:\n  - server: dgx-h100\n    count: 2\n"
        "storage:\n  - unit: ess-3500\n    count: 1\n"
        "network:\n  topology: single-switch\n  switch: qm9700\n"
        "workloads:\n  - model: resnet-50\n    phase: inference\n    precision: int8\n",
        encoding="utf-8",
    )
    rep = build_report(path, catalog, date=dt.date(2026, 1, 2), formats=("html",))
    notes = [s for s in rep.context["summary"] if s.startswith("Demand note")]
    assert len(notes) == 1
    assert "was measured on preprocessed input" in notes[0]
    assert "as MLPerf Inference does" in notes[0]


def test_demand_provenance_is_reported(catalog: Any) -> None:
    """AlexNet's 9,319 images/s per V100 is a single-GPU synthetic-data figure (Lambda
    tf_cnn_benchmarks): analyze says so, and the report warns that real-data pipelines
    may not reach it.  MLPerf Storage workloads are emulated by definition."""
    import datetime as dt

    from sizer.loader import load_design
    from sizer.report import build_report

    d = load_design(ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml", catalog)
    assert set(d.workloads[0].throughput_data.values()) == {("synthetic", 1)}
    j = analyze_design(d).to_json()
    assert j["workloads"][0]["demand_measured_on"] == ["synthetic"]
    h = load_design(ROOT / "scenarios" / "dgx-h100-su-ndr-ess3500.yaml", catalog)
    assert [analyze_design(h).to_json()["workloads"][0]["demand_measured_on"]] == [["emulated"]]
    rep = build_report(
        ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml", catalog,
        date=dt.date(2026, 1, 2), formats=("html",),
    )  # fmt: skip
    assert any("was measured on synthetic data" in s for s in rep.context["summary"])
