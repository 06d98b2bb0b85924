"""The words sizer's results are put in: one place for the terminal and the report.

Pure (no rich, no jinja2, no I/O): resource kinds, failure kinds and memory categories in
words, the bottleneck sentence and its pieces, and the percent and rate helpers both
:mod:`sizer.console` and :mod:`sizer.report` print figures with, so that a number in the
PDF can be found again in ``sizer analyze`` and in ``--json``.

Three wordings of a resource ``kind`` (``storage``, ``link``, ``switch``,
``server-ingest``, ``client``, ``host-preprocessing``, ``gpu-compute``) serve three grammatical places:

* :data:`BOUND_WORDS` -- the adjective of the bottleneck sentence (``network-bound``);
* :data:`KIND_NOUNS` -- a noun after a resource group (``ess-3000 x1 (storage)``);
* :data:`LIMITED_BY_WORDS` -- what "limited by ..." names (``the network``).

Examples
--------
>>> pct(0.6301507799999998)
'63%'
>>> bound_word("link"), kind_noun("link"), limited_by("link")
('network-bound', 'network link', 'the network')
>>> fed_words(0.9)
'every GPU workload at least 90% fed'
"""

from __future__ import annotations

from typing import Any

from sizer.units import format_rate

__all__ = [
    "BOUND_WORDS",
    "FAILURE_WORDS",
    "KIND_NOUNS",
    "LIMITED_BY_WORDS",
    "MEMORY_CATEGORY_WORDS",
    "NO_BOTTLENECK",
    "SHARDING_WORDS",
    "SURVIVE_WORDS",
    "bottleneck_label",
    "bottleneck_sentence",
    "bound_word",
    "burst_bound",
    "capacity",
    "counted",
    "duration",
    "failure_words",
    "fed_words",
    "group_role",
    "kind_noun",
    "limited_by",
    "pct",
    "rate",
    "survive_words",
]

#: The bottleneck sentence's adjective per resource kind; others read ``<kind>-bound``.
BOUND_WORDS = {
    "storage": "storage-bound",
    "link": "network-bound",
    "switch": "switch-bound",
    "server-ingest": "client-bound",
    "client": "client-bound",
    "host-preprocessing": "preprocessing-bound",
}

#: A resource kind as a noun, after the group it qualifies (report tables and sentences).
KIND_NOUNS = {
    "storage": "storage",
    "link": "network link",
    "switch": "switch",
    "server-ingest": "client ingest",
    "client": "client host",
    "host-preprocessing": "host preprocessing",
    "gpu-compute": "GPU compute",
}

#: A resource kind as what a result is "limited by" (sizing's reasons).
LIMITED_BY_WORDS = {
    "storage": "storage",
    "link": "the network",
    "switch": "switch",
    "server-ingest": "the clients' ingest limit",
    "client": "the client hosts (PCIe, memory)",
    "host-preprocessing": "host preprocessing",
    "gpu-compute": "GPU compute",
}

#: A single-failure (N-1) case's kind as what is lost (``sizing.failure_cases``).
FAILURE_WORDS = {
    "baseline": "nothing lost",
    "storage-server": "one storage I/O server",
    "storage-unit": "one storage unit",
    "switch": "one switch",
    "inter-switch-link": "one inter-switch cable",
    "server-link": "one server cable",
    "storage-link": "one storage cable",
}

#: The single failure N+1 sizing survives (``target: survive``) as what is lost.
SURVIVE_WORDS = {
    "one-server": "one storage I/O server",
    "one-unit": "one whole storage unit",
    "one-switch": "one switch",
}


def survive_words(survive: str, topology: str = "") -> str:
    """``one-unit`` -> ``one whole storage unit`` (``one drive`` when the drives are
    direct-attached: a drive is the unit); an unknown value as given."""
    if survive == "one-unit" and topology == "direct-attached":
        return "one drive"
    return SURVIVE_WORDS.get(survive, survive)


