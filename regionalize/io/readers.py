"""Readers for OD tables as statistics offices publish them: long tables and wide matrices.

CSV (any delimiter, compressed or not, UTF-8 / UTF-16 / local encodings), Parquet and Excel
workbooks (title rows above the header, several sheets). Every reading option has the same
name here and on the command line (``footer='drop'`` / ``--footer drop``), and every error
names its fixes as data (:class:`regionalize.errors.Fix`), rendered for each.

The public entry points live here (:func:`read_table`, :func:`read_flows`,
:func:`read_matrix`); their helpers are private modules of this package, one per job: the
format, encoding, delimiter and header line of a file (and the bounded count of a wide
matrix's header fields); workbooks (sheets, title rows, cells as id text); the reading
options ``thousands`` / ``decimal`` / ``skiprows`` and numbers as published; total and
subtotal rows, columns and zones, and footers; id columns (several joined into one code)
and a matrix's row ids.
"""

from __future__ import annotations

import csv
import lzma
import zipfile
import zlib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_dense
from ..errors import (
    DataNotFoundError,
    Fix,
    InvalidODError,
    InvalidParameterError,
    RegionalizeError,
    check_parameter,
    says,
)
from ..flows import FlowGraph

# the helpers, by job (bom_encoding, utf16_without_bom, MAX_SKIPROWS: still importable here)
from ._columns import Columns, as_list, combine_ids, id_column_name, ids_in_index, looks_like_matrix
from ._excel import Sheet, cell_text, read_excel
from ._numbers import MAX_SKIPROWS as MAX_SKIPROWS
from ._numbers import check_read_options, numeric_body, parse_numbers
from ._sniff import (
    HEADER_SCAN_LIMIT,
    encoding_for,
    find_header_line,
    first_bad_block,
    format_of,
    guess_encoding,
    header_fields,
    modal_header_line,
    sniff_delimiter,
)
from ._sniff import bom_encoding as bom_encoding
from ._sniff import utf16_without_bom as utf16_without_bom
from ._totals import (
    TOTAL_NAMES,
    drop_footer,
    dropped_totals_note,
    footer_rows_by_segment,
    is_total_name,
    row_text,
    sum_of_others,
    sum_zones,
    total_mask,
    totals_fix,
)

__all__ = ["read_flows", "read_matrix", "read_table", "is_total_name", "TOTAL_NAMES"]


