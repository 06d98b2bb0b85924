"""``sizer analyze`` on the terminal: workloads, busiest resources, the bottleneck.

Presentation only (rich tables); the words and number formats are :mod:`sizer.text`'s.
"""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

from sizer.console import make_console
from sizer.console.layout import bold, print_line, print_table
from sizer.text import bottleneck_sentence, capacity, pct
from sizer.units import format_bytes, format_rate

__all__ = ["print_analysis"]


def print_analysis(a: Any, console: Console | None = None) -> None:
    """Print workloads, the most utilized resources and the bottleneck."""
    c = console or make_console()
    d = a.design
    print_line(c, bold(d.name))
    servers = ", ".join(
        f"{g.count}x {g.server_id}" + (f" ({g.name})" if g.name != g.server_id else "")
        for g in d.servers
    )
    if d.direct_attached:
        storage = ", ".join(f"{s.count}x {s.unit_id} in every server" for s in d.storage)
        print_line(c, f"{servers} ({d.total_gpus} GPUs); {storage}; direct-attached, no switch")
    else:
        storage = ", ".join(f"{s.count}x {s.unit_id}" for s in d.storage)
        print_line(c, f"{servers} ({d.total_gpus} GPUs); {storage}; {d.topology} on {d.switch_id}")
    rows = []
    for w in a.workloads:
        dem = "unbounded" if w.unbounded else f"{w.demand_images_per_sec:,.0f}"
        ach = "-" if w.unbounded else f"{w.images_per_sec:,.0f}"
        rows.append(
            [
                w.label,
                str(w.gpus),
                dem,
                ach,
                f"{w.read_bytes_per_sec / 1e9:,.2f}",
                pct(w.gpu_data_utilization),
                w.bound_by["group"],
            ]
        )
    # the workloads' samples when alike (volumes/s for UNet3D), else each its own
    per = f"{a.sample_unit}s/s" if a.sample_unit else "samples/s"
    print_table(
        c,
        "Workloads",
        (
            "workload",
            "GPUs",
            f"demand {per}",
            f"achieved {per}",
            "read GB/s",
            "GPU data util.",
            "bound by",
        ),
        ("text", "num", "num", "num", "num", "num", "text"),
        rows,
    )
    res_rows = []
    for res in a.top_resources(8):
        head = "-" if math.isinf(res.headroom) else f"{res.headroom:.2f}x"
        res_rows.append(
            [res.group, res.kind, capacity(res.capacity, res.unit), pct(res.utilization), head]
        )
    print_table(
        c,
        "Most utilized resources (one per group)",
        ("resource group", "kind", "capacity each", "utilization", "headroom"),
        ("text", "id", "num", "num", "num"),
        res_rows,
    )
    _print_clients(c, a)
    _print_access(c, a)
    print_line(
        c,
        "Aggregate: "
        + (f"{a.images_per_sec:,.0f} {a.sample_unit or 'sample'}s/s, " if a.sample_unit else "")
        + f"{format_rate(a.read_bytes_per_sec)} read from storage, "
        f"GPU data utilization {pct(a.gpu_data_utilization)}",
    )
    print_line(c, bold("Bottleneck:"), f" {bottleneck_sentence(a)}")


def _print_clients(c: Console, a: Any) -> None:
    """Each compute group's client ceiling, part by part (only groups with a part besides
    their NICs in the catalog): the least part is the ceiling."""
    from sizer.hosts import client_summaries

    rows = []
    for cs in client_summaries(a):
        if not cs.modeled:
            continue
        for k, p in enumerate(cs.parts):
            ceiling = "not modeled" if p.ceiling is None else format_rate(p.ceiling)
            if p.binds:
                ceiling += " (least)"
            rows.append(
                [
                    f"{cs.name} x{cs.count}" if k == 0 else "",
                    f"{format_rate(cs.read_per_server)}" if k == 0 else "",
                    p.name,
                    ceiling,
                    "" if p.detail == "not modeled" else p.detail,
                ]
            )
    _table_if_any(
        c,
        "Client hosts (per server: the least part is its read ceiling)",
        [("server group", "text"), ("reads now", "num"), ("part", "text"),
         ("ceiling", "num"), ("how", "text")],
        rows,
    )  # fmt: skip


def _print_access(c: Console, a: Any) -> None:
    """What each storage unit delivers to each workload alone, where the workload's
    requests and files cost it more than their bytes (sizer/access.py)."""
    from sizer.access import access_rows

    rows = [
        [
            r.unit_id,
            r.workload,
            format_bytes(r.sample_bytes),
            f"{r.samples_per_file:,}",
            f"{format_rate(r.effective)} of {format_rate(r.sequential)}",
        ]
        for r in access_rows(a.design)
    ]
    _table_if_any(
        c,
        "Storage by access pattern (per unit, serving the workload alone)",
        [("storage", "id"), ("workload", "text"), ("sample", "num"), ("per file", "num"),
         ("delivers (of sequential)", "num")],
        rows,
    )  # fmt: skip


def _table_if_any(
    c: Console, title: str, columns: list[tuple[str, str]], rows: list[list[str]]
) -> None:
    """A table of (header, kind) columns, printed only when it has rows."""
    if rows:
        print_table(c, title, tuple(h for h, _ in columns), tuple(k for _, k in columns), rows)
