"""Conventions of the ecosystem (issue 16, item 8): ``-`` reads a scenario from standard
input for every command taking scenario files, ``--format json|csv|table`` on ``size``,
``sweep``, ``failures`` and ``compare`` (``--json`` its alias), and ``validate --json``.

The CSV is checked against the same command's JSON: one header row, one row per JSON
object, the ``_GB_per_sec`` columns the ``_bytes_per_sec`` values / 10^9.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sizer.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
BAD = Path(__file__).parent / "bad"
RA1 = str(SCEN / "ra-1x-dgx1-1x-ess3000.yaml")
RA3 = str(SCEN / "ra-3x-dgx2-3x-ess3000.yaml")
DUAL = str(SCEN / "ra-4x-dgx1-2x-ess3000-dual.yaml")
SINGLE = str(SCEN / "ra-4x-dgx1-2x-ess3000-single.yaml")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def rows(r: Result) -> list[dict[str, str]]:
    assert r.exit_code == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def cell(value: Any, scale: float = 1.0) -> str:
    """What a JSON value reads as in the CSV (checked against the CSV's own parse)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float | int):
        return f"{value / scale:.12g}" if scale != 1.0 else f"{value:.12g}"
    return str(value)


# --------------------------------------------------------------------------- stdin


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "--json"],
        ["size", "--json"],
        ["sweep", "--servers", "1:2", "--json"],
        ["failures", "--json"],
        ["compare", "--json"],
    ],
)
def test_dash_reads_the_scenario_from_stdin(args: list[str]) -> None:
    """The same answer as from the file; the file is named ``<stdin>``."""
    from_file = json.loads(run(*args, DUAL).stdout)
    piped = run(*args, "-", stdin=Path(DUAL).read_text())
    assert piped.exit_code == 0, piped.stderr
    expected = json.loads(json.dumps(from_file).replace(json.dumps(DUAL), '"<stdin>"'))
    got = json.loads(piped.stdout)
    for out in (expected, got):
        out.pop("elapsed_seconds", None)  # the sweep's wall time
    assert got == expected
    if args[0] not in ("analyze", "compare"):
        assert json.loads(piped.stdout)["file"] == "<stdin>"


def test_validate_stdin_and_a_file() -> None:
    r = run("validate", "-", RA1, stdin=Path(DUAL).read_text())
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        "<stdin>: ok (RA 4x DGX-1 + 2x ESS 3000, two switches (ResNet-50 mixed "
        "training/inference))",
        f"{RA1}: ok (RA 1x DGX-1 + 1x ESS 3000 (AlexNet training, 8 GPUs))",
    ]


@pytest.mark.parametrize("command", ["validate", "analyze", "size", "sweep", "failures"])
def test_problems_on_stdin_name_stdin(command: str) -> None:
    """The located lines of a bad file, with ``<stdin>`` for its name; exit 2."""
    name = "schema-and-unknown-ids.yaml"
    from_file = CliRunner().invoke(cli, ["validate", str(BAD / name)])
    r = CliRunner().invoke(cli, [command, "-"], input=(BAD / name).read_bytes())
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == from_file.stderr.replace(str(BAD / name), "<stdin>")
    assert r.stderr.count("\n") == 8


def test_stdin_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIZER_MAX_FILE_BYTES", "100")
    r = CliRunner().invoke(cli, ["validate", "-"], input="# x\n" * 100)
    assert r.exit_code == 2
    assert r.stderr == (
        "<stdin>: file is larger than that, over the 100-byte limit for sizer files "
        "(set SIZER_MAX_FILE_BYTES to raise it)\n"
    )


def test_render_from_stdin(tmp_path: Path) -> None:
    """``sizer render -`` writes OUT/stdin/; the report names the file ``<stdin>``."""
    out = tmp_path / "out"
    r = run("render", "-", "--out", str(out), "--format", "html", stdin=Path(RA1).read_text())
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == str(out / "stdin" / "report.html")
    html = (out / "stdin" / "report.html").read_text(encoding="utf-8")
    assert "&lt;stdin&gt;" in html
    assert "RA 1x DGX-1 + 1x ESS 3000" in html


# ------------------------------------------------------------------------- --format


def test_sweep_csv_is_the_json_points() -> None:
    data = json.loads(run("sweep", RA1, "--servers", "1:4", "--units", "1,2", "--json").stdout)
    got = rows(run("sweep", RA1, "--servers", "1:4", "--units", "1,2", "--format", "csv"))
    points = [p for line in data["lines"] for p in line["points"]]
    assert len(got) == len(points) == 8
    for row, p in zip(got, points, strict=True):
        assert row["servers"] == cell(p["servers"])
        assert row["storage_units"] == cell(p["storage_units"])
        assert row["images_per_sec"] == cell(p["images_per_sec"])
        assert row["read_GB_per_sec"] == cell(p["read_bytes_per_sec"], 1e9)
        assert row["ideal_images_per_sec"] == cell(p["ideal"])
        assert row["efficiency"] == cell(p["efficiency"])
        assert row["bottleneck_kind"] == cell((p["bottleneck"] or {}).get("kind"))


def test_sweep_csv_of_a_read_benchmark_gives_ideal_in_gb_per_sec() -> None:
    r = run("sweep", RA3, "--servers", "1:3", "--format", "csv")
    data = json.loads(run("sweep", RA3, "--servers", "1:3", "--json").stdout)
    ideal = [cell(p["ideal"], 1e9) for p in data["lines"][0]["points"]]
    assert [row["ideal_read_GB_per_sec"] for row in rows(r)] == ideal


