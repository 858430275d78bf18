"""What every layer needs: centres from user input, contiguity, and a Partition from codes."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from .._core.shares import strength_class
from .._ids import normalise_ids
from ..errors import (
    InvalidParameterError,
    InvalidZonesError,
    Problems,
    check_int,
    check_parameter,
    plain_scalar,
)
from ..partition import Partition

DEFAULT_CLASSES = (0.05, 0.10, 0.20)


def check_tau(owner: str, name: str, value) -> float:
    """A link threshold in (0, 1] as a Python float (numpy scalars accepted)."""
    return float(check_parameter(owner, name, value, interval=(0, 1), closed="right"))


def check_order(owner: str, value, name: str = "max_order") -> int | None:
    """An attachment order cap: an int >= 1 (numpy integers accepted) or None."""
    return check_int(owner, name, value, low=1, allow_none=True)


def check_optional(owner: str, name: str, value, interval=(0, np.inf), closed: str = "both"):
    """None, or a number in ``interval`` (see :func:`check_parameter`)."""
    if value is None:
        return None
    return check_parameter(owner, name, value, interval=interval, closed=closed)


def check_bool(owner: str, name: str, value) -> bool:
    """True or False (numpy bools accepted; 0, 1 and strings are not)."""
    return check_parameter(owner, name, value, allowed=[True, False])


def check_text(owner: str, name: str, value, *, allow_none: bool = True,
               what: str = "a str") -> str | None:
    """A string parameter (a layer name, a column name)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {what}"
            f"{' or None' if allow_none else ''}. Got {short_repr(value)} instead.")
    return value


def check_classes(owner: str, value) -> tuple[float, ...]:
    """Strength classes: a list of shares in (0, 1], e.g. ``(0.05, 0.10, 0.20)``."""
    if isinstance(value, (str, bytes, Mapping)) or not is_iterable(value):
        raise InvalidParameterError(
            f"The 'classes' parameter of {owner} must be a list of shares in (0, 1], e.g. "
            f"(0.05, 0.10, 0.20). Got {short_repr(value)} instead.")
    return tuple(float(check_parameter(owner, "classes", v, interval=(0, 1), closed="right"))
                 for v in value)


def check_graph(owner: str, graph, name: str = "graph"):
    """``graph`` is a FlowGraph."""
    from ..flows import FlowGraph

    if not isinstance(graph, FlowGraph):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a FlowGraph (build one with "
            f"rz.read_flows or rz.FlowGraph.from_dataframe). Got {type(graph).__name__} "
            "instead.")
    return graph


