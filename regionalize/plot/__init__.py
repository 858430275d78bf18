"""Maps of a Hierarchy: static (matplotlib) and interactive (folium).

Every map colours an area with :func:`area_colours`, so an area has the same colour on the
static maps, on the interactive map and in the report's tables. Static maps carry a legend
(area colours, outline styles, central zones), a scale bar and a north arrow (gids
``"scale-bar"`` and ``"north-arrow"``) whenever the map's coordinate reference system is
known: projected (metres, feet) or geographic (degrees, measured on the ellipsoid).

The package, by job (everything public is imported here):

- :mod:`~regionalize.plot.maps`: the areas of one layer or of nested layers
  (:func:`plot_layer`, :func:`plot_hierarchy`);
- :mod:`~regionalize.plot.flows`: the largest flows between zones (:func:`plot_flows`);
- :mod:`~regionalize.plot.choropleth`: one value per zone (:func:`plot_choropleth`);
- :mod:`~regionalize.plot.border`: the border zones of stability runs (:func:`plot_border_zones`);
- :mod:`~regionalize.plot.tree`: the areas of every layer as a tree (:func:`plot_tree`);
- :mod:`~regionalize.plot.interactive`: the folium map (:func:`explore`);
- :mod:`~regionalize.plot.change`: the maps of :class:`regionalize.monitor.Monitor`
  (change, Dorling cartograms, flows between centres and surroundings);
- ``_style`` and ``_geo`` (shared by all of them): area colours and palette, legends,
  labels and decluttering; projection, aspect, scale bar and north arrow, area outlines.

Importing the package loads neither matplotlib, geopandas nor folium: the map functions
import them when called.
"""

from __future__ import annotations

from ._geo import scale_bar_length as scale_bar_length
from ._style import UNASSIGNED_COLOUR, area_colours
from .border import plot_border_zones
from .choropleth import plot_choropleth
from .flows import plot_flows
from .interactive import ONLINE_NOTE, explore
from .maps import plot_hierarchy, plot_layer
from .tree import plot_tree

__all__ = [
    "plot_hierarchy",
    "plot_layer",
    "plot_flows",
    "plot_choropleth",
    "plot_border_zones",
    "explore",
    "plot_tree",
    "area_colours",
    "UNASSIGNED_COLOUR",
    "ONLINE_NOTE",
]
