"""Life zones of several services together, and the accessibility indicators planners
monitor: :func:`combine_life_zones` (one layer from several service layers) and
:func:`accessibility` (per-zone access to one service)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import (
    check_graph,
    check_layer,
    check_optional,
    check_text,
    is_iterable,
    short_repr,
)
from .._core.constraint import Attachment, row_best
from ..errors import (
    InvalidParameterError,
    check_int,
)
from ..partition import Partition
from ._access import (
    cost_candidates,
    distance_candidates,
    read_facilities,
    zone_population,
)

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["combine_life_zones", "accessibility"]


def combine_life_zones(
    graph: FlowGraph,
    layers: Sequence[Partition],
    *,
    name: str = "life_zone",
    min_shared: int | None = None,
) -> Partition:
    """A combined life-zone layer: zones grouped when they share most of their service
    centres.

    Zones with the same service areas in every layer form a *pattern*. Patterns are visited
    largest first (zones, then zone order); each joins the *seed* pattern it agrees with in
    the most services, when that is at least ``min_shared`` (default a majority,
    ``len(layers) // 2 + 1``), and otherwise becomes a seed itself. Agreement is measured
    against the seed's own pattern, never through joined members, so groups do not chain.
    Each combined zone is centred on its zone that is a service centre in most layers
    (ties by zone order); zones assigned in fewer than ``min_shared`` services are
    unassigned.

    Cost: ``O(patterns x seeds x services)`` with vectorised comparisons per pattern.

    Parameters
    ----------
    graph : FlowGraph
        The zones the service layers cover.
    layers : list of Partition
        The service layers, e.g. from :func:`regionalize.life_zones`, over the zones of
        ``graph``.
    name : str
        Name of the combined layer (default ``"life_zone"``).
    min_shared : int, optional
        Services a zone must share with a seed pattern to join it, from 1 to
        ``len(layers)``; default a majority.

    Returns
    -------
    Partition
        The combined layer, of kind ``"life zone"``; its params list the ``services`` and the
        ``min_shared`` used. Zones assigned in fewer than ``min_shared`` service layers are
        unassigned, with the reason "unassigned in most service layers".

    See Also
    --------
    regionalize.life_zones : one service layer.
    regionalize.Hierarchy.with_layers : life zones side by side with the other layers.

    Examples
    --------
    Five zones in a row and three services. a and b use the same hospital, school and shop:
    one pattern, the largest, and the first seed. c shares only its hospital with it, so it
    seeds a combined zone of its own; d shares c's school and shop (two of three) and joins
    it; e shares one service with c and none with a, and stays alone.

    >>> import numpy as np
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d", "e"]
    >>> g = rz.FlowGraph.from_matrix(np.eye(5) * 10, ids).with_zones(
    ...     pd.DataFrame({"population": [500, 300, 200, 250, 100]}, index=ids))
    >>> facilities = pd.DataFrame({
    ...     "zone": ["a", "e", "a", "c", "e", "a", "d"],
    ...     "service": ["hospital", "hospital", "school", "school", "school", "shop", "shop"],
    ...     "capacity": [10, 1, 5, 5, 5, 1, 1]})
    >>> x = np.arange(5.0)
    >>> costs = np.abs(x[:, None] - x)
    >>> layers = [rz.life_zones(g, s, facilities=facilities, costs=costs)
    ...           for s in ["hospital", "school", "shop"]]
    >>> [layer.labels.to_dict() for layer in layers]  # doctest: +NORMALIZE_WHITESPACE
    [{'a': 'a', 'b': 'a', 'c': 'a', 'd': 'e', 'e': 'e'},
     {'a': 'a', 'b': 'a', 'c': 'c', 'd': 'c', 'e': 'e'},
     {'a': 'a', 'b': 'a', 'c': 'd', 'd': 'd', 'e': 'd'}]
    >>> rz.combine_life_zones(g, layers).labels.to_dict()
    {'a': 'a', 'b': 'a', 'c': 'c', 'd': 'c', 'e': 'e'}
    """
    owner = "combine_life_zones"
    check_graph(owner, graph)
    if isinstance(layers, (Partition, str, bytes)) or not is_iterable(layers):
        raise InvalidParameterError(
            f"The 'layers' parameter of {owner} must be a list of service layers (Partitions "
            f"from life_zones). Got {short_repr(layers)} instead."
        )
    layers = list(layers)
    if not layers:
        raise InvalidParameterError("combine_life_zones needs at least one service layer.")
    for i, layer in enumerate(layers):
        check_layer(owner, f"layers[{i}]", layer, graph, allow_none=False)
    check_text(owner, "name", name, allow_none=False)
    s = len(layers)
    need = (
        s // 2 + 1
        if min_shared is None
        else check_int(owner, "min_shared", min_shared, low=1, high=s)
    )
    codes = np.column_stack([p.codes() for p in layers])  # n x s, -1 unassigned
    n = len(codes)
    combos, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    t = len(combos)
    size = np.bincount(inverse, minlength=t)
    first = np.full(t, n, np.int64)
    np.minimum.at(first, inverse, np.arange(n))
    valid = (combos >= 0).sum(axis=1) >= need
    seed_of = np.full(t, -1, np.int64)
    seeds: list[int] = []
    for c in np.lexsort((first, -size)):
        if not valid[c]:
            continue
        if seeds:
            sp_ = combos[seeds]
            agree = ((sp_ == combos[c]) & (sp_ >= 0)).sum(axis=1)
            best = int(np.lexsort((np.arange(len(seeds)), -agree))[0])
            if agree[best] >= need:
                seed_of[c] = best
                continue
        seed_of[c] = len(seeds)
        seeds.append(int(c))
    group = np.where(seed_of[inverse] >= 0, seed_of[inverse], -1)
    # centre of each group: the zone that is a centre in most services (ties: zone order)
    centre_count = np.column_stack(
        [(p.details["role"] == "centre").to_numpy() for p in layers]
    ).sum(axis=1)
    zones = np.flatnonzero(group >= 0)
    order = zones[np.lexsort((zones, -centre_count[zones], group[zones]))]
    head = np.ones(len(order), bool)
    head[1:] = group[order][1:] != group[order][:-1]
    heads = order[head]
    cores = [np.array([h]) for h in heads]
    code = np.full(max(len(seeds), 1), -1, np.int64)
    code[group[heads]] = np.arange(len(heads))
    area = np.where(group >= 0, code[np.maximum(group, 0)], -1)
    role = np.where(area < 0, "unassigned", "member").astype(object)
    role[heads] = "centre"
    reason = np.where(area < 0, "unassigned in most service layers", None).astype(object)
    res = Attachment(
        area,
        np.where(role == "centre", 0, np.where(area >= 0, 1, -1)),
        np.full(n, np.nan),
        np.full(n, -1, np.int64),
        role,
        reason,
    )
    return Partition.from_attachment(
        graph,
        res,
        cores,
        layer=name,
        kind="life zone",
        params={
            "services": [p.name for p in layers],
            "min_shared": need,
            "side_by_side": "life_zones",
        },
    )


def accessibility(
    graph: FlowGraph,
    facilities: pd.DataFrame,
    service: str,
    *,
    costs=None,
    desert_cost: float | None = None,
    population="population",
    k: int = 1,
) -> tuple[pd.DataFrame, dict]:
    """Per-zone accessibility to one service, and the indicators planners monitor.

    Each zone's cost to its nearest centre of ``service`` (a zone with a facility of the
    service), and what that means for the population: the mean and median cost, the share
    beyond ``desert_cost`` ("life deserts"), and the population per centre and per unit of
    capacity.

    Parameters
    ----------
    graph : FlowGraph
        The zones (with their population column and, for distances, geometry).
    facilities : DataFrame
        Facility table with columns ``zone``, ``service`` and ``capacity``, one row per
        facility (see :meth:`regionalize.LifeZones.fit`).
    service : str
        The service to measure (rows of ``facilities`` with this ``service``).
    costs : DataFrame or matrix, optional
        Travel costs from zones to centres: a long DataFrame ``origin, destination, cost`` or
        a square matrix over the graph's zones (see :meth:`regionalize.LifeZones.fit`).
        Default: straight-line distances between points inside the zones.
    desert_cost : float, optional
        Zones whose nearest centre costs more are deserts (zones with no reachable centre
        always are).
    population : str or array
        Zone column (default ``"population"``), ``"residents"`` as a proxy, or one number per
        zone.
    k : int
        Candidate centres per zone when costs come from distances (default 1).

    Returns
    -------
    zones : DataFrame
        Per zone: ``nearest_centre``, ``cost`` (to the nearest centre; great-circle metres,
        CRS units or the cost table's unit), ``population``, ``desert`` (cost above
        ``desert_cost``).
    summary : dict
        ``centres``, ``population``, ``mean_cost`` and ``median_cost`` (population-weighted),
        ``desert_share`` (share of the population beyond ``desert_cost``),
        ``population_per_centre`` and ``population_per_capacity`` (nearest-centre
        catchments), with ``service`` and ``desert_cost`` as given.

    See Also
    --------
    regionalize.life_zones : the catchments themselves, as a layer.

    Examples
    --------
    Five zones in a row, one unit apart, with hospitals in a and e; zones more than 1.5
    units from a hospital are deserts:

    >>> import numpy as np
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d", "e"]
    >>> g = rz.FlowGraph.from_matrix(np.eye(5) * 10, ids).with_zones(
    ...     pd.DataFrame({"population": [500, 300, 200, 250, 100]}, index=ids))
    >>> hospitals = pd.DataFrame({"zone": ["a", "e"], "service": "hospital",
    ...                           "capacity": [10, 1]})
    >>> x = np.arange(5.0)
    >>> zones, summary = rz.accessibility(g, hospitals, "hospital",
    ...                                   costs=np.abs(x[:, None] - x), desert_cost=1.5)
    >>> zones  # doctest: +NORMALIZE_WHITESPACE
         nearest_centre  cost  population  desert
    zone
    a                 a   0.0       500.0   False
    b                 a   1.0       300.0   False
    c                 a   2.0       200.0    True
    d                 e   1.0       250.0   False
    e                 e   0.0       100.0   False
    >>> round(summary["desert_share"], 3), summary["population_per_centre"]
    (0.148, 675.0)
    """
    check_graph("accessibility", graph)
    check_text("accessibility", "service", service, allow_none=False)
    check_int("accessibility", "k", k, low=1)
    check_optional("accessibility", "desert_cost", desert_cost)
    fac = read_facilities(facilities, graph, service)
    pop = zone_population(graph, population)
    centres = np.sort(np.unique(graph.ids.get_indexer(pd.Index(fac["zone"]))))
    capacity = (
        pd.Series(fac["capacity"].to_numpy(), index=graph.ids.get_indexer(pd.Index(fac["zone"])))
        .groupby(level=0)
        .sum()
    )
    if costs is not None:
        rows, cols, cost = cost_candidates(graph, centres, costs)
    else:
        rows, cols, cost = distance_candidates(graph, centres, max(k, 1))
    tie = np.arange(len(centres))
    r, c, v = row_best(rows, cols, -cost, tie)
    n = graph.n_zones
    best = np.full(n, np.nan)
    best[r] = -v
    nearest = np.full(n, None, dtype=object)
    nearest[r] = graph.ids.to_numpy()[centres[c]]
    desert = best > desert_cost if desert_cost is not None else np.zeros(n, bool)
    desert |= np.isnan(best)
    zones = pd.DataFrame(
        {"nearest_centre": nearest, "cost": best, "population": pop, "desert": desert},
        index=graph.ids,
    )
    total = pop.sum()
    reach = ~np.isnan(best)
    order = np.argsort(best[reach])
    cum = np.cumsum(pop[reach][order])
    median = float(best[reach][order][np.searchsorted(cum, cum[-1] / 2)]) if len(cum) else np.nan
    catch = pd.Series(pop[r], index=centres[c]).groupby(level=0).sum()
    summary = {
        "service": service,
        "centres": int(len(centres)),
        "population": float(total),
        "mean_cost": float(np.average(best[reach], weights=pop[reach]))
        if reach.any() and pop[reach].sum() > 0
        else float("nan"),
        "median_cost": median,
        "desert_cost": desert_cost,
        "desert_share": float(pop[desert].sum() / total) if total > 0 else float("nan"),
        "population_per_centre": float(total / len(centres)),
        "population_per_capacity": float(catch.sum() / capacity.reindex(catch.index).sum())
        if capacity.sum() > 0
        else float("nan"),
    }
    return zones, summary
