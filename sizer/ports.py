"""Port budgets and link kinds: does a design's cabling fit its switches?

The loader reports these as located problems before any fabric is built
(:func:`sizer.checks.design_issues`); :func:`sizer.topology.build_fabric` refuses the
same over-full switch as a plain error.  The cabling is the fabric's own plan
(:func:`sizer.topology.plan_cabling`), so the budget counts exactly the cables the
fabric would lay.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sizer.topology import plan_cabling, ports_used

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.design import Design
    from sizer.schema import Scenario

__all__ = ["design_port_problems", "link_mismatch", "port_problems"]


def port_problems(
    sc: Scenario, cat: Catalog
) -> list[tuple[tuple[str | int, ...], str, str | None]]:
    """Port-budget and link-compatibility problems of a scenario, as (loc, msg, hint)."""
    from sizer.resolve import resolve

    return design_port_problems(resolve(sc, cat))


def link_mismatch(ports: str, link_kind: str, link_id: str, d: Design) -> str:
    """Why ``ports`` (``"dgx-1 storage ports"``, ``"ess-3000 ports"``) cannot be cabled
    to the design's switch: ``"... are infiniband (ib-edr) but switch sn2700 is ethernet"``."""
    return f"{ports} are {link_kind} ({link_id}) but switch {d.switch_id} is {d.switch_link_kind}"


def design_port_problems(d: Design) -> list[tuple[tuple[str | int, ...], str, str | None]]:
    """Port-budget and link-compatibility problems of a resolved design, as
    (loc, msg, hint) with ``loc`` a field of its scenario."""
    out: list[tuple[tuple[str | int, ...], str, str | None]] = []
    if d.direct_attached:  # no switch: no ports to budget (sizer.checks
        return out  # refuses a non-drive storage unit there)
    for gi, gsp in enumerate(d.servers):
        if gsp.link_kind != d.switch_link_kind:
            out.append(
                (
                    ("compute", gi, "server"),
                    link_mismatch(f"{gsp.server_id} storage ports", gsp.link_kind, gsp.link_id, d),
                    "pick a switch of the same kind, or override storage_link",
                )
            )
    for si, s in enumerate(d.storage):
        if s.link_kind != d.switch_link_kind:
            out.append(
                (
                    ("storage", si, "unit"),
                    link_mismatch(f"{s.unit_id} ports", s.link_kind, s.link_id, d),
                    f"pick a switch of the same kind, or a storage unit with {d.switch_link_kind} "
                    "ports (`sizer catalog` lists them)",
                )
            )
    if out:
        return out
    eps, switches, isl = plan_cabling(d)
    used = ports_used(eps, switches, isl)
    worst = max(switches, key=lambda sw: used[sw])
    if used[worst] > d.switch_ports:
        need = used[worst]
        parts: dict[str, int] = defaultdict(int)
        for _node, kind, gi, _k, attach in eps:
            label = d.servers[gi].server_id if kind == "server" else d.storage[gi].unit_id
            parts[label] += sum(n for sw, n in attach if sw == worst)
        for a, b, n in isl:
            if worst in (a, b):
                parts["inter-switch links"] += n
        detail = " + ".join(f"{n} {label}" for label, n in parts.items() if n)
        where = "the switch" if d.topology == "single-switch" else worst
        if d.topology == "single-switch":
            hint = "use topology dual-switch or leaf-spine"
        elif d.topology == "dual-switch":
            hint = "use topology leaf-spine, or a switch with more ports"
        else:
            hint = "add leaves, raise oversubscription, or use a larger switch"
        out.append(
            (
                ("network", "switch"),
                f"{where} needs {need} ports ({detail}) but {d.switch_id} has {d.switch_ports}",
                hint,
            )
        )
    return out