def check_layer(owner: str, name: str, value, graph, *, allow_none: bool = True):
    """``value`` is a Partition over the zones of ``graph`` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, Partition):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a Partition (a layer such as "
            f"rz.metropolitan_areas(graph, ...)){' or None' if allow_none else ''}. Got "
            f"{type(value).__name__} instead.")
    if not value.ids.equals(graph.ids):
        raise InvalidZonesError(
            f"The {name!r} layer of {owner} is over other zones than the graph; fit both on "
            "the same FlowGraph.")
    return value


def check_rule(owner: str, layer) -> None:
    """The parameters of the size rule for centres (see :func:`rule_centres`) and the
    minimum area size, checked whether centres are given or not."""
    check_text(owner, "size", layer.size, allow_none=False,
               what="'jobs', 'residents' or the name of a zone-table column")
    check_optional(owner, "min_size", layer.min_size)
    check_parameter(owner, "min_size_share", layer.min_size_share, interval=(0, 1))
    check_optional(owner, "min_job_ratio", layer.min_job_ratio)
    check_optional(owner, "merge_tau", layer.merge_tau, interval=(0, 1), closed="right")
    check_bool(owner, "cluster_cores", layer.cluster_cores)
    c = layer.candidates
    if c is not None and not isinstance(c, str):
        check_ids(owner, "candidates", c, alt=", or the name of a boolean zone column")


def short_repr(value) -> str:
    """A value for an error message: its repr up to 60 characters (arrays by their type)."""
    if isinstance(value, (np.ndarray, pd.Series, pd.DataFrame, pd.Index)):
        return f"a {type(value).__name__} of shape {value.shape}"
    text = repr(plain_scalar(value))
    return text if len(text) <= 60 else text[:57] + "..."


def is_iterable(value) -> bool:
    """Whether ``iter(value)`` works (lists, arrays, Series, sets, generators...)."""
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _count(bad: list) -> str:
    return "1 entry is not" if len(bad) == 1 else f"{len(bad)} entries are not"


def is_zone_id(value) -> bool:
    """A zone id as users give it: text, or an int (numpy ints too; not a bool or float)."""
    return isinstance(value, str) or (isinstance(value, (int, np.integer))
                                      and not isinstance(value, (bool, np.bool_)))


def check_ids(owner: str, name: str, values, *, alt: str = "", label: str = "entry") -> list:
    """A list of zone ids from a parameter; one error naming ``name`` and the first entries
    that are not ids (None, NaN, floats, bools, nested lists). ``alt`` names another form the
    parameter takes (for the message); ``label`` names the entries."""
    form = f"a list of zone ids (text such as '01', or ints){alt}"
    if is_zone_id(values):
        return [values]
    if isinstance(values, (bytes, Mapping)) or values is None or not is_iterable(values):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {form}. Got {short_repr(values)} "
            "instead.")
    values = list(values)
    bad = [f"{label} {i}: {short_repr(v)}" for i, v in enumerate(values) if not is_zone_id(v)]
    if bad:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {form}; {_count(bad)} (first: "
            f"{', '.join(bad[:3])}). Remove them or give the zones' ids.")
    return values


def zone_names(graph) -> pd.Series:
    z = graph.zones
    ids = pd.Series(list(graph.ids), index=graph.ids)
    if "name" in z.columns:
        return z["name"].astype(object).where(z["name"].notna(), ids).astype(str)
    return ids


CENTRES_FORM = ("zone ids (text such as '01', or ints), lists of ids (polycentric cores) or a "
                "mapping {name: id or ids}")


def _centre_groups(centres, owner: str) -> tuple[list[list], list[str | None]]:
    """Centres as a list of id groups and names; one InvalidParameterError naming 'centres'
    and the first entries that are not ids (None, NaN, floats, bools, deeper nesting)."""
    if isinstance(centres, Mapping):
        items = list(centres.items())
        labels = [repr(k) for k, _ in items]
    elif is_zone_id(centres):
        items, labels = [(None, centres)], ["entry 0"]
    elif isinstance(centres, bytes) or not is_iterable(centres):
        raise InvalidParameterError(
            f"The 'centres' parameter of {owner} must be {CENTRES_FORM}, or None to find "
            f"centres by rule. Got {short_repr(centres)} instead.")
    else:
        items = [(None, c) for c in centres]
        labels = [f"entry {i}" for i in range(len(items))]
    groups, names, bad = [], [], []
    for label, (name, group) in zip(labels, items, strict=True):
        if is_zone_id(group):
            group = [group]
        elif group is None or isinstance(group, (bytes, Mapping)) or not is_iterable(group):
            bad.append(f"{label} is {short_repr(group)}")
            continue
        group = list(group)
        wrong = [m for m in group if not is_zone_id(m)]
        if wrong:
            bad.append(f"{label} holds {short_repr(wrong[0])}")
            continue
        groups.append(group)
        names.append(None if name is None else str(name))
    if bad:
        raise InvalidParameterError(
            f"The 'centres' parameter of {owner} must be {CENTRES_FORM}; {_count(bad)} "
            f"(first: {'; '.join(bad[:3])}). Remove them or give the zones' ids.")
    return groups, names


def parse_centres(graph, centres, owner: str) -> tuple[list[np.ndarray], list[str | None]]:
    """Centres as given by a user: ids, groups of ids (polycentric cores), or a mapping
    ``{area name: id or ids}``. Returns core positions and optional names."""
    raw, names = _centre_groups(centres, owner)
    groups = [list(normalise_ids(g, what="centre ids")) if g else [] for g in raw]
    flat = [z for g in groups for z in g]
    p = Problems(f"Invalid centres for {owner}")
    pos = graph.ids.get_indexer(flat)
    missing = [z for z, q in zip(flat, pos, strict=True) if q < 0]
    p.add("centre ids not in the graph", missing,
          fix="Use zone ids of the graph (text, with leading zeros).")
    dup = pd.Index(flat)[pd.Index(flat).duplicated()]
    p.add("zones given as centres more than once", list(dup))
    p.add("empty centre groups", [n or i for i, (n, g) in enumerate(zip(names, groups,
                                                                         strict=True)) if not g])
    p.raise_if_any(InvalidZonesError)
    cores, start = [], 0
    for g in groups:
        cores.append(np.sort(pos[start:start + len(g)]).astype(np.int64))
        start += len(g)
    return cores, names


def _union(geoms: np.ndarray):
    """Union of zone polygons: the fast coverage union when the zones form a clean coverage
    (no overlaps: the union's area equals the sum of the areas), else the general union."""
    import shapely

    try:
        out = shapely.coverage_union_all(geoms)
        total = float(shapely.area(geoms).sum())
        if abs(out.area - total) <= 1e-9 * max(total, 1e-300) and out.is_valid:
            return out
    except shapely.errors.ShapelyError:
        pass  # not noded as a coverage (shared edges with different vertices, mixed types)
    return shapely.union_all(geoms)


def exterior_zones(graph) -> np.ndarray | None:
    """Zones touching the outer edge of the study region (coast or border of the data).

    The exterior rings of the union of all zone polygons are the edge; holes in the union
    (slivers between misaligned polygons, lakes) are not. Cached on the graph. None when the
    graph has no polygons.
    """
    key = ("exterior_zones",)
    if key in graph._cache:
        return graph._cache[key]
    import shapely

    geo = graph.geometry
    if geo is None:
        return None
    geoms = geo.geometry.to_numpy()
    present = np.array([g is not None and not g.is_empty for g in geoms])
    out = np.zeros(len(geoms), bool)
    if present.any():
        parts = shapely.get_parts(_union(geoms[present]))
        coast = shapely.multilinestrings(shapely.get_exterior_ring(parts))
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
        tol = 1e-6 * max(xmax - xmin, ymax - ymin)
        hit = shapely.STRtree(geoms[present]).query(coast, predicate="dwithin", distance=tol)
        out[np.flatnonzero(present)[np.atleast_1d(hit)]] = True
    out.flags.writeable = False  # cached, and shared with redrawn graphs
    graph._cache[key] = out
    return out


def contiguity_for(graph, contiguity):
    """Adjacency (CSR over graph ids), the exempt zones (no neighbour at all), the exterior
    zones (see :func:`exterior_zones`) and the zones without a polygon, or None.

    ``"auto"`` builds rook contiguity from the graph's polygons (islands linked to their
    nearest zone) when it has polygons, and is off otherwise (no geometry, or points).

    Zones without a polygon (kept with ``with_geometry(..., missing="keep")``) touch nothing
    and are exempt: they are never released, and never cut their area in two (see
    :func:`regionalize._core.constraint.detached`).
    """
    if contiguity is None or contiguity is False:
        return None
    from ..contiguity import Contiguity

    if isinstance(contiguity, str):
        check_parameter("contiguity", "contiguity", contiguity, allowed=["auto", "require"])
        geo = graph.geometry
        has_polygons = geo is not None and geo.geom_type.isin(["Polygon", "MultiPolygon"]).any()
        if not has_polygons:
            if contiguity == "require":
                raise InvalidZonesError(
                    "contiguity='require' needs zone polygons; attach them with "
                    "graph.with_geometry(...) or pass contiguity=None.")
            return None
        contiguity = graph.build_contiguity(islands="nearest")
    if not isinstance(contiguity, Contiguity):
        raise InvalidParameterError(
            "The 'contiguity' parameter must be 'auto', 'require', None or a Contiguity "
            f"(from build_contiguity). Got {type(contiguity).__name__} instead.")
    if not contiguity.ids.equals(graph.ids):
        contiguity = contiguity.subset(list(graph.ids))
    adj = contiguity.adjacency
    exempt = np.asarray(adj.sum(axis=1)).ravel() == 0
    missing = np.asarray(graph.ids.isin(contiguity.missing), bool)
    if graph.geometry is not None:
        geoms = graph.geometry.geometry
        missing |= (geoms.isna() | geoms.is_empty).to_numpy(dtype=bool)
    exempt |= missing
    return adj, exempt, exterior_zones(graph), missing


def contiguity_params(graph, contig) -> dict:
    """What a layer records about its contiguity: ``"on"``/``"off"``, and the zones without
    a polygon (exempt from the one-piece rule) under ``no_geometry`` when there are any."""
    out: dict = {"contiguity": "on" if contig is not None else "off"}
    if contig is not None and len(contig) > 3 and contig[3].any():
        out["no_geometry"] = [str(z) for z in graph.ids[contig[3]]]
    return out


TOO_SMALL = "its area was below the minimum size"


def attach_runner(components, tau: float, contig, **kwargs):
    """``run(cores)``: the engine's attachment, with contiguity when ``contig`` is given
    (enclaves absorbed only when the exterior of the region is known)."""
    from .._core.constraint import attach, attach_contiguous

    def run(cores):
        if contig is None:
            return attach(components, cores, tau, **kwargs)
        return attach_contiguous(components, cores, tau, contig[0], exempt=contig[1],
                                 exterior=contig[2], absorb_enclaves=contig[2] is not None,
                                 missing=contig[3] if len(contig) > 3 else None, **kwargs)

    return run


def rule_centres(graph, layer, components, contig, *, eligible=None, groups=None):
    """Centres by the size rule of a layer (its ``size``, ``min_size``/``min_size_share``,
    ``min_job_ratio``, ``candidates``, ``merge_tau``, ``cluster_cores``), with names and the
    rule as applied (see :func:`centre_rule_record`)."""
    from .._core.constraint import find_centres
    from .metropolitan import candidate_mask, job_ratio, size_measure

    size = size_measure(graph, layer.size)
    threshold = layer.min_size if layer.min_size is not None else \
        layer.min_size_share * size.sum()
    allowed = candidate_mask(graph, layer.candidates)
    if eligible is not None:
        allowed = allowed & eligible
    stats: dict = {}
    cores = find_centres(components, size, layer.tau, candidates=allowed, min_size=threshold,
                         job_ratio=job_ratio(graph), min_job_ratio=layer.min_job_ratio,
                         merge_tau=layer.merge_tau, groups=groups,
                         adjacency=cluster_adjacency(layer.cluster_cores, contig), stats=stats)
    largest = float(size[allowed].max()) if allowed.any() else 0.0
    rule = centre_rule_record(layer, threshold, stats, largest)
    return cores, core_names(graph, cores, size), rule


# ---------------------------------------------------------------- what the centre rule did
def _number(x) -> str:
    if not math.isfinite(x) or abs(x) >= 1e12:
        return f"{x:.3g}"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.3g}"


