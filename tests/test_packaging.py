"""The wheel ships the catalog and the report templates, and an installed sizer finds
them from outside the repository (issue 3: `pip install .` outside the repo)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("sizer-*.whl")
    return whl


def test_wheel_contains_catalog_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in (REPO / "catalog").glob("*.yaml"):
        assert f"sizer/_data/catalog/{f.name}" in names
    for f in (REPO / "templates").iterdir():
        assert f"sizer/_data/templates/{f.name}" in names
    assert not any(n.startswith(("tests/", "scenarios/", "output/")) for n in names)


def test_installed_wheel_works_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    scen = work / "pod.yaml"
    scen.write_text((REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml").read_text())
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import sizer.catalog as c, sys; "
        "d = c.builtin_catalog_dir(); print(d); sys.exit(0 if 'site' in str(d) else 1)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "sizer", "validate", "pod.yaml"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("pod.yaml: ok")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sizer",
            "render",
            "pod.yaml",
            "--format",
            "html",
            "--out",
            "reports",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert (work / "reports" / "pod" / "report.html").stat().st_size > 10_000
