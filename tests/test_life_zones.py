"""Life zones: accessibility and flow builders, minimum-population merges, indicators."""

from __future__ import annotations

import inspect
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import regionalize as rz
from regionalize.errors import InvalidODError, InvalidZonesError
from regionalize.layers.life_zone_tools import accessibility, combine_life_zones
from regionalize.layers.life_zones import LifeZones


@pytest.fixture
def line():
    # five zones on a line, 1 m apart (x = 0..4), populations 100, 50, 30, 20, 10
    ids = ["a", "b", "c", "d", "e"]
    rows = [(z, z, 10) for z in ids] + [("b", "a", 5), ("d", "e", 5)]
    g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination", "flow"]))
    zones = pd.DataFrame({"population": [100, 50, 30, 20, 10]}, index=ids)
    geo = gpd.GeoDataFrame(geometry=[Point(x, 0) for x in range(5)], index=ids, crs="EPSG:3857")
    return g.with_zones(zones).with_geometry(geo)


def facilities(rows):
    return pd.DataFrame(rows, columns=["zone", "service", "capacity"])


class TestAccessibilityBuilder:
    def test_nearest_with_capacity_tie_break(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        p = rz.life_zones(line, "hospital", facilities=fac)
        # c (x=2) is 2 m from both: the larger hospital (e, capacity 20) wins the tie
        assert p.labels.to_dict() == {"a": "a", "b": "a", "c": "e", "d": "e", "e": "e"}
        assert p.name == "life_hospital"
        assert p.details.loc["c", "via"] == "e" and p.details.loc["e", "role"] == "centre"

    def test_equal_capacity_tie_goes_to_zone_order(self, line):
        fac = facilities([("e", "hospital", 10), ("a", "hospital", 10)])
        assert rz.life_zones(line, "hospital", facilities=fac).labels["c"] == "a"

    def test_huff_probabilities(self, line):
        fac = facilities([("a", "shop", 10), ("e", "shop", 10)])
        p = rz.life_zones(line, "shop", facilities=fac, assignment="huff", decay=math.log(2))
        # b: attraction a = 10 * 2^-1 = 5, e = 10 * 2^-3 = 1.25 -> P(a) = 5 / 6.25 = 0.8
        assert p.details.loc["b", "share"] == pytest.approx(0.8)
        assert p.labels["b"] == "a" and p.labels["d"] == "e"

    def test_minimum_population_merge(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 10)])
        # catchments: a = {a, b, c} (180 people), e = {d, e} (30): e is below 100 and merges
        # into the only other catchment; both hospitals become centres of one life zone
        p = rz.life_zones(line, "hospital", facilities=fac, min_population=100)
        assert set(p.labels) == {"a+e"}
        area = p.areas.loc["a+e"]
        assert area["centres"] == ("a", "e") and area["merged_centres"] == ("e",)
        assert area["population"] == 210 and area["name"] == "a"
        assert p.details.loc["d", "via"] == "e"  # d still reaches its own hospital

    def test_max_cost_leaves_zones_unassigned_with_a_reason(self, line):
        fac = facilities([("a", "library", 1)])
        p = rz.life_zones(line, "library", facilities=fac, max_cost=2.5)
        assert p.labels.to_dict() == {"a": "a", "b": "a", "c": "a", "d": None, "e": None}
        assert p.unassigned.to_dict() == {
            "d": "no centre of this service within reach",
            "e": "no centre of this service within reach",
        }

    def test_cost_table(self, line):
        # travel times: e is a fast 1 minute from everyone, a is 10 minutes
        costs = pd.DataFrame(
            [(z, c, 1.0 if c == "e" else 10.0) for z in "abcde" for c in "ae"],
            columns=["origin", "destination", "cost"],
        )
        fac = facilities([("a", "school", 1), ("e", "school", 1)])
        p = rz.life_zones(line, "school", facilities=fac, costs=costs)
        assert p.labels.to_dict() == {"a": "a", "b": "e", "c": "e", "d": "e", "e": "e"}

    def test_nesting_in_urban_areas(self, line):
        # an upper layer putting a, b in one area and c, d, e in another
        urban = rz.metropolitan_areas(line, ["a", "e"], tau=0.3, contiguity=None)
        assert urban.labels.to_dict() == {"a": "a", "b": "a", "c": None, "d": "e", "e": "e"}
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 10)])
        p = rz.life_zones(line, "hospital", facilities=fac, within=urban)
        # c is outside both urban areas and there is no hospital outside them
        assert p.labels["c"] is None
        assert p.unassigned["c"] == "no centre of this service in its urban area"

    def test_nesting_finds_a_far_centre_of_the_own_area(self, line):
        # with k=1 the nearest hospital of b is a (1 m), but b is put in e's area: it must
        # still find e (3 m away), the only hospital of its own area
        areas = pd.DataFrame(
            {
                "area": ["A", "E", None, "E", "E"],
                "role": ["centre", "member", "unassigned", "member", "centre"],
                "order": pd.array([0, 1, None, 1, 0], dtype="Int64"),
                "share": np.nan,
                "strength": np.nan,
                "via": None,
                "reason": [None, None, "test", None, None],
            },
            index=list("abcde"),
        )
        table = pd.DataFrame(
            {"name": ["A", "E"], "centres": [("a",), ("e",)], "kind": "urban", "n_zones": [1, 3]},
            index=["A", "E"],
        )
        upper = rz.Partition("urban", list("abcde"), areas, table)
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 10)])
        p = rz.life_zones(line, "hospital", facilities=fac, within=upper, k=1)
        assert p.labels["b"] == "e" and p.details.loc["b", "via"] == "e"