def _pct(x) -> str:
    return f"{100 * x:g}%"


def centre_rule_record(layer, threshold: float, stats: dict, largest: float) -> dict:
    """The centre rule as applied: plain numbers for ``params["centre_rule"]``.

    ``min_size`` is the threshold actually used (from ``min_size_share`` of the total when
    ``min_size`` is not given); the counts say what each step kept (see
    :func:`regionalize._core.constraint.find_centres`)."""
    size = layer.size
    what = {"jobs": "jobs", "residents": "employed residents"}.get(size, repr(size))
    return {
        "size": size, "what": what, "min_size": float(threshold),
        "min_size_share": None if layer.min_size is not None else float(layer.min_size_share),
        "min_job_ratio": None if layer.min_job_ratio is None else float(layer.min_job_ratio),
        "candidates": None if layer.candidates is None else (
            layer.candidates if isinstance(layer.candidates, str) else "a list of zones"),
        "tau": float(layer.tau), "cluster_cores": bool(layer.cluster_cores),
        "zones_allowed": stats.get("candidates", 0), "zones_big_enough": stats.get("big_enough", 0),
        "zones_with_job_ratio": stats.get("job_ratio_ok", 0),
        "tied_to_bigger_centre": stats.get("tied", 0), "found": stats.get("found", 0),
        "largest_size": largest,
    }


