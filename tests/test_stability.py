"""Resampling, stability runs, executors and parameter sweeps, on the design toy."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd
import pytest

import regionalize as rz
from regionalize import stability as st
from regionalize.errors import InvalidParameterError, RegionalizeError

# The toy of DESIGN.md section 2 (see tests/test_constraint.py): shares over residents
#   A -> S 30%, B -> A 15%, B -> S 4%, C -> B 8%, D -> E 26.7%
DESIGN_TOY = [
    ("S", "S", 900),
    ("S", "A", 60),
    ("S", "E", 40),
    ("A", "A", 130),
    ("A", "S", 60),
    ("A", "B", 10),
    ("B", "B", 81),
    ("B", "A", 15),
    ("B", "S", 4),
    ("C", "C", 89),
    ("C", "B", 8),
    ("C", "S", 3),
    ("E", "E", 280),
    ("E", "S", 20),
    ("D", "D", 110),
    ("D", "E", 40),
]


def graph_of(rows, moe=None):
    df = pd.DataFrame(rows, columns=["origin", "destination", "flow"])
    if moe is not None:
        df["moe"] = moe
        return rz.FlowGraph.from_dataframe(df, moe="moe")
    return rz.FlowGraph.from_dataframe(df)


@pytest.fixture
def toy():
    return graph_of(DESIGN_TOY)


def metro(tau=0.05):
    # a partial of a module-level function: pickles for the process and Dask executors
    return partial(rz.metropolitan_areas, centres=["S", "E"], tau=tau, max_order=2)


# ============================================================================ resample
class TestResample:
    def test_seeded_and_same_zones(self, toy):
        a = st.resample(toy, seed=3)
        b = st.resample(toy, seed=3)
        c = st.resample(toy, seed=4)
        assert (a.matrix != b.matrix).nnz == 0
        assert (a.matrix != c.matrix).nnz > 0
        assert a.ids.equals(toy.ids) and a.zones.equals(toy.zones)
        assert toy.matrix.data.sum() == 1850  # the input is left alone

    def test_poisson_counts_on_a_subset_of_the_pairs(self, toy):
        for seed in range(20):
            r = st.resample(toy, seed=seed).matrix
            assert np.array_equal(r.data, np.round(r.data)) and (r.data > 0).all()
            pattern = toy.matrix.copy()
            pattern.data[:] = 1
            assert (r.multiply(pattern) != r).nnz == 0  # no new pair

    def test_poisson_mean_matches_the_flows(self, toy):
        draws = np.stack([st.resample(toy, seed=s).matrix.toarray() for s in range(2000)])
        flows = toy.matrix.toarray()
        se = np.sqrt(np.maximum(flows, 1) / 2000)
        assert np.all(np.abs(draws.mean(axis=0) - flows) < 5 * se)
        assert draws[:, flows == 0].max() == 0

    def test_moe_normal_with_clipping(self):
        # 1000 +/- 16.45 (sd 10); 10 +/- 164.5 (sd 100: often negative, clipped at 0);
        # 50 with no margin stays 50
        g = graph_of([("a", "a", 1000), ("a", "b", 10), ("b", "b", 50)], moe=[16.45, 164.5, 0])
        d = np.stack([st.resample(g, method="moe", seed=s).matrix.toarray() for s in range(2000)])
        assert d[:, 0, 0].std() == pytest.approx(10, rel=0.1)
        assert d[:, 0, 0].mean() == pytest.approx(1000, abs=1.5)
        assert d.min() >= 0
        assert 0.4 < (d[:, 0, 1] == 0).mean() < 0.6  # P(N(10, 100) < 0) = 0.46
        assert d[:, 0, 1].mean() > 30  # clipping lifts the mean above 10
        assert (d[:, 1, 1] == 50).all() and (d[:, 1, 0] == 0).all()  # zeros stay zero

    def test_moe_level_scales_the_spread(self):
        g = graph_of([("a", "a", 1000)], moe=[20.0])
        d90 = [st.resample(g, method="moe", seed=s).matrix[[0], [0]][0] for s in range(500)]
        d50 = [
            st.resample(g, method="moe", seed=s, moe_level=0.5).matrix[[0], [0]][0]
            for s in range(500)
        ]
        z90, z50 = 1.6448536269514722, 0.6744897501960817  # normal quantiles 0.95, 0.75
        assert np.std(d50) / np.std(d90) == pytest.approx(z90 / z50, rel=1e-9)

    def test_errors(self, toy):
        with pytest.raises(InvalidParameterError, match="margins of error"):
            st.resample(toy, method="moe")
        with pytest.raises(InvalidParameterError, match="method"):
            st.resample(toy, method="bootstrap")
        with pytest.raises(InvalidParameterError, match="moe_level"):
            st.resample(toy, moe_level=1.0)
        with pytest.raises(InvalidParameterError, match="margins of error"):
            st.stability(toy, metro(), runs=2, method="moe")


# ============================================================================ stability
class TestStability:
    def test_zero_margins_reproduce_the_baseline(self):
        g = graph_of(DESIGN_TOY, moe=0.0)
        res = st.stability(g, metro(), runs=7, method="moe", seed=1)
        base = res.baseline.codes()
        assert (res.labels == base[None, :]).all()
        assert (res.zones["stability"] == 1).all() and (res.zones["same"] == 1).all()
        assert res.zones["unassigned"].to_dict() == {"A": 0, "B": 0, "C": 1, "D": 0, "E": 0, "S": 0}
        assert res.zones["baseline"].to_dict() == {
            "A": "S",
            "B": "S",
            "C": None,
            "D": "E",
            "E": "E",
            "S": "S",
        }
        assert res.zones["modal"].equals(res.zones["baseline"])
        a = res.areas
        assert list(a.index) == list(res.baseline.areas.index)
        assert (a[["stability", "same", "exists", "jaccard"]] == 1).all().all()
        assert a["n_zones"].tolist() == [3, 2] and a["mean_zones"].tolist() == [3, 2]
        assert res.labels.shape == res.run_codes.shape == (7, 6)

    def test_borderline_zone_flips(self, toy):
        # B sends exactly 15% of its residents to A: at tau = 15% Poisson noise puts it in
        # and out; A (30%) and the centres never move
        res = st.stability(toy, metro(tau=0.15), runs=60, seed=0)
        z = res.zones
        assert z.loc["B", "baseline"] == "S"
        assert 0 < z.loc["B", "same"] < 1
        assert z.loc["B", "unassigned"] == pytest.approx(1 - z.loc["B", "same"])
        assert z.loc["B", "stability"] == max(z.loc["B", "same"], z.loc["B", "unassigned"])
        assert z.loc["B", "n_states"] == 2
        for zone in ("S", "A", "E"):
            assert z.loc[zone, "stability"] == 1 and z.loc[zone, "same"] == 1
        s_area = res.areas.loc[res.zones.loc["S", "baseline"]]
        assert s_area["exists"] == 1
        # Jaccard of {S, A} against {S, A, B} is 2/3 in the runs that drop B
        assert s_area["jaccard"] == pytest.approx(1 - z.loc["B", "unassigned"] / 3)
        assert res.least_stable(1).index[0] == "B"

    def test_same_seed_same_result(self, toy):
        a = st.stability(toy, metro(0.15), runs=10, seed=5)
        b = st.stability(toy, metro(0.15), runs=10, seed=5)
        assert np.array_equal(a.labels, b.labels) and a.zones.equals(b.zones)

    def test_area_identity_follows_centres(self):
        # two centres; in the run S's area loses A and E's area gains it: areas are matched
        # by their central zones, not by their sizes
        g = graph_of(DESIGN_TOY)
        base = st._run_of(rz.metropolitan_areas(g, ["S", "E"], tau=0.05, max_order=2))
        run = st._Run(np.array([1, 0, 0, -1, 1, 0], np.int32), base.centre.copy())
        # zones A B C D E S; run: S alone with B (code 0), E with A and D (code 1)
        matched = st._match(run, base, 2)
        s_code, e_code = base.codes[5], base.codes[4]
        assert matched.tolist() == [e_code, s_code, s_code, -1, e_code, s_code]

    def test_unmatched_run_area(self):
        g = graph_of(DESIGN_TOY)
        base = st._run_of(rz.metropolitan_areas(g, ["S", "E"], tau=0.05, max_order=2))
        # zone C (unassigned in the baseline) forms its own area in the run
        run = st._Run(
            np.where(np.arange(6) == 2, 2, base.codes).astype(np.int32),
            base.centre | (np.arange(6) == 2),
        )
        assert st._match(run, base, 2)[2] == st.UNMATCHED

    def test_hierarchy_needs_a_layer(self, toy):
        fn = partial(
            rz.delineate,
            centres=["S", "E"],
            tau=0.05,
            max_order=2,
            contiguity=None,
            megaregions=False,
        )
        with pytest.raises(InvalidParameterError, match="layer="):
            st.stability(toy, fn, runs=2)
        res = st.stability(toy, fn, runs=3, layer="metropolitan")
        assert res.baseline.name == "metropolitan"

    def test_bad_arguments(self, toy):
        with pytest.raises(InvalidParameterError, match="runs"):
            st.stability(toy, metro(), runs=0)
        with pytest.raises(RegionalizeError, match="Partition"):
            st.stability(toy, lambda g: None, runs=1)
        with pytest.raises(InvalidParameterError, match="executor"):
            st.stability(toy, metro(), runs=1, executor=0)


# ============================================================================ executors
class TestExecutors:
    def test_resolve(self):
        assert isinstance(st.resolve_executor(None), st.SequentialExecutor)
        assert isinstance(st.resolve_executor("sequential"), st.SequentialExecutor)
        assert isinstance(st.resolve_executor(1), st.SequentialExecutor)
        assert st.resolve_executor(3).workers == 3
        with pytest.raises(InvalidParameterError):
            st.resolve_executor("threads")
        with pytest.raises(InvalidParameterError):
            st.ProcessExecutor(0)

    def test_processes_and_threads_match_sequential(self, toy):
        seq = st.stability(toy, metro(0.15), runs=12, seed=11)
        par = st.stability(toy, metro(0.15), runs=12, seed=11, executor=st.ProcessExecutor(2))
        with ThreadPoolExecutor(3) as pool:  # any object with map(fn, items)
            thr = st.stability(toy, metro(0.15), runs=12, seed=11, executor=pool)
        for other in (par, thr):
            assert np.array_equal(seq.labels, other.labels)
            assert np.array_equal(seq.run_codes, other.run_codes)
            pd.testing.assert_frame_equal(seq.zones, other.zones)
            pd.testing.assert_frame_equal(seq.areas, other.areas)

    def test_dask_matches_sequential(self, toy):
        distributed = pytest.importorskip("dask.distributed")
        seq = st.stability(toy, metro(0.15), runs=8, seed=2)
        grid = {"tau": [0.05, 0.10, 0.20]}
        seq_sweep = st.sweep(toy, metro(), grid)
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            dask = st.stability(toy, metro(0.15), runs=8, seed=2, executor=client)
            dask_sweep = st.sweep(toy, metro(), grid, executor=client)
        assert np.array_equal(seq.labels, dask.labels)
        pd.testing.assert_frame_equal(seq.zones, dask.zones)
        pd.testing.assert_frame_equal(seq_sweep.table, dask_sweep.table)


# ============================================================================ sweep
class TestSweep:
    def test_table_and_consensus(self, toy):
        fn = partial(rz.metropolitan_areas, centres=["S", "E"], max_order=2)
        res = st.sweep(
            toy,
            fn,
            {"tau": [0.05, 0.10, 0.20]},
            summary=lambda p: {"has_B": p.labels["B"] is not None},
        )
        t = res.table
        assert list(t.columns) == [
            "tau",
            "n_areas",
            "n_assigned",
            "n_unassigned",
            "zones_per_area",
            "has_B",
        ]
        assert t["tau"].tolist() == [0.05, 0.10, 0.20]
        assert t["n_areas"].tolist() == [2, 2, 2]
        assert t["n_assigned"].tolist() == [5, 5, 4]  # B drops out at 20%
        assert t["zones_per_area"].tolist() == [2.5, 2.5, 2.0]
        assert t["has_B"].tolist() == [True, True, False]
        assert res.codes.shape == (3, 6)
        # B is with S in 2 of 3 runs (>= 50%): in the consensus; C never is
        c = res.consensus
        assert isinstance(c, rz.Partition) and c.n_areas == 2
        lab = c.labels
        assert lab["A"] == lab["B"] == lab["S"] and lab["D"] == lab["E"] != lab["S"]
        assert lab["C"] is None
        assert sorted(c.areas["centres"]) == [("E",), ("S",)]
        co = res.coassignment
        i = {z: k for k, z in enumerate(toy.ids)}
        assert co[i["B"], i["S"]] == 2 and co[i["A"], i["S"]] == 3 and co[i["C"], i["C"]] == 0

    def test_higher_consensus_threshold_drops_b(self, toy):
        fn = partial(rz.metropolitan_areas, centres=["S", "E"], max_order=2)
        res = st.sweep(toy, fn, {"tau": [0.05, 0.10, 0.20]}, consensus=0.9)
        assert res.consensus.labels["B"] is None
        assert "fewer than 90%" in res.consensus.unassigned["B"]

    def test_grid_product_and_processes(self, toy):
        fn = partial(rz.metropolitan_areas, centres=["S", "E"])
        grid = {"tau": [0.05, 0.20], "max_order": [1, 2, None]}
        seq = st.sweep(toy, fn, grid)
        par = st.sweep(toy, fn, grid, executor=2)
        assert len(seq.table) == 6
        assert seq.table[["tau", "max_order"]].astype(object).values.tolist()[:3] == [
            [0.05, 1],
            [0.05, 2],
            [0.05, None],
        ]
        # no cap at 5%: C joins through B (third order)
        assert seq.table.loc[2, "n_assigned"] == 6
        pd.testing.assert_frame_equal(seq.table, par.table)
        assert np.array_equal(seq.codes, par.codes)

    def test_bad_grid(self, toy):
        for grid in ({}, {"tau": 0.1}, {"tau": []}):
            with pytest.raises(InvalidParameterError):
                st.sweep(toy, metro(), grid)


def test_redrawn_graphs_reuse_the_polygon_work():
    # contiguity and the exterior zones depend on the polygons only: a redraw keeps them
    from regionalize._attach import exterior_zones

    g = rz.synthetic_country(200, seed=3)
    c = g.build_contiguity(islands="nearest")
    ext = exterior_zones(g)
    r = rz.stability.resample(g, seed=1)
    assert r.build_contiguity(islands="nearest") is c
    assert exterior_zones(r) is ext
    # a graph over other polygons does not inherit them
    moved = g.with_geometry(g.geometry.translate(1000.0, 0.0))
    assert moved.build_contiguity(islands="nearest") is not c
