"""Writing files safely: the one atomic writer every output of regionalize goes through.

A file is first written beside its target under a hidden, unpredictable name
(``.{name}.{token}.partial{suffix}``), flushed to disk, then renamed over the target with
:func:`os.replace`. So:

- an interrupted run (Ctrl-C, a full disk, a crash) never leaves a partial file under the
  final name, and an existing file is replaced only once the new one is complete;
- a symbolic link planted at the target path is *replaced*, never followed: a rename
  swaps the directory entry and does not write through the link;
- the temporary file is created exclusively (``O_EXCL``, ``O_NOFOLLOW``), so it cannot be
  a pre-planted link either; files written by other libraries (GDAL, Arrow, matplotlib)
  get a fresh random name in the same folder.

Output paths are checked *before* any work (:func:`check_output_file`,
:func:`check_output_folder`): a folder where a file is expected, a file where a folder is
expected, a missing parent or a folder that cannot be written each raise one
:class:`~regionalize.errors.InvalidParameterError` that names the caller's option.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from os import PathLike
from pathlib import Path

from .errors import InvalidParameterError

__all__ = [
    "atomic_path",
    "write_text",
    "write_bytes",
    "check_output_file",
    "check_output_folder",
    "escape_formula",
    "unescape_formula",
    "file_digest",
    "PARTIAL_MARK",
    "FORMULA_TRIGGERS",
]

#: the marker in the names of temporary files (never a final name)
PARTIAL_MARK = ".partial"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can fsync a read-only handle
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temporary_name(path: Path, suffix: str) -> Path:
    # the stem is cut so that a long (but valid) target name still leaves room for the
    # marks: a file name has at most 255 bytes on common file systems
    return path.with_name(f".{path.stem[:80]}.{secrets.token_hex(6)}{PARTIAL_MARK}{suffix}")


@contextlib.contextmanager
def atomic_path(path: str | PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success only.

    Parameters
    ----------
    path : path-like
        The final file. Its folder must exist.
    suffix : str, optional
        The temporary file's suffix (default: the target's), for writers that choose a
        format by suffix (GDAL's GeoPackage driver).

    On any exception (KeyboardInterrupt included) the temporary file and the side files a
    SQLite writer may leave (``-journal``, ``-wal``, ``-shm``) are removed and the target
    is left as it was.
    """
    path = Path(path)
    suffix = path.suffix if suffix is None else suffix
    tmp = _temporary_name(path, suffix)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"the writer did not create {tmp}")
        # shared outputs get the usual permissions (mkstemp-style files are private)
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o666 & ~_umask())
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


def file_digest(path: str | PathLike) -> dict[str, object]:
    """``{"sha256": ..., "bytes": ...}`` of a file: what a run's manifest records of it."""
    import hashlib

    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return {"sha256": h.hexdigest(), "bytes": size}


