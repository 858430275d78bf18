"""No silent wrong answers: zones without polygons, empty layers, mismatched ids in
comparisons, Intramax without a stop rule, and every parameter reachable (TTWA presets,
command-line parameter helpers). Hand-checked toys first, then real tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import regionalize as rz
from regionalize._cli_io import CliInputError
from regionalize._cli_params import (
    centre_rule_options,
    intramax_options,
    parse_number,
    read_centres_file,
    ttwa_options,
)
from regionalize._core import constraint as core
from regionalize.compare import compare
from regionalize.errors import InvalidParameterError, InvalidZonesError
from regionalize.methods.intramax import Intramax, intramax
from regionalize.methods.ttwa import ISTAT_2011, TTWA_PRESETS, UK_2011, LabourMarketAreas

KOREA_PARAMS = dict(
    tau=0.20,
    max_order=2,
    urban={"candidates": "city", "min_job_ratio": None},
    megaregions={"merge_threshold": 0.15},
)


def graph_of(rows, **kwargs):
    return rz.FlowGraph.from_dataframe(
        pd.DataFrame(rows, columns=["origin", "destination", "flow"]), **kwargs
    )


def squares(spans: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Unit-high boxes along a line, ``{zone: (x0, x1)}``, in metres."""
    return gpd.GeoDataFrame(
        geometry=[box(x0, 0, x1, 1) for x0, x1 in spans.values()],
        index=pd.Index(list(spans), name="zone"),
        crs="EPSG:3857",
    )


def transposed(g: rz.FlowGraph) -> rz.FlowGraph:
    """The same table read the wrong way round (rows = workplaces)."""
    return rz.FlowGraph.from_matrix(g.matrix.T.tocsr(), list(g.ids), name=g.name)


# ============================================================== 1. zones without a polygon
# W | C | E in a row; C is the centre, W and E each send 40% to C.
ROW = [("C", "C", 100), ("W", "W", 60), ("W", "C", 40), ("E", "E", 60), ("E", "C", 40)]
ROW_SHAPES = {"W": (0, 1), "C": (1, 2), "E": (2, 3)}


def test_a_centre_without_polygon_keeps_its_members():
    g = graph_of(ROW)
    full = rz.metropolitan_areas(g.with_geometry(squares(ROW_SHAPES)), ["C"], tau=0.2)
    assert full.labels.to_dict() == {"C": "C", "E": "C", "W": "C"}
    shapes = squares({z: s for z, s in ROW_SHAPES.items() if z != "C"})
    no_c = g.with_geometry(shapes, missing="keep")
    p = rz.metropolitan_areas(no_c, ["C"], tau=0.2)
    # W and E touch nothing of the area but C, whose borders are unknown: before, both were
    # "detached from its area by contiguity"; C may not cut its area in two, so they stay
    assert p.labels.to_dict() == full.labels.to_dict()
    assert p.params["no_geometry"] == ["C"] and p.no_geometry == ("C",)
    assert "1 zone without a polygon, exempt from contiguity" in repr(p)
    assert "no_geometry" not in full.params


# S | A | B | Z in a row and, far away, X | Y. S is the centre; A joins S (40%), B joins
# through A (40%, second order); X sends 40% to S but lies apart; Z and Y keep to themselves.
BRIDGE = [
    ("S", "S", 100),
    ("A", "A", 60),
    ("A", "S", 40),
    ("B", "B", 60),
    ("B", "A", 40),
    ("Z", "Z", 100),
    ("X", "X", 60),
    ("X", "S", 40),
    ("Y", "Y", 100),
]
BRIDGE_SHAPES = {"S": (0, 1), "A": (1, 2), "B": (2, 3), "Z": (3, 4), "X": (10, 11), "Y": (11, 12)}


@pytest.mark.parametrize("missing", [None, "A"])
def test_a_member_without_polygon_bridges_only_what_it_is_tied_to(missing):
    g = graph_of(BRIDGE)
    shapes = squares({z: s for z, s in BRIDGE_SHAPES.items() if z != missing})
    g = g.with_geometry(shapes, missing="keep")
    # islands kept apart, so that no added link joins B to S
    p = rz.metropolitan_areas(g, ["S"], tau=0.2, contiguity=g.build_contiguity(islands="keep"))
    # B is tied to S only through A: with A's polygon gone it still joins (A stands in for
    # the border), while X, far away, is released whether or not A has a polygon: a zone
    # without a polygon exempts itself, not its whole area
    assert p.labels.to_dict() == {"A": "S", "B": "S", "S": "S", "X": None, "Y": None, "Z": None}
    assert p.details.loc["B", "order"] == 2 and p.details.loc["B", "via"] == "A"
    assert p.unassigned["X"] == core.DETACHED
    assert p.params.get("no_geometry") == ([missing] if missing else None)


