"""The report's GPU-memory section as plain data: each case's rows and chart bytes."""

from __future__ import annotations

from typing import Any

from sizer.report import fmt
from sizer.text import MEMORY_CATEGORY_WORDS

__all__ = ["memory_rows"]


def memory_rows(memory: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Memory cases: each ``{"case": MemoryCase, "estimate": MemoryEstimate,
    "gpu_name": str}`` becomes formatted rows plus raw bytes for the chart."""
    if not memory:
        return None
    rows = []
    labels = MEMORY_CATEGORY_WORDS
    for m in memory:
        e = m["estimate"]
        cats = e.categories()
        shape = (
            f"{e.image[0]}×{e.image[1]} images"
            if e.image
            else f"sequence {fmt.count(e.seq)}"
            if e.seq
            else ""
        )
        title = f"{e.title} {e.phase}, {e.precision}, batch {fmt.count(e.batch)} per GPU" + (
            f", {shape}" if shape else ""
        )
        fits = ("fits" if e.fits else "does not fit") if e.fits is not None else "–"
        rows.append(
            {
                "title": title,
                "model": e.title,
                "phase": e.phase,
                "precision": e.precision,
                "optimizer": e.optimizer or "–",
                "batch": fmt.count(e.batch),
                "gpu": m["gpu_name"],
                "gpu_memory": fmt.gib(e.gpu_memory_bytes),
                "gpu_memory_bytes": e.gpu_memory_bytes,
                "parts": [
                    {"key": k, "label": labels.get(k, k), "bytes": v, "text": fmt.gib(v)}
                    for k, v in cats.items()
                    if v > 0 or k in ("parameters", "activations")
                ],
                "total": fmt.gib(e.total_bytes),
                "total_bytes": e.total_bytes,
                "fits": fits,
                "fits_bool": e.fits,
                "largest_batch": "–" if e.largest_batch is None else fmt.count(e.largest_batch),
                "params": f"{e.params / 1e6:,.1f} M",
                "notes": list(e.notes),
            }
        )
    return rows
