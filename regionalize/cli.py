"""The ``regionalize`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .errors import RegionalizeError

app = typer.Typer(help="Functional regions from commuting origin-destination data.",
                  no_args_is_help=True, add_completion=False)


@app.command()
def demo(
    out: Path = typer.Option(Path("outputs/demo"), help="Folder for the outputs."),
    dataset: str = typer.Option(None, help="A named data set (see `regionalize datasets`) or "
                                "'synthetic-N'. Default: Korea when the data folder exists, "
                                "else a synthetic country."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Delineate the embedded default or a named data set; write tables, files and maps."""
    from ._demo import run_demo

    try:
        summary = run_demo(out, dataset)
    except RegionalizeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if json_output:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{summary['dataset']}: {summary['zones']:,} zones, {summary['flows']:,} flows, "
               f"total {summary['total']:,.0f}")
    typer.echo(summary["hierarchy"])
    typer.echo(f"wrote {out}/summary.md, summary.json, hierarchy.gpkg, map.png, flows.png")


@app.command()
def datasets() -> None:
    """List the named data sets and whether the data folder holds them."""
    from .datasets import data_dir, list_datasets

    table = list_datasets()
    typer.echo(f"data folder: {data_dir(required=False) or 'not found (set REGIONALIZE_DATA)'}")
    typer.echo(table.to_string())


if __name__ == "__main__":  # pragma: no cover
    app()
