"""The hardware and workload catalog: typed, sourced entries loaded from ``catalog/*.yaml``.

Every number in the catalog is a :class:`Figure`: a value plus the document it comes from
(``source``), how much to trust it (``confidence``) and, when it was derived, the arithmetic
(``note``).  Confidence letters:

========  ===========================================================================
``V``     stated by the vendor, a standards body or the benchmark's own configuration
``T``     stated or measured by a third party (partner RA, reseller, press, benchmark)
``D``     derived here; ``note`` must show the arithmetic
``B``     the source document was located but its body could not be checked
``A``     an explicit assumption (allowed, but reports should mark it)
========  ===========================================================================

The built-in catalog lives in the top-level ``catalog/`` directory of a source checkout
and in ``sizer/_data/catalog`` inside an installed wheel (:func:`builtin_catalog_dir`).
Users add their own directories of YAML files (``--catalog DIR``): an entry whose id
already exists replaces the built-in one, a new id extends the catalog.

Examples
--------
>>> cat = load_catalog()
>>> cat.get("storage", "ess-3000").read_bandwidth.value
40000000000.0
>>> round(cat.throughput("unet3d-mlperf", "h100-sxm5-80gb", "fp16", "training")
...       .samples_per_sec, 2)
21.67

References
----------
.. [1] IBM, "IBM Spectrum Storage for AI with NVIDIA DGX Systems: Proven Infrastructure
   Solution for AI Workloads", reference architecture, IBM Systems, 2019.
.. [2] mlcommons/storage, ``configs/dlio/workload/*.yaml`` (MLPerf Storage v1.0/v2.0).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sizer.catalog_entries import (
    KINDS,
    PLURAL_OF,
    SINGULAR,
    Dataset,
    Figure,
    Gpu,
    Link,
    Model,
    Precision,
    Server,
    StorageUnit,
    Switch,
    Throughput,
    kind_key,
)
from sizer.errors import Problem, SizerInputError, shown
from sizer.limits import MAX_SUGGESTED, capped
from sizer.paths import builtin_catalog_dir
from sizer.yamlfile import YamlDoc, fmt_loc, locate, read_yaml

# The entry models (Server, StorageUnit, Gpu, ...) live in sizer.catalog_entries; KINDS and
# Figure are re-exported here.
__all__ = [
    "KINDS",
    "Catalog",
    "Figure",
    "ThroughputMissingError",
    "UnknownIdError",
    "builtin_catalog_dir",
    "load_catalog",
    "suggest",
]


def suggest(word: str, known: Sequence[str], n: int = 3) -> list[str]:
    """Known names close to ``word`` (difflib), best first."""
    return difflib.get_close_matches(word, sorted(known), n=n, cutoff=0.6)


def _did_you_mean(names: Sequence[str]) -> str:
    """``did you mean 'best'?`` -- only the closest name, as click and pydantic do."""
    return f"did you mean {names[0]!r}?"


class UnknownIdError(SizerInputError):
    """A catalog id (server, storage unit, model, ...) is not in the catalog.

    The message suggests the nearest ids (``unknown server 'dgx1'; did you mean 'dgx-1'?``),
    or lists a few known ids when nothing is close.  ``.message`` is the text without a
    location; :meth:`at` gives the same error located in a scenario file.
    """

    def __init__(
        self,
        kind: str,
        id: str,
        suggestions: Sequence[str],
        known: Sequence[str] = (),
        *,
        file: str = "catalog",
        line: int | None = None,
        col: int | None = None,
        loc: str = "",
    ) -> None:
        self.kind = kind_key(kind) if kind in KINDS or kind in PLURAL_OF else kind
        self.id = id
        self.suggestions = list(suggestions)
        self.known = sorted(known)
        what = SINGULAR.get(self.kind, kind)
        msg = f"unknown {what} {shown(id)}"
        if self.suggestions:
            msg += f"; {_did_you_mean(self.suggestions)}"
        elif self.known:
            first = self.known[:8]
            more = f" (and {len(self.known) - 8} more)" if len(self.known) > 8 else ""
            known_what = self.kind if self.kind in KINDS else "ids"
            msg += f"; known {known_what}: {', '.join(first)}{more}"
        self.message = msg
        super().__init__([Problem(file, line, col, loc, msg, type="unknown-id")])

    def at(self, file: str, line: int | None, col: int | None, loc: str) -> UnknownIdError:
        """The same error, located at ``file:line:col`` and field path ``loc``."""
        return UnknownIdError(
            self.kind, self.id, self.suggestions, self.known, file=file, line=line, col=col, loc=loc
        )


class ThroughputMissingError(SizerInputError):
    """The catalog has no throughput for this (model, GPU, precision, phase); the message
    names the rows that are available."""

    def __init__(
        self,
        model_id: str,
        gpu_id: str,
        precision: str,
        phase: str,
        available: Sequence[str],
        reason: str = "",
    ) -> None:
        self.model_id = model_id
        self.gpu_id = gpu_id
        self.precision = precision
        self.phase = phase
        self.available = list(available)
        msg = f"no throughput for model {model_id!r} on gpu {gpu_id!r} at {precision} {phase}"
        if reason:
            msg += f"; {reason}"
        if self.available:
            msg += f"; available: {', '.join(self.available)}"
        self.message = msg
        super().__init__([Problem("catalog", None, None, "", msg, type="throughput-missing")])


class Catalog(BaseModel):
    """All catalog entries by kind and id, plus where each was defined."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    links: dict[str, Link]
    gpus: dict[str, Gpu]
    servers: dict[str, Server]
    switches: dict[str, Switch]
    storage: dict[str, StorageUnit]
    datasets: dict[str, Dataset]
    models: dict[str, Model]
    #: (kind, id) -> "file:line" where the entry in use was defined
    sources: dict[tuple[str, str], str] = Field(default_factory=dict)

    def _section(self, kind: str) -> dict[str, Any]:
        section: dict[str, Any] = getattr(self, kind_key(kind))
        return section

    def get(self, kind: str, id: str) -> Any:
        """The entry ``id`` of ``kind`` ("servers" or "server", "storage", ...).

        Raises
        ------
        UnknownIdError
            With the nearest known ids as suggestions.
        """
        section = self._section(kind)
        if id in section:
            return section[id]
        known = list(section)
        raise UnknownIdError(kind_key(kind), id, suggest(id, known), known)

    def gpu_family(self, gpu: str) -> str:
        """The family of a GPU id, or ``gpu`` itself when it already names a family."""
        if gpu in self.gpus:
            return self.gpus[gpu].family
        if gpu in {g.family for g in self.gpus.values()}:
            return gpu
        known = list(self.gpus) + sorted({g.family for g in self.gpus.values()})
        raise UnknownIdError("gpus", gpu, suggest(gpu, known), list(self.gpus))

    def throughput(self, model_id: str, gpu_id: str, precision: str, phase: str) -> Throughput:
        """Per-GPU samples/s of a model on a GPU, at a precision and phase.

        A row for the exact GPU id wins over a row for its family.  For an MLPerf Storage
        model the rate is the benchmark's own definition, ``batch_size / computation_time``
        of the emulated accelerator of the GPU's family (any precision; training only).

        Raises
        ------
        UnknownIdError
            Unknown model or GPU.
        ThroughputMissingError
            No row matches; the message lists the rows that exist.
        """
        model: Model = self.get("models", model_id)
        family = self.gpu_family(gpu_id)
        if model.kind == "read-benchmark":
            raise ThroughputMissingError(
                model_id,
                gpu_id,
                precision,
                phase,
                [],
                "a read benchmark has no per-GPU rate; it reads as fast as the path allows",
            )
        if model.kind == "mlperf-storage":
            return self._mlperf_throughput(model, gpu_id, family, precision, phase)
        for key in (gpu_id, family):
            for row in model.throughput:
                if row.gpu == key and row.precision == precision and row.phase == phase:
                    return row
        available = [f"{r.gpu} {r.precision} {r.phase}" for r in model.throughput]
        raise ThroughputMissingError(model_id, gpu_id, precision, phase, available)

    def _mlperf_throughput(
        self, model: Model, gpu_id: str, family: str, precision: str, phase: str
    ) -> Throughput:
        accs = model.mlperf_storage or []
        available = [f"{a.accelerator} (any precision) training" for a in accs]

        def missing(reason: str) -> ThroughputMissingError:
            return ThroughputMissingError(model.id, gpu_id, precision, phase, available, reason)

        if phase != "training":
            raise missing("MLPerf Storage emulates training only")
        for acc in accs:
            if acc.accelerator == family:
                b, t = acc.batch_size.value, acc.computation_time.value
                rate = b / t
                return Throughput(
                    gpu=family,
                    precision=typing.cast(Precision, precision),
                    phase="training",
                    samples_per_sec=rate,
                    batch=b,
                    source=_join_sources(acc.batch_size.source, acc.computation_time.source),
                    confidence="D",
                    data="emulated",
                    note=(
                        f"MLPerf Storage emulated {family.upper()}: batch_size {b} / "
                        f"computation_time {t:g} s = {rate:.4g} samples/s at 100% accelerator "
                        + (
                            f"utilization (pass needs AU >= {acc.au_threshold.value:g})"
                            if acc.au_threshold is not None
                            else "utilization (the benchmark version's AU bar is not "
                            "catalogued: the objective's bar applies)"
                        )
                    ),
                )
        raise missing(f"MLPerf Storage does not emulate the {family} family")

    def entries(self) -> Iterator[tuple[str, str, BaseModel]]:
        """Every entry as ``(kind, id, entry)``, sorted by kind then id."""
        for kind in sorted(KINDS):
            section = self._section(kind)
            for id_ in sorted(section):
                yield kind, id_, section[id_]

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of all entries; independent of file layout."""
        blob: dict[str, dict[str, Any]] = {}
        for kind, id_, entry in self.entries():
            blob.setdefault(kind, {})[id_] = entry.model_dump(mode="json")
        text = json.dumps(blob, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _join_sources(*sources: str) -> str:
    return "; ".join(dict.fromkeys(sources))


# --------------------------------------------------------------------------- loading


class _Origin(typing.NamedTuple):
    doc: YamlDoc
    path: tuple[str | int, ...]


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """Field names of the model found by following ``loc`` from ``model``."""
    ann: Any = model
    for part in loc:
        ann = _unwrap(ann)
        if isinstance(part, int):
            if typing.get_origin(ann) is list:
                ann = typing.get_args(ann)[0]
                continue
            return None
        if isinstance(ann, type) and issubclass(ann, BaseModel) and part in ann.model_fields:
            ann = ann.model_fields[part].annotation
            continue
        return None
    ann = _unwrap(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return list(ann.model_fields)
    return None


def _unwrap(ann: Any) -> Any:
    origin = typing.get_origin(ann)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return ann


def _problems_from_validation(
    err: ValidationError, model: type[BaseModel], doc: YamlDoc, base: tuple[str | int, ...]
) -> list[Problem]:
    out: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        full = (*base, *loc)
        etype = e["type"]
        msg = e["msg"]
        if etype == "extra_forbidden":
            key = str(loc[-1])
            allowed = _fields_at(model, loc[:-1]) or []
            close = suggest(key, allowed)
            if close:
                msg = f"unknown key {key!r}; {_did_you_mean(close)}"
            else:
                msg = f"unknown key {key!r}; expected one of: {', '.join(allowed)}"
            line, col = locate(doc, full, prefer_key=True)
        elif etype == "missing":
            msg = f"missing required key {loc[-1]!r}"
            line, col = locate(doc, full)
        else:
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            line, col = locate(doc, full)
        out.append(Problem(doc.path, line, col, fmt_loc(full), msg, type=etype))
    return out


def _located(
    doc: YamlDoc,
    where: tuple[str | int, ...],
    loc: str,
    msg: str,
    type_: str,
    *,
    prefer_key: bool = False,
) -> Problem:
    """A problem at the value (or, with ``prefer_key``, the key) found at path ``where``."""
    line, col = locate(doc, where, prefer_key=prefer_key)
    return Problem(doc.path, line, col, loc, msg, type=type_)


def _read_dir(
    directory: Path, display_dir: str, problems: list[Problem], failed: dict[str, set[str]]
) -> dict[str, dict[str, tuple[BaseModel, _Origin]]]:
    """Validate every ``*.yaml`` file of one catalog directory.

    Problems are appended to ``problems``; the ids of entries that failed validation are
    added to ``failed`` so that references to them are not reported a second time.
    """
    layer: dict[str, dict[str, tuple[BaseModel, _Origin]]] = {k: {} for k in KINDS}
    files = [directory] if directory.is_file() else sorted(directory.glob("*.yaml"))
    for f in files:
        shown = f"{display_dir}/{f.name}" if directory.is_dir() else display_dir
        try:
            # keep_going: a duplicate key or a tag does not hide the entries' problems
            doc = read_yaml(f, display=shown, kind="catalog", keep_going=True)
        except SizerInputError as e:
            problems.extend(e.problems)
            continue
        problems.extend(doc.problems)
        for section, items in doc.data.items():
            if section not in KINDS:
                close = suggest(section, list(KINDS))
                hint = _did_you_mean(close) if close else f"expected one of: {', '.join(KINDS)}"
                msg = f"unknown catalog section {section!r}; {hint}"
                problems.append(
                    _located(doc, (section,), section, msg, "unknown-section", prefer_key=True)
                )
                continue
            if not isinstance(items, list):
                msg = f"{section} must be a list of entries (- id: ...)"
                problems.append(_located(doc, (section,), section, msg, "list_type"))
                continue
            model = KINDS[section]
            for i, item in enumerate(items):
                path: tuple[str | int, ...] = (section, i)
                if not isinstance(item, dict):
                    msg = "each entry must be a mapping with an id"
                    problems.append(_located(doc, path, fmt_loc(path), msg, "model_type"))
                    continue
                try:
                    entry = model.model_validate(item)
                except ValidationError as e:
                    found = _problems_from_validation(e, model, doc, path)
                    problems.extend(p for p in found if not doc.left_out(p.loc))
                    if isinstance(item.get("id"), str):
                        failed[section].add(item["id"])
                        if section == "gpus" and isinstance(item.get("family"), str):
                            failed["families"].add(item["family"])
                    continue
                id_ = typing.cast(str, getattr(entry, "id"))  # noqa: B009
                if id_ in layer[section]:
                    first = layer[section][id_][1]
                    fline, _ = locate(first.doc, first.path)
                    at = (*path, "id")
                    msg = (
                        f"duplicate {SINGULAR[section]} id {id_!r} "
                        f"(first defined at {first.doc.path}:{fline})"
                    )
                    problems.append(_located(doc, at, fmt_loc(at), msg, "duplicate-id"))
                    continue
                layer[section][id_] = (entry, _Origin(doc, path))
    return layer


def _check_refs(
    merged: dict[str, dict[str, tuple[BaseModel, _Origin]]],
    problems: list[Problem],
    failed: dict[str, set[str]],
) -> None:
    ids = {k: set(v) for k, v in merged.items()}
    families = {typing.cast(Gpu, g).family for g, _ in merged["gpus"].values()}
    skip = {k: failed[k] for k in KINDS}
    skip["gpus"] = skip["gpus"] | failed["families"]

    unknown = [0]  # did-you-mean for the first MAX_SUGGESTED only (issue 18)
    known_of: dict[str, tuple[list[str], list[str]]] = {}

    def check(
        origin: _Origin,
        field_path: tuple[str | int, ...],
        value: str | None,
        kind: str,
        extra: set[str] | None = None,
    ) -> None:
        if value is None or value in ids[kind] or (extra and value in extra):
            return
        if value in skip[kind]:  # the entry exists but is invalid; reported already
            return
        unknown[0] += 1
        if kind not in known_of:
            known_of[kind] = sorted(ids[kind]), sorted(ids[kind] | (extra or set()))
        ids_sorted, known = known_of[kind]
        close = suggest(value, known) if unknown[0] <= MAX_SUGGESTED else []
        err = UnknownIdError(kind, value, close, ids_sorted)
        full = (*origin.path, *field_path)
        problems.append(_located(origin.doc, full, fmt_loc(full), err.message, "unknown-id"))

    for entry, origin in merged["servers"].values():
        s = typing.cast(Server, entry)
        check(origin, ("gpu",), s.gpu, "gpus")
        check(origin, ("storage_link",), s.storage_link, "links")
        check(origin, ("compute_link",), s.compute_link, "links")
    for entry, origin in merged["switches"].values():
        check(origin, ("link",), typing.cast(Switch, entry).link, "links")
    for entry, origin in merged["storage"].values():
        unit = typing.cast(StorageUnit, entry)
        check(origin, ("link",), unit.link, "links")
        for i, link in enumerate(unit.other_links):
            check(origin, ("other_links", i), link, "links")
    for entry, origin in merged["models"].values():
        m = typing.cast(Model, entry)
        check(origin, ("dataset",), m.dataset, "datasets")
        for i, row in enumerate(m.throughput):
            check(origin, ("throughput", i, "gpu"), row.gpu, "gpus", families)


def _load(dirs: tuple[tuple[str, str], ...]) -> Catalog:
    """Load and merge catalog layers ``(path, display name)``; later layers win by id."""
    problems: list[Problem] = []
    merged: dict[str, dict[str, tuple[BaseModel, _Origin]]] = {k: {} for k in KINDS}
    failed: dict[str, set[str]] = {k: set() for k in [*KINDS, "families"]}
    for path, display in dirs:
        p = Path(path)
        if not p.exists():
            problems.append(
                Problem(display, None, None, "", "no such catalog directory", type="file")
            )
            continue
        if not p.is_dir() and not p.is_file():
            problems.append(
                Problem(
                    display,
                    None,
                    None,
                    "",
                    "is not a directory of *.yaml files nor a YAML file",
                    "give --catalog a directory",
                    type="file",
                )
            )
            continue
        if p.is_dir() and not any(p.glob("*.yaml")):
            problems.append(
                Problem(
                    display, None, None, "", "catalog directory holds no *.yaml files", type="file"
                )
            )
            continue
        layer = _read_dir(p, display, problems, failed)
        for kind, entries in layer.items():
            merged[kind].update(entries)
    _check_refs(merged, problems, failed)
    if problems:
        raise SizerInputError(capped(problems))
    sources: dict[tuple[str, str], str] = {}
    for kind, entries in merged.items():
        for id_, (_, origin) in entries.items():
            line, _ = locate(origin.doc, origin.path)
            sources[(kind, id_)] = f"{origin.doc.path}:{line}"
    sections = {k: {i: e for i, (e, _) in sorted(v.items())} for k, v in merged.items()}
    return Catalog.model_validate({**sections, "sources": dict(sorted(sources.items()))})


@functools.lru_cache(maxsize=4)
def _load_cached(dirs: tuple[tuple[str, str], ...]) -> Catalog:
    return _load(dirs)


def load_catalog(extra_dirs: Sequence[Path | str] = ()) -> Catalog:
    """Load the built-in catalog, then each user directory (or file) in ``extra_dirs``.

    Parameters
    ----------
    extra_dirs : sequence of path
        Directories of ``*.yaml`` catalog files (or single files).  An entry whose id
        exists already replaces it; a new id extends the catalog.

    Returns
    -------
    Catalog
        Cached when no extra directories are given.

    Raises
    ------
    SizerInputError
        Every problem found, each with ``file:line:col`` and a field path such as
        ``servers[2].gpu``: bad values, unknown keys (with a did-you-mean), unknown
        sections, duplicate ids, and cross references to ids that do not exist.
    """
    builtin = builtin_catalog_dir()
    layers = [(str(builtin), "catalog")]
    layers += [(str(Path(d)), str(d)) for d in extra_dirs]
    key = tuple(layers)
    if not extra_dirs:
        return _load_cached(key)
    return _load(key)
