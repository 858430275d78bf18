"""Exact average linkage over sparse distances, every pair not given at distance 1.

``average_linkage(n, rows, cols, dist)`` returns the linkage matrix that
``scipy.cluster.hierarchy.linkage(D, "average")`` returns for the condensed matrix ``D``
equal to ``dist`` at the pairs ``(rows, cols)`` and to 1.0 everywhere else, bit for bit
(same rows, same heights, same cluster numbers), without building ``D``: memory grows
with the pairs given, not with ``n²``.

It replays scipy's nearest-neighbour chain (``scipy/cluster/_hierarchy.pyx``: ``nn_chain``,
the average update of ``_hierarchy_distance_update.pxi``, then a stable sort by height and
``label``) over the pairs at distance below 1 only. This is exact because, with every
distance in [0, 1]:

- the average update ``(nx * d_xi + ny * d_yi) / (nx + ny)`` of two 1.0 is exactly 1.0 in
  floating point (``nx + ny`` is an exact integer), so a pair at 1.0 never needs storing:
  pairs absent from both clusters stay absent, and an update that gives 1.0 is dropped;
- every update is computed with the very operations scipy uses, an absent pair read as 1.0;
- scipy's nearest-neighbour scan keeps the previous chain element unless a distance is
  strictly smaller, and otherwise the smallest slot at the smallest distance: over the
  stored pairs that is the smallest (distance, slot); when nothing stored is below 1.0,
  every active slot is at exactly 1.0 and the answer is the previous chain element, or the
  smallest active slot other than the chain's end.

Two kernels give the same merges: a numba one (``_average_linkage_jit``, used when numba
imports, unless ``REGIONALIZE_NO_NUMBA=1``) and the dictionary-based one below.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._jit import numba_enabled

__all__ = ["average_linkage", "label", "nn_chain_python", "use_numba"]


def use_numba() -> bool:
    """Whether to run the numba kernel: numba imports and ``REGIONALIZE_NO_NUMBA`` is unset
    (or ``0``); the package's one switch (:func:`regionalize._jit.numba_enabled`)."""
    return numba_enabled()


