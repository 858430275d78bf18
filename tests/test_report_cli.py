"""`regionalize report INPUT`: the planner's outputs for any input (and `demo`, its alias on
the embedded default)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import regionalize as rz
from regionalize.cli import main


class _Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.images, self.hrefs = [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        if "href" in a:
            self.hrefs.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)

    @property
    def joined(self) -> str:
        return " ".join(self.text)


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, out.err
    return out


@pytest.fixture(scope="module")
def od_file(tmp_path_factory):
    """A synthetic country's flows as a plain OD table (no names, no polygons), with renamed
    columns, and a GeoPackage of squares for its zones (one per zone, on a grid)."""
    folder = tmp_path_factory.mktemp("od")
    g = rz.synthetic_country(100, seed=3)
    od = folder / "commuting.csv"
    g.to_frame().rename(columns={"origin": "home", "destination": "work", "flow": "n"}).to_csv(
        od, index=False
    )
    side = 10
    squares = gpd.GeoDataFrame(
        {
            "code": list(g.ids),
            "geometry": [
                box(
                    5000 * (i % side),
                    5000 * (i // side),
                    5000 * (i % side + 1),
                    5000 * (i // side + 1),
                )
                for i in range(g.n_zones)
            ],
        },
        crs="EPSG:3035",
    )
    polygons = folder / "squares.gpkg"
    squares.to_file(polygons, driver="GPKG")
    return g, od, polygons


COLUMNS = ["--origin", "home", "--destination", "work", "--flow", "n"]


def test_report_on_a_synthetic_country(tmp_path, capsys):
    out = tmp_path / "rep"
    text = _run(["report", "synthetic-300", "--out", str(out)], capsys)
    assert "synthetic-300-seed0: 300 zones" in text.out
    assert f"open {out / 'report.html'}" in text.out
    assert "metropolitan: " in text.err  # progress on stderr
    for name in [
        "summary.md",
        "summary.json",
        "hierarchy.gpkg",
        "map.png",
        "flows.png",
        "map.html",
        "report.html",
    ]:
        assert (out / name).stat().st_size > 0, name
    page = _Page((out / "report.html").read_text(encoding="utf-8"))
    assert len(page.images) == 2 and "Glossary" in page.text
    assert "centres found by the size rule: at least" in page.joined
    assert page.hrefs == ["map.html", "hierarchy.gpkg"]


def test_report_on_a_csv_od_file_without_polygons(od_file, tmp_path, capsys):
    g, od, _ = od_file
    out = tmp_path / "rep"
    result = json.loads(
        _run(["report", str(od), *COLUMNS, "--out", str(out), "--json", "-q"], capsys).out
    )
    assert result["command"] == "report" and result["ok"]
    names = {p.rsplit("/", 1)[-1] for p in result["files"]}
    assert {"zones.csv", "run.json", "report.html", "summary.md", "summary.json"} <= names
    assert not (out / "map.png").exists() and not (out / "hierarchy.gpkg").exists()
    assert result["result"]["zones"] == 100 and result["result"]["source"] == str(od)
    page = _Page((out / "report.html").read_text(encoding="utf-8"))
    assert page.images == [] and page.hrefs == ["zones.csv"]
    # members by id (the OD file has no names), in collapsible lists
    assert page.tags.count("details") >= sum(
        h_layer["areas"] for h_layer in result["result"]["layers"].values()
    )
    some_zone = g.ids[0]
    assert any(some_zone in t for t in page.text)
    # the folder reloads the run
    back = rz.io.read_hierarchy(out, rz.io.read_flows(od, "home", "work", "n"))
    assert back.layers == ("megaregion", "metropolitan", "urban")


def test_report_with_zone_polygons(od_file, tmp_path, capsys):
    _, od, polygons = od_file
    out = tmp_path / "rep"
    _run(["report", str(od), *COLUMNS, "--zones", str(polygons), "--out", str(out), "-q"], capsys)
    for name in ["hierarchy.gpkg", "map.png", "flows.png", "map.html", "report.html"]:
        assert (out / name).stat().st_size > 0, name
    zones = gpd.read_file(out / "hierarchy.gpkg", layer="zones")
    assert len(zones) == 100 and zones.geometry.notna().all()
    page = _Page((out / "report.html").read_text(encoding="utf-8"))
    assert len(page.images) == 2
    assert "sw" in (out / "report.html").read_text()  # colour squares: the maps' colours


def test_report_with_another_method(od_file, tmp_path, capsys):
    _, od, _ = od_file
    out = tmp_path / "lma"
    _run(["report", str(od), *COLUMNS, "--method", "ttwa", "--out", str(out), "-q"], capsys)
    page = _Page((out / "report.html").read_text(encoding="utf-8"))
    assert "Layer ttwa:" in page.joined and "min_sc" in page.text


def test_report_default_folder_is_named_after_the_input(od_file, tmp_path, capsys, monkeypatch):
    _, od, _ = od_file
    monkeypatch.chdir(tmp_path)
    out = _run(["report", str(od), *COLUMNS, "-q"], capsys).out
    assert (tmp_path / "outputs" / "commuting" / "report.html").is_file()
    assert "outputs/commuting/" in out


def test_report_checks_options_and_out_before_reading(tmp_path, capsys, monkeypatch):
    from regionalize import _cli_io

    def no_work(*a, **k):
        raise AssertionError("the data was read before the options were checked")

    monkeypatch.setattr(_cli_io, "load_source", no_work)
    (tmp_path / "file").write_text("x")
    for argv, message in [
        (["report", "synthetic-60", "--out", str(tmp_path / "file")], "is a file"),
        (
            ["report", "synthetic-60", "--method", "ttwa", "--tau", "0.2"],
            "only apply to --method network",
        ),
        (["report", "synthetic-60", "--zone-id", "code"], "only applies with --zones"),
        (["report", "synthetic-60", "--method", "kmeans"], "unknown --method"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err, err


def test_demo_is_report_on_the_default(tmp_path, capsys):
    _run(["demo", "--dataset", "synthetic-150", "--out", str(tmp_path / "demo")], capsys)
    _run(["report", "synthetic-150", "--out", str(tmp_path / "report")], capsys)
    demo = sorted(p.name for p in (tmp_path / "demo").iterdir())
    report = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert demo == report
    a = json.loads((tmp_path / "demo" / "summary.json").read_text())
    b = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert a["hierarchy"] == b["hierarchy"] and a["layers"] == b["layers"]


def test_report_centres_option_is_given_in_the_report(tmp_path, capsys):
    g = rz.synthetic_country(150, seed=0)
    big = g.summary()["inflows"].nlargest(2).index
    out = tmp_path / "rep"
    _run(["report", "synthetic-150", "--centres", ",".join(big), "--out", str(out), "-q"], capsys)
    text = _Page((out / "report.html").read_text(encoding="utf-8")).joined
    assert "2 centres given:" in text
    assert "(not used: the centres were given)" in text
    summary = pd.read_json(out / "summary.json", typ="series")
    assert "metropolitan=2" in summary["hierarchy"]
