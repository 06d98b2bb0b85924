"""The choices of a GPU memory estimate and the checks of its inputs.

Precisions, phases, optimizers, shardings and recompute modes that
:func:`sizer.memory.estimate_memory` accepts, the :class:`Parallel` layout, and
:func:`check_inputs`, which reports every bad input at once, each located by the name of
its command-line option (``--batch``, ``--image``, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sizer.errors import Problem, SizerInputError
from sizer.netdefs import CNN, Model

__all__ = [
    "BYTES_PER_ELEMENT",
    "OPTIMIZERS",
    "OPTIMIZER_STATE_BYTES",
    "PHASES",
    "PRECISIONS",
    "RECOMPUTES",
    "SHARDINGS",
    "TRAINING_PRECISIONS",
    "Parallel",
    "check_inputs",
    "overhead_bytes",
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

_CLI = "<command line>"

#: Largest inputs accepted: beyond them the arithmetic leaves floats (a 400-digit batch,
#: ``seq: 1e30``) and no GPU comes near; each is far past any real job.
MAX_BATCH = 10_000_000
MAX_IMAGE_SIDE = 100_000
MAX_SEQ = 100_000_000
MAX_GPUS = 1_000_000
MAX_OVERHEAD_GIB = 1024.0


@dataclass(frozen=True)
class Parallel:
    """How the job is spread: ``gpus`` GPUs and which states are sharded among them, in
    each of ``pipeline_parallel`` pipeline stages (the job uses ``gpus x
    pipeline_parallel`` GPUs; a stage holds ``1 / pipeline_parallel`` of the layers)."""

    gpus: int = 1
    sharding: Sharding = "none"
    pipeline_parallel: int = 1


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
    if any(len(g) > 9 for g in m.groups() if g is not None):
        h = w = MAX_IMAGE_SIDE + 1
    else:
        h = int(m.group(1))
        w = int(m.group(2)) if m.group(2) is not None else h
    if h < 1 or w < 1:
        raise SizerInputError(
            [_problem("--image", f"{text!r}: height and width must be at least 1 pixel")]
        )
    if max(h, w) > MAX_IMAGE_SIDE:
        raise SizerInputError(
            [
                _problem(
                    "--image",
                    f"{_short(text)}: a side above {MAX_IMAGE_SIDE:,} pixels is past any "
                    "real image",
                )
            ]
        )
    return h, w


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def overhead_bytes(gib: float) -> int:
    """``--overhead-gib`` in bytes: a finite number of GiB from 0 to
    :data:`MAX_OVERHEAD_GIB`.

    >>> overhead_bytes(1.5)
    1610612736
    """
    if not (isinstance(gib, int | float) and 0 <= gib <= MAX_OVERHEAD_GIB):  # also NaN
        raise SizerInputError(
            [
                _problem(
                    "--overhead-gib",
                    f"{gib!r} is not a number of GiB from 0 to {MAX_OVERHEAD_GIB:g}",
                )
            ]
        )
    return round(gib * 2**30)


def _choice(
    problems: list[Problem], loc: str, what: str, value: str, allowed: tuple[str, ...]
) -> None:
    if value not in allowed:
        problems.append(
            _problem(
                loc, f"unknown {what} {value!r}; choose one of {', '.join(allowed)}", "unknown_id"
            )
        )


def check_inputs(
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
    elif batch > MAX_BATCH:
        problems.append(
            _problem("--batch", f"batch {_short(batch)} is above the maximum {MAX_BATCH:,}")
        )
    if isinstance(par.gpus, int) and par.gpus > MAX_GPUS:
        problems.append(
            _problem("--gpus", f"gpus {_short(par.gpus)} is above the maximum {MAX_GPUS:,}")
        )
    if isinstance(seq, int) and not isinstance(seq, bool) and seq > MAX_SEQ:
        problems.append(
            _problem("--seq", f"sequence length {_short(seq)} is above the maximum {MAX_SEQ:,}")
        )
        seq = None  # reported; the checks below need a sane one
    if image is not None and len(image) == 2 and max(image) > MAX_IMAGE_SIDE:
        problems.append(
            _problem("--image", f"a side above {MAX_IMAGE_SIDE:,} pixels is past any real image")
        )
        image = None
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
    pp = par.pipeline_parallel
    pp_ok = isinstance(pp, int) and not isinstance(pp, bool) and 1 <= pp <= MAX_GPUS
    if not pp_ok:
        problems.append(
            _problem(
                "--pipeline-parallel",
                f"pipeline stages must be a whole number from 1 to {MAX_GPUS:,}, got {_short(pp)}",
            )
        )
    if gpu_memory_bytes is not None and not 0 < gpu_memory_bytes < float("inf"):
        problems.append(_problem("--gpu", f"GPU memory must be positive, got {gpu_memory_bytes!r}"))
    if not 0 <= overhead_bytes <= MAX_OVERHEAD_GIB * 2**30:
        problems.append(
            _problem(
                "overhead_bytes",
                f"must be from 0 to {MAX_OVERHEAD_GIB:g} GiB, got {_short(overhead_bytes)}",
            )
        )
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
                    "tensor parallelism is modeled for transformer models only; "
                    f"use none, zero1, zero2 or zero3 for {net.title}",
                )
            )
        if recompute != "none" and recompute in RECOMPUTES:
            problems.append(
                _problem("--recompute", "activation recomputation is modeled for transformers only")
            )
        if pp_ok and pp > 1:
            problems.append(
                _problem(
                    "--pipeline-parallel",
                    "pipeline parallelism is modeled for transformer models only (their "
                    f"layers are alike); use 1 for {net.title}",
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
        if pp_ok and net.n_layers % pp != 0:
            fit = [k for k in range(2, net.n_layers + 1) if net.n_layers % k == 0]
            problems.append(
                _problem(
                    "--pipeline-parallel",
                    f"pipeline parallelism splits the layers evenly over the stages: "
                    f"{net.title} has {net.n_layers} layers, which {pp} stages do not divide",
                    hint="stage counts that divide them: "
                    + ", ".join(str(k) for k in fit[:12])
                    + (", ..." if len(fit) > 12 else ""),
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
