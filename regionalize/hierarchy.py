"""Hierarchy: nested layers of functional areas over the zones of one FlowGraph.

A :class:`Hierarchy` holds several :class:`~regionalize.Partition` layers (top
first: megaregions, metropolitan areas, urban areas, life zones, ...) over exactly the zones
of one :class:`~regionalize.FlowGraph`. It checks how the layers nest, summarises
every area (residents, jobs, internal flows, self-containment), and turns the layers into
tables, GeoDataFrames and files.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator, Mapping, Sequence
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._notes import NO_DIAGONAL_NOTE, no_geometry_error
from ._version import __version__
from .errors import InvalidParameterError, InvalidZonesError, Problems
from .flows import FlowGraph
from .partition import AREA_COLUMNS, Partition

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["Hierarchy", "UNASSIGNED"]

#: index of the row that gathers unassigned zones in :meth:`regionalize.Hierarchy.summary`
UNASSIGNED = "(unassigned)"

#: per-zone columns of :meth:`Hierarchy.to_frame`, one set per layer (suffixes)
_ZONE_SUFFIXES = ("", "_name", "_role", "_order", "_strength", "_reason")

_NESTING_COLUMNS = ["upper", "lower", "area", "upper_labels", "n_zones"]


def _version() -> str:
    return __version__


def _none_for_na(values: pd.Series) -> pd.Series:
    """An object Series with None (not NaN / pd.NA) where values are missing."""
    s = values.astype(object)
    return s.where(s.notna(), None)


def _as_tuple(centres: Any) -> tuple[str, ...]:
    if centres is None or (not isinstance(centres, (str, tuple, list)) and pd.isna(centres)):
        return ()
    if isinstance(centres, str):
        return (centres,)
    return tuple(str(c) for c in centres)


class Hierarchy:
    """Several layers of functional areas over the same zones, top layer first.

    Parameters
    ----------
    graph : FlowGraph
        The flows the layers were delineated on.
    layers : sequence of Partition
        One Partition per layer, top layer first (e.g. megaregions, metropolitan areas,
        urban areas, life zones), with unique names. Each must cover exactly
        ``graph.ids``, in the same order.
    params : mapping, optional
        The parameters of the run; kept (a deep copy) with the library version under
        ``params["version"]`` (a ``"version"`` given is replaced).

    Raises
    ------
    InvalidZonesError
        If a layer does not have exactly the zones of the graph (naming the layer).
    InvalidParameterError
        If layer names are repeated or would give clashing column names.

    Notes
    -----
    Layers need not nest: life zones may cross urban-area boundaries. The constructor
    records the violations (:meth:`nesting`, shown in the repr) instead of raising; call
    :meth:`check_nesting` to require nesting.

    A Hierarchy never changes after it is made; its tables are returned as copies.

    See Also
    --------
    regionalize.delineate : Megaregions, metropolitan and urban areas in one call.
    regionalize.read_hierarchy : Reload a Hierarchy written to files.

    Examples
    --------
    :func:`regionalize.delineate` returns a Hierarchy; one can also be assembled from layers.
    Three zones; "01" is a centre, "02" sends most of its commuters to it, "03" stays apart.

    >>> import pandas as pd
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame({
    ...     "origin": ["01", "02", "02", "03"], "destination": ["01", "01", "02", "03"],
    ...     "flow": [50, 30, 10, 20]}))
    >>> details = pd.DataFrame({
    ...     "area": ["A", "A", None], "role": ["centre", "member", "unassigned"],
    ...     "order": [0, 1, None], "share": [None, 0.75, None], "strength": [None, 0.2, None],
    ...     "via": [None, "01", None], "reason": [None, None, "no link to a centre"]},
    ...     index=g.ids)
    >>> areas = pd.DataFrame({"name": ["Alpha"], "centres": [("01",)], "kind": ["metro"],
    ...                       "n_zones": [2]}, index=["A"])
    >>> h = rz.Hierarchy(g, [rz.Partition("metropolitan", g.ids, details, areas)],
    ...                  params={"tau": 0.1})
    >>> h
    <Hierarchy over 3 zones: metropolitan=1>
    >>> h.labels()["metropolitan"].tolist()
    ['A', 'A', None]
    >>> s = h.summary("metropolitan")
    >>> s[["centres", "residents", "jobs", "internal", "self_containment_supply"]].to_dict("index")
    {'A': {'centres': '01', 'residents': 90.0, 'jobs': 90.0, 'internal': 90.0, 'self_containment_supply': 1.0}}
    >>> h.params["tau"], h.is_nested
    (0.1, True)
    """

    __slots__ = ("_graph", "_layers", "_params", "_nesting", "_cache")

    def __init__(
        self,
        graph: FlowGraph,
        layers: Sequence[Partition],
        *,
        params: Mapping[str, Any] | None = None,
    ):
        if not isinstance(graph, FlowGraph):
            raise TypeError(f"Hierarchy needs a FlowGraph; got {type(graph).__name__}.")
        if isinstance(layers, Partition):
            raise TypeError(
                "Pass the layers as a list of Partitions, top layer first "
                "(e.g. [metropolitan, urban]); got a single Partition."
            )
        if isinstance(layers, Mapping) or isinstance(layers, str):
            raise TypeError(
                "Pass the layers as a list of Partitions, top layer first; got "
                f"a {type(layers).__name__}."
            )
        layers = list(layers)
        if not layers:
            raise InvalidParameterError("A Hierarchy needs at least one layer (Partition).")
        for k, p in enumerate(layers):
            if not isinstance(p, Partition):
                raise TypeError(f"Layer {k} is a {type(p).__name__}, not a Partition.")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping (dict); got {type(params).__name__}.")

        names = [p.name for p in layers]
        _check_names(names)
        for p in layers:
            _check_zones(p, graph)

        kept = _copy_params(params or {})
        kept["version"] = _version()

        self._graph = graph
        self._layers: dict[str, Partition] = dict(zip(names, layers, strict=True))
        self._params = kept
        self._nesting = _nesting_table(layers)
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ access
    @property
    def graph(self) -> FlowGraph:
        """The FlowGraph the layers were delineated on."""
        return self._graph

    @property
    def layers(self) -> tuple[str, ...]:
        """Layer names, top layer first."""
        return tuple(self._layers)

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameters of the run (read-only; ``"version"`` is the library version)."""
        return MappingProxyType(_copy_params(self._params))

    def __getitem__(self, layer: str) -> Partition:
        try:
            return self._layers[layer]
        except (KeyError, TypeError):
            raise KeyError(
                f"no layer {layer!r} in this Hierarchy; its layers are "
                f"{', '.join(map(repr, self._layers))}"
            ) from None

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layers)

    def __contains__(self, layer: object) -> bool:
        return isinstance(layer, str) and layer in self._layers

    def with_geometry(self, geometry, **kwargs) -> Hierarchy:
        """The same Hierarchy over ``graph.with_geometry(geometry, **kwargs)``.

        Use it to attach zone polygons before :meth:`to_geodataframe`, :meth:`dissolve`,
        :meth:`to_gpkg` or :meth:`to_parquet` when the graph was built without them; the
        arguments are those of :meth:`regionalize.FlowGraph.with_geometry`.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> g = rz.FlowGraph.from_matrix([[9, 1, 0], [5, 5, 0], [0, 0, 9]], ["a", "b", "c"])
        >>> h = rz.Hierarchy(g, [rz.metropolitan_areas(g, ["a"])])
        >>> squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 0, 6, 1)]
        >>> h = h.with_geometry(gpd.GeoSeries(squares, index=["a", "b", "c"], crs=3035))
        >>> h.dissolve("metropolitan").geometry.iloc[0].bounds  # a and b as one polygon
        (0.0, 0.0, 2.0, 1.0)
        """
        graph = self._graph.with_geometry(geometry, **kwargs)
        params = {k: v for k, v in self._params.items() if k != "version"}
        return Hierarchy(graph, list(self._layers.values()), params=params)

    def with_layers(self, *layers: Partition, params: Mapping[str, Any] | None = None) -> Hierarchy:
        """A new Hierarchy with ``layers`` added below the existing ones (e.g. life zones
        under the urban areas); ``params`` are merged into the run's parameters. The repr
        says when the new layers do not nest (see :meth:`nesting`).

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.with_layers(rz.methods.intramax(h.graph, k=4), params={"intramax": {"k": 4}})
        <Hierarchy over 60 zones: megaregion=1, metropolitan=1, urban=4, intramax=4 (not nested: 3 violations)>
        """
        merged = {**_copy_params(self._params), **_copy_params(params or {})}
        return Hierarchy(self._graph, [*self._layers.values(), *layers], params=merged)

    def labels(self) -> pd.DataFrame:
        """Area id of every zone in every layer (None when unassigned).

        Returns
        -------
        pandas.DataFrame
            Indexed by zone id (graph order), one column per layer, top layer first.

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.labels().head(3)  # doctest: +NORMALIZE_WHITESPACE
               megaregion metropolitan   urban
        zone
        000001     000024       000024  000024
        000002     000024         None    None
        000003       None         None  000012
        """
        data = {name: _none_for_na(p.labels).to_numpy() for name, p in self._layers.items()}
        return pd.DataFrame(data, index=pd.Index(self._graph.ids, name="zone"), dtype=object)

    def area_name(self, layer: str, area_id: str) -> str:
        """The name of area ``area_id`` of ``layer``.

        Raises
        ------
        KeyError
            If the layer or the area does not exist.

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.area_name("urban", "000012")
        'Vimarar'
        """
        areas = self[layer].areas
        if area_id not in areas.index:
            raise KeyError(f"no area {area_id!r} in layer {layer!r}")
        return areas.at[area_id, "name"]

    # ------------------------------------------------------------------ nesting
    def nesting(self) -> pd.DataFrame:
        """Areas of a lower layer that do not lie within one area of an upper layer.

        Every pair of layers is checked (each layer against every layer above it, not only
        the next one), except layers standing side by side (the same ``side_by_side``
        parameter, as the service layers of life zones). Being unassigned in the upper layer counts as one label of its own:
        an urban area entirely outside all metropolitan areas is nested, one straddling a
        metropolitan boundary is not.

        Returns
        -------
        pandas.DataFrame
            One row per violation, with columns ``upper`` and ``lower`` (layer names),
            ``area`` (the lower area), ``upper_labels`` (tuple of the upper labels its zones
            fall in, most zones first, ``None`` for unassigned) and ``n_zones`` (zones of
            the lower area). Empty when the layers nest.

        See Also
        --------
        regionalize.Hierarchy.check_nesting : Raise when the layers do not nest.

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.nesting().empty  # delineate's layers nest
        True
        >>> h = h.with_layers(rz.methods.intramax(h.graph, k=4))
        >>> h.nesting()[["upper", "lower", "area", "n_zones"]]
                  upper     lower    area  n_zones
        0    megaregion  intramax  000041       46
        1  metropolitan  intramax  000041       46
        2         urban  intramax  000041       46
        """
        return self._nesting.copy()

    @property
    def is_nested(self) -> bool:
        """Whether every lower area lies within one label of every layer above it."""
        return self._nesting.empty

    def check_nesting(self) -> None:
        """Raise :class:`~regionalize.InvalidZonesError` listing the violations when layers do
        not nest.

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.check_nesting()  # nested: nothing happens
        >>> h.with_layers(rz.methods.intramax(h.graph, k=4)).check_nesting()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidZonesError: Layers are not nested: 1 areas of 'intramax' straddling areas of 'megaregion' (first: 000041 across (unassigned) + 000024); ...
        """
        problems = Problems("Layers are not nested")
        for (upper, lower), rows in self._nesting.groupby(["upper", "lower"], sort=False):
            examples = [
                f"{r.area} across {' + '.join(_label_text(u) for u in r.upper_labels)}"
                for r in rows.itertuples()
            ]
            problems.add(f"areas of {lower!r} straddling areas of {upper!r}", examples)
        if len(problems):
            raise InvalidZonesError(
                problems.message() + " Each lower area must lie within one upper area, or "
                "entirely outside all of them; Hierarchy.nesting() lists every violation."
            )

    # ------------------------------------------------------------------ tables
    def summary(self, layer: str, *, include_unassigned: bool = False) -> pd.DataFrame:
        """Per-area table of a layer: names, centres, size, totals and self-containment.

        Parameters
        ----------
        layer : str
        include_unassigned : bool
            Add the layer's unassigned zones as one final row indexed ``"(unassigned)"``
            (they are not an area: their ``internal`` and self-containment are NaN).

        Returns
        -------
        pandas.DataFrame
            Indexed by area id (in the layer's order), with columns ``name``, ``kind``,
            ``centres`` (central zone ids joined by ``"+"``), ``centre_names`` (their names
            from the zone table's ``name`` column, else their ids), ``n_zones``,
            ``residents``, ``jobs``, ``population`` (only when the zone table has one),
            ``internal`` (flows between zones of the area, diagonal included),
            ``self_containment_supply`` (internal / residents) and
            ``self_containment_demand`` (internal / jobs), then any further columns of the
            layer's area table. Without a diagonal in the flows both self-containments are
            NaN and ``attrs["note"]`` says why.

        Notes
        -----
        Internal flows come from the sparse quotient graph
        (:meth:`regionalize.FlowGraph.aggregate`); residents and jobs are the graph's (supplied
        or matrix) totals summed per area. Population is summed skipping missing values (NaN
        only when all are missing).

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> cols = ["name", "n_zones", "residents", "jobs", "self_containment_supply"]
        >>> h.summary("urban")[cols].round(3)  # doctest: +NORMALIZE_WHITESPACE
                   name  n_zones  residents      jobs  self_containment_supply
        area
        000024    Udaec       30   123920.0  124404.0                    1.000
        000041   Faviar        6      992.0    1120.0                    0.717
        000012  Vimarar       11     3104.0    2776.0                    0.825
        000048   Eludal        7     1236.0    1214.0                    0.778
        """
        p = self[layer]
        key = ("summary", layer)
        if key not in self._cache:
            self._cache[key] = self._summary(p)
        table, unassigned_row = self._cache[key]
        out = table.copy()
        if include_unassigned:
            if UNASSIGNED in out.index:
                raise InvalidZonesError(
                    f"Layer {layer!r} has an area with id {UNASSIGNED!r}, which would clash "
                    "with the row of unassigned zones; rename that area."
                )
            if unassigned_row is not None:
                out = pd.concat([out, unassigned_row.copy()])
                out.index.name = "area"
        if not self._graph.has_diagonal:
            out.attrs["note"] = NO_DIAGONAL_NOTE
        return out

    def _summary(self, p: Partition) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        g = self._graph
        areas = p.areas
        k = len(areas)
        codes = p.codes()
        slot = codes + 1  # 0 = unassigned, 1..k = areas in table order
        zones = g.zones

        # internal flows from the sparse quotient graph (one group for the unassigned)
        q = g.aggregate(codes.astype(str), dissolve=False)
        q_slot = np.asarray(q.ids, dtype=np.int64) + 1
        internal = np.zeros(k + 1)
        internal[q_slot] = q.internal

        residents = np.bincount(slot, weights=g.residents, minlength=k + 1)
        jobs = np.bincount(slot, weights=g.jobs, minlength=k + 1)
        n_zones = np.bincount(slot, minlength=k + 1)

        names = None
        if "name" in zones.columns:
            names = zones["name"]
        centres = [_as_tuple(c) for c in areas["centres"]]

        def centre_names(cs: tuple[str, ...]) -> str:
            if names is None:
                return "+".join(cs)
            out = []
            for c in cs:
                v = names.get(c)
                out.append(c if v is None or pd.isna(v) else str(v))
            return "+".join(out)

        with np.errstate(divide="ignore", invalid="ignore"):
            supply = np.where(residents > 0, internal / residents, np.nan)
            demand = np.where(jobs > 0, internal / jobs, np.nan)
        if not g.has_diagonal:
            supply[:] = np.nan
            demand[:] = np.nan

        index = pd.Index(areas.index, name="area")
        cols: dict[str, Any] = {
            "name": areas["name"].to_numpy(),
            "kind": areas["kind"].to_numpy(),
            "centres": ["+".join(cs) for cs in centres],
            "centre_names": [centre_names(cs) for cs in centres],
            "n_zones": n_zones[1:],
            "residents": residents[1:],
            "jobs": jobs[1:],
        }
        population = None
        if "population" in zones.columns:
            pop = pd.to_numeric(zones["population"], errors="coerce").to_numpy(dtype=float)
            population = (
                pd.Series(pop)
                .groupby(slot)
                .sum(min_count=1)
                .reindex(range(k + 1))
                .to_numpy(dtype=float)
            )
            cols["population"] = population[1:]
        cols.update(
            {
                "internal": internal[1:],
                "self_containment_supply": supply[1:],
                "self_containment_demand": demand[1:],
            }
        )
        table = pd.DataFrame(cols, index=index)
        extra = [c for c in areas.columns if c not in AREA_COLUMNS and c not in table.columns]
        for c in extra:
            table[c] = areas[c].to_numpy()

        unassigned_row = None
        if n_zones[0]:
            row: dict[str, Any] = {
                "name": [UNASSIGNED],
                "kind": ["unassigned"],
                "centres": [""],
                "centre_names": [""],
                "n_zones": [n_zones[0]],
                "residents": [residents[0]],
                "jobs": [jobs[0]],
            }
            if population is not None:
                row["population"] = [population[0]]
            row.update(
                {
                    "internal": [np.nan],
                    "self_containment_supply": [np.nan],
                    "self_containment_demand": [np.nan],
                }
            )
            for c in extra:
                row[c] = [None]
            unassigned_row = pd.DataFrame(row, index=pd.Index([UNASSIGNED], name="area"))
            unassigned_row = unassigned_row.astype(table.dtypes.to_dict(), errors="ignore")
        return table, unassigned_row

    def to_frame(self) -> pd.DataFrame:
        """Zone table: every zone with its area, area name, role, order, strength and reason
        in every layer.

        Returns
        -------
        pandas.DataFrame
            Indexed by zone id (graph order): ``name`` (when the zone table has one), then
            for each layer, top first, ``{layer}`` (area id, missing when unassigned),
            ``{layer}_name``, ``{layer}_role``, ``{layer}_order`` (nullable integer),
            ``{layer}_strength`` and ``{layer}_reason``. Text columns have pandas' string
            dtype (missing values are NaN; :meth:`labels` gives None instead).

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> h.to_frame().loc["000003", ["name", "urban", "urban_name", "urban_role"]].to_dict()
        {'name': 'Lamaum', 'urban': '000012', 'urban_name': 'Vimarar', 'urban_role': 'member'}
        """
        index = pd.Index(self._graph.ids, name="zone")
        cols: dict[str, Any] = {}
        zones = self._graph.zones
        if "name" in zones.columns:
            cols["name"] = _none_for_na(zones["name"]).to_numpy()
        for name, p in self._layers.items():
            d = p.details
            areas = p.areas
            area = _none_for_na(d["area"])
            area_names = area.map(lambda a, n=areas["name"]: None if a is None else n.get(a))
            cols[name] = area.to_numpy()
            cols[f"{name}_name"] = _none_for_na(area_names).to_numpy()
            cols[f"{name}_role"] = _none_for_na(d["role"]).to_numpy()
            cols[f"{name}_order"] = _nullable_int(d["order"])
            cols[f"{name}_strength"] = pd.to_numeric(d["strength"], errors="coerce").to_numpy(
                dtype=float
            )
            cols[f"{name}_reason"] = _none_for_na(d["reason"]).to_numpy()
        return pd.DataFrame(cols, index=index)

    # ------------------------------------------------------------------ geometry
    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The zones with their polygons and the :meth:`to_frame` columns.

        Returns
        -------
        geopandas.GeoDataFrame
            Indexed by zone id, in the graph's CRS.

        Raises
        ------
        InvalidZonesError
            If the graph has no geometry (attach it with :meth:`with_geometry`).

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> zones = h.to_geodataframe()
        >>> zones.crs.to_string(), zones.shape
        ('EPSG:3035', (60, 20))
        """
        import geopandas as gpd

        geom = self._graph.geometry
        if geom is None:
            raise no_geometry_error("make a GeoDataFrame of the zones")
        frame = self.to_frame()
        return gpd.GeoDataFrame(
            frame, geometry=geom.geometry.reindex(frame.index).to_numpy(), crs=geom.crs
        )

    def dissolve(self, layer: str, *, include_unassigned: bool = False) -> gpd.GeoDataFrame:
        """One (multi)polygon per area of ``layer``: the union of its zones, with the
        :meth:`summary` columns.

        Parameters
        ----------
        layer : str
        include_unassigned : bool
            Add the union of the unassigned zones as a final row ``"(unassigned)"``.

        Returns
        -------
        geopandas.GeoDataFrame
            Indexed by area id, in the graph's CRS.

        Raises
        ------
        InvalidZonesError
            If the graph has no geometry (attach it with :meth:`with_geometry`).

        Examples
        --------
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> areas = h.dissolve("urban")  # one polygon per area, with the summary columns
        >>> (areas.set_index("name").area / 1e6).round().to_dict()  # km² (EPSG:3035 is metric)
        {'Udaec': 1594.0, 'Faviar': 450.0, 'Vimarar': 454.0, 'Eludal': 215.0}
        """
        import geopandas as gpd
        import shapely

        p = self[layer]
        geom = self._graph.geometry
        if geom is None:
            raise no_geometry_error(f"dissolve layer {layer!r}")
        table = self.summary(layer, include_unassigned=include_unassigned)
        key = ("dissolve", layer)
        if key not in self._cache:
            codes = p.codes()
            polys = geom.geometry.to_numpy()
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(-1, p.n_areas + 1))
            unions = [
                shapely.union_all(polys[order[bounds[j] : bounds[j + 1]]])
                for j in range(p.n_areas + 1)
            ]
            # slot 0 = unassigned zones, 1..k = areas in table order
            self._cache[key] = np.array(
                [None if u is None or u.is_empty else u for u in unions], dtype=object
            )
        unions = self._cache[key]
        shapes = list(unions[1:]) + ([unions[0]] if len(table) > p.n_areas else [])
        out = gpd.GeoDataFrame(table, geometry=shapes, crs=geom.crs)
        out.attrs = dict(table.attrs)
        return out

    # ------------------------------------------------------------------ writers
    def to_gpkg(self, path: str | PathLike, *, flows: bool = False) -> Path:
        """Write one GeoPackage: zones, one dissolved layer of areas per layer, and the run.

        ``h.to_gpkg(path, flows=flows)`` is :func:`regionalize.io.write_gpkg` (see there for
        the layers of the file) and returns the path written; reload it with :meth:`read`.

        Examples
        --------
        >>> import pathlib, pyogrio, tempfile
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = h.to_gpkg(pathlib.Path(tmp) / "run.gpkg")
        ...     [layer for layer, _ in pyogrio.list_layers(path)]
        ['zones', 'megaregion_areas', 'metropolitan_areas', 'urban_areas', 'run']
        """
        from .io.writers import write_gpkg

        return write_gpkg(self, path, flows=flows)

    def to_parquet(self, folder: str | PathLike, *, flows: bool = False) -> list[Path]:
        """Write GeoParquet files and ``run.json`` into ``folder``.

        ``h.to_parquet(folder, flows=flows)`` is :func:`regionalize.io.write_parquet`: it
        returns the files written, ``run.json`` last. Reload the folder with :meth:`read`.

        Examples
        --------
        >>> import tempfile
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [path.name for path in h.to_parquet(tmp)]
        ['zones.parquet', 'megaregion_areas.parquet', 'metropolitan_areas.parquet', 'urban_areas.parquet', 'run.json']
        """
        from .io.writers import write_parquet

        return write_parquet(self, folder, flows=flows)

    def to_csv(
        self, folder: str | PathLike, *, flows: bool = False, escape_formulas: bool = True
    ) -> list[Path]:
        """Write CSV tables and ``run.json`` into ``folder``; no geometry needed.

        ``h.to_csv(folder, ...)`` is :func:`regionalize.io.write_csv` (text cells that a
        spreadsheet would run as formulas get a leading apostrophe unless
        ``escape_formulas=False``). It returns the files written, ``run.json`` last; reload the
        folder with :meth:`read`.

        Examples
        --------
        >>> import tempfile
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [path.name for path in h.to_csv(tmp)]
        ['zones.csv', 'megaregion_areas.csv', 'metropolitan_areas.csv', 'urban_areas.csv', 'run.json']
        """
        from .io.writers import write_csv

        return write_csv(self, folder, flows=flows, escape_formulas=escape_formulas)

    def to_zone_csv(self, path: str | PathLike, *, escape_formulas: bool = True) -> Path:
        """Write one CSV table, a row per zone with its area (id and name) in every layer.

        ``h.to_zone_csv(path, ...)`` is :func:`regionalize.io.write_zone_table` and returns the
        path. For spreadsheets and joins; use :meth:`to_csv` (a folder) or :meth:`to_gpkg` for
        a run that reloads exactly.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     h.to_zone_csv(pathlib.Path(tmp) / "zones.csv").read_text().splitlines()[:2]
        ['zone,name,megaregion,megaregion_name,metropolitan,metropolitan_name,urban,urban_name', '000001,Perbordaen,000024,Udaec,000024,Udaec,000024,Udaec']
        """
        from .io.writers import write_zone_table

        return write_zone_table(self, path, escape_formulas=escape_formulas)

    @classmethod
    def read(cls, path: str | PathLike, graph: FlowGraph | None = None) -> Hierarchy:
        """Reload a Hierarchy written by :meth:`to_gpkg`, :meth:`to_parquet` or
        :meth:`to_csv`.

        ``Hierarchy.read(path, graph)`` is :func:`regionalize.read_hierarchy`: ``graph`` (the
        flows the run was made from) may be left out when the files were written with
        ``flows=True``.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     back = rz.Hierarchy.read(h.to_gpkg(pathlib.Path(tmp) / "run.gpkg"), h.graph)
        >>> back, back["urban"].equals(h["urban"])
        (<Hierarchy over 60 zones: megaregion=1, metropolitan=1, urban=4>, True)
        """
        from .io.hierarchy_files import read_hierarchy

        return read_hierarchy(path, graph)

    # ------------------------------------------------------------------ display
    def _layer_rows(self) -> list[tuple[str, int, int, str]]:
        rows = []
        counts = self._nesting.groupby("lower").size() if len(self._nesting) else {}
        for k, (name, p) in enumerate(self._layers.items()):
            n_un = int(p.labels.isna().sum())
            if k == 0:
                nested = "—"
            else:
                bad = int(counts.get(name, 0))
                nested = "yes" if not bad else f"no ({bad} violation{'s' if bad != 1 else ''})"
            rows.append((name, p.n_areas, n_un, nested))
        return rows

    def __repr__(self) -> str:
        layers = ", ".join(f"{name}={p.n_areas}" for name, p in self._layers.items())
        text = f"<Hierarchy over {self._graph.n_zones:,} zones: {layers}"
        n = len(self._nesting)
        if n:
            text += f" (not nested: {n} violation{'s' if n != 1 else ''})"
        return text + ">"

    def _repr_html_(self) -> str:
        head = (
            "<tr><th style='text-align:left'>layer</th><th>areas</th>"
            "<th>unassigned zones</th><th>nested?</th></tr>"
        )
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(name)}</th><td>{n:,}</td>"
            f"<td>{u:,}</td><td>{html.escape(nested)}</td></tr>"
            for name, n, u, nested in self._layer_rows()
        )
        caption = f"Hierarchy over {self._graph.n_zones:,} zones"
        if self._graph.name:
            caption += f" of {html.escape(str(self._graph.name))}"
        return f"<table><caption>{caption}</caption>{head}{body}</table>"


# ---------------------------------------------------------------------- helpers
def _copy_params(params: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return copy.deepcopy(dict(params))
    except Exception:  # values that cannot be copied (open handles, ...): keep them as given
        return dict(params)


def _label_text(label: str | None) -> str:
    return UNASSIGNED if label is None else str(label)


def _nullable_int(values: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Link orders as a nullable integer array when they are whole numbers."""
    num = pd.to_numeric(values, errors="coerce")
    try:
        return pd.array(num, dtype="Int64")
    except (TypeError, ValueError):  # non-integral orders: keep them as floats
        return num.to_numpy(dtype=float)


