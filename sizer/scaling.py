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

Speed: a fast path that equals analyze_design
---------------------------------------------
``analyze_design`` builds the full flows x resources problem (one flow per workload per
server, one resource per link bundle, unit and server).  Sweeps need thousands of
points, so by default (``method="fast"``) this module solves the *lumped* problem
instead: servers of one compute group cabled alike (same leaf composition in a
leaf-spine, same port split in a dual-switch) are interchangeable, and so are the
resources they use.  The max-min fair allocation is unique, hence symmetric, so every
flow of a class gets the same rate and every resource of a class carries the same load.
Progressive filling on the lumped problem -- one column per (workload, server class),
one row per resource class with weight ``n_flows(class) * sum_of_member_weights /
n_members`` -- follows exactly the same trajectory (same levels, same freeze events)
as on the full problem.  Routing is the one of :mod:`sizer.topology` (ECMP, striping
over every unit), written per topology in closed form.  ``tests/test_scaling.py``
checks fast == ``analyze_design`` (images/s, bytes/s, utilizations, bottleneck kind and
group) on sampled sweep points of every topology and on random designs; pass
``method="exact"`` to run ``analyze_design`` at every point instead.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sizer.design import Design, cache_hit_ratio

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog
    from sizer.topology import Fabric

__all__ = [
    "DEFAULT_MIN_UTILIZATION",
    "DEFAULT_THRESHOLD",
    "READ_CEILING_FRACTION",
    "Comparison",
    "ComparisonRow",
    "FailureCase",
    "Headroom",
    "Knee",
    "ScalingLine",
    "ServerLimit",
    "SizingResult",
    "SweepPoint",
    "SweepResult",
    "compare",
    "evaluate",
    "failure_cases",
    "has_gpu_workloads",
    "headroom",
    "max_servers",
    "server_sweep",
    "size_all_units",
    "size_storage",
    "storage_sweep",
    "sweep",
    "sweep_metric",
    "units_monotone",
    "vary",
    "worst_failure",
]

#: MLPerf Storage's bar: every GPU at least 90% fed.
DEFAULT_MIN_UTILIZATION = 0.9
#: Scaling stops being linear when efficiency (achieved / ideal) drops below this.
DEFAULT_THRESHOLD = 0.95
#: Read benchmarks: "enough storage" = within 1% of the throughput with unlimited storage.
READ_CEILING_FRACTION = 0.99
#: Largest storage-unit count sizing searches (the scenario schema's limit).
MAX_UNITS = 10_000
#: Largest server count :func:`max_servers` searches (the scenario schema's limit).
MAX_SERVERS = 100_000
#: Leaf-spine: :func:`max_servers` checks every count below its answer up to this many.
MAX_VERIFY = 4096

_FED = 1.0 - 1e-9  # same tolerance as sizer.analysis.FED
_REL = 1e-9  # relative tolerance of target comparisons

Method = Literal["fast", "exact"]
Progress = Callable[[int, int], None]


# ===================================================================== result types


def _num(x: float | None) -> float | None:
    """JSON has no infinity or NaN: unbounded or undefined values are null."""
    if x is None or not math.isfinite(x):
        return None
    return float(x)


@dataclass(frozen=True)
class SweepPoint:
    """One design point: ``servers`` servers and ``storage_units`` units.

    ``feasible`` is False when the switches have too few ports for the cabling (then
    every figure is None and ``note`` says why).  ``bottleneck_kind`` is None when every
    GPU is fed (compute-bound) or nothing limits a read benchmark.
    """

    servers: int
    storage_units: int
    gpus: int
    feasible: bool
    images_per_sec: float | None
    read_bytes_per_sec: float | None
    demand_images_per_sec: float | None
    gpu_data_utilization: float | None  # GPU-weighted over all GPU workloads
    min_gpu_data_utilization: float | None  # the least-fed GPU workload
    bottleneck_kind: str | None
    bottleneck_group: str | None
    bottleneck_utilization: float | None = None
    note: str | None = None
    workload_images_per_sec: tuple[float, ...] = ()  # per scenario workload, in order
    workload_read_bytes_per_sec: tuple[float, ...] = ()

    def metric(self, name: str) -> float | None:
        return self.images_per_sec if name == "images_per_sec" else self.read_bytes_per_sec

    def workload_metric(self, name: str) -> tuple[float, ...]:
        return (
            self.workload_images_per_sec
            if name == "images_per_sec"
            else self.workload_read_bytes_per_sec
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "servers": self.servers,
            "storage_units": self.storage_units,
            "gpus": self.gpus,
            "feasible": self.feasible,
            "images_per_sec": _num(self.images_per_sec),
            "read_bytes_per_sec": _num(self.read_bytes_per_sec),
            "demand_images_per_sec": _num(self.demand_images_per_sec),
            "gpu_data_utilization": _num(self.gpu_data_utilization),
            "min_gpu_data_utilization": _num(self.min_gpu_data_utilization),
            "bottleneck": None
            if self.bottleneck_kind is None
            else {
                "kind": self.bottleneck_kind,
                "group": self.bottleneck_group,
                "utilization": _num(self.bottleneck_utilization),
            },
            "note": self.note,
            "workload_images_per_sec": list(self.workload_images_per_sec),
            "workload_read_bytes_per_sec": list(self.workload_read_bytes_per_sec),
        }


@dataclass(frozen=True)
class Knee:
    """Where linear scaling ends: the first server count below the efficiency threshold."""

    servers: int
    efficiency: float
    threshold: float
    last_linear_servers: int | None  # the point before the knee (None: the knee is the first)
    bottleneck_kind: str | None
    bottleneck_group: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "servers": self.servers,
            "efficiency": self.efficiency,
            "threshold": self.threshold,
            "last_linear_servers": self.last_linear_servers,
            "bottleneck": None
            if self.bottleneck_kind is None
            else {"kind": self.bottleneck_kind, "group": self.bottleneck_group},
        }


@dataclass(frozen=True)
class ScalingLine:
    """Server scaling at one storage-unit count: achieved vs ideal-linear, and the knee.

    ``ideal[i] = metric(first feasible point) * servers[i] / servers(first feasible point)``;
    ``efficiency[i]`` is the least, over workloads, of the workload's achieved metric over
    its own ideal line (for one workload: achieved / ideal).  Infeasible points have None
    for both.
    """

    storage_units: int
    points: list[SweepPoint]
    ideal: list[float | None]
    efficiency: list[float | None]
    knee: Knee | None
    metric: str

    def to_json(self) -> dict[str, Any]:
        return {
            "storage_units": self.storage_units,
            "metric": self.metric,
            "points": [
                {**p.to_json(), "ideal": _num(i), "efficiency": _num(e)}
                for p, i, e in zip(self.points, self.ideal, self.efficiency, strict=True)
            ],
            "knee": None if self.knee is None else self.knee.to_json(),
        }


@dataclass(frozen=True)
class SweepResult:
    """A sweep over server counts x storage-unit counts.

    ``lines`` has one :class:`ScalingLine` per unit count (servers vary along it);
    ``plateau`` is, per server count, the fewest units reaching 99% of the best metric
    seen over the unit counts swept (where more storage stops helping), with the
    bottleneck at the largest unit count.
    """

    scenario: str
    servers: list[int]
    storage_units: list[int]
    metric: str  # "images_per_sec", or "read_bytes_per_sec" for read benchmarks only
    threshold: float
    lines: list[ScalingLine]
    plateau: list[dict[str, Any]]
    method: str
    evaluations: int
    elapsed_seconds: float

    @property
    def points(self) -> list[SweepPoint]:
        """All points, unit count major, server count minor."""
        return [p for line in self.lines for p in line.points]

    def point(self, servers: int, storage_units: int) -> SweepPoint:
        for line in self.lines:
            if line.storage_units == storage_units:
                for p in line.points:
                    if p.servers == servers:
                        return p
        raise KeyError((servers, storage_units))

    @property
    def knee(self) -> Knee | None:
        """The knee of the first line (the one of a single-unit-count sweep)."""
        return self.lines[0].knee if self.lines else None

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "metric": self.metric,
            "threshold": self.threshold,
            "servers": self.servers,
            "storage_units": self.storage_units,
            "lines": [line.to_json() for line in self.lines],
            "plateau": self.plateau,
            "method": self.method,
            "evaluations": self.evaluations,
            "elapsed_seconds": self.elapsed_seconds,
        }


@dataclass(frozen=True)
class SizingResult:
    """The fewest storage units of one type meeting an objective, or why none can.

    ``objective`` is ``min-utilization`` (every GPU workload at least ``target`` fed),
    ``images-per-sec`` (aggregate at least ``target``) or ``read-ceiling`` (read
    benchmarks: at least ``target`` bytes/s, 99% of what the design reads with unlimited
    storage).  ``limiting`` names what caps the design when ``met`` is False (from the
    analysis with unlimited storage at the largest unit count that fits the switches).
    """

    scenario: str
    unit_id: str
    objective: str
    target: float
    met: bool
    storage_units: int | None
    achieved: SweepPoint | None  # at storage_units (or at the largest count tried)
    limiting: dict[str, Any] | None
    max_units_fit: int | None  # None: no port limit below the search cap
    reason: str
    probes: list[tuple[int, bool]]
    unit_rack_units: float | None = None
    unit_power_watts: float | None = None
    skipped: bool = False  # --all-units: the unit cannot be used on this fabric
    monotone: bool | None = None  # None: monotone by structure (bisection alone is exact)
    search: str = "galloping + bisection"

    def to_json(self) -> dict[str, Any]:
        ach = self.achieved
        return {
            "scenario": self.scenario,
            "unit": self.unit_id,
            "objective": self.objective,
            "target": _num(self.target),
            "met": self.met,
            "storage_units": self.storage_units,
            "achieved": None if ach is None else ach.to_json(),
            "limiting": self.limiting,
            "max_units_fit": self.max_units_fit,
            "reason": self.reason,
            "probes": [{"storage_units": k, "meets": ok} for k, ok in self.probes],
            "storage_rack_units": (
                None
                if self.storage_units is None or self.unit_rack_units is None
                else self.storage_units * self.unit_rack_units
            ),
            "storage_power_watts": (
                None
                if self.storage_units is None or self.unit_power_watts is None
                else self.storage_units * self.unit_power_watts
            ),
            "skipped": self.skipped,
            "monotone": self.monotone,
            "search": self.search,
        }


