"""Quality measures, partition comparison and grouping scenarios."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regionalize as rz
from regionalize.compare import (
    adjusted_rand_index,
    compare,
    normalized_mutual_info,
    variation_of_information,
)
from regionalize.quality import area_quality, directed_modularity, quality


@pytest.fixture
def two_towns():
    # a: 80 stay, 20 to b; b: 70 stay, 10 to a, 20 to c; c: 50 stay, 10 to b
    m = np.array([[80, 20, 0], [10, 70, 20], [0, 10, 50]], float)
    return rz.FlowGraph.from_matrix(m, ["a", "b", "c"])


class TestQuality:
    def test_area_table_by_hand(self, two_towns):
        q = area_quality(two_towns, ["X", "X", "Y"])
        # X = {a, b}: internal 80+20+10+70 = 180, residents 100+100 = 200, jobs 90+100 = 190
        x = q.loc["X"]
        assert x["internal"] == 180 and x["residents"] == 200 and x["jobs"] == 190
        assert x["sc_supply"] == pytest.approx(0.9) and x["sc_demand"] == pytest.approx(180 / 190)
        assert x["intramax"] == pytest.approx(180 / (200 * 190))
        # Y = {c}: internal 50, residents 60, jobs 70
        assert q.loc["Y", "sc_supply"] == pytest.approx(50 / 60)
        assert q.loc["Y", "sc_demand"] == pytest.approx(50 / 70)

    def test_modularity_by_hand(self, two_towns):
        # m = 260; Q = 180/260 - 200*190/260^2 + 50/260 - 60*70/260^2
        expected = 180 / 260 - 200 * 190 / 260**2 + 50 / 260 - 60 * 70 / 260**2
        assert directed_modularity(two_towns, ["X", "X", "Y"]) == pytest.approx(expected)
        # dropping the diagonal: m = 60; X keeps 30 (a->b 20, b->a 10), rows 20+30, cols 10+30
        drop = 30 / 60 - 50 * 40 / 60**2 + 0 / 60 - 10 * 20 / 60**2
        assert directed_modularity(two_towns, ["X", "X", "Y"], diagonal="drop") == pytest.approx(
            drop
        )

    def test_unassigned_are_singletons(self, two_towns):
        q = area_quality(two_towns, ["X", "X", None])
        assert list(q.index) == ["X", "(unassigned c)"]
        s = quality(two_towns, ["X", "X", None])
        assert s["areas"] == 1 and s["unassigned_zones"] == 1
        assert s["internal_share"] == pytest.approx((180 + 50) / 260)

    def test_validity_uses_ttwa(self, two_towns):
        q = area_quality(
            two_towns, ["X", "X", "Y"], min_size=100, min_sc=0.6, target_size=150, target_sc=0.8
        )
        from regionalize.methods.ttwa import validity

        assert q.loc["X", "validity"] == pytest.approx(
            validity(
                np.array([200.0]),
                np.array([190.0]),
                np.array([180.0]),
                min_size=100,
                min_sc=0.6,
                target_size=150,
                target_sc=0.8,
            )[0]
        )

    def test_no_diagonal_note(self):
        g = rz.FlowGraph.from_matrix(np.array([[0, 5], [3, 0.0]]), ["a", "b"])
        assert "no diagonal" in area_quality(g, ["X", "X"]).attrs["note"]


# ---- comparison: checked against independent, brute-force implementations
def ari_bruteforce(a, b):
    pairs = list(combinations(range(len(a)), 2))
    same_a = [a[i] == a[j] for i, j in pairs]
    same_b = [b[i] == b[j] for i, j in pairs]
    n11 = sum(x and y for x, y in zip(same_a, same_b, strict=True))
    sa, sb, total = sum(same_a), sum(same_b), len(pairs)
    expected = sa * sb / total
    maximum = (sa + sb) / 2
    return 1.0 if maximum == expected else (n11 - expected) / (maximum - expected)


def nmi_loops(a, b):
    n = len(a)
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    h_a = -sum(c / n * math.log(c / n) for c in ca.values())
    h_b = -sum(c / n * math.log(c / n) for c in cb.values())
    mi = sum(c / n * math.log((c / n) / (ca[x] / n * cb[y] / n)) for (x, y), c in cab.items())
    if h_a + h_b == 0:
        return 1.0
    return mi / ((h_a + h_b) / 2)


labelings = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=2, max_size=25)


@settings(max_examples=60, deadline=None)
@given(labelings)
def test_ari_and_nmi_match_independent_implementations(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    assert adjusted_rand_index(a, b) == pytest.approx(ari_bruteforce(a, b), abs=1e-9)
    assert normalized_mutual_info(a, b) == pytest.approx(
        min(1.0, max(0.0, nmi_loops(a, b))), abs=1e-9
    )


def test_variation_of_information():
    assert variation_of_information([1, 1, 2, 2], ["x", "x", "y", "y"]) == pytest.approx(0)
    # splitting one of two equal halves: H(A|B) = 0, H(B|A) = 0.5 * ln 2
    assert variation_of_information([1, 1, 2, 2], [1, 1, 2, 3]) == pytest.approx(0.5 * math.log(2))


def test_compare_tables_and_crosswalk(two_towns):
    ours = pd.Series({"a": "X", "b": "X", "c": "Y"})
    # the official table uses other codes for the same zones: A, B, C
    official = pd.Series({"A": "east", "B": "west", "C": "west"})
    c = compare(ours, official, graph=two_towns, crosswalk={"A": "a", "B": "b", "C": "c"})
    # X (a, b; residents 100 + 100) best matches east or west with 100 each: tie -> "east"
    assert c.areas.loc["X", "best_match"] == "east"
    assert c.areas.loc["X", "overlap"] == pytest.approx(0.5)
    # Y = {c} best matches west, where c is: only b (in X, whose match is east) differs
    assert set(c.differ.index) == {"b"}
    assert c.summary["zones"] == 3 and "ARI" in repr(c)


class TestScenarios:
    def test_pulled_member_and_suggestions(self):
        rows = [
            ("a", "a", 50),
            ("a", "b", 50),
            ("b", "b", 100),
            ("c", "c", 10),
            ("c", "d", 90),
            ("d", "d", 100),
            ("e", "e", 70),
            ("e", "a", 30),
        ]
        g = rz.FlowGraph.from_dataframe(
            pd.DataFrame(rows, columns=["origin", "destination", "flow"])
        )
        ev = rz.evaluate_grouping(g, {"G": ["a", "b", "c"]}, tau=0.2)
        m = ev.members
        # a sends 50% to b (same group); c sends 90% to d, outside: pulled
        assert m.loc["a", "share_to_group"] == pytest.approx(0.5)
        assert bool(m.loc["c", "pulled"]) and m.loc["c", "strongest_other"] == "d"
        assert ev.groups.loc["G", "pulled_members"] == 1
        # G: internal a->a 50, a->b 50, b->b 100, c->c 10 = 210 of 300 residents
        assert ev.groups.loc["G", "sc_supply"] == pytest.approx(210 / 300)
        actions = {(r.action, r.zone) for r in ev.suggestions.itertuples()}
        # drop c; add e (30% to a, nothing else outside)
        assert actions == {("drop", "c"), ("add", "e")}
        # after: {a, b, e} keeps 50+50+100+70+30 = 300 of 300
        assert ev.groups.loc["G", "sc_supply_after_suggestions"] == pytest.approx(1.0)

    def test_unknown_and_overlapping_zones(self, two_towns):
        with pytest.raises(rz.InvalidZonesError) as err:
            rz.evaluate_grouping(two_towns, {"P": ["a", "zz"], "Q": ["a"]})
        assert "ids of 'P' not in the graph (first: zz)" in str(err.value)
        assert "zones in two groups (first: a)" in str(err.value)


def test_us_cbsa_and_commuting_zone_comparison(data_dir):
    g = rz.datasets.load_us_counties(geometry=False)
    official = rz.datasets.load_us_cbsa_2013()
    official = official[official.index.isin(g.ids)]
    p = rz.metropolitan_areas(
        g,
        rz.datasets.us_cbsa_centres(official),
        tau=0.25,
        max_order=1,
        share="either",
        contiguity=None,
    )
    to_code = {a: official.loc[c[0], "cbsa"] for a, c in p.areas["centres"].items()}
    ours = p.labels.map(lambda a: None if a is None else to_code[a])
    c = compare(ours, official["cbsa"], graph=g)
    assert c.summary["ari"] > 0.9 and c.summary["overlap"] > 0.99
    cz = compare(rz.methods.commuting_zones(g), rz.datasets.load_us_commuting_zones_1990(), graph=g)
    assert 0.6 < cz.summary["ari"] < 0.8


def test_quality_of_something_else_than_a_graph_is_one_clear_error():
    g = rz.synthetic_country(60, seed=0)
    labels = rz.metropolitan_areas(g).labels
    with pytest.raises(rz.InvalidParameterError, match="must be a FlowGraph"):
        rz.quality(g.to_frame(), labels)
    with pytest.raises(rz.InvalidParameterError, match=r"vintages\.combine"):
        rz.quality(rz.Vintages({"a": g, "b": g}), labels)
    assert rz.quality(rz.Vintages({"a": g, "b": g}).combine("mean"), labels) == rz.quality(
        g, labels
    )
