"""Inverse sizing: the fewest storage units meeting an objective, per unit type."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sizer.design import Design
from sizer.scaling.evaluate import (
    DEFAULT_MIN_UTILIZATION,
    MAX_UNITS,
    READ_CEILING_FRACTION,
    REL,
    Eval,
    Method,
    SweepPoint,
    evaluate_at,
    fed_at,
    has_gpu_workloads,
    json_num,
    to_point,
    vary,
    workload_bars,
)
from sizer.text import fed_words, limited_by, pct

if TYPE_CHECKING:
    from sizer.catalog import Catalog


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
    reason: str
    met: bool = False
    storage_units: int | None = None  # the answer when met
    achieved: SweepPoint | None = None  # at storage_units (or at the largest count tried)
    limiting: dict[str, Any] | None = None
    max_units_fit: int | None = None  # None: no port limit below the search cap
    probes: list[tuple[int, bool]] = field(default_factory=list)
    unit_rack_units: float | None = None
    unit_power_watts: float | None = None
    skipped: bool = False  # --all-units: the unit cannot be used on this fabric
    monotone: bool | None = None  # None: monotone by structure (bisection alone is exact)
    search: str = "galloping + bisection"
    #: min-utilization: each workload's bar (None: a read benchmark); see workload_bars
    bars: tuple[float | None, ...] = ()
    #: min-utilization: the bars in words ("every GPU workload at least 90% fed")
    bar_words: str = ""
    #: what the GPU workloads' samples are when alike ("image"; None: unlike or none)
    sample_unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        ach = self.achieved
        return {
            "scenario": self.scenario,
            "unit": self.unit_id,
            "objective": self.objective,
            "target": json_num(self.target),
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
            "workload_bars": list(self.bars) if self.objective == "min-utilization" else None,
        }


def _objective(
    design: Design, target_images_per_sec: float | None, min_utilization: float | None
) -> tuple[str, float]:
    """(objective, target) from the options, the scenario's target, or the default."""
    if target_images_per_sec is not None and min_utilization is not None:
        raise ValueError("give either a target images/s or a minimum utilization, not both")
    if target_images_per_sec is not None:
        if not (math.isfinite(target_images_per_sec) and target_images_per_sec > 0):
            raise ValueError(f"target images/s must be a number > 0, not {target_images_per_sec}")
        if not has_gpu_workloads(design):
            raise ValueError("the design runs only read benchmarks, which produce no images/s")
        return "images-per-sec", float(target_images_per_sec)
    if min_utilization is not None:
        if not (0.0 < min_utilization <= 1.0):
            raise ValueError(f"minimum utilization must be in (0, 1], not {min_utilization}")
    else:
        tgt = design.target
        if tgt.images_per_sec is not None and has_gpu_workloads(design):
            return "images-per-sec", float(tgt.images_per_sec)
        if tgt.gpu_data_utilization is not None:
            min_utilization = float(tgt.gpu_data_utilization)
    if not has_gpu_workloads(design):
        return "read-ceiling", math.nan  # target set from the unlimited-storage analysis
    return "min-utilization", float(
        min_utilization if min_utilization is not None else DEFAULT_MIN_UTILIZATION
    )


def meets_objective(e: Eval, objective: str, target: float, bars: list[float | None]) -> bool:
    if not e.feasible:
        return False
    if objective == "images-per-sec":
        return e.images_per_sec >= target * (1.0 - REL)
    if objective == "read-ceiling":
        return e.read_bytes_per_sec >= target * (1.0 - REL)
    return fed_at(e, bars)


class _Feasible(Protocol):
    @property
    def feasible(self) -> bool: ...


_E = TypeVar("_E", bound=_Feasible)


def search_units(
    pred: Callable[[int], _E], meets: Callable[[_E], bool], cap: int
) -> tuple[int | None, int | None, list[tuple[int, bool]], dict[int, _E]]:
    """Fewest ``k`` in 1..cap with ``meets(pred(k))``, by galloping then bisection
    (``pred(k).feasible`` False: ``k`` units do not fit the switches).

    Assumes monotonicity: infeasible (ports) for all k above some K, and meeting the
    objective for all feasible k above the answer.  Returns ``(answer or None,
    largest feasible k when the ports stopped the search else None, probes,
    evaluations)``.  Cost: O(log answer) evaluations.
    """
    evals: dict[int, _E] = {}
    probes: list[tuple[int, bool]] = []

    def at(k: int) -> _E:
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


