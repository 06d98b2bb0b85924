"""The report's sources section and its model assumptions, as plain data.

Every catalog figure the design used, with its source and confidence, and the
assumptions of the model in words; formatted by :mod:`sizer.report.fmt`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.fmt import join_words, link_name, workload_label

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog

__all__ = [
    "CONFIDENCE",
    "RATES_IN_SOURCES",
    "assumptions",
    "confidence_sentence",
    "entry_name",
    "throughput_sources",
    "used_rows",
]


#: What the catalog's confidence letters mean (sizer/catalog.py).
CONFIDENCE = {
    "V": "vendor or standard",
    "T": "third party",
    "D": "derived (arithmetic in the note)",
    "B": "located, not verified",
    "A": "assumption",
}


def _used_value(u: Any) -> str:
    """A catalog figure with its unit, in the units the rest of the report uses."""
    v = u.value
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    if u.unit == "B/s":
        if u.field == "switching_capacity":  # datasheets count both directions
            return (
                f"{fmt.bits_rate(v)} bidirectional ({fmt.rate(v)}) = "
                f"{fmt.rate(v / 2)} per direction"
            )
        if u.entry.startswith(("links/", "switches/")):
            return f"{fmt.rate(v)} ({fmt.bits_rate(v)}) per direction"
        # a storage or client figure is a read (or write) rate, one way: no bit rate beside
        # it, which would read like a link's
        return fmt.rate(v)
    if u.unit == "B":
        if u.entry.startswith("gpus/"):
            return fmt.gib(v)
        return fmt.size(v)
    if u.unit == "samples/s per GPU":
        return f"{v:,.1f} samples/s per GPU"
    if u.unit == "W":
        return fmt.watts(v)
    if u.unit == "payload share":
        return f"{v:.2%} of the link's rate is payload"
    return f"{fmt.count(v)} {_unit_for(v, u.unit)}"


def _unit_for(v: float, unit: str) -> str:
    """A count unit as the catalog gives it (plural), singular for one: ``1 port``,
    ``1 I/O server``, ``1 channel per socket``; rates (``files/s``) as they are.

    >>> _unit_for(1, "I/O servers"), _unit_for(1, "channels per socket"), _unit_for(2, "ports")
    ('I/O server', 'channel per socket', 'ports')
    """
    head, sep, tail = unit.partition(" per ")
    words = head.split(" ")
    if v != 1 or not words[-1].isalpha() or not words[-1].endswith("s"):
        return unit
    return " ".join([*words[:-1], words[-1][:-1]]) + sep + tail


#: How to read a rate inside a quoted source text or note (the report's sources section):
#: the catalog's own figures follow these conventions (switching capacities are quoted
#: bidirectional, with the arithmetic in the note; port rates are per direction).
RATES_IN_SOURCES = (
    "Rates inside the quoted source texts and notes are as their documents give them: a "
    "port or link rate (Gb/s, or a port type named by its speed, such as 200GbE, 400G or "
    "NDR) is per direction, each way at once, as its standard defines it; a switch's "
    "switching capacity or throughput (Tb/s) counts both directions together "
    "(bidirectional), as vendors quote it; a storage or client figure (GB/s read or "
    "write) is one way. The Value column gives each figure as this report uses it, with "
    "its direction."
)

#: Catalog fields that size only racks, power and weight, not the data path.
PHYSICAL_FIELDS = frozenset({"rack_units", "power_watts", "weight_kg"})

#: A catalog field in words, for the summary.
FIELD_WORDS = {
    "ports": "port count",
    "storage_ports": "storage port count",
    "power_watts": "maximum power",
    "rack_units": "rack units",
    "host_memory": "host memory",
    "local_nvme": "local NVMe capacity",
    "read_bandwidth": "read bandwidth",
    "ingest_limit": "client ingest limit",
    "storage_adapters": "storage NIC adapter count",
    "storage_pcie_gen": "storage NIC PCIe generation",
    "storage_pcie_lanes": "storage NIC PCIe lanes",
    "cpu_sockets": "CPU sockets",
    "memory_channels": "memory channels per socket",
    "memory_mts": "memory transfer rate",
    "switching_capacity": "switching capacity",
    "weight_kg": "weight",
}


def entry_name(cat: Catalog | None, entry: str) -> str:
    """``storage/ess-3500`` -> the product's catalog name (the id when unknown)."""
    kind, _, eid = entry.partition("/")
    if kind == "protocols":  # a framing of sizer.protocols, not a catalog entry
        from sizer.protocols import FRAMINGS

        link_kind, _, proto = eid.partition("-")
        f = FRAMINGS.get((link_kind, proto))
        return f.name if f is not None else eid
    section = getattr(cat, kind, None) if cat is not None else None
    item = section.get(eid) if isinstance(section, dict) else None
    if item is None:
        return eid
    name = str(getattr(item, "name", eid))
    return fmt.directional(name) if kind == "links" else name