class TestBadInput:
    def test_facilities_in_unknown_zones(self, line):
        fac = facilities([("a", "hospital", 10), ("zz", "hospital", 5), ("yy", "hospital", 1)])
        with pytest.raises(
            InvalidZonesError, match=r"2 facilities in zones not in the graph \(first: zz, yy\)"
        ):
            rz.life_zones(line, "hospital", facilities=fac)

    def test_service_without_centre(self, line):
        fac = facilities([("a", "hospital", 10)])
        with pytest.raises(
            InvalidZonesError, match="service 'school' has no facility .*services present: hospital"
        ):
            rz.life_zones(line, "school", facilities=fac)

    def test_negative_and_missing_costs(self, line):
        costs = pd.DataFrame(
            {"origin": ["b", "c"], "destination": ["a", "a"], "cost": [-1.0, np.nan]}
        )
        fac = facilities([("a", "hospital", 10)])
        with pytest.raises(InvalidODError) as err:
            rz.life_zones(line, "hospital", facilities=fac, costs=costs)
        assert "1 negative costs (first: b → a)" in str(err.value)
        assert "1 missing costs (first: c → a)" in str(err.value)

    def test_negative_capacity(self, line):
        with pytest.raises(InvalidZonesError, match="1 facilities with a missing or negative"):
            rz.life_zones(line, "hospital", facilities=facilities([("a", "hospital", -3)]))

    def test_needs_facilities_or_flows(self, line):
        with pytest.raises(rz.InvalidParameterError, match="needs facilities="):
            LifeZones("hospital").fit(line)


