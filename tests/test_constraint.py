"""The network-constraint core and the layers built on it, on hand-checked toys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize._core import constraint as core
from regionalize._core.shares import link_components
from regionalize.contiguity import Contiguity
from regionalize.errors import InvalidParameterError, InvalidZonesError

# The toy of DESIGN.md section 2 (share = F / R incl. diagonal):
#   S: S->S 900, S->A 60, S->E 40                R_S = 1000
#   A: A->A 130, A->S 60 (30%), A->B 10           R_A = 200
#   B: B->B 81, B->A 15 (15%), B->S 4 (4%)        R_B = 100
#   C: C->C 89, C->B 8 (8%), C->S 3 (3%)          R_C = 100
#   E: E->E 280, E->S 20                          R_E = 300
#   D: D->D 110, D->E 40 (26.7%)                  R_D = 150
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


def graph_of(rows, **kwargs):
    return rz.FlowGraph.from_dataframe(
        pd.DataFrame(rows, columns=["origin", "destination", "flow"]), **kwargs
    )


@pytest.fixture
def toy():
    return graph_of(DESIGN_TOY)


def labels(partition):
    return {k: v for k, v in partition.labels.items()}


class TestDesignToy:
    @pytest.mark.parametrize("tau", [0.05, 0.10])
    def test_five_and_ten_percent(self, toy, tau):
        p = rz.metropolitan_areas(toy, ["S", "E"], tau=tau, max_order=2)
        # A -> S first order (30%); B -> S through A (second order, 15%); D -> E (26.7%);
        # C would be third order through B (8%) and is left out by the cap (at 10%: 8% < 10%).
        assert labels(p) == {"A": "S", "B": "S", "C": None, "D": "E", "E": "E", "S": "S"}
        d = p.details
        assert d.loc["A", "order"] == 1 and d.loc["B", "order"] == 2 and d.loc["D", "order"] == 1
        assert d.loc["B", "via"] == "A" and d.loc["A", "via"] == "S"
        assert d.loc["A", "share"] == pytest.approx(0.30)
        assert d.loc["B", "share"] == pytest.approx(0.15)
        # strength classes: 30% and 26.7% reach the 20% class, 15% the 10% class
        assert d.loc["A", "strength"] == 0.20 and d.loc["D", "strength"] == 0.20
        assert d.loc["B", "strength"] == 0.10
        assert d.loc["S", "role"] == "centre" and d.loc["S", "order"] == 0

    def test_twenty_percent(self, toy):
        p = rz.metropolitan_areas(toy, ["S", "E"], tau=0.20, max_order=2)
        # only the direct links A -> S (30%) and D -> E (26.7%) pass; B -> A is 15%
        assert labels(p) == {"A": "S", "B": None, "C": None, "D": "E", "E": "E", "S": "S"}
        assert p.unassigned.to_dict() == {"B": core.BELOW, "C": core.BELOW}

    def test_reason_for_the_order_cap(self, toy):
        p = rz.metropolitan_areas(toy, ["S", "E"], tau=0.05, max_order=2)
        assert p.unassigned.to_dict() == {"C": core.ORDER_CAP}

    def test_no_cap_reaches_third_order(self, toy):
        p = rz.metropolitan_areas(toy, ["S", "E"], tau=0.05, max_order=None)
        assert p.labels["C"] == "S"
        assert p.details.loc["C", ["order", "via"]].tolist() == [3, "B"]

    def test_threshold_is_inclusive(self, toy):
        # A sends exactly 30% to S
        assert rz.metropolitan_areas(toy, ["S"], tau=0.30, max_order=1).labels["A"] == "S"
        assert rz.metropolitan_areas(toy, ["S"], tau=0.3001, max_order=1).labels["A"] is None

    def test_every_zone_accounted_for(self, toy):
        p = rz.metropolitan_areas(toy, ["S", "E"], tau=0.20, max_order=2)
        d = p.details
        assert set(d.index) == set(toy.ids)
        assert (d["area"].notna() | d["reason"].notna()).all()
        assert p.areas["n_zones"].sum() == d["area"].notna().sum()


class TestRules:
    def test_polycentric_core_sums_shares(self):
        # X sends 6% to P and 6% to Q: 12% to the core {P, Q}, but only 6% to each alone
        rows = [("P", "P", 100), ("Q", "Q", 100), ("X", "X", 88), ("X", "P", 6), ("X", "Q", 6)]
        g = graph_of(rows)
        assert rz.metropolitan_areas(g, [["P", "Q"]], tau=0.10).labels["X"] == "P+Q"
        assert rz.metropolitan_areas(g, ["P", "Q"], tau=0.10).labels["X"] is None
        named = rz.metropolitan_areas(g, {"Twin": ["Q", "P"]}, tau=0.10)
        assert named.areas.loc["P+Q", "name"] == "Twin"
        assert named.areas.loc["P+Q", "centres"] == ("P", "Q")

    def test_ties_go_to_zone_order_whatever_the_row_order(self):
        # X sends 20% to each of two centres: the first in zone order (B before C) wins
        rows = [("B", "B", 10), ("C", "C", 10), ("X", "X", 60), ("X", "B", 20), ("X", "C", 20)]
        g = graph_of(rows)
        assert rz.metropolitan_areas(g, ["C", "B"], tau=0.1).labels["X"] == "B"
        g2 = graph_of(list(reversed(rows)))
        assert rz.metropolitan_areas(g2, ["B", "C"], tau=0.1).labels["X"] == "B"

    def test_largest_share_wins_conflicts(self):
        rows = [("B", "B", 10), ("C", "C", 10), ("X", "X", 50), ("X", "B", 20), ("X", "C", 30)]
        assert rz.metropolitan_areas(graph_of(rows), ["B", "C"], tau=0.1).labels["X"] == "C"

    def test_strict_dominance_at_higher_orders(self):
        # Y's largest flow (30%) goes to U, which never attaches; 20% goes to A (attached)
        rows = [
            ("S", "S", 100),
            ("A", "A", 50),
            ("A", "S", 50),
            ("U", "U", 100),
            ("Y", "Y", 50),
            ("Y", "U", 30),
            ("Y", "A", 20),
        ]
        g = graph_of(rows)
        strict = rz.metropolitan_areas(g, ["S"], tau=0.10)
        assert strict.labels["Y"] is None
        assert strict.unassigned["Y"] == core.NOT_DOMINANT
        loose = rz.metropolitan_areas(g, ["S"], tau=0.10, dominance="targets")
        assert loose.labels["Y"] == "S" and loose.details.loc["Y", "order"] == 2

    def test_first_order_dominance_is_among_centres(self):
        # X sends more to the non-centre U (47%) than to centre S (36%): S still takes it
        rows = [("S", "S", 100), ("U", "U", 100), ("X", "X", 17), ("X", "U", 47), ("X", "S", 36)]
        assert rz.metropolitan_areas(graph_of(rows), ["S"], tau=0.2).labels["X"] == "S"

    def test_share_rules(self):
        # X: 50 stay, 25 go to S, 25 elsewhere. Residents share 25%, out-commuter share 50%.
        rows = [("S", "S", 100), ("O", "O", 100), ("X", "X", 50), ("X", "S", 25), ("X", "O", 25)]
        g = graph_of(rows)
        assert rz.metropolitan_areas(g, ["S"], tau=0.4).labels["X"] is None
        assert rz.metropolitan_areas(g, ["S"], tau=0.4, share="outcommuters").labels["X"] == "S"
        # demand side: S residents hold 100 of the 100 jobs in T -> T depends on S
        rows = [("S", "S", 100), ("S", "T", 100), ("T", "T", 0), ("T", "S", 1)]
        g = graph_of(rows + [("T", "O", 50), ("O", "O", 10)])
        assert rz.metropolitan_areas(g, ["S"], tau=0.5, share="residents").labels["T"] is None
        assert rz.metropolitan_areas(g, ["S"], tau=0.5, share="jobs").labels["T"] == "S"
        assert rz.metropolitan_areas(g, ["S"], tau=0.5, share="either").labels["T"] == "S"

    def test_either_sums_each_side_over_the_core(self):
        # X's residents: 15% to P and 15% to Q -> 30% supply share to {P, Q}
        rows = [("P", "P", 100), ("Q", "Q", 100), ("X", "X", 70), ("X", "P", 15), ("X", "Q", 15)]
        g = graph_of(rows)
        assert rz.metropolitan_areas(g, [["P", "Q"]], tau=0.25, share="either").labels["X"] == "P+Q"

    def test_auto_share_without_diagonal_uses_outcommuters(self, toy):
        off = graph_of([r for r in DESIGN_TOY if r[0] != r[1]])
        m = rz.MetropolitanAreas(["S", "E"], tau=0.5).fit(off)
        assert m.partition_.params["share"] == "outcommuters"
        # A sends 60 of its 70 out-trips to S (86%)
        assert m.labels_["A"] == "S"

    def test_no_flows_reason(self):
        rows = [("S", "S", 10), ("A", "S", 5)]
        zones = pd.DataFrame({"p": [1, 1, 1]}, index=["S", "A", "Z"])
        g = graph_of(rows, zones=zones, extra_zones="keep")
        p = rz.metropolitan_areas(g, ["S"], tau=0.1)
        assert p.unassigned["Z"] == core.NO_FLOWS

    def test_rule_found_centres(self, toy):
        # jobs: S 987, E 360, A 205, D 110, B 99, C 89; job ratios: S 0.987 (< 1), E 1.2,
        # A 1.025. With min_size 300 and no job-ratio rule: S, then E (E sends 6.7% to S,
        # below 10%, so it is not attached to S).
        m = rz.MetropolitanAreas(tau=0.10, min_size=300, min_job_ratio=None).fit(toy)
        assert sorted(m.partition_.areas.index) == ["E", "S"]
        # with the job-ratio rule S is no centre (it has fewer jobs than workers)
        m = rz.MetropolitanAreas(tau=0.10, min_size=300).fit(toy)
        assert list(m.partition_.areas.index) == ["E"]
        # E sends 6.7% to S: a merge threshold of 5% makes one polycentric core
        m = rz.MetropolitanAreas(tau=0.10, min_size=300, min_job_ratio=None, merge_tau=0.05).fit(
            toy
        )
        assert list(m.partition_.areas.index) == ["E+S"]

    def test_groups_are_not_crossed(self, toy):
        res = core.attach(
            link_components(toy, "residents")[0],
            [np.array([4])],
            0.05,
            groups=np.array([0, 1, 1, 0, 0, 0]),
        )  # ids: A B C D E S
        # S (position 5) is the centre; A is in another group than S and stays out
        assert res.area[0] == -1 and res.reason[0] == core.BELOW


class TestContiguity:
    # A line of zones 0-1-2-3 and a zone 4 adjacent only to 3; centre 0.
    # Zone 4 sends 50% to the centre but is not adjacent to any member unless 3 joins.
    def line(self, with_3):
        rows = [
            ("0", "0", 100),
            ("1", "1", 50),
            ("1", "0", 50),
            ("2", "2", 50),
            ("2", "1", 50),
            ("3", "3", 100 if not with_3 else 40),
            ("4", "4", 50),
            ("4", "0", 50),
        ]
        if with_3:
            rows.append(("3", "2", 60))
        g = graph_of(rows)
        adj = sp.csr_array(
            (np.ones(8), ([0, 1, 1, 2, 2, 3, 3, 4], [1, 0, 2, 1, 3, 2, 4, 3])), shape=(5, 5)
        )
        return g, Contiguity.from_sparse(adj, list(g.ids))

    def test_detached_member_is_released(self):
        g, c = self.line(with_3=False)
        p = rz.metropolitan_areas(g, ["0"], tau=0.3, contiguity=c)
        assert labels(p) == {"0": "0", "1": "0", "2": "0", "3": None, "4": None}
        assert p.unassigned["4"] == core.DETACHED
        free = rz.metropolitan_areas(g, ["0"], tau=0.3, contiguity=None)
        assert free.labels["4"] == "0"

    def test_connected_through_a_member_is_kept(self):
        g, c = self.line(with_3=True)
        assert rz.metropolitan_areas(g, ["0"], tau=0.3, contiguity=c).labels["4"] == "0"

    def test_released_zone_attaches_elsewhere(self):
        # two centres: 0 (left) and 5 (right of 4). 4 prefers 0 (50%) but touches only 5 (30%)
        rows = [
            ("0", "0", 100),
            ("1", "1", 50),
            ("1", "0", 50),
            ("4", "4", 20),
            ("4", "0", 50),
            ("4", "5", 30),
            ("5", "5", 100),
        ]
        g = graph_of(rows)
        adj = sp.csr_array((np.ones(4), ([0, 1, 2, 3], [1, 0, 3, 2])), shape=(4, 4))  # 0-1, 4-5
        c = Contiguity.from_sparse(adj, list(g.ids))
        p = rz.metropolitan_areas(g, ["0", "5"], tau=0.25, contiguity=c)
        assert p.labels["4"] == "5"
        assert p.details.loc["4", "share"] == pytest.approx(0.30)

    def test_enclave_absorbed_unless_on_the_edge(self):
        # a 3x3 grid; the centre cell "c" has no flows to anyone but is surrounded by area X
        ids = [f"{r}{q}" for r in "abc" for q in "123"]
        rows = [(z, z, 10) for z in ids] + [(z, "a1", 40) for z in ids if z not in ("a1", "b2")]
        g = graph_of(rows)
        pos = {z: i for i, z in enumerate(g.ids)}
        pairs = []
        for r in range(3):
            for q in range(3):
                if q < 2:
                    pairs.append((f"{'abc'[r]}{q + 1}", f"{'abc'[r]}{q + 2}"))
                if r < 2:
                    pairs.append((f"{'abc'[r]}{q + 1}", f"{'abc'[r + 1]}{q + 1}"))
        i = [pos[a] for a, b in pairs] + [pos[b] for a, b in pairs]
        j = [pos[b] for a, b in pairs] + [pos[a] for a, b in pairs]
        adj = sp.csr_array((np.ones(len(i)), (i, j)), shape=(9, 9))
        comps = link_components(g, "residents")[0]
        res = core.attach_contiguous(comps, [np.array([pos["a1"]])], 0.5, adj)
        assert res.area[pos["b2"]] == 0 and res.role[pos["b2"]] == "enclave"
        # the same zone on the outer edge of the region is not enclosed
        exterior = np.zeros(9, bool)
        exterior[pos["b2"]] = True
        res = core.attach_contiguous(comps, [np.array([pos["a1"]])], 0.5, adj, exterior=exterior)
        assert res.area[pos["b2"]] == -1


class TestInvariants:
    def test_flow_scaling_changes_nothing(self, toy):
        scaled = graph_of([(o, d, 7 * f) for o, d, f in DESIGN_TOY])
        a = rz.metropolitan_areas(toy, ["S", "E"], tau=0.05, max_order=2)
        b = rz.metropolitan_areas(scaled, ["S", "E"], tau=0.05, max_order=2)
        assert a.equals(b)

    def test_relabelling_ids_changes_only_ids(self, toy):
        relabel = {z: f"zone-{z}" for z in toy.ids}
        g2 = graph_of([(relabel[o], relabel[d], f) for o, d, f in DESIGN_TOY])
        a = rz.metropolitan_areas(toy, ["S", "E"], tau=0.05, max_order=2).labels
        b = rz.metropolitan_areas(g2, [relabel["S"], relabel["E"]], tau=0.05, max_order=2).labels
        assert {relabel[k]: (relabel[v] if v else None) for k, v in a.items()} == b.to_dict()

    def test_deterministic_and_input_unmodified(self, toy):
        before = toy.matrix.copy()
        runs = [rz.metropolitan_areas(toy, ["S", "E"], tau=0.05) for _ in range(3)]
        assert all(r.equals(runs[0]) for r in runs)
        assert (toy.matrix != before).nnz == 0


class TestBadParameters:
    @pytest.mark.parametrize("tau", [0, -0.1, 1.5, "0.1"])
    def test_tau_range(self, toy, tau):
        with pytest.raises(
            InvalidParameterError,
            match=r"'tau' parameter of MetropolitanAreas must be a float in "
            r"\(0, 1\]",
        ):
            rz.metropolitan_areas(toy, ["S"], tau=tau)

    def test_max_order(self, toy):
        with pytest.raises(InvalidParameterError, match="'max_order' parameter"):
            rz.metropolitan_areas(toy, ["S"], max_order=0)

    def test_unknown_and_repeated_centres(self, toy):
        with pytest.raises(InvalidZonesError) as err:
            rz.metropolitan_areas(toy, ["S", "Q", ["E", "S"]])
        assert "1 centre ids not in the graph (first: Q)" in str(err.value)
        assert "1 zones given as centres more than once (first: S)" in str(err.value)


class TestUrbanAndMegaregions:
    @pytest.fixture
    def country(self):
        # Metropolis M with belt A (first order) and B (second order, through A);
        # town T with villages V (40%) and W (5%: too weak); lone town L.
        rows = [
            ("M", "M", 1000),
            ("A", "A", 50),
            ("A", "M", 50),
            ("B", "B", 50),
            ("B", "A", 50),
            ("T", "T", 200),
            ("T", "M", 10),
            ("V", "V", 60),
            ("V", "T", 40),
            ("W", "W", 95),
            ("W", "T", 5),
            ("L", "L", 100),
            ("L", "T", 1),
        ]
        return graph_of(rows)

    def test_large_and_small_urban_areas(self, country):
        metro = rz.metropolitan_areas(country, ["M"], tau=0.2)
        assert labels(metro) == {
            "A": "M",
            "B": "M",
            "L": None,
            "M": "M",
            "T": None,
            "V": None,
            "W": None,
        }
        urban = rz.urban_areas(country, metro, tau=0.2, centres=["T", "L"], min_zones=2)
        # the large urban area is M with its direct belt A; B (second order) is beyond it
        assert labels(urban) == {
            "A": "M",
            "B": None,
            "L": None,
            "M": "M",
            "T": "T",
            "V": "T",
            "W": None,
        }
        assert urban.areas["kind"].to_dict() == {"M": "large urban", "T": "small/medium urban"}
        # L had no zone attached: its area is dissolved, with a reason
        assert urban.unassigned["L"] == "its area was below the minimum size"
        strict = rz.urban_areas(country, metro, tau=0.2, centres=["T"], within_metropolitan=False)
        assert strict.unassigned["B"] == "in a metropolitan area beyond its direct commuting belt"

    def test_megaregion_by_interchange(self, country):
        metro = rz.metropolitan_areas(country, ["M"], tau=0.2)
        urban = rz.urban_areas(country, metro, tau=0.2, centres=["T"])
        # T+V send 10 of 310 workers to M (3%): below 15%, they stay apart; at 2% they join
        apart = rz.megaregions(country, metro, urban, threshold=0.15, include_unassigned=False)
        assert apart.labels["T"] is None
        joined = rz.megaregions(country, metro, urban, threshold=0.02, include_unassigned=False)
        assert joined.labels["T"] == joined.labels["V"] == "M"
        given = rz.megaregions(
            country, metro, urban, groups={"North": ["M", "A", "B"], "South": ["T", "V"]}
        )
        assert given.areas["name"].tolist() == ["North", "South"]
        with pytest.raises(InvalidZonesError, match="split between megaregions"):
            rz.megaregions(country, metro, urban, groups={"X": ["M", "A"], "Y": ["B"]})


def test_dominant_flow_tree(toy):
    p = rz.dominant_flows(toy)
    # inflows: S 80, A 75, E 40, B 18, C 0, D 0. Largest outflows: A->S, B->A, C->B, D->E,
    # E->S, S->A (A is smaller than S: S is a centre). So everything drains to S.
    assert set(p.labels) == {"S"}
    d = p.details
    assert d.loc["C", "order"] == 3 and d.loc["C", "via"] == "B"
    assert d.loc["E", "via"] == "S" and d.loc["S", "role"] == "centre"


class TestClusteredCores:
    # A row of zones: P and Q (touching) are a city centre cut in two; each has 60 jobs,
    # below min_size 100, together 120. R touches Q and is a suburb tied to Q (50%); S and T
    # are villages sending 40% of their workers to P and Q.
    @pytest.fixture
    def city(self):
        rows = [
            ("P", "P", 50),
            ("Q", "Q", 40),
            ("P", "Q", 5),
            ("Q", "P", 5),
            ("R", "R", 10),
            ("R", "Q", 10),
            ("S", "S", 30),
            ("S", "P", 20),
            ("T", "T", 30),
            ("T", "Q", 20),
        ]
        g = graph_of(rows)
        order = list(g.ids)  # P Q R S T
        pairs = [("S", "P"), ("P", "Q"), ("Q", "R"), ("R", "T")]
        i = [order.index(a) for a, b in pairs] + [order.index(b) for a, b in pairs]
        j = [order.index(b) for a, b in pairs] + [order.index(a) for a, b in pairs]
        adj = sp.csr_array((np.ones(len(i)), (i, j)), shape=(5, 5))
        return g, Contiguity.from_sparse(adj, order)

    def test_touching_job_rich_zones_form_one_core(self, city):
        g, c = city
        # jobs: P 50+5+20 = 75, Q 5+40+10+20 = 75; neither reaches 100, together 150
        with pytest.warns(UserWarning, match="cluster_cores=True"):
            zone_rule = rz.metropolitan_areas(g, tau=0.3, min_size=100, contiguity=c)
        assert zone_rule.n_areas == 0
        clustered = rz.metropolitan_areas(
            g, tau=0.3, min_size=100, contiguity=c, cluster_cores=True
        )
        assert clustered.areas["centres"].tolist() == [("P", "Q")]
        # R (tied to Q at 50%) is a suburb, not part of the core; S and T attach at 40%
        assert clustered.labels.to_dict() == {
            "P": "P+Q",
            "Q": "P+Q",
            "R": "P+Q",
            "S": "P+Q",
            "T": "P+Q",
        }
        assert clustered.details.loc["R", "role"] == "member"

    def test_clustering_needs_contiguity(self, city):
        g, _ = city
        with pytest.raises(InvalidZonesError, match="cluster_cores=True needs contiguity"):
            rz.metropolitan_areas(g, tau=0.3, min_size=100, contiguity=None, cluster_cores=True)


def test_estimator_repr_and_params():
    m = rz.MetropolitanAreas({"Twin": ["P", "Q"]}, tau=0.2, max_order=2)
    assert repr(m) == "MetropolitanAreas(centres={'Twin': ['P', 'Q']}, tau=0.2, max_order=2)"
    assert repr(rz.UrbanAreas()) == "UrbanAreas()"
    assert m.get_params()["tau"] == 0.2 and "partition_" not in m.get_params()