def confidence_sentence(a: Analysis, cat: Catalog | None) -> str:
    """Which catalog figures of confidence B (located, not verified) or A (assumption)
    the result rests on, for the executive summary; "" when none."""

    def words(u: Any) -> str:
        field = FIELD_WORDS.get(u.field, u.field.replace("_", " "))
        return f"{entry_name(cat, u.entry)} {field} ({_used_value(u)}, {u.confidence})"

    weak = [u for u in a.design.used if u.confidence in ("A", "B")]
    if not weak:
        return ""
    path = [words(u) for u in weak if u.field not in PHYSICAL_FIELDS]
    phys = [words(u) for u in weak if u.field in PHYSICAL_FIELDS]
    parts = []
    if path:
        parts.append(
            "Confidence: the data-path result rests on catalog figures that are "
            f"located but not verified (B) or assumed (A): {join_words(path)}."
        )
    else:
        parts.append(
            "Confidence: every catalog figure of the data-path result is a vendor, "
            "third-party or derived figure (V, T or D)."
        )
    if phys:
        parts.append(f"Racks and power use B or A figures too: {join_words(phys)}.")
    parts.append("Verify these before quoting; the sources section lists each.")
    return " ".join(parts)


def _framing_words(d: Any) -> str:
    """The framings of the design's link kinds in words, e.g. "InfiniBand RDMA: 4,096
    payload bytes per 4,122-byte packet, 99.37%"."""
    from sizer.protocols import framing

    kinds = sorted({g.link_kind for g in d.servers} | {s.link_kind for s in d.storage}
                   | {d.switch_link_kind})  # fmt: skip
    words = []
    for kind in kinds:
        f = framing(kind, d.protocol)
        if f is None:
            words.append(f"{kind}: none subtracted")
        else:
            words.append(
                f"{f.name}: {f.payload:,} payload bytes per {f.payload + f.overhead:,} bytes "
                f"on the wire, {f.efficiency:.2%}"
            )
    return "; ".join(words)


def assumptions(a: Analysis, cat: Catalog | None) -> list[str]:
    d = a.design
    direct = d.direct_attached
    links = sorted(
        {(s.link_id, s.link_rate) for s in d.storage}
        | (
            set()
            if direct  # only the drives' own links carry data
            else {(g.link_id, g.link_rate) for g in d.servers}
            | {(d.switch_link_id, d.switch_link_rate)}
        )
    )
    link_words = join_words(
        [f"{link_name(cat, lid)}: {fmt.rate(r)} per direction" for lid, r in links]
    )
    if direct:
        placement = [
            "Striping: every server reads its own data striped evenly over its own drives "
            "(a local file system or RAID 0 over them); nothing is shared between servers.",
            "Routing: each drive has its own PCIe link to its server; there is no switch and "
            "no storage network.",
        ]
    else:
        placement = [
            "Striping: the parallel file system (IBM Storage Scale / Spectrum Scale) stripes "
            "every file over all storage units, so every server reads an equal share from "
            "every unit.",
            "Routing: traffic splits over parallel cables and equal-cost switch paths in "
            "proportion to the number of cables (ECMP at link level).",
        ]
    out = [
        "Demand: each GPU running a workload asks for the catalog's samples per second for its "
        "model, GPU, precision and phase, times the dataset's bytes per sample (both listed "
        "below). Synthetic data asks for nothing from storage.",
        *placement,
        "Fair sharing: a contended resource is shared max-min fairly per GPU (weighted "
        "progressive filling): no workload can get more without taking from one that has no "
        "more per GPU.",
        (
            f"Effective link rates: a drive's PCIe link carries its data rate after line "
            f"encoding (128b/130b) divided by 8, per direction; the PCIe packet (TLP) overhead "
            f"is not subtracted: {link_words}."
            if direct
            else f"Effective link rates: a cable carries its data rate after line encoding "
            f"divided by 8, per direction, times the share of it the storage protocol's "
            f"packets leave for payload ({_framing_words(d)}): {link_words} of payload."
        ),
        "Steady state: the model is a fluid, steady-state one. It does not model start-up, "
        "metadata operations or the first epoch of a cached dataset"
        + (
            "; checkpoint saves and restores are bursts on the same model (Checkpoints)."
            if d.checkpoint is not None
            else ", nor checkpoint writes (the scenario has no checkpoint: policy)."
        ),
        "Units: sizes and rates are decimal (1 GB/s = 10^9 bytes/s; link rates in bits, "
        "100 Gb/s = 12.5 GB/s per direction); GPU memory is binary (1 GiB = 2^30 bytes).",
    ]
    caches = [
        f"{workload_label(a, w.index)}: {w.cache_note}"
        for w in a.workloads
        if w.cache_mode != "none"
    ]
    if caches:
        out.append("Local caches: " + "; ".join(caches) + ".")
    else:
        out.append(
            "Local caches: none declared, so every sample is read from storage (the worst case)."
        )
    user = user_catalog_entries(a, cat)
    if user:
        out.append(
            "User catalog: these entries come from a catalog given with --catalog, not "
            "sizer's built-in one, and their figures are the user's: "
            + "; ".join(f"{e} ({where})" for e, where in user)
            + "."
        )
    return out


