"""Maps of a Hierarchy: static (matplotlib) and interactive (folium).

Every map colours an area with :func:`area_colours`, so an area has the same colour on the
static maps, on the interactive map and in the report's tables. Static maps carry a legend
(area colours, outline styles, central zones), a scale bar and a north arrow (gids
``"scale-bar"`` and ``"north-arrow"``) whenever the map's coordinate reference system is
known: projected (metres, feet) or geographic (degrees, measured on the ellipsoid).
"""

from __future__ import annotations

import numpy as np

from ._markup import map_text, matplotlib_text
from .errors import InvalidZonesError

__all__ = ["plot_hierarchy", "plot_layer", "plot_flows", "plot_choropleth", "explore",
           "plot_tree", "area_colours", "UNASSIGNED_COLOUR", "ONLINE_NOTE"]

#: the colour of zones in no area, on every map and in the report
UNASSIGNED_COLOUR = "#e0e0e0"
#: the note at the top of every interactive map (folium loads Leaflet and tiles online)
ONLINE_NOTE = ("This map loads its scripts (Leaflet) and its base map from the internet: "
               "without a connection it stays blank. The static maps (PNG) and the report "
               "work offline.")


def _one_draw(fn):
    """Run a map function without the figure redraws geopandas asks for after every layer.

    ``GeoDataFrame.plot`` calls ``canvas.draw_idle()``, which on non-interactive canvases
    (Agg: scripts, notebooks) renders the whole figure at once: a figure of small multiples
    was redrawn after every layer of every map. Those requests are dropped while ``fn``
    runs; interactive canvases get one request at the end.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from matplotlib.backend_bases import FigureCanvasBase

        original = FigureCanvasBase.draw_idle
        FigureCanvasBase.draw_idle = lambda self, *a, **k: None
        try:
            ax = fn(*args, **kwargs)
        finally:
            FigureCanvasBase.draw_idle = original
        canvas = getattr(getattr(ax, "figure", None), "canvas", None)
        if canvas is not None and type(canvas).draw_idle is not original:
            canvas.draw_idle()  # an interactive canvas: refresh once
        return ax

    return wrapper


def _side_legend(ax, handles: list, title: str) -> None:
    """The legend of a map, right of the axes (nothing when there is nothing to show)."""
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                  title=matplotlib_text(title), title_fontsize=8, frameon=False)


@_one_draw
def plot_hierarchy(h, *, fill: str | None = None, outlines=None, crs=None, ax=None,
                   label_centres: int = 25, title: str | None = None, legend: bool = True,
                   legend_max: int = 20):
    """Draw nested layers together: ``fill`` coloured by area (default: the lowest layer),
    the other layers as outlines (default: the layers above it, bolder higher up), central
    zones marked and the largest areas named.

    Parameters
    ----------
    h : Hierarchy
    fill : str, optional
        Layer whose areas are coloured (with :func:`area_colours`); unassigned zones are
        light grey.
    outlines : list of str, optional
        Layers drawn as area outlines: the layer just above ``fill`` as thin black lines,
        higher layers as wider dashed grey lines.
    crs : optional
        Projection to draw in; default the graph's ``meta["projected_crs"]`` when its
        geometry is in longitude/latitude.
    label_centres : int
        Name the centres of this many largest areas of the ``fill`` layer.
    title : str, optional
    legend : bool
        Add a legend outside the map, on the right: the ``legend_max`` largest areas of
        ``fill`` by colour, unassigned zones, each outline style and the central-zone mark.
    legend_max : int
        At most this many areas in the legend (the rest summarised as "... n more").

    Returns
    -------
    matplotlib.axes.Axes
        With a scale bar (gid ``"scale-bar"``) and a north arrow (gid ``"north-arrow"``)
        when the map's CRS is known.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    graph = h.graph
    if graph.geometry is None:
        raise InvalidZonesError("The graph has no geometry to map; attach zone polygons with "
                                "graph.with_geometry(...).")
    layers = list(h.layers)
    fill = fill or layers[-1]
    if outlines is None:
        outlines = layers[:layers.index(fill)]
    target = _target_crs(graph, crs)
    zones = _project(h.to_geodataframe(), target)
    ax = _new_axes(ax)
    part = h[fill]
    colour_of = area_colours(h, fill)
    colours = [colour_of.get(a, UNASSIGNED_COLOUR) if isinstance(a, str) else UNASSIGNED_COLOUR
               for a in zones[fill]]
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2)
    # higher layers: wider, dashed and grey; the layer just above the fill: thin and black
    styles = []
    for i, layer in enumerate(outlines):
        col = zones[layer]
        areas = zones[col.notna()].dissolve(by=layer)
        lowest = i == len(outlines) - 1
        style = {"color": "black" if lowest else "0.35", "linewidth": 0.9 if lowest else 1.4,
                 "linestyle": "-" if lowest else (0, (4, 2))}
        if len(areas):
            _outline(areas).plot(ax=ax, **style)
        styles.append((layer, style))
    sizes = part.areas["n_zones"].sort_values(ascending=False, kind="stable")
    pts = zones.geometry.representative_point()
    texts, marked = [], False
    for area in sizes.index[:max(label_centres, 0)]:
        centres = [c for c in part.areas.loc[area, "centres"] if c in pts.index]
        if not centres:
            continue
        p = pts.loc[centres[0]]
        ax.plot(p.x, p.y, "o", color="black", markersize=3)
        marked = True
        texts.append(ax.annotate(str(part.areas.loc[area, "name"]), (p.x, p.y), fontsize=7,
                                 xytext=(3, 3), textcoords="offset points", parse_math=False,
                                 bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                       "alpha": 0.7, "lw": 0}))
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    _set_aspect(ax, map_crs)
    _map_furniture(ax, map_crs)
    if legend:
        names = part.areas["name"]
        handles = [Patch(facecolor=colour_of[a], edgecolor="0.3", lw=0.5,
                         label=matplotlib_text(names[a])) for a in sizes.index[:legend_max]]
        if part.n_areas > legend_max:
            handles.append(Patch(facecolor="none", edgecolor="none",
                                 label=f"... {part.n_areas - legend_max} more"))
        if (part.codes() < 0).any():
            handles.append(Patch(facecolor=UNASSIGNED_COLOUR, edgecolor="0.3", lw=0.5,
                                 label=matplotlib_text(f"in no {fill} area")))
        for layer, style in styles:  # top layer first
            handles.append(Line2D([], [], label=matplotlib_text(f"{layer} boundary"), **style))
        if marked:
            handles.append(Line2D([], [], marker="o", color="black", linestyle="none",
                                  markersize=3, label="central zone (named)"))
        _side_legend(ax, handles, f"{fill} areas")
    outline_text = ", ".join(f"{layer} outlines" for layer in outlines)
    ax.set_title(title or matplotlib_text(f"{graph.name or 'zones'}: {fill} areas"
                                          + (f" with {outline_text}" if outlines else "")))
    _declutter(ax, texts)
    return ax


