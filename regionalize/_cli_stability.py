"""The commands that test metropolitan areas for robustness: ``sweep`` (one delineation per
link threshold) and ``stability`` (the flows redrawn many times; ``--border-level`` counts
the border zones, :meth:`~regionalize.stability.StabilityResult.border_zones`), on local
processes or a Dask cluster."""

from __future__ import annotations

import functools
from typing import Annotated

import typer

from ._cli_app import app, emit, handled, metro_kwargs, records, source_graph
from ._cli_io import reading_options
from ._cli_params import (
    CENTRES_HELP,
    Destination,
    Flow,
    JsonOutput,
    Origin,
    Quiet,
    Scheduler,
    Source,
    Workers,
)

#: the options ``sweep`` and ``stability`` share (metropolitan areas only, no method prefix)
MetroCentres = Annotated[str, typer.Option(help=CENTRES_HELP)]
MetroMaxOrder = Annotated[int, typer.Option(help="Longest chain of links.")]


# ---------------------------------------------------------------------------- sweep
@app.command()
@handled
@reading_options
def sweep(
    source: Source,
    tau: Annotated[
        str, typer.Option(help="Comma-separated link thresholds in (0, 1].")
    ] = "0.05,0.1,0.2",
    centres: MetroCentres = None,
    max_order: MetroMaxOrder = None,
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
        g = source_graph(source, origin, destination, flow, quiet, **(reading or {}))
        kw = metro_kwargs(g, centres, max_order=max_order)
        kw.pop("tau", None)
        fn = functools.partial(metropolitan_areas, **kw)
        res = sweep_fn(g, fn, {"tau": taus}, executor=executor)
    emit(
        {
            "dataset": g.name,
            "zones": g.n_zones,
            "table": records(res.table.drop(columns="index", errors="ignore")),
            "consensus_areas": res.consensus.n_areas,
        },
        json_output,
        f"{res.table.to_string(index=False)}\nconsensus: {res.consensus.n_areas} areas",
    )


# ---------------------------------------------------------------------------- stability
@app.command()
@handled
@reading_options
def stability(
    source: Source,
    runs: Annotated[int, typer.Option(help="Number of redraws of the flows.")] = 100,
    method: Annotated[
        str,
        typer.Option(
            help="How flows are redrawn: poisson, or moe (from "
            "the margins of error, when the data have "
            "them)."
        ),
    ] = "poisson",
    tau: Annotated[
        float,
        typer.Option(help="Link threshold in (0, 1] (default 0.10 or the data set's preset)."),
    ] = None,
    centres: MetroCentres = None,
    max_order: MetroMaxOrder = None,
    seed: Annotated[
        int, typer.Option(help="Random seed (results do not depend on --workers).")
    ] = 0,
    top: Annotated[int, typer.Option(help="How many least stable zones to print.")] = 10,
    border_level: Annotated[
        str | None,
        typer.Option(
            "--border-level",
            help="A share in (0, 1]: also count the border zones, those in their most "
            "frequent area (or outside) in fewer than this share of the runs, e.g. 0.8; "
            "printed as 'N border zones below L', listed in the JSON (border_zones).",
        ),
    ] = None,
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
    from ._cli_params import parse_number
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
    level = parse_number(border_level, "--border-level", closed="right", high=1.0, example="0.8")
    with executor_for(workers, scheduler, "stability", quiet) as executor:
        g = source_graph(source, origin, destination, flow, quiet, **(reading or {}))
        if method == "moe" and g.moe is None:
            raise CliInputError(
                f"{g.name or source} has no margins of error; use --method poisson."
            )
        fn = functools.partial(metropolitan_areas, **metro_kwargs(g, centres, tau, max_order))
        res = stability_fn(g, fn, runs=runs, method=method, seed=seed, executor=executor)
    least = res.least_stable(top).rename_axis("zone")
    result = {
        "dataset": g.name,
        "zones": g.n_zones,
        "runs": runs,
        "method": method,
        "areas": len(res.areas),
        "mean_stability": float(res.zones["stability"].mean()),
        "least_stable": records(least),
    }
    text = f"{res!r}\nleast stable zones:\n{least.to_string()}"
    if level is not None:
        border = res.border_zones(level)
        result.update(border_level=level, border_zones=records(border))
        text += f"\n{len(border):,} border zone{'' if len(border) == 1 else 's'} below {level:g}"
    emit(result, json_output, text)
