"""Community detection on the directed weighted flow graph (optional copyleft engines).

Leiden (Traag, Waltman & van Eck 2019; package ``leidenalg``, GPL-3.0) and Infomap (Rosvall &
Bergstrom 2008; package ``infomap``, AGPL-3.0) are not dependencies of regionalize: install
them with ``pip install 'regionalize[community]'``. Both run seeded, on the directed graph
with flow weights; ``diagonal`` says whether internal flows enter as self-loops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._base import Estimator, checked_call
from .._checks import check_graph
from ..errors import (
    MAX_SEED_64,
    InvalidParameterError,
    RegionalizeError,
    check_int,
    check_parameter,
    check_seed,
)
from ..partition import Partition

if TYPE_CHECKING:
    from ..flows import FlowGraph

__all__ = ["Leiden", "leiden", "Infomap", "infomap", "MissingExtraError"]


class MissingExtraError(RegionalizeError, ImportError):
    """An optional engine is not installed."""


def _require(module: str, method: str, licence: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{method} needs the optional package {module!r} ({licence}), which is not "
            "installed. Install it with: pip install 'regionalize[community]'."
        ) from None


#: the largest seed Infomap takes here: it is passed as ``seed + 1``, an unsigned 32-bit int
MAX_INFOMAP_SEED = 2**32 - 2


def _check_common(owner: str, graph, diagonal, name) -> None:
    check_graph(owner, graph)
    check_parameter(owner, "diagonal", diagonal, allowed=["keep", "drop"])
    if name is not None and not isinstance(name, str):
        raise InvalidParameterError(
            f"The 'name' parameter of {owner} must be a str or None. Got {name!r} instead."
        )


class Leiden(Estimator):
    """Leiden communities (``leidenalg``) on the directed weighted flow graph.

    Parameters
    ----------
    objective : {"modularity", "cpm"}
        Directed modularity with a resolution (``RBConfigurationVertexPartition``; resolution
        1 is plain modularity) or the constant Potts model (``CPMVertexPartition``).
    resolution : float >= 0
        Resolution parameter (default 1): higher values give more, smaller communities.
    seed : int
        The engine's random seed, in ``[0, 2**63 - 1]``: the same seed gives the same
        partition.
    diagonal : {"keep", "drop"}
        Keep internal flows as self-loops (they raise each zone's own weight), or drop them.
    n_iterations : int
        Leiden iterations, >= 1 (leidenalg's default 2), or -1: until no improvement
        (slower). leidenalg runs exactly this many, so a huge count runs that long.
    name : str, optional
        Layer name (default ``"leiden"``).

    Attributes
    ----------
    partition_ : Partition
        The communities (kind ``"community"``, no centres; each named after its zone with
        the most jobs).
    labels_ : pandas.Series
        Community id per zone.
    quality_ : float
        The engine's value of the objective for the partition found (leidenalg's
        ``quality()``, not normalised).

    Raises
    ------
    MissingExtraError
        From :meth:`fit`, when ``leidenalg`` is not installed (an ``ImportError`` naming
        ``pip install 'regionalize[community]'``).

    See Also
    --------
    regionalize.methods.leiden : the function twin.
    regionalize.methods.Infomap : communities by the map equation.
    regionalize.quality.directed_modularity : the modularity of any layer.

    Notes
    -----
    ``leidenalg`` (GPL-3.0) is an optional dependency, not installed with regionalize:
    ``pip install 'regionalize[community]'``.

    References
    ----------
    Traag, V. A., Waltman, L. and van Eck, N. J. (2019). From Louvain to Leiden:
    guaranteeing well-connected communities. *Scientific Reports* 9, 5233.

    Examples
    --------
    Six zones in two groups that commute mostly among themselves:

    >>> import numpy as np
    >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
    ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
    >>> rz.methods.Leiden(seed=0).fit(g).labels_.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'b', 'd': 'e', 'e': 'e', 'f': 'e'}
    """

    def __init__(
        self,
        *,
        objective: str = "modularity",
        resolution: float = 1.0,
        seed: int = 0,
        diagonal: str = "keep",
        n_iterations: int = 2,
        name: str | None = None,
    ):
        self.objective = objective
        self.resolution = resolution
        self.seed = seed
        self.diagonal = diagonal
        self.n_iterations = n_iterations
        self.name = name

    def fit(self, graph: FlowGraph) -> Leiden:
        """Find the communities of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        Leiden
            ``self``, with ``partition_``, ``labels_`` and ``quality_`` set.

        Examples
        --------
        A higher resolution splits the communities, here down to single zones:

        >>> import numpy as np
        >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
        ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
        >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
        >>> rz.methods.Leiden(seed=0).fit(g).partition_.n_areas
        2
        >>> rz.methods.Leiden(resolution=2.0, seed=0).fit(g).partition_.n_areas
        6
        """
        owner = "Leiden"
        _check_common(owner, graph, self.diagonal, self.name)
        check_parameter(owner, "objective", self.objective, allowed=["modularity", "cpm"])
        resolution = check_parameter(owner, "resolution", self.resolution, interval=(0, np.inf))
        seed = check_seed(owner, self.seed, high=MAX_SEED_64)
        n_iterations = self.n_iterations
        if not (
            isinstance(n_iterations, int)
            and not isinstance(n_iterations, bool)
            and n_iterations == -1
        ):
            n_iterations = check_int(
                owner, "n_iterations", n_iterations, low=1, note=", or -1 (until no improvement)"
            )
        la = _require("leidenalg", "Leiden", "GPL-3.0")
        g = graph.to_igraph(self_loops=self.diagonal == "keep")
        if self.objective == "modularity":
            _rescale_weights(g)
        kind = (
            la.RBConfigurationVertexPartition
            if self.objective == "modularity"
            else la.CPMVertexPartition
        )
        part = la.find_partition(
            g,
            kind,
            weights="weight",
            seed=seed,
            n_iterations=n_iterations,
            resolution_parameter=float(resolution),
        )
        codes = np.asarray(part.membership, dtype=np.int64)
        self.quality_ = float(part.quality())
        self.partition_: Partition = Partition.from_codes(
            graph,
            codes,
            layer=self.name or "leiden",
            kind="community",
            params={
                "engine": "leidenalg",
                "objective": self.objective,
                "resolution": self.resolution,
                "seed": self.seed,
                "diagonal": self.diagonal,
            },
        )
        self.labels_ = self.partition_.labels
        return self


#: totals of all weights within which leidenalg's modularity runs on the flows as they are;
#: outside, the weights are rescaled by a power of two (see :func:`_rescale_weights`)
SAFE_TOTAL = (2.0**-10, 2.0**100)


def _rescale_weights(g) -> None:
    """Bring the weights' total into a range where leidenalg's modularity is scale-free.

    Modularity is a ratio, but leidenalg forms ``k_i k_j / 2m`` (overflows from weights of
    about 1e180) and stops on an absolute improvement threshold (gives up on totals below
    about 1e-11). Totals outside :data:`SAFE_TOTAL` are divided by the power of two that
    brings them to about 2**20; ordinary tables are left exactly as they are, so their
    partitions do not change.
    """
    import math

    weights = np.asarray(g.es["weight"], dtype=float) if g.ecount() else np.zeros(0)
    total = float(weights.sum())
    if not total > 0 or SAFE_TOTAL[0] <= total <= SAFE_TOTAL[1]:
        return
    shift = math.frexp(total)[1] - 20
    with np.errstate(under="ignore"):
        g.es["weight"] = np.ldexp(weights, -shift).tolist()


@checked_call
def leiden(
    graph: FlowGraph,
    *,
    objective: str = "modularity",
    resolution: float = 1.0,
    seed: int = 0,
    diagonal: str = "keep",
    n_iterations: int = 2,
    name: str | None = None,
) -> Partition:
    """Leiden communities of ``graph``: :class:`Leiden` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    objective : {"modularity", "cpm"}
        Directed modularity with a resolution (``RBConfigurationVertexPartition``; resolution
        1 is plain modularity) or the constant Potts model (``CPMVertexPartition``).
    resolution : float >= 0
        Resolution parameter (default 1): higher values give more, smaller communities.
    seed : int
        The engine's random seed, in ``[0, 2**63 - 1]``: the same seed gives the same
        partition.
    diagonal : {"keep", "drop"}
        Keep internal flows as self-loops (they raise each zone's own weight), or drop them.
    n_iterations : int
        Leiden iterations, >= 1 (leidenalg's default 2), or -1: until no improvement
        (slower). leidenalg runs exactly this many, so a huge count runs that long.
    name : str, optional
        Layer name (default ``"leiden"``).

    Returns
    -------
    Partition
        The communities (``Leiden(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.methods.Leiden : the estimator, with the fitted attributes.

    References
    ----------
    Traag, V. A., Waltman, L. and van Eck, N. J. (2019). From Louvain to Leiden:
    guaranteeing well-connected communities. *Scientific Reports* 9, 5233.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
    ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
    >>> rz.methods.leiden(g, seed=0).labels.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'b', 'd': 'e', 'e': 'e', 'f': 'e'}
    """
    return (
        Leiden(
            objective=objective,
            resolution=resolution,
            seed=seed,
            diagonal=diagonal,
            n_iterations=n_iterations,
            name=name,
        )
        .fit(graph)
        .partition_
    )


class Infomap(Estimator):
    """Two-level Infomap (map equation) communities on the directed weighted flow graph.

    Parameters
    ----------
    seed : int
        An int in ``[0, 2**32 - 2]`` (passed to Infomap as ``seed + 1``: its seeds are
        32-bit and start at 1).
    diagonal : {"keep", "drop"}
        Keep internal flows as self-links (Infomap's ``--include-self-links``) or drop them.
    trials : int
        Number of outer-loop trials (the best is kept), in ``[1, 2**31 - 1]``.
    name : str, optional
        Layer name (default ``"infomap"``).

    Attributes
    ----------
    partition_ : Partition
        The modules (kind ``"community"``, no centres); zones Infomap leaves out (no flows)
        are unassigned with a reason.
    labels_ : pandas.Series
        Module id per zone.
    codelength_ : float
        The map equation's code length of the partition found (bits per step).

    Raises
    ------
    MissingExtraError
        From :meth:`fit`, when ``infomap`` is not installed (an ``ImportError`` naming
        ``pip install 'regionalize[community]'``).

    See Also
    --------
    regionalize.methods.infomap : the function twin.
    regionalize.methods.Leiden : communities by modularity.

    Notes
    -----
    ``infomap`` (AGPL-3.0) is an optional dependency, not installed with regionalize:
    ``pip install 'regionalize[community]'``.

    References
    ----------
    Rosvall, M. and Bergstrom, C. T. (2008). Maps of random walks on complex networks reveal
    community structure. *Proceedings of the National Academy of Sciences* 105(4),
    1118-1123.

    Examples
    --------
    Six zones in two groups that commute mostly among themselves:

    >>> import numpy as np
    >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
    ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
    >>> rz.methods.Infomap(seed=0).fit(g).labels_.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'b', 'd': 'e', 'e': 'e', 'f': 'e'}
    """

    def __init__(
        self, *, seed: int = 0, diagonal: str = "drop", trials: int = 1, name: str | None = None
    ):
        self.seed = seed
        self.diagonal = diagonal
        self.trials = trials
        self.name = name

    def fit(self, graph: FlowGraph) -> Infomap:
        """Find the modules of ``graph``.

        Parameters
        ----------
        graph : FlowGraph
            The commuting flows (rows: where people live, columns: where they work).

        Returns
        -------
        Infomap
            ``self``, with ``partition_``, ``labels_`` and ``codelength_`` set.

        Examples
        --------
        >>> import numpy as np
        >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
        ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
        >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
        >>> im = rz.methods.Infomap(seed=0, trials=5).fit(g)
        >>> im.partition_.n_areas, im.codelength_ > 0
        (2, True)
        """
        owner = "Infomap"
        _check_common(owner, graph, self.diagonal, self.name)
        seed = check_seed(
            owner, self.seed, high=MAX_INFOMAP_SEED, note=" (Infomap seeds are 32-bit)"
        )
        trials = check_int(owner, "trials", self.trials, low=1, high=2**31 - 1)
        im_mod = _require("infomap", "Infomap", "AGPL-3.0")
        # Infomap's seeds start at 1: seed s is passed as s + 1, so every int >= 0 works
        flags = f"--directed --two-level --silent --seed {seed + 1} --num-trials {trials}"
        if self.diagonal == "keep":
            flags += " --include-self-links"
        im = im_mod.Infomap(flags)
        coo = graph.matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if self.diagonal == "keep" else coo.row != coo.col
        for i in range(graph.n_zones):
            im.add_node(i)
        im.add_links(
            list(
                zip(
                    coo.row[keep].tolist(),
                    coo.col[keep].tolist(),
                    coo.data[keep].tolist(),
                    strict=True,
                )
            )
        )
        result = im.run()
        if result is not None and hasattr(result, "modules"):  # infomap >= 2.9: a Result
            modules = result.modules() if callable(result.modules) else result.modules
            codelength = result.codelength
        else:  # older infomap
            modules = im.get_modules()
            codelength = im.codelength
        codes = np.array([modules.get(i, -1) for i in range(graph.n_zones)], dtype=np.int64)
        reasons = np.full(graph.n_zones, "no flows: Infomap left it out", dtype=object)
        self.codelength_ = float(codelength)
        self.partition_: Partition = Partition.from_codes(
            graph,
            codes,
            layer=self.name or "infomap",
            kind="community",
            reasons=reasons,
            params={
                "engine": "infomap",
                "seed": self.seed,
                "diagonal": self.diagonal,
                "trials": self.trials,
            },
        )
        self.labels_ = self.partition_.labels
        return self


@checked_call
def infomap(
    graph: FlowGraph,
    *,
    seed: int = 0,
    diagonal: str = "drop",
    trials: int = 1,
    name: str | None = None,
) -> Partition:
    """Infomap modules of ``graph``: :class:`Infomap` fitted, as a Partition.

    Parameters
    ----------
    graph : FlowGraph
        The commuting flows (rows: where people live, columns: where they work).
    seed : int
        An int in ``[0, 2**32 - 2]`` (passed to Infomap as ``seed + 1``: its seeds are
        32-bit and start at 1).
    diagonal : {"keep", "drop"}
        Keep internal flows as self-links (Infomap's ``--include-self-links``) or drop them.
    trials : int
        Number of outer-loop trials (the best is kept), in ``[1, 2**31 - 1]``.
    name : str, optional
        Layer name (default ``"infomap"``).

    Returns
    -------
    Partition
        The modules (``Infomap(...).fit(graph).partition_``).

    See Also
    --------
    regionalize.methods.Infomap : the estimator, with the fitted attributes.

    References
    ----------
    Rosvall, M. and Bergstrom, C. T. (2008). Maps of random walks on complex networks reveal
    community structure. *Proceedings of the National Academy of Sciences* 105(4),
    1118-1123.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[50, 20, 15, 1, 0, 0], [18, 60, 12, 0, 1, 0], [10, 14, 40, 0, 0, 2],
    ...               [1, 0, 0, 45, 20, 10], [0, 2, 0, 15, 55, 16], [0, 0, 1, 12, 18, 35]])
    >>> g = rz.FlowGraph.from_matrix(m, ["a", "b", "c", "d", "e", "f"])
    >>> rz.methods.infomap(g, seed=0).labels.to_dict()
    {'a': 'b', 'b': 'b', 'c': 'b', 'd': 'e', 'e': 'e', 'f': 'e'}
    """
    return Infomap(seed=seed, diagonal=diagonal, trials=trials, name=name).fit(graph).partition_
