"""Terminal rendering of analysis results (rich tables).  Presentation only."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from sizer.units import format_rate

__all__ = ["bottleneck_sentence", "make_console", "print_analysis"]


def make_console() -> Console:
    """A console for results on stdout: 120 columns when not a terminal (pipes, CI)."""
    c = Console(highlight=False)
    if not c.is_terminal:
        c = Console(highlight=False, width=120)
    return c


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def _cap(value: float, unit: str) -> str:
    return format_rate(value) if unit == "B/s" else f"{value:,.0f} {unit}"


def bottleneck_sentence(a: Any) -> str:
    """The bottleneck in plain words, e.g. ``storage-bound: ess-3000 x1 at 100% (40.0 GB/s)
    caps 72 GPUs at 53% of their demand``."""
    b = a.bottleneck
    if b is None:
        if a.gpu_data_utilization is None:
            return "no GPU workloads; nothing limits the read benchmark"
        return (
            f"compute-bound: every one of the {a.design.total_gpus} GPUs gets all the "
            "data it asks for; storage and fabric have headroom"
        )
    kind = b["kind"]
    cap = _cap(b["capacity"], b["unit"])
    if b["gpus_capped"]:
        tail = (
            f"caps {b['gpus_capped']} GPUs at {_pct(b['capped_gpu_data_utilization'])} "
            "of their demand"
        )
    else:
        tail = f"limits the read benchmark to {format_rate(a.read_bytes_per_sec)}"
    what = {
        "storage": "storage-bound",
        "link": "network-bound",
        "switch": "switch-bound",
        "server-ingest": "client-bound",
        "host-preprocessing": "preprocessing-bound",
    }.get(kind, f"{kind}-bound")
    return f"{what}: {b['group']} at {_pct(b['utilization'])} ({cap} in all) {tail}"


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
            _pct(w.gpu_data_utilization),
            w.bound_by["group"],
        )
    c.print(t)
    r = Table(title="Most utilised resources (one per group)", title_justify="left")
    for col in ("resource group", "kind", "capacity each", "utilization", "headroom"):
        r.add_column(col, justify="left" if col in ("resource group", "kind") else "right")
    for res in a.top_resources(8):
        head = "-" if math.isinf(res.headroom) else f"{res.headroom:.2f}x"
        r.add_row(res.group, res.kind, _cap(res.capacity, res.unit), _pct(res.utilization), head)
    c.print(r)
    c.print(
        f"Aggregate: {a.images_per_sec:,.0f} images/s, "
        f"{format_rate(a.read_bytes_per_sec)} read from storage, "
        f"GPU data utilization {_pct(a.gpu_data_utilization)}"
    )
    c.print(f"[bold]Bottleneck:[/bold] {bottleneck_sentence(a)}")
