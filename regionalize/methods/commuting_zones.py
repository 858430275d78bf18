"""US commuting zones (Tolbert & Sizer 1996; Fowler, Jensen & Rhubart 2016/2020).

Counties are clustered by average-linkage hierarchical clustering on the dissimilarity
``1 - PF_ij`` with the proportional flow ``PF_ij = (F_ij + F_ji) / min(R_i, R_j)`` (``R`` the
resident labour force: employed residents, diagonal included), and the tree is cut at 0.977.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._base import Estimator
from .._memory import check_dense
from ..errors import InvalidParameterError, RegionalizeError, check_parameter
from ..partition import Partition

__all__ = ["CommutingZones", "commuting_zones", "proportional_flow"]

#: average linkage needs every pair of zones: beyond this, the condensed matrix (n² / 2
#: float64) would exceed ~1.6 GB, so the method refuses before allocating it
MAX_ZONES = 20_000


def proportional_flow(graph) -> sp.csr_array:
    """``PF_ij = (F_ij + F_ji) / min(R_i, R_j)`` for every pair with a flow (i != j)."""
    f = sp.csr_array(graph.matrix)
    sym = sp.csr_array(f + f.T).tocoo()
    keep = sym.row != sym.col
    r = np.asarray(graph.residents, dtype=float)
    i, j, v = sym.row[keep], sym.col[keep], sym.data[keep]
    denom = np.minimum(r[i], r[j])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # PF beyond float: inf, distance 0
        pf = np.where(denom > 0, v / np.where(denom > 0, denom, 1.0), 0.0)
    return sp.csr_array((pf, (i, j)), shape=f.shape)


class CommutingZones(Estimator):
    """Commuting zones by average-linkage clustering of proportional flows.

    **Complexity**: average-linkage clustering needs the condensed distance matrix of all
    pairs: ``O(n^2)`` memory and time, hence the limit of ``MAX_ZONES`` zones (20,000: about
    1.6 GB of distances).

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
    linkage_ : numpy.ndarray
        The scipy linkage matrix (full dendrogram) over the zones with flows.

    Notes
    -----
    - ``PF`` can exceed 1 when a small county sends and receives more than its own labour
      force; the dissimilarity ``1 - PF`` is then clipped at 0 (as distances must be
      non-negative), which only makes such pairs as close as possible.
    - Zones without employed residents (``R = 0``) have ``PF = 0`` with everyone and end up
      alone; zones with no flow at all are unassigned with a reason.
    - Average linkage needs all pairs: memory O(n²). Up to ``MAX_ZONES`` zones.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[80, 20, 0], [15, 85, 0], [0, 1, 99]], float)
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
    >>> rz.methods.commuting_zones(g).labels.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'c'}
    """

    def __init__(self, cutoff: float = 0.977, *, name: str | None = None):
        self.cutoff = cutoff
        self.name = name

    def fit(self, graph) -> CommutingZones:
        from scipy.cluster.hierarchy import fcluster, linkage

        check_parameter("CommutingZones", "cutoff", self.cutoff, interval=(0, 1))
        n = graph.n_zones
        if n > MAX_ZONES:
            raise RegionalizeError(
                f"CommutingZones clusters every pair of zones (average linkage): {n:,} zones "
                f"would need {n * (n - 1) / 2 * 8 / 1e9:.1f} GB. Aggregate to at most "
                f"{MAX_ZONES:,} zones (e.g. counties) first.")
        active = ~np.isin(np.arange(n), np.flatnonzero((graph.inflows == 0) &
                                                        (graph.outflows == 0)))
        pos = np.flatnonzero(active)
        if len(pos) < 2:
            raise InvalidParameterError("CommutingZones needs at least two zones with flows "
                                        "between them.")
        pf = proportional_flow(graph)[pos][:, pos].tocoo()
        m = len(pos)
        # the condensed distances and scipy's working copy of them
        check_dense(m * (m - 1) // 2, 1, what="CommutingZones (average linkage)", copies=2,
                    fix="Aggregate the zones first (e.g. to counties).")
        # condensed distance: 1 - PF for pairs i < j, 1 elsewhere
        upper = pf.row < pf.col
        i, j, v = pf.row[upper], pf.col[upper], pf.data[upper]
        index = m * i - i * (i + 1) // 2 + (j - i - 1)
        dist = np.ones(m * (m - 1) // 2)
        dist[index] = np.clip(1.0 - v, 0.0, 1.0)
        self.linkage_ = linkage(dist, method="average")
        labels = fcluster(self.linkage_, t=self.cutoff, criterion="distance")
        codes = np.full(n, -1, np.int64)
        codes[pos] = labels
        reasons = np.full(n, None, dtype=object)
        reasons[~active] = "no commuting flow in or out"
        self.partition_: Partition = Partition.from_codes(
            graph, codes, layer=self.name or "commuting_zone", kind="commuting zone",
            reasons=reasons, params={"cutoff": self.cutoff, "method": "average linkage on 1 - PF"})
        self.labels_ = self.partition_.labels
        return self


def commuting_zones(graph, cutoff: float = 0.977, **params) -> Partition:
    """Function twin of :class:`CommutingZones`."""
    return CommutingZones(cutoff, **params).fit(graph).partition_
