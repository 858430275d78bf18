"""Dorling cartogram layout: circles at their places, pushed apart until none overlap.

Not API: :func:`regionalize.monitor.dorling_layout` re-exports :func:`dorling_layout`;
:meth:`regionalize.monitor.Monitor.dorling` (:mod:`regionalize.monitor.maps`) lays its
circles out with it and :func:`regionalize.plot.change.dorling_map` draws them.

The layout follows the idea of Dorling (1996, *Area Cartograms: Their Use and Creation*,
CATMOG 59): every place is a circle whose area is proportional to its value, first drawn at
its own position; overlapping circles repel each other and every circle is pulled back
towards its own position, until no two circles overlap. The implementation here is a plain
deterministic relaxation (no randomness, fixed processing order), written for this library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["dorling_layout", "DorlingLayout", "circle_radii"]

#: summed moves of a circle are divided by (number of overlaps) ** _DAMPING
_DAMPING = 0.25
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


@dataclass(frozen=True)
class DorlingLayout:
    """Result of :func:`dorling_layout`.

    Attributes
    ----------
    x, y : numpy.ndarray
        Circle centres after the relaxation.
    radius : numpy.ndarray
        Circle radii (as given).
    iterations : int
        Iterations run.
    max_overlap : float
        Largest remaining overlap between two circles, relative to the smaller radius of
        the pair (0 when no circles overlap).
    displacement : numpy.ndarray
        Distance of every circle from its starting position.

    Examples
    --------
    Three circles of radius 1 drawn on top of each other are pushed apart until none
    overlaps; each moved about one radius:

    >>> out = rz.monitor.dorling_layout([0.0, 0.1, 0.2], [0.0, 0.0, 0.1], [1.0, 1.0, 1.0])
    >>> type(out).__name__, out.max_overlap <= 0.01
    ('DorlingLayout', True)
    >>> [round(float(d), 1) for d in out.displacement]
    [1.1, 1.1, 1.0]
    """

    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray
    iterations: int
    max_overlap: float
    displacement: np.ndarray


def circle_radii(values, total_area: float, fill: float = 0.3) -> np.ndarray:
    """Radii with circle areas proportional to ``values`` that together cover ``fill`` times
    ``total_area`` (e.g. the land area of the map). Zero and missing values give radius 0."""
    v = np.asarray(values, dtype=float)
    v = np.where(np.isfinite(v) & (v > 0), v, 0.0)
    if v.sum() <= 0 or total_area <= 0:
        return np.zeros_like(v)
    scale = fill * total_area / (np.pi * v.sum())
    return np.sqrt(v * scale)


def _pairs(pos: np.ndarray, r: np.ndarray, reach: float):
    """Index pairs ``i < j`` of circles closer than ``r_i + r_j + reach``, sorted.

    Circles are put in classes of radii within a factor two (powers of two below the
    largest); each pair of classes is searched with one k-d tree query at the sum of the
    classes' largest radii, so that a few big circles do not make every pair a candidate.
    """
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(r > 0)
    if len(idx) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    level = np.floor(np.log2(r[idx] / r[idx].max())).astype(np.int64)
    level = np.maximum(level, -30)
    classes = np.unique(level)
    members = [idx[level == c] for c in classes]
    trees = [cKDTree(pos[m]) for m in members]
    tops = [float(r[m].max()) for m in members]
    found_i, found_j = [], []
    for a in range(len(classes)):
        for b in range(a, len(classes)):
            hits = trees[a].sparse_distance_matrix(
                trees[b], tops[a] + tops[b] + reach, output_type="ndarray"
            )
            if not len(hits):
                continue
            gi = members[a][hits["i"]]
            gj = members[b][hits["j"]]
            found_i.append(np.minimum(gi, gj))
            found_j.append(np.maximum(gi, gj))
    if not found_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    keep = i < j
    i, j = i[keep], j[keep]
    if len(i):  # a class against itself lists each pair twice
        key = np.unique(i * len(r) + j)
        i, j = key // len(r), key % len(r)
    d = np.hypot(*(pos[j] - pos[i]).T)
    keep = d < r[i] + r[j] + reach
    return i[keep], j[keep]


def dorling_layout(
    x,
    y,
    radius,
    *,
    iterations: int = 1000,
    attraction: float = 0.1,
    gap: float = 0.0,
    tolerance: float = 0.01,
) -> DorlingLayout:
    """Move circles apart until none overlap, keeping each near its own position.

    Parameters
    ----------
    x, y : array-like
        Starting centres (e.g. zone or area centroids, in a projected CRS).
    radius : array-like
        Circle radii (``circle_radii`` gives them from values, with areas proportional to the
        values); circles of radius 0 stay where they are.
    iterations : int
        Upper bound on the relaxation steps.
    attraction : float
        Pull of every circle back towards its own position per step, in (0, 1); it fades
        out over the first half of the iterations so that the last steps only separate.
    gap : float
        Empty space left between touching circles (map units).
    tolerance : float
        Stop when no overlap exceeds this fraction of the smaller radius of a pair.

    Returns
    -------
    DorlingLayout
        New centres, the radii, the iterations run and the largest remaining overlap.

    Notes
    -----
    Each step finds the overlapping pairs (a k-d tree query per circle), moves both circles
    of a pair apart along the line between their centres by the overlap, the smaller circle
    moving more (in proportion to the other's area), divides the summed moves of a circle
    by the fourth root of its number of overlaps (a circle pressed from many sides moves
    less), and pulls every circle back towards its starting point. Coincident centres are split
    along directions set by the golden angle and the circle's position in the input, so
    the result depends only on the input, never on chance.

    Examples
    --------
    Two unit circles one unit apart end up just touching, symmetrically:

    >>> out = rz.monitor.dorling_layout([0.0, 1.0], [0.0, 0.0], [1.0, 1.0])
    >>> round(float(out.x[1] - out.x[0]), 2), out.max_overlap <= 0.01
    (2.0, True)
    >>> round(float(out.x[0] + out.x[1]), 6)
    1.0
    """
    pos = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)]).copy()
    r = np.asarray(radius, dtype=float).copy()
    if pos.shape[0] != r.shape[0]:
        raise ValueError(
            f"x, y and radius must have the same length; got {pos.shape[0]} "
            f"positions and {r.shape[0]} radii"
        )
    if not (np.isfinite(pos).all() and np.isfinite(r).all()) or (r < 0).any():
        raise ValueError("positions must be finite and radii finite and >= 0")
    if not 0 <= attraction < 1:
        raise ValueError(f"attraction must be in [0, 1); got {attraction}")
    start = pos.copy()
    n = len(r)
    if n < 2 or r.max() <= 0:
        return DorlingLayout(pos[:, 0], pos[:, 1], r, 0, 0.0, np.zeros(n))
    # coincident starting points: spread them deterministically (golden-angle directions)
    _, first, inverse = np.unique(np.round(pos, 9), axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    dup = np.flatnonzero(first[inverse] != np.arange(n))
    if len(dup):
        step = 1e-3 * float(r[r > 0].min())
        angle = _GOLDEN_ANGLE * np.arange(1, len(dup) + 1)
        pos[dup] += step * np.column_stack([np.cos(angle), np.sin(angle)])
    fade = max(iterations // 2, 1)
    worst = np.inf
    it = 0
    for it in range(1, iterations + 1):
        i, j = _pairs(pos, r, gap)
        delta = pos[j] - pos[i]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        overlap = r[i] + r[j] + gap - dist
        hit = overlap > 0
        smaller = np.minimum(r[i], r[j])
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(smaller > 0, overlap / smaller, 0.0)
        worst = float(rel[hit].max()) if hit.any() else 0.0
        pull = attraction * max(0.0, 1.0 - it / fade)
        if worst <= tolerance and (pull == 0.0 or np.abs(start - pos).max() <= 1e-9 * r.max()):
            break
        i, j, delta, dist, overlap = i[hit], j[hit], delta[hit], dist[hit], overlap[hit]
        zero = dist <= 0
        if zero.any():  # exactly coincident after moves: a fixed direction per pair
            angle = _GOLDEN_ANGLE * (i[zero] + 1)
            delta[zero] = np.column_stack([np.cos(angle), np.sin(angle)])
            dist[zero] = 1.0
        unit = delta / dist[:, None]
        a_i, a_j = r[i] ** 2, r[j] ** 2
        w_i = a_j / (a_i + a_j)  # the smaller circle moves more
        move_i = -unit * (overlap * w_i)[:, None]
        move_j = unit * (overlap * (1.0 - w_i))[:, None]
        contacts = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
        scale = 1.0 / np.maximum(contacts, 1) ** _DAMPING
        for axis in (0, 1):
            pos[:, axis] += scale * (
                np.bincount(i, weights=move_i[:, axis], minlength=n)
                + np.bincount(j, weights=move_j[:, axis], minlength=n)
            )
        if pull:
            pos += pull * (start - pos)
    # the final positions may have moved after the last check: measure them
    i, j = _pairs(pos, r, gap)
    if len(i):
        dist = np.hypot(*(pos[j] - pos[i]).T)
        overlap = r[i] + r[j] + gap - dist
        smaller = np.minimum(r[i], r[j])
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where((overlap > 0) & (smaller > 0), overlap / smaller, 0.0)
        worst = float(max(rel.max(), 0.0))
    else:
        worst = 0.0
    moved = np.hypot(*(pos - start).T)
    return DorlingLayout(pos[:, 0].copy(), pos[:, 1].copy(), r, it, worst, moved)
