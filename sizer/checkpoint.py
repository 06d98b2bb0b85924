"""Checkpoint size: the bytes a training job saves, which ranks write them, in which files.

A checkpoint is the training state: the model weights in the training precision, FP32 master
weights (when training in 16 bits) and the optimizer moments (Adam: m and v, FP32), so BF16 +
Adam is ``2 + 4 + 8 = 14`` bytes per parameter; an inference export is the weights alone.
Data, tensor and pipeline parallelism and the ZeRO stage decide which ranks hold, and so
write, which share:

* the model is split over the ``tp x pp`` model-parallel ranks; with ZeRO 0-2 only
  data-parallel rank 0 of each model-parallel group writes it (the other replicas hold
  copies), with ZeRO-3 it is split further over the data-parallel ranks and every rank
  writes its shard;
* the master weights and moments: with ZeRO-0 data-parallel rank 0 writes them, with
  ZeRO 1-3 they are split over every rank and every rank writes its shard.

The total is then the same for any number of ranks; only who writes it changes. The
result, :class:`Checkpoint`, lists the writing ranks in groups of equal shares
(:class:`RankGroup`): the save and restore flows (one flow per writing rank, through the
fabric to storage and back) are built from it.

MLPerf Storage's checkpointing workloads (:func:`mlperf_storage_workloads`) are run by the
DLIO benchmark, whose arithmetic differs from the textbook one in small, stated ways;
:func:`dlio_checkpoint` reproduces it byte for byte.

References
----------
.. [1] Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter
   Models", SC 2020, https://arxiv.org/abs/1910.02054 (16-bit weights + FP32 master + Adam:
   the ``2 + 2 + 12`` bytes of its Section 3.1, gradients not saved).
.. [2] DeepSpeed checkpoint layout: ``mp_rank_XX_model_states.pt``,
   ``zero_pp_rank_D_mp_rank_XX_optim_states.pt``, https://www.deepspeed.ai/
.. [3] MLPerf Storage v2.0, https://github.com/mlcommons/storage: ``Rules.md`` Table 2 "LLM
   models" and ``configs/dlio/workload/llama3_*.yaml``.
.. [4] DLIO benchmark, https://github.com/argonne-lcf/dlio_benchmark,
   ``dlio_benchmark/checkpointing/base_checkpointing.py`` (``get_num_parameters``,
   ``get_layer_parameters``, ``get_optimization_groups``, ``save_checkpoint``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sizer.errors import Problem, SizerInputError

__all__ = [
    "OPTIMIZER_MOMENT_BYTES",
    "PRECISION_BYTES",
    "Checkpoint",
    "MlperfWorkload",
    "RankGroup",
    "checkpoint_size",
    "dlio_checkpoint",
    "mlperf_storage_workloads",
    "rank_bytes",
]

#: Bytes per element of the saved weights, by training (or export) precision.
PRECISION_BYTES: dict[str, int] = {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1}
#: Optimizer moments in bytes per parameter (FP32), master weights excluded.
OPTIMIZER_MOMENT_BYTES: dict[str, int] = {
    "adam": 8,
    "adamw": 8,
    "sgd-momentum": 4,
    "sgd": 0,
    "none": 0,
}
#: FP32 master weights, kept when training in a precision below FP32.
MASTER_BYTES = 4
ZERO_STAGES = (0, 1, 2, 3)
#: Most ranks accepted: the layout is built rank by rank (about a second at this size).
MAX_RANKS = 1_000_000


@dataclass(frozen=True)
class RankGroup:
    """Ranks that write the same bytes and files.

    Attributes
    ----------
    ranks : int
        How many ranks write this share.
    weights_bytes, master_bytes, optimizer_bytes : int
        Bytes of each part of the training state one such rank writes.
    files : int
        Files one such rank writes.
    """

    ranks: int
    weights_bytes: int
    master_bytes: int
    optimizer_bytes: int
    files: int

    @property
    def bytes(self) -> int:
        """Bytes one rank of the group writes."""
        return self.weights_bytes + self.master_bytes + self.optimizer_bytes

    def to_json(self) -> dict[str, int]:
        return {
            "ranks": self.ranks,
            "bytes": self.bytes,
            "weights_bytes": self.weights_bytes,
            "master_bytes": self.master_bytes,
            "optimizer_bytes": self.optimizer_bytes,
            "files": self.files,
        }


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint: its inputs, its parts and the writing ranks (see the module notes).

    ``groups`` holds the ranks that write something, largest share first; the ranks that
    write nothing (data-parallel replicas under ZeRO-0) are ``ranks - writing_ranks``.
    """

    model: str
    params: int
    ranks: int
    tp: int
    pp: int
    dp: int
    zero: int
    precision: str
    optimizer: str
    master_weights: bool
    rule: str
    groups: tuple[RankGroup, ...]

    @property
    def checkpoint_bytes(self) -> int:
        """All bytes written, every writing rank's share added."""
        return sum(g.ranks * g.bytes for g in self.groups)

    @property
    def parts(self) -> dict[str, int]:
        """Bytes of the weights, the FP32 master weights and the optimizer moments."""
        return {
            "weights": sum(g.ranks * g.weights_bytes for g in self.groups),
            "master": sum(g.ranks * g.master_bytes for g in self.groups),
            "optimizer": sum(g.ranks * g.optimizer_bytes for g in self.groups),
        }

    @property
    def writing_ranks(self) -> int:
        """Ranks that write at least one file."""
        return sum(g.ranks for g in self.groups)

    @property
    def files(self) -> int:
        """Files of one checkpoint."""
        return sum(g.ranks * g.files for g in self.groups)

    @property
    def max_bytes_per_rank(self) -> int:
        """The largest share one rank writes (the rank a synchronous save waits for)."""
        return max((g.bytes for g in self.groups), default=0)

    @property
    def min_bytes_per_rank(self) -> int:
        """The smallest share a writing rank writes."""
        return min((g.bytes for g in self.groups), default=0)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``sizer checkpoint --json`` (bytes)."""
        return {
            "model": self.model,
            "params": self.params,
            "rule": self.rule,
            "inputs": {
                "ranks": self.ranks,
                "tp": self.tp,
                "pp": self.pp,
                "dp": self.dp,
                "zero": self.zero,
                "precision": self.precision,
                "optimizer": self.optimizer,
                "master_weights": self.master_weights,
            },
            "checkpoint_bytes": self.checkpoint_bytes,
            "parts": self.parts,
            "writing_ranks": self.writing_ranks,
            "files": self.files,
            "bytes_per_rank": {
                "max": self.max_bytes_per_rank,
                "min": self.min_bytes_per_rank,
                "mean": self.checkpoint_bytes / self.writing_ranks if self.writing_ranks else 0,
                "groups": [g.to_json() for g in self.groups],
            },
        }


def _problem(where: str, loc: str, msg: str) -> Problem:
    return Problem(where, None, None, loc, msg, type="value_error")


def _whole(problems: list[Problem], where: str, loc: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(
            _problem(where, loc, f"must be a whole number from {low:,} to {high:,}, got {value!r}")
        )


def _check(
    where: str, params: int, ranks: int, tp: int, pp: int, zero: int, precision: str, opt: str
) -> None:
    problems: list[Problem] = []
    _whole(problems, where, "--ranks", ranks, 1, MAX_RANKS)
    _whole(problems, where, "--tp", tp, 1, MAX_RANKS)
    _whole(problems, where, "--pp", pp, 1, MAX_RANKS)
    if zero not in ZERO_STAGES:
        problems.append(_problem(where, "--zero", f"ZeRO stage must be 0, 1, 2 or 3, got {zero!r}"))
    if precision not in PRECISION_BYTES:
        known = ", ".join(PRECISION_BYTES)
        problems.append(_problem(where, "--precision", f"{precision!r} is not one of {known}"))
    if opt not in OPTIMIZER_MOMENT_BYTES:
        known = ", ".join(OPTIMIZER_MOMENT_BYTES)
        problems.append(_problem(where, "--optimizer", f"{opt!r} is not one of {known}"))
    if not problems and ranks % (tp * pp):
        problems.append(
            _problem(
                where,
                "--ranks",
                f"{ranks:,} ranks are not a whole number of model-parallel groups of "
                f"tp x pp = {tp} x {pp} = {tp * pp} ranks",
            )
        )
    if params < 1:
        problems.append(_problem(where, "--model", f"the model has no parameters ({params})"))
    if problems:
        raise SizerInputError(problems)


def _share(total: int, parts: int, index: int) -> int:
    """Element ``index`` of ``total`` split into ``parts`` as evenly as whole numbers go."""
    return total // parts + (1 if index < total % parts else 0)


def _grouped(rows: Counter[tuple[int, int, int, int]]) -> tuple[RankGroup, ...]:
    groups = [RankGroup(n, w, m, o, f) for (w, m, o, f), n in rows.items() if f > 0]
    return tuple(sorted(groups, key=lambda g: (-g.bytes, -g.ranks, g.files)))


def _rank_shares(
    params: int, ranks: int, tp: int, pp: int, zero: int, optimizer: str
) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Per rank, in rank order: the (weight, optimizer) parameters it saves and the ones it
    reads back at a restore.

    Rank ``r`` is data-parallel rank ``r // (tp x pp)`` of model-parallel rank
    ``r % (tp x pp)`` (Megatron-LM's order: a model-parallel group is consecutive ranks).
    A save is written once; a restore is read by every rank that needs it: each
    data-parallel replica reads its model-parallel shard of the weights (its own shard
    under ZeRO-3) and of the optimizer state (its own shard under ZeRO 1-3).
    """
    mp = tp * pp
    training = optimizer != "none"
    w_parts = ranks if zero == 3 else mp
    o_parts = mp if zero == 0 else ranks
    for rank in range(ranks):
        dp_rank, mp_rank = divmod(rank, mp)
        w_read = _share(params, w_parts, rank if zero == 3 else mp_rank)
        o_read = _share(params, o_parts, rank if zero > 0 else mp_rank) if training else 0
        w = w_read if zero == 3 or dp_rank == 0 else 0
        o = o_read if zero > 0 or dp_rank == 0 else 0
        yield (w, o), (w_read, o_read)


