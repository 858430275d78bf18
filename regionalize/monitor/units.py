"""Roles inside areas and reporting units: the zones a Monitor's tables add up.

A zone's role in a layer is ``"centre"`` (a central zone of its area), ``"surrounding"``
(every other member, enclaves included) or ``"unassigned"``. :func:`reporting_units` groups
the zones into the rows of a table: areas (plus the unassigned zones as one row), areas x
roles, or areas with each unassigned zone on its own; or the zones themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, check_parameter
from ..flows import FlowGraph
from ..hierarchy import UNASSIGNED, Hierarchy
from ..partition import Partition

__all__ = [
    "ROLES",
    "ZONE_LEVEL",
    "Units",
    "zone_roles",
    "role_table",
    "zone_names",
    "reporting_units",
]

#: roles of a zone inside the areas of a layer, as reported by the Monitor
ROLES = ("centre", "surrounding", "unassigned")
#: ``layer=`` values meaning the zones themselves
ZONE_LEVEL = (None, "zone")
ROLE_OF = {
    "centre": "centre",
    "member": "surrounding",
    "enclave": "surrounding",
    "unassigned": "unassigned",
}


def zone_roles(part: Partition) -> np.ndarray:
    """'centre' / 'surrounding' / 'unassigned' per zone, in graph order."""
    roles = part.details["role"].map(ROLE_OF)
    return roles.fillna("unassigned").to_numpy(dtype=object)


def role_table(h: Hierarchy, layer: str) -> pd.DataFrame:
    """Every zone's area (None when unassigned) and role in ``layer``, indexed by zone id."""
    part = h[layer]
    return pd.DataFrame(
        {"area": part.labels.to_numpy(dtype=object), "role": zone_roles(part)},
        index=pd.Index(h.graph.ids, name="zone"),
        dtype=object,
    )


@dataclass(frozen=True)
class Units:
    """Zones grouped into reporting units (areas, area x role, zones)."""

    codes: np.ndarray  # unit per zone, -1: left out
    index: pd.Index  # one label per unit (MultiIndex for roles)
    info: pd.DataFrame  # name (and role), n_zones; indexed like ``index``
    area_of_unit: np.ndarray  # for role units: the area slot of each unit

    @property
    def n(self) -> int:
        """The number of units."""
        return len(self.index)


def zone_names(graph: FlowGraph) -> np.ndarray:
    """The zones' names (their id when they have none), in graph order."""
    zones = graph.zones
    ids = graph.ids.to_numpy(dtype=object)
    if "name" not in zones.columns:
        return ids.copy()
    names = zones["name"].astype(object).to_numpy()
    return np.array(
        [
            i if n is None or (isinstance(n, float) and np.isnan(n)) else str(n)
            for i, n in zip(ids, names, strict=True)
        ],
        dtype=object,
    )


def reporting_units(
    h: Hierarchy,
    layer: str | None,
    by: str = "area",
    *,
    unassigned: str = "group",
    zones: np.ndarray | None = None,
) -> Units:
    """Reporting units. ``by``: "area" (areas + one row of unassigned zones), "role"
    (area x role), "unit" (areas, unassigned zones per ``unassigned``: "zones" one unit
    each, "group" one unit, "drop" left out). ``layer`` None: the zones."""
    ids = h.graph.ids
    n = len(ids)
    names = zone_names(h.graph)
    if layer in ZONE_LEVEL:
        if by == "role":
            raise InvalidParameterError("by='role' needs a layer (roles are inside areas).")
        codes = np.arange(n)
        index = pd.Index(ids, name="zone")
        info = pd.DataFrame({"name": names, "n_zones": np.ones(n, dtype=np.int64)}, index=index)
        units = Units(codes, index, info, np.zeros(n, dtype=np.int64))
    else:
        part = h[layer]
        areas = part.areas
        k = part.n_areas
        acodes = part.codes()
        out = acodes < 0
        area_ids = list(areas.index)
        area_names = [str(x) for x in areas["name"]]
        if by == "role":
            role = zone_roles(part)
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
            check_parameter("Monitor", "unassigned", unassigned, allowed=["zones", "group", "drop"])
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
        units = Units(codes, index, info, area_of)
    if zones is not None:  # restrict to some zones (maps)
        codes = np.where(zones, units.codes, -1)
        counts = np.bincount(codes[codes >= 0], minlength=units.n)
        info = units.info.assign(n_zones=counts)
        units = Units(codes, units.index, info, units.area_of_unit)
    return units
