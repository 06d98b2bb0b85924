"""How far a design grows: the most servers its storage keeps fed, demand headroom."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.design import Design
from sizer.scaling.evaluate import (
    DEFAULT_MIN_UTILIZATION,
    MAX_SERVERS,
    MAX_VERIFY,
    Eval,
    Method,
    evaluate_at,
    fed_at,
    has_gpu_workloads,
    scale_demand,
    vary,
    workload_bars,
)
from sizer.scaling.sizing import limit_dict
from sizer.text import counted, pct

if TYPE_CHECKING:
    pass


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


def _bars(design: Design, min_utilization: float | None) -> tuple[float, list[float | None]]:
    """(the default bar, each workload's bar): see :func:`workload_bars`."""
    if min_utilization is not None and not 0.0 < min_utilization <= 1.0:
        raise ValueError(f"minimum utilization must be in (0, 1], not {min_utilization}")
    default = (
        min_utilization
        if min_utilization is not None
        else design.target.gpu_data_utilization or DEFAULT_MIN_UTILIZATION
    )
    return float(default), workload_bars(design, min_utilization)


def max_servers(
    design: Design,
    *,
    min_utilization: float | None = None,
    storage_units: int | None = None,
    max_count: int = MAX_SERVERS,
    method: Method = "fast",
) -> ServerLimit:
    """The converse of sizing: the most servers (workload mix kept) that the design's
    storage (``storage_units``, default its own) keeps with every GPU workload at least
    its bar fed (``min_utilization`` for all when given, see :func:`workload_bars`), growing one server at a time: the result ``n`` is the
    largest count such that every count 1..n is fed and fits the ports.  Galloping +
    bisection over server counts; stops where the switches run out of ports
    (``port_limited``).  On single and dual switches adding a server never raises
    another's share, so the search is exact; a leaf-spine re-spreads servers over the
    leaves, so there every count below the answer is checked too (up to
    :data:`MAX_VERIFY` counts; ``verified`` says whether that happened).  Read-benchmark-
    only designs have no GPUs to feed: ``servers`` is then the largest count that fits
    the ports."""
    min_utilization, bars = _bars(design, min_utilization)
    k = storage_units if storage_units is not None else design.storage[0].count
    base = vary(design, storage_units=k)

    def at(n: int) -> Eval:
        return evaluate_at(vary(base, servers=n), 1.0, method)

    def starves(e: Eval) -> bool:  # monotone: more servers -> starving, or no ports
        return not e.feasible or not fed_at(e, bars)

    evals: dict[int, Eval] = {}

    def bad(n: int) -> bool:
        if n not in evals:
            evals[n] = at(n)
        return starves(evals[n])

    direct = design.direct_attached
    if direct:  # nothing is shared between servers: n of them are fed exactly as one is
        first_bad: int | None = 1 if bad(1) else None
    elif bad(1):
        first_bad = 1
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
            "every server reads only its own drives: any number of servers stays fed as one does"
            if direct
            else f"at least {max_count} servers stay fed",
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
            f"{counted(n, 'server')} {'fills' if n == 1 else 'fill'} the switches' ports "
            f"({e.note}); {'it stays' if n == 1 else 'all stay'} fed",
            verified,
        )
    lim = limit_dict(e.bottleneck)
    what = "?" if lim is None else f"{lim['group']} ({lim['kind']})"
    return ServerLimit(
        design.name,
        k,
        min_utilization,
        n,
        False,
        lim,
        f"{counted(k, 'unit')} {'keeps' if k == 1 else 'keep'} {counted(n, 'server')} at least "
        f"{pct(min_utilization)} fed; at {counted(first_bad, 'server')} {what} starves the GPUs",
        verified,
    )


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
    #: growth before the first resource saturates (1.0: one already is; inf: none ever)
    saturation: float | None = None
    saturates: dict[str, Any] | None = None  # that resource's {"kind", "group"}

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
            "saturation_multiplier": None
            if self.saturation is None or math.isinf(self.saturation)
            else self.saturation,
            "saturates": self.saturates,
        }


def _saturation(design: Design) -> tuple[float, dict[str, Any] | None]:
    """How far every GPU's demand can grow before the first resource saturates, and which.

    While no resource is full every flow gets its demand, so every load grows in
    proportion: the factor is the least ``capacity / load`` (1.0 when a resource is
    already full; inf when nothing is loaded)."""
    from sizer.analysis import analyze_design

    best, which = math.inf, None
    for r in analyze_design(design).resources:
        if r.load > 0 and r.headroom < best:
            best, which = r.headroom, {"kind": r.kind, "group": r.group}
    return max(best, 1.0) if math.isfinite(best) else best, which


def headroom(
    design: Design,
    *,
    min_utilization: float | None = None,
    rtol: float = 1e-6,
    method: Method = "fast",
) -> Headroom:
    """How far per-GPU demand can grow before some GPU workload drops under the bar.

    Every GPU's samples/s is multiplied by ``m`` (faster GPUs, a lighter model, more
    bytes per sample would act the same); the result is the largest ``m`` with every
    GPU workload at least its bar fed (``min_utilization`` for all when given, see
    :func:`workload_bars`), to relative precision ``rtol``
    (galloping then bisection; utilization never rises with ``m``).

    Examples
    --------
    One DGX-1 training AlexNet (8.4 GB/s) on one 40 GB/s ESS 3000 behind 4 EDR links
    (50 GB/s): demand can grow until 90% of it is the 40 GB/s the unit reads,
    ``m = 40 / (0.9 * 8.4)`` = 5.3.

    >>> from sizer.loader import load_design
    >>> d = load_design("scenarios/ra-1x-dgx1-1x-ess3000.yaml")
    >>> round(float(headroom(d)), 1)
    5.3
    """
    min_utilization, bars = _bars(design, min_utilization)
    if not has_gpu_workloads(design):
        return Headroom(
            design.name,
            None,
            min_utilization,
            None,
            "no GPU workload: read benchmarks have no demand to grow",
        )

    def ok(m: float) -> tuple[bool, Eval]:
        e = evaluate_at(scale_demand(design, m), 1.0, method)
        return fed_at(e, bars), e

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
                    limit_dict(e1.bottleneck),
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
    lim = limit_dict(ok(hi)[1].bottleneck)
    what = "?" if lim is None else f"{lim['group']} ({lim['kind']})"
    sat, sat_at = _saturation(design)
    first = (
        ""
        if sat_at is None
        else f"; the first resource, {sat_at['group']} ({sat_at['kind']}), saturates at {sat:.2f}x"
        if sat > 1.0
        else f"; {sat_at['group']} ({sat_at['kind']}) is already saturated"
    )
    note = (
        f"per-GPU demand can grow {lo:.2f}x before a GPU workload drops under "
        f"{pct(min_utilization)} fed; then {what} limits{first}"
        if lo >= 1.0
        else f"already under the bar: demand would have to shrink to {lo:.2f}x; {what} limits"
    )
    return Headroom(design.name, lo, min_utilization, lim, note, sat, sat_at)
