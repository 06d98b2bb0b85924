"""Output integrity: reports land only in their directory, whole, whatever happens.

* Names: the output sub-directory comes from the scenario file's stem; stems such as
  ``..``, ``-rf``, control characters or 300 characters give one safe directory under
  ``--out``.
* Symbolic links are not followed out: ``OUT/<name>`` linked elsewhere, or
  ``report.html`` pre-created as a link to a file outside, is refused (exit 2) and the
  target is untouched.  ``--out`` itself may be a link: that is the user's own choice.
* SIGKILL: ``python -m sizer render`` is killed at random moments, :data:`KILLS` times
  (CI: 20; long profile: ``SIZER_KILLS=200 pytest tests/test_output_integrity.py -k
  sigkill -s``).  After every kill the report directory holds the previous complete
  report (byte-identical: ``SOURCE_DATE_EPOCH`` is fixed) or nothing, never part of a
  file.  Half the runs use a test-only ``sitecustomize`` that
  makes ``os.fsync`` slow, so kills land inside the write phase too.  A later complete
  run leaves no temp file behind.
* Concurrent renders of one scenario into one directory all succeed and leave the same
  complete files.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: what an html-only render writes: the report and the BOM exports beside it
HTML_SET = ("report.html", "bom.csv", "bom.xlsx")
SCENARIO = REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"
KILLS = int(os.environ.get("SIZER_KILLS", "20"))
EPOCH = "1700000000"

SITECUSTOMIZE = """\
import os
import time

_delay = os.environ.get("SIZER_TEST_SLOW_FSYNC")
if _delay:  # test only: widen the write window so that kills land in it
    _fsync = os.fsync

    def _slow_fsync(fd):
        time.sleep(float(_delay))
        _fsync(fd)

    os.fsync = _slow_fsync
"""


def _env(tmp: Path, slow: float | None = None) -> dict[str, str]:
    inject = tmp / "inject"
    inject.mkdir(exist_ok=True)
    (inject / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{inject}{os.pathsep}{REPO}", "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("SIZER_TEST_SLOW_FSYNC", None)
    if slow is not None:
        env["SIZER_TEST_SLOW_FSYNC"] = str(slow)
    return env


def _render(scenario: Path, out: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sizer", "render", str(scenario), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=scenario.parent,
    )


def _complete(p: subprocess.Popen[bytes], timeout: float = 120) -> None:
    _out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, err.decode()


_RUN_SECONDS: list[float] = []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The complete report of SCENARIO, rendered twice without interference (and timed).

    The kills are aimed by the faster run: the first on a fresh machine also compiles
    bytecode and builds the font cache, and aimed by it most kills land after the end."""
    tmp = tmp_path_factory.mktemp("ref")
    runs = []
    for i in range(2):
        t0 = time.perf_counter()
        _complete(_render(SCENARIO, tmp / f"out{i}", _env(tmp)))
        _RUN_SECONDS.append(time.perf_counter() - t0)
        d = tmp / f"out{i}" / SCENARIO.stem
        runs.append({p.name: p.read_bytes() for p in sorted(d.iterdir())})
    assert runs[0] == runs[1], "two renders of one scenario differ"
    return runs[0]


def _check_whole(d: Path, ref: dict[str, bytes]) -> set[str]:
    """Every report file in ``d`` is the complete reference file; returns the names there."""
    names = set()
    if not d.exists():
        return names
    for p in d.iterdir():
        if p.name.startswith("."):
            continue  # a killed writer's temp file: never a report name
        names.add(p.name)
        data = p.read_bytes()
        assert p.name in ref, p
        assert data == ref[p.name], f"{p.name}: {len(data)} bytes, not the complete report"
    if "report.html" in names:
        assert ref["report.html"].rstrip().endswith(b"</html>")
    if "report.pdf" in names:
        assert ref["report.pdf"].startswith(b"%PDF") and ref["report.pdf"].rstrip().endswith(
            b"%%EOF"
        )
    return names


def test_reference_is_complete(reference: dict[str, bytes]) -> None:
    assert set(reference) == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}
    assert reference["report.html"].rstrip().endswith(b"</html>")
    assert reference["report.pdf"].startswith(b"%PDF-")
    assert reference["report.pdf"].rstrip().endswith(b"%%EOF")


