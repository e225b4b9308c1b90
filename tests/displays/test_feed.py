"""The display feed over a real server process and a real websockets client."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlmodel import select

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import Device
from counter.models import Office as OfficeRow
from displays.voice import announcement_clips, announcement_text
from tests.displays.conftest import FAST_FEED
from tests.displays.support import Desks, Office, Screen
from tests.live import LiveServer

EVENT_TYPES = {"called", "ticket", "counter", "event"}


def office_seq(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            office = session.get(OfficeRow, 1)
            assert office is not None
            return office.event_seq
    finally:
        db.dispose()


def last_seen(url: str, device_id: int) -> datetime | None:
    db = Database(url)
    try:
        with db.read() as session:
            device = session.get(Device, device_id)
            assert device is not None
            return device.last_seen_at
    finally:
        db.dispose()


async def refused(ws_url: str, path: str, first: dict[str, Any] | None = None) -> tuple[int, str]:
    async with websockets.connect(ws_url + path) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


class TestConnecting:
    async def test_a_display_gets_the_offices_state_from_the_database_on_connect(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        ticket = await desks.call(1)
        await desks.issue("marriage")

        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            snapshot = await screen.recv()

        assert snapshot["type"] == "snapshot"
        assert snapshot["office"] == 1
        assert snapshot["seq"] == office_seq(office.url)
        assert snapshot["office_info"]["name_th"] == "ที่ทำการปกครองอำเภอสะดวก"
        counters = {c["number"]: c for c in snapshot["counters"]}
        assert sorted(counters) == [1, 2, 3, 4]
        assert counters[1]["current"]["number"] == ticket["number"]
        assert counters[1]["current"]["status"] == "called"
        assert counters[1]["state"] == "open"
        assert counters[4]["state"] == "closed"
        latest = snapshot["last_calls"][0]
        assert (latest["number"], latest["counter"]) == (ticket["number"], 1)
        assert latest["clips"] == announcement_clips(ticket["number"], 1)
        lines = {line["prefix"]: line["waiting"] for line in snapshot["lines"]}
        assert lines["C"] >= 1
        marriage = next(s for s in snapshot["services"] if s["code"] == "marriage")
        assert marriage["waiting"] >= 1

    async def test_a_bad_token_is_refused_with_4401_and_a_reason(self, server: LiveServer) -> None:
        code, reason = await refused(server.ws_url, "/ws/display?token=dv_not-a-real-token")
        assert code == 4401
        assert "token" in reason

    async def test_a_kiosk_token_is_refused_with_4403(
        self, server: LiveServer, office: Office
    ) -> None:
        code, reason = await refused(server.ws_url, f"/ws/display?token={office.kiosk_token}")
        assert (code, reason) == (4403, "not a display token")

    async def test_the_token_may_come_in_a_first_hello_message_instead_of_the_address(
        self, server: LiveServer, office: Office
    ) -> None:
        async with websockets.connect(server.ws_url + "/ws/display") as ws:
            screen = Screen(ws)
            await screen.send({"type": "hello", "token": office.display_token})
            assert (await screen.recv())["type"] == "snapshot"

    async def test_a_hello_with_a_bad_token_is_refused(self, server: LiveServer) -> None:
        code, _ = await refused(
            server.ws_url, "/ws/display", {"type": "hello", "token": "dv_wrong"}
        )
        assert code == 4401


class TestEvents:
    async def test_a_call_made_over_http_reaches_the_display_with_its_announcement(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            snapshot = await screen.recv()
            await desks.prepare(2)
            ticket = await desks.call_next(2)
            called = await screen.recv_call(ticket["number"], timeout=2)

        assert called["counter"] == 2
        assert called["office"] == 1
        assert called["seq"] > snapshot["seq"]
        assert called["recall"] is False
        assert called["clips"] == announcement_clips(ticket["number"], 2)
        assert called["text"] == announcement_text(ticket["number"], 2)
        assert called["clips"][0] == "chime"

    async def test_events_follow_the_snapshot_in_sequence_without_gaps(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            snapshot = await screen.recv()
            numbers = [(await desks.call(counter))["number"] for counter in (1, 2, 3, 1)]
            seqs: list[int] = []
            called: list[str] = []
            while len(called) < len(numbers):
                message = await screen.recv()
                if message["type"] in EVENT_TYPES:
                    seqs.append(message["seq"])
                if message["type"] == "called":
                    called.append(message["number"])

        assert called == numbers
        assert seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(seqs)))

    async def test_a_recall_is_sent_as_a_call_again(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        ticket = await desks.call(3)
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            await screen.recv_type("snapshot")
            response = await desks.client.post(
                f"/api/v1/tickets/{ticket['id']}/recall", headers=desks.headers["manager"]
            )
            assert response.status_code == 200, response.text
            recalled = await screen.recv_call(ticket["number"])

        assert recalled["recall"] is True
        assert recalled["counter"] == 3
        assert recalled["clips"] == announcement_clips(ticket["number"], 3)

    async def test_waiting_counts_follow_a_newly_issued_ticket(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            snapshot = await screen.recv()
            before = {line["prefix"]: line["waiting"] for line in snapshot["lines"]}
            await desks.issue("complaint_intake")
            issued = await screen.recv_type("ticket")
            queue = await screen.recv_type("queue")

        assert issued["kind"] == "issued"
        assert queue["seq"] == issued["seq"]
        after = {line["prefix"]: line["waiting"] for line in queue["lines"]}
        assert after["E"] == before["E"] + 1

    async def test_every_connected_display_receives_each_call(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with (
            await Screen.connect(server.ws_url, office.display_token) as first,
            await Screen.connect(server.ws_url, office.second_display_token) as second,
        ):
            await first.recv_type("snapshot")
            await second.recv_type("snapshot")
            ticket = await desks.call(1)
            one = await first.recv_call(ticket["number"])
            two = await second.recv_call(ticket["number"])

        assert one == two


class TestHeartbeatAndResync:
    async def test_heartbeats_arrive_every_few_seconds_carrying_the_screens_seq(
        self, server: LiveServer, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            snapshot = await screen.recv()
            beats = [await screen.recv_type("heartbeat", timeout=3) for _ in range(2)]

        assert all(beat["seq"] == snapshot["seq"] for beat in beats)
        assert all(beat["interval"] == 1.0 for beat in beats)
        assert beats[0]["at"] < beats[1]["at"]

    async def test_a_screen_that_asks_for_a_resync_gets_a_fresh_snapshot(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            await screen.recv_type("snapshot")
            expected = office_seq(office.url)
            await screen.send({"type": "resync"})
            snapshot = await screen.recv_type("snapshot")
            ticket = await desks.call(2)
            called = await screen.recv_call(ticket["number"])

        assert snapshot["seq"] == expected
        assert called["seq"] > snapshot["seq"]


class TestLastSeen:
    async def test_connecting_records_the_displays_last_seen_time(
        self, server: LiveServer, office: Office
    ) -> None:
        before = last_seen(office.url, office.display_id)
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            await screen.recv_type("snapshot")
            async with asyncio.timeout(5):
                while last_seen(office.url, office.display_id) == before:
                    await asyncio.sleep(0.1)
        seen = last_seen(office.url, office.display_id)
        assert seen is not None
        assert abs((datetime.now(UTC) - seen).total_seconds()) < 10

    async def test_managers_see_which_displays_are_connected_and_the_voice_sets_gaps(
        self, server: LiveServer, desks: Desks, office: Office
    ) -> None:
        async with await Screen.connect(server.ws_url, office.display_token) as screen:
            await screen.recv_type("snapshot")
            response = await desks.client.get("/api/v1/displays", headers=desks.headers["manager"])
            refused = await desks.client.get("/api/v1/displays", headers=desks.headers["staff1"])

        assert response.status_code == 200
        body = response.json()
        hall = next(d for d in body["displays"] if d["id"] == office.display_id)
        assert hall["connections_here"] >= 1
        assert hall["last_seen_at"] is not None
        assert "phrase_invite" in body["voice"]["poor"]
        assert body["voice"]["clip_mode_fit"] is False
        assert refused.status_code == 403

    async def test_a_display_revoked_while_connected_is_disconnected(
        self, server: LiveServer, office: Office
    ) -> None:
        db = Database(office.url)
        try:
            with db.write() as session:
                device, token = add_device(
                    session, 1, DeviceKind.DISPLAY, "to revoke", datetime.now(UTC)
                )
                device_id = device.id
            async with await Screen.connect(server.ws_url, token) as screen:
                await screen.recv_type("snapshot")
                with db.write() as session:
                    row = session.exec(select(Device).where(Device.id == device_id)).one()
                    row.revoked_at = datetime.now(UTC)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await screen.recv(timeout=5)
        finally:
            db.dispose()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401


async def test_every_screen_is_resynced_now_and_then_so_edits_without_events_show(
    office: Office, tmp_path: Path
) -> None:
    env = {**FAST_FEED, "SADUAK_DISPLAY_RESYNC_SECONDS": "1"}
    server = LiveServer(office.url, env=env, log_dir=tmp_path)
    async with server, await Screen.connect(server.ws_url, office.display_token) as screen:
        first = await screen.recv_type("snapshot")
        db = Database(office.url)
        try:
            with db.write() as session:
                row = session.get(OfficeRow, 1)
                assert row is not None
                row.display_message = "ปิดพักกลางวัน 12.00–13.00 น."
        finally:
            db.dispose()
        again = await screen.recv_type("snapshot", timeout=4)
    assert first["office_info"]["message"] != again["office_info"]["message"]
    assert again["office_info"]["message"] == "ปิดพักกลางวัน 12.00–13.00 น."


async def test_the_feed_refuses_plain_http(server: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server.url}/ws/display")
    assert response.status_code in (400, 404, 426)
