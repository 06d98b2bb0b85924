"""The max-min model's vocabulary, shared by the full analysis and the lumped fast path.

There is one model (DOMAIN.md, "The model sizer computes") and two ways to build its
problem: :func:`sizer.analysis.analyze_design` with one flow per workload per server and
one resource per element, and :mod:`sizer.scaling.lumped` with one flow per class of
interchangeable servers and one resource per class of interchangeable elements.  Both
declare their resources and flows here and reduce their results in
:mod:`sizer.reduction`, so they cannot drift apart:

* :class:`Resources` -- the rows: what each element of the fabric is as a resource
  (kind, group name, capacity, unit), declared once per element type;
* :func:`flow_specs` -- the columns: what each workload wants on each server group;
* :func:`sizer.reduction.reduce` -- a solved problem reduced to results: per-workload
  sums, the GPU-weighted utilization, what bounds each workload, and the bottleneck
  rule (its own module).

A lumped row stands for ``members`` identical resources and carries the load of one of
them; a lumped column stands for ``n`` identical flows and carries the rate of one of
them.  With ``members = n = 1`` everything reduces to the full problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sizer.design import Design, ServerGroup, StorageGroupSpec

__all__ = [
    "CUT_OFF",
    "FED",
    "KINDS",
    "FlowSpec",
    "Resources",
    "flow_specs",
]

#: A flow at or above this fraction of its demand counts as fed.
FED = 1.0 - 1e-9

#: Resource kinds, in the order the full analysis declares them.
KINDS = (
    "storage",
    "link",
    "switch",
    "server-ingest",
    "client",
    "host-preprocessing",
    "gpu-compute",
)

#: The group named for servers a failed fabric cut off from storage.
CUT_OFF = "no path to storage (failed fabric)"


# ------------------------------------------------------------------ group names
# Resources that behave alike share one group name (all units of a storage group, all
# links of one bundle type); the bottleneck is named by group.


def storage_group(unit_id: str, count: int) -> str:
    return f"{unit_id} x{count}"


def storage_links_group(unit_id: str) -> str:
    return f"{unit_id} -> switch links"


def drive_links_group(unit_id: str) -> str:
    """A direct-attached drive's PCIe links into its servers."""
    return f"{unit_id} -> server PCIe links"


def server_links_group(group_name: str) -> str:
    return f"switch -> {group_name} links"


def fabric_links_group(role_from: str, role_to: str) -> str:
    return f"{role_from} -> {role_to} links" if role_from != role_to else "inter-switch links"


def ingest_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} client ingest"


def pcie_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} host PCIe (storage NICs)"


def host_memory_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} host memory"


def preprocessing_group(group_name: str, count: int) -> str:
    return f"{group_name} x{count} host preprocessing"


def switch_group(switch_id: str) -> str:
    return f"{switch_id} switches"


# ------------------------------------------------------------------ resources


