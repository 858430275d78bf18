"""Partition: one delineation layer over the zones of a FlowGraph.

Every zone of the graph appears in every partition: either in an area, or explicitly
unassigned with a reason. Areas record their central zone(s); zones record how they joined
(their role, the order and strength class of their link, and the zone they joined through).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._areas import DEFAULT_CLASSES, area_ids, zone_names
from ._core.constraint import Attachment
from ._core.shares import strength_class
from .errors import InvalidZonesError

if TYPE_CHECKING:
    from .flows import FlowGraph


__all__ = ["Partition", "ROLES", "DETAIL_COLUMNS", "AREA_COLUMNS"]

#: roles a zone can have in a partition
ROLES = ("centre", "member", "enclave", "unassigned")
#: per-zone columns of :attr:`regionalize.Partition.details`
DETAIL_COLUMNS = ("area", "role", "order", "share", "strength", "via", "reason")
#: columns every :attr:`regionalize.Partition.areas` table has (layers may add more)
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
    A Partition is immutable; its tables are returned as copies. Layers and methods build
    theirs with :meth:`from_attachment` or :meth:`from_codes`; the constructor is for tables
    you already have (e.g. an official delineation).

    See Also
    --------
    regionalize.Hierarchy : Several partitions of the same zones, nested.
    regionalize.quality.quality : How well a partition contains the flows.

    Examples
    --------
    Every layer is a Partition. Zone ``b`` sends half its workers to ``a``; ``d`` works at
    home only and stays unassigned, with its reason.

    >>> g = rz.FlowGraph.from_matrix([[9, 1, 0, 0], [5, 5, 0, 0], [0, 0, 9, 1], [0, 0, 0, 7]],
    ...                              list("abcd"))
    >>> p = rz.metropolitan_areas(g, ["a", "c"])
    >>> p
    <Partition 'metropolitan': 2 areas over 4 zones (1 unassigned)>
    >>> cols = ["area", "role", "order", "share", "strength", "via"]
    >>> p.details[cols]  # doctest: +NORMALIZE_WHITESPACE
          area        role  order  share  strength   via
    zone
    a        a      centre      0    NaN       NaN  None
    b        a      member      1    0.5       0.2     a
    c        c      centre      0    NaN       NaN  None
    d     None  unassigned   <NA>    NaN       NaN  None
    >>> p.unassigned.to_dict()
    {'d': 'no link at or above the threshold to an area'}
    """

    __slots__ = ("_name", "_ids", "_details", "_areas", "_params")

    def __init__(
        self,
        name: str,
        ids: Sequence[str] | np.ndarray | pd.Index,
        details: pd.DataFrame,
        areas: pd.DataFrame,
        params: Mapping[str, Any] | None = None,
    ):
        ids = pd.Index(list(ids), dtype=object, name="zone")
        problems = []
        if ids.has_duplicates:
            problems.append("repeated zone ids")
        if details.index.has_duplicates:
            problems.append("zones listed twice in details")
        extra = details.index.difference(ids)
        if len(extra):
            problems.append(
                f"{len(extra)} detail rows for unknown zones (first: "
                f"{', '.join(map(str, extra[:3]))})"
            )
        if areas.index.has_duplicates:
            problems.append("repeated area ids")
        if "centres" in areas.columns and any(not isinstance(c, tuple) for c in areas["centres"]):
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

    # ------------------------------------------------------------------ building
    @classmethod
    def from_attachment(
        cls,
        graph: FlowGraph,
        attachment: Attachment,
        cores: Sequence[np.ndarray],
        *,
        layer: str,
        kind: str | Sequence[str],
        names: Sequence[str | None] | None = None,
        classes: Sequence[float] = DEFAULT_CLASSES,
        params: Mapping[str, Any] | None = None,
        area_extra: pd.DataFrame | None = None,
    ) -> Partition:
        """The Partition of an attachment, as the network-constraint layers produce it.

        Parameters
        ----------
        graph : FlowGraph
            The zones (ids, names) the attachment is over.
        attachment : object
            The engine's record, one entry per zone (graph order) in arrays: ``area`` (index
            into ``cores``, -1 unassigned), ``order`` (0 centre, 1, 2, ... member, -1
            unassigned), ``share`` (of the attaching link, NaN if none), ``via`` (position of
            the zone joined through, -1 if none), ``role`` and ``reason`` (object arrays, as
            the columns of :attr:`details`). Any object with these attributes will do.
        cores : list of int arrays
            Central zone positions of each area; an area's id joins its centres' ids
            with ``+``. Areas no zone belongs to are left out.
        layer : str
            The layer name.
        kind : str or list of str
            The kind of every area, or one per core.
        names : list of str or None, optional
            Area names (default: the centres' zone names joined with ``+``).
        classes : tuple of float
            Strength classes of the links: a member's ``strength`` is the highest class its
            share reaches (NaN below the lowest).
        params : mapping, optional
            What produced the layer.
        area_extra : DataFrame, optional
            Extra area columns, indexed by area id.

        Returns
        -------
        Partition

        See Also
        --------
        regionalize.Partition.from_codes : For methods that give area codes only.

        Examples
        --------
        >>> import numpy as np, types
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0], [5, 5, 0], [0, 0, 9]], ["a", "b", "c"])
        >>> att = types.SimpleNamespace(
        ...     area=np.array([0, 0, -1]), order=np.array([0, 1, -1]),
        ...     share=np.array([np.nan, 0.5, np.nan]), via=np.array([-1, 0, -1]),
        ...     role=np.array(["centre", "member", "unassigned"], dtype=object),
        ...     reason=np.array([None, None, "no link to a centre"], dtype=object))
        >>> p = rz.Partition.from_attachment(g, att, [np.array([0])], layer="toy", kind="metro")
        >>> p.areas.to_dict("index")
        {'a': {'name': 'a', 'centres': ('a',), 'kind': 'metro', 'n_zones': 2}}
        >>> p.labels.to_dict(), p.details.at["b", "via"], float(p.details.at["b", "strength"])
        ({'a': 'a', 'b': 'a', 'c': None}, 'a', 0.2)
        """
        details, areas = _attachment_tables(
            graph, attachment, cores, kind=kind, names=names, classes=classes, area_extra=area_extra
        )
        return cls(layer, graph.ids.to_numpy(), details, areas, params)

    @classmethod
    def from_codes(
        cls,
        graph: FlowGraph,
        codes: np.ndarray,
        *,
        layer: str,
        kind: str,
        centres: Sequence[np.ndarray] | None = None,
        reasons: np.ndarray | None = None,
        roles: np.ndarray | None = None,
        params: Mapping[str, Any] | None = None,
        area_extra: pd.DataFrame | None = None,
    ) -> Partition:
        """A Partition from per-zone area codes (``0..k-1``, ``-1`` for unassigned), as the
        methods without an attachment (clusterings, merge trees) produce them.

        Parameters
        ----------
        graph : FlowGraph
            The zones the codes are over (graph order).
        codes : int array
            Area code per zone; codes need not be consecutive.
        layer, kind : str
            The layer name and the kind of every area.
        centres : list of int arrays, optional
            Central zone positions for each code (in ``np.unique`` order of the assigned
            codes), for methods that have centres. Without them the method has no centres:
            each area is identified and named by its zone with the most jobs (ties: zone
            order), which stays a plain member (the area's ``centres`` tuple is empty).
        reasons : object array, optional
            Why each unassigned zone is unassigned (default: "not in any area of <layer>").
        roles : object array, optional
            Override roles (e.g. ``"enclave"``); default: centres "centre", others "member".
        params : mapping, optional
            What produced the layer.
        area_extra : DataFrame, optional
            Extra area columns, one row per area in ``np.unique`` order of the codes; a
            column whose name the area table already has gets the suffix ``_method``.

        Returns
        -------
        Partition

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(
        ...     [("a", "a", 5), ("a", "b", 3), ("b", "b", 9), ("c", "c", 4)],
        ...     columns=["origin", "destination", "flow"]))
        >>> p = rz.Partition.from_codes(g, np.array([0, 0, -1]), layer="toy", kind="cluster")
        >>> p.labels.to_dict()
        {'a': 'b', 'b': 'b', 'c': None}
        >>> p.unassigned.to_dict()
        {'c': 'not in any area of toy'}
        """
        attachment, cores = _codes_attachment(
            graph, codes, layer=layer, centres=centres, reasons=reasons, roles=roles
        )
        details, areas = _attachment_tables(graph, attachment, cores, kind=kind)
        if centres is None:  # no centres: the identifying zone stays out of the centres
            areas["centres"] = [()] * len(areas)
            details.loc[details["role"] == "centre", "role"] = "member"
            details["order"] = pd.array([pd.NA] * len(details), dtype="Int64")
        if area_extra is not None:
            extra = area_extra.reset_index(drop=True)
            extra.index = areas.index
            extra = extra.rename(
                columns={c: f"{c}_method" for c in extra.columns if c in areas.columns}
            )
            areas = areas.join(extra)
        return cls(layer, graph.ids.to_numpy(), details, areas, params)

    # ------------------------------------------------------------------ checks
    def validate(self) -> None:
        """Raise if a zone is neither in an area nor unassigned with a reason, or if the
        area table and the zone labels disagree.

        The constructor calls it: a Partition that exists is valid.

        Raises
        ------
        InvalidZonesError
            Listing every problem: unassigned zones without a reason, unknown roles, roles
            that disagree with the area, areas missing from the area table or empty, area
            sizes (``n_zones``) that disagree with the labels, centres outside their area.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0], [5, 5, 0], [0, 0, 9]], ["a", "b", "c"])
        >>> p = rz.metropolitan_areas(g, ["a"])
        >>> p.validate()  # nothing to say
        >>> details = p.details
        >>> details.loc["c", "reason"] = None
        >>> rz.Partition("toy", p.ids, details, p.areas)
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidZonesError: Invalid partition 'toy': 1 unassigned zones without a reason (first: c).
        """
        d = self._details
        missing_cols = [c for c in DETAIL_COLUMNS if c not in d.columns]
        missing_area_cols = [c for c in AREA_COLUMNS if c not in self._areas.columns]
        if missing_cols or missing_area_cols:
            raise InvalidZonesError(
                f"Partition {self._name!r}: missing columns {missing_cols + missing_area_cols}."
            )
        problems = []
        unassigned = d["area"].isna()
        no_reason = unassigned & d["reason"].isna()
        if no_reason.any():
            problems.append(
                f"{int(no_reason.sum())} unassigned zones without a reason "
                f"(first: {', '.join(d.index[no_reason][:3])})"
            )
        bad_role = ~d["role"].isin(ROLES)
        if bad_role.any():
            problems.append(f"{int(bad_role.sum())} zones with an unknown role")
        role_mismatch = unassigned != (d["role"] == "unassigned")
        if role_mismatch.any():
            problems.append(
                f"{int(role_mismatch.sum())} zones whose role disagrees with their area"
            )
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
            raise InvalidZonesError(
                f"Invalid partition {self._name!r}: " + "; ".join(problems) + "."
            )

    # ------------------------------------------------------------------ access
    @property
    def name(self) -> str:
        """The layer name (``"metropolitan"``, ``"urban"``, ...)."""
        return self._name

    @property
    def ids(self) -> pd.Index:
        """Every zone id, in graph order."""
        return self._ids

    @property
    def details(self) -> pd.DataFrame:
        """Per-zone table (area, role, order, share, strength, via, reason), a copy."""
        return self._details.copy()

    @property
    def areas(self) -> pd.DataFrame:
        """Per-area table (name, centres, kind, n_zones and the layer's extra columns), a copy."""
        return self._areas.copy()

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameters that produced the layer and what it records about its run (read-only)."""
        return MappingProxyType(self._params)

    @property
    def labels(self) -> pd.Series:
        """Area id per zone (None when unassigned), indexed by zone id."""
        out = self._details["area"].astype(object)
        return out.where(out.notna(), None).rename(self._name)

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self._areas)

    @property
    def unassigned(self) -> pd.Series:
        """The reason of every unassigned zone, indexed by zone id."""
        d = self._details
        return d.loc[d["area"].isna(), "reason"].copy()

    def members(self, area: str) -> pd.Index:
        """Ids of the zones of ``area`` (KeyError naming the layer when there is no such area).

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0], [5, 5, 0], [0, 0, 9]], ["a", "b", "c"])
        >>> rz.metropolitan_areas(g, ["a"]).members("a").tolist()
        ['a', 'b']
        """
        if area not in self._areas.index:
            raise KeyError(f"no area {area!r} in layer {self._name!r}")
        return self._details.index[self._details["area"] == area]

    def codes(self) -> np.ndarray:
        """Integer area codes per zone (in :attr:`areas` order), -1 for unassigned.

        Returns
        -------
        numpy.ndarray
            One int64 code per zone, in :attr:`ids` order: the form clustering measures
            (e.g. :func:`regionalize.compare.compare`) and plots take.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0, 0], [5, 5, 0, 0], [0, 0, 9, 1], [0, 0, 0, 7]],
        ...                              list("abcd"))
        >>> rz.metropolitan_areas(g, ["a", "c"]).codes()
        array([ 0,  0,  1, -1])
        """
        lookup = pd.Series(np.arange(self.n_areas), index=self._areas.index)
        return lookup.reindex(self._details["area"]).fillna(-1).to_numpy(dtype=np.int64)

    def __len__(self) -> int:
        return self.n_areas

    def __iter__(self):
        return iter(self._areas.index)

    def sizes(self) -> pd.Series:
        """Number of zones per area.

        Returns
        -------
        pandas.Series
            ``n_zones`` indexed by area id, in :attr:`areas` order.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0, 0], [5, 5, 0, 0], [0, 0, 9, 1], [0, 0, 0, 7]],
        ...                              list("abcd"))
        >>> rz.metropolitan_areas(g, ["a", "c"]).sizes().to_dict()
        {'a': 2, 'c': 1}
        """
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
            notes.append(
                f"{n_geo} zone{'' if n_geo == 1 else 's'} without a polygon, exempt from contiguity"
            )
        text = (
            f"<Partition {self._name!r}: {self.n_areas} areas over {len(self._ids)} zones"
            f" ({'; '.join(notes)})"
        )
        if self.n_areas == 0 and self.empty_reason:
            text += f": {self.empty_reason}"
        return text + ">"

    def equals(self, other: Partition) -> bool:
        """Whether ``other`` is a Partition with the same zones, details and areas.

        The parameters (:attr:`params`) are not compared.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0], [5, 5, 0], [0, 0, 9]], ["a", "b", "c"])
        >>> p = rz.metropolitan_areas(g, ["a"])
        >>> p.equals(rz.metropolitan_areas(g, ["a"], tau=0.3))  # b still joins a (share 0.5)
        True
        >>> p.equals(rz.metropolitan_areas(g, ["a"], tau=0.6))  # b stays out
        False
        """
        return (
            isinstance(other, Partition)
            and self._ids.equals(other._ids)
            and self._details.equals(other._details)
            and self._areas.equals(other._areas)
        )


def _attachment_tables(
    graph, res: Attachment, cores, *, kind, names=None, classes=DEFAULT_CLASSES, area_extra=None
):
    """The details and areas tables of an attachment (areas with no zone left out)."""
    ids = graph.ids.to_numpy()
    zname = zone_names(graph)
    aid = area_ids(graph, cores)
    kinds = [kind] * len(cores) if isinstance(kind, str) else list(kind)
    names = names or [None] * len(cores)
    area_of = np.array(aid + [None], dtype=object)[np.where(res.area >= 0, res.area, len(aid))]
    via = np.where(res.via >= 0, ids[np.maximum(res.via, 0)], None)
    order = pd.array(np.where(res.order >= 0, res.order, 0), dtype="Int64")
    order[res.order < 0] = pd.NA
    if (res.role == "enclave").any():
        order[res.role == "enclave"] = pd.NA
    index = pd.Index(ids, name="zone")

    def text(values):  # object dtype: None stays None (pandas' str dtype would make it NaN)
        return pd.Series(np.asarray(values, dtype=object), index=index, dtype=object)

    details = pd.DataFrame(
        {
            "area": text(area_of),
            "role": text(res.role),
            "order": pd.Series(order, index=index),
            "share": pd.Series(res.share, index=index),
            "strength": pd.Series(strength_class(res.share, classes), index=index),
            "via": text(via),
            "reason": text(res.reason),
        },
        index=index,
    )
    counts = np.bincount(res.area[res.area >= 0], minlength=len(cores))
    znames = zname.to_numpy(dtype=object)  # one array, not a Series lookup per area
    areas = pd.DataFrame(
        {
            "name": [n if n else "+".join(znames[c]) for n, c in zip(names, cores, strict=True)],
            "centres": [tuple(ids[c]) for c in cores],
            "kind": kinds,
            "n_zones": counts,
        },
        index=pd.Index(aid, name="area"),
    )
    if area_extra is not None:
        areas = areas.join(area_extra)
    return details, areas.loc[counts > 0]


def _codes_attachment(graph, codes, *, layer, centres, reasons, roles):
    """Per-zone area codes as an engine attachment, with the cores of the areas: the given
    centres, or (no centres) each area's zone with the most jobs (ties: zone order)."""
    codes = np.asarray(codes, dtype=np.int64)
    n = len(codes)
    used, area = np.unique(codes[codes >= 0], return_inverse=True)
    dense = np.full(n, -1, np.int64)
    dense[codes >= 0] = area
    k = len(used)
    jobs = np.asarray(graph.jobs, float)
    if centres is None:
        zones = np.flatnonzero(dense >= 0)
        order = zones[np.lexsort((zones, -jobs[zones], dense[zones]))]
        first = np.ones(len(order), bool)
        first[1:] = dense[order][1:] != dense[order][:-1]
        heads = order[first]
        cores = [np.array([h]) for h in heads]
        role = np.where(dense >= 0, "member", "unassigned").astype(object)
    else:
        cores = [np.sort(np.asarray(c, dtype=np.int64)) for c in centres]
        if len(cores) != k:
            raise ValueError(f"{len(cores)} centre groups for {k} areas")
        role = np.where(dense >= 0, "member", "unassigned").astype(object)
        for c in cores:
            role[c] = "centre"
    if roles is not None:
        role = np.where(dense >= 0, roles, "unassigned").astype(object)
    reason = np.full(n, None, dtype=object)
    if reasons is not None:
        reason[dense < 0] = np.asarray(reasons, dtype=object)[dense < 0]
    missing = (dense < 0) & pd.isna(reason)
    reason[missing] = f"not in any area of {layer}"
    order = np.where(role == "centre", 0, np.where(dense >= 0, 1, -1))
    res = Attachment(
        dense, order.astype(np.int64), np.full(n, np.nan), np.full(n, -1, np.int64), role, reason
    )
    return res, cores
