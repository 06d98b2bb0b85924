"""Parse and print quantities: sizes in bytes, rates in bytes/s, with explicit units.

Conventions (one place; everything else calls this module):

* Decimal SI for bytes and for bits/s: ``1 GB = 10**9 B``, ``100 Gb/s = 12.5 GB/s``.
* Binary prefixes only where spelled binary: ``KiB MiB GiB TiB PiB`` (GPU memory).
* ``B`` is a byte, ``b`` (or ``bit``) a bit.  ``Gb/s``, ``Gbps``, ``Gbit/s`` are bits;
  ``GB/s``, ``GBps``, ``GByte/s`` are bytes.  Spellings whose case makes bits and bytes
  indistinguishable (``gbps``, ``GBPS``, ``100 G``) are rejected as ambiguous.
* Internally every size is a float number of bytes and every rate a float of bytes/s.

Examples
--------
>>> parse_rate("100 Gb/s")
12500000000.0
>>> parse_rate("40GB/s")
40000000000.0
>>> parse_size("80 GiB")
85899345920.0
>>> format_rate(40e9)
'40.0 GB/s'
>>> format_bits_rate(12.5e9)
'100 Gb/s'
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated, Any

from sizer.errors import UnitError

__all__ = [
    "Bytes",
    "BytesPerSec",
    "format_bits_rate",
    "format_bytes",
    "format_gib",
    "format_rate",
    "parse_rate",
    "parse_size",
]

_DECIMAL = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_BINARY = {"Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}

_NUMBER = r"(?P<num>[+-]?(?:\d+(?:[_,]\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
# re.ASCII: "\d" would match any script's digits ("٤٠ GB/s" read as 40 GB/s); the JSON
# Schema pattern (ECMA-262) accepts ASCII digits only.
_QTY = re.compile(r"^\s*" + _NUMBER + r"\s*(?P<unit>[A-Za-z/]*)\s*$", re.ASCII)

# size units: prefix + "B" (bytes) or prefix + "b"/"bit" (bits)
_SIZE_UNIT = re.compile(r"^(?P<prefix>[kKMGTPE]i?|)(?P<base>B|Byte|Bytes|byte|bytes|b|bit|bits)$")
# rate units: size unit + "/s" | "ps"
_RATE_UNIT = re.compile(
    r"^(?P<prefix>[kKMGTPE]i?|)(?P<base>B|Byte|Bytes|byte|bytes|b|bit|bits)(?P<per>/s|/sec|ps)$"
)


def _split(text: str, what: str) -> tuple[float, str, str]:
    """``"1,000 GB/s"`` -> ``(1000.0, "GB/s", "1,000")``."""
    m = _QTY.match(text)
    if not m:
        raise UnitError(
            f"{text!r} is not a {what}; write a number and a unit, e.g. {_EXAMPLE[what]}"
        )
    num = float(m.group("num").replace("_", "").replace(",", ""))
    if not math.isfinite(num):
        raise UnitError(f"{text!r} is not a finite number")
    return num, m.group("unit"), m.group("num")


_EXAMPLE = {"size": "'110 KB' or '80 GiB'", "rate": "'40 GB/s' or '100 Gb/s'"}


def _number(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond 1.8e308
        raise UnitError(f"a {int(value).bit_length()}-bit number is too large") from None


def _multiplier(prefix: str) -> float:
    if prefix.endswith("i"):
        return _BINARY[prefix[0].upper() + "i"]
    return _DECIMAL[prefix]


def parse_size(value: Any) -> float:
    """Parse a size to bytes.

    Parameters
    ----------
    value : str | int | float
        ``"110 KB"``, ``"80 GiB"``, ``"2 PB"``, ``"512 Mb"`` (bits) or a plain number of bytes.

    Returns
    -------
    float
        Bytes (decimal SI unless the unit is binary).

    Raises
    ------
    UnitError
        Unparseable, negative, non-finite, ambiguous case (``"10 gb"``), or a rate given
        where a size is needed.

    Examples
    --------
    >>> parse_size("110 KB"), parse_size("1 KiB"), parse_size("8 kb")
    (110000.0, 1024.0, 1000.0)
    """
    return _parse(value, "size")


def parse_rate(value: Any) -> float:
    """Parse a data rate to bytes per second.

    Parameters
    ----------
    value : str | int | float
        ``"100 Gb/s"`` / ``"100 Gbps"`` / ``"100 Gbit/s"`` (bits per second, decimal),
        ``"12.5 GB/s"`` / ``"40GB/s"`` / ``"40 GBps"`` (bytes per second), or a plain number
        of bytes/s.

    Returns
    -------
    float
        Bytes per second.

    Raises
    ------
    UnitError
        Unparseable, negative, non-finite, ambiguous case (``"100 gbps"``), or a size
        (``"40 GB"``) where a rate is needed.

    Examples
    --------
    >>> parse_rate("100 Gbps"), parse_rate("12.5 GB/s"), parse_rate("1e3 GB/s")
    (12500000000.0, 12500000000.0, 1000000000000.0)
    """
    return _parse(value, "rate")


def _parse(value: Any, want: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnitError(f"{value!r} is not a {want}; write e.g. {_EXAMPLE[want]}")
    if not isinstance(value, str):
        return _nonneg(_number(value), value)
    num, unit, digits = _split(value, want)
    if unit == "":
        return _nonneg(num, value)
    size, rate = _SIZE_UNIT.match(unit), _RATE_UNIT.match(unit)
    m = size if want == "size" else rate
    if m is None:
        if want == "size" and rate is not None:
            raise UnitError(
                f"{value!r} is a rate, but a size is needed here; write "
                f"'{digits} {rate.group('prefix')}{rate.group('base')}'"
            )
        if want == "rate" and size is not None:
            raise UnitError(
                f"{value!r} is a size, but a rate is needed here; write '{digits} {unit}/s'"
            )
        raise _bad_unit(value, digits, unit, want)
    bits = m.group("base") in ("b", "bit", "bits")
    result = num * _multiplier(m.group("prefix")) / (8.0 if bits else 1.0)
    return _nonneg(result, value)


# A unit read without regard to case, to say what a mistyped one probably meant.
_LOOSE_UNIT = re.compile(
    r"^(?P<prefix>[kmgtpe])?(?P<binary>i)?(?P<base>b|bit|bits|byte|bytes)?(?P<per>/s|/sec|ps)?$"
)


def _bad_unit(value: str, digits: str, unit: str, want: str) -> UnitError:
    """The error for a unit that is not valid as written (wrong case, ambiguous, unknown)."""
    m = _LOOSE_UNIT.match(unit.lower())
    if m is None or not (m.group("prefix") or m.group("base")):
        if want == "size":
            return UnitError(
                f"{value!r}: unknown size unit {unit!r}; use B, kB, MB, GB, TB, PB, "
                "KiB, MiB, GiB, TiB (bytes) or kb, Mb, Gb (bits)"
            )
        return UnitError(
            f"{value!r}: unknown rate unit {unit!r}; write e.g. '{digits} GB/s' (bytes) "
            f"or '{digits} Gb/s' (bits)"
        )
    letter = m.group("prefix") or ""
    prefix = "k" if letter == "k" and not m.group("binary") else letter.upper()
    prefix += "i" if m.group("binary") else ""
    per = "/s" if want == "rate" else ""
    start = (
        f"{value!r} is a rate, but a size is needed here"
        if (want == "size" and m.group("per"))
        else f"{value!r}: {unit!r}"
    )
    base = m.group("base")
    letters = [c for c in unit if c.isalpha()]
    one_case = len(letters) > 1 and (unit.lower() == unit or unit.upper() == unit)
    if base is None or (base == "b" and one_case):
        if start.endswith(f"{unit!r}"):
            start += " does not say bits or bytes"
        return UnitError(
            f"{start}; write '{digits} {prefix}b{per}' (bits) or '{digits} {prefix}B{per}' (bytes)"
        )
    if base == "b":  # mixed case: the b/B was typed on purpose, the prefix case was not
        base = unit[len(letter) + len(m.group("binary") or "")]
    if start.endswith(f"{unit!r}"):
        start = f"{value!r}: unit {unit!r} is not written as sizer reads it"
    return UnitError(f"{start}; write '{digits} {prefix}{base}{per}'")


def _nonneg(x: float, original: Any) -> float:
    if not math.isfinite(x):
        raise UnitError(f"{original!r} is not a finite number")
    if x < 0:
        raise UnitError(f"{original!r} is negative; it must be 0 or more")
    return x


_STEPS = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")]


def _scale(x: float) -> tuple[float, str]:
    for factor, prefix in _STEPS:
        if abs(x) >= factor:
            return x / factor, prefix
    return x, ""


def format_bytes(n: float, digits: int = 1) -> str:
    """Format a size in decimal units: ``format_bytes(114660) == '114.7 kB'``.

    >>> format_bytes(2e15)
    '2.0 PB'
    """
    v, p = _scale(float(n))
    return f"{v:.{digits}f} {p}B"


def format_rate(bytes_per_sec: float, digits: int = 1) -> str:
    """Format a rate in decimal bytes per second: ``format_rate(4e10) == '40.0 GB/s'``."""
    v, p = _scale(float(bytes_per_sec))
    return f"{v:.{digits}f} {p}B/s"


def format_bits_rate(bytes_per_sec: float) -> str:
    """Format a rate as a link rate in bits per second: ``format_bits_rate(12.5e9) == '100 Gb/s'``."""
    v, p = _scale(float(bytes_per_sec) * 8.0)
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{text} {p}b/s"


def format_gib(n: float, digits: int = 2) -> str:
    """Format a memory size in binary GiB: ``format_gib(2**34) == '16.00 GiB'``."""
    return f"{float(n) / 2**30:.{digits}f} GiB"


# The same grammar as the parser, in ECMA-262 syntax for JSON Schema (editors check it).
_NUM_PATTERN = r"\+?(?:\d+(?:[_,]\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT_PATTERN = r"(?:[kKMGTPE]i?)?(?:B|Byte|Bytes|byte|bytes|b|bit|bits)"


def _quantity_schema(number: str, suffix: str, example: str) -> dict[str, Any]:
    """A number (in ``number`` units) or a string with a unit, ``suffix`` after it."""
    return {
        "anyOf": [
            {"type": "number", "minimum": 0, "description": number},
            {
                "type": "string",
                "pattern": rf"^\s*{_NUM_PATTERN}\s*(?:{_UNIT_PATTERN}{suffix})?\s*$",
                "description": example,
            },
        ]
    }


_SIZE_SCHEMA = _quantity_schema("bytes", "", "size with unit, e.g. '110 KB', '80 GiB'")
_RATE_SCHEMA = _quantity_schema(
    "bytes per second", "(?:/s|/sec|ps)", "rate with unit, e.g. '40 GB/s', '100 Gb/s'"
)


def _size_validator(v: Any) -> float:
    try:
        return parse_size(v)
    except UnitError as e:  # pydantic wants ValueError; UnitError is one, keep the text
        raise ValueError(str(e)) from None


def _rate_validator(v: Any) -> float:
    try:
        return parse_rate(v)
    except UnitError as e:
        raise ValueError(str(e)) from None


if TYPE_CHECKING:
    #: A size in bytes; accepts ``"110 KB"``, ``"80 GiB"`` or a number of bytes.
    Bytes = float
    #: A rate in bytes/s; accepts ``"40 GB/s"``, ``"100 Gb/s"`` or a number of bytes/s.
    BytesPerSec = float

_PYDANTIC_TYPES: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``Bytes`` and ``BytesPerSec``, built on first use.

    They need pydantic, whose import costs ~70 ms; building them lazily keeps it out of
    ``sizer --help`` (the CLI imports this module for its formatting functions).
    """
    if name not in ("Bytes", "BytesPerSec"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _PYDANTIC_TYPES:
        from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

        for key, validator, schema in (
            ("Bytes", _size_validator, _SIZE_SCHEMA),
            ("BytesPerSec", _rate_validator, _RATE_SCHEMA),
        ):
            _PYDANTIC_TYPES[key] = Annotated[
                float,
                BeforeValidator(validator),
                PlainSerializer(lambda x: x, return_type=float),
                WithJsonSchema(schema),
            ]
    return _PYDANTIC_TYPES[name]
