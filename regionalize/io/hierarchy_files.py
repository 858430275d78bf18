"""Reading a delineation back: the files of :mod:`regionalize.io.writers` into a Hierarchy.

A planner saves a run (``h.to_gpkg("run.gpkg")``, ``h.to_parquet(folder)``,
``h.to_csv(folder)``) and reloads it later with :func:`read_hierarchy` (or
``Hierarchy.read``): the same layers, labels, area names, central zones, roles, link orders,
shares, strength classes, reasons and parameters. The flows are needed too (summaries are
computed from them): pass the FlowGraph the run was made from, or write with
``flows=True`` so that the file carries them.

Reading trusts nothing in the files: ``run.json`` must be valid and complete, the layer
names it lists are names, never paths (no file outside the folder is opened), each table
must be the one ``run.json`` recorded (same SHA-256 digest: files of two runs are never
paired), and every column must hold what it should (an order column turned to text is an
error, not a zero). Anything else is one :class:`~regionalize.errors.InvalidFileError`
naming the file and the problem; no parser's own exception reaches the caller.
"""

from __future__ import annotations

import json
import warnings
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._files import file_digest, unescape_formula
from ..errors import (
    DataNotFoundError,
    InvalidFileError,
    InvalidParameterError,
    InvalidZonesError,
    Problems,
    RegionalizeError,
)
from .writers import area_table_name, text_tuple

if TYPE_CHECKING:
    from ..flows import FlowGraph


__all__ = ["read_hierarchy"]

#: columns of the written area tables that come from the summary, not from the layer
_SUMMARY_COLUMNS = {
    "name",
    "kind",
    "centres",
    "centre_names",
    "n_zones",
    "residents",
    "jobs",
    "population",
    "internal",
    "self_containment_supply",
    "self_containment_demand",
    "geometry",
    "area",
}


_REWRITE = "write the run again (Hierarchy.to_gpkg / to_parquet / to_csv)"


def _damaged(path: Path, problem: str, fix: str = _REWRITE) -> InvalidFileError:
    return InvalidFileError(f"{path} {problem}; {fix}.")


def _read_csv(path: Path, escaped: bool = False) -> pd.DataFrame:
    # every cell as text first: ids keep their zeros and a name "NA" stays a name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    if escaped:  # written with escape_formulas=True: the apostrophes come off again
        frame.columns = [unescape_formula(c) for c in frame.columns]
        for col in frame.columns:
            frame[col] = frame[col].map(unescape_formula)
    return frame