def test_sigkill_leaves_the_previous_report_or_none(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """KILLS renders killed with SIGKILL at random moments; the directory is checked after
    each.  Kills alternate between plain runs (random moment in the last two thirds of a
    run) and runs with slow fsync (random moment in the write phase).  Two lanes (two
    output directories) run side by side to halve the wall time."""
    fsync = 0.3  # seconds per file with the slow fsync: two files, a 0.6 s write phase
    plain, slow = _env(tmp_path), _env(tmp_path, slow=fsync)
    # how long a run takes (the reference renders; then the runs themselves), to aim the kills
    t_plain = min(_RUN_SECONDS)
    t_slow = t_plain + 2 * fsync
    rng = random.Random(20261123)
    lanes = [tmp_path / "lane-a", tmp_path / "lane-b"]
    states: dict[tuple[str, ...], int] = {}
    killed = temp_seen = runs = 0
    for k in range(0, KILLS, len(lanes)):
        if k == KILLS // 2 - KILLS // 2 % len(lanes):  # from here on a previous report exists
            for p in [_render(SCENARIO, lane, plain) for lane in lanes]:
                _complete(p)
        started = []
        for lane in lanes:
            use_slow = (k // len(lanes)) % 2 == 1  # both lanes alike: the pair ends together
            delay = (
                rng.uniform(t_slow - 3 * fsync, t_slow + 0.1)
                if use_slow
                else rng.uniform(0.3 * t_plain, 1.05 * t_plain)
            )
            started.append((delay, lane, _render(SCENARIO, lane, slow if use_slow else plain)))
        t0 = time.perf_counter()
        ended = []  # how long the runs that ended before their kill took
        for delay, _lane, p in sorted(started, key=lambda x: x[0]):
            while (now := time.perf_counter() - t0) < delay and p.poll() is None:
                time.sleep(0.01)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            else:
                ended.append(now)
        # a run that ended first shows the runs are faster here than the reference render
        # (which may have run on a busier machine): aim the next kills by it
        if ended:
            fastest = min(ended) - (2 * fsync if use_slow else 0.0)
            t_plain = min(t_plain, fastest)
            t_slow = t_plain + 2 * fsync
        for _delay, lane, p in started:
            p.communicate(timeout=120)
            runs += 1
            d = lane / SCENARIO.stem
            names = _check_whole(d, reference)
            if k >= KILLS // 2:
                assert names == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}, (
                    "the previous report was lost"
                )
            temp_seen += any(x.name.startswith(".") for x in d.iterdir()) if d.exists() else 0
            key = tuple(sorted(names))
            states[key] = states.get(key, 0) + 1
    print(
        f"{runs} runs, {killed} killed while running, report files after: {states}, "
        f"a killed writer's temp file seen after {temp_seen}"
    )
    assert killed >= runs * 0.6, f"only {killed} of {runs} kills landed: aim them better"
    # a complete run afterwards: the whole report, and no temp file of the killed writers
    for p in [_render(SCENARIO, lane, plain) for lane in lanes]:
        _complete(p)
    for lane in lanes:
        d = lane / SCENARIO.stem
        assert _check_whole(d, reference) == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}
        assert sorted(p.name for p in d.iterdir()) == [
            "bom.csv",
            "bom.xlsx",
            "report.html",
            "report.pdf",
        ]


PAIR = ("report.html", "report.pdf")


def _versions(tmp: Path) -> list[bytes]:
    """Two versions of SCENARIO whose reports differ (the description)."""
    v1 = SCENARIO.read_bytes()
    v2 = v1.replace(b"Entry configuration", b"Second version of the entry configuration")
    assert v1 != v2
    return [v1, v2]


