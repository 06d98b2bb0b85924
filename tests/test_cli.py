"""Tests for the command line: help, version, validate, catalog, schema, stdout vs stderr.

Most tests use click's CliRunner (in-process, stdout and stderr kept apart); the import and
exit-code checks that need a fresh interpreter use a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sizer import __version__
from sizer.cli import cli
from sizer.schema_json import scenario_schema

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
COMMANDS = sorted(cli.commands)


def test_commands_exist() -> None:
    assert {"validate", "schema", "catalog", "analyze"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_an_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert f"sizer {name}" in result.stdout.split("Example:", 1)[1]
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help(runner: CliRunner, flag: str) -> None:
    result = runner.invoke(cli, [flag])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    for name in COMMANDS:
        assert f"  {name} " in result.stdout


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"sizer, version {__version__}\n"


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["valdate"])
    assert result.exit_code == 2
    assert result.stdout == ""
    # one line, like every other error (issue 18: not click's three-line usage block)
    assert result.stderr == (
        "sizer: No such command 'valdate'. Did you mean 'validate'? (see 'sizer --help')\n"
    )
    assert result.stderr.count("\n") == 1


# --------------------------------------------------------------------------- validate


def test_validate_shipped_scenarios(runner: CliRunner) -> None:
    """Every shipped scenario is valid: one 'ok' line each on stdout, nothing on stderr."""
    assert len(SCENARIOS) >= 7
    result = runner.invoke(cli, ["validate", *map(str, SCENARIOS)])
    assert result.stderr == ""
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(SCENARIOS)
    for path, line in zip(SCENARIOS, lines, strict=True):
        assert line.startswith(f"{path}: ok (")


def test_validate_needs_a_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument 'FILES...'" in result.stderr


def test_validate_bad_file_writes_only_stderr(
    runner: CliRunner, write_yaml: Any, valid_scenario: str
) -> None:
    path = write_yaml(valid_scenario.replace("server: dgx-1", "server: dgx1"), name="bad.yaml")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:3:13: compute[0].server: unknown server 'dgx1' (did you mean 'dgx-1'?)\n"
    )


# --------------------------------------------------------------------------- analyze


def test_analyze_json_is_pure_json(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["analyze", "--json", str(REPO / "scenarios/ra-1x-dgx1-1x-ess3000.yaml")]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert {"scenario", "design", "aggregate", "workloads", "resources", "bottleneck"} <= set(data)
    assert result.stderr == ""


# --------------------------------------------------------------------------- catalog


def _table_ids(text: str) -> list[str]:
    """The id column of the rich catalog table, with folded cells joined again."""
    ids: list[str] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells[0]:  # the kind column starts a row
            ids.append(cells[1])
        elif ids:
            ids[-1] += cells[1]
    return ids


def test_catalog_table_lists_every_entry(runner: CliRunner, catalog: Any) -> None:
    # wide enough for the table (at 80 columns the long ids stack it: tested elsewhere)
    result = runner.invoke(cli, ["catalog"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    from sizer.networks import model_ids

    expected = [eid for _kind, eid, _entry in catalog.entries()] + model_ids()
    assert _table_ids(result.stdout) == expected


def test_catalog_entry_says_what_each_figure_is(runner: CliRunner) -> None:
    """Issue 16 (7): throughput rows name GPU, precision and phase; values carry units."""
    out = runner.invoke(cli, ["catalog", "resnet-50"], env={"COLUMNS": "200"}).stdout
    head = next(line for line in out.splitlines() if line.startswith("┃") and "GPU" in line)
    assert [c.strip() for c in head.split("┃")[1:6]] == [
        "GPU",
        "precision",
        "phase",
        "samples/s",
        "batch",
    ]
    assert re.search(r"│ v100 +│ fp16 +│ training +│ +1,276 │", out)
    # issue 16 (9): the MLPerf Inference INT8 rows and the FP32 training rows of current GPUs
    for gpu, precision, phase, rate in (
        ("a100", "int8", "inference", "40,576"),
        ("h100", "int8", "inference", "87,971"),
        ("h200", "int8", "inference", "94,620"),
        ("a100", "fp32", "training", "1,066"),
        ("h100", "fp32", "training", "1,753"),
    ):
        assert re.search(rf"│ {gpu} +│ {precision} +│ {phase} +│ +{rate} │", out), (gpu, precision)
    out = runner.invoke(cli, ["catalog", "ess-3000"]).stdout
    assert "40.0 GB/s" in out and "40,000,000,000" not in out
    assert "2 U" in out and "2,000 W" in out
    out = runner.invoke(cli, ["catalog", "a100-sxm4-80gb"]).stdout
    assert "80.00 GiB" in out


def test_catalog_lists_and_shows_memory_models(runner: CliRunner) -> None:
    listing = runner.invoke(cli, ["catalog"]).stdout
    assert "memory-models" in listing and "llama-2-7b" in listing and "gpt-3-175b" in listing
    r = runner.invoke(cli, ["catalog", "llama-2-7b"])
    assert r.exit_code == 0, r.stderr
    assert "memory-models/llama-2-7b: Llama-2-7B" in r.stdout
    assert "6,738,415,616 parameters" in r.stdout


def test_catalog_entry(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["catalog", "ess-3000"])
    assert result.exit_code == 0, result.stderr
    assert "ess-3000" in result.stdout
    assert "read_bandwidth" in result.stdout
    assert result.stderr == ""


def _figures_without_source(node: Any, path: str = "") -> list[str]:
    """Paths of every figure (a mapping with a value or samples/s) that lacks a source."""
    out = []
    if isinstance(node, dict):
        if ("value" in node or "samples_per_sec" in node) and not node.get("source"):
            out.append(path)
        for key, child in node.items():
            out += _figures_without_source(child, f"{path}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out += _figures_without_source(child, f"{path}[{i}]")
    return out


def test_catalog_json_lists_every_entry_with_sources(runner: CliRunner, catalog: Any) -> None:
    result = runner.invoke(cli, ["catalog", "--json"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["digest"] == catalog.digest()
    assert [(e["kind"], e["id"]) for e in data["entries"]] == [
        (kind, eid) for kind, eid, _entry in catalog.entries()
    ]
    assert _figures_without_source(data) == []


def test_catalog_json_one_entry(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["catalog", "--json", "ess-3000"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(e["kind"], e["id"]) for e in data["entries"]] == [("storage", "ess-3000")]
    assert data["entries"][0]["entry"]["read_bandwidth"]["value"] == 40e9


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_catalog_unknown_id(runner: CliRunner, extra: list[str]) -> None:
    result = runner.invoke(cli, ["catalog", *extra, "ess3000"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "catalog: unknown entry 'ess3000'; did you mean 'ess-3000'?\n"


# --------------------------------------------------------------------------- schema


def test_schema_prints_the_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.stderr == ""
    # the pydantic schema, refined for editors (tests/test_schema_json.py)
    assert json.loads(result.stdout) == scenario_schema()


# --------------------------------------------------------------------------- processes


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


HEAVY = ["numpy", "scipy", "networkx", "matplotlib", "weasyprint", "pydantic", "torch"]


def test_cli_import_is_light() -> None:
    """``sizer --help`` stays fast because the CLI imports no heavy library up front.

    Timing is measured by benchmarks/bench_startup.py, not asserted here (noisy machines).
    """
    loaded = _python(f"import sys, sizer.cli; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert loaded.strip() == "[]"


def test_python_dash_m_sizer() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "sizer", "--version"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout == f"sizer, version {__version__}\n"
    assert proc.stderr == ""


def _imports(path: Path) -> set[str]:
    """Every module a Python file imports (at any depth), by absolute name."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _under(names: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


