"""The POD's other fabrics as bill-of-materials lines: the InfiniBand compute fabric, the
in-band and out-of-band management networks, UFM and the management servers.

None of them is part of the data-path model (storage bandwidth, routing, failures): they
are listed so that the power, rack-unit and order totals of a POD are complete, each on
its own clearly labeled line.  They are opt-in (scenario ``fabrics:``), so a scenario
without the key gets the same bill of materials as before.

Every count comes from NVIDIA's reference architectures (sources below, confidence as in
the catalog: V read in the vendor's document, T third-party, D derived by arithmetic).
A figure NVIDIA's documents read here do not give is a line with ``count`` None and the
reason ("not in the catalog"), never a guess.

Pure: the resolved design in, lines out.

Examples
--------
>>> su_row(32)
(2, 63, 16, 8, 508, 512)
>>> su_row(128) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sizer.design import Design, SwitchFigures

__all__ = [
    "NOT_DATA_PATH",
    "PRICE_IDS",
    "SU_TABLE",
    "FabricLine",
    "OtherFabrics",
    "other_fabrics",
    "price_id",
    "su_row",
]

#: the label every line of this module carries in the BOM, the report and the exports
NOT_DATA_PATH = "not part of the data-path model"

_H100_RA = "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/network-fabrics.html"
_B200_RA = "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/latest/network-fabrics.html"
_BASEPOD_RA = "https://docs.nvidia.com/dgx-basepod/reference-architecture-infrastructure-foundation-enterprise-ai/latest/reference-architectures.html"

#: NVIDIA DGX SuperPOD RA (DGX H100, RA-11333-001; the DGX B200 RA has the same table),
#: Table 4 "Compute fabric component count": SU count -> (nodes, leaf switches, spine
#: switches, compute and UFM cables, spine-leaf cables).  One DGX slot of the 32 per SU
#: is given up for UFM connectivity (the table's footnote), hence 31, 63, 95, 127 nodes.
SU_TABLE: dict[int, tuple[int, int, int, int, int]] = {
    1: (31, 8, 4, 252, 256),
    2: (63, 16, 8, 508, 512),
    3: (95, 24, 16, 764, 768),
    4: (127, 32, 16, 1020, 1024),
}
_TABLE4 = (
    f"NVIDIA DGX SuperPOD reference architecture (DGX H100, RA-11333-001), Network "
    f"Fabrics, Table 4 'Compute fabric component count' ({_H100_RA}); the same table in "
    f"the DGX B200 RA ({_B200_RA})"
)
#: cables per node in Table 4: its cable column minus the UFM cables is 8 x nodes (the
#: table's GPU count), one per compute port; the UFM cables are 252 - 248 = 4 in every row
UFM_CABLES = 4
_BASEPOD = (
    f"NVIDIA DGX BasePOD reference architecture (RA-11127-001), Reference Architectures, "
    f"Tables 1 and 5: compute fabric QM9700, management and storage fabric SN4600C, OOB "
    f"management fabric SN2201, five dual-socket x86 servers for system management "
    f"({_BASEPOD_RA})"
)


@dataclass(frozen=True, slots=True)
class FabricLine:
    """One line of another fabric: ``count`` of ``item`` (None: not in the catalog)."""

    fabric: str  # "compute fabric" | "in-band management" | "out-of-band management" | ...
    kind: str  # "switch" | "cable" | "server" | "appliance"
    item: str
    id: str  # catalog id or part reference, "" where there is none
    count: int | None
    rack_units: float | None  # all of them; None: no figure
    power_watts: float | None  # all of them; None: no figure
    source: str
    confidence: str  # V / T / D / B / A as in the catalog; "" when not in the catalog
    note: str = ""  # how the count was read, or why a figure is not in the catalog


@dataclass(frozen=True, slots=True)
class OtherFabrics:
    lines: tuple[FabricLine, ...]
    notes: tuple[str, ...]

    @property
    def rack_units(self) -> float:
        return float(sum(x.rack_units for x in self.lines if x.rack_units is not None))

    @property
    def power_watts(self) -> float:
        return float(sum(x.power_watts for x in self.lines if x.power_watts is not None))

    @property
    def unknown(self) -> list[str]:
        """Items whose count, rack units or power is not in the catalog (devices only:
        cables have no rack units or power of their own)."""
        return [
            x.item
            for x in self.lines
            if x.count is None
            or (x.kind != "cable" and (x.rack_units is None or x.power_watts is None))
        ]


#: ids a price list may price the lines of this module by, besides catalog switch ids
PRICE_IDS = (
    "sn2201",
    "management-server",
    "ufm-appliance",
    "NDR cable, node and UFM to leaf",
    "NDR cable, leaf to spine",
)


def price_id(x: FabricLine) -> str:
    """A line's id in a price list: its id, else (cables) its item."""
    return x.id or x.item


def su_row(nodes: int) -> tuple[int, int, int, int, int, int] | None:
    """The smallest row of :data:`SU_TABLE` holding ``nodes`` DGX: (SUs, *row); None
    above the table (more than 127 nodes)."""
    for su, row in sorted(SU_TABLE.items()):
        if nodes <= row[0]:
            return (su, *row)
    return None


def _times(sw: SwitchFigures | None, n: int) -> tuple[float | None, float | None]:
    if sw is None:
        return None, None
    return (
        None if sw.rack_units is None else n * sw.rack_units,
        None if sw.power_watts is None else n * sw.power_watts,
    )


