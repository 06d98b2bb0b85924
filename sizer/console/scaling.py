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
from rich.text import Text

from sizer.console.layout import Cell, Kind, bold, print_line, print_table
from sizer.text import (
    NO_BOTTLENECK,
    bottleneck_label,
    counted,
    duration,
    fed_words,
    pct,
    rate,
    watts,
)

if TYPE_CHECKING:
    from sizer.scaling import (
        Comparison,
        FailureCase,
        SizingResult,
        SweepPoint,
        SweepResult,
    )
    from sizer.scaling.study import SizingStudy

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


def _samples(x: float | None, unit: str | None) -> str:
    """``"1,387 volumes/s, "``; nothing when the workloads count unlike samples."""
    return "" if unit is None or x is None else f"{x:,.0f} {unit}s/s, "


def _metric(value: float | None, metric: str) -> str:
    if metric == "gpus_fed":
        return "-" if value is None else f"{value:,.1f}"
    return _img(value) if metric == "images_per_sec" else rate(value)


def _metric_label(metric: str, sample_unit: str | None = None) -> str:
    """The column of a metric: ``volumes/s`` for UNet3D's samples (default images/s)."""
    if metric == "images_per_sec":
        return f"{sample_unit or 'image'}s/s"
    return {"gpus_fed": "GPUs fed"}.get(metric, "read")


def _bott_dict(b: dict[str, Any] | None) -> str:
    return NO_BOTTLENECK if b is None else f"{b.get('group')} ({b.get('kind')})"


def _console(console: Console | None) -> Console:
    from sizer.console import make_console

    return console or make_console()


# ------------------------------------------------------------------------------ sizing


def _objective_text(r: SizingResult) -> str:
    if r.objective == "images-per-sec":
        return f"at least {r.target:,.0f} {r.sample_unit or 'image'}s/s in aggregate"
    if r.objective == "read-ceiling":
        return (
            f"read benchmark: within 1% of the {rate(r.target / 0.99)} the design reads "
            "with unlimited storage"
        )
    return r.bar_words or fed_words(r.target)


def print_sizing(study: SizingStudy, *, design_units: int, console: Console | None = None) -> None:
    """The answer of ``sizer size`` (a :class:`~sizer.scaling.study.SizingStudy`): units
    needed, the check point, every unit ranked, N+1, checkpoints, capacity, converse,
    headroom."""
    r, ranked, survivable = study.sizing, study.all_units, study.survivable
    c = _console(console)
    print_line(c, bold(r.scenario))
    print_line(c, f"Objective: {_objective_text(r)}")
    probes = ", ".join(f"{k} {'meets' if ok else 'short'}" for k, ok in r.probes)
    answer = "Answer" if study.checkpoint is None else "Data ingest"
    if r.met:
        print_line(
            c,
            bold(f"{answer}: {r.storage_units} x {r.unit_id}"),
            f" (the scenario has {design_units}); {r.reason}",
        )
    else:
        print_line(c, bold(f"Not reachable with {r.unit_id}:"), f" {r.reason}")
    print_line(c, f"Search (galloping + bisection): {probes}")
    p = r.achieved
    if p is not None and p.feasible:
        print_line(
            c,
            f"At {counted(p.storage_units, 'unit')}: {_samples(p.images_per_sec, r.sample_unit)}"
            f"{rate(p.read_bytes_per_sec)} read, GPU data utilization "
            f"{pct(p.gpu_data_utilization)} (least-fed workload "
            f"{pct(p.min_gpu_data_utilization)}); bottleneck: "
            f"{bottleneck_label(p.bottleneck_kind, p.bottleneck_group)}",
        )
    if ranked:
        rows = []
        for i, x in enumerate(ranked, 1):
            ru = (
                "-"
                if x.storage_units is None or x.unit_rack_units is None
                else f"{x.storage_units * x.unit_rack_units:g} U"
            )
            pw = (
                "-"
                if x.storage_units is None or x.unit_power_watts is None
                else watts(x.storage_units * x.unit_power_watts)
            )
            rows.append(
                [
                    str(i) if not x.skipped else "-",
                    x.unit_id,
                    "-" if x.storage_units is None else str(x.storage_units),
                    ru,
                    pw,
                    x.reason,
                ]
            )
        print_table(
            c,
            "Every catalog storage unit, ranked",
            ("#", "unit", "units needed", "rack units", "power", "answer"),
            ("num", "id", "num", "num", "num", "text"),
            rows,
        )
    if survivable is not None and survivable.survive != "none" and r.met:
        if survivable.met:
            print_line(
                c,
                bold(f"N+1: {survivable.storage_units} x {r.unit_id}"),
                f" ({survivable.reason})",
            )
        else:
            print_line(c, bold("N+1: not reachable:"), f" {survivable.reason}")
    ck = study.checkpoint
    if ck is not None:
        if ck.met and ck.at is not None and ck.at.result is not None:
            res = ck.at.result
            print_line(
                c,
                bold(f"Checkpoints: {ck.storage_units} x {r.unit_id}"),
                f" fit the policy (save {duration(res.save.seconds)}, restore "
                f"{duration(res.restore.seconds)})",
            )
        else:
            print_line(c, bold("Checkpoints: not reachable:"), f" {ck.reason}")
        if study.decides is not None:
            words = {
                "both": "data ingest and checkpoints need the same",
                "checkpoint": "checkpoints decide",
                "data ingest": "data ingest decides",
            }[study.decides]
            print_line(
                c,
                bold(f"Ingest and checkpoints: {study.storage_units} x {r.unit_id}"),
                f" ({words})",
            )
    if study.capacity is not None:
        print_line(c, f"Capacity: {study.capacity.reason}")
    print_line(c, f"Converse: {study.max_servers.reason}")
    print_line(c, f"Headroom: {study.headroom.note}")


