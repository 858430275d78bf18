"""Contiguity: which zones touch which, built once from the zone polygons and reused.

:func:`build_contiguity` turns a layer of zone polygons into a :class:`Contiguity`, an
immutable undirected graph whose nodes are the zone ids (strings, in the order of the layer)
and whose links join zones that share a border (``rule="rook"``) or at least one point
(``rule="queen"``). It is the spatial constraint of contiguous regionalisation: a region
made of zones that are connected in this graph is contiguous on the map.

The build is vectorised with shapely 2: one bounding-box query of an ``STRtree`` gives the
candidate pairs, then array operations on all pairs at once decide which of them touch.
Zones that touch nothing (islands) can be kept isolated, linked to their nearest zones, or
reported as an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._ids import check_unique, normalise_ids
from .errors import InvalidParameterError, InvalidZonesError, Problems, check_parameter

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import networkx as nx

__all__ = ["Contiguity", "build_contiguity"]

RULES = ("rook", "queen")
ISLAND_POLICIES = ("keep", "nearest", "error")

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
# Candidates for the k nearest zones of an island, in Web Mercator, are kept up to this
# multiple of the k-th smallest Mercator distance before they are ranked by geodesic distance
# (it absorbs the change of Mercator scale between an island and its candidates).
_GEODESIC_MARGIN = 2.0


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


def _ordered_pairs(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs as ``(min, max)`` int64 arrays."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    return np.minimum(i, j), np.maximum(i, j)


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
    >>> from regionalize.contiguity import Contiguity
    >>> a = sp.csr_array(([1, 1], ([0, 1], [1, 2])), shape=(3, 3))   # a path a - b - c
    >>> c = Contiguity.from_sparse(a, ["a", "b", "c"])
    >>> c
    <Contiguity of 3 zones and 2 links (given; 1 component)>
    >>> c.neighbors("b"), "d" in c, len(c)
    (['a', 'c'], False, 3)
    >>> c.subset(["c", "a"])
    <Contiguity of 2 zones and 0 links (given; 2 components)>
    """

    __slots__ = ("_ids", "_n", "_land_i", "_land_j", "_add_i", "_add_j", "_add_dist",
                 "_shared", "_geoms", "_tolerance", "_rule", "_policy",
                 "_islands", "_missing", "_repaired", "_crs", "_adj", "_components")

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
        li, lj = _ordered_pairs(*land)
        set_(self, "_land_i", _readonly(li))
        set_(self, "_land_j", _readonly(lj))
        if added is None:
            added = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
        set_(self, "_add_i", _readonly(np.asarray(added[0], dtype=np.int64)))
        set_(self, "_add_j", _readonly(np.asarray(added[1], dtype=np.int64)))
        set_(self, "_add_dist", _readonly(np.asarray(added[2], dtype=np.float64)))
        set_(self, "_shared", None if shared is None
             else _readonly(np.asarray(shared, dtype=np.float64)))
        set_(self, "_geoms", geoms)
        set_(self, "_tolerance", float(tolerance))
        set_(self, "_rule", rule)
        set_(self, "_policy", islands_policy)
        false = np.zeros(n, dtype=bool)
        set_(self, "_islands", _readonly(false.copy() if islands is None else islands))
        set_(self, "_missing", _readonly(false.copy() if missing is None else missing))
        set_(self, "_repaired", _readonly(false.copy() if repaired is None else repaired))
        set_(self, "_crs", crs)
        ai, aj = _ordered_pairs(self._add_i, self._add_j)
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
        >>> from regionalize.contiguity import Contiguity
        >>> c = Contiguity.from_sparse(np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), ["x", "y", "z"])
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
                "instead.")
        ids_index = normalise_ids(ids)
        check_unique(ids_index)
        try:
            a = sp.coo_array(adjacency)
        except (TypeError, ValueError) as exc:
            raise InvalidZonesError(
                f"Invalid adjacency: cannot read it as a matrix ({exc}). Pass a square "
                "scipy.sparse matrix or 2-D array.") from exc
        p = Problems("Invalid adjacency")
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            p.add("non-square shape", [a.shape], count=1,
                  fix="The adjacency must be n x n, one row and column per zone.")
        elif a.shape[0] != len(ids_index):
            p.add("size mismatches", [f"{a.shape[0]} rows for {len(ids_index)} ids"], count=1,
                  fix="Pass one id per row of the matrix, in matrix order.")
        p.raise_if_any(InvalidZonesError)
        data = np.asarray(a.data)
        if data.dtype.kind not in "biuf":
            raise InvalidZonesError(f"Invalid adjacency: values of dtype {data.dtype} are not "
                                    "numbers; use 0/1.")
        bad = ~np.isfinite(data.astype(np.float64))
        if bad.any():
            raise InvalidZonesError(
                f"Invalid adjacency: {int(bad.sum()):,} non-finite entries (first at "
                f"{', '.join(f'({r}, {c})' for r, c in zip(a.row[bad][:3], a.col[bad][:3], strict=True))}). "
                "Use 0 for no link and 1 for a link.")
        keep = (data != 0) & (a.row != a.col)
        i, j = _ordered_pairs(a.row[keep], a.col[keep])
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
        return self._ids

    @property
    def adjacency(self) -> sp.csr_array:
        return self._adj.copy()

    @property
    def shared_length(self) -> sp.csr_array:
        self._ensure_shared()
        m = _pair_matrix(self._n, self._land_i, self._land_j, self._shared, np.float64)
        return m.copy()

    @property
    def rule(self) -> str:
        return self._rule

    @property
    def tolerance(self) -> float:
        return self._tolerance

    @property
    def islands_policy(self) -> str:
        return self._policy

    @property
    def islands(self) -> tuple[str, ...]:
        return tuple(self._ids[self._islands])

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(self._ids[self._missing])

    @property
    def repaired(self) -> int:
        return int(self._repaired.sum())

    @property
    def crs(self):
        return self._crs

    @property
    def added_links(self) -> pd.DataFrame:
        ids = self._ids.to_numpy()
        out = pd.DataFrame({
            "source": pd.Series(ids[self._add_i], dtype="str"),
            "target": pd.Series(ids[self._add_j], dtype="str"),
            "distance": np.array(self._add_dist, dtype=np.float64),
        })
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
        :func:`scipy.sparse.csgraph.connected_components`.
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
            values = _shared_lengths(self._geoms, i, j, self._tolerance)
        object.__setattr__(self, "_shared", _readonly(values))

    # ------------------------------------------------------------------ queries
    def _position(self, zone_id) -> int:
        loc = self._ids.get_indexer([str(zone_id)])[0]
        if loc < 0:
            raise KeyError(f"{zone_id!r} is not a zone of this contiguity graph (zone ids are "
                           "strings, e.g. '01001').")
        return int(loc)

    def neighbors(self, zone_id: str) -> list[str]:
        """The neighbours of one zone, in :attr:`ids` order.

        Raises
        ------
        KeyError
            When ``zone_id`` is not a zone of the graph.
        """
        k = self._position(zone_id)
        cols = self._adj.indices[self._adj.indptr[k]:self._adj.indptr[k + 1]]
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
        """
        sub = normalise_ids(ids, what="subset ids")
        pos = self._ids.get_indexer(sub)
        bad = sub[pos < 0]
        if len(bad):
            raise InvalidZonesError(f"Invalid subset ids: {len(bad):,} ids not in the graph "
                                    f"(first: {', '.join(bad[:3])}).")
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
            self._ids[pos], (li, lj), added=(ai, aj, self._add_dist[akeep]), shared=shared,
            geoms=None if self._geoms is None else self._geoms[pos], tolerance=self._tolerance,
            rule=self._rule, islands_policy=self._policy, islands=self._islands[pos],
            missing=self._missing[pos], repaired=self._repaired[pos], crs=self._crs)

    # ------------------------------------------------------------------ conversions
    def to_networkx(self) -> nx.Graph:
        """A ``networkx.Graph``: every zone id is a node (isolated ones included).

        Edges carry ``shared_length`` (0 for point contacts and added links) and ``added``
        (True for links added by the islands policy).
        """
        import networkx as nx

        self._ensure_shared()
        ids = self._ids.to_numpy()
        g = nx.Graph(rule=self._rule)
        g.add_nodes_from(ids.tolist())
        g.add_edges_from(
            (a, b, {"shared_length": s, "added": False})
            for a, b, s in zip(ids[self._land_i].tolist(), ids[self._land_j].tolist(),
                               self._shared.tolist(), strict=True))
        g.add_edges_from(
            (a, b, {"shared_length": 0.0, "added": True, "distance": d})
            for a, b, d in zip(ids[self._add_i].tolist(), ids[self._add_j].tolist(),
                               self._add_dist.tolist(), strict=True))
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
        return (f"<Contiguity of {_plural(self._n, 'zone')} and {_plural(self.n_links, 'link')} "
                f"({'; '.join(parts)})>")


# ---------------------------------------------------------------------------- geometry
def _layer(geometry, ids) -> tuple[pd.Index, np.ndarray, Any]:
    """Zone ids (str Index) and a copy of the geometry array, from a GeoDataFrame/GeoSeries."""
    import geopandas as gpd

    if isinstance(geometry, gpd.GeoDataFrame):
        try:
            series = geometry.geometry
        except AttributeError as exc:
            raise InvalidZonesError(
                "Invalid zone layer: the GeoDataFrame has no active geometry column; set one "
                "with gdf.set_geometry('...').") from exc
    elif isinstance(geometry, gpd.GeoSeries):
        series = geometry
    else:
        raise InvalidZonesError(
            f"Expected a GeoDataFrame or GeoSeries of zone polygons; got {type(geometry).__name__}.")
    n = len(series)
    if ids is None:
        raw = geometry.index
    elif isinstance(ids, str):
        if not isinstance(geometry, gpd.GeoDataFrame) or ids not in geometry.columns:
            cols = (", ".join(repr(str(c)) for c in geometry.columns)
                    if isinstance(geometry, gpd.GeoDataFrame) else "none (a GeoSeries)")
            raise InvalidZonesError(
                f"Invalid zone layer: no id column {ids!r}; its columns are {cols}. Pass ids= "
                "with the column holding the zone ids, a sequence of ids, or None for the index.")
        raw = geometry[ids]
    else:
        raw = np.asarray(list(ids) if not hasattr(ids, "__len__") else ids, dtype=object)
        if raw.ndim != 1 or len(raw) != n:
            raise InvalidZonesError(
                f"Invalid zone ids: got {raw.shape[0] if raw.ndim else 0:,} ids for {n:,} "
                "geometries; pass one id per row, in row order.")
    zone_ids = normalise_ids(raw, what="zone ids")
    check_unique(zone_ids, "zone ids")
    geoms = np.array(series.to_numpy(), dtype=object, copy=True)
    return zone_ids, geoms, series.crs


def _polygonal_parts(collections: np.ndarray) -> np.ndarray:
    """The polygons of each GeometryCollection as one MultiPolygon (empty when none)."""
    import shapely

    out = np.array([shapely.MultiPolygon()] * len(collections), dtype=object)
    parts, idx = shapely.get_parts(collections, return_index=True)
    polys, sub = shapely.get_parts(parts, return_index=True)  # MultiPolygons into Polygons
    idx = idx[sub]
    keep = shapely.get_type_id(polys) == _POLYGON
    polys, idx = polys[keep], idx[keep]
    if len(polys):
        groups, dense = np.unique(idx, return_inverse=True)
        out[groups] = shapely.multipolygons(polys, indices=dense)
    return out


def _clean(geoms: np.ndarray, ids: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repair in place; return (geoms, missing mask, repaired mask); raise on non-polygons."""
    import shapely

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    coll = ~missing & (types == _COLLECTION)
    if coll.any():
        geoms[coll] = _polygonal_parts(geoms[coll])
        types = shapely.get_type_id(geoms)
    bad = ~missing & ~np.isin(types, (_POLYGON, _MULTIPOLYGON)) | (coll & shapely.is_empty(geoms))
    if bad.any():
        names = shapely.get_type_id(geoms[bad])
        kinds = {0: "Point", 1: "LineString", 2: "LinearRing", 4: "MultiPoint",
                 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
        p = Problems("Invalid zone layer")
        examples = [f"{z} ({'GeometryCollection' if c else kinds.get(int(t), t)})"
                    for z, t, c in zip(ids[bad][:4], names[:4], coll[bad][:4], strict=True)]
        p.add("zones whose geometry is not a polygon", examples, count=int(bad.sum()),
              fix="Contiguity needs zone polygons (Polygon or MultiPolygon), not centroids or "
                  "lines.")
        p.raise_if_any(InvalidZonesError)
    repaired = ~missing & ~shapely.is_valid(geoms)
    if repaired.any():
        geoms[repaired] = shapely.make_valid(geoms[repaired], method="structure",
                                             keep_collapsed=False)
        missing = missing | shapely.is_empty(geoms)
    geoms[missing] = None
    return geoms, missing, repaired


def _touching_pairs(g: np.ndarray, rule: str, tolerance: float):
    """Pairs ``(a, b)`` with ``a < b`` (positions in ``g``) of neighbours; and lengths if known.

    The lengths are returned only when computing the pairs needed them (rook with a
    tolerance); otherwise ``None`` and they are computed later, on demand.
    """
    import shapely

    tree = shapely.STRtree(g)
    if tolerance > 0:
        a, b = _within(tree, g, g, tolerance)
        a, b = _ordered_pairs(a[a < b], b[a < b])
        if rule == "queen":
            return a, b, None
        length = _buffered_lengths(g, a, b, tolerance)
        ok = length > 0
        return a[ok], b[ok], length[ok]
    a, b = tree.query(g)  # bounding boxes only: an exact predicate on pairs is faster
    a, b = _ordered_pairs(a[a < b], b[a < b])
    hit = shapely.intersects(g[a], g[b])
    a, b = a[hit], b[hit]
    if rule == "rook":
        # DE-9IM: position 4 is the dimension of boundary ∩ boundary ("1": a shared line),
        # position 0 that of interior ∩ interior ("2": the zones overlap).
        de9im = np.asarray(shapely.relate(g[a], g[b]), dtype="U9")
        codes = de9im.view("U1").reshape(-1, 9)
        ok = (codes[:, 4] == "1") | (codes[:, 0] == "2")
        a, b = a[ok], b[ok]
    return a, b, None


def _within(tree, tree_geoms: np.ndarray, geoms: np.ndarray, distance) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(input, tree)`` within ``distance`` (scalar or one per input geometry).

    A bounding-box query on boxes grown by the distance, then :func:`shapely.dwithin` on
    the pairs: unlike a ``predicate="dwithin"`` query, this does not prepare (and so
    attach state to) the caller's geometry objects.
    """
    import shapely

    d = np.broadcast_to(np.asarray(distance, dtype=np.float64), (len(geoms),))
    bounds = shapely.bounds(geoms)
    boxes = shapely.box(bounds[:, 0] - d, bounds[:, 1] - d, bounds[:, 2] + d, bounds[:, 3] + d)
    s, t = tree.query(boxes)
    ok = shapely.dwithin(geoms[s], tree_geoms[t], d[s])
    return s[ok], t[ok]


def _buffered_lengths(g: np.ndarray, a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    """Border length of pairs under a tolerance: area of the overlap of the two zones each
    grown by ``tolerance / 2``, divided by ``tolerance`` (the width of that strip); 0 when the
    strip is not longer than it is wide (a corner or point contact)."""
    import shapely

    if not len(a):
        return np.zeros(0)
    used = np.unique(np.concatenate([a, b]))
    grown = np.empty(len(g), dtype=object)
    grown[used] = shapely.buffer(g[used], tolerance / 2, quad_segs=4)
    length = shapely.area(shapely.intersection(grown[a], grown[b])) / tolerance
    return np.where(length > tolerance, length, 0.0)


def _shared_lengths(geoms: np.ndarray, i: np.ndarray, j: np.ndarray, tolerance: float) -> np.ndarray:
    import shapely

    if tolerance > 0:
        return _buffered_lengths(geoms, i, j, tolerance)
    used = np.unique(np.concatenate([i, j]))
    bnd = np.empty(len(geoms), dtype=object)
    bnd[used] = shapely.boundary(geoms[used])
    # Only the line parts of the intersection have a length; touching points add 0.
    length = shapely.length(shapely.intersection(bnd[i], bnd[j]))
    # Neighbours without a common boundary line either meet at points (0) or overlap along
    # misaligned borders: the overlap is then a strip (or slivers) along the border, and half
    # its perimeter is about the border's length.
    none = np.flatnonzero(length == 0)
    if len(none):
        overlap = shapely.intersection(geoms[i[none]], geoms[j[none]])
        length[none] = shapely.length(overlap) / 2
    return length


def _nearest_links(geoms: np.ndarray, present: np.ndarray, islands: np.ndarray, k: int,
                   crs, ids: pd.Index):
    """The ``k`` nearest other zones of each island: (source, target, distance) positions.

    Planar distances in the layer's units, or, for a geographic CRS, geodesic metres on its
    ellipsoid between the nearest points found in Web Mercator (EPSG:3857).
    """
    import shapely

    pos = np.flatnonzero(present)  # tree index -> zone position
    geographic = crs is not None and crs.is_geographic
    work = geoms[pos]
    if geographic:
        import geopandas as gpd

        clipped = shapely.clip_by_rect(work, -180.0, -85.0, 180.0, 85.0)
        work = gpd.GeoSeries(clipped, crs=crs).to_crs("EPSG:3857").to_numpy()
        usable = ~shapely.is_empty(work)
    else:
        usable = np.ones(len(work), dtype=bool)
    tree_pos = pos[usable]
    work = work[usable]
    tree = shapely.STRtree(work)
    inv = np.full(len(geoms), -1, dtype=np.int64)
    inv[tree_pos] = np.arange(len(tree_pos))
    src_tree = inv[islands]
    src_tree = src_tree[src_tree >= 0]
    k_eff = min(k, len(tree_pos) - 1)
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    if k_eff < 1 or not len(src_tree):
        return empty
    src_geoms = work[src_tree]

    # Radius: start at the nearest distance; double until each island has k candidates.
    q, d = tree.query_nearest(src_geoms, exclusive=True, return_distance=True)
    radius = np.zeros(len(src_tree))
    radius[q[0]] = d
    lo = shapely.bounds(src_geoms)
    step = np.maximum(np.hypot(lo[:, 2] - lo[:, 0], lo[:, 3] - lo[:, 1]) * 0.01, 1e-9)
    while True:
        s, t = _within(tree, work, src_geoms, radius)
        not_self = t != src_tree[s]
        s, t = s[not_self], t[not_self]
        short = np.bincount(s, minlength=len(src_tree)) < k_eff
        if not short.any():
            break
        radius = np.where(short, np.where(radius > 0, radius * 2, step), radius)
    if geographic:
        # Rank by geodesic distance among candidates within a margin of the Mercator radius.
        dist = shapely.distance(src_geoms[s], work[t])
        order = np.lexsort((dist, s))
        rank = np.arange(len(s)) - np.searchsorted(s[order], s[order])
        kth = np.zeros(len(src_tree))
        sel = order[rank == k_eff - 1]
        kth[s[sel]] = dist[sel]
        s, t = _within(tree, work, src_geoms, kth * _GEODESIC_MARGIN)
        not_self = t != src_tree[s]
        s, t = s[not_self], t[not_self]
        dist = _geodesic(src_geoms[s], work[t], crs)
    else:
        dist = shapely.distance(src_geoms[s], work[t])
    src = src_tree[s]
    tgt = t
    zone_src, zone_tgt = tree_pos[src], tree_pos[tgt]
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(ids.to_numpy(dtype=str), kind="stable")] = np.arange(len(ids))
    # Ties are broken by zone id, so the result does not depend on the row order.
    order = np.lexsort((id_rank[zone_tgt], dist, zone_src))
    zone_src, zone_tgt, dist = zone_src[order], zone_tgt[order], dist[order]
    rank = np.arange(len(zone_src)) - np.searchsorted(zone_src, zone_src)
    keep = rank < k_eff
    return zone_src[keep], zone_tgt[keep], dist[keep]


def _geodesic(a: np.ndarray, b: np.ndarray, crs) -> np.ndarray:
    """Geodesic length (metres) of the shortest line between Web Mercator geometries."""
    import shapely
    from pyproj import Transformer

    xy = shapely.get_coordinates(shapely.shortest_line(a, b)).reshape(-1, 4)
    back = Transformer.from_crs("EPSG:3857", crs, always_xy=True)
    lon1, lat1 = back.transform(xy[:, 0], xy[:, 1])
    lon2, lat2 = back.transform(xy[:, 2], xy[:, 3])
    _, _, dist = crs.get_geod().inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist, dtype=np.float64)


# ---------------------------------------------------------------------------- builder
def build_contiguity(
    geometry: gpd.GeoDataFrame | gpd.GeoSeries,
    ids: str | Sequence[str] | None = None,
    *,
    rule: str = "rook",
    islands: str = "keep",
    tolerance: float = 0.0,
    k: int = 1,
) -> Contiguity:
    """Build the contiguity graph of a layer of zone polygons.

    Parameters
    ----------
    geometry : geopandas.GeoDataFrame or GeoSeries
        One zone polygon (Polygon or MultiPolygon) per row. It is not modified.
    ids : str, sequence or None
        The zone ids: ``None`` for the index, the name of a column, or a sequence aligned
        with the rows. Ids become strings (leading zeros kept, ``"01001"``); integers become
        their decimal text. Duplicates are an error.
    rule : {"rook", "queen"}
        ``"rook"``: zones are neighbours when they share a border of positive length;
        ``"queen"``: when they share at least one point (corners count). Zones whose
        interiors overlap (a digitising error) are neighbours under both rules.
    islands : {"keep", "nearest", "error"}
        What to do with islands, the zones that have a geometry but no neighbour: keep them
        isolated, link each to its ``k`` nearest other zones, or raise
        :class:`~regionalize.errors.InvalidZonesError` listing them.
    tolerance : float
        In CRS units. With ``tolerance > 0``, zones less than ``tolerance`` apart count as
        touching (for slightly misaligned or separately simplified layers). Queen: any two
        zones within ``tolerance``. Rook: each zone is grown by ``tolerance / 2``; the
        overlap of two grown zones is a strip about ``tolerance`` wide along their common
        border, and its length is taken as its area divided by ``tolerance``. The zones are
        rook neighbours when that length exceeds ``tolerance`` (the strip is longer than it is
        wide): a corner or point contact gives a patch of about ``0.9 * tolerance**2``, so it
        does not count, while a border of length ``L`` gives about ``L + 0.8 * tolerance``,
        which is also what :attr:`Contiguity.shared_length` reports.
    k : int
        Number of nearest zones each island is linked to with ``islands="nearest"``.

    Returns
    -------
    Contiguity

    Raises
    ------
    InvalidParameterError
        A parameter outside its allowed values.
    InvalidZonesError
        Duplicate or missing ids, geometries that are not polygons, or islands with
        ``islands="error"``.

    Notes
    -----
    *Algorithm.* One bounding-box query of a :class:`shapely.STRtree` gives the candidate
    pairs (with a tolerance, boxes grown by it); vectorised shapely operations on the pair
    arrays then keep those that touch: :func:`shapely.intersects` (queen; with a tolerance
    :func:`shapely.dwithin`), plus the DE-9IM
    matrix from :func:`shapely.relate` (rook: boundaries meeting along a line, or
    interiors overlapping). There is no Python loop over zones or pairs. On one core,
    100,000 Voronoi cells take about 2 s (rook) or 0.6 s (queen), plus about 3 s the first
    time their shared lengths are asked for; a tolerance buffers every zone and intersects
    the grown pairs, which is slower (about 9 s for the same cells).

    *Shared border lengths* are computed on first use of :attr:`Contiguity.shared_length`,
    since linking does not need them. Without a tolerance, a pair's length is that of the
    line part of ``boundary(a) ∩ boundary(b)``; for neighbours whose boundaries only cross
    (misaligned borders along which the zones overlap) it is half the perimeter of their
    overlap, which is about the length of the border when the overlap is a thin strip.
    With a tolerance, it is the strip length described under ``tolerance``.

    *Invalid and missing geometries.* Invalid polygons are repaired with
    ``shapely.make_valid(method="structure", keep_collapsed=False)`` (counted in
    :attr:`Contiguity.repaired`); GeometryCollections keep their polygons. Zones with no
    geometry (None, empty, or nothing left after repair) stay in the graph without
    neighbours and are listed in :attr:`Contiguity.missing`; they are not islands and the
    islands policy does not link them.

    *Distances to the nearest zones* (``added_links.distance``). In a projected CRS, planar
    distances in its units. With no CRS (``crs=None``), planar distances in the units of the
    coordinates as given. In a geographic CRS (longitude/latitude), the nearest zones are
    searched in Web Mercator (EPSG:3857; zones beyond 85° of latitude are clipped there),
    where shapes keep their local proportions, and ranked and reported by the geodesic
    distance, in metres on the CRS's ellipsoid, between the nearest points. (A single UTM
    zone would distort layers that span a continent or the antimeridian, such as the US
    counties.) ``shared_length`` and ``tolerance`` stay in CRS units: degrees for a
    geographic layer, so project it (e.g. ``gdf.to_crs(gdf.estimate_utm_crs())``) when you
    need lengths in metres.

    Ties between equally near zones are broken by zone id, so the graph does not depend on
    the row order.

    Examples
    --------
    A 2 x 2 grid of unit squares: each square shares a side with two others and a corner
    with the third.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from regionalize.contiguity import build_contiguity
    >>> grid = gpd.GeoDataFrame(
    ...     {"code": ["01", "02", "03", "04"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)])
    >>> rook = build_contiguity(grid, ids="code")
    >>> rook
    <Contiguity of 4 zones and 4 links (rook; 1 component)>
    >>> rook.neighbors("01")
    ['02', '03']
    >>> rook.shared_length.toarray()
    array([[0., 1., 1., 0.],
           [1., 0., 0., 1.],
           [1., 0., 0., 1.],
           [0., 1., 1., 0.]])
    >>> build_contiguity(grid, ids="code", rule="queen").neighbors("01")
    ['02', '03', '04']

    A square far away is an island; ``islands="nearest"`` links it to the closest zone:

    >>> import pandas as pd
    >>> far = pd.concat([grid, gpd.GeoDataFrame({"code": ["05"]}, geometry=[box(5, 0, 6, 0.5)])])
    >>> c = build_contiguity(far, ids="code", islands="nearest")
    >>> c
    <Contiguity of 5 zones and 5 links (rook; 1 island linked to nearest; 1 component)>
    >>> c.added_links
      source target  distance
    0     05     02       3.0
    """
    owner = "build_contiguity"
    check_parameter(owner, "rule", rule, allowed=RULES)
    check_parameter(owner, "islands", islands, allowed=ISLAND_POLICIES)
    check_parameter(owner, "tolerance", tolerance, interval=(0, np.inf), closed="left")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(
            f"The 'k' parameter of {owner} must be an integer >= 1. Got {k!r} instead.")
    tolerance = float(tolerance)

    zone_ids, geoms, crs = _layer(geometry, ids)
    geoms, missing, repaired = _clean(geoms, zone_ids)
    n = len(zone_ids)
    present = np.flatnonzero(~missing)
    a, b, length = _touching_pairs(geoms[present], rule, tolerance)
    i, j = present[a], present[b]

    degree = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    is_island = (degree == 0) & ~missing
    added = None
    if is_island.any():
        if islands == "error":
            p = Problems("Invalid zone layer")
            p.add(f"islands (zones with no {rule} neighbour)", list(zone_ids[is_island][:4]),
                  count=int(is_island.sum()),
                  fix="Pass islands='nearest' to link each to its nearest zone, or "
                      "islands='keep' to leave them isolated.")
            p.raise_if_any(InvalidZonesError)
        elif islands == "nearest":
            s, t, d = _nearest_links(geoms, ~missing, np.flatnonzero(is_island), k, crs,
                                     zone_ids)
            lo, hi = _ordered_pairs(s, t)
            first = ~pd.DataFrame({"lo": lo, "hi": hi}).duplicated().to_numpy()
            added = (s[first], t[first], d[first])
    return Contiguity(zone_ids, (i, j), added=added, shared=length, geoms=geoms,
                      tolerance=tolerance, rule=rule, islands_policy=islands, islands=is_island,
                      missing=missing, repaired=repaired, crs=crs)
