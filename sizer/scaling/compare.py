"""Several designs side by side, each sized against the same objective."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.design import Design
from sizer.scaling.evaluate import (
    DEFAULT_MIN_UTILIZATION,
    Method,
    has_gpu_workloads,
    json_num,
)
from sizer.scaling.sizing import SizingResult, size_storage

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class ComparisonRow:
    """One design's figures in a comparison (see :func:`compare`)."""

    scenario: str
    servers: int
    gpus: int
    images_per_sec: float | None  # None: the GPU workloads count unlike samples
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bottleneck: dict[str, Any] | None
    storage: str  # e.g. "3x ess-3000"
    storage_units: int
    switches: int
    switch: str
    ports_used: int
    ports_available: int
    rack_units: float
    power_watts: float
    power_complete: bool  # False when some part has no power figure in the catalog
    sizing: SizingResult

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "servers": self.servers,
            "gpus": self.gpus,
            "images_per_sec": self.images_per_sec,
            "read_bytes_per_sec": self.read_bytes_per_sec,
            "gpu_data_utilization": json_num(self.gpu_data_utilization),
            "bottleneck": self.bottleneck,
            "storage": self.storage,
            "storage_units": self.storage_units,
            "switches": self.switches,
            "switch": self.switch,
            "ports_used": self.ports_used,
            "ports_available": self.ports_available,
            "rack_units": self.rack_units,
            "power_watts": self.power_watts,
            "power_complete": self.power_complete,
            "storage_units_needed": self.sizing.storage_units,
            "target_met": self.sizing.met,
            "sizing": self.sizing.to_json(),
        }


@dataclass(frozen=True)
class Comparison:
    """Several designs side by side, sized against the same objective."""

    objective: str
    target: float
    rows: list[ComparisonRow]

    def to_json(self, files: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``compare --json`` shape; ``files`` adds each design's file name."""
        designs = [r.to_json() for r in self.rows]
        for row, f in zip(designs, files or (), strict=False):
            row["file"] = f
        return {"objective": self.objective, "target": self.target, "designs": designs}


def compare(
    designs: Sequence[Design],
    *,
    target_images_per_sec: float | None = None,
    min_utilization: float | None = None,
    method: Method = "fast",
) -> Comparison:
    """Several designs side by side, each sized for the same objective.

    Each row has the design's analysis (images/s, bytes/s, GPU data-utilization,
    bottleneck), its bill of materials (storage units, switches, switch ports used of
    those available, rack units, power) and the storage units of its own type it needs
    for the objective (:func:`size_storage`).  Power adds the servers', storage units'
    and switches' catalog figures; ``power_complete`` is False when one is missing.
    """
    from sizer.analysis import analyze_design
    from sizer.bom import bill_of_materials
    from sizer.topology import build_fabric

    if not designs:
        raise ValueError("compare needs at least one design")
    if target_images_per_sec is not None and not all(has_gpu_workloads(d) for d in designs):
        raise ValueError("an images/s target needs GPU workloads in every design")
    rows: list[ComparisonRow] = []
    objective, target = "", math.nan
    for d in designs:
        fab = build_fabric(d)
        a = analyze_design(d, fab)
        sz = size_storage(
            d,
            target_images_per_sec=target_images_per_sec,
            min_utilization=min_utilization
            if min_utilization is not None or target_images_per_sec is not None
            else DEFAULT_MIN_UTILIZATION
            if has_gpu_workloads(d)
            else None,
            method=method,
        )
        objective, target = sz.objective, sz.target
        bom = bill_of_materials(d, fab)
        rows.append(
            ComparisonRow(
                scenario=d.name,
                servers=d.total_servers,
                gpus=d.total_gpus,
                images_per_sec=a.images_per_sec if a.samples_alike else None,
                read_bytes_per_sec=a.read_bytes_per_sec,
                gpu_data_utilization=a.gpu_data_utilization,
                bottleneck=a.bottleneck,
                storage=", ".join(f"{s.count}x {s.unit_id}" for s in d.storage),
                storage_units=d.total_storage_units,
                switches=len(fab.switches),
                switch=d.switch_id,
                ports_used=sum(fab.ports_used.values()),
                ports_available=sum(fab.ports_available.values()),
                rack_units=bom.rack_units,
                power_watts=bom.power_watts,
                power_complete=bom.power_complete,
                sizing=sz,
            )
        )
    if len({r.sizing.objective for r in rows}) > 1:
        objective = "mixed"
    return Comparison(objective=objective, target=target, rows=rows)
