"""The report pages in chromium against a real server holding synthetic traffic across a fiscal
year's start: the dashboard and the A4 evidence pack render with their charts (screenshots and a PDF
in tests/artifacts/), and the counter tablet shows the survey of the ticket just finished."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import catalogue, seed_demo
from saduak.history import seed_history
from tests.browser_conftest_helpers import (
    ARTIFACTS,
    artifact,
    new_context,
    watch,
)
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import Served, serve

pytestmark = pytest.mark.browser


# Four months of the demo office's history across the start of FY 2569 (1 October 2025): the
# end of FY 2568 and the start of FY 2569, so each figure of FY 2569 has the year before beside
# it. Two whole years say the same at ten times the seeding and rendering.
HISTORY_FROM = date(2025, 8, 1)
HISTORY_UNTIL = datetime(2025, 12, 1, 1, 0, tzinfo=UTC)
# Chart.js keeps an instance per canvas it drew (charts.js turns animation off).
CHARTS_DRAWN = "() => [...document.querySelectorAll('canvas')].every((c) => Chart.getChart(c))"


@pytest.fixture(scope="module")
def year_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo office with `saduak demo --history` from HISTORY_FROM (about 6,000 tickets,
    survey and needs answers, complaints)."""
    path = tmp_path_factory.mktemp("reports-year") / "year.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, datetime.now(UTC), passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    days = (HISTORY_UNTIL.date() - HISTORY_FROM).days
    seed_history(db, 1, days, HISTORY_UNTIL, seed=7)
    db.dispose()
    return url


@pytest.fixture(scope="module")
async def server(year_db: str) -> AsyncIterator[Served]:
    async with serve(year_db, bus_url="") as served:
        yield served


async def signed_in(
    browser: Browser, server: Served, user: str, viewport: tuple[int, int]
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
async def manager(chromium: Browser, server: Served) -> AsyncIterator[BrowserContext]:
    context = await signed_in(chromium, server, "manager", (1440, 900))
    yield context
    await context.close()


async def test_the_dashboard_of_a_fiscal_year(manager: BrowserContext, server: Served) -> None:
    page = await manager.new_page()
    log = watch(page)
    await page.goto(f"{server.url}/reports?period=fy&fy=2569", timeout=120_000)
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    await page.wait_for_function(CHARTS_DRAWN)
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
    await month.goto(f"{server.url}/reports?period=month&on=2025-11-01")
    await month.evaluate("() => document.fonts.ready.then(() => true)")
    await month.screenshot(path=artifact("reports-dashboard-month.png"), full_page=False)


async def test_the_evidence_pack_prints_on_a4(manager: BrowserContext, server: Served) -> None:
    page = await manager.new_page()
    log = watch(page)
    await page.goto(f"{server.url}/reports/evidence?fy=2569", timeout=120_000)
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    await page.wait_for_function(CHARTS_DRAWN)
    text = await page.locator("h1").text_content() or ""
    assert text == "รายงานผลการให้บริการ ประจำปีงบประมาณ พ.ศ. 2569"
    assert await page.locator(".office").first.text_content()
    assert await page.locator(".definitions li").count() >= 8
    # A year of demo history shows every section, and each figure beside the year before.
    for section in ("ev-yoy", "ev-dimensions", "ev-needs", "ev-complaints", "ev-fairness"):
        assert await page.locator(f"#{section} tbody tr").count() >= 3, section
    assert await page.locator("#ev-manuals tbody tr").count() == len(catalogue())
    served = page.locator("#ev-yoy tr[data-yoy=served] td")
    assert (await served.nth(1).text_content() or "").strip() not in ("", "–")
    assert (await page.locator("#ev-yoy td.arrow").all_text_contents()).count("–") == 0
    satisfaction = await page.locator("#ev-yoy tr[data-yoy=satisfaction] td").all_text_contents()
    assert satisfaction[4].strip() == "85.0" and satisfaction[5].strip()
    assert await page.locator(".kpi .prev").count() == 8
    assert "สาเหตุที่เกิดซ้ำ" in (
        await page.locator("#ev-complaints").locator("..").text_content() or ""
    )
    # The signature blocks an office signs.
    sign = await page.locator(".sign").text_content() or ""
    assert sign.count("ลงชื่อ") == 2 and sign.count("ตำแหน่ง") == 2 and sign.count("วันที่") == 2
    await page.screenshot(path=artifact("reports-evidence.png"), full_page=True)
    await page.emulate_media(media="print")
    pdf = artifact("reports-evidence.pdf")
    await page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.stat().st_size > 20_000
    assert not log.errors, log.errors
    # Pages to look at (tests/artifacts/reports-evidence-page-NN.png).
    for old in ARTIFACTS.glob("reports-evidence-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf), str(artifact("reports-evidence-page"))],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("reports-evidence-page-*.png"))
    assert 6 <= len(pages) <= 12, len(pages)


@pytest.mark.parametrize("opened_by", ["staff session", "paired display"])
async def test_the_counter_tablet_shows_the_survey_of_the_ticket_just_finished(
    chromium: Browser, server: Served, year_db: str, opened_by: str
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
