"""The ``regionalize`` command line.

Commands: ``datasets`` (list / describe), ``delineate``, ``report``, ``demo``, ``compare``,
``evaluate``, ``sweep``, ``stability``. ``regionalize --version`` prints
``regionalize <version>``; ``-h`` and ``--help`` work for every command.

Conventions for scripted runs (CI):

- exit code 0 on success, 2 on bad input (unknown data set, missing file, unknown option,
  bad option value: one ``error: ...`` line on stderr), 1 on unexpected errors, 130 when
  interrupted;
- progress goes to stderr (one line per step: reading, each layer, writing), warnings as
  ``warning: ...`` lines; ``--quiet`` silences both (warnings stay in the JSON);
- ``--json`` prints only JSON on stdout, one shape for every command::

      {"command": "delineate",        # the command, e.g. "datasets list"
       "ok": true,                    # false when the command failed (exit code 2 or 1)
       "result": {...},               # the command's own keys (see each command)
       "files": ["out/zones.csv"],    # files written, [] when none
       "warnings": ["..."]}           # warnings raised during the run, [] when none

  On failure ``result`` is null and ``error`` holds the message (also on stderr). Usage
  errors that stop before the command runs (unknown option, missing argument) print no
  JSON. ``--json`` and ``--quiet`` are accepted before the command (for every command) or
  after it.

Where ``delineate --out`` writes (the suffix decides the format; ``--format`` overrides):

- ``FILE.csv``: one CSV table, a row per zone: ``zone``, ``name`` (when the zones have
  names), and per layer the area id and the area name
  (:func:`regionalize.io.writers.write_zone_table`);
- ``DIR/`` (a trailing slash), an existing folder, a name without a suffix, or
  ``--format csv-folder``: a folder of CSV tables (``zones.csv``, ``{layer}_areas.csv``,
  ``run.json``) that reloads the whole run (:func:`regionalize.io.writers.write_csv`);
- ``FILE.gpkg``: one GeoPackage; ``DIR.parquet``: a folder of GeoParquet tables (both
  need zone geometry).

CSV cells a spreadsheet would run as formulas get a leading apostrophe unless
``--raw-csv``. The output path is checked before any data is read. The installed script
is :func:`main`.
"""

from __future__ import annotations

import functools
import inspect
import json
import warnings
from pathlib import Path
from typing import Annotated

import typer

from .errors import RegionalizeError

_CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(help="Functional regions from commuting origin-destination data. "
                  "Exit codes: 0 ok, 2 bad input, 1 unexpected error, 130 interrupted. "
                  "With --json every command prints one JSON object on stdout: "
                  '{"command", "ok", "result" (the command\'s own keys), "files" (written), '
                  '"warnings"}; progress and warnings go to stderr (--quiet: none).',
                  epilog="Start with: regionalize report OD.csv --zones ZONES.gpkg (then "
                  "open outputs/OD/report.html).",
                  no_args_is_help=True, add_completion=False, context_settings=_CONTEXT,
                  rich_markup_mode=None)  # plain help: flags shown as flags, no boxes
datasets_app = typer.Typer(help="List the named data sets, or describe one. "
                           "`regionalize datasets` alone lists them.",
                           add_completion=False, context_settings=_CONTEXT,
                           rich_markup_mode=None)
app.add_typer(datasets_app, name="datasets")

METHODS = ["network", "ttwa", "intramax", "flowbca", "commuting-zones", "leiden", "infomap"]
FORMATS = {".gpkg": "gpkg", ".parquet": "parquet", ".csv": "csv"}
FORMAT_NAMES = ["gpkg", "parquet", "csv", "csv-folder"]

SOURCE_HELP = ("A named data set (see `regionalize datasets`), synthetic-N, or a CSV/Parquet "
               "OD file with one row per origin-destination pair.")
CENTRES_HELP = ("Metropolitan centres: comma-separated zone ids, '+' joins a polycentric core "
                "(e.g. 21+26,22,11). Default: the data set's preset, else found by the size rule.")