def test_stand_in_links_follow_the_attachment():
    # positions: 0 centre (no polygon), 1 first order, 2 second order through 1
    area, order, via = np.array([0, 0, 0]), np.array([0, 1, 2]), np.array([-1, 0, 1])
    rows, cols = core.stand_in_links(area, order, via, np.array([True, False, False]))
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(1, 0), (1, 0)]
    rows, cols = core.stand_in_links(area, order, via, np.array([False, True, False]))
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(1, 0), (2, 1)]


def test_korea_without_seouls_polygon_keeps_its_areas(data_dir):
    g = rz.datasets.load("korea-ktdb-sigun")
    centres = rz.datasets.KOREA_METROPOLITAN_CENTRES
    ref = rz.delineate(g, centres, **KOREA_PARAMS)
    no_seoul = g.with_geometry(g.geometry.drop(index="11"), missing="keep")
    h = rz.delineate(no_seoul, centres, **KOREA_PARAMS)
    # the same members in every layer: Seoul's polygon only ever joined its ring of
    # Gyeonggi cities to it, and the commuting ties that stand in for it do the same
    for layer in ref.layers:
        assert h[layer].labels.equals(ref[layer].labels), layer
    assert len(h["metropolitan"].members("11")) == len(ref["metropolitan"].members("11")) > 20
    assert h["metropolitan"].params["no_geometry"] == ["11"]
    assert h["urban"].params["no_geometry"] == ["11"]


# ============================================================== 2. empty layers explained
# S is a job centre (700 jobs for 500 employed residents); A and B send half their workers.
CITY = [("S", "S", 500), ("A", "A", 100), ("A", "S", 100), ("B", "B", 100), ("B", "S", 100)]


def test_centre_rule_recorded_with_the_numbers_used():
    p = rz.metropolitan_areas(graph_of(CITY), min_size=300)
    assert p.labels.to_dict() == {"A": "S", "B": "S", "S": "S"}
    rule = p.params["centre_rule"]
    assert rule["min_size"] == 300 and rule["min_size_share"] is None
    assert rule["min_job_ratio"] == 1.0 and rule["found"] == 1
    assert p.params["centre_rule_text"] == "1 centre found: at least 300 jobs and a job ratio >= 1"
    # by share: 1% of the 900 jobs
    q = rz.metropolitan_areas(graph_of(CITY))
    assert q.params["centre_rule"]["min_size"] == pytest.approx(9.0)
    assert q.params["centre_rule_text"].startswith("1 centre found: at least 9 jobs (1% of all)")
    assert (
        rz.metropolitan_areas(graph_of(CITY), ["S"]).params["centre_rule_text"] == "1 centre given"
    )
    assert q.empty_reason is None and "empty_reason" not in q.params


def test_transposed_table_says_no_centre_was_found_and_why():
    g = transposed(graph_of(CITY))
    # read the wrong way round, S has 500 jobs for 700 residents (job ratio 0.71), and A and
    # B, with a ratio of 2, have 200 jobs each: below the 300 asked for
    with pytest.warns(UserWarning, match="metropolitan: 0 areas: no centre was found") as rec:
        p = rz.metropolitan_areas(g, min_size=300)
    text = str(rec[0].message)
    assert "1 zone is that big, but none has a job ratio >= 1" in text
    assert "rows='workplace'" in text and "min_job_ratio=None" in text and "centres=" in text
    assert p.n_areas == 0
    reason = (
        "no centre was found by the centre rule (at least 300 jobs and a job ratio >= 1; "
        "1 zone is that big, but none has a job ratio >= 1)"
    )
    assert p.params["empty_reason"] == reason == p.empty_reason
    assert set(p.unassigned) == {reason}
    assert reason in repr(p)
    assert p.params["centre_rule"]["zones_big_enough"] == 1
    assert p.params["centre_rule"]["zones_with_job_ratio"] == 0


