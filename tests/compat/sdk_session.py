"""Initialising the official SDK against zcrm: the only zcrm-specific part is the Environment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
from zohocrmsdk.src.com.zoho.api.logger import Logger
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig

T = TypeVar("T")


def environment(base_url: str) -> DataCenter.Environment:
    return DataCenter.Environment(base_url, base_url + "/oauth/v2/token", base_url)


def initialise(
    base_url: str,
    folder: Path,
    *,
    client_id: str,
    client_secret: str,
    grant_token: str | None = None,
    refresh_token: str | None = None,
) -> FileStore:
    store = FileStore(str(folder / "tokens.csv"))
    if grant_token is not None:
        token = OAuthToken(
            client_id=client_id, client_secret=client_secret, grant_token=grant_token
        )
    else:
        token = OAuthToken(
            client_id=client_id, client_secret=client_secret, refresh_token=refresh_token
        )
    Initializer.initialize(
        environment=environment(base_url),
        token=token,
        store=store,
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
        resource_path=str(folder / "resources"),
        logger=Logger.get_instance(Logger.Levels.INFO, str(folder / "sdk.log")),
    )
    return store


def sign_in(base_url: str, org: Any, folder: Path) -> FileStore:
    """The SDK initialised as ``org``'s admin with a fresh grant code (a Self Client)."""
    return initialise(
        base_url,
        folder,
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        grant_token=org.grant_code(),
    )


def run_in_thread(fn: Callable[[], T], timeout: float = 120) -> T:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed back to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="official-sdk")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError("the SDK scenario did not finish")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