JSON_HELP = "Print only JSON on stdout: {command, ok, result, files, warnings}."
QUIET_HELP = "No progress or warning text on stderr."
WORKERS_HELP = "Run on N local processes (default: in this process)."
SCHEDULER_HELP = "Run on a Dask cluster: the scheduler address, e.g. tcp://10.0.0.5:8786."
METHOD_HELP = ("network (metropolitan, urban and megaregion layers), ttwa, intramax, flowbca, "
               "commuting-zones, leiden or infomap.")

# options shared by several commands, declared once
Origin = Annotated[str, typer.Option(help="Origin column of an OD file.")]
Destination = Annotated[str, typer.Option(help="Destination column of an OD file.")]
Flow = Annotated[str, typer.Option(help="Flow column of an OD file.")]
JsonOutput = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)]
Workers = Annotated[int, typer.Option(help=WORKERS_HELP)]
Scheduler = Annotated[str, typer.Option(help=SCHEDULER_HELP)]
Method = Annotated[str, typer.Option(help=METHOD_HELP)]
Tau = Annotated[float, typer.Option(help="Link threshold for --method network, a share in "
                                    "(0, 1] (default 0.10 or the data set's preset).")]
MaxOrder = Annotated[int, typer.Option(help="Longest chain of links for --method network.")]
Centres = Annotated[str, typer.Option(help=CENTRES_HELP)]
K = Annotated[int, typer.Option(help="Number of areas for --method intramax.")]
Zones = Annotated[Path, typer.Option(help="Zone polygons (GeoPackage, GeoJSON, shapefile or "
                                     "GeoParquet) to attach by id: areas are then kept "
                                     "contiguous and can be mapped. Replaces a data set's "
                                     "own polygons.")]
ZoneId = Annotated[str, typer.Option(help="Id column of --zones (default: the first column "
                                     "whose values match the OD zone ids).")]


def _echo(text: str, err: bool = False) -> None:
    """Print text for a person: control characters in names (ANSI sequences, carriage
    returns, bidirectional overrides) are shown as escapes, never obeyed by the terminal."""
    from ._markup import terminal_text

    typer.echo(terminal_text(text), err=err)


def _fail(message: str, code: int = 2):
    _echo(f"error: {message}", err=True)
    raise typer.Exit(code)


#: `regionalize --json/--quiet CMD`: set by the callback at every invocation
_GLOBAL_FLAGS = {"json_output": False, "quiet": False}
#: the command being run: its name and the warnings it raised (for the JSON)
_RUN: dict = {"command": None, "warnings": []}


def _version() -> str:
    from . import __version__

    return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"regionalize {_version()}")
        raise typer.Exit(0)


@app.callback()
def _main_options(
    json_output: Annotated[bool, typer.Option("--json", help="Every command prints only "
                                              "JSON on stdout (same as the command's --json).")
                           ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or warning text "
                                        "on stderr, for every command.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print 'regionalize <version>' "
                                          "and exit.", callback=_print_version,
                                          is_eager=True)] = False,
) -> None:
    """Functional regions from commuting origin-destination data."""
    _GLOBAL_FLAGS.update(json_output=json_output, quiet=quiet)


def _global_flags(kwargs: dict) -> None:
    """Apply `regionalize --json/--quiet CMD` to a command's own flags."""
    for flag, on in _GLOBAL_FLAGS.items():
        if on and flag in kwargs:
            kwargs[flag] = True


def _command_name(fn) -> str:
    """``delineate_cmd`` -> ``"delineate"``, ``datasets_list`` -> ``"datasets list"``."""
    return fn.__name__.removesuffix("_cmd").replace("_", " ")


