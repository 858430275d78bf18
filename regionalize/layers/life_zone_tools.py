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
    (ties by zone order); zones unassigned in a majority of services are unassigned.

    Cost: ``O(patterns x seeds x services)`` with vectorised comparisons per pattern.
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
        catchments).
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
