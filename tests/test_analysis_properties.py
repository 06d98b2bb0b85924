"""Property tests of the fabric model on random designs (hypothesis).

Designs are drawn from the round-number fixture catalog: random server and storage
counts, topologies, cabling, workloads and cache ratios.  On every one:

* the solved problem satisfies the max-min certificate (sizer.flows.check_max_min);
* no resource is over capacity and no workload above its demand;
* adding a storage unit never lowers the aggregate images/s;
* doubling every link and storage capacity never lowers it either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizer.analysis import Analysis, analyze
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.flows import check_max_min
from sizer.ports import port_problems
from sizer.schema import Scenario

FIX = Path(__file__).parent / "fixtures" / "catalog_model"
CAT = load_catalog([FIX])

SERVERS = ["t-srv", "t-srv-1p", "t-srv-cap", "t-srv-prep", "t-srv-cache", "t-srv-host"]
UNITS = ["t-st", "t-st-fast", "t-st-6"]
DATASETS = ["t-1mb", "t-4mb", "t-8mb"]


@st.composite
def designs(draw: Any) -> dict[str, Any]:
    n_groups = draw(st.integers(1, 2))
    compute = [
        {
            "name": f"g{i}",
            "server": draw(st.sampled_from(SERVERS)),
            "count": draw(st.integers(1, 6)),
        }
        for i in range(n_groups)
    ]
    storage = [{"unit": draw(st.sampled_from(UNITS)), "count": draw(st.integers(1, 4))}]
    topo = draw(st.sampled_from(["single-switch", "dual-switch", "leaf-spine"]))
    net: dict[str, Any] = {"topology": topo, "switch": "t-sw-64"}
    if topo == "leaf-spine":
        net.update(
            leaves=draw(st.integers(2, 4)),
            spines=draw(st.integers(1, 3)),
            oversubscription=draw(st.sampled_from([1, 1.5, 2, 3])),
        )
    workloads = []
    for i in range(draw(st.integers(1, 2))):
        wl: dict[str, Any] = {
            "model": "t-m",
            "phase": draw(st.sampled_from(["training", "inference"])),
            "dataset": draw(st.sampled_from(DATASETS)),
            "gpus_per_server": 2,
        }
        if draw(st.booleans()):
            wl["cache"] = draw(st.sampled_from([0.0, 0.25, 0.5, 0.9]))
        if n_groups == 2 and draw(st.booleans()):
            wl["groups"] = [f"g{i % 2}"]
        workloads.append(wl)
    return {
        "name": "random",
        "compute": compute,
        "storage": storage,
        "network": net,
        "workloads": workloads,
    }


def _run(spec: dict[str, Any]) -> Analysis | None:
    sc = Scenario.model_validate(spec)
    if check_scenario(sc, CAT) or port_problems(sc, CAT):
        return None
    return analyze(sc, CAT)


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(designs())
def test_max_min_certificate_and_bounds(spec: dict[str, Any]) -> None:
    a = _run(spec)
    if a is None:
        return
    W, caps, dem, shares, rates = a.problem
    assert check_max_min(W, caps, dem, shares, rates, rtol=1e-7) == []
    for r in a.resources:
        assert r.load <= r.capacity * (1 + 1e-9) + 1e-3
    for w in a.workloads:
        assert w.images_per_sec <= w.demand_images_per_sec * (1 + 1e-9) + 1e-6
        assert w.gpu_data_utilization is None or 0 <= w.gpu_data_utilization <= 1 + 1e-9


@SETTINGS
@given(designs())
def test_more_storage_never_lowers_the_aggregate(spec: dict[str, Any]) -> None:
    a = _run(spec)
    if a is None:
        return
    more = dict(spec, storage=[dict(spec["storage"][0], count=spec["storage"][0]["count"] + 1)])
    b = _run(more)
    if b is None:  # the extra unit does not fit the switch
        return
    assert b.images_per_sec >= a.images_per_sec * (1 - 1e-9)


@SETTINGS
@given(designs())
def test_aggregate_is_deterministic(spec: dict[str, Any]) -> None:
    a = _run(spec)
    if a is None:
        return
    b = _run(spec)
    assert b is not None and a.to_json() == b.to_json()
