"""flowbca: the flow-based cluster algorithm of Meekes & Hassink (2018).

Each step merges one unit into another: the unit ``r`` and destination ``s`` with the
largest relative outflow ``F_rs / sum_j F_rj`` over all current units (the row total counts
the flows inside ``r``; the diagonal itself is never a candidate). ``r`` disappears into
``s``, which keeps its name: the unit that is never merged into another is the centre of
its cluster. Stopping rules follow the Stata ``flowbca`` and the R port ``flowbcaR``.

The engine (:func:`flowbca_merges`) keeps the flows as sparse row and column dictionaries
and the largest flow of every row; a merge touches only the rows and columns of the two
units involved.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._base import Estimator, checked_call
from ..errors import InvalidParameterError, check_parameter, plain_scalar
from ..partition import Partition
from .intramax import NO_FLOWS, check_k
from .merge_tree import Cutter, MergeTree, linkage_matrix

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["FlowBCA", "flowbca", "flowbca_merges", "STOP_REASONS"]

#: why the merging stopped (:attr:`FlowBCA.stop_reason_`)
STOP_REASONS = {
    "no_flow": "no positive relative flow is left between units",
    "k": "k clusters reached",
    "q": "the largest relative flow is below q",
    "min_internal": "every cluster keeps at least min_internal of its flows inside",
    "mean_internal": "the mean internal relative flow reached mean_internal",
    "weighted_internal": "the weighted mean internal relative flow reached weighted_internal",
}


def flowbca_merges(
    matrix,
    *,
    q: float | None = None,
    k: int | None = None,
    min_internal: float | None = None,
    mean_internal: float | None = None,
    weighted_internal: float | None = None,
    active: np.ndarray | None = None,
):
    """The flowbca merge sequence of a flow matrix (the engine; positions, no ids).

    Parameters
    ----------
    matrix : scipy.sparse array or matrix, ``n x n``
        Flows, rows = origins; the diagonal counts as flows inside a unit.
    q, k, min_internal, mean_internal, weighted_internal
        Stopping rules, see :class:`FlowBCA`.
    active : bool array, optional
        Zones taking part (default: zones with any flow, diagonal included).

    Returns
    -------
    merges : list of tuple
        ``(unit, destination, relative_flow, flow)`` per merge, as zone positions.
    stop : str
        Key of :data:`STOP_REASONS`.
    internal, total : numpy.ndarray
        Flows inside each unit and its row total (diagonal included) at the stop; zones
        merged away keep their values at the time of their merge.
    """
    return _flowbca_run(
        matrix,
        q=q,
        k=k,
        min_internal=min_internal,
        mean_internal=mean_internal,
        weighted_internal=weighted_internal,
        active=active,
    )[:4]


def _flowbca_run(
    matrix,
    *,
    q=None,
    k=None,
    min_internal=None,
    mean_internal=None,
    weighted_internal=None,
    active=None,
):
    """:func:`flowbca_merges`, plus what its merge tree needs to cut it after any merge:
    ``history`` = (internal and row total of every zone before the first merge, internal
    and row total of the destination after each merge) and ``next_top``, the largest
    relative flow left at the stop (the value the next merge would have had)."""
    m = sp.csr_array(matrix, dtype=np.float64)
    n = m.shape[0]
    if active is None:
        active = (np.asarray(m.sum(axis=1)).ravel() + np.asarray(m.sum(axis=0)).ravel()) > 0
    total = np.asarray(m.sum(axis=1)).ravel()  # row totals R, diagonal included
    internal = np.asarray(m.diagonal(), dtype=np.float64).copy()
    coo = m.tocoo()
    off = (coo.row != coo.col) & (coo.data != 0)
    row: list[dict | None] = [{} for _ in range(n)]
    col: list[dict | None] = [{} for _ in range(n)]
    for i, j, f in zip(
        coo.row[off].tolist(), coo.col[off].tolist(), coo.data[off].tolist(), strict=True
    ):
        row[i][j] = f
        col[j][i] = f
    tot = total.tolist()

    def den(i: int) -> float:
        # as flowbcaR: a unit with no flows divides by 1 (its relative flows are all 0)
        return tot[i] if tot[i] != 0 else 1.0

    best_val = [0.0] * n
    best_dst = [-1] * n
    for i in range(n):
        if row[i]:
            j = max(row[i], key=row[i].__getitem__)
            best_val[i], best_dst[i] = row[i][j], j
    rel = np.full(n, -np.inf)
    for i in np.flatnonzero(active).tolist():
        rel[i] = best_val[i] / den(i)
    alive = np.asarray(active, dtype=bool).copy()
    n_units = int(alive.sum())
    stats = any(v is not None for v in (min_internal, mean_internal, weighted_internal))
    internal0, total0 = internal.copy(), total.copy()
    internal_after: list[float] = []
    total_after: list[float] = []

    def g(u: int, v: int) -> float:  # relative flow u -> v between distinct units
        return row[u].get(v, 0.0) / den(u)

    def rival_pick(cands: list[int]) -> int:
        # the candidate receiving the most relative flow from the other candidates
        # (flowbca's Mata caveats); the first one when they exchange nothing
        sums = [sum(g(u, v) for u in cands if u != v) for v in cands]
        if sum(sums) > 0:
            return cands[int(np.argmax(sums))]
        return cands[0]

    merges = []
    stop = "no_flow"
    while True:
        if k is not None and n_units <= k:
            stop = "k"
            break
        top = rel.max() if n_units else -np.inf
        if not top > 0:
            stop = "no_flow"
            break
        if q is not None and top < q:
            stop = "q"
            break
        if stats:
            units = np.flatnonzero(alive)
            tu = total[units]
            share = np.divide(internal[units], tu, out=np.zeros(len(units)), where=tu != 0)
            weight = tu.sum()
            if min_internal is not None and share.min() >= min_internal:
                stop = "min_internal"
                break
            if mean_internal is not None and share.mean() >= mean_internal:
                stop = "mean_internal"
                break
            if (
                weighted_internal is not None
                and weight > 0
                and float(share @ tu) / weight >= weighted_internal
            ):
                stop = "weighted_internal"
                break
        rows = np.flatnonzero(rel == top).tolist()
        pairs = [(i, j) for i in rows for j, f in row[i].items() if f / den(i) == top]
        if len(pairs) == 1:
            r, s = pairs[0]
        else:
            cand_r = sorted({p[0] for p in pairs})
            cand_s = sorted({p[1] for p in pairs})
            if len(cand_s) == 1:
                r, s = rival_pick(cand_r), cand_s[0]
            elif len(cand_r) == 1:
                r, s = cand_r[0], rival_pick(cand_s)
            else:
                s = rival_pick(cand_s)
                r = rival_pick(sorted(p[0] for p in pairs if p[1] == s))
        merges.append((r, s, float(top), row[r][s]))
        touched = _merge(r, s, row, col, internal, tot, best_val, best_dst)
        total[s] = tot[s]
        internal_after.append(float(internal[s]))
        total_after.append(float(total[s]))
        rel[r] = -np.inf
        alive[r] = False
        n_units -= 1
        rel[s] = best_val[s] / den(s)
        for i in touched:
            rel[i] = best_val[i] / den(i)
    next_top = float(rel.max()) if n_units else -np.inf
    history = (
        internal0,
        total0,
        np.asarray(internal_after, dtype=np.float64),
        np.asarray(total_after, dtype=np.float64),
    )
    return merges, stop, internal, total, history, next_top


def _merge(r, s, row, col, internal, tot, best_val, best_dst) -> list[int]:
    """Merge unit ``r`` into ``s`` in place; returns the rows whose largest flow changed."""
    touched = []
    rs, cs = row[s], col[s]
    changed = []
    for j, f in row[r].items():  # r's outflows become s's (or internal)
        cj = col[j]
        del cj[r]
        if j == s:
            internal[s] += f
        else:
            rs[j] = rs.get(j, 0.0) + f
            cj[s] = cj.get(s, 0.0) + f
            changed.append(j)
    for i, f in col[r].items():  # flows into r now go to s (or are internal)
        ri = row[i]
        del ri[r]
        if i == s:
            internal[s] += f
            continue
        v = ri.get(s, 0.0) + f
        ri[s] = v
        cs[i] = cs.get(i, 0.0) + f
        # F_is grew by F_ir >= the old F_ir: the largest flow of row i is either unchanged
        # or now goes to s (it cannot have been r and stay elsewhere)
        if best_dst[i] == r or v > best_val[i] or best_dst[i] == s:
            best_val[i], best_dst[i] = v, s
            touched.append(i)
    internal[s] += internal[r]
    tot[s] += tot[r]
    if best_dst[s] == r or best_dst[s] < 0:
        if rs:
            j = max(rs, key=rs.__getitem__)
            best_val[s], best_dst[s] = rs[j], j
        else:
            best_val[s], best_dst[s] = 0.0, -1
    else:
        b, bd = rs[best_dst[s]], best_dst[s]
        for j in changed:
            if rs[j] > b:
                b, bd = rs[j], j
        best_val[s], best_dst[s] = b, bd
    row[r] = None
    col[r] = None
    return touched


class FlowBCA(Estimator):
    """flowbca clusters: merge each unit into the destination of its largest relative flow.

    At each step, among all current units, the unit ``r`` and destination ``s`` with the
    largest relative outflow ``F_rs / R_r`` are merged: ``r`` joins ``s``, which keeps its
    name (``R_r`` is the row total of ``r``, flows inside ``r`` included). The merged
    unit's flows are the sums of its parts' (flows between them become internal). A
    cluster's centre is its unit that was never merged into another.

    **Complexity**: row and column dictionaries per unit; a merge folds the merged unit's
    flows into its destination and recomputes the best destination only of the units whose
    flows changed. Finding the largest relative flow is a vectorised scan of n values per
    merge, so the whole sequence is ``O(n^2)`` in that scan (fast in practice: about 3 s for
    35,000 zones) plus ``O(m log n)`` for the dictionary work; memory ``O(n + m)``.

    Parameters
    ----------
    q : float in (0, 1], optional
        Stop when the largest relative flow is below ``q`` (merges at exactly ``q`` are made).
    k : int, optional
        Stop when ``k`` clusters are left (zones without any flow are not counted).
    min_internal : float in (0, 1], optional
        Stop when every cluster keeps at least this share of its flows inside
        (``internal / row total``), the ``lm`` rule of flowbca.
    mean_internal : float in (0, 1], optional
        Stop when the mean internal relative flow over the clusters reaches it (``la``).
    weighted_internal : float in (0, 1], optional
        Stop when the mean internal relative flow weighted by the row totals reaches it
        (``lw``; this is the share of all flows that stay inside their cluster).
    name : str, optional
        Layer name (default ``"flowbca"``).

    Attributes
    ----------
    tree_ : MergeTree
        The recorded merges (:class:`~regionalize.methods.MergeTree`, heights =
        the relative flow of each merge, a similarity; ``merges_`` is its ``merges``). It
        is partial: it stops where this fit stopped (see :meth:`cut`).
    merges_ : pandas.DataFrame
        One row per merge: ``step``, ``unit`` (the zone id naming the merged unit),
        ``destination`` (the unit it joined), ``relative_flow``, ``flow`` (absolute flow
        ``F_rs``) and ``n_clusters`` left after it.
    stop_reason_ : str
        Why merging stopped, in words.
    partition_ : Partition
        Areas named after their centre; ``details`` records for every merged zone the unit
        it joined (``via``), the relative flow of that merge (``share``) and its depth in
        the merge tree (``order``: 1 = joined the centre, 2 = joined a unit that later
        joined the centre, ...). ``areas`` adds ``internal`` (flows inside), ``total``
        (row total, internal included) and ``internal_share``.
    labels_ : pandas.Series
        Area id (the centre zone id) per zone.

    Notes
    -----
    Whatever the rules, merging stops when no positive relative flow is left (the default
    rule); with several rules it stops at the first one met.

    The merge sequence does not depend on the rules (they only say when to stop), so the
    run with rule ``k`` or ``q`` makes the first merges of the run without them: fit
    ``FlowBCA()`` once (every merge until no positive relative flow is left) and
    :meth:`cut` gives ``FlowBCA(k=...)`` or ``FlowBCA(q)`` for any ``k`` or ``q``, exactly.

    Checked against the R port flowbcaR (J. Yun, github.com/urbanjj/Rflowbca and
    urbanjj/flowbcaR 1.1.0), a translation of the Stata/Mata ``flowbca.ado``; implemented
    is its default optimisation function (``opt_f = 1``, directed relative flows):

    - Relative flow ``G_rs = F_rs / R_r`` with ``R_r`` the full row total of unit ``r``,
      its internal flow (diagonal) included; a row total of 0 counts as 1. The diagonal is
      excluded from the search. After a merge the flows between ``r`` and ``s`` and ``r``'s
      internal flow become internal flows of ``s``, so they stay in ``R_s``.
    - The merge is the pair with the globally largest ``G_rs``; ties follow the Mata
      caveats as fixed in flowbcaR 1.1.0: with several candidate units for one
      destination, the candidate receiving the largest sum of relative flows from the other
      candidates merges (the first in graph order when they exchange nothing); several
      destinations for one unit are chosen the same way; with several of both, the
      destination first, then the unit among those tied for it.
    - ``min_internal`` / ``mean_internal`` / ``weighted_internal`` are flowbca's ``lm`` /
      ``la`` / ``lw``: internal relative flow ``internal / R`` (0 when ``R`` is 0), its
      minimum, mean and ``R``-weighted mean over the current clusters, tested before each
      merge (stop when the value is ``>=`` the parameter).
    - Differences: flowbcaR allows one stopping rule at a time and, by default, merges down
      to one cluster (``k = 1``), merging at relative flow 0 once flows run out; here the
      rules combine (first met wins) and merging always stops when no positive relative
      flow is left. Zones with no flow at all are unassigned (``"no flows in or out of the
      zone"``) and do not count in ``k`` or the internal-flow rules (flowbcaR keeps them as
      units with internal relative flow 0, which blocks ``lm``). The options ``opt_f = 2,
      3, 4``, ``smaller`` and ``non_zero`` are not implemented.

    On the KTDB si/gun trips (no diagonal), merging until no positive relative flow is left
    ends in one cluster (Seoul): the flows connect every unit. The 13 clusters of the
    flowbcaR README come from ``min_internal=0.1`` (``lm = 0.1``).

    See Also
    --------
    regionalize.methods.flowbca : the function twin, returning the Partition.
    regionalize.methods.MergeTree : the recorded merges, cut at any size.
    regionalize.methods.Intramax : another hierarchical merge, by standardised interaction.

    References
    ----------
    Meekes, J. and Hassink, W. H. J. (2018). flowbca: A flow-based cluster algorithm in
    Stata. *The Stata Journal* 18(3), 564-584.

    Examples
    --------
    Relative flows: a sends all its flows to b (1.0), c all its to d (1.0); the tie goes to
    the destination receiving flow from the other candidate destination (b -> d), so c
    joins d first, then a joins b, then b (1/35 of its flows to d) joins d.

    >>> import pandas as pd
    >>> from regionalize.methods import FlowBCA
    >>> rows = [("a", "b", 10), ("b", "a", 4), ("b", "b", 20), ("b", "d", 1), ("c", "d", 8),
    ...         ("d", "d", 15)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> m = FlowBCA().fit(g)
    >>> m.merges_[["unit", "destination", "relative_flow"]].round(4)
      unit destination  relative_flow
    0    c           d         1.0000
    1    a           b         1.0000
    2    b           d         0.0286
    >>> FlowBCA(q=0.5).fit(g).labels_.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'd', 'd': 'd'}
    """

    layer = "flowbca"

    def __init__(
        self,
        q: float | None = None,
        *,
        k: int | None = None,
        min_internal: float | None = None,
        mean_internal: float | None = None,
        weighted_internal: float | None = None,
        name: str | None = None,
    ):
        self.q = q
        self.k = k
        self.min_internal = min_internal
        self.mean_internal = mean_internal
        self.weighted_internal = weighted_internal
        self.name = name

    def check_params(self) -> None:
        """Check the parameters (run before every ``fit``).

        Raises
        ------
        InvalidParameterError
            When ``k`` is not an int >= 1, or ``q``, ``min_internal``, ``mean_internal`` or
            ``weighted_internal`` is not in (0, 1] (None is allowed for all).

        Examples
        --------
        >>> rz.methods.FlowBCA(q=0.05, min_internal=0.5).check_params()
        >>> rz.methods.FlowBCA(q=1.5).check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'q' parameter of FlowBCA must be a float in (0, 1]. Got 1.5 instead.
        """
        owner = type(self).__name__
        check_k(owner, self.k)
        for key in ("q", "min_internal", "mean_internal", "weighted_internal"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, Real) and not isinstance(value, bool):
                value = float(value)
            check_parameter(owner, key, value, interval=(0, 1), closed="right")

    def fit(self, graph: FlowGraph) -> FlowBCA:
        """Run the merges on ``graph`` until a stop rule is met.

        Parameters
        ----------
        graph : FlowGraph
            The flows (rows = origins, diagonal = flows inside a zone).

        Returns
        -------
        self : FlowBCA
            Fitted: ``tree_``, ``merges_``, ``stop_reason_``, ``partition_``, ``labels_``.

        Examples
        --------
        x sends two thirds of its flows to y and joins it; z sends all its flows to x and y,
        one unit after that merge, and joins too. The record says why merging stopped:

        >>> g = rz.FlowGraph.from_matrix([[0, 6, 3], [0, 8, 0], [2, 1, 0]], ["x", "y", "z"])
        >>> fb = rz.methods.FlowBCA().fit(g)
        >>> fb.merges_[["unit", "destination", "relative_flow"]].round(3)
          unit destination  relative_flow
        0    x           y          0.667
        1    z           y          1.000
        >>> fb.stop_reason_
        'no positive relative flow is left between units'
        """
        matrix = graph.matrix
        n = graph.n_zones
        active = (
            np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()
        ) > 0
        merges, stop, internal, total, history, next_top = _flowbca_run(
            matrix,
            q=self.q,
            k=self.k,
            min_internal=self.min_internal,
            mean_internal=self.mean_internal,
            weighted_internal=self.weighted_internal,
            active=active,
        )
        ids = graph.ids.to_numpy()
        r = np.array([mg[0] for mg in merges], dtype=np.int64)
        s = np.array([mg[1] for mg in merges], dtype=np.int64)
        table = pd.DataFrame(
            {
                "step": np.arange(1, len(merges) + 1, dtype=np.int64),
                "unit": pd.Series(ids[r], dtype=object),
                "destination": pd.Series(ids[s], dtype=object),
                "relative_flow": np.array([mg[2] for mg in merges], dtype=np.float64),
                "flow": np.array([mg[3] for mg in merges], dtype=np.float64),
                "n_clusters": int(active.sum()) - np.arange(1, len(merges) + 1, dtype=np.int64),
            }
        )
        self.stop_reason_ = STOP_REASONS[stop]
        rel = table["relative_flow"].to_numpy().copy()  # the tree's own, whatever merges_ becomes
        layer = self.name or self.layer
        cutter = _FlowBCACutter(
            graph,
            r,
            s,
            rel,
            active,
            history,
            next_top,
            stop,
            self.get_params(),
            layer,
            type(self).__name__,
        )
        # the destination keeps its name: the new cluster goes on under s
        self.tree_ = MergeTree(
            ids,
            linkage_matrix(n, s, r, rel),
            table,
            method=self.layer,
            measure="relative_flow",
            kind="similarity",
            cutter=cutter,
            n_active=int(active.sum()),
        )
        self.merges_ = self.tree_.merges
        params = {**self.get_params(), "stop_reason": self.stop_reason_, "n_merges": len(merges)}
        self.partition_: Partition = _flowbca_partition(
            graph, r, s, rel, active, internal, total, params, layer
        )
        self.labels_ = self.partition_.labels
        return self

    def cut(self, k: int | None = None, *, q: float | None = None) -> Partition:
        """The clusters after the first merges of the fitted sequence.

        Exactly the partition of ``FlowBCA(q, k=k, ...)`` fitted on the same graph with the
        other parameters of this one (``min_internal``, ``mean_internal``,
        ``weighted_internal``, ``name``): the merge sequence does not depend on the stop
        rules, so that run makes the first merges of this one and stops at the first rule
        met. The same as ``tree_.cut(k, height=q)``.

        Parameters
        ----------
        k : int, optional
            Stop when ``k`` clusters are left (zones without any flow are not counted).
        q : float in (0, 1], optional
            Stop when the largest relative flow is below ``q``.

        Returns
        -------
        Partition
            Its ``params`` are those of that run (``k`` and ``q`` the ones given here).

        Raises
        ------
        InvalidParameterError
            When that run would go on beyond the merges this fit recorded: this FlowBCA was
            stopped by its own ``k`` or ``q`` earlier than the cut asks. Fit ``FlowBCA()``
            (no ``k``, no ``q``: every merge is recorded) and cut that.

        Examples
        --------
        One run records every merge; cuts give the clusters of runs with ``k`` or ``q``:

        >>> g = rz.FlowGraph.from_matrix([[0, 6, 3], [0, 8, 0], [2, 1, 0]], ["x", "y", "z"])
        >>> fb = rz.methods.FlowBCA().fit(g)
        >>> fb.cut(2).labels.to_dict()
        {'x': 'y', 'y': 'y', 'z': 'z'}
        >>> fb.cut(2).equals(rz.methods.FlowBCA(k=2).fit(g).partition_)
        True
        """
        if "tree_" not in vars(self):
            raise InvalidParameterError("This FlowBCA is not fitted yet; call fit(graph).")
        return self.tree_._partition(k, q, stacklevel=4)


def _flowbca_partition(
    graph,
    r: np.ndarray,
    s: np.ndarray,
    rel: np.ndarray,
    active: np.ndarray,
    internal: np.ndarray,
    total: np.ndarray,
    params: dict,
    layer: str,
) -> Partition:
    """The clusters after the merges ``r[i] -> s[i]`` (relative flows ``rel``); ``internal``
    and ``total`` are the units' flows inside and row totals after them."""
    n = graph.n_zones
    ids = graph.ids.to_numpy()
    # the merge tree: each merged zone points at the unit it joined
    parent = np.full(n, -1, np.int64)
    share = np.full(n, np.nan)
    parent[r] = s
    share[r] = rel
    root = np.arange(n)
    depth = np.zeros(n, np.int64)
    for i in reversed(range(len(r))):  # a destination's own merge comes later
        root[r[i]] = root[s[i]]
        depth[r[i]] = depth[s[i]] + 1
    codes = np.where(active, root, -1)
    centres_pos = np.unique(codes[codes >= 0])
    reasons = np.where(active, None, NO_FLOWS).astype(object)
    t = total[centres_pos]
    extra = pd.DataFrame(
        {
            "internal": internal[centres_pos],
            "total": t,
            "internal_share": np.divide(
                internal[centres_pos], t, out=np.zeros(len(t)), where=t != 0
            ),
        }
    )
    part = Partition.from_codes(
        graph,
        codes,
        layer=layer,
        kind="flowbca cluster",
        centres=[np.array([c]) for c in centres_pos],
        reasons=reasons,
        params=params,
        area_extra=extra,
    )
    details = part.details
    merged = parent >= 0
    via = np.full(n, None, dtype=object)
    via[merged] = ids[parent[merged]]
    details["via"] = pd.Series(via, index=details.index, dtype=object)
    details["share"] = share
    order = pd.array(depth, dtype="Int64")
    order[~active] = pd.NA
    details["order"] = order
    return Partition(part.name, part.ids, details, part.areas, part.params)


