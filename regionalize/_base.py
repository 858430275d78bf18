"""The estimator convention shared by every layer and method."""

from __future__ import annotations

import inspect

from .errors import plain_scalar


class Estimator:
    """Parameters are set in ``__init__`` (stored under their own names), learned state ends in
    ``_`` and is set by ``fit``. ``get_params`` returns the parameters; the repr shows those
    that differ from their defaults, e.g. ``MetropolitanAreas(tau=0.2, max_order=2)``.

    Parameters given as numpy scalars are stored as the plain Python value (``np.int64(2)``
    -> ``2``, ``np.float32(0.2)`` -> ``0.2``; see :func:`regionalize.errors.plain_scalar`),
    so that ``get_params()``, the repr and the run records show plain numbers."""

    def __setattr__(self, name: str, value) -> None:
        if not name.endswith("_"):
            value = plain_scalar(value)
        super().__setattr__(name, value)

    def get_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = []
        for name, param in sig.parameters.items():
            if name == "self" or not hasattr(self, name):
                continue
            value = getattr(self, name)
            default = param.default
            same = default is not inspect.Parameter.empty and (
                value is default or (type(value) is type(default) and _eq(value, default)))
            if not same:
                text = repr(value)
                shown.append(f"{name}={text if len(text) <= 60 else text[:57] + '...'}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _eq(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays, frames: not comparable as one bool
        return False
