"""Bulk transfers on the model: a checkpoint save or restore, solved phase by phase.

Every server moves its bytes at its max-min fair rate on the analysis' own rows and
routes (:func:`sizer.problem.declare_rows`, :class:`sizer.problem.Routes`), with the
direction's capacities; when the first servers finish, the rest share what they freed.
:mod:`sizer.checkpointing` asks it for saves and restores.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sizer.design import Design
from sizer.flows import solve
from sizer.model import FlowSpec
from sizer.problem import ColumnBlocks, Routes, declare_rows, flow_block
from sizer.result import Analysis
from sizer.topology import Fabric, build_fabric

__all__ = ["Transfer", "transfer"]


@dataclass(frozen=True)
class Transfer:
    """A burst of bytes between servers and storage (a checkpoint save or restore),
    solved phase by phase on the model: every server moves its bytes at its max-min fair
    rate; when the first servers finish, the rest share what they freed.

    Attributes
    ----------
    direction : {"write", "read"}
    bytes : float
        All bytes moved.
    seconds : float
        Until the last server is done (0 when nothing moves; inf when a server's bytes
        have no path).
    first_rate : float
        Bytes/s of all servers together in the first phase (every server moving).
    bound_by : dict or None
        The resource group that froze the most bytes: ``{"group", "kind", "resource"}``
        (None when nothing was moved or no resource binds).
    phases : int
        Solves needed (servers finishing at distinct times).
    unknown_storage : bool
        A write burst whose storage units have no write figure (they then bound nothing:
        the time is a lower bound).
    """

    direction: str
    bytes: float
    seconds: float
    first_rate: float
    bound_by: dict[str, str] | None
    phases: int
    unknown_storage: bool

    @property
    def rate(self) -> float:
        """Bytes/s averaged over the whole burst."""
        if self.seconds == 0 or not np.isfinite(self.seconds):
            return 0.0
        return self.bytes / self.seconds


def transfer(
    d: Design,
    server_bytes: dict[str, float],
    direction: str,
    *,
    streams: dict[str, int] | None = None,
    fabric: Fabric | None = None,
    background: Analysis | None = None,
) -> Transfer:
    """Move ``server_bytes`` (server node -> bytes) to storage (``"write"``) or from it
    (``"read"``) on the design's fabric.

    The model is the analysis' (:func:`sizer.analysis.analyze_design`) with the direction's capacities:
    a write uses each storage unit's write bandwidth (times its fabric scale; a unit
    without a write figure is unlimited and ``unknown_storage`` is set) and the links in
    the other direction (the same rate per direction); the servers' client ingest limit
    is a read figure and only bounds a read, while the client host's PCIe (the same rate
    per direction) and memory (crossed twice; not at all with GPUDirect Storage)
    bound both.  ``background`` is the analysis of the reads
    running meanwhile on the same fabric: a read burst shares every resource with them
    max-min fairly (their flows join each phase's problem with their own demands); a
    write burst shares only the switches with them, after their load.  Every flow's bytes are striped evenly over every
    storage unit, as reads are.  ``streams`` (server -> writing ranks, default 1) weighs
    the fair share: one stream per rank.

    Cost: one max-min solve per phase; servers finishing within 1e-9 of each other
    finish in one phase.
    """
    if direction not in ("write", "read"):
        raise ValueError(f"direction must be 'write' or 'read', not {direction!r}")
    fab = fabric if fabric is not None else build_fabric(d)
    bundles = fab.bundles()
    rows = declare_rows(d, fab, 1.0, bundles)
    caps = rows.table.capacities()
    unknown = False
    if direction == "write":
        for ep in fab.storage:
            w = d.storage[ep.group].write_bandwidth
            unknown |= w is None
            caps[rows.storage[ep.node]] = (
                np.inf if w is None else w * fab.unit_scale.get(ep.node, 1.0)
            )
        for r in rows.ingest.values():
            caps[r] = np.inf
    # the reads running meanwhile: a read burst shares every row with them max-min
    # fairly (their flows join the problem with their demands); a write burst shares
    # only the switches with them (both directions cross a switch), where the reads keep
    # their rates and the write gets what they leave
    joint = None
    if background is not None and direction == "read":
        bw, _bcaps, bdem, bshare, _brates = background.problem
        if bw.shape[0] != len(rows.table) or [r.id for r in background.resources] != list(
            rows.table.ids
        ):
            raise ValueError("background must be the analysis of the same design and fabric")
        joint = (bw.tocsc(), np.asarray(bdem, dtype=np.float64), np.asarray(bshare, float))
    elif background is not None:
        load = {r.id: r.load for r in background.resources}
        for i in rows.switch.values():
            caps[i] = max(0.0, caps[i] - load.get(rows.table.ids[i], 0.0))
    # one column per server that moves bytes, routed as its reads are (miss 1, no samples);
    # the bytes cross host memory twice (GPU <-> bounce buffer <-> NIC) unless the group
    # uses GPUDirect Storage
    routes = Routes(fab, rows, bundles, replicas=d.data_replicas)
    blocks = ColumnBlocks()
    nodes_in: list[str] = []
    cut: list[str] = []
    for gi, pats in fab.server_patterns().items():
        crossings = 0 if d.servers[gi].gpudirect_storage else 2
        spec = FlowSpec(0, 0, 0, 1.0, np.inf, 0.0, 0.0, 1.0, True, crossings)
        for attach, _js, nodes in pats:
            mine = [n for n in nodes if server_bytes.get(n, 0.0) > 0]
            if not mine:
                continue
            idx, val, to_srv = routes(attach)
            if not to_srv:
                cut += mine
                continue
            flows = np.arange(len(nodes_in), len(nodes_in) + len(mine))
            blocks.add(flows, *flow_block(rows, spec, mine, idx, val, to_srv))
            nodes_in += mine
    total = float(sum(server_bytes.values()))
    if cut:
        return Transfer(direction, total, np.inf, 0.0, None, 0, unknown)
    if not nodes_in:
        return Transfer(direction, total, 0.0, 0.0, None, 0, unknown)
    W = blocks.matrix(len(rows.table), len(nodes_in))
    left = np.asarray([server_bytes[n] for n in nodes_in], dtype=np.float64)
    share = np.asarray([float((streams or {}).get(n, 1)) for n in nodes_in])
    frozen: dict[int, float] = defaultdict(float)  # binding row -> bytes it froze
    active = np.arange(len(nodes_in))
    t = 0.0
    first_rate = 0.0
    phases = 0
    while len(active):
        sub = W[:, active]
        dem = np.full(len(active), np.inf)
        shr = share[active]
        if joint is not None:  # the background reads' columns after the burst's
            sub = sp.hstack([sub, joint[0]], format="csc")
            dem = np.concatenate([dem, joint[1]])
            shr = np.concatenate([shr, joint[2]])
        sol = solve(sub, caps, dem, shr)
        rates = sol.rates[: len(active)]
        binding = sol.binding[: len(active)]
        phases += 1
        if phases == 1:
            first_rate = float(rates.sum())
        if not (rates > 0).all():  # a saturated switch left nothing (background reads)
            return Transfer(direction, total, np.inf, first_rate, None, phases, unknown)
        dt_each = left[active] / rates
        dt = float(dt_each.min())
        for rate, b in zip(rates.tolist(), binding.tolist(), strict=True):
            if b >= 0:
                frozen[b] += rate * dt
        t += dt
        left[active] -= rates * dt
        done = dt_each <= dt * (1 + 1e-9)
        left[active[done]] = 0.0
        active = active[~done]
    bound = None
    if frozen:  # the group that froze the most bytes, named by its row that froze most
        by_group: dict[str, float] = defaultdict(float)
        for r, b in frozen.items():
            by_group[rows.table.groups[r]] += b
        top = max(sorted(by_group), key=lambda g: by_group[g])
        row = max((r for r in frozen if rows.table.groups[r] == top), key=lambda r: frozen[r])
        bound = {
            "group": rows.table.groups[row],
            "kind": rows.table.kinds[row],
            "resource": rows.table.ids[row],
        }
        if direction == "write" and bound["kind"] == "link":
            # the rows are the read direction's bundles, each standing for its reverse
            # (the same rate per direction): name what the write crosses
            bound["group"] = _reversed_arrow(bound["group"])
            bound["resource"] = _reversed_arrow(bound["resource"])
    return Transfer(direction, total, t, first_rate, bound, phases, unknown)


def _reversed_arrow(text: str) -> str:
    """``a -> b links`` -> ``b -> a links``; ``u -> v (2x hdr-ib)`` -> ``v -> u (2x hdr-ib)``.

    >>> _reversed_arrow("leaf -> spine links"), _reversed_arrow("leaf-3 -> spine-1 (4x eth)")
    ('spine -> leaf links', 'spine-1 -> leaf-3 (4x eth)')
    >>> _reversed_arrow("inter-switch links")
    'inter-switch links'
    """
    if " -> " not in text:
        return text
    a, rest = text.split(" -> ", 1)
    for tail in (" links", " ("):
        if tail in rest:
            b, end = rest.split(tail, 1)
            return f"{b} -> {a}{tail}{end}"
    return f"{rest} -> {a}"
