"""``sizer render``: the customer report (HTML and PDF) for each scenario.

Registered on the main group by :mod:`sizer.cli`; imports the report stack (matplotlib,
WeasyPrint) only when the command runs, so ``sizer --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from sizer.cli.options import catalog_option, prices_option

__all__ = ["render"]


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(x.strip().lower() for x in value.split(",") if x.strip()))
    bad = [x for x in items if x not in ("html", "pdf")]
    if bad or not items:
        raise click.BadParameter(
            f"{bad[0] if bad else value!r} is not a format; use html, pdf or html,pdf"
        )
    return items


def _out(_ctx: click.Context, _param: click.Parameter, value: Path | str) -> Path:
    # click turns --out "" into Path("") == ".": the reports would land in the working
    # directory the user did not name.
    if str(value).strip() == "" or os.fspath(value) == "":
        raise click.BadParameter("is empty; name a directory, e.g. --out reports")
    return Path(value)


@click.command("render")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="output",
    callback=_out,
    show_default=True,
    help="Output directory; each scenario's report goes to OUT/<scenario-stem>/.",
)
@click.option(
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    callback=_formats,
    help="Comma-separated: html, pdf.",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    default="a4",
    show_default=True,
    help="PDF paper size.",
)
@prices_option
@click.option(
    "--compare",
    is_flag=True,
    help="One report putting the scenarios side by side (2 to 4 files), in OUT/compare-A-vs-B/.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar (it shows only on a terminal, for several files).",
)
@catalog_option()
def render(
    files: tuple[Path, ...],
    out_dir: Path,
    formats: tuple[str, ...],
    paper: str,
    prices_file: Path | None,
    compare: bool,
    quiet: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """Write the report (report.html, report.pdf) for each scenario; print the paths.

    A FILE of - reads the scenario from standard input; its report goes to OUT/stdin/.

    Every scenario is checked and rendered before anything is written: with a bad
    input nothing is written (exit 2). The date on the cover is SOURCE_DATE_EPOCH
    when set, so the same inputs give the same HTML byte for byte.

    \b
    Example:
      sizer render scenarios/ra-9x-dgx1-3x-ess3000.yaml
      sizer render scenarios/*.yaml --out reports --paper letter
      sizer render scenarios/ra-1x-dgx1-1x-ess3000.yaml --format html
      sizer render scenarios/ra-9x-dgx1-3x-ess3000.yaml --prices my-prices.yaml
      sizer render scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml \\
          scenarios/ra-4x-dgx1-2x-ess3000-single.yaml --compare
    """
    from sizer.catalog import load_catalog
    from sizer.cli.common import scenario_inputs
    from sizer.report import render_files

    cat = load_catalog(catalog_dirs)
    prices = None
    if prices_file is not None:
        from sizer.loader import load_prices

        prices = load_prices(prices_file, cat)
    stdin = next((f.source for f in scenario_inputs(files) if f.source is not None), None)

    def run(progress: Any = None) -> list[Path]:
        return render_files(
            files,
            out_dir,
            catalog=cat,
            formats=formats,
            paper=paper.lower(),
            stdin=stdin,
            prices=prices,
            progress=progress,
            compare=compare,
        )

    if quiet or compare or len(files) < 2:  # one comparison document: no per-file bar
        written = run()
    else:
        from sizer.console import DelayedProgress

        with DelayedProgress("rendering") as bar:
            written = run(bar)
    for path in written:
        click.echo(str(path))
