"""The report's capacity section as plain data: raw, usable, needed, headroom, years
until full (from the design's :class:`sizer.capacity.CapacityPlan`)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from sizer.report import fmt

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["capacity_context"]


def _tb(b: float) -> str:
    if b == 0:
        return "–"
    return f"{b / 1e12:,.1f} TB" if b >= 1e12 else fmt.size(b)


def _years(y: float) -> str:
    if math.isinf(y):
        return "not within any horizon (no growth)"
    if y <= 0:
        return "already full"
    return f"{y:,.1f} years"


def capacity_context(a: Analysis) -> dict[str, Any] | None:
    """Rows and sentences of the capacity section (None: the design has no plan)."""
    d = a.design
    p = d.capacity
    if p is None:
        return None
    units = []
    sources: list[str] = []
    for s, u in zip(d.storage, p.units, strict=True):
        if u is None:
            units.append(
                {
                    "unit": s.unit_name,
                    "count": fmt.count(s.count),
                    "drives": "–",
                    "protection": "–",
                    "efficiency": "–",
                    "raw": "n/a",
                    "usable": "n/a",
                    "raw_total": "n/a",
                    "usable_total": "n/a",
                }
            )
            continue
        units.append(
            {
                "unit": s.unit_name,
                "count": fmt.count(s.count),
                "drives": u.drives,
                "protection": u.protection,
                "efficiency": fmt.pct(u.usable_bytes / u.raw_bytes),
                "raw": _tb(u.raw_bytes),
                "usable": _tb(u.usable_bytes),
                "raw_total": _tb(s.count * u.raw_bytes),
                "usable_total": _tb(s.count * u.usable_bytes),
            }
        )
        for line in u.sources:
            if line not in sources:
                sources.append(line)
    usable = p.usable_bytes()
    need = p.needed_bytes
    head = usable - need
    datasets_from = p.datasets_from
    for w in a.design.workloads:  # catalog names, not ids: "catalog: KiTS19 24.6 GB"
        if w.dataset_id and w.dataset_name and datasets_from.startswith("catalog: "):
            datasets_from = re.sub(
                rf"(?<=[: ]){re.escape(w.dataset_id)}(?= )", fmt.dataset_words(w), datasets_from
            )
    need_rows = [
        {"what": f"Datasets ({datasets_from})", "value": _tb(p.datasets_bytes)},
        {"what": "Retained checkpoints", "value": _tb(p.checkpoints_bytes)},
        {"what": "Scratch and other data", "value": _tb(p.scratch_bytes)},
        {"what": "Needed today", "value": _tb(p.needed_now)},
        {
            "what": f"Needed in {p.horizon_years} years at {fmt.pct(p.growth_per_year)} "
            "growth per year",
            "value": _tb(need),
        },
    ]
    first = p.units_needed(0)
    s0 = d.storage[0]
    if first is None and p.problems:
        verdict = "Capacity is not sized: " + "; ".join(p.problems) + "."
    elif first is None:
        verdict = (
            f"The catalog has no drive or protection figures for {s0.unit_name}; "
            "capacity is not sized."
        )
    else:
        where = " in every server (each server holds its own copy)" if p.per_server else ""
        verdict = (
            f"{fmt.count(first)} × {s0.unit_name}{where} {'holds' if first == 1 else 'hold'} "
            "what is needed in "
            f"{p.horizon_years} years ({_tb(need)}); the design has {fmt.count(s0.count)}."
        )
    note = (
        "The scenario states no capacity: the need is the workloads' catalog datasets only."
        if not p.stated
        else ""
    )
    formula = (
        "usable = raw × data / (data + parity) × (1 − spare drives / drives) − "
        "file-system overhead; needed = (datasets + checkpoints + scratch) × "
        "(1 + growth) ^ years."
    )
    return {
        "units": units,
        "need": need_rows,
        "raw_total": _tb(p.raw_bytes()),
        "usable_total": _tb(usable),
        "sized": first is not None,
        "headroom": "–" if first is None else _tb(head) if head >= 0 else f"−{_tb(-head)} (short)",
        "headroom_pct": fmt.pct(head / usable) if usable > 0 and first is not None else "–",
        "years_full": _years(p.years_until_full()) if first is not None else "–",
        "verdict": verdict,
        "note": note,
        "formula": formula,
        "sources": sources,
        "complete": p.complete,
    }
