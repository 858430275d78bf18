"""The Monitor's tables of indicators: stocks per area and role, growth, concentration.

Functions of a Hierarchy ``h`` and the :class:`~regionalize.monitor.indicators.Indicators`
``data`` of a Monitor, behind :meth:`Monitor.by_area <regionalize.monitor.Monitor.by_area>`,
:meth:`~regionalize.monitor.Monitor.by_role`, :meth:`~regionalize.monitor.Monitor.growth`
and :meth:`~regionalize.monitor.Monitor.concentration` (documented there), and the growth
measures the maps of change show (:func:`measure_values`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._geo import metres_per_unit, projected_zones
from ..errors import InvalidParameterError, check_parameter
from ..hierarchy import UNASSIGNED, Hierarchy
from .indicators import Indicators, as_year, fmt_years
from .units import Units, reporting_units

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = [
    "TOTAL",
    "MEASURES",
    "MEASURE_LABEL",
    "growth_measures",
    "gini",
    "stock_table",
    "by_area",
    "by_role",
    "growth",
    "measure_values",
    "land_area",
    "concentration",
]

#: index of the national row of growth tables
TOTAL = "(total)"
#: growth measures of :meth:`Monitor.growth` that the maps can show
MEASURES = ("change", "pct_change", "annual_rate", "share_change")
#: how the maps name each measure
MEASURE_LABEL = {
    "change": "change",
    "pct_change": "change (%)",
    "annual_rate": "annual growth rate (%)",
    "share_change": "change in share of the national total (percentage points)",
}


def growth_measures(v0, v1, t0, t1, years: float) -> dict[str, np.ndarray]:
    """Absolute, relative and annualised change, and the change in national share."""
    v0 = np.asarray(v0, dtype=float)
    v1 = np.asarray(v1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pct = np.where(v0 != 0, (v1 - v0) / np.abs(v0), np.nan)
        ok = (v0 > 0) & (v1 >= 0)
        annual = np.where(
            ok, np.power(np.where(ok, v1 / np.where(ok, v0, 1.0), 1.0), 1.0 / years) - 1.0, np.nan
        )
        s0 = v0 / t0 if t0 else np.full(v0.shape, np.nan)
        s1 = v1 / t1 if t1 else np.full(v1.shape, np.nan)
    return {
        "change": v1 - v0,
        "pct_change": pct,
        "annual_rate": annual,
        "share_start": s0,
        "share_end": s1,
        "share_change": s1 - s0,
    }


def gini(x: np.ndarray, ref: np.ndarray) -> float:
    """Gini index of ``x`` against the reference weights ``ref`` (area under the Lorenz
    curve of the x-shares ordered by x/ref); equal weights give the usual Gini."""
    keep = (x > 0) | (ref > 0)
    x, ref = x[keep], ref[keep]
    if x.sum() <= 0 or ref.sum() <= 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ref > 0, x / np.where(ref > 0, ref, 1.0), np.inf)
    order = np.lexsort((np.arange(len(x)), ratio))
    cx = np.concatenate([[0.0], np.cumsum(x[order]) / x.sum()])
    cr = np.concatenate([[0.0], np.cumsum(ref[order]) / ref.sum()])
    return float(1.0 - np.sum(np.diff(cr) * (cx[1:] + cx[:-1])))


def stock_table(data: Indicators, units: Units, year, indicators, area_share: bool) -> pd.DataFrame:
    """Indicators summed per unit (one year, or every year), with shares of the national
    total and, with ``area_share``, of the unit's area."""
    inds = data.names(indicators)
    if year is not None:
        y = as_year(year)
        if y is None or all(y not in data.years[i] for i in inds):
            raise InvalidParameterError(
                f"Year {year!r} is not in the indicator table; its years are "
                f"{fmt_years(data.all_years)}."
            )
        years = [y]
    else:
        years = sorted({y for i in inds for y in data.years[i]})
    cols: dict[str, np.ndarray] = {}
    for ind in inds:
        sums = data.sum(units, ind, years)
        tot = data.total(ind, years)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols[ind] = sums
            cols[f"{ind}_share"] = sums / tot
            if area_share:
                k = int(units.area_of_unit.max()) + 1 if units.n else 0
                per_area = np.zeros((k, len(years)))
                for j in range(len(years)):
                    per_area[:, j] = np.bincount(
                        units.area_of_unit, weights=np.nan_to_num(sums[:, j]), minlength=k
                    )
                cols[f"{ind}_area_share"] = np.where(
                    np.isnan(sums), np.nan, sums / per_area[units.area_of_unit]
                )
    info = units.info
    if year is not None:
        out = info.copy()
        for c, v in cols.items():
            out[c] = v[:, 0]
        return out
    ny = len(years)
    tuples = [(*(u if isinstance(u, tuple) else (u,)), y) for u in units.index for y in years]
    index = pd.MultiIndex.from_tuples(tuples, names=[*units.index.names, "year"])
    out = pd.DataFrame({c: np.repeat(info[c].to_numpy(), ny) for c in info.columns}, index=index)
    for c, v in cols.items():
        out[c] = v.reshape(-1)
    return out


