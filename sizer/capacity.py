"""Capacity: usable bytes per storage unit configuration, what the POD must hold, and the
fewest units that hold it.

Pure: catalog entries and the scenario's ``capacity:`` section in, numbers out.

Usable capacity of one unit (DOMAIN.md, "What decides current deals", 1)::

    protected = raw x data / (data + parity) x (1 - spare_drives / drives)
    usable    = protected - fs_overhead x protected

Needed capacity over a planning horizon of ``h`` years growing ``g`` per year::

    needed(h) = (datasets + checkpoints + scratch) x (1 + g) ** h

Units for capacity = ceil(needed(h) / usable per unit); ``sizer size`` answers the larger
of that and the units for bandwidth, naming which decides.

Examples
--------
24 x 15.36 TB drives, 8+2p, 2 spare drives, 0.2% file-system overhead:

>>> round(usable_bytes(24 * 15.36e12, 8, 2, 2 / 24, 0.002) / 1e12, 2)
269.8
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.catalog_entries import StorageUnit
    from sizer.design import WorkloadSpec
    from sizer.schema import Scenario

__all__ = [
    "CapacityPlan",
    "CapacitySizing",
    "UnitCapacity",
    "capacity_plan",
    "capacity_problems",
    "capacity_sizing",
    "usable_bytes",
]

_DRIVES = re.compile(r"^\s*([0-9]+)\s*[xX×]\s*([0-9]+(?:\.[0-9]+)?)\s*(TB|PB|GB)\s*$")
_SCALE = {"GB": 1e9, "TB": 1e12, "PB": 1e15}


def usable_bytes(
    raw: float, data: int, parity: int, spare_fraction: float, fs_overhead: float
) -> float:
    """Usable bytes of ``raw`` bytes under a ``data``+``parity`` code.

    ``spare_fraction`` of raw is kept free for rebuilds, and the file system takes
    ``fs_overhead`` of what is left.

    >>> usable_bytes(100.0, 8, 2, 0.0, 0.0)
    80.0
    >>> round(usable_bytes(100.0, 1, 2, 0.0, 0.0), 3)   # 3-way replication
    33.333
    """
    protected = raw * data / (data + parity) * (1.0 - spare_fraction)
    return protected - fs_overhead * protected


@dataclass(frozen=True, slots=True)
class UnitCapacity:
    """One storage unit's capacity in the configuration the scenario picked."""

    unit_id: str
    drives: str  # "24 x 15.36 TB"
    drive_count: int
    drive_bytes: float
    protection: str  # "8+2p"
    data: int
    parity: int
    spare_drives: float
    fs_overhead: float
    sources: tuple[str, ...]  # "drives: <source> (A)", ...
    #: copies of the data the file system keeps across units (``data_replicas``)
    replicas: int = 1

    @property
    def raw_bytes(self) -> float:
        return self.drive_count * self.drive_bytes

    @property
    def efficiency(self) -> float:
        return self.data / (self.data + self.parity)

    @property
    def spare_fraction(self) -> float:
        return min(1.0, self.spare_drives / self.drive_count)

    @property
    def usable_bytes(self) -> float:
        """Usable bytes of the data, each byte counted once: with ``replicas`` copies
        across units, one unit holds ``1 / replicas`` of its usable bytes in new data."""
        one = usable_bytes(
            self.raw_bytes, self.data, self.parity, self.spare_fraction, self.fs_overhead
        )
        return one / self.replicas


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    """What the POD must hold and, per storage group, one unit's capacity (None: the
    catalog has no drive or protection figures for the unit)."""

    units: tuple[UnitCapacity | None, ...]
    counts: tuple[int, ...]
    datasets_bytes: float
    datasets_from: str  # "stated" or "catalog: imagenet 144.4 GB, ..."
    checkpoints_bytes: float
    scratch_bytes: float
    growth_per_year: float
    horizon_years: int
    stated: bool  # the scenario has a capacity: section
    #: where the checkpoint bytes come from: "stated", or the checkpoint policy's
    #: "retain x size" ("none": neither)
    checkpoints_from: str = "stated"
    #: drive options or codes the scenario names that the unit does not offer (until the
    #: loader reports them as located problems, see :func:`capacity_problems`)
    problems: tuple[str, ...] = ()
    #: direct-attached drives: counts are drives in every server, and every server holds
    #: its own copy of what is needed (the need is per server)
    per_server: bool = False

    @property
    def needed_now(self) -> float:
        return self.datasets_bytes + self.checkpoints_bytes + self.scratch_bytes

    def needed_in(self, years: float) -> float:
        return self.needed_now * (1.0 + self.growth_per_year) ** years

    @property
    def needed_bytes(self) -> float:
        """Needed at the end of the planning horizon."""
        return self.needed_in(self.horizon_years)

    @property
    def complete(self) -> bool:
        """Every storage group has capacity figures."""
        return all(u is not None for u in self.units)

    def raw_bytes(self, counts: tuple[int, ...] | None = None) -> float:
        c = self.counts if counts is None else counts
        return sum(n * u.raw_bytes for u, n in zip(self.units, c, strict=True) if u)

    def usable_bytes(self, counts: tuple[int, ...] | None = None) -> float:
        c = self.counts if counts is None else counts
        return sum(n * u.usable_bytes for u, n in zip(self.units, c, strict=True) if u)

    def years_until_full(self, counts: tuple[int, ...] | None = None) -> float:
        """Years until the stored data outgrows the usable capacity (0: full already;
        ``math.inf``: never, without growth)."""
        have, now = self.usable_bytes(counts), self.needed_now
        if now > have:
            return 0.0
        if now <= 0 or self.growth_per_year <= 0:
            return math.inf
        return math.log(have / now) / math.log1p(self.growth_per_year)

    def units_needed(self, group: int = 0) -> int | None:
        """Fewest units of storage group ``group`` (the others as designed) whose usable
        capacity holds :attr:`needed_bytes`; None without capacity figures."""
        u = self.units[group]
        if u is None or u.usable_bytes <= 0:
            return None
        others = self.usable_bytes(tuple(0 if i == group else n for i, n in enumerate(self.counts)))
        rest = max(0.0, self.needed_bytes - others)
        return max(1, math.ceil(rest / u.usable_bytes - 1e-9))

    def to_json(self) -> dict[str, Any]:
        return {
            "datasets_bytes": self.datasets_bytes,
            "datasets_from": self.datasets_from,
            "checkpoints_bytes": self.checkpoints_bytes,
            "checkpoints_from": self.checkpoints_from,
            "scratch_bytes": self.scratch_bytes,
            "growth_per_year": self.growth_per_year,
            "horizon_years": self.horizon_years,
            "needed_now_bytes": self.needed_now,
            "needed_bytes": self.needed_bytes,
            "raw_bytes": self.raw_bytes(),
            "usable_bytes": self.usable_bytes(),
            "complete": self.complete,
            "units": [
                None
                if u is None
                else {
                    "unit": u.unit_id,
                    "drives": u.drives,
                    "protection": u.protection,
                    "raw_bytes": u.raw_bytes,
                    "usable_bytes": u.usable_bytes,
                }
                for u in self.units
            ],
        }


