"""Life zones: service-specific daily-life areas with a minimum population per service.

One layer per service (commuting, schools, hospitals, shopping, culture, ...), built either

- from purpose-specific OD flows (trips to shop, to hospital): the network-constraint engine
  with its own threshold, centres at the facility zones (or found by rule); or
- from accessibility: each zone goes to the service centre it reaches best (nearest, or the
  highest Huff probability ``P(j | i) ∝ capacity_j · exp(-decay · cost_ij)``), costs from a
  travel-cost table or from distances between zone centroids (great-circle for longitude /
  latitude, straight-line in a projected CRS).

Then catchments below the service's minimum population merge, smallest first, into the
neighbouring catchment they interact with most (flows between them, or Huff visits), with
contiguity deciding "neighbouring" when polygons exist. Nothing is dropped: a zone that reaches
no centre is unassigned with a reason.
"""

from __future__ import annotations

import difflib
import inspect
import os
import sys
import types
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._areas import DEFAULT_CLASSES, quotient, zone_names
from .._attach import attach_runner, contiguity_for, contiguity_params
from .._base import Estimator, checked_call
from .._centres import CentreRule, rule_centres
from .._checks import (
    check_graph,
    check_layer,
    check_text,
    classes,
    integer,
    number,
    one_of,
    optional_number,
    order,
    short_repr,
    tau,
    text,
)
from .._core.constraint import Attachment, row_best
from .._core.shares import link_components, resolve_share
from .._explain import explain_centres
from ..errors import (
    InvalidParameterError,
    InvalidZonesError,
)
from ..partition import Partition
from ._access import (
    cost_candidates,
    default_decay,
    distance_candidates,
    huff,
    read_facilities,
    zone_population,
)

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["LifeZones", "life_zones", "read_facilities"]

NO_REACH = "no centre of this service within reach"
OTHER_URBAN = "no centre of this service in its urban area"
SMALL_ALONE = "its catchment is below the minimum population and has no neighbour to merge with"
EARTH_RADIUS_M = 6_371_008.8
#: the data of ``LifeZones.fit`` (given to ``LifeZones()`` before: deprecated)
DATA = ("flows", "facilities", "costs", "within")


