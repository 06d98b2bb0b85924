"""Bad input: every malformed scenario in tests/bad/ gives its exact one-line error, exit 2.

Each case runs ``sizer validate`` and ``sizer analyze`` (click's CliRunner for the bulk,
``python -m sizer`` in a subprocess for a few, to prove the end-to-end exit code and that
no traceback escapes), in an otherwise empty working directory that must be unchanged
afterwards: bad input writes nothing.

The expected stderr is a table below, word for word, ``FILE:LINE:COL: field: message (hint)``.
To add a case: drop a small file into tests/bad/ (a name that says what is wrong, a first
comment line saying it again) and add its line(s) to ``EXPECTED``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sizer.cli import cli
from sizer.limits import MAX_FILE_BYTES
from sizer.loader import load_scenario

REPO = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad"

#: tests/bad/<name> -> the exact stderr lines of `sizer validate <name>` run in its directory.
EXPECTED: dict[str, list[str]] = {
    "a-directory.yaml": ["a-directory.yaml: is a directory; give a YAML file (e.g. DIR/*.yaml)"],
    "alias-bomb.yaml": [
        "alias-bomb.yaml:18:11: YAML aliases (*name) are not allowed in sizer files; write the values out"
    ],
    "binary.yaml": [
        "binary.yaml: is a binary file (contains NUL bytes), not YAML text (give the scenario's .yaml file)"
    ],
    "cache-above-one.yaml": [
        "cache-above-one.yaml:17:12: workloads[0].cache: cache hit ratio 1.5 is outside 0..1; write a fraction, e.g. 0.5"
    ],
    "min-utilization-above-one.yaml": [
        "min-utilization-above-one.yaml:17:22: workloads[0].min_utilization: 1.5 is outside (0, 1]; write a fraction, e.g. 0.9"
    ],
    "comment-only.yaml": [
        "comment-only.yaml: is empty: only blank lines and comments (a scenario needs name:, compute:, storage:, network: and workloads:)"
    ],
    "complex-key.yaml": [
        "complex-key.yaml:12:5: network: a list cannot be a key; keys are plain names"
    ],
    "compute-is-mapping.yaml": [
        "compute-is-mapping.yaml:4:3: compute: expected a list (- item lines), got {'server': 'dgx-1', 'count': 2}"
    ],
    "count-is-bool.yaml": [
        "count-is-bool.yaml:5:12: compute[0].count: expected a whole number, got 'yes' (YAML reads it as true)"
    ],
    "count-is-float.yaml": [
        "count-is-float.yaml:5:12: compute[0].count: expected a whole number, got 2.5"
    ],
    "count-is-word.yaml": [
        "count-is-word.yaml:5:12: compute[0].count: expected a whole number, got 'two'"
    ],
    "count-negative.yaml": [
        "count-negative.yaml:5:12: compute[0].count: -3 is below the minimum 1"
    ],
    "count-zero-storage.yaml": [
        "count-zero-storage.yaml:8:12: storage[0].count: 0 is below the minimum 1"
    ],
    "custom-tag-mapping.yaml": [
        "custom-tag-mapping.yaml:9:10: network: YAML tag '!fabric' is not allowed in sizer files (remove the tag; write plain values)"
    ],
    "deep-nesting.yaml": [
        "deep-nesting.yaml:17:72: nesting deeper than 64 levels; a scenario needs only a few"
    ],
    "duplicate-group-name.yaml": [
        "duplicate-group-name.yaml:9:11: compute[1].name: compute group name 'pod' is already used by compute[0] (give each group its own name)"
    ],
    "duplicate-key-top.yaml": [
        "duplicate-key-top.yaml:17:1: storage: duplicate key 'storage' (first at line 6) (give each key once)"
    ],
    "duplicate-key-workload.yaml": [
        "duplicate-key-workload.yaml:17:5: workloads[0].precision: duplicate key 'precision' (first at line 15) (give each key once)"
    ],
    "duplicate-key-and-cross-check.yaml": [
        "duplicate-key-and-cross-check.yaml:3:1: name: duplicate key 'name' (first at line 2) (give each key once)",
        "duplicate-key-and-cross-check.yaml:18:22: workloads[0].gpus_per_server: 12 is more than the 8 GPUs of dgx-1 (use at most 8, or leave gpus_per_server out to use all GPUs)",
    ],
    "duplicate-key-and-more.yaml": [
        "duplicate-key-and-more.yaml:6:5: compute[0].count: duplicate key 'count' (first at line 5) (give each key once)",
        "duplicate-key-and-more.yaml:9:12: storage[0].count: 0 is below the minimum 1",
        "duplicate-key-and-more.yaml:11:3: network.leaves: topology leaf-spine needs 'leaves', the number of leaf switches (add e.g. 'leaves: 2' under network)",
        "duplicate-key-and-more.yaml:11:3: network.spines: topology leaf-spine needs 'spines', the number of spine switches (add e.g. 'spines: 2' under network)",
        "duplicate-key-and-more.yaml:16:14: workloads[0].dataset: unknown dataset 'imagenett' (did you mean 'imagenet' or 'imagenet-tfrecord'?)",
        "duplicate-key-and-more.yaml:19:19: target.images_per_sec: YAML tag '!fast' is not allowed in sizer files (remove the tag; write plain values)",
    ],
    "leaf-spine-without-leaves-or-spines.yaml": [
        "leaf-spine-without-leaves-or-spines.yaml:10:3: network.leaves: topology leaf-spine needs 'leaves', the number of leaf switches (add e.g. 'leaves: 2' under network)",
        "leaf-spine-without-leaves-or-spines.yaml:10:3: network.spines: topology leaf-spine needs 'spines', the number of spine switches (add e.g. 'spines: 2' under network)",
    ],
    "schema-and-unknown-ids.yaml": [
        "schema-and-unknown-ids.yaml:4:13: compute[0].server: unknown server 'dgx-h10' (did you mean 'dgx-h100'?)",
        "schema-and-unknown-ids.yaml:5:12: compute[0].count: expected a whole number, got 'two'",
        "schema-and-unknown-ids.yaml:7:11: storage[0].unit: unknown storage unit 'ess3500' (did you mean 'ess-3500'?)",
        "schema-and-unknown-ids.yaml:9:5: storage[0].colour: unknown key 'colour' (allowed here: unit, count, ports, link, data_replicas, drives, protection)",
        "schema-and-unknown-ids.yaml:12:11: network.switch: unknown switch 'qm-9700' (did you mean 'qm9700'?)",
        "schema-and-unknown-ids.yaml:14:12: workloads[0].model: unknown model 'resnet50' (did you mean 'resnet-50'?)",
        "schema-and-unknown-ids.yaml:15:12: workloads[0].phase: 'train' is not one of 'training' or 'inference' (did you mean 'training'?)",
        "schema-and-unknown-ids.yaml:16:14: workloads[0].dataset: unknown dataset 'imagenet-1k' (did you mean 'imagenet'?)",
    ],
    "empty.yaml": [
        "empty.yaml: is empty: only blank lines and comments (a scenario needs name:, compute:, storage:, network: and workloads:)"
    ],
    "gpus-overcommitted.yaml": [
        "gpus-overcommitted.yaml:22:22: workloads[1].gpus_per_server: workloads[0] + workloads[1] use 6 + 4 = 10 GPUs per server of compute[0] (dgx-1), which has 8 (lower gpus_per_server, or put the workloads on different compute groups with compute[].name and workloads[].groups)"
    ],
    "gpus-per-server-above-server.yaml": [
        "gpus-per-server-above-server.yaml:17:22: workloads[0].gpus_per_server: 12 is more than the 8 GPUs of dgx-1 (use at most 8, or leave gpus_per_server out to use all GPUs)"
    ],
    "ingest-limit-ambiguous-GBPS.yaml": [
        "ingest-limit-ambiguous-GBPS.yaml:7:21: compute[0].overrides.ingest_limit: '100 GBPS': 'GBPS' does not say bits or bytes; write '100 Gb/s' (bits) or '100 GB/s' (bytes)"
    ],
    "ingest-limit-ambiguous-gbps.yaml": [
        "ingest-limit-ambiguous-gbps.yaml:7:21: compute[0].overrides.ingest_limit: '100 gbps': 'gbps' does not say bits or bytes; write '100 Gb/s' (bits) or '100 GB/s' (bytes)"
    ],
    "ingest-limit-garbage.yaml": [
        "ingest-limit-garbage.yaml:7:21: compute[0].overrides.ingest_limit: 'fast' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'"
    ],
    "ingest-limit-huge-integer.yaml": [
        "ingest-limit-huge-integer.yaml:7:21: compute[0].overrides.ingest_limit: a 1329-bit number is too large"
    ],
    "ingest-limit-infinite.yaml": [
        "ingest-limit-infinite.yaml:7:21: compute[0].overrides.ingest_limit: inf is not a finite number"
    ],
    "ingest-limit-negative.yaml": [
        "ingest-limit-negative.yaml:7:21: compute[0].overrides.ingest_limit: '-20 GB/s' is negative; it must be 0 or more"
    ],
    "ingest-limit-no-unit-letter.yaml": [
        "ingest-limit-no-unit-letter.yaml:7:21: compute[0].overrides.ingest_limit: '100 G': 'G' does not say bits or bytes; write '100 Gb/s' (bits) or '100 GB/s' (bytes)"
    ],
    "ingest-limit-size-not-rate.yaml": [
        "ingest-limit-size-not-rate.yaml:7:21: compute[0].overrides.ingest_limit: '40 GB' is a size, but a rate is needed here; write '40 GB/s'"
    ],
    "leaf-spine-without-leaves.yaml": [
        "leaf-spine-without-leaves.yaml:10:3: network.leaves: topology leaf-spine needs 'leaves', the number of leaf switches (add e.g. 'leaves: 2' under network)"
    ],
    "leaves-on-single-switch.yaml": [
        "leaves-on-single-switch.yaml:12:11: network.leaves: 'leaves' applies to topology leaf-spine only, not single-switch; remove it or set topology: leaf-spine"
    ],
    "merge-key-alias.yaml": [
        "merge-key-alias.yaml:6:9: YAML aliases (*name) are not allowed in sizer files; write the values out"
    ],
    "merge-key-inline.yaml": [
        "merge-key-inline.yaml:4:5: compute[0]: YAML merge keys (<<) are not allowed in sizer files (write the keys out)"
    ],
    "missing-network.yaml": [
        "missing-network.yaml:2:1: network: required field 'network' is missing (add 'network:', the storage fabric)"
    ],
    "missing-server.yaml": [
        "missing-server.yaml:4:5: compute[0].server: required field 'server' is missing (add 'server:', catalog server id, e.g. dgx-1)"
    ],
    "not-utf8.yaml": ["not-utf8.yaml:2:8: is not UTF-8 text: byte 0xfc (save the file as UTF-8)"],
    "numeric-key.yaml": [
        "numeric-key.yaml:12:3: network: key '8' is a number, not a name (keys are names such as 'count')"
    ],
    "phase-typo.yaml": [
        "phase-typo.yaml:14:12: workloads[0].phase: 'train' is not one of 'training' or 'inference' (did you mean 'training'?)"
    ],
    "precision-int4.yaml": [
        "precision-int4.yaml:15:16: workloads[0].precision: 'int4' is not one of 'fp32', 'fp16', 'bf16', 'tf32', 'fp8' or 'int8' (did you mean 'int8'?)"
    ],
    "preprocessing-rate-infinite.yaml": [
        "preprocessing-rate-infinite.yaml:7:27: compute[0].overrides.preprocessing_rate: expected a finite number, got inf"
    ],
    "python-object-tag.yaml": [
        "python-object-tag.yaml:2:7: name: YAML tag '!!python/object/apply:os.system' is not allowed in sizer files (remove the tag; write plain values)"
    ],
    "several-schema-problems.yaml": [
        "several-schema-problems.yaml:5:12: compute[0].count: 0 is below the minimum 1",
        "several-schema-problems.yaml:9:5: storage[0].colour: unknown key 'colour' (allowed here: unit, count, ports, link, data_replicas, drives, protection)",
        "several-schema-problems.yaml:15:12: workloads[0].phase: 'train' is not one of 'training' or 'inference' (did you mean 'training'?)",
    ],
    "several-unknown-ids.yaml": [
        "several-unknown-ids.yaml:4:13: compute[0].server: unknown server 'DGX-A100' (did you mean 'dgx-a100'?)",
        "several-unknown-ids.yaml:7:11: storage[0].unit: unknown storage unit 'ess3500' (did you mean 'ess-3500'?)",
        "several-unknown-ids.yaml:11:11: network.switch: unknown switch 'qm-8700' (did you mean 'qm8700'?)",
    ],
    "single-switch-too-many-ports.yaml": [
        "single-switch-too-many-ports.yaml:11:11: network.switch: the switch needs 60 ports (36 dgx-1 + 24 ess-3000) but sb7800 has 36 (use topology dual-switch or leaf-spine)"
    ],
    "syntax-bad-indentation.yaml": [
        "syntax-bad-indentation.yaml:8:12: YAML syntax error: unexpected ':' here (indent this line like the key above it, or quote a value that contains ': ')"
    ],
    "syntax-missing-colon-space.yaml": [
        "syntax-missing-colon-space.yaml:5:5: YAML syntax error: this line has no ':' after its key (write 'key: value' with a space after the colon)"
    ],
    "syntax-unclosed-bracket.yaml": [
        "syntax-unclosed-bracket.yaml:14:10: YAML syntax error: the '[' at line 13 col 12 is not closed (close it with ']' or write the list as '- item' lines)"
    ],
    "syntax-unclosed-quote.yaml": [
        "syntax-unclosed-quote.yaml:17:1: YAML syntax error: the quote at line 2 col 7 is not closed (end the text with the same quote character)"
    ],
    "tab-indentation.yaml": [
        "tab-indentation.yaml:5:1: tab character in indentation; YAML indents with spaces only (replace the tab with spaces)"
    ],
    "target-nan.yaml": [
        "target-nan.yaml:18:19: target.images_per_sec: expected a finite number, got nan"
    ],
    "target-utilization-percent.yaml": [
        "target-utilization-percent.yaml:18:25: target.gpu_data_utilization: 90 is above 1; write the utilization as a fraction; for 90% write 0.9"
    ],
    "top-level-list.yaml": [
        "top-level-list.yaml:2:1: the top level must be key: value lines, not a list (a scenario needs name:, compute:, storage:, network: and workloads:)"
    ],
    "top-level-scalar.yaml": [
        "top-level-scalar.yaml:2:1: the top level must be key: value lines, not a single value (a scenario needs name:, compute:, storage:, network: and workloads:)"
    ],
    "topology-unknown.yaml": [
        "topology-unknown.yaml:10:13: network.topology: 'fat-tree' is not one of 'single-switch', 'dual-switch', 'leaf-spine' or 'direct-attached'"
    ],
    "two-documents.yaml": [
        "two-documents.yaml:17:1: YAML syntax error: a second YAML document starts here ('---'); a sizer file holds one document (remove the '---' line or split the file)"
    ],
    "typo-compute-servers.yaml": [
        "typo-compute-servers.yaml:4:5: compute[0].servers: unknown key 'servers' (did you mean 'server'?)"
    ],
    "typo-network-topolgy.yaml": [
        "typo-network-topolgy.yaml:10:3: network.topolgy: unknown key 'topolgy' (did you mean 'topology'?)"
    ],
    "typo-overrides-key.yaml": [
        "typo-overrides-key.yaml:7:7: compute[0].overrides.ingest_limt: unknown key 'ingest_limt' (did you mean 'ingest_limit'?)"
    ],
    "typo-storage-cout.yaml": [
        "typo-storage-cout.yaml:8:5: storage[0].cout: unknown key 'cout' (did you mean 'count'?)"
    ],
    "typo-target-key.yaml": [
        "typo-target-key.yaml:18:3: target.gpu_utilization: unknown key 'gpu_utilization' (did you mean 'gpu_data_utilization'?)"
    ],
    "typo-top-workload.yaml": [
        "typo-top-workload.yaml:12:1: workload: unknown key 'workload' (did you mean 'workloads'?)"
    ],
    "typo-workload-gpus-per-sever.yaml": [
        "typo-workload-gpus-per-sever.yaml:17:5: workloads[0].gpus_per_sever: unknown key 'gpus_per_sever' (did you mean 'gpus_per_server'?)"
    ],
    "unknown-dataset.yaml": [
        "unknown-dataset.yaml:16:14: workloads[0].dataset: unknown dataset 'imagenet-1k' (did you mean 'imagenet'?)"
    ],
    "unknown-gpu.yaml": [
        "unknown-gpu.yaml:7:12: compute[0].overrides.gpu: unknown GPU 'v100' (did you mean 'v100-sxm2-16gb', 'v100-sxm2-32gb' or 'v100-sxm3-32gb'?)"
    ],
    "unknown-group.yaml": [
        "unknown-group.yaml:18:14: workloads[0].groups[0]: no compute group named 'trainer' (did you mean 'trainers'?)"
    ],
    "unknown-key-no-close-match.yaml": [
        "unknown-key-no-close-match.yaml:9:5: storage[0].colour: unknown key 'colour' (allowed here: unit, count, ports, link, data_replicas, drives, protection)"
    ],
    "unknown-model.yaml": [
        "unknown-model.yaml:13:12: workloads[0].model: unknown model 'resnet50' (did you mean 'resnet-50'?)"
    ],
    "unknown-server.yaml": [
        "unknown-server.yaml:4:13: compute[0].server: unknown server 'dgx1' (did you mean 'dgx-1'?)"
    ],
    "unknown-storage-unit.yaml": [
        "unknown-storage-unit.yaml:7:11: storage[0].unit: unknown storage unit 'ess3000' (did you mean 'ess-3000'?)"
    ],
    "unknown-switch.yaml": [
        "unknown-switch.yaml:11:11: network.switch: unknown switch 'sb-7800' (did you mean 'sb7800'?)"
    ],
    "workloads-empty-list.yaml": [
        "workloads-empty-list.yaml:12:12: workloads: has 0 items; at least 1 needed"
    ],
}

#: Cases made by the tests themselves, so the repository does not carry them.
GENERATED: dict[str, list[str]] = {
    "does-not-exist.yaml": ["does-not-exist.yaml: no such file"],
    "huge.yaml": [
        f"huge.yaml: file is {MAX_FILE_BYTES + 1:,} bytes, over the {MAX_FILE_BYTES:,}-byte "
        "limit for sizer files (set SIZER_MAX_FILE_BYTES to raise it)"
    ],
}

#: Spellings of one rate (12.5 GB/s = 100 Gb/s) that a scenario must accept.
GOOD_INGEST_LIMITS = [
    "100 Gbps",
    "100Gb/s",
    "100 Gbit/s",
    "100 Gbits/s",
    "100 Gb/sec",
    "12.5 GB/s",
    "12.5GB/s",
    "12.5 GBps",
    "12.5 GByte/s",
    "12500 MB/s",
    "12,500 MB/s",
    "1.25e10",
    "1.25e1 GB/s",
    "12500000000",
    "'12.5 GB/s'",
    '"100 Gb/s"',
]


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``directory`` with its size and mtime: what 'nothing written' means."""
    out = {}
    for p in sorted(directory.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(directory))] = (st.st_size, st.st_mtime_ns)
    return out


