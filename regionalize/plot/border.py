"""The map of border zones (:func:`plot_border_zones`): every zone coloured by the area it is
most often in across stability runs or a threshold sweep, the zones whose modal share is
below a level hatched, the baseline areas outlined.
"""

from __future__ import annotations

from .._markup import matplotlib_text
from ..errors import InvalidParameterError, InvalidZonesError, check_parameter
from ..soft_membership import UNASSIGNED_STATE, UNMATCHED_STATE, border_zones, membership
from ._geo import (
    draw_outlines,
    graph_of,
    map_furniture,
    project,
    require_geometry,
    set_aspect,
    target_crs,
)
from ._style import UNASSIGNED_COLOUR, assign_colours, new_axes, one_draw, side_legend

__all__ = ["plot_border_zones", "UNMATCHED_COLOUR", "BORDER_HATCH"]

#: the colour of zones most often in an area that matches no baseline area
UNMATCHED_COLOUR = "#9e9e9e"
#: the hatch drawn over border zones
BORDER_HATCH = "////"


def _reference(result, reference):
    """The partition whose areas the states name: the baseline of a StabilityResult, the
    reference (default: the consensus) of a SweepResult."""
    baseline = getattr(result, "baseline", None)
    if baseline is not None:
        return baseline
    return reference if reference is not None else result.consensus


