"""Checkpoint saves and restores on the fabric (sizer.checkpointing, sizer.transfer),
the policy's fit, sizing with checkpoints, and the scenario's ``checkpoint:`` input.

The hand checks use Llama 3 8B (8,030,261,248 parameters, BF16 + Adam: 14 B each) on
DGX H100 servers whose 2 storage ports run 200 GbE (25.0 GB/s each per direction) and
DDN AI400X2-Turbo appliances (80 GB/s write and read each, DDN's figure).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.checkpointing import evaluate_checkpoint, young_interval
from sizer.cli import cli
from sizer.errors import SizerInputError
from sizer.loader import load_design
from sizer.scaling.checkpoints import checkpoint_at, size_checkpoint
from sizer.scaling.evaluate import vary

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios" / "dgx-h100-llm-405b-ddn.yaml"
P_8B = 8_030_261_248
GB = 1e9
#: payload share of an Ethernet link carrying TCP (sizer/protocols.py, 9,000-byte frames)
TCP = 8948 / 9038


def scenario(tmp_path: Path, llm: int = 4, units: int = 2, **policy: object) -> Path:
    """``llm`` DGX H100 checkpointing Llama 3 8B (TP 8, ZeRO-1, every 30 min) and 4 more
    reading ResNet-50, ``units`` DDN appliances, one SN4600 switch (or what ``policy``
    says under ``network``)."""
    network = policy.pop("network", {"topology": "single-switch", "switch": "sn4600"})
    ck = {"model": "llama-3-8b", "groups": ["llm"], "tp": 8, "zero": 1, "interval_minutes": 30}
    ck.update(policy)
    doc = {
        "name": "checkpoint test",
        "compute": [
            {"name": "llm", "server": "dgx-h100", "count": llm,
             "overrides": {"storage_link": "eth-200g"}},
            {"name": "vision", "server": "dgx-h100", "count": 4,
             "overrides": {"storage_link": "eth-200g"}},
        ],
        "storage": [{"unit": "ddn-ai400x2-turbo", "count": units}],
        "network": network,
        "workloads": [{"model": "resnet-50-mlperf", "groups": ["vision"]}],
        "checkpoint": ck,
    }  # fmt: skip
    path = tmp_path / "ck.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def answer(path: Path):  # type: ignore[no-untyped-def]
    d = load_design(path, load_catalog())
    reads = analyze_design(d)
    return d, evaluate_checkpoint(d, fabric=reads.fabric, background=reads)


# ----------------------------------------------------------------- hand-computed saves


def test_storage_write_bound_save_by_hand(tmp_path: Path) -> None:
    # 32 ranks, TP 8 x DP 4, ZeRO-1: every rank writes 1/32 of the FP32 master weights
    # and Adam moments (12 B/param); the 8 ranks of the first server (data-parallel rank
    # 0) also write the BF16 weights (2 B/param, 1/8 each).
    d, r = answer(scenario(tmp_path, llm=4, units=2))
    opt_server = 8 * (P_8B // 32) * 12
    weights = 8 * (P_8B // 8) * 2
    assert r.checkpoint.checkpoint_bytes == P_8B * 14 == 3 * opt_server + opt_server + weights
    # phase 1: 4 servers share 2 x 80 GB/s of storage write (40 GB/s each, under their
    # 50 GB/s NICs) until the 3 optimizer-only servers finish; phase 2: the first server
    # alone, at its NICs' 2 x 25 GB/s
    t1 = opt_server / (160 * GB / 4)
    t2 = weights / (50 * GB * TCP)
    assert r.save.seconds == pytest.approx(t1 + t2, rel=1e-9)
    assert r.save.phases == 2
    assert r.save.bound_by is not None and r.save.bound_by["kind"] == "storage"
    assert r.save.rate == pytest.approx(P_8B * 14 / (t1 + t2), rel=1e-9)
    # restore: every rank reads its TP shard of the weights and its optimizer shard
    # (data-parallel replicas read the weights again), storage-read bound at the 160 GB/s
    # the vision servers' ResNet-50 reads leave (they keep their rate)
    restore = 32 * (P_8B // 8) * 2 + P_8B * 12
    reads = analyze_design(d).read_bytes_per_sec
    assert 0 < reads < 10 * GB
    assert r.restore.bytes == restore
    assert r.restore.seconds == pytest.approx(restore / (160 * GB - reads), rel=1e-9)


def test_nic_bound_save_by_hand(tmp_path: Path) -> None:
    # one server writes all 112.4 GB at its 2 x 25 GB/s against 4 x 80 GB/s of storage
    _d, r = answer(scenario(tmp_path, llm=1, units=4))
    assert r.save.seconds == pytest.approx(P_8B * 14 / (50 * GB * TCP), rel=1e-9)
    assert r.save.bound_by is not None
    assert r.save.bound_by["kind"] == "link"
    assert r.save.bound_by["group"] == "llm -> switch links"  # the servers' cables, written


def test_uplink_bound_save_by_hand(tmp_path: Path) -> None:
    # leaf-spine, 4:1 oversubscribed: 16 llm servers on leaf-1 (10) and leaf-2 (6, with the
    # 4 vision servers), 4 DDN on the storage leaf-3, whose 2 x 4 links from the spines
    # (8 x 25 GB/s = 200 GB/s in the write direction) carry every byte to storage: less
    # than storage (4 x 80 GB/s), the server leaves' uplinks (2 x 150 GB/s) or the NICs
    path = scenario(
        tmp_path,
        llm=16,
        units=4,
        network={"topology": "leaf-spine", "switch": "sn4600", "leaves": 3,
                 "storage_leaves": 1, "spines": 2, "oversubscription": 4},
    )  # fmt: skip
    _d, r = answer(path)
    assert r.save.first_rate == pytest.approx(200 * GB * TCP, rel=1e-9)
    assert r.save.bound_by is not None
    assert r.save.bound_by["group"] == "spine -> leaf links"  # the write direction's name
    assert r.save.bound_by["resource"].startswith("spine-1 -> leaf-3 ")
    # phase 1: 16 servers at 12.5 GB/s each until the 15 optimizer-only servers are done
    # (8 ranks x 1/128 of 12 B/param each); phase 2: server 1's weights at its 50 GB/s NICs
    opt_server = 8 * (P_8B // 128) * 12
    weights = 8 * (P_8B // 8) * 2
    assert r.save.seconds == pytest.approx((opt_server / 12.5e9 + weights / 50e9) / TCP, rel=1e-9)


def test_async_drain_bound(tmp_path: Path) -> None:
    # an asynchronous save drains while training goes on: it must finish before the next
    _d, slow = answer(scenario(tmp_path, llm=4, units=2, mode="async", interval_minutes=0.01))
    assert slow.overhead_fraction is None
    assert slow.drain_headroom == pytest.approx(0.6 / slow.save.seconds)
    assert not slow.fits and "drain takes" in slow.problems[0]
    _d, ok = answer(scenario(tmp_path, llm=4, units=2, mode="async"))
    assert ok.fits and ok.drain_headroom == pytest.approx(1800 / ok.save.seconds)


def test_sync_overhead_and_budgets(tmp_path: Path) -> None:
    _d, r = answer(scenario(tmp_path, llm=4, units=2))
    s = r.save.seconds
    assert r.overhead_fraction == pytest.approx(s / (1800 + s))
    assert r.gpu_hours_lost_per_hour == pytest.approx(32 * s / (1800 + s))
    assert r.fits
    _d, tight = answer(scenario(tmp_path, llm=4, units=2, save_budget_seconds=0.5,
                                restore_budget_minutes=0.001, max_overhead=0.0001))  # fmt: skip
    assert len(tight.problems) == 3
    assert not tight.fits


def test_young_interval_from_mtbf(tmp_path: Path) -> None:
    assert young_interval(50.0, 3600.0) == pytest.approx(600.0)
    _d, r = answer(scenario(tmp_path, llm=4, units=2, interval_minutes=None, mtbf_hours=24))
    assert r.interval_rule == "young"
    assert r.interval_seconds == pytest.approx(math.sqrt(2 * r.save.seconds * 24 * 3600))


def test_unknown_storage_write_figure_is_said(tmp_path: Path) -> None:
    doc = yaml.safe_load(scenario(tmp_path).read_text())
    doc["storage"] = [{"unit": "ess-3500", "count": 2}]
    for g in doc["compute"]:
        g.pop("overrides")
    doc["network"] = {"topology": "single-switch", "switch": "qm9700"}
    path = tmp_path / "ess.yaml"
    path.write_text(yaml.safe_dump(doc))
    _d, r = answer(path)
    assert r.save.unknown_storage
    assert r.to_json()["storage_write_figure"] is False
    out = CliRunner().invoke(cli, ["checkpoint", str(path)])
    assert "no write figure" in out.output and "lower bound" in out.output


# ----------------------------------------------------------------- more storage, never slower


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    llm=st.integers(1, 6),
    units=st.integers(1, 5),
    topology=st.sampled_from(["single-switch", "dual-switch"]),
    zero=st.sampled_from([0, 1, 3]),
)
def test_more_storage_never_slows_a_save(
    tmp_path: Path, llm: int, units: int, topology: str, zero: int
) -> None:
    path = scenario(tmp_path, llm=llm, units=units, zero=zero,
                    network={"topology": topology, "switch": "sn4600"})  # fmt: skip
    d = load_design(path, load_catalog())
    a, b = checkpoint_at(d, units), checkpoint_at(d, units + 1)
    if not b.feasible:
        return
    assert a.result is not None and b.result is not None
    assert b.result.save.seconds <= a.result.save.seconds * (1 + 1e-9)
    assert b.result.restore.seconds <= a.result.restore.seconds * (1 + 1e-9)


# ----------------------------------------------------------------- sizing


def test_size_checkpoint_is_the_fewest_fitting_count(tmp_path: Path) -> None:
    path = scenario(tmp_path, llm=4, units=1, save_budget_seconds=1.0)
    d = load_design(path, load_catalog())
    res = size_checkpoint(d)
    assert res.met and res.storage_units is not None
    k = res.storage_units
    assert checkpoint_at(d, k).result.fits  # type: ignore[union-attr]
    if k > 1:
        assert not checkpoint_at(d, k - 1).result.fits  # type: ignore[union-attr]
    assert vary(d, storage_units=k).storage[0].count == k


def test_shipped_llm_scenario_checkpoints_decide() -> None:
    out = CliRunner().invoke(cli, ["size", str(SHIPPED), "--json"])
    assert out.exit_code == 0, out.output
    j = json.loads(out.output)
    ck = j["checkpoint"]
    assert ck["decides"] == "checkpoint"
    assert ck["ingest_and_checkpoint_units"] == ck["storage_units"] > j["sizing"]["storage_units"]
    # at the answer a synchronous save costs at most 1% of training time
    assert ck["at"]["overhead_fraction"] <= 0.01
    assert ck["at"]["checkpoint_bytes"] == 5_681_947_443_200  # Llama 3.1 405B x 14 B


# ----------------------------------------------------------------- command line


def test_cli_checkpoint_file_json_keys() -> None:
    out = CliRunner().invoke(cli, ["checkpoint", str(SHIPPED), "--json"])
    assert out.exit_code == 0, out.output
    j = json.loads(out.output)
    for key in ("checkpoint_bytes", "save_seconds", "write_bytes_per_sec", "bound_by",
                "restore_seconds", "overhead_fraction"):  # fmt: skip
        assert key in j
    assert j["save_seconds"] == pytest.approx(j["checkpoint_bytes"] / j["write_bytes_per_sec"])


def test_cli_checkpoint_not_fitting_exits_1(tmp_path: Path) -> None:
    path = scenario(tmp_path, save_budget_seconds=0.01)
    out = CliRunner().invoke(cli, ["checkpoint", str(path)])
    assert out.exit_code == 1
    assert "checkpoint policy does not fit" in out.output


def test_cli_checkpoint_file_without_policy_or_with_both_forms() -> None:
    plain = ROOT / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"
    out = CliRunner().invoke(cli, ["checkpoint", str(plain)])
    assert out.exit_code == 2 and "has no checkpoint: section" in out.output
    out = CliRunner().invoke(cli, ["checkpoint", str(SHIPPED), "--model", "llama-3-8b"])
    assert out.exit_code == 2 and "not both" in out.output
    out = CliRunner().invoke(cli, ["checkpoint"])
    assert out.exit_code == 2 and "--model" in out.output and "--ranks" in out.output


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"model": "llama-3-70"}, "checkpoint.model", "did you mean 'llama-3-70b'"),
        ({"model": "resnet-50"}, "checkpoint.model", "CNN"),
        ({"groups": ["lmm"]}, "checkpoint.groups[0]", "did you mean 'llm'"),
        ({"tp": 3}, "checkpoint.tp", "model-parallel groups"),
        ({"interval_minutes": None}, "checkpoint", "interval_minutes"),
        ({"intervall_minutes": 30}, "checkpoint.intervall_minutes", ""),
        ({"zero": 4}, "checkpoint.zero", ""),
        ({"mode": "lazy"}, "checkpoint.mode", ""),
    ],
)
def test_bad_checkpoint_input_is_located(
    tmp_path: Path, change: dict[str, object], field: str, words: str
) -> None:
    path = scenario(tmp_path)
    doc = yaml.safe_load(path.read_text())
    for k, v in change.items():
        if v is None:
            doc["checkpoint"].pop(k)
        else:
            doc["checkpoint"][k] = v
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(SizerInputError) as e:
        load_design(path, load_catalog())
    lines = [p.format() for p in e.value.problems]
    hit = [line for line in lines if f": {field}:" in line]
    assert hit, lines
    assert hit[0].startswith(f"{path}:") and words in hit[0]
    out = CliRunner().invoke(cli, ["checkpoint", str(path)])
    assert out.exit_code == 2 and "Traceback" not in out.output


def test_async_save_must_fit_where_it_is_staged(tmp_path: Path) -> None:
    # Llama 3.1 405B on one DGX H100: all 5.68 TB staged on that server; its 2 TB of host
    # memory cannot hold it, its 8 x 3.84 TB of local NVMe can (catalog figures)
    kw = {"model": "llama-3.1-405b", "mode": "async", "interval_minutes": 600}
    _d, mem = answer(scenario(tmp_path, llm=1, units=4, **kw))
    assert mem.staged_bytes_per_server == 405_853_388_800 * 14
    assert any("more than its 2,000 GB of host memory" in p for p in mem.problems)
    _d, nvme = answer(scenario(tmp_path, llm=1, units=4, staging="local-nvme", **kw))
    assert nvme.fits, nvme.problems


def test_restore_shares_storage_fairly_with_the_reads(tmp_path: Path) -> None:
    # one DDN (80 GB/s read) between a restore (32 rank streams) and UNet3D on the 4 vision
    # servers (32 GPUs wanting ~3.2 GB/s each): one share per stream and per GPU, so each
    # side gets 40 GB/s while both want more (the restore's servers stay under their NICs)
    doc = yaml.safe_load(scenario(tmp_path, llm=4, units=1).read_text())
    doc["workloads"] = [{"model": "unet3d-mlperf", "groups": ["vision"]}]
    path = tmp_path / "u.yaml"
    path.write_text(yaml.safe_dump(doc))
    d, r = answer(path)
    reads = analyze_design(d)
    assert reads.read_bytes_per_sec == pytest.approx(80 * GB)  # storage-bound on its own
    assert r.restore.first_rate == pytest.approx(40 * GB, rel=1e-9)
    assert r.restore.bound_by is not None and r.restore.bound_by["kind"] == "storage"
