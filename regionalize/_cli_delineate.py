"""The commands that delineate: ``report``, ``demo`` and ``delineate``.

What ``delineate`` and ``report`` share: the options of the methods (added by
:func:`regionalize._cli_params.method_options`) checked before any data is read
(:func:`_check_delineation_options`), the input read with its polygons
(:func:`_load_graph`), the run (:func:`_delineation`) and its lines per layer
(:func:`_layer_lines`); where ``delineate --out`` writes (:func:`_output_target`) and
what ``report`` and ``demo`` print.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from ._cli_app import app, emit, handled, progress, records, source_graph
from ._cli_io import reading_options
from ._cli_params import (
    METHOD_OPTIONS,
    Destination,
    Flow,
    JsonOutput,
    Method,
    Origin,
    Quiet,
    Source,
    ZoneId,
    Zones,
    method_options,
)

METHODS = [
    "network",
    "ttwa",
    "intramax",
    "flowbca",
    "commuting-zones",
    "cma",
    "leiden",
    "infomap",
]
FORMATS = {".gpkg": "gpkg", ".parquet": "parquet", ".csv": "csv"}
FORMAT_NAMES = ["gpkg", "parquet", "csv", "csv-folder"]
#: where ``demo`` writes by default
DEMO_FOLDER = Path("outputs/demo")


# ---------------------------------------------------------------------------- report / demo
def _say(quiet: bool):
    return None if quiet else functools.partial(progress, False)


def _report_text(summary: dict, out: Path, layer_lines: list[str] | None = None) -> str:
    lines = [
        f"{summary['dataset'] or 'flows'}: {summary['zones']:,} zones, "
        f"{summary['flows']:,} flows, total {summary['total']:,.0f}",
        summary["hierarchy"],
    ]
    if layer_lines is not None:  # from the Hierarchy: why a layer is empty, its centres
        lines += layer_lines
    else:
        for layer, info in summary.get("layers", {}).items():
            lines.append(
                f"{layer}: {_count(info['areas'], 'area')}, "
                f"{_count(info['unassigned_zones'], 'unassigned zone')}"
            )
    lines.append(f"wrote {out}/: {', '.join(summary['files'])}")
    lines.append(f"open {out / 'report.html'} in a browser")
    return "\n".join(lines)


def _default_report_folder(source: str) -> Path:
    """``outputs/<name of the input>``: a data set's name or an OD file's stem."""
    stem = Path(source).stem if Path(source).suffix else Path(source).name
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem).strip("._")
    return Path("outputs") / (safe or "report")


@app.command("report")
@handled
@reading_options(geometry=True)
@method_options
def report_cmd(
    source: Source,
    out: Annotated[
        Path,
        typer.Option(
            help="Folder for the outputs (default: outputs/<name of "
            "the input>); created if missing, files in it "
            "replaced."
        ),
    ] = None,
    zones: Zones = None,
    zone_id: ZoneId = None,
    method: Method = "network",
    opts: dict | None = None,  # the options of the methods: method_options
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Delineate any input and write the planner's report: summary.md / summary.json, the
    areas (hierarchy.gpkg with polygons, else CSV tables), maps (with polygons) and
    report.html."""
    from ._demo import write_outputs
    from ._files import check_output_folder

    kwargs = _check_delineation_options(method, opts, zones, zone_id, reading)
    out = out if out is not None else _default_report_folder(source)
    check_output_folder(out, "--out")  # before any work
    graph = _load_graph(source, origin, destination, flow, zones, zone_id, quiet, reading)
    h, given = _delineation(graph, method, opts, kwargs, quiet)
    summary = write_outputs(h, out, say=_say(quiet), given_centres=given)
    lines, info = _layer_lines(h)
    summary = {"source": source, "method": method, **summary}
    for layer, extra in info.items():
        summary["layers"][layer].update(extra)
    emit(
        summary,
        json_output,
        _report_text(summary, out, lines),
        files=[out / f for f in summary["files"]],
    )


@app.command()
@handled
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")] = DEMO_FOLDER,
    dataset: Annotated[
        str,
        typer.Option(
            help="A named data set (see `regionalize datasets`) "
            "or 'synthetic-N'. Default: Korea when the data "
            "folder exists, else a synthetic country."
        ),
    ] = None,
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """`regionalize report` on the embedded default (Korea when the data folder exists,
    else a synthetic country): the outputs of `make demo`."""
    from ._demo import run_demo
    from ._files import check_output_folder

    check_output_folder(out, "--out")  # before any work
    summary = run_demo(out, dataset, say=_say(quiet))
    emit(
        summary, json_output, _report_text(summary, out), files=[out / f for f in summary["files"]]
    )


