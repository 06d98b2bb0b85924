"""``sizer size``, ``sizer sweep``, ``sizer failures``, ``sizer compare``.

Thin commands: parse, call :mod:`sizer.scaling`, print (:mod:`sizer.console.scaling`) or
``--json`` (one JSON object on stdout).  Only click is imported at module level.

Exit codes (handled by the main group in :mod:`sizer.cli`): 0 ok; 1 ``size`` ran but
no storage count meets the target (``TargetNotMetError``); 2 bad input
(``SizerInputError``: one ``sizer CMD: --option: message`` line per problem).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from sizer.cli.common import echo_json, fail, file_names, load_designs, problem
from sizer.cli.options import (
    MAX_SWEEP_POINTS,
    catalog_option,
    check_targets,
    exact_option,
    format_option,
    parse_counts,
    prices_option,
    target_options,
)

__all__ = ["compare", "failures", "size", "sweep"]


# ---------------------------------------------------------------------------------- size


@click.command("size")
@click.argument("file", type=click.Path(path_type=Path))
@target_options
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
@click.option(
    "--survive",
    type=click.Choice(["none", "one-server", "one-unit", "one-switch"]),
    default=None,
    help="N+1: also the fewest units meeting the objective after this single failure "
    "(default: the scenario's target: survive, else one-server).",
)
@click.option(
    "--max-accelerators",
    is_flag=True,
    help="Instead: the most accelerators per host (all hosts alike) the design's storage "
    "keeps at every workload's bar, MLPerf Storage's question.",
)
@exact_option("Run the full analysis at every probe (slower).")
@format_option
@prices_option
@catalog_option()
def size(
    file: Path,
    target_images_per_sec: float | None,
    min_utilization: float | None,
    all_units: bool,
    max_units: int,
    survive: str | None,
    max_accelerators: bool,
    exact: bool,
    fmt: str,
    prices_file: Path | None,
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
      sizer size scenarios/ra-3x-dgx2-3x-ess3000.yaml --all-units --format csv > units.csv
      sizer size scenarios/ra-1x-dgx1-1x-ess3000.yaml --max-accelerators
    """
    check_targets("size", target_images_per_sec, min_utilization)
    if max_accelerators:
        _max_accelerators(
            file, min_utilization, target_images_per_sec, exact, fmt == "json", catalog_dirs
        )
        return
    if max_units < 1:
        raise fail("size", "--max-units", f"{max_units} must be >= 1")
    cat, designs = load_designs((file,), catalog_dirs)
    prices = _prices(prices_file, cat)
    (name,) = file_names((file,))
    _check_images_target("size", [name], designs, target_images_per_sec, _READS_HINT)
    from sizer import scaling as S

    study = S.size_study(
        designs[0],
        cat,
        target_images_per_sec=target_images_per_sec,
        min_utilization=min_utilization,
        max_units=max_units,
        method="exact" if exact else "fast",
        all_units=all_units,
        survive=survive,
    )
    cost = None if prices is None else _sized_cost(designs[0], study, prices)
    if fmt == "json":
        echo_json(study.to_json(name) | ({} if cost is None else {"cost": cost}))
    elif fmt == "csv":
        from sizer.console.spreadsheet import size_csv

        click.echo(size_csv(study.to_json(name)), nl=False)
    else:
        from sizer.console.scaling import print_sizing

        units = designs[0].storage[0].count
        print_sizing(study, design_units=units)
        if cost is not None:
            from sizer.console.scaling import print_cost

            print_cost(cost)
    _raise_unless_met(name, study)


def _prices(prices_file: Path | None, cat: Any) -> Any:
    """The ``--prices`` list read against the catalog (None: not given)."""
    if prices_file is None:
        return None
    from sizer.loader import load_prices

    return load_prices(prices_file, cat)


