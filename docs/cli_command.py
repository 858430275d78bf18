"""The ``regionalize`` command line as a click command, for the CLI reference page."""

import typer

from regionalize.cli import app

command = typer.main.get_command(app)
