"""Record, user and metadata ids: 19-digit numbers shaped like Zoho's.

An id is the org's 7-digit prefix followed by a 12-digit sequence number
(``4876876`` + ``000001234001``), so ids sort by creation within an org, and are
unique across server processes: each process reserves blocks of numbers with one
short transaction (hi/lo allocation) and hands them out from memory.
"""

from __future__ import annotations

import threading

from sqlalchemy.exc import IntegrityError

from zcrm.server.storage.database import Database
from zcrm.server.storage.schema import id_blocks

SEQUENCE_START = 1_000_000  # ids look like 4876876000001000001, as Zoho's do
SEQUENCE_SPAN = 10**12
GLOBAL = 0  # the allocator row for org ids themselves
BLOCK_SIZE = 1000


class IdAllocator:
    def __init__(self, db: Database, block_size: int = BLOCK_SIZE) -> None:
        self._db = db
        self._block_size = block_size
        self._blocks: dict[int, tuple[int, int]] = {}  # org_id -> (next, end)
        self._lock = threading.Lock()

    def allocate(self, org_id: int, prefix: int, count: int = 1) -> list[int]:
        """``count`` fresh ids for an org whose id prefix is ``prefix``."""
        out: list[int] = []
        with self._lock:
            while len(out) < count:
                start, end = self._blocks.get(org_id, (0, 0))
                if start >= end:
                    want = max(self._block_size, count - len(out))
                    start, end = self._reserve(org_id, want)
                take = min(end - start, count - len(out))
                out.extend(range(start, start + take))
                self._blocks[org_id] = (start + take, end)
        return [prefix * SEQUENCE_SPAN + n for n in out]

    def one(self, org_id: int, prefix: int) -> int:
        return self.allocate(org_id, prefix, 1)[0]

    def _reserve(self, org_id: int, size: int) -> tuple[int, int]:
        try:
            return self._reserve_once(org_id, size)
        except IntegrityError:  # another process created the org's row at the same moment
            return self._reserve_once(org_id, size)

    def _reserve_once(self, org_id: int, size: int) -> tuple[int, int]:
        with self._db.write() as conn:
            row = conn.execute(
                id_blocks.update()
                .where(id_blocks.c.org_id == org_id)
                .values(next_value=id_blocks.c.next_value + size)
                .returning(id_blocks.c.next_value)
            ).first()
            if row is None:
                conn.execute(
                    id_blocks.insert().values(org_id=org_id, next_value=SEQUENCE_START + size)
                )
                end = SEQUENCE_START + size
            else:
                end = int(row[0])
        if end >= SEQUENCE_SPAN:
            raise RuntimeError(f"id space of org {org_id} is exhausted")
        return end - size, end

    def counter(self, key: int, count: int) -> list[int]:
        """``count`` consecutive numbers from the counter ``key`` (auto-numbers), from 1.

        Reserved exactly (no block kept in memory), so numbers stay dense across restarts.
        """
        if count <= 0:
            return []
        try:
            start, end = self._reserve_counter(key, count)
        except IntegrityError:
            start, end = self._reserve_counter(key, count)
        return list(range(start, end))

    def _reserve_counter(self, key: int, count: int) -> tuple[int, int]:
        with self._db.write() as conn:
            row = conn.execute(
                id_blocks.update()
                .where(id_blocks.c.org_id == key)
                .values(next_value=id_blocks.c.next_value + count)
                .returning(id_blocks.c.next_value)
            ).first()
            if row is None:
                conn.execute(id_blocks.insert().values(org_id=key, next_value=1 + count))
                return 1, 1 + count
            return int(row[0]) - count, int(row[0])

    def forget(self, org_id: int) -> None:
        with self._lock:
            self._blocks.pop(org_id, None)
