"""The report's content as plain data: what the templates print, nothing they compute.

``build_context(...)`` is pure: it takes the scenario text, the analysis (and, when
available, scaling and memory results), the date and the version, and returns a dict of
strings, numbers, lists and dicts.  Every number is already formatted by
:mod:`sizer.report.fmt`, so the HTML, the PDF and the tests print one spelling of it.
Strings are raw (not escaped): the jinja2 environment escapes them.

The section order is fixed here (:func:`sections`); the template walks it.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from datetime import date as Date
from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.report.capacity_view import capacity_context
from sizer.report.components_view import components, glossary, not_modeled
from sizer.report.cost_view import cost_context
from sizer.report.design_view import bom_context, design_text
from sizer.report.fmt import join_words, workload_label
from sizer.report.memory_view import memory_rows
from sizer.report.names import words_for
from sizer.report.parts_view import parts_context
from sizer.report.racks_view import racks_context
from sizer.report.sources_view import (
    CONFIDENCE,
    RATES_IN_SOURCES,
    assumptions,
    confidence_sentence,
    throughput_sources,
    used_rows,
)
from sizer.text import bottleneck_sentence, group_role, kind_noun

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog

__all__ = ["CONFIDENCE", "build_context", "fingerprint", "header_text"]


TOPOLOGY_WORDS = {
    "single-switch": "single-switch",
    "dual-switch": "two-switch",
    "leaf-spine": "leaf-spine (fat-tree)",
}

#: Header text is cut to this many characters (running header of every PDF page).
HEADER_CHARS = 80


def fingerprint(scenario_bytes: bytes, catalog_digest: str) -> str:
    """A short hash of the scenario file and the catalog used: 12 hex digits.

    >>> fingerprint(b"name: x\\n", "0" * 64)
    'd546c6586130'
    """
    h = hashlib.sha256()
    h.update(scenario_bytes)
    h.update(b"\0")
    h.update(catalog_digest.encode("ascii"))
    return h.hexdigest()[:12]


def header_text(name: str, limit: int = HEADER_CHARS) -> str:
    """The scenario name cut to fit the running header."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _cap_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def _with_kind(group: str, kind: str) -> str:
    """``ESS 3000 ×1 (storage)``; no repeat when the group name says it already (``switch
    → DGX-1 links``, ``SB7800 switches``)."""
    words = kind_noun(kind)
    said = (
        words.lower() in group.lower()
        or (group.endswith((" links", " switches")) and kind in ("link", "switch"))
        or (kind == "client" and " host " in f" {group} ")  # "DGX-1 ×9 host memory"
    )
    return group if said else f"{group} ({words})"


# --------------------------------------------------------------------------- sections


def sections(
    has_scaling: bool, has_memory: bool, has_checkpoint: bool = False
) -> list[dict[str, str]]:
    """The report's numbered sections, in order (the cover is not numbered)."""
    rows = [
        ("summary", "Executive summary"),
        ("design", "Design and bill of materials"),
        ("components", "Components"),
        ("capacity", "Capacity"),
        ("racks", "Racks, power and weight"),
        ("analysis", "Data-path analysis"),
    ]
    if has_scaling:
        rows.append(("scaling", "Scaling"))
    if has_checkpoint:
        rows.append(("checkpoints", "Checkpoints"))
    if has_memory:
        rows.append(("memory", "GPU memory"))
    rows += [
        ("sources", "Assumptions and sources"),
        ("glossary", "Glossary"),
        ("appendix", "Appendix: the scenario as given"),
    ]
    return [{"id": i, "number": str(n), "title": t} for n, (i, t) in enumerate(rows, 1)]


# --------------------------------------------------------------------------- summary


