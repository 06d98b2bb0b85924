"""GPU memory estimate for training or inference of a CNN or a decoder-only transformer.

Does model M at batch B, image HxW (or sequence S), precision P fit on a GPU with G bytes,
for training or for inference, and what is the largest batch that fits? The answer is a sum of
separately reported parts, per GPU:

* **parameters**: ``params x bytes(P)``; FP32 4, FP16/BF16 2, FP8/INT8 1 (inference only).
* **gradients** (training): one value per parameter at the training precision.
* **optimizer** (training): state per parameter; SGD 0, SGD with momentum 4 B, Adam/AdamW
  8 B (two FP32 moments); with FP16/BF16 mixed precision also the 4-byte FP32 master copy of
  the weights. Mixed-precision Adam is thus 2 + 2 + 12 = 16 bytes per parameter [2]_.
* **activations**: training keeps every tensor that backward needs until backward reaches it
  (the article's "activations live long"); inference keeps only the tensors alive at the
  moment, which for a chain network is the largest input + output pair of consecutive layers
  (the article's "two consecutive layers"); for branches and skip connections the live set
  also holds the tensors still waiting to be used.
* **kv_cache** (transformer inference): K and V of every layer for every cached token.
* **overhead**: :data:`FRAMEWORK_OVERHEAD_BYTES` per GPU for the CUDA context, cuBLAS/cuDNN
  workspaces and caching-allocator slack (an assumption, stated below).

Which tensors a CNN layer keeps for backward follows PyTorch's autograd formulas (checked with
``torch.autograd.graph.saved_tensors_hooks`` in ``tests/test_memory_torch.py``): conv, linear,
batch-norm, max- and average-pool keep their input; ReLU keeps its output (in place, the same
storage as the conv/BN output it overwrote); max-pool also keeps int64 argmax indices
(:data:`INDEX_BYTES`), dropout a mask (:data:`DROPOUT_MASK_BYTES`) and batch-norm its FP32
per-channel mean and inverse std; concatenation and residual additions keep nothing; global
(1x1) average pooling is a mean and keeps nothing. A tensor kept by several layers is counted
once. The loss, and cuDNN workspaces, are not counted (the latter are in the overhead).

Transformer activations per layer follow Korthikanti et al. [1]_: with 16-bit activations,
sequence ``s``, micro-batch ``b``, hidden ``h``, ``a`` heads and no parallelism a GPT layer
keeps ``sbh(34 + 5as/h)`` bytes. We use the same term-by-term sum for any element size ``e``,
GQA (K/V width ``kv``), SwiGLU (4 saved ``s x ffn`` tensors instead of 2) and models without
dropout, so that GPT-3 at 16 bits reproduces the formula exactly. Tensor parallelism over ``t``
GPUs (no sequence parallelism) divides the attention/MLP internals by ``t`` but not the
``10sbh`` of LayerNorm inputs, dropout masks and QKV/MLP inputs: ``sbh(10 + 24/t + 5as/(ht))``.
``recompute="selective"`` drops the ``5as^2b`` attention-core term, ``"full"`` keeps only each
layer's input (``2sbh`` per layer) plus one layer's activations rebuilt during backward.

Sharding across ``N`` GPUs (``parallel``): ``none`` is plain data parallelism (each GPU holds a
full replica; ``batch`` is per GPU); ZeRO stage 1 shards the optimizer state (with the FP32
master weights), stage 2 also the gradients, stage 3 also the parameters (plus one all-gathered
layer at a time) [2]_; ``tensor`` (Megatron-style, transformers only) shards parameters,
gradients, optimizer state, the KV cache (by heads) and the attention/MLP activations, and
``batch`` is shared by the ``N`` GPUs of the group.

References
----------
.. [1] Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models",
   MLSys 2023, arXiv:2205.05198, section 4 (equations 1-2, Table 2).
.. [2] Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter
   Models", SC 2020, arXiv:1910.02054, section 3 and Figure 1.
.. [3] F. Denneman, "Training vs Inference - Memory Consumption by Neural Networks", 2022,
   https://frankdenneman.nl/2022/07/15/training-vs-inference-memory-consumption-by-neural-networks/
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sizer.errors import Problem, SizerInputError
from sizer.netdefs import CNN, LayerShape, Model, Transformer, get_model, infer_shapes

__all__ = [
    "BYTES_PER_ELEMENT",
    "DROPOUT_MASK_BYTES",
    "FRAMEWORK_OVERHEAD_BYTES",
    "INDEX_BYTES",
    "LayerMemory",
    "MemoryEstimate",
    "Parallel",
    "estimate_case",
    "estimate_memory",
    "parse_image",
]

Precision = Literal["fp32", "fp16", "bf16", "fp8", "int8"]
Phase = Literal["training", "inference"]
Optimizer = Literal["sgd", "sgd-momentum", "adam", "adamw"]
Sharding = Literal["none", "zero1", "zero2", "zero3", "tensor"]
Recompute = Literal["none", "selective", "full"]

#: Bytes per stored value for each precision.
BYTES_PER_ELEMENT: dict[str, int] = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1}
PRECISIONS: tuple[str, ...] = tuple(BYTES_PER_ELEMENT)
TRAINING_PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "bf16")
PHASES: tuple[str, ...] = ("training", "inference")
#: Optimizer state in bytes per parameter (FP32 moments), excluding master weights.
OPTIMIZER_STATE_BYTES: dict[str, int] = {"sgd": 0, "sgd-momentum": 4, "adam": 8, "adamw": 8}
OPTIMIZERS: tuple[str, ...] = tuple(OPTIMIZER_STATE_BYTES)
SHARDINGS: tuple[str, ...] = ("none", "zero1", "zero2", "zero3", "tensor")
RECOMPUTES: tuple[str, ...] = ("none", "selective", "full")
#: FP32 master copy of the weights kept by mixed-precision (FP16/BF16) training.
MASTER_WEIGHT_BYTES = 4
#: Max-pool argmax indices are int64 in PyTorch.
INDEX_BYTES = 8
#: Dropout keeps a bool mask on CUDA (``native_dropout``); PyTorch on CPU keeps a noise tensor
#: of the activation dtype instead (see tests/test_memory_torch.py).
DROPOUT_MASK_BYTES = 1
#: Batch-norm saves per-channel mean and inverse std in FP32 for backward.
BN_STAT_BYTES = 4
#: Logits for the softmax cross-entropy (transformer training) are kept in FP32 [1]_.
LOGITS_BYTES = 4
#: Per-GPU framework overhead: CUDA context (~0.3-0.5 GiB for PyTorch with CUDA 12 lazy module
#: loading), cuBLAS/cuDNN workspaces and caching-allocator fragmentation. Source: assumption,
#: 1 GiB; pass ``overhead_bytes`` to override.
FRAMEWORK_OVERHEAD_BYTES = 2**30
#: Search limit for the largest batch (samples per GPU).
MAX_BATCH = 2**40

_CLI = "<command line>"


@dataclass(frozen=True)
class Parallel:
    """How the job is spread: ``gpus`` GPUs and which states are sharded among them."""

    gpus: int = 1
    sharding: Sharding = "none"


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


CATEGORIES: tuple[str, ...] = (
    "parameters",
    "gradients",
    "optimizer",
    "activations",
    "kv_cache",
    "overhead",
)


@dataclass(frozen=True)
class MemoryEstimate:
    """Per-GPU memory by category (bytes), the per-layer table, and the answers.

    ``fits`` and ``largest_batch`` are ``None`` when no GPU memory was given.
    ``largest_batch`` is the largest per-GPU batch whose total fits (0 if even one sample
    does not).
    """

    model: str
    title: str
    kind: str
    params: int
    phase: str
    precision: str
    optimizer: str | None
    batch: int
    image: tuple[int, int] | None
    seq: int | None
    recompute: str
    flash_attention: bool
    gpus: int
    sharding: str
    sharded: tuple[str, ...]
    parameters_bytes: int
    gradients_bytes: int
    optimizer_bytes: int
    activations_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    gpu_memory_bytes: float | None
    fits: bool | None
    largest_batch: int | None
    layers: tuple[LayerMemory, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total_bytes(self) -> int:
        """Sum of all categories, per GPU."""
        return sum(self.categories().values())

    def categories(self) -> dict[str, int]:
        """Bytes per category in a fixed order (see :data:`CATEGORIES`)."""
        return {
            "parameters": self.parameters_bytes,
            "gradients": self.gradients_bytes,
            "optimizer": self.optimizer_bytes,
            "activations": self.activations_bytes,
            "kv_cache": self.kv_cache_bytes,
            "overhead": self.overhead_bytes,
        }

    def top_layers(self, n: int = 8) -> list[LayerMemory]:
        """The ``n`` layers with the most parameter + activation bytes (ties: network order)."""

        def weight(row: LayerMemory) -> int:
            act = row.saved_bytes if self.phase == "training" else row.live_bytes
            return row.parameter_bytes + act + row.kv_cache_bytes

        ranked = sorted(enumerate(self.layers), key=lambda ir: (-weight(ir[1]), ir[0]))
        return [row for _, row in ranked[:n] if weight(row) > 0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with stable keys; every size is a whole number of bytes."""
        return {
            "model": self.model,
            "title": self.title,
            "kind": self.kind,
            "params": self.params,
            "phase": self.phase,
            "precision": self.precision,
            "optimizer": self.optimizer,
            "batch": self.batch,
            "image": list(self.image) if self.image else None,
            "seq": self.seq,
            "recompute": self.recompute,
            "flash_attention": self.flash_attention,
            "gpus": self.gpus,
            "sharding": self.sharding,
            "sharded": list(self.sharded),
            "bytes": {**self.categories(), "total": self.total_bytes},
            "gpu_memory_bytes": self.gpu_memory_bytes,
            "fits": self.fits,
            "largest_batch": self.largest_batch,
            "notes": list(self.notes),
            "layers": [row.to_dict() for row in self.layers],
        }


