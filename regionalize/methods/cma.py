"""Statistics Canada census metropolitan areas (CMA) and census agglomerations (CA).

The 2021 Census delineation rules, in their order of priority, over the zones of a
FlowGraph (Statistics Canada's building blocks are census subdivisions, CSDs):

1. core: the zones of each core (given, or found by a population rule);
2. forward commuting: at least ``min_commuters`` commuters and at least ``forward_share``
   of the employed labour force living in the zone work in the core;
3. reverse commuting: at least ``min_commuters`` commuters and at least ``reverse_share``
   of the employed labour force working in the zone live in the core;
4. spatial contiguity: enclaves (zones whose every neighbour is in the area) are filled,
   pieces not connected to the core are dropped;
5. historical comparability: not implemented (see the Notes of the estimator);
6. merge: a CA adjacent to a CMA joins it when the commuting interchange (both directions)
   is at least ``merge_share`` of the employed labour force living in the CA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._areas import DEFAULT_CLASSES, area_ids, matrix_cells, membership, quotient
from .._attach import contiguity_for, contiguity_params
from .._base import Estimator, checked_call
from .._centres import parse_centres
from .._checks import number, optional_number, text
from .._core.constraint import Attachment, absorb, detached
from .._core.shares import strength_class
from ..errors import InvalidParameterError
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["CensusMetropolitanAreas", "census_metropolitan_areas"]

CORE = "core"
FORWARD = "forward commuting"
REVERSE = "reverse commuting"
ENCLAVE = "contiguity (enclave)"
MERGED = "merged CA"

NO_DATA = "no employed residents and no jobs (no commuting data)"
MINIMUM = "meets a commuting share but has fewer commuters than the minimum (min_commuters)"
DROPPED = "not contiguous to the core (dropped)"
UNCLASSIFIED = "unclassified (no population)"
HISTORICAL = (
    "not implemented: it needs the previous census's delineation and Statistics Canada's "
    "case-by-case review of boundary changes"
)


def _below(forward_share, reverse_share) -> str:
    if forward_share is not None and reverse_share is not None:
        return "below both commuting thresholds"
    if forward_share is not None:
        return "below the forward commuting threshold (reverse rule off)"
    if reverse_share is not None:
        return "below the reverse commuting threshold (forward rule off)"
    return "no commuting rule is on (forward_share and reverse_share are None)"


class CensusMetropolitanAreas(Estimator):
    """Statistics Canada census metropolitan areas (CMA) and census agglomerations (CA).

    A CMA or CA is a core with the zones around it that are tied to it by commuting; the
    published rules are applied in their order of priority (core, forward commuting,
    reverse commuting, spatial contiguity), then adjacent CAs merge into CMAs by commuting
    interchange. Every zone records the rule that brought it in.

    **Complexity**: the commuting rules are sparse products of the flows with the
    zone-to-core matrix, ``O(m)``; contiguity is one connected-components pass over the
    adjacency; the merge works on the area-to-area flows. Memory ``O(n + m)``.

    Parameters
    ----------
    centres : mapping or list, optional
        The cores, as zone ids: one id per core, lists of ids (a core over several zones),
        or ``{name: id or ids}``. Statistics Canada's core is a population centre (a
        built-up area of at least 10,000 people, 50,000 for a CMA) and its delineation
        core the CSDs with at least half their population in it; here the core is the
        zones you give. When None, every zone with a population (``population``) of at
        least ``ca_core_population`` is a core of its own: the whole zone's population
        stands for the population centre, which a table of zones cannot see.
    population : str, optional
        The zone-table column of total population, or ``"residents"`` to let the
        employed residents stand in for it. Needed by the population rule (``centres``
        None) and to tell CMAs from CAs; without it areas are "unclassified (no
        population)" and the merge rule is skipped.
    forward_share : float in (0, 1] or None
        Forward commuting rule (default 0.50): a zone joins a core when at least this
        share of its employed residents work in the core. None turns the rule off.
    reverse_share : float in (0, 1] or None
        Reverse commuting rule (default 0.25): a zone joins a core when at least this
        share of the people working in it live in the core. None turns the rule off.
    min_commuters : float
        The minimum number of commuters of both commuting rules (default 100): the flow
        from the zone to the core (forward) or from the core to the zone (reverse).
    contiguity : "auto", None or Contiguity
        Adjacency for the spatial contiguity rule and the merge rule ("auto": from the
        zone polygons). Without it both rules are skipped, and recorded as skipped.
    merge_share : float or None
        Merge rule (default 0.35): a CA adjacent to a CMA merges into it when the
        commuters between them, both directions, are at least this share of the employed
        labour force living in the CA. None turns the rule off.
    cma_population, cma_core_population, ca_core_population : float
        The population rule (defaults 100,000, 50,000 and 10,000): an area is a CMA when
        its total population is at least ``cma_population`` and its core's at least
        ``cma_core_population``, else a CA; with ``centres`` None a zone is a core when
        its population is at least ``ca_core_population``.

    Attributes
    ----------
    partition_ : Partition
        The CMAs and CAs (layer ``"cma"``). ``details`` has, besides the usual columns,
        ``rule`` (``"core"``, ``"forward commuting"``, ``"reverse commuting"``,
        ``"contiguity (enclave)"``, ``"merged CA"``, None when unassigned), ``kind``
        (``"CMA"``, ``"CA"``), ``commuters`` (the flow of the rule that brought the zone
        in), ``merged_from`` (the CA a merged zone came from) and ``ca_rule`` (its rule in
        that CA); ``share`` is the share of that rule and ``via`` the core zone of the
        largest flow. ``areas`` adds ``population``, ``core_population`` and
        ``merged_cas``. ``params["rules"]`` says what each rule did, or why it was skipped.
    labels_ : Series
        The area of each zone (None when unassigned).
    interchange_ : DataFrame
        Every CA adjacent to a CMA (``ca``, ``cma``) with the ``interchange``, whether it
        reaches ``merge_share`` (``qualifies``) and whether the CA merged there
        (``merged``; a CA qualifying with several CMAs joins the one of highest
        interchange).

    See Also
    --------
    regionalize.methods.census_metropolitan_areas : the same, as a function.
    regionalize.methods.CoreBasedAreas : the OMB metropolitan areas, its US counterpart.

    Notes
    -----
    Implemented as published: the forward and reverse commuting rules (thresholds and the
    100-commuter minimum), their priority (a zone meeting the forward rule for any core
    joins by it; among cores under the same rule, the largest flow wins, ties to the
    first core), the filling of enclaves and the dropping of pieces not connected to the
    core, and the CA-CMA merge at 35% of the CA's resident employed labour force.

    Approximated or missing, for want of data:

    - the core: Statistics Canada works from population centres inside the CSDs (and a
      CSD joins the delineation core when half its population lives in the population
      centre); zones are taken whole here, as given or by the population rule;
    - historical comparability (rule 5: CSDs kept from the previous delineation) needs
      the previous census's CMAs and CAs and Statistics Canada's review of boundary
      changes; it is not implemented, and ``params["rules"]`` says so;
    - the manual adjustments of earlier censuses and the retirement of CAs whose core
      falls below 10,000 (a matter of successive censuses) are not modelled;
    - the shares are computed from the flows of the graph (its employed residents and
      jobs); Statistics Canada leaves out workers with no fixed workplace address.

    Spatial contiguity runs in three steps: enclaves (groups of unassigned zones whose
    every neighbour is in one area) are filled, pieces not connected to their core are
    dropped, and what a dropped piece leaves enclosed by another area is filled there.
    Zones without a neighbour (islands, zones without a polygon) are never dropped.
    Without zone polygons the edge of the study region is unknown: a group of unassigned
    zones whose every neighbour is in one area is filled even on that edge.

    References
    ----------
    Statistics Canada (2022). Census metropolitan area (CMA) and census agglomeration
    (CA). *Dictionary, Census of Population, 2021*, Catalogue no. 98-301-X.
    https://www12.statcan.gc.ca/census-recensement/2021/ref/dict/az/Definition-eng.cfm?ID=geo009

    Statistics Canada (2022). Figure 1.8, Reverse commuting flow rule, and Figure 1.11,
    Example of a merged census metropolitan area (CMA) and census agglomeration (CA).
    *Dictionary, Census of Population, 2021*.

    Statistics Canada (2011). *Census metropolitan area and census agglomeration
    tutorial*, Catalogue no. 92-195-X (the rules in their order of priority).

    Examples
    --------
    A core C; F sends 60% of its 250 workers (150) to C; 120 of the 420 people working
    in R live in C (29%); X sends 60% of its workers to C, but only 90 of them:

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[1000, 0, 120, 0], [150, 100, 0, 0],
    ...                                        [0, 0, 300, 0], [90, 0, 0, 60]]),
    ...                              ["C", "F", "R", "X"])
    >>> m = rz.methods.CensusMetropolitanAreas(["C"]).fit(g)
    >>> m.labels_.to_dict()
    {'C': 'C', 'F': 'C', 'R': 'C', 'X': None}
    >>> m.partition_.details["rule"].to_dict()
    {'C': 'core', 'F': 'forward commuting', 'R': 'reverse commuting', 'X': None}
    >>> m.partition_.unassigned["X"]
    'meets a commuting share but has fewer commuters than the minimum (min_commuters)'
    """

    def __init__(
        self,
        centres=None,
        *,
        population: str | None = None,
        forward_share: float | None = 0.50,
        reverse_share: float | None = 0.25,
        min_commuters: float = 100,
        contiguity="auto",
        merge_share: float | None = 0.35,
        cma_population: float = 100_000,
        cma_core_population: float = 50_000,
        ca_core_population: float = 10_000,
    ):
        self.centres = centres
        self.population = population
        self.forward_share = forward_share
        self.reverse_share = reverse_share
        self.min_commuters = min_commuters
        self.contiguity = contiguity
        self.merge_share = merge_share
        self.cma_population = cma_population
        self.cma_core_population = cma_core_population
        self.ca_core_population = ca_core_population

    _constraints = {
        "population": text(what="the name of a zone-table column, or 'residents'"),
        "forward_share": optional_number(interval=(0, 1), closed="right"),
        "reverse_share": optional_number(interval=(0, 1), closed="right"),
        "min_commuters": number(),
        "merge_share": optional_number(interval=(0, 2), closed="right"),
        "cma_population": number(),
        "cma_core_population": number(),
        "ca_core_population": number(),
    }

    def fit(self, graph: FlowGraph) -> CensusMetropolitanAreas:
        """Delineate the CMAs and CAs of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        CensusMetropolitanAreas
            ``self``, with ``partition_``, ``labels_`` and ``interchange_`` set.

        Raises
        ------
        InvalidParameterError
            When ``centres`` is None and ``population`` is not given, or ``population``
            is not a numeric zone-table column.
        InvalidZonesError
            When a centre is not a zone of the graph, or is given twice.

        Examples
        --------
        Two adjacent cores: A (a CMA of 120,000 people) and B (a CA of 20,000). 300 of
        B's 900 employed residents work in A and 100 of A's residents work in B: an
        interchange of 400 / 900 = 44% of B's labour force, above 35%, so B merges into A.

        >>> import numpy as np
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix(np.array([[5000, 100], [300, 600]]), ["A", "B"])
        >>> g = g.with_zones(pd.DataFrame({"pop": [120_000, 20_000]}, index=["A", "B"]))
        >>> touching = rz.Contiguity.from_sparse(np.array([[0, 1], [0, 0]]), ["A", "B"])
        >>> m = rz.methods.CensusMetropolitanAreas(
        ...     ["A", "B"], population="pop", contiguity=touching).fit(g)
        >>> m.interchange_.round(3)
          ca cma  interchange  qualifies  merged
        0  B   A        0.444       True    True
        >>> m.partition_.details[["area", "kind", "rule", "merged_from"]]  # doctest: +NORMALIZE_WHITESPACE
             area kind       rule merged_from
        zone
        A       A  CMA       core        None
        B       A  CMA  merged CA           B
        """
        owner = type(self).__name__
        n = graph.n_zones
        pop = _population(graph, self.population, owner)
        if self.centres is None:
            if pop is None:
                raise InvalidParameterError(
                    f"{owner} finds its cores by the population rule when centres is None, "
                    "which needs population=: the name of a zone-table column of total "
                    f"population (columns: {', '.join(map(str, graph.zones.columns)) or 'none'}"
                    "), or 'residents'. Or give the cores as centres=[zone ids]."
                )
            big = np.flatnonzero(pop >= self.ca_core_population)
            big = big[np.lexsort((big, -pop[big]))]
            cores = [np.array([z], np.int64) for z in big]
            centre_text = (
                f"population rule: each zone with a population ({self.population}) of at "
                f"least {self.ca_core_population:g} is a core"
            )
        else:
            cores, _ = parse_centres(graph, self.centres, owner)
            centre_text = f"given ({len(cores)} cores)"
        k = len(cores)
        core_code = np.full(n, -1, np.int64)
        for a, c in enumerate(cores):
            core_code[c] = a
        rules: dict[str, str] = {CORE: centre_text}

        # rules 2 and 3: forward, then reverse commuting, first order only
        st = _commuting(
            graph, core_code, k, self.forward_share, self.reverse_share, self.min_commuters
        )
        area, rule, share, commuters, via, reason = st
        for name, value, what in (
            (FORWARD, self.forward_share, "of the employed residents work in the core"),
            (REVERSE, self.reverse_share, "of the jobs are held by residents of the core"),
        ):
            rules[name] = (
                f"off ({'forward' if name == FORWARD else 'reverse'}_share=None)"
                if value is None
                else f"at least {self.min_commuters:g} commuters and {value:.0%} {what}: "
                f"{int((rule == name).sum())} zones"
            )

        # rule 4: spatial contiguity
        contig = contiguity_for(graph, self.contiguity)
        role = np.where(core_code >= 0, "centre", np.where(area >= 0, "member", "unassigned"))
        role = role.astype(object)
        if contig is None:
            rules["spatial contiguity"] = (
                "skipped: no contiguity (attach polygons or pass contiguity=)"
            )
        else:
            filled, dropped = _spatial(
                contig, cores, core_code, area, rule, share, commuters, via, role, reason
            )
            rules["spatial contiguity"] = f"{filled} enclaves filled, {dropped} zones dropped"
        rules["historical comparability"] = HISTORICAL
        if k == 0:
            no_core = (
                "no core: no zone has a population of at least ca_core_population "
                f"({self.ca_core_population:g})"
                if self.centres is None
                else "no core: centres is empty"
            )
            reason[:] = no_core

        # kinds: CMA or CA, by the population of the area and of its core
        if pop is not None:
            total = np.bincount(area[area >= 0], weights=pop[area >= 0], minlength=k)
            core_pop = np.array([pop[c].sum() for c in cores], dtype=float)
            is_cma = (total >= self.cma_population) & (core_pop >= self.cma_core_population)
            kinds = np.where(is_cma, "CMA", "CA").astype(object)
        else:
            total = np.full(k, np.nan)
            core_pop = np.full(k, np.nan)
            kinds = np.full(k, UNCLASSIFIED, dtype=object)

        # rule 6: merge of a CA into an adjacent CMA
        ids = area_ids(graph, cores)
        merged_into = np.full(k, -1, np.int64)
        self.interchange_ = pd.DataFrame(
            {
                "ca": pd.Series([], dtype=object),
                "cma": pd.Series([], dtype=object),
                "interchange": pd.Series([], dtype=float),
                "qualifies": pd.Series([], dtype=bool),
                "merged": pd.Series([], dtype=bool),
            }
        )
        if self.merge_share is None:
            rules[MERGED] = "off (merge_share=None)"
        elif pop is None:
            rules[MERGED] = "skipped: needs population= to tell CMAs from CAs"
        elif contig is None:
            rules[MERGED] = "skipped: needs contiguity (which areas are adjacent)"
        elif k:
            table, merged_into = _merge(graph, area, k, contig[0], kinds, ids, self.merge_share)
            self.interchange_ = table
            rules[MERGED] = f"{int((merged_into >= 0).sum())} CAs merged into CMAs"

        self.partition_ = _partition(
            graph,
            cores,
            ids,
            area,
            rule,
            share,
            commuters,
            via,
            role,
            reason,
            kinds,
            total,
            core_pop,
            merged_into,
            params={
                "standard": "Statistics Canada, Census of Population 2021",
                **self.get_params(),
                "centres": [list(graph.ids[c]) for c in cores],
                "centre_rule_text": centre_text,
                **({"empty_reason": reason[0]} if k == 0 and n else {}),
                **contiguity_params(graph, contig),
                "rules": rules,
            },
        )
        self.labels_ = self.partition_.labels
        return self


def _population(graph, population, owner: str) -> np.ndarray | None:
    """The population of each zone: a numeric zone column (NaN as 0), or the residents."""
    if population is None:
        return None
    if population == "residents":
        return np.asarray(graph.residents, float)
    cols = graph.zones.columns
    if population not in cols:
        raise InvalidParameterError(
            f"The 'population' parameter of {owner} names the zone column {population!r}, "
            f"which the zone table does not have (columns: {', '.join(map(str, cols)) or 'none'}"
            "). Join it with graph.with_zones(...), pass 'residents', or give centres=."
        )
    try:
        values = graph.zones[population].to_numpy(dtype=float, na_value=0.0)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The 'population' parameter of {owner} names the zone column {population!r}, "
            "which is not numeric; pass a column of numbers."
        ) from None
    if (values < 0).any():
        raise InvalidParameterError(
            f"The 'population' column {population!r} of {owner} has negative values; "
            "populations must be >= 0."
        )
    return values


def _commuting(graph, core_code, k, forward_share, reverse_share, min_commuters):
    """Rules 2 and 3 for every zone outside the cores: the core of each zone (or -1), its
    rule, share, commuters, the core zone of its largest flow, and the reason of the
    zones left out."""
    n = len(core_code)
    f = sp.csr_array(graph.matrix, dtype=float)
    res = np.asarray(graph.residents, float)
    jobs = np.asarray(graph.jobs, float)
    area = core_code.copy()
    rule = np.where(core_code >= 0, CORE, None).astype(object)
    share = np.full(n, np.nan)
    commuters = np.full(n, np.nan)
    via = np.full(n, -1, np.int64)
    near = np.zeros(n, bool)
    p = membership(core_code, k)
    steps = (
        (FORWARD, forward_share, f, res),  # flows zone -> core zones, over its residents
        (REVERSE, reverse_share, sp.csr_array(f.T), jobs),  # core zones -> zone, over jobs
    )
    for name, threshold, m, denom in steps:
        if threshold is None or k == 0:
            continue
        c = sp.coo_array(m @ p)
        rows, cols, vals = c.row, c.col, c.data
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(denom[rows] > 0, vals / np.where(denom[rows] > 0, denom[rows], 1), 0)
        free = area[rows] < 0
        meets = free & (vals > 0) & (s >= threshold)
        near[rows[meets & (vals < min_commuters)]] = True
        ok = meets & (vals >= min_commuters)
        r, a, sv, v = rows[ok], cols[ok], s[ok], vals[ok]
        o = np.lexsort((a, -v, r))  # per zone: the largest flow, ties to the first core
        r, a, sv, v = r[o], a[o], sv[o], v[o]
        first = np.ones(len(r), bool)
        first[1:] = r[1:] != r[:-1]
        r, a, sv, v = r[first], a[first], sv[first], v[first]
        area[r] = a
        rule[r] = name
        share[r] = sv
        commuters[r] = v
        # via: the zone of the core with the largest flow (ties: the first zone)
        e = sp.coo_array(m)
        joined = np.zeros(n, bool)
        joined[r] = True
        keep = joined[e.row] & (core_code[e.col] == area[e.row]) & (e.data > 0)
        er, ec, ev = e.row[keep], e.col[keep], e.data[keep]
        o = np.lexsort((ec, -ev, er))
        er, ec = er[o], ec[o]
        head = np.ones(len(er), bool)
        head[1:] = er[1:] != er[:-1]
        via[er[head]] = ec[head]
    reason = np.full(n, None, dtype=object)
    out = area < 0
    reason[out] = _below(forward_share, reverse_share)
    reason[out & near] = MINIMUM
    reason[out & (res <= 0) & (jobs <= 0)] = NO_DATA
    return area, rule, share, commuters, via, reason


def _spatial(contig, cores, core_code, area, rule, share, commuters, via, role, reason):
    """Rule 4, in place: fill enclaves (groups of unassigned zones whose every neighbour is
    in one area, not on the edge of the region), drop the zones not connected to their
    core, then fill what the dropped zones leave enclosed by another area. Returns the
    numbers of zones filled and dropped."""
    adj, exempt, exterior, missing = contig[0], contig[1], contig[2], contig[3]
    order = np.where(core_code >= 0, 0, np.where(area >= 0, 1, -1)).astype(np.int64)
    res = Attachment(area, order, share, via, role, reason)
    absorb(res, adj, None, cores, None, exterior)
    gone = detached(area, order, adj, exempt, missing=missing, via=via)
    area[gone] = -1
    role[gone] = "unassigned"
    reason[gone] = DROPPED
    rule[gone] = None
    via[gone] = -1
    share[gone] = np.nan
    commuters[gone] = np.nan
    absorb(res, adj, None, cores, None, exterior)
    filled = role == "enclave"
    rule[filled] = ENCLAVE
    return int(filled.sum()), int((gone & (area < 0)).sum())


def _merge(graph, area, k, adjacency, kinds, ids, merge_share):
    """Rule 6: each CA adjacent to a CMA with an interchange of at least ``merge_share``
    of the CA's resident employed labour force merges into the CMA of highest interchange
    (ties: the first). Returns the table of adjacent CA-CMA pairs and, per area, the CMA
    it merged into (or -1)."""
    adj = sp.coo_array(adjacency)
    ca_, cb_ = area[adj.row], area[adj.col]
    ok = (ca_ >= 0) & (cb_ >= 0) & (kinds[np.maximum(ca_, 0)] == "CA")
    ok &= kinds[np.maximum(cb_, 0)] == "CMA"
    touch = sp.csr_array((np.ones(int(ok.sum())), (ca_[ok], cb_[ok])), shape=(k, k)).tocoo()
    pairs = np.unique(np.stack([touch.row, touch.col], axis=1), axis=0).reshape(-1, 2)
    q = quotient(graph.matrix, area, k)
    lf = np.bincount(
        area[area >= 0], weights=np.asarray(graph.residents, float)[area >= 0], minlength=k
    )
    c, m = pairs[:, 0], pairs[:, 1]
    flows = matrix_cells(q, c, m) + matrix_cells(q, m, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(lf[c] > 0, flows / np.where(lf[c] > 0, lf[c], 1), 0.0)
    qualifies = value >= merge_share
    merged_into = np.full(k, -1, np.int64)
    best = np.zeros(len(c), bool)
    o = np.flatnonzero(qualifies)
    o = o[np.lexsort((m[o], -value[o], c[o]))]
    seen: set[int] = set()
    for i in o.tolist():
        if int(c[i]) not in seen:
            seen.add(int(c[i]))
            merged_into[c[i]] = m[i]
            best[i] = True
    table = pd.DataFrame(
        {
            "ca": pd.Series([ids[i] for i in c], dtype=object),
            "cma": pd.Series([ids[i] for i in m], dtype=object),
            "interchange": value,
            "qualifies": qualifies,
            "merged": best,
        }
    )
    return table, merged_into


def _partition(
    graph,
    cores,
    ids,
    area,
    rule,
    share,
    commuters,
    via,
    role,
    reason,
    kinds,
    total,
    core_pop,
    merged_into,
    *,
    params,
):
    """The Partition of the CMAs and CAs, with the rule of every zone."""
    n = graph.n_zones
    k = len(cores)
    zone_ids = graph.ids.to_numpy()
    merged_from = np.full(n, None, dtype=object)
    ca_rule = np.full(n, None, dtype=object)
    final = area.copy()
    final_role = role.copy()
    for a in np.flatnonzero(merged_into >= 0):
        z = np.flatnonzero(area == a)
        final[z] = merged_into[a]
        merged_from[z] = ids[a]
        ca_rule[z] = rule[z]
        final_role[z] = np.where(role[z] == "enclave", "enclave", "member")
    rule = rule.copy()
    rule[merged_from != None] = MERGED  # noqa: E711 (object array)
    used = np.unique(final[final >= 0])
    centres = [cores[a] for a in used]
    merged_cas = [tuple(ids[c] for c in np.flatnonzero(merged_into == a)) for a in used]
    base = Partition.from_codes(
        graph,
        final,
        layer="cma",
        kind="CMA",
        centres=centres,
        reasons=reason,
        roles=final_role,
        params=params,
    )
    details = base.details
    kind_of = np.array(list(kinds) + [None], dtype=object)
    zone_kind = kind_of[np.where(final >= 0, final, k)]
    details["share"] = share
    details["strength"] = strength_class(share, DEFAULT_CLASSES)
    details["via"] = np.where(via >= 0, zone_ids[np.maximum(via, 0)], None).astype(object)
    details["rule"] = pd.Series(rule, index=details.index, dtype=object)
    details["kind"] = pd.Series(zone_kind, index=details.index, dtype=object)
    details["commuters"] = commuters
    details["merged_from"] = pd.Series(merged_from, index=details.index, dtype=object)
    details["ca_rule"] = pd.Series(ca_rule, index=details.index, dtype=object)
    areas = base.areas
    pop_after = np.array([total[a] + total[merged_into == a].sum() for a in used], dtype=float)
    areas["kind"] = [kinds[a] for a in used]
    areas["population"] = pop_after
    areas["core_population"] = [core_pop[a] for a in used]
    areas["merged_cas"] = merged_cas
    return Partition("cma", zone_ids, details, areas, base.params)


@checked_call
def census_metropolitan_areas(
    graph: FlowGraph,
    centres=None,
    *,
    population: str | None = None,
    forward_share: float | None = 0.50,
    reverse_share: float | None = 0.25,
    min_commuters: float = 100,
    contiguity="auto",
    merge_share: float | None = 0.35,
    cma_population: float = 100_000,
    cma_core_population: float = 50_000,
    ca_core_population: float = 10_000,
) -> Partition:
    """Statistics Canada census metropolitan areas and census agglomerations of ``graph``:
    the layer of :class:`CensusMetropolitanAreas`.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    centres : mapping or list, optional
        The cores, as zone ids: one id per core, lists of ids, or ``{name: id or ids}``.
        When None, every zone with a population of at least ``ca_core_population`` is a
        core (the population rule; needs ``population``).
    population : str, optional
        The zone-table column of total population, or ``"residents"``. Needed by the
        population rule and to tell CMAs from CAs (without it: "unclassified (no
        population)", and no merge).
    forward_share : float in (0, 1] or None
        Forward commuting rule (default 0.50): share of a zone's employed residents
        working in the core. None turns the rule off.
    reverse_share : float in (0, 1] or None
        Reverse commuting rule (default 0.25): share of the people working in a zone who
        live in the core. None turns the rule off.
    min_commuters : float
        Minimum commuters of both commuting rules (default 100).
    contiguity : "auto", None or Contiguity
        Adjacency for the spatial contiguity and merge rules ("auto": from the polygons;
        without it both are skipped).
    merge_share : float or None
        Merge rule (default 0.35): commuters between a CA and an adjacent CMA, both
        directions, as a share of the CA's resident employed labour force. None: off.
    cma_population, cma_core_population, ca_core_population : float
        CMA: total population at least ``cma_population`` (100,000) and core population
        at least ``cma_core_population`` (50,000); the population rule's core: at least
        ``ca_core_population`` (10,000).

    Returns
    -------
    Partition
        ``CensusMetropolitanAreas(...).fit(graph).partition_``: details with ``rule``,
        ``kind``, ``commuters``, ``merged_from`` and ``ca_rule``; unassigned zones with
        their reason.

    See Also
    --------
    regionalize.methods.CensusMetropolitanAreas : the estimator, its Notes say which
        rules are implemented exactly and which are approximated.

    References
    ----------
    Statistics Canada (2022). Census metropolitan area (CMA) and census agglomeration
    (CA). *Dictionary, Census of Population, 2021*, Catalogue no. 98-301-X.

    Examples
    --------
    Zone B sends 55% of its 200 workers (110) to the core A and joins it; C sends 60%,
    but only 60 commuters, below the minimum of 100:

    >>> import numpy as np
    >>> g = rz.FlowGraph.from_matrix(np.array([[900, 0, 0], [110, 90, 0], [60, 0, 40]]),
    ...                              ["A", "B", "C"])
    >>> p = rz.methods.census_metropolitan_areas(g, ["A"])
    >>> p.labels.to_dict()
    {'A': 'A', 'B': 'A', 'C': None}
    >>> p.details.loc["B", ["rule", "share", "commuters"]].to_dict()
    {'rule': 'forward commuting', 'share': 0.55, 'commuters': 110.0}
    """
    return (
        CensusMetropolitanAreas(
            centres,
            population=population,
            forward_share=forward_share,
            reverse_share=reverse_share,
            min_commuters=min_commuters,
            contiguity=contiguity,
            merge_share=merge_share,
            cma_population=cma_population,
            cma_core_population=cma_core_population,
            ca_core_population=ca_core_population,
        )
        .fit(graph)
        .partition_
    )
