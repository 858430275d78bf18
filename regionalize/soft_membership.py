"""Soft membership: the share of runs in which each zone belongs to each area.

A delineation gives every zone one area. Stability runs (:func:`regionalize.stability.
stability`: resampled flows or draws from the margins of error) and threshold sweeps
(:func:`regionalize.stability.sweep`) give it one state per run instead: an area of the
baseline, unassigned, or an area that matches no baseline area. This module counts them:

- :func:`membership`: a tidy table with one row per (zone, state) seen, its share and
  count of runs, and which state is the zone's modal one;
- :func:`border_zones`: the zones whose modal share is below a level, with their modal and
  runner-up states -- the zones on the border between areas, or between an area and the
  outside.

Both work on a :class:`~regionalize.stability.StabilityResult` (whose runs are already
matched to the baseline areas) and on a :class:`~regionalize.stability.SweepResult`, whose
grid points are *not* matched to each other: there each grid point's areas are matched to
a reference partition (the sweep's consensus unless given) by the zones they share. They
work for every layer and method, since the runs come from any delineation function.
The results have the same two functions as methods (``res.membership()``,
``res.border_zones(0.8)``); :func:`regionalize.plot.plot_border_zones` maps them.

Examples
--------
Zone B sends 12 of its 112 workers to the centre S, just above ``tau=0.10``: in one of
three Poisson redraws it is left out of the area.

>>> from functools import partial
>>> import pandas as pd
>>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
>>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
...                                                             "flow"]))
>>> res = rz.stability(g, partial(rz.metropolitan_areas, centres=["S"], tau=0.10), runs=3,
...                    seed=4)
>>> rz.soft_membership.membership(res)  # doctest: +NORMALIZE_WHITESPACE
  zone        area       state     share  runs  modal
0    A           S        area  1.000000     3   True
1    B           S        area  0.666667     2   True
2    B  unassigned  unassigned  0.333333     1  False
3    S           S        area  1.000000     3   True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import InvalidParameterError, check_parameter

if TYPE_CHECKING:
    from .partition import Partition

# SoftMembership is the base class that gives the results their two methods; it is documented
# through them (StabilityResult.membership, ...), not on its own
__all__ = ["membership", "border_zones", "UNASSIGNED_STATE", "UNMATCHED_STATE"]

#: the ``area`` of the rows of :func:`~regionalize.soft_membership.membership` for the runs
#: in which the zone is in no area
UNASSIGNED_STATE = "unassigned"
#: the ``area`` of the rows of :func:`~regionalize.soft_membership.membership` for the runs
#: in which the zone is in an area that matches no baseline (reference) area
UNMATCHED_STATE = "unmatched"

# state codes, as in regionalize.stability (UNASSIGNED = -1, UNMATCHED = -2)
_UNASSIGNED, _UNMATCHED = -1, -2
_SHIFT = 2  # codes -2, -1, 0..k-1 -> 0..k+1


# ============================================================================ the states
def _states(result, reference, owner: str):
    """``(labels, area_ids, base, zone_ids)``: runs x zones state codes (baseline area
    positions, -1 unassigned, -2 unmatched), the area ids, the baseline (reference) code of
    each zone and the zone ids, for a StabilityResult or a SweepResult."""
    from .stability import StabilityResult, SweepResult

    if isinstance(result, StabilityResult):
        if reference is not None:
            raise InvalidParameterError(
                f"The 'reference' parameter of {owner} is for sweep results: the runs of a "
                "StabilityResult are already matched to its baseline. Leave reference=None."
            )
        base = result.baseline.codes()
        return (
            np.asarray(result.labels, np.int64),
            np.asarray(result.areas.index, dtype=object),
            base,
            result.zones.index,
        )
    if isinstance(result, SweepResult):
        ref = result.consensus if reference is None else reference
        ids = result.consensus.ids
        ref_codes = _reference_codes(ref, ids, owner)
        labels = _match_by_zones(np.asarray(result.codes, np.int64), ref_codes, ref.n_areas)
        return labels, np.asarray(ref.areas.index, dtype=object), ref_codes, ids
    raise InvalidParameterError(
        f"{owner} takes the result of regionalize.stability.stability (a StabilityResult) or "
        f"of regionalize.stability.sweep (a SweepResult). Got {type(result).__name__}."
    )


def _reference_codes(ref, ids: pd.Index, owner: str) -> np.ndarray:
    """The area codes of partition ``ref`` in the order of ``ids`` (same zones required)."""
    from .partition import Partition

    if not isinstance(ref, Partition):
        raise InvalidParameterError(
            f"The 'reference' parameter of {owner} must be a Partition over the zones of the "
            f"sweep (e.g. the delineation at the default parameters) or None for the sweep's "
            f"consensus. Got {type(ref).__name__}."
        )
    if len(ref.ids) != len(ids) or not ref.ids.isin(ids).all():
        raise InvalidParameterError(
            f"The 'reference' partition of {owner} covers other zones than the sweep "
            f"({len(ref.ids)} zones against {len(ids)}); delineate the same FlowGraph."
        )
    return pd.Series(ref.codes(), index=ref.ids).reindex(ids).to_numpy(np.int64)


def _match_by_zones(codes: np.ndarray, ref: np.ndarray, n_ref: int) -> np.ndarray:
    """Reference area of every zone in every row of ``codes`` (runs x zones, -1 unassigned).

    Each run area goes to the reference area holding most of its zones (ties: the first
    reference area); a run area sharing no zone with any reference area is unmatched (-2).
    """
    runs, n = codes.shape
    k = int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 0
    area = np.arange(runs)[:, None] * k + codes  # run area ids, unique across runs
    both = (codes >= 0) & (ref[None, :] >= 0)
    best = np.full(runs * k, _UNMATCHED, np.int64)
    if both.any():
        key = area[both] * max(n_ref, 1) + np.broadcast_to(ref, codes.shape)[both]
        pair, count = np.unique(key, return_counts=True)
        run_area, ref_area = pair // max(n_ref, 1), pair % max(n_ref, 1)
        order = np.lexsort((ref_area, -count, run_area))
        first = np.ones(len(order), bool)
        first[1:] = run_area[order][1:] != run_area[order][:-1]
        best[run_area[order][first]] = ref_area[order][first]
    out = np.full(codes.shape, _UNASSIGNED, np.int64)
    assigned = codes >= 0
    out[assigned] = best[area[assigned]]
    return out


def _counted(labels: np.ndarray, base: np.ndarray, n_areas: int):
    """``(zone, code, count)`` of every state seen, sorted by zone (column order), count
    (descending), the baseline state first, then code: each zone's first row is its modal
    state, with the tie rule of :func:`regionalize.stability.stability`."""
    runs, n = labels.shape
    width = n_areas + _SHIFT
    key = (np.arange(n, dtype=np.int64)[None, :] * width + labels + _SHIFT).ravel()
    uniq, count = np.unique(key, return_counts=True)
    zone, code = uniq // width, uniq % width - _SHIFT
    order = np.lexsort((code, code != base[zone], -count, zone))
    return zone[order], code[order], count[order]


def _state_names(code: np.ndarray, area_ids: np.ndarray):
    """The ``area`` and ``state`` columns for state codes."""
    area = np.full(len(code), UNASSIGNED_STATE, dtype=object)
    area[code == _UNMATCHED] = UNMATCHED_STATE
    real = code >= 0
    area[real] = area_ids[code[real]]
    state = np.where(real, "area", np.where(code == _UNMATCHED, UNMATCHED_STATE, UNASSIGNED_STATE))
    return area, state.astype(object)


# ============================================================================ the tables
def membership(result, *, reference: Partition | None = None) -> pd.DataFrame:
    """The share of runs in which each zone is in each area, as a tidy table.

    Parameters
    ----------
    result : StabilityResult or SweepResult
        From :func:`regionalize.stability.stability` (runs: flow redraws or margin-of-error
        draws) or :func:`regionalize.stability.sweep` (runs: the grid points).
    reference : Partition, optional
        Sweeps only: the partition whose areas the grid points' areas are matched to
        (default: the sweep's ``consensus``), e.g. the delineation at the default
        parameters. Must cover the same zones.

    Returns
    -------
    pandas.DataFrame
        One row per (zone, state) seen in the runs, with columns ``zone``; ``area``: the
        baseline (reference) area id, or ``"unassigned"`` (:data:`UNASSIGNED_STATE`) for the
        runs in no area and ``"unmatched"`` (:data:`UNMATCHED_STATE`) for the runs in an area
        matching no baseline area; ``state``: ``"area"``, ``"unassigned"`` or ``"unmatched"``
        (tells an area id apart from those two words); ``share`` (of the runs) and ``runs``
        (their number); ``modal``: True on the zone's most frequent state. Zones in graph
        order, then by share (largest first; ties: the zone's baseline state, then
        unmatched, unassigned and areas in baseline order), so the first row of a zone is
        its modal state. The shares of a zone sum to 1; the modal share is
        ``result.zones["stability"]`` of a StabilityResult.

    Raises
    ------
    InvalidParameterError
        If ``result`` is neither result, or ``reference`` is given for a StabilityResult or
        is not a Partition over the sweep's zones.

    See Also
    --------
    regionalize.soft_membership.border_zones : The zones whose modal share is below a
        level.
    regionalize.stability.stability : The runs, with areas matched to the baseline.
    regionalize.plot.plot_border_zones : The map.

    Notes
    -----
    The state of a zone in a run is the one :func:`regionalize.stability.stability`
    records: run areas matched to the baseline areas (shared central zones first, then
    shared zones), so several run areas may fall in one baseline area. A
    :class:`~regionalize.stability.SweepResult` keeps each grid point's own area codes,
    which are not matched across grid points, and no central zones: each grid point's
    areas are matched here to the reference area holding most of their zones (ties: the
    first reference area), and an area sharing no zone with any reference area is
    unmatched.

    Examples
    --------
    A threshold sweep: at ``tau=0.15`` zone B drops out of the area of S.

    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
    ...                                                             "destination", "flow"]))
    >>> res = rz.stability.sweep(g, partial(rz.metropolitan_areas, centres=["S"]),
    ...                          {"tau": [0.05, 0.10, 0.15]})
    >>> t = rz.soft_membership.membership(res)
    >>> t[t["zone"] == "B"]  # doctest: +NORMALIZE_WHITESPACE
      zone        area       state     share  runs  modal
    1    B           S        area  0.666667     2   True
    2    B  unassigned  unassigned  0.333333     1  False
    >>> t.groupby("zone")["share"].sum().tolist()
    [1.0, 1.0, 1.0]
    """
    labels, area_ids, base, zone_ids = _states(result, reference, "membership")
    runs = labels.shape[0]
    zone, code, count = _counted(labels, base, len(area_ids))
    area, state = _state_names(code, area_ids)
    modal = np.ones(len(zone), bool)
    modal[1:] = zone[1:] != zone[:-1]
    return pd.DataFrame(
        {
            "zone": pd.Series(np.asarray(zone_ids, dtype=object)[zone], dtype=object),
            "area": pd.Series(area, dtype=object),
            "state": pd.Series(state, dtype=object),
            "share": count / runs,
            "runs": count.astype(np.int64),
            "modal": modal,
        }
    )


def border_zones(result, level: float = 0.8, *, reference: Partition | None = None) -> pd.DataFrame:
    """The zones whose modal share is below ``level``: the zones on a border.

    Parameters
    ----------
    result : StabilityResult or SweepResult
        See :func:`~regionalize.soft_membership.membership`.
    level : float in (0, 1]
        A zone is a border zone when it is in its modal state (area, unassigned or
        unmatched) in fewer than this share of the runs.
    reference : Partition, optional
        Sweeps only; see :func:`~regionalize.soft_membership.membership`.

    Returns
    -------
    pandas.DataFrame
        Indexed by zone id (``zone``), least stable first (ties: graph order), with columns
        ``baseline`` (the zone's baseline or reference area, or ``"unassigned"``),
        ``modal`` and ``modal_share`` (its most frequent state and share of runs),
        ``runner_up`` and ``runner_up_share`` (the second; states named as in the
        ``area`` column of :func:`~regionalize.soft_membership.membership`) and
        ``n_states`` (distinct states seen).
        Empty (same columns) when no zone is below ``level``.

    Raises
    ------
    InvalidParameterError
        If ``level`` is not in (0, 1], or as
        :func:`~regionalize.soft_membership.membership`.

    See Also
    --------
    regionalize.soft_membership.membership : Every (zone, state) share.
    regionalize.plot.plot_border_zones : The map of these zones.

    Examples
    --------
    B is in the area of S in two redraws of three, unassigned in the third:

    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
    ...                                                             "destination", "flow"]))
    >>> res = rz.stability(g, partial(rz.metropolitan_areas, centres=["S"], tau=0.10),
    ...                    runs=3, seed=4)
    >>> b = rz.soft_membership.border_zones(res, 0.8)
    >>> b[["modal", "modal_share", "runner_up", "runner_up_share"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
         modal  modal_share   runner_up  runner_up_share
    zone
    B        S        0.667  unassigned            0.333
    >>> len(rz.soft_membership.border_zones(res, 0.5))
    0
    """
    level = check_parameter("border_zones", "level", level, interval=(0, 1), closed="right")
    labels, area_ids, base, zone_ids = _states(result, reference, "border_zones")
    runs = labels.shape[0]
    zone, code, count = _counted(labels, base, len(area_ids))
    first = np.ones(len(zone), bool)
    first[1:] = zone[1:] != zone[:-1]
    start = np.flatnonzero(first)  # zones are all present, in order
    n_states = np.diff(np.append(start, len(zone)))
    modal_share = count[start] / runs
    has_second = n_states > 1
    second = np.where(has_second, start + 1, start)
    runner_code = code[second]
    runner_share = np.where(has_second, count[second] / runs, 0.0)
    modal_area, _ = _state_names(code[start], area_ids)
    runner_area, _ = _state_names(runner_code, area_ids)
    runner_area[~has_second] = None
    base_area, _ = _state_names(np.asarray(base, np.int64), area_ids)
    table = pd.DataFrame(
        {
            "baseline": pd.Series(base_area, dtype=object),
            "modal": pd.Series(modal_area, dtype=object),
            "modal_share": modal_share,
            "runner_up": pd.Series(runner_area, dtype=object),
            "runner_up_share": runner_share,
            "n_states": n_states.astype(np.int64),
        }
    )
    table.index = pd.Index(np.asarray(zone_ids, dtype=object), dtype=object, name="zone")
    keep = np.flatnonzero(modal_share < level)
    order = keep[np.argsort(modal_share[keep], kind="stable")]
    return table.iloc[order]


# ============================================================================ the methods
class SoftMembership:
    """The :meth:`membership` and :meth:`border_zones` methods of the results of
    :func:`regionalize.stability.stability` and :func:`regionalize.stability.sweep`
    (a base class of :class:`~regionalize.stability.StabilityResult` and
    :class:`~regionalize.stability.SweepResult`; the work is done by the module's
    functions :func:`~regionalize.soft_membership.membership` and
    :func:`~regionalize.soft_membership.border_zones`)."""

    __slots__ = ()

    def membership(self, *, reference: Partition | None = None) -> pd.DataFrame:
        """The share of runs in which each zone is in each area, as a tidy table.

        Parameters
        ----------
        reference : Partition, optional
            Sweep results only: the partition the grid points' areas are matched to
            (default: the sweep's consensus).

        Returns
        -------
        pandas.DataFrame
            Columns ``zone``, ``area``, ``state``, ``share``, ``runs`` and ``modal``; see
            :func:`regionalize.soft_membership.membership`.

        See Also
        --------
        regionalize.soft_membership.membership : The same, as a function.

        Examples
        --------
        >>> from functools import partial
        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
        ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                             "destination", "flow"]))
        >>> res = rz.stability(g, partial(rz.metropolitan_areas, centres=["S"]), runs=3, seed=4)
        >>> res.membership()[["zone", "area", "runs"]].values.tolist()
        [['A', 'S', 3], ['B', 'S', 2], ['B', 'unassigned', 1], ['S', 'S', 3]]
        """
        return membership(self, reference=reference)

    def border_zones(
        self, level: float = 0.8, *, reference: Partition | None = None
    ) -> pd.DataFrame:
        """The zones in their modal area in fewer than ``level`` of the runs.

        Parameters
        ----------
        level : float in (0, 1]
            The modal share below which a zone is a border zone.
        reference : Partition, optional
            Sweep results only; see :meth:`membership`.

        Returns
        -------
        pandas.DataFrame
            Per border zone (least stable first): ``baseline``, ``modal``, ``modal_share``,
            ``runner_up``, ``runner_up_share``, ``n_states``; see
            :func:`regionalize.soft_membership.border_zones`.

        See Also
        --------
        regionalize.soft_membership.border_zones : The same, as a function.
        regionalize.plot.plot_border_zones : Their map.

        Examples
        --------
        >>> from functools import partial
        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
        ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                             "destination", "flow"]))
        >>> res = rz.stability.sweep(g, partial(rz.metropolitan_areas, centres=["S"]),
        ...                          {"tau": [0.05, 0.10, 0.15]})
        >>> res.border_zones(0.8)[["modal", "modal_share", "runner_up"]].round(3)
        ... # doctest: +NORMALIZE_WHITESPACE
             modal  modal_share   runner_up
        zone
        B        S        0.667  unassigned
        """
        return border_zones(self, level, reference=reference)
