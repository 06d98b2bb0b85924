"""A user's price list (``--prices FILE``): part id -> price per unit, YAML or CSV.

Untrusted input, read like a scenario: YAML through :mod:`sizer.yamlfile` (safe-loaded,
every value located), CSV through :mod:`csv` with its line and column; every problem of
the file is one located :class:`~sizer.errors.Problem` (``file:line:col: field:
message``), all of them in one :class:`~sizer.errors.SizerInputError`.  A part id the
caller does not know is an error with the nearest known ids.  No prices are shipped.

YAML::

    currency: EUR            # optional; without it totals are in "price units"
    prices:
      dgx-h100: 350000       # catalog id of a server, storage unit or switch
      MMA4Z00-NS: 1200       # vendor part number of a cable or transceiver
      QSFP28 passive copper DAC: 90   # a part without a part number: as the BOM names it

CSV: a header ``part,price`` (an optional third column ``currency``, the same on every
row that fills it), then one row per part.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sizer.errors import Problem, SizerInputError, input_error, shown
from sizer.limits import MAX_FILE_BYTES, env_int
from sizer.yamlfile import locate, parse_yaml_text

__all__ = ["PriceList", "read_prices"]

#: largest price accepted (a typo guard: 10^12 price units per part)
MAX_PRICE = 1e12


@dataclass(frozen=True)
class PriceList:
    """Prices per unit by part id, in ``currency`` (None: not stated)."""

    file: str
    currency: str | None
    prices: dict[str, float]

    @property
    def unit(self) -> str:
        """How amounts are labeled: the currency as the file gives it, else "price units"."""
        return self.currency or "price units"


def _near(word: str, known: Collection[str]) -> str | None:
    by_low = {k.lower(): k for k in sorted(known)}
    w = word.lower()
    scored = [(difflib.SequenceMatcher(None, w, k).ratio(), k) for k in by_low]
    # best first, ties in alphabetical order: the same hint every run
    close = [k for r, k in sorted(scored, key=lambda t: (-t[0], t[1])) if r >= 0.6][:3]
    return ("did you mean " + ", ".join(repr(by_low[c]) for c in close) + "?") if close else None


def _price(value: object) -> tuple[float | None, str | None]:
    """The price ``value`` means, or the message saying why it is none."""
    if isinstance(value, bool) or value is None:
        return None, f"{shown(value)} is not a price; write a number, e.g. 1200"
    if isinstance(value, int | float):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None, f"{shown(value)} is not a price; write a plain number, e.g. 1200.50"
    else:
        return None, f"a {type(value).__name__} is not a price; write a number, e.g. 1200"
    if not math.isfinite(x) or x < 0:
        return None, f"{shown(value)} is not a price; it must be a number >= 0"
    if x > MAX_PRICE:
        return None, f"{shown(value)} is more than {MAX_PRICE:.0e} per part; check the file"
    return x, None


def _currency(value: object) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not value.strip() or len(value) > 20:
        return None, f"{shown(value)} is not a currency; write e.g. USD or EUR"
    if not value.strip().isprintable():
        return None, f"{shown(value)} is not a currency; write e.g. USD or EUR"
    return value.strip(), None


def _read(path: Path, name: str) -> bytes:
    limit = env_int("SIZER_MAX_FILE_BYTES", MAX_FILE_BYTES)

    def bad(msg: str) -> SizerInputError:
        return input_error(name, msg, type="file")

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise bad("is not a regular file; give a YAML or CSV price list")
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise bad("no such file") from None
    except IsADirectoryError:
        raise bad("is a directory; give a YAML or CSV price list") from None
    except OSError as e:
        raise bad(f"cannot read: {e.strerror or e}") from None
    if len(raw) > limit:
        raise bad(f"is larger than {limit:,} bytes")
    return raw


def read_prices(path: str | os.PathLike[str], known: Collection[str]) -> PriceList:
    """Read a price list; ``known`` are the part ids a price may be given for.

    A ``.csv`` file is CSV, anything else YAML.

    Raises
    ------
    SizerInputError
        Every problem of the file, located.
    """
    p = Path(path)
    name = os.fspath(path)
    raw = _read(p, name)
    if p.suffix.lower() == ".csv":
        return _from_csv(raw, name, known)
    return _from_yaml(raw, name, known)


def _from_yaml(raw: bytes, name: str, known: Collection[str]) -> PriceList:
    doc = parse_yaml_text(raw, name, kind="prices", keep_going=True)
    problems = list(doc.problems)

    def at(
        loc: tuple[str | int, ...], field: str, msg: str, hint: str | None = None, key: bool = True
    ) -> None:
        """A problem at the key of ``loc`` (an unknown name) or at its value."""
        line, col = locate(doc, loc, prefer_key=key)
        problems.append(Problem(name, line, col, field, msg, hint))

    data = doc.data if isinstance(doc.data, dict) else {}
    for key in data:
        if key not in ("currency", "prices"):
            at((key,), str(key), "unknown key", _near(str(key), ("currency", "prices")))
    currency = None
    if "currency" in data:
        currency, msg = _currency(data["currency"])
        if msg:
            at(("currency",), "currency", msg, key=False)
    prices: dict[str, float] = {}
    table = data.get("prices")
    if "prices" not in data:
        if not doc.left_out("prices"):
            at((), "prices", "missing", "add prices: with one 'part id: price' line per part")
    elif not isinstance(table, dict) or not table:
        at(("prices",), "prices", "must be 'part id: price' lines, at least one", key=False)
    else:
        for part, value in table.items():
            loc = ("prices", part)
            # a long id is quoted cut short (a 6,000-character key makes no error line)
            where = f"prices.{part}" if len(str(part)) <= 60 else f"prices.{shown(part)}"
            if part not in known:
                at(loc, where, "unknown part id", _near(str(part)[:200], known))
                continue
            x, msg = _price(value)
            if msg:
                at(loc, where, msg, key=False)
            elif x is not None:
                prices[str(part)] = x
    if problems:
        raise SizerInputError(sorted(problems, key=lambda q: (q.line or 0, q.col or 0)))
    return PriceList(name, currency, prices)


def _col(row: list[str], k: int) -> int:
    """1-based character column of field ``k`` of an unquoted CSV line."""
    return 1 if k == 0 else len(",".join(row[:k])) + 2


def _from_csv(raw: bytes, name: str, known: Collection[str]) -> PriceList:
    if b"\x00" in raw:
        raise input_error(name, "is a binary file, not CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise SizerInputError(
            [Problem(name, line, None, "", f"is not UTF-8 text: byte 0x{raw[e.start]:02x}")]
        ) from None
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text))
    try:
        numbered = [(reader.line_num, row) for row in reader]  # the line each row ends on
    except csv.Error as e:
        raise SizerInputError(
            [Problem(name, reader.line_num, None, "", f"is not valid CSV: {e}")]
        ) from None
    rows = [row for _, row in numbered]
    if not rows or not any(c.strip() for c in rows[0]):
        raise SizerInputError(
            [Problem(name, 1, 1, "", "is empty", "start with a header: part,price")]
        )
    header = [c.strip().lower() for c in rows[0]]
    if header[:2] != ["part", "price"] or header[2:] not in ([], ["currency"]):
        raise SizerInputError(
            [
                Problem(
                    name,
                    1,
                    1,
                    "header",
                    f"{shown(','.join(rows[0]))} is not the header",
                    "write part,price (or part,price,currency)",
                )
            ]
        )
    prices: dict[str, float] = {}
    first_line: dict[str, int] = {}
    currencies: set[str] = set()
    for i, row in numbered[1:]:
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2 or len(row) > len(header):
            problems.append(Problem(name, i, 1, "", f"{len(row)} fields; write part,price", None))
            continue
        part = row[0].strip()
        if part not in known:
            problems.append(
                Problem(name, i, 1, f"part {shown(part)}", "unknown part id", _near(part, known))
            )
        elif part in first_line:
            problems.append(
                Problem(
                    name,
                    i,
                    1,
                    f"part {shown(part)}",
                    f"priced twice (first on line {first_line[part]})",
                )
            )
        x, msg = _price(row[1])
        if msg:
            problems.append(Problem(name, i, _col(row, 1), f"price of {shown(part)}", msg))
        if len(row) == 3 and row[2].strip():
            cur, cmsg = _currency(row[2])
            if cmsg:
                problems.append(Problem(name, i, _col(row, 2), "currency", cmsg))
            elif cur is not None:
                currencies.add(cur)
        if part in known and part not in first_line and x is not None:
            prices[part] = x
            first_line[part] = i
    if len(currencies) > 1:
        problems.append(
            Problem(
                name,
                None,
                None,
                "currency",
                f"more than one currency ({', '.join(sorted(currencies))})",
                "use one currency per price list",
            )
        )
    if not prices and not problems:
        problems.append(Problem(name, 2, 1, "", "no prices", "add one part,price row per part"))
    if problems:
        raise SizerInputError(problems)
    return PriceList(name, next(iter(currencies), None), prices)
