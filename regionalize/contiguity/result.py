"""The contiguity graph: :class:`Contiguity`, immutable, built once and reused.

Its builder from zone polygons is in :mod:`.builders`; :meth:`Contiguity.from_sparse` makes
one from an adjacency matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._ids import check_unique, normalise_ids
from ..errors import InvalidParameterError, InvalidZonesError, Problems
from ._pairs import ordered_pairs, shared_lengths

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = ["Contiguity"]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _pair_matrix(n: int, i: np.ndarray, j: np.ndarray, values: np.ndarray, dtype) -> sp.csr_array:
    """A symmetric ``n x n`` CSR array with ``values`` at ``(i, j)`` and ``(j, i)``."""
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    data = np.concatenate([values, values]).astype(dtype, copy=False)
    m = sp.csr_array((data, (rows, cols)), shape=(n, n), dtype=dtype)
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    for arr in (m.data, m.indices, m.indptr):
        arr.flags.writeable = False
    return m


# ---------------------------------------------------------------------------- the graph
class Contiguity:
    """An undirected contiguity graph between zones: who touches whom.

    Build one with :func:`build_contiguity` (from zone polygons) or :meth:`from_sparse`
    (from an adjacency matrix you already have). A Contiguity never changes after it is
    made; :meth:`subset` returns a new one.

    Attributes
    ----------
    ids : pandas.Index
        Zone ids as strings, in the order of the input layer (the order of the matrices).
    adjacency : scipy.sparse.csr_array
        ``n x n`` int8 0/1, symmetric, no diagonal, including the links added by the
        islands policy (a copy).
    shared_length : scipy.sparse.csr_array
        ``n x n`` float64 length of the border each pair of zones has in common, in the
        units of the layer's CRS (a copy); see :func:`build_contiguity` for how it is
        measured. Only positive lengths are stored: point contacts (queen-only neighbours)
        and links added by the islands policy have none.
    rule : str
        ``"rook"``, ``"queen"`` or, from :meth:`from_sparse`, the rule given there.
    tolerance : float
        The snapping distance the graph was built with (0 for exact contact).
    islands_policy : str
        ``"keep"``, ``"nearest"`` or ``"error"``.
    islands : tuple of str
        Zones with a geometry and no neighbour under the rule, found *before* the islands
        policy (so still listed when they were linked to their nearest zones).
    missing : tuple of str
        Zones without a geometry (None or empty): in the graph, with no neighbour.
    repaired : int
        Number of invalid geometries repaired with :func:`shapely.make_valid`.
    added_links : pandas.DataFrame
        Links added by ``islands="nearest"``: columns ``source`` (the island), ``target``,
        ``distance`` (see :func:`build_contiguity` for the unit). Empty when none.
    crs : pyproj.CRS or None
        The CRS of the layer the graph was built from.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a = sp.csr_array(([1, 1], ([0, 1], [1, 2])), shape=(3, 3))   # a path a - b - c
    >>> c = rz.Contiguity.from_sparse(a, ["a", "b", "c"])
    >>> c
    <Contiguity of 3 zones and 2 links (given; 1 component)>
    >>> c.neighbors("b"), "d" in c, len(c)
    (['a', 'c'], False, 3)
    >>> c.subset(["c", "a"])
    <Contiguity of 2 zones and 0 links (given; 2 components)>
    """

    __slots__ = (
        "_ids",
        "_n",
        "_land_i",
        "_land_j",
        "_add_i",
        "_add_j",
        "_add_dist",
        "_shared",
        "_geoms",
        "_tolerance",
        "_rule",
        "_policy",
        "_islands",
        "_missing",
        "_repaired",
        "_crs",
        "_adj",
        "_components",
    )

    def __init__(
        self,
        ids: pd.Index,
        land: tuple[np.ndarray, np.ndarray],
        *,
        added: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        shared: np.ndarray | None = None,
        geoms: np.ndarray | None = None,
        tolerance: float = 0.0,
        rule: str = "given",
        islands_policy: str = "keep",
        islands: np.ndarray | None = None,
        missing: np.ndarray | None = None,
        repaired: np.ndarray | None = None,
        crs: Any = None,
    ):
        """Trusts its arguments (positions, pairs with ``i < j``); not API: use the builders."""
        n = len(ids)
        set_ = object.__setattr__
        set_(self, "_ids", ids)
        set_(self, "_n", n)
        li, lj = ordered_pairs(*land)
        set_(self, "_land_i", _readonly(li))
        set_(self, "_land_j", _readonly(lj))
        if added is None:
            added = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
        set_(self, "_add_i", _readonly(np.asarray(added[0], dtype=np.int64)))
        set_(self, "_add_j", _readonly(np.asarray(added[1], dtype=np.int64)))
        set_(self, "_add_dist", _readonly(np.asarray(added[2], dtype=np.float64)))
        set_(
            self,
            "_shared",
            None if shared is None else _readonly(np.asarray(shared, dtype=np.float64)),
        )
        set_(self, "_geoms", geoms)
        set_(self, "_tolerance", float(tolerance))
        set_(self, "_rule", rule)
        set_(self, "_policy", islands_policy)
        false = np.zeros(n, dtype=bool)
        set_(self, "_islands", _readonly(false.copy() if islands is None else islands))
        set_(self, "_missing", _readonly(false.copy() if missing is None else missing))
        set_(self, "_repaired", _readonly(false.copy() if repaired is None else repaired))
        set_(self, "_crs", crs)
        ai, aj = ordered_pairs(self._add_i, self._add_j)
        i = np.concatenate([li, ai])
        j = np.concatenate([lj, aj])
        set_(self, "_adj", _pair_matrix(n, i, j, np.ones(len(i), np.int8), np.int8))
        set_(self, "_components", None)

    def __setattr__(self, name, value):
        raise AttributeError("Contiguity is immutable; subset() and the builders return new ones.")

    def __delattr__(self, name):
        raise AttributeError("Contiguity is immutable.")

    def __getstate__(self) -> dict[str, Any]:
        self._ensure_shared()
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k in self.__slots__:
            object.__setattr__(self, k, state.get(k))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_sparse(cls, adjacency, ids: Sequence[str], rule: str = "given") -> Contiguity:
        """A Contiguity from an adjacency matrix you already have.

        Parameters
        ----------
        adjacency : array-like or scipy.sparse matrix
            Square ``n x n``; any non-zero entry is a link. It is made symmetric with
            ``A + A.T`` (so a one-directional list of pairs is enough) and its diagonal is
            ignored.
        ids : sequence of str
            The zone ids, in matrix order (strings; leading zeros kept; unique).
        rule : str
            A label for how the links were made (shown in the ``repr``).

        Returns
        -------
        Contiguity
            No geometry, so :attr:`shared_length` is empty and nothing is missing or
            repaired; :attr:`islands` lists the zones without a link.

        Examples
        --------
        >>> import numpy as np
        >>> pairs = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])  # x - y, one direction is enough
        >>> c = rz.Contiguity.from_sparse(pairs, ["x", "y", "z"])
        >>> c.adjacency.toarray()
        array([[0, 1, 0],
               [1, 0, 0],
               [0, 0, 0]], dtype=int8)
        >>> c.islands
        ('z',)
        """
        if not isinstance(rule, str):
            raise InvalidParameterError(
                f"The 'rule' parameter of Contiguity.from_sparse must be a str. Got {rule!r} "
                "instead."
            )
        ids_index = normalise_ids(ids)
        check_unique(ids_index)
        try:
            a = sp.coo_array(adjacency)
        except (TypeError, ValueError) as exc:
            raise InvalidZonesError(
                f"Invalid adjacency: cannot read it as a matrix ({exc}). Pass a square "
                "scipy.sparse matrix or 2-D array."
            ) from exc
        p = Problems("Invalid adjacency")
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            p.add(
                "non-square shape",
                [a.shape],
                count=1,
                fix="The adjacency must be n x n, one row and column per zone.",
            )
        elif a.shape[0] != len(ids_index):
            p.add(
                "size mismatches",
                [f"{a.shape[0]} rows for {len(ids_index)} ids"],
                count=1,
                fix="Pass one id per row of the matrix, in matrix order.",
            )
        p.raise_if_any(InvalidZonesError)
        data = np.asarray(a.data)
        if data.dtype.kind not in "biuf":
            raise InvalidZonesError(
                f"Invalid adjacency: values of dtype {data.dtype} are not numbers; use 0/1."
            )
        bad = ~np.isfinite(data.astype(np.float64))
        if bad.any():
            raise InvalidZonesError(
                f"Invalid adjacency: {int(bad.sum()):,} non-finite entries (first at "
                f"{', '.join(f'({r}, {c})' for r, c in zip(a.row[bad][:3], a.col[bad][:3], strict=True))}). "
                "Use 0 for no link and 1 for a link."
            )
        keep = (data != 0) & (a.row != a.col)
        i, j = ordered_pairs(a.row[keep], a.col[keep])
        n = len(ids_index)
        if len(i):  # A + A.T, then 0/1: one entry per unordered pair
            key = np.unique(i * n + j)
            i, j = key // n, key % n
        islands = np.ones(n, dtype=bool)
        islands[i] = False
        islands[j] = False
        return cls(ids_index, (i, j), shared=np.zeros(len(i)), rule=rule, islands=islands)

    # ------------------------------------------------------------------ properties
    @property
    def ids(self) -> pd.Index:
        """Zone ids as strings, in the order of the input layer (the order of the matrices)."""
        return self._ids

    @property
    def adjacency(self) -> sp.csr_array:
        """``n x n`` int8 0/1 adjacency, symmetric, no diagonal, added links included (a copy)."""
        return self._adj.copy()

    @property
    def shared_length(self) -> sp.csr_array:
        """``n x n`` float64 length of the border each pair of zones shares (a copy)."""
        self._ensure_shared()
        m = _pair_matrix(self._n, self._land_i, self._land_j, self._shared, np.float64)
        return m.copy()

    @property
    def rule(self) -> str:
        """``"rook"``, ``"queen"`` or, from :meth:`from_sparse`, the rule given there."""
        return self._rule

    @property
    def tolerance(self) -> float:
        """The snapping distance the graph was built with (0 for exact contact)."""
        return self._tolerance

    @property
    def islands_policy(self) -> str:
        """``"keep"``, ``"nearest"`` or ``"error"``."""
        return self._policy

    @property
    def islands(self) -> tuple[str, ...]:
        """Zones with a geometry and no neighbour under the rule (before the islands policy)."""
        return tuple(self._ids[self._islands])

    @property
    def missing(self) -> tuple[str, ...]:
        """Zones without a geometry (None or empty): in the graph, with no neighbour."""
        return tuple(self._ids[self._missing])

    @property
    def repaired(self) -> int:
        """Number of invalid geometries repaired with :func:`shapely.make_valid`."""
        return int(self._repaired.sum())

    @property
    def crs(self):
        """The CRS of the layer the graph was built from (None when unknown)."""
        return self._crs

    @property
    def added_links(self) -> pd.DataFrame:
        """Links added by ``islands="nearest"``: ``source``, ``target``, ``distance``."""
        ids = self._ids.to_numpy()
        out = pd.DataFrame(
            {
                "source": pd.Series(ids[self._add_i], dtype="str"),
                "target": pd.Series(ids[self._add_j], dtype="str"),
                "distance": np.array(self._add_dist, dtype=np.float64),
            }
        )
        return out

    @property
    def n_links(self) -> int:
        """Number of undirected links (including those added by the islands policy)."""
        return self._adj.nnz // 2

    @property
    def n_components(self) -> int:
        """Number of connected components (an isolated zone is a component of its own)."""
        return int(self._labels().max()) + 1 if self._n else 0

    def component_labels(self) -> np.ndarray:
        """Connected component of each zone (``0 .. n_components - 1``), in :attr:`ids` order.

        Components are numbered in order of their first zone, with
        :func:`scipy.sparse.csgraph.connected_components`. A region whose zones share one
        label is contiguous on the map; zones of different components can never be.

        Returns
        -------
        numpy.ndarray
            One int64 label per zone.

        Examples
        --------
        Two groups of zones that do not touch: a - b - c and d - e.

        >>> import scipy.sparse as sp
        >>> a = sp.csr_array(([1, 1, 1], ([0, 1, 3], [1, 2, 4])), shape=(5, 5))
        >>> rz.Contiguity.from_sparse(a, ["a", "b", "c", "d", "e"]).component_labels()
        array([0, 0, 0, 1, 1])
        """
        return self._labels().copy()

    def _labels(self) -> np.ndarray:
        if self._components is None:
            from scipy.sparse.csgraph import connected_components

            _, labels = connected_components(self._adj, directed=False)
            object.__setattr__(self, "_components", _readonly(labels.astype(np.int64)))
        return self._components

    # ------------------------------------------------------------------ shared lengths
    def _ensure_shared(self) -> None:
        """Compute the shared border lengths on first use (they are not needed to link)."""
        if self._shared is not None:
            return
        i, j = self._land_i, self._land_j
        if self._geoms is None or not len(i):
            values = np.zeros(len(i))
        else:
            values = shared_lengths(self._geoms, i, j, self._tolerance)
        object.__setattr__(self, "_shared", _readonly(values))

    # ------------------------------------------------------------------ queries
    def _position(self, zone_id) -> int:
        loc = self._ids.get_indexer([str(zone_id)])[0]
        if loc < 0:
            raise KeyError(
                f"{zone_id!r} is not a zone of this contiguity graph (zone ids are "
                "strings, e.g. '01001')."
            )
        return int(loc)

    def neighbors(self, zone_id: str) -> list[str]:
        """The neighbours of one zone, in :attr:`ids` order.

        Parameters
        ----------
        zone_id : str
            A zone id (ids are text: ``"01001"``, not ``1001``).

        Returns
        -------
        list of str

        Raises
        ------
        KeyError
            When ``zone_id`` is not a zone of the graph.

        Examples
        --------
        >>> c = rz.synthetic_country(60, seed=1).build_contiguity()
        >>> c.neighbors("000001")
        ['000002', '000004', '000006', '000007', '000008']
        """
        k = self._position(zone_id)
        cols = self._adj.indices[self._adj.indptr[k] : self._adj.indptr[k + 1]]
        return list(self._ids[np.sort(cols)])

    def __len__(self) -> int:
        return self._n

    def __contains__(self, zone_id) -> bool:
        return isinstance(zone_id, str) and zone_id in self._ids

    def subset(self, ids: Sequence[str]) -> Contiguity:
        """The restriction of the graph to some zones, in the order given.

        Links with a zone outside the subset are dropped (added links included); no new
        island is linked. :attr:`islands`, :attr:`missing` and :attr:`repaired` keep what was
        found when the graph was built, restricted to the subset: a zone cut off by the
        restriction shows up in :meth:`component_labels`, not in :attr:`islands`.

        Parameters
        ----------
        ids : sequence of str
            The zones to keep, each once, all in the graph.

        Returns
        -------
        Contiguity

        Examples
        --------
        Leaving ``b`` out of the path a - b - c cuts it in two:

        >>> import scipy.sparse as sp
        >>> a = sp.csr_array(([1, 1], ([0, 1], [1, 2])), shape=(3, 3))
        >>> sub = rz.Contiguity.from_sparse(a, ["a", "b", "c"]).subset(["a", "c"])
        >>> sub, sub.component_labels()
        (<Contiguity of 2 zones and 0 links (given; 2 components)>, array([0, 1]))
        """
        sub = normalise_ids(ids, what="subset ids")
        pos = self._ids.get_indexer(sub)
        bad = sub[pos < 0]
        if len(bad):
            raise InvalidZonesError(
                f"Invalid subset ids: {len(bad):,} ids not in the graph "
                f"(first: {', '.join(bad[:3])})."
            )
        if len(np.unique(pos)) != len(pos):
            check_unique(sub, "subset ids")
        inv = np.full(self._n, -1, dtype=np.int64)
        inv[pos] = np.arange(len(pos))

        def restrict(i, j):
            ni, nj = inv[i], inv[j]
            keep = (ni >= 0) & (nj >= 0)
            return ni[keep], nj[keep], keep

        li, lj, lkeep = restrict(self._land_i, self._land_j)
        ai, aj, akeep = restrict(self._add_i, self._add_j)
        shared = None if self._shared is None else self._shared[lkeep]
        return Contiguity(
            self._ids[pos],
            (li, lj),
            added=(ai, aj, self._add_dist[akeep]),
            shared=shared,
            geoms=None if self._geoms is None else self._geoms[pos],
            tolerance=self._tolerance,
            rule=self._rule,
            islands_policy=self._policy,
            islands=self._islands[pos],
            missing=self._missing[pos],
            repaired=self._repaired[pos],
            crs=self._crs,
        )

    # ------------------------------------------------------------------ conversions
    def to_networkx(self) -> nx.Graph:
        """A ``networkx.Graph``: every zone id is a node (isolated ones included).

        Edges carry ``shared_length`` (0 for point contacts and added links) and ``added``
        (True for links added by the islands policy).

        Examples
        --------
        >>> g = rz.synthetic_country(60, seed=1).build_contiguity().to_networkx()
        >>> g.number_of_nodes(), g.number_of_edges()
        (60, 152)
        >>> round(g.edges["000001", "000006"]["shared_length"])  # metres (EPSG:3035)
        13148
        """
        import networkx as nx

        self._ensure_shared()
        ids = self._ids.to_numpy()
        g = nx.Graph(rule=self._rule)
        g.add_nodes_from(ids.tolist())
        g.add_edges_from(
            (a, b, {"shared_length": s, "added": False})
            for a, b, s in zip(
                ids[self._land_i].tolist(),
                ids[self._land_j].tolist(),
                self._shared.tolist(),
                strict=True,
            )
        )
        g.add_edges_from(
            (a, b, {"shared_length": 0.0, "added": True, "distance": d})
            for a, b, d in zip(
                ids[self._add_i].tolist(),
                ids[self._add_j].tolist(),
                self._add_dist.tolist(),
                strict=True,
            )
        )
        return g

    def __repr__(self) -> str:
        rule = self._rule if not self._tolerance else f"{self._rule}, tolerance {self._tolerance:g}"
        parts = [rule]
        n_isl = int(self._islands.sum())
        if n_isl:
            linked = " linked to nearest" if self._policy == "nearest" else ""
            parts.append(_plural(n_isl, "island") + linked)
        n_miss = int(self._missing.sum())
        if n_miss:
            parts.append(f"{n_miss:,} without geometry")
        parts.append(_plural(self.n_components, "component"))
        return (
            f"<Contiguity of {_plural(self._n, 'zone')} and {_plural(self.n_links, 'link')} "
            f"({'; '.join(parts)})>"
        )
