"""The most accelerators per host a design keeps fed: MLPerf Storage's question.

MLPerf Storage reports, per storage system, the most emulated accelerators its hosts
keep at the workload's accelerator-utilization bar (90% for UNet3D and ResNet-50, 70%
for CosmoFlow), every host running the same number.  :func:`max_accelerators` answers it
on the model: with the design's storage, fabric and hosts fixed, every host runs ``k``
accelerators of its workload, ``k`` the largest count keeping every GPU workload at its
bar (:func:`~sizer.scaling.evaluate.workload_bars`).  More accelerators only add demand,
so the answer is found by galloping then bisection, and what limits it is the
bottleneck at ``k + 1``.

Each compute group must run one workload on all its GPUs (the benchmark's hosts run one
workload each); the search changes every group's accelerators per host together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sizer.design import Design
from sizer.scaling.evaluate import Eval, Method, evaluate_at, fed_at, workload_bars
from sizer.scaling.sizing import bar_words
from sizer.text import limited_by

__all__ = ["MAX_ACCELERATORS", "AcceleratorLimit", "max_accelerators", "with_accelerators"]

#: Most accelerators per host searched (MLPerf Storage hosts emulate up to a few hundred).
MAX_ACCELERATORS = 512


def with_accelerators(design: Design, k: int) -> Design:
    """The design with ``k`` accelerators on every host, each group's workload on all.

    Raises ``ValueError`` when a group runs more than one workload, or one on part of its
    GPUs (then "accelerators per host" has no single meaning).
    """
    per_group: dict[int, int] = {}
    for w in design.workloads:
        for gi, n in w.gpus_per_server.items():
            if gi in per_group or n != design.servers[gi].gpu_count:
                raise ValueError(
                    f"compute group {design.servers[gi].name!r} shares its GPUs between "
                    "workloads (or runs one on part of them); the most accelerators per "
                    "host is asked of hosts running one workload on all their GPUs"
                )
            per_group[gi] = n
    servers = tuple(dataclasses.replace(g, gpu_count=k) for g in design.servers)
    workloads = tuple(
        dataclasses.replace(w, gpus_per_server={gi: k for gi in w.gpus_per_server})
        for w in design.workloads
    )
    return dataclasses.replace(design, servers=servers, workloads=workloads)


@dataclass(frozen=True)
class AcceleratorLimit:
    """The answer of :func:`max_accelerators`."""

    scenario: str
    accelerators_per_host: int  # 0: not even one accelerator per host is kept fed
    hosts: int
    bar_words: str
    limiting: dict[str, Any] | None  # what stops one more (at k + 1); None: the search cap
    probes: list[tuple[int, bool]]
    reason: str

    @property
    def accelerators(self) -> int:
        return self.accelerators_per_host * self.hosts

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "accelerators_per_host": self.accelerators_per_host,
            "hosts": self.hosts,
            "accelerators": self.accelerators,
            "objective": self.bar_words,
            "limiting": self.limiting,
            "probes": [{"accelerators_per_host": k, "meets": ok} for k, ok in self.probes],
            "reason": self.reason,
        }


def max_accelerators(
    design: Design,
    *,
    min_utilization: float | None = None,
    cap: int = MAX_ACCELERATORS,
    method: Method = "fast",
) -> AcceleratorLimit:
    """The most accelerators per host (all hosts alike) keeping every GPU workload at its
    bar (``min_utilization`` for all, else each workload's own); see the module notes.

    Raises ``ValueError`` for a design without GPU workloads or whose hosts share GPUs
    between workloads (:func:`with_accelerators`).
    """
    if all(w.unbounded for w in design.workloads):
        raise ValueError("the design runs only read benchmarks: it has no accelerators")
    bars = workload_bars(design, min_utilization)
    with_accelerators(design, 1)  # refuses a design the question does not fit
    evals: dict[int, Eval] = {}
    probes: list[tuple[int, bool]] = []

    def meets(k: int) -> bool:
        if k not in evals:
            evals[k] = evaluate_at(with_accelerators(design, k), 1.0, method)
            e = evals[k]
            probes.append((k, e.feasible and fed_at(e, bars)))
        e = evals[k]
        return e.feasible and fed_at(e, bars)

    lo, hi = 0, None  # lo: the most known to meet (0: none); hi: the fewest known to fail
    k = 1
    while True:
        if not meets(k):
            hi = k
            break
        lo = k
        if k >= cap:
            break
        k = min(2 * k, cap)
    while hi is not None and hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            lo = mid
        else:
            hi = mid
    words = bar_words(design, bars)
    # the hosts running a GPU workload (a compute group may run none, e.g. an LLM job's)
    busy = {gi for w in design.workloads if not w.unbounded for gi in w.gpus_per_server}
    hosts = sum(design.servers[gi].count for gi in busy)
    limiting = None
    if hi is not None:
        e = evals[hi]
        b = e.bottleneck
        limiting = (
            None
            if b is None
            else {"kind": b["kind"], "group": b["group"], "utilization": b.get("utilization")}
        )
        if not e.feasible:
            limiting = {"kind": "ports", "group": e.note or "", "utilization": None}
    if lo == 0:
        reason = f"not even 1 accelerator per host keeps {words}"
    else:
        on = f"{hosts} host" + ("s" if hosts != 1 else "")
        reason = f"{lo} accelerators per host ({lo * hosts:,} on {on}) keep {words}"
    if hi is None:
        reason += f"; the search stops at {cap} per host"
    elif limiting is not None and limiting["kind"] != "ports":
        reason += f"; at {hi} {limited_by(limiting['kind'])} ({limiting['group']}) limits"
    elif limiting is not None:
        reason += f"; at {hi} the switches run out of ports"
    return AcceleratorLimit(design.name, lo, hosts, words, limiting, sorted(probes), reason)
