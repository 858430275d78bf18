"""Writes that are atomic, contained and consistent; reading back that trusts nothing.

- every file goes through one atomic writer: a symbolic link planted at a target is
  replaced, never followed (GeoPackage, GeoParquet, CSV, the report, the demo's files);
- output paths are checked before any work (a folder where a file goes, a file where a
  folder goes, a missing parent, a folder that cannot be written): one named error, exit 2
  on the command line, naming ``--out``;
- a folder's files are those its ``run.json`` recorded (digests): a rewrite interrupted
  before ``run.json`` is refused on reading, never paired with the old parameters;
- reading back never leaves the folder, and damaged or edited files give a named
  :class:`InvalidFileError`;
- CSV cells that a spreadsheet would run as formulas are neutralised, and restored on
  reading;
- Ctrl-C on the command line prints ``error: interrupted`` and exits 130.
"""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pyogrio
import pytest
from _toys import FLOWS, IDS, squares

import regionalize as rz
from regionalize import InvalidFileError, InvalidParameterError
from regionalize.cli import main
from regionalize.io.hierarchy_files import read_hierarchy
from regionalize.report import write_report

#: names a spreadsheet would run as formulas (and one that merely starts with an apostrophe)
FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "'=already quoted",
    "Zeta",
]


@pytest.fixture(scope="module")
def graph():
    names = ["Alpha", *FORMULAS]
    g = rz.FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]), name="toy"
    )
    return g.with_zones(pd.DataFrame({"name": names}, index=IDS)).with_geometry(squares())


@pytest.fixture(scope="module")
def h(graph):
    return rz.delineate(graph, ["01", "05"], tau=0.1, urban={"min_zones": 2})


