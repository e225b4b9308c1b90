"""Fixtures of the complaint tests: logins that outlast the weeks these tests move the clock by,
and the shared chromium for the browser test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import FakeClock


@pytest.fixture
async def app_client(db_url: str, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=db_url, bus_url="", session_hours=24 * 60), clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://testserver"
        ) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client