class TestFlowBuilder:
    def test_design_toy_with_population_merge(self):
        rows = [
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
        flows = rz.FlowGraph.from_dataframe(
            pd.DataFrame(rows, columns=["origin", "destination", "flow"])
        )
        pop = pd.DataFrame(
            {"population": [200, 100, 100, 150, 300, 1000]}, index=["A", "B", "C", "D", "E", "S"]
        )
        g = flows.with_zones(pop)
        fac = facilities([("S", "commute", 1), ("E", "commute", 1)])
        p = rz.life_zones(g, "commute", flows=flows, facilities=fac, tau=0.05, max_order=2)
        # the same memberships as the network-constraint toy
        assert p.labels.to_dict() == {"A": "S", "B": "S", "C": None, "D": "E", "E": "E", "S": "S"}
        merged = rz.life_zones(
            g, "commute", flows=flows, facilities=fac, tau=0.05, max_order=2, min_population=500
        )
        # E's catchment {E, D} has 450 people: it merges into S's (the only other catchment)
        assert set(merged.labels.dropna()) == {"E+S"}
        # named after the centre of the catchment that absorbed the other (equal capacities)
        assert merged.areas.loc["E+S", "name"] == "S"
        assert merged.areas.loc["E+S", "merged_centres"] == ("E",)
        assert merged.areas.loc["E+S", "population"] == 1750


def test_accessibility_indicators_by_hand(line):
    fac = facilities([("a", "hospital", 10), ("e", "hospital", 10)])
    zones, summary = accessibility(line, fac, "hospital", desert_cost=1.5)
    # nearest costs: a 0, b 1, c 2, d 1, e 0 (metres)
    assert zones["cost"].tolist() == [0, 1, 2, 1, 0]
    assert zones["desert"].tolist() == [False, False, True, False, False]
    # population-weighted mean: (100*0 + 50*1 + 30*2 + 20*1 + 10*0) / 210 = 130 / 210
    assert summary["mean_cost"] == pytest.approx(130 / 210)
    assert summary["desert_share"] == pytest.approx(30 / 210)
    assert summary["population_per_centre"] == pytest.approx(105)
    assert summary["population_per_capacity"] == pytest.approx(210 / 20)
    assert summary["median_cost"] == 0.0  # 110 of 210 people live at cost 0 (a and e)


def test_great_circle_distances():
    # two zones one degree of latitude apart on a meridian: 111.2 km
    g = rz.FlowGraph.from_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]), ["n", "s"])
    geo = gpd.GeoDataFrame(
        geometry=[Point(10, 46), Point(10, 45)], index=["n", "s"], crs="EPSG:4326"
    )
    g = g.with_geometry(geo).with_zones(pd.DataFrame({"population": [1, 1]}, index=["n", "s"]))
    zones, _ = accessibility(g, facilities([("n", "x", 1)]), "x")
    assert zones.loc["s", "cost"] == pytest.approx(111_195, rel=1e-3)


def test_combined_layer_groups_zones_sharing_most_centres():
    # four zones in a row with three services:
    #   service 1: {p, q} {r, s};  service 2: {p, q, r} {s};  service 3: {p} {q, r, s}
    ids = ["p", "q", "r", "s"]
    g = rz.FlowGraph.from_matrix(np.eye(4), ids).with_geometry(
        gpd.GeoDataFrame(
            geometry=[box(i, 0, i + 1, 1) for i in range(4)], index=ids, crs="EPSG:3857"
        )
    )

    def layer(name, groups):
        labels = {z: min(grp) for grp in groups for z in grp}
        d = pd.DataFrame(
            {
                "area": [labels[z] for z in ids],
                "role": ["centre" if labels[z] == z else "member" for z in ids],
                "order": pd.array([0 if labels[z] == z else 1 for z in ids], dtype="Int64"),
                "share": np.nan,
                "strength": np.nan,
                "via": None,
                "reason": None,
            },
            index=ids,
        )
        areas = pd.DataFrame(
            {
                "name": [min(grp) for grp in groups],
                "centres": [(min(grp),) for grp in groups],
                "kind": "life zone",
                "n_zones": [len(grp) for grp in groups],
            },
            index=[min(grp) for grp in groups],
        )
        return rz.Partition(name, ids, d, areas)

    s1 = layer("s1", [{"p", "q"}, {"r", "s"}])
    s2 = layer("s2", [{"p", "q", "r"}, {"s"}])
    s3 = layer("s3", [{"p"}, {"q", "r", "s"}])
    combined = combine_life_zones(g, [s1, s2, s3])
    # patterns: p (p,p,p), q (p,p,q), r (r,p,q), s (r,s,q); all of one zone, so visited in
    # zone order. p is the first seed; q agrees with p in s1 and s2 (2 of 3): joins p.
    # r agrees with p only in s2: a new seed. s agrees with r in s1 and s3: joins r.
    # (r also agrees with q in 2 services, but q is not a seed: no chaining.)
    assert combined.labels.to_dict() == {"p": "p", "q": "p", "r": "r", "s": "r"}
    strict = combine_life_zones(g, [s1, s2, s3], min_shared=3)
    # no two zones agree in all three services: every zone on its own
    assert strict.n_areas == 4


