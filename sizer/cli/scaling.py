"""``sizer size``, ``sizer sweep``, ``sizer failures``, ``sizer compare``.

Thin commands: parse, call :mod:`sizer.scaling`, print (:mod:`sizer.scaling_view`) or
``--json`` (one JSON object on stdout).  Only click is imported at module level.

Exit codes (handled by the main group in :mod:`sizer.cli`): 0 ok; 1 ``size`` ran but
no storage count meets the target (``TargetNotMetError``); 2 bad input
(``SizerInputError``: one ``sizer CMD: --option: message`` line per problem).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import click

from sizer.cli_options import catalog_option

__all__ = ["compare", "failures", "parse_counts", "size", "sweep"]

#: Largest sweep accepted (points); ~0.3 ms each with the fast evaluator.
MAX_SWEEP_POINTS = 200_000


def _problem(cmd: str, option: str, msg: str, hint: str | None = None) -> Any:
    from sizer.errors import Problem

    return Problem(f"sizer {cmd}", None, None, option, msg, hint, type="option")


def _fail(cmd: str, option: str, msg: str, hint: str | None = None) -> Any:
    from sizer.errors import SizerInputError

    return SizerInputError([_problem(cmd, option, msg, hint)])


def _echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, allow_nan=False))


def _target_options(f: Any) -> Any:
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


def _check_targets(cmd: str, target: float | None, min_util: float | None) -> None:
    from sizer.errors import SizerInputError

    probs = []
    if target is not None and min_util is not None:
        probs.append(
            _problem(
                cmd,
                "--target-images-per-sec",
                "conflicts with --min-utilization",
                "give one objective",
            )
        )
    if target is not None and not (math.isfinite(target) and target > 0):
        probs.append(_problem(cmd, "--target-images-per-sec", f"{target:g} is not a number > 0"))
    if min_util is not None and not (math.isfinite(min_util) and 0 < min_util <= 1):
        probs.append(
            _problem(
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
                raise _fail(cmd, option, f"step {step} in {text!r} must be >= 1")
            if stop < start:
                raise _fail(cmd, option, f"{text!r} ends before it starts")
            if (stop - start) // step + 1 > MAX_SWEEP_POINTS:
                raise _fail(cmd, option, f"{text!r} has more than {MAX_SWEEP_POINTS:,} counts")
            vals = list(range(start, stop + 1, step))
            if vals[-1] != stop:
                vals.append(stop)
        else:
            vals = [int(t)]
    except ValueError:
        raise _fail(
            cmd,
            option,
            f"{text!r} is not a count or range",
            "use N, START:STOP[:STEP] or N,N,N",
        ) from None
    if not vals:
        raise _fail(cmd, option, f"{text!r} gives no counts")
    if vals[0] < 1 or vals[-1] > upper:
        bad = vals[0] if vals[0] < 1 else vals[-1]
        raise _fail(cmd, option, f"{bad} is outside 1..{upper:,}")
    return vals


def _load(files: tuple[Path, ...], catalog_dirs: tuple[Path, ...]) -> tuple[Any, list[Any]]:
    """The catalog and each file's resolved design; every file's problems at once."""
    from sizer.catalog import load_catalog
    from sizer.design import resolve
    from sizer.errors import SizerInputError
    from sizer.loader import load_scenario

    cat = load_catalog(catalog_dirs)
    designs = []
    problems = []
    for f in files:
        try:
            designs.append(resolve(load_scenario(f, cat), cat))
        except SizerInputError as e:
            problems.extend(e.problems)
    if problems:
        raise SizerInputError(problems)
    return cat, designs


# ---------------------------------------------------------------------------------- size


@click.command("size")
@click.argument("file", type=click.Path(path_type=Path))
@_target_options
@click.option(
    "--all-units",
    is_flag=True,
    help="Size with every catalog storage unit type instead of the scenario's, ranked.",
)
@click.option(
    "--max-units",
    type=int,
    default=10_000,
    show_default=True,
    help="Largest storage-unit count searched.",
)
@click.option("--exact", is_flag=True, help="Run the full analysis at every probe (slower).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result only.")
@catalog_option()
def size(
    file: Path,
    target_images_per_sec: float | None,
    min_utilization: float | None,
    all_units: bool,
    max_units: int,
    exact: bool,
    as_json: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """Fewest storage units that keep every GPU fed or reach a target; exit 1 if none can.

    Without a target every GPU workload must be at least 90% fed (MLPerf Storage's bar)
    or the scenario's own target. For read benchmarks (fio) the objective is the read
    throughput the design reaches with unlimited storage, within 1%. Also prints the
    converse (the most servers this storage keeps fed) and the demand headroom.

    \b
    Example:
      sizer size scenarios/ra-9x-dgx1-3x-ess3000.yaml
      sizer size scenarios/ra-9x-dgx1-3x-ess3000.yaml --target-images-per-sec 600000
      sizer size scenarios/ra-3x-dgx2-3x-ess3000.yaml --all-units --json
    """
    from sizer.errors import SizerInputError, TargetNotMetError

    _check_targets("size", target_images_per_sec, min_utilization)
    if max_units < 1:
        raise _fail("size", "--max-units", f"{max_units} must be >= 1")
    cat, (d,) = _load((file,), catalog_dirs)
    from sizer import scaling as S

    method: Literal["fast", "exact"] = "exact" if exact else "fast"
    if target_images_per_sec is not None and not S.has_gpu_workloads(d):
        raise SizerInputError(
            [
                _problem(
                    "size",
                    "--target-images-per-sec",
                    f"{file} runs only read benchmarks, which produce no images/s",
                    "drop the option: read benchmarks are sized to their unlimited-storage "
                    "throughput",
                )
            ]
        )
    kw: dict[str, Any] = {
        "target_images_per_sec": target_images_per_sec,
        "min_utilization": min_utilization,
        "max_units": max_units,
        "method": method,
    }
    res = S.size_storage(d, **kw)
    ranked = S.size_all_units(d, cat, **kw) if all_units else None
    bar = (
        res.target
        if res.objective == "min-utilization"
        else (min_utilization or S.DEFAULT_MIN_UTILIZATION)
    )
    limit = S.max_servers(d, min_utilization=bar, method=method)
    room = S.headroom(d, min_utilization=bar, method=method)
    if as_json:
        _echo_json(
            {
                "scenario": d.name,
                "file": str(file),
                "objective": res.objective,
                "target": res.to_json()["target"],
                "sizing": res.to_json(),
                "all_units": None if ranked is None else [r.to_json() for r in ranked],
                "max_servers": limit.to_json(),
                "headroom": room.to_json(),
            }
        )
    else:
        from sizer.scaling_view import print_sizing

        print_sizing(res, design_units=d.storage[0].count, ranked=ranked, limit=limit, room=room)
    met = res.met if ranked is None else any(r.met for r in ranked)
    if not met:
        raise TargetNotMetError(
            f"{file}: target not met: {res.reason}"
            if ranked is None
            else f"{file}: target not met by any catalog storage unit: {res.reason}"
        )


# --------------------------------------------------------------------------------- sweep


@click.command("sweep")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--servers",
    "servers_opt",
    default=None,
    help="Server counts: N, START:STOP[:STEP] or N,N,N (default: 1..the scenario's).",
)
@click.option(
    "--units",
    "units_opt",
    default=None,
    help="Storage-unit counts, same forms (default: the scenario's count).",
)
@click.option(
    "--threshold",
    type=float,
    default=0.95,
    show_default=True,
    help="Efficiency (achieved / ideal-linear) below which scaling is no longer linear.",
)
@click.option("--exact", is_flag=True, help="Run the full analysis at every point (slower).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result only.")
@catalog_option()
def sweep(
    file: Path,
    servers_opt: str | None,
    units_opt: str | None,
    threshold: float,
    exact: bool,
    as_json: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """Scaling sweep over servers x storage units: ideal line, efficiency and the knee.

    The workload mix per server is kept. With one unit count you get a row per server
    count and the knee (first efficiency below --threshold, and its cause); with one
    server count, a row per unit count and where more storage stops helping; with both
    ranges, a summary per unit count.

    \b
    Example:
      sizer sweep scenarios/ra-1x-dgx1-1x-ess3000.yaml --servers 1:16
      sizer sweep scenarios/ra-3x-dgx2-3x-ess3000.yaml --servers 3 --units 1:6
      sizer sweep scenarios/ra-9x-dgx1-3x-ess3000.yaml --servers 1:12 --units 1:4 --json
    """
    from sizer.schema import MAX_SERVERS, MAX_STORAGE_UNITS

    probs: list[Any] = []
    srv = units = None
    for opt, text, upper in (
        ("--servers", servers_opt, MAX_SERVERS),
        ("--units", units_opt, MAX_STORAGE_UNITS),
    ):
        if text is None:
            continue
        try:
            vals = parse_counts(text, "sweep", opt, upper)
        except Exception as e:  # SizerInputError: collect every bad option
            probs.extend(getattr(e, "problems", []))
            continue
        if opt == "--servers":
            srv = vals
        else:
            units = vals
    if not (math.isfinite(threshold) and 0 < threshold <= 1):
        probs.append(_problem("sweep", "--threshold", f"{threshold:g} is outside (0, 1]"))
    if probs:
        from sizer.errors import SizerInputError

        raise SizerInputError(probs)
    _cat, (d,) = _load((file,), catalog_dirs)
    n_pts = len(srv or range(d.total_servers)) * len(units or [1])
    if n_pts > MAX_SWEEP_POINTS:
        raise _fail(
            "sweep",
            "--servers",
            f"{n_pts:,} points is more than {MAX_SWEEP_POINTS:,}",
            "use a STEP or a shorter range",
        )
    from sizer import scaling as S
    from sizer.scaling_view import DelayedProgress, print_sweep

    with DelayedProgress("sweeping") as bar:
        res = S.sweep(
            d, srv, units, threshold=threshold, method="exact" if exact else "fast", progress=bar
        )
    if as_json:
        _echo_json({"file": str(file), **res.to_json()})
    else:
        print_sweep(res)


# ------------------------------------------------------------------------------ failures


@click.command("failures")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result only.")
@catalog_option()
def failures(file: Path, as_json: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """Single failures (N-1): one storage unit, switch, inter-switch, server or storage link.

    Each case is analysed on the degraded fabric: images/s (or read GB/s for read
    benchmarks), GPU data utilization, the new bottleneck, servers cut off from
    storage; the case that hurts most is marked. A single-switch design loses
    everything when its switch fails.

    \b
    Example:
      sizer failures scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml
      sizer failures scenarios/ra-4x-dgx1-2x-ess3000-single.yaml --json
    """
    _cat, (d,) = _load((file,), catalog_dirs)
    from sizer import scaling as S
    from sizer.scaling_view import DelayedProgress, print_failures

    with DelayedProgress("failure cases") as bar:
        cases = S.failure_cases(d, progress=bar)
    metric = S.sweep_metric(d)
    if as_json:
        worst = S.worst_failure(cases)
        _echo_json(
            {
                "scenario": d.name,
                "file": str(file),
                "metric": metric,
                "cases": [c.to_json() for c in cases],
                "worst": None if worst is None else {"kind": worst.kind, "element": worst.element},
            }
        )
    else:
        print_failures(cases, d.name, metric)


# ------------------------------------------------------------------------------- compare


@click.command("compare")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_target_options
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result only.")
@catalog_option()
def compare(
    files: tuple[Path, ...],
    target_images_per_sec: float | None,
    min_utilization: float | None,
    as_json: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """Compare designs side by side, each sized for the same objective.

    Images/s, GPU data utilization, bottleneck, storage units, switches, ports used,
    rack units, power, and the storage units each design needs for the same target
    (default: every GPU workload at least 90% fed).

    \b
    Example:
      sizer compare scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml scenarios/ra-4x-dgx1-2x-ess3000-single.yaml
      sizer compare scenarios/ra-*.yaml --json
    """
    _check_targets("compare", target_images_per_sec, min_utilization)
    _cat, designs = _load(files, catalog_dirs)
    from sizer import scaling as S

    if target_images_per_sec is not None:
        ro = [str(f) for f, d in zip(files, designs, strict=True) if not S.has_gpu_workloads(d)]
        if ro:
            raise _fail(
                "compare",
                "--target-images-per-sec",
                f"{ro[0]} runs only read benchmarks, which produce no images/s",
            )
    res = S.compare(
        designs, target_images_per_sec=target_images_per_sec, min_utilization=min_utilization
    )
    if as_json:
        out = res.to_json()
        for row, f in zip(out["designs"], files, strict=True):
            row["file"] = str(f)
        _echo_json(out)
    else:
        from sizer.scaling_view import print_comparison

        print_comparison(res)