def test_report_never_imports_the_terminal() -> None:
    """The report takes its words from sizer.text, never from the CLI or the console."""
    for path in sorted((REPO / "sizer" / "report").glob("*.py")):
        bad = _under(_imports(path), ("sizer.cli", "sizer.console", "rich", "click"))
        assert bad == [], f"{path.name} imports {bad}"


def test_shared_words_are_pure() -> None:
    """sizer/text.py formats for both sides, so it imports neither side's libraries."""
    bad = _under(_imports(REPO / "sizer" / "text.py"), ("rich", "jinja2", "click", "sizer.report"))
    assert bad == []


# ------------------------------------------------------------------ conventions (issue 16, 8)


def test_sizer_catalog_env_var_is_the_catalog_option(runner: CliRunner) -> None:
    extra = str(REPO / "tests/fixtures/catalog_extra")
    assert runner.invoke(cli, ["catalog", "l40s-48gb"]).exit_code == 2
    r = runner.invoke(cli, ["catalog", "l40s-48gb"], env={"SIZER_CATALOG": extra})
    assert r.exit_code == 0, r.stderr
    assert "gpus/l40s-48gb: L40S 48GB" in r.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "#compdef sizer"), ("fish", "complete ")],
)
def test_completion_scripts(runner: CliRunner, shell: str, marker: str) -> None:
    r = runner.invoke(cli, ["completion", shell])
    assert r.exit_code == 0, r.stderr
    assert marker in r.stdout and "_SIZER_COMPLETE" in r.stdout


def test_completion_completes_commands(runner: CliRunner) -> None:
    env = {"_SIZER_COMPLETE": "bash_complete", "COMP_WORDS": "sizer sw", "COMP_CWORD": "1"}
    r = runner.invoke(cli, [], prog_name="sizer", env=env)
    assert "sweep" in r.stdout


RA1 = str(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml")


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["memory", "--model", "resnet-50", "--batch", "0"],
            "sizer memory: --batch: batch must be a whole number of samples >= 1, got 0",
        ),
        (
            ["memory", "--model", "resnet-50", "--batch", "x"],
            "sizer memory: --batch: 'x' is not a valid integer (see 'sizer memory --help')",
        ),
        (
            ["sweep", RA1, "--servers", "0"],
            "sizer sweep: --servers: 0 is outside 1..100,000",
        ),
        (
            ["sweep", RA1, "--server", "3"],
            "sizer sweep: --server: no such option (did you mean '--servers'? see 'sizer "
            "sweep --help')",
        ),
        (
            ["size", RA1, "--survive", "x"],
            "sizer size: --survive: 'x' is not one of 'none', 'one-server', 'one-unit', "
            "'one-switch' (see 'sizer size --help')",
        ),
        (
            ["checkpoint", "--model", "llama-2-7b", "--ranks", "0"],
            "sizer checkpoint: --ranks: must be a whole number from 1 to 1,000,000, got 0",
        ),
        (["size"], "sizer size: Missing argument 'FILE' (see 'sizer size --help')"),
    ],
)
def test_one_error_format_for_every_command(
    runner: CliRunner, args: list[str], stderr: str
) -> None:
    """Issue 16, item 8: a bad option is ``sizer CMD: --option: message (hint)`` whichever
    part of sizer (the library, click) refuses it; a file problem is ``file:line:col``."""
    r = runner.invoke(cli, args)
    assert (r.exit_code, r.stderr, r.stdout) == (2, stderr + "\n", "")