@pytest.fixture
def outside(tmp_path):
    """A file outside the output folder that a planted link points to."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    return victim


def _plant(link, target):
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


# ---------------------------------------------------------------- planted links
@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "csv"])
def test_planted_link_is_replaced_not_followed(h, tmp_path, outside, fmt):
    out = tmp_path / "out"
    target = out / "run.gpkg" if fmt == "gpkg" else out / f"zones.{fmt}"
    _plant(target, outside)
    if fmt == "gpkg":
        h.to_gpkg(target)
    else:
        getattr(h, f"to_{fmt}")(out)
    assert outside.read_text() == "precious"
    assert not target.is_symlink() and target.stat().st_size > 0


def test_report_replaces_a_planted_link(h, tmp_path, outside):
    target = tmp_path / "report.html"
    _plant(target, outside)
    write_report(h, target)
    assert outside.read_text() == "precious"
    assert not target.is_symlink() and "<html" in target.read_text()


def test_demo_replaces_planted_links(tmp_path, outside):
    from regionalize._demo import run_demo

    out = tmp_path / "demo"
    names = [
        "summary.md",
        "summary.json",
        "map.png",
        "flows.png",
        "map.html",
        "report.html",
        "hierarchy.gpkg",
    ]
    for name in names:
        _plant(out / name, outside)
    run_demo(out, "synthetic-150")
    assert outside.read_text() == "precious"
    for name in names:
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0, name
    assert not [p for p in out.iterdir() if ".partial" in p.name]


# ---------------------------------------------------------------- checked before any work
def test_output_paths_checked_before_writing(h, tmp_path):
    (tmp_path / "a.gpkg").mkdir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidParameterError, match="is a folder, but a file is expected"):
        h.to_gpkg(tmp_path / "a.gpkg")
    with pytest.raises(InvalidParameterError, match="does not exist"):
        h.to_gpkg(tmp_path / "missing" / "a.gpkg")
    with pytest.raises(InvalidParameterError, match="is a file, not a folder"):
        h.to_gpkg(tmp_path / "file" / "a.gpkg")
    for write in (h.to_csv, h.to_parquet):
        with pytest.raises(InvalidParameterError, match="is a file, but a folder is expected"):
            write(tmp_path / "file")
    with pytest.raises(InvalidParameterError, match="not writable"):
        h.to_gpkg("/proc/regionalize-test.gpkg")  # not writable, even for root


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["delineate", "synthetic-60", "--out", "{tmp}/dir.gpkg"], "is a folder"),
        (["delineate", "synthetic-60", "--out", "{tmp}/file/x.gpkg"], "is a file, not a folder"),
        (["delineate", "synthetic-60", "--out", "{tmp}/file", "--format", "csv"], "is a file"),
        (["delineate", "synthetic-60", "--out", "/proc/x.gpkg"], "not writable"),
        (["demo", "--dataset", "synthetic-60", "--out", "{tmp}/file"], "is a file"),
    ],
)
def test_cli_checks_out_before_computing(tmp_path, capsys, monkeypatch, args, message):
    from regionalize import _cli_io, _demo

    (tmp_path / "dir.gpkg").mkdir()
    (tmp_path / "file").write_text("x")

    def no_work(*a, **k):
        raise AssertionError("the data was read before --out was checked")

    monkeypatch.setattr(_cli_io, "load_source", no_work)
    monkeypatch.setattr(_demo, "pick_graph", no_work)
    code = main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and message in err and "--out" in err
    assert "please report" not in err


def test_cli_ctrl_c_says_interrupted_and_exits_130(tmp_path, capsys, monkeypatch):
    from regionalize import _demo

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(_demo, "run_demo", interrupted)
    assert main(["demo", "--out", str(tmp_path / "o")]) == 130
    assert capsys.readouterr().err.strip().endswith("error: interrupted")


# ---------------------------------------------------------------- one run per folder
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_interrupted_rewrite_is_never_paired_with_the_old_run(graph, h, tmp_path, monkeypatch, fmt):
    """Run A is written; run B (other parameters) is interrupted before run.json: reading
    refuses the folder instead of returning B's labels with A's parameters."""
    out = tmp_path / "run"
    getattr(h, f"to_{fmt}")(out)
    other = rz.delineate(graph, ["01"], tau=0.3)
    from regionalize.io import writers

    original = writers._RunFiles.finish

    def interrupted(self, record):
        raise KeyboardInterrupt

    monkeypatch.setattr(writers._RunFiles, "finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        getattr(other, f"to_{fmt}")(out)
    monkeypatch.setattr(writers._RunFiles, "finish", original)
    with pytest.raises(InvalidFileError, match="not the file run.json recorded"):
        read_hierarchy(out, graph)
    # once written whole, the folder reads back as the new run
    getattr(other, f"to_{fmt}")(out)
    assert read_hierarchy(out, graph).labels().equals(other.labels())


def test_every_file_of_a_folder_is_recorded(h, tmp_path):
    written = h.to_csv(tmp_path, flows=True)
    record = json.loads((tmp_path / "run.json").read_text())
    assert len(record["run_id"]) == 32
    assert sorted(record["files"]) == sorted(p.name for p in written if p.name != "run.json")
    for name, entry in record["files"].items():
        assert entry["bytes"] == (tmp_path / name).stat().st_size


# ---------------------------------------------------------------- never leaves the folder
@pytest.mark.parametrize("layer", ["../../victim", "/etc/passwd", "..", "", "a\\b", 5, "x\x00y"])
def test_layer_names_from_run_json_are_not_paths(h, graph, tmp_path, layer):
    out = tmp_path / "run"
    h.to_csv(out)
    record = json.loads((out / "run.json").read_text())
    record["layers"] = [layer]
    (out / "run.json").write_text(json.dumps(record))
    with pytest.raises(InvalidFileError, match="not a plain name"):
        read_hierarchy(out, graph)


def test_layer_names_that_are_paths_are_refused_on_writing(graph, tmp_path):
    p = rz.metropolitan_areas(graph, ["01"], tau=0.1)
    from regionalize.hierarchy import Hierarchy

    bad = Hierarchy(graph, [rz.Partition("../escape", p.ids, p.details, p.areas, p.params)])
    with pytest.raises(InvalidParameterError, match="cannot be used in a file name"):
        bad.to_csv(tmp_path / "out")
    assert not (tmp_path / "escape_areas.csv").exists()


# ---------------------------------------------------------------- damaged or edited files
def _edit_csv(path, column, value):
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[1, column] = value
    table.to_csv(path, index=False)


def test_order_column_turned_to_text_is_named(h, graph, tmp_path):
    h.to_csv(tmp_path)
    _edit_csv(tmp_path / "zones.csv", "metropolitan_order", "first ring")
    with pytest.raises(InvalidFileError, match="not the file run.json recorded.*verify=False"):
        read_hierarchy(tmp_path, graph)
    with pytest.raises(InvalidFileError, match="'metropolitan_order'.*'first ring'"):
        read_hierarchy(tmp_path, graph, verify=False)


def test_hand_edited_name_reads_with_verify_false(h, graph, tmp_path):
    h.to_csv(tmp_path)
    areas = pd.read_csv(tmp_path / "metropolitan_areas.csv", dtype=str)
    areas.loc[0, "name"] = "Renamed by hand"
    areas.to_csv(tmp_path / "metropolitan_areas.csv", index=False)
    back = read_hierarchy(tmp_path, graph, verify=False)
    assert back["metropolitan"].areas["name"].iloc[0] == "Renamed by hand"


def test_order_column_turned_to_text_in_a_geopackage(h, graph, tmp_path):
    path = tmp_path / "run.gpkg"
    h.to_gpkg(path)
    layers = {
        name: pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)
    }
    layers["zones"]["metropolitan_order"] = (
        layers["zones"]["metropolitan_order"].astype(str).replace("1.0", "one")
    )
    edited = tmp_path / "edited.gpkg"
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, edited, layer=name, driver="GPKG")
    with pytest.raises(InvalidFileError, match="metropolitan_order"):
        read_hierarchy(edited, graph)


def test_dropped_geopackage_layer_is_named(h, graph, tmp_path):
    path = tmp_path / "run.gpkg"
    h.to_gpkg(path)
    edited = tmp_path / "edited.gpkg"
    for name, _ in pyogrio.list_layers(path):
        if name != "urban_areas":
            pyogrio.write_dataframe(
                pyogrio.read_dataframe(path, layer=name), edited, layer=name, driver="GPKG"
            )
    with pytest.raises(InvalidFileError, match="no layer 'urban_areas'"):
        read_hierarchy(edited, graph)


@pytest.mark.parametrize(
    "content", [b"", b'{"layers": ["metro', b"\xff\xfe\x00garbage", b"[1, 2]", b'{"layers": []}']
)
def test_damaged_run_json_is_named(h, graph, tmp_path, content):
    h.to_csv(tmp_path)
    (tmp_path / "run.json").write_bytes(content)
    with pytest.raises(InvalidFileError, match="run.json"):
        read_hierarchy(tmp_path, graph)


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(0) + bytes(range(256)) * 8,
        b"zone,name\n01,Alpha\n",
        b"SQLite format 3\x00" + b"x" * 99,
    ],
)
def test_random_bytes_or_text_as_a_geopackage(graph, tmp_path, content):
    path = tmp_path / "run.gpkg"
    path.write_bytes(content)
    with pytest.raises(rz.RegionalizeError, match="run.gpkg"):
        read_hierarchy(path, graph)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_random_bytes_as_a_table(h, graph, tmp_path, fmt):
    getattr(h, f"to_{fmt}")(tmp_path)
    (tmp_path / f"zones.{fmt}").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InvalidFileError, match=f"zones.{fmt}"):
        read_hierarchy(tmp_path, graph)
    with pytest.raises(InvalidFileError, match=f"zones.{fmt}"):
        read_hierarchy(tmp_path, graph, verify=False)


def test_missing_table_listed_in_run_json(h, graph, tmp_path):
    h.to_csv(tmp_path)
    (tmp_path / "urban_areas.csv").unlink()
    with pytest.raises(rz.DataNotFoundError, match="urban_areas.csv"):
        read_hierarchy(tmp_path, graph)


# ---------------------------------------------------------------- spreadsheet formulas
def test_csv_cells_that_would_run_as_formulas_are_neutralised(h, graph, tmp_path):
    h.to_csv(tmp_path, flows=True)
    zones = pd.read_csv(tmp_path / "zones.csv", dtype=str, keep_default_na=False)
    for cell in zones["name"]:
        assert cell[:1] not in "=+-@\t\r", cell
    assert "'=HYPERLINK" in (tmp_path / "zones.csv").read_text()
    assert "''=already quoted" in (tmp_path / "zones.csv").read_text()
    table = (tmp_path / "zone_table.csv").read_text()
    assert "'@SUM(A1)" in table and "\n@" not in table and ",@" not in table
    # read back exactly, apostrophes removed
    back = read_hierarchy(tmp_path)
    assert back.graph.zones["name"].tolist() == graph.zones["name"].tolist()
    assert back["urban"].areas["name"].tolist() == h["urban"].areas["name"].tolist()


def test_escape_formulas_false_writes_raw_values(h, graph, tmp_path):
    h.to_csv(tmp_path, escape_formulas=False)
    zones = pd.read_csv(tmp_path / "zones.csv", dtype=str, keep_default_na=False)
    assert '=HYPERLINK("http://evil","x")' in zones["name"].tolist()
    assert json.loads((tmp_path / "run.json").read_text())["csv_formulas"] == "raw"
    back = read_hierarchy(tmp_path, graph)
    assert back["metropolitan"].labels.equals(h["metropolitan"].labels)
    with pytest.raises(InvalidParameterError, match="escape_formulas"):
        h.to_csv(tmp_path, escape_formulas="no")


def test_no_partial_or_probe_files_are_left(h, tmp_path):
    h.to_csv(tmp_path / "c")
    h.to_parquet(tmp_path / "p")
    h.to_gpkg(tmp_path / "g.gpkg")
    write_report(h, tmp_path / "r" / "report.html")
    left = [p for p in tmp_path.rglob("*") if ".partial" in p.name or "regionalize-" in p.name]
    assert left == []
    shutil.rmtree(tmp_path / "c")


def test_cli_zones_that_are_a_plain_table_are_named(tmp_path, capsys):
    od = tmp_path / "od.csv"
    pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]).to_csv(od, index=False)
    names = tmp_path / "names.csv"
    names.write_text("zone,name\n" + "".join(f"{z},Zone {z}\n" for z in IDS))
    assert main(["delineate", str(od), "--zones", str(names)]) == 2
    err = capsys.readouterr().err
    assert "--zones names.csv holds no polygons" in err and "please report" not in err


# ---------------------------------------------------------------- awkward ids round-trip
AWKWARD = [
    "a,b",
    'q"uote',
    "new\nline",
    "=1+1",
    "-5",
    "  sp ",
    "ünï😀",
    "NA",
    "x" * 300,
    "[1]",
    "cr\r=1|*x*",
    "\r=2",
]


@pytest.mark.parametrize("centres", [None, [["=1+1", "[1]"]], ["=1+1"], ["[1]"]])
@pytest.mark.parametrize("fmt", ["csv", "gpkg", "parquet"])
def test_awkward_ids_and_names_round_trip(tmp_path, fmt, centres):
    """Ids with "+" (the separator of central zones), quotes, commas, newlines, formula
    starts, brackets: every file format gives the same Hierarchy back."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    n = len(AWKWARD)
    m = np.random.default_rng(0).integers(0, 50, (n, n)).astype(float)
    np.fill_diagonal(m, 200)
    g = rz.FlowGraph.from_matrix(m, AWKWARD, name="<b>awkward</b>")
    g = g.with_zones(pd.DataFrame({"name": [f"=N({i})" for i in range(n)]}, index=AWKWARD))
    g = g.with_geometry(
        gpd.GeoDataFrame(
            geometry=[box(i, 0, i + 1, 1) for i in range(n)], index=AWKWARD, crs="EPSG:3857"
        )
    )
    h = rz.delineate(g, centres, tau=0.05)
    path = tmp_path / ("run.gpkg" if fmt == "gpkg" else "run")
    getattr(h, f"to_{fmt}")(path, flows=True)
    back = read_hierarchy(path)
    assert back.labels().equals(h.labels())
    for layer in h.layers:
        assert back[layer].areas["centres"].tolist() == h[layer].areas["centres"].tolist()
    assert back.graph.zones["name"].tolist() == g.zones["name"].tolist()


