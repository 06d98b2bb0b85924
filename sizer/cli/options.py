"""Options shared by several commands (one definition, so every command says the same)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["catalog_option"]

_CATALOG_HELP = "Extra catalog directory; its entries override or extend the built-in ones by id."


def catalog_option(help: str = _CATALOG_HELP) -> Callable[[Any], Any]:
    """``--catalog DIR`` (repeatable), passed to the command as ``catalog_dirs``."""
    return click.option(
        "--catalog",
        "catalog_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )
