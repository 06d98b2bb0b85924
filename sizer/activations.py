"""Activation memory of one sample, layer by layer: what training keeps for backward and
what inference holds alive, for a CNN layer graph or a decoder-only transformer.

The rules (which tensors each layer saves, Korthikanti et al.'s per-block terms, tensor
parallelism and recomputation) are explained in :mod:`sizer.memory`, which sums these
figures with the parameter, gradient and optimizer states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sizer.netdefs import CNN, LayerShape, Transformer, infer_shapes

__all__ = [
    "BN_STAT_BYTES",
    "DROPOUT_MASK_BYTES",
    "INDEX_BYTES",
    "LOGITS_BYTES",
    "Activations",
    "LayerMemory",
    "cnn_activations",
    "transformer_activations",
]

INDEX_BYTES = 8
#: Dropout keeps a bool mask on CUDA (``native_dropout``); PyTorch on CPU keeps a noise tensor
#: of the activation dtype instead (see tests/test_memory_torch.py).
DROPOUT_MASK_BYTES = 1
#: Batch-norm saves per-channel mean and inverse std in FP32 for backward.
BN_STAT_BYTES = 4
#: Logits for the softmax cross-entropy (transformer training) are kept in FP32 [1]_.
LOGITS_BYTES = 4


@dataclass(frozen=True)
class LayerMemory:
    """One layer's figures for the whole batch, per GPU.

    ``params`` is the layer's full parameter count; ``parameter_bytes`` is this GPU's share
    (divided by the GPU count under ZeRO-3 or tensor parallelism). ``output_shape`` is per
    sample. ``output_bytes`` is the layer's feature map for the batch (the article's figure). ``saved_bytes`` (training) is what this layer adds to the tensors
    kept for backward; summed over layers it is the activation total. ``live_bytes``
    (inference) is the activation memory alive while the layer runs; its maximum over layers is
    the activation total. ``kv_cache_bytes`` is the layer's KV cache (transformer inference).
    """

    name: str
    op: str
    output_shape: tuple[int, ...]
    params: int
    parameter_bytes: int
    output_bytes: int
    saved_bytes: int = 0
    live_bytes: int = 0
    kv_cache_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with stable keys; sizes in bytes."""
        return {
            "name": self.name,
            "op": self.op,
            "output_shape": list(self.output_shape),
            "params": self.params,
            "parameter_bytes": self.parameter_bytes,
            "output_bytes": self.output_bytes,
            "saved_bytes": self.saved_bytes,
            "live_bytes": self.live_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
        }


@dataclass(frozen=True)
class Activations:
    """Activation bytes as ``fixed + per_sample * batch`` plus per-layer figures per sample."""

    fixed: int
    per_sample: int
    kv_per_sample: int
    rows: list[LayerMemory]  # per-sample output/saved/live/kv bytes; parameter_bytes final
    fixed_rows: dict[str, int] = field(default_factory=dict)  # batch-independent saved bytes
    #: full recomputation: the bytes of the one block backward rebuilds at a time (counted
    #: in the last block's ``saved_bytes``; a pipeline stage rebuilds one of its own)
    rebuild: int = 0


def _last_use(
    run: list[LayerShape], storage: dict[str, str], created: dict[str, int]
) -> dict[str, int]:
    """Index of the last layer during which each tensor storage is alive (inference).

    A storage lives from the layer that creates it to the last layer that reads it, and the
    network output to the end. Layer names are module paths, and in PyTorch eager the caller
    of a module holds the module's input until the module returns; so a tensor read by a
    container (``layer1``, ``layer1.0``, ``features``, or the whole network for the input
    batch) lives until the container's last layer, even if its last reader ran earlier.
    """
    last: dict[str, int] = {}
    span: dict[str, tuple[int, int]] = {}
    for i, s in enumerate(run):
        name = s.layer.name
        last[storage[name]] = max(last.get(storage[name], i), i)
        for inp in s.layer.inputs:
            last[storage[inp]] = i
        parts = name.split(".")
        for k in range(len(parts)):  # "" (the network), "layer1", "layer1.0", ...
            prefix = ".".join(parts[:k])
            first = span.get(prefix, (i, i))[0]
            span[prefix] = (first, i)
    last[storage[run[-1].layer.name]] = len(run) - 1
    last[storage[run[0].layer.name]] = len(run) - 1  # the caller holds the input batch
    for s in run:
        parts = s.layer.name.split(".")
        for inp in s.layer.inputs:
            st = storage[inp]
            for k in range(len(parts)):
                first, end = span[".".join(parts[:k])]
                if created[st] < first:  # the container's caller passed this tensor in
                    last[st] = max(last[st], end)
    return last


