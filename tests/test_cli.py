"""The command line and the main job behind `make demo`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import regionalize as rz
from regionalize.cli import app

runner = CliRunner()


def test_demo_on_synthetic_country(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--dataset", "synthetic-300", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = _result(result, "demo")  # progress goes to stderr
    assert "metropolitan: " in result.stderr
    assert sorted(Path(f).name for f in json.loads(result.stdout)["files"]) == sorted(
        summary["files"]
    )
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
    assert summary["hierarchy"] == (
        "<Hierarchy over 159 zones: megaregion=4, metropolitan=5, urban=23>"
    )
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


def _result(result, command: str) -> dict:
    """The command's own keys from the shared JSON shape (checked on the way)."""
    data = json.loads(result.stdout)
    assert set(data) == {"command", "ok", "result", "files", "warnings"}, data.keys()
    assert data["command"] == command and data["ok"] is True
    assert isinstance(data["files"], list) and isinstance(data["warnings"], list)
    return data["result"]


def _labels_file(path, labels):
    path.write_text("zone,label\n" + "".join(f"{z},{v}\n" for z, v in labels.items()))
    return path


# ---------------------------------------------------------------------------- datasets
def test_datasets_list_json():
    data = _result(_ok(["datasets", "list", "--json"]), "datasets list")
    assert "brindisi-2001" in {d["name"] for d in data["datasets"]}


def test_datasets_describe(data_dir):
    out = _ok(["datasets", "describe", "brindisi-2001"]).stdout
    assert "20 zones" in out and "municipalities of the province of Brindisi" in out
    data = _result(_ok(["datasets", "describe", "korea-ktdb-sigun", "--json"]), "datasets describe")
    assert data["zones"] == 159 and any("diagonal" in q for q in data["quirks"])
    assert "The diagonal is zero" in data["doc"]


def test_datasets_describe_unknown():
    _bad(["datasets", "describe", "atlantis"], "Unknown data set 'atlantis'")


# ---------------------------------------------------------------------------- delineate
def test_delineate_network_gpkg(tmp_path, data_dir):
    import geopandas as gpd

    out = tmp_path / "sub" / "brindisi.gpkg"
    result = _ok(
        [
            "delineate",
            "brindisi-2001",
            "--centres",
            "74001",
            "--tau",
            "0.1",
            "--out",
            str(out),
            "--json",
        ]
    )
    data = _result(result, "delineate")
    assert data["zones"] == 20 and data["format"] == "gpkg"
    assert json.loads(result.stdout)["files"] == [str(out)]
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
    for method, extra in [
        ("intramax", ["--k", "5"]),
        ("ttwa", []),
        ("flowbca", []),
        ("commuting-zones", []),
    ]:
        out = tmp_path / f"{method}.csv"
        data = _result(
            _ok(
                [
                    "delineate",
                    str(tmp_path / "od.csv"),
                    "--origin",
                    "home",
                    "--destination",
                    "work",
                    "--flow",
                    "n",
                    "--method",
                    method,
                    *extra,
                    "--out",
                    str(out),
                    "--json",
                    "-q",
                ]
            ),
            "delineate",
        )
        layer_name = method if method != "commuting-zones" else "commuting_zone"
        layer = data["layers"][layer_name]
        assert layer["areas"] > 0
        if method == "intramax":
            assert layer["areas"] == 5
        assert out.is_file() and data["format"] == "csv"  # one file, not a folder
        zones = pd.read_csv(out, dtype=str)
        assert len(zones) == 60
        assert list(zones.columns) == ["zone", layer_name, f"{layer_name}_name"]  # no names


def test_delineate_parquet_folder(tmp_path):
    import geopandas as gpd

    out = tmp_path / "syn.parquet"
    data = _result(_ok(["delineate", "synthetic-200", "--out", str(out), "--json"]), "delineate")
    assert data["layers"]["metropolitan"]["areas"] > 0 and data["format"] == "parquet"
    assert len(gpd.read_parquet(out / "zones.parquet")) == 200


