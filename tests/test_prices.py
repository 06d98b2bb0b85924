"""sizer.prices: --prices FILE read like a scenario: YAML or CSV, every problem located
(file:line:col: field: message), unknown part ids with did-you-mean, exit 2 with nothing
written, on render, size and compare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sizer.catalog import load_catalog
from sizer.errors import SizerInputError
from sizer.loader import load_prices

CAT = load_catalog()
ROOT = Path(__file__).resolve().parent.parent
RA1 = ROOT / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"


def _problems(path: Path) -> list[str]:
    with pytest.raises(SizerInputError) as e:
        load_prices(path, CAT)
    return [p.format() for p in e.value.problems]


def test_yaml_prices_and_currency(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text("currency: EUR\nprices:\n  dgx-1: 150000\n  MMA4Z00-NS: 1200.5\n")
    got = load_prices(p, CAT)
    assert got.currency == "EUR" and got.unit == "EUR"
    assert got.prices == {"dgx-1": 150000.0, "MMA4Z00-NS": 1200.5}


def test_no_currency_is_price_units(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("part,price\ness-3000,200000\nQSFP28 passive copper DAC,90\n")
    got = load_prices(p, CAT)
    assert got.currency is None and got.unit == "price units"
    assert got.prices == {"ess-3000": 200000.0, "QSFP28 passive copper DAC": 90.0}


def test_yaml_every_problem_located(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(
        "currency: 5\n"
        "prices:\n"
        "  dgx-h10: 5\n"
        "  ess-3000: -3\n"
        "  sb7800: twenty\n"
        "  dgx-1: true\n"
        "extra: 1\n"
    )
    assert _problems(p) == [
        f"{p}:1:11: currency: 5 is not a currency; write e.g. USD or EUR",
        f"{p}:3:3: prices.dgx-h10: unknown part id (did you mean 'dgx-h100', 'dgx-1', 'dgx-a100'?)",
        f"{p}:4:13: prices.ess-3000: -3 is not a price; it must be a number >= 0",
        f"{p}:5:11: prices.sb7800: 'twenty' is not a price; write a plain number, e.g. 1200.50",
        f"{p}:6:10: prices.dgx-1: True is not a price; write a number, e.g. 1200",
        f"{p}:7:1: extra: unknown key",
    ]


def test_long_unknown_id_is_quoted_short(tmp_path: Path) -> None:
    """A 6,000-character part id (found by tests/test_fuzz_prices.py) makes one short
    error line that names the file, not a 6,000-character field."""
    p = tmp_path / "p.yaml"
    long_id = "word " * 1200
    p.write_text(f"prices:\n  dgx-1: 5\n  ? '{long_id}'\n  : 3\n")  # '?': a key over 1,024
    (line,) = _problems(p)
    assert line.startswith(f"{p}:3:5: prices.'word word word word word word word word ")
    assert line.endswith("... (6,000 characters): unknown part id")
    assert len(line) < 200 + len(str(p))


def test_yaml_duplicate_key_and_missing_prices(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text("prices:\n  dgx-1: 1\n  dgx-1: 2\n")
    (msg,) = _problems(p)
    assert msg.startswith(f"{p}:3:3:") and "duplicate" in msg
    q = tmp_path / "q.yaml"
    q.write_text("currency: USD\n")
    assert _problems(q) == [
        f"{q}:1:1: prices: missing (add prices: with one 'part id: price' line per part)"
    ]


def test_csv_every_problem_located(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text(
        "part,price,currency\n"
        "dgx-1,150000,USD\n"
        "dgx1,5,USD\n"
        "ess-3000,1e400,USD\n"
        "dgx-1,1,USD\n"
        "sb7800,20000,EUR\n"
    )
    assert _problems(p) == [
        f"{p}:3:1: part 'dgx1': unknown part id (did you mean 'dgx-1', 'dgx-2', 'dgx-a100'?)",
        f"{p}:4:10: price of 'ess-3000': '1e400' is not a price; it must be a number >= 0",
        f"{p}:5:1: part 'dgx-1': priced twice (first on line 2)",
        f"{p}: currency: more than one currency (EUR, USD) (use one currency per price list)",
    ]


def test_csv_bad_header(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("id,cost\ndgx-1,1\n")
    (msg,) = _problems(p)
    assert msg.startswith(f"{p}:1:1: header: ") and "part,price" in msg


def test_binary_and_missing_files(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_bytes(b"\x00\x01")
    assert "binary" in _problems(p)[0]
    assert _problems(tmp_path / "none.csv") == [f"{tmp_path / 'none.csv'}: no such file"]
    assert "directory" in _problems(tmp_path)[0]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sizer", *args], capture_output=True, text=True, cwd=ROOT
    )


@pytest.mark.parametrize("cmd", ["render", "size", "compare"])
def test_commands_exit_2_nothing_written(tmp_path: Path, cmd: str) -> None:
    p = tmp_path / "p.yaml"
    p.write_text("prices:\n  dgx-1: 1\n  ess-300: 2\n")
    out = tmp_path / "out"
    args = [cmd, str(RA1), "--prices", str(p)]
    if cmd == "render":
        args += ["--out", str(out), "--format", "html"]
    r = _run(*args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == (
        f"{p}:3:3: prices.ess-300: unknown part id (did you mean 'ess-3000', 'ess-3200', "
        "'ess-3500'?)"
    )
    assert not out.exists()
