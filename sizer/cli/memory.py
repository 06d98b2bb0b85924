"""``sizer memory``: does a model fit on a GPU, for training or inference? Parse, call, print.

Registered on the main group by :mod:`sizer.cli`; the tables are
:func:`sizer.console.memory.print_memory`'s. Bad input (unknown model
or GPU, batch 0, an odd ``--image``) prints one ``sizer memory: --option: message`` line per
problem on stderr and exits 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sizer import memory as M
from sizer.cli.common import echo_json
from sizer.cli.options import catalog_option, json_option
from sizer.errors import SizerInputError
from sizer.memory_inputs import overhead_bytes

__all__ = ["memory"]

_CLI = "<command line>"


def _choice(
    name: str, choices: Sequence[str], default: str, help: str | None = None
) -> Callable[[Any], Any]:
    """An option taking one of ``choices``, its default shown in ``--help``."""
    return click.option(
        name, type=click.Choice(choices), default=default, show_default=True, help=help
    )


def _gpu_memory(gpu: str | None, catalog_dirs: tuple[Path, ...]) -> tuple[float | None, str]:
    """GPU memory in bytes and display name from the catalog; ``(None, "")`` without --gpu."""
    if gpu is None:
        return None, ""
    from sizer.catalog import UnknownIdError, load_catalog

    cat = load_catalog(catalog_dirs)
    try:
        entry = cat.get("gpus", gpu)
    except UnknownIdError as e:
        raise e.at(_CLI, None, None, "--gpu") from None
    return float(entry.memory.value), str(entry.name)


@click.command("memory", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--model", "model_id", required=True, help="Model id, e.g. vgg-16, resnet-50, llama-2-7b."
)
@click.option(
    "--batch", type=int, required=True, help="Samples per GPU (per group for --sharding tensor)."
)
@click.option(
    "--image", default=None, help="CNN input HEIGHTxWIDTH in pixels [default: the model's]."
)
@click.option(
    "--seq", type=int, default=None, help="Transformer sequence length [default: context]."
)
@_choice("--precision", M.PRECISIONS, "fp32")
@_choice("--phase", M.PHASES, "training")
@_choice("--optimizer", M.OPTIMIZERS, "adam", "Training only.")
@click.option(
    "--gpu", default=None, help="Catalog GPU id, e.g. a100-sxm4-80gb (enables the fit check)."
)
@click.option("--gpus", type=int, default=1, show_default=True, help="GPUs sharing the job.")
@_choice(
    "--sharding",
    M.SHARDINGS,
    "none",
    "none = data parallel replicas; zero1/2/3 = ZeRO stages; tensor = Megatron tensor parallel.",
)
@click.option(
    "--pipeline-parallel",
    "--pp",
    "pipeline_parallel",
    type=int,
    default=1,
    show_default=True,
    help="Pipeline stages the layers are split over (transformers; must divide the layer "
    "count); the figures are the largest stage's, 1F1B schedule.",
)
@_choice(
    "--recompute",
    M.RECOMPUTES,
    "none",
    "Transformer activation recomputation (Korthikanti et al. 2022).",
)
@click.option("--flash-attention", is_flag=True, help="Transformer attention without s x s scores.")
@click.option(
    "--overhead-gib",
    type=click.FloatRange(min=0),
    default=M.FRAMEWORK_OVERHEAD_BYTES / 2**30,
    show_default=True,
    help="Per-GPU framework overhead (CUDA context, workspaces) in GiB.",
)
@json_option("Print one JSON object (bytes) and nothing else.")
@click.option(
    "--layers", "all_layers", is_flag=True, help="Print every layer, not just the top ones."
)
@catalog_option("Extra catalog directory (for --gpu).")
@click.pass_context
def memory(
    ctx: click.Context,
    model_id: str,
    batch: int,
    image: str | None,
    seq: int | None,
    precision: str,
    phase: str,
    optimizer: str,
    gpu: str | None,
    gpus: int,
    sharding: str,
    pipeline_parallel: int,
    recompute: str,
    flash_attention: bool,
    overhead_gib: float,
    as_json: bool,
    all_layers: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """GPU memory per category for training or inference, and the largest batch that fits.

    Parameters, gradients, optimizer state, activations (training: everything kept for
    backward; inference: the tensors alive at once), KV cache and framework overhead, per GPU
    in GiB, plus the layers that need the most.

    \b
    Example:
        sizer memory --model vgg-16 --batch 32 --image 224x224 --precision fp32 \\
            --phase training --optimizer adam --gpu v100-sxm2-16gb
        sizer memory --model llama-2-70b --batch 1 --seq 4096 --precision bf16 \\
            --gpu h100-sxm5-80gb --gpus 64 --sharding zero3 --json
        sizer memory --model llama-2-70b --batch 1 --seq 4096 --precision bf16 \\
            --gpu h100-sxm5-80gb --gpus 8 --sharding tensor --pp 4 \\
            --recompute selective --flash-attention
    """
    problems = []
    img = None
    gpu_bytes, gpu_name = None, ""
    try:
        img = M.parse_image(image) if image is not None else None
    except SizerInputError as e:
        problems += e.problems
    try:
        gpu_bytes, gpu_name = _gpu_memory(gpu, catalog_dirs)
    except SizerInputError as e:
        problems += e.problems
    try:
        est = M.estimate_memory(
            model_id,
            batch=batch,
            image=img,
            seq=seq,
            precision=precision,
            phase=phase,
            optimizer=optimizer,
            gpu_memory_bytes=gpu_bytes,
            parallel=M.Parallel(
                gpus=gpus,
                sharding=sharding,  # type: ignore[arg-type]
                pipeline_parallel=pipeline_parallel,
            ),
            recompute=recompute,
            flash_attention=flash_attention,
            overhead_bytes=overhead_bytes(overhead_gib),
        )
    except SizerInputError as e:
        problems += e.problems
    if problems:
        raise SizerInputError(problems)
    if as_json:
        data = est.to_dict()
        data["gpu"] = gpu
        echo_json(data)
        return
    from sizer.console.memory import print_memory

    print_memory(est, gpu, gpu_name, all_layers)
