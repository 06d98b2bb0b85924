"""``sizer render``: output layout, formats, paper, errors (exit 2, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
RA1 = REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"


@pytest.fixture
def cli() -> Any:
    """The main group with ``render`` registered (sizer/cli.py does it; tests don't rely
    on the order in which the lead wires it)."""
    from sizer.cli import cli as group
    from sizer.cli.render import render

    if "render" not in group.commands:
        group.add_command(render)
    return group


def test_render_html_only(cli: Any, runner: CliRunner, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    out = tmp_path / "reports"
    r = runner.invoke(cli, ["render", str(RA1), "--out", str(out), "--format", "html"])
    assert r.exit_code == 0, r.output
    html = out / "ra-1x-dgx1-1x-ess3000" / "report.html"
    d = html.parent.resolve()
    assert r.stdout == f"{html.resolve()}\n{d / 'bom.csv'}\n{d / 'bom.xlsx'}\n"
    assert sorted(p.name for p in html.parent.iterdir()) == ["bom.csv", "bom.xlsx", "report.html"]
    assert "2026-01-02" in html.read_text(encoding="utf-8")
    first = html.read_bytes()
    r = runner.invoke(cli, ["render", str(RA1), "--out", str(out), "--format", "html"])
    assert r.exit_code == 0 and html.read_bytes() == first  # reproducible


def test_render_pdf_letter(
    cli: Any, runner: CliRunner, tmp_path: Path, weasyprint_log: list[Any]
) -> None:
    r = runner.invoke(
        cli, ["render", str(RA1), "--out", str(tmp_path), "--format", "pdf", "--paper", "letter"]
    )
    assert r.exit_code == 0, r.output
    pdf = tmp_path / "ra-1x-dgx1-1x-ess3000" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not (pdf.parent / "report.html").exists()


def test_render_default_output_dir(
    cli: Any, runner: CliRunner, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["render", str(RA1), "--format", "html"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "output" / "ra-1x-dgx1-1x-ess3000" / "report.html").is_file()


def test_render_missing_file_exit_2(cli: Any, runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    r = runner.invoke(cli, ["render", str(RA1), str(missing), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.stderr == f"{missing}: no such file\n"
    assert not (tmp_path / "o").exists()


def test_render_same_stem_twice_exit_2(
    cli: Any, runner: CliRunner, tmp_path: Path, valid_scenario: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "pod.yaml", tmp_path / "b" / "pod.yaml"
    a.write_text(valid_scenario, encoding="utf-8")
    b.write_text(valid_scenario, encoding="utf-8")
    r = runner.invoke(
        cli, ["render", str(a), str(b), "--out", str(tmp_path / "o"), "--format", "html"]
    )
    assert r.exit_code == 2
    assert r.stderr == (
        f"{b}: writes to the same output directory 'pod' as {a}; "
        "render them separately with --out\n"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "docx"],
            "sizer render: --format: 'docx' is not a format; use html, pdf or html,pdf "
            "(see 'sizer render --help')\n",
        ),
        (
            ["--paper", "a3"],
            "sizer render: --paper: 'a3' is not one of 'a4', 'letter' (see 'sizer render --help')\n",
        ),
    ],
)
def test_render_bad_options(
    cli: Any, runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    r = runner.invoke(cli, ["render", str(RA1), "--out", str(tmp_path / "o"), *args])
    assert r.exit_code == 2
    assert r.stderr == message
    assert not (tmp_path / "o").exists()


def test_render_help_has_example(cli: Any, runner: CliRunner) -> None:
    r = runner.invoke(cli, ["render", "--help"])
    assert r.exit_code == 0
    assert "Example:" in r.stdout and "sizer render scenarios/" in r.stdout


def test_cli_help_does_not_import_the_report_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import sizer.cli, sizer.cli.render; "
        "bad = [m for m in ('matplotlib', 'weasyprint', 'jinja2', 'sizer.report') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=60,
    ).stdout
    assert out.strip() == "[]"


def test_render_unwritable_output_exit_2(cli: Any, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "ra-1x-dgx1-1x-ess3000").symlink_to(tmp_path, target_is_directory=True)
    r = runner.invoke(cli, ["render", str(RA1), "--out", str(out), "--format", "html"])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{out}: {out.resolve()}/ra-1x-dgx1-1x-ess3000 is a symbolic link; refusing to write "
        "through it (choose another --out)\n"
    )
    assert not (tmp_path / "report.html").exists()


RA4 = REPO / "scenarios" / "ra-4x-dgx1-2x-ess3000-single.yaml"


def test_render_files_reports_progress(tmp_path: Path) -> None:
    """The report layer calls ``progress(done, total)`` once per scenario and draws nothing."""
    from sizer.report import render_files

    calls: list[tuple[int, int]] = []
    render_files(
        [RA1, RA4], tmp_path, formats=("html",), progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 2), (2, 2)]


def test_progress_bar_only_on_a_terminal() -> None:
    """The bar the CLI passes: drawn on a terminal, silent otherwise."""
    import io

    from rich.console import Console

    from sizer.console import DelayedProgress

    tty = io.StringIO()
    with DelayedProgress(
        "rendering", delay=0.0, console=Console(file=tty, force_terminal=True)
    ) as bar:
        bar(1, 3)
        bar(2, 3)
    assert "rendering" in tty.getvalue()
    pipe = io.StringIO()
    with DelayedProgress("rendering", delay=0.0, console=Console(file=pipe)) as bar:
        bar(1, 3)
        bar(2, 3)
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_render_several_files_not_a_tty_prints_only_paths(
    cli: Any, runner: CliRunner, tmp_path: Path, quiet: list[str]
) -> None:
    r = runner.invoke(
        cli, ["render", str(RA1), str(RA4), "--out", str(tmp_path), "--format", "html", *quiet]
    )
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert len(r.stdout.splitlines()) == 6  # report.html, bom.csv, bom.xlsx for each


def test_render_compare_writes_one_side_by_side_report(
    cli: Any, runner: CliRunner, tmp_path: Path, tool: Any, weasyprint_log: list[Any]
) -> None:
    """``--compare``: one document, a column per design, the same target for both."""
    import subprocess

    r = runner.invoke(cli, ["render", str(RA1), str(RA4), "--out", str(tmp_path), "--compare"])
    assert r.exit_code == 0, r.output
    d = tmp_path / "compare-ra-1x-dgx1-1x-ess3000-vs-ra-4x-dgx1-2x-ess3000-single"
    assert sorted(p.name for p in d.iterdir()) == ["report.html", "report.pdf"]
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(d / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    from sizer.analysis import analyze
    from sizer.catalog import load_catalog
    from sizer.loader import load_scenario
    from sizer.report import fmt

    cat = load_catalog()
    each = [analyze(load_scenario(f, cat), cat) for f in (RA1, RA4)]
    for want in (
        "Design comparison",
        "RA 1x DGX-1 + 1x ESS 3000",
        "RA 4x DGX-1 + 2x ESS 3000, one switch",
        "every GPU workload at least 90% fed",
        *(f"{fmt.images(a.images_per_sec)} images/s" for a in each),  # the analyses' figures
        *(fmt.rate(a.read_bytes_per_sec) for a in each),
        "Storage units for the target",
        "no prices in the catalog",
    ):
        assert want in flat, want
    assert "<script" not in (d / "report.html").read_text(encoding="utf-8")


def test_render_compare_needs_two_files(cli: Any, runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(cli, ["render", str(RA1), "--out", str(tmp_path), "--compare"])
    assert r.exit_code == 2
    assert "compares 2 to 4 scenarios, not 1" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_render_compare_refuses_prices(cli: Any, runner: CliRunner, tmp_path: Path) -> None:
    """--prices costs one scenario's report; with --compare it is refused, not ignored."""
    prices = tmp_path / "prices.yaml"
    prices.write_text("currency: USD\nprices:\n  dgx-1: 150000\n")
    out = tmp_path / "out"
    args = ["render", str(RA1), str(RA4), "--out", str(out), "--compare", "--prices", str(prices)]
    r = runner.invoke(cli, args)
    assert r.exit_code == 2
    assert "--prices" in r.stderr and "--compare" in r.stderr
    assert not out.exists()