#: stop rules evaluated on the internal flows of the clusters
_STATS_RULES = ("min_internal", "mean_internal", "weighted_internal")


class _FlowBCACutter(Cutter):
    """The cuts of a fitted flowbca merge sequence (see :class:`MergeTree`)."""

    def __init__(
        self,
        graph,
        r,
        s,
        rel,
        active,
        history,
        next_top: float,
        stop: str,
        params: dict,
        layer: str,
        owner: str,
    ):
        self.graph = graph
        self.r, self.s, self.rel = r, s, rel
        self.active = active
        self.internal0, self.total0, self.internal_after, self.total_after = history
        self.next_top = next_top
        self.stop = stop
        self.params = params
        self.layer = layer
        self.owner = owner

    def _steps(self, k, q) -> tuple[int, str]:
        """Merges made and stop key of the run with rules ``k``, ``q`` and the fitted
        internal-flow rules: the engine's checks (k, no flow, q, internal flows, in this
        order, before each merge) replayed on the recorded merges."""
        check_k(self.owner, k)
        if q is not None:
            check_parameter(
                self.owner,
                "q",
                float(q) if isinstance(q, Real) and not isinstance(q, bool) else q,
                interval=(0, 1),
                closed="right",
            )
        n_last = len(self.r)
        n_active = int(self.active.sum())
        # before a recorded merge no rule of the fit held (its relative flow > 0, the
        # internal-flow rules were tested and failed): only the cut's k and q can stop
        at_k = max(n_active - k, 0) if k is not None else n_last + 1
        at_q = n_last + 1
        if q is not None:
            below = np.flatnonzero(self.rel < q)
            if len(below):
                at_q = int(below[0])
        steps = min(at_k, at_q)
        if steps < n_last:
            return steps, ("k" if steps == at_k else "q")
        # at the end of the recorded merges, the checks the fit made there
        if at_k <= n_last:
            return n_last, "k"
        if not self.next_top > 0:
            return n_last, "no_flow"
        if q is not None and self.next_top < q:
            return n_last, "q"
        if self.stop in _STATS_RULES:
            return n_last, self.stop
        rule = {"k": "k", "q": "q"}[self.stop]
        raise InvalidParameterError(
            f"{self.owner}.cut(k={k!r}, q={q!r}) needs merges beyond the {n_last} this fit "
            f"recorded: it was fitted with {rule}={self.params[rule]!r}, which stopped the "
            f"merges ({STOP_REASONS[self.stop]}). Fit {self.owner}() without k and q to "
            f"record every merge, then cut it."
        )

    def n_clusters(self, k, height) -> int:
        return int(self.active.sum()) - self._steps(k, height)[0]

    def partition(self, k, height, *, stacklevel: int = 2) -> Partition:
        k, q = plain_scalar(k), plain_scalar(height)  # as the estimator stores them
        steps, stop = self._steps(k, q)
        internal, total = self.internal0.copy(), self.total0.copy()
        if steps:
            # the destination's values after its last merge among the first ones
            dest = self.s[:steps][::-1]
            last, at = np.unique(dest, return_index=True)
            internal[last] = self.internal_after[:steps][::-1][at]
            total[last] = self.total_after[:steps][::-1][at]
        params = {
            **self.params,
            "q": q,
            "k": k,
            "stop_reason": STOP_REASONS[stop],
            "n_merges": steps,
        }
        return _flowbca_partition(
            self.graph,
            self.r[:steps],
            self.s[:steps],
            self.rel[:steps],
            self.active,
            internal,
            total,
            params,
            self.layer,
        )