def area_colours(h, layer: str):
    """The colour of every area of a layer, as used by every map and the report.

    Parameters
    ----------
    h : Hierarchy
    layer : str

    Returns
    -------
    pandas.Series
        ``"#rrggbb"`` per area id (in ``h[layer].areas`` order). Deterministic: the same
        Hierarchy gives the same colours in :func:`plot_layer`, :func:`plot_hierarchy`,
        :func:`explore` and the HTML report. Up to 54 areas each has its own colour;
        beyond that colours repeat, never between touching areas (when the zones have
        polygons). Zones in no area are :data:`UNASSIGNED_COLOUR`.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "a", 9), ("b", "b", 5), ("b", "a", 5), ("c", "c", 9)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
    ...                                                          "destination", "flow"]))
    >>> h = rz.Hierarchy(g, [rz.metropolitan_areas(g, ["a", "c"])])
    >>> area_colours(h, "metropolitan").to_dict()
    {'a': '#1f77b4', 'c': '#ff7f0e'}
    """
    import pandas as pd
    from matplotlib.colors import to_hex

    part = h[layer]
    palette = _area_colours(h.graph, part)
    return pd.Series([to_hex(c) for c in palette], index=part.areas.index, dtype=object,
                     name="colour")


# ---------------------------------------------------------------------------- helpers
_GREY = (224 / 255, 224 / 255, 224 / 255, 1.0)  # UNASSIGNED_COLOUR as RGBA (monitor maps)
_NO_GEOMETRY = ("The graph has no geometry to map; attach zone polygons with "
                "graph.with_geometry(...) (or h.with_geometry(...) for a Hierarchy).")


def _graph_of(obj):
    """The FlowGraph of a Hierarchy, or the FlowGraph itself."""
    return obj.graph if hasattr(obj, "layers") and hasattr(obj, "graph") else obj


def _require_geometry(graph) -> None:
    if graph.geometry is None:
        raise InvalidZonesError(_NO_GEOMETRY)


def _target_crs(graph, crs):
    """``crs`` or, for lon/lat data, the graph's ``meta["projected_crs"]`` (else None)."""
    if crs is not None:
        return crs
    if graph.crs is not None and graph.crs.is_geographic:
        return graph.meta.get("projected_crs")
    return None


def _project(gdf, target):
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return gdf.to_crs(target) if target is not None else gdf


