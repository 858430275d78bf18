"""Travel-to-work areas / labour market areas (Coombes & Bond 2008; Istat's LabourMarketAreas).

The UK travel-to-work-area method as Istat implemented it in the R package
``LabourMarketAreas`` (function ``findClusters``, version 3.4; Franconi, D'Alò & Ichim 2016).
Every zone starts as a cluster of its own. While some cluster is not *valid*, the least valid
cluster gives up one zone, which moves to the cluster it is most *cohesive* with, or to a
*reserve list* when that move would lower the validity of the receiving cluster or when the
zone has no link to any other cluster. When every cluster is valid, each reserve-list zone
joins the cluster it is most cohesive with, without any further validity check.

Validity of a cluster ``A`` with ``R_A`` employed residents, ``W_A`` jobs and ``C_AA`` people
living and working in it (parameters ``minSZ, minSC, tarSZ, tarSC``)::

    msc  = min(C_AA / R_A, C_AA / W_A)               # supply and demand self-containment
    Y    = min(msc / tarSC, 1)
    size = max((tarSZ - R_A) / (tarSZ - minSZ), 0)
    Z    = 1 - (1 - minSC / tarSC) * size
    validity = Y * Z * tarSC / minSC                 # valid iff validity >= 1

and the cohesion between clusters ``A`` and ``B`` is
``C_AB² / (R_A · W_B) + C_BA² / (R_B · W_A)``.

Choice points
-------------
The published description (Coombes & Bond 2008; Coombes 2014) leaves several choices open.
This module does, at each of them, what the reference R code does (read from the CRAN
sources, version 3.4); the few places where it cannot, or where an option departs from it,
are marked *not the reference*.

1. **Zone totals.** ``R`` and ``W`` are row and column sums of the flows between the zones the
   algorithm processes, the diagonal included; the graph's ``residents=``/``jobs=`` columns are
   not used. Flows to or from zero-list zones (point 2) are left out, as in the reference.
2. **Zero list.** Zones with no employed residents, no jobs, or whose only flow is internal
   (no interaction) are set aside and reported (``zero_``, unassigned in the partition). The
   check is repeated on the remaining flows until no zone fails it, as the reference does.
3. **Validity.** Exactly the formula above, with no separate ``R_A >= minSZ`` or
   ``msc >= minSC`` test: the reference has none (both failures already give a validity
   below 1). One addition of the reference is kept: a cluster whose self-containment is
   exactly 1 (no flow in or out) is valid whatever its size. "Valid" is ``>= 1`` with no
   tolerance: an area exactly on the published thresholds (``R = tarSZ, msc = minSC`` or
   ``R = minSZ, msc = tarSC``) evaluates to ``1 - 2**-53`` and is not valid, in R as here.
4. **Start and numbering.** Each zone alone, numbered ``1..n`` in zone order (the reference
   numbers communities by their sorted code; graph order is sorted ids). A cluster keeps the
   number of the cluster a zone moves into; these numbers drive the tie-breaks.
5. **Which cluster.** The least valid one; ties go to the smallest cluster number. The loop
   stops when the least validity is ``>= 1``.
6. **A one-zone cluster** is dissolved: its zone goes to the most cohesive cluster among those
   it exchanges commuters with (either direction, reserve list excluded). The move is kept
   only if the receiving cluster's validity does not decrease (``new >= old``); otherwise the
   zone goes to the reserve list (reference case "A"). A zone linked to no cluster goes to
   the reserve list too (case "B").
7. **A multi-zone cluster** gives up one zone per iteration, not all of them: the zone with
   the largest ``inflow from outside the cluster + all its outflows`` (the reference's
   ``NoToFrom + residents - live_work``: outflows to other zones of the same cluster count
   too; ties to the first zone in zone order). It moves as in point 6, to a cluster other
   than its own, or to the reserve list (case "C"); the other zones stay together.
8. **When that zone has no link to another cluster** (case "D"), it goes to the reserve list
   and its cluster is broken into one-zone pieces (numbered -1, -2, ... in zone order, as
   the reference does); then, ``k - 1`` times (``k`` the size of the broken cluster) and
   without a convergence test, the least valid cluster of all is handled: a piece moves as
   in point 6 (cases "E", "F"). If an ordinary cluster ``P`` is the least valid instead, the
   reference sends all of ``P`` to the reserve list when no piece exchanges commuters with
   it (case "F"), and otherwise stops with an error (its ``mergeCluster`` gets an empty
   regroup list); here the most cohesive such piece joins ``P`` (*not the reference*). Pieces
   still alone afterwards are ordinary clusters for the loop, with their negative numbers
   (which come first in the tie-breaks), and reserve-list zones for the final assignment,
   as in the reference (whose final pass takes every negative cluster). Two pieces or a
   piece and a reserve-list zone that share a negative number are one cluster to the
   reference; that collision is not reproduced (*not the reference*).
9. **Cohesion ties** (equal strength) go, as in the reference's row order, to a cluster that
   sends no commuter to the zone before one that does, then to the larger cluster number.
10. **Reserve list.** Zones there stay there until the end; flows to them count in the totals
    of the other clusters but in no cohesion.
11. **Stale validity after a partial dissolution** (``istat_quirks=True``, the default). After a
    multi-zone cluster gives up one zone (case 7, with a receiving cluster found), the
    reference relabels the remaining zones without re-aggregating its tables, so in the next
    iteration that cluster's validity is the *minimum* over every pair (member zone totals,
    one internal flow), and its *maximum* is the "old" validity if a zone moves into it then.
    This changes which cluster is picked now and then (once in 461 iterations on Sardinia);
    ``istat_quirks=False`` evaluates that cluster properly (*not the reference*).
12. **Final assignment.** Reserve-list zones are taken in decreasing zone order (the order the
    reference's sort leaves them in), each joining its most cohesive cluster; passes repeat
    while some zone joins. Zones with no link to any cluster stay unassigned (reported).
    Clusters that received such zones are flagged ``from_reserve`` and may be invalid.
13. **No centres.** Areas have no central zone; each is named after its zone with the most
    jobs (as the reference's ``AssignLmaName``).
14. **Contiguity** (``contiguity=``, *not the reference*, which only offers manual fine
    tuning afterwards): a zone may only move to, or be assigned to, a cluster with a member
    adjacent to it. Zones without any neighbour are not constrained.
15. **Arithmetic.** Totals are updated incrementally; with integer flows they equal the
    reference's recomputed sums exactly, with fractional flows they may differ in the last
    bits, which matters only for exact ties.
16. **Starting clusters** (``initial=``, the reference's ``PartialClusterData``) are numbered
    in the order of their first zone (the reference keeps the user's numbers, which only
    matter for tie-breaks).

Verification: on the flows of Sardinia (Istat 2011 parameters), Brindisi and the US
counties (UK 2011 parameters), and on 695 random graphs of 4 to 44 zones that reach every
reserve-list case, the partition, the iteration count and the reserve list (case, iteration,
cluster, validity, zone) equal those of the reference R code run on the same flows.
The loop keeps per-cluster residents, jobs and internal flow, and looks up only the rows and
columns of the zone being moved: on the US counties it runs in well under a second, where
the R package takes minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._base import Estimator, checked_call
from .._ids import normalise_ids
from ..errors import InvalidParameterError, InvalidZonesError, check_parameter
from ..partition import Partition
from ..quality import check_validity_params, cohesion, validity
from .ttwa_engine import Engine

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = [
    "LabourMarketAreas",
    "labour_market_areas",
    "validity",
    "cohesion",
    "UK_2011",
    "ISTAT_2011",
    "TTWA_PRESETS",
]

#: UK 2011 travel-to-work-area parameters (ONS): minSZ, minSC, tarSZ, tarSC
UK_2011 = {"min_size": 3500, "min_sc": 0.6667, "target_size": 25000, "target_sc": 0.75}
#: Istat 2011 labour-market-area parameters (also the package's examples)
ISTAT_2011 = {"min_size": 1000, "min_sc": 0.6667, "target_size": 10000, "target_sc": 0.75}

#: Named parameter sets of :class:`LabourMarketAreas` (``preset=``), read-only:
#:
#: - ``"uk2011"``: the ONS 2011 travel-to-work areas (Coombes & Bond 2008, *Travel-to-Work
#:   Areas: the 2007 review*, ONS; the same rules gave the 228 TTWAs of 2011): minimum size
#:   3,500 employed residents (economically active), target size 25,000, minimum
#:   self-containment 0.6667, target 0.75.
#: - ``"istat2011"``: Istat's 2011 labour market areas (sistemi locali del lavoro; Franconi,
#:   D'Alò & Ichim 2016, *Istat implementation of the algorithm to develop Labour Market
#:   Areas*; R package ``LabourMarketAreas``, whose Sardinia example this module reproduces
#:   with them): minimum size 1,000, target 10,000, minimum self-containment 0.6667,
#:   target 0.75.
TTWA_PRESETS = MappingProxyType(
    {"uk2011": MappingProxyType(dict(UK_2011)), "istat2011": MappingProxyType(dict(ISTAT_2011))}
)
_SIZES = ("min_size", "min_sc", "target_size", "target_sc")

#: reference reserve-list cases (Franconi, D'Alò & Ichim 2016)
CASES = {
    "A": "moving it would lower the validity of its most cohesive cluster",
    "B": "no commuting link to any other cluster",
    "C": "moving it out of its cluster would lower the validity of its most cohesive cluster",
    "D": "no commuting link to any cluster outside its own",
    "E": "moving it would lower the validity of its most cohesive cluster (broken cluster)",
    "F": "no commuting link to any cluster (broken cluster)",
    "piece": "piece of a broken cluster still alone at the end (treated as reserve)",
    "initial": "in the reserve list of 'initial'",
}


# ---------------------------------------------------------------------------- formulas
# ---------------------------------------------------------------------------- zero list
def _zero_list(m: sp.csr_array):
    """Zones set aside, round by round: (active mask, round per zone, reason per zone)."""
    n = m.shape[0]
    active = np.ones(n, bool)
    rounds = np.zeros(n, np.int64)
    reasons = np.full(n, None, dtype=object)
    diag = m.diagonal()
    k = 0
    while True:
        k += 1
        a = active.astype(float)
        r = np.asarray(m @ a).ravel() * a
        w = np.asarray(m.T @ a).ravel() * a
        no_r, no_w = active & (r == 0), active & (w == 0)
        alone = active & (diag > 0) & (diag == r) & (diag == w)
        out = no_r | no_w | alone
        if not out.any():
            break
        later = "" if k == 1 else " once the zones above were set aside"
        reasons[no_r & no_w & ~alone] = "no commuting flow" + later
        reasons[no_r & ~no_w] = "no employed residents" + later
        reasons[no_w & ~no_r] = "no jobs" + later
        reasons[alone] = "no commuting with other zones" + later
        rounds[out] = k
        active &= ~out
    return active, rounds, reasons


# ---------------------------------------------------------------------------- the estimator
class LabourMarketAreas(Estimator):
    """Travel-to-work / labour market areas by the Coombes & Bond (2008) validity loop.

    Every zone starts as a cluster of its own. While some cluster is not *valid* (big and
    self-contained enough), the least valid one gives up a zone, which moves to the cluster
    it is most *cohesive* with, or to a reserve list when that move would lower the
    receiving cluster's validity or when it has no link to another cluster. When every
    cluster is valid, the reserve-list zones join their most cohesive cluster. Follows
    Istat's reference implementation (R package ``LabourMarketAreas``, ``findClusters``)
    rule for rule (see the Notes).

    **Complexity**: every iteration moves one zone and touches only that zone's row and
    column and the clusters it exchanges commuters with, ``O(d log n)`` with d its number of
    partners (a heap keeps the least valid cluster); a cluster of k zones giving up one of
    them also reads its members' columns, ``O(k d)`` (k is 3 at the median, 52 at most on
    100,000 synthetic zones). The number of iterations is of the order of n (2,426 for the
    3,221 US counties, 131,049 for 100,000 synthetic zones). Measured with the UK 2011
    parameters on synthetic countries of 10k-100k zones (seed 0), time grows as
    zones^1.1 (flows^1.1); 100,000 zones take about 3.5 s. The loops that read a zone's
    row and column are compiled with numba when it is installed (the extra ``fast``);
    without it numpy gives the same results about three times more slowly. Memory
    ``O(n + m)``: the flow matrix, per-cluster totals, no cluster-by-cluster table.

    Parameters
    ----------
    preset : {"uk2011", "istat2011"} or None
        A named parameter set (see :data:`TTWA_PRESETS`): ``"uk2011"`` (default; ONS 2011
        TTWAs: 3,500, 0.6667, 25,000, 0.75) or ``"istat2011"`` (Istat 2011 labour market
        areas: 1,000, 0.6667, 10,000, 0.75). The four numbers below, when given, override
        it; with ``preset=None`` all four are required.
    min_size, min_sc, target_size, target_sc : float, optional
        ``minSZ`` (employed residents), ``minSC``, ``tarSZ``, ``tarSC``; None takes the
        preset's value. Require ``0 < min_sc <= target_sc <= 1`` and
        ``0 < min_size < target_size``. The values used, and the preset, are recorded in
        the partition's params.
    contiguity : None, "auto", "require" or Contiguity
        None (default, as the reference): flows only. Otherwise a zone may only move to a
        cluster with a member adjacent to it (a variant, not the reference); ``"auto"`` builds
        rook contiguity from the graph's polygons (islands linked to their nearest zone) and
        is off without polygons.
    istat_quirks : bool
        Reproduce the reference's stale validity of a cluster in the iteration after it gave
        up one of several zones (default True): the reference does not recompute that
        cluster's totals, and this now and then changes which cluster is handled next.
        False evaluates it properly (not the reference).
    initial : mapping or Series, optional
        Starting clusters (the reference's ``PartialClusterData``): a label per zone id;
        zones with a missing label start in the reserve list. Zero-list zones are always
        set aside. Default: every zone alone.
    max_iter : int, optional
        Safety cap on the loop (the reference has none); default ``100 · zones + 1000``.
    name : str, optional
        Layer name (default ``"ttwa"``).

    Attributes
    ----------
    partition_ : Partition
        Areas (no centres) with columns ``residents``, ``jobs``, ``internal``, ``sc_supply``,
        ``sc_demand``, ``validity``, ``valid``, ``from_reserve``, ``n_reserve`` (zones it got
        in the final assignment) and ``reference_id`` (the reference's cluster number).
        Zero-list zones and reserve-list zones linked to no area are unassigned, with a
        reason.
    labels_ : pandas.Series
        Area id per zone (None when unassigned).
    reserve_ : pandas.DataFrame
        Zones that went to the reserve list, indexed by zone id: ``case`` (the reference's
        "A"-"F"), ``reason``, ``iteration``, ``from_cluster`` (reference number of the cluster
        being dissolved), ``cluster_validity`` and ``area`` (where the zone ended, or None).
    zero_ : pandas.DataFrame
        Zones set aside before the loop: ``reason``, ``round``, ``residents``, ``jobs``,
        ``internal`` (graph totals).
    history_ : pandas.DataFrame
        One row per zone handled in the loop: ``iteration``, ``cluster`` (reference number of
        the cluster dissolved), ``validity`` (its validity then), ``zone``, ``action``
        ("moved" or a reserve case) and ``to`` (reference number of the receiving cluster, or
        of the cluster that refused the zone; 0 if there was none).
    moves_ : pandas.Series
        Number of moves of each zone during the loop.
    n_iterations_ : int
        Iterations of the loop (clusters dissolved).

    See Also
    --------
    regionalize.methods.labour_market_areas : the function twin, returning the Partition.
    regionalize.methods.validity : the validity of a cluster, as a function.
    regionalize.methods.cohesion : the cohesion between two clusters.
    regionalize.methods.TTWA_PRESETS : the UK and Istat parameter sets.

    Notes
    -----
    Validity of a cluster A with ``R_A`` employed residents, ``W_A`` jobs and ``C_AA``
    people living and working in it (``minSZ, minSC, tarSZ, tarSC`` are ``min_size``,
    ``min_sc``, ``target_size`` and ``target_sc``)::

        msc  = min(C_AA / R_A, C_AA / W_A)       # supply and demand self-containment
        Y    = min(msc / tarSC, 1)
        size = max((tarSZ - R_A) / (tarSZ - minSZ), 0)
        Z    = 1 - (1 - minSC / tarSC) * size
        validity = Y * Z * tarSC / minSC         # valid iff validity >= 1

    so a small area needs a high self-containment and a large one may have less. The
    cohesion between clusters A and B is ``C_AB**2 / (R_A W_B) + C_BA**2 / (R_B W_A)``.
    ``R`` and ``W`` are the row and column sums of the flows between the zones processed,
    diagonal included (not the graph's ``residents`` / ``jobs`` columns). Zones with no
    employed residents, no jobs, or only internal flows are set aside first (``zero_``).
    Areas have no central zone: each is named after its zone with the most jobs.

    Where the published description leaves a choice open (which cluster gives up which
    zone, ties, the reserve-list cases "A" to "F", the final assignment), the reference R
    code decides. The sixteen choice points, and the few places that depart from the
    reference (the options ``contiguity`` and ``istat_quirks=False``, and two rare cases of
    broken clusters where the reference stops with an error or mixes up cluster numbers),
    are listed in the documentation of the module (``help(regionalize.methods.ttwa)``). On Sardinia, Brindisi and the US counties
    the partitions, iteration counts and reserve lists equal those of the R code.

    References
    ----------
    Coombes, M. and Bond, S. (2008). *Travel-to-Work Areas: the 2007 review*. Office for
    National Statistics, London.

    Office for National Statistics (2016). *Travel to work area analysis in Great Britain:
    2016*.

    Franconi, L., D'Alò, M. and Ichim, D. (2016). *Istat implementation of the algorithm to
    develop Labour Market Areas*. Istat, Rome.

    Examples
    --------
    Town A, a large town B and a village X whose few jobs are held by B residents. X is the
    least valid cluster; it is most cohesive with A, but joining A would pull A's demand
    self-containment below the target, so X waits in the reserve list (case "A"). All other
    clusters are valid, so the loop stops, and X joins A in the final assignment, leaving A
    below validity 1 (flagged ``from_reserve``).

    >>> import pandas as pd
    >>> from regionalize.methods import LabourMarketAreas
    >>> rows = [("A", "A", 300), ("A", "B", 40), ("B", "B", 5000), ("B", "X", 300),
    ...         ("X", "X", 20), ("X", "A", 60)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> m = LabourMarketAreas(min_size=100, min_sc=0.6, target_size=200, target_sc=0.75).fit(g)
    >>> m.labels_.to_dict()
    {'A': 'A', 'B': 'B', 'X': 'A'}
    >>> m.reserve_.loc["X", ["case", "area"]].tolist()
    ['A', 'A']
    >>> m.partition_.areas[["residents", "validity", "valid", "from_reserve"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
          residents  validity  valid  from_reserve
    area
    A         420.0     0.931  False          True
    B        5300.0     1.250   True         False
    """

    layer = "ttwa"

    def __init__(
        self,
        *,
        preset: str | None = "uk2011",
        min_size: float | None = None,
        min_sc: float | None = None,
        target_size: float | None = None,
        target_sc: float | None = None,
        contiguity=None,
        istat_quirks: bool = True,
        initial=None,
        max_iter: int | None = None,
        name: str | None = None,
    ):
        self.preset = preset
        self.min_size = min_size
        self.min_sc = min_sc
        self.target_size = target_size
        self.target_sc = target_sc
        self.contiguity = contiguity
        self.istat_quirks = istat_quirks
        self.initial = initial
        self.max_iter = max_iter
        self.name = name

    def _sizes(self) -> dict:
        """The four numbers used: those given, the preset's for the others."""
        owner = type(self).__name__
        if self.preset is not None:
            check_parameter(owner, "preset", self.preset, allowed=list(TTWA_PRESETS))
        base = TTWA_PRESETS[self.preset] if self.preset is not None else {}
        out = {k: getattr(self, k) if getattr(self, k) is not None else base.get(k) for k in _SIZES}
        missing = [k for k, v in out.items() if v is None]
        if missing:
            raise InvalidParameterError(
                f"{owner} with preset=None needs all of min_size, min_sc, target_size and "
                f"target_sc; missing {', '.join(missing)}. Give them, or a preset "
                f"({', '.join(map(repr, TTWA_PRESETS))})."
            )
        return out

    def check_params(self) -> None:
        """Check the parameters (run before every ``fit``).

        Raises
        ------
        InvalidParameterError
            When the four numbers (from the preset and those given) break
            ``0 < min_sc <= target_sc <= 1`` or ``0 < min_size < target_size``, when
            ``preset=None`` leaves one of them missing, or when ``istat_quirks`` or
            ``max_iter`` is of the wrong kind.

        Examples
        --------
        >>> rz.methods.LabourMarketAreas(preset="istat2011", min_size=2000).check_params()
        >>> rz.methods.LabourMarketAreas(min_sc=0.8, target_sc=0.7).check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'min_sc' parameter of LabourMarketAreas must be a float in (0, 0.7]. Got 0.8 instead.
        """
        owner = type(self).__name__
        check_validity_params(owner, *self._sizes().values())
        check_parameter(owner, "istat_quirks", self.istat_quirks, allowed=[True, False])
        if self.max_iter is not None and (
            not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1
        ):
            raise InvalidParameterError(
                f"The 'max_iter' parameter of {owner} must be a positive int or None. Got "
                f"{self.max_iter!r} instead."
            )

    def _initial_codes(self, graph) -> np.ndarray | None:
        if self.initial is None:
            return None
        init = self.initial
        if isinstance(init, Mapping):
            init = pd.Series(init, dtype=object)
        if not isinstance(init, pd.Series):
            raise InvalidParameterError(
                "The 'initial' parameter of LabourMarketAreas must be a mapping or Series of "
                f"labels by zone id. Got {type(init).__name__} instead."
            )
        idx = normalise_ids(init.index, what="initial labels")
        pos = graph.ids.get_indexer(idx)
        if (pos < 0).any():
            raise InvalidZonesError(
                f"{int((pos < 0).sum())} zones of 'initial' are not in the graph (first: "
                f"{', '.join(idx[pos < 0][:3])})."
            )
        labels = np.full(graph.n_zones, None, dtype=object)
        labels[pos] = init.to_numpy(dtype=object)
        present = ~pd.isna(labels)
        codes = np.full(graph.n_zones, -1, np.int64)
        codes[present] = pd.factorize(pd.Series(labels[present], dtype=object).astype(str))[0]
        return codes

    def fit(self, graph: FlowGraph) -> LabourMarketAreas:
        """Delineate the labour market areas of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work), the
            diagonal holding the people who live and work in the same zone.

        Returns
        -------
        LabourMarketAreas
            ``self``, with ``partition_``, ``labels_``, ``reserve_``, ``zero_``,
            ``history_``, ``moves_`` and ``n_iterations_`` set.

        Examples
        --------
        Two towns with their villages, at small thresholds. The least valid cluster (W,
        validity 0.546) is dissolved first and W moves to B, then V to A; the loop records
        what it did.

        >>> import pandas as pd
        >>> rows = [("A", "A", 500), ("V", "V", 40), ("V", "A", 60), ("B", "B", 400),
        ...         ("W", "W", 30), ("W", "B", 50), ("A", "B", 10)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                              "destination", "flow"]))
        >>> lma = rz.methods.LabourMarketAreas(min_size=50, min_sc=0.6, target_size=300,
        ...                                    target_sc=0.7).fit(g)
        >>> lma.labels_.to_dict()
        {'A': 'A', 'B': 'B', 'V': 'A', 'W': 'B'}
        >>> lma.history_[["iteration", "validity", "zone", "action"]].round(3)
           iteration  validity zone action
        0          1     0.546    W  moved
        1          2     0.590    V  moved
        """
        from .._attach import contiguity_for

        params = self._sizes()
        init_codes = self._initial_codes(graph)
        contig = contiguity_for(graph, self.contiguity)
        full = sp.csr_array(graph.matrix)
        active, rounds, zero_reasons = _zero_list(full)
        pos = np.flatnonzero(active)
        sub = full[pos][:, pos]
        adj = None
        if contig is not None:
            adj = sp.csr_array(contig[0])[pos][:, pos]
            adj.sort_indices()
        eng = Engine(
            sub,
            params,
            adj=adj,
            quirks=bool(self.istat_quirks),
            initial=None if init_codes is None else init_codes[pos],
            max_iter=self.max_iter,
        )
        eng.run()
        joined = eng.assign_reserve()
        self._build(graph, eng, pos, joined, rounds, zero_reasons, params, contig is not None)
        return self

    def _build(self, graph, eng, pos, joined, rounds, zero_reasons, params, contig):
        n = graph.n_zones
        ids = graph.ids
        slot = np.full(n, -1, np.int64)
        slot[pos] = eng.label
        codes = np.where(slot >= 2, slot, -1)
        reasons = np.full(n, None, dtype=object)
        reasons[~np.isin(np.arange(n), pos)] = np.asarray(
            [f"{r} (zero list)" for r in zero_reasons[~np.isin(np.arange(n), pos)]], dtype=object
        )
        reasons[(slot == 0)] = "reserve list: no commuting link to any area"
        used = np.unique(codes[codes >= 0])
        got = np.zeros(len(eng.rc), np.int64)
        np.add.at(got, eng.label[joined], 1)
        rc, wc, cc = eng.rc[used], eng.wc[used], eng.cc[used]
        with np.errstate(divide="ignore", invalid="ignore"):
            sup, dem = cc / rc, cc / wc
        val = np.array([eng.validity(r, w, c) for r, w, c in zip(rc, wc, cc, strict=True)])
        extra = pd.DataFrame(
            {
                "residents": rc,
                "jobs": wc,
                "internal": cc,
                "sc_supply": sup,
                "sc_demand": dem,
                "validity": val,
                "valid": val >= 1,
                "from_reserve": got[used] > 0,
                "n_reserve": got[used],
                "reference_id": eng.rid[used],
            }
        )
        out_params = {
            **params,
            "preset": self.preset,
            "preset_overrides": [k for k in _SIZES if getattr(self, k) is not None]
            if self.preset is not None
            else [],
            "contiguity": "on" if contig else "off",
            "istat_quirks": bool(self.istat_quirks),
            "method": "Coombes & Bond 2008, Istat LabourMarketAreas 3.4 rules",
        }
        self.partition_: Partition = Partition.from_codes(
            graph,
            codes,
            layer=self.name or self.layer,
            kind="labour market area",
            reasons=reasons,
            params=out_params,
            area_extra=extra,
        )
        self.labels_ = self.partition_.labels
        labels = self.labels_.to_numpy(dtype=object)
        res = eng.reserve
        zones = pos[np.asarray([r[0] for r in res], np.int64)] if res else np.empty(0, np.int64)
        self.reserve_ = pd.DataFrame(
            {
                "case": np.asarray([r[1] for r in res], dtype=object),
                "reason": np.asarray([CASES[r[1]] for r in res], dtype=object),
                "iteration": np.asarray([r[2] for r in res], np.int64),
                "from_cluster": np.asarray([r[3] for r in res], np.int64),
                "cluster_validity": np.asarray([r[4] for r in res], float),
            },
            index=pd.Index(ids[zones], name="zone", dtype=object),
        )
        # where each zone ended: an area id, or None (object column, None kept as None)
        self.reserve_["area"] = pd.Series(
            [None if pd.isna(x) else x for x in labels[zones]],
            index=self.reserve_.index,
            dtype=object,
        )
        zero = ~np.isin(np.arange(n), pos)
        r, w, d = graph.residents, graph.jobs, graph.internal
        self.zero_ = pd.DataFrame(
            {
                "reason": np.asarray(zero_reasons[zero], dtype=object),
                "round": rounds[zero],
                "residents": r[zero],
                "jobs": w[zero],
                "internal": d[zero],
            },
            index=pd.Index(ids[zero], name="zone", dtype=object),
        )
        hist = eng.history
        self.history_ = pd.DataFrame(
            {
                "iteration": np.asarray([h[0] for h in hist], np.int64),
                "cluster": np.asarray([h[1] for h in hist], np.int64),
                "validity": np.asarray([h[2] for h in hist], float),
                "zone": pd.Series(
                    ids.to_numpy(dtype=object)[pos[np.asarray([h[3] for h in hist], np.int64)]],
                    dtype=object,
                ),
                "action": pd.Series([h[4] for h in hist], dtype=object),
                "to": np.asarray([h[5] for h in hist], np.int64),
            }
        )
        moves = np.zeros(n, np.int64)
        moves[pos] = eng.moves
        self.moves_ = pd.Series(moves, index=ids, name="moves")
        self.n_iterations_ = int(eng.iteration)


@checked_call
def labour_market_areas(
    graph: FlowGraph,
    *,
    preset: str | None = "uk2011",
    min_size: float | None = None,
    min_sc: float | None = None,
    target_size: float | None = None,
    target_sc: float | None = None,
    contiguity=None,
    istat_quirks: bool = True,
    initial=None,
    max_iter: int | None = None,
    name: str | None = None,
) -> Partition:
    """Travel-to-work / labour market areas of ``graph``: :class:`LabourMarketAreas` fitted, as a
    Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    preset : {"uk2011", "istat2011"} or None
        A named parameter set (see :data:`TTWA_PRESETS`): ``"uk2011"`` (default; ONS 2011
        TTWAs: 3,500, 0.6667, 25,000, 0.75) or ``"istat2011"`` (Istat 2011 labour market
        areas: 1,000, 0.6667, 10,000, 0.75). The four numbers below, when given, override
        it; with ``preset=None`` all four are required.
    min_size, min_sc, target_size, target_sc : float, optional
        ``minSZ`` (employed residents), ``minSC``, ``tarSZ``, ``tarSC``; None takes the
        preset's value. Require ``0 < min_sc <= target_sc <= 1`` and
        ``0 < min_size < target_size``. The values used, and the preset, are recorded in
        the partition's params.
    contiguity : None, "auto", "require" or Contiguity
        None (default, as the reference): flows only. Otherwise a zone may only move to a
        cluster with a member adjacent to it (a variant, not the reference); ``"auto"`` builds
        rook contiguity from the graph's polygons (islands linked to their nearest zone) and
        is off without polygons.
    istat_quirks : bool
        Reproduce the reference's stale validity of a cluster in the iteration after it gave
        up one of several zones (default True): the reference does not recompute that
        cluster's totals, and this now and then changes which cluster is handled next.
        False evaluates it properly (not the reference).
    initial : mapping or Series, optional
        Starting clusters (the reference's ``PartialClusterData``): a label per zone id;
        zones with a missing label start in the reserve list. Zero-list zones are always
        set aside. Default: every zone alone.
    max_iter : int, optional
        Safety cap on the loop (the reference has none); default ``100 · zones + 1000``.
    name : str, optional
        Layer name (default ``"ttwa"``).

    Returns
    -------
    Partition
        The labour market areas (``LabourMarketAreas(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.methods.LabourMarketAreas : the estimator, with the fitted attributes and
        the rules (Notes) in full.

    Notes
    -----
    **Complexity**: time grows as zones^1.1 (flows^1.1) on synthetic countries of 10k-100k
    zones with the UK 2011 parameters (see
    :class:`regionalize.methods.LabourMarketAreas`).

    References
    ----------
    Coombes, M. and Bond, S. (2008). *Travel-to-Work Areas: the 2007 review*. Office for
    National Statistics, London.

    Franconi, L., D'Alò, M. and Ichim, D. (2016). *Istat implementation of the algorithm to
    develop Labour Market Areas*. Istat, Rome.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", "A", 500), ("V", "V", 40), ("V", "A", 60), ("B", "B", 400),
    ...         ("W", "W", 30), ("W", "B", 50), ("A", "B", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                              "flow"]))
    >>> p = rz.methods.labour_market_areas(g, min_size=50, min_sc=0.6, target_size=300,
    ...                                    target_sc=0.7)
    >>> p.areas[["residents", "sc_supply", "validity", "valid"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
          residents  sc_supply  validity  valid
    area
    A         610.0      0.984     1.167   True
    B         480.0      1.000     1.167   True
    """
    return (
        LabourMarketAreas(
            preset=preset,
            min_size=min_size,
            min_sc=min_sc,
            target_size=target_size,
            target_sc=target_sc,
            contiguity=contiguity,
            istat_quirks=istat_quirks,
            initial=initial,
            max_iter=max_iter,
            name=name,
        )
        .fit(graph)
        .partition_
    )