# ----------------------------------------------------------------------------- input checks


def _problem(loc: str, msg: str, type_: str = "invalid", hint: str | None = None) -> Problem:
    return Problem(file=_CLI, line=None, col=None, loc=loc, msg=msg, hint=hint, type=type_)


_IMAGE = re.compile(r"^\s*(\d+)\s*(?:[xX×]\s*(\d+)\s*)?$")


def parse_image(text: str) -> tuple[int, int]:
    """Parse ``"HEIGHTxWIDTH"`` (pixels) or a single number for a square image.

    Raises
    ------
    SizerInputError
        Not of that form, or a side of 0 (``loc`` ``--image``).

    Examples
    --------
    >>> parse_image("2160x3840")
    (2160, 3840)
    >>> parse_image("224")
    (224, 224)
    """
    m = _IMAGE.match(text)
    if not m:
        raise SizerInputError(
            [
                _problem(
                    "--image",
                    f"{text!r} is not an image size; write HEIGHTxWIDTH in pixels, e.g. 224x224",
                )
            ]
        )
    h = int(m.group(1))
    w = int(m.group(2)) if m.group(2) is not None else h
    if h < 1 or w < 1:
        raise SizerInputError(
            [_problem("--image", f"{text!r}: height and width must be at least 1 pixel")]
        )
    return h, w


