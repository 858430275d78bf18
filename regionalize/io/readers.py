"""Readers for OD tables as statistics offices publish them: long tables and wide matrices.

CSV (any delimiter, compressed or not, UTF-8 / UTF-16 / local encodings), Parquet and Excel
workbooks (title rows above the header, several sheets). Every reading option has the same
name here and on the command line (``footer='drop'`` / ``--footer drop``), and every error
names its fixes as data (:class:`regionalize.errors.Fix`), rendered for each.
"""

from __future__ import annotations

import codecs
import csv
import lzma
import re
import unicodedata
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
    Message,
    RegionalizeError,
    check_parameter,
    says,
)
from ..flows import SUPPRESSED_PATTERN, FlowGraph

__all__ = ["read_flows", "read_matrix", "read_table", "is_total_name", "TOTAL_NAMES"]

_CSV = {".csv", ".txt", ".tsv", ".gz", ".bz2", ".zip", ".xz"}
_PARQUET = {".parquet", ".pq"}
_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}

Columns = str | Sequence[str]
Sheet = str | int | Sequence[str | int] | None


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        check_parameter("read_flows", "format", fmt, allowed=["csv", "parquet", "excel"])
        return fmt
    suffix = path.suffix.lower()
    if suffix in _PARQUET or path.is_dir():
        return "parquet"
    if suffix in _EXCEL:
        return "excel"
    if suffix in _CSV:
        return "csv"
    raise InvalidODError(f"Cannot tell the format of {path.name!r} from its suffix; "
                         + says("pass {}, {} or {}.", Fix("format", "csv"),
                                Fix("format", "parquet"), Fix("format", "excel")))


#: encodings tried, in order, when a file is not UTF-8 (see :func:`guess_encoding`)
_CANDIDATES = ("cp949", "cp1252", "latin-1")

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


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
        return lzma.open(path, "rb")
    if suffix == ".zip":
        z = zipfile.ZipFile(path)
        names = [n for n in z.namelist() if not n.endswith("/")]
        if not names:
            raise InvalidODError(f"{path.name} is an empty zip archive.")
        return z.open(names[0])
    return open(path, "rb")


def _head(path: Path, size: int = 4096) -> bytes:
    with _open_raw(path) as fh:
        return fh.read(size)


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` announces, or None.

    Examples
    --------
    >>> bom_encoding("od".encode("utf-16")), bom_encoding(b"\\xef\\xbb\\xbfod"), bom_encoding(b"od")
    ('utf-16', 'utf-8-sig', None)
    """
    for mark, enc in _BOMS:
        if head.startswith(mark):
            return enc
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` when bytes without a byte-order mark are UTF-16
    text (mostly ASCII: every other byte is zero), else None."""
    n = len(head) - len(head) % 2
    if n < 8:
        return None
    even, odd = head[0:n:2], head[1:n:2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.6 and zeros_even < 0.1:
        return "utf-16-le"
    if zeros_even > 0.6 and zeros_odd < 0.1:
        return "utf-16-be"
    return None


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

    A byte-order mark, or UTF-16 text without one (every other byte zero), is UTF-16 (or
    UTF-32); else cp949 (Korean, a superset of EUC-KR) when the bytes decode as cp949 *and*
    give Hangul; else cp1252 (Western European, as Windows writes Italian, French, Spanish)
    when they decode; else latin-1, which decodes anything.

    Examples
    --------
    >>> guess_encoding("서울,부산".encode("cp949")), guess_encoding("Alà,Forlì".encode("latin-1"))
    ('cp949', 'cp1252')
    >>> guess_encoding("origin,destination".encode("utf-16-le"))
    'utf-16-le'
    """
    bom = bom_encoding(sample)
    if bom is not None:
        return bom
    wide = utf16_without_bom(sample)
    if wide is not None:
        return wide
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
    head = _head(path)
    bom = bom_encoding(head)
    if bom == "utf-8-sig":
        return bom, None
    if bom is not None:
        return bom, f"decoded {path.name} as {bom.upper()} (byte-order mark)"
    wide = utf16_without_bom(head)
    if wide is not None:
        return wide, f"decoded {path.name} as {wide} (UTF-16 text without a byte-order mark)"
    bad = _first_bad_block(path)
    if bad is None:
        return "utf-8-sig", None
    enc = guess_encoding(bad)
    return enc, f"decoded {path.name} as {enc} (it is not UTF-8)"


def _encoding_for(path: Path, encoding: str | None) -> tuple[str, str | None]:
    """(encoding to read with, repair note or None) for the ``encoding`` asked for.

    UTF-8 (the default) and ``"auto"`` honour a byte-order mark: a UTF-16 or UTF-32 file
    with one is read as such (recorded), never guessed as a single-byte encoding. UTF-16
    without a mark is detected by ``"auto"`` and named by the error otherwise."""
    wanted = None if encoding is None else str(encoding).lower().replace("_", "-")
    if wanted is not None and wanted != "auto" and wanted not in ("utf-8", "utf8"):
        return str(encoding), None
    try:
        if wanted == "auto":
            return _detect(path)
        head = _head(path)
    except RegionalizeError:
        raise
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise InvalidODError(f"Cannot read {path.name} ({type(exc).__name__}: {exc}); check "
                             "that the file (or archive) is complete.") from None
    bom = bom_encoding(head)
    if bom is not None and bom != "utf-8-sig":
        return bom, f"decoded {path.name} as {bom.upper()} (byte-order mark)"
    wide = utf16_without_bom(head)
    if wide is not None:
        raise InvalidODError(
            f"Cannot read {path.name} as UTF-8: it looks like UTF-16 text without a "
            "byte-order mark (every other byte is zero); "
            + says("pass {}, or {} to detect it.", Fix("encoding", wide),
                   Fix("encoding", "auto")))
    return "utf-8-sig", None  # a UTF-8 byte-order mark would otherwise stick to a column


