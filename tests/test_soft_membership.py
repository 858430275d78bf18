"""Soft membership of zones from stability runs and sweeps (regionalize.soft_membership) and
the map of border zones (regionalize.plot.plot_border_zones)."""

from __future__ import annotations

import dataclasses
from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize import soft_membership as sm  # noqa: E402
from regionalize import stability as st  # noqa: E402
from regionalize.errors import InvalidParameterError, InvalidZonesError  # noqa: E402
from regionalize.partition import Partition  # noqa: E402
from regionalize.plot import plot_border_zones  # noqa: E402

# the StabilityResult docstring toy: B sends 12 of its 112 workers to S, just above tau=0.10
TOY = [
    ("S", "S", 900),
    ("S", "A", 60),
    ("A", "A", 130),
    ("A", "S", 60),
    ("B", "B", 90),
    ("B", "A", 10),
    ("B", "S", 12),
]
COLUMNS = ["zone", "area", "state", "share", "runs", "modal"]


def toy_graph():
    return rz.FlowGraph.from_dataframe(pd.DataFrame(TOY, columns=["origin", "destination", "flow"]))


@pytest.fixture(scope="module")
def toy_result():
    # B in area S in 2 runs of 3, unassigned in the third (hand-checked in stability's docs)
    return rz.stability(
        toy_graph(), partial(rz.metropolitan_areas, centres=["S"], tau=0.10), runs=3, seed=4
    )


def rows(table):
    return [
        (r.zone, r.area, r.state, round(r.share, 6), r.runs, r.modal)
        for r in table.itertuples(index=False)
    ]


def check_invariants(res, table=None):
    """Shares sum to 1 per zone; the modal row is the zone's first and matches the zones
    table of the StabilityResult (share, state, unassigned and unmatched shares)."""
    table = res.membership() if table is None else table
    runs = res.labels.shape[0]
    assert list(table.columns) == COLUMNS
    assert table["zone"].drop_duplicates().tolist() == res.zones.index.tolist()
    np.testing.assert_allclose(table.groupby("zone", sort=False)["share"].sum(), 1.0)
    assert (table.groupby("zone", sort=False)["runs"].sum() == runs).all()
    np.testing.assert_allclose(table["share"], table["runs"] / runs)
    first = ~table["zone"].duplicated()
    assert (table["modal"] == first).all()
    modal = table[table["modal"]].set_index("zone")
    np.testing.assert_allclose(modal["share"], res.zones["stability"])
    in_area = modal["state"] == "area"
    assert (modal.loc[in_area, "area"] == res.zones.loc[in_area, "modal"]).all()
    assert res.zones.loc[~in_area, "modal"].isna().all()
    for state in ("unassigned", "unmatched"):
        got = table[table["state"] == state].set_index("zone")["share"]
        want = res.zones[state]
        np.testing.assert_allclose(got.reindex(want.index, fill_value=0.0), want)
    assert (table.groupby("zone", sort=False).size() == res.zones["n_states"]).all()
    # shares are sorted within a zone; the baseline area's share is `same`
    assert (table.groupby("zone", sort=False)["share"].diff().fillna(0) <= 1e-12).all()
    assigned = res.zones["baseline"].notna()
    base = table.merge(
        res.zones.loc[assigned, "baseline"].rename("area").reset_index(), on=["zone", "area"]
    ).set_index("zone")
    base = base[base["state"] == "area"]["share"]
    np.testing.assert_allclose(
        base.reindex(res.zones.index[assigned], fill_value=0.0), res.zones.loc[assigned, "same"]
    )
    for level in (0.5, 0.8, 1.0):
        b = res.border_zones(level)
        want = res.zones.index[res.zones["stability"] < level]
        assert sorted(b.index) == sorted(want)
        assert b["modal_share"].is_monotonic_increasing
        assert (b["runner_up_share"] <= b["modal_share"]).all()
        assert (b["runner_up_share"] > 0).all()