def _run_record(run_path: Path) -> dict[str, Any]:
    try:
        record = json.loads(run_path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise _damaged(run_path, "is not UTF-8 text: it is not a run record") from None
    except json.JSONDecodeError as exc:
        raise _damaged(
            run_path,
            f"is damaged (not valid JSON: {exc.msg} at line "
            f"{exc.lineno}, column {exc.colno}; truncated?)",
        ) from None
    return _check_record(record, run_path)


def _check_record(record: Any, where: Path) -> dict[str, Any]:
    """The run record's shape: a mapping whose layers are names (never paths)."""
    if not isinstance(record, dict):
        raise _damaged(where, f"holds a {type(record).__name__}, not a run record")
    layers = record.get("layers")
    if not isinstance(layers, list) or not layers:
        raise _damaged(where, "lists no layers (the 'layers' entry is missing or empty)")
    for layer in layers:
        try:
            area_table_name(layer)
        except InvalidParameterError:
            raise _damaged(
                where,
                f"names a layer {layer!r} that is not a plain name (a "
                "path, or empty): it was edited or forged; nothing outside the "
                "folder is read",
            ) from None
    if len(set(layers)) != len(layers):
        raise _damaged(where, f"lists a layer twice ({layers})")
    for key in ("params", "layer_params", "area_columns", "tuple_columns", "totals", "files"):
        if key in record and record[key] is not None and not isinstance(record[key], dict):
            raise _damaged(where, f"has a {key!r} entry that is not a mapping")
    return record


def _check_digest(path: Path, record: dict[str, Any], verify: bool) -> None:
    files = record.get("files")
    if not verify or files is None:  # runs written before digests were recorded
        return
    expected = files.get(path.name)
    if expected is None:
        raise _damaged(
            path,
            "is not among the files run.json recorded",
            "write the run again, or pass verify=False to read it as it is",
        )
    if file_digest(path) != expected:
        raise _damaged(
            path,
            "is not the file run.json recorded (another run wrote it, e.g. a rewrite "
            "of the folder interrupted before run.json, or it was changed after the run)",
            "write the run again, or pass verify=False to read the files as they are",
        )


def _tables(
    path: Path, verify: bool = True
) -> tuple[
    dict[str, Any],
    pd.DataFrame,
    dict[str, pd.DataFrame],
    pd.DataFrame | None,
    pd.DataFrame | None,
    Any,
]:
    """Read the run record, zones, area tables, flows, zone attributes and zone geometry
    (or None) of a written hierarchy."""
    if path.is_dir():
        run_path = path / "run.json"
        if not run_path.exists():
            raise DataNotFoundError(
                f"No run.json in {path}: the folder was not written by Hierarchy.to_csv / "
                "to_parquet, or the writing was interrupted (run.json is written last)."
            )
        record = _run_record(run_path)
        parquet = (path / "zones.parquet").exists()
        suffix = ".parquet" if parquet else ".csv"
        escaped = record.get("csv_formulas") == "escaped"

        def read(name):
            f = path / f"{name}{suffix}"
            if not f.is_file():
                raise DataNotFoundError(
                    f"No such file: {f}; run.json lists it, so the folder is incomplete: "
                    f"{_REWRITE}."
                )
            _check_digest(f, record, verify)
            try:
                if not parquet:
                    return _read_csv(f, escaped)
                if name == "zones" or name.endswith("_areas"):
                    import geopandas as gpd

                    return gpd.read_parquet(f)
                return pd.read_parquet(f)
            except RegionalizeError:
                raise
            except Exception as exc:  # noqa: BLE001 - any parser's error, named
                raise _damaged(
                    f, f"cannot be read as {suffix[1:].upper()} ({type(exc).__name__}: {exc})"
                ) from None

        def exists(name):
            return (path / f"{name}{suffix}").exists()

        zones = read("zones")
        areas = {layer: read(area_table_name(layer)) for layer in record["layers"]}
        flows = read("flows") if record.get("flows") and exists("flows") else None
        attrs = read("zone_table") if record.get("flows") and exists("zone_table") else None
    else:
        if not path.exists():
            raise DataNotFoundError(f"No such file: {path}.")
        import pyogrio

        try:
            with warnings.catch_warnings(record=True) as said:  # GDAL's doubts, kept
                warnings.simplefilter("always")
                layers = {name for name, _ in pyogrio.list_layers(path)}
        except Exception as exc:  # noqa: BLE001 - GDAL's error, named
            raise _damaged(
                path,
                f"cannot be opened as a GeoPackage ({type(exc).__name__}: "
                f"{exc}): it is not a file written by Hierarchy.to_gpkg, or it is "
                "damaged",
            ) from None
        if said and not {"run", "zones"} <= layers:
            raise _damaged(
                path,
                f"is not a readable GeoPackage ({said[0].message}): it was "
                "not written by Hierarchy.to_gpkg, or it is damaged",
            )
        if "run" not in layers or "zones" not in layers:
            raise InvalidZonesError(
                f"{path.name} has no 'run' and 'zones' layers: it was not written by "
                "Hierarchy.to_gpkg."
            )

        def layer(name):
            if name not in layers:
                raise _damaged(
                    path,
                    f"has no layer {name!r}, which its run record lists (the layer was dropped)",
                )
            try:
                return pyogrio.read_dataframe(path, layer=name)
            except Exception as exc:  # noqa: BLE001 - GDAL's error, named
                raise _damaged(
                    path, f"has a layer {name!r} that cannot be read ({type(exc).__name__}: {exc})"
                ) from None

        run = layer("run")
        try:
            if "record" in run.columns:
                record = json.loads(run.at[0, "record"])
            else:  # files written before the full record was stored
                record = {
                    c: json.loads(run.at[0, c])
                    for c in ("layers", "params", "layer_params", "notes")
                }
                record.update(version=run.at[0, "version"], graph=run.at[0, "graph"])
        except (KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
            raise _damaged(
                path, f"has a damaged 'run' layer ({type(exc).__name__}: {exc})"
            ) from None
        record = _check_record(record, path)
        zones = layer("zones")
        areas = {name: layer(area_table_name(name)) for name in record["layers"]}
        flows = layer("flows") if "flows" in layers else None
        attrs = layer("zone_table") if "zone_table" in layers else None
    _check_columns(path, zones, ["zone"], "zones")
    for name, table in areas.items():
        _check_columns(
            path, table, ["area", "name", "centres", "kind", "n_zones"], area_table_name(name)
        )
    if flows is not None:
        _check_columns(path, flows, ["origin", "destination", "flow"], "flows")
    if attrs is not None:
        _check_columns(path, attrs, ["zone"], "zone_table")
    geometry = None
    if "geometry" in zones.columns:
        import geopandas as gpd

        geometry = gpd.GeoDataFrame(
            {"geometry": zones.geometry.to_numpy()},
            index=pd.Index(_text(zones["zone"]), name="zone"),
            crs=zones.crs,
        )
    return record, zones, areas, flows, attrs, geometry


def _check_columns(path: Path, table: pd.DataFrame, needed: list[str], what: str) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise _damaged(
            path,
            f"has no column {', '.join(map(repr, missing))} in its {what!r} "
            "table (it was edited, or not written by regionalize)",
        )


def _strict_number(values: pd.Series, path: Path, column: str) -> np.ndarray:
    """Numbers from a column that must hold numbers (or be empty); text is an error."""
    if pd.api.types.is_bool_dtype(values):
        raise _damaged(path, f"has booleans in column {column!r}, where numbers are expected")
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() & values.notna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        bad &= values.astype(str).str.strip().ne("")
    if bad.any():
        first = values[bad].iloc[0]
        raise _damaged(
            path,
            f"has {int(bad.sum())} value(s) in column {column!r} that are "
            f"not numbers (first: {first!r}): the column was edited into text",
            f"restore the numbers, or {_REWRITE}",
        )
    return num.to_numpy(dtype=float)


def _text(values: pd.Series) -> list[str | None]:
    return [
        None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        for v in values.tolist()
    ]


def _number(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _graph_from_file(record, flows, attrs, geometry, path: Path):
    from ..flows import FlowGraph

    if flows is None:
        raise InvalidParameterError(
            f"{path.name} holds the delineation but not the flows it was made from. Pass "
            "graph= (the FlowGraph of the run, e.g. read_hierarchy(path, graph=g)), or write "
            "the run with flows=True (h.to_gpkg(path, flows=True)) so that the file alone "
            "reloads it."
        )
    table = attrs.copy()
    table["zone"] = _text(table["zone"])
    table = table.set_index("zone")
    for col in table.columns:  # attributes written as text in CSV: numbers back
        if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
            conv = pd.to_numeric(table[col], errors="coerce")
            if conv.notna().sum() == table[col].notna().sum():
                table[col] = conv
    f = pd.DataFrame(
        {
            "origin": _text(flows["origin"]),
            "destination": _text(flows["destination"]),
            "flow": _number(flows["flow"]),
        }
    )
    moe = None
    if "moe" in flows.columns:
        f["moe"] = _number(flows["moe"])
        moe = "moe"
    totals = record.get("totals") or {}
    g = FlowGraph.from_dataframe(
        f,
        moe=moe,
        zones=table,
        extra_zones="keep",
        residents=totals.get("residents"),
        jobs=totals.get("jobs"),
        name=record.get("graph"),
        meta={"source": str(path)},
    )
    if geometry is not None:
        g = g.with_geometry(geometry, missing="keep")
    return g


def _restore(values: pd.Series) -> np.ndarray:
    """A column read as text (CSV) back to booleans or numbers when every value is one."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        return values.to_numpy()
    present = values.dropna().astype(str)
    if not len(present):  # nothing but empty cells: missing numbers
        return np.full(len(values), np.nan)
    if present.isin(["True", "False"]).all():
        if len(present) == len(values):
            return (values.astype(str) == "True").to_numpy()
        return values.map(lambda v: None if pd.isna(v) else v == "True").to_numpy(object)
    num = pd.to_numeric(values, errors="coerce")
    if len(present) and num.notna().sum() == len(present):
        if (
            num.notna().all()
            and (num == num.round()).all()
            and not present.str.contains(r"[.eE]").any()
        ):
            return num.to_numpy(dtype=np.int64)
        return num.to_numpy(dtype=float)
    return np.array(_text(values), dtype=object)


def _layer(
    name: str,
    ids: pd.Index,
    zones: pd.DataFrame,
    areas: pd.DataFrame,
    params: dict[str, Any],
    area_columns: list[str] | None = None,
    tuple_columns: list[str] | None = None,
    path: Path | None = None,
):
    from ..partition import Partition

    path = path or Path(".")
    if name not in zones.columns:
        raise _damaged(
            path, f"has no column {name!r} (the zones' labels of layer {name!r}) in its zones table"
        )
    z = zones.set_index(pd.Index(_text(zones["zone"]), name="zone")).reindex(ids)

    def col(suffix: str) -> pd.Series:
        c = f"{name}{suffix}"
        return z[c] if c in z.columns else pd.Series([None] * len(z), index=z.index)

    order = pd.Series(_strict_number(col("_order"), path, f"{name}_order"), index=z.index)
    if (order.dropna() < 0).any() or not order.dropna().eq(order.dropna().round()).all():
        raise _damaged(
            path,
            f"has link orders in column '{name}_order' that are not whole "
            "numbers >= 0 (it was edited)",
            f"restore them, or {_REWRITE}",
        )
    details = pd.DataFrame(
        {
            "area": _text(col("")),
            "role": _text(col("_role")),
            "order": pd.array(order.round().astype("Float64"), dtype="Int64"),
            "share": _strict_number(col("_share"), path, f"{name}_share"),
            "strength": _strict_number(col("_strength"), path, f"{name}_strength"),
            "via": _text(col("_via")),
            "reason": _text(col("_reason")),
        },
        index=ids,
    )
    a = areas.copy()
    a.index = pd.Index(_text(a["area"]), name="area")
    n_zones = _strict_number(a["n_zones"], path, f"n_zones of {name}_areas")
    if np.isnan(n_zones).any() or (n_zones != np.round(n_zones)).any():
        raise _damaged(
            path,
            f"has zone counts in 'n_zones' of {name}_areas that are missing or not whole numbers",
            f"restore them, or {_REWRITE}",
        )
    table = pd.DataFrame(
        {
            "name": _text(a["name"]),
            "centres": [text_tuple(c) for c in a["centres"]],
            "kind": _text(a["kind"]),
            "n_zones": n_zones.astype(np.int64),
        },
        index=a.index,
    )
    if area_columns is None:  # files written before the area columns were recorded
        area_columns = [
            c for c in a.columns if c not in _SUMMARY_COLUMNS and not str(c).startswith("layer_")
        ]
    for c in area_columns:
        if c in ("name", "centres", "kind", "n_zones"):
            continue
        source = f"layer_{c}" if f"layer_{c}" in a.columns else c
        if source in a.columns:
            if c in (tuple_columns or ()):
                table[c] = [text_tuple(v) for v in a[source]]
            else:
                table[c] = _restore(a[source])
    return Partition(name, ids, details, table, params)


def read_hierarchy(path: str | PathLike, graph: FlowGraph | None = None, *, verify: bool = True):
    """Reload a Hierarchy written by ``to_gpkg``, ``to_parquet`` or ``to_csv``.

    Parameters
    ----------
    path : path
        A GeoPackage, or a folder with ``run.json`` and the Parquet or CSV tables.
    graph : FlowGraph, optional
        The flows the run was made from (its zones must be those of the file). Optional
        when the files were written with ``flows=True``.
    verify : bool
        Check that every table of a folder is the one its ``run.json`` recorded (SHA-256),
        so that files of two runs are never paired (default). ``False`` reads tables that
        were edited by hand as they are; their contents are still checked.

    Returns
    -------
    Hierarchy
        Same layers, labels, area names and central zones, zone roles, orders, shares,
        strength classes, ``via`` and reasons, layer and run parameters. ``params["source"]``
        records the file and the regionalize version that wrote it (``params["version"]``
        is the version running now). A layer's own area columns come back with their
        values: tuples (written as ``"+"``-joined text) as tuples, and, from CSV, numbers
        and booleans as such (other lists and mappings stay text).

    Raises
    ------
    DataNotFoundError
        If the file or folder (or its ``run.json``) is missing.
    InvalidParameterError
        If there is no graph and the file has no flows.
    InvalidZonesError
        If ``graph`` does not have the zones of the file.
    InvalidFileError
        If a file is damaged, edited into an unreadable state, from another run than its
        ``run.json``, or not a file written by regionalize.

    See Also
    --------
    regionalize.io.write_gpkg, regionalize.io.write_parquet, regionalize.io.write_csv

    Examples
    --------
    A run saved as CSV with its flows reloads on its own (without polygons: CSV has none).

    >>> import tempfile
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = h.to_csv(tmp, flows=True)
    ...     back = rz.read_hierarchy(tmp)
    >>> back, back.labels().equals(h.labels()), back["urban"].equals(h["urban"])
    (<Hierarchy over 60 zones: megaregion=1, metropolitan=1, urban=4>, True, True)
    >>> back.graph
    <FlowGraph 'synthetic-60-seed1' of 60 zones and 933 flows (total 130,495; diagonal present)>
    """
    path = Path(path)
    if not isinstance(verify, bool):
        raise InvalidParameterError(
            f"The 'verify' parameter of read_hierarchy must be True or False. Got {verify!r} "
            "instead."
        )
    try:
        return _read(path, graph, verify)
    except RegionalizeError:
        raise
    except OSError as exc:
        raise InvalidFileError(f"Cannot read {path} ({type(exc).__name__}: {exc}).") from None
    except Exception as exc:  # noqa: BLE001 - nothing from a parser escapes unexplained
        raise _damaged(
            path,
            f"cannot be read back as a delineation ({type(exc).__name__}: "
            f"{exc}): it was edited or damaged",
        ) from None


def _read(path: Path, graph, verify: bool):
    from ..hierarchy import Hierarchy

    record, zones, areas, flows, attrs, geometry = _tables(path, verify)
    ids_file = pd.Index(_text(zones["zone"]), dtype=object, name="zone")
    if ids_file.hasnans or ids_file.has_duplicates:
        raise _damaged(path, "has missing or repeated zone ids in its zones table")
    if graph is None:
        graph = _graph_from_file(record, flows, attrs, geometry, path)
    else:
        p = Problems(f"The graph does not have the zones of {path.name}")
        missing = ids_file.difference(graph.ids)
        extra = graph.ids.difference(ids_file)
        p.add("zones of the file not in the graph", list(missing[:3]), count=len(missing))
        p.add(
            "graph zones not in the file",
            list(extra[:3]),
            count=len(extra),
            fix="Pass the FlowGraph the run was made from.",
        )
        p.raise_if_any(InvalidZonesError)
        if geometry is not None and graph.geometry is None:
            graph = graph.with_geometry(geometry, missing="keep")
    layer_params = record.get("layer_params", {})
    area_columns = record.get("area_columns", {})
    tuple_columns = record.get("tuple_columns", {})
    layers = [
        _layer(
            name,
            graph.ids,
            zones,
            areas[name],
            layer_params.get(name, {}),
            area_columns.get(name),
            tuple_columns.get(name),
            path,
        )
        for name in record["layers"]
    ]
    params = {k: v for k, v in record.get("params", {}).items() if k != "version"}
    params["source"] = {"path": str(path), "version": record.get("version")}
    return Hierarchy(graph, layers, params=params)