def _caller_level() -> int:
    """The ``stacklevel`` of a warning raised by the caller of this function that points at
    the first frame outside regionalize (the base class wraps ``__init__``)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


# ---------------------------------------------------------------------------- the estimator
class LifeZones(Estimator):
    """Life zones for one service.

    Parameters are given here; the data (purpose flows, facilities, travel costs, the layer
    to nest in) go to :meth:`fit`.

    **Complexity** (n zones, c centres, k nearest centres kept per zone): from flows as
    :class:`MetropolitanAreas`; from accessibility, the k nearest centres per zone come from
    a spatial index, ``O(n k log c)``, and the merge of undersized catchments updates only the
    two catchments of each merge through a heap with lazy deletion, ``O(c log c)`` merges
    plus the interactions touched. Memory ``O(n k + c)``.

    Parameters
    ----------
    service : str
        Service name (the layer is called ``life_{service}`` unless ``name`` is given).
    assignment : {"nearest", "huff"}
        Nearest centre (ties: larger capacity, then zone order), or highest Huff probability.
    decay : float, optional
        Huff distance decay per cost unit (e.g. per metre: 1/5000 halves attraction at ~3.5
        km). Also used for the interaction between catchments when merging. Default: a decay
        halving attraction over the median candidate cost.
    k : int
        Candidate centres per zone when costs come from distances (nearest ``k``).
    max_cost : float, optional
        Zones whose best centre is farther are unassigned ("no centre within reach").
    min_population : float
        Smallest catchment population; smaller catchments merge into a neighbour.
    population : str or array
        Zone column (default ``"population"``), ``"residents"`` as a proxy, or one number per
        zone.
    tau, max_order, share
        Network-constraint parameters for the flow builder.
    contiguity : "auto", None or Contiguity
        Decides which catchments are neighbours for the merge (and, for flows, keeps areas
        in one piece).
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``life_{service}``).
    **deprecated_data
        ``flows=``, ``facilities=``, ``costs=`` or ``within=`` given here still work, with a
        ``FutureWarning`` saying how to rewrite the call: pass them to :meth:`fit`. They are
        data, not parameters: never in ``get_params()``.

    Attributes
    ----------
    partition_ : Partition
        The service layer: one area per (merged) catchment, with ``service``,
        ``n_centres``, ``capacity``, ``population``, ``merged_centres``, ``below_minimum``,
        ``population_per_centre`` and ``population_per_capacity`` in its area table.
    labels_ : pandas.Series
        Area id per zone (None when unassigned).

    Warns
    -----
    FutureWarning
        When data (``flows=``, ``facilities=``, ``costs=``, ``within=``) is given here
        instead of to :meth:`fit`.

    See Also
    --------
    regionalize.life_zones : the function twin, returning the Partition.
    regionalize.combine_life_zones : one layer from several service layers.
    regionalize.accessibility : cost to the nearest centre and the share of the population
        beyond reach.

    References
    ----------
    Huff, D. L. (1963). A probabilistic analysis of shopping center trade areas. *Land
    Economics* 39(1), 81-90.

    Examples
    --------
    Five zones in a row, one unit apart; a large hospital in a (capacity 10) and a small
    one in e (capacity 1). The nearest hospital of d is e's, but with Huff's choice the
    larger hospital three units away attracts it more:

    >>> import numpy as np
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d", "e"]
    >>> g = rz.FlowGraph.from_matrix(np.eye(5) * 10, ids).with_zones(
    ...     pd.DataFrame({"population": [500, 300, 200, 250, 100]}, index=ids))
    >>> hospitals = pd.DataFrame({"zone": ["a", "e"], "service": "hospital",
    ...                           "capacity": [10, 1]})
    >>> x = np.arange(5.0)
    >>> costs = np.abs(x[:, None] - x)
    >>> near = rz.LifeZones("hospital").fit(g, facilities=hospitals, costs=costs)
    >>> near.labels_.to_dict()
    {'a': 'a', 'b': 'a', 'c': 'a', 'd': 'e', 'e': 'e'}
    >>> huff = rz.LifeZones("hospital", assignment="huff", decay=1.0)
    >>> huff.fit(g, facilities=hospitals, costs=costs).labels_.to_dict()
    {'a': 'a', 'b': 'a', 'c': 'a', 'd': 'a', 'e': 'e'}
    >>> huff.partition_.areas[["capacity", "population", "population_per_capacity"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          capacity  population  population_per_capacity
    area
    a         10.0      1250.0                    125.0
    e          1.0       100.0                    100.0
    """

    def __init__(
        self,
        service: str,
        *,
        assignment: str = "nearest",
        decay: float | None = None,
        k: int = 8,
        max_cost: float | None = None,
        min_population: float = 0.0,
        population="population",
        tau: float = 0.10,
        max_order: int | None = None,
        share: str = "auto",
        contiguity="auto",
        classes: Sequence[float] = DEFAULT_CLASSES,
        name: str | None = None,
        **deprecated_data,
    ):
        self.service = service
        self.assignment = assignment
        self.decay = decay
        self.k = k
        self.max_cost = max_cost
        self.min_population = min_population
        self.population = population
        self.tau = tau
        self.max_order = max_order
        self.share = share
        self.contiguity = contiguity
        self.classes = classes
        self.name = name
        self._init_data = self._take_deprecated_data(deprecated_data)

    def _take_deprecated_data(self, given: dict) -> dict:
        """The data given to ``__init__`` (the old form): checked names, one FutureWarning
        with the rewritten call; None values are dropped (nothing to carry to ``fit``)."""
        unknown = [k for k in given if k not in DATA]
        if unknown:
            names = type(self).param_names()
            close = difflib.get_close_matches(unknown[0], names + list(DATA), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InvalidParameterError(
                f"LifeZones has no parameter {unknown[0]!r}.{hint} Its parameters are: "
                f"{', '.join(names)}; the data ({', '.join(DATA)}) go to fit()."
            )
        if not given:
            return {}
        data = [k for k in DATA if k in given]
        params = self._call_text()
        moved = ", ".join(f"{k}={k}" for k in data)
        warnings.warn(
            f"Passing data to LifeZones() is deprecated and will stop working in a future "
            f"release: LifeZones() takes parameters only, the data ({', '.join(data)}) go to "
            f"fit(). Rewrite LifeZones({params}, {moved}).fit(graph) as "
            f"LifeZones({params}).fit(graph, {moved}).",
            FutureWarning,
            stacklevel=_caller_level(),
        )
        return {k: given[k] for k in data if given[k] is not None}

    def _call_text(self) -> str:
        """The arguments of this ``LifeZones(...)`` as they would be written: the service,
        then ``name=value`` for each parameter that differs from its default ("..." for a
        long value)."""

        def text(value) -> str:
            r = repr(value)
            return r if len(r) <= 40 else "..."

        out = [text(self.service)]
        for p in inspect.signature(type(self).__init__).parameters.values():
            if p.name in ("self", "service") or p.kind is p.VAR_KEYWORD:
                continue
            value = getattr(self, p.name)
            try:
                same = value is p.default or (
                    type(value) is type(p.default) and bool(value == p.default)
                )
            except Exception:  # arrays, frames: not comparable as one bool
                same = False
            if not same:
                out.append(f"{p.name}={text(value)}")
        return ", ".join(out)

    def _data(self, flows, facilities, costs, within) -> tuple:
        """The data of this fit: the arguments of ``fit``, else those given to ``__init__``
        (deprecated); one of each, never both."""
        given = {"flows": flows, "facilities": facilities, "costs": costs, "within": within}
        both = [k for k in DATA if given[k] is not None and k in self._init_data]
        if both:
            raise InvalidParameterError(
                f"The {both[0]!r} parameter of LifeZones({self.service!r}) was given twice: "
                f"to LifeZones() (deprecated) and to fit(). Give it to fit() only."
            )
        return tuple(given[k] if given[k] is not None else self._init_data.get(k) for k in DATA)

    # -------------------------------------------------------------- fit
    def fit(
        self,
        graph: FlowGraph,
        flows: FlowGraph | None = None,
        *,
        facilities: pd.DataFrame | None = None,
        costs=None,
        within: Partition | None = None,
    ) -> LifeZones:
        """Build the service layer over the zones of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The zones (with their population column and, for distances, geometry).
        flows : FlowGraph, optional
            Purpose-specific OD flows over the same zones (same ids, same order): build from
            flows (network constraint at ``tau``). Without it, the service is built from
            accessibility.
        facilities : DataFrame, optional
            Facility table with columns ``zone``, ``service`` and ``capacity``, one row per
            facility (capacities in one zone are summed); the rows of ``service`` are used,
            and their zones are the service centres. Unknown zones, missing or negative
            capacities and a service without any facility are errors. Required for
            accessibility; with flows, centres are found by rule when absent: the zones
            receiving at least 0.1% of all trips that are not tied at ``tau`` to a bigger
            one (the size rule of :class:`regionalize.MetropolitanAreas`, without the job
            ratio).
        costs : DataFrame or matrix, optional
            Travel costs (times or distances, never negative or missing) from zones to the
            centres: a long DataFrame with columns ``origin``, ``destination`` and ``cost``
            (pairs left out are unreachable), or a square matrix over the graph's zones, in
            graph order (a numpy array, a scipy sparse matrix whose stored entries are the
            reachable pairs, or a DataFrame with the zone ids as index and columns). Only
            pairs ending at a centre are used. Default: straight-line distances between
            points inside the zones (great-circle metres in a geographic CRS, CRS units
            otherwise).
        within : Partition, optional
            A layer (normally the urban areas) to nest in: zones only use centres of their
            own area (zones outside every area use centres outside every area); a zone with
            none is unassigned with a reason. Without it, crossings are reported by the
            Hierarchy.

        Returns
        -------
        LifeZones
            ``self``, with ``partition_`` and ``labels_`` set.

        Raises
        ------
        InvalidParameterError
            When neither ``facilities`` nor ``flows`` is given, a parameter or data argument
            is of the wrong kind, or a data argument is given both here and (deprecated) to
            ``LifeZones()``.
        InvalidZonesError
            For a facility table naming unknown zones, missing or negative capacities, or no
            facility of the service; flows over other zones; zones without geometry when
            distances are needed.
        InvalidODError
            For negative, missing or misshapen travel costs.

        Warns
        -----
        UserWarning
            From flows with centres found by rule, when none is found: why, in the
            partition's ``empty_reason`` and every zone's reason, and what to change.

        Examples
        --------
        Four zones in a row, one unit apart; schools in a (capacity 10) and d (capacity 20):

        >>> import numpy as np
        >>> import pandas as pd
        >>> ids = ["a", "b", "c", "d"]
        >>> g = rz.FlowGraph.from_matrix(np.eye(4) * 10, ids).with_zones(
        ...     pd.DataFrame({"population": [100, 50, 30, 20]}, index=ids))
        >>> schools = pd.DataFrame({"zone": ["a", "d"], "service": "school",
        ...                         "capacity": [10, 20]})
        >>> x = np.arange(4.0)
        >>> lz = rz.LifeZones("school").fit(g, facilities=schools,
        ...                                 costs=np.abs(x[:, None] - x))
        >>> lz.labels_.to_dict()
        {'a': 'a', 'b': 'a', 'c': 'd', 'd': 'd'}
        >>> lz.partition_.areas["population"].to_dict()
        {'a': 150.0, 'd': 50.0}

        From purpose-specific flows instead (shopping trips over the same zones, no
        facility table): the centres are the zones that draw the trips, found by rule, and
        a zone joins the centre it sends at least ``tau`` of its trips to.

        >>> trips = rz.FlowGraph.from_matrix(
        ...     np.array([[60, 0, 0, 0], [30, 20, 0, 0], [5, 0, 15, 10], [0, 0, 2, 40]]), ids)
        >>> shop = rz.LifeZones("shopping", tau=0.2).fit(g, trips)
        >>> shop.labels_.to_dict()
        {'a': 'a', 'b': 'a', 'c': 'd', 'd': 'd'}
        """
        check_text(
            "LifeZones",
            "service",
            self.service,
            allow_none=False,
            what="a str (the service name, e.g. 'school')",
        )
        owner = f"LifeZones({self.service!r})"
        flows, facilities, costs, within = self._data(flows, facilities, costs, within)
        self._check_data(owner, graph, flows, facilities, within)
        n = graph.n_zones
        pop = zone_population(graph, self.population)
        groups = np.zeros(n, np.int64) if within is None else within.codes() + 1
        contig = contiguity_for(graph, self.contiguity)
        fac = None
        if facilities is not None:
            fac = read_facilities(facilities, graph, self.service)
        elif flows is None:
            raise InvalidParameterError(
                f"{owner} needs facilities= (accessibility) or flows= (purpose-specific OD)."
            )
        rule = None
        if flows is not None:
            res, cores, capacity, visits, rule = self._from_flows(
                graph, flows, fac, groups, contig, owner
            )
        else:
            res, cores, capacity, visits = self._from_access(graph, fac, groups, costs, within)
        res, cores, capacity, merged = self._merge_small(
            graph, res, cores, capacity, visits, pop, contig, groups
        )
        names = zone_names(graph).to_numpy()
        # each area is named after its own centre (not one merged into it): the one with the
        # largest capacity, ties by zone order
        main = []
        for c, m in zip(cores, merged, strict=True):
            own = c[~np.isin(c, m)] if len(m) < len(c) else c
            cap = capacity[own] if capacity is not None else np.zeros(len(own))
            main.append(own[np.lexsort((own, -cap))[0]])
        k = len(cores)
        area_pop = np.bincount(res.area[res.area >= 0], weights=pop[res.area >= 0], minlength=k)
        extra = pd.DataFrame(
            {
                "service": self.service,
                "n_centres": [len(c) for c in cores],
                "capacity": [
                    float(capacity[c].sum()) if capacity is not None else np.nan for c in cores
                ],
                "population": area_pop,
                "merged_centres": [tuple(graph.ids[m]) for m in merged],
                "below_minimum": area_pop < self.min_population,
            },
            index=["+".join(graph.ids[c]) for c in cores],
        )
        extra["population_per_centre"] = extra["population"] / extra["n_centres"]
        extra["population_per_capacity"] = np.where(
            extra["capacity"] > 0,
            extra["population"] / extra["capacity"].where(extra["capacity"] > 0, 1.0),
            np.nan,
        )
        params = {
            **self.get_params(),
            "builder": "flows" if flows is not None else "accessibility",
            "nested_in": None if within is None else within.name,
            "side_by_side": "life_zones",
        }
        layer = self.name or f"life_{self.service}"
        if contig is not None:
            params.update(contiguity_params(graph, contig))
        if rule is not None:
            explain_centres(
                params,
                res,
                rule=rule,
                n_found=len(cores),
                kept=list(range(len(cores))),
                layer=layer,
                tau=self.tau,
                min_zones=None,
            )
        self.partition_ = Partition.from_attachment(
            graph,
            res,
            cores,
            layer=layer,
            kind="life zone",
            names=[names[m] for m in main],
            classes=self.classes,
            params=params,
            area_extra=extra,
        )
        self.labels_ = self.partition_.labels
        return self

    _constraints = {
        "assignment": one_of("nearest", "huff"),
        "decay": optional_number(),
        "k": integer(low=1),
        "max_cost": optional_number(),
        "min_population": number(),
        "tau": tau,
        "max_order": order,
        "classes": classes,
        "name": text(),
    }

    def _check_data(self, owner: str, graph, flows, facilities, within) -> None:
        check_graph(owner, graph)
        if flows is not None:
            check_graph(owner, flows, "flows")
        if facilities is not None and not isinstance(facilities, pd.DataFrame):
            raise InvalidParameterError(
                f"The 'facilities' parameter of {owner} must be a DataFrame with columns zone, "
                f"service and capacity, or None. Got {short_repr(facilities)} instead."
            )
        check_layer(owner, "within", within, graph)

    # -------------------------------------------------------------- builders
    def _from_flows(self, graph, flows, fac, groups, contig, owner):
        if not flows.ids.equals(graph.ids):
            raise InvalidZonesError(
                f"{owner}: the purpose flows must be over the graph's zones "
                "(same ids, same order); build them with the graph's ids."
            )
        share = resolve_share(self.share, flows.has_diagonal, owner)
        components, denom = link_components(flows, share)
        rule = None
        if fac is not None:
            pos = graph.ids.get_indexer(fac["zone"])
            capacity = np.zeros(graph.n_zones)
            capacity[pos] = fac["capacity"].to_numpy()
            cores = [np.array([c]) for c in np.sort(np.unique(pos))]
        else:
            found_by = CentreRule(tau=self.tau, min_size_share=0.001, min_job_ratio=None)
            cores, _, rule = rule_centres(flows, found_by, components, None, groups=groups)
            capacity = None
        run = attach_runner(
            components, self.tau, contig, max_order=self.max_order, denominator=denom, groups=groups
        )
        res = run(cores)
        return res, cores, capacity, sp.csr_array(flows.matrix), (rule if fac is None else None)

    def _from_access(self, graph, fac, groups, costs, within):
        n = graph.n_zones
        centres = np.sort(np.unique(graph.ids.get_indexer(fac["zone"])))
        capacity = np.zeros(n)
        capacity[graph.ids.get_indexer(fac["zone"])] = fac["capacity"].to_numpy()
        if costs is not None:
            rows, cols, cost = cost_candidates(graph, centres, costs)
        else:
            rows, cols, cost = distance_candidates(graph, centres, self.k, groups)
        ok = groups[rows] == groups[centres[cols]]
        if self.max_cost is not None:
            ok &= cost <= self.max_cost
        rows, cols, cost = rows[ok], cols[ok], cost[ok]
        cap = capacity[centres]
        # tie-break among centres: larger capacity first, then zone order
        tie = np.empty(len(centres), np.int64)
        tie[np.lexsort((centres, -cap))] = np.arange(len(centres))
        decay = self.decay if self.decay is not None else default_decay(cost)
        prob = huff(rows, cols, cost, cap, decay, n)
        if self.assignment == "nearest":
            r, c, v = row_best(rows, cols, -cost, tie)
            share = np.full(n, np.nan)
        else:
            r, c, v = row_best(rows, cols, prob, tie)
            share = np.full(n, np.nan)
            share[r] = v
        area = np.full(n, -1, np.int64)
        area[r] = c
        # a centre zone always serves itself
        area[centres] = np.arange(len(centres))
        order = np.where(area >= 0, 1, -1)
        order[centres] = 0
        via = np.where(area >= 0, centres[np.maximum(area, 0)], -1)
        via[centres] = -1
        role = np.where(order == 0, "centre", np.where(area >= 0, "member", "unassigned"))
        reason = np.full(n, None, dtype=object)
        reason[area < 0] = OTHER_URBAN if within is not None else NO_REACH
        res = Attachment(
            area, order.astype(np.int64), share, via.astype(np.int64), role.astype(object), reason
        )
        # interaction between zones and centres: expected visits (population x probability)
        pop = zone_population(graph, self.population)
        visits = sp.csr_array((prob * pop[rows], (rows, centres[cols])), shape=(n, n))
        cores = [np.array([c]) for c in centres]
        return res, cores, capacity, visits

    # -------------------------------------------------------------- minimum population
    def _merge_small(self, graph, res, cores, capacity, visits, pop, contig, groups):
        """Merge catchments below the minimum population, smallest first (ties by centre
        order), into a neighbouring catchment (touching, when contiguity is known; any
        catchment of the same nesting group otherwise): the one they interact with most,
        then the most populous, then the first. A catchment with no candidate stays, flagged.

        Incremental: interaction and adjacency between catchments are dictionaries updated
        only for the two catchments of each merge; a heap with lazy deletion finds the next
        smallest; zone labels are resolved once at the end (union-find).
        """
        import heapq

        k = len(cores)
        merged = [np.zeros(0, np.int64) for _ in range(k)]
        self.lonely_ = np.zeros(k, bool)
        if self.min_population <= 0 or k < 2:
            return res, cores, capacity, merged
        area = res.area
        assigned = area >= 0
        size = np.bincount(area[assigned], weights=pop[assigned], minlength=k)
        group = np.array([groups[c[0]] for c in cores])
        # interaction between catchments (both directions), without the diagonal
        q = quotient(visits, area, k)
        q = sp.csr_array(q + q.T).tocoo()
        inter: list[dict[int, float]] = [{} for _ in range(k)]
        for i, j, w in zip(q.row.tolist(), q.col.tolist(), q.data.tolist(), strict=True):
            if i != j and w > 0:
                inter[i][j] = w
        touching: list[set[int]] | None = None
        if contig is not None:
            adj = contig[0].tocoo()
            ai, aj = area[adj.row], area[adj.col]
            ok = (ai >= 0) & (aj >= 0) & (ai != aj)
            touching = [set() for _ in range(k)]
            for i, j in zip(ai[ok].tolist(), aj[ok].tolist(), strict=True):
                touching[i].add(j)
        alive = np.ones(k, bool)
        n_alive = k
        lonely = np.zeros(k, bool)
        parent = np.arange(k)
        heap = [(size[c], c) for c in range(k) if size[c] < self.min_population]
        heapq.heapify(heap)
        while heap and n_alive > 1:
            s_a, a = heapq.heappop(heap)
            if not alive[a] or s_a != size[a] or size[a] >= self.min_population or lonely[a]:
                continue  # stale entry
            pool = None
            if touching is not None:
                pool = [c for c in touching[a] if alive[c] and group[c] == group[a]]
            if not pool:
                pool = None  # no touching neighbour: any catchment of the same group
            linked = [
                c
                for c in (pool if pool is not None else inter[a])
                if alive[c] and group[c] == group[a] and inter[a].get(c, 0) > 0
            ]
            if linked:
                best = min(linked, key=lambda c: (-inter[a][c], -size[c], c))
            elif pool:
                best = min(pool, key=lambda c: (-size[c], c))
            else:
                mask = alive & (group == group[a])
                mask[a] = False
                if not mask.any():
                    lonely[a] = True  # nothing to merge with: kept, flagged in the table
                    continue
                cand = np.flatnonzero(mask)
                best = int(cand[np.lexsort((cand, -size[cand]))[0]])
            # merge a into best: update only what the merge changes
            alive[a] = False
            n_alive -= 1
            parent[a] = best
            size[best] += size[a]
            for c, w in inter[a].items():
                inter[c].pop(a, None)
                if c != best:
                    inter[best][c] = inter[best].get(c, 0.0) + w
                    inter[c][best] = inter[c].get(best, 0.0) + w
            inter[best].pop(a, None)
            inter[a] = {}
            if touching is not None:
                for c in touching[a]:
                    touching[c].discard(a)
                    if c != best:
                        touching[best].add(c)
                        touching[c].add(best)
                touching[best].discard(a)
                touching[a] = set()
            merged[best] = np.concatenate([merged[best], cores[a], merged[a]])
            cores[best] = np.sort(np.concatenate([cores[best], cores[a]]))
            if size[best] < self.min_population:
                heapq.heappush(heap, (size[best], best))
        while True:  # resolve chains of merges (union-find, path halving in bulk)
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        area = np.where(area >= 0, parent[np.maximum(area, 0)], -1)
        keep = np.flatnonzero(np.bincount(area[area >= 0], minlength=k) > 0)
        remap = np.full(k, -1, np.int64)
        remap[keep] = np.arange(len(keep))
        res.area = np.where(area >= 0, remap[np.maximum(area, 0)], -1)
        res.role = np.where(
            res.area < 0, "unassigned", np.where(res.order == 0, "centre", "member")
        ).astype(object)
        self.lonely_ = lonely[keep]
        # members of merged catchments keep "via" = their own former centre, now a co-centre
        return res, [cores[i] for i in keep], capacity, [merged[i] for i in keep]


@checked_call
def life_zones(
    graph: FlowGraph,
    service: str,
    *,
    flows: FlowGraph | None = None,
    facilities: pd.DataFrame | None = None,
    costs=None,
    within: Partition | None = None,
    assignment: str = "nearest",
    decay: float | None = None,
    k: int = 8,
    max_cost: float | None = None,
    min_population: float = 0.0,
    population="population",
    tau: float = 0.10,
    max_order: int | None = None,
    share: str = "auto",
    contiguity="auto",
    classes: Sequence[float] = DEFAULT_CLASSES,
    name: str | None = None,
) -> Partition:
    """Life zones for one service: function twin of :class:`LifeZones`.

    ``life_zones(graph, service, flows=..., facilities=..., costs=..., within=..., **p)`` is
    ``LifeZones(service, **p).fit(graph, flows, facilities=..., costs=..., within=...)``
    returning its ``partition_``.

    Parameters
    ----------
    graph : FlowGraph
        The zones (with their population column and, for distances, geometry).
    service : str
        Service name (the layer is called ``life_{service}`` unless ``name`` is given).
    flows : FlowGraph, optional
        Purpose-specific OD flows over the same zones: build from flows (network constraint
        at ``tau``). Without it, the service is built from accessibility.
    facilities : DataFrame, optional
        Facility table with columns ``zone``, ``service`` and ``capacity``, one row per
        facility (see :meth:`regionalize.LifeZones.fit`). Facility zones are the service
        centres. Required for accessibility; with flows, centres are found by rule when
        absent.
    costs : DataFrame or matrix, optional
        Travel costs from zones to centres: a long DataFrame ``origin, destination, cost``
        or a square matrix over the graph's zones (see :meth:`regionalize.LifeZones.fit`);
        default: straight-line distances between points inside the zones.
    within : Partition, optional
        A layer (normally the urban areas) to nest in: zones only use centres of their own
        area; a zone with none is unassigned with a reason.
    assignment : {"nearest", "huff"}
        Nearest centre (ties: larger capacity, then zone order), or highest Huff probability.
    decay : float, optional
        Huff distance decay per cost unit; default: halving attraction over the median
        candidate cost.
    k : int
        Candidate centres per zone when costs come from distances (nearest ``k``).
    max_cost : float, optional
        Zones whose best centre is farther are unassigned ("no centre within reach").
    min_population : float
        Smallest catchment population; smaller catchments merge into a neighbour.
    population : str or array
        Zone column (default ``"population"``), ``"residents"`` as a proxy, or one number per
        zone.
    tau, max_order, share
        Network-constraint parameters for the flow builder.
    contiguity : "auto", None or Contiguity
        Decides which catchments are neighbours for the merge (and, for flows, keeps areas
        in one piece).
    classes : tuple of float
        Strength classes recorded for each link (default 5%, 10%, 20%).
    name : str, optional
        Layer name (default ``life_{service}``).

    Returns
    -------
    Partition
        The service layer (the ``partition_`` of :class:`regionalize.LifeZones`).

    Raises
    ------
    InvalidParameterError, InvalidZonesError, InvalidODError
        As :meth:`regionalize.LifeZones.fit`.

    Examples
    --------
    Four zones in a row, one unit apart; hospitals in a (capacity 10) and d (capacity 20).
    Nearest hospital first; then a minimum population of 100 merges d's catchment (c and d,
    50 people) into a's:

    >>> import numpy as np
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d"]
    >>> g = rz.FlowGraph.from_matrix(np.eye(4) * 10, ids).with_zones(
    ...     pd.DataFrame({"population": [100, 50, 30, 20]}, index=ids))
    >>> hospitals = pd.DataFrame({"zone": ["a", "d"], "service": "hospital",
    ...                           "capacity": [10, 20]})
    >>> x = np.arange(4.0)
    >>> costs = np.abs(x[:, None] - x)
    >>> rz.life_zones(g, "hospital", facilities=hospitals, costs=costs).labels.to_dict()
    {'a': 'a', 'b': 'a', 'c': 'd', 'd': 'd'}
    >>> p = rz.life_zones(g, "hospital", facilities=hospitals, costs=costs,
    ...                   min_population=100)
    >>> p.labels.to_dict(), p.areas.loc["a+d", "merged_centres"]
    ({'a': 'a+d', 'b': 'a+d', 'c': 'a+d', 'd': 'a+d'}, ('d',))
    """
    return (
        LifeZones(
            service,
            assignment=assignment,
            decay=decay,
            k=k,
            max_cost=max_cost,
            min_population=min_population,
            population=population,
            tau=tau,
            max_order=max_order,
            share=share,
            contiguity=contiguity,
            classes=classes,
            name=name,
        )
        .fit(graph, flows, facilities=facilities, costs=costs, within=within)
        .partition_
    )
