"""The client host model (sizer/hosts.py): PCIe behind the storage NICs, host memory and
GPUDirect Storage, by hand, as a property, and as bad input.

Hand cases use the fixture catalog tests/fixtures/catalog_model (links carry 10 GB/s; a
t-m GPU trains at 1000 samples/s, so with 8 MB samples a 4-GPU server wants 32 GB/s):

* t-srv-pcie: 2 ports (20 GB/s) on one PCIe Gen3 x16 adapter, 8 GT/s x 128/130 / 8 x 16
  = 15.754 GB/s per direction;
* t-srv-mem: 2 ports (20 GB/s), 1 socket x 1 DDR channel x 1600 MT/s x 8 B = 12.8 GB/s
  of host memory;
* t-srv-host: 2 ports on two Gen4 x4 adapters (2 x 7.877 = 15.754 GB/s) and 2 channels
  at 1600 MT/s (25.6 GB/s).

and the built-in DGX A100: a dual-port 200 Gb/s ConnectX-6 (2 x 25 GB/s) on one Gen4 x16
adapter reads 31.5 GB/s, not 50.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizer import scaling as S
from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.cli import cli
from sizer.design import Design
from sizer.hosts import client_parts, memory_bandwidth, pcie_ceiling, pcie_rate
from sizer.ports import port_problems
from sizer.resolve import resolve
from sizer.schema import Scenario
from sizer.topology import build_fabric
from sizer.transfer import transfer

FIX = Path(__file__).parent / "fixtures" / "catalog_model"
GB = 1e9
GEN3_X16 = 8e9 * 128 / 130 / 8 * 16  # 15.754 GB/s
GEN4_X16 = 16e9 * 128 / 130 / 8 * 16  # 31.508 GB/s


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog([FIX])


@pytest.fixture(scope="module")
def real() -> Any:
    return load_catalog()


def design(cat: Any, server: str, workloads: list[dict[str, Any]], **group: Any) -> Design:
    spec = {
        "name": "hand case",
        "compute": [{"server": server, "count": 1, **group}],
        "storage": [{"unit": "t-st-fast", "count": 1}],
        "network": {"topology": "single-switch", "switch": "t-sw"},
        "workloads": workloads,
    }
    sc = Scenario.model_validate(spec)
    assert check_scenario(sc, cat) == []
    return resolve(sc, cat)


TRAIN_8MB = {"model": "t-m", "dataset": "t-8mb"}  # 4 GPUs x 1000/s x 8 MB = 32 GB/s
FIO = {"model": "fio-read"}


def test_pcie_rates_follow_the_pci_sig_encodings() -> None:
    """GT/s x payload/line bits / 8 per lane, per direction: Gen1/2 8b/10b, Gen3-5
    128b/130b."""
    assert pcie_rate(1, 1) == pytest.approx(0.25e9)
    assert pcie_rate(2, 8) == pytest.approx(4.0e9)
    assert pcie_rate(3, 16) == pytest.approx(15.7538e9, rel=1e-5)
    assert pcie_rate(4, 16) == pytest.approx(31.5077e9, rel=1e-5)
    assert pcie_rate(5, 16) == pytest.approx(63.0154e9, rel=1e-5)
    with pytest.raises(ValueError, match="generation 6"):
        pcie_rate(6, 16)
    with pytest.raises(ValueError, match="x3 is not a PCIe link width"):
        pcie_rate(4, 3)


# ------------------------------------------------------------------ hand cases


def test_dual_port_hdr_on_gen4_x16_reads_31_5_not_50(real: Any) -> None:
    """One DGX A100: 2 x HDR (2 x 25 GB/s = 50 GB/s of ports) on one ConnectX-6 on PCIe
    Gen4 x16 = 31.5 GB/s; the read benchmark gets 31.5, bound by the host PCIe."""
    sc = Scenario.model_validate(
        {
            "name": "one DGX A100, fio",
            "compute": [{"server": "dgx-a100", "count": 1}],
            "storage": [{"unit": "ess-3200", "count": 2}],
            "network": {"topology": "single-switch", "switch": "qm8700"},
            "workloads": [FIO],
        }
    )
    d = resolve(sc, real)
    a = analyze_design(d)
    assert a.read_bytes_per_sec == pytest.approx(GEN4_X16, rel=1e-9)
    assert a.bottleneck is not None
    assert (a.bottleneck["kind"], a.bottleneck["group"]) == (
        "client",
        "dgx-a100 x1 host PCIe (storage NICs)",
    )
    # without the PCIe part the same server reads what its two ports carry
    bare = dataclasses.replace(
        d, servers=(dataclasses.replace(d.servers[0], storage_pcie_gen=None),)
    )
    # (two HDR ports' 50 GB/s less InfiniBand RDMA framing, 4,096 of 4,122 bytes)
    assert analyze_design(bare).read_bytes_per_sec == pytest.approx(50 * GB * 4096 / 4122)
    parts = {p.key: p for p in client_parts(d, 0)}
    assert parts["nic"].ceiling == pytest.approx(50 * GB * 4096 / 4122)
    assert parts["pcie"].binds and parts["pcie"].ceiling == pytest.approx(GEN4_X16)
    assert parts["limit"].ceiling is None and parts["limit"].detail == "not modeled"


def test_pcie_bound_training_server(cat: Any) -> None:
    """t-srv-pcie wants 32 GB/s; its ports carry 20, its adapter 15.754: the GPUs get
    15.754 / 32 = 49.2% of their demand, bound by the PCIe row."""
    a = analyze_design(design(cat, "t-srv-pcie", [TRAIN_8MB]))
    assert a.read_bytes_per_sec == pytest.approx(GEN3_X16, rel=1e-9)
    assert a.gpu_data_utilization == pytest.approx(GEN3_X16 / (32 * GB), rel=1e-9)
    assert a.workloads[0].bound_by == {
        "id": "t-srv-pcie#1 PCIe (storage NICs)",
        "kind": "client",
        "group": "t-srv-pcie x1 host PCIe (storage NICs)",
    }


def test_memory_bound_without_gds(cat: Any) -> None:
    """t-srv-mem: 12.8 GB/s of memory.  Training without GDS crosses it twice per byte
    (bounce buffer: NIC writes, GPU reads): 6.4 GB/s.  A read benchmark crosses it once
    (the NIC's write): 12.8 GB/s.  Both below the 20 GB/s of ports."""
    d = design(cat, "t-srv-mem", [TRAIN_8MB])
    assert memory_bandwidth(d.servers[0]) == pytest.approx(12.8 * GB)
    a = analyze_design(d)
    assert a.read_bytes_per_sec == pytest.approx(6.4 * GB, rel=1e-9)
    assert a.bottleneck is not None and a.bottleneck["group"] == "t-srv-mem x1 host memory"
    mem = next(r for r in a.resources if r.group == "t-srv-mem x1 host memory")
    assert (mem.capacity, mem.load) == pytest.approx((12.8 * GB, 12.8 * GB))
    fio = analyze_design(design(cat, "t-srv-mem", [FIO]))
    assert fio.read_bytes_per_sec == pytest.approx(12.8 * GB, rel=1e-9)


def test_with_gds_the_memory_part_drops_out(cat: Any) -> None:
    """The same server with gpudirect_storage: true reads NIC -> GPU: the memory row
    carries nothing and the 20 GB/s of ports bind."""
    d = design(cat, "t-srv-mem", [TRAIN_8MB], gpudirect_storage=True)
    a = analyze_design(d)
    assert a.read_bytes_per_sec == pytest.approx(20 * GB, rel=1e-9)
    mem = next(r for r in a.resources if r.group == "t-srv-mem x1 host memory")
    assert mem.load == 0.0
    assert a.bottleneck is not None and a.bottleneck["kind"] == "link"
    part = next(p for p in client_parts(d, 0) if p.key == "memory")
    assert part.ceiling is None and "GPUDirect Storage" in part.detail


def test_two_adapters_and_mixed_crossings_share_max_min_fairly(cat: Any) -> None:
    """t-srv-host: PCIe 2 x Gen4 x4 = 15.754 GB/s, memory 25.6 GB/s.  A read benchmark on
    1 GPU (1 crossing, share 1) and training on 2 GPUs (2 crossings, share 2, demand 16
    GB/s) on one server grow as y = 2x (per-GPU fairness).  PCIe would fill at x + y = 3x
    = 15.754 (x = 5.25), memory at x + 2y = 5x = 25.6 (x = 5.12): memory binds first, x =
    5.12, y = 10.24, and PCIe carries 15.36 GB/s."""
    d = design(
        cat, "t-srv-host", [{**FIO, "gpus_per_server": 1}, {**TRAIN_8MB, "gpus_per_server": 2}]
    )
    assert pcie_ceiling(d.servers[0]) == pytest.approx(GEN3_X16, rel=1e-9)  # = 2 x Gen4 x4
    a = analyze_design(d)
    fio, train = a.workloads
    assert fio.read_bytes_per_sec == pytest.approx(5.12 * GB, rel=1e-9)
    assert train.read_bytes_per_sec == pytest.approx(10.24 * GB, rel=1e-9)
    assert train.bound_by["group"] == "t-srv-host x1 host memory"
    p = S.evaluate(d)  # the lumped fast path counts each flow's own crossings too
    assert p.read_bytes_per_sec == pytest.approx(a.read_bytes_per_sec, rel=1e-9)


def test_uneven_ports_fill_the_busier_adapter_first() -> None:
    """3 ports on 2 Gen4 x16 adapters: 2 ports share one card, which carries 2/3 of the
    bytes: ceiling = 31.5 x 3 / 2 = 47.3 GB/s; 1 port on 2 adapters uses one: 31.5."""
    from types import SimpleNamespace as NS

    g = NS(storage_pcie_gen=4, storage_pcie_lanes=16, storage_adapters=2, storage_ports=3)
    assert pcie_ceiling(g) == pytest.approx(GEN4_X16 * 1.5)  # type: ignore[arg-type]
    g.storage_ports = 1
    assert pcie_ceiling(g) == pytest.approx(GEN4_X16)  # type: ignore[arg-type]


def test_checkpoint_write_crosses_host_memory_twice_unless_gds(cat: Any) -> None:
    """A save on t-srv-mem: GPU -> bounce buffer -> NIC, 12.8 / 2 = 6.4 GB/s; with GDS the
    20 GB/s of ports.  The client ingest limit never bounds a write; the memory does."""
    for gds, rate in ((False, 6.4 * GB), (True, 20 * GB)):
        d = design(cat, "t-srv-mem", [TRAIN_8MB], gpudirect_storage=gds)
        fab = build_fabric(d)
        node = fab.servers[0].node
        t = transfer(d, {node: 64 * GB}, "write", fabric=fab)
        assert t.first_rate == pytest.approx(rate, rel=1e-9)


def test_dgx_h100_parts_do_not_bind_on_their_two_storage_ports(real: Any) -> None:
    """DGX H100: one storage port on each of two Gen5 x16 ConnectX-7 cards (126 GB/s),
    2 x Xeon 8480C with 8 x DDR5-4800 each (614.4 GB/s), the published 80 GB/s limit: the
    limit is the least part."""
    sc = Scenario.model_validate(
        {
            "name": "one DGX H100",
            "compute": [{"server": "dgx-h100", "count": 1}],
            "storage": [{"unit": "ess-3500", "count": 2}],
            "network": {"topology": "single-switch", "switch": "qm9700"},
            "workloads": [{"model": "resnet-50", "phase": "training", "precision": "fp16"}],
        }
    )
    d = resolve(sc, real)
    parts = {p.key: p for p in client_parts(d, 0)}
    assert parts["pcie"].ceiling == pytest.approx(2 * pcie_rate(5, 16))
    assert parts["memory"].raw == pytest.approx(614.4 * GB)
    assert parts["memory"].ceiling == pytest.approx(307.2 * GB)  # 2 crossings, no GDS
    assert parts["limit"].binds and parts["limit"].ceiling == pytest.approx(80 * GB)


# ------------------------------------------------------------------ property


@st.composite
def client_designs(draw: Any) -> dict[str, Any]:
    topo = draw(st.sampled_from(["single-switch", "dual-switch", "leaf-spine"]))
    n_groups = draw(st.integers(1, 2))
    compute = [
        {"server": "t-srv", "count": draw(st.integers(1, 5)), "name": f"g{i}"}
        for i in range(n_groups)
    ]
    net: dict[str, Any] = {"topology": topo, "switch": "t-sw-64"}
    if topo == "leaf-spine":
        net.update(leaves=draw(st.integers(2, 4)), spines=draw(st.integers(1, 2)))
    workloads = []
    for j in range(draw(st.integers(1, 2))):
        w: dict[str, Any] = draw(
            st.sampled_from(
                [
                    {"model": "t-m", "dataset": "t-8mb", "gpus_per_server": 2},
                    {"model": "t-m", "dataset": "t-4mb", "gpus_per_server": 2},
                    {"model": "fio-read"},
                ]
            )
        )
        if n_groups == 2 and draw(st.booleans()):
            w = {**w, "groups": [f"g{j % 2}"]}
        workloads.append(w)
    return {
        "name": "random",
        "compute": compute,
        "storage": [
            {"unit": draw(st.sampled_from(["t-st", "t-st-fast"])), "count": draw(st.integers(1, 3))}
        ],
        "network": net,
        "workloads": workloads,
    }


@settings(
    max_examples=int(os.environ.get("SIZER_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    spec=client_designs(),
    group=st.integers(0, 1),
    pcie=st.sampled_from([None, (1, 3, 16), (2, 3, 4), (1, 4, 8)]),
    memory=st.sampled_from([None, (1, 1, 1600.0), (1, 2, 1600.0), (2, 8, 3200.0)]),
    gds=st.booleans(),
)
def test_adding_a_client_part_never_raises_that_groups_throughput(
    spec: dict[str, Any],
    group: int,
    pcie: tuple[int, int, int] | None,
    memory: tuple[int, int, float] | None,
    gds: bool,
) -> None:
    """Giving one compute group a PCIe and/or host-memory part (a constraint on its own
    servers only) never raises what that group's servers read or any of its workloads'
    images/s; the fast path agrees with the full analysis on the result."""
    cat = load_catalog([FIX])
    sc = Scenario.model_validate(spec)
    if check_scenario(sc, cat) or port_problems(sc, cat):
        return
    d = resolve(sc, cat)
    gi = min(group, len(d.servers) - 1)
    g = d.servers[gi]
    kw: dict[str, Any] = {"gpudirect_storage": gds}
    if pcie is not None:
        kw.update(storage_adapters=pcie[0], storage_pcie_gen=pcie[1], storage_pcie_lanes=pcie[2])
    if memory is not None:
        kw.update(cpu_sockets=memory[0], memory_channels=memory[1], memory_mts=memory[2])
    servers = list(d.servers)
    servers[gi] = dataclasses.replace(g, **kw)
    d2 = dataclasses.replace(d, servers=tuple(servers))
    before, after = analyze_design(d), analyze_design(d2)

    def group_read(a: Any) -> float:
        from sizer.hosts import client_summaries

        return client_summaries(a)[gi].read_per_server

    assert group_read(after) <= group_read(before) * (1 + 1e-9) + 1e-3
    for w0, w1 in zip(before.workloads, after.workloads, strict=True):
        if d.workloads[w0.index].groups == (gi,):
            assert w1.read_bytes_per_sec <= w0.read_bytes_per_sec * (1 + 1e-9) + 1e-3
    for x in (after.read_bytes_per_sec, after.images_per_sec):
        assert math.isfinite(x)
    p = S.evaluate(d2)
    assert p.read_bytes_per_sec == pytest.approx(after.read_bytes_per_sec, rel=1e-9, abs=1e-3)
    assert p.images_per_sec == pytest.approx(after.images_per_sec, rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------ bad input

RA = """name: one t-srv
compute:
  - server: SERVER
    count: 1
storage:
  - unit: t-st
    count: 1
network:
  topology: single-switch
  switch: t-sw
workloads:
  - model: t-m
"""

BAD_SERVER = """servers:
  - id: t-bad-host
    name: bad client figures
    vendor: test
    gpu: tgpu
    gpu_count: {value: 4, source: test, confidence: A}
    storage_ports: {value: 2, source: test, confidence: A}
    storage_link: t-10
    storage_adapters: {value: 1, source: test, confidence: A}
    storage_pcie_gen: {value: 6, source: test, confidence: A}
    storage_pcie_lanes: {value: 3, source: test, confidence: A}
    memory_channels: {value: 0, source: test, confidence: A}
    rack_units: {value: 1, source: test, confidence: A}
    power_watts: {value: 1000, source: test, confidence: A}
  - id: t-half-host
    name: half a memory part
    vendor: test
    gpu: tgpu
    gpu_count: {value: 4, source: test, confidence: A}
    storage_ports: {value: 2, source: test, confidence: A}
    storage_link: t-10
    cpu_sockets: {value: 2, source: test, confidence: A}
    rack_units: {value: 1, source: test, confidence: A}
    power_watts: {value: 1000, source: test, confidence: A}
"""


def _run(tmp_path: Path, scenario: str, catalog: str | None) -> Any:
    (tmp_path / "s.yaml").write_text(scenario, encoding="utf-8")
    args = ["validate", str(tmp_path / "s.yaml"), "--catalog", str(FIX)]
    if catalog is not None:
        (tmp_path / "cat").mkdir(exist_ok=True)
        (tmp_path / "cat" / "servers.yaml").write_text(catalog, encoding="utf-8")
        args += ["--catalog", str(tmp_path / "cat")]
    return CliRunner().invoke(cli, args)


def test_bad_client_figures_are_located_problems(tmp_path: Path) -> None:
    r = _run(tmp_path, RA.replace("SERVER", "t-srv"), BAD_SERVER)
    assert r.exit_code == 2, r.output
    f = str(tmp_path / "cat" / "servers.yaml")
    assert r.stderr.splitlines() == [
        f"{f}:10:23: servers[0].storage_pcie_gen: value 6 is above the maximum 5",
        f"{f}:11:25: servers[0].storage_pcie_lanes: x3 is not a PCIe link width; use one of "
        "x1, x2, x4, x8, x12, x16, x32",
        f"{f}:12:22: servers[0].memory_channels: value 0 must be at least 1",
        f"{f}:15:5: servers[1]: cpu_sockets, memory_channels and memory_mts go together; "
        "memory_channels and memory_mts are missing",
    ]


def test_gpudirect_storage_must_be_a_boolean(tmp_path: Path) -> None:
    text = RA.replace("SERVER", "t-srv-mem").replace(
        "    count: 1\nstorage", "    count: 1\n    gpudirect_storage: 1\nstorage"
    )
    r = _run(tmp_path, text, None)
    assert r.exit_code == 2, r.output
    f = str(tmp_path / "s.yaml")
    assert r.stderr.splitlines() == [
        f"{f}:5:24: compute[0].gpudirect_storage: expected true or false, got 1"
    ]
