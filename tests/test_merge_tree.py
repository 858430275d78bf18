"""The merge tree of Intramax, CommutingZones and FlowBCA: one fit, cut at any size.

A five-zone toy whose merge order is worked out by hand for the three methods, then the
claim of :class:`~regionalize.methods.merge_tree.MergeTree`: ``cut(k)`` (or at a height) is
exactly the partition the method gives when run with that stop rule, on the toys and on the
Sardinian and Korean flows (and the US counties for commuting zones); the cuts are nested,
the shallowest gives every zone alone and the deepest the connected groups of zones; the
function twins equal the estimators.
"""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, is_valid_linkage
from scipy.sparse.csgraph import connected_components

import regionalize as rz
from regionalize.errors import InvalidParameterError
from regionalize.methods.commuting_zones import CommutingZones, commuting_zones
from regionalize.methods.flowbca import FlowBCA, flowbca
from regionalize.methods.intramax import Intramax, intramax
from regionalize.methods.merge_tree import MergeTree

# Five zones, every row and column total 50 (so residents = jobs = 50 everywhere).
# Off the diagonal, symmetric: C-D 15, A-B 10, D-E 5, B-C 2 each way.
#       A   B   C   D   E
#  A   40  10   .   .   .
#  B   10  38   2   .   .
#  C    .   2  33  15   .
#  D    .   .  15  30   5
#  E    .   .   .   5  45
TOY = [
    ("A", "A", 40),
    ("A", "B", 10),
    ("B", "A", 10),
    ("B", "B", 38),
    ("B", "C", 2),
    ("C", "B", 2),
    ("C", "C", 33),
    ("C", "D", 15),
    ("D", "C", 15),
    ("D", "D", 30),
    ("D", "E", 5),
    ("E", "D", 5),
    ("E", "E", 45),
]
# the same five, plus F-G exchanging only with each other, H working only at home and
# X without any flow: three groups of interacting zones and one zone left out
TOY_PARTS = TOY + [("F", "F", 20), ("F", "G", 6), ("G", "F", 4), ("G", "G", 10), ("H", "H", 7)]

ESTIMATORS = {
    "intramax": lambda **kw: Intramax(**kw),
    "flowbca": lambda **kw: FlowBCA(**kw),
}


def graph_of(rows, **kwargs):
    return rz.FlowGraph.from_dataframe(
        pd.DataFrame(rows, columns=["origin", "destination", "flow"]), **kwargs
    )


def same(a: rz.Partition, b: rz.Partition, params: bool = True) -> bool:
    """The same partition: name, labels, area ids and order, details, areas (and params)."""
    ok = a.name == b.name and a.equals(b) and list(a.areas.index) == list(b.areas.index)
    return ok and (not params or dict(a.params) == dict(b.params))


def nested(fine: rz.Partition, coarse: rz.Partition) -> bool:
    """Every area of ``fine`` lies inside one area of ``coarse`` (unassigned zones alike)."""
    f, c = fine.labels, coarse.labels
    if not (f.isna() == c.isna()).all():
        return False
    both = pd.DataFrame({"f": f, "c": c}).dropna()
    return bool((both.groupby("f")["c"].nunique() == 1).all())


def groups(graph) -> pd.Series:
    """Connected groups of zones interacting (either way, diagonal aside); None without
    any flow."""
    m = sp.csr_array(graph.matrix)
    active = (np.asarray(m.sum(axis=0)).ravel() + np.asarray(m.sum(axis=1)).ravel()) > 0
    off = sp.csr_array(m - sp.diags_array(m.diagonal()))
    _, comp = connected_components(off + off.T, directed=False)
    return pd.Series(np.where(active, comp, -1), index=graph.ids)


def same_grouping(part: rz.Partition, codes: pd.Series) -> bool:
    labels = part.labels
    if not (labels.isna() == (codes < 0)).all():
        return False
    pairs = pd.DataFrame({"a": labels, "b": codes})[labels.notna()]
    return bool(
        (pairs.groupby("a")["b"].nunique() == 1).all()
        and (pairs.groupby("b")["a"].nunique() == 1).all()
    )