# ---------------------------------------------------------------------------- delineate
def _check_delineation_options(
    method: str, opts: dict, zones, zone_id, reading: dict | None = None
) -> dict:
    """The checks `delineate` and `report` share, all before any data is read. ``opts``:
    the values of the options of :data:`~regionalize._cli_params.METHOD_OPTIONS` (None when
    not given). Returns the method's keyword arguments (for network: the metropolitan centre
    rule)."""
    from ._cli_io import CliInputError, check_tau, parse_centres
    from ._cli_params import (
        centre_rule_options,
        cma_options,
        commuting_zone_options,
        intramax_options,
        ttwa_options,
    )

    if method not in METHODS:
        raise CliInputError(f"unknown --method {method!r}; choose one of {', '.join(METHODS)}.")
    wrong: dict[tuple, list[str]] = {}
    for name, value in opts.items():
        _, flag, methods = METHOD_OPTIONS[name]
        if value is not None and method not in methods:
            wrong.setdefault(methods, []).append(flag)
    if wrong:
        n = sum(map(len, wrong.values()))
        raise CliInputError(
            "options that only apply to "
            + "; to ".join(
                f"--method {' or '.join(methods)}: {', '.join(flags)}"
                for methods, flags in wrong.items()
            )
            + f"; drop {'them' if n > 1 else 'it'} for --method {method}."
        )
    if zone_id is not None and zones is None:
        raise CliInputError("--zone-id only applies with --zones (the zone polygons).")
    if (reading or {}).get("missing_geometry") is not None and zones is None:
        raise CliInputError("--missing-geometry only applies with --zones (the zone polygons).")
    if method == "ttwa":
        return ttwa_options(
            opts["ttwa_preset"],
            opts["min_size"],
            opts["min_sc"],
            opts["target_size"],
            opts["target_sc"],
        )
    if method == "intramax":
        if opts["k"] is not None and opts["k"] < 1:
            raise CliInputError(f"--k must be a positive number of areas; got {opts['k']}.")
        return intramax_options(opts["k"], opts["min_objective"])
    if method == "commuting-zones":
        return commuting_zone_options(opts["cutoff"], opts["contiguity"], opts["bridges"])
    if method == "cma":
        return cma_options(opts["centres"], opts["centres_file"], opts["population"])
    if method != "network":
        return {}
    check_tau(opts["tau"])
    if opts["max_order"] is not None and opts["max_order"] < 1:
        raise CliInputError(f"--max-order must be at least 1; got {opts['max_order']}.")
    if opts["centres"] is not None and opts["centres_file"] is not None:
        raise CliInputError("give --centres or --centres-file, not both.")
    parse_centres(opts["centres"])  # fail early on a malformed list
    if opts["centres_file"] is not None and not Path(opts["centres_file"]).is_file():
        raise CliInputError(
            f"no such file: {opts['centres_file']} (--centres-file); check the path."
        )
    rule = centre_rule_options(opts["min_size"], opts["min_size_share"], opts["min_job_ratio"])
    given = [
        f for f in ("--centres", "--centres-file") if opts[f[2:].replace("-", "_")] is not None
    ]
    if rule and given:
        flags = [
            f
            for f, v in [
                ("--min-size", opts["min_size"]),
                ("--min-size-share", opts["min_size_share"]),
                ("--min-job-ratio", opts["min_job_ratio"]),
            ]
            if v is not None
        ]
        raise CliInputError(
            f"{', '.join(flags)} {'set' if len(flags) > 1 else 'sets'} the "
            f"rule that finds the centres, but {given[0]} gives them; drop "
            "one or the other."
        )
    return rule


def _load_graph(source, origin, destination, flow, zones, zone_id, quiet, reading=None):
    """The input's FlowGraph (read with the reading options, names attached with --names),
    with the --zones polygons attached when given."""
    from ._cli_io import CliInputError

    reading = dict(reading or {})
    missing = reading.pop("missing_geometry", None)
    if missing is not None and zones is None:
        raise CliInputError("--missing-geometry only applies with --zones (the zone polygons).")
    graph = source_graph(source, origin, destination, flow, quiet, **reading)
    if zones is not None:
        from ._cli_zones import attach_zones

        graph = attach_zones(graph, zones, zone_id, missing=missing or "error")
        shapes = graph.geometry.geometry
        with_shape = int((shapes.notna() & ~shapes.is_empty).sum())
        progress(
            quiet, f"attached {zones.name}: polygons for {with_shape:,} of {graph.n_zones:,} zones"
        )
    return graph


