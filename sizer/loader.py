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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sizer.errors import Problem, SizerInputError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "YamlDoc",
    "load_scenario",
    "locate",
    "read_yaml",
    "validation_problems",
]

#: Largest scenario or catalog file accepted (bytes).  Raise with SIZER_MAX_FILE_BYTES.
MAX_FILE_BYTES = 1_000_000
#: Largest number of YAML nodes accepted in one file.  Raise with SIZER_MAX_NODES.
MAX_NODES = 200_000
#: Deepest nesting accepted.
MAX_DEPTH = 64

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
    """SafeLoader that refuses aliases and counts nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._max_nodes = int(os.environ.get("SIZER_MAX_NODES", MAX_NODES))

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
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
                f"more than {self._max_nodes} YAML nodes; refusing to load "
                "(set SIZER_MAX_NODES to raise the limit)",
            )
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, mark: Any, msg: str) -> None:
        super().__init__(msg)
        self.mark = mark
        self.msg = msg


def _problem(path: str, msg: str, line: int | None = None, col: int | None = None,
             loc: str = "", hint: str | None = None, type_: str = "yaml") -> SizerInputError:
    return SizerInputError([Problem(path, line, col, loc, msg, hint, type_)])


def read_yaml(path: str | os.PathLike[str], *, display: str | None = None) -> YamlDoc:
    """Read one YAML file safely and return its data with positions.

    Parameters
    ----------
    path : path-like
        The file to read.
    display : str, optional
        The name to print in messages (default: the path as given).

    Raises
    ------
    SizerInputError
        With one :class:`Problem` naming the file (and line/column where known).
    """
    name = display if display is not None else os.fspath(path)
    p = Path(path)
    limit = int(os.environ.get("SIZER_MAX_FILE_BYTES", MAX_FILE_BYTES))
    if not p.exists():
        raise _problem(name, "no such file", type_="file")
    if p.is_dir():
        raise _problem(name, "is a directory, not a YAML file", type_="file")
    try:
        size = p.stat().st_size
        if size > limit:
            raise _problem(
                name,
                f"file is {size:,} bytes, over the {limit:,}-byte limit for sizer files",
                hint="set SIZER_MAX_FILE_BYTES to raise it",
                type_="file",
            )
        raw = p.read_bytes()
    except OSError as e:
        raise _problem(name, f"cannot read: {e.strerror or e}", type_="file") from None
    return parse_yaml_text(raw, name)


def parse_yaml_text(raw: bytes, name: str) -> YamlDoc:
    """Parse YAML bytes (see :func:`read_yaml`)."""
    if b"\x00" in raw:
        raise _problem(name, "is a binary file (contains NUL bytes), not YAML", type_="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _problem(name, "is not UTF-8 text", line=line, type_="file") from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise _problem(name, "is empty; a scenario needs at least compute, storage and workloads",
                       type_="file")
    for i, ln in enumerate(text.splitlines(), start=1):
        indent = ln[: len(ln) - len(ln.lstrip(" \t"))]
        if "\t" in indent:
            raise _problem(name, "tab character in indentation; YAML indents with spaces only",
                           line=i, col=indent.index("\t") + 1)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except _Refused as e:
        raise _problem(name, e.msg, line=e.mark.line + 1, col=e.mark.column + 1) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        msg = (e.problem or e.context or "YAML syntax error").strip()
        if "found character '\\t'" in str(e) or "\\t" in msg:
            msg = "tab character; YAML indents with spaces only"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise _problem(name, f"YAML syntax error: {msg}", line=line, col=col) from None
    except yaml.YAMLError as e:
        raise _problem(name, f"YAML error: {e}") from None
    except RecursionError:
        raise _problem(name, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    if root is None:
        raise _problem(name, "is empty; a scenario needs at least compute, storage and workloads",
                       type_="file")
    doc = YamlDoc(path=name, data=None, text=text)
    if not isinstance(root, yaml.MappingNode):
        raise _problem(
            name,
            "the top level must be a mapping of keys (name:, compute:, storage:, ...), "
            f"not a {_node_kind(root)}",
            line=root.start_mark.line + 1, col=root.start_mark.column + 1,
        )
    doc.data = _convert(root, (), doc, loader, 0)
    return doc


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return "single value"


_constructor = yaml.SafeLoader("")


def _convert(node: yaml.Node, path: Path_, doc: YamlDoc, loader: _Loader, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _problem(doc.path, f"nesting deeper than {MAX_DEPTH} levels",
                       line=node.start_mark.line + 1, col=node.start_mark.column + 1)
    doc.value_pos[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                raise _problem(doc.path, "YAML merge keys (<<) are not allowed in sizer files",
                               line=knode.start_mark.line + 1, col=knode.start_mark.column + 1)
            if not isinstance(knode, yaml.ScalarNode):
                raise _problem(doc.path, "mapping keys must be plain names",
                               line=knode.start_mark.line + 1, col=knode.start_mark.column + 1)
            key = knode.value
            kpos = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            if key in out:
                first = doc.key_pos.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                raise _problem(doc.path, f"duplicate key {key!r}{where}", line=kpos[0],
                               col=kpos[1], loc=_fmt_loc((*path, key)))
            doc.key_pos[(*path, key)] = kpos
            out[key] = _convert(vnode, (*path, key), doc, loader, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, i), doc, loader, depth + 1) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag.startswith("!"):
        raise _problem(doc.path, f"custom YAML tag {node.tag!r} is not allowed",
                       line=node.start_mark.line + 1, col=node.start_mark.column + 1)
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.YAMLError as e:
        raise _problem(doc.path, f"bad value: {e}", line=node.start_mark.line + 1,
                       col=node.start_mark.column + 1) from None


def _fmt_loc(loc: Path_) -> str:
    """``('workloads', 1, 'gpus_per_server')`` -> ``workloads[1].gpus_per_server``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# ----------------------------------------------------------------------------- scenarios


