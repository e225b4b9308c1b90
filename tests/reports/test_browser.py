"""The report pages in chromium against a real server holding a fiscal year of synthetic
traffic: the dashboard and the A4 evidence pack render with their charts (screenshots and a PDF
in tests/artifacts/), and the counter tablet shows the survey of the ticket just finished."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.async_api import Browser, BrowserContext

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import Counter, Service, Staff
from counter.queue.thai import fiscal_year_range
from counter.seed import seed_demo
from reports.synthetic import Ids, OfficeShape, generate_office, insert, office_shapes, working_days
from tests.browser_conftest_helpers import (
    artifact,
    new_context,
    watch,
)
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def year_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo office with FY 2569 of traffic (about 25,000 tickets) and its survey answers."""
    path = tmp_path_factory.mktemp("reports-year") / "year.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, datetime.now(UTC), passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    with db.read() as session:
        services = office_shapes(session.exec(sa.select(Service)).scalars().all(), [])
        counters = session.exec(sa.select(Counter.id).order_by(Counter.number)).scalars().all()
        staff = (
            session.exec(sa.select(Staff.id).where(Staff.role == "staff").order_by(Staff.id))
            .scalars()
            .all()
        )
    desks = [(cid, staff[i % len(staff)]) for i, cid in enumerate(counters)]
    days = working_days(*fiscal_year_range(2569))
    rows = generate_office(
        1, services, desks, days, OfficeShape(tickets_per_year=17_000), Ids(), seed=7
    )
    insert(db.write_engine, 1, rows)
    db.dispose()
    return url


@pytest.fixture(scope="module")
def server(year_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(year_db, env={"SADUAK_BUS_URL": ""}, log_dir=tmp_path_factory.mktemp("logs"))
    live.start(timeout=60)
    yield live
    live.stop()


async def signed_in(
    browser: Browser, server: LiveServer, user: str, viewport: tuple[int, int]
) -> BrowserContext:
    async with httpx.AsyncClient(base_url=server.url) as client:
        r = await client.post(
            "/api/v1/auth/login", json={"username": user, "password": DEMO_PASSWORDS[user]}
        )
        token = r.json()["token"]
    context = await new_context(browser, viewport)
    await context.add_cookies([{"name": "saduak_session", "value": token, "url": server.url}])
    return context


@pytest.fixture
async def manager(chromium: Browser, server: LiveServer) -> AsyncIterator[BrowserContext]:
    context = await signed_in(chromium, server, "manager", (1440, 900))
    yield context
    await context.close()


async def test_the_dashboard_of_a_fiscal_year(manager: BrowserContext, server: LiveServer) -> None:
    page = await manager.new_page()
    log = watch(page)
    await page.goto(f"{server.url}/reports?period=fy&fy=2569", timeout=120_000)
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    await page.wait_for_timeout(300)
    assert await page.locator("h1").first.text_content() is not None
    assert "ปีงบประมาณ พ.ศ. 2569" in (await page.locator("h1").first.text_content() or "")
    # Every chart was drawn (Chart.js keeps an instance per canvas).
    drawn = await page.evaluate(
        "() => [...document.querySelectorAll('canvas')].map(c => !!Chart.getChart(c))"
    )
    assert drawn and all(drawn)
    assert await page.locator("text=แยกตามเจ้าหน้าที่").count() == 1  # the office head's view
    await page.screenshot(path=artifact("reports-dashboard.png"), full_page=True)
    assert not log.errors, log.errors
    assert all(r.startswith(server.url) for r in log.requests), "nothing from a CDN"

    month = await manager.new_page()
    await month.goto(f"{server.url}/reports?period=month&on=2026-03-01")
    await month.evaluate("() => document.fonts.ready.then(() => true)")
    await month.screenshot(path=artifact("reports-dashboard-month.png"), full_page=False)


async def test_the_evidence_pack_prints_on_a4(manager: BrowserContext, server: LiveServer) -> None:
    page = await manager.new_page()
    log = watch(page)
    await page.goto(f"{server.url}/reports/evidence?fy=2569", timeout=120_000)
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    await page.wait_for_timeout(300)
    text = await page.locator("h1").text_content() or ""
    assert text == "รายงานผลการให้บริการ ประจำปีงบประมาณ พ.ศ. 2569"
    assert await page.locator(".office").first.text_content()
    assert await page.locator(".definitions li").count() >= 8
    await page.screenshot(path=artifact("reports-evidence.png"), full_page=True)
    await page.emulate_media(media="print")
    pdf = artifact("reports-evidence.pdf")
    await page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.stat().st_size > 20_000
    assert not log.errors, log.errors
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf), str(artifact("reports-evidence-page"))],
            check=True,
        )


@pytest.mark.parametrize("opened_by", ["staff session", "paired display"])
async def test_the_counter_tablet_shows_the_survey_of_the_ticket_just_finished(
    chromium: Browser, server: LiveServer, year_db: str, opened_by: str
) -> None:
    if opened_by == "staff session":
        context = await signed_in(chromium, server, "staff1", (1024, 768))
        url = f"{server.url}/survey/counter/1"
    else:
        db = Database(year_db)
        with db.write() as session:
            _, token = add_device(session, 1, DeviceKind.DISPLAY, "แท็บเล็ตช่อง 1", datetime.now(UTC))
        db.dispose()
        context = await new_context(chromium, (1024, 768))
        url = f"{server.url}/survey/counter/1?token={token}"
    page = await context.new_page()
    log = watch(page)
    await page.goto(url)
    await page.wait_for_selector("#status:has-text('รอผู้รับบริการรายต่อไป')")
    # A paired device keeps its token in the browser, out of the address bar.
    assert "token=" not in page.url

    async with httpx.AsyncClient(base_url=server.url) as client:
        r = await client.post(
            "/api/v1/auth/login", json={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]}
        )
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        ticket = (
            await client.post("/api/v1/tickets", json={"service": "birth"}, headers=headers)
        ).json()
        await client.post(
            f"/api/v1/tickets/{ticket['id']}/call",
            json={"counter": 1, "reason": "ทดสอบแบบประเมิน"},
            headers=headers,
        )
        await client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=headers)
        done = await client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=headers)
        assert done.status_code == 200, done.text

    await page.wait_for_selector("#form:not(.hidden)", timeout=10_000)
    assert await page.locator("#ticket-no").text_content() == ticket["number"]
    for code in ("speed", "courtesy", "clarity", "facilities", "overall"):
        await page.locator(f"label[for='q-{code}-5']").click()
    await page.fill("#comment", "บริการดีมาก")
    await page.screenshot(path=artifact(f"reports-survey-tablet-{opened_by.split()[1]}.png"))
    await page.locator("#send").click()
    await page.wait_for_selector("#status:has-text('ขอบคุณ')")
    assert not log.errors, log.errors
    await context.close()
