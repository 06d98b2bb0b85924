"""One design point: vary a design's counts and evaluate it, fast (lumped) or exact.

Every figure is the one :func:`sizer.analysis.analyze_design` returns for the varied
design.  Varying a design keeps the workload mix per server: ``n`` servers are split
over the compute groups in proportion to the scenario's counts (largest remainder), and
``k`` storage units replace the count of storage group 0.  ``method="fast"`` solves the
lumped problem of :mod:`sizer.scaling.lumped` (same model, same figures); where the
lumped problem cannot represent a design it falls back to the exact analysis.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sizer.design import Design

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.reduction import Reduced


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


REL = 1e-9  # relative tolerance of target comparisons


Method = Literal["fast", "exact"]


Progress = Callable[[int, int], None]


def json_num(x: float | None) -> float | None:
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
    #: GPUs running a GPU workload x their GPU-weighted data utilization: the GPUs the
    #: data path keeps fed (the metric of designs whose workloads count unlike samples)
    gpus_fed: float | None = None
    #: per scenario workload, the servers it runs on (its share of a varied design)
    workload_servers: tuple[int, ...] = ()

    def metric(self, name: str) -> float | None:
        if name == "gpus_fed":
            return self.gpus_fed
        return self.images_per_sec if name == "images_per_sec" else self.read_bytes_per_sec

    def workload_metric(self, name: str) -> tuple[float, ...]:
        # per workload, samples/s are alike; efficiency is the same ratio as GPUs fed
        return (
            self.workload_read_bytes_per_sec
            if name == "read_bytes_per_sec"
            else self.workload_images_per_sec
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "servers": self.servers,
            "storage_units": self.storage_units,
            "gpus": self.gpus,
            "feasible": self.feasible,
            "images_per_sec": json_num(self.images_per_sec),
            "read_bytes_per_sec": json_num(self.read_bytes_per_sec),
            "demand_images_per_sec": json_num(self.demand_images_per_sec),
            "gpu_data_utilization": json_num(self.gpu_data_utilization),
            "min_gpu_data_utilization": json_num(self.min_gpu_data_utilization),
            "bottleneck": None
            if self.bottleneck_kind is None
            else {
                "kind": self.bottleneck_kind,
                "group": self.bottleneck_group,
                "utilization": json_num(self.bottleneck_utilization),
            },
            "note": self.note,
            "workload_images_per_sec": list(self.workload_images_per_sec),
            "workload_read_bytes_per_sec": list(self.workload_read_bytes_per_sec),
            "gpus_fed": json_num(self.gpus_fed),
        }


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
    server is unchanged.  The result is what :func:`sizer.resolve.resolve` would return
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


def scale_demand(design: Design, m: float) -> Design:
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


@dataclass
class Eval:
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


def workload_bars(design: Design, min_utilization: float | None = None) -> list[float | None]:
    """Each workload's pass bar (fraction of its GPUs' demand fed; None: a read benchmark).

    ``min_utilization``, when given (a command-line bar), applies to every GPU workload.
    Otherwise each workload keeps its own bar (the scenario's ``min_utilization:``, else its
    model's published one, e.g. MLPerf Storage CosmoFlow 0.7) and the others get the
    scenario's ``target:`` or :data:`DEFAULT_MIN_UTILIZATION`.
    """
    if min_utilization is not None:
        return [None if w.unbounded else float(min_utilization) for w in design.workloads]
    default = design.target.gpu_data_utilization or DEFAULT_MIN_UTILIZATION
    return [
        None if w.unbounded else (w.bar if w.bar is not None else default) for w in design.workloads
    ]


def fed_at(e: Eval, bars: list[float | None]) -> bool:
    """Every GPU workload of the point at least its bar fed (read benchmarks: always)."""
    return all(
        u is None or b is None or u >= b - REL for u, b in zip(e.workload_util, bars, strict=True)
    )


def has_gpu_workloads(design: Design) -> bool:
    """True when some workload runs on GPUs (False: read benchmarks only)."""
    return any(not w.unbounded for w in design.workloads)


def from_reduced(d: Design, r: Reduced) -> Eval:
    """The figures scaling needs from a reduced solution (full or lumped)."""
    b = r.bottleneck
    return Eval(
        feasible=True,
        images_per_sec=r.images_per_sec,
        read_bytes_per_sec=r.read_bytes_per_sec,
        demand_images_per_sec=r.demand_images_per_sec,
        gpu_data_utilization=r.gpu_data_utilization,
        workload_util=[
            None if w.unbounded else f.gpu_data_utilization
            for w, f in zip(d.workloads, r.workloads, strict=True)
        ],
        workload_images=[f.images_per_sec for f in r.workloads],
        workload_read=[f.read_bytes_per_sec for f in r.workloads],
        bottleneck=None
        if b is None
        else {"kind": b["kind"], "group": b["group"], "utilization": b["utilization"]},
    )


def from_analysis(a: Analysis) -> Eval:
    return from_reduced(a.design, a.reduced)


def exact_eval(d: Design, storage_scale: float = 1.0) -> Eval:
    from sizer.analysis import analyze_design
    from sizer.limits import design_paths, path_limit
    from sizer.topology import build_fabric

    if design_paths(d) > path_limit():  # the loader's bound on one analysis' memory
        return Eval(
            feasible=False,
            note=f"too large to analyze: {design_paths(d):,} server-to-storage paths, "
            f"over the limit of {path_limit():,} (set SIZER_MAX_PATHS to raise it)",
        )
    try:
        fab = build_fabric(d)
    except ValueError as e:
        return Eval(feasible=False, note=str(e))
    return from_analysis(analyze_design(d, fab, storage_scale=storage_scale))


def evaluate_at(d: Design, storage_scale: float, method: Method, parts: Any = None) -> Eval:
    """One design point: the lumped solve, or the exact analysis where the lumped
    problem cannot represent the design (or ``method="exact"``).  ``parts``: the
    :func:`sizer.scaling.lumped.parts` of the design ``d`` was varied from, when the
    caller evaluates many points of it (None: computed here)."""
    from sizer.scaling.lumped import Unsupported, solve_lumped

    if method == "fast":
        try:
            r = solve_lumped(d, storage_scale, parts)
        except Unsupported:
            pass
        else:
            return Eval(feasible=False, note=r) if isinstance(r, str) else from_reduced(d, r)
    return exact_eval(d, storage_scale)


def busy_gpus(d: Design) -> int:
    """GPUs running a GPU workload (not idle, not a read benchmark's host)."""
    return sum(
        n * d.servers[g].count
        for w in d.workloads
        if not w.unbounded
        for g, n in w.gpus_per_server.items()
    )


def to_point(d: Design, e: Eval) -> SweepPoint:
    b = e.bottleneck
    fed = (
        busy_gpus(d) * e.gpu_data_utilization
        if e.feasible and e.gpu_data_utilization is not None
        else None
    )
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
        gpus_fed=fed,
        workload_servers=tuple(sum(d.servers[g].count for g in w.groups) for w in d.workloads),
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
    >>> from sizer.loader import load_design
    >>> d = load_design("scenarios/ra-9x-dgx1-3x-ess3000.yaml")
    >>> p = evaluate(vary(d, storage_units=1))   # 75.6 GB/s of AlexNet on 40 GB/s
    >>> p.bottleneck_kind, round(p.min_gpu_data_utilization, 2)
    ('storage', 0.53)
    """
    return to_point(design, evaluate_at(design, storage_scale, method))


def sweep_metric(design: Design) -> str:
    """The metric sweeps, knees and failure cases use: ``images_per_sec``;
    ``gpus_fed`` when the GPU workloads count unlike samples (UNet3D volumes and ImageNet
    images are not summed); ``read_bytes_per_sec`` when the design runs only read
    benchmarks."""
    if not has_gpu_workloads(design):
        return "read_bytes_per_sec"
    return "images_per_sec" if design.sample_unit is not None else "gpus_fed"
