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

    :func:`~regionalize.stability.stability` and :func:`~regionalize.stability.sweep` take
    an executor as ``executor=``; the runs are seeded beforehand, so every executor gives
    the same result.

    See Also
    --------
    regionalize.stability.resolve_executor : The executor for what users pass as
        ``executor=``.

    Examples
    --------
    An executor of one's own only needs ``map``; here, threads:

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> class Threads(rz.stability.Executor):
    ...     def map(self, fn, items, **shared):
    ...         with ThreadPoolExecutor(2) as pool:
    ...             return list(pool.map(lambda item: fn(item, **shared), items))
    >>> Threads().map(pow, [1, 2, 3], exp=2)
    [1, 4, 9]
    """

    def map(self, fn: Callable, items: Iterable, **shared) -> list:  # pragma: no cover
        """Call ``fn(item, **shared)`` for every item; the results in the order of ``items``.

        Parameters
        ----------
        fn : callable
            Called once per item.
        items : iterable
            The items (e.g. the seeds of the runs).
        **shared
            Keyword arguments passed to every call (large read-only objects such as the
            graph, sent to each worker once).

        Returns
        -------
        list
            ``[fn(item, **shared) for item in items]``, however the calls were spread.

        Raises
        ------
        NotImplementedError
            On the base class: subclasses implement it.

        Examples
        --------
        Every executor gives the same list; the base class leaves the work to subclasses:

        >>> rz.stability.SequentialExecutor().map(pow, [1, 2, 3], exp=2)
        [1, 4, 9]
        >>> rz.stability.Executor().map(pow, [1, 2, 3], exp=2)
        Traceback (most recent call last):
        NotImplementedError
        """
        raise NotImplementedError


class SequentialExecutor(Executor):
    """Everything in this process, one item after the other.

    The default executor (``executor=None`` or ``"sequential"``): no process to start,
    nothing to pickle, so ``delineate_fn`` may be a lambda.

    Examples
    --------
    >>> ex = rz.stability.resolve_executor(None)
    >>> ex
    SequentialExecutor()
    >>> ex.map(lambda item, offset: item + offset, [1, 2, 3], offset=10)
    [11, 12, 13]
    """

    def map(self, fn, items, **shared):
        """``[fn(item, **shared) for item in items]``, in this process.

        Parameters
        ----------
        fn : callable
            Called once per item.
        items : iterable
            The items.
        **shared
            Keyword arguments passed to every call.

        Returns
        -------
        list
            The results, in the order of ``items``.

        Examples
        --------
        >>> rz.stability.SequentialExecutor().map(pow, [1, 2, 3], exp=2)
        [1, 4, 9]
        """
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
    ``functools.partial`` of them, not lambdas. A new pool is made for each ``map``.
    ``executor=4`` in :func:`~regionalize.stability.stability` is ``ProcessExecutor(4)``.

    Parameters
    ----------
    workers : int, optional
        Number of worker processes, 1 to :data:`~regionalize.stability.MAX_WORKERS`
        (default 1); never more than there are items.
    mp_context : multiprocessing context, optional
        How the processes start (e.g. ``multiprocessing.get_context("spawn")``); default
        the platform's.

    Examples
    --------
    >>> ex = rz.stability.resolve_executor(2)
    >>> ex
    ProcessExecutor(workers=2)
    >>> ex.map(pow, [1, 2, 3], exp=2)
    [1, 4, 9]
    """

    def __init__(self, workers: int | None = None, *, mp_context=None):
        self.workers = check_int(
            "ProcessExecutor", "workers", workers, low=1, high=MAX_WORKERS, allow_none=True
        )
        self.mp_context = mp_context

    def map(self, fn, items, **shared):
        """Call ``fn(item, **shared)`` for every item in a new pool of worker processes.

        Parameters
        ----------
        fn : callable
            Called once per item; must pickle (no lambda, no local function).
        items : iterable
            The items, sent to the workers in chunks.
        **shared
            Keyword arguments passed to every call, sent once to each worker.

        Returns
        -------
        list
            The results, in the order of ``items``.

        Examples
        --------
        >>> rz.stability.ProcessExecutor(2).map(pow, [1, 2, 3], exp=2)
        [1, 4, 9]
        """
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
    are mapped with ``client.map`` and collected with ``client.gather``, in order. Passing
    the client as ``executor=`` does the same.

    Parameters
    ----------
    client : dask.distributed.Client
        A client of the cluster to run on (needs ``pip install 'dask[distributed]'``).

    Examples
    --------
    >>> from dask.distributed import Client
    >>> with Client(processes=False, dashboard_address=None) as client:
    ...     ex = rz.stability.resolve_executor(client)
    ...     print(type(ex).__name__, ex.map(pow, [1, 2, 3], exp=2))
    DaskExecutor [1, 4, 9]
    """

    def __init__(self, client):
        import_distributed()
        self.client = client

    def map(self, fn, items, **shared):
        """Call ``fn(item, **shared)`` for every item on the cluster's workers.

        Parameters
        ----------
        fn : callable
            Called once per item; must pickle for a cluster of processes.
        items : iterable
            The items.
        **shared
            Keyword arguments passed to every call, scattered once to every worker and
            released afterwards.

        Returns
        -------
        list
            The results, in the order of ``items``.

        Examples
        --------
        >>> from dask.distributed import Client
        >>> with Client(processes=False, dashboard_address=None) as client:
        ...     rz.stability.DaskExecutor(client).map(pow, [1, 2, 3], exp=2)
        [1, 4, 9]
        """
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
    """The executor for what users pass as ``executor=``.

    Parameters
    ----------
    executor : None, "sequential", int, dask.distributed.Client, Executor or object
        ``None`` or ``"sequential"``: in this process (:class:`SequentialExecutor`); an
        int: that many worker processes (:class:`ProcessExecutor`; 1 is sequential, at most
        :data:`~regionalize.stability.MAX_WORKERS`); a ``dask.distributed.Client``
        (:class:`DaskExecutor`); an :class:`Executor`, returned as it is; or any object
        with a ``map(fn, items)`` method, such as a
        :class:`concurrent.futures.ThreadPoolExecutor` (the shared objects are then bound
        to ``fn`` with ``functools.partial``).

    Returns
    -------
    Executor
        Its ``map`` keeps the order of the items.

    Raises
    ------
    InvalidParameterError
        For anything else, or a number of workers out of range.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> rz.stability.resolve_executor(None), rz.stability.resolve_executor(4)
    (SequentialExecutor(), ProcessExecutor(workers=4))
    >>> with ThreadPoolExecutor(2) as pool:
    ...     rz.stability.resolve_executor(pool).map(pow, [1, 2, 3], exp=2)
    [1, 4, 9]
    """
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
