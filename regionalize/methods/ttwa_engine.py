"""The engine of the travel-to-work-area loop (Coombes & Bond 2008; Istat's findClusters).

:class:`Engine` runs the reference loop of :mod:`regionalize.methods.ttwa` on the flows
between the zones it processes: while some cluster is not valid, the least valid one gives up
a zone, which moves to its most cohesive cluster or to the reserve list; then the reserve list
is assigned. It keeps per-cluster residents, jobs and internal flow incrementally and looks up
only the row and column of the zone being moved. See the documentation of
:mod:`regionalize.methods.ttwa` for every choice point it follows.

The steps that read a zone's row and column (detach a zone and choose its cluster; pick the
zone a cluster gives up; the stale validity range) are kernels of :mod:`._ttwa_kernels`:
compiled with numba when it is installed, numpy otherwise, with the same results bit for bit.
The rest (the heap of clusters, the history, the reserve list) stays in Python, on Python
floats.
"""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp

from ..errors import RegionalizeError
from . import _ttwa_kernels

__all__ = ["Engine"]

_RESERVE, _DETACHED = 0, 1  # slot numbers; clusters use slots 2, 3, ...
_NONE: frozenset = frozenset()  # the members of a slot not used yet, or dissolved


class Engine:
    """The reference loop on the active zones, with per-cluster totals kept incrementally.

    ``use_numba`` (default: :data:`._ttwa_kernels.USE_NUMBA`: on large graphs) picks the
    compiled kernels when numba can be imported; the numpy ones give the same results."""

    def __init__(
        self,
        f: sp.csr_array,
        params,
        *,
        adj=None,
        quirks=True,
        initial=None,
        max_iter=None,
        use_numba: bool | None = None,
    ):
        m = f.shape[0]
        self.m = m
        f = sp.csr_array(f)
        f.sort_indices()
        t = sp.csr_array(f.T)
        t.sort_indices()
        self.ptr, self.ind, self.dat = (
            f.indptr.astype(np.int64),
            f.indices.astype(np.int64),
            np.asarray(f.data, float),
        )
        self.tptr, self.tind, self.tdat = (
            t.indptr.astype(np.int64),
            t.indices.astype(np.int64),
            np.asarray(t.data, float),
        )
        self.d = f.diagonal().astype(float)
        self.rz = np.asarray(f.sum(axis=1)).ravel().astype(float)
        self.wz = np.asarray(f.sum(axis=0)).ravel().astype(float)
        # the same, as lists of Python floats, for the scalar arithmetic of the loop
        self.dl, self.rzl, self.wzl = self.d.tolist(), self.rz.tolist(), self.wz.tolist()
        self.msz, self.msc, self.tsz, self.tsc = (
            float(params[k]) for k in ("min_size", "min_sc", "target_size", "target_sc")
        )
        self.k1 = 1 - (self.msc / self.tsc)
        self.k2 = self.tsc / self.msc
        self.den = self.tsz - self.msz
        self.consts = np.array(
            [self.msz, self.msc, self.tsz, self.tsc, self.den, self.k1, self.k2], float
        )
        if adj is not None:
            self.aptr = adj.indptr.astype(np.int64)
            self.aind = adj.indices.astype(np.int64)
        else:  # empty: no contiguity
            self.aptr = self.aind = np.zeros(0, np.int64)
        self.quirks = quirks
        self.max_iter = max_iter if max_iter is not None else 100 * m + 1000
        self.kern = _ttwa_kernels.kernels(use_numba, m)
        cap = 2 * m + 2
        self.rc = np.zeros(cap)
        self.wc = np.zeros(cap)
        self.cc = np.zeros(cap)
        self.rid = np.zeros(cap, np.int64)
        self.mark = np.full(cap, -1, np.int64)
        # scratch of the detach kernel: candidates of one zone, flows of its row or column
        deg_r = np.diff(self.ptr) if m else np.zeros(1, np.int64)
        deg_c = np.diff(self.tptr) if m else np.zeros(1, np.int64)
        k = int((deg_r + deg_c).max(initial=0)) + 1
        self.cslot = np.zeros(k, np.int64)
        self.cout = np.zeros(k)
        self.cin = np.zeros(k)
        self.buf = np.zeros(k)
        self.label = np.zeros(m, np.int64)
        self._kargs()
        self.ver = [0] * cap
        self.members: list = [_NONE] * cap
        self.n_slots = 2
        self.heap: list = []
        self.stale: dict[int, float] = {}
        self.prev_stale: dict[int, float] = {}
        self.neg: set[int] = set()
        self.reserve: list = []  # (zone, case, iteration, cluster rid, cluster validity)
        self.history: list = []
        self.moves = np.zeros(m, np.int64)
        self.iteration = 0
        if initial is None:  # every zone alone, numbered 1..m in zone order
            slots = np.arange(2, m + 2)
            self.n_slots = m + 2
            self.label[:] = slots
            self.rid[slots] = np.arange(1, m + 1)
            self.rc[slots], self.wc[slots], self.cc[slots] = self.rz, self.wz, self.d
            self.members[2 : m + 2] = [{z} for z in range(m)]
            self.ver[2 : m + 2] = [1] * m
            vals = [
                self.validity(r, w, c) for r, w, c in zip(self.rzl, self.wzl, self.dl, strict=True)
            ]
            self.heap = [(v, z + 1, 1, z + 2) for z, v in enumerate(vals)]
            heapq.heapify(self.heap)
        else:
            self._start_from(initial)

    def _kargs(self) -> None:
        """The arrays the detach kernel reads and writes (again after they grow)."""
        self.dargs = (
            self.ptr, self.ind, self.dat, self.tptr, self.tind, self.tdat, self.label,
            self.rid, self.d, self.rz, self.wz, self.rc, self.wc, self.cc, self.aptr,
            self.aind, self.mark, self.cslot, self.cout, self.cin, self.buf,
        )  # fmt: skip

    # ------------------------------------------------------------------ bookkeeping
    def _grow(self):
        cap = 2 * len(self.rc)
        for name in ("rc", "wc", "cc", "rid", "mark"):
            old = getattr(self, name)
            new = np.full(cap, -1 if name == "mark" else 0, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self.ver.extend([0] * (cap - len(self.ver)))
        self.members.extend([_NONE] * (cap - len(self.members)))
        self._kargs()

    def _new_slot(self, rid: int, zones) -> int:
        if self.n_slots >= len(self.rc):
            self._grow()
        s = self.n_slots
        self.n_slots += 1
        self.rid[s] = rid
        zones = np.asarray(zones, np.int64)
        self.members[s] = set(zones.tolist())
        self.label[zones] = s
        self.rc[s] = self.rz[zones].sum()
        self.wc[s] = self.wz[zones].sum()
        self.cc[s] = self._internal(zones, s)
        if rid < 0:
            self.neg.add(s)
        self._push(s)
        return s

    def _start_from(self, initial):
        codes = np.asarray(initial, np.int64)
        self.label[codes < 0] = _RESERVE
        for z in np.flatnonzero(codes < 0).tolist():
            self.reserve.append((z, "initial", 0, 0, np.nan))
        used, first = np.unique(codes, return_index=True)
        order = np.argsort(first, kind="stable")
        rid = 0
        for c in used[order]:
            if c < 0:
                continue
            rid += 1
            self._new_slot(rid, np.flatnonzero(codes == c))

    def _internal(self, zones: np.ndarray, s: int) -> float:
        pos, _ = _ttwa_kernels.gather(self.ptr, zones)
        keep = self.label[self.ind[pos]] == s
        return float(self.dat[pos][keep].sum())

    def validity(self, r: float, w: float, c: float) -> float:
        """The reference's validity, operation by operation, on Python floats."""
        if r == 0 or w == 0:  # numpy's inf or nan for a division by zero
            with np.errstate(divide="ignore", invalid="ignore"):
                msc = float(min(np.float64(c) / r, np.float64(c) / w))
        else:
            msc = min(c / r, c / w)
        y = msc / self.tsc
        if y > 1:
            y = 1.0
        size = (self.tsz - r) / self.den
        if size < 0:
            size = 0.0
        v = y * (1 - (self.k1 * size)) * self.k2
        if msc == 1:
            v = 1.0
        return v

    def _val(self, s: int) -> float:
        return self.validity(self.rc.item(s), self.wc.item(s), self.cc.item(s))

    def _push(self, s: int, value: float | None = None) -> None:
        self.ver[s] += 1
        v = self._val(s) if value is None else value
        heapq.heappush(self.heap, (v, self.rid.item(s), self.ver[s], s))

    def _kill(self, s: int) -> None:
        self.ver[s] += 1
        self.members[s] = _NONE
        self.neg.discard(s)

    def _top(self):
        heap, ver, members = self.heap, self.ver, self.members
        while heap:
            v, _, sv, s = heap[0]
            if sv == ver[s] and members[s]:
                return s, v
            heapq.heappop(heap)
        return None, np.inf

    def _refresh_prev(self) -> None:
        """The previous iteration's stale values expire: push the proper ones."""
        prev, self.prev_stale = self.prev_stale, {}
        for s in prev:
            if s not in self.stale and self.members[s]:
                self._push(s)

    # ------------------------------------------------------------------ zone moves
    def _detach_choose(self, z: int, exclude: int = -1):
        """Take zone ``z`` out of its cluster and choose where it may go: (its old slot,
        the most cohesive cluster it may join or -1, flow z -> it, flow it -> z)."""
        a, b, co, ci = self.kern.detach_choose(z, exclude, *self.dargs)
        if a != _RESERVE:
            self.members[a].discard(z)
        return a, b, co, ci

    def _detach(self, z: int) -> None:
        """Take zone ``z`` out of its cluster (no candidate wanted)."""
        self._detach_choose(z, exclude=-2)

    def _join(self, z: int, b: int, flows: float) -> None:
        self.label[z] = b
        self.members[b].add(z)
        self.rc[b] += self.rzl[z]
        self.wc[b] += self.wzl[z]
        self.cc[b] += self.dl[z] + flows
        self.moves[z] += 1

    def _to_reserve(
        self, z: int, case: str, cluster_rid: int, cluster_v: float, to: int = 0
    ) -> None:
        self.label[z] = _RESERVE
        self.reserve.append((z, case, self.iteration, cluster_rid, cluster_v))
        self.history.append((self.iteration, cluster_rid, cluster_v, z, case, to))

    def _place(self, z, b, co, ci, case_none, case_worse, a_rid, a_v):
        """Move detached ``z`` to its most cohesive cluster ``b`` if that does not lower
        the cluster's validity, else to the reserve list. The validity it is compared with
        is the one of the start of the iteration (a stale one included, point 11)."""
        if b < 0:
            self._to_reserve(z, case_none, a_rid, a_v)
            return
        flows = co + ci
        rc, wc, cc = self.rc.item(b), self.wc.item(b), self.cc.item(b)
        rz, wz, d = self.rzl[z], self.wzl[z], self.dl[z]
        new = self.validity(rc + rz, wc + wz, cc + d + flows)
        prev = self.prev_stale
        old = prev[b] if b in prev else self.validity(rc, wc, cc)
        b_rid = self.rid.item(b)
        if new >= old:  # _join and _push, on the totals read above
            rc, wc, cc = rc + rz, wc + wz, cc + (d + flows)
            self.label[z] = b
            self.members[b].add(z)
            self.rc[b], self.wc[b], self.cc[b] = rc, wc, cc
            self.moves[z] += 1
            self.ver[b] += 1
            heapq.heappush(self.heap, (self.validity(rc, wc, cc), b_rid, self.ver[b], b))
            self.history.append((self.iteration, a_rid, a_v, z, "moved", b_rid))
        else:
            self._to_reserve(z, case_worse, a_rid, a_v, b_rid)

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        """The loop: dissolve the least valid cluster until all are valid (points 5-11)."""
        members = self.members
        while True:
            a, v = self._top()
            if a is None or v >= 1:
                break
            self.iteration += 1
            if self.iteration > self.max_iter:
                raise RegionalizeError(
                    f"LabourMarketAreas did not converge in {self.max_iter:,} iterations; "
                    "pass max_iter= to allow more."
                )
            self.prev_stale, self.stale = self.stale, {}
            a_rid = self.rid.item(a)
            if len(members[a]) == 1:
                (z,) = members[a]
                _, b, co, ci = self.kern.detach_choose(z, -1, *self.dargs)
                self._kill(a)  # its only member left: no need to discard it first
                self._place(z, b, co, ci, "B", "A", a_rid, v)
            else:
                self._multi(a, a_rid, v)
            if self.prev_stale:
                self._refresh_prev()

    def _multi(self, a, a_rid, v):
        zones = np.array(sorted(self.members[a]), np.int64)
        k = self.kern
        z = int(
            k.order_zone(a, zones, self.tptr, self.tind, self.tdat, self.label, self.rz, self.d)
        )
        _, b, co, ci = self._detach_choose(z, exclude=a)  # its cluster-mates are out of reach
        if b >= 0:
            self._place(z, b, co, ci, "B", "C", a_rid, v)
            rest = self.members[a]
            if self.quirks and len(rest) >= 2:
                lo, hi = k.stale_range(
                    a,
                    np.fromiter(rest, np.int64, len(rest)),
                    self.ptr,
                    self.ind,
                    self.dat,
                    self.label,
                    self.rz,
                    self.wz,
                    self.consts,
                )
                self.stale[a] = float(hi)
                self._push(a, float(lo))
            else:
                self._push(a)
            return
        # case D: z to the reserve list, the cluster broken into one-zone pieces numbered
        # -1, -2, ... in zone order
        self._to_reserve(z, "D", a_rid, v)
        self._kill(a)
        for i, y in enumerate(zones.tolist()):
            if y != z:
                self._new_slot(-(i + 1), [y])
        self._refresh_prev()  # the reference re-aggregates its tables here
        for _ in range(len(zones) - 1):
            s, sv = self._top()  # no convergence test in this inner loop
            if s is None:
                break
            s_rid = self.rid.item(s)
            if s_rid < 0:
                (y,) = self.members[s]
                _, b, co, ci = self._detach_choose(y)
                self._kill(s)
                self._place(y, b, co, ci, "F", "E", s_rid, sv)
            else:
                self._absorb_piece(s, s_rid, sv)

    def _absorb_piece(self, p, p_rid, pv):
        """Case D follow-up when an ordinary cluster ``p`` is the least valid of all."""
        label = self.label
        linked = []
        for s in sorted(self.neg, key=lambda q: self.rid[q]):
            (y,) = self.members[s]
            p0, p1, q0, q1 = self.ptr[y], self.ptr[y + 1], self.tptr[y], self.tptr[y + 1]
            cout = float(self.dat[p0:p1][label[self.ind[p0:p1]] == p].sum())
            cin = float(self.tdat[q0:q1][label[self.tind[q0:q1]] == p].sum())
            if cout + cin <= 0:
                continue
            if len(self.aptr):
                nb = self.aind[self.aptr[y] : self.aptr[y + 1]]
                if len(nb) and not (label[nb] == p).any():
                    continue
            linked.append((s, y, cout, cin))
        if not linked:  # the whole cluster goes to the reserve list
            for z in sorted(self.members[p]):
                self._to_reserve(z, "F", p_rid, pv)
            self._kill(p)
            return
        rc, wc = self.rc.item(p), self.wc.item(p)
        if len(linked) > 1:  # ill-defined in the reference: take the most cohesive piece
            strength = [
                cin / rc * cin / self.wzl[y] + cout / self.rzl[y] * cout / wc
                for _, y, cout, cin in linked
            ]
            linked = [linked[int(np.argmax(strength))]]
        s, y, cout, cin = linked[0]
        y_v = self._val(s)
        self._detach(y)
        self._kill(s)
        self._join(y, p, cout + cin)
        self._push(p)
        self.history.append((self.iteration, self.rid.item(s), y_v, y, "moved", p_rid))

    # ------------------------------------------------------------------ the end
    def assign_reserve(self) -> np.ndarray:
        """Final assignment of the reserve list; returns the zones that joined a cluster.

        Pieces of broken clusters still alone (point 8) carry negative numbers in the
        reference, so its final pass treats them as reserve-list zones: so does this one."""
        for s in sorted(self.neg):
            (y,) = self.members[s]
            self._kill(s)
            self.label[y] = _RESERVE
            v = self.validity(self.rzl[y], self.wzl[y], self.dl[y])
            self.reserve.append((y, "piece", self.iteration, self.rid.item(s), v))
        waiting = np.flatnonzero(self.label == _RESERVE)[::-1].tolist()
        joined = []
        while waiting:
            left = []
            for z in waiting:
                _, b, co, ci = self._detach_choose(z)
                if b < 0:
                    self.label[z] = _RESERVE
                    left.append(z)
                    continue
                self._join(z, b, co + ci)
                self.moves[z] -= 1  # the final assignment is not a move of the loop
                joined.append(z)
            if len(left) == len(waiting):
                break
            waiting = left
        return np.asarray(joined, np.int64)
