"""Building a :class:`~regionalize.contiguity.Contiguity` from a layer of zone polygons.

The build is vectorised with shapely 2: one bounding-box query of an ``STRtree`` gives the
candidate pairs, then array operations on all pairs at once decide which of them touch.
Zones that touch nothing (islands) can be kept isolated, linked to their nearest zones, or
reported as an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._ids import check_unique, normalise_ids
from ..errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter
from ._pairs import buffered_lengths, ordered_pairs, shared_edges, within
from .result import Contiguity

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["build_contiguity", "RULES", "ISLAND_POLICIES"]

RULES = ("rook", "queen")
ISLAND_POLICIES = ("keep", "nearest", "error")

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
# Candidates for the k nearest zones of an island, in Web Mercator, are kept up to this
# multiple of the k-th smallest Mercator distance before they are ranked by geodesic distance
# (it absorbs the change of Mercator scale between an island and its candidates).
_GEODESIC_MARGIN = 2.0


# ---------------------------------------------------------------------------- geometry
def _layer(geometry, ids) -> tuple[pd.Index, np.ndarray, Any]:
    """Zone ids (str Index) and a copy of the geometry array, from a GeoDataFrame/GeoSeries."""
    import geopandas as gpd

    if isinstance(geometry, gpd.GeoDataFrame):
        try:
            series = geometry.geometry
        except AttributeError as exc:
            raise InvalidZonesError(
                "Invalid zone layer: the GeoDataFrame has no active geometry column; set one "
                "with gdf.set_geometry('...')."
            ) from exc
    elif isinstance(geometry, gpd.GeoSeries):
        series = geometry
    else:
        raise InvalidZonesError(
            f"Expected a GeoDataFrame or GeoSeries of zone polygons; got {type(geometry).__name__}."
        )
    n = len(series)
    if ids is None:
        raw = geometry.index
    elif isinstance(ids, str):
        if not isinstance(geometry, gpd.GeoDataFrame) or ids not in geometry.columns:
            cols = (
                ", ".join(repr(str(c)) for c in geometry.columns)
                if isinstance(geometry, gpd.GeoDataFrame)
                else "none (a GeoSeries)"
            )
            raise InvalidZonesError(
                f"Invalid zone layer: no id column {ids!r}; its columns are {cols}. Pass ids= "
                "with the column holding the zone ids, a sequence of ids, or None for the index."
            )
        raw = geometry[ids]
    else:
        raw = np.asarray(list(ids) if not hasattr(ids, "__len__") else ids, dtype=object)
        if raw.ndim != 1 or len(raw) != n:
            raise InvalidZonesError(
                f"Invalid zone ids: got {raw.shape[0] if raw.ndim else 0:,} ids for {n:,} "
                "geometries; pass one id per row, in row order."
            )
    zone_ids = normalise_ids(raw, what="zone ids")
    check_unique(zone_ids, "zone ids")
    geoms = np.array(series.to_numpy(), dtype=object, copy=True)
    return zone_ids, geoms, series.crs


def _polygonal_parts(collections: np.ndarray) -> np.ndarray:
    """The polygons of each GeometryCollection as one MultiPolygon (empty when none)."""
    import shapely

    out = np.array([shapely.MultiPolygon()] * len(collections), dtype=object)
    parts, idx = shapely.get_parts(collections, return_index=True)
    polys, sub = shapely.get_parts(parts, return_index=True)  # MultiPolygons into Polygons
    idx = idx[sub]
    keep = shapely.get_type_id(polys) == _POLYGON
    polys, idx = polys[keep], idx[keep]
    if len(polys):
        groups, dense = np.unique(idx, return_inverse=True)
        out[groups] = shapely.multipolygons(polys, indices=dense)
    return out


def _clean(geoms: np.ndarray, ids: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repair in place; return (geoms, missing mask, repaired mask); raise on non-polygons."""
    import shapely

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    coll = ~missing & (types == _COLLECTION)
    if coll.any():
        geoms[coll] = _polygonal_parts(geoms[coll])
        types = shapely.get_type_id(geoms)
    bad = ~missing & ~np.isin(types, (_POLYGON, _MULTIPOLYGON)) | (coll & shapely.is_empty(geoms))
    if bad.any():
        names = shapely.get_type_id(geoms[bad])
        kinds = {
            0: "Point",
            1: "LineString",
            2: "LinearRing",
            4: "MultiPoint",
            5: "MultiLineString",
            6: "MultiPolygon",
            7: "GeometryCollection",
        }
        p = Problems("Invalid zone layer")
        examples = [
            f"{z} ({'GeometryCollection' if c else kinds.get(int(t), t)})"
            for z, t, c in zip(ids[bad][:4], names[:4], coll[bad][:4], strict=True)
        ]
        p.add(
            "zones whose geometry is not a polygon",
            examples,
            count=int(bad.sum()),
            fix="Contiguity needs zone polygons (Polygon or MultiPolygon), not centroids or lines.",
        )
        p.raise_if_any(InvalidZonesError)
    repaired = ~missing & ~shapely.is_valid(geoms)
    if repaired.any():
        geoms[repaired] = shapely.make_valid(
            geoms[repaired], method="structure", keep_collapsed=False
        )
        missing = missing | shapely.is_empty(geoms)
    geoms[missing] = None
    return geoms, missing, repaired


