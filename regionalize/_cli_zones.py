"""Zone tables on the command line: polygons (``--zones``) and names (``--names``) attached
to the graph by id, with the id column found when it is not given."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._cli_io import CliInputError, cli_fix_text, render_for_cli
from .errors import RegionalizeError

__all__ = ["attach_zones", "attach_names", "NAME_COLUMNS", "read_names_table"]


def attach_zones(graph, path: Path, id_column: str | None, missing: str = "error"):
    """``graph`` with the polygons of ``path`` attached by id (``--zones`` / ``--zone-id``).

    Without ``id_column`` the first column whose values cover the graph's zone ids (leading
    zeros kept) is used; polygon rows for zones not in the flows are dropped and reported by
    count. Zones of the flows without a polygon are an error naming them, or with
    ``missing="keep"`` (``--missing-geometry keep``) kept without geometry (recorded).
    """
    import geopandas as gpd

    if not path.exists():
        raise FileNotFoundError(2, "missing", str(path))
    try:
        layer = gpd.read_parquet(path) if path.suffix.lower() == ".parquet" else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad --zones file
        raise CliInputError(
            f"cannot read --zones {path}: {exc}. Give a GeoPackage, GeoJSON, "
            "shapefile or GeoParquet of zone polygons."
        ) from None
    if not isinstance(layer, gpd.GeoDataFrame) or "geometry" not in layer.dtypes.astype(str).values:
        raise CliInputError(
            f"--zones {path.name} holds no polygons: it is a plain table (columns: "
            f"{', '.join(map(str, layer.columns)) or 'none'}). --zones takes zone polygons "
            "(GeoPackage, GeoJSON, shapefile or GeoParquet); a table of names goes to "
            "--names."
        )
    if id_column is None:
        ids = set(graph.ids)
        best, best_n = None, 0
        for col in layer.columns:
            if col == layer.geometry.name:
                continue
            values = set(layer[col].astype(str).str.strip())
            if ids <= values:
                id_column = col
                break
            n = len(ids & values)
            if n > best_n:
                best, best_n = col, n
        else:
            if missing == "keep" and best is not None:
                id_column = best
            else:
                raise CliInputError(
                    f"no column of --zones {path.name} holds all {graph.n_zones:,} zone ids of "
                    f"the flows (e.g. {', '.join(list(graph.ids[:3]))}); name it with "
                    f"--zone-id (columns: {', '.join(map(str, layer.columns))})"
                    + (
                        f", or pass --missing-geometry keep to keep the {graph.n_zones - best_n:,}"
                        f" zones without a polygon (column {best!r} holds {best_n:,} of them)"
                        if best is not None
                        else ""
                    )
                    + "."
                )
    if id_column not in layer.columns:
        raise CliInputError(
            f"--zone-id {id_column!r} is not a column of {path.name}; it has "
            f"{', '.join(map(str, layer.columns))}."
        )
    layer = layer.assign(**{id_column: layer[id_column].astype(str).str.strip()})
    return graph.with_geometry(layer, id_column=id_column, extra="drop", missing=missing)


NAME_COLUMNS = (
    "name",
    "names",
    "zone_name",
    "zonename",
    "zone name",
    "area_name",
    "area name",
    "place",
    "place_name",
    "label",
    "nom",
    "nome",
    "nombre",
    "naam",
    "navn",
    "namn",
    "nimi",
    "名称",
    "名前",
    "이름",
    "명칭",
    "지역명",
    "시군구명",
    "행정구역명",
)


def read_names_table(path: Path) -> pd.DataFrame:
    from .io.readers import read_table as read_any

    if not path.is_file():
        raise FileNotFoundError(2, "missing", str(path))
    try:
        df = (
            read_any(path, encoding="auto", dtype=str)
            if path.suffix.lower() not in {".parquet", ".pq", ".xlsx", ".xlsm", ".xls", ".ods"}
            else read_any(path)
        )
    except RegionalizeError as exc:
        raise CliInputError(f"cannot read --names {path.name}: {render_for_cli(exc)}") from None
    return df


def attach_names(
    graph,
    path: Path,
    id_column: str | None = None,
    name_column: str | None = None,
    *,
    id_width: int | None = None,
):
    """``graph`` with a ``name`` zone column read from a plain table (``--names``): the id
    column given (``--names-id``) or the one matching the most zone ids, the name column
    given (``--names-column``) or one called ``name`` (``NAME``, ``zone_name``,
    ``LAD21NM``, ``이름``, ...), else the first text column. Rows for zones not in the
    flows are dropped and zones without a name kept without one, both recorded in
    ``meta["repairs"]``; an id listed twice is an error.
    """
    from ._ids import leading_zero_hint, normalise_ids

    df = read_names_table(path)
    name = path.name
    cols = [c for c in df.columns]
    if len(cols) < 2:
        raise CliInputError(
            f"--names {name} needs two columns, the zone id and its name; it "
            f"has {', '.join(map(str, cols)) or 'none'}."
        )
    graph_ids = set(graph.ids)

    def ids_of(col):
        try:
            return normalise_ids(df[col].dropna(), what=f"ids of --names {name}", width=id_width)
        except RegionalizeError:
            return pd.Index([], dtype=object)

    if id_column is None:
        scores = [(len(graph_ids & set(ids_of(c))), -k, c) for k, c in enumerate(cols)]
        best = max(scores)
        if best[0] == 0:
            first = ids_of(cols[0])
            hint = leading_zero_hint(list(graph.ids)[:1000], list(first)[:1000])
            raise CliInputError(
                f"no column of --names {name} holds zone ids of the flows (e.g. "
                f"{', '.join(list(graph.ids[:3]))}); name it with --names-id (columns: "
                f"{', '.join(map(str, cols))})." + (hint.render(cli_fix_text) if hint else "")
            )
        id_column = best[2]
    elif id_column not in df.columns:
        raise CliInputError(
            f"--names-id {id_column!r} is not a column of {name}; it has "
            f"{', '.join(map(str, cols))}."
        )
    if name_column is None:
        lowered = {str(c).strip().casefold(): c for c in cols if c != id_column}
        name_column = next((lowered[n] for n in NAME_COLUMNS if n in lowered), None)
        if name_column is None:
            name_column = next(
                (
                    c
                    for c in cols
                    if c != id_column
                    and (str(c).strip().casefold().endswith(("name", "_nm", "nm", "명", "名")))
                ),
                None,
            )
        if name_column is None:
            for c in cols:
                if c == id_column:
                    continue
                values = df[c].dropna().astype(str).str.strip()
                if len(values) and pd.to_numeric(values, errors="coerce").isna().mean() > 0.5:
                    name_column = c
                    break
        if name_column is None:
            raise CliInputError(
                f"no column of --names {name} holds names; name it with "
                f"--names-column (columns: {', '.join(map(str, cols))})."
            )
    elif name_column not in df.columns:
        raise CliInputError(
            f"--names-column {name_column!r} is not a column of {name}; it "
            f"has {', '.join(map(str, cols))}."
        )
    table = df[[id_column, name_column]].dropna(subset=[id_column])
    ids = normalise_ids(table[id_column], what=f"ids of --names {name}", width=id_width)
    names = pd.Series(table[name_column].to_numpy(dtype=object), index=ids)
    dup = names.index[names.index.duplicated()]
    if len(dup):
        raise CliInputError(
            f"--names {name} lists {len(dup):,} zone ids more than once (first: "
            f"{', '.join(map(repr, list(dup[:3])))}); keep one row per zone."
        )
    extra = names.index.difference(graph.ids)
    names = names[names.index.isin(graph.ids)]
    missing = graph.ids.difference(names.index)
    if len(names) < 0.5 * graph.n_zones:  # most zones unnamed: the ids do not match
        raise CliInputError(
            f"--names {name} names only {len(names):,} of the {graph.n_zones:,} zones of the "
            f"flows: its ids (column {id_column!r}, first: "
            f"{', '.join(map(repr, list(extra[:3])))}) are not written like the flows' "
            f"(first: {', '.join(map(repr, list(graph.ids[:3])))})."
            + leading_zero_hint(list(extra), list(missing))
            + " Choose the id column with --names-id (and pad codes with --id-width)."
        )
    g = graph.with_zones(pd.DataFrame({"name": names}), missing="keep")
    notes = [f"attached zone names from {name} (column {name_column!r}, ids in {id_column!r})"]
    if len(extra):
        notes.append(
            f"dropped {len(extra):,} rows of {name} for zones not in the flows "
            f"(first: {', '.join(map(str, extra[:3]))})"
        )
    if len(missing):
        notes.append(
            f"{len(missing):,} zones have no name in {name} (first: "
            f"{', '.join(map(str, missing[:3]))})"
        )
    meta = dict(g.meta)
    meta["repairs"] = [*meta.get("repairs", []), *notes]
    return g.replace(meta=meta)
