"""TTWA / Istat LabourMarketAreas: formulas, hand-followed toys, invariants, real data.

The toys use small parameters, minSZ 100, minSC 0.6, tarSZ 200, tarSC 0.75, so that

    validity = min(msc / 0.75, 1) * (1 - 0.2 * max((200 - R) / 100, 0)) * 1.25

(``tarSC / minSC = 1.25``, ``1 - minSC / tarSC = 0.2``). Every toy's result was also checked
against the reference R code (LabourMarketAreas 3.4, ``findClusters``) run on the same flows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize.contiguity import Contiguity
from regionalize.errors import InvalidParameterError
from regionalize.methods.ttwa import (
    ISTAT_2011,
    UK_2011,
    LabourMarketAreas,
    cohesion,
    labour_market_areas,
    validity,
)

TOY = dict(min_size=100, min_sc=0.6, target_size=200, target_sc=0.75)


def graph_of(rows, **kwargs):
    return rz.FlowGraph.from_dataframe(
        pd.DataFrame(rows, columns=["origin", "destination", "flow"]), **kwargs
    )


def labels(p):
    return dict(p.labels.items())


# ---------------------------------------------------------------------------- formulas
class TestValidity:
    @pytest.mark.parametrize(
        "r, sc, expected",
        [
            (25000, 0.6667, 1.000),  # target size, minimum self-containment
            (3500, 0.75, 1.000),  # minimum size, target self-containment
            (14250, 0.70, 0.9916),  # halfway in size: 0.70 is not enough ...
            (14250, 0.72, 1.020),  # ... 0.72 is
        ],
    )
    def test_uk_vectors(self, r, sc, expected):
        v = validity([r], [r], [sc * r], **UK_2011)[0]
        assert v == pytest.approx(expected, abs=5e-4)

    def test_valid_flags(self):
        r = np.array([25000, 3500, 14250, 14250], float)
        sc = np.array([0.6667, 0.75, 0.70, 0.72])
        v = validity(r, r, sc * r, **UK_2011)
        # exactly on the thresholds the reference's arithmetic gives 1 - 2**-53: not valid,
        # in R as here (no tolerance is added)
        assert v[:2] == pytest.approx([1, 1], abs=1e-15)
        assert (v >= 1).tolist() == [False, False, False, True]

    def test_msc_is_the_smaller_self_containment(self):
        # supply 0.9 but demand only 0.6: the area is judged on 0.6
        assert validity([30000], [45000], [27000], **UK_2011)[0] == pytest.approx(
            validity([30000], [30000], [18000], **UK_2011)[0]
        )

    def test_no_separate_thresholds_but_full_self_containment_is_valid(self):
        # below minSZ: invalid even at 100% supply self-containment ...
        assert validity([3000], [4000], [3000], **UK_2011)[0] < 1
        # ... except when nothing crosses the border at all (msc == 1): validity 1
        assert validity([3000], [3000], [3000], **UK_2011)[0] == 1
        # very large but below minSC: invalid
        assert validity([1e6], [1e6], [0.66e6], **UK_2011)[0] < 1
        assert validity([1e6], [1e6], [0.67e6], **UK_2011)[0] >= 1

    def test_no_residents_counts_as_no_self_containment(self):
        assert validity([0], [10], [0], **UK_2011)[0] == 0

    def test_bad_parameters(self):
        with pytest.raises(InvalidParameterError, match="'min_sc' parameter of validity"):
            validity([1], [1], [1], min_sc=0.8, target_sc=0.75)


class TestCohesion:
    def test_hand_computed(self):
        # A: R 100, W 80; B: R 200, W 250; 20 commute A -> B, 10 B -> A
        # 20^2 / (100 * 250) + 10^2 / (200 * 80) = 0.016 + 0.00625
        assert float(cohesion(20, 10, 100, 80, 200, 250)) == pytest.approx(0.02225)

    def test_symmetric_and_vectorised(self):
        a = cohesion([20, 0], [10, 5], [100, 50], [80, 60], [200, 70], [250, 90])
        b = cohesion([10, 5], [20, 0], [200, 70], [250, 90], [100, 50], [80, 60])
        assert np.allclose(a, b)
        assert a[1] == pytest.approx(25 / (70 * 60))

    def test_zero_denominator_counts_zero(self):
        assert float(cohesion(5, 0, 0, 10, 10, 10)) == 0.0


# ---------------------------------------------------------------------------- hand toys
# Toy 1: towns A and B, villages C and D, and two zones the loop cannot use.
#   A: A->A 1000, A->B 50                      R 1050  W 1065  C 1000  v 1.25
#   B: B->B 800, B->A 20, B->Z 10              R 820 (B->Z dropped, see Z)  W 850  v 1.25
#   C: C->C 30, C->D 20, C->A 30               R 80    W 55    C 30    v 0.475
#   D: D->D 20, D->C 25, D->A 15               R 60    W 40    C 20    v 0.4
#   Y: Y->Y 40 only                            zero list: no commuting with other zones
#   Z: receives B->Z 10, no residents          zero list: no employed residents
TOY1 = [
    ("A", "A", 1000),
    ("A", "B", 50),
    ("B", "B", 800),
    ("B", "A", 20),
    ("C", "C", 30),
    ("C", "D", 20),
    ("C", "A", 30),
    ("D", "D", 20),
    ("D", "C", 25),
    ("D", "A", 15),
    ("Y", "Y", 40),
    ("B", "Z", 10),
]

# Toy 2 (also the class docstring): X's jobs are held by B residents.
#   A: A->A 300, A->B 40                       R 340   W 360   C 300   v 1.25
#   B: B->B 5000, B->X 300                     R 5300  W 5040  C 5000  v 1.25
#   X: X->X 20, X->A 60                        R 80    W 320   C 20    v 0.0792
TOY2 = [
    ("A", "A", 300),
    ("A", "B", 40),
    ("B", "B", 5000),
    ("B", "X", 300),
    ("X", "X", 20),
    ("X", "A", 60),
]

# Toy 3: a village pair X, Y tied to each other, Y with a thin link to town A.
#   A: A->A 500, A->B 50   R 550 W 565 (with Y->A)   v 1.25
#   B: B->B 400, B->A 60   R 460 W 450               v 1.25
#   X: X->X 10, X->Y 40    R 50  W 30  C 10          v 0.2333
#   Y: Y->Y 10, Y->X 20, Y->A 5   R 35  W 50  C 10   v 0.2233
TOY3 = [
    ("A", "A", 500),
    ("A", "B", 50),
    ("B", "B", 400),
    ("B", "A", 60),
    ("X", "X", 10),
    ("X", "Y", 40),
    ("Y", "Y", 10),
    ("Y", "X", 20),
    ("Y", "A", 5),
]


class TestToyOne:
    """Moves, a partial dissolution of a two-zone cluster, and the zero list."""

    @pytest.fixture
    def fitted(self):
        return LabourMarketAreas(**TOY).fit(graph_of(TOY1))

    def test_loop_by_hand(self, fitted):
        # it. 1: D is the least valid (0.4). It exchanges commuters with C and A:
        #   cohesion(D, C) = 20^2/(80*40) + 25^2/(60*55) = 0.125 + 0.189 = 0.314
        #   cohesion(D, A) = 15^2/(60*1065) = 0.0035                -> C.
        #   C+D: R 140, W 95, C 95 -> msc 0.679, validity 0.9952 >= 0.475: D moves.
        # it. 2: {C, D} (0.9952) is the least valid; one zone leaves, the one with the most
        #   inflow from outside + outflows: C 0 + 80 - 30 = 50 > D 0 + 60 - 20 = 40 -> C.
        #   C's only other cluster is A: A+C: R 1130, W 1120, C 1060 -> msc 0.938, validity
        #   1.25 >= 1.25: C moves; D stays alone (0.4).
        # it. 3: D again; its links now all lead to A (C is in A): out 25 + 15, in 20.
        #   A+D: R 1190, W 1160, C 1140 -> 1.25 >= 1.25: D moves. Everything is valid.
        h = fitted.history_
        assert h["zone"].tolist() == ["D", "C", "D"]
        assert h["action"].tolist() == ["moved"] * 3
        # reference numbers: A 1, B 2, C 3, D 4 (zone order, zero-list zones left out)
        assert h["cluster"].tolist() == [4, 3, 3]  # D stays in cluster 3 when C leaves
        assert h["to"].tolist() == [3, 1, 1]
        assert h["validity"].tolist() == pytest.approx(
            [0.4, validity([140], [95], [95], **TOY)[0], 0.4]
        )
        assert h["validity"][1] == pytest.approx(0.99524, abs=1e-5)
        assert fitted.n_iterations_ == 3
        assert labels(fitted.partition_) == {
            "A": "A",
            "B": "B",
            "C": "A",
            "D": "A",
            "Y": None,
            "Z": None,
        }

    def test_zero_list(self, fitted):
        z = fitted.zero_
        assert z["reason"].to_dict() == {
            "Y": "no commuting with other zones",
            "Z": "no employed residents",
        }
        un = fitted.partition_.unassigned
        assert un.to_dict() == {
            "Y": "no commuting with other zones (zero list)",
            "Z": "no employed residents (zero list)",
        }

    def test_area_table(self, fitted):
        a = fitted.partition_.areas
        # B's residents leave out the 10 who work in Z (flows of zero-list zones are dropped,
        # as in the reference), so R_B = 820, not the graph's 830
        assert a.loc["B", "residents"] == 820 and fitted.partition_.n_areas == 2
        assert a.loc["A", ["residents", "jobs", "internal"]].tolist() == [1190, 1160, 1140]
        assert a.loc["A", "sc_supply"] == pytest.approx(1140 / 1190)
        assert a.loc["A", "sc_demand"] == pytest.approx(1140 / 1160)
        assert a["valid"].all() and not a["from_reserve"].any()
        assert a.loc["A", "centres"] == () and a["reference_id"].tolist() == [1, 2]
        assert fitted.reserve_.empty


class TestToyTwo:
    """The reserve list (case A) and the final assignment without a validity check."""

    def test_reserve_then_final_assignment(self):
        m = LabourMarketAreas(**TOY).fit(graph_of(TOY2))
        # it. 1: X (0.0792) is the least valid. cohesion(X, A) = 60^2/(80*360) = 0.125,
        #   cohesion(X, B) = 300^2/(5300*320) = 0.053 -> A. But A+X has W 680 for C 380:
        #   demand self-containment 0.559, validity 0.931 < 1.25 -> X to the reserve list.
        # Then every cluster is valid: the loop stops; X joins A anyway in the final
        # assignment, which leaves A invalid (and flagged).
        r = m.reserve_
        assert r.index.tolist() == ["X"]
        assert r.loc["X", ["case", "iteration", "from_cluster", "area"]].tolist() == [
            "A",
            1,
            3,
            "A",
        ]
        assert r.loc["X", "cluster_validity"] == pytest.approx(0.0791667, abs=1e-6)
        assert labels(m.partition_) == {"A": "A", "B": "B", "X": "A"}
        a = m.partition_.areas
        assert a.loc["A", "validity"] == pytest.approx(validity([420], [680], [380], **TOY)[0])
        assert a.loc["A", "validity"] == pytest.approx(0.93137, abs=1e-5)
        assert a["valid"].tolist() == [False, True]
        assert a["from_reserve"].tolist() == [True, False]
        assert a["n_reserve"].tolist() == [1, 0]
        assert m.moves_.to_dict() == {"A": 0, "B": 0, "X": 0}

    def test_contiguity_variant(self):
        # with X touching only B, X may only go to B: B+X keeps validity 1.25, so it moves
        adj = sp.csr_array(([1, 1], ([1, 2], [2, 1])), shape=(3, 3))
        contig = Contiguity.from_sparse(adj, ["A", "B", "X"])
        m = LabourMarketAreas(**TOY, contiguity=contig).fit(graph_of(TOY2))
        assert labels(m.partition_) == {"A": "A", "B": "B", "X": "B"}
        assert m.reserve_.empty and m.partition_.areas["valid"].all()
        assert m.partition_.params["contiguity"] == "on"

    def test_initial_clusters(self):
        # start from {A, X} and {B}: {A, X} (0.931) is the least valid; the zone leaving is
        # X (inflow from outside 300 + 80 - 20 = 360 against A's 0 + 340 - 300 = 40), and its
        # only other cluster is B: B+X keeps 1.25, so X moves to B
        m = LabourMarketAreas(**TOY, initial={"A": "p", "X": "p", "B": "q"}).fit(graph_of(TOY2))
        assert labels(m.partition_) == {"A": "A", "B": "B", "X": "B"}
        assert m.history_["action"].tolist() == ["moved"]


class TestToyThree:
    """Case D: the leaving zone has no link outside its own cluster."""

    def test_broken_cluster(self):
        m = LabourMarketAreas(**TOY).fit(graph_of(TOY3))
        # it. 1: Y (0.2233) -> X (cohesion 40^2/(50*50) + 20^2/(35*30) = 1.02 against A's
        #   5^2/(35*565)); X+Y: R 85, W 80, C 80 -> validity 0.9625 >= 0.2333: moves.
        # it. 2: {X, Y} (0.9625): X leaves first (0 + 50 - 10 = 40 > 0 + 35 - 10 = 25) but
        #   has no link outside the cluster: X to the reserve list (case D) and the cluster is
        #   broken; then the least valid cluster of all is Y alone (0.2233), which moves to
        #   A (its only other link; A keeps 1.25).
        # final: X joins A through its flows with Y.
        assert m.history_["action"].tolist() == ["moved", "D", "moved"]
        assert m.history_["zone"].tolist() == ["Y", "X", "Y"]
        assert m.reserve_.loc["X", ["case", "iteration", "from_cluster"]].tolist() == ["D", 2, 3]
        assert m.reserve_.loc["X", "cluster_validity"] == pytest.approx(0.9625)
        assert labels(m.partition_) == {"A": "A", "B": "B", "X": "A", "Y": "A"}
        a = m.partition_.areas
        assert a["from_reserve"].tolist() == [True, False] and a["valid"].all()

    def test_closed_pair_is_valid_whatever_its_size(self):
        # X and Y only commute between themselves: together nothing crosses their border,
        # self-containment is 1 and the reference rule makes the pair valid (R = 70 < minSZ)
        rows = [r for r in TOY3 if r[:2] != ("Y", "A")]
        m = LabourMarketAreas(**TOY).fit(graph_of(rows))
        assert labels(m.partition_)["X"] == labels(m.partition_)["Y"]
        a = m.partition_.areas
        pair = a.loc[labels(m.partition_)["X"]]
        assert pair["residents"] < TOY["min_size"] and pair["validity"] == 1 and pair["valid"]


# Toy 4 (with ``initial``): a broken cluster whose inner loop meets an ordinary cluster.
#   P: P->P 60, P->T 40        R 100  W 90 (T->P 30)     v 0.8
#   T: T->T 1000, T->P 30      R 1030 W 1040             v 1.25
#   X: X->X 10, X->Y 20        R 30   W 415 (R->X 400, Y->X 5)
#   Y: Y->Y 300, Y->X 5        R 305  W 320              v 1.25 alone
#   R: R->R 50, R->X 400       starts in the reserve list
TOY4 = [
    ("P", "P", 60),
    ("P", "T", 40),
    ("T", "P", 30),
    ("T", "T", 1000),
    ("X", "X", 10),
    ("X", "Y", 20),
    ("Y", "Y", 300),
    ("Y", "X", 5),
    ("R", "R", 50),
    ("R", "X", 400),
]
TOY4_START = {"P": "p", "T": "t", "X": "s", "Y": "s"}


class TestBrokenClusterCorners:
    def test_ordinary_cluster_sent_to_the_reserve(self):
        m = LabourMarketAreas(**TOY, initial=TOY4_START).fit(graph_of(TOY4))
        # it. 1: {X, Y} (R 335, W 735, C 335: demand self-containment 0.456, validity 0.760)
        #   is the least valid. X leaves first (inflow from outside 400 + 30 - 10 = 420 against
        #   Y's 0 + 305 - 300 = 5) but its only outside link is R, in the reserve list: case
        #   D, the cluster is broken. In the inner loop the least valid cluster is P (0.8 < Y's
        #   1.25), and no piece exchanges commuters with it: all of P goes to the reserve list
        #   (the reference's case F). Then every cluster is valid.
        # final pass: the piece Y counts as a reserve-list zone (as in the reference); P joins
        #   T; R, X and Y have no link to T and stay unassigned. Same result as the R code.
        assert m.history_[["zone", "action"]].values.tolist() == [["X", "D"], ["P", "F"]]
        assert labels(m.partition_) == {"P": "T", "R": None, "T": "T", "X": None, "Y": None}
        assert m.reserve_["case"].to_dict() == {"R": "initial", "X": "D", "P": "F", "Y": "piece"}
        assert m.reserve_.loc["P", "area"] == "T" and m.reserve_.loc["Y", "area"] is None
        assert set(m.partition_.unassigned) == {"reserve list: no commuting link to any area"}

    def test_piece_linked_to_the_least_valid_cluster(self):
        # the same with Y -> P 10: now a piece exchanges commuters with P. The reference stops
        # with an error there; here that piece joins P (validity 1.25 afterwards), and in
        # the final pass X (through Y) and then R (through X) join that area too.
        m = LabourMarketAreas(**TOY, initial=TOY4_START).fit(graph_of(TOY4 + [("Y", "P", 10)]))
        assert m.history_[["zone", "action"]].values.tolist() == [["X", "D"], ["Y", "moved"]]
        assert labels(m.partition_) == {"P": "X", "R": "X", "T": "T", "X": "X", "Y": "X"}
        assert m.partition_.areas["valid"].all()


# ---------------------------------------------------------------------------- invariants
def _check_invariants(m, graph):
    p = m.partition_
    d = p.details
    assert d.index.equals(graph.ids)
    assigned = d["area"].notna()
    assert d.loc[~assigned, "reason"].notna().all()
    a = p.areas
    # every area is valid, or got zones in the final reserve-list assignment
    assert (a["valid"] | a["from_reserve"]).all()
    assert (a["valid"] == (a["validity"] >= 1)).all()
    assert int(a["n_reserve"].sum()) == int((m.reserve_["area"].notna()).sum())
    # unassigned = zero list + reserve zones linked to no area
    n_left = int(m.reserve_["area"].isna().sum())
    assert (~assigned).sum() == len(m.zero_) + n_left


@pytest.fixture(scope="module")
def country():
    return rz.synthetic_country(400, seed=3)


@pytest.fixture(scope="module")
def sardinia(data_dir):
    return rz.datasets.load_sardinia(data_dir)


@pytest.fixture(scope="module")
def sardinia_fit(sardinia):
    return LabourMarketAreas(**ISTAT_2011).fit(sardinia)


class TestInvariants:
    @pytest.mark.parametrize("quirks", [True, False])
    def test_synthetic(self, country, quirks):
        m = LabourMarketAreas(**ISTAT_2011, istat_quirks=quirks).fit(country)
        _check_invariants(m, country)

    def test_deterministic(self, country):
        a = labour_market_areas(country, **ISTAT_2011)
        b = labour_market_areas(country, **ISTAT_2011)
        assert a.equals(b)

    @pytest.mark.parametrize("k", [2, 3])
    def test_flow_scaling(self, country, k):
        base = labour_market_areas(country, **ISTAT_2011)
        scaled_graph = rz.FlowGraph.from_matrix(country.matrix * k, list(country.ids))
        params = dict(
            ISTAT_2011,
            min_size=k * ISTAT_2011["min_size"],
            target_size=k * ISTAT_2011["target_size"],
        )
        scaled = labour_market_areas(scaled_graph, **params)
        assert labels(scaled) == labels(base)

    def test_input_unmodified(self, country):
        before = country.matrix.copy()
        zones = country.zones
        LabourMarketAreas(**ISTAT_2011).fit(country)
        assert (country.matrix != before).nnz == 0
        assert country.zones.equals(zones)

    def test_zones_without_flows_and_empty_graphs(self):
        zones = pd.DataFrame(index=["A", "B", "X", "Q"])
        g = graph_of(TOY2, zones=zones, extra_zones="keep")
        p = labour_market_areas(g, **TOY)
        assert p.unassigned.to_dict() == {"Q": "no commuting flow (zero list)"}
        # nothing the loop can use: every zone unassigned, no area
        lonely = labour_market_areas(graph_of([("A", "A", 5), ("B", "B", 7)]), **TOY)
        assert lonely.n_areas == 0 and len(lonely.unassigned) == 2

    def test_repr_and_params(self):
        m = LabourMarketAreas(**TOY)
        assert "min_size=100" in repr(m)
        p = m.fit(graph_of(TOY1)).partition_
        assert p.name == "ttwa" and p.params["target_sc"] == 0.75
        assert labour_market_areas(graph_of(TOY1), name="lma", **TOY).name == "lma"


class TestParameters:
    @pytest.mark.parametrize(
        "kwargs, message",
        [
            (
                dict(min_sc=0.8, target_sc=0.75),
                "The 'min_sc' parameter of LabourMarketAreas must be a float in (0, 0.75]. "
                "Got 0.8 instead.",
            ),
            (
                dict(min_size=30000, target_size=25000),
                "The 'min_size' parameter of LabourMarketAreas must be a float in (0, 25000). "
                "Got 30000 instead.",
            ),
            (dict(target_sc=1.2), "'target_sc' parameter of LabourMarketAreas"),
            (dict(min_size=-5), "'min_size' parameter"),
            (dict(target_size="big"), "'target_size' parameter"),
            (dict(istat_quirks="yes"), "'istat_quirks' parameter"),
            (dict(max_iter=0), "'max_iter' parameter"),
            (dict(contiguity="sometimes"), "'contiguity' parameter"),
        ],
    )
    def test_bad(self, kwargs, message):
        with pytest.raises(InvalidParameterError) as err:
            LabourMarketAreas(**kwargs).fit(graph_of(TOY1))
        assert message in str(err.value)

    def test_numpy_numbers_accepted(self):
        params = dict(
            min_size=np.int64(100),
            min_sc=np.float64(0.6),
            target_size=np.int64(200),
            target_sc=np.float32(0.75),
        )
        p = labour_market_areas(graph_of(TOY1), **params)
        assert labels(p) == labels(labour_market_areas(graph_of(TOY1), **TOY))

    def test_max_iter_guard(self):
        with pytest.raises(rz.RegionalizeError, match="did not converge in 1 iterations"):
            LabourMarketAreas(**TOY, max_iter=1).fit(graph_of(TOY1))


# ---------------------------------------------------------------------------- real data
class TestSardinia:
    """Istat's example data with Istat's 2011 parameters (1000, 0.6667, 10000, 0.75)."""

    def test_reference_result(self, sardinia_fit, sardinia):
        fitted = sardinia_fit
        # the reference R code (findClusters, LabourMarketAreas 3.4) on the same flows:
        # 461 iterations, 80 zones in the reserve list (59 case A, 21 case C), no zero-list
        # zone, 36 clusters after the final assignment - zone for zone the same partition
        assert fitted.n_iterations_ == 461
        assert fitted.partition_.n_areas == 36
        assert fitted.reserve_["case"].value_counts().to_dict() == {"A": 59, "C": 21}
        assert fitted.zero_.empty
        first = fitted.reserve_.iloc[0]
        assert (first.name, first["case"], first["iteration"], first["from_cluster"]) == (
            "91092",
            "A",
            1,
            179,
        )
        assert first["cluster_validity"] == pytest.approx(0.200732834544713)
        _check_invariants(fitted, sardinia)

    def test_valid_or_from_reserve(self, sardinia_fit):
        fitted = sardinia_fit
        a = fitted.partition_.areas
        assert (a["valid"] | a["from_reserve"]).all()
        assert int(a["valid"].sum()) == 35 and int(a["from_reserve"].sum()) == 21
        assert fitted.partition_.unassigned.empty
        # named after their zone with the most jobs
        assert "CAGLIARI" in set(a["name"].str.upper())

    def test_without_quirks(self, sardinia):
        m = LabourMarketAreas(**ISTAT_2011, istat_quirks=False).fit(sardinia)
        _check_invariants(m, sardinia)
        assert m.partition_.n_areas == 37

    def test_contiguity(self, sardinia):
        m = LabourMarketAreas(**ISTAT_2011, contiguity="auto").fit(sardinia)
        _check_invariants(m, sardinia)
        assert m.partition_.params["contiguity"] == "on"


class TestUSCounties:
    def test_uk_parameters(self, data_dir):
        g = rz.datasets.load_us_counties(data_dir, geometry=False)
        m = LabourMarketAreas(**UK_2011).fit(g)
        # the reference R code on the same flows: 2,426 iterations, 142 zones in the reserve
        # list, 1,193 clusters - the same partition
        assert m.n_iterations_ == 2426
        assert len(m.reserve_) == 142 and m.partition_.n_areas == 1193
        _check_invariants(m, g)
