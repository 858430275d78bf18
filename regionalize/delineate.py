"""One entry point: a FlowGraph in, a Hierarchy of functional layers out."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .layers.megaregions import Megaregions
from .layers.metropolitan import MetropolitanAreas
from .layers.urban import UrbanAreas

if TYPE_CHECKING:  # pragma: no cover
    from .partition import Partition

__all__ = ["delineate"]


def delineate(
    graph,
    centres=None,
    *,
    tau: float = 0.10,
    max_order: int | None = None,
    share: str = "auto",
    contiguity="auto",
    metropolitan: Mapping[str, Any] | None = None,
    urban: Mapping[str, Any] | None = None,
    megaregions: Mapping[str, Any] | bool = True,
    progress: Callable[[str, Partition, float], None] | None = None,
):
    """Delineate the multi-layer structure: megaregions > metropolitan areas > urban areas.

    Parameters
    ----------
    graph : FlowGraph
    centres : optional
        Metropolitan centres (ids, groups or ``{name: ids}``); found by the size rule of
        :class:`MetropolitanAreas` when None.
    tau, max_order, share, contiguity
        Defaults shared by the metropolitan and urban layers (10% links, no order cap,
        share over employed residents — or over out-commuters without a diagonal — and
        contiguity when the graph has polygons).
    metropolitan, urban : mapping, optional
        Parameters of :class:`MetropolitanAreas` / :class:`UrbanAreas` that override the
        shared defaults (e.g. ``urban={"candidates": "city", "min_zones": 3}``).
    megaregions : mapping or bool
        Parameters of :class:`Megaregions`, or False to leave the layer out.
    progress : callable, optional
        Called after each layer with its name, its Partition and the seconds it took (the
        command line prints one line per layer from it).

    Returns
    -------
    Hierarchy
        Layers ``megaregion`` (when asked), ``metropolitan`` and ``urban``, every zone in
        every layer (in an area, or unassigned with a reason), with the run's parameters.
    """
    from .hierarchy import Hierarchy

    shared = {"tau": tau, "max_order": max_order, "share": share, "contiguity": contiguity}
    m_params = {**shared, **dict(metropolitan or {})}
    u_params = {**shared, **dict(urban or {})}
    def timed(layer: str, fit):
        start = time.perf_counter()
        est = fit()
        if progress is not None:
            progress(layer, est.partition_, time.perf_counter() - start)
        return est

    metro = timed("metropolitan", lambda: MetropolitanAreas(centres, **m_params).fit(graph))
    urb = timed("urban", lambda: UrbanAreas(**u_params).fit(graph, metro.partition_))
    layers = [metro.partition_, urb.partition_]
    params: dict[str, Any] = {"metropolitan": dict(metro.partition_.params),
                              "urban": dict(urb.partition_.params)}
    if megaregions is not False:
        mg_params = {} if megaregions is True else dict(megaregions)
        mega = timed("megaregion", lambda: Megaregions(**mg_params).fit(
            graph, metro.partition_, urb.partition_))
        layers.insert(0, mega.partition_)
        params["megaregion"] = dict(mega.partition_.params)
    params["graph"] = {"name": graph.name, "zones": graph.n_zones, "flows": graph.n_flows,
                       "total": graph.total, "diagonal": graph.has_diagonal}
    return Hierarchy(graph, layers, params=params)
