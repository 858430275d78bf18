"""Optional compiled kernels: numba when it is installed, the same Python code otherwise.

The sequential loops of some comparison methods at national scale (tens of thousands of
zones and more) are written once, as plain Python over numpy arrays, and decorated with
:func:`kernel`. When numba is importable (the ``fast`` extra) the first call compiles them
(cached on disk); otherwise, or with ``REGIONALIZE_NO_NUMBA=1`` in the environment, the same
function runs as Python: identical results, only slower. numba is imported on first use, never
when regionalize is imported.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

__all__ = ["kernel", "numba_available", "numba_enabled"]

_compiled: dict[Callable, Callable] = {}


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


def kernel(fn: Callable) -> Callable:
    """Decorate a loop written for numba's nopython mode: compiled on first call when
    :func:`numba_enabled`, run as Python otherwise (checked at every call, so the switch
    can be flipped between calls, as the tests do).

    The kernel must use only what numba's nopython mode supports (numpy arrays, scalars,
    loops) and call no other kernel (write helpers inline). ``fn.py`` is the Python
    function itself.

    Examples
    --------
    >>> import numpy as np
    >>> @kernel
    ... def total(a):
    ...     s = 0.0
    ...     for x in a:
    ...         s += x
    ...     return s
    >>> float(total(np.arange(4.0)))
    6.0
    """

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        if not numba_enabled():
            return fn(*args)
        compiled = _compiled.get(fn)
        if compiled is None:
            import numba

            try:  # cached on disk beside the module
                compiled = numba.njit(cache=True)(fn)
            except RuntimeError:  # no file to cache beside (a function typed in a session)
                compiled = numba.njit(fn)
            _compiled[fn] = compiled
        return compiled(*args)

    run.py = fn  # type: ignore[attr-defined]
    return run
