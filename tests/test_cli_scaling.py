"""``sizer size``, ``sweep``, ``failures``, ``compare`` (sizer/cli/scaling.py).

Exit codes: 0 ok, 1 the target cannot be met (``size``), 2 bad input; error lines are
checked word for word, ``--json`` must print exactly one JSON object on stdout, and no
command writes a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sizer.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
FIX = Path(__file__).parent / "fixtures" / "catalog_model"

RA9 = str(SCEN / "ra-9x-dgx1-3x-ess3000.yaml")
RA3 = str(SCEN / "ra-3x-dgx2-3x-ess3000.yaml")
RA1 = str(SCEN / "ra-1x-dgx1-1x-ess3000.yaml")
DUAL = str(SCEN / "ra-4x-dgx1-2x-ess3000-dual.yaml")
SINGLE = str(SCEN / "ra-4x-dgx1-2x-ess3000-single.yaml")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(r: Result) -> Any:
    return json.loads(r.stdout)


def text(r: Result) -> str:
    """stdout with rich's line wrapping undone (CliRunner's terminal is 80 columns)."""
    return " ".join(r.stdout.split())


# ----------------------------------------------------------------------------- size


def test_size_ra_answers_as_json() -> None:
    for f, units in ((RA9, 2), (RA3, 2), (RA1, 1)):
        r = run("size", f, "--json")
        assert r.exit_code == 0, r.stderr
        out = as_json(r)
        assert out["sizing"]["storage_units"] == units
        assert out["sizing"]["met"] is True
        assert set(out) == {
            "scenario",
            "file",
            "objective",
            "target",
            "sizing",
            "all_units",
            "max_servers",
            "headroom",
            "capacity",
            "survivable",
            "checkpoint",
        }
        assert out["all_units"] is None
        assert out["checkpoint"] is None  # no checkpoint: policy
        assert r.stderr == ""


def test_size_text_output() -> None:
    r = run("size", RA9)
    assert r.exit_code == 0
    assert "Answer: 2 x ess-3000 (the scenario has 3)" in text(r)
    assert "Search (galloping + bisection): 1 short, 2 meets" in text(r)


def test_size_text_names_the_samples() -> None:
    """The check point counts the workloads' own samples: UNet3D volumes, not images; a
    mix of unlike samples (UNet3D + ResNet-50) gives no aggregate samples/s at all."""
    r = run("size", str(SCEN / "dgx-h100-llm-405b-ddn.yaml"))
    assert r.exit_code == 0
    assert "At 3 units: 1,387 volumes/s, 203.3 GB/s read" in text(r)
    assert "images/s" not in text(r)
    r = run("size", str(SCEN / "dgx-h100-su-ndr-ess3500.yaml"))
    assert "At 5 units: 406.7 GB/s read, GPU data utilization 100%" in text(r)


def test_size_all_units_json_ranked() -> None:
    r = run("size", RA3, "--all-units", "--json")
    assert r.exit_code == 0
    ranked = as_json(r)["all_units"]
    assert {x["unit"] for x in ranked} >= {"ess-3000"}
    met = [x["storage_units"] for x in ranked if x["met"]]
    assert met == sorted(met)


def test_size_unreachable_target_exits_1() -> None:
    """672k images/s is all 72 GPUs can compute; 5M is out of reach whatever the storage."""
    r = run("size", RA9, "--target-images-per-sec", "5000000")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        f"{RA9}: target not met: no number of ess-3000 units reaches 5,000,000 images/s"
    )
    assert "limited by GPU compute" in r.stderr
    assert "Not reachable with ess-3000" in text(r)


def test_size_unreachable_json_is_one_object_and_exit_1() -> None:
    r = run("size", RA9, "--target-images-per-sec", "5000000", "--json")
    assert r.exit_code == 1
    out = as_json(r)
    assert out["sizing"]["met"] is False
    assert out["sizing"]["storage_units"] is None


def test_size_client_bound_names_ingest(tmp_path: Path) -> None:
    f = tmp_path / "cap.yaml"
    f.write_text(
        "name: client-bound\n"
        "compute: [{server: t-srv-cap, count: 2}]\n"
        "storage: [{unit: t-st, count: 1}]\n"
        "network: {topology: single-switch, switch: t-sw}\n"
        "workloads: [{model: t-m, dataset: t-8mb}]\n"
    )
    r = run("size", str(f), "--catalog", str(FIX))
    assert r.exit_code == 1
    assert ("limited by the clients' ingest limit (t-srv-cap x2 client ingest)") in r.stderr


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (
            ["--target-images-per-sec", "0"],
            ["sizer size: --target-images-per-sec: 0 is not a number > 0"],
        ),
        (
            ["--target-images-per-sec", "-5"],
            ["sizer size: --target-images-per-sec: -5 is not a number > 0"],
        ),
        (
            ["--target-images-per-sec", "inf"],
            ["sizer size: --target-images-per-sec: inf is not a number > 0"],
        ),
        (
            ["--min-utilization", "1.5"],
            ["sizer size: --min-utilization: 1.5 is outside (0, 1] (e.g. 0.9 for 90% fed)"],
        ),
        (
            ["--min-utilization", "0"],
            ["sizer size: --min-utilization: 0 is outside (0, 1] (e.g. 0.9 for 90% fed)"],
        ),
        (
            ["--target-images-per-sec", "100", "--min-utilization", "0.9"],
            [
                "sizer size: --target-images-per-sec: conflicts with --min-utilization "
                "(give one objective)"
            ],
        ),
        (["--max-units", "0"], ["sizer size: --max-units: 0 must be >= 1"]),
    ],
)
def test_size_bad_options_exit_2(
    args: list[str], lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # restored after the test
    r = run("size", RA9, *args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == lines
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_size_images_target_on_read_benchmark_exit_2() -> None:
    r = run("size", RA3, "--target-images-per-sec", "100")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"sizer size: --target-images-per-sec: {RA3} runs only read benchmarks, which produce "
        "no images/s (drop the option: read benchmarks are sized to their unlimited-storage "
        "throughput)"
    ]


def test_size_missing_file_exit_2() -> None:
    r = run("size", "no-such.yaml")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "no-such.yaml" in r.stderr


# ----------------------------------------------------------------------------- sweep


def test_sweep_knee_text_and_json() -> None:
    """1 DGX-1 (8.4 GB/s of AlexNet) per 40 GB/s ESS 3000: 5 servers run at 95%, 6 at 79%."""
    r = run("sweep", RA1, "--servers", "1:7")
    assert r.exit_code == 0
    assert (
        "Knee: at 6 servers efficiency drops to 79% (< 95%); caused by ess-3000 x1 (storage)"
    ) in text(r)
    j = as_json(run("sweep", RA1, "--servers", "1:7", "--json"))
    assert j["lines"][0]["knee"]["servers"] == 6
    assert j["lines"][0]["knee"]["bottleneck"] == {"kind": "storage", "group": "ess-3000 x1"}
    assert [p["servers"] for p in j["lines"][0]["points"]] == list(range(1, 8))
    assert set(j["lines"][0]["points"][0]) >= {
        "servers",
        "storage_units",
        "images_per_sec",
        "ideal",
        "efficiency",
        "bottleneck",
    }


def test_sweep_rows_in_words_at_80_columns() -> None:
    """One storage unit is singular; a row with nothing in the data path limiting reads
    'compute-bound' on one line; the single switch's port note names it once."""
    args = ["sweep", RA1, "--servers", "4:8"]
    r = CliRunner().invoke(cli, args, env={"COLUMNS": "80"}, catch_exceptions=False)
    out = r.stdout
    assert "Server scaling at 1 storage unit " in out
    assert re.search(r"│ +4 │ +32 │ .* │ compute-bound +│\n", out), out
    wide = text(run(*args))
    assert "infeasible: the switch needs 40 ports, has 36" in wide
    assert "switch switch" not in wide
    assert max(len(line) for line in out.splitlines()) <= 80


