"""Attachment glue that needs zone polygons: contiguity masks, the exterior ring, and the
attachment runner with its minimum-size loop, shared by layers and methods."""

from __future__ import annotations

import numpy as np

from ._core.constraint import attach, attach_contiguous
from .errors import InvalidParameterError, InvalidZonesError, check_parameter

__all__ = [
    "exterior_zones",
    "contiguity_for",
    "contiguity_params",
    "TOO_SMALL",
    "attach_runner",
    "run_with_minimum",
]


def union_of_zones(geoms: np.ndarray):
    """Union of zone polygons: the fast coverage union when the zones form a clean coverage
    (no overlaps: the union's area equals the sum of the areas), else the general union."""
    import shapely

    try:
        out = shapely.coverage_union_all(geoms)
        total = float(shapely.area(geoms).sum())
        if abs(out.area - total) <= 1e-9 * max(total, 1e-300) and out.is_valid:
            return out
    except shapely.errors.ShapelyError:
        pass  # not noded as a coverage (shared edges with different vertices, mixed types)
    return shapely.union_all(geoms)


def exterior_zones(graph) -> np.ndarray | None:
    """Zones touching the outer edge of the study region (coast or border of the data).

    The exterior rings of the union of all zone polygons are the edge; holes in the union
    (slivers between misaligned polygons, lakes) are not. Cached on the graph. None when the
    graph has no polygons.
    """
    key = ("exterior_zones",)
    if key in graph.cache:
        return graph.cache[key]
    import shapely

    geo = graph.geometry
    if geo is None:
        return None
    geoms = geo.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = np.zeros(len(geoms), bool)
    if present.any():
        parts = shapely.get_parts(union_of_zones(geoms[present]))
        rings = shapely.get_exterior_ring(parts)
        coast = shapely.multilinestrings(rings)
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
        tol = 1e-6 * max(xmax - xmin, ymax - ymin)
        out[np.flatnonzero(present)[_near(geoms[present], rings, coast, tol)]] = True
    out.flags.writeable = False  # cached, and shared with redrawn graphs
    graph.cache[key] = out
    return out


def _near(geoms: np.ndarray, rings: np.ndarray, coast, tol: float) -> np.ndarray:
    """Positions of ``geoms`` within ``tol`` of ``coast`` (the multilinestring of ``rings``).

    The candidates are the zones whose box is within ``tol`` of the box of a segment of the
    coast (a few zones along it, where a query with the whole coast would test every zone
    inside its box); the exact test is the same prepared ``dwithin`` as such a query's.
    """
    import shapely

    tree = shapely.STRtree(geoms)
    xy, idx = shapely.get_coordinates(rings, return_index=True)
    seg = np.flatnonzero(idx[1:] == idx[:-1])
    if not len(seg):
        return np.atleast_1d(tree.query(coast, predicate="dwithin", distance=tol))
    lo = np.minimum(xy[seg], xy[seg + 1]) - tol
    hi = np.maximum(xy[seg], xy[seg + 1]) + tol
    _, cand = tree.query(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    cand = np.unique(cand)
    shapely.prepare(coast)
    return cand[shapely.dwithin(coast, geoms[cand], tol)]


def contiguity_for(graph, contiguity):
    """Adjacency (CSR over graph ids), the exempt zones (no neighbour at all), the exterior
    zones (see :func:`exterior_zones`) and the zones without a polygon, or None.

    ``"auto"`` builds rook contiguity from the graph's polygons (islands linked to their
    nearest zone) when it has polygons, and is off otherwise (no geometry, or points).

    Zones without a polygon (kept with ``with_geometry(..., missing="keep")``) touch nothing
    and are exempt: they are never released, and never cut their area in two (see
    :func:`regionalize._core.constraint.detached`).
    """
    if contiguity is None or contiguity is False:
        return None
    from .contiguity import Contiguity

    if isinstance(contiguity, str):
        check_parameter("contiguity", "contiguity", contiguity, allowed=["auto", "require"])
        geo = graph.geometry
        has_polygons = geo is not None and geo.geom_type.isin(["Polygon", "MultiPolygon"]).any()
        if not has_polygons:
            if contiguity == "require":
                raise InvalidZonesError(
                    "contiguity='require' needs zone polygons; attach them with "
                    "graph.with_geometry(...) or pass contiguity=None."
                )
            return None
        contiguity = graph.build_contiguity(islands="nearest")
    if not isinstance(contiguity, Contiguity):
        raise InvalidParameterError(
            "The 'contiguity' parameter must be 'auto', 'require', None or a Contiguity "
            f"(from build_contiguity). Got {type(contiguity).__name__} instead."
        )
    if not contiguity.ids.equals(graph.ids):
        contiguity = contiguity.subset(list(graph.ids))
    adj = contiguity.adjacency
    exempt = np.asarray(adj.sum(axis=1)).ravel() == 0
    missing = np.asarray(graph.ids.isin(contiguity.missing), bool)
    if graph.geometry is not None:
        geoms = graph.geometry.geometry
        missing |= (geoms.isna() | geoms.is_empty).to_numpy(dtype=bool)
    exempt |= missing
    return adj, exempt, exterior_zones(graph), missing


def contiguity_params(graph, contig) -> dict:
    """What a layer records about its contiguity: ``"on"``/``"off"``, and the zones without
    a polygon (exempt from the one-piece rule) under ``no_geometry`` when there are any."""
    out: dict = {"contiguity": "on" if contig is not None else "off"}
    if contig is not None and len(contig) > 3 and contig[3].any():
        out["no_geometry"] = [str(z) for z in graph.ids[contig[3]]]
    return out


TOO_SMALL = "its area was below the minimum size"


def attach_runner(components, tau: float, contig, **kwargs):
    """``run(cores)``: the engine's attachment, with contiguity when ``contig`` is given
    (enclaves absorbed only when the exterior of the region is known)."""
    memo: dict = {}  # what the runs share over the same shares (see prepare_attach)

    def run(cores):
        if contig is None:
            return attach(components, cores, tau, **kwargs)
        return attach_contiguous(
            components,
            cores,
            tau,
            contig[0],
            exempt=contig[1],
            exterior=contig[2],
            absorb_enclaves=contig[2] is not None,
            missing=contig[3] if len(contig) > 3 else None,
            memo=memo,
            **kwargs,
        )

    return run


def run_with_minimum(
    run, cores, *, min_zones: int = 1, population=None, min_population: float | None = None
):
    """Attach with ``run(cores)``; drop cores whose area is below the minimum size (zones, or
    population) and attach again without them, until every area is big enough. The zones of
    dropped areas may then join other areas; those left over get the reason TOO_SMALL.
    Returns the result and the positions (in ``cores``) of the cores kept."""
    kept = list(range(len(cores)))
    dropped = []
    while True:
        current = [cores[i] for i in kept]
        res = run(current)
        assigned = res.area >= 0
        counts = np.bincount(res.area[assigned], minlength=len(current))
        small = counts < min_zones
        if min_population is not None:
            pop = np.bincount(
                res.area[assigned], weights=population[assigned], minlength=len(current)
            )
            small |= pop < min_population
        if not small.any():
            break
        dropped.extend(i for i, s_ in zip(kept, small, strict=True) if s_)
        kept = [i for i, s_ in zip(kept, small, strict=True) if not s_]
    for i in dropped:
        c = cores[i]
        res.reason[c[res.area[c] < 0]] = TOO_SMALL
    return res, kept
