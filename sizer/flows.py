"""Weighted max-min fair sharing of resources by progressive filling.

This module knows nothing about GPUs, links or storage: it shares ``R`` resources of
given capacity among ``F`` flows, each of which uses every resource in fixed proportion
to its rate.  The caller builds the matrix (see DESIGN.md, "The solver contract").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["SolveResult", "check_max_min", "solve", "solve_columns"]

# Relative tolerance under which two events (a resource saturating, a flow meeting its
# demand) are treated as simultaneous.  Rounding in one step is ~1e-16 per term summed,
# so 1e-12 leaves three orders of magnitude of margin for rows of ~1e3 nonzeros.
_TIE_RTOL = 1e-12

_FLOAT_MAX = float(np.finfo(np.float64).max)  # a cutoff no infinite demand meets

# Saturation events a CSC matrix answers by a pass over its entries before the solver
# builds its rows (a conversion costs about as much as a few passes).
_SCANS = 3

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SolveResult:
    """The max-min fair allocation found by :func:`solve`.

    Attributes
    ----------
    rates : ndarray of float, shape (F,)
        Rate delivered to each flow, in the flow's unit (e.g. bytes/s).
    binding : ndarray of int, shape (F,)
        Index of the resource that froze each flow, or ``-1`` when the flow got its full
        demand.
    load : ndarray of float, shape (R,)
        ``weights @ rates``: use of each resource, in the resource's unit.  Rounding
        noise is clipped so that no load exceeds its capacity.
    saturated : ndarray of bool, shape (R,)
        True for every resource of finite capacity that is full: its load equals its
        capacity (to 1e-12 relative).  A resource of capacity 0 is always full.
    iterations : int
        Number of filling steps taken (each step costs one pass over the nonzeros of the
        flows frozen in it plus O(R + F)).
    """

    rates: FloatArray
    binding: IntArray
    load: FloatArray
    saturated: BoolArray
    iterations: int


def solve(
    weights: Any,
    capacities: ArrayLike,
    demands: ArrayLike,
    shares: ArrayLike,
) -> SolveResult:
    """Share resources among flows so that the allocation is weighted max-min fair.

    Parameters
    ----------
    weights : scipy.sparse matrix or array, or ndarray, shape (R, F)
        ``weights[r, f] >= 0`` is the number of units of resource ``r`` used per unit of
        rate delivered to flow ``f``: a path fraction (bytes of link per byte
        delivered; 0.5 when half the traffic takes each of two parallel links), or a
        conversion such as ``1 / bytes_per_sample`` for a resource counted in
        samples/s.  Zero means the flow does not use the resource.  Any sparse format
        is accepted, indices sorted or not; CSC is solved as it is (no conversion:
        :mod:`sizer.problem` builds it by columns), anything else as CSR.  The input is
        not modified.
    capacities : array_like of float, shape (R,)
        Capacity of each resource, in its own unit per second (bytes/s, samples/s).
        Must be ``>= 0``; ``np.inf`` means unconstrained.
    demands : array_like of float, shape (F,)
        Rate each flow would take if nothing limited it (e.g. its GPU-bound rate), in
        the flow's unit (bytes/s).  Must be ``>= 0``; ``np.inf`` means "as much as it
        can get".
    shares : array_like of float, shape (F,)
        Fairness weight of each flow (e.g. its number of GPUs): flows sharing a
        bottleneck get equal rate *per share*.  Must be finite and ``> 0``.

    Returns
    -------
    SolveResult
        ``rates`` (F,), ``binding`` (F,) (resource index or ``-1``), ``load`` (R,),
        ``saturated`` (R,) and ``iterations``.

    Raises
    ------
    ValueError
        If the shapes disagree; if any value is NaN, negative, or (for weights and
        shares) infinite; if a share is zero; or if a flow with infinite demand uses no
        resource of finite capacity, so its rate would be unbounded.  The message names
        the first offending index and its value.

    Notes
    -----
    An allocation ``x`` is *weighted max-min fair* when it is feasible
    (``weights @ x <= capacities``, ``0 <= x <= demands``) and no flow's normalized
    rate ``x[f] / shares[f]`` can be raised without lowering the normalized rate of a
    flow whose normalized rate is already no larger.  Equivalently, every flow below
    its demand crosses a saturated resource on which no flow has a higher rate per
    share (its bottleneck).  The allocation exists and is unique.

    It is computed by progressive filling.  All unfrozen flows rise together with
    ``x[f] = t * shares[f]``.  The next resource to saturate is at level
    ``t_r = (capacity_r - frozen load_r) / sum(weights[r, f] * shares[f])`` over its
    unfrozen flows.  Every unfrozen flow whose demand level ``demands[f] / shares[f]``
    is at most ``min_r t_r`` is frozen at its demand (binding ``-1``) in one batch: this
    only lowers loads, so no resource can saturate earlier.  When no flow qualifies,
    the resources at ``min_r t_r`` saturate and their unfrozen flows freeze at
    ``t * shares[f]``.  A flow crossing several resources that saturate together is
    bound to the one with the smallest relative slack, then the lowest index.  Events
    within a relative ``1e-12`` count as simultaneous.  Resources of infinite
    capacity are dropped up front; a resource of capacity zero freezes its flows at 0.

    Each step is vectorised over flows and resources.  The cost is
    ``O(nnz + iterations * (R + F))``, at most ``O(iterations * nnz)``, and
    ``iterations`` is at most the number of distinct freeze events (at most ``F``).
    A step reads the matrix by rows (the flows of the resources that saturate) or by
    columns (the resources of the flows that freeze); each view is built from the other
    on first use, except that the flows of a saturating resource are first found by one
    pass over a CSC matrix's entries: most analyses end after one or two saturations,
    sooner than a conversion would pay for itself.

    Examples
    --------
    One 10 GB/s link; flow A wants 3 GB/s, flow B wants 20 GB/s.  A gets its 3 and B
    takes the remaining 7, limited by the link (resource 0):

    >>> import numpy as np
    >>> res = solve(np.array([[1.0, 1.0]]), [10e9], [3e9, 20e9], [1.0, 1.0])
    >>> (res.rates / 1e9).tolist()
    [3.0, 7.0]
    >>> res.binding.tolist()
    [-1, 0]
    >>> res.saturated.tolist()
    [True]

    References
    ----------
    .. [1] D. Bertsekas and R. Gallager, *Data Networks*, 2nd ed., Prentice Hall,
       1992, section 6.5.2, "Max-min fairness" (progressive filling algorithm).
       https://web.mit.edu/dimitrib/www/datanets.html
    .. [2] J.-Y. Le Boudec, "Rate adaptation, congestion control and fairness: a
       tutorial", EPFL, 2000-2022, section 1.3 (weighted max-min fairness).
    """
    w, cap, dem, shr = _validate(weights, capacities, demands, shares)
    n_flows = w.shape[1]

    finite_rows = np.flatnonzero(np.isfinite(cap))
    # CSR rows of the resources that can saturate.
    w_fin = w if finite_rows.size == cap.size else w[finite_rows]
    if np.isinf(dem).any():
        _check_bounded(w_fin, dem)

    rates, binding_local, sat_local, iterations = _fill(w_fin, cap[finite_rows], dem, shr)

    binding = np.full(n_flows, -1, dtype=np.intp)
    bound = binding_local >= 0
    binding[bound] = finite_rows[binding_local[bound]]

    load = np.asarray(w @ rates, dtype=np.float64)
    finite = np.isfinite(cap)
    # Tied demand freezes may overshoot a capacity by ~1e-12 relative; clip that noise.
    load = np.where(finite, np.minimum(load, cap), load)
    # Saturated: filled by an event, or filled exactly by flows that met their demand.
    saturated = finite & (load >= cap * (1.0 - _TIE_RTOL))
    saturated[finite_rows[sat_local]] = True
    return SolveResult(
        rates=rates, binding=binding, load=load, saturated=saturated, iterations=iterations
    )


def solve_columns(
    cols: Sequence[Mapping[int, float]],
    cap: Sequence[float],
    dem: Sequence[float],
    shr: Sequence[float],
) -> SolveResult:
    """:func:`solve` for a small problem given by its columns, without array set-up cost.

    ``cols[f]`` maps the rows flow ``f`` crosses to its weight on them; ``cap``, ``dem``
    and ``shr`` are as for :func:`solve`.  The same algorithm (same events, tie
    tolerance and binding rule) in plain Python, which beats numpy's per-call overhead
    on the few dozen rows and columns of the lumped problems of :mod:`sizer.scaling`;
    inputs are trusted (the caller built them, no validation).  ``tests/test_flows.py``
    checks it equals :func:`solve`.
    """
    inf = math.inf
    n_r, n_f = len(cap), len(cols)
    finite = [math.isfinite(c) for c in cap]
    fin_rows = [r for r in range(n_r) if finite[r]]
    entries = [list(col.items()) for col in cols]
    # the finite rows each flow crosses with a positive weight (what can freeze it)
    uses = [[r for r, w in col if w > 0 and finite[r]] for col in entries]
    for f in range(n_f):
        if dem[f] == inf and not uses[f]:
            raise ValueError(
                f"flow {f} has infinite demand but crosses no resource of "
                "finite capacity, so its rate would be unbounded."
            )
    rates = [0.0] * n_f
    binding = [-1] * n_f
    filled = [False] * n_r
    active = list(range(n_f))
    level_of = [d / s for d, s in zip(dem, shr, strict=True)]
    frozen_load = [0.0] * n_r
    iterations = 0
    while active:
        iterations += 1
        coef = [0.0] * n_r
        users = [False] * n_r
        for f in active:
            s = shr[f]
            for r, w in entries[f]:
                coef[r] += w * s
            for r in uses[f]:
                users[r] = True
        remaining = [max(c - x, 0.0) if fin else inf
                     for c, x, fin in zip(cap, frozen_load, finite, strict=True)]  # fmt: skip
        t_sat, r_star = inf, -1
        for r in fin_rows:
            lv = remaining[r] / coef[r] if users[r] else inf
            if r_star < 0 or lv < t_sat:
                t_sat, r_star = lv, r
        cutoff = t_sat * (1.0 + _TIE_RTOL) if t_sat < inf else _FLOAT_MAX
        meet = [f for f in active if level_of[f] <= cutoff]
        if meet:
            for f in meet:
                x = rates[f] = dem[f]
                for r, w in entries[f]:
                    frozen_load[r] += w * x
            active = [f for f in active if level_of[f] > cutoff]
            continue
        # every row filled at t_sat (to the tie tolerance), least slack first
        sat = []
        for r in fin_rows:
            if r == r_star or users[r]:
                slack = remaining[r] - t_sat * coef[r]
                if r == r_star or slack <= _TIE_RTOL * cap[r]:
                    sat.append((slack / (cap[r] if cap[r] > 0.0 else 1.0), r))
        sat.sort()
        for _rel, r in sat:
            for f in active:
                if binding[f] < 0 and r in uses[f]:  # not frozen by an earlier row
                    rates[f] = t_sat * shr[f]
                    binding[f] = r
            filled[r] = True
        for f in active:
            if binding[f] >= 0:
                x = rates[f]
                for r, w in entries[f]:
                    frozen_load[r] += w * x
        active = [f for f in active if binding[f] < 0]
    load = [0.0] * n_r
    for f in range(n_f):
        x = rates[f]
        for r, w in entries[f]:
            load[r] += w * x
    saturated = [False] * n_r
    for r in range(n_r):
        if finite[r]:
            x = load[r] = min(load[r], cap[r])
            saturated[r] = filled[r] or x >= cap[r] * (1.0 - _TIE_RTOL)
    return SolveResult(
        np.array(rates, dtype=np.float64),
        np.array(binding, dtype=np.intp),
        np.array(load, dtype=np.float64),
        np.array(saturated, dtype=bool),
        iterations,
    )


def check_max_min(
    weights: Any,
    capacities: ArrayLike,
    demands: ArrayLike,
    shares: ArrayLike,
    rates: ArrayLike,
    rtol: float = 1e-9,
) -> list[str]:
    """List the ways in which ``rates`` fails to be the weighted max-min fair allocation.

    Checks, with relative tolerance ``rtol``: rates are not negative; no resource is
    over capacity; no flow gets more than its demand; and the max-min certificate:
    every flow below its demand crosses at least one saturated resource on which no
    other flow gets a higher rate per share.  These conditions hold for exactly one
    allocation, so an empty list proves ``rates`` correct.

    Parameters
    ----------
    weights, capacities, demands, shares
        As for :func:`solve`.
    rates : array_like of float, shape (F,)
        The allocation to check, in the flows' unit.
    rtol : float, optional
        Relative tolerance for every comparison.

    Returns
    -------
    list of str
        One sentence per violation, naming the resource or flow; empty if none.

    Examples
    --------
    >>> check_max_min(np.array([[1.0, 1.0]]), [10.0], [3.0, 20.0], [1.0, 1.0], [3.0, 7.0])
    []
    >>> check_max_min(np.array([[1.0, 1.0]]), [10.0], [3.0, 20.0], [1.0, 1.0], [3.0, 6.0])
    ['flow 1: rate 6 is below its demand 20 but it has no bottleneck (a saturated resource on which no flow gets more per share)']
    """
    w, cap, dem, shr = _validate(weights, capacities, demands, shares)
    w = sp.csr_array(w)  # rows, below (a no-op for CSR)
    x = np.asarray(rates, dtype=np.float64)
    n_res, n_flows = w.shape
    if x.shape != (n_flows,):
        return [f"rates has shape {x.shape}; expected ({n_flows},)"]
    problems: list[str] = []
    for f in np.flatnonzero(~(x >= 0.0)):
        problems.append(f"flow {f}: rate {x[f]:g} is negative or NaN")
    load = np.asarray(w @ x, dtype=np.float64)
    finite = np.isfinite(cap)
    over = finite & (load - cap > rtol * np.maximum(cap, np.abs(load)))
    for r in np.flatnonzero(over):
        problems.append(f"resource {r}: load {load[r]:g} exceeds capacity {cap[r]:g}")
    above = x - dem > rtol * dem
    for f in np.flatnonzero(above):
        problems.append(f"flow {f}: rate {x[f]:g} exceeds demand {dem[f]:g}")

    below = x < dem * (1.0 - rtol)
    if below.any():
        norm = x / shr
        saturated = finite & (load >= cap * (1.0 - rtol))
        # Highest rate per share among the flows of each resource (rows are CSR).
        row_max = np.full(n_res, -np.inf)
        nz = np.diff(w.indptr) > 0
        if w.nnz:
            row_max[nz] = np.maximum.reduceat(norm[w.indices], w.indptr[:-1][nz])
        rows = np.repeat(np.arange(n_res), np.diff(w.indptr))
        ok = saturated[rows] & (norm[w.indices] >= row_max[rows] * (1.0 - rtol))
        has_bottleneck = np.bincount(w.indices[ok], minlength=n_flows) > 0
        for f in np.flatnonzero(below & ~has_bottleneck):
            problems.append(
                f"flow {f}: rate {x[f]:g} is below its demand {dem[f]:g} but it has no "
                "bottleneck (a saturated resource on which no flow gets more per share)"
            )
    return problems


# --------------------------------------------------------------------------- internals


def _validate(
    weights: Any, capacities: ArrayLike, demands: ArrayLike, shares: ArrayLike
) -> tuple[Any, FloatArray, FloatArray, FloatArray]:
    """Check the inputs and return (weights without explicit zeros: CSC if given CSC,
    else CSR; cap, dem, shr)."""
    if sp.issparse(weights) and weights.format == "csc":
        w = sp.csc_array(weights, dtype=np.float64)  # shares the caller's arrays
    elif sp.issparse(weights):
        w = sp.csr_array(weights, dtype=np.float64)  # shares the caller's arrays if CSR
    else:
        dense = np.asarray(weights, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(
                f"weights must be 2-D (resources x flows); got {dense.ndim} dimension(s)."
            )
        w = sp.csr_array(dense)
    n_res, n_flows = w.shape

    bad = np.flatnonzero(~(np.isfinite(w.data) & (w.data >= 0.0)))
    if bad.size:
        k = bad[0]
        major = int(np.searchsorted(w.indptr, k, side="right") - 1)
        r, f = (int(w.indices[k]), major) if w.format == "csc" else (major, int(w.indices[k]))
        raise ValueError(
            f"weights[{r}, {f}] is {float(w.data[k])}; weights must be finite and >= 0."
        )
    if not w.data.all():  # an explicit zero would count its flow as a user of the row
        w = w.copy()  # never modify the caller's matrix
        w.eliminate_zeros()

    cap = _vector("capacities", capacities, n_res, "resource row(s)")
    dem = _vector("demands", demands, n_flows, "flow column(s)")
    shr = _vector("shares", shares, n_flows, "flow column(s)")
    for name, arr in (("capacities", cap), ("demands", dem)):
        bad = np.flatnonzero(~(arr >= 0.0))  # catches NaN too
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"{name}[{i}] is {float(arr[i])}; {name} must be numbers >= 0 (inf allowed)."
            )
    bad = np.flatnonzero(~(np.isfinite(shr) & (shr > 0.0)))
    if bad.size:
        i = bad[0]
        raise ValueError(f"shares[{i}] is {float(shr[i])}; shares must be finite and > 0.")
    return w, cap, dem, shr


def _vector(name: str, values: ArrayLike, n: int, axis: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(
            f"{name} has shape {arr.shape} but weights has {n} {axis}, "
            f"so {name} must have shape ({n},)."
        )
    return arr


def _check_bounded(w_fin: Any, dem: FloatArray) -> None:
    """Raise if a flow of infinite demand crosses no resource of finite capacity."""
    if w_fin.format == "csc":
        crosses = np.diff(w_fin.indptr) > 0
    else:
        crosses = np.zeros(dem.shape[0], dtype=bool)
        crosses[w_fin.indices] = True
    bad = np.flatnonzero(np.isinf(dem) & ~crosses)
    if bad.size:
        f = bad[0]
        raise ValueError(
            f"flow {f} has infinite demand but crosses no resource of finite capacity, "
            "so its rate would be unbounded."
        )


def _segments(indptr: IntArray, which: IntArray) -> tuple[IntArray, IntArray]:
    """Positions in ``indices``/``data`` of the rows (CSR) or columns (CSC) ``which``.

    Returns the concatenated positions, in the order of ``which``, and each segment's
    length.
    """
    starts = indptr[which]
    lengths = indptr[which + 1] - starts
    total = int(lengths.sum())
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.intp), lengths


def _fill(
    w: Any, cap: FloatArray, dem: FloatArray, shr: FloatArray
) -> tuple[FloatArray, IntArray, BoolArray, int]:
    """Progressive filling on finite-capacity resources only.

    ``w`` is CSR or CSC with no explicit zeros.  Returns rates, binding (row of ``w`` or
    -1), the resources that saturated as events, and the number of iterations.
    """
    n_res, n_flows = w.shape
    if w.indices.dtype != np.int32 and max(w.nnz, *w.shape) < np.iinfo(np.int32).max:
        # 32-bit indices halve the memory traffic of every mat-vec and conversion.
        idx32 = (w.indices.astype(np.int32), w.indptr.astype(np.int32))
        w = type(w)((w.data, *idx32), shape=w.shape)
    by_col = w.format == "csc"
    rates = np.zeros(n_flows)
    binding = np.full(n_flows, -1, dtype=np.intp)
    active = np.ones(n_flows, dtype=bool)
    demand_level = dem / shr
    # Per resource: sum of weight*share over unfrozen flows (the load per unit of level),
    # number of unfrozen flows, load of frozen flows.  Kept up to date by ``freeze``.
    coef = np.asarray(w @ shr, dtype=np.float64)
    if by_col:
        users = np.bincount(w.indices, minlength=n_res).astype(np.intp)
    else:
        users = np.diff(w.indptr).astype(np.intp)
    frozen_load = np.zeros(n_res)
    level = np.empty(n_res)
    saturated = np.zeros(n_res, dtype=bool)
    n_active = n_flows
    iterations = 0
    # w's pattern with every weight 1, built on first use: pattern @ active counts each
    # resource's unfrozen flows in one mat-vec (exact: integers far below 2**53).
    pattern: Any = None
    # w by columns (a small step updates only its flows' resources) and by rows (the
    # flows of the resources that saturate), each built on first use
    by_flow: Any = w if by_col else None
    by_res: Any = None if by_col else w
    scans = 0
    if by_col:  # the columns that have entries, and where each starts (for the scans)
        nonempty = np.flatnonzero(np.diff(w.indptr) > 0)
        starts = w.indptr[nonempty]
    big_step = max(1, n_flows // 4)

    def freeze(flows: IntArray, t: float | None) -> None:
        """Mark ``flows`` frozen (their rates already set) and update the totals.

        ``t`` is the level at which they froze at ``t * shr``, or None for demands.
        """
        nonlocal n_active, by_flow, pattern
        active[flows] = False
        n_active -= flows.size
        if flows.size >= big_step:  # a large step: recompute all (three mat-vecs)
            coef[:] = w @ (shr * active)
            frozen_load[:] = w @ rates
            if pattern is None:
                pattern = type(w)((np.ones(w.nnz), w.indices, w.indptr), shape=w.shape)
            users[:] = np.rint(pattern @ active.astype(np.float64)).astype(np.intp)
            return
        if by_flow is None:
            by_flow = w.tocsc()
        pos, lengths = _segments(by_flow.indptr, flows)
        res = by_flow.indices[pos]
        wt = by_flow.data[pos]
        col = np.repeat(flows, lengths)
        dec = np.bincount(res, weights=wt * shr[col], minlength=n_res)
        coef[:] -= dec
        if t is None:
            frozen_load[:] += np.bincount(res, weights=wt * rates[col], minlength=n_res)
        else:
            frozen_load[:] += t * dec
        users[:] -= np.bincount(res, minlength=n_res)
        coef[users == 0] = 0.0  # exact, whatever the rounding of the subtractions

    def first_crossed(sat: IntArray) -> IntArray:
        """Per flow, the position in ``sat`` of the first resource of ``sat`` it crosses
        (``sat.size`` where it crosses none or is frozen already)."""
        nonlocal by_res, scans
        first = np.full(n_flows, sat.size, dtype=np.intp)
        if by_res is None and scans >= _SCANS:
            by_res = w.tocsr()
        if by_res is not None:
            pos, lengths = _segments(by_res.indptr, sat)
            flows = by_res.indices[pos]
            at = np.repeat(np.arange(sat.size), lengths)
            keep = active[flows]
            np.minimum.at(first, flows[keep], at[keep])
            return first
        scans += 1  # one pass over the entries of a CSC matrix, column by column
        rank = np.full(n_res, sat.size, dtype=w.indices.dtype)
        rank[sat] = np.arange(sat.size)
        if nonempty.size:
            first[nonempty] = np.minimum.reduceat(np.take(rank, w.indices), starts)
        first[~active] = sat.size
        return first

    while n_active:
        iterations += 1
        has_users = users > 0
        remaining = np.maximum(cap - frozen_load, 0.0)
        level.fill(np.inf)
        np.divide(remaining, coef, out=level, where=has_users)
        r_star = int(np.argmin(level)) if n_res else -1
        t_sat = float(level[r_star]) if n_res else np.inf

        # 1. Flows that reach their demand no later than the next saturation: freeze
        #    them all at once.  This only lowers loads, so no resource saturates sooner.
        cutoff = t_sat * (1.0 + _TIE_RTOL) if np.isfinite(t_sat) else _FLOAT_MAX
        meet = np.flatnonzero(active & (demand_level <= cutoff))
        if meet.size:
            rates[meet] = dem[meet]
            freeze(meet, None)
            continue
        if not np.isfinite(t_sat):  # pragma: no cover - excluded by _check_bounded
            raise RuntimeError("progressive filling found no event; please report this.")

        # 2. Resources saturating at t_sat (within tolerance) freeze their flows.
        slack = remaining - t_sat * coef
        newly = has_users & (slack <= _TIE_RTOL * cap)
        newly[r_star] = True
        sat = np.flatnonzero(newly)
        rel_slack = slack[sat] / np.where(cap[sat] > 0.0, cap[sat], 1.0)
        # slack below the tie tolerance is rounding noise: ties go to the lowest index
        rel_slack = np.where(rel_slack <= _TIE_RTOL, 0.0, rel_slack)
        sat = sat[np.lexsort((sat, rel_slack))]  # smallest slack first, then index
        saturated[sat] = True
        # each flow once, ascending, bound to the first resource of ``sat`` it crosses
        first = first_crossed(sat)
        frozen = np.flatnonzero(first < sat.size)
        # Active flows have demand_level > cutoff, so t_sat * shr < dem: never above it.
        rates[frozen] = t_sat * shr[frozen]
        binding[frozen] = sat[first[frozen]]
        freeze(frozen, t_sat)

    return rates, binding, saturated, iterations