def servers_words(a: Analysis) -> str:
    """The compute groups, one phrase per server model, with each group's role when one
    model serves several: ``32 × NVIDIA DGX H100 (16 for UNet3D training, 16 for
    ResNet-50 training)``, not ``16 × NVIDIA DGX H100 and 16 × NVIDIA DGX H100``."""
    by_model: dict[str, list[Any]] = {}
    for g in a.design.servers:
        by_model.setdefault(g.server_name, []).append(g)
    parts = []
    for model, groups in by_model.items():
        total = sum(g.count for g in groups)
        text = f"{fmt.count(total)} × {model}"
        by_role: dict[str, int] = {}
        for g in groups:
            role = group_role(a.design, g.index, short=True)
            by_role[role] = by_role.get(role, 0) + g.count
        if len(by_role) > 1:
            text += " (" + ", ".join(f"{fmt.count(n)} for {r}" for r, n in by_role.items()) + ")"
        parts.append(text)
    return join_words(parts)


def _servers_phrase(a: Analysis) -> str:
    return f"{servers_words(a)}, {fmt.count(a.design.total_gpus)} GPUs in all,"


def _storage_phrase(a: Analysis) -> str:
    d = a.design
    if d.direct_attached:
        return join_words([f"{s.count} × {s.unit_name} in every server" for s in d.storage])
    return join_words([f"{s.count} × {s.unit_name}" for s in d.storage])


def _workloads_phrase(a: Analysis) -> str:
    labels = [workload_label(a, w.index) for w in a.workloads if not w.unbounded]
    if len(labels) > 3:
        return f"{len(labels)} workloads"
    return join_words(labels)


def _summary(a: Analysis, scaling: dict[str, Any] | None) -> list[str]:
    """The answer in three sentences."""
    d = a.design
    fabric = f"a {TOPOLOGY_WORDS.get(d.topology, d.topology)} {d.switch_name} fabric"
    if d.direct_attached:
        fabric = "their own PCIe links (no storage network)"
    gpu_work = [w for w in a.workloads if not w.unbounded]
    if gpu_work and a.samples_alike:
        s1 = (
            f"{_servers_phrase(a)} and {_storage_phrase(a)} on {fabric} deliver "
            f"{fmt.images(a.images_per_sec)} {a.sample_unit}s/s for {_workloads_phrase(a)}, "
            f"reading {fmt.rate(a.read_bytes_per_sec)} from storage."
        )
    elif gpu_work:  # unlike samples: each workload in its own unit, no sum
        each = join_words(
            [
                f"{fmt.images(w.images_per_sec)} {d.workloads[w.index].sample_unit}s/s of "
                f"{workload_label(a, w.index)}"
                for w in gpu_work
            ]
        )
        s1 = (
            f"{_servers_phrase(a)} and {_storage_phrase(a)} on {fabric} deliver {each}, "
            f"reading {fmt.rate(a.read_bytes_per_sec)} from storage."
        )
    else:
        s1 = (
            f"{_servers_phrase(a)} and {_storage_phrase(a)} on {fabric} read "
            f"{fmt.rate(a.read_bytes_per_sec)} from storage in the "
            f"{join_words([workload_label(a, w.index) for w in a.workloads])} benchmark."
        )
    words = words_for(a)
    b = words(bottleneck_sentence(a))
    s2 = f"The design is {b}." if not b.startswith("no GPU") else _cap_first(b) + "."
    if scaling is not None and scaling.get("summary_sentence"):
        s3 = scaling["summary_sentence"]
    elif (
        a.bottleneck is not None
        and a.read_bytes_per_sec > 0
        and gpu_work
        and math.isfinite(a.demand_read_bytes_per_sec)
        and a.demand_read_bytes_per_sec > a.read_bytes_per_sec
    ):
        need = a.demand_read_bytes_per_sec / a.read_bytes_per_sec
        s3 = (
            f"Feeding every GPU fully takes {fmt.factor(need)} the data rate the POD "
            f"delivers today ({fmt.rate(a.demand_read_bytes_per_sec)} wanted, "
            f"{fmt.rate(a.read_bytes_per_sec)} delivered): relieve "
            f"{words(a.bottleneck['group'])} first."
        )
    else:
        top = [r for r in a.top_resources(1) if r.load > 0]
        if top:
            r = top[0]
            if r.saturated:
                s3 = (
                    f"{_cap_first(_with_kind(words(r.group), r.kind))} runs at "
                    f"{fmt.pct(r.utilization)}: it sets the limit, so more of it raises "
                    "the result."
                )
            else:
                s3 = (
                    f"The busiest resource, {_with_kind(words(r.group), r.kind)}, "
                    f"runs at {fmt.pct(r.utilization)}, so demand can grow "
                    f"{fmt.factor(r.headroom)} before anything in the data path saturates."
                )
        else:
            s3 = "Nothing in the data path carries load."
    return [s1, s2, s3, *_provenance_warning(a)]


