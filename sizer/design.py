"""A scenario resolved against the catalog: the design and its parts, each figure with its source.

:func:`sizer.resolve.resolve` builds a :class:`Design` (compute groups, storage groups,
workloads, the switch, the target) and records every catalog figure it used as
:class:`Used`.  The analysis, topology, scaling and report read figures only from here,
so each number carries the catalog entry it came from.  :func:`cache_hit_ratio` is the
fraction of a workload's reads a compute group serves from its local cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Design",
    "ServerGroup",
    "StorageGroupSpec",
    "Target",
    "WorkloadSpec",
]

#: Fraction of host RAM assumed usable as page cache for ``cache: auto`` (assumption).
PAGE_CACHE_FRACTION = 0.5


@dataclass(frozen=True)
class Used:
    """A catalog figure the design used: where it came from."""

    entry: str  # e.g. "servers/dgx-1"
    field: str  # e.g. "ingest_limit"
    value: Any
    unit: str
    source: str
    confidence: str
    note: str | None = None


@dataclass(frozen=True)
class ServerGroup:
    index: int
    name: str  # group label: name or catalog id
    server_id: str
    server_name: str
    count: int
    gpu_id: str
    gpu_name: str
    gpu_family: str
    gpu_count: int
    gpu_memory_bytes: float
    storage_ports: int
    link_id: str
    link_kind: str
    link_rate: float  # effective bytes/s per link, one direction
    ingest_limit: float | None  # bytes/s per server
    preprocessing_rate: float | None  # images/s per server
    host_memory: float | None
    local_nvme: float | None
    rack_units: float
    power_watts: float
    compute_ports: int | None = None  # catalog compute-fabric ports per server
    compute_link: str | None = None
    # the client host's parts (sizer.hosts; None: not in the catalog, not modeled)
    storage_adapters: int | None = None  # NIC adapters the storage ports sit on
    storage_pcie_gen: int | None = None  # each adapter's PCIe generation
    storage_pcie_lanes: int | None = None  # and link width
    cpu: str | None = None  # CPU model, in words
    cpu_sockets: int | None = None
    memory_channels: int | None = None  # DDR channels per socket
    memory_mts: float | None = None  # MT/s per channel
    gpudirect_storage: bool = False  # the scenario's: reads go NIC -> GPU memory


@dataclass(frozen=True)
class SwitchFigures:
    """A switch of the POD's other fabrics, as the catalog gives it."""

    id: str
    name: str
    rack_units: float | None
    power_watts: float | None
    power_confidence: str = ""  # the catalog's confidence letter of power_watts


@dataclass(frozen=True)
class FabricsSpec:
    """The scenario's ``fabrics:`` with the catalog switches they use."""

    compute: str  # "none" | "rail-optimized"
    management: bool
    compute_switch: SwitchFigures | None  # qm9700 (None: not in the catalog)
    inband_switch: SwitchFigures | None  # sn4600c


@dataclass(frozen=True)
class StorageGroupSpec:
    index: int
    unit_id: str
    unit_name: str
    vendor: str
    count: int
    read_bandwidth: float  # bytes/s per unit
    ports: int
    link_id: str
    link_kind: str
    link_rate: float
    rack_units: float
    power_watts: float | None
    io_servers: int | None = None  # I/O servers sharing the unit (None: not in the catalog)
    data_replicas: int = 1  # copies the file system keeps across units
    write_bandwidth: float | None = None  # bytes/s per unit (None: not in the catalog)
    #: seconds of the unit's time one read request costs beyond its bytes (0: no IOPS
    #: figure) and one file open costs (0: no metadata figure); see :mod:`sizer.access`
    read_request_seconds: float = 0.0
    file_open_seconds: float = 0.0


@dataclass(frozen=True)
class WorkloadSpec:
    index: int
    label: str
    model_id: str
    model_name: str
    model_kind: str
    phase: str
    precision: str
    dataset_id: str | None
    bytes_per_sample: float  # 0 for synthetic; 0 for read benchmarks (not sample-based)
    dataset_bytes: float | None
    groups: tuple[int, ...]  # compute group indices it runs on
    gpus_per_server: dict[int, int]  # group -> GPUs per server
    samples_per_sec_per_gpu: dict[int, float]  # group -> catalog rate
    throughput_source: dict[int, str]
    cache: float | str | None  # as declared
    unbounded: bool  # read benchmark: demand is whatever the path carries
    named: bool = False  # the scenario gives the workload a name (``label`` is it)
    #: the workload's own pass bar (fraction of demand fed), None: the objective's default
    bar: float | None = None
    bar_source: str = ""  # where ``bar`` comes from (the scenario, or the model's source)
    #: what one sample is ("image", "volume", "record", ...; "byte" for a read benchmark)
    sample_unit: str = "sample"
    #: per group: how the catalog rate was measured ("real", "synthetic", "preprocessed",
    #: "derived", "emulated", or None: not stated) and on how many GPUs (None: not stated)
    throughput_data: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)
    #: the dataset's catalog name (None: no dataset)
    dataset_name: str | None = None
    #: samples stored in one file (the dataset's ``samples_per_file``; 1: a file a sample)
    samples_per_file: int = 1