def test_every_layer_says_why_it_is_empty():
    g = transposed(graph_of(CITY))
    with pytest.warns(UserWarning, match="no centre was found"):
        metro = rz.metropolitan_areas(g, min_size=300)
    with pytest.warns(UserWarning, match="urban: 0 areas: no large urban area"):
        urban = rz.urban_areas(g, metro, min_size=300)
    assert "no small or medium-sized urban area: no centre was found" in urban.empty_reason
    with pytest.warns(UserWarning, match="megaregion: 0 areas: the metropolitan layer has 0"):
        mega = rz.megaregions(g, metro, urban)
    assert set(mega.unassigned) == {mega.empty_reason}
    # life zones from purpose flows, centres by rule: all-zero flows find none
    zero = rz.FlowGraph.from_matrix(np.zeros((3, 3)), ["a", "b", "c"])
    with pytest.warns(
        UserWarning, match="life_shop: 0 areas: no centre was found .* the flows are all zero"
    ):
        life = rz.life_zones(zero, "shop", flows=zero, population="residents")
    assert life.n_areas == 0 and life.empty_reason


def test_centres_found_but_every_area_too_small():
    # at tau 0.6 nothing joins S (50% links), and an area needs two zones
    with pytest.warns(UserWarning, match="1 of them dropped.*lower tau"):
        p = rz.metropolitan_areas(graph_of(CITY), tau=0.6, min_size=300)
    assert p.unassigned["S"] == "its area was below the minimum size"
    assert p.unassigned["A"].startswith("no area is left: every centre's area was below")


def test_delineate_warns_once_from_the_first_empty_layer():
    g = transposed(graph_of(CITY))
    with pytest.warns(UserWarning) as rec:
        h = rz.delineate(g, metropolitan={"min_size": 300}, urban={"min_size": 300})
    assert len(rec) == 1
    text = str(rec[0].message)
    assert text.startswith("delineate: metropolitan: 0 areas: no centre was found")
    assert "Empty too: urban (" in text and "megaregion (" in text
    assert set(h.params["empty_layers"]) == {"metropolitan", "urban", "megaregion"}


def test_england_and_wales_read_the_wrong_way_round(data_dir):
    g = rz.datasets.load("ew-ltla-2021")
    right = rz.metropolitan_areas(g)
    rule = right.params["centre_rule"]
    assert rule["found"] == 3 and rule["min_size_share"] == 0.01
    assert rule["min_size"] == pytest.approx(0.01 * g.jobs.sum())
    assert right.params["centre_rule_text"].startswith(
        "3 centres found: at least 276,809 jobs (1% of all) and a job ratio >= 1"
    )
    with pytest.warns(UserWarning, match="rows='workplace'") as rec:
        h = rz.delineate(transposed(g))
    assert len(rec) == 1 and "delineate: metropolitan: 0 areas" in str(rec[0].message)
    metro = h["metropolitan"]
    assert metro.n_areas == 0
    assert metro.empty_reason.startswith(
        "no centre was found by the centre rule (at least "
        "276,809 jobs (1% of all) and a job ratio >= 1;"
    )
    assert "but none has a job ratio >= 1" in metro.empty_reason
    # every zone says the real cause, not "no link at or above the threshold"
    assert set(metro.unassigned) == {metro.empty_reason}


# ============================================================== 3. compare and evaluate
def test_compare_refuses_ids_that_differ_by_leading_zeros():
    a = pd.Series(["x", "x", "y", "y"], index=["01", "02", "03", "04"])
    b = pd.Series(["p", "p", "q", "q"], index=[1, 2, 3, 4])  # codes read as numbers
    with pytest.raises(InvalidZonesError) as err:
        compare(a, b)
    text = str(err.value)
    assert "share 0 zone ids, 0% of the 4 of a and 0% of the 4 of b" in text
    assert "Only in a: 4 (first: '01', '02', '03')" in text
    assert "differ only by leading zeros (e.g. '01' and '1')" in text
    assert "crosswalk=" in text and "min_overlap=" in text


def test_compare_refuses_ids_with_a_trailing_point_zero():
    g = graph_of([("1001", "1001", 5), ("1002", "1002", 5), ("1003", "1001", 5)])
    a = pd.Series(["x", "x", "y"], index=["1001.0", "1002.0", "1003.0"])
    with pytest.raises(
        InvalidZonesError,
        match=r"a trailing '\.0' \(e\.g\. '1001\.0' and "
        r"'1001'\)",
    ):
        compare(a, pd.Series(["x", "x", "y"], index=g.ids), graph=g)


