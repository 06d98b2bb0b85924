"""The scenario file, as pydantic v2 models (``extra="forbid"``: a typo'd key is an error).

The schema checks shapes, types, units and ranges.  Checks that need the catalog
(unknown ids, GPUs per server, over-committed servers, switch port budgets) live in
:mod:`sizer.checks`, which returns problems as data; :mod:`sizer.loader` turns both
kinds into ``file:line:col: field: message`` lines.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sizer.errors import HintedValueError
from sizer.limits import (
    MAX_NAME_CHARS,
    MAX_SERVERS,
    MAX_STORAGE_UNITS,
    MAX_TEXT_CHARS,
    MAX_WORKLOADS,
    text_problem,
)
from sizer.units import Bytes, BytesPerSec

__all__ = [
    "Capacity",
    "CheckpointPolicy",
    "ComputeGroup",
    "MemoryCase",
    "Network",
    "Racks",
    "Scenario",
    "ServerOverrides",
    "StorageGroup",
    "Target",
    "Workload",
    "json_schema",
]

Phase = Literal["training", "inference"]
Precision = Literal["fp32", "fp16", "bf16", "tf32", "fp8", "int8"]
Topology = Literal["single-switch", "dual-switch", "leaf-spine", "direct-attached"]

PosInt = Annotated[int, Field(ge=1, strict=True)]


class _Model(BaseModel):
    # allow_inf_nan=False: ".inf"/".nan" in YAML is a typo, and JSON output cannot carry it.
    # strict=True: YAML's true/yes/on is not a number (``cache: true`` was read as 1.0).
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False, strict=True
    )


def _plain_text(v: str | None, info: ValidationInfo) -> str | None:
    """Names and descriptions are printed in terminals, charts and reports: no control or
    invisible characters (ESC sequences, backspace, NUL, zero-width space), no word over
    MAX_WORD_CHARS; a description may hold tabs and newlines."""
    if v is None:
        return v
    desc = info.field_name == "description"
    problem = text_problem(
        v, allowed="\t\n\r" if desc else "", max_chars=MAX_TEXT_CHARS if desc else MAX_NAME_CHARS
    )
    if problem is not None:
        raise ValueError(problem)
    return v


def _finite(v: float) -> float:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"{v} is not a finite number")
    return v


class ServerOverrides(_Model):
    """Per-server figures that replace the catalog's (e.g. a generic GPU server)."""

    gpu: str | None = Field(None, description="catalog GPU id")
    gpu_count: PosInt | None = Field(
        None, le=512, description="GPUs per server (an MLPerf Storage host emulates up to hundreds)"
    )
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
    name: str | None = Field(
        None, max_length=200, description="group name; workloads may select groups by it"
    )
    overrides: ServerOverrides | None = Field(
        None, description="per-server figures that replace the catalog's"
    )
    gpudirect_storage: bool = Field(
        False,
        description="the servers read with NVIDIA GPUDirect Storage: data goes NIC -> GPU "
        "over PCIe and does not cross host memory (default false: through a bounce buffer "
        "in host memory, NIC write + GPU read)",
    )

    _text = field_validator("name")(_plain_text)

    @field_validator("name")
    @classmethod
    def _no_brackets(cls, v: str | None) -> str | None:
        # The graph numbers groups that share a label as 'dgx-1[0]', 'dgx-1[1]': a group
        # named like that would merge with another group's servers (issue 18).
        if v is not None and ("[" in v or "]" in v):
            raise ValueError(
                f"{v!r}: a group name cannot hold '[' or ']' (sizer numbers groups that "
                "share a name as name[0], name[1]); use e.g. "
                f"{v.replace('[', '-').replace(']', '')!r}"
            )
        return v


_DRIVES_RE = re.compile(r"^\s*[1-9][0-9]*\s*[xX×]\s*[0-9]+(\.[0-9]+)?\s*(TB|PB|GB)\s*$")


