"""The comparison report (``sizer render A.yaml B.yaml --compare``): designs side by side
for an "option A vs option B" proposal, as plain data.

The figures are :func:`sizer.scaling.compare`'s (each design analyzed, and sized for the
same objective) and the bill of materials'; this module only formats them, one column
per design.  The catalog holds no prices, so the cost row says so rather than guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.context import TOPOLOGY_WORDS, header_text, servers_words
from sizer.report.names import words_for
from sizer.text import bottleneck_label, kind_noun

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.scaling import Comparison

__all__ = ["compare_context"]


def _need(row: Any, a: Analysis) -> str:
    sz = row.sizing
    if not sz.met or sz.storage_units is None:
        return f"no count meets it: {sz.reason}"
    st = a.design.storage[0]
    return f"{sz.storage_units} × {fmt.short_product(st.unit_name, st.unit_id)}"


def compare_context(
    analyses: list[Analysis],
    comparison: Comparison,
    files: list[str],
    *,
    report_date: str,
    version: str,
) -> dict[str, Any]:
    """Rows of ``(label, [value per design])`` and the designs' names and files."""
    names = [a.design.name for a in analyses]
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, values: list[str]) -> None:
        rows.append((label, values))

    add("Scenario file", files)
    add("GPU servers", [servers_words(a) for a in analyses])
    add("GPUs", [fmt.count(a.design.total_gpus) for a in analyses])
    add(
        "Storage",
        [
            ", ".join(f"{s.count} × {s.unit_name}" for s in a.design.storage)
            + f" ({fmt.rate(sum(s.count * s.read_bandwidth for s in a.design.storage))} read)"
            for a in analyses
        ],
    )
    add(
        "Fabric",
        [
            f"{r.switches} × {a.design.switch_name}, "
            f"{TOPOLOGY_WORDS.get(a.design.topology, a.design.topology)}; "
            f"{fmt.count(r.ports_used)} of {fmt.count(r.ports_available)} ports used"
            for a, r in zip(analyses, comparison.rows, strict=True)
        ],
    )
    add(
        "Images per second",
        [
            "–" if r.images_per_sec is None else f"{fmt.images(r.images_per_sec)} images/s"
            for r in comparison.rows
        ],
    )
    add("Read from storage", [fmt.rate(r.read_bytes_per_sec) for r in comparison.rows])
    add("GPU data utilization", [fmt.pct(r.gpu_data_utilization) for r in comparison.rows])
    add(
        "Bottleneck",
        [
            "none: compute-bound"
            if r.bottleneck is None
            else f"{bottleneck_label(kind_noun(r.bottleneck['kind']), words_for(a)(r.bottleneck['group']))} "
            f"at {fmt.pct(r.bottleneck['utilization'])}"
            for r, a in zip(comparison.rows, analyses, strict=True)
        ],
    )
    add(
        "Storage units for the target",
        [_need(r, a) for r, a in zip(comparison.rows, analyses, strict=True)],
    )
    add("Rack units", [f"{fmt.count(r.rack_units)} U" for r in comparison.rows])
    add(
        "Power (maximum)",
        [
            fmt.watts(r.power_watts)
            + ("" if r.power_complete else " (some parts without a figure)")
            for r in comparison.rows
        ],
    )
    add("Cost", ["no prices in the catalog" for _ in comparison.rows])
    objective = comparison.rows[0].sizing.bar_words if comparison.rows else ""
    if comparison.objective == "images-per-sec":
        objective = f"{fmt.images(comparison.target)} images/s in all"
    elif comparison.objective == "read-ceiling":
        objective = "reading within 1% of what unlimited storage would give"
    elif comparison.objective == "mixed":
        objective = "each design's own (GPU workloads: every one at least 90% fed)"
    title = " vs ".join(names)
    return {
        "title": "Design comparison",
        "scenario_name": title,
        "header": header_text(title),
        "designs": names,
        "rows": [{"label": k, "cells": v} for k, v in rows],
        "objective": objective,
        "date": report_date,
        "version": version,
        "widths": _widths(len(names)),
    }


def _widths(n: int) -> list[float]:
    """Column widths (%): the label column, then the designs evenly."""
    label = 20.0
    return [label] + [round((100.0 - label) / max(1, n), 2)] * n
