"""Static and interactive maps (regionalize.plot), drawn with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import sys  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize.errors import InvalidZonesError  # noqa: E402
from regionalize.hierarchy import Hierarchy  # noqa: E402
from regionalize.plot import (  # noqa: E402
    ONLINE_NOTE,
    UNASSIGNED_COLOUR,
    area_colours,
    explore,
    plot_choropleth,
    plot_flows,
    plot_hierarchy,
    plot_layer,
    plot_tree,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def h():
    g = rz.synthetic_country(300, seed=0)
    return rz.delineate(
        g,
        metropolitan={"cluster_cores": True, "min_size_share": 0.002},
        urban={"cluster_cores": True},
    )


@pytest.fixture(scope="module")
def h_nogeo(h):
    g = h.graph
    bare = rz.FlowGraph.from_matrix(g.matrix, list(g.ids))
    return Hierarchy(bare, [h[layer] for layer in h.layers])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _zone_collection(ax):
    """The first PatchCollection: the zones as drawn by GeoDataFrame.plot."""
    return next(c for c in ax.collections if isinstance(c, PatchCollection))


def _rows(colours):
    return {tuple(np.round(c, 4)) for c in np.asarray(colours)}


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000


# ------------------------------------------------------------------ plot_layer
def test_plot_layer_one_colour_per_area_plus_unassigned(h):
    part = h["urban"]
    n_unassigned = int((part.codes() < 0).sum())
    assert part.n_areas > 10 and n_unassigned > 0  # the case worth testing
    ax = plot_layer(h, "urban")
    zones = _zone_collection(ax)
    assert len(zones.get_paths()) == h.graph.n_zones
    colours = _rows(zones.get_facecolor())
    assert len(colours) == part.n_areas + 1
    grey = tuple(np.round(to_rgba(UNASSIGNED_COLOUR), 4))
    assert grey in colours
    # unassigned zones are exactly the grey ones
    face = np.round(np.asarray(zones.get_facecolor()), 4)
    is_grey = np.all(face == np.array(grey), axis=1)
    assert is_grey.sum() == n_unassigned


def test_plot_layer_legend_centres_and_furniture(h):
    part = h["urban"]
    ax = plot_layer(h, "urban", label_centres=5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unassigned" in legend
    assert set(part.areas["name"]) <= set(legend)
    # central zones marked: one point per central zone
    n_centres = int((part.details["role"] == "centre").sum())
    dots = [c for c in ax.collections if c.get_label() == "_centres"]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == n_centres
    labels = [t for t in ax.texts if t.get_text() in set(part.areas["name"])]
    assert 1 <= len(labels) <= 5
    gids = {a.get_gid() for a in ax.get_children()}
    assert {"scale-bar", "north-arrow"} <= gids  # synthetic data are projected (EPSG:3035)
    scale = next(a for a in ax.get_children() if a.get_gid() == "scale-bar")
    assert scale.txt_label.get_text().endswith(" km")


def test_plot_layer_legend_is_capped_and_optional(h):
    ax = plot_layer(h, "urban", legend_max=3)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 7 and legend[3].startswith("... ")
    assert legend[4:] == ["unassigned", "area boundary", "central zone"]
    ax = plot_layer(h, "megaregion", legend=False)
    assert ax.get_legend() is None


def test_plot_layer_saves_a_png(h, tmp_path):
    ax = plot_layer(h, "metropolitan")
    path = tmp_path / "layer.png"
    ax.figure.savefig(path, dpi=80, bbox_inches="tight")
    _assert_png(path)


def test_plot_layer_reprojects_lonlat_data(data_dir):
    from regionalize.datasets import load_brindisi

    g = load_brindisi()
    assert g.crs.is_geographic and g.meta.get("projected_crs")
    hb = rz.delineate(g)
    ax = plot_layer(hb, hb.layers[-1])
    x0, x1 = ax.get_xlim()
    assert abs(x0) > 1000 and abs(x1 - x0) > 1000  # metres, not degrees
    assert "scale-bar" in {a.get_gid() for a in ax.get_children()}
    ax = plot_layer(hb, hb.layers[-1], crs="EPSG:4326")
    assert abs(ax.get_xlim()[0]) < 180
    # in degrees too: the bar is measured on the ellipsoid along the middle parallel
    scale = next(a for a in ax.get_children() if a.get_gid() == "scale-bar")
    km = float(scale.txt_label.get_text().removesuffix(" km"))
    length = scale.size_bar.get_children()[0].get_width()  # degrees of longitude
    lat = float(np.mean(ax.get_ylim()))
    from pyproj import Geod

    metres = Geod(ellps="WGS84").line_length([18.0, 18.0 + length], [lat, lat])
    assert metres == pytest.approx(km * 1000, rel=1e-6)
    assert "north-arrow" in {a.get_gid() for a in ax.get_children()}


# ------------------------------------------------------------------ plot_flows
def _flow_lines(ax):
    return next(
        c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "flows"
    )


def test_plot_flows_draws_top_segments(h, tmp_path):
    g = h.graph
    ax = plot_flows(g, top=40)
    lines = _flow_lines(ax)
    assert len(lines.get_segments()) == 40
    widths = np.asarray(lines.get_linewidths())
    assert widths.max() > widths.min()  # width by volume
    # the widest line is the largest flow between distinct zones
    off = g.to_frame(diagonal=False)
    assert "40 largest flows" in ax.get_title()
    assert off.flow.nlargest(1).iloc[0] == pytest.approx(
        float(ax.get_legend().get_texts()[0].get_text().replace(",", "")), rel=1e-3, abs=0.5
    )
    path = tmp_path / "flows.png"
    ax.figure.savefig(path, dpi=80)
    _assert_png(path)


def test_plot_flows_min_flow_and_outlines(h):
    g = h.graph
    off = g.to_frame(diagonal=False)
    threshold = float(off.flow.nlargest(7).iloc[-1])
    ax = plot_flows(h, top=100, min_flow=threshold, outlines=h["metropolitan"])
    assert len(_flow_lines(ax).get_segments()) == int((off.flow >= threshold).sum())
    # zones plus the outlines of the partition
    assert sum(isinstance(c, LineCollection) for c in ax.collections) >= 2


# ------------------------------------------------------------------ plot_choropleth
def test_plot_choropleth_colour_bar_and_missing(h, tmp_path):
    layer = "urban"
    values = h[layer].labels.map(h.summary(layer)["self_containment_supply"])
    n_missing = int(values.isna().sum())
    assert n_missing > 0
    ax = plot_choropleth(h.graph, values, label="self-containment")
    fig = ax.figure
    assert len(fig.axes) == 2  # the map and its colour bar
    assert fig.axes[1].get_ylabel() == "self-containment"
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == n_missing
    filled = _zone_collection(ax)
    assert len(filled.get_paths()) == h.graph.n_zones - n_missing
    assert "no value (11 zones)" in [t.get_text() for t in ax.get_legend().get_texts()]
    path = tmp_path / "choropleth.png"
    fig.savefig(path, dpi=80)
    _assert_png(path)


def test_plot_choropleth_diverging_is_centred(h):
    values = pd.Series(np.linspace(-1, 3, h.graph.n_zones), index=h.graph.ids, name="change")
    ax = plot_choropleth(h, values, diverging=True)
    bar = ax.figure.axes[1]
    lo, hi = bar.get_ylim()
    assert lo == pytest.approx(-3) and hi == pytest.approx(3)
    assert bar.get_ylabel() == "change"


def test_plot_choropleth_rejects_values_of_other_zones(h):
    with pytest.raises(InvalidZonesError, match="zone id"):
        plot_choropleth(h.graph, pd.Series([1.0, 2.0], index=["nope", "nada"]))


# ------------------------------------------------------------------ explore
class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def test_explore_writes_html(h, tmp_path):
    pytest.importorskip("folium")
    m = explore(h, "metropolitan", tiles=None)
    path = tmp_path / "map.html"
    m.save(str(path))
    text = path.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(text)
    assert "<html" in text and {"html", "script"} <= parser.tags
    for name in h["metropolitan"].areas["name"]:
        assert name in text
    assert "(unassigned)" in text  # the metropolitan layer leaves zones unassigned
    assert "metropolitan area" in text and "role" in text


def test_explore_without_folium_names_the_extra(h, monkeypatch):
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(ImportError, match=r"regionalize\[notebooks\]"):
        explore(h)


# ------------------------------------------------------------------ plot_tree
def test_plot_tree_one_node_per_area(h, tmp_path):
    ax = plot_tree(h)
    for layer in h.layers:
        nodes = [c for c in ax.collections if c.get_gid() == f"tree-{layer}"]
        assert len(nodes) == 1
        assert len(nodes[0].get_offsets()) == h[layer].n_areas
        sizes = nodes[0].get_sizes()
        assert sizes.max() > sizes.min()  # sized by population
    texts = {t.get_text() for t in ax.texts}
    assert set(h["urban"].areas["name"]) <= texts
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    # nested layers: every area below the top hangs from the area holding it in the nearest
    # layer above where it is assigned (an urban area outside every metropolitan area hangs
    # from its megaregion); areas unassigned in every layer above hang from nothing
    labels = h.labels()
    expected, skipping = 0, 0
    for depth, lower in enumerate(h.layers[1:], 1):
        above = labels.groupby(lower)[list(h.layers[:depth])].first()
        has_parent = above.notna().any(axis=1)
        expected += int(has_parent.sum())
        skipping += int((has_parent & above[h.layers[depth - 1]].isna()).sum())
    assert skipping > 0  # the case worth testing: links that skip a layer
    assert 0 < expected <= sum(h[layer].n_areas for layer in h.layers[1:])
    segments = edges[0].get_segments()
    assert len(segments) == expected
    rows = {round(-seg[0][1]) - round(-seg[1][1]) for seg in segments}
    assert rows == {-1, -2}  # one layer down, and two for the skipping links
    path = tmp_path / "tree.png"
    ax.figure.savefig(path, dpi=80, bbox_inches="tight")
    _assert_png(path)


def test_plot_tree_layers_subset_without_geometry(h_nogeo):
    ax = plot_tree(h_nogeo, layers=["metropolitan", "urban"])
    gids = {c.get_gid() for c in ax.collections}
    assert {"tree-metropolitan", "tree-urban"} <= gids and "tree-megaregion" not in gids
    with pytest.raises(KeyError, match="no layer"):
        plot_tree(h_nogeo, layers=["nope"])


# ------------------------------------------------------------------ no geometry
@pytest.mark.parametrize(
    "draw",
    [
        lambda h: plot_layer(h, "urban"),
        lambda h: plot_flows(h.graph),
        lambda h: plot_choropleth(h.graph, pd.Series(1.0, index=h.graph.ids)),
        lambda h: plot_hierarchy(h),
    ],
)
def test_no_geometry_raises(h_nogeo, draw):
    with pytest.raises(InvalidZonesError, match="no geometry"):
        draw(h_nogeo)


def test_explore_no_geometry_raises(h_nogeo):
    pytest.importorskip("folium")
    with pytest.raises(InvalidZonesError, match="no geometry"):
        explore(h_nogeo)


def test_plot_layer_many_areas_touching_areas_differ():
    # 120 areas: more than the 54 distinct colours, so colours repeat - never across a border
    g = rz.synthetic_country(600, seed=1)
    centroids = g.geometry.geometry.centroid
    x, y = centroids.x.to_numpy(), centroids.y.to_numpy()
    bins = 12, 10
    cx = np.minimum((x - x.min()) / (np.ptp(x) + 1e-9) * bins[0], bins[0] - 1).astype(int)
    cy = np.minimum((y - y.min()) / (np.ptp(y) + 1e-9) * bins[1], bins[1] - 1).astype(int)
    codes = np.unique(cx * bins[1] + cy, return_inverse=True)[1]
    adj = g.build_contiguity().adjacency.tocoo()
    # renumber so that touching cells sit 54 apart: cycling the palette would repeat there
    matched, order = set(), []
    for i, j in zip(codes[adj.row], codes[adj.col], strict=True):
        if i != j and i not in matched and j not in matched and len(order) < 2 * 40:
            matched |= {i, j}
            order += [i, j]
    first, second = order[0::2], order[1::2]
    rest = [c for c in range(codes.max() + 1) if c not in matched]
    new = np.empty(codes.max() + 1, dtype=int)
    slots = first + rest[: 54 - len(first)] + second + rest[54 - len(first) :]
    new[slots] = np.arange(len(slots))
    assert all(new[b] - new[a] == 54 for a, b in zip(first, second, strict=True))
    codes = new[codes]
    part = rz.Partition.from_codes(g, codes, layer="cells", kind="cells")
    assert part.n_areas > 54
    ax = plot_layer(Hierarchy(g, [part]), "cells", legend=False)
    face = np.round(np.asarray(_zone_collection(ax).get_facecolor()), 4)
    colour_of = {}
    for code, row in zip(codes, map(tuple, face), strict=True):
        assert colour_of.setdefault(code, row) == row  # one colour per area
    pairs = {
        (codes[i], codes[j]) for i, j in zip(adj.row, adj.col, strict=True) if codes[i] != codes[j]
    }
    assert pairs  # the areas do touch
    assert all(colour_of[a] != colour_of[b] for a, b in pairs)
    assert len(set(colour_of.values())) > 20  # the palette is used, not two colours


def test_maps_do_not_redraw_the_figure_while_drawing(h):
    # small multiples: each map used to render the whole figure after every geopandas layer
    fig, axes = plt.subplots(1, 3)
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    plot_layer(h, "urban", ax=axes[0])
    plot_hierarchy(h, ax=axes[1])
    plot_flows(h, ax=axes[2], top=20)
    assert draws == []
    fig.canvas.draw()  # drawing still works, once, when asked
    assert len(draws) == 1
    from matplotlib.backend_bases import FigureCanvasBase

    assert FigureCanvasBase.draw_idle.__name__ == "draw_idle"  # restored


def test_outlines_drop_gap_specks_and_islets_but_keep_real_parts():
    from shapely.geometry import MultiPolygon, Polygon, box

    from regionalize.plot._geo import without_slivers as _without_slivers

    main = Polygon(box(0, 0, 100, 100).exterior, [box(50, 50, 50.5, 50.5).exterior])  # speck
    enclave = box(10, 10, 30, 30)  # a real hole: a whole zone of another area
    main = main.difference(enclave)
    islet, island = box(200, 0, 201, 1), box(300, 0, 320, 20)
    area = MultiPolygon([main, islet, island])
    kept = _without_slivers(area)
    assert len(kept.geoms) == 3 and len(kept.geoms[0].interiors) == 1  # speck gone
    outline = _without_slivers(area, islets=True)
    assert sorted(round(g.area) for g in outline.geoms) == [400, round(main.area + 0.25)]


# ------------------------------------------------------------------ one colour per area
def _face_by_area(ax, h, layer):
    """Area id -> the face colour (hex) of its zones in the map's zone collection."""
    zones = h.to_geodataframe()
    zones = zones[zones.geometry.notna()]
    face = np.asarray(_zone_collection(ax).get_facecolor())
    out = {}
    for area, row in zip(zones[layer], face, strict=True):
        if isinstance(area, str):
            assert out.setdefault(area, to_hex(row)) == to_hex(row)  # one colour per area
    return out


