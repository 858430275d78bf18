"""The network-constraint engine: centres, multi-order attachment, contiguity. CSR in, codes out.

Everything here works on zone positions ``0..n-1`` and sparse matrices; ids, names and
geometry live in the layers. Each attachment round is a handful of vectorised sparse
operations over the links of the still-unattached zones, so a run costs
``O(max_order * nnz)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .shares import combined, group_shares

# reasons for unassigned zones (stable strings: tests and users match on them)
NO_FLOWS = "no flows to share out"
BELOW = "no link at or above the threshold to an area"
ORDER_CAP = "would attach beyond max_order"
NOT_DOMINANT = "its largest flow goes to a zone outside the areas"
OTHER_GROUP = "linked only to areas across a boundary of the layer above"
DETACHED = "detached from its area by contiguity and linked to no other area"
EXCLUDED = "excluded from this layer"


def membership(codes: np.ndarray, k: int) -> sp.csr_array:
    """``n x k`` indicator matrix of non-negative codes (rows of -1 stay empty)."""
    n = len(codes)
    rows = np.flatnonzero(codes >= 0)
    return sp.csr_array((np.ones(len(rows)), (rows, codes[rows])), shape=(n, k))


def row_best(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, tiebreak: np.ndarray):
    """For every row present, the entry with the largest value; ties go to the smallest
    ``tiebreak[col]`` (deterministic, never to chance). Returns (rows, cols, vals)."""
    if len(rows) == 0:
        return rows, cols, vals
    order = np.lexsort((tiebreak[cols], -vals, rows))
    r = rows[order]
    first = np.ones(len(r), bool)
    first[1:] = r[1:] != r[:-1]
    pick = order[first]
    return rows[pick], cols[pick], vals[pick]


def top_destination(
    components, unit: np.ndarray, links: sp.csr_array | None = None, memo: dict | None = None
) -> np.ndarray:
    """Each zone's largest destination unit (shares summed within a unit), -1 when it sends
    nothing; ties go to the smallest unit code.

    A unit of one zone has that zone's share (the largest over components): ``links``, the
    zone-to-zone shares of :func:`.shares.combined` when the caller has them. Units of several
    zones (the cores) sum their shares per component, adding in the order of a sparse product
    with the membership matrix, so every value and every tie is that product's; the sums are
    only computed on the links into such units.

    ``memo``, a dict kept by a caller that asks again with other units over the same
    ``links``, keeps each zone's largest single destination: only the zones whose largest
    destination lies in a unit of several zones are then looked at again.
    """
    n = components[0].shape[0]
    u_codes, u_index = np.unique(unit, return_inverse=True)
    u_index = u_index.ravel().astype(np.int64)
    n_units = len(u_codes)
    # zones whose unit is their own with the usual code (position + a constant offset) rank
    # as their positions; every other zone (units of several zones, a core of one zone) has
    # its unit's share summed instead
    multi = np.bincount(u_index, minlength=n_units)[u_index] > 1
    single = np.flatnonzero(~multi)
    if len(single):
        offset = np.asarray(unit)[single] - single
        values, counts = np.unique(offset, return_counts=True)
        multi[single[offset != values[np.argmax(counts)]]] = True
    links = sp.csr_array(combined(components) if links is None else links)
    if memo is None or "top_zone" not in memo:
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(links.indptr))
        nz = links.data != 0
        # zone positions rank as the codes of single-zone units do (code = position + k)
        top = _row_top(n, rows[nz], links.indices[nz].astype(np.int64), links.data[nz])
        if memo is not None:
            memo["top_zone"] = top
    else:
        top = memo["top_zone"]
    best_z, best_v = top[0].copy(), top[1].copy()
    # zones whose largest destination is in a unit of several zones: the best of the others
    redo = np.flatnonzero((best_z >= 0) & multi[np.maximum(best_z, 0)])
    best_z[redo] = -1
    best_v[redo] = -np.inf
    if len(redo):
        pos = row_entries(links.indptr, redo)
        sub_rows = np.repeat(redo, links.indptr[redo + 1] - links.indptr[redo])
        keep = ~multi[links.indices[pos]] & (links.data[pos] != 0)
        pos = pos[keep]
        z, v = _row_top(n, sub_rows[keep], links.indices[pos].astype(np.int64), links.data[pos])
        best_z[redo], best_v[redo] = z[redo], v[redo]
    best_u = np.where(best_z >= 0, u_index[np.maximum(best_z, 0)], -1)
    if multi.any():
        per_comp = []
        for comp in components:
            comp = sp.csr_array(comp)
            c_rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(comp.indptr))
            into = multi[comp.indices]
            per_comp.append(
                _sums(c_rows[into] * n_units + u_index[comp.indices[into]], comp.data[into])
            )
        keys, vals = per_comp[0]
        for k_, v_ in per_comp[1:]:
            keys, vals = _maximum(keys, vals, k_, v_)
        m_u, m_v = _row_top(n, keys // n_units, keys % n_units, vals)
        # the larger value wins; a tie goes to the smaller unit
        take = (m_u >= 0) & ((best_u < 0) | (m_v > best_v) | ((m_v == best_v) & (m_u < best_u)))
        best_u[take] = m_u[take]
    return np.where(best_u >= 0, u_codes[np.maximum(best_u, 0)], -1)


def _sums(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``values`` per key (sorted keys; each sum added in input order, from 0.0, as a
    sparse product does), zero sums dropped."""
    uk, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=values, minlength=len(uk))
    nz = sums != 0
    return uk[nz], sums[nz]


