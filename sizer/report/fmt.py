"""The one place report numbers are turned into text.

Every figure the report prints goes through these helpers, with the same rounding as the
terminal (both take the shared ones from :mod:`sizer.text`) so that a number in the PDF can be checked
against ``sizer analyze --json``: apply the helper to the JSON value and look for the
result in the report's text (``tests/test_report_content.py`` does exactly that).

Examples
--------
>>> images(670968.0)
'670,968'
>>> rate(75618093600.0)
'75.6 GB/s'
>>> pct(0.6301507799999998)
'63%'
>>> factor(1.5869217840212786)
'1.59×'
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from sizer import text
from sizer.units import format_bits_rate, format_bytes, format_gib, format_rate

if TYPE_CHECKING:
    from sizer.analysis import Analysis
    from sizer.catalog import Catalog

__all__ = [
    "bits_rate",
    "capacity",
    "count",
    "factor",
    "gib",
    "images",
    "pct",
    "product_words",
    "rate",
    "short_product",
    "size",
    "watts",
]


def images(x: float | None) -> str:
    """Images (samples) per second, whole numbers with thousands separators."""
    if x is None or not math.isfinite(x):
        return "unbounded"
    return f"{x:,.0f}"


def rate(bytes_per_sec: float | None) -> str:
    """Bytes/s in decimal units, one decimal (``40.0 GB/s``), as :func:`sizer.units.format_rate`."""
    if bytes_per_sec is None or not math.isfinite(bytes_per_sec):
        return "unbounded"
    return format_rate(bytes_per_sec)


def bits_rate(bytes_per_sec: float) -> str:
    """A link rate in bits/s (``100 Gb/s``)."""
    return format_bits_rate(bytes_per_sec)


def pct(x: float | None) -> str:
    """A fraction 0..1 as a whole percentage, as the terminal prints it (``text.pct``)."""
    return text.pct(x, missing="–")


def factor(x: float | None) -> str:
    """A ratio such as headroom (capacity / load): ``1.59×``; ``–`` when unloaded."""
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.2f}×"


def capacity(value: float, unit: str) -> str:
    """A resource capacity: bytes/s, or images/s for host preprocessing."""
    if unit == "B/s":
        return rate(value)
    return f"{images(value)} {unit}"


def size(n: float | None) -> str:
    """A size in decimal units (``150.0 GB``)."""
    if n is None:
        return "–"
    return format_bytes(n)


def gib(n: float | None) -> str:
    """GPU memory in binary GiB, two decimals."""
    if n is None:
        return "–"
    return format_gib(n)


def count(n: float) -> str:
    """A whole count with thousands separators; halves kept (2.5 U)."""
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


#: power in W or kW, as the terminal prints it (:func:`sizer.text.watts`)
watts = text.watts


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_LINK_RATE = re.compile(r"(\d[\d.,]* [GT]b/s)\)$")
_ETHERNET = re.compile(r"^\d+ Gigabit Ethernet$")


def link_name(cat: Catalog | None, link_id: str) -> str:
    """A link type's catalog name (its id when the catalog does not know it), its rate
    said to be per direction.

    >>> from sizer.catalog import load_catalog
    >>> link_name(load_catalog(), "edr-ib")
    'InfiniBand EDR 4x (100 Gb/s per direction)'
    """
    if cat is not None and link_id in cat.links:
        return directional(cat.links[link_id].name)
    return link_id


def link_type(cat: Catalog | None, link_id: str) -> str:
    """A link type's catalog name without its rate, for a table column that names the
    type only (its id when the catalog does not know it).

    >>> from sizer.catalog import load_catalog
    >>> link_type(load_catalog(), "hdr-ib"), link_type(load_catalog(), "eth-200g")
    ('InfiniBand HDR 4x', '200 Gigabit Ethernet')
    """
    if cat is not None and link_id in cat.links:
        return cat.links[link_id].name.split(" (")[0]
    return link_id


def directional(name: str) -> str:
    """``... (100 Gb/s)`` -> ``... (100 Gb/s per direction)``: a link's nominal rate is
    each way at once, and the report says so every time."""
    if _ETHERNET.match(name):
        return f"{name} (per direction)"
    return _LINK_RATE.sub(r"\1 per direction)", name)


def workload_label(a: Analysis, index: int) -> str:
    """A workload's name as the scenario gives it, else e.g. ``AlexNet training (FP16,
    ImageNet ILSVRC2012 training set)``: catalog names, not ids."""
    spec = a.design.workloads[index]
    if spec.named:
        return spec.label
    extra = ", ".join(x for x in (spec.precision.upper(), dataset_words(spec)) if x)
    return f"{spec.model_name} {spec.phase}" + (f" ({extra})" if extra else "")


def dataset_words(spec: object) -> str:
    """A workload's dataset by its catalog name, parenthesis dropped (``KiTS19``); "" for
    none."""
    name = getattr(spec, "dataset_name", None) or getattr(spec, "dataset_id", None) or ""
    return str(name).split(" (")[0]


#: Vendor words dropped from a product name in labels.
VENDORS = ("NVIDIA/Mellanox ", "NVIDIA ", "Mellanox ", "IBM ")
#: Longest product label a diagram box or chart label takes before the id stands in.
SHORT_PRODUCT_CHARS = 18


def product_words(name: str) -> str:
    """A catalog name as a short product name, vendor and parenthesis dropped.

    >>> product_words("Mellanox SB7800 (Switch-IB 2, EDR)"), product_words("NVIDIA DGX-1")
    ('SB7800', 'DGX-1')
    """
    short = name.split(" (")[0]
    for v in VENDORS:
        if short.startswith(v):
            return short[len(v) :]
    return short


def short_product(name: str, entry_id: str) -> str:
    """A product label that fits a diagram box: :func:`product_words`, or for a long
    name the catalog id as a model number.

    >>> short_product("IBM Elastic Storage System 3000", "ess-3000")
    'ESS 3000'
    >>> short_product("NVIDIA Quantum-2 QM9700 (NDR)", "qm9700")
    'Quantum-2 QM9700'
    >>> short_product("Micron 9550 PRO 7.68 TB NVMe SSD", "micron-9550-pro")
    'Micron 9550 PRO'

    The id's parts are spelt as the name spells them, upper case where the name has no
    such word (``ess`` in "IBM Elastic Storage System 3000").
    """
    words = product_words(name)
    if len(words) <= SHORT_PRODUCT_CHARS:
        return words
    spelt = {w.lower(): w for w in re.split(r"[\s(),]+", name) if w}
    return " ".join(spelt.get(part, part.upper()) for part in entry_id.split("-"))