def test_compare_counts_the_overlap_and_rejects_duplicates():
    a = pd.Series(["x", "x", "y", "y"], index=["a", "b", "c", "d"])
    b = pd.Series(["p", "p", "q", "q"], index=["a", "b", "c", "e"])
    c = compare(a, b)  # 3 of 4 shared on each side: compared, and counted
    assert c.summary["zones_only_a"] == 1 and c.summary["zones_only_b"] == 1
    far = pd.Series(["p", "q"], index=["a", "z"])
    with pytest.raises(InvalidZonesError, match="25% of the 4 of a"):
        compare(a, far)
    assert compare(a, far, min_overlap=0.2).summary["zones"] == 4
    twice = pd.Series(["p", "p", "q"], index=["a", "a", "b"])
    with pytest.raises(InvalidZonesError, match="duplicated ids"):
        compare(a, twice)
    # a crosswalk that merges zones with different labels cannot choose one
    with pytest.raises(InvalidZonesError, match="different labels onto the same zone"):
        compare(
            a,
            pd.Series(["p", "q", "q", "q"], index=["A", "B", "c", "d"]),
            crosswalk={"A": "a", "B": "a"},
        )


def test_evaluate_grouping_rejects_unknown_ids_in_any_container():
    g = graph_of(CITY)
    for grouping in (
        {"G": ["S", "Q"]},
        pd.Series({"S": "G", "Q": "G"}),
        pd.DataFrame({"zone": ["S", "Q"], "group": ["G", "G"]}),
        pd.DataFrame({"group": ["G", "G"]}, index=["S", "Q"]),
    ):
        with pytest.raises(InvalidZonesError, match="not in the graph.*Q"):
            rz.evaluate_grouping(g, grouping)
    with pytest.raises(InvalidZonesError, match="zones listed twice"):
        rz.evaluate_grouping(g, pd.Series(["G", "H"], index=["S", "S"]))
    with pytest.raises(InvalidParameterError, match="one group column"):
        rz.evaluate_grouping(g, pd.DataFrame({"zone": ["S"], "g": ["G"], "h": ["H"]}))
    ok = rz.evaluate_grouping(g, pd.DataFrame({"zone": ["S", "A"], "group": ["G", "G"]}))
    assert ok.groups.loc["G", "n_zones"] == 2


# ============================================================== 4. Intramax needs a stop rule
def test_intramax_without_a_stop_rule_refuses():
    g = graph_of(CITY)
    with pytest.raises(InvalidParameterError, match="k=.*min_objective="):
        intramax(g)
    im = Intramax().fit(g)  # the dendrogram alone is fine
    assert len(im.merges_) == 2 and not hasattr(im, "partition_")
    with pytest.raises(InvalidParameterError, match="needs a stop rule"):
        im.labels_  # noqa: B018 - the access is the test
    with pytest.raises(InvalidParameterError, match="needs a stop rule"):
        im.cut()
    assert im.cut(1).n_areas == 1 and intramax(g, k=1).n_areas == 1
    assert "_graph" not in intramax(g, k=2).params  # no private state in the record


# ============================================================== 5. TTWA presets
def test_ttwa_presets_are_the_published_numbers():
    assert (
        dict(TTWA_PRESETS["uk2011"])
        == UK_2011
        == {"min_size": 3500, "min_sc": 0.6667, "target_size": 25000, "target_sc": 0.75}
    )
    assert (
        dict(TTWA_PRESETS["istat2011"])
        == ISTAT_2011
        == {"min_size": 1000, "min_sc": 0.6667, "target_size": 10000, "target_sc": 0.75}
    )
    assert rz.methods.TTWA_PRESETS is TTWA_PRESETS
    with pytest.raises(TypeError):
        TTWA_PRESETS["uk2011"]["min_size"] = 1  # type: ignore[index]