def _maximum(ka, va, kb, vb) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise maximum of two sparse vectors (sorted keys), absent entries being 0 and
    zero results dropped, as :meth:`scipy.sparse.csr_array.maximum`."""
    keys = np.union1d(ka, kb)
    a = np.zeros(len(keys))
    b = np.zeros(len(keys))
    a[np.searchsorted(keys, ka)] = va
    b[np.searchsorted(keys, kb)] = vb
    out = np.maximum(a, b)
    nz = out != 0
    return keys[nz], out[nz]


def _row_top(n: int, rows, cols, vals) -> tuple[np.ndarray, np.ndarray]:
    """Per row the largest value and its column (the smallest among equal maxima); -1 and
    -inf for rows without entries. ``rows`` must be sorted (segment reductions)."""
    best_v = np.full(n, -np.inf)
    best_c = np.full(n, -1, np.int64)
    if len(rows):
        has = np.flatnonzero(np.bincount(rows, minlength=n))
        starts = np.searchsorted(rows, has)
        best_v[has] = np.maximum.reduceat(vals, starts)
        hit = np.flatnonzero(vals == best_v[rows])
        h_rows = rows[hit]
        h_starts = np.searchsorted(h_rows, has)
        best_c[has] = np.minimum.reduceat(cols[hit], h_starts)
    return best_c, best_v


def row_entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a CSR matrix's ``indices``/``data`` of the stored entries of ``rows``, in
    the order of ``rows``, then stored order (``np.repeat(rows, counts)`` gives their row)."""
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


def csr_row_argmax(m: sp.csr_array) -> np.ndarray:
    """Column of each row's largest stored value (the smallest column among equal maxima,
    given sorted indices); -1 for empty rows. Vectorised: segment maxima with ``reduceat``."""
    n = m.shape[0]
    counts = np.diff(m.indptr)
    has = counts > 0
    best = np.full(n, -1, np.int64)
    if not has.any():
        return best
    rowmax = np.full(n, -np.inf)
    rowmax[has] = np.maximum.reduceat(m.data, m.indptr[:-1][has])
    rows = np.repeat(np.arange(n), counts)
    hit = np.flatnonzero(m.data == rowmax[rows])
    hit_rows, first = np.unique(rows[hit], return_index=True)
    best[hit_rows] = m.indices[hit[first]]
    return best


@dataclass
class Attachment:
    """Result of :func:`attach`: one entry per zone (positions)."""

    area: np.ndarray  # core index, -1 unassigned
    order: np.ndarray  # 0 centre, 1.. member order, -1 unassigned
    share: np.ndarray  # share of the attaching link (NaN for centres / unassigned)
    via: np.ndarray  # position joined through (-1 for centres / unassigned)
    role: np.ndarray  # "centre" | "member" | "enclave" | "unassigned"
    reason: np.ndarray  # object array, None for assigned zones
    released: np.ndarray = field(default=None)  # zones released by contiguity at least once


