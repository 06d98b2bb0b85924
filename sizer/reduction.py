"""A solved max-min problem reduced to the figures every command reports.

One reduction for both ways of building the problem (:mod:`sizer.model`): the full
analysis (one flow per workload per server, one row per element) and the lumped fast
path (a column stands for ``n`` identical flows, a row for ``members`` identical
resources).  It sums each workload's flows, weighs utilization by GPUs, names what
bounds each workload and applies the bottleneck rule, so the two paths cannot tell
different stories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sizer.model import CUT_OFF, FED

if TYPE_CHECKING:
    from sizer.design import Design
    from sizer.model import FlowSpec, Resources

__all__ = ["Reduced", "WorkloadFigures", "reduce"]

#: Relative tolerance under which two bottleneck scores count as a tie (lowest group
#: name wins), so that summation order (full vs lumped) cannot change the answer.
_SCORE_RTOL = 1e-9


@dataclass(frozen=True, slots=True)
class WorkloadFigures:
    """One workload's figures, summed over its flows."""

    index: int
    gpus: int
    servers: int
    demand_images_per_sec: float  # inf for a read benchmark
    images_per_sec: float
    demand_read_bytes_per_sec: float  # from storage, after cache hits
    read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bound_by: dict[str, Any] | None  # {"id", "kind", "group"}; None: not asked (detail)


@dataclass(frozen=True, slots=True)
class Reduced:
    """A solved problem reduced to the figures every command reports."""

    workloads: list[WorkloadFigures]
    images_per_sec: float
    demand_images_per_sec: float  # GPU workloads only
    read_bytes_per_sec: float
    demand_read_bytes_per_sec: float
    gpu_data_utilization: float | None
    bottleneck: dict[str, Any] | None
    load: np.ndarray  # per row (one member)
    gpus_fed: int = 0  # GPUs that get all their demand (with detail)
    gpus_starved: int = 0  # GPUs below their demand (not cut off)
    gpus_cut_off: int = 0  # GPUs whose server has no path to storage


