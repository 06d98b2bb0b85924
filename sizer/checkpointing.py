"""Checkpoint saves and restores on the design's fabric, and whether the policy fits.

A scenario's ``checkpoint:`` names an LLM training job (a transformer, its ranks = every
GPU of its compute groups, the tensor/pipeline/ZeRO layout) and a policy (interval,
sync or async, budgets).  :func:`evaluate_checkpoint` answers:

1. **What is saved, by whom**: :func:`sizer.checkpoint.checkpoint_size` and
   :func:`sizer.checkpoint.rank_bytes`; rank ``r`` runs on GPU ``r`` of the job's
   servers taken in order (group by group, server by server, 8 GPUs each on a DGX), so
   a server writes the sum of its ranks' shares.
2. **How long a save takes**: a write burst through the same model as the reads
   (:func:`sizer.transfer.transfer`): every server writes at its max-min fair share
   (one stream per writing rank), striped over every storage unit, through the links in
   the write direction, the switches (shared with the reads running meanwhile) and the
   storage units' write bandwidth; when the first servers finish, the others share
   what they freed.
3. **How long a restore takes**: the read burst of every rank reading back what it
   needs (data-parallel replicas read shared shards again), bounded as reads are,
   client ingest included, sharing every resource max-min fairly with the other
   workloads' reads (a share per rank, a share per GPU reading data).
4. **The interval**: the scenario's, or Young's optimum ``sqrt(2 x save x MTBF)``
   [1]_ from the job's MTBF.
5. **Does it fit**: synchronous, every GPU waits for the save: the overhead is
   ``save / (interval + save)`` and must not exceed ``max_overhead``; asynchronous,
   the save is staged in host memory (it must fit there) and drained while training
   goes on: the drain must finish before the next save starts (its headroom is
   ``interval / save``); a save staged in host memory or on local NVMe (``staging``)
   must fit there.  The save and restore budgets, when given, must hold.

Not modeled (stated in every answer): the device-to-host copy that an asynchronous
save stalls the GPUs for, the file system's metadata cost of creating the files (one
or two per writing rank), a storage product whose reads and writes share one budget
(reads and writes have separate figures), and compression.

References
----------
.. [1] J. W. Young, "A first order approximation to the optimum checkpoint interval",
   Communications of the ACM 17(9), 1974, https://doi.org/10.1145/361147.361115.
.. [2] J. T. Daly, "A higher order estimate of the optimum checkpoint interval for
   restart dumps", Future Generation Computer Systems 22(3), 2006,
   https://doi.org/10.1016/j.future.2004.11.016 (``sqrt(2 delta M)`` is its first-order
   term).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sizer.checkpoint import Checkpoint, checkpoint_size, rank_bytes
from sizer.transfer import Transfer, transfer

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.result import Analysis
    from sizer.topology import Fabric

__all__ = [
    "NOT_MODELED",
    "CheckpointResult",
    "evaluate_checkpoint",
    "server_shares",
    "young_interval",
]

#: What the checkpoint answer leaves out, said with every answer.
NOT_MODELED = (
    "the device-to-host copy an asynchronous save stalls the GPUs for",
    "file-creation (metadata) cost: one or two files per writing rank",
    "a storage product whose reads and writes share one budget (separate figures used)",
    "compression of the checkpoint",
)


def young_interval(save_seconds: float, mtbf_seconds: float) -> float:
    """Young's optimum interval between checkpoints, ``sqrt(2 x save x MTBF)`` seconds.

    >>> round(young_interval(60.0, 24 * 3600.0))   # a 1-minute save, a failure a day
    3220
    """
    return math.sqrt(2.0 * save_seconds * mtbf_seconds)


def server_shares(
    d: Design, fab: Fabric, per_rank: list[int]
) -> tuple[dict[str, float], dict[str, int]]:
    """Bytes per server node and writing (or reading) ranks per node, rank ``r`` on GPU
    ``r`` of the job's servers in order."""
    job = d.checkpoint
    assert job is not None
    by_group: dict[int, list[str]] = {}
    for gi, nodes in fab.server_runs():
        by_group.setdefault(gi, []).extend(nodes)
    nbytes: dict[str, float] = {}
    streams: dict[str, int] = {}
    r = 0
    for gi in job.groups:
        per_server = d.servers[gi].gpu_count
        for node in by_group.get(gi, []):
            mine = per_rank[r : r + per_server]
            r += per_server
            total = float(sum(mine))
            if total > 0:
                nbytes[node] = total
                streams[node] = sum(1 for b in mine if b > 0)
    return nbytes, streams


