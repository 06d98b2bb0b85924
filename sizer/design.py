"""Resolve a scenario against the catalog: every figure the model uses, with its source.

``resolve(scenario, catalog) -> Design`` is pure.  The analysis, topology, scaling and
report read figures only from here, so each number carries the catalog entry it came
from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.schema import Scenario

__all__ = [
    "Design",
    "ServerGroup",
    "StorageGroupSpec",
    "Target",
    "WorkloadSpec",
    "resolve",
    "with_storage_unit",
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


def _fig(used: list[Used], entry: str, name: str, fig: Any, unit: str) -> Any:
    if fig is None:
        return None
    used.append(Used(entry, name, fig.value, unit, fig.source, fig.confidence, fig.note))
    return fig.value


def _own_or_catalog(
    used: list[Used], entry: str, server: Any, overrides: Any, name: str, unit: str
) -> Any:
    """A compute group's override of figure ``name``, else the catalog's (recorded)."""
    own = getattr(overrides, name, None) if overrides is not None else None
    return own if own is not None else _fig(used, entry, name, getattr(server, name), unit)


def _client_figures(used: list[Used], entry: str, server: Any) -> dict[str, Any]:
    """A catalog server's client-host figures (sizer.hosts), recorded as used."""

    def num(name: str, unit: str, kind: type = int) -> Any:
        v = _fig(used, entry, name, getattr(server, name), unit)
        return None if v is None else kind(v)

    return {
        "storage_adapters": num("storage_adapters", "adapters"),
        "storage_pcie_gen": num("storage_pcie_gen", "PCIe generation"),
        "storage_pcie_lanes": num("storage_pcie_lanes", "lanes"),
        "cpu": server.cpu,
        "cpu_sockets": num("cpu_sockets", "sockets"),
        "memory_channels": num("memory_channels", "channels per socket"),
        "memory_mts": num("memory_mts", "MT/s", float),
    }