def test_side_by_side_layers_in_a_hierarchy(line):
    fac = facilities(
        [
            ("a", "hospital", 10),
            ("e", "hospital", 20),
            ("a", "school", 1),
            ("c", "school", 1),
            ("e", "school", 1),
        ]
    )
    metro = rz.metropolitan_areas(line, ["a", "e"], tau=0.3, contiguity=None)
    h = rz.Hierarchy(line, [metro])
    hospital = rz.life_zones(line, "hospital", facilities=fac)
    school = rz.life_zones(line, "school", facilities=fac)
    h2 = h.with_layers(hospital, school, params={"services": ["hospital", "school"]})
    assert h2.layers == ("metropolitan", "life_hospital", "life_school")
    assert h2.params["services"] == ["hospital", "school"]
    # the two services are never compared with each other, only with the layer above:
    # hospital e serves c, d, e (c is outside the metropolitan areas); school c serves c and
    # d (d ties between schools c and e: zone order) - both straddle, both are reported
    n = h2.nesting().set_index(["lower", "area"])
    assert set(n["upper"]) == {"metropolitan"}
    assert n.loc[("life_hospital", "e"), "upper_labels"] == ("e", None)
    assert n.loc[("life_school", "c"), "upper_labels"] == ("e", None)  # tie: assigned first
    assert "life_school" in h2.to_frame().columns


@pytest.fixture(scope="module")
def korea_life(data_dir):
    from pathlib import Path

    from regionalize.datasets import KOREA_METROPOLITAN_CENTRES

    g = rz.datasets.load_korea_ktdb()
    fac = pd.read_csv(
        Path(__file__).parents[1] / "examples" / "data" / "korea_illustrative_facilities.csv",
        dtype={"zone": str},
    )
    h = rz.delineate(
        g,
        KOREA_METROPOLITAN_CENTRES,
        tau=0.20,
        max_order=2,
        urban={"candidates": "city", "min_job_ratio": None},
    )
    commuting = rz.life_zones(
        g,
        "commuting",
        flows=g,
        tau=0.10,
        max_order=2,
        within=h["urban"],
        population="residents",
        min_population=50_000,
    )
    hospital = rz.life_zones(
        g, "hospital", facilities=fac, population="residents", min_population=300_000
    )
    return g, h.with_layers(commuting, hospital), fac


def test_korea_service_layers_nest_or_are_reported(korea_life):
    g, h, fac = korea_life
    n = h.nesting()
    # commuting life zones were built inside the urban areas: no crossing
    assert n[(n["lower"] == "life_commuting") & (n["upper"] == "urban")].empty
    # hospital catchments ignore urban boundaries: every crossing is listed, with its labels
    crossings = n[(n["lower"] == "life_hospital") & (n["upper"] == "urban")]
    assert len(crossings) > 0
    assert crossings["upper_labels"].map(len).min() >= 2
    # every zone is in every layer; hospital catchments all reach the minimum (or say so)
    hosp = h["life_hospital"]
    assert hosp.details["area"].notna().all()
    assert ((hosp.areas["population"] >= 300_000) | hosp.areas["below_minimum"]).all()
    assert {z for a in hosp.areas.index for z in a.split("+")} <= set(
        fac.loc[fac["service"] == "hospital", "zone"]
    )
    gdf = h.to_geodataframe()
    assert {"life_commuting", "life_hospital", "urban"} <= set(gdf.columns)
    assert gdf.crs is not None and len(gdf) == 159


# ---------------------------------------------------------------- data go to fit, not __init__
DATA = ("flows", "facilities", "costs", "within")


