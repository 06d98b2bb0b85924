"""Scaling sweeps, the knee, inverse sizing, N-1 failure cases, headroom and comparison.

Everything here is pure: a resolved :class:`~sizer.design.Design` (and, for other unit
types, the :class:`~sizer.catalog.Catalog`) in, plain dataclasses out, each with a
``to_json()`` whose keys are stable API (README, "Scaling, sizing, failures and
comparison: JSON keys").

Public functions
----------------
evaluate(design)                  one design point (images/s, bytes/s, utilization, bottleneck)
sweep(design, servers, units)     grid of points, one scaling line (with its knee) per unit count
server_sweep(design, servers)     servers 1..N at the design's storage: ideal line, efficiency, knee
storage_sweep(design, units)      units 1..M at the design's servers: where more storage stops helping
size_storage(design)              fewest storage units meeting the objective (galloping + bisection)
size_all_units(design, catalog)   the same for every catalog storage unit type, ranked
max_servers(design)               the converse: most servers the storage design keeps fed
headroom(design)                  demand growth absorbed before any GPU drops under the bar
failure_cases(design)             N-1: one storage unit, switch, inter-switch / server / storage link lost
compare(designs)                  side-by-side figures of several designs

The model (DOMAIN.md "The model sizer computes")
-------------------------------------------------
Every figure is the one :func:`sizer.analysis.analyze_design` returns for the varied
design.  Varying a design keeps the workload mix per server: ``n`` servers are split
over the compute groups in proportion to the scenario's counts (largest remainder), and
``k`` storage units replace the count of storage group 0.

Modules, one per question
-------------------------
``evaluate``  varying a design and evaluating one point (fast or exact)
``lumped``    the fast path: the same max-min problem, symmetry-reduced (one model:
              both declare resources, flows and results with :mod:`sizer.model`)
``sweep``     sweeps, the ideal line, efficiency and the knee
``sizing``    the fewest storage units for an objective, per unit type
``headroom``  the most servers a storage design keeps fed; demand growth headroom
``failures``  N-1 cases on the fabric
``compare``   designs side by side
``study``     the questions a command or the report asks together (``size_study``,
              ``failure_study``, ``report_study``), each with the command's JSON shape
"""

from __future__ import annotations

from sizer.scaling.compare import Comparison, ComparisonRow, compare
from sizer.scaling.evaluate import (
    DEFAULT_MIN_UTILIZATION,
    DEFAULT_THRESHOLD,
    READ_CEILING_FRACTION,
    SweepPoint,
    evaluate,
    has_gpu_workloads,
    sweep_metric,
    vary,
)
from sizer.scaling.failures import FailureCase, failure_cases, worst_failure
from sizer.scaling.headroom import Headroom, ServerLimit, headroom, max_servers
from sizer.scaling.sizing import SizingResult, size_all_units, size_storage, units_monotone
from sizer.scaling.study import (
    FailureStudy,
    ReportStudy,
    SizingStudy,
    failure_study,
    report_study,
    size_study,
)
from sizer.scaling.sweep import Knee, ScalingLine, SweepResult, server_sweep, storage_sweep, sweep

__all__ = [
    "DEFAULT_MIN_UTILIZATION",
    "DEFAULT_THRESHOLD",
    "READ_CEILING_FRACTION",
    "Comparison",
    "ComparisonRow",
    "FailureCase",
    "FailureStudy",
    "Headroom",
    "Knee",
    "ReportStudy",
    "ScalingLine",
    "ServerLimit",
    "SizingResult",
    "SizingStudy",
    "SweepPoint",
    "SweepResult",
    "compare",
    "evaluate",
    "failure_cases",
    "failure_study",
    "has_gpu_workloads",
    "headroom",
    "max_servers",
    "report_study",
    "server_sweep",
    "size_all_units",
    "size_storage",
    "size_study",
    "storage_sweep",
    "sweep",
    "sweep_metric",
    "units_monotone",
    "vary",
    "worst_failure",
]
