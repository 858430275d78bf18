"""Monitoring balanced development through the functional layers.

Planners follow indicators over time on the areas of each layer: the population growth of
the metropolitan areas, of their central cities and of their surroundings; the commuting
between central and surrounding zones; how concentrated the population is in the largest
area (the status indicators of the Korean balanced-development monitoring: "population
growth rate in the five major city areas, their central cities, and their neighboring
cities", "volume of commuting", "distribution of the regions with population increase and
decrease", the latter mapped as choropleths and cartograms).

:func:`monitor` joins a zone-level indicator table (long or wide) to a
:class:`~regionalize.hierarchy.Hierarchy` and returns a :class:`Monitor`, which answers:

- stocks per area and per role inside an area (:meth:`Monitor.by_area`,
  :meth:`Monitor.by_role`), with shares of the national total;
- growth between two years (:meth:`Monitor.growth`: absolute, percent and annualised);
- concentration over areas (:meth:`Monitor.concentration`: largest-area share, Hoover and
  Gini indices);
- commuting between roles and areas (:meth:`Monitor.flows`, :meth:`Monitor.flow_totals`,
  :meth:`Monitor.flow_matrix`) and its change between two flow tables
  (:meth:`Monitor.flow_change`);
- fixed boundaries against boundaries drawn again (:meth:`Monitor.compare_boundaries`,
  :func:`membership_change`);
- maps: a diverging choropleth of change (:meth:`Monitor.plot_change`), a Dorling cartogram
  (:meth:`Monitor.plot_dorling`, layout :func:`dorling_layout`) and the flows between
  centres and their surroundings (:meth:`Monitor.plot_centre_flows`).

Roles inside an area: ``"centre"`` (the area's central zone or zones), ``"surrounding"``
(every other member, enclaves included) and ``"unassigned"`` (zones outside every area of
the layer). Shares and rates are fractions (0.05 is 5%).

The areas are those of the Hierarchy, delineated once: following the indicators through the
years inside them is the *fixed-boundary* comparison. To compare with areas delineated again
for a later year, pass that year's Hierarchy to :meth:`Monitor.compare_boundaries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._cartogram import DorlingLayout, circle_radii, dorling_layout
from ._ids import normalise_column
from .errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter
from .flows import FlowGraph
from .hierarchy import UNASSIGNED, Hierarchy
from .partition import Partition
from .plot import _one_draw

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.axes

__all__ = ["Monitor", "monitor", "indicators_from_flows", "membership_change",
           "dorling_layout", "DorlingLayout", "ROLES", "FLOW_CATEGORIES"]

#: roles of a zone inside the areas of a layer, as reported by the Monitor
ROLES = ("centre", "surrounding", "unassigned")
#: national flow categories of :meth:`Monitor.flow_totals` (they add up to the matrix total)
FLOW_CATEGORIES = ("within_centre", "centre_to_surrounding", "surrounding_to_centre",
                   "within_surrounding", "between_areas", "area_to_unassigned",
                   "unassigned_to_area", "within_unassigned")
#: index of the national row of growth tables
TOTAL = "(total)"
_ROLE_OF = {"centre": "centre", "member": "surrounding", "enclave": "surrounding",
            "unassigned": "unassigned"}
_MEASURES = ("change", "pct_change", "annual_rate", "share_change")
_MEASURE_LABEL = {"change": "change", "pct_change": "change (%)",
                  "annual_rate": "annual growth rate (%)", "share_change": "change in share of "
                  "the national total (percentage points)"}
_ZONE_LEVEL = (None, "zone")


# ---------------------------------------------------------------------------- small helpers
def _as_year(value: Any) -> int | None:
    """An integer year from an int, an integral float or a text of digits; else None."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if np.isfinite(value) and float(value).is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
    return None


