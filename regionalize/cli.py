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
  after it;
- errors name the flag to change (``--footer drop``, ``--encoding cp1252``, ``--rows
  workplace``), never the library's keyword (``footer='drop'``).

Reading an OD file: every command that reads one (``delineate``, ``report``, ``evaluate``,
``sweep``, ``stability``, and ``compare --graph``) takes the reading options, declared once
in :data:`regionalize._cli_io.READING_OPTIONS` (``--matrix``, ``--rows``, ``--sep``,
``--encoding``, ``--thousands``, ``--decimal``, ``--skiprows``, ``--sheet``, ``--footer``,
``--totals``, ``--suppressed``, ``--duplicates``, ``--id-width``, ``--id-collisions``,
``--names`` with ``--names-id`` / ``--names-column``; ``--missing-geometry`` with
``--zones``). What the reader repaired (totals dropped, a matrix transposed, title rows
skipped) is printed with the progress.

The parameters of each method (``delineate`` and ``report``): network ``--tau``,
``--max-order``, ``--centres`` or ``--centres-file``, and the centre rule ``--min-size``,
``--min-size-share``, ``--min-job-ratio`` (which replaces a data set's preset centres);
ttwa ``--ttwa-preset``, ``--min-size``, ``--min-sc``, ``--target-size``, ``--target-sc``;
intramax ``--k`` and/or ``--min-objective`` (one is required); commuting-zones
``--cutoff``. An option of another method, a bad value or a missing stop rule is refused
before any data is read. Each layer's line says how its centres were chosen and, when it
has no area, why.

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

from ._cli_io import reading_options
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

SOURCE_HELP = ("A named data set (see `regionalize datasets`), synthetic-N, or an OD file "
               "(CSV, Parquet or Excel): a long table, one row per origin-destination pair, "
               "or a wide matrix (--matrix).")
CENTRES_HELP = ("Metropolitan centres: comma-separated zone ids, '+' joins a polycentric core "
                "(e.g. 21+26,22,11). Default: the data set's preset, else found by the size rule.")
JSON_HELP = "Print only JSON on stdout: {command, ok, result, files, warnings}."
QUIET_HELP = "No progress or warning text on stderr."
WORKERS_HELP = "Run on N local processes (default: in this process)."
SCHEDULER_HELP = "Run on a Dask cluster: the scheduler address, e.g. tcp://10.0.0.5:8786."
METHOD_HELP = ("network (metropolitan, urban and megaregion layers), ttwa, intramax, flowbca, "
               "commuting-zones, leiden or infomap.")

# options shared by several commands, declared once
Origin = Annotated[list[str] | None, typer.Option(
    help="Origin column of an OD file (default 'origin'); repeat it for codes split over "
         "several columns, e.g. --origin state --origin county (with --id-width 2,3).")]
Destination = Annotated[list[str] | None, typer.Option(
    help="Destination column of an OD file (default 'destination'); repeat it for codes "
         "split over several columns.")]
Flow = Annotated[str, typer.Option(help="Flow column of an OD file.")]
JsonOutput = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)]
Workers = Annotated[int, typer.Option(help=WORKERS_HELP)]
Scheduler = Annotated[str, typer.Option(help=SCHEDULER_HELP)]
Method = Annotated[str, typer.Option(help=METHOD_HELP)]
Tau = Annotated[float, typer.Option(help="network: the link threshold, a share in (0, 1] "
                                    "(default 0.10 or the data set's preset).")]
MaxOrder = Annotated[int, typer.Option(help="network: the longest chain of links.")]
Centres = Annotated[str, typer.Option(help="network: m" + CENTRES_HELP[1:])]
K = Annotated[int, typer.Option(help="intramax: the number of areas (a stop rule; or "
                                "--min-objective).")]
Zones = Annotated[Path, typer.Option(help="Zone polygons (GeoPackage, GeoJSON, shapefile or "
                                     "GeoParquet) to attach by id: areas are then kept "
                                     "contiguous and can be mapped. Replaces a data set's "
                                     "own polygons.")]
ZoneId = Annotated[str, typer.Option(help="Id column of --zones (default: the first column "
                                     "whose values match the OD zone ids).")]
# the parameters of the methods (text, so that 'none' and the checks name the flag)
CentresFile = Annotated[Path, typer.Option(
    "--centres-file", help="network: metropolitan centres from a text file, one per line: a "
    "zone id or a zone name (names holding ',' or '+' are read whole); '+' between the "
    "zones of a polycentric core (Leeds+Bradford).")]