@dataclass
class AttachPrep:
    """What :func:`attach` computes before its rounds, from the shares and the cores only."""

    n: int
    groups: np.ndarray
    eligible: np.ndarray
    area0: np.ndarray  # core index of the core zones, -1 elsewhere
    core_min: np.ndarray  # smallest position of each core
    tr: np.ndarray  # zone-to-zone links with a share >= tau (any zones, any groups): rows
    tc: np.ndarray  # ... columns
    first: tuple  # order-1 candidates (rows, cores, shares), before bans
    lr: np.ndarray  # strong links (share >= tau, eligible, same group) the dominance rule
    # allows (to the attaching zone's largest destination unit): rows
    lc: np.ndarray  # ... columns
    lv: np.ndarray  # ... shares


def prepare_attach(
    components: list[sp.csr_array],
    cores: list[np.ndarray],
    tau: float,
    *,
    dominance: str = "strict",
    groups: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    memo: dict | None = None,
) -> AttachPrep:
    """The part of :func:`attach` that bans and the order cap do not change. ``memo``: a
    dict kept across calls with the same ``components`` and other cores (what does not
    depend on the cores is computed once)."""
    n = components[0].shape[0]
    k = len(cores)
    area = np.full(n, -1, dtype=np.int64)
    core_min = np.array([int(np.min(c)) for c in cores], dtype=np.int64) if k else np.zeros(0, int)
    for ci, members in enumerate(cores):
        area[members] = ci
    if eligible is None:
        eligible = np.ones(n, bool)
    if groups is None:
        groups = np.zeros(n, dtype=np.int64)
    core_group = np.array([groups[c[0]] for c in cores], dtype=np.int64) if k else np.zeros(0, int)

    if memo is not None and "links" in memo:
        links = memo["links"]
    else:
        links = combined(components)
        if memo is not None:
            memo["links"] = links
    # units for the strict dominance test: each core is one destination, other zones their own
    unit = np.arange(n, dtype=np.int64) + k
    for ci, members in enumerate(cores):
        unit[members] = ci
    top_unit = np.full(n, -1, dtype=np.int64)
    if dominance == "strict":
        top_unit = top_destination(components, unit, links, memo)
    first: tuple = ()
    if k:
        to_core = group_shares(components, membership(area.copy(), k)).tocoo()
        rr, cc, vv = to_core.row, to_core.col, to_core.data
        ok = (vv >= tau) & (area[rr] < 0) & eligible[rr] & (groups[rr] == core_group[cc])
        first = (rr[ok], cc[ok], vv[ok])
    above = np.flatnonzero(links.data >= tau)
    zr = np.searchsorted(links.indptr, above, side="right") - 1
    zc, zv = links.indices[above].astype(np.int64), links.data[above]
    tr, tc = zr, zc
    strong = eligible[zr] & eligible[zc] & (groups[zr] == groups[zc])
    zr, zc, zv = zr[strong], zc[strong], zv[strong]
    lr, lc, lv = zr, zc, zv
    if dominance == "strict":
        dom = top_unit[zr] == unit[zc]
        lr, lc, lv = zr[dom], zc[dom], zv[dom]
    return AttachPrep(n, groups, eligible, area, core_min, tr, tc, first, lr, lc, lv)


