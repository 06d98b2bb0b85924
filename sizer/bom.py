"""The bill of materials of a design: what is ordered, its rack units and its power.

Pure: a resolved design and its built fabric in, counts and totals out.  Computed once
here, formatted by the report and compared by :func:`sizer.scaling.compare`.  Figures
come from the catalog through the design (``rack_units``, ``power_watts``); a line
whose catalog entry has no power figure has ``power_watts`` None and is left out of the
power total, which then says so (``power_complete`` False).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.racks import RackLayout
    from sizer.topology import Fabric

__all__ = [
    "EXPORT_COLUMNS",
    "PART_NUMBERS",
    "SPARES_FRACTION",
    "Bom",
    "BomLine",
    "FabricParts",
    "PartLine",
    "bill_of_materials",
    "export_rows",
    "fabric_parts",
    "part_descriptions",
    "part_price_id",
    "price_columns",
]


@dataclass(frozen=True, slots=True)
class BomLine:
    """``count`` of catalog entry ``id``: one compute or storage group of the design, or
    the switches (:attr:`Bom.lines`), or one orderable product (:attr:`Bom.items`)."""

    kind: str  # "GPU server" | "storage unit" | "switch"
    id: str
    name: str
    count: int
    rack_units: float  # all of them
    power_watts: float | None  # all of them; None: no catalog figure
    #: the design's compute (or storage) group indices the line counts
    groups: tuple[int, ...] = ()
    #: (count, what they do) per role, GPU servers only (:func:`sizer.text.group_role`)
    roles: tuple[tuple[int, str], ...] = ()
    #: the per-unit configuration (GPUs, ports, link): lines merge only when it is equal
    variant: str = ""

    @property
    def roles_text(self) -> str:
        """``32 for Llama-3.1-405B training, 8 for UNet3D training`` when the line's
        servers do more than one thing; "" otherwise."""
        if len(self.roles) < 2:
            return ""
        return ", ".join(f"{n:,} for {role}" for n, role in self.roles)


@dataclass(frozen=True, slots=True)
class Bom:
    """The design's bill of materials.  :attr:`lines` has one line per compute and
    storage group (and one for the switches); :attr:`items` one per orderable product."""

    lines: tuple[BomLine, ...]
    cables: dict[str, int]  # link type -> cables
    #: rack elevation of the lines (sizer.racks.RackLayout; None: not computed)
    layout: Any = None
    #: cables by type and length class, transceivers, adapters, spares (FabricParts)
    parts: Any = None
    #: the POD's other fabrics, not part of the data-path model (sizer.pod_fabrics
    #: OtherFabrics; None: the scenario lists none)
    other: Any = None

    @property
    def items(self) -> tuple[BomLine, ...]:
        """The orderable lines: :attr:`lines` of one product (same kind, catalog id and
        per-unit configuration) summed into one, in first-seen order, the servers' roles
        kept.  ``lines`` stays one per design group: the rack layout numbers devices by it.

        Examples
        --------
        >>> a = BomLine("GPU server", "dgx-h100", "DGX H100", 32, 256.0, 326400.0, (0,),
        ...             ((32, "LLM training"),))
        >>> b = BomLine("GPU server", "dgx-h100", "DGX H100", 8, 64.0, 81600.0, (1,),
        ...             ((8, "UNet3D training"),))
        >>> [(x.count, x.rack_units, x.power_watts, x.roles_text) for x in Bom((a, b), {}).items]
        [(40, 320.0, 408000.0, '32 for LLM training, 8 for UNet3D training')]
        """
        merged: dict[tuple[str, str, str, str], BomLine] = {}
        for x in self.lines:
            key = (x.kind, x.id, x.name, x.variant)
            y = merged.get(key)
            if y is None:
                merged[key] = x
                continue
            by_role = {r: n for n, r in y.roles}  # role -> count, in first-seen order
            for n, r in x.roles:
                by_role[r] = by_role.get(r, 0) + n
            merged[key] = BomLine(
                x.kind,
                x.id,
                x.name,
                y.count + x.count,
                y.rack_units + x.rack_units,
                None
                if y.power_watts is None or x.power_watts is None
                else y.power_watts + x.power_watts,
                y.groups + x.groups,
                tuple((n, r) for r, n in by_role.items()),
                x.variant,
            )
        return tuple(merged.values())

    @property
    def rack_units(self) -> float:
        return float(sum(x.rack_units for x in self.lines))

    @property
    def power_watts(self) -> float:
        """Sum of the lines with a power figure (see :attr:`power_complete`)."""
        return float(sum(x.power_watts for x in self.lines if x.power_watts is not None))

    @property
    def power_complete(self) -> bool:
        return all(x.power_watts is not None for x in self.lines)

    @property
    def power_unknown(self) -> list[str]:
        """Names of the items without a power figure, sorted, once each."""
        return sorted({x.name for x in self.lines if x.power_watts is None})


def bill_of_materials(d: Design, fabric: Fabric) -> Bom:
    """Servers, storage units and switches of the design as built (``fabric``).

    Examples
    --------
    >>> from sizer.loader import load_design
    >>> from sizer.topology import build_fabric
    >>> d = load_design("scenarios/ra-1x-dgx1-1x-ess3000.yaml")
    >>> [(x.kind, x.count) for x in bill_of_materials(d, build_fabric(d)).lines]
    [('GPU server', 1), ('storage unit', 1), ('switch', 1)]
    """
    from sizer.text import group_role

    lines = [
        BomLine(
            "GPU server",
            g.server_id,
            g.server_name,
            g.count,
            g.count * g.rack_units,
            g.count * g.power_watts,
            (g.index,),
            ((g.count, group_role(d, g.index, short=True)),),
            f"{g.gpu_count} x {g.gpu_id}, {g.storage_ports} x {g.link_id}, "
            f"{g.rack_units} U, {g.power_watts} W",
        )
        for g in d.servers
    ]
    # direct-attached: a storage group is its count of drives in every server
    per = d.total_servers if d.direct_attached else 1
    lines += [
        BomLine(
            "storage unit",
            s.unit_id,
            s.unit_name,
            s.count * per,
            s.count * per * s.rack_units,
            None if s.power_watts is None else s.count * per * s.power_watts,
            (s.index,),
            (),
            (f"{s.count} per server x {per} servers, " if d.direct_attached else "")
            + f"{s.ports} x {s.link_id}, {s.read_bandwidth} B/s, {s.rack_units} U, "
            f"{s.power_watts} W",
        )
        for s in d.storage
    ]
    n_sw = len(fabric.switches)
    if d.direct_attached:  # no switch, no cables: drives sit in the servers
        from sizer.pod_fabrics import other_fabrics
        from sizer.racks import layout_for

        base = Bom(tuple(lines), {})
        layout = layout_for(base, d.racks)
        return Bom(base.lines, {}, layout, FabricParts((), SPARES_FRACTION, ()), other_fabrics(d))
    lines.append(
        BomLine(
            "switch",
            d.switch_id,
            d.switch_name,
            n_sw,
            n_sw * d.switch_rack_units,
            None if d.switch_power_watts is None else n_sw * d.switch_power_watts,
        )
    )
    from sizer.pod_fabrics import other_fabrics
    from sizer.racks import layout_for

    base = Bom(tuple(lines), dict(fabric.cables))
    layout = layout_for(base, d.racks)
    return Bom(base.lines, base.cables, layout, fabric_parts(d, fabric, layout), other_fabrics(d))


# ------------------------------------------------------------------ cables and optics

#: spares ordered per cable and transceiver type: this fraction, rounded up, at least 1
#: (assumption: a common reseller policy; state your own)
SPARES_FRACTION = 0.05

#: NVIDIA LinkX parts for NDR (400 Gb/s) ports on Quantum-2 switches, whose OSFP cages hold
#: 2 logical ports each (QM97XX user manual, Interfaces:
#: https://docs.nvidia.com/networking/display/QM97X0PUB/Interfaces)
_NDR_SRC = (
    "NVIDIA MMA4Z00-NS400 connectivity scenarios: twin-port 2x400G OSFP transceiver "
    "MMA4Z00-NS in the switch, straight fibres MFP7E10 to two single-port OSFP "
    "MMA4Z00-NS400 (9 W max each), or 1:2 splitter fibres MFP7E20 to 200G devices "
    "(https://docs.nvidia.com/networking/display/MMA4Z00NS400T/Connectivity+Scenarios); "
    "MCP7Y00-Nxxx twin-port OSFP to 2x400G OSFP passive DAC splitter "
    "(https://docs.nvidia.com/networking/display/MCP7Y00NXXX800pub)"
)
#: connector form factor per link type (assumption for the pre-NDR types: the usual
#: QSFP28 for 100 Gb/s and QSFP56 for 200 Gb/s ports)
_FORM = {
    "edr-ib": "QSFP28",
    "hdr100-ib": "QSFP56 (HDR100 split)",
    "hdr-ib": "QSFP56",
    "eth-100g": "QSFP28",
    "eth-200g": "QSFP56",
    "eth-400g": "QSFP112",
    "ndr200-ib": "OSFP",
    "ndr-ib": "OSFP",
}
_NDR = {"ndr-ib", "ndr200-ib"}


@dataclass(frozen=True, slots=True)
class PartLine:
    """One orderable cabling line: ``count`` (plus ``spares``) of ``part``."""

    kind: str  # "cable" | "transceiver" | "adapter"
    part: str  # description a reseller can quote
    part_no: str  # vendor part where sourced, else ""
    link: str  # link type id
    length_class: str  # "in rack (DAC, up to 3 m)" | "between racks (optical)" | ""
    count: int
    spares: int
    source: str

    @property
    def total(self) -> int:
        return self.count + self.spares


@dataclass(frozen=True, slots=True)
class FabricParts:
    lines: tuple[PartLine, ...]
    spares_fraction: float
    notes: tuple[str, ...]


def _spares(n: int, fraction: float) -> int:
    return 0 if n <= 0 else max(1, math.ceil(n * fraction - 1e-9))


def _rack_of(layout: RackLayout) -> dict[tuple[int, int], int]:
    """(BOM line index, number within the line) -> rack index."""
    return {(p.line, p.number): r.index for r in layout.racks for p in r.devices}


def fabric_parts(
    d: Design, fabric: Fabric, layout: RackLayout, *, spares_fraction: float = SPARES_FRACTION
) -> FabricParts:
    """Cables by type and length class, transceivers per port and adapters, with spares.

    ``layout`` is the rack layout of :func:`bill_of_materials`' lines (servers, storage,
    switches, in that order).  A cable between two devices in the same rack is a passive
    copper DAC (up to 3 m, assumption); between racks it is optical (transceivers + fibre,
    or an active optical cable).  On NDR switches two ports share a twin-port OSFP cage:
    one splitter DAC or one twin-port transceiver serves two device ports.
    """
    rack = _rack_of(layout)
    sw_line = len(d.servers) + len(d.storage)
    sw_rack = {sw: rack.get((sw_line, i + 1)) for i, sw in enumerate(fabric.switches)}
    ports: dict[tuple[str, bool], int] = {}  # (link, in one rack) -> device ports
    for ep in list(fabric.servers) + list(fabric.storage):
        if ep.kind == "server":
            link, line = d.servers[ep.group].link_id, ep.group
        else:
            link, line = d.storage[ep.group].link_id, len(d.servers) + ep.group
        here = rack.get((line, ep.index + 1))
        for sw, n in ep.attach:
            same = here is not None and here == sw_rack.get(sw)
            ports[(link, same)] = ports.get((link, same), 0) + n
    isl_same: dict[bool, int] = {}
    done: set[frozenset[str]] = set()
    for u, v, data in fabric.bundles():
        pair = frozenset((u, v))
        if u in sw_rack and v in sw_rack and pair not in done:
            done.add(pair)
            same = sw_rack[u] is not None and sw_rack[u] == sw_rack[v]
            isl_same[same] = isl_same.get(same, 0) + int(data["links"])
    lines: list[PartLine] = []

    def add(kind: str, part: str, no: str, link: str, cls: str, n: int, src: str) -> None:
        if n > 0:
            lines.append(PartLine(kind, part, no, link, cls, n, _spares(n, spares_fraction), src))

    in_cls, out_cls = "in rack (DAC, up to 3 m)", "between racks (optical)"
    assume = "assumption: the connector usual for the link rate; check the vendor's cable matrix"
    ndr_switch = d.switch_link_id in _NDR
    for (link, same), n in sorted(ports.items()):
        form = _FORM.get(link, link)
        if ndr_switch and link in ("ndr-ib", "eth-400g"):
            if same:
                add(
                    "cable",
                    "twin-port OSFP to 2 x 400G OSFP passive DAC splitter",
                    "MCP7Y00-Nxxx",
                    link,
                    in_cls,
                    math.ceil(n / 2),
                    _NDR_SRC,
                )
            else:
                add(
                    "transceiver",
                    "twin-port 2x400G OSFP multimode transceiver (switch side)",
                    "MMA4Z00-NS",
                    link,
                    out_cls,
                    math.ceil(n / 2),
                    _NDR_SRC,
                )
                add(
                    "cable",
                    "multimode crossover fibre, 4 channels (one per device port)",
                    "MFP7E10",
                    link,
                    out_cls,
                    n,
                    _NDR_SRC,
                )
                add(
                    "transceiver",
                    "400G single-port OSFP multimode transceiver (device side)",
                    "MMA4Z00-NS400",
                    link,
                    out_cls,
                    n,
                    _NDR_SRC,
                )
        elif ndr_switch and link in ("ndr200-ib", "hdr-ib", "eth-200g"):
            add(
                "transceiver",
                "twin-port 2x400G OSFP multimode transceiver (switch side)",
                "MMA4Z00-NS",
                link,
                "splitter to 200G devices",
                math.ceil(n / 4),
                _NDR_SRC,
            )
            add(
                "cable",
                "1:2 splitter multimode fibre (400G cage port to two 200G ports)",
                "MFP7E20",
                link,
                "splitter to 200G devices",
                math.ceil(n / 2),
                _NDR_SRC,
            )
            add(
                "transceiver",
                f"200G {form} transceiver (device side)",
                "",
                link,
                "splitter to 200G devices",
                n,
                _NDR_SRC,
            )
        elif same:
            add("cable", f"{form} passive copper DAC", "", link, in_cls, n, assume)
        else:
            add("cable", f"{form} active optical cable (AOC)", "", link, out_cls, n, assume)
    for same, n in sorted(isl_same.items()):
        form = _FORM.get(d.switch_link_id, d.switch_link_id)
        what = "passive copper DAC" if same else "active optical cable (AOC)"
        if ndr_switch:  # one twin-port cable serves two logical ports
            form, n = "twin-port OSFP to twin-port OSFP", math.ceil(n / 2)
        add(
            "cable",
            f"{form} {what}, switch to switch",
            "",
            d.switch_link_id,
            in_cls if same else out_cls,
            n,
            assume,
        )
    for g in d.servers:
        srv_generic = g.server_id.startswith("generic")
        if srv_generic:
            add(
                "adapter",
                f"dual-port {_FORM.get(g.link_id, g.link_id)} storage adapter "
                "(not part of a generic server)",
                "",
                g.link_id,
                "",
                g.count * math.ceil(g.storage_ports / 2),
                "assumption: one dual-port adapter per two storage ports",
            )
    notes = (
        "Storage adapters (HCAs/NICs) are part of the catalog servers and storage units, "
        "except for generic servers.",
        f"Spares: {spares_fraction:.0%} of each cable and transceiver line, rounded up, at "
        "least 1 (assumption).",
        "Length classes: devices in the same rack take passive copper DAC (up to 3 m, "
        "assumption); between racks optical transceivers and fibre or AOC.",
    )
    return FabricParts(tuple(_merged(lines, spares_fraction)), spares_fraction, notes)


def _merged(lines: list[PartLine], fraction: float) -> list[PartLine]:
    """Lines of the same part, link and length class summed (spares recomputed)."""
    out: dict[tuple[str, str, str, str, str], PartLine] = {}
    for x in lines:
        key = (x.kind, x.part, x.part_no, x.link, x.length_class)
        n = x.count + (out[key].count if key in out else 0)
        out[key] = PartLine(*key, n, _spares(n, fraction), x.source)
    return list(out.values())


# ------------------------------------------------------------------ price ids

#: vendor part numbers the cabling lines name (a price list prices them by number)
PART_NUMBERS = ("MCP7Y00-Nxxx", "MMA4Z00-NS", "MFP7E10", "MMA4Z00-NS400", "MFP7E20")


def part_price_id(p: PartLine) -> str:
    """A cabling line's id in a price list: its vendor part number, else its description."""
    return p.part_no or p.part