def _summary_with_confidence(
    a: Analysis, scaling: dict[str, Any] | None, cat: Catalog | None
) -> list[str]:
    """The summary, and which weak (B or A) catalog figures it rests on."""
    conf = confidence_sentence(a, cat)
    return _summary(a, scaling) + ([conf] if conf else [])


def _provenance_warning(a: Analysis) -> list[str]:
    """A sentence when a demand rests on a synthetic-data measurement (no input pipeline:
    a real-data run may decode fewer samples per second than the GPU computes), and one
    when it rests on preprocessed input (MLPerf Inference: samples decoded before the
    timed run and held in memory, so the same upper bound)."""

    def measured_on(kind: str) -> list[str]:
        return [
            workload_label(a, w.index)
            for w in a.design.workloads
            if not w.unbounded and any(data == kind for data, _n in w.throughput_data.values())
        ]

    out: list[str] = []
    synth = measured_on("synthetic")
    if synth:
        out.append(
            f"Demand note: the per-GPU rate of {join_words(synth)} was measured on synthetic "
            "data (generated on the GPU, no JPEG decode or data loading), so it is an upper "
            "bound: a real-data pipeline may be bound by host preprocessing first, which this "
            "report does not model without a catalog figure for it."
        )
    pre = measured_on("preprocessed")
    if pre:
        out.append(
            f"Demand note: the per-GPU rate of {join_words(pre)} was measured on preprocessed "
            "input (decoded and resized before the timed run and held in memory, as MLPerf "
            "Inference does), so it is what the GPUs consume, an upper bound: a pipeline that "
            "reads and decodes every sample may be bound by host preprocessing first, which "
            "this report does not model without a catalog figure for it."
        )
    return out


def _key_figures(a: Analysis) -> list[dict[str, str]]:
    d = a.design
    words = words_for(a)
    rows: list[tuple[str, str]] = [
        ("GPU servers", servers_words(a)),
        (
            "GPUs",
            f"{fmt.count(d.total_gpus)} × " + join_words(sorted({g.gpu_name for g in d.servers})),
        ),
        (
            "Storage",
            _storage_phrase(a)
            + f" ({fmt.rate(sum(s.count * s.read_bandwidth for s in d.storage))} read in all)",
        ),
        (
            "Fabric",
            "none: drives inside every server (direct-attached)"
            if d.direct_attached
            else f"{len(a.fabric.switches)} × {d.switch_name}, "
            f"{TOPOLOGY_WORDS.get(d.topology, d.topology)}",
        ),
    ]
    if any(not w.unbounded for w in a.workloads) and a.samples_alike:
        unit = a.sample_unit or "sample"
        rows.append(
            (f"{unit.capitalize()}s per second", f"{fmt.images(a.images_per_sec)} {unit}s/s")
        )
    rows.append(("Read from storage", f"{fmt.rate(a.read_bytes_per_sec)}"))
    if a.gpu_data_utilization is not None:
        rows.append(("GPU data utilization", fmt.pct(a.gpu_data_utilization)))
    if a.bottleneck is None:
        rows.append(("Bottleneck", "none: compute-bound"))
    else:
        b = a.bottleneck
        rows.append(
            (
                "Bottleneck",
                f"{_with_kind(words(b['group']), b['kind'])} at {fmt.pct(b['utilization'])}",
            )
        )
    top = [r for r in a.top_resources(1) if r.load > 0]
    if top:
        r = top[0]
        rows.append(
            (
                "Busiest resource",
                f"{_with_kind(words(r.group), r.kind)} at {fmt.pct(r.utilization)} of capacity",
            )
        )
    t = d.target
    if t.gpu_data_utilization is not None:
        fed = [w.gpu_data_utilization for w in a.workloads if w.gpu_data_utilization is not None]
        if fed:
            low = min(fed)
            met = "met" if low >= t.gpu_data_utilization - 1e-9 else "NOT met"
            rows.append(
                (
                    "Target",
                    f"every GPU ≥ {fmt.pct(t.gpu_data_utilization)} fed: {met} "
                    f"(lowest workload {fmt.pct(low)})",
                )
            )
    if t.images_per_sec is not None:
        met = "met" if a.images_per_sec >= t.images_per_sec - 1e-9 else "NOT met"
        rows.append(("Target", f"{fmt.images(t.images_per_sec)} images/s: {met}"))
    return [{"label": k, "value": v} for k, v in rows]


