"""A real zcrm server on a free loopback port, in a background thread.

Real clients (the official SDK, curl, a browser) need a socket; this gives them one
while the test keeps the same :class:`~zcrm.server.runtime.Runtime` (and so the same
clock and database) in hand.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from zcrm.server.app import create_app
from zcrm.server.runtime import Runtime


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        runtime: Runtime,
        host: str = "127.0.0.1",
        port: int | None = None,
        wrap: Callable[[Any], Any] | None = None,
    ) -> None:
        self.runtime = runtime
        self.host = host
        self.port = port or free_port(host)
        app: Any = create_app(runtime)
        if wrap is not None:
            app = wrap(app)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="zcrm-live", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the zcrm live server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_server_process(
    database_url: str,
    port: int | None = None,
    *,
    env: dict[str, str] | None = None,
    log_level: str = "error",
    timeout: float = 30.0,
) -> tuple[subprocess.Popen[bytes], str]:
    """A zcrm server in its own process (uvicorn, the app from the environment) on a
    loopback port: for tests that kill it, and for benchmarks that measure it apart
    from the client. Returns the process and its URL once it answers."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    process_env = {
        **os.environ,
        **(env or {}),
        "ZCRM_DATABASE_URL": database_url,
        "ZCRM_PUBLIC_URL": url,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "zcrm.server.app:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", log_level]
    command += ["--no-access-log"]
    process = subprocess.Popen(command, env=process_env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the zcrm server process exited ({process.returncode})")
        try:
            httpx.get(f"{url}/openapi.json", timeout=0.5)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the zcrm server process did not start")