def test_an_area_has_the_same_colour_in_every_output(h, tmp_path):
    pytest.importorskip("folium")
    import re

    colours = area_colours(h, "urban")
    assert list(colours.index) == list(h["urban"].areas.index)
    assert colours.nunique() == len(colours)  # up to 54 areas, each its own colour
    assert colours.equals(area_colours(h, "urban"))  # deterministic
    # static maps: plot_layer and plot_hierarchy
    assert _face_by_area(plot_layer(h, "urban"), h, "urban") == colours.to_dict()
    assert _face_by_area(plot_hierarchy(h), h, "urban") == colours.to_dict()
    # the interactive map: the categorical colours folium writes, in the areas' order
    m = explore(h, "urban", tiles=None)
    path = tmp_path / "map.html"
    m.save(str(path))
    html = path.read_text(encoding="utf-8")
    names = h["urban"].areas["name"]
    for area, colour in colours.items():
        # the legend pairs each area's name with its colour
        assert re.search(re.escape(colour) + r".{0,200}?" + re.escape(names[area]), html, re.S), (
            area,
            colour,
        )
    styles = {c.lower() for c in re.findall(r'"fillColor":\s*"(#[0-9a-fA-F]{6})"', html)}
    assert set(colours) <= styles and UNASSIGNED_COLOUR in styles


