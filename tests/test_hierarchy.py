"""Hierarchy: access, nesting, per-area summaries, tables, geometry and writers."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from _toys import FLOWS, IDS, NAMES, hand_partition, squares
from shapely.geometry import box

import regionalize
from regionalize import FlowGraph, InvalidZonesError
from regionalize.errors import InvalidParameterError
from regionalize.hierarchy import Hierarchy
from regionalize.io import writers
from regionalize.partition import Partition

# ---------------------------------------------------------------------------- the toy
# Eight zones in a row of 1 km squares (EPSG:3857), "01" at x = 0 .. 1000, "08" at the end.
POPULATION = [1000, 500, 300, 200, 800, 400, 250, 150]
# residents (row sums):  01 110, 02 75, 03 40, 04 20, 05 90, 06 50, 07 30, 08 25  (total 440)
# jobs (column sums):    01 140, 02 50, 03 30, 04 10, 05 115, 06 40, 07 35, 08 20 (total 440)


def flows_frame(diagonal: bool = True) -> pd.DataFrame:
    df = pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"])
    return df if diagonal else df[df.origin != df.destination]


def zone_table() -> pd.DataFrame:
    return pd.DataFrame({"name": NAMES, "population": POPULATION}, index=IDS)


def make_graph(*, diagonal=True, geometry=True, zones=True) -> FlowGraph:
    return FlowGraph.from_dataframe(
        flows_frame(diagonal),
        zones=zone_table() if zones else None,
        geometry=squares() if geometry else None,
    )


def make_partition(name, members, centres, names, ids=IDS) -> Partition:
    """A Partition document written by hand: centres have order 0, other members order 1."""
    return hand_partition(name, members, centres, ids, names=names, params={"threshold": 0.1})


def metropolitan(ids=IDS) -> Partition:
    # M1 = 01 02 03 (centre 01), M2 = 05 06 (two centres); 04, 07, 08 unassigned
    return make_partition(
        "metropolitan",
        {"M1": ["01", "02", "03"], "M2": ["05", "06"]},
        {"M1": ("01",), "M2": ("05", "06")},
        {"M1": "Alpha metro", "M2": "Epsilon-Zeta metro"},
        ids=ids,
    )


def urban() -> Partition:
    # U1 = 01 02 inside M1, U2 = 05 inside M2, U3 = 07 08 outside all metropolitan areas
    # (nested: "unassigned" is a label of its own); 03, 04, 06 unassigned
    return make_partition(
        "urban",
        {"U1": ["01", "02"], "U2": ["05"], "U3": ["07", "08"]},
        {"U1": ("01",), "U2": ("05",), "U3": ("07",)},
        {"U1": "Alpha", "U2": "Epsilon", "U3": "Eta"},
    )


def bad() -> Partition:
    # B1 = 03 04 05 straddles M1 (03), no metro (04) and M2 (05); in the urban layer it is
    # split between unassigned (03, 04) and U2 (05). B2 = 01 02 nests everywhere.
    return make_partition(
        "bad",
        {"B1": ["03", "04", "05"], "B2": ["01", "02"]},
        {"B1": ("04",), "B2": ("01",)},
        {"B1": "Delta", "B2": "Alpha"},
    )


@pytest.fixture(scope="module")
def graph():
    return make_graph()


@pytest.fixture(scope="module")
def h(graph):
    return Hierarchy(graph, [metropolitan(), urban()], params={"tau": 0.1, "orders": [1, 2]})


@pytest.fixture(scope="module")
def h_bad(graph):
    return Hierarchy(graph, [metropolitan(), urban(), bad()])


# ---------------------------------------------------------------------------- access
class TestAccess:
    def test_layers_and_containers(self, h, graph):
        assert h.layers == ("metropolitan", "urban")
        assert len(h) == 2
        assert list(h) == ["metropolitan", "urban"]
        assert "urban" in h and "life_zones" not in h and 3 not in h
        assert h.graph is graph
        assert isinstance(h["urban"], Partition) and h["urban"].name == "urban"

    def test_unknown_layer_lists_the_layers(self, h):
        with pytest.raises(KeyError, match="'metropolitan', 'urban'"):
            h["life_zones"]

    def test_area_name(self, h):
        assert h.area_name("metropolitan", "M2") == "Epsilon-Zeta metro"
        with pytest.raises(KeyError, match="no area 'M9'"):
            h.area_name("metropolitan", "M9")
        with pytest.raises(KeyError, match="no layer"):
            h.area_name("nope", "M1")

    def test_labels(self, h):
        lab = h.labels()
        assert list(lab.index) == IDS and lab.index.name == "zone"
        assert list(lab.columns) == ["metropolitan", "urban"]
        assert lab["metropolitan"].tolist() == ["M1", "M1", "M1", None, "M2", "M2", None, None]
        assert lab["urban"].tolist() == ["U1", "U1", None, None, "U2", None, "U3", "U3"]

    def test_params_keep_version_and_are_read_only(self, graph):
        given = {"tau": 0.1, "orders": [1, 2], "version": "stale"}
        h = Hierarchy(graph, [metropolitan()], params=given)
        assert h.params["version"] == regionalize.__version__  # a given version is replaced
        assert h.params["tau"] == 0.1
        given["orders"].append(3)  # the caller's dict is not shared
        assert h.params["orders"] == [1, 2]
        with pytest.raises(TypeError):
            h.params["tau"] = 0.2  # type: ignore[index]
        h.params["orders"].append(9)  # nested values are copies too
        assert h.params["orders"] == [1, 2]
        assert Hierarchy(graph, [metropolitan()]).params == {"version": regionalize.__version__}


class TestConstruction:
    def test_layer_with_missing_zone_is_named(self, graph):
        short = metropolitan(ids=IDS[:-1])
        with pytest.raises(
            InvalidZonesError,
            match=r"Layer 'metropolitan'.*1 graph zones missing from the layer "
            r"\(first: 08\)",
        ):
            Hierarchy(graph, [urban(), short])

    def test_layer_in_another_order(self, graph):
        swapped = metropolitan(ids=["02", "01", *IDS[2:]])
        with pytest.raises(
            InvalidZonesError,
            match=r"Layer 'metropolitan'.*another order.*position 0: 02 "
            r"instead of 01",
        ):
            Hierarchy(graph, [swapped])

    @pytest.mark.parametrize(
        "layers, error, match",
        [
            (lambda: [metropolitan(), metropolitan()], InvalidParameterError, "repeated: 'metro"),
            (lambda: [], InvalidParameterError, "at least one layer"),
            (lambda: metropolitan(), TypeError, "list of Partitions"),
            (lambda: [metropolitan(), "urban"], TypeError, "Layer 1 is a str"),
            (
                lambda: [make_partition("name", {"A": ["01"]}, {"A": ("01",)}, {"A": "a"})],
                InvalidParameterError,
                "reserved",
            ),
            (
                lambda: [
                    urban(),
                    make_partition("urban_name", {"A": ["01"]}, {"A": ("01",)}, {"A": "a"}),
                ],
                InvalidParameterError,
                "clashing zone-table columns",
            ),
        ],
    )
    def test_bad_layers(self, graph, layers, error, match):
        with pytest.raises(error, match=match):
            Hierarchy(graph, layers())

    def test_not_a_graph(self):
        with pytest.raises(TypeError, match="needs a FlowGraph"):
            Hierarchy(flows_frame(), [metropolitan()])


# ---------------------------------------------------------------------------- nesting
class TestNesting:
    def test_nested_layers(self, h):
        # U3 lies outside every metropolitan area: unassigned counts as a label, so it nests
        assert h.is_nested
        n = h.nesting()
        assert n.empty and list(n.columns) == ["upper", "lower", "area", "upper_labels", "n_zones"]
        h.check_nesting()  # does not raise

    def test_violations_recorded_not_raised(self, h_bad):
        assert not h_bad.is_nested
        n = h_bad.nesting()
        # every pair of layers is checked, not only neighbours: B1 against metropolitan (two
        # layers up) and against urban. Ties keep areas in table order, unassigned last.
        assert n.to_dict("records") == [
            {
                "upper": "metropolitan",
                "lower": "bad",
                "area": "B1",
                "upper_labels": ("M1", "M2", None),
                "n_zones": 3,
            },
            {
                "upper": "urban",
                "lower": "bad",
                "area": "B1",
                "upper_labels": (None, "U2"),
                "n_zones": 3,
            },  # 03 and 04 unassigned, 05 in U2
        ]

    def test_check_nesting_message(self, h_bad):
        with pytest.raises(InvalidZonesError) as err:
            h_bad.check_nesting()
        msg = str(err.value)
        assert msg.startswith(
            "Layers are not nested: 1 areas of 'bad' straddling areas of "
            "'metropolitan' (first: B1 across M1 + M2 + (unassigned)); 1 "
            "areas of 'bad' straddling areas of 'urban' (first: B1 across "
            "(unassigned) + U2)."
        )
        assert "Hierarchy.nesting()" in msg

    def test_straddling_the_unassigned_boundary(self, graph):
        # an urban area half inside M1, half outside every metropolitan area
        straddle = make_partition("urban", {"U": ["03", "04"]}, {"U": ("03",)}, {"U": "x"})
        n = Hierarchy(graph, [metropolitan(), straddle]).nesting()
        assert n["upper_labels"].tolist() == [("M1", None)]

    def test_order_of_layers_matters(self, graph):
        # urban above metropolitan: M1 = 01 02 03 spans U1 and unassigned
        n = Hierarchy(graph, [urban(), metropolitan()]).nesting()
        assert n.set_index("area")["upper_labels"].to_dict() == {
            "M1": ("U1", None),
            "M2": ("U2", None),
        }  # M2: 05 in U2, 06 unassigned (a tie)


# ---------------------------------------------------------------------------- summary
class TestSummary:
    def test_metropolitan_numbers(self, h):
        s = h.summary("metropolitan")
        assert list(s.index) == ["M1", "M2"] and s.index.name == "area"
        assert list(s.columns) == [
            "name",
            "kind",
            "centres",
            "centre_names",
            "n_zones",
            "residents",
            "jobs",
            "population",
            "internal",
            "self_containment_supply",
            "self_containment_demand",
        ]
        m1, m2 = s.loc["M1"], s.loc["M2"]
        assert (m1["name"], m1["kind"], m1["centres"], m1["centre_names"]) == (
            "Alpha metro",
            "metropolitan",
            "01",
            "Alpha",
        )
        assert (m2["centres"], m2["centre_names"]) == ("05+06", "Epsilon+Zeta")
        assert s["n_zones"].tolist() == [3, 2]
        # M1 = 01 02 03: residents 110 + 75 + 40 = 225; jobs 140 + 50 + 30 = 220;
        # internal 100 + 10 (01) + 40 + 30 + 5 (02) + 20 + 10 (03) = 215 (03 -> 05 leaves)
        assert (m1["residents"], m1["jobs"], m1["internal"]) == (225, 220, 215)
        assert m1["self_containment_supply"] == pytest.approx(215 / 225)
        assert m1["self_containment_demand"] == pytest.approx(215 / 220)
        # M2 = 05 06: residents 90 + 50 = 140; jobs 115 + 40 = 155 (10 from 03, 5 from 04);
        # internal 80 + 10 + 30 + 20 = 140
        assert (m2["residents"], m2["jobs"], m2["internal"]) == (140, 155, 140)
        assert m2["self_containment_supply"] == pytest.approx(1.0)
        assert m2["self_containment_demand"] == pytest.approx(140 / 155)
        assert s["population"].tolist() == [1800, 1200]  # 1000+500+300, 800+400
        assert "note" not in s.attrs

    def test_unassigned_row(self, h):
        s = h.summary("metropolitan", include_unassigned=True)
        assert list(s.index) == ["M1", "M2", "(unassigned)"]
        u = s.loc["(unassigned)"]
        # 04, 07, 08: residents 20 + 30 + 25 = 75, jobs 10 + 35 + 20 = 65, population 600
        assert (u["n_zones"], u["residents"], u["jobs"], u["population"]) == (3, 75, 65, 600)
        assert math.isnan(u["internal"]) and math.isnan(u["self_containment_supply"])
        assert s["residents"].sum() == 440 and s["jobs"].sum() == 440  # nothing lost
        assert s["n_zones"].dtype == np.int64

    def test_area_outside_upper_layer(self, h):
        # U3 = 07 08: residents 55, jobs 55, internal 25 + 5 + 15 + 10 = 55
        u3 = h.summary("urban").loc["U3"]
        assert (u3["residents"], u3["jobs"], u3["internal"]) == (55, 55, 55)
        assert u3["self_containment_supply"] == u3["self_containment_demand"] == 1.0

    def test_no_diagonal_gives_nan_and_a_note(self, tmp_path):
        h = Hierarchy(make_graph(diagonal=False), [metropolitan()])
        s = h.summary("metropolitan")
        assert s["self_containment_supply"].isna().all()
        assert s["self_containment_demand"].isna().all()
        assert "intra-zone flows" in s.attrs["note"] and "understated" in s.attrs["note"]
        # internal flows between different zones of M1 remain: 10 + 30 + 5 + 10 = 55
        assert s.loc["M1", "internal"] == 55
        h.to_csv(tmp_path)  # the caveat travels with the files
        run = json.loads((tmp_path / "run.json").read_text("utf-8"))
        assert run["notes"] == [s.attrs["note"]]
        assert (
            pd.read_csv(tmp_path / "metropolitan_areas.csv")["self_containment_supply"].isna().all()
        )

    def test_without_names_or_population(self):
        h = Hierarchy(make_graph(zones=False, geometry=False), [metropolitan()])
        s = h.summary("metropolitan")
        assert "population" not in s.columns
        assert s["centre_names"].tolist() == ["01", "05+06"]  # ids stand in for names

    def test_extra_area_columns_kept(self, graph):
        p = metropolitan()
        areas = p.areas.assign(parent=["R1", "R1"])
        p2 = Partition("metropolitan", IDS, p.details, areas)
        s = Hierarchy(graph, [p2]).summary("metropolitan")
        assert s.columns[-1] == "parent" and s["parent"].tolist() == ["R1", "R1"]


# ---------------------------------------------------------------------------- tables
class TestTables:
    def test_to_frame(self, h):
        f = h.to_frame()
        assert list(f.index) == IDS and f.index.name == "zone"
        assert list(f.columns) == [
            "name",
            "metropolitan",
            "metropolitan_name",
            "metropolitan_role",
            "metropolitan_order",
            "metropolitan_strength",
            "metropolitan_reason",
            "urban",
            "urban_name",
            "urban_role",
            "urban_order",
            "urban_strength",
            "urban_reason",
        ]
        row = f.loc["06"]
        assert (
            row["name"],
            row["metropolitan"],
            row["metropolitan_name"],
            row["metropolitan_role"],
        ) == ("Zeta", "M2", "Epsilon-Zeta metro", "centre")
        assert f.loc["02", "metropolitan_order"] == 1 and f.loc["02", "urban_strength"] == 0.2
        assert f["metropolitan_order"].dtype == "Int64"
        assert pd.isna(f.loc["04", "metropolitan"])
        assert f.loc["04", "metropolitan_reason"] == "no link to a centre"

    def test_returned_tables_are_copies(self, h):
        before = (h.labels(), h.to_frame(), h.summary("urban"), h.nesting())
        lab, frame, summ, nest = h.labels(), h.to_frame(), h.summary("urban"), h.nesting()
        lab.iloc[0, 0] = "X"
        frame.iloc[:, 1] = "X"
        summ.loc["U1", "residents"] = -1
        nest.loc[0] = ["a", "b", "c", (), 1]
        for got, expected in zip(
            (h.labels(), h.to_frame(), h.summary("urban"), h.nesting()), before, strict=True
        ):
            pd.testing.assert_frame_equal(got, expected)
        with pytest.raises(AttributeError):
            h.graph = None  # type: ignore[misc]

    def test_input_list_not_shared(self, graph):
        layers = [metropolitan()]
        h = Hierarchy(graph, layers)
        layers.append(urban())
        assert h.layers == ("metropolitan",)


# ---------------------------------------------------------------------------- geometry
class TestGeometry:
    def test_to_geodataframe(self, h):
        gdf = h.to_geodataframe()
        assert isinstance(gdf, gpd.GeoDataFrame)
        assert gdf.crs == "EPSG:3857"
        assert list(gdf.columns) == [*h.to_frame().columns, "geometry"]
        assert gdf.loc["03"].geometry.equals(box(2000, 0, 3000, 1000))

    def test_dissolve(self, h):
        d = h.dissolve("metropolitan")
        assert list(d.index) == ["M1", "M2"] and d.crs == "EPSG:3857"
        assert d.loc["M1"].geometry.area == pytest.approx(3e6)  # three 1 km squares
        assert d.loc["M2"].geometry.area == pytest.approx(2e6)
        assert d.loc["M1"].geometry.geom_type == "Polygon"  # adjacent squares merge
        assert list(d.columns) == [*h.summary("metropolitan").columns, "geometry"]
        du = h.dissolve("metropolitan", include_unassigned=True)
        # unassigned 04, 07, 08: 04 is apart from 07-08, hence two parts
        assert du.loc["(unassigned)"].geometry.area == pytest.approx(3e6)
        assert du.loc["(unassigned)"].geometry.geom_type == "MultiPolygon"

    def test_without_geometry_clear_errors(self, tmp_path):
        h = Hierarchy(make_graph(geometry=False), [metropolitan()])
        for call in (
            h.to_geodataframe,
            lambda: h.dissolve("metropolitan"),
            lambda: h.to_gpkg(tmp_path / "out.gpkg"),
            lambda: h.to_parquet(tmp_path / "pq"),
        ):
            with pytest.raises(InvalidZonesError, match=r"no zone geometry.*with_geometry"):
                call()
        assert not list(tmp_path.iterdir())  # nothing half-written
        h.to_csv(tmp_path / "csv")  # CSV needs no geometry
        assert h.with_geometry(squares()).dissolve("metropolitan").loc[
            "M2"
        ].geometry.area == pytest.approx(2e6)


# ---------------------------------------------------------------------------- display
class TestDisplay:
    def test_repr_pinned(self, h, h_bad):
        assert repr(h) == "<Hierarchy over 8 zones: metropolitan=2, urban=3>"
        assert repr(h_bad) == (
            "<Hierarchy over 8 zones: metropolitan=2, urban=3, bad=2 (not nested: 2 violations)>"
        )

    def test_repr_html(self, h_bad):
        out = h_bad._repr_html_()
        assert out.startswith("<table><caption>Hierarchy over 8 zones</caption>")
        assert "<th>unassigned zones</th>" in out
        assert "<th style='text-align:left'>urban</th><td>3</td><td>3</td><td>yes</td>" in out
        assert "<td>2</td><td>3</td><td>no (2 violations)</td>" in out


# ---------------------------------------------------------------------------- writers
def _assert_zone_tables(zones: pd.DataFrame, h: Hierarchy) -> None:
    expected = h.to_frame()
    assert zones["zone"].tolist() == IDS  # leading zeros kept
    z = zones.set_index("zone")
    for col in ("name", "metropolitan", "metropolitan_name", "urban", "urban_role"):
        got = [None if pd.isna(v) else v for v in z[col]]
        want = [None if pd.isna(v) else v for v in expected[col]]
        assert got == want, col
    np.testing.assert_allclose(
        z["urban_strength"].to_numpy(dtype=float), expected["urban_strength"].to_numpy(dtype=float)
    )


def _assert_area_table(areas: pd.DataFrame, h: Hierarchy, layer: str) -> None:
    expected = h.summary(layer)
    a = areas.set_index("area")
    assert list(a.index) == list(expected.index)
    assert a["centres"].tolist() == expected["centres"].tolist()  # e.g. "05+06" as text
    assert a["name"].tolist() == expected["name"].tolist()
    np.testing.assert_allclose(
        a["internal"].to_numpy(dtype=float), expected["internal"].to_numpy(dtype=float)
    )


def _assert_run(run: dict, h: Hierarchy) -> None:
    assert run["version"] == regionalize.__version__
    assert run["params"]["version"] == regionalize.__version__
    assert run["params"]["tau"] == 0.1 and run["params"]["orders"] == [1, 2]
    assert run["layers"] == list(h.layers)
    assert run["layer_params"]["urban"] == {"threshold": 0.1}
    assert run["notes"] == []


class TestWriters:
    def test_gpkg_round_trip(self, h, tmp_path):
        path = h.to_gpkg(tmp_path / "regions.gpkg")
        assert path == tmp_path / "regions.gpkg"
        layers = dict(pyogrio.list_layers(path))
        assert layers == {
            "zones": "Polygon",
            "metropolitan_areas": "Polygon",
            "urban_areas": "Polygon",
            "run": None,
        }
        zones = gpd.read_file(path, layer="zones")
        assert zones.crs == "EPSG:3857"
        _assert_zone_tables(zones, h)
        m = gpd.read_file(path, layer="metropolitan_areas")
        _assert_area_table(m, h, "metropolitan")
        assert m.set_index("area").geometry.area.tolist() == pytest.approx([3e6, 2e6])
        run = pyogrio.read_dataframe(path, layer="run")
        assert len(run) == 1
        record = {
            c: json.loads(run.at[0, c]) for c in ("params", "layers", "layer_params", "notes")
        }
        record["version"] = run.at[0, "version"]
        _assert_run(record, h)

    def test_gpkg_mixed_polygons_promoted(self, graph, tmp_path):
        # S1 = 01 + 03 is in two pieces, S2 = 05 in one: the layer becomes MultiPolygon
        split = make_partition(
            "split",
            {"S1": ["01", "03"], "S2": ["05"]},
            {"S1": ("01",), "S2": ("05",)},
            {"S1": "a", "S2": "b"},
        )
        path = Hierarchy(graph, [split]).to_gpkg(tmp_path / "split.gpkg")
        assert dict(pyogrio.list_layers(path))["split_areas"] == "MultiPolygon"
        areas = gpd.read_file(path, layer="split_areas").set_index("area")
        assert areas.geometry.area.tolist() == pytest.approx([2e6, 1e6])

    def test_parquet_round_trip(self, h, tmp_path):
        written = h.to_parquet(tmp_path / "out")
        assert [p.name for p in written] == [
            "zones.parquet",
            "metropolitan_areas.parquet",
            "urban_areas.parquet",
            "run.json",
        ]
        zones = gpd.read_parquet(tmp_path / "out" / "zones.parquet")
        assert zones.crs == "EPSG:3857"
        _assert_zone_tables(zones, h)
        u = gpd.read_parquet(tmp_path / "out" / "urban_areas.parquet")
        _assert_area_table(u, h, "urban")
        _assert_run(json.loads((tmp_path / "out" / "run.json").read_text("utf-8")), h)

    def test_csv_round_trip(self, h, tmp_path):
        h.to_csv(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "metropolitan_areas.csv",
            "run.json",
            "urban_areas.csv",
            "zones.csv",
        ]
        assert (tmp_path / "zones.csv").read_text("utf-8").splitlines()[1].startswith("01,")
        zones = pd.read_csv(tmp_path / "zones.csv", dtype={"zone": str})
        _assert_zone_tables(zones, h)
        m = pd.read_csv(tmp_path / "metropolitan_areas.csv", dtype={"area": str, "centres": str})
        _assert_area_table(m, h, "metropolitan")
        _assert_run(json.loads((tmp_path / "run.json").read_text("utf-8")), h)

    def test_tuple_cells_become_text(self, graph, tmp_path):
        p = metropolitan()
        areas = p.areas.assign(neighbours=[("M2",), ("M1", "X")])
        h = Hierarchy(graph, [Partition("metropolitan", IDS, p.details, areas)])
        h.to_csv(tmp_path)
        h.to_parquet(tmp_path)
        for table in (
            pd.read_csv(tmp_path / "metropolitan_areas.csv"),
            pd.read_parquet(tmp_path / "metropolitan_areas.parquet"),
        ):
            assert table["neighbours"].tolist() == ["M2", "M1+X"]

    def test_existing_file_replaced_and_no_temporary_left(self, h, tmp_path):
        path = tmp_path / "regions.gpkg"
        path.write_bytes(b"an older file")
        (tmp_path / "zones.csv").write_text("old", encoding="utf-8")
        h.to_gpkg(path)
        h.to_csv(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "metropolitan_areas.csv",
            "regions.gpkg",
            "run.json",
            "urban_areas.csv",
            "zones.csv",
        ]
        assert len(gpd.read_file(path, layer="zones")) == 8
        assert (tmp_path / "zones.csv").read_text("utf-8").startswith("zone,name,")

    def test_interrupted_write_keeps_the_old_file(self, h, tmp_path, monkeypatch):
        path = tmp_path / "regions.gpkg"
        path.write_bytes(b"an older file")
        original = pyogrio.write_dataframe

        def fail_on_run(df, target, layer=None, **kwargs):
            if layer == "run":
                raise KeyboardInterrupt
            return original(df, target, layer=layer, **kwargs)

        monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_run)
        with pytest.raises(KeyboardInterrupt):
            writers.write_gpkg(h, path)
        assert path.read_bytes() == b"an older file"
        assert [p.name for p in tmp_path.iterdir()] == ["regions.gpkg"]

    def test_gpkg_folder_must_exist(self, h, tmp_path):
        with pytest.raises(regionalize.InvalidParameterError, match="does not exist"):
            h.to_gpkg(tmp_path / "missing" / "x.gpkg")
