"""Growing regions from seeds by interchange, one round at a time, on the links that changed.

Used by the megaregion layer: units (areas, zones) join the region they exchange the most
with, once that interchange reaches a threshold; joining changes the interchange of the
joined unit's neighbours only, so each round recomputes those rows and nothing else.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .constraint import row_best, row_entries
from .shares import scale_factors, scale_rows


def _row_sums(
    m: sp.csr_array,
    mt: sp.csr_array | None,
    rows: np.ndarray,
    region: np.ndarray,
    k: int,
    inside: np.ndarray | None = None,
) -> sp.csr_array:
    """``m[rows] @ P`` with ``P`` the ``n x k`` indicator of ``region`` (rows of -1 empty),
    as a canonical CSR matrix, with every sum added in the order the sparse product adds it
    (the stored order of each row), so that it is bit for bit the same.

    With ``mt``, the transpose of a canonical ``m`` (sorted, no duplicates), the entries are
    read from the columns of the units in a region when those hold fewer entries than the
    rows (the first rounds: many rows, few units in regions), then put in row order;
    ``inside``, the units in a region, when the caller knows them to be few."""
    row_cost = int((m.indptr[rows + 1] - m.indptr[rows]).sum())
    if mt is not None and inside is None:
        inside = np.flatnonzero(region >= 0)
    if (
        mt is not None
        and inside is not None
        and int((mt.indptr[inside + 1] - mt.indptr[inside]).sum()) < row_cost
    ):
        pos = row_entries(mt.indptr, inside)
        local = np.full(m.shape[0], -1, np.int64)
        local[rows] = np.arange(len(rows))
        row_of = local[mt.indices[pos]]
        col = np.repeat(inside, mt.indptr[inside + 1] - mt.indptr[inside])
        keep = np.flatnonzero(row_of >= 0)
        keep = keep[np.lexsort((col[keep], row_of[keep]))]  # row order, then column order
        row_of, g, values = row_of[keep], region[col[keep]], mt.data[pos[keep]]
    else:
        pos = row_entries(m.indptr, rows)
        row_of = np.repeat(
            np.arange(len(rows), dtype=np.int64), m.indptr[rows + 1] - m.indptr[rows]
        )
        g = region[m.indices[pos]]
        keep = g >= 0
        row_of, g, values = row_of[keep], g[keep], m.data[pos[keep]]
    keys = row_of * k + g
    uk, inv = np.unique(keys, return_inverse=True)
    # bincount adds the weights one at a time in input order, from 0.0: the sparse product's
    # accumulation (each flow times 1.0) exactly
    sums = np.bincount(inv.ravel(), weights=values, minlength=len(uk))
    nz = sums != 0
    uk, sums = uk[nz], sums[nz]
    r, c = uk // k, uk % k
    indptr_out = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=len(rows)), out=indptr_out[1:])
    return sp.csr_array((sums, c, indptr_out), shape=(len(rows), k))


def grow_regions(
    flows: sp.csr_array,
    region: np.ndarray,
    movable: np.ndarray,
    residents: np.ndarray,
    jobs: np.ndarray,
    threshold: float,
    k: int,
) -> np.ndarray:
    """Attach movable units to regions in rounds; returns ``region`` (updated in place).

    In each round every movable unit without a region computes its interchange with every
    region, ``F[u, R] / residents[u] + F[R, u] / jobs[u]`` (sums over the region's units),
    and joins the region with the largest one when it is ``>= threshold`` (ties to the
    smallest region). Rounds repeat until no unit joins. Only units linked (either way) to
    a unit that joined in the previous round can change, so only their rows are recomputed:
    a run costs ``O(nnz)`` plus a sort of the recomputed links, instead of two full sparse
    products per round. Results are bit for bit those of the full products; ``threshold``
    must be positive (a unit with no flow to a region never joins it). With integral flows
    (and a small enough table) the sums are kept per unit and region instead (see
    :func:`_grow_dense`).
    """
    fm = sp.csr_array(flows)
    if _exact_sums(fm) and fm.shape[0] * max(k, 1) <= _DENSE_CELLS:
        return _grow_dense(fm, region, movable, residents, jobs, threshold, max(k, 1))
    ft = sp.csr_array(fm.T)  # rows: destinations; each row lists origins in ascending order
    canon = fm.has_canonical_format  # then ft is too, and each is the other's transpose
    n = fm.shape[0]
    tiebreak = np.arange(max(k, 1))
    residents = np.asarray(residents, dtype=float)
    jobs = np.asarray(jobs, dtype=float)
    rows = np.flatnonzero(movable & (region < 0))
    n_inside = int((region >= 0).sum())
    while len(rows):
        kk = max(k, 1)
        # reading the regions' columns pays while they hold fewer units than the rows to do
        few = canon and n_inside < len(rows)
        inside = np.flatnonzero(region >= 0) if few else None
        to_r = scale_rows(
            _row_sums(fm, ft if few else None, rows, region, kk, inside), residents[rows]
        )
        from_r = scale_rows(
            _row_sums(ft, fm if few else None, rows, region, kk, inside), jobs[rows]
        )
        e = sp.csr_array(to_r + from_r).tocoo()
        ok = e.data >= threshold
        r, c, _ = row_best(rows[e.row[ok]], e.col[ok], e.data[ok], tiebreak)
        if len(r) == 0:
            break
        region[r] = c
        n_inside += len(r)
        touched = np.zeros(n, bool)
        for m in (fm, ft):
            touched[m.indices[row_entries(m.indptr, r)]] = True
        rows = np.flatnonzero(touched & movable & (region < 0))
    return region


#: the largest ``units x regions`` table the integer path keeps (two float64 tables)
_DENSE_CELLS = 2_000_000


def _exact_sums(m: sp.csr_array) -> bool:
    """Whether every sum of flows is exact whatever the order of the additions: integral
    flows whose absolute total stays below 2**53 (float64 integers are exact up to it)."""
    d = m.data
    return bool(np.all(d == np.floor(d)) and np.abs(d).sum() < 2.0**53)


def _grow_dense(fm, region, movable, residents, jobs, threshold, k) -> np.ndarray:
    """:func:`grow_regions` for integral flows: each unit's flows to and from every region are
    kept in two ``units x regions`` tables and updated with the flows of the units that
    join. The sums are exact in any order, so each interchange is bit for bit the one the
    sparse products give, at a cost of the joining units' links per round."""
    n = fm.shape[0]
    ft = sp.csr_array(fm.T)
    to_r = np.zeros((n, k))
    from_r = np.zeros((n, k))
    expo_r, inv_r = scale_factors(residents)
    expo_j, inv_j = scale_factors(jobs)

    def add(units):
        for table, m in ((to_r, ft), (from_r, fm)):
            # to_r[u, g] sums F[u, v] over the units v of g: the column v of F, row v of F.T
            pos = row_entries(m.indptr, units)
            src = np.repeat(units, m.indptr[units + 1] - m.indptr[units])
            np.add.at(table, (m.indices[pos], region[src]), m.data[pos])

    add(np.flatnonzero(region >= 0))
    rows = np.flatnonzero(movable & (region < 0))
    while len(rows):
        a = np.ldexp(to_r[rows], -expo_r[rows, None]) * inv_r[rows, None]
        b = np.ldexp(from_r[rows], -expo_j[rows, None]) * inv_j[rows, None]
        e = a + b
        best = np.argmax(e, axis=1)  # the first maximum: ties go to the smallest region
        ok = e[np.arange(len(rows)), best] >= threshold
        r, c = rows[ok], best[ok]
        if len(r) == 0:
            break
        region[r] = c
        add(r)
        touched = np.zeros(n, bool)
        for m in (fm, ft):
            touched[m.indices[row_entries(m.indptr, r)]] = True
        rows = np.flatnonzero(touched & movable & (region < 0))
    return region
