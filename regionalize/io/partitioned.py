"""OD tables larger than memory: partitioned Parquet or CSV, aggregated to zones with Dask.

Raw commuting tables come at a finer level than the zones a delineation works on (US LODES:
about 10^8 block-to-block rows a year). :func:`aggregate_flows` reads such a table partition
by partition, maps each fine id to its zone through a crosswalk (block -> tract -> county),
sums the flows per (origin zone, destination zone) pair inside every partition and merges
the partial sums in a tree. Only the zone pairs are ever held in memory, never the rows, and
the result is an ordinary :class:`~regionalize.FlowGraph`.

:func:`regionalize.synthetic.write_synthetic_od` writes a seeded table of that kind
(block-like ids, a crosswalk, distance decay) of any size, for tests and benchmarks.

Dask (``pip install 'regionalize[distributed]'``) is imported only when these functions run.
"""

from __future__ import annotations

import glob
import uuid
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._dask import import_distributed, is_distributed_client
from .._ids import normalise_column
from ..errors import (
    DataNotFoundError,
    InvalidODError,
    InvalidParameterError,
    InvalidZonesError,
    Problems,
    check_parameter,
)
from ..flows import FlowGraph
from ._od_tasks import EXAMPLES, Lookup, Partial, map_partition, parquet_pieces, tree

__all__ = ["aggregate_flows"]

_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".txt", ".tsv")
_COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")


# ============================================================================ imports
def _import_dask():
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Reading partitioned OD tables needs dask[dataframe]: pip install "
            "'regionalize[distributed]' (or pip install 'dask[dataframe]')."
        ) from exc
    return dask, dd


# ============================================================================ sources
def _suffix(path: str) -> str:
    name = path.lower()
    for comp in _COMPRESSED:
        if name.endswith(comp):
            name = name[: -len(comp)]
            break
    return Path(name).suffix


def _is_data_file(path: Path) -> bool:
    return (
        path.is_file()
        and not path.name.startswith(("_", "."))
        and (_suffix(str(path)) in _PARQUET + _CSV)
    )


def _resolve_source(source, fmt: str | None) -> tuple[list[str], str, Any]:
    """The data files of ``source``, their format and what to hand to the Dask reader."""
    if isinstance(source, (str, PathLike)):
        text = str(source)
        if any(ch in text for ch in "*?["):
            files = sorted(glob.glob(text, recursive=True))
            files = [f for f in files if Path(f).is_file()]
            if not files:
                raise DataNotFoundError(f"No files match {text!r}.")
            reader_arg: Any = files
        else:
            path = Path(text)
            if not path.exists():
                raise DataNotFoundError(f"No such file or folder: {path}.")
            if path.is_dir():
                files = sorted(str(p) for p in path.rglob("*") if _is_data_file(p))
                if not files:
                    raise DataNotFoundError(
                        f"No Parquet or CSV files in {path} (looked for "
                        f"{', '.join('*' + s for s in _PARQUET + _CSV)})."
                    )
                reader_arg = str(path)
            else:
                files = [str(path)]
                reader_arg = files
    elif (
        isinstance(source, Sequence)
        and source
        and all(isinstance(s, (str, PathLike)) for s in source)
    ):
        files = [str(s) for s in source]
        missing = [f for f in files if not Path(f).is_file()]
        if missing:
            raise DataNotFoundError(
                f"{len(missing):,} files not found (first: {', '.join(missing[:EXAMPLES])})."
            )
        reader_arg = files
    else:
        raise InvalidParameterError(
            "The 'source' parameter of aggregate_flows must be a folder, a file, a glob "
            f"pattern or a list of files. Got {type(source).__name__} instead."
        )
    if fmt is not None:
        check_parameter("aggregate_flows", "format", fmt, allowed=["parquet", "csv"])
    else:
        kinds = {
            "parquet" if _suffix(f) in _PARQUET else "csv" if _suffix(f) in _CSV else "?"
            for f in files
        }
        if kinds == {"parquet"} or kinds == {"csv"}:
            fmt = kinds.pop()
        else:
            raise InvalidODError(
                f"Cannot tell the format of {Path(files[0]).name!r}"
                + (" (the files mix Parquet and CSV)" if len(kinds) > 1 else "")
                + "; pass format='parquet' or format='csv'."
            )
    if fmt == "csv" and reader_arg is not files:
        reader_arg = [f for f in files if _suffix(f) in _CSV] or files
        files = reader_arg
    return files, fmt, reader_arg