def _choice(
    problems: list[Problem], loc: str, what: str, value: str, allowed: tuple[str, ...]
) -> None:
    if value not in allowed:
        problems.append(
            _problem(
                loc, f"unknown {what} {value!r}; choose one of {', '.join(allowed)}", "unknown_id"
            )
        )


def _check(
    net: Model | None,
    problems: list[Problem],
    batch: int,
    image: tuple[int, int] | None,
    seq: int | None,
    precision: str,
    phase: str,
    optimizer: str,
    par: Parallel,
    recompute: str,
    gpu_memory_bytes: float | None,
    overhead_bytes: int,
) -> None:
    """Append every problem with the inputs to ``problems`` and raise them all at once."""
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        problems.append(
            _problem("--batch", f"batch must be a whole number of samples >= 1, got {batch!r}")
        )
    _choice(problems, "--precision", "precision", precision, PRECISIONS)
    _choice(problems, "--phase", "phase", phase, PHASES)
    _choice(problems, "--optimizer", "optimizer", optimizer, OPTIMIZERS)
    _choice(problems, "--sharding", "sharding", par.sharding, SHARDINGS)
    _choice(problems, "--recompute", "recompute mode", recompute, RECOMPUTES)
    if phase == "training" and precision in PRECISIONS and precision not in TRAINING_PRECISIONS:
        problems.append(
            _problem(
                "--precision",
                f"{precision} is for inference weights only; train in fp32, fp16 or bf16",
            )
        )
    if isinstance(par.gpus, bool) or not isinstance(par.gpus, int) or par.gpus < 1:
        problems.append(_problem("--gpus", f"gpus must be a whole number >= 1, got {par.gpus!r}"))
    if gpu_memory_bytes is not None and not gpu_memory_bytes > 0:
        problems.append(_problem("--gpu", f"GPU memory must be positive, got {gpu_memory_bytes!r}"))
    if overhead_bytes < 0:
        problems.append(_problem("overhead_bytes", f"must be >= 0, got {overhead_bytes!r}"))
    if net is None:
        pass
    elif isinstance(net, CNN):
        if seq is not None:
            problems.append(
                _problem("--seq", f"{net.title} is a CNN; give --image, not --seq", "wrong_kind")
            )
        if image is not None and (len(image) != 2 or min(image) < 1):
            problems.append(_problem("--image", f"height and width must be >= 1, got {image!r}"))
        if par.sharding == "tensor":
            problems.append(
                _problem(
                    "--sharding",
                    "tensor parallelism is modelled for transformer models only; "
                    f"use none, zero1, zero2 or zero3 for {net.title}",
                )
            )
        if recompute != "none" and recompute in RECOMPUTES:
            problems.append(
                _problem(
                    "--recompute", "activation recomputation is modelled for transformers only"
                )
            )
    else:
        if image is not None:
            problems.append(
                _problem(
                    "--image",
                    f"{net.title} is a transformer; give --seq, not --image",
                    "wrong_kind",
                )
            )
        if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int) or seq < 1):
            problems.append(_problem("--seq", f"sequence length must be >= 1 token, got {seq!r}"))
        elif seq is not None and net.learned_positions and seq > net.max_seq:
            problems.append(
                _problem(
                    "--seq",
                    f"{net.title} has learned positions for {net.max_seq:,} tokens; "
                    f"--seq {seq:,} is longer",
                )
            )
        if (
            par.sharding == "tensor"
            and isinstance(par.gpus, int)
            and par.gpus >= 1
            and net.heads % par.gpus != 0
        ):
            problems.append(
                _problem(
                    "--gpus",
                    f"tensor parallelism splits attention heads: {net.title} has {net.heads} "
                    f"heads, which {par.gpus} GPUs do not divide",
                )
            )
    if problems:
        raise SizerInputError(problems)


