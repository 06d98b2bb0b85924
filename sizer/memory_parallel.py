"""How the memory estimate is divided among GPUs: sharding and pipeline stages.

:func:`sizer.memory.estimate_memory` sums what one GPU holds; this module holds the two
divisions it applies first.  ``_states`` gives the parameter, gradient and optimizer bytes
per GPU after data-parallel, ZeRO stage 1-3 or tensor sharding (with the FP32 master
weights of mixed precision, and ZeRO-3's one all-gathered module); ``_stages`` splits a
transformer's layers into pipeline stages, each with its parameters, the micro-batches it
keeps in flight (1F1B) and its activation bytes per sample; ``_pipeline_note`` puts the
split into words.  The model and its references ([1]_, [2]_, [4]_) are described in
:mod:`sizer.memory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sizer.memory_inputs import BYTES_PER_ELEMENT, OPTIMIZER_STATE_BYTES, Parallel
from sizer.netdefs import Model, Transformer

#: FP32 master copy of the weights kept by mixed-precision (FP16/BF16) training.
MASTER_WEIGHT_BYTES = 4


@dataclass(frozen=True)
class _Fixed:
    parameters: int
    gradients: int
    optimizer: int
    overhead: int
    sharded: tuple[str, ...]
    notes: tuple[str, ...]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _states(
    params: int,
    largest_layer: int,
    precision: str,
    training: bool,
    optimizer: str,
    par: Parallel,
    overhead: int,
) -> _Fixed:
    """Parameter, gradient and optimizer bytes per GPU after sharding."""
    w = BYTES_PER_ELEMENT[precision]
    n = par.gpus
    opt_per_param = 0
    if training:
        opt_per_param = OPTIMIZER_STATE_BYTES[optimizer]
        if precision != "fp32":
            opt_per_param += MASTER_WEIGHT_BYTES
    p_elems = g_elems = o_elems = params
    notes: list[str] = []
    sharded: tuple[str, ...] = ()
    gather = 0
    if par.sharding in ("zero1", "zero2", "zero3", "tensor"):
        o_elems = _ceil_div(params, n)
        sharded = ("optimizer",)
    if par.sharding in ("zero2", "zero3", "tensor"):
        g_elems = _ceil_div(params, n)
        sharded = ("optimizer", "gradients")
    if par.sharding in ("zero3", "tensor"):
        p_elems = _ceil_div(params, n)
        sharded = ("optimizer", "gradients", "parameters")
    if par.sharding == "zero3" and n > 1:
        gather = largest_layer * w
        notes.append(
            "zero3: parameters include one all-gathered module "
            f"({largest_layer:,} parameters, the largest) besides this GPU's shard"
        )
    if par.sharding == "tensor":
        notes.append(
            f"tensor parallel over {n} GPUs: the {n} GPUs share one batch; LayerNorm inputs, "
            "dropout masks and QKV/MLP inputs are replicated (no sequence parallelism)"
        )
    elif n > 1:
        notes.append(f"data parallel: batch is per GPU; global batch = batch x {n}")
    if training and precision != "fp32":
        notes.append(
            f"mixed precision: {precision} weights and gradients, FP32 master weights "
            "counted in optimizer"
        )
    if not training:  # no gradients or optimizer state to shard
        sharded = tuple(x for x in sharded if x == "parameters")
    if par.sharding == "tensor":
        extra = ("activations (attention/MLP internals)",)
        sharded = (*sharded, *extra) if training else (*sharded, "kv_cache", *extra)
    return _Fixed(
        parameters=p_elems * w + gather,
        gradients=g_elems * w if training else 0,
        optimizer=o_elems * opt_per_param,
        overhead=overhead,
        sharded=sharded,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _Stage:
    """One pipeline stage: its layers, parameters and activation bytes per sample."""

    index: int  # 0-based
    names: tuple[str, ...]  # the rows (layers) it holds
    params: int
    largest_matrix: int
    in_flight: int  # micro-batches whose activations it keeps (1F1B)
    per_sample: int  # activation bytes per sample of the micro-batch
    kv_per_sample: int
    saved: dict[str, int]  # row -> saved bytes per sample, in-flight micro-batches included
    tied_copy: int  # parameters of the output head's copy of a tied embedding (last stage)


def _stages(net: Model, acts: Any, pp: int, training: bool, largest: int) -> list[_Stage]:
    """The pipeline stages of ``net`` (one stage when ``pp`` is 1: the whole model).

    A transformer's ``n`` blocks are split evenly, ``n / pp`` per stage, in order; the
    token (and position) embedding is on the first stage, the final norm and the output
    head on the last, which with tied embeddings keeps its own copy of the word embedding
    (as Megatron-LM does; its gradient is all-reduced with the first stage's).  Training
    uses the 1F1B schedule [4]_: stage ``k`` (0-based) keeps the activations of ``pp - k``
    micro-batches in flight, so the first stage holds ``pp`` micro-batches of ``n / pp``
    blocks -- as many block activations as the whole model without pipelining [1]_
    (section 4.2.3); with full recomputation each stage also rebuilds one of its blocks
    for one micro-batch.  Inference keeps one micro-batch's working set per stage and the
    KV cache of its own layers.
    """
    rows = {r.name: r for r in acts.rows}
    if pp == 1 or not isinstance(net, Transformer):
        saved = {r.name: r.saved_bytes for r in acts.rows}
        names = tuple(r.name for r in acts.rows)
        return [
            _Stage(0, names, net.params, largest, 1, acts.per_sample, acts.kv_per_sample, saved, 0)
        ]
    n = net.n_layers
    per = n // pp
    last_block = f"layers.{n - 1}"
    base = {
        r.name: r.saved_bytes - (acts.rebuild if r.name == last_block else 0) for r in acts.rows
    }
    h = net.hidden
    inner = max(h * net.ffn, h * (h + 2 * net.kv_dim))  # the largest block matrix
    out = []
    for k in range(pp):
        names = tuple(
            (["embed"] if k == 0 else [])
            + [f"layers.{i}" for i in range(k * per, (k + 1) * per)]
            + (["norm", "lm_head"] if k == pp - 1 else [])
        )
        copy = net.vocab * h if k == pp - 1 and net.tied_embeddings else 0
        params = sum(rows[x].params for x in names) + copy
        big = net.largest_matrix if k in (0, pp - 1) else inner
        if training:
            f = pp - k
            saved = {x: f * base[x] for x in names}
            saved[f"layers.{(k + 1) * per - 1}"] += acts.rebuild  # one block rebuilt at a time
            per_sample = sum(saved.values())
            kv = 0
        else:
            f = 1
            saved = {x: 0 for x in names}
            per_sample = max(rows[x].live_bytes for x in names)
            kv = sum(rows[x].kv_cache_bytes for x in names)
        out.append(_Stage(k, names, params, big, f, per_sample, kv, saved, copy))
    return out


def _pipeline_note(net: Model, stage: _Stage, pp: int, par: Parallel, training: bool) -> str:
    """What the pipeline split is and which stage the figures are of, in words."""
    n = net.n_layers if isinstance(net, Transformer) else 0
    tied = isinstance(net, Transformer) and net.tied_embeddings
    text = (
        f"pipeline parallel over {pp} stages, 1F1B schedule (Narayanan et al. 2021): "
        f"{n // pp} of {n} layers per stage, the embedding on stage 1, the final norm and "
        f"output head on stage {pp}"
        + (" (with its own copy of the tied embedding)" if tied else "")
        + f"; the figures are stage {stage.index + 1}'s, the one needing the most memory"
        f" ({stage.params:,} parameters)"
    )
    if training:
        text += (
            f", which keeps the activations of {stage.in_flight} micro-batch"
            f"{'es' if stage.in_flight != 1 else ''} in flight (at least {pp} micro-batches "
            "per step assumed; fewer keep fewer)"
        )
    return text + (
        f"; batch is one micro-batch; the job uses {par.gpus} x {pp} = {par.gpus * pp:,} GPUs"
    )
