"""CLI test fixtures: a database with a default org, as `zcrm serve` leaves it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zcrm.server.runtime import Runtime
from zcrm.server.services.orgs import create_org
from zcrm.settings import Settings


@dataclass
class CliDb:
    url: str
    org_id: int
    runtime: Runtime


@pytest.fixture
def cli_db(tmp_path: Path) -> Iterator[CliDb]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    runtime = Runtime.open(Settings(database_url=url, shared_clock=False))
    created = create_org(
        runtime,
        company_name="CLI Org",
        admin_email="admin@cli.test",
        admin_password="pw",
        is_default=True,
    )
    yield CliDb(url, created.org_id, runtime)
    runtime.close()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()