def cnn_activations(
    net: CNN, image: tuple[int, int], training: bool, e: int, w: int
) -> Activations:
    """Per-sample activation bytes of a CNN (see the module notes for the saved-tensor rules)."""
    shapes = infer_shapes(net, image, training)
    run = [s for s in shapes if training or not s.layer.train_only]
    numel = {s.layer.name: s.numel for s in shapes}
    # Which tensor storage each layer's output lives in: in-place ops, views and (in eval mode)
    # dropout write no new tensor.
    storage: dict[str, str] = {}
    for s in run:
        lay = s.layer
        alias = lay.inplace or lay.op == "flatten" or (lay.op == "dropout" and not training)
        storage[lay.name] = storage[lay.inputs[0]] if alias else lay.name

    saved: dict[str, int] = {s.layer.name: 0 for s in shapes}
    live: dict[str, int] = {s.layer.name: 0 for s in shapes}
    fixed: dict[str, int] = {}
    if training:
        kept: set[str] = set()
        for s in run:
            lay = s.layer
            op = lay.op
            keeps_input = op in ("conv", "bn", "linear", "maxpool", "avgpool") or (
                op == "adaptive_avgpool" and lay.output_size != (1, 1)
            )
            if keeps_input:
                kept.add(storage[lay.inputs[0]])
            if op == "relu":
                kept.add(storage[lay.name])
            if op == "maxpool":
                saved[lay.name] += s.numel * INDEX_BYTES
            if op == "dropout":
                saved[lay.name] += s.numel * DROPOUT_MASK_BYTES
            if op == "bn":
                fixed[lay.name] = 2 * s.out_shape[0] * BN_STAT_BYTES
        for name in kept:
            saved[name] += numel[name] * e
        per_sample = sum(saved.values())
    else:
        order = {s.layer.name: i for i, s in enumerate(run)}
        created = {name: order[name] for name in set(storage.values())}
        last_use = _last_use(run, storage, created)
        per_sample = 0
        for i, s in enumerate(run):
            now = sum(numel[st] * e for st, c in created.items() if c <= i <= last_use[st])
            live[s.layer.name] = now
            per_sample = max(per_sample, now)
    rows = [
        LayerMemory(
            name=s.layer.name,
            op=s.layer.op,
            output_shape=s.out_shape,
            params=s.params,
            parameter_bytes=s.params * w,
            output_bytes=s.numel * e if (training or not s.layer.train_only) else 0,
            saved_bytes=saved[s.layer.name],
            live_bytes=live[s.layer.name],
        )
        for s in shapes
    ]
    return Activations(
        fixed=sum(fixed.values()),
        per_sample=per_sample,
        kv_per_sample=0,
        rows=rows,
        fixed_rows=fixed,
    )


def _transformer_layer_saved(
    net: Transformer, s: int, e: int, t: int, recompute: str, flash: bool
) -> int:
    """Bytes one block keeps for backward, one sample (Korthikanti et al. 2022, section 4)."""
    h, a, kv, f = net.hidden, net.heads, net.kv_dim, net.ffn
    m = 1 if net.dropout else 0
    # Not split by tensor parallelism: two norm inputs, QKV and MLP inputs, two dropout masks.
    replicated = s * h * (2 * e + e + e + 2 * m)
    mlp = (2 if net.mlp == "gelu" else 4) * s * f * e
    split = s * e * (h + 2 * kv) + s * h * e + mlp  # Q, K, V; attention output proj input; MLP
    # Attention core: softmax output, dropout mask and dropout output; with FlashAttention
    # only the FP32 log-sum-exp of each query row.
    core = a * s * 4 if flash else a * s * s * (e + m * (1 + e))
    if recompute == "selective":
        core = 0
    return replicated + -(-(split + core) // t)


def transformer_activations(
    net: Transformer, seq: int, training: bool, e: int, w: int, t: int, recompute: str, flash: bool
) -> Activations:
    s, h, v, n = seq, net.hidden, net.vocab, net.n_layers
    m = 1 if net.dropout else 0
    rows: list[LayerMemory] = []
    kv_per_layer = 0
    rebuild = 0
    if training:
        full = _transformer_layer_saved(net, s, e, t, "none", flash)
        rebuild = full if recompute == "full" else 0
        layer = _transformer_layer_saved(net, s, e, t, recompute, flash)
        if recompute == "full":
            layer = s * h * e  # the block input only
        embed_saved = s * h * m
        head_saved = s * h * e + -(-(s * v * LOGITS_BYTES) // t)  # LM-head input; FP32 logits
        norm_saved = s * h * e
        per_sample = embed_saved + n * layer + norm_saved + head_saved
        if recompute == "full":
            per_sample += full  # one block rebuilt during backward
        saved = [embed_saved] + [layer] * n + [norm_saved, head_saved]
        if recompute == "full":
            saved[n] += full  # backward rebuilds the last block first
        live = [0] * (n + 3)
        head_shape: tuple[int, ...] = (s, v)
    else:
        per_tp = -(-net.kv_heads // t) * net.head_dim  # K/V heads on one GPU
        kv_per_layer = 2 * s * per_tp * e
        mlp_inner = (2 if net.mlp == "gelu" else 3) * s * net.ffn * e
        scores = 0 if flash else 2 * net.heads * s * s * e
        attn = s * h * e + -(-(s * h * e + scores + s * h * e) // t)
        mlp = s * h * e + -(-mlp_inner // t)
        block_live = s * h * e + max(attn, mlp)
        logits = v * LOGITS_BYTES  # next-token logits of the last position only
        per_sample = max(block_live, s * h * e + logits)
        saved = [0] * (n + 3)
        live = [s * h * e] + [block_live] * n + [2 * s * h * e, s * h * e + logits]
        head_shape = (1, v)
    names = ["embed"] + [f"layers.{i}" for i in range(n)] + ["norm", "lm_head"]
    params = [net.embedding_params] + [net.block_params] * n + [net.norm_params, net.head_params]
    shapes: list[tuple[int, ...]] = [(s, h)] * (n + 2) + [head_shape]
    ops = ["embedding"] + ["block"] * n + [net.norm, "linear"]
    for i, name in enumerate(names):
        rows.append(
            LayerMemory(
                name=name,
                op=ops[i],
                output_shape=shapes[i],
                params=params[i],
                parameter_bytes=params[i] * w,
                output_bytes=math.prod(shapes[i]) * (LOGITS_BYTES if name == "lm_head" else e),
                saved_bytes=saved[i],
                live_bytes=live[i],
                kv_cache_bytes=kv_per_layer if ops[i] == "block" else 0,
            )
        )
    return Activations(
        fixed=0,
        per_sample=per_sample,
        kv_per_sample=n * kv_per_layer,
        rows=rows,
        rebuild=rebuild,
    )
