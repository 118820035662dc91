"""One settings object for the server and the CLI (environment variables ``ZCRM_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("zcrm-data")


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    return "sqlite:///" + str((data_dir / "zcrm.sqlite3").resolve())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZCRM_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8000
    # The base URL clients reach this server on; reported as ``api_domain``.
    public_url: str | None = None
    # A separate base URL for the accounts (OAuth) server, when it is served elsewhere.
    accounts_url: str | None = None
    mode: Literal["emulator", "production"] = "emulator"
    admin_email: str | None = None
    admin_password: str | None = None
    plan: str | None = None
    # Seed for every random choice (tokens, ids' prefixes, demo data): reproducible runs.
    seed: int | None = None
    access_token_seconds: int = 3600
    grant_code_seconds: int = 180
    log_level: str = "info"
    # Where API limit counters live: memory (one process), sql (several processes on one
    # database) or redis. Unset: redis when redis_url is given, else memory.
    limiter: Literal["memory", "sql", "redis"] | None = None
    redis_url: str | None = None
    # Share the emulator clock's offset through the database, so every process on it
    # (several servers, workers) sees the same moved time.
    shared_clock: bool = True
    # Required on /_emulator/ calls (header X-Zcrm-Admin-Key) when the server listens on
    # a non-loopback address.
    admin_key: str | None = None
    # How long a process trusts a resolved access token before asking the database again
    # (0 turns the cache off). Changes made in this process clear it at once.
    caller_cache_seconds: float = 1.0
    # A delivery (notification, webhook) that gets no 2xx answer in this time failed.
    delivery_timeout_seconds: float = 5.0
    # Run the background services (event dispatcher, delivery worker) inside the server.
    run_workers: bool = True

    def limiter_backend(self) -> str:
        if self.limiter:
            return self.limiter
        return "redis" if self.redis_url else "memory"

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def accounts_base_url(self) -> str:
        return (self.accounts_url or self.base_url()).rstrip("/")
