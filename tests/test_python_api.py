"""The Python API (issue 16, finding 6): the README's "Python" example runs as a doctest,
every public name resolves lazily, the built-in catalog is the default, and every result
has ``to_json()``."""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sizer

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _python_section() -> str:
    section = README.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_readme_python_example_is_a_passing_doctest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    test = doctest.DocTestParser().get_doctest(_python_section(), {}, "README", "README.md", 0)
    assert len(test.examples) >= 8
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0


def test_package_docstring_and_analyze_doctests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = doctest.testmod(sizer)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize("name", sizer.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(sizer, name) is not None
    assert name in dir(sizer)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sizer.nope  # noqa: B018


def test_import_sizer_is_light() -> None:
    code = "import sys, sizer; dir(sizer); sizer.analyze; print(sorted(m for m in ('numpy', 'networkx', 'pydantic', 'scipy') if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_analyze_defaults_to_the_builtin_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    path = "scenarios/ra-9x-dgx1-3x-ess3000.yaml"
    a = sizer.analyze(sizer.load_scenario(path))
    b = sizer.analyze(sizer.load_scenario(path), sizer.load_catalog())
    assert a.to_json() == b.to_json() == sizer.analyze_design(sizer.load_design(path)).to_json()


def test_every_result_has_to_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    d = sizer.load_design("scenarios/ra-4x-dgx1-2x-ess3000-dual.yaml")
    results = [
        sizer.analyze_design(d),
        sizer.sweep(d, servers=[1, 2]),
        sizer.size_study(d),
        sizer.size_storage(d),
        sizer.failure_study(d),
        sizer.compare([d]),
        sizer.evaluate(d),
        sizer.estimate_memory("resnet-50", batch=32, image=(224, 224)),
    ]
    for r in results:
        j = r.to_json()
        assert isinstance(j, dict) and j, type(r)
    m = results[-1]
    assert isinstance(m, sizer.MemoryEstimate)
    assert m.to_json() == m.to_dict()