def write_bytes(path: str | PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return path


def write_text(path: str | PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, UTF-8 by default, newlines as given."""
    return write_bytes(path, text.encode(encoding))


# ---------------------------------------------------------------------- checks before work
def _writable_folder(folder: Path, option: str, target: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidParameterError(
            f"Cannot write {target}: the folder {folder} is not writable; choose another {option}."
        )
    # os.access can say yes on a read-only mount: try for real
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".regionalize-", suffix=PARTIAL_MARK)
    except OSError as exc:
        raise InvalidParameterError(
            f"Cannot write {target}: the folder {folder} is not writable "
            f"({exc.strerror or exc}); choose another {option}."
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _as_path(path, option: str) -> Path:
    """``path`` as a Path, or one error naming the option (not a str, NUL bytes)."""
    if isinstance(path, bytes) or not isinstance(path, (str, PathLike)):
        raise InvalidParameterError(
            f"{option} must be a file or folder name (a str or a path). Got {path!r} instead."
        )
    text = os.fspath(path)
    if not text or "\0" in text:
        raise InvalidParameterError(
            f"{option} {text!r} is not a usable file name (empty, or holding a NUL character)."
        )
    return Path(text)


def _os_error(exc: OSError, path: Path, option: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"Cannot write {path}: {exc.strerror or exc} (e.g. a name longer than the file "
        f"system allows); choose another {option}."
    )


def check_output_file(
    path: str | PathLike, option: str = "path", *, create_parent: bool = False
) -> Path:
    """Check, before any work, that a file can be written at ``path``.

    Parameters
    ----------
    path : path-like
    option : str
        How the caller names the path (``"path"`` in Python, ``"--out"`` on the command
        line): the error names it.
    create_parent : bool
        Create a missing parent folder (the command line does); otherwise a missing parent
        is an error.

    Raises
    ------
    InvalidParameterError
        When ``path`` is an existing folder, its parent is missing (and not created) or is
        a file, or the parent is not writable.
    """
    try:
        return _check_output_file(_as_path(path, option), option, create_parent)
    except OSError as exc:
        raise _os_error(exc, Path(os.fspath(path)), option) from None


def _check_output_file(path: Path, option: str, create_parent: bool) -> Path:
    """The checks of :func:`check_output_file`."""
    path = Path(path)
    if path.is_dir():
        raise InvalidParameterError(
            f"{option} {path} is a folder, but a file is expected here: give a file name "
            f"such as {path / ('out' + (path.suffix or '.gpkg'))}."
        )
    parent = path.parent
    if not parent.exists():
        if not create_parent:
            raise InvalidParameterError(
                f"Cannot write {path}: the folder {parent} does not exist; create it first "
                f"or choose another {option}."
            )
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidParameterError(
                f"Cannot create the folder {parent} for {path} ({exc.strerror or exc}); "
                f"choose another {option}."
            ) from None
    elif not parent.is_dir():
        raise InvalidParameterError(
            f"Cannot write {path}: {parent} is a file, not a folder; choose another {option}."
        )
    _writable_folder(parent, option, path)
    return path


def check_output_folder(
    folder: str | PathLike, option: str = "folder", *, create: bool = True
) -> Path:
    """Check, before any work, that files can be written in ``folder`` (created if missing
    when ``create``).

    Raises
    ------
    InvalidParameterError
        When ``folder`` is not a name, is a file, cannot be created, or is not writable.
    """
    try:
        return _check_output_folder(_as_path(folder, option), option, create)
    except OSError as exc:
        raise _os_error(exc, Path(os.fspath(folder)), option) from None


def _check_output_folder(folder: Path, option: str, create: bool) -> Path:
    """The checks of :func:`check_output_folder`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameterError(
            f"{option} {folder} is a file, but a folder is expected here: give a folder "
            f"name (without a file suffix), or remove the file."
        )
    if not folder.exists():
        if not create:
            raise InvalidParameterError(
                f"The folder {folder} does not exist; create it or choose another {option}."
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidParameterError(
                f"Cannot create the folder {folder} ({exc.strerror or exc}); "
                f"choose another {option}."
            ) from None
    _writable_folder(folder, option, folder)
    return folder


# ---------------------------------------------------------------------- spreadsheet cells
#: first characters that make a spreadsheet read a cell as a formula (OWASP's list)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    r"""A text cell a spreadsheet will not run: ``'`` before a leading ``= + - @``, tab or CR.

    The usual convention (OWASP, "CSV injection"): the apostrophe makes Excel, LibreOffice
    and Google Sheets show the cell as text. Cells that already start with apostrophes
    before such a character get one more, so that :func:`unescape_formula` restores every
    value exactly. Anything but text is returned as it is.

    Examples
    --------
    >>> escape_formula("=HYPERLINK(\"http://x\")")
    '\'=HYPERLINK("http://x")'
    >>> escape_formula("Busan"), escape_formula(-3)
    ('Busan', -3)
    >>> unescape_formula(escape_formula("'+1")) == "'+1"
    True
    """
    if (
        isinstance(value, str)
        and value.lstrip("'")[:1] in FORMULA_TRIGGERS
        and value.lstrip("'") != ""
    ):
        return "'" + value
    return value


def unescape_formula(value: object) -> object:
    """The original text of a cell written by :func:`escape_formula`."""
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value.lstrip("'")[:1] in FORMULA_TRIGGERS
        and value.lstrip("'") != ""
    ):
        return value[1:]
    return value
