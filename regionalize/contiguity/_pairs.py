"""Pairs of zones: ordered pairs, pairs within a distance, and their shared border lengths.

Helpers of the contiguity graph (:mod:`.result`) and of its builders (:mod:`.builders`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ordered_pairs", "within", "buffered_lengths", "shared_lengths"]


def ordered_pairs(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs as ``(min, max)`` int64 arrays."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    return np.minimum(i, j), np.maximum(i, j)


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
