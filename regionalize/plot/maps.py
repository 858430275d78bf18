"""Maps of the areas of a Hierarchy: one layer (:func:`plot_layer`) and nested layers
(:func:`plot_hierarchy`), zones coloured by area (:func:`~regionalize.plot.area_colours`),
outlines, central zones, names, legend, scale bar and north arrow.
"""

from __future__ import annotations

from .._markup import matplotlib_text
from ..errors import InvalidZonesError
from ._geo import map_furniture, outline, project, require_geometry, set_aspect, target_crs
from ._style import (
    UNASSIGNED_COLOUR,
    area_colours,
    area_size,
    declutter,
    map_label,
    new_axes,
    one_draw,
    side_legend,
)

__all__ = ["plot_hierarchy", "plot_layer"]


@one_draw
def plot_hierarchy(
    h,
    *,
    fill: str | None = None,
    outlines=None,
    crs=None,
    ax=None,
    label_centres: int = 25,
    title: str | None = None,
    legend: bool = True,
    legend_max: int = 20,
):
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

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry.

    See Also
    --------
    regionalize.plot.plot_layer : One layer on its own.
    regionalize.plot.plot_tree : The same layers as a tree, without a map.
    regionalize.plot.explore : An interactive map of one layer.

    Examples
    --------
    The urban areas of a synthetic country coloured, the metropolitan area and the
    megaregion as outlines; the legend tells them apart:

    >>> import matplotlib.pyplot as plt
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> ax = rz.plot.plot_hierarchy(h)
    >>> ax.get_title()
    'synthetic-60-seed1: urban areas with megaregion outlines, metropolitan outlines'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]  # doctest: +NORMALIZE_WHITESPACE
    ['Udaec', 'Vimarar', 'Eludal', 'Faviar', 'in no urban area', 'megaregion boundary',
     'metropolitan boundary', 'central zone (named)']
    >>> plt.close(ax.figure)
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    graph = h.graph
    if graph.geometry is None:
        raise InvalidZonesError(
            "The graph has no geometry to map; attach zone polygons with graph.with_geometry(...)."
        )
    layers = list(h.layers)
    fill = fill or layers[-1]
    if outlines is None:
        outlines = layers[: layers.index(fill)]
    target = target_crs(graph, crs)
    zones = project(h.to_geodataframe(), target)
    ax = new_axes(ax)
    part = h[fill]
    colour_of = area_colours(h, fill)
    colours = [
        colour_of.get(a, UNASSIGNED_COLOUR) if isinstance(a, str) else UNASSIGNED_COLOUR
        for a in zones[fill]
    ]
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2)
    # higher layers: wider, dashed and grey; the layer just above the fill: thin and black
    styles = []
    for i, layer in enumerate(outlines):
        col = zones[layer]
        areas = zones[col.notna()].dissolve(by=layer)
        lowest = i == len(outlines) - 1
        style = {
            "color": "black" if lowest else "0.35",
            "linewidth": 0.9 if lowest else 1.4,
            "linestyle": "-" if lowest else (0, (4, 2)),
        }
        if len(areas):
            outline(areas).plot(ax=ax, **style)
        styles.append((layer, style))
    sizes = part.areas["n_zones"].sort_values(ascending=False, kind="stable")
    pts = zones.geometry.representative_point()
    texts, marked = [], False
    for area in sizes.index[: max(label_centres, 0)]:
        centres = [c for c in part.areas.loc[area, "centres"] if c in pts.index]
        if not centres:
            continue
        p = pts.loc[centres[0]]
        ax.plot(p.x, p.y, "o", color="black", markersize=3)
        marked = True
        texts.append(
            ax.annotate(
                str(part.areas.loc[area, "name"]),
                (p.x, p.y),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
                parse_math=False,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0},
            )
        )
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    set_aspect(ax, map_crs)
    map_furniture(ax, map_crs)
    if legend:
        names = part.areas["name"]
        handles = [
            Patch(facecolor=colour_of[a], edgecolor="0.3", lw=0.5, label=matplotlib_text(names[a]))
            for a in sizes.index[:legend_max]
        ]
        if part.n_areas > legend_max:
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="none",
                    label=f"... {part.n_areas - legend_max} more",
                )
            )
        if (part.codes() < 0).any():
            handles.append(
                Patch(
                    facecolor=UNASSIGNED_COLOUR,
                    edgecolor="0.3",
                    lw=0.5,
                    label=matplotlib_text(f"in no {fill} area"),
                )
            )
        for layer, style in styles:  # top layer first
            handles.append(Line2D([], [], label=matplotlib_text(f"{layer} boundary"), **style))
        if marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="black",
                    linestyle="none",
                    markersize=3,
                    label="central zone (named)",
                )
            )
        side_legend(ax, handles, f"{fill} areas")
    outline_text = ", ".join(f"{layer} outlines" for layer in outlines)
    ax.set_title(
        title
        or matplotlib_text(
            f"{graph.name or 'zones'}: {fill} areas" + (f" with {outline_text}" if outlines else "")
        )
    )
    declutter(ax, texts)
    return ax