def _stage(name: str, workdir: Path) -> None:
    """Put tests/bad/<name> (or a generated case) into ``workdir``."""
    src = BAD / name
    if name == "huge.yaml":
        filler = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
        (workdir / name).write_text(filler[: MAX_FILE_BYTES + 1])
    elif name == "does-not-exist.yaml":
        pass
    elif src.is_dir():
        shutil.copytree(src, workdir / name)
    else:
        shutil.copyfile(src, workdir / name)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty current directory; the limits are the defaults whatever the environment says."""
    monkeypatch.delenv("SIZER_MAX_FILE_BYTES", raising=False)
    monkeypatch.delenv("SIZER_MAX_NODES", raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _assert_clean_failure(result: Result, expected: list[str]) -> None:
    assert result.stderr.splitlines() == expected
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


ALL_CASES = {**EXPECTED, **GENERATED}


@pytest.mark.parametrize("name", sorted(ALL_CASES))
@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_bad_input(command: str, name: str, workdir: Path) -> None:
    _stage(name, workdir)
    before = _snapshot(workdir)
    result = CliRunner().invoke(cli, [command, name])
    _assert_clean_failure(result, ALL_CASES[name])
    assert _snapshot(workdir) == before


def test_analyze_json_on_bad_input_prints_no_json(workdir: Path) -> None:
    """``--json`` promises pure JSON on stdout; on bad input stdout stays empty."""
    _stage("unknown-server.yaml", workdir)
    result = CliRunner().invoke(cli, ["analyze", "--json", "unknown-server.yaml"])
    _assert_clean_failure(result, EXPECTED["unknown-server.yaml"])


def test_every_file_in_tests_bad_has_an_expectation() -> None:
    on_disk = {p.name for p in BAD.iterdir()}
    assert on_disk == set(EXPECTED)
    assert len(ALL_CASES) >= 30


def test_every_bad_file_says_what_is_wrong_in_its_first_line() -> None:
    """A reader opening a case sees the fault first (binary/empty cases excepted)."""
    for name in EXPECTED:
        path = BAD / name
        if path.is_dir() or name in ("binary.yaml", "empty.yaml"):
            continue
        first = path.read_bytes().split(b"\n", 1)[0]
        assert first.startswith(b"# "), name


def test_expected_lines_have_file_line_col_or_file() -> None:
    """STYLE.md 3: FILE:LINE:COL: ... (FILE: ... when the file as a whole is wrong)."""
    for name, lines in ALL_CASES.items():
        for line in lines:
            assert line.startswith(f"{name}:"), line


def test_validate_reports_every_file_at_once(workdir: Path) -> None:
    """Several files: a good one says ok on stdout, each bad one its line(s) on stderr, exit 2."""
    names = ["unknown-model.yaml", "tab-indentation.yaml", "missing-network.yaml"]
    for name in names:
        _stage(name, workdir)
    shutil.copyfile(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml", workdir / "good.yaml")
    before = _snapshot(workdir)
    result = CliRunner().invoke(cli, ["validate", "good.yaml", *names])
    assert result.exit_code == 2
    assert result.stdout == "good.yaml: ok (RA 1x DGX-1 + 1x ESS 3000 (AlexNet training, 8 GPUs))\n"
    assert result.stderr.splitlines() == [line for n in names for line in EXPECTED[n]]
    assert _snapshot(workdir) == before


# Run end to end in a real interpreter: exit status, stderr bytes, no traceback, no files.
SUBPROCESS_CASES = [
    "syntax-unclosed-bracket.yaml",
    "alias-bomb.yaml",
    "ingest-limit-size-not-rate.yaml",
    "gpus-overcommitted.yaml",
    "binary.yaml",
    "a-directory.yaml",
    "does-not-exist.yaml",
]


def test_bad_input_end_to_end(tmp_path: Path) -> None:
    """One ``validate`` of all cases at once and a few ``analyze`` runs, started together."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SIZER_MAX_FILE_BYTES", None)
    env.pop("SIZER_MAX_NODES", None)
    jobs = [("validate", SUBPROCESS_CASES)] + [("analyze", [n]) for n in SUBPROCESS_CASES[:3]]
    runs = []
    for i, (command, names) in enumerate(jobs):
        workdir = tmp_path / f"{i}-{command}"
        workdir.mkdir()
        for name in names:
            _stage(name, workdir)
        before = _snapshot(workdir)
        proc = subprocess.Popen(
            [sys.executable, "-m", "sizer", command, *names],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs.append((command, names, workdir, before, proc))
    for command, names, workdir, before, proc in runs:
        stdout, stderr = proc.communicate(timeout=120)
        where = f"{command} {' '.join(names)}"
        assert proc.returncode == 2, (where, stderr)
        assert stderr.splitlines() == [line for n in names for line in ALL_CASES[n]], where
        assert stdout == "", where
        assert "Traceback" not in stderr, where
        assert _snapshot(workdir) == before, where


@pytest.mark.parametrize("spelling", GOOD_INGEST_LIMITS)
def test_accepted_rate_spellings_validate(
    spelling: str, write_yaml: Callable[..., Path], valid_scenario: str, catalog: Any
) -> None:
    text = valid_scenario.replace(
        "    count: 2\n", f"    count: 2\n    overrides:\n      ingest_limit: {spelling}\n"
    )
    scenario = load_scenario(write_yaml(text), catalog)
    assert scenario.compute[0].overrides.ingest_limit == pytest.approx(12.5e9)


def test_accepted_spellings_through_the_cli(
    write_yaml: Callable[..., Path], valid_scenario: str, runner: CliRunner
) -> None:
    text = valid_scenario.replace(
        "    count: 2\n", "    count: 2\n    overrides:\n      ingest_limit: 100 Gbps\n"
    )
    path = write_yaml(text)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: ok (fixture POD)\n"
    assert result.stderr == ""
