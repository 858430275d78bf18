"""Readers for OD tables as statistics offices publish them: long tables and wide matrices."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataNotFoundError, InvalidODError, check_parameter
from ..flows import FlowGraph

__all__ = ["read_flows", "read_matrix", "read_table"]

_CSV = {".csv", ".txt", ".tsv", ".gz", ".bz2", ".zip", ".xz"}
_PARQUET = {".parquet", ".pq"}

Columns = str | Sequence[str]


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        check_parameter("read_flows", "format", fmt, allowed=["csv", "parquet"])
        return fmt
    suffix = path.suffix.lower()
    if suffix in _PARQUET or path.is_dir():
        return "parquet"
    if suffix in _CSV:
        return "csv"
    raise InvalidODError(f"Cannot tell the format of {path.name!r} from its suffix; pass "
                         "format='csv' or format='parquet'.")


def _as_list(cols: Columns | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def read_table(
    path: str | PathLike,
    *,
    text_columns: Sequence[str] = (),
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    columns: Sequence[str] | None = None,
    **read_kwargs: Any,
) -> pd.DataFrame:
    """Read a CSV or Parquet file, keeping ``text_columns`` as text (leading zeros intact).

    ``sep=None`` sniffs the delimiter (comma, semicolon, tab). The file is not changed.
    """
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(f"No such file: {path}.")
    fmt = _format_of(path, format)
    if fmt == "parquet":
        df = pd.read_parquet(path, columns=list(columns) if columns else None, **read_kwargs)
        return df
    opts: dict[str, Any] = {"dtype": {c: str for c in text_columns}, "encoding": encoding}
    if sep is None:
        opts.update(sep=None, engine="python")
    else:
        opts["sep"] = sep
    if columns:
        opts["usecols"] = list(columns)
    opts.update(read_kwargs)
    try:
        return pd.read_csv(path, **opts)
    except UnicodeDecodeError as exc:
        raise InvalidODError(
            f"Cannot decode {path.name} as {encoding or 'UTF-8'} ({exc.reason} at byte "
            f"{exc.start}); pass encoding= (e.g. 'latin1' or 'cp949')."
        ) from None


def _combine(df: pd.DataFrame, cols: list[str], name: str) -> pd.Series:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InvalidODError(
            f"Invalid OD table: missing {name} columns {', '.join(map(repr, missing))}; the "
            f"table has {', '.join(map(repr, map(str, df.columns[:12])))}.")
    if len(cols) == 1:
        return df[cols[0]]
    parts = [df[c].astype(str).str.strip() for c in cols]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out.where(df[cols].notna().all(axis=1))


def read_flows(
    source: str | PathLike | pd.DataFrame,
    origin: Columns = "origin",
    destination: Columns = "destination",
    flow: str = "flow",
    *,
    moe: str | None = None,
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    **graph_kwargs: Any,
) -> FlowGraph:
    """Read a long OD table (one row per origin-destination pair) into a FlowGraph.

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV (any delimiter, optionally compressed) or Parquet file, or a DataFrame.
    origin, destination : str or list of str
        Id column(s). Several columns are concatenated as text, which is how many offices
        publish codes (e.g. state FIPS + county FIPS).
    flow : str
        Flow column.
    moe : str, optional
        Margin-of-error column, kept as ``FlowGraph.moe``.
    format, sep, encoding
        File format (inferred from the suffix), CSV delimiter (sniffed when None) and text
        encoding (UTF-8 by default).
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_dataframe` (``zones``, ``geometry``,
        ``duplicates``, ``id_width``, ``name``, ...).

    Examples
    --------
    >>> import io, pandas as pd
    >>> text = "home;work;n\\n01;01;5\\n01;02;3\\n02;02;7\\n"
    >>> df = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    >>> rz.read_flows(df, "home", "work", "n").ids.tolist()
    ['01', '02']
    """
    o_cols, d_cols = _as_list(origin), _as_list(destination)
    if isinstance(source, pd.DataFrame):
        df = source
    else:
        wanted = o_cols + d_cols + [flow] + ([moe] if moe else [])
        df = read_table(source, text_columns=o_cols + d_cols, format=format, sep=sep,
                        encoding=encoding)
        absent = [c for c in wanted if c not in df.columns]
        if absent:
            raise InvalidODError(
                f"Invalid OD table {Path(source).name}: missing columns "
                f"{', '.join(map(repr, absent))}; it has "
                f"{', '.join(map(repr, map(str, df.columns[:12])))}. Pass the right names with "
                "origin=, destination=, flow=.")
    table = pd.DataFrame({
        "origin": _combine(df, o_cols, "origin"),
        "destination": _combine(df, d_cols, "destination"),
        "flow": df[flow],
    })
    if moe:
        table["moe"] = df[moe]
    graph_kwargs.setdefault("meta", {})
    if not isinstance(source, pd.DataFrame):
        graph_kwargs["meta"] = {"source": str(source), **graph_kwargs["meta"]}
    return FlowGraph.from_dataframe(table, "origin", "destination", "flow",
                                    moe="moe" if moe else None, **graph_kwargs)


def read_matrix(
    source: str | PathLike | pd.DataFrame,
    *,
    id_column: str | int = 0,
    label_columns: Sequence[str] = (),
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    **graph_kwargs: Any,
) -> FlowGraph:
    """Read a wide OD matrix (one row per origin, one column per destination) into a FlowGraph.

    Parameters
    ----------
    source : path or pandas.DataFrame
    id_column : str or int
        The column holding the row (origin) ids, by name or position (default: the first).
    label_columns : list of str
        Other non-flow columns (e.g. zone names); they become zone attributes.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_matrix`.

    Notes
    -----
    The header row gives the destination ids; they must be the same zones as the row ids,
    in any order (columns are reordered to the rows).
    """
    if isinstance(source, pd.DataFrame):
        df = source
    else:
        path = Path(source)
        fmt = _format_of(path, format)
        if fmt == "csv":
            header = read_table(path, sep=sep, encoding=encoding, nrows=0)
            id_name = header.columns[id_column] if isinstance(id_column, int) else id_column
            df = read_table(path, text_columns=[id_name, *label_columns], sep=sep,
                            encoding=encoding)
        else:
            df = read_table(path, format="parquet")
    id_name = df.columns[id_column] if isinstance(id_column, int) else id_column
    if id_name not in df.columns:
        raise InvalidODError(f"Invalid OD matrix: no id column {id_name!r}; pass id_column=.")
    labels = [c for c in label_columns if c in df.columns]
    absent = [c for c in label_columns if c not in df.columns]
    if absent:
        raise InvalidODError(f"Invalid OD matrix: label columns {absent} not found.")
    body = df.drop(columns=[id_name, *labels])
    body.index = df[id_name].to_numpy()
    zones = graph_kwargs.pop("zones", None)
    if labels and zones is None:
        zones = pd.DataFrame(df[labels].to_numpy(), index=df[id_name].to_numpy(), columns=labels)
    graph_kwargs.setdefault("meta", {})
    if not isinstance(source, pd.DataFrame):
        graph_kwargs["meta"] = {"source": str(source), **graph_kwargs["meta"]}
    return FlowGraph.from_matrix(body, zones=zones, **graph_kwargs)