@pytest.fixture(scope="module")
def toy():
    return graph_of(TOY)


@pytest.fixture(scope="module")
def toy_parts():
    zones = pd.DataFrame(index=["A", "B", "C", "D", "E", "F", "G", "H", "X"])
    return graph_of(TOY_PARTS, zones=zones, extra_zones="keep")


# ------------------------------------------------------------------ the toy, by hand
class TestToyByHand:
    def test_intramax(self, toy):
        # O_i = D_j = 50: I = (T_ij + T_ji) / 2500 until clusters grow
        # 1: C-D 30/2500 = 0.012 (A-B 0.008, D-E 0.004, B-C 0.0016); CD totals 100
        # 2: A-B 0.008 (CD-E 5/(100*50) * 2 = 0.002, B-CD 0.0008); AB totals 100
        # 3: CD-E 0.002 (AB-CD 2/(100*100) * 2 = 0.0004)
        # 4: AB-CDE 2/(100*150) * 2 = 1/3750
        tree = Intramax().fit(toy).tree_
        assert isinstance(tree, MergeTree) and tree.complete and tree.n_merges == 4
        assert tree.merges[["a", "b"]].to_numpy().tolist() == [
            ["C", "D"],
            ["A", "B"],
            ["C", "E"],
            ["A", "C"],
        ]
        assert tree.heights == pytest.approx([0.012, 0.008, 0.002, 1 / 3750])
        # scipy numbering: leaves 0-4, CD = 5, AB = 6, CDE = 7
        assert tree.Z[:, [0, 1, 3]].tolist() == [[2, 3, 2], [0, 1, 2], [4, 5, 3], [6, 7, 5]]
        assert is_valid_linkage(tree.Z)
        assert tree.kind == "similarity" and tree.measure == "objective"
        assert [tree.n_clusters(h) for h in (0.02, 0.012, 0.01, 0.005, 0.001, 1e-4)] == [
            5,
            4,
            4,
            3,
            2,
            1,
        ]
        assert repr(tree) == "MergeTree(intramax: 5 zones, 4 merges, objective 0.012 .. 0.000267)"

    def test_flowbca(self, toy):
        # relative flows F_rs / 50: C<->D 0.3, A<->B 0.2, D<->E 0.1, B<->C 0.04
        # 1: 0.3, tied both ways: the destination receiving more from the other candidate
        #    (equal) is the first, C; D joins C (C: R = 100, inside 93)
        # 2: 0.2, tied the same way: B joins A (A: R = 100, inside 98)
        # 3: E -> C 5/50 = 0.1 (C -> E 5/100, A -> C 2/100, C -> A 2/100)
        # 4: A -> C 2/100 = 0.02 beats C -> A 2/150
        tree = FlowBCA().fit(toy).tree_
        assert tree.merges[["unit", "destination"]].to_numpy().tolist() == [
            ["D", "C"],
            ["B", "A"],
            ["E", "C"],
            ["A", "C"],
        ]
        assert tree.heights == pytest.approx([0.3, 0.2, 0.1, 0.02])
        assert tree.Z[:, [0, 1, 3]].tolist() == [[2, 3, 2], [0, 1, 2], [4, 5, 3], [6, 7, 5]]
        assert tree.kind == "similarity" and tree.measure == "relative_flow"
        assert [tree.n_clusters(q) for q in (0.5, 0.3, 0.15, 0.05, 0.01)] == [5, 4, 3, 2, 1]
        frame = tree.to_frame()
        assert list(frame.columns) == [
            "step",
            "left",
            "right",
            "height",
            "size",
            "n_clusters",
            "unit",
            "destination",
            "flow",
        ]
        assert frame["n_clusters"].tolist() == [4, 3, 2, 1]
        # the cut keeps flowbca's centres, links and internal flows
        p = tree.cut(2)
        assert p.labels.to_dict() == {"A": "A", "B": "A", "C": "C", "D": "C", "E": "C"}
        assert p.areas["internal"].tolist() == [98.0, 148.0]
        assert p.details["via"].tolist() == [None, "A", None, "C", "C"]

    def test_commuting_zones(self, toy):
        # PF = two-way flow / 50: distance 1 - PF = C-D 0.4, A-B 0.6, D-E 0.8, B-C 0.92,
        # 1 elsewhere; average linkage: CD-E = (1 + 0.8) / 2 = 0.9, AB-CD = 3.92 / 4 = 0.98,
        # then AB-CDE = 5.92 / 6
        tree = CommutingZones().fit(toy).tree_
        assert tree.heights == pytest.approx([0.4, 0.6, 0.9, 5.92 / 6])
        assert tree.merges[["a", "b"]].to_numpy().tolist() == [
            ["C", "D"],
            ["A", "B"],
            ["C", "E"],
            ["A", "C"],
        ]
        assert tree.Z[:, [0, 1, 3]].tolist() == [[2, 3, 2], [0, 1, 2], [4, 5, 3], [6, 7, 5]]
        assert tree.kind == "distance" and tree.measure == "distance"
        assert [tree.n_clusters(c) for c in (0.3, 0.4, 0.5, 0.7, 0.95, 1.0)] == [5, 4, 4, 3, 2, 1]
        # default: the fitted cutoff 0.977
        assert same(tree.cut(), CommutingZones().fit(toy).partition_)

    @pytest.mark.parametrize("method", ["intramax", "flowbca", "commuting_zones"])
    def test_cuts_by_hand(self, toy, method):
        est = {"intramax": Intramax, "flowbca": FlowBCA, "commuting_zones": CommutingZones}[
            method
        ]().fit(toy)
        expected = {
            5: {"A": "A", "B": "B", "C": "C", "D": "D", "E": "E"},
            4: {"A": "A", "B": "B", "C": "C", "D": "C", "E": "E"},
            3: {"A": "A", "B": "A", "C": "C", "D": "C", "E": "E"},
            2: {"A": "A", "B": "A", "C": "C", "D": "C", "E": "C"},
            # one area: flowbca's centre is C (never merged away); the others have no
            # centres and name the area after its zone with most jobs, the first on ties
            1: dict.fromkeys("ABCDE", "C" if method == "flowbca" else "A"),
        }
        for k, labels in expected.items():
            assert est.cut(k).labels.to_dict() == labels
            assert est.tree_.cut(k).labels.to_dict() == labels


