"""Quality of a delineation: how self-contained and how functional its areas are.

Every measure is computed from the sparse quotient graph ``P^T F P`` of the partition (never
a dense zone matrix). Unassigned zones count as areas of their own (singletons): they hold
their flows, and leaving them out would flatter the partition.

With ``F[i, j]`` the commuters living in zone ``i`` and working in zone ``j``, an area ``A``
has ``R_A`` employed residents (the flows leaving its zones, the diagonal included), ``W_A``
jobs (the flows arriving in its zones) and ``C_AA`` internal flows (living and working in
``A``). The measures are, for ``m`` the total flow:

- supply-side self-containment ``C_AA / R_A`` (the share of the residents who work in the
  area) and demand-side self-containment ``C_AA / W_A`` (the share of the jobs held by
  residents): :func:`area_quality`;
- the internal share ``sum_A C_AA / m``, directed modularity
  ``sum_A (C_AA / m - R_A W_A / m**2)`` and the Intramax objective
  ``sum_A C_AA / (R_A W_A)``: :func:`quality`, :func:`directed_modularity`;
- the employment interchange between two areas ``F_AB / R_A + F_BA / W_A`` (OMB):
  :func:`interchange`, :func:`pair_interchange`;
- the validity and cohesion of the UK travel-to-work areas: :func:`validity`,
  :func:`cohesion`.

The module is callable: ``rz.quality(...)`` is :func:`quality`.

Examples
--------
Three zones in two areas: X (zones a and b) has 170 employed residents, 165 of whom work
inside it (self-containment 0.971); 93.2% of all commuters work in their own area.

>>> import numpy as np
>>> f = np.array([[80, 15, 5], [10, 60, 0], [5, 5, 40]])
>>> g = rz.FlowGraph.from_matrix(f, ["a", "b", "c"])
>>> q = rz.quality(g, ["X", "X", "Y"])
>>> round(q["internal_share"], 3), round(q["modularity"], 3)
(0.932, 0.271)
>>> t = rz.quality.area_quality(g, ["X", "X", "Y"])
>>> t[["residents", "internal", "sc_supply"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
      residents  internal  sc_supply
area
X         170.0     165.0      0.971
Y          50.0      40.0      0.800
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._areas import matrix_cells, quotient
from ._callable import make_module_callable
from ._checks import check_graph
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
    area ids for the codes.

    Every measure of this module works on these codes: each unassigned zone becomes an area
    of its own, so that its flows still count.

    Parameters
    ----------
    graph : FlowGraph
        The zones.
    labels : Partition, pandas.Series or array-like
        A Partition, a Series indexed by zone id, or an array aligned with the graph's
        zones; None/NaN means unassigned.

    Returns
    -------
    codes : numpy.ndarray
        One code per zone (graph order): the areas numbered ``0 .. k-1`` in sorted label
        order, then one code per unassigned zone.
    names : list of str
        The area of each code: the labels as text, then ``"(unassigned <zone id>)"``.

    Examples
    --------
    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[5, 1, 0], [1, 5, 0], [0, 1, 5]]),
    ...                              ["a", "b", "c"])
    >>> codes, names = rz.quality.area_codes(g, ["X", None, "Y"])
    >>> codes.tolist(), names
    ([0, 2, 1], ['X', 'Y', '(unassigned b)'])
    """
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
    r"""Employment interchange measure between units of a quotient graph (OMB, as a share).

    .. math:: E_{uv} = \frac{Q_{uv}}{R_u} + \frac{Q_{vu}}{W_u}

    the share of u's employed residents working in v plus the share of u's jobs held by
    residents of v. The measure is read from u's side, so ``E`` is not symmetric: OMB
    applies it from the smaller unit (see :func:`pair_interchange`). Diagonal excluded.

    Parameters
    ----------
    q : scipy.sparse.csr_array
        ``k x k`` flows between units (``Q[u, v]``: residents of u working in v), e.g. the
        matrix of :meth:`regionalize.FlowGraph.aggregate`.
    residents, jobs : numpy.ndarray
        ``R_u`` and ``W_u``: employed residents and jobs of every unit (the row and column
        sums of ``q``, diagonal included).

    Returns
    -------
    scipy.sparse.csr_array
        ``k x k`` interchange ``E[u, v]`` as a fraction (OMB's measure divided by 100), zero
        on the diagonal.

    See Also
    --------
    regionalize.quality.pair_interchange : The symmetric measure between the areas of a
        partition, from the smaller area.

    References
    ----------
    .. [1] Office of Management and Budget (2010). 2010 Standards for Delineating
       Metropolitan and Micropolitan Statistical Areas. Federal Register 75 (123),
       37246-37252.

    Examples
    --------
    X (170 residents, 175 jobs) sends 5 workers to Y and receives 10 from it:
    ``5 / 170 + 10 / 175 = 0.087``; from Y's side, ``10 / 50 + 5 / 45 = 0.311``.

    >>> import numpy as np
    >>> f = np.array([[80, 15, 5], [10, 60, 0], [5, 5, 40]])
    >>> a = rz.FlowGraph.from_matrix(f, ["a", "b", "c"]).aggregate(["X", "X", "Y"])
    >>> rz.quality.interchange(a.matrix, a.residents, a.jobs).toarray().round(3)
    array([[0.   , 0.087],
           [0.311, 0.   ]])
    """
    q = sp.csr_array(q)
    # rows divided by exact powers of two first: finite shares for subnormal totals too
    e = scale_rows(q, residents) + scale_rows(sp.csr_array(q.T), jobs)
    e = sp.csr_array(e)
    e.setdiag(0)
    e.eliminate_zeros()
    return e


