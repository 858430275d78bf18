"""The ``datasets`` commands: list the named data sets, or describe one."""

from __future__ import annotations

import inspect
from typing import Annotated

import typer

from ._cli_app import datasets_app, emit, handled, progress, records
from ._cli_params import JsonOutput, Quiet


# ---------------------------------------------------------------------------- datasets
@datasets_app.callback(invoke_without_command=True)
def datasets(ctx: typer.Context, json_output: JsonOutput = False, quiet: Quiet = False) -> None:
    """List the named data sets and whether the data folder holds them."""
    if ctx.invoked_subcommand is None:
        datasets_list(json_output=json_output, quiet=quiet)


@datasets_app.command("list")
@handled
def datasets_list(
    json_output: JsonOutput = False,
    quiet: Quiet = False,
) -> None:
    """List the named data sets and whether the data folder holds them."""
    from .datasets import data_dir, list_datasets

    table = list_datasets()
    folder = data_dir(required=False)
    emit(
        {"data_folder": str(folder) if folder else None, "datasets": records(table)},
        json_output,
        f"data folder: {folder or 'not found (set REGIONALIZE_DATA)'}\n{table.to_string()}",
    )


@datasets_app.command("describe")
@handled
def datasets_describe(
    name: Annotated[str, typer.Argument(help="A named data set (see `regionalize datasets`).")],
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
    info = {
        "name": name,
        "description": d.description,
        "folder": d.folder,
        "doc": doc,
        "available": False,
    }
    base = data_dir(required=False)
    if base is not None and (base / d.folder).is_dir():
        progress(quiet, f"reading {name} ...")
        g = load(name)
        info.update(
            available=True,
            zones=g.n_zones,
            flows=g.n_flows,
            total=float(g.total),
            diagonal=g.has_diagonal,
            quirks=list(g.meta.get("quirks", [])),
        )
        counts = (
            f"{g.n_zones:,} zones, {g.n_flows:,} non-zero flows, total {g.total:,.0f}, "
            f"diagonal {'present' if g.has_diagonal else 'absent'}\nquirks:\n"
            + "\n".join(f"- {q}" for q in info["quirks"])
        )
    else:
        counts = f"not in the data folder ({base or 'not found: set REGIONALIZE_DATA'})"
    emit(info, json_output, f"{name}: {d.description}\n{counts}\n\n{doc}")