def user_catalog_entries(a: Analysis, cat: Catalog | None) -> list[tuple[str, str]]:
    """The catalog entries the design uses that a user catalog defined (or replaced), as
    ``("storage/my-unit", "file:line")``."""
    if cat is None:
        return []
    from pathlib import Path

    from sizer.paths import builtin_catalog_dir

    builtin = builtin_catalog_dir().resolve()
    entries = sorted({u.entry for u in a.design.used})
    out = []
    for entry in entries:
        kind, _, ident = entry.partition("/")
        where = cat.sources.get((kind, ident))
        if where is None:
            continue
        path = Path(where.rsplit(":", 1)[0])
        try:
            path.resolve().relative_to(builtin)
        except ValueError:
            out.append((entry, where))
    return out


#: A bracketed catalog field (``throughput[h100,fp16,training]``) in words.
_FIELD_BASE = {
    "throughput": "per-GPU rate",
    "au_threshold": "accelerator-utilization bar",
    "batch_size": "batch size",
    "computation_time": "computation time per step",
}


def field_words(field: str) -> str:
    """A catalog field in words: ``host_memory`` -> ``host memory``,
    ``throughput[h100,fp16,training]`` -> ``per-GPU rate (H100, FP16, training)``.

    >>> field_words("throughput[a100,fp16,training]"), field_words("bytes_per_sample")
    ('per-GPU rate (A100, FP16, training)', 'bytes per sample')
    """
    base, _, args = field.partition("[")
    words = _FIELD_BASE.get(base) or FIELD_WORDS.get(base, base.replace("_", " "))
    if not args:
        return words
    parts = [x.upper() if x not in ("training", "inference") else x for x in args[:-1].split(",")]
    return f"{words} ({', '.join(parts)})"


def used_rows(a: Analysis, cat: Catalog | None = None) -> list[dict[str, str]]:
    """Every catalog figure the design used: the product and the figure in words, the
    catalog entry and field they are filed under (``ref``), value, source, confidence."""
    rows = []
    for u in a.design.used:
        rows.append(
            {
                "entry": u.entry,
                "field": u.field,
                "entry_words": entry_name(cat, u.entry),
                "field_words": field_words(u.field),
                "value": _used_value(u),
                "source": u.source,
                "confidence": u.confidence,
                "confidence_words": CONFIDENCE.get(u.confidence, u.confidence),
                "note": u.note or "",
            }
        )
    return rows


def throughput_sources(a: Analysis) -> list[dict[str, str]]:
    """Per workload, where its per-GPU rate comes from."""
    out = []
    seen: dict[str, set[str]] = defaultdict(set)
    for w in a.design.workloads:
        for src in w.throughput_source.values():
            if src not in seen[w.label]:
                seen[w.label].add(src)
                out.append({"label": w.label, "source": src})
    return out
