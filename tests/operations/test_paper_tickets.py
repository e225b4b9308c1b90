"""Paper tickets entered after an outage: the service log is complete, reports flag them as paper
and no average uses their approximate times."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from counter.auth import Role, StaffPrincipal
from counter.queue.states import Action
from counter.service import QueueService
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
S1 = StaffPrincipal(3, OFFICE, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)
TODAY = "2026-11-27"  # the fake clock: 27 Nov 2026 10:00 in Bangkok
PAPER = [
    {
        "number": "p001",
        "service": "birth",
        "issued_at": f"{TODAY}T08:40",
        "served_at": f"{TODAY}T08:55",
        "counter": 1,
    },
    {"number": "P002", "service": "birth", "issued_at": f"{TODAY}T08:45"},
    {
        "number": "P003",
        "service": "id_card_renewal",
        "issued_at": f"{TODAY}T08:50",
        "served_at": f"{TODAY}T09:30",
    },
]


async def staff1(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "staff1", DEMO_PASSWORDS["staff1"])


async def test_paper_tickets_are_counted_flagged_and_kept_out_of_every_average(
    app_client: httpx.AsyncClient, queue: QueueService, clock: FakeClock
) -> None:
    # One ticket through the system: waited 4 minutes, served 9.
    ticket = await queue.issue_ticket(OFFICE, "birth")
    clock.advance(minutes=4)
    await queue.call_ticket(S1, ticket.id, 1, "ทดสอบ")
    await queue.act(S1, ticket.id, Action.START)
    clock.advance(minutes=9)
    await queue.act(S1, ticket.id, Action.FINISH)

    headers = await staff1(app_client)
    r = await app_client.post("/api/v1/paper-tickets", json={"tickets": PAPER}, headers=headers)
    assert r.status_code == 201, r.text
    entered = r.json()["tickets"]
    assert [t["number"] for t in entered] == ["P001", "P002", "P003"]
    assert all(t["paper"] for t in entered)

    r = await app_client.get(f"/api/v1/paper-tickets?day={TODAY}", headers=headers)
    assert [t["number"] for t in r.json()["tickets"]] == ["P001", "P002", "P003"]

    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    r = await app_client.get(f"/api/v1/reports/summary?from={TODAY}&to={TODAY}", headers=manager)
    assert r.status_code == 200, r.text
    body = r.json()
    # The engine's figures are those of the one system ticket: paper changes no average.
    assert body["overall"]["served"] == 1
    assert body["overall"]["wait"]["mean"] == 4 * 60
    assert body["overall"]["service"]["mean"] == 9 * 60
    paper: dict[str, Any] = body["continuity"]["paper_tickets"]
    assert (paper["count"], paper["served"]) == (3, 2)
    assert {s["service"]: s["count"] for s in paper["by_service"]} == {
        "birth": 2,
        "id_card_renewal": 1,
    }
    assert "ค่าเฉลี่ย" in paper["note_th"]

    dashboard = await app_client.get(f"/reports?period=day&on={TODAY}")
    assert dashboard.status_code == 200
    assert "data-paper-count>3<" in dashboard.text and "ไม่นำไปคำนวณค่าเฉลี่ย" in dashboard.text

    page = await app_client.get(f"/operations/paper?day={TODAY}")
    assert page.status_code == 200
    assert "P003" in page.text and "บัตรคิวกระดาษ" in page.text and "08.50" in page.text


@pytest.mark.parametrize(
    ("change", "status", "problem"),
    [
        ({"service": "nope"}, 422, "no service"),
        ({"served_at": f"{TODAY}T08:00"}, 422, "served before issued"),
        ({"issued_at": f"{TODAY}T11:00"}, 422, "future"),
        ({"counter": 99}, 422, "no counter"),
        ({"number": ""}, 422, "number"),
    ],
)
async def test_bad_rows_are_refused_with_the_row_named(
    app_client: httpx.AsyncClient, change: dict[str, Any], status: int, problem: str
) -> None:
    row = {**PAPER[0], **change}
    r = await app_client.post(
        "/api/v1/paper-tickets", json={"tickets": [PAPER[1], row]}, headers=await staff1(app_client)
    )
    assert r.status_code == status, r.text
    assert problem in r.json()["detail_en"]
    assert r.json()["detail_th"]
    listed = await app_client.get(
        f"/api/v1/paper-tickets?day={TODAY}", headers=await staff1(app_client)
    )
    assert listed.json()["tickets"] == [], "nothing of a refused batch is kept"


async def test_a_number_entered_twice_the_same_day_is_a_conflict(
    app_client: httpx.AsyncClient,
) -> None:
    headers = await staff1(app_client)
    r = await app_client.post("/api/v1/paper-tickets", json={"tickets": PAPER[:1]}, headers=headers)
    assert r.status_code == 201
    r = await app_client.post("/api/v1/paper-tickets", json={"tickets": PAPER[:1]}, headers=headers)
    assert r.status_code == 409
    assert r.json()["detail_th"]
