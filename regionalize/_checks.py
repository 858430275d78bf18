"""Parameter checks shared by layers and methods: one clear error naming the parameter.

Every check takes the owner's name (the estimator or function the user called) so that the
message says which call was wrong, and returns the value as a plain Python value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .errors import (
    InvalidParameterError,
    InvalidZonesError,
    check_int,
    check_parameter,
    plain_scalar,
)
from .partition import Partition

__all__ = [
    "Constraint",
    "tau",
    "order",
    "one_of",
    "number",
    "optional_number",
    "integer",
    "boolean",
    "text",
    "classes",
    "check_tau",
    "check_order",
    "check_optional",
    "check_bool",
    "check_text",
    "check_classes",
    "check_graph",
    "check_layer",
    "check_ids",
    "short_repr",
    "is_iterable",
    "is_zone_id",
    "not_ids_text",
]


def check_tau(owner: str, name: str, value) -> float:
    """A link threshold in (0, 1] as a Python float (numpy scalars accepted)."""
    return float(check_parameter(owner, name, value, interval=(0, 1), closed="right"))


def check_order(owner: str, value, name: str = "max_order") -> int | None:
    """An attachment order cap: an int >= 1 (numpy integers accepted) or None."""
    return check_int(owner, name, value, low=1, allow_none=True)


def check_optional(owner: str, name: str, value, interval=(0, np.inf), closed: str = "both"):
    """None, or a number in ``interval`` (see :func:`check_parameter`)."""
    if value is None:
        return None
    return check_parameter(owner, name, value, interval=interval, closed=closed)


def check_bool(owner: str, name: str, value) -> bool:
    """True or False (numpy bools accepted; 0, 1 and strings are not)."""
    return check_parameter(owner, name, value, allowed=[True, False])


def check_text(
    owner: str, name: str, value, *, allow_none: bool = True, what: str = "a str"
) -> str | None:
    """A string parameter (a layer name, a column name)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {what}"
            f"{' or None' if allow_none else ''}. Got {short_repr(value)} instead."
        )
    return value


def check_classes(owner: str, value) -> tuple[float, ...]:
    """Strength classes: a list of shares in (0, 1], e.g. ``(0.05, 0.10, 0.20)``."""
    if isinstance(value, (str, bytes, Mapping)) or not is_iterable(value):
        raise InvalidParameterError(
            f"The 'classes' parameter of {owner} must be a list of shares in (0, 1], e.g. "
            f"(0.05, 0.10, 0.20). Got {short_repr(value)} instead."
        )
    return tuple(
        float(check_parameter(owner, "classes", v, interval=(0, 1), closed="right")) for v in value
    )


def check_graph(owner: str, graph, name: str = "graph"):
    """``graph`` is a FlowGraph."""
    from .flows import FlowGraph

    if type(graph).__name__ == "Vintages":  # duck-typed: vintages sit beside this module
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be one FlowGraph; combine the vintages "
            "first: vintages.combine('sum' or 'mean', min_years=k) gives one graph (a link "
            "kept when it has a flow in at least k of the years). CommutingZones takes the "
            "Vintages itself (it averages the dissimilarity over the years)."
        )
    if not isinstance(graph, FlowGraph):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a FlowGraph (build one with "
            f"rz.read_flows or rz.FlowGraph.from_dataframe). Got {type(graph).__name__} "
            "instead."
        )
    return graph