MinSize = Annotated[str, typer.Option(
    "--min-size", help="network: the smallest metropolitan centre, in jobs (default: "
    "--min-size-share of all jobs); ttwa: the minimum size of an area, in employed "
    "residents (uk2011: 3500).")]
MinSizeShare = Annotated[str, typer.Option(
    "--min-size-share", help="network: the smallest metropolitan centre as a share of all "
    "jobs (default 0.01).")]
MinJobRatio = Annotated[str, typer.Option(
    "--min-job-ratio", help="network: the jobs per employed resident a metropolitan centre "
    "needs (default 1; none drops the test).")]
TtwaPreset = Annotated[str, typer.Option(
    "--ttwa-preset", help="ttwa: uk2011 (default: ONS travel-to-work areas) or istat2011 "
    "(Istat labour market areas); --min-size, --min-sc, --target-size and --target-sc "
    "override it.")]
MinSc = Annotated[str, typer.Option(
    "--min-sc", help="ttwa: the minimum self-containment of an area (uk2011: 0.6667).")]
TargetSc = Annotated[str, typer.Option(
    "--target-sc", help="ttwa: the target self-containment (uk2011: 0.75).")]
TargetSize = Annotated[str, typer.Option(
    "--target-size", help="ttwa: the target size, in employed residents (uk2011: 25000).")]
MinObjective = Annotated[str, typer.Option(
    "--min-objective", help="intramax: stop when the best merge's objective falls below "
    "this (a stop rule instead of, or with, --k).")]
Cutoff = Annotated[str, typer.Option(
    "--cutoff", help="commuting-zones: the height in [0, 1] at which the dendrogram is cut "
    "(default 0.977, Tolbert & Sizer).")]


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
        except RegionalizeError as exc:  # its fixes written as flags: --footer drop
            fail(_cli_message(exc))
        except FileNotFoundError as exc:
            fail(f"no such file: {exc.filename or exc}; check the path.")
        except Exception as exc:  # noqa: BLE001 - the CLI's last resort
            fail(f"unexpected {type(exc).__name__}: {exc} (please report this)", code=1)

    # resolved annotations: typer needs the Annotated option objects, not their names
    wrapper.__signature__ = inspect.signature(fn, eval_str=True)
    return wrapper


def _cli_message(exc: RegionalizeError) -> str:
    """The error's message on one line with its fixes written as flags (``--footer drop``,
    :func:`regionalize._cli_io.render_for_cli`); a carriage return in the user's data is
    kept, for :func:`_echo` to show as ``\\r``."""
    from ._cli_io import cli_fix_text, render_for_cli

    if exc.fixes:
        return exc.render(cli_fix_text).replace("\n", " ")
    return "\r".join(render_for_cli(RegionalizeError(part)) for part in str(exc).split("\r"))


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


def _columns(value, default: str):
    """``--origin`` / ``--destination`` as given once (a column), several times (the columns
    of a code split over several columns, joined), or not at all (the default name)."""
    if value is None or (isinstance(value, list) and not value):
        return default
    if isinstance(value, list):
        return value[0] if len(value) == 1 else list(value)
    return value


def _graph(source, origin="origin", destination="destination", flow="flow", quiet=True,
           **reading):
    """The FlowGraph of a data set, synthetic-N or an OD file, read with the reading options
    (:data:`regionalize._cli_io.READING_OPTIONS`); what the reader repaired (totals dropped,
    a table transposed, ...) is said on stderr."""
    from ._cli_io import FILE_SUFFIXES, CliInputError, load_source
    from .datasets import DATASETS

    origin, destination = _columns(origin, "origin"), _columns(destination, "destination")
    path = Path(source)
    if path.is_file() and path.suffix.lower() not in FILE_SUFFIXES:
        raise CliInputError(f"cannot tell the format of {path.name} from its suffix: name the "
                            "file .csv (text, any delimiter; also .txt, .tsv, .gz), .parquet "
                            "or .xlsx (also .xls, .ods).")
    if source in DATASETS or path.is_file():  # the slow reads (not a bad name)
        _progress(quiet, f"reading {source} ...")
    g = load_source(source, origin, destination, flow, **reading)
    _progress(quiet, f"{g.name or source}: {g.n_zones:,} zones, {g.n_flows:,} flows")
    for note in g.meta.get("repairs", []):
        _progress(quiet, f"  {note}")
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


