"""The office head's evidence settings: citizen manuals, evidence targets and questionnaires,
as pages and through their API — who may, what bad input is told (in Thai), and that what is
saved is what citizens and the evidence pack then read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.admin.conftest import North
from tests.conftest import DEMO_PASSWORDS, FakeClock, device_headers, login

pytestmark = pytest.mark.usefixtures("demo")

MANUAL: dict[str, Any] = {
    "steps": [["ยื่นคำร้องที่ช่องบริการ", "Apply at the counter"], ["รับบัตร", "Collect the card"]],
    "documents": [["บัตรประจำตัวประชาชนตัวจริง", "The ID card itself"]],
    "fee_baht": 100,
    "fee_note_th": "บัตรหายเสีย 100 บาท",
    "fee_note_en": "100 baht for a lost card",
    "legal_basis_th": "พระราชบัญญัติบัตรประจำตัวประชาชน พ.ศ. 2526",
    "legal_basis_en": "Identification Card Act B.E. 2526",
    "source_url": "https://www.bora.dopa.go.th/",
}


async def service_id(client: httpx.AsyncClient, headers: dict[str, str], code: str) -> int:
    r = await client.get("/api/v1/admin/services", headers=headers)
    found = [s["id"] for s in r.json() if s["code"] == code]
    assert found, code
    return int(found[0])


class TestCitizenManuals:
    async def test_a_manager_edits_a_manual_and_the_standards_board_shows_it(
        self, client: httpx.AsyncClient, admin: dict[str, str], manager: dict[str, str]
    ) -> None:
        sid = await service_id(client, admin, "id_card_renewal")
        r = await client.put(f"/api/v1/admin/services/{sid}/manual", json=MANUAL, headers=manager)
        assert r.status_code == 200, r.text
        saved = r.json()
        assert saved["edited"] and saved["steps"][1] == ["รับบัตร", "Collect the card"]
        board = await client.get("/standards?office=demo")
        assert "บัตรหายเสีย 100 บาท" in board.text or "ยื่นคำร้องที่ช่องบริการ" in board.text
        page = await client.get("/admin/manuals", headers=manager)
        assert page.status_code == 200
        assert "ยื่นคำร้องที่ช่องบริการ | Apply at the counter" in page.text

    async def test_the_processing_time_is_the_standard_in_force(
        self, client: httpx.AsyncClient, admin: dict[str, str], manager: dict[str, str]
    ) -> None:
        sid = await service_id(client, admin, "id_card_renewal")
        before = (await client.get(f"/api/v1/admin/services/{sid}/manual", headers=manager)).json()
        assert before["processing_minutes"] == 15
        r = await client.patch(
            f"/api/v1/admin/services/{sid}", json={"standard_minutes": 33}, headers=admin
        )
        assert r.status_code == 200, r.text
        page = await client.get("/admin/manuals", headers=manager)
        assert (await client.get(f"/api/v1/admin/services/{sid}/manual", headers=manager)).json()[
            "processing_minutes"
        ] == 33
        assert "33 นาที" in page.text

    @pytest.mark.parametrize(
        ("change", "thai"),
        [
            ({"documents": [["สำเนาบัตรประจำตัวประชาชน", ""]]}, "สำเนา"),
            ({"source_url": "ftp://example.org"}, "http"),
            ({"fee_baht": -5}, "ไม่ถูกต้อง"),
        ],
    )
    async def test_bad_input_is_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        manager: dict[str, str],
        change: dict[str, Any],
        thai: str,
    ) -> None:
        sid = await service_id(client, admin, "birth")
        r = await client.put(
            f"/api/v1/admin/services/{sid}/manual", json={**MANUAL, **change}, headers=manager
        )
        assert r.status_code == 422 and thai in r.json()["detail_th"], r.text

    async def test_staff_devices_and_other_offices_may_not(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        staff1: dict[str, str],
        north: North,
        database: Any,
        clock: FakeClock,
    ) -> None:
        from counter.auth import DeviceKind

        sid = await service_id(client, admin, "birth")
        url = f"/api/v1/admin/services/{sid}/manual"
        kiosk = device_headers(database, clock, DeviceKind.KIOSK)
        for headers in (staff1, kiosk):
            assert (await client.get(url, headers=headers)).status_code == 403
            assert (await client.put(url, json=MANUAL, headers=headers)).status_code == 403
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        assert (await client.put(url, json=MANUAL, headers=north_admin)).status_code == 404
        page = await client.get("/admin/manuals", headers=staff1)
        assert page.status_code == 403 and "หัวหน้าสำนักงาน" in page.text


class TestEvidenceTargets:
    async def test_defaults_then_a_managers_targets_reach_the_evidence_pack(
        self, client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        r = await client.get("/api/v1/admin/targets", headers=manager)
        assert r.json()["satisfaction_target_pct"] == 85
        r = await client.put(
            "/api/v1/admin/targets",
            json={"satisfaction_target_pct": 90, "within_standard_target_pct": 75.5},
            headers=manager,
        )
        assert r.status_code == 200, r.text
        page = await client.get("/admin/evidence", headers=manager)
        assert 'value="90.0"' in page.text and 'value="75.5"' in page.text
        pack = await client.get("/reports/evidence?fy=2570", headers=manager)
        assert pack.status_code == 200
        yoy = pack.text[pack.text.index('id="ev-yoy"') :]
        assert "90.0" in yoy and "75.5" in yoy

    async def test_a_target_outside_0_to_100_is_refused_in_thai(
        self, client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        r = await client.put(
            "/api/v1/admin/targets",
            json={"satisfaction_target_pct": 185, "within_standard_target_pct": 80},
            headers=manager,
        )
        assert r.status_code == 422
        assert r.json()["detail_th"] == "เป้าหมายความพึงพอใจ (ร้อยละ) ต้องอยู่ระหว่าง 0 ถึง 100"

    async def test_staff_and_devices_may_not(
        self, client: httpx.AsyncClient, staff1: dict[str, str], database: Any, clock: FakeClock
    ) -> None:
        from counter.auth import DeviceKind

        display = device_headers(database, clock, DeviceKind.DISPLAY)
        body = {"satisfaction_target_pct": 50, "within_standard_target_pct": 50}
        for headers in (staff1, display):
            assert (await client.get("/api/v1/admin/targets", headers=headers)).status_code == 403
            r = await client.put("/api/v1/admin/targets", json=body, headers=headers)
            assert r.status_code == 403
        assert (await client.get("/admin/evidence", headers=staff1)).status_code == 403


class TestQuestionnaires:
    async def test_the_editor_page_and_its_data(
        self, client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        page = await client.get("/admin/questionnaires", headers=manager)
        assert page.status_code == 200 and "/needs?office=demo" in page.text
        items = (await client.get("/api/v1/survey-items", headers=manager)).json()
        assert [d["code"] for d in items["dimensions"]] == [
            "process",
            "staff",
            "information",
            "facilities",
            "overall",
        ]

    async def test_an_impossible_every_nth_is_refused_in_thai(
        self, client: httpx.AsyncClient, manager: dict[str, str]
    ) -> None:
        needs = (await client.get("/api/v1/survey-needs", headers=manager)).json()
        r = await client.put(
            "/api/v1/survey-needs",
            json={"questions": needs["questions"], "every": -1},
            headers=manager,
        )
        assert r.status_code == 422 and "0–1000" in r.json()["detail_th"], r.text

    async def test_staff_and_devices_may_not_and_each_office_edits_its_own(
        self,
        client: httpx.AsyncClient,
        staff1: dict[str, str],
        manager: dict[str, str],
        north: North,
        database: Any,
        clock: FakeClock,
    ) -> None:
        from counter.auth import DeviceKind

        kiosk = device_headers(database, clock, DeviceKind.KIOSK)
        assert (await client.get("/admin/questionnaires", headers=staff1)).status_code == 403
        for headers in (staff1, kiosk):
            for path in ("/api/v1/survey-items", "/api/v1/survey-needs"):
                assert (await client.get(path, headers=headers)).status_code == 403, path
        # Another office's admin saves a new needs survey: the demo office's stays as it was.
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        mine = (await client.get("/api/v1/survey-needs", headers=manager)).json()
        r = await client.put(
            "/api/v1/survey-needs",
            json={"questions": mine["questions"][:1], "every": 2},
            headers=north_admin,
        )
        assert r.status_code == 200 and r.json()["version"] == 1
        after = (await client.get("/api/v1/survey-needs", headers=manager)).json()
        assert after == mine


async def test_admins_see_the_evidence_pages_in_their_menu_and_managers_only_those(
    client: httpx.AsyncClient, admin: dict[str, str], manager: dict[str, str]
) -> None:
    full = (await client.get("/admin/manuals", headers=admin)).text
    assert 'href="/admin/staff"' in full and 'href="/admin/questionnaires"' in full
    head = (await client.get("/admin/manuals", headers=manager)).text
    assert 'href="/admin/staff"' not in head
    assert 'href="/admin/evidence"' in head and 'href="/reports"' in head
    assert DEMO_PASSWORDS  # the demo accounts signed in above
