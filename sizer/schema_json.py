"""The JSON Schema of scenario files for editors (``sizer schema``).

Built from the pydantic models (:func:`sizer.schema.json_schema`), then made useful to a
YAML language server:

* catalog ids (server, storage unit, switch, model, dataset, GPU, link) are enums of the
  catalog in force (built-in plus ``--catalog``), so they complete and a typo is flagged;
  ``memory:`` models are the memory models (:func:`sizer.networks.model_ids`);
* optional fields are their type, not ``anyOf [type, null]`` (no ``null`` in completion,
  no "Cache || Cache" in hover), and carry no pydantic titles;
* ``cache`` is checked to 0..1; the topology rules are ``if``/``then``: leaf-spine needs
  ``leaves`` and ``spines``, and the leaf-spine and dual-switch keys are refused on other
  topologies;
* every field has a description with its unit and an example.

What needs the whole design (GPUs per server, port budgets) is still ``sizer validate``'s.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel

from sizer import __version__

__all__ = ["SCHEMA_ID", "catalog_ids", "field_owner", "scenario_schema"]

SCHEMA_ID = f"urn:sizer:scenario:{__version__}"

#: examples shown by editors (and the scenario reference), per (definition, property)
EXAMPLES: dict[tuple[str, str], list[Any]] = {
    ("Scenario", "name"): ["9x DGX-1 + 3x ESS 3000 (DGX POD)"],
    ("ComputeGroup", "count"): [9],
    ("ComputeGroup", "name"): ["training"],
    ("StorageGroup", "count"): [3],
    ("StorageGroup", "ports"): [4],
    ("Network", "leaves"): [4],
    ("Network", "spines"): [2],
    ("Network", "storage_leaves"): [1],
    ("Network", "oversubscription"): [2],
    ("Network", "isl_links"): [4],
    ("Workload", "gpus_per_server"): [8],
    ("Workload", "groups"): [["training"]],
    ("Workload", "cache"): [0.5, "auto"],
    ("ServerOverrides", "gpu_count"): [8],
    ("ServerOverrides", "storage_ports"): [2],
    ("ServerOverrides", "ingest_limit"): ["20 GB/s", "200 Gb/s"],
    ("ServerOverrides", "preprocessing_rate"): [25000],
    ("Target", "images_per_sec"): [600000],
    ("Target", "gpu_data_utilization"): [0.9],
    ("MemoryCase", "batch"): [256],
    ("MemoryCase", "image"): ["224x224"],
    ("MemoryCase", "seq"): [2048],
}

#: unit words added to descriptions that do not say theirs
UNITS: dict[tuple[str, str], str] = {
    ("ComputeGroup", "count"): "servers",
    ("StorageGroup", "count"): "units",
    ("StorageGroup", "ports"): "ports per unit",
    ("Network", "leaves"): "switches",
    ("Network", "spines"): "switches",
    ("Network", "storage_leaves"): "switches",
    ("Network", "oversubscription"): "ratio, 1 = non-blocking",
    ("Network", "isl_links"): "cables",
    ("Workload", "gpus_per_server"): "GPUs",
    ("ServerOverrides", "ingest_limit"): "bytes/s as a number, or a string with a unit",
    ("Target", "images_per_sec"): "images/s",
    ("Target", "gpu_data_utilization"): "fraction 0..1",
    ("MemoryCase", "batch"): "samples",
    ("MemoryCase", "seq"): "tokens",
}

_LEAF_SPINE_ONLY = ("leaves", "spines", "storage_leaves")

#: the reference's type word for an id field, by the section its ids come from
_ID_WORDS = {"memory-models": "model id"}


def _id_sections() -> dict[tuple[str, str], str]:
    """(definition, property) -> the section whose ids it takes
    (:data:`sizer.checks.ID_FIELDS`, the one list of id fields)."""
    from sizer.checks import ID_FIELDS

    return {field_owner(path): section for path, section, _what in ID_FIELDS}


def field_owner(path: tuple[str, ...]) -> tuple[str, str]:
    """The model and field a scenario path names.

    >>> field_owner(("compute", "*", "overrides", "gpu"))
    ('ServerOverrides', 'gpu')
    """
    from sizer.schema import Scenario

    model: type[BaseModel] = Scenario
    for head in path[:-1]:
        if head != "*":
            model = _model_in(model.model_fields[head].annotation)
    if path[-1] not in model.model_fields:
        raise KeyError(f"{model.__name__} has no field {path[-1]!r}")
    return model.__name__, path[-1]


def _model_in(tp: Any) -> type[BaseModel]:
    """The model an annotation holds: ``list[ComputeGroup]``, ``ServerOverrides | None``."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in get_args(tp):
        if arg is not type(None):
            return _model_in(arg)
    raise TypeError(f"no model in {tp!r}")


