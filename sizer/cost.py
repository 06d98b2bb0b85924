"""The cost of a bill of materials under a user's price list (``--prices FILE``).

Pure: the BOM, the design and the prices in, line totals and ratios out.  Every line's
total is its order quantity (count plus spares) times its price; a line the price list
does not price has no total and is named (``unpriced``), so an incomplete total says so.

The ratios are of the storage data path -- storage units, storage-fabric switches,
cables, optics and adapters; not the GPU servers, not the POD's other fabrics -- over
the storage units' catalog read bandwidth (GB/s) and their usable capacity (TB), the
figures a storage choice is compared on.

Examples
--------
>>> from sizer.bom import Bom, BomLine
>>> bom = Bom((BomLine("storage unit", "ess-3000", "ESS 3000", 2, 4.0, 2000.0),), {})
>>> c = bom_cost(bom, {"ess-3000": 100.0}, None, read_bytes_per_sec=80e9, usable_bytes=200e12)
>>> (c.total, c.storage_total, c.per_read_gbps, c.per_usable_tb)
(200.0, 200.0, 2.5, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizer.bom import Bom
    from sizer.design import Design

__all__ = ["Cost", "CostLine", "bom_cost", "design_cost"]


@dataclass(frozen=True, slots=True)
class CostLine:
    section: str  # the BOM kind ("GPU server", "storage unit", "switch", "cable", ...)
    item: str
    price_id: str
    quantity: int | None  # order quantity; None: not in the catalog
    unit_price: float | None  # None: the price list has no price for it
    storage_side: bool  # counted in the storage data-path subtotal
    data_path: bool  # False: one of the POD's other fabrics

    @property
    def total(self) -> float | None:
        if self.quantity is None or self.unit_price is None:
            return None
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class Cost:
    currency: str | None
    lines: tuple[CostLine, ...]
    read_bytes_per_sec: float  # the storage units' catalog read bandwidth, all of them
    usable_bytes: float | None  # their usable capacity (None: no capacity figures)

    @property
    def unit(self) -> str:
        return self.currency or "price units"

    def _sum(self, keep: Any) -> float:
        return float(sum(x.total for x in self.lines if keep(x) and x.total is not None))

    @property
    def total(self) -> float:
        """Every priced line (data path and other fabrics)."""
        return self._sum(lambda x: True)

    @property
    def data_path_total(self) -> float:
        return self._sum(lambda x: x.data_path)

    @property
    def storage_total(self) -> float:
        """Storage units, storage-fabric switches, cables, optics and adapters."""
        return self._sum(lambda x: x.storage_side)

    @property
    def unpriced(self) -> list[str]:
        """Price ids of the lines with a quantity but no price, sorted, once each."""
        return sorted({x.price_id for x in self.lines if x.unit_price is None and x.quantity})

    @property
    def complete(self) -> bool:
        return not self.unpriced

    @property
    def storage_complete(self) -> bool:
        return all(x.unit_price is not None for x in self.lines if x.storage_side and x.quantity)

    @property
    def per_read_gbps(self) -> float | None:
        """Storage data-path cost per GB/s of catalog read bandwidth."""
        gbps = self.read_bytes_per_sec / 1e9
        return self.storage_total / gbps if gbps > 0 else None

    @property
    def per_usable_tb(self) -> float | None:
        """Storage data-path cost per usable TB."""
        if not self.usable_bytes or self.usable_bytes <= 0:
            return None
        return self.storage_total / (self.usable_bytes / 1e12)

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total": self.total,
            "data_path_total": self.data_path_total,
            "storage_total": self.storage_total,
            "per_read_GBps": self.per_read_gbps,
            "per_usable_TB": self.per_usable_tb,
            "complete": self.complete,
            "unpriced": self.unpriced,
        }


def bom_cost(
    bom: Bom,
    prices: dict[str, float],
    currency: str | None,
    *,
    read_bytes_per_sec: float,
    usable_bytes: float | None,
) -> Cost:
    """Price every line of ``bom`` (see the module docstring)."""
    from sizer.bom import part_price_id

    lines = [
        CostLine(
            x.kind,
            x.name,
            x.id,
            x.count,
            prices.get(x.id),
            x.kind != "GPU server",
            True,
        )
        for x in bom.items
    ]
    parts = bom.parts.lines if bom.parts is not None else ()
    lines += [
        CostLine(
            p.kind, p.part, part_price_id(p), p.total, prices.get(part_price_id(p)), True, True
        )
        for p in parts
    ]
    if bom.other is not None:
        from sizer.pod_fabrics import price_id

        lines += [
            CostLine(o.fabric, o.item, price_id(o), o.count, prices.get(price_id(o)), False, False)
            for o in bom.other.lines
        ]
    return Cost(currency, tuple(lines), read_bytes_per_sec, usable_bytes)


def design_cost(d: Design, bom: Bom, prices: dict[str, float], currency: str | None) -> Cost:
    """:func:`bom_cost` with the design's storage read bandwidth and usable capacity (at
    the design's unit counts)."""
    read = sum(s.count * s.read_bandwidth for s in d.storage)
    usable = None
    plan = d.capacity
    if plan is not None and plan.complete:
        usable = plan.usable_bytes(tuple(s.count for s in d.storage))
    return bom_cost(bom, prices, currency, read_bytes_per_sec=read, usable_bytes=usable)
