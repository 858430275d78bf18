"""Metropolitan areas: large centres and the zones tied to them by commuting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._areas import DEFAULT_CLASSES
from .._attach import attach_runner, contiguity_for, contiguity_params, run_with_minimum
from .._base import Estimator, checked_call
from .._centres import CentreRule, candidate_mask, parse_centres, rule_centres, size_measure
from .._checks import (
    check_graph,
    classes,
    one_of,
    order,
    tau,
    text,
)
from .._core.shares import link_components, resolve_share
from .._explain import explain_centres
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["MetropolitanAreas", "metropolitan_areas", "size_measure", "candidate_mask"]


class MetropolitanAreas(Estimator):
    """Metropolitan areas by network constraint: centres plus the zones that depend on them.

    **Complexity** (n zones, m non-zero flows, L contiguity links): the attachment rounds
    are sparse products, ``O(max_order * m)`` time, no loop over zones; with polygons each
    contiguity repair round (enclosed zones absorbed, detached members released) is
    ``O(n + L)``. The contiguity and the exterior ring are built once per set of polygons
    and cached (redrawn graphs share them). Memory ``O(n + m)``.

    Parameters
    ----------
    centres : list, list of lists, or mapping, optional
        The central zones. A list of ids gives one area per id; a list of lists (or a mapping
        ``{name: [ids]}``) gives polycentric cores whose shares are summed, e.g. Korea's
        ``{"Seoul": "11", "Busan-Ulsan": ["21", "26"], ...}``. When None, centres are found by
        the size rule (``size``, ``min_size``, ``min_size_share``, ``min_job_ratio``,
        ``candidates``, ``merge_tau``, ``cluster_cores``; see the Notes).
    tau : float in (0, 1]
        Inclusive link threshold: zone i may attach through j when ``s[i, j] >= tau``.
    max_order : int or None
        Highest attachment order (1 = direct links to the core only); None = no cap.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        Share denominator: "residents" is ``F[i, j] / R_i`` with ``R_i`` the employed
        residents of i (flows within the zone included); "outcommuters" is
        ``F[i, j] / (R_i - F[i, i])``, the only choice for a table without its diagonal;
        "jobs" is ``F[j, i] / W_i``, the share of zone i's jobs held by residents of j;
        "either" counts a link when either the "residents" or the "jobs" share is high.
        "auto" is "residents" with a diagonal and "outcommuters" without.
    dominance : {"strict", "targets"}
        At the first order a zone always joins the core it sends the largest (summed) share
        to. At higher orders, "strict" also requires the zone it joins through to be its
        largest destination overall (a multi-zone core counted as one destination), so a
        zone whose largest flow goes outside the areas stays out; "targets" only compares
        the zones already attached.
    size : str
        What makes a centre big, for the size rule: ``"jobs"`` (default), ``"residents"`` or
        the name of a numeric zone-table column.
    min_size : float, optional
        Smallest size of a centre found by rule. Default: ``min_size_share`` of the total.
    min_size_share : float in [0, 1]
        Smallest size of a centre as a share of the national total (default 0.01), used when
        ``min_size`` is None.
    min_job_ratio : float or None
        Jobs per employed resident a centre found by rule needs (default 1: a centre offers
        at least as many jobs as it has workers); None drops the test.
    candidates : str or list of ids, optional
        The zones allowed to be centres: a boolean zone-table column, or a list of ids.
        Default: every zone.
    merge_tau : float in (0, 1], optional
        Centres found by rule that are linked at ``>= merge_tau`` (either way) form one
        polycentric core. Default: never merged.
    cluster_cores : bool
        With contiguity, touching candidate zones not tied to a bigger one form one core
        whose total size is tested, so a city centre cut into many small zones is still
        found. Meant for fine zone systems; on coarse ones it can chain neighbouring towns.
    min_zones : int, optional
        Smallest area (zones, centre included). Smaller areas are dropped and the others
        attached again without them. Default: 1 for given centres, 2 for rule-found ones (a
        centre nothing attaches to is no metropolitan area).
    contiguity : "auto", "require", None or Contiguity
        With polygons ("auto"), each area is one connected piece: detached members are
        released (and may join another area); unassigned zones (or groups of them) enclosed
        by one area, not touching the coast or edge of the data, are absorbed as enclaves;
        islands with no land neighbour after linking to their nearest zone are exempt. With a
        Contiguity but no polygons on the graph, nothing is known to be enclosed, so no
        enclave is absorbed. "require" raises without polygons; None ignores geometry.
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``"metropolitan"``).

    Attributes
    ----------
    partition_ : Partition
        Its params record how the centres were chosen: ``centre_rule_text`` ("6 centres
        found: at least 223,768 jobs (1% of all) and a job ratio >= 1", or "5 centres
        given") and, for the rule, ``centre_rule`` with the numbers used (``min_size``
        actually applied, ``min_size_share``, ``min_job_ratio``, ``found``, and how many zones
        each test kept); ``no_geometry`` lists zones without a polygon (exempt from the
        contiguity rules: they touch nothing, are never released, and never detach the
        members tied to them by commuting); ``empty_reason`` says why there is no area.
    labels_ : pandas.Series
        Area id per zone (None when unassigned).

    Warns
    -----
    UserWarning
        When no area is left: why (e.g. "no centre was found by the centre rule (...)",
        also the reason of every zone concerned) and the likely causes, each naming what to
        change (the direction of the flows, ``min_size_share``/``min_size``,
        ``min_job_ratio``, ``tau``, ``min_zones``, or ``centres=``).

    See Also
    --------
    regionalize.metropolitan_areas : the function twin, returning the Partition.
    regionalize.UrbanAreas : large urban areas from this layer, and the smaller ones.
    regionalize.Megaregions : metropolitan areas grouped by their interaction.
    regionalize.quality.quality : how self-contained the areas are.

    Notes
    -----
    **Attachment.** The share ``s[i, j]`` says how much zone i depends on zone j (see
    ``share``). At the first order every unattached zone joins the core to which its share,
    summed over the zones of the core, is largest and at least ``tau``. At each later order a
    zone joins through an already attached zone j with ``s[i, j] >= tau`` (the largest such
    share; with ``dominance="strict"`` j must also be its largest destination), up to
    ``max_order``. Ties go to zone order, never to chance. Every member records its
    ``order``, ``share``, strength class and the zone it joined ``via``; every zone left out
    records a ``reason``.

    **Centres found by rule** (``centres=None``):

    1. Candidates are the allowed zones (``candidates``) whose ``size`` is at least the
       threshold (``min_size``, or ``min_size_share`` of the total) and whose jobs per
       employed resident reach ``min_job_ratio``; a zone of size 0 never leads.
    2. Candidates are visited from the largest down; one whose share to a centre already
       accepted is at least ``tau`` is tied to a bigger centre (a suburb) and is no centre.
    3. With ``merge_tau``, accepted centres linked at ``>= merge_tau`` either way merge into
       one polycentric core.
    4. With ``cluster_cores``, candidates need only a tenth of the threshold on their own;
       those tied at ``>= tau`` to a bigger candidate are dropped, and touching ones form
       one cluster whose total size must reach the threshold.

    Areas with fewer than ``min_zones`` zones are then dropped and the rest attached again.

    Examples
    --------
    Six zones with two centres, S and E. At ``tau=0.05`` A (30% of its workers go to S)
    joins S directly, B joins through A (15% of its workers go to A), D joins E, and C,
    whose link goes to B, would be a third order: ``max_order=2`` leaves it out.

    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("S", "E", 40), ("A", "A", 130),
    ...         ("A", "S", 60), ("A", "B", 10), ("B", "B", 81), ("B", "A", 15), ("B", "S", 4),
    ...         ("C", "C", 89), ("C", "B", 8), ("C", "S", 3), ("E", "E", 280), ("E", "S", 20),
    ...         ("D", "D", 110), ("D", "E", 40)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> m = rz.MetropolitanAreas(["S", "E"], tau=0.05, max_order=2).fit(g)
    >>> m.labels_.to_dict()
    {'A': 'S', 'B': 'S', 'C': None, 'D': 'E', 'E': 'E', 'S': 'S'}
    >>> m.partition_.details[["order", "share", "via", "reason"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          order     share   via                         reason
    zone
    A         1  0.300000     S                           None
    B         2  0.150000     A                           None
    C      <NA>       NaN  None  would attach beyond max_order
    D         1  0.266667     E                           None
    E         0       NaN  None                           None
    S         0       NaN  None                           None

    Without centres the size rule finds them. With at least 10% of all jobs, S, E and A are
    big enough, but A and E send at least ``tau`` of their workers to S: one centre.

    >>> m = rz.MetropolitanAreas(tau=0.05, max_order=2, min_size_share=0.1,
    ...                          min_job_ratio=None).fit(g)
    >>> m.partition_.params["centre_rule_text"]
    '1 centre found: at least 185 jobs (10% of all)'
    >>> m.labels_.to_dict()
    {'A': 'S', 'B': 'S', 'C': None, 'D': 'S', 'E': 'S', 'S': 'S'}
    """

    layer = "metropolitan"

    def __init__(
        self,
        centres=None,
        *,
        tau: float = 0.10,
        max_order: int | None = None,
        share: str = "auto",
        dominance: str = "strict",
        size: str = "jobs",
        min_size: float | None = None,
        min_size_share: float = 0.01,
        min_job_ratio: float | None = 1.0,
        candidates=None,
        merge_tau: float | None = None,
        cluster_cores: bool = False,
        min_zones: int | None = None,
        contiguity="auto",
        classes: Sequence[float] = DEFAULT_CLASSES,
        name: str | None = None,
    ):
        self.centres = centres
        self.tau = tau
        self.max_order = max_order
        self.share = share
        self.dominance = dominance
        self.size = size
        self.min_size = min_size
        self.min_size_share = min_size_share
        self.min_job_ratio = min_job_ratio
        self.candidates = candidates
        self.merge_tau = merge_tau
        self.cluster_cores = cluster_cores
        self.min_zones = min_zones
        self.contiguity = contiguity
        self.classes = classes
        self.name = name

    _constraints = {
        "tau": tau,
        "max_order": order,
        "dominance": one_of("strict", "targets"),
        "min_zones": order,
        "classes": classes,
        "name": text(),
    }

    def check_params(self) -> None:
        """Check every parameter, those of the centre rule included (run before every ``fit``).

        Raises
        ------
        InvalidParameterError
            Naming the first parameter that is wrong, what it must be and what it is.

        Examples
        --------
        >>> rz.MetropolitanAreas(tau=0.2, min_size_share=0.05).check_params()
        >>> rz.MetropolitanAreas(tau=1.5).check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'tau' parameter of MetropolitanAreas must be a float in (0, 1]. Got 1.5 instead.
        """
        super().check_params()
        self._centre_rule().check(type(self).__name__)

    def _centre_rule(self) -> CentreRule:
        """The size rule for centres, from this layer's parameters."""
        return CentreRule.from_params(self.get_params())

    def fit(self, graph: FlowGraph) -> MetropolitanAreas:
        """Delineate the metropolitan areas of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        MetropolitanAreas
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        A capital S with its commuter town A, a second city E with D, and a village C that
        sends too little to anyone (3% to S, below ``tau``):

        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("C", "C", 97),
        ...         ("C", "S", 3), ("E", "E", 280), ("E", "S", 20), ("D", "D", 110),
        ...         ("D", "E", 40)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> m = rz.MetropolitanAreas({"Capital": "S", "East": "E"}, tau=0.1)
        >>> m.fit(g) is m
        True
        >>> m.partition_.areas[["name", "n_zones"]]
        ... # doctest: +NORMALIZE_WHITESPACE
                 name  n_zones
        area
        S     Capital        2
        E        East        2
        >>> m.partition_.details.loc["C", "reason"]
        'no link at or above the threshold to an area'
        """
        check_graph(type(self).__name__, graph)
        owner = type(self).__name__
        share = resolve_share(self.share, graph.has_diagonal, owner)
        components, denom = link_components(graph, share)
        contig = contiguity_for(graph, self.contiguity)
        rule = None
        if self.centres is not None:
            cores, names = parse_centres(graph, self.centres, owner)
        else:
            cores, names, rule = rule_centres(graph, self._centre_rule(), components, contig)
        run = attach_runner(
            components,
            self.tau,
            contig,
            max_order=self.max_order,
            dominance=self.dominance,
            denominator=denom,
        )
        min_zones = (
            self.min_zones if self.min_zones is not None else (1 if self.centres is not None else 2)
        )
        n_found = len(cores)
        res, kept = run_with_minimum(run, cores, min_zones=min_zones)
        cores, names = [cores[i] for i in kept], [names[i] for i in kept]
        params = {**self.get_params(), "share": share, **contiguity_params(graph, contig)}
        params["centres"] = [list(graph.ids[c]) for c in cores]
        explain_centres(
            params,
            res,
            rule=rule,
            n_found=n_found,
            kept=kept,
            layer=self.name or self.layer,
            tau=self.tau,
            min_zones=min_zones,
        )
        self.partition_: Partition = Partition.from_attachment(
            graph,
            res,
            cores,
            layer=self.name or self.layer,
            kind="metropolitan",
            names=names,
            classes=self.classes,
            params=params,
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def metropolitan_areas(
    graph: FlowGraph,
    centres=None,
    *,
    tau: float = 0.1,
    max_order: int | None = None,
    share: str = "auto",
    dominance: str = "strict",
    size: str = "jobs",
    min_size: float | None = None,
    min_size_share: float = 0.01,
    min_job_ratio: float | None = 1.0,
    candidates=None,
    merge_tau: float | None = None,
    cluster_cores: bool = False,
    min_zones: int | None = None,
    contiguity="auto",
    classes: Sequence[float] = DEFAULT_CLASSES,
    name: str | None = None,
) -> Partition:
    """Metropolitan areas of ``graph``: :class:`MetropolitanAreas` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    centres : list, list of lists, or mapping, optional
        The central zones. A list of ids gives one area per id; a list of lists (or a mapping
        ``{name: [ids]}``) gives polycentric cores whose shares are summed, e.g. Korea's
        ``{"Seoul": "11", "Busan-Ulsan": ["21", "26"], ...}``. When None, centres are found by
        the size rule (``size``, ``min_size``, ``min_size_share``, ``min_job_ratio``,
        ``candidates``, ``merge_tau``, ``cluster_cores``; see the Notes of
        :class:`regionalize.MetropolitanAreas`).
    tau : float in (0, 1]
        Inclusive link threshold: zone i may attach through j when ``s[i, j] >= tau``.
    max_order : int or None
        Highest attachment order (1 = direct links to the core only); None = no cap.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        Share denominator: "residents" is ``F[i, j] / R_i`` with ``R_i`` the employed
        residents of i (flows within the zone included); "outcommuters" is
        ``F[i, j] / (R_i - F[i, i])``, the only choice for a table without its diagonal;
        "jobs" is ``F[j, i] / W_i``, the share of zone i's jobs held by residents of j;
        "either" counts a link when either the "residents" or the "jobs" share is high.
        "auto" is "residents" with a diagonal and "outcommuters" without.
    dominance : {"strict", "targets"}
        At the first order a zone always joins the core it sends the largest (summed) share
        to. At higher orders, "strict" also requires the zone it joins through to be its
        largest destination overall (a multi-zone core counted as one destination), so a
        zone whose largest flow goes outside the areas stays out; "targets" only compares
        the zones already attached.
    size : str
        What makes a centre big, for the size rule: ``"jobs"`` (default), ``"residents"`` or
        the name of a numeric zone-table column.
    min_size : float, optional
        Smallest size of a centre found by rule. Default: ``min_size_share`` of the total.
    min_size_share : float in [0, 1]
        Smallest size of a centre as a share of the national total (default 0.01), used when
        ``min_size`` is None.
    min_job_ratio : float or None
        Jobs per employed resident a centre found by rule needs (default 1: a centre offers
        at least as many jobs as it has workers); None drops the test.
    candidates : str or list of ids, optional
        The zones allowed to be centres: a boolean zone-table column, or a list of ids.
        Default: every zone.
    merge_tau : float in (0, 1], optional
        Centres found by rule that are linked at ``>= merge_tau`` (either way) form one
        polycentric core. Default: never merged.
    cluster_cores : bool
        With contiguity, touching candidate zones not tied to a bigger one form one core
        whose total size is tested, so a city centre cut into many small zones is still
        found. Meant for fine zone systems; on coarse ones it can chain neighbouring towns.
    min_zones : int, optional
        Smallest area (zones, centre included). Smaller areas are dropped and the others
        attached again without them. Default: 1 for given centres, 2 for rule-found ones (a
        centre nothing attaches to is no metropolitan area).
    contiguity : "auto", "require", None or Contiguity
        With polygons ("auto"), each area is one connected piece: detached members are
        released (and may join another area); unassigned zones (or groups of them) enclosed
        by one area, not touching the coast or edge of the data, are absorbed as enclaves;
        islands with no land neighbour after linking to their nearest zone are exempt. With a
        Contiguity but no polygons on the graph, nothing is known to be enclosed, so no
        enclave is absorbed. "require" raises without polygons; None ignores geometry.
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``"metropolitan"``).

    Returns
    -------
    Partition
        The metropolitan layer (``MetropolitanAreas(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.MetropolitanAreas : the estimator, with the fitted attributes and the rules
        (Notes) in full.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("E", "E", 280), ("E", "S", 20), ("D", "D", 110), ("D", "E", 40)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> rz.metropolitan_areas(g, ["S", "E"], tau=0.05).labels.to_dict()
    {'A': 'S', 'D': 'E', 'E': 'E', 'S': 'S'}
    """
    return (
        MetropolitanAreas(
            centres,
            tau=tau,
            max_order=max_order,
            share=share,
            dominance=dominance,
            size=size,
            min_size=min_size,
            min_size_share=min_size_share,
            min_job_ratio=min_job_ratio,
            candidates=candidates,
            merge_tau=merge_tau,
            cluster_cores=cluster_cores,
            min_zones=min_zones,
            contiguity=contiguity,
            classes=classes,
            name=name,
        )
        .fit(graph)
        .partition_
    )
