"""Resolve a scenario against the catalog: every figure the model uses, with its source.

``resolve(scenario, catalog) -> Design`` is pure: it reads each figure of a compute
group's server, GPU and link, of a storage unit, of the switches and of a workload's
dataset, throughput and pass bar from the catalog (or the scenario's override) and
records it as :class:`~sizer.design.Used`, so each number of the design carries the
catalog entry it came from.  ``with_storage_unit`` is the same resolution for another
storage unit.  The design's dataclasses are in :mod:`sizer.design`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sizer.design import (
    CheckpointJob,
    Design,
    FabricsSpec,
    ServerGroup,
    StorageGroupSpec,
    SwitchFigures,
    Target,
    Used,
    WorkloadSpec,
)

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.schema import Scenario

__all__ = ["resolve", "with_storage_unit"]


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


def _client_figures(
    used: list[Used], nic_used: list[Used], entry: str, server: Any
) -> dict[str, Any]:
    """A catalog server's client-host figures (sizer.hosts), recorded as used (those of
    its storage NICs in ``nic_used``)."""

    def num(name: str, unit: str, kind: type = int, into: list[Used] = used) -> Any:
        v = _fig(into, entry, name, getattr(server, name), unit)
        return None if v is None else kind(v)

    return {
        "storage_adapters": num("storage_adapters", "adapters", into=nic_used),
        "storage_pcie_gen": num("storage_pcie_gen", "PCIe generation", into=nic_used),
        "storage_pcie_lanes": num("storage_pcie_lanes", "lanes", into=nic_used),
        "cpu": server.cpu,
        "cpu_sockets": num("cpu_sockets", "sockets"),
        "memory_channels": num("memory_channels", "channels per socket"),
        "memory_mts": num("memory_mts", "MT/s", float),
    }


def resolve(sc: Scenario, cat: Catalog) -> Design:
    """Resolve a validated scenario against the catalog (see :func:`sizer.loader.load_scenario`)."""
    used: list[Used] = []
    # direct-attached: the servers' storage NICs carry nothing, so their figures are
    # resolved (the design keeps its shape) but not recorded as used
    nic_used: list[Used] = used if sc.network.topology != "direct-attached" else []
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
        ports = _own_or_catalog(nic_used, e, s, ov, "storage_ports", "ports")
        ingest = _own_or_catalog(nic_used, e, s, ov, "ingest_limit", "B/s")
        prep = _own_or_catalog(used, e, s, ov, "preprocessing_rate", "images/s")
        rate = _payload_rate(nic_used, link, sc.network.protocol)
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
                **_client_figures(used, nic_used, e, s),
                gpudirect_storage=g.gpudirect_storage,
            )
        )
    storage = [
        replace(
            _storage_spec(
                cat,
                i,
                st.unit,
                st.count,
                st.ports,
                used,
                sc.checkpoint is not None,
                st.link,
                sc.network.protocol,
            ),
            data_replicas=st.data_replicas,
        )
        for i, st in enumerate(sc.storage)
    ]
    if sc.network.switch is None:  # direct-attached: drives inside each server, no switch
        return _with_switch(sc, cat, servers, storage, used, None, None, "", 0, 0.0)
    sw = cat.switches[sc.network.switch]
    swlink = cat.links[sw.link]
    e = f"switches/{sw.id}"
    sw_ports = int(_fig(used, e, "ports", sw.ports, "ports"))
    sw_rate = _payload_rate(used, swlink, sc.network.protocol)
    return _with_switch(sc, cat, servers, storage, used, sw, swlink, e, sw_ports, sw_rate)


def _with_switch(
    sc: Scenario,
    cat: Catalog,
    servers: list[ServerGroup],
    storage: list[StorageGroupSpec],
    used: list[Used],
    sw: Any,
    swlink: Any,
    e: str,
    sw_ports: int,
    sw_rate: float,
) -> Design:
    """The rest of :func:`resolve`: workloads, figures used and the design (``sw`` None:
    no switch)."""
    from sizer.capacity import capacity_plan

    group_by_name = {g.name: i for i, g in enumerate(sc.compute) if g.name is not None}
    workloads = []
    for i, w in enumerate(sc.workloads):
        m = cat.models[w.model]
        unbounded = m.kind == "read-benchmark"
        ds_id = w.dataset if w.dataset is not None else m.dataset
        bps = 0.0
        ds_bytes = None
        sample_unit = "byte" if unbounded else "sample"
        per_file = 1
        if ds_id is not None:
            ds = cat.datasets[ds_id]
            sample_unit = ds.sample_unit
            if ds.samples_per_file is not None:
                per_file = int(
                    _fig(used, f"datasets/{ds.id}", "samples_per_file", ds.samples_per_file,
                         "samples")
                )  # fmt: skip
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
                samples_per_file=per_file,
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
        switch_id="" if sw is None else sw.id,
        switch_name="" if sw is None else sw.name,
        switch_ports=sw_ports,
        switch_link_id="" if swlink is None else swlink.id,
        switch_link_rate=sw_rate,
        switch_link_kind="pcie" if swlink is None else swlink.kind,
        protocol=sc.network.protocol,
        switch_rack_units=0.0
        if sw is None
        else float(_fig(uniq, e, "rack_units", sw.rack_units, "U")),
        switch_power_watts=None
        if sw is None
        else _fig(uniq, e, "power_watts", sw.power_watts, "W"),
        switch_forwarding=(
            None
            if sw is None or sw.switching_capacity is None
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
            survive=_survive(sc),
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
    protocol: str | None = None,
) -> StorageGroupSpec:
    """Storage group ``index``: ``count`` x catalog unit ``unit_id`` (``ports`` cabled,
    default: the catalog's; cabled with ``link_id``, default: the unit's link); its write
    figure is read (and cited) when the design ``writes`` (checkpoints)."""
    u = cat.storage[unit_id]
    e = f"storage/{u.id}"
    link = cat.links[link_id or u.link]
    request_s, open_s = _access_costs(u, used, e)
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
        link_rate=_payload_rate(used, link, protocol),
        rack_units=float(_fig(used, e, "rack_units", u.rack_units, "U")),
        power_watts=_fig(used, e, "power_watts", u.power_watts, "W"),
        io_servers=_fig(used, e, "io_servers", u.io_servers, "I/O servers"),
        write_bandwidth=(
            _fig(used, e, "write_bandwidth", u.write_bandwidth, "B/s") if writes else None
        ),
        read_request_seconds=request_s,
        file_open_seconds=open_s,
    )


def _payload_rate(used: list[Used], link: Any, protocol: str | None) -> float:
    """Bytes/s of payload a link carries per direction: its effective rate times the
    framing efficiency of the storage protocol on it (:mod:`sizer.protocols`), both
    recorded as used."""
    from sizer.protocols import framing, protocol_of

    rate = float(_fig(used, f"links/{link.id}", "effective_rate", link.effective_rate, "B/s"))
    f = framing(link.kind, protocol)
    if f is None:
        return rate
    used.append(
        Used(
            f"protocols/{link.kind}-{protocol_of(link.kind, protocol)}",
            "framing",
            f.efficiency,
            "payload share",
            f.source,
            "D",
            f.arithmetic,
        )
    )
    return rate * f.efficiency


def _access_costs(u: Any, used: list[Used], e: str) -> tuple[float, float]:
    """A unit's unit-seconds per read request and per file open (:mod:`sizer.access`;
    0: no figure) from its catalog figures, cited where it has them."""
    from sizer.access import request_seconds

    request_s = open_s = 0.0
    if u.read_iops is not None and u.read_iops_size is not None:
        iops = float(_fig(used, e, "read_iops", u.read_iops, "requests/s"))
        size = float(_fig(used, e, "read_iops_size", u.read_iops_size, "B"))
        request_s = request_seconds(iops, size, u.read_bandwidth.value)
    if u.file_opens is not None:
        open_s = 1.0 / float(_fig(used, e, "file_opens", u.file_opens, "files/s"))
    return request_s, open_s


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
    spec = _storage_spec(
        cat, 0, unit_id, d.storage[0].count, None, used, d.checkpoint is not None,
        protocol=d.protocol,
    )  # fmt: skip
    keep = [u for u in d.used if not u.entry.startswith("storage/")]
    return replace(d, storage=(spec,), used=tuple(keep + used))


def _survive(sc: Any) -> str:
    """The failure N+1 sizing survives: the scenario's ``target: survive``, else one I/O
    server (one drive when the drives are direct-attached: a drive has no I/O servers)."""
    if sc.target is not None and "survive" in sc.target.model_fields_set:
        return str(sc.target.survive)
    return "one-unit" if sc.network.topology == "direct-attached" else "one-server"
