"""Commuting between the roles of every area: the Monitor's flow tables.

Functions of a Hierarchy ``h`` and the flow tables ``flows`` of a Monitor (year ->
``(matrix in graph order, FlowGraph)``), behind :meth:`Monitor.flows
<regionalize.monitor.Monitor.flows>`, :meth:`~regionalize.monitor.Monitor.flow_totals`,
:meth:`~regionalize.monitor.Monitor.flow_matrix` and
:meth:`~regionalize.monitor.Monitor.flow_change` (documented there); :func:`aligned_matrix`
puts another year's flows in the Hierarchy's zone order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, InvalidZonesError, Problems
from ..flows import FlowGraph
from ..hierarchy import UNASSIGNED, Hierarchy
from .indicators import as_year, fmt_years
from .tables import TOTAL
from .units import ROLES, zone_roles

__all__ = [
    "FLOW_CATEGORIES",
    "aligned_matrix",
    "year_matrix",
    "flow_parts",
    "area_flows",
    "flow_totals",
    "flow_matrix",
    "flow_change",
]

#: national flow categories of :meth:`Monitor.flow_totals` (they add up to the matrix total)
FLOW_CATEGORIES = (
    "within_centre",
    "centre_to_surrounding",
    "surrounding_to_centre",
    "within_surrounding",
    "between_areas",
    "area_to_unassigned",
    "unassigned_to_area",
    "within_unassigned",
)


def aligned_matrix(graph: FlowGraph, other: FlowGraph, label: str):
    """``other``'s matrix with rows and columns in ``graph``'s zone order."""
    if not isinstance(other, FlowGraph):
        raise InvalidParameterError(
            f"Flows for {label} must be a FlowGraph; got {type(other).__name__}."
        )
    if other.ids.equals(graph.ids):
        return other.matrix
    problems = Problems(f"Invalid flows for {label}")
    miss = graph.ids.difference(other.ids, sort=False)
    extra = other.ids.difference(graph.ids, sort=False)
    problems.add("zones of the Hierarchy missing from the flows", list(miss[:3]), count=len(miss))
    problems.add(
        "flow zones not in the Hierarchy",
        list(extra[:3]),
        count=len(extra),
        fix="Build every flow table over the zones of the Hierarchy (zones without "
        "flows: FlowGraph.from_dataframe(..., zones=table, extra_zones='keep')).",
    )
    problems.raise_if_any(InvalidZonesError)
    pos = other.ids.get_indexer(graph.ids)
    return other.matrix[pos][:, pos].tocsr()


def year_matrix(graph: FlowGraph, flows: dict, year):
    """The flow matrix (graph order) and a label for ``year`` (None: the Hierarchy's
    graph; a year of flows=; or a FlowGraph over the same zones)."""
    if year is None:
        return graph.matrix, "flow"
    if isinstance(year, FlowGraph):
        return aligned_matrix(graph, year, repr(year.name or "the flows")), None
    y = as_year(year)
    if y is None or y not in flows:
        raise InvalidParameterError(
            f"No flow table for {year!r}; the Monitor has flows for "
            f"{fmt_years(flows)} (pass flows={{year: FlowGraph}} to monitor), and "
            "year=None means the Hierarchy's own graph."
        )
    return flows[y][0], y


def flow_parts(h: Hierarchy, flows: dict, layer: str, year):
    """The layer, its number of areas, and per non-zero flow: origin and destination area
    (the number of areas: unassigned), whether each end is a surrounding zone, the flow, and
    the label of the flow table."""
    part = h[layer]
    k = part.n_areas
    codes = part.codes()
    role = zone_roles(part)
    area = np.where(codes >= 0, codes, k)  # k: unassigned
    surr = role == "surrounding"
    matrix, label = year_matrix(h.graph, flows, year)
    coo = matrix.tocoo()
    return (
        part,
        k,
        area[coo.row],
        area[coo.col],
        surr[coo.row],
        surr[coo.col],
        np.asarray(coo.data, dtype=float),
        label,
    )


def area_flows(h: Hierarchy, flows: dict, layer: str, year=None) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.flows`."""
    part, k, fa, ta, fs, ts, v, _ = flow_parts(h, flows, layer, year)
    same = (fa == ta) & (fa < k)
    inside = fa < k

    def count(mask, by):
        return np.bincount(by[mask], weights=v[mask], minlength=k + 1)

    cols = {
        "within_centre": count(same & ~fs & ~ts, fa),
        "centre_to_surrounding": count(same & ~fs & ts, fa),
        "surrounding_to_centre": count(same & fs & ~ts, fa),
        "within_surrounding": count(same & fs & ts, fa),
    }
    cols["internal"] = sum(cols.values())
    cols["to_other_areas"] = count(inside & (ta < k) & (fa != ta), fa) + count(
        ~inside & (ta < k), fa
    )
    cols["to_unassigned"] = count(ta == k, fa)
    cols["from_other_areas"] = count((ta < k) & inside & (fa != ta), ta) + count(
        (ta == k) & inside, ta
    )
    cols["from_unassigned"] = count(~inside, ta)
    from_surr = count(inside & fs, fa)
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["share_to_centre"] = np.where(
            from_surr > 0, cols["surrounding_to_centre"] / from_surr, np.nan
        )
    index = pd.Index([*part.areas.index, UNASSIGNED], name="area", dtype=object)
    out = pd.DataFrame({"name": [*map(str, part.areas["name"]), UNASSIGNED], **cols}, index=index)
    for c in (
        "within_centre",
        "centre_to_surrounding",
        "surrounding_to_centre",
        "within_surrounding",
        "internal",
        "share_to_centre",
    ):
        out.loc[UNASSIGNED, c] = np.nan
    if not (part.codes() < 0).any():
        out = out.drop(index=UNASSIGNED)
    return out


