"""An authenticated test client for one org's ``/crm/{version}`` API."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from zcrm.testing.orgs import OrgHandle


class Api:
    """An authenticated client for ``/crm/v6`` calls of one org's admin."""

    def __init__(self, http: TestClient, org: OrgHandle, version: str = "v6") -> None:
        self.http = http
        self.org = org
        self.version = version
        self.headers = org.headers()

    def url(self, path: str) -> str:
        return f"/crm/{self.version}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.http.request(method, self.url(path), headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def create(self, module: str, *records: dict[str, Any]) -> list[str]:
        """Insert records that must succeed; their ids."""
        response = self.post(module, json={"data": list(records)})
        assert response.status_code == 201, response.text
        return [item["details"]["id"] for item in response.json()["data"]]

    def as_user(self, user_id: int, scopes: str | None = None) -> Api:
        other = Api(self.http, self.org, self.version)
        if scopes is None:
            other.headers = self.org.headers(user_id=user_id)
        else:
            other.headers = self.org.headers(scopes=scopes, user_id=user_id)
        return other

    def renew(self) -> None:
        """A fresh access token (after the clock moved past the old one's expiry)."""
        self.org._tokens.clear()
        self.headers = self.org.headers()

    def with_scopes(self, scopes: str) -> Api:
        other = Api(self.http, self.org, self.version)
        other.headers = self.org.headers(scopes=scopes)
        return other