# ------------------------------------------------------------------------------ sweeps


def _thin(n: int, keep: set[int]) -> list[int]:
    """Indices of at most ~MAX_ROWS rows, evenly spread, always keeping ``keep``."""
    if n <= MAX_ROWS:
        return list(range(n))
    step = math.ceil(n / MAX_ROWS)
    rows = set(range(0, n, step)) | {n - 1} | {i for i in keep if 0 <= i < n}
    return sorted(rows)


def _bott_or_note(p: SweepPoint) -> str:
    """A sweep row's bottleneck cell: ``compute-bound`` alone when nothing in the data
    path limits (the column already says "bottleneck"; the full words wrap at 80 columns)."""
    if not p.feasible:
        return f"infeasible: {p.note}"
    if p.bottleneck_kind is None:
        return "compute-bound"
    return bottleneck_label(p.bottleneck_kind, p.bottleneck_group)


def print_sweep(s: SweepResult, console: Console | None = None) -> None:
    """One line per server count (one unit count), one per unit count (one server
    count), or a summary per unit count (a grid)."""
    c = _console(console)
    label = _metric_label(s.metric, s.sample_unit)
    print_line(c, bold(s.scenario))
    if len(s.storage_units) == 1:
        line = s.lines[0]
        knee_i = {
            i for i, p in enumerate(line.points) if line.knee and p.servers == line.knee.servers
        }
        knee_i |= {i - 1 for i in knee_i}
        rows = []
        for i in _thin(len(line.points), knee_i):
            p = line.points[i]
            mark = " <- knee" if line.knee and p.servers == line.knee.servers else ""
            rows.append(
                [
                    f"{p.servers}{mark}",
                    str(p.gpus),
                    _metric(p.metric(s.metric), s.metric),
                    _metric(line.ideal[i], s.metric),
                    pct(line.efficiency[i]),
                    pct(p.gpu_data_utilization),
                    _bott_or_note(p),
                ]
            )
        print_table(
            c,
            f"Server scaling at {counted(line.storage_units, 'storage unit')}",
            ("servers", "GPUs", label, "ideal", "efficiency", "GPU data util.", "bottleneck"),
            ("num", "num", "num", "num", "num", "num", "text"),
            rows,
        )
        _print_knee(c, line.knee, s.threshold, line.points)
        if len(s.servers) == 1:
            _print_plateau(c, s)
        return
    if len(s.servers) == 1:
        _print_storage(c, s)
        return
    rows = []
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
        rows.append(
            [
                str(line.storage_units),
                top,
                val,
                eff,
                "linear" if k is None else str(k.servers),
                "-" if k is None else bottleneck_label(k.bottleneck_kind, k.bottleneck_group),
            ]
        )
    print_table(
        c,
        f"Sweep: servers {s.servers[0]}..{s.servers[-1]} x units "
        f"{s.storage_units[0]}..{s.storage_units[-1]} ({s.evaluations:,} points in "
        f"{s.elapsed_seconds:.2f} s)",
        (
            "units",
            "largest feasible servers",
            label,
            "efficiency",
            "knee at servers",
            "knee caused by",
        ),
        ("num", "num", "num", "num", "num", "text"),
        rows,
    )