def test_zone_csv_one_table_from_python(h, graph, tmp_path, outside):
    target = tmp_path / "areas.csv"
    _plant(target, outside)
    h.to_zone_csv(target)
    assert outside.read_text() == "precious" and not target.is_symlink()
    table = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert table["zone"].tolist() == IDS
    assert table.columns.tolist()[:2] == ["zone", "name"]
    assert all(layer in table.columns for layer in h.layers)
    assert not table["name"].str.match(r"^[=+\-@\t]").any()
    with pytest.raises(InvalidParameterError, match="is a folder"):
        h.to_zone_csv(tmp_path)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_polygons_with_non_finite_coordinates_are_named(bad):
    """GEOS fails on NaN / infinite coordinates (make_valid, unions): a named error instead."""
    from shapely.geometry import Polygon

    g = rz.FlowGraph.from_dataframe(pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]))
    import warnings

    shapes = squares()
    with warnings.catch_warnings():  # shapely warns when it builds the hostile ring
        warnings.simplefilter("ignore", RuntimeWarning)
        shapes.loc["03", "geometry"] = Polygon([(0, 0), (bad, 1), (1, 0)])
    with pytest.raises(rz.InvalidZonesError, match="NaN or infinite coordinates.*03"):
        g.with_geometry(shapes)


