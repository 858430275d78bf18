"""Network-constraint parameterisations of official definitions.

- **EU-OECD functional urban areas** (Dijkstra, Poelman & Veneri 2019) and **INSEE aires
  d'attraction des villes** (2020): given cities (or pôles); cities where at least 15% of the
  employed residents of one work in the other are one polycentric city; the commuting zone is
  every zone with at least 15% of its employed residents working in the city (first order
  only: no chaining); the area is one piece without enclaves (contiguity, enclaves absorbed).
- **Kanemoto & Tokuoka's urban employment areas** (Japan, 2002): a core (given), suburbs with
  at least 10% of their employed residents commuting to the core, then higher-order suburbs
  with 10% to a suburb (no order cap), each zone to the target it sends most to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .._areas import quotient
from .._base import Estimator, checked_call
from .._centres import parse_centres
from .._checks import optional_number, tau
from ..layers.metropolitan import MetropolitanAreas
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = [
    "FunctionalUrbanAreas",
    "functional_urban_areas",
    "aires_attraction_villes",
    "UrbanEmploymentAreas",
    "urban_employment_areas",
    "merge_polycentric",
]


def merge_polycentric(graph: FlowGraph, cities, merge_tau: float, owner: str) -> list[list[str]]:
    """Groups of cities tied at ``>= merge_tau`` either way, measured between whole cities on
    the quotient graph (share of a city's employed residents working in the other)."""
    cores, _ = parse_centres(graph, cities, owner)
    k = len(cores)
    n = graph.n_zones
    code = np.full(n, k, np.int64)  # k = "rest of the country"
    for i, c in enumerate(cores):
        code[c] = i
    q = quotient(graph.matrix, np.where(code < k, code, -1), k).tocoo()  # city x city, sparse
    r = np.asarray(graph.residents, float)
    res = np.bincount(code, weights=r, minlength=k + 1)[:k]
    off = (q.row != q.col) & (res[q.row] > 0)
    i, j = q.row[off], q.col[off]
    tied = q.data[off] / res[i] >= merge_tau
    link = sp.csr_array((np.ones(int(tied.sum())), (i[tied], j[tied])), shape=(k, k))
    _, lab = connected_components(link, directed=False)  # either direction suffices
    ids = graph.ids.to_numpy()
    groups = [
        np.sort(np.concatenate([cores[i] for i in np.flatnonzero(lab == g)]))
        for g in range(lab.max() + 1)
    ]
    return [list(ids[g]) for g in groups]


class FunctionalUrbanAreas(Estimator):
    """EU-OECD functional urban areas (and INSEE AAV): cities plus their commuting zones.

    **Complexity**: the shares of each zone's commuters into the cities are sparse
    row and column operations, ``O(m)``; memory ``O(n + m)``.

    Parameters
    ----------
    cities : list or mapping
        The cities (urban centres, pôles): ids or groups of ids, or ``{name: ids}``.
    tau : float
        Commuting-zone threshold (0.15: 15% of employed residents working in the city).
    merge_tau : float or None
        Cities exchanging at least this share (either way) form one polycentric city (0.15).
    contiguity : "auto", None or Contiguity
        One piece without enclaves (on by default when the graph has polygons).
    name : str, optional
        Layer name (default ``"fua"``).

    Attributes
    ----------
    partition_ : Partition
        The functional urban areas (kind ``"functional urban area"``): each city (its zones
        are the centres) with its commuting zone; params record ``merge_tau``.
    labels_ : pandas.Series
        Area id per zone (None when unassigned).

    See Also
    --------
    regionalize.methods.functional_urban_areas : the function twin.
    regionalize.methods.aires_attraction_villes : the same rules as INSEE's AAV.
    regionalize.MetropolitanAreas : the general rule this is a setting of (``max_order=1``,
        ``share="residents"``).

    References
    ----------
    Dijkstra, L., Poelman, H. and Veneri, P. (2019). The EU-OECD definition of a functional
    urban area. *OECD Regional Development Working Papers* 2019/11, OECD Publishing, Paris.

    Examples
    --------
    Two cities P and Q, with 21% of Q's workers in P: one polycentric city. S1 sends 30% of
    its workers to P and is in the commuting zone; S2 works in S1, not in the city (no
    chaining), and R sends only 10% to Q:

    >>> import pandas as pd
    >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
    ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
    ...         ("R", "R", 90), ("R", "Q", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> fua = rz.methods.FunctionalUrbanAreas(["P", "Q"]).fit(g)
    >>> fua.labels_.to_dict()
    {'P': 'P+Q', 'Q': 'P+Q', 'R': None, 'S1': 'P+Q', 'S2': None}
    """

    layer = "fua"
    kind = "functional urban area"

    def __init__(
        self,
        cities,
        *,
        tau: float = 0.15,
        merge_tau: float | None = 0.15,
        contiguity="auto",
        name: str | None = None,
    ):
        self.cities = cities
        self.tau = tau
        self.merge_tau = merge_tau
        self.contiguity = contiguity
        self.name = name

    _constraints = {
        "tau": tau,
        "merge_tau": optional_number(interval=(0, 1), closed="right"),
    }

    def fit(self, graph: FlowGraph) -> FunctionalUrbanAreas:
        """Delineate the functional urban areas of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        FunctionalUrbanAreas
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        With ``merge_tau=None`` the cities stay apart, each with its own commuting zone;
        a mapping names them:

        >>> import pandas as pd
        >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
        ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
        ...         ("R", "R", 90), ("R", "Q", 10)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> fua = rz.methods.FunctionalUrbanAreas({"Metro": "P", "Town": "Q"}, merge_tau=None)
        >>> fua.fit(g).partition_.areas[["name", "n_zones"]]
        ... # doctest: +NORMALIZE_WHITESPACE
               name  n_zones
        area
        P     Metro        2
        Q      Town        1
        """
        owner = type(self).__name__
        centres = self.cities
        if self.merge_tau is not None:
            centres = merge_polycentric(graph, self.cities, self.merge_tau, owner)
        m = MetropolitanAreas(
            centres,
            tau=self.tau,
            max_order=1,
            share="residents",
            contiguity=self.contiguity,
            name=self.name or self.layer,
        ).fit(graph)
        p = m.partition_
        params = {**p.params, "definition": self.kind, "merge_tau": self.merge_tau}
        self.partition_ = Partition(
            p.name, p.ids, p.details, p.areas.assign(kind=self.kind), params
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def functional_urban_areas(
    graph: FlowGraph,
    cities,
    *,
    tau: float = 0.15,
    merge_tau: float | None = 0.15,
    contiguity="auto",
    name: str | None = None,
) -> Partition:
    """Functional urban areas (EU-OECD) of ``graph``: :class:`FunctionalUrbanAreas` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    cities : list or mapping
        The cities (urban centres, pôles): ids or groups of ids, or ``{name: ids}``.
    tau : float
        Commuting-zone threshold (0.15: 15% of employed residents working in the city).
    merge_tau : float or None
        Cities exchanging at least this share (either way) form one polycentric city (0.15).
    contiguity : "auto", None or Contiguity
        One piece without enclaves (on by default when the graph has polygons).

    name : str, optional
        Layer name (default ``"fua"``).

    Returns
    -------
    Partition
        The FUA layer (``FunctionalUrbanAreas(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.methods.FunctionalUrbanAreas : the estimator, with the fitted attributes.

    References
    ----------
    Dijkstra, L., Poelman, H. and Veneri, P. (2019). The EU-OECD definition of a functional
    urban area. *OECD Regional Development Working Papers* 2019/11, OECD Publishing, Paris.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
    ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
    ...         ("R", "R", 90), ("R", "Q", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> rz.methods.functional_urban_areas(g, ["P", "Q"]).labels.to_dict()
    {'P': 'P+Q', 'Q': 'P+Q', 'R': None, 'S1': 'P+Q', 'S2': None}
    """
    return (
        FunctionalUrbanAreas(cities, tau=tau, merge_tau=merge_tau, contiguity=contiguity, name=name)
        .fit(graph)
        .partition_
    )


class _AAV(FunctionalUrbanAreas):
    layer = "aav"
    kind = "aire d'attraction des villes"


@checked_call
def aires_attraction_villes(
    graph: FlowGraph,
    poles,
    *,
    tau: float = 0.15,
    merge_tau: float | None = 0.15,
    contiguity="auto",
    name: str | None = None,
) -> Partition:
    """INSEE aires d'attraction des villes (2020): pôles and their couronnes at 15%, the
    same rules as :class:`FunctionalUrbanAreas` (layer ``"aav"``).

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    poles : list or mapping
        The cities (urban centres, pôles): ids or groups of ids, or ``{name: ids}``.
    tau : float
        Commuting-zone threshold (0.15: 15% of employed residents working in the city).
    merge_tau : float or None
        Cities exchanging at least this share (either way) form one polycentric city (0.15).
    contiguity : "auto", None or Contiguity
        One piece without enclaves (on by default when the graph has polygons).

    name : str, optional
        Layer name (default ``"aav"``).

    Returns
    -------
    Partition
        The AAV layer (areas of kind ``"aire d'attraction des villes"``).

    See Also
    --------
    regionalize.methods.FunctionalUrbanAreas : the same rules, the EU-OECD definition.

    References
    ----------
    INSEE (2020). *Zonage en aires d'attraction des villes 2020*. Institut national de la
    statistique et des études économiques, Paris.

    Examples
    --------
    The pôles P and Q form one pôle (21% of Q's workers work in P); S1 is in its couronne:

    >>> import pandas as pd
    >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
    ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
    ...         ("R", "R", 90), ("R", "Q", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> aav = rz.methods.aires_attraction_villes(g, ["P", "Q"])
    >>> aav.areas[["kind", "n_zones"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                                  kind  n_zones
    area
    P+Q   aire d'attraction des villes        3
    """
    return (
        _AAV(poles, tau=tau, merge_tau=merge_tau, contiguity=contiguity, name=name)
        .fit(graph)
        .partition_
    )


class UrbanEmploymentAreas(Estimator):
    """Kanemoto & Tokuoka urban employment areas: cores, 10% suburbs, higher-order suburbs.

    Each zone joins the core or suburb it sends most to among those it sends at least
    ``tau`` to (``dominance="targets"``), with no order cap by default.

    Parameters
    ----------
    cores : list, list of lists, or mapping
        The central cities (ids, groups of ids for polycentric cores, or ``{name: ids}``).
    tau : float in (0, 1]
        Share of a zone's employed residents commuting to the core (first-order suburbs) or
        to a suburb (higher orders) that ties it (default 0.10).
    max_order : int, optional
        Highest suburb order; None (default) = no cap.
    contiguity : None, "auto", "require" or Contiguity
        None (default): flows only; otherwise areas are kept in one piece as in
        :class:`regionalize.MetropolitanAreas`.
    name : str, optional
        Layer name (default ``"uea"``).

    Attributes
    ----------
    partition_ : Partition
        The urban employment areas (kind ``"urban employment area"``); every suburb records
        its ``order`` and the zone it joined ``via``.
    labels_ : pandas.Series
        Area id per zone (None when unassigned).

    See Also
    --------
    regionalize.methods.urban_employment_areas : the function twin.
    regionalize.MetropolitanAreas : the general rule this is a setting of.

    References
    ----------
    Kanemoto, Y. and Tokuoka, K. (2002). Proposal for the standards of metropolitan areas
    of Japan (in Japanese).

    Examples
    --------
    Core P: Q (21% of its workers to P) and S1 (30%) are suburbs; R (10% to Q) and S2 (40%
    to S1) are second-order suburbs:

    >>> import pandas as pd
    >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
    ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
    ...         ("R", "R", 90), ("R", "Q", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> uea = rz.methods.UrbanEmploymentAreas(["P"]).fit(g)
    >>> uea.partition_.details[["order", "via"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          order   via
    zone
    P         0  None
    Q         1     P
    R         2     Q
    S1        1     P
    S2        2    S1
    """

    def __init__(
        self,
        cores,
        *,
        tau: float = 0.10,
        max_order: int | None = None,
        contiguity=None,
        name: str | None = None,
    ):
        self.cores = cores
        self.tau = tau
        self.max_order = max_order
        self.contiguity = contiguity
        self.name = name

    def fit(self, graph: FlowGraph) -> UrbanEmploymentAreas:
        """Delineate the urban employment areas of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        UrbanEmploymentAreas
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        >>> import numpy as np
        >>> g = rz.FlowGraph.from_matrix(np.array([[90, 0, 0], [20, 80, 0], [0, 15, 85]]),
        ...                              ["core", "sub1", "sub2"])
        >>> rz.methods.UrbanEmploymentAreas(["core"]).fit(g).labels_.to_dict()
        {'core': 'core', 'sub1': 'core', 'sub2': 'core'}
        """
        m = MetropolitanAreas(
            self.cores,
            tau=self.tau,
            max_order=self.max_order,
            share="residents",
            dominance="targets",
            contiguity=self.contiguity,
            name=self.name or "uea",
        ).fit(graph)
        p = m.partition_
        self.partition_ = Partition(
            p.name,
            p.ids,
            p.details,
            p.areas.assign(kind="urban employment area"),
            {**p.params, "definition": "Kanemoto-Tokuoka UEA"},
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def urban_employment_areas(
    graph: FlowGraph,
    cores,
    *,
    tau: float = 0.1,
    max_order: int | None = None,
    contiguity=None,
    name: str | None = None,
) -> Partition:
    """Urban employment areas of ``graph``: :class:`UrbanEmploymentAreas` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    cores : list, list of lists, or mapping
        The central cities (ids, groups of ids for polycentric cores, or ``{name: ids}``).
    tau : float in (0, 1]
        Commuting share that makes a suburb (default 0.10).
    max_order : int, optional
        Highest suburb order; None (default) = no cap.
    contiguity : None, "auto", "require" or Contiguity
        None (default): flows only; otherwise areas are kept in one piece.
    name : str, optional
        Layer name (default ``"uea"``).

    Returns
    -------
    Partition
        The UEA layer (``UrbanEmploymentAreas(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.methods.UrbanEmploymentAreas : the estimator, with the fitted attributes.

    References
    ----------
    Kanemoto, Y. and Tokuoka, K. (2002). Proposal for the standards of metropolitan areas
    of Japan (in Japanese).

    Examples
    --------
    First-order suburbs only, with ``max_order=1``:

    >>> import pandas as pd
    >>> rows = [("P", "P", 800), ("Q", "Q", 300), ("Q", "P", 80), ("P", "Q", 20),
    ...         ("S1", "S1", 70), ("S1", "P", 30), ("S2", "S2", 60), ("S2", "S1", 40),
    ...         ("R", "R", 90), ("R", "Q", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> rz.methods.urban_employment_areas(g, ["P"], max_order=1).labels.to_dict()
    {'P': 'P', 'Q': 'P', 'R': None, 'S1': 'P', 'S2': None}
    """
    return (
        UrbanEmploymentAreas(cores, tau=tau, max_order=max_order, contiguity=contiguity, name=name)
        .fit(graph)
        .partition_
    )
