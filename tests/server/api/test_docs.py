"""/openapi.json (api/docs.py)."""

from __future__ import annotations

from typing import Any


def test_openapi_lists_every_route(http: Any, app: Any) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/crm/{version}/{module}" in paths
    assert set(paths["/crm/{version}/{module}"]) >= {"get", "post", "put", "delete"}
    assert "post" in paths["/oauth/v2/token"]
    assert paths["/crm/{version}/{module}/{record_id}"]["get"]["parameters"][2]["name"] == (
        "record_id"
    )
    documented = {(p, m.upper()) for p, ops in paths.items() for m in ops}
    for route in app.routes:
        if getattr(route, "methods", None) and route.path != "/openapi.json":
            path = route.path.replace(":record}", "}")
            for method in route.methods - {"HEAD"}:
                assert (path, method) in documented
