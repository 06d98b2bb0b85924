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

Pipeline parallelism over ``p`` stages (``Parallel.pipeline_parallel``, transformers only:
``p`` must divide the layer count) splits the blocks evenly, ``n / p`` per stage; the
embedding is on the first stage, the final norm and output head on the last (which keeps
its own copy of a tied embedding, as Megatron-LM does).  Parameters, gradients and
optimizer state are each stage's own, then sharded within the stage as above.  With the
1F1B schedule stage ``k`` keeps the activations of ``p - k`` micro-batches in flight [4]_,
so the first stage holds ``p`` micro-batches of ``n / p`` blocks: the block activations of
the whole model, as Korthikanti et al. note [1]_ (section 4.2.3).  ``batch`` is then the
micro-batch; at least ``p`` micro-batches per step are assumed.  Every stage is estimated
and the per-GPU figures are the stage needing the most memory (``stage``), usually the
first (its ``p`` micro-batches) or the last (the output head and its FP32 logits).  The
interleaved schedule and uneven splits (Llama 3 405B's 126 layers on 16 stages, one layer
fewer on the first and the last) are not modeled.

References
----------
.. [1] Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models",
   MLSys 2023, arXiv:2205.05198, section 4 (equations 1-2, Table 2).
.. [2] Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter
   Models", SC 2020, arXiv:1910.02054, section 3 and Figure 1.
.. [3] F. Denneman, "Training vs Inference - Memory Consumption by Neural Networks", 2022,
   https://frankdenneman.nl/2022/07/15/training-vs-inference-memory-consumption-by-neural-networks/
.. [4] Narayanan et al., "Efficient Large-Scale Language Model Training on GPU Clusters
   Using Megatron-LM", SC 2021, arXiv:2104.04473, section 2.2.1 (the 1F1B schedule: at
   most ``p`` micro-batches in flight, so activations of ``p`` or fewer are stashed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sizer.activations import (
    DROPOUT_MASK_BYTES,
    INDEX_BYTES,
    LayerMemory,
    cnn_activations,
    transformer_activations,
)
from sizer.errors import Problem, SizerInputError
from sizer.memory_inputs import (
    BYTES_PER_ELEMENT,
    OPTIMIZERS,
    PHASES,
    PRECISIONS,
    RECOMPUTES,
    SHARDINGS,
    Parallel,
    check_inputs,
    parse_image,
)
from sizer.memory_parallel import _ceil_div, _pipeline_note, _stages, _states
from sizer.netdefs import CNN, Model
from sizer.networks import get_model

# The public face of the memory model: the choices (sizer.memory_inputs) and the per-layer
# activation figures (sizer.activations) are re-exported here with the estimate.
__all__ = [
    "BYTES_PER_ELEMENT",
    "DROPOUT_MASK_BYTES",
    "FRAMEWORK_OVERHEAD_BYTES",
    "INDEX_BYTES",
    "OPTIMIZERS",
    "PHASES",
    "PRECISIONS",
    "RECOMPUTES",
    "SHARDINGS",
    "LayerMemory",
    "MemoryEstimate",
    "Parallel",
    "estimate_case",
    "estimate_memory",
    "parse_image",
]

