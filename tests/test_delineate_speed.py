"""The fast paths of delineate give bit for bit the results of the plain implementations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize._core.constraint import row_best
from regionalize._core.growth import grow_regions
from regionalize._core.shares import scale_rows


def _grow_reference(q, region, movable, res, job, threshold, k):
    """The megaregion rounds as they were: two full sparse products per round."""
    n = q.shape[0]
    while True:
        member = sp.csr_array(
            (np.ones(int((region >= 0).sum())), (np.flatnonzero(region >= 0), region[region >= 0])),
            shape=(n, max(k, 1)),
        )
        to_r = sp.csr_array(q @ member)
        from_r = sp.csr_array(q.T @ member)
        e = sp.csr_array(scale_rows(to_r, res) + scale_rows(from_r, job)).tocoo()
        ok = movable[e.row] & (region[e.row] < 0) & (e.data >= threshold)
        r, c, _ = row_best(e.row[ok], e.col[ok], e.data[ok], np.arange(max(k, 1)))
        if len(r) == 0:
            break
        region[r] = c
    return region


def _random_flows(rng, n, density, integer):
    m = sp.random(n, n, density=density, random_state=rng, format="csr")
    if integer:
        m.data = np.ceil(m.data * 50)
    else:
        m.data = m.data * rng.lognormal(0, 2, len(m.data))
    m = m + sp.diags(rng.uniform(0, 100, n))
    return sp.csr_array(m)


@pytest.mark.parametrize("seed", range(40))
def test_grow_regions_equals_full_products(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    q = _random_flows(rng, n, float(rng.uniform(0.005, 0.1)), seed % 2 == 0)
    k = int(rng.integers(0, min(n, 12)))
    region = np.full(n, -1, np.int64)
    region[:k] = np.arange(k)
    if k > 2 and seed % 3 == 0:  # merged seeds: a region named by its first seed
        region[1] = 0
    movable = rng.random(n) < 0.9
    movable[:k] = False
    res = np.asarray(q.sum(axis=1)).ravel()
    job = np.asarray(q.sum(axis=0)).ravel()
    res[rng.random(n) < 0.05] = 0.0
    threshold = float(rng.choice([0.01, 0.05, 0.15, 0.3]))
    want = _grow_reference(q, region.copy(), movable, res, job, threshold, k)
    got = grow_regions(q, region.copy(), movable, res, job, threshold, k)
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- dominance: top destination
def _top_reference(components, unit):
    """top_destination as it was: one sparse product with the unit membership matrix."""
    from regionalize._core.constraint import csr_row_argmax, membership
    from regionalize._core.shares import group_shares

    u_codes, u_index = np.unique(unit, return_inverse=True)
    per_unit = group_shares(components, membership(u_index.astype(np.int64), len(u_codes)))
    per_unit.sum_duplicates()
    per_unit.sort_indices()
    best = csr_row_argmax(per_unit)
    return np.where(best >= 0, u_codes[np.maximum(best, 0)], -1)


@pytest.mark.parametrize("seed", range(40))
def test_top_destination_equals_product(seed):
    from regionalize._core.constraint import top_destination
    from regionalize._core.shares import combined, scale_rows

    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 300))
    f = _random_flows(rng, n, float(rng.uniform(0.01, 0.2)), seed % 2 == 0)
    if seed % 5 == 0:  # many exact ties
        f.data = np.ceil(f.data / f.data.max() * 3)
    off = sp.csr_array(f - sp.diags(f.diagonal()))
    off.eliminate_zeros()
    res = np.asarray(f.sum(axis=1)).ravel()
    comps = [scale_rows(off, res)]
    if seed % 3 == 0:  # "either": a demand side too
        comps.append(scale_rows(sp.csr_array(off.T), np.asarray(f.sum(axis=0)).ravel()))
    k = int(rng.integers(0, 6))
    unit = np.arange(n, dtype=np.int64) + k
    for ci in range(k):
        unit[rng.choice(n, int(rng.integers(1, 6)), replace=False)] = ci
    want = _top_reference(comps, unit)
    np.testing.assert_array_equal(top_destination(comps, unit), want)
    np.testing.assert_array_equal(top_destination(comps, unit, combined(comps)), want)


@pytest.mark.parametrize("seed", range(12))
def test_grow_regions_integer_and_sparse_paths_agree(seed, monkeypatch):
    """Integral flows take the table path; forced onto the sparse path, same regions."""
    from regionalize._core import growth

    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(20, 300))
    q = _random_flows(rng, n, float(rng.uniform(0.01, 0.1)), True)
    q.data = np.round(q.data)
    q.eliminate_zeros()
    assert growth._exact_sums(q)
    k = int(rng.integers(1, 8))
    region = np.full(n, -1, np.int64)
    region[:k] = np.arange(k)
    movable = np.ones(n, bool)
    movable[:k] = False
    res = np.asarray(q.sum(axis=1)).ravel()
    job = np.asarray(q.sum(axis=0)).ravel()
    threshold = float(rng.choice([0.02, 0.05, 0.15]))
    want = _grow_reference(q, region.copy(), movable, res, job, threshold, k)
    dense = grow_regions(q, region.copy(), movable, res, job, threshold, k)
    monkeypatch.setattr(growth, "_DENSE_CELLS", 0)
    sparse = grow_regions(q, region.copy(), movable, res, job, threshold, k)
    np.testing.assert_array_equal(dense, want)
    np.testing.assert_array_equal(sparse, want)


@pytest.mark.parametrize("seed", range(12))
def test_row_sums_from_rows_and_from_columns(seed):
    """The region sums read row by row, or from the regions' columns, are the product's."""
    from regionalize._core.constraint import membership
    from regionalize._core.growth import _row_sums

    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(5, 200))
    m = _random_flows(rng, n, float(rng.uniform(0.02, 0.3)), seed % 2 == 0)
    mt = sp.csr_array(m.T)
    k = int(rng.integers(1, 6))
    region = np.where(rng.random(n) < 0.3, rng.integers(0, k, n), -1)
    rows = np.sort(rng.choice(n, int(rng.integers(1, n + 1)), replace=False))
    want = sp.csr_array(m[rows] @ membership(region, k))
    want.sort_indices()
    for got in (_row_sums(m, None, rows, region, k), _row_sums(m, mt, rows, region, k)):
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.data, want.data)


# ---------------------------------------------------------------- contiguity
def _predicate_pairs(g, rule):
    """Touching pairs as they were found: intersects, then the DE-9IM matrix for rook."""
    import shapely

    from regionalize.contiguity._pairs import ordered_pairs

    tree = shapely.STRtree(g)
    a, b = tree.query(g)
    a, b = ordered_pairs(a[a < b], b[a < b])
    hit = shapely.intersects(g[a], g[b])
    a, b = a[hit], b[hit]
    if rule == "rook":
        codes = np.asarray(shapely.relate(g[a], g[b]), dtype="U9").view("U1").reshape(-1, 9)
        ok = (codes[:, 4] == "1") | (codes[:, 0] == "2")
        a, b = a[ok], b[ok]
    return a, b


def _layers(seed):
    """Grids (corner contacts), Voronoi cells, holes, multipolygons, overlaps, shifted edges."""
    import shapely

    rng = np.random.default_rng(400 + seed)
    nx, ny = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    cells = [shapely.box(i, j, i + 1, j + 1) for i in range(nx) for j in range(ny)]
    if seed % 4 == 1:  # Voronoi cells: every border drawn twice with the same vertices
        pts = shapely.multipoints(rng.random((40, 2)) * 10)
        cells = list(
            shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=shapely.box(0, 0, 10, 10)))
        )
        cells = [shapely.intersection(c, shapely.box(0, 0, 10, 10)) for c in cells]
    if seed % 4 == 2:  # a donut and the zone in its hole, a multipolygon, an overlap
        cells.append(
            shapely.Polygon(
                [(20, 0), (26, 0), (26, 6), (20, 6)], [[(22, 2), (24, 2), (24, 4), (22, 4)]]
            )
        )
        cells.append(shapely.box(22, 2, 24, 4))
        cells.append(shapely.MultiPolygon([shapely.box(26, 0, 27, 1), shapely.box(30, 0, 31, 1)]))
        cells.append(shapely.box(30.5, 0.5, 32, 2))
    if seed % 4 == 3:  # a border split with an extra vertex on one side only
        cells.append(shapely.Polygon([(nx, 0), (nx, 0.5), (nx, 1), (nx + 1, 1), (nx + 1, 0)]))
    return np.array(cells, dtype=object)


@pytest.mark.parametrize("seed", range(16))
@pytest.mark.parametrize("rule", ["rook", "queen"])
def test_touching_pairs_equal_predicates(seed, rule):
    from regionalize.contiguity.builders import _touching_pairs

    g = _layers(seed)
    a, b, _ = _touching_pairs(g, rule, 0.0)
    wa, wb = _predicate_pairs(g, rule)
    np.testing.assert_array_equal(a, wa)
    np.testing.assert_array_equal(b, wb)


@pytest.mark.parametrize("seed", range(8))
def test_exterior_zones_equal_whole_coast_query(seed):
    import geopandas as gpd
    import shapely

    from regionalize._attach import exterior_zones, union_of_zones

    g = _layers(seed)

    class Graph:  # what exterior_zones reads: the polygons and a cache
        geometry = gpd.GeoDataFrame(geometry=list(g))
        cache: dict = {}

    graph = Graph()
    got = exterior_zones(graph)
    parts = shapely.get_parts(union_of_zones(g))
    coast = shapely.multilinestrings(shapely.get_exterior_ring(parts))
    xmin, ymin, xmax, ymax = shapely.total_bounds(g)
    tol = 1e-6 * max(xmax - xmin, ymax - ymin)
    want = np.zeros(len(g), bool)
    want[np.atleast_1d(shapely.STRtree(g).query(coast, predicate="dwithin", distance=tol))] = True
    np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------- small helpers
def test_off_diagonal_fast_path_equals_coo_path():
    from regionalize._core.shares import _off_diagonal

    rng = np.random.default_rng(5)
    for _ in range(10):
        m = _random_flows(rng, int(rng.integers(1, 80)), 0.1, False)
        assert m.has_canonical_format
        coo = m.tocoo()
        keep = coo.row != coo.col
        want = sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=m.shape)
        got = _off_diagonal(m)
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.data, want.data)


@pytest.mark.parametrize(
    "values",
    [
        ["01", "a", " b ", "x1"],
        [1, 20, np.int64(300)],
        [1, 2.0, "3"],
        [2**70, 1],
        [True, "a"],
    ],
)
def test_object_ids_fast_paths(values):
    import pandas as pd

    from regionalize._ids import _object_text

    s = pd.Series(values, dtype=object)
    want = pd.Series(
        [
            str(int(v))
            if isinstance(v, (int, float, np.integer)) and not isinstance(v, bool)
            else str(v)
            for v in values
        ],
        dtype=str,
    )
    pd.testing.assert_series_equal(_object_text(s), want)


def test_link_components_reused_within_block():
    from regionalize._core.shares import link_components, reuse_components

    g = rz.synthetic_country(80, seed=3)
    assert link_components(g, "residents")[0][0] is not link_components(g, "residents")[0][0]
    with reuse_components():
        first = link_components(g, "residents")
        assert link_components(g, "residents") is first
        assert link_components(g, "either") is not first
    assert link_components(g, "residents") is not first


def test_delineate_same_with_and_without_reuse(monkeypatch):
    import sys
    from contextlib import nullcontext

    d = sys.modules["regionalize.delineate"]

    g = rz.synthetic_country(400, seed=2)
    h1 = rz.delineate(g)
    monkeypatch.setattr(d, "reuse_components", nullcontext)
    h2 = rz.delineate(rz.synthetic_country(400, seed=2))
    for layer in h1.layers:
        assert h1[layer].equals(h2[layer])
        assert h1[layer].details.equals(h2[layer].details)


@pytest.mark.parametrize("seed", range(20))
def test_top_destination_memo_over_changing_cores(seed):
    """A memo kept over runs with other cores gives the product's answer every time."""
    from regionalize._core.constraint import top_destination
    from regionalize._core.shares import combined, scale_rows

    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(3, 200))
    f = _random_flows(rng, n, float(rng.uniform(0.02, 0.3)), True)
    f.data = np.ceil(f.data / f.data.max() * 4)  # ties
    off = sp.csr_array(f - sp.diags(f.diagonal()))
    off.eliminate_zeros()
    comps = [scale_rows(off, np.asarray(f.sum(axis=1)).ravel())]
    if seed % 2:
        comps.append(scale_rows(sp.csr_array(off.T), np.asarray(f.sum(axis=0)).ravel()))
    links, memo = combined(comps), {}
    for _ in range(4):
        k = int(rng.integers(0, 6))
        unit = np.arange(n, dtype=np.int64) + k
        for ci in range(k):
            unit[rng.choice(n, int(rng.integers(1, 8)), replace=False)] = ci
        want = _top_reference(comps, unit)
        np.testing.assert_array_equal(top_destination(comps, unit, links, memo), want)
