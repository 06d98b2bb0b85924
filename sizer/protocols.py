"""Storage protocols on the wire: the share of a link's rate that is payload.

A link's ``effective_rate`` (catalog) is its data rate after line encoding.  The storage
protocol wraps the payload in packets, and every packet carries headers and checksums
(and, on Ethernet, a preamble and an inter-frame gap) that take link time too.  sizer
charges each link ``payload / (payload + overhead)`` of its rate as the payload it
carries, from the header sizes the standards define, for full-size packets (bulk reads
and writes fill them):

======================  =======  ========  =====================================  ========
protocol                payload  overhead  per packet                             payload
======================  =======  ========  =====================================  ========
InfiniBand RDMA         4,096 B  26 B      LRH 8, BTH 12, ICRC 4, VCRC 2           99.37%
RoCE v2 (Ethernet)      4,096 B  82 B      preamble+SFD 8, IFG 12, MAC 14, FCS 4,  98.04%
                                           IPv4 20, UDP 8, BTH 12, ICRC 4
TCP/IPv4, 9,000 B MTU   8,948 B  90 B      preamble+SFD 8, IFG 12, MAC 14, FCS 4,  99.00%
                                           IPv4 20, TCP 20, timestamps option 12
======================  =======  ========  =====================================  ========

InfiniBand fabrics carry storage over RDMA (IBM Storage Scale verbs, Lustre o2ib, NFS
over RDMA); an Ethernet fabric says ``network.protocol: rdma`` (RoCE v2) or ``tcp``
(default).  This is framing only: what TCP or an NFS client costs the host's CPUs is a
client limit (the server's ``ingest_limit``), not the wire's.  The RDMA packet is the
middle packet of a read response (BTH only; the first and last add a 4-byte AETH).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FRAMINGS", "Framing", "framing", "protocol_of"]


@dataclass(frozen=True)
class Framing:
    """One protocol's full-size packet: payload and per-packet overhead (bytes)."""

    name: str
    payload: int
    overhead: int
    source: str
    arithmetic: str

    @property
    def efficiency(self) -> float:
        """The share of the link's rate that is payload."""
        return self.payload / (self.payload + self.overhead)


_IBTA = (
    "InfiniBand Trade Association, InfiniBand Architecture Specification Volume 1, "
    "Release 1.3: Local Route Header 8 bytes (7.7), Invariant CRC 4 bytes (7.8.1), Variant "
    "CRC 2 bytes (7.8.2), Base Transport Header 12 bytes (9.2), largest path MTU 4,096 bytes"
)
_ETH = (
    "IEEE Std 802.3 (Ethernet): preamble 7 + start frame delimiter 1 bytes, minimum "
    "inter-packet gap 12 bytes, MAC header 14 bytes, frame check sequence 4 bytes"
)

#: (link kind, protocol) -> its framing
FRAMINGS: dict[tuple[str, str], Framing] = {
    ("infiniband", "rdma"): Framing(
        "InfiniBand RDMA",
        4096,
        8 + 12 + 4 + 2,
        _IBTA,
        "4,096 / (4,096 + LRH 8 + BTH 12 + ICRC 4 + VCRC 2) = 99.37%",
    ),
    ("ethernet", "rdma"): Framing(
        "RoCE v2",
        4096,
        8 + 12 + 14 + 4 + 20 + 8 + 12 + 4,
        f"{_ETH}; IETF RFC 791 (IPv4 header 20 bytes), RFC 768 (UDP header 8 bytes); "
        "InfiniBand Trade Association, Supplement to the InfiniBand Architecture "
        "Specification Volume 1 Release 1.2.1, Annex A17: RoCEv2 (the InfiniBand BTH and "
        "ICRC in a UDP datagram, path MTU at most 4,096 bytes)",
        "4,096 / (4,096 + 8 + 12 + 14 + 4 + IPv4 20 + UDP 8 + BTH 12 + ICRC 4) = 98.04%",
    ),
    ("ethernet", "tcp"): Framing(
        "TCP/IPv4 with 9,000-byte frames",
        9000 - 20 - 20 - 12,
        8 + 12 + 14 + 4 + 20 + 20 + 12,
        f"{_ETH}; IETF RFC 791 (IPv4 header 20 bytes), RFC 9293 (TCP header 20 bytes), "
        "RFC 7323 (timestamps option 10 bytes, padded to 12)",
        "8,948 / (8,948 + 8 + 12 + 14 + 4 + IPv4 20 + TCP 20 + timestamps 12) = 99.00%, "
        "with 9,000-byte jumbo frames",
    ),
}


def protocol_of(link_kind: str, protocol: str | None) -> str:
    """The protocol a link of ``link_kind`` carries storage with (the scenario's
    ``network.protocol``; default RDMA on InfiniBand, TCP on Ethernet)."""
    if protocol is not None:
        return protocol
    return "rdma" if link_kind == "infiniband" else "tcp"


def framing(link_kind: str, protocol: str | None) -> Framing | None:
    """The framing of storage traffic on a link of ``link_kind`` (None: not modeled,
    e.g. TCP over InfiniBand; the link then carries its whole effective rate)."""
    return FRAMINGS.get((link_kind, protocol_of(link_kind, protocol)))
