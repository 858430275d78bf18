"""Partition: one delineation layer over the zones of a FlowGraph.

Every zone of the graph appears in every partition: either in an area, or explicitly
unassigned with a reason. Areas record their central zone(s); zones record how they joined
(their role, the order and strength class of their link, and the zone they joined through).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .errors import InvalidZonesError

__all__ = ["Partition", "ROLES", "DETAIL_COLUMNS", "AREA_COLUMNS"]

#: roles a zone can have in a partition
ROLES = ("centre", "member", "enclave", "unassigned")
#: per-zone columns of :attr:`Partition.details`
DETAIL_COLUMNS = ("area", "role", "order", "share", "strength", "via", "reason")
#: columns every :attr:`Partition.areas` table has (layers may add more)
AREA_COLUMNS = ("name", "centres", "kind", "n_zones")


class Partition:
    """One layer of functional areas over a fixed set of zones.

    Parameters
    ----------
    name : str
        Layer name (``"metropolitan"``, ``"urban"``, ...).
    ids : sequence of str
        All zone ids, in graph order.
    details : pandas.DataFrame
        Indexed by zone id (every id once), with columns

        - ``area``: area id (str) or None when unassigned;
        - ``role``: ``"centre"``, ``"member"``, ``"enclave"`` (absorbed by contiguity) or
          ``"unassigned"``;
        - ``order``: 0 for centres, 1, 2, ... for members by link order; NA otherwise;
        - ``share``: the share of the link that attached the zone (NaN if none);
        - ``strength``: the strength class of that link (e.g. 0.05, 0.10, 0.20; NaN if none);
        - ``via``: the zone id the member attached through (None for centres);
        - ``reason``: why an unassigned zone is unassigned (None for assigned zones).
    areas : pandas.DataFrame
        Indexed by area id, with at least ``name``, ``centres`` (tuple of central zone ids),
        ``kind`` and ``n_zones``; layers may add columns (e.g. ``parent``).
    params : mapping
        The parameters that produced the layer. Layers also record there how their centres
        were chosen (``centre_rule_text``; ``centre_rule`` with the numbers used when found
        by rule), why they have no area (``empty_reason``, also :attr:`empty_reason` and the
        repr), and the zones without a polygon that contiguity exempted (``no_geometry``).

    Notes
    -----
    A Partition is immutable; its tables are returned as copies.
    """

    __slots__ = ("_name", "_ids", "_details", "_areas", "_params")

    def __init__(self, name: str, ids: Sequence[str], details: pd.DataFrame,
                 areas: pd.DataFrame, params: Mapping[str, Any] | None = None):
        ids = pd.Index(list(ids), dtype=object, name="zone")
        problems = []
        if ids.has_duplicates:
            problems.append("repeated zone ids")
        if details.index.has_duplicates:
            problems.append("zones listed twice in details")
        extra = details.index.difference(ids)
        if len(extra):
            problems.append(f"{len(extra)} detail rows for unknown zones (first: "
                            f"{', '.join(map(str, extra[:3]))})")
        if areas.index.has_duplicates:
            problems.append("repeated area ids")
        if "centres" in areas.columns and any(
                not isinstance(c, tuple) for c in areas["centres"]):
            problems.append("area centres must be tuples of zone ids")
        if problems:
            raise InvalidZonesError(f"Invalid partition {name!r}: " + "; ".join(problems) + ".")
        details = details.reindex(ids)
        for col in ("area", "role", "via", "reason"):  # None, not NaN, for missing text
            if col in details.columns:
                values = details[col].astype(object)
                details[col] = values.where(values.notna(), None)
        details.index.name = "zone"
        areas = areas.copy()
        areas.index.name = "area"
        self._name = str(name)
        self._ids = ids
        self._details = details
        self._areas = areas
        self._params = dict(params or {})
        self.validate()

    # ------------------------------------------------------------------ checks
    def validate(self) -> None:
        """Raise if a zone is neither in an area nor unassigned with a reason, or if the
        area table and the zone labels disagree."""
        d = self._details
        missing_cols = [c for c in DETAIL_COLUMNS if c not in d.columns]
        missing_area_cols = [c for c in AREA_COLUMNS if c not in self._areas.columns]
        if missing_cols or missing_area_cols:
            raise InvalidZonesError(
                f"Partition {self._name!r}: missing columns {missing_cols + missing_area_cols}.")
        problems = []
        unassigned = d["area"].isna()
        no_reason = unassigned & d["reason"].isna()
        if no_reason.any():
            problems.append(f"{int(no_reason.sum())} unassigned zones without a reason "
                            f"(first: {', '.join(d.index[no_reason][:3])})")
        bad_role = ~d["role"].isin(ROLES)
        if bad_role.any():
            problems.append(f"{int(bad_role.sum())} zones with an unknown role")
        role_mismatch = unassigned != (d["role"] == "unassigned")
        if role_mismatch.any():
            problems.append(f"{int(role_mismatch.sum())} zones whose role disagrees with their "
                            "area")
        unknown = ~unassigned & ~d["area"].isin(self._areas.index)
        if unknown.any():
            problems.append(f"{int(unknown.sum())} zones in areas missing from the area table")
        counts = d.loc[~unassigned, "area"].value_counts()
        n = counts.reindex(self._areas.index, fill_value=0)
        if (n.to_numpy() != self._areas["n_zones"].to_numpy()).any():
            problems.append("area sizes (n_zones) disagree with the zone labels")
        if (n == 0).any():
            problems.append(f"{int((n == 0).sum())} empty areas")
        for area, centres in self._areas["centres"].items():
            for c in centres:
                if c not in d.index or d.at[c, "area"] != area:
                    problems.append(f"central zone {c} is not a member of its area {area}")
                    break
        if problems:
            raise InvalidZonesError(f"Invalid partition {self._name!r}: " + "; ".join(problems) + ".")

    # ------------------------------------------------------------------ access
    @property
    def name(self) -> str:
        return self._name

    @property
    def ids(self) -> pd.Index:
        return self._ids

    @property
    def details(self) -> pd.DataFrame:
        return self._details.copy()

    @property
    def areas(self) -> pd.DataFrame:
        return self._areas.copy()

    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def labels(self) -> pd.Series:
        """Area id per zone (None when unassigned), indexed by zone id."""
        out = self._details["area"].astype(object)
        return out.where(out.notna(), None).rename(self._name)

    @property
    def n_areas(self) -> int:
        return len(self._areas)

    @property
    def unassigned(self) -> pd.Series:
        """The reason of every unassigned zone, indexed by zone id."""
        d = self._details
        return d.loc[d["area"].isna(), "reason"].copy()

    def members(self, area: str) -> pd.Index:
        if area not in self._areas.index:
            raise KeyError(f"no area {area!r} in layer {self._name!r}")
        return self._details.index[self._details["area"] == area]

    def codes(self) -> np.ndarray:
        """Integer area codes per zone (in :attr:`areas` order), -1 for unassigned."""
        lookup = pd.Series(np.arange(self.n_areas), index=self._areas.index)
        return lookup.reindex(self._details["area"]).fillna(-1).to_numpy(dtype=np.int64)

    def __len__(self) -> int:
        return self.n_areas

    def __iter__(self):
        return iter(self._areas.index)

    def sizes(self) -> pd.Series:
        return self._areas["n_zones"].copy()

    @property
    def empty_reason(self) -> str | None:
        """Why the layer has no area (from ``params["empty_reason"]``), or None."""
        reason = self._params.get("empty_reason")
        return None if reason is None else str(reason)

    @property
    def no_geometry(self) -> tuple[str, ...]:
        """Zones without a polygon, exempt from the contiguity rules (``params["no_geometry"]``)."""
        return tuple(str(z) for z in self._params.get("no_geometry") or ())

    def __repr__(self) -> str:
        n_un = int(self._details["area"].isna().sum())
        notes = [f"{n_un} unassigned"]
        n_geo = len(self.no_geometry)
        if n_geo:
            notes.append(f"{n_geo} zone{'' if n_geo == 1 else 's'} without a polygon, exempt "
                         "from contiguity")
        text = (f"<Partition {self._name!r}: {self.n_areas} areas over {len(self._ids)} zones"
                f" ({'; '.join(notes)})")
        if self.n_areas == 0 and self.empty_reason:
            text += f": {self.empty_reason}"
        return text + ">"

    def equals(self, other: Partition) -> bool:
        return (isinstance(other, Partition) and self._ids.equals(other._ids)
                and self._details.equals(other._details) and self._areas.equals(other._areas))
