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

The package, by job: :mod:`~regionalize.monitor.build` (:func:`monitor`), :mod:`~regionalize.monitor.core`
(the :class:`Monitor` front), :mod:`~regionalize.monitor.indicators` (reading and checking the
indicator table, :func:`indicators_from_flows`), :mod:`~regionalize.monitor.units` (roles
and reporting units), :mod:`~regionalize.monitor.tables` (stocks, growth, concentration),
:mod:`~regionalize.monitor.flows` (commuting between roles and areas),
:mod:`~regionalize.monitor.boundaries` (fixed against redrawn boundaries,
:func:`membership_change`) and :mod:`~regionalize.monitor.maps` (what the maps show; they
are drawn by :mod:`regionalize.plot.change`).
"""

from __future__ import annotations

# besides __all__, the public names the former single module had stay importable from here
# (TOTAL, UNASSIGNED, circle_radii)
from .._cartogram import DorlingLayout, dorling_layout
from .._cartogram import circle_radii as circle_radii
from ..hierarchy import UNASSIGNED as UNASSIGNED
from .boundaries import membership_change
from .build import monitor
from .core import Monitor
from .flows import FLOW_CATEGORIES
from .indicators import indicators_from_flows
from .tables import TOTAL as TOTAL
from .units import ROLES

__all__ = [
    "Monitor",
    "monitor",
    "indicators_from_flows",
    "membership_change",
    "dorling_layout",
    "DorlingLayout",
    "ROLES",
    "FLOW_CATEGORIES",
]
