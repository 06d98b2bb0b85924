"""Terminal output (issue 16, finding 2): piped or on an 80-column terminal, ``size``,
``sweep``, ``failures``, ``compare`` and ``analyze`` never cut an id or a number (no
``…``, no number split over two lines): tables wrap prose between words or stack; and
text from files is never read as rich markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sizer.cli import cli

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(str(p.relative_to(REPO)) for p in (REPO / "scenarios").glob("*.yaml"))


def _run(args: list[str], columns: int) -> str:
    """The command's stdout, piped (CliRunner is not a TTY), at ``columns`` columns."""
    r = CliRunner().invoke(cli, args, env={"COLUMNS": str(columns)}, catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    return r.stdout


#: A token worth keeping whole: has a digit (a figure) or a hyphen (an id such as
#: ``ddn-ai400x2-turbo``).  Box-drawing characters separate cells.
_SEP = re.compile(r"[\s│┃]+")


def _tokens(text: str) -> set[str]:
    out = set()
    for tok in _SEP.split(text):
        tok = tok.strip(",;:.()")
        if re.search(r"\d|\w-\w", tok) and not set(tok) <= set("━─┏┓┗┛┡┩└┘┳┻╇┼┴┬"):
            out.add(tok)
    return out


def _check_narrow(args: list[str]) -> None:
    wide = _run(args, 1000)
    narrow = _run(args, 80)
    assert "…" not in narrow, narrow
    assert all(len(line) <= 80 for line in narrow.splitlines()), narrow
    # Every id and every figure of the wide output is whole in the narrow one.
    missing = _tokens(wide) - _tokens(narrow)
    # Timings (elapsed seconds) differ from run to run.
    missing = {t for t in missing if not re.fullmatch(r"\d+\.\d\d", t)}
    assert not missing, (missing, narrow)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_size_and_failures_at_80_columns(scenario: str) -> None:
    _check_narrow(["size", scenario, "--all-units"])
    _check_narrow(["failures", scenario])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sweep_and_analyze_at_80_columns(scenario: str) -> None:
    _check_narrow(["sweep", scenario])
    _check_narrow(["sweep", scenario, "--servers", "1:4", "--units", "1:3"])
    _check_narrow(["analyze", scenario])


_MEMORY = ["memory", "--gpu", "h100-sxm5-80gb", "--precision", "bf16"]


@pytest.mark.parametrize(
    "args",
    [
        [*_MEMORY, "--model", "llama-2-70b", "--batch", "1", "--gpus", "64", "--sharding", "zero3"],
        [*_MEMORY, "--model", "llama-2-7b", "--batch", "4", "--phase", "inference"],
        ["memory", "--model", "vgg-16", "--batch", "32", "--gpu", "v100-sxm2-16gb"],
        ["checkpoint", "scenarios/dgx-h100-llm-405b-ddn.yaml"],
        ["checkpoint", "--model", "llama-3.1-405b", "--ranks", "512", "--tp", "8", "--pp", "32"],
    ],
)
def test_memory_and_checkpoint_at_80_columns(args: list[str]) -> None:
    """They used their own widths (memory 120 columns piped, checkpoint 80, whatever
    COLUMNS said); now the one console every command prints through."""
    _check_narrow(args)


def test_compare_every_scenario_at_80_columns() -> None:
    _check_narrow(["compare", *SCENARIOS])
    _check_narrow(["compare", SCENARIOS[0], SCENARIOS[1]])


def test_a_table_too_wide_is_stacked() -> None:
    out = _run(["compare", *SCENARIOS], 80)
    assert "┏" not in out.split("Storage units needed", 1)[0]
    assert "    servers / GPUs:" in out


@pytest.mark.parametrize("name", ["[bold]x[/bold]", "[link=http://a]x[/link]", ":smile: [red]"])
def test_names_print_literally_not_as_markup(tmp_path: Path, name: str) -> None:
    text = (REPO / "scenarios/ra-1x-dgx1-1x-ess3000.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^name: .*$", f"name: '{name}'", text, count=1)
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    for args in (
        ["analyze", str(f)],
        ["size", str(f)],
        ["sweep", str(f)],
        ["failures", str(f)],
        ["compare", str(f), str(f)],
    ):
        out = _run(args, 120)
        assert name in out, (args, out)
        assert "\x1b]8;" not in out  # no hyperlink escape


def test_memory_says_how_the_case_is_spread_as_the_report_does() -> None:
    def words(args: list[str]) -> str:
        return " ".join(_run(args, 120).split())

    shard = [*_MEMORY, "--model", "llama-2-70b", "--batch", "1", "--gpus", "64", "--sharding"]
    assert "ZeRO-3 on 64 GPUs" in words([*shard, "zero3"])
    assert "tensor parallel on 64 GPUs" in words([*shard, "tensor"])
    dp = ["memory", "--model", "resnet-50", "--batch", "64", "--gpus", "8"]
    assert "data parallel on 8 GPUs" in words(dp)


@pytest.mark.parametrize(
    ("scenario", "per"),
    [
        ("scenarios/dgx-h100-local-8x-micron9550.yaml", "volumes/s"),  # UNet3D
        ("scenarios/ra-9x-dgx1-3x-ess3000.yaml", "images/s"),
        ("scenarios/dgx-h100-su-ndr-ess3500.yaml", "samples/s"),  # volumes and images
    ],
)
def test_analyze_names_the_workloads_samples(scenario: str, per: str) -> None:
    """The workloads table counted UNet3D volumes under 'img/s'."""
    out = _run(["analyze", scenario], 200)
    assert f"demand {per}" in out and f"achieved {per}" in out
    assert "img/s" not in out
