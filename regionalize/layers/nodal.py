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

    Attributes
    ----------
    partition_ : Partition
        Areas are the centres with every zone below them; ``order`` is the depth in the tree
        (0 for centres), ``via`` the zone each zone is directly subordinate to.
    labels_ : pandas.Series

    Examples
    --------
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
            ``self``, with ``partition_`` set.
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

    Returns
    -------
    Partition
        The nodal layer (``DominantFlows(...).fit(graph).partition_``).

    See Also
    --------
    DominantFlows : the estimator, with the fitted attributes.
    """
    return (
        DominantFlows(size=size, share=share, tau=tau, classes=classes, name=name)
        .fit(graph)
        .partition_
    )
