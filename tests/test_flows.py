"""Tests for :mod:`sizer.flows`: hand-worked cases, an LP oracle, properties, errors.

Every result is run through :func:`sizer.flows.check_max_min` (capacity, demand and the
bottleneck certificate), as STYLE.md asks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sizer.flows import SolveResult, check_max_min, solve, solve_columns

INF = np.inf
GB = 1e9


def solved(weights: Any, capacities: Any, demands: Any, shares: Any | None = None) -> SolveResult:
    """Solve, then check the invariants every result must satisfy."""
    weights = np.asarray(weights, dtype=float) if not sp.issparse(weights) else weights
    demands = np.asarray(demands, dtype=float)
    if shares is None:
        shares = np.ones(demands.shape)
    res = solve(weights, capacities, demands, shares)
    assert check_max_min(weights, capacities, demands, shares, res.rates) == []
    assert_consistent(weights, capacities, demands, res)
    return res


def assert_consistent(weights: Any, capacities: Any, demands: Any, res: SolveResult) -> None:
    """The fields of a result agree with each other and with the inputs."""
    w = sp.csr_array(weights).toarray() if sp.issparse(weights) else np.asarray(weights)
    cap = np.asarray(capacities, dtype=float)
    dem = np.asarray(demands, dtype=float)
    assert res.rates.dtype == np.float64 and res.binding.dtype.kind == "i"
    assert np.all(res.rates >= 0.0)
    assert np.all(res.rates <= dem)  # exactly, not within a tolerance
    assert np.all(res.load <= cap)  # exactly: saturation noise is clipped
    np.testing.assert_allclose(res.load, w @ res.rates, rtol=1e-9, atol=1e-12)
    met = res.binding == -1
    assert np.array_equal(res.rates[met], dem[met])  # binding -1 means full demand
    for f in np.flatnonzero(~met):
        r = res.binding[f]
        assert w[r, f] > 0.0, f"flow {f} bound to resource {r} it does not cross"
        assert res.saturated[r], f"flow {f} bound to unsaturated resource {r}"
    assert 0 <= res.iterations <= len(dem)


# --------------------------------------------------------------------------- hand cases


def test_one_flow_one_link() -> None:
    """10 GB/s link, one flow wanting as much as it can: it gets the 10 GB/s."""
    res = solved([[1.0]], [10 * GB], [INF])
    assert res.rates.tolist() == [10 * GB]
    assert res.binding.tolist() == [0]
    assert res.saturated.tolist() == [True]
    assert res.load.tolist() == [10 * GB]


def test_two_flows_unequal_shares_on_one_link() -> None:
    """12 GB/s link; A has 1 GPU, B has 2, both unlimited.

    Rates rise as t * share: t + 2t = 12, so t = 4: A = 4, B = 8 (4 GB/s per GPU each).
    """
    res = solved([[1.0, 1.0]], [12.0], [INF, INF], [1.0, 2.0])
    assert res.rates.tolist() == [4.0, 8.0]
    assert res.binding.tolist() == [0, 0]


def test_capped_flow_leaves_the_rest_to_its_neighbour() -> None:
    """10 GB/s link; A wants 3, B wants 20, so A = 3 and B = 10 - 3 = 7.

    A meets its demand at t = 3 (binding -1); B then fills the link (binding 0).
    """
    res = solved([[1.0, 1.0]], [10 * GB], [3 * GB, 20 * GB])
    assert res.rates.tolist() == [3 * GB, 7 * GB]
    assert res.binding.tolist() == [-1, 0]


def test_flow_crossing_two_resources() -> None:
    """A crosses L0 (10) and L1 (4); B crosses L0 only.

    L0 saturates at 2t = 10 (t = 5), L1 at t = 4: L1 first, so A = 4 (bound by L1).
    B then has L0 to itself: 10 - 4 = 6 (bound by L0).
    """
    w = [[1.0, 1.0], [1.0, 0.0]]
    res = solved(w, [10.0, 4.0], [INF, INF])
    assert res.rates.tolist() == [4.0, 6.0]
    assert res.binding.tolist() == [1, 0]
    assert res.load.tolist() == [10.0, 4.0]


def test_independent_resources_in_one_call() -> None:
    """L0 (10) carries A and B, L1 (6) carries C; nothing links them.

    L0: 2t = 10, so A = B = 5.  L1: C = 6.  Same answer as two separate solves.
    """
    w = [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    res = solved(w, [10.0, 6.0], [INF, INF, INF])
    assert res.rates.tolist() == [5.0, 5.0, 6.0]
    assert res.binding.tolist() == [0, 0, 1]


def test_zero_capacity_freezes_its_flows_at_zero() -> None:
    """L0 has capacity 0 and carries A; L1 (10) carries A and B.

    L0 saturates at t = 0, so A = 0 (bound by L0); B then takes all of L1: 10.
    """
    w = [[1.0, 0.0], [1.0, 1.0]]
    res = solved(w, [0.0, 10.0], [5.0, INF])
    assert res.rates.tolist() == [0.0, 10.0]
    assert res.binding.tolist() == [0, 1]
    assert res.saturated.tolist() == [True, True]


def test_infinite_demand_takes_what_is_left() -> None:
    """25 GB/s link; A wants 10, B and C want as much as they can get.

    3t = 25 gives t = 8.33 < 10: A never reaches its demand, A = B = C = 25/3, all
    bound by the link.  With A wanting 5 instead, A meets its demand at t = 5 first,
    then B = C = (25 - 5) / 2 = 10.
    """
    res = solved([[1.0, 1.0, 1.0]], [25.0], [10.0, INF, INF])
    np.testing.assert_allclose(res.rates, [25 / 3] * 3, rtol=1e-15)
    assert res.binding.tolist() == [0, 0, 0]
    res = solved([[1.0, 1.0, 1.0]], [25.0], [5.0, INF, INF])
    assert res.rates.tolist() == [5.0, 10.0, 10.0]
    assert res.binding.tolist() == [-1, 0, 0]


def test_zero_demand_gets_zero_and_is_not_bound() -> None:
    """10 GB/s link; A wants 0, B wants everything: A = 0 (binding -1), B = 10."""
    res = solved([[1.0, 1.0]], [10.0], [0.0, INF])
    assert res.rates.tolist() == [0.0, 10.0]
    assert res.binding.tolist() == [-1, 0]


def test_linear_network_freezing_the_long_flow_frees_capacity() -> None:
    """The linear network of Bertsekas & Gallager §6.5.2: a long session over 3 links.

    Links L0, L1, L2 of capacity 1, 2, 3.  Flow A crosses all three; B, C, D each cross
    one (L0, L1, L2).  Saturation levels with all four rising: L0 at 2t = 1 (t = 0.5),
    L1 at 2t = 2 (t = 1), L2 at 2t = 3 (t = 1.5).  L0 goes first: A = B = 0.5.
    With A frozen, L1 has 2 - 0.5 = 1.5 for C and L2 has 3 - 0.5 = 2.5 for D: both get
    more than an equal split of their link would give them.
    """
    w = [
        [1.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 1.0],
    ]
    res = solved(w, [1.0, 2.0, 3.0], [INF] * 4)
    assert res.rates.tolist() == [0.5, 0.5, 1.5, 2.5]
    assert res.binding.tolist() == [0, 0, 1, 2]


def test_half_the_traffic_on_each_of_two_parallel_links() -> None:
    """A is spread evenly (ECMP) over L0 and L1, weight 0.5 each; B uses L0 only.

    Both links are 10.  L0: 0.5t + t = 10, t = 6.67; L1: 0.5t = 10, t = 20.  L0 first,
    so A = B = 20/3: a fixed split cannot move A's traffic to the idle L1, which ends
    at 0.5 * 20/3 = 3.33.
    """
    w = [[0.5, 1.0], [0.5, 0.0]]
    res = solved(w, [10.0, 10.0], [INF, INF])
    np.testing.assert_allclose(res.rates, [20 / 3, 20 / 3], rtol=1e-15)
    assert res.binding.tolist() == [0, 0]
    np.testing.assert_allclose(res.load, [10.0, 10 / 3], rtol=1e-15)
    assert res.saturated.tolist() == [True, False]


def test_resource_counted_in_images_per_second() -> None:
    """A 25 GB/s link and a decoder of 20,000 images/s, both shared by A and B.

    A reads 500 kB images (weight 1/500e3 image per byte), B 100 kB images.
    Link: 2t = 25e9, t = 12.5e9.  Decoder: t/500e3 + t/100e3 = 1.2e-5 t = 20,000,
    t = 1.667e9 B/s: the decoder binds first, A = B = 1.667 GB/s, that is 3,333 and
    16,667 images/s (sum 20,000), and the link carries only 3.33 GB/s.
    """
    w = [[1.0, 1.0], [1 / 500e3, 1 / 100e3]]
    res = solved(w, [25 * GB, 20_000.0], [INF, INF])
    np.testing.assert_allclose(res.rates, [5e9 / 3, 5e9 / 3], rtol=1e-12)
    assert res.binding.tolist() == [1, 1]
    np.testing.assert_allclose(res.rates / [500e3, 100e3], [10_000 / 3, 50_000 / 3])
    assert res.saturated.tolist() == [False, True]


def test_per_gpu_fairness_with_demands_and_two_levels() -> None:
    """40 GB/s storage link shared by jobs of 8, 4 and 2 GPUs; per-GPU need 2, 6, 6.

    Demands are 16, 24 and 12 GB/s (52 > 40).  Rising as t * GPUs: 14t = 40 gives
    t = 2.86, but the 8-GPU job meets its demand at t = 2 first: 16 GB/s.  The others
    share the remaining 24 as 4t + 2t = 24, t = 4: 16 and 8 GB/s.
    """
    res = solved([[1.0, 1.0, 1.0]], [40.0], [16.0, 24.0, 12.0], [8.0, 4.0, 2.0])
    assert res.rates.tolist() == [16.0, 16.0, 8.0]
    assert res.binding.tolist() == [-1, 0, 0]


def test_flow_crossing_only_unlimited_resources_gets_its_demand() -> None:
    """A crosses an infinite-capacity resource only, B nothing: each gets its demand."""
    res = solved([[1.0, 0.0]], [INF], [7.0, 3.0])
    assert res.rates.tolist() == [7.0, 3.0]
    assert res.binding.tolist() == [-1, -1]
    assert res.saturated.tolist() == [False]
    assert res.load.tolist() == [7.0]


def test_simultaneous_saturation_binds_to_lowest_index() -> None:
    """One flow over L0 and L1, both 5: both saturate at t = 5; the flow names L0."""
    res = solved([[1.0], [1.0]], [5.0, 5.0], [INF])
    assert res.rates.tolist() == [5.0]
    assert res.binding.tolist() == [0]
    assert res.saturated.tolist() == [True, True]


def test_simultaneous_saturation_within_rounding_goes_to_the_lowest_index() -> None:
    """L1 saturates a hair (1e-14 relative) before L0: that is rounding noise, within the
    tie tolerance, so the flow is bound to the lowest index, L0 - the same answer
    whichever way the floating-point sums happened to round (tested in scaling: six
    DGX-2 read limits of 120 GB/s vs three ESS 3000 at 120 GB/s)."""
    res = solved([[1.0], [1.0]], [5.0, 5.0 * (1 - 1e-14)], [INF])
    assert res.binding.tolist() == [0]


def test_simultaneous_saturation_prefers_the_tighter_resource() -> None:
    """L1 saturates clearly (1e-6 relative) before L0: the flow is bound to L1."""
    res = solved([[1.0], [1.0]], [5.0, 5.0 * (1 - 1e-6)], [INF])
    assert res.binding.tolist() == [1]


def test_demand_met_exactly_at_saturation_counts_as_met() -> None:
    """10 GB/s link; A wants 5, B wants 5: both meet demand exactly as the link fills.

    Binding is -1 for both (they got their full demand), and the link is saturated.
    """
    res = solved([[1.0, 1.0]], [10.0], [5.0, 5.0])
    assert res.rates.tolist() == [5.0, 5.0]
    assert res.binding.tolist() == [-1, -1]
    assert res.saturated.tolist() == [True]


def test_demands_met_between_saturations_are_batched() -> None:
    """100 flows on one link of 1000, demands 1, 2, ..., 100 (sum 5050), share 1.

    Step 1: the link would fill at 100t = 1000, t = 10; flows 1..10 meet their demand
    by then, so all ten freeze at once (sum 55).  Step 2: the link fills at
    55 + 90t = 1000, t = 10.5, before flow 11's demand: flows 11..100 get 10.5.
    Two iterations, not eleven.
    """
    d = np.arange(1.0, 101.0)
    res = solved(np.ones((1, 100)), [1000.0], d)
    assert res.iterations == 2
    assert res.rates.tolist() == [*range(1, 11), *[10.5] * 90]
    assert res.binding.tolist() == [-1] * 10 + [0] * 90


def test_example_from_the_docstring_by_sparse_format() -> None:
    """Every sparse format, and a list, give the same answer (A = 3, B = 7)."""
    dense = np.array([[1.0, 1.0]])
    inputs: list[Any] = [
        dense,
        dense.tolist(),
        sp.csr_matrix(dense),
        sp.csc_array(dense),
        sp.coo_array(dense),
        sp.lil_matrix(dense),
    ]
    for w in inputs:
        assert solve(w, [10.0], [3.0, 20.0], [1.0, 1.0]).rates.tolist() == [3.0, 7.0]


def test_duplicates_and_explicit_zeros_are_handled_and_input_untouched() -> None:
    """COO with a duplicate entry (0.5 + 0.5 = 1) and an explicit zero; input unchanged."""
    rows, cols = np.array([0, 0, 0]), np.array([0, 0, 1])
    data = np.array([0.5, 0.5, 0.0])
    w = sp.coo_array((data, (rows, cols)), shape=(1, 2))
    res = solve(w, [4.0], [INF, 3.0], [1.0, 1.0])
    assert res.rates.tolist() == [4.0, 3.0]  # B crosses nothing: it gets its demand
    assert res.binding.tolist() == [0, -1]
    assert w.data.tolist() == [0.5, 0.5, 0.0] and w.nnz == 3
    csr = sp.csr_array(np.array([[1.0, 0.0, 2.0]]))
    csr.data[1] = 0.0  # now an explicit zero in a canonical CSR: flow 2 uses nothing
    before = (csr.data.copy(), csr.indices.copy(), csr.indptr.copy())
    res = solve(csr, [1.0], [INF, 1.0, 5.0], [1.0, 1.0, 1.0])
    assert res.rates.tolist() == [1.0, 1.0, 5.0]
    for a, b in zip(before, (csr.data, csr.indices, csr.indptr), strict=True):
        assert np.array_equal(a, b)


def test_empty_problems() -> None:
    """No flows, or no resources: nothing to share."""
    res = solve(np.zeros((2, 0)), [1.0, 2.0], [], [])
    assert res.rates.shape == (0,) and res.load.tolist() == [0.0, 0.0]
    res = solve(np.zeros((0, 2)), [], [1.0, 2.0], [1.0, 1.0])
    assert res.rates.tolist() == [1.0, 2.0] and res.binding.tolist() == [-1, -1]


# --------------------------------------------------------------------------- check_max_min


def test_check_max_min_reports_each_kind_of_violation() -> None:
    """The checker catches overload, excess over demand, and a missing bottleneck."""
    w = np.array([[1.0, 1.0]])
    assert check_max_min(w, [10.0], [3.0, 20.0], [1.0, 1.0], [3.0, 7.0]) == []
    assert check_max_min(w, [10.0], [3.0, 20.0], [1.0, 1.0], [3.0, 8.0]) == [
        "resource 0: load 11 exceeds capacity 10"
    ]
    assert check_max_min(w, [10.0], [3.0, 20.0], [1.0, 1.0], [4.0, 6.0]) == [
        "flow 0: rate 4 exceeds demand 3"
    ]
    # Feasible but not fair: B has a saturated link, yet A gets more per share there.
    assert check_max_min(w, [10.0], [INF, INF], [1.0, 1.0], [6.0, 4.0]) == [
        "flow 1: rate 4 is below its demand inf but it has no bottleneck "
        "(a saturated resource on which no flow gets more per share)"
    ]
    assert check_max_min(w, [10.0], [INF, INF], [1.0, 1.0], [1.0]) == [
        "rates has shape (1,); expected (2,)"
    ]


# --------------------------------------------------------------------------- LP oracle


def lp_max_min(w: np.ndarray, cap: np.ndarray, dem: np.ndarray, shr: np.ndarray) -> np.ndarray:
    """Weighted max-min fair rates by successive linear programs (independent of solve).

    Round k: maximise the common level t such that every unfrozen flow f has
    x_f >= t * shr_f, subject to w x <= cap, 0 <= x <= dem and frozen flows fixed.
    Then, for each unfrozen flow, maximise x_f alone with the others kept >= t * shr;
    the flows that cannot exceed t * shr_f are frozen there.  Repeat until all frozen.
    """
    n_flows = w.shape[1]
    keep = np.isfinite(cap)
    a_cap, b_cap = w[keep], cap[keep]
    fixed = np.full(n_flows, np.nan)
    for _ in range(n_flows + 1):
        free = np.flatnonzero(np.isnan(fixed))
        if free.size == 0:
            return fixed
        bounds = [
            (fixed[f], fixed[f]) if not np.isnan(fixed[f]) else (0.0, dem[f])
            for f in range(n_flows)
        ]
        # Variables (x_0..x_{F-1}, t).  Rows: w x <= cap; t * shr_f - x_f <= 0 (f free).
        level_rows = np.zeros((free.size, n_flows + 1))
        level_rows[np.arange(free.size), free] = -1.0
        level_rows[:, -1] = shr[free]
        a_ub = np.vstack([np.hstack([a_cap, np.zeros((a_cap.shape[0], 1))]), level_rows])
        b_ub = np.concatenate([b_cap, np.zeros(free.size)])
        c = np.zeros(n_flows + 1)
        c[-1] = -1.0
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[*bounds, (0.0, None)], method="highs")
        assert res.status == 0, res.message
        t = res.x[-1]
        # Per-flow test: keep every free flow at >= t * shr (slightly relaxed for the
        # LP's feasibility tolerance) and push one flow as high as it can go.
        b_fix = np.concatenate([b_cap, -t * shr[free] * (1 - 1e-9)])
        a_fix = np.vstack([a_cap, -np.eye(n_flows)[free]])
        newly = []
        for f in free:
            c = np.zeros(n_flows)
            c[f] = -1.0
            r = linprog(c, A_ub=a_fix, b_ub=b_fix, bounds=bounds, method="highs")
            assert r.status == 0, r.message
            if -r.fun <= t * shr[f] * (1 + 1e-7) + 1e-9:
                newly.append(f)
        assert newly, "LP oracle made no progress"
        for f in newly:
            fixed[f] = min(t * shr[f], dem[f])
    raise AssertionError("LP oracle did not converge")


@st.composite
def small_instances(draw: st.DrawFn, finite_demands: bool = True) -> tuple[np.ndarray, ...]:
    """Up to 6 resources x 6 flows, sparse weights, some zero / infinite capacities."""
    n_res = draw(st.integers(1, 6))
    n_flows = draw(st.integers(1, 6))
    weight = st.one_of(
        st.just(0.0),
        st.just(0.0),
        st.sampled_from([0.5, 1.0, 2.0]),
        st.floats(0.05, 4.0, allow_subnormal=False),
    )
    w = np.array(draw(st.lists(weight, min_size=n_res * n_flows, max_size=n_res * n_flows)))
    w = w.reshape(n_res, n_flows)
    capacity = st.one_of(
        st.floats(0.5, 100.0), st.just(0.0), st.just(INF), st.sampled_from([1.0, 10.0])
    )
    cap = np.array(draw(st.lists(capacity, min_size=n_res, max_size=n_res)))
    demand = st.one_of(st.floats(0.0, 100.0, allow_subnormal=False), st.just(5.0))
    if not finite_demands:
        demand = st.one_of(demand, st.just(INF))
    dem = np.array(draw(st.lists(demand, min_size=n_flows, max_size=n_flows)))
    share = st.one_of(st.integers(1, 8).map(float), st.floats(0.25, 8.0))
    shr = np.array(draw(st.lists(share, min_size=n_flows, max_size=n_flows)))
    if not finite_demands:
        # An unlimited flow must cross a finite resource: give it a finite one to use.
        unbounded = np.isinf(dem) & ~((w > 0) & np.isfinite(cap)[:, None]).any(axis=0)
        dem[unbounded] = 50.0
    return w, cap, dem, shr


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_agrees_with_lp_oracle(inst: tuple[np.ndarray, ...]) -> None:
    w, cap, dem, shr = inst
    res = solved(w, cap, dem, shr)
    expected = lp_max_min(w, cap, dem, shr)
    np.testing.assert_allclose(res.rates, expected, rtol=1e-6, atol=1e-6)


def test_lp_oracle_on_the_linear_network() -> None:
    """The oracle itself reproduces a hand case (so a bug cannot hide in both)."""
    w = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]])
    got = lp_max_min(w, np.array([1.0, 2.0, 3.0]), np.full(4, 100.0), np.ones(4))
    np.testing.assert_allclose(got, [0.5, 0.5, 1.5, 2.5], rtol=1e-7)


# --------------------------------------------------------------------------- properties


@st.composite
def larger_instances(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Up to 30 x 40, sparse, with infinite demands (kept bounded)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_res = draw(st.integers(1, 30))
    n_flows = draw(st.integers(1, 40))
    density = draw(st.sampled_from([0.05, 0.2, 0.5]))
    w = rng.random((n_res, n_flows)) * (rng.random((n_res, n_flows)) < density)
    if draw(st.booleans()):
        w = np.where(w > 0, np.round(w * 4) / 4 + 0.25, 0.0)  # coarse weights: many ties
    cap = rng.choice([0.0, 1.0, 10.0, INF], n_res, p=[0.05, 0.3, 0.45, 0.2])
    cap = np.where(cap == 10.0, rng.uniform(1, 100, n_res), cap)
    dem = rng.choice([0.0, 3.0, 20.0, INF], n_flows, p=[0.05, 0.3, 0.35, 0.3])
    dem = np.where(dem == 20.0, rng.uniform(0, 50, n_flows), dem)
    shr = rng.choice([1.0, 2.0, 4.0, 8.0, 0.3], n_flows)
    unbounded = np.isinf(dem) & ~((w > 0) & np.isfinite(cap)[:, None]).any(axis=0)
    dem[unbounded] = 7.0
    return w, cap, dem, shr


@settings(max_examples=200, deadline=None)
@given(larger_instances())
def test_certificate_holds_on_random_instances(inst: tuple[np.ndarray, ...]) -> None:
    w, cap, dem, shr = inst
    solved(sp.csr_array(w), cap, dem, shr)


def _csc_unsorted(w: np.ndarray, rng: np.random.Generator) -> Any:
    """``w`` as CSC with each column's rows in a random order (as sizer.problem writes
    them: in the order the pieces of a route come, not sorted)."""
    m = sp.csc_array(w)
    for f in range(m.shape[1]):
        lo, hi = m.indptr[f], m.indptr[f + 1]
        order = lo + rng.permutation(hi - lo)
        m.indices[lo:hi], m.data[lo:hi] = m.indices[order], m.data[order]
    m.has_sorted_indices = False
    return m


@settings(max_examples=200, deadline=None)
@given(larger_instances(), st.integers(0, 2**32 - 1))
def test_csc_gives_what_csr_gives(inst: tuple[np.ndarray, ...], seed: int) -> None:
    """The solver reads CSC by columns (a pass over its entries for the first
    saturations, then its rows): rates, bindings, loads and saturations are those of
    CSR to the bit, with unsorted rows within a column and empty columns."""
    w, cap, dem, shr = inst
    by_row = solve(sp.csr_array(w), cap, dem, shr)
    by_col = solve(_csc_unsorted(w, np.random.default_rng(seed)), cap, dem, shr)
    assert by_col.rates.tolist() == by_row.rates.tolist()
    assert by_col.binding.tolist() == by_row.binding.tolist()
    assert by_col.load.tolist() == by_row.load.tolist()
    assert by_col.saturated.tolist() == by_row.saturated.tolist()
    assert by_col.iterations == by_row.iterations


def test_csc_with_many_saturations_switches_to_rows() -> None:
    """More saturation events than the solver answers by passes over a CSC matrix's
    entries: the rest are answered by its rows, and the answer is the same."""
    n = 12  # flow f crosses resource f and the last: each saturates at a level of its own
    w = np.eye(n)
    w[-1, :] = 0.5
    cap = np.append(np.arange(1.0, n) * 3.0, 1e3)
    dem, shr = np.full(n, INF), np.ones(n)
    by_row = solve(sp.csr_array(w), cap, dem, shr)
    by_col = solve(_csc_unsorted(w, np.random.default_rng(0)), cap, dem, shr)
    assert by_row.iterations > 3 + 1  # more events than the passes (flows._SCANS)
    assert by_col.rates.tolist() == by_row.rates.tolist()
    assert by_col.binding.tolist() == by_row.binding.tolist()
    assert check_max_min(sp.csc_array(w), cap, dem, shr, by_col.rates) == []


def min_normalised_rate_below_demand(res: SolveResult, dem: np.ndarray, shr: np.ndarray) -> float:
    below = res.rates < dem * (1 - 1e-9)
    return float((res.rates / shr)[below].min()) if below.any() else INF


def test_more_capacity_can_lower_the_aggregate() -> None:
    """Counterexample: adding capacity may lower the sum of rates (found by hand,
    confirmed by the LP oracle), so that is NOT a property of max-min fairness.

    A is limited by its own link L0 (capacity a) and also crosses L1 (10) with weight 4
    (e.g. 4 bytes of L1 per byte delivered); B uses L1 with weight 1.
    a = 1: A = 1, B = 10 - 4 = 6, sum 7.
    a = 2: L1 saturates at 4t + t = 10, t = 2 = a: A = B = 2, sum 4.
    A's extra unit costs B four, so the aggregate falls from 7 to 4.
    """
    w = np.array([[1.0, 0.0], [4.0, 1.0]])
    dem, shr = np.array([INF, INF]), np.ones(2)
    low = solved(w, [1.0, 10.0], dem, shr)
    high = solved(w, [2.0, 10.0], dem, shr)
    assert low.rates.tolist() == [1.0, 6.0]
    assert high.rates.tolist() == [2.0, 2.0]
    assert high.rates.sum() < low.rates.sum()
    for a, res in ((1.0, low), (2.0, high)):
        oracle = lp_max_min(w, np.array([a, 10.0]), np.array([100.0, 100.0]), shr)
        np.testing.assert_allclose(res.rates, oracle, rtol=1e-7)


def test_more_capacity_can_lower_the_aggregate_with_unit_weights() -> None:
    """The same happens with plain single-path flows (all weights 1).

    A crosses L0 (capacity a), L1 and L2 (10 each); B uses L1 only, C uses L2 only.
    a = 1: A = 1, B = C = 9, sum 19.  a = 5: L1, L2 saturate at 2t = 10, t = 5:
    A = B = C = 5, sum 15.  A gains 4, but B and C lose 4 each.
    """
    w = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    dem = np.full(3, INF)
    low = solved(w, [1.0, 10.0, 10.0], dem)
    high = solved(w, [5.0, 10.0, 10.0], dem)
    assert low.rates.tolist() == [1.0, 9.0, 9.0]
    assert high.rates.tolist() == [5.0, 5.0, 5.0]


@settings(max_examples=150, deadline=None)
@given(larger_instances(), st.data())
def test_more_capacity_never_lowers_the_smallest_fair_share(
    inst: tuple[np.ndarray, ...], data: st.DataObject
) -> None:
    """The aggregate can fall (see the two tests above), but this cannot.

    Why: let m be the smallest rate per share among flows short of their demand, which
    is the level t1 at which the first resource saturated.  Up to t1 every load under
    the old capacities fit, so with more capacity none saturates before t1 either: the
    filling is identical up to t1, and every flow still short of demand ends at a
    level >= t1 = m.  (The smallest rate per share over *all* flows is monotone too:
    it is the first entry of the leximin-optimal vector over a larger feasible set.)
    """
    w, cap, dem, shr = inst
    r = data.draw(st.integers(0, len(cap) - 1))
    extra = data.draw(st.sampled_from([0.001, 0.5, 2.0, 100.0, INF]))
    bigger = cap.copy()
    bigger[r] = cap[r] + extra if np.isfinite(extra) else INF
    if np.isinf(dem).any() and np.isinf(extra):
        # Keep every unlimited flow crossing some finite resource (else ValueError).
        still = ((w > 0) & np.isfinite(bigger)[:, None]).any(axis=0)
        if (np.isinf(dem) & ~still).any():
            bigger[r] = cap[r] + 1e6
    before = solved(w, cap, dem, shr)
    after = solved(w, bigger, dem, shr)
    m0 = min_normalised_rate_below_demand(before, dem, shr)
    m1 = min_normalised_rate_below_demand(after, dem, shr)
    assert m1 >= m0 * (1 - 1e-9)
    assert (after.rates / shr).min() >= (before.rates / shr).min() * (1 - 1e-9)


@settings(max_examples=150, deadline=None)
@given(larger_instances(), st.floats(1e-3, 1e3))
def test_scaling_capacities_and_demands_scales_rates(
    inst: tuple[np.ndarray, ...], k: float
) -> None:
    w, cap, dem, shr = inst
    base = solved(w, cap, dem, shr)
    scaled = solved(w, cap * k, dem * k, shr)
    np.testing.assert_allclose(scaled.rates, base.rates * k, rtol=1e-9, atol=0)


@settings(max_examples=150, deadline=None)
@given(larger_instances(), st.randoms(use_true_random=False))
def test_permuting_flows_and_resources_permutes_rates(
    inst: tuple[np.ndarray, ...], rnd: Any
) -> None:
    w, cap, dem, shr = inst
    perm_f = np.array(rnd.sample(range(len(dem)), len(dem)))
    perm_r = np.array(rnd.sample(range(len(cap)), len(cap)))
    base = solved(w, cap, dem, shr)
    moved = solved(w[perm_r][:, perm_f], cap[perm_r], dem[perm_f], shr[perm_f])
    np.testing.assert_allclose(moved.rates, base.rates[perm_f], rtol=1e-9, atol=0)
    np.testing.assert_allclose(moved.load, base.load[perm_r], rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(larger_instances())
def test_shares_scale_free(inst: tuple[np.ndarray, ...]) -> None:
    """Multiplying every share by the same factor changes nothing."""
    w, cap, dem, shr = inst
    base = solved(w, cap, dem, shr)
    np.testing.assert_allclose(solved(w, cap, dem, shr * 3.0).rates, base.rates, rtol=1e-9)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ([1.0, 1.0], [10.0], [1.0, 1.0], [1.0, 1.0]),
            "weights must be 2-D (resources x flows); got 1 dimension(s).",
        ),
        (
            ([[1.0, 1.0]], [10.0, 5.0], [1.0, 1.0], [1.0, 1.0]),
            "capacities has shape (2,) but weights has 1 resource row(s), "
            "so capacities must have shape (1,).",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0], [1.0, 1.0]),
            "demands has shape (1,) but weights has 2 flow column(s), "
            "so demands must have shape (2,).",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0, 1.0], [[1.0, 1.0]]),
            "shares has shape (1, 2) but weights has 2 flow column(s), "
            "so shares must have shape (2,).",
        ),
        (
            ([[1.0, -0.5], [0.0, 1.0]], [10.0, 1.0], [1.0, 1.0], [1.0, 1.0]),
            "weights[0, 1] is -0.5; weights must be finite and >= 0.",
        ),
        (
            ([[1.0, 1.0], [0.0, np.nan]], [10.0, 1.0], [1.0, 1.0], [1.0, 1.0]),
            "weights[1, 1] is nan; weights must be finite and >= 0.",
        ),
        (
            ([[1.0, INF]], [10.0], [1.0, 1.0], [1.0, 1.0]),
            "weights[0, 1] is inf; weights must be finite and >= 0.",
        ),
        (
            ([[1.0, 1.0]], [-1.0], [1.0, 1.0], [1.0, 1.0]),
            "capacities[0] is -1.0; capacities must be numbers >= 0 (inf allowed).",
        ),
        (
            ([[1.0, 1.0]], [np.nan], [1.0, 1.0], [1.0, 1.0]),
            "capacities[0] is nan; capacities must be numbers >= 0 (inf allowed).",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0, -2.0], [1.0, 1.0]),
            "demands[1] is -2.0; demands must be numbers >= 0 (inf allowed).",
        ),
        (
            ([[1.0, 1.0]], [10.0], [np.nan, 1.0], [1.0, 1.0]),
            "demands[0] is nan; demands must be numbers >= 0 (inf allowed).",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0, 1.0], [1.0, 0.0]),
            "shares[1] is 0.0; shares must be finite and > 0.",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0, 1.0], [-1.0, 1.0]),
            "shares[0] is -1.0; shares must be finite and > 0.",
        ),
        (
            ([[1.0, 1.0]], [10.0], [1.0, 1.0], [INF, 1.0]),
            "shares[0] is inf; shares must be finite and > 0.",
        ),
        (
            ([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], [10.0, INF], [1.0, INF, INF], [1.0] * 3),
            "flow 1 has infinite demand but crosses no resource of finite capacity, "
            "so its rate would be unbounded.",
        ),
    ],
)
def test_invalid_input_is_rejected_with_a_sentence(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        solve(*args)
    assert str(excinfo.value) == message


def test_unbounded_flow_on_an_unlimited_resource_is_named() -> None:
    """Flow 2 crosses only resource 1, whose capacity is infinite."""
    w = sp.csr_array(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"^flow 2 has infinite demand"):
        solve(w, [10.0, INF], [INF, INF, INF], [1.0, 1.0, 1.0])


def test_docstring_examples_run() -> None:
    """The doctests of sizer.flows (the 10 GB/s example) pass."""
    import doctest

    import sizer.flows

    result = doctest.testmod(sizer.flows, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0


def columns(W: np.ndarray) -> list[dict[int, float]]:
    """The nonzero weights of each column of ``W``, as solve_columns takes them."""
    return [{int(r): float(W[r, f]) for r in np.flatnonzero(W[:, f])} for f in range(W.shape[1])]


@settings(max_examples=200, deadline=None)
@given(
    n_res=st.integers(1, 5),
    n_f=st.integers(1, 5),
    data=st.data(),
)
def test_solve_columns_equals_solve(n_res: int, n_f: int, data: Any) -> None:
    """The lumped problems' small solver follows sizer.flows.solve: same rates, same
    binding resource (integers keep ties exact, so the tie rule is exercised too)."""
    W = np.array(
        data.draw(
            st.lists(
                st.lists(st.sampled_from([0, 0, 1, 2, 3]), min_size=n_f, max_size=n_f),
                min_size=n_res,
                max_size=n_res,
            )
        ),
        dtype=float,
    )
    cap = np.array(
        data.draw(
            st.lists(
                st.sampled_from([0.0, 5.0, 10.0, 12.0, math.inf]), min_size=n_res, max_size=n_res
            )
        )
    )
    dem = np.array(
        data.draw(st.lists(st.sampled_from([1.0, 4.0, 7.0, math.inf]), min_size=n_f, max_size=n_f))
    )
    shr = np.array(
        data.draw(st.lists(st.sampled_from([1.0, 2.0, 4.0]), min_size=n_f, max_size=n_f))
    )
    try:
        ref = solve(W, cap, dem, shr)
    except ValueError:
        with pytest.raises(ValueError):
            solve_columns(columns(W), cap.tolist(), dem.tolist(), shr.tolist())
        return
    res = solve_columns(columns(W), cap.tolist(), dem.tolist(), shr.tolist())
    assert res.rates == pytest.approx(ref.rates, rel=1e-12, abs=1e-12)
    assert res.binding.tolist() == ref.binding.tolist()
    assert res.load == pytest.approx(ref.load, rel=1e-12, abs=1e-12)
    assert res.saturated.tolist() == ref.saturated.tolist()