def test_explore_says_it_needs_the_internet(h, tmp_path):
    pytest.importorskip("folium")
    m = explore(h, "metropolitan", tiles=None)
    path = tmp_path / "map.html"
    m.save(str(path))
    html = path.read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    assert 'id="regionalize-online-note"' in body
    assert ONLINE_NOTE.replace("'", "&#x27;") in body
    assert "cdn" in html.lower()  # the reason: folium links its scripts from CDNs


# ------------------------------------------------------------------ map furniture and legends
def _gids(ax):
    return {a.get_gid() for a in ax.get_children()}


@pytest.mark.parametrize(
    "draw",
    [
        lambda h: plot_layer(h, "urban"),
        lambda h: plot_hierarchy(h),
        lambda h: plot_flows(h, top=10),
        lambda h: plot_choropleth(h.graph, pd.Series(1.0, index=h.graph.ids)),
    ],
    ids=["layer", "hierarchy", "flows", "choropleth"],
)
def test_every_static_map_has_a_scale_bar_and_a_north_arrow(h, draw):
    ax = draw(h)
    assert {"scale-bar", "north-arrow"} <= _gids(ax)
    scale = next(a for a in ax.get_children() if a.get_gid() == "scale-bar")
    km = float(scale.txt_label.get_text().removesuffix(" km"))
    width = scale.size_bar.get_children()[0].get_width()
    assert width == pytest.approx(km * 1000)  # EPSG:3035: metres
    x0, x1 = ax.get_xlim()
    assert 0.05 < width / (x1 - x0) <= 0.2  # about a fifth of the map, a round number
    assert km / 10 ** np.floor(np.log10(km)) in (1, 2, 5)


