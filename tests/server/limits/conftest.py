"""Limiter fixtures: every test runs on each backend that is available here.

Redis runs when ``ZCRM_TEST_REDIS_URL`` names a server (CI starts one); otherwise the
Redis cases are skipped with the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from zcrm.server.limits.backend import LimiterBackend
from zcrm.server.limits.limiter import make_backend
from zcrm.server.runtime import Runtime

BACKENDS = ["memory", "sql", "redis"]


@pytest.fixture(params=BACKENDS)
def limiter_backend(request: pytest.FixtureRequest, runtime: Runtime) -> Iterator[str]:
    """Swap the shared runtime's limiter backend for one test."""
    kind: str = request.param
    redis_url = os.environ.get("ZCRM_TEST_REDIS_URL")
    if kind == "redis" and not redis_url:
        pytest.skip("ZCRM_TEST_REDIS_URL is not set")
    backend: LimiterBackend = make_backend(
        kind, db=runtime.db, redis_url=redis_url, namespace=f"zcrm-test:{uuid.uuid4().hex}"
    )
    previous = runtime.limiter.backend
    runtime.limiter.backend = backend
    try:
        yield kind
    finally:
        runtime.limiter.backend = previous