def _new_axes(ax, figsize=(9, 10)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _palette(n: int) -> list:
    """``n`` categorical colours without greys (grey means "unassigned"): tab10 for up to 9,
    else tab20 / tab20b / tab20c (strong shades first); cycled beyond their 54 distinct colours
    (maps use :func:`_area_colours`, which keeps touching areas apart when colours repeat)."""
    import matplotlib.pyplot as plt

    def no_grey(colours):
        return [c for c in colours if max(c[:3]) - min(c[:3]) > 0.05]

    small = no_grey([plt.get_cmap("tab10")(i) for i in range(10)])
    if n <= len(small):
        return small[:n]
    base = []
    for name in ("tab20", "tab20b", "tab20c"):
        cmap = plt.get_cmap(name)
        k = 2 if name == "tab20" else 4
        base += [cmap(i) for shade in range(k) for i in range(shade, 20, k)]
    base = list(dict.fromkeys(tuple(c) for c in no_grey(base)))  # distinct colours
    return [base[i % len(base)] for i in range(n)]


def _area_colours(graph, part) -> list:
    """One colour per area of ``part`` (in ``part.areas`` order).

    Up to the palette's 54 distinct colours every area has its own. Beyond that colours
    must repeat, so they are chosen so that touching areas never share one: areas are
    coloured largest first, each taking the first colour, counted from its own position
    in the palette, that no already-coloured neighbour uses (neighbours from the zones'
    polygon contiguity; areas touch when any of their zones do). Deterministic.
    """
    n = part.n_areas
    palette = _palette(min(n, 54))
    if n <= len(palette) or graph.geometry is None:
        return [palette[i % len(palette)] for i in range(n)] if palette else []
    import scipy.sparse as sp

    codes = part.codes()
    adj = sp.coo_array(graph.build_contiguity().adjacency)
    a, b = codes[adj.row], codes[adj.col]
    keep = (a >= 0) & (b >= 0) & (a != b)
    touch = sp.csr_array((np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(n, n))
    size = np.bincount(codes[codes >= 0], minlength=n)
    colour = np.full(n, -1)
    for area in np.lexsort((np.arange(n), -size)):
        used = set(colour[touch.indices[touch.indptr[area]:touch.indptr[area + 1]]].tolist())
        for step in range(len(palette)):
            c = (area + step) % len(palette)
            if c not in used:
                break
        colour[area] = c
    return [palette[c] for c in colour]


def _without_slivers(geom, share: float = 1e-3, islets: bool = False):
    """``geom`` without the interior rings smaller than ``share`` of its area: the gaps
    between neighbouring zone polygons that a union leaves as specks inside an area (true
    enclaves, whole zones, are far larger and stay). With ``islets``, parts smaller than
    ``share`` of the area go too (the largest part always stays): hundreds of outlined
    islets would otherwise turn an archipelago into a dark blot."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return geom
    total = geom.area
    parts = []
    for p in shapely.get_parts(geom):
        if not isinstance(p, Polygon):
            continue
        holes = [r for r in p.interiors if Polygon(r).area >= share * total]
        parts.append(Polygon(p.exterior, holes))
    if not parts:
        return geom
    if islets and len(parts) > 1:
        biggest = max(parts, key=lambda q: q.area)
        parts = [q for q in parts if q is biggest or q.area >= share * total]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _outline(areas):
    """Boundaries of dissolved areas, without the specks left by gaps between zones and
    without the islets (the zones' own fills and edges still show them)."""
    import geopandas as gpd

    clean = [_without_slivers(g, islets=True) for g in areas.geometry]
    return gpd.GeoSeries(clean, index=areas.index, crs=areas.crs).boundary


def _metres_per_unit(crs) -> float | None:
    """Metres per map unit when ``crs`` is projected (None otherwise)."""
    if crs is None:
        return None
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    if not c.is_projected:
        return None
    try:
        return float(c.axis_info[0].unit_conversion_factor)
    except (IndexError, AttributeError):  # pragma: no cover - unusual CRS
        return None


def _nice_km(width_km: float) -> float:
    """A round length (1, 2 or 5 times a power of ten) near a fifth of ``width_km``."""
    raw = width_km / 5.0
    mag = 10 ** np.floor(np.log10(raw))
    return float(max(m * mag for m in (1, 2, 5) if m * mag <= raw))


def scale_bar_length(crs, xlim, ylim) -> tuple[float, float] | None:
    """``(km, length in map units)`` of a round scale bar for a map showing ``xlim`` x
    ``ylim`` in ``crs``; None when the CRS is unknown or the map is empty.

    Projected CRSs: map units times the unit's size in metres. Geographic CRSs (longitude,
    latitude): the bar runs east along the parallel through the middle of the map, its
    length in degrees of longitude measured on the CRS's ellipsoid (pyproj ``Geod``), so
    it is exact at that latitude.
    """
    if crs is None:
        return None
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    x0, x1 = sorted(map(float, xlim))
    if not np.isfinite([x0, x1]).all() or x1 <= x0:
        return None
    if c.is_projected:
        factor = _metres_per_unit(c)
        if factor is None:
            return None
        km = _nice_km((x1 - x0) * factor / 1000.0)
        return km, km * 1000.0 / factor
    if c.is_geographic:
        lat = float(np.clip(np.mean(ylim), -85.0, 85.0))
        geod = c.get_geod()
        width_km = geod.line_length([x0, x1], [lat, lat]) / 1000.0
        if not width_km > 0:
            return None
        km = _nice_km(width_km)
        mid = (x0 + x1) / 2.0
        lon2, _, _ = geod.fwd(mid, lat, 90.0, km * 1000.0)
        return km, float((lon2 - mid + 180.0) % 360.0 - 180.0)
    return None


def _set_aspect(ax, crs) -> None:
    """Equal scale both ways: 1:1 for projected maps; for longitude/latitude, a degree of
    latitude drawn 1/cos(latitude) times as long as a degree of longitude (as geopandas
    does), so that shapes and the scale bar are true in the middle of the map."""
    geographic = False
    if crs is not None:
        from pyproj import CRS

        geographic = CRS.from_user_input(crs).is_geographic
    if geographic:
        lat = float(np.clip(np.mean(ax.get_ylim()), -85.0, 85.0))
        ax.set_aspect(1.0 / np.cos(np.radians(lat)))
    else:
        ax.set_aspect("equal")


def _map_furniture(ax, crs) -> None:
    """A scale bar in km (gid ``"scale-bar"``, lower left) and a north arrow (gid
    ``"north-arrow"``, upper right) when ``crs`` is known (projected or geographic)."""
    scale = scale_bar_length(crs, ax.get_xlim(), ax.get_ylim())
    if scale is None:
        return
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    km, length = scale
    bar = AnchoredSizeBar(ax.transData, length, f"{km:g} km", loc="lower left",
                          pad=0.4, borderpad=0.6, sep=3, frameon=True, size_vertical=0,
                          fontproperties={"size": 7})
    bar.patch.set(alpha=0.75, edgecolor="none")
    bar.set_gid("scale-bar")
    ax.add_artist(bar)
    ax.annotate("N", xy=(0.96, 0.98), xytext=(0.96, 0.89), xycoords="axes fraction",
                textcoords="axes fraction", ha="center", va="center", fontsize=9,
                fontweight="bold", gid="north-arrow",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})


def _declutter(ax, texts) -> None:
    """Hide labels overlapping a label drawn before them (``texts`` by priority)."""
    if not texts:
        return
    renderer = ax.figure.canvas.get_renderer()
    kept = []
    for t in texts:
        box = t.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(k) for k in kept):
            t.set_visible(False)
        else:
            kept.append(box)


def _label(ax, text, x, y, fontsize=7):
    return ax.annotate(text, (x, y), fontsize=fontsize, xytext=(3, 3),
                       textcoords="offset points", zorder=6, parse_math=False,
                       bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.75,
                             "lw": 0})