def catalog_ids(catalog: Any = None) -> dict[str, list[str]]:
    """The ids the scenario's id fields take: each catalog section's, and the memory
    models' (``memory-models``).  ``catalog`` defaults to the built-in one."""
    if catalog is None:
        from sizer.catalog import load_catalog

        catalog = load_catalog()
    from sizer.networks import model_ids

    ids: dict[str, list[str]] = {}
    for kind, eid, _entry in catalog.entries():
        ids.setdefault(kind, []).append(eid)
    ids["memory-models"] = sorted(set(model_ids()))
    return {k: sorted(v) for k, v in ids.items()}


def scenario_schema(catalog: Any = None) -> dict[str, Any]:
    """The scenario JSON Schema with the ids of ``catalog`` (default: built-in) as enums."""
    from sizer.schema import json_schema

    return refine(json_schema(), catalog_ids(catalog))


def refine(base: Mapping[str, Any], ids: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """``base`` (pydantic's schema) made editor-friendly; ``ids`` per catalog section."""
    s = copy.deepcopy(dict(base))
    defs: dict[str, Any] = s.setdefault("$defs", {})
    out: dict[str, Any] = {
        "$schema": s.pop("$schema", "https://json-schema.org/draft/2020-12/schema"),
        "$id": SCHEMA_ID,
        "title": "sizer scenario",
    }
    s.pop("title", None)
    s["description"] = (
        "A sizer scenario: GPU servers, storage units, the fabric and the workloads; "
        "catalog ids are those of `sizer catalog`. " + str(s.get("description", ""))
    ).strip()
    sections = _id_sections()
    for name, d in [("Scenario", s), *defs.items()]:
        d.pop("title", None)
        for prop, p in d.get("properties", {}).items():
            d["properties"][prop] = _field(p, ids, sections.get((name, prop)), (name, prop))
    net = defs.get("Network")
    if net is not None:
        net["allOf"] = _topology_rules()
    out.update(s)
    return out


def _field(
    p: dict[str, Any],
    ids: Mapping[str, Sequence[str]],
    kind: str | None,
    key: tuple[str, str],
) -> Any:
    """One property made editor-friendly; ``key`` is (definition, property), ``kind`` the
    section whose ids it takes (None: not an id field)."""
    p = dict(p)
    p.pop("title", None)
    if p.get("default", 0) is None:
        del p["default"]
    branches = p.get("anyOf")
    if branches is not None:
        rest = [b for b in branches if b.get("type") != "null"]
        if len(rest) == 1:
            del p["anyOf"]
            p = {**rest[0], **p}
        else:
            p["anyOf"] = rest
    desc = str(p.get("description", ""))
    unit = UNITS.get(key)
    if unit and unit not in desc:
        desc = f"{desc} ({unit})" if desc else unit
    if kind is not None:
        known = list(ids.get(kind, ()))
        if known:
            p["enum"] = known
            p.setdefault("examples", known[:3])
        what = (
            "a model `sizer memory --model` takes"
            if kind == "memory-models"
            else "ids: `sizer catalog`"
        )
        desc = f"{desc} ({what})"
    if key == ("Workload", "cache"):
        p["anyOf"] = [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"const": "auto", "type": "string"},
        ]
    if key in EXAMPLES:
        p["examples"] = EXAMPLES[key]
    if desc:
        p["description"] = desc
    return p


def _topology_rules() -> list[dict[str, Any]]:
    """The fabric's ``if``/``then`` rules (what :mod:`sizer.schema` and
    :mod:`sizer.checks` enforce on ``network:``)."""
    leaf_spine = {"properties": {"topology": {"const": "leaf-spine"}}, "required": ["topology"]}
    dual = {"properties": {"topology": {"const": "dual-switch"}}, "required": ["topology"]}
    return [
        {"if": leaf_spine, "then": {"required": ["leaves", "spines"]}},
        {
            "if": {"not": leaf_spine},
            "then": {
                "properties": {
                    **{k: False for k in _LEAF_SPINE_ONLY},
                    "oversubscription": {"const": 1},
                }
            },
        },
        {"if": {"not": dual}, "then": {"properties": {"isl_links": {"const": 0}}}},
    ]


# ------------------------------------------------------------------ the reference


