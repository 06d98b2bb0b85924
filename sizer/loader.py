"""Read scenario and catalog YAML safely, keeping the line and column of every value.

This is the only module that opens scenario files.  Everything it rejects becomes a
:class:`~sizer.errors.Problem` with ``file:line:col`` so the CLI prints one clear line
and exits 2.

Rejected: files that do not exist, directories, files over :data:`MAX_FILE_BYTES`,
binary / non-UTF-8 content, tab characters in indentation, duplicate mapping keys,
YAML aliases (``*name``: the vector of "billion laughs" expansion bombs; scenarios never
need them), non-string keys, custom tags, and a root that is not a mapping.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sizer.errors import Problem, SizerInputError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_PATHS",
    "MAX_SWITCH_PAIRS",
    "YamlDoc",
    "design_paths",
    "load_scenario",
    "locate",
    "path_limit",
    "read_yaml",
    "validation_problems",
]

#: Largest scenario or catalog file accepted (bytes).  Raise with SIZER_MAX_FILE_BYTES.
MAX_FILE_BYTES = 1_000_000
#: Largest number of YAML nodes accepted in one file.  Raise with SIZER_MAX_NODES.
MAX_NODES = 200_000
#: Deepest nesting accepted.
MAX_DEPTH = 64
#: Largest design analyzed: (servers x workloads on them) x storage units.  Every pair is
#: one route the analysis keeps (~120 B single-switch, ~180 B dual-switch): 5,000,000
#: take ~0.7-1 GB and 2-4 s (tests/test_limits.py).  Raise with SIZER_MAX_PATHS.
MAX_PATHS = 5_000_000
#: Largest leaf-spine fabric analyzed: leaves x spines bundles (~7 KB each with routing):
#: 512 x 128 take ~3.5 s and 0.5 GB.  Raise with SIZER_MAX_SWITCH_PAIRS.
MAX_SWITCH_PAIRS = 65_536

Path_ = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A parsed YAML file: plain Python data plus where every value and key stood."""

    path: str
    data: Any
    text: str
    #: path tuple -> (line, col) of the value (1-based)
    value_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: path tuple -> (line, col) of the mapping key that introduced the value
    key_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: path tuple -> source text of a scalar YAML read as true/false/null ("yes", "off", "~")
    scalar_text: dict[Path_, str] = field(default_factory=dict)