def pair_interchange(graph: FlowGraph, codes: np.ndarray, k: int) -> sp.csr_array:
    """OMB employment interchange measure between areas (``k x k``, symmetric).

    For areas A and B with A the smaller (by employed residents; ties: the lower code),
    ``E_AB = F_AB / R_A + F_BA / W_A``: the share of A's employed residents working in B
    plus the share of A's jobs held by residents of B. This is the :func:`interchange` of
    the smaller area towards the larger, divided directly (as OMB computes it) rather than
    through exact power-of-two scaling. OMB's 2010 standards combine adjacent areas from
    0.25, and from 0.15 where local opinion supports it (the megaregions join at 0.15 by
    default).

    Parameters
    ----------
    graph : FlowGraph
        The zone flows ``F``.
    codes : numpy.ndarray
        The area code of each zone, ``0 .. k-1`` (``-1`` for none), e.g. from
        :func:`area_codes`. ``R_A`` and ``W_A`` are summed over the flows between coded
        zones only: flows to or from zones coded ``-1`` are left out, which raises the
        measure of an area that exchanges many commuters with uncoded zones. To count them,
        give every zone a code (:func:`area_codes` makes each unassigned zone its own area).
    k : int
        The number of areas.

    Returns
    -------
    scipy.sparse.csr_array
        ``k x k``, symmetric, zero on the diagonal and for pairs without flows.

    See Also
    --------
    regionalize.quality.interchange : The one-sided measure between units of any flow
        matrix.

    References
    ----------
    .. [1] Office of Management and Budget (2010). 2010 Standards for Delineating
       Metropolitan and Micropolitan Statistical Areas. Federal Register 75 (123),
       37246-37252.

    Examples
    --------
    Y (50 residents, 45 jobs) is the smaller area: ``10 / 50 + 5 / 45 = 0.311``, above
    OMB's threshold of 0.25 for combining it with X.

    >>> import numpy as np
    >>> f = np.array([[80, 15, 5], [10, 60, 0], [5, 5, 40]])
    >>> g = rz.FlowGraph.from_matrix(f, ["a", "b", "c"])
    >>> codes, names = rz.quality.area_codes(g, ["X", "X", "Y"])
    >>> rz.quality.pair_interchange(g, codes, len(names)).toarray().round(3)
    array([[0.   , 0.311],
           [0.311, 0.   ]])
    """
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

    See Also
    --------
    regionalize.quality.area_quality : The validity of every area of a partition, with the
        flows that feed it.
    regionalize.methods.labour_market_areas : The TTWA method that merges areas until they
        are valid.

    References
    ----------
    .. [1] Coombes, M. and Bond, S. (2008). Travel-to-Work Areas: the 2007 review. Office
       for National Statistics, London.

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

    The tie the TTWA method uses to choose the area a failing area merges into: the flows
    between two areas, both ways, each squared and divided by the residents at its origin
    and the jobs at its destination. A term whose denominator is zero counts 0 (as in the
    reference).

    Parameters
    ----------
    flow_ab, flow_ba : array-like
        ``C_AB``: commuters living in A and working in B; ``C_BA``: the other way.
    residents_a, jobs_a, residents_b, jobs_b : array-like
        Employed residents ``R`` and jobs ``W`` of A and of B.

    Returns
    -------
    numpy.ndarray
        One cohesion per pair (0 dimensions for scalar inputs).

    See Also
    --------
    regionalize.quality.validity : Whether an area is large and self-contained enough.

    References
    ----------
    .. [1] Coombes, M. and Bond, S. (2008). Travel-to-Work Areas: the 2007 review. Office
       for National Statistics, London.

    Examples
    --------
    20 of A's 100 residents work in B (250 jobs), 10 of B's 200 residents in A (80 jobs):
    ``20² / (100 · 250) + 10² / (200 · 80) = 0.016 + 0.00625``.

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
    r"""Per-area quality table: size, self-containment, validity and modularity of every area.

    With ``F[i, j]`` the commuters living in zone ``i`` and working in zone ``j``, an area
    ``A`` has employed residents ``R_A`` (flows leaving its zones), jobs ``W_A`` (flows
    arriving in its zones) and internal flows ``C_AA`` (both ends in ``A``); ``m`` is the
    total flow:

    .. math::

        SC^{supply}_A = \frac{C_{AA}}{R_A}, \qquad
        SC^{demand}_A = \frac{C_{AA}}{W_A}, \qquad
        I_A = \frac{C_{AA}}{R_A W_A}, \qquad
        Q_A = \frac{C_{AA}}{m} - \frac{R_A W_A}{m^2}

    Supply-side self-containment is the share of the area's working residents who work in
    it, demand-side the share of its jobs held by its residents (the two containment
    measures of travel-to-work areas); ``I_A`` is Masser & Brown's Intramax interaction
    term and ``Q_A`` the area's term of directed modularity (:func:`directed_modularity`).

    Parameters
    ----------
    graph : FlowGraph
        The zone flows.
    labels : Partition, pandas.Series or array-like
        The area of every zone (see :func:`area_codes`); None/NaN means unassigned.
    diagonal : {"keep", "drop"}
        ``"drop"`` removes the flows inside a zone (home and work in the same zone) from
        everything first, including ``R``, ``W`` and ``m``.
    min_size, min_sc, target_size, target_sc : float
        The TTWA validity parameters (UK 2011 by default; see :func:`validity`).

    Returns
    -------
    pandas.DataFrame
        Indexed by area id (``area``), columns ``n_zones``, ``residents`` (``R_A``, row
        sums), ``jobs`` (``W_A``, column sums), ``internal`` (``C_AA``), ``sc_supply``,
        ``sc_demand`` (NaN for an area without residents or jobs), ``validity``,
        ``intramax`` (``I_A``) and ``modularity`` (``Q_A``). Unassigned zones appear as
        singleton rows named ``(unassigned <id>)``. ``attrs["diagonal"]`` records the
        option; ``attrs["note"]`` warns when the flows have no diagonal.

    See Also
    --------
    regionalize.quality.quality : The same measures summed up over the partition.
    regionalize.Hierarchy.summary : Per-area tables of a Hierarchy's layers.

    References
    ----------
    .. [1] Masser, I. and Brown, P. J. B. (1975). Hierarchical aggregation procedures for
       interaction data. Environment and Planning A 7 (5), 509-523.
    .. [2] Leicht, E. A. and Newman, M. E. J. (2008). Community structure in directed
       networks. Physical Review Letters 100, 118703.

    Examples
    --------
    Zones a and b form area X; c is left unassigned and becomes a singleton row:

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[8, 2, 0], [1, 9, 0], [0, 0, 5.]]),
    ...                              ["a", "b", "c"])
    >>> q = rz.quality.area_quality(g, ["X", "X", None])
    >>> q[["n_zones", "internal", "sc_supply"]].to_dict("index")
    {'X': {'n_zones': 2, 'internal': 20.0, 'sc_supply': 1.0}, '(unassigned c)': {'n_zones': 1, 'internal': 5.0, 'sc_supply': 1.0}}
    """
    check_graph("area_quality", graph)
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
    r"""Directed modularity (Leicht & Newman 2008) of a partition.

    .. math:: Q = \sum_A \left[ \frac{C_{AA}}{m} - \frac{R_A W_A}{m^2} \right]

    with ``C_AA`` the flows inside area ``A``, ``R_A`` and ``W_A`` its row and column sums
    (residents and jobs) and ``m`` the total flow: the share of flows kept inside areas
    minus the share expected if workplaces were chosen at random in proportion to jobs.
    Above 0, the areas hold more of the flows than chance; at most ``1``. Unassigned zones
    are singletons.

    Parameters
    ----------
    graph : FlowGraph
        The zone flows.
    labels : Partition, pandas.Series or array-like
        The area of every zone (see :func:`area_codes`); None/NaN means unassigned.
    diagonal : {"keep", "drop"}
        ``"drop"`` removes intra-zone flows from everything first.

    Returns
    -------
    float
        ``Q`` (the sum of the ``modularity`` column of :func:`area_quality`).

    See Also
    --------
    regionalize.quality.quality : Modularity with the other overall figures.

    References
    ----------
    .. [1] Leicht, E. A. and Newman, M. E. J. (2008). Community structure in directed
       networks. Physical Review Letters 100, 118703.

    Examples
    --------
    Two zones that only exchange commuters: one area is no better than chance (0), two
    areas are worse (every flow crosses a boundary):

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[0, 1], [1, 0.]]), ["a", "b"])
    >>> from regionalize.quality import directed_modularity
    >>> directed_modularity(g, ["X", "X"]), directed_modularity(g, ["X", "Y"])
    (0.0, -0.5)
    """
    q = area_quality(graph, labels, diagonal=diagonal)
    return float(q["modularity"].sum())


