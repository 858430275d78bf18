"""The numba kernel of ``_average_linkage``: the same merges as ``nn_chain_python``.

Imported only when numba is there (``_average_linkage.use_numba``). Each slot keeps its
neighbours in a region of one pool (``nbr``, ``dst``, ``stp``: neighbour slot, distance, the
neighbour's version when written). When a cluster changes (it survives a merge: its
version goes up) or disappears, the entries other slots hold for it go stale; they are
dropped when that slot's region is next scanned, or full. A region that stays full after
dropping moves to the end of the pool with twice the room; a full pool is repacked.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["label_jit", "nn_chain_jit"]


@numba.njit(cache=True)
def _compact(j, start, cnt, nbr, dst, stp, size, ver):
    s = start[j]
    w = s
    for e in range(s, s + cnt[j]):
        k = nbr[e]
        if size[k] > 0 and stp[e] == ver[k]:
            nbr[w] = k
            dst[w] = dst[e]
            stp[w] = stp[e]
            w += 1
    cnt[j] = w - s


@numba.njit(cache=True)
def _repack(n, extra, start, cnt, cap, nbr, dst, stp, size, ver):
    total = 0
    for j in range(n):
        if size[j] > 0:
            _compact(j, start, cnt, nbr, dst, stp, size, ver)
            total += 2 * cnt[j] + 4
    length = max(2 * total, total + 2 * extra)
    nbr2 = np.empty(length, np.int32)
    dst2 = np.empty(length, np.float64)
    stp2 = np.empty(length, np.int32)
    top = 0
    for j in range(n):
        s = start[j]
        c = cnt[j] if size[j] > 0 else 0
        for t in range(c):
            nbr2[top + t] = nbr[s + t]
            dst2[top + t] = dst[s + t]
            stp2[top + t] = stp[s + t]
        start[j] = top
        cnt[j] = c
        cap[j] = 2 * c + 4 if size[j] > 0 else 0
        top += cap[j]
    return nbr2, dst2, stp2, top


@numba.njit(cache=True)
def nn_chain_jit(n, rows, cols, dist, pool):
    """Scipy's ``nn_chain`` (average) over the pairs ``(rows, cols)`` at ``dist`` (the others
    at 1.0; pairs given at 1.0 are skipped).

    ``pool`` is the initial pool length, in multiples of the room first given (>= 1; a
    smaller pool repacks sooner). Returns the merged slots ``x < y`` (the cluster lives on
    in ``y``) and the heights, in merge order (unsorted), and the number of repacks.
    """
    size = np.ones(n, np.int64)
    ver = np.zeros(n, np.int32)
    start = np.empty(n, np.int64)
    cnt = np.zeros(n, np.int64)
    cap = np.empty(n, np.int64)
    for e in range(rows.shape[0]):
        if dist[e] != 1.0:
            cnt[rows[e]] += 1
            cnt[cols[e]] += 1
    top = 0
    for i in range(n):
        d = cnt[i]
        start[i] = top
        cap[i] = d + d // 2 + 4
        top += cap[i]
        cnt[i] = 0
    length = max(int(pool * top), top)
    nbr = np.empty(length, np.int32)  # empty, not zeros: pages never used stay unmapped
    dst = np.empty(length, np.float64)
    stp = np.empty(length, np.int32)
    for e in range(rows.shape[0]):
        if dist[e] != 1.0:
            a = rows[e]
            b = cols[e]
            s = start[a] + cnt[a]
            nbr[s] = b
            dst[s] = dist[e]
            stp[s] = 0
            cnt[a] += 1
            s = start[b] + cnt[b]
            nbr[s] = a
            dst[s] = dist[e]
            stp[s] = 0
            cnt[b] += 1
    nxt = np.arange(1, n + 1)
    prv = np.arange(-1, n - 1)
    head = 0
    chain = np.empty(n, np.int64)
    clen = 0
    zx = np.empty(n - 1, np.int64)
    zy = np.empty(n - 1, np.int64)
    zh = np.empty(n - 1, np.float64)
    repacks = 0
    mark = np.full(n, -1, np.int64)
    tmpd = np.empty(n, np.float64)
    bj = np.empty(n, np.int64)
    bd = np.empty(n, np.float64)
    x = 0
    y = 0
    current = 1.0
    for k in range(n - 1):
        if clen == 0:
            chain[0] = head
            clen = 1
        while True:
            x = chain[clen - 1]
            prev = chain[clen - 2] if clen > 1 else -1
            # scan x's neighbours, dropping stale entries
            s = start[x]
            w = s
            best = 2.0
            bestj = -1
            dprev = 1.0
            for e in range(s, s + cnt[x]):
                j = nbr[e]
                if size[j] > 0 and stp[e] == ver[j]:
                    d = dst[e]
                    nbr[w] = j
                    dst[w] = d
                    stp[w] = stp[e]
                    w += 1
                    if d < best or (d == best and j < bestj):
                        best = d
                        bestj = j
                    if j == prev:
                        dprev = d
            cnt[x] = w - s
            if clen > 1:
                if best < dprev:
                    y = bestj
                    current = best
                else:
                    y = prev
                    current = dprev
                    break
            elif best < 1.0:
                y = bestj
                current = best
            else:  # every active slot at 1.0: the smallest but x
                y = head if head != x else nxt[head]
                current = 1.0
            chain[clen] = y
            clen += 1
        clen -= 2
        if x > y:
            x, y = y, x
        nx = size[x]
        ny = size[y]
        zx[k] = x
        zy[k] = y
        zh[k] = current
        # x's distances, then the new ones of y (scipy's average update, absent = 1.0)
        s = start[x]
        for e in range(s, s + cnt[x]):
            j = nbr[e]
            if j != y and size[j] > 0 and stp[e] == ver[j]:
                mark[j] = k
                tmpd[j] = dst[e]
        size[x] = 0
        cnt_x = cnt[x]
        cnt[x] = 0
        if prv[x] >= 0:
            nxt[prv[x]] = nxt[x]
        else:
            head = nxt[x]
        if nxt[x] < n:
            prv[nxt[x]] = prv[x]
        total = nx + ny
        m = 0
        s = start[y]
        for e in range(s, s + cnt[y]):
            j = nbr[e]
            if size[j] > 0 and stp[e] == ver[j]:
                dyj = dst[e]
                if mark[j] == k:
                    dxj = tmpd[j]
                    mark[j] = -1
                else:
                    dxj = 1.0
                v = (nx * dxj + ny * dyj) / total
                if v != 1.0:
                    bj[m] = j
                    bd[m] = v
                    m += 1
        s = start[x]
        for e in range(s, s + cnt_x):
            j = nbr[e]
            if mark[j] == k:  # a neighbour of x only
                mark[j] = -1
                v = (nx * tmpd[j] + ny * 1.0) / total
                if v != 1.0:
                    bj[m] = j
                    bd[m] = v
                    m += 1
        size[y] = total
        ver[y] += 1
        cnt[y] = 0
        if m > cap[y] and cap[x] >= m:  # x's room is free now: y takes it
            start[x], start[y] = start[y], start[x]
            cap[x], cap[y] = cap[y], cap[x]
        elif m > cap[y]:
            need = 2 * m + 4
            if top + need > nbr.shape[0]:
                nbr, dst, stp, top = _repack(n, need, start, cnt, cap, nbr, dst, stp, size, ver)
                repacks += 1
            start[y] = top
            cap[y] = need
            top += need
        s = start[y]
        for t in range(m):
            j = bj[t]
            nbr[s + t] = j
            dst[s + t] = bd[t]
            stp[s + t] = ver[j]
        cnt[y] = m
        vy = ver[y]
        for t in range(m):
            j = bj[t]
            if cnt[j] == cap[j]:
                _compact(j, start, cnt, nbr, dst, stp, size, ver)
                if 2 * cnt[j] > cap[j]:
                    need = 2 * cap[j] + 4
                    if top + need > nbr.shape[0]:
                        nbr, dst, stp, top = _repack(
                            n, need, start, cnt, cap, nbr, dst, stp, size, ver
                        )
                        repacks += 1
                    else:
                        s = start[j]
                        for e in range(cnt[j]):
                            nbr[top + e] = nbr[s + e]
                            dst[top + e] = dst[s + e]
                            stp[top + e] = stp[s + e]
                        start[j] = top
                        cap[j] = need
                        top += need
            e = start[j] + cnt[j]
            nbr[e] = y
            dst[e] = bd[t]
            stp[e] = vy
            cnt[j] += 1
    return zx, zy, zh, repacks


@numba.njit(cache=True)
def _find(parent, x):
    p = x
    while parent[x] != x:
        x = parent[x]
    while parent[p] != x:
        q = parent[p]
        parent[p] = x
        p = q
    return x


@numba.njit(cache=True)
def label_jit(zx, zy, n):
    """Scipy's ``label`` over the merges sorted by height (as ``_average_linkage.label``)."""
    m = zx.shape[0]
    parent = np.arange(2 * n - 1)
    sizes = np.ones(2 * n - 1, np.int64)
    out0 = np.empty(m, np.int64)
    out1 = np.empty(m, np.int64)
    out3 = np.empty(m, np.int64)
    next_label = n
    for i in range(m):
        a = _find(parent, zx[i])
        b = _find(parent, zy[i])
        if a < b:
            out0[i] = a
            out1[i] = b
        else:
            out0[i] = b
            out1[i] = a
        parent[a] = next_label
        parent[b] = next_label
        sizes[next_label] = sizes[a] + sizes[b]
        out3[i] = sizes[next_label]
        next_label += 1
    return out0, out1, out3