def read_table(
    path: str | PathLike,
    *,
    text_columns: Sequence[str] = (),
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    columns: Sequence[str] | None = None,
    sheet: Sheet = None,
    **read_kwargs: Any,
) -> pd.DataFrame:
    r"""Read a CSV, Parquet or Excel file, keeping ``text_columns`` as text (leading zeros
    intact).

    ``sep=None`` sniffs the delimiter (comma, semicolon, tab). ``encoding=None`` reads UTF-8
    (a byte-order mark is dropped; a UTF-16 or UTF-32 byte-order mark is honoured and
    recorded); ``encoding="auto"`` also detects UTF-16 without a mark, cp949 / EUC-KR,
    cp1252 and latin-1 when the file is not UTF-8 and records the choice in
    ``df.attrs["encoding"]``. Workbooks (``.xlsx``, ``.xlsm``; ``.xls`` with xlrd, ``.ods``
    with odfpy) read the sheet ``sheet`` (needed when there are several), the header found
    below any title rows unless ``skiprows=`` says where it is. The file is not changed.

    Parameters
    ----------
    path : path
        The file; its format comes from the suffix unless ``format`` (``"csv"``,
        ``"parquet"``, ``"excel"``) says it.
    text_columns : list of str
        Columns read as text (zone codes such as ``"01001"``).
    format, sep, encoding, sheet
        As in :func:`regionalize.read_flows`.
    columns : list of str, optional
        Read only these columns.
    **read_kwargs
        ``skiprows``, ``nrows`` and the other options of :func:`pandas.read_csv` (or
        :func:`pandas.read_parquet`).

    Returns
    -------
    pandas.DataFrame
        ``attrs`` records the delimiter used (``"sep"``), the encoding detected and any
        repair made while reading (``"repairs"``).

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidODError
        If the file cannot be decoded (naming the likely encoding to pass) or parsed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "od.csv"
    ...     _ = path.write_text("home;work;n\n01;02;5\n01;01;7\n")
    ...     df = rz.io.read_table(path, text_columns=["home", "work"])
    >>> df
      home work  n
    0   01   02  5
    1   01   01  7
    >>> df.attrs
    {'sep': ';'}
    """
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(f"No such file: {path}.")
    check_read_options(read_kwargs)
    fmt = format_of(path, format)
    want = read_kwargs.pop("_want", ())
    if sheet is not None and fmt != "excel":
        raise InvalidODError(
            f"{path.name} is not a workbook: "
            + says("{} only applies to Excel files (.xlsx, .xls, .ods).", Fix("sheet"))
        )
    if fmt == "excel":
        read_kwargs.pop("nrows", None)
        df, notes = read_excel(
            path, sheet=sheet, skiprows=read_kwargs.pop("skiprows", None), want=want
        )
        for c in text_columns:
            if c in df.columns:
                df[c] = pd.Series(
                    [cell_text(v) for v in df[c].to_numpy(dtype=object)],
                    index=df.index,
                    dtype=object,
                )
        if columns:
            df = df[[c for c in columns if c in df.columns]]
        if notes:
            df.attrs["repairs"] = notes
        return df
    if fmt == "parquet":
        try:
            return pd.read_parquet(path, columns=list(columns) if columns else None, **read_kwargs)
        except RegionalizeError:
            raise
        except (ImportError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
            raise InvalidODError(
                f"Cannot read {path.name} as Parquet ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Check that it is "
                "a complete Parquet file, or "
                + says("pass {} if it is text.", Fix("format", "csv"))
            ) from None
    used, note = encoding_for(path, encoding)
    opts: dict[str, Any] = {"dtype": {c: str for c in text_columns}, "encoding": used}
    if sep is None:
        opts.update(sep=None, engine="python")
    else:
        opts["sep"] = sep
    if columns:
        opts["usecols"] = list(columns)
    opts.update(read_kwargs)
    try:
        df = pd.read_csv(path, **opts)
    except UnicodeDecodeError as exc:
        try:
            bad = first_bad_block(path) if encoding is None else None
        except Exception:  # noqa: BLE001 - the hint is best effort
            bad = None
        if bad:
            guess = guess_encoding(bad)
            hint = f"it looks like {guess}: " + says("pass {}", Fix("encoding", guess))
        else:
            hint = says(
                "pass {} (e.g. 'cp949' for Korean, 'latin-1' or 'cp1252' for Italian "
                "and other Western European text)",
                Fix("encoding"),
            )
        raise InvalidODError(
            f"Cannot decode {path.name} as {encoding or 'UTF-8'} ({exc.reason} at byte "
            f"{exc.start}); " + hint + says(", or {} to detect it.", Fix("encoding", "auto"))
        ) from None
    except LookupError:
        raise InvalidODError(
            f"Unknown encoding {encoding!r}; "
            + says(
                "use a Python codec name such as {}, {}, {}, {} or {}.",
                Fix("encoding", "utf-8"),
                Fix("encoding", "cp949"),
                Fix("encoding", "euc-kr"),
                Fix("encoding", "latin-1"),
                Fix("encoding", "auto"),
            )
        ) from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        if isinstance(exc, RegionalizeError):
            raise
        raise InvalidODError(
            f"Cannot read {path.name} ({type(exc).__name__}: {exc}). If it is compressed, "
            "check that the archive is complete; otherwise check the file and its suffix.",
        ) from None
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        csv.Error,
        ValueError,
        IndexError,
        TypeError,
    ) as exc:
        if isinstance(exc, RegionalizeError):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        line = None
        if not read_kwargs.get("skiprows"):
            line = (
                find_header_line(path, encoding, want, sep)
                if want
                else modal_header_line(path, encoding, sep)
            )
        skip = (
            says(f"the header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
            if line
            else says("{} if title or note lines come before the header.", Fix("skiprows"))
        )
        raise InvalidODError(
            f"Cannot read {path.name} as a CSV table ({detail}). Check that it is a table with "
            "a header row; "
            + says("pass {} if the delimiter is not a comma, semicolon or tab, and ", Fix("sep"))
            + skip
        ) from None
    if sep is None:
        sniffed = sniff_delimiter(path, used, read_kwargs.get("skiprows"))
        if sniffed:
            df.attrs["sep"] = sniffed
    else:
        df.attrs["sep"] = sep
    if note:
        df.attrs["encoding"] = used
        df.attrs["repairs"] = [note]
    return df


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
    skiprows: int | None = None,
    sheet: Sheet = None,
    thousands: str | None = None,
    decimal: str | None = None,
    footer: str = "error",
    totals: str = "error",
    **graph_kwargs: Any,
) -> FlowGraph:
    r"""Read a long OD table (one row per origin-destination pair) into a FlowGraph.

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV (any delimiter, optionally compressed), Parquet or Excel file, or a DataFrame.
    origin, destination : str or list of str
        Id column(s). Several columns are concatenated as text, which is how many offices
        publish codes (e.g. state FIPS + county FIPS).
    flow : str
        Flow column.
    moe : str, optional
        Margin-of-error column, kept as ``FlowGraph.moe``.
    format, sep, encoding
        File format (inferred from the suffix: ``"csv"``, ``"parquet"`` or ``"excel"``),
        CSV delimiter (sniffed when None) and text encoding (UTF-8 by default, byte-order
        mark dropped, a UTF-16 byte-order mark honoured; ``"auto"`` detects UTF-16, cp949 /
        EUC-KR, cp1252 or latin-1 and records it in ``meta["encoding"]``).
    skiprows : int, optional
        Lines to skip before the header (titles and notes above the table). A workbook's
        header is found below its title rows without it (recorded in ``meta["repairs"]``).
    sheet : str, int or list, optional
        The sheet of a workbook (a name or a position from 0), or several sheets holding
        one table; needed when the workbook has more than one.
    thousands, decimal : str, optional
        The characters grouping thousands and marking decimals in the flows as written
        (``thousands="."``, ``decimal=","`` for ``1.234,5``). Left unset, flows written
        like ``1.234`` in a file not separated by commas are an error naming
        ``thousands='.'`` (never read silently as fractions); ``decimal="."`` says they
        are fractions.
    footer : {"error", "drop"}
        Rows at the end of the table that are not flows (a source line, notes, a total row:
        an id is empty, or the flow is text that is not a suppression marker): an error, or
        dropped and listed in ``meta["repairs"]``.
    totals : {"error", "drop", "keep"}
        Rows whose origin or destination is a total or subtotal (``Total``, ``Gesamt``,
        ``합계``, ``All``, ``Total (all areas)``, ``Subtotal:``, ... in any case), and zones
        whose flows are the sum of all the others: an error naming them, dropped (listed in
        ``meta["repairs"]``), or kept as zones.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_dataframe` (``zones``, ``geometry``,
        ``duplicates``, ``suppressed``, ``id_width``, ``id_collisions``, ``name``, ...).

    Returns
    -------
    FlowGraph
        ``meta`` records the source, the encoding detected and every repair made
        (``meta["repairs"]``: dropped footers or totals, suppressed cells read as 0, ...).

    See Also
    --------
    regionalize.read_matrix : A wide matrix, one column per zone.
    regionalize.aggregate_flows : Tables larger than memory, at a finer level than zones.

    Examples
    --------
    >>> import io, pandas as pd
    >>> text = "home;work;n\n01;01;5\n01;02;3\n02;02;7\n"
    >>> df = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    >>> rz.read_flows(df, "home", "work", "n").ids.tolist()
    ['01', '02']
    """
    check_parameter("read_flows", "footer", footer, allowed=["error", "drop"])
    check_parameter("read_flows", "totals", totals, allowed=["error", "drop", "keep"])
    if "rows" in graph_kwargs:
        raise InvalidParameterError(
            "rows= applies to a wide matrix (read_matrix): a long table says where people "
            "live by its origin column; "
            + says("pass {} with the column of the places of residence.", Fix("origin"))
        )
    o_cols, d_cols = as_list(origin), as_list(destination)
    wanted = o_cols + d_cols + [flow] + ([moe] if moe else [])
    read_repairs: list[str] = []
    encoding_used = None
    delimiter = None
    path = None
    if isinstance(source, pd.DataFrame):
        df = source
        name = "(DataFrame)"
    else:
        path = Path(source)
        name = path.name
        kwargs = {} if skiprows is None else {"skiprows": skiprows}
        # a workbook's cells keep their types: ids stored as numbers are told apart
        text = () if format_of(path, format) == "excel" else wanted
        df = read_table(
            source,
            text_columns=text,
            format=format,
            sep=sep,
            encoding=encoding,
            sheet=sheet,
            _want=wanted,
            **kwargs,
        )
        read_repairs += df.attrs.get("repairs", [])
        encoding_used = df.attrs.get("encoding")
        delimiter = df.attrs.get("sep")
    absent = [c for c in wanted if c not in df.columns]
    if absent:
        line = None
        if path is not None and skiprows is None and format_of(path, format) == "csv":
            line = find_header_line(path, encoding, wanted, sep)
        if line:
            fix = says(f"The header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
        elif looks_like_matrix(df):
            fix = says(
                "Its header holds the zone ids of its first column: it looks like a "
                "wide matrix; read it with read_matrix ({}), or pass the right names "
                "with {}, {}, {}.",
                Fix("matrix", True),
                Fix("origin"),
                Fix("destination"),
                Fix("flow"),
            )
        else:
            fix = says(
                "Pass the right names with {}, {}, {}, or {} if title or note lines "
                "come before the header.",
                Fix("origin"),
                Fix("destination"),
                Fix("flow"),
                Fix("skiprows"),
            )
        raise InvalidODError(
            f"Invalid OD table {name}: missing columns "
            f"{', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. " + fix
        )
    segments = df.attrs.get("segments")
    trailing = footer_rows_by_segment(df, o_cols + d_cols, flow, segments)
    id_cols = list(dict.fromkeys(o_cols + d_cols))
    is_total = np.zeros(len(df), dtype=bool)
    if totals != "keep":
        for c in id_cols:
            is_total |= total_mask(df[c])
    if totals == "drop" and is_total.any():
        read_repairs.append(dropped_totals_note(df, np.flatnonzero(is_total), name, "rows"))
        if segments:
            bounds = np.cumsum([0, *segments])
            segments = [
                int((~is_total[a:b]).sum()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ]
        df = df.iloc[np.flatnonzero(~is_total)]
        trailing = footer_rows_by_segment(df, o_cols + d_cols, flow, segments)
        is_total = np.zeros(len(df), dtype=bool)
    in_body = is_total.copy()
    in_body[trailing] = False
    if in_body.any():  # totals among the flows (not in the footer block)
        rows = np.flatnonzero(in_body)
        examples = ", ".join(f"data row {i + 1}: {row_text(df, i)}" for i in rows[:3])
        raise InvalidODError(
            f"Invalid OD table {name}: {len(rows):,} rows whose origin or destination is a "
            f"total, not a zone (first: {examples}). " + totals_fix()
        )
    df, dropped = drop_footer(
        df,
        trailing,
        footer,
        name,
        says("Pass {} to leave them out, or remove them from the file.", Fix("footer", "drop"))
        + (
            says(" ({} drops total rows wherever they are.)", Fix("totals", "drop"))
            if is_total[trailing].any()
            else ""
        ),
    )
    read_repairs += dropped
    european = delimiter != ","
    flows = parse_numbers(
        df[flow], thousands=thousands, decimal=decimal, european=european, name=name, what="flows"
    )
    widths = graph_kwargs.get("id_width")
    if isinstance(widths, (list, tuple)):  # one width per id column of composite codes
        if not (len(widths) == len(o_cols) == len(d_cols)) or not all(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w > 0 for w in widths
        ):
            raise InvalidParameterError(
                f"id_width={list(widths)!r} must hold one positive width per id column "
                f"(origin has {len(o_cols)}, destination {len(d_cols)}); "
                + says("pass one number, or one per column with {}.", Fix("id_width"))
            )
        graph_kwargs = {k: v for k, v in graph_kwargs.items() if k != "id_width"}
    else:
        widths = None
    table = pd.DataFrame(
        {
            "origin": combine_ids(df, o_cols, "origin", widths),
            "destination": combine_ids(df, d_cols, "destination", widths),
            "flow": flows,
        }
    )
    if moe:
        table["moe"] = parse_numbers(
            df[moe],
            thousands=thousands,
            decimal=decimal,
            european=european,
            name=name,
            what="margins of error",
        )
    meta = _meta(source, graph_kwargs.pop("meta", None), read_repairs, encoding_used)
    graph = FlowGraph.from_dataframe(
        table,
        "origin",
        "destination",
        "flow",
        moe="moe" if moe else None,
        meta=meta,
        **graph_kwargs,
    )
    if totals == "keep":
        return graph
    rows_t, cols_t = sum_zones(graph.matrix)
    found = sorted(set(rows_t) | set(cols_t))
    if not found:
        return graph
    ids = [graph.ids[k] for k in found]
    if totals == "error":
        raise InvalidODError(
            f"Invalid OD table {name}: {len(ids):,} zones whose flows are the sum of all the "
            f"other zones' (first: {', '.join(map(repr, ids[:3]))}): a total published as if "
            "it were a zone. " + totals_fix()
        )
    from .._ids import normalise_column

    width = graph_kwargs.get("id_width")
    o = normalise_column(table["origin"], width=width).to_numpy(dtype=object)
    d = normalise_column(table["destination"], width=width).to_numpy(dtype=object)
    keep = ~(np.isin(o, ids) | np.isin(d, ids))
    meta = dict(graph.meta)
    meta["repairs"] = [
        *meta.get("repairs", []),
        f"dropped {len(ids)} zones whose flows are the sum of all the others "
        f"(totals, first: {', '.join(map(repr, ids[:3]))})",
    ]
    graph_kwargs = {k: v for k, v in graph_kwargs.items() if k != "meta"}
    return FlowGraph.from_dataframe(
        table[keep],
        "origin",
        "destination",
        "flow",
        moe="moe" if moe else None,
        meta=meta,
        **graph_kwargs,
    )


def _meta(source, meta, repairs: list[str], encoding: str | None) -> dict[str, Any]:
    out = dict(meta or {})
    if not isinstance(source, pd.DataFrame):
        out = {"source": str(source), **out}
    if encoding:
        out["encoding"] = encoding
    if repairs:
        out["repairs"] = [*out.get("repairs", []), *repairs]
    return out


def read_matrix(
    source: str | PathLike | pd.DataFrame,
    *,
    id_column: str | int | None = None,
    label_columns: Sequence[str] = (),
    rows: str = "residence",
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    skiprows: int | None = None,
    sheet: Sheet = None,
    thousands: str | None = None,
    decimal: str | None = None,
    footer: str = "error",
    totals: str = "error",
    suppressed: str = "error",
    memory_limit="env",
    **graph_kwargs: Any,
) -> FlowGraph:
    r"""Read a wide OD matrix (one row per zone, one column per zone) into a FlowGraph.

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV, Parquet or Excel file, or a DataFrame.
    id_column : str or int, optional
        The column holding the row ids, by name or position. Default: the first column of
        a file; for a DataFrame, its index when it holds the ids (not a default 0..n-1
        index, or the same ids as the columns), else its first column.
    label_columns : list of str
        Other non-flow columns (e.g. zone names); they become zone attributes.
    rows : {"residence", "workplace"}
        What the rows are. ``"residence"`` (default): rows are where people live (origins),
        columns where they work. ``"workplace"``: a table published workplace by residence
        (rows are places of work) is transposed, so that origins are always residences.
    format, sep, encoding, skiprows, sheet, thousands, decimal
        As in :func:`read_flows`.
    footer : {"error", "drop"}
        Rows at the end whose id is empty or is not one of the column ids (a "Total" row, a
        source line): an error, or dropped and listed in ``meta["repairs"]``.
    totals : {"error", "drop", "keep"}
        Total and subtotal rows and columns, found by name (``Total``, ``Gesamt``,
        ``합계``, ``All``, ``Subtotal:``, ... in any case) or by being the sum of all the
        other rows (columns): an error naming them, dropped (listed in
        ``meta["repairs"]``), or kept as zones.
    suppressed : {"error", "zero"}
        Empty cells and suppression markers (``"-"``, ``"*"``, ``".."``, ``"x"``, ``"<3"``,
        ...): an error, or read as 0 and counted in ``meta["repairs"]``.
    memory_limit : "env", None, int or str
        A wide matrix is dense: before reading the body, its ``n x n`` cells are checked
        against the memory available (or ``REGIONALIZE_MEMORY_LIMIT``, or this budget such
        as ``"8GB"``; ``"off"`` disables the check). Raises
        :class:`~regionalize.errors.InsufficientMemoryError` when it would not fit. For a
        CSV, ``n`` comes from counting the fields of the header line in 1 MB chunks, before
        pandas parses anything: a header of 300,000 columns is refused in a fraction of a
        second. A first line without a line break in its first 64 MB is refused as no
        header.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_matrix` (``zones``, ``id_width``,
        ``id_collisions``, ``name``, ...).

    Returns
    -------
    FlowGraph
        Rows are always places of residence; ``meta["repairs"]`` records what was dropped,
        read as 0 or transposed.

    Notes
    -----
    The header row gives the column ids; they must be the same zones as the row ids,
    in any order (columns are reordered to the rows).

    See Also
    --------
    regionalize.read_flows : A long table, one row per origin-destination pair.

    Examples
    --------
    A matrix published with a total row and column:

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "od.csv"
    ...     _ = path.write_text("zone;01;02;Total\n01;50;30;80\n02;10;80;90\nTotal;60;110;170\n")
    ...     g = rz.read_matrix(path, totals="drop")
    >>> g.matrix.toarray()
    array([[50., 30.],
           [10., 80.]])
    >>> g.meta["repairs"]
    ["dropped 1 total rows of od.csv (first: data row 3: 'Total, 60, 110, 170')", "dropped 1 total columns of od.csv (first: 'Total')"]

    A table published workplace by residence (rows are places of work) is transposed:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"01": [50, 10], "02": [30, 80]}, index=["01", "02"])
    >>> rz.read_matrix(df, rows="workplace").matrix.toarray()
    array([[50., 10.],
           [30., 80.]])
    """
    check_parameter("read_matrix", "rows", rows, allowed=["residence", "workplace"])
    check_parameter("read_matrix", "footer", footer, allowed=["error", "drop"])
    check_parameter("read_matrix", "totals", totals, allowed=["error", "drop", "keep"])
    check_parameter("read_matrix", "suppressed", suppressed, allowed=["error", "zero"])
    fix_dense = (
        "Publish or convert the matrix as a long table (origin, destination, flow) "
        "and use read_flows, which stays sparse."
    )
    repairs: list[str] = []
    encoding_used = None
    delimiter = None
    kwargs = {} if skiprows is None else {"skiprows": skiprows}
    position = 0 if id_column is None else id_column
    if isinstance(source, pd.DataFrame):
        df = source
        name = "(DataFrame)"
        if id_column is None and ids_in_index(df):
            label = "zone"
            while label in df.columns:
                label = f"_{label}"
            df = df.reset_index(names=label) if not isinstance(df.index, pd.MultiIndex) else df
            position = label
    else:
        path = Path(source)
        name = path.name
        fmt = format_of(path, format)
        if fmt == "csv":
            used, _ = encoding_for(path, encoding)
            # the size first, from the header line alone (bounded reading): a header of
            # 300,000 columns is refused in a fraction of a second, before pandas parses it
            # (the limit is this module's HEADER_SCAN_LIMIT, the name to change it by)
            counted = header_fields(
                path, sep=sep, encoding=used, skiprows=skiprows, limit=HEADER_SCAN_LIMIT
            )
            if counted is not None:
                n_fields, complete = counted
                n = max(n_fields - 1 - len(label_columns), 0)
                what = (
                    f"read_matrix ({name})"
                    if complete
                    else (
                        f"read_matrix ({name}: its first line runs past {HEADER_SCAN_LIMIT:,} "
                        f"bytes with at least {n_fields:,} fields)"
                    )
                )
                check_dense(n, n, what=what, copies=2, fix=fix_dense, memory_limit=memory_limit)
                if not complete:
                    raise InvalidODError(
                        f"Invalid OD matrix: no end of the header line in the first "
                        f"{HEADER_SCAN_LIMIT:,} bytes of {name}"
                        + (f" (after skipping {skiprows} rows)" if skiprows else "")
                        + ": a line this long is no header of zone ids. Check that the file "
                        "has line breaks, and " + says("{} and {}.", Fix("sep"), Fix("skiprows"))
                    )
            header = read_table(path, sep=sep, encoding=encoding, nrows=0, **kwargs)
            id_column_name(header, position)
            n = len(header.columns) - 1 - len(label_columns)
            check_dense(
                max(n, 0),
                max(n, 0),
                what=f"read_matrix ({name})",
                copies=2,
                fix=fix_dense,
                memory_limit=memory_limit,
            )
            df = read_table(path, sep=sep, encoding=encoding, dtype=str, **kwargs)
        elif fmt == "excel":
            df = read_table(path, format="excel", sheet=sheet, **kwargs)
            id_name = id_column_name(df, position)
            df[id_name] = pd.Series(
                [cell_text(v) for v in df[id_name].to_numpy(dtype=object)],
                index=df.index,
                dtype=object,
            )
            df.columns = [c if isinstance(c, str) else cell_text(c) for c in df.columns]
        else:
            try:  # the size is in the footer: check it before reading the body
                import pyarrow.parquet as pq

                info = pq.read_metadata(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 - unreadable: read_table says why
                info = None
            if info is not None:
                n = max(info.num_columns - 1 - len(label_columns), 0)
                check_dense(
                    n,
                    max(info.num_rows, 0),
                    what=f"read_matrix ({name})",
                    copies=2,
                    fix=fix_dense,
                    memory_limit=memory_limit,
                )
            df = read_table(path, format="parquet")
        repairs += df.attrs.get("repairs", [])
        encoding_used = df.attrs.get("encoding")
        delimiter = df.attrs.get("sep")
    id_name = id_column_name(df, position)
    labels = [c for c in label_columns if c in df.columns]
    absent = [c for c in label_columns if c not in df.columns]
    if absent:
        raise InvalidODError(
            f"Invalid OD matrix: label columns {absent} not found; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}."
        )
    n = len(df.columns) - 1 - len(labels)
    check_dense(
        max(n, 0),
        max(len(df), 0),
        what=f"read_matrix ({name})",
        fix=fix_dense,
        memory_limit=memory_limit,
    )
    body_cols = [c for c in df.columns if c != id_name and c not in labels]

    # totals and subtotals by name: rows (by id or label) and columns
    if totals != "keep":
        row_total = total_mask(df[id_name])
        for c in labels:
            row_total |= total_mask(df[c])
        col_total = [c for c in body_cols if is_total_name(str(c))]
    else:
        row_total, col_total = np.zeros(len(df), dtype=bool), []
    if totals == "drop" and (row_total.any() or col_total):
        if row_total.any():
            repairs.append(dropped_totals_note(df, np.flatnonzero(row_total), name, "rows"))
        if col_total:
            repairs.append(
                f"dropped {len(col_total)} total columns of {name} (first: "
                f"{', '.join(map(repr, map(str, col_total[:3])))})"
            )
        df = df.iloc[np.flatnonzero(~row_total)].drop(columns=col_total)
        body_cols = [c for c in body_cols if c not in col_total]
        row_total, col_total = np.zeros(len(df), dtype=bool), []
    col_ids = {str(c).strip() for c in body_cols}
    ids = df[id_name]
    not_zone = (ids.isna() | ~ids.astype(str).str.strip().isin(col_ids)).to_numpy()
    good = np.flatnonzero(~not_zone)
    if len(df) and not len(good):  # no row is a zone of the header: the header is wrong
        line = None
        if (
            not isinstance(source, pd.DataFrame)
            and skiprows is None
            and format_of(Path(source), format) == "csv"
        ):
            line = modal_header_line(Path(source), encoding, sep)
        fix = (
            says(f"The header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
            if line
            else says(
                "Check {} (the row ids) and {} (title or note lines above the header).",
                Fix("id_column"),
                Fix("skiprows"),
            )
        )
        raise InvalidODError(
            f"Invalid OD matrix {name}: no row id is one of the column ids (rows: "
            f"{', '.join(map(repr, map(str, ids.head(3))))}; columns: "
            f"{', '.join(map(repr, map(str, body_cols[:3])))}), so the header is not a row of "
            "zone ids. " + fix
        )
    trailing = np.arange((good[-1] + 1) if len(good) else 0, len(df), dtype=np.int64)
    in_body = row_total.copy()
    in_body[trailing] = False
    if in_body.any() or col_total:
        parts, examples = [], []
        if in_body.any():
            rows_at = np.flatnonzero(in_body)
            parts.append(f"{len(rows_at):,} total rows")
            examples += [f"data row {i + 1}: {row_text(df, i)}" for i in rows_at[:3]]
        if col_total:
            parts.append(f"{len(col_total):,} total columns")
            examples += [f"column {c!r}" for c in col_total[:3]]
        raise InvalidODError(
            f"Invalid OD matrix {name}: {' and '.join(parts)}, which are not zones (first: "
            f"{', '.join(examples[:4])}). " + totals_fix(footer_too=bool(row_total.any()))
        )
    df, dropped = drop_footer(
        df,
        trailing,
        footer,
        name,
        says(
            "Their ids are not column ids; pass {} to leave them out, or remove them.",
            Fix("footer", "drop"),
        )
        + (
            says(" ({} drops total rows wherever they are.)", Fix("totals", "drop"))
            if row_total[trailing].any()
            else ""
        ),
        what="OD matrix",
    )
    repairs += dropped

    body = numeric_body(
        df,
        body_cols,
        thousands=thousands,
        decimal=decimal,
        european=delimiter != ",",
        suppressed=suppressed,
        name=name,
        repairs=repairs,
    )
    body.index = df[id_name].to_numpy()
    if totals != "keep" and all(pd.api.types.is_numeric_dtype(t) for t in body.dtypes):
        values = body.to_numpy(dtype=float)
        sum_rows, sum_cols = sum_of_others(values), sum_of_others(values.T)
        if sum_rows or sum_cols:
            found = [f"row {body.index[k]!r}" for k in sum_rows] + [
                f"column {body.columns[k]!r}" for k in sum_cols
            ]
            if totals == "error":
                raise InvalidODError(
                    f"Invalid OD matrix {name}: {len(found):,} rows or columns are the sum of "
                    f"all the others (first: {', '.join(found[:3])}): totals published as if "
                    "they were zones. " + totals_fix()
                )
            repairs.append(
                f"dropped {len(found)} rows or columns of {name} that are the sum "
                f"of all the others (totals, first: {', '.join(found[:3])})"
            )
            body = body.drop(index=body.index[sum_rows]).drop(columns=body.columns[sum_cols])
    if rows == "workplace":
        body = body.T
        repairs.append(
            f"read {name} as published workplace by residence (rows are places "
            "of work): transposed so that rows are where people live"
        )
    zones = graph_kwargs.pop("zones", None)
    if labels and zones is None:
        zones = pd.DataFrame(df[labels].to_numpy(), index=df[id_name].to_numpy(), columns=labels)
    graph_kwargs["meta"] = _meta(source, graph_kwargs.get("meta"), repairs, encoding_used)
    try:
        return FlowGraph.from_matrix(body, zones=zones, **graph_kwargs)
    except InvalidODError as exc:
        if suppressed == "error" and "non-numeric cells" in str(exc):
            raise InvalidODError(
                exc.message
                + " "
                + says(
                    "Pass {} to read suppression markers ('-', '*', '..', 'x', '<3', empty) as no "
                    "flow.",
                    Fix("suppressed", "zero"),
                )
            ) from None
        raise
