"""The estimator contract shared by every layer and method.

Parameters are the arguments of ``__init__``, stored under their own names; data goes to
``fit``, which returns the estimator; what ``fit`` learns ends in ``_``. The base class reads
the parameters from the ``__init__`` signature (so fitted or private state never leaks into
``get_params()`` or the run records), sets them again with ``set_params``, and turns a call
with a wrong keyword into one :class:`~regionalize.errors.InvalidParameterError` naming the
parameters the estimator has.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from .errors import InvalidParameterError, plain_scalar

__all__ = ["Estimator", "checked_call"]

E = TypeVar("E", bound="Estimator")

_SKIP = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


class Estimator:
    """Base class of every layer and method.

    Parameters are set in ``__init__`` (stored under their own names), learned state ends in
    ``_`` and is set by ``fit``. ``get_params`` returns the parameters; the repr shows those
    that differ from their defaults, e.g. ``MetropolitanAreas(tau=0.2, max_order=2)``.

    Parameters given as numpy scalars are stored as the plain Python value (``np.int64(2)``
    -> ``2``, ``np.float32(0.2)`` -> ``0.2``; see :func:`regionalize.errors.plain_scalar`),
    so that ``get_params()``, the repr and the run records show plain numbers.
    """

    #: declared checks of the parameters, ``{name: check(owner, name, value)}`` (see
    #: :mod:`regionalize._checks`); :meth:`check_params` runs them before every ``fit``
    _constraints: ClassVar[Mapping[str, Callable[[str, str, Any], Any]]] = {}
    #: whether ``fit(graph)`` also takes a :class:`regionalize.Vintages` (several years)
    _accepts_vintages: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_checks_call", False):
            cls.__init__ = _checked_init(cls, init)  # type: ignore[method-assign]
        fit = cls.__dict__.get("fit")
        if fit is not None and not getattr(fit, "_checks_params", False):
            cls.fit = _checked_fit(fit)  # type: ignore[attr-defined]

    def check_params(self) -> None:
        """Check every parameter against its declared constraint (run before every ``fit``).

        Parameters are stored as given and checked here, so a wrong value is reported by
        ``fit`` (or by calling this method), naming the parameter and its allowed values.

        Raises
        ------
        InvalidParameterError
            Naming the first parameter that is wrong, what it must be and what it is.

        Examples
        --------
        >>> m = rz.DominantFlows(tau=2)  # stored as given
        >>> m.check_params()
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidParameterError: The 'tau' parameter of DominantFlows must be a float in [0, 1]. Got 2 instead.
        """
        owner = type(self).__name__
        for name, check in self._constraints.items():
            check(owner, name, getattr(self, name))

    def __setattr__(self, name: str, value) -> None:
        if not name.endswith("_"):
            value = plain_scalar(value)
        super().__setattr__(name, value)

    @classmethod
    def param_names(cls) -> list[str]:
        """The names of the parameters: the arguments of ``__init__``, in order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> rz.DominantFlows.param_names()
        ['size', 'share', 'tau', 'classes', 'name']
        """
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind not in _SKIP]

    def get_params(self) -> dict[str, Any]:
        """The parameters and their values (the arguments of ``__init__``, nothing fitted).

        Returns
        -------
        dict
            ``{name: value}`` in the order of the signature.

        Examples
        --------
        >>> rz.MetropolitanAreas(["11"], tau=0.2).get_params()["tau"]
        0.2
        """
        return {name: getattr(self, name) for name in self.param_names()}

    def set_params(self: E, **params: Any) -> E:
        """Set parameters by name (checked when the estimator is next fitted).

        Parameters
        ----------
        **params
            New values, by parameter name.

        Returns
        -------
        self
            The estimator, for chaining: ``est.set_params(tau=0.05).fit(graph)``.

        Raises
        ------
        InvalidParameterError
            When a name is not a parameter of the estimator.

        Examples
        --------
        >>> m = rz.MetropolitanAreas(tau=0.1).set_params(tau=0.05, max_order=2)
        >>> m
        MetropolitanAreas(tau=0.05, max_order=2)
        """
        names = self.param_names()
        unknown = [k for k in params if k not in names]
        if unknown:
            raise InvalidParameterError(_unknown_text(type(self), unknown[0], names))
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = []
        for name, param in sig.parameters.items():
            if name == "self" or param.kind in _SKIP or not hasattr(self, name):
                continue
            value = getattr(self, name)
            default = param.default
            same = default is not inspect.Parameter.empty and (
                value is default or (type(value) is type(default) and _eq(value, default))
            )
            if not same:
                text = repr(value)
                shown.append(f"{name}={text if len(text) <= 60 else text[:57] + '...'}")
        return f"{type(self).__name__}({', '.join(shown)})"


F = TypeVar("F", bound=Callable[..., Any])


def _checked_init(cls: type, init: Callable) -> Callable:
    signature = inspect.signature(init)

    @functools.wraps(init)
    def checked_init(self, *args, **kw):
        try:
            signature.bind(self, *args, **kw)
        except TypeError as err:
            raise InvalidParameterError(_call_error(cls, signature, kw, err)) from None
        init(self, *args, **kw)

    checked_init._checks_call = True  # type: ignore[attr-defined]
    return checked_init


def _checked_fit(fit: Callable) -> Callable:
    names = list(inspect.signature(fit).parameters)
    takes_graph = len(names) > 1 and names[1] == "graph"

    @functools.wraps(fit)
    def checked_fit(self, *args, **kwargs):
        self.check_params()
        if takes_graph and (args or "graph" in kwargs):
            # one error in the caller's terms for anything but a FlowGraph (a Vintages
            # where the estimator takes several years), not an AttributeError from inside
            graph = args[0] if args else kwargs["graph"]
            if not (self._accepts_vintages and type(graph).__name__ == "Vintages"):
                from ._checks import check_graph

                check_graph(type(self).__name__, graph)
        return fit(self, *args, **kwargs)

    checked_fit._checks_params = True  # type: ignore[attr-defined]
    return checked_fit


def checked_call(function: F) -> F:
    """Decorate a function twin so that a wrong keyword or argument count is one
    :class:`~regionalize.errors.InvalidParameterError` naming its parameters (as the
    estimator's own call), not Python's TypeError."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        try:
            signature.bind(*args, **kwargs)
        except TypeError as err:
            raise InvalidParameterError(_call_error(function, signature, kwargs, err)) from None
        return function(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _eq(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays, frames: not comparable as one bool
        return False


def _unknown_text(cls: Any, name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"{cls.__name__} has no parameter {name!r}.{hint} Its parameters are: {', '.join(names)}."
    )


def _call_error(cls: Any, signature: inspect.Signature, kw: dict, err: TypeError) -> str:
    names = [
        p.name for p in signature.parameters.values() if p.name != "self" and p.kind not in _SKIP
    ]
    unknown = [k for k in kw if k not in signature.parameters]
    if unknown and not any(
        p.kind == inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    ):
        return _unknown_text(cls, unknown[0], names)
    positional = [
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if "too many positional" in str(err):
        return (
            f"{cls.__name__} takes {len(positional)} positional argument"
            f"{'' if len(positional) == 1 else 's'} ({', '.join(positional) or 'none'}); "
            f"give the others by name, e.g. "
            f"{names[len(positional)] if len(names) > len(positional) else names[-1]}=... "
            "Its parameters are: "
            f"{', '.join(names)}."
        )
    text = str(err)
    return f"{cls.__name__}: {text}. Its parameters are: {', '.join(names)}."