def test_delineate_bad_arguments(tmp_path):
    _bad(["delineate", "atlantis"], "Unknown data set 'atlantis'")
    _bad(["delineate", str(tmp_path / "missing.csv")], "no such file")
    _bad(["delineate", "synthetic-50", "--tau", "1.5"], "--tau must be a share in (0, 1]")
    _bad(["delineate", "synthetic-50", "--method", "kmeans"], "unknown --method 'kmeans'")
    _bad(
        ["delineate", "synthetic-50", "--method", "ttwa", "--tau", "0.2"],
        "only apply to --method network",
    )
    _bad(["delineate", "synthetic-50", "--out", str(tmp_path / "x.shp")], "cannot tell the format")
    _bad(["delineate", "synthetic-50", "--centres", "nowhere"], "nowhere")


def test_delineate_bad_columns(tmp_path):
    (tmp_path / "od.csv").write_text("a,b,c\n1,2,3\n")
    _bad(["delineate", str(tmp_path / "od.csv")], "--origin")


# ---------------------------------------------------------------------------- compare
def test_compare_label_files(tmp_path):
    a = _labels_file(tmp_path / "a.csv", {"1": "x", "2": "x", "3": "y", "4": "y"})
    b = _labels_file(tmp_path / "b.csv", {"1": "p", "2": "p", "3": "p", "4": "q"})
    data = _result(_ok(["compare", str(a), str(b), "--json"]), "compare")
    assert data["zones"] == 4 and data["areas_a"] == 2 and data["areas_b"] == 2
    assert 0 <= data["nmi"] < 1 and data["zones_differ"] >= 1
    assert not data["weighted"]
    text = _ok(["compare", str(a), str(a)]).stdout
    assert "ARI 1.000" in text and "zones that differ: 0" in text


def test_compare_delineate_outputs_weighted(tmp_path, data_dir):
    for m in ["intramax", "ttwa"]:
        extra = ["--k", "4"] if m == "intramax" else []
        _ok(
            [
                "delineate",
                "brindisi-2001",
                "--method",
                m,
                *extra,
                "--out",
                str(tmp_path / f"{m}.csv"),
                "-q",
            ]
        )
    # crosswalk maps B's ids to A's: identity here
    (tmp_path / "cw.csv").write_text(
        "b,a\n" + "".join(f"{z},{z}\n" for z in pd.read_csv(tmp_path / "ttwa.csv", dtype=str).zone)
    )
    data = _result(
        _ok(
            [
                "compare",
                str(tmp_path / "intramax.csv"),
                str(tmp_path / "ttwa.csv"),
                "--layer",
                "intramax",
                "--layer-b",
                "ttwa",
                "--graph",
                "brindisi-2001",
                "--crosswalk",
                str(tmp_path / "cw.csv"),
                "--json",
                "-q",
            ]
        ),
        "compare",
    )
    assert data["weighted"] and data["zones"] == 20
    assert data["areas_a"] == 4 and 0 <= data["ari"] <= 1
    _bad(
        ["compare", str(tmp_path / "intramax.csv"), str(tmp_path / "ttwa.csv"), "--layer", "ttwa"],
        "no label column 'ttwa'",
    )


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
    data = _result(
        _ok(
            [
                "evaluate",
                "brindisi-2001",
                str(grouping),
                "--against-centres",
                "74001",
                "--json",
                "-q",
            ]
        ),
        "evaluate",
    )
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
    result = _ok(
        ["sweep", "brindisi-2001", "--tau", "0.05,0.1,0.2", "--centres", "74001", "--json"]
    )
    data = _result(result, "sweep")
    assert [r["tau"] for r in data["table"]] == [0.05, 0.1, 0.2]
    assert all(r["n_areas"] == 1 for r in data["table"])
    assert [r["n_assigned"] for r in data["table"]] == sorted(
        (r["n_assigned"] for r in data["table"]), reverse=True
    )
    assert "sweep" in result.stderr  # progress on stderr, JSON alone on stdout
    quiet = _ok(["sweep", "synthetic-300", "--tau", "0.1,0.2", "--workers", "2", "--quiet"])
    assert quiet.stderr == "" and "n_areas" in quiet.stdout