@dataclass(frozen=True, slots=True)
class CapacitySizing:
    """``sizer size`` with capacity: units for bandwidth, for capacity, and which decides."""

    bandwidth_units: int | None  # None: bandwidth target not met
    capacity_units: int | None  # None: no capacity figures for the unit
    storage_units: int | None  # the larger (None if bandwidth is not met)
    decided_by: str  # "bandwidth" | "capacity" | "both" | "bandwidth (no capacity figures)"
    reason: str
    plan: CapacityPlan

    def to_json(self) -> dict[str, Any]:
        return {
            "bandwidth_units": self.bandwidth_units,
            "capacity_units": self.capacity_units,
            "storage_units": self.storage_units,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "plan": self.plan.to_json(),
        }


def _tb(b: float) -> str:
    """``245.3 TB``; below 1 TB in GB (``24.6 GB``, not ``0.0 TB``)."""
    return f"{b / 1e12:,.1f} TB" if b >= 1e12 else f"{b / 1e9:,.1f} GB"


def capacity_sizing(
    plan: CapacityPlan, bandwidth_units: int | None, unit_id: str
) -> CapacitySizing:
    """Combine the bandwidth sizing's unit count with the capacity need (storage group 0)."""
    cap = plan.units_needed(0)
    need = _tb(plan.needed_bytes)
    if cap is None:
        return CapacitySizing(
            bandwidth_units,
            None,
            bandwidth_units,
            "bandwidth (no capacity figures)",
            f"the catalog has no drive or protection figures for {unit_id}; sized on "
            "bandwidth only",
            plan,
        )
    u = plan.units[0]
    assert u is not None
    per = f"{_tb(u.usable_bytes)} usable each ({u.drives}, {u.protection})"
    if plan.per_server:  # the counts are drives in every server, each holding a full copy
        unit_id += " in every server (each holds its own copy)"
    if bandwidth_units is None:
        return CapacitySizing(
            None, cap, None, "bandwidth", f"capacity alone needs {cap} x {unit_id}", plan
        )
    units = max(bandwidth_units, cap)
    if cap > bandwidth_units:
        by = "capacity"
        why = (
            f"capacity decides: {need} needed in {plan.horizon_years} years takes {cap} x "
            f"{unit_id} at {per}; bandwidth needs {bandwidth_units}"
        )
    elif cap == bandwidth_units:
        by = "both"
        why = f"bandwidth and capacity ({need} at {per}) both need {cap} x {unit_id}"
    else:
        by = "bandwidth"
        why = (
            f"bandwidth decides: {bandwidth_units} x {unit_id}; capacity ({need} needed in "
            f"{plan.horizon_years} years, {per}) needs {cap}"
        )
    return CapacitySizing(bandwidth_units, cap, units, by, why, plan)


