"""Several designs side by side, each sized against the same objective."""

from __future__ import annotations

import dataclasses
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
    #: the design's BOM under the user's price list (sizer.cost.Cost; None: no prices)
    cost: Any = None
    #: 1 = cheapest storage data path per GB/s read (see :func:`cost_ranks`); None: no prices
    cost_rank: int | None = None

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
        } | (
            {} if self.cost is None else {"cost": self.cost.to_json(), "cost_rank": self.cost_rank}
        )


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


def cost_ranks(costs: Sequence[Any]) -> list[int]:
    """Rank designs by their storage data path's cost per GB/s of read bandwidth, then per
    usable TB, then the grand total (1 = cheapest; a design without a figure ranks after
    those with one; ties share the order of the files).

    >>> from types import SimpleNamespace as C
    >>> cost_ranks([C(per_read_gbps=3.0, per_usable_tb=1.0, total=9.0),
    ...             C(per_read_gbps=2.0, per_usable_tb=5.0, total=9.0)])
    [2, 1]
    """

    def key(i: int) -> tuple[float, float, float, int]:
        c = costs[i]
        big = math.inf
        read = c.per_read_gbps if c.per_read_gbps is not None else big
        tb = c.per_usable_tb if c.per_usable_tb is not None else big
        return (read, tb, c.total, i)

    order = sorted(range(len(costs)), key=key)
    ranks = [0] * len(costs)
    for r, i in enumerate(order, 1):
        ranks[i] = r
    return ranks


def compare(
    designs: Sequence[Design],
    *,
    target_images_per_sec: float | None = None,
    min_utilization: float | None = None,
    method: Method = "fast",
    prices: Any = None,
) -> Comparison:
    """Several designs side by side, each sized for the same objective.

    Each row has the design's analysis (images/s, bytes/s, GPU data-utilization,
    bottleneck), its bill of materials (storage units, switches, switch ports used of
    those available, rack units, power) and the storage units of its own type it needs
    for the objective (:func:`size_storage`).  Power adds the servers', storage units'
    and switches' catalog figures; ``power_complete`` is False when one is missing.
    With ``prices`` (a :class:`sizer.prices.PriceList`) each row has its cost and its
    rank (:func:`cost_ranks`).
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
        cost = None
        if prices is not None:
            from sizer.cost import design_cost

            cost = design_cost(d, bom, prices.prices, prices.currency)
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
                cost=cost,
            )
        )
    if prices is not None:
        ranks = cost_ranks([r.cost for r in rows])
        rows = [dataclasses.replace(r, cost_rank=k) for r, k in zip(rows, ranks, strict=True)]
    if len({r.sizing.objective for r in rows}) > 1:
        objective = "mixed"
    return Comparison(objective=objective, target=target, rows=rows)