#: Per-GPU framework overhead: CUDA context (~0.3-0.5 GiB for PyTorch with CUDA 12 lazy module
#: loading), cuBLAS/cuDNN workspaces and caching-allocator fragmentation. Source: assumption,
#: 1 GiB; pass ``overhead_bytes`` to override.
FRAMEWORK_OVERHEAD_BYTES = 2**30
#: Search limit for the largest batch (samples per GPU).
MAX_BATCH = 2**40

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
    #: pipeline stages the layers are split over; the figures are the largest stage's
    pipeline_parallel: int = 1
    #: which stage (1-based) the per-GPU figures are of: the one needing the most memory
    stage: int = 1

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

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict with stable keys; every size is a whole number of bytes (the
        convention of every sizer result; :meth:`to_dict` is the same)."""
        return self.to_dict()

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
            "pipeline_parallel": self.pipeline_parallel,
            "stage": self.stage,
            "sharded": list(self.sharded),
            "bytes": {**self.categories(), "total": self.total_bytes},
            "gpu_memory_bytes": self.gpu_memory_bytes,
            "fits": self.fits,
            "largest_batch": self.largest_batch,
            "notes": list(self.notes),
            "layers": [row.to_dict() for row in self.layers],
        }


# ----------------------------------------------------------------------------- totals


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
        A model id from :func:`sizer.networks.model_ids` (``"vgg-16"``, ``"llama-2-7b"``) or a
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
        GPUs and sharding (``none``, ``zero1``, ``zero2``, ``zero3``, ``tensor``) within
        each of ``pipeline_parallel`` pipeline stages (transformers; the stage count must
        divide the layers); the figures are then the largest stage's.
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
    check_inputs(
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
    assert net is not None  # check_inputs raised otherwise
    training = phase == "training"
    w = BYTES_PER_ELEMENT[precision]
    e = 4 if precision == "fp32" else 2  # activations: FP32, or 16-bit for every other choice
    t = par.gpus if par.sharding == "tensor" else 1
    notes: list[str] = []
    img: tuple[int, int] | None = None
    sq: int | None = None
    if isinstance(net, CNN):
        img = image or net.default_image
        acts = cnn_activations(net, img, training, e, w)
    else:
        sq = seq or net.max_seq
        acts = transformer_activations(net, sq, training, e, w, t, recompute, flash_attention)
        if not flash_attention and not (training and recompute != "none"):
            notes.append(
                "eager attention: the s x s attention scores of every head are materialised "
                "(FlashAttention avoids them)"
            )
        if not net.learned_positions and sq > net.max_seq:
            notes.append(f"seq {sq:,} exceeds the {net.max_seq:,}-token training context")
    largest = max(row.params for row in acts.rows) if isinstance(net, CNN) else net.largest_matrix
    pp = par.pipeline_parallel
    stages = _stages(net, acts, pp, training, largest)
    states = [
        _states(x.params, x.largest_matrix, precision, training, optimizer, par, overhead_bytes)
        for x in stages
    ]
    if precision in ("fp8", "int8"):
        notes.append(f"{precision} weights only: activations and KV cache are 16-bit")

    def stage_total(i: int, b: int) -> int:
        st, x = states[i], stages[i]
        return (
            st.parameters
            + st.gradients
            + st.optimizer
            + st.overhead
            + acts.fixed
            + b * (x.per_sample + x.kv_per_sample)
        )

    def total(b: int) -> int:
        return max(stage_total(i, b) for i in range(len(stages)))

    # the per-GPU figures are the stage that needs the most at this batch (first on a tie)
    k = max(range(len(stages)), key=lambda i: (stage_total(i, batch), -i))
    stage, st = stages[k], states[k]
    if pp > 1:
        notes.append(_pipeline_note(net, stage, pp, par, training))
    fits = None if gpu_memory_bytes is None else total(batch) <= gpu_memory_bytes
    largest_batch = None if gpu_memory_bytes is None else _largest_batch(total, gpu_memory_bytes)
    shard = par.gpus if par.sharding in ("zero3", "tensor") else 1
    keep = set(stage.names)
    rows = tuple(
        LayerMemory(
            name=r.name,
            op=r.op,
            output_shape=r.output_shape,
            params=r.params + (stage.tied_copy if r.name == "lm_head" else 0),
            parameter_bytes=_ceil_div(
                r.parameter_bytes + (stage.tied_copy * w if r.name == "lm_head" else 0), shard
            ),
            output_bytes=r.output_bytes * batch,
            saved_bytes=stage.saved[r.name] * batch + acts.fixed_rows.get(r.name, 0),
            live_bytes=r.live_bytes * batch,
            kv_cache_bytes=r.kv_cache_bytes * batch,
        )
        for r in acts.rows
        if r.name in keep
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
        activations_bytes=acts.fixed + batch * stage.per_sample,
        kv_cache_bytes=batch * stage.kv_per_sample,
        overhead_bytes=st.overhead,
        gpu_memory_bytes=gpu_memory_bytes,
        fits=fits,
        largest_batch=largest_batch,
        layers=rows,
        notes=(*st.notes, *notes),
        pipeline_parallel=pp,
        stage=stage.index + 1,
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
        parallel=Parallel(
            gpus=case.gpus,
            sharding=case.sharding,
            pipeline_parallel=getattr(case, "pipeline_parallel", 1),
        ),
        recompute=case.recompute,
        flash_attention=case.flash_attention,
    )