@dataclass(frozen=True)
class ServerLimit:
    """The converse of sizing: the most servers the storage design keeps fed."""

    scenario: str
    storage_units: int
    min_utilization: float
    servers: int  # 0: not even one server is fed
    port_limited: bool  # the switches run out of ports before the GPUs starve
    limiting: dict[str, Any] | None  # what starves the GPUs at servers + 1
    reason: str
    verified: bool = True  # every count below the answer was checked (or need not be)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "storage_units": self.storage_units,
            "min_utilization": self.min_utilization,
            "servers": self.servers,
            "port_limited": self.port_limited,
            "limiting": self.limiting,
            "reason": self.reason,
            "verified": self.verified,
        }


@dataclass(frozen=True)
class Headroom:
    """Demand growth the design absorbs before any GPU workload drops under the bar.

    ``multiplier`` scales every GPU's samples/s (faster GPUs, a lighter model);
    ``inf`` when no resource ever limits, ``None`` when there is no GPU workload (read
    benchmarks only); below 1 when the design already misses the bar.  ``float(h)``
    gives the multiplier.
    """

    scenario: str
    multiplier: float | None
    min_utilization: float
    limiting: dict[str, Any] | None  # the bottleneck just past the multiplier
    note: str

    def __float__(self) -> float:
        return math.nan if self.multiplier is None else self.multiplier

    def to_json(self) -> dict[str, Any]:
        m = self.multiplier
        return {
            "scenario": self.scenario,
            "multiplier": None if m is None or math.isinf(m) else m,
            "unlimited": m is not None and math.isinf(m),
            "min_utilization": self.min_utilization,
            "limiting": self.limiting,
            "note": self.note,
        }


@dataclass(frozen=True)
class FailureCase:
    """The design with one element lost (N-1).

    ``kind`` is ``baseline``, ``storage-unit``, ``switch``, ``inter-switch-link``,
    ``server-link`` or ``storage-link``; ``element`` names the element lost;
    ``equivalent`` counts the elements whose loss is symmetric to this one (one is
    analysed for all).  ``relative`` is the metric as a fraction of the baseline.
    """

    kind: str
    element: str
    equivalent: int
    images_per_sec: float
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bottleneck: dict[str, Any] | None
    servers_cut_off: int
    total_loss: bool
    relative: float | None
    note: str
    peak_utilization: float | None = None  # the busiest resource left (1.0 = saturated)
    server_link_bytes_per_sec: float | None = None  # capacity of every switch -> server link
    storage_link_bytes_per_sec: float | None = None  # capacity of every storage -> switch link
    worst: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "element": self.element,
            "equivalent": self.equivalent,
            "images_per_sec": self.images_per_sec,
            "read_bytes_per_sec": self.read_bytes_per_sec,
            "gpu_data_utilization": _num(self.gpu_data_utilization),
            "bottleneck": self.bottleneck,
            "servers_cut_off": self.servers_cut_off,
            "total_loss": self.total_loss,
            "relative": _num(self.relative),
            "peak_utilization": _num(self.peak_utilization),
            "server_link_bytes_per_sec": _num(self.server_link_bytes_per_sec),
            "storage_link_bytes_per_sec": _num(self.storage_link_bytes_per_sec),
            "worst": self.worst,
            "note": self.note,
        }


@dataclass(frozen=True)
class ComparisonRow:
    """One design's figures in a comparison (see :func:`compare`)."""

    scenario: str
    servers: int
    gpus: int
    images_per_sec: float
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
            "gpu_data_utilization": _num(self.gpu_data_utilization),
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

    def to_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "target": self.target,
            "designs": [r.to_json() for r in self.rows],
        }


# ===================================================================== varying a design


def _allocate(counts: Sequence[int], n: int) -> list[int]:
    """Split ``n`` servers over groups in proportion to ``counts`` (largest remainder)."""
    if len(counts) == 1:
        return [n]
    total = sum(counts)
    exact = [n * c / total for c in counts]
    out = [math.floor(x) for x in exact]
    rest = n - sum(out)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def vary(
    design: Design,
    servers: int | None = None,
    storage_units: int | None = None,
    *,
    storage_group: int = 0,
) -> Design:
    """The design with ``servers`` servers and ``storage_units`` units of storage group 0.

    Servers are split over the compute groups in proportion to the design's counts
    (largest remainder; a single group simply gets ``servers``).  The workload mix per
    server is unchanged.  The result is what :func:`sizer.design.resolve` would return
    for the scenario with those counts.
    """
    d = design
    if servers is not None and servers != d.total_servers:
        counts = _allocate([g.count for g in d.servers], servers)
        d = dataclasses.replace(
            d,
            servers=tuple(
                g if g.count == c else dataclasses.replace(g, count=c)
                for g, c in zip(d.servers, counts, strict=True)
            ),
        )
    if storage_units is not None and storage_units != d.storage[storage_group].count:
        st = list(d.storage)
        st[storage_group] = dataclasses.replace(st[storage_group], count=storage_units)
        d = dataclasses.replace(d, storage=tuple(st))
    return d


def _scale_demand(design: Design, m: float) -> Design:
    """Every GPU's samples/s times ``m`` (read benchmarks unchanged)."""
    return dataclasses.replace(
        design,
        workloads=tuple(
            w
            if w.unbounded
            else dataclasses.replace(
                w, samples_per_sec_per_gpu={g: r * m for g, r in w.samples_per_sec_per_gpu.items()}
            )
            for w in design.workloads
        ),
    )


# ===================================================================== one evaluation


@dataclass
class _Eval:
    """What the scaling code needs from one analysis (fast or exact)."""

    feasible: bool
    images_per_sec: float = 0.0
    read_bytes_per_sec: float = 0.0
    demand_images_per_sec: float = 0.0
    gpu_data_utilization: float | None = None
    workload_util: list[float | None] = field(default_factory=list)
    bottleneck: dict[str, Any] | None = None
    note: str | None = None
    workload_images: list[float] = field(default_factory=list)
    workload_read: list[float] = field(default_factory=list)

    @property
    def min_util(self) -> float | None:
        vals = [u for u in self.workload_util if u is not None]
        return min(vals) if vals else None


def has_gpu_workloads(design: Design) -> bool:
    """True when some workload runs on GPUs (False: read benchmarks only)."""
    return any(not w.unbounded for w in design.workloads)


_has_gpu_work = has_gpu_workloads


def _from_analysis(a: Analysis) -> _Eval:
    wl = [None if w.unbounded else w.gpu_data_utilization for w in a.workloads]
    b = a.bottleneck
    return _Eval(
        feasible=True,
        images_per_sec=a.images_per_sec,
        read_bytes_per_sec=a.read_bytes_per_sec,
        demand_images_per_sec=float(
            sum(w.demand_images_per_sec for w in a.workloads if not w.unbounded)
        ),
        gpu_data_utilization=a.gpu_data_utilization,
        workload_util=wl,
        workload_images=[w.images_per_sec for w in a.workloads],
        workload_read=[w.read_bytes_per_sec for w in a.workloads],
        bottleneck=None
        if b is None
        else {"kind": b["kind"], "group": b["group"], "utilization": b["utilization"]},
    )


def _exact(d: Design, storage_scale: float = 1.0) -> _Eval:
    from sizer.analysis import analyze_design
    from sizer.loader import design_paths, path_limit
    from sizer.topology import build_fabric

    if design_paths(d) > path_limit():  # the loader's bound on one analysis' memory
        return _Eval(
            feasible=False,
            note=f"too large to analyze: {design_paths(d):,} server-to-storage paths, "
            f"over the limit of {path_limit():,} (set SIZER_MAX_PATHS to raise it)",
        )
    try:
        fab = build_fabric(d)
    except ValueError as e:
        return _Eval(feasible=False, note=str(e))
    return _from_analysis(analyze_design(d, fab, storage_scale=storage_scale))


def _evaluate(d: Design, storage_scale: float, method: Method) -> _Eval:
    if method == "exact":
        return _exact(d, storage_scale)
    return _fast(d, storage_scale)


def _point(d: Design, e: _Eval) -> SweepPoint:
    b = e.bottleneck
    return SweepPoint(
        servers=d.total_servers,
        storage_units=d.total_storage_units,
        gpus=d.total_gpus,
        feasible=e.feasible,
        images_per_sec=e.images_per_sec if e.feasible else None,
        read_bytes_per_sec=e.read_bytes_per_sec if e.feasible else None,
        demand_images_per_sec=e.demand_images_per_sec if e.feasible else None,
        gpu_data_utilization=e.gpu_data_utilization if e.feasible else None,
        min_gpu_data_utilization=e.min_util if e.feasible else None,
        bottleneck_kind=None if b is None else b["kind"],
        bottleneck_group=None if b is None else b["group"],
        bottleneck_utilization=None if b is None else b.get("utilization"),
        note=e.note,
        workload_images_per_sec=tuple(e.workload_images) if e.feasible else (),
        workload_read_bytes_per_sec=tuple(e.workload_read) if e.feasible else (),
    )


def evaluate(design: Design, *, storage_scale: float = 1.0, method: Method = "fast") -> SweepPoint:
    """Images/s, bytes/s, GPU data-utilization and bottleneck of one design.

    Parameters
    ----------
    design : Design
        A resolved design (see :func:`vary` to change its counts).
    storage_scale : float
        Multiplies every storage unit's read bandwidth (``math.inf``: unlimited storage).
    method : {"fast", "exact"}
        ``fast`` solves the lumped problem (module docstring); ``exact`` runs
        :func:`sizer.analysis.analyze_design`.  Both give the same figures.

    Returns
    -------
    SweepPoint
        ``feasible`` False (and None figures) when the switches lack ports.

    Examples
    --------
    >>> from sizer.catalog import load_catalog
    >>> from sizer.design import resolve
    >>> from sizer.loader import load_scenario
    >>> cat = load_catalog()
    >>> d = resolve(load_scenario("scenarios/ra-9x-dgx1-3x-ess3000.yaml", cat), cat)
    >>> p = evaluate(vary(d, storage_units=1))   # 75.6 GB/s of AlexNet on 40 GB/s
    >>> p.bottleneck_kind, round(p.min_gpu_data_utilization, 2)
    ('storage', 0.53)
    """
    return _point(design, _evaluate(design, storage_scale, method))


# ===================================================================== the fast path


class _Unsupported(Exception):
    """The design's structure is outside what the lumped model handles (use exact)."""