def _check_names(names: list[str]) -> None:
    bad = [n for n in names if not isinstance(n, str) or not n.strip()]
    if bad:
        raise InvalidParameterError(f"Layer names must be non-empty text; got {bad!r}.")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidParameterError(
            f"Layer names must be unique; repeated: {', '.join(map(repr, dup))}. Give each "
            "Partition its own name."
        )
    reserved = {"name", "zone", "geometry"}
    clash = [n for n in names if n in reserved]
    if clash:
        raise InvalidParameterError(
            f"Layer names {', '.join(map(repr, clash))} are reserved (they are columns of "
            "the zone table: 'name', 'zone', 'geometry'); rename the layer."
        )
    columns = [n + s for n in names for s in _ZONE_SUFFIXES]
    dup_cols = sorted({c for c in columns if columns.count(c) > 1})
    if dup_cols:
        raise InvalidParameterError(
            f"Layer names give clashing zone-table columns ({', '.join(map(repr, dup_cols))}); "
            "rename a layer so that no name is another's name plus '_name', '_role', "
            "'_order', '_strength' or '_reason'."
        )


def _check_zones(p: Partition, graph: FlowGraph) -> None:
    if p.ids.equals(graph.ids):
        return
    problems = Problems(f"Layer {p.name!r} does not have the zones of the graph")
    missing = graph.ids.difference(p.ids, sort=False)
    extra = p.ids.difference(graph.ids, sort=False)
    problems.add("graph zones missing from the layer", list(missing[:3]), count=len(missing))
    problems.add("layer zones not in the graph", list(extra[:3]), count=len(extra))
    if not len(problems):
        if len(p.ids) != len(graph.ids):
            problems.add("repeated zone ids in the layer", list(p.ids[p.ids.duplicated()][:3]))
        else:
            first = int(np.flatnonzero(p.ids.to_numpy() != graph.ids.to_numpy())[0])
            problems.add(
                "zones in another order than the graph",
                [f"position {first}: {p.ids[first]} instead of {graph.ids[first]}"],
                count=1,
            )
    msg = problems.message() + (
        " Build each layer on this graph, with its ids in graph order "
        "(Partition(name, graph.ids, ...))."
    )
    raise InvalidZonesError(msg)


