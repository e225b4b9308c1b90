"""Standards are versioned: changing a service's standard time creates a version effective from
a date; past periods keep the rating of the standard in force when each service happened.

birth (standard 10 min, wait target 15) is served three times, 12 minutes each:
    T1 Mon 5 Oct 2026, T2 Tue 20 Oct 2026, T3 Fri 20 Nov 2026          (all in FY 2570)
On 27 November the admin raises birth's standard to 15 minutes, effective 15 October.
By hand: T1 is rated against 10 min (outside), T2 and T3 against 15 (within).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Service, ServiceStandard
from counter.queue.states import Action
from counter.service import QueueService
from counter.standards import FROM_THE_START, standard_in_force
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

OFFICE, BIRTH_ID = 1, 6
S1 = StaffPrincipal(3, OFFICE, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)


def bangkok(d: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(d.year, d.month, d.day, h, m, tzinfo=UTC) - timedelta(hours=7)


async def serve_12_minutes(queue: QueueService, clock: FakeClock, day: date) -> None:
    clock.now = bangkok(day, "09:00")
    t = await queue.issue_ticket(OFFICE, "birth")
    clock.advance(minutes=5)
    await queue.call_next(S1, 1)
    await queue.act(S1, t.id, Action.START)
    clock.advance(minutes=12)
    await queue.act(S1, t.id, Action.FINISH)


async def within_standard(client: httpx.AsyncClient, who: dict[str, str], a: str, b: str) -> float:
    r = await client.get("/api/v1/reports/summary", params={"from": a, "to": b}, headers=who)
    assert r.status_code == 200, r.text
    pct: float = r.json()["overall"]["within_standard_pct"]
    return pct


async def test_a_standard_changed_mid_year_never_re_rates_the_past(
    app_client: httpx.AsyncClient, queue: QueueService, clock: FakeClock, database: Database
) -> None:
    for day in (date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 20)):
        await serve_12_minutes(queue, clock, day)
    clock.now = bangkok(date(2026, 11, 27), "10:00")
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
    # Before the change: October is sealed into its month rollup, rated against 10 minutes.
    assert await within_standard(app_client, manager, "2026-10-01", "2026-10-31") == 0

    future = await app_client.patch(
        f"/api/v1/admin/services/{BIRTH_ID}",
        json={"standard_minutes": 15, "effective_from": "2026-12-01"},
        headers=admin,
    )
    assert future.status_code == 422 and "ไม่เกินวันนี้" in future.json()["detail_th"]
    r = await app_client.patch(
        f"/api/v1/admin/services/{BIRTH_ID}",
        json={"standard_minutes": 15, "effective_from": "2026-10-15"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["standard_minutes"] == 15  # the standard in force today

    with database.read() as session:
        birth = session.get(Service, BIRTH_ID)
        assert birth is not None
        versions = sorted(
            (v.effective_from, v.standard_minutes)
            for v in session.exec(
                select(ServiceStandard).where(ServiceStandard.service_id == BIRTH_ID)
            )
        )
        assert versions == [(FROM_THE_START, 10), (date(2026, 10, 15), 15)]
        assert standard_in_force(session, birth, date(2026, 10, 14)).standard_minutes == 10
        assert standard_in_force(session, birth, date(2026, 10, 15)).standard_minutes == 15

    # Each service is rated against the standard of its own day.
    assert await within_standard(app_client, manager, "2026-10-05", "2026-10-05") == 0
    assert await within_standard(app_client, manager, "2026-10-01", "2026-10-31") == 50
    assert await within_standard(app_client, manager, "2026-11-01", "2026-11-30") == 100
    fy = await within_standard(app_client, manager, "2026-10-01", "2027-09-30")
    assert fy == pytest.approx(200 / 3)
    dash = await app_client.get(
        "/api/v1/reports/dashboard", params={"period": "fy", "fy": "2570"}, headers=manager
    )
    assert dash.json()["overall"]["within_standard_pct"] == pytest.approx(200 / 3)
    # The breakdowns read the transaction rows: the same day-by-day rating.
    assert dash.json()["counters"][0]["within_standard_pct"] == pytest.approx(200 / 3)

    rows = await app_client.get(
        "/api/v1/reports/export",
        params={"what": "rows", "format": "csv", "period": "fy", "fy": "2570"},
        headers=manager,
    )
    table = list(csv.DictReader(io.StringIO(rows.content.decode("utf-8-sig"))))
    rated = {r["วันที่ / Date"]: r["ภายในมาตรฐาน / Within standard"] for r in table}
    assert rated == {"2026-10-05": "ไม่", "2026-10-20": "ใช่", "2026-11-20": "ใช่"}

    # The evidence pack lists the standards with their dates.
    await app_client.post(
        "/api/v1/auth/login", json={"username": "manager", "password": DEMO_PASSWORDS["manager"]}
    )
    page = await app_client.get("/reports/evidence?fy=2570")
    assert page.status_code == 200
    start = page.text.index(f'data-standard="{BIRTH_ID}-start"')
    changed = page.text.index(f'data-standard="{BIRTH_ID}-2026-10-15"')
    assert (
        "ตั้งแต่เริ่มใช้ระบบ" in page.text[start:changed] and "14 ต.ค. 2569" in page.text[start:changed]
    )
    assert "15 ต.ค. 2569" in page.text[changed : changed + 400]
