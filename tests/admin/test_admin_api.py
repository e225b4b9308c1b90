"""The admin API: every office setting, its validation (Thai 4xx) and its audit entry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import catalogue
from tests.admin.conftest import assert_thai_error, audit, bearer
from tests.conftest import DEMO_PASSWORDS, FakeClock, login
from tests.printer.fake import FakePrinter, FakeState

OFFICE = {
    "name_th": "ที่ทำการปกครองอำเภอสะดวก",
    "name_en": "Saduak District Office",
    "timezone": "Asia/Bangkok",
    "opens": "08:00",
    "closes": "16:30",
    "saturday": True,
    "hours_enforced": True,
    "lunch_service": False,
    "footer_th": "ขอบคุณที่ใช้บริการ",
    "footer_en": "Thank you",
    "display_message": "ยินดีต้อนรับ",
    "thai_digits": True,
    "voice_repeat": 2,
    "voice_english": True,
    "voice_polite": "krap",
}

SERVICE = {
    "code": "gun_permit",
    "prefix": "g",
    "name_th": "ขออนุญาตพกพาอาวุธปืน",
    "name_en": "Gun carry permit",
    "group": "licensing",
    "standard_minutes": 30,
    "wait_target_minutes": 20,
    "daily_cap": 40,
    "issue_cutoff": "15:00",
}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.status_code != 204 else None


class TestOffice:
    async def test_the_admin_edits_names_hours_messages_and_options(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        saved = await ok(await client.put("/api/v1/admin/office", json=OFFICE, headers=admin))
        assert saved["opens"] == "08:00" and saved["voice_polite"] == "krap"
        office = await ok(await client.get("/api/v1/admin/office", headers=admin))
        assert {k: office[k] for k in OFFICE} == OFFICE

    async def test_every_page_and_screen_can_read_its_own_office_settings(
        self, client: httpx.AsyncClient, admin: dict[str, str], staff1: dict[str, str]
    ) -> None:
        await client.put("/api/v1/admin/office", json=OFFICE, headers=admin)
        mine = await ok(await client.get("/api/v1/office", headers=staff1))
        assert mine["code"] == "demo" and mine["thai_digits"] is True
        assert mine["voice_repeat"] == 2

    async def test_the_change_is_audit_logged_with_before_and_after(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await client.put("/api/v1/admin/office", json=OFFICE, headers=admin)
        [entry] = await audit(client, admin, action="office.")
        assert entry["username"] == "admin" and entry["target"] == "office:demo"
        assert entry["before"]["opens"] == "08:30" and entry["after"]["opens"] == "08:00"
        assert "saturday" in entry["changed"] and "code" not in entry["changed"]

    async def test_saving_the_same_values_again_logs_nothing(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await client.put("/api/v1/admin/office", json=OFFICE, headers=admin)
        await client.put("/api/v1/admin/office", json=OFFICE, headers=admin)
        assert len(await audit(client, admin, action="office.")) == 1

    @pytest.mark.parametrize(
        ("change", "fragment"),
        [
            ({"name_th": " "}, "ชื่อสำนักงานภาษาไทย"),
            ({"timezone": "Mars/Olympus"}, "เขตเวลา"),
            ({"opens": "8 โมง"}, "ชั่วโมง:นาที"),
            ({"opens": "17:00"}, "เวลาเปิดต้องก่อนเวลาปิด"),
            ({"voice_repeat": 9}, "จำนวนครั้งที่ประกาศ"),
            ({"voice_polite": "jaa"}, "คำลงท้าย"),
            ({"footer_th": "ก" * 301}, "ยาวเกิน 300"),
        ],
    )
    async def test_bad_values_are_refused_in_thai_and_nothing_changes(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        change: dict[str, Any],
        fragment: str,
    ) -> None:
        r = await client.put("/api/v1/admin/office", json={**OFFICE, **change}, headers=admin)
        assert_thai_error(r, 422, fragment)
        office = await ok(await client.get("/api/v1/admin/office", headers=admin))
        assert office["opens"] == "08:30"
        assert await audit(client, admin, action="office.") == []


class TestHolidays:
    async def test_a_holiday_closes_the_kiosks_that_day(
        self, client: httpx.AsyncClient, admin: dict[str, str], database: Database
    ) -> None:
        # The demo office issues at any hour; a real office enforces its calendar.
        await client.put("/api/v1/admin/office", json={**OFFICE, "opens": "08:30"}, headers=admin)
        await ok(
            await client.post(
                "/api/v1/admin/holidays",
                json={"day": "2026-11-27", "name": "วันหยุดพิเศษ"},
                headers=admin,
            ),
            201,
        )
        r = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=admin)
        assert_thai_error(r, 409, "วันหยุดราชการ")

    async def test_the_yearly_list_is_replaced_in_one_go(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await client.post(
            "/api/v1/admin/holidays", json={"day": "2027-01-01", "name": "ปีใหม่"}, headers=admin
        )
        await client.post(
            "/api/v1/admin/holidays", json={"day": "2026-12-31", "name": "สิ้นปี"}, headers=admin
        )
        year = [
            {"day": "2027-01-01", "name": "วันขึ้นปีใหม่"},
            {"day": "2027-04-13", "name": "วันสงกรานต์"},
        ]
        # A BE year in the address means the same year.
        saved = await ok(
            await client.put("/api/v1/admin/holidays/2570", json={"holidays": year}, headers=admin)
        )
        assert saved == year
        office = await ok(await client.get("/api/v1/admin/office", headers=admin))
        assert [h["day"] for h in office["holidays"]] == ["2026-12-31", "2027-01-01", "2027-04-13"]
        [entry] = await audit(client, admin, action="holiday.replace")
        assert entry["before"]["holidays"] == [{"day": "2027-01-01", "name": "ปีใหม่"}]

    async def test_holiday_mistakes_are_refused_in_thai(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {"day": "2027-01-01"}
        await client.post("/api/v1/admin/holidays", json=body, headers=admin)
        assert_thai_error(
            await client.post("/api/v1/admin/holidays", json=body, headers=admin), 409, "วันหยุด"
        )
        assert_thai_error(
            await client.post("/api/v1/admin/holidays", json={"day": "31/12"}, headers=admin),
            422,
            "ปี-เดือน-วัน",
        )
        r = await client.put(
            "/api/v1/admin/holidays/2027", json={"holidays": [{"day": "2026-05-01"}]}, headers=admin
        )
        assert_thai_error(r, 422, "ไม่ได้อยู่ในปี 2570")

    async def test_removing_a_holiday_is_logged(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        added = await ok(
            await client.post("/api/v1/admin/holidays", json={"day": "2027-01-01"}, headers=admin),
            201,
        )
        await ok(await client.delete(f"/api/v1/admin/holidays/{added['id']}", headers=admin), 204)
        actions = [e["action"] for e in await audit(client, admin, action="holiday.")]
        assert actions == ["holiday.remove", "holiday.add"]


class TestServices:
    async def test_a_new_service_takes_tickets_with_its_prefix(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        created = await ok(
            await client.post("/api/v1/admin/services", json=SERVICE, headers=admin), 201
        )
        assert created["prefix"] == "G" and created["issue_cutoff"] == "15:00"
        ticket = await ok(
            await client.post("/api/v1/tickets", json={"service": "gun_permit"}, headers=admin), 201
        )
        assert ticket["number"] == "G001"
        [entry] = await audit(client, admin, action="service.create")
        assert entry["after"]["code"] == "gun_permit" and entry["before"] is None

    async def test_editing_and_deactivating_a_service(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        created = await ok(
            await client.post("/api/v1/admin/services", json=SERVICE, headers=admin), 201
        )
        url = f"/api/v1/admin/services/{created['id']}"
        edited = await ok(
            await client.patch(url, json={"standard_minutes": 45, "daily_cap": None}, headers=admin)
        )
        assert edited["standard_minutes"] == 45 and edited["daily_cap"] is None
        assert edited["name_th"] == SERVICE["name_th"]
        await ok(await client.patch(url, json={"active": False}, headers=admin))
        r = await client.post("/api/v1/tickets", json={"service": "gun_permit"}, headers=admin)
        assert_thai_error(r, 409, "ปิดให้บริการ")
        [deactivated, first_edit, _] = await audit(client, admin, action="service.")
        assert deactivated["changed"] == ["active"]
        # A changed standard is a version: the audit says from when it applies (default today).
        assert set(first_edit["changed"]) == {"standard_minutes", "daily_cap", "effective_from"}
        assert first_edit["after"]["effective_from"] == "2026-11-27"

    @pytest.mark.parametrize(
        ("change", "status", "fragment"),
        [
            ({"prefix": "ก"}, 422, "A–Z"),
            ({"prefix": "AB"}, 422, "A–Z"),
            ({"code": "Gun Permit"}, 422, "รหัสบริการ"),
            ({"code": "birth"}, 409, "มีบริการรหัส birth อยู่แล้ว"),
            ({"name_th": ""}, 422, "ชื่อบริการภาษาไทย"),
            ({"standard_minutes": 0}, 422, "เวลามาตรฐาน"),
            ({"wait_target_minutes": 1000}, 422, "เป้าหมายเวลารอ"),
            ({"daily_cap": 1000}, 422, "จำนวนบัตรคิวสูงสุดต่อวัน"),
            ({"issue_cutoff": "25:00"}, 422, "ชั่วโมง:นาที"),
            ({"standard_minutes": "ครึ่งชั่วโมง"}, 422, "ข้อมูลที่ส่งมาไม่ถูกต้อง"),
        ],
    )
    async def test_bad_services_are_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        change: dict[str, Any],
        status: int,
        fragment: str,
    ) -> None:
        r = await client.post("/api/v1/admin/services", json={**SERVICE, **change}, headers=admin)
        assert_thai_error(r, status, fragment)

    async def test_the_catalogue_fills_a_new_office_and_skips_what_it_has(
        self, client: httpx.AsyncClient, north: Any
    ) -> None:
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        first = await ok(
            await client.post("/api/v1/admin/services/import-catalogue", headers=north_admin)
        )
        assert len(first["added"]) == len(catalogue())
        again = await ok(
            await client.post("/api/v1/admin/services/import-catalogue", headers=north_admin)
        )
        assert again["added"] == []
        [entry] = await audit(client, north_admin, action="service.import")
        assert len(entry["after"]["services"]) == len(catalogue())


def counter_body(**change: Any) -> dict[str, Any]:
    return {
        "number": 7,
        "name": "ช่องด่วน",
        "mode": "weight",
        "priority_share": 1,
        "normal_share": 2,
        "ageing_cap_minutes": 20,
        "services": [
            {"service": "birth", "position": 0, "weight": 3},
            {"service": "id_card_renewal", "position": 1, "weight": 1},
        ],
        **change,
    }


class TestCounters:
    async def test_a_new_counter_calls_the_services_it_serves(
        self, client: httpx.AsyncClient, admin: dict[str, str], staff1: dict[str, str]
    ) -> None:
        created = await ok(
            await client.post("/api/v1/admin/counters", json=counter_body(), headers=admin), 201
        )
        assert [s["service"] for s in created["services"]] == ["birth", "id_card_renewal"]
        await client.post("/api/v1/tickets", json={"service": "birth"}, headers=admin)
        called = await ok(await client.post("/api/v1/counters/7/call-next", headers=staff1))
        assert called["service"] == "birth" and called["counter"] == 7
        [entry] = await audit(client, admin, action="counter.")
        assert entry["action"] == "counter.create" and entry["after"]["normal_share"] == 2

    async def test_editing_replaces_the_service_list(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        created = await ok(
            await client.post("/api/v1/admin/counters", json=counter_body(), headers=admin), 201
        )
        patch = {"services": [{"service": "marriage", "position": 0, "weight": 1}], "mode": "order"}
        edited = await ok(
            await client.patch(f"/api/v1/admin/counters/{created['id']}", json=patch, headers=admin)
        )
        assert edited["services"] == [{"service": "marriage", "position": 0, "weight": 1}]
        assert edited["normal_share"] == 2
        [entry, _] = await audit(client, admin, action="counter.")
        assert entry["before"]["services"][0]["service"] == "birth"

    @pytest.mark.parametrize(
        ("change", "status", "fragment"),
        [
            ({"number": 1}, 409, "มีช่องบริการหมายเลข 1 อยู่แล้ว"),
            ({"number": 0}, 422, "หมายเลขช่องบริการ"),
            ({"services": []}, 422, "อย่างน้อย 1"),
            ({"services": [{"service": "nope"}]}, 422, "ไม่พบบริการรหัส nope"),
            ({"services": [{"service": "birth"}, {"service": "birth"}]}, 422, "ซ้ำ"),
            ({"priority_share": 0, "normal_share": 0}, 422, "สัดส่วนคิวพิเศษ"),
            ({"priority_share": -1}, 422, "สัดส่วนคิวพิเศษ"),
            ({"services": [{"service": "birth", "weight": 0}]}, 422, "น้ำหนัก"),
            ({"mode": "random"}, 422, "วิธีเลือกคิว"),
            ({"ageing_cap_minutes": 0}, 422, "เวลารอนานสุด"),
        ],
    )
    async def test_bad_counters_are_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        change: dict[str, Any],
        status: int,
        fragment: str,
    ) -> None:
        r = await client.post("/api/v1/admin/counters", json=counter_body(**change), headers=admin)
        assert_thai_error(r, status, fragment)

    async def test_a_counter_in_use_cannot_be_deactivated(
        self, client: httpx.AsyncClient, admin: dict[str, str], staff1: dict[str, str]
    ) -> None:
        await client.post("/api/v1/tickets", json={"service": "birth"}, headers=admin)
        await ok(await client.post("/api/v1/counters/1/call-next", headers=staff1))
        counters = await ok(await client.get("/api/v1/admin/counters", headers=admin))
        first = next(c for c in counters if c["number"] == 1)
        assert first["in_use_by"] == "เจ้าหน้าที่ 1"
        r = await client.patch(
            f"/api/v1/admin/counters/{first['id']}", json={"active": False}, headers=admin
        )
        assert_thai_error(r, 409, "มีเจ้าหน้าที่ใช้งานอยู่")


class TestStaff:
    async def test_a_new_account_gets_a_password_shown_once(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        r = await client.post(
            "/api/v1/admin/staff",
            json={"username": "Somchai", "display_name": "สมชาย", "role": "staff"},
            headers=admin,
        )
        created = await ok(r, 201)
        assert r.headers["cache-control"] == "no-store"
        assert created["staff"]["username"] == "somchai"
        await login(client, "somchai", created["password"])
        listed = await ok(await client.get("/api/v1/admin/staff", headers=admin))
        assert created["password"] not in str(listed)
        [entry] = await audit(client, admin, action="staff.")
        assert created["password"] not in str(entry) and entry["after"]["role"] == "staff"

    async def test_a_password_reset_ends_every_login_of_the_account(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        old = await login(client, "staff2", DEMO_PASSWORDS["staff2"])
        staff = await ok(await client.get("/api/v1/admin/staff", headers=admin))
        staff2 = next(s for s in staff if s["username"] == "staff2")
        reset = await ok(
            await client.post(f"/api/v1/admin/staff/{staff2['id']}/reset-password", headers=admin)
        )
        assert (await client.get("/api/v1/queue", headers=old)).status_code == 401
        await login(client, "staff2", reset["password"])
        r = await client.post(
            "/api/v1/auth/login", json={"username": "staff2", "password": DEMO_PASSWORDS["staff2"]}
        )
        assert r.status_code == 401
        [entry] = await audit(client, admin, action="staff.reset")
        assert entry["target"] == "staff:staff2"

    async def test_a_deactivated_account_stops_working(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        token = await login(client, "staff2", DEMO_PASSWORDS["staff2"])
        staff = await ok(await client.get("/api/v1/admin/staff", headers=admin))
        staff2 = next(s for s in staff if s["username"] == "staff2")
        await ok(
            await client.patch(
                f"/api/v1/admin/staff/{staff2['id']}", json={"active": False}, headers=admin
            )
        )
        assert (await client.get("/api/v1/queue", headers=token)).status_code == 401
        r = await client.post(
            "/api/v1/auth/login", json={"username": "staff2", "password": DEMO_PASSWORDS["staff2"]}
        )
        assert r.status_code == 401
        [entry] = await audit(client, admin, action="staff.update")
        assert entry["before"]["active"] is True and entry["after"]["active"] is False

    async def test_roles_change_and_the_office_always_keeps_an_admin(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        staff = {
            s["username"]: s
            for s in await ok(await client.get("/api/v1/admin/staff", headers=admin))
        }
        url = "/api/v1/admin/staff/{}".format
        promoted = await ok(
            await client.patch(url(staff["manager"]["id"]), json={"role": "admin"}, headers=admin)
        )
        assert promoted["role"] == "admin"
        # Nobody locks themselves out ...
        r = await client.patch(url(staff["admin"]["id"]), json={"active": False}, headers=admin)
        assert_thai_error(r, 403, "ของตนเอง")
        # ... and the last admin cannot be demoted by another.
        manager = await login(client, "manager", DEMO_PASSWORDS["manager"])
        await ok(
            await client.patch(url(staff["admin"]["id"]), json={"role": "staff"}, headers=manager)
        )
        r = await client.patch(url(staff["manager"]["id"]), json={"role": "staff"}, headers=manager)
        assert_thai_error(r, 403, "ของตนเอง")

    @pytest.mark.parametrize(
        ("body", "status", "fragment"),
        [
            ({"username": "ab"}, 422, "ชื่อผู้ใช้"),
            ({"username": "สมชาย"}, 422, "ชื่อผู้ใช้"),
            ({"username": "staff1"}, 409, "มีผู้ใช้แล้ว"),
            ({"username": "newbie", "role": "province"}, 422, "บทบาท"),
        ],
    )
    async def test_bad_accounts_are_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        body: dict[str, str],
        status: int,
        fragment: str,
    ) -> None:
        r = await client.post("/api/v1/admin/staff", json=body, headers=admin)
        assert_thai_error(r, status, fragment)


class TestDevices:
    async def test_a_revoked_device_stops_working(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        database: Database,
        clock: FakeClock,
    ) -> None:
        with database.write() as session:
            device, token = add_device(session, 1, DeviceKind.KIOSK, "ตู้ 1", clock())
        r = await client.post(f"/api/v1/admin/devices/{device.id}/revoke", headers=admin)
        assert (await ok(r))["revoked_at"] is not None
        r = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=bearer(token))
        assert r.status_code == 401
        [entry] = await audit(client, admin, action="device.revoke")
        assert entry["before"]["revoked_at"] is None and entry["after"]["revoked_at"]

    async def test_the_test_page_prints_on_the_kiosk_printer_and_its_status_is_kept(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        database: Database,
        clock: FakeClock,
    ) -> None:
        async with FakePrinter() as printer:
            with database.write() as session:
                device, _ = add_device(
                    session, 1, DeviceKind.KIOSK, "ตู้ 1", clock(), printer=f"{printer.url}?width=384"
                )
            result = await ok(
                await client.post(f"/api/v1/admin/devices/{device.id}/test-print", headers=admin)
            )
            assert result["printed"] is True and result["state"] == "ok"
            assert len(printer.jobs) == 1
            printer.state = FakeState.PAPER_OUT
            result = await ok(
                await client.post(f"/api/v1/admin/devices/{device.id}/test-print", headers=admin)
            )
            assert result["printed"] is False and result["state"] == "paper_out"
        listed = await ok(await client.get("/api/v1/admin/devices", headers=admin))
        assert listed[0]["printer_state"] == "paper_out" and listed[0]["printer_checked_at"]
        assert len(await audit(client, admin, action="device.test_print")) == 2

    async def test_a_test_print_needs_a_kiosk_with_a_printer(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        database: Database,
        clock: FakeClock,
    ) -> None:
        with database.write() as session:
            display, _ = add_device(session, 1, DeviceKind.DISPLAY, "จอ", clock())
            kiosk, _ = add_device(session, 1, DeviceKind.KIOSK, "ตู้", clock())
        r = await client.post(f"/api/v1/admin/devices/{display.id}/test-print", headers=admin)
        assert_thai_error(r, 422, "เฉพาะตู้กดบัตรคิว")
        r = await client.post(f"/api/v1/admin/devices/{kiosk.id}/test-print", headers=admin)
        assert_thai_error(r, 409, "ยังไม่ได้ตั้งค่าเครื่องพิมพ์")

    async def test_browser_printing_is_shown_as_unchecked_and_has_no_test_print(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        database: Database,
        clock: FakeClock,
    ) -> None:
        with database.write() as session:
            kiosk, _ = add_device(
                session, 1, DeviceKind.KIOSK, "ตู้เบราว์เซอร์", clock(), printer="browser://?width=384"
            )
        r = await client.post(f"/api/v1/admin/devices/{kiosk.id}/test-print", headers=admin)
        assert_thai_error(r, 409, "พิมพ์ผ่านเบราว์เซอร์")
        page = await client.get("/admin/devices", headers=admin)
        assert page.status_code == 200
        row = page.text.split(f'data-row="device-{kiosk.id}"', 1)[1].split("</tr>", 1)[0]
        assert "ตรวจสถานะเครื่องพิมพ์ไม่ได้" in row and "unconfirmed" in row
        assert "test-print" not in row

    async def test_the_printer_setting_is_edited_and_validated(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        database: Database,
        clock: FakeClock,
    ) -> None:
        with database.write() as session:
            kiosk, _ = add_device(session, 1, DeviceKind.KIOSK, "ตู้", clock())
        url = f"/api/v1/admin/devices/{kiosk.id}"
        r = await client.patch(url, json={"printer": "usb://04b8:0202"}, headers=admin)
        assert (await ok(r))["printer"] == "usb://04b8:0202"
        r = await client.patch(url, json={"printer": "usb://epson"}, headers=admin)
        assert_thai_error(r, 422, "เครื่องพิมพ์", "vendor:product")


class TestWhoMayAdminister:
    @pytest.mark.parametrize("user", ["manager", "staff1"])
    async def test_only_admins(self, client: httpx.AsyncClient, user: str) -> None:
        headers = await login(client, user, DEMO_PASSWORDS[user])
        for method, path in [
            ("GET", "/api/v1/admin/office"),
            ("GET", "/api/v1/admin/audit"),
            ("POST", "/api/v1/admin/services/import-catalogue"),
            ("GET", "/api/v1/admin/voice"),
        ]:
            r = await client.request(method, path, headers=headers)
            assert_thai_error(r, 403, "ไม่มีสิทธิ์")

    async def test_a_device_is_no_admin(
        self, client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        with database.write() as session:
            _, token = add_device(session, 1, DeviceKind.KIOSK, "ตู้", clock())
        r = await client.get("/api/v1/admin/office", headers=bearer(token))
        assert r.status_code == 403

    async def test_a_cookie_session_needs_the_csrf_token_for_changes(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": DEMO_PASSWORDS["admin"]}
        )
        csrf = r.json()["csrf_token"]
        assert (await client.get("/api/v1/admin/office")).status_code == 200
        r = await client.put("/api/v1/admin/office", json=OFFICE)
        assert_thai_error(r, 403, "CSRF")
        r = await client.put("/api/v1/admin/office", json=OFFICE, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200
