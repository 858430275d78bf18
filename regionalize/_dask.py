"""Dask helpers shared by the stability runs and the partitioned OD reader (private toolkit).

Dask is optional (``pip install 'regionalize[distributed]'``): it is imported only when a
function that needs it runs.
"""

from __future__ import annotations

__all__ = ["import_distributed", "is_distributed_client"]


def import_distributed():
    """The ``distributed`` module, or an ImportError saying how to install it."""
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "The Dask executor needs dask.distributed: pip install 'regionalize[distributed]' "
            "(or pip install 'dask[distributed]')."
        ) from exc
    return distributed


def is_distributed_client(obj) -> bool:
    """Whether ``obj`` is a ``dask.distributed.Client`` (without importing distributed)."""
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")
