"""Studies: the questions a command or the report asks together, answered once.

The core computes, the shell formats: ``sizer size``, ``sizer failures`` and the
report's scaling section each read one study object; its ``to_json()`` is the command's
stable JSON shape (README, "--json keys").

* :func:`size_study` -- the fewest storage units (and, optionally, every catalog unit
  type ranked), the converse (most servers the storage keeps fed) and the demand
  headroom, the last two at the sizing's own utilization bar;
* :func:`failure_study` -- every N-1 case and the worst;
* :func:`report_study` -- what the report shows: a server sweep to twice the design
  (in steps that keep the mix of compute groups), a storage sweep, the sizing, the
  headroom and the failures, reusing the report's analysis as the failures' baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.capacity import CapacitySizing, capacity_sizing
from sizer.design import Design
from sizer.scaling.checkpoints import CheckpointSizing, size_checkpoint
from sizer.scaling.evaluate import (
    MAX_UNITS,
    Method,
    Progress,
    sweep_metric,
)
from sizer.scaling.failures import FailureCase, failure_cases, worst_failure
from sizer.scaling.headroom import Headroom, ServerLimit, headroom, max_servers
from sizer.scaling.sizing import SizingResult, size_all_units, size_storage
from sizer.scaling.survive import Survivable, size_survivable
from sizer.scaling.sweep import SweepResult, server_sweep, storage_sweep

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog
    from sizer.topology import Fabric

__all__ = [
    "MAX_SWEEP_POINTS",
    "FailureStudy",
    "ReportStudy",
    "SizingStudy",
    "failure_study",
    "report_study",
    "size_study",
]

#: Most server counts the report's server sweep evaluates (for its chart).
MAX_SWEEP_POINTS = 60


# ------------------------------------------------------------------ sizing


@dataclass
class SizingStudy:
    """What ``sizer size`` answers."""

    sizing: SizingResult
    all_units: list[SizingResult] | None  # every catalog unit type, ranked (or None)
    max_servers: ServerLimit
    headroom: Headroom
    #: N+1: the fewest units meeting the objective after the worst single failure
    survivable: Survivable | None = None
    #: bandwidth AND capacity: the larger unit count and which decides (None: no plan)
    capacity: CapacitySizing | None = None
    #: the fewest units whose checkpoints fit the policy (None: no ``checkpoint:``)
    checkpoint: CheckpointSizing | None = None

    @property
    def met(self) -> bool:
        """Some storage count meets the objective (of any unit type, with all units), and
        the checkpoint policy fits at some count."""
        ok = self.checkpoint is None or self.checkpoint.met
        if self.all_units is not None:
            return ok and any(r.met for r in self.all_units)
        return ok and self.sizing.met

    @property
    def decides(self) -> str | None:
        """Which of data ingest and checkpoints needs more units (None: no checkpoint
        policy, or one of the two is not met)."""
        c, s = self.checkpoint, self.sizing
        if c is None or c.storage_units is None or s.storage_units is None:
            return None
        if c.storage_units == s.storage_units:
            return "both"
        return "checkpoint" if c.storage_units > s.storage_units else "data ingest"

    @property
    def storage_units(self) -> int | None:
        """The fewest units meeting the data-ingest objective and the checkpoint policy."""
        c, s = self.checkpoint, self.sizing
        if c is None:
            return s.storage_units
        if c.storage_units is None or s.storage_units is None:
            return None
        return max(c.storage_units, s.storage_units)

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        s = self.sizing.to_json()
        return {
            "scenario": self.sizing.scenario,
            "file": file,
            "objective": self.sizing.objective,
            "target": s["target"],
            "sizing": s,
            "all_units": None if self.all_units is None else [r.to_json() for r in self.all_units],
            "max_servers": self.max_servers.to_json(),
            "headroom": self.headroom.to_json(),
            "capacity": None if self.capacity is None else self.capacity.to_json(),
            "survivable": None if self.survivable is None else self.survivable.to_json(),
            "checkpoint": None
            if self.checkpoint is None
            else {
                **self.checkpoint.to_json(),
                "ingest_and_checkpoint_units": self.storage_units,
                "decides": self.decides,
            },
        }


def size_study(
    design: Design,
    catalog: Catalog | None = None,
    *,
    all_units: bool = False,
    target_images_per_sec: float | None = None,
    min_utilization: float | None = None,
    max_units: int = MAX_UNITS,
    method: Method = "fast",
    survive: str | None = None,
) -> SizingStudy:
    """Size the design's storage, then ask the converse and the headroom at the same bar,
    and the N+1 count: the fewest units that still meet it after the worst single
    ``survive`` failure (default: the scenario's ``target: survive``, else one I/O server;
    see :mod:`sizer.scaling.survive`).

    :func:`max_servers` and :func:`headroom` use the sizing's bars: each workload's own
    (see :func:`~sizer.scaling.evaluate.workload_bars`), or ``min_utilization`` for all.
    ``all_units`` needs the catalog.
    """
    if all_units and catalog is None:
        raise ValueError("all_units needs the catalog")
    kw: dict[str, Any] = {
        "target_images_per_sec": target_images_per_sec,
        "min_utilization": min_utilization,
        "max_units": max_units,
        "method": method,
    }
    res = size_storage(design, **kw)
    ranked = size_all_units(design, catalog, **kw) if all_units and catalog else None
    # the converse and the headroom at the sizing's bars: each workload's own, or the
    # command line's for all
    bar = min_utilization
    cap = (
        None
        if design.capacity is None
        else capacity_sizing(design.capacity, res.storage_units if res.met else None, res.unit_id)
    )
    return SizingStudy(
        sizing=res,
        all_units=ranked,
        max_servers=max_servers(design, min_utilization=bar, method=method),
        headroom=headroom(design, min_utilization=bar, method=method),
        capacity=cap,
        survivable=size_survivable(
            design,
            res,
            survive or design.target.survive,
            min_utilization=min_utilization,
            max_units=max_units,
        ),
        checkpoint=None if design.checkpoint is None else size_checkpoint(design, max_units),
    )


# ------------------------------------------------------------------ failures


@dataclass
class FailureStudy:
    """Every N-1 case of a design (the baseline first) and the one that hurts most."""

    scenario: str
    metric: str  # images_per_sec | read_bytes_per_sec
    cases: list[FailureCase]

    @property
    def worst(self) -> FailureCase | None:
        return worst_failure(self.cases)

    @property
    def worst_hurts(self) -> bool:
        """The worst case lowers the metric or the GPU data utilization, or cuts off
        servers (False: no single failure changes anything)."""
        w = self.worst
        if w is None:
            return False
        base = self.cases[0].gpu_data_utilization if self.cases else None
        return bool(
            (w.relative is not None and w.relative < 1 - 1e-9)
            or w.servers_cut_off
            or (
                w.gpu_data_utilization is not None
                and base is not None
                and w.gpu_data_utilization < base - 1e-9
            )
        )

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        w = self.worst
        return {
            "scenario": self.scenario,
            "file": file,
            "metric": self.metric,
            "cases": [c.to_json() for c in self.cases],
            "worst": None if w is None else {"kind": w.kind, "element": w.element},
        }


def failure_study(
    design: Design,
    *,
    fabric: Fabric | None = None,
    baseline: Analysis | None = None,
    progress: Progress | None = None,
) -> FailureStudy:
    """:func:`failure_cases` as a study (``baseline``: the intact analysis, if known)."""
    cases = failure_cases(design, fabric=fabric, baseline=baseline, progress=progress)
    return FailureStudy(design.name, sweep_metric(design), cases)


# ------------------------------------------------------------------ the report


@dataclass
class ReportStudy:
    """The report's scaling section: sweeps, sizing, headroom and failures."""

    mix_step: int  # the server sweep's step: keeps the compute groups' proportions
    servers: SweepResult  # 1 .. 2N servers at the design's storage
    storage: SweepResult  # 1 .. max(2M, M + 2) units at the design's servers
    sizing: SizingResult
    headroom: Headroom
    failures: FailureStudy
    survivable: Survivable | None = None  # N+1 for the scenario's target: survive


