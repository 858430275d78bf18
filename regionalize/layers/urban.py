"""Urban areas: large urban areas around metropolitan cores, and small and medium-sized
urban areas around the other cities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._areas import DEFAULT_CLASSES
from .._attach import attach_runner, contiguity_for, contiguity_params, run_with_minimum
from .._base import Estimator, checked_call
from .._centres import CentreRule, parse_centres, rule_centres
from .._checks import (
    boolean,
    check_graph,
    check_layer,
    classes,
    integer,
    one_of,
    optional_number,
    order,
    tau,
    text,
)
from .._core.constraint import Attachment, detached
from .._core.shares import link_components, resolve_share
from .._explain import explain_centres, likely_causes, report_empty
from ..errors import InvalidZonesError
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["UrbanAreas", "urban_areas"]

OUTER_RING = "in a metropolitan area beyond its direct commuting belt"
CUT_OFF = (
    "in a metropolitan direct commuting belt, but joined through a zone beyond it: "
    "cut off from the large urban area by contiguity"
)


class UrbanAreas(Estimator):
    """Urban areas: the large ones around metropolitan cores, the small and medium-sized
    ones around other cities.

    **Complexity**: as :class:`MetropolitanAreas`, once for the large urban areas and once
    for the small and medium-sized ones: ``O(max_order * m)`` time plus ``O(n + L)`` per
    contiguity repair round, memory ``O(n + m)``.

    Parameters
    ----------
    tau, max_order, share, dominance, contiguity, classes
        As in :class:`regionalize.MetropolitanAreas`, for the small and medium-sized urban
        areas.
    large_max_order : int
        A large urban area is a metropolitan core with its members up to this order
        (default 1: the direct commuting belt).
    within_metropolitan : bool
        Allow small and medium-sized urban areas inside metropolitan areas (among zones
        beyond the belt, never crossing a metropolitan boundary). When False, such zones
        are unassigned with the reason "in a metropolitan area beyond its direct commuting
        belt".
    centres : list, list of lists, or mapping, optional
        Centres of the small and medium-sized urban areas, written as the ``centres`` of
        :class:`regionalize.MetropolitanAreas`; none may lie in a large urban area. When
        None, found among the zones outside large urban areas by the size rule of
        :class:`regionalize.MetropolitanAreas` with the parameters below.
    size, min_size, min_job_ratio, candidates, merge_tau, cluster_cores
        The size rule for centres, as in :class:`regionalize.MetropolitanAreas`.
    min_size_share : float in [0, 1]
        Smallest size of a centre as a share of the national total when ``min_size`` is
        None (default 0.001: ten times smaller than a metropolitan centre's).
    min_zones : int
        Smallest number of zones (centre included) of a small/medium urban area; smaller
        ones are dissolved and their zones unassigned with a reason.
    min_population : float, optional
        Smallest population (zone column ``population_column``) of such an area.
    population_column : str
        The zone-table column ``min_population`` reads (default ``"population"``).
    name : str, optional
        Layer name (default ``"urban"``).

    Attributes
    ----------
    partition_ : Partition
        Areas of kind ``"large urban"`` (id of the metropolitan area) and
        ``"small/medium urban"`` (id of the central zone). Its params record the centre
        rule as applied (``centre_rule``, ``centre_rule_text``), the zones without a polygon
        (``no_geometry``) and, with no area at all, why (``empty_reason``).
    labels_ : pandas.Series
        Area id per zone (None when unassigned).

    Warns
    -----
    UserWarning
        When the layer has no area (no metropolitan area, and no small or medium-sized
        centre found or kept), saying why and what to change.

    See Also
    --------
    regionalize.urban_areas : the function twin, returning the Partition.
    regionalize.MetropolitanAreas : the layer whose cores and belts are the large urban
        areas.
    regionalize.delineate : the metropolitan, urban and megaregion layers in one call.

    Examples
    --------
    A capital S with its belt A and an outer zone B (joined through A), and a town T whose
    jobs draw U; V is tied to nobody.

    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("B", "B", 90),
    ...         ("B", "A", 15), ("T", "T", 200), ("U", "U", 80), ("U", "T", 30),
    ...         ("V", "V", 50), ("V", "T", 2)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> metro = rz.metropolitan_areas(g, ["S"], tau=0.1)
    >>> metro.labels.to_dict()
    {'A': 'S', 'B': 'S', 'S': 'S', 'T': None, 'U': None, 'V': None}

    The large urban area is S with its direct belt (B, a second-order member, stays out);
    T is found as a small urban centre by the size rule (jobs at least its workers):

    >>> u = rz.UrbanAreas(tau=0.1).fit(g, metro)
    >>> u.partition_.areas[["kind", "n_zones"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                        kind  n_zones
    area
    S            large urban        2
    T     small/medium urban        2
    >>> u.labels_.to_dict()
    {'A': 'S', 'B': None, 'S': 'S', 'T': 'T', 'U': 'T', 'V': None}
    """

    layer = "urban"

    def __init__(
        self,
        *,
        tau: float = 0.10,
        max_order: int | None = None,
        share: str = "auto",
        dominance: str = "strict",
        large_max_order: int = 1,
        within_metropolitan: bool = True,
        centres=None,
        size: str = "jobs",
        min_size: float | None = None,
        min_size_share: float = 0.001,
        min_job_ratio: float | None = 1.0,
        candidates=None,
        merge_tau: float | None = None,
        cluster_cores: bool = False,
        min_zones: int = 2,
        min_population: float | None = None,
        population_column: str = "population",
        contiguity="auto",
        classes: Sequence[float] = DEFAULT_CLASSES,
        name: str | None = None,
    ):
        self.tau = tau
        self.max_order = max_order
        self.share = share
        self.dominance = dominance
        self.large_max_order = large_max_order
        self.within_metropolitan = within_metropolitan
        self.centres = centres
        self.size = size
        self.min_size = min_size
        self.min_size_share = min_size_share
        self.min_job_ratio = min_job_ratio
        self.candidates = candidates
        self.merge_tau = merge_tau
        self.cluster_cores = cluster_cores
        self.min_zones = min_zones
        self.min_population = min_population
        self.population_column = population_column
        self.contiguity = contiguity
        self.classes = classes
        self.name = name

    _constraints = {
        "tau": tau,
        "max_order": order,
        "large_max_order": integer(low=1),
        "dominance": one_of("strict", "targets"),
        "within_metropolitan": boolean,
        "min_zones": integer(low=1),
        "min_population": optional_number(),
        "population_column": text(allow_none=False),
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
        >>> rz.UrbanAreas(tau=0.1, large_max_order=2).check_params()
        >>> rz.UrbanAreas(large_max_order=0).check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'large_max_order' parameter of UrbanAreas must be an int in [1, inf). Got 0 instead.
        """
        super().check_params()
        self._centre_rule().check(type(self).__name__)

    def _centre_rule(self) -> CentreRule:
        """The size rule for centres, from this layer's parameters."""
        return CentreRule.from_params(self.get_params())

    def fit(self, graph: FlowGraph, metropolitan: Partition | None = None) -> UrbanAreas:
        """Delineate the urban areas of ``graph``: the large ones from ``metropolitan``, the
        small and medium-sized ones around other cities.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).
        metropolitan : Partition, optional
            The metropolitan layer over the same zones: its cores with their belt up to
            ``large_max_order`` are the large urban areas; the small and medium-sized areas
            form around them (see ``within_metropolitan``).

        Returns
        -------
        UrbanAreas
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        Zone B is in the metropolitan area of S but beyond its direct belt; whether it may
        belong to a small urban area is ``within_metropolitan``'s choice, and the reason
        says which rule left it out:

        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("B", "B", 90),
        ...         ("B", "A", 15), ("T", "T", 200), ("U", "U", 80), ("U", "T", 30)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> metro = rz.metropolitan_areas(g, ["S"], tau=0.1)
        >>> u = rz.UrbanAreas(tau=0.1, within_metropolitan=False).fit(g, metro)
        >>> u.labels_.to_dict()
        {'A': 'S', 'B': None, 'S': 'S', 'T': 'T', 'U': 'T'}
        >>> u.partition_.details.loc["B", "reason"]
        'in a metropolitan area beyond its direct commuting belt'
        """
        owner = type(self).__name__
        check_graph(owner, graph)
        check_layer(owner, "metropolitan", metropolitan, graph)
        n = graph.n_zones
        share = resolve_share(self.share, graph.has_diagonal, owner)
        components, denom = link_components(graph, share)

        # ---- large urban areas: metropolitan cores and their direct belt
        large_cores: list[np.ndarray] = []
        large_names: list[str] = []
        in_large = np.full(n, -1, np.int64)
        groups = np.zeros(n, np.int64)
        if metropolitan is not None:
            d = metropolitan.details
            mcodes = metropolitan.codes()
            groups = mcodes + 1
            order = d["order"].to_numpy(dtype=float, na_value=np.inf)
            belt = (mcodes >= 0) & (order <= self.large_max_order)
            areas = metropolitan.areas
            for i, (centres, name) in enumerate(zip(areas["centres"], areas["name"], strict=True)):
                large_cores.append(np.sort(graph.ids.get_indexer(list(centres))))
                large_names.append(name)
                in_large[belt & (mcodes == i)] = i
        contig = contiguity_for(graph, self.contiguity)
        cut_off = np.zeros(n, bool)
        if contig is not None and metropolitan is not None:
            # a belt member joined through a zone beyond the belt is cut off from its core:
            # it stays in the metropolitan area, not in the (one-piece) large urban area
            m_via = graph.ids.get_indexer(metropolitan.details["via"].fillna("").to_numpy())
            cut_off = detached(
                in_large,
                np.where(belt, order, -1.0),
                contig[0],
                contig[1],
                missing=contig[3],
                via=np.where(belt, m_via, -1),
            )
            in_large[cut_off] = -1
        eligible = in_large < 0
        if metropolitan is not None and not self.within_metropolitan:
            eligible &= groups == 0

        # ---- small and medium-sized urban areas
        rule = None
        if self.centres is not None:
            cores, names = parse_centres(graph, self.centres, owner)
            bad = [graph.ids[c[0]] for c in cores if not eligible[c].all()]
            if bad:
                raise InvalidZonesError(
                    f"{len(bad)} centres of small/medium urban areas lie in a large urban area "
                    f"(first: {', '.join(bad[:3])}); leave them out or lower large_max_order."
                )
        else:
            cores, names, rule = rule_centres(
                graph, self._centre_rule(), components, contig, eligible=eligible, groups=groups
            )
        run = attach_runner(
            components,
            self.tau,
            contig,
            max_order=self.max_order,
            dominance=self.dominance,
            denominator=denom,
            groups=groups,
            eligible=eligible,
        )
        pop = None
        if self.min_population is not None:
            if self.population_column not in graph.zones.columns:
                raise InvalidZonesError(
                    f"min_population needs a {self.population_column!r} zone column; attach it "
                    "with graph.with_zones(...) or set population_column=."
                )
            pop = graph.zones[self.population_column].to_numpy(dtype=float, na_value=0.0)
        n_found = len(cores)
        res, kept = run_with_minimum(
            run, cores, min_zones=self.min_zones, population=pop, min_population=self.min_population
        )
        cores, names = [cores[i] for i in kept], [names[i] for i in kept]
        k = len(cores)
        res.reason[~eligible & (in_large < 0)] = OUTER_RING
        res.reason[cut_off & (res.area < 0)] = CUT_OFF
        params = {
            **self.get_params(),
            "share": share,
            **contiguity_params(graph, contig),
            "centres": [list(graph.ids[c]) for c in cores],
        }
        layer = self.name or self.layer
        kl = len(large_cores)
        explain_centres(
            params,
            res,
            rule=rule,
            n_found=n_found,
            kept=kept,
            layer=layer,
            tau=self.tau,
            min_zones=self.min_zones,
            min_population=self.min_population,
            extra=kl,
            warn=False,
        )
        if kl + k == 0:
            no_large = (
                "no large urban area (the metropolitan layer has 0 areas)"
                if metropolitan is not None
                else "no metropolitan layer given"
            )
            small = params.get("empty_reason") or "none was found"
            params["empty_reason"] = f"{no_large}, and no small or medium-sized urban area: {small}"
            causes = likely_causes(rule, tau=self.tau, min_zones=self.min_zones, given=rule is None)
            report_empty(layer, params["empty_reason"], causes)

        # ---- one partition: large areas first, then small/medium ones
        area = np.where(in_large >= 0, in_large, np.where(res.area >= 0, res.area + kl, -1))
        m_order = (
            metropolitan.details["order"].to_numpy(dtype=float, na_value=-1)
            if metropolitan is not None
            else np.full(n, -1.0)
        )
        m_share = (
            metropolitan.details["share"].to_numpy(dtype=float)
            if metropolitan is not None
            else np.full(n, np.nan)
        )
        m_via = (
            graph.ids.get_indexer(metropolitan.details["via"].fillna("").to_numpy())
            if metropolitan is not None
            else np.full(n, -1)
        )
        large = in_large >= 0
        merged = Attachment(
            area=area,
            order=np.where(large, m_order.astype(np.int64), res.order),
            share=np.where(large, m_share, res.share),
            via=np.where(large, m_via, res.via),
            role=np.where(large, np.where(m_order == 0, "centre", "member"), res.role).astype(
                object
            ),
            reason=np.where(large, None, res.reason).astype(object),
        )
        all_cores = large_cores + list(cores)
        kinds = ["large urban"] * kl + ["small/medium urban"] * k
        self.partition_ = Partition.from_attachment(
            graph,
            merged,
            all_cores,
            layer=layer,
            kind=kinds,
            names=large_names + list(names),
            classes=self.classes,
            params=params,
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def urban_areas(
    graph: FlowGraph,
    metropolitan: Partition | None = None,
    *,
    tau: float = 0.1,
    max_order: int | None = None,
    share: str = "auto",
    dominance: str = "strict",
    large_max_order: int = 1,
    within_metropolitan: bool = True,
    centres=None,
    size: str = "jobs",
    min_size: float | None = None,
    min_size_share: float = 0.001,
    min_job_ratio: float | None = 1.0,
    candidates=None,
    merge_tau: float | None = None,
    cluster_cores: bool = False,
    min_zones: int = 2,
    min_population: float | None = None,
    population_column: str = "population",
    contiguity="auto",
    classes: Sequence[float] = DEFAULT_CLASSES,
    name: str | None = None,
) -> Partition:
    """Small and medium-sized urban areas of ``graph``: :class:`UrbanAreas` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    metropolitan : Partition, optional
        The metropolitan layer over the same zones (see :class:`UrbanAreas`).
    tau, max_order, share, dominance, contiguity, classes
        As in :class:`regionalize.MetropolitanAreas`, for the small and medium-sized urban
        areas.
    large_max_order : int
        A large urban area is a metropolitan core with its members up to this order
        (default 1: the direct commuting belt).
    within_metropolitan : bool
        Allow small and medium-sized urban areas inside metropolitan areas (among zones
        beyond the belt, never crossing a metropolitan boundary). When False, such zones
        are unassigned with the reason "in a metropolitan area beyond its direct commuting
        belt".
    centres : list, list of lists, or mapping, optional
        Centres of the small and medium-sized urban areas, written as the ``centres`` of
        :class:`regionalize.MetropolitanAreas`; found by the size rule when None, among
        zones outside large urban areas.
    size, min_size, min_job_ratio, candidates, merge_tau, cluster_cores
        The size rule for centres, as in :class:`regionalize.MetropolitanAreas`.
    min_size_share : float in [0, 1]
        Smallest size of a centre as a share of the national total when ``min_size`` is
        None (default 0.001).
    min_zones : int
        Smallest number of zones (centre included) of a small/medium urban area; smaller
        ones are dissolved and their zones unassigned with a reason.
    min_population : float, optional
        Smallest population (zone column ``population_column``) of such an area.
    population_column : str
        The zone-table column ``min_population`` reads (default ``"population"``).
    name : str, optional
        Layer name (default ``"urban"``).

    Returns
    -------
    Partition
        The urban layer (``UrbanAreas(...).fit(graph, metropolitan).partition_``).

    See Also
    --------
    regionalize.UrbanAreas : the estimator, with the fitted attributes.

    Examples
    --------
    A capital S with its belt A, and a town T whose jobs draw U; given as a centre, T leads
    a small urban area:

    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("T", "T", 200),
    ...         ("U", "U", 80), ("U", "T", 30)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> metro = rz.metropolitan_areas(g, ["S"], tau=0.1)
    >>> rz.urban_areas(g, metro, tau=0.1, centres=["T"]).labels.to_dict()
    {'A': 'S', 'S': 'S', 'T': 'T', 'U': 'T'}
    """
    return (
        UrbanAreas(
            tau=tau,
            max_order=max_order,
            share=share,
            dominance=dominance,
            large_max_order=large_max_order,
            within_metropolitan=within_metropolitan,
            centres=centres,
            size=size,
            min_size=min_size,
            min_size_share=min_size_share,
            min_job_ratio=min_job_ratio,
            candidates=candidates,
            merge_tau=merge_tau,
            cluster_cores=cluster_cores,
            min_zones=min_zones,
            min_population=min_population,
            population_column=population_column,
            contiguity=contiguity,
            classes=classes,
            name=name,
        )
        .fit(graph, metropolitan)
        .partition_
    )