def _area_size(h, layer):
    """Residents per area of ``layer`` (population when the zone table has one)."""
    s = h.summary(layer)
    col = "population" if "population" in s.columns and s["population"].notna().any() \
        else "residents"
    return s[col].fillna(0.0).astype(float), col


# ---------------------------------------------------------------------------- plot_layer
@_one_draw
def plot_layer(h, layer: str, *, ax=None, crs=None, legend: bool = True,
               label_centres: int = 15, legend_max: int = 20):
    """Map one layer: areas coloured, their outlines, central zones and names.

    Parameters
    ----------
    h : Hierarchy
    layer : str
        The layer to draw (e.g. ``"metropolitan"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; a new figure by default.
    crs : optional
        Projection to draw in; default the graph's ``meta["projected_crs"]`` when its
        geometry is in longitude/latitude (north-up), else the graph's own CRS.
    legend : bool
        Add a legend (outside the map, on the right) of the ``legend_max`` largest areas,
        the unassigned zones, the area boundary and the central-zone mark.
    label_centres : int
        Name this many largest areas (by population, else residents) at their first
        central zone; labels that would overlap a larger area's label are hidden.
    legend_max : int
        At most this many areas in the legend (the rest summarised as "... n more").

    Returns
    -------
    matplotlib.axes.Axes
        The zones are one PatchCollection whose face colours are one colour per area
        (:func:`area_colours`) plus light grey for unassigned zones. A north arrow and a
        scale bar in km are added when the map's CRS is known (projected or geographic).

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry.
    KeyError
        If ``layer`` is not a layer of ``h``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    graph = h.graph
    _require_geometry(graph)
    part = h[layer]
    target = _target_crs(graph, crs)
    zones = _project(h.to_geodataframe(), target)
    ax = _new_axes(ax)
    colour_of = area_colours(h, layer)
    colours = [colour_of.get(a, UNASSIGNED_COLOUR) if isinstance(a, str) else UNASSIGNED_COLOUR
               for a in zones[layer]]
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.25)
    areas = _project(h.dissolve(layer), target)
    if len(areas):
        _outline(areas).plot(ax=ax, color="0.15", linewidth=0.8)
    # central zones
    pts = zones.geometry.representative_point()
    centre = zones[f"{layer}_role"].eq("centre").fillna(False).to_numpy(dtype=bool)
    if centre.any():
        ax.scatter(pts[centre].x, pts[centre].y, s=10, c="black", marker="o", zorder=5,
                   linewidths=0, label="_centres")
    # names of the largest areas
    size, _ = _area_size(h, layer)
    order = size.sort_values(ascending=False, kind="stable").index
    texts = []
    names = part.areas["name"]
    for area in order[:max(label_centres, 0)]:
        centres = [c for c in part.areas.at[area, "centres"] if c in pts.index]
        if centres:
            p = pts.loc[centres[0]]
        elif area in areas.index and areas.at[area, "geometry"] is not None:
            p = areas.at[area, "geometry"].representative_point()
        else:
            continue
        texts.append(_label(ax, str(names[area]), p.x, p.y))
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    _set_aspect(ax, map_crs)
    _map_furniture(ax, map_crs)
    n_unassigned = int((part.codes() < 0).sum())
    if legend:
        handles = [Patch(facecolor=colour_of[a], edgecolor="0.3", lw=0.5,
                         label=matplotlib_text(names[a])) for a in order[:legend_max]]
        if part.n_areas > legend_max:
            handles.append(Patch(facecolor="none", edgecolor="none",
                                 label=f"... {part.n_areas - legend_max} more"))
        if n_unassigned:
            handles.append(Patch(facecolor=UNASSIGNED_COLOUR, edgecolor="0.3", lw=0.5,
                                 label="unassigned"))
        if len(areas):
            handles.append(Line2D([], [], color="0.15", linewidth=0.8, label="area boundary"))
        if centre.any():
            handles.append(Line2D([], [], marker="o", color="black", linestyle="none",
                                  markersize=3, label="central zone"))
        _side_legend(ax, handles, f"{layer} areas")
    ax.set_title(matplotlib_text(f"{graph.name or 'zones'}: {layer} areas ({part.n_areas}; "
                                 f"{n_unassigned} zones unassigned)"), fontsize=10)
    _declutter(ax, texts)
    return ax


# ---------------------------------------------------------------------------- plot_flows
def _draw_outlines(ax, zones, partition, *, color: str, linewidth: float = 0.8) -> None:
    """Boundaries of a partition's areas over zones already projected; nothing when None."""
    if partition is None:
        return
    labels = partition.labels.reindex(zones.index)
    keep = labels.notna()
    if keep.any():
        areas = zones[keep.to_numpy()].assign(_area=labels[keep].to_numpy()).dissolve("_area")
        _outline(areas).plot(ax=ax, color=color, linewidth=linewidth)


