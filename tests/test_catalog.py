"""Tests for sizer.catalog: every figure sourced, key figures, lookups, user catalogs."""

from __future__ import annotations

from sizer.catalog import load_catalog


def test_key_figures() -> None:
    cat = load_catalog()
    assert cat.get("storage", "ess-3000").read_bandwidth.value == 40e9
    assert cat.get("links", "edr-ib").effective_rate.value == 12.5e9
