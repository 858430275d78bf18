"""The interactive map of a Hierarchy (:func:`explore`, folium): zones coloured by area as on
the static maps, tooltips, area outlines, and the note (:data:`ONLINE_NOTE`) that the page
loads its scripts and base map from the internet. Every text is escaped for HTML.
"""

from __future__ import annotations

import numpy as np

from .._markup import map_text
from ._geo import require_geometry
from ._style import UNASSIGNED_COLOUR, area_colours

__all__ = ["explore", "ONLINE_NOTE"]

#: the note at the top of every interactive map (folium loads Leaflet and tiles online)
ONLINE_NOTE = (
    "This map loads its scripts (Leaflet) and its base map from the internet: "
    "without a connection it stays blank. The static maps (PNG) and the report "
    "work offline."
)


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

    See Also
    --------
    regionalize.plot.plot_layer : The static map of one layer, in the same colours.

    Examples
    --------
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> m = rz.plot.explore(h, "urban", tiles=None)
    >>> type(m).__name__, "regionalize-online-note" in m.get_root().render()
    ('Map', True)

    ``m`` shows itself in a notebook; ``m.save("map.html")`` writes the page.
    """
    try:
        import folium  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "explore() needs folium (and mapclassify): pip install 'regionalize[notebooks]'"
        ) from exc
    import pandas as pd

    graph = h.graph
    require_geometry(graph)
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
    label_of = {
        a: (f"{n} ({a})" if dup else n)
        for a, n, dup in zip(area_names.index, area_names, shared, strict=True)
    }
    view[f"{layer} area"] = [
        label_of.get(a, "(unassigned)") if isinstance(a, str) else "(unassigned)"
        for a in gdf[layer]
    ]
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
    kw = {
        "column": column,
        "categorical": True,
        "categories": categories,
        "cmap": [colours[c] for c in categories],
        "tooltip": list(view.columns[:-1]),
        "popup": True,
        "legend": part.n_areas <= 40,
        "style_kwds": {"weight": 0.5, "color": "white", "fillOpacity": 0.7},
        "name": map_text(f"{layer} zones"),
    }
    kw.update(kwargs)
    m = view.explore(**kw)
    areas = h.dissolve(layer)
    areas = areas[areas.geometry.notna()]
    if len(areas):
        outline = areas[["name", "n_zones"]].assign(geometry=areas.geometry)
        outline = outline.set_geometry("geometry", crs=areas.crs).reset_index()
        outline["area"] = outline["area"].astype(str)
        _inert(outline).explore(
            m=m,
            style_kwds={"fill": False, "color": "#222222", "weight": 1.5},
            tooltip=["name", "n_zones"],
            name=map_text(f"{layer} areas"),
        )
    _online_note(m)
    return m


def _online_note(m) -> None:
    """Say at the top of the page that the map needs the internet (an honest note: folium
    links Leaflet and its plugins from CDNs and the base map is made of web tiles)."""
    import folium

    from .._markup import html_text

    m.get_root().html.add_child(
        folium.Element(
            '<div id="regionalize-online-note" role="note" style="position:fixed;top:8px;'
            "left:50%;transform:translateX(-50%);z-index:1000;max-width:60%;padding:4px 10px;"
            "background:rgba(255,255,255,.92);border-radius:4px;box-shadow:0 1px 4px "
            'rgba(0,0,0,.3);font:12px system-ui,sans-serif;color:#333">'
            f"{html_text(ONLINE_NOTE)}</div>"
        )
    )


def _inert(gdf):
    """``gdf`` with its text values and column names through :func:`map_text`.

    folium inserts tooltip and popup cells and headers, and legend labels and title, as HTML
    (and the legend through a Jinja2 template): escaped once, they show the original text.
    Numbers and the geometry column stay as they are.
    """
    import pandas as pd

    def cell(v):
        if isinstance(v, bool | int | float | np.number) or (
            pd.api.types.is_scalar(v) and pd.isna(v)
        ):
            return v  # numbers as numbers, missing as missing (NaN is a float)
        return map_text(v)

    out = gdf.copy()
    geometry = out.geometry.name
    for col in out.columns:
        if col != geometry and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [cell(v) for v in out[col]]
    out.columns = [c if c == geometry else map_text(c) for c in out.columns]
    return out.set_geometry(geometry)
