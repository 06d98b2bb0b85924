"""N-1 failure cases: one storage unit, switch, inter-switch / server / storage link lost."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.design import Design
from sizer.scaling.evaluate import (
    Progress,
    busy_gpus,
    json_num,
    sweep_metric,
)

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.topology import Fabric


@dataclass(frozen=True)
class FailureCase:
    """The design with one element lost (N-1).

    ``kind`` is ``baseline``, ``storage-server`` (one I/O server of a unit),
    ``storage-unit`` (a whole unit: data offline unless the file system keeps replicas),
    ``switch``, ``inter-switch-link``, ``server-link`` or ``storage-link``; ``element`` names the element lost;
    ``equivalent`` counts the elements whose loss is symmetric to this one (one is
    analyzed for all).  ``relative`` is what the case delivers as a fraction of the
    baseline: GPU demand delivered (GPU-weighted data utilization) when GPU workloads run
    -- never a sum of unlike samples, and a case that cuts servers off counts their GPUs
    as getting nothing -- else read bytes/s.
    """

    kind: str
    element: str
    equivalent: int
    images_per_sec: float
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bottleneck: dict[str, Any] | None
    servers_cut_off: int
    total_loss: bool
    relative: float | None
    note: str
    peak_utilization: float | None = None  # the busiest resource left (1.0 = saturated)
    server_link_bytes_per_sec: float | None = None  # capacity of every switch -> server link
    storage_link_bytes_per_sec: float | None = None  # capacity of every storage -> switch link
    worst: bool = False
    #: the checkpoint policy on what is left (None: the design has no policy): save and
    #: restore seconds (None: nothing left to write to), fits, and why not
    checkpoint: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "element": self.element,
            "equivalent": self.equivalent,
            "images_per_sec": self.images_per_sec,
            "read_bytes_per_sec": self.read_bytes_per_sec,
            "gpu_data_utilization": json_num(self.gpu_data_utilization),
            "bottleneck": self.bottleneck,
            "servers_cut_off": self.servers_cut_off,
            "total_loss": self.total_loss,
            "relative": json_num(self.relative),
            "peak_utilization": json_num(self.peak_utilization),
            "server_link_bytes_per_sec": json_num(self.server_link_bytes_per_sec),
            "storage_link_bytes_per_sec": json_num(self.storage_link_bytes_per_sec),
            "worst": self.worst,
            "note": self.note,
            "checkpoint": self.checkpoint,
        }


def _checkpoint(a: Analysis | None, fabric: Fabric | None, down: str = "") -> dict[str, Any]:
    """The checkpoint policy evaluated on a failure case (its design, fabric and reads);
    ``down``: why the file system is gone when there is no analysis."""
    from sizer.checkpointing import evaluate_checkpoint

    if a is None or fabric is None:
        return {"save_seconds": None, "restore_seconds": None, "fits": False,
                "problems": [f"no checkpoint can be written or read: {down}"]}  # fmt: skip
    r = evaluate_checkpoint(a.design, fabric=fabric, background=a)
    return {
        "save_seconds": json_num(r.save.seconds),
        "restore_seconds": json_num(r.restore.seconds),
        "fits": r.fits,
        "problems": list(r.problems),
    }


def _peak(a: Analysis) -> float | None:
    utils = [r.utilization for r in a.resources if r.load > 0]
    return max(utils) if utils else None


def failure_cases(
    design: Design,
    *,
    fabric: Fabric | None = None,
    baseline: Analysis | None = None,
    progress: Progress | None = None,
) -> list[FailureCase]:
    """The design with one element lost (N-1), one case per kind of element.

    Parameters
    ----------
    design : Design
    fabric : Fabric, optional
        The intact fabric (default: ``build_fabric(design)``).
    baseline : Analysis, optional
        ``analyze_design(design, fabric)`` when the caller has it (not computed again).
    progress : callable, optional
        ``progress(done, total)`` after each case.

    Returns
    -------
    list of FailureCase
        First the ``baseline`` (nothing lost), then: one storage unit of each storage
        group (the design rebuilt with count - 1); one switch of each interchangeable
        kind (node removed from ``fabric.graph`` and ``fabric.switches``); one cable of
        each kind of inter-switch bundle; one cable of one server's link bundle per
        server group and switch kind; one cable of one storage unit's bundle.  The case
        that lowers the metric most has ``worst`` True.

    Notes
    -----
    Each case is a full :func:`sizer.analysis.analyze_design` on the modified fabric.
    Servers that can no longer reach any storage unit are cut off (rate 0); a design
    on a single switch loses everything when that switch fails.  Interchangeable
    elements (same role and cabling) are analyzed once; ``equivalent`` says for how
    many elements the case stands.
    """
    from sizer.analysis import analyze_design
    from sizer.topology import build_fabric

    fab = fabric if fabric is not None else build_fabric(design)
    metric = sweep_metric(design)
    base = baseline if baseline is not None else analyze_design(design, fab)
    base_val = _delivered(base, metric)
    n_servers = len(fab.servers)
    policy = design.checkpoint is not None
    jobs: list[tuple[str, str, int, Callable[[], tuple[Analysis | None, Fabric | None]], str]] = []

    # storage: one I/O server of a unit, one whole unit
    replicated = design.data_replicas >= 2
    direct = design.direct_attached
    if direct:  # one drive of one server lost; no switch and no cable to lose
        jobs += _direct_jobs(design, fab, replicated)
    for si, s in enumerate(design.storage if not direct else ()):
        n_io = s.io_servers or 0
        if n_io >= 2:

            def lose_server(
                si: int = si, n_io: int = n_io
            ) -> tuple[Analysis | None, Fabric | None]:
                node = [ep for ep in fab.storage if ep.group == si][-1].node
                f2 = fab.without_io_server(node, n_io)
                return analyze_design(design, f2), f2

            jobs.append(
                (
                    "storage-server",
                    _storage_name(design, si),
                    s.count * n_io,
                    lose_server,
                    f"one of the {n_io} I/O servers of one {s.unit_id} lost: that unit keeps "
                    f"{n_io - 1}/{n_io} of its bandwidth and cables; every file is striped "
                    "over every unit, so the whole file system paces to it",
                )
            )
        if design.total_storage_units == 1:
            jobs.append(
                (
                    "storage-unit",
                    _storage_name(design, si),
                    1,
                    lambda: (None, None),
                    "the only storage unit: every server loses its data",
                )
            )
            continue
        if not replicated:
            jobs.append(
                (
                    "storage-unit",
                    _storage_name(design, si),
                    s.count,
                    lambda: (None, None),
                    f"a whole {s.unit_id} lost: without data replication (data_replicas: 1) "
                    "its share of every striped file is offline, so every server stops",
                )
            )
            continue

        def lose_unit(si: int = si) -> tuple[Analysis | None, Fabric | None]:
            # The unit fails where it stands: everyone else's cables stay as planned.
            # (Re-planning the smaller design could move servers between leaves and ask a
            # leaf for more ports than it has: found by benchmarks/fuzz_long.py.)
            st = list(design.storage)
            st[si] = dataclasses.replace(st[si], count=st[si].count - 1)
            d2 = dataclasses.replace(design, storage=tuple(st))
            f2 = fab.without_storage_unit(si)
            return analyze_design(d2, f2), f2

        jobs.append(
            (
                "storage-unit",
                _storage_name(design, si),
                s.count,
                lose_unit,
                f"{s.count - 1} of {s.count} {s.unit_id} left; the data is read from the "
                "replicas on the others",
            )
        )
    # switches
    seen: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for sw in fab.switches:
        seen[fab.switch_signature(sw)].append(sw)
    for members in seen.values():
        sw = members[0]

        def lose_switch(sw: str = sw) -> tuple[Analysis | None, Fabric | None]:
            f2 = fab.without_switch(sw)
            return analyze_design(design, f2), f2

        note = (
            "single switch: losing it disconnects every server from storage"
            if len(fab.switches) == 1
            else f"{sw} and its links lost; traffic re-routes over the remaining switches"
        )
        jobs.append(
            (
                "switch",
                sw if len(members) == 1 else f"{sw} (or any of {len(members)})",
                len(members),
                lose_switch,
                note,
            )
        )
    # inter-switch bundles (undirected), one per kind
    g = fab.graph
    sig = {sw: fab.switch_signature(sw) for sw in fab.switches}
    isl: dict[tuple[Any, ...], list[tuple[str, str]]] = defaultdict(list)
    for u, v, data in g.edges(data=True):
        if u in sig and v in sig and u < v:
            isl[(min(sig[u], sig[v]), max(sig[u], sig[v]), data["links"])].append((u, v))
    for bundle in isl.values():
        u, v = bundle[0]

        def lose_isl(u: str = u, v: str = v) -> tuple[Analysis | None, Fabric | None]:
            f2 = fab.without_one_link(u, v, both=True)
            return analyze_design(design, f2), f2

        n = g[u][v]["links"]
        jobs.append(
            (
                "inter-switch-link",
                f"{u} <-> {v} (1 of {n} links)",
                len(bundle) * n,
                lose_isl,
                "one cable between switches lost",
            )
        )
    # one server link per (group, switch kind); one storage link per (group, switch kind)
    for kind, eps in (
        () if direct else (("server-link", fab.servers), ("storage-link", fab.storage))
    ):
        done: set[tuple[Any, ...]] = set()
        for ep in eps:
            for sw, n in ep.attach:
                key = (ep.group, sig.get(sw), n)
                if key in done or sw not in g:
                    continue
                done.add(key)
                u, v = (sw, ep.node) if ep.kind == "server" else (ep.node, sw)
                count = sum(
                    1
                    for e in eps
                    if e.group == ep.group
                    for s2, n2 in e.attach
                    if sig.get(s2) == sig.get(sw) and n2 == n
                )

                def lose_link(u: str = u, v: str = v) -> tuple[Analysis | None, Fabric | None]:
                    f2 = fab.without_one_link(u, v, both=False)
                    return analyze_design(design, f2), f2

                note = (
                    f"{ep.node} keeps {n - 1} of {n} links to {sw}"
                    if n > 1
                    else f"{ep.node} loses its only link to {sw}"
                )
                jobs.append((kind, f"{u} -> {v} (1 of {n} links)", count * n, lose_link, note))

    cap_srv, cap_st = fab.edge_capacity()
    cases: list[FailureCase] = [
        FailureCase(
            kind="baseline",
            element="none",
            equivalent=1,
            images_per_sec=base.images_per_sec,
            read_bytes_per_sec=base.read_bytes_per_sec,
            gpu_data_utilization=base.gpu_data_utilization,
            bottleneck=base.bottleneck,
            servers_cut_off=0,
            total_loss=False,
            relative=1.0 if base_val > 0 else None,
            note="nothing lost",
            peak_utilization=_peak(base),
            server_link_bytes_per_sec=cap_srv,
            storage_link_bytes_per_sec=cap_st,
            checkpoint=_checkpoint(base, fab) if policy else None,
        )
    ]
    down = "no storage left" if design.total_storage_units == 1 else "data offline (no replica)"
    for i, (kind, element, equiv, run, note) in enumerate(jobs):
        a, f2 = run()
        ckpt = _checkpoint(a, f2, down) if policy else None
        if a is None or f2 is None:
            cases.append(
                FailureCase(
                    kind,
                    element,
                    equiv,
                    0.0,
                    0.0,
                    0.0 if base.gpu_data_utilization is not None else None,
                    {"kind": "storage", "group": down},
                    n_servers,
                    True,
                    0.0 if base_val > 0 else None,
                    note,
                    peak_utilization=None,
                    server_link_bytes_per_sec=cap_srv,
                    storage_link_bytes_per_sec=0.0,
                    checkpoint=ckpt,
                )
            )
        else:
            cut = _servers_offline(f2, design) if direct else n_servers - f2.reachable_servers()
            val = _delivered(a, metric)
            # the cut-off servers' GPUs may still be fed, from a local cache that holds the
            # dataset: then nothing limits the throughput (the note and the checkpoint say
            # what they lose)
            cached = bool(cut) and base_val > 0 and val >= base_val * (1 - 1e-9)
            bott = a.bottleneck
            if cut and bott is None and not cached:
                bott = {"kind": "link", "group": "no path to storage (failed fabric)"}
            total = cut == n_servers
            if total:
                note = note if "single switch" in note else f"{note}; every server is cut off"
            elif cut:
                note = f"{note}; {cut} of {n_servers} servers cut off from storage"
                if cached:
                    note += " (their GPUs are fed from the local cache, which holds the dataset)"
            c_srv, c_st = f2.edge_capacity()
            rel = val / base_val if base_val > 0 else None
            stranded = a.reduced.gpus_cut_off
            if direct and cut:
                bott = {"kind": "storage", "group": "data offline (no replica)"}
            elif stranded and not cut:
                # every server still has a path, but not to every unit: without a second
                # copy part of every striped file is out of reach
                bott = {"kind": "storage", "group": "data out of reach (no replica)"}
                note = (
                    f"{note.split(';')[0]}; storage units behind it are out of reach and the file system "
                    "keeps no second copy (data_replicas: 1), so the servers reading from "
                    "storage stop"
                )
            if rel is not None and stranded and metric != "read_bytes_per_sec":
                # the survivors may take up the stranded GPUs' share of a saturated
                # storage, but a case that strands GPUs never reads as intact: at most
                # the share of GPUs that still reach storage
                rel = min(rel, 1.0 - stranded / max(busy_gpus(design), 1))
            cases.append(
                FailureCase(
                    kind,
                    element,
                    equiv,
                    a.images_per_sec,
                    a.read_bytes_per_sec,
                    a.gpu_data_utilization,
                    bott,
                    cut,
                    total,
                    rel,
                    note,
                    peak_utilization=_peak(a),
                    server_link_bytes_per_sec=c_srv,
                    storage_link_bytes_per_sec=c_st,
                    checkpoint=ckpt,
                )
            )
        if progress is not None:
            progress(i + 1, len(jobs))
    worst = worst_failure(cases)
    if worst is not None:
        cases = [dataclasses.replace(c, worst=True) if c is worst else c for c in cases]
    return cases


def _direct_jobs(
    design: Design, fab: Fabric, replicated: bool
) -> list[tuple[str, str, int, Callable[[], tuple[Analysis | None, Fabric | None]], str]]:
    """Direct-attached: one drive of each storage group lost in one server (every drive
    of every server stands for the others).  The server's data is striped over its own
    drives: without a second copy it is offline, and that server's flows get nothing;
    the other servers read their own drives as before."""
    from sizer.analysis import analyze_design

    out: list[tuple[str, str, int, Callable[[], tuple[Analysis | None, Fabric | None]], str]] = []
    for si, s in enumerate(design.storage):
        lost = [ep for ep in fab.storage if ep.group == si][-1]
        host = lost.attach[0][0]

        def lose_drive(si: int = si) -> tuple[Analysis | None, Fabric | None]:
            f2 = fab.without_storage_unit(si)
            return analyze_design(design, f2), f2

        if replicated:
            note = (
                f"one {s.unit_id} of {host} lost: it reads the lost drive's share from the "
                "copies on its other drives"
            )
        else:
            note = (
                f"one {s.unit_id} of {host} lost: without data replication (data_replicas: 1) "
                f"{host}'s data, striped over its own drives, is offline, so its flows get "
                "nothing; the other servers read their own drives as before"
            )
        out.append(("storage-unit", lost.node, s.count * design.total_servers, lose_drive, note))
    return out


def _servers_offline(f2: Fabric, design: Design) -> int:
    """Direct-attached: servers that lost more of their own drives than their copies cover."""
    have = {ep.node for ep in f2.storage}
    return sum(
        1
        for ep in f2.servers
        if sum(1 for dn, _n in ep.attach if dn not in have) > design.data_replicas - 1
    )


def _delivered(a: Analysis, metric: str) -> float:
    """What a failure case is measured by: the GPU demand delivered (GPU-weighted data
    utilization), or read bytes/s for read benchmarks."""
    if metric != "read_bytes_per_sec":
        return a.gpu_data_utilization or 0.0
    return a.read_bytes_per_sec


def _storage_name(design: Design, si: int) -> str:
    s = design.storage[si]
    return f"{s.unit_id}#{s.count}" if len(design.storage) == 1 else f"{s.unit_id}[{si}]#{s.count}"


def worst_failure(cases: Sequence[FailureCase]) -> FailureCase | None:
    """The failure that hurts most: lowest metric relative to the baseline, then most
    servers cut off, then lowest GPU data-utilization, then the least headroom left
    (highest peak resource utilization).  None if there is no failure case; ties go to
    the first listed."""
    real = [c for c in cases if c.kind != "baseline"]
    if not real:
        return None
    return min(
        real,
        key=lambda c: (
            round(c.relative, 9) if c.relative is not None else 1.0,
            -c.servers_cut_off,
            round(c.gpu_data_utilization, 9) if c.gpu_data_utilization is not None else 1.0,
            -(c.peak_utilization or 0.0) if not c.total_loss else -math.inf,
        ),
    )