def rule_text(rule: dict) -> str:
    """The centre rule in words: "at least 223,768 jobs (1% of all) and a job ratio >= 1"."""
    least = rule["min_size"]
    least = math.ceil(least) if 10 <= abs(least) < 1e12 else least
    text = f"at least {_number(least)} {rule['what']}"
    if rule.get("min_size_share") is not None:
        text += f" ({_pct(rule['min_size_share'])} of all)"
    if rule.get("min_job_ratio") is not None:
        text += f" and a job ratio >= {rule['min_job_ratio']:g}"
    candidates = rule.get("candidates")
    if candidates == "a list of zones":
        text += ", among the candidate zones given"
    elif candidates is not None:
        text += f", among the {candidates!r} zones"
    return text


def found_text(rule: dict, dropped: int = 0, minimum: str | None = None) -> str:
    """"6 centres found: at least 223,768 jobs (1% of all) and a job ratio >= 1"."""
    k = rule["found"]
    text = f"{k} centre{'' if k == 1 else 's'} found: {rule_text(rule)}"
    return text + _dropped_text(dropped, minimum, "of them ")


def _dropped_text(dropped: int, minimum: str | None, of: str = "") -> str:
    if not dropped:
        return ""
    return (f"; {dropped} {of}dropped: their area was below the minimum size"
            + (f" ({minimum})" if minimum else ""))


