"""``sizer memory`` on the terminal: GPU memory per category, the fit, the top layers.

Presentation only (rich tables); the categories' words are :mod:`sizer.text`'s.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sizer.text import MEMORY_CATEGORY_WORDS, SHARDING_WORDS
from sizer.units import format_gib

if TYPE_CHECKING:
    from sizer.memory import LayerMemory, MemoryEstimate

__all__ = ["print_memory"]


def _mib(n: float) -> str:
    """Bytes in MiB, the number alone (the layer table's headers say MiB)."""
    return f"{n / 2**20:,.2f}"


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _print_layers(c: Any, title: str, rows: list[LayerMemory], est: MemoryEstimate) -> None:
    """The per-layer table at the console's width (stacked per layer when it cannot fit;
    no id or figure is cut)."""
    from sizer.console.layout import Kind, print_table

    training = est.phase == "training"
    act_title = "kept for backward" if training else "alive while the layer runs"
    kv = est.kind == "transformer" and not training
    # MiB in the headers, not in every cell: the table fits 80 columns
    headers = ["layer", "op", "output / sample", "params", "weights MiB", "activations MiB"]
    kinds: list[Kind] = ["text", "id", "id", "num", "num", "num"]
    if kv:
        headers.append("KV cache MiB")
        kinds.append("num")
    cells = []
    for row in rows:
        act = row.saved_bytes if training else row.live_bytes
        line = [
            row.name,
            row.op,
            _shape(row.output_shape),
            f"{row.params:,}",
            _mib(row.parameter_bytes),  # this GPU's share
            _mib(act),
        ]
        if kv:
            line.append(_mib(row.kv_cache_bytes))
        cells.append(line)
    print_table(c, f"{title}; activations = {act_title}", headers, kinds, cells)


def _collapse_blocks(rows: list[LayerMemory], est: MemoryEstimate) -> list[LayerMemory]:
    """Show a transformer's identical blocks as one row ``layers.0-95 (each)``."""
    blocks = [r for r in est.layers if r.op == "block"]
    if not blocks:
        return rows
    label = f"layers.0-{len(blocks) - 1} (each)"
    out: list[LayerMemory] = []
    for r in rows:
        if r.op != "block":
            out.append(r)
        elif not any(o.op == "block" for o in out):
            out.append(replace(r, name=label))
    return out


def print_memory(est: MemoryEstimate, gpu: str | None, gpu_name: str, all_layers: bool) -> None:
    """The estimate as tables on stdout (:func:`sizer.console.make_console`'s width)."""
    from rich.table import Table

    from sizer.console import make_console

    console = make_console()
    what = f"image {_shape(est.image)}" if est.image else f"seq {est.seq:,} tokens"
    opt = f" · {est.optimizer}" if est.optimizer else ""
    how = SHARDING_WORDS.get(est.sharding, "data parallel")  # "none": plain data parallel
    par = f" · {how} on {est.gpus} GPUs" if est.gpus > 1 else ""
    if est.pipeline_parallel > 1:
        par += f" · pipeline {est.pipeline_parallel} stages (figures: stage {est.stage})"
    console.print(
        f"{est.title} ({est.params:,} parameters) · {est.phase} · {est.precision}{opt} · "
        f"batch {est.batch} · {what}{par}"
    )
    table = Table(title="Memory per GPU (GiB = 2^30 bytes)", title_justify="left")
    table.add_column("category")
    table.add_column("GiB", justify="right")
    table.add_column("share", justify="right")
    total = est.total_bytes
    for key, value in est.categories().items():
        share = f"{100 * value / total:.1f} %" if total else "-"
        table.add_row(MEMORY_CATEGORY_WORDS[key], format_gib(value), share)
    table.add_section()
    table.add_row("total", format_gib(total), "100.0 %")
    console.print(table)
    if est.gpu_memory_bytes is not None:
        verdict = "fits" if est.fits else "does NOT fit"
        console.print(
            f"GPU {gpu} ({gpu_name}): {format_gib(est.gpu_memory_bytes)} per GPU; "
            f"batch {est.batch} {verdict}; largest batch that fits: {est.largest_batch:,}"
        )
    else:
        console.print("No --gpu given: add e.g. --gpu a100-sxm4-80gb to check the fit.")
    if all_layers:
        rows = list(est.layers)
        _print_layers(console, "All layers, per GPU, MiB = 2^20 bytes", rows, est)
    else:
        top = _collapse_blocks(est.top_layers(len(est.layers)), est)[:8]
        _print_layers(console, "Top layers, per GPU, MiB = 2^20 bytes", top, est)
    if est.sharded:
        console.print("Sharded across GPUs: " + ", ".join(est.sharded))
    for note in est.notes:
        console.print(f"Note: {note}")
