"""Contiguity: which zones touch which, built once from the zone polygons and reused.

:func:`build_contiguity` turns a layer of zone polygons into a :class:`Contiguity`, an
immutable undirected graph whose nodes are the zone ids (strings, in the order of the layer)
and whose links join zones that share a border (``rule="rook"``) or at least one point
(``rule="queen"``). It is the spatial constraint of contiguous regionalisation: a region
made of zones that are connected in this graph is contiguous on the map.

The build is vectorised with shapely 2: one bounding-box query of an ``STRtree`` gives the
candidate pairs, then array operations on all pairs at once decide which of them touch.
Zones that touch nothing (islands) can be kept isolated, linked to their nearest zones, or
reported as an error.
"""

from .builders import ISLAND_POLICIES, RULES, build_contiguity  # noqa: F401
from .result import Contiguity

__all__ = ["Contiguity", "build_contiguity"]
