"""Attaching zone polygons to a FlowGraph: the body of :meth:`FlowGraph.with_geometry
<regionalize.flows.FlowGraph.with_geometry>`.

This module owns the checks of a zone layer (ids, CRS, extra and missing zones, empty
polygons, NaN coordinates) and the repair of invalid shapes with ``shapely.make_valid``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._ids import check_unique, leading_zero_hint, normalise_ids
from .errors import Fix, InvalidZonesError, Problems, check_parameter, says

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["prepare_geometry"]


def prepare_geometry(
    geometry: gpd.GeoDataFrame | gpd.GeoSeries,
    ids: pd.Index,
    current_crs,
    meta: Mapping[str, Any],
    *,
    id_column: str | None,
    extra: str,
    missing: str,
    crs,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The body of :meth:`FlowGraph.with_geometry <regionalize.flows.FlowGraph.with_geometry>`
    (see there) for a graph with zone ids ``ids``, geometry CRS ``current_crs`` (None without
    geometry) and ``meta``: the layer indexed by ``ids`` and the meta with its repairs."""
    import geopandas as gpd

    check_parameter("FlowGraph.with_geometry", "extra", extra, allowed=["error", "drop"])
    check_parameter("FlowGraph.with_geometry", "missing", missing, allowed=["error", "keep"])
    if isinstance(geometry, gpd.GeoSeries):
        geometry = geometry.to_frame("geometry")
    if not isinstance(geometry, gpd.GeoDataFrame):
        raise InvalidZonesError(f"Expected a GeoDataFrame of zones; got {type(geometry).__name__}.")
    p = Problems("Invalid zone layer")
    if id_column is not None and id_column not in geometry.columns:
        raise InvalidZonesError(
            f"Invalid zone layer: no id column {id_column!r}; it has "
            f"{', '.join(map(repr, map(str, geometry.columns)))}. Pass id_column= with the "
            "column holding the zone ids."
        )
    raw_ids = geometry[id_column] if id_column is not None else geometry.index.to_series()
    gids = normalise_ids(raw_ids, what="zone layer ids")
    check_unique(gids, "zone layer ids")
    if geometry.crs is None:
        p.add(
            "missing CRS",
            ["crs=None"],
            count=1,
            fix="Set it with gdf.set_crs(...) (e.g. 'EPSG:4326' for longitude/latitude).",
        )
    elif crs is not None and not geometry.crs.equals(crs):
        p.add(
            "layer in another CRS",
            [f"{geometry.crs.to_string()} instead of {crs}"],
            count=1,
            fix=f"Reproject it with gdf.to_crs({crs!r}).",
        )
    if (
        current_crs is not None
        and geometry.crs is not None
        and crs is None
        and not geometry.crs.equals(current_crs)
    ):
        p.add(
            "layer in another CRS than the graph's current geometry",
            [geometry.crs.to_string()],
            count=1,
            fix=f"Reproject it with gdf.to_crs({current_crs.to_string()!r}).",
        )
    extras = gids.difference(ids)
    miss = ids.difference(gids)
    if extra == "error":
        p.add(
            "layer ids not in the graph",
            list(extras[:3]),
            count=len(extras),
            fix=says("Pass {} to leave them out, or correct the ids.", Fix("extra", "drop"))
            + leading_zero_hint(miss, extras),
        )
    if missing == "error":
        p.add(
            "graph zones without geometry",
            list(miss[:3]),
            count=len(miss),
            fix=says("Pass {} to keep them with an empty geometry.", Fix("missing", "keep")),
        )
    p.raise_if_any(InvalidZonesError)
    gdf = gpd.GeoDataFrame(
        {"geometry": geometry.geometry.to_numpy()},
        index=pd.Index(gids, name="zone"),
        crs=geometry.crs,
    )
    gdf = gdf.reindex(ids)
    geoms = gdf.geometry.to_numpy()
    empty = np.array([g is not None and g.is_empty for g in geoms])
    if empty.any():  # an empty polygon is no geometry: one meaning for "missing"
        geoms = geoms.copy()
        geoms[empty] = None
        gdf = gpd.GeoDataFrame({"geometry": geoms}, index=gdf.index, crs=gdf.crs)
    absent = np.array([g is None for g in gdf.geometry.to_numpy()], dtype=bool)
    if missing == "error" and absent.any():  # a row whose shape is None or empty
        raise InvalidZonesError(
            f"Invalid zone layer: {int(absent.sum()):,} zones whose polygon is empty or "
            f"missing (first: {', '.join(map(str, ids[absent][:3]))}). "
            + says(
                "Pass {} to keep them without geometry (they are then exempt from "
                "the contiguity rules), or give them their polygons.",
                Fix("missing", "keep"),
            )
        )
    meta = dict(meta)
    if "repairs" in meta:  # a copy: the caller's graph keeps its own list
        meta["repairs"] = list(meta["repairs"])
    geoms = gdf.geometry.to_numpy()
    present = np.array([g is not None for g in geoms], dtype=bool)
    invalid = np.zeros(len(geoms), dtype=bool)
    if present.any():
        import shapely

        # GEOS cannot repair or compare shapes with NaN / infinite coordinates: name them
        xy_counts = shapely.get_num_coordinates(geoms[present])
        xy = shapely.get_coordinates(geoms[present])
        bad_xy = ~np.isfinite(xy).all(axis=1)
        if bad_xy.any():
            owner = np.repeat(np.flatnonzero(present), xy_counts)[bad_xy]
            zones = ids[np.unique(owner)]
            raise InvalidZonesError(
                f"Invalid zone layer: {len(zones):,} zones whose polygons have NaN or "
                f"infinite coordinates (first: {', '.join(map(str, zones[:3]))}). Fix or "
                "drop those shapes (gdf.geometry.is_valid and shapely.get_coordinates "
                "show them), or pass missing='keep' after setting them to None."
            )
        invalid[present] = ~shapely.is_valid(geoms[present])
    if invalid.any():  # repair, and say so: GEOS set operations fail on invalid shapes
        import shapely

        reasons = [shapely.is_valid_reason(g) for g in geoms[invalid][:3]]
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid])
        gdf = gpd.GeoDataFrame({"geometry": fixed}, index=gdf.index, crs=gdf.crs)
        meta["repairs"] = [
            *meta.get("repairs", []),
            f"repaired {int(invalid.sum())} invalid geometries with "
            f"shapely.make_valid (first: "
            + ", ".join(f"{z}: {r}" for z, r in zip(ids[invalid][:3], reasons, strict=False))
            + ")",
        ]
    if empty.any():
        meta.setdefault("repairs", []).append(
            f"{int(empty.sum())} empty geometries treated as missing (first: "
            f"{', '.join(ids[empty][:3])})"
        )
    if len(extras):
        meta.setdefault("repairs", []).append(
            f"dropped {len(extras)} zone-layer rows not in the flows (first: "
            f"{', '.join(extras[:3])})"
        )
    if len(miss):
        meta.setdefault("repairs", []).append(
            f"{len(miss)} zones have no geometry (first: {', '.join(miss[:3])})"
        )
    return gdf, meta
