"""Where things go on a map: coordinate reference systems, projection, aspect, map furniture
(scale bar and north arrow) and area outlines.

Shared by the maps of :mod:`regionalize.plot` (the Monitor's maps in
:mod:`regionalize.plot.change` included); the CRS helpers also used by the monitor's land
areas live in :mod:`regionalize._geo`.
:func:`scale_bar_length` is public through :mod:`regionalize.plot`.
"""

from __future__ import annotations

import numpy as np

from .._geo import (
    NO_GEOMETRY,
    graph_of,
    metres_per_unit,
    project,
    projected_zones,
    require_geometry,
    target_crs,
)

__all__ = [
    "NO_GEOMETRY",
    "graph_of",
    "require_geometry",
    "target_crs",
    "project",
    "projected_zones",
    "set_aspect",
    "metres_per_unit",
    "nice_km",
    "scale_bar_length",
    "map_furniture",
    "without_slivers",
    "outline",
    "draw_outlines",
]


def set_aspect(ax, crs) -> None:
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


def nice_km(width_km: float) -> float:
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
        factor = metres_per_unit(c)
        if factor is None:
            return None
        km = nice_km((x1 - x0) * factor / 1000.0)
        return km, km * 1000.0 / factor
    if c.is_geographic:
        lat = float(np.clip(np.mean(ylim), -85.0, 85.0))
        geod = c.get_geod()
        width_km = geod.line_length([x0, x1], [lat, lat]) / 1000.0
        if not width_km > 0:
            return None
        km = nice_km(width_km)
        mid = (x0 + x1) / 2.0
        lon2, _, _ = geod.fwd(mid, lat, 90.0, km * 1000.0)
        return km, float((lon2 - mid + 180.0) % 360.0 - 180.0)
    return None


def map_furniture(ax, crs) -> None:
    """A scale bar in km (gid ``"scale-bar"``, lower left) and a north arrow (gid
    ``"north-arrow"``, upper right) when ``crs`` is known (projected or geographic)."""
    scale = scale_bar_length(crs, ax.get_xlim(), ax.get_ylim())
    if scale is None:
        return
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    km, length = scale
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        f"{km:g} km",
        loc="lower left",
        pad=0.4,
        borderpad=0.6,
        sep=3,
        frameon=True,
        size_vertical=0,
        fontproperties={"size": 7},
    )
    bar.patch.set(alpha=0.75, edgecolor="none")
    bar.set_gid("scale-bar")
    ax.add_artist(bar)
    ax.annotate(
        "N",
        xy=(0.96, 0.98),
        xytext=(0.96, 0.89),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        gid="north-arrow",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )


def without_slivers(geom, share: float = 1e-3, islets: bool = False):
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


def outline(areas):
    """Boundaries of dissolved areas, without the specks left by gaps between zones and
    without the islets (the zones' own fills and edges still show them)."""
    import geopandas as gpd

    clean = [without_slivers(g, islets=True) for g in areas.geometry]
    return gpd.GeoSeries(clean, index=areas.index, crs=areas.crs).boundary


def draw_outlines(ax, zones, partition, *, color: str, linewidth: float = 0.8) -> None:
    """Boundaries of a partition's areas over zones already projected; nothing when None."""
    if partition is None:
        return
    labels = partition.labels.reindex(zones.index)
    keep = labels.notna()
    if keep.any():
        areas = zones[keep.to_numpy()].assign(_area=labels[keep].to_numpy()).dissolve("_area")
        outline(areas).plot(ax=ax, color=color, linewidth=linewidth)
