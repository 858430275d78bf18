"""The Monitor: a thin front over the modules of :mod:`regionalize.monitor`.

:func:`~regionalize.monitor.monitor` (in :mod:`~regionalize.monitor.build`) reads the indicator table (:mod:`~regionalize.monitor.indicators`) and the
flow tables of other years (:mod:`~regionalize.monitor.flows`) and returns a
:class:`Monitor`, whose methods delegate, by job, to :mod:`~regionalize.monitor.tables`
(stocks, growth, concentration), :mod:`~regionalize.monitor.flows` (commuting between
roles and areas), :mod:`~regionalize.monitor.boundaries` (fixed against redrawn areas) and
:mod:`~regionalize.monitor.maps` (what the maps show; drawn by
:mod:`regionalize.plot.change`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._drawing import one_draw
from ..flows import FlowGraph
from ..hierarchy import Hierarchy
from ..partition import Partition
from . import boundaries, maps, tables
from . import flows as flow_tables
from .indicators import Indicators, fmt_years
from .units import role_table

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.axes

__all__ = ["Monitor"]


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

    Examples
    --------
    Zone A is a centre, B commutes to it, C stands apart; the surroundings grew fastest:

    >>> import pandas as pd
    >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
    >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
    >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
    >>> m.indicators, m.years
    (('pop',), (2010, 2020))
    >>> m.growth("metropolitan", by="role")["pct_change"].round(3).to_dict()
    {('A', 'centre'): 0.1, ('A', 'surrounding'): 0.3, ('(unassigned)', 'unassigned'): -0.125, ('(total)', 'all'): 0.105}
    """

    __slots__ = ("_h", "_data", "_flows", "_notes", "_cache")

    def __init__(
        self,
        hierarchy: Hierarchy,
        values: dict[str, np.ndarray],
        years: dict[str, tuple[int, ...]],
        flows: dict[int, tuple[Any, FlowGraph]],
        notes: Sequence[str] = (),
    ):
        self._h = hierarchy
        self._data = Indicators(values, years)
        self._flows = flows
        self._notes = tuple(notes)
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ access
    @property
    def hierarchy(self) -> Hierarchy:
        """The Hierarchy whose areas are followed."""
        return self._h

    @property
    def graph(self) -> FlowGraph:
        """The Hierarchy's graph."""
        return self._h.graph

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicators of the table, in its order."""
        return tuple(self._data.values)

    @property
    def years(self) -> tuple[int, ...]:
        """Every year of any indicator (see :meth:`years_of`)."""
        return self._data.all_years

    def years_of(self, indicator: str) -> tuple[int, ...]:
        """The years in which ``indicator`` is measured.

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> m.years_of("pop")
        (2010, 2020)
        """
        self._data.check(indicator)
        return self._data.years[indicator]

    @property
    def flow_years(self) -> tuple[int, ...]:
        """Years of the flow tables given to :func:`monitor`."""
        return tuple(self._flows)

    @property
    def notes(self) -> tuple[str, ...]:
        """What was repaired on request (rows dropped, values summed or counted as 0)."""
        return self._notes

    @property
    def table(self) -> pd.DataFrame:
        """The indicator table as read: one row per zone and year (graph order), columns
        ``zone``, ``year`` and one per indicator (NaN in years it is not measured)."""
        return self._data.table(self.graph.ids)

    def value(self, indicator: str, year: int) -> pd.Series:
        """One indicator in one year, per zone (indexed by zone id).

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> m.value("pop", 2020).to_dict()
        {'A': 110.0, 'B': 65.0, 'C': 35.0}
        """
        return self._data.value(self.graph.ids, indicator, year)

    def roles(self, layer: str) -> pd.DataFrame:
        """Every zone's area (None when unassigned) and role (``centre``, ``surrounding``,
        ``unassigned``) in ``layer``, indexed by zone id.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2))
        >>> m.roles("metropolitan")["role"].to_dict()
        {'A': 'centre', 'B': 'surrounding', 'C': 'unassigned'}
        """
        return role_table(self._h, layer)

    def __repr__(self) -> str:
        if self._data.values:
            parts = []
            for ind, ys in self._data.years.items():
                span = f"{ys[0]}-{ys[-1]}" if len(ys) > 1 else str(ys[0])
                parts.append(f"{ind} {span}")
            what = ", ".join(parts)
        else:
            what = "no indicators"
        if self._flows:
            what += f"; flows {fmt_years(self._flows)}"
        return (
            f"<Monitor over {self.graph.n_zones:,} zones: {what}; layers "
            f"{', '.join(self._h.layers)}>"
        )

    # ------------------------------------------------------------------ stocks
    def by_area(
        self,
        layer: str,
        year: int | None = None,
        *,
        indicators=None,
        include_unassigned: bool = True,
    ) -> pd.DataFrame:
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

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> m.by_area("metropolitan")[["pop", "pop_share"]]  # doctest: +NORMALIZE_WHITESPACE
                             pop  pop_share
        area         year
        A            2010  150.0   0.789474
                     2020  175.0   0.833333
        (unassigned) 2010   40.0   0.210526
                     2020   35.0   0.166667
        """
        return tables.by_area(
            self._h,
            self._data,
            layer,
            year,
            indicators=indicators,
            include_unassigned=include_unassigned,
        )

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

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> t = m.by_role("metropolitan", 2020)
        >>> t[["n_zones", "pop", "pop_area_share"]]  # doctest: +NORMALIZE_WHITESPACE
                                  n_zones    pop  pop_area_share
        area         role
        A            centre             1  110.0        0.628571
                     surrounding        1   65.0        0.371429
        (unassigned) unassigned         1   35.0        1.000000
        """
        return tables.by_role(self._h, self._data, layer, year, indicators=indicators)

    # ------------------------------------------------------------------ growth
    def growth(
        self,
        layer: str | None = None,
        start: int | None = None,
        end: int | None = None,
        *,
        indicator: str | None = None,
        by: str = "area",
        total: bool = True,
    ) -> pd.DataFrame:
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
            ``change`` (end - start), ``pct_change`` (``(end - start) / abs(start)``, NaN
            when start is 0), ``annual_rate`` (compound: ``(end / start) ** (1 / years) - 1``
            with ``years`` the years between them, NaN when start <= 0), ``share_<start>``,
            ``share_<end>`` (fractions of the national total) and ``share_change``.

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> t = m.growth("metropolitan")
        >>> t[["change", "pct_change", "annual_rate"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                      change  pct_change  annual_rate
        area
        A               25.0      0.1667       0.0155
        (unassigned)    -5.0     -0.1250      -0.0133
        (total)         20.0      0.1053       0.0101
        """
        return tables.growth(
            self._h, self._data, layer, start, end, indicator=indicator, by=by, total=total
        )

    # ------------------------------------------------------------------ concentration
    def concentration(
        self,
        layer: str | None = None,
        year: int | None = None,
        *,
        indicator: str | None = None,
        reference: str | None = None,
        unassigned: str = "zones",
    ) -> pd.DataFrame:
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

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> t = m.concentration("metropolitan")
        >>> t[["largest_share", "hoover", "gini"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
              largest_share  hoover   gini
        year
        2010          0.789   0.289  0.289
        2020          0.833   0.333  0.333
        """
        return tables.concentration(
            self._h,
            self._data,
            layer,
            year,
            indicator=indicator,
            reference=reference,
            unassigned=unassigned,
        )

    # ------------------------------------------------------------------ fixed vs redrawn
    def compare_boundaries(
        self,
        after: Hierarchy | Partition,
        layer: str,
        start: int | None = None,
        end: int | None = None,
        *,
        indicator: str | None = None,
        match: str = "id",
    ) -> pd.DataFrame:
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

        Examples
        --------
        By 2020 zone C commutes to A too; drawn again, A takes it in:

        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> pop = pd.DataFrame({"pop_2010": [100, 50, 40], "pop_2020": [110, 65, 35]}, index=g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), pop)
        >>> later = rz.FlowGraph.from_matrix([[50, 5, 0], [45, 10, 0], [10, 0, 20]], g.ids)
        >>> t = m.compare_boundaries(rz.delineate(later, ["A"], tau=0.2), "metropolitan")
        >>> t.loc["A", ["pop_2020_fixed", "pop_2020_redrawn", "boundary_effect"]].to_dict()
        {'pop_2020_fixed': 175.0, 'pop_2020_redrawn': 210.0, 'boundary_effect': 35.0}
        """
        return boundaries.compare_boundaries(
            self._h, self._data, after, layer, start, end, indicator=indicator, match=match
        )

    # ------------------------------------------------------------------ flows
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

        Examples
        --------
        75% of the commuters living around A work in A:

        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2))
        >>> t = m.flows("metropolitan")
        >>> t.loc["A", ["within_centre", "surrounding_to_centre", "share_to_centre"]].to_dict()
        {'within_centre': 50.0, 'surrounding_to_centre': 30.0, 'share_to_centre': 0.75}
        """
        return flow_tables.area_flows(self._h, self._flows, layer, year)

    def flow_totals(self, layer: str, year: int | FlowGraph | None = None) -> pd.Series:
        """National flows by category (they add up to the matrix total).

        Returns
        -------
        pandas.Series
            Indexed by :data:`FLOW_CATEGORIES`: ``within_centre``,
            ``centre_to_surrounding``, ``surrounding_to_centre``, ``within_surrounding``
            (summed over areas), ``between_areas``, ``area_to_unassigned``,
            ``unassigned_to_area`` and ``within_unassigned``.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2))
        >>> m.flow_totals("metropolitan").to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'within_centre': 50.0, 'centre_to_surrounding': 5.0, 'surrounding_to_centre': 30.0,
         'within_surrounding': 10.0, 'between_areas': 0.0, 'area_to_unassigned': 0.0,
         'unassigned_to_area': 0.0, 'within_unassigned': 20.0}
        """
        return flow_tables.flow_totals(self._h, self._flows, layer, year)

    def flow_matrix(
        self, layer: str, year: int | FlowGraph | None = None, *, roles: bool = False
    ) -> pd.DataFrame:
        """Flows between the areas of a layer (and, with ``roles``, between their roles).

        Returns
        -------
        pandas.DataFrame
            A long table of the non-zero flows: ``from_area``, ``to_area`` (``from_role``,
            ``to_role`` with ``roles=True``) and ``flow``; unassigned zones count as one
            area ``"(unassigned)"``. Rows in area (and role) order.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2))
        >>> m.flow_matrix("metropolitan", roles=True)
              from_area    from_role       to_area      to_role  flow
        0             A       centre             A       centre  50.0
        1             A       centre             A  surrounding   5.0
        2             A  surrounding             A       centre  30.0
        3             A  surrounding             A  surrounding  10.0
        4  (unassigned)   unassigned  (unassigned)   unassigned  20.0
        """
        return flow_tables.flow_matrix(self._h, self._flows, layer, year, roles=roles)

    def flow_change(
        self, layer: str, before: int | FlowGraph | None, after: int | FlowGraph
    ) -> pd.DataFrame:
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

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 5, 0], [30, 10, 0], [0, 0, 20]], ["A", "B", "C"])
        >>> later = rz.FlowGraph.from_matrix([[50, 5, 0], [45, 10, 0], [10, 0, 20]], g.ids)
        >>> m = rz.monitor.monitor(rz.delineate(g, ["A"], tau=0.2), flows={2020: later})
        >>> t = m.flow_change("metropolitan", None, 2020)
        >>> t.loc[("(total)", "surrounding_to_centre")].to_dict()
        {'flow_before': 30.0, 'flow_2020': 45.0, 'change': 15.0, 'pct_change': 0.5}
        """
        return flow_tables.flow_change(self._h, self._flows, layer, before, after)

    # ------------------------------------------------------------------ maps
    @one_draw
    def plot_change(
        self,
        start: int | None = None,
        end: int | None = None,
        *,
        layer: str | None = None,
        indicator: str | None = None,
        measure: str = "pct_change",
        unassigned: str = "zones",
        outlines=None,
        symmetric: bool = True,
        limit: float | None = None,
        cmap="RdBu_r",
        ax=None,
        crs=None,
        zones=None,
        title: str | None = None,
    ) -> matplotlib.axes.Axes:
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

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> later = rz.stability.resample(h.graph, seed=1)
        >>> table = rz.monitor.indicators_from_flows({2015: h.graph, 2020: later})
        >>> m = rz.monitor.monitor(h, table, zone="zone", year="year")
        >>> ax = m.plot_change(layer="urban", indicator="residents")
        >>> print(ax.get_title())
        synthetic-60-seed1: residents, change (%) 2015-2020 per urban area, other zones on their own
        >>> plt.close(ax.figure)
        """
        return maps.plot_change(
            self._h,
            self._data,
            start,
            end,
            layer=layer,
            indicator=indicator,
            measure=measure,
            unassigned=unassigned,
            outlines=outlines,
            symmetric=symmetric,
            limit=limit,
            cmap=cmap,
            ax=ax,
            crs=crs,
            zones=zones,
            title=title,
        )

    def dorling(
        self,
        year: int | None = None,
        *,
        layer: str | None = None,
        indicator: str | None = None,
        unassigned: str = "zones",
        crs=None,
        zones=None,
        fill: float = 0.3,
        iterations: int = 1000,
    ) -> pd.DataFrame:
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

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> later = rz.stability.resample(h.graph, seed=1)
        >>> table = rz.monitor.indicators_from_flows({2015: h.graph, 2020: later})
        >>> m = rz.monitor.monitor(h, table, zone="zone", year="year")
        >>> d = m.dorling(layer="urban", indicator="jobs", unassigned="group")
        >>> d[["name", "value", "radius"]].round(0)  # doctest: +NORMALIZE_WHITESPACE
                              name     value   radius
        area
        000024               Udaec  124777.0  16522.0
        000041              Faviar    1137.0   1577.0
        000012             Vimarar    2844.0   2494.0
        000048              Eludal    1217.0   1632.0
        (unassigned)  (unassigned)     968.0   1455.0
        """
        return maps.dorling(
            self._h,
            self._data,
            year,
            layer=layer,
            indicator=indicator,
            unassigned=unassigned,
            crs=crs,
            zones=zones,
            fill=fill,
            iterations=iterations,
        )

    @one_draw
    def plot_dorling(
        self,
        year: int | None = None,
        *,
        layer: str | None = None,
        indicator: str | None = None,
        color: str | pd.Series | None = "pct_change",
        start: int | None = None,
        unassigned: str = "zones",
        symmetric: bool = True,
        limit: float | None = None,
        cmap=None,
        ax=None,
        crs=None,
        zones=None,
        fill: float = 0.3,
        labels: int = 10,
        iterations: int = 1000,
        background: bool = True,
        title: str | None = None,
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

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> later = rz.stability.resample(h.graph, seed=1)
        >>> table = rz.monitor.indicators_from_flows({2015: h.graph, 2020: later})
        >>> m = rz.monitor.monitor(h, table, zone="zone", year="year")
        >>> ax = m.plot_dorling(layer="urban", indicator="jobs")
        >>> print(ax.get_title())
        synthetic-60-seed1: urban areas and unassigned zones as circles sized by jobs 2020
        >>> plt.close(ax.figure)
        """
        return maps.plot_dorling(
            self._h,
            self._data,
            year,
            layer=layer,
            indicator=indicator,
            color=color,
            start=start,
            unassigned=unassigned,
            symmetric=symmetric,
            limit=limit,
            cmap=cmap,
            ax=ax,
            crs=crs,
            zones=zones,
            fill=fill,
            labels=labels,
            iterations=iterations,
            background=background,
            title=title,
        )

    @one_draw
    def plot_centre_flows(
        self,
        layer: str,
        year: int | FlowGraph | None = None,
        *,
        direction: str = "both",
        ax=None,
        crs=None,
        zones=None,
        min_flow: float = 0.0,
        title: str | None = None,
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

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> m = rz.monitor.monitor(h)
        >>> ax = m.plot_centre_flows("urban")
        >>> [c.get_gid() for c in ax.collections if c.get_gid()]
        ['centre_flows']
        >>> plt.close(ax.figure)
        """
        return maps.plot_centre_flows(
            self._h,
            self._flows,
            layer,
            year,
            direction=direction,
            ax=ax,
            crs=crs,
            zones=zones,
            min_flow=min_flow,
            title=title,
        )
