"""Rack elevation: which device goes in which U of which rack, within a rack height and a
per-rack power limit.

Pure: the bill of materials in, placements and totals out.  Devices are placed in BOM
order by kind -- switches first (top of the first racks), then storage units, then GPU
servers -- first fit: each device goes into the first rack with enough free U *and*
enough power left, else a new rack.  A device that alone exceeds the power limit gets a
rack of its own and the layout says so (``over_limit``).

Defaults (when the scenario has no ``racks:``): :data:`DEFAULT_HEIGHT_U` U and
:data:`DEFAULT_MAX_KW` kW per rack -- assumptions, printed in the report.

Examples
--------
>>> from sizer.bom import Bom, BomLine
>>> bom = Bom((BomLine("GPU server", "dgx-1", "DGX-1", 9, 27.0, 28800.0),
...            BomLine("switch", "sb7800", "SB7800", 2, 2.0, 600.0)), {})
>>> lay = rack_layout(bom, height_u=42, max_watts=20000)
>>> [(r.index, r.used_u, r.watts) for r in lay.racks]
[(1, 20, 19800.0), (2, 9, 9600.0)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizer.bom import Bom

__all__ = [
    "DEFAULT_HEIGHT_U",
    "DEFAULT_MAX_KW",
    "Placement",
    "Rack",
    "RackLayout",
    "layout_for",
    "rack_layout",
]

#: usable U per rack without a scenario figure (assumption: a common 42U rack)
DEFAULT_HEIGHT_U = 42
#: power limit per rack without a scenario figure (assumption)
DEFAULT_MAX_KW = 20.0

#: placement order by BOM kind
_ORDER = {"switch": 0, "storage unit": 1, "GPU server": 2}


@dataclass(frozen=True, slots=True)
class Placement:
    """One device: ``height`` U starting at U ``u`` (1 = bottom) of its rack."""

    kind: str
    id: str
    name: str
    line: int  # index of its BOM line
    number: int  # 1.. within its BOM line
    u: int
    height: int
    watts: float | None  # None: no power figure


@dataclass
class Rack:
    index: int  # 1..
    height_u: int
    devices: list[Placement] = field(default_factory=list)

    @property
    def used_u(self) -> int:
        return sum(p.height for p in self.devices)

    @property
    def free_u(self) -> int:
        return self.height_u - self.used_u

    @property
    def watts(self) -> float:
        return float(sum(p.watts for p in self.devices if p.watts is not None))


@dataclass(frozen=True, slots=True)
class RackLayout:
    height_u: int
    max_watts: float
    racks: tuple[Rack, ...]
    over_limit: tuple[str, ...]  # devices alone above the rack power limit
    too_tall: tuple[str, ...]  # devices taller than a rack (not placed)
    defaults: bool  # height and limit are the defaults (no racks: in the scenario)

    @property
    def watts(self) -> float:
        return float(sum(r.watts for r in self.racks))

    @property
    def used_u(self) -> int:
        return sum(r.used_u for r in self.racks)

    def to_json(self) -> dict[str, Any]:
        return {
            "height_u": self.height_u,
            "max_watts": self.max_watts,
            "racks": [
                {
                    "rack": r.index,
                    "used_u": r.used_u,
                    "watts": r.watts,
                    "devices": [
                        {"id": p.id, "number": p.number, "u": p.u, "height": p.height}
                        for p in r.devices
                    ],
                }
                for r in self.racks
            ],
            "over_limit": list(self.over_limit),
        }


def rack_layout(
    bom: Bom,
    *,
    height_u: int = DEFAULT_HEIGHT_U,
    max_watts: float = DEFAULT_MAX_KW * 1000,
    defaults: bool = False,
) -> RackLayout:
    """Place every device of ``bom`` (see the module docstring for the rule).

    Within a rack devices stack from U1 upwards in placement order; switches end up at
    the bottom of the first rack (their own rack section in the drawing).  Heights are
    whole U (a 2.5 U figure takes 3).

    Raises
    ------
    ValueError
        ``height_u`` < 1 or ``max_watts`` <= 0.
    """
    if height_u < 1 or max_watts <= 0:
        raise ValueError(f"rack height {height_u} U and limit {max_watts} W must be positive")
    racks: list[Rack] = []
    over: list[str] = []
    tall: list[str] = []
    order = sorted(range(len(bom.lines)), key=lambda i: _ORDER.get(bom.lines[i].kind, 9))
    for li in order:
        line = bom.lines[li]
        if line.count < 1:
            continue
        # 0 U: inside another device (a direct-attached drive in its server): placed in a
        # rack (its power counts there) but takes no U of it
        h = 0 if line.rack_units == 0 else max(1, math.ceil(line.rack_units / line.count - 1e-9))
        w = None if line.power_watts is None else line.power_watts / line.count
        for k in range(1, line.count + 1):
            label = f"{line.name} #{k}"
            if h > height_u:
                tall.append(label)
                continue
            need_w = 0.0 if w is None else w
            rack = next(
                (r for r in racks if r.free_u >= h and r.watts + need_w <= max_watts + 1e-6),
                None,
            )
            if rack is None:
                rack = Rack(len(racks) + 1, height_u)
                racks.append(rack)
                if need_w > max_watts:
                    over.append(label)
            rack.devices.append(
                Placement(line.kind, line.id, line.name, li, k, rack.used_u + 1, h, w)
            )
    return RackLayout(height_u, max_watts, tuple(racks), tuple(over), tuple(tall), defaults)


def layout_for(bom: Bom, racks: Any) -> RackLayout:
    """:func:`rack_layout` with a scenario's ``racks:`` section (None: the defaults)."""
    if racks is None:
        return rack_layout(bom, defaults=True)
    return rack_layout(bom, height_u=racks.height_u, max_watts=racks.max_kw * 1000)
