"""The report's cost table (``--prices FILE``): every BOM line's price and total, the
grand total, and the storage data path's cost per GB/s of read bandwidth and per usable
TB (:mod:`sizer.cost`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.bom import bill_of_materials
from sizer.report import fmt

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["cost_context", "money"]


def money(x: float | None) -> str:
    """An amount as the report prints it: thousands separated, cents only when there are."""
    if x is None:
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def cost_context(a: Analysis, prices: Any) -> dict[str, Any] | None:
    """Plain data of the cost table; None without a price list."""
    if prices is None:
        return None
    from sizer.cost import design_cost

    bom = bill_of_materials(a.design, a.fabric)
    c = design_cost(a.design, bom, prices.prices, prices.currency)
    rows = [
        {
            "section": x.section
            if x.data_path
            else f"{x.section} (not part of the data-path model)",
            "item": x.item,
            "id": x.price_id,
            "quantity": "–" if x.quantity is None else fmt.count(x.quantity),
            "price": "no price" if x.unit_price is None else money(x.unit_price),
            "total": money(x.total),
        }
        for x in c.lines
    ]
    return {
        "unit": c.unit,
        "file": prices.file,
        "rows": rows,
        "total": money(c.total),
        "data_path_total": money(c.data_path_total),
        "storage_total": money(c.storage_total),
        "has_other": bom.other is not None,
        "per_read": money(c.per_read_gbps),
        "per_usable": money(c.per_usable_tb),
        "read": fmt.rate(c.read_bytes_per_sec),
        "usable": "–" if c.usable_bytes is None else f"{c.usable_bytes / 1e12:,.1f} TB",
        "unpriced": ", ".join(c.unpriced),
    }
