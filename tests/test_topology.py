"""Topology: cabling plans, port budgets, ECMP routing (sizer/topology.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sizer.catalog import load_catalog
from sizer.ports import port_problems
from sizer.resolve import resolve
from sizer.routing import Router, routing_fractions
from sizer.schema import Scenario
from sizer.topology import build_fabric

FIX = Path(__file__).parent / "fixtures" / "catalog_model"
CAT = load_catalog([FIX])
REAL = load_catalog()


def sc(**kw: Any) -> Scenario:
    spec: dict[str, Any] = {
        "name": "t",
        "compute": [{"server": "t-srv", "count": 2}],
        "storage": [{"unit": "t-st", "count": 1}],
        "network": {"topology": "single-switch", "switch": "t-sw"},
        "workloads": [{"model": "t-m"}],
    }
    spec.update(kw)
    return Scenario.model_validate(spec)


def test_ra_dual_switch_cabling() -> None:
    """RA figure 8: DGX-1 4 links as 2 + 2, ESS 3000 8 links as 4 + 4 on two SB7800s."""
    s = Scenario.model_validate(
        {
            "name": "ra",
            "compute": [{"server": "dgx-1", "count": 9}],
            "storage": [{"unit": "ess-3000", "count": 3}],
            "network": {"topology": "dual-switch", "switch": "sb7800"},
            "workloads": [{"model": "alexnet", "dataset": "imagenet"}],
        }
    )
    fab = build_fabric(resolve(s, REAL))
    assert fab.ports_used == {"switch-A": 30, "switch-B": 30}
    assert fab.ports_available == {"switch-A": 36, "switch-B": 36}
    assert fab.cables == {"edr-ib": 60}
    assert fab.graph["switch-A"]["dgx-1#1"]["links"] == 2
    assert fab.graph["ess-3000#1"]["switch-B"]["links"] == 4
    # 4 EDR links x 12.5 GB/s, less InfiniBand RDMA framing (4,096 of 4,122 bytes)
    assert fab.graph["ess-3000#1"]["switch-B"]["capacity"] == pytest.approx(50e9 * 4096 / 4122)


def test_single_switch_port_budget_is_an_error() -> None:
    """9 DGX-1 (36 ports) + 3 ESS 3000 (24) = 60 ports on one 36-port SB7800."""
    s = Scenario.model_validate(
        {
            "name": "too big",
            "compute": [{"server": "dgx-1", "count": 9}],
            "storage": [{"unit": "ess-3000", "count": 3}],
            "network": {"topology": "single-switch", "switch": "sb7800"},
            "workloads": [{"model": "alexnet", "dataset": "imagenet"}],
        }
    )
    assert port_problems(s, REAL) == [
        (
            ("network", "switch"),
            "the switch needs 60 ports (36 dgx-1 + 24 ess-3000) but sb7800 has 36",
            "use topology dual-switch or leaf-spine",
        )
    ]
    with pytest.raises(ValueError, match="needs 60 ports"):
        build_fabric(resolve(s, REAL))


def test_link_kind_mismatch_is_an_error() -> None:
    s = Scenario.model_validate(
        {
            "name": "mix",
            "compute": [{"server": "dgx-1", "count": 1}],
            "storage": [{"unit": "netapp-aff-a900-ha", "count": 1}],
            "network": {"topology": "single-switch", "switch": "sb7800"},
            "workloads": [{"model": "alexnet", "dataset": "imagenet"}],
        }
    )
    probs = port_problems(s, REAL)
    assert probs[0][0] == ("storage", 0, "unit")
    assert "ethernet" in probs[0][1] and "infiniband" in probs[0][1]


def test_leaf_spine_plan() -> None:
    """3 leaves: one storage leaf (2 units x 4 ports = 8 ports fit one leaf) and two server
    leaves holding 2 servers x 2 ports each.  At 2:1 a server leaf (40 GB/s down) gets
    20 GB/s up = 1 link to each of 2 spines; the storage leaf (80 GB/s down) 40 GB/s up =
    2 links to each spine."""
    s = sc(
        compute=[{"server": "t-srv", "count": 4}],
        storage=[{"unit": "t-st", "count": 2}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw",
            "leaves": 3,
            "spines": 2,
            "oversubscription": 2,
        },
    )
    fab = build_fabric(resolve(s, CAT))
    g = fab.graph
    assert {v for v in g.successors("leaf-1")} >= {"t-srv#1", "t-srv#2", "spine-1", "spine-2"}
    assert g["leaf-1"]["spine-1"]["links"] == 1
    assert g["spine-1"]["leaf-1"]["links"] == 1
    assert g["leaf-3"]["spine-2"]["links"] == 2
    assert list(g.successors("t-st#1")) == ["leaf-3"]
    assert fab.ports_used == {
        "leaf-1": 4 + 2,
        "leaf-2": 4 + 2,
        "leaf-3": 8 + 4,
        "spine-1": 4,
        "spine-2": 4,
    }


def test_routing_fractions_dual_switch_single_homed() -> None:
    """A server on switch A only, storage on both: bytes entering B must cross the ISL."""
    g = nx.DiGraph()
    g.add_edge("A", "B", links=2)
    g.add_edge("B", "A", links=2)
    f = routing_fractions(g, (("A", 4), ("B", 4)), (("A", 1),))
    # shortest path is via A directly (2 hops) vs B -> A (3 hops): all via A
    assert f == {("<src>", "A"): 1.0, ("A", "<dst>"): 1.0}


def test_routing_fractions_unreachable() -> None:
    g = nx.DiGraph()
    g.add_nodes_from(["A", "B"])
    assert routing_fractions(g, (("A", 1),), (("B", 1),)) == {}


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(2, 5),
    st.integers(1, 4),
    st.sampled_from([1, 2, 3]),
    st.integers(0, 2),
)
def test_router_equals_reference_routing(
    n_srv: int, leaves: int, spines: int, ratio: int, st_leaves: int
) -> None:
    """The vectorised Router equals per-pair routing_fractions summed over sources."""
    s = sc(
        compute=[{"server": "t-srv", "count": n_srv * 2}],
        storage=[{"unit": "t-st", "count": 3}],
        network={
            "topology": "leaf-spine",
            "switch": "t-sw-64",
            "leaves": leaves,
            "spines": spines,
            "oversubscription": ratio,
            "storage_leaves": min(st_leaves, leaves - 1),
        },
    )
    fab = build_fabric(resolve(s, CAT))
    router = Router(fab.graph, fab.switches)
    groups: dict[Any, int] = {}
    for ep in fab.storage:
        groups[ep.attach] = groups.get(ep.attach, 0) + 1
    u = len(fab.storage)
    for dst in {ep.attach for ep in fab.servers}:
        _per, flow, to = router.route([(a, c / u) for a, c in groups.items()], dst)
        ref_e: dict[Any, float] = {}
        ref_to: dict[str, float] = {}
        for a, c in groups.items():
            for (x, y), f in routing_fractions(fab.switch_graph(), a, dst).items():
                if x == "<src>":
                    continue
                if y == "<dst>":
                    ref_to[x] = ref_to.get(x, 0.0) + f * c / u
                else:
                    ref_e[(x, y)] = ref_e.get((x, y), 0.0) + f * c / u
        mine = {e: f for e, f in zip(router.edges, flow, strict=True) if f > 0}
        assert mine.keys() == ref_e.keys()
        assert all(mine[e] == pytest.approx(ref_e[e]) for e in mine)
        assert to.keys() == ref_to.keys()
        assert all(to[k] == pytest.approx(ref_to[k]) for k in to)
        assert sum(to.values()) == pytest.approx(1.0)