def part_descriptions(link_ids: Any) -> set[str]:
    """Every description :func:`fabric_parts` can give a line without a part number, for
    the link types ``link_ids`` (tests/test_cost.py checks the shipped BOMs against it)."""
    out: set[str] = set()
    forms = {_FORM.get(x, x) for x in link_ids}
    for form in forms:
        out |= {
            f"{form} passive copper DAC",
            f"{form} active optical cable (AOC)",
            f"{form} passive copper DAC, switch to switch",
            f"{form} active optical cable (AOC), switch to switch",
            f"200G {form} transceiver (device side)",
            f"dual-port {form} storage adapter (not part of a generic server)",
        }
    twin = "twin-port OSFP to twin-port OSFP"
    out |= {
        f"{twin} passive copper DAC, switch to switch",
        f"{twin} active optical cable (AOC), switch to switch",
    }
    return out


# ------------------------------------------------------------------ export rows

#: the columns of the BOM export (CSV and XLSX), one row per orderable line
EXPORT_COLUMNS = (
    "Section",
    "Item",
    "Use",
    "Part number",
    "Catalog id / link",
    "Length class",
    "Count",
    "Spares",
    "Order quantity",
    "Rack units",
    "Max power (W)",
    "Source",
)


def _n(x: float) -> int | float:
    """Whole numbers as ints (``27``, not ``27.0``), in the CSV as in the spreadsheet."""
    return int(x) if float(x).is_integer() else x