# ============================================================================ hand-checked
class TestToy:
    def test_membership_rows(self, toy_result):
        t = toy_result.membership()
        assert list(t.columns) == COLUMNS
        assert rows(t) == [
            ("A", "S", "area", 1.0, 3, True),
            ("B", "S", "area", 0.666667, 2, True),
            ("B", "unassigned", "unassigned", 0.333333, 1, False),
            ("S", "S", "area", 1.0, 3, True),
        ]
        assert t.equals(sm.membership(toy_result))
        check_invariants(toy_result, t)

    def test_border_zones(self, toy_result):
        b = toy_result.border_zones(0.8)
        assert b.index.tolist() == ["B"]
        assert b.loc["B"].to_dict() == {
            "baseline": "S",
            "modal": "S",
            "modal_share": pytest.approx(2 / 3),
            "runner_up": "unassigned",
            "runner_up_share": pytest.approx(1 / 3),
            "n_states": 2,
        }
        assert toy_result.border_zones(2 / 3).empty  # strictly below the level
        assert list(toy_result.border_zones(0.5).columns) == list(b.columns)
        assert toy_result.border_zones().equals(b)  # level=0.8 by default
        assert sm.border_zones(toy_result, 0.8).equals(b)

    def test_ties_unmatched_and_order(self, toy_result):
        # labels by hand (zones A, B, S, all in area 0 = S in the baseline): A is in S in 2
        # runs of 4 and unassigned in 2 (tie: the baseline state wins); B in S once,
        # unmatched twice, unassigned once; S unassigned twice and in S twice
        labels = np.array([[0, -2, 0], [0, -2, -1], [-1, 0, 0], [-1, -1, -1]], np.int32)
        res = dataclasses.replace(toy_result, labels=labels)
        assert rows(res.membership()) == [
            ("A", "S", "area", 0.5, 2, True),
            ("A", "unassigned", "unassigned", 0.5, 2, False),
            ("B", "unmatched", "unmatched", 0.5, 2, True),
            ("B", "S", "area", 0.25, 1, False),  # tie of 1/4: the baseline state first
            ("B", "unassigned", "unassigned", 0.25, 1, False),
            ("S", "S", "area", 0.5, 2, True),
            ("S", "unassigned", "unassigned", 0.5, 2, False),
        ]
        b = res.border_zones(0.8)
        assert b.index.tolist() == ["A", "B", "S"]
        assert b.loc["B", "runner_up"] == "S"
        assert b["n_states"].tolist() == [2, 3, 2]

    def test_tie_rule_equals_stability(self):
        # the modal state of membership() is the one stability's _modal computes, on random
        # label matrices full of ties
        rng = np.random.default_rng(7)
        for _ in range(200):
            runs, n, k = rng.integers(1, 7), rng.integers(1, 9), rng.integers(0, 4)
            labels = rng.integers(-2, k, size=(runs, n)).astype(np.int64)
            base = rng.integers(-1, k, size=n).astype(np.int64)
            modal, share = st._modal(labels, k, base)
            zone, code, count = sm._counted(labels, base, k)
            first = np.ones(len(zone), bool)
            first[1:] = zone[1:] != zone[:-1]
            assert np.array_equal(zone[first], np.arange(n))
            assert np.array_equal(code[first], modal)
            np.testing.assert_allclose(count[first] / runs, share)


@pytest.fixture(scope="module")
def swept():
    g = toy_graph()
    return rz.stability.sweep(
        g, partial(rz.metropolitan_areas, centres=["S"]), {"tau": [0.05, 0.10, 0.15]}
    )


