"""The Nystuen-Dacey nodal structure: dominant flows and the hierarchy of centres they imply."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._areas import DEFAULT_CLASSES
from .._base import Estimator, checked_call
from .._centres import size_measure
from .._checks import check_graph, classes, number, text
from .._core.constraint import Attachment, row_best
from .._core.shares import combined, link_components, resolve_share
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["DominantFlows", "dominant_flows"]


def _size(graph, size: str) -> np.ndarray:
    if size == "inflows":
        return np.asarray(graph.inflows, float)
    return size_measure(graph, size)


class DominantFlows(Estimator):
    """Nystuen-Dacey dominant-flow tree over all zones.

    Each zone's *dominant flow* is its largest flow to another zone (as a share, see
    ``share``). The zone is *subordinate* to that destination when the destination is larger
    (``size``; default the flows it receives, as in Nystuen & Dacey 1961) and the share is at
    least ``tau``. Zones subordinate to nobody are *centres*; every zone belongs to the centre
    at the end of its chain of dominant flows (sizes grow along a chain, so chains end).

    **Complexity**: one row-wise argmax over the sparse flows, ``O(m)``; depths and
    terminal centres by pointer jumping, ``O(n log depth)``. Memory ``O(n + m)``.

    Parameters
    ----------
    size : str
        What makes a destination larger: ``"inflows"`` (default: the flows it receives from
        other zones), ``"jobs"``, ``"residents"`` or the name of a numeric zone-table column.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        How a flow becomes a share, as in :class:`regionalize.MetropolitanAreas`; "auto" is
        "residents" with a diagonal and "outcommuters" without.
    tau : float in [0, 1]
        Smallest share of a dominant flow that makes a zone subordinate (default 0: any
        positive largest flow to a larger zone).
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``"dominant"``).

    Attributes
    ----------
    partition_ : Partition
        Areas are the centres with every zone below them; ``order`` is the depth in the tree
        (0 for centres), ``via`` the zone each zone is directly subordinate to, ``share`` the
        share of its dominant flow.
    labels_ : pandas.Series
        The centre (area id) of every zone.

    See Also
    --------
    regionalize.dominant_flows : the function twin, returning the Partition.
    regionalize.MetropolitanAreas : areas around given or rule-found centres, by threshold.

    References
    ----------
    Nystuen, J. D. and Dacey, M. F. (1961). A graph theory interpretation of nodal regions.
    *Papers and Proceedings of the Regional Science Association* 7, 29-42.

    Examples
    --------
    b sends its largest flow to c, which receives more than b; a goes to b, d to c and e
    to d: one tree with centre c, two levels deep.

    >>> import pandas as pd
    >>> rows = [("a", "b", 10), ("b", "c", 30), ("c", "b", 5), ("d", "c", 2), ("e", "d", 1)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> rz.DominantFlows().fit(g).labels_.to_dict()
    {'a': 'c', 'b': 'c', 'c': 'c', 'd': 'c', 'e': 'c'}
    """

    layer = "dominant"

    def __init__(
        self,
        *,
        size: str = "inflows",
        share: str = "auto",
        tau: float = 0.0,
        classes=DEFAULT_CLASSES,
        name: str | None = None,
    ):
        self.size = size
        self.share = share
        self.tau = tau
        self.classes = classes
        self.name = name

    _constraints = {
        "tau": number(interval=(0, 1)),
        "size": text(
            allow_none=False,
            what="'inflows', 'jobs', 'residents' or the name of a zone-table column",
        ),
        "classes": classes,
        "name": text(),
    }

    def fit(self, graph: FlowGraph) -> DominantFlows:
        """Build the dominant-flow tree of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        DominantFlows
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        The tree, read from the zone table: each zone's depth and the zone it is directly
        subordinate to.

        >>> import pandas as pd
        >>> rows = [("a", "b", 10), ("b", "c", 30), ("c", "b", 5), ("d", "c", 2),
        ...         ("e", "d", 1)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> nodal = rz.DominantFlows().fit(g)
        >>> nodal.partition_.details[["role", "order", "via"]]
        ... # doctest: +NORMALIZE_WHITESPACE
                role  order   via
        zone
        a     member      2     b
        b     member      1     c
        c     centre      0  None
        d     member      1     c
        e     member      2     d
        """
        owner = type(self).__name__
        check_graph(owner, graph)
        share = resolve_share(self.share, graph.has_diagonal, owner)
        components, _ = link_components(graph, share)
        links = combined(components).tocoo()
        n = graph.n_zones
        r, c, v = row_best(links.row, links.col, links.data, np.arange(n))
        size = _size(graph, self.size)
        parent = np.arange(n, dtype=np.int64)
        dom_share = np.full(n, np.nan)
        sub = (size[c] > size[r]) & (v >= self.tau) & (v > 0)
        parent[r[sub]] = c[sub]
        dom_share[r[sub]] = v[sub]
        # depth and terminal centre by pointer jumping: O(n log depth), no loop over zones
        root, depth = parent.copy(), (parent != np.arange(n)).astype(np.int64)
        while True:
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            depth = depth + np.where(root != nxt, depth[root], 0)
            root = nxt
        centres = np.flatnonzero(parent == np.arange(n))
        code = np.full(n, -1, np.int64)
        code[centres] = np.arange(len(centres))
        area = code[root]
        res = Attachment(
            area=area,
            order=depth,
            share=dom_share,
            via=np.where(parent != np.arange(n), parent, -1),
            role=np.where(depth == 0, "centre", "member").astype(object),
            reason=np.full(n, None, dtype=object),
        )
        cores = [np.array([z]) for z in centres]
        self.partition_: Partition = Partition.from_attachment(
            graph,
            res,
            cores,
            layer=self.name or self.layer,
            kind="nodal region",
            classes=self.classes,
            params={"size": self.size, "share": share, "tau": self.tau},
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def dominant_flows(
    graph: FlowGraph,
    *,
    size: str = "inflows",
    share: str = "auto",
    tau: float = 0.0,
    classes=DEFAULT_CLASSES,
    name: str | None = None,
) -> Partition:
    """The dominant-flow (nodal) tree of ``graph``: :class:`DominantFlows` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    size : str
        What makes a destination larger: ``"inflows"`` (default: the flows it receives from
        other zones), ``"jobs"``, ``"residents"`` or the name of a numeric zone-table column.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        How a flow becomes a share, as in :class:`regionalize.MetropolitanAreas`.
    tau : float in [0, 1]
        Smallest share of a dominant flow that makes a zone subordinate (default 0).
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``"dominant"``).

    Returns
    -------
    Partition
        The nodal layer (``DominantFlows(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.DominantFlows : the estimator, with the fitted attributes.

    Examples
    --------
    Two chains of largest flows towards larger zones, a -> b -> c and f -> e -> d -> c: by
    default every zone ends under c. With ``tau=0.1`` a largest flow below 10% of a zone's
    workers no longer subordinates it, and d and f become centres of their own.

    >>> import pandas as pd
    >>> rows = [("a", "a", 50), ("a", "b", 10), ("b", "b", 80), ("b", "c", 30),
    ...         ("c", "c", 200), ("c", "b", 5), ("d", "d", 40), ("d", "c", 2),
    ...         ("e", "e", 30), ("e", "d", 6), ("f", "f", 60), ("f", "e", 3)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> rz.dominant_flows(g).labels.to_dict()
    {'a': 'c', 'b': 'c', 'c': 'c', 'd': 'c', 'e': 'c', 'f': 'c'}
    >>> rz.dominant_flows(g, tau=0.1).labels.to_dict()
    {'a': 'c', 'b': 'c', 'c': 'c', 'd': 'd', 'e': 'd', 'f': 'f'}
    """
    return (
        DominantFlows(size=size, share=share, tau=tau, classes=classes, name=name)
        .fit(graph)
        .partition_
    )