def _sized_cost(design: Any, study: Any, prices: Any) -> dict[str, Any]:
    """The cost (JSON shape) of the design with the storage units ``size`` answers
    (bandwidth, capacity and checkpoints; the design as given when none meets them)."""
    from sizer.bom import bill_of_materials
    from sizer.cost import design_cost
    from sizer.scaling.evaluate import vary
    from sizer.topology import build_fabric

    n = study.storage_units
    if n is not None and study.capacity is not None and study.capacity.storage_units:
        n = max(n, study.capacity.storage_units)
    d = design if n is None else vary(design, storage_units=n)
    cost = design_cost(d, bill_of_materials(d, build_fabric(d)), prices.prices, prices.currency)
    return {**cost.to_json(), "storage_units": d.storage[0].count, "unit": d.storage[0].unit_id}


def _max_accelerators(
    file: Path,
    min_utilization: float | None,
    target: float | None,
    exact: bool,
    as_json: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """``size --max-accelerators``: print the answer; exit 1 when not even one is fed."""
    from sizer.errors import TargetNotMetError
    from sizer.scaling.accelerators import max_accelerators

    if target is not None:
        raise fail(
            "size",
            "--target-images-per-sec",
            "does not apply with --max-accelerators (it asks for a utilization bar)",
            "use --min-utilization, or drop --max-accelerators",
        )
    _cat, designs = load_designs((file,), catalog_dirs)
    try:
        res = max_accelerators(
            designs[0], min_utilization=min_utilization, method="exact" if exact else "fast"
        )
    except ValueError as e:
        raise fail("size", "--max-accelerators", str(e)) from None
    if as_json:
        echo_json({"file": str(file), **res.to_json()})
    else:
        from sizer.console import make_console
        from sizer.console.layout import bold, print_line

        c = make_console()
        print_line(c, bold(res.scenario))
        print_line(
            c,
            bold(f"Most accelerators per host: {res.accelerators_per_host}"),
            f" ({res.reason})",
        )
        probes = ", ".join(f"{k} {'meets' if ok else 'short'}" for k, ok in res.probes)
        print_line(c, f"Search (galloping + bisection): {probes}")
    if res.accelerators_per_host == 0:
        raise TargetNotMetError(f"{file}: {res.reason}")


_READS_HINT = "drop the option: read benchmarks are sized to their unlimited-storage throughput"


def _check_images_target(
    cmd: str, files: list[str], designs: list[Any], target: float | None, hint: str | None
) -> None:
    """An images/s target needs GPU workloads: name the first file without any."""
    if target is None:
        return
    from sizer import scaling as S

    ro = [f for f, d in zip(files, designs, strict=True) if not S.has_gpu_workloads(d)]
    if ro:
        raise fail(
            cmd,
            "--target-images-per-sec",
            f"{ro[0]} runs only read benchmarks, which produce no images/s",
            hint,
        )


def _raise_unless_met(file: str, study: Any) -> None:
    """TargetNotMetError (exit 1) when no storage count (of any unit, with --all-units)
    meets the objective."""
    from sizer.errors import TargetNotMetError

    if not study.met:
        raise TargetNotMetError(
            f"{file}: target not met: {study.sizing.reason}"
            if study.all_units is None
            else f"{file}: target not met by any catalog storage unit: {study.sizing.reason}"
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
@exact_option("Run the full analysis at every point (slower).")
@format_option
@catalog_option()
def sweep(
    file: Path,
    servers_opt: str | None,
    units_opt: str | None,
    threshold: float,
    exact: bool,
    fmt: str,
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
      sizer sweep scenarios/ra-9x-dgx1-3x-ess3000.yaml --servers 1:12 --format csv > sweep.csv
    """
    srv, units = _sweep_counts(servers_opt, units_opt, threshold)
    _cat, (d,) = load_designs((file,), catalog_dirs)
    n_pts = len(srv or range(d.total_servers)) * len(units or [1])
    if n_pts > MAX_SWEEP_POINTS:
        raise fail(
            "sweep",
            "--servers",
            f"{n_pts:,} points is more than {MAX_SWEEP_POINTS:,}",
            "use a STEP or a shorter range",
        )
    from sizer import scaling as S
    from sizer.console import DelayedProgress
    from sizer.console.scaling import print_sweep

    with DelayedProgress("sweeping") as bar:
        res = S.sweep(
            d, srv, units, threshold=threshold, method="exact" if exact else "fast", progress=bar
        )
    if fmt == "table":
        print_sweep(res)
        return
    (name,) = file_names((file,))
    data = {"file": name, **res.to_json()}
    if fmt == "json":
        echo_json(data)
    else:
        from sizer.console.spreadsheet import sweep_csv

        click.echo(sweep_csv(data), nl=False)


def _sweep_counts(
    servers_opt: str | None, units_opt: str | None, threshold: float
) -> tuple[list[int] | None, list[int] | None]:
    """The --servers and --units counts (None: the command's default); every bad option
    at once as SizerInputError."""
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
        probs.append(problem("sweep", "--threshold", f"{threshold:g} is outside (0, 1]"))
    if probs:
        from sizer.errors import SizerInputError

        raise SizerInputError(probs)
    return srv, units


# ------------------------------------------------------------------------------ failures


@click.command("failures")
@click.argument("file", type=click.Path(path_type=Path))
@format_option
@catalog_option()
def failures(file: Path, fmt: str, catalog_dirs: tuple[Path, ...]) -> None:
    """Single failures (N-1): one storage unit, switch, inter-switch, server or storage link.

    Each case is analyzed on the degraded fabric: images/s (or read GB/s for read
    benchmarks), GPU data utilization, the new bottleneck, servers cut off from
    storage; the case that hurts most is marked. A single-switch design loses
    everything when its switch fails.

    \b
    Example:
      sizer failures scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml
      sizer failures scenarios/ra-4x-dgx1-2x-ess3000-single.yaml --json
      sizer failures scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml --format csv > failures.csv
    """
    _cat, (d,) = load_designs((file,), catalog_dirs)
    from sizer import scaling as S
    from sizer.console import DelayedProgress
    from sizer.console.scaling import print_failures

    with DelayedProgress("failure cases") as bar:
        study = S.failure_study(d, progress=bar)
    (name,) = file_names((file,))
    if fmt == "json":
        echo_json(study.to_json(name))
    elif fmt == "csv":
        from sizer.console.spreadsheet import failures_csv

        click.echo(failures_csv(study.to_json(name)), nl=False)
    else:
        print_failures(study.cases, d.name, study.metric, sample_unit=d.sample_unit)


# ------------------------------------------------------------------------------- compare


@click.command("compare")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@target_options
@format_option
@prices_option
@catalog_option()
def compare(
    files: tuple[Path, ...],
    target_images_per_sec: float | None,
    min_utilization: float | None,
    fmt: str,
    prices_file: Path | None,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """Compare designs side by side, each sized for the same objective.

    Images/s, GPU data utilization, bottleneck, storage units, switches, ports used,
    rack units, power, and the storage units each design needs for the same target
    (default: every GPU workload at least 90% fed). With --prices, each design's cost and
    its rank by the storage data path's cost per GB/s read (then per usable TB).

    \b
    Example:
      sizer compare scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml scenarios/ra-4x-dgx1-2x-ess3000-single.yaml
      sizer compare scenarios/ra-*.yaml --json
      sizer compare scenarios/ra-*.yaml --format csv > designs.csv
      sizer compare scenarios/ra-4x-*.yaml --prices my-prices.csv
    """
    check_targets("compare", target_images_per_sec, min_utilization)
    cat, designs = load_designs(files, catalog_dirs)
    prices = _prices(prices_file, cat)
    names = file_names(files)
    _check_images_target("compare", names, designs, target_images_per_sec, None)
    from sizer import scaling as S

    res = S.compare(
        designs,
        target_images_per_sec=target_images_per_sec,
        min_utilization=min_utilization,
        prices=prices,
    )
    if fmt == "json":
        echo_json(res.to_json(names))
    elif fmt == "csv":
        from sizer.console.spreadsheet import compare_csv

        click.echo(compare_csv(res.to_json(names)), nl=False)
    else:
        from sizer.console.scaling import print_comparison

        print_comparison(res)
