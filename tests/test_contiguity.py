"""Tests for regionalize.contiguity: contiguity graphs built from zone polygons."""

from __future__ import annotations

import pickle
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely import box

from regionalize.contiguity import Contiguity, build_contiguity
from regionalize.errors import InvalidParameterError, InvalidZonesError


def grid(nrows: int = 3, ncols: int = 3, *, shrink: float = 0.0, crs=None) -> gpd.GeoDataFrame:
    """Unit squares; zone ``f"{row}{col}"`` is ``[col, col+1] x [row, row+1]``.

    With ``shrink``, every square loses ``shrink`` on each side (gaps of ``2 * shrink``).
    """
    codes, geoms = [], []
    for r in range(nrows):
        for c in range(ncols):
            codes.append(f"{r}{c}")
            geoms.append(box(c + shrink, r + shrink, c + 1 - shrink, r + 1 - shrink))
    return gpd.GeoDataFrame({"code": codes, "pop": np.arange(len(codes))}, geometry=geoms, crs=crs)


def with_zone(gdf: gpd.GeoDataFrame, code: str, geom) -> gpd.GeoDataFrame:
    extra = gpd.GeoDataFrame({"code": [code], "pop": [0]}, geometry=[geom], crs=gdf.crs)
    return pd.concat([gdf, extra], ignore_index=True)


def link_set(c: Contiguity) -> set[frozenset[str]]:
    a = c.adjacency.tocoo()
    ids = c.ids.to_numpy()
    return {frozenset((ids[i], ids[j])) for i, j in zip(a.row, a.col, strict=True)}


# ---------------------------------------------------------------------------- 3 x 3 grid
def test_grid_rook_and_queen_counts():
    g = grid()
    rook = build_contiguity(g, "code")
    queen = build_contiguity(g, "code", rule="queen")
    # Rook: shared sides. Each of the 3 rows has 2 horizontal sides between its squares and
    # each of the 3 columns 2 vertical ones: 3*2 + 3*2 = 12.
    assert rook.n_links == 12
    # Queen adds the corner contacts: each of the 2x2 = 4 inner grid points is the corner of
    # 4 squares and joins 2 diagonal pairs: 12 + 4*2 = 20.
    assert queen.n_links == 20
    # The centre square "11" touches 4 squares along a side and all 8 by at least a point.
    assert rook.neighbors("11") == ["01", "10", "12", "21"]
    assert queen.neighbors("11") == ["00", "01", "02", "10", "12", "20", "21", "22"]
    # A corner square: 2 sides, plus 1 diagonal for queen.
    assert rook.neighbors("00") == ["01", "10"]
    assert queen.neighbors("00") == ["01", "10", "11"]


def test_grid_matrices():
    rook = build_contiguity(grid(), "code")
    a = rook.adjacency
    assert isinstance(a, sp.csr_array)
    assert a.shape == (9, 9) and a.dtype == np.int8
    assert (a != a.T).nnz == 0  # symmetric
    assert a.diagonal().sum() == 0
    assert set(np.unique(a.data)) == {1}
    # Every rook pair shares exactly one unit side.
    sl = rook.shared_length
    assert sl.dtype == np.float64
    assert sl.nnz == a.nnz
    np.testing.assert_allclose(sl.data, 1.0)
    # Queen: the diagonal (corner) pairs are links with no shared length (0, not stored).
    queen = build_contiguity(grid(), "code", rule="queen")
    qa, qs = queen.adjacency, queen.shared_length
    i, j = queen.ids.get_loc("00"), queen.ids.get_loc("11")
    assert qa[i, j] == 1 and qs[i, j] == 0.0
    assert qs.nnz == 24  # the 12 side pairs, both directions
    np.testing.assert_allclose(qs.sum(), 24.0)


def test_shared_length_in_crs_units():
    # Squares of side 1000 (metres in a projected CRS): the shared side is 1000 long; a
    # half-overlapping side shares 500.
    g = gpd.GeoSeries(
        [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 500, 2000)],
        index=["a", "b", "c"],
        crs="EPSG:3857",
    )
    c = build_contiguity(g)
    sl = c.shared_length.toarray()
    assert sl[0, 1] == pytest.approx(1000.0)
    assert sl[0, 2] == pytest.approx(500.0)
    assert sl[1, 2] == 0.0 and c.neighbors("c") == ["a"]  # b and c meet at one point


