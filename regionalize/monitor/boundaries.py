"""Fixed boundaries against boundaries drawn again: which zones changed area or role
(:func:`membership_change`), and growth inside the base areas against the redrawn ones
(behind :meth:`Monitor.compare_boundaries <regionalize.monitor.Monitor.compare_boundaries>`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter
from ..hierarchy import UNASSIGNED, Hierarchy
from ..partition import Partition
from .indicators import Indicators
from .units import zone_roles

__all__ = [
    "membership_change",
    "compare_boundaries",
    "layer_of",
    "check_same_zones",
    "matched_labels",
]


def layer_of(obj, layer: str | None) -> Partition:
    """The Partition itself, or the layer ``layer`` of a Hierarchy."""
    if isinstance(obj, Partition):
        return obj
    if isinstance(obj, Hierarchy):
        if layer is None:
            raise InvalidParameterError("Name the layer to compare (layer='metropolitan').")
        return obj[layer]
    raise TypeError(f"Expected a Hierarchy or a Partition; got {type(obj).__name__}.")


def check_same_zones(a: Partition, b: Partition, ids: pd.Index | None = None) -> None:
    """Raise InvalidZonesError unless both delineations cover ``ids`` (default: ``a``'s
    zones) in the same order."""
    ids = a.ids if ids is None else ids
    if b.ids.equals(ids) and a.ids.equals(ids):
        return
    problems = Problems("The two delineations do not cover the same zones")
    miss = ids.difference(b.ids, sort=False)
    extra = b.ids.difference(ids, sort=False)
    problems.add("zones missing from the new delineation", list(miss[:3]), count=len(miss))
    problems.add("zones only in the new delineation", list(extra[:3]), count=len(extra))
    if not len(problems):
        problems.add("zones in another order", ["reorder the zones as in the base graph"], count=1)
    raise InvalidZonesError(
        problems.message() + " Delineate both years over the same zones "
        "(the zones of the base year's graph)."
    )


def matched_labels(before: Partition, after: Partition, match: str):
    """Zone labels before and after (after's areas renamed to the base areas they match),
    and the names of all areas."""
    check_parameter("membership_change", "match", match, allowed=["id", "overlap"])
    lb = [None if x is None else str(x) for x in before.labels.tolist()]
    la = [None if x is None else str(x) for x in after.labels.tolist()]
    names = {str(a): str(n) for a, n in before.areas["name"].items()}
    after_names = {str(a): str(n) for a, n in after.areas["name"].items()}
    if match == "id":
        rename = {a: a for a in after_names}
    else:
        pairs = pd.DataFrame({"b": lb, "a": la}).dropna().value_counts().reset_index()
        b_order = {a: k for k, a in enumerate(map(str, before.areas.index))}
        a_order = {a: k for k, a in enumerate(map(str, after.areas.index))}
        pairs["bo"] = pairs["b"].map(b_order)
        pairs["ao"] = pairs["a"].map(a_order)
        pairs = pairs.sort_values(
            ["count", "ao", "bo"], ascending=[False, True, True], kind="stable"
        )
        rename, used = {}, set()
        for row in pairs.itertuples():
            if row.a not in rename and row.b not in used:
                rename[row.a] = row.b
                used.add(row.b)
        for a in after_names:
            if a not in rename:
                rename[a] = a if a not in b_order else f"{a} (new)"
    la = [None if x is None else rename[x] for x in la]
    for a, new in rename.items():
        names.setdefault(new, after_names[a])
    return lb, la, names


def membership_change(
    before: Hierarchy | Partition,
    after: Hierarchy | Partition,
    layer: str | None = None,
    *,
    match: str = "id",
) -> pd.DataFrame:
    """Zones whose area or role changed between two delineations over the same zones.

    Parameters
    ----------
    before, after : Hierarchy or Partition
        The two delineations (e.g. of two census years).
    layer : str, optional
        The layer to compare when Hierarchies are given.
    match : {"id", "overlap"}
        How areas of ``after`` are matched to those of ``before``: by id (ids follow the
        central zones, so an area keeps its id while its centre does), or one-to-one by the
        number of shared zones, largest overlaps first (unmatched new areas keep their id,
        suffixed ``" (new)"`` if it clashes).

    Returns
    -------
    pandas.DataFrame
        Indexed by zone id (graph order), only the zones that changed: ``name`` (zone name
        or id), ``area_before``, ``area_after`` (matched ids, None when unassigned),
        ``role_before``, ``role_after`` and ``change``: ``"joined"`` (unassigned -> area),
        ``"left"`` (area -> unassigned), ``"switched"`` (one area -> another) or ``"role"``
        (same area, e.g. a surrounding zone became a centre).

    Examples
    --------
    >>> import pandas as pd
    >>> from regionalize.monitor import membership_change
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame({
    ...     "origin": ["A", "B", "B", "C", "C"], "destination": ["A", "A", "B", "C", "A"],
    ...     "flow": [50, 30, 10, 20, 2]}))
    >>> h0 = rz.delineate(g, ["A"], tau=0.2, megaregions=False)
    >>> h1 = rz.delineate(g, ["A"], tau=0.05, megaregions=False)   # C now joins
    >>> t = membership_change(h0, h1, "metropolitan")
    >>> t[["area_before", "area_after", "change"]]  # doctest: +NORMALIZE_WHITESPACE
         area_before area_after  change
    zone
    C           None          A  joined
    """
    b = layer_of(before, layer)
    a = layer_of(after, layer)
    check_same_zones(b, a)
    lb, la, _ = matched_labels(b, a, match)
    rb = zone_roles(b)
    ra = zone_roles(a)
    ids = b.ids
    zone_names = None
    if isinstance(before, Hierarchy) and "name" in before.graph.zones.columns:
        zone_names = before.graph.zones["name"]
    rows = []
    for k, z in enumerate(ids):
        if lb[k] == la[k] and rb[k] == ra[k]:
            continue
        if lb[k] is None:
            change = "joined"
        elif la[k] is None:
            change = "left"
        elif lb[k] != la[k]:
            change = "switched"
        else:
            change = "role"
        nm = z if zone_names is None or pd.isna(zone_names.get(z)) else str(zone_names[z])
        rows.append((z, nm, lb[k], la[k], rb[k], ra[k], change))
    out = pd.DataFrame(
        rows,
        columns=[
            "zone",
            "name",
            "area_before",
            "area_after",
            "role_before",
            "role_after",
            "change",
        ],
        dtype=object,
    )
    out = out.set_index("zone")
    return out


def compare_boundaries(
    h: Hierarchy,
    data: Indicators,
    after: Hierarchy | Partition,
    layer: str,
    start: int | None = None,
    end: int | None = None,
    *,
    indicator: str | None = None,
    match: str = "id",
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.compare_boundaries`."""
    ind = data.one(indicator)
    start, end = data.span(ind, start, end)
    base = h[layer]
    new = layer_of(after, layer)
    check_same_zones(base, new, h.graph.ids)
    before_labels, after_labels, names = matched_labels(base, new, match)
    order = list(base.areas.index)
    order += [a for a in dict.fromkeys(after_labels) if a is not None and a not in order]
    slot = {a: k for k, a in enumerate(order)}
    k = len(order)
    b = np.array([slot[a] if a is not None else k for a in before_labels])
    a_ = np.array([slot[a] if a is not None else k for a in after_labels])
    v0 = data.values[ind][:, data.year_pos(ind, start)]
    v1 = data.values[ind][:, data.year_pos(ind, end)]
    index = pd.Index([*order, UNASSIGNED], name="area", dtype=object)
    size = k + 1
    out = pd.DataFrame(
        {
            "name": [names.get(x, x) for x in order] + [UNASSIGNED],
            "n_zones_base": np.bincount(b, minlength=size),
            "n_zones_redrawn": np.bincount(a_, minlength=size),
            "joined": np.bincount(a_[a_ != b], minlength=size),
            "left": np.bincount(b[a_ != b], minlength=size),
        },
        index=index,
    )
    s0 = np.bincount(b, weights=v0, minlength=size)
    fixed = np.bincount(b, weights=v1, minlength=size)
    redrawn = np.bincount(a_, weights=v1, minlength=size)
    out[f"{ind}_{start}"] = s0
    out[f"{ind}_{end}_fixed"] = fixed
    out[f"{ind}_{end}_redrawn"] = redrawn
    out["change_fixed"] = fixed - s0
    out["change_redrawn"] = redrawn - s0
    out["boundary_effect"] = redrawn - fixed
    if not out.loc[UNASSIGNED, ["n_zones_base", "n_zones_redrawn"]].any():
        out = out.drop(index=UNASSIGNED)
    return out
