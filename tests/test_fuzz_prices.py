"""Fuzzing price lists: a hostile ``--prices FILE`` with every command that takes one
ends in a result or clean error lines naming the file with exit 2, never a traceback
(issue 18).  The checks are those of tests/test_fuzz.py; the strategy is in
tests/strategies_prices.py; the long profile runs it too, with ``render``
(benchmarks/fuzz_long.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import strategies_prices as SP
from tests.test_fuzz import REPO, check_result, invoke, profile


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch directory shared by the examples of this module."""
    return tmp_path_factory.mktemp("fuzz-prices")


def check_price_command(work: Path, prices: tuple[str, bytes], cmd: list[str]) -> str:
    """One command on a shipped scenario with a hostile price list: a result (exit 0, or 1
    for ``size``), or clean error lines with exit 2 that name the price file."""
    fname, raw = prices
    p = work / fname
    p.write_bytes(raw)
    scen = str(REPO / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml")
    args = [cmd[0], scen]
    if cmd[0] == "compare":
        args.append(str(REPO / "scenarios" / "ra-4x-dgx1-2x-ess3000-single.yaml"))
    extra = ["--out", str(work / "out")] if cmd[0] == "render" else []
    r = invoke([*args, *cmd[1:], *extra, "--prices", str(p)])
    ok = (0, 1) if cmd[0] == "size" else (0,)
    check_result(r, [str(p), scen], json_out=r.exit_code == 0 and "--json" in cmd, ok_codes=ok)
    return "ok" if r.exit_code in (0, 1) else "rejected"


@profile(40)
@given(prices=SP.price_file(), cmd=st.sampled_from(SP.PRICE_COMMANDS))
def test_fuzz_hostile_price_list(work: Path, prices: tuple[str, bytes], cmd: list[str]) -> None:
    """YAML and CSV price lists with extreme prices, hostile ids and currencies and the
    wrong shapes, with size and compare."""
    check_price_command(work, prices, cmd)
