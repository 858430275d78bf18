"""Seeded synthetic OD tables at a fine level, partitioned Parquet, with their crosswalk.

:func:`write_synthetic_od` writes a table of the kind :func:`regionalize.io.aggregate_flows`
reads (block-like ids, a crosswalk fine id -> zone, distance decay) of any size, one
partition at a time, for tests and benchmarks of the aggregation of OD tables larger than
memory.
"""

from __future__ import annotations

import json
import math
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .._files import atomic_path, write_text
from ..errors import InvalidParameterError, check_parameter

__all__ = ["write_synthetic_od", "SyntheticOD"]


class SyntheticOD(NamedTuple):
    """Paths and figures of a table written by :func:`regionalize.synthetic.write_synthetic_od`.

    A named tuple ``(flows, crosswalk, n_rows, total)``: pass ``flows`` and ``crosswalk`` to
    :func:`regionalize.aggregate_flows`, and compare its total with ``total``.

    Examples
    --------
    >>> import tempfile
    >>> from regionalize.synthetic import write_synthetic_od
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     table = write_synthetic_od(tmp, 1_000, n_fine=50, n_zones=5, partitions=2, seed=1)
    ...     parts = sorted(path.name for path in table.flows.iterdir())
    >>> parts, table.crosswalk.name, table.n_rows, table.total
    (['part-00000.parquet', 'part-00001.parquet'], 'crosswalk.parquet', 1000, 1855)
    """

    flows: Path
    """The folder of Parquet partitions (``part-00000.parquet``, ...)."""
    crosswalk: Path
    """A Parquet file with columns ``fine`` and ``zone`` (text)."""
    n_rows: int
    total: int
    """The sum of the flow column."""


