"""The report's GPU-memory section as plain data: each case's rows and chart bytes."""

from __future__ import annotations

from typing import Any

from sizer.report import fmt
from sizer.text import MEMORY_CATEGORY_WORDS, SHARDING_WORDS

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
        spread = _spread_words(e)
        if spread:
            title += f", {spread}"
        fits = ("fits" if e.fits else "does not fit") if e.fits is not None else "–"
        verdict = _verdict(e, m.get("sharded"))
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
                "verdict": verdict,
            }
        )
    return rows


def _spread_words(e: Any) -> str:
    """How the case is spread and trimmed: ``ZeRO-3 on 8 GPUs, FlashAttention``."""
    parts = []
    if e.sharding != "none":
        parts.append(f"{SHARDING_WORDS.get(e.sharding, e.sharding)} on {fmt.count(e.gpus)} GPUs")
    elif e.gpus > 1:
        parts.append(f"data parallel on {fmt.count(e.gpus)} GPUs")
    if getattr(e, "pipeline_parallel", 1) > 1:
        parts.append(
            f"pipeline parallel over {fmt.count(e.pipeline_parallel)} stages "
            f"(stage {e.stage}, the largest)"
        )
    if e.recompute != "none":
        parts.append(f"{e.recompute} recomputation")
    if e.flash_attention:
        parts.append("FlashAttention")
    return ", ".join(parts)


def _verdict(e: Any, sharded: dict[str, Any] | None) -> str:
    """The case's answer in a sentence: ``does not fit at batch 1 without sharding; fits
    with ZeRO-3 on 8 GPUs at batch 6``."""
    if e.fits is None:
        return ""
    if e.largest_batch == 0:
        if e.sharding == "none" and e.gpus == 1 and getattr(e, "pipeline_parallel", 1) == 1:
            head = "does not fit at batch 1 without sharding"
        else:
            head = f"does not fit at batch 1 with {_spread_words(e)}"
        if sharded is None:
            return head
        how = f"{SHARDING_WORDS[sharded['sharding']]} on {fmt.count(sharded['gpus'])} GPUs"
        if sharded["largest_batch"] > 0:
            return f"{head}; fits with {how} at batch {fmt.count(sharded['largest_batch'])}"
        return f"{head}, nor with {how}"
    if e.fits:
        return (
            f"fits at batch {fmt.count(e.batch)}; the largest batch is {fmt.count(e.largest_batch)}"
        )
    return (
        f"does not fit at batch {fmt.count(e.batch)}; the largest batch that fits is "
        f"{fmt.count(e.largest_batch)}"
    )