def no_centre_reason(rule: dict) -> str:
    """Why the centre rule found nothing, with the numbers."""
    if rule["largest_size"] <= 0:
        why = f"no zone has any {rule['what']}: the flows are all zero"
    elif rule["zones_allowed"] == 0:
        why = "no zone may be a centre"
    elif rule["zones_big_enough"] == 0:
        why = f"the largest zone has {_number(rule['largest_size'])} {rule['what']}"
    elif rule["zones_with_job_ratio"] == 0:
        n = rule["zones_big_enough"]
        why = (f"{n} zone{' is' if n == 1 else 's are'} that big, but none has a job ratio "
               f">= {rule['min_job_ratio']:g}")
    else:
        why = "every candidate is tied to a bigger one"
    return f"no centre was found by the centre rule ({rule_text(rule)}; {why})"


DIRECTION = ("the flows may be the wrong way round: rows (origins) must be where people live "
             "and columns where they work; read a matrix with workplaces as rows with "
             "rows='workplace' in read_matrix (--rows workplace on the command line), or "
             "swap the origin and destination columns")
GIVE_CENTRES = ("give the centres yourself: centres=[...] (--centres or --centres-file on the "
                "command line)")


def likely_causes(rule: dict | None, *, tau: float, min_zones: int | None = None,
                  given: bool = False) -> list[str]:
    """Likely causes of an empty layer, the most likely first, each naming its parameter."""
    direction, strict = DIRECTION, None
    if rule is not None and rule["found"] == 0:
        share = rule.get("min_size_share")
        size = (f"min_size_share (now {share:g})" if share is not None
                else f"min_size (now {_number(rule['min_size'])})")
        if rule["largest_size"] <= 0:
            return [f"the table has no {rule['what']} (no flows, or all zero): check the "
                    "flow column and size=", direction]
        if rule["zones_allowed"] == 0:
            strict = "candidates= allows no zone: widen it or leave it out"
        elif rule["zones_big_enough"] == 0:
            strict = f"the size threshold is too high for this table: lower {size}"
            if not rule.get("cluster_cores"):
                strict += (", or, for a city cut into many small zones, pass "
                           "cluster_cores=True (with polygons) to add up touching zones")
        elif rule["zones_with_job_ratio"] == 0:
            strict = (f"the job-ratio test removes every large zone: min_job_ratio=None drops "
                      f"it (now {rule['min_job_ratio']:g}; --min-job-ratio none)")
            return [direction, strict, GIVE_CENTRES]
        else:
            strict = f"the thresholds are too strict: lower {size} or tau (now {tau:g})"
        return [strict, direction, GIVE_CENTRES]
    attach = (f"no zone is tied to a centre at tau={tau:g} or above"
              + (f", and an area needs min_zones={min_zones} zones" if min_zones else "")
              + ": lower tau, raise max_order" + (" or lower min_zones" if min_zones else ""))
    out = [attach, direction]
    if not given:
        out.append(GIVE_CENTRES)
    return out


