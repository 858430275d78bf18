"""Helpers of the ``regionalize`` command line: sources, option parsing, label files.

The reading options are declared once here (:data:`READING_OPTIONS`, each an ``Annotated``
typer option named as the library's keyword: ``--footer`` for ``footer=``), read by one
function (:func:`read_source`), and errors are rendered with the flags in place of the
keywords (:func:`render_for_cli`: ``footer='drop'`` -> ``--footer drop``).
"""

from __future__ import annotations

import functools
import inspect
import re
import shlex
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer

from .errors import Fix, RegionalizeError
from .stability import Executor, resolve_executor

FILE_SUFFIXES = {
    ".csv",
    ".txt",
    ".tsv",
    ".gz",
    ".bz2",
    ".zip",
    ".xz",
    ".parquet",
    ".pq",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
}


class CliInputError(RegionalizeError):
    """A command-line argument or input file cannot be used (exit code 2)."""


# ---------------------------------------------------------------------------- errors
#: the library's keyword -> the command line's flag, for every fix an error can name
CLI_FLAGS = {
    "origin": "--origin",
    "destination": "--destination",
    "flow": "--flow",
    "matrix": "--matrix",
    "rows": "--rows",
    "sep": "--sep",
    "encoding": "--encoding",
    "thousands": "--thousands",
    "decimal": "--decimal",
    "skiprows": "--skiprows",
    "sheet": "--sheet",
    "footer": "--footer",
    "totals": "--totals",
    "suppressed": "--suppressed",
    "duplicates": "--duplicates",
    "id_width": "--id-width",
    "id_collisions": "--id-collisions",
    "missing": "--missing-geometry",
    "names_id": "--names-id",
    "names_column": "--names-column",
}

#: keywords the command line has no flag for, as it says them instead (a matrix's ids are
#: always its first column: ``read_matrix(id_column=)`` has no flag)
CLI_WORDS = {"id_column": "the first column"}

_SEP_NAMES = {"\t": "tab", " ": "space"}


def cli_value(value) -> str:
    """An option value as typed in a shell (quoted when needed; a tab as ``tab``)."""
    if isinstance(value, str) and value in _SEP_NAMES:
        return _SEP_NAMES[value]
    if isinstance(value, (list, tuple)):
        return shlex.quote(",".join(map(str, value)))
    return shlex.quote(str(value))


def cli_fix_text(fix: Fix) -> str:
    """A fix as the command line writes it: ``--footer drop``, ``--origin``, ``--matrix``;
    a keyword with no flag is said in words (:data:`CLI_WORDS`), else keeps its Python
    form."""
    flag = CLI_FLAGS.get(fix.keyword)
    if flag is None:
        return CLI_WORDS.get(fix.keyword) or fix.python()
    if not fix.has_value or fix.value is True:
        return flag
    return f"{flag} {cli_value(fix.value)}"


_PLAIN_FIX = re.compile(
    r"\b(" + "|".join(sorted(CLI_FLAGS, key=len, reverse=True)) + r")="
    r"('(?:[^'\\]|\\.)*'|\"[^\"]*\"|-?\d+(?:\.\d+)?|True)?"
)


def render_for_cli(exc: BaseException) -> str:
    """The message of ``exc`` for the command line: each fix the error names is written with
    its flag (``footer='drop'`` -> ``--footer drop``, ``encoding='cp1252'`` ->
    ``--encoding cp1252``, ``origin=`` -> ``--origin``), from the same message the Python
    caller reads. One line (newlines become spaces).

    Examples
    --------
    >>> from regionalize.errors import InvalidODError, says
    >>> render_for_cli(InvalidODError("2 rows look like notes. " + says(
    ...     "Pass {} to leave them out.", Fix("footer", "drop"))))
    '2 rows look like notes. Pass --footer drop to leave them out.'
    """
    if isinstance(exc, RegionalizeError) and exc.fixes:
        text = exc.render(cli_fix_text)
    else:  # a message written as plain text: its keyword=value fixes, if any, by pattern

        def repl(m: re.Match) -> str:
            value = m.group(2)
            if value is None:
                return CLI_FLAGS[m.group(1)]
            try:
                import ast

                parsed = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                parsed = value
            return cli_fix_text(Fix(m.group(1), parsed))

        text = _PLAIN_FIX.sub(repl, str(exc))
    return text.replace("\r", " ").replace("\n", " ")


