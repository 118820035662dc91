"""What a record operation needs to know: who, in which org, at which moment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage, to_wire


@dataclass(eq=False)
class RecordContext:
    runtime: Runtime
    scope: OrgScope
    caller: Caller
    meta: OrgMetadata
    module: Module
    moment: datetime

    @cached_property
    def now(self) -> str:
        return to_storage(self.moment)

    @cached_property
    def write_id(self) -> str:
        """One id per write call: its events reach a channel as one notification."""
        return uuid.uuid4().hex

    @cached_property
    def now_wire(self) -> str:
        """``now`` in the caller's time zone, as write results report it."""
        return to_wire(self.now, self.tz) or ""

    @property
    def dialect(self) -> str:
        return self.scope.dialect

    @property
    def tz(self) -> str:
        return self.caller.user.time_zone

    def for_module(self, module: Module) -> RecordContext:
        return RecordContext(self.runtime, self.scope, self.caller, self.meta, module, self.moment)