def _columns_of(files: list[str], reader_arg: Any, fmt: str, sep: str) -> list[str]:
    if fmt == "parquet":
        import pyarrow.dataset as ds

        try:
            return list(ds.dataset(reader_arg, format="parquet", partitioning="hive").schema.names)
        except Exception as exc:  # pyarrow raises several kinds for unreadable files
            raise InvalidODError(f"Cannot read {Path(files[0]).name} as Parquet ({exc}).") from None
    return list(pd.read_csv(files[0], sep=sep, nrows=0).columns)


# ============================================================================ crosswalks
def _crosswalk_series(crosswalk, columns, id_width, what: str, sep: str = ",") -> pd.Series:
    """A crosswalk in any accepted form as a Series fine id (text) -> zone (text)."""
    from .readers import read_table

    if isinstance(crosswalk, (str, PathLike)):
        if columns:
            names = list(columns)
        elif _suffix(str(crosswalk)) in _PARQUET:
            import pyarrow.parquet as pq

            names = pq.read_schema(crosswalk).names[:2]
        else:
            names = list(map(str, read_table(crosswalk, sep=sep, nrows=0).columns[:2]))
        crosswalk = read_table(
            crosswalk,
            text_columns=names,
            columns=names,
            **({} if _suffix(str(crosswalk)) in _PARQUET else {"sep": sep}),
        )
    if isinstance(crosswalk, Mapping):
        crosswalk = pd.Series(dict(crosswalk), dtype=object)
    if isinstance(crosswalk, pd.DataFrame):
        names = list(columns) if columns else list(crosswalk.columns[:2])
        absent = [c for c in names if c not in crosswalk.columns]
        if len(names) != 2 or absent:
            raise InvalidZonesError(
                f"Invalid {what}: expected two columns (fine id, zone); "
                + (f"missing {', '.join(map(repr, absent))}; " if absent else "")
                + f"it has {', '.join(map(repr, map(str, crosswalk.columns[:12])))}. Pass "
                "crosswalk_columns=(fine, zone)."
            )
        crosswalk = pd.Series(crosswalk[names[1]].to_numpy(), index=crosswalk[names[0]])
    if not isinstance(crosswalk, pd.Series):
        raise InvalidParameterError(
            f"The {what} must be a mapping, a pandas Series (fine id -> zone), a DataFrame "
            f"or a CSV/Parquet file. Got {type(crosswalk).__name__} instead."
        )
    problems = Problems(f"Invalid {what}")
    keep = crosswalk.notna().to_numpy()
    no_zone = crosswalk.index[~keep]
    problems.add(
        "fine ids without a zone",
        list(map(str, no_zone[:EXAMPLES])),
        count=len(no_zone),
        fix="Every fine id needs a zone.",
    )
    problems.raise_if_any(InvalidZonesError)
    fine = normalise_column(crosswalk.index, what=f"{what} fine ids", width=id_width)
    zone = normalise_column(crosswalk.to_numpy(), what=f"{what} zones")
    table = pd.DataFrame({"fine": fine, "zone": zone}).drop_duplicates()
    dup = table["fine"].duplicated(keep=False)
    if dup.any():
        first = table.loc[dup, "fine"].drop_duplicates()
        problems.add(
            "fine ids mapped to several zones",
            list(first[:EXAMPLES]),
            count=len(first),
            fix="Each fine id must map to exactly one zone.",
        )
        problems.raise_if_any(InvalidZonesError)
    if len(table) == 0:
        raise InvalidZonesError(f"Invalid {what}: it is empty.")
    return pd.Series(table["zone"].to_numpy(), index=table["fine"].to_numpy())


def _lookups(crosswalk, origin_crosswalk, destination_crosswalk, columns, id_width, sep):
    """The origin and destination lookups (the same object when one crosswalk serves both)
    and the zone labels their codes index."""
    import pyarrow as pa

    o_cw = origin_crosswalk if origin_crosswalk is not None else crosswalk
    d_cw = destination_crosswalk if destination_crosswalk is not None else crosswalk
    if o_cw is None and d_cw is None:
        return None, None, np.array([], dtype=object)
    if (o_cw is None) != (d_cw is None):
        raise InvalidParameterError(
            "Give a crosswalk for both sides: crosswalk= for both, or origin_crosswalk= and "
            "destination_crosswalk=."
        )
    same = o_cw is d_cw
    o_s = _crosswalk_series(
        o_cw, columns, id_width, "crosswalk" if same else "origin crosswalk", sep
    )
    d_s = o_s if same else _crosswalk_series(d_cw, columns, id_width, "destination crosswalk", sep)
    labels = pd.Index(
        pd.concat([pd.Series(o_s.to_numpy()), pd.Series(d_s.to_numpy())]).unique()
    ).astype(object)

    def make(s: pd.Series) -> Lookup:
        codes = labels.get_indexer(pd.Index(s.to_numpy(), dtype=object)).astype(np.int64)
        return Lookup(pa.array(s.index.to_numpy(dtype=object), type=pa.large_string()), codes)

    o_lk = make(o_s)
    d_lk = o_lk if same else make(d_s)
    return o_lk, d_lk, labels.to_numpy(dtype=object)


