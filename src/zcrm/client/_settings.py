"""Client settings shared by :class:`CRM` and :class:`AsyncCRM`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zcrm.client._auth import Credentials
from zcrm.client._batch import Outcome
from zcrm.client._config import Endpoints
from zcrm.client._errors import VALIDATION_CODES


@dataclass(frozen=True)
class ClientSettings:
    credentials: Credentials
    endpoints: Endpoints
    chunk_size: int

    @classmethod
    def build(
        cls,
        credentials: Credentials,
        *,
        data_centre: str,
        environment: str,
        api_url: str | None,
        accounts_url: str | None,
        version: str,
        chunk_size: int,
    ) -> ClientSettings:
        if api_url:
            endpoints = Endpoints(
                api_url.rstrip("/"), (accounts_url or api_url).rstrip("/"), version
            )
        else:
            zoho = Endpoints.for_zoho(data_centre, environment, version)
            endpoints = Endpoints(zoho.api_url, (accounts_url or zoho.accounts_url), version)
        if not 1 <= chunk_size <= 200:
            raise ValueError("chunk_size must be between 1 and 200")
        return cls(credentials, endpoints, chunk_size)


def write_extra(trigger: Sequence[str] | None) -> dict[str, Any]:
    return {} if trigger is None else {"trigger": list(trigger)}


def should_dead_letter(outcome: Outcome) -> bool:
    """Validation failures go to the dead-letter store; others are worth a plain retry."""
    return outcome.code in VALIDATION_CODES