def _find_drives(u: StorageUnit, text: str | None) -> Any:
    if not u.drives:
        return None
    if text is None:
        return u.drives[0]
    m = _DRIVES.match(text)
    if m is None:
        return None
    count, size = int(m.group(1)), float(m.group(2)) * _SCALE[m.group(3)]
    for d in u.drives:
        if d.count == count and abs(d.size - size) <= 1e-6 * size:
            return d
    return None


def _find_code(u: StorageUnit, text: str | None) -> Any:
    if not u.protection:
        return None
    if text is None:
        return u.protection[0]
    key = text.strip().lower()
    return next((p for p in u.protection if p.id.lower() == key), None)


def capacity_problems(
    sc: Scenario, cat: Catalog
) -> list[tuple[tuple[str | int, ...], str, str | None]]:
    """Drive options and protection codes the scenario names that its unit does not offer,
    as ``(loc, message, hint)`` (the shape of :mod:`sizer.checks` issues)."""
    out: list[tuple[tuple[str | int, ...], str, str | None]] = []
    for i, g in enumerate(sc.storage):
        u = cat.storage.get(g.unit)
        if u is None:
            continue
        asked = (
            ("drives", g.drives, _find_drives, "has no drive option", [d.label for d in u.drives]),
            ("protection", g.protection, _find_code, "offers no protection code",
             [p.id for p in u.protection]),
        )  # fmt: skip
        for key, value, find, words, options in asked:
            if value is not None and find(u, value) is None:
                have = ", ".join(f"'{o}'" for o in options) or "none in the catalog"
                out.append((("storage", i, key), f"{g.unit} {words} {value!r}", f"one of {have}"))
    return out


def _drive_capacity(u: StorageUnit, replicas: int) -> UnitCapacity | None:
    """A direct-attached drive: its ``capacity`` figure, raw, striped over the server's
    drives with no parity (a local file system or RAID 0; ``data_replicas: 2`` mirrors)."""
    if u.capacity is None:
        return None
    c = u.capacity
    label = f"1 x {float(c.value) / 1e12:g} TB"
    protection = "striped (RAID 0)" if replicas == 1 else f"mirrored x{replicas}"
    src = (f"drive capacity: {c.source} ({c.confidence})",)
    return UnitCapacity(u.id, label, 1, float(c.value), protection, 1, 0, 0.0, 0.0, src, replicas)


