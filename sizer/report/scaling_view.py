"""The report's scaling section as plain data, formatted from a scaling study.

Pure: a scenario's analysis in, a dict of formatted text, chart series and table rows
out (or ``None`` when the scaling module is not installed).  What is computed is
:func:`sizer.scaling.report_study` (a server sweep to twice the design, a storage sweep,
the sizing, the headroom and the N-1 cases); this module only puts it into words,
chart series and tables.  Charts are drawn from the series by
:func:`sizer.report.charts.scaling_chart`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.fmt import join_words
from sizer.text import NO_BOTTLENECK, counted, failure_words, fed_words, survive_words

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["scaling_context"]


def _objective_words(objective: str, target: float) -> str:
    if objective == "min-utilization":
        return fed_words(target)
    if objective == "images-per-sec":
        return f"{fmt.images(target)} images/s in all"
    from sizer.scaling.evaluate import READ_CEILING_FRACTION

    # the target is 99% of the read ceiling: print the ceiling, the figure the summary gives
    ceiling = target / READ_CEILING_FRACTION
    return f"reading within 1% of the {fmt.rate(ceiling)} unlimited storage would give"


def _mix_words(d: Any, base: int) -> str:
    """``4 DGX H100 (Llama-3.1-405B training) + 1 DGX H100 (UNet3D training)``."""
    from sizer.report.names import group_words

    total = sum(g.count for g in d.servers)
    return " + ".join(f"{g.count * base // total} {group_words(d, g.index)}" for g in d.servers)


def _bar_line(sizing: Any) -> dict[str, Any] | None:
    """The sizing bar as a line on the utilization chart (one common bar only)."""
    bars = {b for b in sizing.bars if b is not None}
    if sizing.objective != "min-utilization" or len(bars) != 1:
        return None
    b = bars.pop()
    return {"y": 100 * b, "label": f"{fmt.pct(b)} bar"}


#: Ports per switch assumed past the port limit: more than any sweep can cable.
UNLIMITED_PORTS = 1_000_000


def _beyond_ports(S: Any, d: Any, servers: list[int]) -> list[Any]:
    """The sweep points the switches have no ports for, evaluated as if they had (one or
    two flat switches only: a leaf-spine fabric with more ports per leaf is a different
    tree, not the same one carried further)."""
    if d.topology not in ("single-switch", "dual-switch") or not servers:
        return []
    wide = dataclasses.replace(d, switch_ports=UNLIMITED_PORTS)
    points = [S.evaluate(S.vary(wide, servers=k)) for k in sorted(servers)]
    return [p for p in points if p.feasible]


def scaling_context(a: Analysis) -> dict[str, Any] | None:
    """The scaling section for analysis ``a``; None if :mod:`sizer.scaling` is missing."""
    try:
        from sizer import scaling as S
    except ImportError:  # pragma: no cover - scaling stage not installed
        return None
    d = a.design
    n, m = d.total_servers, d.storage[0].count
    unit = d.storage[0].unit_name
    uid = fmt.short_product(d.storage[0].unit_name, d.storage[0].unit_id)  # words, not the id
    reads_only = not any(not w.unbounded for w in a.workloads)

    study = S.report_study(a)
    base = study.mix_step
    ss = study.servers
    line = ss.lines[0]
    st = study.storage
    sizing = study.sizing
    head = study.headroom
    cases = study.failures.cases

    # ---------------------------------------------------------------- server sweep
    feas = [(p, i) for p, i in zip(line.points, line.ideal, strict=True) if p.feasible]
    scale = 1e9 if reads_only else 1.0
    sample = a.sample_unit or "sample"
    # unlike samples (UNet3D volumes and ImageNet images) are not summed: the chart counts
    # the GPUs the data path keeps fed (GPUs x data utilization), ideal = every GPU fed
    fed_gpus = not reads_only and not a.samples_alike
    what = (
        "Read bandwidth" if reads_only else "Fed GPUs" if fed_gpus else f"{sample.capitalize()}s/s"
    )
    ylab = (
        "read from storage (GB/s)"
        if reads_only
        else "GPUs fed (GPU-equivalents)"
        if fed_gpus
        else f"{sample}s/s (all workloads)"
    )
    xs = [p.servers for p, _ in feas]
    if fed_gpus:
        ach = [p.gpus * (p.gpu_data_utilization or 0.0) for p, _ in feas]
        ideal = [float(p.gpus) for p, _ in feas]
    else:
        ach = [(p.metric(ss.metric) or 0.0) / scale for p, _ in feas]
        ideal = [(i or 0.0) / scale for _, i in feas]
    marks = [{"x": n, "label": f"this design: {n}"}]
    knee = line.knee
    if knee is not None:
        marks.append({"x": knee.servers, "label": f"knee: {knee.servers}"})
    infeasible = [p.servers for p in line.points if not p.feasible]
    # past the switch-port limit the curve goes on with enough ports assumed (as the RA's
    # scaling figures do), so the reader sees where the data path itself would saturate
    beyond = _beyond_ports(S, d, infeasible) if xs else []
    bx = [p.servers for p in beyond]
    if fed_gpus:
        bach = [p.gpus * (p.gpu_data_utilization or 0.0) for p in beyond]
        bideal = [float(p.gpus) for p in beyond]
    else:
        bach = [(p.metric(ss.metric) or 0.0) / scale for p in beyond]
        bideal = [ideal[0] * x / xs[0] for x in bx] if ideal else []
    if bx:
        marks.append({"x": xs[-1], "label": f"switch-port limit: {xs[-1]}"})
    paragraphs = []
    if base > 1:
        paragraphs.append(
            f"The server sweep keeps the design's mix of compute groups, so it steps by "
            f"{base} servers ({_mix_words(d, base)})."
        )
    if knee is None:
        paragraphs.append(
            f"Servers: with {m} × {unit}, the result grows linearly (at least "
            f"{fmt.pct(ss.threshold)} of ideal) from {xs[0] if xs else 1} to "
            f"{xs[-1] if xs else n} servers; no knee in the range swept."
        )
    else:
        bn = f", limited by {knee.bottleneck_group}" if knee.bottleneck_group else ""
        paragraphs.append(
            f"Servers: with {m} × {unit}, scaling stays linear up to "
            f"{knee.last_linear_servers or 1} servers; at {knee.servers} servers it reaches "
            f"{fmt.pct(knee.efficiency)} of ideal (the knee){bn}."
        )
    if infeasible and bx:
        limit = next((p for p in beyond if p.bottleneck_group), None)
        below = next(
            (
                p.servers
                for p, a_, i_ in zip(beyond, bach, bideal, strict=True)
                if i_ > 0 and a_ / i_ < ss.threshold
            ),
            None,
        )
        if limit is not None:
            where = (
                f"; with enough ports, {limit.bottleneck_group} would become the limit at "
                f"{limit.servers} servers"
            )
            if below is not None:
                where += f" and the result fall below {fmt.pct(ss.threshold)} of ideal at {below}"
        else:
            where = f"; with enough ports it stays linear up to {bx[-1]} servers"
        paragraphs.append(
            f"From {min(infeasible)} servers on, the switches run out of ports for this "
            f"cabling. The chart goes on past that limit (dashed) as if the switches had "
            f"the ports{where}."
        )
    elif infeasible:
        paragraphs.append(
            f"From {min(infeasible)} servers on, the switches run out of ports for this "
            "cabling; those points are left out."
        )
    figures: list[dict[str, Any]] = [
        {
            "chart": "scaling_servers",
            "caption": (
                f"{what} over server count at "
                f"{m} × {uid}: achieved (solid) vs ideal-linear (dashed)"
                + ("; the knee is marked" if knee else "; no knee in range")
                + (
                    "; past the marked switch-port limit (dashed) the switches are assumed "
                    "to have the ports."
                    if bx
                    else "."
                )
            ),
            "series": [
                {"label": "achieved", "x": xs, "y": ach, "style": "measured"},
                {"label": "ideal linear", "x": xs + bx, "y": ideal + bideal, "style": "ideal"},
            ]
            + (
                [
                    {
                        "label": "past the switch-port limit (ports assumed)",
                        "x": xs[-1:] + bx,
                        "y": ach[-1:] + bach,
                        "style": "other",
                    }
                ]
                if bx
                else []
            ),
            "xlabel": "GPU servers",
            "ylabel": ylab,
            "marks": marks,
        }
    ]

    # ---------------------------------------------------------------- storage sweep
    spts = sorted(
        (p for ln in st.lines for p in ln.points if p.feasible), key=lambda p: p.storage_units
    )
    ux = [p.storage_units for p in spts]
    smarks = [{"x": m, "label": f"this design: {m}"}]
    if sizing.met and sizing.storage_units is not None:
        smarks.append(
            {"x": sizing.storage_units, "label": f"fewest meeting target: {sizing.storage_units}"}
        )
    if reads_only:
        sseries = [
            {
                "label": "read from storage",
                "x": ux,
                "y": [(p.read_bytes_per_sec or 0.0) / 1e9 for p in spts],
                "style": "measured",
            }
        ]
        sy = "read from storage (GB/s)"
    else:
        gpu_workloads = sum(1 for w in a.workloads if not w.unbounded)
        sseries = [
            {
                "label": "GPU data utilization (all GPUs)",
                "x": ux,
                "y": [100 * (p.gpu_data_utilization or 0.0) for p in spts],
                "style": "measured",
            }
        ]
        if gpu_workloads > 1:  # with one workload the least-fed one is the same line
            sseries.append(
                {
                    "label": "least-fed workload",
                    "x": ux,
                    "y": [100 * (p.min_gpu_data_utilization or 0.0) for p in spts],
                    "style": "other",
                }
            )
        sy = "GPU data utilization (%)"
    bar = _bar_line(sizing) if not reads_only else None
    servers_words = f"{n} server{'s' if n != 1 else ''}"
    figures.append(
        {
            "chart": "scaling_storage",
            "caption": (
                f"{'Read bandwidth' if reads_only else 'GPU data utilization'} over the "
                f"number of {uid} units at {servers_words}; the design's count and the "
                "fewest meeting the target are marked"
                + (
                    f"; the dashed green line is the {bar['label']} (every GPU workload at "
                    "least this fed)."
                    if bar
                    else "."
                )
            ),
            "series": sseries,
            "xlabel": f"{uid} units",
            "ylabel": sy,
            "marks": smarks,
            "percent": not reads_only,
            "bar": bar,
        }
    )
    obj = (
        sizing.bar_words
        if sizing.objective == "min-utilization" and sizing.bar_words
        else _objective_words(sizing.objective, sizing.target)
    )
    if sizing.met and sizing.storage_units is not None:
        verb = (
            "is the fewest that meets"
            if sizing.storage_units == 1
            else ("are the fewest that meet")
        )
        paragraphs.append(
            f"Storage: {sizing.storage_units} × {unit} {verb} the target "
            f"({obj}); this design has {m}."
        )
    else:
        paragraphs.append(f"Storage: no count of {unit} meets the target ({obj}): {sizing.reason}.")
    if head.multiplier is None:
        head_text = "–"
        paragraphs.append(f"Growth: {head.note}.")
    elif math.isinf(head.multiplier):
        head_text = "unlimited"
        paragraphs.append("Growth: no resource in the data path ever limits the GPUs.")
    else:
        head_text = fmt.factor(head.multiplier)
        lim = f"; then {head.limiting['group']} limits" if head.limiting else ""
        sat = head.saturation
        first = (
            f" The first resource to fill, {head.saturates['group']}, saturates at "
            f"{fmt.factor(sat)} (from there on something runs at 100%)."
            if head.saturates and sat is not None and math.isfinite(sat) and sat > 1.0
            else ""
        )
        paragraphs.append(
            f"Growth: per-GPU demand (faster GPUs, a lighter model) can grow "
            f"{head_text} before a GPU workload drops under "
            f"{fmt.pct(head.min_utilization)} fed{lim}.{first}"
        )

    # ---------------------------------------------------------------- N-1 table
    base_gpus = float(sum(w.gpus for w in a.workloads if not w.unbounded))
    policy = any(c.checkpoint is not None for c in cases)
    rows = []
    for c in cases:
        limit = (c.bottleneck or {}).get("group")
        if not limit:
            limit = "–" if reads_only else NO_BOTTLENECK
        metric = (
            fmt.rate(c.read_bytes_per_sec)
            if reads_only
            else fmt.images(base_gpus * (c.gpu_data_utilization or 0.0))
            if fed_gpus
            else fmt.images(c.images_per_sec)
        )
        rows.append(
            [
                failure_words(c.kind),
                c.element,
                fmt.count(c.equivalent),
                metric,
                fmt.pct(c.relative),
                fmt.pct(c.gpu_data_utilization),
                fmt.count(c.servers_cut_off),
                limit,
                *([_checkpoint_cell(c.checkpoint)] if policy else []),
            ]
        )
    worst = study.failures.worst
    hurts = study.failures.worst_hurts
    what = "read bandwidth" if reads_only else f"{sample}s/s"
    if worst is not None and hurts:
        paragraphs.append(
            f"Failures: losing {failure_words(worst.kind)} hurts most "
            f"({worst.element}): the POD keeps {fmt.pct(worst.relative)} of its {what}"
            + (
                f", GPU data utilization falls to {fmt.pct(worst.gpu_data_utilization)}"
                if worst.gpu_data_utilization is not None
                and a.gpu_data_utilization is not None
                and worst.gpu_data_utilization < a.gpu_data_utilization - 1e-9
                else ""
            )
            + (
                f", and {counted(worst.servers_cut_off, 'server')} "
                f"{'loses its' if worst.servers_cut_off == 1 else 'lose their'} path to storage"
                if worst.servers_cut_off
                else ""
            )
            + "."
        )
    elif worst is not None:
        paragraphs.append(
            f"Failures: no single lost storage unit, switch or cable lowers the "
            f"{what} or the GPU data utilization (table below)."
        )
    if policy:
        bad = [c for c in cases if c.checkpoint is not None and not c.checkpoint["fits"]]
        paragraphs.append(
            f"Checkpoints: the policy still fits in {len(cases) - len(bad)} of {len(cases)} "
            "cases (save and restore solved on what is left)"
            + (
                "; it does not after losing "
                + join_words([f"{failure_words(c.kind)} {c.element}" for c in bad])
                if bad
                else ""
            )
            + "."
        )
    for r, c in zip(rows, cases, strict=True):
        if c.worst and hurts:
            r[0] += " (worst)"
    tables = [
        {
            "id": "failures",
            "title": "N-1 failures",
            "headers": [
                "Lost",
                "Element (example)",
                "Alike",
                "Read" if reads_only else "Fed GPUs" if fed_gpus else f"{sample.capitalize()}s/s",
                "Of intact",
                "GPU data util.",
                "Servers cut off",
                "Limited by",
                *(["Checkpoint save"] if policy else []),
            ],
            "numeric": [
                False,
                False,
                True,
                True,
                True,
                True,
                True,
                False,
                *([True] if policy else []),
            ],
            "widths": [10, 20, 7, 12, 8, 8, 9, 14, 12] if policy else [13, 27, 7, 11, 8, 9, 10, 15],
            "rows": rows,
            "note": "One element lost at a time; 'Alike' counts the elements whose loss is the "
            "same case. Figures are the full analysis on the degraded fabric.",
        }
    ]

    summary = None
    if reads_only and sizing.met and sizing.storage_units is not None:
        got = sizing.achieved.read_bytes_per_sec if sizing.achieved is not None else None
        lim = f" while {a.bottleneck['group']} is the limit" if a.bottleneck else ""
        summary = (
            f"{sizing.storage_units} × {unit} already read {fmt.rate(got)}, within 1% of what "
            f"unlimited storage would give (this design has {m}): more storage would not "
            f"read faster{lim}."
        )
    if not reads_only:
        if sizing.met and sizing.storage_units is not None:
            verb = (
                "is the fewest that keeps"
                if sizing.storage_units == 1
                else ("are the fewest that keep")
            )
            summary = f"{sizing.storage_units} × {unit} {verb} {obj} (this design has {m})"
        else:
            summary = f"No count of {unit} keeps {obj}"
        sv = study.survivable
        if sizing.met and sv is not None and sv.survive != "none":
            lost = survive_words(sv.survive, d.topology)
            summary += (
                f". To keep that with {lost} failed (N+1), {sv.storage_units} × {unit} "
                f"{'is' if sv.storage_units == 1 else 'are'} needed, the count we recommend"
                if sv.met
                else f". No count keeps that with {lost} failed (N+1): {sv.reason}"
            )
        if head.multiplier is not None and math.isfinite(head.multiplier):
            summary += (
                f"; per-GPU demand can grow {head_text} before a GPU workload drops "
                f"under {fmt.pct(head.min_utilization)} fed."
            )
        else:
            summary += "."
    key = []
    sv = study.survivable
    if sizing.met and sv is not None and sv.survive != "none":
        key.append(
            {
                "label": "Recommended (N+1)",
                "value": f"{sv.storage_units} × {uid}, surviving "
                f"{survive_words(sv.survive, d.topology)}"
                if sv.met
                else f"none survives {survive_words(sv.survive, d.topology)}",
            }
        )
    key += [
        {
            "label": "Fewest storage units",
            "value": (
                f"{sizing.storage_units} × {uid} for {obj}" if sizing.met else "target not met"
            ),
        }
    ]
    if head_text != "–":
        key.append(
            {
                "label": "Demand growth headroom",
                "value": f"{head_text} before a GPU drops under "
                f"{fmt.pct(head.min_utilization)} fed",
            }
        )
    from sizer.report.names import words_deep, words_for

    # resource groups and failed elements in product words, not catalog ids
    out: dict[str, Any] = words_deep(
        {
            "paragraphs": paragraphs,
            "figures": figures,
            "tables": tables,
            "summary_sentence": summary,
            "key_figures": key,
        },
        words_for(a),
        skip=frozenset({"chart", "id", "series"}),
    )
    return out


def _checkpoint_cell(ck: dict[str, Any] | None) -> str:
    """A failure case's checkpoint save: ``12.2 s``, ``12.2 s (does not fit)``, ``none``
    (no save: a server or the data out of reach; the case's limit says which)."""
    if ck is None:
        return "–"
    if ck["save_seconds"] is None:
        return "none"
    text = f"{ck['save_seconds']:,.1f} s"
    return text if ck["fits"] else f"{text} (does not fit)"