# ---------------------------------------------------------------------------- options
# the reading options, declared once; names and values are the library's keywords
Matrix = Annotated[
    bool,
    typer.Option(
        "--matrix",
        help="The input is a wide matrix (one row per zone, a column per zone; ids "
        "in the first column and the header), not a long origin,destination,flow table.",
    ),
]
Rows = Annotated[
    Literal["residence", "workplace"],
    typer.Option(
        help="With --matrix: what the rows are. workplace: a table published workplace by "
        "residence is transposed."
    ),
]
Sep = Annotated[str, typer.Option(help="CSV delimiter: , ; | tab (default: sniffed).")]
Encoding = Annotated[
    str,
    typer.Option(
        help="Text encoding: utf-8 (default; UTF-16 byte-order marks honoured), cp949, euc-kr, "
        "cp1252, latin-1, utf-16-le, ... or auto to detect it."
    ),
]
Thousands = Annotated[
    str, typer.Option(help="The character grouping thousands in the flows (e.g. . for 1.234).")
]
Decimal = Annotated[
    str,
    typer.Option(
        help="The decimal mark of the flows (e.g. , for 12,5; . to read 1.234 as a fraction)."
    ),
]
Skiprows = Annotated[
    int,
    typer.Option(min=0, help="Lines to skip before the header (titles and notes above the table)."),
]
Sheet = Annotated[
    list[str] | None,
    typer.Option(
        help="Sheet of an Excel workbook (a name, or a position from 0); repeat it to read one "
        "table split over several sheets."
    ),
]
Footer = Annotated[
    Literal["error", "drop"],
    typer.Option(help="Notes, sources or totals after the table: error, or drop them (recorded)."),
]
Totals = Annotated[
    Literal["error", "drop", "keep"],
    typer.Option(
        help="Total and subtotal rows, columns or ids (Total, Gesamt, 합계, All, or the sum of "
        "the others): error, drop them (recorded), or keep them as zones."
    ),
]
Suppressed = Annotated[
    Literal["error", "zero"],
    typer.Option(help="Suppressed or empty cells (-, *, .., x, <3): error, or read them as zero."),
]
Duplicates = Annotated[
    Literal["error", "sum", "drop_identical"],
    typer.Option(
        help="Repeated origin-destination rows: error, sum them, or drop_identical (keep one "
        "of each exact repeat)."
    ),
]
IdWidth = Annotated[
    str,
    typer.Option(
        "--id-width",
        help="Pad numeric ids with leading zeros to this width (codes stored as "
        "numbers, e.g. 5 for 1001 -> 01001); one width per id column for codes joined from "
        "several columns (e.g. 2,3 for state and county FIPS).",
    ),
]
IdCollisions = Annotated[
    Literal["error", "merge"],
    typer.Option(
        "--id-collisions",
        help="Ids written two ways (SEOUL / Seoul, 1001 / 1001.0): error, or "
        "merge them into one zone (recorded).",
    ),
]
Names = Annotated[
    Path, typer.Option(help="A CSV (or Parquet / Excel) table of zone names to attach by id.")
]
NamesId = Annotated[
    str,
    typer.Option(
        "--names-id", help="Id column of --names (default: the column matching the zone ids)."
    ),
]
NamesColumn = Annotated[
    str,
    typer.Option(
        "--names-column",
        help="Name column of --names (default: a column called name, NAME, "
        "*_name, *NM, ..., else the first text column).",
    ),
]
MissingGeometry = Annotated[
    Literal["error", "keep"],
    typer.Option(
        "--missing-geometry",
        help="Zones of the flows without a polygon in --zones: error, or "
        "keep them without geometry (recorded).",
    ),
]

