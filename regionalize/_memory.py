"""A guard before allocating a dense array: fail with a clear error instead of swapping or
being killed by the operating system.

regionalize keeps flows sparse; a few steps cannot (a wide OD matrix read from a CSV is
dense by nature; average-linkage clustering needs every pair of zones). Before such a step,
:func:`check_dense` compares the bytes it would allocate with the memory available and
raises :class:`~regionalize.errors.InsufficientMemoryError` when they do not fit.

Override: ``REGIONALIZE_MEMORY_LIMIT`` (bytes, or with a unit: ``"8GB"``, ``"512MiB"``) sets
the budget instead of the memory available; ``REGIONALIZE_MEMORY_LIMIT=off`` (or ``0``)
disables the check. Functions that densify also take ``memory_limit=`` with the same values.
"""

from __future__ import annotations

import os
import re

from .errors import InsufficientMemoryError, InvalidParameterError

__all__ = ["available_memory", "check_dense", "parse_bytes"]

ENV = "REGIONALIZE_MEMORY_LIMIT"

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1e3,
    "kb": 1e3,
    "m": 1e6,
    "mb": 1e6,
    "g": 1e9,
    "gb": 1e9,
    "t": 1e12,
    "tb": 1e12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def parse_bytes(value) -> float | None:
    """A memory budget in bytes, or None for "no check".

    Examples
    --------
    >>> parse_bytes("8GB"), parse_bytes("512 MiB"), parse_bytes(1000), parse_bytes("off")
    (8000000000.0, 536870912.0, 1000.0, None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidParameterError(
            f"A memory limit must be bytes or text like '8GB'; got {value!r}."
        )
    if isinstance(value, (int, float)):
        return None if value <= 0 else float(value)
    text = str(value).strip().lower()
    if text in ("off", "none", "no", "false", "0", ""):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text)
    if not m or m.group(2) not in _UNITS:
        raise InvalidParameterError(
            f"Cannot read the memory limit {value!r}; use bytes or a number with a unit such "
            f"as '8GB' or '512MiB', or 'off' to disable the check ({ENV})."
        )
    return float(m.group(1)) * _UNITS[m.group(2)]


def available_memory() -> float | None:
    """Bytes of memory available now (psutil, else /proc/meminfo), or None if unknown."""
    try:
        import psutil

        return float(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - psutil missing or unsupported platform
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _fmt(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} bytes"


def check_dense(
    n_rows: int,
    n_cols: int,
    *,
    what: str,
    itemsize: int = 8,
    copies: float = 1,
    fix: str = "",
    memory_limit="env",
) -> None:
    """Raise :class:`InsufficientMemoryError` if an ``n_rows x n_cols`` array would not fit.

    Parameters
    ----------
    n_rows, n_cols : int
        Shape of the dense array (``n_cols=1`` with ``n_rows`` the number of cells for a
        flat array).
    what : str
        What needs it, for the message (e.g. ``"read_matrix (a wide CSV)"``).
    itemsize, copies
        Bytes per cell and how many such arrays exist at once.
    fix : str
        How to avoid it (aggregate, use a long table, ...), appended to the message.
    memory_limit : "env", None, int, float or str
        The budget: ``"env"`` reads ``REGIONALIZE_MEMORY_LIMIT`` and falls back to the memory
        available; ``None``/``"off"`` disables the check.

    Examples
    --------
    >>> check_dense(1000, 1000, what="a test", memory_limit="1GB")   # 8 MB: fine
    >>> check_dense(10**6, 10**6, what="a test", memory_limit="1GB")
    Traceback (most recent call last):
    ...
    regionalize.errors.InsufficientMemoryError: a test needs a dense 1,000,000 x 1,000,000 array: 8.0 TB, more than the 1.0 GB allowed (REGIONALIZE_MEMORY_LIMIT or memory_limit=). Set REGIONALIZE_MEMORY_LIMIT=off (or memory_limit='off') to try anyway.
    """
    if memory_limit == "env":
        env = os.environ.get(ENV)
        if env is not None:
            budget = parse_bytes(env)
            source = f"{ENV}={env}"
        else:
            budget = available_memory()
            source = "memory available"
        if budget is None:
            return
    else:
        budget = parse_bytes(memory_limit)
        if budget is None:
            return
        source = None
    need = float(n_rows) * float(n_cols) * itemsize * copies
    if need <= budget:
        return
    where = (
        f"the {_fmt(budget)} allowed ({ENV} or memory_limit=)"
        if source is None or source.startswith(ENV)
        else f"the {_fmt(budget)} of memory available"
    )
    raise InsufficientMemoryError(
        f"{what} needs a dense {n_rows:,} x {n_cols:,} array: {_fmt(need)}, more than {where}. "
        + (fix + " " if fix else "")
        + f"Set {ENV}=off (or memory_limit='off') to try anyway."
    )