def average_linkage(
    n: int, rows: np.ndarray, cols: np.ndarray, dist: np.ndarray, *, numba: bool | None = None
) -> np.ndarray:
    """Scipy's average-linkage matrix of ``n`` points, distance ``dist`` at ``(rows, cols)``.

    Parameters
    ----------
    n : int
        Number of points (>= 2).
    rows, cols : numpy.ndarray
        The pairs with a distance other than 1, each pair once (either order, no diagonal,
        no duplicates).
    dist : numpy.ndarray
        Their distances, in [0, 1]; every other pair is at 1.0.
    numba : bool, optional
        Use the numba kernel (default: when numba imports) or the pure-Python one; both
        give the same matrix.

    Returns
    -------
    numpy.ndarray
        The ``(n - 1, 4)`` linkage matrix, equal to ``scipy.cluster.hierarchy.linkage``
        of the dense condensed matrix with ``method="average"``.
    """
    rows = np.asarray(rows, dtype=np.int32)  # no copy when given so
    cols = np.asarray(cols, dtype=np.int32)
    dist = np.asarray(dist, dtype=np.float64)
    if numba is None:
        numba = use_numba()
    if numba:
        from ._average_linkage_jit import label_jit, nn_chain_jit

        zx, zy, zh, _ = nn_chain_jit(n, rows, cols, dist, 2.0)
        order = np.argsort(zh, kind="mergesort")
        z0, z1, z3 = label_jit(zx[order], zy[order], n)
        heights = zh[order]
    else:
        keep = dist != 1.0  # a pair at 1.0 is the same as no pair
        rows, cols, dist = rows[keep], cols[keep], dist[keep]
        sym = sp.csr_array(
            (np.r_[dist, dist], (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n)
        )
        px, py, ph = nn_chain_python(n, sym.indptr, sym.indices, sym.data)
        heights = np.asarray(ph, dtype=np.float64)
        order = np.argsort(heights, kind="mergesort")
        z0, z1, z3 = label(np.asarray(px)[order].tolist(), np.asarray(py)[order].tolist(), n)
        heights = heights[order]
    z = np.empty((n - 1, 4))
    z[:, 0] = z0
    z[:, 1] = z1
    z[:, 2] = heights
    z[:, 3] = z3
    return z


def nn_chain_python(
    n: int, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray
) -> tuple[list[int], list[int], list[float]]:
    """Scipy's ``nn_chain`` (average) over sparse symmetric distances: the unsorted merges.

    ``(indptr, indices, data)`` is the symmetric CSR of the distances below 1. Returns the
    slots merged at each step (``x < y``, the cluster lives on in ``y``) and the height.
    """
    ptr = indptr.tolist()
    idx = indices.tolist()
    val = data.tolist()
    nb: list = [
        dict(zip(idx[ptr[i] : ptr[i + 1]], val[ptr[i] : ptr[i + 1]], strict=True)) for i in range(n)
    ]
    size = [1] * n
    nxt = list(range(1, n + 1))  # the active slots, a doubly linked list in slot order
    prv = list(range(-1, n - 1))
    head = 0
    chain: list[int] = []
    zx: list[int] = []
    zy: list[int] = []
    zh: list[float] = []
    for _ in range(n - 1):
        if not chain:
            chain.append(head)
        while True:
            x = chain[-1]
            nbx = nb[x]
            best = min(nbx.values()) if nbx else 2.0
            if len(chain) > 1:
                prev = chain[-2]
                current = nbx.get(prev, 1.0)
                if best < current:
                    current = best
                    y = min([j for j, d in nbx.items() if d == best])
                else:
                    y = prev
                    break
            elif best < 1.0:
                current = best
                y = min([j for j, d in nbx.items() if d == best])
            else:  # everyone at 1.0: the smallest active slot but x
                current = 1.0
                y = head if head != x else nxt[head]
            chain.append(y)
        del chain[-2:]
        if x > y:
            x, y = y, x
        nx, ny = size[x], size[y]
        zx.append(x)
        zy.append(y)
        zh.append(current)
        size[x] = 0
        size[y] = nx + ny
        # unlink x from the active slots
        if prv[x] >= 0:
            nxt[prv[x]] = nxt[x]
        else:
            head = nxt[x]
        if nxt[x] < n:
            prv[nxt[x]] = prv[x]
        dx = nb[x]
        dy = nb[y]
        nb[x] = {}
        dx.pop(y, None)
        dy.pop(x, None)
        total = nx + ny
        new = {}
        for i, dyi in dy.items():
            dxi = dx.pop(i, 1.0)
            v = (nx * dxi + ny * dyi) / total
            nbi = nb[i]
            nbi.pop(x, None)
            if v != 1.0:
                new[i] = v
                nbi[y] = v
            else:
                del nbi[y]
        for i, dxi in dx.items():
            v = (nx * dxi + ny * 1.0) / total
            nbi = nb[i]
            del nbi[x]
            if v != 1.0:
                new[i] = v
                nbi[y] = v
        nb[y] = new
    return zx, zy, zh


def label(zx: list[int], zy: list[int], n: int) -> tuple[list[int], list[int], list[int]]:
    """Scipy's ``label``: cluster numbers of merges sorted by height (union-find).

    ``zx, zy`` are the merged slots in sorted order. Returns the smaller and larger
    cluster numbers and the size of each merge.
    """
    parent = list(range(2 * n - 1))
    sizes = [1] * (2 * n - 1)
    out0: list[int] = []
    out1: list[int] = []
    out3: list[int] = []
    next_label = n
    for x, y in zip(zx, zy, strict=True):
        a = _find(parent, x)
        b = _find(parent, y)
        if a < b:
            out0.append(a)
            out1.append(b)
        else:
            out0.append(b)
            out1.append(a)
        parent[a] = parent[b] = next_label
        sizes[next_label] = s = sizes[a] + sizes[b]
        out3.append(s)
        next_label += 1
    return out0, out1, out3


def _find(parent: list[int], x: int) -> int:
    p = x
    while parent[x] != x:
        x = parent[x]
    while parent[p] != x:
        parent[p], p = x, parent[p]
    return x
