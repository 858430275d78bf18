"""The seeded synthetic-country generator: reproducible, valid zones, realistic commuting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from regionalize.errors import InvalidParameterError
from regionalize.synthetic import (
    ORIGIN,
    PROJECTED_CRS,
    synthetic_country,
)
from regionalize.synthetic.country import synthetic_parts, voronoi_zones

N = 1500
SEED = 11


@pytest.fixture(scope="module")
def parts():
    return synthetic_parts(N, seed=SEED)


def _off_diagonal(matrix):
    off = matrix.tolil()
    off.setdiag(0)
    off = off.tocsr()
    off.eliminate_zeros()
    return off


def _assert_same(a, b):
    ma, ida, za, ga, meta_a = a
    mb, idb, zb, gb, meta_b = b
    np.testing.assert_array_equal(ma.indptr, mb.indptr)
    np.testing.assert_array_equal(ma.indices, mb.indices)
    np.testing.assert_array_equal(ma.data, mb.data)
    assert ma.data.dtype == mb.data.dtype
    pd.testing.assert_index_equal(ida, idb)
    pd.testing.assert_frame_equal(za, zb, check_exact=True)
    wkb_a, wkb_b = shapely.to_wkb(ga.geometry.values), shapely.to_wkb(gb.geometry.values)
    assert wkb_a.tolist() == wkb_b.tolist()
    assert meta_a == meta_b


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_bit_identical_output():
    _assert_same(synthetic_parts(400, seed=3), synthetic_parts(400, seed=3))


def test_different_seed_differs():
    a = synthetic_parts(400, seed=3)
    b = synthetic_parts(400, seed=4)
    assert a[0].nnz != b[0].nnz or not np.array_equal(a[0].data, b[0].data)
    assert not np.array_equal(a[2]["x"].to_numpy(), b[2]["x"].to_numpy())
    assert a[4]["seed"] == 3 and b[4]["seed"] == 4


# --- ids and attributes ----------------------------------------------------------------------


def test_ids_are_unique_fixed_width_with_leading_zeros(parts):
    matrix, ids, zones, geometry, _ = parts
    assert len(ids) == N == matrix.shape[0] == matrix.shape[1]
    assert ids.is_unique
    assert all(isinstance(i, str) for i in ids)
    assert set(ids.str.len()) == {6}
    assert ids.str.fullmatch(r"\d{6}").all()
    assert ids[0] == "000001" and ids[-1] == f"{N:06d}"
    # leading zeros matter: read as numbers the ids would change
    assert ids.str.startswith("0").all()
    assert zones.index.equals(ids) and geometry.index.equals(ids)


def test_zone_attributes(parts):
    _, _, zones, geometry, meta = parts
    assert list(zones.columns) == [
        "name",
        "population",
        "employed_residents",
        "x",
        "y",
        "area_km2",
        "settlement",
    ]
    assert zones["name"].notna().all() and (zones["name"].str.len() > 0).all()
    assert (zones["population"] >= 10).all()
    assert (zones["employed_residents"] >= 1).all()
    assert (zones["employed_residents"] <= zones["population"]).all()
    mean_pop = zones["population"].mean()
    assert 4000 < mean_pop < 6000
    rate = zones["employed_residents"].sum() / zones["population"].sum()
    assert 0.40 < rate < 0.50
    # x, y are the zone seats, inside their own polygon, in metres near the documented origin
    inside = shapely.contains_xy(geometry.geometry.values, zones["x"], zones["y"])
    assert inside.all()
    assert abs(zones["x"].mean() - ORIGIN[0]) < 200_000
    assert abs(zones["y"].mean() - ORIGIN[1]) < 200_000
    np.testing.assert_allclose(zones["area_km2"], geometry.area / 1e6)
    assert meta["projected_crs"] == PROJECTED_CRS == "EPSG:3035"
    assert meta["seed"] == SEED and meta["params"]["n_zones"] == N


def test_city_districts_are_named_after_their_city(parts):
    _, _, zones, _, _ = parts
    urban = zones[zones["settlement"].notna()]
    assert 0.5 < len(urban) / len(zones) < 0.7  # urban_share = 0.6
    assert all(n.startswith(c) for n, c in zip(urban["name"], urban["settlement"], strict=True))
    # exactly one seat per city carries the bare city name: its centre
    centres = urban[urban["name"] == urban["settlement"]]
    assert centres["settlement"].is_unique
    assert set(centres["settlement"]) == set(urban["settlement"])


# --- geometry --------------------------------------------------------------------------------


def test_zones_are_valid_polygons_tiling_the_country(parts):
    _, _, _, geometry, meta = parts
    geoms = geometry.geometry.values
    assert geometry.crs == PROJECTED_CRS
    assert (shapely.get_type_id(geoms) == 3).all()  # Polygon
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert (shapely.area(geoms) > 0).all()
    assert shapely.coverage_is_valid(geoms)  # no overlaps, shared edges match
    country = meta["country_area_km2"] * 1e6
    union = shapely.coverage_union_all(geoms)
    assert union.area == pytest.approx(country, rel=1e-9)
    assert shapely.area(geoms).sum() == pytest.approx(country, rel=1e-9)
    assert meta["country_area_km2"] == pytest.approx(N * 50.0)


def test_cells_split_by_the_coast_are_reassigned():
    # a U-shaped country: the cell of the seat in the left arm reaches across the notch
    outline = shapely.difference(shapely.box(0, 0, 10, 10), shapely.box(4, -1, 6, 8))
    seats = np.array([[3.0, 5.0], [9.9, 5.0], [5.0, 9.9], [1.0, 1.0]])
    raw = shapely.intersection(
        shapely.get_parts(
            shapely.voronoi_polygons(shapely.MultiPoint(seats), extend_to=outline, ordered=True)
        ),
        outline,
    )
    assert shapely.get_type_id(raw[0]) == 6  # the unfixed cell is split in two
    cells = voronoi_zones(seats, outline)
    assert (shapely.get_type_id(cells) == 3).all()
    assert shapely.is_valid(cells).all()
    assert shapely.contains_xy(cells, seats[:, 0], seats[:, 1]).all()
    assert shapely.coverage_is_valid(cells)
    assert shapely.area(cells).sum() == pytest.approx(outline.area)
    assert shapely.coverage_union_all(cells).area == pytest.approx(outline.area)
    # the piece east of the notch went to the seat in the east arm
    assert cells[1].contains(shapely.Point(6.2, 5.0))


# --- flows -----------------------------------------------------------------------------------


def test_flows_are_sparse_nonnegative_integers(parts):
    matrix, _, zones, _, _ = parts
    assert matrix.format == "csr"
    assert np.issubdtype(matrix.dtype, np.integer)
    assert (matrix.data > 0).all()  # no zeros stored, none negative
    assert np.isfinite(matrix.data).all()
    assert matrix.has_sorted_indices
    np.testing.assert_array_equal(matrix.sum(axis=1), zones["employed_residents"].to_numpy())
    nnz_per_row = np.diff(matrix.indptr)
    assert nnz_per_row.max() <= 40 + 1
    assert nnz_per_row.min() >= 1


@pytest.mark.parametrize("k", [1, 10])
def test_k_bounds_flows_per_row(k):
    matrix, _, zones, _, _ = synthetic_parts(300, seed=1, k=k)
    assert np.diff(matrix.indptr).max() <= k + 1
    np.testing.assert_array_equal(matrix.sum(axis=1), zones["employed_residents"].to_numpy())


def test_diagonal_share_in_documented_range(parts):
    matrix, _, zones, _, meta = parts
    low, high = meta["params"]["internal_share"]
    resident = zones["employed_residents"].to_numpy()
    share = matrix.diagonal() / resident
    slack = 0.5 / resident  # rounding of a small zone's internal commuters
    assert (share >= low - slack).all() and (share <= high + slack).all()
    overall = matrix.diagonal().sum() / resident.sum()
    assert 0.5 < overall < 0.8
    # bigger employment zones keep more of their workers
    jobs = matrix.sum(axis=0)
    assert np.corrcoef(np.log(jobs), share)[0, 1] > 0.5


def test_empty_diagonal_on_request():
    matrix, _, zones, _, _ = synthetic_parts(200, seed=2, internal_share=(0.0, 0.0))
    assert (matrix.diagonal() == 0).all()
    np.testing.assert_array_equal(matrix.sum(axis=1), zones["employed_residents"].to_numpy())


def test_population_is_heavy_tailed_and_urban(parts):
    _, _, zones, _, _ = parts
    pop = np.sort(zones["population"].to_numpy())[::-1]
    top1 = pop[: len(pop) // 100].sum() / pop.sum()
    assert top1 > 0.08  # the top 1% of zones hold over 8x their share
    urban = zones["settlement"].notna()
    assert zones.loc[urban, "population"].median() > 2 * zones.loc[~urban, "population"].median()


def test_jobs_concentrate_in_centres(parts):
    matrix, _, zones, _, _ = parts
    ratio = matrix.sum(axis=0) / matrix.sum(axis=1)
    assert (ratio > 1.2).any() and (ratio < 0.8).any()
    assert np.median(ratio) < 1  # most zones are net exporters of workers
    # the centre of the largest city is a strong employment centre
    biggest = zones.groupby("settlement")["population"].sum().idxmax()
    centre = np.flatnonzero((zones["name"] == biggest).to_numpy())
    assert ratio[centre].item() > 1.5


def test_commuting_looks_real(parts):
    matrix, _, zones, _, _ = parts
    off = _off_diagonal(matrix)
    resident = zones["employed_residents"].to_numpy()
    top_flow = off.max(axis=1).toarray().ravel()
    top_dest = np.asarray(off.argmax(axis=1)).ravel()
    commuting = top_flow > 0
    # most zones' largest outflow goes to a bigger zone ...
    pop = zones["population"].to_numpy()
    assert (pop[top_dest] > pop)[commuting].mean() > 0.8
    # ... nearby
    xy = zones[["x", "y"]].to_numpy()
    dist_km = np.hypot(*(xy[top_dest] - xy).T)[commuting] / 1000
    assert np.median(dist_km) < 20
    # and enough zones depend on a single neighbour for 5/10/20% commuting thresholds
    share = top_flow / resident
    assert (share >= 0.05).mean() > 0.8
    assert (share >= 0.10).mean() > 0.5
    assert 0.1 < (share >= 0.20).mean() < 0.8


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"n_zones": 5},
            r"The 'n_zones' parameter of synthetic_country must be an int in "
            r"\[10, 1000000\]\. Got 5 instead\.",
        ),
        ({"n_zones": 100.0}, r"'n_zones' parameter .* must be an int .* Got 100\.0 instead"),
        ({"n_zones": True}, r"'n_zones' parameter .* Got True instead"),
        ({"seed": -1}, r"'seed' parameter of synthetic_country must be an int in \[0, inf\)"),
        ({"k": 0}, r"'k' parameter"),
        (
            {"decay_km": 0},
            r"'decay_km' parameter of synthetic_country must be a float in \(0, inf\)",
        ),
        ({"urban_share": 1.5}, r"'urban_share' parameter .* \[0, 1\]\. Got 1\.5 instead"),
        ({"mean_population": 1}, r"'mean_population' parameter"),
        ({"internal_share": (0.8, 0.3)}, r"'internal_share' parameter .* 0 <= low <= high <= 1"),
        ({"internal_share": 0.5}, r"'internal_share' parameter"),
        ({"n_cities": 0}, r"'n_cities' parameter"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    args = {"n_zones": 100, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        synthetic_parts(**args)
    with pytest.raises(InvalidParameterError, match=match):
        synthetic_country(**args)


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(10, 80),
    seed=st.integers(0, 2**32),
    urban=st.floats(0.0, 1.0),
    k=st.integers(1, 50),
)
def test_any_small_country_is_consistent(n, seed, urban, k):
    matrix, ids, zones, geometry, _ = synthetic_parts(n, seed=seed, urban_share=urban, k=k)
    assert matrix.shape == (n, n) and len(ids) == n and ids.is_unique
    assert (matrix.data > 0).all()
    assert np.diff(matrix.indptr).max() <= min(k, n - 1) + 1
    np.testing.assert_array_equal(matrix.sum(axis=1), zones["employed_residents"].to_numpy())
    geoms = geometry.geometry.values
    assert shapely.is_valid(geoms).all() and (shapely.area(geoms) > 0).all()
    assert shapely.contains_xy(geoms, zones["x"], zones["y"]).all()


# --- the public function (needs regionalize.flows) -------------------------------------------


def test_synthetic_country_returns_a_flow_graph():
    flows = pytest.importorskip("regionalize.flows")
    graph = synthetic_country(300, seed=5)
    matrix, ids, zones, geometry, meta = synthetic_parts(300, seed=5)
    assert isinstance(graph, flows.FlowGraph)
    assert graph.n_zones == 300
    assert graph.name == "synthetic-300-seed5"
    assert [str(i) for i in graph.ids] == list(ids)
    assert int(graph.total) == int(matrix.sum())
    np.testing.assert_array_equal(np.asarray(graph.residents), zones["employed_residents"])
    np.testing.assert_array_equal(np.asarray(graph.jobs), matrix.sum(axis=0))
    np.testing.assert_array_equal(np.asarray(graph.internal), matrix.diagonal())
    assert (graph.matrix != matrix).nnz == 0
    assert graph.geometry.crs == PROJECTED_CRS
    assert graph.meta["projected_crs"] == PROJECTED_CRS
    assert graph.meta["seed"] == 5
    assert "population" in graph.zones.columns
