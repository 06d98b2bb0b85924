"""``sizer checkpoint``: a scenario's checkpoint policy on its fabric, or the quick answer
(how big a model's checkpoint is and who writes it) without a scenario.

``sizer checkpoint FILE``: load the design, analyze its reads (they run during the
save), call :func:`sizer.checkpointing.evaluate_checkpoint`, print; exit 1 when the
policy does not fit (like ``size`` when the target is not met).  ``sizer checkpoint
--model M --ranks N``: :func:`sizer.checkpoint.checkpoint_size`. Bad input prints one
``sizer checkpoint: --option: message`` line per problem on stderr and exits 2.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from sizer.cli.common import echo_json, fail, file_names, load_designs, problem
from sizer.cli.options import catalog_option
from sizer.errors import Problem, SizerInputError, TargetNotMetError

__all__ = ["checkpoint"]

_WHERE = "sizer checkpoint"


def _whole(text: str, option: str, problems: list[Problem]) -> int:
    """A whole number from the command line, or 0 with a problem."""
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        problems.append(problem("checkpoint", option, f"must be a whole number, got {text!r}"))
        return 0


@click.command("checkpoint", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--model", "model_id", help="Model id, e.g. llama-3-70b (without FILE).")
@click.option("--ranks", help="Ranks (GPUs) of the job: tp x pp x dp (without FILE).")
@click.option("--tp", default="1", show_default=True, help="Tensor-parallel degree.")
@click.option("--pp", default="1", show_default=True, help="Pipeline-parallel degree.")
@click.option("--zero", default="0", show_default=True, help="ZeRO stage, 0-3.")
@click.option(
    "--precision", default="bf16", show_default=True, help="Weights: bf16, fp16, fp32, fp8."
)
@click.option(
    "--optimizer",
    default="adam",
    show_default=True,
    help="adam, adamw, sgd-momentum, sgd, or none (weights only).",
)
@click.option("--weights-only", is_flag=True, help="An inference export: the weights alone.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object (bytes), nothing else."
)
@catalog_option()
@click.pass_context
def checkpoint(
    ctx: click.Context,
    file: Path | None,
    model_id: str | None,
    ranks: str | None,
    tp: str,
    pp: str,
    zero: str,
    precision: str,
    optimizer: str,
    weights_only: bool,
    as_json: bool,
    catalog_dirs: tuple[Path, ...],
) -> None:
    """A scenario's checkpoint saves and restores on its fabric (FILE), or the checkpoint
    bytes of a model: weights, FP32 master weights, optimizer moments, per rank.

    With FILE (a scenario with a checkpoint: policy): save and restore times, the write
    and read GB/s reached, what bounds them, the interval and the training time lost;
    exit 1 when the policy does not fit. The layout options then come from the file.

    \b
    Example:
        sizer checkpoint scenarios/dgx-h100-llm-405b-ddn.yaml
        sizer checkpoint --model llama-3.1-405b --ranks 512 --tp 8 --pp 32 --zero 1
        sizer checkpoint --model llama-3-70b --ranks 64 --tp 8 --zero 3 --json
        sizer checkpoint --model llama-3-8b --ranks 8 --weights-only
    """
    if file is not None:
        given = [o for o, v in (("--model", model_id), ("--ranks", ranks)) if v is not None]
        if given:
            raise fail(
                "checkpoint", given[0], "give a scenario FILE or --model and --ranks, not both"
            )
        _scenario(file, as_json, catalog_dirs)
        return
    missing = [o for o, v in (("--model", model_id), ("--ranks", ranks)) if v is None]
    if missing:
        raise SizerInputError(
            [problem("checkpoint", o, "is required without a scenario FILE") for o in missing]
        )
    assert model_id is not None and ranks is not None
    from sizer.checkpoint import checkpoint_size
    from sizer.networks import get_model

    problems: list[Problem] = []
    numbers = [_whole(v, o, problems) for v, o in ((ranks, "--ranks"), (tp, "--tp"), (pp, "--pp"))]
    stage = _whole(zero, "--zero", problems)
    params = 0
    name = model_id
    try:
        net = get_model(model_id)
        params, name = net.params, net.title
    except SizerInputError as e:
        problems += [replace(p, file=_WHERE) for p in e.problems]
    if not problems:
        try:
            result = checkpoint_size(
                params,
                ranks=numbers[0],
                tp=numbers[1],
                pp=numbers[2],
                zero=stage,
                precision=precision,
                optimizer="none" if weights_only else optimizer,
                model=name,
                where=_WHERE,
            )
        except SizerInputError as e:
            problems += e.problems
    if problems:
        for p in problems:
            click.echo(p.format(), err=True)
        ctx.exit(2)
    if as_json:
        echo_json(result.to_json())
        return
    from sizer.console.checkpoint import print_checkpoint

    print_checkpoint(result)


def _scenario(file: Path, as_json: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """``sizer checkpoint FILE``: the policy evaluated with the reads running meanwhile."""
    from sizer.analysis import analyze_design
    from sizer.checkpointing import evaluate_checkpoint

    (name,) = file_names((file,))
    _cat, (d,) = load_designs((file,), catalog_dirs)
    if d.checkpoint is None:
        raise fail(
            "checkpoint", "FILE", f"{name} has no checkpoint: section", "add one (see the README)"
        )
    reads = analyze_design(d)
    result = evaluate_checkpoint(d, fabric=reads.fabric, background=reads)
    if as_json:
        echo_json(result.to_json())
    else:
        from sizer.console.checkpoint import print_policy

        print_policy(d, result)
    if not result.fits:
        raise TargetNotMetError(
            f"{name}: checkpoint policy does not fit: " + "; ".join(result.problems)
        )
