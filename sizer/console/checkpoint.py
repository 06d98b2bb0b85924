"""``sizer checkpoint`` on the terminal: the parts of the checkpoint and who writes what.

Presentation only (rich tables). Numbers are never cut: the table wraps its text columns
and keeps every figure whole at 80 columns.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from sizer.units import format_bytes

if TYPE_CHECKING:
    from sizer.checkpoint import Checkpoint

__all__ = ["print_checkpoint"]

_PART_WORDS = {
    "weights": "model weights",
    "master": "FP32 master weights",
    "optimizer": "optimizer moments",
}


def _size(n: int) -> str:
    return f"{format_bytes(n, 2)} ({n:,} B)"


def print_checkpoint(c: Checkpoint) -> None:
    """Print the checkpoint's total, its parts and the writing ranks."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 80)
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