def test_a_carriage_return_in_a_name_stays_in_its_cell(h, graph, tmp_path):
    """A bare CR in a name was written unquoted: spreadsheets and pandas started a new row at
    it, and the formula after it escaped the apostrophe. Now the cell is quoted."""
    import csv

    g = graph.with_zones(
        pd.DataFrame({"name": ["x\r=1|*x*", *graph.zones["name"][1:]]}, index=graph.ids)
    )
    h2 = rz.delineate(g, ["01", "05"], tau=0.1, urban={"min_zones": 2})
    h2.to_zone_csv(tmp_path / "z.csv")
    h2.to_csv(tmp_path / "c")
    for path in (tmp_path / "z.csv", tmp_path / "c" / "zones.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) == 1 + g.n_zones
        assert rows[1][1] == "x\r=1|*x*"
    assert read_hierarchy(tmp_path / "c", g).graph.zones["name"].iloc[0] == "x\r=1|*x*"


# ---------------------------------------------------------------- the QA battery's finds
@pytest.mark.parametrize("target", [5, None, b"x.gpkg", "", "a\x00b.gpkg", "x" * 300 + ".gpkg"])
def test_output_names_that_are_no_names_are_refused(h, tmp_path, target):
    path = target if not isinstance(target, str) or not target else str(tmp_path / target)
    with pytest.raises(InvalidParameterError):
        h.to_gpkg(path)
    with pytest.raises(InvalidParameterError):
        h.to_csv(path if path else "")


def test_a_long_but_valid_name_is_written(h, tmp_path):
    h.to_zone_csv(tmp_path / ("z" * 240 + ".csv"))
    assert (tmp_path / ("z" * 240 + ".csv")).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id_width": 10**9}, "id_width"),
        ({"id_width": 2.5}, "id_width"),
        ({"id_width": 0}, "id_width"),
        ({"skiprows": 99_999_999_999}, "skiprows"),
        ({"thousands": ".."}, "thousands"),
        ({"thousands": ".", "decimal": "."}, "same character"),
    ],
)
def test_reading_options_out_of_range_are_refused(tmp_path, kwargs, message):
    path = tmp_path / "od.csv"
    pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]).to_csv(path, index=False)
    with pytest.raises(InvalidParameterError, match=message):
        rz.read_flows(path, **kwargs)