def attach(
    components: list[sp.csr_array],
    cores: list[np.ndarray],
    tau: float,
    *,
    max_order: int | None = None,
    dominance: str = "strict",
    groups: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    banned: np.ndarray | None = None,
    denominator: np.ndarray | None = None,
    _prepared: AttachPrep | None = None,
) -> Attachment:
    """Attach zones to cores by the network-constraint rule.

    Parameters
    ----------
    components : list of csr
        Share components (see :mod:`.shares`).
    cores : list of int arrays
        Positions of the zones of each core (a polycentric core has several).
    tau : float
        A link counts when its share is ``>= tau`` (inclusive).
    max_order : int or None
        Highest attachment order (1 = only direct links to a core); None: until no change.
    dominance : {"strict", "targets"}
        Order 1 always picks the core with the largest (summed) share. At higher orders,
        ``"strict"`` also requires the zone joined through to be the attaching zone's largest
        destination overall (a multi-zone core counted as one destination); ``"targets"``
        only compares the eligible attached zones.
    groups : int array, optional
        Zones may only attach to cores of their own group (e.g. their metropolitan area).
    eligible : bool array, optional
        Zones allowed to attach and to be attached through; others are left out.
    banned : int64 array, optional
        Forbidden (zone, core) pairs encoded as ``zone * n_cores + core``.
    denominator : array, optional
        Supply denominators; zones with zero get the reason "no flows".
    _prepared : AttachPrep, optional
        What does not depend on ``banned``, ``max_order`` or ``denominator``, from
        :func:`prepare_attach` with the same arguments (a run repeated with more bans, as
        :func:`attach_contiguous` does, prepares once).
    """
    prep = (
        _prepared
        if _prepared is not None
        else prepare_attach(
            components, cores, tau, dominance=dominance, groups=groups, eligible=eligible
        )
    )
    n, k = prep.n, len(cores)
    groups, eligible = prep.groups, prep.eligible
    area = prep.area0.copy()
    order = np.where(area >= 0, 0, -1).astype(np.int64)
    share = np.full(n, np.nan)
    via = np.full(n, -1, dtype=np.int64)
    core_min = prep.core_min
    banned = np.zeros(0, np.int64) if banned is None else np.asarray(banned, np.int64)
    # ---- order 1: summed share to each core
    if k:
        rr, cc, vv = prep.first
        if len(banned):
            keep = ~np.isin(rr * k + cc, banned)
            rr, cc, vv = rr[keep], cc[keep], vv[keep]
        r, c, v = row_best(rr, cc, vv, core_min)
        area[r] = c
        order[r] = 1
        share[r] = v
        via[r] = core_min[c]
    # ---- higher orders: through a single attached zone (links of unattached zones only)
    o = 1
    lr, lc, lv = prep.lr, prep.lc, prep.lv
    live = area[lr] < 0
    lr, lc, lv = lr[live], lc[live], lv[live]
    tiebreak = np.arange(n)
    while max_order is None or o < max_order:
        o += 1
        ok = np.flatnonzero(area[lc] >= 0)
        if len(banned):
            ok = ok[~np.isin(lr[ok] * k + area[lc[ok]], banned)]
        if not len(ok):
            break
        r, c, v = row_best(lr[ok], lc[ok], lv[ok], tiebreak)
        area[r] = area[c]
        order[r] = o
        share[r] = v
        via[r] = c
        live = area[lr] < 0
        lr, lc, lv = lr[live], lc[live], lv[live]
    tr, tc = prep.tr, prep.tc

    role = np.where(order == 0, "centre", np.where(area >= 0, "member", "unassigned")).astype(
        object
    )
    reason = np.full(n, None, dtype=object)
    un = area < 0
    if un.any():
        reason[un] = BELOW
        # a strong link to an attached zone that the rules did not allow: say which rule
        any_strong = (area[tc] >= 0) & un[tr]
        linked = np.zeros(n, bool)
        linked[tr[any_strong]] = True
        other_group = np.zeros(n, bool)
        cross = any_strong & (groups[tr] != groups[tc])
        other_group[tr[cross]] = True
        same = any_strong & ~cross
        same_group = np.zeros(n, bool)
        same_group[tr[same]] = True
        reason[linked & other_group & ~same_group] = OTHER_GROUP
        if dominance == "strict":
            reason[linked & same_group] = NOT_DOMINANT
        if max_order is not None:
            # would the next round attach it?
            ok = (area[prep.lr] < 0) & (area[prep.lc] >= 0)
            capped = np.zeros(n, bool)
            capped[prep.lr[ok]] = True
            reason[capped & un] = ORDER_CAP
        if denominator is not None:
            reason[un & (np.asarray(denominator) <= 0)] = NO_FLOWS
        reason[un & ~eligible] = EXCLUDED
    return Attachment(area, order, share, via, role, reason, np.zeros(n, bool))


