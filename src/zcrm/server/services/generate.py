"""Plausible values for any module's fields, from its metadata (emulator ``seed``)."""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime, timedelta
from typing import Any

from zcrm.server.services.metadata.model import Field, Module

WORDS = (
    "alpha",
    "bravo",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "grove",
    "harbor",
    "iris",
    "juniper",
    "kestrel",
    "lumen",
    "meadow",
    "north",
    "opal",
    "pine",
    "quartz",
    "river",
)
FIRST = ("Ana", "Luis", "Mei", "Tomas", "Priya", "Kwame", "Sofia", "Jonas", "Aiko", "Omar")
LAST = (
    "Ortega",
    "Nguyen",
    "Smith",
    "Okafor",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Silva",
    "Haddad",
    "Lindqvist",
)


def generate_records(module: Module, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` records that pass the module's validation (lookups left empty)."""
    return [generate_record(module, i, rng) for i in range(count)]


def generate_record(module: Module, index: int, rng: random.Random) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for f in module.fields:
        if f.read_only or f.system_column or f.is_lookup:
            continue
        if not f.mandatory and rng.random() < 0.3:
            continue
        value = generate_value(f, index, rng)
        if value is not None:
            record[f.api_name] = value
    return record


def generate_value(f: Field, index: int, rng: random.Random) -> Any:
    kind = f.data_type
    options = [o.actual_value for o in f.picklist if o.display_value != "-None-"]
    if kind == "picklist":
        return rng.choice(options) if options else None
    if kind == "multiselectpicklist":
        return rng.sample(options, k=min(len(options), rng.randint(1, 2))) if options else None
    if kind == "email":
        return f"{rng.choice(FIRST).lower()}.{index}{rng.randint(1, 999)}@example.com"
    if kind == "phone":
        return f"+1 555 {rng.randint(0, 9999):04d}"
    if kind == "website":
        return f"https://www.{rng.choice(WORDS)}{index}.example.com"
    if kind in ("integer",):
        return rng.randint(0, 5000)
    if kind == "bigint":
        return str(rng.randint(0, 10**12))
    if kind in ("double", "currency"):
        return round(rng.uniform(0, 100_000), 2)
    if kind == "percent":
        return round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "date":
        return (date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))).isoformat()
    if kind == "datetime":
        moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 10**6))
        return moment.isoformat(timespec="seconds")
    if kind in ("text", "textarea"):
        return _text(f, index, rng)
    return None


def _text(f: Field, index: int, rng: random.Random) -> str:
    name = f.api_name.lower()
    if "last_name" in name:
        value = rng.choice(LAST)
    elif "first_name" in name:
        value = rng.choice(FIRST)
    elif "name" in name or "subject" in name or "title" in name:
        value = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {index}"
    else:
        value = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
    if not value:
        value = "".join(rng.choice(string.ascii_letters) for _ in range(8))
    return value[: f.length or 255]