def test_overlapping_zones_are_neighbours():
    # Interiors overlap without a common boundary line (a digitising error): neighbours
    # under rook too. The overlap [1, 2] x [1, 2] has perimeter 4: shared length 2.
    g = gpd.GeoSeries([box(0, 0, 2, 2), box(1, 1, 3, 3)], index=["a", "b"])
    c = build_contiguity(g)
    assert c.neighbors("a") == ["b"]
    assert c.shared_length[0, 1] == pytest.approx(2.0)


def test_misaligned_border_counts_its_length():
    # "a" reaches 0.01 past x = 1 into "b", whose left side runs from y = -0.5 to 1.5: the
    # boundaries only cross at (1, 0) and (1, 1), but the zones overlap along a 1-long
    # border. The overlap [1, 1.01] x [0, 1] has half-perimeter 1.01.
    a = shapely.Polygon([(0, 0), (1.01, 0), (1.01, 1), (0, 1)])
    b = box(1, -0.5, 2, 1.5)
    c = build_contiguity(gpd.GeoSeries([a, b], index=["a", "b"]))
    assert c.n_links == 1
    assert c.shared_length[0, 1] == pytest.approx(1.01)


# ---------------------------------------------------------------------------- islands
def test_island_keep():
    g = with_zone(grid(), "far", box(10, 0, 11, 1))
    c = build_contiguity(g, "code")
    assert c.islands == ("far",)
    assert c.neighbors("far") == []
    assert c.n_components == 2
    assert c.islands_policy == "keep"
    assert c.added_links.empty
    assert list(c.added_links.columns) == ["source", "target", "distance"]


def test_island_nearest_links_the_closest_square():
    # The far square spans y in [0.2, 0.8] and x in [10, 11]: its nearest zone is "02"
    # (x in [2, 3], y in [0, 1]) at distance 10 - 3 = 7; "12" is at hypot(7, 0.2).
    g = with_zone(grid(), "far", box(10, 0.2, 11, 0.8))
    c = build_contiguity(g, "code", islands="nearest")
    assert c.islands == ("far",)  # still listed: found before the policy
    assert c.neighbors("far") == ["02"]
    assert "far" in c.neighbors("02")
    added = c.added_links
    assert added[["source", "target"]].values.tolist() == [["far", "02"]]
    assert added["distance"].iloc[0] == pytest.approx(7.0)
    assert c.n_links == 13 and c.n_components == 1
    # Added links carry no shared length.
    assert c.shared_length.nnz == 24
    assert repr(c) == (
        "<Contiguity of 10 zones and 13 links (rook; 1 island linked to nearest; 1 component)>"
    )


def test_island_nearest_k2_and_ties_by_id():
    # The island spans y in [1, 2] at x in [10, 11]. "02", "12" and "22" all reach x = 3 and
    # touch or span y in [1, 2], so all three are at distance 10 - 3 = 7: a three-way tie.
    g = with_zone(grid(), "far", box(10, 1, 11, 2))
    c1 = build_contiguity(g, "code", islands="nearest")
    # Ties are broken by zone id: k=1 picks "02", k=2 "02" and "12".
    assert c1.neighbors("far") == ["02"]
    c2 = build_contiguity(g, "code", islands="nearest", k=2)
    assert c2.neighbors("far") == ["02", "12"]
    np.testing.assert_allclose(c2.added_links["distance"], [7.0, 7.0])


def test_two_islands_nearest_each_other_make_one_link():
    g = with_zone(with_zone(grid(), "i1", box(20, 0, 21, 1)), "i2", box(22, 0, 23, 1))
    c = build_contiguity(g, "code", islands="nearest")
    # i1 and i2 are each other's nearest zone (distance 1): one link, not two.
    assert c.islands == ("i1", "i2")
    assert c.added_links[["source", "target"]].values.tolist() == [["i1", "i2"]]
    assert c.n_components == 2  # the grid, and the pair of islands