def resolve(sc: Scenario, cat: Catalog) -> Design:
    """Resolve a validated scenario against the catalog (see :func:`sizer.loader.load_scenario`)."""
    from sizer.capacity import capacity_plan

    used: list[Used] = []
    servers = []
    for i, g in enumerate(sc.compute):
        s = cat.servers[g.server]
        e = f"servers/{s.id}"
        ov = g.overrides
        gpu_id = ov.gpu if ov is not None and ov.gpu is not None else s.gpu
        gpu = cat.gpus[gpu_id]
        link_id = (
            ov.storage_link if ov is not None and ov.storage_link is not None else s.storage_link
        )
        link = cat.links[link_id]
        gcount = _own_or_catalog(used, e, s, ov, "gpu_count", "GPUs")
        ports = _own_or_catalog(used, e, s, ov, "storage_ports", "ports")
        ingest = _own_or_catalog(used, e, s, ov, "ingest_limit", "B/s")
        prep = _own_or_catalog(used, e, s, ov, "preprocessing_rate", "images/s")
        rate = _fig(used, f"links/{link.id}", "effective_rate", link.effective_rate, "B/s")
        mem = _fig(used, f"gpus/{gpu.id}", "memory", gpu.memory, "B")
        servers.append(
            ServerGroup(
                index=i,
                name=g.name or g.server,
                server_id=s.id,
                server_name=s.name,
                count=g.count,
                gpu_id=gpu.id,
                gpu_name=gpu.name,
                gpu_family=gpu.family,
                gpu_count=int(gcount),
                gpu_memory_bytes=float(mem),
                storage_ports=int(ports),
                link_id=link.id,
                link_kind=link.kind,
                link_rate=float(rate),
                ingest_limit=None if ingest is None else float(ingest),
                preprocessing_rate=None if prep is None else float(prep),
                host_memory=_fig(used, e, "host_memory", s.host_memory, "B"),
                local_nvme=_fig(used, e, "local_nvme", s.local_nvme, "B"),
                rack_units=float(_fig(used, e, "rack_units", s.rack_units, "U")),
                power_watts=float(_fig(used, e, "power_watts", s.power_watts, "W")),
                compute_ports=None if s.compute_ports is None else int(s.compute_ports.value),
                compute_link=s.compute_link,
                **_client_figures(used, e, s),
                gpudirect_storage=g.gpudirect_storage,
            )
        )
    storage = [
        replace(
            _storage_spec(
                cat, i, st.unit, st.count, st.ports, used, sc.checkpoint is not None, st.link
            ),
            data_replicas=st.data_replicas,
        )
        for i, st in enumerate(sc.storage)
    ]
    sw = cat.switches[sc.network.switch]
    swlink = cat.links[sw.link]
    e = f"switches/{sw.id}"
    sw_ports = int(_fig(used, e, "ports", sw.ports, "ports"))
    sw_rate = float(
        _fig(used, f"links/{swlink.id}", "effective_rate", swlink.effective_rate, "B/s")
    )

    group_by_name = {g.name: i for i, g in enumerate(sc.compute) if g.name is not None}
    workloads = []
    for i, w in enumerate(sc.workloads):
        m = cat.models[w.model]
        unbounded = m.kind == "read-benchmark"
        ds_id = w.dataset if w.dataset is not None else m.dataset
        bps = 0.0
        ds_bytes = None
        sample_unit = "byte" if unbounded else "sample"
        if ds_id is not None:
            ds = cat.datasets[ds_id]
            sample_unit = ds.sample_unit
            bps = float(
                _fig(used, f"datasets/{ds.id}", "bytes_per_sample", ds.bytes_per_sample, "B")
            )
            if ds.total_bytes is not None:
                ds_bytes = float(
                    _fig(used, f"datasets/{ds.id}", "total_bytes", ds.total_bytes, "B")
                )
            elif ds.samples is not None:
                ds_bytes = bps * float(
                    _fig(used, f"datasets/{ds.id}", "samples", ds.samples, "samples")
                )
        groups = (
            tuple(range(len(sc.compute)))
            if w.groups is None
            else tuple(group_by_name[n] for n in w.groups)
        )
        gps: dict[int, int] = {}
        rates: dict[int, float] = {}
        srcs: dict[int, str] = {}
        tdata: dict[int, tuple[str | None, int | None]] = {}
        for gi in groups:
            sg = servers[gi]
            gps[gi] = w.gpus_per_server if w.gpus_per_server is not None else sg.gpu_count
            if unbounded:
                rates[gi] = float("inf")
                srcs[gi] = "read benchmark: reads as fast as the data path allows"
                continue
            t = cat.throughput(w.model, sg.gpu_id, w.precision, w.phase)
            rates[gi] = float(t.samples_per_sec)
            srcs[gi] = t.source
            tdata[gi] = (t.data, t.gpus_measured)
            used.append(
                Used(
                    f"models/{m.id}",
                    f"throughput[{sg.gpu_family},{w.precision},{w.phase}]",
                    t.samples_per_sec,
                    "samples/s per GPU",
                    t.source,
                    t.confidence,
                    t.note,
                )
            )
        bar, bar_source = _workload_bar(w, m, [servers[gi].gpu_family for gi in groups], used)
        label = w.name or f"{m.id} {w.phase} {w.precision}"
        workloads.append(
            WorkloadSpec(
                index=i,
                label=label,
                model_id=m.id,
                model_name=m.name,
                model_kind=m.kind,
                phase=w.phase,
                precision=w.precision,
                dataset_id=ds_id,
                dataset_name=cat.datasets[ds_id].name if ds_id is not None else None,
                bytes_per_sample=bps,
                dataset_bytes=ds_bytes,
                groups=groups,
                gpus_per_server=gps,
                samples_per_sec_per_gpu=rates,
                throughput_source=srcs,
                throughput_data=tdata,
                cache=w.cache,
                unbounded=unbounded,
                named=bool(w.name),
                bar=bar,
                bar_source=bar_source,
                sample_unit=sample_unit,
            )
        )
    fab_used: list[Used] = []
    fabrics = _fabrics(sc, cat, fab_used)
    # de-duplicate the list of figures used, keep first occurrence
    seen: set[tuple[str, str]] = set()
    uniq: list[Used] = []
    for fig in used:
        if (fig.entry, fig.field) not in seen:
            seen.add((fig.entry, fig.field))
            uniq.append(fig)
    return Design(
        name=sc.name,
        servers=tuple(servers),
        storage=tuple(storage),
        workloads=tuple(workloads),
        topology=sc.network.topology,
        switch_id=sw.id,
        switch_name=sw.name,
        switch_ports=sw_ports,
        switch_link_id=swlink.id,
        switch_link_rate=sw_rate,
        switch_link_kind=swlink.kind,
        switch_rack_units=float(_fig(uniq, e, "rack_units", sw.rack_units, "U")),
        switch_power_watts=_fig(uniq, e, "power_watts", sw.power_watts, "W"),
        switch_forwarding=(
            None
            if sw.switching_capacity is None
            else float(_fig(uniq, e, "switching_capacity", sw.switching_capacity, "B/s")) / 2
        ),
        leaves=sc.network.leaves,
        spines=sc.network.spines,
        storage_leaves=sc.network.storage_leaves,
        oversubscription=sc.network.oversubscription,
        isl_links=sc.network.isl_links,
        catalog_digest=cat.digest(),
        used=tuple(uniq) + _new_figures(uniq, fab_used),
        description=(sc.description or "").strip(),
        target=Target(
            images_per_sec=None if sc.target is None else sc.target.images_per_sec,
            gpu_data_utilization=None if sc.target is None else sc.target.gpu_data_utilization,
            survive="one-server" if sc.target is None else sc.target.survive,
        ),
        memory_cases=tuple(sc.memory or ()),
        capacity=capacity_plan(sc, cat, tuple(workloads)),
        racks=sc.racks,
        checkpoint=_checkpoint_job(sc),
        fabrics=fabrics,
    )


