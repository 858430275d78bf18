"""The engine of the travel-to-work-area loop (Coombes & Bond 2008; Istat's findClusters).

:class:`Engine` runs the reference loop of :mod:`regionalize.methods.ttwa` on the flows
between the zones it processes: while some cluster is not valid, the least valid one gives up
a zone, which moves to its most cohesive cluster or to the reserve list; then the reserve list
is assigned. It keeps per-cluster residents, jobs and internal flow incrementally and looks up
only the row and column of the zone being moved. See the documentation of
:mod:`regionalize.methods.ttwa` for every choice point it follows.
"""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp

from ..errors import RegionalizeError
from ..quality import validity_array

__all__ = ["Engine"]

_RESERVE, _DETACHED = 0, 1  # slot numbers; clusters use slots 2, 3, ...


def _gather(ptr, rows):
    """Positions in a CSR ``indices``/``data`` of the entries of ``rows``, and their segment."""
    starts = ptr[rows]
    lens = ptr[rows + 1] - starts
    total = int(lens.sum())
    seg = np.repeat(np.arange(len(rows)), lens)
    offs = np.cumsum(lens) - lens
    pos = np.arange(total) - np.repeat(offs - starts, lens)
    return pos, seg


class Engine:
    """The reference loop on the active zones, with per-cluster totals kept incrementally."""

    def __init__(
        self, f: sp.csr_array, params, *, adj=None, quirks=True, initial=None, max_iter=None
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
        self.msz, self.msc, self.tsz, self.tsc = (
            float(params[k]) for k in ("min_size", "min_sc", "target_size", "target_sc")
        )
        self.k1 = 1 - (self.msc / self.tsc)
        self.k2 = self.tsc / self.msc
        self.den = self.tsz - self.msz
        self.adj = adj
        self.quirks = quirks
        self.max_iter = max_iter if max_iter is not None else 100 * m + 1000
        cap = 2 * m + 2
        self.rc = np.zeros(cap)
        self.wc = np.zeros(cap)
        self.cc = np.zeros(cap)
        self.rid = np.zeros(cap, np.int64)
        self.ver = [0] * cap
        self.members: list[set] = [set() for _ in range(cap)]
        self.n_slots = 2
        self.label = np.zeros(m, np.int64)
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
                self.validity(r, w, c)
                for r, w, c in zip(self.rz.tolist(), self.wz.tolist(), self.d.tolist(), strict=True)
            ]
            self.heap = [(v, z + 1, 1, z + 2) for z, v in enumerate(vals)]
            heapq.heapify(self.heap)
        else:
            self._start_from(initial)

    # ------------------------------------------------------------------ bookkeeping
    def _grow(self):
        cap = 2 * len(self.rc)
        for name in ("rc", "wc", "cc", "rid"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self.ver.extend([0] * (cap - len(self.ver)))
        self.members.extend(set() for _ in range(cap - len(self.members)))

    def _new_slot(self, rid: int, zones) -> int:
        if self.n_slots >= len(self.rc):
            self._grow()
        s = self.n_slots
        self.n_slots += 1
        self.rid[s] = rid
        zones = list(zones)
        self.members[s] = set(zones)
        self.label[zones] = s
        self.rc[s] = self.rz[zones].sum()
        self.wc[s] = self.wz[zones].sum()
        self.cc[s] = self._internal(np.asarray(zones, np.int64), s)
        if rid < 0:
            self.neg.add(s)
        self._push(s)
        return s

    def _start_from(self, initial):
        codes = np.asarray(initial, np.int64)
        self.label[codes < 0] = _RESERVE
        for z in np.flatnonzero(codes < 0):
            self.reserve.append((int(z), "initial", 0, 0, np.nan))
        used, first = np.unique(codes, return_index=True)
        order = np.argsort(first, kind="stable")
        rid = 0
        for c in used[order]:
            if c < 0:
                continue
            rid += 1
            self._new_slot(rid, np.flatnonzero(codes == c))

    def _internal(self, zones: np.ndarray, s: int) -> float:
        pos, _ = _gather(self.ptr, zones)
        keep = self.label[self.ind[pos]] == s
        return float(self.dat[pos][keep].sum())

    def validity(self, r: float, w: float, c: float) -> float:
        """The reference's validity, operation by operation, on Python floats."""
        msc = min(c / r, c / w)
        y = msc / self.tsc
        if y > 1:
            y = 1.0
        size = (self.tsz - r) / self.den
        if size < 0:
            size = 0.0
        z = 1 - (self.k1 * size)
        v = y * z * self.k2
        if msc == 1:
            v = 1.0
        return v

    def _val(self, s: int) -> float:
        return self.validity(self.rc[s], self.wc[s], self.cc[s])

    def _push(self, s: int, value: float | None = None) -> None:
        self.ver[s] += 1
        v = self._val(s) if value is None else value
        heapq.heappush(self.heap, (v, int(self.rid[s]), self.ver[s], s))

    def _kill(self, s: int) -> None:
        self.ver[s] += 1
        self.members[s] = set()
        self.neg.discard(s)

    def _top(self):
        heap = self.heap
        while heap:
            v, _, ver, s = heap[0]
            if ver == self.ver[s] and self.members[s]:
                return s, v
            heapq.heappop(heap)
        return None, np.inf

    def _old(self, s: int) -> float:
        """The validity the reference compares a receiving cluster's new validity with: the
        one of the start of the iteration (a stale one included, point 11)."""
        if s in self.prev_stale:
            return self.prev_stale[s]
        return self._val(s)

    def _refresh_prev(self) -> None:
        """The previous iteration's stale values expire: push the proper ones."""
        prev, self.prev_stale = self.prev_stale, {}
        for s in prev:
            if s not in self.stale and self.members[s]:
                self._push(s)

    # ------------------------------------------------------------------ zone moves
    def _detach(self, z: int):
        """Take zone ``z`` out of its cluster; return its links (labels and flows)."""
        a = self.label[z]
        self.label[z] = _DETACHED
        p0, p1 = self.ptr[z], self.ptr[z + 1]
        ov = self.dat[p0:p1]
        ol = self.label[self.ind[p0:p1]]
        q0, q1 = self.tptr[z], self.tptr[z + 1]
        iv = self.tdat[q0:q1]
        il = self.label[self.tind[q0:q1]]
        if a != _RESERVE:
            inside = self.d[z] + ov[ol == a].sum() + iv[il == a].sum()
            self.cc[a] -= inside
            self.rc[a] -= self.rz[z]
            self.wc[a] -= self.wz[z]
            self.members[a].discard(z)
        return ol, ov, il, iv

    def _candidates(self, z, links, exclude=-1):
        """Clusters detached zone ``z`` may join: ordinary clusters (positive number) it
        exchanges commuters with, other than ``exclude``; (slots, flows z -> B, B -> z)."""
        ol, ov, il, iv = links
        rid = self.rid
        mo = (rid[ol] > 0) & (ol != exclude)
        mi = (rid[il] > 0) & (il != exclude)
        lo, vo = ol[mo], ov[mo]
        li, vi = il[mi], iv[mi]
        if not (len(lo) or len(li)):
            return None
        u, inv = np.unique(np.concatenate([lo, li]), return_inverse=True)
        k = len(u)
        cout = np.bincount(inv[: len(lo)], weights=vo, minlength=k)
        cin = np.bincount(inv[len(lo) :], weights=vi, minlength=k)
        if self.adj is not None:
            nb = self.adj.indices[self.adj.indptr[z] : self.adj.indptr[z + 1]]
            if len(nb):
                ok = np.isin(u, self.label[nb])
                if not ok.all():
                    u, cout, cin = u[ok], cout[ok], cin[ok]
                    if not len(u):
                        return None
        return u, cout, cin

    def _best(self, z, cand) -> int:
        """Index of the most cohesive candidate (ties: no inflow first, then larger number)."""
        u, cout, cin = cand
        if len(u) == 1:
            return 0
        rz, wz = self.rz[z], self.wz[z]
        s_in = np.where(cin > 0, cin / self.rc[u] * cin / wz, 0.0)
        s_out = np.where(cout > 0, cout / rz * cout / self.wc[u], 0.0)
        strength = s_in + s_out
        order = np.lexsort((self.rid[u], cin == 0, strength))
        return int(order[-1])

    def _join(self, z: int, b: int, flows: float) -> None:
        self.label[z] = b
        self.members[b].add(z)
        self.rc[b] += self.rz[z]
        self.wc[b] += self.wz[z]
        self.cc[b] += self.d[z] + flows
        self.moves[z] += 1

    def _to_reserve(
        self, z: int, case: str, cluster_rid: int, cluster_v: float, to: int = 0
    ) -> None:
        self.label[z] = _RESERVE
        self.reserve.append((z, case, self.iteration, cluster_rid, cluster_v))
        self.history.append((self.iteration, cluster_rid, cluster_v, z, case, to))

    def _place(self, z, cand, case_none, case_worse, a_rid, a_v):
        """Move detached ``z`` to its most cohesive cluster if that does not lower the
        cluster's validity, else to the reserve list."""
        if cand is None:
            self._to_reserve(z, case_none, a_rid, a_v)
            return
        i = self._best(z, cand)
        u, cout, cin = cand
        b = int(u[i])
        flows = cout[i] + cin[i]
        new = self.validity(
            self.rc[b] + self.rz[z], self.wc[b] + self.wz[z], self.cc[b] + self.d[z] + flows
        )
        if new >= self._old(b):
            self._join(z, b, flows)
            self._push(b)
            self.history.append((self.iteration, a_rid, a_v, z, "moved", int(self.rid[b])))
        else:
            self._to_reserve(z, case_worse, a_rid, a_v, int(self.rid[b]))

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        """The loop: dissolve the least valid cluster until all are valid (points 5-11)."""
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
            a_rid = int(self.rid[a])
            if len(self.members[a]) == 1:
                (z,) = self.members[a]
                links = self._detach(z)
                self._kill(a)
                self._place(z, self._candidates(z, links), "B", "A", a_rid, v)
            else:
                self._multi(a, a_rid, v)
            self._refresh_prev()

    def _order_zone(self, a, zones: np.ndarray) -> int:
        """The zone of a multi-zone cluster that leaves (the reference's ``orderRegroup``:
        inflow from outside the cluster + residents - internal flow; ties to zone order)."""
        pos, seg = _gather(self.tptr, zones)
        outside = self.label[self.tind[pos]] != a
        inflow = np.bincount(seg[outside], weights=self.tdat[pos][outside], minlength=len(zones))
        key = (inflow + self.rz[zones]) - self.d[zones]
        return int(zones[int(np.argmax(key))])

    def _multi(self, a, a_rid, v):
        zones = np.array(sorted(self.members[a]), np.int64)
        z = self._order_zone(a, zones)
        links = self._detach(z)
        cand = self._candidates(z, links, exclude=a)  # its cluster-mates are out of reach
        if cand is not None:
            self._place(z, cand, "B", "C", a_rid, v)
            rest = self.members[a]
            if self.quirks and len(rest) >= 2:
                lo, hi = self._stale_range(a, np.fromiter(rest, np.int64, len(rest)))
                self.stale[a] = hi
                self._push(a, lo)
            else:
                self._push(a)
            return
        # case D: z to the reserve list, the cluster broken into one-zone pieces numbered
        # -1, -2, ... in zone order
        self._to_reserve(z, "D", a_rid, v)
        negative = {int(y): -(i + 1) for i, y in enumerate(zones)}
        self._kill(a)
        for y in zones:
            if y != z:
                self._new_slot(negative[int(y)], [int(y)])
        self._refresh_prev()  # the reference re-aggregates its tables here
        for _ in range(len(zones) - 1):
            s, sv = self._top()  # no convergence test in this inner loop
            if s is None:
                break
            s_rid = int(self.rid[s])
            if s_rid < 0:
                (y,) = self.members[s]
                ylinks = self._detach(y)
                self._kill(s)
                self._place(y, self._candidates(y, ylinks), "F", "E", s_rid, sv)
            else:
                self._absorb_piece(s, s_rid, sv)

    def _absorb_piece(self, p, p_rid, pv):
        """Case D follow-up when an ordinary cluster ``p`` is the least valid of all."""
        linked = []
        for s in sorted(self.neg, key=lambda q: self.rid[q]):
            (y,) = self.members[s]
            p0, p1, q0, q1 = self.ptr[y], self.ptr[y + 1], self.tptr[y], self.tptr[y + 1]
            cout = self.dat[p0:p1][self.label[self.ind[p0:p1]] == p].sum()
            cin = self.tdat[q0:q1][self.label[self.tind[q0:q1]] == p].sum()
            if cout + cin <= 0:
                continue
            if self.adj is not None:
                nb = self.adj.indices[self.adj.indptr[y] : self.adj.indptr[y + 1]]
                if len(nb) and not (self.label[nb] == p).any():
                    continue
            linked.append((s, y, cout, cin))
        if not linked:  # the whole cluster goes to the reserve list
            for z in sorted(self.members[p]):
                self._to_reserve(z, "F", p_rid, pv)
            self._kill(p)
            return
        if len(linked) > 1:  # ill-defined in the reference: take the most cohesive piece
            strength = [
                cin / self.rc[p] * cin / self.wz[y] + cout / self.rz[y] * cout / self.wc[p]
                for _, y, cout, cin in linked
            ]
            linked = [linked[int(np.argmax(strength))]]
        s, y, cout, cin = linked[0]
        y_v = self._val(s)
        self._detach(y)
        self._kill(s)
        self._join(y, p, cout + cin)
        self._push(p)
        self.history.append((self.iteration, int(self.rid[s]), y_v, y, "moved", p_rid))

    def _stale_range(self, a, zones: np.ndarray):
        """Min and max of the reference's unaggregated validity rows of cluster ``a``: one
        row per (member zone's totals, internal flow between two members)."""
        pos, _ = _gather(self.ptr, zones)
        keep = self.label[self.ind[pos]] == a
        flows = self.dat[pos][keep]
        r, w = self.rz[zones], self.wz[zones]
        if not len(flows):
            vals = validity_array(r, np.zeros(len(zones)), self.msz, self.msc, self.tsz, self.tsc)
            return float(vals.min()), float(vals.max())
        # for one zone the validity is monotone in the flow: its extremes are at the
        # smallest and largest flow, except where the "msc == 1 -> 1" rule applies
        ends = [
            validity_array(r, np.minimum(x / r, x / w), self.msz, self.msc, self.tsz, self.tsc)
            for x in (flows.min(), flows.max())
        ]
        lo = np.minimum(ends[0], ends[1])
        hi = np.maximum(ends[0], ends[1])
        for i in np.flatnonzero((r == w) & np.isin(r, flows)):
            vals = validity_array(
                np.full(len(flows), r[i]),
                np.minimum(flows / r[i], flows / w[i]),
                self.msz,
                self.msc,
                self.tsz,
                self.tsc,
            )
            lo[i], hi[i] = vals.min(), vals.max()
        return float(lo.min()), float(hi.max())

    # ------------------------------------------------------------------ the end
    def assign_reserve(self) -> np.ndarray:
        """Final assignment of the reserve list; returns the zones that joined a cluster.

        Pieces of broken clusters still alone (point 8) carry negative numbers in the
        reference, so its final pass treats them as reserve-list zones: so does this one."""
        for s in sorted(self.neg):
            (y,) = self.members[s]
            self._kill(s)
            self.label[y] = _RESERVE
            self.reserve.append(
                (
                    y,
                    "piece",
                    self.iteration,
                    int(self.rid[s]),
                    self.validity(self.rz[y], self.wz[y], self.d[y]),
                )
            )
        waiting = sorted((z for z in range(self.m) if self.label[z] == _RESERVE), reverse=True)
        joined = []
        while waiting:
            left = []
            for z in waiting:
                cand = self._candidates(z, self._detach(z))
                if cand is None:
                    self.label[z] = _RESERVE
                    left.append(z)
                    continue
                i = self._best(z, cand)
                u, cout, cin = cand
                self._join(z, int(u[i]), cout[i] + cin[i])
                self.moves[z] -= 1  # the final assignment is not a move of the loop
                joined.append(z)
            if len(left) == len(waiting):
                break
            waiting = left
        return np.asarray(joined, np.int64)