# ============================================================================ computing
def _amount(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.6g}"


def _compute(dask, obj, scheduler):
    if scheduler is None or (isinstance(scheduler, str) and "://" not in scheduler):
        (res,) = dask.compute(obj, scheduler=scheduler)
        return res
    if isinstance(scheduler, str):
        distributed = import_distributed()
        try:
            client = distributed.Client(scheduler, timeout="10s", set_as_default=False)
        except OSError as exc:
            raise InvalidParameterError(
                f"Cannot connect to the Dask scheduler at {scheduler} ({exc}); check the "
                "address and that the scheduler is running."
            ) from None
        with client:
            (res,) = dask.compute(obj, scheduler=client)
        return res
    if is_distributed_client(scheduler):
        (res,) = dask.compute(obj, scheduler=scheduler)
        return res
    raise InvalidParameterError(
        "The 'scheduler' parameter of aggregate_flows must be None, a Dask scheduler name "
        "('threads', 'synchronous', 'processes'), a scheduler address such as "
        f"'tcp://10.0.0.5:8786' or a dask.distributed.Client. Got {scheduler!r} instead."
    )


# ============================================================================ public API
def aggregate_flows(
    source: str | PathLike | Sequence[str | PathLike],
    origin: str = "origin",
    destination: str = "destination",
    flow: str = "flow",
    *,
    crosswalk=None,
    origin_crosswalk=None,
    destination_crosswalk=None,
    crosswalk_columns: Sequence[str] | None = None,
    unmatched: str = "error",
    zones: pd.DataFrame | None = None,
    format: str | None = None,
    sep: str = ",",
    blocksize: str | int | None = "64MB",
    id_width: int | None = None,
    split_every: int = 8,
    scheduler=None,
    **graph_kwargs: Any,
) -> FlowGraph:
    """Aggregate a partitioned OD table, larger than memory, to zones with Dask.

    The table is read partition by partition, only the three columns needed: Parquet
    files (or runs of their row groups) with pyarrow inside each Dask task, CSV files in
    byte blocks with ``dask.dataframe.read_csv``. In each partition the fine ids are mapped
    to zones through the crosswalk and the flows summed per (origin zone, destination zone)
    pair (the map step); the partial sums are then merged in a tree, ``split_every`` at a
    time (the reduce step), and the result built with
    :meth:`FlowGraph.from_dataframe <regionalize.FlowGraph.from_dataframe>`.

    Parameters
    ----------
    source : path, glob pattern or list of paths
        A folder of Parquet files (a Parquet dataset, hive partitions included) or of CSV
        files, one file, a glob such as ``"lodes/*_od_main_JT00_2019.csv.gz"``, or a list of
        files. Compressed CSV files are read one partition per file.
    origin, destination, flow : str
        Column names of the origin id, destination id and flow; no other column is read.
    crosswalk : mapping, pandas.Series, pandas.DataFrame or path, optional
        Fine id -> zone for both origins and destinations: a mapping, a Series indexed by
        fine id, a DataFrame (``crosswalk_columns``, by default its first two columns:
        fine id, zone) or a CSV/Parquet file of that table (ids read as text, leading
        zeros kept). Without any crosswalk the ids of the table are the zones. To go
        through several levels (block -> tract -> county), compose them first, e.g.
        ``block_tract.map(tract_county)``.
    origin_crosswalk, destination_crosswalk : same kinds as ``crosswalk``, optional
        A different crosswalk for one side (e.g. residence blocks to tracts, workplace
        blocks to counties); each replaces ``crosswalk`` on its side.
    crosswalk_columns : (str, str), optional
        The fine-id and zone columns of a DataFrame or file crosswalk.
    unmatched : {"error", "drop", "keep"}
        Rows whose origin or destination id is not in the crosswalk: an error naming how
        many rows, how much flow and which ids (the first ones, in file order); left out,
        with the same figures recorded in ``graph.meta["unmatched"]`` and
        ``graph.meta["repairs"]``; or kept, each unmatched id becoming a zone of its own
        (named by its id; an id that equals a zone label adds to that zone).
    zones : pandas.DataFrame, optional
        Zone attributes, passed to ``from_dataframe`` (see ``extra_zones`` there for zones
        of the table that receive no flow).
    format : {"parquet", "csv"}, optional
        Inferred from the file suffixes when not given.
    sep : str
        CSV delimiter (of the table and of a CSV crosswalk).
    blocksize : str or int or None
        Bytes per partition: for CSV the size of each block read; for Parquet, files larger
        than this (uncompressed) are split into runs of row groups of about this size.
        ``None``: one partition per file.
    id_width : int, optional
        Left-pad numeric ids of the table and of the crosswalk's fine ids with zeros to
        this width (for codes stored as numbers that lost their leading zeros).
    split_every : int
        How many partial sums are merged at a time.
    scheduler : None, str or dask.distributed.Client
        ``None``: Dask's default (a ``distributed.Client`` made current, else the threaded
        scheduler); a Dask scheduler name (``"threads"``, ``"synchronous"``,
        ``"processes"``); a scheduler address (``"tcp://10.0.0.5:8786"``, connected to
        for this call only); or a ``Client``. The files (local or shared file system paths)
        must be readable from every worker.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_dataframe <regionalize.FlowGraph.from_dataframe>`
        (``zone_id``, ``extra_zones``, ``residents``, ``jobs``, ``name``, ``meta``).

    Returns
    -------
    FlowGraph
        One zone per crosswalk zone that sends or receives a flow (plus kept unmatched ids),
        sorted by id unless ``zones`` gives the order. ``meta`` records the source, the
        number of rows and partitions, and what was done with unmatched ids.

    Raises
    ------
    InvalidODError
        Missing columns (raised before any reading); after reading, every problem found at
        once: rows without ids, non-numeric, NaN, negative or infinite flows, and (with
        ``unmatched="error"``) ids missing from the crosswalk.
    InvalidZonesError
        A crosswalk with fine ids without a zone, or mapped to several zones.
    DataNotFoundError
        No file at ``source``.

    Notes
    -----
    Time O(rows) for reading, mapping and summing, plus one hash build of the crosswalk per
    partition (O(partitions x crosswalk)); memory O(distinct zone pairs + crosswalk) beside
    the partitions being read (one per Dask thread or worker), whatever the number of rows.
    Flows are summed as float64: integer counts stay exact up to 2^53.

    Examples
    --------
    A seeded table of 20,000 rows between 500 block-like units, in 4 Parquet files, with the
    crosswalk of the units to 20 zones:

    >>> import tempfile
    >>> from regionalize.synthetic import write_synthetic_od
    >>> folder = tempfile.TemporaryDirectory()
    >>> table = write_synthetic_od(folder.name, 20_000, n_fine=500, n_zones=20, partitions=4,
    ...                            seed=1)
    >>> g = rz.aggregate_flows(table.flows, crosswalk=table.crosswalk, scheduler="synchronous")
    >>> g.n_zones, g.total == table.total, g.ids[0]
    (20, True, '00001')
    >>> folder.cleanup()
    """
    check_parameter("aggregate_flows", "unmatched", unmatched, allowed=["error", "drop", "keep"])
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise InvalidParameterError(
            "The 'split_every' parameter of aggregate_flows must be an int >= 2. "
            f"Got {split_every!r} instead."
        )
    if "duplicates" in graph_kwargs:
        raise InvalidParameterError(
            "aggregate_flows always sums repeated pairs; do not pass duplicates=."
        )
    dask, dd = _import_dask()
    files, fmt, reader_arg = _resolve_source(source, format)
    names = [origin, destination, flow]
    have = _columns_of(files, reader_arg, fmt, sep)
    absent = [c for c in dict.fromkeys(names) if c not in have]
    if absent:
        raise InvalidODError(
            f"Invalid OD table {Path(files[0]).name}: missing columns "
            f"{', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, have[:12])))}. Pass the right names with "
            "origin=, destination=, flow=."
        )
    o_lk, d_lk, labels = _lookups(
        crosswalk, origin_crosswalk, destination_crosswalk, crosswalk_columns, id_width, sep
    )

    cols = list(dict.fromkeys(names))
    if fmt == "parquet":
        parts: list = parquet_pieces(reader_arg, blocksize)
    else:
        compressed = any(f.lower().endswith(_COMPRESSED) for f in files)
        ddf = dd.read_csv(
            files,
            usecols=cols,
            dtype={c: str for c in cols},
            sep=sep,
            blocksize=None if compressed else blocksize,
            keep_default_na=False,
            na_values=[""],
        )
        parts = ddf.to_delayed()
    map_part = dask.delayed(map_partition, pure=True)
    token = uuid.uuid4().hex
    o_d = dask.delayed(o_lk, name=f"crosswalk-origin-{token}") if o_lk is not None else None
    d_d = o_d if d_lk is o_lk else dask.delayed(d_lk, name=f"crosswalk-destination-{token}")
    mapped = [
        map_part(p, o_d, d_d, len(labels), labels, i, tuple(names), unmatched, id_width)
        for i, p in enumerate(parts)
    ]
    total: Partial = _compute(dask, tree(dask, mapped, split_every), scheduler)

    where = (
        Path(files[0]).name
        if len(files) == 1
        else (str(source) if isinstance(source, (str, PathLike)) else f"({len(files):,} files)")
    )
    problems = Problems(f"Invalid OD table {where}")
    for what, (count, examples) in total.problems.items():
        problems.add(what, examples, count=count)
    unmatched_info = None
    if total.unmatched_rows:
        n_o = len(total.unmatched_origin) if total.unmatched_origin is not None else 0
        n_d = len(total.unmatched_destination) if total.unmatched_destination is not None else 0
        ex_o = total.unmatched_origin[:EXAMPLES].to_pylist() if n_o else []
        ex_d = total.unmatched_destination[:EXAMPLES].to_pylist() if n_d else []
        unmatched_info = {
            "rows": total.unmatched_rows,
            "flow": total.unmatched_flow,
            "origin_ids": n_o,
            "destination_ids": n_d,
            "first_origin_ids": ex_o,
            "first_destination_ids": ex_d,
            "policy": unmatched,
        }
        if unmatched == "error":
            problems.add(
                f"rows (flow {_amount(total.unmatched_flow)}) with ids not in the crosswalk: "
                f"{n_o:,} origin ids"
                + (f" (first: {', '.join(ex_o)})" if n_o else "")
                + f", {n_d:,} destination ids"
                + (f" (first: {', '.join(ex_d)})" if n_d else ""),
                [],
                count=total.unmatched_rows,
                fix="Add the ids to the crosswalk (or fix them in the table), or pass "
                "unmatched='drop' to leave those rows out or unmatched='keep' to keep each "
                "unmatched id as a zone of its own.",
            )
    problems.raise_if_any(InvalidODError)

    frames = []
    if len(total.keys):
        oc, dc = np.divmod(total.keys, len(labels))
        frames.append(
            pd.DataFrame({"origin": labels[oc], "destination": labels[dc], "flow": total.sums})
        )
    if total.extra is not None:
        frames.append(total.extra.astype({"origin": object, "destination": object}))
    if not frames:
        raise InvalidODError(
            f"Invalid OD table {where}: no flows left ({total.rows:,} rows read"
            + (
                f", {total.unmatched_rows:,} dropped as not in the crosswalk"
                if total.unmatched_rows
                else ""
            )
            + ")."
        )
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1 or (o_lk is not None and unmatched == "keep"):
        table = table.groupby(["origin", "destination"], sort=False, as_index=False)["flow"].sum()

    meta = dict(graph_kwargs.pop("meta", None) or {})
    info = {
        "source": str(source) if isinstance(source, (str, PathLike)) else files,
        "format": fmt,
        "rows": total.rows,
        "partitions": len(parts),
    }
    meta = {**info, **meta}
    if unmatched_info is not None:
        meta["unmatched"] = unmatched_info
        what = "left out" if unmatched == "drop" else "kept as zones of their own"
        meta["repairs"] = [
            *meta.get("repairs", []),
            (
                f"{total.unmatched_rows:,} rows (flow {_amount(total.unmatched_flow)}) with ids not "
                f"in the crosswalk {what}: {unmatched_info['origin_ids']:,} origin ids, "
                f"{unmatched_info['destination_ids']:,} destination ids (first: "
                f"{', '.join((ex_o + ex_d)[:EXAMPLES])})"
            ),
        ]
    return FlowGraph.from_dataframe(
        table, "origin", "destination", "flow", zones=zones, meta=meta, **graph_kwargs
    )
