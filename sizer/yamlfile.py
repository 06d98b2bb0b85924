"""Read YAML files safely, keeping the line and column of every value and key.

Every scenario and catalog file is read here.  Everything refused becomes a
:class:`~sizer.errors.Problem` with ``file:line:col`` so the CLI prints one clear line
and exits 2.

Refused: files that do not exist, directories, files over
:data:`~sizer.limits.MAX_FILE_BYTES`, binary / non-UTF-8 content, tab characters in
indentation, duplicate mapping keys, YAML aliases (``*name``: the vector of "billion
laughs" expansion bombs; sizer files never need them), merge keys, non-string keys, custom
tags, nesting deeper than :data:`~sizer.limits.MAX_DEPTH`, more than
:data:`~sizer.limits.MAX_NODES` nodes, and a root that is not a mapping.

This module knows YAML only: not the scenario schema nor the catalog.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sizer.errors import Problem, SizerInputError
from sizer.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, env_int
from sizer.yaml_syntax import syntax_problem, unprintable

__all__ = [
    "YamlDoc",
    "fmt_loc",
    "locate",
    "parse_yaml_text",
    "read_builtin_yaml",
    "read_yaml",
]

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
    #: problems that did not stop the parse (a duplicate key, a tag, a merge key, a bad
    #: scalar); the value at fault is left out of ``data``
    problems: list[Problem] = field(default_factory=list)
    #: paths whose value was left out of ``data``: later checks say nothing under them
    dropped: list[Path_] = field(default_factory=list)

    def left_out(self, loc: str) -> bool:
        """Whether the field path ``loc`` (``compute[0].server``) is at or under a value the
        reader left out: a later check there would only say it is missing."""
        cut = [fmt_loc(path) for path in self.dropped]
        return any(loc == c or loc.startswith((c + ".", c + "[")) for c in cut if c)


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

    def __init__(self, stream: str, max_nodes: int) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0
        self._max_nodes = max_nodes

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
    path: str | os.PathLike[str],
    *,
    display: str | None = None,
    kind: str = "scenario",
    keep_going: bool = False,
    source: bytes | None = None,
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
    keep_going : bool
        Return the document with :attr:`YamlDoc.problems` (a duplicate key, a tag, a
        merge key, a bad scalar: each value at fault left out) instead of raising them,
        so that the caller validates the rest and reports everything in one run.
    source : bytes, optional
        The file's content, already read (``sizer analyze -`` reads standard input):
        ``path`` is not opened, the size limit still applies.

    Raises
    ------
    SizerInputError
        With one :class:`Problem` naming the file (and line/column where known) when the
        file cannot be parsed at all; with every problem of the parse unless
        ``keep_going``.
    """
    name = display if display is not None else os.fspath(path)
    p = Path(path)
    limit = env_int("SIZER_MAX_FILE_BYTES", MAX_FILE_BYTES)
    if source is not None:
        if len(source) > limit:
            raise _too_big(name, None, limit)
        return parse_yaml_text(source, name, kind=kind, keep_going=keep_going)
    if not p.exists():
        raise _problem(name, "no such file", hint=_nearby(p), type_="file")
    if p.is_dir():
        raise _problem(name, "is a directory; give a YAML file (e.g. DIR/*.yaml)", type_="file")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat on the open file
        # (not the path) decides, so the file cannot be swapped in between.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _problem(
                    name,
                    f"is {_file_kind(st.st_mode)}, not a regular file",
                    hint="give a YAML file",
                    type_="file",
                )
            if st.st_size > limit:
                raise _too_big(name, st.st_size, limit)
            # Read at most limit + 1 bytes: a growing file cannot exhaust memory.
            raw = fh.read(limit + 1)
    except OSError as e:
        raise _problem(name, f"cannot read: {e.strerror or e}", type_="file") from None
    if len(raw) > limit:
        raise _too_big(name, None, limit)
    return parse_yaml_text(raw, name, kind=kind, keep_going=keep_going)


def _file_kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device', ... for a file that is not regular."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


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


