"""The catalogue of bad inputs (docs/bad_inputs.md): one test per item.

Each bad input gives either one clear error (it names the problem, counts it, shows the
first examples and says how to fix it) or an explicit, documented repair recorded in
``graph.meta["repairs"]``. Nothing crashes with a bare KeyError, ValueError or GEOS error.
"""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

import regionalize as rz
from regionalize import FlowGraph, InvalidODError, InvalidParameterError, InvalidZonesError
from regionalize.errors import InsufficientMemoryError, RegionalizeError
from regionalize.methods import commuting_zones, flowbca, intramax, labour_market_areas

HEADER = "origin,destination,flow\n"
BODY = "01,01,50\n01,02,30\n02,02,80\n02,01,10\n03,02,20\n03,03,40\n"


def write(tmp_path, text: str, name: str = "od.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def assert_clear(err: Exception, *, count: str, example: str, fix: str) -> None:
    """One clear error: the problem counted, a first example, and the way out."""
    msg = str(err)
    assert isinstance(err, RegionalizeError), type(err)
    assert count in msg, msg
    assert example in msg, msg
    assert fix in msg, msg


def squares(ids, crs="EPSG:3857") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"geometry": [box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(len(ids))]},
        index=list(ids),
        crs=crs,
    )


def toy() -> FlowGraph:
    return rz.read_flows(pd.read_csv(__import__("io").StringIO(HEADER + BODY), dtype=str))


# ---------------------------------------------------------------- footers and notes
def test_footer_rows_are_an_error_naming_footer_drop(tmp_path):
    path = write(tmp_path, HEADER + BODY + "Source: Census 2020,,\nNote: * suppressed,,\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert_clear(
        err.value, count="the last 2 rows", example="'Source: Census 2020'", fix="footer='drop'"
    )


def test_footer_drop_repairs_and_records(tmp_path):
    path = write(tmp_path, HEADER + BODY + "\nTotal,,230\nSource: Census 2020\n")
    g = rz.read_flows(path, footer="drop")
    assert g.equals(toy())
    assert any("dropped 2 footer or note rows" in r for r in g.meta["repairs"])


def test_note_lines_before_the_header_suggest_skiprows(tmp_path):
    path = write(tmp_path, "Table 3. Commuting flows\n\n" + HEADER + BODY)
    with pytest.raises(InvalidODError, match="skiprows="):
        rz.read_flows(path)
    assert rz.read_flows(path, skiprows=2).equals(toy())  # the title and the blank line


