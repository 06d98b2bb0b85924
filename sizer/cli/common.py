"""What every command needs: JSON on stdout, the catalog and the designs loaded, option
problems as ``SizerInputError``.  Only click is imported at module level; the model is
imported inside the functions, so ``sizer --help`` stays fast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

__all__ = ["echo_json", "fail", "load_catalog", "load_designs", "problem"]


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
    """The catalog and each file's resolved design, each loaded and resolved once; every
    file's problems at once."""
    from sizer.errors import SizerInputError
    from sizer.loader import load_design

    cat = load_catalog(catalog_dirs)
    designs = []
    problems = []
    for f in files:
        try:
            designs.append(load_design(f, cat))
        except SizerInputError as e:
            problems.extend(e.problems)
    if problems:
        raise SizerInputError(problems)
    return cat, designs