def read_builtin_yaml(path: Path, display: str) -> YamlDoc:
    """Read a data file shipped with sizer (``catalog/networks/networks.yaml``).

    Parsed as strictly as any file (no aliases, merge keys or tags), but the limits set in
    the environment (``SIZER_MAX_FILE_BYTES``, ``SIZER_MAX_NODES``) are for untrusted input
    and do not apply: the built-in defaults do.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise _problem(display, f"cannot read: {e.strerror or e}", type_="file") from None
    return parse_yaml_text(raw, display, kind="catalog", max_nodes=MAX_NODES)


def parse_yaml_text(
    raw: bytes,
    name: str,
    *,
    kind: str = "scenario",
    max_nodes: int | None = None,
    keep_going: bool = False,
) -> YamlDoc:
    """Parse YAML bytes (see :func:`read_yaml`); ``max_nodes`` defaults to
    :data:`~sizer.limits.MAX_NODES` or ``SIZER_MAX_NODES``."""
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
        loader = _Loader(text, max_nodes or env_int("SIZER_MAX_NODES", MAX_NODES))
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, anywhere
        raise unprintable(name, text, e) from None
    try:
        root = loader.get_single_node()
    except _Refused as e:
        raise _problem(name, e.msg, line=e.mark.line + 1, col=e.mark.column + 1) from None
    except yaml.MarkedYAMLError as e:
        raise syntax_problem(name, e) from None
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
    if doc.problems and (not keep_going or doc.data is _DROPPED):
        raise SizerInputError(list(doc.problems))
    return doc


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


def _refused_key(knode: yaml.Node) -> tuple[str, str | None] | None:
    """(message, hint) when a mapping key is not a plain name: a merge key, a list or mapping,
    a number / bool / null / date, or a tagged key."""
    if knode.tag == "tag:yaml.org,2002:merge":
        return "YAML merge keys (<<) are not allowed in sizer files", "write the keys out"
    if not isinstance(knode, yaml.ScalarNode):
        return f"a {_node_kind(knode)} cannot be a key; keys are plain names", None
    if knode.tag in _KEY_KIND:
        return f"key {knode.value!r} is {_KEY_KIND[knode.tag]}, not a name", (
            "keys are names such as 'count'"
        )
    if knode.tag != "tag:yaml.org,2002:str":
        return _tag_refused(knode.tag), _TAG_HINT
    return None


def _tag_refused(tag: str) -> str:
    return f"YAML tag {_show_tag(tag)!r} is not allowed in sizer files"


_TAG_HINT = "remove the tag; write plain values"


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
        return _drop(doc, path, _tag_refused(node.tag), line, col, hint=_TAG_HINT)
    doc.value_pos[path] = (line, col)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            kline, kcol = knode.start_mark.line + 1, knode.start_mark.column + 1
            refused = _refused_key(knode)
            if refused is not None:
                msg, hint = refused
                # a merge key may have carried any of the mapping's keys: say nothing
                # more about the mapping; another refused key could not name a field
                merge = knode.tag == "tag:yaml.org,2002:merge"
                _drop(doc, path if merge else None, msg, kline, kcol, hint=hint, loc=path)
                continue
            key = knode.value
            if key in out or (*path, key) in doc.key_pos:
                first = doc.key_pos.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                # the first value stays: it is validated as if the second were not there
                msg = f"duplicate key {key!r}{where}"
                _drop(doc, None, msg, kline, kcol, hint="give each key once", loc=(*path, key))
                continue
            doc.key_pos[(*path, key)] = (kline, kcol)
            value = _convert(vnode, (*path, key), doc, constructor, depth + 1)
            if value is not _DROPPED:
                out[key] = value
        return out
    if isinstance(node, yaml.SequenceNode):
        items = [
            _convert(v, (*path, i), doc, constructor, depth + 1) for i, v in enumerate(node.value)
        ]
        return [None if v is _DROPPED else v for v in items]  # the indices stay
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
        return _drop(doc, path, f"bad value: {' '.join(problem.split())}", line, col)


#: what :func:`_convert` returns for a value it refused: the key is left out of its mapping
_DROPPED: Any = object()


def _drop(
    doc: YamlDoc,
    path: Path_ | None,
    msg: str,
    line: int,
    col: int,
    *,
    hint: str | None = None,
    loc: Path_ | None = None,
) -> Any:
    """Record a problem that does not stop the parse; ``path`` (if any) is the value left
    out, under which later checks report nothing (they would only say it is missing)."""
    where = loc if loc is not None else path if path is not None else ()
    doc.problems.append(Problem(doc.path, line, col, fmt_loc(where), msg, hint, "yaml"))
    if path is not None:
        doc.dropped.append(path)
    return _DROPPED


def fmt_loc(loc: Path_) -> str:
    """``('workloads', 1, 'gpus_per_server')`` -> ``workloads[1].gpus_per_server``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + (str(part) or "''")  # an empty key shows as ''
    return out