def _new_figures(have: list[Used], more: list[Used]) -> tuple[Used, ...]:
    """The figures of ``more`` whose (entry, field) is not in ``have``, once each."""
    seen = {(x.entry, x.field) for x in have}
    out = []
    for x in more:
        if (x.entry, x.field) not in seen:
            seen.add((x.entry, x.field))
            out.append(x)
    return tuple(out)


def _fabrics(sc: Scenario, cat: Catalog, used: list[Used]) -> FabricsSpec | None:
    """The other fabrics asked for, with the catalog figures of their switches (recorded
    in ``used`` for the sources section)."""
    f = sc.fabrics
    if f is None or (f.compute == "none" and not f.management):
        return None

    def switch(sid: str, wanted: bool) -> SwitchFigures | None:
        sw = cat.switches.get(sid)
        if not wanted or sw is None:
            return None
        e = f"switches/{sw.id}"
        ru = _fig(used, e, "rack_units", sw.rack_units, "U")
        watts = _fig(used, e, "power_watts", sw.power_watts, "W")
        return SwitchFigures(
            sw.id,
            sw.name,
            None if ru is None else float(ru),
            None if watts is None else float(watts),
            "" if sw.power_watts is None else sw.power_watts.confidence,
        )

    return FabricsSpec(
        f.compute,
        f.management,
        switch("qm9700", f.compute == "rail-optimized"),
        switch("sn4600c", f.management),
    )


def _checkpoint_job(sc: Scenario) -> CheckpointJob | None:
    """The scenario's ``checkpoint:`` with its model and groups resolved (validated by
    :func:`sizer.checks.check_scenario`)."""
    from sizer.networks import get_model

    p = sc.checkpoint
    if p is None:
        return None
    m = get_model(p.model)
    wanted = set(p.groups or ())
    groups = (
        tuple(range(len(sc.compute)))
        if p.groups is None
        else tuple(i for i, g in enumerate(sc.compute) if g.name in wanted)
    )
    return CheckpointJob(p, m.id, m.title, int(m.params), groups)


def _storage_spec(
    cat: Catalog,
    index: int,
    unit_id: str,
    count: int,
    ports: int | None,
    used: list[Used],
    writes: bool = False,
    link_id: str | None = None,
) -> StorageGroupSpec:
    """Storage group ``index``: ``count`` x catalog unit ``unit_id`` (``ports`` cabled,
    default: the catalog's; cabled with ``link_id``, default: the unit's link); its write
    figure is read (and cited) when the design ``writes`` (checkpoints)."""
    u = cat.storage[unit_id]
    e = f"storage/{u.id}"
    link = cat.links[link_id or u.link]
    return StorageGroupSpec(
        index=index,
        unit_id=u.id,
        unit_name=u.name,
        vendor=u.vendor,
        count=count,
        read_bandwidth=float(_fig(used, e, "read_bandwidth", u.read_bandwidth, "B/s")),
        ports=ports if ports is not None else int(_fig(used, e, "ports", u.ports, "ports")),
        link_id=link.id,
        link_kind=link.kind,
        link_rate=float(
            _fig(used, f"links/{link.id}", "effective_rate", link.effective_rate, "B/s")
        ),
        rack_units=float(_fig(used, e, "rack_units", u.rack_units, "U")),
        power_watts=_fig(used, e, "power_watts", u.power_watts, "W"),
        io_servers=_fig(used, e, "io_servers", u.io_servers, "I/O servers"),
        write_bandwidth=(
            _fig(used, e, "write_bandwidth", u.write_bandwidth, "B/s") if writes else None
        ),
    )


def _workload_bar(
    w: Any, m: Any, families: list[str], used: list[Used]
) -> tuple[float | None, str]:
    """A workload's own pass bar: the scenario's ``min_utilization``, else the model's
    published bar (MLPerf Storage's accelerator-utilization threshold for the emulated
    accelerator of the workload's GPUs), else None (the objective's default applies)."""
    if w.min_utilization is not None:
        return float(w.min_utilization), "scenario: workloads[].min_utilization"
    for acc in m.mlperf_storage or ():
        if acc.accelerator in families and acc.au_threshold is not None:
            fig = acc.au_threshold
            used.append(
                Used(f"models/{m.id}", f"au_threshold[{acc.accelerator}]", fig.value, "fraction",
                     fig.source, fig.confidence, fig.note)
            )  # fmt: skip
            return float(fig.value), fig.source
    return None, ""


def with_storage_unit(d: Design, cat: Catalog, unit_id: str) -> Design:
    """The design with its storage replaced by ``d.storage[0].count`` x catalog unit
    ``unit_id`` (cabled with the catalog's port count): what :func:`resolve` gives for
    the scenario with that one storage group."""
    used: list[Used] = []
    spec = _storage_spec(cat, 0, unit_id, d.storage[0].count, None, used, d.checkpoint is not None)
    keep = [u for u in d.used if not u.entry.startswith("storage/")]
    return replace(d, storage=(spec,), used=tuple(keep + used))


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
