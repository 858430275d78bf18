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
``sweep``, ``stability``, and ``compare --graph``) takes the same reading options, declared
once for every command (``--matrix``, ``--rows``, ``--sep``,
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
``--cutoff``, ``--contiguity`` (rook or queen, with the zones' polygons) and ``--bridges``;
cma (Statistics Canada's census metropolitan areas) ``--centres``, ``--centres-file`` or
``--population``. ``stability --border-level`` counts the zones that spend fewer runs than
that share in their most frequent area. An option of another method, a bad value or a missing stop rule is refused
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

The app and what every command shares (errors to exit codes, the JSON shape) are in
``_cli_app.py``; the commands in ``_cli_delineate.py`` (``report``, ``demo``,
``delineate``), ``_cli_compare.py`` (``compare``, ``evaluate``), ``_cli_stability.py``
(``sweep``, ``stability``) and ``_cli_datasets.py``; the options in ``_cli_params.py`` and,
for reading an OD file, ``_cli_io.py``.
"""

from __future__ import annotations

import typer

# the command modules register their commands on `app` as they are imported, and `--help`
# lists them in that order: report, demo, delineate, then compare, evaluate, sweep, stability
from . import _cli_delineate  # noqa: F401

# isort: split
from . import _cli_compare, _cli_datasets, _cli_stability  # noqa: F401
from ._cli_app import app, echo


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
        echo(f"error: {exc.format_message()}{where}", err=True)
        return exc.exit_code
    finally:
        sys.stdout.flush()
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
