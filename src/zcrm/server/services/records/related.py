"""Related lists: which child records belong to a parent, and (un)linking them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zcrm.server.errors import InvalidData
from zcrm.server.services.metadata.model import Field, Module, OrgMetadata, RelatedList
from zcrm.server.services.records.prepare import MODULE_SUFFIX

RELATED_PATH_INDEX = 2  # /crm/v6/{module}/{id}/{related_list}


@dataclass(frozen=True)
class Relation:
    parent: Module
    child: Module
    field: Field  # the child's lookup field pointing at the parent
    related_list: RelatedList

    def conditions(self, parent_id: int) -> tuple[tuple[str, str, Any], ...]:
        """Equality filters selecting the children of ``parent_id``."""
        out: list[tuple[str, str, Any]] = [(self.field.api_name, "lookup", parent_id)]
        if self.field.is_multi_module:
            out.append((self.field.api_name + MODULE_SUFFIX, "text", self.parent.api_name))
        return tuple(out)

    def link_values(self, parent_id: int) -> dict[str, Any]:
        """What to write into a child to attach it to ``parent_id``."""
        values: dict[str, Any] = {self.field.api_name: {"id": str(parent_id)}}
        if self.field.is_multi_module:
            values["$se_module"] = self.parent.api_name
        return values


def resolve_relation(meta: OrgMetadata, parent: Module, related_name: str) -> Relation:
    related = parent.related_list(related_name)
    child = meta.module(related.module) if related else None
    field = child.by_name.get(related.field) if child and related else None
    if related is None or child is None or field is None:
        raise InvalidData(
            "the related list name given seems to be invalid",
            resource_path_index=RELATED_PATH_INDEX,
        )
    return Relation(parent, child, field, related)