def test_ttwa_preset_and_overrides(data_dir):
    g = rz.datasets.load("brindisi-2001")
    by_name = LabourMarketAreas(preset="istat2011").fit(g).partition_
    by_numbers = LabourMarketAreas(**ISTAT_2011).fit(g).partition_
    assert by_name.labels.equals(by_numbers.labels)
    assert by_name.params["preset"] == "istat2011" and by_name.params["min_size"] == 1000
    default = rz.methods.labour_market_areas(g).params
    assert default["preset"] == "uk2011" and default["target_size"] == 25000
    mixed = LabourMarketAreas(preset="istat2011", min_size=500).fit(g).partition_.params
    assert (mixed["min_size"], mixed["target_size"]) == (500, 10000)
    assert mixed["preset_overrides"] == ["min_size"]
    with pytest.raises(InvalidParameterError, match="'preset' parameter.*uk2011"):
        LabourMarketAreas(preset="uk2021").fit(g)
    with pytest.raises(InvalidParameterError, match="preset=None needs all.*target_sc"):
        LabourMarketAreas(preset=None, min_size=1, min_sc=0.5, target_size=10).fit(g)


# ============================================================== command-line parameters
def test_centres_file_by_id_and_name(tmp_path, data_dir):
    g = rz.datasets.load("korea-ktdb-sigun")
    f = tmp_path / "centres.txt"
    f.write_text(
        "# the five metropolitan centres\nname\nSeoul\n21+Ulsan\n\nDAEGU\n24\nDaejeon + Sejong\n",
        encoding="utf-8",
    )
    centres = read_centres_file(f, g)
    assert centres == {
        "Seoul": ["11"],
        "Busan+Ulsan": ["21", "26"],
        "Daegu": ["22"],
        "Gwangju": ["24"],
        "Daejeon+Sejong": ["25", "29"],
    }
    f.write_text("Seul\nSeoul\n11\nAtlantis+Busan\n", encoding="utf-8")
    with pytest.raises(CliInputError) as err:
        read_centres_file(f, g)
    text = str(err.value)
    assert "line 1: 'Seul' is neither a zone id nor a zone name (did you mean 'Seoul'?)" in text
    assert "line 3: zone 11 (Seoul) is already a centre (line 2)" in text
    assert "line 4: 'Atlantis' is neither" in text


def test_centres_file_names_with_commas_and_plus_and_ambiguous_names(tmp_path):
    zones = pd.DataFrame(
        {"name": ["Hull, City of", "A+B Town", "Twin", "Twin"]}, index=["h", "ab", "t1", "t2"]
    )
    g = graph_of([(z, z, 1) for z in zones.index], zones=zones)
    f = tmp_path / "c.txt"
    f.write_text("Hull, City of\nA+B Town\n", encoding="utf-8")
    assert read_centres_file(f, g) == {"Hull, City of": ["h"], "A+B Town": ["ab"]}
    f.write_text("Twin\n", encoding="utf-8")
    with pytest.raises(
        CliInputError,
        match=r"'Twin' names 2 zones \(t1 Twin, t2 Twin\); give "
        "the id instead",
    ):
        read_centres_file(f, g)


def test_option_helpers():
    assert parse_number("none", "--min-job-ratio", allow_none=True) is None
    with pytest.raises(CliInputError, match="--min-size-share must be in"):
        centre_rule_options(min_size_share="1.5")
    assert centre_rule_options(min_size="50000", min_job_ratio="none") == {
        "min_size": 50000.0,
        "min_job_ratio": None,
    }
    assert ttwa_options("istat2011", target_sc="0.8") == {"preset": "istat2011", "target_sc": 0.8}
    with pytest.raises(CliInputError, match="unknown --ttwa-preset 'uk'; choose uk2011"):
        ttwa_options("uk")
    with pytest.raises(CliInputError, match="--min-size .* must be below --target-size"):
        ttwa_options("istat2011", min_size="20000")
    with pytest.raises(CliInputError, match="needs a stop rule: --k N"):
        intramax_options()
    assert intramax_options(k="5") == {"k": 5}
    with pytest.raises(CliInputError, match="--k must be a whole number"):
        intramax_options(k="2.5")


def test_compare_warns_when_some_ids_lost_their_leading_zeros():
    """Most ids match, but those that lost their zeros would silently count as unassigned:
    a warning names them and the hint."""
    ids = [f"{i:05d}" for i in range(1000, 1100)] + [f"{i:05d}" for i in range(1, 11)]
    a = pd.Series([f"A{int(z) % 7}" for z in ids], index=ids)
    b = a.copy()
    b.index = [z if not z.startswith("0000") else z.lstrip("0") for z in ids]
    with pytest.warns(UserWarning, match="leading zeros"):
        rz.compare.compare(a, b)
