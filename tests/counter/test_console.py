"""The console and supervisor pages and their JSON API: sign-in redirects, permissions, CSRF,
what the console shows, the supervisor's overview and the change of a counter's services."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import col, select

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import CounterEvent, Device
from counter.ui import csrf_token_for
from tests.conftest import (
    DEMO_PASSWORDS,
    SQLITE_ONLY,
    FakeClock,
    device_headers,
    issue,
    login,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture
async def staff1(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])


@pytest.fixture
async def staff2(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "staff2", DEMO_PASSWORDS["staff2"])


@pytest.fixture
async def manager(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "manager", DEMO_PASSWORDS["manager"])


@pytest.fixture
def kiosk(database: Database, clock: FakeClock) -> dict[str, str]:
    return device_headers(database, clock, DeviceKind.KIOSK)


@SQLITE_ONLY
class TestPages:
    @pytest.mark.parametrize("path", ["/counter", "/supervisor"])
    async def test_without_a_session_a_page_sends_you_to_sign_in_and_back(
        self, app_client: httpx.AsyncClient, path: str
    ) -> None:
        r = await app_client.get(path)
        assert r.status_code == 303
        assert r.headers["location"] == f"/login?next=%2F{path[1:]}"

    async def test_an_ended_session_is_told_so_on_the_login_page(
        self, app_client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        await sign_in(app_client, "staff1")
        clock.advance(hours=13)
        app_client.cookies.clear()
        app_client.cookies.set("saduak_session", "st_gone")
        r = await app_client.get("/counter?x=1")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?expired=1&next=%2Fcounter%3Fx%3D1"
        page = await app_client.get(r.headers["location"])
        assert "หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง" in page.text
        assert 'data-next="/counter?x=1"' in page.text

    @pytest.mark.parametrize(
        "next_page", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "counter"]
    )
    async def test_the_login_page_only_returns_to_a_page_of_this_site(
        self, app_client: httpx.AsyncClient, next_page: str
    ) -> None:
        r = await app_client.get("/login", params={"next": next_page})
        assert r.status_code == 200
        # Refused: the person's own start page instead (counter/nav.py).
        assert 'data-next=""' in r.text

    async def test_the_login_page_is_thai_and_english(self, app_client: httpx.AsyncClient) -> None:
        r = await app_client.get("/login")
        for words in ("เข้าสู่ระบบเจ้าหน้าที่", "Staff sign-in", "ชื่อผู้ใช้", "Username"):
            assert words in r.text
        assert "หมดเวลา" not in r.text

    async def test_the_console_page_carries_the_csrf_token_of_its_session_and_strict_headers(
        self, app_client: httpx.AsyncClient
    ) -> None:
        await sign_in(app_client, "staff1")
        token = app_client.cookies["saduak_session"]
        r = await app_client.get("/counter")
        assert r.status_code == 200
        meta = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', r.text)
        assert meta and meta.group(1) == csrf_token_for(token)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        # Every key is documented on screen.
        for key in "NRSFXTHBCPQ":
            assert f"<kbd>{key}</kbd>" in r.text

    async def test_staff_cannot_open_the_supervisor_page(
        self, app_client: httpx.AsyncClient
    ) -> None:
        await sign_in(app_client, "staff1")
        r = await app_client.get("/supervisor")
        assert r.status_code == 403
        assert "หน้านี้สำหรับหัวหน้าสำนักงานและผู้ดูแลระบบเท่านั้น" in r.text

    @pytest.mark.parametrize("username", ["manager", "admin"])
    async def test_managers_and_admins_open_the_supervisor_page(
        self, app_client: httpx.AsyncClient, username: str
    ) -> None:
        await sign_in(app_client, username)
        assert (await app_client.get("/supervisor")).status_code == 200

    async def test_static_files_are_served_and_nothing_outside_them(
        self, app_client: httpx.AsyncClient
    ) -> None:
        assert (await app_client.get("/static/console/console.js")).status_code == 200
        assert (await app_client.get("/static/console/../console.py")).status_code == 404
        assert (await app_client.get("/static/console/%2e%2e/console.py")).status_code == 404


class TestPermissions:
    async def test_staff_cannot_use_manager_or_admin_apis(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        assert (await app_client.get("/api/v1/supervisor", headers=staff1)).status_code == 403
        r = await app_client.put(
            "/api/v1/counters/1/services", json={"services": ["birth"]}, headers=staff1
        )
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        assert (await app_client.get("/api/v1/devices", headers=staff1)).status_code == 403

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/devices",
            "/api/v1/admin/office",
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-27",
        ],
    )
    async def test_staff_cannot_read_admin_or_reports_apis(
        self, app_client: httpx.AsyncClient, staff1: dict, manager: dict, path: str
    ) -> None:
        assert (await app_client.get(path, headers=staff1)).status_code == 403
        # The same request as the office head is not refused (so the path is real).
        assert (await app_client.get(path, headers=manager)).status_code != 404

    @pytest.mark.parametrize("kind", [DeviceKind.KIOSK, DeviceKind.DISPLAY])
    async def test_a_kiosk_or_display_token_cannot_act_on_tickets_or_counters(
        self,
        app_client: httpx.AsyncClient,
        database: Database,
        clock: FakeClock,
        staff1: dict,
        kind: DeviceKind,
    ) -> None:
        token = device_headers(database, clock, kind)
        t = await issue(app_client, staff1)
        refused = [
            ("POST", "/api/v1/counters/1/open", None),
            ("POST", "/api/v1/counters/1/call-next", None),
            ("POST", f"/api/v1/tickets/{t['id']}/call", {"counter": 1, "reason": "x"}),
            ("POST", f"/api/v1/tickets/{t['id']}/start", None),
            ("POST", f"/api/v1/tickets/{t['id']}/transfer", {"service": "move_in"}),
            ("PUT", "/api/v1/counters/1/services", {"services": ["birth"]}),
            ("GET", "/api/v1/console", None),
            ("GET", "/api/v1/supervisor", None),
        ]
        for method, path, body in refused:
            r = await app_client.request(method, path, json=body, headers=token)
            assert r.status_code == 403, (method, path, r.text)
        r = await app_client.get(f"/api/v1/tickets/{t['id']}", headers=staff1)
        assert r.json()["status"] == "waiting"


class TestCsrf:
    async def test_a_cookie_authenticated_change_without_the_token_is_refused(
        self, app_client: httpx.AsyncClient
    ) -> None:
        csrf = await sign_in(app_client, "staff1")
        r = await app_client.post("/api/v1/counters/1/open")
        assert r.status_code == 403
        assert "CSRF" in r.json()["detail"]
        r = await app_client.post("/api/v1/counters/1/open", headers={"X-CSRF-Token": "f" * 64})
        assert r.status_code == 403
        r = await app_client.post("/api/v1/counters/1/open", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 204
        # Reading needs no token.
        assert (await app_client.get("/api/v1/console")).status_code == 200

    async def test_a_managers_service_change_needs_the_token_too(
        self, app_client: httpx.AsyncClient
    ) -> None:
        csrf = await sign_in(app_client, "manager")
        body = {"services": ["birth"]}
        r = await app_client.put("/api/v1/counters/1/services", json=body)
        assert r.status_code == 403
        r = await app_client.put(
            "/api/v1/counters/1/services", json=body, headers={"X-CSRF-Token": csrf}
        )
        assert r.status_code == 200


class TestOpenCounter:
    async def test_one_staff_member_per_counter_and_the_holder_is_named(
        self, app_client: httpx.AsyncClient, staff1: dict, staff2: dict
    ) -> None:
        assert (await app_client.post("/api/v1/counters/1/open", headers=staff1)).status_code == 204
        # Opening again is harmless.
        assert (await app_client.post("/api/v1/counters/1/open", headers=staff1)).status_code == 204
        r = await app_client.post("/api/v1/counters/1/open", headers=staff2)
        assert r.status_code == 409
        assert r.json()["detail_th"] == "ช่องบริการ 1 มีเจ้าหน้าที่ เจ้าหน้าที่ 1 ใช้งานอยู่"
        state = (await app_client.get("/api/v1/console", headers=staff2)).json()
        assert state["counter"] is None
        one = next(c for c in state["counters"] if c["number"] == 1)
        assert one["holder"] == "เจ้าหน้าที่ 1" and one["mine"] is False

    async def test_one_counter_per_staff_member(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        await app_client.post("/api/v1/counters/1/open", headers=staff1)
        r = await app_client.post("/api/v1/counters/2/open", headers=staff1)
        assert r.status_code == 409
        assert "ท่านเปิดช่องบริการ 1 อยู่" in r.json()["detail_th"]

    async def test_a_paused_counter_reopens_as_it_was(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        await app_client.post("/api/v1/counters/1/open", headers=staff1)
        await app_client.post("/api/v1/counters/1/pause", json={"reason": "lunch"}, headers=staff1)
        assert (await app_client.post("/api/v1/counters/1/open", headers=staff1)).status_code == 204
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        assert state["counter"]["paused_reason"] == "lunch"

    async def test_unknown_counter_is_404_in_thai(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        r = await app_client.post("/api/v1/counters/99/open", headers=staff1)
        assert r.status_code == 404 and r.json()["detail_th"] == "ไม่พบช่องบริการ 99"


class TestConsoleState:
    async def test_the_waiting_line_is_this_counters_services_with_the_next_call_marked(
        self,
        app_client: httpx.AsyncClient,
        staff1: dict,
        kiosk: dict,
        clock: FakeClock,
    ) -> None:
        await app_client.post("/api/v1/counters/1/open", headers=staff1)
        birth = await issue(app_client, kiosk, "birth")
        clock.advance(minutes=1)
        await issue(app_client, kiosk, "marriage")  # counter 3's line, not counter 1's
        clock.advance(minutes=1)
        elderly = await issue(app_client, kiosk, "id_card_renewal", "elderly")
        clock.advance(minutes=5)
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        waiting = state["waiting"]
        assert sorted(t["number"] for t in waiting) == sorted([birth["number"], elderly["number"]])
        assert [t["next"] for t in waiting] == [True, False]
        called = (await app_client.post("/api/v1/counters/1/call-next", headers=staff1)).json()
        assert called["number"] == waiting[0]["number"]

    async def test_the_waiting_line_is_in_the_order_call_next_calls_it(
        self,
        app_client: httpx.AsyncClient,
        staff1: dict,
        kiosk: dict,
        clock: FakeClock,
    ) -> None:
        # Services in counter 1's order, some priority, arriving out of that order.
        for service, priority in [
            ("id_card_renewal", None),
            ("birth", None),
            ("id_card_renewal", "elderly"),
            ("move_in", None),
            ("birth", "disabled"),
            ("death", None),
            ("id_card_renewal", None),
        ]:
            await issue(app_client, kiosk, service, priority)
            clock.advance(minutes=1)
        await app_client.post("/api/v1/counters/1/open", headers=staff1)
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        listed = [t["number"] for t in state["waiting"]]
        assert len(listed) == 7 and state["waiting"][0]["next"]

        called = []
        for _ in listed:
            r = await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
            ticket = r.json()
            called.append(ticket["number"])
            await app_client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff1)
        assert called == listed

    async def test_the_current_ticket_shows_its_service_standard_and_start(
        self, app_client: httpx.AsyncClient, staff1: dict, kiosk: dict, clock: FakeClock
    ) -> None:
        t = await issue(app_client, kiosk, "birth")
        called = (await app_client.post("/api/v1/counters/1/call-next", headers=staff1)).json()
        assert called["id"] == t["id"]
        clock.advance(minutes=1)
        await app_client.post(f"/api/v1/tickets/{t['id']}/recall", headers=staff1)
        await app_client.post(f"/api/v1/tickets/{t['id']}/start", headers=staff1)
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        current = state["current"]
        assert current["number"] == t["number"] and current["status"] == "serving"
        assert current["service_name_th"] == "รับแจ้งการเกิด"
        assert current["standard_minutes"] > 0
        assert current["recall_count"] == 1
        assert current["started_at"] == clock.now.isoformat().replace("+00:00", "Z")
        assert state["counter"]["state"] == "serving"

    async def test_held_tickets_are_listed_apart_from_the_current_one(
        self, app_client: httpx.AsyncClient, staff1: dict, kiosk: dict
    ) -> None:
        t = await issue(app_client, kiosk, "birth")
        await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        await app_client.post(f"/api/v1/tickets/{t['id']}/hold", headers=staff1)
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        assert state["current"] is None
        assert [h["number"] for h in state["held"]] == [t["number"]]
        assert state["held"][0]["held_at"] is not None

    async def test_a_printer_needing_a_person_is_an_alert(
        self, app_client: httpx.AsyncClient, staff1: dict, database: Database, clock: FakeClock
    ) -> None:
        with database.write() as session:
            kiosk_row, _ = add_device(session, 1, DeviceKind.KIOSK, "ตู้ 1", clock())
            kiosk_row.printer_state = "paper_out"
            kiosk_row.printer_detail = "paper end sensor"
            _, _ = add_device(session, 1, DeviceKind.KIOSK, "ตู้ 2", clock())
            fine = session.exec(select(Device).where(col(Device.name) == "ตู้ 2")).one()
            fine.printer_state = "ok"
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        assert [(p["device"], p["state"]) for p in state["printers"]] == [("ตู้ 1", "paper_out")]

    async def test_a_ticket_is_found_by_its_number_for_calling_out_of_order(
        self, app_client: httpx.AsyncClient, staff1: dict, kiosk: dict
    ) -> None:
        t = await issue(app_client, kiosk, "marriage")
        r = await app_client.get(
            "/api/v1/console/ticket", params={"number": t["number"].lower()}, headers=staff1
        )
        assert r.status_code == 200 and r.json()["id"] == t["id"]
        r = await app_client.get(
            "/api/v1/console/ticket", params={"number": "Z999"}, headers=staff1
        )
        assert r.status_code == 404 and r.json()["detail_th"] == "ไม่พบบัตรคิว Z999 ของวันนี้"
        r = await app_client.get("/api/v1/console/ticket", params={"number": "B1"}, headers=staff1)
        assert r.status_code == 422 and "ไม่ถูกต้อง" in r.json()["detail_th"]

    async def test_a_ticket_taken_by_another_counter_is_refused_in_plain_thai(
        self, app_client: httpx.AsyncClient, staff1: dict, staff2: dict, kiosk: dict
    ) -> None:
        t = await issue(app_client, kiosk, "id_card_renewal")
        await app_client.post("/api/v1/counters/2/call-next", headers=staff2)
        r = await app_client.post(
            f"/api/v1/tickets/{t['id']}/call",
            json={"counter": 1, "reason": "นัดหมายล่วงหน้า"},
            headers=staff1,
        )
        assert r.status_code == 409
        assert r.json()["detail_th"] == f"บัตรคิว {t['number']} ถูกเรียกที่ช่อง 2 แล้ว"


class TestSupervisor:
    async def test_every_counter_shows_whom_it_serves_its_pause_or_since_when_it_is_idle(
        self,
        app_client: httpx.AsyncClient,
        staff1: dict,
        staff2: dict,
        manager: dict,
        kiosk: dict,
        clock: FakeClock,
    ) -> None:
        t = await issue(app_client, kiosk, "birth")
        await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        await app_client.post(f"/api/v1/tickets/{t['id']}/start", headers=staff1)
        await app_client.post("/api/v1/counters/3/open", headers=manager)
        meeting = {"reason": "meeting"}
        await app_client.post("/api/v1/counters/3/pause", json=meeting, headers=manager)
        opened_at = clock.advance(minutes=2)
        await app_client.post("/api/v1/counters/2/open", headers=staff2)
        clock.advance(minutes=3)
        state = (await app_client.get("/api/v1/supervisor", headers=manager)).json()
        by_number = {c["number"]: c for c in state["counters"]}
        assert by_number[1]["state"] == "serving"
        assert by_number[1]["current"]["number"] == t["number"]
        assert by_number[1]["holder"] == "เจ้าหน้าที่ 1"
        assert by_number[2]["state"] == "idle"
        assert by_number[2]["idle_since"] == opened_at.isoformat().replace("+00:00", "Z")
        assert by_number[3]["state"] == "paused" and by_number[3]["paused_reason"] == "meeting"
        assert by_number[4]["state"] == "closed" and by_number[4]["holder"] is None

    async def test_queue_length_longest_wait_and_an_alert_past_the_target(
        self, app_client: httpx.AsyncClient, manager: dict, kiosk: dict, clock: FakeClock
    ) -> None:
        first = await issue(app_client, kiosk, "birth")
        clock.advance(minutes=10)
        await issue(app_client, kiosk, "birth", "monk")
        state = (await app_client.get("/api/v1/supervisor", headers=manager)).json()
        birth = next(s for s in state["services"] if s["service"]["code"] == "birth")
        assert birth["waiting"] == 2 and birth["priority_waiting"] == 1
        assert birth["longest_wait_seconds"] == 600
        assert birth["oldest_number"] == first["number"]
        assert state["alerts"] == []
        clock.advance(minutes=6)  # the oldest has now waited 16 min; the target is 15
        state = (await app_client.get("/api/v1/supervisor", headers=manager)).json()
        assert [(a["service"]["code"], a["over_target"]) for a in state["alerts"]] == [("birth", 1)]
        assert state["waiting"] == 2


class TestCounterServices:
    async def test_a_manager_changes_a_counters_services_and_its_next_call_follows(
        self,
        app_client: httpx.AsyncClient,
        staff1: dict,
        manager: dict,
        kiosk: dict,
        database: Database,
    ) -> None:
        birth = await issue(app_client, kiosk, "birth")
        marriage = await issue(app_client, kiosk, "marriage")
        r = await app_client.put(
            "/api/v1/counters/1/services", json={"services": ["marriage"]}, headers=manager
        )
        assert r.status_code == 200
        assert r.json() == {"counter": 1, "services": ["marriage"]}
        called = (await app_client.post("/api/v1/counters/1/call-next", headers=staff1)).json()
        assert called["id"] == marriage["id"]
        state = (await app_client.get("/api/v1/console", headers=staff1)).json()
        assert birth["number"] not in [t["number"] for t in state["waiting"]]
        with database.read() as session:
            events = session.exec(
                select(CounterEvent).where(
                    col(CounterEvent.kind).in_(["service_added", "service_removed"])
                )
            ).all()
        kinds = {e.kind for e in events}
        assert kinds == {"service_added", "service_removed"}
        manager_id = (await app_client.get("/api/v1/supervisor", headers=manager)).json()
        assert all(e.staff_id is not None for e in events)
        assert sum(e.kind == "service_added" for e in events) == 1
        one = next(c for c in manager_id["counters"] if c["number"] == 1)
        assert one["services_changed_by"] == "ปลัดอำเภอ (หัวหน้าสำนักงาน)"

    async def test_services_that_stay_keep_their_place_and_an_added_one_joins_its_group(
        self, app_client: httpx.AsyncClient, manager: dict
    ) -> None:
        state = (await app_client.get("/api/v1/supervisor", headers=manager)).json()
        before = next(c for c in state["counters"] if c["number"] == 3)["services"]
        # Counter 3 leads with family registration, then licensing; add a civil registration
        # service and drop one family service.
        wanted = [*before[1:], "birth"]
        r = await app_client.put(
            "/api/v1/counters/3/services", json={"services": wanted}, headers=manager
        )
        assert r.json()["services"] == [*before[1:], "birth"]

    @pytest.mark.parametrize(
        ("services", "status", "words"),
        [
            (["nope"], 422, "ไม่พบบริการ: nope"),
            ([], 422, "ช่องบริการต้องให้บริการอย่างน้อยหนึ่งบริการ"),
        ],
    )
    async def test_bad_service_lists_are_refused_in_thai(
        self,
        app_client: httpx.AsyncClient,
        manager: dict,
        services: list[str],
        status: int,
        words: str,
    ) -> None:
        r = await app_client.put(
            "/api/v1/counters/1/services", json={"services": services}, headers=manager
        )
        assert r.status_code == status and words in r.json()["detail_th"]

    async def test_an_unknown_counter_is_404(
        self, app_client: httpx.AsyncClient, manager: dict
    ) -> None:
        r = await app_client.put(
            "/api/v1/counters/77/services", json={"services": ["birth"]}, headers=manager
        )
        assert r.status_code == 404