def locate(doc: YamlDoc, loc: Path_, *, prefer_key: bool = False) -> tuple[int | None, int | None]:
    """Line and column for a field path; falls back to the nearest enclosing value."""
    loc = tuple(loc)
    while True:
        if prefer_key and loc in doc.key_pos:
            return doc.key_pos[loc]
        if loc in doc.value_pos:
            return doc.value_pos[loc]
        if not loc:
            return (None, None)
        loc = loc[:-1]


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, counts nodes and bounds the nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0
        self._max_nodes = _env_int("SIZER_MAX_NODES", MAX_NODES)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                event.start_mark,
                "YAML aliases (*name) are not allowed in sizer files; write the values out",
            )
        self._nodes += 1
        if self._nodes > self._max_nodes:
            event = self.peek_event()
            raise _Refused(
                event.start_mark,
                f"more than {self._max_nodes:,} YAML nodes; refusing to load "
                "(set SIZER_MAX_NODES to raise the limit)",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise _Refused(
                event.start_mark,
                f"nesting deeper than {MAX_DEPTH} levels; a scenario needs only a few",
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(Exception):
    def __init__(self, mark: Any, msg: str) -> None:
        super().__init__(msg)
        self.mark = mark
        self.msg = msg


def _env_int(name: str, default: int) -> int:
    """A positive integer limit from the environment; a bad value is an input error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise _problem(
            name,
            f"environment variable is {raw!r}; set it to a whole number of 1 or more, or unset it",
            type_="env",
        )
    return value


def _problem(
    path: str,
    msg: str,
    line: int | None = None,
    col: int | None = None,
    loc: str = "",
    hint: str | None = None,
    type_: str = "yaml",
) -> SizerInputError:
    return SizerInputError([Problem(path, line, col, loc, msg, hint, type_)])


_WHAT = {
    "scenario": "a scenario needs name:, compute:, storage:, network: and workloads:",
    "catalog": "a catalog file needs sections such as servers: or storage:",
}


def read_yaml(
    path: str | os.PathLike[str], *, display: str | None = None, kind: str = "scenario"
) -> YamlDoc:
    """Read one YAML file safely and return its data with positions.

    Parameters
    ----------
    path : path-like
        The file to read.
    display : str, optional
        The name to print in messages (default: the path as given).
    kind : {"scenario", "catalog"}
        What the file should be; only changes the hints of "empty" and "not a mapping".

    Raises
    ------
    SizerInputError
        With one :class:`Problem` naming the file (and line/column where known).
    """
    name = display if display is not None else os.fspath(path)
    p = Path(path)
    limit = _env_int("SIZER_MAX_FILE_BYTES", MAX_FILE_BYTES)
    if not p.exists():
        raise _problem(name, "no such file", hint=_nearby(p), type_="file")
    if p.is_dir():
        raise _problem(name, "is a directory; give a YAML file (e.g. DIR/*.yaml)", type_="file")
    try:
        size = p.stat().st_size
        if size > limit:
            raise _too_big(name, size, limit)
        # Read at most limit + 1 bytes: /dev/zero or a growing file cannot exhaust memory.
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as e:
        raise _problem(name, f"cannot read: {e.strerror or e}", type_="file") from None
    if len(raw) > limit:
        raise _too_big(name, None, limit)
    return parse_yaml_text(raw, name, kind=kind)


def _too_big(name: str, size: int | None, limit: int) -> SizerInputError:
    what = f"file is {size:,} bytes" if size is not None else "file is larger than that"
    return _problem(
        name,
        f"{what}, over the {limit:,}-byte limit for sizer files",
        hint="set SIZER_MAX_FILE_BYTES to raise it",
        type_="file",
    )


def _nearby(p: Path) -> str | None:
    """'did you mean ...?' for a missing file, from the files next to where it should be."""
    import difflib

    parent = p.parent if str(p.parent) else Path(".")
    try:
        names = [c.name for c in parent.iterdir() if c.suffix in (".yaml", ".yml")]
    except OSError:
        return None
    stems = {Path(n).stem: n for n in names}
    close = difflib.get_close_matches(p.stem, list(stems), n=1, cutoff=0.6)
    if not close:
        return None
    close = [stems[close[0]]]
    shown = close[0] if str(p.parent) in ("", ".") else str(p.parent / close[0])
    return f"did you mean {shown!r}?"


def parse_yaml_text(raw: bytes, name: str, *, kind: str = "scenario") -> YamlDoc:
    """Parse YAML bytes (see :func:`read_yaml`)."""
    if b"\x00" in raw:
        raise _problem(
            name,
            "is a binary file (contains NUL bytes), not YAML text",
            hint="give the scenario's .yaml file",
            type_="file",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise _problem(
            name,
            f"is not UTF-8 text: byte 0x{raw[e.start]:02x}",
            line=line,
            col=col,
            hint="save the file as UTF-8",
            type_="file",
        ) from None
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise _problem(
            name, "is empty: only blank lines and comments", hint=_WHAT.get(kind), type_="file"
        )
    for i, ln in enumerate(text.splitlines(), start=1):
        indent = ln[: len(ln) - len(ln.lstrip(" \t"))]
        if "\t" in indent:
            raise _problem(
                name,
                "tab character in indentation; YAML indents with spaces only",
                line=i,
                col=indent.index("\t") + 1,
                hint="replace the tab with spaces",
            )
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, anywhere
        raise _unprintable(name, text, e) from None
    try:
        root = loader.get_single_node()
    except _Refused as e:
        raise _problem(name, e.msg, line=e.mark.line + 1, col=e.mark.column + 1) from None
    except yaml.MarkedYAMLError as e:
        raise _syntax_problem(name, e) from None
    except yaml.YAMLError as e:  # pragma: no cover - PyYAML raises marked errors
        raise _problem(name, f"YAML error: {' '.join(str(e).split())}") from None
    except RecursionError:  # pragma: no cover - _Loader bounds the depth first
        raise _problem(name, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    if root is None or (
        isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null") and root.value == ""
    ):
        raise _problem(
            name, "is empty: the document has no content", hint=_WHAT.get(kind), type_="file"
        )
    doc = YamlDoc(path=name, data=None, text=text)
    if not isinstance(root, yaml.MappingNode):
        raise _problem(
            name,
            f"the top level must be key: value lines, not a {_node_kind(root)}",
            line=root.start_mark.line + 1,
            col=root.start_mark.column + 1,
            hint=_WHAT.get(kind),
        )
    doc.data = _convert(root, (), doc, yaml.constructor.SafeConstructor(), 0)
    return doc


def _unprintable(name: str, text: str, e: yaml.reader.ReaderError) -> SizerInputError:
    """The error for a control character (ESC, BEL, ...) in the file's text."""
    pos = max(0, min(e.position, len(text)))
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return _problem(
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


def _syntax_problem(name: str, e: yaml.MarkedYAMLError) -> SizerInputError:
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
    return _problem(name, f"YAML syntax error: {text}", line=line, col=col, hint=hint)


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return "single value"


_STD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
# PyYAML resolves a plain "=" and "<<" value to these tags and cannot construct them.
_PLAIN_TEXT_TAGS = {"tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"}
_KEY_KIND = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a true/false value",
    "tag:yaml.org,2002:null": "a null value",
    "tag:yaml.org,2002:timestamp": "a date",
}


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


def _convert(
    node: yaml.Node,
    path: Path_,
    doc: YamlDoc,
    constructor: yaml.constructor.SafeConstructor,
    depth: int,
) -> Any:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > MAX_DEPTH:  # pragma: no cover - _Loader refuses deeper documents
        raise _problem(doc.path, f"nesting deeper than {MAX_DEPTH} levels", line=line, col=col)
    if isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN_TEXT_TAGS:
        node = yaml.ScalarNode("tag:yaml.org,2002:str", node.value, node.start_mark, node.end_mark)
    if node.tag not in _STD_TAGS:
        raise _problem(
            doc.path,
            f"YAML tag {_show_tag(node.tag)!r} is not allowed in sizer files",
            line=line,
            col=col,
            loc=_fmt_loc(path),
            hint="remove the tag; write plain values",
        )
    doc.value_pos[path] = (line, col)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            kline, kcol = knode.start_mark.line + 1, knode.start_mark.column + 1
            if knode.tag == "tag:yaml.org,2002:merge":
                raise _problem(
                    doc.path,
                    "YAML merge keys (<<) are not allowed in sizer files",
                    line=kline,
                    col=kcol,
                    loc=_fmt_loc(path),
                    hint="write the keys out",
                )
            if not isinstance(knode, yaml.ScalarNode):
                raise _problem(
                    doc.path,
                    f"a {_node_kind(knode)} cannot be a key; keys are plain names",
                    line=kline,
                    col=kcol,
                    loc=_fmt_loc(path),
                )
            key = knode.value
            if knode.tag in _KEY_KIND:
                raise _problem(
                    doc.path,
                    f"key {key!r} is {_KEY_KIND[knode.tag]}, not a name",
                    line=kline,
                    col=kcol,
                    loc=_fmt_loc(path),
                    hint="keys are names such as 'count'",
                )
            if knode.tag != "tag:yaml.org,2002:str":
                raise _problem(
                    doc.path,
                    f"YAML tag {_show_tag(knode.tag)!r} is not allowed in sizer files",
                    line=kline,
                    col=kcol,
                    loc=_fmt_loc(path),
                    hint="remove the tag; write plain values",
                )
            if key in out:
                first = doc.key_pos.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                raise _problem(
                    doc.path,
                    f"duplicate key {key!r}{where}",
                    line=kline,
                    col=kcol,
                    loc=_fmt_loc((*path, key)),
                    hint="give each key once",
                )
            doc.key_pos[(*path, key)] = (kline, kcol)
            out[key] = _convert(vnode, (*path, key), doc, constructor, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(v, (*path, i), doc, constructor, depth + 1) for i, v in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    try:
        value = constructor.construct_object(node, deep=True)
        if value is None or isinstance(value, bool):
            doc.scalar_text[path] = node.value
        return value
    except (yaml.YAMLError, ValueError, OverflowError) as e:
        problem = getattr(e, "problem", None) or str(e)
        if "Exceeds the limit" in problem:  # Python's guard against huge int conversion
            problem = f"a number of {len(node.value.strip())} digits is too long"
        raise _problem(
            doc.path,
            f"bad value: {' '.join(problem.split())}",
            line=line,
            col=col,
            loc=_fmt_loc(path),
        ) from None


def _fmt_loc(loc: Path_) -> str:
    """``('workloads', 1, 'gpus_per_server')`` -> ``workloads[1].gpus_per_server``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + (str(part) or "''")  # an empty key shows as ''
    return out


# ----------------------------------------------------------------------------- scenarios


def _allowed_keys(model: Any, loc: Path_) -> list[str]:
    """Field names allowed at ``loc`` (the parent mapping of a bad key), for did-you-mean."""
    cur = _model_at(model, loc)
    return list(cur.model_fields) if cur is not None else []


def _field_description(model: Any, loc: Path_) -> str | None:
    """The schema description of the field at ``loc`` (for 'required field is missing')."""
    if not loc:
        return None
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return None
    f = parent.model_fields.get(str(loc[-1]))
    return f.description if f is not None else None


def _model_at(model: Any, loc: Path_) -> Any:
    """The pydantic model class that validates the mapping at ``loc``, or None."""
    import typing

    from pydantic import BaseModel

    cur: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return None
        f = cur.model_fields.get(str(part))
        if f is None:
            return None
        ann = f.annotation
        # unwrap Optional[...] / list[...]
        for _ in range(4):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = next(
                (a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0]
            )
        cur = ann
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return cur
    return None


_BOUNDS = {
    "greater_than_equal": "below the minimum",
    "greater_than": "not greater than",
    "less_than_equal": "above the maximum",
    "less_than": "not below the maximum",
}

_LENGTHS = {
    "too_short": "has {actual_length} items; at least {min_length} needed",
    "too_long": "has {actual_length} items, more than the {max_length} allowed",
    "string_too_short": "must not be empty",
    "string_too_long": "is longer than {max_length} characters",
}

_FRIENDLY = {
    "missing": "required field is missing",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "string_type": "expected text",
    "list_type": "expected a list (- item lines)",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "dict_type": "expected a mapping (key: value lines)",
    "bool_type": "expected true or false",
    "finite_number": "expected a finite number",
}


def validation_problems(err: Any, doc: YamlDoc, root_model: Any) -> list[Problem]:
    """Map a pydantic ``ValidationError`` to located problems, one per error."""
    import difflib

    out: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = tuple(
            p for p in e["loc"] if not (isinstance(p, str) and "[" in p and p.endswith("]"))
        )
        # pydantic adds union-member tags like 'float' / "literal['auto']"; keep real fields only
        loc = tuple(
            p
            for p in loc
            if isinstance(p, int) or p in _known_names(root_model) or p in _data_keys(doc, loc)
        )
        typ = e["type"]
        hint = None
        if typ == "extra_forbidden":
            key = loc[-1] if loc else "?"
            allowed = _allowed_keys(root_model, loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            msg = f"unknown key {key!r}"
            if close:
                hint = f"did you mean {close[0]!r}?"
            elif allowed:
                hint = "allowed here: " + ", ".join(allowed)
            line, col = locate(doc, loc, prefer_key=True)
        elif typ == "missing":
            field = loc[-1] if loc else "?"
            msg = f"required field {field!r} is missing"
            described = _field_description(root_model, loc)
            hint = f"add '{field}:', {described}" if described else f"add '{field}:'"
            line, col = locate(doc, loc[:-1])
        else:
            base = _FRIENDLY.get(typ)
            raw = e.get("input")
            shown = _short(raw)
            if loc in doc.scalar_text and (raw is None or isinstance(raw, bool)):
                shown = f"{doc.scalar_text[loc]!r} (YAML reads it as {_yaml_word(raw)})"
            if typ == "value_error":
                msg = str(e["msg"]).removeprefix("Value error, ")
            elif typ in ("literal_error", "enum"):
                expected = str((e.get("ctx") or {}).get("expected", ""))
                msg = f"{shown} is not one of {expected}" if expected else str(e["msg"])
                choices = re.findall(r"'([^']*)'", expected)
                close = difflib.get_close_matches(str(raw), choices, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close and isinstance(raw, str) else None
            elif base is not None:
                msg = f"{base}, got {shown}"
            elif typ in _LENGTHS:
                msg = _LENGTHS[typ].format(**(e.get("ctx") or {}))
            elif typ in _BOUNDS:
                ctx = e.get("ctx") or {}
                limit = next(iter(ctx.values()), "?")
                msg = f"{shown} is {_BOUNDS[typ]} {limit}"
            else:
                msg = f"{e['msg']}, got {shown}"
            line, col = locate(doc, loc)
        out.append(Problem(doc.path, line, col, _fmt_loc(loc), msg, hint, typ))
    # a typo'd key that suggests a missing field explains that missing field: drop the latter
    suggested = {
        (p.loc.rsplit(".", 1)[0] if "." in p.loc else "", p.hint.split("'")[1])
        for p in out
        if p.type == "extra_forbidden" and p.hint and p.hint.startswith("did you mean")
    }
    out = [
        p
        for p in out
        if not (
            p.type == "missing"
            and (p.loc.rsplit(".", 1)[0] if "." in p.loc else "", p.loc.rsplit(".", 1)[-1])
            in suggested
        )
    ]
    # one error per location: pydantic reports every union branch
    seen: set[tuple[str, str]] = set()
    unique: list[Problem] = []
    for p in out:
        if (p.loc, p.type) in seen or (p.loc in {q.loc for q in unique}):
            continue
        seen.add((p.loc, p.type))
        unique.append(p)
    return unique


def _known_names(model: Any) -> set[str]:
    from pydantic import BaseModel

    names: set[str] = set()
    stack = [model]
    seen = set()
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        for name, f in m.model_fields.items():
            names.add(name)
            import typing

            todo = [f.annotation]
            while todo:
                a = todo.pop()
                if isinstance(a, type) and issubclass(a, BaseModel):
                    stack.append(a)
                todo.extend(typing.get_args(a))
    return names


def _data_keys(doc: YamlDoc, loc: tuple[Any, ...]) -> set[str]:
    return {str(k[-1]) for k in doc.key_pos}


def _yaml_word(v: Any) -> str:
    return "null" if v is None else str(v).lower()


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def load_scenario(
    path: str | os.PathLike[str], catalog: Any = None, *, display: str | None = None
) -> Any:
    """Read, validate and cross-check a scenario file.

    Parameters
    ----------
    path : path-like
        The scenario YAML.
    catalog : Catalog, optional
        Default: the built-in catalog.

    Returns
    -------
    Scenario

    Raises
    ------
    SizerInputError
        Every problem found, each located ``file:line:col``.
    """
    from pydantic import ValidationError

    from sizer.schema import Scenario, check_scenario

    doc = read_yaml(path, display=display)
    try:
        sc = Scenario.model_validate(doc.data)
    except ValidationError as e:
        raise SizerInputError(validation_problems(e, doc, Scenario)) from None
    if catalog is None:
        from sizer.catalog import load_catalog

        catalog = load_catalog()
    from sizer.memory import memory_problems

    issues = _size_issues(sc) or check_scenario(sc, catalog) + memory_problems(sc, catalog)
    if not issues:
        from sizer.topology import port_problems

        issues = port_problems(sc, catalog)
    if issues:
        probs = []
        for loc, msg, hint in issues:
            line, col = locate(doc, loc)
            probs.append(Problem(doc.path, line, col, _fmt_loc(loc), msg, hint, "cross"))
        raise SizerInputError(probs)
    return sc


def _size_issues(sc: Any) -> list[tuple[tuple[str | int, ...], str, str | None]]:
    """Designs too large to analyze in bounded memory (:data:`MAX_PATHS`,
    :data:`MAX_SWITCH_PAIRS`), checked before anything is built."""
    out: list[tuple[tuple[str | int, ...], str, str | None]] = []
    counts = {g.name: g.count for g in sc.compute if g.name is not None}
    servers = sum(g.count for g in sc.compute)
    flows = sum(
        servers if w.groups is None else sum(counts.get(n, 0) for n in set(w.groups))
        for w in sc.workloads
    )
    units = sum(s.count for s in sc.storage)
    limit = path_limit()
    if flows * units > limit:
        who = f"{servers:,} servers" if flows == servers else f"{flows:,} server-workload pairs"
        out.append(
            (
                ("compute",),
                f"design too large to analyze: {who} x {units:,} storage units = "
                f"{flows * units:,} server-to-storage paths, over the limit of {limit:,} "
                f"(about {limit * 200 / 1e9:.1f} GB of memory)",
                "use fewer servers or storage units, or set SIZER_MAX_PATHS to raise the limit",
            )
        )
    net = sc.network
    if net.topology == "leaf-spine" and net.leaves is not None and net.spines is not None:
        pairs_limit = _env_int("SIZER_MAX_SWITCH_PAIRS", MAX_SWITCH_PAIRS)
        if net.leaves * net.spines > pairs_limit:
            out.append(
                (
                    ("network", "leaves"),
                    f"fabric too large to analyze: {net.leaves:,} leaves x {net.spines:,} "
                    f"spines = {net.leaves * net.spines:,} leaf-spine bundles, over the "
                    f"limit of {pairs_limit:,}",
                    "use fewer leaves or spines, or set SIZER_MAX_SWITCH_PAIRS to raise the limit",
                )
            )
    return out


def path_limit() -> int:
    """:data:`MAX_PATHS`, or ``SIZER_MAX_PATHS`` when set."""
    return _env_int("SIZER_MAX_PATHS", MAX_PATHS)


def design_paths(design: Any) -> int:
    """Server-to-storage paths of a resolved design: what :data:`MAX_PATHS` bounds.

    Scaling builds designs larger than the scenario (``sizer sweep --exact``); it checks
    them with this before running the full analysis.
    """
    flows = sum(design.servers[gi].count for w in design.workloads for gi in w.groups)
    return flows * sum(s.count for s in design.storage)
