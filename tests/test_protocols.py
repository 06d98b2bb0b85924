"""Storage protocols' framing (sizer/protocols.py): the payload share of each link, by
hand from the standards' header sizes, in the design and as bad input."""

from __future__ import annotations

from typing import Any

import pytest

from sizer.analysis import analyze_design
from sizer.catalog import load_catalog
from sizer.checks import check_scenario
from sizer.protocols import FRAMINGS, framing, protocol_of
from sizer.resolve import resolve
from sizer.schema import Scenario


@pytest.fixture(scope="module")
def cat() -> Any:
    return load_catalog()


def test_framings_by_hand() -> None:
    assert FRAMINGS["infiniband", "rdma"].efficiency == pytest.approx(4096 / 4122)
    assert FRAMINGS["ethernet", "rdma"].efficiency == pytest.approx(4096 / 4178)
    assert FRAMINGS["ethernet", "tcp"].efficiency == pytest.approx(8948 / 9038)
    assert protocol_of("infiniband", None) == "rdma"
    assert protocol_of("ethernet", None) == "tcp"
    assert framing("infiniband", "tcp") is None  # IPoIB: not modeled


def scenario(protocol: str | None, servers: int = 2, ports: int | None = None) -> Scenario:
    net: dict[str, Any] = {"topology": "single-switch", "switch": "sn5600-400g"}
    over: dict[str, Any] = {"storage_link": "eth-400g"}
    if ports is not None:
        over["storage_ports"] = ports
    if protocol is not None:
        net["protocol"] = protocol
    return Scenario.model_validate(
        {
            "name": "ethernet fabric",
            "compute": [{"server": "dgx-h100", "count": servers, "overrides": over}],
            "storage": [{"unit": "ddn-ai400x2-turbo", "count": 1}],
            "network": net,
            "workloads": [{"model": "fio-read"}],
        }
    )


@pytest.mark.parametrize(("protocol", "share"), [(None, 8948 / 9038), ("rdma", 4096 / 4178)])
def test_ethernet_links_carry_their_payload_share(
    cat: Any, protocol: str | None, share: float
) -> None:
    sc = scenario(protocol)
    assert check_scenario(sc, cat) == []
    d = resolve(sc, cat)
    assert d.switch_link_rate == pytest.approx(50e9 * share)
    assert d.servers[0].link_rate == pytest.approx(50e9 * share)
    assert d.storage[0].link_rate == pytest.approx(25e9 * share)  # 200 GbE
    used = {(u.entry, u.field) for u in d.used}
    assert (f"protocols/ethernet-{protocol or 'tcp'}", "framing") in used


@pytest.mark.parametrize(("protocol", "share"), [("tcp", 8948 / 9038), ("rdma", 4096 / 4178)])
def test_a_server_link_binds_at_its_payload(cat: Any, protocol: str, share: float) -> None:
    """fio on one DGX H100 cabled with one 400GbE port (50 GB/s per direction) from an
    AI400X2 Turbo (80 GB/s): the server's link binds at 50 GB/s x its payload share."""
    a = analyze_design(resolve(scenario(protocol, servers=1, ports=1), cat))
    assert a.read_bytes_per_sec == pytest.approx(50e9 * share)
    assert a.bottleneck is not None and a.bottleneck["kind"] == "link"


def test_tcp_on_infiniband_is_refused_with_its_place(cat: Any) -> None:
    sc = Scenario.model_validate(
        {
            "name": "ib",
            "compute": [{"server": "dgx-h100", "count": 1}],
            "storage": [{"unit": "ess-3500", "count": 1}],
            "network": {"topology": "single-switch", "switch": "qm9700", "protocol": "tcp"},
            "workloads": [{"model": "fio-read"}],
        }
    )
    problems = check_scenario(sc, cat)
    assert [p[0] for p in problems] == [("network", "protocol")]
    assert "InfiniBand carries storage over RDMA" in problems[0][1]