def quality(graph: FlowGraph, labels, *, diagonal: str = "keep", **validity_params) -> dict:
    """Overall figures of a partition: how much of the commuting its areas hold.

    The figures, over the areas ``A`` (unassigned zones are singletons for the flows but
    are not counted as areas), with ``C_AA``, ``R_A``, ``W_A`` and ``m`` as in
    :func:`area_quality`:

    - ``internal_share = sum_A C_AA / m``: the share of all commuters who work in the area
      they live in (unassigned zones count their intra-zone flows);
    - ``sc_supply = sum_A C_AA / sum_A R_A`` and ``sc_demand = sum_A C_AA / sum_A W_A``:
      the residents- and jobs-weighted mean self-containment of the areas;
    - ``valid_share``: the share of areas valid by the TTWA criterion (:func:`validity`);
    - ``modularity``: directed modularity (:func:`directed_modularity`);
    - ``intramax = sum_A C_AA / (R_A W_A)``: the Intramax objective.

    Parameters
    ----------
    graph : FlowGraph
        The zone flows.
    labels : Partition, pandas.Series or array-like
        The area of every zone (see :func:`area_codes`); None/NaN means unassigned.
    diagonal : {"keep", "drop"}
        ``"drop"`` removes intra-zone flows from everything first.
    **validity_params
        ``min_size``, ``min_sc``, ``target_size``, ``target_sc`` of :func:`validity`.

    Returns
    -------
    dict
        ``areas``, ``unassigned_zones``, ``internal_share``, ``sc_supply``, ``sc_demand``,
        ``valid_share``, ``modularity``, ``intramax`` and ``diagonal``.

    See Also
    --------
    regionalize.quality.area_quality : The same measures per area.
    regionalize.compare.compare : How two partitions of the same zones agree.

    Examples
    --------
    93% of the commuters of this toy work in their own area; the areas are far below the
    UK's minimum of 3,500 workers, so none is valid by the TTWA criterion:

    >>> import numpy as np
    >>> f = np.array([[80, 15, 5], [10, 60, 0], [5, 5, 40]])
    >>> g = rz.FlowGraph.from_matrix(f, ["a", "b", "c"])
    >>> q = rz.quality(g, ["X", "X", "Y"])
    >>> {k: round(v, 3) if isinstance(v, float) else v for k, v in q.items()}
    {'areas': 2, 'unassigned_zones': 0, 'internal_share': 0.932, 'sc_supply': 0.932, 'sc_demand': 0.932, 'valid_share': 0.0, 'modularity': 0.271, 'intramax': 0.023, 'diagonal': 'keep'}
    """
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
