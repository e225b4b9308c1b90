"""Fixtures of the security tests: the app as a server operator deploys it (default settings
unless a test overrides one), the demo office, and device tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import Demo, FakeClock

AppFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def make_app(db_url: str, clock: FakeClock, tmp_path: Any) -> AppFactory:
    """An app client with the shipped settings (e.g. the printer allow-list) unless overridden."""

    @asynccontextmanager
    async def factory(
        *, client_host: str = "127.0.0.1", **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        # The test environment lists the fake printer; these tests start from the shipped list.
        overrides.setdefault("printer_allow", "private")
        settings = Settings(database_url=db_url, bus_url="", var_dir=tmp_path / "var", **overrides)
        app = create_app(settings, clock=clock)
        transport = httpx.ASGITransport(app, client=(client_host, 40000))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            client.app = app  # type: ignore[attr-defined]
            yield client

    return factory


@pytest.fixture
def device_token(
    demo: Demo, database: Database, clock: FakeClock
) -> Callable[..., tuple[int, dict[str, str]]]:
    """A new device of the demo office: (device id, bearer headers)."""

    def make(kind: DeviceKind, name: str = "device", printer: str | None = None) -> Any:
        with database.write() as session:
            device, token = add_device(session, demo.office_id, kind, name, clock(), printer)
            device_id = device.id
        return device_id, {"Authorization": f"Bearer {token}"}

    return make