@dataclass
class _Cls:
    """A class of interchangeable endpoints: ``n`` of group ``group`` cabled alike.

    ``links`` maps an attachment slot (a switch, or a leaf class) to the links per
    endpoint; ``leaf`` is the leaf class index (leaf-spine) or 0.
    """

    group: int
    leaf: int
    n: int
    links: dict[int, int]


@dataclass
class _Struct:
    srv: list[_Cls]
    st: list[_Cls]
    leaf_spine: bool
    leaf_m: list[int]  # leaf-spine: leaves per leaf class
    leaf_uplinks: list[int]  # leaf-spine: links from one leaf of the class to each spine
    spines: int


def _structure(d: Design) -> _Struct | str:
    """Endpoint classes and port check of the fabric :func:`sizer.topology.build_fabric`
    would build, in O(switches + groups).  Returns the port problem as a string when
    the switches are too small (``build_fabric`` raises ValueError then)."""
    from sizer.topology import endpoint_rate, split_ports, storage_leaf_count

    ports = d.switch_ports
    n_sg, n_st = len(d.servers), len(d.storage)
    if d.topology == "single-switch":
        used = sum(g.count * g.storage_ports for g in d.servers) + sum(
            s.count * s.ports for s in d.storage
        )
        if used > ports:
            return f"switch switch needs {used} ports, has {ports}"
        return _Struct(
            [
                _Cls(gi, 0, g.count, {0: g.storage_ports})
                for gi, g in enumerate(d.servers)
                if g.count > 0
            ],
            [_Cls(si, 0, s.count, {0: s.ports}) for si, s in enumerate(d.storage) if s.count > 0],
            False,
            [],
            [],
            0,
        )
    if d.topology == "dual-switch":

        def att(p: int) -> dict[int, int]:
            a, b = split_ports(p, 2)
            return {k: n for k, n in ((0, a), (1, b)) if n > 0}

        srv = [
            _Cls(gi, 0, g.count, att(g.storage_ports))
            for gi, g in enumerate(d.servers)
            if g.count > 0
        ]
        st = [_Cls(si, 0, s.count, att(s.ports)) for si, s in enumerate(d.storage) if s.count > 0]
        for k, name in ((0, "switch-A"), (1, "switch-B")):
            used = sum(c.n * c.links.get(k, 0) for c in srv + st) + d.isl_links
            if used > ports:
                return f"switch {name} needs {used} ports, has {ports}"
        return _Struct(srv, st, False, [], [], 0)
    if d.topology != "leaf-spine" or d.leaves is None or d.spines is None:
        raise _Unsupported(d.topology)
    n_leaves, n_spines = d.leaves, d.spines
    n_st_leaves = storage_leaf_count(d)
    srv_leaves = n_leaves - n_st_leaves
    per_leaf = split_ports(d.total_servers, srv_leaves)
    # servers fill the server leaves in contiguous blocks, groups in order
    starts = [0]
    for g in d.servers:
        starts.append(starts[-1] + g.count)
    srv_comp: list[tuple[int, ...]] = []
    lo = 0
    for cnt in per_leaf:
        hi = lo + cnt
        if n_sg == 1:
            srv_comp.append((cnt,))
        else:
            srv_comp.append(
                tuple(max(0, min(hi, starts[gi + 1]) - max(lo, starts[gi])) for gi in range(n_sg))
            )
        lo = hi
    zero_srv = (0,) * n_sg
    srv_comp.extend([zero_srv] * n_st_leaves)
    # storage round-robin over the storage leaves (or over all server leaves)
    st_leaves = list(range(srv_leaves, n_leaves)) if n_st_leaves else list(range(srv_leaves))
    n_sl = len(st_leaves)
    st_comp: list[list[int]] = [[0] * n_st for _ in range(n_leaves)]
    j0 = 0
    for si, s in enumerate(d.storage):
        base, extra = divmod(s.count, n_sl)
        shift = j0 % n_sl  # the group's first unit lands on storage leaf position ``shift``
        for p in range(n_sl):
            st_comp[st_leaves[p]][si] = base + (1 if (p - shift) % n_sl < extra else 0)
        j0 += s.count
    leaf_keys = list(zip(srv_comp, map(tuple, st_comp), strict=True))
    counts: dict[tuple[Any, ...], int] = {}
    for lk in leaf_keys:
        counts[lk] = counts.get(lk, 0) + 1
    srate = [endpoint_rate(d, "server", gi) * g.storage_ports for gi, g in enumerate(d.servers)]
    trate = [endpoint_rate(d, "storage", si) * s.ports for si, s in enumerate(d.storage)]
    info: dict[tuple[Any, ...], tuple[int, int]] = {}
    for lk in counts:
        down_bw = sum(c * r for c, r in zip(lk[0], srate, strict=True)) + sum(
            c * r for c, r in zip(lk[1], trate, strict=True)
        )
        per_spine = max(
            1, math.ceil(down_bw / d.oversubscription / (n_spines * d.switch_link_rate) - 1e-9)
        )
        used = (
            sum(c * g.storage_ports for c, g in zip(lk[0], d.servers, strict=True))
            + sum(c * s.ports for c, s in zip(lk[1], d.storage, strict=True))
            + n_spines * per_spine
        )
        info[lk] = (per_spine, used)
    for li, lk in enumerate(leaf_keys):
        if info[lk][1] > ports:
            return f"switch leaf-{li + 1} needs {info[lk][1]} ports, has {ports}"
    spine_ports = sum(info[lk][0] * m for lk, m in counts.items())
    if spine_ports > ports:
        return f"switch spine-1 needs {spine_ports} ports, has {ports}"
    classes = {(lk[0], lk[1], info[lk][0]): m for lk, m in counts.items()}
    keys = list(classes)
    srv_l: list[_Cls] = []
    st_l: list[_Cls] = []
    for li, key in enumerate(keys):
        m = classes[key]
        for gi in range(n_sg):
            if key[0][gi]:
                srv_l.append(_Cls(gi, li, key[0][gi] * m, {li: d.servers[gi].storage_ports}))
        for si in range(n_st):
            if key[1][si]:
                st_l.append(_Cls(si, li, key[1][si] * m, {li: d.storage[si].ports}))
    return _Struct(srv_l, st_l, True, [classes[k] for k in keys], [k[2] for k in keys], n_spines)


def _fast(d: Design, storage_scale: float = 1.0) -> _Eval:
    """Lumped max-min analysis equal to ``analyze_design(d, storage_scale=...)``."""
    try:
        return _fast_impl(d, storage_scale)
    except _Unsupported:
        return _exact(d, storage_scale)


# Resource-class order mirrors analysis.py's resource order (units, ingest, edges, prep)
# so simultaneous saturations break ties the same way where rounding allows.
_ORD_UNIT, _ORD_INGEST, _ORD_PEDGE, _ORD_UP, _ORD_DOWN, _ORD_SEDGE, _ORD_PREP = range(7)


