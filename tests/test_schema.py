"""Tests for sizer.schema: field rules, cross-field checks word for word, the JSON Schema.

Cross-field checks return ``(loc, message, hint)`` data; the tests compare whole lists so
that every message is pinned.  The built-in catalog supplies the ids (dgx-1: 8 V100 GPUs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sizer.checks import check_scenario, suggest_ids
from sizer.schema import Scenario, json_schema
from sizer.yamlfile import read_yaml

REPO = Path(__file__).resolve().parent.parent

BASE: dict[str, Any] = {
    "name": "x",
    "compute": [{"server": "dgx-1", "count": 2}],
    "storage": [{"unit": "ess-3000", "count": 1}],
    "network": {"topology": "single-switch", "switch": "sb7800"},
    "workloads": [{"model": "resnet-50"}],
}


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate({**BASE, **changes})


def errors(**changes: Any) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(loc, type, message) of every pydantic error, in pydantic's order."""
    with pytest.raises(ValidationError) as info:
        scenario(**changes)
    return [(e["loc"], e["type"], e["msg"]) for e in info.value.errors(include_url=False)]


# --------------------------------------------------------------------------- field rules


def test_base_scenario_is_valid(catalog: Any) -> None:
    sc = scenario()
    assert sc.total_servers == 2
    assert sc.workloads[0].phase == "training"
    assert sc.workloads[0].precision == "fp16"
    assert sc.network.oversubscription == 1.0
    assert check_scenario(sc, catalog) == []


def test_extra_keys_are_forbidden_at_every_level() -> None:
    bad = {
        **BASE,
        "extra": 1,
        "compute": [{"server": "dgx-1", "count": 2, "x": 1, "overrides": {"y": 1}}],
        "storage": [{"unit": "ess-3000", "count": 1, "z": 1}],
        "network": {"topology": "single-switch", "switch": "sb7800", "w": 1},
        "workloads": [{"model": "resnet-50", "v": 1}],
        "target": {"u": 1},
        "memory": [{"model": "resnet-50", "batch": 1, "t": 1}],
    }
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(bad)
    assert sorted(
        e["loc"] for e in info.value.errors() if e["type"] == "extra_forbidden"
    ) == sorted(
        [
            ("extra",),
            ("compute", 0, "x"),
            ("compute", 0, "overrides", "y"),
            ("storage", 0, "z"),
            ("network", "w"),
            ("workloads", 0, "v"),
            ("target", "u"),
            ("memory", 0, "t"),
        ]
    )


def test_scenarios_are_frozen() -> None:
    sc = scenario()
    with pytest.raises(ValidationError):
        sc.name = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"compute": [{"server": "dgx-1", "count": True}]},
            [(("compute", 0, "count"), "int_type", "Input should be a valid integer")],
        ),
        (
            {"compute": [{"server": "dgx-1", "count": "2"}]},
            [(("compute", 0, "count"), "int_type", "Input should be a valid integer")],
        ),
        (
            {"compute": [{"server": "dgx-1", "count": 0}]},
            [
                (
                    ("compute", 0, "count"),
                    "greater_than_equal",
                    "Input should be greater than or equal to 1",
                )
            ],
        ),
        (
            {"compute": [{"server": "dgx-1", "count": 100_001}]},
            [
                (
                    ("compute", 0, "count"),
                    "less_than_equal",
                    "Input should be less than or equal to 100000",
                )
            ],
        ),
        (
            {"target": {"images_per_sec": float("inf")}},
            [(("target", "images_per_sec"), "finite_number", "Input should be a finite number")],
        ),
        (
            {
                "compute": [
                    {
                        "server": "dgx-1",
                        "count": 1,
                        "overrides": {"preprocessing_rate": float("nan")},
                    }
                ]
            },
            [
                (
                    ("compute", 0, "overrides", "preprocessing_rate"),
                    "finite_number",
                    "Input should be a finite number",
                )
            ],
        ),
        (
            {"target": {"gpu_data_utilization": 90}},
            [
                (
                    ("target", "gpu_data_utilization"),
                    "value_error",
                    "Value error, 90 is above 1; write the utilization as a fraction; for 90% "
                    "write 0.9",
                )
            ],
        ),
        (
            {"target": {"gpu_data_utilization": 150}},
            [
                (
                    ("target", "gpu_data_utilization"),
                    "value_error",
                    "Value error, 150 is above 1; write the utilization as a fraction",
                )
            ],
        ),
        (
            {"workloads": [{"model": "resnet-50", "cache": 1.5}]},
            [
                (
                    ("workloads", 0, "cache"),
                    "value_error",
                    "Value error, cache hit ratio 1.5 is outside 0..1; write a fraction, e.g. 0.5",
                )
            ],
        ),
        (
            {"name": ""},
            [(("name",), "string_too_short", "String should have at least 1 character")],
        ),
        (
            {"workloads": []},
            [
                (
                    ("workloads",),
                    "too_short",
                    "List should have at least 1 item after validation, not 0",
                )
            ],
        ),
    ],
)
def test_field_rules(changes: dict[str, Any], expected: list[tuple[Any, str, str]]) -> None:
    assert errors(**changes) == expected