def _allowed_keys(model: Any, loc: Path_) -> list[str]:
    """Field names allowed at ``loc`` (the parent mapping of a bad key), for did-you-mean."""
    import typing

    from pydantic import BaseModel

    cur: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return []
        f = cur.model_fields.get(str(part))
        if f is None:
            return []
        ann = f.annotation
        # unwrap Optional[...] / list[...]
        for _ in range(4):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0])
        cur = ann
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return list(cur.model_fields)
    return []


_BOUNDS = {
    "greater_than_equal": "below the minimum",
    "greater_than": "not greater than",
    "less_than_equal": "above the maximum",
    "less_than": "not below the maximum",
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
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and "[" in p and p.endswith("]")))
        # pydantic adds union-member tags like 'float' / "literal['auto']"; keep real fields only
        loc = tuple(p for p in loc if isinstance(p, int) or p in _known_names(root_model) or p in _data_keys(doc, loc))
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
            line, col = locate(doc, loc[:-1])
        else:
            base = _FRIENDLY.get(typ)
            raw = e.get("input")
            shown = _short(raw)
            if typ == "value_error":
                msg = str(e["msg"]).removeprefix("Value error, ")
            elif typ in ("literal_error", "enum"):
                msg = f"{shown} is not one of {e['ctx'].get('expected', '')}" if e.get("ctx") else e["msg"]
            elif base is not None:
                msg = f"{base}, got {shown}"
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
        p for p in out
        if not (p.type == "missing" and (p.loc.rsplit(".", 1)[0] if "." in p.loc else "",
                                         p.loc.rsplit(".", 1)[-1]) in suggested)
    ]
    # one error per location: pydantic reports every union branch
    seen: set[tuple[str, str]] = set()
    unique = []
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


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def load_scenario(path: str | os.PathLike[str], catalog: Any = None, *,
                  display: str | None = None) -> Any:
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
    issues = check_scenario(sc, catalog)
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