def _print_knee(c: Console, k: Any, threshold: float, points: list[SweepPoint]) -> None:
    if k is None:
        feas = [p for p in points if p.feasible]
        if feas and len(feas) < len(points):
            print_line(
                c,
                f"Scaling stays linear (efficiency >= {threshold:.0%}) up to "
                f"{feas[-1].servers} servers, the most the switches' ports take.",
            )
        else:
            print_line(
                c, f"Scaling stays linear (efficiency >= {threshold:.0%}) over the whole range."
            )
        return
    print_line(
        c,
        bold("Knee:"),
        f" at {k.servers} servers efficiency drops to {k.efficiency:.0%} "
        f"(< {threshold:.0%}); caused by {bottleneck_label(k.bottleneck_kind, k.bottleneck_group)}",
    )


def _print_storage(c: Console, s: SweepResult) -> None:
    n = s.servers[0]
    rows = []
    for line in s.lines:
        p = line.points[0]
        rows.append(
            [
                str(p.storage_units),
                _metric(p.metric(s.metric), s.metric),
                pct(p.gpu_data_utilization),
                pct(p.min_gpu_data_utilization),
                _bott_or_note(p),
            ]
        )
    print_table(
        c,
        f"Storage scaling at {counted(n, 'server')}",
        (
            "units",
            _metric_label(s.metric, s.sample_unit),
            "GPU data util.",
            "least-fed workload",
            "bottleneck",
        ),
        ("num", "num", "num", "num", "text"),
        rows,
    )
    _print_plateau(c, s)


def _print_plateau(c: Console, s: SweepResult) -> None:
    pl = s.plateau[0]
    if pl["storage_units"] is None:
        return
    print_line(
        c,
        f"More storage stops helping at {pl['storage_units']} units "
        f"(99% of the best, {_metric(pl['metric_value'], s.metric)}); then limited by "
        f"{_bott_dict(pl['bottleneck'])}",
    )


# ------------------------------------------------------------------------------ failures


def _checkpoint_cell(ck: dict[str, Any] | None) -> str:
    """``save 11.8 s, restore 16.9 s`` (or why the policy does not fit)."""
    if ck is None:
        return "-"
    if ck["save_seconds"] is None or ck["restore_seconds"] is None:
        return "cannot save: " + "; ".join(ck["problems"])
    text = f"save {ck['save_seconds']:,.1f} s, restore {ck['restore_seconds']:,.1f} s"
    return text if ck["fits"] else f"{text}; does not fit: " + "; ".join(ck["problems"])


def print_failures(
    cases: Sequence[FailureCase],
    scenario: str,
    metric: str,
    console: Console | None = None,
    sample_unit: str | None = None,
) -> None:
    """One row per N-1 case, the worst marked (``sample_unit``: the metric's samples)."""
    c = _console(console)
    print_line(c, bold(scenario))
    # unlike samples (volumes and images) have no sum: the GPU demand delivered says it
    label = "GPU demand delivered" if metric == "gpus_fed" else _metric_label(metric, sample_unit)
    rows: list[list[Cell]] = []
    policy = any(x.checkpoint is not None for x in cases)
    for x in cases:
        val = x.images_per_sec if metric == "images_per_sec" else x.read_bytes_per_sec
        rows.append(
            [
                bold(x.kind + " (worst)") if x.worst else Text(x.kind),
                x.element,
                *([] if metric == "gpus_fed" else [_metric(val, metric)]),
                pct(x.relative),
                pct(x.gpu_data_utilization),
                _bott_dict(x.bottleneck),
                *([_checkpoint_cell(x.checkpoint)] if policy else []),
                x.note,
            ]
        )
    heads: tuple[str, ...] = ("lost", "element", label, "vs baseline", "GPU data util.")
    kinds: tuple[Kind, ...] = ("text", "text", "num", "num", "num")
    heads += ("bottleneck", *(["checkpoint"] if policy else []), "note")
    kinds += ("text", "text", "text") if policy else ("text", "text")
    if metric == "gpus_fed":
        heads, kinds = heads[:2] + heads[3:], kinds[:2] + kinds[3:]
    print_table(c, "Single failures (N-1)", heads, kinds, rows)
    if policy:
        bad = [x for x in cases if x.checkpoint is not None and not x.checkpoint["fits"]]
        print_line(
            c,
            bold("Checkpoints:"),
            f" the policy fits in {len(cases) - len(bad)} of {len(cases)} cases"
            + (
                "; not after losing " + ", ".join(f"{x.kind} {x.element}" for x in bad)
                if bad
                else ""
            ),
        )
    worst = next((x for x in cases if x.worst), None)
    if worst is not None:
        if worst.total_loss:
            print_line(
                c,
                bold("Worst single failure:"),
                f" {worst.kind} {worst.element} loses everything: {worst.note}",
            )
        else:
            print_line(
                c,
                bold("Worst single failure:"),
                f" {worst.kind} {worst.element}: "
                f"{pct(worst.relative)} of the baseline {label}, busiest resource at "
                f"{pct(worst.peak_utilization)}",
            )


