"""Options shared by several commands, and the checks of their values (one definition, so
every command says the same).  Only click is imported at module level."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sizer.cli.common import fail, problem

__all__ = [
    "MAX_SWEEP_POINTS",
    "catalog_option",
    "check_targets",
    "exact_option",
    "format_option",
    "json_option",
    "parse_counts",
    "target_options",
]

#: Largest sweep accepted (points); ~0.3 ms each with the fast evaluator.
MAX_SWEEP_POINTS = 200_000

_CATALOG_HELP = (
    "Extra catalog directory; its entries override or extend the built-in ones by id "
    "(default: $SIZER_CATALOG, directories separated by ':')."
)


def catalog_option(help: str = _CATALOG_HELP) -> Callable[[Any], Any]:
    """``--catalog DIR`` (repeatable), passed to the command as ``catalog_dirs``."""
    return click.option(
        "--catalog",
        "catalog_dirs",
        multiple=True,
        envvar="SIZER_CATALOG",
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


def prices_option(f: Any) -> Any:
    """``--prices FILE``: a price list (YAML or CSV, part id -> price), passed to the
    command as ``prices_file`` (None: no prices)."""
    return click.option(
        "--prices",
        "prices_file",
        type=click.Path(path_type=Path, dir_okay=True),
        default=None,
        help="Price list, YAML or CSV (part id -> price; optional currency): adds line "
        "totals, the grand total, cost per GB/s read and per usable TB. No prices are "
        "shipped.",
    )(f)


def json_option(help: str = "Print the JSON result only.") -> Callable[[Any], Any]:
    """``--json``, passed to the command as ``as_json``."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def format_option(f: Any) -> Any:
    """``--format json|csv|table`` (default table) and ``--json``, the same as
    ``--format json``; the command gets one ``fmt`` argument.  CSV is for spreadsheets
    (:mod:`sizer.console.spreadsheet`)."""

    @functools.wraps(f)
    def command(*args: Any, fmt: str | None, as_json: bool, **kwargs: Any) -> Any:
        if as_json and fmt not in (None, "json"):
            cmd = click.get_current_context().info_name or "sizer"
            raise fail(cmd, "--json", f"conflicts with --format {fmt}", "give one of them")
        return f(*args, fmt="json" if as_json else fmt or "table", **kwargs)

    command = click.option(
        "--json", "as_json", is_flag=True, help="Print the JSON result only (= --format json)."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "csv", "table"]),
        default=None,
        help="Output: json (one object), csv (one header row, units in the column names, "
        "for spreadsheets) or table (default).",
    )(command)


def exact_option(help: str) -> Callable[[Any], Any]:
    """``--exact``: the full analysis at every probe or point instead of the fast one."""
    return click.option("--exact", is_flag=True, help=help)


def target_options(f: Any) -> Any:
    """``--target-images-per-sec N`` and ``--min-utilization F`` (check with
    :func:`check_targets`)."""
    f = click.option(
        "--min-utilization",
        type=float,
        default=None,
        help="Every GPU workload at least this fed, 0..1 (default: the scenario's target, "
        "else 0.9, the MLPerf Storage bar).",
    )(f)
    return click.option(
        "--target-images-per-sec",
        type=float,
        default=None,
        help="Aggregate images/s to reach (> 0); excludes --min-utilization.",
    )(f)


def check_targets(cmd: str, target: float | None, min_util: float | None) -> None:
    """Raise SizerInputError with every problem of the two target options."""
    from sizer.errors import SizerInputError

    probs = []
    if target is not None and min_util is not None:
        probs.append(
            problem(
                cmd,
                "--target-images-per-sec",
                "conflicts with --min-utilization",
                "give one objective",
            )
        )
    if target is not None and not (math.isfinite(target) and target > 0):
        probs.append(problem(cmd, "--target-images-per-sec", f"{target:g} is not a number > 0"))
    if min_util is not None and not (math.isfinite(min_util) and 0 < min_util <= 1):
        probs.append(
            problem(
                cmd,
                "--min-utilization",
                f"{min_util:g} is outside (0, 1]",
                "e.g. 0.9 for 90% fed",
            )
        )
    if probs:
        raise SizerInputError(probs)


def parse_counts(text: str, cmd: str, option: str, upper: int) -> list[int]:
    """``"8"``, ``"1:128"``, ``"1:128:4"`` (start:stop:step, stop included) or
    ``"1,2,4,8"`` -> sorted counts in 1..upper; raises SizerInputError otherwise."""
    t = text.strip()
    try:
        if "," in t:
            vals = sorted({int(x) for x in t.split(",") if x.strip()})
        elif ":" in t:
            parts = [int(x) for x in t.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            start, stop = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1
            if step < 1:
                raise fail(cmd, option, f"step {step} in {text!r} must be >= 1")
            if stop < start:
                raise fail(cmd, option, f"{text!r} ends before it starts")
            if (stop - start) // step + 1 > MAX_SWEEP_POINTS:
                raise fail(cmd, option, f"{text!r} has more than {MAX_SWEEP_POINTS:,} counts")
            vals = list(range(start, stop + 1, step))
            if vals[-1] != stop:
                vals.append(stop)
        else:
            vals = [int(t)]
    except ValueError:
        raise fail(
            cmd,
            option,
            f"{text!r} is not a count or range",
            "use N, START:STOP[:STEP] or N,N,N",
        ) from None
    if not vals:
        raise fail(cmd, option, f"{text!r} gives no counts")
    if vals[0] < 1 or vals[-1] > upper:
        bad = vals[0] if vals[0] < 1 else vals[-1]
        raise fail(cmd, option, f"{bad} is outside 1..{upper:,}")
    return vals
