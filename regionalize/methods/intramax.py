r"""Intramax: hierarchical aggregation of interaction data (Masser & Brown 1975).

Intramax starts from one cluster per zone and repeatedly merges the two clusters whose
interaction is largest once the size of their flows is taken out:

.. math::

    I_{ij} = \frac{T_{ij}}{O_i D_j} + \frac{T_{ji}}{O_j D_i}, \qquad i \neq j,

where ``T`` holds the current cluster-to-cluster flows and ``O`` / ``D`` the row / column
totals of the flow matrix. The result is a full dendrogram, cut at ``k`` regions or at an
objective level.

The engine (:func:`intramax_merges`) works on the CSR matrix only: cluster-to-cluster flows
are kept as sparse neighbour dictionaries and candidate pairs in a heap with lazy deletion,
so a merge touches only the pairs of the merged cluster (see the Notes of :class:`Intramax`).
With numba installed (the ``fast`` extra) the same loop runs compiled on arrays
(``_intramax_kernel``), with the same result bit for bit.
"""

from __future__ import annotations

import heapq
import math
import warnings
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._attach import contiguity_for
from .._base import Estimator, checked_call
from .._jit import numba_enabled
from ..errors import InvalidODError, InvalidParameterError, check_parameter
from ..partition import Partition
from .merge_tree import Cutter, MergeTree, linkage_matrix

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["Intramax", "intramax", "intramax_merges", "NO_FLOWS"]

#: reason given to zones without any flow (not even within the zone)
NO_FLOWS = "no flows in or out of the zone"

#: why Intramax gives no regions without a stop rule
NO_CUT = (
    "Intramax needs a stop rule to give regions: pass k= (the number of regions; --k on "
    "the command line) or min_objective= (stop at the first merge whose objective is "
    "below it; --min-objective). Without one it would merge until all interacting zones "
    "are one region. The dendrogram (merges_) is built either way: fit, read merges_, "
    "then cut(k=...)."
)


class NoCutError(InvalidParameterError, AttributeError):
    """An Intramax fitted without ``k`` or ``min_objective`` has a dendrogram but no regions
    (an AttributeError too, so ``hasattr(im, "partition_")`` is False)."""


def check_k(owner: str, k) -> None:
    """``k`` is None or an int >= 1 (the one template of :func:`check_parameter`)."""
    if k is None:
        return
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise InvalidParameterError(
            f"The 'k' parameter of {owner} must be an int >= 1 or None. Got {k!r} instead."
        )


def check_positive(owner: str, name: str, value) -> None:
    """``value`` is None or a finite float > 0."""
    if value is None:
        return
    if isinstance(value, Real) and not isinstance(value, bool):
        value = float(value)
    check_parameter(owner, name, value, interval=(0, np.inf), closed="neither")