# ----------------------------------------------------------------------------- activations


@dataclass(frozen=True)
class _Acts:
    """Activation bytes as ``fixed + per_sample * batch`` plus per-layer figures per sample."""

    fixed: int
    per_sample: int
    kv_per_sample: int
    rows: list[LayerMemory]  # per-sample output/saved/live/kv bytes; parameter_bytes final
    fixed_rows: dict[str, int] = field(default_factory=dict)  # batch-independent saved bytes


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


def _cnn_acts(net: CNN, image: tuple[int, int], training: bool, e: int, w: int) -> _Acts:
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
    return _Acts(
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


def _transformer_acts(
    net: Transformer, seq: int, training: bool, e: int, w: int, t: int, recompute: str, flash: bool
) -> _Acts:
    s, h, v, n = seq, net.hidden, net.vocab, net.n_layers
    m = 1 if net.dropout else 0
    rows: list[LayerMemory] = []
    kv_per_layer = 0
    if training:
        full = _transformer_layer_saved(net, s, e, t, "none", flash)
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
    return _Acts(fixed=0, per_sample=per_sample, kv_per_sample=n * kv_per_layer, rows=rows)


# ----------------------------------------------------------------------------- totals


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


def _largest_batch(total: Any, memory: float) -> int:
    """Largest ``b`` with ``total(b) <= memory``, by doubling then bisection (``total`` grows)."""
    if total(1) > memory:
        return 0
    lo, hi = 1, 2
    while hi <= MAX_BATCH and total(hi) <= memory:
        lo, hi = hi, hi * 2
    if hi > MAX_BATCH:
        return MAX_BATCH
    while hi - lo > 1:  # invariant: total(lo) fits, total(hi) does not
        mid = (lo + hi) // 2
        if total(mid) <= memory:
            lo = mid
        else:
            hi = mid
    return lo


def estimate_memory(
    model: str | Model,
    *,
    batch: int,
    image: tuple[int, int] | None = None,
    seq: int | None = None,
    precision: str = "fp32",
    phase: str = "training",
    optimizer: str = "adam",
    gpu_memory_bytes: float | None = None,
    parallel: Parallel | None = None,
    recompute: str = "none",
    flash_attention: bool = False,
    overhead_bytes: int = FRAMEWORK_OVERHEAD_BYTES,
) -> MemoryEstimate:
    """Estimate per-GPU memory for training or inference of ``model``.

    Parameters
    ----------
    model : str or Model
        A model id from :func:`sizer.netdefs.model_ids` (``"vgg-16"``, ``"llama-2-7b"``) or a
        model definition.
    batch : int
        Samples per GPU (data parallel / ZeRO) or per tensor-parallel group; >= 1.
    image : (int, int), optional
        CNN input (height, width) in pixels; default the model's (224x224, Inception-v3 299x299).
    seq : int, optional
        Transformer sequence length in tokens (training) or cached tokens (inference); default
        the model's context length.
    precision : {"fp32", "fp16", "bf16", "fp8", "int8"}
        Weight precision. FP16/BF16 training is mixed precision with FP32 master weights.
        FP8/INT8 are for inference weights (activations and KV cache then stay 16-bit).
    phase : {"training", "inference"}
    optimizer : {"sgd", "sgd-momentum", "adam", "adamw"}
        Training only.
    gpu_memory_bytes : float, optional
        Memory of one GPU in bytes; enables ``fits`` and ``largest_batch``.
    parallel : Parallel, optional
        GPUs and sharding (``none``, ``zero1``, ``zero2``, ``zero3``, ``tensor``).
    recompute : {"none", "selective", "full"}
        Transformer activation recomputation [1]_.
    flash_attention : bool
        Transformer attention without materialised ``s x s`` scores.
    overhead_bytes : int
        Per-GPU framework overhead; default :data:`FRAMEWORK_OVERHEAD_BYTES`.

    Returns
    -------
    MemoryEstimate
        Bytes per category per GPU, the per-layer table, ``fits`` and ``largest_batch``.

    Raises
    ------
    SizerInputError
        Every problem with the inputs at once (unknown model or choice, batch < 1, image too
        small, FP8 training, tensor parallelism on a CNN, ...), each located by option name.

    Notes
    -----
    Every part except the overhead grows linearly with the batch, so the total is monotone in
    the batch and the largest batch is found by bisection. Cost: one pass over the layers
    (O(L) for training, O(L^2) liveness for CNN inference).

    Examples
    --------
    VGG-16 FP32 parameters: 138,357,544 x 4 bytes.

    >>> est = estimate_memory("vgg-16", batch=1, phase="inference")
    >>> est.parameters_bytes
    553430176
    >>> est.layers[1].name, est.layers[1].params, est.layers[1].output_bytes
    ('features.0', 1792, 12845056)
    """
    problems: list[Problem] = []
    net: Model | None = None
    try:
        net = get_model(model) if isinstance(model, str) else model
    except SizerInputError as err:
        problems.extend(err.problems)
    par = parallel or Parallel()
    _check(
        net,
        problems,
        batch,
        image,
        seq,
        precision,
        phase,
        optimizer,
        par,
        recompute,
        gpu_memory_bytes,
        overhead_bytes,
    )
    assert net is not None  # _check raised otherwise
    training = phase == "training"
    w = BYTES_PER_ELEMENT[precision]
    e = 4 if precision == "fp32" else 2  # activations: FP32, or 16-bit for every other choice
    t = par.gpus if par.sharding == "tensor" else 1
    notes: list[str] = []
    img: tuple[int, int] | None = None
    sq: int | None = None
    if isinstance(net, CNN):
        img = image or net.default_image
        acts = _cnn_acts(net, img, training, e, w)
    else:
        sq = seq or net.max_seq
        acts = _transformer_acts(net, sq, training, e, w, t, recompute, flash_attention)
        if not flash_attention and not (training and recompute != "none"):
            notes.append(
                "eager attention: the s x s attention scores of every head are materialised "
                "(FlashAttention avoids them)"
            )
        if not net.learned_positions and sq > net.max_seq:
            notes.append(f"seq {sq:,} exceeds the {net.max_seq:,}-token training context")
    largest = max(row.params for row in acts.rows) if isinstance(net, CNN) else net.largest_matrix
    st = _states(net.params, largest, precision, training, optimizer, par, overhead_bytes)
    if precision in ("fp8", "int8"):
        notes.append(f"{precision} weights only: activations and KV cache are 16-bit")

    def total(b: int) -> int:
        return (
            st.parameters
            + st.gradients
            + st.optimizer
            + st.overhead
            + acts.fixed
            + b * (acts.per_sample + acts.kv_per_sample)
        )

    fits = None if gpu_memory_bytes is None else total(batch) <= gpu_memory_bytes
    largest_batch = None if gpu_memory_bytes is None else _largest_batch(total, gpu_memory_bytes)
    shard = par.gpus if par.sharding in ("zero3", "tensor") else 1
    rows = tuple(
        LayerMemory(
            name=r.name,
            op=r.op,
            output_shape=r.output_shape,
            params=r.params,
            parameter_bytes=_ceil_div(r.parameter_bytes, shard),
            output_bytes=r.output_bytes * batch,
            saved_bytes=r.saved_bytes * batch + acts.fixed_rows.get(r.name, 0),
            live_bytes=r.live_bytes * batch,
            kv_cache_bytes=r.kv_cache_bytes * batch,
        )
        for r in acts.rows
    )
    return MemoryEstimate(
        model=net.id,
        title=net.title,
        kind=net.kind,
        params=net.params,
        phase=phase,
        precision=precision,
        optimizer=optimizer if training else None,
        batch=batch,
        image=img,
        seq=sq,
        recompute=recompute,
        flash_attention=flash_attention,
        gpus=par.gpus,
        sharding=par.sharding,
        sharded=st.sharded,
        parameters_bytes=st.parameters,
        gradients_bytes=st.gradients,
        optimizer_bytes=st.optimizer,
        activations_bytes=acts.fixed + batch * acts.per_sample,
        kv_cache_bytes=batch * acts.kv_per_sample,
        overhead_bytes=st.overhead,
        gpu_memory_bytes=gpu_memory_bytes,
        fits=fits,
        largest_batch=largest_batch,
        layers=rows,
        notes=(*st.notes, *notes),
    )


def estimate_case(case: Any, gpu_memory_bytes: float | None = None) -> MemoryEstimate:
    """Estimate one scenario ``memory:`` case (a :class:`sizer.schema.MemoryCase`).

    Raises
    ------
    SizerInputError
        As :func:`estimate_memory`, with command-line ``loc`` names (``--model``, ...).
    """
    return estimate_memory(
        case.model,
        batch=case.batch,
        image=parse_image(case.image) if case.image is not None else None,
        seq=case.seq,
        precision=case.precision,
        phase=case.phase,
        optimizer=case.optimizer,
        gpu_memory_bytes=gpu_memory_bytes,
    )