#: the reading options: parameter name -> (Annotated type, default); what
#: :func:`reading_options` adds to a command and :func:`read_source` takes
READING_OPTIONS = {
    "matrix": (Matrix, False),
    "rows": (Rows, None),
    "sep": (Sep, None),
    "encoding": (Encoding, None),
    "thousands": (Thousands, None),
    "decimal": (Decimal, None),
    "skiprows": (Skiprows, None),
    "sheet": (Sheet, None),
    "footer": (Footer, None),
    "totals": (Totals, None),
    "suppressed": (Suppressed, None),
    "duplicates": (Duplicates, None),
    "id_width": (IdWidth, None),
    "id_collisions": (IdCollisions, None),
    "names": (Names, None),
    "names_id": (NamesId, None),
    "names_column": (NamesColumn, None),
}
#: with --zones: what to do with zones of the flows that have no polygon
GEOMETRY_OPTIONS = {"missing_geometry": (MissingGeometry, None)}


def reading_options(fn=None, *, geometry: bool = False):
    """Add the reading options to a typer command and hand them to it as one dict.

    The command declares a parameter ``reading: dict``; the decorator replaces it, in the
    signature typer reads, by the options of :data:`READING_OPTIONS` (and, with
    ``geometry=True``, ``--missing-geometry``), and calls the command with
    ``reading={...}`` holding the values given (for :func:`read_source`)::

        @app.command()
        @_handled
        @reading_options(geometry=True)
        def delineate_cmd(source: str, ..., reading: dict | None = None): ...
    """
    options = {**READING_OPTIONS, **(GEOMETRY_OPTIONS if geometry else {})}

    def decorate(func):
        sig = inspect.signature(func, eval_str=True)
        params = [p for p in sig.parameters.values() if p.name != "reading"]
        names = {p.name for p in params}
        clash = names & set(options)
        if clash:
            raise TypeError(f"{func.__name__} already declares {sorted(clash)}")
        extra = [
            inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
            for k, (kind, default) in options.items()
        ]
        positional = [p for p in params if p.kind != inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY]
        new_sig = sig.replace(parameters=[*positional, *keyword, *extra])

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            reading = {k: kwargs.pop(k) for k in list(kwargs) if k in options}
            return func(*args, reading=reading, **kwargs)

        wrapper.__signature__ = new_sig
        return wrapper

    return decorate(fn) if fn is not None else decorate


_SEP_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


def _sep(value: str | None) -> str | None:
    if value is None:
        return None
    sep = _SEP_WORDS.get(value.strip().lower(), value) if value.strip() else value
    if len(sep) != 1:
        raise CliInputError(
            f"--sep must be one character (e.g. --sep ';', --sep tab); got {value!r}."
        )
    return sep