def test_scale_bar_length_projected_and_geographic():
    from regionalize.plot import scale_bar_length

    km, length = scale_bar_length("EPSG:3035", (0, 100_000), (0, 100_000))
    assert (km, length) == (20.0, 20_000.0)
    km, length = scale_bar_length("EPSG:2263", (0, 328_084), (0, 1))  # US feet: 100 km wide
    assert km == 20.0 and length == pytest.approx(20_000 / 0.3048006096, rel=1e-6)
    # degrees: one degree of longitude is ~111 km at the equator, ~55.8 km at 60 degrees
    km, length = scale_bar_length("EPSG:4326", (10, 11), (-0.5, 0.5))
    assert km == 20.0 and length == pytest.approx(20 / 111.32, rel=1e-3)
    km, length = scale_bar_length("EPSG:4326", (10, 11), (59.5, 60.5))
    assert km == 10.0 and length == pytest.approx(10 / 55.8, rel=2e-3)
    assert scale_bar_length(None, (0, 1), (0, 1)) is None


def test_plot_hierarchy_legend_has_colours_outline_styles_and_centres(h):
    ax = plot_hierarchy(h, legend_max=5)
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    names = list(
        h["urban"].areas.sort_values("n_zones", ascending=False, kind="stable")["name"][:5]
    )
    assert texts[:5] == names and texts[5].startswith("... ")
    assert texts[6:] == [
        "in no urban area",
        "megaregion boundary",
        "metropolitan boundary",
        "central zone (named)",
    ]
    handles = legend.legend_handles
    colours = area_colours(h, "urban")
    by_name = dict(zip(h["urban"].areas["name"], colours, strict=True))
    for handle, name in zip(handles[:5], names, strict=True):
        assert to_hex(handle.get_facecolor()) == by_name[name]
    assert to_hex(handles[6].get_facecolor()) == UNASSIGNED_COLOUR
    assert handles[7].get_linestyle() == "--" and handles[8].get_linestyle() == "-"


def test_plot_flows_legend_names_the_outlines(h):
    ax = plot_flows(h, top=10, outlines=h["metropolitan"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-1] == "metropolitan boundary"
