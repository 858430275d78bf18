"""The commands that judge a partition: ``compare`` (two partitions of zones against each
other) and ``evaluate`` (a proposed grouping against the flows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._cli_app import app, emit, handled, metro_kwargs, records, source_graph
from ._cli_io import reading_options
from ._cli_params import Destination, Flow, JsonOutput, Origin, Quiet, Source


# ---------------------------------------------------------------------------- compare
@app.command()
@handled
@reading_options
def compare(
    a: Annotated[Path, typer.Argument(help="Label file A: CSV/Parquet with columns zone,label.")],
    b: Annotated[Path, typer.Argument(help="Label file B: CSV/Parquet with columns zone,label.")],
    layer: Annotated[
        str,
        typer.Option(
            help="Label column to read instead of 'label' (e.g. "
            "metropolitan in a zones.csv written by "
            "`delineate`)."
        ),
    ] = None,
    layer_b: Annotated[
        str, typer.Option(help="Label column of B when it differs from --layer.")
    ] = None,
    graph: Annotated[
        str,
        typer.Option(
            help="A data set or OD file giving the zones and "
            "weighting by residents (default: every zone counts "
            "once)."
        ),
    ] = None,
    crosswalk: Annotated[
        Path,
        typer.Option(
            help="File mapping B's zone ids (first column) to "
            "A's (second column), for recoded zones."
        ),
    ] = None,
    origin: Annotated[str, typer.Option(help="Origin column of the --graph OD file.")] = "origin",
    destination: Annotated[
        str, typer.Option(help="Destination column of the --graph OD file.")
    ] = "destination",
    flow: Annotated[str, typer.Option(help="Flow column of the --graph OD file.")] = "flow",
    json_output: JsonOutput = False,
    quiet: Quiet = False,
    reading: dict | None = None,
) -> None:
    """Compare two partitions of zones: ARI, NMI, VI and best-match overlap. The reading
    options (--sep, --matrix, --names, ...) apply to the --graph OD file."""
    from ._cli_io import CliInputError, read_crosswalk, read_labels
    from .compare import compare as compare_fn

    if graph is None:
        flags = [
            f
            for f, v, default in [
                ("--origin", origin, "origin"),
                ("--destination", destination, "destination"),
                ("--flow", flow, "flow"),
            ]
            if v != default
        ]
        flags += [
            f"--{k.replace('_', '-')}"
            for k, v in (reading or {}).items()
            if v not in (None, False, [], ())
        ]
        if flags:
            many = len(flags) > 1
            raise CliInputError(
                f"{', '.join(flags)} only appl{'y' if many else 'ies'} with "
                "--graph (the OD file that weights the zones); give --graph "
                f"or drop {'them' if many else 'it'}."
            )
    for path in (a, b, crosswalk):
        if path is not None and not path.is_file():
            raise FileNotFoundError(2, "missing", str(path))
    la, lb = read_labels(a, layer), read_labels(b, layer_b or layer)
    cw = read_crosswalk(crosswalk) if crosswalk is not None else None
    g = (
        source_graph(graph, origin, destination, flow, quiet=quiet, **(reading or {}))
        if graph is not None
        else None
    )
    res = compare_fn(la, lb, graph=g, crosswalk=cw, weights="residents" if g else None)
    s = res.summary
    text = (
        f"zones {s['zones']}; areas A {s['areas_a']}, B {s['areas_b']}\n"
        f"ARI {s['ari']:.3f}  NMI {s['nmi']:.3f}  VI {s['vi']:.3f}\n"
        f"overlap A->B {s['overlap']:.3f}, B->A {s['overlap_reverse']:.3f}"
        f"{' (weighted by residents)' if g else ''}\n"
        f"zones that differ: {s['zones_differ']}"
    )
    emit(
        {**s, "weighted": g is not None, "differ": records(res.differ.rename_axis("zone"))},
        json_output,
        text,
    )


# ---------------------------------------------------------------------------- evaluate
@app.command()
@handled
@reading_options
def evaluate(
    source: Source,
    grouping: Annotated[
        Path, typer.Argument(help="Proposed grouping: CSV with columns zone,group.")
    ],
    against_centres: Annotated[
        str,
        typer.Option(
            help="Also compare with the metropolitan areas of these centres (e.g. 21+26,22,11)."
        ),
    ] = None,
    tau: Annotated[
        float,
        typer.Option(
            help="Share in (0, 1] an outside zone must send to a "
            "group to be suggested (also the metropolitan link "
            "threshold)."
        ),
    ] = 0.10,
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
    g = source_graph(source, origin, destination, flow, quiet, **(reading or {}))
    against = None
    if against_centres is not None:
        against = metropolitan_areas(g, **metro_kwargs(g, against_centres, tau))
    ev = evaluate_grouping(g, groups, against=against, tau=tau)
    pulled = ev.members[ev.members["pulled"]]
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 12):
        text = (
            f"groups:\n{ev.groups.to_string()}\n\n"
            f"members pulled elsewhere: {len(pulled)}\n"
            f"{pulled.to_string() if len(pulled) else ''}\n\n"
            f"suggestions:\n{ev.suggestions.to_string() if len(ev.suggestions) else 'none'}"
        )
    emit(
        {
            "groups": records(ev.groups),
            "pulled": records(pulled),
            "suggestions": json.loads(
                ev.suggestions.to_json(orient="records", default_handler=str)
            ),
            "notes": list(ev.notes) if ev.notes is not None else [],
        },
        json_output,
        text,
    )
