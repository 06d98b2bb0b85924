"""``sizer checkpoint`` on the terminal: the parts of the checkpoint and who writes what.

Presentation only (rich tables). Numbers are never cut: the table wraps its text columns
and keeps every figure whole at 80 columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sizer.units import format_bytes

if TYPE_CHECKING:
    from sizer.checkpoint import Checkpoint
    from sizer.checkpointing import CheckpointResult
    from sizer.design import Design

__all__ = ["print_checkpoint", "print_policy"]

_PART_WORDS = {
    "weights": "model weights",
    "master": "FP32 master weights",
    "optimizer": "optimizer moments",
}


def _size(n: int) -> str:
    return f"{format_bytes(n, 2)} ({n:,} B)"


def print_checkpoint(c: Checkpoint) -> None:
    """Print the checkpoint's total, its parts and the writing ranks."""
    from rich.table import Table

    from sizer.console import make_console

    console = make_console()
    zero = f"ZeRO-{c.zero}"
    console.print(
        f"{c.model}: {c.params:,} parameters, {c.precision} + {c.optimizer}, "
        f"{c.ranks:,} ranks = TP {c.tp} x PP {c.pp} x DP {c.dp}, {zero}"
    )
    console.print(f"Checkpoint: {_size(c.checkpoint_bytes)}, {c.files:,} files")
    parts = Table(title="Parts (decimal units)", title_justify="left")
    parts.add_column("part")
    parts.add_column("bytes", justify="right", no_wrap=True)
    parts.add_column("B/param", justify="right", no_wrap=True)
    for key, n in c.parts.items():
        if n:
            parts.add_row(_PART_WORDS[key], _size(n), f"{n / c.params:.2f}")
    console.print(parts)
    ranks = Table(title="Writing ranks", title_justify="left")
    ranks.add_column("ranks", justify="right", no_wrap=True)
    ranks.add_column("bytes each", justify="right", no_wrap=True)
    ranks.add_column("files each", justify="right", no_wrap=True)
    for g in c.groups:
        ranks.add_row(f"{g.ranks:,}", _size(g.bytes), f"{g.files:,}")
    console.print(ranks)
    idle = c.ranks - c.writing_ranks
    console.print(
        f"{c.writing_ranks:,} of {c.ranks:,} ranks write; the largest share is "
        f"{format_bytes(c.max_bytes_per_rank, 2)}"
        + (f"; {idle:,} data-parallel replicas write nothing." if idle else ".")
    )


def print_policy(d: Design, r: CheckpointResult) -> None:
    """Print a scenario's checkpoint answer: the job, save and restore, the interval, the
    overhead or drain headroom, whether the policy fits, and what is not modeled."""
    from rich.table import Table

    from sizer.checkpointing import NOT_MODELED
    from sizer.console import make_console
    from sizer.text import burst_bound, duration

    console = make_console()
    c = r.checkpoint
    p = d.checkpoint.policy if d.checkpoint is not None else None
    console.print(d.name)
    console.print(
        f"{c.model} training on {c.ranks:,} GPUs (TP {c.tp} x PP {c.pp} x DP {c.dp}, "
        f"ZeRO-{c.zero}), {c.precision} + {c.optimizer}; "
        f"{'synchronous' if r.mode == 'sync' else 'asynchronous'} saves",
    )
    console.print(
        f"Checkpoint: {_size(c.checkpoint_bytes)}, {c.files:,} files, written by "
        f"{c.writing_ranks:,} ranks; the busiest server writes "
        f"{format_bytes(r.staged_bytes_per_server, 2)}",
    )
    t = Table(title="Save and restore (decimal units)", title_justify="left")
    t.add_column("")
    t.add_column("bytes", justify="right", no_wrap=True)
    t.add_column("time", justify="right", no_wrap=True)
    t.add_column("GB/s", justify="right", no_wrap=True)
    t.add_column("bound by")
    for name, b, direction in (("save", r.save, "write"), ("restore", r.restore, "read")):
        t.add_row(
            name,
            format_bytes(b.bytes, 2),
            duration(b.seconds),
            f"{b.rate / 1e9:,.1f}",
            burst_bound(b.bound_by, direction),
        )
    console.print(t)
    rule = "the scenario's" if r.interval_rule == "scenario" else "Young's sqrt(2 x save x MTBF)"
    console.print(f"Interval: {duration(r.interval_seconds)} ({rule})")
    if r.overhead_fraction is not None and p is not None:
        console.print(
            f"Overhead: every GPU waits {r.overhead_fraction:.2%} of the time "
            f"({r.gpu_hours_lost_per_hour:,.2f} GPU-hours lost per hour); allowed "
            f"{p.max_overhead:.1%}",
        )
    if r.drain_headroom is not None:
        console.print(
            f"Drain: {duration(r.save.seconds)} of {duration(r.interval_seconds)} between "
            f"saves ({r.drain_headroom:,.1f}x headroom); each server stages "
            f"{format_bytes(r.staged_bytes_per_server, 2)} in host memory",
        )
    if r.save.unknown_storage:
        console.print(
            "Storage write: the catalog has no write figure for this unit, so storage "
            "bounds nothing: the save time is a lower bound.",
        )
    if r.fits:
        console.print("Policy fits.")
    else:
        console.print("Policy does not fit: " + "; ".join(r.problems) + ".")
    console.print("Not modeled: " + "; ".join(NOT_MODELED) + ".")
