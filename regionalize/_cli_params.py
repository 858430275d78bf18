"""Command-line parameters that reach the library's keywords one to one (not API).

Each helper turns option values into the keyword arguments of a layer or method, or raises
:class:`~regionalize._cli_io.CliInputError` (exit code 2) naming the flag to change, so
that a command (``_cli_*.py``) wires an option in a line or two:

- :func:`read_centres_file` (``--centres-file``): centres by zone id or name, one per line;
- :func:`centre_rule_options` (``--min-size``, ``--min-size-share``, ``--min-job-ratio``);
- :func:`ttwa_options` (``--ttwa-preset``, ``--min-size``, ``--min-sc``, ``--target-size``,
  ``--target-sc``);
- :func:`intramax_options` (``--k``, ``--min-objective``);
- :func:`commuting_zone_options` (``--cutoff``, ``--contiguity``) and
  :func:`read_bridges_file` (``--bridges``);
- :func:`cma_options` (``--centres`` / ``--centres-file`` or ``--population``);
- :func:`parse_number` for options that also accept ``none`` (``--min-job-ratio none``).

The options several commands share are declared here once, as ``Annotated`` typer options
(``Origin``, ``JsonOutput``, ``Zones``, ...); the options of the methods (``--tau`` to
``--population``, :data:`METHOD_OPTIONS`) are added to ``delineate`` and ``report`` by one
decorator, :func:`method_options`, and reach them as one dict.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from pathlib import Path
from typing import Annotated

import typer

from ._cli_io import CliInputError

__all__ = [
    "read_centres_file",
    "parse_number",
    "centre_rule_options",
    "ttwa_options",
    "intramax_options",
    "commuting_zone_options",
    "read_bridges_file",
    "cma_options",
    "check_population_column",
    "cbsa_options",
    "method_options",
]

_HEADER_WORDS = {
    "zone",
    "zones",
    "id",
    "ids",
    "name",
    "names",
    "centre",
    "centres",
    "center",
    "centers",
    "zone_id",
    "code",
}
_NONE_WORDS = {"none", "off", "no"}
CONTIGUITY_RULES = ("rook", "queen")


def parse_number(
    text,
    flag: str,
    *,
    low: float = 0.0,
    high: float = math.inf,
    closed: str = "both",
    allow_none: bool = False,
    example: str = "0.1",
) -> float | None:
    """A number from an option value (str or number), checked against ``[low, high]``
    (``closed``: "both", "left", "right" or "neither"); ``none``/``off`` give None when
    ``allow_none``. Raises CliInputError naming ``flag``."""
    if text is None:
        return None
    if isinstance(text, str) and text.strip().lower() in _NONE_WORDS:
        if allow_none:
            return None
        raise CliInputError(f"{flag} needs a number (e.g. {flag} {example}); got {text!r}.")
    try:
        value = float(text)
    except (TypeError, ValueError):
        extra = " or none" if allow_none else ""
        raise CliInputError(
            f"{flag} must be a number{extra} (e.g. {flag} {example}); got {text!r}."
        ) from None
    lo_ok = value >= low if closed in ("both", "left") else value > low
    hi_ok = value <= high if closed in ("both", "right") else value < high
    if not (math.isfinite(value) and lo_ok and hi_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") and high != math.inf else ")"
        raise CliInputError(
            f"{flag} must be in {left}{low:g}, {high:g}{right}; got {text!r} "
            f"(e.g. {flag} {example})."
        )
    return value


# ---------------------------------------------------------------------------- centres
def _zone_names(graph):
    from ._areas import zone_names

    return zone_names(graph)


def read_centres_file(
    path: str | Path, graph, *, flag: str = "--centres-file"
) -> dict[str, list[str]]:
    """Centres from a text file: one centre per line, as a zone id or a zone name.

    - A line is first matched whole, as a zone id, then as a zone name (exactly, then
      ignoring case): names holding ``,`` or ``+`` ("Kingston upon Hull, City of") are read
      as one name.
    - A line that matches nothing whole and holds ``+`` is a polycentric core: each part is
      an id or a name ("Busan+Ulsan", "21 + 26").
    - Blank lines and lines starting with ``#`` are skipped; a first line such as ``zone``
      or ``name`` that matches no zone is taken as a header.
    - A name shared by several zones is an error listing their ids (give the id instead),
      as are unknown entries (with the closest names) and a zone given twice.

    Returns ``{area name: [zone ids]}``, the area named after its zones ("Busan+Ulsan"),
    ready for ``centres=`` (:class:`~regionalize.MetropolitanAreas`, ``delineate``).
    """
    path = Path(path)
    if not path.is_file():
        raise CliInputError(f"no such file: {path} ({flag}); check the path.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliInputError(
            f"{path.name} ({flag}) is not UTF-8 text; save it as UTF-8 (one "
            "zone id or name per line)."
        ) from None
    ids = [str(z) for z in graph.ids]
    id_set = set(ids)
    names = _zone_names(graph)
    by_name: dict[str, list[str]] = {}
    by_fold: dict[str, list[str]] = {}
    for z, n in zip(ids, names.to_numpy(), strict=True):
        by_name.setdefault(str(n).strip(), []).append(z)
        by_fold.setdefault(str(n).strip().casefold(), []).append(z)

    def resolve(entry: str) -> tuple[list[str] | None, str | None]:
        if entry in id_set:
            return [entry], None
        for table, key in ((by_name, entry), (by_fold, entry.casefold())):
            hit = table.get(key)
            if hit is not None:
                if len(hit) > 1:
                    shown = ", ".join(f"{z} {names[z]}" for z in hit[:4])
                    return None, (
                        f"{entry!r} names {len(hit)} zones ({shown}); give the id instead"
                    )
                return list(hit), None
        close = difflib.get_close_matches(entry, list(by_name), n=2, cutoff=0.75)
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        return None, f"{entry!r} is neither a zone id nor a zone name{hint}"

    out: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    problems: list[str] = []
    first = True
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        core, err = resolve(entry)
        if core is None and "+" in entry:
            parts = [p.strip() for p in entry.split("+")]
            if all(parts):
                found = [resolve(p) for p in parts]
                errors = [e for _, e in found if e]
                if not errors:
                    core, err = [z for c, _ in found for z in c], None
                else:
                    err = "; ".join(errors)
        if core is None and first and entry.casefold() in _HEADER_WORDS:
            first = False
            continue
        first = False
        if core is None:
            problems.append(f"line {number}: {err}")
            continue
        for z in core:
            if z in seen:
                problems.append(
                    f"line {number}: zone {z} ({names[z]}) is already a centre (line {seen[z]})"
                )
            seen[z] = number
        out["+".join(str(names[z]) for z in core)] = core
    if problems:
        raise _file_problems(
            path,
            flag,
            problems,
            "One centre per line: a zone id or name, '+' between the zones of a polycentric core.",
        )
    if not out:
        raise CliInputError(
            f"{path.name} ({flag}) lists no centre; write one zone id or name per line."
        )
    return out


def centre_rule_options(min_size=None, min_size_share=None, min_job_ratio=None) -> dict:
    """Keyword arguments of the centre rule (:class:`~regionalize.MetropolitanAreas`,
    :class:`~regionalize.UrbanAreas`) from ``--min-size``, ``--min-size-share`` and
    ``--min-job-ratio`` (a number, or ``none`` to drop the test); options not given are
    left out, so the layer's (or the data set preset's) defaults stay."""
    out: dict = {}
    if min_size is not None:
        out["min_size"] = parse_number(min_size, "--min-size", closed="left", example="50000")
    if min_size_share is not None:
        out["min_size_share"] = parse_number(
            min_size_share, "--min-size-share", high=1.0, example="0.01"
        )
    if min_job_ratio is not None:
        out["min_job_ratio"] = parse_number(
            min_job_ratio, "--min-job-ratio", allow_none=True, example="1"
        )
    return out


# ---------------------------------------------------------------------------- methods
def ttwa_options(preset=None, min_size=None, min_sc=None, target_size=None, target_sc=None) -> dict:
    """Keyword arguments of :class:`~regionalize.methods.LabourMarketAreas` from
    ``--ttwa-preset`` (a name of :data:`~regionalize.methods.TTWA_PRESETS`), ``--min-size``,
    ``--min-sc``, ``--target-size`` and ``--target-sc`` (each overriding the preset)."""
    from .methods.ttwa import TTWA_PRESETS

    out: dict = {}
    if preset is not None:
        key = str(preset).strip().lower().replace("-", "").replace("_", "")
        if key not in TTWA_PRESETS:
            raise CliInputError(
                f"unknown --ttwa-preset {preset!r}; choose {', '.join(TTWA_PRESETS)}."
            )
        out["preset"] = key
    for value, flag, name, high, closed, example in (
        (min_size, "--min-size", "min_size", math.inf, "neither", "3500"),
        (min_sc, "--min-sc", "min_sc", 1.0, "right", "0.6667"),
        (target_size, "--target-size", "target_size", math.inf, "neither", "25000"),
        (target_sc, "--target-sc", "target_sc", 1.0, "right", "0.75"),
    ):
        if value is not None:
            out[name] = parse_number(value, flag, high=high, closed=closed, example=example)
    sizes = {**(TTWA_PRESETS[out.get("preset", "uk2011")]), **out}
    if sizes["min_size"] >= sizes["target_size"]:
        raise CliInputError(
            f"--min-size ({sizes['min_size']:g}) must be below --target-size "
            f"({sizes['target_size']:g})."
        )
    if sizes["min_sc"] > sizes["target_sc"]:
        raise CliInputError(
            f"--min-sc ({sizes['min_sc']:g}) must not exceed --target-sc ({sizes['target_sc']:g})."
        )
    return out


def intramax_options(k=None, min_objective=None) -> dict:
    """Keyword arguments of :class:`~regionalize.methods.Intramax` from ``--k`` and
    ``--min-objective``; one of them is required (Intramax has no stop rule of its own)."""
    if k is None and min_objective is None:
        raise CliInputError(
            "--method intramax needs a stop rule: --k N (the number of "
            "regions) or --min-objective X (stop when the best merge falls "
            "below X)."
        )
    out: dict = {}
    if k is not None:
        value = parse_number(k, "--k", low=1, example="20")
        if value != int(value):
            raise CliInputError(f"--k must be a whole number of regions; got {k!r}.")
        out["k"] = int(value)
    if min_objective is not None:
        out["min_objective"] = parse_number(
            min_objective, "--min-objective", closed="neither", example="1e-6"
        )
    return out


def commuting_zone_options(cutoff=None, contiguity=None, bridges=None) -> dict:
    """Keyword arguments of :class:`~regionalize.methods.CommutingZones` from ``--cutoff``
    (a dendrogram height in [0, 1]; Tolbert & Sizer's is 0.977) and ``--contiguity`` (rook
    or queen: merge only clusters that touch, zones without a neighbour linked to their
    nearest zone). ``--bridges`` needs ``--contiguity``; its file is read later, with the
    graph (:func:`read_bridges_file`)."""
    out: dict = {}
    if cutoff is not None:
        out["cutoff"] = parse_number(cutoff, "--cutoff", high=1.0, example="0.977")
    if contiguity is not None:
        rule = str(contiguity).strip().lower()
        if rule not in CONTIGUITY_RULES:
            raise CliInputError(
                f"unknown --contiguity {contiguity!r}; choose rook (a shared edge) or queen "
                "(a shared edge or corner)."
            )
        out["contiguity"] = rule
        out["islands"] = "nearest"
    if bridges is not None:
        if contiguity is None:
            raise CliInputError(
                "--bridges adds links to the contiguity, so it only applies with "
                "--contiguity rook or --contiguity queen; add one, or drop --bridges."
            )
        if not Path(bridges).is_file():
            raise CliInputError(f"no such file: {bridges} (--bridges); check the path.")
    return out


def _file_problems(path: Path, flag: str, problems: list[str], fix: str) -> CliInputError:
    """One error for the bad lines of a file given to ``flag``: the first five, how many
    more, and how to write the file."""
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return CliInputError(f"{path.name} ({flag}): " + "; ".join(problems[:5]) + more + ". " + fix)


def read_bridges_file(path: str | Path, graph, *, flag: str = "--bridges") -> list[tuple]:
    """Bridges from a two-column CSV: one pair of zone ids per line (a ferry, a bridge, a
    permanent road linking two zones), an optional header line (``from,to``) first.

    Unknown ids, a zone linked to itself, a line without two ids and a file with no pair
    are errors naming ``flag``. Returns the pairs as ``(id, id)`` tuples of the graph's ids,
    for ``bridges=`` of :class:`~regionalize.methods.CommutingZones`."""
    import csv
    import io

    path = Path(path)
    if not path.is_file():
        raise CliInputError(f"no such file: {path} ({flag}); check the path.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliInputError(
            f"{path.name} ({flag}) is not UTF-8 text; save it as a UTF-8 CSV, two zone ids a line."
        ) from None
    ids = {str(z) for z in graph.ids}
    pairs: list[tuple] = []
    problems: list[str] = []
    first = True
    sep = next((c for c in ",;\t" if c in text), ",")
    rows = csv.reader(io.StringIO(text), delimiter=sep)
    for number, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        cells = [c for c in cells if c] if len(cells) > 2 and not any(cells[2:]) else cells
        header = not (set(cells) & ids) and not any(ch.isdigit() for ch in "".join(cells))
        if first and len(cells) == 2 and header:
            first = False  # a header line: from,to
            continue
        first = False
        if len(cells) != 2:
            problems.append(f"line {number}: {len(cells)} columns, not 2")
            continue
        unknown = [c for c in cells if c not in ids]
        if unknown:
            problems.append(
                f"line {number}: {', '.join(map(repr, unknown))} "
                f"{'is not a zone id' if len(unknown) == 1 else 'are not zone ids'}"
            )
        elif cells[0] == cells[1]:
            problems.append(f"line {number}: links zone {cells[0]} to itself")
        else:
            pairs.append((cells[0], cells[1]))
    if problems:
        raise _file_problems(
            path,
            flag,
            problems,
            "Write one pair of zone ids a line, e.g. 000012,000047 (two different zones of "
            "the flows).",
        )
    if not pairs:
        raise CliInputError(
            f"{path.name} ({flag}) lists no bridge; write one pair of zone ids a line, e.g. "
            "000012,000047."
        )
    return pairs


def cma_options(centres=None, centres_file=None, population=None) -> dict:
    """Checks the cores of :class:`~regionalize.methods.CensusMetropolitanAreas` before any
    data is read: given (``--centres`` or ``--centres-file``, not both) or found by the
    population rule (``--population COLUMN``). Returns ``{"population": COLUMN}`` when
    given; the centres are read with the graph."""
    from ._cli_io import parse_centres

    if centres is not None and centres_file is not None:
        raise CliInputError("give --centres or --centres-file, not both.")
    if centres is None and centres_file is None and population is None:
        raise CliInputError(
            "--method cma needs its cores: --centres ID,ID (zone ids, '+' joins the zones of "
            "one core), --centres-file FILE, or --population COLUMN (the population rule: "
            "every zone of at least 10,000 people is a core)."
        )
    parse_centres(centres)  # fail early on a malformed list
    if centres_file is not None and not Path(centres_file).is_file():
        raise CliInputError(f"no such file: {centres_file} (--centres-file); check the path.")
    if population is not None and not str(population).strip():
        raise CliInputError("--population needs a column name (or residents).")
    return {} if population is None else {"population": str(population).strip()}


def check_population_column(graph, population: str) -> None:
    """``--population COLUMN`` names a numeric column of the zone table (or ``residents``)."""
    if population == "residents":
        return
    cols = [str(c) for c in graph.zones.columns]
    if population not in cols:
        raise CliInputError(
            f"--population {population!r}: the zone table has no such column (columns: "
            f"{', '.join(cols) or 'none'}); name one of them, use --population residents "
            "(the employed residents), or give the cores with --centres."
        )


def cbsa_options(tau=None, csa_threshold=None) -> dict:
    """Keyword arguments of :class:`~regionalize.methods.CoreBasedAreas` from ``--tau`` (the
    outlying-county share, 0.25) and ``--csa-threshold`` (the employment interchange for
    combined areas, 0.15)."""
    out: dict = {}
    if tau is not None:
        out["tau"] = parse_number(tau, "--tau", closed="right", high=1.0, example="0.25")
    if csa_threshold is not None:
        out["csa_threshold"] = parse_number(
            csa_threshold, "--csa-threshold", closed="right", high=1.0, example="0.15"
        )
    return out


# ---------------------------------------------------------------------------- options
# options shared by several commands, declared once
SOURCE_HELP = (
    "A named data set (see `regionalize datasets`), synthetic-N, or an OD file "
    "(CSV, Parquet or Excel): a long table, one row per origin-destination pair, "
    "or a wide matrix (--matrix)."
)
CENTRES_HELP = (
    "Metropolitan centres: comma-separated zone ids, '+' joins a polycentric core "
    "(e.g. 21+26,22,11). Default: the data set's preset, else found by the size rule."
)
JSON_HELP = "Print only JSON on stdout: {command, ok, result, files, warnings}."
QUIET_HELP = "No progress or warning text on stderr."
WORKERS_HELP = "Run on N local processes (default: in this process)."
SCHEDULER_HELP = "Run on a Dask cluster: the scheduler address, e.g. tcp://10.0.0.5:8786."
METHOD_HELP = (
    "network (metropolitan, urban and megaregion layers), ttwa, intramax, flowbca, "
    "commuting-zones, cma (Statistics Canada CMA/CA), leiden or infomap."
)

Origin = Annotated[
    list[str] | None,
    typer.Option(
        help="Origin column of an OD file (default 'origin'); repeat it for codes split over "
        "several columns, e.g. --origin state --origin county (with --id-width 2,3)."
    ),
]
Destination = Annotated[
    list[str] | None,
    typer.Option(
        help="Destination column of an OD file (default 'destination'); repeat it for codes "
        "split over several columns."
    ),
]
Flow = Annotated[str, typer.Option(help="Flow column of an OD file.")]
JsonOutput = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)]
Workers = Annotated[int, typer.Option(help=WORKERS_HELP)]
Scheduler = Annotated[str, typer.Option(help=SCHEDULER_HELP)]
Method = Annotated[str, typer.Option(help=METHOD_HELP)]
Tau = Annotated[
    float,
    typer.Option(
        help="network: the link threshold, a share in (0, 1] "
        "(default 0.10 or the data set's preset)."
    ),
]
MaxOrder = Annotated[int, typer.Option(help="network: the longest chain of links.")]
Centres = Annotated[
    str,
    typer.Option(
        help="network: m" + CENTRES_HELP[1:] + " cma: the cores (or --centres-file, or "
        "--population)."
    ),
]
K = Annotated[
    int, typer.Option(help="intramax: the number of areas (a stop rule; or --min-objective).")
]
Zones = Annotated[
    Path,
    typer.Option(
        help="Zone polygons (GeoPackage, GeoJSON, shapefile or "
        "GeoParquet) to attach by id: areas are then kept "
        "contiguous and can be mapped. Replaces a data set's "
        "own polygons."
    ),
]
ZoneId = Annotated[
    str,
    typer.Option(
        help="Id column of --zones (default: the first column whose values match the OD zone ids)."
    ),
]
# the parameters of the methods (text, so that 'none' and the checks name the flag)
CentresFile = Annotated[
    Path,
    typer.Option(
        "--centres-file",
        help="network, cma: metropolitan centres (cma: the cores) from a text file, one per "
        "line: a zone id or a zone name (names holding ',' or '+' are read whole); '+' "
        "between the zones of a polycentric core (Leeds+Bradford).",
    ),
]
MinSize = Annotated[
    str,
    typer.Option(
        "--min-size",
        help="network: the smallest metropolitan centre, in jobs (default: "
        "--min-size-share of all jobs); ttwa: the minimum size of an area, in employed "
        "residents (uk2011: 3500).",
    ),
]
MinSizeShare = Annotated[
    str,
    typer.Option(
        "--min-size-share",
        help="network: the smallest metropolitan centre as a share of all jobs (default 0.01).",
    ),
]
MinJobRatio = Annotated[
    str,
    typer.Option(
        "--min-job-ratio",
        help="network: the jobs per employed resident a metropolitan centre "
        "needs (default 1; none drops the test).",
    ),
]
TtwaPreset = Annotated[
    str,
    typer.Option(
        "--ttwa-preset",
        help="ttwa: uk2011 (default: ONS travel-to-work areas) or istat2011 "
        "(Istat labour market areas); --min-size, --min-sc, --target-size and --target-sc "
        "override it.",
    ),
]
MinSc = Annotated[
    str,
    typer.Option(
        "--min-sc", help="ttwa: the minimum self-containment of an area (uk2011: 0.6667)."
    ),
]
TargetSc = Annotated[
    str, typer.Option("--target-sc", help="ttwa: the target self-containment (uk2011: 0.75).")
]
TargetSize = Annotated[
    str,
    typer.Option(
        "--target-size", help="ttwa: the target size, in employed residents (uk2011: 25000)."
    ),
]
MinObjective = Annotated[
    str,
    typer.Option(
        "--min-objective",
        help="intramax: stop when the best merge's objective falls below "
        "this (a stop rule instead of, or with, --k).",
    ),
]
Cutoff = Annotated[
    str,
    typer.Option(
        "--cutoff",
        help="commuting-zones: the height in [0, 1] at which the dendrogram is cut "
        "(default 0.977, Tolbert & Sizer).",
    ),
]
ContiguityRule = Annotated[
    str,
    typer.Option(
        "--contiguity",
        help="commuting-zones: merge only clusters that touch, rook (a shared edge) or queen "
        "(a shared edge or corner); needs zone polygons (--zones, or the data set's own). "
        "Zones without a neighbour are linked to their nearest zone.",
    ),
]
Bridges = Annotated[
    Path,
    typer.Option(
        "--bridges",
        help="commuting-zones, with --contiguity: a two-column CSV of zone id pairs that "
        "touch besides the polygons (a ferry, a bridge, a permanent road), one pair a line.",
    ),
]
Population = Annotated[
    str,
    typer.Option(
        "--population",
        help="cma: the zone-table column of total population (or residents): tells CMAs "
        "from CAs, and without --centres finds the cores (every zone of at least 10,000 "
        "people). With zone polygons the contiguity and merge rules apply.",
    ),
]
Source = Annotated[str, typer.Argument(help=SOURCE_HELP)]

#: the options of the methods (``delineate`` and ``report``), in the order ``--help`` lists
#: them: parameter name -> (Annotated option, flag, the methods it applies to)
METHOD_OPTIONS = {
    "tau": (Tau, "--tau", ("network",)),
    "max_order": (MaxOrder, "--max-order", ("network",)),
    "centres": (Centres, "--centres", ("network", "cma")),
    "centres_file": (CentresFile, "--centres-file", ("network", "cma")),
    "min_size": (MinSize, "--min-size", ("network", "ttwa")),
    "min_size_share": (MinSizeShare, "--min-size-share", ("network",)),
    "min_job_ratio": (MinJobRatio, "--min-job-ratio", ("network",)),
    "ttwa_preset": (TtwaPreset, "--ttwa-preset", ("ttwa",)),
    "min_sc": (MinSc, "--min-sc", ("ttwa",)),
    "target_size": (TargetSize, "--target-size", ("ttwa",)),
    "target_sc": (TargetSc, "--target-sc", ("ttwa",)),
    "k": (K, "--k", ("intramax",)),
    "min_objective": (MinObjective, "--min-objective", ("intramax",)),
    "cutoff": (Cutoff, "--cutoff", ("commuting-zones",)),
    "contiguity": (ContiguityRule, "--contiguity", ("commuting-zones",)),
    "bridges": (Bridges, "--bridges", ("commuting-zones",)),
    "population": (Population, "--population", ("cma",)),
}


def method_options(func):
    """Add the options of the methods to a typer command and hand them to it as one dict.

    The command declares a parameter ``opts: dict``; the decorator replaces it, in the
    signature typer reads and at the same place, by the options of :data:`METHOD_OPTIONS`
    (each defaulting to None: not given), and calls the command with ``opts={...}`` holding
    all of them (for ``_cli_delineate.check_delineation_options``)::

        @app.command("delineate")
        @handled
        @reading_options(geometry=True)
        @method_options
        def delineate_cmd(source: Source, method: Method = "network",
                          opts: dict | None = None, ...): ...
    """
    sig = inspect.signature(func, eval_str=True)
    params = list(sig.parameters.values())
    at = [p.name for p in params].index("opts")
    clash = {p.name for p in params} & set(METHOD_OPTIONS)
    if clash:
        raise TypeError(f"{func.__name__} already declares {sorted(clash)}")
    extra = [
        inspect.Parameter(name, params[at].kind, default=None, annotation=kind)
        for name, (kind, _, _) in METHOD_OPTIONS.items()
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        opts = {name: kwargs.pop(name, None) for name in METHOD_OPTIONS}
        return func(*args, opts=opts, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*params[:at], *extra, *params[at + 1 :]])
    return wrapper