@_one_draw
def plot_flows(graph, *, top: int = 100, ax=None, crs=None, min_flow: float | None = None,
               outlines=None, color: str = "#1f3b73"):
    """Map the largest flows between zones as straight lines over the zones.

    Parameters
    ----------
    graph : FlowGraph or Hierarchy
        The flows (a Hierarchy's graph is used).
    top : int
        Draw the ``top`` largest flows between distinct zones (fewer when there are not as
        many above ``min_flow``).
    ax : matplotlib.axes.Axes, optional
    crs : optional
        Projection; default as in :func:`plot_layer`.
    min_flow : float, optional
        Leave out flows smaller than this.
    outlines : Partition, optional
        Draw the outlines of this partition's areas (e.g. ``h["metropolitan"]``).
    color : str
        Colour of the flow lines.

    Returns
    -------
    matplotlib.axes.Axes
        The flows are one LineCollection (gid ``"flows"``), one segment per flow, between
        the zones' representative points, wider and more opaque for larger flows. The
        legend gives three flow widths (largest, median, smallest drawn) and the outline
        style; a scale bar and a north arrow are added when the map's CRS is known.

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    graph = _graph_of(graph)
    _require_geometry(graph)
    if top < 0:
        raise ValueError(f"top must be >= 0; got {top}")
    target = _target_crs(graph, crs)
    zones = _project(graph.geometry, target)
    ax = _new_axes(ax)
    zones.plot(ax=ax, color="0.9", edgecolor="white", linewidth=0.3)
    _draw_outlines(ax, zones, outlines, color="0.35")
    pts = zones.geometry.representative_point()
    flows = graph.to_frame(diagonal=False)
    flows = flows[flows.origin.isin(pts.index) & flows.destination.isin(pts.index)
                  & (flows.flow > 0)]
    if min_flow is not None:
        flows = flows[flows.flow >= min_flow]
    flows = flows.nlargest(top, "flow").iloc[::-1]  # largest drawn last (on top)
    if len(flows):
        o = pts.loc[flows.origin.to_numpy()]
        d = pts.loc[flows.destination.to_numpy()]
        segs = np.stack([np.column_stack([o.x, o.y]), np.column_stack([d.x, d.y])], axis=1)
        v = flows.flow.to_numpy(dtype=float)
        rel = v / v.max()
        widths = 0.3 + 3.7 * np.sqrt(rel)
        rgba = np.tile(np.array(to_rgba(color)), (len(v), 1))
        rgba[:, 3] = 0.25 + 0.6 * np.sqrt(rel)
        lc = LineCollection(segs, linewidths=widths, colors=rgba, capstyle="round",
                            zorder=4, gid="flows")
        ax.add_collection(lc)
        ref = sorted({float(v.max()), float(np.median(v)), float(v.min())}, reverse=True)
        handles = [Line2D([], [], color=color, lw=0.3 + 3.7 * np.sqrt(r / v.max()),
                          label=f"{r:,.0f}") for r in ref]
    else:
        handles = []
    if outlines is not None:
        handles.append(Line2D([], [], color="0.35", linewidth=0.8,
                              label=matplotlib_text(f"{outlines.name} boundary")))
    _side_legend(ax, handles, "flow")
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    _set_aspect(ax, map_crs)
    _map_furniture(ax, map_crs)
    ax.set_title(matplotlib_text(f"{graph.name or 'zones'}: the {len(flows)} largest flows "
                                 "between zones"), fontsize=10)
    return ax


# ---------------------------------------------------------------------------- choropleth
@_one_draw
def plot_choropleth(graph, values, *, ax=None, crs=None, cmap="viridis", label=None,
                    diverging: bool = False, center: float = 0.0, outlines=None):
    """Map one value per zone with a colour bar; zones without a value are hatched grey.

    Parameters
    ----------
    graph : FlowGraph or Hierarchy
    values : pandas.Series
        Indexed by zone id (e.g. ``stability(...).zones["stability"]``). For an area value,
        map it onto the zones first, e.g.
        ``h[layer].labels.map(h.summary(layer)["self_containment_supply"])``.
    ax : matplotlib.axes.Axes, optional
    crs : optional
        Projection; default as in :func:`plot_layer`.
    cmap : str or Colormap
        Colour map; with ``diverging=True`` and the default, ``"RdBu_r"``.
    label : str, optional
        Colour bar label (default: the Series' name).
    diverging : bool
        Centre the colour scale on ``center`` (same distance both ways).
    center : float
        Centre of a diverging scale.
    outlines : Partition, optional
        Draw the outlines of this partition's areas.

    Returns
    -------
    matplotlib.axes.Axes
        The colour bar is ``ax.figure`` 's extra axes (its label is ``label``).

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry, or no value belongs to a zone of the graph.
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.colors import Normalize, TwoSlopeNorm
    from matplotlib.patches import Patch

    graph = _graph_of(graph)
    _require_geometry(graph)
    values = pd.Series(values)
    if not values.index.isin(graph.ids).any():
        raise InvalidZonesError(
            "None of the values' index labels is a zone id of the graph (first: "
            f"{', '.join(map(str, values.index[:3]))}); pass a Series indexed by zone id.")
    target = _target_crs(graph, crs)
    zones = _project(graph.geometry, target)
    v = pd.to_numeric(values.reindex(zones.index), errors="coerce").to_numpy(dtype=float,
                                                                            copy=True)
    v[~np.isfinite(v)] = np.nan
    ax = _new_axes(ax)
    missing = np.isnan(v)
    if diverging and cmap == "viridis":
        cmap = "RdBu_r"
    cm = plt.get_cmap(cmap)
    if missing.all():
        lo, hi = 0.0, 1.0
    else:
        lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    if diverging:
        half = max(abs(lo - center), abs(hi - center)) or 1.0
        norm = TwoSlopeNorm(vcenter=center, vmin=center - half, vmax=center + half)
    else:
        norm = Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1e-9)
    if (~missing).any():
        zones[~missing].plot(ax=ax, color=cm(norm(v[~missing])), edgecolor="white",
                             linewidth=0.25)
    if missing.any():
        zones[missing].plot(ax=ax, facecolor="0.85", edgecolor="0.6", hatch="////",
                            linewidth=0.25)
    _draw_outlines(ax, zones, outlines, color="0.15")
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
    sm.set_array([])
    label = label if label is not None else (values.name if values.name is not None else "")
    cbar = ax.figure.colorbar(sm, ax=ax, shrink=0.5, pad=0.02)
    cbar.set_label(str(label))
    if missing.any():
        ax.legend(handles=[Patch(facecolor="0.85", edgecolor="0.6", hatch="////",
                                 label=f"no value ({int(missing.sum())} zones)")],
                  loc="lower right", fontsize=7, frameon=False)
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    _set_aspect(ax, map_crs)
    _map_furniture(ax, map_crs)
    name = matplotlib_text(graph.name or "")  # the label may be mathtext on purpose
    ax.set_title(f"{name or 'zones'}: {label}" if label else name, fontsize=10)
    return ax