def _report_text(summary: dict, out: Path, layer_lines: list[str] | None = None) -> str:
    lines = [f"{summary['dataset'] or 'flows'}: {summary['zones']:,} zones, "
             f"{summary['flows']:,} flows, total {summary['total']:,.0f}", summary["hierarchy"]]
    if layer_lines is not None:  # from the Hierarchy: why a layer is empty, its centres
        lines += layer_lines
    else:
        for layer, info in summary.get("layers", {}).items():
            lines.append(f"{layer}: {_count(info['areas'], 'area')}, "
                         f"{_count(info['unassigned_zones'], 'unassigned zone')}")
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
@reading_options(geometry=True)
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
    centres_file: CentresFile = None,
    min_size: MinSize = None,
    min_size_share: MinSizeShare = None,
    min_job_ratio: MinJobRatio = None,
    ttwa_preset: TtwaPreset = None,
    min_sc: MinSc = None,
    target_size: TargetSize = None,
    target_sc: TargetSc = None,
    k: K = None,
    min_objective: MinObjective = None,
    cutoff: Cutoff = None,
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

    opts = dict(tau=tau, max_order=max_order, centres=centres, centres_file=centres_file,
                min_size=min_size, min_size_share=min_size_share, min_job_ratio=min_job_ratio,
                ttwa_preset=ttwa_preset, min_sc=min_sc, target_size=target_size,
                target_sc=target_sc, k=k, min_objective=min_objective, cutoff=cutoff)
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
    _emit(summary, json_output, _report_text(summary, out, lines),
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
#: the delineation options that apply to some methods only: name -> (flag, methods)
_METHOD_OPTIONS = {
    "tau": ("--tau", ("network",)), "max_order": ("--max-order", ("network",)),
    "centres": ("--centres", ("network",)), "centres_file": ("--centres-file", ("network",)),
    "min_size": ("--min-size", ("network", "ttwa")),
    "min_size_share": ("--min-size-share", ("network",)),
    "min_job_ratio": ("--min-job-ratio", ("network",)),
    "ttwa_preset": ("--ttwa-preset", ("ttwa",)), "min_sc": ("--min-sc", ("ttwa",)),
    "target_size": ("--target-size", ("ttwa",)), "target_sc": ("--target-sc", ("ttwa",)),
    "k": ("--k", ("intramax",)), "min_objective": ("--min-objective", ("intramax",)),
    "cutoff": ("--cutoff", ("commuting-zones",)),
}


def _check_delineation_options(method: str, opts: dict, zones, zone_id,
                               reading: dict | None = None) -> dict:
    """The checks `delineate` and `report` share, all before any data is read. ``opts``:
    the values of the options of :data:`_METHOD_OPTIONS` (None when not given). Returns the
    method's keyword arguments (for network: the metropolitan centre rule)."""
    from ._cli_io import CliInputError, check_tau, parse_centres
    from ._cli_params import (
        centre_rule_options,
        commuting_zone_options,
        intramax_options,
        ttwa_options,
    )

    if method not in METHODS:
        raise CliInputError(f"unknown --method {method!r}; choose one of {', '.join(METHODS)}.")
    wrong: dict[tuple, list[str]] = {}
    for name, value in opts.items():
        flag, methods = _METHOD_OPTIONS[name]
        if value is not None and method not in methods:
            wrong.setdefault(methods, []).append(flag)
    if wrong:
        n = sum(map(len, wrong.values()))
        raise CliInputError(
            "options that only apply to " + "; to ".join(
                f"--method {' or '.join(methods)}: {', '.join(flags)}"
                for methods, flags in wrong.items())
            + f"; drop {'them' if n > 1 else 'it'} for --method {method}.")
    if zone_id is not None and zones is None:
        raise CliInputError("--zone-id only applies with --zones (the zone polygons).")
    if (reading or {}).get("missing_geometry") is not None and zones is None:
        raise CliInputError("--missing-geometry only applies with --zones (the zone polygons).")
    if method == "ttwa":
        return ttwa_options(opts["ttwa_preset"], opts["min_size"], opts["min_sc"],
                            opts["target_size"], opts["target_sc"])
    if method == "intramax":
        if opts["k"] is not None and opts["k"] < 1:
            raise CliInputError(f"--k must be a positive number of areas; got {opts['k']}.")
        return intramax_options(opts["k"], opts["min_objective"])
    if method == "commuting-zones":
        return commuting_zone_options(opts["cutoff"])
    if method != "network":
        return {}
    check_tau(opts["tau"])
    if opts["max_order"] is not None and opts["max_order"] < 1:
        raise CliInputError(f"--max-order must be at least 1; got {opts['max_order']}.")
    if opts["centres"] is not None and opts["centres_file"] is not None:
        raise CliInputError("give --centres or --centres-file, not both.")
    parse_centres(opts["centres"])  # fail early on a malformed list
    if opts["centres_file"] is not None and not Path(opts["centres_file"]).is_file():
        raise CliInputError(f"no such file: {opts['centres_file']} (--centres-file); check "
                            "the path.")
    rule = centre_rule_options(opts["min_size"], opts["min_size_share"], opts["min_job_ratio"])
    given = [f for f in ("--centres", "--centres-file")
             if opts[f[2:].replace("-", "_")] is not None]
    if rule and given:
        flags = [f for f, v in [("--min-size", opts["min_size"]),
                                ("--min-size-share", opts["min_size_share"]),
                                ("--min-job-ratio", opts["min_job_ratio"])] if v is not None]
        raise CliInputError(f"{', '.join(flags)} {'set' if len(flags) > 1 else 'sets'} the "
                            f"rule that finds the centres, but {given[0]} gives them; drop "
                            "one or the other.")
    return rule


def _load_graph(source, origin, destination, flow, zones, zone_id, quiet, reading=None):
    """The input's FlowGraph (read with the reading options, names attached with --names),
    with the --zones polygons attached when given."""
    from ._cli_io import CliInputError

    reading = dict(reading or {})
    missing = reading.pop("missing_geometry", None)
    if missing is not None and zones is None:
        raise CliInputError("--missing-geometry only applies with --zones (the zone polygons).")
    graph = _graph(source, origin, destination, flow, quiet, **reading)
    if zones is not None:
        from ._cli_io import attach_zones

        graph = attach_zones(graph, zones, zone_id, missing=missing or "error")
        shapes = graph.geometry.geometry
        with_shape = int((shapes.notna() & ~shapes.is_empty).sum())
        _progress(quiet, f"attached {zones.name}: polygons for {with_shape:,} of "
                  f"{graph.n_zones:,} zones")
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
            _progress(quiet, f"centres from {Path(opts['centres_file']).name}: "
                      f"{'; '.join(centres)}")  # names may hold commas
        else:
            centres = parse_centres(opts["centres"])
        return delineate_graph(graph, centres=centres, tau=opts["tau"],
                               max_order=opts["max_order"], metropolitan=kwargs or None,
                               say=_say(quiet))
    from .hierarchy import Hierarchy

    _progress(quiet, f"{method}: running ...")
    return Hierarchy(graph, [_partition(graph, method, kwargs)]), []


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
        lines.append(f"{layer}: {_count(p.n_areas, 'area')}, {_count(n_un, 'unassigned zone')}"
                     + (f": {p.empty_reason}" if p.empty_reason else ""))
        text = p.params.get("centre_rule_text")
        if text:
            lines.append(f"  centres: {text}")
        info[layer] = {"empty_reason": p.empty_reason, "centre_rule_text": text,
                       "centre_rule": p.params.get("centre_rule")}
    return lines, info


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
@reading_options(geometry=True)
def delineate_cmd(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    method: Method = "network",
    tau: Tau = None,
    max_order: MaxOrder = None,
    centres: Centres = None,
    centres_file: CentresFile = None,
    min_size: MinSize = None,
    min_size_share: MinSizeShare = None,
    min_job_ratio: MinJobRatio = None,
    ttwa_preset: TtwaPreset = None,
    min_sc: MinSc = None,
    target_size: TargetSize = None,
    target_sc: TargetSc = None,
    k: K = None,
    min_objective: MinObjective = None,
    cutoff: Cutoff = None,
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
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Delineate functional areas and print areas per layer (optionally write them)."""
    from ._cli_io import CliInputError

    opts = dict(tau=tau, max_order=max_order, centres=centres, centres_file=centres_file,
                min_size=min_size, min_size_share=min_size_share, min_job_ratio=min_job_ratio,
                ttwa_preset=ttwa_preset, min_sc=min_sc, target_size=target_size,
                target_sc=target_sc, k=k, min_objective=min_objective, cutoff=cutoff)
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
        raise CliInputError(f"{graph.name or source} has no zone geometry, so it cannot be "
                            f"written as {target[1]}; use --format csv (or --out FILE.csv), "
                            "or attach polygons with --zones.")
    h, _ = _delineation(graph, method, opts, kwargs, quiet)
    layer_lines, info = _layer_lines(h)
    layers = {}
    for layer in h.layers:
        table = h.summary(layer)
        cols = [c for c in ["name", "n_zones", "residents", "jobs"] if c in table.columns]
        layers[layer] = {"areas": len(table), "unassigned_zones": int(h[layer].unassigned.size),
                         **info[layer], "table": _records(table[cols].rename_axis("area"))}
    lines = [f"{graph.name or source}: {graph.n_zones:,} zones, method {method}", *layer_lines]
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
           "hierarchy": repr(h), "layers": layers, "repairs": list(graph.meta.get("repairs", [])),
           "out": out, "format": target[1] if target else None, "files": written},
          json_output, "\n".join(lines), files=written)


# ---------------------------------------------------------------------------- compare
@app.command()
@_handled
@reading_options
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
    origin: str = typer.Option("origin", help="Origin column of the --graph OD file."),
    destination: str = typer.Option("destination", help="Destination column of the --graph "
                                    "OD file."),
    flow: str = typer.Option("flow", help="Flow column of the --graph OD file."),
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Compare two partitions of zones: ARI, NMI, VI and best-match overlap. The reading
    options (--sep, --matrix, --names, ...) apply to the --graph OD file."""
    from ._cli_io import CliInputError, read_crosswalk, read_labels
    from .compare import compare as compare_fn

    if graph is None:
        flags = [f for f, v, default in [("--origin", origin, "origin"),
                                         ("--destination", destination, "destination"),
                                         ("--flow", flow, "flow")] if v != default]
        flags += [f"--{k.replace('_', '-')}" for k, v in (reading or {}).items()
                  if v not in (None, False, [], ())]
        if flags:
            many = len(flags) > 1
            raise CliInputError(f"{', '.join(flags)} only appl{'y' if many else 'ies'} with "
                                "--graph (the OD file that weights the zones); give --graph "
                                f"or drop {'them' if many else 'it'}.")
    for path in (a, b, crosswalk):
        if path is not None and not path.is_file():
            raise FileNotFoundError(2, "missing", str(path))
    la, lb = read_labels(a, layer), read_labels(b, layer_b or layer)
    cw = read_crosswalk(crosswalk) if crosswalk is not None else None
    g = _graph(graph, origin, destination, flow, quiet=quiet, **(reading or {})) \
        if graph is not None else None
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
@reading_options
def evaluate(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    grouping: Path = typer.Argument(..., help="Proposed grouping: CSV with columns zone,group."),
    against_centres: str = typer.Option(None, help="Also compare with the metropolitan areas "
                                        "of these centres (e.g. 21+26,22,11)."),
    tau: float = typer.Option(0.10, help="Share in (0, 1] an outside zone must send to a group "
                              "to be suggested (also the metropolitan link threshold)."),
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Score a proposed grouping of zones against the flows: groups, pulled members, fixes."""
    from ._cli_io import check_tau, parse_centres, read_grouping
    from .layers import metropolitan_areas
    from .scenarios import evaluate_grouping

    check_tau(tau)
    parse_centres(against_centres)
    groups = read_grouping(grouping)
    g = _graph(source, origin, destination, flow, quiet, **(reading or {}))
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
@reading_options
def sweep(
    source: str = typer.Argument(..., help=SOURCE_HELP),
    tau: str = typer.Option("0.05,0.1,0.2", help="Comma-separated link thresholds in (0, 1]."),
    centres: str = typer.Option(None, help=CENTRES_HELP),
    max_order: int = typer.Option(None, help="Longest chain of links."),
    workers: Workers = None,
    scheduler: Scheduler = None,
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
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
        g = _graph(source, origin, destination, flow, quiet, **(reading or {}))
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
@reading_options
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
    origin: Origin = None,
    destination: Destination = None,
    flow: Flow = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
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
        g = _graph(source, origin, destination, flow, quiet, **(reading or {}))
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
