"""``zcrm worker`` and ``zcrm deliveries``: the event worker on its own, and its log."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from zcrm.cli.common import (
    EXIT_STATE,
    DbOption,
    JsonOption,
    build_settings,
    console,
    fail,
    open_runtime,
    print_json,
)
from zcrm.server.storage.schema import deliveries, delivery_attempts


def worker(
    db: DbOption = None,
    concurrency: Annotated[int, typer.Option(help="Deliveries sent at once.")] = 16,
    no_dispatch: Annotated[
        bool, typer.Option("--no-dispatch", help="Only deliver; let other processes dispatch.")
    ] = False,
) -> None:
    """Run the event dispatcher and delivery worker until SIGTERM / Ctrl-C.

    Several may run on one PostgreSQL: each delivery is taken by exactly one worker.
    `zcrm serve` runs one inside the server already.
    """
    from zcrm.server.events.worker import EventWorker

    settings = build_settings(database_url=db, run_workers=False)
    stop = threading.Event()
    with open_runtime(settings) as runtime:
        events_worker = EventWorker(runtime, concurrency=concurrency, dispatch=not no_dispatch)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        events_worker.start()
        console.print(f"zcrm worker running ({events_worker.name}); Ctrl-C to stop")
        stop.wait()
        events_worker.stop()
    console.print("zcrm worker stopped")


def _when(epoch: float | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def deliveries_command(
    db: DbOption = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel id.")] = None,
    webhook: Annotated[str | None, typer.Option(help="Only this webhook id.")] = None,
    status: Annotated[
        str | None, typer.Option(help="pending, delivering, delivered or dead.")
    ] = None,
    attempts_of: Annotated[
        str | None, typer.Option("--attempts", help="Show every attempt of this delivery id.")
    ] = None,
    redeliver: Annotated[
        str | None, typer.Option(help="Schedule this (dead or delivered) delivery id again.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many rows.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Deliveries of notifications and webhooks, newest first; attempts; redelivery."""
    if status and status not in ("pending", "delivering", "delivered", "dead"):
        fail("--status: pending, delivering, delivered or dead")
    with open_runtime(build_settings(database_url=db)) as runtime:
        if redeliver:
            if not redeliver.isdigit():
                fail("--redeliver takes a delivery id")
            with runtime.db.write() as conn:
                row = conn.execute(
                    select(deliveries).where(deliveries.c.id == int(redeliver))
                ).first()
                if row is None:
                    fail(f"no delivery {redeliver}", EXIT_STATE)
                if row.status in ("pending", "delivering"):
                    fail(f"delivery {redeliver} is still {row.status}", EXIT_STATE)
                conn.execute(
                    deliveries.update()
                    .where(deliveries.c.id == row.id)
                    .values(
                        status="pending",
                        attempts=0,
                        lease_until=None,
                        next_attempt_at=runtime.clock.timestamp(),
                    )
                )
            console.print(f"delivery {redeliver} scheduled again")
            return
        if attempts_of:
            _attempts(runtime, attempts_of, as_json)
            return
        query = select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)
        if channel:
            query = query.where(
                deliveries.c.target_kind == "channel", deliveries.c.target_id.like(f"{channel}:%")
            )
        if webhook:
            query = query.where(
                deliveries.c.target_kind == "webhook", deliveries.c.target_id == webhook
            )
        if status:
            query = query.where(deliveries.c.status == status)
        with runtime.db.read() as conn:
            rows = conn.execute(query).all()
    if as_json:
        print_json({"deliveries": [_row_json(r) for r in rows]})
        return
    table = Table(
        "id", "target", "status", "attempts", "last", "created", "delivered", "url", box=None
    )
    for r in rows:
        last = str(r.last_status) if r.last_status else (r.last_error or "")
        table.add_row(
            str(r.id),
            f"{r.target_kind} {r.target_id}",
            r.status,
            str(r.attempts),
            last,
            _when(r.created_at),
            _when(r.delivered_at),
            r.url,
        )
    console.print(table)


def _row_json(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "org_id": str(r.org_id),
        "target_kind": r.target_kind,
        "target_id": r.target_id,
        "status": r.status,
        "attempts": r.attempts,
        "last_status": r.last_status,
        "last_error": r.last_error,
        "url": r.url,
        "created_at": r.created_at,
        "delivered_at": r.delivered_at,
    }


def _attempts(runtime: Any, delivery_id: str, as_json: bool) -> None:
    if not delivery_id.isdigit():
        fail("--attempts takes a delivery id")
    with runtime.db.read() as conn:
        rows = conn.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id == int(delivery_id))
            .order_by(delivery_attempts.c.attempt)
        ).all()
    if as_json:
        print_json(
            {
                "attempts": [
                    {
                        "attempt": a.attempt,
                        "started_at": a.started_at,
                        "status_code": a.status_code,
                        "latency_ms": a.latency_ms,
                        "error": a.error,
                        "response": a.response_excerpt,
                    }
                    for a in rows
                ]
            }
        )
        return
    table = Table("attempt", "time", "status", "latency ms", "error", "response", box=None)
    for a in rows:
        table.add_row(
            str(a.attempt),
            _when(a.started_at),
            str(a.status_code or ""),
            str(a.latency_ms),
            a.error or "",
            (a.response_excerpt or "")[:60],
        )
    console.print(table)
