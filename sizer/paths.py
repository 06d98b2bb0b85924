"""Where sizer's built-in data lives: ``sizer/_data/catalog`` inside an installed wheel
(pyproject.toml force-includes the top-level ``catalog/`` there), ``<repo>/catalog`` in a
source checkout.  No imports beyond the standard library, so that any module may ask."""

from __future__ import annotations

from pathlib import Path

__all__ = ["builtin_catalog_dir"]


def builtin_catalog_dir() -> Path:
    """The built-in catalog: ``sizer/_data/catalog`` in a wheel, ``<repo>/catalog`` in a
    source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "catalog"
    if packaged.is_dir():
        return packaged
    return here.parent / "catalog"