def _to_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Float values of a column and the mask of cells that hold something not a number."""
    if pd.api.types.is_bool_dtype(col):
        return np.full(len(col), np.nan), np.array(col.notna().to_numpy(), dtype=bool)
    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan).copy(), np.zeros(len(col), bool)
    conv = pd.to_numeric(col, errors="coerce")
    bad = np.array((conv.isna() & col.notna()).to_numpy(), dtype=bool)
    values = conv.to_numpy(dtype=float, na_value=np.nan).copy()
    values[bad] = np.nan
    return values, bad


def _fmt_years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in years) or "none"


def _zone_roles(part: Partition) -> np.ndarray:
    """'centre' / 'surrounding' / 'unassigned' per zone, in graph order."""
    roles = part.details["role"].map(_ROLE_OF)
    return roles.fillna("unassigned").to_numpy(dtype=object)


def _growth_measures(v0, v1, t0, t1, years: float) -> dict[str, np.ndarray]:
    """Absolute, relative and annualised change, and the change in national share."""
    v0 = np.asarray(v0, dtype=float)
    v1 = np.asarray(v1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pct = np.where(v0 != 0, (v1 - v0) / np.abs(v0), np.nan)
        ok = (v0 > 0) & (v1 >= 0)
        annual = np.where(ok, np.power(np.where(ok, v1 / np.where(ok, v0, 1.0), 1.0),
                                       1.0 / years) - 1.0, np.nan)
        s0 = v0 / t0 if t0 else np.full(v0.shape, np.nan)
        s1 = v1 / t1 if t1 else np.full(v1.shape, np.nan)
    return {"change": v1 - v0, "pct_change": pct, "annual_rate": annual,
            "share_start": s0, "share_end": s1, "share_change": s1 - s0}


def _gini(x: np.ndarray, ref: np.ndarray) -> float:
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


# ---------------------------------------------------------------------------- reading tables
def _wide_to_long(df: pd.DataFrame, zone: str | None, values, sep: str) -> tuple[
        pd.DataFrame, list[str]]:
    """Long table ``_zone, _year, <indicators>`` from columns per year."""
    if zone is not None:
        if zone not in df.columns:
            raise InvalidParameterError(
                f"The 'zone' parameter of monitor must name a column of the table; got "
                f"{zone!r}, the table has {', '.join(map(repr, map(str, df.columns[:12])))}.")
        ids = df[zone]
        body = df.drop(columns=[zone])
    else:
        ids = df.index.to_series()
        body = df
    wanted = [values] if isinstance(values, str) else (list(values) if values is not None
                                                         else None)
    columns = body.columns
    found: list[tuple[Any, str, int]] = []  # (column key, indicator, year)
    unparsed = []
    if isinstance(columns, pd.MultiIndex):
        if columns.nlevels != 2:
            raise InvalidParameterError(
                f"A wide indicator table with MultiIndex columns needs two levels (indicator "
                f"and year); got {columns.nlevels}.")
        levels = [columns.get_level_values(k) for k in range(2)]
        yearly = [all(_as_year(v) is not None for v in lev) for lev in levels]
        if yearly == [False, False]:
            raise InvalidParameterError(
                "Cannot tell which column level of the wide table holds the years: neither "
                f"level is all years (first columns: {list(columns[:3])}).")
        year_level = 1 if yearly[1] else 0
        for key in columns:
            found.append((key, str(key[1 - year_level]), _as_year(key[year_level])))
    else:
        for key in columns:
            y = _as_year(key)
            if y is not None:  # a bare year: one indicator, named by values=
                if wanted is None or len(wanted) != 1:
                    raise InvalidParameterError(
                        f"The wide table has bare year columns ({key!r}, ...): name the one "
                        "indicator they hold with values='population' (for example), or name "
                        f"the columns '<indicator>{sep}<year>'.")
                found.append((key, wanted[0], y))
                continue
            head, _, tail = str(key).rpartition(sep)
            y = _as_year(tail) if head else None
            if y is None:
                unparsed.append(key)
            else:
                found.append((key, head, y))
    if wanted is not None:
        found = [f for f in found if f[1] in wanted]
        absent = [w for w in wanted if w not in {f[1] for f in found}]
        if absent:
            raise InvalidParameterError(
                f"No column of the wide table holds the indicators {absent}; its columns are "
                f"{', '.join(map(repr, map(str, columns[:12])))}. Columns must be named "
                f"'<indicator>{sep}<year>' (e.g. 'population{sep}2020'), be a year under "
                "values='<indicator>', or form a (indicator, year) MultiIndex.")
    elif unparsed:
        raise InvalidParameterError(
            f"{len(unparsed)} columns of the wide table are not '<indicator>{sep}<year>' "
            f"(first: {', '.join(map(repr, map(str, unparsed[:3])))}). Pass values=[...] to "
            "choose the indicators, zone= for the id column, or sep= for another separator.")
    if not found:
        raise InvalidParameterError("The wide table has no indicator columns.")
    seen: dict[tuple[str, int], Any] = {}
    for key, ind, y in found:
        if (ind, y) in seen:
            raise InvalidParameterError(
                f"The wide table has two columns for {ind!r} in {y}: {seen[(ind, y)]!r} and "
                f"{key!r}. Keep one.")
        seen[(ind, y)] = key
    indicators = list(dict.fromkeys(f[1] for f in found))
    years = sorted({f[2] for f in found})
    parts = []
    for y in years:
        block = {"_zone": ids.to_numpy(), "_year": np.full(len(body), y)}
        for ind in indicators:
            key = seen.get((ind, y))
            block[ind] = body[key].to_numpy() if key is not None else np.full(len(body), np.nan)
        parts.append(pd.DataFrame(block))
    return pd.concat(parts, ignore_index=True), indicators


def _require_columns(table: pd.DataFrame, columns, fix: str) -> None:
    """An error naming the columns of ``columns`` that ``table`` lacks, and the ones it has."""
    absent = [c for c in columns if c not in table.columns]
    if absent:
        raise InvalidParameterError(
            f"The indicator table has no column {', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, table.columns[:12])))}. {fix}")


@dataclass
class _Read:
    values: dict[str, np.ndarray]
    years: dict[str, tuple[int, ...]]
    notes: list[str]


def _read_indicators(table, ids: pd.Index, *, zone, year, values, sep, unknown, missing,
                     duplicates, negative, id_width) -> _Read:
    if not isinstance(table, pd.DataFrame):
        raise InvalidParameterError(
            f"The indicator table must be a pandas DataFrame; got {type(table).__name__}.")
    if len(table) == 0:
        raise InvalidZonesError("Invalid indicator table: it is empty (0 rows).")
    if year is not None:  # long form
        if isinstance(table.columns, pd.MultiIndex):
            raise InvalidParameterError(
                "A long indicator table (year= given) needs flat column names; for columns "
                "per (indicator, year) leave year= unset.")
        needed = ([zone] if zone is not None else []) + [year]
        _require_columns(table, needed, "Pass zone= (None for the index) and year= with the "
                         "right names.")
        if values is None:
            indicators = [c for c in table.columns if c not in needed]
        else:
            indicators = [values] if isinstance(values, str) else list(values)
        _require_columns(table, indicators, "Pass values= with the indicator columns.")
        if not indicators:
            raise InvalidParameterError("The indicator table has no indicator columns besides "
                                        "the zone and year; pass values=.")
        zone_col = table[zone] if zone is not None else table.index.to_series()
        long = pd.DataFrame({"_zone": zone_col.to_numpy(), "_year": table[year].to_numpy()})
        for ind in indicators:
            long[str(ind)] = table[ind].to_numpy()
        indicators = [str(i) for i in indicators]
    else:
        long, indicators = _wide_to_long(table, zone, values, sep)

    problems = Problems("Invalid indicator table")
    notes: list[str] = []
    zones = normalise_column(long["_zone"], what="indicator table zone ids", width=id_width)
    zone_ids = zones.to_numpy(dtype=object)
    raw_years = long["_year"]
    if pd.api.types.is_integer_dtype(raw_years):  # the common case, without a Python loop
        years = raw_years.to_numpy(dtype=np.int64).astype(object)
    else:
        years = np.array([_as_year(v) for v in raw_years], dtype=object)
    bad_year = np.array([y is None for y in years])
    problems.add("rows whose year is not a whole number",
                 [f"row {k}: {raw_years.iloc[k]!r}" for k in np.flatnonzero(bad_year)[:3]],
                 count=int(bad_year.sum()),
                 fix="Years must be integers such as 2015 (not '2015-01' or 2015.5).")

    pos = ids.get_indexer(zone_ids)
    unknown_rows = pos < 0
    if unknown_rows.any():
        names = pd.unique(zone_ids[unknown_rows])
        if unknown == "error":
            problems.add("rows for zones not in the Hierarchy", list(names[:3]),
                         count=int(unknown_rows.sum()),
                         fix=f"({len(names)} distinct ids.) Correct the ids (leading zeros?), "
                             "or pass unknown='drop' to leave these rows out.")
        else:
            notes.append(f"dropped {int(unknown_rows.sum())} rows for {len(names)} zones not "
                         f"in the Hierarchy (first: {', '.join(map(str, names[:3]))})")

    def where(k: int) -> str:
        return f"{zone_ids[k]} ({years[k] if years[k] is not None else raw_years.iloc[k]})"

    data = {}
    for ind in indicators:
        v, bad = _to_numbers(long[ind])
        bad &= ~unknown_rows
        problems.add(f"non-numeric {ind!r} values",
                     [f"{where(k)}: {long[ind].iloc[k]!r}" for k in np.flatnonzero(bad)[:3]],
                     count=int(bad.sum()),
                     fix="Clean suppressed or footnoted cells (e.g. '-', 'n/a') and read the "
                         "column as numbers.")
        inf = np.isinf(v) & ~unknown_rows
        problems.add(f"infinite {ind!r} values", [where(k) for k in np.flatnonzero(inf)[:3]],
                     count=int(inf.sum()))
        neg = (v < 0) & ~unknown_rows
        if negative == "error":
            problems.add(f"negative {ind!r} values",
                         [f"{where(k)}: {v[k]:g}" for k in np.flatnonzero(neg)[:3]],
                         count=int(neg.sum()),
                         fix="Counts of people or jobs cannot be negative; pass "
                             "negative='allow' for indicators that can (net migration).")
        v[bad | inf] = np.nan
        data[ind] = v
    problems.raise_if_any(InvalidZonesError)

    keep = ~unknown_rows
    zpos = pos[keep]
    ypos_raw = years[keep].astype(np.int64)
    dup = pd.MultiIndex.from_arrays([zpos, ypos_raw]).duplicated()
    if dup.any():
        first = [f"{ids[z]} ({y})" for z, y in zip(zpos[dup][:3], ypos_raw[dup][:3],
                                                   strict=True)]
        if duplicates == "error":
            problems.add("duplicated (zone, year) rows", first, count=int(dup.sum()),
                         fix="Pass duplicates='sum' to add them up, or remove the repeats.")
        else:
            notes.append(f"summed {int(dup.sum())} repeated (zone, year) rows (first: "
                         f"{', '.join(first)})")

    all_years = sorted(set(ypos_raw.tolist()))
    n = len(ids)
    col_of = {y: k for k, y in enumerate(all_years)}
    ycol = np.array([col_of[y] for y in ypos_raw], dtype=np.int64)
    present = np.zeros((n, len(all_years)), bool)
    present[zpos, ycol] = True
    out_values: dict[str, np.ndarray] = {}
    out_years: dict[str, tuple[int, ...]] = {}
    measured = np.zeros(len(all_years), bool)
    empty_cells: list[str] = []
    n_empty = 0
    for ind in indicators:
        v = data[ind][keep]
        ok = ~np.isnan(v)
        sums = np.zeros((n, len(all_years)))
        counts = np.zeros((n, len(all_years)), dtype=np.int64)
        np.add.at(sums, (zpos[ok], ycol[ok]), v[ok])
        np.add.at(counts, (zpos[ok], ycol[ok]), 1)
        observed = counts.sum(axis=0) > 0  # a year where it is empty for every zone: not measured
        measured |= observed
        cols = np.flatnonzero(observed)
        arr = np.where(counts > 0, sums, np.nan)[:, cols]
        empty = (counts[:, cols] == 0) & present[:, cols]
        n_empty += int(empty.sum())
        empty_cells += [f"{ind!r} of {ids[zi]} ({all_years[cols[yi]]})"
                        for zi, yi in zip(*np.nonzero(empty), strict=True)][:3]
        out_values[ind] = arr
        out_years[ind] = tuple(all_years[c] for c in cols)
    no_row = ~present & measured[None, :]
    n_no_row = int(no_row.sum())
    no_row_examples = [f"{ids[zi]} ({all_years[yi]})"
                       for zi, yi in zip(*np.nonzero(no_row), strict=True)][:3]
    if n_no_row or n_empty:
        if missing == "error":
            fix = ("Every zone needs a value in every year an indicator is measured: add them, "
                   "or pass missing='zero' to count them as 0.")
            problems.add("zones of the Hierarchy missing from the table (zone, year)",
                         no_row_examples, count=n_no_row, fix=None if n_empty else fix)
            problems.add("empty values", empty_cells, count=n_empty, fix=fix)
        else:
            for ind in indicators:
                out_values[ind] = np.nan_to_num(out_values[ind], nan=0.0)
            notes.append(f"counted {n_no_row} missing (zone, year) rows and {n_empty} empty "
                         f"values as 0 (first: {', '.join(no_row_examples + empty_cells[:3])})")
    problems.raise_if_any(InvalidZonesError)
    for ind in indicators:
        if not out_years[ind]:
            raise InvalidZonesError(f"Invalid indicator table: {ind!r} has no value in any year.")
        out_values[ind].flags.writeable = False
    return _Read(out_values, out_years, notes)


def _aligned_matrix(graph: FlowGraph, other: FlowGraph, label: str):
    """``other``'s matrix with rows and columns in ``graph``'s zone order."""
    if not isinstance(other, FlowGraph):
        raise InvalidParameterError(
            f"Flows for {label} must be a FlowGraph; got {type(other).__name__}.")
    if other.ids.equals(graph.ids):
        return other.matrix
    problems = Problems(f"Invalid flows for {label}")
    miss = graph.ids.difference(other.ids, sort=False)
    extra = other.ids.difference(graph.ids, sort=False)
    problems.add("zones of the Hierarchy missing from the flows", list(miss[:3]),
                 count=len(miss))
    problems.add("flow zones not in the Hierarchy", list(extra[:3]), count=len(extra),
                 fix="Build every flow table over the zones of the Hierarchy (zones without "
                     "flows: FlowGraph.from_dataframe(..., zones=table, extra_zones='keep')).")
    problems.raise_if_any(InvalidZonesError)
    pos = other.ids.get_indexer(graph.ids)
    return other.matrix[pos][:, pos].tocsr()


# ---------------------------------------------------------------------------- units
@dataclass(frozen=True)
class _Units:
    """Zones grouped into reporting units (areas, area x role, zones)."""

    codes: np.ndarray          # unit per zone, -1: left out
    index: pd.Index            # one label per unit (MultiIndex for roles)
    info: pd.DataFrame         # name (and role), n_zones; indexed like ``index``
    area_of_unit: np.ndarray   # for role units: the area slot of each unit

    @property
    def n(self) -> int:
        return len(self.index)


def monitor(hierarchy: Hierarchy, indicators: pd.DataFrame | None = None, *,
            zone: str | None = None, year: str | None = None, values=None, sep: str = "_",
            flows: Mapping[int, FlowGraph] | None = None, unknown: str = "error",
            missing: str = "error", duplicates: str = "error", negative: str = "error",
            id_width: int | None = None) -> Monitor:
    """Follow zone-level indicators and flows through the layers of a Hierarchy.

    Parameters
    ----------
    hierarchy : Hierarchy
        The functional areas, delineated once (the fixed boundaries of the comparison).
    indicators : pandas.DataFrame, optional
        Zone-level values over time, in either form:

        - **long**: one row per zone and year, with ``year=`` naming the year column and
          ``values=`` the indicator columns (default: every other column);
        - **wide**: one row per zone (``year=None``), one column per indicator and year,
          named ``'<indicator><sep><year>'`` (``pop_2010``), a two-level MultiIndex
          ``(indicator, year)`` (either order), or bare years (``2010``) with
          ``values='<indicator>'`` naming the one indicator.

        Without a table the Monitor still reports flows.
    zone : str, optional
        Column of zone ids; None (default) for the index. Ids are text, as in the graph.
    year : str, optional
        Column of years in a long table; leave unset for a wide table.
    values : str or list of str, optional
        Indicators to keep (column names in a long table, indicator names in a wide one).
    sep : str
        Separator between indicator and year in wide column names.
    flows : mapping of year to FlowGraph, optional
        Flow tables of several years over the zones of the Hierarchy (for
        :meth:`Monitor.flows` with ``year=`` and :meth:`Monitor.flow_change`); the
        Hierarchy's own graph is used when no year is asked.
    unknown : {"error", "drop"}
        Rows for zones that are not in the Hierarchy.
    missing : {"error", "zero"}
        Zones of the Hierarchy without a value in a year the indicator is measured (no row,
        or an empty cell). A year in which an indicator is empty for every zone is simply
        not a year of that indicator.
    duplicates : {"error", "sum"}
        Repeated (zone, year) rows.
    negative : {"error", "allow"}
        Negative values (allow them for indicators such as net migration; concentration
        measures then refuse them).
    id_width : int, optional
        Left-pad numeric ids with zeros to this width (codes that lost them).

    Returns
    -------
    Monitor

    Raises
    ------
    InvalidZonesError
        One message listing every problem of the table, with counts, first examples and
        the way out: rows for unknown zones, zones missing, non-numeric, infinite or
        negative values, repeated (zone, year) rows, years that are not whole numbers.
    InvalidParameterError
        Columns that are not there, wide column names that cannot be read, bad options.

    Examples
    --------
    Zone A is a centre, B commutes to it, C stands apart; population in 2010 and 2020.

    >>> import pandas as pd
    >>> from regionalize.monitor import monitor
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame({
    ...     "origin": ["A", "A", "B", "B", "C"], "destination": ["A", "B", "A", "B", "C"],
    ...     "flow": [50, 5, 30, 10, 20]}))
    >>> h = rz.delineate(g, {"Alpha": ["A"]}, tau=0.2, megaregions=False)
    >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]},
    ...                    index=["A", "B", "C"])
    >>> m = monitor(h, pop)
    >>> m
    <Monitor over 3 zones: pop 2010-2020; layers metropolitan, urban>
    >>> m.by_role("metropolitan", 2020)[["n_zones", "pop", "pop_area_share"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                             n_zones    pop  pop_area_share
    area         role
    A            centre            1  110.0        0.628571
                 surrounding       1   65.0        0.371429
    (unassigned) unassigned        1   35.0        1.000000
    >>> m.growth("metropolitan", 2010, 2020)[["pop_2010", "pop_2020", "change", "pct_change"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                  pop_2010  pop_2020  change  pct_change
    area
    A                150.0     175.0    25.0    0.166667
    (unassigned)      40.0      35.0    -5.0   -0.125000
    (total)          190.0     210.0    20.0    0.105263
    """
    if not isinstance(hierarchy, Hierarchy):
        raise TypeError(f"monitor needs a Hierarchy; got {type(hierarchy).__name__}. Build one "
                        "with rz.delineate(graph, ...) or Hierarchy(graph, [partitions]).")
    check_parameter("monitor", "unknown", unknown, allowed=["error", "drop"])
    check_parameter("monitor", "missing", missing, allowed=["error", "zero"])
    check_parameter("monitor", "duplicates", duplicates, allowed=["error", "sum"])
    check_parameter("monitor", "negative", negative, allowed=["error", "allow"])
    graph = hierarchy.graph
    if indicators is None:
        read = _Read({}, {}, [])
    else:
        read = _read_indicators(indicators, graph.ids, zone=zone, year=year, values=values,
                                sep=sep, unknown=unknown, missing=missing,
                                duplicates=duplicates, negative=negative, id_width=id_width)
    aligned: dict[int, tuple[Any, FlowGraph]] = {}
    for key, g in dict(flows or {}).items():
        y = _as_year(key)
        if y is None:
            raise InvalidParameterError(
                f"The keys of flows= must be years (integers); got {key!r}.")
        aligned[y] = (_aligned_matrix(graph, g, f"year {y}"), g)
    return Monitor(hierarchy, read.values, read.years, dict(sorted(aligned.items())),
                   read.notes)


def indicators_from_flows(flows: Mapping[int, FlowGraph] | FlowGraph, year: int | None = None
                          ) -> pd.DataFrame:
    """Employed residents and jobs per zone from flow tables, as a long indicator table.

    Parameters
    ----------
    flows : FlowGraph or mapping of year to FlowGraph
    year : int, optional
        The year of a single FlowGraph.

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``year``, ``residents`` and ``jobs`` (the graphs' supplied totals
        or matrix sums, diagonal included): pass it to :func:`monitor` with
        ``zone="zone", year="year"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from regionalize.monitor import indicators_from_flows
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame({
    ...     "origin": ["A", "B"], "destination": ["A", "A"], "flow": [5, 3]}))
    >>> indicators_from_flows(g, 2020)
      zone  year  residents  jobs
    0    A  2020        5.0   8.0
    1    B  2020        3.0   0.0
    """
    if isinstance(flows, FlowGraph):
        if year is None:
            raise InvalidParameterError("Give the year of the flows: "
                                        "indicators_from_flows(graph, 2020).")
        flows = {year: flows}
    parts = []
    for y, g in flows.items():
        yy = _as_year(y)
        if yy is None:
            raise InvalidParameterError(f"The keys of flows must be years; got {y!r}.")
        parts.append(pd.DataFrame({"zone": g.ids.to_numpy(dtype=object),
                                   "year": np.full(g.n_zones, yy, dtype=np.int64),
                                   "residents": g.residents, "jobs": g.jobs}))
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------- Monitor
class Monitor:
    """Indicators and flows followed through the layers of a Hierarchy.

    Build it with :func:`monitor`. Every method returns a new table; the Monitor does not
    change. Layers are named as in the Hierarchy; ``layer=None`` (or ``"zone"``) means the
    zones themselves where a method allows it.

    Attributes
    ----------
    hierarchy : Hierarchy
    graph : FlowGraph
        The Hierarchy's graph.
    indicators : tuple of str
    years : tuple of int
        Every year of any indicator (see :meth:`years_of`).
    flow_years : tuple of int
        Years of the flow tables given to :func:`monitor`.
    notes : tuple of str
        What was repaired on request (rows dropped, values summed or counted as 0).
    """

    __slots__ = ("_h", "_values", "_years", "_flows", "_notes", "_cache")

    def __init__(self, hierarchy: Hierarchy, values: dict[str, np.ndarray],
                 years: dict[str, tuple[int, ...]], flows: dict[int, tuple[Any, FlowGraph]],
                 notes: Sequence[str] = ()):
        self._h = hierarchy
        self._values = values
        self._years = years
        self._flows = flows
        self._notes = tuple(notes)
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ access
    @property
    def hierarchy(self) -> Hierarchy:
        return self._h

    @property
    def graph(self) -> FlowGraph:
        return self._h.graph

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(self._values)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({y for ys in self._years.values() for y in ys}))

    def years_of(self, indicator: str) -> tuple[int, ...]:
        """The years in which ``indicator`` is measured."""
        self._check_indicator(indicator)
        return self._years[indicator]

    @property
    def flow_years(self) -> tuple[int, ...]:
        return tuple(self._flows)

    @property
    def notes(self) -> tuple[str, ...]:
        return self._notes

    @property
    def table(self) -> pd.DataFrame:
        """The indicator table as read: one row per zone and year (graph order), columns
        ``zone``, ``year`` and one per indicator (NaN in years it is not measured)."""
        years = self.years
        ids = self.graph.ids.to_numpy(dtype=object)
        frame = pd.DataFrame({"zone": np.tile(ids, len(years)),
                              "year": np.repeat(np.asarray(years, dtype=np.int64), len(ids))})
        for ind, arr in self._values.items():
            col = np.full((len(ids), len(years)), np.nan)
            for k, y in enumerate(self._years[ind]):
                col[:, years.index(y)] = arr[:, k]
            frame[ind] = col.T.ravel()
        return frame

    def value(self, indicator: str, year: int) -> pd.Series:
        """One indicator in one year, per zone (indexed by zone id)."""
        k = self._year_pos(indicator, year)
        return pd.Series(self._values[indicator][:, k], index=self.graph.ids,
                         name=f"{indicator}_{year}")

    def roles(self, layer: str) -> pd.DataFrame:
        """Every zone's area (None when unassigned) and role (``centre``, ``surrounding``,
        ``unassigned``) in ``layer``, indexed by zone id."""
        part = self._h[layer]
        return pd.DataFrame({"area": part.labels.to_numpy(dtype=object),
                             "role": _zone_roles(part)},
                            index=pd.Index(self.graph.ids, name="zone"), dtype=object)

    def __repr__(self) -> str:
        if self._values:
            parts = []
            for ind, ys in self._years.items():
                span = f"{ys[0]}-{ys[-1]}" if len(ys) > 1 else str(ys[0])
                parts.append(f"{ind} {span}")
            what = ", ".join(parts)
        else:
            what = "no indicators"
        if self._flows:
            what += f"; flows {_fmt_years(self._flows)}"
        return (f"<Monitor over {self.graph.n_zones:,} zones: {what}; layers "
                f"{', '.join(self._h.layers)}>")

    # ------------------------------------------------------------------ checks
    def _check_indicator(self, indicator: str) -> None:
        if not self._values:
            raise InvalidParameterError(
                "This Monitor has no indicator table: pass one to monitor(h, table, ...).")
        if indicator not in self._values:
            raise InvalidParameterError(
                f"No indicator {indicator!r}; the Monitor has "
                f"{', '.join(map(repr, self._values))}.")

    def _one_indicator(self, indicator: str | None) -> str:
        if indicator is None:
            if not self._values:
                self._check_indicator("")
            if len(self._values) > 1:
                raise InvalidParameterError(
                    f"Name the indicator with indicator= (one of "
                    f"{', '.join(map(repr, self._values))}).")
            return next(iter(self._values))
        self._check_indicator(indicator)
        return indicator

    def _indicator_list(self, indicators) -> list[str]:
        if indicators is None:
            if not self._values:
                self._check_indicator("")
            return list(self._values)
        names = [indicators] if isinstance(indicators, str) else list(indicators)
        for ind in names:
            self._check_indicator(ind)
        return names

    def _year_pos(self, indicator: str, year) -> int:
        self._check_indicator(indicator)
        y = _as_year(year)
        ys = self._years[indicator]
        if y is None or y not in ys:
            raise InvalidParameterError(
                f"Year {year!r} is not in the indicator table for {indicator!r}; its years are "
                f"{_fmt_years(ys)}. Ask for one of these, or add the year to the table.")
        return ys.index(y)

    def _span(self, indicator: str, start, end) -> tuple[int, int]:
        ys = self._years[indicator]
        start = ys[0] if start is None else start
        end = ys[-1] if end is None else end
        self._year_pos(indicator, start)
        self._year_pos(indicator, end)
        start, end = _as_year(start), _as_year(end)
        if start >= end:
            raise InvalidParameterError(
                f"Growth needs start < end; got start={start}, end={end} ({indicator!r} is "
                f"measured in {_fmt_years(ys)}).")
        return start, end

    # ------------------------------------------------------------------ units
    def _zone_names(self) -> np.ndarray:
        zones = self.graph.zones
        ids = self.graph.ids.to_numpy(dtype=object)
        if "name" not in zones.columns:
            return ids.copy()
        names = zones["name"].astype(object).to_numpy()
        return np.array([i if n is None or (isinstance(n, float) and np.isnan(n)) else str(n)
                         for i, n in zip(ids, names, strict=True)], dtype=object)

    def _units(self, layer: str | None, by: str = "area", *, unassigned: str = "group",
               zones: np.ndarray | None = None) -> _Units:
        """Reporting units. ``by``: "area" (areas + one row of unassigned zones), "role"
        (area x role), "unit" (areas, unassigned zones per ``unassigned``: "zones" one unit
        each, "group" one unit, "drop" left out). ``layer`` None: the zones."""
        ids = self.graph.ids
        n = len(ids)
        names = self._zone_names()
        if layer in _ZONE_LEVEL:
            if by == "role":
                raise InvalidParameterError("by='role' needs a layer (roles are inside areas).")
            codes = np.arange(n)
            index = pd.Index(ids, name="zone")
            info = pd.DataFrame({"name": names, "n_zones": np.ones(n, dtype=np.int64)},
                                index=index)
            units = _Units(codes, index, info, np.zeros(n, dtype=np.int64))
        else:
            part = self._h[layer]
            areas = part.areas
            k = part.n_areas
            acodes = part.codes()
            out = acodes < 0
            area_ids = list(areas.index)
            area_names = [str(x) for x in areas["name"]]
            if by == "role":
                role = _zone_roles(part)
                codes = np.where(out, 2 * k, 2 * acodes + (role == "surrounding"))
                labels = [(a, r) for a in area_ids for r in ("centre", "surrounding")]
                unit_names = [nm for nm in area_names for _ in range(2)]
                area_of = np.repeat(np.arange(k), 2)
                if out.any():
                    labels.append((UNASSIGNED, "unassigned"))
                    unit_names.append(UNASSIGNED)
                    area_of = np.append(area_of, k)
                index = pd.MultiIndex.from_tuples(labels, names=["area", "role"])
            elif by == "area" or (by == "unit" and unassigned == "group"):
                codes = np.where(out, k, acodes)
                labels = list(area_ids)
                unit_names = list(area_names)
                if out.any():
                    labels.append(UNASSIGNED)
                    unit_names.append(UNASSIGNED)
                index = pd.Index(labels, name="area", dtype=object)
                area_of = np.arange(len(labels))
            elif by == "unit":
                check_parameter("Monitor", "unassigned", unassigned,
                                allowed=["zones", "group", "drop"])
                codes = acodes.copy()
                labels = list(area_ids)
                unit_names = list(area_names)
                if unassigned == "zones":
                    free = np.flatnonzero(out)
                    codes[free] = k + np.arange(len(free))
                    labels += list(ids[free])
                    unit_names += list(names[free])
                index = pd.Index(labels, name="unit", dtype=object)
                area_of = np.arange(len(labels))
            else:  # pragma: no cover - internal
                raise ValueError(by)
            counts = np.bincount(codes[codes >= 0], minlength=len(index))
            info = pd.DataFrame({"name": unit_names, "n_zones": counts}, index=index)
            units = _Units(codes, index, info, area_of)
        if zones is not None:  # restrict to some zones (maps)
            codes = np.where(zones, units.codes, -1)
            counts = np.bincount(codes[codes >= 0], minlength=units.n)
            info = units.info.assign(n_zones=counts)
            units = _Units(codes, units.index, info, units.area_of_unit)
        return units

    def _sum(self, units: _Units, indicator: str, years: Sequence[int]) -> np.ndarray:
        """Indicator summed per unit, one column per year (NaN where not measured)."""
        arr = self._values[indicator]
        ys = self._years[indicator]
        out = np.full((units.n, len(years)), np.nan)
        keep = units.codes >= 0
        for j, y in enumerate(years):
            if y in ys:
                out[:, j] = np.bincount(units.codes[keep], weights=arr[keep, ys.index(y)],
                                        minlength=units.n)
        return out

    def _total(self, indicator: str, years: Sequence[int]) -> np.ndarray:
        arr = self._values[indicator]
        ys = self._years[indicator]
        return np.array([arr[:, ys.index(y)].sum() if y in ys else np.nan for y in years])

    def _stock_table(self, units: _Units, year, indicators, area_share: bool) -> pd.DataFrame:
        inds = self._indicator_list(indicators)
        if year is not None:
            y = _as_year(year)
            if y is None or all(y not in self._years[i] for i in inds):
                raise InvalidParameterError(
                    f"Year {year!r} is not in the indicator table; its years are "
                    f"{_fmt_years(self.years)}.")
            years = [y]
        else:
            years = sorted({y for i in inds for y in self._years[i]})
        cols: dict[str, np.ndarray] = {}
        for ind in inds:
            sums = self._sum(units, ind, years)
            tot = self._total(ind, years)
            with np.errstate(divide="ignore", invalid="ignore"):
                cols[ind] = sums
                cols[f"{ind}_share"] = sums / tot
                if area_share:
                    k = int(units.area_of_unit.max()) + 1 if units.n else 0
                    per_area = np.zeros((k, len(years)))
                    for j in range(len(years)):
                        per_area[:, j] = np.bincount(units.area_of_unit, weights=np.nan_to_num(
                            sums[:, j]), minlength=k)
                    cols[f"{ind}_area_share"] = np.where(
                        np.isnan(sums), np.nan, sums / per_area[units.area_of_unit])
        info = units.info
        if year is not None:
            out = info.copy()
            for c, v in cols.items():
                out[c] = v[:, 0]
            return out
        ny = len(years)
        tuples = [(*(u if isinstance(u, tuple) else (u,)), y) for u in units.index for y in years]
        index = pd.MultiIndex.from_tuples(tuples, names=[*units.index.names, "year"])
        out = pd.DataFrame({c: np.repeat(info[c].to_numpy(), ny) for c in info.columns},
                           index=index)
        for c, v in cols.items():
            out[c] = v.reshape(-1)
        return out

    # ------------------------------------------------------------------ stocks
    def by_area(self, layer: str, year: int | None = None, *, indicators=None,
                include_unassigned: bool = True) -> pd.DataFrame:
        """Indicators summed per area of ``layer``, with their share of the national total.

        Parameters
        ----------
        layer : str
        year : int, optional
            One year (rows: areas), or every year (rows: area, year).
        indicators : str or list of str, optional
            Default: all.
        include_unassigned : bool
            Add the zones outside every area as a last row ``"(unassigned)"``.

        Returns
        -------
        pandas.DataFrame
            Columns ``name``, ``n_zones``, then per indicator ``<indicator>`` (the sum) and
            ``<indicator>_share`` (fraction of the sum over all zones of the graph). An
            indicator not measured in a year is NaN there.
        """
        units = self._units(layer, "area")
        out = self._stock_table(units, year, indicators, area_share=False)
        if not include_unassigned:
            out = out.drop(index=UNASSIGNED, level="area" if year is None else None,
                           errors="ignore")
        return out

    def by_role(self, layer: str, year: int | None = None, *, indicators=None) -> pd.DataFrame:
        """Indicators per area and role: the central zone(s), the surrounding zones, and
        (last) the zones outside every area.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(area, role)`` (and ``year`` when no year is given); every area has
            a ``centre`` and a ``surrounding`` row (0 zones when it has no surroundings).
            Columns ``name``, ``n_zones``, ``<indicator>``, ``<indicator>_share`` (of the
            national total) and ``<indicator>_area_share`` (of the area's total).
        """
        units = self._units(layer, "role")
        return self._stock_table(units, year, indicators, area_share=True)

    # ------------------------------------------------------------------ growth
    def growth(self, layer: str | None = None, start: int | None = None,
               end: int | None = None, *, indicator: str | None = None, by: str = "area",
               total: bool = True) -> pd.DataFrame:
        """Change of an indicator between two years, per area, per role or per zone.

        Parameters
        ----------
        layer : str, optional
            The layer whose areas are compared; None (or ``"zone"``) for the zones.
        start, end : int, optional
            Years (default: the first and last of the indicator); ``start < end``.
        indicator : str, optional
            Needed when the Monitor has several.
        by : {"area", "role"}
            Per area (plus the unassigned zones), or per area and role.
        total : bool
            Add the national row ``"(total)"``.

        Returns
        -------
        pandas.DataFrame
            Columns ``name``, ``n_zones``, ``<indicator>_<start>``, ``<indicator>_<end>``,
            ``change`` (end - start), ``pct_change`` ((end - start) / |start|, NaN when
            start is 0),
            ``annual_rate`` (compound: ``(end / start) ** (1 / (end - start)) - 1``, NaN when
            start <= 0), ``share_<start>``, ``share_<end>`` (fractions of the national total)
            and ``share_change``.
        """
        check_parameter("Monitor.growth", "by", by, allowed=["area", "role"])
        ind = self._one_indicator(indicator)
        start, end = self._span(ind, start, end)
        units = self._units(layer, by)
        v = self._sum(units, ind, [start, end])
        t = self._total(ind, [start, end])
        out = units.info.copy()
        if total:
            label = (TOTAL, "all") if isinstance(units.index, pd.MultiIndex) else TOTAL
            row = pd.DataFrame({"name": [TOTAL], "n_zones": [self.graph.n_zones]},
                               index=pd.MultiIndex.from_tuples([label], names=units.index.names)
                               if isinstance(label, tuple) else
                               pd.Index([label], name=units.index.name, dtype=object))
            out = pd.concat([out, row])
            v = np.vstack([v, t[None, :]])
        m = _growth_measures(v[:, 0], v[:, 1], t[0], t[1], end - start)
        out[f"{ind}_{start}"] = v[:, 0]
        out[f"{ind}_{end}"] = v[:, 1]
        out["change"] = m["change"]
        out["pct_change"] = m["pct_change"]
        out["annual_rate"] = m["annual_rate"]
        out[f"share_{start}"] = m["share_start"]
        out[f"share_{end}"] = m["share_end"]
        out["share_change"] = m["share_change"]
        return out

    # ------------------------------------------------------------------ concentration
    def _land_area(self, units: _Units) -> np.ndarray:
        from .plot import _metres_per_unit

        zones, target = self._projected_zones(None)
        km2 = zones.geometry.area.reindex(self.graph.ids).fillna(0.0).to_numpy(dtype=float)
        factor = _metres_per_unit(target) or 1.0
        km2 = km2 * factor**2 / 1e6
        keep = units.codes >= 0
        return np.bincount(units.codes[keep], weights=km2[keep], minlength=units.n)

    def concentration(self, layer: str | None = None, year: int | None = None, *,
                      indicator: str | None = None, reference: str | None = None,
                      unassigned: str = "zones") -> pd.DataFrame:
        """How concentrated an indicator is over the areas of a layer (or over zones).

        Parameters
        ----------
        layer : str, optional
            The layer whose areas are the units; None (or ``"zone"``) for the zones.
        year : int, optional
            One year, or every year of the indicator (one row each).
        indicator : str, optional
        reference : str, optional
            What an even distribution means: None, every unit the same share; ``"land"``,
            shares of land area (from the zone polygons; the classic population Hoover
            index); or another indicator (e.g. ``"residents"`` for jobs).
        unassigned : {"zones", "group", "drop"}
            Zones outside every area: each its own unit (default), one unit together, or
            left out (they then count neither in the units nor in the total).

        Returns
        -------
        pandas.DataFrame
            Indexed by year: ``units``, ``total``, ``largest`` (id of the largest unit),
            ``largest_name``, ``largest_share`` (its share of the total), ``hoover``
            (``0.5 * sum |x_i / X - r_i / R|``: the share that would have to move for an
            even distribution) and ``gini`` (``1 - sum (R_k - R_{k-1}) (X_k + X_{k-1})``
            over units ordered by ``x_i / r_i``, cumulative shares ``X``, ``R``; with equal
            reference shares this is ``sum_ij |x_i - x_j| / (2 n^2 mean)``).
        """
        ind = self._one_indicator(indicator)
        years = [self._years[ind][self._year_pos(ind, year)]] if year is not None \
            else list(self._years[ind])
        units = self._units(layer, "unit", unassigned=unassigned)
        x = self._sum(units, ind, years)
        if (x < 0).any():
            raise InvalidParameterError(
                f"Concentration measures need non-negative values; {ind!r} has negative "
                "sums.")
        if reference is None:
            ref = np.ones_like(x)
        elif reference == "land":
            ref = np.repeat(self._land_area(units)[:, None], len(years), axis=1)
        else:
            self._check_indicator(reference)
            for y in years:
                self._year_pos(reference, y)
            ref = self._sum(units, reference, years)
        rows = []
        for j in range(len(years)):
            xs, rs = x[:, j], ref[:, j]
            tx, tr = xs.sum(), rs.sum()
            big = int(np.argmax(xs)) if units.n else -1
            with np.errstate(divide="ignore", invalid="ignore"):
                hoover = 0.5 * np.abs(xs / tx - rs / tr).sum() if tx > 0 and tr > 0 else np.nan
            rows.append({"units": units.n, "total": tx,
                         "largest": units.index[big] if big >= 0 else None,
                         "largest_name": units.info["name"].iloc[big] if big >= 0 else None,
                         "largest_share": xs[big] / tx if big >= 0 and tx > 0 else np.nan,
                         "hoover": float(hoover), "gini": _gini(xs, rs)})
        return pd.DataFrame(rows, index=pd.Index(years, name="year"))

    # ------------------------------------------------------------------ fixed vs redrawn
    def compare_boundaries(self, after: Hierarchy | Partition, layer: str,
                           start: int | None = None, end: int | None = None, *,
                           indicator: str | None = None, match: str = "id") -> pd.DataFrame:
        """Growth inside the fixed (base) areas against areas delineated again.

        Parameters
        ----------
        after : Hierarchy or Partition
            The areas delineated for the end year over the same zones (its layer ``layer``
            when a Hierarchy).
        layer : str
            The layer of this Monitor's Hierarchy holding the base areas.
        start, end : int, optional
            Years (default: the first and last of the indicator).
        indicator : str, optional
        match : {"id", "overlap"}
            How new areas are matched to base areas: by area id (ids follow the central
            zones), or one-to-one by the number of shared zones.

        Returns
        -------
        pandas.DataFrame
            One row per area (base areas first, then new areas, then ``"(unassigned)"``):
            ``name``, ``n_zones_base``, ``n_zones_redrawn``, ``joined`` and ``left`` (zones
            entering / leaving it), ``<ind>_<start>`` (base areas), ``<ind>_<end>_fixed``
            (base areas), ``<ind>_<end>_redrawn`` (new areas), ``change_fixed``,
            ``change_redrawn`` and ``boundary_effect`` (redrawn - fixed at the end year;
            ``change_redrawn = change_fixed + boundary_effect``).
        """
        ind = self._one_indicator(indicator)
        start, end = self._span(ind, start, end)
        base = self._h[layer]
        new = _layer_of(after, layer)
        _check_same_zones(base, new, self.graph.ids)
        before_labels, after_labels, names = _matched_labels(base, new, match)
        order = list(base.areas.index)
        order += [a for a in dict.fromkeys(after_labels) if a is not None and a not in order]
        slot = {a: k for k, a in enumerate(order)}
        k = len(order)
        b = np.array([slot[a] if a is not None else k for a in before_labels])
        a_ = np.array([slot[a] if a is not None else k for a in after_labels])
        v0 = self._values[ind][:, self._year_pos(ind, start)]
        v1 = self._values[ind][:, self._year_pos(ind, end)]
        index = pd.Index([*order, UNASSIGNED], name="area", dtype=object)
        size = k + 1
        out = pd.DataFrame({
            "name": [names.get(x, x) for x in order] + [UNASSIGNED],
            "n_zones_base": np.bincount(b, minlength=size),
            "n_zones_redrawn": np.bincount(a_, minlength=size),
            "joined": np.bincount(a_[a_ != b], minlength=size),
            "left": np.bincount(b[a_ != b], minlength=size),
        }, index=index)
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

    # ------------------------------------------------------------------ flows
    def _matrix(self, year):
        """The flow matrix (graph order) and a label for ``year`` (None: the Hierarchy's
        graph; a year of flows=; or a FlowGraph over the same zones)."""
        if year is None:
            return self.graph.matrix, "flow"
        if isinstance(year, FlowGraph):
            return _aligned_matrix(self.graph, year, repr(year.name or "the flows")), None
        y = _as_year(year)
        if y is None or y not in self._flows:
            raise InvalidParameterError(
                f"No flow table for {year!r}; the Monitor has flows for "
                f"{_fmt_years(self._flows)} (pass flows={{year: FlowGraph}} to monitor), and "
                "year=None means the Hierarchy's own graph.")
        return self._flows[y][0], y

    def _flow_parts(self, layer: str, year):
        part = self._h[layer]
        k = part.n_areas
        codes = part.codes()
        role = _zone_roles(part)
        area = np.where(codes >= 0, codes, k)           # k: unassigned
        surr = role == "surrounding"
        matrix, label = self._matrix(year)
        coo = matrix.tocoo()
        return part, k, area[coo.row], area[coo.col], surr[coo.row], surr[coo.col], \
            np.asarray(coo.data, dtype=float), label

    def flows(self, layer: str, year: int | FlowGraph | None = None) -> pd.DataFrame:
        """Commuting between the roles of every area, to other areas and out of the system.

        Parameters
        ----------
        layer : str
        year : int or FlowGraph, optional
            A year of the ``flows=`` given to :func:`monitor`, a FlowGraph over the same
            zones, or None for the Hierarchy's own graph.

        Returns
        -------
        pandas.DataFrame
            One row per area and a last row ``"(unassigned)"`` (when the layer leaves zones
            out), columns ``name``, ``within_centre`` (between and inside the central
            zones, diagonal included), ``centre_to_surrounding`` (residents of the centre
            working in the surroundings), ``surrounding_to_centre``, ``within_surrounding``
            (diagonal included), ``internal`` (the sum of these four), ``to_other_areas``,
            ``to_unassigned`` (leaving the system of areas), ``from_other_areas``,
            ``from_unassigned`` and ``share_to_centre`` (surrounding_to_centre over all
            flows from the surrounding zones). On the unassigned row, ``to_unassigned`` and
            ``from_unassigned`` are the flows among unassigned zones and the role columns
            are NaN. The rows' ``internal + to_other_areas + to_unassigned`` add up to the
            matrix total.
        """
        part, k, fa, ta, fs, ts, v, _ = self._flow_parts(layer, year)
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
        cols["to_other_areas"] = count(inside & (ta < k) & (fa != ta), fa) + \
            count(~inside & (ta < k), fa)
        cols["to_unassigned"] = count(ta == k, fa)
        cols["from_other_areas"] = count((ta < k) & inside & (fa != ta), ta) + \
            count((ta == k) & inside, ta)
        cols["from_unassigned"] = count(~inside, ta)
        from_surr = count(inside & fs, fa)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["share_to_centre"] = np.where(from_surr > 0, cols["surrounding_to_centre"]
                                               / from_surr, np.nan)
        index = pd.Index([*part.areas.index, UNASSIGNED], name="area", dtype=object)
        out = pd.DataFrame({"name": [*map(str, part.areas["name"]), UNASSIGNED], **cols},
                           index=index)
        for c in ("within_centre", "centre_to_surrounding", "surrounding_to_centre",
                  "within_surrounding", "internal", "share_to_centre"):
            out.loc[UNASSIGNED, c] = np.nan
        if not (part.codes() < 0).any():
            out = out.drop(index=UNASSIGNED)
        return out

    def flow_totals(self, layer: str, year: int | FlowGraph | None = None) -> pd.Series:
        """National flows by category (they add up to the matrix total).

        Returns
        -------
        pandas.Series
            Indexed by :data:`FLOW_CATEGORIES`: ``within_centre``,
            ``centre_to_surrounding``, ``surrounding_to_centre``, ``within_surrounding``
            (summed over areas), ``between_areas``, ``area_to_unassigned``,
            ``unassigned_to_area`` and ``within_unassigned``.
        """
        _, k, fa, ta, fs, ts, v, _ = self._flow_parts(layer, year)
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

    def flow_matrix(self, layer: str, year: int | FlowGraph | None = None, *,
                    roles: bool = False) -> pd.DataFrame:
        """Flows between the areas of a layer (and, with ``roles``, between their roles).

        Returns
        -------
        pandas.DataFrame
            A long table of the non-zero flows: ``from_area``, ``to_area`` (``from_role``,
            ``to_role`` with ``roles=True``) and ``flow``; unassigned zones count as one
            area ``"(unassigned)"``. Rows in area (and role) order.
        """
        part, k, fa, ta, fs, ts, v, _ = self._flow_parts(layer, year)
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
            out = pd.DataFrame({"from_area": labels[src // 3], "from_role": role_names[src % 3],
                                "to_area": labels[dst // 3], "to_role": role_names[dst % 3],
                                "flow": sums})
        else:
            out = pd.DataFrame({"from_area": labels[uniq // (k + 1)],
                                "to_area": labels[uniq % (k + 1)], "flow": sums})
        return out[out["flow"] != 0].reset_index(drop=True)

    def flow_change(self, layer: str, before: int | FlowGraph | None,
                    after: int | FlowGraph) -> pd.DataFrame:
        """The flows of :meth:`flows` and :meth:`flow_totals` in two flow tables, and their change.

        Parameters
        ----------
        layer : str
        before, after : int, FlowGraph or None
            Years of the ``flows=`` given to :func:`monitor`, FlowGraphs over the same
            zones, or None for the Hierarchy's own graph.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(area, flow)``: every area's flow columns of :meth:`flows`
            (``share_to_centre`` left out), then ``("(total)", category)`` for the national
            categories; columns ``flow_<before>``, ``flow_<after>`` (``flow_before`` /
            ``flow_after`` for FlowGraphs), ``change`` and ``pct_change``.
        """
        tables = []
        labels = []
        for which, key in (("before", before), ("after", after)):
            f = self.flows(layer, key)
            t = self.flow_totals(layer, key)
            _, label = self._matrix(key)
            labels.append(f"flow_{label}" if label not in (None, "flow") else f"flow_{which}")
            body = f.drop(columns=["name", "share_to_centre"])
            flat = body.to_numpy(dtype=float).ravel()
            idx = pd.MultiIndex.from_product([list(body.index), list(body.columns)])
            long = pd.Series(flat, index=idx)[~np.isnan(flat)]
            tot = pd.Series(t.to_numpy(), index=pd.MultiIndex.from_product(
                [[TOTAL], list(t.index)]))
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

    # ------------------------------------------------------------------ geometry helpers
    def _projected_zones(self, crs):
        from .plot import _project, _require_geometry, _target_crs

        graph = self.graph
        _require_geometry(graph)
        target = _target_crs(graph, crs)
        zones = _project(graph.geometry, target)
        if zones.crs is not None and zones.crs.is_geographic:
            target = zones.estimate_utm_crs()
            zones = zones.to_crs(target)
        return zones, (target if target is not None else zones.crs)

    def _drawn(self, zones, crs):
        """Projected polygons of the zones to draw, the CRS, and which graph zones they are
        (zones without geometry are never drawn)."""
        shapes, target = self._projected_zones(crs)
        use = self.graph.ids.isin(shapes.index)
        mask = self._zone_mask(zones)
        if mask is not None:
            use &= mask
            shapes = shapes[shapes.index.isin(self.graph.ids[use])]
        return shapes, target, use

    def _zone_mask(self, zones) -> np.ndarray | None:
        if zones is None:
            return None
        wanted = pd.Index(pd.Series(list(zones), dtype=object).astype(str))
        unknown = wanted.difference(self.graph.ids)
        if len(unknown):
            raise InvalidZonesError(
                f"Invalid zones to draw: {len(unknown):,} ids not in the graph (first: "
                f"{', '.join(unknown[:3])}).")
        return self.graph.ids.isin(wanted)

    def _measure_values(self, units: _Units, ind: str, measure, start: int, end: int,
                        ) -> np.ndarray:
        v = self._sum(units, ind, [start, end])
        t = self._total(ind, [start, end])
        return _growth_measures(v[:, 0], v[:, 1], t[0], t[1], end - start)[measure]

    # ------------------------------------------------------------------ maps
    @_one_draw
    def plot_change(self, start: int | None = None, end: int | None = None, *,
                    layer: str | None = None, indicator: str | None = None,
                    measure: str = "pct_change", unassigned: str = "zones", outlines=None,
                    symmetric: bool = True, limit: float | None = None, cmap="RdBu_r",
                    ax=None, crs=None, zones=None,
                    title: str | None = None) -> matplotlib.axes.Axes:
        """Choropleth of the change of an indicator, on a diverging scale centred on zero.

        Parameters
        ----------
        start, end : int, optional
            Years (default: the first and last of the indicator).
        layer : str, optional
            Colour every zone with the change of its area in this layer (area outlines
            drawn); None maps the change of every zone.
        indicator : str, optional
        measure : {"pct_change", "change", "annual_rate", "share_change"}
            See :meth:`growth`.
        unassigned : {"zones", "none"}
            With a layer, zones outside every area show their own change, or no value.
        outlines : str or list of str, optional
            Further layers drawn as grey outlines.
        symmetric : bool
            The colour scale (a ``TwoSlopeNorm`` centred on zero) ends at the same distance
            either side of zero (default), so equal colours mean equal changes; with False
            each side stretches to its own extreme (small losses stay visible beside large
            gains, but the two sides are no longer comparable: read the colour bar).
        limit : float, optional
            End of the colour scale (in the measure's unit: 0.1 is 10% for relative
            measures); larger values take the end colour and the colour bar is extended.
            Default: the largest absolute value.
        cmap : str or Colormap
            A diverging colour map (blue: decline, red: growth, by default).
        ax : matplotlib.axes.Axes, optional
        crs : optional
            Projection (default: the graph's ``meta["projected_crs"]`` for lon/lat data).
        zones : sequence of str, optional
            Draw only these zones (e.g. leave out distant islands).
        title : str, optional

        Returns
        -------
        matplotlib.axes.Axes
            Zones are drawn as one collection (gid ``"change"``) with the colour bar beside.
        """
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
        from matplotlib.ticker import FuncFormatter

        from .plot import _map_furniture

        check_parameter("Monitor.plot_change", "measure", measure, allowed=list(_MEASURES))
        check_parameter("Monitor.plot_change", "unassigned", unassigned,
                        allowed=["zones", "none"])
        ind = self._one_indicator(indicator)
        start, end = self._span(ind, start, end)
        mask = self._zone_mask(zones)
        zone_units = self._units(None, "area")
        per_zone = self._measure_values(zone_units, ind, measure, start, end)
        if layer in _ZONE_LEVEL:
            values = per_zone
        else:
            units = self._units(layer, "area")
            per_area = self._measure_values(units, ind, measure, start, end)
            part = self._h[layer]
            inside = part.codes() >= 0
            values = np.where(inside, per_area[np.maximum(units.codes, 0)],
                              per_zone if unassigned == "zones" else np.nan)
        shapes, target = self._projected_zones(crs)
        if mask is not None:
            shapes = shapes[shapes.index.isin(self.graph.ids[mask])]
        v = pd.Series(values, index=self.graph.ids).reindex(shapes.index).to_numpy(
            dtype=float)
        v = np.where(np.isfinite(v), v, np.nan)
        ax = _map_axes(ax, shapes.total_bounds)
        have = ~np.isnan(v)
        norm, extend = _diverging_norm(v, symmetric, limit)
        cm = plt.get_cmap(cmap)
        if have.any():
            shapes[have].plot(ax=ax, color=cm(norm(v[have])), edgecolor="white",
                              linewidth=0.25, gid="change")
        if (~have).any():
            shapes[~have].plot(ax=ax, facecolor="0.88", edgecolor="0.6", hatch="////",
                               linewidth=0.25)
        if layer not in _ZONE_LEVEL:
            _area_outlines(ax, shapes, self._h[layer], color="0.1", linewidth=1.0)
        for extra in ([outlines] if isinstance(outlines, str) else list(outlines or [])):
            _area_outlines(ax, shapes, self._h[extra], color="0.25", linewidth=0.9)
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
        sm.set_array([])
        cbar = ax.figure.colorbar(sm, ax=ax, shrink=0.5, pad=0.02, extend=extend)
        percent = measure in ("pct_change", "annual_rate", "share_change")
        if percent:
            cbar.ax.yaxis.set_major_formatter(FuncFormatter(_signed_percent))
        else:
            cbar.ax.yaxis.set_major_formatter(FuncFormatter(_signed_count))
        cbar.set_label(f"{ind}: {_MEASURE_LABEL[measure]}, {start}-{end}", fontsize=8)
        cbar.ax.axhline(0.0, color="black", linewidth=0.8)
        if (~have).any():
            ax.legend(handles=[Patch(facecolor="0.88", edgecolor="0.6", hatch="////",
                                     label=f"no value ({int((~have).sum())} zones)")],
                      loc="lower right", fontsize=7, frameon=False)
        ax.set_axis_off()
        ax.set_aspect("equal")
        _map_furniture(ax, target)
        where = "per zone" if layer in _ZONE_LEVEL else (
            f"per {layer} area" + (", other zones on their own" if unassigned == "zones"
                                   and (self._h[layer].codes() < 0).any() else ""))
        ax.set_title(title or f"{self.graph.name or 'zones'}: {ind}, "
                     f"{_MEASURE_LABEL[measure]} {start}-{end} {where}", fontsize=10)
        return ax

    def dorling(self, year: int | None = None, *, layer: str | None = None,
                indicator: str | None = None, unassigned: str = "zones", crs=None,
                zones=None, fill: float = 0.3, iterations: int = 1000) -> pd.DataFrame:
        """Dorling cartogram layout: one circle per area (or zone) sized by an indicator.

        Parameters
        ----------
        year : int, optional
            Year of the sizes (default: the last of the indicator).
        layer : str, optional
            Circles for the areas of this layer; None for the zones.
        indicator : str, optional
        unassigned : {"zones", "group", "drop"}
            Zones outside every area: a circle each (default), one circle, or none.
        crs : optional
            Projection of the layout.
        zones : sequence of str, optional
            Use only these zones (sizes and positions).
        fill : float
            Share of the land area of the zones that the circles cover together.
        iterations : int
            Cap on the relaxation steps of :func:`dorling_layout`.

        Returns
        -------
        pandas.DataFrame
            Indexed by unit (area id or zone id): ``name``, ``value``, ``x0``, ``y0``
            (starting point: the value-weighted mean of the zone centroids), ``x``, ``y``
            (after the relaxation), ``radius`` (circle area proportional to the value),
            in the projected CRS kept in ``attrs["crs"]``; ``attrs["max_overlap"]`` and
            ``attrs["iterations"]`` describe the relaxation.
        """
        check_parameter("Monitor.dorling", "fill", fill, interval=(0, 1), closed="right")
        ind = self._one_indicator(indicator)
        ys = self._years[ind]
        year = ys[-1] if year is None else year
        k = self._year_pos(ind, year)
        shapes, target, use = self._drawn(zones, crs)
        units = self._units(layer, "unit", unassigned=unassigned, zones=use)
        cent = shapes.geometry.centroid.reindex(self.graph.ids)
        cx = np.where(use, cent.x.fillna(0.0).to_numpy(dtype=float), 0.0)
        cy = np.where(use, cent.y.fillna(0.0).to_numpy(dtype=float), 0.0)
        w = self._values[ind][:, k]
        keep = units.codes >= 0
        c = units.codes[keep]
        wsum = np.bincount(c, weights=w[keep], minlength=units.n)
        cnt = np.bincount(c, minlength=units.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            x0 = np.where(wsum > 0, np.bincount(c, weights=(w * cx)[keep], minlength=units.n)
                          / wsum, np.bincount(c, weights=cx[keep], minlength=units.n) / cnt)
            y0 = np.where(wsum > 0, np.bincount(c, weights=(w * cy)[keep], minlength=units.n)
                          / wsum, np.bincount(c, weights=cy[keep], minlength=units.n) / cnt)
        present = cnt > 0
        land = float(shapes.geometry.area.sum())
        r = circle_radii(np.where(present, wsum, 0.0), land, fill)
        lay = dorling_layout(x0[present], y0[present], r[present], iterations=iterations)
        out = pd.DataFrame({"name": units.info["name"].to_numpy()[present],
                            "value": wsum[present], "x0": x0[present], "y0": y0[present],
                            "x": lay.x, "y": lay.y, "radius": r[present]},
                           index=units.index[present])
        out.attrs.update({"crs": target, "max_overlap": lay.max_overlap,
                          "iterations": lay.iterations, "indicator": ind, "year": int(year)})
        return out

    @_one_draw
    def plot_dorling(self, year: int | None = None, *, layer: str | None = None,
                     indicator: str | None = None, color: str | pd.Series | None = "pct_change",
                     start: int | None = None, unassigned: str = "zones",
                     symmetric: bool = True, limit: float | None = None, cmap=None, ax=None,
                     crs=None, zones=None,
                     fill: float = 0.3, labels: int = 10, iterations: int = 1000,
                     background: bool = True, title: str | None = None
                     ) -> matplotlib.axes.Axes:
        """Dorling cartogram: circles sized by an indicator, coloured by its change.

        Small dense zones stay visible: every area (or zone) is a circle whose area is
        proportional to its value, placed near its centroid, overlaps removed by
        :func:`dorling_layout`.

        Parameters
        ----------
        year : int, optional
            Year of the sizes (default: the last of the indicator).
        layer : str, optional
            One circle per area of this layer (and per unassigned zone); None: per zone.
        indicator : str, optional
        color : str, pandas.Series or None
            A growth measure (``"pct_change"``, ``"change"``, ``"annual_rate"``,
            ``"share_change"``) between ``start`` and ``year`` on a diverging scale centred
            on zero; a Series of values per unit (area or zone id) on a sequential scale;
            or None for one colour.
        start : int, optional
            First year of the change (default: the first year of the indicator).
        unassigned, crs, zones, fill, iterations
            As in :meth:`dorling`.
        symmetric, limit, cmap
            Colour scale (see :meth:`plot_change`); default colour maps ``"RdBu_r"`` for
            change, ``"viridis"`` for a Series.
        ax : matplotlib.axes.Axes, optional
        labels : int
            Name the largest circles (overlapping names hidden).
        background : bool
            Draw the zone polygons faintly under the circles.
        title : str, optional

        Returns
        -------
        matplotlib.axes.Axes
            The circles are one PatchCollection (gid ``"dorling"``), largest drawn first.
        """
        import matplotlib.pyplot as plt
        from matplotlib.collections import PatchCollection
        from matplotlib.colors import Normalize
        from matplotlib.patches import Circle
        from matplotlib.ticker import FuncFormatter

        from .plot import _declutter, _map_furniture

        ind = self._one_indicator(indicator)
        year = self._years[ind][-1] if year is None else _as_year(year)
        lay = self.dorling(year, layer=layer, indicator=ind, unassigned=unassigned, crs=crs,
                           zones=zones, fill=fill, iterations=iterations)
        target = lay.attrs["crs"]
        shapes, _, use = self._drawn(zones, crs)
        x0, y0, x1, y1 = shapes.total_bounds
        ax = _map_axes(ax, (min(x0, float((lay.x - lay.radius).min())),
                            min(y0, float((lay.y - lay.radius).min())),
                            max(x1, float((lay.x + lay.radius).max())),
                            max(y1, float((lay.y + lay.radius).max()))))
        if background:
            shapes.plot(ax=ax, color="0.93", edgecolor="0.82", linewidth=0.2)
        colour_values = None
        norm = None
        label = None
        extend = "neither"
        if isinstance(color, str):
            check_parameter("Monitor.plot_dorling", "color", color, allowed=list(_MEASURES))
            s, e = self._span(ind, start, year)
            units = self._units(layer, "unit", unassigned=unassigned, zones=use)
            vals = pd.Series(self._measure_values(units, ind, color, s, e), index=units.index)
            colour_values = vals.reindex(lay.index).to_numpy(dtype=float)
            norm, extend = _diverging_norm(colour_values, symmetric, limit)
            cm = plt.get_cmap(cmap or "RdBu_r")
            label = f"{ind}: {_MEASURE_LABEL[color]}, {s}-{e}"
        elif isinstance(color, pd.Series):
            colour_values = pd.to_numeric(color.reindex(lay.index), errors="coerce").to_numpy(
                dtype=float)
            fin = colour_values[np.isfinite(colour_values)]
            lo = float(fin.min()) if len(fin) else 0.0
            hi = float(fin.max()) if len(fin) else 1.0
            norm = Normalize(lo, hi if hi > lo else lo + 1e-9)
            cm = plt.get_cmap(cmap or "viridis")
            label = str(color.name) if color.name is not None else ""
        elif color is not None:
            raise InvalidParameterError(
                "The 'color' parameter of Monitor.plot_dorling must be a growth measure "
                f"({', '.join(map(repr, _MEASURES))}), a Series per unit, or None; got "
                f"{type(color).__name__}.")
        order = np.argsort(-lay["radius"].to_numpy(), kind="stable")
        patches = [Circle((lay["x"].iloc[i], lay["y"].iloc[i]), lay["radius"].iloc[i])
                   for i in order]
        if colour_values is not None:
            cv = colour_values[order]
            faces = [cm(norm(x)) if np.isfinite(x) else (0.8, 0.8, 0.8, 1.0) for x in cv]
        else:
            faces = [(0.27, 0.45, 0.7, 1.0)] * len(order)
        coll = PatchCollection(patches, facecolors=faces, edgecolors="0.25", linewidths=0.4,
                               zorder=3, gid="dorling")
        ax.add_collection(coll)
        # proportional-symbol legend: two nested circles at the lower right
        r_all = lay["radius"].to_numpy()
        xmin = float((lay["x"] - lay["radius"]).min())
        xmax = float((lay["x"] + lay["radius"]).max())
        ymin = float((lay["y"] - lay["radius"]).min())
        ymax = float((lay["y"] + lay["radius"]).max())
        if background:
            bx0, by0, bx1, by1 = shapes.total_bounds
            xmin, ymin = min(xmin, bx0), min(ymin, by0)
            xmax, ymax = max(xmax, bx1), max(ymax, by1)
        width = xmax - xmin
        if len(lay) and r_all.max() > 0:
            # nested circles sharing their lowest point; values to the right, at their tops
            vmax = float(lay["value"].max())
            ref = sorted({_nice(vmax), _nice(vmax / 10)} - {0.0}, reverse=True)
            scale = r_all.max() / np.sqrt(vmax)
            big = scale * np.sqrt(ref[0])
            cx = xmax + 0.04 * width + big
            for val in ref:
                rr = scale * np.sqrt(val)
                ax.add_patch(Circle((cx, ymin + rr), rr, facecolor="none", edgecolor="0.3",
                                    linewidth=0.6, zorder=4))
                ax.plot([cx, cx + big * 1.15], [ymin + 2 * rr] * 2, color="0.3", lw=0.5,
                        zorder=4)
                ax.annotate(f"{val:,.0f}", (cx + big * 1.15, ymin + 2 * rr), xytext=(2, 0),
                            textcoords="offset points", ha="left", va="center", fontsize=6)
            ax.annotate(f"{ind} {year}", (cx, ymin + 2 * big), xytext=(0, 8),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7)
            xmax = cx + big * 1.15 + 0.08 * width
        pad = 0.03 * max(width, ymax - ymin)
        ax.set_xlim(xmin - pad, xmax + pad)
        ax.set_ylim(ymin - pad, ymax + pad)
        texts = []
        for i in order[:max(labels, 0)]:
            row = lay.iloc[i]
            texts.append(ax.annotate(str(row["name"]), (row["x"], row["y"]), ha="center",
                                     va="center", fontsize=7, zorder=6,
                                     bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                           "alpha": 0.7, "lw": 0}))
        if norm is not None:
            sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
            sm.set_array([])
            cbar = ax.figure.colorbar(sm, ax=ax, shrink=0.5, pad=0.02, extend=extend)
            if isinstance(color, str):
                if color == "change":
                    cbar.ax.yaxis.set_major_formatter(FuncFormatter(_signed_count))
                else:
                    cbar.ax.yaxis.set_major_formatter(
                        FuncFormatter(_signed_percent))
                cbar.ax.axhline(0.0, color="black", linewidth=0.8)
            cbar.set_label(label, fontsize=8)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _map_furniture(ax, target)
        what = f"{layer} areas" + (" and unassigned zones" if unassigned == "zones" else "") \
            if layer not in _ZONE_LEVEL else "zones"
        ax.set_title(title or f"{self.graph.name or 'zones'}: {what} as circles sized by "
                     f"{ind} {year}", fontsize=10)
        _declutter(ax, texts)
        return ax

    @_one_draw
    def plot_centre_flows(self, layer: str, year: int | FlowGraph | None = None, *,
                          direction: str = "both", ax=None, crs=None, zones=None,
                          min_flow: float = 0.0, title: str | None = None
                          ) -> matplotlib.axes.Axes:
        """Map the flows between every surrounding zone and the centre(s) of its area.

        Parameters
        ----------
        layer : str
        year : int or FlowGraph, optional
            As in :meth:`flows`.
        direction : {"both", "to_centre", "from_centre"}
            The two-way exchange (surrounding -> centre plus centre -> surrounding, purple),
            surrounding -> centre only (red), or centre -> surrounding only (blue).
        ax, crs, zones, title
            As in :meth:`plot_change`.
        min_flow : float
            Leave out smaller flows.

        Returns
        -------
        matplotlib.axes.Axes
            Zones tinted by area (unassigned light grey), one LineCollection (gid
            ``"centre_flows"``) with one line per surrounding zone and central zone, width
            proportional to the flow, the central zones of areas with surroundings marked.
        """
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D

        from .plot import _GREY, _map_furniture, _palette

        check_parameter("Monitor.plot_centre_flows", "direction", direction,
                        allowed=["both", "to_centre", "from_centre"])
        part = self._h[layer]
        matrix, label = self._matrix(year)
        shapes, target, _ = self._drawn(zones, crs)
        ax = _map_axes(ax, shapes.total_bounds)
        codes = part.codes()
        palette = _palette(max(part.n_areas, 1))
        code_of = pd.Series(codes, index=self.graph.ids)
        faces = [(*palette[code_of[z]][:3], 0.35) if code_of[z] >= 0 else _GREY
                 for z in shapes.index]
        shapes.plot(ax=ax, color=faces, edgecolor="white", linewidth=0.3)
        pts = shapes.geometry.representative_point()
        ids = self.graph.ids
        role = _zone_roles(part)
        csr = matrix.tocsr()
        segs, vals = [], []
        for a, centres in enumerate(part.areas["centres"]):
            cpos = [ids.get_loc(c) for c in centres if ids[ids.get_loc(c)] in pts.index]
            for z in np.flatnonzero((codes == a) & (role == "surrounding")):
                if ids[z] not in pts.index:
                    continue
                p = pts[ids[z]]
                for c in cpos:
                    f = {"to_centre": float(csr[z, c]), "from_centre": float(csr[c, z])}
                    v = f["to_centre"] + f["from_centre"] if direction == "both" \
                        else f[direction]
                    if v > 0 and v >= min_flow:
                        q = pts[ids[c]]
                        segs.append(((p.x, p.y), (q.x, q.y)))
                        vals.append(v)
        colour = {"both": "#5e3c99", "to_centre": "#b2182b", "from_centre": "#2166ac"}[direction]
        handles = [Line2D([], [], color=colour, lw=2.5, label={
            "both": "surrounding ↔ centre", "to_centre": "surrounding → centre",
            "from_centre": "centre → surrounding"}[direction])]
        if segs:
            v = np.asarray(vals)
            top = float(v.max())
            order = np.argsort(v, kind="stable")  # largest drawn last
            widths = 0.3 + 5.0 * np.sqrt(v / top)
            ax.add_collection(LineCollection(np.asarray(segs, dtype=float)[order],
                                             linewidths=widths[order], colors=colour,
                                             alpha=0.75, capstyle="round", zorder=4,
                                             gid="centre_flows"))
            for ref in sorted({top, _nice(top / 4), _nice(top / 20)} - {0.0}, reverse=True):
                handles.append(Line2D([], [], color=colour, alpha=0.75,
                                      lw=0.3 + 5.0 * np.sqrt(ref / top), label=f"{ref:,.0f}"))
        # central zones of the areas that have surroundings; smaller marks when many
        with_members = np.unique(codes[role == "surrounding"])
        centre_ids = [c for a in with_members for c in part.areas["centres"].iloc[a]]
        cpts = pts.reindex(pd.Index(centre_ids, dtype=object)).dropna()
        if len(cpts):
            size = float(np.clip(1500.0 / len(cpts), 3.0, 18.0))
            ax.scatter(cpts.x, cpts.y, s=size, c="black", zorder=5, marker="o", linewidths=0)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                  title="flow", title_fontsize=8, frameon=False)
        ax.set_axis_off()
        ax.set_aspect("equal")
        _map_furniture(ax, target)
        when = "" if label in (None, "flow") else f" ({label})"
        ax.set_title(title or f"{self.graph.name or 'zones'}: flows between the centres of "
                     f"the {layer} areas and their surroundings{when}", fontsize=10)
        return ax


def _nice(x: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) at most ``x``."""
    if not np.isfinite(x) or x <= 0:
        return 0.0
    mag = 10 ** np.floor(np.log10(x))
    return float(max(m * mag for m in (1, 2, 5) if m * mag <= x))


def _map_axes(ax, bounds):
    """``ax``, or new axes on a figure shaped like the map (``bounds``: x0, y0, x1, y1),
    leaving room on the right for a colour bar or a legend."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    x0, y0, x1, y1 = (float(b) for b in bounds)
    aspect = (x1 - x0) / (y1 - y0) if y1 > y0 and x1 > x0 else 1.0
    width = 10.0
    height = min(max(0.85 * width / aspect + 0.8, 4.0), 12.0)
    _, ax = plt.subplots(figsize=(width, height))
    return ax


def _area_outlines(ax, shapes, part: Partition, *, color, linewidth: float) -> None:
    """Outlines of the areas of ``part`` over zone polygons already projected."""
    from .plot import _draw_outlines

    _draw_outlines(ax, shapes, part, color=color, linewidth=linewidth)


def _signed_percent(x: float, _pos=None) -> str:
    """Colour-bar label of a fraction as a signed percentage (0 without a sign)."""
    return "0" if abs(x) < 1e-12 else f"{100 * x:+.3g}"


def _signed_count(x: float, _pos=None) -> str:
    return "0" if abs(x) < 1e-9 else f"{x:+,.0f}"


def _diverging_norm(values: np.ndarray, symmetric: bool, limit: float | None):
    """A ``TwoSlopeNorm`` centred on zero and the colour bar's ``extend``.

    Symmetric (default): both ends at ``limit`` (default: the largest absolute value), the
    same colour for the same distance from zero. Otherwise each side ends at its own
    extreme (or at ``-limit`` / ``limit``)."""
    from matplotlib.colors import TwoSlopeNorm

    fin = values[np.isfinite(values)]
    lo = float(fin.min()) if len(fin) else -1.0
    hi = float(fin.max()) if len(fin) else 1.0
    if limit is not None:
        if not (np.isfinite(limit) and limit > 0):
            raise InvalidParameterError(f"The 'limit' of the colour scale must be a positive "
                                        f"number; got {limit!r}.")
        vmin, vmax = -float(limit), float(limit)
        if not symmetric:
            vmin, vmax = max(lo, vmin), min(hi, vmax)
    elif symmetric:
        half = max(abs(lo), abs(hi)) or 1.0
        vmin, vmax = -half, half
    else:
        vmin, vmax = lo, hi
    tiny = max(abs(vmin), abs(vmax), 1e-12) * 1e-3
    vmin = min(vmin, -tiny)
    vmax = max(vmax, tiny)
    below, above = bool((fin < vmin).any()), bool((fin > vmax).any())
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max",
              (True, True): "both"}[(below, above)]
    return TwoSlopeNorm(vcenter=0.0, vmin=vmin, vmax=vmax), extend


# ---------------------------------------------------------------------------- redrawn areas
def _layer_of(obj, layer: str | None) -> Partition:
    if isinstance(obj, Partition):
        return obj
    if isinstance(obj, Hierarchy):
        if layer is None:
            raise InvalidParameterError("Name the layer to compare (layer='metropolitan').")
        return obj[layer]
    raise TypeError(f"Expected a Hierarchy or a Partition; got {type(obj).__name__}.")


def _check_same_zones(a: Partition, b: Partition, ids: pd.Index | None = None) -> None:
    ids = a.ids if ids is None else ids
    if b.ids.equals(ids) and a.ids.equals(ids):
        return
    problems = Problems("The two delineations do not cover the same zones")
    miss = ids.difference(b.ids, sort=False)
    extra = b.ids.difference(ids, sort=False)
    problems.add("zones missing from the new delineation", list(miss[:3]), count=len(miss))
    problems.add("zones only in the new delineation", list(extra[:3]), count=len(extra))
    if not len(problems):
        problems.add("zones in another order", ["reorder the zones as in the base graph"],
                     count=1)
    raise InvalidZonesError(problems.message() + " Delineate both years over the same zones "
                            "(the zones of the base year's graph).")


def _matched_labels(before: Partition, after: Partition, match: str):
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
        pairs = pairs.sort_values(["count", "ao", "bo"], ascending=[False, True, True],
                                  kind="stable")
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


def membership_change(before: Hierarchy | Partition, after: Hierarchy | Partition,
                      layer: str | None = None, *, match: str = "id") -> pd.DataFrame:
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
    >>> membership_change(h0, h1, "metropolitan")[["area_before", "area_after", "change"]]
    ... # doctest: +NORMALIZE_WHITESPACE
         area_before area_after  change
    zone
    C           None          A  joined
    """
    b = _layer_of(before, layer)
    a = _layer_of(after, layer)
    _check_same_zones(b, a)
    lb, la, _ = _matched_labels(b, a, match)
    rb = _zone_roles(b)
    ra = _zone_roles(a)
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
    out = pd.DataFrame(rows, columns=["zone", "name", "area_before", "area_after",
                                      "role_before", "role_after", "change"], dtype=object)
    out = out.set_index("zone")
    return out
