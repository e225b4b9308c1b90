"""The citizen's phone (390×844) in Debian's chromium: the status page announces the call to a
screen reader and drops the sound button once service is over; the survey marks the item left
out, keeps Thai words whole, and its thank-you page carries the office and a way back."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.kiosk_fixtures import PHONE, Site, site_fixture  # noqa: F401  (fixture)
from tests.browser_conftest_helpers import artifact, broken_phrases, new_context, watch

pytestmark = pytest.mark.browser


async def issue(site: Site, client: httpx.AsyncClient, service: str = "birth") -> dict:
    staff = await site.staff(client)
    r = await client.post(
        f"{site.server.url}/api/v1/tickets", json={"service": service}, headers=staff
    )
    assert r.status_code == 201, r.text
    ticket: dict = r.json()
    return ticket


async def act(site: Site, client: httpx.AsyncClient, path: str) -> dict:
    r = await client.post(f"{site.server.url}{path}", headers=await site.staff(client))
    assert r.status_code == 200, r.text
    body: dict = r.json()
    return body


async def phone(browser: Browser, url: str) -> Page:
    context = await new_context(browser, PHONE)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(url)
    return page


async def test_the_call_is_announced_and_the_sound_button_goes_when_service_ends(
    chromium: Browser, site: Site
) -> None:
    async with httpx.AsyncClient() as client:
        ticket = await issue(site, client)
        token = ticket["status_url"].rsplit("/", 1)[1]
        page = await phone(chromium, f"{site.server.url}/t/{token}")
        log = watch(page)
        await expect(page.locator("#s-state")).to_have_attribute("data-status", "waiting")
        await expect(page.locator("#s-sound")).to_be_visible()
        announce = page.locator("#s-announce")
        # Always in the page (a region that appears with the call is often not read out).
        assert await announce.get_attribute("aria-live") == "assertive"
        assert await announce.get_attribute("role") == "status"
        await expect(announce).to_have_text("")

        called = await act(site, client, "/api/v1/counters/2/call-next")
        assert called["number"] == ticket["number"]
        await expect(page.locator("#s-called")).to_be_visible(timeout=5_000)
        await expect(announce).to_contain_text(
            f"ถึงคิวของท่านแล้ว หมายเลข {ticket['number']} เชิญที่ช่องบริการ 2"
        )
        await expect(announce).to_contain_text("please go to counter 2")
        # The screen reader's tree holds the announcement: readable, though not drawn.
        tree = await page.locator("body").aria_snapshot()
        assert "เชิญที่ช่องบริการ 2" in tree
        await page.screenshot(path=artifact("status-called-phone.png"), full_page=True)

        await act(site, client, f"/api/v1/tickets/{ticket['id']}/start")
        # Being served: the ticket may still be put on hold and called again.
        await expect(page.locator("#s-state")).to_have_attribute("data-status", "serving")
        await expect(page.locator("#s-sound")).to_be_visible()
        await act(site, client, f"/api/v1/tickets/{ticket['id']}/finish")
        await expect(page.locator("#s-state")).to_have_attribute(
            "data-status", "done", timeout=5_000
        )
        await expect(page.locator("#s-sound")).to_be_hidden()
        await expect(announce).to_have_text("")
        await page.screenshot(path=artifact("status-done-phone.png"), full_page=True)
        assert not log.errors, log.errors

        # Opened afresh after service, the page has no sound button at all.
        again = await phone(chromium, page.url)
        await expect(again.locator("#s-state")).to_have_attribute("data-status", "done")
        await expect(again.locator("#s-sound")).to_be_hidden()
        await again.context.close()
    await page.context.close()


async def test_the_survey_marks_the_missing_item_and_thanks_with_a_way_back(
    chromium: Browser, site: Site
) -> None:
    async with httpx.AsyncClient() as client:
        ticket = await issue(site, client)
        await act(site, client, "/api/v1/counters/2/call-next")
        await act(site, client, f"/api/v1/tickets/{ticket['id']}/start")
        await act(site, client, f"/api/v1/tickets/{ticket['id']}/finish")
    token = ticket["status_url"].rsplit("/", 1)[1]
    page = await phone(chromium, f"{site.server.url}/survey/{token}")
    log = watch(page)
    await expect(page.locator("#form")).to_be_visible()
    # The office heads the page.
    await expect(page.locator("#office-th")).to_have_text("ที่ทำการปกครองอำเภอสะดวก")
    # Scale words stay whole on a phone ("ปานกลาง", not "ปาน|กลาง").
    await expect(page.locator(".scale .level", has_text="ปานกลาง").first).to_be_visible()
    assert not await broken_phrases(page)
    await page.screenshot(path=artifact("survey-phone.png"), full_page=True)

    fieldsets = page.locator("#items fieldset")
    count = await fieldsets.count()
    assert count >= 3
    # Every item but the second answered, then send.
    for index in range(count):
        if index != 1:
            await fieldsets.nth(index).locator("label").first.click()
    await page.locator("#send").click()
    second = fieldsets.nth(1)
    await expect(second).to_have_class("missing")
    await expect(second.locator(".item-missing")).to_be_visible()
    await expect(second.locator(".item-missing")).to_contain_text("กรุณาเลือกคะแนนข้อนี้")
    await expect(page.locator("#error")).to_contain_text("ยังไม่ได้ตอบข้อ 2")
    await expect(second.locator("input").first).to_have_attribute("aria-invalid", "true")
    for other in (0, 2):
        await expect(fieldsets.nth(other)).not_to_have_class("missing")
    # The first missing item is where the citizen is taken.
    focused = await page.evaluate("() => document.activeElement.closest('fieldset').id")
    assert focused == await second.get_attribute("id")
    await page.screenshot(path=artifact("survey-missing-phone.png"), full_page=True)

    # Answering it clears the mark; sending thanks, with the office and the way back.
    await second.locator("label").nth(2).click()
    await expect(second).not_to_have_class("missing")
    await page.locator("#send").click()
    await expect(page.locator("#status")).to_contain_text("ขอบคุณที่ตอบแบบประเมิน")
    back = page.locator("#back-link")
    await expect(back).to_be_visible()
    assert await back.get_attribute("href") == f"/t/{token}"
    await expect(page.locator("#office-th")).to_be_visible()
    await page.screenshot(path=artifact("survey-thanks-phone.png"), full_page=True)
    await back.click()
    await expect(page.locator("#s-number")).to_have_text(ticket["number"])
    assert not log.errors, log.errors
    await page.context.close()
