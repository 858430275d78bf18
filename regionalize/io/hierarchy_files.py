"""Reading a delineation back: the files of :mod:`regionalize.io.writers` into a Hierarchy.

A planner saves a run (``h.to_gpkg("run.gpkg")``, ``h.to_parquet(folder)``,
``h.to_csv(folder)``) and reloads it later with :func:`read_hierarchy` (or
``Hierarchy.read``): the same layers, labels, area names, central zones, roles, link orders,
shares, strength classes, reasons and parameters. The flows are needed too (summaries are
computed from them): pass the FlowGraph the run was made from, or write with
``flows=True`` so that the file carries them.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataNotFoundError, InvalidParameterError, InvalidZonesError, Problems

__all__ = ["read_hierarchy"]

#: columns of the written area tables that come from the summary, not from the layer
_SUMMARY_COLUMNS = {"name", "kind", "centres", "centre_names", "n_zones", "residents", "jobs",
                    "population", "internal", "self_containment_supply",
                    "self_containment_demand", "geometry", "area"}


def _read_csv(path: Path, text: list[str] | None = None) -> pd.DataFrame:
    if not path.exists():
        raise DataNotFoundError(f"No such file: {path}; is this a folder written by "
                                "Hierarchy.to_csv / to_parquet?")
    # every cell as text first: ids keep their zeros and a name "NA" stays a name
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                       encoding="utf-8")


def _tables(path: Path) -> tuple[dict[str, Any], pd.DataFrame, dict[str, pd.DataFrame],
                                  pd.DataFrame | None, pd.DataFrame | None, Any]:
    """run record, zones, area tables, flows, zone attributes, zone geometry (or None)."""
    if path.is_dir():
        run_path = path / "run.json"
        if not run_path.exists():
            raise DataNotFoundError(
                f"No run.json in {path}: the folder was not written by Hierarchy.to_csv / "
                "to_parquet, or the writing was interrupted (run.json is written last).")
        record = json.loads(run_path.read_text("utf-8"))
        if (path / "zones.parquet").exists():
            import geopandas as gpd

            def read(name):
                f = path / f"{name}.parquet"
                return gpd.read_parquet(f) if name == "zones" or name.endswith("_areas") \
                    else pd.read_parquet(f)
            exists = (lambda name: (path / f"{name}.parquet").exists())  # noqa: E731
        else:
            def read(name):
                return _read_csv(path / f"{name}.csv")
            exists = (lambda name: (path / f"{name}.csv").exists())  # noqa: E731
        zones = read("zones")
        areas = {layer: read(f"{layer}_areas") for layer in record["layers"]}
        flows = read("flows") if record.get("flows") and exists("flows") else None
        attrs = read("zone_table") if record.get("flows") and exists("zone_table") else None
    else:
        if not path.exists():
            raise DataNotFoundError(f"No such file: {path}.")
        import pyogrio

        layers = {name for name, _ in pyogrio.list_layers(path)}
        if "run" not in layers or "zones" not in layers:
            raise InvalidZonesError(
                f"{path.name} has no 'run' and 'zones' layers: it was not written by "
                "Hierarchy.to_gpkg.")
        run = pyogrio.read_dataframe(path, layer="run")
        if "record" in run.columns:
            record = json.loads(run.at[0, "record"])
        else:  # files written before the full record was stored
            record = {c: json.loads(run.at[0, c])
                      for c in ("layers", "params", "layer_params", "notes")}
            record.update(version=run.at[0, "version"], graph=run.at[0, "graph"])
        zones = pyogrio.read_dataframe(path, layer="zones")
        areas = {layer: pyogrio.read_dataframe(path, layer=f"{layer}_areas")
                 for layer in record["layers"]}
        flows = pyogrio.read_dataframe(path, layer="flows") if "flows" in layers else None
        attrs = (pyogrio.read_dataframe(path, layer="zone_table")
                 if "zone_table" in layers else None)
    geometry = None
    if "geometry" in zones.columns:
        import geopandas as gpd

        geometry = gpd.GeoDataFrame({"geometry": zones.geometry.to_numpy()},
                                    index=pd.Index(_text(zones["zone"]), name="zone"),
                                    crs=zones.crs)
    return record, zones, areas, flows, attrs, geometry


def _text(values: pd.Series) -> list[str | None]:
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            for v in values.tolist()]


def _number(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _centres(value) -> tuple[str, ...]:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ()
    return tuple(str(value).split("+"))


def _graph_from_file(record, flows, attrs, geometry, path: Path):
    from ..flows import FlowGraph

    if flows is None:
        raise InvalidParameterError(
            f"{path.name} holds the delineation but not the flows it was made from. Pass "
            "graph= (the FlowGraph of the run, e.g. read_hierarchy(path, graph=g)), or write "
            "the run with flows=True (h.to_gpkg(path, flows=True)) so that the file alone "
            "reloads it.")
    table = attrs.copy()
    table["zone"] = _text(table["zone"])
    table = table.set_index("zone")
    for col in table.columns:  # attributes written as text in CSV: numbers back
        if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
            conv = pd.to_numeric(table[col], errors="coerce")
            if conv.notna().sum() == table[col].notna().sum():
                table[col] = conv
    f = pd.DataFrame({"origin": _text(flows["origin"]),
                      "destination": _text(flows["destination"]),
                      "flow": _number(flows["flow"])})
    moe = None
    if "moe" in flows.columns:
        f["moe"] = _number(flows["moe"])
        moe = "moe"
    totals = record.get("totals") or {}
    g = FlowGraph.from_dataframe(f, moe=moe, zones=table, extra_zones="keep",
                                 residents=totals.get("residents"), jobs=totals.get("jobs"),
                                 name=record.get("graph"), meta={"source": str(path)})
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
        if num.notna().all() and (num == num.round()).all() \
                and not present.str.contains(r"[.eE]").any():
            return num.to_numpy(dtype=np.int64)
        return num.to_numpy(dtype=float)
    return np.array(_text(values), dtype=object)


def _layer(name: str, ids: pd.Index, zones: pd.DataFrame, areas: pd.DataFrame,
           params: dict[str, Any], area_columns: list[str] | None = None,
           tuple_columns: list[str] | None = None):
    from ..partition import Partition

    z = zones.set_index(pd.Index(_text(zones["zone"]), name="zone")).reindex(ids)

    def col(suffix: str) -> pd.Series:
        c = f"{name}{suffix}"
        return z[c] if c in z.columns else pd.Series([None] * len(z), index=z.index)

    order = pd.to_numeric(col("_order"), errors="coerce")
    details = pd.DataFrame({
        "area": _text(col("")),
        "role": _text(col("_role")),
        "order": pd.array(order.round().astype("Float64"), dtype="Int64")
        if order.dropna().eq(order.dropna().round()).all() else order.to_numpy(float),
        "share": _number(col("_share")),
        "strength": _number(col("_strength")),
        "via": _text(col("_via")),
        "reason": _text(col("_reason")),
    }, index=ids)
    a = areas.copy()
    a.index = pd.Index(_text(a["area"]), name="area")
    table = pd.DataFrame({
        "name": _text(a["name"]),
        "centres": [_centres(c) for c in a["centres"]],
        "kind": _text(a["kind"]),
        "n_zones": pd.to_numeric(a["n_zones"]).to_numpy(dtype=np.int64),
    }, index=a.index)
    if area_columns is None:  # files written before the area columns were recorded
        area_columns = [c for c in a.columns if c not in _SUMMARY_COLUMNS
                        and not str(c).startswith("layer_")]
    for c in area_columns:
        if c in ("name", "centres", "kind", "n_zones"):
            continue
        source = f"layer_{c}" if f"layer_{c}" in a.columns else c
        if source in a.columns:
            if c in (tuple_columns or ()):
                table[c] = [_centres(v) for v in a[source]]
            else:
                table[c] = _restore(a[source])
    return Partition(name, ids, details, table, params)


def read_hierarchy(path: str | PathLike, graph=None):
    """Reload a Hierarchy written by ``to_gpkg``, ``to_parquet`` or ``to_csv``.

    Parameters
    ----------
    path : path
        A GeoPackage, or a folder with ``run.json`` and the Parquet or CSV tables.
    graph : FlowGraph, optional
        The flows the run was made from (its zones must be those of the file). Optional
        when the files were written with ``flows=True``.

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
    """
    from ..hierarchy import Hierarchy

    path = Path(path)
    record, zones, areas, flows, attrs, geometry = _tables(path)
    ids_file = pd.Index(_text(zones["zone"]), dtype=object, name="zone")
    if graph is None:
        graph = _graph_from_file(record, flows, attrs, geometry, path)
    else:
        p = Problems(f"The graph does not have the zones of {path.name}")
        missing = ids_file.difference(graph.ids)
        extra = graph.ids.difference(ids_file)
        p.add("zones of the file not in the graph", list(missing[:3]), count=len(missing))
        p.add("graph zones not in the file", list(extra[:3]), count=len(extra),
              fix="Pass the FlowGraph the run was made from.")
        p.raise_if_any(InvalidZonesError)
        if geometry is not None and graph.geometry is None:
            graph = graph.with_geometry(geometry, missing="keep")
    layer_params = record.get("layer_params", {})
    area_columns = record.get("area_columns", {})
    tuple_columns = record.get("tuple_columns", {})
    layers = [_layer(name, graph.ids, zones, areas[name], layer_params.get(name, {}),
                     area_columns.get(name), tuple_columns.get(name))
              for name in record["layers"]]
    params = {k: v for k, v in record.get("params", {}).items() if k != "version"}
    params["source"] = {"path": str(path), "version": record.get("version")}
    return Hierarchy(graph, layers, params=params)