_EMPTY_SINK: ContextVar[list | None] = ContextVar("regionalize_empty_layers", default=None)


@contextmanager
def collect_empty_layers():
    """Collect the empty-layer messages of the layers fitted inside (delineate says them
    once, together) instead of one warning per layer. Yields the list."""
    sink: list = []
    token = _EMPTY_SINK.set(sink)
    try:
        yield sink
    finally:
        _EMPTY_SINK.reset(token)


def empty_layer_message(layer: str, reason: str, causes: list[str]) -> str:
    text = f"{layer}: 0 areas: {reason}."
    if causes:
        text += " Likely causes: " + "; ".join(f"({i}) {c}" for i, c in
                                               enumerate(causes, 1)) + "."
    return text


def report_empty(layer: str, reason: str, causes: list[str]) -> None:
    """Warn (UserWarning) that a layer has no area, why, and what to change."""
    sink = _EMPTY_SINK.get()
    if sink is not None:
        sink.append((layer, reason, causes))
        return
    warnings.warn(empty_layer_message(layer, reason, causes), UserWarning, stacklevel=4)


def explain_centres(params: dict, res, *, rule: dict | None, n_found: int, kept: list,
                    layer: str, tau: float, min_zones: int | None,
                    min_population: float | None = None, extra: int = 0,
                    warn: bool = True) -> None:
    """Record how the centres were chosen (``centre_rule``, ``centre_rule_text``) and, when
    the layer ends with no area (``extra``: areas it has from elsewhere, e.g. the large urban
    areas), why (``empty_reason``): reasons of the unassigned zones rewritten to the real
    cause, and (unless ``warn`` is False: the caller says it) a warning naming the likely
    causes and the parameters to change."""
    from .._core.constraint import BELOW, NOT_DOMINANT, ORDER_CAP

    dropped = n_found - len(kept)
    minimum = " or ".join(
        f"{name}={_number(value) if name == 'min_population' else value}"
        for name, value in (("min_zones", min_zones), ("min_population", min_population))
        if value is not None) or None
    if rule is not None:
        params["centre_rule"] = rule
        params["centre_rule_text"] = found_text(rule, dropped, minimum)
    else:
        params["centre_rule_text"] = (f"{n_found} centre{'' if n_found == 1 else 's'} given"
                                      + _dropped_text(dropped, minimum))
    if kept:
        return
    generic = np.isin(res.reason.astype(str), [BELOW, NOT_DOMINANT, ORDER_CAP]) & (res.area < 0)
    if rule is not None and n_found == 0:
        reason = no_centre_reason(rule)
        res.reason[generic] = reason
    else:
        reason = (f"{params['centre_rule_text']}, so no area is left"
                  if n_found else "no centre was given")
        res.reason[generic] = (f"no area is left: every centre's area was below the minimum "
                               f"size ({params['centre_rule_text']})" if n_found else reason)
    if extra:  # the layer has areas from elsewhere: only the zones' reasons change
        return
    params["empty_reason"] = reason
    if warn:
        report_empty(layer, reason, likely_causes(rule, tau=tau, min_zones=min_zones,
                                                  given=rule is None))