def limit_dict(b: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if b is None else {"kind": b["kind"], "group": b["group"]}


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
    >>> from sizer.loader import load_design
    >>> d = load_design("scenarios/ra-9x-dgx1-3x-ess3000.yaml")
    >>> size_storage(d).storage_units   # RA: 2 ESS 3000 were enough for 9 DGX-1
    2
    """
    objective, target = _objective(design, target_images_per_sec, min_utilization)
    if max_units < 1:
        raise ValueError(f"max_units must be >= 1, not {max_units}")
    st = design.storage[storage_group]
    if objective == "read-ceiling":
        ceil_e = evaluate_at(design, math.inf, method)
        target = READ_CEILING_FRACTION * ceil_e.read_bytes_per_sec

    def at(k: int) -> Eval:
        return evaluate_at(vary(design, storage_units=k, storage_group=storage_group), 1.0, method)

    bars = workload_bars(design, min_utilization)

    def meets(e: Eval) -> bool:
        return meets_objective(e, objective, target, bars)

    ans, max_fit, probes, evals = search_units(at, meets, max_units)
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
        "bars": tuple(bars),
        "bar_words": bar_words(design, bars),
        "sample_unit": design.sample_unit,
    }
    if ans is not None:
        v = vary(design, storage_units=ans, storage_group=storage_group)
        return SizingResult(
            met=True,
            storage_units=ans,
            achieved=to_point(v, evals[ans]),
            limiting=None,
            reason=_met_reason(objective, target, ans, st.unit_id, bar_words(design, bars)),
            **common,
        )
    fitting = [k for k, e in evals.items() if e.feasible]
    if not fitting:
        e1 = evals[min(evals)]
        return SizingResult(
            limiting={"kind": "link", "group": "switch ports"},
            reason=f"no number of {st.unit_id} units fits the switches' ports ({e1.note})",
            **common,
        )
    last = max_fit if max_fit is not None else max(fitting)
    v = vary(design, storage_units=last, storage_group=storage_group)
    unl = evaluate_at(v, math.inf, method)
    limiting = limit_dict(unl.bottleneck)
    if meets_objective(unl, objective, target, bars):
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
            else f"{limited_by(limiting['kind'])} ({limiting['group']})"
        )
        have = (
            f"{unl.images_per_sec:,.0f} images/s"
            if objective == "images-per-sec"
            else f"{unl.read_bytes_per_sec / 1e9:,.1f} GB/s"
            if objective == "read-ceiling"
            else f"GPU data utilization {pct(unl.min_util or 0)}"
        )
        want = (
            f"{target:,.0f} images/s"
            if objective == "images-per-sec"
            else f"{target / 1e9:,.1f} GB/s"
            if objective == "read-ceiling"
            else bar_words(design, bars)
        )
        if limiting is None and objective == "images-per-sec":
            what = f"GPU compute (the GPUs' own rate is {unl.demand_images_per_sec:,.0f} images/s)"
        reason = (
            f"no number of {st.unit_id} units reaches {want}: even with unlimited "
            f"storage at {last} units the design gets {have}, limited by {what}"
        )
    return SizingResult(
        achieved=to_point(v, evals[last]),
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

    if design.topology in ("single-switch", "direct-attached"):
        # direct-attached: another drive in every server only adds capacity to each
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


def bar_words(design: Design, bars: list[float | None]) -> str:
    """The min-utilization objective in words, naming the workloads whose bar differs."""
    gpu = [(w, b) for w, b in zip(design.workloads, bars, strict=True) if b is not None]
    common = {b for _w, b in gpu}
    if len(common) <= 1:
        return fed_words(common.pop() if common else DEFAULT_MIN_UTILIZATION)
    return (
        "every GPU workload at least its bar fed ("
        + ", ".join(f"{w.label} {pct(b)}" for w, b in gpu)
        + ")"
    )


def _met_reason(objective: str, target: float, k: int, unit: str, bar_words: str) -> str:
    one = k == 1  # "1 x ess-3000 keeps", "2 x ess-3000 keep"
    if objective == "images-per-sec":
        return f"{k} x {unit} {'reaches' if one else 'reach'} {target:,.0f} images/s"
    if objective == "read-ceiling":
        return (
            f"{k} x {unit} {'reads' if one else 'read'} "
            f"{target / READ_CEILING_FRACTION / 1e9:,.1f} GB/s within 1%: "
            "more units would not read faster"
        )
    return f"{k} x {unit} {'keeps' if one else 'keep'} {bar_words}"


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
    with ``skipped`` True."""
    from sizer.ports import link_mismatch
    from sizer.resolve import with_storage_unit

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
                    reason=link_mismatch(f"{uid} ports", link.kind, link.id, design),
                    skipped=True,
                )
            )
            continue
        d_u = with_storage_unit(design, catalog, uid)
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
