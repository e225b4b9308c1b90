"""The "channels" report section: arrivals by channel, punctuality and no-shows in the summary
API and the evidence pack, against counts made by hand from what the test did."""

from __future__ import annotations

import httpx
import pytest

from tests.bookings.conftest import bkk, book
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

CSV = "ref,svc,day,at,who,tel\nBORA-77,birth,30/11/2569,10.30,นางสาวนัด ระบบอื่น,0899990000\n"


async def test_channels_in_the_summary_and_the_evidence_pack(
    app_client: httpx.AsyncClient, clock: FakeClock, kiosk: dict[str, str]
) -> None:
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    early = (await book(app_client, time="10:00", phone="0810000001")).json()["code"]
    late = (await book(app_client, time="10:00", phone="0810000002")).json()["code"]
    missed = (await book(app_client, day="2026-12-01", time="09:00")).json()["code"]
    cancelled = (await book(app_client, time="11:00", phone="0810000003")).json()["code"]
    assert (await app_client.delete(f"/api/v1/bookings/{cancelled}")).status_code == 200
    r = await app_client.post(
        "/api/v1/bookings/import",
        json={
            "csv": CSV,
            "columns": {
                "code": "ref",
                "service": "svc",
                "date": "day",
                "time": "at",
                "name": "who",
                "phone": "tel",
            },
            "save_columns": True,
        },
        headers=manager,
    )
    assert r.status_code == 200 and r.json() == {"added": 1, "updated": 0, "skipped": []}

    # Monday: two walk-ins; one booking checks in 20 minutes early, one 10 minutes late, the
    # imported one (its code as the other system wrote it) 5 minutes early.
    clock.now = bkk(2026, 11, 30, 9, 40)
    for _ in range(2):
        await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=kiosk)
    assert (
        await app_client.post(f"/api/v1/bookings/{early}/check-in", headers=kiosk)
    ).status_code == 201
    clock.now = bkk(2026, 11, 30, 10, 10)
    assert (
        await app_client.post(f"/api/v1/bookings/{late}/check-in", headers=kiosk)
    ).status_code == 201
    clock.now = bkk(2026, 11, 30, 10, 25)
    # Anyone may not cancel an imported booking by its (perhaps guessable) reference.
    assert (await app_client.delete("/api/v1/bookings/BORA-77")).status_code == 403
    r = await app_client.post("/api/v1/bookings/bora-77/check-in", headers=kiosk)
    assert r.status_code == 201, r.text

    # Wednesday: Tuesday's booking never came.
    clock.now = bkk(2026, 12, 2, 9, 0)
    r = await app_client.get(
        "/api/v1/reports/summary?from=2026-11-30&to=2026-12-01", headers=manager
    )
    assert r.status_code == 200, r.text
    ch = r.json()["channels"]
    arrivals = ch["arrivals"]
    assert {k: arrivals[k] for k in ("total", "walk_in", "booked", "imported")} == {
        "total": 5,
        "walk_in": 2,
        "booked": 2,
        "imported": 1,
    }
    # Other packages add their own counts (LINE-linked tickets): none linked here.
    assert all(arrivals[k] == 0 for k in set(arrivals) - {"total", "walk_in", "booked", "imported"})
    assert ch["bookings"] == {
        "made": 5,
        "cancelled": 1,
        "checked_in": 3,
        "no_show": 1,
        "pending": 0,
        "no_show_pct": 25.0,
    }
    # Offsets -20, +10 and -5 minutes: two early, one on time (within the first 15 minutes).
    assert ch["punctuality"] == {
        "checked_in": 3,
        "early": 2,
        "on_time": 1,
        "late": 0,
        "on_time_or_early_pct": 100.0,
        "mean_offset_minutes": round((-20 + 10 - 5) / 3, 1),
    }
    evidence = await app_client.get("/reports/evidence?fy=2570", headers=manager)
    assert evidence.status_code == 200
    assert "ช่องทางการเข้ารับบริการและการนัดหมาย" in evidence.text
    assert missed  # the no-show above