def test_matrix_total_row_is_an_error_or_dropped(tmp_path):
    path = write(tmp_path, "code,01,02\n01,50,30\n02,10,80\nTotal,60,110\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_matrix(path)
    assert_clear(
        err.value, count="the last 1 rows", example="'Total, 60, 110'", fix="footer='drop'"
    )
    g = rz.read_matrix(path, footer="drop")
    assert g.matrix.toarray().tolist() == [[50, 30], [10, 80]]
    assert "dropped 1 footer" in g.meta["repairs"][0]


# ---------------------------------------------------------------- suppressed or masked cells
@pytest.mark.parametrize("marker", ["-", "*", "<3", "..", "x"])
def test_suppressed_cells_are_an_error_naming_suppressed_zero(tmp_path, marker):
    path = write(tmp_path, HEADER + BODY.replace("01,02,30", f"01,02,{marker}"))
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert_clear(
        err.value,
        count="1 non-numeric flows",
        example=f"(first: {marker})",
        fix="suppressed='zero'",
    )


def test_empty_cells_are_an_error_naming_suppressed_zero(tmp_path):
    path = write(tmp_path, HEADER + BODY.replace("01,02,30", "01,02,"))
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert_clear(err.value, count="1 NaN flows", example="01 → 02", fix="suppressed='zero'")


@pytest.mark.parametrize("marker", ["-", "*", "<3", "..", "x", ""])
def test_suppressed_zero_reads_markers_as_no_flow(tmp_path, marker):
    path = write(tmp_path, HEADER + BODY.replace("01,02,30", f"01,02,{marker}"))
    g = rz.read_flows(path, suppressed="zero")
    assert g.matrix[0, 1] == 0 and g.total == 200
    assert g.meta["repairs"] == [f"read 1 suppressed or missing flows as 0 (first: {marker!r})"]


def test_suppressed_zero_keeps_other_text_an_error(tmp_path):
    path = write(tmp_path, HEADER + BODY.replace("01,02,30", "01,02,thirty"))
    with pytest.raises(InvalidODError, match=r"1 non-numeric flows \(first: thirty\)"):
        rz.read_flows(path, suppressed="zero")


def test_suppressed_cells_in_a_wide_matrix(tmp_path):
    path = write(tmp_path, "code,01,02\n01,50,-\n02,<5,80\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_matrix(path)
    assert_clear(
        err.value, count="2 non-numeric cells", example="(first: ", fix="suppressed='zero'"
    )
    g = rz.read_matrix(path, suppressed="zero")
    assert g.matrix.toarray().tolist() == [[50, 0], [0, 80]]
    assert "read 2 suppressed or missing cells as 0" in g.meta["repairs"][0]


# ---------------------------------------------------------------- encodings
def test_korean_cp949_error_names_the_encoding(tmp_path):
    text = "origin,destination,flow\n서울,서울,5\n서울,부산,3\n부산,부산,7\n"
    path = write(tmp_path, text, encoding="cp949")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert "Cannot decode od.csv as UTF-8" in str(err.value)
    assert "encoding='cp949'" in str(err.value)
    assert rz.read_flows(path, encoding="cp949").ids.tolist() == ["부산", "서울"]
    assert rz.read_flows(path, encoding="euc-kr").ids.tolist() == ["부산", "서울"]


def test_encoding_auto_detects_and_records(tmp_path):
    kr = write(tmp_path, "origin,destination,flow\n서울,부산,3\n", "kr.csv", "cp949")
    it = write(tmp_path, "origin,destination,flow\nAlà,Forlì,3\n", "it.csv", "latin-1")
    g = rz.read_flows(kr, encoding="auto")
    assert g.ids.tolist() == ["부산", "서울"] and g.meta["encoding"] == "cp949"
    assert "decoded kr.csv as cp949" in g.meta["repairs"][0]
    g = rz.read_flows(it, encoding="auto")
    assert g.ids.tolist() == ["Alà", "Forlì"] and g.meta["encoding"] == "cp1252"
    assert "encoding" not in rz.read_flows(write(tmp_path, HEADER + BODY), encoding="auto").meta


def test_italian_latin1_error_names_the_encoding(tmp_path):
    path = write(tmp_path, "origin,destination,flow\nCittà,Città,3\n", encoding="latin-1")
    with pytest.raises(InvalidODError, match="pass encoding='cp1252'.*encoding='auto'"):
        rz.read_flows(path)
    assert rz.read_flows(path, encoding="latin-1").ids.tolist() == ["Città"]


def test_utf8_byte_order_mark_is_dropped(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + BODY)
    assert rz.read_flows(path).equals(toy())


def test_unknown_encoding_name(tmp_path):
    path = write(tmp_path, HEADER + BODY)
    with pytest.raises(InvalidODError, match="Unknown encoding 'klingon'"):
        rz.read_flows(path, encoding="klingon")


# ---------------------------------------------------------------- ids
def test_ids_that_lost_leading_zeros_repaired_with_id_width(tmp_path):
    path = write(tmp_path, "origin,destination,flow\n1001,1001,5\n1001,6037,3\n")
    df = pd.read_csv(path)  # read as numbers: the zeros are gone
    assert rz.read_flows(df, id_width=5).ids.tolist() == ["01001", "06037"]


def test_ids_that_lost_leading_zeros_against_the_zone_table_say_id_width():
    df = pd.DataFrame({"origin": [1001, 1001], "destination": [1001, 6037], "flow": [5, 3]})
    zones = pd.DataFrame({"population": [10, 20]}, index=["01001", "06037"])
    with pytest.raises(InvalidODError) as err:
        FlowGraph.from_dataframe(df, zones=zones)
    assert_clear(
        err.value,
        count="2 origin/destination ids not in the zone table",
        example="1001",
        fix="pass id_width=5",
    )
    assert FlowGraph.from_dataframe(df, zones=zones, id_width=5).n_zones == 2


def test_ids_too_large_or_infinite_for_codes():
    df = pd.DataFrame({"origin": [1e30, 2.0], "destination": [2.0, np.inf], "flow": [1, 2]})
    with pytest.raises(InvalidZonesError) as err:
        FlowGraph.from_dataframe(df)
    assert_clear(
        err.value, count="1 numeric ids too large or infinite", example="1e+30", fix="dtype=str"
    )


def test_ids_differ_between_flows_and_polygons():
    g = toy()
    shapes = squares(["01", "02", "99"])
    with pytest.raises(InvalidZonesError) as err:
        g.with_geometry(shapes)
    assert_clear(err.value, count="1 layer ids not in the graph", example="99", fix="extra='drop'")
    assert "1 graph zones without geometry (first: 03)" in str(err.value)
    assert "missing='keep'" in str(err.value)
    repaired = g.with_geometry(shapes, extra="drop", missing="keep")
    assert repaired.geometry.geometry.isna().tolist() == [False, False, True]
    assert any("dropped 1 zone-layer rows" in r for r in repaired.meta["repairs"])
    assert any("1 zones have no geometry" in r for r in repaired.meta["repairs"])


def test_ids_differ_from_polygons_by_leading_zeros_say_id_width():
    g = toy()
    with pytest.raises(InvalidZonesError, match="differ only by leading zeros.*id_width=2"):
        g.with_geometry(squares(["1", "2", "3"]))


# ---------------------------------------------------------------- duplicated and contradicting rows
def test_duplicated_rows_counted_as_exact_or_contradicting():
    df = pd.DataFrame(
        {
            "origin": ["01", "01", "01", "02", "02"],
            "destination": ["02", "02", "01", "01", "01"],
            "flow": [30, 30, 50, 10, 12],
        }
    )
    with pytest.raises(InvalidODError) as err:
        FlowGraph.from_dataframe(df)
    assert_clear(
        err.value,
        count="2 duplicated origin-destination pairs",
        example="01 → 02",
        fix="duplicates='drop_identical'",
    )
    assert "1 are exact (same flow) and 1 contradict" in str(err.value)


def test_duplicates_drop_identical_keeps_one_and_rejects_contradictions():
    exact = pd.DataFrame(
        {"origin": ["01", "01", "02"], "destination": ["02", "02", "02"], "flow": [30, 30, 80]}
    )
    g = FlowGraph.from_dataframe(exact, duplicates="drop_identical")
    assert g.matrix[0, 1] == 30 and g.total == 110
    assert g.meta["repairs"] == [
        "dropped 1 exact repeats of origin-destination rows (same pair, same flow)"
    ]
    clash = exact.assign(flow=[30, 31, 80])
    with pytest.raises(InvalidODError) as err:
        FlowGraph.from_dataframe(clash, duplicates="drop_identical")
    assert_clear(err.value, count="1 contradicting rows", example="01 → 02", fix="duplicates='sum'")


def test_duplicated_column_names():
    df = pd.DataFrame([["01", "02", 3, 4]], columns=["origin", "destination", "flow", "flow"])
    with pytest.raises(InvalidODError, match=r"1 column names used twice \('flow'\)"):
        FlowGraph.from_dataframe(df)


# ---------------------------------------------------------------- zones and flows
def test_zones_only_as_origins_or_only_as_destinations():
    # 03 only sends, 04 only receives: both are zones; the long table needs no padding
    df = pd.DataFrame(
        {"origin": ["01", "01", "03"], "destination": ["01", "04", "01"], "flow": [5, 2, 3]}
    )
    g = FlowGraph.from_dataframe(df)
    assert g.ids.tolist() == ["01", "03", "04"]
    assert g.jobs.tolist() == [8, 0, 2] and g.residents.tolist() == [7, 3, 0]
    # a wide matrix with a column that has no row is an error saying how to pad it
    wide = pd.DataFrame({"01": [5, 3], "04": [2, 0]}, index=["01", "03"])
    with pytest.raises(InvalidODError) as err:
        FlowGraph.from_matrix(wide)
    assert_clear(
        err.value,
        count="1 row ids missing from the columns",
        example="03",
        fix="add all-zero rows/columns",
    )


def test_zero_flow_zones_are_unassigned_with_a_reason():
    zones = pd.DataFrame({"population": [1, 2, 3, 4]}, index=["01", "02", "03", "04"])
    g = FlowGraph.from_dataframe(toy().to_frame(), zones=zones, extra_zones="keep")
    assert g.isolates.tolist() == ["04"]
    h = rz.delineate(g, ["02"])
    for layer in h.layers:
        assert h[layer].labels["04"] is None
        assert h[layer].unassigned["04"]
    for method in (labour_market_areas, flowbca, commuting_zones):
        p = method(g)
        assert p.labels["04"] is None and p.unassigned["04"], method.__name__
    with pytest.raises(InvalidODError, match="zone-table ids with no flow.*extra_zones='keep'"):
        FlowGraph.from_dataframe(toy().to_frame(), zones=zones)


def test_all_zero_flows_give_an_empty_result_layer(tmp_path):
    m = np.zeros((3, 3))
    g = FlowGraph.from_matrix(m, ["01", "02", "03"], geometry=squares(["01", "02", "03"]))
    with pytest.warns(UserWarning, match="no zone has any jobs: the flows are all zero"):
        h = rz.delineate(g)
    assert [h[layer].n_areas for layer in h.layers] == [0, 0, 0]
    assert h["metropolitan"].unassigned.notna().all()
    # an empty layer still writes (zones table with empty labels, empty area layer)
    h.to_gpkg(tmp_path / "empty.gpkg")
    h.to_csv(tmp_path / "csv")
    h.to_parquet(tmp_path / "pq")
    back = gpd.read_file(tmp_path / "empty.gpkg", layer="metropolitan_areas")
    assert len(back) == 0
    assert h.summary("metropolitan").empty


def test_disconnected_graph_each_part_on_its_own():
    # two separate labour markets, no flow between them
    m = np.array([[50, 30, 0, 0], [10, 80, 0, 0], [0, 0, 60, 20], [0, 0, 15, 70]], float)
    g = FlowGraph.from_matrix(m, ["a1", "a2", "b1", "b2"])
    h = rz.delineate(g, ["a2", "b1"], tau=0.1)
    labels = h["metropolitan"].labels
    assert labels["a1"] == labels["a2"] != labels["b1"] == labels["b2"]
    for p in (flowbca(g), labour_market_areas(g, min_size=10, target_size=100), commuting_zones(g)):
        lab = p.labels  # no area reaches across the two parts
        assert not {lab["a1"], lab["a2"]} & {lab["b1"], lab["b2"]}, p.name
    # asking Intramax for fewer regions than there are parts says so, and gives the parts
    with pytest.warns(UserWarning, match="cannot reach k=1 regions: the flows form 2 groups"):
        p = intramax(g, k=1)
    assert p.n_areas == 2


def test_island_polygon_follows_the_islands_policy():
    ids = ["01", "02", "03"]
    shapes = gpd.GeoDataFrame(
        {"geometry": [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(5000, 0, 6000, 1000)]},
        index=ids,
        crs="EPSG:3857",
    )
    m = np.array([[50, 30, 0], [10, 80, 0], [0, 40, 60]], float)
    g = FlowGraph.from_matrix(m, ids, geometry=shapes)
    keep = rz.build_contiguity(shapes, islands="keep")
    assert keep.islands == ("03",)
    with pytest.raises(InvalidZonesError, match="03"):
        rz.build_contiguity(shapes, islands="error")
    # with the default contiguity the island (linked to its nearest zone) still joins
    h = rz.delineate(g, ["02"], tau=0.1)
    assert h["metropolitan"].labels.tolist() == ["02", "02", "02"]


# ---------------------------------------------------------------- parameters
def test_centres_not_in_the_data():
    with pytest.raises(InvalidZonesError) as err:
        rz.delineate(toy(), ["02", "99", "1"])
    assert_clear(
        err.value,
        count="2 centre ids not in the graph",
        example="99, 1",
        fix="Use zone ids of the graph",
    )


@pytest.mark.parametrize("value", [0, -0.1, 1.5, float("nan"), "0.1", None])
@pytest.mark.parametrize(
    "call",
    [
        lambda g, v: rz.delineate(g, ["02"], tau=v),
        lambda g, v: rz.metropolitan_areas(g, ["02"], tau=v),
        lambda g, v: rz.urban_areas(g, tau=v),
        lambda g, v: rz.delineate(g, ["02"], megaregions={"threshold": v}),
        lambda g, v: flowbca(g, q=v) if v is not None else flowbca(g, q=2.0),
        lambda g, v: (
            labour_market_areas(g, target_sc=v)
            if v is not None
            else labour_market_areas(g, target_sc=1.5)
        ),  # None: the preset's target_sc
        lambda g, v: commuting_zones(g, cutoff=v),
        lambda g, v: rz.methods.functional_urban_areas(g, ["02"], tau=v),
    ],
    ids=[
        "delineate",
        "metropolitan",
        "urban",
        "megaregion",
        "flowbca",
        "ttwa",
        "commuting_zones",
        "fua",
    ],
)
def test_thresholds_outside_zero_one(call, value, request):
    if value == 0 and "commuting_zones" in request.node.name:
        pytest.skip("cutoff is a height in [0, 1] of the dendrogram: 0 (all apart) is valid")
    with pytest.raises(InvalidParameterError, match=r"parameter of \w+ must be a float in"):
        call(toy(), value)


# ---------------------------------------------------------------- geometry
def test_invalid_geometry_repaired_with_make_valid_and_recorded():
    bowtie = Polygon([(1000, 0), (2000, 1000), (2000, 0), (1000, 1000)])
    shapes = squares(["01", "02", "03"])
    shapes.loc["02", "geometry"] = bowtie
    g = toy().with_geometry(shapes)
    assert g.geometry.geometry.is_valid.all()
    assert (
        "repaired 1 invalid geometries with shapely.make_valid (first: 02: "
        "Self-intersection" in g.meta["repairs"][0]
    )
    h = rz.delineate(g, ["02"])  # GEOS no longer fails on the dissolve
    assert h.dissolve("metropolitan").geometry.is_valid.all()


def test_missing_geometry_is_an_error_or_kept_empty():
    shapes = squares(["01", "02"])
    with pytest.raises(InvalidZonesError) as err:
        toy().with_geometry(shapes)
    assert_clear(
        err.value, count="1 graph zones without geometry", example="03", fix="missing='keep'"
    )
    g = toy().with_geometry(shapes, missing="keep")
    assert g.geometry.geometry.isna().tolist() == [False, False, True]
    h = rz.delineate(g, ["02"])
    assert h.to_geodataframe().geometry.isna().sum() == 1


def test_geometry_without_crs_or_in_another_crs():
    shapes = squares(["01", "02", "03"])
    with pytest.raises(InvalidZonesError, match="missing CRS.*set_crs"):
        toy().with_geometry(shapes.set_crs(None, allow_override=True))
    with pytest.raises(InvalidZonesError, match=re.escape("gdf.to_crs('EPSG:4326')")):
        toy().with_geometry(shapes, crs="EPSG:4326")
    g = toy().with_geometry(shapes.to_crs("EPSG:4326"), crs="EPSG:4326")
    assert g.crs == "EPSG:4326"
    assert g.to_crs("EPSG:3857").crs == "EPSG:3857"


# ---------------------------------------------------------------- files that are not tables
def test_empty_or_header_only_files(tmp_path):
    with pytest.raises(InvalidODError, match="Cannot read empty.csv as a CSV table"):
        rz.read_flows(write(tmp_path, "", "empty.csv"))
    with pytest.raises(InvalidODError, match=r"the table is empty \(0 rows\)"):
        rz.read_flows(write(tmp_path, HEADER, "header.csv"))


def test_unparseable_csv_and_corrupt_parquet(tmp_path):
    with pytest.raises(InvalidODError, match="Cannot read quote.csv as a CSV table.*sep="):
        rz.read_flows(write(tmp_path, HEADER + '"01,01,5\n', "quote.csv"))
    with pytest.raises(InvalidODError, match="Cannot read bad.parquet as Parquet"):
        rz.read_flows(write(tmp_path, "not parquet", "bad.parquet"))


def test_flows_whose_totals_overflow():
    df = pd.DataFrame({"origin": ["a", "a"], "destination": ["a", "b"], "flow": [1e308, 1e308]})
    with pytest.raises(InvalidODError, match=r"1 zones whose flow totals overflow \(first: a\)"):
        FlowGraph.from_dataframe(df)


# ---------------------------------------------------------------- resources
def test_wide_matrix_too_large_for_memory(tmp_path, monkeypatch):
    path = write(tmp_path, "code,01,02\n01,50,30\n02,10,80\n")
    with pytest.raises(InsufficientMemoryError) as err:
        rz.read_matrix(path, memory_limit=10)
    assert "dense 2 x 2 array" in str(err.value) and "read_flows" in str(err.value)
    assert isinstance(err.value, MemoryError)
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "10")
    with pytest.raises(InsufficientMemoryError, match="REGIONALIZE_MEMORY_LIMIT=off"):
        rz.read_matrix(path)
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "off")
    assert rz.read_matrix(path).n_zones == 2


