"""Tests for sizer.loader: safe YAML with positions, every limit, every refusal word for word.

Whole-file cases (a scenario on disk, through the CLI) live in test_bad_inputs.py; here the
loader is called directly on small texts so that each rule is seen on its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sizer.errors import Problem, SizerInputError
from sizer.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from sizer.loader import load_scenario
from sizer.schema import Scenario
from sizer.yamlfile import fmt_loc, locate, parse_yaml_text, read_yaml

SCENARIO_HINT = "a scenario needs name:, compute:, storage:, network: and workloads:"


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIZER_MAX_FILE_BYTES", raising=False)
    monkeypatch.delenv("SIZER_MAX_NODES", raising=False)


def problems(text: str | bytes, **kw: Any) -> list[str]:
    """The formatted problem lines of parsing ``text`` as file ``f.yaml`` (must fail)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(SizerInputError) as info:
        parse_yaml_text(raw, "f.yaml", **kw)
    return [p.format() for p in info.value.problems]


def data(text: str) -> Any:
    return parse_yaml_text(text.encode("utf-8"), "f.yaml").data


# --------------------------------------------------------------------------- positions


def test_positions_of_values_and_keys() -> None:
    """1-based line and column of each value, and of the key that introduced it."""
    doc = parse_yaml_text(b"a: 1\nb:\n  - x: 2\n    y: [3, 4]\n", "f.yaml")
    assert doc.data == {"a": 1, "b": [{"x": 2, "y": [3, 4]}]}
    assert doc.value_pos == {
        (): (1, 1),
        ("a",): (1, 4),
        ("b",): (3, 3),
        ("b", 0): (3, 5),
        ("b", 0, "x"): (3, 8),
        ("b", 0, "y"): (4, 8),
        ("b", 0, "y", 0): (4, 9),
        ("b", 0, "y", 1): (4, 12),
    }
    assert doc.key_pos == {
        ("a",): (1, 1),
        ("b",): (2, 1),
        ("b", 0, "x"): (3, 5),
        ("b", 0, "y"): (4, 5),
    }


def test_locate_falls_back_to_the_nearest_enclosing_value() -> None:
    doc = parse_yaml_text(b"a: 1\nb:\n  - x: 2\n", "f.yaml")
    assert locate(doc, ("b", 0, "x")) == (3, 8)
    assert locate(doc, ("b", 0, "x"), prefer_key=True) == (3, 5)
    assert locate(doc, ("b", 0, "missing")) == (3, 5)  # the mapping that lacks it
    assert locate(doc, ("b", 7)) == (3, 3)
    assert locate(doc, ("nowhere",)) == (1, 1)


def test_positions_after_a_byte_order_mark_and_comments() -> None:
    doc = parse_yaml_text("\ufeff# c\n\n# c\nname: x\n".encode(), "f.yaml")
    assert doc.data == {"name": "x"}
    assert doc.value_pos[("name",)] == (4, 7)


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        ((), ""),
        (("workloads", 1, "gpus_per_server"), "workloads[1].gpus_per_server"),
        (("compute", 0, "overrides", "ingest_limit"), "compute[0].overrides.ingest_limit"),
        (("workloads", 0, "groups", 2), "workloads[0].groups[2]"),
    ],
)
def test_fmt_loc(loc: tuple[str | int, ...], text: str) -> None:
    assert fmt_loc(loc) == text


def test_scenario_errors_point_at_the_value(
    write_yaml: Callable[..., Path], valid_scenario: str
) -> None:
    path = write_yaml(valid_scenario.replace("    count: 1\n", "    count: -1\n"))
    with pytest.raises(SizerInputError) as info:
        load_scenario(path)
    assert info.value.problems == [
        Problem(
            str(path),
            7,
            12,
            "storage[0].count",
            "-1 is below the minimum 1",
            None,
            "greater_than_equal",
        )
    ]