# ------------------------------------------------------------------ cut == the method's run
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 9])
def test_toy_cut_equals_the_run_with_k(toy, toy_parts, k):
    for g in (toy, toy_parts):
        with warnings.catch_warnings():  # Intramax: "cannot reach k" on toy_parts
            warnings.simplefilter("ignore", UserWarning)
            assert same(Intramax().fit(g).cut(k), Intramax(k=k).fit(g).partition_)
        assert same(FlowBCA().fit(g).cut(k), FlowBCA(k=k).fit(g).partition_)
        assert same(FlowBCA().fit(g).tree_.cut(k), flowbca(g, k=k))


def test_toy_cut_at_a_height_equals_the_run(toy_parts):
    g = toy_parts
    im, bca, cz = Intramax().fit(g), FlowBCA().fit(g), CommutingZones().fit(g)
    # at every recorded height (merges at exactly it are made) and just past it
    for h in np.r_[im.tree_.heights, im.tree_.heights[2] * 1.01]:
        assert same(im.cut(min_objective=h), Intramax(min_objective=h).fit(g).partition_)
    assert same(im.cut(4, min_objective=0.005), Intramax(4, min_objective=0.005).fit(g).partition_)
    for q in np.r_[bca.tree_.heights, bca.tree_.heights[2] * 1.01]:
        assert same(bca.cut(q=q), FlowBCA(q).fit(g).partition_)
    assert same(bca.cut(4, q=0.15), FlowBCA(0.15, k=4).fit(g).partition_)
    for c in np.r_[cz.tree_.heights[:4], cz.tree_.heights[2] * 0.99, 0.0, 1.0]:
        assert same(cz.cut(cutoff=c), CommutingZones(c).fit(g).partition_)
    assert same(cz.tree_.cut(height=0.5), commuting_zones(g, 0.5))


