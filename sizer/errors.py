"""The exceptions sizer raises. One base class; each subclass says when it is raised.

Input problems are data: a :class:`Problem` names the file, line, column and the
field path, so the CLI can print ``FILE:LINE:COL: field.path: message`` and exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "HintedValueError",
    "Issue",
    "Problem",
    "SizerError",
    "SizerInputError",
    "TargetNotMetError",
    "UnitError",
    "input_error",
    "shown",
]


#: A problem found in a validated scenario before it is located in its file:
#: ``(field path, message, hint)``, e.g. ``(("workloads", 1, "gpus_per_server"), "...", None)``.
Issue = tuple[tuple[str | int, ...], str, str | None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know."""

    file: str
    line: int | None
    col: int | None
    loc: str
    msg: str
    hint: str | None = None
    type: str = "invalid"

    def format(self) -> str:
        """``FILE:LINE:COL: loc: msg (hint)`` — the one line a user sees."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        text = f"{where}: {self.loc}: {self.msg}" if self.loc else f"{where}: {self.msg}"
        if self.hint:
            text += f" ({self.hint})"
        return _visible(text)


def _visible(text: str) -> str:
    r"""Escape what a terminal would act on or hide (ESC, newline, U+202E, ...) the way
    ``repr`` does, so that one problem is one line and shows what the file holds.

    >>> _visible("key 'a\x1b[2Jb'")
    "key 'a\\x1b[2Jb'"
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters with its length, for messages
    that quote user input (a 5,000-character id must not make a 5,000-character line).

    >>> shown("dgx1")
    "'dgx1'"
    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (100 characters)"
    """
    text = repr(value)
    if len(text) <= limit or not isinstance(value, str):
        return text if len(text) <= limit else text[: limit - 3] + "..."
    return f"{value[:40]!r}... ({len(value):,} characters)"


class HintedValueError(ValueError):
    """Raised by a schema validator whose message comes with a hint (what to write
    instead); :mod:`sizer.problems` puts the hint in the :class:`Problem`."""

    def __init__(self, msg: str, hint: str) -> None:
        super().__init__(msg)
        self.hint = hint


class SizerError(Exception):
    """Base class of every error sizer raises on purpose."""


class UnitError(SizerError, ValueError):
    """A quantity string cannot be parsed, or has the wrong dimension (size vs rate)."""


@dataclass
class SizerInputError(SizerError):
    """The user's input (scenario, catalog, option) is wrong; exit code 2, nothing written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)


def input_error(
    where: str, msg: str, hint: str | None = None, *, type: str = "invalid"
) -> SizerInputError:
    """A :class:`SizerInputError` of one problem at no line: with a whole file, a
    directory, an option (``--format``) or an environment variable ``where``.

    >>> str(input_error("--format", "unknown format 'xml'", "choose from html, pdf"))
    "--format: unknown format 'xml' (choose from html, pdf)"
    """
    return SizerInputError([Problem(where, None, None, "", msg, hint, type)])


class TargetNotMetError(SizerError):
    """The analysis ran, but no design within the search range meets the target; exit code 1."""