def _side_by_side(a: Partition, b: Partition) -> bool:
    """Layers tagged with the same ``side_by_side`` parameter (e.g. the service layers of
    life zones) stand beside each other: neither is above the other."""
    tag = a.params.get("side_by_side")
    return tag is not None and tag == b.params.get("side_by_side")


def _nesting_table(layers: list[Partition]) -> pd.DataFrame:
    rows = []
    for i, upper in enumerate(layers):
        cu = upper.codes()
        upper_ids = list(upper.areas.index)
        for lower in layers[i + 1 :]:
            if _side_by_side(upper, lower):
                continue
            cl = lower.codes()
            inside = cl >= 0
            pairs = pd.DataFrame({"lower": cl[inside], "upper": cu[inside]})
            counts = pairs.value_counts()  # (lower, upper) -> zones
            n_labels = counts.groupby(level="lower").size()
            bad = n_labels.index[n_labels.to_numpy() > 1]
            if not len(bad):
                continue
            lower_ids = list(lower.areas.index)
            sizes = np.bincount(cl[inside], minlength=lower.n_areas)
            for code in sorted(bad):
                sub = counts.xs(code, level="lower")
                ranked = sorted(sub.items(), key=lambda kv: (-kv[1], kv[0] < 0, kv[0]))
                labels = tuple(None if u < 0 else upper_ids[u] for u, _ in ranked)
                rows.append((upper.name, lower.name, lower_ids[code], labels, int(sizes[code])))
    out = pd.DataFrame(rows, columns=_NESTING_COLUMNS)
    return out.astype(
        {
            "upper": object,
            "lower": object,
            "area": object,
            "upper_labels": object,
            "n_zones": np.int64,
        }
    )