def run_with_minimum(run, cores, *, min_zones: int = 1, population=None,
                     min_population: float | None = None):
    """Attach with ``run(cores)``; drop cores whose area is below the minimum size (zones, or
    population) and attach again without them, until every area is big enough. The zones of
    dropped areas may then join other areas; those left over get the reason TOO_SMALL.
    Returns the result and the positions (in ``cores``) of the cores kept."""
    kept = list(range(len(cores)))
    dropped = []
    while True:
        current = [cores[i] for i in kept]
        res = run(current)
        assigned = res.area >= 0
        counts = np.bincount(res.area[assigned], minlength=len(current))
        small = counts < min_zones
        if min_population is not None:
            pop = np.bincount(res.area[assigned], weights=population[assigned],
                              minlength=len(current))
            small |= pop < min_population
        if not small.any():
            break
        dropped.extend(i for i, s_ in zip(kept, small, strict=True) if s_)
        kept = [i for i, s_ in zip(kept, small, strict=True) if not s_]
    for i in dropped:
        c = cores[i]
        res.reason[c[res.area[c] < 0]] = TOO_SMALL
    return res, kept


def cluster_adjacency(cluster_cores, contig):
    """The adjacency used to cluster candidate centre zones into cores, or None."""
    check_parameter("centre rule", "cluster_cores", cluster_cores, allowed=[True, False])
    if not cluster_cores:
        return None
    if contig is None:
        raise InvalidZonesError("cluster_cores=True needs contiguity (zone polygons, or a "
                                "Contiguity passed as contiguity=).")
    return contig[0]


def core_names(graph, cores, size: np.ndarray) -> list[str]:
    """Names of rule-found cores: "A" or "A+B"; bigger cores are named after their largest
    zone with the count of the others ("A +16"), so clustered city centres stay readable."""
    zname = zone_names(graph).to_numpy()
    out = []
    for c in cores:
        if len(c) <= 2:
            out.append("+".join(zname[c]))
        else:
            main = c[np.lexsort((c, -size[c]))[0]]
            out.append(f"{zname[main]} +{len(c) - 1}")
    return out


def area_ids(graph, cores) -> list[str]:
    ids = graph.ids.to_numpy()
    return ["+".join(ids[c]) for c in cores]


def build_partition(graph, res, cores, *, layer: str, kind, names=None, classes=DEFAULT_CLASSES,
                    params=None, area_extra: pd.DataFrame | None = None) -> Partition:
    """A Partition from an engine result. ``kind`` is one string or one per core."""
    ids = graph.ids.to_numpy()
    zname = zone_names(graph)
    aid = area_ids(graph, cores)
    kinds = [kind] * len(cores) if isinstance(kind, str) else list(kind)
    names = names or [None] * len(cores)
    area_of = np.array(aid + [None], dtype=object)[np.where(res.area >= 0, res.area, len(aid))]
    via = np.where(res.via >= 0, ids[np.maximum(res.via, 0)], None)
    order = pd.array(np.where(res.order >= 0, res.order, 0), dtype="Int64")
    order[res.order < 0] = pd.NA
    if (res.role == "enclave").any():
        order[res.role == "enclave"] = pd.NA
    index = pd.Index(ids, name="zone")

    def text(values):  # object dtype: None stays None (pandas' str dtype would make it NaN)
        return pd.Series(np.asarray(values, dtype=object), index=index, dtype=object)

    details = pd.DataFrame({
        "area": text(area_of),
        "role": text(res.role),
        "order": pd.Series(order, index=index),
        "share": pd.Series(res.share, index=index),
        "strength": pd.Series(strength_class(res.share, classes), index=index),
        "via": text(via),
        "reason": text(res.reason),
    }, index=index)
    counts = np.bincount(res.area[res.area >= 0], minlength=len(cores))
    areas = pd.DataFrame({
        "name": [n if n else "+".join(zname.iloc[c]) for n, c in zip(names, cores, strict=True)],
        "centres": [tuple(ids[c]) for c in cores],
        "kind": kinds,
        "n_zones": counts,
    }, index=pd.Index(aid, name="area"))
    if area_extra is not None:
        areas = areas.join(area_extra)
    keep = counts > 0
    return Partition(layer, ids, details, areas.loc[keep], params)
