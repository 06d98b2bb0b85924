"""A storage group may choose the link its units are cabled with, among those the
product is offered with (catalog ``link`` and ``other_links``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizer.catalog import load_catalog
from sizer.errors import SizerInputError
from sizer.loader import load_design

CAT = load_catalog()
UNIT = "hpe-clusterstor-e1000-ssu-f"


def _write(tmp_path: Path, link: str | None, switch: str) -> Path:
    extra = f", link: {link}" if link else ""
    doc = (
        "name: link choice\n"
        "compute: [{server: dgx-h100, count: 2, overrides: {storage_link: eth-200g}}]\n"
        f"storage: [{{unit: {UNIT}, count: 2{extra}}}]\n"
        f"network: {{topology: single-switch, switch: {switch}}}\n"
        "workloads: [{model: resnet-50-mlperf}]\n"
    )
    path = tmp_path / "s.yaml"
    path.write_text(doc)
    return path


def test_default_link_and_a_chosen_one(tmp_path: Path) -> None:
    u = CAT.storage[UNIT]
    assert "eth-200g" in u.other_links and u.link != "eth-200g"
    d = load_design(_write(tmp_path, "eth-200g", "sn4600"), CAT)
    s = d.storage[0]
    assert s.link_id == "eth-200g" and s.link_kind == "ethernet"
    # the link's payload after TCP framing (sizer/protocols.py)
    assert s.link_rate == pytest.approx(CAT.links["eth-200g"].effective_rate.value * 8948 / 9038)
    # without the choice the unit keeps its InfiniBand link, which an Ethernet switch refuses
    with pytest.raises(SizerInputError, match="ports are infiniband"):
        load_design(_write(tmp_path, None, "sn4600"), CAT)


def test_a_link_the_product_is_not_offered_with_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, "eth-400g", "sn4600")
    with pytest.raises(SizerInputError) as e:
        load_design(path, CAT)
    line = e.value.problems[0].format()
    assert line.startswith(f"{path}:3:")
    assert "storage[0].link:" in line and "is not offered with link 'eth-400g'" in line