class StorageGroup(_Model):
    """A group of identical storage building blocks."""

    unit: str = Field(
        description="catalog storage id, e.g. ess-3000; with topology direct-attached a "
        "drive, e.g. micron-9550-pro-7.68tb"
    )
    count: PosInt = Field(
        description="number of units; with topology direct-attached the drives inside every "
        "server (8 = eight such drives in each server, each server reading its own data "
        "striped over its own drives)",
        le=MAX_STORAGE_UNITS,
    )
    ports: PosInt | None = Field(
        None, le=256, description="ports cabled per unit (default: catalog)"
    )
    link: str | None = Field(
        None,
        description="catalog link id the units are cabled with, where the product offers "
        "several (its link or other_links, `sizer catalog UNIT`; default: its link)",
    )
    data_replicas: int = Field(
        1,
        ge=1,
        le=3,
        strict=True,
        description="copies of the data the file system keeps across units (IBM Storage "
        "Scale failure groups: 1 none, 2 or 3); with 1, losing a whole unit takes data offline",
    )
    drives: str | None = Field(
        None,
        description="drive option per unit, e.g. '24 x 15.36 TB' (default: the catalog's "
        "first option; `sizer catalog UNIT` lists them)",
    )
    protection: str | None = Field(
        None,
        description="data-protection code, e.g. 8+2p, 8+3p, 4+2p, '3-way replication' "
        "(default: the catalog's first code)",
    )

    @field_validator("drives")
    @classmethod
    def _drives_form(cls, v: str | None) -> str | None:
        if v is not None and not _DRIVES_RE.match(v):
            raise ValueError(
                f"{v!r} is not a drive option; write COUNT x SIZE, e.g. '24 x 15.36 TB'"
            )
        return v