def reduce(
    d: Design,
    specs: list[FlowSpec],
    flow_spec: np.ndarray,
    flow_n: np.ndarray,
    res: Resources,
    weights: Any,
    demand: np.ndarray,
    rates: np.ndarray,
    binding: np.ndarray,
    unreachable: np.ndarray | None = None,
    *,
    load: np.ndarray | None = None,
    detail: bool = True,
) -> Reduced:
    """Per-workload sums, aggregates, ``bound_by`` and the bottleneck of a solution.

    Parameters
    ----------
    specs : list of FlowSpec
    flow_spec : int array, shape (F,)
        The spec of each column.
    flow_n : float array, shape (F,)
        How many identical flows each column stands for (1 in the full problem).
    res : Resources
        The rows (``members`` per row).
    weights : (R, F) matrix (dense or sparse), or None with ``load``
    demand, rates : float arrays, shape (F,)
        Per flow (one member); ``demand`` is 0 for a cut-off flow.
    binding : int array, shape (F,)
        The row that froze each flow, -1 when it got its demand.
    unreachable : bool array, shape (F,), optional
        Flows whose server has no path to storage (a failed fabric).
    load : float array, shape (R,), optional
        ``weights @ rates`` when the solver has it already (the lumped path).
    detail : bool
        Name what bounds each workload (``bound_by``); the fast path, which reports
        only figures and the bottleneck, skips it (``bound_by`` None).

    Notes
    -----
    The bottleneck is the saturated resource *group* that froze the most GPU demand:
    the sum over the flows its rows froze of ``GPUs x (1 - utilization)`` (a read
    benchmark's flow counts 1), ties (to 1e-9 relative) to the lowest group name; its
    representative is the member of highest utilization.  A workload is bound by the
    row that froze most of its unmet demand (ties: the lowest row).  Servers cut off
    from storage count first: they are the bottleneck when they hold at least as many
    GPUs as the group that froze the most.
    """
    n_f = len(flow_spec)
    # per flow, one row per spec field: workload, gpus, bytes/sample, miss, images, unbounded
    table = (
        np.array(
            [
                (s.workload, s.gpus, s.bytes_per_sample, s.miss, s.images_demand, s.unbounded)
                for s in specs
            ],
            dtype=np.float64,
        )
        .reshape(-1, 6)[np.asarray(flow_spec, dtype=np.intp)]
        .T
    )
    sp_w = table[0].astype(np.intp)
    fg, fbps, fmiss, fimg_dem = table[1], table[2], table[3], table[4]
    unb = table[5] > 0
    cut = unreachable if unreachable is not None else np.zeros(n_f, dtype=bool)
    any_cut = unreachable is not None and bool(unreachable.any())
    nf = np.asarray(flow_n, dtype=np.float64)
    # resource loads: for every row when the caller reports resources (detail), else only
    # when a bottleneck must be named
    if load is None:
        need_load = detail or bool((binding >= 0).any())
        load = np.asarray(weights @ rates).ravel() if n_f and need_load else np.zeros(len(res))
    # images/s and utilization per flow (0 when cut off); no division by 0 below
    fimg = np.divide(rates, fbps, out=fimg_dem.copy(), where=fbps > 0)
    futil = np.divide(rates, demand, out=np.ones(n_f), where=demand > 0)
    if any_cut:
        fimg[cut] = 0.0
        futil[cut] = 0.0
    capped = (binding >= 0) & (unb | (futil < FED))
    n_w = len(d.workloads)
    # per workload, in one pass: GPUs, servers, fed GPUs, demand and achieved images/s,
    # demand and achieved bytes/s read from storage (a read benchmark's inf stays in its bin)
    per_flow = np.array((fg, np.ones(n_f), fg * futil, fimg_dem, fimg, demand, rates))
    per_flow[5:] *= fmiss  # a read benchmark's demand: inf (its miss is 1: no cache)
    per_flow *= nf
    bins = (np.arange(0, 7 * n_w, n_w)[:, None] + sp_w).ravel()
    per_w = np.bincount(bins, weights=per_flow.ravel(), minlength=7 * n_w).reshape(7, n_w).T
    bound = (
        _bound_by(sp_w, n_w, cut, capped, binding, futil, fg, unb, nf, res)
        if detail
        else [None] * n_w
    )
    workloads: list[WorkloadFigures] = []
    sums = per_w.tolist()
    for w, (gpus, servers, fed, img_dem, img, dem_read, read), b in zip(
        d.workloads, sums, bound, strict=True
    ):
        workloads.append(
            WorkloadFigures(
                index=w.index,
                gpus=round(gpus),
                servers=round(servers),
                demand_images_per_sec=math.inf if w.unbounded else img_dem,
                images_per_sec=0.0 if w.unbounded else img,
                demand_read_bytes_per_sec=dem_read,
                read_bytes_per_sec=read,
                gpu_data_utilization=fed / gpus if gpus > 0 else None,
                bound_by=b,
            )
        )
    gpu_total = float(sum(r[0] for r in sums))
    n_cut = n_fed = 0.0
    if detail:  # GPUs fed / starved / cut off, for the analysis' JSON
        per_gpu = nf * fg
        n_cut = float(per_gpu[cut].sum()) if any_cut else 0.0
        n_fed = float(per_gpu[~cut & (futil >= FED)].sum())
    gpu_fed = float(sum(r[2] for r in sums))
    bottleneck = _bottleneck(capped, binding, unb, fg, futil, nf, res, load)
    if any_cut:
        cut_gpus = float((nf * fg)[cut].sum())
        if bottleneck is None or cut_gpus >= bottleneck["gpus_capped"]:
            bottleneck = {
                "id": None,
                "kind": "link",
                "group": CUT_OFF,
                "resources": 0,
                "utilization": 0.0,
                "capacity": 0.0,
                "unit": "B/s",
                "gpus_capped": int(cut_gpus),
                "capped_gpu_data_utilization": 0.0 if cut_gpus else None,
            }
    return Reduced(
        workloads=workloads,
        images_per_sec=float(sum(w.images_per_sec for w in workloads)),
        demand_images_per_sec=float(
            sum(
                w.demand_images_per_sec for w in workloads if math.isfinite(w.demand_images_per_sec)
            )
        ),
        read_bytes_per_sec=float(sum(r[6] for r in sums)),
        demand_read_bytes_per_sec=float(sum(r[5] for r in sums)),
        gpu_data_utilization=gpu_fed / gpu_total if gpu_total > 0 else None,
        bottleneck=bottleneck,
        load=load,
        gpus_fed=round(n_fed),
        gpus_starved=round(gpu_total - n_fed - n_cut) if detail else 0,
        gpus_cut_off=round(n_cut),
    )


