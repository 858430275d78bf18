"""Choropleths: one value per zone on a colour scale, with a colour bar.

:func:`plot_choropleth` maps any zone value; :func:`draw_choropleth` is the drawing both it
and the Monitor's map of change (:func:`regionalize.plot.change.change_map`) use: zones
filled by value, zones without a value hatched grey, area outlines, colour bar, the
no-value legend, scale bar, north arrow and title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._markup import matplotlib_text
from ..errors import InvalidZonesError
from ._geo import (
    draw_outlines,
    graph_of,
    map_furniture,
    project,
    require_geometry,
    set_aspect,
    target_crs,
)
from ._style import new_axes, one_draw

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["plot_choropleth", "draw_choropleth", "NO_VALUE"]

#: the face colour of zones without a value (hatched) on :func:`plot_choropleth`
NO_VALUE = "0.85"


@one_draw
def plot_choropleth(
    graph: FlowGraph,
    values,
    *,
    ax=None,
    crs=None,
    cmap="viridis",
    label=None,
    diverging: bool = False,
    center: float = 0.0,
    outlines=None,
):
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

    See Also
    --------
    regionalize.monitor.Monitor.plot_change : The change of an indicator between two
        years, on a diverging scale.

    Examples
    --------
    The self-containment of every urban area, mapped onto its zones (the unassigned zones
    have no value and are hatched):

    >>> import matplotlib.pyplot as plt
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> sc = h["urban"].labels.map(h.summary("urban")["self_containment_supply"])
    >>> ax = rz.plot.plot_choropleth(h, sc, label="self-containment", outlines=h["urban"])
    >>> ax.get_title(), ax.figure.axes[-1].get_ylabel()
    ('synthetic-60-seed1: self-containment', 'self-containment')
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.colors import Normalize, TwoSlopeNorm

    graph = graph_of(graph)
    require_geometry(graph)
    values = pd.Series(values)
    if not values.index.isin(graph.ids).any():
        raise InvalidZonesError(
            "None of the values' index labels is a zone id of the graph (first: "
            f"{', '.join(map(str, values.index[:3]))}); pass a Series indexed by zone id."
        )
    target = target_crs(graph, crs)
    zones = project(graph.geometry, target)
    v = pd.to_numeric(values.reindex(zones.index), errors="coerce").to_numpy(dtype=float, copy=True)
    v[~np.isfinite(v)] = np.nan
    ax = new_axes(ax)
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
    label = label if label is not None else (values.name if values.name is not None else "")
    name = matplotlib_text(graph.name or "")  # the label may be mathtext on purpose
    draw_choropleth(
        ax,
        zones,
        v,
        cmap=cm,
        norm=norm,
        label=str(label),
        outlines=[(outlines, "0.15", 0.8)],
        map_crs=target if target is not None else graph.crs,
        title=f"{name or 'zones'}: {label}" if label else name,
    )
    return ax


def draw_choropleth(
    ax,
    zones,
    values,
    *,
    cmap,
    norm,
    map_crs,
    title: str,
    label: str = "",
    outlines=(),
    no_value: str = NO_VALUE,
    gid: str | None = None,
    extend: str | None = None,
    formatter=None,
    zero_line: bool = False,
    label_size: float | None = None,
):
    """Draw a choropleth in ``ax`` and return its colour bar.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    zones : geopandas.GeoDataFrame
        Zone polygons, already projected.
    values : numpy.ndarray
        One value per row of ``zones``; NaN: no value (hatched, counted in a legend).
    cmap : Colormap
    norm : matplotlib.colors.Normalize
    map_crs : optional
        The map's CRS (aspect, scale bar and north arrow).
    title : str
        Set as it is (the caller escapes mathtext).
    label : str
        Colour bar label.
    outlines : sequence of (Partition or None, colour, line width)
        Area outlines drawn over the zones, in order.
    no_value : colour
        Face colour of the zones without a value.
    gid : str, optional
        Gid of the collection of zones with a value.
    extend : str, optional
        The colour bar's ``extend`` (default: matplotlib's).
    formatter : callable, optional
        ``(value, position) -> text`` for the colour bar's ticks.
    zero_line : bool
        Mark zero on the colour bar.
    label_size : float, optional
        Font size of the colour bar label (default: matplotlib's).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    missing = np.isnan(values)
    if (~missing).any():
        zones[~missing].plot(
            ax=ax,
            color=cmap(norm(values[~missing])),
            edgecolor="white",
            linewidth=0.25,
            **({} if gid is None else {"gid": gid}),
        )
    if missing.any():
        zones[missing].plot(
            ax=ax, facecolor=no_value, edgecolor="0.6", hatch="////", linewidth=0.25
        )
    for partition, colour, width in outlines:
        draw_outlines(ax, zones, partition, color=colour, linewidth=width)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    sm.set_array([])
    cbar = ax.figure.colorbar(
        sm, ax=ax, shrink=0.5, pad=0.02, **({} if extend is None else {"extend": extend})
    )
    if formatter is not None:
        cbar.ax.yaxis.set_major_formatter(FuncFormatter(formatter))
    cbar.set_label(label, **({} if label_size is None else {"fontsize": label_size}))
    if zero_line:
        cbar.ax.axhline(0.0, color="black", linewidth=0.8)
    if missing.any():
        ax.legend(
            handles=[
                Patch(
                    facecolor=no_value,
                    edgecolor="0.6",
                    hatch="////",
                    label=f"no value ({int(missing.sum())} zones)",
                )
            ],
            loc="lower right",
            fontsize=7,
            frameon=False,
        )
    ax.set_axis_off()
    set_aspect(ax, map_crs)
    map_furniture(ax, map_crs)
    ax.set_title(title, fontsize=10)
    return cbar