# ---------------------------------------------------------------------------- explore
def explore(h, layer: str | None = None, **kwargs):
    """An interactive HTML map (folium) of one layer of a Hierarchy.

    Parameters
    ----------
    h : Hierarchy
    layer : str, optional
        The layer whose areas colour the zones (default: the lowest layer).
    **kwargs
        Passed to :meth:`geopandas.GeoDataFrame.explore` (e.g. ``tiles=None``).

    Returns
    -------
    folium.Map
        Zones coloured by area (:func:`area_colours`, the colours of the static maps and
        the report; unassigned zones as "(unassigned)"), tooltips with zone id, zone name,
        area name, role and order; the areas' outlines on top. A note at the top of the
        page (id ``regionalize-online-note``, text :data:`ONLINE_NOTE`) says that the map
        loads its scripts and base map from the internet: folium links Leaflet, jQuery
        and Bootstrap from CDNs, which are not shipped with it. Save it with
        ``m.save("map.html")``. Names are user data: every text value, column name (tooltip
        and popup headers, legend title) and layer name is HTML-escaped once (braces too:
        folium renders the legend as a Jinja2 template), so the browser shows a zone named
        ``<script>...`` as that text instead of running it. Field names given in
        ``kwargs`` (``column=``, ``tooltip=``) refer to these escaped column names.

    Raises
    ------
    ImportError
        If folium is not installed (``pip install 'regionalize[notebooks]'``).
    InvalidZonesError
        If the graph has no geometry.
    """
    try:
        import folium  # noqa: F401
    except ImportError as exc:
        raise ImportError("explore() needs folium (and mapclassify): "
                          "pip install 'regionalize[notebooks]'") from exc
    import pandas as pd

    graph = h.graph
    _require_geometry(graph)
    layer = layer or h.layers[-1]
    part = h[layer]
    gdf = h.to_geodataframe()
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    names = gdf["name"] if "name" in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    order = gdf[f"{layer}_order"]
    view = gdf[[]].copy()
    view["zone"] = gdf.index.astype(str)
    view["name"] = names.astype(object).where(names.notna(), "").astype(str).to_numpy()
    view["area"] = gdf[layer].astype(object).where(gdf[layer].notna(), "").astype(str)
    # one legend entry per area: names shared by several areas get their id
    area_names = part.areas["name"].astype(str)
    shared = area_names.duplicated(keep=False)
    label_of = {a: (f"{n} ({a})" if dup else n)
                for a, n, dup in zip(area_names.index, area_names, shared, strict=True)}
    view[f"{layer} area"] = [label_of.get(a, "(unassigned)") if isinstance(a, str)
                             else "(unassigned)" for a in gdf[layer]]
    view["role"] = gdf[f"{layer}_role"].astype(object).fillna("").astype(str)
    view["order"] = [("" if pd.isna(o) else str(int(o))) for o in order]
    view = view.set_geometry(gdf.geometry.to_numpy(), crs=gdf.crs).reset_index(drop=True)
    view = _inert(view)
    # the same colours as the static maps and the report, unassigned light grey
    colour_of = area_colours(h, layer)
    cats = [map_text(label_of[a]) for a in part.areas.index]
    column = map_text(f"{layer} area")
    colours = {c: colour_of[a] for c, a in zip(cats, part.areas.index, strict=True)}
    if (view[column] == "(unassigned)").any():
        colours["(unassigned)"] = UNASSIGNED_COLOUR
    categories = list(dict.fromkeys(c for c in [*cats, "(unassigned)"] if c in colours))
    kw = {"column": column, "categorical": True, "categories": categories,
          "cmap": [colours[c] for c in categories], "tooltip": list(view.columns[:-1]),
          "popup": True, "legend": part.n_areas <= 40,
          "style_kwds": {"weight": 0.5, "color": "white", "fillOpacity": 0.7},
          "name": map_text(f"{layer} zones")}
    kw.update(kwargs)
    m = view.explore(**kw)
    areas = h.dissolve(layer)
    areas = areas[areas.geometry.notna()]
    if len(areas):
        outline = areas[["name", "n_zones"]].assign(geometry=areas.geometry)
        outline = outline.set_geometry("geometry", crs=areas.crs).reset_index()
        outline["area"] = outline["area"].astype(str)
        _inert(outline).explore(m=m, style_kwds={"fill": False, "color": "#222222",
                                                 "weight": 1.5},
                                tooltip=["name", "n_zones"], name=map_text(f"{layer} areas"))
    _online_note(m)
    return m


