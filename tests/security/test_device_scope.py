"""M1: device tokens are scoped. A display reads its feed only; a kiosk reads only the tickets it
issued; no device sees the status link of a ticket it did not issue; a survey is answered only
through the citizen's status link of a finished ticket, or on the counter tablet for the ticket
that counter just finished."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, login
from tests.security.conftest import AppFactory

ANSWERS = {"speed": 5, "courtesy": 5, "clarity": 5, "facilities": 5, "overall": 5}


@pytest.fixture
async def client(demo: Demo, make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_app() as c:
        yield c


async def _staff(client: httpx.AsyncClient) -> dict[str, str]:
    headers = await login(client, "staff1", DEMO_PASSWORDS["staff1"])
    client.cookies.clear()  # act through the bearer token only
    return headers


async def _issue(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _serve_at_counter_1(
    client: httpx.AsyncClient, staff: dict[str, str], ticket: dict[str, Any], clock: FakeClock
) -> None:
    r = await client.post(
        f"/api/v1/tickets/{ticket['id']}/call",
        json={"counter": 1, "reason": "ทดสอบ"},
        headers=staff,
    )
    assert r.status_code == 200, r.text
    clock.advance(minutes=1)
    assert (await client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)).is_success
    clock.advance(minutes=5)
    assert (await client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=staff)).is_success


class TestADisplayReadsItsFeedOnly:
    async def test_tickets_and_the_queue_are_refused_to_a_display(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any]
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        _, display = device_token(DeviceKind.DISPLAY, "จอโถง")
        ticket = await _issue(client, kiosk)
        for path in (f"/api/v1/tickets/{ticket['id']}", "/api/v1/queue"):
            r = await client.get(path, headers=display)
            assert r.status_code == 403, (path, r.text)
            assert ticket["status_url"] not in r.text
            assert "จอแสดงผล" in r.json()["detail_th"]


class TestAKioskReadsOnlyWhatItIssued:
    async def test_walking_the_ticket_ids_yields_no_other_status_link(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any]
    ) -> None:
        _, kiosk_a = device_token(DeviceKind.KIOSK, "ตู้ A")
        _, kiosk_b = device_token(DeviceKind.KIOSK, "ตู้ B")
        staff = await _staff(client)
        mine = await _issue(client, kiosk_a)
        others = [await _issue(client, kiosk_b), await _issue(client, staff)]
        seen = ""
        for ticket_id in range(1, 8):
            r = await client.get(f"/api/v1/tickets/{ticket_id}", headers=kiosk_a)
            assert r.status_code in (200, 404)
            seen += r.text
            if ticket_id != mine["id"]:
                assert r.status_code == 404
                assert r.json()["detail_en"] == f"ticket {ticket_id} not found"
        assert mine["status_url"] in seen
        for other in others:
            assert other["status_url"].rsplit("/", 1)[1] not in seen

    async def test_the_kiosk_still_reads_its_services_and_the_queue(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any]
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        assert (await client.get("/api/v1/kiosk/services", headers=kiosk)).status_code == 200
        assert (await client.get("/api/v1/queue", headers=kiosk)).status_code == 200

    async def test_staff_still_read_every_ticket_of_their_office(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any]
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        ticket = await _issue(client, kiosk)
        r = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=await _staff(client))
        assert r.status_code == 200 and r.json()["status_url"] == ticket["status_url"]


class TestTheSurveyCannotBeForged:
    async def test_the_counter_tablet_never_receives_a_status_link(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any], clock: FakeClock
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        _, tablet = device_token(DeviceKind.DISPLAY, "แท็บเล็ตช่อง 1")
        staff = await _staff(client)
        ticket = await _issue(client, kiosk)
        await _serve_at_counter_1(client, staff, ticket, clock)
        token = ticket["status_url"].rsplit("/", 1)[1]
        for headers in (tablet, staff):
            r = await client.get("/api/v1/survey/counter/1", headers=headers)
            assert r.status_code == 200 and r.json()["ticket_id"] == ticket["id"]
            assert token not in r.text
        # A kiosk is not a counter tablet.
        assert (await client.get("/api/v1/survey/counter/1", headers=kiosk)).status_code == 403

    async def test_the_tablet_answers_only_the_ticket_its_counter_just_finished_once(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any], clock: FakeClock
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        _, tablet = device_token(DeviceKind.DISPLAY, "แท็บเล็ตช่อง 1")
        staff = await _staff(client)
        earlier, waiting, last = [await _issue(client, kiosk) for _ in range(3)]
        await _serve_at_counter_1(client, staff, earlier, clock)
        await _serve_at_counter_1(client, staff, last, clock)

        async def answer(ticket_id: int, counter: int = 1) -> httpx.Response:
            return await client.post(
                f"/api/v1/survey/counter/{counter}",
                json={"ticket_id": ticket_id, "answers": ANSWERS},
                headers=tablet,
            )

        for forged in (earlier["id"], waiting["id"]):
            r = await answer(forged)
            assert r.status_code == 409 and "ช่องบริการ 1" in r.json()["detail_th"]
        assert (await answer(last["id"], counter=2)).status_code == 409
        answered = await answer(last["id"])
        assert answered.status_code == 201
        assert last["status_url"].rsplit("/", 1)[1] not in answered.text
        assert (await answer(last["id"])).status_code == 409  # once
        clock.advance(minutes=11)  # the tablet's window has passed for the next one as well
        assert (await client.get("/api/v1/survey/counter/1", headers=tablet)).status_code == 204

    async def test_a_status_link_answers_only_a_finished_ticket_and_only_as_the_citizen(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any], clock: FakeClock
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        ticket = await _issue(client, kiosk)
        token = ticket["status_url"].rsplit("/", 1)[1]
        r = await client.post(f"/api/v1/survey/{token}", json={"answers": ANSWERS})
        assert r.status_code == 409  # not served yet
        await _serve_at_counter_1(client, ticket=ticket, staff=await _staff(client), clock=clock)
        r = await client.post(
            f"/api/v1/survey/{token}", json={"answers": ANSWERS, "channel": "counter"}
        )
        assert r.status_code == 422  # a status link cannot pose as the counter tablet
        r = await client.post(f"/api/v1/survey/{token}", json={"answers": ANSWERS})
        assert r.status_code == 201
