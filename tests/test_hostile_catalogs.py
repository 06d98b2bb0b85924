"""Hostile inputs of issue 18: user catalogs, odd files and names the fuzzer did not reach.

Each case is a fixture under ``tests/hostile/`` (the issue's minimal example) run through
the CLI in an otherwise empty working directory: the exact stderr lines, the exit code, no
traceback and nothing written.  To add a case, add its fixture and a row to ``CASES``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sizer.cli import cli

HOSTILE = Path(__file__).resolve().parent / "hostile"

CAT = "hostile/catalog-bad-figures/storage.yaml"
TXT = "hostile/catalog-control-text/storage.yaml"

#: name -> (argv, exact stderr lines, exit code)
CASES: dict[str, tuple[list[str], list[str], int]] = {
    # finding 1: catalog figures get the scenario's range and finiteness rules
    "catalog-bad-figures": (
        ["analyze", "--json", "hostile/ra.yaml", "--catalog", "hostile/catalog-bad-figures"],
        [
            f"{CAT}:11:7: storage[0].ports: value 0 must be at least 1",
            f"{CAT}:16:14: storage[0].rack_units.value: Input should be a finite number",
            f"{CAT}:20:14: storage[0].power_watts.value: Input should be a finite number",
            f"{CAT}:28:20: switches[0].ports.value: expected a number, got true",
        ],
        2,
    ),
    # finding 2: control characters in catalog text (ESC, BEL, CR/LF, zero-width space)
    "catalog-control-text": (
        ["catalog", "--catalog", "hostile/catalog-control-text"],
        [
            f"{TXT}:4:11: storage[0].name: has the control character U+001B at character 5; "
            "remove it (text is printed as is)",
            f"{TXT}:5:13: storage[0].vendor: has the control character U+000D at character 4; "
            "remove it (text is printed as is)",
            f"{TXT}:6:46: storage[0].read_bandwidth.source: has the invisible character U+200B "
            "at character 1; remove it (text is printed as is)",
            f"{TXT}:9:36: storage[0].rack_units.source: has the control character U+001B at "
            "character 8; remove it (text is printed as is)",
        ],
        2,
    ),
    # finding 3: a group name that a generated node label could take is refused
    "group-named-like-node": (
        ["validate", "hostile/group-named-like-node.yaml"],
        [
            "hostile/group-named-like-node.yaml:10:11: compute[2].name: 'dgx-1[0]': a group "
            "name cannot hold '[' or ']' (sizer numbers groups that share a name as name[0], "
            "name[1]); use e.g. 'dgx-1-0'",
            "hostile/group-named-like-node.yaml:13:11: compute[3].name: 'ess-3000[0]': a group "
            "name cannot hold '[' or ']' (sizer numbers groups that share a name as name[0], "
            "name[1]); use e.g. 'ess-3000-0'",
        ],
        2,
    ),
    # finding 6: a boolean is not a hit ratio (cache: yes was 100% served locally)
    "cache-true": (
        ["validate", "hostile/cache-true.yaml"],
        [
            "hostile/cache-true.yaml:24:12: workloads[0].cache: expected a number, got 'yes' "
            "(YAML reads it as true)"
        ],
        2,
    ),
    # smaller: digits of other scripts are not numbers (the JSON Schema refuses them too)
    "rate-arabic-digits": (
        ["validate", "hostile/rate-arabic-digits.yaml"],
        [
            "hostile/rate-arabic-digits.yaml:7:21: compute[0].overrides.ingest_limit: "
            "'\u0664\u0660 GB/s' is not a rate; write a number and a unit, e.g. '40 GB/s' or "
            "'100 Gb/s'"
        ],
        2,
    ),
    # finding 4: memory inputs past any real job are refused, not an OverflowError
    "memory-extremes": (
        ["render", "hostile/memory-extremes.yaml", "--out", "out", "--format", "html"],
        [
            "hostile/memory-extremes.yaml:17:10: memory[0].seq: sequence length "
            "100000000000000000000000000000 is above the maximum 100,000,000",
            "hostile/memory-extremes.yaml:20:12: memory[1].image: "
            "'99999999999999999999999999999... (41 characters): a side above 100,000 pixels "
            "is past any real image",
        ],
        2,
    ),
    "memory-seq-infinite": (
        ["render", "hostile/memory-seq-infinite.yaml", "--out", "out", "--format", "html"],
        ["hostile/memory-seq-infinite.yaml:17:10: memory[0].seq: expected a whole number, got inf"],
        2,
    ),
    "memory-batch-400-digits": (
        ["memory", "--model", "resnet-50", "--batch", "1" + "0" * 399],
        [
            "sizer memory: --batch: batch 100000000000000000000000000000... (400 characters) "
            "is above the maximum 10,000,000"
        ],
        2,
    ),
    "memory-overhead-nan": (
        ["memory", "--model", "resnet-50", "--batch", "1", "--overhead-gib", "nan"],
        ["sizer memory: --overhead-gib: nan is not a number of GiB from 0 to 1024"],
        2,
    ),
    "memory-overhead-inf": (
        ["memory", "--model", "resnet-50", "--batch", "1", "--overhead-gib", "inf"],
        ["sizer memory: --overhead-gib: inf is not a number of GiB from 0 to 1024"],
        2,
    ),
}


def _snapshot(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copytree(HOSTILE, tmp_path / "hostile")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name: str, workdir: Path) -> None:
    argv, expected, code = CASES[name]
    before = _snapshot(workdir)
    result = CliRunner().invoke(cli, argv)
    assert result.stderr.splitlines() == expected
    assert result.exit_code == code
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if code == 2:
        assert result.stdout == ""
        assert _snapshot(workdir) == before, "bad input wrote something"


def test_every_fixture_is_used() -> None:
    used = " ".join(" ".join(argv) for argv, _, _ in CASES.values())
    used += " " + Path(__file__).read_text()
    for entry in sorted(os.listdir(HOSTILE)):
        if entry.endswith((".yaml", "")) and not entry.startswith("."):
            assert f"hostile/{entry}" in used, f"tests/hostile/{entry} is in no case"


def test_group_named_like_a_storage_unit_keeps_every_node(workdir: Path) -> None:
    """Finding 3: compute[0] named 'ess-3000' with two ess-3000 storage groups got the node
    prefix 'ess-3000[0]', the first storage group's; now 5 servers are 5 nodes."""
    from sizer.loader import load_design
    from sizer.topology import build_fabric

    fabric = build_fabric(load_design("hostile/group-named-like-unit.yaml"))
    assert sorted(fabric.nodes()) == [
        "dgx-1#1",
        "dgx-1#2",
        "dgx-1#3",
        "ess-3000[0]#1",
        "ess-3000[1]#1",
        "ess-3000[compute 0]#1",
        "ess-3000[compute 0]#2",
        "switch-A",
        "switch-B",
    ]


