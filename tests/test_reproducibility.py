"""Reproducibility: same scenario + catalog -> byte-identical JSON, HTML and PDF.

Each run is a fresh ``python -m sizer`` process with its own ``PYTHONHASHSEED`` (0, 4242
and ``random``), so set and dict orders that depend on string hashing would show.
``SOURCE_DATE_EPOCH`` fixes the report date; a different epoch changes only the date.
The report states the catalog hash (the first 12 hex digits of ``catalog_digest`` from
``analyze --json``), and a different catalog shows a different hash.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
#: one leaf-spine design with named groups and two workloads; one small RA design
LEAF = SCENARIOS / "dgx-h100-su-ndr-ess3500.yaml"
RA = SCENARIOS / "ra-9x-dgx1-3x-ess3000-mixed.yaml"
SEEDS = ["0", "4242", "random"]
EPOCH = "1700000000"  # 2023-11-14


def sizer(args: list[str], seed: str, epoch: str | None = EPOCH, cwd: Path = REPO) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    r = subprocess.run(
        [sys.executable, "-m", "sizer", *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def _first_difference(a: bytes, b: bytes) -> str:
    la, lb = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    diff = list(difflib.unified_diff(la, lb, lineterm="", n=0))
    return "\n".join(diff[:12])


@pytest.mark.parametrize(
    ("scenario", "seeds"), [(LEAF, SEEDS), (RA, ["0", "random"])], ids=["leaf-spine", "ra"]
)
def test_analyze_json_is_identical_across_hash_seeds(scenario: Path, seeds: list[str]) -> None:
    outs = {seed: sizer(["analyze", str(scenario), "--json"], seed) for seed in seeds}
    ref = outs["0"]
    json.loads(ref)
    for seed, out in outs.items():
        assert out == ref, f"PYTHONHASHSEED={seed}:\n{_first_difference(ref, out)}"
    # the date does not enter the analysis
    if scenario == LEAF:
        assert sizer(["analyze", str(scenario), "--json"], "7", epoch="1710000000") == ref


def test_report_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    """HTML, PDF and the BOM exports, two processes with different hash seeds: the same
    bytes."""
    files: dict[str, dict[str, bytes]] = {}
    for seed in ("0", "random"):
        out = tmp_path / f"out-{seed}"
        sizer(["render", str(LEAF), "--out", str(out)], seed)
        d = out / LEAF.stem
        files[seed] = {p.name: p.read_bytes() for p in sorted(d.iterdir())}
    ref = files["0"]
    assert set(ref) == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}
    for seed, got in files.items():
        assert got["bom.csv"] == ref["bom.csv"], f"bom.csv differs with PYTHONHASHSEED={seed}"
        assert got["bom.xlsx"] == ref["bom.xlsx"], f"bom.xlsx differs with PYTHONHASHSEED={seed}"
        assert got["report.html"] == ref["report.html"], (
            f"PYTHONHASHSEED={seed}:\n{_first_difference(ref['report.html'], got['report.html'])}"
        )
        assert got["report.pdf"] == ref["report.pdf"], f"PDF differs with PYTHONHASHSEED={seed}"


def test_report_date_is_the_only_difference_between_epochs(tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    sizer(["render", str(RA), "--out", str(a), "--format", "html"], "3", epoch=EPOCH)
    sizer(["render", str(RA), "--out", str(b), "--format", "html"], "4", epoch="1710000000")
    ha = (a / RA.stem / "report.html").read_text(encoding="utf-8").splitlines()
    hb = (b / RA.stem / "report.html").read_text(encoding="utf-8").splitlines()
    changed = [
        (x, y) for x, y in zip(ha, hb, strict=True) if x != y
    ]  # same line count: only lines changed
    assert changed, "the date did not change the report"
    for x, y in changed:
        assert "2023-11-14" in x and "2024-03-09" in y, (x, y)
        assert x.replace("2023-11-14", "2024-03-09") == y


def test_report_states_the_catalog_hash(tmp_path: Path) -> None:
    """The report names the catalog by the digest ``analyze --json`` gives; another catalog
    (a user directory overriding ess-3000) gives another digest, and the report says so."""
    from sizer.catalog import load_catalog

    extra = REPO / "tests" / "fixtures" / "catalog_extra"
    ra1 = SCENARIOS / "ra-1x-dgx1-1x-ess3000.yaml"
    digests = []
    for dirs in ([], [extra]):
        digest = load_catalog(dirs).digest()
        args = [x for d in dirs for x in ("--catalog", str(d))]
        out = tmp_path / f"out{len(digests)}"
        sizer(["render", str(ra1), "--out", str(out), "--format", "html", *args], "0")
        html = (out / ra1.stem / "report.html").read_text(encoding="utf-8")
        assert f"catalog <code>{digest[:12]}</code>" in html
        digests.append(digest)
    assert digests[0] != digests[1]
    assert all(len(d) == 64 for d in digests)
    # and analyze --json gives the same digest
    assert json.loads(sizer(["analyze", str(ra1), "--json"], "1"))["catalog_digest"] == digests[0]