def price_columns(unit: str) -> tuple[str, str]:
    """The two columns a price list adds to the export, labeled with its currency."""
    return (f"Unit price ({unit})", f"Line total ({unit})")


def export_rows(bom: Bom, cost: Any = None) -> list[tuple[str | int | float, ...]]:
    """Every orderable line of ``bom`` as a row of :data:`EXPORT_COLUMNS`: devices first
    (one row per product, :attr:`Bom.items`; "Use" says what the servers of a product do
    when they do more than one thing), then cables, transceivers and adapters (with their spares), then the other fabrics'
    lines (their section says "not part of the data-path model")."""
    rows: list[tuple[str | int | float, ...]] = []
    for x in bom.items:
        rows.append(
            (
                x.kind,
                x.name,
                x.roles_text,
                "",
                x.id,
                "",
                x.count,
                0,
                x.count,
                _n(x.rack_units),
                "n/a" if x.power_watts is None else _n(x.power_watts),
                "catalog (see the report's sources)",
            )
        )
    parts = bom.parts.lines if bom.parts is not None else ()
    for p in parts:
        rows.append(
            (
                p.kind,
                p.part,
                "",
                p.part_no,
                p.link,
                p.length_class,
                p.count,
                p.spares,
                p.total,
                "",
                "",
                p.source,
            )
        )
    if bom.other is not None:
        from sizer.pod_fabrics import NOT_DATA_PATH

        for o in bom.other.lines:
            rows.append(
                (
                    f"{o.fabric} ({NOT_DATA_PATH})",
                    o.item,
                    "",
                    "",
                    o.id,
                    "",
                    "not in the catalog" if o.count is None else o.count,
                    0,
                    "not in the catalog" if o.count is None else o.count,
                    "" if o.rack_units is None else _n(o.rack_units),
                    "" if o.power_watts is None else _n(o.power_watts),
                    _other_source(o),
                )
            )
    if cost is not None:  # sizer.cost.Cost of this BOM: its lines are in the same order
        rows = [
            (
                *r,
                "no price" if c.unit_price is None else _n(c.unit_price),
                "" if c.total is None else _n(c.total),
            )
            for r, c in zip(rows, cost.lines, strict=True)
        ]
    return rows


def _other_source(o: Any) -> str:
    conf = f" (confidence {o.confidence})" if o.confidence else ""
    note = f"; {o.note}" if o.note else ""
    return f"{o.source}{conf}{note}"