def flow_totals(h: Hierarchy, flows: dict, layer: str, year=None) -> pd.Series:
    """See :meth:`regionalize.monitor.Monitor.flow_totals`."""
    _, k, fa, ta, fs, ts, v, _ = flow_parts(h, flows, layer, year)
    same = (fa == ta) & (fa < k)
    masks = {
        "within_centre": same & ~fs & ~ts,
        "centre_to_surrounding": same & ~fs & ts,
        "surrounding_to_centre": same & fs & ~ts,
        "within_surrounding": same & fs & ts,
        "between_areas": (fa < k) & (ta < k) & (fa != ta),
        "area_to_unassigned": (fa < k) & (ta == k),
        "unassigned_to_area": (fa == k) & (ta < k),
        "within_unassigned": (fa == k) & (ta == k),
    }
    return pd.Series({c: float(v[m].sum()) for c, m in masks.items()}, name="flow")


def flow_matrix(
    h: Hierarchy, flows: dict, layer: str, year=None, *, roles: bool = False
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.flow_matrix`."""
    part, k, fa, ta, fs, ts, v, _ = flow_parts(h, flows, layer, year)
    labels = np.array([*part.areas.index, UNASSIGNED], dtype=object)
    if roles:
        fr = np.where(fa == k, 2, fs.astype(np.int64))
        tr = np.where(ta == k, 2, ts.astype(np.int64))
        key = (fa * 3 + fr) * (3 * (k + 1)) + ta * 3 + tr
    else:
        key = fa * (k + 1) + ta
    uniq, inv = np.unique(key, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=v, minlength=len(uniq))
    role_names = np.array(ROLES, dtype=object)
    if roles:
        src, dst = uniq // (3 * (k + 1)), uniq % (3 * (k + 1))
        out = pd.DataFrame(
            {
                "from_area": labels[src // 3],
                "from_role": role_names[src % 3],
                "to_area": labels[dst // 3],
                "to_role": role_names[dst % 3],
                "flow": sums,
            }
        )
    else:
        out = pd.DataFrame(
            {"from_area": labels[uniq // (k + 1)], "to_area": labels[uniq % (k + 1)], "flow": sums}
        )
    return out[out["flow"] != 0].reset_index(drop=True)


def flow_change(h: Hierarchy, flows: dict, layer: str, before, after) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.flow_change`."""
    tables = []
    labels = []
    for which, key in (("before", before), ("after", after)):
        f = area_flows(h, flows, layer, key)
        t = flow_totals(h, flows, layer, key)
        _, label = year_matrix(h.graph, flows, key)
        labels.append(f"flow_{label}" if label not in (None, "flow") else f"flow_{which}")
        body = f.drop(columns=["name", "share_to_centre"])
        flat = body.to_numpy(dtype=float).ravel()
        idx = pd.MultiIndex.from_product([list(body.index), list(body.columns)])
        long = pd.Series(flat, index=idx)[~np.isnan(flat)]
        tot = pd.Series(t.to_numpy(), index=pd.MultiIndex.from_product([[TOTAL], list(t.index)]))
        tables.append(pd.concat([long, tot]))
    if labels[0] == labels[1]:
        labels = [f"{labels[0]}_before", f"{labels[1]}_after"]
    out = pd.concat(tables, axis=1, keys=labels)
    out.index.names = ["area", "flow"]
    b, a = out[labels[0]].to_numpy(dtype=float), out[labels[1]].to_numpy(dtype=float)
    out["change"] = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_change"] = np.where(b != 0, (a - b) / b, np.nan)
    return out