@checked_call
def flowbca(
    graph: FlowGraph,
    q: float | None = None,
    *,
    k: int | None = None,
    min_internal: float | None = None,
    mean_internal: float | None = None,
    weighted_internal: float | None = None,
    name: str | None = None,
) -> Partition:
    """The flowbca clusters of ``graph``: the function twin of :class:`FlowBCA`.

    Parameters
    ----------
    graph : FlowGraph
        The flows (rows = origins, diagonal = flows inside a zone).
    q : float in (0, 1], optional
        Stop when the largest relative flow is below ``q`` (merges at exactly ``q`` are made).
    k : int, optional
        Stop when ``k`` clusters are left (zones without any flow are not counted).
    min_internal : float in (0, 1], optional
        Stop when every cluster keeps at least this share of its flows inside (``lm``).
    mean_internal : float in (0, 1], optional
        Stop when the mean internal relative flow over the clusters reaches it (``la``).
    weighted_internal : float in (0, 1], optional
        Stop when the row-total-weighted mean internal relative flow reaches it (``lw``).
    name : str, optional
        Layer name (default ``"flowbca"``).

    Returns
    -------
    Partition
        ``FlowBCA(q, k=k, ...).fit(graph).partition_``: areas named after their centre.

    See Also
    --------
    regionalize.methods.FlowBCA : the estimator; ``FlowBCA().fit(graph).cut(k)`` gives
        this function's result for any ``k`` (or ``q``) from one run.

    Notes
    -----
    Whatever the rules, merging stops when no positive relative flow is left; with several
    rules it stops at the first one met.

    References
    ----------
    Meekes, J. and Hassink, W. H. J. (2018). flowbca: A flow-based cluster algorithm in
    Stata. *The Stata Journal* 18(3), 564-584.

    Examples
    --------
    >>> g = rz.FlowGraph.from_matrix([[0, 6, 3], [0, 8, 0], [2, 1, 0]], ids=["x", "y", "z"])
    >>> rz.methods.flowbca(g).labels.to_dict()
    {'x': 'y', 'y': 'y', 'z': 'y'}
    >>> rz.methods.flowbca(g, k=2).labels.to_dict()
    {'x': 'y', 'y': 'y', 'z': 'z'}
    """
    return (
        FlowBCA(
            q,
            k=k,
            min_internal=min_internal,
            mean_internal=mean_internal,
            weighted_internal=weighted_internal,
            name=name,
        )
        .fit(graph)
        .partition_
    )
