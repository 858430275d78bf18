"""Quality of a delineation: how self-contained and how functional its areas are.

Every measure is computed from the sparse quotient graph ``P^T F P`` of the partition (never
a dense zone matrix). Unassigned zones count as areas of their own (singletons): they hold
their flows, and leaving them out would flatter the partition.

The module is callable: ``rz.quality(...)`` is :func:`quality`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._areas import matrix_cells, quotient
from ._callable import make_module_callable
from ._core.shares import scale_rows
from .errors import InvalidODError, check_parameter
from .partition import Partition

if TYPE_CHECKING:
    from .flows import FlowGraph


__all__ = [
    "area_quality",
    "quality",
    "directed_modularity",
    "area_codes",
    "interchange",
    "pair_interchange",
    "validity",
    "cohesion",
]


def area_codes(graph: FlowGraph, labels) -> tuple[np.ndarray, list[str]]:
    """Integer codes per zone (areas first, then one singleton per unassigned zone) and the
    area ids for the codes. ``labels``: a Partition, a Series indexed by zone id, or an
    array aligned with the graph's zones; None/NaN means unassigned."""
    if isinstance(labels, Partition):
        labels = labels.labels
    if isinstance(labels, pd.Series):
        labels = labels.reindex(graph.ids)
    values = pd.Series(np.asarray(labels, dtype=object), index=graph.ids)
    assigned = values.notna().to_numpy()
    codes = np.full(graph.n_zones, -1, np.int64)
    fac, uniques = pd.factorize(values[assigned], sort=True)
    codes[assigned] = fac
    k = len(uniques)
    un = np.flatnonzero(~assigned)
    codes[un] = k + np.arange(len(un))
    names = [str(u) for u in uniques] + [f"(unassigned {z})" for z in graph.ids[un]]
    return codes, names


def _quotient(graph, codes: np.ndarray, n_codes: int, diagonal: str):
    m = graph.matrix
    if diagonal == "drop":
        m = m - sp.diags_array(graph.internal)
        m = sp.csr_array(m)
        m.eliminate_zeros()
    return quotient(m, codes, n_codes)


def _products(r: np.ndarray, w: np.ndarray, internal: np.ndarray, total: float):
    """``internal / (r * w)`` and ``internal / total - r * w / total**2`` at any scale.

    The products ``r * w`` and ``total**2`` overflow from flows of about 1e154 and vanish
    below 1e-154; they are formed on the totals divided by the power of two that brings
    ``total`` into ``[0.5, 1)``, which is exact in floating point: bit for bit the unscaled
    values wherever those were in range. An area more than about 1e150 times smaller than
    the total, whose ``r * w`` still falls below the normal range, gets its Intramax term as
    ``(internal / r) / w``. The term scales as 1 / flows and is put back in the flows'
    units; a named error when it leaves the float64 range.
    """
    k = len(r)
    if not total > 0:
        return np.full(k, np.nan), np.full(k, np.nan)
    shift = math.frexp(total)[1]
    r2, w2, c2 = np.ldexp(r, -shift), np.ldexp(w, -shift), np.ldexp(internal, -shift)
    t2 = math.ldexp(total, -shift)
    both = (r2 > 0) & (w2 > 0)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        prod = r2 * w2
        small = prod < np.finfo(np.float64).tiny
        term = np.where(both, np.where(small, c2 / r2 / w2, c2 / prod), np.nan)
        mod = c2 / t2 - prod / t2**2
    with np.errstate(over="ignore", under="ignore"):
        intramax = np.ldexp(term, -shift)
    lost = both & (c2 > 0)
    what = "Cannot compute the Intramax term internal / (residents * jobs) of the areas"
    if (lost & ~np.isfinite(intramax)).any():
        raise InvalidODError(
            f"{what}: it grows as 1 / flows and with flows this small (total {total:.3g}) it "
            "exceeds the float64 range (1.8e308). Rescale the flows: multiply them by 1e6."
        )
    if (lost & (intramax == 0)).any():
        raise InvalidODError(
            f"{what}: it shrinks as 1 / flows and with flows this large (total {total:.3g}) "
            "it falls below the float64 range (5e-324). Rescale the flows: divide them by "
            "1e6."
        )
    return intramax, mod