def _fast_impl(d: Design, storage_scale: float) -> _Eval:
    from sizer.analysis import (
        fabric_links_group,
        ingest_group,
        preprocessing_group,
        server_links_group,
        storage_group,
        storage_links_group,
    )
    from sizer.topology import endpoint_rate

    struct = _structure(d)
    if isinstance(struct, str):
        return _Eval(feasible=False, note=struct)
    K = d.total_storage_units
    if K == 0:
        raise _Unsupported("no storage")
    ls = struct.leaf_spine
    S = struct.spines
    swr = d.switch_link_rate

    r_idx: dict[tuple[Any, ...], int] = {}
    r_kind: list[str] = []
    r_group: list[str] = []
    r_cap: list[float] = []
    r_ord: list[tuple[int, int, int]] = []

    def res(key: tuple[Any, ...], kind: str, group: str, cap: float, order: int) -> int:
        i = r_idx.get(key)
        if i is None:
            i = r_idx[key] = len(r_kind)
            r_kind.append(kind)
            r_group.append(group)
            r_cap.append(cap)
            r_ord.append((order, key[1] if len(key) > 1 else 0, key[2] if len(key) > 2 else 0))
        return i

    # Routing (sizer.topology.routing_fractions, in closed form).  Every server reads
    # 1/K of its bytes from every unit.  Single/dual switch: through the switches the
    # unit and the server share, split in proportion to the unit's links there.
    # Leaf-spine: unit edge -> (other leaf: uplinks 1/S per spine, spine downlinks to
    # the server's leaf) -> server edge.
    def split(sc: _Cls, pc: _Cls) -> dict[int, float]:
        common = [k for k in sc.links if k in pc.links]
        if not common:
            raise _Unsupported("no common switch")
        tot = sum(sc.links[k] for k in common)
        return {k: sc.links[k] / tot for k in common}

    def routing_column(pi: int, pc: _Cls) -> dict[int, float]:
        """Lumped weights of one flow class of server class ``pc`` per unit of cache miss
        (storage, link and ingest resources; every term scales with the miss fraction)."""
        sg = d.servers[pc.group]
        n_c = pc.n
        col: dict[int, float] = defaultdict(float)
        per_unit = n_c / K  # lumped weight on each unit's resources
        if sg.ingest_limit is not None:
            i = res(
                ("ingest", pi),
                "server-ingest",
                ingest_group(sg.name, sg.count),
                sg.ingest_limit,
                _ORD_INGEST,
            )
            col[i] += 1.0
        arrive: dict[int, float] = defaultdict(float)
        for ci, sc in enumerate(struct.st):
            st = d.storage[sc.group]
            i = res(
                ("unit", sc.group),
                "storage",
                storage_group(st.unit_id, st.count),
                st.read_bandwidth * storage_scale,
                _ORD_UNIT,
            )
            col[i] += per_unit * sc.n / st.count
            trate = endpoint_rate(d, "storage", sc.group)
            if ls:
                i = res(
                    ("sedge", ci, sc.leaf),
                    "link",
                    storage_links_group(st.unit_id),
                    sc.links[sc.leaf] * trate,
                    _ORD_SEDGE,
                )
                col[i] += per_unit
                arrive[pc.leaf] += sc.n / K
                m_l = struct.leaf_m[sc.leaf]
                eff = float(sc.n)
                if sc.leaf == pc.leaf:
                    eff -= sc.n / m_l  # the units on the server's own leaf
                if eff > 0:
                    i = res(
                        ("up", sc.leaf),
                        "link",
                        fabric_links_group("leaf", "spine"),
                        struct.leaf_uplinks[sc.leaf] * swr,
                        _ORD_UP,
                    )
                    col[i] += per_unit * eff / (m_l * S)
                    m_p = struct.leaf_m[pc.leaf]
                    i = res(
                        ("down", pc.leaf),
                        "link",
                        fabric_links_group("spine", "leaf"),
                        struct.leaf_uplinks[pc.leaf] * swr,
                        _ORD_DOWN,
                    )
                    col[i] += per_unit * eff / (m_p * S)
            else:
                for k, frac in split(sc, pc).items():
                    i = res(
                        ("sedge", ci, k),
                        "link",
                        storage_links_group(st.unit_id),
                        sc.links[k] * trate,
                        _ORD_SEDGE,
                    )
                    col[i] += per_unit * frac
                    arrive[k] += sc.n / K * frac
        prate = endpoint_rate(d, "server", pc.group)
        for k, frac in arrive.items():
            i = res(
                ("pedge", pi, k),
                "link",
                server_links_group(sg.name),
                pc.links[k] * prate,
                _ORD_PEDGE,
            )
            col[i] += frac
        return col

    base_cols: dict[int, dict[int, float]] = {}
    cols: list[dict[int, float]] = []
    f_dem: list[float] = []
    f_shr: list[float] = []
    f_n: list[float] = []
    f_w: list[int] = []
    f_gpus: list[float] = []
    f_bps: list[float] = []
    f_miss: list[float] = []
    f_img: list[float] = []
    f_unb: list[bool] = []
    for w in d.workloads:
        for gi in w.groups:
            sg = d.servers[gi]
            if sg.count == 0:
                continue
            hit, _mode, _note = cache_hit_ratio(w, sg)
            miss = 1.0 - hit
            gpus = w.gpus_per_server[gi]
            if w.unbounded:
                dem, img = math.inf, 0.0
            else:
                img = gpus * w.samples_per_sec_per_gpu[gi]
                dem = img * w.bytes_per_sample
            for pi, pc in enumerate(struct.srv):
                if pc.group != gi:
                    continue
                col: dict[int, float] = {}
                if miss > 0:
                    base = base_cols.get(pi)
                    if base is None:
                        base = base_cols[pi] = routing_column(pi, pc)
                    col = {i: v * miss for i, v in base.items()} if miss != 1.0 else dict(base)
                if w.bytes_per_sample > 0 and sg.preprocessing_rate is not None:
                    i = res(
                        ("prep", pi),
                        "host-preprocessing",
                        preprocessing_group(sg.name, sg.count),
                        sg.preprocessing_rate,
                        _ORD_PREP,
                    )
                    col[i] = col.get(i, 0.0) + 1.0 / w.bytes_per_sample
                cols.append(col)
                f_dem.append(dem)
                f_shr.append(float(max(gpus, 1)))
                f_n.append(float(pc.n))
                f_w.append(w.index)
                f_gpus.append(0.0 if w.unbounded else float(gpus))
                f_bps.append(w.bytes_per_sample)
                f_miss.append(miss)
                f_img.append(img)
                f_unb.append(w.unbounded)

    # ------------------------------------------------------------ solve the lumped problem
    order = sorted(range(len(r_kind)), key=lambda i: r_ord[i])
    pos = {i: p for p, i in enumerate(order)}
    n_f = len(cols)
    W = np.zeros((len(order), n_f))
    for f, col in enumerate(cols):
        for i, v in col.items():
            W[pos[i], f] = v
    caps = np.asarray([r_cap[i] for i in order], dtype=np.float64)
    kinds = [r_kind[i] for i in order]
    groups = [r_group[i] for i in order]
    dem_a = np.asarray(f_dem, dtype=np.float64)
    rates, binding, load = _solve_small(W, caps, dem_a, np.asarray(f_shr, dtype=np.float64))

    # ------------------------------------------------------------ results, as analysis.py
    nf = np.asarray(f_n)
    fg = np.asarray(f_gpus)
    fbps = np.asarray(f_bps)
    fmiss = np.asarray(f_miss)
    fimg_dem = np.asarray(f_img)
    unb = np.asarray(f_unb, dtype=bool)
    pos_bps = fbps > 0
    fimg = np.where(pos_bps, rates / np.where(pos_bps, fbps, 1.0), fimg_dem)
    pos_dem = dem_a > 0
    futil = np.where(pos_dem, rates / np.where(pos_dem, dem_a, 1.0), 1.0)  # inf demand -> 0
    images = 0.0
    wl_util: list[float | None] = []
    wl_img: list[float] = []
    wl_read: list[float] = []
    for w in d.workloads:
        sel = [f for f in range(n_f) if f_w[f] == w.index]
        wl_read.append(float(sum(nf[f] * rates[f] * fmiss[f] for f in sel)))
        if w.unbounded:
            wl_util.append(None)
            wl_img.append(0.0)
            continue
        wl_img.append(float(sum(nf[f] * fimg[f] for f in sel)))
        images += wl_img[-1]
        g_w = float(sum(nf[f] * fg[f] for f in sel))
        wl_util.append(float(sum(nf[f] * fg[f] * futil[f] for f in sel) / g_w) if g_w > 0 else None)
    gpu_total = float((nf * fg).sum())
    agg = float((nf * fg * futil).sum() / gpu_total) if gpu_total > 0 else None
    # the bottleneck, as sizer.analysis._bottleneck: the group freezing most unmet demand
    unmet: dict[str, float] = defaultdict(float)
    rep: dict[str, int] = {}
    util_r = np.divide(load, caps, out=np.zeros_like(load), where=caps > 0)
    for f in range(n_f):
        b = int(binding[f])
        if b < 0 or (not unb[f] and futil[f] >= _FED):
            continue
        grp = groups[b]
        unmet[grp] += nf[f] * ((1.0 - futil[f]) * fg[f] if not unb[f] else 1.0)
        if grp not in rep or util_r[b] > util_r[rep[grp]]:
            rep[grp] = b
    bott = None
    if unmet:
        grp = max(unmet, key=lambda k: (unmet[k], k))
        b = rep[grp]
        bott = {"kind": kinds[b], "group": grp, "utilization": float(util_r[b])}
    return _Eval(
        feasible=True,
        images_per_sec=images,
        read_bytes_per_sec=float((nf * rates * fmiss).sum()),
        demand_images_per_sec=float((nf * fimg_dem)[~unb].sum()),
        gpu_data_utilization=agg,
        workload_util=wl_util,
        bottleneck=bott,
        workload_images=wl_img,
        workload_read=wl_read,
    )


_TIE_RTOL = 1e-12  # as sizer.flows
_FLOAT_MAX = float(np.finfo(np.float64).max)


