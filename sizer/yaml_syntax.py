"""YAML syntax errors and refused characters, in plain words.

PyYAML's messages name parser states ("while scanning a simple key ... could not find
expected ':'"); :func:`syntax_problem` maps the common ones to what the user wrote
wrong and how to fix it, at the line and column that matters.  Used by
:mod:`sizer.yamlfile` only.
"""

from __future__ import annotations

import yaml

from sizer.errors import Problem, SizerInputError

__all__ = ["syntax_problem", "unprintable"]


def _one(
    name: str,
    msg: str,
    *,
    line: int | None,
    col: int | None,
    hint: str | None,
    type_: str = "yaml",
) -> SizerInputError:
    return SizerInputError([Problem(name, line, col, "", msg, hint, type_)])


def unprintable(name: str, text: str, e: yaml.reader.ReaderError) -> SizerInputError:
    """The error for a control character (ESC, BEL, ...) in the file's text."""
    pos = max(0, min(e.position, len(text)))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return _one(
        name,
        f"{'control ' if e.character < 0xA0 else ''}character U+{e.character:04X} "
        "is not allowed in YAML text",
        line=line,
        col=col,
        hint='delete it; inside double quotes it can be written as an escape, e.g. "\\x1b"',
        type_="file",
    )


# (context prefix, problem prefix) -> (message, hint, point at the context mark?)
# ``{ctx}`` is replaced by "line L col C" of the context mark.
_SYNTAX: list[tuple[str, str, str, str, bool]] = [
    (
        "expected a single document",
        "",
        "a second YAML document starts here ('---'); a sizer file holds one document",
        "remove the '---' line or split the file",
        False,
    ),
    (
        "while parsing a flow sequence",
        "",
        "the '[' at {ctx} is not closed",
        "close it with ']' or write the list as '- item' lines",
        False,
    ),
    (
        "while parsing a flow mapping",
        "",
        "the '{{' at {ctx} is not closed",
        "close it with '}' or write the mapping as 'key: value' lines",
        False,
    ),
    (
        "while scanning a quoted scalar",
        "",
        "the quote at {ctx} is not closed",
        "end the text with the same quote character",
        False,
    ),
    (
        "while scanning a simple key",
        "could not find expected ':'",
        "this line has no ':' after its key",
        "write 'key: value' with a space after the colon",
        True,
    ),
    (
        "",
        "mapping values are not allowed here",
        "unexpected ':' here",
        "indent this line like the key above it, or quote a value that contains ': '",
        False,
    ),
    (
        "",
        "expected <block end>",
        "this line's indentation does not match the lines above",
        "indent keys of one mapping, and '- ' items of one list, by the same number of spaces",
        False,
    ),
    (
        "",
        "found character '\\t'",
        "tab character; YAML allows tabs only inside quoted text",
        "replace the tab with spaces, or quote the value",
        False,
    ),
    ("", "found character", "{problem}", "quote a value that starts with this character", False),
    (
        "while scanning a double-quoted scalar",
        "found unknown escape character",
        "inside double quotes '\\' starts an escape sequence, and this one is not valid",
        "write the backslash twice (\\\\), or use single quotes",
        False,
    ),
    (
        "while scanning a double-quoted scalar",
        "expected escape sequence",
        "inside double quotes '\\' starts an escape sequence, and this one is not complete",
        "write the backslash twice (\\\\), or use single quotes",
        False,
    ),
    (
        "",
        "expected '<document start>'",
        "this line cannot follow the lines above: the file's top level ended before it",
        "a sizer file is 'key: value' lines; look above for a stray value or a line "
        "starting with '%'",
        False,
    ),
    (
        "",
        "expected the node content, but found '<stream end>'",
        "the file ends where a value should follow",
        "close every '[' and '{', and give the last key its value",
        False,
    ),
    (
        "",
        "expected the node content",
        "a value is missing here",
        "remove the extra ',' or write the missing value",
        False,
    ),
]


def syntax_problem(name: str, e: yaml.MarkedYAMLError) -> SizerInputError:
    context = (e.context or "").strip()
    problem = (e.problem or "").strip()
    cmark, pmark = e.context_mark, e.problem_mark
    ctx = f"line {cmark.line + 1} col {cmark.column + 1}" if cmark is not None else "?"
    known = next(
        (row for row in _SYNTAX if context.startswith(row[0]) and problem.startswith(row[1])),
        None,
    )
    hint: str | None = None
    if known is not None:
        _, _, msg, hint, at_context = known
        mark = cmark if at_context and cmark is not None else (pmark or cmark)
        text = msg.format(ctx=ctx, problem=problem)
    else:
        mark = pmark or cmark
        text = problem or context or "cannot parse"
        if context and cmark is not None:
            text += f" ({context} at {ctx})"
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return _one(name, f"YAML syntax error: {text}", line=line, col=col, hint=hint)
