"""Checkpoints against storage units: the fewest units whose saves and restores fit the
policy, and save/restore time per unit count (the report's chart).

Each probe is the full answer of :func:`sizer.checkpointing.evaluate_checkpoint` on the
design with ``k`` units of storage group 0, the reads of that design running meanwhile
(their switch load comes first).  More storage never makes a save or a restore slower
(a property test checks it on single-, dual-switch and leaf-spine designs), so the
fewest fitting count is found by galloping and bisection (:func:`search_units`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.analysis import analyze_design
from sizer.checkpointing import CheckpointResult, evaluate_checkpoint
from sizer.design import Design
from sizer.scaling.evaluate import MAX_UNITS, vary
from sizer.scaling.sizing import search_units

if TYPE_CHECKING:
    from sizer.result import Analysis

__all__ = [
    "CheckpointPoint",
    "CheckpointSizing",
    "checkpoint_at",
    "checkpoint_sweep",
    "size_checkpoint",
]


@dataclass(frozen=True)
class CheckpointPoint:
    """The checkpoint answer at ``storage_units`` units (``result`` None: the units do
    not fit the switches)."""

    storage_units: int
    result: CheckpointResult | None

    @property
    def feasible(self) -> bool:
        return self.result is not None

    def to_json(self) -> dict[str, Any]:
        j = None if self.result is None else self.result.to_json()
        return {
            "storage_units": self.storage_units,
            "feasible": j is not None,
            "save_seconds": None if j is None else j["save_seconds"],
            "restore_seconds": None if j is None else j["restore_seconds"],
            "fits": None if j is None else j["fits"],
        }


def checkpoint_at(design: Design, units: int) -> CheckpointPoint:
    """The checkpoint answer with ``units`` units of storage group 0."""
    d = vary(design, storage_units=units)
    try:
        reads = analyze_design(d)
    except ValueError:  # the switches have too few ports for this many units
        return CheckpointPoint(units, None)
    return CheckpointPoint(units, evaluate_checkpoint(d, fabric=reads.fabric, background=reads))


@dataclass(frozen=True)
class CheckpointSizing:
    """The fewest units of storage group 0 whose checkpoints fit the policy."""

    storage_units: int | None  # None: no count up to the search cap (or the ports) fits
    max_units_fit: int | None  # the ports stopped the search here (None: they did not)
    at: CheckpointPoint | None  # the answer at storage_units (or at the largest tried)
    probes: list[tuple[int, bool]]
    reason: str

    @property
    def met(self) -> bool:
        return self.storage_units is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "met": self.met,
            "storage_units": self.storage_units,
            "max_units_fit": self.max_units_fit,
            "at": None if self.at is None or self.at.result is None else self.at.result.to_json(),
            "probes": [{"storage_units": k, "fits": ok} for k, ok in self.probes],
            "reason": self.reason,
        }


def size_checkpoint(design: Design, max_units: int = MAX_UNITS) -> CheckpointSizing:
    """The fewest units of storage group 0 whose checkpoints fit the design's policy.

    Raises ``ValueError`` when the design has no ``checkpoint:``.
    """
    if design.checkpoint is None:
        raise ValueError("the design has no checkpoint: policy")
    unit = design.storage[0].unit_id
    ans, max_fit, probes, evals = search_units(
        lambda k: checkpoint_at(design, k),
        lambda p: p.result is not None and p.result.fits,
        max_units,
    )
    if ans is not None:
        point = evals[ans]
        return CheckpointSizing(
            ans, max_fit, point, probes, f"{ans} x {unit} fit the checkpoint policy"
        )
    tried = [k for k, _ok in probes if evals[k].feasible]
    last = evals[max(tried)] if tried else None
    why = "; ".join(last.result.problems) if last and last.result else "no count fits the switches"
    where = (
        f"up to {max_fit} units (the switches' ports)" if max_fit else f"up to {max_units} units"
    )
    return CheckpointSizing(None, max_fit, last, probes, f"no count of {unit} {where} fits: {why}")


def checkpoint_sweep(design: Design, counts: list[int]) -> list[CheckpointPoint]:
    """The checkpoint answer at each storage count (for the report's chart)."""
    return [checkpoint_at(design, k) for k in counts]


@dataclass(frozen=True)
class CheckpointStudy:
    """The report's checkpoint section: the answer at the design, the fewest fitting
    count and save/restore time against storage units."""

    result: CheckpointResult
    sizing: CheckpointSizing
    sweep: list[CheckpointPoint]


def checkpoint_study(analysis: Analysis, max_units: int = MAX_UNITS) -> CheckpointStudy | None:
    """:class:`CheckpointStudy` for the design of ``analysis`` (None: no ``checkpoint:``);
    the sweep runs from 1 to ``max(2M, M + 2)`` units, ``M`` the design's."""
    d = analysis.design
    if d.checkpoint is None:
        return None
    m = d.storage[0].count
    result = evaluate_checkpoint(d, fabric=analysis.fabric, background=analysis)
    return CheckpointStudy(
        result=result,
        sizing=size_checkpoint(d, max_units),
        sweep=checkpoint_sweep(d, list(range(1, max(2 * m, m + 2) + 1))),
    )