class TestSweep:
    def test_threshold_sweep(self, swept):
        t = swept.membership()
        assert rows(t) == [
            ("A", "S", "area", 1.0, 3, True),
            ("B", "S", "area", 0.666667, 2, True),
            ("B", "unassigned", "unassigned", 0.333333, 1, False),
            ("S", "S", "area", 1.0, 3, True),
        ]
        assert swept.border_zones(0.8).index.tolist() == ["B"]

    def test_grid_points_are_matched_to_the_reference(self):
        # a sweep's own codes differ between grid points (areas numbered afresh); matched
        # by shared zones to the consensus (areas {a, b} and {c, d})
        g = rz.FlowGraph.from_matrix(
            [[9, 1, 0, 0, 0], [5, 5, 0, 0, 0], [0, 0, 9, 1, 0], [0, 0, 5, 5, 0], [0, 0, 0, 0, 1]],
            list("abcde"),
        )
        consensus = Partition.from_codes(g, np.array([0, 0, 1, 1, -1]), layer="x", kind="x")
        codes = np.array(
            [
                [0, 0, 1, 1, -1],  # as the consensus
                [1, 1, 0, 0, -1],  # same areas, numbered the other way
                [0, 1, 1, 1, 2],  # b follows c and d; e alone (shares no zone): unmatched
                [0, 0, 0, 1, -1],  # c joins a and b; d alone
            ],
            np.int32,
        )
        res = st.SweepResult(pd.DataFrame({"p": range(4)}), consensus, codes, None)
        t = res.membership().set_index(["zone", "area"])
        ida, idc = consensus.areas.index
        assert t.loc[("a", ida), "runs"] == 4
        assert t.loc[("b", ida), "runs"] == 3 and t.loc[("b", idc), "runs"] == 1
        assert t.loc[("c", idc), "runs"] == 3 and t.loc[("c", ida), "runs"] == 1
        assert t.loc[("d", idc), "runs"] == 4
        assert t.loc[("e", "unassigned"), "runs"] == 3 and t.loc[("e", "unmatched"), "runs"] == 1
        b = res.border_zones(0.8)
        assert b.index.tolist() == ["b", "c", "e"]
        assert b["runner_up_share"].tolist() == [0.25, 0.25, 0.25]
        # another reference: everything in one area -> every zone but e stable there
        one = Partition.from_codes(g, np.array([0, 0, 0, 0, -1]), layer="y", kind="y")
        assert res.border_zones(0.8, reference=one).index.tolist() == ["e"]

    def test_errors(self, swept, toy_result):
        with pytest.raises(InvalidParameterError, match="already matched"):
            toy_result.membership(reference=toy_result.baseline)
        with pytest.raises(InvalidParameterError, match="must be a Partition"):
            swept.membership(reference="S")
        other = rz.metropolitan_areas(
            rz.FlowGraph.from_matrix([[9, 1], [5, 5]], ["a", "b"]), centres=["a"]
        )
        with pytest.raises(InvalidParameterError, match="other zones"):
            swept.border_zones(reference=other)
        with pytest.raises(InvalidParameterError, match="StabilityResult"):
            sm.membership(toy_result.baseline)
        for level in (0, 1.5, float("nan"), "high"):
            with pytest.raises(InvalidParameterError, match="'level'"):
                toy_result.border_zones(level)


# ============================================================================ every layer/method
SYNTHETIC = [(60, 1), (100, 0), (80, 3)]


@pytest.mark.parametrize(("n", "seed"), SYNTHETIC)
@pytest.mark.parametrize(
    "fn",
    [
        rz.urban_areas,  # a layer, centres found by rule
        partial(rz.metropolitan_areas, tau=0.10),  # a layer, as a partial
        rz.methods.commuting_zones,  # a method without centres (matched by zones)
        partial(rz.methods.flowbca, k=4),  # a method twin with parameters
    ],
    ids=["urban", "metropolitan", "commuting_zones", "flowbca"],
)
def test_invariants_every_layer_and_method(fn, n, seed):
    g = rz.synthetic_country(n, seed=seed)
    res = rz.stability(g, fn, runs=8, seed=seed)
    check_invariants(res)


@pytest.mark.parametrize("seed", range(3))
def test_invariants_sweep(seed):
    g = rz.synthetic_country(60, seed=seed)
    res = rz.stability.sweep(g, rz.urban_areas, {"tau": [0.05, 0.1, 0.15, 0.2]})
    t = res.membership()
    np.testing.assert_allclose(t.groupby("zone", sort=False)["share"].sum(), 1.0)
    assert t["zone"].drop_duplicates().tolist() == g.ids.tolist()
    modal = t[t["modal"]].set_index("zone")
    b = res.border_zones(0.8)
    assert sorted(b.index) == sorted(modal.index[modal["share"] < 0.8])
    np.testing.assert_allclose(b["modal_share"], modal.loc[b.index, "share"])


# ============================================================================ the map
@pytest.fixture(scope="module")
def case():
    g = rz.synthetic_country(60, seed=1)
    return g, rz.stability(g, rz.urban_areas, runs=10, seed=0)


