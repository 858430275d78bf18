"""The Intramax merge loop compiled with numba (imported only when numba is enabled).

The same algorithm as the pure-Python engine of :mod:`regionalize.methods.intramax`, on
arrays: one record per unordered pair of clusters that interact or (under contiguity) are
adjacent, found through an open-addressing hash table keyed by the two slots, and threaded
into one linked list per cluster (a merge relabels or folds the records of the smaller
cluster, as the Python engine folds the smaller dictionary); a 4-ary heap of
``(-objective, reps, slots, versions)`` entries (4 int64 each, the first read as float64)
with lazy deletion. Every float is computed by the same operations on the same operands as
the Python engine (sums of two terms, commutative), the heap orders entries by the same
tuples (unique, so any heap pops them in the same order), the larger cluster survives by the
same rule (number of interacting neighbours), and the ``queued`` set of the Python engine
becomes the versions stored in each record at its last push: the merge sequence is the same
bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["merges"]

_GOLDEN = np.uint64(11400714819323198485)


@numba.njit(cache=True, inline="always")
def _home(lo, hi, n, shift):
    key = np.uint64(lo * n + hi)
    return np.int64((key * _GOLDEN) >> np.uint64(shift))


@numba.njit(cache=True, inline="always")
def _find_rec(tab, ends, a, b, n, shift, mask):
    """(record, table position) of the pair of slots a, b, or (-1, empty position)."""
    a, b = np.int64(a), np.int64(b)
    lo, hi = (a, b) if a < b else (b, a)
    i = _home(lo, hi, n, shift)
    while True:
        r = tab[i]
        if r == -1:
            return -1, i
        e0, e1 = ends[r, 0], ends[r, 1]
        if (e0 == lo and e1 == hi) or (e0 == hi and e1 == lo):
            return r, i
        i = (i + 1) & mask


@numba.njit(cache=True)
def _insert(tab, ends, r, n, shift, mask):
    a, b = np.int64(ends[r, 0]), np.int64(ends[r, 1])
    lo, hi = (a, b) if a < b else (b, a)
    i = _home(lo, hi, n, shift)
    while tab[i] != -1:
        i = (i + 1) & mask
    tab[i] = r


@numba.njit(cache=True)
def _delete(tab, ends, pos, n, shift, mask):
    """Remove the entry at ``pos`` (linear probing, backward shift: no tombstones)."""
    i = pos
    tab[i] = -1
    j = i
    while True:
        j = (j + 1) & mask
        r = tab[j]
        if r == -1:
            return
        a, b = np.int64(ends[r, 0]), np.int64(ends[r, 1])
        lo, hi = (a, b) if a < b else (b, a)
        k = _home(lo, hi, n, shift)
        # leave r where it is when its home lies cyclically in (i, j]
        if i <= j:
            stay = i < k <= j
        else:
            stay = k > i or k <= j
        if not stay:
            tab[i] = r
            tab[j] = -1
            i = j


@numba.njit(cache=True, inline="always")
def _less(o1, r1, s1, v1, o2, r2, s2, v2):
    if o1 != o2:
        return o1 < o2
    if r1 != r2:
        return r1 < r2
    if s1 != s2:
        return s1 < s2
    return v1 < v2


@numba.njit(cache=True)
def _sift_down(hk, hf, size, i):
    """Restore the 4-ary heap below position ``i`` (entries are 4 int64: the first read as
    float64 through ``hf``)."""
    o, r, s, v = hf[4 * i], hk[4 * i + 1], hk[4 * i + 2], hk[4 * i + 3]
    while True:
        c = 4 * i + 1
        if c >= size:
            break
        best = c
        bo, br, bs, bv = hf[4 * c], hk[4 * c + 1], hk[4 * c + 2], hk[4 * c + 3]
        for d in range(c + 1, min(c + 4, size)):
            do, dr, ds, dv = hf[4 * d], hk[4 * d + 1], hk[4 * d + 2], hk[4 * d + 3]
            if _less(do, dr, ds, dv, bo, br, bs, bv):
                best, bo, br, bs, bv = d, do, dr, ds, dv
        if _less(bo, br, bs, bv, o, r, s, v):
            hf[4 * i], hk[4 * i + 1], hk[4 * i + 2], hk[4 * i + 3] = bo, br, bs, bv
            i = best
        else:
            break
    hf[4 * i], hk[4 * i + 1], hk[4 * i + 2], hk[4 * i + 3] = o, r, s, v


@numba.njit(cache=True)
def _pop(hk, hf, size):
    """Remove the top entry of a heap of ``size`` entries; returns it."""
    o, r, s, v = hf[0], hk[1], hk[2], hk[3]
    last = size - 1
    if last > 0:
        hk[0:4] = hk[4 * last : 4 * last + 4]
        _sift_down(hk, hf, last, 0)
    return o, r, s, v


@numba.njit(cache=True)
def _push(hk, hf, size, o, r, s, v):
    """Push one entry (the heap holds ``size`` entries); returns the arrays, grown if full."""
    if 4 * size == len(hk):
        hk2 = np.empty(2 * len(hk) + 64, np.int64)
        hk2[: 4 * size] = hk[: 4 * size]
        hk = hk2
        hf = hk.view(np.float64)
    i = size
    while i > 0:
        p = (i - 1) >> 2
        if _less(o, r, s, v, hf[4 * p], hk[4 * p + 1], hk[4 * p + 2], hk[4 * p + 3]):
            hk[4 * i : 4 * i + 4] = hk[4 * p : 4 * p + 4]
            i = p
        else:
            break
    hf[4 * i], hk[4 * i + 1], hk[4 * i + 2], hk[4 * i + 3] = o, r, s, v
    return hk, hf


@numba.njit(cache=True, inline="always")
def _objective(tout, ends, r, x, y, out_tot, in_tot):
    """The objective of clusters x (the smaller representative) and y, record r."""
    sx = 0 if ends[r, 0] == x else 1
    txy = tout[r, sx]
    tyx = tout[r, 1 - sx]
    val = 0.0
    if txy != 0.0:
        val += txy / (out_tot[x] * in_tot[y])
    if tyx != 0.0:
        val += tyx / (out_tot[y] * in_tot[x])
    return val


@numba.njit(cache=True)
def merges(n, rows, cols, flows, adj_ptr, adj_idx, use_adj, out_tot, in_tot, n_clusters):
    """The merge sequence: ``(pairs (m, 2) int64, values (m, 3) float64)``, values as
    ``(objective of the scaled flows, size, clusters left)``.

    ``rows, cols, flows``: the off-diagonal non-zero flows in the Python engine's order;
    ``adj_ptr, adj_idx``: CSR contiguity (used when ``use_adj``); ``out_tot, in_tot``: the
    scaled totals (modified in place).
    """
    max_rec = len(rows) + (len(adj_idx) if use_adj else 0) + 1
    bits = 1
    while (1 << bits) < 2 * max_rec:
        bits += 1
    cap = 1 << bits
    mask = cap - 1
    shift = 64 - bits
    tab = np.full(cap, -1, np.int32)
    ends = np.empty((max_rec, 2), np.int32)
    nxt = np.empty((max_rec, 2), np.int32)
    tout = np.zeros((max_rec, 2), np.float64)
    qver = np.full((max_rec, 2), -1, np.int32)
    hasw = np.zeros(max_rec, np.bool_)
    isadj = np.zeros(max_rec, np.bool_)
    dead = np.zeros(max_rec, np.bool_)
    head = np.full(n, -1, np.int32)
    wdeg = np.zeros(n, np.int64)
    n_rec = 0

    # records of the interacting pairs, flows summed in the order given
    for k in range(len(rows)):
        i, j = rows[k], cols[k]
        r, pos = _find_rec(tab, ends, i, j, n, shift, mask)
        if r == -1:
            r = n_rec
            n_rec += 1
            ends[r, 0] = min(i, j)
            ends[r, 1] = max(i, j)
            tab[pos] = r
            nxt[r, 0] = head[ends[r, 0]]
            head[ends[r, 0]] = r
            nxt[r, 1] = head[ends[r, 1]]
            head[ends[r, 1]] = r
        if not hasw[r]:
            hasw[r] = True
            wdeg[i] += 1
            wdeg[j] += 1
        side = 0 if ends[r, 0] == i else 1
        tout[r, side] += flows[k]
    if use_adj:
        for i in range(n):
            for p in range(adj_ptr[i], adj_ptr[i + 1]):
                j = adj_idx[p]
                if j == i:
                    continue
                r, pos = _find_rec(tab, ends, i, j, n, shift, mask)
                if r == -1:
                    r = n_rec
                    n_rec += 1
                    ends[r, 0] = min(i, j)
                    ends[r, 1] = max(i, j)
                    tab[pos] = r
                    nxt[r, 0] = head[ends[r, 0]]
                    head[ends[r, 0]] = r
                    nxt[r, 1] = head[ends[r, 1]]
                    head[ends[r, 1]] = r
                isadj[r] = True

    # the initial heap: every interacting (and adjacent) pair, reps = slots, versions 0
    size = 0
    for r in range(n_rec):
        if hasw[r] and (isadj[r] or not use_adj):
            size += 1
    hk = np.empty(4 * max(size + size // 4, 16), np.int64)
    hf = hk.view(np.float64)
    size = 0
    for r in range(n_rec):
        if hasw[r] and (isadj[r] or not use_adj):
            x, y = np.int64(ends[r, 0]), np.int64(ends[r, 1])
            hf[4 * size] = -_objective(tout, ends, r, x, y, out_tot, in_tot)
            hk[4 * size + 1] = (x << 32) | y
            hk[4 * size + 2] = (x << 32) | y
            hk[4 * size + 3] = 0
            size += 1
    for i in range((size - 2) // 4, -1, -1):
        _sift_down(hk, hf, size, i)

    rep = np.arange(n, dtype=np.int64)
    csize = np.ones(n, np.int64)
    ver = np.zeros(n, np.int64)
    alive = np.ones(n, np.bool_)
    parent = np.arange(n, dtype=np.int64)
    low = np.int64(0xFFFFFFFF)

    pairs = np.empty((max(n - 1, 0), 2), np.int64)
    vals = np.empty((max(n - 1, 0), 3), np.float64)
    n_merges = 0
    zbuf = np.empty(n, np.int64)
    to = np.empty(16, np.float64)
    tr = np.empty(16, np.int64)
    ts = np.empty(16, np.int64)
    tv = np.empty(16, np.int64)

    while size > 0:
        # pop the top entry
        eo, er, es, ev = _pop(hk, hf, size)
        size -= 1
        x, y = es >> 32, es & low
        if not (alive[x] and alive[y] and ver[x] == (ev >> 32) and ver[y] == (ev & low)):
            # stale: push the pair of the clusters now holding x and y, once per versions
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            while parent[y] != y:
                parent[y] = parent[parent[y]]
                y = parent[y]
            if x != y:
                if rep[x] > rep[y]:
                    x, y = y, x
                r, _pos = _find_rec(tab, ends, x, y, n, shift, mask)
                sx = 0 if ends[r, 0] == x else 1
                if not (qver[r, sx] == ver[x] and qver[r, 1 - sx] == ver[y]):
                    qver[r, sx] = ver[x]
                    qver[r, 1 - sx] = ver[y]
                    val = _objective(tout, ends, r, x, y, out_tot, in_tot)
                    hk, hf = _push(
                        hk,
                        hf,
                        size,
                        -val,
                        (rep[x] << 32) | rep[y],
                        (x << 32) | y,
                        (ver[x] << 32) | ver[y],
                    )
                    size += 1
            continue
        if size > 0 and hf[0] == eo:
            # exact tie: bring every entry with the same stored value up to date, then take
            # the smallest up-to-date entry and put the others back
            nt = 1
            to[0], tr[0], ts[0], tv[0] = eo, er, es, ev
            while size > 0 and hf[0] == eo:
                fo, fr, fs, fv = _pop(hk, hf, size)
                size -= 1
                fx, fy = fs >> 32, fs & low
                if alive[fx] and alive[fy] and ver[fx] == (fv >> 32) and ver[fy] == (fv & low):
                    if nt == len(to):
                        to2 = np.empty(2 * nt, np.float64)
                        tr2 = np.empty(2 * nt, np.int64)
                        ts2 = np.empty(2 * nt, np.int64)
                        tv2 = np.empty(2 * nt, np.int64)
                        to2[:nt] = to
                        tr2[:nt] = tr
                        ts2[:nt] = ts
                        tv2[:nt] = tv
                        to, tr, ts, tv = to2, tr2, ts2, tv2
                    to[nt], tr[nt], ts[nt], tv[nt] = fo, fr, fs, fv
                    nt += 1
                else:
                    while parent[fx] != fx:
                        parent[fx] = parent[parent[fx]]
                        fx = parent[fx]
                    while parent[fy] != fy:
                        parent[fy] = parent[parent[fy]]
                        fy = parent[fy]
                    if fx != fy:
                        if rep[fx] > rep[fy]:
                            fx, fy = fy, fx
                        r, _pos = _find_rec(tab, ends, fx, fy, n, shift, mask)
                        sx = 0 if ends[r, 0] == fx else 1
                        if not (qver[r, sx] == ver[fx] and qver[r, 1 - sx] == ver[fy]):
                            qver[r, sx] = ver[fx]
                            qver[r, 1 - sx] = ver[fy]
                            val = _objective(tout, ends, r, fx, fy, out_tot, in_tot)
                            hk, hf = _push(
                                hk,
                                hf,
                                size,
                                -val,
                                (rep[fx] << 32) | rep[fy],
                                (fx << 32) | fy,
                                (ver[fx] << 32) | ver[fy],
                            )
                            size += 1
            best = 0
            for t in range(1, nt):
                if _less(to[t], tr[t], ts[t], tv[t], to[best], tr[best], ts[best], tv[best]):
                    best = t
            for t in range(nt):
                if t != best:
                    hk, hf = _push(hk, hf, size, to[t], tr[t], ts[t], tv[t])
                    size += 1
            eo, er, es, ev = to[best], tr[best], ts[best], tv[best]
            x, y = es >> 32, es & low

        # merge x and y (x has the smaller representative)
        if wdeg[x] >= wdeg[y]:
            keep, gone = x, y
        else:
            keep, gone = y, x
        pairs[n_merges, 0] = rep[x]
        pairs[n_merges, 1] = rep[y]
        n_clusters -= 1
        vals[n_merges, 0] = -eo
        vals[n_merges, 1] = csize[x] + csize[y]
        vals[n_merges, 2] = n_clusters
        n_merges += 1
        r, pos = _find_rec(tab, ends, keep, gone, n, shift, mask)
        _delete(tab, ends, pos, n, shift, mask)
        dead[r] = True
        wdeg[keep] -= 1
        wdeg[gone] -= 1
        nz = 0
        r = head[gone]
        while r != -1:
            s = 0 if ends[r, 0] == gone else 1
            nr = nxt[r, s]
            if dead[r]:
                r = nr
                continue
            z = ends[r, 1 - s]
            hwg, adg = hasw[r], isadj[r]
            _rg, pos = _find_rec(tab, ends, gone, z, n, shift, mask)
            _delete(tab, ends, pos, n, shift, mask)
            rk, _pk = _find_rec(tab, ends, keep, z, n, shift, mask)
            if rk == -1:
                hwk, adk = False, False
                ends[r, s] = keep
                qver[r, s] = -1
                _insert(tab, ends, r, n, shift, mask)
                nxt[r, s] = head[keep]
                head[keep] = r
                if hwg:
                    wdeg[keep] += 1
            else:
                hwk, adk = hasw[rk], isadj[rk]
                sk = 0 if ends[rk, 0] == keep else 1
                if hwg:
                    if hwk:
                        tout[rk, sk] += tout[r, s]
                        tout[rk, 1 - sk] += tout[r, 1 - s]
                        wdeg[z] -= 1
                    else:
                        tout[rk, sk] = tout[r, s]
                        tout[rk, 1 - sk] = tout[r, 1 - s]
                        hasw[rk] = True
                        wdeg[keep] += 1
                if adg:
                    isadj[rk] = True
                dead[r] = True
            if use_adj:
                if (hwg or hwk) and (adg or adk):
                    in_keep = (not hwg) or hwk
                    covered = (adk and in_keep and not hwg) or (adg and hwg and not in_keep)
                    if not covered:
                        zbuf[nz] = z
                        nz += 1
            elif hwg and hwk:
                zbuf[nz] = z
                nz += 1
            r = nr
        head[gone] = -1
        wdeg[gone] = 0
        parent[gone] = keep
        alive[gone] = False
        rep[keep] = min(rep[keep], rep[gone])
        csize[keep] += csize[gone]
        out_tot[keep] += out_tot[gone]
        in_tot[keep] += in_tot[gone]
        ver[keep] += 1
        for t in range(nz):
            a, b = keep, zbuf[t]
            if rep[a] > rep[b]:
                a, b = b, a
            r, _pos = _find_rec(tab, ends, a, b, n, shift, mask)
            sa = 0 if ends[r, 0] == a else 1
            if qver[r, sa] == ver[a] and qver[r, 1 - sa] == ver[b]:
                continue
            qver[r, sa] = ver[a]
            qver[r, 1 - sa] = ver[b]
            val = _objective(tout, ends, r, a, b, out_tot, in_tot)
            hk, hf = _push(
                hk,
                hf,
                size,
                -val,
                (rep[a] << 32) | rep[b],
                (a << 32) | b,
                (ver[a] << 32) | ver[b],
            )
            size += 1
    return pairs[:n_merges].copy(), vals[:n_merges].copy()
