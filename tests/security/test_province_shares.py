"""L10: sharing an office's metrics by user name tells an admin nothing about which accounts
other offices have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from counter.db import Database
from counter.models import Staff
from counter.seed import create_office
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, cached_hash, login
from tests.security.conftest import AppFactory

SHARES = "/api/v1/admin/province/shares"


@pytest.fixture
async def client(demo: Demo, make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_app() as c:
        yield c


@pytest.fixture
def north_officer(database: Database, clock: FakeClock) -> str:
    """An account at another office, which the demo office's admin has no business knowing of."""
    with database.write() as session:
        office = create_office(session, "north", "อำเภอเหนือ", "North District")
        assert office.id is not None
        session.add(
            Staff(
                office_id=office.id,
                username="north_officer",
                display_name="ปลัดอำเภอเหนือ",
                role="manager",
                password_hash=cached_hash("north-pw"),
                created_at=clock(),
            )
        )
    return "north_officer"


def _shape(r: httpx.Response) -> tuple[int, list[str]]:
    body = r.json()
    return r.status_code, sorted(k for k in body if k != "id") if isinstance(body, dict) else []


class TestGrantingAShare:
    async def test_an_account_elsewhere_and_no_account_look_the_same(
        self, client: httpx.AsyncClient, north_officer: str
    ) -> None:
        admin = await login(client, "admin", DEMO_PASSWORDS["admin"])
        real = await client.post(SHARES, json={"username": north_officer}, headers=admin)
        ghost = await client.post(SHARES, json={"username": "no_such_person"}, headers=admin)
        assert _shape(real) == _shape(ghost) == (201, ["office", "username"])
        listed = (await client.get(SHARES, headers=admin)).json()
        rows: dict[str, Any] = {row["username"]: row for row in listed}
        for name in (north_officer, "no_such_person"):
            row = rows[name]
            assert (row["display_name"], row["office_code"]) == ("", "")
        assert "ปลัดอำเภอเหนือ" not in str(listed) and "north" not in str(
            [r["office_code"] for r in listed]
        )

    async def test_the_grant_works_for_the_account_and_a_later_namesake_gets_nothing(
        self,
        client: httpx.AsyncClient,
        north_officer: str,
        database: Database,
        clock: FakeClock,
    ) -> None:
        admin = await login(client, "admin", DEMO_PASSWORDS["admin"])
        await client.post(SHARES, json={"username": north_officer}, headers=admin)
        await client.post(SHARES, json={"username": "future_name"}, headers=admin)
        officer = await login(client, north_officer, "north-pw")
        r = await client.get("/api/v1/province/compare", headers=officer)
        assert r.status_code == 200 and "demo" in [o["code"] for o in r.json()["offices"]]
        # Someone creates the granted name afterwards (any office admin can name an account).
        with database.write() as session:
            session.add(
                Staff(
                    office_id=2,
                    username="future_name",
                    display_name="x",
                    role="manager",
                    password_hash=cached_hash("later-pw"),
                    created_at=clock(),
                )
            )
        later = await login(client, "future_name", "later-pw")
        r = await client.get("/api/v1/province/compare", headers=later)
        assert "demo" not in [o["code"] for o in r.json()["offices"]]

    async def test_accounts_of_the_own_office_are_shown_by_name(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await login(client, "admin", DEMO_PASSWORDS["admin"])
        await client.post(SHARES, json={"username": "manager"}, headers=admin)
        [row] = (await client.get(SHARES, headers=admin)).json()
        assert row["username"] == "manager" and row["office_code"] == "demo"
