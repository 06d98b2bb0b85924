"""The most accelerators per host a design keeps fed (sizer.scaling.accelerators,
``sizer size --max-accelerators``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.cli import cli
from sizer.loader import load_design
from sizer.scaling.accelerators import max_accelerators, with_accelerators
from sizer.scaling.evaluate import evaluate_at, fed_at, workload_bars

ROOT = Path(__file__).resolve().parents[1]
RA1 = ROOT / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"
CAT = load_catalog()


def test_one_host_storage_bound_by_hand() -> None:
    # one DGX-1 on one ESS 3000 (40 GB/s): k accelerators of AlexNet want k x d bytes/s;
    # the bar is 90%, so the most is floor(40 GB/s / (0.9 x d)) while storage binds first
    d = load_design(RA1, CAT)
    a = analyze_design(d)
    per_gpu = a.demand_read_bytes_per_sec / d.total_gpus
    storage = d.storage[0].read_bandwidth
    res = max_accelerators(d)
    assert res.accelerators_per_host == math.floor(storage / (0.9 * per_gpu))
    assert res.limiting is not None and res.limiting["kind"] == "storage"
    assert res.hosts == 1 and res.accelerators == res.accelerators_per_host


@pytest.mark.parametrize("stem", ["ra-9x-dgx1-3x-ess3000", "dgx-h100-su-ndr-ess3500"])
def test_answer_meets_and_one_more_does_not(stem: str) -> None:
    d = load_design(ROOT / "scenarios" / f"{stem}.yaml", CAT)
    res = max_accelerators(d)
    k = res.accelerators_per_host
    bars = workload_bars(d)
    assert k >= 1
    assert fed_at(evaluate_at(with_accelerators(d, k), 1.0, "exact"), bars)
    assert not fed_at(evaluate_at(with_accelerators(d, k + 1), 1.0, "exact"), bars)


def test_shared_hosts_are_refused_with_a_message() -> None:
    out = CliRunner().invoke(
        cli,
        ["size", str(ROOT / "scenarios" / "dgx-a100-pod-hdr-ess3200.yaml"), "--max-accelerators"],
    )
    assert out.exit_code == 2
    assert "shares its GPUs between workloads" in out.output and "Traceback" not in out.output


def test_cli_json() -> None:
    out = CliRunner().invoke(cli, ["size", str(RA1), "--max-accelerators", "--json"])
    assert out.exit_code == 0, out.output
    j = json.loads(out.output)
    assert j["accelerators"] == j["accelerators_per_host"] * j["hosts"]
    assert j["limiting"]["kind"] == "storage"
    assert any(p["meets"] for p in j["probes"]) and not all(p["meets"] for p in j["probes"])


def test_mlperf_storage_v05_v100_unet3d_by_hand(tmp_path: Path) -> None:
    # MLPerf Storage v0.5's UNet3D emulates a V100: batch 4 every 1.3604 s of 146.6 MB
    # volumes (DLIO unet3d_v100.yaml); one DGX-1 host on one ESS 3000 (40 GB/s) keeps
    # floor(40 GB/s / (0.9 x 4 / 1.3604 x 146,600,628 B)) = 103 such accelerators at 90%
    doc = (
        "name: v0.5 UNet3D\n"
        "compute: [{server: dgx-1, count: 1}]\n"
        "storage: [{unit: ess-3000, count: 1}]\n"
        "network: {topology: single-switch, switch: sb7800}\n"
        "workloads: [{model: unet3d-mlperf}]\n"
    )
    path = tmp_path / "v100.yaml"
    path.write_text(doc)
    d = load_design(path, CAT)
    w = d.workloads[0]
    assert w.samples_per_sec_per_gpu[0] == pytest.approx(4 / 1.3604)
    assert w.bar is None  # v0.5's bar is not catalogued: the objective's 90% applies
    per_acc = 4 / 1.3604 * d.workloads[0].bytes_per_sample
    expect = math.floor(40e9 / (0.9 * per_acc))
    assert max_accelerators(d).accelerators_per_host == expect == 103


def test_hosts_are_the_ones_running_a_workload() -> None:
    # the LLM scenario's 32 checkpointing servers run no data workload: 8 UNet3D hosts
    d = load_design(ROOT / "scenarios" / "dgx-h100-llm-405b-ddn.yaml", CAT)
    res = max_accelerators(d)
    assert res.hosts == 8
    assert res.accelerators == 8 * res.accelerators_per_host
