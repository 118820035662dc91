"""Turns the declarative catalogue (and custom-field requests) into metadata rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zcrm.server.catalogue.spec import FieldSpec, ModuleSpec
from zcrm.server.storage.schema import fields, layouts, modules
from zcrm.server.storage.scoped import OrgScope

IdSource = Callable[[int], list[int]]  # count -> that many fresh ids


def ids_needed(specs: Sequence[ModuleSpec]) -> int:
    """How many ids :func:`seed_modules` takes for ``specs`` (reserve them first)."""
    total = 0
    for spec in specs:
        total += 2 + len(spec.related_lists)  # the module and its layout
        total += sum(1 + len(f.picklist) for f in spec.fields)
    return total


def seed_modules(scope: OrgScope, specs: Sequence[ModuleSpec], new_ids: IdSource, now: str) -> None:
    module_rows: list[dict[str, Any]] = []
    field_rows: list[dict[str, Any]] = []
    layout_rows: list[dict[str, Any]] = []
    for position, spec in enumerate(specs, start=1):
        module_id = new_ids(1)[0]
        related = []
        rel_ids = new_ids(len(spec.related_lists)) if spec.related_lists else []
        for seq, (rel, rel_id) in enumerate(zip(spec.related_lists, rel_ids, strict=True), 1):
            related.append(
                {
                    "api_name": rel.api_name,
                    "module": rel.module,
                    "field": rel.field,
                    "label": rel.label or rel.api_name,
                    "id": str(rel_id),
                    "sequence": seq,
                }
            )
        module_rows.append(
            {
                "id": module_id,
                "api_name": spec.api_name,
                "module_name": spec.module_name,
                "singular_label": spec.singular_label,
                "plural_label": spec.plural_label,
                "generated_type": "default",
                "api_supported": spec.api_supported,
                "creatable": spec.creatable,
                "searchable": spec.searchable,
                "upsert_supported": spec.upsert_supported,
                "display_field": spec.display_field,
                "duplicate_check_field": spec.duplicate_check_field,
                "scope_name": spec.scope_name or spec.api_name.lower(),
                "sequence": position,
                "related_lists": related,
                "created_time": now,
                "modified_time": now,
            }
        )
        for seq, field_spec in enumerate(spec.fields, start=1):
            field_rows.append(field_row(field_spec, module_id, seq, new_ids, now, custom=False))
        layout_rows.append(
            {
                "id": new_ids(1)[0],
                "module_id": module_id,
                "name": "Standard",
                "created_time": now,
                "modified_time": now,
            }
        )
    scope.insert(modules, module_rows)
    scope.insert(fields, field_rows)
    scope.insert(layouts, layout_rows)


def field_row(
    spec: FieldSpec,
    module_id: int,
    sequence: int,
    new_ids: IdSource,
    now: str,
    *,
    custom: bool,
) -> dict[str, Any]:
    option_ids = new_ids(len(spec.picklist)) if spec.picklist else []
    options = [
        {
            "display_value": option.display_value,
            "actual_value": option.value,
            "sequence_number": number,
            "id": str(option_id),
            "extra": option.extra,
        }
        for number, (option, option_id) in enumerate(
            zip(spec.picklist, option_ids, strict=True), start=1
        )
    ]
    return {
        "id": new_ids(1)[0],
        "module_id": module_id,
        "api_name": spec.api_name,
        "field_label": spec.label,
        "data_type": spec.data_type,
        "length": spec.effective_length,
        "decimal_place": spec.decimal_place,
        "system_mandatory": spec.mandatory,
        "read_only": spec.read_only,
        "unique_field": spec.unique,
        "custom_field": custom,
        "system_column": spec.system,
        "searchable": spec.searchable,
        "lookup_module": spec.lookup_module,
        "multi_module": list(spec.multi_module),
        "pick_list_values": options,
        "default_value": spec.default,
        "textarea_type": spec.textarea_type,
        "sequence": sequence,
        "created_time": now,
        "modified_time": now,
    }
