"""N+1 sizing: the fewest storage units that still meet the objective after one failure.

"Fewest units" hides the consequence: 2 ESS 3000 keep 9 DGX-1 training AlexNet fed,
but lose one of a unit's two NSD servers and every file, striped over both units, paces
to the degraded one.  :func:`size_survivable` starts from the fewest units meeting the
objective intact and adds units until the design also meets it with the worst single
failure of the asked kind:

* ``one-server`` -- one I/O server of a storage unit (the unit keeps (n - 1) / n of its
  bandwidth and cables; needs the catalog's ``io_servers``);
* ``one-unit`` -- a whole unit; without data replication (``data_replicas: 1``) its share
  of every striped file is offline, so no count survives it;
* ``one-switch`` -- one switch (a single-switch design never survives it).

Each candidate is the full analysis on the degraded fabric (the fabric operations of
:mod:`sizer.topology`), like :func:`sizer.scaling.failure_cases`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sizer.design import Design
from sizer.scaling.evaluate import Eval, from_analysis, vary, workload_bars
from sizer.scaling.sizing import SizingResult, meets_objective
from sizer.text import counted, survive_words

__all__ = ["SURVIVE", "Survivable", "size_survivable"]

SURVIVE = ("none", "one-server", "one-unit", "one-switch")

#: Most units above the intact answer the N+1 search tries.
MAX_EXTRA_UNITS = 16


@dataclass(frozen=True)
class Survivable:
    """The fewest storage units meeting the objective after the worst single failure."""

    survive: str
    met: bool
    storage_units: int | None
    minimum: int | None  # the fewest meeting the objective intact
    worst_element: str | None  # what fails worst at ``storage_units`` (or the last tried)
    gpu_data_utilization: float | None  # the least-fed workload's, with that failure
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "survive": self.survive,
            "met": self.met,
            "storage_units": self.storage_units,
            "minimum": self.minimum,
            "worst_element": self.worst_element,
            "min_gpu_data_utilization": self.gpu_data_utilization,
            "reason": self.reason,
        }


def size_survivable(
    design: Design,
    sizing: SizingResult,
    survive: str,
    *,
    min_utilization: float | None = None,
    max_units: int = 10_000,
) -> Survivable:
    """The fewest units of ``sizing``'s storage group meeting its objective after the
    worst single ``survive`` failure (see the module docstring)."""
    from sizer.analysis import analyze_design
    from sizer.topology import build_fabric

    if survive not in SURVIVE:
        raise ValueError(f"survive must be one of {', '.join(SURVIVE)}, not {survive!r}")
    k0 = sizing.storage_units
    if survive == "none" or not sizing.met or k0 is None:
        why = "no failure asked for" if survive == "none" else "the objective is not met intact"
        return Survivable(survive, sizing.met and survive == "none", k0, k0, None, None, why)
    bars = workload_bars(design, min_utilization)
    lost = survive_words(survive, design.topology)
    why_not = _cannot(design, survive)
    if why_not:
        return Survivable(survive, False, None, k0, None, None, why_not)
    worst: tuple[str, Eval] | None = None
    for k in range(k0, min(max_units, k0 + MAX_EXTRA_UNITS) + 1):
        v = vary(design, storage_units=k)
        try:
            fab = build_fabric(v)
        except ValueError as err:
            last = worst[1].min_util if worst else None
            return Survivable(
                survive, False, None, k0, worst[0] if worst else None, last,
                f"up to {k - 1} units (the most the switches' ports take: at {k}, {err}), "
                f"losing {lost} still misses the objective"
                + (f" (least-fed workload {_pct1(last)})" if worst else ""),
            )  # fmt: skip
        worst = None
        for element, d2, f2 in _failed(v, fab, survive):
            e = from_analysis(analyze_design(d2, f2))
            if worst is None or _rank(e) < _rank(worst[1]):
                worst = (element, e)
        assert worst is not None
        if meets_objective(worst[1], sizing.objective, sizing.target, bars):
            return Survivable(
                survive, True, k, k0, worst[0], worst[1].min_util,
                f"{counted(k, 'unit')} still {'meets' if k == 1 else 'meet'} the objective "
                f"with {lost} lost "
                f"(worst: {worst[0]}, least-fed workload {_pct1(worst[1].min_util)})",
            )  # fmt: skip
    last = worst[1].min_util if worst else None
    return Survivable(
        survive, False, None, k0, worst[0] if worst else None, last,
        f"up to {k0 + MAX_EXTRA_UNITS} units, losing {lost} still misses the "
        f"objective (least-fed workload {_pct1(last)})",
    )  # fmt: skip


def _pct1(x: float | None) -> str:
    """A utilization to one decimal (a 0-decimal 90% could hide 89.9% under a 90% bar)."""
    return "-" if x is None else f"{100 * x:.1f}%"


def _rank(e: Eval) -> tuple[float, float]:
    return (e.min_util if e.min_util is not None else 1.0, e.images_per_sec)


def _cannot(design: Design, survive: str) -> str:
    """Why no count can survive the failure, or ''."""
    if design.direct_attached:
        if survive == "one-switch":
            return "the drives are direct-attached: there is no switch to lose"
        if survive == "one-server":
            return (
                "a direct-attached drive has no I/O servers; size for one-unit (one drive) instead"
            )
        if design.data_replicas < 2:
            return (
                "without data replication (data_replicas: 1) a lost drive takes its "
                "server's striped data (RAID 0) offline: no number of drives survives it; "
                "declare data_replicas: 2 (mirrored drives) to size for it"
            )
    if survive == "one-server" and not any((s.io_servers or 0) >= 2 for s in design.storage):
        return (
            "the catalog does not say what a unit of "
            + ", ".join(sorted({s.unit_id for s in design.storage}))
            + " is made of (io_servers), so an I/O server's loss cannot be sized for"
        )
    if survive == "one-unit" and design.data_replicas < 2:
        return (
            "without data replication (data_replicas: 1) a lost unit takes its share of "
            "every striped file offline: no number of units survives it; declare "
            "data_replicas: 2 to size for it"
        )
    if survive == "one-switch" and design.topology == "single-switch":
        return "a single switch is a single point of failure: no number of units survives it"
    return ""


def _failed(d: Design, fab: Any, survive: str) -> list[tuple[str, Design, Any]]:
    """(element, design, degraded fabric) for each distinct failure of the kind."""
    out: list[tuple[str, Design, Any]] = []
    if survive == "one-server":
        for si, s in enumerate(d.storage):
            if (s.io_servers or 0) >= 2 and s.count:
                node = [ep for ep in fab.storage if ep.group == si][-1].node
                out.append(
                    (f"an I/O server of {node}", d, fab.without_io_server(node, s.io_servers))
                )
    elif survive == "one-unit":
        for si, s in enumerate(d.storage):
            if s.count:
                st = list(d.storage)
                st[si] = dataclasses.replace(s, count=s.count - 1)
                d2 = dataclasses.replace(d, storage=tuple(st))
                out.append((f"a {s.unit_id}", d2, fab.without_storage_unit(si)))
    else:
        seen: set[Any] = set()
        for sw in fab.switches:
            sig = fab.switch_signature(sw)
            if sig not in seen:
                seen.add(sig)
                out.append((sw, d, fab.without_switch(sw)))
    return out
