"""Megaregions: groupings of metropolitan and urban areas by the interaction between them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._base import Estimator, checked_call
from .._checks import (
    boolean,
    check_graph,
    check_ids,
    check_layer,
    number,
    optional_number,
    short_repr,
    text,
)
from .._core.constraint import Attachment
from .._core.growth import grow_regions
from .._explain import report_empty
from .._ids import normalise_ids
from ..errors import InvalidParameterError, InvalidZonesError, Problems
from ..partition import Partition
from ..quality import interchange

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["Megaregions", "megaregions", "interchange"]

WEAK = "interaction below the threshold with every megaregion"
NOT_GIVEN = "not in any of the given megaregions"
NO_SEED = "the metropolitan layer has 0 areas, so no megaregion has a seed"


class Megaregions(Estimator):
    """Megaregions seeded by the metropolitan areas.

    Every metropolitan area seeds one megaregion. Urban areas outside them — and, with
    ``include_unassigned``, zones in no area — join, in rounds, the megaregion with which
    their employment interchange measure (see :func:`regionalize.quality.interchange`) is largest, when it is at
    least ``threshold``. Joined units count with their megaregion in the next round, so
    chains form until nothing changes. Seeds whose interchange reaches ``merge_threshold``
    are merged first. Alternatively, ``groups`` gives the megaregions directly.

    **Complexity**: the flows between areas come from one aggregation, ``O(m)``; the seeds
    merge through connected components of the interchange graph; the first round of
    attaching the other areas reads the area-level flows once, ``O(m_a)`` with m_a the
    non-zero flows between areas, and each later round only the links of the units next to
    those that just joined (their interchange is the only one that changed), so all rounds
    together cost about ``O(m_a)`` too. Memory ``O(n + m)``. Measured: time grows as
    zones^1.0 (flows^0.98) on synthetic countries of 10k-100k zones (0.44 s at 100k).

    Parameters
    ----------
    threshold : float in (0, 1]
        Interchange needed to join (default 0.15, the OMB combined-area level).
    merge_threshold : float, optional
        Interchange at which two seed metropolitan areas form one megaregion.
    include_unassigned : bool
        Let zones outside every urban and metropolitan area join too.
    groups : mapping, optional
        ``{megaregion name: [zone ids]}``: user-given megaregions (validated: a zone in at most
        one group, whole urban and metropolitan areas not split).
    name : str, optional
        Layer name (default ``"megaregion"``).

    Attributes
    ----------
    partition_ : Partition
        One area per megaregion, named after its seeds (``"S+E"`` for merged seeds); the
        central zones of its metropolitan areas are its centres. Zones that joined no
        megaregion are unassigned with the reason "interaction below the threshold with
        every megaregion".
    labels_ : pandas.Series
        Megaregion id per zone (None when unassigned).

    Warns
    -----
    UserWarning
        When the metropolitan layer has no area (so no megaregion has a seed) and no
        ``groups`` are given; the partition's ``empty_reason`` and every zone's reason say so.

    See Also
    --------
    regionalize.megaregions : the function twin, returning the Partition.
    regionalize.quality.interchange : the employment interchange measure.
    regionalize.methods.CoreBasedAreas : OMB's combined statistical areas, built on the
        same measure.

    References
    ----------
    U.S. Office of Management and Budget (2010). 2010 Standards for delineating
    metropolitan and micropolitan statistical areas. *Federal Register* 75(123),
    37246-37252.

    Examples
    --------
    Two metropolitan areas (S with A, E with D) and a town T with U; V sends little to
    anyone. The urban area of T exchanges at least 15% with E's megaregion (its residents
    working there plus its jobs held by E's residents) and joins it:

    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("E", "E", 280),
    ...         ("E", "S", 60), ("S", "E", 40), ("E", "T", 40), ("D", "D", 110),
    ...         ("D", "E", 40), ("T", "T", 200), ("T", "E", 20), ("U", "U", 80),
    ...         ("U", "T", 30), ("V", "V", 50), ("V", "T", 2)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> metro = rz.metropolitan_areas(g, ["S", "E"], tau=0.1)
    >>> urban = rz.urban_areas(g, metro, tau=0.1)
    >>> rz.Megaregions().fit(g, metro, urban).labels_.to_dict()
    {'A': 'S', 'D': 'E', 'E': 'E', 'S': 'S', 'T': 'E', 'U': 'E', 'V': None}

    The two seeds exchange more than 10%: with ``merge_threshold=0.1`` they form one
    megaregion.

    >>> mr = rz.Megaregions(merge_threshold=0.1).fit(g, metro, urban)
    >>> mr.partition_.areas[["name", "n_zones"]]
    ... # doctest: +NORMALIZE_WHITESPACE
         name  n_zones
    area
    E+S   S+E        6
    """

    layer = "megaregion"

    def __init__(
        self,
        *,
        threshold: float = 0.15,
        merge_threshold: float | None = None,
        include_unassigned: bool = True,
        groups: Mapping | None = None,
        name: str | None = None,
    ):
        self.threshold = threshold
        self.merge_threshold = merge_threshold
        self.include_unassigned = include_unassigned
        self.groups = groups
        self.name = name

    _constraints = {
        "threshold": number(interval=(0, 1), closed="right"),
        "merge_threshold": optional_number(interval=(0, 1), closed="right"),
        "include_unassigned": boolean,
        "name": text(),
    }

    def fit(
        self, graph: FlowGraph, metropolitan: Partition, urban: Partition | None = None
    ) -> Megaregions:
        """Group the metropolitan (and urban) areas of ``graph`` into megaregions.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).
        metropolitan : Partition
            The metropolitan layer over the same zones: each of its areas seeds a megaregion.
        urban : Partition, optional
            The urban layer, whose areas may join a megaregion.

        Returns
        -------
        Megaregions
            ``self``, with ``partition_`` and ``labels_`` set.

        Examples
        --------
        Megaregions given by the user are checked against the layers (whole areas only);
        each is identified by its first zone and keeps the name given:

        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("E", "E", 280),
        ...         ("E", "S", 60), ("D", "D", 110), ("D", "E", 40), ("T", "T", 200)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> metro = rz.metropolitan_areas(g, ["S", "E"], tau=0.1)
        >>> mr = rz.Megaregions(groups={"North": ["S", "A"], "South": ["E", "D", "T"]})
        >>> mr.fit(g, metro).labels_.to_dict()
        {'A': 'S', 'D': 'E', 'E': 'E', 'S': 'S', 'T': 'E'}
        >>> mr.partition_.areas[["name", "n_zones"]]
        ... # doctest: +NORMALIZE_WHITESPACE
               name  n_zones
        area
        S     North        2
        E     South        3
        """
        owner = type(self).__name__
        check_graph(owner, graph)
        check_layer(owner, "metropolitan", metropolitan, graph, allow_none=False)
        check_layer(owner, "urban", urban, graph)
        if self.groups is not None and not isinstance(self.groups, Mapping):
            raise InvalidParameterError(
                f"The 'groups' parameter of {owner} must be a mapping {{megaregion name: [zone "
                f"ids]}} or None. Got {short_repr(self.groups)} instead."
            )
        n = graph.n_zones
        ids = graph.ids
        mcodes = metropolitan.codes()
        # units: each metropolitan area, each urban area outside them, each other zone
        unit = np.full(n, -1, np.int64)
        unit[mcodes >= 0] = mcodes[mcodes >= 0]
        k_seed = metropolitan.n_areas
        nxt = k_seed
        if urban is not None:
            ucodes = urban.codes()
            outside = (mcodes < 0) & (ucodes >= 0)
            _, inv = np.unique(ucodes[outside], return_inverse=True)
            unit[outside] = inv + nxt
            nxt += inv.max() + 1 if outside.any() else 0
        rest = unit < 0
        unit[rest] = np.arange(rest.sum()) + nxt
        n_units = int(unit.max()) + 1
        area = np.full(n, -1, np.int64)

        seed_cores = [np.sort(ids.get_indexer(list(c))) for c in metropolitan.areas["centres"]]
        names = list(metropolitan.areas["name"])
        if self.groups is not None:
            area, cores, names = self._given(graph, unit)
        else:
            q = graph.aggregate(unit, dissolve=False)
            region = np.full(n_units, -1, np.int64)
            region[:k_seed] = np.arange(k_seed)
            if self.merge_threshold is not None and k_seed > 1:
                e = interchange(q.matrix, q.residents, q.jobs)[:k_seed][:, :k_seed]
                e = sp.csr_array(e.maximum(e.T))
                e.data = (e.data >= self.merge_threshold).astype(float)
                e.eliminate_zeros()
                from scipy.sparse.csgraph import connected_components

                _, lab = connected_components(e, directed=False)
                first = {}
                for s_, lab_ in enumerate(lab):
                    first.setdefault(lab_, s_)
                region[:k_seed] = [first[x] for x in lab]
            movable = np.ones(n_units, bool)
            movable[:k_seed] = False
            if not self.include_unassigned:
                movable[np.unique(unit[rest])] = False
            region = grow_regions(
                q.matrix, region, movable, q.residents, q.jobs, self.threshold, k_seed
            )
            area = region[unit]
            used = np.unique(region[:k_seed])
            cores = [
                np.concatenate([seed_cores[s_] for s_ in range(k_seed) if region[s_] == g])
                for g in used
            ]
            names = ["+".join(names[s_] for s_ in range(k_seed) if region[s_] == g) for g in used]
            remap = np.full(max(k_seed, 1), -1, np.int64)
            remap[used] = np.arange(len(used))
            area = np.where(area >= 0, remap[np.maximum(area, 0)], -1)
        role = np.where(area >= 0, "member", "unassigned").astype(object)
        for ci, c in enumerate(cores):
            role[c[area[c] == ci]] = "centre"
        params = self.get_params()
        reason = np.where(area >= 0, None, NOT_GIVEN if self.groups is not None else WEAK)
        layer = self.name or self.layer
        if len(cores) == 0 and self.groups is None:
            params["empty_reason"] = NO_SEED
            reason[:] = NO_SEED
            why = metropolitan.params.get("empty_reason")
            report_empty(
                layer,
                NO_SEED,
                [
                    "the metropolitan layer is empty"
                    + (f" ({why})" if why else "")
                    + ": change its parameters first",
                    "give the megaregions yourself: groups={name: [zone ids]}",
                ],
            )
        res = Attachment(
            area=area,
            order=np.where(role == "centre", 0, -1).astype(np.int64),
            share=np.full(n, np.nan),
            via=np.full(n, -1, np.int64),
            role=role,
            reason=reason.astype(object),
        )
        self.partition_ = Partition.from_attachment(
            graph,
            res,
            [np.sort(c) for c in cores],
            layer=layer,
            kind="megaregion",
            names=names,
            params=params,
        )
        self.labels_ = self.partition_.labels
        return self

    def _given(self, graph, unit):
        n = graph.n_zones
        area = np.full(n, -1, np.int64)
        p = Problems("Invalid megaregion groups")
        names, cores = [], []
        for gi, (name, members) in enumerate(self.groups.items()):
            zid = normalise_ids(
                check_ids(type(self).__name__, "groups", members, label=f"group {name!r}, entry"),
                what="megaregion zone ids",
            )
            pos = graph.ids.get_indexer(zid)
            p.add(f"ids of {name!r} not in the graph", list(zid[pos < 0]))
            pos = pos[pos >= 0]
            p.add("zones in two megaregions", list(graph.ids[pos[area[pos] >= 0]]))
            area[pos] = gi
            names.append(str(name))
            cores.append(pos[:1])
        p.raise_if_any(InvalidZonesError)
        split = pd.DataFrame({"unit": unit, "area": area}).groupby("unit")["area"].nunique()
        if (split > 1).any():
            raise InvalidZonesError(
                f"Invalid megaregion groups: {int((split > 1).sum())} metropolitan or urban "
                "areas are split between megaregions; give whole areas."
            )
        return area, cores, names


@checked_call
def megaregions(
    graph: FlowGraph,
    metropolitan: Partition,
    urban: Partition | None = None,
    *,
    threshold: float = 0.15,
    merge_threshold: float | None = None,
    include_unassigned: bool = True,
    groups: Mapping | None = None,
    name: str | None = None,
) -> Partition:
    """Megaregions of ``graph``: :class:`Megaregions` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    metropolitan : Partition
        The metropolitan layer: each of its areas seeds a megaregion.
    urban : Partition, optional
        The urban layer, whose areas may join a megaregion.
    threshold : float in (0, 1]
        Interchange needed to join (default 0.15, the OMB combined-area level).
    merge_threshold : float, optional
        Interchange at which two seed metropolitan areas form one megaregion.
    include_unassigned : bool
        Let zones outside every urban and metropolitan area join too.
    groups : mapping, optional
        ``{megaregion name: [zone ids]}``: user-given megaregions (validated: a zone in at most
        one group, whole urban and metropolitan areas not split).
    name : str, optional
        Layer name (default ``"megaregion"``).

    Returns
    -------
    Partition
        The megaregion layer (``Megaregions(...).fit(graph, metropolitan, urban).partition_``).

    See Also
    --------
    regionalize.Megaregions : the estimator, with the fitted attributes.

    Examples
    --------
    Without an urban layer, single zones join in rounds: T exchanges more than 15% with
    E's metropolitan area and joins; U, tied to T, joins in the next round.

    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("A", "A", 130), ("A", "S", 70), ("E", "E", 280),
    ...         ("E", "S", 60), ("S", "E", 40), ("E", "T", 40), ("D", "D", 110),
    ...         ("D", "E", 40), ("T", "T", 200), ("T", "E", 20), ("U", "U", 80),
    ...         ("U", "T", 30)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> metro = rz.metropolitan_areas(g, ["S", "E"], tau=0.1)
    >>> rz.megaregions(g, metro).labels.to_dict()
    {'A': 'S', 'D': 'E', 'E': 'E', 'S': 'S', 'T': 'E', 'U': 'E'}
    """
    return (
        Megaregions(
            threshold=threshold,
            merge_threshold=merge_threshold,
            include_unassigned=include_unassigned,
            groups=groups,
            name=name,
        )
        .fit(graph, metropolitan, urban)
        .partition_
    )
