"""Several vintages: alignment, crosswalks, combination rules, and commuting zones from the
dissimilarity averaged over the vintages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform

import regionalize as rz
from regionalize.errors import InvalidParameterError, InvalidZonesError
from regionalize.methods import CommutingZones

IDS = ["A", "B", "C", "D"]
# every zone has 100 employed residents in both years
F1 = np.array([[80, 20, 0, 0], [20, 76, 4, 0], [0, 0, 85, 15], [0, 0, 15, 85]], float)
F2 = np.array([[85, 5, 10, 0], [5, 95, 0, 0], [0, 0, 75, 25], [0, 0, 25, 75]], float)


def two_years() -> rz.Vintages:
    return rz.Vintages(
        {"y1": rz.FlowGraph.from_matrix(F1, IDS), "y2": rz.FlowGraph.from_matrix(F2, IDS)}
    )


def dense_mean_distance(graphs: list[rz.FlowGraph]) -> np.ndarray:
    """The averaged dissimilarity as a dense matrix, written out directly."""
    acc = None
    for g in graphs:
        f = g.matrix.toarray()
        np.fill_diagonal(f, 0)
        r = g.residents
        denom = np.minimum.outer(r, r)
        with np.errstate(divide="ignore", invalid="ignore"):
            pf = np.where(denom > 0, (f + f.T) / np.where(denom > 0, denom, 1.0), 0.0)
        d = np.clip(1.0 - pf, 0.0, 1.0)
        np.fill_diagonal(d, 0.0)
        acc = d if acc is None else acc + d
    return acc / len(graphs)


# ------------------------------------------------------------------ commuting zones
def test_two_years_by_hand():
    # year 1: A-B 40 commuters (d 0.6), C-D 30 (0.7), B-C 4 (0.96); year 2: A-B 10 (0.9),
    # C-D 50 (0.5), A-C 10 (0.9). Mean: C-D 0.6, A-B 0.75, A-C 0.95, B-C 0.98, A-D and
    # B-D 1. Then {A,B}-{C,D} = (0.95 + 0.98 + 1 + 1) / 4 = 0.9825.
    cz = CommutingZones().fit(two_years())
    assert cz.tree_.heights == pytest.approx([0.6, 0.75, 0.9825], abs=1e-15)
    # named after the zone with most jobs in the mean year: B (98) over A (95)
    assert cz.labels_.to_dict() == {"A": "B", "B": "B", "C": "C", "D": "C"}
    assert cz.cut(cutoff=0.99).n_areas == 1
    assert cz.partition_.params["vintages"] == ["y1", "y2"]
    assert cz.partition_.params["rule"] == "mean dissimilarity"
    # the single years differ: year 1 alone joins the pairs only at 0.99
    assert CommutingZones().fit(rz.FlowGraph.from_matrix(F1, IDS)).tree_.heights[-1] == 0.99


def test_two_synthetic_years_equal_scipy_on_the_dense_mean():
    g0 = rz.synthetic_country(300, seed=0)
    g1 = rz.synthetic_country(300, seed=1)
    assert g0.ids.equals(g1.ids)  # same ids across seeds: aligned as they are
    cz = CommutingZones().fit(rz.Vintages({"t0": g0, "t1": g1}))
    idle = np.ones(g0.n_zones, bool)
    for g in (g0, g1):
        idle &= (g.inflows == 0) & (g.outflows == 0)
    active = np.flatnonzero(~idle)
    d = dense_mean_distance([g0, g1])[np.ix_(active, active)]
    expected = linkage(squareform(d, checks=False), "average")
    assert np.array_equal(cz.linkage_, expected)
    # and it is neither year's tree
    assert not np.array_equal(cz.linkage_, CommutingZones().fit(g0).linkage_)


def test_three_perturbed_years_equal_scipy():
    g = rz.synthetic_country(120, seed=3)
    rng = np.random.default_rng(7)
    years = {}
    for t in range(3):
        m = g.matrix.copy()
        m.data = np.round(m.data * rng.uniform(0.5, 1.5, m.nnz))
        years[str(2000 + 5 * t)] = rz.FlowGraph.from_matrix(m, g.ids)
    cz = CommutingZones().fit(rz.Vintages(years))
    d = dense_mean_distance(list(years.values()))
    assert np.array_equal(cz.linkage_, linkage(squareform(d, checks=False), "average"))


def test_a_year_with_itself_is_that_year():
    g = rz.synthetic_country(200, seed=2)
    one = CommutingZones().fit(g)
    for v in (rz.Vintages({"a": g}), rz.Vintages({"a": g, "b": g})):
        cz = CommutingZones().fit(v)
        assert np.array_equal(cz.linkage_, one.linkage_)
        assert cz.labels_.equals(one.labels_)


def test_us_counties_with_itself_is_the_single_year(data_dir):
    g = rz.datasets.load("us-counties-2009-2013", data_dir)
    one = CommutingZones().fit(g)
    two = CommutingZones().fit(rz.Vintages({"2009-2013": g, "again": g}))
    assert np.array_equal(two.linkage_, one.linkage_)
    assert two.labels_.equals(one.labels_)
    assert two.partition_.areas.index.equals(one.partition_.areas.index)
    assert two.partition_.params["vintages"] == ["2009-2013", "again"]


def test_function_twin_takes_vintages():
    p = rz.methods.commuting_zones(two_years())
    assert p.labels.equals(CommutingZones().fit(two_years()).labels_)


# ------------------------------------------------------------------ combination rules
def test_combine_sum_mean_and_min_years():
    v = two_years()
    assert np.array_equal(v.combine().matrix.toarray(), F1 + F2)
    assert np.array_equal(v.combine("mean").matrix.toarray(), (F1 + F2) / 2)
    kept = v.combine(min_years=2).matrix.toarray()
    # B->C (year 1 only) and A->C (year 2 only) are dropped; the diagonal stays
    expected = F1 + F2
    expected[1, 2] = expected[0, 2] = 0
    assert np.array_equal(kept, expected)
    assert np.array_equal(v.combine(min_years=1).matrix.toarray(), F1 + F2)
    meta = v.combine("mean", min_years=2).meta
    assert meta["vintages"] == ["y1", "y2"] and meta["rule"] == "mean"
    assert meta["min_years"] == 2
    with pytest.raises(InvalidParameterError, match="min_years"):
        v.combine(min_years=3)
    with pytest.raises(InvalidParameterError, match="rule"):
        v.combine("median")


def test_views_and_repr():
    v = two_years()
    assert len(v) == 2 and v.names == ["y1", "y2"]
    assert list(v.graphs) == ["y1", "y2"] and v.zones.tolist() == IDS
    assert repr(v) == "Vintages(y1, y2: 4 zones)"


def test_alignment_reorders_by_id():
    g = rz.FlowGraph.from_matrix(F1, IDS)
    order = [3, 1, 0, 2]
    h = rz.FlowGraph.from_matrix(F2[np.ix_(order, order)], [IDS[i] for i in order])
    v = rz.Vintages({"y1": g, "y2": h})
    assert v.graphs["y1"] is g
    assert np.array_equal(v.graphs["y2"].matrix.toarray(), F2)


def test_residents_columns_are_carried():
    zones = pd.DataFrame({"emp": [110.0, 100, 100, 100]}, index=IDS)
    g = rz.FlowGraph.from_matrix(F1, IDS, zones=zones, residents="emp")
    h = rz.FlowGraph.from_matrix(
        F2, IDS, zones=zones.assign(emp=[90.0, 100, 100, 100]), residents="emp"
    )
    v = rz.Vintages({"a": g, "b": h})
    assert v.combine("mean").residents.tolist() == [100.0, 100, 100, 100]


# ------------------------------------------------------------------ crosswalks
OLD = np.array([[10, 4, 0], [2, 20, 6], [0, 8, 30]], float)  # zones x, y, z


def test_crosswalk_split_by_hand():
    old = rz.FlowGraph.from_matrix(OLD, ["x", "y", "z"])
    new_ids = ["x1", "x2", "y", "z"]
    new = rz.FlowGraph.from_matrix(np.eye(4), new_ids)
    cw = pd.DataFrame(
        {"old": ["x", "x", "y", "z"], "new": ["x1", "x2", "y", "z"], "weight": [0.5, 0.5, 1, 1]}
    )
    v = rz.Vintages({"1991": old, "2001": new}, crosswalks={"1991": cw})
    f = v.graphs["1991"].matrix.toarray()
    assert np.array_equal(
        f,
        [[2.5, 2.5, 2, 0], [2.5, 2.5, 2, 0], [1, 1, 20, 6], [0, 0, 8, 30]],
    )
    assert f.sum() == OLD.sum()  # W^T F W keeps the total
    assert v.graphs["1991"].ids.tolist() == new_ids
    assert v.meta("sum")["crosswalked"] == ["1991"]


def test_crosswalk_errors():
    old = rz.FlowGraph.from_matrix(OLD, ["x", "y", "z"])
    new = rz.FlowGraph.from_matrix(np.eye(4), ["x1", "x2", "y", "z"])
    base = {"old": ["x", "x", "y", "z"], "new": ["x1", "x2", "y", "z"]}
    with pytest.raises(InvalidParameterError, match="sum to 1"):
        rz.Vintages(
            {"a": old, "b": new},
            crosswalks={"a": pd.DataFrame({**base, "weight": [0.5, 0.6, 1, 1]})},
        )
    with pytest.raises(InvalidZonesError, match="no row for 1 of its zones"):
        rz.Vintages(
            {"a": old, "b": new},
            crosswalks={"a": pd.DataFrame({"old": ["x", "y"], "new": ["x1", "y"]})},
        )
    with pytest.raises(InvalidZonesError, match="not target zones"):
        rz.Vintages(
            {"a": old, "b": new},
            zones=["x1", "x2", "y", "z"],
            crosswalks={"a": pd.DataFrame({"old": ["x", "y", "z"], "new": ["x9", "y", "z"]})},
        )
    with pytest.raises(InvalidParameterError, match="not given"):
        rz.Vintages({"a": old}, crosswalks={"b": pd.DataFrame(base)})


def test_zones_in_one_vintage_only():
    g = rz.FlowGraph.from_matrix(F1, IDS)
    h = rz.FlowGraph.from_matrix(F2[:3, :3], IDS[:3])
    with pytest.raises(InvalidZonesError, match="missing='keep'"):
        rz.Vintages({"y1": g, "y2": h})
    v = rz.Vintages({"y1": g, "y2": h}, missing="keep")
    assert v.missing_zones == {"y2": ["D"]}
    assert v.graphs["y2"].matrix.toarray()[3].sum() == 0
    assert v.combine().meta["missing_zones"] == {"y2": ["D"]}
    # D keeps its year-1 flows in the averaged dissimilarity (1.0 in year 2)
    cz = CommutingZones().fit(v)
    assert cz.labels_["D"] is not None


def test_bad_inputs():
    g = rz.FlowGraph.from_matrix(F1, IDS)
    with pytest.raises(InvalidParameterError, match="at least one"):
        rz.Vintages({})
    with pytest.raises(InvalidParameterError, match="not a FlowGraph"):
        rz.Vintages({"a": g, "b": F2})
    with pytest.raises(InvalidParameterError, match="missing"):
        rz.Vintages({"a": g}, missing="drop")


def test_crosswalk_weights_from_polygons():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    old = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1), box(2, 0, 3, 1)], index=["x", "y"], crs=3035)
    new = gpd.GeoDataFrame(
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        index=["x1", "x2", "y"],
        crs=3035,
    )
    tab = rz.crosswalk_weights(old, new)
    assert tab.to_dict("list") == {
        "old": ["x", "x", "y"],
        "new": ["x1", "x2", "y"],
        "weight": [0.5, 0.5, 1.0],
    }
    g = rz.FlowGraph.from_matrix([[10, 4], [2, 20]], ["x", "y"])
    target = rz.FlowGraph.from_matrix(np.eye(3), ["x1", "x2", "y"])
    v = rz.Vintages({"old": g, "new": target}, crosswalks={"old": tab})
    assert v.graphs["old"].total == 36


def test_reordered_vintage_keeps_its_polygons():
    g = rz.synthetic_country(40, seed=4)
    h = g.subgraph(list(g.ids[::-1]))
    v = rz.Vintages({"a": g, "b": h})
    assert v.graphs["b"].ids.equals(g.ids)
    assert v.graphs["b"].geometry is not None
    assert (v.graphs["b"].matrix != g.matrix).nnz == 0
    assert v.combine("mean").geometry is not None