def test_island_error_lists_islands():
    g = with_zone(with_zone(grid(), "i1", box(20, 0, 21, 1)), "i2", box(30, 0, 31, 1))
    with pytest.raises(
        InvalidZonesError,
        match=r"2 islands \(zones with no rook neighbour\) \(first: i1, i2\)\. "
        r"Pass islands='nearest'",
    ):
        build_contiguity(g, "code", islands="error")
    # No island, no error.
    assert build_contiguity(grid(), "code", islands="error").n_links == 12


def test_rook_point_contact_is_an_island_but_linked_at_distance_zero():
    # "x" touches the grid only at the corner (3, 3): no rook neighbour; its nearest zone
    # is "22" at distance 0.
    g = with_zone(grid(), "x", box(3, 3, 4, 4))
    assert build_contiguity(g, "code").islands == ("x",)
    assert build_contiguity(g, "code", rule="queen").neighbors("x") == ["22"]
    c = build_contiguity(g, "code", islands="nearest")
    assert c.added_links.values.tolist() == [["x", "22", 0.0]]


def test_nearest_in_geographic_crs_is_geodesic_metres():
    # 0.1-degree squares near 37N, 126-126.3E; an island 0.7 degree east of the grid.
    squares = [
        box(126 + 0.1 * c, 37 + 0.1 * r, 126.1 + 0.1 * c, 37.1 + 0.1 * r)
        for r in range(3)
        for c in range(3)
    ]
    g = gpd.GeoDataFrame({"code": [f"{k}" for k in range(9)]}, geometry=squares, crs="EPSG:4326")
    g = with_zone(g, "isl", box(127.0, 37.02, 127.1, 37.08))
    c = build_contiguity(g, "code", islands="nearest")
    assert c.neighbors("isl") == ["2"]  # the square at 126.2-126.3E, 37.0-37.1N
    dist = c.added_links["distance"].iloc[0]
    # Along the parallel, 0.7 degree is about 62 km at these latitudes.
    geod = Geod(ellps="WGS84")
    d_south = geod.inv(126.3, 37.02, 127.0, 37.02)[2]
    d_north = geod.inv(126.3, 37.08, 127.0, 37.08)[2]
    assert min(d_south, d_north) * 0.999 <= dist <= max(d_south, d_north) * 1.001
    assert 60_000 < dist < 64_000


# ---------------------------------------------------------------------------- bad geometry
def test_missing_geometry_is_kept_without_neighbours():
    g = grid()
    g.loc[g["code"] == "11", "geometry"] = None
    c = build_contiguity(g, "code", islands="nearest")
    assert len(c) == 9 and "11" in c
    assert c.missing == ("11",)
    assert c.neighbors("11") == []
    assert c.islands == ()  # not an island, and not linked by the policy
    assert c.added_links.empty
    assert "11" not in c.neighbors("01")
    assert c.n_links == 8  # the 4 links of the centre are gone: a ring of 8 squares
    assert repr(c) == "<Contiguity of 9 zones and 8 links (rook; 1 without geometry; 2 components)>"


def test_empty_geometry_is_missing():
    g = with_zone(grid(), "e", shapely.Polygon())
    c = build_contiguity(g, "code", islands="error")  # empty is not an island: no error
    assert c.missing == ("e",)


def test_invalid_bowtie_is_repaired():
    # A self-intersecting "bowtie" whose left triangle has the side x = 3, y in [0, 1], in
    # common with square "02" ([2, 3] x [0, 1]).
    bowtie = shapely.Polygon([(3, 0), (4, 1), (4, 0), (3, 1), (3, 0)])
    assert not bowtie.is_valid
    g = with_zone(grid(), "bow", bowtie)
    c = build_contiguity(g, "code")
    assert c.repaired == 1
    assert c.neighbors("bow") == ["02"]
    assert c.shared_length[c.ids.get_loc("bow"), c.ids.get_loc("02")] == pytest.approx(1.0)
    assert not g.geometry.iloc[-1].is_valid  # the input is not repaired in place


