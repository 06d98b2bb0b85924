"""``sizer analyze`` on the terminal: workloads, busiest resources, the bottleneck.

Presentation only (rich tables); the words and number formats are :mod:`sizer.text`'s.
"""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from sizer.console import make_console
from sizer.text import bottleneck_sentence, capacity, pct
from sizer.units import format_rate

__all__ = ["print_analysis"]


def print_analysis(a: Any, console: Console | None = None) -> None:
    """Print workloads, the most utilised resources and the bottleneck."""
    c = console or make_console()
    d = a.design
    c.print(f"[bold]{d.name}[/bold]")
    servers = ", ".join(
        f"{g.count}x {g.server_id}" + (f" ({g.name})" if g.name != g.server_id else "")
        for g in d.servers
    )
    storage = ", ".join(f"{s.count}x {s.unit_id}" for s in d.storage)
    c.print(f"{servers} ({d.total_gpus} GPUs); {storage}; {d.topology} on {d.switch_id}")
    t = Table(title="Workloads", title_justify="left")
    for col in (
        "workload",
        "GPUs",
        "demand img/s",
        "achieved img/s",
        "read GB/s",
        "GPU data util.",
        "bound by",
    ):
        t.add_column(col, justify="left" if col in ("workload", "bound by") else "right")
    for w in a.workloads:
        dem = "unbounded" if w.unbounded else f"{w.demand_images_per_sec:,.0f}"
        ach = "-" if w.unbounded else f"{w.images_per_sec:,.0f}"
        t.add_row(
            w.label,
            str(w.gpus),
            dem,
            ach,
            f"{w.read_bytes_per_sec / 1e9:,.2f}",
            pct(w.gpu_data_utilization),
            w.bound_by["group"],
        )
    c.print(t)
    r = Table(title="Most utilised resources (one per group)", title_justify="left")
    for col in ("resource group", "kind", "capacity each", "utilization", "headroom"):
        r.add_column(col, justify="left" if col in ("resource group", "kind") else "right")
    for res in a.top_resources(8):
        head = "-" if math.isinf(res.headroom) else f"{res.headroom:.2f}x"
        r.add_row(res.group, res.kind, capacity(res.capacity, res.unit), pct(res.utilization), head)
    c.print(r)
    c.print(
        f"Aggregate: {a.images_per_sec:,.0f} images/s, "
        f"{format_rate(a.read_bytes_per_sec)} read from storage, "
        f"GPU data utilization {pct(a.gpu_data_utilization)}"
    )
    c.print(f"[bold]Bottleneck:[/bold] {bottleneck_sentence(a)}")