class Resources:
    """The rows of a max-min problem, each declared by the element it models.

    ``add`` is the one generic entry; the named methods are the model's declaration of
    each element type (kind, group, capacity, unit), used by both problem builders.
    ``members`` is how many identical resources a (lumped) row stands for.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.kinds: list[str] = []
        self.groups: list[str] = []
        self.caps: list[float] = []
        self.units: list[str] = []
        self.members: list[int] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add(
        self, rid: str, kind: str, group: str, cap: float, unit: str = "B/s", members: int = 1
    ) -> int:
        self.ids.append(rid)
        self.kinds.append(kind)
        self.groups.append(group)
        self.caps.append(cap)
        self.units.append(unit)
        self.members.append(members)
        return len(self.ids) - 1

    def add_many(
        self, rids: list[str], kind: str, groups: list[str], caps: list[float], unit: str = "B/s"
    ) -> range:
        """:meth:`add` for several rows of one kind (``members`` 1); returns their rows."""
        first = len(self.ids)
        self.ids += rids
        self.kinds += [kind] * len(rids)
        self.groups += groups
        self.caps += caps
        self.units += [unit] * len(rids)
        self.members += [1] * len(rids)
        return range(first, len(self.ids))

    def storage_unit(
        self, rid: str, s: StorageGroupSpec, scale: float = 1.0, members: int = 1
    ) -> int:
        """A storage unit: its read bandwidth (times ``scale``; ``inf`` = unlimited)."""
        return self.add(
            rid,
            "storage",
            storage_group(s.unit_id, s.count),
            s.read_bandwidth * scale,
            "B/s",
            members,
        )

    def ingest(self, rid: str, sg: ServerGroup, members: int = 1) -> int | None:
        """A server's client-side ingest limit (None: the catalog has no figure)."""
        if sg.ingest_limit is None:
            return None
        return self.add(
            rid, "server-ingest", ingest_group(sg.name, sg.count), sg.ingest_limit, "B/s", members
        )

    def ingests(self, rids: list[str], sg: ServerGroup) -> range | None:
        """:meth:`ingest` for several servers of one group."""
        if sg.ingest_limit is None:
            return None
        group = ingest_group(sg.name, sg.count)
        return self.add_many(
            rids, "server-ingest", [group] * len(rids), [sg.ingest_limit] * len(rids)
        )

    def pcie(self, rid: str, sg: ServerGroup, members: int = 1) -> int | None:
        """The PCIe lanes behind a server's storage NICs, per direction (None: no
        catalog figures); every byte read from storage crosses them once, with or
        without GPUDirect Storage (:func:`sizer.hosts.pcie_ceiling`)."""
        from sizer.hosts import pcie_ceiling

        return self._client(rid, pcie_ceiling(sg), pcie_group(sg.name, sg.count), members)

    def pcies(self, rids: list[str], sg: ServerGroup) -> range | None:
        """:meth:`pcie` for several servers of one group."""
        from sizer.hosts import pcie_ceiling

        return self._clients(rids, pcie_ceiling(sg), pcie_group(sg.name, sg.count))

    def host_memory(self, rid: str, sg: ServerGroup, members: int = 1) -> int | None:
        """A server's host memory bandwidth (None: no catalog figures); a byte read from
        storage crosses it :func:`sizer.hosts.memory_crossings` times (the flow's
        ``memory_crossings``)."""
        from sizer.hosts import memory_bandwidth

        group = host_memory_group(sg.name, sg.count)
        return self._client(rid, memory_bandwidth(sg), group, members)

    def host_memories(self, rids: list[str], sg: ServerGroup) -> range | None:
        """:meth:`host_memory` for several servers of one group."""
        from sizer.hosts import memory_bandwidth

        return self._clients(rids, memory_bandwidth(sg), host_memory_group(sg.name, sg.count))

    def _client(self, rid: str, cap: float | None, group: str, members: int) -> int | None:
        """A client-host row (None: the part has no catalog figures)."""
        return None if cap is None else self.add(rid, "client", group, cap, "B/s", members)

    def _clients(self, rids: list[str], cap: float | None, group: str) -> range | None:
        """:meth:`_client` for several servers of one group (``members`` 1)."""
        if cap is None:
            return None
        return self.add_many(rids, "client", [group] * len(rids), [cap] * len(rids))

    def links(self, rids: list[str], groups: list[str], caps: list[float]) -> range:
        """:meth:`link` for several bundles."""
        return self.add_many(rids, "link", groups, caps)

    def link(self, rid: str, group: str, cap: float, members: int = 1) -> int:
        """A bundle of parallel cables, one direction (group: see the ``*_links_group``)."""
        return self.add(rid, "link", group, cap, "B/s", members)

    def switch(self, rid: str, d: Design, members: int = 1) -> int | None:
        """A switch's forwarding capacity, per direction (None: no catalog figure)."""
        if d.switch_forwarding is None:
            return None
        return self.add(
            rid, "switch", switch_group(d.switch_id), d.switch_forwarding, "B/s", members
        )

    def preprocessing(self, rid: str, sg: ServerGroup, members: int = 1) -> int | None:
        """A server's host preprocessing (JPEG decode ...) in images/s (None: no figure)."""
        if sg.preprocessing_rate is None:
            return None
        return self.add(
            rid,
            "host-preprocessing",
            preprocessing_group(sg.name, sg.count),
            sg.preprocessing_rate,
            "images/s",
            members,
        )

    def preprocessings(self, rids: list[str], sg: ServerGroup) -> range | None:
        """:meth:`preprocessing` for several servers of one group."""
        if sg.preprocessing_rate is None:
            return None
        group = preprocessing_group(sg.name, sg.count)
        n = len(rids)
        return self.add_many(
            rids, "host-preprocessing", [group] * n, [sg.preprocessing_rate] * n, "images/s"
        )

    def capacities(self) -> np.ndarray:
        return np.asarray(self.caps, dtype=np.float64)

    def reordered(self, order: list[int]) -> Resources:
        """The same rows in ``order`` (row ``order[i]`` becomes row ``i``)."""
        out = Resources()
        for name in ("ids", "kinds", "groups", "caps", "units", "members"):
            src = getattr(self, name)
            setattr(out, name, [src[i] for i in order])
        return out