def test_geometry_collection_keeps_its_polygons_and_points_are_an_error():
    gc = shapely.GeometryCollection([box(3, 0, 4, 1), shapely.LineString([(3, 0), (9, 9)])])
    c = build_contiguity(with_zone(grid(), "gc", gc), "code")
    assert c.neighbors("gc") == ["02"]
    pts = gpd.GeoSeries(
        [shapely.Point(0, 0), shapely.Point(1, 1), box(0, 0, 1, 1)], index=["p", "q", "r"]
    )
    with pytest.raises(
        InvalidZonesError,
        match=r"2 zones whose geometry is not a polygon "
        r"\(first: p \(Point\), q \(Point\)\)",
    ):
        build_contiguity(pts)


# ---------------------------------------------------------------------------- tolerance
def test_tolerance_bridges_small_gaps():
    # Squares shrunk by 0.01 on each side: gaps of 0.02 between neighbours, so nothing
    # touches exactly.
    g = grid(shrink=0.01)
    exact = build_contiguity(g, "code")
    assert exact.n_links == 0 and len(exact.islands) == 9
    rook = build_contiguity(g, "code", tolerance=0.05)
    queen = build_contiguity(g, "code", rule="queen", tolerance=0.05)
    # Side neighbours (gap 0.02) share a 0.98-long strip; diagonal ones (gap 0.028 at the
    # corner) only a small patch, which does not count for rook.
    assert rook.n_links == 12 and queen.n_links == 20
    assert link_set(rook) == link_set(build_contiguity(grid(), "code"))
    assert link_set(queen) == link_set(build_contiguity(grid(), "code", rule="queen"))
    # Strip area / tolerance: positive for side pairs, 0 for diagonal (corner) pairs.
    qs = queen.shared_length
    assert qs.nnz == 24 and (qs.data > 0.5).all()
    assert qs[queen.ids.get_loc("00"), queen.ids.get_loc("11")] == 0.0
    # Too small a tolerance (under the gap) bridges nothing.
    assert build_contiguity(g, "code", tolerance=0.01).n_links == 0
    assert repr(rook).startswith("<Contiguity of 9 zones and 12 links (rook, tolerance 0.05;")


# ---------------------------------------------------------------------------- ids
def test_ids_from_index_column_and_sequence():
    g = grid(1, 3)
    by_index = build_contiguity(g)  # RangeIndex -> "0", "1", "2"
    assert list(by_index.ids) == ["0", "1", "2"]
    assert by_index.neighbors("1") == ["0", "2"]
    by_col = build_contiguity(g, "code")
    assert list(by_col.ids) == ["00", "01", "02"]
    by_seq = build_contiguity(g, ["01001", "01003", "01005"])
    assert list(by_seq.ids) == ["01001", "01003", "01005"]  # leading zeros kept
    assert by_seq.neighbors("01003") == ["01001", "01005"]
    assert all(isinstance(x, str) for x in by_seq.ids)
    # Integer codes become their text; a GeoSeries uses its index.
    assert list(build_contiguity(g, [10, 20, 30]).ids) == ["10", "20", "30"]
    gs = g.set_index("code").geometry
    assert list(build_contiguity(gs).ids) == ["00", "01", "02"]


def test_ids_keep_input_order_and_leading_zeros():
    g = gpd.GeoDataFrame(
        {"fips": ["01003", "01001", "10001"]},
        geometry=[box(2, 0, 3, 1), box(0, 0, 1, 1), box(1, 0, 2, 1)],
    )
    c = build_contiguity(g, "fips")
    assert list(c.ids) == ["01003", "01001", "10001"]  # not sorted
    assert c.neighbors("10001") == ["01003", "01001"]  # in ids order
    assert c.adjacency.toarray().tolist() == [[0, 0, 1], [0, 0, 1], [1, 1, 0]]