class Network(_Model):
    """The storage fabric."""

    topology: Topology = Field(
        description="single-switch | dual-switch | leaf-spine | direct-attached (no switch: "
        "the storage groups are NVMe drives inside every server)"
    )
    # validate_default: a switched topology without a switch is told so, located here
    switch: str | None = Field(
        None,
        validate_default=True,
        description="catalog switch id (all switches of the fabric); required except with "
        "topology direct-attached, which has none",
    )
    # validate_default: a leaf-spine without them is told so, both in one run
    leaves: PosInt | None = Field(
        None, le=4096, validate_default=True, description="leaf-spine: number of leaf switches"
    )
    spines: PosInt | None = Field(
        None, le=1024, validate_default=True, description="leaf-spine: number of spine switches"
    )
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
    protocol: Literal["rdma", "tcp"] | None = Field(
        None,
        description="how storage traffic is carried on an Ethernet fabric: rdma (RoCE v2) or "
        "tcp (default); InfiniBand carries it over RDMA (sizer/protocols.py)",
    )

    @field_validator("switch")
    @classmethod
    def _switch_for_topology(cls, v: str | None, info: ValidationInfo) -> str | None:
        topology = info.data.get("topology")  # absent if the topology itself was invalid
        if topology == "direct-attached" and v is not None:
            raise HintedValueError(
                "'switch' does not apply to topology direct-attached: the drives sit inside "
                "each server, with no switch between",
                "remove 'switch', or choose a switched topology",
            )
        if topology is not None and topology != "direct-attached" and v is None:
            raise HintedValueError(
                f"topology {topology} needs 'switch', the catalog switch id",
                "add e.g. 'switch: qm9700' under network (`sizer catalog` lists switches)",
            )
        return v

    @field_validator("protocol")
    @classmethod
    def _protocol_for_topology(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and info.data.get("topology") == "direct-attached":
            raise ValueError(
                "'protocol' does not apply to topology direct-attached: local drives speak "
                "NVMe over PCIe, not a network protocol; remove it"
            )
        return v

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
        if topology == "leaf-spine" and field in ("leaves", "spines") and v is None:
            what = "leaf" if field == "leaves" else "spine"
            raise HintedValueError(
                f"topology leaf-spine needs '{field}', the number of {what} switches",
                f"add e.g. '{field}: 2' under network",
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
    precision: Precision = Field("fp16", description="fp32 | fp16 | bf16 | tf32 | fp8 | int8")
    dataset: str | None = Field(None, description="catalog dataset id (default: the model's)")
    gpus_per_server: PosInt | None = Field(None, le=512, description="default: all GPUs")
    groups: list[str] | None = Field(
        None, description="compute group names this workload runs on (default: every group)"
    )
    cache: float | Literal["auto"] | None = Field(
        None,
        description="fraction of reads served by a node-local cache (0..1), or 'auto' to "
        "derive it from dataset size vs page cache + local NVMe",
    )
    name: str | None = Field(
        None, max_length=MAX_NAME_CHARS, description="label in reports (default: model and phase)"
    )
    min_utilization: float | None = Field(
        None,
        gt=0,
        description="this workload's pass bar: at least this fraction of its GPUs' demand fed "
        "(0..1; default: the model's published bar, e.g. MLPerf Storage CosmoFlow 0.7, else "
        "the scenario's target or 0.9)",
        json_schema_extra={"maximum": 1},
    )

    _text = field_validator("name")(_plain_text)

    @field_validator("min_utilization")
    @classmethod
    def _bar_range(cls, v: float | None) -> float | None:
        if v is not None and not (math.isfinite(v) and 0.0 < v <= 1.0):
            raise ValueError(f"{v} is outside (0, 1]; write a fraction, e.g. 0.9")
        return v

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

    survive: Literal["none", "one-server", "one-unit", "one-switch"] = Field(
        "one-server",
        description="the single failure the storage must still meet the bar after (N+1 "
        "sizing): one storage I/O server, one whole unit (needs data_replicas >= 2), one "
        "switch, or none; default one-server, one-unit (one drive) with direct-attached "
        "drives",
    )

    _fin = field_validator("images_per_sec")(_finite)

    @field_validator("gpu_data_utilization")
    @classmethod
    def _fraction(cls, v: float | None) -> float | None:
        if v is not None and v > 1:
            hint = f"; for {v:g}% write {v / 100:g}" if v <= 100 else ""
            raise ValueError(f"{v:g} is above 1; write the utilization as a fraction{hint}")
        return v


class Capacity(_Model):
    """What the storage must hold: datasets, retained checkpoints and scratch, grown per year
    over a planning horizon (see :mod:`sizer.capacity`)."""

    datasets: Bytes | None = Field(
        None,
        description="dataset bytes, e.g. '150 TB' (default: the workloads' catalog datasets, "
        "each once)",
    )
    checkpoints: Bytes = Field(0.0, description="retained checkpoints, e.g. '40 TB'")
    scratch: Bytes = Field(0.0, description="scratch and other data, e.g. '20 TB'")
    growth_per_year: float = Field(
        0.0, ge=0.0, le=10.0, description="growth of the stored data per year, e.g. 0.3 for 30%"
    )
    horizon_years: int = Field(
        3, ge=0, le=20, strict=True, description="planning horizon in years (default 3)"
    )

    @field_validator("datasets", "checkpoints", "scratch")
    @classmethod
    def _size(cls, v: float | None) -> float | None:
        if v is not None and (not math.isfinite(v) or v < 0):
            raise ValueError(f"{v} is not a size; write e.g. '40 TB'")
        return v


class Racks(_Model):
    """The site's racks: height and power limit per rack (see :mod:`sizer.racks`)."""

    height_u: int = Field(
        42, ge=4, le=60, strict=True, description="usable rack units per rack (default 42)"
    )
    max_kw: float = Field(20.0, gt=0, le=200, description="power limit per rack in kW (default 20)")


class Fabrics(_Model):
    """The POD's other fabrics, listed in the bill of materials as their own lines, not part
    of the data-path model (see :mod:`sizer.pod_fabrics`).  Default: none of them."""

    compute: Literal["none", "rail-optimized"] = Field(
        "none",
        description="rail-optimized: the InfiniBand compute fabric of NVIDIA's DGX SuperPOD "
        "scalable-unit table (leaf and spine switches, cables), for servers whose catalog "
        "entry has 8 NDR compute ports (DGX H100/H200/B200); none: not listed (default)",
    )
    management: bool = Field(
        False,
        description="list the in-band and out-of-band management networks, UFM and the "
        "management servers of NVIDIA's DGX BasePOD/SuperPOD designs (default false)",
    )


class MemoryCase(_Model):
    """A GPU-memory question for the report: does model M at batch B fit on GPU G?"""

    model: str = Field(description="model id, e.g. resnet-50 or llama-3-70b")
    batch: PosInt = Field(le=1_000_000, description="samples per GPU per step")
    image: str | None = Field(None, description="HxW, e.g. 224x224 (CNNs)")
    seq: PosInt | None = Field(None, description="sequence length (transformers)")
    precision: Precision = Field("fp16", description="fp32 | fp16 | bf16 | tf32 | fp8 | int8")
    phase: Phase = Field("training", description="training | inference")
    optimizer: Literal["sgd", "sgd-momentum", "adam", "adamw"] = Field(
        "adam", description="sets the optimizer-state bytes per parameter (training)"
    )
    gpu: str | None = Field(None, description="catalog GPU id (default: the first compute group's)")
    gpus: PosInt = Field(
        1, le=1_000_000, description="GPUs sharing the job (as `sizer memory --gpus`)"
    )
    sharding: Literal["none", "zero1", "zero2", "zero3", "tensor"] = Field(
        "none",
        description="none = data-parallel replicas; zero1/2/3 = ZeRO stages; tensor = "
        "Megatron tensor parallel over `gpus`",
    )
    recompute: Literal["none", "selective", "full"] = Field(
        "none", description="transformer activation recomputation"
    )
    flash_attention: bool = Field(
        False, strict=True, description="transformer attention without s x s scores"
    )
    pipeline_parallel: PosInt = Field(
        1,
        le=1024,
        description="pipeline stages the layers are split over (transformers; must divide "
        "the layer count): the estimate is the largest stage's, 1F1B schedule (as `sizer "
        "memory --pipeline-parallel`)",
    )


class CheckpointPolicy(_Model):
    """An LLM training job's checkpoints: what is saved, how often, how, within what budget
    (see :mod:`sizer.checkpointing`)."""

    model: str = Field(description="transformer id, e.g. llama-3-70b")
    groups: list[str] | None = Field(
        None,
        description="compute group names whose GPUs are the job's ranks (default: every group)",
    )
    tp: PosInt = Field(1, le=1024, description="tensor-parallel degree")
    pp: PosInt = Field(1, le=1024, description="pipeline-parallel degree")
    zero: int = Field(
        1, ge=0, le=3, strict=True, description="ZeRO stage 0-3 (1 and 2 save the same bytes)"
    )
    precision: Literal["bf16", "fp16", "fp32", "fp8"] = Field(
        "bf16",
        description="precision of the saved weights (FP32 master weights are added below FP32)",
    )
    optimizer: Literal["adam", "adamw", "sgd-momentum", "sgd", "none"] = Field(
        "adam", description="optimizer whose FP32 moments are saved ('none': weights only)"
    )
    interval_minutes: float | None = Field(
        None,
        gt=0,
        le=10_000,
        description="minutes of training between saves, e.g. 30 (default: Young/Daly's "
        "sqrt(2 x save time x MTBF) from mtbf_hours)",
    )
    mtbf_hours: float | None = Field(
        None, gt=0, le=1_000_000, description="the job's mean time between failures in hours"
    )
    mode: Literal["sync", "async"] = Field(
        "sync",
        description="sync: every GPU waits until the save is on storage; async: the save is "
        "staged in host memory and drained to storage while training goes on",
    )
    staging: Literal["host-memory", "local-nvme"] = Field(
        "host-memory",
        description="async: where a save is staged before it drains (it must fit there)",
    )
    max_overhead: float = Field(
        0.05,
        gt=0,
        le=1,
        description="the training time a synchronous save may cost, as a fraction (0.05 = 5%)",
    )
    save_budget_seconds: float | None = Field(
        None, gt=0, le=1_000_000, description="the longest a save may take, in seconds"
    )
    restore_budget_minutes: float | None = Field(
        None, gt=0, le=100_000, description="the longest a restore (every rank reads) may take"
    )
    retain: int = Field(
        2, ge=1, le=1000, strict=True, description="checkpoints kept on storage (capacity)"
    )


class Scenario(_Model):
    """A POD design: compute, storage, network, workloads and an optional target."""

    name: str = Field(min_length=1, max_length=200, description="title of the design")
    description: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="free text")
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
    capacity: Capacity | None = Field(
        None, description="what the storage must hold (default: the workloads' datasets)"
    )
    racks: Racks | None = Field(
        None, description="rack height and power limit (default 42 U, 20 kW per rack)"
    )
    checkpoint: CheckpointPolicy | None = Field(
        None, description="an LLM training job's checkpoint policy (save, restore, budget)"
    )
    fabrics: Fabrics | None = Field(
        None,
        description="the POD's other fabrics (compute, management) as BOM lines outside the "
        "data-path model (default: none listed)",
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