def test_fifos_and_devices_are_refused_not_waited_on(workdir: Path) -> None:
    """Finding 7: a FIFO as the scenario, or named *.yaml in a catalog directory, blocked
    sizer forever; ``--catalog /dev/null`` was silently ignored.  (Only read: /dev/null is
    opened read-only and never replaced.)"""
    os.mkfifo("pipe.yaml")
    os.mkdir("cat")
    os.mkfifo("cat/x.yaml")
    runs = [
        (["validate", "pipe.yaml"], "pipe.yaml: is a FIFO (named pipe), not a regular file"),
        (
            ["validate", "hostile/ra.yaml", "--catalog", "cat"],
            "cat/x.yaml: is a FIFO (named pipe), not a regular file",
        ),
        (
            ["validate", "hostile/ra.yaml", "--catalog", "/dev/null"],
            "/dev/null: is not a directory of *.yaml files nor a YAML file",
        ),
    ]
    for argv, msg in runs:
        hint = "give --catalog a directory" if "/dev/null" in argv else "give a YAML file"
        result = CliRunner().invoke(cli, argv)
        assert (result.exit_code, result.stderr) == (2, f"{msg} ({hint})\n")


def test_an_internal_error_is_one_line_and_exit_3(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Smaller finding: an uncaught error exited 1, which `size` uses for "target not met"."""
    import sizer.analysis

    def boom(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(sizer.analysis, "analyze_design", boom)
    result = CliRunner().invoke(cli, ["analyze", "hostile/ra.yaml"])
    assert result.exit_code == 3
    assert result.stderr == (
        "sizer: internal error: ZeroDivisionError: float division by zero (a bug in sizer; "
        "please report it with the input; SIZER_DEBUG=1 shows where)\n"
    )


def test_a_usage_error_is_one_line(workdir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["render", "hostile/ra.yaml", "--paper", "a3"], prog_name="sizer"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "sizer render: --paper: 'a3' is not one of 'a4', 'letter' (see 'sizer render --help')\n"
    )


def test_a_thousand_workloads_on_one_group_is_one_short_line(workdir: Path) -> None:
    """Finding 11: 1,000 workloads on one group built a 1,000-term '1 + 1 + ...' message."""
    head = (HOSTILE / "ra.yaml").read_text(encoding="utf-8").split("workloads:")[0]
    body = "  - model: alexnet\n    gpus_per_server: 1\n" * 1000
    Path("w.yaml").write_text(head + "workloads:\n" + body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "w.yaml"])
    assert result.exit_code == 2
    assert result.stderr == (
        "w.yaml:37:22: workloads[8].gpus_per_server: workloads[0] + workloads[1] + "
        "workloads[2] + ... (994 more) + workloads[997] + workloads[998] + workloads[999] use "
        "1 + 1 + 1 + ... (994 more) + 1 + 1 + 1 = 1000 GPUs per server of compute[0] (dgx-1), "
        "which has 8 (lower gpus_per_server, or put the workloads on different compute groups "
        "with compute[].name and workloads[].groups)\n"
    )


def _with(text: str, before: str = "compute:") -> str:
    base = (HOSTILE / "ra.yaml").read_text(encoding="utf-8")
    return base.replace(before, text + before, 1)


def test_long_free_text_is_refused_with_its_place(workdir: Path) -> None:
    """Finding 12: a 100,000-character workload name ran render past 5 minutes, a
    20,000-character description 27 s, a 50,000-character comment line 31 s."""
    cases = {
        "name.yaml": (
            _with(f"    name: {'w' * 100_000}\n", "    phase: training"),
            "name.yaml:21:11: workloads[0].name: is longer than 200 characters\n"
            "name.yaml:21:1001: line of 100,010 characters, over the 1,000-character limit for "
            "scenario lines (the report prints the file verbatim) (break the line, or fold "
            "long text with 'description: >')\n",
        ),
        "word.yaml": (
            _with(f"  {'x' * 900}\n", "  Entry configuration"),
            "word.yaml:7:14: description: has a word of 900 characters ('xxxxxxxxxxxxxxxxxxxx'"
            "...), over the limit of 200; put spaces in it\n",
        ),
        "comment.yaml": (
            _with(f"# {'y' * 50_000}\n"),
            "comment.yaml:10:1001: line of 50,002 characters, over the 1,000-character limit "
            "for scenario lines (the report prints the file verbatim) (break the line, or fold "
            "long text with 'description: >')\n",
        ),
    }
    for name, (text, expected) in cases.items():
        Path(name).write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["render", name, "--out", "out"])
        assert (result.exit_code, result.stderr) == (2, expected), name
    assert not Path("out").exists()


def test_long_catalog_source_is_refused(workdir: Path) -> None:
    """Smaller finding: a 200,000-character source was whole in the HTML and cut to 45
    characters in the PDF."""
    cat = Path("cat")
    cat.mkdir()
    long = "see " * 50_000
    (cat / "d.yaml").write_text(
        "datasets:\n  - id: imagenet\n    name: ImageNet\n    bytes_per_sample:\n"
        f"      value: 110 kB\n      source: '{long}'\n      confidence: V\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "hostile/ra.yaml", "--catalog", "cat"])
    assert (result.exit_code, result.stderr) == (
        2,
        "cat/d.yaml:6:15: datasets[0].bytes_per_sample.source: is 200,000 characters long, "
        "over the limit of 5,000; shorten it\n",
    )


def test_the_appendix_prints_at_most_20000_characters_of_the_scenario(workdir: Path) -> None:
    """Finding 12: the verbatim scenario of a 1 MB file took ~30 s to lay out; the appendix
    now stops after MAX_VERBATIM_CHARS at a line end and says how much it left out."""
    from sizer.report import MAX_VERBATIM_CHARS, _verbatim

    text = "".join(f"# line {i:05d} {'y ' * 40}\n" for i in range(1000))
    shown = _verbatim(text)
    assert len(shown) < MAX_VERBATIM_CHARS + 100
    assert shown.startswith(text[:1000])
    kept = shown.rsplit("\n# ...", 1)[0] + "\n"
    assert text.startswith(kept)
    assert shown.endswith(
        f"# ... {len(text) - len(kept):,} more characters not shown (the fingerprint covers them)\n"
    )
    assert _verbatim("a: 1\n") == "a: 1\n"


def test_empty_out_is_refused(workdir: Path) -> None:
    """Smaller finding: ``--out ""`` wrote into the current directory."""
    result = CliRunner().invoke(
        cli, ["render", "hostile/ra.yaml", "--out", "", "--format", "html"], prog_name="sizer"
    )
    assert (result.exit_code, result.stderr) == (
        2,
        "sizer render: --out: is empty; name a directory, e.g. --out reports "
        "(see 'sizer render --help')\n",
    )
    assert sorted(os.listdir(workdir)) == ["hostile"]


def test_an_error_line_quotes_at_most_a_little_of_the_input(workdir: Path) -> None:
    """Found by the long catalog fuzz: a 5,000-character gpu family made a 6,162-character
    error line (the whole value quoted); unknown ids in scenarios did the same."""
    cat = Path("cat")
    cat.mkdir()
    (cat / "g.yaml").write_text(
        "gpus:\n  - id: v100-sxm2-16gb\n    name: V100\n    family: " + "word " * 1000 + "\n"
        "    memory: {value: 16 GiB, source: datasheet, confidence: V}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "hostile/ra.yaml", "--catalog", "cat"])
    assert (result.exit_code, result.stderr) == (
        2,
        "cat/g.yaml:4:13: gpus[0].family: 'word word word word word word word word '... "
        "(4,999 characters) is not a valid id; use lowercase letters, digits and single "
        "hyphens (e.g. 'dgx-a100'), at most 200\n",
    )
    Path("s.yaml").write_text(
        (HOSTILE / "ra.yaml").read_text(encoding="utf-8").replace("dgx-1", "d" * 900),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "s.yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"s.yaml:11:13: compute[0].server: unknown server '{'d' * 40}'... (900 characters)"
    )
    assert len(result.stderr) < 300