def test_cache_accepts_a_fraction_or_auto() -> None:
    assert scenario(workloads=[{"model": "resnet-50", "cache": 0.25}]).workloads[0].cache == 0.25
    assert (
        scenario(workloads=[{"model": "resnet-50", "cache": "auto"}]).workloads[0].cache == "auto"
    )


def test_ingest_limit_goes_through_units() -> None:
    sc = scenario(
        compute=[{"server": "dgx-1", "count": 1, "overrides": {"ingest_limit": "100 Gb/s"}}]
    )
    assert sc.compute[0].overrides is not None
    assert sc.compute[0].overrides.ingest_limit == 12.5e9
    assert errors(
        compute=[{"server": "dgx-1", "count": 1, "overrides": {"ingest_limit": "40 GB"}}]
    ) == [
        (
            ("compute", 0, "overrides", "ingest_limit"),
            "value_error",
            "Value error, '40 GB' is a size, but a rate is needed here; write '40 GB/s'",
        )
    ]


@pytest.mark.parametrize(
    ("network", "field", "message"),
    [
        (
            {"topology": "dual-switch", "leaves": 2},
            "leaves",
            "'leaves' applies to topology leaf-spine only, not dual-switch; remove it or set "
            "topology: leaf-spine",
        ),
        (
            {"topology": "single-switch", "spines": 2},
            "spines",
            "'spines' applies to topology leaf-spine only, not single-switch; remove it or set "
            "topology: leaf-spine",
        ),
        (
            {"topology": "single-switch", "storage_leaves": 0},
            "storage_leaves",
            "'storage_leaves' applies to topology leaf-spine only, not single-switch; remove it "
            "or set topology: leaf-spine",
        ),
        (
            {"topology": "dual-switch", "oversubscription": 2},
            "oversubscription",
            "'oversubscription' applies to topology leaf-spine only, not dual-switch; remove it "
            "or set topology: leaf-spine",
        ),
        (
            {"topology": "leaf-spine", "leaves": 2, "spines": 1, "isl_links": 2},
            "isl_links",
            "'isl_links' applies to topology dual-switch only, not leaf-spine; remove it or set "
            "topology: dual-switch",
        ),
    ],
)
def test_topology_specific_fields_point_at_the_field(
    network: dict[str, Any], field: str, message: str
) -> None:
    assert errors(network={"switch": "sb7800", **network}) == [
        (("network", field), "value_error", f"Value error, {message}")
    ]


def test_topology_fields_at_their_neutral_values_are_fine() -> None:
    net = {"topology": "single-switch", "switch": "sb7800", "oversubscription": 1, "isl_links": 0}
    assert scenario(network=net).network.isl_links == 0


def test_bad_topology_does_not_also_complain_about_its_fields() -> None:
    assert errors(network={"topology": "mesh", "switch": "sb7800", "leaves": 2}) == [
        (
            ("network", "topology"),
            "literal_error",
            "Input should be 'single-switch', 'dual-switch', 'leaf-spine' or 'direct-attached'",
        )
    ]


# --------------------------------------------------------------------------- cross-field checks


