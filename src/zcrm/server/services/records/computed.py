"""Values Zoho computes itself: full names, a deal's probability and expected revenue."""

from __future__ import annotations

from typing import Any

from zcrm.server.services.metadata.model import Module


def apply_computed(module: Module, doc: dict[str, Any], changed: set[str]) -> None:
    """Update ``doc`` in place after the fields in ``changed`` were written."""
    if "Full_Name" in module.by_name and (
        {"First_Name", "Last_Name"} & changed or "Full_Name" not in doc
    ):
        first = doc.get("First_Name")
        last = doc.get("Last_Name")
        doc["Full_Name"] = " ".join(p for p in (first, last) if p) or None
    if module.api_name == "Deals":
        _deal_figures(module, doc, changed)


def _deal_figures(module: Module, doc: dict[str, Any], changed: set[str]) -> None:
    if "Stage" in changed and "Probability" not in changed:
        stage_field = module.by_name.get("Stage")
        stage = doc.get("Stage")
        if stage_field is not None and stage is not None:
            for option in stage_field.picklist:
                if option.actual_value == stage and "probability" in option.extra:
                    doc["Probability"] = option.extra["probability"]
                    break
    if "Expected_Revenue" in module.by_name:
        amount = doc.get("Amount")
        probability = doc.get("Probability")
        if amount is None or probability is None:
            doc.pop("Expected_Revenue", None)
        else:
            doc["Expected_Revenue"] = round(float(amount) * float(probability) / 100.0, 2)