# ------------------------------------------------------------------------------ compare


def _money(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _cost_fields(rows: list[Any]) -> list[tuple[str, list[str]]]:
    """The rows ``compare --prices`` adds: totals, ratios and the rank."""
    unit = rows[0].cost.unit

    def partial(c: Any) -> str:
        return "" if c.complete else " (partial)"

    return [
        (f"cost ({unit})", [_money(r.cost.total) + partial(r.cost) for r in rows]),
        ("storage data path cost", [_money(r.cost.storage_total) for r in rows]),
        ("per GB/s read", [_money(r.cost.per_read_gbps) for r in rows]),
        ("per usable TB", [_money(r.cost.per_usable_tb) for r in rows]),
        ("cost rank", [str(r.cost_rank) for r in rows]),
    ]


def print_cost(cost: dict[str, Any], console: Console | None = None) -> None:
    """``size --prices``: the sized design's cost (the JSON shape of sizer.cost.Cost)."""
    c = _console(console)
    unit = cost["currency"] or "price units"
    line = (
        f"Cost at {cost['storage_units']}x {cost['unit']} ({unit}): "
        f"{_money(cost['total'])} in all, storage data path {_money(cost['storage_total'])}, "
        f"{_money(cost['per_read_GBps'])} per GB/s read, "
        f"{_money(cost['per_usable_TB'])} per usable TB"
    )
    print_line(c, line)
    if cost["unpriced"]:
        print_line(c, "Not priced, not in the totals: " + ", ".join(cost["unpriced"]))


def print_comparison(cmp: Comparison, console: Console | None = None) -> None:
    """Designs as columns, figures as rows (one block per design when they do not fit)."""
    c = _console(console)
    rows = cmp.rows
    fields: list[tuple[str, list[str]]] = [
        ("servers / GPUs", [f"{r.servers} / {r.gpus}" for r in rows]),
        ("images/s", [_img(r.images_per_sec) for r in rows]),
        ("read from storage", [rate(r.read_bytes_per_sec) for r in rows]),
        ("GPU data utilization", [pct(r.gpu_data_utilization) for r in rows]),
        ("bottleneck", [_bott_dict(r.bottleneck) for r in rows]),
        ("storage", [r.storage for r in rows]),
        ("switches", [f"{r.switches}x {r.switch}" for r in rows]),
        ("switch ports used", [f"{r.ports_used} of {r.ports_available}" for r in rows]),
        ("rack units", [f"{r.rack_units:g} U" for r in rows]),
        (
            "power",
            [watts(r.power_watts) + ("" if r.power_complete else " (partial)") for r in rows],
        ),
        (
            "storage units needed",
            [
                f"{r.sizing.storage_units}x {r.sizing.unit_id}" if r.sizing.met else "not reachable"
                for r in rows
            ],
        ),
    ]
    if any(r.cost is not None for r in rows):
        fields += _cost_fields(rows)
    names = [f"{i}. {r.scenario}" for i, r in enumerate(rows, 1)]
    kinds: list[Kind] = ["id"]
    kinds += ["text"] * len(rows)
    print_table(
        c,
        "Design comparison",
        ["", *names],
        kinds,
        [[label, *values] for label, values in fields],
        stacked=[
            (bold(name), [(label, values[j]) for label, values in fields])
            for j, name in enumerate(names)
        ],
    )
    objectives = {r.sizing.objective: r.sizing for r in rows}
    for sz in objectives.values():
        print_line(c, f"Storage units needed for: {_objective_text(sz)}")
    for i, r in enumerate(rows, 1):
        if not r.sizing.met:
            print_line(c, f"{i}. {r.sizing.reason}")
        if not r.power_complete:
            print_line(c, f"{i}. power is partial: a part has no power figure in the catalog")
        if r.cost is not None and r.cost.unpriced:
            print_line(c, f"{i}. not priced, not in its cost: {', '.join(r.cost.unpriced)}")
    if any(r.cost is not None for r in rows):
        ranked = sorted(rows, key=lambda r: r.cost_rank)
        print_line(
            c,
            "Ranked by the storage data path's cost per GB/s of read bandwidth, then per "
            "usable TB: " + ", ".join(f"{r.cost_rank}. {r.scenario}" for r in ranked),
        )
