"""The command line and the main job behind `make demo`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import regionalize as rz
from regionalize.cli import app

runner = CliRunner()


def test_demo_on_synthetic_country(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--dataset", "synthetic-300", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # progress goes to stderr
    assert "metropolitan: " in result.stderr
    assert summary["zones"] == 300 and summary["diagonal"]
    assert summary["contiguity"]["components"] == 1
    for name in ["summary.md", "summary.json", "hierarchy.gpkg", "map.png", "flows.png"]:
        assert (out / name).stat().st_size > 0
    assert summary["hierarchy"].startswith("<Hierarchy over 300 zones")
    assert set(summary["layers"]) == {"megaregion", "metropolitan", "urban"}


def test_demo_on_korea(tmp_path, data_dir):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "korea-ktdb-sigun: 159 zones" in result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["share_denominator"] == "out-flows"  # KTDB has no diagonal
    assert summary["top_destinations"][0]["name"] == "Seoul"
    # the policy's five metropolitan areas and four megaregions
    assert summary["hierarchy"] == ("<Hierarchy over 159 zones: megaregion=4, metropolitan=5, "
                                    "urban=23>")
    assert summary["layers"]["metropolitan"]["table"]["21+26"]["name"] == "Busan-Ulsan"


def test_unknown_dataset_exit_code(tmp_path):
    result = runner.invoke(app, ["demo", "--dataset", "atlantis", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Unknown data set 'atlantis'" in result.output


def test_datasets_listing(data_dir):
    result = runner.invoke(app, ["datasets"])
    assert result.exit_code == 0
    assert "us-counties-2009-2013" in result.output


# ---------------------------------------------------------------------------- helpers
def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def _bad(args, text):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert text in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    return result


def _labels_file(path, labels):
    path.write_text("zone,label\n" + "".join(f"{z},{v}\n" for z, v in labels.items()))
    return path


# ---------------------------------------------------------------------------- datasets
def test_datasets_list_json():
    data = json.loads(_ok(["datasets", "list", "--json"]).stdout)
    assert "brindisi-2001" in {d["name"] for d in data["datasets"]}


def test_datasets_describe(data_dir):
    out = _ok(["datasets", "describe", "brindisi-2001"]).stdout
    assert "20 zones" in out and "municipalities of the province of Brindisi" in out
    data = json.loads(_ok(["datasets", "describe", "korea-ktdb-sigun", "--json"]).stdout)
    assert data["zones"] == 159 and any("diagonal" in q for q in data["quirks"])
    assert "The diagonal is zero" in data["doc"]


def test_datasets_describe_unknown():
    _bad(["datasets", "describe", "atlantis"], "Unknown data set 'atlantis'")


# ---------------------------------------------------------------------------- delineate
def test_delineate_network_gpkg(tmp_path, data_dir):
    import geopandas as gpd

    out = tmp_path / "sub" / "brindisi.gpkg"
    result = _ok(["delineate", "brindisi-2001", "--centres", "74001", "--tau", "0.1",
                  "--out", str(out), "--json"])
    data = json.loads(result.stdout)
    assert data["zones"] == 20 and data["format"] == "gpkg"
    assert data["layers"]["metropolitan"]["areas"] > 0
    assert data["layers"]["metropolitan"]["table"][0]["area"] == "74001"
    zones = gpd.read_file(out, layer="zones")
    assert len(zones) == 20 and "metropolitan" in zones.columns


def test_delineate_text_summary(data_dir):
    out = _ok(["delineate", "brindisi-2001", "--quiet"]).output
    assert "brindisi-2001: 20 zones, method network" in out
    assert "metropolitan:" in out and "unassigned zones" in out


def test_delineate_od_file_methods_csv(tmp_path):
    from regionalize.synthetic import synthetic_country

    g = synthetic_country(60, seed=0)
    od = g.to_frame().rename(columns={"origin": "home", "destination": "work", "flow": "n"})
    od.to_csv(tmp_path / "od.csv", index=False)
    for method, extra in [("intramax", ["--k", "5"]), ("ttwa", []), ("flowbca", []),
                          ("commuting-zones", [])]:
        folder = tmp_path / f"{method}.csv"
        data = json.loads(_ok(["delineate", str(tmp_path / "od.csv"), "--origin", "home",
                               "--destination", "work", "--flow", "n", "--method", method,
                               *extra, "--out", str(folder), "--json", "-q"]).stdout)
        layer_name = method if method != "commuting-zones" else "commuting_zone"
        layer = data["layers"][layer_name]
        assert layer["areas"] > 0
        if method == "intramax":
            assert layer["areas"] == 5
        zones = pd.read_csv(folder / "zones.csv", dtype=str)
        assert len(zones) == 60 and layer_name in zones.columns


def test_delineate_parquet_folder(tmp_path):
    import geopandas as gpd

    out = tmp_path / "syn.parquet"
    data = json.loads(_ok(["delineate", "synthetic-200", "--out", str(out), "--json"]).stdout)
    assert data["layers"]["metropolitan"]["areas"] > 0
    assert len(gpd.read_parquet(out / "zones.parquet")) == 200


def test_delineate_bad_arguments(tmp_path):
    _bad(["delineate", "atlantis"], "Unknown data set 'atlantis'")
    _bad(["delineate", str(tmp_path / "missing.csv")], "no such file")
    _bad(["delineate", "synthetic-50", "--tau", "1.5"], "--tau must be a share in (0, 1]")
    _bad(["delineate", "synthetic-50", "--method", "kmeans"], "unknown --method 'kmeans'")
    _bad(["delineate", "synthetic-50", "--method", "ttwa", "--tau", "0.2"],
         "only apply to --method network")
    _bad(["delineate", "synthetic-50", "--out", str(tmp_path / "x.shp")],
         "cannot tell the format")
    _bad(["delineate", "synthetic-50", "--centres", "nowhere"], "nowhere")


def test_delineate_bad_columns(tmp_path):
    (tmp_path / "od.csv").write_text("a,b,c\n1,2,3\n")
    _bad(["delineate", str(tmp_path / "od.csv")], "--origin")


# ---------------------------------------------------------------------------- compare
def test_compare_label_files(tmp_path):
    a = _labels_file(tmp_path / "a.csv", {"1": "x", "2": "x", "3": "y", "4": "y"})
    b = _labels_file(tmp_path / "b.csv", {"1": "p", "2": "p", "3": "p", "4": "q"})
    data = json.loads(_ok(["compare", str(a), str(b), "--json"]).stdout)
    assert data["zones"] == 4 and data["areas_a"] == 2 and data["areas_b"] == 2
    assert 0 <= data["nmi"] < 1 and data["zones_differ"] >= 1
    assert not data["weighted"]
    text = _ok(["compare", str(a), str(a)]).stdout
    assert "ARI 1.000" in text and "zones that differ: 0" in text


def test_compare_delineate_outputs_weighted(tmp_path, data_dir):
    for m in ["intramax", "ttwa"]:
        extra = ["--k", "4"] if m == "intramax" else []
        _ok(["delineate", "brindisi-2001", "--method", m, *extra, "--out",
             str(tmp_path / f"{m}.csv"), "-q"])
    # crosswalk maps B's ids to A's: identity here
    (tmp_path / "cw.csv").write_text("b,a\n" + "".join(
        f"{z},{z}\n" for z in pd.read_csv(tmp_path / "ttwa.csv" / "zones.csv", dtype=str).zone))
    data = json.loads(_ok(["compare", str(tmp_path / "intramax.csv" / "zones.csv"),
                           str(tmp_path / "ttwa.csv" / "zones.csv"), "--layer", "intramax",
                           "--layer-b", "ttwa", "--graph", "brindisi-2001", "--crosswalk",
                           str(tmp_path / "cw.csv"), "--json", "-q"]).stdout)
    assert data["weighted"] and data["zones"] == 20
    assert data["areas_a"] == 4 and 0 <= data["ari"] <= 1
    _bad(["compare", str(tmp_path / "intramax.csv" / "zones.csv"),
          str(tmp_path / "ttwa.csv" / "zones.csv"), "--layer", "ttwa"],
         "no label column 'ttwa'")


def test_compare_bad_arguments(tmp_path):
    a = _labels_file(tmp_path / "a.csv", {"1": "x"})
    _bad(["compare", str(a), str(tmp_path / "nope.csv")], "no such file")
    (tmp_path / "bad.csv").write_text("id,label\n1,x\n")
    _bad(["compare", str(a), str(tmp_path / "bad.csv")], "no 'zone' column")
    _bad(["compare", str(a), str(a), "--graph", "atlantis"], "Unknown data set 'atlantis'")


# ---------------------------------------------------------------------------- evaluate
def test_evaluate_grouping(tmp_path, data_dir):
    grouping = tmp_path / "g.csv"
    grouping.write_text("zone,group\n74001,A\n74012,A\n74003,B\n74008,B\n")
    data = json.loads(_ok(["evaluate", "brindisi-2001", str(grouping), "--against-centres",
                           "74001", "--json", "-q"]).stdout)
    assert {g["group"] for g in data["groups"]} == {"A", "B"}
    assert data["pulled"] and all(m["pulled"] for m in data["pulled"])
    assert {"drop", "add"} >= {s["action"] for s in data["suggestions"]}
    text = _ok(["evaluate", "brindisi-2001", str(grouping), "-q"]).stdout
    assert "groups:" in text and "suggestions:" in text


def test_evaluate_bad_arguments(tmp_path):
    grouping = tmp_path / "g.csv"
    grouping.write_text("zone,group\n1,A\n")
    _bad(["evaluate", "synthetic-50", str(tmp_path / "nope.csv")], "no such file")
    _bad(["evaluate", "atlantis", str(grouping)], "Unknown data set 'atlantis'")
    _bad(["evaluate", "synthetic-50", str(grouping), "--tau", "1.5"], "--tau must be")
    (tmp_path / "bad.csv").write_text("zone,area\n1,A\n")
    _bad(["evaluate", "synthetic-50", str(tmp_path / "bad.csv")], "no group column")


# ---------------------------------------------------------------------------- sweep
def test_sweep_table(data_dir):
    result = _ok(["sweep", "brindisi-2001", "--tau", "0.05,0.1,0.2", "--centres", "74001",
                  "--json"])
    data = json.loads(result.stdout)
    assert [r["tau"] for r in data["table"]] == [0.05, 0.1, 0.2]
    assert all(r["n_areas"] == 1 for r in data["table"])
    assert [r["n_assigned"] for r in data["table"]] == sorted(
        (r["n_assigned"] for r in data["table"]), reverse=True)
    assert "sweep" in result.stderr  # progress on stderr, JSON alone on stdout
    quiet = _ok(["sweep", "synthetic-300", "--tau", "0.1,0.2", "--workers", "2", "--quiet"])
    assert quiet.stderr == "" and "n_areas" in quiet.stdout


def test_sweep_bad_arguments():
    _bad(["sweep", "synthetic-50", "--tau", "0.1,1.5"], "--tau must be a share in (0, 1]")
    _bad(["sweep", "synthetic-50", "--tau", "a,b"], "comma-separated numbers")
    _bad(["sweep", "atlantis"], "Unknown data set 'atlantis'")
    _bad(["sweep", "synthetic-50", "--workers", "2", "--scheduler", "tcp://x:1"],
         "either --workers or --scheduler")


def test_sweep_on_dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        data = json.loads(_ok(["sweep", "synthetic-100", "--tau", "0.1,0.2", "--scheduler",
                               cluster.scheduler_address, "--json", "-q"]).stdout)
    assert len(data["table"]) == 2


# ---------------------------------------------------------------------------- stability
def test_stability_least_stable(data_dir):
    data = json.loads(_ok(["stability", "brindisi-2001", "--runs", "8", "--centres", "74001",
                           "--top", "5", "--json", "-q"]).stdout)
    assert data["runs"] == 8 and data["areas"] == 1 and len(data["least_stable"]) == 5
    assert 0 <= data["mean_stability"] <= 1
    stab = [r["stability"] for r in data["least_stable"]]
    assert stab == sorted(stab)
    text = _ok(["stability", "synthetic-100", "--runs", "4", "--workers", "2", "-q"]).stdout
    assert "least stable zones" in text


def test_stability_bad_arguments():
    _bad(["stability", "synthetic-50", "--method", "bootstrap"], "unknown --method")
    _bad(["stability", "synthetic-50", "--method", "moe", "--runs", "2"],
         "no margins of error")
    _bad(["stability", "synthetic-50", "--runs", "0"], "--runs must be")
    _bad(["stability", "synthetic-50", "--tau", "1.5"], "--tau must be")
    _bad(["stability", "atlantis"], "Unknown data set 'atlantis'")


def test_unexpected_error_exit_code(monkeypatch):
    import regionalize._cli_io as cli_io

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli_io, "load_source", boom)
    result = runner.invoke(app, ["delineate", "synthetic-50"])
    assert result.exit_code == 1
    assert "error: unexpected RuntimeError: kaboom" in result.stderr


# ------------------------------------------------------------- the installed entry point
@pytest.mark.parametrize("argv, message", [
    (["delineate", "synthetic-50", "--bogus"], "No such option: --bogus"),
    (["delineate"], "Missing argument 'source'"),
    (["delineate", "synthetic-50", "--tau", "abc"], "Invalid value for '--tau'"),
    (["stability", "synthetic-50", "--runs", "many"], "Invalid value for '--runs'"),
    (["frobnicate"], "No such command 'frobnicate'"),
])
def test_main_usage_errors_are_one_line_exit_2(capsys, argv, message):
    from regionalize.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line a script can grep, no box
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "--help" in lines[0]


def test_main_input_errors_and_success_exit_codes(capsys, tmp_path):
    from regionalize.cli import main

    assert main(["delineate", "atlantis"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown data set 'atlantis'")
    assert main(["--help"]) == 0
    assert "Usage: regionalize" in capsys.readouterr().out
    assert main(["delineate", "synthetic-60", "--quiet"]) == 0


def test_global_json_and_quiet_apply_to_every_command(capsys):
    from regionalize.cli import main

    assert main(["--json", "--quiet", "delineate", "synthetic-80"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)  # only JSON on stdout
    assert data["zones"] == 80 and out.err == ""
    assert main(["--json", "datasets", "list"]) == 0
    assert "datasets" in json.loads(capsys.readouterr().out)
    # without the global flag the same command prints text and progress
    assert main(["delineate", "synthetic-80"]) == 0
    out = capsys.readouterr()
    assert not out.out.lstrip().startswith("{") and "80 zones" in out.err


# ------------------------------------------------------------- delineate --zones
def _od_and_polygons(tmp_path):
    g = rz.synthetic_country(150, seed=2)
    od = tmp_path / "od.csv"
    g.to_frame().to_csv(od, index=False)
    layer = g.geometry.reset_index().rename(columns={g.geometry.index.name or "index": "code"})
    layer["label"] = "zone " + layer["code"].astype(str)
    polygons = tmp_path / "zones.geojson"
    layer[["label", "code", "geometry"]].to_file(polygons, driver="GeoJSON")
    return g, od, polygons


def test_delineate_od_file_with_zone_polygons(tmp_path):
    import geopandas as gpd

    g, od, polygons = _od_and_polygons(tmp_path)
    out = tmp_path / "areas.gpkg"
    result = runner.invoke(app, ["delineate", str(od), "--zones", str(polygons), "--out",
                                 str(out), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["zones"] == 150 and data["format"] == "gpkg"
    written = gpd.read_file(out, layer="zones")
    assert len(written) == 150 and written.geometry.notna().all()
    # the id column was found by its values (not the first column, which is a label)
    result = runner.invoke(app, ["delineate", str(od), "--zones", str(polygons), "--zone-id",
                                 "code", "--quiet"])
    assert result.exit_code == 0, result.output


def test_delineate_zone_polygons_bad_arguments(tmp_path):
    _, od, polygons = _od_and_polygons(tmp_path)
    result = runner.invoke(app, ["delineate", str(od), "--zones", str(polygons), "--zone-id",
                                 "nope"])
    assert result.exit_code == 2
    assert "--zone-id 'nope' is not a column" in result.output
    result = runner.invoke(app, ["delineate", str(od), "--zone-id", "code"])
    assert result.exit_code == 2 and "only applies with --zones" in result.output
    result = runner.invoke(app, ["delineate", str(od), "--zones", str(tmp_path / "no.gpkg")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_progress_lines_per_layer_unless_quiet(capsys):
    from regionalize.cli import main

    assert main(["delineate", "synthetic-120"]) == 0
    err = capsys.readouterr().err
    for layer in ("metropolitan", "urban", "megaregion"):
        assert any(line.startswith(f"{layer}: ") and line.endswith(" s)")
                   for line in err.splitlines()), err
    assert main(["delineate", "synthetic-120", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
