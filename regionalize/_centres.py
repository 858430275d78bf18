"""Centres: as the user gives them, or found by a size rule.

:func:`parse_centres` reads centres as users write them (ids, groups of ids, a mapping of
names to ids); :class:`CentreRule` holds the parameters of the size rule a layer applies when
no centre is given, and :func:`rule_centres` applies it through the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ._areas import core_names
from ._checks import (
    check_bool,
    check_ids,
    check_optional,
    check_text,
    is_iterable,
    is_zone_id,
    not_ids_text,
    short_repr,
)
from ._core.constraint import find_centres
from ._ids import normalise_ids
from .errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter

__all__ = [
    "CENTRES_FORM",
    "centre_groups",
    "parse_centres",
    "CentreRule",
    "rule_centres",
    "centre_rule_record",
    "size_measure",
    "job_ratio",
    "candidate_mask",
    "cluster_adjacency",
]


CENTRES_FORM = (
    "zone ids (text such as '01', or ints), lists of ids (polycentric cores) or a "
    "mapping {name: id or ids}"
)


def centre_groups(centres, owner: str) -> tuple[list[list], list[str | None]]:
    """Centres as a list of id groups and names; one InvalidParameterError naming 'centres'
    and the first entries that are not ids (None, NaN, floats, bools, deeper nesting)."""
    if isinstance(centres, Mapping):
        items = list(centres.items())
        labels = [repr(k) for k, _ in items]
    elif is_zone_id(centres):
        items, labels = [(None, centres)], ["entry 0"]
    elif isinstance(centres, bytes) or not is_iterable(centres):
        raise InvalidParameterError(
            f"The 'centres' parameter of {owner} must be {CENTRES_FORM}, or None to find "
            f"centres by rule. Got {short_repr(centres)} instead."
        )
    else:
        items = [(None, c) for c in centres]
        labels = [f"entry {i}" for i in range(len(items))]
    groups, names, bad = [], [], []
    for label, (name, group) in zip(labels, items, strict=True):
        if is_zone_id(group):
            group = [group]
        elif group is None or isinstance(group, (bytes, Mapping)) or not is_iterable(group):
            bad.append(f"{label} is {short_repr(group)}")
            continue
        group = list(group)
        wrong = [m for m in group if not is_zone_id(m)]
        if wrong:
            bad.append(f"{label} holds {short_repr(wrong[0])}")
            continue
        groups.append(group)
        names.append(None if name is None else str(name))
    if bad:
        raise InvalidParameterError(
            f"The 'centres' parameter of {owner} must be {CENTRES_FORM}; {not_ids_text(bad)} "
            f"(first: {'; '.join(bad[:3])}). Remove them or give the zones' ids."
        )
    return groups, names


def parse_centres(graph, centres, owner: str) -> tuple[list[np.ndarray], list[str | None]]:
    """Centres as given by a user: ids, groups of ids (polycentric cores), or a mapping
    ``{area name: id or ids}``. Returns core positions and optional names."""
    raw, names = centre_groups(centres, owner)
    groups = [list(normalise_ids(g, what="centre ids")) if g else [] for g in raw]
    flat = [z for g in groups for z in g]
    p = Problems(f"Invalid centres for {owner}")
    pos = graph.ids.get_indexer(flat)
    missing = [z for z, q in zip(flat, pos, strict=True) if q < 0]
    p.add(
        "centre ids not in the graph",
        missing,
        fix="Use zone ids of the graph (text, with leading zeros).",
    )
    dup = pd.Index(flat)[pd.Index(flat).duplicated()]
    p.add("zones given as centres more than once", list(dup))
    p.add(
        "empty centre groups",
        [n or i for i, (n, g) in enumerate(zip(names, groups, strict=True)) if not g],
    )
    p.raise_if_any(InvalidZonesError)
    cores, start = [], 0
    for g in groups:
        cores.append(np.sort(pos[start : start + len(g)]).astype(np.int64))
        start += len(g)
    return cores, names


@dataclass(frozen=True)
class CentreRule:
    """The size rule for centres, as a layer's parameters give it.

    A zone (or, with ``cluster_cores``, a cluster of touching zones) is a centre when its
    ``size`` is at least ``min_size`` (default: ``min_size_share`` of the total), its jobs per
    employed resident are at least ``min_job_ratio``, it is among the ``candidates``, and it
    is not tied at ``tau`` or more to a bigger centre; centres tied at ``merge_tau`` or more
    either way form one core. The steps are described in the Notes of
    :class:`regionalize.MetropolitanAreas`; the engine is ``find_centres`` in
    ``regionalize/_core/constraint.py``.
    """

    size: Any = "jobs"
    min_size: float | None = None
    min_size_share: float = 0.01
    min_job_ratio: float | None = 1.0
    candidates: Any = None
    tau: float = 0.10
    merge_tau: float | None = None
    cluster_cores: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CentreRule:
        """The rule from a layer's parameters (``get_params()``): the fields it names."""
        return cls(**{f.name: params[f.name] for f in fields(cls)})

    def check(self, owner: str) -> None:
        """The parameters of the rule and of the minimum area size, checked whether centres
        are given or not; one error naming the parameter of ``owner``."""
        check_text(
            owner,
            "size",
            self.size,
            allow_none=False,
            what="'jobs', 'residents' or the name of a zone-table column",
        )
        check_optional(owner, "min_size", self.min_size)
        check_parameter(owner, "min_size_share", self.min_size_share, interval=(0, 1))
        check_optional(owner, "min_job_ratio", self.min_job_ratio)
        check_optional(owner, "merge_tau", self.merge_tau, interval=(0, 1), closed="right")
        check_bool(owner, "cluster_cores", self.cluster_cores)
        c = self.candidates
        if c is not None and not isinstance(c, str):
            check_ids(owner, "candidates", c, alt=", or the name of a boolean zone column")


