"""The ``sizer`` group, its error handling, and ``validate``, ``schema``, ``catalog``,
``analyze``.  The other commands are registered on it by :mod:`sizer.cli`.

Exit codes: 0 ok; 1 the analysis ran but a target is not met (``size``);
2 bad input (one clear line per problem on stderr, nothing written); 3 an internal error
(a bug: one line on stderr); 130 interrupted.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import click

from sizer import __version__
from sizer.cli.common import echo_json, load_catalog, load_designs, scenario_inputs
from sizer.cli.options import catalog_option, json_option
from sizer.errors import Problem, SizerInputError, TargetNotMetError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


#: exit code of an error sizer did not expect (a bug): not 1, which ``size`` uses for
#: "target not met", nor 2 (bad input)
EXIT_INTERNAL = 3


class _Group(click.Group):
    """Turns SizerInputError into exit 2, TargetNotMetError into exit 1, a usage error into
    one line and exit 2, and any other exception into one line and exit 3; no traceback
    (``SIZER_DEBUG=1`` shows it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.UsageError as e:
            click.echo(_usage_problem(e, ctx).format(), err=True)
            ctx.exit(2)
        except SizerInputError as e:
            seen: set[str] = set()
            cmd = f"{ctx.command_path} {ctx.invoked_subcommand or ''}".strip()
            for p in e.problems:
                if p.file == COMMAND_LINE:  # the library's name for an option's problem
                    p = dataclasses.replace(p, file=cmd)
                line = p.format()
                if line not in seen:  # e.g. one bad environment limit met in many files
                    seen.add(line)
                    click.echo(line, err=True)
            ctx.exit(2)
        except TargetNotMetError as e:
            click.echo(str(e), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `sizer catalog | head`: the reader left; not an error of ours
            ctx.exit(141)
        except click.ClickException:
            raise
        except Exception as e:
            if os.environ.get("SIZER_DEBUG"):
                raise
            text = " ".join(str(e).split())
            text = text if len(text) <= 200 else text[:197] + "..."
            msg = f"internal error: {type(e).__name__}: {text}" if text else type(e).__name__
            hint = "a bug in sizer; please report it with the input; SIZER_DEBUG=1 shows where"
            click.echo(Problem("sizer", None, None, "", msg, hint).format(), err=True)
            ctx.exit(EXIT_INTERNAL)


#: what the library calls the command line in a :class:`Problem` (``sizer.memory`` is
#: told ``--batch`` by the caller); the CLI prints ``sizer CMD`` instead
COMMAND_LINE = "<command line>"


def _usage_problem(e: click.UsageError, ctx: click.Context) -> Problem:
    """click's usage error in the one format of option problems,
    ``sizer CMD: --option: message (see 'sizer CMD --help')``."""
    cmd = e.ctx.command_path if e.ctx is not None else ctx.command_path
    hint = f"see '{cmd} --help'"
    param = getattr(e, "param", None)
    option, msg = "", " ".join(e.format_message().split()).rstrip(".")
    if isinstance(e, click.NoSuchOption):
        option, msg = e.option_name, "no such option"
        if e.possibilities:
            hint = f"did you mean {', '.join(map(repr, sorted(e.possibilities)))}? {hint}"
    elif (
        isinstance(e, click.BadParameter)
        and not isinstance(e, click.MissingParameter)
        and isinstance(param, click.Option)
    ):
        option = max(param.opts, key=len)  # --batch, not -b
        msg = " ".join(e.message.split()).rstrip(".")
    return Problem(cmd, None, None, option, msg, hint, "option")


@click.group("sizer", cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="sizer")
def cli() -> None:
    """Size GPU PODs: how many storage units keep N servers' GPUs fed, what limits them.

    \b
    Example:
      sizer validate scenarios/*.yaml
      sizer analyze scenarios/ra-9x-dgx1-3x-ess3000.yaml
      sizer render scenarios/ra-9x-dgx1-3x-ess3000.yaml
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option(
    "Print the problems as one JSON object on stdout (exit code 2 all the same): "
    '{"files": [{"file", "ok", "scenario"}], "problems": [{"file", "line", "col", '
    '"field", "message", "hint", "type"}]}.'
)
@catalog_option()
def validate(files: tuple[Path, ...], as_json: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """Check scenario files (- reads standard input); print one line per problem (exit 2)
    or 'ok' per file.

    \b
    Example:
      sizer validate scenarios/ra-1x-dgx1-1x-ess3000.yaml
      sizer validate - < my-pod.yaml
      sizer validate scenarios/*.yaml --json | jq '.problems[].message'
    """
    from sizer.loader import load_scenario

    problems: list[Problem] = []
    checked: list[dict[str, Any]] = []
    try:
        cat = load_catalog(catalog_dirs)
    except SizerInputError as e:
        if not as_json:
            raise
        cat, problems = None, list(e.problems)
    for f in scenario_inputs(files) if cat is not None else []:
        try:
            sc = load_scenario(f.path, cat, display=f.name, source=f.source)
        except SizerInputError as e:
            problems.extend(e.problems)
            checked.append({"file": f.name, "ok": False, "scenario": None})
            continue
        checked.append({"file": f.name, "ok": True, "scenario": sc.name})
        if not as_json:
            click.echo(f"{f.name}: ok ({sc.name})")
    if as_json:
        echo_json({"files": checked, "problems": [_problem_json(p) for p in problems]})
        if problems:
            click.get_current_context().exit(2)
    elif problems:
        raise SizerInputError(problems)


def _problem_json(p: Problem) -> dict[str, Any]:
    """One problem of ``validate --json``: where, the field path, the message and hint."""
    return {
        "file": p.file,
        "line": p.line,
        "col": p.col,
        "field": p.loc or None,
        "message": p.msg,
        "hint": p.hint,
        "type": p.type,
    }


@cli.command()
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the scenario reference (docs/scenario-reference.md) instead.",
)
@catalog_option()
def schema(markdown: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """Print the JSON Schema of scenario files (for editors' YAML language servers).

    Catalog ids (servers, storage units, switches, models, datasets, GPUs, links) are
    enums of the catalog in force, built-in plus --catalog, so editors complete them and
    flag typos.

    \b
    Example:
      sizer schema > sizer-scenario.schema.json
      sizer schema --catalog my-catalog/ > sizer-scenario.schema.json
      sizer schema --markdown > docs/scenario-reference.md
    """
    from sizer.schema_json import reference_markdown, scenario_schema

    s = scenario_schema(load_catalog(catalog_dirs))
    if markdown:
        click.echo(reference_markdown(s), nl=False)
    else:
        echo_json(s)


@cli.command()
@click.argument("ident", required=False)
@json_option("Print JSON instead of a table.")
@catalog_option()
def catalog(ident: str | None, as_json: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """List catalog entries with their sources, or show one entry in full.

    \b
    Example:
      sizer catalog
      sizer catalog ess-3000
      sizer catalog --json
    """
    from sizer.console.catalog import catalog_json, print_catalog, print_entry

    cat = load_catalog(catalog_dirs)
    if as_json:
        echo_json(catalog_json(cat, ident))
    elif ident:
        print_entry(cat, ident)
    else:
        print_catalog(cat)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@json_option()
@catalog_option()
def analyze(file: Path, as_json: bool, catalog_dirs: tuple[Path, ...]) -> None:
    """Analyze a scenario (- reads standard input): demand vs supply, per-workload rates,
    the bottleneck.

    \b
    Example:
      sizer analyze scenarios/ra-9x-dgx1-3x-ess3000.yaml
      sizer analyze scenarios/ra-9x-dgx1-3x-ess3000.yaml --json | jq .bottleneck
    """
    from sizer.analysis import analyze_design

    _cat, (design,) = load_designs((file,), catalog_dirs)
    result = analyze_design(design)
    if as_json:
        echo_json(result.to_json())
    else:
        from sizer.console.analysis import print_analysis

        print_analysis(result)


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script (commands, options, file names) for SHELL.

    \b
    Example:
      sizer completion bash > ~/.local/share/bash-completion/completions/sizer
      sizer completion zsh > "${fpath[1]}/_sizer"
      sizer completion fish > ~/.config/fish/completions/sizer.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # click ships bash, zsh and fish
    click.echo(cls(cli, {}, "sizer", "_SIZER_COMPLETE").source())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="sizer")