def test_commuting_zones_k_is_scipy_maxclust(toy):
    cz = CommutingZones().fit(toy)
    z = cz.linkage_
    for k in range(1, 6):
        p = cz.cut(k)
        assert p.n_areas == k
        codes = fcluster(z, t=k, criterion="maxclust")
        assert same_grouping(p, pd.Series(codes - 1, index=toy.ids))
        # the cut at the height of its last merge gives the same areas (params aside)
        at = CommutingZones(float(z[5 - k - 1, 2]) if k < 5 else 0.0).fit(toy).partition_
        assert same(p, at, params=False)
        assert dict(p.params) == {"k": k, "method": "average linkage on 1 - PF"}
    # both: the cut with more clusters (the first rule met going up the tree)
    assert cz.cut(2, cutoff=0.7).n_areas == 3 and cz.cut(4, cutoff=0.7).n_areas == 4
    assert dict(cz.cut(2, cutoff=0.7).params)["cutoff"] == 0.7


def test_commuting_zones_k_with_tied_heights():
    # three zones exchanging all their workers: both merges at distance 0, a tie that no
    # cut splits: maxclust gives 1 cluster for k = 2 (fewer than asked), 3 for k = 3
    g = rz.FlowGraph.from_matrix(
        np.array([[0, 5, 5], [5, 0, 5], [5, 5, 0]], float), ["a", "b", "c"]
    )
    cz = CommutingZones().fit(g)
    assert cz.tree_.heights.tolist() == [0.0, 0.0]
    assert [cz.cut(k).n_areas for k in (1, 2, 3)] == [1, 1, 3]


# ------------------------------------------------------------------ invariants
@pytest.mark.parametrize("method", ["intramax", "flowbca"])
def test_shallowest_and_deepest_cuts(toy_parts, method):
    est = ESTIMATORS[method]().fit(toy_parts)
    tree = est.tree_
    assert tree.n_active == 8 and tree.n_leaves == 9
    assert tree.n_components == 3 and not tree.complete
    # cut(n): each zone with flows alone; X (no flow) unassigned
    alone = tree.cut(8)
    assert alone.n_areas == 8 and alone.labels.drop("X").tolist() == list("ABCDEFGH")
    assert alone.labels["X"] is None and alone.params["n_merges"] == 0
    # the deepest cut: the connected groups of interacting zones
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        deepest = tree.cut(1)
    assert deepest.n_areas == 3 and deepest.params["n_merges"] == tree.n_merges
    assert same_grouping(deepest, groups(toy_parts))


def test_intramax_deepest_cut_warns(toy_parts):
    with pytest.warns(UserWarning, match="cannot reach k=1 regions: the flows form 3 groups"):
        Intramax().fit(toy_parts).tree_.cut(1)


def test_commuting_zones_shallowest_and_deepest_cuts(toy_parts):
    tree = CommutingZones().fit(toy_parts).tree_
    # its leaves are the zones with commuting flows (H only works at home); average
    # linkage joins everything (at distance 1 between groups)
    assert list(tree.ids) == list("ABCDEFG") and tree.complete and tree.n_components == 1
    alone, deepest = tree.cut(7), tree.cut(1)
    assert alone.n_areas == 7 and alone.labels.dropna().tolist() == list("ABCDEFG")
    assert deepest.n_areas == 1 and nested(alone, deepest)
    assert deepest.unassigned.to_dict() == {
        "H": "no commuting flow in or out",
        "X": "no commuting flow in or out",
    }