def test_complex_or_boolean_flows_are_refused():
    import numpy as np

    with pytest.raises(rz.InvalidODError, match="complex"):
        rz.FlowGraph.from_matrix(np.ones((2, 2)) + 1j, ["a", "b"])
    df = pd.DataFrame({"origin": ["a", "b"], "destination": ["b", "a"], "flow": [1 + 5j, 2]})
    with pytest.raises(rz.InvalidODError, match="non-numeric"):
        rz.FlowGraph.from_dataframe(df)


def test_a_zone_whose_polygon_is_none_is_missing(graph):
    bare = rz.FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"])
    )
    shapes = squares()
    shapes.loc["03", "geometry"] = None
    with pytest.raises(rz.InvalidZonesError, match="empty or missing.*03"):
        bare.with_geometry(shapes)
    assert bare.with_geometry(shapes, missing="keep").geometry.geometry.isna().sum() == 1


def test_an_unknown_crs_is_named(graph):
    with pytest.raises(rz.InvalidZonesError, match="Cannot reproject"):
        graph.to_crs("nope")


def test_zone_table_with_ids_in_a_column_and_another_index_is_refused():
    """Joining by the index while a 'zone' column disagrees gave zones others' names."""
    import numpy as np

    g = rz.FlowGraph.from_matrix(np.ones((3, 3)), ["1", "2", "3"])
    t = pd.DataFrame({"zone": ["3", "2", "1"], "name": ["n3", "n2", "n1"]}, index=[1, 2, 3])
    with pytest.raises(rz.InvalidZonesError, match="id_column='zone'"):
        g.with_zones(t)
    assert g.with_zones(t, id_column="zone").zones["name"].tolist() == ["n1", "n2", "n3"]


def test_report_embeds_only_png_images_and_text_titles(h, tmp_path):
    """images= embedded any file (e.g. /etc/passwd) as a picture; title=5 was accepted."""
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    with pytest.raises(InvalidParameterError, match="not a PNG image"):
        write_report(h, tmp_path / "r.html", images={"map": secret})
    with pytest.raises(InvalidParameterError, match="title"):
        write_report(h, tmp_path / "r.html", title=5)
    assert not (tmp_path / "r.html").exists()


def test_evaluate_grouping_tau_in_zero_one(graph):
    with pytest.raises(InvalidParameterError, match="tau"):
        rz.evaluate_grouping(graph, {"A": ["01", "02"]}, tau=0)