def _handled(fn):
    """Map errors to exit codes: RegionalizeError / missing files -> 2, Ctrl-C -> 130,
    others -> 1. Warnings raised by the command are printed as ``warning: ...`` lines on
    stderr (unless --quiet) and listed in the JSON."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _global_flags(kwargs)
        quiet = bool(kwargs.get("quiet", False))
        as_json = bool(kwargs.get("json_output", False))
        _RUN.update(command=_command_name(fn), warnings=[])

        def show(message, category, filename, lineno, file=None, line=None):
            text = str(message).replace("\n", " ")
            _RUN["warnings"].append(text)
            if not quiet:
                _echo(f"warning: {text}", err=True)

        def fail(message: str, code: int = 2):
            if as_json:
                _print_json({"command": _RUN["command"], "ok": False, "result": None,
                             "files": [], "warnings": list(_RUN["warnings"]),
                             "error": message})
            _fail(message, code)

        try:
            with warnings.catch_warnings():
                warnings.showwarning = show
                # the library's own warnings (UserWarning: an empty layer, a k not reached)
                # are messages for the user, always shown, never errors; the filters in
                # force decide for the others (numpy's RuntimeWarnings, deprecations)
                warnings.simplefilter("always", UserWarning)
                return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:  # typer would turn it into a silent exit 130
            fail("interrupted", code=130)
        except RegionalizeError as exc:
            fail(str(exc).replace("\n", " "))
        except FileNotFoundError as exc:
            fail(f"no such file: {exc.filename or exc}; check the path.")
        except Exception as exc:  # noqa: BLE001 - the CLI's last resort
            fail(f"unexpected {type(exc).__name__}: {exc} (please report this)", code=1)

    # resolved annotations: typer needs the Annotated option objects, not their names
    wrapper.__signature__ = inspect.signature(fn, eval_str=True)
    return wrapper


def _print_json(data: dict) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _emit(result: dict, as_json: bool, text: str, files=()) -> None:
    """The command's output: ``text`` for a person, or the shared JSON shape around
    ``result`` (see the module docstring)."""
    if as_json:
        _print_json({"command": _RUN["command"], "ok": True, "result": result,
                     "files": [str(f) for f in files], "warnings": list(_RUN["warnings"])})
    else:
        _echo(text)


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def _records(df) -> list[dict]:
    return json.loads(df.reset_index().to_json(orient="records", default_handler=str))


def _progress(quiet: bool, text: str) -> None:
    if not quiet:
        _echo(text, err=True)


def _graph(source, origin="origin", destination="destination", flow="flow", quiet=True):
    from ._cli_io import load_source
    from .datasets import DATASETS

    if source in DATASETS or Path(source).is_file():  # the slow reads (not a bad name)
        _progress(quiet, f"reading {source} ...")
    g = load_source(source, origin, destination, flow)
    _progress(quiet, f"{g.name or source}: {g.n_zones:,} zones, {g.n_flows:,} flows")
    return g


def _metro_kwargs(graph, centres, tau=None, max_order=None) -> dict:
    """metropolitan_areas parameters: the data set's preset, overridden by the options."""
    from ._cli_io import parse_centres
    from ._demo import delineation_preset

    preset = delineation_preset(graph)
    kw = dict(preset.get("metropolitan", {}))
    for key in ("centres", "tau", "max_order"):
        if key in preset:
            kw[key] = preset[key]
    if centres is not None:
        kw["centres"] = parse_centres(centres)
    if tau is not None:
        kw["tau"] = tau
    if max_order is not None:
        kw["max_order"] = max_order
    return kw


# ---------------------------------------------------------------------------- report / demo
def _say(quiet: bool):
    return None if quiet else functools.partial(_progress, False)


def _report_text(summary: dict, out: Path) -> str:
    lines = [f"{summary['dataset'] or 'flows'}: {summary['zones']:,} zones, "
             f"{summary['flows']:,} flows, total {summary['total']:,.0f}", summary["hierarchy"]]
    for layer, info in summary.get("layers", {}).items():
        lines.append(f"{layer}: {info['areas']} areas, {info['unassigned_zones']} zones in no "
                     "area")
    lines.append(f"wrote {out}/: {', '.join(summary['files'])}")
    lines.append(f"open {out / 'report.html'} in a browser")
    return "\n".join(lines)


