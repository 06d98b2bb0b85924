"""``--format csv`` of ``size``, ``sweep``, ``failures`` and ``compare``: the rows of their
``--json`` output as CSV for a spreadsheet (stdlib :mod:`csv`, one header row).

Each command's rows are the JSON objects it lists (sweep points, failure cases, compared
designs, sizings), one column per scalar key and ``bottleneck_kind`` for a nested one, a sizing's
``target`` under the column of its objective's unit;
the unit is in the column name: rates in decimal GB/s (``read_GB_per_sec``, 10^9
bytes/s, where the JSON has ``read_bytes_per_sec``), power in W, fractions 0..1.  Empty
cells are JSON's ``null``; text that a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@`` first) starts with an apostrophe.  Lists (per-workload figures, probes) stay in the JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["compare_csv", "failures_csv", "size_csv", "sweep_csv", "to_csv"]

#: (column name, JSON key path); a ``_GB_per_sec`` column divides the ``_bytes_per_sec``
#: value it reads by 10^9
Column = tuple[str, str]

_POINT: list[Column] = [
    ("servers", "servers"),
    ("storage_units", "storage_units"),
    ("gpus", "gpus"),
    ("feasible", "feasible"),
    ("images_per_sec", "images_per_sec"),
    ("read_GB_per_sec", "read_bytes_per_sec"),
    ("demand_images_per_sec", "demand_images_per_sec"),
    ("gpu_data_utilization", "gpu_data_utilization"),
    ("min_gpu_data_utilization", "min_gpu_data_utilization"),
    ("bottleneck_kind", "bottleneck.kind"),
    ("bottleneck_group", "bottleneck.group"),
    ("bottleneck_utilization", "bottleneck.utilization"),
    ("note", "note"),
]

_CASE: list[Column] = [
    ("kind", "kind"),
    ("element", "element"),
    ("equivalent", "equivalent"),
    ("images_per_sec", "images_per_sec"),
    ("read_GB_per_sec", "read_bytes_per_sec"),
    ("gpu_data_utilization", "gpu_data_utilization"),
    ("relative", "relative"),
    ("servers_cut_off", "servers_cut_off"),
    ("total_loss", "total_loss"),
    ("peak_utilization", "peak_utilization"),
    ("server_link_GB_per_sec", "server_link_bytes_per_sec"),
    ("storage_link_GB_per_sec", "storage_link_bytes_per_sec"),
    ("bottleneck_kind", "bottleneck.kind"),
    ("bottleneck_group", "bottleneck.group"),
    ("worst", "worst"),
    ("note", "note"),
]

_DESIGN: list[Column] = [
    ("file", "file"),
    ("scenario", "scenario"),
    ("servers", "servers"),
    ("gpus", "gpus"),
    ("images_per_sec", "images_per_sec"),
    ("read_GB_per_sec", "read_bytes_per_sec"),
    ("gpu_data_utilization", "gpu_data_utilization"),
    ("bottleneck_kind", "bottleneck.kind"),
    ("bottleneck_group", "bottleneck.group"),
    ("storage", "storage"),
    ("storage_units", "storage_units"),
    ("switches", "switches"),
    ("switch", "switch"),
    ("ports_used", "ports_used"),
    ("ports_available", "ports_available"),
    ("rack_units", "rack_units"),
    ("power_W", "power_watts"),
    ("power_complete", "power_complete"),
    ("storage_units_needed", "storage_units_needed"),
    ("target_met", "target_met"),
]

_SIZING: list[Column] = [
    ("scenario", "scenario"),
    ("unit", "unit"),
    ("objective", "objective"),
    ("target_min_utilization", "target_min_utilization"),
    ("target_images_per_sec", "target_images_per_sec"),
    ("target_read_GB_per_sec", "target_read_bytes_per_sec"),
    ("met", "met"),
    ("storage_units", "storage_units"),
    ("images_per_sec", "achieved.images_per_sec"),
    ("read_GB_per_sec", "achieved.read_bytes_per_sec"),
    ("min_gpu_data_utilization", "achieved.min_gpu_data_utilization"),
    ("limiting_kind", "limiting.kind"),
    ("limiting_group", "limiting.group"),
    ("max_units_fit", "max_units_fit"),
    ("storage_rack_units", "storage_rack_units"),
    ("storage_power_W", "storage_power_watts"),
    ("skipped", "skipped"),
    ("reason", "reason"),
]


def to_csv(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> str:
    """The header row and one row per JSON object.

    >>> print(to_csv([("gpus", "gpus"), ("read_GB_per_sec", "read_bytes_per_sec"),
    ...               ("bottleneck_kind", "bottleneck.kind")],
    ...              [{"gpus": 8, "read_bytes_per_sec": 8.4e9, "bottleneck": None}]), end="")
    gpus,read_GB_per_sec,bottleneck_kind
    8,8.4,
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([name for name, _ in columns])
    for row in rows:
        w.writerow([_cell(name, _get(row, path)) for name, path in columns])
    return out.getvalue()


def _get(row: Mapping[str, Any], path: str) -> Any:
    value: Any = row
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int) and name.endswith("_GB_per_sec"):
        value = value / 1e9
    if isinstance(value, float):
        return f"{value:.12g}"  # full precision without 0.1 + 0.2 noise
    text = str(value)
    # names come from scenario files: text a spreadsheet would run as a formula gets a
    # leading apostrophe, as in the report's bom.csv
    return "'" + text if isinstance(value, str) and text[:1] in ("=", "+", "-", "@") else text


def sweep_csv(sweep: Mapping[str, Any]) -> str:
    """``sizer sweep --format csv``: one row per point, every line; ``ideal`` and
    ``efficiency`` against the metric of the sweep."""
    ideal = (
        "ideal_images_per_sec" if sweep["metric"] == "images_per_sec" else "ideal_read_GB_per_sec"
    )
    columns = [*_POINT[:6], (ideal, "ideal"), ("efficiency", "efficiency"), *_POINT[6:]]
    return to_csv(columns, (p for line in sweep["lines"] for p in line["points"]))


def failures_csv(study: Mapping[str, Any]) -> str:
    """``sizer failures --format csv``: one row per case, the baseline first."""
    return to_csv(_CASE, study["cases"])


#: the columns ``compare --prices`` adds (amounts in the price list's currency)
_COST: list[Column] = [
    ("currency", "cost.currency"),
    ("cost_total", "cost.total"),
    ("cost_storage_total", "cost.storage_total"),
    ("cost_per_read_GBps", "cost.per_read_GBps"),
    ("cost_per_usable_TB", "cost.per_usable_TB"),
    ("cost_complete", "cost.complete"),
    ("cost_rank", "cost_rank"),
]


def compare_csv(comparison: Mapping[str, Any]) -> str:
    """``sizer compare --format csv``: one row per design (with ``--prices``, the cost
    columns)."""
    priced = any("cost" in d for d in comparison["designs"])
    return to_csv(_DESIGN + (_COST if priced else []), comparison["designs"])


def size_csv(study: Mapping[str, Any]) -> str:
    """``sizer size --format csv``: one row per sizing (with ``--all-units``, every unit
    type ranked; else the scenario's unit)."""
    rows = study["all_units"] or [study["sizing"]]
    return to_csv(_SIZING, ({**s, _TARGET[s["objective"]]: s["target"]} for s in rows))


#: the objective of a sizing -> the key its ``target`` is put under (its unit)
_TARGET = {
    "min-utilization": "target_min_utilization",
    "images-per-sec": "target_images_per_sec",
    "read-ceiling": "target_read_bytes_per_sec",
}