def _touching_pairs(g: np.ndarray, rule: str, tolerance: float):
    """Pairs ``(a, b)`` with ``a < b`` (positions in ``g``) of neighbours; and lengths if known.

    The lengths are returned only when computing the pairs needed them (rook with a
    tolerance); otherwise ``None`` and they are computed later, on demand.
    """
    import shapely

    tree = shapely.STRtree(g)
    if tolerance > 0:
        a, b = within(tree, g, g, tolerance)
        a, b = ordered_pairs(a[a < b], b[a < b])
        if rule == "queen":
            return a, b, None
        length = buffered_lengths(g, a, b, tolerance)
        ok = length > 0
        return a[ok], b[ok], length[ok]
    a, b = tree.query(g)  # bounding boxes only: an exact predicate on pairs is faster
    a, b = ordered_pairs(a[a < b], b[a < b])
    # pairs drawn with a common segment touch along a line: the predicates are for the others
    shared = shared_edges(g, a, b)
    hit = shared.copy()
    rest = np.flatnonzero(~shared)
    hit[rest] = shapely.intersects(g[a[rest]], g[b[rest]])
    if rule == "rook":
        # DE-9IM: position 4 is the dimension of boundary ∩ boundary ("1": a shared line),
        # position 0 that of interior ∩ interior ("2": the zones overlap).
        rest = np.flatnonzero(hit & ~shared)
        de9im = np.asarray(shapely.relate(g[a[rest]], g[b[rest]]), dtype="U9")
        codes = de9im.view("U1").reshape(-1, 9)
        hit = shared.copy()
        hit[rest] = (codes[:, 4] == "1") | (codes[:, 0] == "2")
    return a[hit], b[hit], None


