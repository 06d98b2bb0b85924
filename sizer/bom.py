"""The bill of materials of a design: what is ordered, its rack units and its power.

Pure: a resolved design and its built fabric in, counts and totals out.  Computed once
here, formatted by the report and compared by :func:`sizer.scaling.compare`.  Figures
come from the catalog through the design (``rack_units``, ``power_watts``); a line
whose catalog entry has no power figure has ``power_watts`` None and is left out of the
power total, which then says so (``power_complete`` False).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.topology import Fabric

__all__ = ["Bom", "BomLine", "bill_of_materials"]


@dataclass(frozen=True, slots=True)
class BomLine:
    """One orderable line: ``count`` of catalog entry ``id``."""

    kind: str  # "GPU server" | "storage unit" | "switch"
    id: str
    name: str
    count: int
    rack_units: float  # all of them
    power_watts: float | None  # all of them; None: no catalog figure


@dataclass(frozen=True, slots=True)
class Bom:
    lines: tuple[BomLine, ...]
    cables: dict[str, int]  # link type -> cables

    @property
    def rack_units(self) -> float:
        return float(sum(x.rack_units for x in self.lines))

    @property
    def power_watts(self) -> float:
        """Sum of the lines with a power figure (see :attr:`power_complete`)."""
        return float(sum(x.power_watts for x in self.lines if x.power_watts is not None))

    @property
    def power_complete(self) -> bool:
        return all(x.power_watts is not None for x in self.lines)

    @property
    def power_unknown(self) -> list[str]:
        """Names of the items without a power figure, sorted, once each."""
        return sorted({x.name for x in self.lines if x.power_watts is None})


def bill_of_materials(d: Design, fabric: Fabric) -> Bom:
    """Servers, storage units and switches of the design as built (``fabric``).

    Examples
    --------
    >>> from sizer.loader import load_design
    >>> from sizer.topology import build_fabric
    >>> d = load_design("scenarios/ra-1x-dgx1-1x-ess3000.yaml")
    >>> [(x.kind, x.count) for x in bill_of_materials(d, build_fabric(d)).lines]
    [('GPU server', 1), ('storage unit', 1), ('switch', 1)]
    """
    lines = [
        BomLine(
            "GPU server",
            g.server_id,
            g.server_name,
            g.count,
            g.count * g.rack_units,
            g.count * g.power_watts,
        )
        for g in d.servers
    ]
    lines += [
        BomLine(
            "storage unit",
            s.unit_id,
            s.unit_name,
            s.count,
            s.count * s.rack_units,
            None if s.power_watts is None else s.count * s.power_watts,
        )
        for s in d.storage
    ]
    n_sw = len(fabric.switches)
    lines.append(
        BomLine(
            "switch",
            d.switch_id,
            d.switch_name,
            n_sw,
            n_sw * d.switch_rack_units,
            None if d.switch_power_watts is None else n_sw * d.switch_power_watts,
        )
    )
    return Bom(tuple(lines), dict(fabric.cables))
