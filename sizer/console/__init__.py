"""The terminal: results as rich tables on stdout, progress on stderr.  Presentation only.

Modules: :mod:`~sizer.console.analysis` (``sizer analyze``), :mod:`~sizer.console.scaling`
(``size``, ``sweep``, ``failures``, ``compare``), :mod:`~sizer.console.catalog`
(``sizer catalog``), :mod:`~sizer.console.memory` (``sizer memory``) and
:mod:`~sizer.console.progress` (:class:`DelayedProgress`).  Words and number formats shared
with the report come from :mod:`sizer.text`.  Only rich is imported here.
"""

from __future__ import annotations

import os

from rich.console import Console

from sizer.console.progress import DelayedProgress

__all__ = ["DelayedProgress", "make_console"]


def make_console() -> Console:
    """A console for results on stdout: the terminal's width (or ``COLUMNS``), 120 columns
    when not a terminal (pipes, CI) and ``COLUMNS`` is unset.  Markup and emoji codes are
    off: names, ids and sources from files print literally."""
    c = Console(highlight=False, markup=False, emoji=False)
    if not c.is_terminal and not os.environ.get("COLUMNS"):
        c = Console(highlight=False, markup=False, emoji=False, width=120)
    return c