# ------------------------------------------------------------------ flows


@dataclass(frozen=True, slots=True)
class FlowSpec:
    """What one server of group ``group`` running workload ``workload`` wants.

    Flows are measured in dataset bytes consumed per second (cache hits included), so
    storage and links carry ``miss`` per byte, the client's PCIe ``miss``, its host
    memory ``memory_crossings x miss`` and host preprocessing ``1 / bytes_per_sample``
    images per byte.
    """

    workload: int
    group: int
    gpus: int  # GPUs per server (0 for a read benchmark)
    share: float  # fairness weight: GPUs (a read benchmark counts 1)
    demand: float  # bytes/s per server (inf: read benchmark)
    images_demand: float  # samples/s per server (0: read benchmark)
    bytes_per_sample: float
    miss: float  # fraction of bytes read from storage (1 - cache hit ratio)
    unbounded: bool
    #: times a byte read from storage crosses host memory (sizer.hosts.memory_crossings)
    memory_crossings: int = 0
    #: per storage group, the unit time one byte costs (sizer.access.read_cost); empty:
    #: 1 on every group (no access-pattern figure applies)
    storage_cost: tuple[float, ...] = ()


def flow_specs(d: Design) -> list[FlowSpec]:
    """One spec per (workload, server group it runs on), in workload then group order."""
    from sizer.access import read_cost
    from sizer.design import cache_hit_ratio
    from sizer.hosts import memory_crossings

    out: list[FlowSpec] = []
    for w in d.workloads:
        cost = tuple(read_cost(st, w) for st in d.storage)
        if all(c == 1.0 for c in cost):
            cost = ()
        for gi in w.groups:
            hit, _mode, _note = cache_hit_ratio(w, d.servers[gi])
            gpus = w.gpus_per_server[gi]
            if w.unbounded:
                dem, img = math.inf, 0.0
            else:
                img = gpus * w.samples_per_sec_per_gpu[gi]
                dem = img * w.bytes_per_sample
            out.append(
                FlowSpec(
                    workload=w.index,
                    group=gi,
                    gpus=0 if w.unbounded else gpus,
                    share=float(max(gpus, 1)),
                    demand=dem,
                    images_demand=img,
                    bytes_per_sample=w.bytes_per_sample,
                    miss=1.0 - hit,
                    unbounded=w.unbounded,
                    memory_crossings=memory_crossings(w, gi, d.servers[gi]),
                    storage_cost=cost,
                )
            )
    return out