def rank_bytes(c: Checkpoint) -> tuple[list[int], list[int]]:
    """Bytes each rank writes at a save and reads at a restore, in rank order.

    Only for the textbook rule (:func:`checkpoint_size`); the sums are
    ``c.checkpoint_bytes`` and at least that (replicas read shared shards again).

    >>> c = checkpoint_size(1000, ranks=4, tp=2)      # ZeRO-0: 2 replicas of 2 shards
    >>> rank_bytes(c)
    ([7000, 7000, 0, 0], [7000, 7000, 7000, 7000])
    """
    if c.rule != "textbook":
        raise ValueError(f"rank_bytes needs the textbook rule, not {c.rule!r}")
    bw = PRECISION_BYTES[c.precision]
    bo = (MASTER_BYTES if c.master_weights else 0) + OPTIMIZER_MOMENT_BYTES[c.optimizer]
    save: list[int] = []
    restore: list[int] = []
    for (w, o), (wr, orr) in _rank_shares(c.params, c.ranks, c.tp, c.pp, c.zero, c.optimizer):
        save.append(w * bw + o * bo)
        restore.append(wr * bw + orr * bo)
    return save, restore


def checkpoint_size(
    params: int,
    *,
    ranks: int = 1,
    tp: int = 1,
    pp: int = 1,
    zero: int = 0,
    precision: str = "bf16",
    optimizer: str = "adam",
    model: str = "",
    where: str = "<command line>",
) -> Checkpoint:
    """The checkpoint of a model of ``params`` parameters trained on ``ranks`` ranks.

    Parameters
    ----------
    params : int
        Parameters of the model (``sizer.networks.get_model(id).params``).
    ranks : int
        Ranks (GPUs) of the job: ``tp x pp x dp``.
    tp, pp : int
        Tensor- and pipeline-parallel degrees; ``ranks`` must be a multiple of ``tp * pp``.
    zero : {0, 1, 2, 3}
        ZeRO stage (0: plain data parallel; 1 and 2 shard the optimizer state, 3 also the
        weights; gradients are not saved, so 1 and 2 give the same checkpoint).
    precision : {"bf16", "fp16", "fp32", "fp8"}
        Precision of the saved weights. Below FP32 and with an optimizer, FP32 master weights
        (4 B/parameter) are saved too.
    optimizer : {"adam", "adamw", "sgd-momentum", "sgd", "none"}
        Optimizer whose moments are saved (FP32); ``"none"`` is a weights-only export.
    model : str
        The model's name, carried into the result.
    where : str
        The "file" named by input problems (``"sizer checkpoint"`` on the command line).

    Returns
    -------
    Checkpoint
        ``rule`` is ``"textbook"``.

    Raises
    ------
    SizerInputError
        A bad input, one located problem each (``loc`` the option: ``--ranks`` ...).

    Notes
    -----
    Shares are whole parameters: ``P`` split over ``n`` ranks gives ``P // n`` to each and one
    more to the first ``P % n``, so the parts add up to exactly ``P`` elements. Framework
    extras (RNG state, scheduler, arguments: kilobytes) and file-format headers are not
    counted. Cost: O(ranks).

    Examples
    --------
    A 1,000-parameter model, BF16 + Adam (14 B/param = 14,000 B), on 8 ranks as 2 tensor x 4
    data parallel with ZeRO-1: the 2 data-parallel-rank-0 ranks write 500 weights x 2 B =
    1,000 B each; all 8 write 125 x (4 + 8) = 1,500 B of optimizer state.

    >>> c = checkpoint_size(1000, ranks=8, tp=2, zero=1)
    >>> c.checkpoint_bytes, c.parts
    (14000, {'weights': 2000, 'master': 4000, 'optimizer': 8000})
    >>> [(g.ranks, g.bytes, g.files) for g in c.groups]
    [(2, 2500, 2), (6, 1500, 1)]
    """
    _check(where, params, ranks, tp, pp, zero, precision, optimizer)
    mp = tp * pp
    dp = ranks // mp
    bw = PRECISION_BYTES[precision]
    bm = MASTER_BYTES if optimizer != "none" and bw < MASTER_BYTES else 0
    bo = OPTIMIZER_MOMENT_BYTES[optimizer]
    rows: Counter[tuple[int, int, int, int]] = Counter()
    for (w, o), _read in _rank_shares(params, ranks, tp, pp, zero, optimizer):
        # DeepSpeed: ZeRO-0 keeps the optimizer in the model file; ZeRO>=1 a file per rank
        files = (1 if w else 0) + (1 if o and (zero > 0 or not w) else 0)
        rows[(w * bw, o * bm, o * bo, files)] += 1
    return Checkpoint(
        model=model,
        params=params,
        ranks=ranks,
        tp=tp,
        pp=pp,
        dp=dp,
        zero=zero,
        precision=precision,
        optimizer=optimizer,
        master_weights=bm > 0,
        rule="textbook",
        groups=_grouped(rows),
    )


