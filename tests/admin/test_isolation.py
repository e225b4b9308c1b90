"""Offices never see or change each other: every API call of a second office's staff and
devices, aimed at the first office's tickets, counters, staff, devices and settings, leaves the
first office exactly as it was and shows none of its data.

The routes are read from the app itself, so routes added later by any package are tried too.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import websockets
from sqlmodel import col, select

from admin.models import AuditEntry
from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import (
    Counter,
    CounterEvent,
    Device,
    Holiday,
    Office,
    Service,
    Staff,
    Ticket,
    TicketEvent,
)
from tests.admin.conftest import NORTH_MARKER, North
from tests.conftest import DEMO_PASSWORDS, FakeClock, login
from tests.live import LiveServer

DEMO_SERVICE_MARKER = "บริการเฉพาะสำนักงานเดโม่"
DEMO_DEVICE_MARKER = "ตู้ลับของสำนักงานเดโม่"

# Addresses that are not an office's data: public by design or about the caller itself.
SKIP = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/pairing"),
    ("get", "/api/v1/pairing/{pairing_id}"),
    ("get", "/healthz"),
}
# Public pages whose office chooser names every office on the server, as a poster QR needs:
# office names are public; nothing else of an office shows there.
PUBLIC_OFFICE_CHOOSERS = {"/complaint"}
# The server operator's view of every office: loopback or its token only, never an office login
# (tests/operations/test_metrics.py refuses other addresses); this test's client is loopback.
OPERATOR_ONLY = {"/metrics"}

# Bodies that get past validation, so a request reaches the office checks behind it.
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/tickets"): {"service": "birth"},
    ("post", "/api/v1/tickets/{ticket_id}/call"): {"counter": 1, "reason": "ทดสอบ"},
    ("post", "/api/v1/tickets/{ticket_id}/transfer"): {"service": "birth"},
    ("post", "/api/v1/counters/{number}/pause"): {"reason": "break"},
    ("put", "/api/v1/counters/{number}/services"): {"services": ["birth"]},
    ("patch", "/api/v1/admin/services/{service_id}"): {"active": False, "name_th": "ถูกแก้"},
    ("patch", "/api/v1/admin/counters/{counter_id}"): {"active": False, "number": 99},
    ("patch", "/api/v1/admin/staff/{staff_id}"): {"active": False, "role": "staff"},
    ("patch", "/api/v1/admin/devices/{device_id}"): {"name": "ถูกยึด"},
    ("post", "/api/v1/admin/province/shares"): {"username": "north_staff"},
    ("post", "/api/v1/admin/config/import"): {
        "office": "demo",
        "text": '{"format": "saduak-office-config", "version": 1}',
    },
    ("put", "/api/v1/admin/holidays/{year}"): {"holidays": []},
}


class DemoIds:
    def __init__(self, **ids: Any) -> None:
        self.__dict__.update(ids)


def demo_state(database: Database) -> dict[str, Any]:
    """Everything of the demo office a second office could touch."""
    with database.read() as session:

        def rows(model: Any, *order: Any) -> list[dict[str, Any]]:
            query = select(model).where(model.office_id == 1)
            return [r.model_dump() for r in session.exec(query.order_by(*order)).all()]

        return {
            "office": session.get(Office, 1).model_dump(),  # type: ignore[union-attr]
            "tickets": rows(Ticket, col(Ticket.id)),
            "ticket_events": rows(TicketEvent, col(TicketEvent.seq)),
            "counter_events": rows(CounterEvent, col(CounterEvent.seq)),
            "services": rows(Service, col(Service.id)),
            "counters": rows(Counter, col(Counter.id)),
            "staff": rows(Staff, col(Staff.id)),
            "devices": rows(Device, col(Device.id)),
            "holidays": rows(Holiday, col(Holiday.id)),
            "audit": rows(AuditEntry, col(AuditEntry.id)),
            "counter_service": [
                tuple(r)
                for r in session.execute(
                    sa.text(
                        "SELECT cs.counter_id, cs.service_id, cs.position, cs.weight "
                        "FROM counter_service cs JOIN counter c ON c.id = cs.counter_id "
                        "WHERE c.office_id = 1 ORDER BY 1, 2"
                    )
                ).all()
            ],
        }


@pytest.fixture
async def demo_ids(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    database: Database,
    clock: FakeClock,
    north: North,
) -> DemoIds:
    """The demo office with something of every kind: a waiting and a called ticket, a device,
    a holiday, an audit entry, a province share and a service only it has."""
    r = await client.post(
        "/api/v1/admin/services",
        json={
            "code": "demo_only",
            "prefix": "F",
            "name_th": DEMO_SERVICE_MARKER,
            "name_en": "Demo-only service",
        },
        headers=admin,
    )
    service = r.json()
    await client.post("/api/v1/admin/holidays", json={"day": "2027-01-01"}, headers=admin)
    holiday = (await client.get("/api/v1/admin/office", headers=admin)).json()["holidays"][0]
    with database.write() as session:
        device, _ = add_device(session, 1, DeviceKind.KIOSK, DEMO_DEVICE_MARKER, clock())
    staff1 = await login(client, "staff1", DEMO_PASSWORDS["staff1"])
    waiting = (
        await client.post("/api/v1/tickets", json={"service": "birth"}, headers=admin)
    ).json()
    await client.post("/api/v1/tickets", json={"service": "birth"}, headers=admin)
    called = (await client.post("/api/v1/counters/1/call-next", headers=staff1)).json()
    counters = (await client.get("/api/v1/admin/counters", headers=admin)).json()
    staff = (await client.get("/api/v1/admin/staff", headers=admin)).json()
    await client.post("/api/v1/admin/province/shares", json={"username": "manager"}, headers=admin)
    return DemoIds(
        ticket_id=called["id"],
        waiting_ticket_id=waiting["id"],
        ticket_token=waiting["status_url"].rsplit("/", 1)[-1],
        service_id=service["id"],
        counter_id=counters[0]["id"],
        staff_id=next(s["id"] for s in staff if s["username"] == "manager"),
        device_id=device.id,
        holiday_id=holiday["id"],
    )


def fill(path: str, ids: DemoIds) -> str:
    values = {
        "ticket_id": ids.ticket_id,
        "service_id": ids.service_id,
        "counter_id": ids.counter_id,
        "staff_id": ids.staff_id,
        "device_id": ids.device_id,
        "holiday_id": ids.holiday_id,
        "number": 1,
        "year": 2027,
        "clip_id": "chime",
        "action": "cancel",
        # Capability links (the citizen's status page): a second office has no such token.
        "token": "not-a-token",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def page_paths(routes: Any) -> list[str]:
    """GET addresses left out of the API schema (pages), except static files."""
    found: list[str] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += page_paths(inner.routes)
        elif (
            "GET" in (getattr(route, "methods", None) or ())
            and not getattr(route, "include_in_schema", True)
            and "static" not in route.path
            and not route.path.endswith((".wav", ".json", "{path:path}"))
            and route.path not in PUBLIC_OFFICE_CHOOSERS | OPERATOR_ONLY
        ):
            found.append(route.path)
    return found


def markers(ids: DemoIds) -> list[str]:
    return [
        DEMO_SERVICE_MARKER,
        DEMO_DEVICE_MARKER,
        ids.ticket_token,
        "ที่ทำการปกครองอำเภอสะดวก",
        "Saduak District Office",
        "เจ้าหน้าที่ 1",
    ]


async def test_a_second_office_can_neither_see_nor_change_the_first_through_any_api(
    client: httpx.AsyncClient,
    database: Database,
    north: North,
    demo_ids: DemoIds,
) -> None:
    # The markers are really there for the demo office's own eyes.
    demo_admin = await login(client, "admin", DEMO_PASSWORDS["admin"])
    own = " ".join(
        [
            (await client.get("/api/v1/admin/services", headers=demo_admin)).text,
            (await client.get("/api/v1/admin/devices", headers=demo_admin)).text,
            (await client.get("/api/v1/admin/office", headers=demo_admin)).text,
            (await client.get("/api/v1/admin/counters", headers=demo_admin)).text,
            (
                await client.get(
                    f"/api/v1/tickets/{demo_ids.waiting_ticket_id}", headers=demo_admin
                )
            ).text,
        ]
    )
    assert all(marker in own for marker in markers(demo_ids))
    before = demo_state(database)
    north_admin = await login(client, "north_admin", north.passwords["north_admin"])
    north_staff = await login(client, "north_staff", north.passwords["north_staff"])
    principals = {
        "north admin": north_admin,
        "north staff": north_staff,
        "north kiosk": north.kiosk,
        "north display": north.display,
    }
    app = client.app  # type: ignore[attr-defined]
    paths = app.openapi()["paths"]
    leaks: list[str] = []
    errors: list[str] = []
    tried = 0
    for path, operations in paths.items():
        for method in operations:
            if (method, path) in SKIP:
                continue
            url = fill(path, demo_ids)
            params = {"office": 1, "office_id": 1, "office_code": "demo"}
            bodies = [BODIES.get((method, path)), {}] if method != "get" else [None]
            for who, headers in principals.items():
                for body in bodies:
                    r = await client.request(
                        method.upper(), url, params=params, json=body, headers=headers
                    )
                    tried += 1
                    if r.status_code >= 500:
                        errors.append(f"{who} {method.upper()} {url}: {r.status_code}")
                    for marker in markers(demo_ids):
                        if marker in r.text:
                            leaks.append(f"{who} {method.upper()} {url} shows {marker!r}")
    for path in page_paths(app.routes):
        url = fill(path, demo_ids)
        for who, headers in principals.items():
            r = await client.get(url, headers=headers)
            tried += 1
            if r.status_code >= 500:
                errors.append(f"{who} GET {url}: {r.status_code}")
            for marker in markers(demo_ids):
                if marker in r.text:
                    leaks.append(f"{who} GET {url} shows {marker!r}")
    assert tried > 200
    assert leaks == []
    assert errors == []
    assert demo_state(database) == before


async def test_cross_office_ids_are_not_found_rather_than_forbidden(
    client: httpx.AsyncClient, north: North, demo_ids: DemoIds
) -> None:
    """Another office's ids answer like ids that do not exist: nothing to learn by probing."""
    north_admin = await login(client, "north_admin", north.passwords["north_admin"])
    for method, path, body in [
        ("GET", f"/api/v1/tickets/{demo_ids.ticket_id}", None),
        ("POST", f"/api/v1/tickets/{demo_ids.waiting_ticket_id}/cancel", None),
        ("PATCH", f"/api/v1/admin/services/{demo_ids.service_id}", {"active": False}),
        ("PATCH", f"/api/v1/admin/counters/{demo_ids.counter_id}", {"active": False}),
        ("PATCH", f"/api/v1/admin/staff/{demo_ids.staff_id}", {"active": False}),
        ("POST", f"/api/v1/admin/staff/{demo_ids.staff_id}/reset-password", None),
        ("POST", f"/api/v1/admin/devices/{demo_ids.device_id}/revoke", None),
        ("DELETE", f"/api/v1/admin/holidays/{demo_ids.holiday_id}", None),
    ]:
        r = await client.request(method, path, json=body, headers=north_admin)
        assert r.status_code == 404, (method, path, r.text)


