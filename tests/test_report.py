"""The outputs of the main job: PNG maps, the interactive map, the HTML report, the GeoPackage."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import regionalize as rz
from regionalize._demo import run_demo


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.images = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs).get("src", ""))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary = run_demo(out, "synthetic-300")
    return out, summary


def test_png_maps_are_real_images(demo):
    out, _ = demo
    for name in ["map.png", "flows.png"]:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_report_parses_and_embeds_the_maps(demo):
    out, summary = demo
    p = _Collect()
    p.feed((out / "report.html").read_text(encoding="utf-8"))
    text = " ".join(p.text)
    assert {"html", "table", "h2"} <= set(p.tags)
    assert len(p.images) == 2 and all(src.startswith("data:image/png;base64,") for src in p.images)
    for layer in ["megaregion", "metropolitan", "urban"]:
        assert f"Layer {layer}" in text
    assert summary["hierarchy"] in text  # the same run


def test_interactive_map(demo):
    pytest.importorskip("folium")
    out, _ = demo
    p = _Collect()
    p.feed((out / "map.html").read_text(encoding="utf-8"))
    assert "html" in p.tags and "script" in p.tags


def test_geopackage_reads_back_with_the_same_labels(demo):
    out, summary = demo
    zones = gpd.read_file(out / "hierarchy.gpkg", layer="zones")
    g = rz.synthetic_country(300, seed=0)
    from regionalize._demo import delineation_preset

    h = rz.delineate(g, **delineation_preset(g))
    labels = zones.set_index("zone")["urban"]  # zone ids kept as text, leading zeros too
    expected = h["urban"].labels
    got = labels.reindex(expected.index)
    assert [None if isinstance(v, float) else v for v in got] == list(expected)
    assert json.loads((out / "summary.json").read_text())["zones"] == 300


def test_report_without_folium(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "folium", None)
    summary = run_demo(tmp_path, "synthetic-200")
    assert (tmp_path / "report.html").exists() and not (tmp_path / "map.html").exists()
    assert summary["html_map"] == "not written: install folium"


# ---------------------------------------------------------------- the report, for planners
@pytest.fixture(scope="module")
def synthetic_h():
    g = rz.synthetic_country(300, seed=0)
    from regionalize._demo import delineation_preset

    return rz.delineate(g, **delineation_preset(g))


def _page(path):
    p = _Collect()
    text = path.read_text(encoding="utf-8")
    p.feed(text)
    return p, text


def test_report_has_glossary_with_reference_values(synthetic_h, tmp_path):
    from regionalize.report import write_report

    p, html = _page(write_report(synthetic_h, tmp_path / "r.html"))
    text = " ".join(p.text)
    assert "Glossary" in p.text and "dl" in p.tags
    for term in [
        "Self-containment",
        "TTWA validity",
        "Modularity",
        "ARI and NMI (comparing two delineations)",
    ]:
        assert term in p.text, term
    # the established figures, with their sources named
    assert "at least 75% of an area's resident workforce" in text
    assert "as low as 66.7%" in text and "3,500 workers" in text
    assert "Office for National Statistics" in text and "Coombes and Bond 2008" in text
    assert "above about 0.3" in text and "Newman and Girvan (2004)" in text
    assert "Steinley (2004)" in text and "0.90 or more as excellent" in text
    assert "<script" not in html  # no script at all


def test_report_plain_headers_and_parameters_table(synthetic_h, tmp_path):
    from regionalize.report import write_report

    p, html = _page(write_report(synthetic_h, tmp_path / "r.html"))
    assert "self-containment (residents working in the area)" in p.text
    assert "self-containment (jobs held by residents)" in p.text
    assert "self_containment_supply" not in html and "sc_supply" not in html
    assert "Parameters of the run" in p.text
    assert '<table class="params">' in html and "<pre>" not in html  # a table, no JSON dump
    assert "tau" in p.text and "0.1 (10.0%)" in p.text
    assert "link threshold: smallest share of a zone's commuters that counts as a link" in p.text


def test_report_centre_rule_with_the_threshold_used(synthetic_h, tmp_path):
    from regionalize.report import write_report

    g = synthetic_h.graph
    params = synthetic_h["metropolitan"].params
    jobs = float(np.asarray(g.jobs, float).sum()) * params["min_size_share"]
    n = len(params["centres"])
    p, _ = _page(write_report(synthetic_h, tmp_path / "r.html", given_centres=[]))
    text = " ".join(p.text)
    assert (
        f"{n} centres found by the size rule: at least {jobs:,.0f} jobs (0.20% of all jobs;"
    ) in text
    assert "a job ratio (jobs / employed residents) of at least 1" in text
    assert "at least 10% of its employed residents go to the area's centre" in text
    # given centres: named as given, the rule's parameters marked unused
    p, _ = _page(write_report(synthetic_h, tmp_path / "r.html", given_centres=["metropolitan"]))
    text = " ".join(p.text)
    assert f"{n} centres given: " in text and "(not used: the centres were given)" in text
    # unknown: the rule is described, not claimed
    p, _ = _page(write_report(synthetic_h, tmp_path / "r.html"))
    assert "When centres are not given, they are found by the size rule" in " ".join(p.text)


def test_report_lists_each_area_members_by_name(synthetic_h, tmp_path):
    from regionalize.report import write_report

    p, html = _page(write_report(synthetic_h, tmp_path / "r.html"))
    names = synthetic_h.graph.zones["name"]
    part = synthetic_h["urban"]
    assert html.count("<details>") >= sum(synthetic_h[la].n_areas for la in synthetic_h.layers)
    for area in part.areas.index[:3]:
        members = part.members(area)
        block = html.split(f"{part.areas.at[area, 'name']} &middot; {len(members)} zone")[1]
        block = block.split("</details>")[0]
        for z in members:
            assert names[z] in block, (area, z)
        centre = part.areas.at[area, "centres"][0]
        assert "Centre" in block and names[centre] in block.split("<br>")[0]


def test_report_area_colours_are_the_maps(synthetic_h, tmp_path):
    from regionalize.plot import area_colours
    from regionalize.report import write_report

    _, html = _page(write_report(synthetic_h, tmp_path / "r.html"))
    colours = area_colours(synthetic_h, "urban")
    names = synthetic_h["urban"].areas["name"]
    for area, colour in colours.items():
        assert f'background:{colour}"></span>{names[area]}' in html


def test_report_escapes_hostile_names(tmp_path):
    from _toys import FLOWS, IDS, hand_partition, squares

    from regionalize.hierarchy import Hierarchy
    from regionalize.report import write_report

    hostile = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
        "a&b",
        "=1+1",
        "Delta",
        "Epsilon",
        "Eta",
        "Theta",
    ]
    g = rz.FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]),
        zones=pd.DataFrame({"name": hostile}, index=IDS),
        geometry=squares(),
        name="<b>toy</b>",
    )
    part = hand_partition(
        "metro",
        {"M1": ["01", "02", "03"], "M2": ["05", "06"]},
        {"M1": ("01",), "M2": ("05",)},
        IDS,
        names={"M1": "<svg onload=alert(3)>", "M2": "M2"},
    )
    path = write_report(Hierarchy(g, [part]), tmp_path / "r.html")
    p, html = _page(path)
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg" not in html
    assert "img" not in p.tags and "svg" not in p.tags and "script" not in p.tags
    text = " ".join(p.text)
    assert "<script>alert(1)</script>" in text  # shown literally, as the name
    assert "<svg onload=alert(3)>" in text and "regionalize: <b>toy</b>" in p.text


def test_report_says_how_the_data_was_read(tmp_path):
    """Repairs recorded while reading (a transposed matrix, dropped totals) are in the report,
    escaped."""
    import numpy as np
    import pandas as pd

    import regionalize as rz

    ids = ["A<b>", "B", "C"]
    m = pd.DataFrame(np.array([[50, 5, 1], [20, 40, 2], [10, 3, 30]]), index=ids, columns=ids)
    m.loc["Total"] = m.sum()
    m["Total"] = m.sum(axis=1)
    path = tmp_path / "m.csv"
    m.to_csv(path)
    g = rz.read_matrix(path, rows="workplace", totals="drop")
    assert g.meta["repairs"]
    h = rz.delineate(g, ["A<b>"], tau=0.1, megaregions=False)
    out = rz.report.write_report(h, tmp_path / "report.html")
    text = out.read_text()
    assert "How the data was read" in text and "transpos" in text.lower()
    assert "A<b>" not in text
