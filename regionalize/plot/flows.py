"""Map of the largest flows between zones (:func:`plot_flows`): straight lines between the
zones' representative points, wider and more opaque for larger flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._markup import matplotlib_text
from ._geo import (
    draw_outlines,
    graph_of,
    map_furniture,
    project,
    require_geometry,
    set_aspect,
    target_crs,
)
from ._style import new_axes, one_draw, side_legend

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["plot_flows"]


@one_draw
def plot_flows(
    graph: FlowGraph,
    *,
    top: int = 100,
    ax=None,
    crs=None,
    min_flow: float | None = None,
    outlines=None,
    color: str = "#1f3b73",
):
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

    See Also
    --------
    regionalize.monitor.Monitor.plot_centre_flows : The flows between every area's centre
        and its surroundings.

    Examples
    --------
    The 20 largest flows of a synthetic country over the urban areas' outlines; the legend
    gives the widths of the largest, median and smallest flow drawn:

    >>> import matplotlib.pyplot as plt
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> ax = rz.plot.plot_flows(h, top=20, outlines=h["urban"])
    >>> ax.get_title()
    'synthetic-60-seed1: the 20 largest flows between zones'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['3,541', '720', '322', 'urban boundary']
    >>> len(next(c for c in ax.collections if c.get_gid() == "flows").get_segments())
    20
    >>> plt.close(ax.figure)
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    graph = graph_of(graph)
    require_geometry(graph)
    if top < 0:
        raise ValueError(f"top must be >= 0; got {top}")
    target = target_crs(graph, crs)
    zones = project(graph.geometry, target)
    ax = new_axes(ax)
    zones.plot(ax=ax, color="0.9", edgecolor="white", linewidth=0.3)
    draw_outlines(ax, zones, outlines, color="0.35")
    pts = zones.geometry.representative_point()
    flows = graph.to_frame(diagonal=False)
    flows = flows[
        flows.origin.isin(pts.index) & flows.destination.isin(pts.index) & (flows.flow > 0)
    ]
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
        lc = LineCollection(
            segs, linewidths=widths, colors=rgba, capstyle="round", zorder=4, gid="flows"
        )
        ax.add_collection(lc)
        ref = sorted({float(v.max()), float(np.median(v)), float(v.min())}, reverse=True)
        handles = [
            Line2D([], [], color=color, lw=0.3 + 3.7 * np.sqrt(r / v.max()), label=f"{r:,.0f}")
            for r in ref
        ]
    else:
        handles = []
    if outlines is not None:
        handles.append(
            Line2D(
                [],
                [],
                color="0.35",
                linewidth=0.8,
                label=matplotlib_text(f"{outlines.name} boundary"),
            )
        )
    side_legend(ax, handles, "flow")
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    set_aspect(ax, map_crs)
    map_furniture(ax, map_crs)
    ax.set_title(
        matplotlib_text(f"{graph.name or 'zones'}: the {len(flows)} largest flows between zones"),
        fontsize=10,
    )
    return ax
