"""Scoring groupings that planners propose (alliances, mergers, planning regions) against
how people actually commute: :func:`~regionalize.evaluate_grouping` and its result,
:class:`GroupingEvaluation`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._areas import quotient
from ._core.shares import link_components, resolve_share
from ._ids import leading_zero_hint, normalise_ids
from .errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter
from .partition import Partition

if TYPE_CHECKING:
    from .flows import FlowGraph


__all__ = ["evaluate_grouping", "GroupingEvaluation"]


class GroupingEvaluation:
    """The result of :func:`regionalize.evaluate_grouping`.

    Attributes
    ----------
    groups : DataFrame
        Per group (index ``group``): ``n_zones``, ``residents``, ``jobs``, ``internal``
        (flows between the group's zones, diagonal included when present), ``sc_supply``
        (internal / residents), ``sc_demand`` (internal / jobs), ``pulled_members``; with a
        reference layer, ``reference_areas`` (the names of the reference areas the group
        spans, None for its unassigned zones) and ``main_area_share`` (the share of its
        residents in the main one); with suggestions, ``sc_supply_after_suggestions`` (the
        supply-side self-containment once they are applied).
    members : DataFrame
        Per member zone (index ``zone``): ``name``, ``group``, ``share_to_group`` (its
        share to the other members), ``strongest_other`` (the other group, reference area
        or single outside zone it sends most to), ``other_kind`` (``"group"``, ``"area"``
        or ``"zone"``), ``share_to_other`` and ``pulled`` (the tie elsewhere is stronger).
    suggestions : DataFrame
        The smallest change towards a functional grouping, one row per change: ``group``,
        ``action`` (``"drop"`` a member pulled elsewhere, or ``"add"`` an outside zone
        sending at least ``tau`` to the group and more than to anywhere else), ``zone``,
        ``name``, ``towards`` and ``share``.
    notes : list of str
        Caveats, e.g. flows without a diagonal.

    Examples
    --------
    Zones a and b commute together; c sends 90% of its workers to d, outside the group:

    >>> import pandas as pd
    >>> rows = [("a", "a", 50), ("a", "b", 50), ("b", "b", 100), ("c", "c", 10),
    ...         ("c", "d", 90), ("d", "d", 100)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> ev = rz.evaluate_grouping(g, {"ab+c": ["a", "b", "c"]})
    >>> ev
    <GroupingEvaluation of 1 groups, 3 member zones (1 pulled elsewhere)>
    >>> groups = ev.groups[["sc_supply", "pulled_members", "sc_supply_after_suggestions"]]
    >>> groups  # doctest: +NORMALIZE_WHITESPACE
           sc_supply  pulled_members  sc_supply_after_suggestions
    group
    ab+c         0.7               1                          1.0
    >>> members = ev.members[["share_to_group", "strongest_other", "share_to_other", "pulled"]]
    >>> members  # doctest: +NORMALIZE_WHITESPACE
          share_to_group strongest_other  share_to_other  pulled
    zone
    a                0.5             NaN             0.0   False
    b                0.0             NaN             0.0   False
    c                0.0               d             0.9    True
    """

    def __init__(self, groups, members, suggestions, notes):
        self.groups = groups
        self.members = members
        self.suggestions = suggestions
        self.notes = notes

    def __repr__(self) -> str:
        pulled = int(self.members["pulled"].sum())
        return (
            f"<GroupingEvaluation of {len(self.groups)} groups, "
            f"{len(self.members)} member zones ({pulled} pulled elsewhere)>"
        )


def _grouping_codes(graph, grouping) -> tuple[np.ndarray, list[str]]:
    if isinstance(grouping, Mapping):
        p = Problems("Invalid grouping")
        codes = np.full(graph.n_zones, -1, np.int64)
        names = []
        for gi, (name, members) in enumerate(grouping.items()):
            if isinstance(members, str):
                members = [members]
            ids = normalise_ids(list(members), what=f"ids of {name!r}")
            pos = graph.ids.get_indexer(ids)
            p.add(
                f"ids of {name!r} not in the graph",
                list(ids[pos < 0]),
                fix="Use the graph's zone ids (text, with leading zeros)."
                + leading_zero_hint(ids[pos < 0], graph.ids),
            )
            pos = pos[pos >= 0]
            p.add("zones in two groups", list(graph.ids[pos[codes[pos] >= 0]]))
            codes[pos] = gi
            names.append(str(name))
        p.raise_if_any(InvalidZonesError)
        return codes, names
    labels = _grouping_series(grouping)
    idx = normalise_ids(labels.index, what="grouping zone ids")
    p = Problems("Invalid grouping")
    dup = idx[idx.duplicated()]
    p.add(
        "zones listed twice",
        list(dict.fromkeys(dup)),
        count=len(dup),
        fix="Each zone belongs to one group at most; keep one row per zone.",
    )
    unknown = idx[~idx.isin(graph.ids)]
    p.add(
        "zone ids not in the graph",
        list(unknown),
        count=len(unknown),
        fix="Use the graph's zone ids (text, with leading zeros)."
        + leading_zero_hint(unknown, graph.ids.difference(idx)),
    )
    p.raise_if_any(InvalidZonesError)
    labels = pd.Series(labels.to_numpy(dtype=object), index=idx).reindex(graph.ids)
    fac, uniques = pd.factorize(labels, sort=True)
    return fac.astype(np.int64), [str(u) for u in uniques]


def _grouping_series(grouping) -> pd.Series:
    """Zone id -> group from a Partition, a Series, or a DataFrame (a ``zone`` column and one
    other column, or the zone ids as index and one column)."""
    if isinstance(grouping, Partition):
        return grouping.labels
    if isinstance(grouping, pd.DataFrame):
        df = grouping
        if "zone" in df.columns:
            df = df.set_index("zone")
        if df.shape[1] != 1:
            raise InvalidParameterError(
                "The 'grouping' parameter of evaluate_grouping, as a DataFrame, must hold the "
                "zone ids (a 'zone' column, or the index) and one group column. Got columns "
                f"{', '.join(map(repr, map(str, grouping.columns)))} instead."
            )
        return df.iloc[:, 0]
    if isinstance(grouping, pd.Series):
        return grouping
    raise InvalidParameterError(
        "The 'grouping' parameter of evaluate_grouping must be a mapping {group name: [zone "
        "ids]}, a Partition, a Series (zone id -> group) or a DataFrame (zone, group). Got "
        f"{type(grouping).__name__} instead."
    )


def evaluate_grouping(
    graph: FlowGraph,
    grouping,
    *,
    against: Partition | None = None,
    tau: float = 0.10,
    share: str = "auto",
) -> GroupingEvaluation:
    """Score a proposed grouping of zones against the flows (and a reference layer).

    Parameters
    ----------
    graph : FlowGraph
    grouping : mapping ``{group name: [zone ids]}``, Partition, Series or DataFrame
        A Series maps zone id -> group; a DataFrame holds a ``zone`` column (or the zone
        ids as index) and one group column. Zones outside every group are "outside". Ids
        not in the graph, or a zone listed twice, are an error whatever the container.
    against : Partition, optional
        A layer to compare with (e.g. the metropolitan or urban areas): where each group's
        residents fall, and each member's strongest reference area outside its group.
    tau : float
        Threshold for suggesting outside zones to add.
    share : {"auto", "residents", "outcommuters", "jobs", "either"}
        How a member's ties are measured, as in :class:`~regionalize.MetropolitanAreas`:
        ``F[i, j] / R_i`` over the employed residents (``"residents"``), over those working
        outside their zone (``"outcommuters"``, for tables without a diagonal), the share of
        zone i's jobs held by residents of j (``"jobs"``), or either of the first and third.
        ``"auto"``: ``"residents"`` with a diagonal, ``"outcommuters"`` without.

    Returns
    -------
    GroupingEvaluation
        ``groups`` (self-containment per group), ``members`` (each member's ties, and
        whether it is pulled elsewhere), ``suggestions`` (members to drop, zones to add)
        and ``notes``.

    Raises
    ------
    InvalidZonesError
        Ids not in the graph, or a zone in two groups (or listed twice).
    InvalidParameterError
        A grouping of another type, or a DataFrame without one group column.

    See Also
    --------
    regionalize.compare.compare : Agreement between two complete partitions.
    regionalize.quality.area_quality : Self-containment of every area of a partition.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "a", 50), ("a", "b", 50), ("b", "b", 100), ("c", "c", 10),
    ...         ("c", "d", 90), ("d", "d", 100)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> ev = rz.evaluate_grouping(g, {"ab+c": ["a", "b", "c"]})
    >>> ev.members["pulled"].to_dict()
    {'a': False, 'b': False, 'c': True}
    >>> ev.suggestions[["action", "zone", "towards"]].to_dict("records")
    [{'action': 'drop', 'zone': 'c', 'towards': 'd'}]

    Against a reference layer, the group spans two metropolitan areas, b's and d's:

    >>> metro = rz.metropolitan_areas(g, ["b", "d"])
    >>> ev = rz.evaluate_grouping(g, {"ab+c": ["a", "b", "c"]}, against=metro)
    >>> ev.groups[["reference_areas", "main_area_share"]].round(3).to_dict("records")
    [{'reference_areas': ('b', 'd'), 'main_area_share': 0.667}]
    """
    tau = check_parameter("evaluate_grouping", "tau", tau, interval=(0, 1), closed="right")
    codes, names = _grouping_codes(graph, grouping)
    k = len(names)
    n = graph.n_zones
    share = resolve_share(share, graph.has_diagonal, "evaluate_grouping")
    components, _ = link_components(graph, share)
    link = components[0]
    for comp in components[1:]:
        link = sp.csr_array(link.maximum(comp))
    ids = graph.ids.to_numpy()
    names_z = graph.zones["name"].astype(str).to_numpy() if "name" in graph.zones.columns else ids
    ref = against.codes() if against is not None else None
    # reference areas are reported by name (planners read names; ids stay in the layer)
    ref_ids = list(against.areas["name"]) if against is not None else []

    # group-level flows from the sparse quotient (group k = everything outside)
    g_codes = np.where(codes >= 0, codes, k)
    q = quotient(graph.matrix, g_codes, k + 1)  # sparse: only its diagonal is needed
    r = np.bincount(g_codes, weights=graph.residents, minlength=k + 1)[:k]
    w = np.bincount(g_codes, weights=graph.jobs, minlength=k + 1)[:k]
    internal = q.diagonal()[:k]

    # member ties: share to own group (other members) vs the strongest other target
    lc = link.tocoo()
    other_target = np.where(ref >= 0, ref + k + 1, -1) if ref is not None else np.full(n, -1)
    rows = []
    for z in np.flatnonzero(codes >= 0):
        lo, hi = link.indptr[z], link.indptr[z + 1]
        idx, val = link.indices[lo:hi], link.data[lo:hi]
        own = float(val[codes[idx] == codes[z]].sum())
        # candidate other targets: other groups, reference areas (outside the own group),
        # and single outside zones
        cand = {}
        for j, v in zip(idx.tolist(), val.tolist(), strict=True):
            if codes[j] == codes[z]:
                continue
            if codes[j] >= 0:
                key = ("group", names[codes[j]])
            elif ref is not None and other_target[j] >= 0:
                key = ("area", ref_ids[ref[j]])
            else:
                key = ("zone", ids[j])
            cand[key] = cand.get(key, 0.0) + v
        best = max(cand.items(), key=lambda kv: (kv[1], kv[0])) if cand else (("", None), 0.0)
        rows.append(
            {
                "zone": ids[z],
                "name": names_z[z],
                "group": names[codes[z]],
                "share_to_group": own,
                "strongest_other": best[0][1],
                "other_kind": best[0][0] or None,
                "share_to_other": best[1],
                "pulled": best[1] > own,
            }
        )
    del lc
    members = (
        pd.DataFrame(rows).set_index("zone")
        if rows
        else pd.DataFrame(
            columns=[
                "name",
                "group",
                "share_to_group",
                "strongest_other",
                "other_kind",
                "share_to_other",
                "pulled",
            ]
        )
    )

    groups = pd.DataFrame(
        {
            "n_zones": np.bincount(codes[codes >= 0], minlength=k),
            "residents": r,
            "jobs": w,
            "internal": internal,
        },
        index=pd.Index(names, name="group"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        groups["sc_supply"] = np.where(r > 0, internal / r, np.nan)
        groups["sc_demand"] = np.where(w > 0, internal / w, np.nan)
    groups["pulled_members"] = (
        members.groupby("group")["pulled"].sum().reindex(groups.index, fill_value=0).astype(int)
        if len(members)
        else 0
    )
    if ref is not None:
        spans, main_share = [], []
        for gi in range(k):
            in_g = codes == gi
            res = pd.Series(graph.residents[in_g]).groupby(ref[in_g]).sum()
            labels = [ref_ids[c] if c >= 0 else None for c in res.index]
            spans.append(tuple(labels))
            main_share.append(float(res.max() / res.sum()) if res.sum() > 0 else np.nan)
        groups["reference_areas"] = spans
        groups["main_area_share"] = main_share

    # suggestions: drop pulled members; add outside zones tied to the group
    sugg = []
    for z, row in members[members["pulled"]].iterrows() if len(members) else []:
        sugg.append(
            {
                "group": row["group"],
                "action": "drop",
                "zone": z,
                "name": row["name"],
                "towards": row["strongest_other"],
                "share": row["share_to_other"],
            }
        )
    out_rows = np.flatnonzero(codes < 0)
    to_group = sp.csr_array(
        link
        @ sp.csr_array(
            (np.ones(int((codes >= 0).sum())), (np.flatnonzero(codes >= 0), codes[codes >= 0])),
            shape=(n, max(k, 1)),
        )
    )
    for z in out_rows:
        lo, hi = to_group.indptr[z], to_group.indptr[z + 1]
        if lo == hi:
            continue
        gi = to_group.indices[lo:hi][np.argmax(to_group.data[lo:hi])]
        v = to_group.data[lo:hi].max()
        lo2, hi2 = link.indptr[z], link.indptr[z + 1]
        outside_best = link.data[lo2:hi2][codes[link.indices[lo2:hi2]] < 0].max(initial=0.0)
        if v >= tau and v > outside_best:
            sugg.append(
                {
                    "group": names[gi],
                    "action": "add",
                    "zone": ids[z],
                    "name": names_z[z],
                    "towards": names[gi],
                    "share": float(v),
                }
            )
    suggestions = pd.DataFrame(
        sugg, columns=["group", "action", "zone", "name", "towards", "share"]
    )
    if len(suggestions):
        after = []
        for gi, name in enumerate(names):
            new = codes == gi
            s_ = suggestions[suggestions["group"] == name]
            new[graph.ids.get_indexer(pd.Index(s_.loc[s_["action"] == "drop", "zone"]))] = False
            new[graph.ids.get_indexer(pd.Index(s_.loc[s_["action"] == "add", "zone"]))] = True
            sub = graph.matrix[new][:, new].sum()
            rr = graph.residents[new].sum()
            after.append(sub / rr if rr > 0 else np.nan)
        groups["sc_supply_after_suggestions"] = after
    notes = []
    if not graph.has_diagonal:
        notes.append(
            "the flows have no diagonal: self-containment counts only flows between "
            "different zones of a group"
        )
    return GroupingEvaluation(groups, members, suggestions, notes)