def test_failures_csv_is_the_json_cases() -> None:
    data = json.loads(run("failures", DUAL, "--json").stdout)
    got = rows(run("failures", DUAL, "--format", "csv"))
    assert [(r["kind"], r["element"], r["worst"]) for r in got] == [
        (c["kind"], c["element"], cell(c["worst"])) for c in data["cases"]
    ]
    assert [r["storage_link_GB_per_sec"] for r in got] == [
        cell(c["storage_link_bytes_per_sec"], 1e9) for c in data["cases"]
    ]


def test_compare_csv_is_the_json_designs() -> None:
    data = json.loads(run("compare", DUAL, SINGLE, "--json").stdout)
    got = rows(run("compare", DUAL, SINGLE, "--format", "csv"))
    assert [(r["file"], r["scenario"], r["switches"], r["power_W"]) for r in got] == [
        (d["file"], d["scenario"], cell(d["switches"]), cell(d["power_watts"]))
        for d in data["designs"]
    ]


def test_size_csv_one_row_per_unit_type_with_the_target_in_its_unit() -> None:
    data = json.loads(run("size", RA3, "--all-units", "--json").stdout)
    got = rows(run("size", RA3, "--all-units", "--format", "csv"))
    assert [r["unit"] for r in got] == [s["unit"] for s in data["all_units"]]
    assert {r["objective"] for r in got} == {"read-ceiling"}
    assert [r["target_read_GB_per_sec"] for r in got] == [
        cell(s["target"], 1e9) for s in data["all_units"]
    ]
    assert {r["target_min_utilization"] for r in got} == {""}
    one = rows(run("size", RA1, "--format", "csv"))
    assert len(one) == 1
    assert one[0]["target_min_utilization"] == "0.9"


def test_csv_has_one_header_and_units_in_its_names() -> None:
    r = run("failures", DUAL, "--format", "csv")
    header = r.stdout.splitlines()[0].split(",")
    assert "read_GB_per_sec" in header
    assert not any("bytes" in h for h in header)
    assert sum(1 for line in r.stdout.splitlines() if line.startswith("kind,")) == 1


def test_csv_text_a_spreadsheet_would_run_is_quoted(tmp_path: Path) -> None:
    """A scenario name is untrusted: '=HYPERLINK(...)' must not become a formula."""
    text = (
        Path(RA1)
        .read_text()
        .replace("name: RA 1x", 'name: "=HYPERLINK(1) RA 1x', 1)
        .replace("8 GPUs)\n", '8 GPUs)"\n', 1)
    )
    path = tmp_path / "s.yaml"
    path.write_text(text)
    (row,) = rows(run("compare", str(path), "--format", "csv"))
    assert row["scenario"].startswith("'=HYPERLINK(1)")


@pytest.mark.parametrize(
    "args",
    [["size", RA1], ["sweep", RA1, "--servers", "1:2"], ["failures", DUAL], ["compare", DUAL]],
)
def test_json_is_an_alias_of_format_json(args: list[str]) -> None:
    a, b = run(*args, "--json"), run(*args, "--format", "json")
    assert a.exit_code == b.exit_code == 0
    drop = ("elapsed_seconds",)  # the sweep's wall time
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    assert {k: v for k, v in ja.items() if k not in drop} == {
        k: v for k, v in jb.items() if k not in drop
    }
    table = run(*args, "--format", "table")
    assert table.stdout == run(*args).stdout


def test_json_with_another_format_is_refused() -> None:
    r = CliRunner().invoke(cli, ["failures", DUAL, "--json", "--format", "csv"])
    assert r.exit_code == 2
    assert r.stderr == "sizer failures: --json: conflicts with --format csv (give one of them)\n"
    assert r.stdout == ""


# -------------------------------------------------------------------- validate --json


def test_validate_json_lists_every_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(BAD / "schema-and-unknown-ids.yaml", "bad.yaml")
    shutil.copyfile(RA1, "good.yaml")
    text = CliRunner().invoke(cli, ["validate", "bad.yaml"])
    r = CliRunner().invoke(cli, ["validate", "--json", "good.yaml", "bad.yaml"])
    assert r.exit_code == 2
    assert r.stderr == ""
    out = json.loads(r.stdout)
    assert out["files"] == [
        {
            "file": "good.yaml",
            "ok": True,
            "scenario": "RA 1x DGX-1 + 1x ESS 3000 (AlexNet training, 8 GPUs)",
        },
        {"file": "bad.yaml", "ok": False, "scenario": None},
    ]
    assert out["problems"][0] == {
        "file": "bad.yaml",
        "line": 4,
        "col": 13,
        "field": "compute[0].server",
        "message": "unknown server 'dgx-h10'",
        "hint": "did you mean 'dgx-h100'?",
        "type": "cross",
    }
    # the same problems as the text lines, field for field
    lines = [
        f"{p['file']}:{p['line']}:{p['col']}: {p['field']}: {p['message']}"
        + (f" ({p['hint']})" if p["hint"] else "")
        for p in out["problems"]
    ]
    assert lines == text.stderr.splitlines()


def test_validate_json_ok_exits_0() -> None:
    r = run("validate", "--json", RA1)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["problems"] == []


def test_validate_json_with_a_bad_catalog(tmp_path: Path) -> None:
    """A --catalog problem is a problem of the run: in the JSON too, exit 2."""
    (tmp_path / "c.yaml").write_text("servers:\n  - id: 5\n")
    r = CliRunner().invoke(cli, ["validate", "--json", "--catalog", str(tmp_path), RA1])
    assert r.exit_code == 2
    out = json.loads(r.stdout)
    assert out["files"] == []
    assert out["problems"]
    assert all(p["file"].endswith("c.yaml") for p in out["problems"])
