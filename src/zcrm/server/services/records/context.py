"""What a record operation needs to know: who, in which org, at which moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage


@dataclass
class RecordContext:
    runtime: Runtime
    scope: OrgScope
    caller: Caller
    meta: OrgMetadata
    module: Module
    moment: datetime

    @property
    def now(self) -> str:
        return to_storage(self.moment)

    @property
    def dialect(self) -> str:
        return self.scope.dialect

    @property
    def tz(self) -> str:
        return self.caller.user.time_zone

    def for_module(self, module: Module) -> RecordContext:
        return RecordContext(self.runtime, self.scope, self.caller, self.meta, module, self.moment)