@dataclass(frozen=True)
class Target:
    """The scenario's sizing goal (``target:``); both None: the default bar."""

    images_per_sec: float | None = None
    gpu_data_utilization: float | None = None
    survive: str = "one-server"  # the single failure N+1 sizing survives (or "none")


@dataclass(frozen=True)
class CheckpointJob:
    """The scenario's ``checkpoint:``: the policy (a :class:`sizer.schema.CheckpointPolicy`)
    and the model and compute groups it names, resolved. The job's ranks are every GPU of
    its groups (:meth:`Design.checkpoint_ranks`)."""

    policy: Any
    model_id: str
    model_name: str
    params: int
    groups: tuple[int, ...]


@dataclass(frozen=True)
class Design:
    name: str
    servers: tuple[ServerGroup, ...]
    storage: tuple[StorageGroupSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    topology: str
    switch_id: str
    switch_name: str
    switch_ports: int
    switch_link_id: str
    switch_link_rate: float
    switch_link_kind: str
    switch_rack_units: float
    switch_power_watts: float | None
    #: bytes/s one switch forwards in one direction: catalog switching capacity (quoted
    #: bidirectional) / 2; None when the catalog has no figure
    switch_forwarding: float | None
    leaves: int | None
    spines: int | None
    storage_leaves: int | None
    oversubscription: float
    isl_links: int
    catalog_digest: str
    used: tuple[Used, ...] = field(default=(), repr=False)
    description: str = ""
    target: Target = field(default_factory=Target)
    #: the scenario's ``memory:`` questions (validated schema objects), for the report
    memory_cases: tuple[Any, ...] = ()
    #: what the storage must hold and each group's unit capacity (sizer.capacity.CapacityPlan)
    capacity: Any = None
    #: the scenario's ``racks:`` (height and kW limit; None: the defaults of sizer.racks)
    racks: Any = None
    #: the LLM training job whose checkpoints are saved (None: no ``checkpoint:``)
    checkpoint: CheckpointJob | None = None
    #: the POD's other fabrics asked for (``fabrics:``; None: none), see sizer.pod_fabrics
    fabrics: FabricsSpec | None = None
    #: the scenario's network.protocol (None: RDMA on InfiniBand, TCP on Ethernet); every
    #: link rate is payload after its framing (sizer.protocols)
    protocol: str | None = None

    @property
    def direct_attached(self) -> bool:
        """True when every server reads its own drives over PCIe: no switch, no cables."""
        return self.topology == "direct-attached"

    @property
    def total_servers(self) -> int:
        return sum(g.count for g in self.servers)

    @property
    def total_storage_units(self) -> int:
        return sum(s.count for s in self.storage)

    @property
    def total_gpus(self) -> int:
        return sum(g.count * g.gpu_count for g in self.servers)

    @property
    def data_replicas(self) -> int:
        """Copies of every file the file system keeps: the fewest any storage group keeps
        (1 without storage)."""
        return min((s.data_replicas for s in self.storage), default=1)

    @property
    def sample_unit(self) -> str | None:
        """What the GPU workloads' samples are when they are all alike ("image"), else
        None (unlike samples, or read benchmarks only: no aggregate samples/s)."""
        units = {w.sample_unit for w in self.workloads if not w.unbounded}
        return units.pop() if len(units) == 1 else None

    @property
    def checkpoint_ranks(self) -> int:
        """Ranks of the checkpointing job: every GPU of its groups (0: no job)."""
        if self.checkpoint is None:
            return 0
        return sum(
            self.servers[i].count * self.servers[i].gpu_count for i in self.checkpoint.groups
        )


def cache_hit_ratio(w: WorkloadSpec, g: ServerGroup) -> tuple[float, str, str]:
    """The fraction of reads served locally, how it was decided, and why.

    Returns ``(hit_ratio, mode, note)`` where mode is ``none``, ``declared`` or ``auto``.

    Notes
    -----
    ``auto`` models steady state after the first epoch with uniformly random sample
    order: the node keeps ``local_nvme + PAGE_CACHE_FRACTION * host_memory`` bytes of
    the dataset, so ``hit = min(1, cache_bytes / dataset_bytes)``.  The first epoch
    always reads everything from storage.
    """
    if w.cache is None:
        return 0.0, "none", "no local cache declared: every sample is read from storage"
    if w.cache != "auto":
        return (
            float(w.cache),
            "declared",
            f"hit ratio {float(w.cache):.2f} declared in the scenario",
        )
    cache_bytes = (g.local_nvme or 0.0) + PAGE_CACHE_FRACTION * (g.host_memory or 0.0)
    if not w.dataset_bytes:
        return 0.0, "auto", "dataset size unknown: assuming no cache hits"
    hit = min(1.0, cache_bytes / w.dataset_bytes)
    return (
        hit,
        "auto",
        (
            f"auto: {cache_bytes / 1e12:.2f} TB node cache (local NVMe + {PAGE_CACHE_FRACTION:.0%} "
            f"of host RAM) vs {w.dataset_bytes / 1e12:.3f} TB dataset -> hit ratio {hit:.2f} "
            "after the first epoch"
        ),
    )