def same_partition(a, b):
    assert a.name == b.name
    assert a.details.equals(b.details)
    assert a.areas.equals(b.areas)
    assert a.params == b.params


class TestDataInFit:
    def test_parameters_only_in_the_signature_and_get_params(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        names = LifeZones.param_names()
        assert names == [
            "service",
            "assignment",
            "decay",
            "k",
            "max_cost",
            "min_population",
            "population",
            "tau",
            "max_order",
            "share",
            "contiguity",
            "classes",
            "name",
        ]
        new = LifeZones("hospital", k=3).fit(line, facilities=fac)
        with pytest.warns(FutureWarning):
            old = LifeZones("hospital", k=3, facilities=fac, costs=None)
        for est in (new, old.fit(line)):
            assert list(est.get_params()) == names
            assert not set(DATA) & set(vars(est))  # data kept under no name of its own
            assert repr(est) == "LifeZones(service='hospital', k=3)"
        assert not set(DATA) & set(new.partition_.params)
        assert set(inspect.signature(LifeZones.fit).parameters) == {"self", "graph", *DATA}

    def test_old_form_warns_once_with_the_rewrite(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        with pytest.warns(FutureWarning) as record:
            LifeZones("hospital", facilities=fac)
        assert len(record) == 1
        assert str(record[0].message) == (
            "Passing data to LifeZones() is deprecated and will stop working in a future "
            "release: LifeZones() takes parameters only, the data (facilities) go to fit(). "
            "Rewrite LifeZones('hospital', facilities=facilities).fit(graph) as "
            "LifeZones('hospital').fit(graph, facilities=facilities)."
        )
        assert record[0].filename == __file__  # points at the caller, not at regionalize
        # several data keywords and other parameters: still one warning, the exact rewrite
        with pytest.warns(FutureWarning) as record:
            LifeZones("commuting", within=None, tau=0.05, flows=line, min_population=50)
        assert len(record) == 1
        assert (
            "Rewrite LifeZones('commuting', min_population=50, tau=0.05, flows=flows, "
            "within=within).fit(graph) as LifeZones('commuting', min_population=50, "
            "tau=0.05).fit(graph, flows=flows, within=within)."
        ) in str(record[0].message)

    def test_old_form_gives_the_new_result_on_a_toy(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        urban = rz.metropolitan_areas(line, ["a", "e"], tau=0.3, contiguity=None)
        costs = np.abs(np.arange(5.0)[:, None] - np.arange(5.0))
        new = LifeZones("hospital", min_population=60).fit(
            line, facilities=fac, costs=costs, within=urban
        )
        with pytest.warns(FutureWarning):
            old = LifeZones(
                "hospital", min_population=60, facilities=fac, costs=costs, within=urban
            )
        same_partition(old.fit(line).partition_, new.partition_)
        # the data given to __init__ are used by every fit; a data argument of fit only
        # by that fit
        same_partition(old.fit(line).partition_, new.partition_)
        with pytest.raises(rz.InvalidParameterError, match="needs facilities="):
            new.fit(line)

    def test_both_given_is_an_error_naming_the_keyword(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        urban = rz.metropolitan_areas(line, ["a", "e"], tau=0.3, contiguity=None)
        costs = np.abs(np.arange(5.0)[:, None] - np.arange(5.0))
        data = {"flows": line, "facilities": fac, "costs": costs, "within": urban}
        for keyword, value in data.items():
            with pytest.warns(FutureWarning):
                est = LifeZones("hospital", **{keyword: value})
            with pytest.raises(rz.InvalidParameterError) as err:
                est.fit(line, **{keyword: value})
            assert f"'{keyword}'" in str(err.value)
            assert "given twice" in str(err.value) and "fit() only" in str(err.value)

    def test_data_given_as_none_in_init_is_not_given(self, line):
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        with pytest.warns(FutureWarning):
            est = LifeZones("hospital", facilities=None)
        same_partition(
            est.fit(line, facilities=fac).partition_,
            LifeZones("hospital").fit(line, facilities=fac).partition_,
        )

    @pytest.mark.parametrize("keyword", ["facility", "flow", "graph", "data", "tua"])
    def test_unknown_keyword_is_an_invalid_parameter_error(self, keyword):
        with pytest.raises(rz.InvalidParameterError) as err:
            LifeZones("hospital", **{keyword: 1})
        text = str(err.value)
        assert f"no parameter {keyword!r}" in text
        assert "service, assignment, decay, k, max_cost, min_population, population" in text
        assert "the data (flows, facilities, costs, within) go to fit()" in text
        if keyword == "facility":
            assert "Did you mean 'facilities'?" in text

    def test_unknown_keyword_with_data_does_not_warn(self):
        # the error comes first: no FutureWarning for a call that fails anyway
        with pytest.raises(rz.InvalidParameterError, match="no parameter 'tua'"):
            LifeZones("hospital", facilities=facilities([("a", "hospital", 1)]), tua=0.2)

    def test_twin_equals_the_class(self, line):
        fac = facilities([("a", "shop", 10), ("c", "shop", 5), ("e", "shop", 20)])
        params = {"assignment": "huff", "decay": math.log(2), "min_population": 60, "k": 2}
        same_partition(
            rz.life_zones(line, "shop", facilities=fac, **params),
            LifeZones("shop", **params).fit(line, facilities=fac).partition_,
        )
        twin = inspect.signature(rz.life_zones).parameters
        assert not any(p.kind is p.VAR_KEYWORD for p in twin.values())
        init = inspect.signature(LifeZones).parameters
        for name in LifeZones.param_names()[1:]:
            assert twin[name].default is init[name].default, name
        assert {"graph", "service", *DATA} | set(LifeZones.param_names()) == set(twin)

    def test_fit_data_of_the_wrong_kind_raise_only_regionalize_errors(self, line):
        # the data left the __init__ signature (fuzzed in test_parameters): fuzz them here
        fac = facilities([("a", "hospital", 10), ("e", "hospital", 20)])
        bad_values = ["a", -1, float("nan"), [1], np.array([1, 2]), object(), 10**30]
        escaped = []
        for keyword in DATA:
            for bad in bad_values:
                try:
                    LifeZones("hospital").fit(line, **{"facilities": fac, keyword: bad})
                except rz.RegionalizeError:
                    pass
                except Exception as exc:  # noqa: BLE001 - what the test looks for
                    escaped.append(f"fit({keyword}={bad!r}): {type(exc).__name__}: {exc}")
        assert not escaped, "\n".join(escaped)


def test_korea_old_form_warns_and_gives_the_same_layers(korea_life):
    g, h, fac = korea_life
    urban = h["urban"]
    with pytest.warns(FutureWarning) as record:
        old = LifeZones(
            "commuting",
            flows=g,
            tau=0.10,
            max_order=2,
            within=urban,
            population="residents",
            min_population=50_000,
        )
    assert len(record) == 1
    assert (
        "Rewrite LifeZones('commuting', min_population=50000, population='residents', "
        "max_order=2, flows=flows, within=within).fit(graph) as "
        "LifeZones('commuting', min_population=50000, population='residents', "
        "max_order=2).fit(graph, flows=flows, within=within)."
    ) in str(record[0].message)
    new = LifeZones(
        "commuting", tau=0.10, max_order=2, population="residents", min_population=50_000
    ).fit(g, flows=g, within=urban)
    same_partition(old.fit(g).partition_, new.partition_)
    same_partition(new.partition_, h["life_commuting"])  # the twin, in the fixture
    with pytest.warns(FutureWarning) as record:
        old = LifeZones("hospital", facilities=fac, population="residents", min_population=300_000)
    assert len(record) == 1
    new = LifeZones("hospital", population="residents", min_population=300_000).fit(
        g, facilities=fac
    )
    same_partition(old.fit(g).partition_, new.partition_)
    same_partition(new.partition_, h["life_hospital"])
    assert list(old.get_params()) == list(new.get_params()) == LifeZones.param_names()