def _one_char(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    value = {"space": " ", "apostrophe": "'", "none": ""}.get(value.strip().lower(), value)
    if len(value) > 1:
        raise CliInputError(f"{flag} must be one character (e.g. {flag} .); got {value!r}.")
    return value or None


def id_width_value(value):
    """``--id-width 5`` -> 5, ``--id-width 2,3`` -> [2, 3] (one width per id column)."""
    if value is None or isinstance(value, (int, list, tuple)):
        return value
    try:
        widths = [int(v) for v in str(value).split(",") if v.strip()]
    except ValueError:
        widths = []
    if not widths or min(widths) < 1:
        raise CliInputError(
            f"--id-width must be a positive width, or one per id column "
            f"(e.g. --id-width 5, --id-width 2,3); got {value!r}."
        )
    return widths[0] if len(widths) == 1 else widths


def _sheets(values):
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def read_source(
    source: str,
    *,
    origin: str = "origin",
    destination: str = "destination",
    flow: str = "flow",
    matrix: bool = False,
    rows: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    thousands: str | None = None,
    decimal: str | None = None,
    skiprows: int | None = None,
    sheet=None,
    footer: str | None = None,
    totals: str | None = None,
    suppressed: str | None = None,
    duplicates: str | None = None,
    id_width: int | None = None,
    id_collisions: str | None = None,
    names: Path | str | None = None,
    names_id: str | None = None,
    names_column: str | None = None,
    zones: Path | str | None = None,
    zone_id: str | None = None,
    missing_geometry: str | None = None,
):
    """A FlowGraph from a named data set, ``synthetic-N`` or an OD file (CSV, Parquet,
    Excel; a long table, or a wide matrix with ``matrix=True``), with the reading options
    of the command line (the library's keywords, None for their defaults), then the zone
    names of ``names`` and the polygons of ``zones`` attached by id.

    Options that do not apply (``--footer`` for a named data set, ``--rows`` without
    ``--matrix``, ``--duplicates`` with it) are an error naming the flag.
    """
    from .datasets import DATASETS, load

    given = {
        k: v
        for k, v in dict(
            rows=rows,
            sep=sep,
            encoding=encoding,
            thousands=thousands,
            decimal=decimal,
            skiprows=skiprows,
            sheet=sheet,
            footer=footer,
            totals=totals,
            suppressed=suppressed,
            duplicates=duplicates,
            id_width=id_width,
            id_collisions=id_collisions,
        ).items()
        if v not in (None, [], ())
    }
    if matrix:
        given["matrix"] = True
    if names is None and (names_id is not None or names_column is not None):
        raise CliInputError(
            "--names-id and --names-column only apply with --names (the zone names file)."
        )
    if zones is None and missing_geometry is not None:
        raise CliInputError("--missing-geometry only applies with --zones (the zone polygons).")
    path = Path(source)
    if path.exists():
        graph = _read_file(path, origin, destination, flow, given)
    else:
        if given:
            flags = ", ".join(CLI_FLAGS[k] for k in given)
            raise CliInputError(f"{flags} only apply to an OD file, not to {source!r}.")
        if source in DATASETS:
            graph = load(source)
        elif source.startswith("synthetic-"):
            n = source.split("-", 1)[1]
            if not n.isdigit() or int(n) < 2:
                raise CliInputError(f"bad synthetic data set {source!r}; use e.g. synthetic-300.")
            from .synthetic import synthetic_country

            graph = synthetic_country(int(n), seed=0)
        elif path.suffix.lower() in FILE_SUFFIXES or "/" in source or "\\" in source:
            raise CliInputError(f"no such file: {source}; check the path of the OD file.")
        else:
            raise CliInputError(
                f"Unknown data set {source!r}; choose one of {', '.join(DATASETS)} or "
                "synthetic-N (see `regionalize datasets`), or give a CSV/Parquet/Excel OD "
                "file."
            )
    if names is not None:
        width = id_width_value(id_width)
        from ._cli_zones import attach_names

        graph = attach_names(
            graph,
            Path(names),
            names_id,
            names_column,
            id_width=width if isinstance(width, int) else None,
        )
    if zones is not None:
        from ._cli_zones import attach_zones

        graph = attach_zones(graph, Path(zones), zone_id, missing=missing_geometry or "error")
    return graph


def _read_file(path: Path, origin: str, destination: str, flow: str, given: dict):
    from .io.readers import read_flows, read_matrix

    options = dict(given)
    matrix = options.pop("matrix", False)
    if "sep" in options:
        options["sep"] = _sep(options["sep"])
    for key in ("thousands", "decimal"):
        if key in options:
            options[key] = _one_char(options[key], CLI_FLAGS[key])
    if "sheet" in options:
        options["sheet"] = _sheets(options["sheet"])
    if "id_width" in options:
        options["id_width"] = id_width_value(options["id_width"])
    try:
        if matrix:
            if "duplicates" in options:
                raise CliInputError(
                    "--duplicates applies to long tables; a matrix has one "
                    "cell per pair (drop --duplicates, or --matrix)."
                )
            if (origin, destination, flow) != ("origin", "destination", "flow"):
                raise CliInputError(
                    "--origin, --destination and --flow name the columns of "
                    "a long table; a matrix's ids are its first column and "
                    "its header (drop them, or --matrix)."
                )
            return read_matrix(path, name=path.stem, **options)
        if "rows" in options:
            raise CliInputError(
                "--rows applies to a wide matrix (--matrix); a long table "
                "says which column is the origin with --origin."
            )
        graph_keys = ("suppressed", "duplicates", "id_width", "id_collisions")
        graph_kwargs = {k: options.pop(k) for k in graph_keys if k in options}
        return read_flows(
            path, origin, destination, flow, name=path.stem, **options, **graph_kwargs
        )
    except KeyError as exc:
        raise CliInputError(
            f"{path.name} has no column {exc}; name the columns with --origin, "
            "--destination and --flow."
        ) from None


def load_source(
    source: str,
    origin: str = "origin",
    destination: str = "destination",
    flow: str = "flow",
    **reading,
):
    """A FlowGraph from a named data set, ``synthetic-N`` or an OD file: :func:`read_source`
    with the column names first (``reading``: the options of :data:`READING_OPTIONS`).

    Errors are raised with their fixes already written as flags (:func:`for_cli`), so that
    a command line handler printing ``str(exc)`` says ``--footer drop``."""
    try:
        return read_source(source, origin=origin, destination=destination, flow=flow, **reading)
    except RegionalizeError as exc:
        raise for_cli(exc) from None


def for_cli(exc: RegionalizeError) -> RegionalizeError:
    """The same error (same class) whose text names flags instead of keywords (see
    :func:`render_for_cli`); ``exc`` itself when it names none. Its fixes stay readable
    as ``.cli_fixes``."""
    if isinstance(exc, CliInputError) or not exc.fixes:
        return exc
    try:
        new = type(exc)(render_for_cli(exc))
    except Exception:  # noqa: BLE001 - an error class with another signature: keep it
        return exc
    new.cli_fixes = exc.fixes
    return new


def parse_centres(text: str | None) -> list | None:
    """``"21+26,22,11"`` -> ``[["21", "26"], "22", "11"]`` (``+`` joins a polycentric core)."""
    if text is None:
        return None
    out: list = []
    for part in text.split(","):
        ids = [i.strip() for i in part.split("+") if i.strip()]
        if not ids:
            raise CliInputError(f"--centres {text!r} has an empty entry; use e.g. 21+26,22,11.")
        out.append(ids if len(ids) > 1 else ids[0])
    return out


def check_tau(value: float | None, option: str = "--tau") -> None:
    if value is not None and not 0 < value <= 1:
        raise CliInputError(
            f"{option} must be a share in (0, 1]; got {value:g} (e.g. {option} 0.1 for 10%)."
        )


def parse_floats(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliInputError(
            f"{option} must be comma-separated numbers (e.g. 0.05,0.1,0.2); got {text!r}."
        ) from None
    if not values:
        raise CliInputError(f"{option} needs at least one value (e.g. 0.05,0.1,0.2).")
    for v in values:
        check_tau(v, option)
    return values


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise CliInputError(f"no such file: {path} ({what}); check the path.")
    if path.suffix.lower() in {".parquet", ".pq"}:
        df = pd.read_parquet(path)
        return df.astype({c: str for c in df.columns[:1]})
    return pd.read_csv(path, dtype=str, sep=None, engine="python")


def read_labels(path: str | Path, column: str | None = None) -> pd.Series:
    """Zone -> label from a file with a ``zone`` column and a ``label`` column (or ``column``,
    e.g. a layer of ``zones.csv`` written by ``delineate``; or the second of two columns)."""
    df = read_table(path, "label file")
    name = Path(path).name
    if "zone" not in df.columns:
        raise CliInputError(
            f"{name} has no 'zone' column; the label file needs columns zone,label."
        )
    if column is None:
        column = (
            "label" if "label" in df.columns else (df.columns[1] if len(df.columns) == 2 else None)
        )
    if column is None or column not in df.columns:
        raise CliInputError(
            f"{name} has no label column {column or 'label'!r} (columns: "
            f"{', '.join(df.columns)}); pass --layer COLUMN."
        )
    labels = df.set_index("zone")[column]
    if labels.index.duplicated().any():
        dup = labels.index[labels.index.duplicated()][0]
        raise CliInputError(f"{name} lists zone {dup!r} more than once; keep one row per zone.")
    return labels.where(labels.notna() & (labels != ""), None)


def read_crosswalk(path: str | Path) -> pd.Series:
    """B's zone id -> A's zone id, from the first two columns of a file."""
    df = read_table(path, "crosswalk")
    if len(df.columns) < 2:
        raise CliInputError(f"{Path(path).name} needs two columns: the zone id in B, then in A.")
    return pd.Series(df.iloc[:, 1].to_numpy(), index=df.iloc[:, 0].to_numpy())


def read_grouping(path: str | Path) -> dict[str, list[str]]:
    df = read_table(path, "grouping file")
    missing = {"zone", "group"} - set(df.columns)
    if missing:
        raise CliInputError(
            f"{Path(path).name} has no {', '.join(sorted(missing))} column; the "
            "grouping file needs columns zone,group."
        )
    df = df.dropna(subset=["zone", "group"])
    if df.empty:
        raise CliInputError(f"{Path(path).name} has no rows; add zone,group rows.")
    return {g: list(z) for g, z in df.groupby("group", sort=False)["zone"]}


def make_executor(workers: int | None, scheduler: str | None):
    """(executor, client): an int of local processes, or a lazily made dask Client."""
    if workers is not None and scheduler is not None:
        raise CliInputError("give either --workers or --scheduler, not both.")
    if workers is not None:
        from .stability import MAX_WORKERS

        if not 1 <= workers <= MAX_WORKERS:
            raise CliInputError(
                f"--workers must be between 1 and {MAX_WORKERS} (32 per core here); got {workers}."
            )
    if scheduler is None:
        return workers, None
    try:
        from distributed import Client
    except ImportError:
        raise CliInputError(
            "--scheduler needs dask.distributed: pip install 'dask[distributed]'."
        ) from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise CliInputError(
            f"cannot connect to the Dask scheduler at {scheduler} ({exc}); "
            "check the address (e.g. tcp://host:8786)."
        ) from None
    return client, client


@contextmanager
def executor_for(workers: int | None, scheduler: str | None, label: str, quiet: bool):
    """The executor for --workers / --scheduler, reporting progress; closes a Dask client."""
    executor, client = make_executor(workers, scheduler)
    try:
        yield ProgressExecutor(executor, label, quiet)
    finally:
        if client is not None:
            client.close()


class ProgressExecutor(Executor):
    """Reports progress on stderr: per run in this process, start/end otherwise."""

    def __init__(self, executor, label: str, quiet: bool = False):
        self.inner = resolve_executor(executor)
        self.label = label
        self.quiet = quiet
        self.sequential = type(self.inner).__name__ == "SequentialExecutor" and sys.stderr.isatty()

    def _say(self, text: str, end: str = "\n") -> None:
        if not self.quiet:
            sys.stderr.write(text + end)
            sys.stderr.flush()

    def map(self, fn, items, **shared):
        items = list(items)
        n = len(items)
        start = time.perf_counter()
        if self.sequential:
            out = []
            for i, item in enumerate(items, 1):
                out.append(fn(item, **shared))
                self._say(f"\r{self.label}: {i}/{n}", end="")
            self._say(f" ({time.perf_counter() - start:.1f}s)")
            return out
        self._say(f"{self.label}: {n} runs on {self.inner!r} ...")
        out = self.inner.map(fn, items, **shared)
        self._say(f"{self.label}: done ({time.perf_counter() - start:.1f}s)")
        return out

    def __repr__(self) -> str:
        return repr(self.inner)


#: column names read as the name of a zone in a names file (compared case-insensitively)
