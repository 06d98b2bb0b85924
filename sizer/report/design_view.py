"""The report's design section as plain data: the bill of materials (one line per
product, the POD's totals, the other fabrics' lines) and the design in sentences (what
connects to what, over which cables).  Used by :func:`sizer.report.context.build_context`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.fmt import join_words, link_name

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog

__all__ = ["bom_context", "design_text"]


def bom_context(a: Analysis, cat: Catalog | None) -> dict[str, Any]:
    from sizer.bom import bill_of_materials

    d = a.design
    f = a.fabric
    bom = bill_of_materials(d, f)

    def detail(x: Any) -> str:
        if x.kind == "GPU server":
            g = d.servers[x.groups[0]]
            gpus = f"{g.gpu_count} × {g.gpu_name} each ({fmt.count(x.count * g.gpu_count)} GPUs)"
            if d.direct_attached:
                return f"{gpus}; its storage ports are not used (drives inside)"
            return f"{gpus}; {g.storage_ports} × {link_name(cat, g.link_id)} storage ports each"
        if x.kind == "storage unit":
            s = d.storage[x.groups[0]]
            return (
                f"{fmt.rate(s.read_bandwidth)} read each ({fmt.rate(x.count * s.read_bandwidth)} "
                f"in all); {s.ports} × {link_name(cat, s.link_id)} ports each"
            )
        return f"{d.switch_ports} × {link_name(cat, d.switch_link_id)} ports each"

    items = [
        {
            "item": x.name,
            "roles": x.roles_text,
            "id": x.id,
            "kind": x.kind,
            "count": fmt.count(x.count),
            "detail": detail(x),
            "rack_units": fmt.count(x.rack_units),
            "power": "n/a" if x.power_watts is None else fmt.watts(x.power_watts),
        }
        for x in bom.items
    ]
    cables = [
        {"type": lid, "name": link_name(cat, lid), "count": fmt.count(n)}
        for lid, n in sorted(f.cables.items())
    ]
    ports = [
        {
            "switch": sw,
            "role": a.fabric.graph.nodes[sw].get("role", "switch"),
            "used": fmt.count(f.ports_used[sw]),
            "available": fmt.count(f.ports_available[sw]),
            "free": fmt.count(f.ports_available[sw] - f.ports_used[sw]),
            "pct": fmt.pct(f.ports_used[sw] / f.ports_available[sw])
            if f.ports_available[sw]
            else "–",
        }
        for sw in f.switches
    ]
    power_note = ""
    if bom.power_unknown:
        power_note = "not counted (no power figure in the catalog): " + join_words(
            bom.power_unknown
        )
    other = _other_fabrics(bom)
    listed = d.fabrics is not None and d.fabrics.management
    return {
        "other": other,
        "mgmt_note": (
            " The management networks are listed below, outside the data-path model."
            if listed
            else " The 10 GbE management network is not part of this bill of materials."
        ),
        "items": items,
        "cables": cables,
        "cables_total": fmt.count(sum(f.cables.values())),
        "ports": ports,
        "rack_units": fmt.count(bom.rack_units),
        "power": fmt.watts(bom.power_watts),
        "power_note": power_note,
        "gpus": fmt.count(d.total_gpus),
    }


def _other_fabrics(bom: Any) -> dict[str, Any] | None:
    """The other fabrics' table (``fabrics:``) and the POD totals beside the data path."""
    o = bom.other
    if o is None:
        return None
    rows = [
        {
            "fabric": x.fabric,
            "item": x.item,
            "id": x.id or "–",
            "count": "–" if x.count is None else fmt.count(x.count),
            "rack_units": "–" if x.rack_units is None else fmt.count(x.rack_units),
            "power": "–" if x.power_watts is None else fmt.watts(x.power_watts),
            "confidence": x.confidence or "–",
            "note": x.note,
        }
        for x in o.lines
    ]
    return {
        "rows": rows,
        "notes": list(o.notes),
        "sources": sorted({x.source for x in o.lines}),
        "rack_units": fmt.count(o.rack_units),
        "power": fmt.watts(o.power_watts),
        "pod_rack_units": fmt.count(bom.rack_units + o.rack_units),
        "pod_power": fmt.watts(bom.power_watts + o.power_watts),
        "unknown": join_words(sorted(set(o.unknown))) if o.unknown else "",
    }


def design_text(a: Analysis, cat: Catalog | None) -> list[str]:
    """How the POD is cabled, in a few plain sentences."""
    d = a.design
    out: list[str] = []
    per = []
    for g in d.servers:
        per.append(
            f"each {g.server_name} connects {g.storage_ports} {link_name(cat, g.link_id)} ports"
        )
    for s in d.storage:
        per.append(f"each {s.unit_name} {s.ports} {link_name(cat, s.link_id)} ports")
    per = list(dict.fromkeys(per))  # two groups of one server, cabled alike: said once
    if d.direct_attached:
        drives = join_words(
            [
                f"{s.count} {s.unit_name} on its own {link_name(cat, s.link_id)} link"
                for s in d.storage
            ]
        )
        out.append(
            f"No storage network: every server holds {drives}, and reads its own data "
            "striped evenly over its own drives (a local file system or RAID 0 over them); "
            "no switch, no cables, nothing shared between servers."
        )
    elif d.topology == "single-switch":
        out.append(f"All ports land on one {d.switch_name}: {join_words(per)}.")
    elif d.topology == "dual-switch":
        isl = (
            f" {d.isl_links} inter-switch links join the two switches."
            if d.isl_links
            else " The switches are not linked to each other: every "
            "endpoint reaches both, so no read crosses between them."
        )
        out.append(
            f"Every endpoint splits its ports evenly over two {d.switch_name} switches "
            f"(A and B): {join_words(per)}.{isl}"
        )
    else:
        out.append(
            f"A two-level fat tree of {d.switch_name} switches: {d.leaves} leaves and "
            f"{d.spines} spines, every leaf linked to every spine, uplinks sized for "
            f"{d.oversubscription:g}:1 oversubscription; {join_words(per)} to a leaf."
        )
    return out