def test_sigkill_never_leaves_a_mismatched_pair(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """Issue 18 finding 8: a render killed after report.html was replaced left the new HTML
    beside the old PDF (9 of 16 aimed kills).  Renders alternate between two versions of
    the scenario, each killed at a random moment (half in a slow-fsync write phase); after
    every kill the directory holds the previous version's pair or the new one's, whole."""
    fsync = 0.3
    plain, slow = _env(tmp_path), _env(tmp_path, slow=fsync)
    t_plain = min(_RUN_SECONDS)
    t_slow = t_plain + 2 * fsync
    rng = random.Random(20261201)
    texts = _versions(tmp_path)
    lanes = [tmp_path / "lane-a", tmp_path / "lane-b"]
    version = {}
    refs: dict[Path, list[dict[str, bytes]]] = {}
    for lane in lanes:  # each lane's complete pair of each version (the path is in it)
        (lane / "in").mkdir(parents=True)
        refs[lane] = []
        for text in reversed(texts):
            (lane / "in" / SCENARIO.name).write_bytes(text)
            _complete(_render(lane / "in" / SCENARIO.name, lane / "out", plain))
            d = lane / "out" / SCENARIO.stem
            refs[lane].insert(0, {x.name: x.read_bytes() for x in d.iterdir() if x.name in PAIR})
        assert refs[lane][0]["report.html"] != refs[lane][1]["report.html"]
        version[lane] = 0
    outcomes = {"old": 0, "new": 0}

    def kill_round(use_slow: bool, scale: float) -> None:
        """Both lanes render the other version, each killed after a random delay
        (``scale`` stretches the delays); then each holds a whole pair."""
        started = []
        for lane in lanes:
            (lane / "in" / SCENARIO.name).write_bytes(texts[1 - version[lane]])
            delay = scale * (
                rng.uniform(t_slow - 3 * fsync, t_slow + 0.3)
                if use_slow
                else rng.uniform(0.5 * t_plain, 1.1 * t_plain)
            )
            p = _render(lane / "in" / SCENARIO.name, lane / "out", slow if use_slow else plain)
            started.append((delay, lane, p))
        t0 = time.perf_counter()
        for delay, _lane, p in sorted(started, key=lambda x: x[0]):
            time.sleep(max(0.0, delay - (time.perf_counter() - t0)))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
        for _delay, lane, p in started:
            p.communicate(timeout=120)
            d = lane / "out" / SCENARIO.stem
            # the pair (bom.xlsx carries a zip timestamp: not byte-reproducible)
            files = {x.name: x.read_bytes() for x in d.iterdir() if x.name in PAIR}
            old, new = refs[lane][version[lane]], refs[lane][1 - version[lane]]
            assert files in (old, new), f"mismatched or partial pair: {sorted(files)}"
            if files == new:
                version[lane] = 1 - version[lane]
            outcomes["new" if files == new else "old"] += 1

    trials = max(4, KILLS // 2)
    for k in range(0, trials, len(lanes)):
        kill_round((k // len(lanes)) % 2 == 1, 1.0)
    # The reference render was timed alone on a quiet machine; two renders at once on a
    # loaded one take longer (every kill lands early) or shorter.  Re-aim until the kills
    # have hit both sides of the replacement, each round still checked.
    scale = 1.0
    for _ in range(8):
        if outcomes["old"] and outcomes["new"]:
            break
        scale *= 1.6 if not outcomes["new"] else 1 / 1.6
        kill_round(False, scale)
        trials += len(lanes)
    print(f"pairs after {trials} killed renders: {outcomes}")
    assert outcomes["old"] and outcomes["new"], f"aim the kills better: {outcomes}"


def test_concurrent_renders_of_one_scenario(tmp_path: Path, reference: dict[str, bytes]) -> None:
    """Three renders of one scenario into one directory at once (slow fsync makes their
    writes overlap): all succeed, the files are the complete report, no temp file left."""
    out = tmp_path / "out"
    env = _env(tmp_path, slow=0.2)
    procs = [_render(SCENARIO, out, env) for _ in range(3)]
    for p in procs:
        _complete(p)
    d = out / SCENARIO.stem
    assert _check_whole(d, reference) == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}
    assert sorted(p.name for p in d.iterdir()) == [
        "bom.csv",
        "bom.xlsx",
        "report.html",
        "report.pdf",
    ]


# ----------------------------------------------------------------------------- in-process


def test_files_named_like_temp_files_are_the_users(tmp_path: Path) -> None:
    """Issue 18 finding 10: '.notes.abcdefgh.tmp' in the report directory was removed as a
    stale temp file.  Only staging directories the writer listed in out/.sizer-staging
    are cleaned up, and in them only report files; every other file is kept."""
    from sizer.report.write import write_files

    d = tmp_path / "out" / "s"
    d.mkdir(parents=True)
    keep = [
        d / ".notes.abcdefgh.tmp",
        d / ".report.html.ab_cd123.tmp",
        d / "notes.txt",
        d / ".hidden",
    ]
    for p in keep:
        p.write_bytes(b"user's")
    write_files(tmp_path / "out", "s", {"report.html": b"<html></html>"})
    assert all(p.read_bytes() == b"user's" for p in keep)
    assert (d / "report.html").read_bytes() == b"<html></html>"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s"]


def test_a_killed_writers_staging_directory_is_finished(tmp_path: Path) -> None:
    """A writer killed after the swap leaves the old directory (with a user file) at its
    listed staging path: the next writer moves the user file home and removes the rest;
    an unlisted directory of the same shape is not touched."""
    from sizer.report.write import JOURNAL, write_files

    out = tmp_path / "out"
    (out / "s").mkdir(parents=True)
    (out / "s" / "report.html").write_bytes(b"new")
    old = out / ".sizer-s.abcd1234"
    old.mkdir()
    (old / "report.html").write_bytes(b"old")
    (old / "report.pdf").write_bytes(b"old")
    (old / "notes.txt").write_bytes(b"user's")
    mine = out / ".sizer-s.zzzzzzzz"  # looks like one, but not listed: the user's
    mine.mkdir()
    (mine / "report.html").write_bytes(b"user's")
    (out / JOURNAL).write_text(f"{old.name}\n", encoding="utf-8")
    write_files(out, "s", {"report.html": b"newer"})
    assert sorted(p.name for p in out.iterdir()) == [".sizer-s.zzzzzzzz", "s"]
    assert sorted(p.name for p in (out / "s").iterdir()) == ["notes.txt", "report.html"]
    assert (out / "s" / "notes.txt").read_bytes() == b"user's"
    assert (mine / "report.html").read_bytes() == b"user's"


def test_disk_full_leaves_the_previous_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 finding 8: on a full disk (ENOSPC on the PDF) a first render left
    report.html, a second a new HTML beside the old PDF.  Now: nothing, then the old pair."""
    import errno

    from sizer.report import write as w

    out = tmp_path / "out"
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *a: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, mode: str = "r") -> object:
        fh = real_fdopen(fd, mode)
        return Full(fh) if fh.name and "pdf" in _fd_path(fd) else fh

    def _fd_path(fd: int) -> str:
        return os.readlink(f"/proc/self/fd/{fd}")

    pair = {"report.html": b"<html>2</html>", "report.pdf": b"%PDF-2"}
    with monkeypatch.context() as m:
        m.setattr(w.os, "fdopen", fdopen)
        with pytest.raises(OSError, match="No space left"):
            w.write_files(out, "s", pair)
    assert not out.exists()
    w.write_files(out, "s", {"report.html": b"<html>1</html>", "report.pdf": b"%PDF-1"})
    with monkeypatch.context() as m:
        m.setattr(w.os, "fdopen", fdopen)
        with pytest.raises(OSError, match="No space left"):
            w.write_files(out, "s", pair)
    assert sorted(p.name for p in out.iterdir()) == ["s"]
    assert (out / "s" / "report.html").read_bytes() == b"<html>1</html>"
    assert (out / "s" / "report.pdf").read_bytes() == b"%PDF-1"


def test_multi_file_render_writes_nothing_when_one_target_is_refused(tmp_path: Path) -> None:
    """Issue 18 finding 9: `render a.yaml b.yaml` with b's directory refused wrote a's
    report and said nothing was written.  Now every target is checked first."""
    from click.testing import CliRunner

    from sizer.cli import cli

    src = tmp_path / "in"
    src.mkdir()
    for stem in ("a", "b"):
        (src / f"{stem}.yaml").write_bytes(SCENARIO.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "b").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    argv = ["render", str(src / "a.yaml"), str(src / "b.yaml"), "--out", str(out)]
    r = CliRunner().invoke(cli, [*argv, "--format", "html"])
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == (
        f"{out}: {out}/b is a symbolic link; refusing to write through it (choose another --out)\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["b"]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        # a stem that had to change gets 8 hex digits of its SHA-256 (issue 18: 'a b',
        # 'a\\nb' and 'a\\x1bb' all became 'a-b/' and overwrote each other)
        ("..", "scenario-5ec1f7e7"),
        ("...", "scenario-ab5df625"),
        (".hidden", "hidden-16924190"),
        ("-rf", "rf-686c39ac"),
        ("a b\tc", "a-b-c-b314d97e"),
        ("\x1b[31mred\x1b[0m", "31mred-0m-f0fdc93e"),
        ("名前", "scenario-7ec26292"),
        ("CON", "CON"),
        ("x" * 240, "x" * 91 + "-718df670"),
        ("..%2F..%2Fetc%2Fpasswd", "2F..-2Fetc-2Fpasswd-e2171174"),
    ],
)
def test_output_directory_from_hostile_stems(
    tmp_path: Path, valid_scenario: str, stem: str, expected: str
) -> None:
    """The scenario file's stem names the output directory: one safe component under --out."""
    from sizer.report import render_files

    src = tmp_path / "in"
    src.mkdir()
    f = src / f"{stem}.yaml"
    f.write_text(valid_scenario, encoding="utf-8")
    out = tmp_path / "out"
    written = render_files([f], out, formats=("html",))
    assert [p.relative_to(out).as_posix() for p in written] == [f"{expected}/{n}" for n in HTML_SET]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_stems_that_sanitise_alike_get_their_own_directories(
    tmp_path: Path, valid_scenario: str
) -> None:
    """Issue 18: 'a b', 'a\\nb', 'a\\x1bb' all wrote to out/a-b/, across runs too."""
    from sizer.report import render_files

    names = set()
    for stem in ["a b", "a\nb", "a\x1bb", "a-b"]:
        f = tmp_path / f"{stem}.yaml"
        f.write_text(valid_scenario, encoding="utf-8")
        written = render_files([f], tmp_path / "out", formats=("html",))
        names.add(written[0].parent.name)
    assert sorted(names) == ["a-b", "a-b-1b036bb7", "a-b-7e18f737", "a-b-c8687a08"]


def test_scenario_name_does_not_name_files(tmp_path: Path, valid_scenario: str) -> None:
    """``name: /etc/x`` or ``../../x`` is a title only; the file stem names the directory."""
    from sizer.report import render_files

    for i, name in enumerate(["/etc/x", "../../x", "C:\\\\Windows\\\\x", "~root/x"]):
        f = tmp_path / f"s{i}.yaml"
        f.write_text(valid_scenario.replace("fixture POD", f'"{name}"'), encoding="utf-8")
        written = render_files([f], tmp_path / "out", formats=("html",))
        assert [p.relative_to(tmp_path).as_posix() for p in written] == [
            f"out/s{i}/{n}" for n in HTML_SET
        ]
    assert not Path("/etc/x").exists()


def test_symlinked_report_dir_is_refused(runner: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sizer.cli import cli

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / SCENARIO.stem).symlink_to(elsewhere, target_is_directory=True)
    r = CliRunner().invoke(cli, ["render", str(SCENARIO), "--out", str(out), "--format", "html"])
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        f"{out}: {out}/{SCENARIO.stem} is a symbolic link; refusing to write through it "
        "(choose another --out)\n"
    )
    assert list(elsewhere.iterdir()) == []


def test_symlinked_report_file_is_not_overwritten(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sizer.cli import cli

    secret = tmp_path / "secret.txt"
    secret.write_text("do not overwrite\n", encoding="utf-8")
    d = tmp_path / "out" / SCENARIO.stem
    d.mkdir(parents=True)
    (d / "report.html").symlink_to(secret)
    r = CliRunner().invoke(
        cli, ["render", str(SCENARIO), "--out", str(tmp_path / "out"), "--format", "html"]
    )
    assert r.exit_code == 2
    assert r.stderr == (
        f"{tmp_path / 'out'}: {d}/report.html is not a regular file; refusing to replace it "
        "(choose another --out)\n"
    )
    assert secret.read_text(encoding="utf-8") == "do not overwrite\n"
    assert (d / "report.html").is_symlink()
    assert sorted(p.name for p in d.iterdir()) == ["report.html"]  # no temp file left


def test_report_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sizer.cli import cli

    d = tmp_path / "out" / SCENARIO.stem
    (d / "report.pdf").mkdir(parents=True)
    r = CliRunner().invoke(cli, ["render", str(SCENARIO), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert "report.pdf is not a regular file; refusing to replace it" in r.stderr


def test_out_itself_may_be_a_symlink(tmp_path: Path) -> None:
    """``--out reports`` where ``reports -> /big/disk/reports``: the user chose it."""
    from sizer.report import render_files

    target = tmp_path / "disk"
    target.mkdir()
    link = tmp_path / "reports"
    link.symlink_to(target, target_is_directory=True)
    written = render_files([SCENARIO], link, formats=("html",))
    assert (target / SCENARIO.stem / "report.html").is_file()
    assert [p.name for p in written] == list(HTML_SET)
