"""OMB core-based statistical areas and combined statistical areas (2010 standards).

- CBSA: central counties (given, or by a size rule) plus outlying counties: a county is
  outlying when at least 25% of its employed residents work in the central counties, or at
  least 25% of its jobs are held by residents of the central counties (the "either" share,
  summed over the central counties of a CBSA); a county qualifying for several CBSAs goes to
  the strongest tie. First order only (no chaining).
- CSA: adjacent CBSAs are combined when their employment interchange measure — the share of
  the smaller CBSA's employed residents working in the larger plus the share of the smaller
  CBSA's jobs held by residents of the larger — is at least 15% (OMB combines at >= 25%
  outright and at 15-25% with local support; 15% is the default here).
  A CBSA qualifying with several adjacent CBSAs combines with the one of highest
  interchange; a CSA is a connected set of such best links. (Letting every qualifying pair
  combine chains CBSAs into too few, too large CSAs: on the 2013 CBSAs it finds 99% of the
  official pairs but only 39% of its pairs are official.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .._areas import matrix_cells
from .._attach import contiguity_for
from .._base import Estimator, checked_call
from .._checks import number
from ..errors import InvalidZonesError
from ..layers.metropolitan import MetropolitanAreas
from ..partition import Partition
from ..quality import pair_interchange

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["CoreBasedAreas", "core_based_areas", "combined_areas", "interchange_between"]

#: the OMB pair measure, now :func:`regionalize.quality.pair_interchange`
interchange_between = pair_interchange

NO_CBSA = "not in a core-based statistical area"
ALONE = "its CBSA combines with no adjacent CBSA"


class CoreBasedAreas(Estimator):
    """OMB core-based statistical areas (CBSA) and combined statistical areas (CSA).

    **Complexity**: the outlying-county rule and the CSA interchange are sparse row and
    column operations, ``O(m)``; merging into CSAs works on the ``a x a`` CBSA table.
    Memory ``O(n + m)``.

    Parameters
    ----------
    centres : mapping or list, optional
        Central counties, e.g. ``{cbsa code: [county fips, ...]}``
        (:func:`regionalize.datasets.us_cbsa_centres`); the counties of one entry form one
        core. When None, found by the size rule of :class:`regionalize.MetropolitanAreas`,
        with its parameters given in ``centre_rule``.
    tau : float
        Outlying-county threshold (default 0.25): a county joins a CBSA when at least this
        share of its employed residents work in the central counties, or of its jobs are
        held by their residents (the stronger tie wins; first order only).
    csa_threshold : float in (0, 2]
        Employment interchange measure for combining adjacent CBSAs (default 0.15): the
        share of the smaller CBSA's employed residents working in the larger plus the share
        of its jobs held by residents of the larger.
    contiguity : "auto", None or Contiguity
        Which CBSAs are adjacent, for CSAs (required: "auto" builds it from the county
        polygons; without polygons pass a :class:`~regionalize.Contiguity`).
    centre_rule : dict, optional
        Parameters of the size rule when ``centres`` is None, as keyword arguments of
        :class:`regionalize.MetropolitanAreas` (e.g. ``{"size": "residents",
        "min_size": 50000}``).

    Attributes
    ----------
    cbsa_, csa_ : Partition
        The CBSA layer (centres = central counties) and the CSA layer (centres = the central
        counties of its CBSAs; CBSAs that combine with nobody are unassigned there).
    interchange_ : DataFrame
        Every pair of adjacent CBSAs (``cbsa_a``, ``cbsa_b``) with their ``interchange``
        measure, whether it reaches ``csa_threshold`` (``combined``) and whether it is the
        best qualifying link of one of them (``best_link``), the links CSAs are built from.
    partition_, labels_
        The CBSA layer and its labels (the same as ``cbsa_``), as for every estimator.

    Raises
    ------
    InvalidZonesError
        From :meth:`fit`, when no county adjacency is known (no polygons and no
        ``contiguity``).

    See Also
    --------
    regionalize.methods.core_based_areas : the CBSA layer, as a function.
    regionalize.methods.combined_areas : the CSA layer, as a function.
    regionalize.datasets.load_us_cbsa_2013 : the official 2013 delineation, to compare.
    regionalize.quality.pair_interchange : the interchange measure between areas.

    Notes
    -----
    A CBSA is :class:`regionalize.MetropolitanAreas` with ``max_order=1``,
    ``share="either"`` and ``tau=0.25``, without contiguity. A CBSA qualifying with several
    adjacent CBSAs combines with the one of highest interchange; a CSA is a connected set
    of such best links. CBSAs that combine with nobody are unassigned in ``csa_`` with the
    reason "its CBSA combines with no adjacent CBSA".

    References
    ----------
    U.S. Office of Management and Budget (2010). 2010 Standards for delineating
    metropolitan and micropolitan statistical areas. *Federal Register* 75(123),
    37246-37252.

    Examples
    --------
    Four counties in a row, A2 - A1 - B1 - C1, with central counties A1, B1 and C1. A2
    sends 37.5% of its workers to A1 and is outlying to it; B1 and A1 exchange enough
    (interchange 0.31) to combine into one CSA; C1 stays alone.

    >>> import numpy as np
    >>> import pandas as pd
    >>> rows = [("A1", "A1", 1000), ("A1", "B1", 50), ("A2", "A2", 100), ("A2", "A1", 60),
    ...         ("B1", "B1", 400), ("B1", "A1", 100), ("C1", "C1", 300), ("C1", "B1", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> touching = np.zeros((4, 4))
    >>> touching[[1, 0, 2], [0, 2, 3]] = 1  # A2-A1, A1-B1, B1-C1 (graph order A1 A2 B1 C1)
    >>> adjacency = rz.Contiguity.from_sparse(touching, list(g.ids))
    >>> cb = rz.methods.CoreBasedAreas({"X": ["A1"], "Y": ["B1"], "Z": ["C1"]},
    ...                                contiguity=adjacency).fit(g)
    >>> cb.cbsa_.labels.to_dict()
    {'A1': 'A1', 'A2': 'A1', 'B1': 'B1', 'C1': 'C1'}
    >>> cb.csa_.labels.to_dict()
    {'A1': 'A1+B1', 'A2': 'A1+B1', 'B1': 'A1+B1', 'C1': None}
    """

    def __init__(
        self,
        centres=None,
        *,
        tau: float = 0.25,
        csa_threshold: float = 0.15,
        contiguity="auto",
        centre_rule: dict | None = None,
    ):
        self.centres = centres
        self.tau = tau
        self.csa_threshold = csa_threshold
        self.contiguity = contiguity
        self.centre_rule = centre_rule

    _constraints = {"csa_threshold": number(interval=(0, 2), closed="right")}

    def fit(self, graph: FlowGraph) -> CoreBasedAreas:
        """Delineate the CBSAs and combine them into CSAs.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        CoreBasedAreas
            ``self``, with ``cbsa_``, ``csa_``, ``interchange_``, ``partition_`` and
            ``labels_`` set.

        Raises
        ------
        InvalidZonesError
            When no county adjacency is known (no polygons and no ``contiguity``).

        Examples
        --------
        The interchange between adjacent CBSAs, the table CSAs are built from:

        >>> import numpy as np
        >>> import pandas as pd
        >>> rows = [("A1", "A1", 1000), ("A1", "B1", 50), ("B1", "B1", 400),
        ...         ("B1", "A1", 100), ("C1", "C1", 300), ("C1", "B1", 10)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> adjacency = rz.Contiguity.from_sparse(np.eye(3, k=1), list(g.ids))
        >>> cb = rz.methods.CoreBasedAreas(["A1", "B1", "C1"], contiguity=adjacency).fit(g)
        >>> cb.interchange_.round(3)
          cbsa_a cbsa_b  interchange  combined  best_link
        0     A1     B1        0.309      True       True
        1     B1     C1        0.032     False      False
        """
        rule = dict(self.centre_rule or {})
        m = MetropolitanAreas(
            self.centres,
            tau=self.tau,
            max_order=1,
            share="either",
            contiguity=None,
            name="cbsa",
            **rule,
        ).fit(graph)
        areas = m.partition_.areas
        self.cbsa_ = Partition(
            "cbsa",
            graph.ids,
            m.partition_.details,
            areas.assign(kind="core-based statistical area"),
            {**m.partition_.params, "standard": "OMB 2010"},
        )
        contig = contiguity_for(graph, self.contiguity)
        if contig is None:
            raise InvalidZonesError(
                "CSAs need county adjacency: attach polygons "
                "(graph.with_geometry) or pass contiguity=."
            )
        codes = self.cbsa_.codes()
        k = self.cbsa_.n_areas
        eim = pair_interchange(graph, codes, k)
        adj = contig[0].tocoo()
        ca, cb = codes[adj.row], codes[adj.col]
        ok = (ca >= 0) & (cb >= 0) & (ca != cb)
        touch = sp.csr_array((np.ones(int(ok.sum())), (ca[ok], cb[ok])), shape=(k, k))
        touch.data[:] = 1.0
        pairs = sp.triu(touch, k=1).tocoo()
        values = matrix_cells(eim, pairs.row, pairs.col)
        combine = values >= self.csa_threshold
        ids = list(areas.index)
        self.interchange_ = pd.DataFrame(
            {
                "cbsa_a": [ids[i] for i in pairs.row],
                "cbsa_b": [ids[j] for j in pairs.col],
                "interchange": values,
                "combined": combine,
            }
        )
        # a CBSA qualifying with several adjacent CBSAs combines with the one of highest
        # interchange (OMB): keep each CBSA's best qualifying link, then take components
        qi = np.concatenate([pairs.row[combine], pairs.col[combine]])
        qj = np.concatenate([pairs.col[combine], pairs.row[combine]])
        qv = np.concatenate([values[combine], values[combine]])
        from .._core.constraint import row_best

        bi, bj, _ = row_best(qi, qj, qv, np.arange(k))
        best_link = np.zeros(len(pairs.row), bool)
        chosen = set(zip(np.minimum(bi, bj).tolist(), np.maximum(bi, bj).tolist(), strict=True))
        best_link[
            [(a, b) in chosen for a, b in zip(pairs.row.tolist(), pairs.col.tolist(), strict=True)]
        ] = True
        self.interchange_["best_link"] = best_link
        link = sp.csr_array((np.ones(len(bi)), (bi, bj)), shape=(k, k))
        _, comp = connected_components(link, directed=False)
        size = np.bincount(comp, minlength=comp.max() + 1)
        csa_of_cbsa = np.where(size[comp] >= 2, comp, -1)
        zone_csa = np.where(codes >= 0, csa_of_cbsa[np.maximum(codes, 0)], -1)
        used = np.unique(zone_csa[zone_csa >= 0])
        cores_by_cbsa = [np.sort(graph.ids.get_indexer(list(c))) for c in areas["centres"]]
        centres = [
            np.concatenate([cores_by_cbsa[i] for i in np.flatnonzero(csa_of_cbsa == g)])
            for g in used
        ]
        reasons = np.where(codes < 0, NO_CBSA, ALONE).astype(object)
        members = [tuple(ids[i] for i in np.flatnonzero(csa_of_cbsa == g)) for g in used]
        self.csa_ = Partition.from_codes(
            graph,
            zone_csa,
            layer="csa",
            kind="combined statistical area",
            centres=centres,
            reasons=reasons,
            params={"csa_threshold": self.csa_threshold},
            area_extra=pd.DataFrame({"cbsas": members}),
        )
        self.partition_ = self.cbsa_
        self.labels_ = self.cbsa_.labels
        return self


@checked_call
def core_based_areas(
    graph: FlowGraph,
    centres=None,
    *,
    tau: float = 0.25,
    csa_threshold: float = 0.15,
    contiguity="auto",
    centre_rule: dict | None = None,
) -> Partition:
    """OMB core-based statistical areas of ``graph``: the CBSA layer of :class:`CoreBasedAreas`.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    centres : mapping or list, optional
        Central counties, e.g. ``{cbsa code: [county fips, ...]}``
        (:func:`regionalize.datasets.us_cbsa_centres`); the counties of one entry form one
        core. When None, found by the size rule of :class:`regionalize.MetropolitanAreas`,
        with its parameters given in ``centre_rule``.
    tau : float
        Outlying-county threshold (default 0.25): a county joins a CBSA when at least this
        share of its employed residents work in the central counties, or of its jobs are
        held by their residents (the stronger tie wins; first order only).
    csa_threshold : float in (0, 2]
        Employment interchange measure for combining adjacent CBSAs (default 0.15): the
        share of the smaller CBSA's employed residents working in the larger plus the share
        of its jobs held by residents of the larger.
    contiguity : "auto", None or Contiguity
        Which CBSAs are adjacent, for CSAs (required: "auto" builds it from the county
        polygons; without polygons pass a :class:`~regionalize.Contiguity`).
    centre_rule : dict, optional
        Parameters of the size rule when ``centres`` is None, as keyword arguments of
        :class:`regionalize.MetropolitanAreas` (e.g. ``{"size": "residents",
        "min_size": 50000}``).

    Returns
    -------
    Partition
        The CBSA layer (``CoreBasedAreas(...).fit(graph).cbsa_``).

    See Also
    --------
    regionalize.methods.CoreBasedAreas : the estimator, with the fitted attributes.
    regionalize.methods.combined_areas : the CSA layer.

    References
    ----------
    U.S. Office of Management and Budget (2010). 2010 Standards for delineating
    metropolitan and micropolitan statistical areas. *Federal Register* 75(123),
    37246-37252.

    Examples
    --------
    County C2 sends 30% of its workers to the central county C1 and is outlying; C3 sends
    20% and keeps out:

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[500, 0, 0], [30, 70, 0], [20, 0, 80]]),
    ...                              ["C1", "C2", "C3"])
    >>> adjacency = rz.Contiguity.from_sparse(np.ones((3, 3)), list(g.ids))
    >>> rz.methods.core_based_areas(g, ["C1"], contiguity=adjacency).labels.to_dict()
    {'C1': 'C1', 'C2': 'C1', 'C3': None}
    """
    return (
        CoreBasedAreas(
            centres,
            tau=tau,
            csa_threshold=csa_threshold,
            contiguity=contiguity,
            centre_rule=centre_rule,
        )
        .fit(graph)
        .cbsa_
    )


@checked_call
def combined_areas(
    graph: FlowGraph,
    centres=None,
    *,
    tau: float = 0.25,
    csa_threshold: float = 0.15,
    contiguity="auto",
    centre_rule: dict | None = None,
) -> Partition:
    """OMB combined statistical areas of ``graph``: the CSA layer of :class:`CoreBasedAreas`.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    centres : mapping or list, optional
        Central counties, e.g. ``{cbsa code: [county fips, ...]}``
        (:func:`regionalize.datasets.us_cbsa_centres`); the counties of one entry form one
        core. When None, found by the size rule of :class:`regionalize.MetropolitanAreas`,
        with its parameters given in ``centre_rule``.
    tau : float
        Outlying-county threshold (default 0.25): a county joins a CBSA when at least this
        share of its employed residents work in the central counties, or of its jobs are
        held by their residents (the stronger tie wins; first order only).
    csa_threshold : float in (0, 2]
        Employment interchange measure for combining adjacent CBSAs (default 0.15): the
        share of the smaller CBSA's employed residents working in the larger plus the share
        of its jobs held by residents of the larger.
    contiguity : "auto", None or Contiguity
        Which CBSAs are adjacent, for CSAs (required: "auto" builds it from the county
        polygons; without polygons pass a :class:`~regionalize.Contiguity`).
    centre_rule : dict, optional
        Parameters of the size rule when ``centres`` is None, as keyword arguments of
        :class:`regionalize.MetropolitanAreas` (e.g. ``{"size": "residents",
        "min_size": 50000}``).

    Returns
    -------
    Partition
        The CSA layer (``CoreBasedAreas(...).fit(graph).csa_``): CBSAs that combine with
        nobody are unassigned here.

    See Also
    --------
    regionalize.methods.CoreBasedAreas : the estimator, with the fitted attributes.
    regionalize.methods.core_based_areas : the CBSA layer.

    References
    ----------
    U.S. Office of Management and Budget (2010). 2010 Standards for delineating
    metropolitan and micropolitan statistical areas. *Federal Register* 75(123),
    37246-37252.

    Examples
    --------
    Three adjacent central counties: A and B exchange enough to combine, C does not.

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(
    ...     np.array([[1000, 50, 0], [100, 400, 0], [0, 10, 300]]), ["A", "B", "C"])
    >>> adjacency = rz.Contiguity.from_sparse(np.eye(3, k=1), list(g.ids))
    >>> rz.methods.combined_areas(g, ["A", "B", "C"], contiguity=adjacency).labels.to_dict()
    {'A': 'A+B', 'B': 'A+B', 'C': None}
    """
    return (
        CoreBasedAreas(
            centres,
            tau=tau,
            csa_threshold=csa_threshold,
            contiguity=contiguity,
            centre_rule=centre_rule,
        )
        .fit(graph)
        .csa_
    )
