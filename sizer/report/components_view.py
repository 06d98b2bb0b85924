"""The report's component descriptions, glossary and "what we did not model" box, as
plain data.

Every figure in a component description is the design's (so the catalog's, whose
source and confidence the sources section lists); the words around them are fixed text
per kind of product.  The "not modeled" list is built from the scenario: only what
applies to this design is said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.fmt import join_words, link_name

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog

__all__ = ["GLOSSARY", "components", "glossary", "not_modeled"]

#: Terms the report uses, in the words a customer reads them.
GLOSSARY = [
    (
        "GPU data utilization",
        "The share of the data a GPU asks for that the storage and fabric deliver: "
        "achieved read rate / demanded read rate. 100% means the GPUs never wait for data; "
        "90% is the bar MLPerf Storage sets.",
    ),
    (
        "Bottleneck",
        "The saturated resource (running at 100% of its capacity) that keeps GPUs below "
        "100% data utilization. A design without one is compute-bound: the GPUs, not the "
        "data path, set the pace.",
    ),
    (
        "Headroom",
        "Capacity / load of a resource: how many times today's load it could carry.",
    ),
    (
        "N+1",
        "One more than the minimum: the count that still meets the target with one "
        "element failed (here, one storage I/O server or unit, as the scenario's target "
        "says).",
    ),
    (
        "Oversubscription",
        "In a leaf-spine fabric, a leaf's endpoint-facing bandwidth / its uplink "
        "bandwidth to the spines. 1:1 is non-blocking; 2:1 means uplinks carry half of "
        "what the endpoints could send.",
    ),
    (
        "Per direction / bidirectional",
        "A link or switch carries its rate each way at once. Storage reads flow one way, "
        "so the model uses the per-direction figure; datasheets often quote switching "
        "capacity for both directions together (twice as much). Every link and switch rate "
        "this report states says which; rates quoted inside source texts are read as the "
        "sources section says.",
    ),
    (
        "ZeRO",
        "Zero Redundancy Optimizer: data-parallel training that shards optimizer state "
        "(stage 1), gradients (2) and parameters (3) over the GPUs instead of copying them.",
    ),
]


def glossary() -> list[dict[str, str]]:
    """The glossary as ``{"term", "words"}`` rows."""
    return [{"term": t, "words": w} for t, w in GLOSSARY]


def _power(w: float | None) -> str:
    return "no power figure in the catalog" if w is None else f"{fmt.watts(w)} maximum"


def _ports(
    d: Any, label: str, count: int, cat: Catalog | None, link_id: str, kind: str, rate: float
) -> list[tuple[str, str]]:
    """A product's cabled ports (``4 × 100 GbE, 12.5 GB/s per direction each``) and, on
    its own row, the payload each carries after the storage protocol's framing
    (sizer/protocols.py); ``rate`` is that payload."""
    from sizer.protocols import framing

    f = framing(kind, d.protocol)
    line = rate if f is None else rate / f.efficiency
    out = [(label, f"{count} × {link_name(cat, link_id)}, {fmt.rate(line)} per direction each")]
    if f is not None:
        out.append(
            (
                "Payload per port",
                f"{fmt.rate(rate)} per direction over {f.name} ({f.efficiency:.2%})",
            )
        )
    return out


def _no_write_words(d: Any, cat: Catalog | None, unit_id: str) -> str:
    """Why a unit's write bandwidth is not in the design: the catalog lacks it, or nothing
    writes (the design resolves it only for a checkpoint policy)."""
    if d.checkpoint is not None:
        return "not in the catalog (checkpoint saves are lower bounds)"
    entry = None if cat is None else cat.storage.get(unit_id)
    if entry is not None and entry.write_bandwidth is not None:
        return "not used: the scenario writes nothing (no checkpoint: policy)"
    return "not in the catalog"


def _component(
    name: str,
    role: str,
    specs: list[tuple[str, str]],
    rack_units: float,
    watts: float | None,
) -> dict[str, Any]:
    """One product's description: ``specs``, then its rack units and power, as
    ``label``/``value`` rows."""
    rows = [*specs, ("Rack units", f"{fmt.count(rack_units)} U"), ("Power", _power(watts))]
    return {"name": name, "role": role, "specs": [{"label": k, "value": v} for k, v in rows]}


def components(a: Analysis, cat: Catalog | None) -> list[dict[str, Any]]:
    """One entry per product the design uses: ``name``, ``role`` (a sentence) and
    ``specs`` (``label``, ``value`` pairs, every value from the catalog via the design)."""
    d = a.design
    from sizer.hosts import client_parts, memory_bandwidth, pcie_ceiling

    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for gi, g in enumerate(d.servers):
        if g.server_id in seen:
            continue
        seen.add(g.server_id)
        specs = [("GPUs", f"{g.gpu_count} × {g.gpu_name}, {fmt.gib(g.gpu_memory_bytes)} each")]
        direct = d.direct_attached
        if direct:
            # the drives sit on the server's own PCIe: its storage NICs carry nothing here
            specs.append(("Storage ports", "not used: the drives are inside the server"))
        else:
            specs += _ports(
                d, "Storage ports", g.storage_ports, cat, g.link_id, g.link_kind, g.link_rate
            )
        pcie = None if direct else pcie_ceiling(g)
        if pcie is not None:
            n = g.storage_adapters
            specs.append(
                (
                    "PCIe behind the storage NICs",
                    f"{n} adapter{'s' if n != 1 else ''} on PCIe Gen{g.storage_pcie_gen} "
                    f"x{g.storage_pcie_lanes}: {fmt.rate(pcie)} per direction",
                )
            )
        mem = memory_bandwidth(g)
        if mem is not None:
            specs.append(
                (
                    "CPUs and memory",
                    f"{g.cpu_sockets} × {g.cpu or 'CPU'}, {g.memory_channels} DDR channels "
                    f"× {g.memory_mts:g} MT/s each: {fmt.rate(mem)}"
                    + (" (GPUDirect Storage: not crossed)" if g.gpudirect_storage else ""),
                )
            )
        if g.ingest_limit is not None and not direct:  # a storage-network read limit
            specs.append(("Client read limit", f"{fmt.rate(g.ingest_limit)} per server"))
        if pcie is not None or mem is not None:
            least = next(p for p in client_parts(d, gi) if p.binds)
            specs.append(
                (
                    "Client read ceiling",
                    f"{fmt.rate(least.ceiling or 0.0)} per server, set by its {least.name}",
                )
            )
        if g.host_memory is not None:
            specs.append(("Host memory", fmt.size(g.host_memory)))
        if g.local_nvme is not None:
            specs.append(("Local NVMe", fmt.size(g.local_nvme)))
        out.append(
            _component(
                g.server_name,
                "GPU server: runs the workloads and reads their data from its own drives "
                "over their PCIe links."
                if d.direct_attached
                else "GPU server: runs the workloads and reads their data from the "
                "parallel file system over its storage ports.",
                specs,
                g.rack_units,
                g.power_watts,
            )
        )
    for s in d.storage:
        if s.unit_id in seen:
            continue
        seen.add(s.unit_id)
        specs = [
            ("Read bandwidth", f"{fmt.rate(s.read_bandwidth)} per unit"),
            (
                "Write bandwidth",
                _no_write_words(d, cat, s.unit_id)
                if s.write_bandwidth is None
                else f"{fmt.rate(s.write_bandwidth)} per unit",
            ),
            *_ports(d, "Ports", s.ports, cat, s.link_id, s.link_kind, s.link_rate),
        ]
        specs += _access_specs(d, s)
        if s.io_servers is not None:
            specs.append(("I/O servers", f"{s.io_servers} per unit, sharing its bandwidth"))
        out.append(
            _component(
                s.unit_name,
                f"NVMe drive ({s.vendor}), {s.count} inside every server: a server's data is "
                "striped over its own drives, so each serves an equal share of its reads."
                if d.direct_attached
                else f"Storage building block ({s.vendor}): serves the parallel file "
                "system; every file is striped over all units, so each unit serves an equal "
                "share of every read.",
                specs,
                s.rack_units,
                s.power_watts,
            )
        )
    if d.direct_attached:  # no switch
        return out
    sw = _ports(
        d, "Ports", d.switch_ports, cat, d.switch_link_id, d.switch_link_kind, d.switch_link_rate
    )
    if d.switch_forwarding is not None:
        sw.append(
            (
                "Switching capacity",
                f"{fmt.bits_rate(2 * d.switch_forwarding)} bidirectional = "
                f"{fmt.rate(d.switch_forwarding)} per direction",
            )
        )
    out.append(
        _component(
            d.switch_name,
            "Storage-fabric switch: connects every GPU server to every storage unit.",
            sw,
            d.switch_rack_units,
            d.switch_power_watts,
        )
    )
    return out


def _access_specs(d: Any, s: Any) -> list[tuple[str, str]]:
    """A unit's per-request and per-file costs and what it delivers to each workload
    whose requests and files cost it more than their bytes (sizer/access.py)."""
    from sizer.access import access_rows

    out = []
    if s.read_request_seconds > 0:
        out.append(("Read request cost", f"{s.read_request_seconds * 1e6:.3g} µs beyond its bytes"))
    if s.file_open_seconds > 0:
        out.append(("File open cost", f"{s.file_open_seconds * 1e6:.3g} µs per file"))
    for r in access_rows(d):
        if r.unit_id == s.unit_id:
            out.append(
                (
                    f"Delivers to {r.workload}",
                    f"{fmt.rate(r.effective)} per unit alone ({fmt.size(r.sample_bytes)} "
                    f"samples, {r.samples_per_file:,} per file)",
                )
            )
    return out


def not_modeled(a: Analysis, has_memory: bool) -> list[str]:
    """What this report leaves out, for this design: a list of sentences."""
    d = a.design
    out = []
    reads = [w for w in d.workloads if w.unbounded]
    gpu = [w for w in d.workloads if not w.unbounded]
    if reads:
        out.append(
            f"The read benchmark's I/O size, thread count and access pattern "
            f"({join_words([w.label for w in reads])}): the result is the data path's "
            "ceiling, not a fio/IOR measurement; random and sequential reads, prefetch and "
            "small-file metadata rates are not modeled."
        )
    plain = [
        s.unit_name for s in d.storage if s.read_request_seconds <= 0 and s.file_open_seconds <= 0
    ]
    if gpu and plain:
        out.append(
            f"Small-file and metadata rates (IOPS, file opens) of {join_words(sorted(set(plain)))}: "
            "no catalog figure, so their reads are modeled as bandwidth only, which suits "
            "large sequential reads and records best."
        )
    if any(g.preprocessing_rate is None for g in d.servers) and gpu:
        out.append(
            "Host-side preprocessing (JPEG decode, augmentation) and the data loader's CPU: "
            "no catalog figure for these servers, so only the GPUs' rate sets the demand."
        )
    out += _clients_not_modeled(a)
    if d.topology == "leaf-spine":
        out.append(
            "Uneven ECMP hashing in the leaf-spine fabric: traffic is assumed to spread "
            "perfectly over equal-cost paths."
        )
    out.append(
        "Writes: checkpoints, dataset ingest and their effect on reads are not in the "
        "data-path analysis; neither is a storage rebuild after a failure (the N-1 table "
        "shows the bandwidth lost, not rebuild traffic)."
    )
    out.append(
        "The compute (GPU-to-GPU) fabric and the management network: only the storage "
        "fabric is modeled, and start-up and the first epoch of a cached dataset are "
        "outside the steady state."
    )
    if has_memory:
        out.append(
            "GPU memory allocator fragmentation and framework-specific buffers beyond the "
            "fixed per-GPU overhead: the memory estimates count tensors, not allocations."
        )
    return out


def _clients_not_modeled(a: Analysis) -> list[str]:
    """The parts of the servers' client ceiling the catalog has no figure for (a server
    with a published read limit has its measured ceiling, so nothing is said of it)."""
    from sizer.hosts import memory_bandwidth, pcie_ceiling

    by_missing: dict[tuple[str, ...], list[str]] = {}
    for g in a.design.servers:
        if g.ingest_limit is not None:
            continue
        missing = []
        if pcie_ceiling(g) is None:
            missing.append("PCIe")
        if memory_bandwidth(g) is None:
            missing.append("memory bandwidth")
        missing.append("file-system client")
        names = by_missing.setdefault(tuple(missing), [])
        if g.server_name not in names:
            names.append(g.server_name)
    out = []
    for lacking, names in by_missing.items():
        who = join_words(sorted(names))
        if len(lacking) == 3:
            out.append(
                f"The client-side read ceiling of {who} (PCIe, memory bandwidth, "
                "file-system client): no catalog figure, so only its storage ports bound it."
            )
        else:
            one = len(lacking) == 1
            out.append(
                f"The {join_words(list(lacking))} part{'' if one else 's'} of the client-side "
                f"read ceiling of {who}: no catalog figure, so {'it is' if one else 'they are'} "
                "not modeled; the storage ports and the modeled parts bound it."
            )
    return out
