"""The Monitor's maps: change on a diverging scale, Dorling cartograms, flows between centres
and their surroundings.

:class:`regionalize.monitor.Monitor` works out what to show (values per zone, circles,
flows; see :mod:`regionalize.monitor.maps`) and draws it with these functions:
:func:`change_map` (through :func:`regionalize.plot.choropleth.draw_choropleth`, the
drawing of :func:`~regionalize.plot.plot_choropleth`), :func:`dorling_map` and
:func:`centre_flows_map`. They share the colour scale centred on zero
(:func:`diverging_norm`), its signed tick labels and the map-shaped axes
(:func:`map_axes`). The Monitor's methods run them under
:func:`~regionalize.plot._style.one_draw`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ._geo import map_furniture
from ._style import GREY, declutter, palette
from .choropleth import draw_choropleth

__all__ = [
    "change_map",
    "dorling_map",
    "centre_flows_map",
    "diverging_norm",
    "map_axes",
    "signed_percent",
    "signed_count",
    "CENTRE_FLOW_COLOURS",
    "CENTRE_FLOW_LABELS",
    "NO_CHANGE_VALUE",
]

#: line colour of the flows of :func:`centre_flows_map`, per direction
CENTRE_FLOW_COLOURS = {"both": "#5e3c99", "to_centre": "#b2182b", "from_centre": "#2166ac"}
#: legend label of the flows of :func:`centre_flows_map`, per direction
CENTRE_FLOW_LABELS = {
    "both": "surrounding ↔ centre",
    "to_centre": "surrounding → centre",
    "from_centre": "centre → surrounding",
}
#: face colour of the zones without a value on :func:`change_map`
NO_CHANGE_VALUE = "0.88"


def change_map(
    shapes,
    values: np.ndarray,
    *,
    map_crs,
    label: str,
    title: str,
    percent: bool,
    outlines=(),
    symmetric: bool = True,
    limit: float | None = None,
    cmap="RdBu_r",
    ax=None,
):
    """Choropleth of a change, on a diverging scale centred on zero.

    Parameters
    ----------
    shapes : geopandas.GeoDataFrame
        The zones to draw, projected.
    values : numpy.ndarray
        The change per row of ``shapes`` (NaN: no value, hatched).
    map_crs : optional
        The CRS of ``shapes`` (scale bar and north arrow).
    label, title : str
        Colour bar label and map title.
    percent : bool
        Tick labels as signed percentages (fractions), else as signed counts.
    outlines : sequence of (Partition, colour, line width)
        Area outlines, in order.
    symmetric, limit, cmap
        The colour scale (:func:`diverging_norm`).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Zones with a value are one collection (gid ``"change"``).
    """
    import matplotlib.pyplot as plt

    ax = map_axes(ax, shapes.total_bounds)
    norm, extend = diverging_norm(values, symmetric, limit)
    draw_choropleth(
        ax,
        shapes,
        values,
        cmap=plt.get_cmap(cmap),
        norm=norm,
        map_crs=map_crs,
        title=title,
        label=label,
        outlines=outlines,
        no_value=NO_CHANGE_VALUE,
        gid="change",
        extend=extend,
        zero_line=True,
        label_size=8,
        formatter=signed_percent if percent else signed_count,
    )
    return ax


def dorling_map(
    lay,
    shapes,
    *,
    values=None,
    scale: str | None = None,
    label: str | None = None,
    size_label: str,
    title: str,
    map_crs,
    symmetric: bool = True,
    limit: float | None = None,
    cmap=None,
    labels: int = 10,
    background: bool = True,
    ax=None,
):
    """Draw a Dorling cartogram.

    Parameters
    ----------
    lay : pandas.DataFrame
        The layout (:meth:`regionalize.monitor.Monitor.dorling`): ``name``, ``value``, ``x``,
        ``y``, ``radius`` per circle.
    shapes : geopandas.GeoDataFrame
        The zones under the circles (in the layout's CRS).
    values : numpy.ndarray, optional
        A colour value per row of ``lay`` (NaN: light grey); None: one colour.
    scale : {"percent", "count", "sequential"}, optional
        The colour scale of ``values``: diverging, centred on zero, with signed percentages
        or counts (:func:`diverging_norm`), or from the smallest to the largest value.
    label : str, optional
        Colour bar label.
    size_label : str
        Title of the circle-size legend.
    title : str
    map_crs : optional
        The layout's CRS (scale bar and north arrow).
    symmetric, limit
        The diverging colour scale.
    cmap : str or Colormap, optional
        Default ``"RdBu_r"`` (diverging), ``"viridis"`` (sequential).
    labels : int
        Name the largest circles (overlapping names hidden).
    background : bool
        Draw the zone polygons faintly under the circles.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The circles are one PatchCollection (gid ``"dorling"``), largest drawn first.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import Circle
    from matplotlib.ticker import FuncFormatter

    x0, y0, x1, y1 = shapes.total_bounds
    ax = map_axes(
        ax,
        (
            min(x0, float((lay.x - lay.radius).min())),
            min(y0, float((lay.y - lay.radius).min())),
            max(x1, float((lay.x + lay.radius).max())),
            max(y1, float((lay.y + lay.radius).max())),
        ),
    )
    if background:
        shapes.plot(ax=ax, color="0.93", edgecolor="0.82", linewidth=0.2)
    norm = None
    extend = "neither"
    if values is not None and scale in ("percent", "count"):
        norm, extend = diverging_norm(values, symmetric, limit)
        cm = plt.get_cmap(cmap or "RdBu_r")
    elif values is not None:
        fin = values[np.isfinite(values)]
        lo = float(fin.min()) if len(fin) else 0.0
        hi = float(fin.max()) if len(fin) else 1.0
        norm = Normalize(lo, hi if hi > lo else lo + 1e-9)
        cm = plt.get_cmap(cmap or "viridis")
    order = np.argsort(-lay["radius"].to_numpy(), kind="stable")
    patches = [Circle((lay["x"].iloc[i], lay["y"].iloc[i]), lay["radius"].iloc[i]) for i in order]
    if values is not None:
        cv = values[order]
        faces = [cm(norm(x)) if np.isfinite(x) else (0.8, 0.8, 0.8, 1.0) for x in cv]
    else:
        faces = [(0.27, 0.45, 0.7, 1.0)] * len(order)
    coll = PatchCollection(
        patches, facecolors=faces, edgecolors="0.25", linewidths=0.4, zorder=3, gid="dorling"
    )
    ax.add_collection(coll)
    # proportional-symbol legend: two nested circles at the lower right
    r_all = lay["radius"].to_numpy()
    xmin = float((lay["x"] - lay["radius"]).min())
    xmax = float((lay["x"] + lay["radius"]).max())
    ymin = float((lay["y"] - lay["radius"]).min())
    ymax = float((lay["y"] + lay["radius"]).max())
    if background:
        bx0, by0, bx1, by1 = shapes.total_bounds
        xmin, ymin = min(xmin, bx0), min(ymin, by0)
        xmax, ymax = max(xmax, bx1), max(ymax, by1)
    width = xmax - xmin
    if len(lay) and r_all.max() > 0:
        # nested circles sharing their lowest point; values to the right, at their tops
        vmax = float(lay["value"].max())
        ref = sorted({_nice(vmax), _nice(vmax / 10)} - {0.0}, reverse=True)
        size = r_all.max() / np.sqrt(vmax)
        big = size * np.sqrt(ref[0])
        cx = xmax + 0.04 * width + big
        for val in ref:
            rr = size * np.sqrt(val)
            ax.add_patch(
                Circle(
                    (cx, ymin + rr), rr, facecolor="none", edgecolor="0.3", linewidth=0.6, zorder=4
                )
            )
            ax.plot([cx, cx + big * 1.15], [ymin + 2 * rr] * 2, color="0.3", lw=0.5, zorder=4)
            ax.annotate(
                f"{val:,.0f}",
                (cx + big * 1.15, ymin + 2 * rr),
                xytext=(2, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6,
            )
        ax.annotate(
            size_label,
            (cx, ymin + 2 * big),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
        xmax = cx + big * 1.15 + 0.08 * width
    pad = 0.03 * max(width, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    texts = []
    for i in order[: max(labels, 0)]:
        row = lay.iloc[i]
        texts.append(
            ax.annotate(
                str(row["name"]),
                (row["x"], row["y"]),
                ha="center",
                va="center",
                fontsize=7,
                zorder=6,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0},
            )
        )
    if norm is not None:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
        sm.set_array([])
        cbar = ax.figure.colorbar(sm, ax=ax, shrink=0.5, pad=0.02, extend=extend)
        if scale in ("percent", "count"):
            cbar.ax.yaxis.set_major_formatter(
                FuncFormatter(signed_count if scale == "count" else signed_percent)
            )
            cbar.ax.axhline(0.0, color="black", linewidth=0.8)
        cbar.set_label(label, fontsize=8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    map_furniture(ax, map_crs)
    ax.set_title(title, fontsize=10)
    declutter(ax, texts)
    return ax


def centre_flows_map(
    shapes,
    area_of,
    n_areas: int,
    segments,
    flows,
    centres,
    *,
    direction: str,
    title: str,
    map_crs,
    ax=None,
):
    """Draw the flows between surrounding zones and the centres of their areas.

    Parameters
    ----------
    shapes : geopandas.GeoDataFrame
        The zones, projected.
    area_of : sequence of int
        The area (position in the layer, -1: unassigned) of every row of ``shapes``.
    n_areas : int
        Areas in the layer (zones are tinted with :func:`~regionalize.plot._style.palette`).
    segments : list of ((x, y), (x, y))
        One line per surrounding zone and central zone.
    flows : list of float
        The flow along every segment.
    centres : geopandas.GeoSeries
        Points of the central zones to mark.
    direction : {"both", "to_centre", "from_centre"}
        Colour and legend of the lines (:data:`CENTRE_FLOW_COLOURS`).
    title : str
    map_crs : optional
        The CRS of ``shapes`` (scale bar and north arrow).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The lines are one LineCollection (gid ``"centre_flows"``), largest drawn last.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    ax = map_axes(ax, shapes.total_bounds)
    colours = palette(max(n_areas, 1))
    faces = [(*colours[a][:3], 0.35) if a >= 0 else GREY for a in area_of]
    shapes.plot(ax=ax, color=faces, edgecolor="white", linewidth=0.3)
    colour = CENTRE_FLOW_COLOURS[direction]
    handles = [Line2D([], [], color=colour, lw=2.5, label=CENTRE_FLOW_LABELS[direction])]
    if segments:
        v = np.asarray(flows)
        top = float(v.max())
        order = np.argsort(v, kind="stable")  # largest drawn last
        widths = 0.3 + 5.0 * np.sqrt(v / top)
        ax.add_collection(
            LineCollection(
                np.asarray(segments, dtype=float)[order],
                linewidths=widths[order],
                colors=colour,
                alpha=0.75,
                capstyle="round",
                zorder=4,
                gid="centre_flows",
            )
        )
        for ref in sorted({top, _nice(top / 4), _nice(top / 20)} - {0.0}, reverse=True):
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    alpha=0.75,
                    lw=0.3 + 5.0 * np.sqrt(ref / top),
                    label=f"{ref:,.0f}",
                )
            )
    # central zones of the areas that have surroundings; smaller marks when many
    if len(centres):
        size = float(np.clip(1500.0 / len(centres), 3.0, 18.0))
        ax.scatter(centres.x, centres.y, s=size, c="black", zorder=5, marker="o", linewidths=0)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7,
        title="flow",
        title_fontsize=8,
        frameon=False,
    )
    ax.set_axis_off()
    ax.set_aspect("equal")
    map_furniture(ax, map_crs)
    ax.set_title(title, fontsize=10)
    return ax


def _nice(x: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) at most ``x``."""
    if not np.isfinite(x) or x <= 0:
        return 0.0
    mag = 10 ** np.floor(np.log10(x))
    return float(max(m * mag for m in (1, 2, 5) if m * mag <= x))


def map_axes(ax, bounds):
    """``ax``, or new axes on a figure shaped like the map (``bounds``: x0, y0, x1, y1),
    leaving room on the right for a colour bar or a legend."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    x0, y0, x1, y1 = (float(b) for b in bounds)
    aspect = (x1 - x0) / (y1 - y0) if y1 > y0 and x1 > x0 else 1.0
    width = 10.0
    height = min(max(0.85 * width / aspect + 0.8, 4.0), 12.0)
    _, ax = plt.subplots(figsize=(width, height))
    return ax


def signed_percent(x: float, _pos=None) -> str:
    """Colour-bar label of a fraction as a signed percentage (0 without a sign)."""
    return "0" if abs(x) < 1e-12 else f"{100 * x:+.3g}"


def signed_count(x: float, _pos=None) -> str:
    """Colour-bar label of a count with its sign (0 without a sign)."""
    return "0" if abs(x) < 1e-9 else f"{x:+,.0f}"


def diverging_norm(values: np.ndarray, symmetric: bool, limit: float | None):
    """A ``TwoSlopeNorm`` centred on zero and the colour bar's ``extend``.

    Symmetric (default): both ends at ``limit`` (default: the largest absolute value), the
    same colour for the same distance from zero. Otherwise each side ends at its own
    extreme (or at ``-limit`` / ``limit``)."""
    from matplotlib.colors import TwoSlopeNorm

    fin = values[np.isfinite(values)]
    lo = float(fin.min()) if len(fin) else -1.0
    hi = float(fin.max()) if len(fin) else 1.0
    if limit is not None:
        if not (np.isfinite(limit) and limit > 0):
            raise InvalidParameterError(
                f"The 'limit' of the colour scale must be a positive number; got {limit!r}."
            )
        vmin, vmax = -float(limit), float(limit)
        if not symmetric:
            vmin, vmax = max(lo, vmin), min(hi, vmax)
    elif symmetric:
        half = max(abs(lo), abs(hi)) or 1.0
        vmin, vmax = -half, half
    else:
        vmin, vmax = lo, hi
    tiny = max(abs(vmin), abs(vmax), 1e-12) * 1e-3
    vmin = min(vmin, -tiny)
    vmax = max(vmax, tiny)
    below, above = bool((fin < vmin).any()), bool((fin > vmax).any())
    extend = {
        (False, False): "neither",
        (True, False): "min",
        (False, True): "max",
        (True, True): "both",
    }[(below, above)]
    return TwoSlopeNorm(vcenter=0.0, vmin=vmin, vmax=vmax), extend
