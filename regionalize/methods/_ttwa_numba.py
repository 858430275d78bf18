"""numba kernels of the TTWA engine (the optional extra ``fast``).

Each kernel does, with compiled loops, exactly what its twin in :mod:`._ttwa_kernels` does
with numpy: the same additions in the same order (a weighted ``bincount`` adds in input
order, an array ``sum`` pairwise as :func:`psum`), the same comparisons. No fast-math, and
``error_model="numpy"`` (a division by zero gives inf or nan, as in numpy).

The engine imports this module only when numba is enabled
(:func:`regionalize._jit.numba_enabled`); without numba it still imports, its functions
left as plain Python (so that collecting the package's doctests needs no numba).
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - without the extra "fast"
    numba = None  # type: ignore[assignment]

__all__ = ["psum", "detach_choose", "order_zone", "stale_range"]

_jit = numba.njit(cache=True, error_model="numpy") if numba is not None else (lambda fn: fn)


@_jit
def _block(x, lo, n):
    """The pairwise sum numpy does of ``x[lo:lo + n]`` for ``n <= 128``: fewer than 8 values one
    after the other, else 8 interleaved partial sums, combined, then the remainder."""
    if n < 8:
        s = 0.0
        for i in range(lo, lo + n):
            s += x[i]
        return s
    r0, r1, r2, r3 = x[lo], x[lo + 1], x[lo + 2], x[lo + 3]
    r4, r5, r6, r7 = x[lo + 4], x[lo + 5], x[lo + 6], x[lo + 7]
    end = n - n % 8
    i = 8
    while i < end:
        r0 += x[lo + i]
        r1 += x[lo + i + 1]
        r2 += x[lo + i + 2]
        r3 += x[lo + i + 3]
        r4 += x[lo + i + 4]
        r5 += x[lo + i + 5]
        r6 += x[lo + i + 6]
        r7 += x[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[lo + i]
        i += 1
    return res


@_jit
def psum(x, lo, n):
    """The pairwise sum numpy does of ``x[lo:lo + n]`` (its ``pairwise_sum``, ``loops_utils.h``):
    more than 128 values are split in two halves, the first a multiple of 8, and the two
    sums added. Written without recursion (a cached recursive numba function crashes)."""
    if n <= 128:
        return _block(x, lo, n)
    los = np.empty(130, np.int64)  # the pending halves: start, length, state, left sum
    ns = np.empty(130, np.int64)
    st = np.zeros(130, np.int64)  # 0: not split yet, 1: left half pending, 2: right half
    left = np.empty(130)
    top = 0
    los[0], ns[0] = lo, n
    while True:
        if st[top] == 0 and ns[top] > 128:
            n2 = ns[top] // 2
            n2 -= n2 % 8
            st[top] = 1
            top += 1
            los[top], ns[top], st[top] = los[top - 1], n2, 0
            continue
        v = _block(x, los[top], ns[top])
        top -= 1
        while top >= 0:
            if st[top] == 1:  # a left half done: keep it, do the right half
                left[top] = v
                st[top] = 2
                n2 = ns[top] // 2
                n2 -= n2 % 8
                top += 1
                los[top], ns[top], st[top] = los[top - 1] + n2, ns[top - 1] - n2, 0
                break
            v = left[top] + v  # a right half done
            top -= 1
        if top < 0:
            return v


@_jit
def detach_choose(
    z, exclude, ptr, ind, dat, tptr, tind, tdat, label, rid, d, rz, wz, rc, wc, cc, aptr, aind,
    mark, cslot, cout, cin, buf,
):  # fmt: skip
    """Detach zone ``z`` and choose its most cohesive cluster: (old slot, slot or -1, flow
    z -> slot, flow slot -> z). ``mark`` is -1 everywhere on entry and on exit."""
    a = label[z]
    label[z] = 1
    p0, p1, q0, q1 = ptr[z], ptr[z + 1], tptr[z], tptr[z + 1]
    if a != 0:
        k = 0
        for p in range(p0, p1):
            if label[ind[p]] == a:
                buf[k] = dat[p]
                k += 1
        s_out = psum(buf, 0, k)
        k = 0
        for q in range(q0, q1):
            if label[tind[q]] == a:
                buf[k] = tdat[q]
                k += 1
        s_in = psum(buf, 0, k)
        cc[a] -= d[z] + s_out + s_in
        rc[a] -= rz[z]
        wc[a] -= wz[z]
    n = 0
    for p in range(p0, p1):
        x = label[ind[p]]
        if x != exclude and rid[x] > 0:
            i = mark[x]
            if i < 0:
                i = n
                mark[x] = n
                cslot[n] = x
                cout[n] = 0.0
                cin[n] = 0.0
                n += 1
            cout[i] += dat[p]
    for q in range(q0, q1):
        x = label[tind[q]]
        if x != exclude and rid[x] > 0:
            i = mark[x]
            if i < 0:
                i = n
                mark[x] = n
                cslot[n] = x
                cout[n] = 0.0
                cin[n] = 0.0
                n += 1
            cin[i] += tdat[q]
    for i in range(n):
        mark[cslot[i]] = -1
    if n == 0:
        return a, -1, 0.0, 0.0
    if len(aptr) > 0 and aptr[z + 1] > aptr[z]:  # contiguity: a neighbour in the cluster
        for s in range(aptr[z], aptr[z + 1]):
            mark[label[aind[s]]] = -2
        k = 0
        for i in range(n):
            if mark[cslot[i]] == -2:
                cslot[k], cout[k], cin[k] = cslot[i], cout[i], cin[i]
                k += 1
        for s in range(aptr[z], aptr[z + 1]):
            mark[label[aind[s]]] = -1
        n = k
        if n == 0:
            return a, -1, 0.0, 0.0
    if n == 1:
        return a, cslot[0], cout[0], cin[0]
    rzz, wzz = rz[z], wz[z]
    best = -1
    bs = 0.0
    bz = False
    br = 0
    for i in range(n):
        b = cslot[i]
        co, ci = cout[i], cin[i]
        s_in = ci / rc[b] * ci / wzz if ci > 0 else 0.0
        s_out = co / rzz * co / wc[b] if co > 0 else 0.0
        s = s_in + s_out
        zf = ci == 0
        if best < 0 or s > bs or (s == bs and (zf > bz or (zf == bz and rid[b] > br))):
            best, bs, bz, br = i, s, zf, rid[b]
    return a, cslot[best], cout[best], cin[best]


@_jit
def order_zone(a, zones, tptr, tind, tdat, label, rz, d):
    """The zone of cluster ``a`` (members ``zones``, sorted) that leaves."""
    best = -1
    best_key = 0.0
    for y in zones:
        inflow = 0.0
        for q in range(tptr[y], tptr[y + 1]):
            if label[tind[q]] != a:
                inflow += tdat[q]
        key = (inflow + rz[y]) - d[y]
        if best < 0 or key > best_key:
            best, best_key = y, key
    return best


@_jit
def _validity_msc(r, msc, tsz, den, k1, k2, tsc):
    y = msc / tsc
    if y > 1:
        y = 1.0
    size = (tsz - r) / den
    if size < 0:
        size = 0.0
    v = y * (1 - (k1 * size)) * k2
    if msc == 1:
        v = 1.0
    return v


@_jit
def stale_range(a, zones, ptr, ind, dat, label, rz, wz, consts):
    """Min and max of the unaggregated validity rows of cluster ``a`` (members ``zones``);
    ``consts``: minSZ, minSC, tarSZ, tarSC, tarSZ - minSZ, 1 - minSC / tarSC, tarSC / minSC."""
    tsz, tsc, den, k1, k2 = consts[2], consts[3], consts[4], consts[5], consts[6]
    total = 0
    for y in zones:
        total += ptr[y + 1] - ptr[y]
    buf = np.empty(total)
    k = 0
    for y in zones:
        for p in range(ptr[y], ptr[y + 1]):
            if label[ind[p]] == a:
                buf[k] = dat[p]
                k += 1
    lo = np.inf
    hi = -np.inf
    if k == 0:
        for y in zones:
            v = _validity_msc(rz[y], 0.0, tsz, den, k1, k2, tsc)
            lo = min(lo, v)
            hi = max(hi, v)
        return lo, hi
    f0 = buf[0]
    f1 = buf[0]
    for i in range(1, k):
        f0 = min(f0, buf[i])
        f1 = max(f1, buf[i])
    for y in zones:
        r, w = rz[y], wz[y]
        special = False
        if r == w:
            for i in range(k):
                if buf[i] == r:
                    special = True
                    break
        if special:
            for i in range(k):
                x = buf[i]
                v = _validity_msc(r, min(x / r, x / w), tsz, den, k1, k2, tsc)
                lo = min(lo, v)
                hi = max(hi, v)
        else:
            e0 = _validity_msc(r, min(f0 / r, f0 / w), tsz, den, k1, k2, tsc)
            e1 = _validity_msc(r, min(f1 / r, f1 / w), tsz, den, k1, k2, tsc)
            lo = min(lo, min(e0, e1))
            hi = max(hi, max(e0, e1))
    return lo, hi
