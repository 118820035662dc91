"""The :class:`Runtime`: what every part of the server shares in one process.

One database, one clock, one random source, one id allocator and one metadata
cache. The HTTP app, the CLI and the tests all build one with :meth:`Runtime.open`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from zcrm.server.clock import Clock
from zcrm.server.emulator.faults import FaultBook
from zcrm.server.ids import IdAllocator
from zcrm.server.limits.limiter import Limiter, make_backend
from zcrm.server.limits.policy import PolicyCache
from zcrm.server.randomness import RandomSource
from zcrm.server.services.metadata.registry import MetadataRegistry
from zcrm.server.storage.database import Database, get_or_create_setting
from zcrm.settings import Settings


def redis_namespace(secret: bytes) -> str:
    """Redis key prefix of one zcrm database (its server secret, hashed)."""
    return "zcrm:" + hashlib.sha256(secret.hex().encode()).hexdigest()[:12]


class BackgroundService(Protocol):
    """Something that runs beside the HTTP server (e.g. the delivery worker)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _Lazy:
    """A background service built when it starts (the event worker opens an HTTP client)."""

    def __init__(self, build: Callable[[], BackgroundService]) -> None:
        self._build = build
        self._service: BackgroundService | None = None

    def start(self) -> None:
        self._service = self._build()
        self._service.start()

    def stop(self) -> None:
        if self._service is not None:
            self._service.stop()
            self._service = None


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    random: RandomSource
    ids: IdAllocator
    metadata: MetadataRegistry
    secret: bytes  # signs page tokens and CSRF tokens; shared by every process on the db
    limiter: Limiter
    faults: FaultBook
    # Started with the app when settings.run_workers is true (see zcrm.server.app).
    background: list[BackgroundService] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        random: RandomSource | None = None,
        db: Database | None = None,
    ) -> Runtime:
        database = db or Database.from_url(settings.database_url)
        database.create_schema()
        rng = random or RandomSource(settings.seed)
        secret = get_or_create_setting(database, "server_secret", rng.token_hex(32))
        the_clock = clock or Clock()
        if clock is None and settings.shared_clock:
            from zcrm.server.storage.clock_store import DatabaseOffsetStore

            the_clock.share(DatabaseOffsetStore(database))
        limiter = Limiter(
            make_backend(
                settings.limiter_backend(),
                db=database,
                redis_url=settings.redis_url,
                # one namespace per database: its server secret, hashed
                namespace=redis_namespace(bytes.fromhex(secret)),
            ),
            PolicyCache(database),
            the_clock,
        )
        runtime = cls(
            settings=settings,
            db=database,
            clock=the_clock,
            random=rng,
            ids=IdAllocator(database),
            metadata=MetadataRegistry(database),
            secret=bytes.fromhex(secret),
            limiter=limiter,
            faults=FaultBook(database, rng),
        )
        from zcrm.server.limits.flusher import UsageFlusher
        from zcrm.server.limits.memory import MemoryBackend

        if isinstance(limiter.backend, MemoryBackend):
            runtime.background.append(UsageFlusher(limiter.backend, database))
        from zcrm.server.events.worker import EventWorker

        runtime.background.append(_Lazy(lambda: EventWorker(runtime)))
        return runtime

    def close(self) -> None:
        self.db.dispose()