def _online_note(m) -> None:
    """Say at the top of the page that the map needs the internet (an honest note: folium
    links Leaflet and its plugins from CDNs and the base map is made of web tiles)."""
    import folium

    from ._markup import html_text

    m.get_root().html.add_child(folium.Element(
        '<div id="regionalize-online-note" role="note" style="position:fixed;top:8px;'
        "left:50%;transform:translateX(-50%);z-index:1000;max-width:60%;padding:4px 10px;"
        "background:rgba(255,255,255,.92);border-radius:4px;box-shadow:0 1px 4px "
        'rgba(0,0,0,.3);font:12px system-ui,sans-serif;color:#333">'
        f"{html_text(ONLINE_NOTE)}</div>"))


def _inert(gdf):
    """``gdf`` with its text values and column names through :func:`map_text`.

    folium inserts tooltip and popup cells and headers, and legend labels and title, as HTML
    (and the legend through a Jinja2 template): escaped once, they show the original text.
    Numbers and the geometry column stay as they are.
    """
    import pandas as pd

    def cell(v):
        if isinstance(v, bool | int | float | np.number) or (pd.api.types.is_scalar(v)
                                                             and pd.isna(v)):
            return v  # numbers as numbers, missing as missing (NaN is a float)
        return map_text(v)

    out = gdf.copy()
    geometry = out.geometry.name
    for col in out.columns:
        if col != geometry and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [cell(v) for v in out[col]]
    out.columns = [c if c == geometry else map_text(c) for c in out.columns]
    return out.set_geometry(geometry)


# ---------------------------------------------------------------------------- plot_tree
def _parents(upper, lower) -> dict:
    """Area of ``upper`` holding most zones of every area of ``lower`` (None: unassigned)."""
    import pandas as pd

    frame = pd.DataFrame({"lower": lower.codes(), "upper": upper.codes()})
    frame = frame[frame.lower >= 0]
    counts = frame.groupby(["lower", "upper"]).size().reset_index(name="n")
    best = counts.sort_values(["lower", "n", "upper"], ascending=[True, False, False]) \
        .drop_duplicates("lower")
    up_ids = upper.areas.index
    low_ids = lower.areas.index
    return {low_ids[r.lower]: (up_ids[r.upper] if r.upper >= 0 else None)
            for r in best.itertuples()}


def _tilt_if_crowded(ax, texts) -> None:
    """Turn a row of labels 45 degrees (anchored at their right end) when any two overlap."""
    if len(texts) < 2:
        return
    renderer = ax.figure.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(renderer) for t in texts), key=lambda b: b.x0)
    if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:], strict=False)):
        for t in texts:
            t.set(rotation=45, ha="right", rotation_mode="anchor")