def _as_list(cols: Columns | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def _sniff_delimiter(path: Path, encoding: str, skiprows: int | None) -> str | None:
    """The delimiter of the header line (after ``skiprows`` lines), as pandas sniffs it."""
    try:
        with _open_raw(path) as fh:
            raw = fh.read(1 << 16)
        text = raw.decode(encoding, errors="replace")
    except (OSError, EOFError, LookupError, zlib.error, zipfile.BadZipFile, lzma.LZMAError):
        return None
    lines = text.splitlines()
    skip = skiprows if isinstance(skiprows, int) and skiprows > 0 else 0
    if len(lines) <= skip or not lines[skip].strip():
        return None
    try:
        return csv.Sniffer().sniff(lines[skip]).delimiter
    except csv.Error:
        return None


def _head_text(path: Path, encoding: str | None) -> str | None:
    """The first 64 kB of a text file, decoded (undecodable bytes replaced); None when the
    file cannot be opened or decoded at all."""
    try:
        enc, _ = _encoding_for(path, encoding)
        with _open_raw(path) as fh:
            return fh.read(1 << 16).decode(enc, errors="replace")
    except (RegionalizeError, OSError, EOFError, LookupError, zlib.error, zipfile.BadZipFile,
            lzma.LZMAError):
        return None


def _find_header_line(path: Path, encoding: str | None, want: Sequence[str],
                      sep: str | None) -> int | None:
    """The 0-based line of a text file holding all the names ``want`` as fields (the header
    below title or note lines), looked for in its first 64 kB; None if none does."""
    want = [str(w).strip() for w in want]
    if not want:
        return None
    text = _head_text(path, encoding)
    if text is None:
        return None
    for k, line in enumerate(text.splitlines()[:200]):
        for delim in ([sep] if sep else [",", ";", "\t", "|"]):
            fields = {f.strip().strip('"').strip() for f in line.split(delim)}
            if all(w in fields for w in want):
                return k
    return None


def _modal_header_line(path: Path, encoding: str | None, sep: str | None) -> int | None:
    """The first line (of the first 200) with as many fields as the table's rows: the
    header of a matrix below title lines; None when the first line already is."""
    text = _head_text(path, encoding)
    if text is None:
        return None
    lines = [ln for ln in text.splitlines()[:200]]
    if len(lines) < 3:
        return None
    delim = sep
    if delim is None:
        body = "\n".join(lines[len(lines) // 2:])
        try:
            delim = csv.Sniffer().sniff(body, delimiters=",;\t|").delimiter
        except csv.Error:
            return None
    counts = [len(next(csv.reader([ln], delimiter=delim), [])) if ln.strip() else 0
              for ln in lines]
    widest = max(counts)
    if widest < 2:
        return None
    first = next(k for k, c in enumerate(counts) if c >= widest - 1 and c >= 2)
    return first or None


def _skiprows_fix(line: int | None) -> Message:
    if line:
        return says(f"The header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
    return says("pass {} if title or note lines come before the header.", Fix("skiprows"))


# ------------------------------------------------------------------------------ Excel
def _cell_text(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2.0**53:
        v = int(v)
    text = str(v).strip()
    return text or None


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique as pandas does (``x``, ``x.1``, ``x.2``)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            new = f"{n}.{seen[n]}"
            while new in seen:
                seen[n] += 1
                new = f"{n}.{seen[n]}"
            seen[new] = 0
            out.append(new)
        else:
            seen[n] = 0
            out.append(n)
    return out


def _sheet_list(names: list[str]) -> str:
    shown = ", ".join(map(repr, names[:8]))
    return shown + (", ..." if len(names) > 8 else "")


_NOTE_SHEETS = re.compile(r"(?i)^(notes?|contents?|readme|read me|info.*|about|index|"
                          r"metadata|definitions?|sources?|cover.*|title)$")


def _read_excel(path: Path, *, sheet: Sheet, skiprows: int | None,
                want: Sequence[str] = ()) -> tuple[pd.DataFrame, list[str]]:
    """One table from a workbook: the header found below title rows (or after
    ``skiprows`` rows), empty rows dropped, several sheets stacked. Cells keep their types
    (numbers stay numbers; the caller turns id columns into text)."""
    name = path.name
    try:
        book = pd.ExcelFile(path)
    except ImportError as exc:
        engine = "xlrd" if path.suffix.lower() == ".xls" else (
            "odfpy" if path.suffix.lower() == ".ods" else "openpyxl")
        raise InvalidODError(
            f"Cannot read {name}: reading {path.suffix} workbooks needs the package "
            f"{engine} ({exc}). Install it (pip install {engine}), or save the sheet as "
            ".xlsx or CSV.") from None
    except Exception as exc:  # noqa: BLE001 - zipfile, openpyxl and xlrd raise many kinds
        raise InvalidODError(
            f"Cannot read {name} as an Excel workbook ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Check that it is a "
            "complete .xlsx / .xls / .ods file, or "
            + says("pass {} if it is text.", Fix("format", "csv"))) from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            if len(names) > 1:
                tables = [n for n in names if not _NOTE_SHEETS.match(n.strip())] or names
                raise InvalidODError(
                    f"{name} has {len(names)} sheets ({_sheet_list(names)}): "
                    + says("pass {} (a name, or a position from 0) with the table to read, "
                           "or a list of sheets to read one table split over several.",
                           Fix("sheet", tables[0])))
            chosen: list = [names[0]]
        else:
            chosen = list(sheet) if isinstance(sheet, (list, tuple)) else [sheet]
        frames, notes = [], []
        for s in chosen:
            if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
                if not 0 <= int(s) < len(names):
                    raise InvalidODError(
                        f"{name} has no sheet at position {int(s)}: it has {len(names)} "
                        f"({_sheet_list(names)}); " + says("pass {} with a name or a position "
                                                           "from 0.", Fix("sheet")))
                label = names[int(s)]
            else:
                label = str(s)
                if label not in names:
                    digits = label.strip().isdigit() and int(label) < len(names)
                    if not digits:
                        raise InvalidODError(
                            f"{name} has no sheet {label!r}; its sheets are "
                            f"{_sheet_list(names)}. "
                            + says("Pass {} with one of them.", Fix("sheet")))
                    label = names[int(label)]
            raw = pd.read_excel(book, sheet_name=label, header=None, dtype=object)
            frame, note = _excel_table(raw, name=f"{name} (sheet {label!r})",
                                       skiprows=skiprows, want=want)
            frames.append(frame)
            if note:
                notes.append(note)
    if len(frames) > 1:
        cols = list(frames[0].columns)
        for f, s in zip(frames[1:], chosen[1:], strict=True):
            if list(f.columns) != cols:
                raise InvalidODError(
                    f"The sheets of {name} do not hold the same columns: {s!r} has "
                    f"{', '.join(map(repr, map(str, f.columns[:8])))}, the first "
                    f"{', '.join(map(repr, map(str, cols[:8])))}. Read them one by one.")
        notes.append(f"read {len(frames)} sheets of {name} as one table "
                     f"({_sheet_list([str(c) for c in chosen])})")
    out = pd.concat(frames, ignore_index=True)
    if len(frames) > 1:  # where each sheet ends: each may have its own footer
        out.attrs["segments"] = [len(f) for f in frames]
    return out, notes


def _excel_table(raw: pd.DataFrame, *, name: str, skiprows: int | None,
                 want: Sequence[str]) -> tuple[pd.DataFrame, str | None]:
    if raw.empty:
        raise InvalidODError(f"Invalid OD table {name}: the sheet is empty.")
    filled = raw.notna().to_numpy()
    counts = filled.sum(axis=1)
    if skiprows is not None:
        row = int(skiprows)
    else:
        row = None
        want = [str(w).strip() for w in want]
        if want:
            for k in range(min(len(raw), 200)):
                cells = {_cell_text(v) for v in raw.iloc[k].tolist()}
                if all(w in cells for w in want):
                    row = k
                    break
        if row is None:
            widest = int(counts[:200].max())
            row = int(np.flatnonzero(counts >= max(widest - 1, 1))[0])
    if row >= len(raw):
        raise InvalidODError(f"Invalid OD table {name}: no header after {row} rows.")
    header = [_cell_text(v) for v in raw.iloc[row].tolist()]
    keep_cols = [j for j, h in enumerate(header) if h is not None or filled[row + 1:, j].any()]
    header = [header[j] if header[j] is not None else f"Unnamed: {j}" for j in keep_cols]
    body = raw.iloc[row + 1:, keep_cols]
    body = body[body.notna().any(axis=1)]
    body.columns = _unique_names(header)
    body = body.reset_index(drop=True)
    note = None
    if row and skiprows is None:
        titles = [t for t in (_cell_text(v) for v in raw.iloc[:row].to_numpy().ravel()) if t]
        shown = f" (first: {titles[0][:60]!r})" if titles else ""
        note = f"skipped {row} title rows above the header of {name}{shown}"
    return body, note


# ------------------------------------------------------------------------------ tables
#: the most title or note lines ``skiprows`` skips (pandas builds the set of lines to skip:
#: a huge count exhausts memory before reading anything)
MAX_SKIPROWS = 1_000_000


def _check_read_options(options: dict) -> None:
    """``skiprows``, ``thousands`` and ``decimal`` as pandas can use them, or one error."""
    from ..errors import check_int

    if options.get("skiprows") is not None:
        options["skiprows"] = check_int("the readers", "skiprows", options["skiprows"],
                                        low=0, high=MAX_SKIPROWS,
                                        note=" (title or note lines before the header)")
    for key in ("thousands", "decimal"):
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isalnum() \
                or value in "\r\n\"":
            raise InvalidParameterError(
                f"The {key!r} parameter of the readers must be one character that is not a "
                f"letter, a digit, a quote or a line break (e.g. '.' or ','). Got {value!r} "
                "instead.")
    if options.get("thousands") is not None and options.get("thousands") == options.get(
            "decimal"):
        raise InvalidParameterError(
            f"thousands= and decimal= are the same character ({options['thousands']!r}); a "
            "number cannot use one mark for both.")


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
    """Read a CSV, Parquet or Excel file, keeping ``text_columns`` as text (leading zeros
    intact).

    ``sep=None`` sniffs the delimiter (comma, semicolon, tab). ``encoding=None`` reads UTF-8
    (a byte-order mark is dropped; a UTF-16 or UTF-32 byte-order mark is honoured and
    recorded); ``encoding="auto"`` also detects UTF-16 without a mark, cp949 / EUC-KR,
    cp1252 and latin-1 when the file is not UTF-8 and records the choice in
    ``df.attrs["encoding"]``. Workbooks (``.xlsx``, ``.xlsm``; ``.xls`` with xlrd, ``.ods``
    with odfpy) read the sheet ``sheet`` (needed when there are several), the header found
    below any title rows unless ``skiprows=`` says where it is. The file is not changed.

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
    _check_read_options(read_kwargs)
    fmt = _format_of(path, format)
    want = read_kwargs.pop("_want", ())
    if sheet is not None and fmt != "excel":
        raise InvalidODError(f"{path.name} is not a workbook: "
                             + says("{} only applies to Excel files (.xlsx, .xls, .ods).",
                                    Fix("sheet")))
    if fmt == "excel":
        read_kwargs.pop("nrows", None)
        df, notes = _read_excel(path, sheet=sheet, skiprows=read_kwargs.pop("skiprows", None),
                                want=want)
        for c in text_columns:
            if c in df.columns:
                df[c] = pd.Series([_cell_text(v) for v in df[c].to_numpy(dtype=object)],
                                  index=df.index, dtype=object)
        if columns:
            df = df[[c for c in columns if c in df.columns]]
        if notes:
            df.attrs["repairs"] = notes
        return df
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
                "a complete Parquet file, or "
                + says("pass {} if it is text.", Fix("format", "csv"))) from None
    used, note = _encoding_for(path, encoding)
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
        if bad:
            guess = guess_encoding(bad)
            hint = f"it looks like {guess}: " + says("pass {}", Fix("encoding", guess))
        else:
            hint = says("pass {} (e.g. 'cp949' for Korean, 'latin-1' or 'cp1252' for Italian "
                        "and other Western European text)", Fix("encoding"))
        raise InvalidODError(
            f"Cannot decode {path.name} as {encoding or 'UTF-8'} ({exc.reason} at byte "
            f"{exc.start}); " + hint
            + says(", or {} to detect it.", Fix("encoding", "auto"))) from None
    except LookupError:
        raise InvalidODError(f"Unknown encoding {encoding!r}; "
                             + says("use a Python codec name such as {}, {}, {}, {} or {}.",
                                    Fix("encoding", "utf-8"), Fix("encoding", "cp949"),
                                    Fix("encoding", "euc-kr"), Fix("encoding", "latin-1"),
                                    Fix("encoding", "auto"))) from None
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
        line = None
        if not read_kwargs.get("skiprows"):
            line = (_find_header_line(path, encoding, want, sep) if want
                    else _modal_header_line(path, encoding, sep))
        skip = (says(f"the header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
                if line else says("{} if title or note lines come before the header.",
                                  Fix("skiprows")))
        raise InvalidODError(
            f"Cannot read {path.name} as a CSV table ({detail}). Check that it is a table with "
            "a header row; " + says("pass {} if the delimiter is not a comma, semicolon or "
                                    "tab, and ", Fix("sep")) + skip) from None
    if sep is None:
        sniffed = _sniff_delimiter(path, used, read_kwargs.get("skiprows"))
        if sniffed:
            df.attrs["sep"] = sniffed
    else:
        df.attrs["sep"] = sep
    if note:
        df.attrs["encoding"] = used
        df.attrs["repairs"] = [note]
    return df


# ------------------------------------------------------------------------------ numbers
_GROUPED_DOT = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"
_COMMA_NUMBER = r"[+-]?\d[\d.]*,\d+"


def _shown(values, limit: int = 3) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:limit])


def _parse_numbers(values: pd.Series, *, thousands: str | None, decimal: str | None,
                   european: bool, name: str, what: str, kind: str = "table") -> pd.Series:
    """The numbers of a column of flows (text cells parsed, numbers kept as they are).

    Cells that are not numbers (suppression markers, notes) are returned as they were,
    for the caller to report or read as suppressed. With neither ``thousands`` nor
    ``decimal`` given, a column whose dotted numbers all look like ``1.234`` (groups of
    three digits, as the European convention writes thousands) in a file not separated by
    commas is an error naming ``thousands='.'``, never silently read as fractions; numbers
    written with a decimal comma are an error naming ``decimal=','``.
    """
    _check_read_options({"thousands": thousands, "decimal": decimal})
    if pd.api.types.is_bool_dtype(values) or (pd.api.types.is_numeric_dtype(values)):
        return values
    if values.dtype == object:
        strmask = np.fromiter((isinstance(v, str) for v in values.to_numpy(dtype=object)),
                              dtype=bool, count=len(values))
    else:
        strmask = np.asarray(values.notna().to_numpy(), dtype=bool)
    if not strmask.any():
        return values
    text = pd.Series(values[strmask].to_numpy(dtype=object), dtype=str).str.strip()
    parsed = _parse_text(text, thousands=thousands, decimal=decimal, european=european,
                         name=f"{kind} {name}", what=what)
    out = values.astype(object).copy()
    ok = parsed.notna().to_numpy()
    idx = np.flatnonzero(strmask)
    out.iloc[idx[ok]] = parsed.to_numpy()[ok]
    rest = out.to_numpy(dtype=object)
    if not any(isinstance(v, str) for v in rest[strmask][~ok]):
        return pd.Series(pd.to_numeric(out, errors="coerce"), index=values.index)
    return out


def _parse_text(text: pd.Series, *, thousands, decimal, european, name, what) -> pd.Series:
    if thousands is not None and decimal is not None and thousands == decimal:
        raise InvalidODError(f"thousands= and decimal= are both {thousands!r}; "
                             + says("pass {} with {}, or {} with {}.", Fix("thousands", "."),
                                    Fix("decimal", ","), Fix("thousands", ","),
                                    Fix("decimal", ".")))
    if thousands is None and decimal is None:
        conv = pd.to_numeric(text, errors="coerce")
        numeric = conv.notna().to_numpy()
        dotted = numeric & text.str.contains(".", regex=False).to_numpy(dtype=bool,
                                                                         na_value=False)
        grouped_many = ~numeric & text.str.fullmatch(
            r"[+-]?[1-9]\d{0,2}(?:\.\d{3}){2,}").to_numpy(dtype=bool, na_value=False)
        if european and (dotted.any() or grouped_many.any()):
            looks = text[dotted].str.fullmatch(_GROUPED_DOT).to_numpy(dtype=bool,
                                                                      na_value=False)
            if looks.all():
                examples = list(text[dotted | grouped_many].head(3))
                raise InvalidODError(
                    f"Invalid OD {name}: {int(dotted.sum() + grouped_many.sum()):,} "
                    f"{what} are written like {_shown(examples)}, with '.' between groups of "
                    "three digits as the European convention writes thousands; read as they "
                    f"are they would be fractions ({examples[0]!r} as "
                    f"{_as_number(examples[0])}). "
                    + says("Pass {} (and {} if decimals are written with a comma), or {} "
                           "if they really are fractions.", Fix("thousands", "."),
                           Fix("decimal", ","), Fix("decimal", ".")))
        comma = ~numeric & text.str.fullmatch(_COMMA_NUMBER).to_numpy(dtype=bool,
                                                                      na_value=False)
        if comma.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(comma.sum()):,} {what} are written with a "
                f"comma (first: {_shown(text[comma])}). "
                + says("Pass {} if the comma is the decimal mark (with {} if '.' groups the "
                       "thousands), or {} if it groups the thousands.", Fix("decimal", ","),
                       Fix("thousands", "."), Fix("thousands", ",")))
        return conv
    dec = decimal or "."
    s = text
    if thousands:
        t, d = re.escape(thousands), re.escape(dec)
        has = s.str.contains(thousands, regex=False).to_numpy(dtype=bool, na_value=False)
        fits = s.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d+)?").to_numpy(
            dtype=bool, na_value=False)
        bad = has & ~fits
        if bad.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(bad.sum()):,} {what} do not fit "
                + says("{}", Fix("thousands", thousands))
                + f" (first: {_shown(s[bad])}): the separator must stand between groups of "
                "three digits. " + says("Check {} and {}.", Fix("thousands"), Fix("decimal")))
        s = s.str.replace(thousands, "", regex=False)
    if dec != ".":
        stray = s.str.fullmatch(r"[+-]?\d+\.\d+(?:" + re.escape(dec) + r"\d+)?").to_numpy(
            dtype=bool, na_value=False)
        if stray.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(stray.sum()):,} {what} hold a '.' although "
                + says("{}", Fix("decimal", dec)) + f" (first: {_shown(s[stray])}). "
                + says("Pass {} if '.' groups the thousands.", Fix("thousands", ".")))
        s = s.str.replace(dec, ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


def _as_number(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return "not a number"


# ------------------------------------------------------------------------------ totals
#: names of total and subtotal rows, columns and ids (compared case-folded, trimmed, NFKC)
TOTAL_NAMES = frozenset({
    "total", "totals", "totale", "totali", "totaal", "totalt", "totaux", "total général",
    "total general", "totales", "grand total", "subtotal", "sub-total", "sub total",
    "gesamt", "insgesamt", "gesamtsumme", "gesamtergebnis", "summe", "summa", "sum", "sums",
    "all", "all areas", "all zones", "all places", "all workers", "all counties",
    "all municipalities", "all regions", "all lsoas", "all msoas", "alle", "ensemble",
    "somme", "tous", "todos", "todas", "tutti", "suma", "razem", "yhteensä", "samtals",
    "i alt", "i alt i alt", "celkem", "összesen", "kokku", "iš viso", "kopā", "skupaj",
    "ukupno", "итого", "всего", "общо", "σύνολο", "toplam", "jumlah", "eindtotaal",
    "합계", "총계", "소계", "계", "전체", "전국", "合計", "合计", "总计", "總計", "小計", "小计",
    "計", "计", "総数", "总数", "全国", "全國",
})
_TOTAL_PREFIX = re.compile(
    r"^(?:grand\s+total|sub-?\s?totals?|totals?|totale|totali|totaal|totalt|totaux|gesamt|"
    r"insgesamt|summe|somme|yhteensä|i alt|razem|celkem|összesen|итого|всего|합계|총계|소계|"
    r"合計|合计|总计|總計|小計|小计)(?![^\W\d_])", re.IGNORECASE)


def is_total_name(value) -> bool:
    """Whether a row, column or id name reads as a total or subtotal: ``Total``, ``TOTAL``,
    ``Totale``, ``Gesamt``, ``Insgesamt``, ``Totaal``, ``Totalt``, ``Sum``, ``All``,
    ``합계``, ``合計``, ``Total (all areas)``, ``Subtotal:`` ... (case-insensitive, trimmed).

    Examples
    --------
    >>> [is_total_name(x) for x in ["Total", " TOTAL ", "Gesamt", "합계", "Total: all", "Totalfield"]]
    [True, True, True, True, True, False]
    >>> is_total_name("계룡시"), is_total_name("01001"), is_total_name(None)
    (False, False, False)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    if not isinstance(value, str):
        return False
    t = unicodedata.normalize("NFKC", value).strip().strip(":.*").strip()
    t = t.strip("()[]").strip().casefold()
    if not t or t[0].isdigit():
        return False
    return t in TOTAL_NAMES or bool(_TOTAL_PREFIX.match(t))


def _total_mask(values: pd.Series) -> np.ndarray:
    """Which cells of a column read as total names (looked up once per distinct value)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.zeros(len(values), dtype=bool)
    uniques = pd.unique(values.to_numpy(dtype=object))
    totals = [u for u in uniques if is_total_name(u)]
    if not totals:
        return np.zeros(len(values), dtype=bool)
    return np.asarray(values.isin(totals).to_numpy(), dtype=bool)


def _sum_of_others(a: np.ndarray, positive: np.ndarray | None = None) -> list[int]:
    """Rows of a dense non-negative array that are the sum of all the other rows (a grand
    total row under another name): at least 3 rows, two of the others not empty."""
    if a.ndim != 2 or a.shape[0] < 3 or not a.size:
        return []
    a = np.nan_to_num(np.asarray(a, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    rows = a.sum(axis=1)
    total = float(rows.sum())
    if not np.isfinite(total) or total <= 0:
        return []
    cols = a.sum(axis=0)
    tol = 1e-9 * total
    out = []
    for t in np.flatnonzero(np.abs(2 * rows - total) <= tol):
        others = np.count_nonzero(rows) - (rows[t] != 0)
        if rows[t] > 0 and others >= 2 and np.allclose(2 * a[t], cols, rtol=1e-9,
                                                      atol=tol / a.shape[1]):
            out.append(int(t))
    return out


def _sum_zones(m) -> tuple[list[int], list[int]]:
    """Zones of a square sparse flow matrix whose row (or column) is the sum of the other
    rows (columns): a total published as if it were a zone."""
    n = m.shape[0]
    if n < 3:
        return [], []
    rows = np.asarray(m.sum(axis=1)).ravel()
    cols = np.asarray(m.sum(axis=0)).ravel()
    total = float(rows.sum())
    if not np.isfinite(total) or total <= 0:
        return [], []
    tol = 1e-9 * total
    found_r, found_c = [], []
    for t in np.flatnonzero(np.abs(2 * rows - total) <= tol):
        row = m[[t], :].toarray().ravel()
        if rows[t] > 0 and np.count_nonzero(rows) - 1 >= 2 and np.allclose(
                2 * row, cols, rtol=1e-9, atol=tol / n):
            found_r.append(int(t))
    for t in np.flatnonzero(np.abs(2 * cols - total) <= tol):
        col = m[:, [t]].toarray().ravel()
        if cols[t] > 0 and np.count_nonzero(cols) - 1 >= 2 and np.allclose(
                2 * col, rows, rtol=1e-9, atol=tol / n):
            found_c.append(int(t))
    return found_r, found_c


def _totals_fix(footer_too: bool = False) -> Message:
    if footer_too:
        return says("Pass {} to leave them out (recorded in meta['repairs']; {} also drops "
                    "total rows at the end), {} if they really are zones, or remove them "
                    "from the file.", Fix("totals", "drop"), Fix("footer", "drop"),
                    Fix("totals", "keep"))
    return says("Pass {} to leave them out (recorded in meta['repairs']), {} if they really "
                "are zones, or remove them from the file.", Fix("totals", "drop"),
                Fix("totals", "keep"))


# ------------------------------------------------------------------------------ footers
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
            numberish = text.str.strip().str.fullmatch(r"[+-]?[\d.,' ]*\d[\d.,' ]*").to_numpy(
                dtype=bool, na_value=False)
            bad = bad | (~numeric & ~marker & ~numberish)
    good = np.flatnonzero(~bad)
    if not len(good):  # no row is a flow: a wrong column, not a footer (reported later)
        return np.zeros(0, dtype=np.int64)
    return np.arange(good[-1] + 1, len(df), dtype=np.int64)


def _footer_rows_by_segment(df: pd.DataFrame, id_cols: list[str], flow: str | None,
                            segments: list[int] | None) -> np.ndarray:
    """:func:`_footer_rows` of each part of a table stacked from several sheets."""
    if not segments:
        return _footer_rows(df, id_cols, flow)
    out, start = [], 0
    for n in segments:
        out.append(_footer_rows(df.iloc[start:start + n], id_cols, flow) + start)
        start += n
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _row_text(df: pd.DataFrame, i: int) -> str:
    cells = [str(v) for v in df.iloc[i].tolist() if not pd.isna(v) and str(v).strip()]
    text = ", ".join(cells)
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _drop_footer(df: pd.DataFrame, rows: np.ndarray, footer: str, name: str,
                 fix: str | Message, what: str = "OD table") -> tuple[pd.DataFrame, list[str]]:
    if not len(rows):
        return df, []
    examples = ", ".join(f"data row {i + 1}: {_row_text(df, i)}" for i in rows[:3])
    if footer == "error":
        raise InvalidODError(
            f"Invalid {what} {name}: the last {len(rows):,} rows look like notes, totals or "
            f"a footer, not flows (first: {examples}). " + fix)
    keep = np.ones(len(df), dtype=bool)
    keep[rows] = False
    return df.iloc[np.flatnonzero(keep)], [f"dropped {len(rows)} footer or note rows at the "
                                           f"end of {name} (first: {examples})"]


def _combine(df: pd.DataFrame, cols: list[str], name: str,
             widths: Sequence[int] | None = None) -> pd.Series:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InvalidODError(
            f"Invalid OD table: missing {name} columns {', '.join(map(repr, missing))}; the "
            f"table has {', '.join(map(repr, map(str, df.columns[:12])))}.")
    if len(cols) == 1:
        return df[cols[0]]
    numeric = [c for c in cols if _holds_numbers(df[c])]
    parts = [_text_ids(df[c]) for c in cols]
    if widths is not None:
        parts = [p.where(~p.str.fullmatch(r"\d+").fillna(False).astype(bool), p.str.zfill(w))
                 for p, w in zip(parts, widths, strict=True)]
    else:  # codes of varying length joined are ambiguous ('1' + '11' and '11' + '1')
        lengths = [p[p.str.fullmatch(r"\d+").fillna(False).astype(bool)].str.len() for p in parts]
        varying = [c for c, n in zip(cols, lengths, strict=True) if len(n) and n.nunique() > 1]
        varying = list(dict.fromkeys([*numeric, *varying]))
        if varying:
            suggest = [int(n.max()) if len(n) else 1 for n in lengths]
            raise InvalidODError(
                f"Invalid OD table: the {name} id columns {', '.join(map(repr, cols))} are "
                f"joined into one code, but {', '.join(map(repr, varying))} holds numbers or "
                "codes of varying length (leading zeros lost), so the joined codes would be "
                "ambiguous ('1' + '11' and '11' + '1'). " + says("Pass {} (one width per column, e.g. state and "
                                              "county FIPS: 2 and 3) to pad each part.",
                                              Fix("id_width", suggest)))
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out.where(df[cols].notna().all(axis=1))


def _holds_numbers(col: pd.Series) -> bool:
    """Whether an id column holds numbers (no width: their leading zeros are gone)."""
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    if col.dtype == object:
        return any(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
            v, bool) and not (isinstance(v, float) and np.isnan(v))
            for v in col.to_numpy(dtype=object)[:10_000])
    return False


def _text_ids(col: pd.Series) -> pd.Series:
    if col.dtype == object:
        return pd.Series([_cell_text(v) or "" for v in col.to_numpy(dtype=object)],
                         index=col.index, dtype=str)
    return col.astype(str).str.strip()


# ------------------------------------------------------------------------------ long tables
def _looks_like_matrix(df: pd.DataFrame) -> bool:
    """A header of zone ids matching the first column's values: a wide matrix."""
    if len(df.columns) < 3 or not len(df):
        return False
    def key(v) -> str:
        return str(v).strip().lstrip("0") or "0"

    first = {key(v) for v in df.iloc[:, 0].dropna().tolist()}
    cols = {key(c) for c in df.columns[1:]}
    return len(first & cols) >= max(2, len(cols) // 2)


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
    """Read a long OD table (one row per origin-destination pair) into a FlowGraph.

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
        ``합계``, ``All``, ... see :func:`is_total_name`), and zones whose flows are the
        sum of all the others: an error naming them, dropped (listed in
        ``meta["repairs"]``), or kept as zones.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_dataframe` (``zones``, ``geometry``,
        ``duplicates``, ``suppressed``, ``id_width``, ``id_collisions``, ``name``, ...).

    Examples
    --------
    >>> import io, pandas as pd
    >>> text = "home;work;n\\n01;01;5\\n01;02;3\\n02;02;7\\n"
    >>> df = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    >>> rz.read_flows(df, "home", "work", "n").ids.tolist()
    ['01', '02']
    """
    check_parameter("read_flows", "footer", footer, allowed=["error", "drop"])
    check_parameter("read_flows", "totals", totals, allowed=["error", "drop", "keep"])
    if "rows" in graph_kwargs:
        raise InvalidParameterError(
            "rows= applies to a wide matrix (read_matrix): a long table says where people "
            "live by its origin column; " + says("pass {} with the column of the places of "
                                                 "residence.", Fix("origin")))
    o_cols, d_cols = _as_list(origin), _as_list(destination)
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
        text = () if _format_of(path, format) == "excel" else wanted
        df = read_table(source, text_columns=text, format=format, sep=sep,
                        encoding=encoding, sheet=sheet, _want=wanted, **kwargs)
        read_repairs += df.attrs.get("repairs", [])
        encoding_used = df.attrs.get("encoding")
        delimiter = df.attrs.get("sep")
    absent = [c for c in wanted if c not in df.columns]
    if absent:
        line = None
        if path is not None and skiprows is None and _format_of(path, format) == "csv":
            line = _find_header_line(path, encoding, wanted, sep)
        if line:
            fix = says(f"The header looks like line {line + 1}: pass {{}}.",
                       Fix("skiprows", line))
        elif _looks_like_matrix(df):
            fix = says("Its header holds the zone ids of its first column: it looks like a "
                       "wide matrix; read it with read_matrix ({}), or pass the right names "
                       "with {}, {}, {}.", Fix("matrix", True), Fix("origin"),
                       Fix("destination"), Fix("flow"))
        else:
            fix = says("Pass the right names with {}, {}, {}, or {} if title or note lines "
                       "come before the header.", Fix("origin"), Fix("destination"),
                       Fix("flow"), Fix("skiprows"))
        raise InvalidODError(
            f"Invalid OD table {name}: missing columns "
            f"{', '.join(map(repr, absent))}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. " + fix)
    segments = df.attrs.get("segments")
    trailing = _footer_rows_by_segment(df, o_cols + d_cols, flow, segments)
    id_cols = list(dict.fromkeys(o_cols + d_cols))
    is_total = np.zeros(len(df), dtype=bool)
    if totals != "keep":
        for c in id_cols:
            is_total |= _total_mask(df[c])
    if totals == "drop" and is_total.any():
        read_repairs.append(_dropped_totals_note(df, np.flatnonzero(is_total), name, "rows"))
        if segments:
            bounds = np.cumsum([0, *segments])
            segments = [int((~is_total[a:b]).sum()) for a, b in zip(bounds[:-1], bounds[1:],
                                                                     strict=True)]
        df = df.iloc[np.flatnonzero(~is_total)]
        trailing = _footer_rows_by_segment(df, o_cols + d_cols, flow, segments)
        is_total = np.zeros(len(df), dtype=bool)
    in_body = is_total.copy()
    in_body[trailing] = False
    if in_body.any():  # totals among the flows (not in the footer block)
        rows = np.flatnonzero(in_body)
        examples = ", ".join(f"data row {i + 1}: {_row_text(df, i)}" for i in rows[:3])
        raise InvalidODError(
            f"Invalid OD table {name}: {len(rows):,} rows whose origin or destination is a "
            f"total, not a zone (first: {examples}). " + _totals_fix())
    df, dropped = _drop_footer(
        df, trailing, footer, name,
        says("Pass {} to leave them out, or remove them from the file.", Fix("footer", "drop"))
        + (says(" ({} drops total rows wherever they are.)", Fix("totals", "drop"))
           if is_total[trailing].any() else ""))
    read_repairs += dropped
    european = delimiter != ","
    flows = _parse_numbers(df[flow], thousands=thousands, decimal=decimal, european=european,
                           name=name, what="flows")
    widths = graph_kwargs.get("id_width")
    if isinstance(widths, (list, tuple)):  # one width per id column of composite codes
        if not (len(widths) == len(o_cols) == len(d_cols)) or not all(
                isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w > 0
                for w in widths):
            raise InvalidParameterError(
                f"id_width={list(widths)!r} must hold one positive width per id column "
                f"(origin has {len(o_cols)}, destination {len(d_cols)}); "
                + says("pass one number, or one per column with {}.", Fix("id_width")))
        graph_kwargs = {k: v for k, v in graph_kwargs.items() if k != "id_width"}
    else:
        widths = None
    table = pd.DataFrame({
        "origin": _combine(df, o_cols, "origin", widths),
        "destination": _combine(df, d_cols, "destination", widths),
        "flow": flows,
    })
    if moe:
        table["moe"] = _parse_numbers(df[moe], thousands=thousands, decimal=decimal,
                                      european=european, name=name, what="margins of error")
    meta = _meta(source, graph_kwargs.pop("meta", None), read_repairs, encoding_used)
    graph = FlowGraph.from_dataframe(table, "origin", "destination", "flow",
                                     moe="moe" if moe else None, meta=meta, **graph_kwargs)
    if totals == "keep":
        return graph
    rows_t, cols_t = _sum_zones(graph.matrix)
    found = sorted(set(rows_t) | set(cols_t))
    if not found:
        return graph
    ids = [graph.ids[k] for k in found]
    if totals == "error":
        raise InvalidODError(
            f"Invalid OD table {name}: {len(ids):,} zones whose flows are the sum of all the "
            f"other zones' (first: {', '.join(map(repr, ids[:3]))}): a total published as if "
            "it were a zone. " + _totals_fix())
    from .._ids import normalise_column

    width = graph_kwargs.get("id_width")
    o = normalise_column(table["origin"], width=width).to_numpy(dtype=object)
    d = normalise_column(table["destination"], width=width).to_numpy(dtype=object)
    keep = ~(np.isin(o, ids) | np.isin(d, ids))
    meta = dict(graph.meta)
    meta["repairs"] = [*meta.get("repairs", []),
                       f"dropped {len(ids)} zones whose flows are the sum of all the others "
                       f"(totals, first: {', '.join(map(repr, ids[:3]))})"]
    graph_kwargs = {k: v for k, v in graph_kwargs.items() if k != "meta"}
    return FlowGraph.from_dataframe(table[keep], "origin", "destination", "flow",
                                    moe="moe" if moe else None, meta=meta, **graph_kwargs)


def _dropped_totals_note(df: pd.DataFrame, rows, name: str, what: str) -> str:
    examples = ", ".join(f"data row {i + 1}: {_row_text(df, i)}" for i in list(rows)[:3])
    return f"dropped {len(rows)} total {what} of {name} (first: {examples})"


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



# ------------------------------------------------------------------------------ matrices
def _ids_in_index(df: pd.DataFrame) -> bool:
    """Whether a DataFrame holds its row ids in its index rather than its first column: the
    index holds more of the column ids than the first column does (a square frame with
    ids on both axes; not a default or filtered 0..n-1 index)."""
    if isinstance(df.index, pd.MultiIndex) or not len(df) or not len(df.columns):
        return False
    cols = {str(c).strip() for c in df.columns}
    in_index = sum(str(i).strip() in cols for i in df.index)
    in_first = sum(str(v).strip() in cols for v in df.iloc[:, 0].tolist())
    return in_index > in_first


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
    """Read a wide OD matrix (one row per zone, one column per zone) into a FlowGraph.

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
        ``합계``, ``All``, ... see :func:`is_total_name`) or by being the sum of all the
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
        second. A first line without a line break in its first :data:`HEADER_SCAN_LIMIT`
        bytes (64 MB) is refused as no header.
    **graph_kwargs
        Passed to :meth:`FlowGraph.from_matrix` (``zones``, ``id_width``,
        ``id_collisions``, ``name``, ...).

    Notes
    -----
    The header row gives the column ids; they must be the same zones as the row ids,
    in any order (columns are reordered to the rows).
    """
    check_parameter("read_matrix", "rows", rows, allowed=["residence", "workplace"])
    check_parameter("read_matrix", "footer", footer, allowed=["error", "drop"])
    check_parameter("read_matrix", "totals", totals, allowed=["error", "drop", "keep"])
    check_parameter("read_matrix", "suppressed", suppressed, allowed=["error", "zero"])
    fix_dense = ("Publish or convert the matrix as a long table (origin, destination, flow) "
                 "and use read_flows, which stays sparse.")
    repairs: list[str] = []
    encoding_used = None
    delimiter = None
    kwargs = {} if skiprows is None else {"skiprows": skiprows}
    position = 0 if id_column is None else id_column
    if isinstance(source, pd.DataFrame):
        df = source
        name = "(DataFrame)"
        if id_column is None and _ids_in_index(df):
            label = "zone"
            while label in df.columns:
                label = f"_{label}"
            df = df.reset_index(names=label) if not isinstance(df.index, pd.MultiIndex) else df
            position = label
    else:
        path = Path(source)
        name = path.name
        fmt = _format_of(path, format)
        if fmt == "csv":
            used, _ = _encoding_for(path, encoding)
            # the size first, from the header line alone (bounded reading): a header of
            # 300,000 columns is refused in a fraction of a second, before pandas parses it
            counted = _header_fields(path, sep=sep, encoding=used, skiprows=skiprows)
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
                        "has line breaks, and " + says("{} and {}.", Fix("sep"),
                                                        Fix("skiprows")))
            header = read_table(path, sep=sep, encoding=encoding, nrows=0, **kwargs)
            _id_name(header, position)
            n = len(header.columns) - 1 - len(label_columns)
            check_dense(max(n, 0), max(n, 0), what=f"read_matrix ({name})", copies=2,
                        fix=fix_dense, memory_limit=memory_limit)
            df = read_table(path, sep=sep, encoding=encoding, dtype=str, **kwargs)
        elif fmt == "excel":
            df = read_table(path, format="excel", sheet=sheet, **kwargs)
            id_name = _id_name(df, position)
            df[id_name] = pd.Series([_cell_text(v) for v in df[id_name].to_numpy(dtype=object)],
                                    index=df.index, dtype=object)
            df.columns = [c if isinstance(c, str) else _cell_text(c) for c in df.columns]
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
        repairs += df.attrs.get("repairs", [])
        encoding_used = df.attrs.get("encoding")
        delimiter = df.attrs.get("sep")
    id_name = _id_name(df, position)
    labels = [c for c in label_columns if c in df.columns]
    absent = [c for c in label_columns if c not in df.columns]
    if absent:
        raise InvalidODError(f"Invalid OD matrix: label columns {absent} not found; it has "
                             f"{', '.join(map(repr, map(str, df.columns[:12])))}.")
    n = len(df.columns) - 1 - len(labels)
    check_dense(max(n, 0), max(len(df), 0), what=f"read_matrix ({name})", fix=fix_dense,
                memory_limit=memory_limit)
    body_cols = [c for c in df.columns if c != id_name and c not in labels]

    # totals and subtotals by name: rows (by id or label) and columns
    if totals != "keep":
        row_total = _total_mask(df[id_name])
        for c in labels:
            row_total |= _total_mask(df[c])
        col_total = [c for c in body_cols if is_total_name(str(c))]
    else:
        row_total, col_total = np.zeros(len(df), dtype=bool), []
    if totals == "drop" and (row_total.any() or col_total):
        if row_total.any():
            repairs.append(_dropped_totals_note(df, np.flatnonzero(row_total), name, "rows"))
        if col_total:
            repairs.append(f"dropped {len(col_total)} total columns of {name} (first: "
                           f"{', '.join(map(repr, map(str, col_total[:3])))})")
        df = df.iloc[np.flatnonzero(~row_total)].drop(columns=col_total)
        body_cols = [c for c in body_cols if c not in col_total]
        row_total, col_total = np.zeros(len(df), dtype=bool), []
    col_ids = {str(c).strip() for c in body_cols}
    ids = df[id_name]
    not_zone = (ids.isna() | ~ids.astype(str).str.strip().isin(col_ids)).to_numpy()
    good = np.flatnonzero(~not_zone)
    if len(df) and not len(good):  # no row is a zone of the header: the header is wrong
        line = None
        if not isinstance(source, pd.DataFrame) and skiprows is None and \
                _format_of(Path(source), format) == "csv":
            line = _modal_header_line(Path(source), encoding, sep)
        fix = (says(f"The header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
               if line else says("Check {} (the row ids) and {} (title or note lines above "
                                 "the header).", Fix("id_column"), Fix("skiprows")))
        raise InvalidODError(
            f"Invalid OD matrix {name}: no row id is one of the column ids (rows: "
            f"{', '.join(map(repr, map(str, ids.head(3))))}; columns: "
            f"{', '.join(map(repr, map(str, body_cols[:3])))}), so the header is not a row of "
            "zone ids. " + fix)
    trailing = np.arange((good[-1] + 1) if len(good) else 0, len(df), dtype=np.int64)
    in_body = row_total.copy()
    in_body[trailing] = False
    if in_body.any() or col_total:
        parts, examples = [], []
        if in_body.any():
            rows_at = np.flatnonzero(in_body)
            parts.append(f"{len(rows_at):,} total rows")
            examples += [f"data row {i + 1}: {_row_text(df, i)}" for i in rows_at[:3]]
        if col_total:
            parts.append(f"{len(col_total):,} total columns")
            examples += [f"column {c!r}" for c in col_total[:3]]
        raise InvalidODError(
            f"Invalid OD matrix {name}: {' and '.join(parts)}, which are not zones (first: "
            f"{', '.join(examples[:4])}). " + _totals_fix(footer_too=bool(row_total.any())))
    df, dropped = _drop_footer(
        df, trailing, footer, name,
        says("Their ids are not column ids; pass {} to leave them out, or remove them.",
             Fix("footer", "drop"))
        + (says(" ({} drops total rows wherever they are.)", Fix("totals", "drop"))
           if row_total[trailing].any() else ""),
        what="OD matrix")
    repairs += dropped

    body = _numeric_body(df, body_cols, thousands=thousands, decimal=decimal,
                         european=delimiter != ",", suppressed=suppressed, name=name,
                         repairs=repairs)
    body.index = df[id_name].to_numpy()
    if totals != "keep" and all(pd.api.types.is_numeric_dtype(t) for t in body.dtypes):
        values = body.to_numpy(dtype=float)
        sum_rows, sum_cols = _sum_of_others(values), _sum_of_others(values.T)
        if sum_rows or sum_cols:
            found = [f"row {body.index[k]!r}" for k in sum_rows] + \
                    [f"column {body.columns[k]!r}" for k in sum_cols]
            if totals == "error":
                raise InvalidODError(
                    f"Invalid OD matrix {name}: {len(found):,} rows or columns are the sum of "
                    f"all the others (first: {', '.join(found[:3])}): totals published as if "
                    "they were zones. " + _totals_fix())
            repairs.append(f"dropped {len(found)} rows or columns of {name} that are the sum "
                           f"of all the others (totals, first: {', '.join(found[:3])})")
            body = body.drop(index=body.index[sum_rows]).drop(columns=body.columns[sum_cols])
    if rows == "workplace":
        body = body.T
        repairs.append(f"read {name} as published workplace by residence (rows are places "
                       "of work): transposed so that rows are where people live")
    zones = graph_kwargs.pop("zones", None)
    if labels and zones is None:
        zones = pd.DataFrame(df[labels].to_numpy(), index=df[id_name].to_numpy(), columns=labels)
    graph_kwargs["meta"] = _meta(source, graph_kwargs.get("meta"), repairs, encoding_used)
    try:
        return FlowGraph.from_matrix(body, zones=zones, **graph_kwargs)
    except InvalidODError as exc:
        if suppressed == "error" and "non-numeric cells" in str(exc):
            raise InvalidODError(exc.message + " " + says(
                "Pass {} to read suppression markers ('-', '*', '..', 'x', '<3', empty) as no "
                "flow.", Fix("suppressed", "zero"))) from None
        raise


def _numeric_body(df: pd.DataFrame, cols: list, *, thousands, decimal, european: bool,
                  suppressed: str, name: str, repairs: list[str]) -> pd.DataFrame:
    """The flow cells of a wide matrix as numbers (one vectorised pass over all cells);
    cells that are no numbers stay text for the caller to report."""
    n_rows = len(df)
    if not cols:
        return pd.DataFrame(index=range(n_rows))
    if all(pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
           for c in cols) and suppressed != "zero":
        return pd.DataFrame(df[cols].to_numpy(), columns=cols)
    long = pd.concat([df[c].reset_index(drop=True) for c in cols], ignore_index=True)
    values = _parse_numbers(long, thousands=thousands, decimal=decimal, european=european,
                            name=name, what="cells", kind="matrix")
    if suppressed == "zero":
        from ..flows import _unsuppress

        values, n_masked, examples = _unsuppress(values)
        if n_masked:
            repairs.append(f"read {n_masked} suppressed or missing cells as 0 (first: "
                           f"{', '.join(map(repr, examples))})")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        conv = pd.to_numeric(values, errors="coerce")
        leftovers = conv.isna().to_numpy() & values.notna().to_numpy()
        if leftovers.any():
            arr = values.to_numpy(dtype=object)
        else:
            arr = conv.to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(arr.reshape((len(cols), n_rows)).T, columns=cols)


def _id_name(df: pd.DataFrame, id_column: str | int):
    if isinstance(id_column, (int, np.integer)) and not isinstance(id_column, bool):
        if not -len(df.columns) <= id_column < len(df.columns):
            raise InvalidODError(f"Invalid OD matrix: no column at position {id_column} (it has "
                                 f"{len(df.columns)} columns); "
                                 + says("pass {}.", Fix("id_column")))
        return df.columns[id_column]
    if id_column not in df.columns:
        raise InvalidODError(
            f"Invalid OD matrix: no id column {id_column!r}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. "
            + says("Pass {}.", Fix("id_column")))
    return id_column