#: The GPU-memory categories of ``MemoryEstimate.categories()`` in words.
MEMORY_CATEGORY_WORDS = {
    "parameters": "parameters",
    "gradients": "gradients",
    "optimizer": "optimizer state",
    "activations": "activations",
    "kv_cache": "KV cache",
    "overhead": "framework overhead",
}

#: How a memory case is sharded (``--sharding``, ``memory[].sharding``), in words.
SHARDING_WORDS = {
    "zero1": "ZeRO-1",
    "zero2": "ZeRO-2",
    "zero3": "ZeRO-3",
    "tensor": "tensor parallel",
}

#: Where a bottleneck would be named when nothing in the data path limits the GPUs.
NO_BOTTLENECK = "none (compute-bound)"


def bound_word(kind: str) -> str:
    """``storage`` -> ``storage-bound``, ``link`` -> ``network-bound``."""
    return BOUND_WORDS.get(kind, f"{kind}-bound")


def kind_noun(kind: str) -> str:
    """``link`` -> ``network link``; an unknown kind as given."""
    return KIND_NOUNS.get(kind, kind)


def limited_by(kind: str) -> str:
    """``link`` -> ``the network``; an unknown kind as given."""
    return LIMITED_BY_WORDS.get(kind, kind)


def group_role(d: Any, index: int, *, short: bool = False) -> str:
    """What compute group ``index`` of design ``d`` does, in words: the workloads that run
    on it (``ResNet-50 training and ResNet-50 inference``), else the LLM job whose
    checkpoints it saves (``Llama-3.1-405B training``), else the group's name as the
    scenario gives it (``no workload`` for an unnamed idle group).

    The model's name is used, not the workload's label: a role, not a job title.
    ``short``: the model's last word, phases joined (``UNet3D training``, ``ResNet-50
    training + inference``), for diagram boxes and resource labels.
    """
    by_model: dict[str, list[str]] = {}
    for w in d.workloads:
        if index in w.groups:
            model = w.model_name.split(" (")[0]
            if short:
                model = model.split()[-1] if model.split() else model
            if w.unbounded:
                model, phase = ("read" if short else w.label), ("benchmark" if short else "")
            else:
                phase = w.phase
            phases = by_model.setdefault(model, [])
            if phase not in phases:
                phases.append(phase)
    job = getattr(d, "checkpoint", None)
    if job is not None and index in job.groups:
        phases = by_model.setdefault(job.model_name, [])
        if "training" not in phases:
            phases.append("training")
    if short:
        roles = [f"{m} {' + '.join(ps)}".strip() for m, ps in by_model.items()]
        return " + ".join(roles) if roles else _idle(d, index)
    roles = [f"{m} {p}".strip() for m, ps in by_model.items() for p in ps]
    if not roles:
        return _idle(d, index)
    return ", ".join(roles[:-1]) + " and " + roles[-1] if len(roles) > 1 else roles[0]


def _idle(d: Any, index: int) -> str:
    g = d.servers[index]
    return str(g.name) if g.name != g.server_id else "no workload"


def failure_words(kind: str) -> str:
    """``storage-unit`` -> ``one storage unit``; an unknown kind as given."""
    return FAILURE_WORDS.get(kind, kind)


def pct(x: float | None, missing: str = "-") -> str:
    """A fraction 0..1 as a whole percentage (``63%``); ``missing`` for None."""
    return missing if x is None else f"{x * 100:.0f}%"


