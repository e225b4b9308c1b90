"""Citizen manuals: the bundled catalogue's, and what the kiosk, the status page, the standards
board and the admin show and change."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import httpx
import pytest

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.manual import asks_for_a_copy, bundled_manual, manuals
from counter.models import Service
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, login

CSV = Path(__file__).resolve().parents[2] / "counter" / "data" / "dopa-services.csv"


def catalogue_rows() -> dict[str, dict[str, str]]:
    with CSV.open(encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


class TestBundledManuals:
    def test_every_catalogue_service_has_a_full_manual_with_the_csv_fee_and_source(self) -> None:
        for code, row in catalogue_rows().items():
            service = Service(
                id=1,
                office_id=1,
                code=code,
                prefix="A",
                name_th=row["name_th"],
                name_en="x",
                standard_minutes=int(row["standard_minutes"]),
            )
            m = bundled_manual(service)
            assert m.steps and m.documents and m.legal_basis_th, code
            assert m.fee_baht == int(row["fee_baht"] or 0), code
            assert m.source_url == row["source_url"], code
            assert m.processing_minutes == int(row["standard_minutes"]), code

    def test_no_bundled_manual_asks_for_a_copy_of_the_id_card_or_house_registration(self) -> None:
        for code in catalogue_rows():
            service = Service(id=1, office_id=1, code=code, prefix="A", name_th="", name_en="")
            for th, en in bundled_manual(service).documents:
                assert "สำเนา" not in th, (code, th)
                assert not asks_for_a_copy(th) and not asks_for_a_copy(en), (code, th)

    @pytest.mark.parametrize(
        ("text", "refused"),
        [
            ("สำเนาบัตรประจำตัวประชาชน 1 ฉบับ", True),
            ("สำเนาทะเบียนบ้าน", True),
            ("A photocopy of the ID card", True),
            ("บัตรประจำตัวประชาชน (ฉบับจริง)", False),
            ("สำเนาใบสำคัญการสมรส", False),
        ],
    )
    def test_copy_requests_are_recognised(self, text: str, refused: bool) -> None:
        assert asks_for_a_copy(text) is refused


@pytest.fixture
async def kiosk(database: Database, clock: FakeClock, demo: Demo) -> dict[str, str]:
    with database.write() as session:
        _, token = add_device(session, demo.office_id, DeviceKind.KIOSK, "k", clock())
    return {"Authorization": f"Bearer {token}"}


def birth_id(database: Database) -> int:
    with database.read() as session:
        return next(
            m.service_id for m in manuals(session, 1, date(2026, 11, 27)) if m.code == "birth"
        )


@pytest.mark.usefixtures("demo")
class TestSurfaces:
    async def test_the_kiosk_gets_each_services_manual(
        self, app_client: httpx.AsyncClient, kiosk: dict[str, str]
    ) -> None:
        r = await app_client.get("/api/v1/kiosk/services", headers=kiosk)
        services = {s["code"]: s for g in r.json()["groups"] for s in g["services"]}
        birth = services["birth"]["manual"]
        assert birth["processing_minutes"] == 10 and birth["fee_baht"] == 0
        assert birth["steps"][0][0].startswith("แจ้งภายใน 15 วัน")
        assert services["id_card_address_change"]["manual"]["fee_baht"] == 100

    async def test_the_status_page_shows_the_manual_of_the_tickets_service(
        self, app_client: httpx.AsyncClient, kiosk: dict[str, str]
    ) -> None:
        t = await app_client.post("/api/v1/tickets", json={"service": "marriage"}, headers=kiosk)
        page = await app_client.get(t.json()["status_url"].replace("http://127.0.0.1:8000", ""))
        assert page.status_code == 200
        assert "ขั้นตอน เอกสาร และค่าธรรมเนียม" in page.text
        assert "ระยะเวลาให้บริการ 15 นาที" in page.text
        assert "ชายและหญิงยื่นคำร้องพร้อมพยาน 2 คน" in page.text

    async def test_the_standards_board_lists_every_active_service_at_its_standard(
        self, app_client: httpx.AsyncClient
    ) -> None:
        page = await app_client.get("/standards?office=demo")
        assert page.status_code == 200
        rows = re.findall(r'<tr data-service="([a-z_]+)">', page.text)
        assert rows == list(catalogue_rows())
        body = page.text.split("<tbody>")[1].split("</tbody>")[0]
        assert "สำเนา" not in body
        minutes = re.findall(r'<td class="num big">(\d+)</td>', body)
        assert minutes == [row["standard_minutes"] for row in catalogue_rows().values()]
        assert (await app_client.get("/standards?office=nowhere")).status_code == 404

    async def test_the_admin_edits_a_manual_and_every_surface_follows(
        self, app_client: httpx.AsyncClient, database: Database, kiosk: dict[str, str]
    ) -> None:
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        sid = birth_id(database)
        url = f"/api/v1/admin/services/{sid}/manual"
        current = (await app_client.get(url, headers=admin)).json()
        assert current["edited"] is False
        body = {
            "steps": [["ยื่นเรื่อง", "Apply"], ["รับเอกสาร", "Collect"]],
            "documents": [["หนังสือรับรองการเกิด", "Birth notice"]],
            "fee_baht": 20,
            "legal_basis_th": "พระราชบัญญัติการทะเบียนราษฎร พ.ศ. 2534",
            "source_url": "https://example.org/manual",
        }
        r = await app_client.put(url, json=body, headers=admin)
        assert r.status_code == 200 and r.json()["edited"] is True
        services = (await app_client.get("/api/v1/kiosk/services", headers=kiosk)).json()
        birth = next(s for g in services["groups"] for s in g["services"] if s["code"] == "birth")
        assert birth["manual"]["fee_baht"] == 20 and len(birth["manual"]["steps"]) == 2
        board = await app_client.get("/standards")
        assert "หนังสือรับรองการเกิด" in board.text
        # The processing time is the standard in force: a change from 20 Nov shows today, and
        # a day before it still reads the old standard.
        r = await app_client.patch(
            f"/api/v1/admin/services/{sid}",
            json={"standard_minutes": 12, "effective_from": "2026-11-20"},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        assert (await app_client.get(url, headers=admin)).json()["processing_minutes"] == 12
        with database.read() as session:
            before = manuals(session, 1, date(2026, 11, 19))
            after = manuals(session, 1, date(2026, 11, 20))
        assert next(m for m in before if m.code == "birth").processing_minutes == 10
        assert next(m for m in after if m.code == "birth").processing_minutes == 12

    async def test_a_manual_asking_for_a_copy_is_refused_and_staff_cannot_edit(
        self, app_client: httpx.AsyncClient, database: Database
    ) -> None:
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        url = f"/api/v1/admin/services/{birth_id(database)}/manual"
        r = await app_client.put(
            url, json={"documents": [["สำเนาทะเบียนบ้าน 1 ฉบับ", ""]]}, headers=admin
        )
        assert r.status_code == 422 and "สำเนาทะเบียนบ้าน" in r.json()["detail_th"]
        staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
        assert (await app_client.put(url, json={}, headers=staff)).status_code == 403