def reference_markdown(schema: Mapping[str, Any] | None = None) -> str:
    """docs/scenario-reference.md: every key of the scenario schema, by section, with its
    type, default, description and example (``sizer schema --markdown``).  Catalog ids
    are not listed (they depend on the catalog in force: ``sizer catalog``)."""
    s = schema if schema is not None else scenario_schema()
    defs = s.get("$defs", {})
    lines = [
        "# Scenario file reference",
        "",
        "<!-- generated by `sizer schema --markdown > docs/scenario-reference.md`; do not edit -->",
        "",
        "Every key of a scenario file (YAML), generated from the JSON Schema that "
        "`sizer schema` prints. Sizes and rates are decimal SI (`'40 GB/s'`, "
        "`'100 Gb/s'`, or a number in bytes or bytes/s); catalog ids are those "
        "`sizer catalog` lists. `sizer validate FILE` checks a file, including what "
        "needs the catalog (GPUs per server, switch ports).",
        "",
    ]
    seen: set[str] = set()
    id_sections = _id_sections()

    def section(title: str, defn: str, node: Mapping[str, Any], prefix: str) -> None:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        lines.extend([f"## `{title}`", ""])
        if node.get("description"):
            lines.extend([" ".join(str(node["description"]).split()), ""])
        lines.append("| key | type | required / default | description | example |")
        lines.append("|---|---|---|---|---|")
        nested: list[tuple[str, Mapping[str, Any], str]] = []
        for key, p in props.items():
            ref, many = _ref(p)
            ids = id_sections.get((defn, key))
            typ = _type(p, ref, many) if ids is None else _ID_WORDS.get(ids, "catalog id")
            if key in required:
                req = "required"
            elif "default" in p:
                req = f"default `{json.dumps(p['default'])}`"
            else:
                req = "optional"
            ex = p.get("examples")
            example = f"`{json.dumps(ex[0])}`" if ex and "enum" not in p else ""
            if "enum" in p and ids is None:
                example = " \\| ".join(f"`{v}`" for v in p["enum"])
            desc = str(p.get("description", "")).replace("|", "\\|")
            lines.append(f"| `{prefix}{key}` | {typ} | {req} | {desc} | {example} |")
            if ref is not None and ref not in seen:
                seen.add(ref)
                nested.append((ref, defs[ref], f"{prefix}{key}{'[]' if many else ''}."))
        lines.append("")
        for name, d, pre in nested:
            section(pre.rstrip("."), name, d, pre)

    section("scenario (top level)", "Scenario", s, "")
    lines.extend(
        [
            "## Rules across keys",
            "",
            "- `network.topology: leaf-spine` needs `leaves` and `spines`; `leaves`, "
            "`spines`, `storage_leaves` and an `oversubscription` other than 1 apply to "
            "leaf-spine only, `isl_links` other than 0 to dual-switch only.",
            "- `workloads[].cache` is a fraction 0..1 or `auto`.",
            "- `target` takes `images_per_sec` or `gpu_data_utilization`.",
            "- A workload's `gpus_per_server` is at most its servers' GPUs, and the "
            "cabling must fit the switches' ports (`sizer validate`).",
        ]
    )
    return "\n".join(lines).rstrip() + "\n"


def _ref(p: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The definition a property refers to (directly or as list items), and whether it
    is a list."""
    if "$ref" in p:
        return str(p["$ref"]).rsplit("/", 1)[-1], False
    items = p.get("items")
    if isinstance(items, dict) and "$ref" in items:
        return str(items["$ref"]).rsplit("/", 1)[-1], True
    return None, False


def _type(p: Mapping[str, Any], ref: str | None, many: bool) -> str:
    if ref is not None:
        return "list of mappings" if many else "mapping"
    if "anyOf" in p:
        return " or ".join(_type(b, None, False) for b in p["anyOf"])
    if "const" in p:
        return f"`{json.dumps(p['const'])}`"
    t = p.get("type", "")
    if t == "array":
        inner = p.get("items", {})
        return f"list of {_type(inner, None, False)}"
    bounds = []
    if "minimum" in p:
        bounds.append(f">= {p['minimum']}")
    if "exclusiveMinimum" in p:
        bounds.append(f"> {p['exclusiveMinimum']}")
    if "maximum" in p:
        bounds.append(f"<= {p['maximum']}")
    word = {"integer": "integer", "number": "number", "string": "string", "boolean": "bool"}
    base = word.get(str(t), str(t) or "any")
    if t == "string" and "pattern" in p:
        base = "string with unit"
    return base + (f" ({', '.join(bounds)})" if bounds else "")
