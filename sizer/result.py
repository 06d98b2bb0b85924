"""The result of an analysis: per-resource and per-workload figures and the stable JSON.

:func:`sizer.analysis.analyze_design` returns an :class:`Analysis`; its
:meth:`~Analysis.to_json` is the ``analyze --json`` shape (README, stable keys).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sizer.access import access_rows

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.reduction import Reduced
    from sizer.topology import Fabric

__all__ = ["Analysis", "ResourceResult", "WorkloadResult"]


@dataclass(slots=True)
class ResourceResult:
    id: str
    kind: str
    group: str  # resources that behave alike (all units of a storage group, ...)
    capacity: float  # bytes/s, or images/s for host-preprocessing
    load: float
    unit: str  # "B/s" or "images/s"

    @property
    def utilization(self) -> float:
        if self.capacity == 0:
            return 1.0 if self.load > 0 else 0.0
        return self.load / self.capacity if math.isfinite(self.capacity) else 0.0

    @property
    def saturated(self) -> bool:
        return self.utilization >= 1.0 - 1e-9 and self.load > 0

    @property
    def headroom(self) -> float:
        """capacity / load: how many times the current load fits (inf when unloaded)."""
        return self.capacity / self.load if self.load > 0 else math.inf


@dataclass(frozen=True)
class WorkloadResult:
    index: int
    label: str
    model: str
    phase: str
    precision: str
    dataset: str | None
    gpus: int
    servers: int
    unbounded: bool
    demand_images_per_sec: float
    images_per_sec: float
    demand_read_bytes_per_sec: float  # from storage, after cache hits
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bound_by: dict[str, Any]
    cache_hit_ratio: float
    cache_mode: str
    cache_note: str


@dataclass
class Analysis:
    """The result of one analysis; :meth:`to_json` is the stable machine-readable form."""

    design: Design
    workloads: list[WorkloadResult]
    resources: list[ResourceResult]
    #: the figures as :func:`sizer.reduction.reduce` computed them (shared with the fast
    #: path); the aggregate properties below read them, so there is one copy
    reduced: Reduced = field(repr=False)
    flows: int
    nnz: int
    iterations: int
    fabric: Fabric = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)
    #: the solved problem (weights, capacities, demands, shares, rates), for checking
    problem: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def bottleneck(self) -> dict[str, Any] | None:
        """What limits the design (:func:`sizer.reduction.reduce`), None if nothing does."""
        return self.reduced.bottleneck

    @property
    def images_per_sec(self) -> float:
        return self.reduced.images_per_sec

    @property
    def read_bytes_per_sec(self) -> float:
        return self.reduced.read_bytes_per_sec

    @property
    def demand_read_bytes_per_sec(self) -> float:
        return self.reduced.demand_read_bytes_per_sec

    @property
    def gpu_data_utilization(self) -> float | None:
        """The least-fed GPU workload's delivered / demanded rate (None without one)."""
        return self.reduced.gpu_data_utilization

    def top_resources(self, n: int = 8) -> list[ResourceResult]:
        """The most utilized resources, one per group."""
        best: dict[str, ResourceResult] = {}
        for r in self.resources:
            if r.group not in best or r.utilization > best[r.group].utilization:
                best[r.group] = r
        return sorted(best.values(), key=lambda r: (-r.utilization, r.id))[:n]

    @property
    def sample_unit(self) -> str | None:
        """What the GPU workloads' samples are when they are all alike ("image"), else
        None (then no aggregate samples/s is given; per-workload rates still are)."""
        return self.design.sample_unit

    @property
    def samples_alike(self) -> bool:
        """True unless GPU workloads count different kinds of samples."""
        return self.sample_unit is not None or all(w.unbounded for w in self.design.workloads)

    def to_json(self) -> dict[str, Any]:
        d = self.design
        return {
            "scenario": d.name,
            "catalog_digest": d.catalog_digest,
            "design": {
                "servers": d.total_servers,
                "gpus": d.total_gpus,
                "storage_units": d.total_storage_units,
                "topology": d.topology,
                "switches": len(self.fabric.switches),
                "switch": d.switch_id,
            },
            "aggregate": {
                # a sum of unlike samples (UNet3D volumes + ImageNet JPEGs) means nothing
                "images_per_sec": self.images_per_sec if self.samples_alike else None,
                "read_bytes_per_sec": self.read_bytes_per_sec,
                "demand_read_bytes_per_sec": _num(self.demand_read_bytes_per_sec),
                "gpu_data_utilization": self.gpu_data_utilization,
                "sample_unit": self.sample_unit,
                "samples_per_sec": self.images_per_sec if self.sample_unit else None,
                "gpus_fed": self.reduced.gpus_fed,
                "gpus_starved": self.reduced.gpus_starved,
                "gpus_cut_off": self.reduced.gpus_cut_off,
            },
            "workloads": [
                {
                    "name": w.label,
                    "model": w.model,
                    "phase": w.phase,
                    "precision": w.precision,
                    "dataset": w.dataset,
                    "gpus": w.gpus,
                    "servers": w.servers,
                    "demand_images_per_sec": _num(w.demand_images_per_sec),
                    "images_per_sec": w.images_per_sec,
                    "sample_unit": d.workloads[w.index].sample_unit,
                    "demand_measured_on": sorted(
                        {x or "unstated" for x, _n in d.workloads[w.index].throughput_data.values()}
                    ),
                    "demand_read_bytes_per_sec": _num(w.demand_read_bytes_per_sec),
                    "read_bytes_per_sec": w.read_bytes_per_sec,
                    "gpu_data_utilization": w.gpu_data_utilization,
                    "bound_by": w.bound_by,
                    "cache": {
                        "hit_ratio": w.cache_hit_ratio,
                        "mode": w.cache_mode,
                        "note": w.cache_note,
                    },
                }
                for w in self.workloads
            ],
            "resources": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "group": r.group,
                    "capacity": r.capacity,
                    "load": r.load,
                    "unit": r.unit,
                    "utilization": r.utilization,
                    "saturated": r.saturated,
                    "headroom": _num(r.headroom),
                }
                for r in self.resources
            ],
            "bottleneck": self.bottleneck,
            # a storage row's load above is in large-sequential bytes/s of unit time
            "access_patterns": [r.to_json() for r in access_rows(d)],
        }


def _num(x: float) -> float | None:
    """JSON has no infinity: unbounded quantities are null."""
    return x if math.isfinite(x) else None