# --------------------------------------------------------------------------- analysis


def _workload_rows(a: Analysis) -> list[dict[str, str]]:
    rows = []
    words = words_for(a)
    for w in a.workloads:
        spec = a.design.workloads[w.index]
        if w.unbounded:  # a read benchmark: no model, phase, precision or GPUs
            detail = f"{spec.model_name}: no GPU work, reads as fast as the data path allows"
        else:  # catalog names, not ids
            detail = (
                f"{spec.model_name}, {w.phase}, {w.precision.upper()}, "
                f"{fmt.dataset_words(spec) or 'no dataset'}"
            )
        rows.append(
            {
                "label": w.label if spec.named else f"{spec.model_name.split(' (')[0]} {w.phase}",
                "detail": detail,
                "model": w.model,
                "phase": w.phase,
                "precision": w.precision,
                "dataset": w.dataset or "–",
                "gpus": "–" if w.unbounded else fmt.count(w.gpus),
                "demand_images": fmt.images(w.demand_images_per_sec)
                if not w.unbounded
                else "unbounded",
                "images": fmt.images(w.images_per_sec) if not w.unbounded else "–",
                "demand_rate": fmt.rate(w.demand_read_bytes_per_sec)
                if not w.unbounded
                else "unbounded",
                "rate": fmt.rate(w.read_bytes_per_sec),
                "util": fmt.pct(w.gpu_data_utilization),
                "bound_by": words(w.bound_by["group"]),
                "bound_kind": kind_noun(w.bound_by["kind"]),
                "cache": w.cache_note,
            }
        )
    return rows


def _direction_words(kind: str, capacity: float) -> str:
    """Which way a link's or switch's capacity counts: reads flow one way, so the model
    uses the per-direction figure; a switch's datasheet figure is bidirectional (twice)."""
    if kind == "link":
        return "per direction"
    if kind == "switch":
        return f"per direction ({fmt.bits_rate(2 * capacity)} bidirectional)"
    return ""


def _resource_rows(a: Analysis) -> list[dict[str, Any]]:
    counts = Counter(r.group for r in a.resources)
    bgroup = a.bottleneck["group"] if a.bottleneck else None
    words = words_for(a)
    direct = a.design.direct_attached  # its only links are the drives' PCIe
    rows = []
    for r in a.top_resources(len(counts)):
        rows.append(
            {
                "group": words(r.group),
                "label": _with_kind(words(r.group), r.kind),
                "kind": "PCIe link" if direct and r.kind == "link" else kind_noun(r.kind),
                "count": fmt.count(counts[r.group]),
                "capacity": fmt.capacity(r.capacity, r.unit),
                "direction": _direction_words(r.kind, r.capacity),
                "load": fmt.capacity(r.load, r.unit),
                "utilization": r.utilization,  # for the chart
                "util": fmt.pct(r.utilization),
                "headroom": fmt.factor(r.headroom),
                "saturated": r.saturated,
                "bottleneck": r.group == bgroup,
            }
        )
    return rows


# --------------------------------------------------------------------------- sources


# --------------------------------------------------------------------------- memory


