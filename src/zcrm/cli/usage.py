"""``zcrm usage``: what an org's integrations spend — calls and credits per day, minute,
client and API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from zcrm.cli.common import (
    DbOption,
    JsonOption,
    build_settings,
    console,
    fail,
    open_runtime,
    print_json,
)
from zcrm.cli.orgs import OrgOption, _org
from zcrm.server.limits.windows import minute_of
from zcrm.server.services.usage import summarise


def usage(
    org: OrgOption = None,
    db: DbOption = None,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Read the counters from this Redis (the server's "
            "--redis) instead of the database.",
            show_default=False,
        ),
    ] = None,
    days: Annotated[int, typer.Option(help="How many days back.")] = 7,
    as_json: JsonOption = False,
) -> None:
    """Calls and credits per day, per minute (last hour), per client and per API.

    Counts come from the database (the SQL limiter, or the in-process limiter, which writes
    them there every 5 seconds) or from Redis with --redis.
    """
    if days < 1:
        fail("--days must be at least 1")
    settings = build_settings(database_url=db)
    with open_runtime(settings) as runtime:
        org_id = _org(runtime, org)
        if redis:
            from zcrm.server.limits.redis_backend import RedisBackend
            from zcrm.server.runtime import redis_namespace

            backend = RedisBackend(redis, prefix=redis_namespace(runtime.secret))
            rows = backend.usage(org_id, minute_of(runtime.clock.timestamp()) - days * 1440)
        else:
            from zcrm.server.limits.sql import SqlBackend

            rows = SqlBackend(runtime.db).usage(
                org_id, minute_of(runtime.clock.timestamp()) - days * 1440
            )
        report = summarise(
            rows, now=runtime.clock.timestamp(), limit=runtime.limiter.policies.get(org_id).daily
        )
    if as_json:
        print_json({"org_id": str(org_id), "usage": report})
        return
    window = report["window"]
    console.print(
        f"org {org_id}: {window['used']:,} of {window['limit']:,} credits used in "
        f"the last 24 hours ({window['remaining']:,} left)"
    )
    for title, key, label in (
        ("per day", "per_day", "date"),
        ("per client", "per_client", "client_id"),
        ("per API", "per_api", "api"),
        ("last hour, per minute", "per_minute", "minute"),
    ):
        table = Table(label, "calls", "credits", title=title, box=None, title_justify="left")
        for row in report[key]:
            table.add_row(str(row[label]), f"{row['calls']:,}", f"{row['credits']:,}")
        console.print(table)