def test_unknown_ids_everywhere(catalog: Any) -> None:
    sc = scenario(
        compute=[
            {"server": "dgx1", "count": 1},
            {"server": "dgx-1", "count": 1, "overrides": {"gpu": "h100", "storage_link": "edr"}},
        ],
        storage=[{"unit": "ess3000", "count": 1}],
        network={"topology": "single-switch", "switch": "SB7800"},
        workloads=[
            {"model": "resnet", "dataset": "cifar10"},
            {"model": "alexnet", "dataset": "imagenet-1k"},
        ],
    )
    assert check_scenario(sc, catalog) == [
        (("compute", 0, "server"), "unknown server 'dgx1'", "did you mean 'dgx-1'?"),
        (
            ("compute", 1, "overrides", "gpu"),
            "unknown GPU 'h100'",
            "did you mean 'h100-sxm5-80gb'?",
        ),
        (
            ("compute", 1, "overrides", "storage_link"),
            "unknown link 'edr'",
            "did you mean 'edr-ib'?",
        ),
        (("storage", 0, "unit"), "unknown storage unit 'ess3000'", "did you mean 'ess-3000'?"),
        (("network", "switch"), "unknown switch 'SB7800'", "did you mean 'sb7800'?"),
        (
            ("workloads", 0, "model"),
            "unknown model 'resnet'",
            "did you mean 'resnet-50', 'resnet-152' or 'resnet-50-mlperf'?",
        ),
        (
            ("workloads", 0, "dataset"),
            "unknown dataset 'cifar10'",
            "`sizer catalog` lists the dataset ids",
        ),
        (("workloads", 1, "dataset"), "unknown dataset 'imagenet-1k'", "did you mean 'imagenet'?"),
    ]


def test_a_file_that_fails_the_schema_still_gets_every_unknown_id(catalog: Any) -> None:
    """Every path of ID_FIELDS is checked on the raw data, memory and checkpoint models
    included (they used to wait until the schema errors were fixed)."""
    from sizer.checks import unknown_id_issues

    data = json.loads(json.dumps(BASE))
    data["compute"][0].update(server="dgx1", count="two")  # the schema fails on count
    data["memory"] = [{"model": "resnat-50", "batch": 8, "gpu": "h100"}]
    data["checkpoint"] = {"model": "llama-3-7b"}
    got = unknown_id_issues(data, catalog)
    assert [(loc, msg) for loc, msg, _hint in got] == [
        (("compute", 0, "server"), "unknown server 'dgx1'"),
        (("memory", 0, "gpu"), "unknown GPU 'h100'"),
        (("memory", 0, "model"), "unknown model 'resnat-50'"),
        (("checkpoint", "model"), "unknown model 'llama-3-7b'"),
    ]
    assert got[2][2] is not None and "'resnet-50'" in got[2][2]
    assert got[3][2] is not None and "'llama-3-70b'" in got[3][2]


def test_an_unknown_memory_model_with_no_near_id_lists_some(catalog: Any) -> None:
    from sizer.checks import unknown_id_issues

    data = json.loads(json.dumps(BASE))
    data["memory"] = [{"model": "zzzz", "batch": 8}]
    [(loc, msg, hint)] = unknown_id_issues(data, catalog)
    assert (loc, msg) == (("memory", 0, "model"), "unknown model 'zzzz'")
    assert hint is not None and hint.startswith("known models: 'alexnet'")


@pytest.mark.parametrize(
    ("ident", "known", "expected"),
    [
        ("dgx1", ["dgx-1", "dgx-2", "dgx-h100"], ["dgx-1"]),
        ("DGX_A100", ["dgx-a100", "dgx-a100-40gb"], ["dgx-a100"]),
        (
            "v100",
            ["b200", "v100-sxm2-16gb", "v100-sxm2-32gb"],
            ["v100-sxm2-16gb", "v100-sxm2-32gb"],
        ),
        ("imagenet-1k", ["imagenet", "kits19"], ["imagenet"]),
        ("qm9800", ["qm8700", "qm9700", "sb7800"], ["qm9700", "qm8700"]),
        ("zzz", ["dgx-1"], []),
        ("", ["dgx-1"], []),
    ],
)
def test_suggest_ids(ident: str, known: list[str], expected: list[str]) -> None:
    assert suggest_ids(ident, known) == expected


def test_gpus_per_server_above_the_server(catalog: Any) -> None:
    sc = scenario(workloads=[{"model": "resnet-50", "gpus_per_server": 12}])
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 0, "gpus_per_server"),
            "12 is more than the 8 GPUs of dgx-1",
            "use at most 8, or leave gpus_per_server out to use all GPUs",
        )
    ]