def _nearest_links(
    geoms: np.ndarray, present: np.ndarray, islands: np.ndarray, k: int, crs, ids: pd.Index
):
    """The ``k`` nearest other zones of each island: (source, target, distance) positions.

    Planar distances in the layer's units, or, for a geographic CRS, geodesic metres on its
    ellipsoid between the nearest points found in Web Mercator (EPSG:3857).
    """
    import shapely

    pos = np.flatnonzero(present)  # tree index -> zone position
    geographic = crs is not None and crs.is_geographic
    work = geoms[pos]
    if geographic:
        import geopandas as gpd

        clipped = shapely.clip_by_rect(work, -180.0, -85.0, 180.0, 85.0)
        work = gpd.GeoSeries(clipped, crs=crs).to_crs("EPSG:3857").to_numpy()
        usable = ~shapely.is_empty(work)
    else:
        usable = np.ones(len(work), dtype=bool)
    tree_pos = pos[usable]
    work = work[usable]
    tree = shapely.STRtree(work)
    inv = np.full(len(geoms), -1, dtype=np.int64)
    inv[tree_pos] = np.arange(len(tree_pos))
    src_tree = inv[islands]
    src_tree = src_tree[src_tree >= 0]
    k_eff = min(k, len(tree_pos) - 1)
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    if k_eff < 1 or not len(src_tree):
        return empty
    src_geoms = work[src_tree]

    # Radius: start at the nearest distance; double until each island has k candidates.
    q, d = tree.query_nearest(src_geoms, exclusive=True, return_distance=True)
    radius = np.zeros(len(src_tree))
    radius[q[0]] = d
    lo = shapely.bounds(src_geoms)
    step = np.maximum(np.hypot(lo[:, 2] - lo[:, 0], lo[:, 3] - lo[:, 1]) * 0.01, 1e-9)
    while True:
        s, t = within(tree, work, src_geoms, radius)
        not_self = t != src_tree[s]
        s, t = s[not_self], t[not_self]
        short = np.bincount(s, minlength=len(src_tree)) < k_eff
        if not short.any():
            break
        radius = np.where(short, np.where(radius > 0, radius * 2, step), radius)
    if geographic:
        # Rank by geodesic distance among candidates within a margin of the Mercator radius.
        dist = shapely.distance(src_geoms[s], work[t])
        order = np.lexsort((dist, s))
        rank = np.arange(len(s)) - np.searchsorted(s[order], s[order])
        kth = np.zeros(len(src_tree))
        sel = order[rank == k_eff - 1]
        kth[s[sel]] = dist[sel]
        s, t = within(tree, work, src_geoms, kth * _GEODESIC_MARGIN)
        not_self = t != src_tree[s]
        s, t = s[not_self], t[not_self]
        dist = _geodesic(src_geoms[s], work[t], crs)
    else:
        dist = shapely.distance(src_geoms[s], work[t])
    src = src_tree[s]
    tgt = t
    zone_src, zone_tgt = tree_pos[src], tree_pos[tgt]
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(ids.to_numpy(dtype=str), kind="stable")] = np.arange(len(ids))
    # Ties are broken by zone id, so the result does not depend on the row order.
    order = np.lexsort((id_rank[zone_tgt], dist, zone_src))
    zone_src, zone_tgt, dist = zone_src[order], zone_tgt[order], dist[order]
    rank = np.arange(len(zone_src)) - np.searchsorted(zone_src, zone_src)
    keep = rank < k_eff
    return zone_src[keep], zone_tgt[keep], dist[keep]


def _geodesic(a: np.ndarray, b: np.ndarray, crs) -> np.ndarray:
    """Geodesic length (metres) of the shortest line between Web Mercator geometries."""
    import shapely
    from pyproj import Transformer

    xy = shapely.get_coordinates(shapely.shortest_line(a, b)).reshape(-1, 4)
    back = Transformer.from_crs("EPSG:3857", crs, always_xy=True)
    lon1, lat1 = back.transform(xy[:, 0], xy[:, 1])
    lon2, lat2 = back.transform(xy[:, 2], xy[:, 3])
    _, _, dist = crs.get_geod().inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist, dtype=np.float64)


