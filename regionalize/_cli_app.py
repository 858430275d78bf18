"""The ``regionalize`` typer app and what every command shares.

- :data:`app` (and its ``datasets`` group, :data:`datasets_app`) with the options given
  before a command (``--json``, ``--quiet``, ``--version``);
- :func:`handled`, around every command: errors to exit codes and one ``error: ...`` line
  (fixes written as flags), warnings to ``warning: ...`` lines and the JSON;
- a command's output: :func:`emit` (text for a person, or the one JSON shape of the module
  docstring of ``cli.py``), :func:`records`, :func:`progress`, :func:`echo`;
- a command's input: :func:`source_graph` (a data set, synthetic-N or an OD file read with
  the reading options) and :func:`metro_kwargs` (a data set's preset, overridden).

The commands live in the ``_cli_*`` modules beside this one, each registering on
:data:`app`; ``cli.py`` imports them and holds the entry point.
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
app = typer.Typer(
    help="Functional regions from commuting origin-destination data. "
    "Exit codes: 0 ok, 2 bad input, 1 unexpected error, 130 interrupted. "
    "With --json every command prints one JSON object on stdout: "
    '{"command", "ok", "result" (the command\'s own keys), "files" (written), '
    '"warnings"}; progress and warnings go to stderr (--quiet: none).',
    epilog="Start with: regionalize report OD.csv --zones ZONES.gpkg (then "
    "open outputs/OD/report.html).",
    no_args_is_help=True,
    add_completion=False,
    context_settings=_CONTEXT,
    rich_markup_mode=None,
)  # plain help: flags shown as flags, no boxes
datasets_app = typer.Typer(
    help="List the named data sets, or describe one. `regionalize datasets` alone lists them.",
    add_completion=False,
    context_settings=_CONTEXT,
    rich_markup_mode=None,
)
app.add_typer(datasets_app, name="datasets")


def echo(text: str, err: bool = False) -> None:
    """Print text for a person: control characters in names (ANSI sequences, carriage
    returns, bidirectional overrides) are shown as escapes, never obeyed by the terminal."""
    from ._markup import terminal_text

    typer.echo(terminal_text(text), err=err)


def _fail(message: str, code: int = 2):
    echo(f"error: {message}", err=True)
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
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Every command prints only JSON on stdout (same as the command's --json).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress or warning text on stderr, for every command."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print 'regionalize <version>' and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
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


def handled(fn):
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
                echo(f"warning: {text}", err=True)

        def fail(message: str, code: int = 2):
            if as_json:
                _print_json(
                    {
                        "command": _RUN["command"],
                        "ok": False,
                        "result": None,
                        "files": [],
                        "warnings": list(_RUN["warnings"]),
                        "error": message,
                    }
                )
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
    r"""The error's message on one line with its fixes written as flags (``--footer drop``,
    :func:`regionalize._cli_io.render_for_cli`); a carriage return in the user's data is
    kept, for :func:`echo` to show as ``\r``."""
    from ._cli_io import cli_fix_text, render_for_cli

    if exc.fixes:
        return exc.render(cli_fix_text).replace("\n", " ")
    return "\r".join(render_for_cli(RegionalizeError(part)) for part in str(exc).split("\r"))


def _print_json(data: dict) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def emit(result: dict, as_json: bool, text: str, files=()) -> None:
    """The command's output: ``text`` for a person, or the shared JSON shape around
    ``result`` (see the docstring of ``cli.py``)."""
    if as_json:
        _print_json(
            {
                "command": _RUN["command"],
                "ok": True,
                "result": result,
                "files": [str(f) for f in files],
                "warnings": list(_RUN["warnings"]),
            }
        )
    else:
        echo(text)


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def records(df) -> list[dict]:
    return json.loads(df.reset_index().to_json(orient="records", default_handler=str))


def progress(quiet: bool, text: str) -> None:
    if not quiet:
        echo(text, err=True)


def _columns(value, default: str):
    """``--origin`` / ``--destination`` as given once (a column), several times (the columns
    of a code split over several columns, joined), or not at all (the default name)."""
    if value is None or (isinstance(value, list) and not value):
        return default
    if isinstance(value, list):
        return value[0] if len(value) == 1 else list(value)
    return value


def source_graph(
    source, origin="origin", destination="destination", flow="flow", quiet=True, **reading
):
    """The FlowGraph of a data set, synthetic-N or an OD file, read with the reading options
    (:data:`regionalize._cli_io.READING_OPTIONS`); what the reader repaired (totals dropped,
    a table transposed, ...) is said on stderr."""
    from ._cli_io import FILE_SUFFIXES, CliInputError, load_source
    from .datasets import DATASETS

    origin, destination = _columns(origin, "origin"), _columns(destination, "destination")
    path = Path(source)
    if path.is_file() and path.suffix.lower() not in FILE_SUFFIXES:
        raise CliInputError(
            f"cannot tell the format of {path.name} from its suffix: name the "
            "file .csv (text, any delimiter; also .txt, .tsv, .gz), .parquet "
            "or .xlsx (also .xls, .ods)."
        )
    if source in DATASETS or path.is_file():  # the slow reads (not a bad name)
        progress(quiet, f"reading {source} ...")
    g = load_source(source, origin, destination, flow, **reading)
    progress(quiet, f"{g.name or source}: {g.n_zones:,} zones, {g.n_flows:,} flows")
    for note in g.meta.get("repairs", []):
        progress(quiet, f"  {note}")
    return g


def metro_kwargs(graph, centres, tau=None, max_order=None) -> dict:
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
