"""The typed entries of the catalog: every kind of entry and its sourced figures.

Every number is a :class:`Figure`: a value plus ``source``, ``confidence`` and, when
derived, a ``note`` with the arithmetic (the letters are explained in :mod:`sizer.catalog`).
Entries are frozen pydantic models with ``extra="forbid"``: a typo'd key is an error.
:data:`KINDS` maps each catalog section to its entry model.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from sizer.limits import MAX_NAME_CHARS, MAX_TEXT_CHARS, text_problem
from sizer.units import Bytes, BytesPerSec

__all__ = [
    "KINDS",
    "Confidence",
    "Dataset",
    "DriveOption",
    "EmulatedAccelerator",
    "Figure",
    "Gpu",
    "Link",
    "Model",
    "ProtectionCode",
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
Precision = Literal["fp32", "fp16", "bf16", "tf32", "fp8", "int8"]
Phase = Literal["training", "inference"]

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check_id(v: str) -> str:
    if len(v) > MAX_NAME_CHARS or not _ID_RE.match(v):
        shown = repr(v) if len(v) <= 60 else f"{v[:40]!r}... ({len(v):,} characters)"
        raise ValueError(
            f"{shown} is not a valid id; use lowercase letters, digits and single hyphens "
            f"(e.g. 'dgx-a100'){f', at most {MAX_NAME_CHARS}' if len(v) > MAX_NAME_CHARS else ''}"
        )
    return v


class _Frozen(BaseModel):
    # allow_inf_nan=False: a catalog is as untrusted as a scenario; ".inf" / ".nan" would
    # reach the JSON output and the report ("nan U").
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


#: Largest figure accepted (1e18: an exabyte, an exabyte per second); larger is a typo and
#: overflows once multiplied by counts.
MAX_FIGURE = 1e18


def _check_text(v: str, allowed: str = "", max_chars: int = MAX_NAME_CHARS) -> str:
    """Refuse control and invisible characters, and over-long text or words, in free text
    (names, vendors, sources, notes): they are printed in terminals and reports."""
    problem = text_problem(v, allowed=allowed, max_chars=max_chars)
    if problem is not None:
        raise ValueError(problem)
    return v


def _plain(v: str) -> str:
    return _check_text(v)


def _opt_plain(v: str | None) -> str | None:
    return None if v is None else _check_text(v)


def _check_source(source: str) -> str:
    _check_text(source, max_chars=MAX_TEXT_CHARS)
    if not source.strip():
        raise ValueError("source must not be blank; cite a URL or a document and section")
    return source


def _check_note(note: str | None) -> str | None:
    return None if note is None else _check_text(note, "\n\t", MAX_TEXT_CHARS)


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
    _note = field_validator("note")(_check_note)

    @field_validator("value", mode="before")
    @classmethod
    def _not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):  # pydantic would read true as 1
            raise ValueError(f"expected a number, got {str(v).lower()}")
        return v

    @model_validator(mode="after")
    def _sourced(self) -> Figure[T]:
        _check_sourced(self.source, self.confidence, self.note)
        v: Any = self.value
        if isinstance(v, int | float) and not isinstance(v, bool):
            if not math.isfinite(v):
                raise ValueError(f"value {v!r} is not a finite number")
            if v < 0:
                raise ValueError(f"value {v!r} is negative")
            if v > MAX_FIGURE:
                raise ValueError(f"value {v:g} is above {MAX_FIGURE:g}, the largest figure")
        return self


def _range(minimum: float, *, above: bool = False, maximum: float | None = None) -> Any:
    """An ``AfterValidator`` bounding a figure's value, so the error names the field
    (``storage[0].ports: ...``)."""

    def check(fig: Figure[Any] | None) -> Figure[Any] | None:
        if fig is None:
            return fig
        v = fig.value
        if above and v <= minimum:
            raise ValueError(f"value {v:g} must be more than {minimum:g}")
        if v < minimum:
            raise ValueError(f"value {v:g} must be at least {minimum:g}")
        if maximum is not None and v > maximum:
            raise ValueError(f"value {v:g} is above the maximum {maximum:g}")
        return fig

    return AfterValidator(check)


_POS = _range(0, above=True)
#: a rate or size something is divided by
PosRate = Annotated[Figure[BytesPerSec], _POS]
PosBytes = Annotated[Figure[Bytes], _POS]
PosFloat = Annotated[Figure[float], _POS]
#: ports of one switch or storage unit (the largest switches have a few hundred; the
#: limit tests use an imaginary 1,000,000-port one)
Ports = Annotated[Figure[int], _range(1, maximum=1_000_000)]
#: GPUs or storage ports of one server (as the scenario's overrides: at most 64)
PerServer = Annotated[Figure[int], _range(1, maximum=64)]
#: link widths the PCI Express Base Specification defines (x1 ... x32)
PCIE_LANE_WIDTHS = (1, 2, 4, 8, 12, 16, 32)


class Link(_Frozen):
    """A link type (one port of it): nominal data rate and the payload rate the model uses."""

    id: str
    name: str
    #: pcie: an NVMe drive's own link inside a server (topology direct-attached), never
    #: cabled to a switch; no storage protocol framing applies to it (sizer.protocols)
    kind: Literal["infiniband", "ethernet", "pcie"]
    #: nominal data rate after line encoding, e.g. 100 Gb/s for EDR 4x (bytes/s)
    data_rate: PosRate
    #: payload per direction used by the flow model (bytes/s)
    effective_rate: PosRate

    _id = field_validator("id")(_check_id)
    _text = field_validator("name")(_plain)

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
    memory: PosBytes
    memory_bandwidth: PosRate | None = None

    _id = field_validator("id", "family")(_check_id)
    _text = field_validator("name")(_plain)


class Server(_Frozen):
    """A GPU server (client node): its GPUs, storage-carrying ports and host limits."""

    id: str
    name: str
    vendor: str
    gpu: str
    gpu_count: PerServer
    #: ports that carry storage traffic
    storage_ports: PerServer
    storage_link: str
    compute_ports: PerServer | None = None
    compute_link: str | None = None
    #: client-side storage read limit (bytes/s) published per host: the file-system
    #: client and data loader together (the client's part (d), :mod:`sizer.hosts`)
    ingest_limit: PosRate | None = None
    #: the client's PCIe part: NIC adapters the storage ports sit on, and each adapter's
    #: PCIe generation and link width (the three go together)
    storage_adapters: PerServer | None = None
    storage_pcie_gen: Annotated[Figure[int], _range(1, maximum=5)] | None = None
    storage_pcie_lanes: Annotated[Figure[int], _range(1, maximum=32)] | None = None
    #: the client's host-memory part: the CPU model (words), its sockets, DDR channels
    #: per socket and their transfer rate in MT/s (the three figures go together)
    cpu: str | None = None
    cpu_sockets: Annotated[Figure[int], _range(1, maximum=16)] | None = None
    memory_channels: Annotated[Figure[int], _range(1, maximum=32)] | None = None
    memory_mts: Annotated[Figure[float], _range(100, maximum=100_000)] | None = None
    host_memory: Figure[Bytes] | None = None
    local_nvme: Figure[Bytes] | None = None
    #: host JPEG decode rate, images/s, where sourced
    preprocessing_rate: PosFloat | None = None
    rack_units: Figure[float]
    power_watts: Figure[float]
    #: weight (kg) where sourced
    weight_kg: Figure[float] | None = None
    #: a placeholder whose figures are assumptions the scenario is expected to override
    generic: bool = False

    _id = field_validator("id")(_check_id)
    _text = field_validator("name", "vendor")(_plain)
    _cpu = field_validator("cpu")(_opt_plain)

    @field_validator("storage_pcie_lanes")
    @classmethod
    def _pcie_width(cls, fig: Figure[int] | None) -> Figure[int] | None:
        if fig is not None and fig.value not in PCIE_LANE_WIDTHS:
            widths = ", ".join(f"x{n}" for n in PCIE_LANE_WIDTHS)
            raise ValueError(f"x{fig.value} is not a PCIe link width; use one of {widths}")
        return fig

    @model_validator(mode="after")
    def _positive_counts(self) -> Server:
        if (self.compute_ports is None) != (self.compute_link is None):
            raise ValueError("compute_ports and compute_link go together; give both or neither")
        for group in (
            ("storage_adapters", "storage_pcie_gen", "storage_pcie_lanes"),
            ("cpu_sockets", "memory_channels", "memory_mts"),
        ):
            given = [f for f in group if getattr(self, f) is not None]
            if given and len(given) < len(group):
                missing = [f for f in group if f not in given]
                raise ValueError(
                    f"{', '.join(group[:-1])} and {group[-1]} go together; "
                    f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
                )
        return self


class Switch(_Frozen):
    """A network switch: port count of one link type."""

    id: str
    name: str
    vendor: str
    link: str
    ports: Ports
    #: aggregate bidirectional switching capacity (bytes/s)
    switching_capacity: PosRate | None = None
    rack_units: Figure[float]
    power_watts: Figure[float] | None = None

    _id = field_validator("id")(_check_id)
    _text = field_validator("name", "vendor")(_plain)


class _SourcedRow(_Frozen):
    """A catalog row that is itself one sourced figure (``source``, ``confidence``, ``note``)."""

    source: str
    confidence: Confidence
    note: str | None = None

    _source = field_validator("source")(_check_source)

    @model_validator(mode="after")
    def _sourced_row(self) -> _SourcedRow:
        _check_sourced(self.source, self.confidence, self.note)
        return self


class DriveOption(_SourcedRow):
    """One orderable drive configuration of a storage unit: ``count`` drives of ``size``."""

    count: int = Field(ge=1, le=10_000)
    #: one drive's capacity (bytes, decimal as vendors quote it)
    size: Bytes

    @property
    def label(self) -> str:
        """``24 x 15.36 TB``: how a scenario names this option."""
        return f"{self.count} x {self.size / 1e12:g} TB"


class ProtectionCode(_SourcedRow):
    """A data-protection code a storage unit offers: ``data`` + ``parity`` strips (Reed-Solomon,
    e.g. 8+2p), or replication (``data`` 1, ``parity`` = extra copies, e.g. 3-way = 1+2)."""

    id: str = Field(min_length=1, max_length=40)
    data: int = Field(ge=1, le=64)
    parity: int = Field(ge=0, le=64)

    @property
    def efficiency(self) -> float:
        """data / (data + parity): 8+2p = 0.8, 3-way replication = 1/3."""
        return self.data / (self.data + self.parity)


class StorageUnit(_Frozen):
    """A storage building block (e.g. one IBM ESS 3000: a redundant pair of NSD servers)."""

    id: str
    name: str
    vendor: str
    read_bandwidth: PosRate
    write_bandwidth: PosRate | None = None
    ports: Ports
    link: str
    rack_units: Figure[float]
    power_watts: Figure[float] | None = None
    capacity: Figure[Bytes] | None = None
    latency_us: Figure[float] | None = None
    #: orderable drive configurations (the first is the default for capacity sizing)
    drives: list[DriveOption] = Field(default_factory=list)
    #: data-protection codes offered (the first is the default)
    protection: list[ProtectionCode] = Field(default_factory=list)
    #: drives' worth of spare (rebuild) space kept free per unit
    spare_drives: Figure[float] | None = None
    #: fraction of the protected capacity the file system itself takes (0..1)
    fs_overhead: Figure[float] | None = None
    #: heaviest configuration's weight (kg)
    weight_kg: Figure[float] | None = None
    #: I/O servers (NSD servers, canisters, controllers) that share the unit's drives and
    #: its bandwidth; losing one leaves the unit (n - 1) / n of both (None: not known)
    io_servers: Annotated[Figure[int], _range(1, maximum=64)] | None = None
    #: other link types the product is also sold with (e.g. InfiniBand or Ethernet ports),
    #: as link ids; ``link`` is the one the figures (and the model) use
    other_links: list[str] = Field(default_factory=list, max_length=16)
    #: read requests per second per unit at requests of ``read_iops_size`` bytes (the
    #: datasheet's IOPS figure and the request size it states); see :mod:`sizer.access`
    read_iops: PosFloat | None = None
    read_iops_size: PosBytes | None = None
    #: files opened (metadata operations) per second per unit; see :mod:`sizer.access`
    file_opens: PosFloat | None = None

    _id = field_validator("id")(_check_id)
    _text = field_validator("name", "vendor")(_plain)

    @model_validator(mode="after")
    def _iops_sized(self) -> StorageUnit:
        if (self.read_iops is None) != (self.read_iops_size is None):
            raise ValueError(
                "read_iops and read_iops_size go together (the IOPS figure and the request "
                "size it is quoted at)"
            )
        if self.read_iops is not None and self.read_iops_size is not None:
            moved = self.read_iops.value * self.read_iops_size.value
            if moved >= self.read_bandwidth.value:
                raise ValueError(
                    f"read_iops x read_iops_size = {moved / 1e9:.4g} GB/s is not below "
                    f"read_bandwidth ({self.read_bandwidth.value / 1e9:.4g} GB/s): such an "
                    "IOPS figure is bandwidth-bound and says nothing of a request's cost"
                )
        return self

    @field_validator("other_links")
    @classmethod
    def _link_ids(cls, v: list[str]) -> list[str]:
        for link in v:
            _check_id(link)
        dup = sorted({x for x in v if v.count(x) > 1})
        if dup:
            raise ValueError(f"link {dup[0]!r} is listed twice in other_links")
        return v

    @model_validator(mode="after")
    def _other_links_not_link(self) -> StorageUnit:
        if self.link in self.other_links:
            raise ValueError(f"other_links repeats link {self.link!r}; list only the others")
        return self


class Dataset(_Frozen):
    """A dataset: the bytes one sample costs to read (0 for synthetic data)."""

    id: str
    name: str
    bytes_per_sample: Figure[Bytes]
    samples: Annotated[Figure[int], _range(1)] | None = None
    total_bytes: Figure[Bytes] | None = None
    #: what one sample is, for rates said in the workload's own unit ("images/s")
    sample_unit: Literal["image", "volume", "record", "token", "sample"] = "sample"
    #: samples stored in one file (record formats pack many; None: one file per sample);
    #: a reader opens a file per ``samples_per_file`` samples (:mod:`sizer.access`)
    samples_per_file: Annotated[Figure[int], _range(1, maximum=1_000_000_000)] | None = None

    _id = field_validator("id")(_check_id)
    _text = field_validator("name")(_plain)


class Throughput(_Frozen):
    """One measured (or derived) per-GPU rate; the row is itself a sourced figure.

    ``gpu`` is a GPU id (exact match, preferred) or a GPU family (fallback).
    """

    gpu: str
    precision: Precision
    phase: Phase
    samples_per_sec: float = Field(gt=0, le=1e12)
    batch: int | None = Field(default=None, ge=1, le=10_000_000, strict=True)
    source: str
    confidence: Confidence
    note: str | None = None
    #: how the rate was measured: on real data (decode and I/O included), on synthetic
    #: data made on the GPU (no input pipeline), on preprocessed real samples decoded and
    #: resized before the timed run and held in memory (MLPerf Inference: no decode or
    #: storage reads timed), derived from other figures, or emulated (MLPerf Storage's
    #: definition); None: the source does not say
    data: Literal["real", "synthetic", "preprocessed", "derived", "emulated"] | None = None
    #: GPUs of the measurement the per-GPU rate comes from (None: not stated)
    gpus_measured: int | None = Field(default=None, ge=1, le=1_000_000, strict=True)

    _source = field_validator("source")(_check_source)
    _note = field_validator("note")(_check_note)

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

    accelerator: Literal["v100", "a100", "h100"]
    batch_size: Annotated[Figure[int], _range(1, maximum=1_000_000)]
    #: emulated compute time per batch (seconds)
    computation_time: Annotated[Figure[float], _range(1e-6)]
    #: minimum accelerator utilization for a passing run (0..1); None where the benchmark
    #: version's bar is not catalogued (the objective's default bar applies)
    au_threshold: Annotated[Figure[float], _range(0, above=True, maximum=1)] | None = None


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
    _text = field_validator("name")(_plain)

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
