"""What a workload's access pattern costs a storage unit (issue 12, DOMAIN.md item 6).

A unit's ``read_bandwidth`` is its large sequential read.  Small requests and many files
cost it more than their bytes: every read request and every file opened takes a share
of the unit's time on top of the time its bytes take.  sizer charges each byte read by
workload ``w`` from unit ``u``

    cost(w, u) = 1 + B x (t_request / r + t_open / F)      (large-sequential bytes per byte)

where ``B`` is the unit's read bandwidth, ``r`` the bytes of one read request (one
sample: a data loader reads a sample at a time), ``F`` the bytes of one file
(``samples_per_file`` samples), ``t_request`` the unit-seconds a request costs beyond
its bytes and ``t_open`` the unit-seconds a file open costs.  It is the additive
service-time model, time per file = per-file overhead + size / bandwidth, applied per
request and per file; a unit serving workload ``w`` alone delivers ``B / cost(w, u)``
bytes/s, and several workloads on one unit share its time (one row of the max-min
problem, with weight ``cost`` per byte on it).

``t_request`` comes from the datasheet's IOPS figure ``I`` quoted at requests of ``q``
bytes: a unit that completes ``I`` requests/s of ``q`` bytes spends ``1 / I`` per
request, ``q / B`` of it on the bytes, so ``t_request = 1 / I - q / B`` (the catalog
refuses an IOPS figure with ``I x q >= B``).  ``t_open = 1 / (file opens/s)``.  A unit
without these figures costs 1 per byte (its single number means large sequential).

Properties (tests/test_access.py): the cost is at least 1, so an access-pattern figure
never raises a throughput; it never grows with the file or the request, so a larger
file never lowers one.  The write path (checkpoints) is charged 1 per byte: checkpoint
shards are large files written in large requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sizer.design import Design, StorageGroupSpec, WorkloadSpec

__all__ = ["AccessRow", "access_rows", "effective_read", "read_cost", "request_seconds"]


def request_seconds(iops: float, size: float, bandwidth: float) -> float:
    """The unit-seconds one read request costs beyond its bytes: ``1/iops - size/bw``."""
    return max(0.0, 1.0 / iops - size / bandwidth)


def read_cost(st: StorageGroupSpec, w: WorkloadSpec) -> float:
    """Large-sequential bytes of unit time one byte of ``w`` costs a unit of ``st``
    (1.0: no access-pattern figure, or a workload with no samples)."""
    if w.bytes_per_sample <= 0 or (st.read_request_seconds <= 0 and st.file_open_seconds <= 0):
        return 1.0
    file_bytes = w.bytes_per_sample * w.samples_per_file
    extra = st.read_request_seconds / w.bytes_per_sample + st.file_open_seconds / file_bytes
    return 1.0 + st.read_bandwidth * extra


def effective_read(st: StorageGroupSpec, w: WorkloadSpec) -> float:
    """Bytes/s one unit of ``st`` delivers to ``w`` alone: ``B / cost``."""
    return st.read_bandwidth / read_cost(st, w)


@dataclass(frozen=True)
class AccessRow:
    """What one storage group delivers to one workload it serves alone (a row of the
    ``analyze`` table and JSON ``access_patterns``), where the pattern costs more than
    its bytes."""

    unit_id: str
    workload: str
    sample_bytes: float
    samples_per_file: int
    cost: float  # large-sequential bytes of unit time per byte read
    sequential: float  # bytes/s per unit, large sequential (the datasheet's figure)
    effective: float  # bytes/s per unit to this workload alone

    def to_json(self) -> dict[str, float | int | str]:
        return {
            "storage": self.unit_id,
            "workload": self.workload,
            "sample_bytes": self.sample_bytes,
            "samples_per_file": self.samples_per_file,
            "cost_per_byte": self.cost,
            "sequential_read_bytes_per_sec": self.sequential,
            "effective_read_bytes_per_sec": self.effective,
        }


def access_rows(d: Design) -> list[AccessRow]:
    """Every (storage group, workload) pair whose access pattern costs the unit more
    than its bytes, in storage then workload order."""
    out = []
    for st in d.storage:
        for w in d.workloads:
            c = read_cost(st, w)
            if c > 1.0:
                out.append(
                    AccessRow(
                        st.unit_id,
                        w.label,
                        w.bytes_per_sample,
                        w.samples_per_file,
                        c,
                        st.read_bandwidth,
                        st.read_bandwidth / c,
                    )
                )
    return out
