"""Building a Monitor: :func:`monitor` reads the indicator table and the flows of other years
and returns the :class:`~regionalize.monitor.Monitor` over a Hierarchy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import InvalidParameterError, check_parameter
from ..flows import FlowGraph
from ..hierarchy import Hierarchy
from .core import Monitor
from .flows import aligned_matrix
from .indicators import Read, as_year, read_indicators

__all__ = ["monitor"]


def monitor(
    hierarchy: Hierarchy,
    indicators: pd.DataFrame | None = None,
    *,
    zone: str | None = None,
    year: str | None = None,
    values=None,
    sep: str = "_",
    flows: Mapping[int, FlowGraph] | None = None,
    unknown: str = "error",
    missing: str = "error",
    duplicates: str = "error",
    negative: str = "error",
    id_width: int | None = None,
) -> Monitor:
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
    >>> m.growth("metropolitan")["pct_change"].round(3).to_dict()
    {'A': 0.167, '(unassigned)': -0.125, '(total)': 0.105}
    """
    if not isinstance(hierarchy, Hierarchy):
        raise TypeError(
            f"monitor needs a Hierarchy; got {type(hierarchy).__name__}. Build one "
            "with rz.delineate(graph, ...) or Hierarchy(graph, [partitions])."
        )
    check_parameter("monitor", "unknown", unknown, allowed=["error", "drop"])
    check_parameter("monitor", "missing", missing, allowed=["error", "zero"])
    check_parameter("monitor", "duplicates", duplicates, allowed=["error", "sum"])
    check_parameter("monitor", "negative", negative, allowed=["error", "allow"])
    graph = hierarchy.graph
    if indicators is None:
        read = Read({}, {}, [])
    else:
        read = read_indicators(
            indicators,
            graph.ids,
            zone=zone,
            year=year,
            values=values,
            sep=sep,
            unknown=unknown,
            missing=missing,
            duplicates=duplicates,
            negative=negative,
            id_width=id_width,
        )
    aligned: dict[int, tuple[Any, FlowGraph]] = {}
    for key, g in dict(flows or {}).items():
        y = as_year(key)
        if y is None:
            raise InvalidParameterError(
                f"The keys of flows= must be years (integers); got {key!r}."
            )
        aligned[y] = (aligned_matrix(graph, g, f"year {y}"), g)
    return Monitor(hierarchy, read.values, read.years, dict(sorted(aligned.items())), read.notes)
