"""The one switch for the optional compiled kernels (numba).

The sequential loops of some comparison methods at national scale (the average linkage of
commuting zones, Intramax, the TTWA loop) have a numba kernel in a private module of their
own, imported on first use (never when regionalize is imported), and a pure-Python path
giving identical results. The kernels run when numba is importable (the ``fast`` extra) and
``REGIONALIZE_NO_NUMBA`` is unset or ``0``.
"""

from __future__ import annotations

import os

__all__ = ["numba_available", "numba_enabled"]


def numba_available() -> bool:
    """Whether numba can be imported (the ``fast`` extra is installed).

    Examples
    --------
    >>> isinstance(numba_available(), bool)
    True
    """
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def numba_enabled() -> bool:
    """Whether the kernels run compiled: numba is installed and ``REGIONALIZE_NO_NUMBA`` is
    unset (or ``0``).

    Examples
    --------
    >>> import os
    >>> os.environ["REGIONALIZE_NO_NUMBA"] = "1"
    >>> numba_enabled()
    False
    >>> del os.environ["REGIONALIZE_NO_NUMBA"]
    """
    if os.environ.get("REGIONALIZE_NO_NUMBA", "").strip() not in ("", "0"):
        return False
    return numba_available()