def _partition(graph, method: str, kwargs: dict):
    from . import methods

    if method == "ttwa":
        return methods.labour_market_areas(graph, **kwargs)
    if method == "intramax":
        return methods.intramax(graph, **kwargs)
    if method == "flowbca":
        return methods.flowbca(graph)
    if method == "commuting-zones":
        return methods.commuting_zones(graph, **kwargs)
    if method == "cma":
        return methods.census_metropolitan_areas(graph, **kwargs)
    if method == "leiden":
        return methods.leiden(graph)
    return methods.infomap(graph)


def _delineation(graph, method: str, opts: dict, kwargs: dict, quiet: bool):
    """(Hierarchy, layers whose centres were given) for --method and its options (``opts``
    as given, ``kwargs`` as checked by :func:`_check_delineation_options`)."""
    if method == "network":
        from ._cli_io import parse_centres
        from ._cli_params import read_centres_file
        from ._demo import delineate_graph

        if opts["centres_file"] is not None:
            centres = read_centres_file(opts["centres_file"], graph)
            progress(
                quiet, f"centres from {Path(opts['centres_file']).name}: {'; '.join(centres)}"
            )  # names may hold commas
        else:
            centres = parse_centres(opts["centres"])
        return delineate_graph(
            graph,
            centres=centres,
            tau=opts["tau"],
            max_order=opts["max_order"],
            metropolitan=kwargs or None,
            say=_say(quiet),
        )
    from .hierarchy import Hierarchy

    kwargs = _with_graph_inputs(graph, method, opts, kwargs, quiet)
    progress(quiet, f"{method}: running ...")
    return Hierarchy(graph, [_partition(graph, method, kwargs)]), []


def _with_graph_inputs(graph, method: str, opts: dict, kwargs: dict, quiet: bool) -> dict:
    """The method's keyword arguments completed with what needs the graph: the bridges of
    --bridges and the polygons --contiguity needs (commuting-zones), the cores of --centres /
    --centres-file and the column of --population (cma)."""
    from ._cli_io import CliInputError

    kwargs = dict(kwargs)
    if method == "commuting-zones" and "contiguity" in kwargs:
        if graph.geometry is None:
            raise CliInputError(
                f"--contiguity {kwargs['contiguity']} needs zone polygons, and "
                f"{graph.name or 'the input'} has none: attach them with --zones FILE "
                "(GeoPackage, GeoJSON, shapefile or GeoParquet), or drop --contiguity."
            )
        if opts.get("bridges") is not None:
            from ._cli_params import read_bridges_file

            kwargs["bridges"] = read_bridges_file(opts["bridges"], graph)
            progress(quiet, f"bridges from {Path(opts['bridges']).name}: {len(kwargs['bridges'])}")
    if method == "cma":
        from ._cli_io import parse_centres
        from ._cli_params import check_population_column, read_centres_file

        if "population" in kwargs:
            check_population_column(graph, kwargs["population"])
        if opts.get("centres_file") is not None:
            kwargs["centres"] = read_centres_file(opts["centres_file"], graph)
            progress(
                quiet,
                f"cores from {Path(opts['centres_file']).name}: {'; '.join(kwargs['centres'])}",
            )
        elif opts.get("centres") is not None:
            kwargs["centres"] = parse_centres(opts["centres"])
    return kwargs


