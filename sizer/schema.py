"""The scenario file, as pydantic v2 models (``extra="forbid"``: a typo'd key is an error).

The schema checks shapes, types, units and ranges.  Checks that need the catalog
(unknown ids, GPUs per server, over-committed servers, switch port budgets) live in
:func:`check_scenario`, which returns problems as data; :mod:`sizer.loader` turns both
kinds into ``file:line:col: field: message`` lines.
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sizer.units import BytesPerSec

if TYPE_CHECKING:
    from sizer.catalog import Catalog

__all__ = [
    "ComputeGroup",
    "MemoryCase",
    "Network",
    "Scenario",
    "ServerOverrides",
    "StorageGroup",
    "Target",
    "Workload",
    "check_scenario",
    "json_schema",
]

Phase = Literal["training", "inference"]
Precision = Literal["fp32", "fp16", "bf16", "tf32", "fp8"]
Topology = Literal["single-switch", "dual-switch", "leaf-spine"]

#: Upper bounds that keep a typo (10**7 servers) from turning into a hang; see DESIGN.md.
MAX_SERVERS = 100_000
MAX_STORAGE_UNITS = 10_000
MAX_WORKLOADS = 1_000

PosInt = Annotated[int, Field(ge=1, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _finite(v: float) -> float:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"{v} is not a finite number")
    return v


class ServerOverrides(_Model):
    """Per-server figures that replace the catalog's (e.g. a generic GPU server)."""

    gpu: str | None = Field(None, description="catalog GPU id")
    gpu_count: PosInt | None = Field(None, le=64)
    storage_ports: PosInt | None = Field(None, le=64, description="ports carrying storage traffic")
    storage_link: str | None = Field(None, description="catalog link id of the storage ports")
    ingest_limit: BytesPerSec | None = Field(
        None, description="client-side storage ingest limit, e.g. '20 GB/s'"
    )
    preprocessing_rate: float | None = Field(
        None, gt=0, description="host input-pipeline limit in images/s per server"
    )


class ComputeGroup(_Model):
    """A group of identical GPU servers."""

    server: str = Field(description="catalog server id, e.g. dgx-1")
    count: PosInt = Field(description="number of servers", le=MAX_SERVERS)
    name: str | None = Field(None, description="group name; workloads may select groups by it")
    overrides: ServerOverrides | None = None


class StorageGroup(_Model):
    """A group of identical storage building blocks."""

    unit: str = Field(description="catalog storage id, e.g. ess-3000")
    count: PosInt = Field(description="number of units", le=MAX_STORAGE_UNITS)
    ports: PosInt | None = Field(None, le=256, description="ports cabled per unit (default: catalog)")


class Network(_Model):
    """The storage fabric."""

    topology: Topology = Field(description="single-switch | dual-switch | leaf-spine")
    switch: str = Field(description="catalog switch id (all switches of the fabric)")
    leaves: PosInt | None = Field(None, le=4096, description="leaf-spine: number of leaf switches")
    spines: PosInt | None = Field(None, le=1024, description="leaf-spine: number of spine switches")
    storage_leaves: int | None = Field(
        None, ge=0, le=4096, strict=True,
        description="leaf-spine: leaves dedicated to storage (default: as few as hold the "
        "storage ports; 0 = storage shares the server leaves)",
    )
    oversubscription: float = Field(
        1.0, ge=1.0, le=64.0, description="leaf-spine: downlink:uplink bandwidth ratio, e.g. 2 for 2:1"
    )
    isl_links: int = Field(
        0, ge=0, le=256, strict=True,
        description="dual-switch: links between the two switches (carry traffic only for "
        "endpoints attached to one switch)",
    )

    @model_validator(mode="after")
    def _leaf_spine_fields(self) -> Network:
        if self.topology != "leaf-spine":
            for f in ("leaves", "spines", "storage_leaves"):
                if getattr(self, f) is not None:
                    raise ValueError(f"'{f}' applies to topology leaf-spine only, not {self.topology}")
            if self.oversubscription != 1.0:
                raise ValueError(f"'oversubscription' applies to leaf-spine only, not {self.topology}")
        if self.topology != "dual-switch" and self.isl_links:
            raise ValueError(f"'isl_links' applies to dual-switch only, not {self.topology}")
        return self


