"""Pairs of zones: ordered pairs, pairs within a distance, and their shared border lengths.

Helpers of the contiguity graph (:mod:`.result`) and of its builders (:mod:`.builders`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ordered_pairs", "within", "buffered_lengths", "shared_lengths", "shared_edges"]

_POLYGON = 3


def ordered_pairs(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs as ``(min, max)`` int64 arrays."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    return np.minimum(i, j), np.maximum(i, j)


def shared_edges(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which pairs ``(a[k], b[k])`` (positions in ``g``, ``a < b``) have a boundary segment in
    common: the same two distinct vertices, in either direction, on a ring of each.

    Such zones share a border line, so they intersect and are rook neighbours; the exact
    predicates are then needed only for the other pairs. Zones of a clean coverage (every
    common border drawn with the same vertices on both sides) are all found this way, by
    sorting segments instead of running a predicate per pair. A pair is marked only when
    the coordinates are equal as numbers, so a mark is never wrong; a rare hash collision can
    only leave a pair to the predicates.
    """
    import shapely

    out = np.zeros(len(a), bool)
    if not len(a):
        return out
    simple = shapely.get_type_id(g) == _POLYGON
    if simple.all() and not shapely.get_num_interior_rings(g).any():
        xy, ring = shapely.get_coordinates(g, return_index=True)  # one ring per zone
        poly = np.arange(len(g))
    else:
        rings, poly = shapely.get_rings(g, return_index=True)
        xy, ring = shapely.get_coordinates(rings, return_index=True)
    # segments: consecutive vertices of one ring (rings are closed), endpoints in
    # lexicographic order, of positive length; -0.0 made 0.0 so equal numbers have equal bits
    seg = np.flatnonzero(ring[1:] == ring[:-1])
    x, y = xy[:, 0] + 0.0, xy[:, 1] + 0.0
    x1, y1, x2, y2 = x[seg], y[seg], x[seg + 1], y[seg + 1]
    keep = (x1 != x2) | (y1 != y2)
    swap = (x1 > x2) | ((x1 == x2) & (y1 > y2))
    cols = [
        np.where(swap, u, v)[keep].view(np.uint64)
        for u, v in ((x2, x1), (y2, y1), (x1, x2), (y1, y2))
    ]
    owner = poly[ring[seg[keep]]].astype(np.int64)
    if len(owner) < 2:
        return out
    h = cols[0].copy()
    for c in cols[1:]:
        h = (h ^ (h >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9) + c
    o = np.argsort(h)
    cols = [c[o] for c in cols]
    owner = owner[o]
    same = np.zeros(len(o), bool)  # segment k equals segment k - 1
    same[1:] = (
        (cols[0][1:] == cols[0][:-1])
        & (cols[1][1:] == cols[1][:-1])
        & (cols[2][1:] == cols[2][:-1])
        & (cols[3][1:] == cols[3][:-1])
    )
    start = np.flatnonzero(~same)
    size = np.diff(np.append(start, len(o)))
    pa, pb = [], []
    spans = np.flatnonzero(np.bincount(size))
    for span in spans[spans > 1]:
        s0 = start[size == span]
        for x in range(span):  # every two owners of a segment drawn `span` times
            for y in range(x + 1, span):
                pa.append(owner[s0 + x])
                pb.append(owner[s0 + y])
    if not pa:
        return out
    lo, hi = ordered_pairs(np.concatenate(pa), np.concatenate(pb))
    differ = lo != hi
    n = len(g)
    found = np.sort(lo[differ] * n + hi[differ])
    wanted = np.asarray(a, np.int64) * n + np.asarray(b, np.int64)
    at = np.minimum(np.searchsorted(found, wanted), len(found) - 1)
    return found[at] == wanted


def within(
    tree, tree_geoms: np.ndarray, geoms: np.ndarray, distance
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(input, tree)`` within ``distance`` (scalar or one per input geometry).

    A bounding-box query on boxes grown by the distance, then :func:`shapely.dwithin` on
    the pairs: unlike a ``predicate="dwithin"`` query, this does not prepare (and so
    attach state to) the caller's geometry objects.
    """
    import shapely

    d = np.broadcast_to(np.asarray(distance, dtype=np.float64), (len(geoms),))
    bounds = shapely.bounds(geoms)
    boxes = shapely.box(bounds[:, 0] - d, bounds[:, 1] - d, bounds[:, 2] + d, bounds[:, 3] + d)
    s, t = tree.query(boxes)
    ok = shapely.dwithin(geoms[s], tree_geoms[t], d[s])
    return s[ok], t[ok]


def buffered_lengths(g: np.ndarray, a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    """Border length of pairs under a tolerance: area of the overlap of the two zones each
    grown by ``tolerance / 2``, divided by ``tolerance`` (the width of that strip); 0 when the
    strip is not longer than it is wide (a corner or point contact)."""
    import shapely

    if not len(a):
        return np.zeros(0)
    used = np.unique(np.concatenate([a, b]))
    grown = np.empty(len(g), dtype=object)
    grown[used] = shapely.buffer(g[used], tolerance / 2, quad_segs=4)
    length = shapely.area(shapely.intersection(grown[a], grown[b])) / tolerance
    return np.where(length > tolerance, length, 0.0)


def shared_lengths(geoms: np.ndarray, i: np.ndarray, j: np.ndarray, tolerance: float) -> np.ndarray:
    """Length of the border each pair ``(i[k], j[k])`` of zones shares (see
    :func:`~regionalize.contiguity.build_contiguity` for how it is measured)."""
    import shapely

    if tolerance > 0:
        return buffered_lengths(geoms, i, j, tolerance)
    used = np.unique(np.concatenate([i, j]))
    bnd = np.empty(len(geoms), dtype=object)
    bnd[used] = shapely.boundary(geoms[used])
    # Only the line parts of the intersection have a length; touching points add 0.
    length = shapely.length(shapely.intersection(bnd[i], bnd[j]))
    # Neighbours without a common boundary line either meet at points (0) or overlap along
    # misaligned borders: the overlap is then a strip (or slivers) along the border, and half
    # its perimeter is about the border's length.
    none = np.flatnonzero(length == 0)
    if len(none):
        overlap = shapely.intersection(geoms[i[none]], geoms[j[none]])
        length[none] = shapely.length(overlap) / 2
    return length
