"""Terminal rendering of scaling, sizing, failure and comparison results (rich tables).

Presentation only: every figure comes from :mod:`sizer.scaling`, the words and number
formats from :mod:`sizer.text`.  Tables go to the console given (stdout by default); the
progress bar is :class:`sizer.console.DelayedProgress`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from sizer.text import NO_BOTTLENECK, bottleneck_label, fed_words, pct, rate

if TYPE_CHECKING:
    from sizer.scaling import (
        Comparison,
        FailureCase,
        Headroom,
        ServerLimit,
        SizingResult,
        SweepPoint,
        SweepResult,
    )

__all__ = [
    "print_comparison",
    "print_failures",
    "print_sizing",
    "print_sweep",
]

#: Rows of a per-point sweep table before it is thinned (knee rows are always kept).
MAX_ROWS = 40


def _img(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _metric(value: float | None, metric: str) -> str:
    return _img(value) if metric == "images_per_sec" else rate(value)


def _metric_label(metric: str) -> str:
    return "images/s" if metric == "images_per_sec" else "read"


def _bott_dict(b: dict[str, Any] | None) -> str:
    return NO_BOTTLENECK if b is None else f"{b.get('group')} ({b.get('kind')})"


def _console(console: Console | None) -> Console:
    return console or Console(highlight=False)


# ------------------------------------------------------------------------------ sizing


def _objective_text(r: SizingResult) -> str:
    if r.objective == "images-per-sec":
        return f"at least {r.target:,.0f} images/s in aggregate"
    if r.objective == "read-ceiling":
        return (
            f"read benchmark: within 1% of the {rate(r.target / 0.99)} the design reads "
            "with unlimited storage"
        )
    return fed_words(r.target)


def print_sizing(
    r: SizingResult,
    *,
    design_units: int,
    ranked: Sequence[SizingResult] | None = None,
    limit: ServerLimit | None = None,
    room: Headroom | None = None,
    console: Console | None = None,
) -> None:
    """The answer of ``sizer size``: units needed, the check point, converse, headroom."""
    c = _console(console)
    c.print(f"[bold]{r.scenario}[/bold]")
    c.print(f"Objective: {_objective_text(r)}")
    probes = ", ".join(f"{k} {'meets' if ok else 'short'}" for k, ok in r.probes)
    if r.met:
        c.print(
            f"[bold]Answer: {r.storage_units} x {r.unit_id}[/bold] "
            f"(the scenario has {design_units}); {r.reason}"
        )
    else:
        c.print(f"[bold]Not reachable with {r.unit_id}:[/bold] {r.reason}")
    c.print(f"Search (galloping + bisection): {probes}")
    p = r.achieved
    if p is not None and p.feasible:
        c.print(
            f"At {p.storage_units} units: {_img(p.images_per_sec)} images/s, "
            f"{rate(p.read_bytes_per_sec)} read, GPU data utilization "
            f"{pct(p.gpu_data_utilization)} (least-fed workload "
            f"{pct(p.min_gpu_data_utilization)}); bottleneck: "
            f"{bottleneck_label(p.bottleneck_kind, p.bottleneck_group)}"
        )
    if ranked:
        t = Table(title="Every catalog storage unit, ranked", title_justify="left")
        for col in ("#", "unit", "units needed", "rack units", "power", "answer"):
            t.add_column(col, justify="left" if col in ("unit", "answer") else "right")
        for i, x in enumerate(ranked, 1):
            ru = (
                "-"
                if x.storage_units is None or x.unit_rack_units is None
                else f"{x.storage_units * x.unit_rack_units:g} U"
            )
            pw = (
                "-"
                if x.storage_units is None or x.unit_power_watts is None
                else f"{x.storage_units * x.unit_power_watts:,.0f} W"
            )
            t.add_row(
                str(i) if not x.skipped else "-",
                x.unit_id,
                "-" if x.storage_units is None else str(x.storage_units),
                ru,
                pw,
                x.reason,
            )
        c.print(t)
    if limit is not None:
        c.print(f"Converse: {limit.reason}")
    if room is not None:
        c.print(f"Headroom: {room.note}")


# ------------------------------------------------------------------------------ sweeps


def _thin(n: int, keep: set[int]) -> list[int]:
    """Indices of at most ~MAX_ROWS rows, evenly spread, always keeping ``keep``."""
    if n <= MAX_ROWS:
        return list(range(n))
    step = math.ceil(n / MAX_ROWS)
    rows = set(range(0, n, step)) | {n - 1} | {i for i in keep if 0 <= i < n}
    return sorted(rows)


def print_sweep(s: SweepResult, console: Console | None = None) -> None:
    """One line per server count (one unit count), one per unit count (one server
    count), or a summary per unit count (a grid)."""
    c = _console(console)
    label = _metric_label(s.metric)
    c.print(f"[bold]{s.scenario}[/bold]")
    if len(s.storage_units) == 1:
        line = s.lines[0]
        t = Table(
            title=f"Server scaling at {line.storage_units} storage units", title_justify="left"
        )
        for col in (
            "servers",
            "GPUs",
            label,
            "ideal",
            "efficiency",
            "GPU data util.",
            "bottleneck",
        ):
            t.add_column(col, justify="left" if col == "bottleneck" else "right")
        knee_i = {
            i for i, p in enumerate(line.points) if line.knee and p.servers == line.knee.servers
        }
        knee_i |= {i - 1 for i in knee_i}
        for i in _thin(len(line.points), knee_i):
            p = line.points[i]
            mark = " <- knee" if line.knee and p.servers == line.knee.servers else ""
            t.add_row(
                f"{p.servers}{mark}",
                str(p.gpus),
                _metric(p.metric(s.metric), s.metric),
                _metric(line.ideal[i], s.metric),
                pct(line.efficiency[i]),
                pct(p.gpu_data_utilization),
                bottleneck_label(p.bottleneck_kind, p.bottleneck_group)
                if p.feasible
                else f"infeasible: {p.note}",
            )
        c.print(t)
        _print_knee(c, line.knee, s.threshold, line.points)
        if len(s.servers) == 1:
            _print_plateau(c, s)
        return
    if len(s.servers) == 1:
        _print_storage(c, s)
        return
    t = Table(
        title=f"Sweep: servers {s.servers[0]}..{s.servers[-1]} x units "
        f"{s.storage_units[0]}..{s.storage_units[-1]} ({s.evaluations:,} points in "
        f"{s.elapsed_seconds:.2f} s)",
        title_justify="left",
    )
    for col in (
        "units",
        "largest feasible servers",
        label,
        "efficiency",
        "knee at servers",
        "knee caused by",
    ):
        t.add_column(col, justify="left" if col == "knee caused by" else "right")
    for line in s.lines:
        feas = [(i, p) for i, p in enumerate(line.points) if p.feasible]
        if feas:
            i, p = feas[-1]
            top, val, eff = (
                str(p.servers),
                _metric(p.metric(s.metric), s.metric),
                pct(line.efficiency[i]),
            )
        else:
            top, val, eff = "none", "-", "-"
        k = line.knee
        t.add_row(
            str(line.storage_units),
            top,
            val,
            eff,
            "linear" if k is None else str(k.servers),
            "-" if k is None else bottleneck_label(k.bottleneck_kind, k.bottleneck_group),
        )
    c.print(t)


def _print_knee(c: Console, k: Any, threshold: float, points: list[SweepPoint]) -> None:
    if k is None:
        feas = [p for p in points if p.feasible]
        if feas and len(feas) < len(points):
            c.print(
                f"Scaling stays linear (efficiency >= {threshold:.0%}) up to "
                f"{feas[-1].servers} servers, the most the switches' ports take."
            )
        else:
            c.print(f"Scaling stays linear (efficiency >= {threshold:.0%}) over the whole range.")
        return
    c.print(
        f"[bold]Knee:[/bold] at {k.servers} servers efficiency drops to {k.efficiency:.0%} "
        f"(< {threshold:.0%}); caused by {bottleneck_label(k.bottleneck_kind, k.bottleneck_group)}"
    )


def _print_storage(c: Console, s: SweepResult) -> None:
    n = s.servers[0]
    t = Table(title=f"Storage scaling at {n} servers", title_justify="left")
    for col in (
        "units",
        _metric_label(s.metric),
        "GPU data util.",
        "least-fed workload",
        "bottleneck",
    ):
        t.add_column(col, justify="left" if col == "bottleneck" else "right")
    for line in s.lines:
        p = line.points[0]
        t.add_row(
            str(p.storage_units),
            _metric(p.metric(s.metric), s.metric),
            pct(p.gpu_data_utilization),
            pct(p.min_gpu_data_utilization),
            bottleneck_label(p.bottleneck_kind, p.bottleneck_group)
            if p.feasible
            else f"infeasible: {p.note}",
        )
    c.print(t)
    _print_plateau(c, s)


def _print_plateau(c: Console, s: SweepResult) -> None:
    pl = s.plateau[0]
    if pl["storage_units"] is None:
        return
    c.print(
        f"More storage stops helping at {pl['storage_units']} units "
        f"(99% of the best, {_metric(pl['metric_value'], s.metric)}); then limited by "
        f"{_bott_dict(pl['bottleneck'])}"
    )


# ------------------------------------------------------------------------------ failures


def print_failures(
    cases: Sequence[FailureCase], scenario: str, metric: str, console: Console | None = None
) -> None:
    """One row per N-1 case, the worst marked."""
    c = _console(console)
    c.print(f"[bold]{scenario}[/bold]")
    label = _metric_label(metric)
    t = Table(title="Single failures (N-1)", title_justify="left")
    for col in ("lost", "element", label, "vs baseline", "GPU data util.", "bottleneck", "note"):
        t.add_column(
            col, justify="left" if col in ("lost", "element", "bottleneck", "note") else "right"
        )
    for x in cases:
        val = x.images_per_sec if metric == "images_per_sec" else x.read_bytes_per_sec
        t.add_row(
            ("[bold]" + x.kind + " (worst)[/bold]") if x.worst else x.kind,
            x.element,
            _metric(val, metric),
            pct(x.relative),
            pct(x.gpu_data_utilization),
            _bott_dict(x.bottleneck),
            x.note,
        )
    c.print(t)
    worst = next((x for x in cases if x.worst), None)
    if worst is not None:
        if worst.total_loss:
            c.print(
                f"[bold]Worst single failure:[/bold] {worst.kind} {worst.element} loses everything: {worst.note}"
            )
        else:
            c.print(
                f"[bold]Worst single failure:[/bold] {worst.kind} {worst.element}: "
                f"{pct(worst.relative)} of the baseline {label}, busiest resource at "
                f"{pct(worst.peak_utilization)}"
            )


# ------------------------------------------------------------------------------ compare


def print_comparison(cmp: Comparison, console: Console | None = None) -> None:
    """Designs as columns, figures as rows."""
    c = _console(console)
    t = Table(title="Design comparison", title_justify="left")
    t.add_column("")
    for i, r in enumerate(cmp.rows, 1):
        t.add_column(f"{i}. {r.scenario}", justify="right", overflow="fold")

    def row(label: str, values: list[str]) -> None:
        t.add_row(label, *values)

    rows = cmp.rows
    row("servers / GPUs", [f"{r.servers} / {r.gpus}" for r in rows])
    row("images/s", [_img(r.images_per_sec) for r in rows])
    row("read from storage", [rate(r.read_bytes_per_sec) for r in rows])
    row("GPU data utilization", [pct(r.gpu_data_utilization) for r in rows])
    row("bottleneck", [_bott_dict(r.bottleneck) for r in rows])
    row("storage", [r.storage for r in rows])
    row("switches", [f"{r.switches}x {r.switch}" for r in rows])
    row("switch ports used", [f"{r.ports_used} of {r.ports_available}" for r in rows])
    row("rack units", [f"{r.rack_units:g} U" for r in rows])
    row(
        "power",
        [f"{r.power_watts:,.0f} W" + ("" if r.power_complete else " (partial)") for r in rows],
    )
    row(
        "storage units needed",
        [
            (f"{r.sizing.storage_units}x {r.sizing.unit_id}" if r.sizing.met else "not reachable")
            for r in rows
        ],
    )
    c.print(t)
    objectives = {r.sizing.objective: r.sizing for r in rows}
    for sz in objectives.values():
        c.print(f"Storage units needed for: {_objective_text(sz)}")
    for i, r in enumerate(rows, 1):
        if not r.sizing.met:
            c.print(f"{i}. {r.sizing.reason}")
        if not r.power_complete:
            c.print(f"{i}. power is partial: a part has no power figure in the catalog")