@pytest.mark.parametrize("method", ["intramax", "flowbca", "commuting_zones"])
def test_cuts_are_nested(toy_parts, method):
    est = {"intramax": Intramax, "flowbca": FlowBCA, "commuting_zones": CommutingZones}[
        method
    ]().fit(toy_parts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cuts = [est.cut(k) for k in range(1, est.tree_.n_active + 1)]
    for coarse, fine in zip(cuts, cuts[1:], strict=False):
        assert nested(fine, coarse)


# ------------------------------------------------------------------ real data
@pytest.fixture(scope="module")
def sardinia(data_dir):
    return rz.datasets.load("sardinia-2001", data_dir)


@pytest.fixture(scope="module")
def korea(data_dir):
    return rz.datasets.load("korea-ktdb-sigun", data_dir)


@pytest.fixture(params=["sardinia", "korea"])
def real(request, sardinia, korea):
    return {"sardinia": sardinia, "korea": korea}[request.param]


def test_real_intramax_cut_equals_the_run(real):
    im = Intramax().fit(real)
    assert im.tree_.complete  # the flows connect every zone
    ks = [1, 7, 50, real.n_zones - 1]
    cuts = [im.cut(k) for k in ks]
    for k, cut in zip(ks, cuts, strict=True):
        assert cut.n_areas == k
        assert same(cut, Intramax(k=k).fit(real).partition_)
    for coarse, fine in zip(cuts, cuts[1:], strict=False):
        assert nested(fine, coarse)
    assert same(cuts[0], im.tree_.cut(1)) and same_grouping(cuts[0], groups(real))
    # at an objective: merges at exactly it are made
    h = float(im.tree_.heights[40])
    assert same(im.cut(min_objective=h), Intramax(min_objective=h).fit(real).partition_)
    assert same(im.tree_.cut(height=h), intramax(real, min_objective=h))


def test_real_intramax_with_contiguity(sardinia):
    im = Intramax(contiguity="auto").fit(sardinia)
    assert same(im.cut(25), Intramax(25, contiguity="auto").fit(sardinia).partition_)
    assert im.cut(25).params["contiguity"] == "on"


def test_real_flowbca_cut_equals_the_run(real):
    full = FlowBCA().fit(real)
    tree = full.tree_
    n = real.n_zones
    assert tree.complete and full.stop_reason_.startswith("no positive")
    ks = [1, 13, 60, n - 1, n]
    cuts = [full.cut(k) for k in ks]
    for k, cut in zip(ks, cuts, strict=True):
        run = FlowBCA(k=k).fit(real)
        assert cut.n_areas == k and same(cut, run.partition_)
        # the run's merges are the first ones of the full sequence
        assert run.merges_.equals(full.merges_.iloc[: len(run.merges_)])
    for coarse, fine in zip(cuts, cuts[1:], strict=False):
        assert nested(fine, coarse)
    for q in [0.5, 0.2, float(tree.heights[30])]:  # the last: a recorded relative flow
        assert same(full.cut(q=q), FlowBCA(q).fit(real).partition_)
        assert same(full.cut(20, q=q), FlowBCA(q, k=20).fit(real).partition_)
    assert same(full.cut(), full.partition_)


def test_real_flowbca_partial_trees(korea):
    # fitted with an internal-flow rule: its tree stops there (13 clusters), and the cuts
    # are the runs with that rule and the cut's k or q
    lm = FlowBCA(min_internal=0.1).fit(korea)
    assert lm.tree_.n_components == 13 and not lm.tree_.complete
    for k in (5, 13, 40):
        assert same(lm.cut(k), FlowBCA(k=k, min_internal=0.1).fit(korea).partition_)
    assert same(lm.cut(q=0.4), FlowBCA(0.4, min_internal=0.1).fit(korea).partition_)
    assert same(lm.cut(), lm.partition_)
    # fitted with k: cuts with fewer merges are exact, more merges were never recorded
    k20 = FlowBCA(k=20).fit(korea)
    assert repr(k20.tree_).startswith("MergeTree(flowbca: 159 zones, 139 merges, 20 clusters")
    assert same(k20.cut(30), FlowBCA(k=30).fit(korea).partition_)
    assert same(k20.cut(20), k20.partition_)
    q = float(k20.tree_.heights[100])
    assert same(k20.cut(q=q), FlowBCA(q).fit(korea).partition_)
    for bad in ({"k": 10}, {"q": 0.01}, {}):
        with pytest.raises(InvalidParameterError, match="fitted with k=20"):
            k20.cut(**bad)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"k": 12},
        {"q": 0.3},
        {"min_internal": 0.1},
        {"mean_internal": 0.6},
        {"weighted_internal": 0.8},
        {"q": 0.2, "k": 30, "min_internal": 0.2},
    ],
)
def test_flowbca_cut_with_its_own_rules_is_its_partition(korea, params):
    m = FlowBCA(**params).fit(korea)
    assert same(m.cut(m.k, q=m.q), m.partition_)
    assert same(flowbca(korea, **params), m.partition_)


