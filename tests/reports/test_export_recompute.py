"""The raw export recomputes the report: a spreadsheet user takes the rows of the CSV and gets
the report's own numbers back — wait from the queued and called times, service from the serving
segments (a hold splits service into segments; held time is its own column)."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import datetime, timedelta

import httpx
import pytest

from counter.service import QueueService
from tests.conftest import DEMO_PASSWORDS, FakeClock, login
from tests.reports.test_synthetic_day import DAY, next_morning, play_the_day

pytestmark = pytest.mark.usefixtures("demo")


def seconds(hhmmss: str) -> int:
    h, m, s = map(int, hhmmss.split(":"))
    return h * 3600 + m * 60 + s


def segment_seconds(text: str) -> int:
    """Σ (end − start) over "08:06:00–08:10:00, 08:16:00–08:30:00" (past midnight: + 24 h)."""
    total = 0
    for part in text.split(", "):
        start, end = (seconds(x) for x in part.split("–"))
        total += end - start if end >= start else end + 86400 - start
    return total


def local(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("sealed", [False, True], ids=["today", "sealed"])
async def test_the_rows_of_the_csv_give_back_the_reports_numbers(
    app_client: httpx.AsyncClient, queue: QueueService, clock: FakeClock, sealed: bool
) -> None:
    await play_the_day(queue, clock)
    if sealed:
        await next_morning(queue, clock)  # the day is final: rows come from the rollups
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    day = {"period": "day", "on": DAY.isoformat()}
    r = await app_client.get(
        "/api/v1/reports/export", params={**day, "what": "rows", "format": "csv"}, headers=manager
    )
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    summary = (
        await app_client.get(
            "/api/v1/reports/summary",
            params={"from": DAY.isoformat(), "to": DAY.isoformat()},
            headers=manager,
        )
    ).json()
    standard = {s["name_th"]: s["standard_minutes"] * 60 for s in summary["services"]}
    target = {s["name_th"]: s["wait_target_minutes"] * 60 for s in summary["services"]}

    waits, services, within_std, within_target = [], [], 0, 0
    for row in rows:
        if not row["ให้บริการ (วินาที) / Service (s)"]:
            assert row["ช่วงให้บริการ / Service segments"] == ""
            continue
        wait = (local(row["ถูกเรียก / Called"]) - local(row["เข้าคิว / Queued"])) / timedelta(seconds=1)
        service = segment_seconds(row["ช่วงให้บริการ / Service segments"])
        # The row agrees with itself: first start + service + not serving = end.
        between = int(
            row["ไม่ได้ให้บริการระหว่างเริ่มถึงเสร็จ (วินาที) / Not serving between start and end (s)"]
        )
        span = local(row["สิ้นสุด / Ended"]) - local(row["เริ่มบริการ / Started"])
        assert span == timedelta(seconds=service + between)
        assert between >= int(row["พักคิว (วินาที) / Hold (s)"])
        assert wait == int(row["รอ (วินาที) / Wait (s)"])
        assert service == int(row["ให้บริการ (วินาที) / Service (s)"])
        waits.append(wait)
        services.append(service)
        within_std += service <= standard[row["งานบริการ / Service"]]
        within_target += wait <= target[row["งานบริการ / Service"]]

    held = [r for r in rows if r["หมายเลข / Number"] == "B001"]
    assert held[0]["ช่วงให้บริการ / Service segments"] == "08:06:00–08:10:00, 08:16:00–08:30:00"
    overall = summary["overall"]
    assert statistics.fmean(waits) == pytest.approx(overall["wait"]["mean"])
    assert statistics.median(waits) == pytest.approx(overall["wait"]["median"])
    assert statistics.fmean(services) == pytest.approx(overall["service"]["mean"])
    assert max(services) == overall["service"]["max"]
    assert within_std / len(services) * 100 == pytest.approx(overall["within_standard_pct"])
    assert within_target / len(waits) * 100 == pytest.approx(overall["within_target_pct"])
