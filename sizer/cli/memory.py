"""``sizer memory``: does a model fit on a GPU, for training or inference? Parse, call, print.

The main CLI registers this command with ``cli.add_command(memory)``. Bad input (unknown model
or GPU, batch 0, an odd ``--image``) prints one ``<command line>: --option: message`` line per
problem on stderr and exits 2.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from sizer.cli_options import catalog_option
from sizer.errors import SizerInputError
from sizer.memory import (
    FRAMEWORK_OVERHEAD_BYTES,
    OPTIMIZERS,
    PHASES,
    PRECISIONS,
    RECOMPUTES,
    SHARDINGS,
    LayerMemory,
    MemoryEstimate,
    Parallel,
    estimate_memory,
    parse_image,
)
from sizer.units import format_gib

__all__ = ["memory"]

_CLI = "<command line>"
_LABELS = {
    "parameters": "parameters",
    "gradients": "gradients",
    "optimizer": "optimizer state",
    "activations": "activations",
    "kv_cache": "KV cache",
    "overhead": "framework overhead",
}


def _mib(n: float) -> str:
    return f"{n / 2**20:,.2f} MiB"


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


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _layer_table(title: str, rows: list[LayerMemory], est: MemoryEstimate) -> Any:
    from rich.table import Table

    training = est.phase == "training"
    act_title = "kept for backward" if training else "alive while the layer runs"
    table = Table(title=f"{title}; activations = {act_title}", title_justify="left")
    table.add_column("layer")
    table.add_column("op")
    table.add_column("output / sample")
    table.add_column("params", justify="right")
    table.add_column("weights", justify="right")  # this GPU's share
    table.add_column("activations", justify="right")
    if est.kind == "transformer" and not training:
        table.add_column("KV cache", justify="right")
    for row in rows:
        act = row.saved_bytes if training else row.live_bytes
        cells = [
            row.name,
            row.op,
            _shape(row.output_shape),
            f"{row.params:,}",
            _mib(row.parameter_bytes),
            _mib(act),
        ]
        if est.kind == "transformer" and not training:
            cells.append(_mib(row.kv_cache_bytes))
        table.add_row(*cells)
    return table


def _collapse_blocks(rows: list[LayerMemory], est: MemoryEstimate) -> list[LayerMemory]:
    """Show a transformer's identical blocks as one row ``layers.0-95 (each)``."""
    blocks = [r for r in est.layers if r.op == "block"]
    if not blocks:
        return rows
    label = f"layers.0-{len(blocks) - 1} (each)"
    out: list[LayerMemory] = []
    for r in rows:
        if r.op != "block":
            out.append(r)
        elif not any(o.op == "block" for o in out):
            out.append(replace(r, name=label))
    return out


def _render(est: MemoryEstimate, gpu: str | None, gpu_name: str, all_layers: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    what = f"image {_shape(est.image)}" if est.image else f"seq {est.seq:,} tokens"
    opt = f" · {est.optimizer}" if est.optimizer else ""
    par = f" · {est.gpus} GPUs, sharding {est.sharding}" if est.gpus > 1 else ""
    console.print(
        f"{est.title} ({est.params:,} parameters) · {est.phase} · {est.precision}{opt} · "
        f"batch {est.batch} · {what}{par}"
    )
    table = Table(title="Memory per GPU (GiB = 2^30 bytes)", title_justify="left")
    table.add_column("category")
    table.add_column("GiB", justify="right")
    table.add_column("share", justify="right")
    total = est.total_bytes
    for key, value in est.categories().items():
        share = f"{100 * value / total:.1f} %" if total else "-"
        table.add_row(_LABELS[key], format_gib(value), share)
    table.add_section()
    table.add_row("total", format_gib(total), "100.0 %")
    console.print(table)
    if est.gpu_memory_bytes is not None:
        verdict = "fits" if est.fits else "does NOT fit"
        console.print(
            f"GPU {gpu} ({gpu_name}): {format_gib(est.gpu_memory_bytes)} per GPU; "
            f"batch {est.batch} {verdict}; largest batch that fits: {est.largest_batch:,}"
        )
    else:
        console.print("No --gpu given: add e.g. --gpu a100-sxm4-80gb to check the fit.")
    if all_layers:
        rows = list(est.layers)
        console.print(_layer_table("All layers, per GPU, MiB = 2^20 bytes", rows, est))
    else:
        top = _collapse_blocks(est.top_layers(len(est.layers)), est)[:8]
        console.print(_layer_table("Top layers, per GPU, MiB = 2^20 bytes", top, est))
    if est.sharded:
        console.print("Sharded across GPUs: " + ", ".join(est.sharded))
    for note in est.notes:
        console.print(f"Note: {note}")


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
@click.option("--precision", type=click.Choice(PRECISIONS), default="fp32", show_default=True)
@click.option("--phase", type=click.Choice(PHASES), default="training", show_default=True)
@click.option(
    "--optimizer",
    type=click.Choice(OPTIMIZERS),
    default="adam",
    show_default=True,
    help="Training only.",
)
@click.option(
    "--gpu", default=None, help="Catalog GPU id, e.g. a100-sxm4-80gb (enables the fit check)."
)
@click.option("--gpus", type=int, default=1, show_default=True, help="GPUs sharing the job.")
@click.option(
    "--sharding",
    type=click.Choice(SHARDINGS),
    default="none",
    show_default=True,
    help="none = data parallel replicas; zero1/2/3 = ZeRO stages; tensor = Megatron tensor parallel.",
)
@click.option(
    "--recompute",
    type=click.Choice(RECOMPUTES),
    default="none",
    show_default=True,
    help="Transformer activation recomputation (Korthikanti et al. 2022).",
)
@click.option("--flash-attention", is_flag=True, help="Transformer attention without s x s scores.")
@click.option(
    "--overhead-gib",
    type=click.FloatRange(min=0),
    default=FRAMEWORK_OVERHEAD_BYTES / 2**30,
    show_default=True,
    help="Per-GPU framework overhead (CUDA context, workspaces) in GiB.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object (bytes) and nothing else."
)
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
    """
    problems = []
    img = None
    gpu_bytes, gpu_name = None, ""
    try:
        img = parse_image(image) if image is not None else None
    except SizerInputError as e:
        problems += e.problems
    try:
        gpu_bytes, gpu_name = _gpu_memory(gpu, catalog_dirs)
    except SizerInputError as e:
        problems += e.problems
    try:
        est = estimate_memory(
            model_id,
            batch=batch,
            image=img,
            seq=seq,
            precision=precision,
            phase=phase,
            optimizer=optimizer,
            gpu_memory_bytes=gpu_bytes,
            parallel=Parallel(gpus=gpus, sharding=sharding),  # type: ignore[arg-type]
            recompute=recompute,
            flash_attention=flash_attention,
            overhead_bytes=round(overhead_gib * 2**30),
        )
    except SizerInputError as e:
        problems += e.problems
    if problems:
        for p in problems:
            click.echo(p.format(), err=True)
        ctx.exit(2)
    if as_json:
        data = est.to_dict()
        data["gpu"] = gpu
        click.echo(json.dumps(data, indent=2, allow_nan=False))
        return
    _render(est, gpu, gpu_name, all_layers)