def test_id_errors():
    g = grid(1, 3)
    with pytest.raises(InvalidZonesError, match=r"1 duplicated ids \(first: a\)"):
        build_contiguity(g, ["a", "b", "a"])
    with pytest.raises(InvalidZonesError, match=r"no id column 'nope'"):
        build_contiguity(g, "nope")
    with pytest.raises(InvalidZonesError, match=r"got 2 ids for 3 geometries"):
        build_contiguity(g, ["a", "b"])
    with pytest.raises(InvalidZonesError, match=r"1 missing ids"):
        build_contiguity(g, ["a", None, "c"])
    with pytest.raises(InvalidZonesError, match=r"Expected a GeoDataFrame or GeoSeries"):
        build_contiguity([box(0, 0, 1, 1)])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"rule": "bishop"},
            r"'rule' parameter of build_contiguity must be one of 'rook', "
            r"'queen'\. Got 'bishop'",
        ),
        (
            {"islands": "drop"},
            r"'islands' parameter of build_contiguity must be one of 'keep', "
            r"'nearest', 'error'\. Got 'drop'",
        ),
        (
            {"tolerance": -1.0},
            r"'tolerance' parameter of build_contiguity must be a float in "
            r"\[0, inf\)\. Got -1\.0",
        ),
        ({"tolerance": "1"}, r"'tolerance' parameter"),
        ({"k": 0}, r"'k' parameter of build_contiguity must be an integer >= 1\. Got 0"),
        ({"k": 1.5}, r"'k' parameter"),
    ],
)
def test_parameter_errors(kwargs, pattern):
    with pytest.raises(InvalidParameterError, match=pattern):
        build_contiguity(grid(), "code", **kwargs)


# ---------------------------------------------------------------------------- the object
def test_subset_keeps_given_order():
    c = build_contiguity(grid(), "code")
    s = c.subset(["12", "11", "00", "01"])
    assert list(s.ids) == ["12", "11", "00", "01"]
    # Links among the subset only: 12-11, 11-01, 00-01.
    assert link_set(s) == {frozenset(p) for p in [("12", "11"), ("11", "01"), ("00", "01")]}
    assert s.neighbors("11") == ["12", "01"]  # in the subset's order
    np.testing.assert_allclose(s.shared_length.data, 1.0)
    assert s.rule == "rook" and len(s) == 4
    with pytest.raises(InvalidZonesError, match=r"1 ids not in the graph \(first: 99\)"):
        c.subset(["00", "99"])
    with pytest.raises(InvalidZonesError, match="duplicated"):
        c.subset(["00", "00"])


def test_subset_drops_added_links_to_outside_zones():
    g = with_zone(grid(), "far", box(10, 0.2, 11, 0.8))
    c = build_contiguity(g, "code", islands="nearest")
    keep = c.subset(["far", "02", "01"])
    assert keep.added_links.values.tolist() == [["far", "02", pytest.approx(7.0)]]
    assert keep.islands == ("far",)
    cut = c.subset(["far", "01"])
    assert cut.added_links.empty and cut.n_links == 0 and cut.n_components == 2


def test_to_networkx_and_components():
    g = with_zone(with_zone(grid(), "far", box(10, 0, 11, 1)), "none", None)
    c = build_contiguity(g, "code")
    nxg = c.to_networkx()
    assert isinstance(nxg, nx.Graph) and not nxg.is_directed()
    assert nxg.number_of_nodes() == 11  # isolated island and missing zone included
    assert nxg.number_of_edges() == 12
    assert set(nxg.nodes) == set(c.ids)
    assert nxg.edges["00", "01"]["shared_length"] == pytest.approx(1.0)
    # Components: the grid, the island, the zone without geometry.
    assert c.n_components == 3
    labels = c.component_labels()
    assert labels.dtype.kind == "i" and len(labels) == 11
    assert len(set(labels[:9])) == 1
    assert len({labels[0], labels[9], labels[10]}) == 3
    assert nx.number_connected_components(nxg) == c.n_components
    labels[:] = 99  # a copy: the graph is unchanged
    assert c.component_labels()[0] == 0


def test_to_networkx_marks_added_links():
    g = with_zone(grid(), "far", box(10, 0.2, 11, 0.8))
    nxg = build_contiguity(g, "code", islands="nearest").to_networkx()
    assert nxg.edges["far", "02"]["added"] is True
    assert nxg.edges["far", "02"]["distance"] == pytest.approx(7.0)
    assert nxg.edges["00", "01"]["added"] is False


def test_immutable_and_copies():
    c = build_contiguity(grid(), "code")
    with pytest.raises(AttributeError):
        c.rule = "queen"
    with pytest.raises(AttributeError):
        c._adj = None
    a = c.adjacency
    a.data[:] = 0
    assert c.adjacency.sum() == 24
    links = c.added_links
    links.loc[0] = ["x", "y", 1.0]
    assert c.added_links.empty


