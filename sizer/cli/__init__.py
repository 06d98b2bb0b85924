"""The command line: parse, call the library, print.  No model logic lives here.

:mod:`~sizer.cli.group` is the ``sizer`` group (error handling, ``validate``, ``schema``,
``catalog``, ``analyze``); :mod:`~sizer.cli.scaling` has ``size``, ``sweep``, ``failures``,
``compare``; :mod:`~sizer.cli.memory` ``memory``; :mod:`~sizer.cli.render` ``render``.
Shared options are in :mod:`~sizer.cli.options`, loading and JSON output in
:mod:`~sizer.cli.common`; the terminal tables are :mod:`sizer.console`'s.

Every module here imports only click at module level (heavy libraries are imported inside
the command functions), so ``sizer --help`` stays fast; tests/test_cli.py checks that.

Exit codes: 0 ok; 1 the analysis ran but a target is not met (``size``);
2 bad input (one clear line per problem on stderr, nothing written).
"""

from __future__ import annotations

from sizer.cli import checkpoint as _checkpoint
from sizer.cli import memory as _memory
from sizer.cli import render as _render
from sizer.cli import scaling as _scaling
from sizer.cli.group import cli, main

__all__ = ["cli", "main"]

for _cmd in (
    _memory.memory,
    _checkpoint.checkpoint,
    _scaling.size,
    _scaling.sweep,
    _scaling.failures,
    _scaling.compare,
    _render.render,
):
    cli.add_command(_cmd)
