"""Shared fixtures.  Keep this small: a fixture belongs here only if two test files use it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent

# CI runs the same examples every time (a red build is reproducible); locally hypothesis
# explores new ones.  Tests keep their own max_examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

# The report tests keep their fixtures and --update-golden in their own plugin module.
if (Path(__file__).parent / "conftest_report.py").exists():
    pytest_plugins = ["tests.conftest_report"]

#: A small valid scenario; tests derive bad ones from it with str.replace.
VALID_SCENARIO = """\
name: fixture POD
compute:
  - server: dgx-1
    count: 2
storage:
  - unit: ess-3000
    count: 1
network:
  topology: single-switch
  switch: sb7800
workloads:
  - model: resnet-50
    phase: training
    precision: fp16
    dataset: imagenet
"""


@pytest.fixture
def valid_scenario() -> str:
    """The text of a small valid scenario (2 DGX-1, 1 ESS 3000, one SB7800, ResNet-50)."""
    return VALID_SCENARIO


@pytest.fixture(scope="session")
def catalog() -> Any:
    """The built-in catalog, loaded once per test session."""
    from sizer.catalog import load_catalog

    return load_catalog()


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner()


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """``write_yaml(text, name="s.yaml")`` writes ``text`` into ``tmp_path`` and returns the path."""

    def write(text: str, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
