"""What every command needs: JSON on stdout, the catalog and the designs loaded, option
problems as ``SizerInputError``.  Only click is imported at module level; the model is
imported inside the functions, so ``sizer --help`` stays fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

import click

__all__ = [
    "STDIN",
    "ScenarioInput",
    "echo_json",
    "fail",
    "file_names",
    "load_catalog",
    "load_designs",
    "problem",
    "scenario_inputs",
]

#: How standard input is named in messages and JSON ``"file"`` keys (argument ``-``).
STDIN = "<stdin>"


class ScenarioInput(NamedTuple):
    """One scenario argument: the path, its name in messages, and for ``-`` the bytes
    read from standard input (None for a file, read by the loader)."""

    path: Path
    name: str
    source: bytes | None


def scenario_inputs(files: tuple[Path, ...]) -> list[ScenarioInput]:
    """The scenario arguments, ``-`` read from standard input (once, however often it is
    given; at most the file-size limit plus one byte, so the loader can refuse more)."""
    from sizer.limits import MAX_FILE_BYTES, env_int

    data: bytes | None = None
    out = []
    for f in files:
        if str(f) == "-":
            if data is None:
                limit = env_int("SIZER_MAX_FILE_BYTES", MAX_FILE_BYTES)
                data = sys.stdin.buffer.read(limit + 1)
            out.append(ScenarioInput(f, STDIN, data))
        else:
            out.append(ScenarioInput(f, str(f), None))
    return out


def echo_json(obj: Any) -> None:
    """One JSON object on stdout (NaN and infinity refused), and nothing else."""
    click.echo(json.dumps(obj, indent=2, allow_nan=False))


def problem(cmd: str, option: str, msg: str, hint: str | None = None) -> Any:
    """A ``sizer CMD: --option: message`` problem with the command line."""
    from sizer.errors import Problem

    return Problem(f"sizer {cmd}", None, None, option, msg, hint, type="option")


def fail(cmd: str, option: str, msg: str, hint: str | None = None) -> Any:
    """:func:`problem` as the SizerInputError to raise."""
    from sizer.errors import SizerInputError

    return SizerInputError([problem(cmd, option, msg, hint)])


def load_catalog(dirs: tuple[Path, ...]) -> Any:
    """The built-in catalog with ``--catalog`` directories over it."""
    from sizer.catalog import load_catalog as load

    return load(dirs)


def load_designs(files: tuple[Path, ...], catalog_dirs: tuple[Path, ...]) -> tuple[Any, list[Any]]:
    """The catalog and each file's resolved design (``-``: standard input), each loaded and
    resolved once; every file's problems at once."""
    from sizer.errors import SizerInputError
    from sizer.loader import load_design

    cat = load_catalog(catalog_dirs)
    designs = []
    problems = []
    for f in scenario_inputs(files):
        try:
            designs.append(load_design(f.path, cat, display=f.name, source=f.source))
        except SizerInputError as e:
            problems.extend(e.problems)
    if problems:
        raise SizerInputError(problems)
    return cat, designs


def file_names(files: tuple[Path, ...]) -> list[str]:
    """The files as messages and JSON name them (``-`` is ``<stdin>``)."""
    return [STDIN if str(f) == "-" else str(f) for f in files]
