"""Zones on a map's coordinate system: the graph behind an object, its polygons projected to
the CRS a map or a measure needs, and the length of that CRS's unit in metres. Shared by the
plotting package and the monitor's area measures."""

from __future__ import annotations

from .errors import InvalidZonesError

__all__ = [
    "NO_GEOMETRY",
    "graph_of",
    "require_geometry",
    "target_crs",
    "project",
    "projected_zones",
    "metres_per_unit",
]

NO_GEOMETRY = (
    "The graph has no geometry to map; attach zone polygons with "
    "graph.with_geometry(...) (or h.with_geometry(...) for a Hierarchy)."
)


def graph_of(obj):
    """The FlowGraph of a Hierarchy, or the FlowGraph itself."""
    return obj.graph if hasattr(obj, "layers") and hasattr(obj, "graph") else obj


def require_geometry(graph) -> None:
    """Raise InvalidZonesError when ``graph`` has no zone polygons."""
    if graph.geometry is None:
        raise InvalidZonesError(NO_GEOMETRY)


def target_crs(graph, crs):
    """``crs`` or, for lon/lat data, the graph's ``meta["projected_crs"]`` (else None)."""
    if crs is not None:
        return crs
    if graph.crs is not None and graph.crs.is_geographic:
        return graph.meta.get("projected_crs")
    return None


def project(gdf, target):
    """``gdf`` without empty geometries, in ``target`` (as it is when ``target`` is None)."""
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return gdf.to_crs(target) if target is not None else gdf


def projected_zones(graph, crs):
    """The zone polygons of ``graph`` in a projected CRS, and that CRS.

    ``crs`` (default as in :func:`target_crs`); when the zones are still in longitude and
    latitude, their UTM zone (``estimate_utm_crs``), so that areas and distances are in
    metres. Raises InvalidZonesError when the graph has no geometry.
    """
    require_geometry(graph)
    target = target_crs(graph, crs)
    zones = project(graph.geometry, target)
    if zones.crs is not None and zones.crs.is_geographic:
        target = zones.estimate_utm_crs()
        zones = zones.to_crs(target)
    return zones, (target if target is not None else zones.crs)


def metres_per_unit(crs) -> float | None:
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