# ----------------------------------------------------------------------------- MLPerf Storage


@dataclass(frozen=True)
class MlperfWorkload:
    """One MLPerf Storage checkpointing workload, as its DLIO workload file defines it.

    ``published_bytes_text`` is the checkpoint size of Rules.md Table 2 (its "GB" are
    DLIO's, 2^30 bytes), ``published_gib`` that figure as a number of GiB.
    """

    name: str
    model_id: str
    n_layers: int
    hidden: int
    ffn: int
    heads: int
    kv_heads: int
    vocab: int
    tp: int
    pp: int
    dp: int
    zero: int
    published_bytes_text: str
    published_gib: float

    @property
    def ranks(self) -> int:
        return self.tp * self.pp * self.dp


def mlperf_storage_workloads() -> dict[str, MlperfWorkload]:
    """The four llama3 checkpointing workloads of MLPerf Storage v2.0, by name.

    Shapes, parallelism and ZeRO stage from ``configs/dlio/workload/llama3_{8b,70b,405b,1t}.yaml``
    of https://github.com/mlcommons/storage; processes (TP x PP x DP) and checkpoint sizes from
    its Rules.md, Table 2 "LLM models". Every workload saves FP16 weights and FP32 optimizer
    state (``model_datatype: fp16``, ``optimizer_datatype: fp32``). The 70B workload uses 128
    heads where Meta's model has 64 (``model_id`` is the model it stands for).
    """
    v = 128256
    rows = [
        MlperfWorkload(
            "llama3-8b", "llama-3-8b", 32, 4096, 14336, 32, 8, v, 1, 1, 8, 3, "105 GB", 105
        ),
        MlperfWorkload(
            "llama3-70b", "llama-3-70b", 80, 8192, 28672, 128, 8, v, 8, 1, 8, 3, "912 GB", 912
        ),
        MlperfWorkload(
            "llama3-405b",
            "llama-3.1-405b",
            126,
            16384,
            53248,
            128,
            8,
            v,
            8,
            32,
            2,
            1,
            "5.29 TB",
            5290,
        ),
        MlperfWorkload(
            "llama3-1t",
            "mlperf-llama3-1t",
            128,
            25872,
            98304,
            192,
            32,
            v,
            8,
            64,
            2,
            1,
            "18 TB",
            18000,
        ),
    ]
    return {w.name: w for w in rows}


