"""``sizer schema`` for editors (issue 16, finding 3), checked without a language server:
jsonschema reports what yaml-language-server would (typo'd catalog ids, ``cache``
outside 0..1, the leaf-spine and dual-switch rules), shipped scenarios are clean, and no
pydantic ``null`` or title noise reaches completion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from sizer.cli import cli
from sizer.schema_json import SCHEMA_ID, scenario_schema

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
BASE = REPO / "scenarios/ra-9x-dgx1-3x-ess3000.yaml"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    out = CliRunner().invoke(cli, ["schema"])
    assert out.exit_code == 0
    s: dict[str, Any] = json.loads(out.stdout)
    return s


def _errors(schema: dict[str, Any], doc: Any) -> list[tuple[str, str]]:
    v = jsonschema.Draft202012Validator(schema)
    return sorted(
        ("/".join(str(x) for x in e.absolute_path), e.message) for e in v.iter_errors(doc)
    )


def _base() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    return doc


def test_schema_is_valid_and_identified(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_have_no_diagnostics(schema: dict[str, Any], path: Path) -> None:
    assert _errors(schema, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_typoed_catalog_ids_are_reported(schema: dict[str, Any]) -> None:
    doc = _base()
    doc["compute"][0]["server"] = "dgx-h10"
    doc["workloads"][0]["model"] = "resnet50"
    errs = _errors(schema, doc)
    assert [p for p, _m in errs] == ["compute/0/server", "workloads/0/model"]
    assert all("is not one of" in m for _p, m in errs)


def test_every_id_field_is_an_enum_of_the_catalog(schema: dict[str, Any]) -> None:
    from sizer.catalog import load_catalog

    cat = load_catalog()
    d = schema["$defs"]
    assert d["ComputeGroup"]["properties"]["server"]["enum"] == sorted(cat.servers)
    assert d["StorageGroup"]["properties"]["unit"]["enum"] == sorted(cat.storage)
    assert d["Network"]["properties"]["switch"]["enum"] == sorted(cat.switches)
    assert d["Workload"]["properties"]["model"]["enum"] == sorted(cat.models)
    assert d["Workload"]["properties"]["dataset"]["enum"] == sorted(cat.datasets)
    assert d["ServerOverrides"]["properties"]["gpu"]["enum"] == sorted(cat.gpus)
    assert d["ServerOverrides"]["properties"]["storage_link"]["enum"] == sorted(cat.links)
    assert "llama-2-7b" in d["MemoryCase"]["properties"]["model"]["enum"]
    assert d["MemoryCase"]["properties"]["gpu"]["enum"] == sorted(cat.gpus)


def test_the_one_list_of_id_fields_gives_the_enums(schema: dict[str, Any]) -> None:
    """sizer.checks.ID_FIELDS is the only list of id fields: each path names a field of
    the models, and exactly those fields carry an id enum in the editor schema."""
    from sizer.checks import ID_FIELDS
    from sizer.schema_json import catalog_ids, field_owner

    ids = catalog_ids()
    want = {field_owner(path): section for path, section, _what in ID_FIELDS}
    d = {"Scenario": schema, **schema["$defs"]}
    got = {
        (defn, prop): p["enum"]
        for defn, node in d.items()
        for prop, p in node.get("properties", {}).items()
        if "enum" in p and p["enum"] in ids.values()
    }
    assert set(got) == set(want)
    for key, section in want.items():
        assert got[key] == ids[section], key
    assert field_owner(("checkpoint", "model")) == ("CheckpointPolicy", "model")
    with pytest.raises(KeyError, match="no field 'servr'"):
        field_owner(("compute", "*", "servr"))


def test_catalog_option_adds_its_ids() -> None:
    extra = REPO / "tests/fixtures/catalog_extra"
    r = CliRunner().invoke(cli, ["schema", "--catalog", str(extra)])
    assert r.exit_code == 0
    gpus = json.loads(r.stdout)["$defs"]["ServerOverrides"]["properties"]["gpu"]["enum"]
    assert "l40s-48gb" in gpus
    assert "l40s-48gb" not in scenario_schema()["$defs"]["ServerOverrides"]["properties"][
        "gpu"
    ].get("enum", [])


@pytest.mark.parametrize(("cache", "ok"), [(0.0, True), (1, True), ("auto", True), (1.5, False)])
def test_cache_is_a_fraction_or_auto(schema: dict[str, Any], cache: Any, ok: bool) -> None:
    doc = _base()
    doc["workloads"][0]["cache"] = cache
    errs = _errors(schema, doc)
    assert (errs == []) is ok, errs
    if not ok:
        assert [p for p, _m in errs] == ["workloads/0/cache"]


def test_leaf_spine_needs_leaves_and_spines(schema: dict[str, Any]) -> None:
    doc = _base()
    doc["network"] = {"topology": "leaf-spine", "switch": "sb7800"}
    errs = _errors(schema, doc)
    assert errs == [("network", "'leaves' is a required property")] or errs == [
        ("network", "'leaves' is a required property"),
        ("network", "'spines' is a required property"),
    ]
    doc["network"].update(leaves=2, spines=1)
    assert _errors(schema, doc) == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"leaves": 2}, "leaves"), ({"spines": 1}, "spines"), ({"oversubscription": 2}, "")],
)
def test_leaf_spine_keys_are_refused_elsewhere(
    schema: dict[str, Any], extra: dict[str, Any], field: str
) -> None:
    doc = _base()
    doc["network"].update(extra)
    errs = _errors(schema, doc)
    assert errs, extra
    assert all(p.startswith("network") for p, _m in errs)


def test_isl_links_only_on_dual_switch(schema: dict[str, Any]) -> None:
    doc = _base()
    assert doc["network"]["topology"] == "dual-switch"
    doc["network"]["isl_links"] = 2
    assert _errors(schema, doc) == []
    doc["network"]["topology"] = "single-switch"
    assert [p for p, _m in _errors(schema, doc)] == ["network/isl_links"]


def _walk(node: Any, path: str = "") -> Any:
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}/{i}")


def test_no_null_or_title_noise(schema: dict[str, Any]) -> None:
    for path, k, v in _walk(schema):
        assert not (k == "type" and v == "null"), path
        assert not (k == "default" and v is None), path
        if "/properties/" in path:
            assert k != "title" or path.endswith("/properties"), path


def test_every_field_has_a_description(schema: dict[str, Any]) -> None:
    for name, d in [("Scenario", schema), *schema["$defs"].items()]:
        for prop, p in d.get("properties", {}).items():
            assert p.get("description"), f"{name}.{prop}"
