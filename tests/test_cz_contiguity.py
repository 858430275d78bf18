"""Commuting zones with contiguity inside the average linkage, bridges, islands, and the
sweep of the cut height."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

import regionalize as rz
from regionalize.errors import InvalidParameterError, InvalidZonesError
from regionalize.methods import CommutingZones
from regionalize.methods._constrained_linkage import constrained_average_linkage

# every zone has 100 employed residents: d(a, c) = 1 - 36/100 = 0.64, d(b, c) = 0.84,
# d(a, b) = 0.96
M = np.array([[80, 2, 18], [2, 90, 8], [18, 8, 74]], float)
ABC = ["a", "b", "c"]


def path_abc() -> rz.Contiguity:
    """a - b - c: a and c do not touch."""
    return rz.Contiguity.from_sparse(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]), ABC)


def toy() -> rz.FlowGraph:
    return rz.FlowGraph.from_matrix(M, ABC)


def with_boxes(graph: rz.FlowGraph) -> rz.FlowGraph:
    """a and b side by side, c an island 3 units east of b."""
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    geo = gpd.GeoDataFrame(
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)], index=ABC, crs=3035
    )
    return graph.with_geometry(geo)


# ------------------------------------------------------------------ hand-checked toys
def test_unconstrained_merges_zones_that_do_not_touch():
    cz = CommutingZones(0.85).fit(toy())
    assert cz.tree_.heights == pytest.approx([0.64, 0.9], abs=1e-15)  # b: (0.96 + 0.84) / 2
    assert cz.labels_["a"] == cz.labels_["c"] != cz.labels_["b"]


def test_constrained_does_not():
    cz = CommutingZones(0.85, contiguity=path_abc()).fit(toy())
    # b-c first (0.84), then a joins at (0.96 + 0.64) / 2 = 0.8: an inversion
    assert cz.tree_.heights.tolist() == [0.84, 0.8]
    assert cz.linkage_.tolist() == [[1, 2, 0.84, 2], [0, 3, 0.8, 3]]
    assert cz.labels_.nunique() == 1
    # the run stops before the first merge above the cutoff: none at 0.82, though the
    # second merge is at 0.8
    assert cz.cut(cutoff=0.82).n_areas == 3
    assert cz.cut(cutoff=0.84).n_areas == 1
    assert cz.cut(2).labels.to_dict() == {"a": "a", "b": "b", "c": "b"}
    assert cz.tree_.cut(height=0.82).n_areas == 3
    p = cz.partition_.params
    assert p["contiguity"] == "given" and p["cutoff"] == 0.85
    assert p["method"] == "contiguity-constrained average linkage on 1 - PF"
    assert cz.cut(cutoff=0.82).equals(
        CommutingZones(0.82, contiguity=path_abc()).fit(toy()).partition_
    )


def test_a_bridge_allows_the_merge():
    cz = CommutingZones(0.85, contiguity=path_abc(), bridges=[("a", "c")]).fit(toy())
    assert cz.tree_.heights.tolist() == pytest.approx([0.64, 0.9], abs=1e-15)
    assert cz.labels_["a"] == cz.labels_["c"] != cz.labels_["b"]
    assert cz.partition_.params["bridges"] == [("a", "c")]
    # a bridge given as a two-column table
    table = pd.DataFrame({"from": ["c"], "to": ["a"]})
    same = CommutingZones(0.85, contiguity=path_abc(), bridges=table).fit(toy())
    assert same.labels_.equals(cz.labels_)


def test_zones_that_never_touch_end_the_tree():
    apart = rz.Contiguity.from_sparse(np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), ABC)
    cz = CommutingZones(0.99, contiguity=apart).fit(toy())
    assert cz.tree_.n_merges == 1 and cz.tree_.n_components == 2
    assert cz.partition_.n_areas == 2
    assert cz.cut(1).n_areas == 2  # no more merges to make


def test_islands_policy():
    g = with_boxes(toy())
    # nearest: c is linked to b, its nearest zone (3 units; a is 4 away): the path a - b - c
    near = CommutingZones(0.85, contiguity="rook").fit(g)
    assert near.tree_.heights.tolist() == [0.84, 0.8]
    # keep: c touches nothing and stays alone
    keep = CommutingZones(0.99, contiguity="rook", islands="keep").fit(g)
    assert keep.tree_.heights.tolist() == [0.96]
    assert keep.labels_["c"] == "c" and keep.labels_["a"] == keep.labels_["b"]
    with pytest.raises(InvalidZonesError, match="island"):
        CommutingZones(contiguity="queen", islands="error").fit(g)
    with pytest.raises(InvalidParameterError, match="islands"):
        CommutingZones(contiguity="rook", islands="drop").fit(g)


def test_bad_contiguity_and_bridges():
    g = toy()
    with pytest.raises(InvalidZonesError, match="unknown-zone"):
        CommutingZones(contiguity=path_abc(), bridges=[("a", "unknown-zone")]).fit(g)
    with pytest.raises(InvalidParameterError, match="contiguity="):
        CommutingZones(bridges=[("a", "c")]).fit(g)
    with pytest.raises(InvalidParameterError, match="pairs of zone ids"):
        CommutingZones(contiguity=path_abc(), bridges=[("a", "b", "c")]).fit(g)
    with pytest.raises(InvalidParameterError, match="itself"):
        CommutingZones(contiguity=path_abc(), bridges=[("a", "a")]).fit(g)
    with pytest.raises(InvalidParameterError, match="Contiguity"):
        CommutingZones(contiguity=np.ones((3, 3))).fit(g)
    with pytest.raises(InvalidParameterError, match="contiguity"):
        CommutingZones(contiguity="hex").fit(g)
    with pytest.raises(InvalidZonesError, match="no geometry"):
        CommutingZones(contiguity="rook").fit(g)
    small = rz.Contiguity.from_sparse(np.array([[0, 1], [0, 0]]), ["a", "b"])
    with pytest.raises(InvalidZonesError, match="lacks 1 zones"):
        CommutingZones(contiguity=small).fit(g)


def test_a_larger_contiguity_is_restricted_to_the_graph():
    big = rz.Contiguity.from_sparse(
        np.array([[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]), ["a", "b", "c", "z"]
    )
    cz = CommutingZones(0.85, contiguity=big).fit(toy())
    assert cz.tree_.heights.tolist() == [0.84, 0.8]


# ------------------------------------------------------------------ against references
def brute_force(d: np.ndarray, adj: np.ndarray) -> tuple[list[tuple[int, int]], list[float]]:
    """Merge the touching clusters of smallest mean zone-to-zone distance, one at a time."""
    n = len(d)
    clusters = {i: [i] for i in range(n)}
    touch = {i: set(np.flatnonzero(adj[i]).tolist()) for i in range(n)}
    merges, heights = [], []
    nxt = n
    while True:
        best = None
        for a in clusters:
            for b in touch[a]:
                if a < b:
                    v = d[np.ix_(clusters[a], clusters[b])].mean()
                    if best is None or v < best[0]:
                        best = (v, a, b)
        if best is None:
            return merges, heights
        v, a, b = best
        merges.append((a, b))
        heights.append(v)
        clusters[nxt] = clusters.pop(a) + clusters.pop(b)
        touch[nxt] = (touch.pop(a) | touch.pop(b)) - {a, b}
        for i in touch[nxt]:
            touch[i] = (touch[i] - {a, b}) | {nxt}
        nxt += 1


def test_equals_a_brute_force_on_random_grids():
    rng = np.random.default_rng(11)
    for _ in range(40):
        w, h = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        n = w * h
        d = rng.uniform(0.2, 1.0, (n, n))
        d[rng.random((n, n)) < 0.4] = 1.0  # pairs without flow
        d = np.triu(d, 1)
        d = d + d.T
        grid = sp.lil_array((n, n))
        for i in range(n):
            if (i + 1) % w:
                grid[i, i + 1] = 1
            if i + w < n:
                grid[i, i + w] = 1
        r, c = np.triu_indices(n, 1)
        a = sp.triu(grid.tocsr(), 1).tocoo()
        z = constrained_average_linkage(n, r, c, d[r, c], a.row, a.col)
        merges, heights = brute_force(d, (grid + grid.T).toarray() > 0)
        assert [tuple(x) for x in z[:, :2].astype(int).tolist()] == merges
        assert np.allclose(z[:, 2], heights, rtol=0, atol=1e-12)


def test_complete_contiguity_is_the_unconstrained_linkage():
    rng = np.random.default_rng(5)
    for t in range(25):
        n = int(rng.integers(4, 30))
        f = rng.integers(1, 1000, (n, n)).astype(float)  # every pair has a flow: no ties
        ids = [f"z{i:02d}" for i in range(n)]
        g = rz.FlowGraph.from_matrix(f, ids)
        everyone = rz.Contiguity.from_sparse(np.ones((n, n)), ids)
        free = CommutingZones().fit(g)
        tied = CommutingZones(contiguity=everyone).fit(g)
        # same merges and cluster numbers; heights to within rounding (the averages are
        # updated in another order than scipy's nearest-neighbour chain)
        assert np.array_equal(free.linkage_[:, [0, 1, 3]], tied.linkage_[:, [0, 1, 3]])
        assert np.allclose(free.linkage_[:, 2], tied.linkage_[:, 2], rtol=0, atol=1e-12)
        for k in range(1, n + 1):
            assert free.cut(k).labels.equals(tied.cut(k).labels), (t, k)


# ------------------------------------------------------------------ sweep
def test_sweep_by_hand():
    ref = pd.Series(["x", "y", "x"], index=ABC)
    free = CommutingZones().fit(toy()).sweep([0.5, 0.85], reference=ref)
    tied = CommutingZones(contiguity=path_abc()).fit(toy()).sweep([0.5, 0.85], reference=ref)
    # at 0.5 no merge: 244 of the 300 commuters work in their zone, c the least contained
    for s in (free, tied):
        assert s.loc[0.5, "zones"] == 3
        assert s.loc[0.5, "internal_share"] == pytest.approx(244 / 300)
        assert s.loc[0.5, "min_sc_supply"] == pytest.approx(0.74)
        assert s.loc[0.5, "ari"] == 0.0 and s.loc[0.5, "compared"] == 3
    # at 0.85: {a, c}, {b} unconstrained (the reference itself), one zone constrained
    assert free.loc[0.85, "zones"] == 2 and free.loc[0.85, "ari"] == 1.0
    assert free.loc[0.85, "internal_share"] == pytest.approx(280 / 300)
    assert free.loc[0.85, "min_sc_supply"] == pytest.approx(0.9)
    assert tied.loc[0.85, "zones"] == 1 and tied.loc[0.85, "ari"] == 0.0
    assert tied.loc[0.85, "internal_share"] == 1.0
    assert list(free.columns) == [
        "zones",
        "internal_share",
        "sc_supply",
        "min_sc_supply",
        "ari",
        "compared",
    ]
    assert "ari" not in CommutingZones().fit(toy()).sweep([0.9]).columns


def test_sweep_errors():
    cz = CommutingZones()
    with pytest.raises(InvalidParameterError, match="not fitted"):
        cz.sweep([0.9])
    cz.fit(toy())
    with pytest.raises(InvalidParameterError, match="reference"):
        cz.sweep([0.9], reference=["x", "y", "x"])
    with pytest.raises(InvalidZonesError, match="no zone of the graph"):
        cz.sweep([0.9], reference=pd.Series(["x"], index=["q"]))


def test_us_counties_with_contiguity_against_1990(data_dir):
    g = rz.datasets.load_us_counties()
    contig = g.build_contiguity(islands="nearest")
    ref = rz.datasets.load_us_commuting_zones_1990()
    tied = CommutingZones(contiguity=contig).fit(g)
    free = CommutingZones().fit(g)
    st = tied.sweep([0.95, 0.977], reference=ref)
    sf = free.sweep([0.95, 0.977], reference=ref)
    for s in (st, sf):
        assert 550 <= s.loc[0.977, "zones"] <= 741 and s.loc[0.977, "ari"] > 0.6
        assert s.loc[0.95, "zones"] > s.loc[0.977, "zones"]
    # every constrained zone is in one piece of the contiguity graph
    labels = tied.labels_.reindex(g.ids).to_numpy(dtype=object)
    coo = contig.adjacency.tocoo()
    same = labels[coo.row] == labels[coo.col]
    inside = sp.csr_array(
        (np.ones(same.sum()), (coo.row[same], coo.col[same])), shape=(g.n_zones,) * 2
    )
    n_pieces = connected_components(inside, directed=False)[0]
    assert n_pieces == tied.partition_.n_areas + int(pd.isna(labels).sum())


def test_contiguity_with_vintages():
    m2 = np.array([[82, 10, 8], [10, 82, 8], [8, 8, 84]], float)  # a-c 0.84, a-b 0.8
    years = rz.Vintages({"y1": toy(), "y2": rz.FlowGraph.from_matrix(m2, ABC)})
    cz = CommutingZones(0.85, contiguity=path_abc()).fit(years)
    # mean: a-b (0.96 + 0.8) / 2 = 0.88, b-c 0.84, a-c 0.74 (not touching): b-c first,
    # then a at (0.88 + 0.74) / 2 = 0.81
    assert cz.tree_.heights == pytest.approx([0.84, 0.81], abs=1e-15)
    assert cz.partition_.params["vintages"] == ["y1", "y2"]
    assert cz.partition_.params["contiguity"] == "given"
