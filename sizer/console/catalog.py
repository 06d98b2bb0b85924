"""Terminal and JSON views of the catalog (``sizer catalog``).  Presentation only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rich.console import Console

from sizer.console import make_console
from sizer.console.layout import Cell, bold, print_line, print_table

__all__ = ["catalog_json", "format_figure", "print_catalog", "print_entry"]

#: figure name -> how its value (SI base units once loaded) is written
_RATES = {
    "data_rate",
    "effective_rate",
    "memory_bandwidth",
    "ingest_limit",
    "switching_capacity",
    "read_bandwidth",
    "write_bandwidth",
}
_BINARY_BYTES = {"memory", "total_bytes_gpu"}
_BYTES = {"host_memory", "local_nvme", "capacity", "bytes_per_sample", "total_bytes", "size"}
_SUFFIX = {
    "power_watts": "W",
    "rack_units": "U",
    "weight_kg": "kg",
    "latency_us": "µs",
    "preprocessing_rate": "images/s per server",
    "spare_drives": "drives",
    "samples_per_sec": "samples/s per GPU",
    "storage_adapters": "adapters",
    "storage_pcie_lanes": "lanes",
    "cpu_sockets": "sockets",
    "memory_channels": "channels per socket",
    "memory_mts": "MT/s",
}


def format_figure(name: str, value: Any, kind: str = "") -> str:
    """A catalog figure with its unit: ``read_bandwidth`` 4e10 -> ``40.0 GB/s``; GPU
    memory in GiB, other sizes decimal; counts as integers."""
    from sizer.units import format_bytes, format_gib, format_rate

    leaf = name.rsplit(".", 1)[-1].split("[", 1)[0]
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if leaf in _RATES:
        return format_rate(value)
    if leaf in _BINARY_BYTES or (kind == "gpus" and leaf == "total_bytes"):
        return format_gib(value)
    if leaf in _BYTES:
        return format_bytes(value)
    if leaf == "fs_overhead":
        return f"{value:.1%}" if value < 1 else f"{value:g}"
    num = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
    suffix = _SUFFIX.get(leaf)
    return f"{num} {suffix}" if suffix else num


def _figures(entry: BaseModel, prefix: str = "") -> list[tuple[str, Any, str, str]]:
    """(field, value, confidence, source) for every sourced figure in an entry."""
    out: list[tuple[str, Any, str, str]] = []
    for name in type(entry).model_fields:
        v = getattr(entry, name)
        if isinstance(v, BaseModel) and hasattr(v, "source") and hasattr(v, "value"):
            out.append((prefix + name, v.value, v.confidence, v.source))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, BaseModel) and hasattr(item, "source"):
                    label = f"{prefix}{name}[{i}]"
                    if hasattr(item, "samples_per_sec"):
                        label = f"{name}[{item.gpu},{item.precision},{item.phase}]"
                        out.append((label, item.samples_per_sec, item.confidence, item.source))
                    else:
                        out.extend(_figures(item, label + "."))
    return out


def _unknown(cat: Any, ident: str) -> None:
    from sizer.catalog import UnknownIdError, suggest

    known = sorted({i for _k, i, _e in cat.entries()})
    raise UnknownIdError("entry", ident, suggest(ident, known), known)


def _summary(kind: str, entry: Any) -> str:
    return str(getattr(entry, "name", entry.id))


def catalog_json(cat: Any, ident: str | None = None) -> Any:
    rows = []
    for kind, eid, entry in cat.entries():
        if ident is not None and eid != ident:
            continue
        rows.append({"kind": kind, "id": eid, "entry": entry.model_dump(mode="json")})
    if ident is not None and not rows:
        _unknown(cat, ident)
    return {"digest": cat.digest(), "entries": rows}


def _memory_models() -> list[tuple[str, str, int, str]]:
    """(id, title, parameters, source) of every memory model (``sizer memory --model``)."""
    from sizer.networks import get_model, model_ids

    out = []
    for mid in model_ids():
        m = get_model(mid)
        out.append((mid, str(m.title), int(m.params), str(getattr(m, "source", "") or "-")))
    return out


def print_catalog(cat: Any, console: Console | None = None) -> None:
    c = console or make_console()
    order = "VTDBA"
    rows: list[list[Cell]] = []
    for kind, eid, entry in cat.entries():
        figs = _figures(entry)
        weakest = max((f[2] for f in figs), key=order.index, default="-")
        first = figs[0][3] if figs else "-"
        rows.append(
            [
                kind,
                eid,
                _summary(kind, entry),
                str(len(figs)),
                weakest,
                first if len(first) < 90 else first[:87] + "...",
            ]
        )
    for mid, title, params, src in _memory_models():
        rows.append(
            [
                "memory-models",
                mid,
                f"{title} ({params:,} parameters)",
                "-",
                "-",
                src if len(src) < 90 else src[:87] + "...",
            ]
        )
    print_table(
        c,
        f"sizer catalog ({cat.digest()[:12]})",
        ("kind", "id", "name", "figures", "weakest", "first source"),
        ("id", "id", "text", "num", "id", "text"),
        rows,
    )
    print_line(
        c,
        "confidence: V vendor/standard, T third party, D derived, B unverified, A assumption; "
        "memory-models: the layer-by-layer models of `sizer memory --model` (not "
        "catalog files)",
    )


def print_entry(cat: Any, ident: str, console: Console | None = None) -> None:
    c = console or make_console()
    found = [(k, e) for k, i, e in cat.entries() if i == ident]
    memory = [m for m in _memory_models() if m[0] == ident]
    if not found and not memory:
        _unknown(cat, ident)
    for kind, entry in found:
        print_line(c, bold(f"{kind}/{ident}"), f": {getattr(entry, 'name', '')}")
        if getattr(entry, "cpu", None):
            print_line(c, f"CPU: {entry.cpu}")
        rows: list[list[Cell]] = []
        for name, value, conf, src in _figures(entry):
            if name.startswith("throughput["):
                continue
            rows.append([name, format_figure(name, value, kind), conf, src])
        if rows:
            print_table(
                c,
                "Figures",
                ("figure", "value", "conf.", "source"),
                ("id", "num", "id", "text"),
                rows,
            )
        tp = list(getattr(entry, "throughput", None) or ())
        if tp:
            print_table(
                c,
                "Throughput per GPU (samples/s of one GPU at this precision and phase)",
                ("GPU", "precision", "phase", "samples/s", "batch", "conf.", "source"),
                ("id", "id", "id", "num", "num", "id", "text"),
                [
                    [
                        x.gpu,
                        x.precision,
                        x.phase,
                        f"{x.samples_per_sec:,.0f}",
                        "-" if x.batch is None else str(x.batch),
                        x.confidence,
                        x.source,
                    ]
                    for x in tp
                ],
            )
    for mid, title, params, src in memory:
        print_line(c, bold(f"memory-models/{mid}"), f": {title}")
        print_line(c, f"{params:,} parameters; source: {src}")
        print_line(c, f"sizer memory --model {mid} --batch 1 ... estimates its GPU memory")