def _dlio_params(w: MlperfWorkload) -> int:
    """DLIO's ``get_num_parameters``: untied embedding and head, GQA attention, SwiGLU."""
    h, kv = w.hidden, w.hidden // w.heads * w.kv_heads
    block = h + h * (h + 2 * kv) + h * h + h + 3 * h * w.ffn
    return 2 * w.vocab * h + w.n_layers * block + h


def _dlio_layers(w: MlperfWorkload, pp_rank: int) -> range:
    """DLIO's ``get_layer_index``: layer 0 the embedding (first stage), ``L+1`` the head and
    ``L+2`` the final norm (last stage); the ``L`` blocks split over the stages."""
    per, rem = divmod(w.n_layers, w.pp)
    if pp_rank < rem:
        start = pp_rank * (per + 1) + 1
        end = start + per
    else:
        start = rem * (per + 1) + (pp_rank - rem) * per + 1
        end = start + per - 1
    if pp_rank == w.pp - 1:
        end = w.n_layers + 2
    if pp_rank == 0:
        start = 0
    return range(start, end + 1)


def _dlio_layer_elements(w: MlperfWorkload, index: int) -> int:
    """DLIO's ``get_layer_parameters``, summed: matrices split over TP, norms replicated."""
    h, tp, n = w.hidden, w.tp, w.n_layers
    sf = w.dp if w.zero == 3 else 1
    kv = h // w.heads * w.kv_heads
    if index in (0, n + 1):
        return h * w.vocab // tp // sf
    if index == n + 2:
        return h // sf
    mats = (h * (h + 2 * kv), h * h, h * 2 * w.ffn, h * w.ffn)
    return 2 * (h // sf) + sum(m // tp // sf for m in mats)


def dlio_checkpoint(w: MlperfWorkload) -> Checkpoint:
    """The bytes DLIO writes for an MLPerf Storage checkpointing workload, rank by rank.

    Parameters
    ----------
    w : MlperfWorkload
        One of :func:`mlperf_storage_workloads`.

    Returns
    -------
    Checkpoint
        ``rule`` is ``"dlio"``; ``precision`` fp16 and ``optimizer`` adam (DLIO's three FP32
        optimizer groups are read as the master weights and the two moments).

    Notes
    -----
    DLIO (``base_checkpointing.py``) departs from :func:`checkpoint_size` in four ways, each
    modeled here: (1) the parameter count is its own formula of the workload's shapes (the
    70B workload's 128 heads make the K/V width 512, not Meta's 1,024, so 69.88 B
    parameters, not 70.55 B); (2) norm weights are written by every tensor-parallel rank,
    not split; (3) every optimizer group has ``5 x hidden`` extra FP32 elements per rank;
    (4) every share is floored. Who writes: with ZeRO-3 every rank its model shard
    (``zero_pp_rank_D_mp_rank_M_model_states``); with ZeRO 1-2 data-parallel rank 0 of each
    model-parallel group its layers (one file per layer when PP > 1); the optimizer state
    ``P // ranks`` x 3 groups, one file per rank (ZeRO-0: ``P // (tp x pp)`` from the first
    data-parallel replica).

    Examples
    --------
    >>> c = dlio_checkpoint(mlperf_storage_workloads()["llama3-8b"])
    >>> c.params, c.checkpoint_bytes, round(c.checkpoint_bytes / 2**30, 1)
    (8030261248, 112425623552, 104.7)
    """
    params = _dlio_params(w)
    mp = w.tp * w.pp
    ranks = w.ranks
    opt_elems = params // (ranks if w.zero > 0 else mp) + 5 * w.hidden
    by_stage = [sum(_dlio_layer_elements(w, i) for i in _dlio_layers(w, s)) for s in range(w.pp)]
    rows: Counter[tuple[int, int, int, int]] = Counter()
    for rank in range(ranks):
        dp_rank, mp_rank = divmod(rank, mp)
        stage = mp_rank // w.tp
        writes_model = w.zero == 3 or dp_rank == 0
        writes_opt = w.zero > 0 or dp_rank == 0
        weights = by_stage[stage] * 2 if writes_model else 0
        files = 0
        if writes_model:
            files += len(_dlio_layers(w, stage)) if 0 < w.zero < 3 and w.pp > 1 else 1
        if writes_opt:
            files += 1
        group = opt_elems * 4 if writes_opt else 0  # one FP32 group: master, then m, then v
        rows[(weights, group, 2 * group, files)] += 1
    return Checkpoint(
        model=w.name,
        params=params,
        ranks=ranks,
        tp=w.tp,
        pp=w.pp,
        dp=w.dp,
        zero=w.zero,
        precision="fp16",
        optimizer="adam",
        master_weights=True,
        rule="dlio",
        groups=_grouped(rows),
    )
