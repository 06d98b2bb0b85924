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

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

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
    # allow_inf_nan=False: ".inf"/".nan" in YAML is a typo, and JSON output cannot carry it.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


def _plain_text(v: str | None, info: ValidationInfo) -> str | None:
    """Names and descriptions are printed in terminals, charts and reports: no control
    characters (ESC sequences, backspace, NUL); a description may hold tabs and newlines."""
    if v is None:
        return v
    allowed = "\t\n\r" if info.field_name == "description" else ""
    for i, ch in enumerate(v):
        if (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) and ch not in allowed:
            raise ValueError(
                f"has the control character U+{ord(ch):04X} at character {i + 1}; "
                "remove it (names are printed as plain text)"
            )
    return v


def _finite(v: float) -> float:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"{v} is not a finite number")
    return v


class ServerOverrides(_Model):
    """Per-server figures that replace the catalog's (e.g. a generic GPU server)."""

    gpu: str | None = Field(None, description="catalog GPU id")
    gpu_count: PosInt | None = Field(None, le=64, description="GPUs per server")
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
    overrides: ServerOverrides | None = Field(
        None, description="per-server figures that replace the catalog's"
    )

    _text = field_validator("name")(_plain_text)


class StorageGroup(_Model):
    """A group of identical storage building blocks."""

    unit: str = Field(description="catalog storage id, e.g. ess-3000")
    count: PosInt = Field(description="number of units", le=MAX_STORAGE_UNITS)
    ports: PosInt | None = Field(
        None, le=256, description="ports cabled per unit (default: catalog)"
    )


class Network(_Model):
    """The storage fabric."""

    topology: Topology = Field(description="single-switch | dual-switch | leaf-spine")
    switch: str = Field(description="catalog switch id (all switches of the fabric)")
    leaves: PosInt | None = Field(None, le=4096, description="leaf-spine: number of leaf switches")
    spines: PosInt | None = Field(None, le=1024, description="leaf-spine: number of spine switches")
    storage_leaves: int | None = Field(
        None,
        ge=0,
        le=4096,
        strict=True,
        description="leaf-spine: leaves dedicated to storage (default: as few as hold the "
        "storage ports; 0 = storage shares the server leaves)",
    )
    oversubscription: float = Field(
        1.0,
        ge=1.0,
        le=64.0,
        description="leaf-spine: downlink:uplink bandwidth ratio, e.g. 2 for 2:1",
    )
    isl_links: int = Field(
        0,
        ge=0,
        le=256,
        strict=True,
        description="dual-switch: links between the two switches (carry traffic only for "
        "endpoints attached to one switch)",
    )

    @field_validator("leaves", "spines", "storage_leaves", "oversubscription", "isl_links")
    @classmethod
    def _topology_fields(cls, v: Any, info: ValidationInfo) -> Any:
        # Field validators (not a model validator) so that the error points at the key.
        topology = info.data.get("topology")  # absent if the topology itself was invalid
        field = info.field_name
        applies = "dual-switch" if field == "isl_links" else "leaf-spine"
        unset = (
            v is None
            or (field == "oversubscription" and v == 1.0)
            or (field == "isl_links" and v == 0)
        )
        if topology is not None and topology != applies and not unset:
            raise ValueError(
                f"'{field}' applies to topology {applies} only, not {topology}; remove it "
                f"or set topology: {applies}"
            )
        return v


class Workload(_Model):
    """What runs on the GPUs: a model in a phase, fed from a dataset."""

    model: str = Field(description="catalog model id, e.g. resnet-50")
    phase: Phase = Field("training", description="training | inference")
    precision: Precision = Field("fp16", description="fp32 | fp16 | bf16 | tf32 | fp8")
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
    name: str | None = Field(None, description="label in reports (default: model and phase)")

    _text = field_validator("name")(_plain_text)

    @field_validator("cache")
    @classmethod
    def _cache_range(cls, v: Any) -> Any:
        if isinstance(v, float | int) and not isinstance(v, bool) and not 0.0 <= v <= 1.0:
            raise ValueError(f"cache hit ratio {v} is outside 0..1; write a fraction, e.g. 0.5")
        return v


class Target(_Model):
    """The sizing goal (optional)."""

    images_per_sec: float | None = Field(None, gt=0, description="aggregate images/s to reach")
    gpu_data_utilization: float | None = Field(
        None,
        gt=0,
        description="every GPU at least this fed, as a fraction 0..1 (MLPerf Storage bar: 0.9)",
        json_schema_extra={"maximum": 1},
    )

    _fin = field_validator("images_per_sec")(_finite)

    @field_validator("gpu_data_utilization")
    @classmethod
    def _fraction(cls, v: float | None) -> float | None:
        if v is not None and v > 1:
            hint = f"; for {v:g}% write {v / 100:g}" if v <= 100 else ""
            raise ValueError(f"{v:g} is above 1; write the utilization as a fraction{hint}")
        return v