def _count(n: int, noun: str) -> str:
    """``1 area``, ``3 areas``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _layer_lines(h) -> tuple[list[str], dict]:
    """Per layer: ``"{layer}: N areas, U unassigned zones"`` (and why, when it has none),
    and how its centres were chosen; and the same as JSON keys (``empty_reason``,
    ``centre_rule_text``, ``centre_rule``: the numbers used when found by rule)."""
    lines, info = [], {}
    for layer in h.layers:
        p = h[layer]
        n_un = int(p.unassigned.size)
        lines.append(
            f"{layer}: {_count(p.n_areas, 'area')}, {_count(n_un, 'unassigned zone')}"
            + (f": {p.empty_reason}" if p.empty_reason else "")
        )
        text = p.params.get("centre_rule_text")
        if text:
            lines.append(f"  centres: {text}")
        info[layer] = {
            "empty_reason": p.empty_reason,
            "centre_rule_text": text,
            "centre_rule": p.params.get("centre_rule"),
        }
    return lines, info


def _output_target(out: str | None, fmt: str | None) -> tuple[Path, str] | None:
    """``(path, kind)`` for ``--out`` / ``--format``, kind one of gpkg, parquet, csv (one
    file) and csv-folder; the rule of the docstring of ``cli.py``. None without ``--out``."""
    from ._cli_io import CliInputError

    if fmt is not None and fmt not in FORMAT_NAMES:
        raise CliInputError(f"unknown --format {fmt!r}; choose {', '.join(FORMAT_NAMES)}.")
    if out is None:
        if fmt is not None:
            raise CliInputError("--format applies to --out; give --out too.")
        return None
    text = str(out)
    path = Path(text)
    slash = text.endswith(("/", "\\"))
    folder = slash or path.is_dir() or path.suffix == ""
    kind = fmt or FORMATS.get(path.suffix.lower()) or ("csv-folder" if folder else None)
    if kind is None:
        raise CliInputError(
            f"cannot tell the format of --out {text} from its suffix; end it "
            "in .csv (one table), .gpkg or .parquet, end it with / for a "
            "folder of CSV tables, or pass --format."
        )
    if kind == "csv" and folder:
        kind = "csv-folder"
    if kind == "gpkg" and slash:
        raise CliInputError(
            f"--out {text} ends with a slash, but a GeoPackage is one file: "
            "give a file name such as areas.gpkg."
        )
    return path, kind


@app.command("delineate")
@handled
@reading_options(geometry=True)
@method_options
def delineate_cmd(
    source: Source,
    method: Method = "network",
    opts: dict | None = None,  # the options of the methods: method_options
    out: Annotated[
        str,
        typer.Option(
            help="Write the result. FILE.csv: one table, a row per "
            "zone with its area in every layer. DIR/ (trailing "
            "slash, an existing folder or a name without suffix): a "
            "folder of CSV tables with run.json that reloads the "
            "run. FILE.gpkg: one GeoPackage. DIR.parquet: "
            "GeoParquet tables."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="gpkg, parquet, csv or csv-folder (default: from --out, see above)."
        ),
    ] = None,
    raw_csv: Annotated[
        bool,
        typer.Option(
            "--raw-csv",
            help="Write CSV cells exactly as they "
            "are (default: a cell starting with = + - @ gets a "
            "leading apostrophe, so spreadsheets show it as "
            "text).",
        ),
    ] = False,
    zones: Zones = None,
    zone_id: ZoneId = None,
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Delineate functional areas and print areas per layer (optionally write them)."""
    from ._cli_io import CliInputError

    kwargs = _check_delineation_options(method, opts, zones, zone_id, reading)
    target = _output_target(out, fmt)
    if target is not None:  # before any work: a folder where a file goes, no permission, ...
        from ._files import check_output_file, check_output_folder

        path, kind = target
        if kind in ("gpkg", "csv"):
            check_output_file(path, "--out", create_parent=True)
        else:
            check_output_folder(path, "--out")
    graph = _load_graph(source, origin, destination, flow, zones, zone_id, quiet, reading)
    if target is not None and target[1] in ("gpkg", "parquet") and graph.geometry is None:
        raise CliInputError(
            f"{graph.name or source} has no zone geometry, so it cannot be "
            f"written as {target[1]}; use --format csv (or --out FILE.csv), "
            "or attach polygons with --zones."
        )
    h, _ = _delineation(graph, method, opts, kwargs, quiet)
    layer_lines, info = _layer_lines(h)
    layers = {}
    for layer in h.layers:
        table = h.summary(layer)
        cols = [c for c in ["name", "n_zones", "residents", "jobs"] if c in table.columns]
        layers[layer] = {
            "areas": len(table),
            "unassigned_zones": int(h[layer].unassigned.size),
            **info[layer],
            "table": records(table[cols].rename_axis("area")),
        }
    lines = [f"{graph.name or source}: {graph.n_zones:,} zones, method {method}", *layer_lines]
    written = []
    if target is not None:
        path, kind = target
        progress(quiet, f"writing {path} ({kind}) ...")
        if kind == "gpkg":
            written = [h.to_gpkg(path)]
        elif kind == "parquet":
            written = h.to_parquet(path)
        elif kind == "csv-folder":
            written = h.to_csv(path, escape_formulas=not raw_csv)
        else:
            from .io.writers import write_zone_table

            written = [write_zone_table(h, path, escape_formulas=not raw_csv)]
        lines.append(
            f"wrote {path}"
            + (
                " (one row per zone)"
                if kind == "csv"
                else f" ({kind}: {', '.join(p.name for p in written)})"
            )
        )
    written = [str(p) for p in written]
    emit(
        {
            "source": source,
            "dataset": graph.name,
            "zones": graph.n_zones,
            "method": method,
            "hierarchy": repr(h),
            "layers": layers,
            "repairs": list(graph.meta.get("repairs", [])),
            "out": out,
            "format": target[1] if target else None,
            "files": written,
        },
        json_output,
        "\n".join(lines),
        files=written,
    )
