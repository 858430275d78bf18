"""Helpers of the ``regionalize`` command line: sources, option parsing, label files."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .errors import RegionalizeError
from .stability import Executor, resolve_executor

FILE_SUFFIXES = {".csv", ".txt", ".tsv", ".gz", ".bz2", ".zip", ".xz", ".parquet", ".pq"}


class CliInputError(RegionalizeError):
    """A command-line argument or input file cannot be used (exit code 2)."""


def load_source(source: str, origin: str = "origin", destination: str = "destination",
                flow: str = "flow"):
    """A FlowGraph from a named data set, ``synthetic-N`` or a CSV/Parquet OD file."""
    from .datasets import DATASETS, load

    path = Path(source)
    if path.exists():
        from .io.readers import read_flows

        try:
            return read_flows(path, origin, destination, flow, name=path.stem)
        except RegionalizeError as exc:
            raise type(exc)(str(exc).replace("origin=, destination=, flow=",
                                             "--origin, --destination, --flow")) from None
        except KeyError as exc:
            raise CliInputError(
                f"{path.name} has no column {exc}; name the columns with --origin, "
                "--destination and --flow.") from None
    if source in DATASETS:
        return load(source)
    if source.startswith("synthetic-"):
        n = source.split("-", 1)[1]
        if not n.isdigit() or int(n) < 2:
            raise CliInputError(f"bad synthetic data set {source!r}; use e.g. synthetic-300.")
        from .synthetic import synthetic_country

        return synthetic_country(int(n), seed=0)
    if path.suffix.lower() in FILE_SUFFIXES or "/" in source or "\\" in source:
        raise CliInputError(f"no such file: {source}; check the path of the OD file.")
    raise CliInputError(
        f"Unknown data set {source!r}; choose one of {', '.join(DATASETS)} or synthetic-N "
        "(see `regionalize datasets`), or give a CSV/Parquet OD file.")


def parse_centres(text: str | None) -> list | None:
    """``"21+26,22,11"`` -> ``[["21", "26"], "22", "11"]`` (``+`` joins a polycentric core)."""
    if text is None:
        return None
    out: list = []
    for part in text.split(","):
        ids = [i.strip() for i in part.split("+") if i.strip()]
        if not ids:
            raise CliInputError(f"--centres {text!r} has an empty entry; use e.g. 21+26,22,11.")
        out.append(ids if len(ids) > 1 else ids[0])
    return out


def check_tau(value: float | None, option: str = "--tau") -> None:
    if value is not None and not 0 < value <= 1:
        raise CliInputError(f"{option} must be a share in (0, 1]; got {value:g} "
                            f"(e.g. {option} 0.1 for 10%).")


def parse_floats(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliInputError(f"{option} must be comma-separated numbers (e.g. 0.05,0.1,0.2); "
                            f"got {text!r}.") from None
    if not values:
        raise CliInputError(f"{option} needs at least one value (e.g. 0.05,0.1,0.2).")
    for v in values:
        check_tau(v, option)
    return values


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise CliInputError(f"no such file: {path} ({what}); check the path.")
    if path.suffix.lower() in {".parquet", ".pq"}:
        df = pd.read_parquet(path)
        return df.astype({c: str for c in df.columns[:1]})
    return pd.read_csv(path, dtype=str, sep=None, engine="python")


def read_labels(path: str | Path, column: str | None = None) -> pd.Series:
    """Zone -> label from a file with a ``zone`` column and a ``label`` column (or ``column``,
    e.g. a layer of ``zones.csv`` written by ``delineate``; or the second of two columns)."""
    df = read_table(path, "label file")
    name = Path(path).name
    if "zone" not in df.columns:
        raise CliInputError(f"{name} has no 'zone' column; the label file needs columns "
                            "zone,label.")
    if column is None:
        column = "label" if "label" in df.columns else (
            df.columns[1] if len(df.columns) == 2 else None)
    if column is None or column not in df.columns:
        raise CliInputError(f"{name} has no label column {column or 'label'!r} (columns: "
                            f"{', '.join(df.columns)}); pass --layer COLUMN.")
    labels = df.set_index("zone")[column]
    if labels.index.duplicated().any():
        dup = labels.index[labels.index.duplicated()][0]
        raise CliInputError(f"{name} lists zone {dup!r} more than once; keep one row per zone.")
    return labels.where(labels.notna() & (labels != ""), None)


def read_crosswalk(path: str | Path) -> pd.Series:
    """B's zone id -> A's zone id, from the first two columns of a file."""
    df = read_table(path, "crosswalk")
    if len(df.columns) < 2:
        raise CliInputError(f"{Path(path).name} needs two columns: the zone id in B, then in A.")
    return pd.Series(df.iloc[:, 1].to_numpy(), index=df.iloc[:, 0].to_numpy())


def read_grouping(path: str | Path) -> dict[str, list[str]]:
    df = read_table(path, "grouping file")
    missing = {"zone", "group"} - set(df.columns)
    if missing:
        raise CliInputError(f"{Path(path).name} has no {', '.join(sorted(missing))} column; the "
                            "grouping file needs columns zone,group.")
    df = df.dropna(subset=["zone", "group"])
    if df.empty:
        raise CliInputError(f"{Path(path).name} has no rows; add zone,group rows.")
    return {g: list(z) for g, z in df.groupby("group", sort=False)["zone"]}


def make_executor(workers: int | None, scheduler: str | None):
    """(executor, client): an int of local processes, or a lazily made dask Client."""
    if workers is not None and scheduler is not None:
        raise CliInputError("give either --workers or --scheduler, not both.")
    if workers is not None and workers < 1:
        raise CliInputError(f"--workers must be a positive number; got {workers}.")
    if scheduler is None:
        return workers, None
    try:
        from distributed import Client
    except ImportError:
        raise CliInputError("--scheduler needs dask.distributed: pip install "
                            "'dask[distributed]'.") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise CliInputError(f"cannot connect to the Dask scheduler at {scheduler} ({exc}); "
                            "check the address (e.g. tcp://host:8786).") from None
    return client, client


@contextmanager
def executor_for(workers: int | None, scheduler: str | None, label: str, quiet: bool):
    """The executor for --workers / --scheduler, reporting progress; closes a Dask client."""
    executor, client = make_executor(workers, scheduler)
    try:
        yield ProgressExecutor(executor, label, quiet)
    finally:
        if client is not None:
            client.close()


class ProgressExecutor(Executor):
    """Reports progress on stderr: per run in this process, start/end otherwise."""

    def __init__(self, executor, label: str, quiet: bool = False):
        self.inner = resolve_executor(executor)
        self.label = label
        self.quiet = quiet
        self.sequential = (type(self.inner).__name__ == "SequentialExecutor"
                           and sys.stderr.isatty())

    def _say(self, text: str, end: str = "\n") -> None:
        if not self.quiet:
            sys.stderr.write(text + end)
            sys.stderr.flush()

    def map(self, fn, items, **shared):
        items = list(items)
        n = len(items)
        start = time.perf_counter()
        if self.sequential:
            out = []
            for i, item in enumerate(items, 1):
                out.append(fn(item, **shared))
                self._say(f"\r{self.label}: {i}/{n}", end="")
            self._say(f" ({time.perf_counter() - start:.1f}s)")
            return out
        self._say(f"{self.label}: {n} runs on {self.inner!r} ...")
        out = self.inner.map(fn, items, **shared)
        self._say(f"{self.label}: done ({time.perf_counter() - start:.1f}s)")
        return out

    def __repr__(self) -> str:
        return repr(self.inner)


def attach_zones(graph, path: Path, id_column: str | None):
    """``graph`` with the polygons of ``path`` attached by id (``--zones`` / ``--zone-id``).

    Without ``id_column`` the first column whose values cover the graph's zone ids (leading
    zeros kept) is used; polygon rows for zones not in the flows are dropped and reported by
    count, zones of the flows without a polygon are an error naming them.
    """
    import geopandas as gpd

    if not path.exists():
        raise FileNotFoundError(2, "missing", str(path))
    try:
        layer = gpd.read_parquet(path) if path.suffix.lower() == ".parquet" \
            else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad --zones file
        raise CliInputError(f"cannot read --zones {path}: {exc}. Give a GeoPackage, GeoJSON, "
                            "shapefile or GeoParquet of zone polygons.") from None
    if not isinstance(layer, gpd.GeoDataFrame) or "geometry" not in layer.dtypes.astype(str).values:
        raise CliInputError(
            f"--zones {path.name} holds no polygons: it is a plain table (columns: "
            f"{', '.join(map(str, layer.columns)) or 'none'}). --zones takes zone polygons "
            "(GeoPackage, GeoJSON, shapefile or GeoParquet).")
    if id_column is None:
        ids = set(graph.ids)
        for col in layer.columns:
            if col == layer.geometry.name:
                continue
            values = layer[col].astype(str).str.strip()
            if ids <= set(values):
                id_column = col
                break
        else:
            raise CliInputError(
                f"no column of --zones {path.name} holds all {graph.n_zones:,} zone ids of the "
                f"flows (e.g. {', '.join(list(graph.ids[:3]))}); name it with --zone-id "
                f"(columns: {', '.join(map(str, layer.columns))}).")
    if id_column not in layer.columns:
        raise CliInputError(f"--zone-id {id_column!r} is not a column of {path.name}; it has "
                            f"{', '.join(map(str, layer.columns))}.")
    layer = layer.assign(**{id_column: layer[id_column].astype(str).str.strip()})
    return graph.with_geometry(layer, id_column=id_column, extra="drop")
