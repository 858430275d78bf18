"""Modules that are also functions: ``rz.compare(a, b)`` as well as ``rz.compare.contingency``.

``regionalize.compare``, ``regionalize.quality`` and ``regionalize.stability`` each hold a
main function of the same name next to its helpers; users reach for the function through
the module (``rz.quality(graph, layer)``), so calling the module calls its main function.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

__all__ = ["make_module_callable"]


class CallableModule(types.ModuleType):
    """A module whose call is its main function (named like the module)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


def make_module_callable(module_name: str) -> None:
    """Make the module ``module_name`` callable as its function of the same name, with
    that function's signature (for ``help`` and editors)."""
    module = sys.modules[module_name]
    function = getattr(module, module_name.rsplit(".", 1)[-1])
    module.__class__ = CallableModule
    module.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