def rate(bytes_per_sec: float | None, missing: str = "-") -> str:
    """Bytes/s in decimal units (``40.0 GB/s``); ``missing`` for None."""
    return missing if bytes_per_sec is None else format_rate(bytes_per_sec)


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` is 1 (-es after s, x, ch and sh).

    >>> counted(1, "storage unit"), counted(3, "storage unit"), counted(2, "switch")
    ('1 storage unit', '3 storage units', '2 switches')
    """
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {noun}{'es' if noun.endswith(('s', 'x', 'ch', 'sh')) else 's'}"


def watts(w: float | None, missing: str = "n/a") -> str:
    """Power in W below 10 kW, else in kW; ``missing`` for None.

    >>> watts(2000), watts(352_720), watts(None)
    ('2,000 W', '352.7 kW', 'n/a')
    """
    if w is None:
        return missing
    if w >= 10_000:
        return f"{w / 1000:,.1f} kW"
    return f"{w:,.0f} W"


def capacity(value: float, unit: str) -> str:
    """A resource's capacity: bytes/s as a rate, anything else (images/s) as a count."""
    return format_rate(value) if unit == "B/s" else f"{value:,.0f} {unit}"


def fed_words(min_utilization: float) -> str:
    """The min-utilization objective: ``every GPU workload at least 90% fed``."""
    return f"every GPU workload at least {pct(min_utilization)} fed"


def bottleneck_label(kind: str | None, group: str | None) -> str:
    """``ess-3000 x1 (storage)``; :data:`NO_BOTTLENECK` when ``kind`` is None."""
    return NO_BOTTLENECK if kind is None else f"{group} ({kind})"


def bottleneck_sentence(a: Any) -> str:
    """The bottleneck of analysis ``a`` in plain words, e.g. ``storage-bound: ess-3000 x1
    at 100% (40.0 GB/s in all) caps 72 GPUs at 53% of their demand``."""
    b = a.bottleneck
    if b is None:
        if a.gpu_data_utilization is None:
            return "no GPU workloads; nothing limits the read benchmark"
        busy = sum(w.gpus for w in a.workloads)
        room = (
            "the drives and their PCIe links have headroom"
            if a.design.direct_attached
            else "storage and fabric have headroom"
        )
        who = "GPUs running a workload" if busy < a.design.total_gpus else "GPUs"
        return f"compute-bound: every one of the {busy} {who} gets all the data it asks for; {room}"
    cap = capacity(b["capacity"], b["unit"])
    if b["gpus_capped"]:
        tail = (
            f"caps {b['gpus_capped']} GPUs at {pct(b['capped_gpu_data_utilization'])} "
            "of their demand"
        )
    else:
        tail = f"limits the read benchmark to {format_rate(a.read_bytes_per_sec)}"
    cap = (
        f"{cap} sequential in all"
        if b["kind"] == "storage" and _pattern_costs(a)
        else f"{cap} in all"
    )
    return f"{bound_word(b['kind'])}: {b['group']} at {pct(b['utilization'])} ({cap}) {tail}"


def _pattern_costs(a: Any) -> bool:
    """True when a storage unit has per-request or per-file costs (sizer/access.py): its
    capacity is then sequential bytes of unit time, not bytes read."""
    return any(s.read_request_seconds > 0 or s.file_open_seconds > 0 for s in a.design.storage)


def duration(seconds: float) -> str:
    """A time to read: seconds under 2 minutes, minutes under 2 hours, then hours.

    >>> duration(0.9234), duration(754.0), duration(9000.0), duration(float("inf"))
    ('0.92 s', '12.6 min', '2.5 h', 'never')
    """
    if seconds != seconds or seconds == float("inf"):
        return "never"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def burst_bound(bound: dict[str, str] | None, direction: str) -> str:
    """What bounds a checkpoint save (``write``) or restore (``read``), in words.

    >>> burst_bound({"group": "ess-3500 x4", "kind": "storage"}, "write")
    'ess-3500 x4 (storage write)'
    >>> burst_bound({"group": "switch -> dgx-h100 links", "kind": "link"}, "read")
    'switch -> dgx-h100 links (network link)'
    """
    if bound is None:
        return "nothing (no resource saturates)"
    noun = kind_noun(bound["kind"])
    if bound["kind"] == "storage":
        noun = f"storage {direction}"
    return f"{bound['group']} ({noun})"
