"""A client for a zcrm server's emulator controls (``/_emulator/…``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


class EmulatorControls:
    """Move time, inject faults, reset and seed — on one org unless told otherwise."""

    def __init__(
        self, base_url: str, *, org_id: int | None = None, admin_key: str | None = None
    ) -> None:
        headers = {"X-Zcrm-Admin-Key": admin_key} if admin_key else {}
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        self.org_id = org_id

    def _json(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    # clock
    def now(self) -> str:
        return str(self._json(self.http.get("/_emulator/clock"))["now"])

    def advance(self, seconds: float) -> str:
        return str(
            self._json(self.http.post("/_emulator/clock/advance", json={"seconds": seconds}))["now"]
        )

    def set_time(self, when: datetime | str) -> str:
        text = when.isoformat() if isinstance(when, datetime) else when
        return str(self._json(self.http.post("/_emulator/clock", json={"now": text}))["now"])

    def reset_clock(self) -> None:
        self._json(self.http.delete("/_emulator/clock"))

    # faults
    def fault(
        self,
        *,
        route: str = "*",
        method: str = "*",
        status: int | None = None,
        code: str | None = None,
        latency_ms: int = 0,
        drop_connection: bool = False,
        probability: float = 1.0,
        count: int | None = None,
        retry_after: int | None = None,
        all_orgs: bool = False,
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "route": route,
            "method": method,
            "status": status,
            "code": code,
            "latency_ms": latency_ms,
            "drop_connection": drop_connection,
            "probability": probability,
            "count": count,
            "retry_after": retry_after,
        }
        if self.org_id is not None and not all_orgs:
            spec["org_id"] = self.org_id
        spec = {k: v for k, v in spec.items() if v is not None}
        return dict(self._json(self.http.post("/_emulator/faults", json=spec))["fault"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._json(self.http.get("/_emulator/faults"))["faults"])

    def fault_log(self) -> list[dict[str, Any]]:
        return list(self._json(self.http.get("/_emulator/faults/log"))["log"])

    def clear_faults(self) -> None:
        params = {"org_id": self.org_id} if self.org_id is not None else None
        self._json(self.http.delete("/_emulator/faults", params=params))

    # data
    def reset(self, *, keep_metadata: bool = True) -> dict[str, Any]:
        return dict(
            self._json(
                self.http.post(
                    "/_emulator/reset", json={"org_id": self.org_id, "keep_metadata": keep_metadata}
                )
            )
        )

    def seed(
        self, module: str | None = None, count: int = 10, *, demo: bool = False
    ) -> dict[str, Any]:
        return dict(
            self._json(
                self.http.post(
                    "/_emulator/seed",
                    json={"org_id": self.org_id, "module": module, "count": count, "demo": demo},
                )
            )
        )

    def outbox(self) -> list[dict[str, Any]]:
        params = {"org_id": self.org_id} if self.org_id is not None else None
        return list(self._json(self.http.get("/_emulator/outbox", params=params))["events"])

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EmulatorControls:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
