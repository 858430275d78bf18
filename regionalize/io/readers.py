"""Readers for OD tables as statistics offices publish them: long tables and wide matrices."""

from __future__ import annotations

import codecs
import csv
import lzma
import re
import zipfile
import zlib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_dense
from ..errors import DataNotFoundError, InvalidODError, RegionalizeError, check_parameter
from ..flows import SUPPRESSED_PATTERN, FlowGraph

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


#: encodings tried, in order, when a file is not UTF-8 (see :func:`guess_encoding`)
_CANDIDATES = ("cp949", "cp1252", "latin-1")


def _open_raw(path: Path):
    """A binary stream of the file's content, decompressed by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")
    if suffix == ".bz2":
        import bz2

        return bz2.open(path, "rb")
    if suffix == ".xz":
        import lzma

        return lzma.open(path, "rb")
    if suffix == ".zip":
        import zipfile

        z = zipfile.ZipFile(path)
        names = [n for n in z.namelist() if not n.endswith("/")]
        if not names:
            raise InvalidODError(f"{path.name} is an empty zip archive.")
        return z.open(names[0])
    return open(path, "rb")


def _first_bad_block(path: Path, block: int = 1 << 20) -> bytes | None:
    """The first block of the file that is not valid UTF-8 (whole lines), or None."""
    dec = codecs.getincrementaldecoder("utf-8")()
    with _open_raw(path) as fh:
        while chunk := fh.read(block):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                start = chunk.find(b"\n")
                end = chunk.rfind(b"\n")
                return chunk[start + 1:end] if 0 <= start < end else chunk
    return None


def guess_encoding(sample: bytes) -> str:
    """The most likely encoding of bytes that are not UTF-8.

    cp949 (Korean, a superset of EUC-KR) when the bytes decode as cp949 *and* give Hangul;
    else cp1252 (Western European, as Windows writes Italian, French, Spanish) when they
    decode; else latin-1, which decodes anything.

    Examples
    --------
    >>> guess_encoding("서울,부산".encode("cp949")), guess_encoding("Alà,Forlì".encode("latin-1"))
    ('cp949', 'cp1252')
    """
    try:
        text = sample.decode("cp949")
        if any("\uac00" <= ch <= "\ud7a3" for ch in text):
            return "cp949"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _detect(path: Path) -> tuple[str, str | None]:
    """The encoding to read ``path`` with and, when it is not UTF-8, a note saying so."""
    bad = _first_bad_block(path)
    if bad is None:
        return "utf-8-sig", None
    enc = guess_encoding(bad)
    return enc, f"decoded {path.name} as {enc} (it is not UTF-8)"


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

    ``sep=None`` sniffs the delimiter (comma, semicolon, tab). ``encoding=None`` reads UTF-8
    (a byte-order mark is dropped); ``encoding="auto"`` detects cp949 / EUC-KR, cp1252 and
    latin-1 when the file is not UTF-8 and records the choice in ``df.attrs["encoding"]``.
    The file is not changed.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidODError
        If the file cannot be decoded (naming the likely encoding to pass) or parsed.
    """
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(f"No such file: {path}.")
    fmt = _format_of(path, format)
    if fmt == "parquet":
        try:
            return pd.read_parquet(path, columns=list(columns) if columns else None,
                                   **read_kwargs)
        except RegionalizeError:
            raise
        except (ImportError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
            raise InvalidODError(
                f"Cannot read {path.name} as Parquet ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Check that it is "
                "a complete Parquet file, or pass format='csv' if it is text.") from None
    note = None
    if encoding is None or str(encoding).lower() in ("utf-8", "utf8"):
        used = "utf-8-sig"  # a byte-order mark would otherwise stick to the first column name
    elif str(encoding).lower() == "auto":
        try:
            used, note = _detect(path)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
            if isinstance(exc, RegionalizeError):
                raise
            raise InvalidODError(f"Cannot read {path.name} ({type(exc).__name__}: {exc}); check "
                                 "that the file (or archive) is complete.") from None
    else:
        used = encoding
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
            bad = _first_bad_block(path) if encoding is None else None
        except Exception:  # noqa: BLE001 - the hint is best effort
            bad = None
        hint = (f"it looks like {guess_encoding(bad)}: pass encoding={guess_encoding(bad)!r}"
                if bad else "pass encoding= (e.g. 'cp949' for Korean, 'latin-1' or 'cp1252' "
                "for Italian and other Western European text)")
        raise InvalidODError(
            f"Cannot decode {path.name} as {encoding or 'UTF-8'} ({exc.reason} at byte "
            f"{exc.start}); {hint}, or encoding='auto' to detect it."
        ) from None
    except LookupError:
        raise InvalidODError(f"Unknown encoding {encoding!r}; use a Python codec name such as "
                             "'utf-8', 'cp949', 'euc-kr', 'latin-1' or 'auto'.") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        if isinstance(exc, RegionalizeError):
            raise
        raise InvalidODError(
            f"Cannot read {path.name} ({type(exc).__name__}: {exc}). If it is compressed, "
            "check that the archive is complete; otherwise check the file and its suffix.",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError,
            IndexError, TypeError) as exc:
        if isinstance(exc, RegionalizeError):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidODError(
            f"Cannot read {path.name} as a CSV table ({detail}). Check that it is a table with "
            "a header row; pass sep= if the delimiter is not a comma, semicolon or tab, and "
            "skiprows= if title or note lines come before the header.") from None
    if note:
        df.attrs["encoding"] = used
        df.attrs["repairs"] = [note]
    return df


def _footer_rows(df: pd.DataFrame, id_cols: list[str], flow: str | None) -> np.ndarray:
    """Positions of the trailing rows that are notes, totals or a footer, not flows.

    A row is a note when one of its id cells is empty, or its flow is text that is neither a
    number nor a suppression marker; only the block after the last proper row counts.
    """
    if not len(df):
        return np.zeros(0, dtype=np.int64)
    bad = np.array(df[id_cols].isna().any(axis=1).to_numpy(), dtype=bool)
    if flow is not None:
        col = df[flow]
        if not pd.api.types.is_numeric_dtype(col):
            text = col.astype(object).where(col.notna(), "").astype(str)
            numeric = pd.to_numeric(text.str.strip(), errors="coerce").notna().to_numpy()
            marker = text.str.fullmatch(SUPPRESSED_PATTERN).to_numpy()
            bad = bad | (~numeric & ~marker)
    good = np.flatnonzero(~bad)
    if not len(good):  # no row is a flow: a wrong column, not a footer (reported later)
        return np.zeros(0, dtype=np.int64)
    return np.arange(good[-1] + 1, len(df), dtype=np.int64)


def _row_text(df: pd.DataFrame, i: int) -> str:
    cells = [str(v) for v in df.iloc[i].tolist() if not pd.isna(v) and str(v).strip()]
    text = ", ".join(cells)
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _drop_footer(df: pd.DataFrame, rows: np.ndarray, footer: str, name: str, fix: str,
                 what: str = "OD table") -> tuple[pd.DataFrame, list[str]]:
    if not len(rows):
        return df, []
    examples = ", ".join(f"data row {i + 1}: {_row_text(df, i)}" for i in rows[:3])
    if footer == "error":
        raise InvalidODError(
            f"Invalid {what} {name}: the last {len(rows):,} rows look like notes, totals or "
            f"a footer, not flows (first: {examples}). {fix}")
    return df.iloc[:rows[0]], [f"dropped {len(rows)} footer or note rows at the end of {name} "
                               f"(first: {examples})"]


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
    skiprows: int | None = None,
    footer: str = "error",
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
        encoding (UTF-8 by default, byte-order mark dropped; ``"auto"`` detects cp949 /
        EUC-KR, cp1252 or latin-1 and records it in ``meta["encoding"]``).
    skiprows : int, optional
        Lines to skip before the header (titles and notes above the table).
    footer : {"error", "drop"}
        Rows at the end of the table that are not flows (a source line, notes, a total row:
        an id is empty, or the flow is text that is not a suppression marker): an error, or
        dropped and listed in ``meta["repairs"]``.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_dataframe` (``zones``, ``geometry``,
        ``duplicates``, ``suppressed``, ``id_width``, ``name``, ...).

    Examples
    --------
    >>> import io, pandas as pd
    >>> text = "home;work;n\\n01;01;5\\n01;02;3\\n02;02;7\\n"
    >>> df = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    >>> rz.read_flows(df, "home", "work", "n").ids.tolist()
    ['01', '02']
    """
    check_parameter("read_flows", "footer", footer, allowed=["error", "drop"])
    o_cols, d_cols = _as_list(origin), _as_list(destination)
    wanted = o_cols + d_cols + [flow] + ([moe] if moe else [])
    read_repairs: list[str] = []
    encoding_used = None
    if isinstance(source, pd.DataFrame):
        df = source
        name = "(DataFrame)"
    else:
        name = Path(source).name
        kwargs = {} if skiprows is None else {"skiprows": skiprows}
        df = read_table(source, text_columns=o_cols + d_cols, format=format, sep=sep,
                        encoding=encoding, **kwargs)
        read_repairs += df.attrs.get("repairs", [])
        encoding_used = df.attrs.get("encoding")
    absent = [c for c in wanted if c not in df.columns]
    if absent:
        raise InvalidODError(
            f"Invalid OD table {name}: missing columns "
            f"{', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. Pass the right names with "
            "origin=, destination=, flow=, or skiprows= if title or note lines come before "
            "the header.")
    df, dropped = _drop_footer(
        df, _footer_rows(df, o_cols + d_cols, flow), footer, name,
        "Pass footer='drop' to leave them out, or remove them from the file.")
    read_repairs += dropped
    table = pd.DataFrame({
        "origin": _combine(df, o_cols, "origin"),
        "destination": _combine(df, d_cols, "destination"),
        "flow": df[flow],
    })
    if moe:
        table["moe"] = df[moe]
    graph_kwargs["meta"] = _meta(source, graph_kwargs.get("meta"), read_repairs,
                                 encoding_used)
    return FlowGraph.from_dataframe(table, "origin", "destination", "flow",
                                    moe="moe" if moe else None, **graph_kwargs)


def _meta(source, meta, repairs: list[str], encoding: str | None) -> dict[str, Any]:
    out = dict(meta or {})
    if not isinstance(source, pd.DataFrame):
        out = {"source": str(source), **out}
    if encoding:
        out["encoding"] = encoding
    if repairs:
        out["repairs"] = [*out.get("repairs", []), *repairs]
    return out


#: bytes read at most to find the end of a wide matrix's header line before pandas parses it;
#: a longer first line is refused (it is no header: a header of ids this long would need
#: millions of columns, far beyond any dense matrix)
HEADER_SCAN_LIMIT = 64 * 2**20

_SNIFF_BYTES = 1 << 16   # the header prefix the delimiter is sniffed from when sep=None
_SCAN_CHUNK = 1 << 20
_EOL = re.compile(r"[\r\n]")


def _text_chunks(path: Path, encoding: str | None, budget: list[int]):
    """Decoded text of the file in 1 MB chunks, counting the bytes read in ``budget[0]``.

    Undecodable bytes are replaced: only ASCII delimiters, quotes and line ends matter here
    and they survive in every encoding read_table accepts (``"auto"`` reads as UTF-8)."""
    enc = "utf-8-sig" if encoding is None or str(encoding).lower() in (
        "utf-8", "utf8", "auto") else str(encoding)
    dec = codecs.getincrementaldecoder(enc)(errors="replace")
    with _open_raw(path) as fh:
        while True:
            raw = fh.read(_SCAN_CHUNK)
            budget[0] += len(raw)
            text = dec.decode(raw, final=not raw)
            if text:
                yield text
            if not raw:
                return


def _count_fields(seg: str, delim: str, in_quote: bool) -> tuple[int, bool, bool]:
    """Delimiters outside double quotes in ``seg`` up to the first unquoted line end:
    ``(count, in_quote after seg, line ended)``."""
    n = 0
    for k, part in enumerate(seg.split('"')):
        if k:
            in_quote = not in_quote
        if in_quote:
            continue
        m = _EOL.search(part)
        if m is not None:
            return n + part.count(delim, 0, m.start()), in_quote, True
        n += part.count(delim)
    return n, in_quote, False


def _header_fields(path: str | PathLike, *, sep: str | None = None, encoding: str | None = None,
                  skiprows: int | None = None, limit: int | None = None
                  ) -> tuple[int, bool] | None:
    """Count the fields of a CSV's header line without parsing the file (bounded reading).

    The header is the first line after ``skiprows`` lines, as pandas reads it: fields are
    split at ``sep`` (sniffed from the first 64 kB of the line when None, as pandas' Python
    engine does from the line), outside double quotes, up to the first unquoted line end.
    The file is read in 1 MB chunks and at most ``limit`` bytes (default
    :data:`HEADER_SCAN_LIMIT`), so a huge header costs no more memory than a chunk.

    Returns
    -------
    (n_fields, complete) or None
        ``complete`` is False when the limit was reached before the end of the line
        (``n_fields`` is then a lower bound). None when the count is not possible here
        (regex separator, skiprows not an int, blank or unsniffable header, unreadable
        file): the caller falls back to parsing.
    """
    path = Path(path)
    limit = HEADER_SCAN_LIMIT if limit is None else int(limit)
    if skiprows is None:
        skip = 0
    elif isinstance(skiprows, (int, np.integer)) and not isinstance(skiprows, bool) \
            and skiprows >= 0:
        skip = int(skiprows)
    else:
        return None
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n'):
        return None
    if not path.is_file():
        return None
    budget = [0]
    try:
        chunks = _text_chunks(path, encoding, budget)
        text = ""
        # the lines before the header (pandas skips them with readline: quotes ignored)
        pending_cr = False  # a skipped line ended with "\r" at the end of a chunk
        while skip or pending_cr:
            if not text:
                if budget[0] >= limit:
                    return 0, False
                text = next(chunks, None)
                if text is None:
                    return None
            if pending_cr:
                pending_cr = False
                if text.startswith("\n"):
                    text = text[1:]
                continue
            m = _EOL.search(text)
            if m is None:
                text = ""
                continue
            end = m.end()
            if m.group() == "\r":
                if end == len(text):
                    pending_cr = True
                elif text[end] == "\n":
                    end += 1
            text = text[end:]
            skip -= 1
        # the delimiter: given, or sniffed from the start of the header line
        delim = sep
        if delim is None:
            sample = text
            while len(sample) < _SNIFF_BYTES and _EOL.search(sample) is None:
                more = next(chunks, None)
                if more is None:
                    break
                sample += more
            text = sample
            m = _EOL.search(sample, 0, _SNIFF_BYTES)
            line = sample[:m.start()] if m is not None else sample[:_SNIFF_BYTES]
            if not line.strip():
                return None
            try:
                delim = csv.Sniffer().sniff(line).delimiter
            except csv.Error:
                return None
            if delim in '"\r\n':
                return None
        n, in_quote = 0, False
        while True:
            if text:
                k, in_quote, ended = _count_fields(text, delim, in_quote)
                n += k
                if ended:
                    return n + 1, True
            if budget[0] > limit:
                return n + 1, False
            text = next(chunks, None)
            if text is None:
                return n + 1, True
    except (OSError, EOFError, LookupError, ValueError, zlib.error, zipfile.BadZipFile,
            lzma.LZMAError):
        return None


def read_matrix(
    source: str | PathLike | pd.DataFrame,
    *,
    id_column: str | int = 0,
    label_columns: Sequence[str] = (),
    format: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    skiprows: int | None = None,
    footer: str = "error",
    suppressed: str = "error",
    memory_limit="env",
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
    format, sep, encoding, skiprows
        As in :func:`read_flows`.
    footer : {"error", "drop"}
        Rows at the end whose id is empty or is not one of the column ids (a "Total" row, a
        source line): an error, or dropped and listed in ``meta["repairs"]``.
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
        second. A first line without a line break in its first :data:`HEADER_SCAN_LIMIT`
        bytes (64 MB) is refused as no header.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_matrix`.

    Notes
    -----
    The header row gives the destination ids; they must be the same zones as the row ids,
    in any order (columns are reordered to the rows).
    """
    check_parameter("read_matrix", "footer", footer, allowed=["error", "drop"])
    check_parameter("read_matrix", "suppressed", suppressed, allowed=["error", "zero"])
    fix_dense = ("Publish or convert the matrix as a long table (origin, destination, flow) "
                 "and use read_flows, which stays sparse.")
    repairs: list[str] = []
    encoding_used = None
    kwargs = {} if skiprows is None else {"skiprows": skiprows}
    if isinstance(source, pd.DataFrame):
        df = source
        name = "(DataFrame)"
    else:
        path = Path(source)
        name = path.name
        fmt = _format_of(path, format)
        if fmt == "csv":
            # the size first, from the header line alone (bounded reading): a header of
            # 300,000 columns is refused in a fraction of a second, before pandas parses it
            counted = _header_fields(path, sep=sep, encoding=encoding, skiprows=skiprows)
            if counted is not None:
                n_fields, complete = counted
                n = max(n_fields - 1 - len(label_columns), 0)
                what = f"read_matrix ({name})" if complete else (
                    f"read_matrix ({name}: its first line runs past {HEADER_SCAN_LIMIT:,} "
                    f"bytes with at least {n_fields:,} fields)")
                check_dense(n, n, what=what, copies=2, fix=fix_dense, memory_limit=memory_limit)
                if not complete:
                    raise InvalidODError(
                        f"Invalid OD matrix: no end of the header line in the first "
                        f"{HEADER_SCAN_LIMIT:,} bytes of {name}"
                        + (f" (after skipping {skiprows} rows)" if skiprows else "")
                        + ": a line this long is no header of zone ids. Check that the file "
                        "has line breaks, and sep= and skiprows=.")
            header = read_table(path, sep=sep, encoding=encoding, nrows=0, **kwargs)
            id_name = _id_name(header, id_column)
            n = len(header.columns) - 1 - len(label_columns)
            check_dense(max(n, 0), max(n, 0), what=f"read_matrix ({name})", copies=2,
                        fix=fix_dense, memory_limit=memory_limit)
            df = read_table(path, text_columns=[id_name, *label_columns], sep=sep,
                            encoding=encoding, **kwargs)
            repairs += df.attrs.get("repairs", [])
            encoding_used = df.attrs.get("encoding")
        else:
            try:  # the size is in the footer: check it before reading the body
                import pyarrow.parquet as pq

                info = pq.read_metadata(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 - unreadable: read_table says why
                info = None
            if info is not None:
                n = max(info.num_columns - 1 - len(label_columns), 0)
                check_dense(n, max(info.num_rows, 0), what=f"read_matrix ({name})",
                            copies=2, fix=fix_dense, memory_limit=memory_limit)
            df = read_table(path, format="parquet")
    id_name = _id_name(df, id_column)
    labels = [c for c in label_columns if c in df.columns]
    absent = [c for c in label_columns if c not in df.columns]
    if absent:
        raise InvalidODError(f"Invalid OD matrix: label columns {absent} not found; it has "
                             f"{', '.join(map(repr, map(str, df.columns[:12])))}.")
    n = len(df.columns) - 1 - len(labels)
    check_dense(max(n, 0), max(len(df), 0), what=f"read_matrix ({name})", fix=fix_dense,
                memory_limit=memory_limit)
    col_ids = {str(c).strip() for c in df.columns if c != id_name and c not in labels}
    ids = df[id_name]
    not_zone = (ids.isna() | ~ids.astype(str).str.strip().isin(col_ids)).to_numpy()
    good = np.flatnonzero(~not_zone)
    trailing = np.arange((good[-1] + 1) if len(good) else 0, len(df), dtype=np.int64)
    df, dropped = _drop_footer(
        df, trailing, footer, name,
        "Their ids are not column ids; pass footer='drop' to leave them out, or remove them.",
        what="OD matrix")
    repairs += dropped
    body = df.drop(columns=[id_name, *labels])
    body.index = df[id_name].to_numpy()
    if suppressed == "zero":
        body, n_masked, examples = _unsuppress_frame(body)
        if n_masked:
            repairs.append(f"read {n_masked} suppressed or missing cells as 0 (first: "
                           f"{', '.join(map(repr, examples))})")
    zones = graph_kwargs.pop("zones", None)
    if labels and zones is None:
        zones = pd.DataFrame(df[labels].to_numpy(), index=df[id_name].to_numpy(), columns=labels)
    graph_kwargs["meta"] = _meta(source, graph_kwargs.get("meta"), repairs, encoding_used)
    try:
        return FlowGraph.from_matrix(body, zones=zones, **graph_kwargs)
    except InvalidODError as exc:
        if suppressed == "error" and "non-numeric cells" in str(exc):
            raise InvalidODError(f"{exc} Pass suppressed='zero' to read suppression markers "
                                 "('-', '*', '..', 'x', '<3', empty) as no flow.") from None
        raise


def _id_name(df: pd.DataFrame, id_column: str | int):
    if isinstance(id_column, (int, np.integer)) and not isinstance(id_column, bool):
        if not -len(df.columns) <= id_column < len(df.columns):
            raise InvalidODError(f"Invalid OD matrix: no column at position {id_column} (it has "
                                 f"{len(df.columns)} columns); pass id_column=.")
        return df.columns[id_column]
    if id_column not in df.columns:
        raise InvalidODError(
            f"Invalid OD matrix: no id column {id_column!r}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. Pass id_column=.")
    return id_column


def _unsuppress_frame(body: pd.DataFrame) -> tuple[pd.DataFrame, int, list[Any]]:
    from ..flows import _unsuppress

    out = {}
    total, examples = 0, []
    for k in range(body.shape[1]):
        s, n, ex = _unsuppress(body.iloc[:, k])
        out[k] = s
        total += n
        examples += ex
    frame = pd.DataFrame(out)
    frame.columns = body.columns
    frame.index = body.index
    return frame, total, examples[:3]
