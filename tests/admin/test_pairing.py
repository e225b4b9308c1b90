"""Pairing a new screen: it shows a short code, an admin confirms it, the screen gets its token
once. The screen's side is called here exactly as a kiosk or display page would."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from counter.auth import hash_token
from counter.db import Database
from counter.models import Device
from counter.pairing import CODE_ALPHABET, STARTS_PER_MINUTE, PairingRequest, seal, unseal
from tests.admin.conftest import assert_thai_error, audit, bearer
from tests.conftest import FakeClock


async def start(client: httpx.AsyncClient) -> dict:
    r = await client.post("/api/v1/pairing")
    assert r.status_code == 201, r.text
    return r.json()


async def poll(client: httpx.AsyncClient, started: dict) -> httpx.Response:
    return await client.get(
        f"/api/v1/pairing/{started['pairing_id']}", params={"secret": started["poll_secret"]}
    )


async def confirm(
    client: httpx.AsyncClient, admin: dict[str, str], code: str, **fields: object
) -> httpx.Response:
    body = {"code": code, "kind": "kiosk", "name": "ตู้หน้าประตู", **fields}
    return await client.post("/api/v1/admin/devices/pair", json=body, headers=admin)


class TestStartingAPairing:
    async def test_a_new_screen_gets_a_six_character_code_easy_to_read_aloud(
        self, client: httpx.AsyncClient
    ) -> None:
        started = await start(client)
        assert re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", started["code"])
        assert not set("01OI") & set(started["code"])
        assert started["expires_in"] == 600
        assert len(started["poll_secret"]) >= 40

    async def test_it_waits_as_pending_until_an_admin_confirms(
        self, client: httpx.AsyncClient
    ) -> None:
        started = await start(client)
        r = await poll(client, started)
        assert r.status_code == 200
        assert r.json()["status"] == "pending"

    async def test_a_wrong_secret_learns_nothing(self, client: httpx.AsyncClient) -> None:
        started = await start(client)
        r = await client.get(f"/api/v1/pairing/{started['pairing_id']}?secret=guess")
        assert_thai_error(r, 404, "ไม่พบคำขอจับคู่")

    async def test_starts_are_rate_limited_per_address(self, client: httpx.AsyncClient) -> None:
        for _ in range(STARTS_PER_MINUTE):
            await start(client)
        r = await client.post("/api/v1/pairing")
        assert_thai_error(r, 429, "มากเกินไป")
        assert r.headers["retry-after"] == "60"


class TestConfirmingTheCode:
    async def test_the_screen_receives_its_token_once_and_it_works(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        printer = "tcp://192.0.2.10:9100?width=512&impl=bitImageRaster&cut=full"
        r = await confirm(client, admin, started["code"], printer=printer)
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "kiosk" and r.json()["printer"] == printer

        r = await poll(client, started)
        assert r.status_code == 200
        paired = r.json()
        assert paired["status"] == "paired"
        assert paired["token"].startswith("dv_")
        assert paired["office"]["code"] == "demo"
        assert paired["device"]["name"] == "ตู้หน้าประตู"

        # The kiosk issues tickets with it ...
        r = await client.post(
            "/api/v1/tickets", json={"service": "birth"}, headers=bearer(paired["token"])
        )
        assert r.status_code == 201, r.text
        # ... and nobody can collect it a second time.
        r = await poll(client, started)
        assert_thai_error(r, 410, "รับรหัสอุปกรณ์ไปแล้ว")

    async def test_the_code_may_be_typed_in_lower_case_with_a_dash(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        typed = f"{started['code'][:3].lower()}-{started['code'][3:].lower()}"
        r = await confirm(client, admin, typed, kind="display", name="จอโถง")
        assert r.status_code == 201, r.text
        assert (await poll(client, started)).json()["device"]["kind"] == "display"

    async def test_the_secret_may_come_in_a_header_instead_of_the_address(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        await confirm(client, admin, started["code"])
        r = await client.get(
            f"/api/v1/pairing/{started['pairing_id']}",
            headers={"X-Pairing-Secret": started["poll_secret"]},
        )
        assert r.json()["status"] == "paired"

    async def test_an_unknown_or_mistyped_code_is_a_thai_404(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await start(client)
        assert_thai_error(await confirm(client, admin, "ZZZZZZ"), 404, "ไม่พบรหัสจับคู่")
        assert_thai_error(await confirm(client, admin, "12"), 422, "6 ตัว")
        assert_thai_error(await confirm(client, admin, "ABCDE0"), 422, "6 ตัว")

    async def test_a_code_confirmed_once_cannot_be_confirmed_again(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        assert (await confirm(client, admin, started["code"])).status_code == 201
        assert_thai_error(await confirm(client, admin, started["code"]), 404)

    @pytest.mark.parametrize(
        ("fields", "status", "fragment"),
        [
            ({"kind": "display", "printer": "tcp://192.0.2.10:9100"}, 422, "จอแสดงผลไม่มีเครื่องพิมพ์"),
            ({"printer": "lpt://nowhere"}, 422, "การตั้งค่าเครื่องพิมพ์ไม่ถูกต้อง"),
            ({"printer": "tcp://192.0.2.10:9100?width=500"}, 422, "multiple of 8"),
            ({"kind": "toaster"}, 422, "ชนิดอุปกรณ์"),
            ({"name": "  "}, 422, "กรุณาตั้งชื่ออุปกรณ์"),
        ],
    )
    async def test_bad_device_settings_are_refused_in_thai_and_the_code_stays_usable(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        fields: dict[str, str],
        status: int,
        fragment: str,
    ) -> None:
        started = await start(client)
        assert_thai_error(await confirm(client, admin, started["code"], **fields), status, fragment)
        assert (await poll(client, started)).json()["status"] == "pending"
        assert (await confirm(client, admin, started["code"])).status_code == 201

    async def test_only_an_admin_confirms(
        self, client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        started = await start(client)
        assert (await confirm(client, manager, started["code"])).status_code == 403

    async def test_pairing_is_audit_logged(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        device = (await confirm(client, admin, started["code"], name="ตู้ 2")).json()
        entries = await audit(client, admin, action="device.")
        assert entries[0]["action"] == "device.pair"
        assert entries[0]["username"] == "admin"
        assert entries[0]["target"] == f"device:{device['id']}"
        assert entries[0]["after"]["name"] == "ตู้ 2"


class TestExpiry:
    async def test_a_code_expires_after_ten_minutes(
        self, client: httpx.AsyncClient, admin: dict[str, str], clock: FakeClock
    ) -> None:
        started = await start(client)
        clock.advance(minutes=10, seconds=1)
        assert_thai_error(await confirm(client, admin, started["code"]), 404, "หมดอายุ")
        assert_thai_error(await poll(client, started), 410, "หมดอายุ")

    async def test_a_confirmed_token_must_be_collected_within_ten_minutes(
        self, client: httpx.AsyncClient, admin: dict[str, str], clock: FakeClock
    ) -> None:
        started = await start(client)
        await confirm(client, admin, started["code"])
        clock.advance(minutes=11)
        assert_thai_error(await poll(client, started), 410)

    async def test_a_device_revoked_before_collecting_gets_no_token(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = await start(client)
        device = (await confirm(client, admin, started["code"])).json()
        await client.post(f"/api/v1/admin/devices/{device['id']}/revoke", headers=admin)
        assert_thai_error(await poll(client, started), 410)


class TestStorage:
    async def test_the_database_never_holds_a_usable_token_or_the_secret(
        self, client: httpx.AsyncClient, admin: dict[str, str], database: Database
    ) -> None:
        started = await start(client)
        await confirm(client, admin, started["code"])
        with database.read() as session:
            row = session.exec(select(PairingRequest)).one()
            sealed = row.sealed_token
            assert sealed is not None and started["poll_secret"] not in str(row.model_dump())
        token = (await poll(client, started)).json()["token"]
        assert token not in sealed and unseal(sealed, started["poll_secret"]) == token
        with database.read() as session:
            row = session.exec(select(PairingRequest)).one()
            device = session.get(Device, row.device_id)
            assert row.sealed_token is None and row.collected_at is not None
            assert device is not None and device.token_hash == hash_token(token)

    def test_sealing_round_trips_and_depends_on_the_secret(self) -> None:
        sealed = seal("dv_token", "secret-1")
        assert unseal(sealed, "secret-1") == "dv_token"
        assert unseal(sealed, "secret-2") != "dv_token"
