"""Topology direct-attached: NVMe drives inside each server, no switch (issue 12).

Hand cases on the built-in catalog: Micron 9400 PRO reads 7.0 GB/s on a PCIe Gen4 x4
link (16 GT/s x 128/130 x 4 / 8 = 7.877 GB/s per direction); Micron 9550 PRO 14.0 GB/s
on Gen5 x4 (15.754 GB/s); a DGX H100's host memory is 614.4 GB/s, crossed once per byte
by a read benchmark.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.errors import SizerInputError
from sizer.loader import load_design, load_scenario
from sizer.protocols import framing
from sizer.resolve import resolve
from sizer.scaling.evaluate import evaluate_at
from sizer.scaling.failures import failure_cases
from sizer.scaling.lumped import Unsupported, solve_lumped
from sizer.scaling.sizing import size_storage
from sizer.schema import Scenario
from sizer.topology import build_fabric

ROOT = Path(__file__).resolve().parents[1]
GB = 1e9
GEN4_X4 = 16e9 * 128 / 130 * 4 / 8


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog()


def design(cat: Any, servers: int = 1, drives: int = 8, unit: str = "micron-9400-pro",
           model: str = "fio-read", **storage: Any) -> Any:  # fmt: skip
    sc = Scenario.model_validate(
        {
            "name": "local drives",
            "compute": [{"server": "dgx-h100", "count": servers}],
            "storage": [{"unit": unit, "count": drives, **storage}],
            "network": {"topology": "direct-attached"},
            "workloads": [{"model": model}],
        }
    )
    return resolve(sc, cat)


def test_pcie_links_and_no_framing(cat: Any) -> None:
    assert cat.links["pcie-gen4-x4"].kind == "pcie"
    assert cat.links["pcie-gen4-x4"].effective_rate.value == pytest.approx(GEN4_X4, rel=1e-6)
    assert cat.links["pcie-gen5-x4"].effective_rate.value == pytest.approx(2 * GEN4_X4, rel=1e-6)
    assert framing("pcie", None) is None and framing("pcie", "rdma") is None
    for uid in ("micron-9400-pro", "micron-9550-pro", "samsung-pm1743"):
        u = cat.storage[uid]
        assert u.ports.value == 1 and u.rack_units.value == 0
        assert u.read_bandwidth.confidence == "T"


def test_fabric_each_server_its_own_drives(cat: Any) -> None:
    d = design(cat, servers=2, drives=3)
    fab = build_fabric(d)
    assert fab.switches == [] and fab.cables == {}
    assert len(fab.storage) == 6
    g = fab.graph
    for srv in fab.servers:
        drives = [u for u in g.predecessors(srv.node)]
        assert len(drives) == 3
        for u in drives:
            assert g.nodes[u]["kind"] == "storage" and g.nodes[u]["host"] == srv.node
            assert g[u][srv.node]["links"] == 1
            assert g[u][srv.node]["link_type"] == "pcie-gen4-x4"


def test_eight_gen4_drives_read_56_gbps(cat: Any) -> None:
    a = analyze_design(design(cat))
    assert a.read_bytes_per_sec == pytest.approx(8 * 7.0 * GB)
    kinds = {(r.kind, r.group) for r in a.resources}
    assert ("storage", "micron-9400-pro x8") in kinds
    assert ("link", "micron-9400-pro -> server PCIe links") in kinds
    assert any(k == "client" and "host memory" in g for k, g in kinds)
    # the storage NICs' PCIe and the network client limit do not apply to local drives
    assert not any("PCIe (storage NICs)" in r.id or "ingest" in r.id for r in a.resources)
    mem = next(r for r in a.resources if "host memory" in r.id)
    assert mem.load == pytest.approx(8 * 7.0 * GB)  # crossed once (a read benchmark)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "storage"


def test_drive_faster_than_its_link_is_link_bound(cat: Any) -> None:
    d = design(cat, drives=8)
    fast = dataclasses.replace(d.storage[0], read_bandwidth=9.0 * GB)
    a = analyze_design(dataclasses.replace(d, storage=(fast,)))
    assert a.read_bytes_per_sec == pytest.approx(8 * GEN4_X4, rel=1e-6)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "link"


def test_host_memory_binds_many_gen5_drives(cat: Any) -> None:
    a = analyze_design(design(cat, drives=48, unit="micron-9550-pro"))
    assert a.read_bytes_per_sec == pytest.approx(614.4 * GB)  # < 48 x 14 = 672 GB/s
    assert a.bottleneck is not None and a.bottleneck["kind"] == "client"


def test_servers_do_not_share(cat: Any) -> None:
    one = analyze_design(design(cat, servers=1))
    three = analyze_design(design(cat, servers=3))
    assert three.read_bytes_per_sec == pytest.approx(3 * one.read_bytes_per_sec)


def test_lost_drive_takes_its_server_offline(cat: Any) -> None:
    cases = failure_cases(design(cat, servers=2))
    kinds = [c.kind for c in cases]
    assert kinds == ["baseline", "storage-unit"]  # no switch, no link-to-switch case
    lost = cases[1]
    assert lost.read_bytes_per_sec == pytest.approx(8 * 7.0 * GB)  # the other server
    assert lost.relative == pytest.approx(0.5)
    assert lost.servers_cut_off == 1
    assert "offline" in lost.note and "its flows get nothing" in lost.note
    assert lost.equivalent == 16


def test_lost_drive_with_replicas_reads_the_others(cat: Any) -> None:
    cases = failure_cases(design(cat, servers=2, data_replicas=2))
    lost = cases[1]
    assert lost.read_bytes_per_sec == pytest.approx((8 + 7) * 7.0 * GB)
    assert lost.servers_cut_off == 0


def test_fast_path_falls_back_to_exact(cat: Any) -> None:
    d = design(cat, servers=2, model="unet3d-mlperf")
    with pytest.raises(Unsupported):
        solve_lumped(d)
    fast, exact = evaluate_at(d, 1.0, "fast"), evaluate_at(d, 1.0, "exact")
    assert fast == exact
    assert fast.read_bytes_per_sec == pytest.approx(analyze_design(d).read_bytes_per_sec)


def test_size_fewest_drives_per_server(cat: Any) -> None:
    # UNet3D on 8 emulated H100: 25.4 GB/s per server; one 14 GB/s drive is short, two do
    r = size_storage(design(cat, servers=2, unit="micron-9550-pro", model="unet3d-mlperf"))
    assert r.met and r.storage_units == 2
    assert [k for k, _ok in r.probes] == [1, 2]


# ------------------------------------------------------------------ located errors


def _problems(tmp_path: Path, network: str, unit: str) -> list[str]:
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: x\n"
        "compute:\n  - server: dgx-h100\n    count: 1\n"
        f"storage:\n  - unit: {unit}\n    count: 2\n"
        f"network:\n{network}"
        "workloads:\n  - model: fio-read\n"
    )
    with pytest.raises(SizerInputError) as info:
        load_scenario(p, display="s.yaml")
    return [x.format() for x in info.value.problems]


@pytest.mark.parametrize(
    ("network", "unit", "expected"),
    [
        (
            "  topology: direct-attached\n  switch: qm9700\n",
            "micron-9550-pro",
            "s.yaml:10:11: network.switch: 'switch' does not apply to topology",
        ),
        (
            "  topology: single-switch\n",
            "ess-3000",
            "s.yaml:9:3: network.switch: topology single-switch needs 'switch'",
        ),
        (
            "  topology: single-switch\n  switch: qm9700\n",
            "micron-9550-pro",
            "s.yaml:6:11: storage[0].unit: micron-9550-pro is a drive",
        ),
        (
            "  topology: direct-attached\n",
            "ess-3000",
            "s.yaml:6:11: storage[0].unit: ess-3000 is not a drive",
        ),
        (
            "  topology: direct-attached\n  protocol: tcp\n",
            "micron-9550-pro",
            "s.yaml:10:13: network.protocol: 'protocol' does not apply to topology direct-attached",
        ),
    ],
    ids=["switch-given", "switch-missing", "drive-on-switch", "unit-not-drive", "protocol"],
)
def test_bad_direct_attached_inputs(tmp_path: Path, network: str, unit: str, expected: str) -> None:
    [msg] = _problems(tmp_path, network, unit)
    assert msg.startswith(expected), msg


def test_shipped_scenario(cat: Any) -> None:
    d = load_design(ROOT / "scenarios" / "dgx-h100-local-8x-micron9550.yaml")
    a = analyze_design(d)
    assert d.topology == "direct-attached" and d.switch_id == ""
    assert a.gpu_data_utilization == pytest.approx(1.0)


def test_drive_capacity_is_per_server(cat: Any) -> None:
    """8 x 7.68 TB striped: 61.44 TB usable in every server (its own copy of the data);
    mirrored (data_replicas: 2) half of it."""
    plan = design(cat, unit="micron-9550-pro").capacity
    assert plan.per_server
    [u] = plan.units
    assert u.drives == "1 x 7.68 TB" and u.protection == "striped (RAID 0)"
    assert plan.usable_bytes() == pytest.approx(8 * 7.68e12)
    mirrored = design(cat, unit="micron-9550-pro", data_replicas=2).capacity
    assert mirrored.usable_bytes() == pytest.approx(4 * 7.68e12)
    assert mirrored.units[0].protection == "mirrored x2"


def test_default_survive_is_one_drive(cat: Any) -> None:
    from sizer.scaling.survive import size_survivable

    d = design(cat, unit="micron-9550-pro")
    assert d.target.survive == "one-unit"
    sizing = size_storage(d)
    sv = size_survivable(d, sizing, d.target.survive)
    assert not sv.met and "a lost drive takes its server's striped data" in sv.reason
    for survive, words in (("one-server", "no I/O servers"), ("one-switch", "no switch")):
        assert words in size_survivable(d, sizing, survive).reason


def test_more_servers_stay_fed_as_one(cat: Any) -> None:
    from sizer.scaling.headroom import max_servers

    lim = max_servers(design(cat, unit="micron-9550-pro", model="unet3d-mlperf"))
    assert lim.limiting is None and "any number of servers" in lim.reason


def test_report_describes_local_drives(cat: Any) -> None:
    from sizer.report.components_view import components
    from sizer.report.sources_view import assumptions

    a = analyze_design(design(cat, unit="micron-9550-pro"))
    words = " ".join(assumptions(a, cat))
    assert "its own drives" in words and "parallel file system" not in words
    assert "InfiniBand" not in words and "ECMP" not in words
    [server] = [c for c in components(a, cat) if c["role"].startswith("GPU server")]
    specs = {s["label"]: s["value"] for s in server["specs"]}
    assert specs["Storage ports"].startswith("not used")
    assert "Payload per port" not in specs and "PCIe behind the storage NICs" not in specs


def test_storage_nic_figures_are_not_sources(cat: Any) -> None:
    """The servers' storage NICs carry nothing: their figures are not listed as used,
    while the drives', their PCIe links' and the host's are."""
    used = {(u.entry, u.field) for u in design(cat, unit="micron-9550-pro").used}
    for field in ("storage_ports", "ingest_limit", "storage_adapters", "storage_pcie_lanes"):
        assert ("servers/dgx-h100", field) not in used
    assert not any(e.startswith("protocols/") or e == "links/ndr-ib" for e, _ in used)
    assert ("storage/micron-9550-pro", "read_bandwidth") in used
    assert ("links/pcie-gen5-x4", "effective_rate") in used
    assert ("servers/dgx-h100", "memory_mts") in used