# ---------------------------------------------------------------------------- builder
def build_contiguity(
    geometry: gpd.GeoDataFrame | gpd.GeoSeries,
    ids: str | Sequence[str] | None = None,
    *,
    rule: str = "rook",
    islands: str = "keep",
    tolerance: float = 0.0,
    k: int = 1,
) -> Contiguity:
    """Build the contiguity graph of a layer of zone polygons.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or GeoSeries
        One zone polygon (Polygon or MultiPolygon) per row. It is not modified.
    ids : str, sequence or None
        The zone ids: ``None`` for the index, the name of a column, or a sequence aligned
        with the rows. Ids become strings (leading zeros kept, ``"01001"``); integers become
        their decimal text. Duplicates are an error.
    rule : {"rook", "queen"}
        ``"rook"``: zones are neighbours when they share a border of positive length;
        ``"queen"``: when they share at least one point (corners count). Zones whose
        interiors overlap (a digitising error) are neighbours under both rules.
    islands : {"keep", "nearest", "error"}
        What to do with islands, the zones that have a geometry but no neighbour: keep them
        isolated, link each to its ``k`` nearest other zones, or raise
        :class:`~regionalize.errors.InvalidZonesError` listing them.
    tolerance : float
        In CRS units. With ``tolerance > 0``, zones less than ``tolerance`` apart count as
        touching (for slightly misaligned or separately simplified layers). Queen: any two
        zones within ``tolerance``. Rook: each zone is grown by ``tolerance / 2``; the
        overlap of two grown zones is a strip about ``tolerance`` wide along their common
        border, and its length is taken as its area divided by ``tolerance``. The zones are
        rook neighbours when that length exceeds ``tolerance`` (the strip is longer than it is
        wide): a corner or point contact gives a patch of about ``0.9 * tolerance**2``, so it
        does not count, while a border of length ``L`` gives about ``L + 0.8 * tolerance``,
        which is also what :attr:`Contiguity.shared_length` reports.
    k : int
        Number of nearest zones each island is linked to with ``islands="nearest"``.

    Returns
    -------
    Contiguity

    Raises
    ------
    InvalidParameterError
        A parameter outside its allowed values.
    InvalidZonesError
        Duplicate or missing ids, geometries that are not polygons, or islands with
        ``islands="error"``.

    Notes
    -----
    *Algorithm.* One bounding-box query of a :class:`shapely.STRtree` gives the candidate
    pairs (with a tolerance, boxes grown by it). Without a tolerance, pairs whose rings
    have a segment in common (the same two vertices: every border of a clean coverage) are
    neighbours under both rules, found by sorting the segments of all rings; vectorised
    shapely operations on the other pairs keep those that touch: :func:`shapely.intersects`
    (queen; with a tolerance :func:`shapely.dwithin`), plus the DE-9IM
    matrix from :func:`shapely.relate` (rook: boundaries meeting along a line, or
    interiors overlapping). There is no Python loop over zones or pairs. On one core,
    100,000 Voronoi cells take about 0.4 s (rook or queen; time grows as zones^1.0 on
    synthetic countries of 10k-100k zones), plus about 3 s the first
    time their shared lengths are asked for; a tolerance buffers every zone and intersects
    the grown pairs, which is slower (about 9 s for the same cells).

    *Shared border lengths* are computed on first use of :attr:`Contiguity.shared_length`,
    since linking does not need them. Without a tolerance, a pair's length is that of the
    line part of ``boundary(a) ∩ boundary(b)``; for neighbours whose boundaries only cross
    (misaligned borders along which the zones overlap) it is half the perimeter of their
    overlap, which is about the length of the border when the overlap is a thin strip.
    With a tolerance, it is the strip length described under ``tolerance``.

    *Invalid and missing geometries.* Invalid polygons are repaired with
    ``shapely.make_valid(method="structure", keep_collapsed=False)`` (counted in
    :attr:`Contiguity.repaired`); GeometryCollections keep their polygons. Zones with no
    geometry (None, empty, or nothing left after repair) stay in the graph without
    neighbours and are listed in :attr:`Contiguity.missing`; they are not islands and the
    islands policy does not link them.

    *Distances to the nearest zones* (``added_links.distance``). In a projected CRS, planar
    distances in its units. With no CRS (``crs=None``), planar distances in the units of the
    coordinates as given. In a geographic CRS (longitude/latitude), the nearest zones are
    searched in Web Mercator (EPSG:3857; zones beyond 85° of latitude are clipped there),
    where shapes keep their local proportions, and ranked and reported by the geodesic
    distance, in metres on the CRS's ellipsoid, between the nearest points. (A single UTM
    zone would distort layers that span a continent or the antimeridian, such as the US
    counties.) ``shared_length`` and ``tolerance`` stay in CRS units: degrees for a
    geographic layer, so project it (e.g. ``gdf.to_crs(gdf.estimate_utm_crs())``) when you
    need lengths in metres.

    Ties between equally near zones are broken by zone id, so the graph does not depend on
    the row order.

    Examples
    --------
    A 2 x 2 grid of unit squares: each square shares a side with two others and a corner
    with the third.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from regionalize.contiguity import build_contiguity
    >>> grid = gpd.GeoDataFrame(
    ...     {"code": ["01", "02", "03", "04"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)])
    >>> rook = build_contiguity(grid, ids="code")
    >>> rook
    <Contiguity of 4 zones and 4 links (rook; 1 component)>
    >>> rook.neighbors("01")
    ['02', '03']
    >>> rook.shared_length.toarray()
    array([[0., 1., 1., 0.],
           [1., 0., 0., 1.],
           [1., 0., 0., 1.],
           [0., 1., 1., 0.]])
    >>> build_contiguity(grid, ids="code", rule="queen").neighbors("01")
    ['02', '03', '04']

    A square far away is an island; ``islands="nearest"`` links it to the closest zone:

    >>> import pandas as pd
    >>> far = pd.concat([grid, gpd.GeoDataFrame({"code": ["05"]}, geometry=[box(5, 0, 6, 0.5)])])
    >>> c = build_contiguity(far, ids="code", islands="nearest")
    >>> c
    <Contiguity of 5 zones and 5 links (rook; 1 island linked to nearest; 1 component)>
    >>> c.added_links
      source target  distance
    0     05     02       3.0
    """
    owner = "build_contiguity"
    check_parameter(owner, "rule", rule, allowed=RULES)
    check_parameter(owner, "islands", islands, allowed=ISLAND_POLICIES)
    check_parameter(owner, "tolerance", tolerance, interval=(0, np.inf), closed="left")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(
            f"The 'k' parameter of {owner} must be an integer >= 1. Got {k!r} instead."
        )
    tolerance = float(tolerance)

    zone_ids, geoms, crs = _layer(geometry, ids)
    geoms, missing, repaired = _clean(geoms, zone_ids)
    n = len(zone_ids)
    present = np.flatnonzero(~missing)
    a, b, length = _touching_pairs(geoms[present], rule, tolerance)
    i, j = present[a], present[b]

    degree = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    is_island = (degree == 0) & ~missing
    added = None
    if is_island.any():
        if islands == "error":
            p = Problems("Invalid zone layer")
            p.add(
                f"islands (zones with no {rule} neighbour)",
                list(zone_ids[is_island][:4]),
                count=int(is_island.sum()),
                fix="Pass islands='nearest' to link each to its nearest zone, or "
                "islands='keep' to leave them isolated.",
            )
            p.raise_if_any(InvalidZonesError)
        elif islands == "nearest":
            s, t, d = _nearest_links(geoms, ~missing, np.flatnonzero(is_island), k, crs, zone_ids)
            lo, hi = ordered_pairs(s, t)
            first = ~pd.DataFrame({"lo": lo, "hi": hi}).duplicated().to_numpy()
            added = (s[first], t[first], d[first])
    return Contiguity(
        zone_ids,
        (i, j),
        added=added,
        shared=length,
        geoms=geoms,
        tolerance=tolerance,
        rule=rule,
        islands_policy=islands,
        islands=is_island,
        missing=missing,
        repaired=repaired,
        crs=crs,
    )
