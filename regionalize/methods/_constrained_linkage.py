"""Average linkage under a contiguity constraint: only clusters that touch may merge.

``constrained_average_linkage(n, rows, cols, dist, adj_rows, adj_cols)`` merges, at each step,
the two touching clusters at the smallest average distance (a global minimum over the pairs
of touching clusters, kept in a heap with lazy invalidation), until no two clusters touch.

The distances are those of :func:`~regionalize.methods._average_linkage.average_linkage`:
``dist`` at the pairs ``(rows, cols)``, 1.0 at every other pair (a pair that touches without
any flow is at 1.0). The distance of a merged cluster to every other cluster is the
Lance-Williams average update ``(n_a d_ai + n_b d_bi) / (n_a + n_b)`` on the stored values,
an absent value read as 1.0 (the operations scipy's average linkage performs), so it is the
mean of the zone-to-zone distances between the two clusters whether they touch or not; a
pair whose average is exactly 1.0 is not stored.

Average linkage is reducible only when every pair may merge. With the constraint it is not:
a merge can bring two clusters closer than the merge that made one of them (an
*inversion*), so the heights are in merge order and need not increase, and the nearest-
neighbour chain does not apply. When every pair touches, the merges are those of the
unconstrained average linkage (same clusters, same order when there are no ties).

Ties (equal distances) are broken by the cluster ids: the pair ``(a, b)``, ``a < b``, with the
smallest ``a``, then the smallest ``b``, merges first, where leaves are ``0 .. n-1`` and the
cluster made at step ``s`` (1, 2, ...) is ``n + s - 1`` (older clusters first).
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["constrained_average_linkage", "cut_labels", "merges_before"]


def constrained_average_linkage(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    dist: np.ndarray,
    adj_rows: np.ndarray,
    adj_cols: np.ndarray,
) -> np.ndarray:
    """The merges of average linkage where only touching clusters merge.

    Parameters
    ----------
    n : int
        Number of points (zones).
    rows, cols, dist : numpy.ndarray
        The pairs at a distance other than 1 and their distances in [0, 1] (each pair once,
        no diagonal); every other pair is at 1.0.
    adj_rows, adj_cols : numpy.ndarray
        The pairs that touch (either order, repeats and diagonal ignored).

    Returns
    -------
    numpy.ndarray, shape ``(s, 4)``
        One row per merge in merge order, as a scipy linkage matrix: the two cluster ids
        (smaller first; leaves ``0 .. n-1``, the cluster made at step ``s`` is
        ``n + s - 1``), the average distance at which they merged and the size of the new
        cluster. ``s = n - (number of connected groups of the contiguity)``: the merges end
        when no two clusters touch. Heights are in merge order and may decrease.

    Examples
    --------
    A path a - b - c: a and c are close (distance 0.2) but do not touch, so b merges first
    with its nearer neighbour c (0.5), then a joins at the mean of 0.6 and 0.2:

    >>> import numpy as np
    >>> z = constrained_average_linkage(
    ...     3, np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.6, 0.2, 0.5]),
    ...     np.array([0, 1]), np.array([1, 2]))
    >>> z.tolist()
    [[1.0, 2.0, 0.5, 2.0], [0.0, 3.0, 0.4, 3.0]]
    """
    nb: list[dict[int, float] | None] = [{} for _ in range(n)]
    for r, c, d in zip(
        np.asarray(rows).tolist(), np.asarray(cols).tolist(), np.asarray(dist).tolist(), strict=True
    ):
        if d != 1.0 and r != c:
            nb[r][c] = d  # type: ignore[index]
            nb[c][r] = d  # type: ignore[index]
    adj: list[set[int] | None] = [set() for _ in range(n)]
    for r, c in zip(np.asarray(adj_rows).tolist(), np.asarray(adj_cols).tolist(), strict=True):
        if r != c:
            adj[r].add(c)  # type: ignore[union-attr]
            adj[c].add(r)  # type: ignore[union-attr]
    heap = [
        (nb[a].get(b, 1.0), a, b)  # type: ignore[union-attr]
        for a in range(n)
        for b in sorted(adj[a])  # type: ignore[arg-type]
        if a < b
    ]
    heapq.heapify(heap)
    size = [1] * n
    alive = [True] * n
    out: list[tuple[int, int, float, int]] = []
    while heap:
        d, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue  # one of them merged since: a stale entry
        c = len(size)
        na, nbb = size[a], size[b]
        total = na + nbb
        da, db = nb[a], nb[b]
        da.pop(b, None)  # type: ignore[union-attr]
        db.pop(a, None)  # type: ignore[union-attr]
        new: dict[int, float] = {}
        for i, dbi in db.items():  # type: ignore[union-attr]
            dai = da.pop(i, 1.0)  # type: ignore[union-attr]
            v = (na * dai + nbb * dbi) / total
            nbi = nb[i]
            del nbi[b]  # type: ignore[union-attr]
            nbi.pop(a, None)  # type: ignore[union-attr]
            if v != 1.0:
                new[i] = v
                nbi[c] = v  # type: ignore[index]
        for i, dai in da.items():  # type: ignore[union-attr]
            v = (na * dai + nbb * 1.0) / total
            nbi = nb[i]
            del nbi[a]  # type: ignore[union-attr]
            if v != 1.0:
                new[i] = v
                nbi[c] = v  # type: ignore[index]
        nb[a] = nb[b] = None
        nb.append(new)
        touching = (adj[a] | adj[b]) - {a, b}  # type: ignore[operator]
        for i in touching:
            ai = adj[i]
            ai.discard(a)  # type: ignore[union-attr]
            ai.discard(b)  # type: ignore[union-attr]
            ai.add(c)  # type: ignore[union-attr]
        adj[a] = adj[b] = None
        adj.append(touching)
        alive[a] = alive[b] = False
        alive.append(True)
        size.append(total)
        out.append((a, b, d, total))
        for i in sorted(touching):
            heapq.heappush(heap, (new.get(i, 1.0), i, c))  # i < c: c is the newest
    z = np.empty((len(out), 4), dtype=np.float64)
    if out:
        z[:] = out
    return z


def merges_before(z: np.ndarray, cutoff: float | None, k: int | None, n: int) -> int:
    """How many of the first merges a cut makes: those before the first merge above
    ``cutoff`` and/or the first ``n - k`` (with both, the fewer: the first rule met)."""
    s = len(z)
    if cutoff is not None:
        above = np.flatnonzero(z[:, 2] > cutoff)
        if len(above):
            s = int(above[0])
    if k is not None:
        s = min(s, max(n - int(k), 0))
    return s


def cut_labels(z: np.ndarray, s: int, n: int) -> np.ndarray:
    """Cluster numbers (1, 2, ...) of the ``n`` leaves after the first ``s`` merges,
    numbered in the order of their first leaf."""
    parent = list(range(n + s))
    for step in range(s):
        a, b = int(z[step, 0]), int(z[step, 1])
        parent[a] = parent[b] = n + step
    root = np.empty(n, dtype=np.int64)
    for i in range(n):
        x = i
        while parent[x] != x:
            x = parent[x]
        # compress the path
        y = i
        while parent[y] != x:
            parent[y], y = x, parent[y]
        root[i] = x
    _, first = np.unique(root, return_index=True)
    order = np.argsort(first, kind="stable")
    number = np.empty(len(first), dtype=np.int64)
    number[order] = np.arange(1, len(first) + 1)
    return number[np.searchsorted(np.unique(root), root)]
