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
        rule: ``size >= min_size`` (default ``min_size_share`` of the national total),
        ``jobs / residents >= min_job_ratio``, and not itself tied (share ``>= tau``) to a
        larger centre; centres tied at ``>= merge_tau`` either way form one core. With
        ``cluster_cores=True`` (needs contiguity), touching candidate zones not tied to a
        bigger one form one core whose total size is tested, so a city centre cut into many
        small zones is still found (see :func:`regionalize._core.constraint.find_centres`).
        Meant for fine zone systems; on coarse ones it can chain neighbouring towns.
    tau : float in (0, 1]
        Inclusive link threshold: zone i may attach through j when ``s[i, j] >= tau``.
    max_order : int or None
        Highest attachment order (1 = direct links to the core only); None = no cap.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        Share denominator; "auto" is "residents" with a diagonal and "outcommuters" without.
    dominance : {"strict", "targets"}
        See :func:`regionalize._core.constraint.attach`.
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
        enclave is absorbed.
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).

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

    Examples
    --------
    The toy of the design brief: centres S and E; at 5% A joins S directly, B through A,
    D joins E, and C (third order) is left out by ``max_order=2``.

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
    >>> m.partition_.details.loc[["A", "B", "D"], ["order", "strength", "via"]].to_dict("index")
    {'A': {'order': 1, 'strength': 0.2, 'via': 'S'}, 'B': {'order': 2, 'strength': 0.1, 'via': 'A'}, 'D': {'order': 1, 'strength': 0.2, 'via': 'E'}}
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
        """Check the declared parameters and the centre rule's (see :class:`Estimator`)."""
        super().check_params()
        self._centre_rule().check(type(self).__name__)

    def _centre_rule(self) -> CentreRule:
        """The size rule for centres, from this layer's parameters."""
        return CentreRule(
            size=self.size,
            min_size=self.min_size,
            min_size_share=self.min_size_share,
            min_job_ratio=self.min_job_ratio,
            candidates=self.candidates,
            tau=self.tau,
            merge_tau=self.merge_tau,
            cluster_cores=self.cluster_cores,
        )

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
        rule: ``size >= min_size`` (default ``min_size_share`` of the national total),
        ``jobs / residents >= min_job_ratio``, and not itself tied (share ``>= tau``) to a
        larger centre; centres tied at ``>= merge_tau`` either way form one core. With
        ``cluster_cores=True`` (needs contiguity), touching candidate zones not tied to a
        bigger one form one core whose total size is tested, so a city centre cut into many
        small zones is still found (see :func:`regionalize._core.constraint.find_centres`).
        Meant for fine zone systems; on coarse ones it can chain neighbouring towns.
    tau : float in (0, 1]
        Inclusive link threshold: zone i may attach through j when ``s[i, j] >= tau``.
    max_order : int or None
        Highest attachment order (1 = direct links to the core only); None = no cap.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        Share denominator; "auto" is "residents" with a diagonal and "outcommuters" without.
    dominance : {"strict", "targets"}
        See :func:`regionalize._core.constraint.attach`.
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
        enclave is absorbed.
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).

    Returns
    -------
    Partition
        The metropolitan layer (``MetropolitanAreas(...).fit(graph).partition_``).

    See Also
    --------
    MetropolitanAreas : the estimator, with the fitted attributes.

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
