"""A progress bar on stderr that appears only on a terminal, and only once the work has
taken more than a second."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console

__all__ = ["DelayedProgress"]


class DelayedProgress:
    """A ``progress(done, total)`` callback that draws a rich progress bar on stderr,
    but only on a terminal and only after ``delay`` seconds of work."""

    def __init__(self, description: str, delay: float = 1.0, console: Console | None = None):
        self.description = description
        self.delay = delay
        self.console = console or Console(stderr=True, markup=False, emoji=False)
        self._t0: float | None = None
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._t0 is None:
            self._t0 = now
        if self._bar is None:
            if done >= total or now - self._t0 < self.delay or not self.console.is_terminal:
                return
            from rich.progress import Progress

            self._bar = Progress(console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total)
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> DelayedProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
