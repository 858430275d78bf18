"""US commuting zones (Tolbert & Sizer 1996; Fowler, Jensen & Rhubart 2016/2020).

Counties are clustered by average-linkage hierarchical clustering on the dissimilarity
``1 - PF_ij`` with the proportional flow ``PF_ij = (F_ij + F_ji) / min(R_i, R_j)`` (``R`` the
resident labour force: employed residents, diagonal included), and the tree is cut at 0.977.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._base import Estimator, checked_call
from .._checks import number
from .._memory import check_dense
from ..errors import InvalidParameterError, check_parameter, plain_scalar
from ..partition import Partition
from ._average_linkage import average_linkage
from .intramax import check_k
from .merge_tree import Cutter, MergeTree

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["CommutingZones", "commuting_zones", "proportional_flow"]


def proportional_flow(graph: FlowGraph) -> sp.csr_array:
    """``PF_ij = (F_ij + F_ji) / min(R_i, R_j)`` for every pair with a flow (i != j)."""
    f = sp.csr_array(graph.matrix)
    sym = sp.csr_array(f + f.T).tocoo()
    keep = sym.row != sym.col
    r = np.asarray(graph.residents, dtype=float)
    i, j, v = sym.row[keep], sym.col[keep], sym.data[keep]
    denom = np.minimum(r[i], r[j])
    with np.errstate(
        divide="ignore", invalid="ignore", over="ignore"
    ):  # PF beyond float: inf, distance 0
        pf = np.where(denom > 0, v / np.where(denom > 0, denom, 1.0), 0.0)
    return sp.csr_array((pf, (i, j)), shape=f.shape)


class CommutingZones(Estimator):
    """Commuting zones by average-linkage clustering of proportional flows.

    **Complexity**: memory and time grow with the pairs of zones that exchange commuters,
    not with the square of the zones: the linkage runs over the sparse distances alone.
    On synthetic countries of 10k-100k zones (seed 0) ``fit`` takes time growing as
    zones^0.8 (flows^0.8) and the linkage itself as zones^1.0 (flows^0.95) with numba
    installed (zones^1.1 without). The linkage of 100k zones and 2.8 million flows takes
    about 1.3 s with numba (7 s without), that of 250k zones about 2.5 s; most of ``fit``
    is then building the Partition. A zone linked to very many zones that merge one by one
    (a star) costs time quadratic in their number (scipy's dense linkage always does).

    Parameters
    ----------
    cutoff : float
        Height at which the average-linkage tree is cut (default 0.977, Tolbert & Sizer's
        1990 value; Fowler et al. discuss its sensitivity).
    name : str, optional
        Layer name (default ``"commuting_zone"``).

    Attributes
    ----------
    partition_ : Partition
        Areas have no centres (each is named after its zone with the most jobs).
    tree_ : MergeTree
        The dendrogram (:class:`~regionalize.methods.MergeTree`, heights = the
        average-linkage distance): ``tree_.cut(k)`` is :meth:`cut`. Its leaves are the
        zones with flows, its ``merges`` names the merged clusters by their first zone.
    linkage_ : numpy.ndarray
        The scipy linkage matrix (full dendrogram) over the zones with flows
        (``tree_.Z``).

    Notes
    -----
    - ``PF`` can exceed 1 when a small county sends and receives more than its own labour
      force; the dissimilarity ``1 - PF`` is then clipped at 0 (as distances must be
      non-negative), which only makes such pairs as close as possible.
    - Zones without employed residents (``R = 0``) have ``PF = 0`` with everyone and end up
      alone; zones with no flow at all are unassigned with a reason.
    - The linkage matrix is scipy's ``linkage(D, "average")`` of the dense condensed
      matrix ``D`` bit for bit (same merges, heights and cluster numbers, ties included),
      computed without ``D``: a pair without flow is at distance exactly 1, and averaging
      two such distances gives exactly 1 again, so scipy's nearest-neighbour chain can be
      replayed over the pairs with a flow alone (with the same floating-point operations).
      There is no limit on the number of zones: memory grows with the flows, not with
      ``n²``. numba, when installed (the ``fast`` extra), makes it about twice as fast;
      without it the same merges are computed in Python.
    - The tree is built once: :meth:`cut` gives the zones at another cutoff (exactly
      ``CommutingZones(cutoff)``) or at ``k`` zones without clustering again. Merges at one height
      cannot be split (e.g. the pairs at ``PF >= 1``, all at distance 0): when such ties
      straddle ``k``, ``cut(k)`` has fewer than ``k`` zones (scipy's ``maxclust``).

    See Also
    --------
    regionalize.methods.commuting_zones : the function twin, returning the Partition.
    regionalize.methods.MergeTree : the dendrogram, cut at any size.
    regionalize.datasets.load_us_commuting_zones_1990 : the official 1990 zones, to compare.

    References
    ----------
    Tolbert, C. M. and Sizer, M. (1996). U.S. commuting zones and labor market areas: a
    1990 update. Economic Research Service, U.S. Department of Agriculture.

    Fowler, C. S., Rhubart, D. C. and Jensen, L. (2016). Reassessing and revising commuting
    zones for 2010: history, assessment, and updates for U.S. 'labor-sheds' 1990-2010.
    *Population Research and Policy Review* 35(2), 263-286.

    Examples
    --------
    a and b exchange 35 commuters for 100 workers each (``PF = 0.35``, distance 0.65); c
    sends one commuter to b (distance 0.99, 0.995 on average to a and b), above the cutoff:

    >>> import numpy as np
    >>> m = np.array([[80, 20, 0], [15, 85, 0], [0, 1, 99]], float)
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
    >>> cz = rz.methods.CommutingZones().fit(g)
    >>> cz.labels_.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'c'}
    >>> cz.tree_.heights.tolist()
    [0.65, 0.995]
    """

    def __init__(self, cutoff: float = 0.977, *, name: str | None = None):
        self.cutoff = cutoff
        self.name = name

    _constraints = {"cutoff": number(interval=(0, 1))}

    def fit(self, graph: FlowGraph) -> CommutingZones:
        """Cluster the zones of ``graph`` (average linkage) and cut the tree at ``cutoff``.

        Parameters
        ----------
        graph : FlowGraph
            The flows, with the zones' employed residents (``graph.residents``).

        Returns
        -------
        self : CommutingZones
            Fitted: ``tree_``, ``linkage_``, ``partition_``, ``labels_``.

        Examples
        --------
        Four zones in two pairs; the zones are named after their zone with most jobs and
        have no centres:

        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> cz = rz.methods.CommutingZones().fit(g)
        >>> cz.labels_.to_dict()
        {'A': 'A', 'B': 'A', 'C': 'C', 'D': 'C'}
        >>> cz.partition_.areas[["centres", "n_zones"]]
        ... # doctest: +NORMALIZE_WHITESPACE
             centres  n_zones
        area
        C         ()        2
        A         ()        2
        """
        n = graph.n_zones
        active = ~np.isin(
            np.arange(n), np.flatnonzero((graph.inflows == 0) & (graph.outflows == 0))
        )
        pos = np.flatnonzero(active)
        if len(pos) < 2:
            raise InvalidParameterError(
                "CommutingZones needs at least two zones with flows between them."
            )
        m = len(pos)
        i, j, dist = _upper_distances(graph, active)
        # the linkage keeps each pair twice (16 bytes: neighbour, distance, version), with
        # room to grow: memory grows with the flows, not with the square of the zones
        check_dense(
            2 * len(dist),
            1,
            itemsize=16,
            copies=3,
            what="CommutingZones (average linkage over the pairs with a flow)",
            fix="Aggregate the zones first (e.g. to counties).",
        )
        z = average_linkage(m, i, j, dist)
        del i, j, dist
        leaves = graph.ids.to_numpy()[pos]
        a, b = _first_zones(z, leaves)
        merges = pd.DataFrame(
            {
                "step": np.arange(1, len(z) + 1, dtype=np.int64),
                "a": pd.Series(a, dtype=object),
                "b": pd.Series(b, dtype=object),
                "distance": z[:, 2],
                "size": z[:, 3].astype(np.int64),
                "n_clusters": m - np.arange(1, len(z) + 1, dtype=np.int64),
            }
        )
        cutter = _CommutingZonesCutter(graph, z, pos, self.cutoff, self.name or "commuting_zone")
        self.tree_ = MergeTree(
            leaves,
            z,
            merges,
            method="commuting_zones",
            measure="distance",
            kind="distance",
            cutter=cutter,
        )
        self.linkage_ = self.tree_.Z
        self.partition_: Partition = self.tree_._partition(None, self.cutoff, stacklevel=4)
        self.labels_ = self.partition_.labels
        return self

    def cut(self, k: int | None = None, *, cutoff: float | None = None) -> Partition:
        """The commuting zones at another cut of the fitted tree.

        Parameters
        ----------
        k : int, optional
            Number of zones: scipy's ``fcluster(linkage_, k, criterion="maxclust")``, the
            lowest cut with at most ``k`` clusters. It has exactly ``k`` unless several
            merges at the same height straddle ``k`` (ties: the cut cannot split them and
            has fewer).
        cutoff : float in [0, 1], optional
            Height of the cut, as the ``cutoff`` parameter: ``cut(cutoff=c)`` is exactly
            ``CommutingZones(c).fit(graph).partition_`` (params included). Default (neither
            given): the fitted ``cutoff``. With ``k`` too, the cut with more clusters (the
            first rule met going up the tree).

        Returns
        -------
        Partition
            Labelled as scipy's ``fcluster`` numbers the clusters, as :meth:`fit` does;
            ``params`` has the ``cutoff`` and/or ``k`` of the cut.

        Examples
        --------
        A stricter cutoff, without clustering again:

        >>> import numpy as np
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> cz = rz.methods.CommutingZones().fit(g)
        >>> cz.cut(cutoff=0.5).labels.to_dict()
        {'A': 'A', 'B': 'B', 'C': 'C', 'D': 'C'}
        >>> cz.cut(cutoff=0.5).equals(rz.methods.CommutingZones(0.5).fit(g).partition_)
        True
        >>> cz.cut(1).n_areas
        1
        """
        if "tree_" not in vars(self):
            raise InvalidParameterError("This CommutingZones is not fitted yet; call fit(graph).")
        return self.tree_._partition(k, cutoff, stacklevel=4)


def _upper_distances(graph, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``1 - PF`` clipped to [0, 1] for the pairs ``i < j`` of active zones with a flow,
    numbered among the active zones: the values of :func:`proportional_flow`, with fewer
    copies of the flows. Every other pair is at distance 1."""
    f = graph.matrix.tocoo()
    r, c = f.row, f.col
    keep = (r != c) & active[r] & active[c]
    v = f.data[keep]
    number = np.cumsum(active, dtype=np.int32) - 1  # the position among the active zones
    i, j = number[r[keep]], number[c[keep]]
    del f, r, c, keep
    # F_ij + F_ji on the pair i < j (two terms at most: their sum does not depend on order)
    sym = sp.csr_array((v, (np.minimum(i, j), np.maximum(i, j))), shape=(active.sum(),) * 2)
    sym.sum_duplicates()
    del v, i, j
    upper = sym.tocoo()
    i, j, v = upper.row, upper.col, upper.data
    res = np.asarray(graph.residents, dtype=float)[active]
    denom = np.minimum(res[i], res[j])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pf = np.where(denom > 0, v / np.where(denom > 0, denom, 1.0), 0.0)
    return i, j, np.clip(1.0 - pf, 0.0, 1.0)


def _first_zones(z: np.ndarray, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two clusters of each linkage row named by their first leaf, that of smaller
    position first."""
    n = len(leaves)
    first = list(range(n)) + [0] * len(z)
    a = np.empty(len(z), dtype=np.int64)
    b = np.empty(len(z), dtype=np.int64)
    for s, (x, y) in enumerate(z[:, :2].astype(np.int64).tolist()):
        fx, fy = first[x], first[y]
        a[s], b[s] = min(fx, fy), max(fx, fy)
        first[n + s] = a[s]
    return leaves[a], leaves[b]


class _CommutingZonesCutter(Cutter):
    """The cuts of a fitted commuting-zone tree (see :class:`MergeTree`)."""

    def __init__(self, graph, z: np.ndarray, pos: np.ndarray, cutoff: float, layer: str):
        self.graph = graph
        self.z = z
        self.pos = pos
        self.cutoff = cutoff
        self.layer = layer

    def _labels(self, k, cutoff) -> tuple[np.ndarray, dict]:
        from scipy.cluster.hierarchy import fcluster

        k, cutoff = plain_scalar(k), plain_scalar(cutoff)
        if k is None and cutoff is None:
            cutoff = self.cutoff
        check_k("CommutingZones", k)
        if cutoff is not None:
            check_parameter("CommutingZones", "cutoff", cutoff, interval=(0, 1))
        params: dict = {}
        labels = None
        if cutoff is not None:
            labels = fcluster(self.z, t=cutoff, criterion="distance")
            params["cutoff"] = cutoff
        if k is not None:
            by_k = fcluster(self.z, t=k, criterion="maxclust")
            if labels is None or len(np.unique(by_k)) > len(np.unique(labels)):
                labels = by_k
            params["k"] = k
        params["method"] = "average linkage on 1 - PF"
        return labels, params

    def n_clusters(self, k, height) -> int:
        return len(np.unique(self._labels(k, height)[0]))

    def partition(self, k, height, *, stacklevel: int = 2) -> Partition:
        graph = self.graph
        n = graph.n_zones
        labels, params = self._labels(k, height)
        codes = np.full(n, -1, np.int64)
        codes[self.pos] = labels
        reasons = np.full(n, None, dtype=object)
        active = np.zeros(n, dtype=bool)
        active[self.pos] = True
        reasons[~active] = "no commuting flow in or out"
        return Partition.from_codes(
            graph, codes, layer=self.layer, kind="commuting zone", reasons=reasons, params=params
        )


@checked_call
def commuting_zones(
    graph: FlowGraph, cutoff: float = 0.977, *, name: str | None = None
) -> Partition:
    """US-style commuting zones of ``graph``: the function twin of :class:`CommutingZones`.

    Parameters
    ----------
    graph : FlowGraph
        The flows, with the zones' employed residents (``graph.residents``).
    cutoff : float in [0, 1]
        Height at which the average-linkage tree of the dissimilarities ``1 - PF`` is cut
        (default 0.977, Tolbert & Sizer's 1990 value).
    name : str, optional
        Layer name (default ``"commuting_zone"``).

    Returns
    -------
    Partition
        ``CommutingZones(cutoff, name=name).fit(graph).partition_``; areas have no centres.

    See Also
    --------
    regionalize.methods.CommutingZones : the estimator; fitted once, its ``cut(k)`` or
        ``cut(cutoff=...)`` gives other cuts of the same tree.

    References
    ----------
    Tolbert, C. M. and Sizer, M. (1996). U.S. commuting zones and labor market areas: a
    1990 update. Economic Research Service, U.S. Department of Agriculture.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[80, 20, 0], [15, 85, 0], [0, 1, 99]], float)
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
    >>> rz.methods.commuting_zones(g).labels.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'c'}
    >>> rz.methods.commuting_zones(g, cutoff=0.5).n_areas
    3
    """
    return CommutingZones(cutoff, name=name).fit(graph).partition_