class MemoryCase(_Model):
    """A GPU-memory question for the report: does model M at batch B fit on GPU G?"""

    model: str = Field(description="catalog model id, e.g. resnet-50")
    batch: PosInt = Field(le=1_000_000, description="samples per GPU per step")
    image: str | None = Field(None, description="HxW, e.g. 224x224 (CNNs)")
    seq: PosInt | None = Field(None, description="sequence length (transformers)")
    precision: Precision = Field("fp16", description="fp32 | fp16 | bf16 | tf32 | fp8")
    phase: Phase = Field("training", description="training | inference")
    optimizer: Literal["sgd", "sgd-momentum", "adam", "adamw"] = Field(
        "adam", description="sets the optimizer-state bytes per parameter (training)"
    )
    gpu: str | None = Field(None, description="catalog GPU id (default: the first compute group's)")


class Scenario(_Model):
    """A POD design: compute, storage, network, workloads and an optional target."""

    name: str = Field(min_length=1, max_length=200, description="title of the design")
    description: str | None = Field(None, max_length=20_000, description="free text")
    compute: list[ComputeGroup] = Field(
        min_length=1, max_length=1000, description="groups of GPU servers"
    )
    storage: list[StorageGroup] = Field(
        min_length=1, max_length=1000, description="groups of storage building blocks"
    )
    network: Network = Field(description="the storage fabric")
    workloads: list[Workload] = Field(
        min_length=1, max_length=MAX_WORKLOADS, description="what runs on the GPUs"
    )
    target: Target | None = Field(None, description="optional sizing goal")
    memory: list[MemoryCase] | None = Field(
        None, max_length=100, description="GPU-memory questions for the report"
    )

    _text = field_validator("name", "description")(_plain_text)

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


def _norm(ident: str) -> str:
    return "".join(ch for ch in ident.lower() if ch.isalnum())


def suggest_ids(ident: str, known: list[str], n: int = 3) -> list[str]:
    """The catalog ids a mistyped ``ident`` most likely meant, best first.

    Spelling variants first (``dgx1``, ``DGX_1`` -> ``dgx-1``), then ids that contain it or
    that it contains (``v100`` -> ``v100-sxm2-16gb``), then close spellings.

    >>> suggest_ids("resnet50", ["resnet-50", "resnet-152", "resnet-50-mlperf"])
    ['resnet-50']
    >>> suggest_ids("v100", ["b200", "v100-sxm2-16gb", "v100-sxm2-32gb"])
    ['v100-sxm2-16gb', 'v100-sxm2-32gb']
    """
    key = _norm(ident)
    exact = [k for k in known if _norm(k) == key]
    if exact:
        return exact[:1]
    if key:
        inside = [k for k in known if key in _norm(k) or _norm(k) in key]
        if inside:
            return sorted(inside, key=lambda k: (abs(len(_norm(k)) - len(key)), k))[:n]
    by_norm = {_norm(k): k for k in known}
    close = difflib.get_close_matches(key, list(by_norm), n=n, cutoff=0.6)
    return [by_norm[c] for c in close]


def _did_you_mean(close: list[str]) -> str:
    quoted = [repr(c) for c in close]
    if len(quoted) > 1:
        return f"did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"
    return f"did you mean {quoted[0]}?"


def _unknown(cat: Catalog, kind: str, ident: str, what: str) -> tuple[str, str | None]:
    close = suggest_ids(ident, sorted(getattr(cat, kind)))
    hint = _did_you_mean(close) if close else f"`sizer catalog` lists the {what} ids"
    return f"unknown {what} {ident!r}", hint