def _setup(n_fine: int, n_zones: int, seed: int, neighbours: int):
    """The fixed geography of a synthetic table: zones, fine units, neighbour tables."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    side = math.sqrt(n_zones)  # mean spacing between zone centres is about 1
    xy = rng.random((n_zones, 2)) * side
    weight = rng.lognormal(0.0, 1.0, n_zones)
    size = 1 + rng.multinomial(n_fine - n_zones, weight / weight.sum())
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    zone_of = np.repeat(np.arange(n_zones), size)
    local = np.arange(n_fine) - start[zone_of]
    width = max(5, len(str(n_zones)))
    zone_ids = pa.array([f"{k + 1:0{width}d}" for k in range(n_zones)], type=pa.large_string())
    local_txt = pc.utf8_lpad(pc.cast(pa.array(local), pa.large_string()), width=10, padding="0")
    fine_ids = pc.binary_join_element_wise(
        zone_ids.take(pa.array(zone_of)), local_txt, pa.scalar("", pa.large_string())
    )
    # residents per fine unit; jobs concentrated in a few centres
    residents = rng.lognormal(0.0, 0.8, n_fine)
    res_cdf = np.cumsum(residents)
    res_cdf /= res_cdf[-1]
    attraction = size * rng.lognormal(0.0, 1.5, n_zones)
    far_cdf = np.cumsum(attraction)
    far_cdf /= far_cdf[-1]
    k = min(neighbours, n_zones)
    dist, nb = cKDTree(xy).query(xy, k=k)
    dist, nb = np.asarray(dist).reshape(n_zones, k), np.asarray(nb).reshape(n_zones, k)
    p = attraction[nb] * np.exp(-dist)
    p[:, 0] *= 10.0  # the home zone (its own nearest neighbour) keeps about half its workers
    nb_cdf = np.cumsum(p, axis=1)
    nb_cdf /= nb_cdf[:, -1:]
    return {
        "fine_ids": fine_ids,
        "zone_ids": zone_ids,
        "zone_of": zone_of,
        "size": size,
        "start": start,
        "res_cdf": res_cdf,
        "far_cdf": far_cdf,
        "nb": nb,
        "nb_cdf": nb_cdf,
    }


def _synthetic_partition(geo: dict, rows: int, seed: int, part: int, far: float):
    import pyarrow as pa

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(part + 1,)))
    o_f = np.minimum(
        np.searchsorted(geo["res_cdf"], rng.random(rows), side="right"), len(geo["res_cdf"]) - 1
    )
    o_z = geo["zone_of"][o_f]
    u = rng.random(rows)
    rank = np.minimum((geo["nb_cdf"][o_z] < u[:, None]).sum(axis=1), geo["nb"].shape[1] - 1)
    d_z = geo["nb"][o_z, rank]
    is_far = rng.random(rows) < far
    d_z[is_far] = np.minimum(
        np.searchsorted(geo["far_cdf"], rng.random(int(is_far.sum())), side="right"),
        len(geo["far_cdf"]) - 1,
    )
    d_f = geo["start"][d_z] + (rng.random(rows) * geo["size"][d_z]).astype(np.int64)
    flow = rng.geometric(0.55, rows).astype(np.int32)  # mostly 1, 2 or 3 workers
    order = np.lexsort((d_f, o_f))  # sorted by origin, as LODES files are sorted by block
    table = pa.table(
        {
            "origin": geo["fine_ids"].take(pa.array(o_f[order])),
            "destination": geo["fine_ids"].take(pa.array(d_f[order])),
            "flow": pa.array(flow[order]),
        }
    )
    return table, int(flow.sum(dtype=np.int64))


def write_synthetic_od(
    path: str | PathLike,
    n_rows: int,
    n_fine: int,
    n_zones: int,
    *,
    partitions: int | None = None,
    seed: int = 0,
    neighbours: int = 30,
    far: float = 0.01,
    overwrite: bool = False,
) -> SyntheticOD:
    """Write a seeded, partitioned Parquet OD table at a fine level, with its crosswalk.

    Zones are points scattered over a square; each holds a random number of fine units
    (at least one). Every row draws an origin fine unit (weighted by a random resident
    count), then a destination zone among the origin zone's ``neighbours`` nearest zones
    weighted by jobs times ``exp(-distance)`` (distance in mean zone spacings; the zone
    itself, its own nearest neighbour, weighs ten times more, so that about half the workers
    stay in their zone) -- or, with probability ``far``, a zone anywhere, by jobs --,
    then a destination fine unit of that zone, and a flow of 1, 2, 3, ... workers
    (geometric). A fine pair may repeat across rows, as in concatenated yearly or job-type
    files: aggregation sums them.

    Parameters
    ----------
    path : path
        Folder to write into (created): ``flows/part-00000.parquet``, ...,
        ``crosswalk.parquet`` and ``manifest.json`` (written last: its presence means the
        table is complete).
    n_rows : int
        Rows in all.
    n_fine : int
        Fine units (block-like ids: the zone's 5-digit code, leading zeros, then a 10-digit
        number, 15 characters), at least ``n_zones``.
    n_zones : int
        Zones (ids ``"00001"``, ``"00002"``, ...).
    partitions : int, optional
        Number of files; by default one per million rows.
    seed : int
        The table is a function of ``(seed, n_fine, n_zones, neighbours, far)`` and each
        partition's rows of its index and size only: the same arguments give the same files.
    neighbours : int
        How many nearest zones a destination is drawn from.
    far : float
        Share of rows going to a zone drawn anywhere (long-distance commuting).
    overwrite : bool
        Replace an existing table in ``path``; otherwise a complete one there is an error.

    Returns
    -------
    SyntheticOD
        ``(flows, crosswalk, n_rows, total)``.

    Notes
    -----
    Written one partition at a time: memory O(n_fine + n_zones x neighbours + rows per
    partition), time O(n_rows log n_fine).

    See Also
    --------
    regionalize.aggregate_flows : Reads such a table back, aggregated to zones.
    regionalize.synthetic_country : A synthetic country at the zone level, with polygons.

    Examples
    --------
    1,000 rows between 50 fine units of 5 zones, in two Parquet files:

    >>> import pandas as pd, tempfile
    >>> from regionalize.synthetic import write_synthetic_od
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     table = write_synthetic_od(tmp, 1_000, n_fine=50, n_zones=5, partitions=2, seed=1)
    ...     rows = pd.read_parquet(table.flows)
    ...     crosswalk = pd.read_parquet(table.crosswalk)
    >>> rows.head(3)
                origin      destination  flow
    0  000010000000000  000010000000001     1
    1  000010000000000  000010000000001     1
    2  000010000000000  000010000000003     2
    >>> crosswalk.head(2)
                  fine   zone
    0  000010000000000  00001
    1  000010000000001  00001
    >>> len(rows), int(rows["flow"].sum()) == table.total
    (1000, True)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, value, low in (
        ("n_rows", n_rows, 1),
        ("n_fine", n_fine, 1),
        ("n_zones", n_zones, 1),
        ("neighbours", neighbours, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise InvalidParameterError(
                f"The {name!r} parameter of write_synthetic_od must be an int >= {low}. "
                f"Got {value!r} instead."
            )
    if n_fine < n_zones:
        raise InvalidParameterError(
            f"write_synthetic_od needs at least one fine unit per zone: n_fine={n_fine:,} < "
            f"n_zones={n_zones:,}."
        )
    check_parameter("write_synthetic_od", "far", far, interval=(0, 1))
    parts = partitions if partitions is not None else max(1, math.ceil(n_rows / 1_000_000))
    if (
        isinstance(parts, bool)
        or not isinstance(parts, (int, np.integer))
        or not (1 <= parts <= n_rows)
    ):
        raise InvalidParameterError(
            "The 'partitions' parameter of write_synthetic_od must be an int between 1 and "
            f"n_rows. Got {partitions!r} instead."
        )
    root = Path(path)
    flows_dir = root / "flows"
    manifest = root / "manifest.json"
    if manifest.exists() and not overwrite:
        raise InvalidParameterError(
            f"{root} already holds a synthetic table; pass overwrite=True to replace it."
        )
    manifest.unlink(missing_ok=True)
    flows_dir.mkdir(parents=True, exist_ok=True)
    for old in flows_dir.glob("part-*.parquet"):
        old.unlink()

    geo = _setup(int(n_fine), int(n_zones), seed, int(neighbours))
    crosswalk = root / "crosswalk.parquet"
    with atomic_path(crosswalk) as tmp:
        pq.write_table(
            pa.table(
                {"fine": geo["fine_ids"], "zone": geo["zone_ids"].take(pa.array(geo["zone_of"]))}
            ),
            tmp,
        )
    sizes = np.full(parts, n_rows // parts, dtype=np.int64)
    sizes[: n_rows % parts] += 1
    total = 0
    for i, rows in enumerate(sizes):
        table, flow_sum = _synthetic_partition(geo, int(rows), seed, i, far)
        with atomic_path(flows_dir / f"part-{i:05d}.parquet") as tmp:
            pq.write_table(table, tmp, compression="zstd")
        total += flow_sum
        del table
    write_text(
        manifest,
        json.dumps(
            {
                "n_rows": int(n_rows),
                "n_fine": int(n_fine),
                "n_zones": int(n_zones),
                "partitions": int(parts),
                "seed": seed,
                "neighbours": int(neighbours),
                "far": far,
                "total": total,
                "columns": ["origin", "destination", "flow"],
            },
            indent=2,
        )
        + "\n",
    )
    return SyntheticOD(flows_dir, crosswalk, int(n_rows), total)
