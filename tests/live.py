"""A real uvicorn server process for end-to-end and browser tests (and benchmarks).

    server = LiveServer(database_url, env={"SADUAK_BUS_URL": bus_url})
    server.start()          # or: await server.astart()
    ... server.url, server.ws_url ...
    server.stop()           # SIGTERM, then SIGKILL after a grace period
    server.restart()        # same port, same database
    server.kill()           # SIGKILL: a crash

It runs `python -m uvicorn saduak.app:create_app --factory` with SADUAK_DATABASE_URL set (or any
`command`, e.g. `saduak serve`, with {host} and {port} filled in), waits until GET /healthz answers
200, and keeps the server's output in a log file that start failures quote. The caller prepares
the database (migrated, seeded). Usable as a (async) context manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

ROOT = Path(__file__).resolve().parent.parent
# `saduak serve` as deployed (it migrates, then decides how uvicorn runs): LiveServer(command=...).
SADUAK_SERVE = (
    str(Path(sys.executable).with_name("saduak")),
    "serve",
    "--host",
    "{host}",
    "--port",
    "{port}",
)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServerFailed(RuntimeError):
    pass


class LiveServer:
    def __init__(
        self,
        database_url: str,
        *,
        env: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        app: str = "saduak.app:create_app",
        factory: bool = True,
        uvicorn_args: Sequence[str] = ("--log-level", "warning", "--no-access-log"),
        log_dir: Path | None = None,
        name: str = "saduak",
        command: Sequence[str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.env = dict(env or {})
        self.host = host
        self.port = port or free_port(host)
        self.app = app
        self.factory = factory
        self.uvicorn_args = list(uvicorn_args)
        self.custom_command = list(command) if command is not None else None
        self.name = name
        self._log_dir = log_dir or Path(tempfile.mkdtemp(prefix=f"{name}-live-"))
        self.log_path = self._log_dir / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------ addresses

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def logs(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    # ------------------------------------------------------------ life cycle

    def command(self) -> list[str]:
        if self.custom_command is not None:
            return [a.format(host=self.host, port=self.port) for a in self.custom_command]
        cmd = [sys.executable, "-m", "uvicorn", self.app, "--host", self.host]
        cmd += ["--port", str(self.port)]
        if self.factory:
            cmd.append("--factory")
        return cmd + self.uvicorn_args

    def start(self, timeout: float = 30.0) -> None:
        self.launch()
        self.wait_started(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it to serve (then `wait_started`).

        The process is forked from the test process's forker (tests.prefork), which imported
        the app once: a server is ready on about 0.6 s of CPU instead of 3.5 s. It is still an OS
        process of its own, running the same command line, in its own process group (so stop()
        also reaches any workers it spawns)."""
        from tests.prefork import shared_forker

        if self.running:
            raise RuntimeError(f"{self.name} is already running on port {self.port}")
        env = {**os.environ, "SADUAK_DATABASE_URL": self.database_url, **self.env}
        env.setdefault("PYTHONUNBUFFERED", "1")
        with self.log_path.open("ab") as log:
            log.write(f"--- start {time.strftime('%H:%M:%S')} {self.command()}\n".encode())
        forked = shared_forker().spawn(self.command(), cwd=ROOT, env=env, log=self.log_path)
        self.process = forked  # type: ignore[assignment]

    def wait_started(self, timeout: float = 30.0) -> None:
        """Wait until /healthz answers; the process is killed if it never does."""
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.kill()
            raise

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                if not self.running:
                    raise ServerFailed(f"{self.name} exited during start:\n{self.logs()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise ServerFailed(f"{self.name} not healthy after {timeout} s:\n{self.logs()}")
                time.sleep(0.05)

    def stop(self, grace: float = 10.0) -> None:
        """Graceful stop (SIGTERM, like a service manager), SIGKILL if it does not exit."""
        self._signal(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(5)

    def kill(self) -> None:
        """Abrupt end, as in a crash or power loss: no shutdown code runs."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)

    def restart(self, timeout: float = 30.0) -> None:
        """Stop if running, then start again on the same port and database."""
        if self.running:
            self.stop()
        self.start(timeout)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The group is this server's own (start_new_session): its id is the server's pid.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    # ------------------------------------------------------------ async and context forms

    async def astart(self, timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.start, timeout)

    async def astop(self, grace: float = 10.0) -> None:
        await asyncio.to_thread(self.stop, grace)

    async def arestart(self, timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.restart, timeout)

    async def akill(self) -> None:
        await asyncio.to_thread(self.kill)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await self.astart()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()


@contextlib.asynccontextmanager
async def served_in_process(app: Any, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve an app object with uvicorn on this test's event loop: the test can reach into the
    app (its database engine, its clock) while real clients talk to it. Yields the base URL."""
    import uvicorn

    port = free_port(host)
    # A page left open (an SSE stream, a WebSocket) must not hold the shutdown for long.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)


@dataclass(frozen=True)
class Served:
    """An app served on this test's event loop, addressed as a LiveServer is (`url`,
    `database_url`); `app` is the FastAPI object, for a test that reaches into its state."""

    url: str
    database_url: str
    app: Any

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")


@contextlib.asynccontextmanager
async def serve(
    database_url: str, *, clock: Callable[[], datetime] | None = None, **settings: Any
) -> AsyncIterator[Served]:
    """`create_app` over `database_url` (settings as `Settings` takes them, the environment
    for the rest), served by uvicorn in this process: a real HTTP server for a browser, at the
    cost of building an app instead of starting a Python process (several seconds of CPU).
    Tests of the process itself (a restart, a crash, `saduak serve`) use LiveServer."""
    from counter.settings import Settings
    from saduak.app import create_app

    app = create_app(
        Settings(database_url=database_url, **settings),
        **({"clock": clock} if clock is not None else {}),
    )
    async with served_in_process(app) as url:
        yield Served(url, database_url, app)
