"""The ``zcrm`` command line: ``zcrm serve``, ``zcrm clients create``, ``zcrm grant``, …

``zcrm = "zcrm.cli:main"`` is the console script; :data:`app` is the Typer application
(for ``typer.testing.CliRunner``).
"""

from zcrm.cli.main import app, main

__all__ = ["app", "main"]