def _mix_step(counts: list[int]) -> int:
    """The smallest server count that keeps the compute groups' proportions (16 + 16 -> 2)."""
    return sum(counts) // math.gcd(*counts) if len(counts) > 1 else 1


def sweep_counts(n_max: int, base: int = 1, most: int = MAX_SWEEP_POINTS) -> list[int]:
    """Server counts base, 2 base, ... up to ``n_max``; at most ~``most`` of them."""
    k = n_max // base
    step = max(1, math.ceil(k / most))
    out = [base * i for i in range(1, k + 1, step)]
    if out[-1] != base * k:
        out.append(base * k)
    return out


def report_study(analysis: Analysis) -> ReportStudy:
    """Everything the report's scaling section shows, for the design of ``analysis``."""
    d = analysis.design
    n, m = d.total_servers, d.storage[0].count
    base = _mix_step([g.count for g in d.servers])
    sizing = size_storage(d)
    return ReportStudy(
        mix_step=base,
        servers=server_sweep(d, sweep_counts(2 * n, base)),
        storage=storage_sweep(d, range(1, max(2 * m, m + 2) + 1)),
        sizing=sizing,
        headroom=headroom(d),
        failures=failure_study(d, fabric=analysis.fabric, baseline=analysis),
        survivable=size_survivable(d, sizing, d.target.survive),
    )