def interchange(q: sp.csr_array, residents: np.ndarray, jobs: np.ndarray) -> sp.csr_array:
    """Employment interchange measure between units of a quotient graph (OMB, as a share):
    ``E[u, v] = Q[u, v] / R_u + Q[v, u] / W_u`` — the share of u's employed residents working
    in v plus the share of u's jobs held by residents of v. Diagonal excluded."""
    q = sp.csr_array(q)
    # rows divided by exact powers of two first: finite shares for subnormal totals too
    e = scale_rows(q, residents) + scale_rows(sp.csr_array(q.T), jobs)
    e = sp.csr_array(e)
    e.setdiag(0)
    e.eliminate_zeros()
    return e


def pair_interchange(graph: FlowGraph, codes: np.ndarray, k: int) -> sp.csr_array:
    """OMB employment interchange measure between areas (``k x k``, symmetric): for areas
    A, B with A the smaller (by employed residents), ``F_AB / R_A + F_BA / W_A`` — the
    :func:`interchange` of the smaller area towards the larger, divided directly (as OMB
    computes it) rather than through exact power-of-two scaling. ``codes``: the area of each
    zone (``-1`` for none)."""
    q = quotient(graph.matrix, codes, k)
    r = np.asarray(q.sum(axis=1)).ravel()
    w = np.asarray(q.sum(axis=0)).ravel()
    c = q.tocoo()
    i, j, v = c.row, c.col, c.data
    keep = i != j
    i, j, v = i[keep], j[keep], v[keep]
    # flows between each unordered pair in both directions
    ab = sp.csr_array((v, (i, j)), shape=(k, k))
    lo = np.minimum(i, j)
    hi = np.maximum(i, j)
    pairs = np.unique(np.stack([lo, hi], 1), axis=0)
    a, b = pairs[:, 0], pairs[:, 1]
    f_ab = matrix_cells(ab, a, b)
    f_ba = matrix_cells(ab, b, a)
    small_is_a = (r[a] < r[b]) | ((r[a] == r[b]) & (a < b))
    s = np.where(small_is_a, a, b)
    f_out = np.where(small_is_a, f_ab, f_ba)  # smaller -> larger
    f_in = np.where(small_is_a, f_ba, f_ab)  # larger -> smaller
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(r[s] > 0, f_out / np.where(r[s] > 0, r[s], 1), 0) + np.where(
            w[s] > 0, f_in / np.where(w[s] > 0, w[s], 1), 0
        )
    return sp.csr_array(
        (np.concatenate([e, e]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(k, k)
    )


# ------------------------------------------------- validity and cohesion (Coombes & Bond)
def validity_array(r, msc, msz, msc_p, tsz, tsc):
    """Validity of areas with residents ``r`` and self-containment ``msc``, for the
    parameters ``minSZ, minSC, tarSZ, tarSC`` (vectorised).

    The reference's arithmetic, operation by operation; 1 where ``msc`` is exactly 1.
    """
    y = np.minimum(msc / tsc, 1.0)
    size = np.maximum((tsz - r) / (tsz - msz), 0.0)
    z = 1 - ((1 - (msc_p / tsc)) * size)
    v = y * z * (tsc / msc_p)
    return np.where(msc == 1, 1.0, v)


def check_validity_params(owner, min_size, min_sc, target_size, target_sc) -> None:
    """Check the four TTWA sizes of ``owner``: ``0 < min_sc <= target_sc <= 1`` and
    ``0 < min_size < target_size``."""
    min_size, min_sc, target_size, target_sc = (
        x.item() if isinstance(x, np.generic) else x
        for x in (min_size, min_sc, target_size, target_sc)
    )
    check_parameter(owner, "target_sc", target_sc, interval=(0, 1), closed="right")
    check_parameter(owner, "min_sc", min_sc, interval=(0, float(target_sc)), closed="right")
    check_parameter(owner, "target_size", target_size, interval=(0, np.inf), closed="neither")
    check_parameter(owner, "min_size", min_size, interval=(0, float(target_size)), closed="neither")


def validity(
    residents,
    jobs,
    internal,
    *,
    min_size: float = 3500,
    min_sc: float = 0.6667,
    target_size: float = 25000,
    target_sc: float = 0.75,
) -> np.ndarray:
    """Coombes & Bond validity of areas (vectorised); an area is valid iff it is ``>= 1``.

    Parameters
    ----------
    residents, jobs, internal : array-like
        Employed residents ``R_A``, jobs ``W_A`` and internal flow ``C_AA`` of each area.
    min_size, min_sc, target_size, target_sc : float
        ``minSZ, minSC, tarSZ, tarSC`` (default: UK 2011).

    Returns
    -------
    numpy.ndarray
        ``Y · Z · tarSC / minSC`` with ``Y = min(msc / tarSC, 1)``,
        ``Z = 1 - (1 - minSC / tarSC) · max((tarSZ - R) / (tarSZ - minSZ), 0)`` and ``msc`` the
        smaller of ``C/R`` and ``C/W``; 1 where ``msc`` is exactly 1 (as the reference does).
        Self-containment is taken as 0 for an area without residents or jobs.

    Examples
    --------
    The checks of the UK method (R = 14,250 halfway between the sizes):

    >>> from regionalize.quality import validity
    >>> v = validity([25000, 3500, 14250, 14250], [25000, 3500, 14250, 14250],
    ...              [16667.5, 2625, 9975, 10260])
    >>> v.round(4).tolist()
    [1.0, 1.0, 0.9916, 1.02]

    Exactly on the thresholds the reference's arithmetic falls one unit in the last place
    short of 1, so such an area is not valid (in R as here):

    >>> (v >= 1).tolist()
    [False, False, False, True]
    """
    check_validity_params("validity", min_size, min_sc, target_size, target_sc)
    r = np.asarray(residents, dtype=float)
    w = np.asarray(jobs, dtype=float)
    c = np.asarray(internal, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        msc = np.minimum(
            np.where(r > 0, c / np.where(r > 0, r, 1), 0.0),
            np.where(w > 0, c / np.where(w > 0, w, 1), 0.0),
        )
    return validity_array(
        r, msc, float(min_size), float(min_sc), float(target_size), float(target_sc)
    )


def cohesion(flow_ab, flow_ba, residents_a, jobs_a, residents_b, jobs_b) -> np.ndarray:
    """Cohesion ``C_AB² / (R_A · W_B) + C_BA² / (R_B · W_A)`` between areas (vectorised).

    ``flow_ab`` are the commuters living in A and working in B. A term whose denominator is
    zero counts 0 (as in the reference).

    Examples
    --------
    >>> from regionalize.quality import cohesion
    >>> float(cohesion(20, 10, 100, 80, 200, 250))
    0.02225
    """
    ab, ba = np.asarray(flow_ab, float), np.asarray(flow_ba, float)
    ra, wa = np.asarray(residents_a, float), np.asarray(jobs_a, float)
    rb, wb = np.asarray(residents_b, float), np.asarray(jobs_b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        one = np.where((ra > 0) & (wb > 0), ab / ra * ab / wb, 0.0)
        two = np.where((rb > 0) & (wa > 0), ba / rb * ba / wa, 0.0)
    return one + two


def area_quality(
    graph: FlowGraph,
    labels,
    *,
    diagonal: str = "keep",
    min_size: float = 3500,
    min_sc: float = 0.6667,
    target_size: float = 25000,
    target_sc: float = 0.75,
) -> pd.DataFrame:
    """Per-area quality table.

    Columns: ``n_zones``, ``residents`` (row sums), ``jobs`` (column sums), ``internal``
    (flows between zones of the area, the diagonal included unless ``diagonal="drop"``),
    ``sc_supply = internal / residents``, ``sc_demand = internal / jobs``, ``validity`` (the
    TTWA validity with the given parameters, UK 2011 by default), ``intramax = internal /
    (residents * jobs)`` (Masser & Brown's interaction term) and ``modularity`` (the area's
    term of directed modularity). Unassigned zones appear as singleton rows named
    ``(unassigned <id>)``.

    Examples
    --------
    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[8, 2, 0], [1, 9, 0], [0, 0, 5.]]),
    ...                              ["a", "b", "c"])
    >>> q = area_quality(g, ["X", "X", None])
    >>> q[["n_zones", "internal", "sc_supply"]].to_dict("index")
    {'X': {'n_zones': 2, 'internal': 20.0, 'sc_supply': 1.0}, '(unassigned c)': {'n_zones': 1, 'internal': 5.0, 'sc_supply': 1.0}}
    """
    check_parameter("area_quality", "diagonal", diagonal, allowed=["keep", "drop"])
    codes, names = area_codes(graph, labels)
    k = len(names)
    q = _quotient(graph, codes, k, diagonal)
    r = np.asarray(q.sum(axis=1)).ravel()
    w = np.asarray(q.sum(axis=0)).ravel()
    internal = q.diagonal()
    total = float(q.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        sup = np.where(r > 0, internal / r, np.nan)
        dem = np.where(w > 0, internal / w, np.nan)
    intramax, mod = _products(r, w, internal, total)
    val = validity(
        r,
        w,
        internal,
        min_size=min_size,
        min_sc=min_sc,
        target_size=target_size,
        target_sc=target_sc,
    )
    out = pd.DataFrame(
        {
            "n_zones": np.bincount(codes, minlength=k),
            "residents": r,
            "jobs": w,
            "internal": internal,
            "sc_supply": sup,
            "sc_demand": dem,
            "validity": val,
            "intramax": intramax,
            "modularity": mod,
        },
        index=pd.Index(names, name="area"),
    )
    out.attrs["diagonal"] = diagonal
    if not graph.has_diagonal:
        out.attrs["note"] = (
            "the flows have no diagonal: internal flows and self-containment "
            "count only flows between different zones of an area"
        )
    return out


def directed_modularity(graph: FlowGraph, labels, *, diagonal: str = "keep") -> float:
    """Directed modularity (Leicht & Newman 2008):
    ``Q = sum_A [ F_AA / m - R_A W_A / m^2 ]`` with ``m`` the total flow, ``R`` and ``W`` row
    and column sums; ``diagonal="drop"`` removes intra-zone flows from everything first.
    Unassigned zones are singletons.

    Examples
    --------
    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[0, 1], [1, 0.]]), ["a", "b"])
    >>> directed_modularity(g, ["X", "X"]), directed_modularity(g, ["X", "Y"])
    (0.0, -0.5)
    """
    q = area_quality(graph, labels, diagonal=diagonal)
    return float(q["modularity"].sum())


def quality(graph: FlowGraph, labels, *, diagonal: str = "keep", **validity_params) -> dict:
    """Overall figures of a partition: areas, unassigned zones, the share of all flows kept
    inside areas, residents-weighted mean supply / demand self-containment, the share of
    areas valid by the TTWA criterion, directed modularity and the Intramax objective (sum of
    the areas' ``internal / (residents * jobs)``)."""
    q = area_quality(graph, labels, diagonal=diagonal, **validity_params)
    areas = q[~q.index.str.startswith("(unassigned ")]
    total = q["residents"].sum()
    r = areas["residents"].to_numpy()
    w = areas["jobs"].to_numpy()
    return {
        "areas": int(len(areas)),
        "unassigned_zones": int(len(q) - len(areas)),
        "internal_share": float(q["internal"].sum() / total) if total > 0 else float("nan"),
        "sc_supply": float(np.nansum(areas["sc_supply"] * r) / r.sum()) if r.sum() else np.nan,
        "sc_demand": float(np.nansum(areas["sc_demand"] * w) / w.sum()) if w.sum() else np.nan,
        "valid_share": float((areas["validity"] >= 1).mean()) if len(areas) else float("nan"),
        "modularity": float(q["modularity"].sum()),
        "intramax": float(np.nansum(areas["intramax"])),
        "diagonal": diagonal,
    }


# calling the module calls its main function: rz.quality(...)
make_module_callable(__name__)
