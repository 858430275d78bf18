"""What life zones read besides the flows: facilities, zone populations and points, and the
travel costs from zones to their candidate centres (straight-line distances on a spatial
index, or a cost table), with Huff's probabilistic choice among them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._checks import short_repr
from .._ids import normalise_ids
from ..errors import InvalidODError, InvalidParameterError, InvalidZonesError, Problems

__all__ = [
    "EARTH_RADIUS_M",
    "read_facilities",
    "zone_population",
    "zone_points",
    "unit_sphere",
    "distance_candidates",
    "cost_candidates",
    "huff",
    "default_decay",
]


EARTH_RADIUS_M = 6_371_008.8


def read_facilities(facilities: pd.DataFrame, graph, service: str | None = None) -> pd.DataFrame:
    """Validate a facility table (columns ``zone``, ``service``, ``capacity``) against the
    graph; returns the rows of ``service`` (all rows when None) aggregated per zone and
    service, capacities summed. Unknown zones, missing or negative capacities and a service
    without any facility are errors listing every case."""
    if not isinstance(facilities, pd.DataFrame):
        raise InvalidParameterError(
            "The 'facilities' parameter must be a DataFrame with columns zone, service and "
            f"capacity (one row per facility). Got {short_repr(facilities)} instead."
        )
    p = Problems("Invalid facility table")
    missing = [c for c in ("zone", "service", "capacity") if c not in facilities.columns]
    if missing:
        raise InvalidZonesError(
            f"Invalid facility table: missing columns {missing}; it needs zone, service and "
            f"capacity (it has {', '.join(map(str, facilities.columns))})."
        )
    zones = normalise_ids(facilities["zone"], what="facility zone ids")
    unknown = zones[~zones.isin(graph.ids)]
    p.add(
        "facilities in zones not in the graph",
        list(unknown[:3]),
        count=len(unknown),
        fix="Correct the zone ids (text, with leading zeros) or drop those facilities.",
    )
    cap = pd.to_numeric(facilities["capacity"], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(cap) | (cap < 0)
    p.add(
        "facilities with a missing or negative capacity",
        [f"{z} ({s})" for z, s in zip(zones[bad][:3], facilities["service"][bad][:3], strict=True)],
        count=int(bad.sum()),
    )
    services = facilities["service"].astype(str).to_numpy()
    if service is not None and service not in set(services):
        known = sorted(set(services))
        p.add(f"rows for service {service!r}", [], count=0)
        raise InvalidZonesError(
            f"Invalid facility table: service {service!r} has no facility (services present: "
            f"{', '.join(known) or 'none'}). Add its facilities, or build it from flows=."
        )
    p.raise_if_any(InvalidZonesError)
    table = pd.DataFrame({"zone": zones.to_numpy(), "service": services, "capacity": cap})
    if service is not None:
        table = table[table["service"] == service]
    return table.groupby(["service", "zone"], sort=False, as_index=False)["capacity"].sum()


def zone_population(graph, population) -> np.ndarray:
    if isinstance(population, str):
        if population == "residents":
            return np.asarray(graph.residents, float)
        if population not in graph.zones.columns:
            raise InvalidParameterError(
                f"The 'population' parameter names no zone column ({population!r}); pass a "
                "column of the zone table or 'residents' (employed residents as a proxy)."
            )
        values = graph.zones[population].to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            values = np.asarray(population, dtype=float)
        except (TypeError, ValueError):
            values = None
        if values is None or values.shape != (graph.n_zones,):
            raise InvalidParameterError(
                "The 'population' parameter must be a zone column name, 'residents', or one "
                f"number per zone ({graph.n_zones}). Got {short_repr(population)} instead."
            )
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        raise InvalidZonesError(
            f"Invalid population: {int(bad.sum())} zones with a missing or negative value "
            f"(first: {', '.join(graph.ids[bad][:3])})."
        )
    return values


def zone_points(graph):
    """Zone reference points (representative points) and whether the CRS is geographic."""
    geo = graph.geometry
    if geo is None:
        raise InvalidZonesError(
            "Accessibility needs costs= or zone geometry to measure distances; attach polygons "
            "or points with graph.with_geometry(...)."
        )
    g = geo.geometry
    missing = g.isna().to_numpy() | g.is_empty.to_numpy()
    if missing.any():
        raise InvalidZonesError(
            f"{int(missing.sum())} zones have no geometry (first: "
            f"{', '.join(graph.ids[missing][:3])}); distances cannot be measured for them. "
            "Pass costs= for them, or attach their geometry."
        )
    pts = g.representative_point()
    geographic = geo.crs is not None and geo.crs.is_geographic
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]), geographic


def unit_sphere(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def distance_candidates(graph, centres: np.ndarray, k: int, groups: np.ndarray | None = None):
    """(zone, centre index, distance) for every zone's ``k`` nearest centres — within its own
    group when ``groups`` is given (so nesting never hides a farther centre of the zone's own
    area). Great-circle metres in a geographic CRS (a KD-tree on the unit sphere orders by
    chord, which orders great-circle distance), straight-line CRS units otherwise."""
    from scipy.spatial import cKDTree

    xy, geographic = zone_points(graph)
    coords = unit_sphere(xy) if geographic else xy
    n = len(xy)
    groups = np.zeros(n, np.int64) if groups is None else groups
    out_r, out_c, out_d = [], [], []
    for g in np.unique(groups):
        zones = np.flatnonzero(groups == g)
        cidx = np.flatnonzero(groups[centres] == g)
        if len(cidx) == 0:
            continue
        kk = int(min(k, len(cidx)))
        dist, idx = cKDTree(coords[centres[cidx]]).query(coords[zones], k=kk)
        dist, idx = dist.reshape(len(zones), kk), idx.reshape(len(zones), kk)
        out_r.append(np.repeat(zones, kk))
        out_c.append(cidx[idx.ravel()])
        out_d.append(dist.ravel())
    if not out_r:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    dist = np.concatenate(out_d)
    if geographic:
        dist = 2 * EARTH_RADIUS_M * np.arcsin(np.clip(dist / 2, 0, 1))
    return np.concatenate(out_r), np.concatenate(out_c), dist


def cost_candidates(graph, centres: np.ndarray, costs):
    """(zone, centre index, cost) from a user cost table: a long DataFrame ``origin,
    destination, cost``, or a square matrix (dense, sparse, or DataFrame) over the graph's
    zones. Only pairs ending at a centre are kept. Negative or missing costs are errors."""
    n = graph.n_zones
    col_of = np.full(n, -1, np.int64)
    col_of[centres] = np.arange(len(centres))
    p = Problems("Invalid travel costs")
    if isinstance(costs, pd.DataFrame) and {"origin", "destination", "cost"} <= set(costs.columns):
        o = graph.ids.get_indexer(normalise_ids(costs["origin"], what="cost origin ids"))
        d = graph.ids.get_indexer(normalise_ids(costs["destination"], what="cost ids"))
        c = pd.to_numeric(costs["cost"], errors="coerce").to_numpy(dtype=float)
        unknown = (o < 0) | (d < 0)
        p.add(
            "cost rows with zones not in the graph",
            [f"row {i}" for i in np.flatnonzero(unknown)[:3]],
            count=int(unknown.sum()),
        )
        o, d, c = o[~unknown], d[~unknown], c[~unknown]
    else:
        if isinstance(costs, pd.DataFrame):
            idx = normalise_ids(costs.index, what="cost matrix ids")
            if not (idx.equals(graph.ids) and normalise_ids(costs.columns).equals(graph.ids)):
                raise InvalidODError(
                    "A cost matrix must have the graph's zone ids, in order, as index and columns."
                )
            costs = costs.to_numpy(dtype=float)
        m = sp.coo_array(costs) if sp.issparse(costs) else None
        if m is None:
            try:
                arr = np.asarray(costs, dtype=float)
            except (TypeError, ValueError):
                raise InvalidParameterError(
                    "The 'costs' parameter must be a long DataFrame (origin, destination, cost) "
                    f"or an {n} x {n} matrix of numbers over the graph's zones. Got "
                    f"{short_repr(costs)} instead."
                ) from None
            if arr.shape != (n, n):
                raise InvalidODError(f"A cost matrix must be {n} x {n}; got {arr.shape}.")
            sub = arr[:, centres]
            o = np.repeat(np.arange(n), len(centres))
            d = np.tile(centres, n)
            c = sub.ravel()
        else:
            if m.shape != (n, n):
                raise InvalidODError(f"A cost matrix must be {n} x {n}; got {m.shape}.")
            o, d, c = m.row, m.col, m.data.astype(float)
    neg = c < 0
    p.add(
        "negative costs",
        [f"{graph.ids[a]} → {graph.ids[b]}" for a, b in zip(o[neg][:3], d[neg][:3], strict=True)],
        count=int(neg.sum()),
        fix="Costs are times or distances and cannot be negative.",
    )
    nan = np.isnan(c)
    p.add(
        "missing costs",
        [f"{graph.ids[a]} → {graph.ids[b]}" for a, b in zip(o[nan][:3], d[nan][:3], strict=True)],
        count=int(nan.sum()),
        fix="Leave unreachable pairs out of a long table instead of giving NaN.",
    )
    p.raise_if_any(InvalidODError)
    keep = col_of[d] >= 0
    return o[keep], col_of[d[keep]], c[keep]


def huff(rows, cols, cost, capacity, decay: float, n: int):
    """Huff probabilities ``P(j | i) = cap_j exp(-decay c_ij) / sum_k cap_k exp(-decay c_ik)``
    over the candidate pairs; stable for large costs (shifted by each zone's minimum)."""
    base = np.full(n, np.inf)
    np.minimum.at(base, rows, cost)
    w = capacity[cols] * np.exp(-decay * (cost - base[rows]))
    total = np.bincount(rows, weights=w, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total[rows] > 0, w / total[rows], 0.0)


def default_decay(cost: np.ndarray) -> float:
    """A decay that halves attraction over the median nearest-candidate cost (scale-free)."""
    positive = cost[cost > 0]
    if len(positive) == 0:
        return 1.0
    return float(np.log(2) / np.median(positive))
