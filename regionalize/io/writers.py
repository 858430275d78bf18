"""Writers for a :class:`~regionalize.hierarchy.Hierarchy`: GeoPackage, GeoParquet and CSV.

Every file is written atomically: to a
hidden temporary file in the destination folder, then renamed over the destination, so an
interrupted run never leaves a partial file under the final name, an existing file is
replaced only once the new one is complete, and a symbolic link planted at a destination is
replaced, never followed. In a folder, ``run.json`` is written last and lists every file of
the run with its SHA-256 digest and size (``files``) under a fresh ``run_id``: a reader
(:func:`~regionalize.read_hierarchy`) refuses a table that is not the
one ``run.json`` recorded, so files of two runs (a rewrite interrupted before ``run.json``)
are never paired. Output paths are checked before anything is written.

CSV cells are safe to open in a spreadsheet: a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe (the usual convention against
formula injection), recorded in ``run.json``
(``csv_formulas: "escaped"``) and undone when the folder is read back. Pass
``escape_formulas=False`` for the raw values.

:func:`write_zone_table` writes one CSV file instead: a row per zone with its area in every
layer (the table a spreadsheet user or a join in a GIS wants), with the same formula
protection; it is not meant to be read back into a Hierarchy (no ``run.json``).

Tuple-valued cells (such as the central zones of an area) are written as ``"+"``-joined text
in every format (as a JSON list when an id itself holds a ``+``: :func:`tuple_text`); zone
ids are always written as text, leading zeros kept. Besides the
:meth:`regionalize.Hierarchy.to_frame` columns, the zone table holds ``{layer}_share`` and
``{layer}_via`` (the link that attached each zone), so that
:func:`regionalize.read_hierarchy` rebuilds every layer exactly. With
``flows=True`` the flows (``flows``: origin, destination, flow) and the zone attributes
(``zone_table``) are written too, and the file alone reloads the whole Hierarchy.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._files import (
    atomic_path,
    check_output_file,
    check_output_folder,
    escape_formula,
    file_digest,
)
from .._notes import NO_DIAGONAL_NOTE, no_geometry_error
from ..errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..hierarchy import Hierarchy

__all__ = ["write_gpkg", "write_parquet", "write_csv", "write_zone_table", "run_record"]


# ---------------------------------------------------------------------- run record
def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, PathLike):
        return os.fspath(value)
    if hasattr(value, "isoformat"):  # dates, datetimes, pandas Timestamps
        return value.isoformat()
    if isinstance(value, (pd.Series, pd.Index)):
        return value.tolist()
    return repr(value)


def _clean_floats(value: Any) -> Any:
    # JSON has no NaN / Infinity: write them as null
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _clean_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_floats(v) for v in value]
    return value


def run_record(h: Hierarchy, *, flows: bool = False) -> dict[str, Any]:
    """What ``run.json`` (and the GeoPackage ``run`` table) hold about a Hierarchy.

    Returns
    -------
    dict
        ``version`` (of regionalize), ``layers`` (names, top first), ``params`` (the run's
        parameters, ``version`` included), ``layer_params`` (each Partition's parameters)
        ``graph`` (the FlowGraph's name), ``notes`` (caveats about the results, such as
        flows without a diagonal), ``zones`` (their number), ``totals`` (the zone-table
        columns used as residents / jobs, if any) and ``flows`` (whether the flows were
        written alongside), ``area_columns`` (each layer's own area columns, for the
        reader) and ``tuple_columns`` (those of them holding tuples, written as text).
    """
    params = dict(h.params)
    g = h.graph
    return {
        "version": params.get("version"),
        "layers": list(h.layers),
        "params": params,
        "layer_params": {name: dict(h[name].params) for name in h.layers},
        "graph": g.name,
        "notes": [] if g.has_diagonal else [NO_DIAGONAL_NOTE],
        "zones": g.n_zones,
        "totals": {"residents": g.residents_column, "jobs": g.jobs_column},
        "flows": bool(flows),
        "area_columns": {name: [str(c) for c in h[name].areas.columns] for name in h.layers},
        "tuple_columns": {name: _tuple_columns(h[name].areas) for name in h.layers},
    }


def _tuple_columns(areas: pd.DataFrame) -> list[str]:
    """Area columns (besides ``centres``) holding tuples, written as "+"-joined text."""
    return [
        str(c)
        for c in areas.columns
        if c != "centres"
        and areas[c].dtype == object
        and areas[c].map(lambda v: isinstance(v, tuple)).any()
    ]


def _dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(
        _clean_floats(json.loads(json.dumps(value, default=_json_default))),
        ensure_ascii=False,
        allow_nan=False,
        **kwargs,
    )


# ---------------------------------------------------------------------- cells
def tuple_text(items) -> str:
    """A tuple of ids as one cell: ``"+"``-joined (``"21+26"``), or, when an id itself holds
    a ``+`` or the text would start with ``[``, a JSON list (``'["a+b", "c"]'``), so that
    :func:`text_tuple` always gives the tuple back."""
    texts = ["" if v is None else str(v) for v in items]
    joined = "+".join(texts)
    if any("+" in t for t in texts) or joined.startswith("[") or texts == [""]:
        return json.dumps(texts, ensure_ascii=False)
    return joined


def text_tuple(value: Any) -> tuple[str, ...]:
    """The tuple written by :func:`tuple_text` (empty cells: an empty tuple)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ()
    text = str(value)
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list) and all(isinstance(v, str) for v in items):
            return tuple(items)
    return tuple(text.split("+"))


def _cell_text(value: Any) -> Any:
    if isinstance(value, (tuple, list, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return tuple_text(items)
    if isinstance(value, Mapping):
        return _dumps(value)
    return value


def _text_cells(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with tuple / list / set cells as "+"-joined text and mappings as JSON."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object:
            if s.map(
                lambda v: isinstance(v, (tuple, list, set, frozenset, np.ndarray, Mapping))
            ).any():
                out[col] = s.map(_cell_text)
    return out


# ---------------------------------------------------------------------- files
def area_table_name(layer: str) -> str:
    """``{layer}_areas``: a layer's file or GeoPackage layer name; a layer name that is a
    path (separators, ``.``, ``..``, control characters) is refused, so that no file is
    ever written or read outside the folder."""
    if (
        not isinstance(layer, str)
        or not layer
        or layer in (".", "..")
        or any(sep in layer for sep in ("/", "\\", os.sep, "\0"))
        or any(ord(ch) < 32 for ch in layer)
    ):
        raise InvalidParameterError(
            f"Layer name {layer!r} cannot be used in a file name; rename the layer."
        )
    return f"{layer}_areas"


#: CSV rows end in CR LF (RFC 4180): Python's csv writer then quotes every cell holding a
#: carriage return or a line feed, so that a name such as "x\r=1" stays one cell (with "\n"
#: endings a bare "\r" went out unquoted and spreadsheets started a new row at it)
CSV_LINE_END = "\r\n"


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and column names escaped against spreadsheet formulas."""
    out = frame.copy()
    out.columns = [escape_formula(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_formula)
    return out


class _RunFiles:
    """The files of one run written into a folder, with their digests (for ``run.json``)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.paths: list[Path] = []
        self.digests: dict[str, dict[str, object]] = {}

    def write(self, name: str, write) -> None:
        path = self.folder / name
        with atomic_path(path) as tmp:
            write(tmp)
            self.digests[name] = file_digest(tmp)
        self.paths.append(path)

    def finish(self, record: dict[str, Any]) -> list[Path]:
        record = {**record, "run_id": uuid.uuid4().hex, "files": self.digests}
        run_path = self.folder / "run.json"
        _write_json(record, run_path)
        return [*self.paths, run_path]


def _zones_frame(h: Hierarchy, geometry: bool) -> pd.DataFrame:
    frame = h.to_geodataframe() if geometry else h.to_frame()
    for layer in h.layers:  # the link that attached each zone: nothing lost
        d = h[layer].details
        frame[f"{layer}_share"] = pd.to_numeric(d["share"], errors="coerce").to_numpy(float)
        via = d["via"].astype(object)
        frame[f"{layer}_via"] = via.where(via.notna(), None).to_numpy()
    return _text_cells(frame.reset_index())


def _flow_frames(h: Hierarchy) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flows (long table) and the zone attributes, for ``flows=True``."""
    g = h.graph
    flows = g.to_frame()
    zt = g.zones
    zt.index = pd.Index(g.ids, name="zone")
    return flows, _text_cells(zt.reset_index())


def _areas_frame(h: Hierarchy, layer: str, geometry: bool) -> pd.DataFrame:
    from ..partition import AREA_COLUMNS

    frame = h.dissolve(layer) if geometry else h.summary(layer)
    frame.attrs = {}
    # a layer's own area columns named like a summary column (e.g. TTWA's "residents"):
    # kept beside it as "layer_{name}", so that nothing is lost
    own = h[layer].areas
    # the summary joins central zones with "+" for display; the file keeps them unambiguous
    # (an id holding a "+" is written as a JSON list)
    if "centres" in frame.columns and "centres" in own.columns:
        frame["centres"] = [
            tuple_text(own.at[a, "centres"]) if a in own.index else c
            for a, c in zip(frame.index, frame["centres"], strict=True)
        ]
    for col in own.columns:
        if col not in AREA_COLUMNS and col in frame.columns and not frame[col].equals(own[col]):
            frame[f"layer_{col}"] = own[col].reindex(frame.index).to_numpy()
    return _text_cells(frame.reset_index())


def _write_json(record: dict[str, Any], path: Path) -> None:
    from .._files import write_text

    write_text(path, _dumps(record, indent=2) + "\n")


def _require_geometry(h: Hierarchy, what: str) -> None:
    if h.graph.geometry is None:
        raise no_geometry_error(f"write {what}")


# ---------------------------------------------------------------------- writers
def write_gpkg(h: Hierarchy, path: str | PathLike, *, flows: bool = False) -> Path:
    """Write a Hierarchy to one GeoPackage.

    Layers: ``zones`` (zone polygons with every :meth:`regionalize.Hierarchy.to_frame` column,
    zone id in column ``zone``), ``{layer}_areas`` for each layer (dissolved area polygons with
    the :meth:`regionalize.Hierarchy.summary` columns, area id in column ``area``) and ``run``,
    a non-spatial table with one row: ``version``, ``graph``, and ``layers``, ``params``,
    ``layer_params``, ``notes`` as JSON text, and ``record`` (the whole run record: also the
    number of zones, the total columns, each layer's own area columns) as JSON.

    Parameters
    ----------
    h : Hierarchy
        The delineation; its graph must have polygons.
    path : path
        The GeoPackage to write; an existing file is replaced (once the new one is
        complete), a symbolic link there is replaced, not followed. Its folder must exist.
    flows : bool
        Also write the flows (non-spatial layer ``flows``) and the zone attributes
        (``zone_table``), so that the file alone reloads the Hierarchy.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry.
    InvalidParameterError
        If ``path`` is a folder, its folder does not exist or cannot be written.

    See Also
    --------
    regionalize.Hierarchy.to_gpkg : The same, as a method.
    regionalize.read_hierarchy : Reload the file.

    Examples
    --------
    >>> import pathlib, pyogrio, tempfile
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = rz.io.write_gpkg(h, pathlib.Path(tmp) / "run.gpkg", flows=True)
    ...     urban = pyogrio.read_dataframe(path, layer="urban_areas")
    ...     layers = [name for name, _ in pyogrio.list_layers(path)]
    >>> layers
    ['zones', 'megaregion_areas', 'metropolitan_areas', 'urban_areas', 'flows', 'zone_table', 'run']
    >>> urban[["area", "name", "n_zones", "residents"]]
         area     name  n_zones  residents
    0  000024    Udaec       30   123920.0
    1  000041   Faviar        6      992.0
    2  000012  Vimarar       11     3104.0
    3  000048   Eludal        7     1236.0
    """
    import pyogrio

    _require_geometry(h, "a GeoPackage")
    path = check_output_file(path, "path")
    names = [area_table_name(layer) for layer in h.layers]
    record = {**run_record(h, flows=flows), "run_id": uuid.uuid4().hex}
    run = pd.DataFrame(
        {
            "version": [str(record["version"])],
            "layers": [_dumps(record["layers"])],
            "params": [_dumps(record["params"])],
            "layer_params": [_dumps(record["layer_params"])],
            "graph": [None if record["graph"] is None else str(record["graph"])],
            "notes": [_dumps(record["notes"])],
            "record": [_dumps(record)],
        },
        dtype=object,
    )
    with atomic_path(path, suffix=".gpkg") as tmp:
        _zones_frame(h, geometry=True).to_file(tmp, layer="zones", driver="GPKG", engine="pyogrio")
        for layer, name in zip(h.layers, names, strict=True):
            _areas_frame(h, layer, geometry=True).to_file(
                tmp, layer=name, driver="GPKG", engine="pyogrio"
            )
        if flows:
            flow_table, zone_attrs = _flow_frames(h)
            pyogrio.write_dataframe(flow_table, tmp, layer="flows", driver="GPKG")
            pyogrio.write_dataframe(zone_attrs, tmp, layer="zone_table", driver="GPKG")
        pyogrio.write_dataframe(run, tmp, layer="run", driver="GPKG")
    return path


def write_parquet(h: Hierarchy, folder: str | PathLike, *, flows: bool = False) -> list[Path]:
    """Write a Hierarchy as GeoParquet files in ``folder`` (created if needed).

    Files: ``zones.parquet`` (zone polygons and :meth:`regionalize.Hierarchy.to_frame`
    columns, zone id in column ``zone``), ``{layer}_areas.parquet`` for each layer (dissolved
    polygons and :meth:`regionalize.Hierarchy.summary` columns, area id in column ``area``) and
    ``run.json`` (the run record: regionalize's version, the layers, the run's and each
    layer's parameters, notes, plus the run's ``run_id`` and each file's digest), written
    last. Existing files are replaced; files of layers this Hierarchy does not have are
    left alone (and ignored on reading). With ``flows=True``, ``flows.parquet`` and
    ``zone_table.parquet`` too.

    Parameters
    ----------
    h : Hierarchy
        The delineation; its graph must have polygons.
    folder : path
        Created if needed.
    flows : bool
        Also write the flows and zone attributes (the folder alone then reloads the run).

    Returns
    -------
    list of pathlib.Path
        The files written, ``run.json`` last.

    Raises
    ------
    InvalidZonesError
        If the graph has no geometry.
    InvalidParameterError
        If ``folder`` is a file, or cannot be created or written.

    See Also
    --------
    regionalize.Hierarchy.to_parquet : The same, as a method.
    regionalize.read_hierarchy : Reload the folder.

    Examples
    --------
    >>> import geopandas as gpd, json, tempfile
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = rz.io.write_parquet(h, tmp)
    ...     zones = gpd.read_parquet(files[0])
    ...     run = json.loads(files[-1].read_text())
    >>> [f.name for f in files]
    ['zones.parquet', 'megaregion_areas.parquet', 'metropolitan_areas.parquet', 'urban_areas.parquet', 'run.json']
    >>> zones.crs.to_string(), run["layers"], sorted(run["files"])[-1]
    ('EPSG:3035', ['megaregion', 'metropolitan', 'urban'], 'zones.parquet')
    """
    _require_geometry(h, "GeoParquet")
    names = [area_table_name(layer) for layer in h.layers]
    run = _RunFiles(check_output_folder(folder, "folder"))
    run.write(
        "zones.parquet", lambda tmp: _zones_frame(h, geometry=True).to_parquet(tmp, index=False)
    )
    for layer, name in zip(h.layers, names, strict=True):
        run.write(
            f"{name}.parquet",
            lambda tmp, layer=layer: _areas_frame(h, layer, geometry=True).to_parquet(
                tmp, index=False
            ),
        )
    if flows:
        for name, frame in zip(("flows", "zone_table"), _flow_frames(h), strict=True):
            run.write(
                f"{name}.parquet", lambda tmp, frame=frame: frame.to_parquet(tmp, index=False)
            )
    return run.finish(run_record(h, flows=flows))


def write_csv(
    h: Hierarchy, folder: str | PathLike, *, flows: bool = False, escape_formulas: bool = True
) -> list[Path]:
    """Write a Hierarchy as CSV tables in ``folder`` (created if needed); no geometry needed.

    Files: ``zones.csv`` (the :meth:`regionalize.Hierarchy.to_frame` table, zone id in the
    first column ``zone``), ``{layer}_areas.csv`` for each layer (the
    :meth:`regionalize.Hierarchy.summary` table, area id in the first column ``area``,
    ``centres`` as "+"-joined text) and ``run.json`` (the run record: regionalize's version,
    the layers, the run's and each layer's parameters, notes, plus the run's ``run_id`` and
    each file's digest), written last. UTF-8, comma-separated, missing values empty. Read ids
    back as text (``pandas.read_csv(..., dtype={"zone": str})``, and ``area`` and
    ``centres`` likewise) to keep leading zeros, or reload everything with
    :func:`regionalize.read_hierarchy`. With ``flows=True``, ``flows.csv`` and
    ``zone_table.csv`` too.

    Parameters
    ----------
    h : Hierarchy
        The delineation (polygons not needed).
    folder : path
        Created if needed.
    flows : bool
        Also write the flows and zone attributes (the folder alone then reloads the run).
    escape_formulas : bool
        Protect spreadsheets (default): a text cell or column name starting with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading
        apostrophe, so that Excel or LibreOffice show it as text instead of running it as
        a formula (CSV or formula injection). ``read_hierarchy`` removes the apostrophes
        again. ``False`` writes every value as it is.

    Returns
    -------
    list of pathlib.Path
        The files written, ``run.json`` last.

    Raises
    ------
    InvalidParameterError
        If ``folder`` is a file, or cannot be created or written.

    See Also
    --------
    regionalize.Hierarchy.to_csv : The same, as a method.
    regionalize.io.write_zone_table : One CSV table, a row per zone, for spreadsheets.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = rz.io.write_csv(h, tmp)
    ...     urban = pd.read_csv(files[3], dtype={"area": str, "centres": str})
    >>> [f.name for f in files]
    ['zones.csv', 'megaregion_areas.csv', 'metropolitan_areas.csv', 'urban_areas.csv', 'run.json']
    >>> urban[["area", "name", "centres", "n_zones"]]
         area     name centres  n_zones
    0  000024    Udaec  000024       30
    1  000041   Faviar  000041        6
    2  000012  Vimarar  000012       11
    3  000048   Eludal  000048        7
    """
    names = [area_table_name(layer) for layer in h.layers]
    if not isinstance(escape_formulas, bool):
        raise InvalidParameterError(
            f"The 'escape_formulas' parameter of write_csv must be True or False. "
            f"Got {escape_formulas!r} instead."
        )
    run = _RunFiles(check_output_folder(folder, "folder"))
    safe = _csv_safe if escape_formulas else (lambda frame: frame)

    def csv(frame: pd.DataFrame):
        return lambda tmp: safe(frame).to_csv(
            tmp, index=False, encoding="utf-8", lineterminator=CSV_LINE_END
        )

    run.write("zones.csv", csv(_zones_frame(h, geometry=False)))
    for layer, name in zip(h.layers, names, strict=True):
        run.write(f"{name}.csv", csv(_areas_frame(h, layer, geometry=False)))
    if flows:
        for name, frame in zip(("flows", "zone_table"), _flow_frames(h), strict=True):
            run.write(f"{name}.csv", csv(frame))
    record = run_record(h, flows=flows)
    record["csv_formulas"] = "escaped" if escape_formulas else "raw"
    return run.finish(record)


def write_zone_table(h: Hierarchy, path: str | PathLike, *, escape_formulas: bool = True) -> Path:
    """Write one CSV file: a row per zone with its area in every layer.

    Columns: ``zone`` (the zone id, as text: leading zeros kept), ``name`` (when the zone
    table has names), then for each layer, top first, ``{layer}`` (the area id, empty when
    the zone is in no area of that layer) and ``{layer}_name`` (the area's name). UTF-8,
    comma-separated, zones in graph order. The file is for spreadsheets and joins; to save
    a run that reloads exactly (every link, the parameters), use :func:`write_csv` (a
    folder) or :func:`write_gpkg`.

    Parameters
    ----------
    h : Hierarchy
        The delineation (polygons not needed).
    path : path
        The CSV file; an existing file is replaced once the new one is complete, a symbolic
        link there is replaced, not followed. Its folder must exist.
    escape_formulas : bool
        Protect spreadsheets (default): a text cell starting with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return gets a leading apostrophe, so that a spreadsheet
        shows it as text instead of running it as a formula. ``False`` writes every value
        as it is.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InvalidParameterError
        If ``path`` is a folder, its folder does not exist or cannot be written, or
        ``escape_formulas`` is not a bool.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "a", 9), ("b", "b", 5), ("b", "a", 5), ("c", "c", 9)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
    ...                                                          "destination", "flow"]))
    >>> h = rz.Hierarchy(g, [rz.metropolitan_areas(g, ["a"])])
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = rz.io.write_zone_table(h, pathlib.Path(d) / "zones.csv")
    ...     print(path.read_text().strip())
    zone,metropolitan,metropolitan_name
    a,a,a
    b,a,a
    c,,
    """
    if not isinstance(escape_formulas, bool):
        raise InvalidParameterError(
            f"The 'escape_formulas' parameter of write_zone_table must be True or False. "
            f"Got {escape_formulas!r} instead."
        )
    path = check_output_file(path, "path")
    frame = zone_table(h)
    if escape_formulas:
        frame = _csv_safe(frame)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator=CSV_LINE_END)
    return path


def zone_table(h: Hierarchy) -> pd.DataFrame:
    """The table :func:`write_zone_table` writes (``zone``, ``name``, and ``{layer}``,
    ``{layer}_name`` per layer), as text with missing values as None."""
    full = h.to_frame()
    cols = (["name"] if "name" in full.columns else []) + [
        c for layer in h.layers for c in (layer, f"{layer}_name")
    ]
    frame = full[cols].astype(object)
    frame = frame.where(frame.notna(), None)
    return _text_cells(frame.reset_index())
