"""The report's storage-fabric cabling table (cables by type and length class,
transceivers per port, adapters, spares) and the rows the BOM exports are written from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.bom import bill_of_materials, export_rows
from sizer.report import fmt

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["parts_context"]


def parts_context(a: Analysis) -> dict[str, Any]:
    """``rows`` for the report's table, ``notes``, and ``export`` (every orderable line,
    raw values, for :mod:`sizer.report.export`)."""
    bom = bill_of_materials(a.design, a.fabric)
    parts = bom.parts
    rows = [
        {
            "kind": p.kind,
            "part": p.part,
            "part_no": p.part_no or "–",
            "link": p.link,
            "length": p.length_class or "–",
            "count": fmt.count(p.count),
            "spares": fmt.count(p.spares),
            "total": fmt.count(p.total),
        }
        for p in parts.lines
    ]
    return {"rows": rows, "notes": list(parts.notes), "export": export_rows(bom)}