def test_contains_len_neighbors_errors_and_pickle():
    c = build_contiguity(grid(), "code", rule="queen")
    assert len(c) == 9
    assert "11" in c and "33" not in c and 11 not in c
    with pytest.raises(KeyError, match="not a zone"):
        c.neighbors("33")
    back = pickle.loads(pickle.dumps(c))
    assert link_set(back) == link_set(c)
    assert list(back.ids) == list(c.ids)
    np.testing.assert_allclose(back.shared_length.toarray(), c.shared_length.toarray())
    assert repr(back) == repr(c) == "<Contiguity of 9 zones and 20 links (queen; 1 component)>"


def test_input_not_modified():
    g = with_zone(
        with_zone(grid(), "bow", shapely.Polygon([(3, 0), (4, 1), (4, 0), (3, 1)])),
        "far",
        box(10, 0, 11, 1),
    )
    g.loc[g["code"] == "00", "geometry"] = None
    before = g.copy()
    build_contiguity(g, "code", islands="nearest", rule="queen")
    build_contiguity(g, "code", tolerance=0.1)
    pd.testing.assert_frame_equal(g.drop(columns="geometry"), before.drop(columns="geometry"))
    assert list(shapely.to_wkb(g.geometry.to_numpy()[1:])) == list(
        shapely.to_wkb(before.geometry.to_numpy()[1:])
    )
    assert g.geometry.iloc[0] is None
    assert not shapely.is_prepared(g.geometry.to_numpy()[1:]).any()
    assert list(g.columns) == ["code", "pop", "geometry"]