class Workload(_Model):
    """What runs on the GPUs: a model in a phase, fed from a dataset."""

    model: str = Field(description="catalog model id, e.g. resnet-50")
    phase: Phase = "training"
    precision: Precision = "fp16"
    dataset: str | None = Field(None, description="catalog dataset id (default: the model's)")
    gpus_per_server: PosInt | None = Field(None, le=64, description="default: all GPUs")
    groups: list[str] | None = Field(
        None, description="compute group names this workload runs on (default: every group)"
    )
    cache: float | Literal["auto"] | None = Field(
        None,
        description="fraction of reads served by a node-local cache (0..1), or 'auto' to "
        "derive it from dataset size vs page cache + local NVMe",
    )
    name: str | None = None

    @field_validator("cache")
    @classmethod
    def _cache_range(cls, v: Any) -> Any:
        if isinstance(v, float | int) and not isinstance(v, bool) and not 0.0 <= v <= 1.0:
            raise ValueError(f"cache hit ratio {v} is outside 0..1")
        return v


class Target(_Model):
    """The sizing goal (optional)."""

    images_per_sec: float | None = Field(None, gt=0, description="aggregate images/s to reach")
    gpu_data_utilization: float | None = Field(
        None, gt=0, le=1, description="every GPU at least this fed (MLPerf Storage bar: 0.9)"
    )

    _fin = field_validator("images_per_sec")(_finite)


class MemoryCase(_Model):
    """A GPU-memory question for the report: does model M at batch B fit on GPU G?"""

    model: str
    batch: PosInt = Field(le=1_000_000)
    image: str | None = Field(None, description="HxW, e.g. 224x224 (CNNs)")
    seq: PosInt | None = Field(None, description="sequence length (transformers)")
    precision: Precision = "fp16"
    phase: Phase = "training"
    optimizer: Literal["sgd", "sgd-momentum", "adam", "adamw"] = "adam"
    gpu: str | None = Field(None, description="catalog GPU id (default: the first compute group's)")