def test_compute_bound_sentence_names_the_drives(cat: Any) -> None:
    from sizer.text import bottleneck_sentence

    words = bottleneck_sentence(
        analyze_design(design(cat, unit="micron-9550-pro", model="unet3d-mlperf"))
    )
    assert words.endswith("the drives and their PCIe links have headroom"), words


@pytest.mark.parametrize(
    ("word", "meant"),
    [("one-drive", "one-unit"), ("one-ssd", "one-unit"), ("one-sever", "one-server")],
)
def test_survive_words_suggest_what_they_mean(tmp_path: Path, word: str, meant: str) -> None:
    """'one-drive' is a lost drive (one-unit), though it is closer to 'one-server' letter
    by letter; a plain typo still gets the nearest spelling."""
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: x\n"
        "compute:\n  - server: dgx-h100\n    count: 1\n"
        "storage:\n  - unit: micron-9550-pro\n    count: 2\n"
        "network:\n  topology: direct-attached\n"
        "workloads:\n  - model: fio-read\n"
        f"target:\n  survive: {word}\n"
    )
    with pytest.raises(SizerInputError) as info:
        load_scenario(p, display="s.yaml")
    [msg] = [x.format() for x in info.value.problems]
    assert msg.startswith("s.yaml:13:12: target.survive:"), msg
    assert msg.endswith(f"(did you mean {meant!r}?)"), msg
