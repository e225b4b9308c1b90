"""The complaint register through the HTTP API: intake, the workflow with business-day deadlines
across a holiday, who may do what, the public status lookup, and the figures in the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from statistics import median
from zoneinfo import ZoneInfo

import httpx
import pytest

from counter.auth import DeviceKind, Role, add_device
from counter.db import Database
from counter.models import Holiday, Staff
from counter.seed import create_office
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, cached_hash, login

pytestmark = pytest.mark.usefixtures("demo")

BKK = ZoneInfo("Asia/Bangkok")
# The clock starts on Friday 27 Nov 2026, 10:00 in Bangkok; Monday 30 Nov is a holiday here.
HOLIDAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def holiday(database: Database, demo: Demo) -> None:
    with database.write() as session:
        session.add(Holiday(office_id=demo.office_id, day=HOLIDAY, name="วันหยุดชดเชย"))


@pytest.fixture
async def manager(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "manager", DEMO_PASSWORDS["manager"])


@pytest.fixture
async def staff1(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])


async def complain(client: httpx.AsyncClient, **fields: object) -> httpx.Response:
    body: dict[str, object] = {"office": "demo", "category": "delay", "text": "รอนานมาก"}
    body.update(fields)
    return await client.post("/api/v1/complaints", json=body)


def local(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BKK)


class TestIntake:
    async def test_anyone_may_complain_and_gets_a_tracking_code(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await complain(app_client)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "received" and len(body["code"]) == 9
        assert body["status_url"] == f"/complaint/{body['code']}"
        # Friday: acknowledge by the end of Tuesday (Monday is a holiday), resolve in 15
        # business days (1–4, 7–11, 14–18, 21 December).
        assert datetime.fromisoformat(body["acknowledge_due_at"]) == local(2026, 12, 2)
        assert datetime.fromisoformat(body["resolve_due_at"]) == local(2026, 12, 22)

    async def test_a_contact_needs_consent(self, app_client: httpx.AsyncClient) -> None:
        r = await complain(app_client, contact="081-234-5678")
        assert r.status_code == 422
        assert r.json()["error"] == "invalid_input" and "ยินยอม" in r.json()["detail_th"]
        assert (await complain(app_client, contact="081", consent=True)).status_code == 201

    @pytest.mark.parametrize(
        ("fields", "status"),
        [
            ({"channel": "counter"}, 422),  # only staff enter counter complaints
            ({"category": "weather"}, 422),
            ({"text": "   "}, 422),
            ({"office": "nowhere"}, 404),
            ({"ticket": "no-such-ticket"}, 404),
        ],
    )
    async def test_bad_input_is_a_clear_4xx(
        self, app_client: httpx.AsyncClient, fields: dict[str, object], status: int
    ) -> None:
        r = await complain(app_client, **fields)
        assert r.status_code == status, r.text
        assert {"error", "detail", "detail_th", "detail_en"} <= set(r.json())

    async def test_a_complaint_about_a_ticket_links_its_service(
        self, app_client: httpx.AsyncClient, staff1: dict[str, str], manager: dict[str, str]
    ) -> None:
        ticket = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff1)
        token = ticket.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]
        r = await app_client.post(
            "/api/v1/complaints", json={"category": "delay", "text": "x", "ticket": token}
        )
        assert r.status_code == 201
        got = await app_client.get(f"/api/v1/complaints/{r.json()['id']}", headers=manager)
        assert got.json()["ticket_id"] == ticket.json()["id"]
        assert got.json()["service_id"] is not None

    async def test_the_public_form_is_rate_limited_per_source(
        self, app_client: httpx.AsyncClient, staff1: dict[str, str]
    ) -> None:
        limit = app_client.app.state.settings.complaint_rate_per_hour  # type: ignore[attr-defined]
        for _ in range(limit):
            assert (await complain(app_client)).status_code == 201
        refused = await complain(app_client)
        assert refused.status_code == 429 and "1567" in refused.json()["detail_th"]
        # Staff entering complaints at the counter are not limited.
        r = await app_client.post(
            "/api/v1/complaints",
            json={"channel": "counter", "category": "other", "text": "x"},
            headers=staff1,
        )
        assert r.status_code == 201


class TestWorkflowAndDeadlines:
    async def test_acknowledged_after_the_holiday_is_within_the_deadline(
        self,
        app_client: httpx.AsyncClient,
        clock: FakeClock,
        staff1: dict[str, str],
        manager: dict[str, str],
    ) -> None:
        cid = (await complain(app_client)).json()["id"]
        clock.now = local(2026, 12, 1, 16, 0).astimezone(UTC)  # Tuesday: in time
        r = await app_client.post(f"/api/v1/complaints/{cid}/acknowledge", headers=staff1)
        assert r.status_code == 200 and r.json()["status"] == "acknowledged"
        assert r.json()["overdue"] is None
        r = await app_client.post(f"/api/v1/complaints/{cid}/start", headers=staff1)
        assert r.json()["status"] == "in_progress"
        r = await app_client.post(f"/api/v1/complaints/{cid}/resolve", json={}, headers=staff1)
        assert r.status_code == 422 and "สาเหตุ" in r.json()["detail_th"]
        clock.now = local(2026, 12, 10, 11, 0).astimezone(UTC)
        resolution = {
            "response": "ขออภัย ได้เพิ่มเจ้าหน้าที่ช่วงเที่ยงแล้ว",
            "root_cause": "เจ้าหน้าที่พักพร้อมกัน",
            "preventive_action": "จัดเวรพักกลางวันสลับกัน",
        }
        r = await app_client.post(
            f"/api/v1/complaints/{cid}/resolve",
            json=resolution,
            headers=manager,
        )
        assert r.status_code == 200 and r.json()["status"] == "resolved"
        r = await app_client.post(f"/api/v1/complaints/{cid}/close", headers=staff1)
        assert r.json()["status"] == "closed" and r.json()["steps"] == []
        again = await app_client.post(f"/api/v1/complaints/{cid}/close", headers=staff1)
        assert again.status_code == 409 and "ยุติเรื่อง" in again.json()["detail_th"]

    async def test_unacknowledged_past_tuesday_is_overdue_on_the_supervisor_list(
        self, app_client: httpx.AsyncClient, clock: FakeClock, manager: dict[str, str]
    ) -> None:
        code = (await complain(app_client)).json()["code"]
        clock.now = local(2026, 12, 1, 23, 59).astimezone(UTC)
        assert (await app_client.get("/api/v1/complaints/overdue", headers=manager)).json()[
            "count"
        ] == 0
        clock.now = local(2026, 12, 2, 0, 1).astimezone(UTC)
        late = (await app_client.get("/api/v1/complaints/overdue", headers=manager)).json()
        assert late["count"] == 1 and late["items"][0]["code"] == code
        assert late["items"][0]["overdue"] == "acknowledge"
        listed = await app_client.get("/api/v1/complaints?overdue=true", headers=manager)
        assert [c["code"] for c in listed.json()] == [code]

    async def test_referral_needs_the_agency_and_ends_the_work(
        self, app_client: httpx.AsyncClient, staff1: dict[str, str]
    ) -> None:
        cid = (await complain(app_client, category="misconduct")).json()["id"]
        r = await app_client.post(f"/api/v1/complaints/{cid}/refer", json={}, headers=staff1)
        assert r.status_code == 422
        r = await app_client.post(
            f"/api/v1/complaints/{cid}/refer",
            json={"referred_to": "ศูนย์ดำรงธรรมจังหวัด"},
            headers=staff1,
        )
        assert r.json()["status"] == "referred" and r.json()["acknowledged_at"] is not None

    async def test_new_deadlines_apply_to_new_complaints_only(
        self, app_client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        before = (await complain(app_client)).json()
        r = await app_client.put(
            "/api/v1/complaints/settings",
            json={"acknowledge_business_days": 2, "resolve_business_days": 7, "source": "ประกาศ"},
            headers=manager,
        )
        assert r.status_code == 200
        after = (await complain(app_client)).json()
        assert datetime.fromisoformat(after["acknowledge_due_at"]) == local(2026, 12, 3)
        # 7 business days: 1–4, 7–9 December.
        assert datetime.fromisoformat(after["resolve_due_at"]) == local(2026, 12, 10)
        old = await app_client.get(f"/api/v1/complaints/{before['id']}", headers=manager)
        assert datetime.fromisoformat(old.json()["acknowledge_due_at"]) == local(2026, 12, 2)
        bad = await app_client.put(
            "/api/v1/complaints/settings",
            json={"acknowledge_business_days": -1, "resolve_business_days": 7},
            headers=manager,
        )
        assert bad.status_code == 422


class TestPermissions:
    async def test_staff_may_act_but_only_the_manager_lists_and_sees_contacts(
        self, app_client: httpx.AsyncClient, staff1: dict[str, str], manager: dict[str, str]
    ) -> None:
        cid = (await complain(app_client, contact="081", consent=True)).json()["id"]
        assert (await app_client.get("/api/v1/complaints", headers=staff1)).status_code == 403
        listed = await app_client.get("/api/v1/complaints", headers=manager)
        assert listed.status_code == 200 and listed.json()[0]["contact"] == "081"
        one = await app_client.get(f"/api/v1/complaints/{cid}", headers=staff1)
        assert one.status_code == 200 and one.json()["contact"] is None
        ack = await app_client.post(f"/api/v1/complaints/{cid}/acknowledge", headers=staff1)
        assert ack.status_code == 200

    async def test_devices_get_403_everywhere_and_nobody_gets_in_unsigned(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        cid = (await complain(app_client)).json()["id"]
        with database.write() as session:
            _, token = add_device(session, 1, DeviceKind.KIOSK, "kiosk", clock())
        device = {"Authorization": f"Bearer {token}"}
        for method, path in [
            ("GET", "/api/v1/complaints"),
            ("GET", f"/api/v1/complaints/{cid}"),
            ("POST", f"/api/v1/complaints/{cid}/acknowledge"),
            ("POST", f"/api/v1/complaints/{cid}/close"),
            ("POST", "/api/v1/complaints"),
        ]:
            body = {"office": "demo", "category": "delay", "text": "x"}
            r = await app_client.request(method, path, headers=device, json=body)
            assert r.status_code == 403, (method, path, r.text)
        r = await app_client.post(f"/api/v1/complaints/{cid}/acknowledge")
        assert r.status_code == 401

    async def test_another_office_never_sees_or_moves_this_office_complaints(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        cid = (await complain(app_client)).json()["id"]
        with database.write() as session:
            north = create_office(session, "north", "อำเภอเหนือ", "North")
            assert north.id is not None
            session.add(
                Staff(
                    office_id=north.id,
                    username="north-mgr",
                    role=Role.MANAGER,
                    password_hash=cached_hash("north-pw"),
                    created_at=clock(),
                )
            )
        other = await login(app_client, "north-mgr", "north-pw")
        assert (await app_client.get(f"/api/v1/complaints/{cid}", headers=other)).status_code == 404
        r = await app_client.post(f"/api/v1/complaints/{cid}/acknowledge", headers=other)
        assert r.status_code == 404
        assert (await app_client.get("/api/v1/complaints", headers=other)).json() == []


class TestPublicStatus:
    async def test_the_status_page_shows_the_status_and_nothing_personal(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await complain(app_client, text="ข้อความลับของผู้ร้อง", contact="secret@x", consent=True)
        code = r.json()["code"]
        page = await app_client.get(f"/complaint/{code.lower().replace('-', '')}")
        assert page.status_code == 200
        assert code in page.text and "รับเรื่องแล้ว" in page.text
        assert "ข้อความลับของผู้ร้อง" not in page.text and "secret@x" not in page.text
        assert "1 ธ.ค. 2569" in page.text  # acknowledge by the end of Tuesday
        missing = await app_client.get("/complaint/ZZZZ-ZZZZ")
        assert missing.status_code == 404 and "ไม่พบเรื่องร้องเรียนนี้" in missing.text

    async def test_the_form_posts_and_redirects_to_the_code(
        self, app_client: httpx.AsyncClient
    ) -> None:
        form = await app_client.get("/complaint")
        assert form.status_code == 200 and 'name="office" value="demo"' in form.text
        r = await app_client.post(
            "/complaint",
            data={"office": "demo", "category": "facilities", "text": "ห้องน้ำชำรุด"},
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/complaint/")
        bad = await app_client.post("/complaint", data={"office": "demo", "category": "delay"})
        assert bad.status_code == 422 and "กรุณาเขียนรายละเอียด" in bad.text


class TestFigures:
    async def test_the_summary_carries_complaint_figures_matching_a_hand_count(
        self,
        app_client: httpx.AsyncClient,
        clock: FakeClock,
        staff1: dict[str, str],
        manager: dict[str, str],
    ) -> None:
        start = clock.now
        resolution = {"response": "r", "root_cause": "ป้ายบอกทางไม่ชัด", "preventive_action": "p"}
        # Four complaints on Friday 27 Nov; the clock then moves on.
        ids = []
        for category, channel in [
            ("delay", "web"),
            ("delay", "line"),
            ("facilities", "web"),
            ("process", "other"),
        ]:
            ids.append(
                (await complain(app_client, category=category, channel=channel)).json()["id"]
            )
        # A: acknowledged Tuesday (in time), resolved 10 Dec (in time).
        clock.now = local(2026, 12, 1, 9, 0).astimezone(UTC)
        await app_client.post(f"/api/v1/complaints/{ids[0]}/acknowledge", headers=staff1)
        clock.now = local(2026, 12, 10, 9, 0).astimezone(UTC)
        await app_client.post(
            f"/api/v1/complaints/{ids[0]}/resolve",
            json=resolution,
            headers=staff1,
        )
        # B: acknowledged Wednesday (late), resolved 23 Dec (late), same root cause.
        clock.now = local(2026, 12, 2, 9, 0).astimezone(UTC)
        await app_client.post(f"/api/v1/complaints/{ids[1]}/acknowledge", headers=staff1)
        clock.now = local(2026, 12, 23, 9, 0).astimezone(UTC)
        resolution["root_cause"] = "  ป้ายบอกทาง ไม่ชัด ".replace("ทาง ไม่", "ทางไม่")
        await app_client.post(
            f"/api/v1/complaints/{ids[1]}/resolve",
            json=resolution,
            headers=staff1,
        )
        # C: never acknowledged (overdue); D: acknowledged in time, still open (resolve overdue).
        clock.now = local(2026, 12, 1, 9, 0).astimezone(UTC)
        await app_client.post(f"/api/v1/complaints/{ids[3]}/acknowledge", headers=staff1)
        clock.now = local(2026, 12, 24, 9, 0).astimezone(UTC)

        r = await app_client.get(
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30",
            headers=manager,
        )
        assert r.status_code == 200
        got = r.json()["complaints"]
        assert got["received"] == 4
        assert got["by_channel"]["web"] == 2 and got["by_channel"]["line"] == 1
        assert got["by_category"] == {
            "staff_conduct": 0,
            "delay": 2,
            "facilities": 1,
            "process": 1,
            "misconduct": 0,
            "other": 0,
        }
        # Acknowledgement decided for all four (C is past its deadline): A and D in time.
        assert got["acknowledged_decided"] == 4 and got["acknowledged_within"] == 2
        assert got["acknowledged_within_pct"] == 50.0
        # Resolution decided for all four (C and D are past 22 Dec): only A in time.
        assert got["resolved_within"] == 1 and got["resolved_within_pct"] == 25.0
        received = start
        ack_days = [
            (local(2026, 12, 1, 9) - received).total_seconds() / 86400,
            (local(2026, 12, 2, 9) - received).total_seconds() / 86400,
            (local(2026, 12, 1, 9) - received).total_seconds() / 86400,
        ]
        assert got["median_days_to_acknowledge"] == round(median(ack_days), 2)
        res_days = [
            (local(2026, 12, 10, 9) - received).total_seconds() / 86400,
            (local(2026, 12, 23, 9) - received).total_seconds() / 86400,
        ]
        assert got["median_days_to_resolve"] == round(median(res_days), 2)
        assert got["open"] == 2 and got["overdue"] == 2
        assert got["recurring_root_causes"] == [
            {"root_cause": "ป้ายบอกทางไม่ชัด", "count": 2, "categories": {"delay": 2}}
        ]
        served = r.json()["overall"]["served"]
        assert got["served"] == served
        assert got["per_1000_served"] == (None if not served else round(4 / served * 1000, 2))
        # The dashboard shows the same figures.
        await login(app_client, "manager", DEMO_PASSWORDS["manager"])  # its cookie, as a browser
        page = await app_client.get("/reports?period=custom&from=2026-11-01&to=2026-11-30")
        assert page.status_code == 200 and 'id="complaints-card"' in page.text
        assert "ป้ายบอกทางไม่ชัด (2 ครั้ง)" in page.text
        # A period with none of them.
        r = await app_client.get(
            "/api/v1/reports/summary?from=2026-12-01&to=2026-12-31",
            headers=manager,
        )
        assert r.json()["complaints"]["received"] == 0
        assert r.json()["complaints"]["acknowledged_within_pct"] is None

    async def test_per_1000_served_uses_the_reports_served_count(
        self,
        app_client: httpx.AsyncClient,
        clock: FakeClock,
        staff1: dict[str, str],
        manager: dict[str, str],
    ) -> None:
        for _ in range(2):
            await app_client.post(
                "/api/v1/tickets",
                json={"service": "birth"},
                headers=staff1,
            )
        await app_client.post("/api/v1/counters/1/open", headers=staff1)
        for _ in range(2):
            called = await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
            tid = called.json()["id"]
            await app_client.post(f"/api/v1/tickets/{tid}/start", headers=staff1)
            clock.advance(minutes=5)
            await app_client.post(f"/api/v1/tickets/{tid}/finish", headers=staff1)
        await complain(app_client)
        day = clock.now.astimezone(BKK).date().isoformat()
        r = await app_client.get(f"/api/v1/reports/summary?from={day}&to={day}", headers=manager)
        assert r.json()["overall"]["served"] == 2
        assert r.json()["complaints"]["per_1000_served"] == 500.0


async def test_the_supervisor_view_carries_the_overdue_complaints_card(
    app_client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    # The login fixture left the manager's session cookie on the client, as a browser keeps it.
    page = await app_client.get("/supervisor")
    assert page.status_code == 200
    assert '<div id="extra-panels"' in page.text
    assert '<script src="/static/complaints/supervisor.js"></script>' in page.text
    script = await app_client.get("/static/complaints/supervisor.js")
    assert script.status_code == 200 and "/api/v1/complaints/overdue" in script.text