def test_real_commuting_zones_cut_equals_the_run(real):
    cz = CommutingZones().fit(real)
    tree = cz.tree_
    assert cz.linkage_ is tree.Z and tree.complete
    assert same(cz.cut(), cz.partition_)
    for c in (0.9, 0.95, 0.99):
        assert same(cz.cut(cutoff=c), CommutingZones(c).fit(real).partition_)
        assert tree.n_clusters(c) == cz.cut(cutoff=c).n_areas
    m = tree.n_leaves
    h = tree.heights
    for k in (1, 9, 57, 100):
        p = cz.cut(k)
        assert nested(p, cz.cut(max(k - 1, 1)))
        if k == 1 or h[m - k - 1] < h[m - k]:  # no tie straddles k: exactly k, and the
            assert p.n_areas == k  # cut at its last merge's height is the same
            assert same(p, CommutingZones(float(h[m - k - 1])).fit(real).partition_, params=False)


def test_korea_commuting_zones_ties_give_fewer(korea):
    # PF >= 1 (trips both ways at least the smaller si/gun's own): distance 0; the 16
    # merges at height 0 cannot be split, so any k from 144 to 158 gives 143 zones
    tree = CommutingZones().fit(korea).tree_
    assert (tree.heights == 0).sum() == 16 and tree.heights[16] > 0
    assert [tree.cut(k).n_areas for k in (142, 143, 144, 150, 158, 159)] == [
        142,
        143,
        143,
        143,
        143,
        159,
    ]


def test_us_commuting_zones_cut_equals_the_run(data_dir):
    g = rz.datasets.load("us-counties-2009-2013", data_dir)
    cz = CommutingZones().fit(g)
    assert same(cz.cut(cutoff=0.98), CommutingZones(0.98).fit(g).partition_)
    assert cz.cut(700).n_areas == 700


# ------------------------------------------------------------------ the API around it
def test_views_of_the_tree(toy):
    im = Intramax(k=2).fit(toy)
    assert im.merges_ is im.tree_.merges and im.linkage_ is im.tree_.Z
    assert im.n_components_ == im.tree_.n_components == 1
    bca = FlowBCA().fit(toy)
    assert bca.merges_ is bca.tree_.merges
    assert len(im.tree_) == 4 and im.tree_.n_leaves == 5
    assert im.tree_.heights is not im.tree_.Z[:, 2]  # a copy


def test_no_fitted_state_in_the_params(toy):
    for est in (Intramax(k=2), FlowBCA(), CommutingZones()):
        before = est.get_params()
        est.fit(toy)
        assert est.get_params() == before
        assert not any(k.startswith("_") for k in vars(est))


