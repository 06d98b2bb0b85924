"""The examples in sizer's docstrings run and print what they say (STYLE.md 6).

Every ``>>>`` example of every module in ``sizer/`` is run with the repository as the
working directory (examples name ``scenarios/*.yaml``); the shell modules (``cli``,
``console``, ``report``) are left to their own tests, which run the real commands.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHELL = ("sizer.cli", "sizer.console", "sizer.report", "sizer.__main__")


def _modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "sizer").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not name.startswith(SHELL):
            out.append(name)
    return out


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples:
            runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples in {name} failed"
