"""Fuzzing: every input ends in a result or clean error lines with exit 2, never a traceback.

The CLI runs in-process through click's CliRunner (fast: thousands of inputs); a sample
runs ``python -m sizer`` in a subprocess to prove the real exit code and that no
traceback reaches stderr.  Any exception other than ``SizerInputError`` (turned into exit
2 by the CLI) or ``SystemExit`` fails the test, and so does an input that takes longer
than :data:`HANG_SECONDS` (SIGALRM).

Profiles
--------
CI (this file): derandomized, so every run tries the same inputs; about 2,600 inputs in
all, ~50 s on 2 cores.  ``SIZER_FUZZ_SCALE=4 pytest tests/test_fuzz.py`` multiplies every
count.  The long on-demand profile is ``python benchmarks/fuzz_long.py --minutes 30``: random
seeds, every failure collected instead of stopping at the first, a summary of inputs run
and findings.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizer.cli import cli
from sizer.errors import UnitError
from sizer.units import parse_rate, parse_size
from tests import strategies as S

REPO = Path(__file__).resolve().parent.parent
#: An input that takes longer than this is a hang.
HANG_SECONDS = 60
#: Multiplies every example count (the CI profile is 1).
SCALE = float(os.environ.get("SIZER_FUZZ_SCALE", "1"))


def profile(examples: int) -> settings:
    """The CI profile: derandomized (same inputs every run), no example database."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


