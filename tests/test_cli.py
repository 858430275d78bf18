"""The command line and the main job behind `make demo`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from regionalize.cli import app

runner = CliRunner()


def test_demo_on_synthetic_country(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--dataset", "synthetic-300", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
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