def by_area(
    h: Hierarchy,
    data: Indicators,
    layer: str,
    year: int | None = None,
    *,
    indicators=None,
    include_unassigned: bool = True,
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.by_area`."""
    units = reporting_units(h, layer, "area")
    out = stock_table(data, units, year, indicators, area_share=False)
    if not include_unassigned:
        out = out.drop(index=UNASSIGNED, level="area" if year is None else None, errors="ignore")
    return out


def by_role(
    h: Hierarchy, data: Indicators, layer: str, year: int | None = None, *, indicators=None
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.by_role`."""
    units = reporting_units(h, layer, "role")
    return stock_table(data, units, year, indicators, area_share=True)


def growth(
    h: Hierarchy,
    data: Indicators,
    layer: str | None = None,
    start: int | None = None,
    end: int | None = None,
    *,
    indicator: str | None = None,
    by: str = "area",
    total: bool = True,
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.growth`."""
    check_parameter("Monitor.growth", "by", by, allowed=["area", "role"])
    ind = data.one(indicator)
    start, end = data.span(ind, start, end)
    units = reporting_units(h, layer, by)
    v = data.sum(units, ind, [start, end])
    t = data.total(ind, [start, end])
    out = units.info.copy()
    if total:
        label = (TOTAL, "all") if isinstance(units.index, pd.MultiIndex) else TOTAL
        row = pd.DataFrame(
            {"name": [TOTAL], "n_zones": [h.graph.n_zones]},
            index=pd.MultiIndex.from_tuples([label], names=units.index.names)
            if isinstance(label, tuple)
            else pd.Index([label], name=units.index.name, dtype=object),
        )
        out = pd.concat([out, row])
        v = np.vstack([v, t[None, :]])
    m = growth_measures(v[:, 0], v[:, 1], t[0], t[1], end - start)
    out[f"{ind}_{start}"] = v[:, 0]
    out[f"{ind}_{end}"] = v[:, 1]
    out["change"] = m["change"]
    out["pct_change"] = m["pct_change"]
    out["annual_rate"] = m["annual_rate"]
    out[f"share_{start}"] = m["share_start"]
    out[f"share_{end}"] = m["share_end"]
    out["share_change"] = m["share_change"]
    return out


def measure_values(
    data: Indicators, units: Units, ind: str, measure, start: int, end: int
) -> np.ndarray:
    """One growth measure (:data:`MEASURES`) per unit between two years."""
    v = data.sum(units, ind, [start, end])
    t = data.total(ind, [start, end])
    return growth_measures(v[:, 0], v[:, 1], t[0], t[1], end - start)[measure]


def land_area(graph: FlowGraph, units: Units) -> np.ndarray:
    """Land area per unit in km² (from the zone polygons, projected)."""
    zones, target = projected_zones(graph, None)
    km2 = zones.geometry.area.reindex(graph.ids).fillna(0.0).to_numpy(dtype=float)
    factor = metres_per_unit(target) or 1.0
    km2 = km2 * factor**2 / 1e6
    keep = units.codes >= 0
    return np.bincount(units.codes[keep], weights=km2[keep], minlength=units.n)


def concentration(
    h: Hierarchy,
    data: Indicators,
    layer: str | None = None,
    year: int | None = None,
    *,
    indicator: str | None = None,
    reference: str | None = None,
    unassigned: str = "zones",
) -> pd.DataFrame:
    """See :meth:`regionalize.monitor.Monitor.concentration`."""
    ind = data.one(indicator)
    years = (
        [data.years[ind][data.year_pos(ind, year)]] if year is not None else list(data.years[ind])
    )
    units = reporting_units(h, layer, "unit", unassigned=unassigned)
    x = data.sum(units, ind, years)
    if (x < 0).any():
        raise InvalidParameterError(
            f"Concentration measures need non-negative values; {ind!r} has negative sums."
        )
    if reference is None:
        ref = np.ones_like(x)
    elif reference == "land":
        ref = np.repeat(land_area(h.graph, units)[:, None], len(years), axis=1)
    else:
        data.check(reference)
        for y in years:
            data.year_pos(reference, y)
        ref = data.sum(units, reference, years)
    rows = []
    for j in range(len(years)):
        xs, rs = x[:, j], ref[:, j]
        tx, tr = xs.sum(), rs.sum()
        big = int(np.argmax(xs)) if units.n else -1
        with np.errstate(divide="ignore", invalid="ignore"):
            hoover = 0.5 * np.abs(xs / tx - rs / tr).sum() if tx > 0 and tr > 0 else np.nan
        rows.append(
            {
                "units": units.n,
                "total": tx,
                "largest": units.index[big] if big >= 0 else None,
                "largest_name": units.info["name"].iloc[big] if big >= 0 else None,
                "largest_share": xs[big] / tx if big >= 0 and tx > 0 else np.nan,
                "hoover": float(hoover),
                "gini": gini(xs, rs),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(years, name="year"))
