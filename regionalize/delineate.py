"""One entry point: a FlowGraph in, a Hierarchy of functional layers out."""

from __future__ import annotations

import inspect
import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._checks import check_graph, check_order, check_tau, short_repr
from ._core.shares import reuse_components
from ._explain import collect_empty_layers, empty_layer_message
from .errors import InvalidParameterError, plain_scalar
from .layers.megaregions import Megaregions
from .layers.metropolitan import MetropolitanAreas
from .layers.urban import UrbanAreas

if TYPE_CHECKING:  # pragma: no cover
    from .partition import Partition

if TYPE_CHECKING:
    from .flows import FlowGraph


__all__ = ["delineate"]


def delineate(
    graph: FlowGraph,
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
        shared defaults (e.g. ``urban={"candidates": "city", "min_zones": 3}``); None for no
        overrides. Metropolitan centres go in ``centres``, not in ``metropolitan``.
    megaregions : mapping or bool
        Parameters of :class:`Megaregions`, True for its defaults, or False to leave the
        layer out.
    progress : callable, optional
        Called after each layer with its name, its Partition and the seconds it took (the
        command line prints one line per layer from it).

    Returns
    -------
    Hierarchy
        Layers ``megaregion`` (when asked), ``metropolitan`` and ``urban``, every zone in
        every layer (in an area, or unassigned with a reason), with the run's parameters.
        Each layer's params record how its centres were chosen (``centre_rule_text``, and
        ``centre_rule`` with the numbers used when found by rule); a layer with no area
        records why in ``empty_reason``, and the run's params in ``empty_layers``.

    Warns
    -----
    UserWarning
        Once, when a layer has no area: why (e.g. "no centre was found by the centre rule
        (at least 276,809 jobs (1% of all) and a job ratio >= 1; ...)") and the likely
        causes, each naming what to change: the direction of the flows (rows must be places
        of residence), the thresholds (``tau``, ``min_size_share``, ``min_job_ratio``), or
        ``centres=``.

    Notes
    -----
    **Complexity**: time grows as zones^1.0 (flows^0.96) on synthetic countries of 10k-100k
    zones (seed 0, the demo preset, contiguity built from the polygons inside the run):
    about 0.23 s, 0.77 s and 2.3 s of CPU for 10k, 35k and 100k zones (0.27, 0.95 and 2.8
    million flows). The link shares are computed once for the metropolitan and urban
    layers, and the contiguity and the exterior ring of the zones once per set of polygons.

    See Also
    --------
    regionalize.MetropolitanAreas, regionalize.UrbanAreas, regionalize.Megaregions
        The layers, one at a time.
    regionalize.Hierarchy.summary : Every area of a layer with its totals.

    Examples
    --------
    On a synthetic country of 60 zones, with every default (centres found by rule):

    >>> g = rz.synthetic_country(60, seed=1)
    >>> h = rz.delineate(g)
    >>> h
    <Hierarchy over 60 zones: megaregion=1, metropolitan=1, urban=4>
    >>> h["metropolitan"].params["centre_rule_text"]
    '1 centre found: at least 1,305 jobs (1% of all) and a job ratio >= 1'
    >>> table = h.summary("urban")[["name", "n_zones", "self_containment_supply"]]
    >>> table.round(2)  # doctest: +NORMALIZE_WHITESPACE
               name  n_zones  self_containment_supply
    area
    000024    Udaec       30                     1.00
    000041   Faviar        6                     0.72
    000012  Vimarar       11                     0.82
    000048   Eludal        7                     0.78

    The centre given by name, a stricter threshold (20% of a zone's employed residents) and no
    megaregions: the metropolitan area keeps its centre only.

    >>> h = rz.delineate(g, {"Udaec": "000024"}, tau=0.2, megaregions=False)
    >>> h, h.summary("metropolitan")["n_zones"].tolist()
    (<Hierarchy over 60 zones: metropolitan=1, urban=4>, [1])
    """
    from .hierarchy import Hierarchy

    check_graph("delineate", graph)
    check_tau("delineate", "tau", tau)
    check_order("delineate", max_order)
    if progress is not None and not callable(progress):
        raise InvalidParameterError(
            "The 'progress' parameter of delineate must be a callable "
            "progress(layer, partition, seconds) or None. Got "
            f"{short_repr(progress)} instead."
        )
    shared = {"tau": tau, "max_order": max_order, "share": share, "contiguity": contiguity}
    m_params = {
        **shared,
        **_options("metropolitan", metropolitan, MetropolitanAreas, exclude=("centres",)),
    }
    u_params = {**shared, **_options("urban", urban, UrbanAreas)}
    mg_params = None
    megaregions = plain_scalar(megaregions)  # np.False_ leaves the layer out too
    if megaregions is not False:
        mg_params = _options("megaregions", megaregions, Megaregions, flag=True)

    def timed(layer: str, fit):
        start = time.perf_counter()
        est = fit()
        if progress is not None:
            progress(layer, est.partition_, time.perf_counter() - start)
        return est

    # an empty layer is said once, for the whole run, from the first layer that is empty;
    # the metropolitan and urban layers share the link shares of the graph
    with collect_empty_layers() as empty, reuse_components():
        metro = timed("metropolitan", lambda: MetropolitanAreas(centres, **m_params).fit(graph))
        urb = timed("urban", lambda: UrbanAreas(**u_params).fit(graph, metro.partition_))
        layers = [metro.partition_, urb.partition_]
        params: dict[str, Any] = {
            "metropolitan": dict(metro.partition_.params),
            "urban": dict(urb.partition_.params),
        }
        if mg_params is not None:
            mega = timed(
                "megaregion",
                lambda: Megaregions(**mg_params).fit(graph, metro.partition_, urb.partition_),
            )
            layers.insert(0, mega.partition_)
            params["megaregion"] = dict(mega.partition_.params)
    if empty:
        params["empty_layers"] = {layer: reason for layer, reason, _ in empty}
        text = "delineate: " + empty_layer_message(*empty[0])
        if len(empty) > 1:
            text += (
                " Empty too: "
                + "; ".join(f"{layer} ({reason})" for layer, reason, _ in empty[1:])
                + "."
            )
        warnings.warn(text, UserWarning, stacklevel=2)
    params["graph"] = {
        "name": graph.name,
        "zones": graph.n_zones,
        "flows": graph.n_flows,
        "total": graph.total,
        "diagonal": graph.has_diagonal,
    }
    return Hierarchy(graph, layers, params=params)


def _options(
    option: str, value, estimator: type, *, flag: bool = False, exclude: tuple[str, ...] = ()
) -> dict:
    """The keyword arguments of ``estimator`` given as ``option``: a mapping of its parameter
    names (None: no overrides; with ``flag``, True: its defaults). One InvalidParameterError
    naming ``option`` for anything else, and for keys that are not parameters of the layer."""
    valid = [
        n
        for n, p in inspect.signature(estimator.__init__).parameters.items()
        if n != "self" and p.kind is p.KEYWORD_ONLY and n not in exclude
    ]
    if flag and value is True:
        return {}
    if not flag and value is None:
        return {}
    if not isinstance(value, Mapping):
        what = (
            "a dict of keyword arguments of {cls}, True for its defaults or False to "
            "leave the layer out"
            if flag
            else "a dict of keyword arguments of {cls}, or None for the defaults"
        )
        raise InvalidParameterError(
            f"The {option!r} parameter of delineate must be "
            f"{what.format(cls=estimator.__name__)}, e.g. {{{valid[0]!r}: ...}}. Got "
            f"{short_repr(value)} instead."
        )
    unknown = [k for k in value if k not in valid]
    if unknown:
        hint = (
            " (pass centres= to delineate itself)"
            if "centres" in unknown and "centres" in exclude
            else ""
        )
        raise InvalidParameterError(
            f"The {option!r} parameter of delineate has keys that are not parameters of "
            f"{estimator.__name__}: {', '.join(map(repr, unknown))}{hint}. Valid keys: "
            f"{', '.join(valid)}."
        )
    return dict(value)
