"""The client host: what a GPU server can take in besides what its storage NICs carry.

A server's read ceiling is the least of its parts (DOMAIN.md, "Clients are not their
NICs"):

(a) **storage NICs** -- the storage ports' link rate (the server's link bundles, already
    rows of the model);
(b) **PCIe behind the storage NICs** -- the lanes of the adapters the storage ports sit
    on, :func:`pcie_rate` per adapter;
(c) **host memory** -- :func:`memory_bandwidth` of the server's CPUs, which every byte
    read crosses :func:`memory_crossings` times;
(d) **the published client read limit** -- ``ingest_limit``, a per-host figure for the
    file-system client and data loader together, where one is published.

A part whose catalog figures are absent is not modeled (the resource omits it) and is
said so.  This module computes the parts' capacities and words; :mod:`sizer.model`
declares them as rows (``client`` for PCIe and host memory, ``server-ingest`` for the
published limit), so the full analysis and the fast path agree.

PCIe (PCI-SIG, PCI Express Base Specification: revision 1.x 2.5 GT/s and 2.0 5 GT/s with
8b/10b encoding; revision 3.0 8 GT/s, 4.0 16 GT/s and 5.0 32 GT/s with 128b/130b), per
lane and per direction::

    bytes/s = GT/s x 1e9 x (payload bits / line bits) / 8

so Gen4 x16 = 16e9 x 128/130 / 8 x 16 = 31.5 GB/s per direction, Gen5 x16 = 63.0 GB/s,
Gen3 x16 = 15.75 GB/s (before TLP headers).  A dual-port 200 Gb/s ConnectX-6 (2 x 25 GB/s
of ports) on one Gen4 x16 adapter therefore delivers at most 31.5 GB/s.  The storage
ports are spread evenly over the adapters; the adapter with the most ports binds first,
so ``ceiling = per-adapter rate x ports / ceil(ports / adapters)``.

Host memory: ``sockets x channels per socket x MT/s x 8 bytes`` (a DDR channel is 64
bits wide), e.g. 2 x AMD EPYC 7742 with 8 channels of DDR4-3200 = 409.6 GB/s.  Crossings
per byte read from storage (the rule, :func:`memory_crossings`):

* GPUDirect Storage (the compute group's ``gpudirect_storage: true``): 0 -- the NIC
  writes into GPU memory over PCIe (NVIDIA GPUDirect Storage design guide: a direct DMA
  path "avoiding a bounce buffer through the CPU"); the memory part drops out;
* a read benchmark, or an MLPerf Storage emulated accelerator (DLIO reads into host
  memory; nothing is copied to a GPU): 1 -- the NIC's write;
* otherwise (the default, no GDS): 2 -- the NIC writes the bounce buffer in host memory
  and the GPU's DMA engine reads it back ("the GPU's DMA engine can only copy to and
  from CPU memory, implying a bounce buffer in CPU memory", same guide).

Cache hits are not counted on the memory part (it counts the bytes from storage): the
part is an upper bound on what the host lets through, like every catalog figure here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sizer.catalog_entries import PCIE_LANE_WIDTHS

if TYPE_CHECKING:
    from sizer.design import Design, ServerGroup, WorkloadSpec
    from sizer.result import Analysis

__all__ = [
    "PCIE_GENERATIONS",
    "PCIE_LANE_WIDTHS",
    "ClientPart",
    "ClientSummary",
    "client_parts",
    "client_summaries",
    "memory_bandwidth",
    "memory_crossings",
    "pcie_ceiling",
    "pcie_rate",
]

#: PCIe generation -> (GT/s per lane, payload bits, line bits, PCI-SIG base specification).
PCIE_GENERATIONS: dict[int, tuple[float, int, int, str]] = {
    1: (2.5, 8, 10, "PCI Express Base Specification 1.1"),
    2: (5.0, 8, 10, "PCI Express Base Specification 2.0"),
    3: (8.0, 128, 130, "PCI Express Base Specification 3.0"),
    4: (16.0, 128, 130, "PCI Express Base Specification 4.0"),
    5: (32.0, 128, 130, "PCI Express Base Specification 5.0"),
}


#: Bytes one DDR channel moves per transfer (a 64-bit data bus; ECC bits not counted).
CHANNEL_BYTES = 8


def pcie_rate(gen: int, lanes: int) -> float:
    """Bytes/s one PCIe link moves per direction, after line encoding.

    >>> round(pcie_rate(4, 16) / 1e9, 2), round(pcie_rate(5, 16) / 1e9, 2)
    (31.51, 63.02)
    >>> round(pcie_rate(3, 16) / 1e9, 3), pcie_rate(2, 8) / 1e9
    (15.754, 4.0)
    """
    if gen not in PCIE_GENERATIONS:
        raise ValueError(f"PCIe generation {gen} is not one of {sorted(PCIE_GENERATIONS)}")
    if lanes not in PCIE_LANE_WIDTHS:
        raise ValueError(f"x{lanes} is not a PCIe link width ({PCIE_LANE_WIDTHS})")
    gts, payload, line, _spec = PCIE_GENERATIONS[gen]
    return gts * 1e9 * payload / line / 8 * lanes


def pcie_ceiling(sg: ServerGroup) -> float | None:
    """What the PCIe lanes behind a server's storage NICs let through, bytes/s per
    direction (None: the catalog has no PCIe figures for it).

    The storage ports are spread evenly over the adapters; the one with the most ports
    fills first: ``rate x ports / ceil(ports / adapters)``.

    >>> from types import SimpleNamespace as NS
    >>> g = NS(storage_pcie_gen=4, storage_pcie_lanes=16, storage_adapters=1, storage_ports=2)
    >>> round(pcie_ceiling(g) / 1e9, 2)
    31.51
    >>> round(pcie_ceiling(NS(**{**vars(g), "storage_adapters": 2, "storage_ports": 3})) / 1e9, 2)
    47.26
    """
    gen, lanes, adapters = sg.storage_pcie_gen, sg.storage_pcie_lanes, sg.storage_adapters
    if gen is None or lanes is None or adapters is None:
        return None
    ports = sg.storage_ports
    return pcie_rate(gen, lanes) * ports / math.ceil(ports / adapters)


def memory_bandwidth(sg: ServerGroup) -> float | None:
    """Peak host memory bandwidth, bytes/s: sockets x channels x MT/s x 8 bytes (None:
    not in the catalog).

    >>> from types import SimpleNamespace as NS
    >>> memory_bandwidth(NS(cpu_sockets=2, memory_channels=8, memory_mts=3200.0)) / 1e9
    409.6
    """
    if sg.cpu_sockets is None or sg.memory_channels is None or sg.memory_mts is None:
        return None
    return sg.cpu_sockets * sg.memory_channels * sg.memory_mts * 1e6 * CHANNEL_BYTES


def memory_crossings(w: WorkloadSpec, gi: int, sg: ServerGroup) -> int:
    """How many times each byte workload ``w`` reads from storage on group ``gi`` crosses
    host memory: 0 with GPUDirect Storage, 1 when nothing copies it to a GPU (a read
    benchmark, an MLPerf Storage emulated accelerator), else 2 (the bounce buffer is
    written by the NIC and read by the GPU)."""
    if sg.gpudirect_storage:
        return 0
    if w.unbounded or w.throughput_data.get(gi, (None, None))[0] == "emulated":
        return 1
    return 2


# ------------------------------------------------------------------ the parts, in words


@dataclass(frozen=True)
class ClientPart:
    """One part of a server's client ceiling, as the terminal and the report show it.

    ``ceiling`` is bytes/s read from storage the part lets through (None: not modeled);
    ``raw`` the part's own capacity (host memory: before dividing by the crossings);
    ``detail`` the formula in words; ``binds`` marks the least of the modeled parts.
    """

    key: str  # "nic" | "pcie" | "memory" | "limit"
    name: str
    ceiling: float | None
    raw: float | None
    detail: str
    binds: bool = False


def client_parts(d: Design, gi: int) -> list[ClientPart]:
    """The parts of compute group ``gi``'s client ceiling, per server, in order (a) NICs,
    (b) PCIe, (c) host memory, (d) published read limit; the least modeled one marked.

    Host memory's ceiling uses the most crossings any workload on the group makes (with
    several workloads the rows of the model count each its own)."""
    sg = d.servers[gi]
    direct = d.direct_attached
    if direct:  # local drives, each on its own PCIe link: no NIC on the data path
        drives = sum(s.count * min(s.read_bandwidth, s.link_rate) for s in d.storage)
        parts = [
            ClientPart(
                "nic",
                "local drives",
                drives,
                drives,
                " + ".join(
                    f"{s.count} x {s.unit_id} at {_gbps(min(s.read_bandwidth, s.link_rate))} "
                    f"(read, within its {s.link_id} link)"
                    for s in d.storage
                ),
            )
        ]
    else:
        nic = sg.storage_ports * sg.link_rate
        parts = [
            ClientPart(
                "nic",
                "storage NICs",
                nic,
                nic,
                f"{sg.storage_ports} x {_gbps(sg.link_rate)} per direction ({sg.link_id})",
            )
        ]
    pcie = pcie_ceiling(sg)
    if direct:
        parts.append(
            ClientPart(
                "pcie",
                "host PCIe (storage NICs)",
                None,
                None,
                "does not apply: the drives reach the host over their own PCIe links",
            )
        )
    elif pcie is None:
        parts.append(ClientPart("pcie", "host PCIe (storage NICs)", None, None, "not modeled"))
    else:
        assert sg.storage_pcie_gen is not None and sg.storage_pcie_lanes is not None
        gts, payload, line, _spec = PCIE_GENERATIONS[sg.storage_pcie_gen]
        adapters = sg.storage_adapters
        parts.append(
            ClientPart(
                "pcie",
                "host PCIe (storage NICs)",
                pcie,
                pcie,
                f"{adapters} adapter{'s' if adapters != 1 else ''} on PCIe Gen"
                f"{sg.storage_pcie_gen} x{sg.storage_pcie_lanes}: {gts:g} GT/s x "
                f"{payload}/{line} / 8 x {sg.storage_pcie_lanes} lanes = "
                f"{_gbps(pcie_rate(sg.storage_pcie_gen, sg.storage_pcie_lanes))} "
                "per adapter, per direction",
            )
        )
    mem = memory_bandwidth(sg)
    ks = [memory_crossings(w, gi, sg) for w in d.workloads if gi in w.groups]
    k = max(ks, default=2 if not sg.gpudirect_storage else 0)
    if mem is None:
        parts.append(ClientPart("memory", "host memory", None, None, "not modeled"))
    elif k == 0:
        parts.append(
            ClientPart(
                "memory",
                "host memory",
                None,
                mem,
                f"{_gbps(mem)}; not crossed (GPUDirect Storage: NIC -> GPU over PCIe)",
            )
        )
    else:
        cpu = f"{sg.cpu_sockets} x {sg.cpu or 'CPU'}"
        parts.append(
            ClientPart(
                "memory",
                "host memory",
                mem / k,
                mem,
                f"{cpu}, {sg.memory_channels} channels x {sg.memory_mts:g} MT/s x 8 B = "
                f"{_gbps(mem)}, crossed {k}x per byte read "
                + (
                    "(bounce buffer: NIC writes, GPU reads)"
                    if k == 2 and not direct
                    else "(bounce buffer: drive writes, GPU reads)"
                    if k == 2
                    else "(drive writes)"
                    if direct
                    else "(NIC writes)"
                ),
            )
        )
    if direct:
        parts.append(
            ClientPart(
                "limit",
                "client read limit",
                None,
                None,
                "does not apply: the published limits are storage-network reads",
            )
        )
    elif sg.ingest_limit is None:
        parts.append(ClientPart("limit", "client read limit", None, None, "not modeled"))
    else:
        parts.append(
            ClientPart(
                "limit",
                "client read limit",
                sg.ingest_limit,
                sg.ingest_limit,
                "published per host (ingest_limit): the whole host, file-system client included",
            )
        )
    modeled = [p for p in parts if p.ceiling is not None]
    least = min(modeled, key=lambda p: p.ceiling or math.inf)
    return [p if p is not least else _marked(p) for p in parts]


def _marked(p: ClientPart) -> ClientPart:
    return ClientPart(p.key, p.name, p.ceiling, p.raw, p.detail, True)


def _gbps(x: float) -> str:
    from sizer.units import format_rate

    return format_rate(x)


@dataclass(frozen=True)
class ClientSummary:
    """One compute group's client: its parts and what each server reads now."""

    group: int
    name: str  # the group's label
    server_name: str
    count: int
    parts: list[ClientPart]
    read_per_server: float  # bytes/s from storage, averaged over the group's servers

    @property
    def least(self) -> ClientPart:
        """The modeled part with the lowest ceiling (the NICs when nothing else is)."""
        return next(p for p in self.parts if p.binds)

    @property
    def modeled(self) -> bool:
        """True when a part besides the NICs is modeled."""
        return any(p.ceiling is not None for p in self.parts if p.key != "nic")


def client_summaries(a: Analysis) -> list[ClientSummary]:
    """Every compute group's client parts with the bytes/s its servers read (the load of
    its server links: every byte read from storage arrives over them)."""
    d = a.design
    nodes = {node: gi for gi, run in a.fabric.server_runs() for node in run}
    load = [0.0] * len(d.servers)
    for r in a.resources:
        if r.kind == "link":  # "u -> v (n x link)": the bundle into server v
            v = r.id.split(" -> ", 1)[-1].rsplit(" (", 1)[0]
            if v in nodes:
                load[nodes[v]] += r.load
    out = []
    for gi, sg in enumerate(d.servers):
        out.append(
            ClientSummary(
                gi,
                sg.name,
                sg.server_name,
                sg.count,
                client_parts(d, gi),
                load[gi] / sg.count if sg.count else 0.0,
            )
        )
    return out