def test_size_reasons_agree_with_one_unit() -> None:
    out = text(run("size", RA1))
    assert "1 x ess-3000 keeps every GPU workload at least 90% fed" in out
    assert "At 1 unit:" in out and "1 unit keeps 5 servers" in out


def test_sweep_grid_and_storage_axis() -> None:
    r = run("sweep", RA9, "--servers", "1:12", "--units", "1:4")
    assert r.exit_code == 0
    assert "48 points" in text(r)
    r = run("sweep", RA3, "--servers", "3", "--units", "1,2,3,6", "--json")
    j = as_json(r)
    assert j["plateau"][0]["storage_units"] == 2
    assert [line["storage_units"] for line in j["lines"]] == [1, 2, 3, 6]


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (["--servers", "0:3"], ["sizer sweep: --servers: 0 is outside 1..100,000"]),
        (
            ["--servers", "abc"],
            [
                "sizer sweep: --servers: 'abc' is not a count or range (use N, START:STOP[:STEP] "
                "or N,N,N)"
            ],
        ),
        (["--servers", "5:1"], ["sizer sweep: --servers: '5:1' ends before it starts"]),
        (["--units", "1:4:0"], ["sizer sweep: --units: step 0 in '1:4:0' must be >= 1"]),
        (["--threshold", "1.5"], ["sizer sweep: --threshold: 1.5 is outside (0, 1]"]),
        (
            ["--servers", "x", "--threshold", "0"],
            [
                "sizer sweep: --servers: 'x' is not a count or range (use N, START:STOP[:STEP] "
                "or N,N,N)",
                "sizer sweep: --threshold: 0 is outside (0, 1]",
            ],
        ),
        (
            ["--servers", "1:100000", "--units", "1:10"],
            [
                "sizer sweep: --servers: 1,000,000 points is more than 200,000 (use a STEP or a "
                "shorter range)"
            ],
        ),
    ],
)
def test_sweep_bad_options_exit_2(args: list[str], lines: list[str]) -> None:
    r = run("sweep", RA1, *args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == lines


# ----------------------------------------------------------------------------- failures


def test_failures_single_switch_json() -> None:
    r = run("failures", SINGLE, "--json")
    assert r.exit_code == 0
    j = as_json(r)
    assert set(j) == {"scenario", "file", "metric", "cases", "worst"}
    # the single switch and a whole unprotected storage unit both stop everything; the
    # unit is listed first
    assert j["worst"] == {"kind": "storage-unit", "element": "ess-3000#2"}
    sw = next(c for c in j["cases"] if c["kind"] == "switch")
    assert sw["total_loss"] is True and sw["images_per_sec"] == 0


def test_failures_dual_text() -> None:
    r = run("failures", DUAL)
    assert r.exit_code == 0
    assert "switch-A" in r.stdout
    assert "Worst single failure:" in text(r)


# ----------------------------------------------------------------------------- compare


def test_compare_json() -> None:
    r = run("compare", DUAL, SINGLE, "--json")
    assert r.exit_code == 0
    j = as_json(r)
    assert [d["file"] for d in j["designs"]] == [DUAL, SINGLE]
    assert [d["switches"] for d in j["designs"]] == [2, 1]
    keys = {
        "scenario",
        "images_per_sec",
        "gpu_data_utilization",
        "bottleneck",
        "storage_units",
        "switches",
        "ports_used",
        "rack_units",
        "power_watts",
        "storage_units_needed",
    }
    assert keys <= set(j["designs"][0])


def test_compare_text() -> None:
    r = run("compare", DUAL, SINGLE)
    assert r.exit_code == 0
    assert "storage units needed" in text(r)
    # a POD's power in kW, as the report gives it (4 DGX-1 + 2 ESS 3000 + switches)
    assert re.search(r"│ power +│ 17\.4 kW +│ 17\.1 kW +│", text(r)), text(r)


def test_compare_bad_inputs_exit_2() -> None:
    r = run("compare", DUAL, "no-such.yaml")
    assert r.exit_code == 2 and r.stdout == ""
    r = run("compare", DUAL, RA3, "--target-images-per-sec", "1000")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"sizer compare: --target-images-per-sec: {RA3} runs only read benchmarks, which "
        "produce no images/s"
    ]


# ----------------------------------------------------------------------------- docs


@pytest.mark.parametrize("name", ["size", "sweep", "failures", "compare"])
def test_help_has_example_and_readme_documents_json(name: str) -> None:
    r = run(name, "--help")
    assert r.exit_code == 0
    assert "Example:" in r.stdout
    assert f"sizer {name}" in r.stdout
    readme = (ROOT / "README.md").read_text()
    assert f"`sizer {name}" in readme
