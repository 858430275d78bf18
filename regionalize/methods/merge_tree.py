"""One result for the hierarchical methods: the merge tree, fitted once and cut at any size.

:class:`~regionalize.methods.Intramax`,
:class:`~regionalize.methods.CommutingZones` and
:class:`~regionalize.methods.FlowBCA` build their regions by merging two clusters at
a time. Their ``fit`` records the sequence of merges once as a :class:`MergeTree`
(``tree_``); :meth:`MergeTree.cut` then gives the regions after any number of merges, each
exactly the partition the method gives when run with that stop rule ("what if 30 regions
instead of 50?" without refitting).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..partition import Partition

__all__ = ["MergeTree", "Cutter", "linkage_matrix"]


class Cutter:
    """What a :class:`MergeTree` needs from its method: the partition of a cut, built by the
    method's own code, and the number of clusters of a cut without building it.

    Each method defines one (a picklable object holding the fitted state: the graph, the
    merges, the parameters of the fit), so a tree stays valid when its estimator is refitted.
    """

    def partition(self, k: int | None, height: float | None, *, stacklevel: int = 2) -> Partition:
        """The partition of the cut (``stacklevel`` places the warnings it gives)."""
        raise NotImplementedError

    def n_clusters(self, k: int | None, height: float | None) -> int:
        """The number of clusters of the cut (zones without flows not counted)."""
        raise NotImplementedError


def linkage_matrix(
    n: int, keep: np.ndarray, gone: np.ndarray, heights: np.ndarray, sizes: np.ndarray | None = None
) -> np.ndarray:
    """scipy-style linkage rows from merges named by zone positions.

    Parameters
    ----------
    n : int
        Number of leaves (zone positions ``0 .. n-1``).
    keep, gone : int arrays, one entry per merge
        A zone of each merged cluster; the new cluster goes on under ``keep``'s name (a
        later merge naming ``keep`` means the new cluster, one naming ``gone`` is invalid).
    heights : float array
        Third column (the method's merge value).
    sizes : float array, optional
        Fourth column, the size of the new cluster (default: counted here).

    Returns
    -------
    numpy.ndarray, shape ``(len(keep), 4)``
        Rows ``(id_1, id_2, height, size)`` with ``id_1 < id_2``: ids below ``n`` are zone
        positions, the cluster made at step ``s`` (1, 2, ...) is ``n + s - 1``.

    Examples
    --------
    >>> linkage_matrix(3, np.array([2, 0]), np.array([1, 2]), np.array([0.5, 0.9]))
    array([[1. , 2. , 0.5, 2. ],
           [0. , 3. , 0.9, 3. ]])
    """
    current: dict[int, int] = {}  # zone naming a cluster -> linkage id of that cluster
    count: dict[int, int] = {}
    out = np.empty((len(keep), 4), dtype=np.float64)
    for s, (a, b) in enumerate(
        zip(np.asarray(keep).tolist(), np.asarray(gone).tolist(), strict=True)
    ):
        ia, ib = current.get(a, a), current.get(b, b)
        size = count.get(ia, 1) + count.get(ib, 1)
        out[s] = (min(ia, ib), max(ia, ib), heights[s], size if sizes is None else sizes[s])
        current[a] = n + s
        count[n + s] = size
    return out


class MergeTree:
    """The merges of a hierarchical method, cut into regions at any number of clusters.

    Built by the ``fit`` of :class:`~regionalize.methods.Intramax`,
    :class:`~regionalize.methods.CommutingZones` and
    :class:`~regionalize.methods.FlowBCA` (their ``tree_``); each estimator's ``cut``
    delegates to :meth:`cut`. A cut is exactly the partition the method gives when run with
    the same stop rule (same labels, area ids and their order, centres, roles and params),
    because it is built by the method's own code from the first merges of the tree.

    Parameters
    ----------
    ids : sequence
        The leaves: leaf ``i`` of ``Z`` is the zone ``ids[i]``. Intramax and FlowBCA keep
        every zone of the graph (graph order; zones without flows never merge);
        CommutingZones only the zones with commuting flows in or out, in graph order (its
        ``linkage_`` is over them).
    Z : numpy.ndarray, shape ``(m, 4)``
        The merges as a scipy linkage matrix: row ``s - 1`` merges the clusters ``Z[s-1, 0]``
        and ``Z[s-1, 1]`` (ids below ``len(ids)`` are leaves, the cluster made at step ``s``
        is ``len(ids) + s - 1``) at height ``Z[s-1, 2]`` into a cluster of ``Z[s-1, 3]``
        leaves. A full tree has ``len(ids) - 1`` rows and is a valid scipy linkage
        (``scipy.cluster.hierarchy.is_valid_linkage``). A partial tree has fewer rows, which
        scipy does not accept as such: groups of zones that never interact stay apart and
        zones without flows never merge (Intramax, FlowBCA: the tree ends with
        :attr:`n_components` clusters), and FlowBCA's tree stops where its fit stopped.
    merges : pandas.DataFrame
        The method's own table of the merges, one row per row of ``Z``, with at least
        ``step`` (1, 2, ...) and ``n_clusters`` (clusters left after the merge).
    method : str
        Name of the method (``"intramax"``, ``"commuting_zones"``, ``"flowbca"``).
    measure : str
        What the heights are (``"objective"``, ``"distance"``, ``"relative_flow"``).
    kind : {"distance", "similarity"}
        ``"distance"``: merges go from the lowest height up (CommutingZones' average
        linkage: the heights do not decrease), and ``cut(height=t)`` makes the merges at heights
        ``<= t``; with ``contiguity=`` only touching clusters merge, heights can then go down
        (inversions), and the cut stops before the first merge above ``t``. ``"similarity"``: each merge is the one of largest value at its step
        (Intramax's objective, FlowBCA's relative flow), the heights are *not* monotone, and
        ``cut(height=t)`` makes the merges up to the first one below ``t`` (scipy functions
        that read the heights as distances, such as ``fcluster(criterion="distance")`` or
        ``dendrogram``, do not apply to them as such).
    cutter : Cutter
        Builds the partitions (the method's code and fitted state).
    n_active : int, optional
        Leaves that take part (zones with flows); default all.

    Attributes
    ----------
    ids : pandas.Index
    Z : numpy.ndarray
    merges : pandas.DataFrame
    method, measure, kind : str

    Notes
    -----
    What ``k`` and ``height`` mean in :meth:`cut` is the method's stop rule, and the cut is
    the method's run with it:

    - Intramax: ``k`` regions and/or ``height = min_objective`` (the first rule met stops;
      merges at exactly ``min_objective`` are made); one of them is required. The cut is
      ``Intramax(k, min_objective=height)`` with the fitted contiguity and name; when the
      zones form more than ``k`` groups that never interact it has that many regions and
      warns, as the run does.
    - CommutingZones: ``height = cutoff`` (scipy's ``fcluster(criterion="distance")``; the
      cut is ``CommutingZones(cutoff)``, params included) or ``k`` (scipy's
      ``fcluster(criterion="maxclust")``: exactly ``k`` clusters unless several merges at
      the same height straddle ``k``; ties cannot be split and give fewer). With both, the
      cut with more clusters; with neither, the fitted ``cutoff``.
    - FlowBCA: ``k`` clusters and/or ``height = q`` (stop at the first merge whose relative
      flow is below ``q``; without them, until no positive relative flow is left). The cut
      is ``FlowBCA(q, k=k)`` with the fitted ``min_internal``, ``mean_internal``,
      ``weighted_internal`` and name. A cut that run would take beyond the recorded merges
      (the fit was stopped earlier by its own ``k`` or ``q``) raises
      :class:`~regionalize.InvalidParameterError`: fit ``FlowBCA()`` to record
      every merge.

    Examples
    --------
    Five zones, every row and column total 50: C-D exchange 15 each way, A-B 10, D-E 5 and
    B-C 2. Intramax's objective is the two-way flow over the product of the totals: C-D
    first (30 / 2500), then A-B (20 / 2500), then CD-E (5 / (100 * 50) twice), then the
    rest (2 / (100 * 150) twice).

    >>> import pandas as pd
    >>> from regionalize.methods.intramax import Intramax
    >>> rows = [("A", "A", 40), ("A", "B", 10), ("B", "A", 10), ("B", "B", 38),
    ...         ("B", "C", 2), ("C", "B", 2), ("C", "C", 33), ("C", "D", 15),
    ...         ("D", "C", 15), ("D", "D", 30), ("D", "E", 5), ("E", "D", 5),
    ...         ("E", "E", 45)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> tree = Intramax().fit(g).tree_
    >>> tree
    MergeTree(intramax: 5 zones, 4 merges, objective 0.012 .. 0.000267)
    >>> tree.to_frame().round(6)
       step  left  right    height  size  n_clusters  a  b
    0     1     2      3  0.012000     2           4  C  D
    1     2     0      1  0.008000     2           3  A  B
    2     3     4      5  0.002000     3           2  C  E
    3     4     6      7  0.000267     5           1  A  C
    >>> tree.cut(2).labels.to_dict()
    {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C', 'E': 'C'}
    >>> tree.cut(2).equals(Intramax(k=2).fit(g).partition_)
    True
    >>> [tree.n_clusters(h) for h in (0.01, 0.005, 0.001)]
    [4, 3, 2]

    CommutingZones' tree of the same flows is a distance tree: ``1 - PF`` averaged.

    >>> from regionalize.methods.commuting_zones import CommutingZones
    >>> cz = CommutingZones().fit(g).tree_
    >>> cz.heights.round(4).tolist()
    [0.4, 0.6, 0.9, 0.9867]
    >>> cz.cut(height=0.7).labels.to_dict()
    {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C', 'E': 'E'}
    """

    def __init__(
        self,
        ids: Sequence | np.ndarray | pd.Index,
        Z: np.ndarray,
        merges: pd.DataFrame,
        *,
        method: str,
        measure: str,
        kind: str,
        cutter: Cutter,
        n_active: int | None = None,
    ):
        if kind not in ("distance", "similarity"):
            raise ValueError(f"kind must be 'distance' or 'similarity', not {kind!r}")
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != 4 or len(Z) != len(merges):
            raise ValueError(
                f"Z must have 4 columns and one row per merge ({len(merges)}); got shape {Z.shape}"
            )
        self.ids = pd.Index(ids, dtype=object)
        self.Z = Z
        self.merges = merges
        self.method = method
        self.measure = measure
        self.kind = kind
        self._cutter = cutter
        self._n_active = len(self.ids) if n_active is None else int(n_active)

    # ------------------------------------------------------------------ sizes
    @property
    def n_leaves(self) -> int:
        """Number of leaves (zones) of the tree."""
        return len(self.ids)

    @property
    def n_merges(self) -> int:
        """Number of merges (rows of ``Z``)."""
        return len(self.Z)

    @property
    def n_active(self) -> int:
        """Leaves that take part in the clustering (zones with flows)."""
        return self._n_active

    @property
    def n_components(self) -> int:
        """Clusters left after the last merge (1 for a full tree)."""
        return self._n_active - self.n_merges

    @property
    def complete(self) -> bool:
        """Whether the tree ends in one cluster of all the leaves (``len(ids) - 1`` merges)."""
        return self.n_merges == self.n_leaves - 1

    @property
    def heights(self) -> np.ndarray:
        """The height of each merge, in merge order (a copy of ``Z[:, 2]``)."""
        return self.Z[:, 2].copy()

    # ------------------------------------------------------------------ cuts
    def cut(self, k: int | None = None, *, height: float | None = None) -> Partition:
        """The regions after the first merges of the tree.

        Parameters
        ----------
        k : int, optional
            Number of clusters (zones without flows not counted).
        height : float, optional
            Threshold on the heights: for a ``"distance"`` tree the merges at heights
            ``<= height``; for a ``"similarity"`` tree the merges up to the first one whose
            height is below ``height`` (merges exactly at it are made).

        Returns
        -------
        Partition
            Exactly what the method gives when run with that stop rule (see the Notes of
            the class for each method's rule, and what it does without ``k`` and
            ``height``).

        Examples
        --------
        Four zones: C and D exchange most for their size, then A and B. One Intramax fit,
        then regions at any number of clusters or objective level:

        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> tree = rz.methods.Intramax().fit(g).tree_
        >>> tree.cut(3).labels.to_dict()
        {'A': 'A', 'B': 'B', 'C': 'C', 'D': 'C'}
        >>> tree.cut(height=0.005).labels.to_dict()
        {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C'}
        """
        return self._partition(k, height, stacklevel=4)

    def _partition(self, k, height, *, stacklevel: int) -> Partition:
        # the estimators' fit and cut call this; warnings point ``stacklevel`` frames up
        # from the cutter: cutter (1), here (2), the estimator's method or cut (3), its
        # caller (4)
        return self._cutter.partition(k, height, stacklevel=stacklevel)

    def n_clusters(self, height: float) -> int:
        """Number of clusters of ``cut(height=height)``, without building the partition.

        Parameters
        ----------
        height : float
            As in :meth:`cut`.

        Returns
        -------
        int
            Clusters left (zones without flows not counted).

        Examples
        --------
        How many regions each objective level would give, to choose a cut:

        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> tree = rz.methods.Intramax().fit(g).tree_
        >>> [tree.n_clusters(h) for h in (0.01, 0.005, 0.0001)]
        [3, 2, 1]
        """
        return self._cutter.n_clusters(None, height)

    # ------------------------------------------------------------------ views
    def to_frame(self) -> pd.DataFrame:
        """The tree as one table, one row per merge.

        Returns
        -------
        pandas.DataFrame
            ``step``, the linkage columns ``left`` and ``right`` (cluster ids as in
            ``Z``), ``height`` and ``size``, ``n_clusters`` left after the merge, then
            the method's own columns of ``merges`` naming the merged clusters by zone
            id (``a`` / ``b``, or FlowBCA's ``unit`` / ``destination`` / ``flow``).

        Examples
        --------
        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> rz.methods.CommutingZones().fit(g).tree_.to_frame().round(3)
           step  left  right  height  size  n_clusters  a  b
        0     1     2      3   0.333     2           3  C  D
        1     2     0      1   0.600     2           2  A  B
        2     3     4      5   0.980     4           1  A  C
        """
        frame = pd.DataFrame(
            {
                "step": np.arange(1, self.n_merges + 1, dtype=np.int64),
                "left": self.Z[:, 0].astype(np.int64),
                "right": self.Z[:, 1].astype(np.int64),
                "height": self.Z[:, 2],
                "size": self.Z[:, 3].astype(np.int64),
                "n_clusters": self.merges["n_clusters"].to_numpy(dtype=np.int64),
            }
        )
        skip = {"step", "size", "n_clusters", self.measure}
        for col in self.merges.columns:
            if col not in skip:
                frame[col] = self.merges[col].to_numpy()
        return frame

    def __len__(self) -> int:
        return self.n_merges

    def __repr__(self) -> str:
        span = ""
        if self.n_merges:
            first, last = self.Z[0, 2], self.Z[-1, 2]
            span = f", {self.measure} {first:.3g} .. {last:.3g}"
        left = "" if self.n_components <= 1 else f", {self.n_components} clusters left"
        return (
            f"MergeTree({self.method}: {self.n_leaves} zones, {self.n_merges} merges{left}{span})"
        )
