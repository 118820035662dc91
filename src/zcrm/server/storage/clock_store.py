"""The shared clock offset, kept in ``server_settings`` (see :mod:`zcrm.server.clock`)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from zcrm.server.storage.database import Database, get_setting
from zcrm.server.storage.schema import server_settings

KEY = "clock_offset_seconds"


class DatabaseOffsetStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self) -> float:
        with self._db.read() as conn:
            value = get_setting(conn, KEY)
        return float(value) if value is not None else 0.0

    def save(self, offset_seconds: float) -> None:
        text = repr(float(offset_seconds))
        with self._db.write() as conn:
            updated = conn.execute(
                server_settings.update().where(server_settings.c.key == KEY).values(value=text)
            ).rowcount
            if not updated:
                try:
                    with conn.begin_nested():
                        conn.execute(server_settings.insert().values(key=KEY, value=text))
                except IntegrityError:
                    conn.execute(
                        server_settings.update()
                        .where(server_settings.c.key == KEY)
                        .values(value=text)
                    )