def _solve_small(
    W: np.ndarray, cap: np.ndarray, dem: np.ndarray, shr: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Progressive filling on a small dense problem: the algorithm of
    :func:`sizer.flows.solve` (same events, tie tolerance and binding rule) without its
    sparse-matrix set-up cost.  Returns ``(rates, binding, load)``."""
    n_f = W.shape[1]
    finite = np.isfinite(cap)
    Wf = W[finite]
    capf = cap[finite]
    rows = np.flatnonzero(finite)
    uses = Wf > 0
    if np.isinf(dem).any():
        crosses = uses.any(axis=0)
        bad = np.flatnonzero(np.isinf(dem) & ~crosses)
        if bad.size:
            raise ValueError(
                f"flow {bad[0]} has infinite demand but crosses no resource of "
                "finite capacity, so its rate would be unbounded."
            )
    rates = np.zeros(n_f)
    binding = np.full(n_f, -1, dtype=np.intp)
    active = np.ones(n_f, dtype=bool)
    demand_level = dem / shr
    while active.any():
        coef = Wf[:, active] @ shr[active]
        has_users = uses[:, active].any(axis=1)
        frozen_load = Wf[:, ~active] @ rates[~active]
        remaining = np.maximum(capf - frozen_load, 0.0)
        level = np.full(len(capf), np.inf)
        np.divide(remaining, coef, out=level, where=has_users)
        if len(capf):
            r_star = int(np.argmin(level))
            t_sat = float(level[r_star])
        else:
            r_star, t_sat = -1, math.inf
        cutoff = t_sat * (1.0 + _TIE_RTOL) if math.isfinite(t_sat) else _FLOAT_MAX
        meet = active & (demand_level <= cutoff)
        if meet.any():
            rates[meet] = dem[meet]
            active[meet] = False
            continue
        slack = remaining - t_sat * coef
        newly = has_users & (slack <= _TIE_RTOL * capf)
        newly[r_star] = True
        sat = np.flatnonzero(newly)
        rel = slack[sat] / np.where(capf[sat] > 0.0, capf[sat], 1.0)
        for r in sat[np.lexsort((sat, rel))]:
            fl = active & uses[r]
            rates[fl] = t_sat * shr[fl]
            binding[fl] = rows[r]
            active[fl] = False
    load = W @ rates
    load = np.where(finite, np.minimum(load, cap), load)
    return rates, binding, load


# ===================================================================== sweeps


def sweep_metric(design: Design) -> str:
    """The metric sweeps, knees and failure cases use: ``images_per_sec``, or
    ``read_bytes_per_sec`` when the design runs only read benchmarks."""
    return "images_per_sec" if has_gpu_workloads(design) else "read_bytes_per_sec"


_metric_name = sweep_metric


def _line(units: int, points: list[SweepPoint], metric: str, threshold: float) -> ScalingLine:
    ideal: list[float | None] = []
    eff: list[float | None] = []
    base: SweepPoint | None = None
    knee: Knee | None = None
    last_ok: int | None = None
    for p in points:
        val = p.metric(metric)
        if not p.feasible or val is None or p.servers == 0:
            ideal.append(None)
            eff.append(None)
            continue
        if base is None:
            base = p
        scale = p.servers / base.servers
        ideal.append((base.metric(metric) or 0.0) * scale)
        # the least efficient workload: an aggregate would hide a starving workload
        # behind one that reads few bytes per image
        ratios = [
            v / (b * scale)
            for v, b in zip(p.workload_metric(metric), base.workload_metric(metric), strict=True)
            if b > 0
        ]
        e = min(ratios) if ratios else 1.0
        eff.append(e)
        if knee is None:
            if e < threshold:
                knee = Knee(
                    servers=p.servers,
                    efficiency=e,
                    threshold=threshold,
                    last_linear_servers=last_ok,
                    bottleneck_kind=p.bottleneck_kind,
                    bottleneck_group=p.bottleneck_group,
                )
            else:
                last_ok = p.servers
    return ScalingLine(
        storage_units=units, points=points, ideal=ideal, efficiency=eff, knee=knee, metric=metric
    )


def _plateau(servers: int, pts: list[SweepPoint], metric: str) -> dict[str, Any]:
    vals: list[tuple[int, float]] = []
    for p in pts:
        v = p.metric(metric)
        if p.feasible and v is not None:
            vals.append((p.storage_units, v))
    if not vals:
        return {"servers": servers, "storage_units": None, "metric_value": None, "bottleneck": None}
    best = max(v for _k, v in vals)
    first = next(k for k, v in vals if v >= READ_CEILING_FRACTION * best)
    last = [p for p in pts if p.feasible][-1]
    return {
        "servers": servers,
        "storage_units": first,
        "metric_value": best,
        "bottleneck": None
        if last.bottleneck_kind is None
        else {"kind": last.bottleneck_kind, "group": last.bottleneck_group},
    }


def sweep(
    design: Design,
    servers: Iterable[int] | None = None,
    storage_units: Iterable[int] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    method: Method = "fast",
    progress: Progress | None = None,
) -> SweepResult:
    """Sweep server counts x storage-unit counts.

    Parameters
    ----------
    design : Design
        The resolved design; its workload mix per server is kept.
    servers, storage_units : iterables of int, optional
        Counts to evaluate (default: 1..the design's servers; the design's unit count).
        Each must be >= 1.
    threshold : float
        Efficiency below which scaling counts as no longer linear (the knee), 0..1.
    method : {"fast", "exact"}
        See :func:`evaluate`.
    progress : callable, optional
        ``progress(done, total)`` after each point (the CLI draws a bar with it).

    Returns
    -------
    SweepResult
        One :class:`ScalingLine` (ideal line, efficiency, knee) per unit count, and per
        server count the plateau over unit counts.

    Notes
    -----
    The metric is aggregate images/s, or read bytes/s when the design runs only read
    benchmarks.  The ideal line is linear from the first feasible (smallest) server
    count: ``ideal(n) = metric(n0) * n / n0``.  Efficiency is taken per workload and the
    least counts (with one workload, ``metric / ideal``): in aggregate images/s, two
    ResNet-50 GPUs per server adding 3,571 images/s from 0.4 GB/s would hide six UNet3D
    GPUs starving on 19 GB/s.  The knee is the first server count whose efficiency drops
    below ``threshold``; its bottleneck is the resource that causes it.  Points whose cabling does not fit the switches are
    reported infeasible.  Cost: one lumped solve per point (~0.3 ms for a 128-server,
    32-unit leaf-spine with ``method="fast"``).
    """
    t0 = time.perf_counter()
    srv = sorted(set(servers)) if servers is not None else list(range(1, design.total_servers + 1))
    units = sorted(set(storage_units)) if storage_units is not None else [design.storage[0].count]
    if not srv or not units or min(srv) < 1 or min(units) < 1:
        raise ValueError("server and storage-unit counts must be non-empty and >= 1")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold {threshold} is outside (0, 1]")
    metric = _metric_name(design)
    total = len(srv) * len(units)
    grid: dict[tuple[int, int], SweepPoint] = {}
    done = 0
    srv_groups = {n: vary(design, servers=n).servers for n in srv}
    st_groups = {k: vary(design, storage_units=k).storage for k in units}
    for k in units:
        for n in srv:
            v = dataclasses.replace(design, servers=srv_groups[n], storage=st_groups[k])
            grid[(n, k)] = _point(v, _evaluate(v, 1.0, method))
            done += 1
            if progress is not None:
                progress(done, total)
    lines = [_line(k, [grid[(n, k)] for n in srv], metric, threshold) for k in units]
    plateau = [_plateau(n, [grid[(n, k)] for k in units], metric) for n in srv]
    return SweepResult(
        scenario=design.name,
        servers=srv,
        storage_units=units,
        metric=metric,
        threshold=threshold,
        lines=lines,
        plateau=plateau,
        method=method,
        evaluations=total,
        elapsed_seconds=time.perf_counter() - t0,
    )


def server_sweep(
    design: Design,
    servers: Iterable[int] | None = None,
    *,
    storage_units: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    method: Method = "fast",
    progress: Progress | None = None,
) -> SweepResult:
    """Servers 1..N (default: the design's count) at one storage-unit count: the ideal
    line, efficiency per point and the knee (``result.knee``).  See :func:`sweep`."""
    k = storage_units if storage_units is not None else design.storage[0].count
    return sweep(design, servers, [k], threshold=threshold, method=method, progress=progress)


def storage_sweep(
    design: Design,
    storage_units: Iterable[int] | None = None,
    *,
    servers: int | None = None,
    method: Method = "fast",
    progress: Progress | None = None,
) -> SweepResult:
    """Storage units 1..M (default: 1..the design's count) at one server count.

    ``result.plateau[0]`` says from which unit count more storage stops helping (99% of
    the best) and what limits there -- a client-bound design plateaus at the first unit
    count that saturates the clients.  See :func:`sweep`.
    """
    n = servers if servers is not None else design.total_servers
    units = storage_units if storage_units is not None else range(1, design.storage[0].count + 1)
    return sweep(design, [n], units, method=method, progress=progress)


# ===================================================================== inverse sizing


def _objective(
    design: Design, target_images_per_sec: float | None, min_utilization: float | None
) -> tuple[str, float]:
    """(objective, target) from the options, the scenario's target, or the default."""
    if target_images_per_sec is not None and min_utilization is not None:
        raise ValueError("give either a target images/s or a minimum utilization, not both")
    if target_images_per_sec is not None:
        if not (math.isfinite(target_images_per_sec) and target_images_per_sec > 0):
            raise ValueError(f"target images/s must be a number > 0, not {target_images_per_sec}")
        if not _has_gpu_work(design):
            raise ValueError("the design runs only read benchmarks, which produce no images/s")
        return "images-per-sec", float(target_images_per_sec)
    if min_utilization is not None:
        if not (0.0 < min_utilization <= 1.0):
            raise ValueError(f"minimum utilization must be in (0, 1], not {min_utilization}")
    else:
        tgt = getattr(getattr(design, "scenario", None), "target", None)
        if tgt is not None and tgt.images_per_sec is not None and _has_gpu_work(design):
            return "images-per-sec", float(tgt.images_per_sec)
        if tgt is not None and tgt.gpu_data_utilization is not None:
            min_utilization = float(tgt.gpu_data_utilization)
    if not _has_gpu_work(design):
        return "read-ceiling", math.nan  # target set from the unlimited-storage analysis
    return "min-utilization", float(
        min_utilization if min_utilization is not None else DEFAULT_MIN_UTILIZATION
    )


def _meets(e: _Eval, objective: str, target: float) -> bool:
    if not e.feasible:
        return False
    if objective == "images-per-sec":
        return e.images_per_sec >= target * (1.0 - _REL)
    if objective == "read-ceiling":
        return e.read_bytes_per_sec >= target * (1.0 - _REL)
    m = e.min_util
    return m is None or m >= target - _REL


def _search(
    pred: Callable[[int], _Eval], meets: Callable[[_Eval], bool], cap: int
) -> tuple[int | None, int | None, list[tuple[int, bool]], dict[int, _Eval]]:
    """Fewest ``k`` in 1..cap with ``meets(pred(k))``, by galloping then bisection.

    Assumes monotonicity: infeasible (ports) for all k above some K, and meeting the
    objective for all feasible k above the answer.  Returns ``(answer or None,
    largest feasible k when the ports stopped the search else None, probes,
    evaluations)``.  Cost: O(log answer) evaluations.
    """
    evals: dict[int, _Eval] = {}
    probes: list[tuple[int, bool]] = []

    def at(k: int) -> _Eval:
        if k not in evals:
            evals[k] = pred(k)
            probes.append((k, meets(evals[k])))
        return evals[k]

    lo_fail = 0  # largest k known not to meet (feasible)
    k = 1
    hi: int | None = None  # smallest k known to meet
    infeasible: int | None = None  # smallest k known infeasible
    while True:
        e = at(k)
        if not e.feasible:
            infeasible = k
            break
        if meets(e):
            hi = k
            break
        lo_fail = k
        if k >= cap:
            break
        k = min(cap, 2 * k)
    max_fit: int | None = None
    if hi is None and infeasible is not None:
        # the largest count that fits the switches, by bisection in (lo_fail, infeasible)
        a, b = lo_fail, infeasible
        while b - a > 1:
            mid = (a + b) // 2
            e = at(mid)
            if not e.feasible:
                b = mid
            elif meets(e):
                hi, b = mid, mid
                break
            else:
                a = mid
        if hi is None:
            max_fit = a
            return None, max_fit, probes, evals
        lo_fail = a
        infeasible = None
    if hi is None:
        return None, None, probes, evals
    a, b = lo_fail, hi  # a fails (or 0), b meets
    while b - a > 1:
        mid = (a + b) // 2
        e = at(mid)
        if e.feasible and meets(e):
            b = mid
        else:
            a = mid
    return b, max_fit, probes, evals


def _limit_dict(b: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if b is None else {"kind": b["kind"], "group": b["group"]}


_KIND_WORDS = {
    "storage": "storage",
    "link": "the network",
    "server-ingest": "the clients' ingest limit",
    "host-preprocessing": "host preprocessing",
    "gpu-compute": "GPU compute",
}


def size_storage(
    design: Design,
    *,
    target_images_per_sec: float | None = None,
    min_utilization: float | None = None,
    max_units: int = MAX_UNITS,
    storage_group: int = 0,
    method: Method = "fast",
) -> SizingResult:
    """The fewest storage units (of storage group ``storage_group``'s type) meeting the
    objective.

    Parameters
    ----------
    design : Design
    target_images_per_sec : float, optional
        Aggregate images/s to reach (> 0).  Exclusive with ``min_utilization``.
    min_utilization : float, optional
        Every GPU workload at least this fed (0..1].  Default: the scenario's
        ``target:``, else 0.9 (MLPerf Storage's bar).
    max_units : int
        Largest unit count searched.
    method : {"fast", "exact"}

    Returns
    -------
    SizingResult
        ``met`` False (and ``limiting``) when no unit count up to ``max_units`` (or up
        to what fits the switches' ports) meets the objective.

    Raises
    ------
    ValueError
        A target <= 0, a utilization outside (0, 1], both given, or an images/s target
        for a design that runs only read benchmarks.

    Notes
    -----
    Objectives: GPU workloads -- every GPU workload's data utilization >= the bar, or
    aggregate images/s >= the target.  Read benchmarks only (no GPU workload; e.g. the
    RA's fio/IOR test) -- the fewest units whose read throughput is within 1% of what
    the design reads with *unlimited* storage (``analyze_design(d,
    storage_scale=math.inf)`` at the design's own unit count): more units would not
    read faster because something else (client ingest, network) limits.

    Search: galloping (1, 2, 4, ...) then bisection, O(log k) analyses, assuming more
    units never lower throughput (tested on every shipped scenario and on random
    designs).  When the objective is out of reach, the limiting resource is the
    bottleneck of the analysis with unlimited storage at the largest unit count tried.

    Examples
    --------
    >>> from sizer.catalog import load_catalog
    >>> from sizer.design import resolve
    >>> from sizer.loader import load_scenario
    >>> cat = load_catalog()
    >>> d = resolve(load_scenario("scenarios/ra-9x-dgx1-3x-ess3000.yaml", cat), cat)
    >>> size_storage(d).storage_units   # RA: 2 ESS 3000 were enough for 9 DGX-1
    2
    """
    objective, target = _objective(design, target_images_per_sec, min_utilization)
    if max_units < 1:
        raise ValueError(f"max_units must be >= 1, not {max_units}")
    st = design.storage[storage_group]
    if objective == "read-ceiling":
        ceil_e = _evaluate(design, math.inf, method)
        target = READ_CEILING_FRACTION * ceil_e.read_bytes_per_sec

    def at(k: int) -> _Eval:
        return _evaluate(vary(design, storage_units=k, storage_group=storage_group), 1.0, method)

    def meets(e: _Eval) -> bool:
        return _meets(e, objective, target)

    ans, max_fit, probes, evals = _search(at, meets, max_units)
    search = "galloping + bisection"
    monotone: bool | None = None
    if not units_monotone(design):
        # Leaf-spine (or mixed storage cabling): adding a unit can re-spread storage over
        # the leaves and lower throughput, and even port feasibility need not be monotone.
        # Check every count below the candidate (or up to what the ports can hold).
        top = ans - 1 if ans is not None else min(max_units, _unit_bound(design, storage_group))
        for k in range(1, top + 1):
            e = at(k) if k not in evals else evals[k]
            if k not in evals:
                evals[k] = e
                probes.append((k, meets(e)))
            if meets(e):
                ans = k
                break
        ks = sorted(evals)
        fits = [evals[k].feasible for k in ks]
        oks = [meets(evals[k]) for k in ks]
        # monotone: once met, met for every larger count; once too big, too big after
        monotone = oks == sorted(oks) and fits == sorted(fits, reverse=True)
        search = (
            f"galloping + bisection, verified by checking every count up to "
            f"{ans if ans is not None else top} ({design.topology}: more units need not "
            "mean more throughput)"
        )
        if ans is not None:
            max_fit = None
        elif max_fit is not None:
            max_fit = max([k for k, e in evals.items() if e.feasible], default=max_fit)
    common: dict[str, Any] = {
        "monotone": monotone,
        "search": search,
        "scenario": design.name,
        "unit_id": st.unit_id,
        "objective": objective,
        "target": target,
        "probes": probes,
        "max_units_fit": max_fit,
        "unit_rack_units": st.rack_units,
        "unit_power_watts": st.power_watts,
    }
    if ans is not None:
        v = vary(design, storage_units=ans, storage_group=storage_group)
        return SizingResult(
            met=True,
            storage_units=ans,
            achieved=_point(v, evals[ans]),
            limiting=None,
            reason=_met_reason(objective, target, ans, st.unit_id),
            **common,
        )
    fitting = [k for k, e in evals.items() if e.feasible]
    if not fitting:
        e1 = evals[min(evals)]
        return SizingResult(
            met=False,
            storage_units=None,
            achieved=None,
            limiting={"kind": "link", "group": "switch ports"},
            reason=f"no number of {st.unit_id} units fits the switches' ports ({e1.note})",
            **common,
        )
    last = max_fit if max_fit is not None else max(fitting)
    v = vary(design, storage_units=last, storage_group=storage_group)
    unl = _evaluate(v, math.inf, method)
    limiting = _limit_dict(unl.bottleneck)
    if _meets(unl, objective, target):
        # storage alone would do it, but not as many units as needed fit the switches
        reason = (
            f"no number of {st.unit_id} units meets the target: at most {last} fit "
            f"the switches' ports ({_ports_text(design)}), and {last} units are still "
            "storage-bound"
        )
        limiting = {"kind": "link", "group": "switch ports"}
    else:
        what = (
            "GPU compute"
            if limiting is None
            else f"{_KIND_WORDS.get(limiting['kind'], limiting['kind'])} ({limiting['group']})"
        )
        have = (
            f"{unl.images_per_sec:,.0f} images/s"
            if objective == "images-per-sec"
            else f"{unl.read_bytes_per_sec / 1e9:,.1f} GB/s"
            if objective == "read-ceiling"
            else f"GPU data utilization {100 * (unl.min_util or 0):.0f}%"
        )
        want = (
            f"{target:,.0f} images/s"
            if objective == "images-per-sec"
            else f"{target / 1e9:,.1f} GB/s"
            if objective == "read-ceiling"
            else f"every GPU workload at least {100 * target:.0f}% fed"
        )
        if limiting is None and objective == "images-per-sec":
            what = f"GPU compute (the GPUs' own rate is {unl.demand_images_per_sec:,.0f} images/s)"
        reason = (
            f"no number of {st.unit_id} units reaches {want}: even with unlimited "
            f"storage at {last} units the design gets {have}, limited by {what}"
        )
    return SizingResult(
        met=False,
        storage_units=None,
        achieved=_point(v, evals[last]),
        limiting=limiting,
        reason=reason,
        **common,
    )


def units_monotone(design: Design) -> bool:
    """True when more storage units can never lower throughput or stop fitting and then
    fit again: single-switch, or dual-switch with every storage group split alike over
    the two switches.  Then every unit is cabled alike, so adding one leaves each
    server's routing fractions unchanged and only adds capacity.  Leaf-spine designs are
    not: a unit can land on a server's own leaf or another (striping then sends a
    different share over the oversubscribed uplinks), and a new storage leaf takes a
    server leaf away (tests/test_scaling.py has a hand-computed counterexample)."""
    from sizer.topology import split_ports

    if design.topology == "single-switch":
        return True
    if design.topology == "dual-switch":
        return len({tuple(split_ports(s.ports, 2)) for s in design.storage}) == 1
    return False


def _unit_bound(design: Design, storage_group: int) -> int:
    """No more units than this can be cabled: every port of every switch on storage."""
    n_switches = {"single-switch": 1, "dual-switch": 2}.get(design.topology, design.leaves or 1)
    ports = max(1, design.storage[storage_group].ports)
    return max(1, n_switches * design.switch_ports // ports)


def _ports_text(design: Design) -> str:
    return f"{design.switch_ports}-port {design.switch_id}, {design.topology}"


def _met_reason(objective: str, target: float, k: int, unit: str) -> str:
    if objective == "images-per-sec":
        return f"{k} x {unit} reach {target:,.0f} images/s"
    if objective == "read-ceiling":
        return (
            f"{k} x {unit} read {target / READ_CEILING_FRACTION / 1e9:,.1f} GB/s within 1%: "
            "more units would not read faster"
        )
    return f"{k} x {unit} keep every GPU workload at least {100 * target:.0f}% fed"


def size_all_units(
    design: Design,
    catalog: Catalog,
    *,
    target_images_per_sec: float | None = None,
    min_utilization: float | None = None,
    max_units: int = MAX_UNITS,
    method: Method = "fast",
) -> list[SizingResult]:
    """:func:`size_storage` for every catalog storage unit in place of the design's
    storage, ranked: units that meet the objective first, fewest units, then fewest
    rack units, then id.  Units whose links do not match the switch are listed last
    with ``skipped`` True.  Needs the design's scenario (``design.scenario``)."""
    from sizer.design import resolve
    from sizer.schema import StorageGroup

    sc = design.scenario
    if sc is None:
        raise ValueError("size_all_units needs a design resolved from a scenario")
    objective, target = _objective(design, target_images_per_sec, min_utilization)
    out: list[SizingResult] = []
    for uid in sorted(catalog.storage):
        unit = catalog.storage[uid]
        link = catalog.links[unit.link]
        if link.kind != design.switch_link_kind:
            out.append(
                SizingResult(
                    scenario=design.name,
                    unit_id=uid,
                    objective=objective,
                    target=target,
                    met=False,
                    storage_units=None,
                    achieved=None,
                    limiting=None,
                    max_units_fit=None,
                    probes=[],
                    skipped=True,
                    reason=f"{uid} ports are {link.kind} ({link.id}) but switch "
                    f"{design.switch_id} is {design.switch_link_kind}",
                )
            )
            continue
        count = design.storage[0].count
        sc_u = sc.model_copy(update={"storage": [StorageGroup(unit=uid, count=count, ports=None)]})
        d_u = resolve(sc_u, catalog)
        kw: dict[str, Any] = {"max_units": max_units, "method": method}
        if objective == "images-per-sec":
            kw["target_images_per_sec"] = target
        elif objective == "min-utilization":
            kw["min_utilization"] = target
        out.append(size_storage(d_u, **kw))
    return sorted(
        out,
        key=lambda r: (
            r.skipped,
            not r.met,
            r.storage_units if r.storage_units is not None else 0,
            (r.storage_units or 0) * (r.unit_rack_units or 0),
            r.unit_id,
        ),
    )


def max_servers(
    design: Design,
    *,
    min_utilization: float = DEFAULT_MIN_UTILIZATION,
    storage_units: int | None = None,
    max_count: int = MAX_SERVERS,
    method: Method = "fast",
) -> ServerLimit:
    """The converse of sizing: the most servers (workload mix kept) that the design's
    storage (``storage_units``, default its own) keeps with every GPU workload at least
    ``min_utilization`` fed, growing one server at a time: the result ``n`` is the
    largest count such that every count 1..n is fed and fits the ports.  Galloping +
    bisection over server counts; stops where the switches run out of ports
    (``port_limited``).  On single and dual switches adding a server never raises
    another's share, so the search is exact; a leaf-spine re-spreads servers over the
    leaves, so there every count below the answer is checked too (up to
    :data:`MAX_VERIFY` counts; ``verified`` says whether that happened).  Read-benchmark-
    only designs have no GPUs to feed: ``servers`` is then the largest count that fits
    the ports."""
    if not 0.0 < min_utilization <= 1.0:
        raise ValueError(f"minimum utilization must be in (0, 1], not {min_utilization}")
    k = storage_units if storage_units is not None else design.storage[0].count
    base = vary(design, storage_units=k)

    def at(n: int) -> _Eval:
        return _evaluate(vary(base, servers=n), 1.0, method)

    def starves(e: _Eval) -> bool:  # monotone: more servers -> starving, or no ports
        if not e.feasible:
            return True
        m = e.min_util
        return m is not None and m < min_utilization - _REL

    evals: dict[int, _Eval] = {}

    def bad(n: int) -> bool:
        if n not in evals:
            evals[n] = at(n)
        return starves(evals[n])

    if bad(1):
        first_bad: int | None = 1
    else:
        lo, hi = 1, None
        while hi is None and lo < max_count:
            nxt = min(max_count, 2 * lo)
            if bad(nxt):
                hi = nxt
            else:
                lo = nxt
        if hi is not None:
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if bad(mid):
                    hi = mid
                else:
                    lo = mid
        first_bad = hi
    verified = design.topology != "leaf-spine"
    if not verified and (first_bad or max_count) - 1 <= MAX_VERIFY:
        for n in range(2, (first_bad or max_count + 1) - 1):
            if bad(n):
                first_bad = n
                break
        verified = True
    if first_bad is None:
        return ServerLimit(
            design.name,
            k,
            min_utilization,
            max_count,
            False,
            None,
            f"at least {max_count} servers stay fed",
            verified,
        )
    n = first_bad - 1
    e = evals[first_bad]
    if not e.feasible:
        return ServerLimit(
            design.name,
            k,
            min_utilization,
            n,
            True,
            {"kind": "link", "group": "switch ports"},
            f"{n} servers fill the switches' ports ({e.note}); all stay fed",
            verified,
        )
    lim = _limit_dict(e.bottleneck)
    what = "?" if lim is None else f"{lim['group']} ({lim['kind']})"
    return ServerLimit(
        design.name,
        k,
        min_utilization,
        n,
        False,
        lim,
        f"{k} units keep {n} servers at least {100 * min_utilization:.0f}% fed; "
        f"at {first_bad} servers {what} starves the GPUs",
        verified,
    )


# ===================================================================== headroom


def headroom(
    design: Design,
    *,
    min_utilization: float = DEFAULT_MIN_UTILIZATION,
    rtol: float = 1e-6,
    method: Method = "fast",
) -> Headroom:
    """How far per-GPU demand can grow before some GPU workload drops under the bar.

    Every GPU's samples/s is multiplied by ``m`` (faster GPUs, a lighter model, more
    bytes per sample would act the same); the result is the largest ``m`` with every
    GPU workload at least ``min_utilization`` fed, to relative precision ``rtol``
    (galloping then bisection; utilization never rises with ``m``).

    Examples
    --------
    One DGX-1 training AlexNet (8.4 GB/s) on one 40 GB/s ESS 3000 behind 4 EDR links
    (50 GB/s): demand can grow until 90% of it is the 40 GB/s the unit reads,
    ``m = 40 / (0.9 * 8.4)`` = 5.3.

    >>> from sizer.catalog import load_catalog
    >>> from sizer.design import resolve
    >>> from sizer.loader import load_scenario
    >>> cat = load_catalog()
    >>> d = resolve(load_scenario("scenarios/ra-1x-dgx1-1x-ess3000.yaml", cat), cat)
    >>> round(float(headroom(d)), 1)
    5.3
    """
    if not 0.0 < min_utilization <= 1.0:
        raise ValueError(f"minimum utilization must be in (0, 1], not {min_utilization}")
    if not _has_gpu_work(design):
        return Headroom(
            design.name,
            None,
            min_utilization,
            None,
            "no GPU workload: read benchmarks have no demand to grow",
        )

    def ok(m: float) -> tuple[bool, _Eval]:
        e = _evaluate(_scale_demand(design, m), 1.0, method)
        u = e.min_util
        return (u is None or u >= min_utilization - _REL), e

    good, e1 = ok(1.0)
    lo, hi = (1.0, None) if good else (None, 1.0)
    if good:
        m = 2.0
        while True:
            g, _e = ok(m)
            if not g:
                hi = m
                break
            lo = m
            if m > 1e12:
                return Headroom(
                    design.name,
                    math.inf,
                    min_utilization,
                    None,
                    "no resource limits the GPU workloads: demand can grow without bound",
                )
            m *= 2.0
    else:
        m = 0.5
        while True:
            g, _e = ok(m)
            if g:
                lo = m
                break
            hi = m
            if m < 1e-12:
                return Headroom(
                    design.name,
                    0.0,
                    min_utilization,
                    _limit_dict(e1.bottleneck),
                    "no GPU workload is fed even at vanishing demand",
                )
            m /= 2.0
    assert lo is not None and hi is not None
    while hi - lo > rtol * lo:
        mid = (lo + hi) / 2.0
        if ok(mid)[0]:
            lo = mid
        else:
            hi = mid
    lim = _limit_dict(ok(hi)[1].bottleneck)
    what = "?" if lim is None else f"{lim['group']} ({lim['kind']})"
    note = (
        f"per-GPU demand can grow {lo:.2f}x before a GPU workload drops under "
        f"{100 * min_utilization:.0f}% fed; then {what} limits"
        if lo >= 1.0
        else f"already under the bar: demand would have to shrink to {lo:.2f}x; {what} limits"
    )
    return Headroom(design.name, lo, min_utilization, lim, note)


# ===================================================================== failures (N-1)


def _copy_fabric(fab: Fabric) -> Fabric:
    return dataclasses.replace(
        fab,
        graph=fab.graph.copy(),
        servers=list(fab.servers),
        storage=list(fab.storage),
        switches=list(fab.switches),
        ports_used=dict(fab.ports_used),
    )


def _drop_attach(eps: list[Any], switch: str) -> list[Any]:
    return [
        dataclasses.replace(ep, attach=tuple((sw, n) for sw, n in ep.attach if sw != switch))
        if any(sw == switch for sw, _n in ep.attach)
        else ep
        for ep in eps
    ]


def _without_switch(fab: Fabric, switch: str) -> Fabric:
    f = _copy_fabric(fab)
    f.graph.remove_node(switch)
    f.switches.remove(switch)
    f.ports_used.pop(switch, None)
    f.servers = _drop_attach(f.servers, switch)
    f.storage = _drop_attach(f.storage, switch)
    return f


def _without_unit(fab: Fabric, group: int) -> Fabric:
    """The last storage unit of ``group`` failed: its node and its links are gone."""
    f = _copy_fabric(fab)
    lost = [ep for ep in f.storage if ep.group == group][-1]
    f.graph.remove_node(lost.node)
    f.storage = [ep for ep in f.storage if ep is not lost]
    return f


def _one_link_less(fab: Fabric, u: str, v: str, both: bool) -> Fabric:
    """One cable of the bundle u -> v lost (and v -> u for inter-switch bundles)."""
    f = _copy_fabric(fab)
    g = f.graph
    for a, b in ((u, v), (v, u)) if both else ((u, v),):
        data = g[a][b]
        n = data["links"] - 1
        if n <= 0:
            g.remove_edge(a, b)
        else:
            g[a][b].update(links=n, capacity=n * data["rate"])
    # endpoints route by their own cabling (Endpoint.attach): keep it in step
    for lst in (f.servers, f.storage):
        for i, ep in enumerate(lst):
            if ep.node in (u, v):
                sw = v if ep.node == u else u
                att = tuple((s, n - 1 if s == sw else n) for s, n in ep.attach)
                lst[i] = dataclasses.replace(ep, attach=tuple((s, n) for s, n in att if n > 0))
    return f


def _edge_capacity(fab: Fabric) -> tuple[float, float]:
    """(sum of switch -> server capacities, sum of storage -> switch capacities)."""
    g = fab.graph
    to_srv = sum(d["capacity"] for u, v, d in g.edges(data=True) if g.nodes[v]["kind"] == "server")
    from_st = sum(
        d["capacity"] for u, v, d in g.edges(data=True) if g.nodes[u]["kind"] == "storage"
    )
    return float(to_srv), float(from_st)


def _peak(a: Analysis) -> float | None:
    utils = [r.utilization for r in a.resources if r.load > 0]
    return max(utils) if utils else None


def _reachable_servers(fab: Fabric) -> int:
    """Servers some storage unit can reach: one search from all units at once, O(V + E)
    (a search per unit took 49 s on 10,000 servers x 500 units)."""
    g = fab.graph
    todo = [ep.node for ep in fab.storage if ep.node in g]
    seen = set(todo)
    while todo:
        for v in g.successors(todo.pop()):
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return sum(1 for ep in fab.servers if ep.node in seen)


def _switch_signature(fab: Fabric, sw: str) -> tuple[Any, ...]:
    """Switches with equal signatures are interchangeable (one failure case for all)."""
    g = fab.graph
    role = g.nodes[sw].get("role", "switch")
    ends = sorted(
        (g.nodes[x]["kind"], g.nodes[x].get("group", -1), g[sw][x]["links"])
        for x in g.successors(sw)
        if g.nodes[x]["kind"] != "switch"
    )
    ends += sorted(
        ("storage-in", g.nodes[x].get("group", -1), g[x][sw]["links"])
        for x in g.predecessors(sw)
        if g.nodes[x]["kind"] == "storage"
    )
    nbrs = sorted(
        (g.nodes[x].get("role", "switch"), g[sw][x]["links"])
        for x in g.successors(sw)
        if g.nodes[x]["kind"] == "switch"
    )
    return (role, tuple(ends), tuple(nbrs))


def failure_cases(
    design: Design, *, fabric: Fabric | None = None, progress: Progress | None = None
) -> list[FailureCase]:
    """The design with one element lost (N-1), one case per kind of element.

    Parameters
    ----------
    design : Design
    fabric : Fabric, optional
        The intact fabric (default: ``build_fabric(design)``).
    progress : callable, optional
        ``progress(done, total)`` after each case.

    Returns
    -------
    list of FailureCase
        First the ``baseline`` (nothing lost), then: one storage unit of each storage
        group (the design rebuilt with count - 1); one switch of each interchangeable
        kind (node removed from ``fabric.graph`` and ``fabric.switches``); one cable of
        each kind of inter-switch bundle; one cable of one server's link bundle per
        server group and switch kind; one cable of one storage unit's bundle.  The case
        that lowers the metric most has ``worst`` True.

    Notes
    -----
    Each case is a full :func:`sizer.analysis.analyze_design` on the modified fabric.
    Servers that can no longer reach any storage unit are cut off (rate 0); a design
    on a single switch loses everything when that switch fails.  Interchangeable
    elements (same role and cabling) are analysed once; ``equivalent`` says for how
    many elements the case stands.
    """
    from sizer.analysis import analyze_design
    from sizer.topology import build_fabric

    fab = fabric if fabric is not None else build_fabric(design)
    metric = _metric_name(design)
    base = analyze_design(design, fab)
    base_val = base.images_per_sec if metric == "images_per_sec" else base.read_bytes_per_sec
    n_servers = len(fab.servers)
    jobs: list[tuple[str, str, int, Callable[[], tuple[Analysis | None, Fabric | None]], str]] = []

    # storage units
    for si, s in enumerate(design.storage):
        if design.total_storage_units == 1:
            jobs.append(
                (
                    "storage-unit",
                    _storage_name(design, si),
                    1,
                    lambda: (None, None),
                    "the only storage unit: every server loses its data",
                )
            )
            continue

        def lose_unit(si: int = si) -> tuple[Analysis | None, Fabric | None]:
            # The unit fails where it stands: everyone else's cables stay as planned.
            # (Re-planning the smaller design could move servers between leaves and ask a
            # leaf for more ports than it has: found by benchmarks/fuzz_long.py.)
            st = list(design.storage)
            st[si] = dataclasses.replace(st[si], count=st[si].count - 1)
            d2 = dataclasses.replace(design, storage=tuple(st))
            f2 = _without_unit(fab, si)
            return analyze_design(d2, f2), f2

        jobs.append(
            (
                "storage-unit",
                _storage_name(design, si),
                s.count,
                lose_unit,
                f"{s.count - 1} of {s.count} {s.unit_id} left; data striped over the rest",
            )
        )
    # switches
    seen: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for sw in fab.switches:
        seen[_switch_signature(fab, sw)].append(sw)
    for members in seen.values():
        sw = members[0]

        def lose_switch(sw: str = sw) -> tuple[Analysis | None, Fabric | None]:
            f2 = _without_switch(fab, sw)
            return analyze_design(design, f2), f2

        note = (
            "single switch: losing it disconnects every server from storage"
            if len(fab.switches) == 1
            else f"{sw} and its links lost; traffic re-routes over the remaining switches"
        )
        jobs.append(
            (
                "switch",
                sw if len(members) == 1 else f"{sw} (or any of {len(members)})",
                len(members),
                lose_switch,
                note,
            )
        )
    # inter-switch bundles (undirected), one per kind
    g = fab.graph
    sig = {sw: _switch_signature(fab, sw) for sw in fab.switches}
    isl: dict[tuple[Any, ...], list[tuple[str, str]]] = defaultdict(list)
    for u, v, data in g.edges(data=True):
        if u in sig and v in sig and u < v:
            isl[(min(sig[u], sig[v]), max(sig[u], sig[v]), data["links"])].append((u, v))
    for bundle in isl.values():
        u, v = bundle[0]

        def lose_isl(u: str = u, v: str = v) -> tuple[Analysis | None, Fabric | None]:
            f2 = _one_link_less(fab, u, v, both=True)
            return analyze_design(design, f2), f2

        n = g[u][v]["links"]
        jobs.append(
            (
                "inter-switch-link",
                f"{u} <-> {v} (1 of {n} links)",
                len(bundle) * n,
                lose_isl,
                "one cable between switches lost",
            )
        )
    # one server link per (group, switch kind); one storage link per (group, switch kind)
    for kind, eps in (("server-link", fab.servers), ("storage-link", fab.storage)):
        done: set[tuple[Any, ...]] = set()
        for ep in eps:
            for sw, n in ep.attach:
                key = (ep.group, sig.get(sw), n)
                if key in done or sw not in g:
                    continue
                done.add(key)
                u, v = (sw, ep.node) if ep.kind == "server" else (ep.node, sw)
                count = sum(
                    1
                    for e in eps
                    if e.group == ep.group
                    for s2, n2 in e.attach
                    if sig.get(s2) == sig.get(sw) and n2 == n
                )

                def lose_link(u: str = u, v: str = v) -> tuple[Analysis | None, Fabric | None]:
                    f2 = _one_link_less(fab, u, v, both=False)
                    return analyze_design(design, f2), f2

                note = (
                    f"{ep.node} keeps {n - 1} of {n} links to {sw}"
                    if n > 1
                    else f"{ep.node} loses its only link to {sw}"
                )
                jobs.append((kind, f"{u} -> {v} (1 of {n} links)", count * n, lose_link, note))

    cap_srv, cap_st = _edge_capacity(fab)
    cases: list[FailureCase] = [
        FailureCase(
            kind="baseline",
            element="none",
            equivalent=1,
            images_per_sec=base.images_per_sec,
            read_bytes_per_sec=base.read_bytes_per_sec,
            gpu_data_utilization=base.gpu_data_utilization,
            bottleneck=base.bottleneck,
            servers_cut_off=0,
            total_loss=False,
            relative=1.0 if base_val > 0 else None,
            note="nothing lost",
            peak_utilization=_peak(base),
            server_link_bytes_per_sec=cap_srv,
            storage_link_bytes_per_sec=cap_st,
        )
    ]
    for i, (kind, element, equiv, run, note) in enumerate(jobs):
        a, f2 = run()
        if a is None or f2 is None:
            cases.append(
                FailureCase(
                    kind,
                    element,
                    equiv,
                    0.0,
                    0.0,
                    0.0 if base.gpu_data_utilization is not None else None,
                    {"kind": "storage", "group": "no storage left"},
                    n_servers,
                    True,
                    0.0 if base_val > 0 else None,
                    note,
                    peak_utilization=None,
                    server_link_bytes_per_sec=cap_srv,
                    storage_link_bytes_per_sec=0.0,
                )
            )
        else:
            cut = n_servers - _reachable_servers(f2)
            val = a.images_per_sec if metric == "images_per_sec" else a.read_bytes_per_sec
            bott = a.bottleneck
            if cut and bott is None:
                bott = {"kind": "link", "group": "no path to storage (failed fabric)"}
            total = cut == n_servers
            if total:
                note = note if "single switch" in note else f"{note}; every server is cut off"
            elif cut:
                note = f"{note}; {cut} of {n_servers} servers cut off from storage"
            c_srv, c_st = _edge_capacity(f2)
            cases.append(
                FailureCase(
                    kind,
                    element,
                    equiv,
                    a.images_per_sec,
                    a.read_bytes_per_sec,
                    a.gpu_data_utilization,
                    bott,
                    cut,
                    total,
                    val / base_val if base_val > 0 else None,
                    note,
                    peak_utilization=_peak(a),
                    server_link_bytes_per_sec=c_srv,
                    storage_link_bytes_per_sec=c_st,
                )
            )
        if progress is not None:
            progress(i + 1, len(jobs))
    worst = worst_failure(cases)
    if worst is not None:
        cases = [dataclasses.replace(c, worst=True) if c is worst else c for c in cases]
    return cases


def _storage_name(design: Design, si: int) -> str:
    s = design.storage[si]
    return f"{s.unit_id}#{s.count}" if len(design.storage) == 1 else f"{s.unit_id}[{si}]#{s.count}"


def worst_failure(cases: Sequence[FailureCase]) -> FailureCase | None:
    """The failure that hurts most: lowest metric relative to the baseline, then most
    servers cut off, then lowest GPU data-utilization, then the least headroom left
    (highest peak resource utilization).  None if there is no failure case; ties go to
    the first listed."""
    real = [c for c in cases if c.kind != "baseline"]
    if not real:
        return None
    return min(
        real,
        key=lambda c: (
            round(c.relative, 9) if c.relative is not None else 1.0,
            -c.servers_cut_off,
            round(c.gpu_data_utilization, 9) if c.gpu_data_utilization is not None else 1.0,
            -(c.peak_utilization or 0.0) if not c.total_loss else -math.inf,
        ),
    )


# ===================================================================== comparison


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
    from sizer.topology import build_fabric

    if not designs:
        raise ValueError("compare needs at least one design")
    if target_images_per_sec is not None and not all(_has_gpu_work(d) for d in designs):
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
            if _has_gpu_work(d)
            else None,
            method=method,
        )
        objective, target = sz.objective, sz.target
        n_sw = len(fab.switches)
        ru = (
            sum(g.count * g.rack_units for g in d.servers)
            + sum(s.count * s.rack_units for s in d.storage)
            + n_sw * d.switch_rack_units
        )
        power_parts: list[float | None] = [g.count * g.power_watts for g in d.servers]
        power_parts += [
            None if s.power_watts is None else s.count * s.power_watts for s in d.storage
        ]
        power_parts.append(None if d.switch_power_watts is None else n_sw * d.switch_power_watts)
        rows.append(
            ComparisonRow(
                scenario=d.name,
                servers=d.total_servers,
                gpus=d.total_gpus,
                images_per_sec=a.images_per_sec,
                read_bytes_per_sec=a.read_bytes_per_sec,
                gpu_data_utilization=a.gpu_data_utilization,
                bottleneck=a.bottleneck,
                storage=", ".join(f"{s.count}x {s.unit_id}" for s in d.storage),
                storage_units=d.total_storage_units,
                switches=n_sw,
                switch=d.switch_id,
                ports_used=sum(fab.ports_used.values()),
                ports_available=sum(fab.ports_available.values()),
                rack_units=ru,
                power_watts=float(sum(p for p in power_parts if p is not None)),
                power_complete=all(p is not None for p in power_parts),
                sizing=sz,
            )
        )
    if len({r.sizing.objective for r in rows}) > 1:
        objective = "mixed"
    return Comparison(objective=objective, target=target, rows=rows)
