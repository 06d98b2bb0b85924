"""Tables that never truncate: ids and numbers are never cut or split, prose wraps at
spaces, and a table too wide for the terminal is printed stacked (one block per row).

Every cell is plain text (:class:`rich.text.Text`), never rich markup: a scenario named
``[bold]x[/bold]`` prints literally (the consoles of :func:`sizer.console.make_console`
also have markup off).

Kinds of column: ``"num"`` (right-aligned, never wrapped), ``"id"`` (left, never
wrapped) and ``"text"`` (left, wraps between words, a word is never split).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

__all__ = ["Cell", "Kind", "bold", "plain", "print_line", "print_table"]

Kind = Literal["num", "id", "text"]
Cell = str | Text


def plain(cell: Cell) -> Text:
    """``cell`` as literal text (a str is never parsed as markup)."""
    return cell if isinstance(cell, Text) else Text(cell)


def bold(s: str) -> Text:
    return Text(s, style="bold")


def print_line(c: Console, *parts: Cell) -> None:
    """One paragraph of literal text (wrapped between words at the console's width)."""
    out = Text()
    for p in parts:
        out.append_text(plain(p))
    c.print(out)


#: words of prose wider than this (file names, URLs) may fold; ids and numbers are shorter
FOLD_WORD = 32


def _longest_word(s: str) -> int:
    """The widest word of ``s`` that must stay whole (URLs and words over
    :data:`FOLD_WORD` cells may fold: they are neither ids nor numbers)."""
    widths = (cell_len(w) for w in s.split() if "://" not in w)
    return max((w for w in widths if w <= FOLD_WORD), default=0)


def _widths(
    headers: Sequence[str], kinds: Sequence[Kind], rows: Sequence[Sequence[Text]], room: int
) -> list[int] | None:
    """Column widths (without padding) that fit ``room``, or None if the table cannot fit
    without cutting a number, an id or a word."""
    lo: list[int] = []
    hi: list[int] = []
    for j, (h, kind) in enumerate(zip(headers, kinds, strict=True)):
        cells = [r[j].plain for r in rows]
        if kind == "text":
            cmin = max((_longest_word(x) for x in cells), default=0)
        else:
            cmin = max((cell_len(x) for x in cells), default=0)
        cmax = max((cell_len(x) for x in cells), default=0)
        lo.append(max(cmin, _longest_word(h), 1))
        hi.append(max(cmax, cell_len(h), lo[-1]))
    if sum(lo) > room:
        return None
    # Prose widens first; then headers of number and id columns unwrap.
    prose = [b if k == "text" else a for a, b, k in zip(lo, hi, kinds, strict=True)]
    return _spread(_spread(lo, prose, room), hi, room)


def _spread(widths: list[int], hi: list[int], room: int) -> list[int]:
    """``widths`` grown towards ``hi`` in proportion to what each lacks, within ``room``."""
    extra = room - sum(widths)
    want = [max(b - a, 0) for a, b in zip(widths, hi, strict=True)]
    total = sum(want)
    if total <= extra:
        return [max(a, b) for a, b in zip(widths, hi, strict=True)]
    out = [a + w * extra // total for a, w in zip(widths, want, strict=True)]
    left = room - sum(out)
    for j in sorted(range(len(out)), key=lambda j: out[j] - hi[j]):
        if left <= 0:
            break
        if out[j] < hi[j]:
            out[j] += 1
            left -= 1
    return out


def print_table(
    c: Console,
    title: str,
    headers: Sequence[str],
    kinds: Sequence[Kind],
    rows: Sequence[Sequence[Cell]],
    *,
    stacked: Sequence[tuple[Cell, Sequence[tuple[str, Cell]]]] | None = None,
) -> None:
    """A table at the console's width, or, when it cannot fit, one block per row.

    ``stacked`` gives the blocks (a title and ``(label, value)`` pairs) when they are not
    simply the rows (a transposed table); by default each row is a block titled by its
    first cell.
    """
    cells = [[plain(x) for x in r] for r in rows]
    widths = _widths(headers, kinds, cells, c.width - 3 * len(headers) - 1)
    if widths is not None:
        t = Table(title=Text(title), title_justify="left")
        for h, kind, w in zip(headers, kinds, widths, strict=True):
            t.add_column(
                Text(h),
                justify="right" if kind == "num" else "left",
                width=w,  # >= every id and number of the column: none is wrapped or cut
                overflow="fold",
            )
        for r in cells:
            t.add_row(*r)
        c.print(t)
        return
    if stacked is None:
        stacked = [
            (Text(f"{headers[0]}: ") + r[0], list(zip(headers[1:], r[1:], strict=True)))
            for r in cells
        ]
    c.print(Text(title))
    for head, pairs in stacked:
        c.print(Padding(plain(head), (0, 0, 0, 2), expand=False))
        g = Table.grid(padding=(0, 1))
        g.add_column(no_wrap=True)
        g.add_column(overflow="fold")
        for label, value in pairs:
            g.add_row(Text(f"{label}:"), plain(value))
        c.print(Padding(g, (0, 0, 0, 4), expand=False))