def test_sweep_bad_arguments():
    _bad(["sweep", "synthetic-50", "--tau", "0.1,1.5"], "--tau must be a share in (0, 1]")
    _bad(["sweep", "synthetic-50", "--tau", "a,b"], "comma-separated numbers")
    _bad(["sweep", "atlantis"], "Unknown data set 'atlantis'")
    _bad(
        ["sweep", "synthetic-50", "--workers", "2", "--scheduler", "tcp://x:1"],
        "either --workers or --scheduler",
    )


def test_sweep_on_dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        data = _result(
            _ok(
                [
                    "sweep",
                    "synthetic-100",
                    "--tau",
                    "0.1,0.2",
                    "--scheduler",
                    cluster.scheduler_address,
                    "--json",
                    "-q",
                ]
            ),
            "sweep",
        )
    assert len(data["table"]) == 2


# ---------------------------------------------------------------------------- stability
def test_stability_least_stable(data_dir):
    data = _result(
        _ok(
            [
                "stability",
                "brindisi-2001",
                "--runs",
                "8",
                "--centres",
                "74001",
                "--top",
                "5",
                "--json",
                "-q",
            ]
        ),
        "stability",
    )
    assert data["runs"] == 8 and data["areas"] == 1 and len(data["least_stable"]) == 5
    assert 0 <= data["mean_stability"] <= 1
    stab = [r["stability"] for r in data["least_stable"]]
    assert stab == sorted(stab)
    text = _ok(["stability", "synthetic-100", "--runs", "4", "--workers", "2", "-q"]).stdout
    assert "least stable zones" in text


