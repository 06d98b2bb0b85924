"""Hypothesis strategies for hostile price lists (``--prices FILE``, issue 18).

:func:`price_file` draws a YAML or CSV price list: known part ids (servers, units,
switches, cable part numbers of the shipped scenario's BOM) and unknown ones, prices
from the extreme figures of the catalog fuzzer (NaN, inf, negative, huge, unit strings),
hostile free text in ids and currencies, CSV rows with missing or extra columns, and
YAML of the wrong shape.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import strategies as st

from tests import strategies as S
from tests.strategies_catalog import EXTREME_FIGURES, HOSTILE_TEXT

#: part ids of ``scenarios/ra-1x-dgx1-1x-ess3000.yaml``'s BOM and near misses
PART_IDS = ["dgx-1", "ess-3000", "sb7800", "DGX-1", "dgx1", "ess3000", "MCP1600-E001", ""]
KNOWN = ["dgx-1", "ess-3000", "sb7800"]

#: commands that take ``--prices`` (``render`` is left to the long profile: it is slow)
PRICE_COMMANDS = [["size", "--json"], ["size"], ["compare", "--json"], ["compare"]]

_PRICES = st.one_of(
    st.sampled_from(EXTREME_FIGURES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**15), 10**15),
    st.sampled_from([True, None, [], {}, "12,000", "1e3", "€ 5", "0x10"]),
)
_PLAIN = st.one_of(st.integers(0, 10**9), st.floats(0, 1e9))
_IDS = st.one_of(st.sampled_from(PART_IDS), st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))


@st.composite
def price_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """``(file name, bytes)`` of a price list, ``.yaml`` or ``.csv``."""
    if draw(st.booleans()):
        shape = draw(st.integers(0, 5))
        # a usable list (known ids, plain prices) with a few hostile entries mixed in,
        # so that the commands also compute with prices, not only refuse them
        prices = draw(st.dictionaries(st.sampled_from(KNOWN), _PLAIN, min_size=1, max_size=3))
        if draw(st.booleans()):
            prices.update(draw(st.dictionaries(_IDS, _PRICES, max_size=4)))
        data: Any
        if shape == 0:  # the wrong shape at the top or in prices:
            data = draw(st.sampled_from([[], "prices", {"prices": []}, {"prices": "x"}]))
        else:
            data = {"prices": prices}
            if draw(st.booleans()):
                data["currency"] = draw(
                    st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(["EUR", "", 5]))
                )
            if draw(st.integers(0, 4)) == 0:
                data[draw(st.sampled_from(["price", "Prices", "curency"]))] = 1
        text = S.dump(data).encode("utf-8", "surrogatepass")
        return "prices.yaml", text
    out = io.StringIO()
    w = csv.writer(out)
    header = draw(
        st.sampled_from(
            [["part", "price"], ["part", "price", "currency"], ["price", "part"], ["part"], []]
        )
    )
    w.writerow(header)
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            row = [draw(st.sampled_from(KNOWN)), str(draw(_PLAIN))]
        else:
            row = [draw(_IDS), str(draw(_PRICES))]
        if draw(st.booleans()):
            row.append(draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.just("EUR"))))
        if draw(st.integers(0, 4)) == 0:
            row = row[: draw(st.integers(0, 1))]
        w.writerow(row)
    return "prices.csv", out.getvalue().encode("utf-8", "surrogatepass")
