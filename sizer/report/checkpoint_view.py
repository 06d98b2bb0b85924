"""The report's checkpoint section as plain data: what is saved, save and restore times,
what bounds them, the interval, the overhead or drain headroom, the fewest storage units
whose checkpoints fit, and a chart of save and restore time against storage units (from
:func:`sizer.scaling.checkpoints.checkpoint_study`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.text import burst_bound, duration

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["checkpoint_context"]


def _gb(b: float) -> str:
    return f"{b / 1e12:,.2f} TB" if b >= 1e12 else f"{b / 1e9:,.1f} GB"


def checkpoint_context(a: Analysis) -> dict[str, Any] | None:
    """Sentences, table rows and the chart's series (None: no ``checkpoint:``)."""
    from sizer.checkpointing import NOT_MODELED
    from sizer.scaling.checkpoints import checkpoint_study

    study = checkpoint_study(a)
    if study is None:
        return None
    d = a.design
    r = study.result
    c = r.checkpoint
    p = d.checkpoint.policy if d.checkpoint is not None else None
    assert p is not None
    unit = d.storage[0].unit_name
    m = d.storage[0].count
    mode = "synchronous" if r.mode == "sync" else "asynchronous"
    job = (
        f"{c.model} trains on {fmt.count(c.ranks)} GPUs (tensor parallel {c.tp} × pipeline "
        f"parallel {c.pp} × data parallel {c.dp}, ZeRO-{c.zero}, {c.precision} + "
        f"{c.optimizer}). One checkpoint is {_gb(c.checkpoint_bytes)} "
        f"({c.checkpoint_bytes / c.params:.0f} bytes per parameter) in {fmt.count(c.files)} "
        f"files, written by {fmt.count(c.writing_ranks)} ranks; the busiest server writes "
        f"{_gb(r.staged_bytes_per_server)}."
    )
    interval = (
        f"every {duration(r.interval_seconds)} (the scenario's interval)"
        if r.interval_rule == "scenario"
        else f"every {duration(r.interval_seconds)} (Young's optimum √(2 × save × MTBF) for "
        f"an MTBF of {p.mtbf_hours:,g} h)"
    )
    if r.overhead_fraction is not None:
        cost = (
            f"Each {mode} save stops every GPU for "
            f"{duration(r.save.seconds)}: {r.overhead_fraction:.2%} of training time "
            f"({r.gpu_hours_lost_per_hour:,.2f} GPU-hours per hour), allowed "
            f"{p.max_overhead:.1%}."
        )
    else:
        cost = (
            f"An {mode} save is staged in host memory and drained to storage in "
            f"{duration(r.save.seconds)}, {r.drain_headroom:,.1f}× faster than the "
            f"{duration(r.interval_seconds)} between saves."
        )
    verdict = (
        f"The policy fits with {m} × {unit}."
        if r.fits
        else f"The policy does not fit with {m} × {unit}: " + "; ".join(r.problems) + "."
    )
    s = study.sizing
    sizing = (
        f"The fewest {unit} whose checkpoints fit the policy: {s.storage_units}."
        if s.met
        else f"No count of {unit} fits the policy: {s.reason}."
    )
    rows = [
        {
            "what": name,
            "bytes": _gb(b.bytes),
            "time": duration(b.seconds),
            "rate": fmt.rate(b.rate),
            "bound": burst_bound(b.bound_by, direction),
        }
        for name, b, direction in (
            ("Save (write)", r.save, "write"),
            ("Restore (every rank reads)", r.restore, "read"),
        )
    ]
    feas = [pt for pt in study.sweep if pt.result is not None]
    series = [
        {
            "label": "save (s)",
            "x": [pt.storage_units for pt in feas],
            "y": [pt.result.save.seconds for pt in feas if pt.result is not None],
            "style": "measured",
        },
        {
            "label": "restore (s)",
            "x": [pt.storage_units for pt in feas],
            "y": [pt.result.restore.seconds for pt in feas if pt.result is not None],
            "style": "other",
        },
    ]
    marks = [{"x": m, "label": f"design: {m}"}]
    if s.met and s.storage_units is not None and s.storage_units != m:
        marks.append({"x": s.storage_units, "label": f"fewest fitting: {s.storage_units}"})
    notes = []
    if r.save.unknown_storage:
        notes.append(
            f"The catalog has no write figure for {unit}: storage bounds no save, so the "
            "save time is a lower bound."
        )
    notes.append(
        "Saves and restores are solved on the same max-min model as the reads: every "
        "server moves its ranks' bytes, striped over every storage unit, through the links "
        "in its direction (the same rate per direction), the switches and the storage "
        "units' write or read figure, with the other workloads' reads running meanwhile (a "
        "save gets what they leave of the switches; a restore shares storage, links and "
        "switches with them max-min fairly, a share per rank and per GPU); when the first "
        "servers finish the others share what they freed. Not modeled: "
        + "; ".join(NOT_MODELED)
        + "."
    )
    ctx: dict[str, Any] = {
        "paragraphs": [job, f"Checkpoints are saved {interval}. {cost} {verdict} {sizing}"],
        "rows": rows,
        "figure": {
            "chart": "checkpoint",
            "series": series,
            "marks": marks,
            "xlabel": f"{unit} units",
            "ylabel": "seconds",
            "caption": f"Save and restore time against the number of {unit} units "
            f"({fmt.count(c.ranks)} GPUs of {c.model}).",
        },
        "notes": notes,
        "summary": (
            f"A {_gb(c.checkpoint_bytes)} checkpoint saves in {duration(r.save.seconds)} "
            f"and restores in {duration(r.restore.seconds)}; "
            + ("the checkpoint policy fits." if r.fits else "the checkpoint policy does not fit.")
        ),
    }
    from sizer.report.names import words_deep, words_for

    # what bounds a save in product words ("ESS 3000 ×3 (storage write)"), not catalog ids
    out: dict[str, Any] = words_deep(ctx, words_for(a), skip=frozenset({"chart", "series"}))
    return out