def test_the_tree_outlives_a_refit(toy, toy_parts):
    im = Intramax().fit(toy)
    tree = im.tree_
    expected = tree.cut(2)
    im.fit(toy_parts)
    assert same(tree.cut(2), expected) and im.tree_ is not tree


def test_the_tree_pickles(toy):
    for est in (Intramax().fit(toy), FlowBCA().fit(toy), CommutingZones().fit(toy)):
        again = pickle.loads(pickle.dumps(est))
        assert same(again.tree_.cut(3), est.tree_.cut(3))


def test_cut_checks_its_arguments(toy):
    with pytest.raises(InvalidParameterError, match="not fitted"):
        FlowBCA().cut(2)
    with pytest.raises(InvalidParameterError, match="not fitted"):
        CommutingZones().cut(2)
    with pytest.raises(InvalidParameterError, match="not fitted"):
        Intramax().cut(2)
    with pytest.raises(InvalidParameterError, match="needs a stop rule"):
        Intramax().fit(toy).tree_.cut()
    with pytest.raises(InvalidParameterError, match="'k'"):
        FlowBCA().fit(toy).cut(0)
    with pytest.raises(InvalidParameterError, match="'q'"):
        FlowBCA().fit(toy).cut(q=1.5)
    with pytest.raises(InvalidParameterError, match="'cutoff'"):
        CommutingZones().fit(toy).cut(cutoff=2)
    with pytest.raises(InvalidParameterError, match="'k'"):
        CommutingZones().fit(toy).cut(k=2.5)


def test_numpy_scalars_are_stored_plain(toy):
    p = FlowBCA().fit(toy).cut(np.int64(2), q=np.float32(0.05))
    assert same(p, FlowBCA(np.float32(0.05), k=np.int64(2)).fit(toy).partition_)
    assert type(p.params["k"]) is int and p.params["q"] == 0.05


# ------------------------------------------------------------------ function twins
@pytest.mark.parametrize(
    "cls, twin", [(Intramax, intramax), (FlowBCA, flowbca), (CommutingZones, commuting_zones)]
)
def test_twin_signature_is_the_class_signature(cls, twin):
    init = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fn = list(inspect.signature(twin).parameters.values())
    assert fn[0].name == "graph"
    assert [(p.name, p.default, p.kind) for p in fn[1:]] == [
        (p.name, p.default, p.kind) for p in init
    ]
    doc = twin.__doc__
    for section in ("Parameters", "Returns", "See Also", "Examples"):
        assert section in doc
    with pytest.raises(InvalidParameterError, match="Did you mean 'name'"):
        twin(graph_of(TOY), namex="x")


def test_twins_equal_the_classes(toy, korea):
    for params in ({"k": 3}, {"min_objective": 1e-3, "name": "im"}):
        assert same(intramax(toy, **params), Intramax(**params).fit(toy).partition_)
    for params in ({}, {"k": 4}, {"q": 0.15, "name": "b"}, {"weighted_internal": 0.7}):
        assert same(flowbca(toy, **params), FlowBCA(**params).fit(toy).partition_)
    for params in ({}, {"cutoff": 0.9, "name": "cz"}):
        assert same(commuting_zones(toy, **params), CommutingZones(**params).fit(toy).partition_)
    assert same(intramax(korea, 10), Intramax(10).fit(korea).partition_)
    assert same(flowbca(korea, min_internal=0.1), FlowBCA(min_internal=0.1).fit(korea).partition_)
    assert same(commuting_zones(korea, name="cz"), CommutingZones(name="cz").fit(korea).partition_)
    assert same(intramax(toy, 2), Intramax(2).fit(toy).partition_)
    assert same(flowbca(toy, 0.15), FlowBCA(0.15).fit(toy).partition_)
    assert same(commuting_zones(toy, 0.5), CommutingZones(0.5).fit(toy).partition_)
