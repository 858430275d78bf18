"""Reading and checking zone-level indicators, and the indicators a Monitor holds.

:func:`read_indicators` turns a long or wide indicator table into one array per indicator
(zones in graph order, one column per year it is measured), listing every problem of the
table at once; :func:`indicators_from_flows` makes such a table (residents and jobs) from
flow tables. :class:`Indicators` is what a :class:`~regionalize.monitor.Monitor` keeps: the
arrays and their years, the checks of indicator names and years, sums per reporting unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._ids import normalise_column
from ..errors import InvalidParameterError, InvalidZonesError, Problems
from ..flows import FlowGraph

__all__ = ["Indicators", "Read", "read_indicators", "indicators_from_flows", "as_year", "fmt_years"]


def as_year(value: Any) -> int | None:
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


def to_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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


def fmt_years(years: Iterable[int]) -> str:
    """Years as ``"2010, 2020"`` (``"none"`` when there are none)."""
    return ", ".join(str(y) for y in years) or "none"


def wide_to_long(
    df: pd.DataFrame, zone: str | None, values, sep: str
) -> tuple[pd.DataFrame, list[str]]:
    """Long table ``_zone, _year, <indicators>`` from columns per year."""
    if zone is not None:
        if zone not in df.columns:
            raise InvalidParameterError(
                f"The 'zone' parameter of monitor must name a column of the table; got "
                f"{zone!r}, the table has {', '.join(map(repr, map(str, df.columns[:12])))}."
            )
        ids = df[zone]
        body = df.drop(columns=[zone])
    else:
        ids = df.index.to_series()
        body = df
    wanted = [values] if isinstance(values, str) else (list(values) if values is not None else None)
    columns = body.columns
    found: list[tuple[Any, str, int]] = []  # (column key, indicator, year)
    unparsed = []
    if isinstance(columns, pd.MultiIndex):
        if columns.nlevels != 2:
            raise InvalidParameterError(
                f"A wide indicator table with MultiIndex columns needs two levels (indicator "
                f"and year); got {columns.nlevels}."
            )
        levels = [columns.get_level_values(k) for k in range(2)]
        yearly = [all(as_year(v) is not None for v in lev) for lev in levels]
        if yearly == [False, False]:
            raise InvalidParameterError(
                "Cannot tell which column level of the wide table holds the years: neither "
                f"level is all years (first columns: {list(columns[:3])})."
            )
        year_level = 1 if yearly[1] else 0
        for key in columns:
            found.append((key, str(key[1 - year_level]), as_year(key[year_level])))
    else:
        for key in columns:
            y = as_year(key)
            if y is not None:  # a bare year: one indicator, named by values=
                if wanted is None or len(wanted) != 1:
                    raise InvalidParameterError(
                        f"The wide table has bare year columns ({key!r}, ...): name the one "
                        "indicator they hold with values='population' (for example), or name "
                        f"the columns '<indicator>{sep}<year>'."
                    )
                found.append((key, wanted[0], y))
                continue
            head, _, tail = str(key).rpartition(sep)
            y = as_year(tail) if head else None
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
                "values='<indicator>', or form a (indicator, year) MultiIndex."
            )
    elif unparsed:
        raise InvalidParameterError(
            f"{len(unparsed)} columns of the wide table are not '<indicator>{sep}<year>' "
            f"(first: {', '.join(map(repr, map(str, unparsed[:3])))}). Pass values=[...] to "
            "choose the indicators, zone= for the id column, or sep= for another separator."
        )
    if not found:
        raise InvalidParameterError("The wide table has no indicator columns.")
    seen: dict[tuple[str, int], Any] = {}
    for key, ind, y in found:
        if (ind, y) in seen:
            raise InvalidParameterError(
                f"The wide table has two columns for {ind!r} in {y}: {seen[(ind, y)]!r} and "
                f"{key!r}. Keep one."
            )
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


def require_columns(table: pd.DataFrame, columns, fix: str) -> None:
    """An error naming the columns of ``columns`` that ``table`` lacks, and the ones it has."""
    absent = [c for c in columns if c not in table.columns]
    if absent:
        raise InvalidParameterError(
            f"The indicator table has no column {', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, table.columns[:12])))}. {fix}"
        )


@dataclass
class Read:
    """An indicator table as read: one array (zones x years) and the years per indicator,
    and what was repaired on request."""

    values: dict[str, np.ndarray]
    years: dict[str, tuple[int, ...]]
    notes: list[str]


def read_indicators(
    table,
    ids: pd.Index,
    *,
    zone,
    year,
    values,
    sep,
    unknown,
    missing,
    duplicates,
    negative,
    id_width,
) -> Read:
    """Read an indicator table over the zones ``ids`` (the parameters of :func:`monitor`).

    Every problem of the table is listed in one InvalidZonesError; what was repaired on
    request (``unknown="drop"``, ``missing="zero"``, ``duplicates="sum"``) is in the notes.
    """
    if not isinstance(table, pd.DataFrame):
        raise InvalidParameterError(
            f"The indicator table must be a pandas DataFrame; got {type(table).__name__}."
        )
    if len(table) == 0:
        raise InvalidZonesError("Invalid indicator table: it is empty (0 rows).")
    if year is not None:  # long form
        if isinstance(table.columns, pd.MultiIndex):
            raise InvalidParameterError(
                "A long indicator table (year= given) needs flat column names; for columns "
                "per (indicator, year) leave year= unset."
            )
        needed = ([zone] if zone is not None else []) + [year]
        require_columns(
            table, needed, "Pass zone= (None for the index) and year= with the right names."
        )
        if values is None:
            indicators = [c for c in table.columns if c not in needed]
        else:
            indicators = [values] if isinstance(values, str) else list(values)
        require_columns(table, indicators, "Pass values= with the indicator columns.")
        if not indicators:
            raise InvalidParameterError(
                "The indicator table has no indicator columns besides "
                "the zone and year; pass values=."
            )
        zone_col = table[zone] if zone is not None else table.index.to_series()
        long = pd.DataFrame({"_zone": zone_col.to_numpy(), "_year": table[year].to_numpy()})
        for ind in indicators:
            long[str(ind)] = table[ind].to_numpy()
        indicators = [str(i) for i in indicators]
    else:
        long, indicators = wide_to_long(table, zone, values, sep)

    problems = Problems("Invalid indicator table")
    notes: list[str] = []
    zones = normalise_column(long["_zone"], what="indicator table zone ids", width=id_width)
    zone_ids = zones.to_numpy(dtype=object)
    raw_years = long["_year"]
    if pd.api.types.is_integer_dtype(raw_years):  # the common case, without a Python loop
        years = raw_years.to_numpy(dtype=np.int64).astype(object)
    else:
        years = np.array([as_year(v) for v in raw_years], dtype=object)
    bad_year = np.array([y is None for y in years])
    problems.add(
        "rows whose year is not a whole number",
        [f"row {k}: {raw_years.iloc[k]!r}" for k in np.flatnonzero(bad_year)[:3]],
        count=int(bad_year.sum()),
        fix="Years must be integers such as 2015 (not '2015-01' or 2015.5).",
    )

    pos = ids.get_indexer(zone_ids)
    unknown_rows = pos < 0
    if unknown_rows.any():
        names = pd.unique(zone_ids[unknown_rows])
        if unknown == "error":
            problems.add(
                "rows for zones not in the Hierarchy",
                list(names[:3]),
                count=int(unknown_rows.sum()),
                fix=f"({len(names)} distinct ids.) Correct the ids (leading zeros?), "
                "or pass unknown='drop' to leave these rows out.",
            )
        else:
            notes.append(
                f"dropped {int(unknown_rows.sum())} rows for {len(names)} zones not "
                f"in the Hierarchy (first: {', '.join(map(str, names[:3]))})"
            )

    def where(k: int) -> str:
        return f"{zone_ids[k]} ({years[k] if years[k] is not None else raw_years.iloc[k]})"

    data = {}
    for ind in indicators:
        v, bad = to_numbers(long[ind])
        bad &= ~unknown_rows
        problems.add(
            f"non-numeric {ind!r} values",
            [f"{where(k)}: {long[ind].iloc[k]!r}" for k in np.flatnonzero(bad)[:3]],
            count=int(bad.sum()),
            fix="Clean suppressed or footnoted cells (e.g. '-', 'n/a') and read the "
            "column as numbers.",
        )
        inf = np.isinf(v) & ~unknown_rows
        problems.add(
            f"infinite {ind!r} values",
            [where(k) for k in np.flatnonzero(inf)[:3]],
            count=int(inf.sum()),
        )
        neg = (v < 0) & ~unknown_rows
        if negative == "error":
            problems.add(
                f"negative {ind!r} values",
                [f"{where(k)}: {v[k]:g}" for k in np.flatnonzero(neg)[:3]],
                count=int(neg.sum()),
                fix="Counts of people or jobs cannot be negative; pass "
                "negative='allow' for indicators that can (net migration).",
            )
        v[bad | inf] = np.nan
        data[ind] = v
    problems.raise_if_any(InvalidZonesError)

    keep = ~unknown_rows
    zpos = pos[keep]
    ypos_raw = years[keep].astype(np.int64)
    dup = pd.MultiIndex.from_arrays([zpos, ypos_raw]).duplicated()
    if dup.any():
        first = [f"{ids[z]} ({y})" for z, y in zip(zpos[dup][:3], ypos_raw[dup][:3], strict=True)]
        if duplicates == "error":
            problems.add(
                "duplicated (zone, year) rows",
                first,
                count=int(dup.sum()),
                fix="Pass duplicates='sum' to add them up, or remove the repeats.",
            )
        else:
            notes.append(
                f"summed {int(dup.sum())} repeated (zone, year) rows (first: {', '.join(first)})"
            )

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
        empty_cells += [
            f"{ind!r} of {ids[zi]} ({all_years[cols[yi]]})"
            for zi, yi in zip(*np.nonzero(empty), strict=True)
        ][:3]
        out_values[ind] = arr
        out_years[ind] = tuple(all_years[c] for c in cols)
    no_row = ~present & measured[None, :]
    n_no_row = int(no_row.sum())
    no_row_examples = [
        f"{ids[zi]} ({all_years[yi]})" for zi, yi in zip(*np.nonzero(no_row), strict=True)
    ][:3]
    if n_no_row or n_empty:
        if missing == "error":
            fix = (
                "Every zone needs a value in every year an indicator is measured: add them, "
                "or pass missing='zero' to count them as 0."
            )
            problems.add(
                "zones of the Hierarchy missing from the table (zone, year)",
                no_row_examples,
                count=n_no_row,
                fix=None if n_empty else fix,
            )
            problems.add("empty values", empty_cells, count=n_empty, fix=fix)
        else:
            for ind in indicators:
                out_values[ind] = np.nan_to_num(out_values[ind], nan=0.0)
            notes.append(
                f"counted {n_no_row} missing (zone, year) rows and {n_empty} empty "
                f"values as 0 (first: {', '.join(no_row_examples + empty_cells[:3])})"
            )
    problems.raise_if_any(InvalidZonesError)
    for ind in indicators:
        if not out_years[ind]:
            raise InvalidZonesError(f"Invalid indicator table: {ind!r} has no value in any year.")
        out_values[ind].flags.writeable = False
    return Read(out_values, out_years, notes)


def indicators_from_flows(
    flows: Mapping[int, FlowGraph] | FlowGraph, year: int | None = None
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
            raise InvalidParameterError(
                "Give the year of the flows: indicators_from_flows(graph, 2020)."
            )
        flows = {year: flows}
    parts = []
    for y, g in flows.items():
        yy = as_year(y)
        if yy is None:
            raise InvalidParameterError(f"The keys of flows must be years; got {y!r}.")
        parts.append(
            pd.DataFrame(
                {
                    "zone": g.ids.to_numpy(dtype=object),
                    "year": np.full(g.n_zones, yy, dtype=np.int64),
                    "residents": g.residents,
                    "jobs": g.jobs,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------- indicators held
class Indicators:
    """The indicators of a Monitor: per indicator, values per zone (graph order) and year.

    Parameters
    ----------
    values : dict of str to numpy.ndarray
        One array per indicator, zones x years (read-only).
    years : dict of str to tuple of int
        The years of each array's columns.
    """

    __slots__ = ("values", "years")

    def __init__(self, values: dict[str, np.ndarray], years: dict[str, tuple[int, ...]]):
        self.values = values
        self.years = years

    @property
    def all_years(self) -> tuple[int, ...]:
        """Every year of any indicator."""
        return tuple(sorted({y for ys in self.years.values() for y in ys}))

    # ------------------------------------------------------------------ checks
    def check(self, indicator: str) -> None:
        """Raise InvalidParameterError unless ``indicator`` is held."""
        if not self.values:
            raise InvalidParameterError(
                "This Monitor has no indicator table: pass one to monitor(h, table, ...)."
            )
        if indicator not in self.values:
            raise InvalidParameterError(
                f"No indicator {indicator!r}; the Monitor has {', '.join(map(repr, self.values))}."
            )

    def one(self, indicator: str | None) -> str:
        """``indicator``, checked; the only indicator when None."""
        if indicator is None:
            if not self.values:
                self.check("")
            if len(self.values) > 1:
                raise InvalidParameterError(
                    f"Name the indicator with indicator= (one of "
                    f"{', '.join(map(repr, self.values))})."
                )
            return next(iter(self.values))
        self.check(indicator)
        return indicator

    def names(self, indicators) -> list[str]:
        """The indicators asked for (one name or several), checked; all when None."""
        if indicators is None:
            if not self.values:
                self.check("")
            return list(self.values)
        names = [indicators] if isinstance(indicators, str) else list(indicators)
        for ind in names:
            self.check(ind)
        return names

    def year_pos(self, indicator: str, year) -> int:
        """The column of ``year`` in the array of ``indicator`` (checked)."""
        self.check(indicator)
        y = as_year(year)
        ys = self.years[indicator]
        if y is None or y not in ys:
            raise InvalidParameterError(
                f"Year {year!r} is not in the indicator table for {indicator!r}; its years are "
                f"{fmt_years(ys)}. Ask for one of these, or add the year to the table."
            )
        return ys.index(y)

    def span(self, indicator: str, start, end) -> tuple[int, int]:
        """``(start, end)`` years of a change (default: the first and last), checked."""
        ys = self.years[indicator]
        start = ys[0] if start is None else start
        end = ys[-1] if end is None else end
        self.year_pos(indicator, start)
        self.year_pos(indicator, end)
        start, end = as_year(start), as_year(end)
        if start >= end:
            raise InvalidParameterError(
                f"Growth needs start < end; got start={start}, end={end} ({indicator!r} is "
                f"measured in {fmt_years(ys)})."
            )
        return start, end

    # ------------------------------------------------------------------ values
    def table(self, ids: pd.Index) -> pd.DataFrame:
        """One row per zone and year (zones ``ids``, graph order), columns ``zone``, ``year``
        and one per indicator (NaN in years it is not measured)."""
        years = self.all_years
        ids = ids.to_numpy(dtype=object)
        frame = pd.DataFrame(
            {
                "zone": np.tile(ids, len(years)),
                "year": np.repeat(np.asarray(years, dtype=np.int64), len(ids)),
            }
        )
        for ind, arr in self.values.items():
            col = np.full((len(ids), len(years)), np.nan)
            for k, y in enumerate(self.years[ind]):
                col[:, years.index(y)] = arr[:, k]
            frame[ind] = col.T.ravel()
        return frame

    def value(self, ids: pd.Index, indicator: str, year) -> pd.Series:
        """One indicator in one year, per zone (indexed by ``ids``)."""
        k = self.year_pos(indicator, year)
        return pd.Series(self.values[indicator][:, k], index=ids, name=f"{indicator}_{year}")

    def sum(self, units, indicator: str, years: Sequence[int]) -> np.ndarray:
        """Indicator summed per reporting unit (:class:`~regionalize.monitor.units.Units`),
        one column per year (NaN where not measured)."""
        arr = self.values[indicator]
        ys = self.years[indicator]
        out = np.full((units.n, len(years)), np.nan)
        keep = units.codes >= 0
        for j, y in enumerate(years):
            if y in ys:
                out[:, j] = np.bincount(
                    units.codes[keep], weights=arr[keep, ys.index(y)], minlength=units.n
                )
        return out

    def total(self, indicator: str, years: Sequence[int]) -> np.ndarray:
        """Indicator summed over all zones, per year (NaN where not measured)."""
        arr = self.values[indicator]
        ys = self.years[indicator]
        return np.array([arr[:, ys.index(y)].sum() if y in ys else np.nan for y in years])
