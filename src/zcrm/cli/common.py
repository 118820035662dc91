"""What every command shares: settings from flags, the runtime, output and failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from zcrm.server.randomness import RandomSource
from zcrm.server.runtime import Runtime
from zcrm.server.services.orgs import default_org
from zcrm.server.storage.engine import normalise_url
from zcrm.settings import Settings

# Exit codes: 1 = the database is not in a state the command can work with (no default
# org yet, unreachable); 2 = the command line asked for something invalid (as click's
# usage errors).
EXIT_STATE = 1
EXIT_USAGE = 2

# soft_wrap: long tokens and URLs stay on one line, so a double-click copies them whole.
console = Console(soft_wrap=True, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///path or postgresql+psycopg://user:pass@host/db "
        "(env ZCRM_DATABASE_URL; default: a SQLite file in ./zcrm-data/).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print only a JSON object on stdout (for scripts).")
]


def build_settings(**overrides: Any) -> Settings:
    """Settings from ``ZCRM_*`` environment variables, with the flags that were given on top."""
    return Settings(**{name: value for name, value in overrides.items() if value is not None})


@contextmanager
def open_runtime(settings: Settings) -> Iterator[Runtime]:
    """The runtime on ``settings.database_url`` (schema created if missing), closed after.

    Its random source is never seeded: the CLI mints secrets, codes and tokens, and those
    must not be predictable (``--seed`` only fixes the demo data).
    """
    try:
        runtime = Runtime.open(settings, random=RandomSource())
    except (SQLAlchemyError, ValueError, OSError) as exc:
        fail(f"cannot open the database {display_url(settings.database_url)}: {exc}", EXIT_STATE)
    try:
        yield runtime
    finally:
        runtime.close()


def display_url(url: str) -> str:
    """A database URL fit to print: normalised, password hidden."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"


def default_org_id(runtime: Runtime) -> int:
    org = default_org(runtime)
    if org is None:
        fail(
            f"the database {display_url(runtime.settings.database_url)} has no default org "
            "yet: run `zcrm serve` once on it first (with the same --db)",
            EXIT_STATE,
        )
    return int(org.id)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def print_fields(rows: list[tuple[str, str]]) -> None:
    """Aligned ``name  value`` lines; values are never wrapped or boxed, so they copy whole."""
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        console.print(f"  [dim]{escape(name.ljust(width))}[/]{escape(value)}")


def print_json(payload: dict[str, Any]) -> None:
    """Exactly one JSON object on stdout, nothing else."""
    typer.echo(json.dumps(payload))
