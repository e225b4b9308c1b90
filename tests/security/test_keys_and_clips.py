"""I3: a reused Idempotency-Key with another request is refused, and an office's own voice
recordings are served to that office only (the shipped clips stay public)."""

from __future__ import annotations

import io
import math
import struct
import uuid
import wave
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import create_office
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, login
from tests.security.conftest import AppFactory


@pytest.fixture
async def client(demo: Demo, make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_app() as c:
        yield c


class TestAReusedIdempotencyKey:
    async def test_with_another_body_is_a_422_not_the_first_ticket(
        self, client: httpx.AsyncClient, device_token: Callable[..., Any]
    ) -> None:
        _, kiosk = device_token(DeviceKind.KIOSK, "ตู้")
        tap = {**kiosk, "Idempotency-Key": str(uuid.uuid4())}
        first = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=tap)
        assert first.status_code == 201
        again = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=tap)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        for body in (
            {"service": "id_card_renewal"},
            {"service": "birth", "priority": "elderly"},
        ):
            r = await client.post("/api/v1/tickets", json=body, headers=tap)
            assert r.status_code == 422, r.text
            assert "Idempotency-Key" in r.json()["detail_en"]
            assert "รหัสคำขอ" in r.json()["detail_th"]
            assert first.json()["status_url"] not in r.text


def _wav(seconds: float = 0.5, tone: float = 660) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(12000 * math.sin(2 * math.pi * tone * i / 16000)))
                for i in range(int(seconds * 16000))
            )
        )
    return buffer.getvalue()


class TestAnOfficesOwnRecordings:
    async def test_are_served_to_that_office_only(
        self,
        client: httpx.AsyncClient,
        device_token: Callable[..., Any],
        database: Database,
        clock: FakeClock,
    ) -> None:
        admin = await login(client, "admin", DEMO_PASSWORDS["admin"])
        client.cookies.clear()
        data = _wav()
        r = await client.put(
            "/api/v1/admin/voice/clips/digit_5",
            content=data,
            headers={**admin, "Content-Type": "audio/wav"},
        )
        assert r.status_code in (200, 201), r.text
        _, screen = device_token(DeviceKind.DISPLAY, "จอโถง")
        with database.write() as session:
            other = create_office(session, "north", "อำเภอเหนือ", "North District")
            assert other.id is not None
            _, other_token = add_device(session, other.id, DeviceKind.DISPLAY, "จอ", clock())
        manifest = (await client.get("/display/clips/manifest.json", headers=screen)).json()
        url = manifest["clips"]["digit_5"]["url"]
        assert url.endswith("?office=1")

        mine = await client.get(url, headers=screen)
        assert mine.status_code == 200 and mine.content == data
        assert (await client.get(url, headers=admin)).content == data
        for stranger in ({}, {"Authorization": f"Bearer {other_token}"}):
            r = await client.get(url, headers=stranger)
            assert r.status_code == 404 and r.content != data
        # The shipped clips come with the software and need no login.
        shipped = await client.get("/display/clips/digit_5.wav")
        assert shipped.status_code == 200 and shipped.content != data
