"""Terminal and JSON views of the catalog (``sizer catalog``).  Presentation only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from sizer.console import make_console

__all__ = ["catalog_json", "print_catalog", "print_entry"]


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


def print_catalog(cat: Any, console: Console | None = None) -> None:
    c = console or make_console()
    t = Table(title=f"sizer catalog ({cat.digest()[:12]})", title_justify="left")
    for col in ("kind", "id", "name", "figures", "weakest", "first source"):
        t.add_column(col, overflow="fold")
    order = "VTDBA"
    for kind, eid, entry in cat.entries():
        figs = _figures(entry)
        weakest = max((f[2] for f in figs), key=order.index, default="-")
        first = figs[0][3] if figs else "-"
        t.add_row(
            kind,
            eid,
            _summary(kind, entry),
            str(len(figs)),
            weakest,
            first if len(first) < 90 else first[:87] + "...",
        )
    c.print(t)
    c.print("confidence: V vendor/standard, T third party, D derived, B unverified, A assumption")


def print_entry(cat: Any, ident: str, console: Console | None = None) -> None:
    c = console or make_console()
    found = [(k, e) for k, i, e in cat.entries() if i == ident]
    if not found:
        _unknown(cat, ident)
    for kind, entry in found:
        c.print(f"[bold]{kind}/{ident}[/bold]: {getattr(entry, 'name', '')}")
        t = Table()
        for col in ("figure", "value", "conf.", "source"):
            t.add_column(col, overflow="fold")
        for name, value, conf, src in _figures(entry):
            t.add_row(
                name, f"{value:,}" if isinstance(value, int | float) else str(value), conf, src
            )
        c.print(t)
