"""Fixtures of the booking tests: the demo office, a kiosk, staff logins and a booking helper.

The clock starts on Friday 27 Nov 2026, 10:00 in Bangkok; Monday 30 Nov is the first day one
may book (Saturday and Sunday are closed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from counter.auth import DeviceKind
from counter.db import Database
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock, device_headers, login, serving

BKK = ZoneInfo("Asia/Bangkok")
MONDAY = "2026-11-30"


def bkk(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BKK).astimezone(UTC)


@pytest.fixture
async def app_client(db_url: str, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """The app with logins that outlast the days these tests move the clock by."""
    settings = Settings(database_url=db_url, bus_url="", session_hours=24 * 30)
    async with serving(create_app(settings, clock=clock)) as client:
        yield client


@pytest.fixture
def kiosk(database: Database, clock: FakeClock, demo: Any) -> dict[str, str]:
    return device_headers(database, clock, DeviceKind.KIOSK)


@pytest.fixture
async def staff1(app_client: httpx.AsyncClient, demo: Any) -> dict[str, str]:
    return await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])


@pytest.fixture
async def admin(app_client: httpx.AsyncClient, demo: Any) -> dict[str, str]:
    return await login(app_client, "admin", DEMO_PASSWORDS["admin"])


async def book(
    client: httpx.AsyncClient,
    *,
    service: str = "birth",
    day: str = MONDAY,
    time: str = "10:00",
    phone: str = "081-234-5678",
    name: str = "สมชาย ใจดี",
    consent: bool = True,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = {
        "service": service,
        "date": day,
        "time": time,
        "name": name,
        "phone": phone,
        "consent": consent,
    }
    return await client.post("/api/v1/bookings", json=body, headers=headers or {})