def stand_in_links(
    area: np.ndarray, order: np.ndarray, via: np.ndarray, missing: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Links that stand in for the unknown borders of zones without a polygon.

    Where such a zone lies is unknown, so it may not cut its area in two: for the one-piece
    test it is linked to the zones it is tied to by commuting within its area — the zone it
    joined through, the members that joined through it, and, for a centre, every first-order
    member of its area (they joined the core as a whole). Returns (rows, cols) positions.
    """
    n = len(area)
    y = np.flatnonzero((area >= 0) & (via >= 0))
    v = via[y]
    tied = (missing[y] | missing[v]) & (area[v] == area[y])
    rows, cols = [y[tied]], [v[tied]]
    centres = np.flatnonzero(missing & (order == 0) & (area >= 0))
    if len(centres):
        centre_of = np.full(int(area.max()) + 1, -1, np.int64)
        centre_of[area[centres]] = centres
        first = np.flatnonzero((order == 1) & (area >= 0))
        c = centre_of[area[first]]
        rows.append(first[c >= 0])
        cols.append(c[c >= 0])
    r, c = np.concatenate(rows), np.concatenate(cols)
    keep = (r >= 0) & (r < n) & (c >= 0) & (c < n)
    return r[keep], c[keep]


def detached(
    area: np.ndarray,
    order: np.ndarray,
    adjacency: sp.csr_array,
    exempt: np.ndarray,
    *,
    missing: np.ndarray | None = None,
    via: np.ndarray | None = None,
) -> np.ndarray:
    """Members not connected to their core through zones of their own area.

    Vectorised: one connected-components pass over the adjacency restricted to links inside
    an area; a component that holds a centre is kept, others are detached. ``exempt`` zones
    (islands with no land neighbour, zones without a polygon) are never detached.
    ``missing`` marks the zones without a polygon: with ``via`` (the position each member
    joined through), they are linked to the zones they are tied to by commuting (see
    :func:`stand_in_links`), so a zone without a polygon, a centre above all, never detaches
    the members around it.
    """
    adj = adjacency.tocoo()
    rows, cols = adj.row, adj.col
    if missing is not None and via is not None and np.any(missing):
        r, c = stand_in_links(
            area, np.asarray(order), np.asarray(via, np.int64), np.asarray(missing, bool)
        )
        rows, cols = np.concatenate([rows, r, c]), np.concatenate([cols, c, r])
    same = (area[rows] >= 0) & (area[rows] == area[cols])
    n = len(area)
    inner = sp.csr_array((np.ones(int(same.sum())), (rows[same], cols[same])), shape=(n, n))
    _, comp = connected_components(inner, directed=False)
    core_comp = np.zeros(comp.max() + 1 if n else 0, bool)
    core_comp[comp[order == 0]] = True
    return (area >= 0) & (order != 0) & ~core_comp[comp] & ~exempt


def attach_contiguous(
    components,
    cores,
    tau,
    adjacency: sp.csr_array,
    *,
    exempt=None,
    exterior=None,
    absorb_enclaves: bool = True,
    missing=None,
    **kwargs,
) -> Attachment:
    """:func:`attach` with contiguity: absorb enclaves, release members not connected to
    their core, let them attach elsewhere (never to an area that released them), and repeat
    until stable.

    ``exterior`` marks zones on the outer edge of the study region (coast, border): a group of
    unassigned zones that touches it is not enclosed and is never absorbed. ``missing`` marks
    zones without a polygon: they touch nothing, are never released, and never detach the
    members tied to them (see :func:`detached`). ``memo`` (a dict), given by a caller that
    runs again with other cores over the same shares, keeps what does not depend on them."""
    n = components[0].shape[0]
    k = len(cores)
    exempt = np.zeros(n, bool) if exempt is None else exempt
    banned = np.asarray(kwargs.pop("banned", np.zeros(0, np.int64)), np.int64)
    memo = kwargs.pop("memo", None)
    adjacency = adjacency.tocoo()  # once: absorb and detached read it as pairs
    ever = np.zeros(n, bool)
    prep = prepare_attach(
        components,
        cores,
        tau,
        memo=memo,
        **{x: kwargs[x] for x in ("dominance", "groups", "eligible") if x in kwargs},
    )
    for _ in range(n + 1):
        res = attach(components, cores, tau, banned=banned, _prepared=prep, **kwargs)
        if absorb_enclaves:
            # enclosed zones belong to the area around them, and may be what connects it
            # (e.g. a city's business districts around the centre, which send few commuters)
            absorb(res, adjacency, kwargs.get("groups"), cores, kwargs.get("eligible"), exterior)
        gone = detached(res.area, res.order, adjacency, exempt, missing=missing, via=res.via)
        if not gone.any():
            break
        ever |= gone
        pairs = np.flatnonzero(gone) * k + res.area[gone]
        banned = np.union1d(banned, pairs)
    res.released = ever
    still = ever & (res.area < 0)
    res.reason[still] = DETACHED
    return res


def absorb(
    res: Attachment, adjacency: sp.csr_array, groups, cores, eligible=None, exterior=None
) -> None:
    """Unassigned zones (or connected groups of them) whose every neighbour belongs to one
    area join it, unless the group touches the outer edge of the region (``exterior``)."""
    n = len(res.area)
    un = res.area < 0
    if eligible is not None:
        un &= eligible
    if not un.any():
        return
    adj = adjacency.tocoo()
    both = un[adj.row] & un[adj.col]
    inner = sp.csr_array((np.ones(int(both.sum())), (adj.row[both], adj.col[both])), shape=(n, n))
    _, comp = connected_components(inner, directed=False)
    edge = un[adj.row] & ~un[adj.col]
    c_of = comp[adj.row[edge]]
    a_of = res.area[adj.col[edge]]
    if len(c_of) == 0:
        return
    pairs = np.unique(np.stack([c_of, a_of], axis=1), axis=0)
    comps, counts = np.unique(pairs[:, 0], return_counts=True)
    single = np.isin(pairs[:, 0], comps[counts == 1])
    target = np.full(comp.max() + 1, -1, np.int64)
    target[pairs[single, 0]] = pairs[single, 1]
    if exterior is not None and exterior.any():
        open_comp = np.zeros(len(target), bool)
        open_comp[comp[exterior & un]] = True
        target[open_comp] = -1
    z = np.flatnonzero(un)
    a = target[comp[z]]
    groups = np.zeros(n, np.int64) if groups is None else groups
    core_group = np.array([groups[c[0]] for c in cores], dtype=np.int64)
    ok = a >= 0
    ok[ok] = groups[z[ok]] == core_group[a[ok]]
    z, a = z[ok], a[ok]
    res.area[z] = a
    res.role[z] = "enclave"
    res.reason[z] = None


def find_centres(
    components,
    size: np.ndarray,
    tau: float,
    *,
    candidates: np.ndarray,
    min_size: float,
    job_ratio: np.ndarray | None = None,
    min_job_ratio: float | None = None,
    merge_tau: float | None = None,
    groups: np.ndarray | None = None,
    adjacency: sp.csr_array | None = None,
    min_zone_size: float | None = None,
    stats: dict | None = None,
) -> list[np.ndarray]:
    """Centres by rule; returns cores (arrays of zone positions).

    1. Candidate zones: allowed (``candidates``), ``job_ratio >= min_job_ratio``, and big
       enough: ``size >= min_size`` on their own, or, when an ``adjacency`` is given,
       ``size >= min_zone_size`` (default a tenth of ``min_size``). A zone of size 0 is
       never a centre (with ``min_size`` 0, e.g. a share of an all-zero table).
    2. With an adjacency, candidates tied at ``>= tau`` to a bigger candidate are dropped
       (suburbs), and touching candidates (of the same group) form one cluster: a city
       centre cut into several zones is one core. A cluster counts when its total size
       reaches ``min_size``.
    3. Clusters are visited by total size, largest first (ties by position). A cluster whose
       largest zone sends ``>= tau`` (summed over a core) to a core already accepted is tied
       to a bigger centre and is not a centre.
    4. Accepted cores whose largest zones are linked at ``>= merge_tau`` (either way) merge
       into one polycentric core.

    Cost: one connected-components pass and one sparse row per cluster.

    ``stats``, when given, is filled with what each step kept (plain ints), so that an empty
    result can be explained: ``candidates`` (zones allowed), ``big_enough`` (of those, with
    ``size >= min_size`` on their own), ``job_ratio_ok`` (of those, also with the job ratio),
    ``tied`` (clusters tied to a bigger centre), ``accepted`` and ``found`` (after merging).
    """
    n = len(size)
    groups = np.zeros(n, np.int64) if groups is None else groups
    candidates = candidates & (size > 0)  # a zone without jobs (or residents) leads nothing
    ok = candidates.copy()
    ratio_ok = np.ones(n, bool)
    if min_job_ratio is not None and job_ratio is not None:
        ratio_ok = job_ratio >= min_job_ratio
    if stats is not None:
        big = candidates & (size >= min_size)
        stats.update(
            candidates=int(candidates.sum()),
            big_enough=int(big.sum()),
            job_ratio_ok=int((big & ratio_ok).sum()),
            tied=0,
            accepted=0,
            found=0,
        )
    ok &= ratio_ok
    if adjacency is None:
        ok &= size >= min_size
        lab = np.arange(n)
    else:
        floor = 0.1 * min_size if min_zone_size is None else min_zone_size
        ok &= size >= floor
        # a candidate tied (share >= tau) to a bigger candidate is its suburb, not part of a
        # centre: coarse zones (a city next to the capital) stay apart, while the districts
        # of a city centre cut into small zones, which send little to any one zone, cluster
        for comp in components:
            comp = sp.csr_array(comp)
            rows = np.flatnonzero(ok)  # only the links of candidates can tie them
            pos = row_entries(comp.indptr, rows)
            r = np.repeat(rows, comp.indptr[rows + 1] - comp.indptr[rows])
            col = comp.indices[pos]
            tied = (
                ok[col]
                & (size[col] > size[r])
                & (comp.data[pos] >= tau)
                & (groups[r] == groups[col])
            )
            ok[r[tied]] = False
        adj = adjacency.tocoo()
        keep = ok[adj.row] & ok[adj.col] & (groups[adj.row] == groups[adj.col])
        inner = sp.csr_array(
            (np.ones(int(keep.sum())), (adj.row[keep], adj.col[keep])), shape=(n, n)
        )
        _, lab = connected_components(inner, directed=False)
    cand = np.flatnonzero(ok)
    if len(cand) == 0:
        return []
    c_lab, c_idx = np.unique(lab[cand], return_inverse=True)
    total = np.bincount(c_idx, weights=size[cand])
    first = np.full(len(c_lab), n, np.int64)
    np.minimum.at(first, c_idx, cand)
    # representative: the largest zone of each cluster (ties: smallest position)
    order_z = cand[np.lexsort((cand, -size[cand]))]
    rep = np.full(len(c_lab), -1, np.int64)
    zc = np.searchsorted(c_lab, lab[order_z])
    for z, c in zip(order_z[::-1], zc[::-1], strict=True):  # last write = largest zone
        rep[c] = z
    clusters = np.flatnonzero(total >= min_size)
    clusters = clusters[np.lexsort((first[clusters], -total[clusters]))]
    core_of = np.full(n, -1, np.int64)
    accepted: list[np.ndarray] = []
    reps: list[int] = []
    for c in clusters:
        z = rep[c]
        tied = False
        for comp in components:
            lo, hi = comp.indptr[z], comp.indptr[z + 1]
            idx, val = comp.indices[lo:hi], comp.data[lo:hi]
            hit = (core_of[idx] >= 0) & (groups[idx] == groups[z])
            if hit.any() and np.bincount(core_of[idx[hit]], weights=val[hit]).max() >= tau:
                tied = True
                break
        if not tied:
            members = np.sort(cand[c_idx == c])
            core_of[members] = len(accepted)
            accepted.append(members)
            reps.append(int(z))
        elif stats is not None:
            stats["tied"] += 1
    if stats is not None:
        stats["accepted"] = stats["found"] = len(accepted)
    if merge_tau is None or len(accepted) < 2:
        return accepted
    k = len(accepted)
    to_core = group_shares(components, membership(core_of, k))[np.array(reps)]
    link = sp.csr_array(to_core.maximum(to_core.T))
    link.data = (link.data >= merge_tau).astype(float)
    link.eliminate_zeros()
    link.setdiag(0)
    _, m_lab = connected_components(link, directed=False)
    if stats is not None:
        stats["found"] = int(m_lab.max()) + 1
    return [
        np.sort(np.concatenate([accepted[i] for i in range(k) if m_lab[i] == g]))
        for g in range(m_lab.max() + 1)
    ]
