"""The outputs of the main job: PNG maps, the interactive map, the HTML report, the GeoPackage."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import geopandas as gpd
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
    assert len(p.images) == 2 and all(src.startswith("data:image/png;base64,")
                                      for src in p.images)
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
