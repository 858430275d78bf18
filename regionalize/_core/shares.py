"""Link shares: how strongly zone i depends on zone j, as sparse matrices.

A share rule gives one or two *components*, each an ``n x n`` CSR matrix without diagonal.
Shares to a group of zones (a polycentric core, an area) are the sum of a component over the
group; with two components (``share="either"``) the share to a group is the larger of the
two sums. Keeping the components apart is what makes "either" correct for multi-zone cores.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import scipy.sparse as sp

from ..errors import check_parameter

SHARE_RULES = ("auto", "residents", "outcommuters", "jobs", "either")


def scale_rows(m: sp.csr_array, denom: np.ndarray) -> sp.csr_array:
    """Row ``i`` of ``m`` times ``1 / denom[i]`` (0 where ``denom[i] <= 0``), at any scale.

    Each row and its denominator are first divided by the power of two that brings the
    denominator into ``[0.5, 1)``: exact in floating point, so every share is bit for bit
    ``F_ij * (1 / R_i)`` as before for ordinary flows, while denominators too small for
    ``1 / R`` (subnormal flows, below about 5.6e-309) or too large no longer overflow.
    """
    m = sp.csr_array(m)
    expo, inv = scale_factors(denom)
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    data = np.ldexp(m.data, -expo[rows]) * inv[rows]
    out = sp.csr_array((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
    out.eliminate_zeros()
    return out


def scale_factors(denom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(expo, inv)`` with ``x / denom`` taken as ``ldexp(x, -expo) * inv`` (see
    :func:`scale_rows`, whose formula this is)."""
    denom = np.asarray(denom, dtype=float)
    pos = denom > 0
    mant, expo = np.frexp(np.where(pos, denom, 1.0))  # denom = mant * 2**expo, exactly
    return expo, np.where(pos, 1.0 / mant, 0.0)


def _off_diagonal(m: sp.csr_array) -> sp.csr_array:
    if isinstance(m, sp.csr_array) and m.has_canonical_format:
        # sorted, no duplicates: dropping the diagonal keeps it so, no conversion needed
        rows = np.repeat(np.arange(m.shape[0], dtype=m.indices.dtype), np.diff(m.indptr))
        keep = m.indices != rows
        indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=m.shape[0]), out=indptr[1:])
        out = sp.csr_array((m.data[keep], m.indices[keep], indptr), shape=m.shape)
        out.has_canonical_format = True
        return out
    coo = m.tocoo()
    keep = coo.row != coo.col
    return sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=m.shape)


def resolve_share(share: str, has_diagonal: bool, owner: str = "share rule") -> str:
    check_parameter(owner, "share", share, allowed=SHARE_RULES)
    if share == "auto":
        return "residents" if has_diagonal else "outcommuters"
    return share


# While ``reuse_components()`` is active (delineate's layers share one graph), the
# components of a (graph, share) are computed once: {(id(graph), share): (graph, result)}.
_REUSE: ContextVar[dict | None] = ContextVar("regionalize_reuse_components", default=None)


@contextmanager
def reuse_components():
    """Within the block, :func:`link_components` computes the components of a graph and a
    share rule once and hands the same (read-only) matrices to every later caller."""
    token = _REUSE.set({}) if _REUSE.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _REUSE.reset(token)


def link_components(graph, share: str) -> tuple[list[sp.csr_array], np.ndarray]:
    """Share components for a FlowGraph, and each zone's denominator (supply side); the same
    objects again for the same graph and rule within :func:`reuse_components`.

    - ``residents``: ``F[i,j] / R_i`` with ``R_i`` the employed residents (diagonal included);
    - ``outcommuters``: ``F[i,j] / (R_i - F[i,i])``, the only choice without a diagonal;
    - ``jobs``: ``F[j,i] / W_i``, the share of zone i's jobs held by residents of j (demand);
    - ``either``: both ``residents`` and ``jobs`` (a link counts if either share is high,
      as in the OMB outlying-county rule).

    Returns the components and the denominator used for the supply side (zero means the zone
    has no flows to share out).
    """
    memo = _REUSE.get()
    if memo is None:
        return _link_components(graph, share)
    key = (id(graph), share)
    if key not in memo or memo[key][0] is not graph:
        memo[key] = (graph, _link_components(graph, share))
    return memo[key][1]


def _link_components(graph, share: str) -> tuple[list[sp.csr_array], np.ndarray]:
    off = _off_diagonal(graph.matrix)
    r = np.asarray(graph.residents, dtype=float)
    w = np.asarray(graph.jobs, dtype=float)
    internal = graph.internal
    if share == "residents":
        return [scale_rows(off, r)], r
    if share == "outcommuters":
        d = r - internal
        return [scale_rows(off, d)], d
    demand = scale_rows(sp.csr_array(off.T), w)
    if share == "jobs":
        return [demand], w
    if share == "either":
        return [scale_rows(off, r), demand], np.maximum(r, w)
    raise ValueError(share)  # pragma: no cover - resolve_share guards this


def group_shares(components: list[sp.csr_array], membership: sp.csr_array) -> sp.csr_array:
    """Shares of every zone to every group (``n x k``): per component the sum over the group,
    then the maximum over components."""
    out = None
    for comp in components:
        s = sp.csr_array(comp @ membership)
        out = s if out is None else sp.csr_array(out.maximum(s))
    out.eliminate_zeros()
    return out


def combined(components: list[sp.csr_array]) -> sp.csr_array:
    """Zone-to-zone shares: the element-wise maximum of the components."""
    out = components[0]
    for comp in components[1:]:
        out = sp.csr_array(out.maximum(comp))
    return out


def strength_class(values: np.ndarray, classes) -> np.ndarray:
    """The highest class threshold each share reaches (NaN below the lowest class)."""
    classes = np.sort(np.asarray(classes, dtype=float))
    values = np.asarray(values, dtype=float)
    idx = np.searchsorted(classes, values, side="right") - 1
    out = np.full(values.shape, np.nan)
    ok = (idx >= 0) & ~np.isnan(values)
    out[ok] = classes[idx[ok]]
    return out