# ---------------------------------------------------------------------------- from_sparse
def test_from_sparse_symmetrises_and_validates():
    directed = sp.csr_array(np.array([[5, 2, 0], [0, 0, 0], [0, 1, 0]]))
    c = Contiguity.from_sparse(directed, ["a", "b", "c"], rule="ktdb")
    # A + A.T, 0/1, diagonal dropped: a-b and b-c.
    assert c.adjacency.toarray().tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert c.rule == "ktdb" and c.n_links == 2 and c.islands == ()
    assert c.shared_length.nnz == 0
    assert repr(c) == "<Contiguity of 3 zones and 2 links (ktdb; 1 component)>"
    with pytest.raises(InvalidZonesError, match="non-square shape"):
        Contiguity.from_sparse(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(InvalidZonesError, match=r"size mismatches \(first: 3 rows for 2 ids\)"):
        Contiguity.from_sparse(np.zeros((3, 3)), ["a", "b"])
    with pytest.raises(InvalidZonesError, match="duplicated ids"):
        Contiguity.from_sparse(np.zeros((2, 2)), ["a", "a"])
    with pytest.raises(InvalidZonesError, match="non-finite"):
        Contiguity.from_sparse(np.array([[0, np.nan], [0, 0]]), ["a", "b"])


def test_from_sparse_round_trip():
    c = build_contiguity(with_zone(grid(), "far", box(10, 0, 11, 1)), "code", rule="queen")
    back = Contiguity.from_sparse(c.adjacency, c.ids)
    assert link_set(back) == link_set(c)
    assert back.islands == ("far",)
    np.testing.assert_array_equal(back.component_labels(), c.component_labels())


# ---------------------------------------------------------------------------- invariance
def _layer_with_traps() -> gpd.GeoDataFrame:
    g = grid(4, 4)
    g = with_zone(g, "far", box(10, 1, 11, 2))  # equidistant from "03", "13", "23" ... ties
    g = with_zone(g, "dot", box(4, 4, 5, 5))  # corner contact only: a rook island
    g = with_zone(g, "gone", None)
    return g


@settings(max_examples=25, deadline=None)
@given(
    perm=st.permutations(list(range(19))),
    rule=st.sampled_from(["rook", "queen"]),
    k=st.integers(1, 3),
)
def test_shuffling_rows_gives_the_same_links(perm, rule, k):
    g = _layer_with_traps()
    ref = build_contiguity(g, "code", rule=rule, islands="nearest", k=k)
    shuffled = build_contiguity(g.iloc[perm], "code", rule=rule, islands="nearest", k=k)
    assert list(shuffled.ids) == list(g["code"].iloc[perm])
    assert link_set(shuffled) == link_set(ref)
    assert set(shuffled.islands) == set(ref.islands)
    added = {frozenset(p) for p in ref.added_links[["source", "target"]].values.tolist()}
    added_sh = {frozenset(p) for p in shuffled.added_links[["source", "target"]].values.tolist()}
    assert added_sh == added


# ---------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def korea(data_dir):
    path = data_dir / "korea-sigun-ktdb-od" / "KR_SiGun_epsg4326.geojson"
    if not path.exists():
        pytest.skip(f"{path} not found")
    return gpd.read_file(path)


@pytest.fixture(scope="module")
def us_counties(data_dir):
    path = data_dir / "us-county-boundaries" / "counties-10m.json"
    if not path.exists():
        pytest.skip(f"{path} not found")
    gdf = gpd.read_file(path, layer="counties")
    assert gdf.crs is None  # TopoJSON comes back without a CRS; it is lon/lat
    return gdf.set_crs("EPSG:4326")


# KTDB si/gun layer: Jeju and Ulleung are not in it. Four island counties joined to the
# mainland by bridges have no land border in the polygons and are the rook islands:
# Wando (36660), Jindo (36670), Geoje (38090) and Namhae (38550). The bridge gaps are a few
# hundred metres, so islands="nearest" links each across its bridge.
KOREA_ISLANDS = ("36660", "36670", "38090", "38550")


def test_korea_sigun(korea):
    t0 = time.perf_counter()
    c = build_contiguity(korea, "SiGun_CD")
    assert time.perf_counter() - t0 < 1.0
    assert len(c) == 159 and c.repaired == 0 and c.missing == ()
    assert c.n_links == 403
    assert c.islands == KOREA_ISLANDS
    assert c.n_components == 5  # the mainland and the four bridge-linked islands
    seoul = c.neighbors("11")
    # Seoul borders Incheon and Gyeonggi cities (31xxx) only: Goyang, Seongnam, Bucheon...
    assert {"23", "31020", "31050", "31100"} <= set(seoul)
    assert all(z == "23" or z.startswith("31") for z in seoul)
    assert "26" in c.neighbors("21")  # Busan - Ulsan
    assert c.neighbors("21") == ["26", "38070", "38100", "38110"]
    # Shared lengths are in degrees here (geographic CRS): all rook pairs have one. Nine
    # pairs (e.g. Guri-Hanam, Seongnam-Gwacheon) have borders that do not coincide: their
    # boundaries only cross at points and the zones overlap in thin slivers instead. They
    # are rook neighbours through the overlap and get half its perimeter as length.
    sl = c.shared_length
    assert sl.nnz == 2 * c.n_links
    guri, hanam = c.ids.get_loc("31120"), c.ids.get_loc("31180")
    # Guri and Hanam (across the Han river) overlap in one sliver of about 4,200 m² whose
    # half-perimeter is about 250 m, i.e. 0.0026 degree.
    assert sl[guri, hanam] == pytest.approx(0.0026, abs=0.0003)
    # One more pair meets only at a point.
    assert build_contiguity(korea, "SiGun_CD", rule="queen").n_links == 404


def test_korea_islands_nearest(korea):
    c = build_contiguity(korea, "SiGun_CD", islands="nearest")
    assert c.n_components == 1
    links = dict(zip(c.added_links["source"], c.added_links["target"], strict=True))
    # Wando and Jindo -> Haenam (36600); Geoje -> Tongyeong (38050); Namhae -> Sacheon.
    assert links == {"36660": "36600", "36670": "36600", "38090": "38050", "38550": "38060"}
    # Geodesic metres: the straits under the bridges are 100-400 m wide in the polygons.
    assert c.added_links["distance"].between(100, 400).all()
    assert repr(c) == (
        "<Contiguity of 159 zones and 407 links (rook; 4 islands linked to nearest; 1 component)>"
    )
    with pytest.raises(
        InvalidZonesError, match=r"4 islands .* \(first: 36660, 36670, 38090, \.\.\.\)"
    ):
        build_contiguity(korea, "SiGun_CD", islands="error")


def test_korea_shuffled_rows(korea):
    ref = build_contiguity(korea, "SiGun_CD", islands="nearest")
    perm = np.random.default_rng(7).permutation(len(korea))
    sh = build_contiguity(korea.iloc[perm], "SiGun_CD", islands="nearest")
    assert link_set(sh) == link_set(ref)
    assert list(sh.ids) == list(korea["SiGun_CD"].iloc[perm])


US_TERRITORIES = ("60", "66", "69", "72", "78")  # American Samoa, Guam, N. Marianas, PR, USVI


def test_us_counties(us_counties):
    t0 = time.perf_counter()
    c = build_contiguity(us_counties, "id")
    assert time.perf_counter() - t0 < 1.0
    assert len(c) == 3231
    # TopoJSON quantisation leaves 22 self-intersecting counties; Falls Church city (51610,
    # 2 sq mi) collapses to an empty polygon at 1:10m.
    assert c.repaired == 22
    assert c.missing == ("51610",)
    assert c.n_links == 8941
    # 15 rook islands: Hawaii, Honolulu, Kauai; Nantucket (MA), San Juan (WA), Aleutians
    # West (AK); and 9 in the territories (Culebra, Vieques, St. Croix, Guam, Manu'a,
    # Saipan, Tinian, Rota, Northern Islands).
    assert len(c.islands) == 15
    assert {"15001", "15003", "15007", "25019", "53055", "02016"} <= set(c.islands)
    assert sum(z[:2] in US_TERRITORIES for z in c.islands) == 9
    labels = pd.Series(c.component_labels(), index=c.ids)
    sizes = labels.value_counts()
    # 22 components: the contiguous US (3,105), Puerto Rico without Culebra and Vieques
    # (76), Alaska without Aleutians West (28), three pairs (Maui + Kalawao on Molokai;
    # St. Thomas + St. John; Eastern + Western American Samoa), 15 islands, Falls Church.
    assert c.n_components == 22
    assert sizes.tolist()[:3] == [3105, 76, 28]
    assert (sizes == 2).sum() == 3 and (sizes == 1).sum() == 16
    main = labels.index[labels == sizes.index[0]]
    # The contiguous US is one component: every county of the 48 states and DC except
    # the missing Falls Church and the island counties Nantucket and San Juan.
    states48 = [z for z in c.ids if z[:2] not in ("02", "15", *US_TERRITORIES)]
    assert set(main) == set(states48) - {"51610", "25019", "53055"}
    # Hawaii is apart: Hawaii, Honolulu and Kauai are islands, Maui and Kalawao a pair.
    assert c.neighbors("15009") == ["15005"]
    assert labels["15009"] == labels["15005"] != labels["15001"]
    # Falls Church is missing, not an island: it has no neighbours but is not listed.
    assert "51610" not in c.islands and c.neighbors("51610") == []


def test_us_counties_queen_and_nearest(us_counties):
    queen = build_contiguity(us_counties, "id", rule="queen")
    # 398 more links than rook: corner contacts (e.g. the grid of Iowa counties) and
    # borders shortened to a point by the 1:10m simplification.
    assert queen.n_links == 9339
    near = build_contiguity(us_counties, "id", islands="nearest")
    links = dict(zip(near.added_links["source"], near.added_links["target"], strict=True))
    assert links["15007"] == "15003"  # Kauai -> Honolulu
    assert links["15001"] == "15009"  # Hawaii -> Maui
    assert links["25019"] == "25007"  # Nantucket -> Dukes (Martha's Vineyard)
    assert links["02016"] == "02013"  # Aleutians West -> Aleutians East, across 180 deg
    labels = pd.Series(near.component_labels(), index=near.ids)
    assert labels[["15001", "15003", "15005", "15007", "15009"]].nunique() == 1
    assert labels["25019"] == labels["06037"]  # Nantucket joins the contiguous US
    # Hawaii stays apart from the mainland (its nearest zones are Hawaiian).
    assert labels["15001"] != labels["06037"]
    # Geodesic metres: Kauai - Oahu is the ~115 km Kauai Channel.
    d = near.added_links.set_index("source")["distance"]
    assert 100_000 < d["15007"] < 130_000
