"""The access-token cache (services/oauth.CallerCache): fast, and never wrong in-process."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.errors import InvalidToken
from zcrm.server.services import oauth
from zcrm.server.services.orgs import set_plan


@pytest.fixture
def cached(runtime: Any) -> Any:
    previous = runtime.settings.caller_cache_seconds
    runtime.settings.caller_cache_seconds = 60
    oauth.forget_callers()
    yield runtime
    runtime.settings.caller_cache_seconds = previous
    oauth.forget_callers()


def test_a_cached_caller_still_expires_on_the_clock(cached: Any, org: Any) -> None:
    token = org.access_token()
    assert oauth.caller_for_token(cached, token).org.id == org.org_id
    cached.clock.advance(3601)
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(cached, token)


def test_revoking_in_process_takes_effect_at_once(cached: Any, org: Any) -> None:
    grant = org.tokens()
    oauth.caller_for_token(cached, grant.access_token)
    oauth.revoke(cached, grant.refresh_token)
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(cached, grant.access_token)


def test_plan_changes_clear_the_cache(cached: Any, org: Any) -> None:
    token = org.access_token()
    assert oauth.caller_for_token(cached, token).org.plan == "enterprise"
    set_plan(cached, org.org_id, "free")
    assert oauth.caller_for_token(cached, token).org.plan == "free"


def test_cache_hits_skip_the_database(cached: Any, org: Any, monkeypatch: Any) -> None:
    token = org.access_token()
    oauth.caller_for_token(cached, token)

    def no_database() -> Any:
        raise AssertionError("the database was asked again")

    monkeypatch.setattr(cached.db, "read", no_database)
    assert oauth.caller_for_token(cached, token).user.id == org.admin_id