class Scenario(_Model):
    """A POD design: compute, storage, network, workloads and an optional target."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    compute: list[ComputeGroup] = Field(min_length=1, max_length=1000)
    storage: list[StorageGroup] = Field(min_length=1, max_length=1000)
    network: Network
    workloads: list[Workload] = Field(min_length=1, max_length=MAX_WORKLOADS)
    target: Target | None = None
    memory: list[MemoryCase] | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _groups_unique(self) -> Scenario:
        names = [g.name for g in self.compute if g.name is not None]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"compute group name {sorted(dup)[0]!r} is used twice")
        return self

    @property
    def total_servers(self) -> int:
        return sum(g.count for g in self.compute)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (``sizer schema``)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sizer scenario"
    return schema


# ----------------------------------------------------------------------------- cross checks

Issue = tuple[tuple[str | int, ...], str, str | None]  # (loc, message, hint)


def _unknown(cat: Catalog, kind: str, ident: str, what: str) -> tuple[str, str | None]:
    known = sorted(getattr(cat, kind))
    close = difflib.get_close_matches(ident, known, n=3, cutoff=0.5)
    if not close:
        close = [k for k in known if ident.lower().replace("_", "-") in k][:3]
    hint = (
        "did you mean " + " or ".join(repr(c) for c in close) + "?"
        if close
        else "see `sizer catalog` for the ids"
    )
    return f"unknown {what} {ident!r}", hint


def check_scenario(sc: Scenario, cat: Catalog) -> list[Issue]:
    """Cross-field checks against the catalog.

    Returns
    -------
    list of (loc, message, hint)
        Empty when the scenario is consistent.  ``loc`` is a field path such as
        ``("workloads", 1, "gpus_per_server")``.
    """
    out: list[Issue] = []

    def unknown(loc: tuple[str | int, ...], kind: str, ident: str, what: str) -> None:
        msg, hint = _unknown(cat, kind, ident, what)
        out.append((loc, msg, hint))

    gpus_of: dict[int, int] = {}
    for i, g in enumerate(sc.compute):
        if g.server not in cat.servers:
            unknown(("compute", i, "server"), "servers", g.server, "server")
            continue
        srv = cat.servers[g.server]
        n = srv.gpu_count.value
        ov = g.overrides
        if ov is not None:
            if ov.gpu is not None and ov.gpu not in cat.gpus:
                unknown(("compute", i, "overrides", "gpu"), "gpus", ov.gpu, "GPU")
            if ov.storage_link is not None and ov.storage_link not in cat.links:
                unknown(("compute", i, "overrides", "storage_link"), "links", ov.storage_link, "link")
            if ov.gpu_count is not None:
                n = ov.gpu_count
        gpus_of[i] = n
    for i, s in enumerate(sc.storage):
        if s.unit not in cat.storage:
            unknown(("storage", i, "unit"), "storage", s.unit, "storage unit")
    if sc.network.switch not in cat.switches:
        unknown(("network", "switch"), "switches", sc.network.switch, "switch")

    group_names = {g.name: i for i, g in enumerate(sc.compute) if g.name is not None}
    used: dict[int, int] = {i: 0 for i in gpus_of}
    for w_i, w in enumerate(sc.workloads):
        if w.model not in cat.models:
            unknown(("workloads", w_i, "model"), "models", w.model, "model")
            continue
        model = cat.models[w.model]
        ds = w.dataset if w.dataset is not None else model.dataset
        if w.dataset is not None and w.dataset not in cat.datasets:
            unknown(("workloads", w_i, "dataset"), "datasets", w.dataset, "dataset")
        elif ds is None and model.kind != "read-benchmark":
            out.append((("workloads", w_i, "dataset"),
                        f"model {w.model!r} has no default dataset; name one", None))
        targets = list(gpus_of)
        if w.groups is not None:
            targets = []
            for j, gname in enumerate(w.groups):
                if gname not in group_names:
                    close = difflib.get_close_matches(gname, list(group_names), n=1)
                    out.append((("workloads", w_i, "groups", j),
                                f"no compute group named {gname!r}",
                                f"did you mean {close[0]!r}?" if close else
                                "name groups with compute[].name"))
                else:
                    targets.append(group_names[gname])
        for gi in targets:
            if gi not in gpus_of:
                continue
            have = gpus_of[gi]
            want = w.gpus_per_server if w.gpus_per_server is not None else have
            if model.kind == "read-benchmark":
                continue
            if want > have:
                out.append((("workloads", w_i, "gpus_per_server"),
                            f"{want} is more than the {have} GPUs of {sc.compute[gi].server}",
                            None))
                continue
            used[gi] += want
            # Throughput must exist for this GPU / precision / phase.
            srv = cat.servers[sc.compute[gi].server]
            ov = sc.compute[gi].overrides
            gpu_id = ov.gpu if ov is not None and ov.gpu is not None else srv.gpu
            if gpu_id in cat.gpus:
                try:
                    cat.throughput(w.model, gpu_id, w.precision, w.phase)
                except LookupError as e:
                    out.append((("workloads", w_i, "model"), str(e).split("\n")[0], None))
                except Exception as e:  # SizerInputError subclasses from the catalog
                    msg = getattr(e, "problems", None)
                    text = msg[0].msg if msg else str(e)
                    out.append((("workloads", w_i, "model"), text, None))
    for gi, n in used.items():
        have = gpus_of[gi]
        if n > have:
            out.append((("workloads",),
                        f"workloads use {n} GPUs per server of compute group {gi} "
                        f"({sc.compute[gi].server}), which has {have}",
                        "lower gpus_per_server or split the workloads across groups"))
    net = sc.network
    if net.topology == "leaf-spine" and (net.leaves is None or net.spines is None):
        missing = "leaves" if net.leaves is None else "spines"
        out.append((("network", missing), f"leaf-spine needs '{missing}'", None))
    elif (net.topology == "leaf-spine" and net.storage_leaves is not None and net.leaves
          is not None and net.leaves > 1 and net.storage_leaves >= net.leaves):
        out.append((("network", "storage_leaves"),
                    f"{net.storage_leaves} storage leaves leave none of the {net.leaves} "
                    "leaves for servers", None))
    return out