def check_scenario(sc: Scenario, cat: Catalog) -> list[Issue]:
    """Cross-field checks against the catalog.

    Returns
    -------
    list of (loc, message, hint)
        Empty when the scenario is consistent.  ``loc`` is a field path such as
        ``("workloads", 1, "gpus_per_server")``.  Each problem is reported once.
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
                unknown(
                    ("compute", i, "overrides", "storage_link"), "links", ov.storage_link, "link"
                )
            if ov.gpu_count is not None:
                n = ov.gpu_count
        gpus_of[i] = n
    group_names: dict[str, int] = {}
    for i, g in enumerate(sc.compute):
        if g.name is None:
            continue
        if g.name in group_names:
            out.append(
                (
                    ("compute", i, "name"),
                    f"compute group name {g.name!r} is already used by "
                    f"compute[{group_names[g.name]}]",
                    "give each group its own name",
                )
            )
        else:
            group_names[g.name] = i
    for i, s in enumerate(sc.storage):
        if s.unit not in cat.storage:
            unknown(("storage", i, "unit"), "storage", s.unit, "storage unit")
    if sc.network.switch not in cat.switches:
        unknown(("network", "switch"), "switches", sc.network.switch, "switch")

    # per compute group: [(workload index, GPUs per server it takes)]
    used: dict[int, list[tuple[int, int]]] = {i: [] for i in gpus_of}
    for w_i, w in enumerate(sc.workloads):
        if w.model not in cat.models:
            unknown(("workloads", w_i, "model"), "models", w.model, "model")
            if w.dataset is not None and w.dataset not in cat.datasets:
                unknown(("workloads", w_i, "dataset"), "datasets", w.dataset, "dataset")
            continue
        model = cat.models[w.model]
        if model.kind == "read-benchmark" and w.cache is not None:
            # A read benchmark reads as fast as the path allows; with every byte served
            # locally its rate would be unbounded (found by tests/test_fuzz.py).
            out.append(
                (
                    ("workloads", w_i, "cache"),
                    f"{w.model!r} is a read benchmark: it reads every byte from storage, "
                    "so 'cache' does not apply",
                    "remove cache: from this workload",
                )
            )
        ds = w.dataset if w.dataset is not None else model.dataset
        if w.dataset is not None and w.dataset not in cat.datasets:
            unknown(("workloads", w_i, "dataset"), "datasets", w.dataset, "dataset")
        elif ds is None and model.kind != "read-benchmark":
            out.append(
                (
                    ("workloads", w_i, "dataset"),
                    f"model {w.model!r} has no default dataset; name one",
                    "add dataset: with a catalog dataset id",
                )
            )
        targets = list(gpus_of)
        if w.groups is not None:
            targets = []
            for j, gname in enumerate(w.groups):
                if gname not in group_names:
                    close = suggest_ids(gname, list(group_names), n=1)
                    if close:
                        hint = _did_you_mean(close)
                    elif group_names:
                        hint = "the compute groups are named " + ", ".join(map(repr, group_names))
                    else:
                        hint = "name groups with compute[].name"
                    out.append(
                        (("workloads", w_i, "groups", j), f"no compute group named {gname!r}", hint)
                    )
                else:
                    targets.append(group_names[gname])
        for gi in targets:
            if gi not in gpus_of or model.kind == "read-benchmark":
                continue
            have = gpus_of[gi]
            want = w.gpus_per_server if w.gpus_per_server is not None else have
            if want > have:
                out.append(
                    (
                        ("workloads", w_i, "gpus_per_server"),
                        f"{want} is more than the {have} GPUs of {sc.compute[gi].server}",
                        f"use at most {have}, or leave gpus_per_server out to use all GPUs",
                    )
                )
                continue
            used[gi].append((w_i, want))
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
    for gi, takers in used.items():
        have = gpus_of[gi]
        total = sum(n for _, n in takers)
        if total <= have:
            continue
        # Point at the workload that pushes the group over its GPU count.
        running = [sum(n for _, n in takers[: k + 1]) for k in range(len(takers))]
        w_i = takers[next(k for k, r in enumerate(running) if r > have)][0]
        names = " + ".join(f"workloads[{j}]" for j, _ in takers)
        counts = " + ".join(str(n) for _, n in takers)
        loc: tuple[str | int, ...] = ("workloads", w_i)
        if sc.workloads[w_i].gpus_per_server is not None:
            loc = (*loc, "gpus_per_server")
        out.append(
            (
                loc,
                f"{names} use {counts} = {total} GPUs per server of compute[{gi}] "
                f"({sc.compute[gi].server}), which has {have}",
                "lower gpus_per_server, or put the workloads on different compute groups "
                "with compute[].name and workloads[].groups",
            )
        )
    net = sc.network
    if net.topology == "leaf-spine" and (net.leaves is None or net.spines is None):
        missing, what = ("leaves", "leaf") if net.leaves is None else ("spines", "spine")
        out.append(
            (
                ("network", missing),
                f"topology leaf-spine needs '{missing}', the number of {what} switches",
                f"add e.g. '{missing}: 2' under network",
            )
        )
    elif (
        net.topology == "leaf-spine"
        and net.storage_leaves is not None
        and net.leaves is not None
        and net.leaves > 1
        and net.storage_leaves >= net.leaves
    ):
        out.append(
            (
                ("network", "storage_leaves"),
                f"{net.storage_leaves} storage leaves leave none of the {net.leaves} "
                "leaves for servers",
                "lower storage_leaves or add leaves",
            )
        )
    return list(dict.fromkeys(out))  # a workload on several groups reports a problem once