def _default_report_folder(source: str) -> Path:
    """``outputs/<name of the input>``: a data set's name or an OD file's stem."""
    stem = Path(source).stem if Path(source).suffix else Path(source).name
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem).strip("._")
    return Path("outputs") / (safe or "report")


@app.command("report")
@_handled
def report_cmd(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    out: Path = typer.Option(None, help="Folder for the outputs (default: outputs/<name of "
                             "the input>); created if missing, files in it replaced."),
    zones: Zones = None,
    zone_id: ZoneId = None,
    method: Method = "network",
    tau: Tau = None,
    max_order: MaxOrder = None,
    centres: Centres = None,
    k: K = None,
    origin: Origin = "origin",
    destination: Destination = "destination",
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Delineate any input and write the planner's report: summary.md / summary.json, the
    areas (hierarchy.gpkg with polygons, else CSV tables), maps (with polygons) and
    report.html."""
    from ._demo import write_outputs
    from ._files import check_output_folder

    _check_delineation_options(method, tau, max_order, centres, k, zones, zone_id)
    out = out if out is not None else _default_report_folder(source)
    check_output_folder(out, "--out")  # before any work
    graph = _load_graph(source, origin, destination, flow, zones, zone_id, quiet)
    h, given = _delineation(graph, method, centres, tau, max_order, k, quiet)
    summary = write_outputs(h, out, say=_say(quiet), given_centres=given)
    summary = {"source": source, "method": method, **summary}
    _emit(summary, json_output, _report_text(summary, out),
          files=[out / f for f in summary["files"]])


@app.command()
@_handled
def demo(
    out: Path = typer.Option(Path("outputs/demo"), help="Folder for the outputs."),
    dataset: str = typer.Option(None, help="A named data set (see `regionalize datasets`) or "
                                "'synthetic-N'. Default: Korea when the data folder exists, "
                                "else a synthetic country."),
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """`regionalize report` on the embedded default (Korea when the data folder exists,
    else a synthetic country): the outputs of `make demo`."""
    from ._demo import run_demo
    from ._files import check_output_folder

    check_output_folder(out, "--out")  # before any work
    summary = run_demo(out, dataset, say=_say(quiet))
    _emit(summary, json_output, _report_text(summary, out),
          files=[out / f for f in summary["files"]])


# ---------------------------------------------------------------------------- datasets
@datasets_app.callback(invoke_without_command=True)
def datasets(ctx: typer.Context, json_output: JsonOutput = False,
             quiet: Quiet = False) -> None:
    """List the named data sets and whether the data folder holds them."""
    if ctx.invoked_subcommand is None:
        datasets_list(json_output=json_output, quiet=quiet)


@datasets_app.command("list")
@_handled
def datasets_list(
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """List the named data sets and whether the data folder holds them."""
    from .datasets import data_dir, list_datasets

    table = list_datasets()
    folder = data_dir(required=False)
    _emit({"data_folder": str(folder) if folder else None, "datasets": _records(table)},
          json_output,
          f"data folder: {folder or 'not found (set REGIONALIZE_DATA)'}\n{table.to_string()}")


@datasets_app.command("describe")
@_handled
def datasets_describe(
    name: str = typer.Argument(..., help="A named data set (see `regionalize datasets`)."),
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Describe a data set: its loader's notes (quirks) and its zone and flow counts."""
    from ._cli_io import CliInputError
    from .datasets import DATASETS, data_dir, load

    if name not in DATASETS:
        raise CliInputError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    d = DATASETS[name]
    doc = inspect.getdoc(d.loader) or d.description
    info = {"name": name, "description": d.description, "folder": d.folder, "doc": doc,
            "available": False}
    base = data_dir(required=False)
    if base is not None and (base / d.folder).is_dir():
        _progress(quiet, f"reading {name} ...")
        g = load(name)
        info.update(available=True, zones=g.n_zones, flows=g.n_flows, total=float(g.total),
                    diagonal=g.has_diagonal, quirks=list(g.meta.get("quirks", [])))
        counts = (f"{g.n_zones:,} zones, {g.n_flows:,} non-zero flows, total {g.total:,.0f}, "
                  f"diagonal {'present' if g.has_diagonal else 'absent'}\nquirks:\n"
                  + "\n".join(f"- {q}" for q in info["quirks"]))
    else:
        counts = f"not in the data folder ({base or 'not found: set REGIONALIZE_DATA'})"
    _emit(info, json_output, f"{name}: {d.description}\n{counts}\n\n{doc}")


# ---------------------------------------------------------------------------- delineate
def _partition(graph, method: str, k: int | None):
    from . import methods

    if method == "ttwa":
        return methods.labour_market_areas(graph)
    if method == "intramax":
        return methods.intramax(graph, k=k)
    if method == "flowbca":
        return methods.flowbca(graph)
    if method == "commuting-zones":
        return methods.commuting_zones(graph)
    if method == "leiden":
        return methods.leiden(graph)
    return methods.infomap(graph)


def _check_delineation_options(method, tau, max_order, centres, k, zones, zone_id) -> None:
    """The checks `delineate` and `report` share, all before any data is read."""
    from ._cli_io import CliInputError, check_tau, parse_centres

    if method not in METHODS:
        raise CliInputError(f"unknown --method {method!r}; choose one of {', '.join(METHODS)}.")
    check_tau(tau)
    if method != "network":
        given = [o for o, v in [("--tau", tau), ("--max-order", max_order),
                                ("--centres", centres)] if v is not None]
        if given:
            raise CliInputError(f"{', '.join(given)} only apply to --method network; drop "
                                f"{'them' if len(given) > 1 else 'it'} for --method {method}.")
    if k is not None and method != "intramax":
        raise CliInputError("--k only applies to --method intramax.")
    if k is not None and k < 1:
        raise CliInputError(f"--k must be a positive number of areas; got {k}.")
    if max_order is not None and max_order < 1:
        raise CliInputError(f"--max-order must be at least 1; got {max_order}.")
    parse_centres(centres)  # fail early on a malformed list
    if zone_id is not None and zones is None:
        raise CliInputError("--zone-id only applies with --zones (the zone polygons).")


def _load_graph(source, origin, destination, flow, zones, zone_id, quiet):
    """The input's FlowGraph, with the --zones polygons attached when given."""
    graph = _graph(source, origin, destination, flow, quiet)
    if zones is not None:
        from ._cli_io import attach_zones

        graph = attach_zones(graph, zones, zone_id)
        _progress(quiet, f"attached {zones.name}: polygons for {graph.n_zones:,} zones")
    return graph


def _delineation(graph, method, centres, tau, max_order, k, quiet):
    """(Hierarchy, layers whose centres were given) for --method and its options."""
    from ._cli_io import parse_centres

    if method == "network":
        from ._demo import delineate_graph

        return delineate_graph(graph, centres=parse_centres(centres), tau=tau,
                               max_order=max_order, say=_say(quiet))
    from .hierarchy import Hierarchy

    _progress(quiet, f"{method}: running ...")
    return Hierarchy(graph, [_partition(graph, method, k)]), []


def _output_target(out: str | None, fmt: str | None) -> tuple[Path, str] | None:
    """``(path, kind)`` for ``--out`` / ``--format``, kind one of gpkg, parquet, csv (one
    file) and csv-folder; the rule of the module docstring. None without ``--out``."""
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
        raise CliInputError(f"cannot tell the format of --out {text} from its suffix; end it "
                            "in .csv (one table), .gpkg or .parquet, end it with / for a "
                            "folder of CSV tables, or pass --format.")
    if kind == "csv" and folder:
        kind = "csv-folder"
    if kind == "gpkg" and slash:
        raise CliInputError(f"--out {text} ends with a slash, but a GeoPackage is one file: "
                            "give a file name such as areas.gpkg.")
    return path, kind


@app.command("delineate")
@_handled
def delineate_cmd(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    method: Method = "network",
    tau: Tau = None,
    max_order: MaxOrder = None,
    centres: Centres = None,
    k: K = None,
    out: str = typer.Option(None, help="Write the result. FILE.csv: one table, a row per "
                            "zone with its area in every layer. DIR/ (trailing slash, an "
                            "existing folder or a name without suffix): a folder of CSV "
                            "tables with run.json that reloads the run. FILE.gpkg: one "
                            "GeoPackage. DIR.parquet: GeoParquet tables."),
    fmt: str = typer.Option(None, "--format", help="gpkg, parquet, csv or csv-folder "
                            "(default: from --out, see above)."),
    raw_csv: bool = typer.Option(False, "--raw-csv", help="Write CSV cells exactly as they "
                                 "are (default: a cell starting with = + - @ gets a leading "
                                 "apostrophe, so spreadsheets show it as text)."),
    zones: Zones = None,
    zone_id: ZoneId = None,
    origin: Origin = "origin",
    destination: Destination = "destination",
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Delineate functional areas and print areas per layer (optionally write them)."""
    from ._cli_io import CliInputError

    _check_delineation_options(method, tau, max_order, centres, k, zones, zone_id)
    target = _output_target(out, fmt)
    if target is not None:  # before any work: a folder where a file goes, no permission, ...
        from ._files import check_output_file, check_output_folder

        path, kind = target
        if kind in ("gpkg", "csv"):
            check_output_file(path, "--out", create_parent=True)
        else:
            check_output_folder(path, "--out")
    graph = _load_graph(source, origin, destination, flow, zones, zone_id, quiet)
    if target is not None and target[1] in ("gpkg", "parquet") and graph.geometry is None:
        raise CliInputError(f"{graph.name or source} has no zone geometry, so it cannot be "
                            f"written as {target[1]}; use --format csv (or --out FILE.csv), "
                            "or attach polygons with --zones.")
    h, _ = _delineation(graph, method, centres, tau, max_order, k, quiet)
    layers = {}
    lines = [f"{graph.name or source}: {graph.n_zones:,} zones, method {method}"]
    for layer in h.layers:
        table = h.summary(layer)
        n_un = int(h[layer].unassigned.size)
        cols = [c for c in ["name", "n_zones", "residents", "jobs"] if c in table.columns]
        layers[layer] = {"areas": len(table), "unassigned_zones": n_un,
                         "table": _records(table[cols].rename_axis("area"))}
        lines.append(f"{layer}: {len(table)} areas, {n_un} unassigned zones")
    written = []
    if target is not None:
        path, kind = target
        _progress(quiet, f"writing {path} ({kind}) ...")
        if kind == "gpkg":
            written = [h.to_gpkg(path)]
        elif kind == "parquet":
            written = h.to_parquet(path)
        elif kind == "csv-folder":
            written = h.to_csv(path, escape_formulas=not raw_csv)
        else:
            from .io.writers import write_zone_table

            written = [write_zone_table(h, path, escape_formulas=not raw_csv)]
        lines.append(f"wrote {path}" + (" (one row per zone)" if kind == "csv" else
                                        f" ({kind}: {', '.join(p.name for p in written)})"))
    written = [str(p) for p in written]
    _emit({"source": source, "dataset": graph.name, "zones": graph.n_zones, "method": method,
           "hierarchy": repr(h), "layers": layers, "out": out,
           "format": target[1] if target else None, "files": written}, json_output,
          "\n".join(lines), files=written)


# ---------------------------------------------------------------------------- compare
@app.command()
@_handled
def compare(
    a: Path = typer.Argument(..., help="Label file A: CSV/Parquet with columns zone,label."),
    b: Path = typer.Argument(..., help="Label file B: CSV/Parquet with columns zone,label."),
    layer: str = typer.Option(None, help="Label column to read instead of 'label' (e.g. "
                              "metropolitan in a zones.csv written by `delineate`)."),
    layer_b: str = typer.Option(None, help="Label column of B when it differs from --layer."),
    graph: str = typer.Option(None, help="A data set or OD file giving the zones and weighting "
                              "by residents (default: every zone counts once)."),
    crosswalk: Path = typer.Option(None, help="File mapping B's zone ids (first column) to A's "
                                   "(second column), for recoded zones."),
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Compare two partitions of zones: ARI, NMI, VI and best-match overlap."""
    from ._cli_io import read_crosswalk, read_labels
    from .compare import compare as compare_fn

    for path in (a, b, crosswalk):
        if path is not None and not path.is_file():
            raise FileNotFoundError(2, "missing", str(path))
    la, lb = read_labels(a, layer), read_labels(b, layer_b or layer)
    cw = read_crosswalk(crosswalk) if crosswalk is not None else None
    g = _graph(graph, quiet=quiet) if graph is not None else None
    res = compare_fn(la, lb, graph=g, crosswalk=cw, weights="residents" if g else None)
    s = res.summary
    text = (f"zones {s['zones']}; areas A {s['areas_a']}, B {s['areas_b']}\n"
            f"ARI {s['ari']:.3f}  NMI {s['nmi']:.3f}  VI {s['vi']:.3f}\n"
            f"overlap A->B {s['overlap']:.3f}, B->A {s['overlap_reverse']:.3f}"
            f"{' (weighted by residents)' if g else ''}\n"
            f"zones that differ: {s['zones_differ']}")
    _emit({**s, "weighted": g is not None, "differ": _records(res.differ.rename_axis("zone"))},
          json_output, text)


# ---------------------------------------------------------------------------- evaluate
@app.command()
@_handled
def evaluate(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    grouping: Path = typer.Argument(..., help="Proposed grouping: CSV with columns zone,group."),
    against_centres: str = typer.Option(None, help="Also compare with the metropolitan areas "
                                        "of these centres (e.g. 21+26,22,11)."),
    tau: float = typer.Option(0.10, help="Share in (0, 1] an outside zone must send to a group "
                              "to be suggested (also the metropolitan link threshold)."),
    origin: Origin = "origin",
    destination: Destination = "destination",
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Score a proposed grouping of zones against the flows: groups, pulled members, fixes."""
    from ._cli_io import check_tau, parse_centres, read_grouping
    from .layers import metropolitan_areas
    from .scenarios import evaluate_grouping

    check_tau(tau)
    parse_centres(against_centres)
    groups = read_grouping(grouping)
    g = _graph(source, origin, destination, flow, quiet)
    against = None
    if against_centres is not None:
        against = metropolitan_areas(g, **_metro_kwargs(g, against_centres, tau))
    ev = evaluate_grouping(g, groups, against=against, tau=tau)
    pulled = ev.members[ev.members["pulled"]]
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 12):
        text = (f"groups:\n{ev.groups.to_string()}\n\n"
                f"members pulled elsewhere: {len(pulled)}\n"
                f"{pulled.to_string() if len(pulled) else ''}\n\n"
                f"suggestions:\n{ev.suggestions.to_string() if len(ev.suggestions) else 'none'}")
    _emit({"groups": _records(ev.groups), "pulled": _records(pulled),
           "suggestions": json.loads(ev.suggestions.to_json(orient="records",
                                                            default_handler=str)),
           "notes": list(ev.notes) if ev.notes is not None else []}, json_output, text)


# ---------------------------------------------------------------------------- sweep
@app.command()
@_handled
def sweep(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    tau: str = typer.Option("0.05,0.1,0.2", help="Comma-separated link thresholds in (0, 1]."),
    centres: str = typer.Option(None, help=CENTRES_HELP),
    max_order: int = typer.Option(None, help="Longest chain of links."),
    workers: Workers = None,
    scheduler: Scheduler = None,
    origin: Origin = "origin",
    destination: Destination = "destination",
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Delineate metropolitan areas for each --tau and print areas per threshold."""
    from ._cli_io import executor_for, parse_centres, parse_floats
    from .layers import metropolitan_areas
    from .stability import sweep as sweep_fn

    taus = parse_floats(tau, "--tau")
    parse_centres(centres)
    if max_order is not None and max_order < 1:
        from ._cli_io import CliInputError

        raise CliInputError(f"--max-order must be at least 1; got {max_order}.")
    with executor_for(workers, scheduler, "sweep", quiet) as executor:
        g = _graph(source, origin, destination, flow, quiet)
        kw = _metro_kwargs(g, centres, max_order=max_order)
        kw.pop("tau", None)
        fn = functools.partial(metropolitan_areas, **kw)
        res = sweep_fn(g, fn, {"tau": taus}, executor=executor)
    _emit({"dataset": g.name, "zones": g.n_zones, "table": _records(res.table.drop(
        columns="index", errors="ignore")), "consensus_areas": res.consensus.n_areas},
          json_output, f"{res.table.to_string(index=False)}\n"
          f"consensus: {res.consensus.n_areas} areas")


# ---------------------------------------------------------------------------- stability
@app.command()
@_handled
def stability(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    runs: int = typer.Option(100, help="Number of redraws of the flows."),
    method: str = typer.Option("poisson", help="How flows are redrawn: poisson, or moe (from "
                               "the margins of error, when the data have them)."),
    tau: float = typer.Option(None, help="Link threshold in (0, 1] (default 0.10 or the data "
                              "set's preset)."),
    centres: str = typer.Option(None, help=CENTRES_HELP),
    max_order: int = typer.Option(None, help="Longest chain of links."),
    seed: int = typer.Option(0, help="Random seed (results do not depend on --workers)."),
    top: int = typer.Option(10, help="How many least stable zones to print."),
    workers: Workers = None,
    scheduler: Scheduler = None,
    origin: Origin = "origin",
    destination: Destination = "destination",
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """Redraw the flows many times and print the zones whose metropolitan area changes most."""
    from ._cli_io import CliInputError, check_tau, executor_for, parse_centres
    from .layers import metropolitan_areas
    from .stability import stability as stability_fn

    if method not in ("poisson", "moe"):
        raise CliInputError(f"unknown --method {method!r}; choose poisson or moe.")
    if runs < 1:
        raise CliInputError(f"--runs must be a positive number; got {runs}.")
    if top < 1:
        raise CliInputError(f"--top must be a positive number; got {top}.")
    check_tau(tau)
    parse_centres(centres)
    with executor_for(workers, scheduler, "stability", quiet) as executor:
        g = _graph(source, origin, destination, flow, quiet)
        if method == "moe" and g.moe is None:
            raise CliInputError(f"{g.name or source} has no margins of error; use --method "
                                "poisson.")
        fn = functools.partial(metropolitan_areas, **_metro_kwargs(g, centres, tau, max_order))
        res = stability_fn(g, fn, runs=runs, method=method, seed=seed, executor=executor)
    least = res.least_stable(top).rename_axis("zone")
    _emit({"dataset": g.name, "zones": g.n_zones, "runs": runs, "method": method,
           "areas": len(res.areas), "mean_stability": float(res.zones["stability"].mean()),
           "least_stable": _records(least)}, json_output,
          f"{res!r}\nleast stable zones:\n{least.to_string()}")


def main(argv: list[str] | None = None) -> int:
    """The installed ``regionalize`` entry point.

    Runs :data:`app`, printing click's usage errors (unknown option, missing argument, bad
    value) as one ``error: ...`` line plus a pointer to ``--help``, exit code 2, like the
    commands' own input errors; Ctrl-C exits with 130.
    """
    import sys

    try:
        result = app(args=argv, prog_name="regionalize", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("error: interrupted", err=True)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        # click's exceptions (typer may vendor its own click): recognised by their interface
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            return 2
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        _echo(f"error: {exc.format_message()}{where}", err=True)
        return exc.exit_code
    finally:
        sys.stdout.flush()
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
