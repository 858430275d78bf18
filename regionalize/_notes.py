"""Caveats and errors about Hierarchy results, shared by the Hierarchy and its writers."""

from __future__ import annotations

from .errors import InvalidZonesError

__all__ = ["NO_DIAGONAL_NOTE", "no_geometry_error"]

#: The caveat recorded when the flows have no diagonal (``attrs["note"]``, ``notes``).
NO_DIAGONAL_NOTE = (
    "The flows have no diagonal (no intra-zone flows): internal flows miss everyone who "
    "lives and works in the same zone, so self-containment would be understated and is "
    "left as NaN. Use a table with intra-zone flows to compute it."
)


def no_geometry_error(what: str) -> InvalidZonesError:
    """The error for ``what`` (e.g. "write gpkg") on a Hierarchy without zone geometry."""
    return InvalidZonesError(
        f"Cannot {what}: the Hierarchy's FlowGraph has no zone geometry. Attach the zone "
        "polygons with h = h.with_geometry(zones_gdf) (which calls "
        "graph.with_geometry(...)), or build the graph with geometry=; write tables without "
        "geometry with to_csv(folder)."
    )
