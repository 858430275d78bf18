"""The per-zone kernels of the TTWA engine, and the choice between numba and numpy.

Three steps of the loop read a zone's row and column, or those of every member of a
cluster: detaching a zone and choosing its most cohesive cluster (:func:`detach_choose`),
choosing the zone a multi-zone cluster gives up (:func:`order_zone`) and the stale validity
range of point 11 (:func:`stale_range`). Each exists twice with the same arguments and the
same results, bit for bit: here with numpy on the zone's small arrays (the fallback), and in
:mod:`._ttwa_numba` as compiled loops, used on large graphs when numba is installed (the
extra ``fast``) and ``REGIONALIZE_NO_NUMBA`` is unset. Importing this module does not import
numba; :func:`kernels` does, on first use.
"""

from __future__ import annotations

import importlib
import sys

import numpy as np

from .._core.constraint import row_entries
from .._jit import numba_enabled
from ..quality import validity_array

__all__ = [
    "USE_NUMBA",
    "NUMBA_MIN_ZONES",
    "kernels",
    "detach_choose",
    "order_zone",
    "stale_range",
    "gather",
]

#: Which kernels run: True the compiled ones whenever they can, False the numpy ones, None
#: (default) the compiled ones for graphs of at least :data:`NUMBA_MIN_ZONES` zones, where
#: they gain more than numba's import (about half a second) costs.
USE_NUMBA: bool | None = None
NUMBA_MIN_ZONES = 5000

_NUMBA: list = []  # the numba kernels module once imported


def kernels(use_numba: bool | None = None, n_zones: int = 0):
    """The kernel functions for a graph of ``n_zones`` zones: the compiled ones if
    ``use_numba`` (default :data:`USE_NUMBA`; None: ``n_zones >= NUMBA_MIN_ZONES``) and
    :func:`regionalize._jit.numba_enabled` (numba is installed and ``REGIONALIZE_NO_NUMBA``
    is unset), else the numpy twins of this module."""
    if use_numba is None:
        use_numba = USE_NUMBA
    if use_numba is None:
        use_numba = n_zones >= NUMBA_MIN_ZONES
    if not (use_numba and numba_enabled()):
        return sys.modules[__name__]
    if not _NUMBA:
        _NUMBA.append(importlib.import_module("._ttwa_numba", __package__))
    return _NUMBA[0]


def gather(ptr, rows):
    """Positions in a CSR ``indices``/``data`` of the entries of ``rows``, and their segment."""
    seg = np.repeat(np.arange(len(rows)), ptr[rows + 1] - ptr[rows])
    return row_entries(ptr, rows), seg


def detach_choose(
    z, exclude, ptr, ind, dat, tptr, tind, tdat, label, rid, d, rz, wz, rc, wc, cc, aptr, aind,
    mark, cslot, cout, cin, buf,
):  # fmt: skip
    """Take zone ``z`` out of its cluster (its slot gets 1, the cluster's totals lose it),
    and choose the cluster it is most cohesive with among the ordinary clusters (positive
    number) it exchanges commuters with, other than ``exclude`` and, with an adjacency
    (``aptr`` not empty), with a member adjacent to it; ties: no inflow first, then the
    larger number. Returns (old slot, chosen slot or -1, flow z -> it, flow it -> z).
    ``mark``, ``cslot``, ``cout``, ``cin`` and ``buf`` are the compiled twin's scratch."""
    a = int(label[z])
    label[z] = 1
    p0, p1, q0, q1 = ptr[z], ptr[z + 1], tptr[z], tptr[z + 1]
    ov = dat[p0:p1]
    ol = label[ind[p0:p1]]
    iv = tdat[q0:q1]
    il = label[tind[q0:q1]]
    if a != 0:
        cc[a] -= d[z] + ov[ol == a].sum() + iv[il == a].sum()
        rc[a] -= rz[z]
        wc[a] -= wz[z]
    mo = (rid[ol] > 0) & (ol != exclude)
    mi = (rid[il] > 0) & (il != exclude)
    lo, vo = ol[mo], ov[mo]
    li, vi = il[mi], iv[mi]
    if not (len(lo) or len(li)):
        return a, -1, 0.0, 0.0
    u, inv = np.unique(np.concatenate([lo, li]), return_inverse=True)
    k = len(u)
    co = np.bincount(inv[: len(lo)], weights=vo, minlength=k)
    ci = np.bincount(inv[len(lo) :], weights=vi, minlength=k)
    if len(aptr):
        nb = aind[aptr[z] : aptr[z + 1]]
        if len(nb):
            ok = np.isin(u, label[nb])
            if not ok.all():
                u, co, ci = u[ok], co[ok], ci[ok]
                if not len(u):
                    return a, -1, 0.0, 0.0
    i = 0
    if len(u) > 1:
        s_in = np.where(ci > 0, ci / rc[u] * ci / wz[z], 0.0)
        s_out = np.where(co > 0, co / rz[z] * co / wc[u], 0.0)
        i = int(np.lexsort((rid[u], ci == 0, s_in + s_out))[-1])
    return a, int(u[i]), float(co[i]), float(ci[i])


def order_zone(a, zones, tptr, tind, tdat, label, rz, d):
    """The zone of cluster ``a`` (members ``zones``, sorted) that leaves: the largest
    inflow from outside the cluster + residents - internal flow; ties to zone order."""
    pos, seg = gather(tptr, zones)
    outside = label[tind[pos]] != a
    inflow = np.bincount(seg[outside], weights=tdat[pos][outside], minlength=len(zones))
    key = (inflow + rz[zones]) - d[zones]
    return int(zones[int(np.argmax(key))])


def stale_range(a, zones, ptr, ind, dat, label, rz, wz, consts):
    """Min and max of the reference's unaggregated validity rows of cluster ``a`` (members
    ``zones``): one row per (member zone's totals, internal flow between two members).
    ``consts``: minSZ, minSC, tarSZ, tarSC (then derived values the twin uses)."""
    msz, msc, tsz, tsc = (float(x) for x in consts[:4])
    pos, _ = gather(ptr, zones)
    flows = dat[pos][label[ind[pos]] == a]
    r, w = rz[zones], wz[zones]
    if not len(flows):
        vals = validity_array(r, np.zeros(len(zones)), msz, msc, tsz, tsc)
        return float(vals.min()), float(vals.max())
    # for one zone the validity is monotone in the flow: its extremes are at the
    # smallest and largest flow, except where the "msc == 1 -> 1" rule applies
    ends = [
        validity_array(r, np.minimum(x / r, x / w), msz, msc, tsz, tsc)
        for x in (flows.min(), flows.max())
    ]
    lo = np.minimum(ends[0], ends[1])
    hi = np.maximum(ends[0], ends[1])
    for i in np.flatnonzero((r == w) & np.isin(r, flows)):
        vals = validity_array(
            np.full(len(flows), r[i]), np.minimum(flows / r[i], flows / w[i]), msz, msc, tsz, tsc
        )
        lo[i], hi[i] = vals.min(), vals.max()
    return float(lo.min()), float(hi.max())
