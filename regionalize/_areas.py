"""Area arithmetic shared by every layer, method and measure.

The zone-to-area membership matrix ``P`` (zones x areas, one 1 per assigned zone) and the
area-to-area flows ``P^T F P`` are built here and nowhere else; so are the names and ids
that areas take from their zones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "DEFAULT_CLASSES",
    "membership",
    "quotient",
    "zone_names",
    "area_ids",
    "core_names",
    "matrix_cells",
]

DEFAULT_CLASSES = (0.05, 0.10, 0.20)


def membership(codes: np.ndarray, k: int | None = None) -> sp.csr_array:
    """The zones x areas membership matrix ``P``: ``P[i, codes[i]] = 1``.

    Zones with a negative code (unassigned) have an empty row. ``k`` is the number of areas
    (default: the largest code + 1).

    >>> membership(np.array([0, 1, -1, 0])).toarray()
    array([[1., 0.],
           [0., 1.],
           [0., 0.],
           [1., 0.]])
    """
    codes = np.asarray(codes, dtype=np.int64)
    if k is None:
        k = int(codes.max()) + 1 if len(codes) else 0
    rows = np.flatnonzero(codes >= 0)
    return sp.csr_array((np.ones(len(rows)), (rows, codes[rows])), shape=(len(codes), k))


def quotient(matrix, codes: np.ndarray, k: int | None = None) -> sp.csr_array:
    """Area-to-area flows ``P^T F P`` of a zone-to-zone matrix, with ``P = membership(codes)``:
    entry ``[a, b]`` sums the flows from the zones of area ``a`` to those of area ``b``.
    Flows from or to unassigned zones (negative codes) are left out. O(nnz).

    >>> f = sp.csr_array(np.array([[5., 1., 2.], [3., 4., 0.], [1., 1., 9.]]))
    >>> quotient(f, np.array([0, 0, 1])).toarray()
    array([[13.,  2.],
           [ 2.,  9.]])
    """
    p = membership(codes, k)
    return sp.csr_array(p.T @ matrix @ p)


def zone_names(graph) -> pd.Series:
    """Each zone's name (its id where it has none), a Series over the ids; cached on the
    graph (a copy is returned)."""
    key = ("zone_names",)
    if key not in graph.cache:
        graph.cache[key] = _zone_names(graph)
    return graph.cache[key].copy()


def _zone_names(graph) -> pd.Series:
    z = graph.zones
    ids = pd.Series(list(graph.ids), index=graph.ids)
    if "name" in z.columns:
        return z["name"].astype(object).where(z["name"].notna(), ids).astype(str)
    return ids


def area_ids(graph, cores) -> list[str]:
    ids = graph.ids.to_numpy()
    return ["+".join(ids[c]) for c in cores]


def core_names(graph, cores, size: np.ndarray) -> list[str]:
    """Names of rule-found cores: "A" or "A+B"; bigger cores are named after their largest
    zone with the count of the others ("A +16"), so clustered city centres stay readable."""
    zname = zone_names(graph).to_numpy()
    out = []
    for c in cores:
        if len(c) <= 2:
            out.append("+".join(zname[c]))
        else:
            main = c[np.lexsort((c, -size[c]))[0]]
            out.append(f"{zname[main]} +{len(c) - 1}")
    return out


def matrix_cells(m: sp.csr_array, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``m[rows, cols]`` as a float array (scipy returns a sparse array for empty indices)."""
    if not len(rows):
        return np.zeros(0)
    return np.asarray(m[rows, cols], dtype=float).ravel()
