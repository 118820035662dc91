"""The ``zcrm`` Typer application: every command and command group, assembled."""

from __future__ import annotations

import typer

from zcrm import __version__
from zcrm.cli.clients import clients_app
from zcrm.cli.emulator import emulator_app
from zcrm.cli.events import deliveries_command, worker
from zcrm.cli.grant import grant
from zcrm.cli.orgs import orgs_app
from zcrm.cli.serve import serve
from zcrm.cli.usage import usage

app = typer.Typer(
    name="zcrm",
    help="zcrm: a self-hostable server that speaks the Zoho CRM REST API v6.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals can hold secrets and tokens
)

app.command()(serve)
app.add_typer(clients_app, name="clients")
app.command()(grant)
app.add_typer(orgs_app, name="orgs")
app.command()(usage)
app.add_typer(emulator_app, name="emulator")
app.command()(worker)
app.command("deliveries")(deliveries_command)


@app.command()
def version() -> None:
    """Print the zcrm version."""
    typer.echo(__version__)


def main() -> None:
    app()