def intramax_merges(
    matrix, adjacency=None, *, compiled: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The full Intramax merge sequence of a flow matrix (the engine; no zone ids).

    Parameters
    ----------
    matrix : scipy.sparse array or matrix, ``n x n``
        Flows, rows = origins, columns = destinations; the diagonal (flows within a zone)
        counts in the totals ``O`` and ``D`` only.
    adjacency : scipy.sparse array, optional
        Symmetric ``n x n`` contiguity; when given only adjacent clusters merge.
    compiled : bool, optional
        Run the merge loop compiled with numba (True) or in pure Python (False); both give
        the same result bit for bit. Default: compiled when numba is installed and
        ``REGIONALIZE_NO_NUMBA`` is unset (or ``0``).

    Returns
    -------
    pairs : numpy.ndarray, shape ``(m, 2)`` int64
        Representatives (smallest zone position) of the two clusters merged at each step,
        smaller first; the new cluster keeps the first one as representative.
    values : numpy.ndarray, shape ``(m, 3)`` float64
        Per merge: the objective, the size (zones) of the new cluster, and the number of
        clusters left after it (zones without any flow not counted).
    """
    m = sp.csr_array(matrix, dtype=np.float64)  # not modified: may share the input's arrays
    n = m.shape[0]
    # work on the flows divided by the power of two that brings their total into [0.5, 1):
    # exact in floating point, so every objective is the unscaled one times 2**shift, bit for
    # bit, and the merge order is the same; but the products O_i D_j can neither overflow
    # (flows of 1e200) nor vanish (flows of 1e-200) whatever the units of the flows
    shift = _scale_shift(m.data)
    m = sp.csr_array((np.ldexp(m.data, -shift), m.indices, m.indptr), shape=m.shape)
    out_tot = np.asarray(m.sum(axis=1)).ravel()  # O: row totals, diagonal included
    in_tot = np.asarray(m.sum(axis=0)).ravel()  # D: column totals, diagonal included
    _check_range(out_tot, in_tot, shift)
    coo = m.tocoo()
    off = (coo.row != coo.col) & (coo.data != 0)
    rows, cols, flows = coo.row[off], coo.col[off], coo.data[off]
    del coo, m
    a = None if adjacency is None else sp.csr_array(adjacency)
    if compiled is None:
        compiled = numba_enabled()
    if compiled:
        from ._intramax_kernel import merges

        n_clusters = int(np.count_nonzero(out_tot + in_tot > 0))
        empty = np.zeros(0, dtype=np.int64)
        pairs, values = merges(
            n,
            rows.astype(np.int64),
            cols.astype(np.int64),
            flows,
            empty if a is None else a.indptr.astype(np.int64),
            empty if a is None else a.indices.astype(np.int64),
            a is not None,
            out_tot.astype(np.float64),
            in_tot.astype(np.float64),
            n_clusters,
        )
    else:
        pairs, values = _merges_python(n, rows, cols, flows, a, out_tot, in_tot)
    values[:, 0] = _unscale_objective(values[:, 0], shift)
    return pairs, values


def _merges_python(n, rows, cols, flows, a, out_tot, in_tot):
    """The merge loop in pure Python (without numba): see :func:`intramax_merges`."""
    out_tot, in_tot = out_tot.tolist(), in_tot.tolist()
    # w[x][y] = [T_xy, T_yx] for every pair of clusters with interaction either way
    w: list[dict | None] = [{} for _ in range(n)]
    for i, j, f in zip(rows.tolist(), cols.tolist(), flows.tolist(), strict=True):
        t = w[i].get(j)
        if t is None:
            w[i][j] = [f, 0.0]
            w[j][i] = [0.0, f]
        else:
            t[0] += f
            w[j][i][1] += f

    adj: list[set | None] | None = None
    if a is not None:
        ptr, idx = a.indptr, a.indices
        adj = [set(idx[ptr[i] : ptr[i + 1]].tolist()) - {i} for i in range(n)]
        for i in range(n):  # be lenient with one-sided adjacency input
            for j in adj[i]:
                adj[j].add(i)

    def objective(x: int, y: int) -> float:
        txy, tyx = w[x][y]
        val = 0.0
        if txy:
            val += txy / (out_tot[x] * in_tot[y])
        if tyx:
            val += tyx / (out_tot[y] * in_tot[x])
        return val

    rep = list(range(n))  # smallest zone position in the cluster of each slot
    size = [1] * n
    ver = [0] * n  # bumped at every merge a slot survives
    alive = [True] * n
    parent = list(range(n))  # slot union-find (dead slot -> surviving slot)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    heap = []
    for i in range(n):
        for j in w[i]:
            if j > i and (adj is None or j in adj[i]):
                heap.append((-objective(i, j), i, j, i, j, 0, 0))
    heapq.heapify(heap)
    queued: set[tuple[int, int, int, int]] = set()

    def push(x: int, y: int) -> None:
        if rep[x] > rep[y]:
            x, y = y, x
        key = (x, y, ver[x], ver[y])
        if key in queued:
            return
        queued.add(key)
        heapq.heappush(heap, (-objective(x, y), rep[x], rep[y], x, y, ver[x], ver[y]))

    def fresh(e) -> bool:
        return alive[e[3]] and alive[e[4]] and ver[e[3]] == e[5] and ver[e[4]] == e[6]

    def refresh(e) -> None:
        x, y = find(e[3]), find(e[4])
        if x != y:
            push(x, y)

    n_clusters = sum(1 for i in range(n) if out_tot[i] + in_tot[i] > 0)
    pairs: list[tuple[int, int]] = []
    vals: list[tuple[float, int, int]] = []
    while heap:
        e = heapq.heappop(heap)
        if not fresh(e):
            refresh(e)
            continue
        if heap and heap[0][0] == e[0]:
            # exact tie: stale entries with the same stored value may belong to pairs
            # with smaller ids once brought up to date; refresh them all, then take the
            # smallest up-to-date pair
            ties = [e]
            while heap and heap[0][0] == e[0]:
                f = heapq.heappop(heap)
                if fresh(f):
                    ties.append(f)
                else:
                    refresh(f)
            e = min(ties)
            for f in ties:
                if f is not e:
                    heapq.heappush(heap, f)
        x, y = e[3], e[4]
        keep, gone = (x, y) if len(w[x]) >= len(w[y]) else (y, x)
        wk, wg = w[keep], w[gone]
        pairs.append((rep[x], rep[y]))
        n_clusters -= 1
        vals.append((-e[0], size[x] + size[y], n_clusters))
        del wk[gone]
        del wg[keep]
        was_keep = set() if adj is not None else None
        both = []
        for z, t in wg.items():
            wz = w[z]
            back = wz.pop(gone)
            u = wk.get(z)
            if u is None:
                wk[z] = t
                wz[keep] = back
            else:
                u[0] += t[0]
                u[1] += t[1]
                b2 = wz[keep]
                b2[0] += back[0]
                b2[1] += back[1]
                both.append(z)
                if was_keep is not None:
                    was_keep.add(z)
        w[gone] = None
        parent[gone] = keep
        alive[gone] = False
        rep[keep] = min(rep[keep], rep[gone])
        size[keep] += size[gone]
        out_tot[keep] += out_tot[gone]
        in_tot[keep] += in_tot[gone]
        ver[keep] += 1
        if adj is None:
            # pairs whose flows grew; the others only lost value (larger totals, same flows)
            # and are re-evaluated lazily when their stale entry reaches the top
            for z in both:
                push(keep, z)
        else:
            ak, ag = adj[keep], adj[gone]
            ak.discard(gone)
            ag.discard(keep)
            for z in ag:
                az = adj[z]
                az.discard(gone)
                az.add(keep)
            union = ak | ag
            for z in union:
                if z not in wk:
                    continue
                in_gone = z in wg
                in_keep = (not in_gone) or z in was_keep
                covered = (z in ak and in_keep and not in_gone) or (
                    z in ag and in_gone and not in_keep
                )
                if not covered:
                    push(keep, z)
            adj[keep] = union
            adj[gone] = None
    values = np.asarray(vals, dtype=np.float64).reshape(-1, 3)
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2), values


def _scale_shift(flows: np.ndarray) -> int:
    """The power of two ``k`` with ``sum(flows) / 2**k`` in ``[0.5, 1)`` (0 without flows)."""
    with np.errstate(over="ignore"):
        total = float(np.sum(flows))
    if not np.isfinite(total):
        raise InvalidODError(
            "Intramax: the flows add up to more than float64 can hold (1.8e308); rescale "
            "them: divide the flows by 1e6."
        )
    return math.frexp(total)[1] if total > 0 else 0


def _check_range(out_tot: np.ndarray, in_tot: np.ndarray, shift: int) -> None:
    """Refuse flows whose smallest totals are so small next to the total of all flows that
    ``O_i D_j`` (with the total scaled to about 1) falls below the float64 normal range."""
    o, d = out_tot[out_tot > 0], in_tot[in_tot > 0]
    if not (len(o) and len(d)):
        return
    if float(o.min()) * float(d.min()) < np.finfo(np.float64).tiny:
        lo = math.ldexp(float(min(o.min(), d.min())), shift)
        total = math.ldexp(float(out_tot.sum()), shift)
        raise InvalidODError(
            f"Intramax cannot compute T_ij / (O_i D_j) exactly for these flows: the smallest "
            f"zone totals (down to {lo:.3g}) are so small next to the total of all flows "
            f"({total:.3g}) that O_i D_j / total**2 falls below the float64 range (about "
            "1e-308) whatever the units. Drop or aggregate the near-empty zones, or round "
            "the flows (they are counts of people)."
        )


def _unscale_objective(objective: np.ndarray, shift: int) -> np.ndarray:
    """Objectives of the scaled flows back in the flows' units (they scale as 1 / flows);
    a named error when they leave the float64 range."""
    with np.errstate(over="ignore", under="ignore"):
        out = np.ldexp(objective, -shift)
    if np.isinf(out).any():
        raise InvalidODError(
            "Intramax: the flows are too small for its objective T_ij / (O_i D_j), which grows "
            "as 1 / flows, to be a float64 number (it exceeds 1.8e308). Rescale the flows: "
            "multiply them by 1e6."
        )
    if ((out == 0) & (objective > 0)).any():
        raise InvalidODError(
            "Intramax: the flows are too large for its objective T_ij / (O_i D_j), which "
            "shrinks as 1 / flows, to be a float64 number (it falls below 5e-324). Rescale "
            "the flows: divide them by 1e6."
        )
    return out


class Intramax(Estimator):
    """Intramax regions: hierarchical aggregation maximising standardised interaction.

    Starting from one cluster per zone, repeatedly merge the two clusters ``i != j`` with
    positive interaction that maximise ``T_ij / (O_i D_j) + T_ji / (O_j D_i)`` (Masser &
    Brown 1975). The whole dendrogram is built once in :meth:`fit`; ``partition_`` is
    its cut at ``k`` regions or at ``min_objective``, and :meth:`cut` gives other cuts.

    **Complexity**: each cluster keeps a dictionary of the clusters it exchanges flows
    with; a merge folds the smaller dictionary into the larger, so each of the m flow pairs
    moves ``O(log n)`` times, and the best pair comes from a heap with lazy re-evaluation:
    ``O(m log n log m)`` time for the full merge tree, memory ``O(m)``. Measured (full
    merge tree, compiled loop, no contiguity): time grows as zones^1.4 (flows^1.3) on
    synthetic countries of 10k-100k zones (CPU 0.22 s, 1.2 s, 5.3 s for 10k, 35k, 100k
    zones, 0.27M, 0.95M, 2.8M flows), although the work grows linearly (about two heap
    pops per interacting pair): the larger arrays fall out of the processor's caches. See
    the Notes for the compiled loop and the memory.

    Parameters
    ----------
    k : int, optional
        Number of regions of the cut (zones without any flow are not counted). If the flows
        fall into more than ``k`` groups with no interaction between them (or no adjacent
        interaction under contiguity), the cut has that many regions and a warning says so.
    min_objective : float, optional
        Stop the cut at the first merge whose objective is below this value (merges at
        exactly ``min_objective`` are made). The objective scales as 1 / flows: multiplying
        every flow by ``c`` divides it by ``c``. With both ``k`` and ``min_objective`` the
        cut stops at whichever comes first. With neither, Intramax has no stop rule (it
        would merge until all interacting zones are one region): :meth:`fit` builds the
        dendrogram only, and ``partition_`` / ``labels_`` raise
        :class:`~regionalize.InvalidParameterError` naming ``k=`` and
        ``min_objective=`` (as does :func:`intramax`); ``k=1`` asks for every merge.
    contiguity : None, "auto", "require" or Contiguity
        None (default, the original procedure): any two clusters may merge. Otherwise only
        adjacent clusters merge: "auto" builds rook contiguity from the graph's polygons
        (islands linked to their nearest zone) and is off without polygons, "require" raises
        without polygons, or pass a :class:`~regionalize.Contiguity`.
    name : str, optional
        Layer name of the partition (default ``"intramax"``).

    Attributes
    ----------
    tree_ : MergeTree
        The dendrogram (:class:`~regionalize.methods.MergeTree`, heights = the
        objective, a similarity): ``tree_.cut(k)`` is :meth:`cut`; ``merges_`` and
        ``linkage_`` are its ``merges`` and ``Z``.
    merges_ : pandas.DataFrame
        The dendrogram, one row per merge: ``step`` (1, 2, ...), ``a`` and ``b`` (the merged
        clusters, each named by its first zone in graph order; the new cluster keeps the
        name ``a``), ``objective``, ``size`` (zones in the new cluster) and ``n_clusters``
        (clusters left after the merge, zones without flows not counted).
    linkage_ : numpy.ndarray, shape ``(n_merges, 4)``
        scipy-style linkage: leaves ``0 .. n-1`` are zone positions, the cluster made at
        step ``s`` is ``n + s - 1``; columns are the two merged ids, the objective and the
        new size. Unlike a scipy linkage it has fewer than ``n - 1`` rows when some zones
        never interact, and the objective is not monotone (it is no distance).
    n_components_ : int
        Clusters left after the last possible merge (zones without flows not counted).
    partition_ : Partition
        The regions of the cut (only with ``k`` or ``min_objective``): no centres, each
        region named after its zone with the most jobs.
    labels_ : pandas.Series
        Region id per zone (None when unassigned).

    See Also
    --------
    regionalize.methods.intramax : the function twin, returning the Partition.
    regionalize.methods.MergeTree : the dendrogram, cut at any size.
    regionalize.methods.FlowBCA : another hierarchical merge, by relative flows.

    Notes
    -----
    Choices, checked against Masser & Brown (1975) and M. Charlton's R script (Maynooth,
    GPL-3, "Intramax regionalisation", which re-computes only the row and column of the
    merged zones):

    - ``O_i`` and ``D_j`` are the row and column totals of the *full* matrix, flows within
      a zone (the diagonal) included, as in Masser & Brown and the R script. For a cluster
      they are the sums of its zones' totals, so they do not change meaning as clusters
      grow; flows inside a cluster count in them but never in ``T_ij`` (``i != j``). They
      come from the matrix, not from a ``residents`` / ``jobs`` zone column.
    - Only pairs with positive interaction (``T_ij + T_ji > 0``) merge. The R script keeps
      merging at objective 0 (any pair) until ``nZones`` is reached; here groups of zones
      with no interaction between them stay apart, so the dendrogram has
      ``n - n_components_`` merges. A zero term (``T_ij = 0``) is 0 whatever the totals,
      which is what the R script's ``zeroFix`` achieves.
    - Zones with no flow at all (row and column empty, diagonal included) are left
      unassigned with the reason ``"no flows in or out of the zone"``; zones whose only
      flows stay inside them are regions of their own.
    - Ties (exactly equal objective): the pair whose first zones come first in graph order
      wins, i.e. the smallest ``(a, b)``; the R script also takes the first pair in matrix
      order and keeps the smaller index.
    - Contiguity: candidate pairs must be adjacent *and* interact; a merged cluster is
      adjacent to every neighbour of its parts.
    - Regions have no centres: each is identified and named by its zone with most jobs.
    - Scale: the merges are computed on the flows divided by the power of two that brings
      their total near 1, which is exact in floating point, so the merge order is the same
      (bit for bit) whatever the units of the flows, even where ``O_i D_j`` of the raw flows
      would overflow (flows of 1e200) or vanish (1e-200). The objective is reported in the
      flows' units; when it is no float64 number there (flows below about 1e-308), or when
      some zone totals are more than about 1e154 times smaller than the total, Intramax
      raises :class:`~regionalize.InvalidODError` saying how to rescale.

    Merges are incremental: cluster-to-cluster flows are sparse dictionaries and candidate
    pairs sit in a heap with lazy deletion. After merging ``a`` and ``b``, a pair
    ``(a+b, c)`` whose flows did not grow (``c`` interacts with only one of them) can only
    lose value, so its old entry is an upper bound and is re-evaluated when it reaches the
    top; only pairs with ``c`` interacting with both are pushed again. Nothing is dense.

    With numba installed (the ``fast`` extra; ``REGIONALIZE_NO_NUMBA=1`` turns it off) the
    merge loop runs compiled on arrays: a hash table of pair records instead of the
    dictionaries, a 4-ary heap of the same entries, the same arithmetic in the same order,
    so the merges, objectives and cuts are the same bit for bit (tested against the
    pure-Python loop on random graphs with ties and on synthetic countries). On a synthetic
    country of 100,000 zones and 2.8 million flows the full merge tree takes about 5 s of
    CPU (about 50 s in pure Python) and about 430 MB over the graph itself (1.2 GB in pure
    Python); the first call in a process also loads numba (about 0.7 s).

    References
    ----------
    Masser, I. and Brown, P. J. B. (1975). Hierarchical aggregation procedures for
    interaction data. *Environment and Planning A* 7, 509-523.

    Examples
    --------
    Four zones: C and D exchange most for their size, then A and B.

    >>> import pandas as pd
    >>> rows = [("A", "A", 40), ("A", "B", 10), ("B", "A", 10), ("B", "B", 30),
    ...         ("B", "D", 10), ("C", "C", 20), ("C", "D", 20), ("D", "B", 10),
    ...         ("D", "C", 20), ("D", "D", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> im = rz.methods.Intramax(k=2).fit(g)
    >>> im.merges_[["a", "b", "objective", "size"]].round(4)
       a  b  objective  size
    0  C  D     0.0250     2
    1  A  B     0.0080     2
    2  A  C     0.0025     4
    >>> im.labels_.to_dict()
    {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C'}
    """

    layer = "intramax"

    def __init__(
        self,
        k: int | None = None,
        *,
        min_objective: float | None = None,
        contiguity=None,
        name: str | None = None,
    ):
        self.k = k
        self.min_objective = min_objective
        self.contiguity = contiguity
        self.name = name

    def __getattr__(self, name: str):
        # only reached when the attribute is not set: a fit without a stop rule has no regions
        if name in ("partition_", "labels_") and "merges_" in vars(self):
            raise NoCutError(NO_CUT)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def check_params(self) -> None:
        """Check the parameters (run before every ``fit``).

        Raises
        ------
        InvalidParameterError
            When ``k`` is not an int >= 1 or ``min_objective`` not a number > 0 (None is
            allowed for both).

        Examples
        --------
        >>> rz.methods.Intramax(k=5).check_params()
        >>> rz.methods.Intramax(min_objective=-1).check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'min_objective' parameter of Intramax must be a float in (0, inf). Got -1.0 instead.
        """
        owner = type(self).__name__
        check_k(owner, self.k)
        check_positive(owner, "min_objective", self.min_objective)

    def fit(self, graph: FlowGraph) -> Intramax:
        """Build the full dendrogram of ``graph`` and cut it.

        Without ``k`` and ``min_objective`` only the dendrogram is built (``tree_``,
        ``merges_``, ``linkage_``); ``partition_`` and ``labels_`` then raise, saying to pass
        one of them or to call :meth:`cut` (merging everything into one region is no answer).

        Parameters
        ----------
        graph : FlowGraph
            The flows; with ``contiguity`` set, its polygons (or the given Contiguity).

        Returns
        -------
        self : Intramax
            Fitted: ``tree_``, ``merges_``, ``linkage_``, ``n_components_``, and with a stop
            rule ``partition_`` and ``labels_``.

        Examples
        --------
        Without a stop rule, the dendrogram only: read the merges, then choose a cut.

        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> im = rz.methods.Intramax().fit(g)
        >>> im.merges_.round(6)
           step  a  b  objective  size  n_clusters
        0     1  C  D   0.013333     2           3
        1     2  A  B   0.008000     2           2
        2     3  A  C   0.000421     4           1
        >>> hasattr(im, "partition_")
        False
        >>> im.cut(2).labels.to_dict()
        {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C'}
        """
        contig = contiguity_for(graph, self.contiguity)
        adjacency = contig[0] if contig is not None else None
        matrix = graph.matrix
        pairs, vals = intramax_merges(matrix, adjacency)
        n = graph.n_zones
        ids = graph.ids.to_numpy()
        active = (
            np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()
        ) > 0
        merges = pd.DataFrame(
            {
                "step": np.arange(1, len(pairs) + 1, dtype=np.int64),
                "a": pd.Series(ids[pairs[:, 0]], dtype=object),
                "b": pd.Series(ids[pairs[:, 1]], dtype=object),
                "objective": vals[:, 0],
                "size": vals[:, 1].astype(np.int64),
                "n_clusters": vals[:, 2].astype(np.int64),
            }
        )
        cutter = _IntramaxCutter(
            graph,
            pairs,
            vals[:, 0].copy(),
            active,
            contig is not None,
            self.get_params(),
            self.name or self.layer,
            type(self).__name__,
        )
        self.tree_ = MergeTree(
            ids,
            _linkage(n, pairs, vals),
            merges,
            method=self.layer,
            measure="objective",
            kind="similarity",
            cutter=cutter,
            n_active=int(active.sum()),
        )
        self.merges_ = self.tree_.merges
        self.linkage_ = self.tree_.Z
        self.n_components_ = self.tree_.n_components
        for stale in ("partition_", "labels_"):
            vars(self).pop(stale, None)
        if self.k is None and self.min_objective is None:
            return self
        self.partition_: Partition = self.tree_._partition(self.k, self.min_objective, stacklevel=4)
        self.labels_ = self.partition_.labels
        return self

    def cut(self, k: int | None = None, *, min_objective: float | None = None) -> Partition:
        """The regions after the first merges of the fitted dendrogram.

        The same as :meth:`MergeTree.cut <regionalize.methods.MergeTree.cut>` of
        ``tree_`` with ``height=min_objective``: exactly the partition of
        ``Intramax(k, min_objective=min_objective, ...)`` fitted with the same contiguity
        and name.

        Parameters
        ----------
        k : int, optional
            Number of regions (zones without any flow are not counted).
        min_objective : float, optional
            Stop at the first merge whose objective is below it. One of ``k`` and
            ``min_objective`` is required: without a stop rule Intramax would merge every
            interacting zone into one region, and an
            :class:`~regionalize.InvalidParameterError` says so.

        Returns
        -------
        Partition
            The regions of that cut.

        Examples
        --------
        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> im = rz.methods.Intramax(k=2).fit(g)
        >>> im.cut(3).labels.to_dict()
        {'A': 'A', 'B': 'B', 'C': 'C', 'D': 'C'}
        >>> im.cut(3).equals(rz.methods.Intramax(k=3).fit(g).partition_)
        True
        """
        if "tree_" not in vars(self):
            raise InvalidParameterError("This Intramax is not fitted yet; call fit(graph).")
        return self.tree_._partition(k, min_objective, stacklevel=4)


class _IntramaxCutter(Cutter):
    """The cuts of a fitted Intramax dendrogram (see :class:`MergeTree`)."""

    def __init__(
        self,
        graph,
        pairs: np.ndarray,
        objective: np.ndarray,
        active: np.ndarray,
        contiguity_on: bool,
        params: dict,
        layer: str,
        owner: str,
    ):
        self.graph = graph
        self.pairs = pairs
        self.objective = objective
        self.active = active
        self.contiguity_on = contiguity_on
        self.params = params
        self.layer = layer
        self.owner = owner

    def _steps(self, k, min_objective) -> int:
        check_k(self.owner, k)
        check_positive(self.owner, "min_objective", min_objective)
        if k is None and min_objective is None:
            raise InvalidParameterError(NO_CUT)
        n_active = int(self.active.sum())
        steps = len(self.pairs)
        if k is not None:
            steps = min(steps, max(n_active - k, 0))
        if min_objective is not None:
            below = np.flatnonzero(self.objective < min_objective)
            if len(below):
                steps = min(steps, int(below[0]))
        return steps

    def n_clusters(self, k, height) -> int:
        return int(self.active.sum()) - self._steps(k, height)

    def partition(self, k, height, *, stacklevel: int = 2) -> Partition:
        min_objective = height
        steps = self._steps(k, min_objective)
        graph, pairs = self.graph, self.pairs
        n_active = int(self.active.sum())
        n_regions = n_active - steps
        if k is not None and n_regions > k and steps == len(pairs):
            warnings.warn(
                f"Intramax cannot reach k={k} regions: the flows form {n_regions} groups with "
                f"no {'adjacent ' if self.contiguity_on else ''}interaction between them, "
                f"so the cut has {n_regions} regions.",
                UserWarning,
                stacklevel=stacklevel,
            )
        parent = np.arange(graph.n_zones)

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in pairs[:steps].tolist():
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
        codes = np.array([find(i) for i in range(graph.n_zones)], dtype=np.int64)
        codes[~self.active] = -1
        reasons = np.where(self.active, None, NO_FLOWS).astype(object)
        params = {
            **self.params,
            "k": k,
            "min_objective": min_objective,
            "contiguity": "on" if self.contiguity_on else "off",
            "n_merges": int(steps),
        }
        return Partition.from_codes(
            graph, codes, layer=self.layer, kind="intramax region", reasons=reasons, params=params
        )


def _linkage(n: int, pairs: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """scipy-style linkage rows from the representative pairs (the new cluster keeps the
    representative of the first)."""
    return linkage_matrix(n, pairs[:, 0], pairs[:, 1], vals[:, 0], vals[:, 1])


@checked_call
def intramax(
    graph: FlowGraph,
    k: int | None = None,
    *,
    min_objective: float | None = None,
    contiguity=None,
    name: str | None = None,
) -> Partition:
    """Intramax regions of ``graph``: the function twin of :class:`Intramax`.

    Parameters
    ----------
    graph : FlowGraph
        The flows (rows = origins, diagonal = flows within a zone).
    k : int, optional
        Number of regions (zones without any flow are not counted); fewer merges are
        possible when the flows fall into more groups with no interaction between them (a
        warning says so).
    min_objective : float, optional
        Stop at the first merge whose objective is below it (merges at exactly it are made).
        With ``k`` too, the first rule met stops. One of ``k`` and ``min_objective`` is
        required: without a stop rule :class:`~regionalize.InvalidParameterError`
        says so.
    contiguity : None, "auto", "require" or Contiguity
        None (default): any two clusters may merge; otherwise only adjacent ones (see
        :class:`Intramax`).
    name : str, optional
        Layer name of the partition (default ``"intramax"``).

    Returns
    -------
    Partition
        ``Intramax(k, min_objective=..., contiguity=..., name=...).fit(graph).partition_``.

    See Also
    --------
    regionalize.methods.Intramax : the estimator; fitted once, its ``cut(k)`` (or
        ``tree_.cut``) gives the regions at other sizes without recomputing the dendrogram.

    References
    ----------
    Masser, I. and Brown, P. J. B. (1975). Hierarchical aggregation procedures for
    interaction data. *Environment and Planning A* 7, 509-523.

    Examples
    --------
    >>> g = rz.FlowGraph.from_matrix([[5, 3, 0], [2, 6, 0], [0, 0, 9]], ids=["x", "y", "z"])
    >>> rz.methods.intramax(g, k=2).labels.to_dict()
    {'x': 'y', 'y': 'y', 'z': 'z'}
    """
    return (
        Intramax(k, min_objective=min_objective, contiguity=contiguity, name=name)
        .fit(graph)
        .partition_
    )
