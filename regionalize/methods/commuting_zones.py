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
from .._checks import number, one_of
from .._ids import normalise_ids
from .._memory import check_dense
from ..errors import InvalidParameterError, InvalidZonesError, check_parameter, plain_scalar
from ..partition import Partition
from ..vintages import Vintages
from ._average_linkage import average_linkage
from ._constrained_linkage import constrained_average_linkage, cut_labels, merges_before
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
    return sp.csr_array((_pf(v, r[i], r[j]), (i, j)), shape=f.shape)


def _pf(both: np.ndarray, r_i: np.ndarray, r_j: np.ndarray) -> np.ndarray:
    """``(F_ij + F_ji) / min(R_i, R_j)``, 0 where a zone has no employed residents (PF
    beyond float: inf, distance 0)."""
    denom = np.minimum(r_i, r_j)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(denom > 0, both / np.where(denom > 0, denom, 1.0), 0.0)


class CommutingZones(Estimator):
    """Commuting zones by average-linkage clustering of proportional flows.

    **Complexity**: memory and time grow with the pairs of zones that exchange commuters,
    not with the square of the zones: the linkage runs over the sparse distances alone.
    On synthetic countries of 10k to 250k zones (seed 0, ``benchmarks/run.py``) ``fit``
    takes time growing as zones^1.0 (flows^0.98): 1.3 s for 100k zones and 2.8 million
    flows, 3.2 s for 250k zones, about a tenth of one leidenalg run on the same graph,
    with numba installed; the linkage alone grows as zones^1.1 without numba (about 7 s
    at 100k). A zone linked to very many zones that merge one by one (a star) costs time
    quadratic in their number (scipy's dense linkage always does).

    Parameters
    ----------
    cutoff : float
        Height at which the average-linkage tree is cut (default 0.977, Tolbert & Sizer's
        1990 value; Fowler et al. discuss its sensitivity).
    contiguity : None, "rook", "queen" or Contiguity
        ``None`` (default): any two clusters may merge. Otherwise only clusters that touch
        merge: a :class:`~regionalize.Contiguity` (e.g. ``graph.build_contiguity(...)``,
        over the graph's zones), or the rule to build one from the graph's polygons.
    islands : {"nearest", "keep", "error"}
        With ``contiguity="rook"`` or ``"queen"``: the zones without a neighbour are linked
        to their nearest zone (default), stay alone, or are an error (see
        :func:`~regionalize.build_contiguity`). A given Contiguity keeps its own policy.
    bridges : sequence of (id, id) pairs, optional
        Links added to the contiguity (a ferry, a bridge, a permanent road): the two zones
        of each pair touch. Needs ``contiguity``.
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
    - **Several vintages** (``fit(vintages)`` with a :class:`~regionalize.Vintages`): the
      dissimilarity is averaged over the vintages, ``d_ij = (d^1_ij + ... + d^n_ij) / n``
      with ``d^t = 1 - PF^t`` clipped to [0, 1] on each vintage's own residents and 1 where
      the vintage has no flow (summed in vintage order, then divided: a vintage given twice
      gives its single-year tree bit for bit). A zone with a flow in any vintage takes
      part. The partitions are built on the mean flows (``vintages.combine("mean")``),
      which name the zones and measure them; ``params`` records ``vintages`` and
      ``rule="mean dissimilarity"``.
    - **Contiguity**: a merge is allowed only between clusters that touch (or are linked
      by a bridge); the distance between two clusters is still the mean of all their
      zone-to-zone distances, touching or not. Average linkage is then not reducible: at
      each step the touching pair at the smallest distance merges (a global minimum over
      a heap, pure Python: 0.4 s for the 3,221 US counties), and a merge can be
      *below* an earlier one (an inversion): ``tree_.heights`` are in merge order and may
      decrease, and ``linkage_`` is then not a valid scipy linkage (nor when the zones
      form several groups that never touch: the tree stops at one cluster per group,
      ``tree_.n_components``). The cut at ``cutoff`` is the merges made before the first
      merge above it (the run stops there; a later merge below the cutoff is not made),
      and ``cut(k)`` the first ``n - k`` merges (more than ``k`` zones when the groups are
      more). Ties are broken by the cluster numbers of ``linkage_`` (older clusters
      first). When every pair touches, the merges are those of the unconstrained tree
      (without ties; heights equal to within rounding, the averages being updated in
      another order). Zones without flows touch nothing: they may split a chain of
      neighbours.

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

    Adachi, D., Fukai, T., Kawaguchi, D. and Saito, Y. U. (2020). Commuting zones in Japan.
    RIETI Discussion Paper 20-E-021 (Tolbert & Sizer's average linkage on Japanese
    municipalities, 1980-2015).

    Mastrosavvas, A. Commuting zones of England and Wales from the 1991, 2001 and 2011
    censuses on harmonised districts, the Tolbert-Sizer dissimilarity averaged over the
    three years. https://github.com/amastrosavvas/Commuting-Zones-Flows-EW

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

    With contiguity: a and c exchange most (distance 0.64) but do not touch (a path
    a - b - c). b joins c first (0.84), then a joins them at the mean of 0.96 and 0.64, 0.8:
    an inversion. At 0.82 the run stops before its first merge:

    >>> import scipy.sparse as sp
    >>> m = np.array([[80, 2, 18], [2, 90, 8], [18, 8, 74]], float)
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
    >>> path = rz.Contiguity.from_sparse(sp.csr_array(np.array([[0, 1, 0], [0, 0, 1],
    ...                                                         [0, 0, 0]])), ["a", "b", "c"])
    >>> rz.methods.CommutingZones(0.85).fit(g).labels_.to_dict()
    {'a': 'a', 'b': 'b', 'c': 'a'}
    >>> cz = rz.methods.CommutingZones(0.85, contiguity=path).fit(g)
    >>> cz.tree_.heights.tolist(), cz.labels_.nunique(), cz.cut(cutoff=0.82).n_areas
    ([0.84, 0.8], 1, 3)

    A ferry between a and c lets them merge first:

    >>> ferry = rz.methods.CommutingZones(0.85, contiguity=path, bridges=[("a", "c")])
    >>> ferry.fit(g).tree_.heights.round(4).tolist()
    [0.64, 0.9]

    Two years: the distances are averaged (a-c at (0.64 + 0.84) / 2 = 0.74 when a and c
    exchange 8 each way in the second year):

    >>> m2 = np.array([[82, 10, 8], [10, 82, 8], [8, 8, 84]], float)
    >>> years = rz.Vintages({"2000": g, "2010": rz.FlowGraph.from_matrix(m2, ["a", "b", "c"])})
    >>> cz = rz.methods.CommutingZones(0.85).fit(years)
    >>> cz.tree_.heights.round(4).tolist(), cz.partition_.params["vintages"]
    ([0.74, 0.86], ['2000', '2010'])
    """

    def __init__(
        self,
        cutoff: float = 0.977,
        *,
        contiguity=None,
        islands: str = "nearest",
        bridges=None,
        name: str | None = None,
    ):
        self.cutoff = cutoff
        self.contiguity = contiguity
        self.islands = islands
        self.bridges = bridges
        self.name = name

    _accepts_vintages = True
    _constraints = {
        "cutoff": number(interval=(0, 1)),
        "islands": one_of("keep", "nearest", "error"),
    }

    def fit(self, graph: FlowGraph | Vintages) -> CommutingZones:
        """Cluster the zones of ``graph`` (average linkage) and cut the tree at ``cutoff``.

        Parameters
        ----------
        graph : FlowGraph or Vintages
            The flows, with the zones' employed residents (``graph.residents``); with
            ``contiguity="rook"``/``"queen"``, its polygons. Several vintages average the
            dissimilarity (see the Notes of the class).

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
        if isinstance(graph, Vintages):
            vintages: Vintages | None = graph
            graphs = list(graph)
            graph = graph.combine("mean")  # the flows of the partition: the mean year
        else:
            vintages, graphs = None, [graph]
        n = graph.n_zones
        idle = np.ones(n, dtype=bool)
        for g in graphs:  # a zone with a flow in any vintage takes part
            idle &= (g.inflows == 0) & (g.outflows == 0)
        active = ~np.isin(np.arange(n), np.flatnonzero(idle))
        pos = np.flatnonzero(active)
        if len(pos) < 2:
            raise InvalidParameterError(
                "CommutingZones needs at least two zones with flows between them."
            )
        m = len(pos)
        extra: dict = {}
        if vintages is None:
            i, j, dist = _upper_distances(graph, active)
        else:
            i, j, dist = _mean_distances(graphs, active)
            extra.update(vintages=vintages.names, rule="mean dissimilarity")
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
        if self.contiguity is None:
            if self.bridges is not None:
                raise InvalidParameterError(
                    "CommutingZones' 'bridges' add links to a contiguity; pass contiguity= "
                    "('rook', 'queen' or a Contiguity) too, or bridges=None."
                )
            z = average_linkage(m, i, j, dist)
        else:
            ai, aj, info = _touching(self, graph, pos)
            extra.update(info)
            z = constrained_average_linkage(m, i, j, dist, ai, aj)
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
        cutter = _CommutingZonesCutter(
            graph, z, pos, self.cutoff, self.name or "commuting_zone", extra
        )
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

    def sweep(self, cutoffs, reference=None) -> pd.DataFrame:
        """The zones at several cut heights of the fitted tree, with their containment.

        Parameters
        ----------
        cutoffs : sequence of float in [0, 1]
            The heights, each cut as :meth:`cut` ``(cutoff=...)`` does (with contiguity:
            the merges before the first one above the height).
        reference : Partition or pandas.Series, optional
            Zones to compare with (e.g. official commuting zones), as a Partition or a
            Series of area labels indexed by zone id; compared on the zones both have
            (reference labels not missing).

        Returns
        -------
        pandas.DataFrame
            One row per cutoff (index ``cutoff``, in the order given): ``zones`` (number of
            commuting zones), ``internal_share`` (the share of all commuters working in the
            zone they live in), ``sc_supply`` (the residents-weighted mean
            self-containment of the zones) and ``min_sc_supply`` (that of the least
            self-contained zone), from ``regionalize.quality`` on the fitted flows (the
            mean year of several vintages); with ``reference``, ``ari`` (adjusted Rand
            index, :func:`regionalize.compare.adjusted_rand_index`) and ``compared`` (the
            zones compared).

        See Also
        --------
        regionalize.quality.quality : the overall figures of one partition.
        regionalize.compare.adjusted_rand_index : the similarity of two partitions.

        Examples
        --------
        Two pairs of zones: C-D merge at 0.333, A-B at 0.6 and the pairs at 0.98. At 0.5,
        141 + 30 of the 195 commuters work in their zone (0.877); B is the least
        self-contained zone (38 of 50); the ARI of {A}, {B}, {C, D} against {A, B}, {C, D}
        is (1 - 1/3) / (3/2 - 1/3) = 4/7:

        >>> import numpy as np
        >>> import pandas as pd
        >>> m = np.array([[40, 10, 0, 0], [10, 38, 2, 0], [0, 2, 33, 15], [0, 0, 15, 30]])
        >>> g = rz.FlowGraph.from_matrix(m, ["A", "B", "C", "D"])
        >>> cz = rz.methods.CommutingZones().fit(g)
        >>> ref = pd.Series(["x", "x", "y", "y"], index=["A", "B", "C", "D"])
        >>> cz.sweep([0.3, 0.5, 0.9, 0.99], reference=ref).round(3)
        ... # doctest: +NORMALIZE_WHITESPACE
                zones  internal_share  sc_supply  min_sc_supply    ari  compared
        cutoff
        0.30        4           0.723      0.723          0.660  0.000         4
        0.50        3           0.877      0.877          0.760  0.571         4
        0.90        2           0.979      0.979          0.979  1.000         4
        0.99        1           1.000      1.000          1.000  0.000         4
        """
        from ..compare import adjusted_rand_index
        from ..quality import area_quality, quality

        if "tree_" not in vars(self):
            raise InvalidParameterError("This CommutingZones is not fitted yet; call fit(graph).")
        cutter = self.tree_._cutter  # the one fit gave the tree
        assert isinstance(cutter, _CommutingZonesCutter)
        graph = cutter.graph  # the flows of the partitions (mean of vintages)
        if reference is not None:
            ref = reference.labels if isinstance(reference, Partition) else reference
            if not isinstance(ref, pd.Series):
                raise InvalidParameterError(
                    "The 'reference' of CommutingZones.sweep must be a Partition or a pandas "
                    "Series of area labels indexed by zone id."
                )
            ref = ref[ref.notna()]
            ref.index = normalise_ids(ref.index, what="reference zone ids")
            common = graph.ids.intersection(ref.index)
            if not len(common):
                raise InvalidZonesError(
                    "The 'reference' of CommutingZones.sweep has no zone of the graph; give "
                    "labels indexed by the graph's zone ids."
                )
            ref_common = ref.reindex(common).to_numpy()
        rows = []
        for c in cutoffs:
            p = self.tree_._partition(None, c, stacklevel=4)
            q = quality(graph, p)
            per_area = area_quality(graph, p)
            per_area = per_area[~per_area.index.str.startswith("(unassigned ")]
            row = {
                "cutoff": plain_scalar(c),
                "zones": p.n_areas,
                "internal_share": q["internal_share"],
                "sc_supply": q["sc_supply"],
                "min_sc_supply": float(per_area["sc_supply"].min()),
            }
            if reference is not None:
                ours = p.labels.reindex(common).to_numpy()
                row["ari"] = adjusted_rand_index(ours, ref_common)
                row["compared"] = len(common)
            rows.append(row)
        return pd.DataFrame(rows).set_index("cutoff")


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
    return i, j, np.clip(1.0 - _pf(v, res[i], res[j]), 0.0, 1.0)


def _mean_distances(graphs, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dissimilarity averaged over vintages, ``(d^1 + d^2 + ... + d^n) / n`` with each
    ``d^t = 1 - PF^t`` clipped to [0, 1] on the vintage's own residents and 1.0 where the
    vintage has no flow, summed in vintage order, for the pairs ``i < j`` with a flow in
    some vintage (the others are at 1)."""
    m = int(active.sum())
    parts = [_upper_distances(g, active) for g in graphs]
    keys = [i.astype(np.int64) * m + j for i, j, _ in parts]
    union = np.unique(np.concatenate(keys))  # sorted: row-major as a single year's pairs
    acc = np.zeros(0)
    for t, (key, (_, _, d)) in enumerate(zip(keys, parts, strict=True)):
        full = np.ones(len(union))
        full[np.searchsorted(union, key)] = d
        acc = full if t == 0 else acc + full
    return (union // m).astype(np.int32), (union % m).astype(np.int32), acc / len(graphs)


def _touching(est, graph, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """The pairs of active zones (numbered among them) that may merge: touching in the
    contiguity, or linked by a bridge; and what the params record about them."""
    from ..contiguity import Contiguity

    contiguity = est.contiguity
    if isinstance(contiguity, str):
        check_parameter("CommutingZones", "contiguity", contiguity, allowed=["rook", "queen", None])
        contiguity = graph.build_contiguity(rule=contiguity, islands=est.islands)
    elif not isinstance(contiguity, Contiguity):
        raise InvalidParameterError(
            "The 'contiguity' parameter of CommutingZones must be None, 'rook', 'queen' or a "
            f"Contiguity (graph.build_contiguity(...)). Got {type(contiguity).__name__} "
            "instead."
        )
    if not contiguity.ids.equals(graph.ids):
        absent = graph.ids[~graph.ids.isin(contiguity.ids)]
        if len(absent):
            raise InvalidZonesError(
                f"The contiguity lacks {len(absent)} zones of the graph (e.g. "
                f"{', '.join(map(str, absent[:5]))}); build it from the graph's polygons "
                "(graph.build_contiguity(...)) or pass contiguity='rook'."
            )
        contiguity = contiguity.subset(list(graph.ids))
    adj = sp.triu(contiguity.adjacency, k=1).tocoo()
    rows, cols = [adj.row], [adj.col]
    info: dict = {"contiguity": contiguity.rule}
    if est.bridges is not None:
        ba, bb = _bridges(est.bridges, graph)
        rows.append(ba)
        cols.append(bb)
        info["bridges"] = [
            (str(x), str(y)) for x, y in zip(graph.ids[ba], graph.ids[bb], strict=True)
        ]
    r, c = np.concatenate(rows), np.concatenate(cols)
    number = np.full(graph.n_zones, -1, dtype=np.int64)  # position among the active zones
    number[pos] = np.arange(len(pos))
    r, c = number[r], number[c]
    keep = (r >= 0) & (c >= 0)  # a zone without flows is unassigned: it links nothing
    return r[keep], c[keep], info


def _bridges(bridges, graph) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the two zones of each bridge, checked."""
    if isinstance(bridges, pd.DataFrame):
        pairs = list(bridges.itertuples(index=False, name=None))
    else:
        pairs = list(bridges)
    if not all(len(p) == 2 for p in pairs):
        raise InvalidParameterError(
            "CommutingZones' 'bridges' must be pairs of zone ids, e.g. [('A', 'B')] (a ferry "
            "or a bridge linking A and B)."
        )
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a = normalise_ids([p[0] for p in pairs], what="bridge ids")
    b = normalise_ids([p[1] for p in pairs], what="bridge ids")
    ids = a.append(b)
    unknown = pd.unique(ids[~ids.isin(graph.ids)].to_numpy())
    if len(unknown):
        raise InvalidZonesError(
            f"CommutingZones' 'bridges' name {len(unknown)} zones that are not in the graph: "
            f"{', '.join(map(str, unknown[:10]))}; give the ids of graph.ids."
        )
    if (a == b).any():
        raise InvalidParameterError(
            f"A bridge links a zone to itself ({a[a == b][0]}); give two different zones."
        )
    return graph.ids.get_indexer(a), graph.ids.get_indexer(b)


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

    def __init__(
        self,
        graph,
        z: np.ndarray,
        pos: np.ndarray,
        cutoff: float,
        layer: str,
        extra: dict | None = None,
    ):
        self.graph = graph
        self.z = z
        self.pos = pos
        self.cutoff = cutoff
        self.layer = layer
        self.extra = extra or {}  # what the params record about vintages and contiguity

    def _labels(self, k, cutoff) -> tuple[np.ndarray, dict]:
        from scipy.cluster.hierarchy import fcluster

        k, cutoff = plain_scalar(k), plain_scalar(cutoff)
        if k is None and cutoff is None:
            cutoff = self.cutoff
        check_k("CommutingZones", k)
        if cutoff is not None:
            check_parameter("CommutingZones", "cutoff", cutoff, interval=(0, 1))
        params: dict = {}
        if "contiguity" in self.extra:  # merges in order, heights not monotone
            m = len(self.pos)
            in_order = cut_labels(self.z, merges_before(self.z, cutoff, k, m), m)
            if cutoff is not None:
                params["cutoff"] = cutoff
            if k is not None:
                params["k"] = k
            params["method"] = "contiguity-constrained average linkage on 1 - PF"
            params.update(self.extra)
            return in_order, params
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
        params.update(self.extra)
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
    graph: FlowGraph | Vintages,
    cutoff: float = 0.977,
    *,
    contiguity=None,
    islands: str = "nearest",
    bridges=None,
    name: str | None = None,
) -> Partition:
    """US-style commuting zones of ``graph``: the function twin of :class:`CommutingZones`.

    Parameters
    ----------
    graph : FlowGraph or Vintages
        The flows, with the zones' employed residents (``graph.residents``); several
        vintages average the dissimilarity (see :class:`CommutingZones`).
    cutoff : float in [0, 1]
        Height at which the average-linkage tree of the dissimilarities ``1 - PF`` is cut
        (default 0.977, Tolbert & Sizer's 1990 value).
    contiguity, islands, bridges
        Merge only clusters that touch, as in :class:`CommutingZones`.
    name : str, optional
        Layer name (default ``"commuting_zone"``).

    Returns
    -------
    Partition
        ``CommutingZones(cutoff, contiguity=..., islands=..., bridges=...,
        name=name).fit(graph).partition_``; areas have no centres.

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
    return (
        CommutingZones(cutoff, contiguity=contiguity, islands=islands, bridges=bridges, name=name)
        .fit(graph)
        .partition_
    )
