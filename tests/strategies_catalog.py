"""Hypothesis strategies for user catalogs (``--catalog DIR``), as untrusted as scenarios.

:func:`catalog_data` overrides one to three built-in entries of any section with extreme
figures and hostile free text; :data:`CATALOG_COMMANDS` are the commands that load a
catalog.  Used by tests/test_fuzz_catalogs.py and benchmarks/fuzz_long.py (issue 18).
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.strategies import GPUS, LINKS

# ----------------------------------------------------------------------------- user catalogs

#: Catalog files whose entries a user catalog may override (every section).
CATALOG_FILES = [
    "links.yaml",
    "gpus.yaml",
    "servers.yaml",
    "switches.yaml",
    "storage.yaml",
    "datasets.yaml",
    "models.yaml",
]

#: Free text a terminal or a report could act on: escapes, markup, bidi, invisible, long.
HOSTILE_TEXT = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "[bold]x[/bold] [/]",
    "[link=http://evil.example]click[/link]",
    "a\u200bb",
    "\u200b",
    "\u202etxet",
    "a\r\nb",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "x" * 300,
    "word " * 1200,
    "名前",
    "",
    " ",
]

#: Catalog figure values at and beyond every rule: zero, negative, booleans, NaN/inf,
#: overflowing, unit strings of the wrong kind or script.
EXTREME_FIGURES: list[Any] = [
    0,
    -1,
    1,
    True,
    False,
    None,
    0.5,
    1e-308,
    1e17,
    1e19,
    1e308,
    2**63,
    10**30,
    float("nan"),
    float("inf"),
    float("-inf"),
    "0 GB/s",
    "-5 GB/s",
    "1e400 GB/s",
    "\u0664\u0660 GB/s",
    "40 GB",
    "100 Gb/s",
    "16 GiB",
    "many",
]


def _catalog_file(name: str) -> dict[str, Any]:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "catalog" / name).read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@st.composite
def catalog_data(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A user catalog file overriding one to three built-in entries of one section, with
    figures and free text replaced by extreme numbers and hostile strings.

    Returns ``(file name, data)``.
    """
    fname = draw(st.sampled_from(CATALOG_FILES))
    section, entries = next(iter(_catalog_file(fname).items()))
    picked = draw(
        st.lists(st.sampled_from(range(len(entries))), min_size=1, max_size=3, unique=True)
    )
    out = []
    for i in picked:
        entry = copy.deepcopy(entries[i])
        for key in list(entry):
            if draw(st.integers(0, 2)) != 0:
                continue
            value = entry[key]
            if isinstance(value, dict) and "value" in value:
                what = draw(st.sampled_from(["value", "value", "source", "note", "confidence"]))
                if what == "value":
                    value["value"] = draw(
                        st.one_of(
                            st.sampled_from(EXTREME_FIGURES),
                            st.floats(allow_nan=True, allow_infinity=True),
                            st.integers(-(10**6), 10**6),
                        )
                    )
                elif what == "confidence":
                    value["confidence"] = draw(st.sampled_from(["D", "X", "", True]))
                else:
                    value[what] = draw(st.sampled_from(HOSTILE_TEXT))
            elif key in ("name", "vendor", "family"):
                entry[key] = draw(st.sampled_from(HOSTILE_TEXT))
            elif key == "throughput" and isinstance(value, list) and value:
                row = value[draw(st.integers(0, len(value) - 1))]
                row["samples_per_sec"] = draw(st.sampled_from(EXTREME_FIGURES))
            elif key in ("link", "storage_link", "gpu", "dataset", "compute_link"):
                entry[key] = draw(st.sampled_from(["nope", "", "EDR-IB", *LINKS, *GPUS]))
        out.append(entry)
    return fname, {section: out}


#: Commands run against a scenario with a user catalog (every command that loads one).
CATALOG_COMMANDS = [
    ["analyze", "--json"],
    ["analyze"],
    ["size", "--json"],
    ["sweep", "--json"],
    ["failures", "--json"],
    ["catalog", "--json"],
    ["catalog"],
    ["validate"],
]