def _unit_capacity(
    u: StorageUnit, drives: str | None, code: str | None, replicas: int, direct: bool
) -> UnitCapacity | None:
    if direct:
        return _drive_capacity(u, replicas)
    d, p = _find_drives(u, drives), _find_code(u, code)
    if d is None or p is None:
        return None
    spare = 0.0 if u.spare_drives is None else float(u.spare_drives.value)
    fs = 0.0 if u.fs_overhead is None else float(u.fs_overhead.value)
    src = [f"drives {d.label}: {d.source} ({d.confidence})", f"{p.id}: {p.source} ({p.confidence})"]
    if u.spare_drives is not None:
        src.append(f"spare drives: {u.spare_drives.source} ({u.spare_drives.confidence})")
    if u.fs_overhead is not None:
        src.append(f"file-system overhead: {u.fs_overhead.source} ({u.fs_overhead.confidence})")
    protection = p.id if replicas == 1 else f"{p.id}, {replicas} replicas"
    return UnitCapacity(
        u.id, d.label, d.count, float(d.size), protection, p.data, p.parity, spare, fs,
        tuple(src), replicas,
    )  # fmt: skip


def _dataset_bytes(workloads: tuple[WorkloadSpec, ...]) -> tuple[float, str]:
    seen: dict[str, float] = {}
    for w in workloads:
        if w.dataset_id is not None and w.dataset_id not in seen:
            seen[w.dataset_id] = w.dataset_bytes or 0.0
    words = [f"{k} {_tb(v) if v >= 1e12 else f'{v / 1e9:,.1f} GB'}" for k, v in seen.items()]
    return sum(seen.values()), "catalog: " + (", ".join(words) if words else "no dataset")


def _checkpoint_bytes(sc: Scenario) -> tuple[float, str]:
    """The retained checkpoints: the ``capacity:`` section's when it states them, else the
    checkpoint policy's ``retain`` x one checkpoint (the total does not depend on the
    ranks: :mod:`sizer.checkpoint`)."""
    from sizer.checkpoint import checkpoint_size
    from sizer.networks import get_model

    c, p = sc.capacity, getattr(sc, "checkpoint", None)
    if c is not None and "checkpoints" in c.model_fields_set:
        return float(c.checkpoints), "stated"
    if p is None:
        return 0.0, "none"
    # one rank holds it all: the total is the same for any layout
    params = get_model(p.model).params
    one = checkpoint_size(params, precision=p.precision, optimizer=p.optimizer).checkpoint_bytes
    return float(p.retain * one), f"checkpoint policy: {p.retain} x {_tb(one)}"


def capacity_plan(sc: Scenario, cat: Catalog, workloads: tuple[WorkloadSpec, ...]) -> CapacityPlan:
    """The scenario's capacity need and each storage group's unit capacity.

    Datasets default to the workloads' catalog datasets, each counted once (synthetic
    data is 0 bytes; a dataset without a size counts 0).
    """
    c = sc.capacity
    if c is not None and c.datasets is not None:
        ds, ds_from = float(c.datasets), "stated"
    else:
        ds, ds_from = _dataset_bytes(workloads)
    direct = sc.network.topology == "direct-attached"
    units = tuple(
        _unit_capacity(cat.storage[g.unit], g.drives, g.protection, g.data_replicas, direct)
        for g in sc.storage
    )
    ck, ck_from = _checkpoint_bytes(sc)
    return CapacityPlan(
        units=units,
        counts=tuple(g.count for g in sc.storage),
        datasets_bytes=ds,
        datasets_from=ds_from,
        checkpoints_bytes=ck,
        checkpoints_from=ck_from,
        scratch_bytes=0.0 if c is None else float(c.scratch),
        growth_per_year=0.0 if c is None else c.growth_per_year,
        horizon_years=3 if c is None else c.horizon_years,
        stated=c is not None,
        per_server=direct,
        problems=tuple(
            f"storage[{loc[1]}].{loc[2]}: {msg} ({hint})"
            for loc, msg, hint in capacity_problems(sc, cat)
        ),
    )
