"""FlowGraph: the one representation of origin-destination flows in regionalize.

A :class:`FlowGraph` is a square ``scipy.sparse`` CSR matrix of flows (rows are origins,
i.e. places of residence; columns are destinations, i.e. places of work), an index of zone
ids (strings, leading zeros kept), a table of zone attributes and, optionally, the zone
polygons. It never densifies its matrix, and it never changes after it is made: every
method that "changes" a FlowGraph returns a new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._areas import membership
from ._flow_build import DUPLICATE_MIN_WARN as DUPLICATE_MIN_WARN
from ._flow_build import DUPLICATE_SHARE_WARN as DUPLICATE_SHARE_WARN
from ._flow_build import ID_COLUMN_NAMES as ID_COLUMN_NAMES
from ._flow_build import (
    Parts,
    build_from_dataframe,
    build_from_matrix,
    check_totals,
    zone_attributes,
    zone_labels,
    zone_positions,
)
from ._flow_geometry import prepare_geometry
from ._flow_values import MAX_TOTAL as MAX_TOTAL
from ._flow_values import MIN_TOTAL as MIN_TOTAL
from ._flow_values import SUPPRESSED_PATTERN as SUPPRESSED_PATTERN
from ._flow_values import canonical
from ._ids import normalise_ids
from .errors import InvalidZonesError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import igraph
    import networkx as nx

__all__ = ["FlowGraph"]


def _readonly(a: sp.csr_array) -> sp.csr_array:
    for arr in (a.data, a.indices, a.indptr):
        arr.flags.writeable = False
    return a


#: cache entries that depend on the zone polygons only (shared by graphs with the same ones)
_GEOMETRY_CACHE_KEYS = frozenset({"contiguity", "exterior_zones"})


class FlowGraph:
    """Origin-destination flows between zones, as a sparse matrix with zone ids and attributes.

    Build one with :meth:`from_dataframe` (a long table: one row per origin-destination
    pair), :meth:`from_matrix` (a square matrix, dense or sparse), :func:`regionalize.read_flows`
    or a loader such as :func:`regionalize.datasets.load_sardinia`; ``FlowGraph(...)`` itself
    trusts its arguments and is not API. Rows are origins (residence), columns destinations.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        ``n x n`` float64 flows, read-only, no stored zeros.
    ids : pandas.Index
        Zone ids as strings, in matrix order.
    zones : pandas.DataFrame
        Zone attributes indexed by id (a copy).
    geometry : geopandas.GeoDataFrame or None
        Zone geometries indexed by id (a copy); ``None`` when no zone layer was attached.
    name : str or None
    meta : mapping
        Provenance and quirks recorded by readers and loaders (read-only).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("01", "01", 50), ("01", "02", 30), ("02", "02", 80), ("02", "01", 10),
    ...         ("03", "02", 20)]
    >>> df = pd.DataFrame(rows, columns=["origin", "destination", "flow"])
    >>> g = rz.FlowGraph.from_dataframe(df)
    >>> g
    <FlowGraph of 3 zones and 5 flows (total 190; diagonal present)>
    >>> g.residents, g.jobs, g.internal
    (array([80., 90., 20.]), array([ 60., 130.,   0.]), array([50., 80.,  0.]))
    """

    __slots__ = (
        "_matrix",
        "_ids",
        "_zones",
        "_geometry",
        "_moe",
        "_name",
        "_meta",
        "_residents_col",
        "_jobs_col",
        "_cache",
    )

    def __init__(
        self,
        matrix: sp.csr_array,
        ids: pd.Index,
        zones: pd.DataFrame | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        *,
        moe: sp.csr_array | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
        residents: str | None = None,
        jobs: str | None = None,
    ):
        self._matrix = _readonly(matrix)
        self._ids = ids
        self._zones = zones if zones is not None else pd.DataFrame(index=ids)
        self._geometry = geometry
        self._moe = _readonly(moe) if moe is not None else None
        self._name = name
        self._meta = dict(meta or {})
        self._residents_col = residents
        self._jobs_col = jobs
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        origin: str = "origin",
        destination: str = "destination",
        flow: str = "flow",
        *,
        moe: str | None = None,
        zones: pd.DataFrame | None = None,
        zone_id: str | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        geometry_id: str | None = None,
        duplicates: str = "error",
        extra_zones: str = "error",
        id_width: int | None = None,
        suppressed: str = "error",
        id_collisions: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> FlowGraph:
        """Build a FlowGraph from a long table with one row per origin-destination pair.

        Parameters
        ----------
        df : pandas.DataFrame
            The OD table; it is not modified.
        origin, destination, flow : str
            Column names of the origin id, destination id and flow.
        moe : str, optional
            Column of margins of error (e.g. the ACS 90% MOE), kept as :attr:`moe`.
        zones : pandas.DataFrame, optional
            Zone attributes (population, names, ...), indexed by zone id or with the id in
            column ``zone_id``. Every origin and destination must be in it.
        geometry : geopandas.GeoDataFrame, optional
            Zone polygons; see :meth:`with_geometry` (``geometry_id`` is its ``id_column``).
        duplicates : {"error", "sum", "drop_identical"}
            What to do when an origin-destination pair appears more than once: an error (counting
            exact repeats and contradicting rows apart), add the rows up, or keep one row of each
            exact repeat (same pair, same flow; e.g. a file appended twice) while contradicting rows
            (same pair, different flows) stay an error. Repairs are recorded in ``meta["repairs"]``.
        extra_zones : {"error", "keep", "drop"}
            Zones of the zone table that have no flow at all: an error, kept as zones without flows,
            or dropped from the zone table.
        id_width : int, optional
            Left-pad numeric ids with zeros to this width (for codes that lost them).
        suppressed : {"error", "zero"}
            Cells that are missing or hold a suppression marker (``""``, ``"-"``, ``"*"``, ``".."``,
            ``"x"``, ``":"``, ``"(c)"``, ``"n/a"``, ``"<3"``, ...): an error, or read as 0 (no
            flow), counted in ``meta["repairs"]``. Other text stays an error.
        id_collisions : {"error", "merge"}
            Ids that differ only by case or a trailing ``.0`` (``"SEOUL"`` and ``"Seoul"``,
            ``"1001"`` and ``"1001.0"``): an error listing them, or read as one zone (the most
            frequent spelling), recorded in ``meta["repairs"]``. Ids differing only by surrounding
            spaces or Unicode form (NFC / NFD) are always one zone (recorded).
        residents, jobs : str, optional
            Zone-table columns giving employed residents / jobs; by default they are the row /
            column sums of the matrix (diagonal included).
        name : str, optional
        meta : mapping, optional
            Provenance recorded with the graph.

        Returns
        -------
        FlowGraph
            Zones in the order of ``zones`` when given (zones only in ``extra_zones='keep'``
            included), otherwise sorted by id.

        Raises
        ------
        InvalidODError
            Listing every problem found: missing columns, empty table, NaN, negative or
            non-numeric flows, duplicated pairs, ids not in the zone table.

        Examples
        --------
        >>> import pandas as pd
        >>> rows = [("01", "01", 50), ("01", "02", 30), ("02", "02", 80), ("03", "02", "-")]
        >>> df = pd.DataFrame(rows, columns=["origin", "destination", "flow"])
        >>> g = rz.FlowGraph.from_dataframe(df, suppressed="zero")
        >>> g.ids.tolist(), g.meta["repairs"]
        (['01', '02', '03'], ["read 1 suppressed or missing flows as 0 (first: '-')"])
        """
        parts = build_from_dataframe(
            df,
            origin,
            destination,
            flow,
            moe=moe,
            zones=zones,
            zone_id=zone_id,
            duplicates=duplicates,
            extra_zones=extra_zones,
            id_width=id_width,
            suppressed=suppressed,
            id_collisions=id_collisions,
            meta=meta,
        )
        return cls._from_parts(
            parts,
            name=name,
            residents=residents,
            jobs=jobs,
            geometry=geometry,
            geometry_id=geometry_id,
        )

    @classmethod
    def from_matrix(
        cls,
        matrix,
        ids: Sequence[str] | None = None,
        *,
        zones: pd.DataFrame | None = None,
        zone_id: str | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        geometry_id: str | None = None,
        moe=None,
        id_width: int | None = None,
        id_collisions: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> FlowGraph:
        """Build a FlowGraph from a square matrix (rows = origins, columns = destinations).

        Parameters
        ----------
        matrix : array-like, scipy.sparse matrix or array, or pandas.DataFrame
            A DataFrame uses its index as row ids and its columns as column ids; they must
            hold the same ids (columns are reordered to the rows). Not modified.
        ids : sequence of str, optional
            Zone ids in matrix order (the graph keeps it); required unless ``matrix`` is a
            DataFrame.
        zones, zone_id, geometry, geometry_id, id_width, id_collisions, residents, jobs, name, meta
            As in :meth:`from_dataframe`; zone-table ids must equal the matrix ids.
        moe : array-like, optional
            Margins of error with the same shape and ids as ``matrix``.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 30, 0], [10, 80, 0], [0, 20, 5]], ["a", "b", "c"])
        >>> g.residents, g.jobs
        (array([80., 90., 25.]), array([ 60., 130.,   5.]))
        """
        parts = build_from_matrix(
            matrix,
            ids,
            zones=zones,
            zone_id=zone_id,
            moe=moe,
            id_width=id_width,
            id_collisions=id_collisions,
            meta=meta,
        )
        return cls._from_parts(
            parts,
            name=name,
            residents=residents,
            jobs=jobs,
            geometry=geometry,
            geometry_id=geometry_id,
        )

    @classmethod
    def _from_parts(
        cls,
        parts: Parts,
        *,
        name: str | None,
        residents: str | None,
        jobs: str | None,
        geometry: gpd.GeoDataFrame | None,
        geometry_id: str | None,
    ) -> FlowGraph:
        graph = cls(
            parts.matrix, parts.ids, parts.zones, None, moe=parts.moe, name=name, meta=parts.meta
        )
        graph = graph._with_totals(residents, jobs)
        if geometry is not None:
            graph = graph.with_geometry(geometry, id_column=geometry_id)
        return graph

    # ------------------------------------------------------------------ attaching data
    def replace(self, **changes) -> FlowGraph:
        """A new FlowGraph with some of its parts replaced, the others shared.

        Keywords: ``matrix``, ``ids``, ``zones``, ``geometry``, ``moe``, ``name``, ``meta``,
        ``residents`` and ``jobs`` (the zone-table columns of the totals), as ``FlowGraph.__init__``
        takes them. They are trusted, not checked: this is for code that derived them from this
        graph (redrawn flows, added zone columns, new meta). With the same polygons and ids, the
        cache entries that depend on the polygons alone (see :attr:`cache`) carry over.

        Examples
        --------
        >>> rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"]).replace(name="toy")
        <FlowGraph 'toy' of 2 zones and 4 flows (total 15; diagonal present)>
        """
        state = dict(
            matrix=self._matrix,
            ids=self._ids,
            zones=self._zones,
            geometry=self._geometry,
            moe=self._moe,
            name=self._name,
            meta=self._meta,
            residents=self._residents_col,
            jobs=self._jobs_col,
        )
        state.update(changes)
        new = FlowGraph(
            state.pop("matrix"),
            state.pop("ids"),
            state.pop("zones"),
            state.pop("geometry"),
            **state,
        )
        if new._geometry is self._geometry and new._ids.equals(self._ids):
            # what depends on the polygons alone (contiguity, the exterior zones) carries
            # over: a redrawn or re-weighted graph does not rebuild it
            new._cache.update(
                {k: v for k, v in self._cache.items() if k[0] in _GEOMETRY_CACHE_KEYS}
            )
        return new

    def _with_totals(self, residents: str | None, jobs: str | None) -> FlowGraph:
        check_totals(self._zones, self._ids, residents, jobs)
        return self.replace(residents=residents, jobs=jobs)

    def with_zones(
        self,
        table: pd.DataFrame,
        *,
        id_column: str | None = None,
        missing: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        id_width: int | None = None,
    ) -> FlowGraph:
        """Return a new FlowGraph with zone attributes joined by id.

        Parameters
        ----------
        table : pandas.DataFrame
            Indexed by zone id, or with the ids in ``id_column``. Its columns replace
            attributes of the same name. Zones of ``table`` that are not in the graph are
            an error (build the graph with ``extra_zones='keep'`` to keep such zones).
        missing : {"error", "keep"}
            Graph zones absent from ``table``: an error, or kept with NaN attributes.
        residents, jobs, id_width
            As in :meth:`from_dataframe`.

        Examples
        --------
        >>> import pandas as pd
        >>> g = rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"])
        >>> names = pd.DataFrame({"name": ["Alpha", "Beta"]}, index=["a", "b"])
        >>> g.with_zones(names).zones.to_dict()
        {'name': {'a': 'Alpha', 'b': 'Beta'}}
        """
        t = zone_attributes(
            table, self._ids, id_column=id_column, missing=missing, id_width=id_width
        )
        zones = self._zones.drop(columns=[c for c in t.columns if c in self._zones.columns])
        zones = zones.join(t.reindex(self._ids))
        g = self.replace(zones=zones)
        return g._with_totals(
            residents if residents else self._residents_col, jobs if jobs else self._jobs_col
        )

    def with_geometry(
        self,
        geometry: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        id_column: str | None = None,
        extra: str = "error",
        missing: str = "error",
        crs=None,
    ) -> FlowGraph:
        """Return a new FlowGraph with zone geometries attached by id.

        Parameters
        ----------
        geometry : geopandas.GeoDataFrame or GeoSeries
            One row per zone, with a CRS. Ids in the index or in ``id_column``.
        extra : {"error", "drop"}
            Rows whose id is not a zone of the graph.
        missing : {"error", "keep"}
            Graph zones without a row: an error, or kept with an empty (None) geometry.
        crs : optional
            The CRS the layer is expected to have (anything pyproj accepts): a layer in
            another CRS is an error rather than a silent mismatch.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> g = rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"])
        >>> squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
        >>> g.with_geometry(gpd.GeoSeries(squares, index=["a", "b"], crs=3035))
        <FlowGraph of 2 zones and 4 flows (total 15; diagonal present; geometry EPSG:3035)>
        """
        gdf, meta = prepare_geometry(
            geometry,
            self._ids,
            self.crs,
            self._meta,
            id_column=id_column,
            extra=extra,
            missing=missing,
            crs=crs,
        )
        return self.replace(geometry=gdf, meta=meta)

    def to_crs(self, crs) -> FlowGraph:
        """Return a new FlowGraph with its geometry reprojected to ``crs`` (e.g. ``3035``).

        Examples
        --------
        >>> rz.synthetic_country(60, seed=1).to_crs(4326).crs.to_string()
        'EPSG:4326'
        """
        if self._geometry is None:
            raise InvalidZonesError(
                "This FlowGraph has no geometry to reproject; attach a zone "
                "layer with with_geometry()."
            )
        from pyproj.exceptions import CRSError

        try:
            return self.replace(geometry=self._geometry.to_crs(crs))
        except CRSError as exc:
            raise InvalidZonesError(
                f"Cannot reproject to {crs!r}: not a coordinate reference system pyproj knows "
                f"({exc}). Give an EPSG code (e.g. 3035 or 'EPSG:3035') or a WKT / PROJ "
                "string."
            ) from None

    # ------------------------------------------------------------------ properties
    @property
    def matrix(self) -> sp.csr_array:
        """The ``n x n`` float64 flows (read-only CSR, no stored zeros)."""
        return self._matrix

    @property
    def moe(self) -> sp.csr_array | None:
        """Margins of error aligned with :attr:`matrix` (e.g. ACS 90% MOE), or None."""
        return self._moe

    @property
    def ids(self) -> pd.Index:
        """Zone ids as strings, in matrix order."""
        return self._ids

    @property
    def zones(self) -> pd.DataFrame:
        """Zone attributes indexed by id (a copy)."""
        return self._zones.copy()

    @property
    def geometry(self) -> gpd.GeoDataFrame | None:
        """Zone geometries indexed by id (a copy), or None without a zone layer."""
        return None if self._geometry is None else self._geometry.copy()

    @property
    def crs(self):
        """The CRS of the zone geometries, or None."""
        return None if self._geometry is None else self._geometry.crs

    @property
    def name(self) -> str | None:
        """The graph's name, or None."""
        return self._name

    @property
    def meta(self) -> Mapping[str, Any]:
        """Provenance and quirks recorded by readers and loaders (read-only)."""
        return MappingProxyType(self._meta)

    @property
    def residents_column(self) -> str | None:
        """The zone-table column giving the employed residents, or None (row sums)."""
        return self._residents_col

    @property
    def jobs_column(self) -> str | None:
        """The zone-table column giving the jobs, or None (column sums)."""
        return self._jobs_col

    @property
    def cache(self) -> dict[Any, Any]:
        """Per-graph cache of derived structures (contiguity, exterior ring, flow sums), keyed
        by tuples whose first item names the structure. Entries depending on the polygons alone
        (``"contiguity"``, ``"exterior_zones"``) are shared by graphs redrawn with
        :meth:`replace` (same polygons and ids); values are shared, not copied: keep them
        read-only."""
        return self._cache

    @property
    def n_zones(self) -> int:
        """The number of zones."""
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def n_flows(self) -> int:
        """Number of origin-destination pairs with a positive flow (diagonal included)."""
        return int(self._matrix.nnz)

    @property
    def total(self) -> float:
        """The sum of all flows (diagonal included)."""
        return float(self._matrix.data.sum())

    @property
    def internal(self) -> np.ndarray:
        """Flows from each zone to itself (people living and working in the zone)."""
        return self._matrix.diagonal()

    @property
    def has_diagonal(self) -> bool:
        """Whether any zone has a positive internal flow. A table without them (such as the
        KTDB trip table) cannot tell how many residents stay in their zone: shares must then
        use out-commuters as denominator."""
        return bool((self.internal > 0).any())

    def _sums(self, axis: int) -> np.ndarray:
        key = ("sums", axis)
        if key not in self._cache:
            v = np.asarray(self._matrix.sum(axis=axis)).ravel()
            v.flags.writeable = False
            self._cache[key] = v
        return self._cache[key]

    @property
    def residents(self) -> np.ndarray:
        """Employed residents per zone: the supplied column, or row sums incl. the diagonal."""
        if self._residents_col is not None:
            return self._zones[self._residents_col].to_numpy(dtype=float)
        return self._sums(1).copy()

    @property
    def jobs(self) -> np.ndarray:
        """Jobs per zone: the supplied column, or column sums incl. the diagonal."""
        if self._jobs_col is not None:
            return self._zones[self._jobs_col].to_numpy(dtype=float)
        return self._sums(0).copy()

    @property
    def outflows(self) -> np.ndarray:
        """Flows leaving each zone for another zone (row sums without the diagonal)."""
        return self._sums(1) - self.internal

    @property
    def inflows(self) -> np.ndarray:
        """Flows arriving in each zone from another zone (column sums without the diagonal)."""
        return self._sums(0) - self.internal

    @property
    def isolates(self) -> pd.Index:
        """Zones with no flow in or out, counting the diagonal."""
        return self._ids[(self._sums(0) == 0) & (self._sums(1) == 0)]

    def summary(self) -> pd.DataFrame:
        """Per-zone table: residents, jobs, internal flows, in/out flows, job ratio.

        Returns
        -------
        pandas.DataFrame
            Indexed by zone id; ``job_ratio`` is jobs / residents (above 1 in centres).

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 30, 0], [10, 80, 0], [0, 20, 5]], ["a", "b", "c"])
        >>> g.summary()["job_ratio"].round(2).to_dict()  # b draws workers: a centre
        {'a': 0.75, 'b': 1.44, 'c': 0.2}
        """
        r, w, ii = self.residents, self.jobs, self.internal
        with np.errstate(divide="ignore", invalid="ignore"):
            out = pd.DataFrame(
                {
                    "residents": r,
                    "jobs": w,
                    "internal": ii,
                    "outflows": self.outflows,
                    "inflows": self.inflows,
                    "job_ratio": np.where(r > 0, w / r, np.nan),
                },
                index=self._ids,
            )
        return out

    # ------------------------------------------------------------------ transforms
    def _positions(self, ids: Sequence[str], what: str) -> np.ndarray:
        return zone_positions(self._ids, ids, what)

    def _labels_array(self, labels) -> np.ndarray:
        return zone_labels(self._ids, labels)

    def aggregate(self, labels, *, dissolve: bool = True, name: str | None = None) -> FlowGraph:
        """The quotient FlowGraph of a partition: ``P^T F P`` with ``P`` the membership matrix.

        Parameters
        ----------
        labels : array-like, mapping or pandas.Series
            One label per zone (aligned with :attr:`ids`), or a mapping / Series from zone
            id to label covering every zone.
        dissolve : bool
            Union the member geometries into one per group when geometry is attached.

        Returns
        -------
        FlowGraph
            One zone per label (ids are the labels as text, sorted). Numeric zone attributes are
            summed; the zone table gains ``n_members`` (the number of zones of the original graph in
            each group: aggregating an aggregate sums the counts it already has). Totals are
            conserved; margins of error combine as the root of the sum of squares.

        Notes
        -----
        O(nnz): two sparse products with an indicator matrix.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 30, 0], [10, 80, 0], [0, 20, 5]], ["a", "b", "c"])
        >>> g.aggregate({"a": "A", "b": "A", "c": "C"}).matrix.toarray()
        array([[170.,   0.],
               [ 20.,   5.]])
        """
        values = self._labels_array(labels)
        codes, uniques = pd.factorize(pd.Series(values), sort=True)
        k = len(uniques)
        new_ids = normalise_ids(pd.Index(uniques), what="labels")
        p = membership(codes, k)
        q = canonical(p.T @ self._matrix @ p, k)
        moe = None
        if self._moe is not None:
            sq = self._moe.copy()
            sq.data = sq.data**2
            moe = canonical(p.T @ sq @ p, k)
            moe.data = np.sqrt(moe.data)
        num = self._zones.select_dtypes("number")
        zt = num.groupby(codes).sum(min_count=1)
        zt.index = new_ids
        zt = zt.reindex(new_ids)
        if "n_members" in zt.columns:  # an aggregate of an aggregate: count original zones
            zt.insert(0, "n_members", zt.pop("n_members").to_numpy(dtype=np.int64))
        else:
            zt.insert(0, "n_members", np.bincount(codes, minlength=k))
        geom = None
        if self._geometry is not None and dissolve:
            import geopandas as gpd

            g = self._geometry.copy()
            g["_label"] = codes
            d = g.dissolve(by="_label")
            geom = gpd.GeoDataFrame(
                {"geometry": d.geometry.to_numpy()}, index=new_ids[d.index.to_numpy()], crs=g.crs
            ).reindex(new_ids)
        res = self._residents_col if self._residents_col in zt.columns else None
        job = self._jobs_col if self._jobs_col in zt.columns else None
        meta = {
            "aggregated_from": self._name,
            **{k_: v for k_, v in self._meta.items() if k_ not in ("repairs",)},
        }
        return FlowGraph(
            q, new_ids, zt, geom, moe=moe, name=name, meta=meta, residents=res, jobs=job
        )

    def subgraph(
        self, ids: Sequence[str], *, keep_totals: bool = True, name: str | None = None
    ) -> FlowGraph:
        """A FlowGraph of the flows among a subset of zones, in the order given.

        With ``keep_totals`` (default) the residents and jobs of each zone stay those of the full
        graph (people commuting out of the subset are still residents); they are stored as zone
        columns ``residents_total`` and ``jobs_total`` and used as the supplied totals. The flows
        leaving / entering the subset are kept as ``outflow_external`` and ``inflow_external``, so
        nothing is lost.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[50, 30, 0], [10, 80, 0], [0, 20, 5]], ["a", "b", "c"])
        >>> s = g.subgraph(["a", "b"])
        >>> s.residents, s.zones["inflow_external"].tolist()  # c's 20 commuters to b are kept
        (array([80., 90.]), [0.0, 20.0])
        """
        pos = self._positions(ids, "subgraph ids")
        if len(np.unique(pos)) != len(pos):
            raise InvalidZonesError("Invalid subgraph ids: some ids are repeated.")
        sub = canonical(self._matrix[pos][:, pos], len(pos))
        moe = canonical(self._moe[pos][:, pos], len(pos)) if self._moe is not None else None
        new_ids = self._ids[pos]
        zt = self._zones.iloc[pos].copy()
        zt["outflow_external"] = self._sums(1)[pos] - np.asarray(sub.sum(axis=1)).ravel()
        zt["inflow_external"] = self._sums(0)[pos] - np.asarray(sub.sum(axis=0)).ravel()
        res = job = None
        if keep_totals:
            zt["residents_total"] = self.residents[pos]
            zt["jobs_total"] = self.jobs[pos]
            res, job = "residents_total", "jobs_total"
        geom = self._geometry.iloc[pos].copy() if self._geometry is not None else None
        return FlowGraph(
            sub,
            new_ids,
            zt,
            geom,
            moe=moe,
            name=name or self._name,
            meta={**self._meta, "subgraph_of": self._name},
            residents=res,
            jobs=job,
        )

    # ------------------------------------------------------------------ conversions
    def to_frame(self, *, diagonal: bool = True) -> pd.DataFrame:
        """The flows as a long table ``origin, destination, flow`` (and ``moe``), zeros omitted;
        ``diagonal=False`` leaves out the flows inside each zone.

        Examples
        --------
        >>> rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"]).to_frame(diagonal=False)
          origin destination  flow
        0      a           b   1.0
        1      b           a   2.0
        """
        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if diagonal else coo.row != coo.col
        out = pd.DataFrame(
            {
                "origin": self._ids.to_numpy()[coo.row[keep]],
                "destination": self._ids.to_numpy()[coo.col[keep]],
                "flow": coo.data[keep],
            }
        )
        if self._moe is not None:
            out["moe"] = np.asarray(self._moe[coo.row[keep], coo.col[keep]]).ravel()
        return out

    def to_networkx(self, *, self_loops: bool = True) -> nx.DiGraph:
        """A ``networkx.DiGraph``: nodes are zone ids with their attributes, edges carry ``weight``;
        ``self_loops=False`` leaves out the flows inside each zone.

        Examples
        --------
        >>> d = rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"]).to_networkx()
        >>> d.number_of_edges(), d.edges["b", "a"]
        (4, {'weight': 2.0})
        """
        import networkx as nx

        g = nx.DiGraph(name=self._name or "")
        records = self._zones.to_dict("index")
        g.add_nodes_from((i, records.get(i, {})) for i in self._ids)
        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if self_loops else coo.row != coo.col
        ids = self._ids.to_numpy()
        g.add_weighted_edges_from(
            zip(ids[coo.row[keep]], ids[coo.col[keep]], coo.data[keep].tolist(), strict=True)
        )
        return g

    def to_igraph(self, *, self_loops: bool = True) -> igraph.Graph:
        """A directed ``igraph.Graph`` with vertex attribute ``name`` and edge attribute ``weight``;
        zone attributes become vertex attributes, ``self_loops=False`` leaves out the diagonal.

        Examples
        --------
        >>> ig = rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"]).to_igraph(self_loops=False)
        >>> ig.vs["name"], ig.es["weight"]
        (['a', 'b'], [1.0, 2.0])
        """
        import igraph as ig

        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if self_loops else coo.row != coo.col
        edges = np.column_stack([coo.row[keep], coo.col[keep]]).tolist()
        g = ig.Graph(n=self.n_zones, edges=edges, directed=True)
        g.vs["name"] = list(self._ids)
        for col in self._zones.columns:
            g.vs[str(col)] = self._zones[col].tolist()
        g.es["weight"] = coo.data[keep].tolist()
        return g

    def build_contiguity(self, **kwargs):
        """The :class:`~regionalize.Contiguity` of the attached polygons, built once and cached.

        Keyword arguments (``rule``, ``tolerance``, ``islands``) go to
        :func:`regionalize.build_contiguity`; raises InvalidZonesError without polygons.

        Examples
        --------
        >>> rz.synthetic_country(60, seed=1).build_contiguity(rule="rook")
        <Contiguity of 60 zones and 152 links (rook; 1 component)>
        """
        if self._geometry is None:
            raise InvalidZonesError(
                "This FlowGraph has no geometry; attach a zone layer with "
                "with_geometry() before building contiguity."
            )
        key = ("contiguity", tuple(sorted(kwargs.items())))
        if key not in self._cache:
            from .contiguity import build_contiguity

            self._cache[key] = build_contiguity(self._geometry, **kwargs)
        return self._cache[key]

    # ------------------------------------------------------------------ comparison & display
    def equals(self, other: FlowGraph) -> bool:
        """Whether ``other`` has the same ids (in order), flows and zone table.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"])
        >>> g.equals(g.replace(name="copy")), g.equals(g.subgraph(["b", "a"]))
        (True, False)
        """
        if not isinstance(other, FlowGraph) or not self._ids.equals(other._ids):
            return False
        if (self._matrix != other._matrix).nnz:
            return False
        return self._zones.equals(other._zones)

    def __repr__(self) -> str:
        parts = [
            f"total {self.total:,.0f}",
            "diagonal present" if self.has_diagonal else "no diagonal",
        ]
        if self._moe is not None:
            parts.append("margins of error")
        n_iso = len(self.isolates)
        if n_iso:
            parts.append(f"{n_iso} isolated")
        if self._geometry is not None:
            crs = self._geometry.crs
            parts.append(f"geometry {crs.to_string() if crs is not None else 'without CRS'}")
        label = f" {self._name!r}" if self._name else ""
        return (
            f"<FlowGraph{label} of {self.n_zones:,} zones and {self.n_flows:,} flows "
            f"({'; '.join(parts)})>"
        )

    def _repr_html_(self) -> str:
        rows = [
            ("zones", f"{self.n_zones:,}"),
            ("flows (non-zero pairs)", f"{self.n_flows:,}"),
            ("total", f"{self.total:,.0f}"),
            (
                "internal (diagonal)",
                f"{self.internal.sum():,.0f}" if self.has_diagonal else "absent",
            ),
            ("zone attributes", ", ".join(map(str, self._zones.columns)) or "none"),
            ("geometry", "none" if self._geometry is None else str(self._geometry.crs)),
        ]
        from ._markup import html_text  # names are user data: shown as text, never markup

        body = "".join(
            f"<tr><th style='text-align:left'>{html_text(k)}</th><td>{html_text(v)}</td></tr>"
            for k, v in rows
        )
        title = html_text(f"FlowGraph {self._name}" if self._name else "FlowGraph")
        return f"<table><caption>{title}</caption>{body}</table>"
