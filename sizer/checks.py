"""Cross-checks of a validated scenario against the catalog, as data.

The schema (:mod:`sizer.schema`) checks shapes, types, units and ranges of one file; the
checks here need the catalog or the model: unknown ids (with did-you-mean), GPUs per
server, over-committed servers, leaf-spine settings (:func:`check_scenario`), the
``memory:`` cases (:func:`memory_problems`), the design-size limits
(:func:`sizer.limits.size_issues`) and the switch port budgets
(:func:`sizer.ports.port_problems`).  Each returns ``(loc, message, hint)`` issues;
:func:`scenario_issues` runs them in order and :mod:`sizer.loader` locates the issues in
the file.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from sizer.catalog import Catalog
from sizer.errors import Issue, SizerInputError, shown
from sizer.limits import MAX_SUGGESTED, size_issues
from sizer.memory import estimate_case

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.schema import Scenario

__all__ = [
    "ID_FIELDS",
    "check_scenario",
    "checkpoint_problems",
    "design_issues",
    "memory_problems",
    "scenario_issues",
    "suggest_ids",
    "unknown_id_issues",
]


def scenario_issues(sc: Scenario, cat: Catalog) -> list[Issue]:
    """Every cross-check problem of a validated scenario that needs no resolved design,
    as ``(loc, message, hint)``.

    A design over a size limit is reported alone (nothing else is checked, nothing is
    built).  Once these pass, the scenario resolves; its port budgets are then checked
    on the design (:func:`design_issues`).
    """
    return size_issues(sc) or (
        check_scenario(sc, cat) + memory_problems(sc, cat) + checkpoint_problems(sc, cat)
    )


def design_issues(d: Design) -> list[Issue]:
    """Problems only the resolved design shows: switch ports and link kinds."""
    from sizer.ports import design_port_problems

    return design_port_problems(d)


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


def _sum_terms(terms: list[str], n: int = 6) -> str:
    """``a + b + c``; with more than ``n`` terms the first and last few around
    ``... (K more) ...`` (1,000 workloads on one group made a 1,000-term sum)."""
    if len(terms) <= n:
        return " + ".join(terms)
    k = n // 2
    return " + ".join([*terms[:k], f"... ({len(terms) - 2 * k} more)", *terms[-k:]])


def _some(names: list[str], n: int = 8) -> str:
    """``'a', 'b', 'c'`` -- at most ``n`` names, then how many more."""
    shown = ", ".join(map(repr, names[:n]))
    return shown + (f" (and {len(names) - n:,} more)" if len(names) > n else "")


def _did_you_mean(close: list[str]) -> str:
    quoted = [repr(c) for c in close]
    if len(quoted) > 1:
        return f"did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"
    return f"did you mean {quoted[0]}?"


#: Where a scenario names ids: (path, "*" for any list index; the catalog section, or
#: ``memory-models`` for the memory model's networks; the id's name in messages).  The
#: one list: the unknown-id check of a file that failed the schema
#: (:func:`unknown_id_issues`) and the editor schema's enums (:mod:`sizer.schema_json`)
#: both read it.
ID_FIELDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("compute", "*", "server"), "servers", "server"),
    (("compute", "*", "overrides", "gpu"), "gpus", "GPU"),
    (("compute", "*", "overrides", "storage_link"), "links", "link"),
    (("storage", "*", "unit"), "storage", "storage unit"),
    (("network", "switch"), "switches", "switch"),
    (("workloads", "*", "model"), "models", "model"),
    (("workloads", "*", "dataset"), "datasets", "dataset"),
    (("memory", "*", "gpu"), "gpus", "GPU"),
    (("memory", "*", "model"), "memory-models", "model"),
    (("checkpoint", "model"), "memory-models", "model"),
)


def _known(cat: Catalog, kind: str) -> list[str]:
    """The ids a field of ``kind`` takes (:data:`ID_FIELDS`): a catalog
    section's, or the memory models' (``memory-models``)."""
    if kind == "memory-models":
        from sizer.networks import model_ids

        return sorted(model_ids())
    return sorted(getattr(cat, kind))


def _unknown(cat: Catalog, kind: str, ident: str, what: str) -> tuple[str, str | None]:
    known = _known(cat, kind)
    close = suggest_ids(ident, known)
    if close:
        hint = _did_you_mean(close)
    elif kind == "memory-models":
        hint = f"known models: {_some(known)}"
    else:
        hint = f"`sizer catalog` lists the {what} ids"
    return f"unknown {what} {shown(ident)}", hint


def unknown_id_issues(data: object, cat: Catalog) -> list[Issue]:
    """The unknown catalog ids of a scenario that failed the schema, from its raw data.

    A file with a wrong type in one field still gets its typo'd ids reported in the same
    run.  Only text values at the id fields are checked (the schema reports the others);
    the did-you-mean is given for the first :data:`~sizer.limits.MAX_SUGGESTED`.

    >>> from sizer.catalog import load_catalog
    >>> unknown_id_issues({"compute": [{"server": "dgx1", "count": "two"}]}, load_catalog())
    [(('compute', 0, 'server'), "unknown server 'dgx1'", "did you mean 'dgx-1'?")]
    """
    out: list[Issue] = []
    for pattern, kind, what in ID_FIELDS:
        known = set(_known(cat, kind))
        for loc, value in _values_at(data, pattern, ()):
            if not isinstance(value, str) or value in known:
                continue
            if len(out) < MAX_SUGGESTED:
                out.append((loc, *_unknown(cat, kind, value, what)))
            else:
                out.append((loc, f"unknown {what} {shown(value)}", None))
    return out


def _values_at(
    data: object, pattern: tuple[str, ...], loc: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], object]]:
    """``(path, value)`` of every value of ``data`` at ``pattern`` ("*" = any list index)."""
    if not pattern:
        return [(loc, data)]
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if not isinstance(data, list):
            return []
        return [hit for i, v in enumerate(data) for hit in _values_at(v, rest, (*loc, i))]
    if not isinstance(data, dict) or head not in data:
        return []
    return _values_at(data[head], rest, (*loc, head))


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
        elif s.link is not None:
            u = cat.storage[s.unit]
            offered = [u.link, *u.other_links]
            if s.link not in offered:
                close = suggest_ids(s.link, offered, n=1)
                out.append(
                    (
                        ("storage", i, "link"),
                        f"{s.unit} is not offered with link {shown(s.link)}",
                        _did_you_mean(close) if close else "it offers " + _some(offered),
                    )
                )
    out.extend(_drive_problems(sc, cat))
    if sc.network.switch is None:
        pass  # direct-attached (the schema requires a switch everywhere else)
    elif sc.network.switch not in cat.switches:
        unknown(("network", "switch"), "switches", sc.network.switch, "switch")
    elif sc.network.protocol == "tcp":
        sw_link = cat.switches[sc.network.switch].link
        if sw_link in cat.links and cat.links[sw_link].kind == "infiniband":
            out.append(
                (
                    ("network", "protocol"),
                    f"protocol tcp on the InfiniBand switch {shown(sc.network.switch)}: "
                    "InfiniBand carries storage over RDMA (TCP over IPoIB is not modeled)",
                    "remove 'protocol', or choose an Ethernet switch",
                )
            )

    unknown_groups = 0  # did-you-mean for the first MAX_SUGGESTED only (issue 18)
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
                    unknown_groups += 1
                    close = (
                        suggest_ids(gname, list(group_names), n=1)
                        if unknown_groups <= MAX_SUGGESTED
                        else []
                    )
                    if close:
                        hint = _did_you_mean(close)
                    elif group_names:
                        hint = "the compute groups are named " + _some(list(group_names))
                    else:
                        hint = "name groups with compute[].name"
                    out.append(
                        (
                            ("workloads", w_i, "groups", j),
                            f"no compute group named {shown(gname)}",
                            hint,
                        )
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
        names = _sum_terms([f"workloads[{j}]" for j, _ in takers])
        counts = _sum_terms([str(n) for _, n in takers])
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
    net = sc.network  # the schema requires leaves and spines on a leaf-spine
    if (
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


def _drive_problems(sc: Scenario, cat: Catalog) -> list[Issue]:
    """Drives (storage units on a PCIe link) only inside servers, and only drives there:
    topology direct-attached takes drives and nothing else, a switched fabric no drive."""
    out: list[Issue] = []
    direct = sc.network.topology == "direct-attached"
    for i, s in enumerate(sc.storage):
        u = cat.storage.get(s.unit)
        link = None if u is None else cat.links.get(s.link or u.link)
        if link is None:
            continue  # unknown ids are reported on their own
        drive = link.kind == "pcie"
        if direct and not drive:
            out.append(
                (
                    ("storage", i, "unit"),
                    f"{s.unit} is not a drive (its ports are {link.kind}, {link.id}): topology "
                    "direct-attached takes NVMe drives inside each server",
                    "name a drive (`sizer catalog` lists storage units on pcie links), or "
                    "use a switched topology with a switch",
                )
            )
        elif drive and not direct:
            out.append(
                (
                    ("storage", i, "unit"),
                    f"{s.unit} is a drive (PCIe link {link.id}): it sits inside a server and "
                    f"cannot be cabled to the switches of a {sc.network.topology} fabric",
                    "use network: {topology: direct-attached} without a switch, or a "
                    "networked storage unit",
                )
            )
    return out


def memory_problems(scenario: Scenario, catalog: Catalog) -> list[Issue]:
    """Problems with a scenario's ``memory:`` cases, as (loc, message, hint).

    Each case is estimated once: an unknown model, an image size on a transformer, a
    sequence length on a CNN or an unknown GPU is reported at its field.
    """
    out: list[Issue] = []
    for i, case in enumerate(scenario.memory or ()):
        if case.gpu is not None and case.gpu not in catalog.gpus:
            out.append((("memory", i, "gpu"), *_unknown(catalog, "gpus", case.gpu, "GPU")))
            continue
        try:
            estimate_case(case)
        except SizerInputError as e:
            for p in e.problems:
                field = p.loc.removeprefix("--").replace("-", "_") if p.loc else "model"
                if field not in type(case).model_fields:
                    field = "model"
                # option names -> field names: --pipeline-parallel -> 'pipeline_parallel'
                msg = re.sub(r"--([a-z-]+)", lambda m: f"'{m.group(1).replace('-', '_')}'", p.msg)
                out.append((("memory", i, field), msg, p.hint))
    return out


def checkpoint_problems(sc: Scenario, cat: Catalog) -> list[Issue]:
    """Problems with the scenario's ``checkpoint:``: an unknown or non-transformer model,
    unknown group names, ranks that are not whole model-parallel groups, no way to set
    the interval."""
    from sizer.networks import get_model, model_ids

    p = sc.checkpoint
    if p is None:
        return []
    out: list[Issue] = []
    try:
        m = get_model(p.model)
        if getattr(m, "kind", "transformer") != "transformer":
            out.append(
                (
                    ("checkpoint", "model"),
                    f"{p.model!r} is a CNN; checkpoints are modeled for transformer training jobs",
                    "name a transformer, e.g. llama-3-70b",
                )
            )
    except SizerInputError as e:
        msg = e.problems[0].msg
        near = suggest_ids(p.model, model_ids(), n=1)
        out.append(
            (
                ("checkpoint", "model"),
                msg.split(";")[0],
                _did_you_mean(near) if near else "see `sizer checkpoint --help` for model ids",
            )
        )
    named = {g.name: i for i, g in enumerate(sc.compute) if g.name is not None}
    chosen = list(range(len(sc.compute)))
    if p.groups is not None:
        chosen = []
        for j, gname in enumerate(p.groups):
            if gname in named:
                chosen.append(named[gname])
                continue
            close = suggest_ids(gname, list(named), n=1)
            out.append(
                (
                    ("checkpoint", "groups", j),
                    f"no compute group named {shown(gname)}",
                    _did_you_mean(close)
                    if close
                    else ("the compute groups are named " + _some(list(named)))
                    if named
                    else "name groups with compute[].name",
                )
            )
    ranks = 0
    for i in chosen:
        g = sc.compute[i]
        if g.server not in cat.servers:
            return out  # reported by check_scenario
        gpus = g.overrides.gpu_count if g.overrides and g.overrides.gpu_count else None
        ranks += g.count * (gpus or cat.servers[g.server].gpu_count.value)
    mp = p.tp * p.pp
    if ranks and ranks % mp:
        out.append(
            (
                ("checkpoint", "tp"),
                f"the job's {ranks:,} GPUs are not a whole number of model-parallel groups "
                f"of tp x pp = {p.tp} x {p.pp} = {mp} ranks",
                "change tp or pp, or the job's servers",
            )
        )
    if p.interval_minutes is None and p.mtbf_hours is None:
        out.append(
            (
                ("checkpoint",),
                "give interval_minutes (minutes between saves) or mtbf_hours (the interval "
                "is then Young/Daly's)",
                "e.g. interval_minutes: 30",
            )
        )
    return out
