"""What the Monitor's maps show: the change per zone or area, the Dorling layout, the flows
between surrounding zones and their centres; and which zones a map draws.

Functions of a Hierarchy ``h`` and a Monitor's indicators ``data`` or flows ``flows``,
behind :meth:`Monitor.plot_change <regionalize.monitor.Monitor.plot_change>`,
:meth:`~regionalize.monitor.Monitor.dorling`, :meth:`~regionalize.monitor.Monitor.plot_dorling`
and :meth:`~regionalize.monitor.Monitor.plot_centre_flows` (documented there). The drawing
itself is in :mod:`regionalize.plot.change`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._cartogram import circle_radii, dorling_layout
from .._geo import projected_zones
from ..errors import InvalidParameterError, InvalidZonesError, check_parameter
from ..hierarchy import Hierarchy
from ..plot.change import centre_flows_map, change_map, dorling_map
from .flows import year_matrix
from .indicators import Indicators, as_year
from .tables import MEASURE_LABEL, MEASURES, measure_values
from .units import ZONE_LEVEL, reporting_units, zone_roles

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["zone_mask", "drawn", "dorling", "plot_change", "plot_dorling", "plot_centre_flows"]


def zone_mask(graph: FlowGraph, zones) -> np.ndarray | None:
    """Which zones of ``graph`` are in ``zones`` (None: all); unknown ids raise."""
    if zones is None:
        return None
    wanted = pd.Index(pd.Series(list(zones), dtype=object).astype(str))
    unknown = wanted.difference(graph.ids)
    if len(unknown):
        raise InvalidZonesError(
            f"Invalid zones to draw: {len(unknown):,} ids not in the graph (first: "
            f"{', '.join(unknown[:3])})."
        )
    return graph.ids.isin(wanted)


def drawn(graph: FlowGraph, zones, crs):
    """Projected polygons of the zones to draw, the CRS, and which graph zones they are
    (zones without geometry are never drawn)."""
    shapes, target = projected_zones(graph, crs)
    use = graph.ids.isin(shapes.index)
    mask = zone_mask(graph, zones)
    if mask is not None:
        use &= mask
        shapes = shapes[shapes.index.isin(graph.ids[use])]
    return shapes, target, use


def dorling(
    h: Hierarchy,
    data: Indicators,
    year: int | None = None,
    *,
    layer: str | None = None,
    indicator: str | None = None,
    unassigned: str = "zones",
    crs=None,
    zones=None,
    fill: float = 0.3,
    iterations: int = 1000,
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.dorling`."""
    check_parameter("Monitor.dorling", "fill", fill, interval=(0, 1), closed="right")
    ind = data.one(indicator)
    ys = data.years[ind]
    year = ys[-1] if year is None else year
    k = data.year_pos(ind, year)
    shapes, target, use = drawn(h.graph, zones, crs)
    units = reporting_units(h, layer, "unit", unassigned=unassigned, zones=use)
    cent = shapes.geometry.centroid.reindex(h.graph.ids)
    cx = np.where(use, cent.x.fillna(0.0).to_numpy(dtype=float), 0.0)
    cy = np.where(use, cent.y.fillna(0.0).to_numpy(dtype=float), 0.0)
    w = data.values[ind][:, k]
    keep = units.codes >= 0
    c = units.codes[keep]
    wsum = np.bincount(c, weights=w[keep], minlength=units.n)
    cnt = np.bincount(c, minlength=units.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = np.where(
            wsum > 0,
            np.bincount(c, weights=(w * cx)[keep], minlength=units.n) / wsum,
            np.bincount(c, weights=cx[keep], minlength=units.n) / cnt,
        )
        y0 = np.where(
            wsum > 0,
            np.bincount(c, weights=(w * cy)[keep], minlength=units.n) / wsum,
            np.bincount(c, weights=cy[keep], minlength=units.n) / cnt,
        )
    present = cnt > 0
    land = float(shapes.geometry.area.sum())
    r = circle_radii(np.where(present, wsum, 0.0), land, fill)
    lay = dorling_layout(x0[present], y0[present], r[present], iterations=iterations)
    out = pd.DataFrame(
        {
            "name": units.info["name"].to_numpy()[present],
            "value": wsum[present],
            "x0": x0[present],
            "y0": y0[present],
            "x": lay.x,
            "y": lay.y,
            "radius": r[present],
        },
        index=units.index[present],
    )
    out.attrs.update(
        {
            "crs": target,
            "max_overlap": lay.max_overlap,
            "iterations": lay.iterations,
            "indicator": ind,
            "year": int(year),
        }
    )
    return out


def plot_change(
    h: Hierarchy,
    data: Indicators,
    start: int | None = None,
    end: int | None = None,
    *,
    layer: str | None = None,
    indicator: str | None = None,
    measure: str = "pct_change",
    unassigned: str = "zones",
    outlines=None,
    symmetric: bool = True,
    limit: float | None = None,
    cmap="RdBu_r",
    ax=None,
    crs=None,
    zones=None,
    title: str | None = None,
):
    """See :meth:`regionalize.monitor.Monitor.plot_change`."""
    check_parameter("Monitor.plot_change", "measure", measure, allowed=list(MEASURES))
    check_parameter("Monitor.plot_change", "unassigned", unassigned, allowed=["zones", "none"])
    graph = h.graph
    ind = data.one(indicator)
    start, end = data.span(ind, start, end)
    mask = zone_mask(graph, zones)
    per_zone = measure_values(data, reporting_units(h, None, "area"), ind, measure, start, end)
    if layer in ZONE_LEVEL:
        values = per_zone
    else:
        units = reporting_units(h, layer, "area")
        per_area = measure_values(data, units, ind, measure, start, end)
        inside = h[layer].codes() >= 0
        values = np.where(
            inside,
            per_area[np.maximum(units.codes, 0)],
            per_zone if unassigned == "zones" else np.nan,
        )
    shapes, target = projected_zones(graph, crs)
    if mask is not None:
        shapes = shapes[shapes.index.isin(graph.ids[mask])]
    v = pd.Series(values, index=graph.ids).reindex(shapes.index).to_numpy(dtype=float)
    v = np.where(np.isfinite(v), v, np.nan)
    lines = [] if layer in ZONE_LEVEL else [(h[layer], "0.1", 1.0)]
    for extra in [outlines] if isinstance(outlines, str) else list(outlines or []):
        lines.append((h[extra], "0.25", 0.9))
    where = (
        "per zone"
        if layer in ZONE_LEVEL
        else (
            f"per {layer} area"
            + (
                ", other zones on their own"
                if unassigned == "zones" and (h[layer].codes() < 0).any()
                else ""
            )
        )
    )
    return change_map(
        shapes,
        v,
        map_crs=target,
        outlines=lines,
        symmetric=symmetric,
        limit=limit,
        cmap=cmap,
        ax=ax,
        percent=measure in ("pct_change", "annual_rate", "share_change"),
        label=f"{ind}: {MEASURE_LABEL[measure]}, {start}-{end}",
        title=title
        or f"{graph.name or 'zones'}: {ind}, {MEASURE_LABEL[measure]} {start}-{end} {where}",
    )


def plot_dorling(
    h: Hierarchy,
    data: Indicators,
    year: int | None = None,
    *,
    layer: str | None = None,
    indicator: str | None = None,
    color: str | pd.Series | None = "pct_change",
    start: int | None = None,
    unassigned: str = "zones",
    symmetric: bool = True,
    limit: float | None = None,
    cmap=None,
    ax=None,
    crs=None,
    zones=None,
    fill: float = 0.3,
    labels: int = 10,
    iterations: int = 1000,
    background: bool = True,
    title: str | None = None,
):
    """See :meth:`regionalize.monitor.Monitor.plot_dorling`."""
    ind = data.one(indicator)
    year = data.years[ind][-1] if year is None else as_year(year)
    lay = dorling(
        h,
        data,
        year,
        layer=layer,
        indicator=ind,
        unassigned=unassigned,
        crs=crs,
        zones=zones,
        fill=fill,
        iterations=iterations,
    )
    shapes, _, use = drawn(h.graph, zones, crs)
    values = scale = label = None
    if isinstance(color, str):
        check_parameter("Monitor.plot_dorling", "color", color, allowed=list(MEASURES))
        s, e = data.span(ind, start, year)
        units = reporting_units(h, layer, "unit", unassigned=unassigned, zones=use)
        vals = pd.Series(measure_values(data, units, ind, color, s, e), index=units.index)
        values = vals.reindex(lay.index).to_numpy(dtype=float)
        scale = "count" if color == "change" else "percent"
        label = f"{ind}: {MEASURE_LABEL[color]}, {s}-{e}"
    elif isinstance(color, pd.Series):
        values = pd.to_numeric(color.reindex(lay.index), errors="coerce").to_numpy(dtype=float)
        scale = "sequential"
        label = str(color.name) if color.name is not None else ""
    elif color is not None:
        raise InvalidParameterError(
            "The 'color' parameter of Monitor.plot_dorling must be a growth measure "
            f"({', '.join(map(repr, MEASURES))}), a Series per unit, or None; got "
            f"{type(color).__name__}."
        )
    what = (
        f"{layer} areas" + (" and unassigned zones" if unassigned == "zones" else "")
        if layer not in ZONE_LEVEL
        else "zones"
    )
    return dorling_map(
        lay,
        shapes,
        values=values,
        scale=scale,
        label=label,
        size_label=f"{ind} {year}",
        map_crs=lay.attrs["crs"],
        symmetric=symmetric,
        limit=limit,
        cmap=cmap,
        labels=labels,
        background=background,
        ax=ax,
        title=title or f"{h.graph.name or 'zones'}: {what} as circles sized by {ind} {year}",
    )


def plot_centre_flows(
    h: Hierarchy,
    flows: dict,
    layer: str,
    year=None,
    *,
    direction: str = "both",
    ax=None,
    crs=None,
    zones=None,
    min_flow: float = 0.0,
    title: str | None = None,
):
    """See :meth:`regionalize.monitor.Monitor.plot_centre_flows`."""
    check_parameter(
        "Monitor.plot_centre_flows",
        "direction",
        direction,
        allowed=["both", "to_centre", "from_centre"],
    )
    part = h[layer]
    matrix, label = year_matrix(h.graph, flows, year)
    shapes, target, _ = drawn(h.graph, zones, crs)
    codes = part.codes()
    code_of = pd.Series(codes, index=h.graph.ids)
    area_of = [code_of[z] for z in shapes.index]
    pts = shapes.geometry.representative_point()
    ids = h.graph.ids
    role = zone_roles(part)
    csr = matrix.tocsr()
    segs, vals = [], []
    for a, centres in enumerate(part.areas["centres"]):
        cpos = [ids.get_loc(c) for c in centres if ids[ids.get_loc(c)] in pts.index]
        for z in np.flatnonzero((codes == a) & (role == "surrounding")):
            if ids[z] not in pts.index:
                continue
            p = pts[ids[z]]
            for c in cpos:
                f = {"to_centre": float(csr[z, c]), "from_centre": float(csr[c, z])}
                v = f["to_centre"] + f["from_centre"] if direction == "both" else f[direction]
                if v > 0 and v >= min_flow:
                    q = pts[ids[c]]
                    segs.append(((p.x, p.y), (q.x, q.y)))
                    vals.append(v)
    # central zones of the areas that have surroundings
    with_members = np.unique(codes[role == "surrounding"])
    centre_ids = [c for a in with_members for c in part.areas["centres"].iloc[a]]
    cpts = pts.reindex(pd.Index(centre_ids, dtype=object)).dropna()
    when = "" if label in (None, "flow") else f" ({label})"
    return centre_flows_map(
        shapes,
        area_of,
        part.n_areas,
        segs,
        vals,
        cpts,
        direction=direction,
        map_crs=target,
        ax=ax,
        title=title
        or f"{h.graph.name or 'zones'}: flows between the centres of "
        f"the {layer} areas and their surroundings{when}",
    )
