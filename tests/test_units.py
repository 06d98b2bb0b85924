"""Tests for sizer.units: every unit and spelling, every rejection word for word, round trips.

Conventions under test (see the module docstring): decimal SI for bytes and bits/s, binary
only where spelled binary (KiB...), ``B`` is a byte and ``b`` a bit, and a unit whose case
hides bits vs bytes (``gbps``, ``GBPS``, ``G``) is rejected.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sizer.errors import UnitError
from sizer.units import (
    _RATE_SCHEMA,
    _SIZE_SCHEMA,
    format_bits_rate,
    format_bytes,
    format_gib,
    format_rate,
    parse_rate,
    parse_size,
)

# (text, bytes per second).  100 Gb/s = 100e9 bits/s / 8 = 12.5e9 bytes/s.
RATES = [
    ("100 Gb/s", 12.5e9),
    ("100 Gbps", 12.5e9),
    ("100Gb/s", 12.5e9),
    ("100 Gbit/s", 12.5e9),
    ("100 Gbits/s", 12.5e9),
    ("100 Gb/sec", 12.5e9),
    ("12.5 GB/s", 12.5e9),
    ("40GB/s", 40e9),
    ("40 GBps", 40e9),
    ("40 GByte/s", 40e9),
    ("40 Gbyte/s", 40e9),
    ("40 GBytes/s", 40e9),
    ("40 GB/sec", 40e9),
    ("  40 GB/s  ", 40e9),
    ("1e3 GB/s", 1e12),
    ("1E3 GB/s", 1e12),
    ("1.5e-3 GB/s", 1.5e6),
    ("1,000 MB/s", 1e9),
    ("1_000 MB/s", 1e9),
    ("+5 GB/s", 5e9),
    (".5 GB/s", 0.5e9),
    ("5. GB/s", 5e9),
    ("0 GB/s", 0.0),
    ("10 B/s", 10.0),
    ("10 Bps", 10.0),
    ("80 b/s", 10.0),
    ("80 bps", 10.0),
    ("1 kB/s", 1e3),
    ("1 KB/s", 1e3),  # K and k are both decimal kilo
    ("8 kb/s", 1e3),
    ("8 Kb/s", 1e3),  # ... and b stays bits whatever the k
    ("8 kbps", 1e3),
    ("1 MB/s", 1e6),
    ("8 Mbps", 1e6),
    ("1 TB/s", 1e12),
    ("8 Tb/s", 1e12),
    ("1 PB/s", 1e15),
    ("1 EB/s", 1e18),
    ("1 KiB/s", 1024.0),
    ("1 MiB/s", 2.0**20),
    ("1 GiB/s", 2.0**30),
    ("8 Gib/s", 2.0**30),
    ("1 TiB/s", 2.0**40),
    ("40", 40.0),  # a bare number is bytes/s
    (40, 40.0),
    (12.5e9, 12.5e9),
]

# (text, bytes)
SIZES = [
    ("110 KB", 110e3),
    ("110 kB", 110e3),
    ("110KB", 110e3),
    ("80 GiB", 80 * 2.0**30),
    ("80 GB", 80e9),
    ("2 PB", 2e15),
    ("1 EB", 1e18),
    ("3 TB", 3e12),
    ("5 MB", 5e6),
    ("1 KiB", 1024.0),
    ("1 kiB", 1024.0),
    ("1 MiB", 2.0**20),
    ("1 GiB", 2.0**30),
    ("1 TiB", 2.0**40),
    ("1 PiB", 2.0**50),
    ("512 Mb", 64e6),  # bits: 512e6 / 8
    ("8 kb", 1e3),
    ("8 Kb", 1e3),
    ("8 Gbit", 1e9),
    ("16 bits", 2.0),
    ("8 b", 1.0),
    ("1 B", 1.0),
    ("3 bytes", 3.0),
    ("3 Bytes", 3.0),
    ("2 GByte", 2e9),
    ("1e3 GB", 1e12),
    ("1,281,167 B", 1281167.0),
    ("114660", 114660.0),
    (114660, 114660.0),
    (0, 0.0),
    (0.5, 0.5),
]


@pytest.mark.parametrize(("text", "expected"), RATES)
def test_parse_rate(text: object, expected: float) -> None:
    assert parse_rate(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "expected"), SIZES)
def test_parse_size(text: object, expected: float) -> None:
    assert parse_size(text) == pytest.approx(expected, rel=1e-12)


def test_bits_and_bytes_are_never_confused() -> None:
    """Same digits, b vs B: a factor of exactly 8, at every prefix."""
    for prefix in ["", "k", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti"]:
        assert parse_rate(f"8 {prefix}B/s") == 8 * parse_rate(f"8 {prefix}b/s")
        assert parse_size(f"8 {prefix}B") == 8 * parse_size(f"8 {prefix}b")


def test_returns_float() -> None:
    assert type(parse_rate(40)) is float
    assert type(parse_size("110 KB")) is float


# Every message word for word: (value, message).
RATE_ERRORS = [
    (
        "100 gbps",
        "'100 gbps': 'gbps' does not say bits or bytes; write '100 Gb/s' (bits) or "
        "'100 GB/s' (bytes)",
    ),
    (
        "100 GBPS",
        "'100 GBPS': 'GBPS' does not say bits or bytes; write '100 Gb/s' (bits) or "
        "'100 GB/s' (bytes)",
    ),
    (
        "100 G",
        "'100 G': 'G' does not say bits or bytes; write '100 Gb/s' (bits) or '100 GB/s' (bytes)",
    ),
    (
        "10 gb",
        "'10 gb': 'gb' does not say bits or bytes; write '10 Gb/s' (bits) or '10 GB/s' (bytes)",
    ),
    (
        "10 mbps",
        "'10 mbps': 'mbps' does not say bits or bytes; write '10 Mb/s' (bits) or '10 MB/s' (bytes)",
    ),
    ("10 gB/s", "'10 gB/s': unit 'gB/s' is not written as sizer reads it; write '10 GB/s'"),
    ("10 gbit/s", "'10 gbit/s': unit 'gbit/s' is not written as sizer reads it; write '10 Gbit/s'"),
    ("10 Gb/S", "'10 Gb/S': unit 'Gb/S' is not written as sizer reads it; write '10 Gb/s'"),
    ("40 GB", "'40 GB' is a size, but a rate is needed here; write '40 GB/s'"),
    ("40GB", "'40GB' is a size, but a rate is needed here; write '40 GB/s'"),
    ("100 Gb", "'100 Gb' is a size, but a rate is needed here; write '100 Gb/s'"),
    ("-20 GB/s", "'-20 GB/s' is negative; it must be 0 or more"),
    (-1, "-1 is negative; it must be 0 or more"),
    (float("nan"), "nan is not a finite number"),
    (float("inf"), "inf is not a finite number"),
    ("1e400 GB/s", "'1e400 GB/s' is not a finite number"),
    (10**400, "a 1329-bit number is too large"),
    (True, "True is not a rate; write e.g. '40 GB/s' or '100 Gb/s'"),
    (None, "None is not a rate; write e.g. '40 GB/s' or '100 Gb/s'"),
    ([40], "[40] is not a rate; write e.g. '40 GB/s' or '100 Gb/s'"),
    ("fast", "'fast' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'"),
    (
        "nan GB/s",
        "'nan GB/s' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'",
    ),
    ("inf", "'inf' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'"),
    ("", "'' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'"),
    ("GB/s", "'GB/s' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'"),
    (
        "1,5 GB/s",
        "'1,5 GB/s' is not a rate; write a number and a unit, e.g. '40 GB/s' or '100 Gb/s'",
    ),
    (
        "10 GB/s/s",
        "'10 GB/s/s': unknown rate unit 'GB/s/s'; write e.g. '10 GB/s' (bytes) or '10 Gb/s' (bits)",
    ),
    (
        "100 furlongs/s",
        "'100 furlongs/s': unknown rate unit 'furlongs/s'; write e.g. '100 GB/s' (bytes) or "
        "'100 Gb/s' (bits)",
    ),
]

SIZE_ERRORS = [
    ("40 GB/s", "'40 GB/s' is a rate, but a size is needed here; write '40 GB'"),
    ("8 Mbps", "'8 Mbps' is a rate, but a size is needed here; write '8 Mb'"),
    (
        "10 gbps",
        "'10 gbps' is a rate, but a size is needed here; write '10 Gb' (bits) or '10 GB' (bytes)",
    ),
    ("10 gb", "'10 gb': 'gb' does not say bits or bytes; write '10 Gb' (bits) or '10 GB' (bytes)"),
    (
        "10 GIB",
        "'10 GIB': 'GIB' does not say bits or bytes; write '10 Gib' (bits) or '10 GiB' (bytes)",
    ),
    ("10 gB", "'10 gB': unit 'gB' is not written as sizer reads it; write '10 GB'"),
    ("100 G", "'100 G': 'G' does not say bits or bytes; write '100 Gb' (bits) or '100 GB' (bytes)"),
    ("-1 GB", "'-1 GB' is negative; it must be 0 or more"),
    (False, "False is not a size; write e.g. '110 KB' or '80 GiB'"),
    ("big", "'big' is not a size; write a number and a unit, e.g. '110 KB' or '80 GiB'"),
    (
        "3 parsecs",
        "'3 parsecs': unknown size unit 'parsecs'; use B, kB, MB, GB, TB, PB, KiB, MiB, GiB, "
        "TiB (bytes) or kb, Mb, Gb (bits)",
    ),
]


@pytest.mark.parametrize(("value", "message"), RATE_ERRORS)
def test_parse_rate_rejects(value: object, message: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_rate(value)
    assert str(info.value) == message


@pytest.mark.parametrize(("value", "message"), SIZE_ERRORS)
def test_parse_size_rejects(value: object, message: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_size(value)
    assert str(info.value) == message


def test_unit_error_is_a_value_error() -> None:
    """pydantic turns ValueError into a located validation error; UnitError must be one."""
    assert issubclass(UnitError, ValueError)


# --------------------------------------------------------------------------- JSON Schema


def _ecma(pattern: str) -> re.Pattern[str]:
    """The schema patterns use only syntax that ECMA-262 and Python read alike."""
    assert "(?P" not in pattern
    return re.compile(pattern)


@pytest.mark.parametrize(("text", "expected"), [r for r in RATES if isinstance(r[0], str)])
def test_rate_schema_pattern_accepts_what_the_parser_accepts(text: str, expected: float) -> None:
    assert _ecma(_RATE_SCHEMA["anyOf"][1]["pattern"]).match(text)


@pytest.mark.parametrize(("text", "expected"), [s for s in SIZES if isinstance(s[0], str)])
def test_size_schema_pattern_accepts_what_the_parser_accepts(text: str, expected: float) -> None:
    assert _ecma(_SIZE_SCHEMA["anyOf"][1]["pattern"]).match(text)


@pytest.mark.parametrize("text", ["100 gbps", "100 GBPS", "100 G", "40 GB", "-20 GB/s", "fast"])
def test_rate_schema_pattern_rejects_what_the_parser_rejects(text: str) -> None:
    assert not _ecma(_RATE_SCHEMA["anyOf"][1]["pattern"]).match(text)


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("func", "value", "text"),
    [
        (format_bytes, 114660, "114.7 kB"),
        (format_bytes, 2e15, "2.0 PB"),
        (format_bytes, 0, "0.0 B"),
        (format_bytes, 999, "999.0 B"),
        (format_bytes, 1e21, "1000000.0 PB"),
        (format_rate, 40e9, "40.0 GB/s"),
        (format_rate, 12.5e9, "12.5 GB/s"),
        (format_rate, 1.5e6, "1.5 MB/s"),
        (format_bits_rate, 12.5e9, "100 Gb/s"),
        (format_bits_rate, 25e9, "200 Gb/s"),
        (format_bits_rate, 3.125e9, "25 Gb/s"),
        (format_bits_rate, 12.5e9 / 3, "33.33 Gb/s"),
        (format_gib, 2**34, "16.00 GiB"),
        (format_gib, 80 * 2**30, "80.00 GiB"),
    ],
)
def test_format(func: object, value: float, text: str) -> None:
    assert func(value) == text  # type: ignore[operator]


def test_format_digits() -> None:
    assert format_bytes(114660, digits=3) == "114.660 kB"
    assert format_rate(40e9, digits=0) == "40 GB/s"
    assert format_gib(2**30, digits=0) == "1 GiB"


# --------------------------------------------------------------------------- round trips

# 0 and 1 B .. 1 EB: every quantity sizer handles, from a byte to a few exabytes.
_QUANTITY = st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=1e19))


@given(_QUANTITY)
def test_size_round_trip(n: float) -> None:
    """format_bytes prints 6 decimals of a value in [1, 1000) x prefix: relative error <= 5e-7."""
    assert parse_size(format_bytes(n, digits=6)) == pytest.approx(n, rel=1e-6, abs=1e-6)


@given(_QUANTITY)
def test_rate_round_trip(r: float) -> None:
    assert parse_rate(format_rate(r, digits=6)) == pytest.approx(r, rel=1e-6, abs=1e-6)


@given(_QUANTITY)
def test_bits_rate_round_trip(r: float) -> None:
    """format_bits_rate keeps 2 decimals of a value in [1, 1000) x prefix: within 0.5%.

    The worst case is just above a prefix step: 126 B/s = 1008 b/s prints as '1.01 kb/s'.
    """
    assert parse_rate(format_bits_rate(r)) == pytest.approx(r, rel=0.005 * (1 + 1e-9))
    assert parse_rate(format_bits_rate(126.0)) == 126.25


@given(st.floats(min_value=0, max_value=2.0**60))
def test_gib_round_trip(n: float) -> None:
    assert parse_size(format_gib(n, digits=6)) == pytest.approx(n, abs=2**30 * 1e-6)


@given(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["", "k", "M", "G", "T", "P"]),
    st.sampled_from(["B", "b"]),
    st.sampled_from(["/s", "ps"]),
    st.sampled_from(["", " "]),
)
def test_any_valid_spelling_parses(n: int, prefix: str, base: str, per: str, gap: str) -> None:
    got = parse_rate(f"{n}{gap}{prefix}{base}{per}")
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}[prefix]
    assert got == pytest.approx(n * scale / (8 if base == "b" else 1))
    assert math.isfinite(got)


@given(st.text(max_size=20))
def test_garbage_raises_unit_error_or_parses(text: str) -> None:
    """Any string either parses to a finite non-negative float or raises UnitError."""
    for parse in (parse_rate, parse_size):
        try:
            value = parse(text)
        except UnitError:
            continue
        assert math.isfinite(value)
        assert value >= 0