@one_draw
def plot_layer(
    h,
    layer: str,
    *,
    ax=None,
    crs=None,
    legend: bool = True,
    label_centres: int = 15,
    legend_max: int = 20,
):
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

    See Also
    --------
    regionalize.plot.plot_hierarchy : Several layers on one map.
    regionalize.plot.area_colours : The colour of every area.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> ax = rz.plot.plot_layer(h, "urban")
    >>> ax.get_title()
    'synthetic-60-seed1: urban areas (4; 6 zones unassigned)'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Udaec', 'Vimarar', 'Eludal', 'Faviar', 'unassigned', 'area boundary', 'central zone']
    >>> plt.close(ax.figure)
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    graph = h.graph
    require_geometry(graph)
    part = h[layer]
    target = target_crs(graph, crs)
    zones = project(h.to_geodataframe(), target)
    ax = new_axes(ax)
    colour_of = area_colours(h, layer)
    colours = [
        colour_of.get(a, UNASSIGNED_COLOUR) if isinstance(a, str) else UNASSIGNED_COLOUR
        for a in zones[layer]
    ]
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.25)
    areas = project(h.dissolve(layer), target)
    if len(areas):
        outline(areas).plot(ax=ax, color="0.15", linewidth=0.8)
    # central zones
    pts = zones.geometry.representative_point()
    centre = zones[f"{layer}_role"].eq("centre").fillna(False).to_numpy(dtype=bool)
    if centre.any():
        ax.scatter(
            pts[centre].x,
            pts[centre].y,
            s=10,
            c="black",
            marker="o",
            zorder=5,
            linewidths=0,
            label="_centres",
        )
    # names of the largest areas
    size, _ = area_size(h, layer)
    order = size.sort_values(ascending=False, kind="stable").index
    texts = []
    names = part.areas["name"]
    for area in order[: max(label_centres, 0)]:
        centres = [c for c in part.areas.at[area, "centres"] if c in pts.index]
        if centres:
            p = pts.loc[centres[0]]
        elif area in areas.index and areas.at[area, "geometry"] is not None:
            p = areas.at[area, "geometry"].representative_point()
        else:
            continue
        texts.append(map_label(ax, str(names[area]), p.x, p.y))
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    set_aspect(ax, map_crs)
    map_furniture(ax, map_crs)
    n_unassigned = int((part.codes() < 0).sum())
    if legend:
        handles = [
            Patch(facecolor=colour_of[a], edgecolor="0.3", lw=0.5, label=matplotlib_text(names[a]))
            for a in order[:legend_max]
        ]
        if part.n_areas > legend_max:
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="none",
                    label=f"... {part.n_areas - legend_max} more",
                )
            )
        if n_unassigned:
            handles.append(
                Patch(facecolor=UNASSIGNED_COLOUR, edgecolor="0.3", lw=0.5, label="unassigned")
            )
        if len(areas):
            handles.append(Line2D([], [], color="0.15", linewidth=0.8, label="area boundary"))
        if centre.any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="black",
                    linestyle="none",
                    markersize=3,
                    label="central zone",
                )
            )
        side_legend(ax, handles, f"{layer} areas")
    ax.set_title(
        matplotlib_text(
            f"{graph.name or 'zones'}: {layer} areas ({part.n_areas}; "
            f"{n_unassigned} zones unassigned)"
        ),
        fontsize=10,
    )
    declutter(ax, texts)
    return ax
