"""Where repeated runs are computed: in this process, over processes, or on a Dask cluster.

:func:`resolve_executor` turns what a user passes as ``executor=`` (None, "sequential", a
number of workers, a ``dask.distributed.Client`` or an :class:`Executor`) into an executor
whose ``map`` keeps the order of its items. Re-exported by :mod:`regionalize.stability`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

from ._dask import import_distributed, is_distributed_client
from .errors import InvalidParameterError, check_int, plain_scalar

__all__ = [
    "Executor",
    "SequentialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "resolve_executor",
    "MAX_WORKERS",
]

#: values each worker process reads through :func:`call_shared` (set by its initializer)
WORKER_SHARED: dict[str, Any] = {}


class Executor:
    """Runs ``fn`` over ``items`` and returns the results as a list, in order.

    ``map(fn, items, **shared)`` calls ``fn(item, **shared)`` for every item; ``shared``
    holds large read-only objects (the graph) that an executor may ship to its workers once.
    Any object with a ``map(fn, items)`` method (e.g. a
    :class:`concurrent.futures.Executor`) can also be passed where an executor is expected.
    """

    def map(self, fn: Callable, items: Iterable, **shared) -> list:  # pragma: no cover
        raise NotImplementedError


class SequentialExecutor(Executor):
    """Everything in this process, one item after the other."""

    def map(self, fn, items, **shared):
        return [fn(item, **shared) for item in items]

    def __repr__(self) -> str:
        return "SequentialExecutor()"


def install_shared(shared: dict) -> None:
    WORKER_SHARED.clear()
    WORKER_SHARED.update(shared)


def call_shared(fn, item):
    return fn(item, **WORKER_SHARED)


MAX_WORKERS = 32 * (os.cpu_count() or 1)


class ProcessExecutor(Executor):
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes.

    The shared objects are sent once to each worker process (through the pool
    initializer); ``fn`` and the items must pickle, so use module-level functions or
    :func:`functools.partial` of them, not lambdas. A new pool is made for each ``map``.
    """

    def __init__(self, workers: int | None = None, *, mp_context=None):
        self.workers = check_int(
            "ProcessExecutor", "workers", workers, low=1, high=MAX_WORKERS, allow_none=True
        )
        self.mp_context = mp_context

    def map(self, fn, items, **shared):
        items = list(items)
        if not items:
            return []
        workers = min(self.workers or 1, len(items))  # never more processes than runs
        chunksize = max(1, math.ceil(len(items) / (4 * workers)))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self.mp_context,
            initializer=install_shared,
            initargs=(shared,),
        ) as pool:
            return list(pool.map(partial(call_shared, fn), items, chunksize=chunksize))

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"


class DaskExecutor(Executor):
    """Runs on a :class:`dask.distributed.Client`.

    The shared objects are scattered once to every worker (``broadcast=True``); the items
    are mapped with ``client.map`` and collected with ``client.gather``, in order.
    """

    def __init__(self, client):
        import_distributed()
        self.client = client

    def map(self, fn, items, **shared):
        items = list(items)
        if not items:
            return []
        futures = {
            k: self.client.scatter([v], broadcast=True, hash=False)[0] for k, v in shared.items()
        }
        try:
            tasks = self.client.map(fn, items, pure=False, **futures)
            return list(self.client.gather(tasks))
        finally:
            for f in futures.values():
                f.release()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r})"


class ForeignExecutor(Executor):
    def __init__(self, inner):
        self.inner = inner

    def map(self, fn, items, **shared):
        return list(self.inner.map(partial(fn, **shared), list(items)))


def resolve_executor(executor=None) -> Executor:
    """An :class:`Executor` from ``None``/``"sequential"`` (in this process), an int (that
    many worker processes; 1 is sequential), a ``dask.distributed.Client``, an
    :class:`Executor`, or any object with a ``map(fn, items)`` method."""
    executor = plain_scalar(executor)
    if executor is None or (isinstance(executor, str) and executor == "sequential"):
        return SequentialExecutor()
    if isinstance(executor, Executor):
        return executor
    if isinstance(executor, int) and not isinstance(executor, bool):
        workers = check_int(
            "resolve_executor",
            "executor",
            executor,
            low=1,
            high=MAX_WORKERS,
            note=" (a number of worker processes)",
        )
        return SequentialExecutor() if workers == 1 else ProcessExecutor(workers)
    if is_distributed_client(executor):
        return DaskExecutor(executor)
    if callable(getattr(executor, "map", None)):
        return ForeignExecutor(executor)
    raise InvalidParameterError(
        "The 'executor' parameter must be None, 'sequential', a number of worker processes, "
        f"a dask.distributed.Client or an object with a map(fn, items) method. Got "
        f"{executor!r} instead."
    )