def plot_tree(h, *, layers=None, ax=None, max_labels: int = 60):
    """Draw the hierarchy as a tree: every area of every layer, top layer first.

    Parameters
    ----------
    h : Hierarchy
    layers : list of str, optional
        Layers to draw, top first (default: all, in the Hierarchy's order).
    ax : matplotlib.axes.Axes, optional
    max_labels : int
        Name at most this many areas per layer (the largest); labels of layers with many
        areas are turned vertical.

    Returns
    -------
    matplotlib.axes.Axes
        One row per layer; each area a circle (one PathCollection per layer, gid
        ``"tree-<layer>"``, one point per area) with area proportional to its population
        (residents when there is no population), linked to the area of the layer above
        that holds most of its zones; when they are mostly unassigned there, to the area of
        the nearest layer further up that holds them (e.g. a small urban area outside the
        metropolitan areas hangs from its megaregion). Areas unassigned in every layer above
        hang from the top.

    Notes
    -----
    Works without geometry. When layers do not nest, an area hangs from the upper area
    holding most of its zones.
    """
    from matplotlib.collections import LineCollection

    layers = list(layers) if layers is not None else list(h.layers)
    if not layers:
        raise ValueError("plot_tree needs at least one layer")
    for layer in layers:
        h[layer]  # KeyError naming the layers
    # nodes: (layer, area); parent links to the layer above
    children: dict = {None: []}
    parent_of: dict = {}
    for depth, layer in enumerate(layers):
        ids = list(h[layer].areas.index)
        # the nearest layer above in which the area's zones are mostly assigned
        ups: dict = {}
        for above in range(depth - 1, -1, -1):
            for a, up in _parents(h[layers[above]], h[layer]).items():
                if up is not None and a not in ups:
                    ups[a] = (layers[above], up)
        for a in ids:
            node = (layer, a)
            parent = ups.get(a)
            parent_of[node] = parent
            children.setdefault(parent, []).append(node)
            children.setdefault(node, [])
    sizes = {layer: _area_size(h, layer)[0] for layer in layers}
    measure = _area_size(h, layers[0])[1]

    # children sorted by size; leaves take successive slots, parents centred over children
    def key(node):
        return -sizes[node[0]].get(node[1], 0.0)

    x: dict = {}
    slot = [0]

    def place(node):
        kids = sorted(children.get(node, []), key=key)
        for k in kids:
            place(k)
        if node is None:
            return
        if kids:
            x[node] = float(np.mean([x[k] for k in kids]))
        else:
            x[node] = float(slot[0])
            slot[0] += 1

    # roots: the top layer, then lower areas hanging from nothing, in layer order
    roots = sorted(children[None], key=lambda n: (layers.index(n[0]), key(n)))
    for r in roots:
        place(r)
    n_slots = max(slot[0], 1)
    ax = _new_axes(ax, figsize=(max(8.0, min(0.3 * n_slots, 30.0)), 1.8 + 1.9 * len(layers)))
    vmax = max(float(s.max()) if len(s) else 0.0 for s in sizes.values()) or 1.0
    segs = []
    for node, parent in parent_of.items():
        if parent is not None:
            segs.append([(x[parent], -layers.index(parent[0])),
                         (x[node], -layers.index(node[0]))])
    if segs:
        ax.add_collection(LineCollection(segs, colors="0.6", linewidths=0.8, zorder=1))
    # limits first: the crowding test below measures labels in display space
    ax.set_xlim(-1, n_slots)
    ax.set_ylim(-len(layers) + 0.4, 0.5)
    for depth, layer in enumerate(layers):
        part = h[layer]
        ids = list(part.areas.index)
        xs = [x[(layer, a)] for a in ids]
        s = sizes[layer].reindex(ids).fillna(0.0).to_numpy(dtype=float)
        marker = 20 + 900 * s / vmax
        ax.scatter(xs, np.full(len(ids), -depth, dtype=float), s=marker,
                   color=_palette(max(len(layers), 1))[depth], edgecolor="0.2", linewidth=0.5,
                   zorder=3, gid=f"tree-{layer}", alpha=0.9)
        named = set(sizes[layer].sort_values(ascending=False).index[:max_labels])
        row = []
        for a, xv, ms in zip(ids, xs, marker, strict=True):
            if a not in named:
                continue
            # below the circle (radius in points = sqrt(s) / 2)
            row.append(ax.annotate(str(part.areas.at[a, "name"]), (xv, -depth),
                                   xytext=(0, -(np.sqrt(ms) / 2 + 2)),
                                   textcoords="offset points", ha="center", va="top",
                                   fontsize=7, zorder=4, parse_math=False))
        _tilt_if_crowded(ax, row)
        ax.text(-0.02, -depth, f"{layer}\n({len(ids)})", ha="right", va="center",
                parse_math=False, fontsize=9, fontweight="bold",
                transform=ax.get_yaxis_transform())
    ax.set_axis_off()
    ax.set_title(matplotlib_text(f"{h.graph.name or 'hierarchy'}: areas by layer (circle "
                                 f"area: {measure})"), fontsize=10)
    return ax