class TestPlot:
    def test_hatched_zones_and_legend(self, case):
        g, res = case
        border = res.border_zones(0.8)
        assert len(border) == 8
        ax = plot_border_zones(res, g, level=0.8)
        hatched = [c for c in ax.collections if c.get_hatch()]
        assert len(hatched) == 1 and hatched[0].get_gid() == "border-zones"
        assert len(hatched[0].get_paths()) == len(border)
        zones = next(c for c in ax.collections if c.get_gid() == "zones")
        assert len(zones.get_paths()) == g.n_zones
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "border zone: modal share < 80% (8)" in texts
        assert "baseline boundary" in texts
        assert ax.get_title().startswith("synthetic-60-seed1: 8 border zones")
        plt.close(ax.figure)
        ax = plot_border_zones(res, g, level=0.5)
        n_half = len(res.border_zones(0.5))
        hatched = [c for c in ax.collections if c.get_gid() == "border-zones"]
        assert sum(len(c.get_paths()) for c in hatched) == n_half
        plt.close(ax.figure)

    def test_sweep_and_escaped_names(self, case):
        g, _ = case
        g = g.replace(name="cost $5 to $10")
        res = rz.stability.sweep(g, rz.urban_areas, {"tau": [0.05, 0.1, 0.15, 0.2]})
        ax = plot_border_zones(res, graph=g)
        assert ax.get_title().startswith(r"cost \$5 to \$10: ")
        hatched = [c for c in ax.collections if c.get_gid() == "border-zones"]
        assert sum(len(c.get_paths()) for c in hatched) == len(res.border_zones(0.8))
        ax.figure.canvas.draw()  # the escaped text renders
        plt.close(ax.figure)

    def test_errors(self, case, toy_result):
        g, res = case
        with pytest.raises(InvalidParameterError, match="pass graph="):
            plot_border_zones(res)
        with pytest.raises(InvalidZonesError, match="with_geometry"):
            plot_border_zones(toy_result, toy_graph())
        with pytest.raises(InvalidZonesError, match="other zones"):
            plot_border_zones(res, rz.synthetic_country(61, seed=1))
        with pytest.raises(InvalidParameterError, match="'level'"):
            plot_border_zones(res, g, level=0)
        plt.close("all")


# ============================================================================ real data
def test_us_moe_draws(data_dir):
    g = rz.datasets.load("us-counties-2009-2013", geometry=False)
    assert g.moe is not None
    res = rz.stability(g, rz.metropolitan_areas, runs=6, method="moe", seed=0)
    assert res.params["method"] == "moe"
    check_invariants(res)
    # a method through the same draws, on one state (California, FIPS 06)
    ca = g.subgraph([i for i in g.ids if i.startswith("06")])
    res = rz.stability(
        ca, partial(rz.methods.commuting_zones, cutoff=0.95), runs=6, method="moe", seed=0
    )
    check_invariants(res)


def test_korea_border_zones(data_dir):
    # 20 Poisson redraws of the KTDB trips (22 million: little noise), a layer and a method
    g = rz.datasets.load("korea-ktdb-sigun")
    metro = rz.stability(g, rz.metropolitan_areas, runs=20, seed=0)
    check_invariants(metro)
    assert metro.border_zones(0.8).empty
    cz = rz.stability(g, rz.methods.commuting_zones, runs=20, seed=0)
    check_invariants(cz)
    border = cz.border_zones(0.8)
    # two Gyeongnam zones: in the Daegu zone in the baseline, with Busan in 11 runs of 20
    assert border.index.tolist() == ["38580", "38590"]
    assert border["modal_share"].tolist() == [0.55, 0.55]
    assert (border["baseline"] == border["runner_up"]).all()
    assert (border["baseline"] != border["modal"]).all()
    ax = plot_border_zones(cz, g, level=0.8)
    hatched = [c for c in ax.collections if c.get_gid() == "border-zones"]
    assert sum(len(c.get_paths()) for c in hatched) >= len(border)  # islands: several paths
    plt.close(ax.figure)


def test_sardinia_border_zones(data_dir):
    g = rz.datasets.load("sardinia-2001")
    res = rz.stability(g, rz.metropolitan_areas, runs=20, seed=0)
    check_invariants(res)
    border = res.border_zones(0.8)
    assert len(border) == 44
    ax = plot_border_zones(res, g, level=0.8)
    assert ax.get_title().startswith("sardinia-2001: 44 border zones")
    plt.close(ax.figure)