def test_gpu_count_override_sets_the_limit(catalog: Any) -> None:
    sc = scenario(
        compute=[{"server": "dgx-1", "count": 1, "overrides": {"gpu_count": 4}}],
        workloads=[{"model": "resnet-50", "gpus_per_server": 6}],
    )
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 0, "gpus_per_server"),
            "6 is more than the 4 GPUs of dgx-1",
            "use at most 4, or leave gpus_per_server out to use all GPUs",
        )
    ]


OVERCOMMIT_HINT = (
    "lower gpus_per_server, or put the workloads on different compute groups with "
    "compute[].name and workloads[].groups"
)


def test_overcommitted_gpus_point_at_the_workload_that_overflows(catalog: Any) -> None:
    """6 + 4 = 10 > 8: the second workload's gpus_per_server is where the 8 run out."""
    sc = scenario(
        workloads=[
            {"model": "resnet-50", "gpus_per_server": 6},
            {"model": "resnet-50", "phase": "inference", "gpus_per_server": 4},
        ]
    )
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 1, "gpus_per_server"),
            "workloads[0] + workloads[1] use 6 + 4 = 10 GPUs per server of compute[0] (dgx-1), "
            "which has 8",
            OVERCOMMIT_HINT,
        )
    ]


def test_overcommit_by_a_workload_that_takes_all_gpus(catalog: Any) -> None:
    """2 + all 8 = 10: the second workload has no gpus_per_server, so point at the workload."""
    sc = scenario(workloads=[{"model": "resnet-50", "gpus_per_server": 2}, {"model": "alexnet"}])
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 1),
            "workloads[0] + workloads[1] use 2 + 8 = 10 GPUs per server of compute[0] (dgx-1), "
            "which has 8",
            OVERCOMMIT_HINT,
        )
    ]


def test_groups_split_the_gpus(catalog: Any) -> None:
    """Two groups of the same server, one workload each at all 8 GPUs: no overcommit."""
    sc = scenario(
        compute=[
            {"server": "dgx-1", "count": 1, "name": "train"},
            {"server": "dgx-1", "count": 1, "name": "infer"},
        ],
        workloads=[
            {"model": "resnet-50", "groups": ["train"]},
            {"model": "resnet-50", "phase": "inference", "groups": ["infer"]},
        ],
    )
    assert check_scenario(sc, catalog) == []


def test_group_names(catalog: Any) -> None:
    sc = scenario(
        compute=[
            {"server": "dgx-1", "count": 1, "name": "pod"},
            {"server": "dgx-1", "count": 1, "name": "pod"},
            {"server": "dgx-2", "count": 1, "name": "big"},
        ],
        workloads=[
            {"model": "resnet-50", "groups": ["pods", "zzz"], "gpus_per_server": 1},
        ],
    )
    assert check_scenario(sc, catalog) == [
        (
            ("compute", 1, "name"),
            "compute group name 'pod' is already used by compute[0]",
            "give each group its own name",
        ),
        (("workloads", 0, "groups", 0), "no compute group named 'pods'", "did you mean 'pod'?"),
        (
            ("workloads", 0, "groups", 1),
            "no compute group named 'zzz'",
            "the compute groups are named 'pod', 'big'",
        ),
    ]


def test_groups_without_names(catalog: Any) -> None:
    sc = scenario(workloads=[{"model": "resnet-50", "groups": ["a"]}])
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 0, "groups", 0),
            "no compute group named 'a'",
            "name groups with compute[].name",
        )
    ]


def test_a_problem_on_several_groups_is_reported_once(catalog: Any) -> None:
    sc = scenario(
        compute=[{"server": "dgx-1", "count": 1}, {"server": "dgx-1", "count": 3}],
        workloads=[{"model": "resnet-50", "gpus_per_server": 9}],
    )
    assert check_scenario(sc, catalog) == [
        (
            ("workloads", 0, "gpus_per_server"),
            "9 is more than the 8 GPUs of dgx-1",
            "use at most 8, or leave gpus_per_server out to use all GPUs",
        )
    ]


