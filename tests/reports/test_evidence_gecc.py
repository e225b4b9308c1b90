"""The evidence pack's sections beyond speed (questionnaires, complaints, staff summary,
fairness, citizen manuals, year over year) in the A4 page and the XLSX, one sheet per section."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from counter.seed import catalogue
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

FY = 2570  # 27 Nov 2026 falls in fiscal year 2570 (1 Oct 2569 – 30 Sep 2570)


async def a_morning(client: httpx.AsyncClient, clock: FakeClock, score: int = 5) -> None:
    staff = await login(client, "staff1", DEMO_PASSWORDS["staff1"])
    post = client.post
    tickets = [
        (await post("/api/v1/tickets", json={"service": "birth"}, headers=staff)).json()
        for _ in range(3)
    ]
    await post("/api/v1/counters/1/open", headers=staff)
    # The last arrival first, by number, with a reason; then the others in order.
    r = await post(
        f"/api/v1/tickets/{tickets[2]['id']}/call",
        json={"counter": 1, "reason": "คนพิการ"},
        headers=staff,
    )
    assert r.status_code == 200, r.text
    order = [tickets[2]["id"]]
    for tid in order:
        await post(f"/api/v1/tickets/{tid}/start", headers=staff)
        clock.advance(minutes=4)
        await post(f"/api/v1/tickets/{tid}/finish", headers=staff)
    for _ in range(2):
        called = (await post("/api/v1/counters/1/call-next", headers=staff)).json()
        await post(f"/api/v1/tickets/{called['id']}/start", headers=staff)
        clock.advance(minutes=4)
        await post(f"/api/v1/tickets/{called['id']}/finish", headers=staff)
    token = str(tickets[0]["status_url"]).rstrip("/").rsplit("/", 1)[-1]
    form = (await client.get(f"/api/v1/survey/{token}")).json()
    await post(
        f"/api/v1/survey/{token}", json={"answers": {i["code"]: score for i in form["items"]}}
    )
    await post("/api/v1/needs", json={"office": "demo", "answers": {"hours": ["saturday"]}})
    await post("/api/v1/complaints", json={"office": "demo", "category": "delay", "text": "รอนาน"})


async def test_the_pack_and_its_xlsx_carry_every_section(
    app_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await a_morning(app_client, clock)
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    page = await app_client.get(f"/reports/evidence?fy={FY}")
    assert page.status_code == 200, page.text[:500]
    for section in (
        "ev-dimensions",
        "ev-needs",
        "ev-complaints",
        "ev-fairness",
        "ev-manuals",
        "ev-yoy",
    ):
        assert f'id="{section}"' in page.text, section
    assert "คนพิการ" in page.text  # the out-of-order call's reason
    assert page.text.count("<tr><td>", page.text.index('id="ev-manuals"')) >= 15

    r = await app_client.get(f"/api/v1/reports/evidence.xlsx?fy={FY}", headers=manager)
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == [
        "ความรวดเร็ว",
        "ความพึงพอใจ",
        "ความต้องการ",
        "ข้อร้องเรียน",
        "บุคลากร",
        "ความเป็นธรรม",
        "เรียกข้ามลำดับ",
        "คู่มือประชาชน",
        "เทียบปีก่อน",
    ]
    rows = {
        name: [list(row) for row in book[name].iter_rows(min_row=2, values_only=True)]
        for name in book.sheetnames
    }
    assert rows["ความรวดเร็ว"][1][1] == 3  # served
    overall = next(r for r in rows["ความพึงพอใจ"] if r[0] == "ความพึงพอใจโดยรวม")
    assert overall[1] == 1 and overall[3] == 5 and overall[5] == 100.0
    assert rows["ความเป็นธรรม"][0][1:4] == [3, 2, 1]
    assert rows["เรียกข้ามลำดับ"][0][4] == "คนพิการ"
    assert rows["ข้อร้องเรียน"][0][1] == 1
    assert len(rows["คู่มือประชาชน"]) == len(catalogue())
    yoy = {r[0]: r for r in rows["เทียบปีก่อน"]}
    satisfaction = yoy["ความพึงพอใจ (ร้อยละ)"]
    assert satisfaction[2] == 100.0 and satisfaction[4] == 85.0 and satisfaction[5] == "ผ่านเป้าหมาย"
    assert yoy["ร้อยละให้บริการภายในมาตรฐาน"][4] == 80.0
    assert yoy["จำนวนบัตรคิว"][1] == 0 and yoy["จำนวนบัตรคิว"][3] == "↑"


async def test_the_office_sets_its_targets(app_client: httpx.AsyncClient) -> None:
    admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
    office = (await app_client.get("/api/v1/admin/office", headers=admin)).json()
    assert office["satisfaction_target_pct"] == 85.0
    body = {k: v for k, v in office.items() if k not in ("id", "code", "holidays")}
    body["satisfaction_target_pct"] = 90
    r = await app_client.put("/api/v1/admin/office", json=body, headers=admin)
    assert r.status_code == 200, r.text
    again = (await app_client.get("/api/v1/admin/office", headers=admin)).json()
    assert again["satisfaction_target_pct"] == 90.0


async def test_each_dimension_stands_beside_the_previous_fiscal_year(
    app_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await a_morning(app_client, clock, score=5)  # FY 2570: every item 5 of 5 = 100 %
    clock.advance(days=364)  # the same Friday a year on, in FY 2571
    await a_morning(app_client, clock, score=4)  # every item 4 of 5 = 80 %
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    r = await app_client.get(f"/api/v1/reports/evidence.xlsx?fy={FY + 1}", headers=manager)
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = [list(row) for row in book["ความพึงพอใจ"].iter_rows(min_row=2, values_only=True)]
    answered = [row for row in rows if row[1]]
    assert answered, rows
    for row in answered:
        assert row[5] == 4 / 5 * 100 and row[6] == 5 / 5 * 100, row
    page = await app_client.get(f"/reports/evidence?fy={FY + 1}")
    assert page.status_code == 200
    table = page.text[page.text.index('id="ev-dimensions"') :]
    table = table[: table.index("</table>")]
    assert table.count("▼") == len(answered)
