"""Fixtures of the admin tests: the app with its own var folder, the demo office's admin, and a
second office (with its own staff, devices and a ticket) to prove offices never see each other."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind, Role, add_device
from counter.db import Database
from counter.models import Counter, CounterService, Service, Staff
from counter.seed import create_office
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, cached_hash, login

# Text that exists only in the second office's data: no response to the demo office may hold it.
NORTH_MARKER = "บริการลับเฉพาะอำเภอเหนือ"


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def make_client(db_url: str, clock: FakeClock, var_dir: Path) -> Callable[..., Any]:
    """An app client factory; settings may be overridden (e.g. a larger body limit)."""

    def factory(**overrides: Any) -> Any:
        settings = Settings(database_url=db_url, bus_url="", var_dir=var_dir, **overrides)
        app = create_app(settings, clock=clock)

        class _Client:
            async def __aenter__(self) -> httpx.AsyncClient:
                self._lifespan = app.router.lifespan_context(app)
                await self._lifespan.__aenter__()
                self._client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app), base_url="http://testserver"
                )
                self._client.app = app  # type: ignore[attr-defined]
                return self._client

            async def __aexit__(self, *exc: object) -> None:
                await self._client.aclose()
                await self._lifespan.__aexit__(None, None, None)

        return _Client()

    return factory


@pytest.fixture
async def client(demo: Demo, make_client: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as c:
        yield c


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "admin", DEMO_PASSWORDS["admin"])


@pytest.fixture
async def manager(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "manager", DEMO_PASSWORDS["manager"])


@pytest.fixture
async def staff1(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "staff1", DEMO_PASSWORDS["staff1"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class North:
    """The second office: "north", with one service, one counter, an admin, a staff member,
    a kiosk and a display."""

    office_id: int
    service_id: int
    counter_id: int
    admin_id: int
    staff_id: int
    kiosk: dict[str, str]
    display: dict[str, str]
    passwords: dict[str, str]


NORTH_PASSWORDS = {"north_admin": "north-admin-pw", "north_staff": "north-staff-pw"}


@pytest.fixture
def north(demo: Demo, database: Database, clock: FakeClock) -> North:
    with database.write() as session:
        office = create_office(
            session,
            "north",
            "ที่ทำการปกครองอำเภอเหนือ",
            "North District Office",
            hours_enforced=False,
            opens=time(8, 30),
        )
        assert office.id is not None
        service = Service(
            office_id=office.id,
            code="north_secret",
            prefix="N",
            name_th=NORTH_MARKER,
            name_en="North-only service",
        )
        session.add(service)
        session.flush()
        counter = Counter(office_id=office.id, number=1, name="ช่องเหนือ")
        session.add(counter)
        session.flush()
        assert service.id is not None and counter.id is not None
        session.add(CounterService(counter_id=counter.id, service_id=service.id))
        ids = {}
        for username, role in (("north_admin", Role.ADMIN), ("north_staff", Role.STAFF)):
            staff = Staff(
                office_id=office.id,
                username=username,
                display_name=username,
                role=role.value,
                password_hash=cached_hash(NORTH_PASSWORDS[username]),
                created_at=clock(),
            )
            session.add(staff)
            session.flush()
            assert staff.id is not None
            ids[username] = staff.id
        _, kiosk = add_device(session, office.id, DeviceKind.KIOSK, "north kiosk", clock())
        _, display = add_device(session, office.id, DeviceKind.DISPLAY, "north hall", clock())
        return North(
            office_id=office.id,
            service_id=service.id,
            counter_id=counter.id,
            admin_id=ids["north_admin"],
            staff_id=ids["north_staff"],
            kiosk=bearer(kiosk),
            display=bearer(display),
            passwords=NORTH_PASSWORDS,
        )


async def audit(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    r = await client.get("/api/v1/admin/audit", params=params, headers=headers)
    assert r.status_code == 200, r.text
    entries: list[Any] = r.json()
    return entries


def assert_thai_error(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    """A 4xx with a Thai message (and English beside it), never a 500."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in body["detail_th"]), body
    assert body["detail_en"], body
    for fragment in fragments:
        assert fragment in body["detail_th"] + body["detail_en"], body
    return body