@dataclass(frozen=True)
class CheckpointResult:
    """The answer of :func:`evaluate_checkpoint` (see the module notes)."""

    checkpoint: Checkpoint
    mode: str
    save: Transfer
    restore: Transfer
    interval_seconds: float
    interval_rule: str  # "scenario" or "young"
    overhead_fraction: float | None  # sync: save / (interval + save); async: None
    drain_headroom: float | None  # async: interval / save; sync: None
    staged_bytes_per_server: float
    host_memory_bytes: float | None  # room where an async save is staged (memory or NVMe)
    problems: tuple[str, ...]  # why the policy does not fit (empty: it fits)

    @property
    def fits(self) -> bool:
        return not self.problems

    @property
    def gpu_hours_lost_per_hour(self) -> float | None:
        """GPU-hours the job loses to saves per hour of wall-clock time (sync)."""
        if self.overhead_fraction is None:
            return None
        return self.overhead_fraction * self.checkpoint.ranks

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``sizer checkpoint FILE --json`` (bytes, seconds)."""

        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else x

        def burst(t: Transfer) -> dict[str, Any]:
            return {
                "bytes": t.bytes,
                "seconds": num(t.seconds),
                "bytes_per_sec": t.rate,
                "first_phase_bytes_per_sec": t.first_rate,
                "bound_by": t.bound_by,
                "phases": t.phases,
            }

        return {
            "model": self.checkpoint.model,
            "mode": self.mode,
            "checkpoint_bytes": self.checkpoint.checkpoint_bytes,
            "save_seconds": num(self.save.seconds),
            "write_bytes_per_sec": self.save.rate,
            "bound_by": self.save.bound_by,
            "storage_write_figure": not self.save.unknown_storage,
            "restore_bytes": self.restore.bytes,
            "restore_seconds": num(self.restore.seconds),
            "read_bytes_per_sec": self.restore.rate,
            "restore_bound_by": self.restore.bound_by,
            "interval_seconds": num(self.interval_seconds),
            "interval_rule": self.interval_rule,
            "overhead_fraction": self.overhead_fraction,
            "gpu_hours_lost_per_hour": self.gpu_hours_lost_per_hour,
            "drain_headroom": num(self.drain_headroom) if self.drain_headroom else None,
            "staged_bytes_per_server": self.staged_bytes_per_server,
            "fits": self.fits,
            "problems": list(self.problems),
            "layout": self.checkpoint.to_json(),
            "save": burst(self.save),
            "restore": burst(self.restore),
            "not_modeled": list(NOT_MODELED),
        }


def evaluate_checkpoint(
    d: Design, *, fabric: Fabric | None = None, background: Analysis | None = None
) -> CheckpointResult:
    """Save, restore, interval and fit of the design's checkpoint policy.

    ``background`` is the analysis of the reads running during the save (the other
    workloads of the POD): their load on each switch is taken first.  Raises
    ``ValueError`` when the design has no ``checkpoint:``.
    """
    from sizer.topology import build_fabric

    job = d.checkpoint
    if job is None:
        raise ValueError("the design has no checkpoint: policy")
    p = job.policy
    fab = fabric if fabric is not None else build_fabric(d)
    c = checkpoint_size(
        job.params,
        ranks=d.checkpoint_ranks,
        tp=p.tp,
        pp=p.pp,
        zero=p.zero,
        precision=p.precision,
        optimizer=p.optimizer,
        model=job.model_name,
    )
    save_rank, restore_rank = rank_bytes(c)
    save_b, save_n = server_shares(d, fab, save_rank)
    rest_b, rest_n = server_shares(d, fab, restore_rank)
    save = transfer(d, save_b, "write", streams=save_n, fabric=fab, background=background)
    restore = transfer(d, rest_b, "read", streams=rest_n, fabric=fab, background=background)
    if p.interval_minutes is not None:
        interval, rule = p.interval_minutes * 60.0, "scenario"
    else:
        interval, rule = young_interval(save.seconds, p.mtbf_hours * 3600.0), "young"
    staged = max(save_b.values(), default=0.0)
    # where an asynchronous save is staged: host memory or the servers' local NVMe
    room = [
        d.servers[gi].local_nvme if p.staging == "local-nvme" else d.servers[gi].host_memory
        for gi in job.groups
    ]
    host = min((r if r is not None else math.inf) for r in room) if room else math.inf
    problems: list[str] = []
    overhead = headroom = None
    if not math.isfinite(save.seconds):
        problems.append("a writing server has no path to storage")
    elif p.mode == "sync":
        overhead = save.seconds / (interval + save.seconds) if interval + save.seconds else 0.0
        if overhead > p.max_overhead:
            problems.append(
                f"a synchronous save costs {overhead:.1%} of training time, above the "
                f"allowed {p.max_overhead:.1%}"
            )
    else:
        headroom = interval / save.seconds if save.seconds > 0 else math.inf
        if headroom < 1:
            problems.append(
                f"the drain takes {save.seconds:,.0f} s, longer than the {interval:,.0f} s "
                "between saves"
            )
        if math.isfinite(host) and staged > host:
            where = "local NVMe" if p.staging == "local-nvme" else "host memory"
            problems.append(
                f"a server stages {staged / 1e9:,.0f} GB, more than its "
                f"{host / 1e9:,.0f} GB of {where}"
            )
    if not math.isfinite(restore.seconds):
        problems.append("a restoring server has no path to storage")
    if (
        p.save_budget_seconds is not None
        and math.isfinite(save.seconds)
        and save.seconds > p.save_budget_seconds
    ):
        problems.append(
            f"a save takes {save.seconds:,.0f} s, above the budget of "
            f"{p.save_budget_seconds:,.0f} s"
        )
    if (
        p.restore_budget_minutes is not None
        and math.isfinite(restore.seconds)
        and restore.seconds > p.restore_budget_minutes * 60
    ):
        problems.append(
            f"a restore takes {restore.seconds / 60:,.1f} min, above the budget of "
            f"{p.restore_budget_minutes:,.1f} min"
        )
    return CheckpointResult(
        checkpoint=c,
        mode=p.mode,
        save=save,
        restore=restore,
        interval_seconds=interval,
        interval_rule=rule,
        overhead_fraction=overhead,
        drain_headroom=headroom,
        staged_bytes_per_server=staged,
        host_memory_bytes=None if not math.isfinite(host) else host,
        problems=tuple(problems),
    )