def test_stability_bad_arguments():
    _bad(["stability", "synthetic-50", "--method", "bootstrap"], "unknown --method")
    _bad(["stability", "synthetic-50", "--method", "moe", "--runs", "2"], "no margins of error")
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
@pytest.mark.parametrize(
    "argv, message",
    [
        (["delineate", "synthetic-50", "--bogus"], "No such option: --bogus"),
        (["delineate"], "Missing argument 'source'"),
        (["delineate", "synthetic-50", "--tau", "abc"], "Invalid value for '--tau'"),
        (["stability", "synthetic-50", "--runs", "many"], "Invalid value for '--runs'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
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
    assert data["result"]["zones"] == 80 and out.err == ""
    assert main(["--json", "datasets", "list"]) == 0
    assert "datasets" in json.loads(capsys.readouterr().out)["result"]
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
    result = runner.invoke(
        app,
        ["delineate", str(od), "--zones", str(polygons), "--out", str(out), "--json", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    data = _result(result, "delineate")
    assert data["zones"] == 150 and data["format"] == "gpkg"
    written = gpd.read_file(out, layer="zones")
    assert len(written) == 150 and written.geometry.notna().all()
    # the id column was found by its values (not the first column, which is a label)
    result = runner.invoke(
        app, ["delineate", str(od), "--zones", str(polygons), "--zone-id", "code", "--quiet"]
    )
    assert result.exit_code == 0, result.output


def test_delineate_zone_polygons_bad_arguments(tmp_path):
    _, od, polygons = _od_and_polygons(tmp_path)
    result = runner.invoke(
        app, ["delineate", str(od), "--zones", str(polygons), "--zone-id", "nope"]
    )
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
        assert any(
            line.startswith(f"{layer}: ") and line.endswith(" s)") for line in err.splitlines()
        ), err
    assert main(["delineate", "synthetic-120", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------- conventions: version, help
def test_version(capsys):
    from regionalize import __version__
    from regionalize.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"regionalize {__version__}"


COMMANDS = [
    [],
    ["report"],
    ["demo"],
    ["delineate"],
    ["compare"],
    ["evaluate"],
    ["sweep"],
    ["stability"],
    ["datasets"],
    ["datasets", "list"],
    ["datasets", "describe"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "regionalize")
def test_short_and_long_help_for_every_command(capsys, command):
    from regionalize.cli import main

    texts = []
    for flag in ("-h", "--help"):
        assert main([*command, flag]) == 0
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1] and texts[0].startswith("Usage: ")
    assert "-h, --help" in texts[0]
    # boolean options are flags: no value shown after them
    assert "<bool>" not in texts[0]
    if command and command[0] in ("delineate", "report", "sweep"):
        assert re.search(r"^\s+--json\s{2,}Print only JSON", texts[0], re.M), texts[0]
        assert re.search(r"^\s+-q, --quiet\s{2,}No progress", texts[0], re.M), texts[0]


# ------------------------------------------------------------- conventions: one JSON shape
def _od_file(tmp_path, n=60):
    g = rz.synthetic_country(n, seed=0)
    od = tmp_path / "od.csv"
    g.to_frame().to_csv(od, index=False)
    return g, od


def test_every_command_json_has_the_shared_shape(tmp_path, capsys):
    from regionalize.cli import main

    g, od = _od_file(tmp_path)
    ids = list(g.ids)
    labels = _labels_file(
        tmp_path / "a.csv", {z: "x" if i < 30 else "y" for i, z in enumerate(ids)}
    )
    grouping = tmp_path / "g.csv"
    grouping.write_text("zone,group\n" + "".join(f"{z},G\n" for z in ids[:5]))
    cases = [
        (["datasets", "list"], "datasets list"),
        (["datasets", "describe", "brindisi-2001"], "datasets describe"),
        (["delineate", str(od), "--out", str(tmp_path / "areas.csv")], "delineate"),
        (["report", str(od), "--out", str(tmp_path / "rep")], "report"),
        (["demo", "--dataset", "synthetic-60", "--out", str(tmp_path / "demo")], "demo"),
        (["compare", str(labels), str(labels)], "compare"),
        (["evaluate", str(od), str(grouping)], "evaluate"),
        (["sweep", str(od), "--tau", "0.1,0.2"], "sweep"),
        (["stability", str(od), "--runs", "2"], "stability"),
    ]
    for args, command in cases:
        for argv in ([*args, "--json", "-q"], ["--json", "-q", *args]):
            assert main(argv) == 0, argv
            out = capsys.readouterr()
            data = json.loads(out.out)  # only JSON on stdout, nothing on stderr
            assert out.err == "", out.err
            assert set(data) == {"command", "ok", "result", "files", "warnings"}
            assert data["command"] == command and data["ok"] is True
            assert isinstance(data["result"], dict) and data["warnings"] == []
            for f in data["files"]:
                assert Path(f).is_file(), f
            if command in ("delineate", "report", "demo"):
                assert data["files"]
            else:
                assert data["files"] == []


def test_json_on_failure_says_ok_false(capsys):
    from regionalize.cli import main

    assert main(["delineate", "atlantis", "--json"]) == 2
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert data["ok"] is False and data["result"] is None and data["command"] == "delineate"
    assert data["error"].startswith("Unknown data set 'atlantis'")
    assert out.err.strip().splitlines()[-1].startswith("error: Unknown data set")


@pytest.mark.filterwarnings("default::UserWarning")
def test_warnings_go_to_stderr_and_json(monkeypatch, capsys):
    import warnings

    import regionalize._cli_io as cli_io
    from regionalize.cli import main

    real = cli_io.load_source

    def noisy(*args, **kwargs):
        warnings.warn("3 zones have no outgoing flows", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_io, "load_source", noisy)
    assert main(["delineate", "synthetic-60", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["warnings"] == ["3 zones have no outgoing flows"]
    assert "warning: 3 zones have no outgoing flows" in out.err
    assert main(["delineate", "synthetic-60", "--json", "-q"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and json.loads(out.out)["warnings"]


# ------------------------------------------------------------- delineate --out
INJECT = (
    'origin,destination,flow\n=HYPERLINK("x"),=HYPERLINK("x"),50\n'
    '=HYPERLINK("x"),+1,10\n+1,+1,40\n+1,=HYPERLINK("x"),5\n02,02,30\n02,+1,3\n'
)


def test_delineate_out_csv_is_one_table_with_formulas_escaped(tmp_path):
    od = tmp_path / "od.csv"
    od.write_text(INJECT)
    out = tmp_path / "sub" / "areas.csv"  # a missing folder is created
    result = _ok(
        ["delineate", str(od), "--out", str(out), "--method", "intramax", "--k", "2", "-q"]
    )
    assert f"wrote {out} (one row per zone)" in result.stdout
    assert out.is_file()
    text = out.read_text()
    assert text.splitlines()[0] == "zone,intramax,intramax_name"
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert sorted(table.zone) == sorted(['\'=HYPERLINK("x")', "'+1", "02"])
    assert not table.apply(lambda c: c.str.match(r"^[=+\-@]")).any().any()
    # --raw-csv: the values as they are
    _ok(
        [
            "delineate",
            str(od),
            "--out",
            str(out),
            "--method",
            "intramax",
            "--k",
            "2",
            "-q",
            "--raw-csv",
        ]
    )
    raw = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert sorted(raw.zone) == sorted(['=HYPERLINK("x")', "+1", "02"])


def test_delineate_out_csv_has_names_and_every_layer(tmp_path):
    out = tmp_path / "zones.csv"
    _ok(["delineate", "synthetic-120", "--out", str(out), "-q"])
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "zone",
        "name",
        "megaregion",
        "megaregion_name",
        "metropolitan",
        "metropolitan_name",
        "urban",
        "urban_name",
    ]
    assert len(table) == 120 and table.zone.str.len().eq(6).all()  # leading zeros kept
    g = rz.synthetic_country(120, seed=0)
    assert list(table.name) == list(g.zones["name"])
    assert (table.metropolitan == "").any()  # unassigned zones: empty cells


@pytest.mark.parametrize("how", ["slash", "existing", "no-suffix", "format"])
def test_delineate_out_folder_of_csv_tables_only_when_asked(tmp_path, how):
    if how == "slash":
        args, folder = ["--out", str(tmp_path / "areas.csv") + "/"], tmp_path / "areas.csv"
    elif how == "existing":
        (tmp_path / "runs").mkdir()
        args, folder = ["--out", str(tmp_path / "runs")], tmp_path / "runs"
    elif how == "no-suffix":
        args, folder = ["--out", str(tmp_path / "runs")], tmp_path / "runs"
    else:
        args, folder = (
            ["--out", str(tmp_path / "x.csv"), "--format", "csv-folder"],
            tmp_path / "x.csv",
        )
    data = _result(_ok(["delineate", "synthetic-80", *args, "--json", "-q"]), "delineate")
    assert data["format"] == "csv-folder" and folder.is_dir()
    names = {Path(f).name for f in data["files"]}
    assert {"zones.csv", "metropolitan_areas.csv", "run.json"} <= names
    back = rz.io.read_hierarchy(folder, rz.synthetic_country(80, seed=0))
    assert back.layers == ("megaregion", "metropolitan", "urban")


def test_delineate_out_checked_before_computing(tmp_path, monkeypatch):
    import regionalize._cli_io as cli_io

    def no_work(*a, **k):
        raise AssertionError("the data was read before --out was checked")

    monkeypatch.setattr(cli_io, "load_source", no_work)
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir.csv").mkdir()
    _bad(
        ["delineate", "synthetic-60", "--out", str(tmp_path / "file" / "x.csv")],
        "is a file, not a folder",
    )
    _bad(
        ["delineate", "synthetic-60", "--out", str(tmp_path / "x.gpkg") + "/"],
        "a GeoPackage is one file",
    )
    _bad(["delineate", "synthetic-60", "--out", str(tmp_path / "x.txt")], "cannot tell the format")
    _bad(["delineate", "synthetic-60", "--format", "csv"], "--format applies to --out")
    _bad(
        ["delineate", "synthetic-60", "--out", str(tmp_path / "a.csv"), "--format", "xls"],
        "unknown --format 'xls'",
    )


# ------------------------------------------------------------- every parameter reachable
METHOD_FLAGS = [
    "--method",
    "--tau",
    "--max-order",
    "--centres",
    "--centres-file",
    "--min-size",
    "--min-size-share",
    "--min-job-ratio",
    "--ttwa-preset",
    "--min-sc",
    "--target-size",
    "--target-sc",
    "--k",
    "--min-objective",
    "--cutoff",
]
READING_FLAGS = [
    "--matrix",
    "--rows",
    "--sep",
    "--encoding",
    "--thousands",
    "--decimal",
    "--skiprows",
    "--sheet",
    "--footer",
    "--totals",
    "--suppressed",
    "--duplicates",
    "--id-width",
    "--id-collisions",
    "--names",
    "--names-id",
    "--names-column",
]


@pytest.mark.parametrize(
    "command", ["delineate", "report", "evaluate", "sweep", "stability", "compare"]
)
def test_every_command_that_reads_takes_the_reading_options(capsys, command):
    from regionalize.cli import main

    assert main([command, "-h"]) == 0
    text = capsys.readouterr().out
    flags = set(re.findall(r"(--[a-z][a-z-]*)", text))
    assert set(READING_FLAGS) <= flags, set(READING_FLAGS) - flags
    assert ("--missing-geometry" in flags) == (command in ("delineate", "report"))
    if command in ("delineate", "report"):
        assert set(METHOD_FLAGS) <= flags, set(METHOD_FLAGS) - flags


def test_method_parameters_reach_the_methods(tmp_path):
    g, od = _od_file(tmp_path, 80)
    data = _result(
        _ok(
            [
                "delineate",
                str(od),
                "--min-size-share",
                "0.05",
                "--min-job-ratio",
                "none",
                "--json",
                "-q",
            ]
        ),
        "delineate",
    )
    rule = data["layers"]["metropolitan"]["centre_rule"]
    assert rule["min_size_share"] == 0.05 and rule["min_job_ratio"] is None
    assert data["layers"]["metropolitan"]["centre_rule_text"].startswith(f"{rule['found']} centre")
    h = rz.delineate(
        rz.read_flows(od), metropolitan={"min_size_share": 0.05, "min_job_ratio": None}
    )
    assert data["layers"]["metropolitan"]["areas"] == h["metropolitan"].n_areas
    for args, layer, n in [
        (["--method", "intramax", "--k", "4"], "intramax", 4),
        (["--method", "ttwa", "--ttwa-preset", "istat2011", "--min-size", "500"], "ttwa", None),
        (["--method", "commuting-zones", "--cutoff", "0.5"], "commuting_zone", None),
    ]:
        data = _result(_ok(["delineate", str(od), *args, "--json", "-q"]), "delineate")
        assert list(data["layers"]) == [layer]
        assert n is None or data["layers"][layer]["areas"] == n
        if layer == "ttwa":  # the same areas as the Python call with the same parameters
            ttwa = rz.methods.labour_market_areas(
                rz.read_flows(od), preset="istat2011", min_size=500
            )
            assert data["layers"]["ttwa"]["areas"] == ttwa.n_areas


def test_an_empty_layer_says_why_in_text_and_json(tmp_path):
    g, od = _od_file(tmp_path)
    result = _ok(["delineate", str(od), "--min-size-share", "1"])
    assert re.search(
        r"^metropolitan: 0 areas, 60 unassigned zones: no centre was found", result.stdout, re.M
    ), result.stdout
    assert "warning: " in result.stderr
    result = _ok(["delineate", str(od), "--min-size-share", "1", "--json", "-q"])
    data = _result(result, "delineate")
    assert data["layers"]["metropolitan"]["empty_reason"].startswith("no centre was found")
    assert json.loads(result.stdout)["warnings"]


def test_a_centre_rule_replaces_a_presets_centres(data_dir):
    data = _result(
        _ok(["delineate", "korea-ktdb-sigun", "--min-size-share", "0.05", "--json", "-q"]),
        "delineate",
    )
    assert "found" in data["layers"]["metropolitan"]["centre_rule_text"]
    data = _result(_ok(["delineate", "korea-ktdb-sigun", "--json", "-q"]), "delineate")
    assert "given" in data["layers"]["metropolitan"]["centre_rule_text"]


def test_workers_beyond_the_machine_are_refused_in_cli_terms():
    from regionalize.stability import MAX_WORKERS

    _bad(
        ["sweep", "synthetic-50", "--workers", str(MAX_WORKERS + 1)],
        f"--workers must be between 1 and {MAX_WORKERS} (32 per core here)",
    )
    _bad(["stability", "synthetic-50", "--workers", "0"], "--workers must be between 1")


def test_compare_graph_takes_its_own_columns_and_reading_options(tmp_path):
    g, od = _od_file(tmp_path)
    renamed = tmp_path / "renamed.csv"
    g.to_frame().rename(columns={"origin": "home", "destination": "work", "flow": "n"}).to_csv(
        renamed, index=False, sep=";"
    )
    labels = tmp_path / "labels.csv"
    pd.DataFrame({"zone": list(g.ids), "label": ["a"] * 30 + ["b"] * 30}).to_csv(
        labels, index=False
    )
    result = _bad(["compare", str(labels), str(labels), "--graph", str(renamed)], "--origin")
    assert "origin=" not in result.stderr
    out = _ok(
        [
            "compare",
            str(labels),
            str(labels),
            "--graph",
            str(renamed),
            "--origin",
            "home",
            "--destination",
            "work",
            "--flow",
            "n",
            "--sep",
            ";",
        ]
    ).stdout
    assert "weighted by residents" in out
    _bad(["compare", str(labels), str(labels), "--origin", "home"], "only applies with --graph")


def test_method_parameters_are_checked_before_any_data_is_read(tmp_path, capsys, monkeypatch):
    from regionalize import _cli_io
    from regionalize.cli import main

    def no_work(*a, **k):
        raise AssertionError("the data was read before the options were checked")

    monkeypatch.setattr(_cli_io, "load_source", no_work)
    centres = tmp_path / "centres.txt"
    centres.write_text("01\n")
    for args, message in [
        (["--method", "intramax"], "--method intramax needs a stop rule: --k N"),
        (["--method", "intramax", "--min-objective", "-1"], "--min-objective"),
        (["--method", "ttwa", "--min-size", "30000"], "must be below --target-size"),
        (["--method", "ttwa", "--ttwa-preset", "fr"], "unknown --ttwa-preset 'fr'"),
        (["--method", "commuting-zones", "--cutoff", "1.5"], "--cutoff must be in [0, 1]"),
        (["--centres", "01", "--centres-file", str(centres)], "not both"),
        (["--centres-file", str(tmp_path / "nope.txt")], "no such file"),
        (["--min-size-share", "0.1", "--centres", "01"], "drop one or the other"),
        (["--min-job-ratio", "x"], "--min-job-ratio must be a number or none"),
        (
            ["--method", "leiden", "--min-sc", "0.5", "--cutoff", "0.5"],
            "options that only apply to --method ttwa: --min-sc; to --method commuting-zones: "
            "--cutoff; drop them for --method leiden.",
        ),
        (["--missing-geometry", "keep"], "only applies with --zones"),
    ]:
        for command in (
            ["delineate", "synthetic-60"],
            ["report", "synthetic-60", "--out", str(tmp_path / "r")],
        ):
            assert main([*command, *args]) == 2, args
            err = capsys.readouterr().err
            assert err.startswith("error: ") and message in err, err