# --------------------------------------------------------------------------- entry point


def build_context(
    *,
    analysis: Analysis,
    scenario_text: str,
    scenario_file: str,
    fingerprint_hex: str,
    report_date: Date,
    version: str,
    catalog: Catalog | None = None,
    scaling: dict[str, Any] | None = None,
    memory: list[dict[str, Any]] | None = None,
    diagram_svg: str = "",
    diagram_caption: str = "",
    checkpoint: dict[str, Any] | None = None,
    prices: Any = None,
) -> dict[str, Any]:
    """Everything the report prints, as plain data.

    Parameters
    ----------
    analysis : Analysis
        From :func:`sizer.analysis.analyze`.
    scenario_text : str
        The scenario file as given (printed, escaped, in the appendix).
    scenario_file : str
        Its file name as the user passed it.
    fingerprint_hex : str
        :func:`fingerprint` of the scenario bytes and catalog digest.
    report_date : datetime.date
        Printed on the cover (``SOURCE_DATE_EPOCH`` when set, see :mod:`sizer.report`).
    version : str
        sizer's version.
    catalog : Catalog, optional
        For link names.
    scaling : dict, optional
        Plain data from the scaling stage (see :func:`sizer.report.scaling_context`).
    memory : list of dict, optional
        Memory cases and their estimates.
    diagram_svg, diagram_caption : str
        The topology diagram (inline SVG, already safe) and its caption.
    checkpoint : dict, optional
        Plain data of the checkpoint section (:func:`sizer.report.checkpoint_view.checkpoint_context`).
    prices : PriceList, optional
        The user's price list (``--prices``): the cost table and the exports' price columns.

    Returns
    -------
    dict
    """
    a = analysis
    d = a.design
    mem = memory_rows(memory)
    ctx: dict[str, Any] = {
        "title": "Storage and fabric sizing report",
        "scenario_name": d.name,
        "header": header_text(d.name),
        "description": d.description,
        "scenario_file": scenario_file,
        "date": report_date.isoformat(),
        "version": version,
        "fingerprint": fingerprint_hex,
        "catalog_digest": d.catalog_digest[:12],
        "sections": sections(scaling is not None, mem is not None, checkpoint is not None),
        "summary": _summary_with_confidence(a, scaling, catalog)
        + ([checkpoint["summary"]] if checkpoint else []),
        "key_figures": _key_figures(a) + (scaling or {}).get("key_figures", []),
        "bottleneck_sentence": _cap_first(words_for(a)(bottleneck_sentence(a))),
        "design_text": design_text(a, cat=catalog),
        "bom": bom_context(a, catalog),
        "capacity": capacity_context(a),
        "racks": racks_context(a, catalog),
        "parts": parts_context(a, prices, catalog),
        "cost": cost_context(a, prices),
        "diagram_svg": diagram_svg,
        "diagram_caption": diagram_caption,
        "workloads": _workload_rows(a),
        "resources": _resource_rows(a),
        "aggregate": {
            "images": fmt.images(a.images_per_sec),
            "rate": fmt.rate(a.read_bytes_per_sec),
            # a read benchmark's demand is unbounded: the total prints no sum of it
            "demand_rate": fmt.rate(a.demand_read_bytes_per_sec)
            if math.isfinite(a.demand_read_bytes_per_sec)
            else "–",
            "util": fmt.pct(a.gpu_data_utilization),
            "has_images": any(not w.unbounded for w in a.workloads) and a.samples_alike,
        },
        "scaling": scaling,
        "checkpoint": checkpoint,
        "memory": mem,
        "assumptions": assumptions(a, catalog),
        "used": used_rows(a, catalog),
        "confidence": [{"letter": k, "words": v} for k, v in CONFIDENCE.items()],
        "rates_note": RATES_IN_SOURCES,
        "scenario_text": scenario_text,
        "throughput_sources": throughput_sources(a),
        "components": components(a, catalog),
        "glossary": glossary(),
        "not_modeled": not_modeled(a, mem is not None),
    }
    return ctx
