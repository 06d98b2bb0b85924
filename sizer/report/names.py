"""Catalog ids and internal names in the words a customer reads.

The analysis names its resources, graph nodes and failure elements with catalog ids and
the design's group names (``ess-3000 x3``, ``switch -> dgx-1 links``, ``llm#1``,
``dgx-1[0]``).  :func:`words_for` returns the one function the report puts every such
name through: product names for catalog ids (:func:`sizer.report.fmt.short_product`),
a compute group named by its product and role when the name alone would not say what it
is (``DGX H100 (UNet3D training)``), arrows and counts as signs (``→``, ``×3``) and a
space before a unit's number (``DGX-1 #3``).

Switch names (``leaf-1``, ``spine-2``, ``A``, ``B``, ``switch``) are the fabric's own
words and stay; so does any text that only contains an id inside a longer word.

Examples
--------
>>> from sizer.analysis import analyze
>>> w = words_for(analyze("scenarios/ra-9x-dgx1-3x-ess3000.yaml"))
>>> w("ess-3000 x3"), w("switch -> dgx-1 links"), w("switch -> dgx-1#4 (1 of 4 links)")
('ESS 3000 ×3', 'switch → DGX-1 links', 'switch → DGX-1 #4 (1 of 4 links)')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sizer.report import fmt
from sizer.text import group_role

if TYPE_CHECKING:
    from sizer.analysis import Analysis

__all__ = ["group_words", "names_of", "role_words", "words_deep", "words_for"]


def role_words(d: Any, index: int) -> str:
    """Compute group ``index``'s short role (``UNet3D training``) when the product alone
    would not say which group it is: the scenario names the group, or another group runs
    the same product; "" otherwise."""
    g = d.servers[index]
    alike = sum(1 for h in d.servers if h.server_id == g.server_id)
    if g.name == g.server_id and alike == 1:
        return ""
    return group_role(d, index, short=True)


def group_words(d: Any, index: int) -> str:
    """Compute group ``index`` of design ``d`` in words: its product, with its role when
    :func:`role_words` gives one (``DGX H100 (Llama-3.1-405B training)``)."""
    g = d.servers[index]
    product = fmt.short_product(g.server_name, g.server_id)
    role = role_words(d, index)
    return f"{product} ({role})" if role else product


def names_of(a: Analysis) -> tuple[dict[str, str], dict[str, str]]:
    """The raw names the analysis may print -> their words: catalog ids and graph-node
    prefixes (replaced wherever they stand as a word), and the scenario's compute-group
    names (replaced only where they name something: before ``#N``, `` xN``, `` links``,
    an arrow, or after one; a group may be called ``training``)."""
    from sizer.topology import server_labels, storage_prefix

    d = a.design
    switches = set(a.fabric.switches) | {"switch", "leaf", "spine", "A", "B"}
    ids: dict[str, str] = {}
    for si, s in enumerate(d.storage):
        ids[s.unit_id] = fmt.short_product(s.unit_name, s.unit_id)
        ids[storage_prefix(d, si)] = ids[s.unit_id]
    labels = server_labels(d)
    for g in d.servers:  # unnamed groups' resources carry the server id (shared by all)
        ids.setdefault(g.server_id, fmt.short_product(g.server_name, g.server_id))
    for gi, label in enumerate(labels):
        if label != d.servers[gi].name:  # "dgx-1[0]": two unnamed groups of one server
            ids[label] = group_words(d, gi)
    ids[d.switch_id] = fmt.short_product(d.switch_name, d.switch_id)
    groups = {
        g.name: group_words(d, g.index)
        for g in d.servers
        if g.name != g.server_id and g.name not in ids
    }

    def keep(m: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in m.items() if k not in switches and k != v}

    return keep(ids), keep(groups)


def words_for(a: Analysis) -> Callable[[str], str]:
    """The function that puts a name (or a sentence holding names) of analysis ``a`` in
    words; see the module docstring."""
    ids, groups = names_of(a)
    names = {**groups, **ids}

    def alt(keys: list[str]) -> str:
        return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))

    parts = []
    if ids:
        parts.append(rf"(?<![\w./-])(?:{alt(list(ids))})(?![\w-])")
    if groups:
        g = alt(list(groups))
        parts.append(rf"(?<![\w./-])(?:{g})(?=#\d| x\d| links\b| ->| <->)")
        parts.append(rf"(?<=-> )(?:{g})(?![\w-])")
    pattern = re.compile("|".join(parts)) if parts else None

    def words(text: str) -> str:
        if pattern is not None:
            text = pattern.sub(lambda m: names[m.group(0)], text)
        text = re.sub(r"(?<=[^\s#])#(?=\d)", " #", text)
        text = text.replace(" <-> ", " ↔ ").replace(" -> ", " → ")
        return re.sub(r"(?<= )x(?=\d)", "×", text)

    return words


def words_deep(obj: Any, words: Callable[[str], str], skip: frozenset[str] = frozenset()) -> Any:
    """``obj`` (dicts, lists, tuples of strings and numbers) with every string put through
    ``words``; dict entries whose key is in ``skip`` are kept as they are."""
    if isinstance(obj, str):
        return words(obj)
    if isinstance(obj, dict):
        return {k: v if k in skip else words_deep(v, words, skip) for k, v in obj.items()}
    if isinstance(obj, list):
        return [words_deep(x, words, skip) for x in obj]
    if isinstance(obj, tuple):
        return tuple(words_deep(x, words, skip) for x in obj)
    return obj
