"""What a file is before pandas parses it: its format, its bytes and its header.

- the format from the suffix (:func:`format_of`) and a binary stream of the content,
  decompressed (:func:`open_raw`);
- the text encoding: byte-order marks, UTF-16 without one, and the guess among cp949,
  cp1252 and latin-1 when a file is not UTF-8 (:func:`guess_encoding`,
  :func:`encoding_for`);
- the delimiter of the header line (:func:`sniff_delimiter`) and the line the header is on
  below title or note lines (:func:`find_header_line`, :func:`modal_header_line`);
- the fields of a wide matrix's header line counted in bounded reading, before anything is
  parsed (:func:`header_fields`, :data:`HEADER_SCAN_LIMIT`).
"""

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

import numpy as np

from ..errors import Fix, InvalidODError, Message, RegionalizeError, check_parameter, says

_CSV = {".csv", ".txt", ".tsv", ".gz", ".bz2", ".zip", ".xz"}
_PARQUET = {".parquet", ".pq"}
_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}


def format_of(path: Path, fmt: str | None) -> str:
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
    raise InvalidODError(
        f"Cannot tell the format of {path.name!r} from its suffix; "
        + says(
            "pass {}, {} or {}.",
            Fix("format", "csv"),
            Fix("format", "parquet"),
            Fix("format", "excel"),
        )
    )


#: encodings tried, in order, when a file is not UTF-8 (see :func:`guess_encoding`)
_CANDIDATES = ("cp949", "cp1252", "latin-1")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def open_raw(path: Path):
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
    with open_raw(path) as fh:
        return fh.read(size)


def bom_encoding(head: bytes) -> str | None:
    r"""The encoding a byte-order mark at the start of ``head`` announces, or None.

    Examples
    --------
    >>> bom_encoding("od".encode("utf-16")), bom_encoding(b"\xef\xbb\xbfod"), bom_encoding(b"od")
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


def first_bad_block(path: Path, block: int = 1 << 20) -> bytes | None:
    """The first block of the file that is not valid UTF-8 (whole lines), or None."""
    dec = codecs.getincrementaldecoder("utf-8")()
    with open_raw(path) as fh:
        while chunk := fh.read(block):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                start = chunk.find(b"\n")
                end = chunk.rfind(b"\n")
                return chunk[start + 1 : end] if 0 <= start < end else chunk
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
    bad = first_bad_block(path)
    if bad is None:
        return "utf-8-sig", None
    enc = guess_encoding(bad)
    return enc, f"decoded {path.name} as {enc} (it is not UTF-8)"


def encoding_for(path: Path, encoding: str | None) -> tuple[str, str | None]:
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
        raise InvalidODError(
            f"Cannot read {path.name} ({type(exc).__name__}: {exc}); check "
            "that the file (or archive) is complete."
        ) from None
    bom = bom_encoding(head)
    if bom is not None and bom != "utf-8-sig":
        return bom, f"decoded {path.name} as {bom.upper()} (byte-order mark)"
    wide = utf16_without_bom(head)
    if wide is not None:
        raise InvalidODError(
            f"Cannot read {path.name} as UTF-8: it looks like UTF-16 text without a "
            "byte-order mark (every other byte is zero); "
            + says("pass {}, or {} to detect it.", Fix("encoding", wide), Fix("encoding", "auto"))
        )
    return "utf-8-sig", None  # a UTF-8 byte-order mark would otherwise stick to a column


def sniff_delimiter(path: Path, encoding: str, skiprows: int | None) -> str | None:
    """The delimiter of the header line (after ``skiprows`` lines), as pandas sniffs it."""
    try:
        with open_raw(path) as fh:
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
        enc, _ = encoding_for(path, encoding)
        with open_raw(path) as fh:
            return fh.read(1 << 16).decode(enc, errors="replace")
    except (
        RegionalizeError,
        OSError,
        EOFError,
        LookupError,
        zlib.error,
        zipfile.BadZipFile,
        lzma.LZMAError,
    ):
        return None


def find_header_line(
    path: Path, encoding: str | None, want: Sequence[str], sep: str | None
) -> int | None:
    """The 0-based line of a text file holding all the names ``want`` as fields (the header
    below title or note lines), looked for in its first 64 kB; None if none does."""
    want = [str(w).strip() for w in want]
    if not want:
        return None
    text = _head_text(path, encoding)
    if text is None:
        return None
    for k, line in enumerate(text.splitlines()[:200]):
        for delim in [sep] if sep else [",", ";", "\t", "|"]:
            fields = {f.strip().strip('"').strip() for f in line.split(delim)}
            if all(w in fields for w in want):
                return k
    return None


def modal_header_line(path: Path, encoding: str | None, sep: str | None) -> int | None:
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
        body = "\n".join(lines[len(lines) // 2 :])
        try:
            delim = csv.Sniffer().sniff(body, delimiters=",;\t|").delimiter
        except csv.Error:
            return None
    counts = [len(next(csv.reader([ln], delimiter=delim), [])) if ln.strip() else 0 for ln in lines]
    widest = max(counts)
    if widest < 2:
        return None
    first = next(k for k, c in enumerate(counts) if c >= widest - 1 and c >= 2)
    return first or None


def _skiprows_fix(line: int | None) -> Message:
    if line:
        return says(f"The header looks like line {line + 1}: pass {{}}.", Fix("skiprows", line))
    return says("pass {} if title or note lines come before the header.", Fix("skiprows"))


#: bytes read at most to find the end of a wide matrix's header line before pandas parses it;
#: a longer first line is refused (it is no header: a header of ids this long would need
#: millions of columns, far beyond any dense matrix)
HEADER_SCAN_LIMIT = 64 * 2**20

_SNIFF_BYTES = 1 << 16  # the header prefix the delimiter is sniffed from when sep=None
_SCAN_CHUNK = 1 << 20
_EOL = re.compile(r"[\r\n]")


def _text_chunks(path: Path, encoding: str | None, budget: list[int]):
    """Decoded text of the file in 1 MB chunks, counting the bytes read in ``budget[0]``.

    Undecodable bytes are replaced: only ASCII delimiters, quotes and line ends matter here
    and they survive in every encoding read_table accepts (``"auto"`` reads as UTF-8)."""
    enc = (
        "utf-8-sig"
        if encoding is None or str(encoding).lower() in ("utf-8", "utf8", "auto")
        else str(encoding)
    )
    dec = codecs.getincrementaldecoder(enc)(errors="replace")
    with open_raw(path) as fh:
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


def header_fields(
    path: str | PathLike,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    skiprows: int | None = None,
    limit: int | None = None,
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
    elif (
        isinstance(skiprows, (int, np.integer)) and not isinstance(skiprows, bool) and skiprows >= 0
    ):
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
            line = sample[: m.start()] if m is not None else sample[:_SNIFF_BYTES]
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
    except (
        OSError,
        EOFError,
        LookupError,
        ValueError,
        zlib.error,
        zipfile.BadZipFile,
        lzma.LZMAError,
    ):
        return None