@one_draw
def plot_border_zones(
    result,
    graph=None,
    level: float = 0.8,
    *,
    ax=None,
    crs=None,
    reference=None,
    legend: bool = True,
    legend_max: int = 20,
    title: str | None = None,
):
    """Map the border zones of stability runs or a sweep: zones coloured by their modal
    area, the zones whose modal share is below ``level`` hatched.

    Parameters
    ----------
    result : StabilityResult or SweepResult
        From :func:`regionalize.stability.stability` or :func:`regionalize.stability.sweep`,
        for any layer or method.
    graph : FlowGraph or Hierarchy
        The graph the runs were made on, with zone polygons (a result does not keep them).
    level : float in (0, 1]
        Border zones are in their modal state in fewer than this share of the runs (see
        :func:`regionalize.soft_membership.border_zones`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; a new figure by default.
    crs : optional
        Projection; default as in :func:`plot_layer`.
    reference : Partition, optional
        Sweep results only: the partition the grid points' areas are matched to (default:
        the consensus); see :func:`regionalize.soft_membership.membership`.
    legend : bool
        Add a legend on the right: the ``legend_max`` areas that are modal for most zones,
        the zones most often unassigned or unmatched, the border zones and the boundary.
    legend_max : int
        At most this many areas in the legend (the rest summarised as "... n more").
    title : str, optional
        Set as it is; by default the graph's name, the number of border zones and the level.

    Returns
    -------
    matplotlib.axes.Axes
        The zones are one PatchCollection (gid ``"zones"``) filled with the colour of their
        modal area (the colours of :func:`regionalize.plot.area_colours` for the baseline
        layer; :data:`UNASSIGNED_COLOUR` for zones most often unassigned, a
        darker grey for zones most often in an unmatched area); the border
        zones are a second, hatched PatchCollection (gid ``"border-zones"``) drawn over
        them; baseline (reference) areas are outlined.

    Raises
    ------
    InvalidParameterError
        If ``graph`` is not given or ``level`` is not in (0, 1].
    InvalidZonesError
        If the graph has no geometry or other zones than the result.

    See Also
    --------
    regionalize.soft_membership.border_zones : The table of the hatched zones.
    regionalize.plot.plot_choropleth : Map ``result.zones["stability"]`` on a colour scale.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> g = rz.synthetic_country(60, seed=1)
    >>> res = rz.stability(g, rz.urban_areas, runs=10, seed=0)
    >>> len(res.border_zones(0.8))
    8
    >>> ax = rz.plot.plot_border_zones(res, g, level=0.8)
    >>> ax.get_title()
    'synthetic-60-seed1: 8 border zones (in their modal area in fewer than 80% of 10 runs)'
    >>> [len(c.get_paths()) for c in ax.collections if c.get_gid() == "border-zones"]
    [8]
    >>> plt.close(ax.figure)
    """
    from matplotlib.colors import to_hex
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if graph is None:
        raise InvalidParameterError(
            "plot_border_zones needs the zone polygons, which a stability or sweep result "
            "does not keep: pass graph=, the FlowGraph (or Hierarchy) the runs were made on, "
            "with polygons (graph.with_geometry(...))."
        )
    level = check_parameter("plot_border_zones", "level", level, interval=(0, 1), closed="right")
    graph = graph_of(graph)
    require_geometry(graph)
    table = membership(result, reference=reference)
    border = border_zones(result, level, reference=reference)
    modal = table[table["modal"]].set_index("zone")
    if len(modal) != graph.n_zones or not modal.index.isin(graph.ids).all():
        raise InvalidZonesError(
            f"The result covers other zones ({len(modal)}) than the graph ({graph.n_zones}): "
            "pass the graph the stability runs or the sweep were made on."
        )
    part = _reference(result, reference)
    colour_of = {
        a: to_hex(c) for a, c in zip(part.areas.index, assign_colours(graph, part), strict=True)
    }
    target = target_crs(graph, crs)
    zones = project(graph.geometry, target)
    state = modal["state"].reindex(zones.index)
    area = modal["area"].reindex(zones.index)
    colours = [
        colour_of[a] if s == "area" else (UNMATCHED_COLOUR if s == UNMATCHED_STATE else None)
        for a, s in zip(area, state, strict=True)
    ]
    colours = [UNASSIGNED_COLOUR if c is None else c for c in colours]
    ax = new_axes(ax)
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.25, gid="zones")
    is_border = zones.index.isin(border.index)
    if is_border.any():
        zones[is_border].plot(
            ax=ax,
            facecolor="none",
            edgecolor="0.1",
            hatch=BORDER_HATCH,
            linewidth=0.6,
            gid="border-zones",
        )
    draw_outlines(ax, zones, part, color="0.15", linewidth=0.8)
    ax.set_axis_off()
    map_crs = target if target is not None else graph.crs
    set_aspect(ax, map_crs)
    map_furniture(ax, map_crs)
    if legend:
        names = part.areas["name"]
        counts = area[state == "area"].value_counts(sort=False)
        order = sorted(counts.index, key=lambda a: (-counts[a], part.areas.index.get_loc(a)))
        handles: list = [
            Patch(facecolor=colour_of[a], edgecolor="0.3", lw=0.5, label=matplotlib_text(names[a]))
            for a in order[:legend_max]
        ]
        if len(order) > legend_max:
            handles.append(
                Patch(
                    facecolor="none", edgecolor="none", label=f"... {len(order) - legend_max} more"
                )
            )
        for what, colour, text in (
            (UNASSIGNED_STATE, UNASSIGNED_COLOUR, "most often unassigned"),
            (UNMATCHED_STATE, UNMATCHED_COLOUR, "most often in an unmatched area"),
        ):
            if (state == what).any():
                handles.append(Patch(facecolor=colour, edgecolor="0.3", lw=0.5, label=text))
        if is_border.any():
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="0.1",
                    hatch=BORDER_HATCH,
                    lw=0.6,
                    label=f"border zone: modal share < {level:.0%} ({int(is_border.sum())})",
                )
            )
        if part.n_areas:
            handles.append(Line2D([], [], color="0.15", linewidth=0.8, label="baseline boundary"))
        side_legend(ax, handles, f"modal {part.name} area")
    if title is None:
        title = matplotlib_text(
            f"{graph.name or 'zones'}: {len(border)} border zones (in their modal area in "
            f"fewer than {level:.0%} of {_runs(table)} runs)"
        )
    ax.set_title(title, fontsize=10)
    return ax


def _runs(table) -> int:
    """The number of runs behind a membership table (the run counts of any zone)."""
    first = table["zone"].iloc[0]
    return int(table.loc[table["zone"] == first, "runs"].sum())
