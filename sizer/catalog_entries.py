"""The typed entries of the catalog: every kind of entry and its sourced figures.

Every number is a :class:`Figure`: a value plus ``source``, ``confidence`` and, when
derived, a ``note`` with the arithmetic (the letters are explained in :mod:`sizer.catalog`).
Entries are frozen pydantic models with ``extra="forbid"``: a typo'd key is an error.
:data:`KINDS` maps each catalog section to its entry model.
"""

from __future__ import annotations

import re
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sizer.units import Bytes, BytesPerSec

__all__ = [
    "KINDS",
    "Confidence",
    "Dataset",
    "EmulatedAccelerator",
    "Figure",
    "Gpu",
    "Link",
    "Model",
    "Server",
    "StorageUnit",
    "Switch",
    "Throughput",
    "kind_key",
]

T = TypeVar("T")

#: V vendor/standard, T third party, D derived (note required), B located but unverified,
#: A assumption.
Confidence = Literal["V", "T", "D", "B", "A"]
Precision = Literal["fp32", "fp16", "bf16", "tf32", "fp8"]
Phase = Literal["training", "inference"]

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check_id(v: str) -> str:
    if not _ID_RE.match(v):
        raise ValueError(
            f"{v!r} is not a valid id; use lowercase letters, digits and single hyphens "
            "(e.g. 'dgx-a100')"
        )
    return v


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_source(source: str) -> str:
    if not source.strip():
        raise ValueError("source must not be blank; cite a URL or a document and section")
    return source


def _check_sourced(source: str, confidence: str, note: str | None) -> None:
    if confidence == "D" and not (note and note.strip()):
        raise ValueError("confidence D (derived) needs a note showing the arithmetic")


class Figure(_Frozen, Generic[T]):
    """One sourced number: ``value`` plus ``source``, ``confidence`` and an optional ``note``.

    ``value`` is in SI base units once loaded (bytes, bytes/s, seconds, watts); the YAML may
    write unit strings such as ``"100 Gb/s"`` or ``"16 GiB"``.
    """

    value: T
    source: str
    confidence: Confidence
    note: str | None = None

    _source = field_validator("source")(_check_source)

    @model_validator(mode="after")
    def _sourced(self) -> Figure[T]:
        _check_sourced(self.source, self.confidence, self.note)
        v: Any = self.value
        if isinstance(v, int | float) and not isinstance(v, bool) and v < 0:
            raise ValueError(f"value {v!r} is negative")
        return self


class Link(_Frozen):
    """A link type (one port of it): nominal data rate and the payload rate the model uses."""

    id: str
    name: str
    kind: Literal["infiniband", "ethernet"]
    #: nominal data rate after line encoding, e.g. 100 Gb/s for EDR 4x (bytes/s)
    data_rate: Figure[BytesPerSec]
    #: payload per direction used by the flow model (bytes/s)
    effective_rate: Figure[BytesPerSec]

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _effective_le_data(self) -> Link:
        if self.effective_rate.value > self.data_rate.value:
            raise ValueError(
                f"effective_rate {self.effective_rate.value:g} B/s is above data_rate "
                f"{self.data_rate.value:g} B/s"
            )
        return self


class Gpu(_Frozen):
    """A GPU model.  ``family`` (v100, a100, ...) is what throughput rows fall back to."""

    id: str
    name: str
    family: str
    memory: Figure[Bytes]
    memory_bandwidth: Figure[BytesPerSec] | None = None

    _id = field_validator("id", "family")(_check_id)


class Server(_Frozen):
    """A GPU server (client node): its GPUs, storage-carrying ports and host limits."""

    id: str
    name: str
    vendor: str
    gpu: str
    gpu_count: Figure[int]
    #: ports that carry storage traffic
    storage_ports: Figure[int]
    storage_link: str
    compute_ports: Figure[int] | None = None
    compute_link: str | None = None
    #: client-side storage ingest limit (bytes/s) where one is published
    ingest_limit: Figure[BytesPerSec] | None = None
    host_memory: Figure[Bytes] | None = None
    local_nvme: Figure[Bytes] | None = None
    #: host JPEG decode rate, images/s, where sourced
    preprocessing_rate: Figure[float] | None = None
    rack_units: Figure[float]
    power_watts: Figure[float]
    #: a placeholder whose figures are assumptions the scenario is expected to override
    generic: bool = False

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _positive_counts(self) -> Server:
        if self.gpu_count.value < 1:
            raise ValueError(f"gpu_count must be at least 1, not {self.gpu_count.value}")
        if self.storage_ports.value < 1:
            raise ValueError(f"storage_ports must be at least 1, not {self.storage_ports.value}")
        if (self.compute_ports is None) != (self.compute_link is None):
            raise ValueError("compute_ports and compute_link go together; give both or neither")
        return self


class Switch(_Frozen):
    """A network switch: port count of one link type."""

    id: str
    name: str
    vendor: str
    link: str
    ports: Figure[int]
    #: aggregate bidirectional switching capacity (bytes/s)
    switching_capacity: Figure[BytesPerSec] | None = None
    rack_units: Figure[float]
    power_watts: Figure[float] | None = None

    _id = field_validator("id")(_check_id)


