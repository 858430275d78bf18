"""Exceptions and the problem collector behind every input check.

Every validator in regionalize gathers *all* problems it finds into a :class:`Problems`
collector and raises once, so that a planner sees the whole list (with counts and first
examples) instead of fixing one problem per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "RegionalizeError",
    "InvalidODError",
    "InvalidZonesError",
    "InvalidParameterError",
    "DataNotFoundError",
    "InsufficientMemoryError",
    "InvalidFileError",
    "Problems",
    "check_parameter",
]


class RegionalizeError(Exception):
    """Base class of every error raised on purpose by regionalize."""


class InvalidODError(RegionalizeError, ValueError):
    """An origin-destination table or matrix cannot be used as given."""


class InvalidZonesError(RegionalizeError, ValueError):
    """A zone table or zone layer (ids, attributes, geometry) cannot be used as given."""


class InvalidParameterError(RegionalizeError, ValueError):
    """A parameter is outside its allowed range or of the wrong kind."""


class DataNotFoundError(RegionalizeError, FileNotFoundError):
    """A data set or file that was asked for is not where regionalize looked."""


class InsufficientMemoryError(RegionalizeError, MemoryError):
    """A step would allocate a dense array larger than the memory available (or allowed);
    raised before allocating it. See :func:`regionalize._memory.check_dense`."""


class InvalidFileError(RegionalizeError, ValueError):
    """A file regionalize reads back (a saved delineation) is damaged, edited into an
    unreadable state, from another run, or not one of regionalize's files at all."""


def _fmt_examples(examples: Sequence[object], limit: int = 3) -> str:
    shown = ", ".join(str(e) for e in list(examples)[:limit])
    return shown + (", ..." if len(examples) > limit else "")


class Problems:
    """Collect input problems, then raise them all at once.

    Examples
    --------
    >>> p = Problems("Invalid OD table")
    >>> p.add("negative flows", ["11010 → 31010", "21 → 11"])
    >>> p.add("NaN flows", [])          # nothing found: not recorded
    >>> len(p)
    1
    >>> p.message()
    'Invalid OD table: 2 negative flows (first: 11010 → 31010, 21 → 11).'
    """

    def __init__(self, header: str):
        self.header = header
        self._items: list[tuple[str, int, list[object], str | None]] = []

    def add(
        self,
        what: str,
        examples: Iterable[object],
        *,
        count: int | None = None,
        fix: str | None = None,
    ) -> None:
        """Record a problem; empty ``examples`` with no ``count`` records nothing."""
        examples = list(examples)
        n = len(examples) if count is None else int(count)
        if n:
            self._items.append((what, n, examples, fix))

    def __len__(self) -> int:
        return len(self._items)

    def message(self) -> str:
        parts = []
        fixes = []
        for what, n, examples, fix in self._items:
            text = f"{n:,} {what}"
            if examples:
                text += f" (first: {_fmt_examples(examples)})"
            parts.append(text)
            if fix:
                fixes.append(fix)
        msg = f"{self.header}: " + "; ".join(parts) + "."
        if fixes:
            msg += " " + " ".join(fixes)
        return msg

    def raise_if_any(self, exc_type: type[RegionalizeError] = InvalidODError) -> None:
        if self._items:
            raise exc_type(self.message())


def check_parameter(
    owner: str,
    name: str,
    value: object,
    *,
    allowed: Iterable[object] | None = None,
    interval: tuple[float, float] | None = None,
    closed: str = "both",
) -> None:
    """Raise :class:`InvalidParameterError` in one template when ``value`` is not allowed.

    Examples
    --------
    >>> check_parameter("MetropolitanAreas", "tau", 1.5, interval=(0, 1), closed="right")
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: The 'tau' parameter of MetropolitanAreas must be a float in (0, 1]. Got 1.5 instead.
    """
    if allowed is not None:
        allowed = list(allowed)
        if value not in allowed:
            opts = ", ".join(repr(a) for a in allowed)
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be one of {opts}. Got {value!r} instead."
            )
    if interval is not None:
        lo, hi = interval
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            v = float(value)
            ok = (v >= lo if left == "[" else v > lo) and (v <= hi if right == "]" else v < hi)
        if not ok:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a float in {left}{lo:g}, {hi:g}{right}. "
                f"Got {value!r} instead."
            )
