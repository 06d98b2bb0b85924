"""Fuzzing user catalogs: a hostile ``--catalog`` with every command that loads one ends in
a result or clean error lines with exit 2, never a traceback (issue 18).

The checks are those of tests/test_fuzz.py; the strategies are in
tests/strategies_catalog.py.  The long profile runs them too (benchmarks/fuzz_long.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import strategies as S
from tests import strategies_catalog as SC
from tests.test_fuzz import REPO, check_result, invoke, profile


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch directory shared by the examples of this module."""
    return tmp_path_factory.mktemp("fuzz-catalogs")


def check_catalog_command(work: Path, cat: tuple[str, dict[str, Any]], cmd: list[str]) -> str:
    """A hostile user catalog (issue 18) with one command on a shipped scenario: a result
    (exit 0, or 1 for ``size``), or clean error lines with exit 2."""
    fname, data = cat
    cat_dir = work / "hostile-cat"
    cat_dir.mkdir(exist_ok=True)
    for old in cat_dir.iterdir():
        old.unlink()
    (cat_dir / fname).write_bytes(S.dump(data).encode("utf-8", "surrogatepass"))
    scen = str(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml")
    args = [cmd[0]] if cmd[0] == "catalog" else [cmd[0], scen]
    r = invoke([*args, *cmd[1:], "--catalog", str(cat_dir)])
    ok = (0, 1) if cmd[0] == "size" else (0,)
    check_result(
        r, [str(cat_dir), scen], json_out=r.exit_code == 0 and "--json" in cmd, ok_codes=ok
    )
    return "ok" if r.exit_code in (0, 1) else "rejected"


@profile(15)
@given(cat=SC.catalog_data(), cmd=st.sampled_from(SC.CATALOG_COMMANDS))
def test_fuzz_hostile_user_catalog(
    work: Path, cat: tuple[str, dict[str, Any]], cmd: list[str]
) -> None:
    """Every section and figure of a user catalog, extreme numbers and hostile text, with
    every command that loads a catalog."""
    check_catalog_command(work, cat, cmd)