def test_average_linkage_too_large_for_memory(monkeypatch):
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "16")
    with pytest.raises(InsufficientMemoryError, match="CommutingZones.*Aggregate the zones"):
        commuting_zones(toy())


def test_memory_limit_values(monkeypatch):
    from regionalize._memory import check_dense

    with pytest.raises(InvalidParameterError, match="Cannot read the memory limit 'lots'"):
        check_dense(2, 2, what="x", memory_limit="lots")
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "1kB")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_dense(10, 10, what="x")  # 800 bytes fit in 1 kB
    with pytest.raises(InsufficientMemoryError):
        check_dense(20, 20, what="x")


def test_duplicates_with_margins_of_error():
    """Regression (found by tests/test_fuzz.py): repeated pairs with a margin-of-error column
    crashed with "output array is read-only" instead of the duplicates error."""
    df = pd.DataFrame(
        {
            "origin": ["01", "01", "01"],
            "destination": ["02", "02", "02"],
            "flow": [5.0, 5.0, 5.0],
            "moe": [1.0, 1.0, 2.0],
        }
    )
    with pytest.raises(
        InvalidODError,
        match="2 duplicated origin-destination pairs.*1 are exact .* and 1 contradict",
    ):
        FlowGraph.from_dataframe(df, moe="moe")
    with pytest.raises(InvalidODError, match="1 contradicting rows"):
        FlowGraph.from_dataframe(df, moe="moe", duplicates="drop_identical")


def test_wide_parquet_matrix_checked_before_reading(tmp_path):
    frame = pd.DataFrame({"code": ["01", "02"], "01": [50.0, 10.0], "02": [30.0, 80.0]})
    frame.to_parquet(tmp_path / "m.parquet", index=False)
    with pytest.raises(InsufficientMemoryError, match=r"read_matrix \(m.parquet\)"):
        rz.read_matrix(tmp_path / "m.parquet", memory_limit=16)
    assert rz.read_matrix(tmp_path / "m.parquet").matrix.toarray().tolist() == [[50, 30], [10, 80]]


def test_a_text_column_passed_as_flow_is_not_called_a_footer(tmp_path):
    path = write(tmp_path, "origin,destination,name,flow\n01,02,Alpha,5\n02,01,Beta,3\n")
    with pytest.raises(InvalidODError, match=r"2 non-numeric flows \(first: Alpha, Beta\)"):
        rz.read_flows(path, flow="name")