def size_measure(graph, size: str) -> np.ndarray:
    """Zone size for the centre rule: ``"jobs"``, ``"residents"``, or a zone-table column."""
    if not isinstance(size, str):
        size = None  # not a column name: falls through to the error below
    if size == "jobs":
        return np.asarray(graph.jobs, float)
    if size == "residents":
        return np.asarray(graph.residents, float)
    if size is not None and size in graph.zones.columns:
        try:
            return graph.zones[size].to_numpy(dtype=float, na_value=0.0)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"The 'size' parameter names the zone column {size!r}, which is not numeric; "
                "pass 'jobs', 'residents' or a column of numbers."
            ) from None
    raise InvalidParameterError(
        f"The 'size' parameter must be 'jobs', 'residents' or a zone-table column "
        f"({', '.join(map(str, graph.zones.columns)) or 'none'}). Got {size!r} instead."
    )


def job_ratio(graph) -> np.ndarray:
    """Jobs per employed resident of each zone (inf without residents, or when the ratio is
    beyond float64, e.g. subnormal residents)."""
    r, w = np.asarray(graph.residents, float), np.asarray(graph.jobs, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(r > 0, w / np.where(r > 0, r, 1), np.inf)


def candidate_mask(graph, candidates) -> np.ndarray:
    """Zones allowed to be centres: all (None), a boolean zone column, or a list of ids."""
    n = graph.n_zones
    if candidates is None:
        return np.ones(n, bool)
    if isinstance(candidates, str):
        if candidates not in graph.zones.columns:
            raise InvalidParameterError(
                f"The 'candidates' column {candidates!r} is not in the zone table."
            )
        return graph.zones[candidates].fillna(False).to_numpy(dtype=bool)
    ids = normalise_ids(
        check_ids("the centre rule", "candidates", candidates), what="candidate ids"
    )
    pos = graph.ids.get_indexer(ids)
    if (pos < 0).any():
        raise InvalidZonesError(
            f"{int((pos < 0).sum())} candidate ids not in the graph "
            f"(first: {', '.join(ids[pos < 0][:3])})."
        )
    mask = np.zeros(n, bool)
    mask[pos] = True
    return mask


def cluster_adjacency(cluster_cores, contig):
    """The adjacency used to cluster candidate centre zones into cores, or None."""
    check_parameter("centre rule", "cluster_cores", cluster_cores, allowed=[True, False])
    if not cluster_cores:
        return None
    if contig is None:
        raise InvalidZonesError(
            "cluster_cores=True needs contiguity (zone polygons, or a "
            "Contiguity passed as contiguity=)."
        )
    return contig[0]


def rule_centres(graph, rule: CentreRule, components, contig, *, eligible=None, groups=None):
    """Centres found by ``rule`` (zone positions per core), their names, and the rule as
    applied (see :func:`centre_rule_record`). ``eligible`` narrows the candidates further;
    ``groups`` (an int per zone) keeps each core, and the links that form it, inside one
    group."""
    size = size_measure(graph, rule.size)
    threshold = rule.min_size if rule.min_size is not None else rule.min_size_share * size.sum()
    allowed = candidate_mask(graph, rule.candidates)
    if eligible is not None:
        allowed = allowed & eligible
    stats: dict = {}
    cores = find_centres(
        components,
        size,
        rule.tau,
        candidates=allowed,
        min_size=threshold,
        job_ratio=job_ratio(graph),
        min_job_ratio=rule.min_job_ratio,
        merge_tau=rule.merge_tau,
        groups=groups,
        adjacency=cluster_adjacency(rule.cluster_cores, contig),
        stats=stats,
    )
    largest = float(size[allowed].max()) if allowed.any() else 0.0
    record = centre_rule_record(rule, threshold, stats, largest)
    return cores, core_names(graph, cores, size), record


def centre_rule_record(rule: CentreRule, threshold: float, stats: dict, largest: float) -> dict:
    """The centre rule as applied: plain numbers for ``params["centre_rule"]``.

    ``min_size`` is the threshold actually used (from ``min_size_share`` of the total when
    ``min_size`` is not given); the counts say what each step of the rule kept (the
    ``stats`` of ``find_centres`` in ``regionalize/_core/constraint.py``)."""
    size = rule.size
    what = {"jobs": "jobs", "residents": "employed residents"}.get(size, repr(size))
    return {
        "size": size,
        "what": what,
        "min_size": float(threshold),
        "min_size_share": None if rule.min_size is not None else float(rule.min_size_share),
        "min_job_ratio": None if rule.min_job_ratio is None else float(rule.min_job_ratio),
        "candidates": None
        if rule.candidates is None
        else (rule.candidates if isinstance(rule.candidates, str) else "a list of zones"),
        "tau": float(rule.tau),
        "cluster_cores": bool(rule.cluster_cores),
        "zones_allowed": stats.get("candidates", 0),
        "zones_big_enough": stats.get("big_enough", 0),
        "zones_with_job_ratio": stats.get("job_ratio_ok", 0),
        "tied_to_bigger_centre": stats.get("tied", 0),
        "found": stats.get("found", 0),
        "largest_size": largest,
    }