def _bound_by(
    sp_w: np.ndarray,
    n_w: int,
    cut: np.ndarray,
    capped: np.ndarray,
    binding: np.ndarray,
    futil: np.ndarray,
    fg: np.ndarray,
    unb: np.ndarray,
    nf: np.ndarray,
    res: Resources,
) -> list[dict[str, Any]]:
    """What holds each workload back: the row that froze most of its unmet demand."""
    n_r = len(res)
    weight = nf * np.where(unb, 1.0, (1.0 - futil) * np.maximum(fg, 1.0))
    score = np.bincount(
        sp_w[capped] * n_r + binding[capped], weights=weight[capped], minlength=n_w * n_r
    ).reshape(n_w, n_r)
    has_cut = np.bincount(sp_w[cut], minlength=n_w) > 0
    has_capped = np.bincount(sp_w[capped], minlength=n_w) > 0
    best = score.argmax(axis=1) if n_r else np.zeros(n_w, dtype=np.intp)  # ties: lowest
    out: list[dict[str, Any]] = []
    for i in range(n_w):
        if has_cut[i]:
            out.append({"id": None, "kind": "link", "group": CUT_OFF})
        elif not has_capped[i]:
            out.append({"id": None, "kind": "gpu-compute", "group": "GPU compute"})
        else:
            r = int(best[i])
            out.append({"id": res.ids[r], "kind": res.kinds[r], "group": res.groups[r]})
    return out


def _bottleneck(
    capped: np.ndarray,
    binding: np.ndarray,
    unb: np.ndarray,
    fg: np.ndarray,
    futil: np.ndarray,
    nf: np.ndarray,
    res: Resources,
    load: np.ndarray,
) -> dict[str, Any] | None:
    """The saturated resource group that froze the most GPU demand (None: all fed)."""
    idx = np.flatnonzero(capped)
    if not idx.size:
        return None
    f_unb, f_gpus, f_util, f_row = unb[idx], (nf * fg)[idx], futil[idx], binding[idx]
    unmet = np.where(f_unb, nf[idx], (1.0 - f_util) * f_gpus)
    # unmet demand per row, summed per group over the rows that froze a flow
    row_unmet = np.bincount(f_row, weights=unmet, minlength=len(res))
    hit = np.flatnonzero(np.bincount(f_row, minlength=len(res))).tolist()
    score: dict[str, float] = {}
    for r, x in zip(hit, row_unmet[hit].tolist(), strict=True):
        g = res.groups[r]
        score[g] = score.get(g, 0.0) + x
    top = max(score.values())
    grp = min(g for g, x in score.items() if x >= top * (1.0 - _SCORE_RTOL))  # ties: lowest name
    rows = [r for r, g in enumerate(res.groups) if g == grp]
    in_row = np.zeros(len(res), dtype=bool)
    in_row[rows] = True
    in_grp = in_row[f_row]
    w_gpus = f_gpus[in_grp]
    gpus = float(w_gpus.sum())
    util = float((w_gpus * f_util[in_grp]).sum() / gpus) if gpus else None

    def utilization(r: int) -> float:
        cap, used = res.caps[r], float(load[r])
        if cap == 0:
            return 1.0 if used > 0 else 0.0
        return used / cap if math.isfinite(cap) else 0.0

    rep = max(rows, key=lambda r: (utilization(r), res.ids[r]))
    return {
        "id": res.ids[rep],
        "kind": res.kinds[rep],
        "group": grp,
        "resources": sum(res.members[r] for r in rows),
        "utilization": utilization(rep),
        "capacity": float(sum(res.caps[r] * res.members[r] for r in rows)),
        "unit": res.units[rep],
        "gpus_capped": round(gpus),
        "capped_gpu_data_utilization": util,
    }
