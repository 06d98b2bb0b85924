"""The report's storage-fabric cabling table (cables by type and length class,
transceivers per port, adapters, spares) and the rows the BOM exports are written from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.bom import EXPORT_COLUMNS, bill_of_materials, export_rows, price_columns
from sizer.report import fmt

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["parts_context"]


def parts_context(a: Analysis, prices: Any = None, cat: Any = None) -> dict[str, Any]:
    """``rows`` for the report's table, ``notes``, and ``export`` (every orderable line,
    raw values, for :mod:`sizer.report.export`) with its ``export_columns`` (a price
    list adds the unit price and line total)."""
    bom = bill_of_materials(a.design, a.fabric)
    parts = bom.parts
    rows = [
        {
            "kind": p.kind,
            "part": p.part,
            "part_no": p.part_no or "–",
            "link": p.link,
            "link_words": fmt.link_type(cat, p.link),
            "length": p.length_class or "–",
            "count": fmt.count(p.count),
            "spares": fmt.count(p.spares),
            "total": fmt.count(p.total),
        }
        for p in parts.lines
    ]
    cost = None
    columns: tuple[str, ...] = EXPORT_COLUMNS
    if prices is not None:
        from sizer.cost import design_cost

        cost = design_cost(a.design, bom, prices.prices, prices.currency)
        columns = EXPORT_COLUMNS + price_columns(prices.unit)
    return {
        "rows": rows,
        "notes": list(parts.notes),
        "export": export_rows(bom, cost),
        "export_columns": columns,
    }
