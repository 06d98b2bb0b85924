"""Golden ``--json`` outputs of the analysis commands, one per shipped scenario.

``analyze``, ``size``, ``sweep`` and ``failures`` on every ``scenarios/*.yaml`` and
``compare`` over all of them, as the CLI prints them, are kept in
``tests/golden/json/<command>-<stem>.json``.  They guard refactors: "no behaviour
change" is checked, not hoped.  Volatile keys (``elapsed_seconds``, the file path the
command was given), the catalog digest are dropped and floats are compared to 9 significant digits, so a
change in summation order does not fail the test but a changed figure does.

On a mismatch the actual output is written next to the golden one as ``*.json.actual``
(git-ignored) and the first differing path is named.  Refresh deliberately with
``pytest --update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sizer.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "json"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
#: elapsed time, and the catalog hash (any catalog edit changes it; the figures it leads to
#: are what the goldens guard)
VOLATILE = {"elapsed_seconds", "catalog_digest"}
#: exit code each command may end with on a shipped scenario (size: 1 = target not met)
OK_CODES = {"analyze": {0}, "size": {0, 1}, "sweep": {0}, "failures": {0}, "compare": {0}}


def normalise(obj: Any) -> Any:
    """The JSON with volatile keys dropped and floats rounded to 9 significant digits."""
    if isinstance(obj, dict):
        return {k: normalise(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [normalise(v) for v in obj]
    if isinstance(obj, float):
        return float(f"{obj:.9g}")
    return obj


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """The JSON path of the first place where ``a`` and ``b`` differ, with both values."""
    if type(a) is not type(b):
        return f"{path}: expected {b!r}, got {a!r}"
    if isinstance(a, dict):
        for k in list(b) + [k for k in a if k not in b]:
            if k not in a or k not in b:
                return f"{path}.{k}: {'missing' if k not in a else 'unexpected'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        if list(a) != list(b):
            return f"{path}: key order {list(a)} != {list(b)}"
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{path}: {len(b)} items expected, got {len(a)}"
    return None if a == b else f"{path}: expected {b!r}, got {a!r}"


def run_json(args: list[str]) -> Any:
    res = CliRunner().invoke(cli, args)
    cmd = args[0]
    assert res.exit_code in OK_CODES[cmd], (res.exit_code, res.stderr, res.exception)
    return normalise(json.loads(res.stdout))


def check_golden(name: str, actual: Any, update: bool) -> None:
    golden = GOLDEN / f"{name}.json"
    other = GOLDEN / f"{name}.json.actual"
    text = json.dumps(actual, indent=1, allow_nan=False) + "\n"
    if update:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        other.unlink(missing_ok=True)
        return
    if not golden.exists():
        other.write_text(text, encoding="utf-8")
        pytest.fail(
            f"no golden file {golden.name}; wrote {other.name} -- check it, then "
            "run pytest --update-golden"
        )
    expected = normalise(json.loads(golden.read_text(encoding="utf-8")))
    diff = first_difference(actual, expected)
    if diff:
        other.write_text(text, encoding="utf-8")
        pytest.fail(
            f"{golden.name}: {diff} (actual written to {other.name}; "
            "pytest --update-golden to accept)"
        )
    other.unlink(missing_ok=True)


@pytest.mark.parametrize("command", ["analyze", "size", "sweep", "failures"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_command_json_matches_golden(
    command: str, scenario: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the JSON names the file as given
    rel = str(scenario.relative_to(ROOT))
    check_golden(f"{command}-{scenario.stem}", run_json([command, rel, "--json"]), update_golden)


def test_compare_json_matches_golden(update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rels = [str(p.relative_to(ROOT)) for p in SCENARIOS]
    check_golden("compare-all", run_json(["compare", *rels, "--json"]), update_golden)


def test_first_difference_names_the_path() -> None:
    assert first_difference({"a": [1, {"b": 2.0}]}, {"a": [1, {"b": 3.0}]}) == (
        "$.a[1].b: expected 3.0, got 2.0"
    )
    assert first_difference({"a": 1}, {"a": 1}) is None
    assert first_difference([1], [1, 2]) == "$: 2 items expected, got 1"
    assert normalise({"elapsed_seconds": 1.0, "x": 0.1 + 0.2}) == {"x": 0.3}