# --------------------------------------------------------------------------- plain YAML values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 1_000", 1000),
        ("a: 0x1F", 31),
        ("a: 1e3", "1e3"),  # YAML 1.1: no dot, no float; units.py reads it
        ("a: 1.0e+3", 1000.0),
        ("a: !!str 1", "1"),
        ("a: !!int '3'", 3),
        ("a: yes", True),
        ("a: =", "="),  # PyYAML's !!value tag cannot be constructed; it is text
        ("a: <<", "<<"),
        ("a: &anchor 1", 1),  # an anchor alone is harmless
        ("a: 'x: y'", "x: y"),
    ],
)
def test_plain_values(text: str, value: object) -> None:
    assert data(text) == {"a": value}


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1: a", "f.yaml:1:1: key '1' is a number, not a name (keys are names such as 'count')"),
        (
            "1.5: a",
            "f.yaml:1:1: key '1.5' is a number, not a name (keys are names such as 'count')",
        ),
        (
            "true: a",
            "f.yaml:1:1: key 'true' is a true/false value, not a name (keys are names such as 'count')",
        ),
        (
            "~: a",
            "f.yaml:1:1: key '~' is a null value, not a name (keys are names such as 'count')",
        ),
        (
            "2020-01-01: a",
            "f.yaml:1:1: key '2020-01-01' is a date, not a name (keys are names such as 'count')",
        ),
        ("? [a]\n: b", "f.yaml:1:3: a list cannot be a key; keys are plain names"),
        ("n:\n  ? {a: 1}\n  : b", "f.yaml:2:5: n: a mapping cannot be a key; keys are plain names"),
    ],
)
def test_non_string_keys(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_quoted_number_key_is_a_name() -> None:
    assert data("'1': a\n!!str 2: b") == {"1": "a", "2": "b"}


TAG_HINT = "(remove the tag; write plain values)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !foo b", f"f.yaml:1:4: a: YAML tag '!foo' is not allowed in sizer files {TAG_HINT}"),
        ("a: !foo [b]", f"f.yaml:1:4: a: YAML tag '!foo' is not allowed in sizer files {TAG_HINT}"),
        (
            "a: !foo {b: 1}",
            f"f.yaml:1:4: a: YAML tag '!foo' is not allowed in sizer files {TAG_HINT}",
        ),
        ("!foo a: b", f"f.yaml:1:1: YAML tag '!foo' is not allowed in sizer files {TAG_HINT}"),
        (
            "a: !!binary aGVsbG8=",
            f"f.yaml:1:4: a: YAML tag '!!binary' is not allowed in sizer files {TAG_HINT}",
        ),
        (
            "a: !!set {x}",
            f"f.yaml:1:4: a: YAML tag '!!set' is not allowed in sizer files {TAG_HINT}",
        ),
        (
            "a: !!omap [x: 1]",
            f"f.yaml:1:4: a: YAML tag '!!omap' is not allowed in sizer files {TAG_HINT}",
        ),
        (
            "a: !!python/name:os.system",
            "f.yaml:1:4: a: YAML tag '!!python/name:os.system' is not allowed in sizer files "
            f"{TAG_HINT}",
        ),
        (
            "a:\n  - !!python/object/apply:os.system ['true']",
            "f.yaml:2:5: a[0]: YAML tag '!!python/object/apply:os.system' is not allowed in "
            f"sizer files {TAG_HINT}",
        ),
    ],
)
def test_custom_tags(text: str, expected: str) -> None:
    assert problems(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: {<<: {b: 1}}",
            "f.yaml:1:5: a: YAML merge keys (<<) are not allowed in sizer files (write the keys out)",
        ),
        (
            "x: &x {b: 1}\na:\n  <<: *x",
            "f.yaml:3:7: YAML aliases (*name) are not allowed in sizer files; write the values out",
        ),
        (
            "a: &x 1\nb: *x",
            "f.yaml:2:4: YAML aliases (*name) are not allowed in sizer files; write the values out",
        ),
    ],
)
def test_merge_keys_and_aliases(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_alias_bomb_is_refused_before_any_expansion() -> None:
    """Billion laughs: 9 levels of 9 aliases; refused at the first alias, in microseconds."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    assert problems("\n".join(lines)) == [
        "f.yaml:2:10: YAML aliases (*name) are not allowed in sizer files; write the values out"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2", "f.yaml:2:1: a: duplicate key 'a' (first at line 1) (give each key once)"),
        (
            "a:\n  - b: 1\n    b: 2",
            "f.yaml:3:5: a[0].b: duplicate key 'b' (first at line 2) (give each key once)",
        ),
    ],
)
def test_duplicate_keys(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_every_recoverable_problem_of_a_parse_at_once() -> None:
    """Two duplicates, a tag, a merge key and a bad scalar: all five in one run (issue 16)."""
    text = "a: 1\na: 2\nb: !x 3\nc:\n  <<: {d: 1}\n  d: 2\n  d: 3\ne: " + "9" * 5000
    assert problems(text) == [
        "f.yaml:2:1: a: duplicate key 'a' (first at line 1) (give each key once)",
        "f.yaml:3:4: b: YAML tag '!x' is not allowed in sizer files (remove the tag; write "
        "plain values)",
        "f.yaml:5:3: c: YAML merge keys (<<) are not allowed in sizer files (write the keys out)",
        "f.yaml:7:3: c.d: duplicate key 'd' (first at line 6) (give each key once)",
        "f.yaml:8:4: e: bad value: a number of 5000 digits is too long",
    ]


def test_keep_going_returns_the_rest_of_the_document() -> None:
    """With ``keep_going`` the first of two duplicates stays and the refused values are left
    out, so later stages validate what parsed; what was left out is listed."""
    doc = parse_yaml_text(b"a: 1\na: 2\nb: !x 3\nc:\n  <<: {d: 1}\n", "f.yaml", keep_going=True)
    assert doc.data == {"a": 1, "c": {}}
    assert [p.loc for p in doc.problems] == ["a", "b", "c"]
    assert doc.dropped == [("b",), ("c",)]


def test_a_duplicate_key_does_not_hide_the_schema_or_the_catalog(
    write_yaml: Callable[..., Path], valid_scenario: str, catalog: Any
) -> None:
    """The stages run on: the YAML problem, then the schema's and the catalog's."""
    text = valid_scenario.replace("name: fixture POD\n", "name: fixture POD\nname: again\n")
    text = text.replace("count: 2", "count: 0", 1).replace("resnet-50", "resnet50")
    with pytest.raises(SizerInputError) as info:
        load_scenario(write_yaml(text), catalog)
    assert [(p.type, p.loc) for p in info.value.problems] == [
        ("yaml", "name"),
        ("greater_than_equal", "compute[0].count"),
        ("cross", "workloads[0].model"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", f"f.yaml: is empty: only blank lines and comments ({SCENARIO_HINT})"),
        ("\n\n   \n", f"f.yaml: is empty: only blank lines and comments ({SCENARIO_HINT})"),
        ("# a\n  # b\n", f"f.yaml: is empty: only blank lines and comments ({SCENARIO_HINT})"),
        ("---\n", f"f.yaml: is empty: the document has no content ({SCENARIO_HINT})"),
        ("---\n...\n", f"f.yaml: is empty: the document has no content ({SCENARIO_HINT})"),
        (
            "~",
            f"f.yaml:1:1: the top level must be key: value lines, not a single value ({SCENARIO_HINT})",
        ),
        (
            "- a",
            f"f.yaml:1:1: the top level must be key: value lines, not a list ({SCENARIO_HINT})",
        ),
        (
            "\ta: 1",
            "f.yaml:1:1: tab character in indentation; YAML indents with spaces only "
            "(replace the tab with spaces)",
        ),
        (
            "a:\n  \tb: 1",
            "f.yaml:2:3: tab character in indentation; YAML indents with spaces only "
            "(replace the tab with spaces)",
        ),
        (
            b"a: 1\x00",
            "f.yaml: is a binary file (contains NUL bytes), not YAML text (give the scenario's .yaml file)",
        ),
        (b"a: 1\nb: \xff\xfe", "f.yaml:2:4: is not UTF-8 text: byte 0xff (save the file as UTF-8)"),
        (
            "a: " + "9" * 5000,
            "f.yaml:1:4: a: bad value: a number of 5000 digits is too long",
        ),
    ],
)
def test_file_level_refusals(text: str | bytes, expected: str) -> None:
    assert problems(text) == [expected]


def test_catalog_files_get_catalog_hints() -> None:
    hint = "(a catalog file needs sections such as servers: or storage:)"
    assert problems("", kind="catalog") == [
        f"f.yaml: is empty: only blank lines and comments {hint}"
    ]
    assert problems("[]", kind="catalog") == [
        f"f.yaml:1:1: the top level must be key: value lines, not a list {hint}"
    ]


def test_tabs_inside_quotes_are_fine_elsewhere_not() -> None:
    assert data('a: "x\\ty"\nb: "x\ty"') == {"a": "x\ty", "b": "x\ty"}
    assert problems("a: 1\nb: x\ty") == [
        "f.yaml:2:5: YAML syntax error: tab character; YAML allows tabs only inside quoted text "
        "(replace the tab with spaces, or quote the value)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: [b\nc: d",
            "f.yaml:2:2: YAML syntax error: the '[' at line 1 col 4 is not closed "
            "(close it with ']' or write the list as '- item' lines)",
        ),
        (
            "a: {b: 1\n",
            "f.yaml:2:1: YAML syntax error: the '{' at line 1 col 4 is not closed "
            "(close it with '}' or write the mapping as 'key: value' lines)",
        ),
        (
            'a: "x\nb: 1\n',
            "f.yaml:3:1: YAML syntax error: the quote at line 1 col 4 is not closed "
            "(end the text with the same quote character)",
        ),
        (
            "a:\n  b: 1\n  c 2\n  d: 3\n",
            "f.yaml:3:3: YAML syntax error: this line has no ':' after its key "
            "(write 'key: value' with a space after the colon)",
        ),
        (
            "a: b: c",
            "f.yaml:1:5: YAML syntax error: unexpected ':' here (indent this line like the key "
            "above it, or quote a value that contains ': ')",
        ),
        (
            "a:\n  - b\n c: 1\n",
            "f.yaml:3:2: YAML syntax error: this line's indentation does not match the lines "
            "above (indent keys of one mapping, and '- ' items of one list, by the same number "
            "of spaces)",
        ),
        (
            "a: @x",
            "f.yaml:1:4: YAML syntax error: found character '@' that cannot start any token "
            "(quote a value that starts with this character)",
        ),
        (
            "a: [",
            "f.yaml:1:5: YAML syntax error: the file ends where a value should follow "
            "(close every '[' and '{', and give the last key its value)",
        ),
        (
            "a: [1, , 2]",
            "f.yaml:1:8: YAML syntax error: a value is missing here "
            "(remove the extra ',' or write the missing value)",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2:1: YAML syntax error: a second YAML document starts here ('---'); a sizer "
            "file holds one document (remove the '---' line or split the file)",
        ),
        (
            "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
            "f.yaml:2:1: YAML syntax error: found duplicate YAML directive",
        ),
    ],
)
def test_syntax_errors(text: str, expected: str) -> None:
    assert problems(text) == [expected]


# --------------------------------------------------------------------------- limits


def test_max_depth_is_allowed_one_more_is_not() -> None:
    """MAX_DEPTH nested lists under the root mapping load; one more is refused with line:col."""
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert isinstance(data(ok)["a"], list)
    deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert problems(deep) == [
        f"f.yaml:1:{3 + MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels; a scenario needs only a few"
    ]


def test_very_deep_nesting_is_no_recursion_error() -> None:
    """100 000 brackets (100 KB, under the size limit): a located refusal, not a crash."""
    assert problems("a: " + "[" * 100_000) == [
        f"f.yaml:1:{3 + MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels; a scenario needs only a few"
    ]


def test_max_nodes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root mapping + 3 keys' values = 4 nodes; keys are nodes too: a: 1 is 2 below the root."""
    text = "a: 1\nb: 2\nc: 3\n"
    monkeypatch.setenv("SIZER_MAX_NODES", "7")  # root + 3 keys + 3 values
    assert data(text) == {"a": 1, "b": 2, "c": 3}
    monkeypatch.setenv("SIZER_MAX_NODES", "6")
    assert problems(text) == [
        "f.yaml:3:4: more than 6 YAML nodes; refusing to load (set SIZER_MAX_NODES to raise the limit)"
    ]


def test_default_max_nodes() -> None:
    """A flat list of MAX_NODES numbers exceeds the limit (root mapping and key count too)."""
    text = "a: [" + "1," * MAX_NODES + "1]"
    assert len(text) < MAX_FILE_BYTES
    (line,) = problems(text)
    assert line.endswith(
        f"more than {MAX_NODES:,} YAML nodes; refusing to load (set SIZER_MAX_NODES to raise the limit)"
    )


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "1.5"])
def test_bad_limit_in_the_environment(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("SIZER_MAX_NODES", bad)
    assert problems("a: 1") == [
        f"SIZER_MAX_NODES: environment variable is {bad!r}; set it to a whole number of 1 or "
        "more, or unset it"
    ]


def test_max_file_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (MAX_FILE_BYTES - 6) + b"\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert read_yaml(path).data == {"a": 1}  # exactly at the limit: fine
    with path.open("ab") as fh:
        fh.write(b"\n")
    with pytest.raises(SizerInputError) as info:
        read_yaml(path, display="s.yaml")
    assert str(info.value) == (
        f"s.yaml: file is {MAX_FILE_BYTES + 1:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit "
        "for sizer files (set SIZER_MAX_FILE_BYTES to raise it)"
    )
    monkeypatch.setenv("SIZER_MAX_FILE_BYTES", str(2 * MAX_FILE_BYTES))
    assert read_yaml(path).data == {"a": 1}
    monkeypatch.setenv("SIZER_MAX_FILE_BYTES", "4")
    with pytest.raises(SizerInputError) as info:
        read_yaml(path, display="s.yaml")
    assert str(info.value).startswith(
        f"s.yaml: file is {MAX_FILE_BYTES + 1:,} bytes, over the 4-byte"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_file_reads_at_most_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """stat() says 0 bytes for /dev/zero: refused as a device before any read (issue 18:
    a FIFO or device is never read, so it cannot block nor feed endless bytes)."""
    monkeypatch.setenv("SIZER_MAX_FILE_BYTES", "1000")
    with pytest.raises(SizerInputError) as info:
        read_yaml("/dev/zero")
    assert str(info.value) == (
        "/dev/zero: is a character device, not a regular file (give a YAML file)"
    )


# --------------------------------------------------------------------------- files


def test_missing_file_suggests_a_neighbour(tmp_path: Path) -> None:
    (tmp_path / "ra-9x-dgx1.yaml").write_text("a: 1\n")
    with pytest.raises(SizerInputError) as info:
        read_yaml(tmp_path / "ra-9x-dgx.yaml", display="x/ra-9x-dgx.yaml")
    assert (
        str(info.value)
        == f"x/ra-9x-dgx.yaml: no such file (did you mean {str(tmp_path / 'ra-9x-dgx1.yaml')!r}?)"
    )
    with pytest.raises(SizerInputError) as info:
        read_yaml(tmp_path / "zzz.yaml", display="zzz.yaml")
    assert str(info.value) == "zzz.yaml: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SizerInputError) as info:
        read_yaml(tmp_path, display="d")
    assert str(info.value) == "d: is a directory; give a YAML file (e.g. DIR/*.yaml)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    with pytest.raises(SizerInputError) as info:
        read_yaml(path, display="s.yaml")
    assert str(info.value) == "s.yaml: cannot read: Permission denied"


# --------------------------------------------------------------------------- scenarios


def test_shipped_scenarios_load(catalog: Any) -> None:
    paths = sorted(Path(__file__).resolve().parent.parent.glob("scenarios/*.yaml"))
    assert paths
    for path in paths:
        assert isinstance(load_scenario(path, catalog), Scenario)


def test_load_scenario_reports_every_schema_problem_at_once(
    write_yaml: Callable[..., Path], valid_scenario: str
) -> None:
    text = (
        valid_scenario.replace("    count: 2\n", "    count: 0\n")
        .replace("  switch: sb7800\n", "  switch: sb7800\n  colour: red\n")
        .replace("    phase: training\n", "    phase: train\n")
    )
    path = write_yaml(text)
    with pytest.raises(SizerInputError) as info:
        load_scenario(path, display="s.yaml")
    assert [p.format() for p in info.value.problems] == [
        "s.yaml:4:12: compute[0].count: 0 is below the minimum 1",
        "s.yaml:11:3: network.colour: unknown key 'colour' (allowed here: topology, switch, "
        "leaves, spines, storage_leaves, oversubscription, isl_links, protocol)",
        "s.yaml:14:12: workloads[0].phase: 'train' is not one of 'training' or 'inference' "
        "(did you mean 'training'?)",
    ]


def test_typo_replaces_the_missing_field_error(
    write_yaml: Callable[..., Path], valid_scenario: str
) -> None:
    """'servers' for 'server' is one problem, not also "required field 'server' is missing"."""
    path = write_yaml(valid_scenario.replace("  - server: dgx-1\n", "  - servers: dgx-1\n"))
    with pytest.raises(SizerInputError) as info:
        load_scenario(path, display="s.yaml")
    assert [p.format() for p in info.value.problems] == [
        "s.yaml:3:5: compute[0].servers: unknown key 'servers' (did you mean 'server'?)"
    ]


def test_yes_no_values_are_shown_as_written(
    write_yaml: Callable[..., Path], valid_scenario: str
) -> None:
    path = write_yaml(valid_scenario.replace("  topology: single-switch\n", "  topology: off\n"))
    with pytest.raises(SizerInputError) as info:
        load_scenario(path, display="s.yaml")
    assert [p.format() for p in info.value.problems] == [
        "s.yaml:9:13: network.topology: 'off' (YAML reads it as false) is not one of "
        "'single-switch', 'dual-switch', 'leaf-spine' or 'direct-attached'"
    ]


# --------------------------------------------------------------------------- errors.py


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("f.yaml", 3, 5, "a.b", "bad", "fix it"), "f.yaml:3:5: a.b: bad (fix it)"),
        (Problem("f.yaml", 3, None, "a.b", "bad"), "f.yaml:3: a.b: bad"),
        (Problem("f.yaml", None, None, "", "bad"), "f.yaml: bad"),
        (Problem("f.yaml", 1, 1, "", "bad", "h"), "f.yaml:1:1: bad (h)"),
    ],
)
def test_problem_format(problem: Problem, text: str) -> None:
    assert problem.format() == text


def test_sizer_input_error_prints_one_line_per_problem() -> None:
    err = SizerInputError([Problem("a", 1, 2, "x", "m"), Problem("b", None, None, "", "n")])
    assert str(err) == "a:1:2: x: m\nb: n"