async def test_a_config_import_goes_only_into_the_admins_own_office(
    client: httpx.AsyncClient, admin: dict[str, str], north: North
) -> None:
    exported = (await client.get("/api/v1/admin/config/export", headers=admin)).text
    north_admin = await login(client, "north_admin", north.passwords["north_admin"])
    r = await client.post(
        "/api/v1/admin/config/import",
        json={"office": "demo", "text": exported},
        headers=north_admin,
    )
    assert r.status_code == 403 and "สำนักงานของท่านเอง" in r.json()["detail_th"]


async def test_the_north_office_sees_its_own_data(client: httpx.AsyncClient, north: North) -> None:
    """The check above would pass if the second office saw nothing at all; it sees its own."""
    north_admin = await login(client, "north_admin", north.passwords["north_admin"])
    services = (await client.get("/api/v1/admin/services", headers=north_admin)).json()
    assert [s["name_th"] for s in services] == [NORTH_MARKER]
    r = await client.post("/api/v1/tickets", json={"service": "north_secret"}, headers=north.kiosk)
    assert r.status_code == 201 and r.json()["number"] == "N001"


@pytest.mark.slow
@pytest.mark.sqlite_only  # one database kind is enough for a live server
async def test_a_display_of_one_office_hears_nothing_of_anothers_calls(
    db_url: str, north: North, demo_ids: DemoIds, tmp_path: Path
) -> None:
    """The event channels are per office: the north hall screen gets north's snapshot and
    events only, while the demo office issues and calls tickets."""
    token = north.display["Authorization"].removeprefix("Bearer ")
    async with (
        LiveServer(db_url, env={"SADUAK_VAR_DIR": str(tmp_path)}) as server,
        websockets.connect(f"{server.ws_url}/ws/display?token={token}") as ws,
    ):
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert snapshot["type"] == "snapshot" and snapshot["office"] == north.office_id
        assert DEMO_SERVICE_MARKER not in json.dumps(snapshot, ensure_ascii=False)
        async with httpx.AsyncClient(base_url=server.url) as http:
            demo_admin = await login(http, "admin", DEMO_PASSWORDS["admin"])
            staff2 = await login(http, "staff2", DEMO_PASSWORDS["staff2"])
            await http.post("/api/v1/tickets", json={"service": "birth"}, headers=demo_admin)
            called = await http.post("/api/v1/counters/2/call-next", headers=staff2)
            assert called.status_code == 200
            north_ticket = await http.post(
                "/api/v1/tickets", json={"service": "north_secret"}, headers=north.kiosk
            )
            assert north_ticket.status_code == 201
        seen: list[dict[str, Any]] = []
        # Read until north's own ticket arrives: everything before it must be north's too.
        while not any(m.get("number") == "N001" for m in seen):
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            seen.append(message)
        offices = {m.get("office") for m in seen if "office" in m}
        assert offices <= {north.office_id}, seen
        assert not any(str(m.get("number") or "").startswith("A") for m in seen)
