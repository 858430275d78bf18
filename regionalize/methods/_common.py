"""Turning a method's integer codes into a Partition, the same way for every method."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._core.constraint import Attachment
from ..layers._common import build_partition
from ..partition import Partition

__all__ = ["partition_from_codes"]


def partition_from_codes(graph, codes: np.ndarray, *, layer: str, kind: str,
                         centres: Sequence[np.ndarray] | None = None,
                         reasons: np.ndarray | None = None,
                         roles: np.ndarray | None = None,
                         params: dict | None = None,
                         area_extra: pd.DataFrame | None = None) -> Partition:
    """A Partition from per-zone area codes (``0..k-1``, ``-1`` for unassigned).

    Parameters
    ----------
    codes : int array
        Area code per zone (graph order); codes need not be consecutive.
    centres : list of int arrays, optional
        Central zone positions for each code (in ``np.unique`` order of the assigned codes),
        for methods that have centres. Without them the method has no centres: each area is
        identified and named by its zone with the most jobs (ties: zone order), which stays a
        plain member (the area's ``centres`` tuple is empty).
    reasons : object array, optional
        Why each unassigned zone is unassigned (required for every zone with code -1).
    roles : object array, optional
        Override roles (e.g. ``"enclave"``); default: centres "centre", others "member".
    area_extra : DataFrame, optional
        Extra area columns, one row per area in ``np.unique`` order of the codes.
    """
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
    res = Attachment(dense, order.astype(np.int64), np.full(n, np.nan),
                     np.full(n, -1, np.int64), role, reason)
    part = build_partition(graph, res, cores, layer=layer, kind=kind, params=params,
                           area_extra=None)
    if centres is None:
        # no centres: keep the identifying zone out of the centres tuple
        areas = part.areas
        areas["centres"] = [()] * len(areas)
        details = part.details
        details.loc[details["role"] == "centre", "role"] = "member"
        details["order"] = pd.array(np.where(details["area"].notna(), pd.NA, pd.NA),
                                    dtype="Int64")
        part = Partition(part.name, part.ids, details, areas, part.params)
    if area_extra is not None:
        areas = part.areas
        extra = area_extra.reset_index(drop=True)
        extra.index = areas.index
        extra = extra.rename(columns={c: f"{c}_method" for c in extra.columns
                                      if c in areas.columns})
        areas = areas.join(extra)
        part = Partition(part.name, part.ids, part.details, areas, part.params)
    return part