def check_layer(owner: str, name: str, value, graph, *, allow_none: bool = True):
    """``value`` is a Partition over the zones of ``graph`` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, Partition):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a Partition (a layer such as "
            f"rz.metropolitan_areas(graph, ...)){' or None' if allow_none else ''}. Got "
            f"{type(value).__name__} instead."
        )
    if not value.ids.equals(graph.ids):
        raise InvalidZonesError(
            f"The {name!r} layer of {owner} is over other zones than the graph; fit both on "
            "the same FlowGraph."
        )
    return value


def short_repr(value) -> str:
    """A value for an error message: its repr up to 60 characters (arrays by their type)."""
    if isinstance(value, (np.ndarray, pd.Series, pd.DataFrame, pd.Index)):
        return f"a {type(value).__name__} of shape {value.shape}"
    text = repr(plain_scalar(value))
    return text if len(text) <= 60 else text[:57] + "..."


def is_iterable(value) -> bool:
    """Whether ``iter(value)`` works (lists, arrays, Series, sets, generators...)."""
    try:
        iter(value)
    except TypeError:
        return False
    return True


def not_ids_text(bad: list) -> str:
    return "1 entry is not" if len(bad) == 1 else f"{len(bad)} entries are not"


def is_zone_id(value) -> bool:
    """A zone id as users give it: text, or an int (numpy ints too; not a bool or float)."""
    return isinstance(value, str) or (
        isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    )


def check_ids(owner: str, name: str, values, *, alt: str = "", label: str = "entry") -> list:
    """A list of zone ids from a parameter; one error naming ``name`` and the first entries
    that are not ids (None, NaN, floats, bools, nested lists). ``alt`` names another form the
    parameter takes (for the message); ``label`` names the entries."""
    form = f"a list of zone ids (text such as '01', or ints){alt}"
    if is_zone_id(values):
        return [values]
    if isinstance(values, (bytes, Mapping)) or values is None or not is_iterable(values):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {form}. Got {short_repr(values)} instead."
        )
    values = list(values)
    bad = [f"{label} {i}: {short_repr(v)}" for i, v in enumerate(values) if not is_zone_id(v)]
    if bad:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {form}; {not_ids_text(bad)} (first: "
            f"{', '.join(bad[:3])}). Remove them or give the zones' ids."
        )
    return values


# ---------------------------------------------------------------- declared constraints
#: a declared check of one parameter: ``check(owner, name, value)`` raises one
#: InvalidParameterError naming ``name`` of ``owner``; estimators declare them in
#: ``_constraints`` and :meth:`regionalize._base.Estimator.check_params` runs them
Constraint = Callable[[str, str, Any], Any]


def tau(owner: str, name: str, value) -> float:
    """A link threshold in (0, 1]."""
    return check_tau(owner, name, value)


def order(owner: str, name: str, value) -> int | None:
    """An attachment order cap: an int >= 1, or None."""
    return check_order(owner, value, name)


def boolean(owner: str, name: str, value) -> bool:
    """True or False."""
    return check_bool(owner, name, value)


def classes(owner: str, name: str, value) -> tuple[float, ...]:
    """Strength classes: shares in (0, 1]."""
    return check_classes(owner, value)


def one_of(*choices) -> Constraint:
    """One of ``choices``."""

    def check(owner: str, name: str, value):
        return check_parameter(owner, name, value, allowed=list(choices))

    return check


def number(interval=(0, np.inf), closed: str = "both") -> Constraint:
    """A number in ``interval`` (see :func:`regionalize.errors.check_parameter`)."""

    def check(owner: str, name: str, value):
        return check_parameter(owner, name, value, interval=interval, closed=closed)

    return check


def optional_number(interval=(0, np.inf), closed: str = "both") -> Constraint:
    """None, or a number in ``interval``."""

    def check(owner: str, name: str, value):
        return check_optional(owner, name, value, interval=interval, closed=closed)

    return check


def integer(low: int = 0, high: int | None = None, *, allow_none: bool = False) -> Constraint:
    """An int in ``[low, high]`` (numpy integers accepted), or None when allowed."""

    def check(owner: str, name: str, value):
        return check_int(owner, name, value, low=low, high=high, allow_none=allow_none)

    return check


def text(*, allow_none: bool = True, what: str = "a str") -> Constraint:
    """A string (a name, a column), or None when allowed."""

    def check(owner: str, name: str, value):
        return check_text(owner, name, value, allow_none=allow_none, what=what)

    return check
