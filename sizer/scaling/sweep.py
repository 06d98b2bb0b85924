"""Scaling sweeps: servers x storage units, the ideal line, efficiency and the knee."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.design import Design
from sizer.scaling.evaluate import (
    DEFAULT_THRESHOLD,
    READ_CEILING_FRACTION,
    Method,
    Progress,
    SweepPoint,
    evaluate_at,
    json_num,
    sweep_metric,
    to_point,
    vary,
)

if TYPE_CHECKING:
    pass


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
                {**p.to_json(), "ideal": json_num(i), "efficiency": json_num(e)}
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
    #: what the GPU workloads' samples are when alike ("image"; None: unlike or none)
    sample_unit: str | None = None

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
        # (each against its own servers: a varied design splits servers over its groups)
        ratios = [
            v / (b * (n / n0 if n0 and len(p.workload_servers) else scale))
            for v, b, n, n0 in zip(
                p.workload_metric(metric),
                base.workload_metric(metric),
                p.workload_servers or [0] * len(p.workload_metric(metric)),
                base.workload_servers or [0] * len(base.workload_metric(metric)),
                strict=True,
            )
            if b > 0 and (n > 0 or not len(p.workload_servers))
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
    metric = sweep_metric(design)
    total = len(srv) * len(units)
    grid: dict[tuple[int, int], SweepPoint] = {}
    done = 0
    srv_groups = {n: vary(design, servers=n).servers for n in srv}
    st_groups = {k: vary(design, storage_units=k).storage for k in units}
    from sizer.scaling.lumped import parts

    pt = parts(design)  # what the counts do not change, once
    for k in units:
        for n in srv:
            v = dataclasses.replace(design, servers=srv_groups[n], storage=st_groups[k])
            grid[(n, k)] = to_point(v, evaluate_at(v, 1.0, method, pt))
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
        sample_unit=design.sample_unit,
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