class StorageUnit(_Frozen):
    """A storage building block (e.g. one IBM ESS 3000: a redundant pair of NSD servers)."""

    id: str
    name: str
    vendor: str
    read_bandwidth: Figure[BytesPerSec]
    write_bandwidth: Figure[BytesPerSec] | None = None
    ports: Figure[int]
    link: str
    rack_units: Figure[float]
    power_watts: Figure[float] | None = None
    capacity: Figure[Bytes] | None = None
    latency_us: Figure[float] | None = None

    _id = field_validator("id")(_check_id)


class Dataset(_Frozen):
    """A dataset: the bytes one sample costs to read (0 for synthetic data)."""

    id: str
    name: str
    bytes_per_sample: Figure[Bytes]
    samples: Figure[int] | None = None
    total_bytes: Figure[Bytes] | None = None

    _id = field_validator("id")(_check_id)


class Throughput(_Frozen):
    """One measured (or derived) per-GPU rate; the row is itself a sourced figure.

    ``gpu`` is a GPU id (exact match, preferred) or a GPU family (fallback).
    """

    gpu: str
    precision: Precision
    phase: Phase
    samples_per_sec: float = Field(gt=0)
    batch: int | None = Field(default=None, ge=1)
    source: str
    confidence: Confidence
    note: str | None = None

    _source = field_validator("source")(_check_source)

    @model_validator(mode="after")
    def _sourced(self) -> Throughput:
        _check_sourced(self.source, self.confidence, self.note)
        return self

    @property
    def value(self) -> float:
        """The figure's value: samples per second per GPU."""
        return self.samples_per_sec


class EmulatedAccelerator(_Frozen):
    """An MLPerf Storage emulated accelerator: batch size and compute time per batch."""

    accelerator: Literal["a100", "h100"]
    batch_size: Figure[int]
    #: emulated compute time per batch (seconds)
    computation_time: Figure[float]
    #: minimum accelerator utilization for a passing run (0..1)
    au_threshold: Figure[float]

    @model_validator(mode="after")
    def _positive(self) -> EmulatedAccelerator:
        if self.batch_size.value < 1:
            raise ValueError(f"batch_size must be at least 1, not {self.batch_size.value}")
        if self.computation_time.value <= 0:
            raise ValueError("computation_time must be positive")
        if not 0 < self.au_threshold.value <= 1:
            raise ValueError(f"au_threshold {self.au_threshold.value} is not in (0, 1]")
        return self


class Model(_Frozen):
    """A workload: a network with per-GPU throughput rows, an MLPerf Storage emulation, or a
    read benchmark (reads as fast as the path allows)."""

    id: str
    name: str
    kind: Literal["cnn", "transformer", "mlperf-storage", "read-benchmark"]
    dataset: str | None = None
    throughput: list[Throughput] = Field(default_factory=list)
    mlperf_storage: list[EmulatedAccelerator] | None = None

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _consistent(self) -> Model:
        if self.kind == "mlperf-storage":
            if not self.mlperf_storage:
                raise ValueError("a model of kind mlperf-storage needs mlperf_storage entries")
            if self.dataset is None:
                raise ValueError("a model of kind mlperf-storage needs a dataset")
            accs = [a.accelerator for a in self.mlperf_storage]
            dup = sorted({a for a in accs if accs.count(a) > 1})
            if dup:
                raise ValueError(f"accelerator {dup[0]!r} is listed twice in mlperf_storage")
        elif self.mlperf_storage is not None:
            raise ValueError(f"mlperf_storage is only for kind mlperf-storage, not {self.kind}")
        if self.kind == "read-benchmark" and self.throughput:
            raise ValueError("a read-benchmark has no throughput rows; it reads as fast as it can")
        seen: set[tuple[str, str, str]] = set()
        for row in self.throughput:
            key = (row.gpu, row.precision, row.phase)
            if key in seen:
                raise ValueError(
                    f"two throughput rows for gpu {row.gpu!r}, {row.precision}, {row.phase}"
                )
            seen.add(key)
        return self


#: catalog sections in file order, with the entry model of each
KINDS: dict[str, type[BaseModel]] = {
    "links": Link,
    "gpus": Gpu,
    "servers": Server,
    "switches": Switch,
    "storage": StorageUnit,
    "datasets": Dataset,
    "models": Model,
}

#: the singular noun of each section, for messages ("unknown storage unit 'x'")
SINGULAR = {
    "links": "link",
    "gpus": "gpu",
    "servers": "server",
    "switches": "switch",
    "storage": "storage unit",
    "datasets": "dataset",
    "models": "model",
}
PLURAL_OF = {v: k for k, v in SINGULAR.items()} | {"storage-unit": "storage", "unit": "storage"}


def kind_key(kind: str) -> str:
    """The section name of ``kind``: "servers" or "server" -> "servers", "unit" -> "storage"."""
    if kind in KINDS:
        return kind
    if kind in PLURAL_OF:
        return PLURAL_OF[kind]
    raise ValueError(f"unknown catalog kind {kind!r}; one of {', '.join(KINDS)}")
