"""The :class:`Database`: an engine, its schema, and transactions handed out per org."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from zcrm.server.storage.engine import WRITE_OPTION, make_engine
from zcrm.server.storage.indexes import ensure_indexes
from zcrm.server.storage.schema import metadata, server_settings
from zcrm.server.storage.scoped import OrgScope

SCHEMA_VERSION = "1"


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def create_schema(self) -> None:
        """Create missing tables and indexes (idempotent; safe with several processes)."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                with conn.begin():
                    # Two processes starting at once must not both run CREATE TABLE.
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(726373)")
                    metadata.create_all(conn, checkfirst=True)
                    ensure_indexes(conn)
                    _ensure_setting(conn, "schema_version", SCHEMA_VERSION)
            else:
                conn = conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    metadata.create_all(conn, checkfirst=True)
                    ensure_indexes(conn)
                    _ensure_setting(conn, "schema_version", SCHEMA_VERSION)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextmanager
    def read_org(self, org_id: int) -> Iterator[OrgScope]:
        with self.read() as conn:
            yield OrgScope(conn, org_id)

    @contextmanager
    def write_org(self, org_id: int) -> Iterator[OrgScope]:
        with self.write() as conn:
            yield OrgScope(conn, org_id)

    def dispose(self) -> None:
        self.engine.dispose()


def _ensure_setting(conn: Connection, key: str, value: str) -> None:
    existing = conn.execute(
        select(server_settings.c.value).where(server_settings.c.key == key)
    ).scalar()
    if existing is None:
        conn.execute(server_settings.insert().values(key=key, value=value))


def get_setting(conn: Connection, key: str) -> str | None:
    value: str | None = conn.execute(
        select(server_settings.c.value).where(server_settings.c.key == key)
    ).scalar()
    return value


def get_or_create_setting(db: Database, key: str, make: str) -> str:
    """Read a server-wide setting, creating it with ``make`` if absent (race-safe)."""
    with db.read() as conn:
        value = get_setting(conn, key)
    if value is not None:
        return value
    try:
        with db.write() as conn:
            value = get_setting(conn, key)
            if value is None:
                conn.execute(server_settings.insert().values(key=key, value=make))
                value = make
    except IntegrityError:  # another process created it first
        with db.read() as conn:
            value = get_setting(conn, key)
    assert value is not None
    return value
