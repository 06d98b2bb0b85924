"""``sizer checkpoint``: the quick answer, how big a model's checkpoint is and who writes it.

Parse, call :func:`sizer.checkpoint.checkpoint_size`, print (the table is
:func:`sizer.console.checkpoint.print_checkpoint`'s). Bad input prints one
``sizer checkpoint: --option: message`` line per problem on stderr and exits 2.
"""

from __future__ import annotations

from dataclasses import replace

import click

from sizer.cli.common import echo_json, problem
from sizer.errors import Problem, SizerInputError

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
@click.option("--model", "model_id", required=True, help="Model id, e.g. llama-3-70b.")
@click.option("--ranks", required=True, help="Ranks (GPUs) of the job: tp x pp x dp.")
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
@click.pass_context
def checkpoint(
    ctx: click.Context,
    model_id: str,
    ranks: str,
    tp: str,
    pp: str,
    zero: str,
    precision: str,
    optimizer: str,
    weights_only: bool,
    as_json: bool,
) -> None:
    """Checkpoint bytes of a model: weights, FP32 master weights, optimizer moments, per rank.

    \b
    Example:
        sizer checkpoint --model llama-3.1-405b --ranks 512 --tp 8 --pp 32 --zero 1
        sizer checkpoint --model llama-3-70b --ranks 64 --tp 8 --zero 3 --json
        sizer checkpoint --model llama-3-8b --ranks 8 --weights-only
    """
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