#: ``FILE[:LINE[:COL]]: message`` or ``SOURCE: message`` (environment variable, option).
_LINE = re.compile(r"^(?P<where>[^\n]+?)(?::\d+(?::\d+)?)?: \S.*$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
#: An error line longer than this is not readable (a value should be shortened).
MAX_LINE = 600


class Finding(AssertionError):
    """An input that did not end in a result or clean error lines."""


@contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail (instead of hanging the run) when the body takes longer than ``seconds``."""

    def on_alarm(_sig: int, _frame: Any) -> None:
        raise Finding(f"hang: no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def invoke(args: list[str]) -> Result:
    # SIZER_DEBUG: an internal error re-raises (with its traceback) instead of exit 3
    with hang_guard():
        return CliRunner().invoke(cli, args, env={"SIZER_DEBUG": "1"})


def check_result(
    r: Result, sources: list[str], *, json_out: bool = False, ok_codes: tuple[int, ...] = (0,)
) -> Any:
    """Fail unless ``r`` is a result (exit in ``ok_codes``) or clean error lines (exit 2).

    ``sources`` are the names an error line may start with (the file as given, option or
    environment variable names).  Returns the parsed JSON of a ``--json`` result.
    """
    exc = r.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise Finding(f"crash: {type(exc).__name__}: {exc}\n{tb}")
    if r.exit_code == 2:
        lines = r.stderr.splitlines()
        if not lines:
            raise Finding("exit 2 without an error line")
        for ln in lines:
            if ln.startswith(("Usage:", "Try ", "Error: ")):  # click's own usage errors
                continue
            if "Traceback" in ln:
                raise Finding(f"traceback on stderr: {r.stderr[:2000]}")
            if _CONTROL.search(ln):
                raise Finding(f"control character in an error line: {ln!r}")
            if len(ln) > MAX_LINE:
                raise Finding(f"error line of {len(ln)} characters: {ln[:200]!r}...")
            m = _LINE.match(ln)
            if not m or not any(ln.startswith(s) for s in sources):
                raise Finding(f"error line does not name its source {sources}: {ln!r}")
        if r.stdout.strip():
            raise Finding(f"exit 2 but something on stdout: {r.stdout[:300]!r}")
        return None
    if r.exit_code not in ok_codes:
        raise Finding(f"exit {r.exit_code}: stdout={r.stdout[:500]!r} stderr={r.stderr[:1500]!r}")
    if "Traceback" in r.stderr:
        raise Finding(f"traceback on stderr with exit {r.exit_code}: {r.stderr[:2000]}")
    if json_out:
        try:
            return json.loads(r.stdout, parse_constant=_no_constant)
        except ValueError as e:
            raise Finding(f"--json output is not one JSON object: {e}: {r.stdout[:300]!r}") from e
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON output holds {name}")


def check_analysis_json(out: dict[str, Any]) -> None:
    """Plausibility of an ``analyze --json`` result: finite, within bounds, consistent."""
    agg = out["aggregate"]
    for w in out["workloads"]:
        u = w["gpu_data_utilization"]
        if u is not None and not (-1e-9 <= u <= 1 + 1e-9):
            raise Finding(f"workload utilization {u} outside 0..1")
        if w["images_per_sec"] < 0 or w["read_bytes_per_sec"] < 0:
            raise Finding(f"negative rate in {w}")
        d = w["demand_read_bytes_per_sec"]
        if d is not None and w["read_bytes_per_sec"] > d * (1 + 1e-6) + 1e-6:
            raise Finding(f"workload reads more than it asks: {w}")
    for r in out["resources"]:
        cap = r["capacity"]
        if cap is not None and math.isfinite(cap) and r["load"] > cap * (1 + 1e-6) + 1e-6:
            raise Finding(f"resource over capacity: {r}")
    # null when the workloads' samples are not all images (mixed units)
    if agg["images_per_sec"] is not None and agg["images_per_sec"] < 0:
        raise Finding(f"negative aggregate: {agg}")
    if not re.fullmatch(r"[0-9a-f]{8,}", str(out["catalog_digest"])):
        raise Finding(f"catalog digest missing: {out['catalog_digest']!r}")


def check_scenario_file(path: Path, *, render_dir: Path | None = None) -> str:
    """Run validate and analyze --json (and optionally render) on one file; return the outcome.

    Outcome is ``"ok"`` or ``"rejected"``; raises :class:`Finding` otherwise.
    """
    src = [str(path)]
    a = invoke(["analyze", str(path), "--json"])
    out = check_result(a, src, json_out=True)
    v = invoke(["validate", str(path)])
    check_result(v, src)
    if (a.exit_code == 0) != (v.exit_code == 0):
        raise Finding(f"validate exit {v.exit_code} but analyze exit {a.exit_code}: {v.stderr}")
    if out is not None:
        check_analysis_json(out)
    if render_dir is not None and a.exit_code == 0:
        r = invoke(["render", str(path), "--out", str(render_dir), "--format", "html"])
        check_result(r, src)
    return "ok" if a.exit_code == 0 else "rejected"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch directory shared by the examples of this module (one file rewritten)."""
    return tmp_path_factory.mktemp("fuzz")


def _write(work: Path, raw: bytes, name: str = "fuzz.yaml") -> Path:
    p = work / name
    p.write_bytes(raw)
    return p


OUTCOMES: dict[str, dict[str, int]] = {}


def _count(test: str, outcome: str) -> None:
    OUTCOMES.setdefault(test, {}).setdefault(outcome, 0)
    OUTCOMES[test][outcome] += 1


# ----------------------------------------------------------------------------- tests


def test_strategy_ids_exist(catalog: Any) -> None:
    """The strategies draw from the real catalog; a renamed id would make them all fail."""
    for ids, kind in (
        (S.SERVERS, "servers"),
        (S.GPUS, "gpus"),
        (S.STORAGE, "storage"),
        (S.SWITCHES, "switches"),
        (S.LINKS, "links"),
        (S.MODELS, "models"),
        (S.DATASETS, "datasets"),
    ):
        assert set(ids) <= set(getattr(catalog, kind)), kind


@profile(800)
@given(data=S.scenario_data())
def test_fuzz_structurally_valid(work: Path, data: dict[str, Any]) -> None:
    """Random catalog ids, counts, topologies and workloads: a result or located problems."""
    _count("valid", check_scenario_file(_write(work, S.dump(data).encode())))


@profile(900)
@given(raw=S.mutated_text())
def test_fuzz_mutated(work: Path, raw: bytes) -> None:
    """Deleted/duplicated/renamed keys, wrong types, mangled units, damaged text."""
    _count("mutated", check_scenario_file(_write(work, raw)))


@profile(40)
@given(data=S.scenario_data())
def test_fuzz_render_html(work: Path, data: dict[str, Any]) -> None:
    """Valid-looking scenarios through the report (HTML): written, or rejected cleanly."""
    _count(
        "render",
        check_scenario_file(_write(work, S.dump(data).encode()), render_dir=work / "out"),
    )


@profile(60)
@given(
    data=S.scenario_data(),
    cmd=st.sampled_from(
        [
            ["size", "--json"],
            ["size", "--json", "--max-units", "50"],
            ["sweep", "--json"],
            ["failures", "--json"],
            ["compare", "--json"],
        ]
    ),
)
def test_fuzz_scaling_commands(work: Path, data: dict[str, Any], cmd: list[str]) -> None:
    """size / sweep / failures / compare on random designs: exit 0, 1 (size: not met) or 2."""
    p = _write(work, S.dump(data).encode())
    r = invoke([cmd[0], str(p), *cmd[1:]])
    check_result(r, [str(p)], json_out=r.exit_code == 0, ok_codes=(0, 1))


@profile(150)
@given(
    opts=st.lists(
        st.sampled_from(
            [
                "--servers",
                "--units",
                "--threshold",
                "--max-units",
                "--min-utilization",
                "--target-images-per-sec",
                "--exact",
                "--json",
                "--all-units",
            ]
        )
        | st.sampled_from(S.NASTY_SCALARS[:40])
        | st.sampled_from(["0", "-1", "1:0", "5:1:0", "1:3", "2,2,2", "1e9", "0.5", "nan"]),
        max_size=4,
    ),
    cmd=st.sampled_from(["size", "sweep", "failures"]),
)
def test_fuzz_command_options(cmd: str, opts: list[str]) -> None:
    """Random option values on the scaling commands: a result, exit 1, or a usage error."""
    f = str(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml")
    r = invoke([cmd, f, *opts])
    exc = r.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise Finding(f"crash on {cmd} {opts}: {type(exc).__name__}: {exc}\n{tb}")
    assert r.exit_code in (0, 1, 2), (r.exit_code, r.stderr)
    if r.exit_code == 2:
        assert r.stderr.strip() and "Traceback" not in r.stderr


@profile(120)
@given(
    opts=st.fixed_dictionaries(
        {
            "--model": st.sampled_from([*S.MEMORY_MODELS, "nope", ""]),
            "--batch": st.sampled_from(["1", "0", "-3", "2", "1e9", str(2**40), str(2**64), "x"]),
        },
        optional={
            "--image": st.sampled_from(
                ["224x224", "0x5", "99999999x99999999", "224", "x", "1e3x1e3", "-1x2"]
            ),
            "--seq": st.sampled_from(["1", "0", "4096", str(10**12), "abc"]),
            "--precision": st.sampled_from(["fp16", "int8", "fp64"]),
            "--phase": st.sampled_from(["training", "inference", "eval"]),
            "--gpu": st.sampled_from(["h100-sxm5-80gb", "h100", "no-such-gpu"]),
        },
    ),
    as_json=st.booleans(),
)
def test_fuzz_memory_command(opts: dict[str, str], as_json: bool) -> None:
    """``sizer memory`` with extreme and wrong option values."""
    args = ["memory"] + [x for kv in opts.items() for x in kv] + (["--json"] if as_json else [])
    r = invoke(args)
    exc = r.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise Finding(f"crash on {args}: {type(exc).__name__}: {exc}\n{tb}")
    assert r.exit_code in (0, 2), (args, r.exit_code, r.stderr)
    assert "Traceback" not in r.stderr
    if r.exit_code == 0 and as_json:
        json.loads(r.stdout, parse_constant=_no_constant)


@profile(30)
@given(
    section=st.sampled_from(
        ["switches.yaml", "servers.yaml", "storage.yaml", "links.yaml", "datasets.yaml"]
    ),
    data=st.data(),
)
def test_fuzz_user_catalog(work: Path, section: str, data: st.DataObject) -> None:
    """A mutated copy of a catalog file given with --catalog: a result or clean errors."""
    import yaml

    text = (REPO / "catalog" / section).read_text(encoding="utf-8")
    base = yaml.safe_load(text)
    broken = data.draw(S.mutated_data(base))
    raw = data.draw(S.text_damage(S.dump(broken)))
    cat_dir = work / "cat"
    cat_dir.mkdir(exist_ok=True)
    for old in cat_dir.iterdir():
        old.unlink()
    (cat_dir / section).write_bytes(raw)
    scen = str(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml")
    r = invoke(["analyze", scen, "--catalog", str(cat_dir), "--json"])
    check_result(r, [str(cat_dir), scen], json_out=r.exit_code == 0)


@profile(500)
@given(text=st.one_of(st.text(max_size=30), st.sampled_from(S.NASTY_SCALARS)))
def test_fuzz_unit_parser(text: str) -> None:
    """parse_size / parse_rate: a finite number >= 0 or a UnitError, for any text."""
    for parse in (parse_size, parse_rate):
        try:
            v = parse(text)
        except UnitError as e:
            assert str(e) and "\n" not in str(e).replace(repr(text), "")
        else:
            assert math.isfinite(v) and v >= 0, (text, v)


def _sample_inputs() -> list[bytes]:
    """A fixed sample for the subprocess runs: shipped scenarios broken in fixed ways."""
    base = (REPO / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml").read_bytes()
    return [
        base,
        base.replace(b"count: 9", b"count: .nan"),
        base.replace(b"count: 9", b"count: 10000000"),
        base.replace(b"compute:", b"compute: !!python/object:os.system"),
        base[: len(base) // 2],
        b"\xff\xfe" + base,
        base.replace(b"workloads:", b"workloads: &a [*a]"),
        base.replace(b"  - server", b"\t- server"),
    ]


@pytest.mark.parametrize("i", range(len(_sample_inputs())))
def test_subprocess_sample(tmp_path: Path, i: int) -> None:
    """The real ``python -m sizer``: exit 0 or 2, never a traceback, within the time limit."""
    p = tmp_path / f"sample-{i}.yaml"
    p.write_bytes(_sample_inputs()[i])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(
        [sys.executable, "-m", "sizer", "analyze", str(p), "--json"],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        env=env,
        cwd=tmp_path,
    )
    assert r.returncode in (0, 2), r.stderr
    assert "Traceback" not in r.stderr
    if r.returncode == 2:
        assert r.stdout == ""
        assert all(ln.startswith(str(p)) for ln in r.stderr.splitlines()), r.stderr
    else:
        json.loads(r.stdout)


def test_fuzz_reached_both_outcomes() -> None:
    """The valid-data fuzzer must reach the analysis often, or it tests only the checks.

    Runs after the fuzz tests above (file order); skipped when they were deselected.
    """
    got = OUTCOMES.get("valid")
    if not got:
        pytest.skip("the fuzz tests did not run in this session")
    total = sum(got.values())
    assert got.get("ok", 0) >= 0.15 * total, got
    assert got.get("rejected", 0) >= 0.05 * total, got


# ----------------------------------------------------------------------------- regressions
# Inputs the fuzzer found, pinned with their exact outcome.


def test_two_unnamed_groups_of_one_server_stay_apart(
    write_yaml: Any, valid_scenario: str, catalog: Any
) -> None:
    """Two unnamed dgx-1 groups used to share graph nodes ``dgx-1#1``, ``dgx-1#2``: four
    servers became two (and an ingest limit on one group crashed the analysis)."""
    from sizer.analysis import analyze
    from sizer.loader import load_scenario

    two = valid_scenario.replace(
        "  - server: dgx-1\n    count: 2\n",
        "  - server: dgx-1\n    count: 2\n  - server: dgx-1\n    count: 2\n"
        "    overrides:\n      ingest_limit: 10 GB/s\n",
    )
    a = analyze(load_scenario(write_yaml(two), catalog), catalog)
    links = sorted(r.id for r in a.resources if r.kind == "link" and "-> dgx" in r.id)
    assert links == [
        "switch -> dgx-1[0]#1 (4x edr-ib)",
        "switch -> dgx-1[0]#2 (4x edr-ib)",
        "switch -> dgx-1[1]#1 (4x edr-ib)",
        "switch -> dgx-1[1]#2 (4x edr-ib)",
    ]
    assert sorted(r.id for r in a.resources if r.kind == "server-ingest") == [
        "dgx-1[1]#1 ingest",
        "dgx-1[1]#2 ingest",
    ]
    assert a.design.total_servers == 4 and a.workloads[0].servers == 4


def test_read_benchmark_with_cache_is_rejected(runner: CliRunner, write_yaml: Any) -> None:
    """fio-read with every byte cached used to reach the solver with an unbounded flow."""
    p = write_yaml(
        "name: x\ncompute:\n  - server: dgx-1\n    count: 1\nstorage:\n  - unit: ess-3000\n"
        "    count: 1\nnetwork:\n  topology: single-switch\n  switch: sb7800\n"
        "workloads:\n  - model: fio-read\n    cache: auto\n"
    )
    r = runner.invoke(cli, ["analyze", str(p)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{p}:13:12: workloads[0].cache: 'fio-read' is a read benchmark: it reads every byte "
        "from storage, so 'cache' does not apply (remove cache: from this workload)\n"
    )


def test_control_characters(runner: CliRunner, write_yaml: Any, valid_scenario: str) -> None:
    """A raw ESC in the file used to escape PyYAML's reader as a traceback; an escaped one
    in a name reached the terminal and matplotlib."""
    raw = write_yaml("\x1b" + valid_scenario, "raw.yaml")
    r = runner.invoke(cli, ["validate", str(raw)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{raw}:1:1: control character U+001B is not allowed in YAML text (delete it; inside "
        'double quotes it can be written as an escape, e.g. "\\x1b")\n'
    )
    esc = write_yaml(valid_scenario.replace("fixture POD", '"a\\e[2Jb"'), "esc.yaml")
    r = runner.invoke(cli, ["validate", str(esc)])
    assert r.exit_code == 2
    assert (
        r.stderr
        == f"{esc}:1:7: name: has the control character U+001B at character 2; remove it (text is printed as is)\n"
    )


def test_names_without_a_glyph_render_without_warnings(
    tmp_path: Path, write_yaml: Any, valid_scenario: str
) -> None:
    """CJK and emoji names: matplotlib warned 'Glyph ... missing' (an error under pytest)."""
    from sizer.report import render_files

    p = write_yaml(
        valid_scenario.replace("count: 2\n", "count: 2\n    name: 火箭🚀\n", 1), "cjk.yaml"
    )
    written = render_files([p], tmp_path / "out", formats=("html",))
    assert "火箭🚀" in written[0].read_text(encoding="utf-8")


def test_error_lines_escape_what_a_terminal_would_act_on(
    runner: CliRunner, write_yaml: Any, valid_scenario: str
) -> None:
    """An unknown key holding U+009A (a C1 control) and U+202E (right-to-left override)
    reached the terminal as is: the long fuzz run's first finding."""
    p = write_yaml(
        valid_scenario.replace("  switch: sb7800", '  "x\\x9a\\u202e": 1\n  switch: sb7800')
    )
    r = runner.invoke(cli, ["validate", str(p)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{p}:10:3: network.x\\x9a\\u202e: unknown key 'x\\x9a\\u202e' (allowed here: topology, "
        "switch, leaves, spines, storage_leaves, oversubscription, isl_links, protocol)\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: x\n%YAML 1.1\ncompute: 1\n",
            "3:1: YAML syntax error: this line cannot follow the lines above: the file's top "
            "level ended before it (a sizer file is 'key: value' lines; look above for a stray "
            "value or a line starting with '%')",
        ),
        (
            'name: "C:\\sizer"\n',
            "1:11: YAML syntax error: inside double quotes '\\' starts an escape sequence, and "
            "this one is not valid (write the backslash twice (\\\\), or use single quotes)",
        ),
        (
            'name: "\\U00zz"\n',
            "1:10: YAML syntax error: inside double quotes '\\' starts an escape sequence, and "
            "this one is not complete (write the backslash twice (\\\\), or use single quotes)",
        ),
    ],
    ids=["document-start", "windows-path", "short-escape"],
)
def test_syntax_messages_a_newcomer_can_act_on(
    runner: CliRunner, write_yaml: Any, text: str, expected: str
) -> None:
    """PyYAML's own words ('expected <document start>', 'unknown escape character') were
    passed through; the review of every message (issue 8) reworded them."""
    p = write_yaml(text)
    r = runner.invoke(cli, ["validate", str(p)])
    assert r.exit_code == 2
    assert r.stderr == f"{p}:{expected}\n"


def test_storage_link_mismatch_says_what_to_do(
    runner: CliRunner, write_yaml: Any, valid_scenario: str
) -> None:
    p = write_yaml(valid_scenario.replace("unit: ess-3000", "unit: ddn-ai400x2-turbo"))
    r = runner.invoke(cli, ["validate", str(p)])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{p}:6:11: storage[0].unit: ddn-ai400x2-turbo ports are ethernet (eth-200g) but "
        "switch sb7800 is infiniband (pick a switch of the same kind, or a storage unit with "
        "infiniband ports (`sizer catalog` lists them))\n"
    )


def test_losing_a_storage_unit_keeps_the_cabling(runner: CliRunner, write_yaml: Any) -> None:
    """``failures`` (and the report's N-1 table) re-planned the design without the lost
    unit; on this leaf-spine the new plan asked leaf-7 for 37 of 36 ports and crashed.
    Found by the long fuzz run (seed 2923956000).  The unit now fails in place (replicated
    data, so the others serve its reads; without replicas the case is a total loss)."""
    p = write_yaml(
        "name: x\ncompute:\n- server: dgx-h100\n  count: 1\n  name: g\nstorage:\n"
        "- unit: ess-3200\n  count: 3\n  ports: 3\n  data_replicas: 2\n- unit: ess-3500\n"
        "  count: 2\n  data_replicas: 2\n"
        "network:\n  topology: leaf-spine\n  switch: sb7700\n  leaves: 7\n  spines: 5\n"
        "  oversubscription: 2\nworkloads:\n- model: fio-read\n  groups: [g]\n"
        "  gpus_per_server: 1\n"
    )
    r = invoke(["failures", str(p), "--json"])
    out = check_result(r, [str(p)], json_out=True)
    assert out is not None
    lost = [c for c in out["cases"] if c["kind"] == "storage-unit"]
    assert [c["element"] for c in lost] == ["ess-3200[0]#3", "ess-3500[1]#2"]
    base = out["cases"][0]
    assert base["kind"] == "baseline" and base["read_bytes_per_sec"] > 0
    assert all(0 < c["read_bytes_per_sec"] <= base["read_bytes_per_sec"] for c in lost)
