"""pydantic validation errors as located :class:`~sizer.errors.Problem` records.

:func:`validation_problems` turns each error of a ``ValidationError`` raised on the data of
a :class:`~sizer.yamlfile.YamlDoc` into one ``file:line:col: field: message (hint)``
problem: friendly words for pydantic's error types, a did-you-mean for a typo'd key or
choice, the field's description for a missing one, and one problem per location.
"""

from __future__ import annotations

import re
from typing import Any

from sizer.errors import Problem
from sizer.yamlfile import Path_, YamlDoc, fmt_loc, locate

__all__ = ["validation_problems"]


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


#: Words users write for a choice that spelling alone would match to another: a lost
#: drive of direct-attached storage is ``one-unit`` (``one-drive`` is closer to
#: ``one-server`` letter by letter).
_MEANT = {
    "one-drive": "one-unit",
    "one-ssd": "one-unit",
    "one-disk": "one-unit",
    "one-nvme": "one-unit",
    "one-node": "one-server",
    "one-io-server": "one-server",
    "one-leaf": "one-switch",
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
                hint = getattr((e.get("ctx") or {}).get("error"), "hint", None)
            elif typ in ("literal_error", "enum"):
                expected = str((e.get("ctx") or {}).get("expected", ""))
                msg = f"{shown} is not one of {expected}" if expected else str(e["msg"])
                choices = re.findall(r"'([^']*)'", expected)
                close = difflib.get_close_matches(str(raw), choices, n=1, cutoff=0.6)
                meant = _MEANT.get(str(raw).strip().lower())
                if meant is not None and meant in choices:  # a word for a choice, not a typo
                    close = [meant]
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
        out.append(Problem(doc.path, line, col, fmt_loc(loc), msg, hint, typ))
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