def _uncounted_compute_fabric(why: str) -> FabricLine:
    """The compute-fabric line when NVIDIA's table gives no count for the design."""
    return FabricLine(
        "compute fabric",
        "switch",
        "rail-optimized compute fabric",
        "",
        None,
        None,
        None,
        _TABLE4,
        "",
        f"not in the catalog: {why}",
    )


def _compute(d: Design) -> list[FabricLine]:
    fab = "compute fabric"
    spec = d.fabrics
    assert spec is not None
    odd = sorted(
        {g.server_name for g in d.servers if g.compute_link != "ndr-ib" or g.compute_ports != 8}
    )
    if odd:
        return [
            _uncounted_compute_fabric(
                "NVIDIA's scalable-unit table is for servers with 8 NDR compute ports "
                f"(DGX H100/H200/B200); {', '.join(odd)} "
                + ("is" if len(odd) == 1 else "are")
                + " not"
            )
        ]
    nodes = d.total_servers
    row = su_row(nodes)
    if row is None:
        return [
            _uncounted_compute_fabric(
                f"{nodes} nodes is more than the 127 (4 SU) of NVIDIA's Table 4; larger "
                "SuperPODs add a core layer (ask NVIDIA)"
            )
        ]
    su, cap, leaves, spines, _node_cables, spine_cables = row
    sw = spec.compute_switch
    name = sw.name if sw is not None else "NVIDIA Quantum-2 QM9700 (NDR)"
    sid = sw.id if sw is not None else "qm9700"
    fit = f"{su} SU ({cap} nodes at most) for {nodes} nodes"
    if sw is not None and sw.power_confidence:
        fit += f"; power per switch from the catalog entry {sid} (confidence {sw.power_confidence})"
    if nodes == 32 * (su - 1):
        fit += (
            f"; {nodes} DGX fill {su - 1} SU but one slot per fabric is given up for UFM "
            "(Table 4, footnote 1)"
        )
    ru_l, w_l = _times(sw, leaves)
    ru_s, w_s = _times(sw, spines)
    return [
        FabricLine(fab, "switch", f"{name}, leaf", sid, leaves, ru_l, w_l, _TABLE4, "V", fit),
        FabricLine(fab, "switch", f"{name}, spine", sid, spines, ru_s, w_s, _TABLE4, "V", fit),
        FabricLine(
            fab,
            "cable",
            "NDR cable, node and UFM to leaf",
            "",
            8 * nodes + UFM_CABLES,
            None,
            None,
            _TABLE4,
            "D",
            f"8 compute ports x {nodes} nodes + {UFM_CABLES} UFM cables (Table 4: cables "
            "minus 8 x nodes is 4 in every row); cable and transceiver types are not in "
            "the table",
        ),
        FabricLine(
            fab,
            "cable",
            "NDR cable, leaf to spine",
            "",
            spine_cables,
            None,
            None,
            _TABLE4,
            "V",
            f"the {su}-SU row (the fabric is built for full SUs, as the RA asks); cable and "
            "transceiver types are not in the table",
        ),
    ]


def _management(d: Design) -> list[FabricLine]:
    spec = d.fabrics
    assert spec is not None
    inband = spec.inband_switch
    inband_name = inband.name if inband is not None else "NVIDIA SN4600C"
    return [
        FabricLine(
            "in-band management",
            "switch",
            inband_name,
            inband.id if inband is not None else "sn4600c",
            None,
            None,
            None,
            _BASEPOD,
            "",
            "not in the catalog: the model is NVIDIA's, the number of switches per POD "
            "size was not read in its documents"
            + (
                f" (per switch: {inband.rack_units:g} U, {inband.power_watts:g} W in the catalog)"
                if inband is not None
                and inband.rack_units is not None
                and inband.power_watts is not None
                else ""
            ),
        ),
        FabricLine(
            "out-of-band management",
            "switch",
            "NVIDIA SN2201 (1 GbE)",
            "sn2201",
            None,
            None,
            None,
            _BASEPOD,
            "",
            "not in the catalog: the number of switches per POD size was not read in "
            "NVIDIA's documents, and the SN2201 has no rack-unit or power figure here",
        ),
        FabricLine(
            "management",
            "server",
            "management server (dual-socket x86: Base Command Manager head nodes and services)",
            "management-server",
            5,
            None,
            None,
            _BASEPOD,
            "V",
            "the BasePOD RA's five; rack units and power not in the catalog: any OEM server "
            "that meets NVIDIA's minimum requirements",
        ),
        FabricLine(
            "management",
            "appliance",
            "NVIDIA UFM Enterprise appliance",
            "ufm-appliance",
            None,
            None,
            None,
            _TABLE4,
            "",
            "not in the catalog: NVIDIA's tables read here count the UFM cables (4), not "
            "the appliances; rack units and power not read",
        ),
    ]


def other_fabrics(d: Design) -> OtherFabrics | None:
    """The other fabrics the scenario asks for (``fabrics:``), None when it asks none."""
    spec = d.fabrics
    if spec is None:
        return None
    lines: list[FabricLine] = []
    if spec.compute == "rail-optimized":
        lines += _compute(d)
    if spec.management:
        lines += _management(d)
    notes = (
        f"These lines are {NOT_DATA_PATH}: sizer's bandwidth, routing and failure analysis "
        "covers the storage fabric only.",
        "Their rack units and power are added to the POD totals on their own line; they "
        "are not placed in the rack elevation.",
        "A line without a count says why ('not in the catalog'): add it from the vendor's quote.",
    )
    return OtherFabrics(tuple(lines), notes)