def test_read_benchmark_uses_no_gpus(catalog: Any) -> None:
    """fio-read reads storage flat out; it occupies no GPUs and has no dataset."""
    sc = scenario(workloads=[{"model": "resnet-50"}, {"model": "fio-read"}])
    assert check_scenario(sc, catalog) == []


def test_missing_throughput_is_reported(catalog: Any) -> None:
    """V100 has no FP8: there is no figure to size AlexNet training at fp8 on a DGX-1."""
    sc = scenario(workloads=[{"model": "alexnet", "precision": "fp8"}])
    ((loc, msg, hint),) = check_scenario(sc, catalog)
    assert loc == ("workloads", 0, "model")
    assert msg.startswith(
        "no throughput for model 'alexnet' on gpu 'v100-sxm2-16gb' at fp8 training; available: "
    )
    assert hint is None


@pytest.mark.parametrize(
    ("network", "missing"),
    [({"leaves": 2}, ["spines"]), ({"spines": 2}, ["leaves"]), ({}, ["leaves", "spines"])],
)
def test_leaf_spine_needs_leaves_and_spines(network: dict[str, Any], missing: list[str]) -> None:
    """The schema asks for every missing count at once (issue 16, item 4), with a hint."""
    with pytest.raises(ValidationError) as e:
        scenario(network={"topology": "leaf-spine", "switch": "sb7800", **network})
    what = {"leaves": "leaf", "spines": "spine"}
    assert [(err["loc"], err["msg"]) for err in e.value.errors()] == [
        (
            ("network", m),
            f"Value error, topology leaf-spine needs '{m}', the number of {what[m]} switches",
        )
        for m in missing
    ]
    assert [err["ctx"]["error"].hint for err in e.value.errors()] == [
        f"add e.g. '{m}: 2' under network" for m in missing
    ]


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        (
            {"leaves": 2, "spines": 1, "storage_leaves": 2},
            (
                ("network", "storage_leaves"),
                "2 storage leaves leave none of the 2 leaves for servers",
                "lower storage_leaves or add leaves",
            ),
        ),
    ],
)
def test_leaf_spine_checks(catalog: Any, network: dict[str, Any], expected: Any) -> None:
    sc = scenario(network={"topology": "leaf-spine", "switch": "sb7800", **network})
    assert check_scenario(sc, catalog) == [expected]


# --------------------------------------------------------------------------- JSON Schema


def _walk(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(model, property schema) for the root and every $defs model."""
    out = [("Scenario", p) for p in schema["properties"].values()]
    for name, model in schema["$defs"].items():
        out += [(name, p) for p in model["properties"].values()]
    return out


def test_json_schema_shape() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "sizer scenario"
    assert schema["additionalProperties"] is False
    assert set(schema["$defs"]) == {
        "Capacity",
        "CheckpointPolicy",
        "ComputeGroup",
        "Fabrics",
        "MemoryCase",
        "Network",
        "Racks",
        "ServerOverrides",
        "StorageGroup",
        "Target",
        "Workload",
    }
    for model in schema["$defs"].values():
        assert model["additionalProperties"] is False
        assert model.get("description")
    json.dumps(schema, allow_nan=False)  # plain JSON, no NaN/inf


def test_every_field_is_documented() -> None:
    undocumented = [
        (model, prop.get("title"))
        for model, prop in _walk(json_schema())
        if not prop.get("description")
    ]
    assert undocumented == []


def test_rate_fields_document_their_unit_strings() -> None:
    prop = json_schema()["$defs"]["ServerOverrides"]["properties"]["ingest_limit"]
    texts = json.dumps(prop)
    assert "40 GB/s" in texts and "100 Gb/s" in texts


def test_json_schema_is_valid_and_accepts_the_shipped_scenarios() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    paths = sorted((REPO / "scenarios").glob("*.yaml"))
    assert paths
    for path in paths:
        errors = [e.message for e in validator.iter_errors(read_yaml(path).data)]
        assert errors == [], path.name


def test_json_schema_rejects_a_typo_and_an_ambiguous_rate() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    typo = {**BASE, "workload": []}
    assert not validator.is_valid(typo)
    rate = {
        **BASE,
        "compute": [{"server": "dgx-1", "count": 1, "overrides": {"ingest_limit": "100 gbps"}}],
    }
    assert not validator.is_valid(rate)
    assert validator.is_valid(BASE)
