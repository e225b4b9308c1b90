"""Booking on a phone (390×844) in a real browser, then checking in at the kiosk with the code
keypad and with a scanner that types the code: the app is served in this process so the test
moves its clock from Friday's booking to Monday's slot."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.settings import Settings
from saduak.app import create_app
from tests.bookings.conftest import bkk
from tests.browser_conftest_helpers import artifact, new_context, watch
from tests.conftest import FakeClock, seeded_sqlite
from tests.live import served_in_process

pytestmark = pytest.mark.browser

PHONE = (390, 844)
PORTRAIT = (1080, 1920)


@pytest.fixture
async def site(
    tmp_path: Path, sqlite_template: Path, clock: FakeClock
) -> AsyncIterator[tuple[str, Database]]:
    url = seeded_sqlite(tmp_path / "booking.db", sqlite_template, clock())
    app = create_app(
        Settings(database_url=url, bus_url="", public_url="http://127.0.0.1"), clock=clock
    )
    db = Database(url)
    async with served_in_process(app) as base:
        yield base, db
    db.dispose()


async def test_book_on_a_phone_then_check_in_at_the_kiosk(
    chromium: Browser, site: tuple[str, Database], clock: FakeClock
) -> None:
    base, db = site
    # Friday 27 Nov 2026, 10:00: a citizen books marriage registration on a phone.
    phone = await (await new_context(chromium, PHONE)).new_page()
    phone.set_default_timeout(10_000)
    log = watch(phone)
    await phone.goto(f"{base}/book")
    await expect(phone.locator("h1")).to_contain_text("จองคิวล่วงหน้า")
    await phone.locator("[data-service=marriage]").click()
    # Saturday and Sunday are closed; Monday 30 Nov is the first day with places.
    saturday = phone.locator("[data-date='2026-11-28']")
    await expect(saturday).to_be_disabled()
    await expect(saturday).to_contain_text("ปิดทำการ")
    await phone.locator("[data-date='2026-11-30']").click()
    await phone.locator("[data-time='10:00']").click()
    await phone.locator("#b-name").fill("สมหญิง ตั้งใจมา")
    await phone.locator("#b-phone").fill("081 234 5678")
    await phone.screenshot(path=artifact("booking-phone-form.png"), full_page=True)
    # Without the consent line the page says why (the browser's own check is bypassed).
    await phone.locator("#b-consent").evaluate("el => el.removeAttribute('required')")
    await phone.locator("#b-submit").click()
    await expect(phone.locator("#b-error")).to_contain_text("ยินยอม")
    await phone.locator("#b-consent").check()
    await phone.locator("#b-submit").click()
    await expect(phone.locator("#step-done")).to_be_visible()
    code = (await phone.locator("#done-code").text_content() or "").replace(" ", "")
    assert re.fullmatch(r"\d{8}", code)
    await expect(phone.locator("#done-when")).to_contain_text("30 พ.ย. 2569 10.00 น.")
    # What to bring, from the service's citizen manual.
    await expect(phone.locator("[data-bring=marriage]")).to_be_visible()
    await expect(phone.locator("#done-qr")).to_have_js_property("complete", True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    await phone.screenshot(path=artifact("booking-phone-done.png"), full_page=True)
    # The one failed request is the refusal without consent.
    assert [e for e in log.errors if "422" not in e] == []

    # Monday 09:50: at the kiosk, "มีนัดหมาย", the code on the keypad.
    clock.now = bkk(2026, 11, 30, 9, 50)
    with db.write() as session:
        _, token = add_device(session, 1, DeviceKind.KIOSK, "kiosk-1", clock())
    kiosk = await (await new_context(chromium, PORTRAIT)).new_page()
    kiosk.set_default_timeout(10_000)
    klog = watch(kiosk)
    await kiosk.goto(f"{base}/kiosk?token={token}")
    await expect(kiosk.locator("#booking-open")).to_contain_text("มีนัดหมาย")
    await kiosk.locator("#booking-open").click()
    for digit in code:
        await kiosk.locator(f"#booking-keys [data-key='{digit}']").click()
    await expect(kiosk.locator("#booking-code")).to_have_value(code)
    await kiosk.screenshot(path=artifact("booking-kiosk-keypad.png"))
    await kiosk.locator("#booking-ok").click()
    await expect(kiosk.locator("#screen-ticket")).to_be_visible()
    number = (await kiosk.locator("#ticket-number").text_content() or "").strip()
    assert re.fullmatch(r"C\d{3}", number)
    await expect(kiosk.locator("#ticket-booked")).to_contain_text("ตามนัด 10.00 น.")
    await expect(kiosk.locator("#ticket-qr")).to_have_js_property("complete", True)
    await kiosk.screenshot(path=artifact("booking-kiosk-ticket.png"))

    # The same code again (a scanner types it on the start screen and presses Enter): refused.
    await kiosk.locator("#ticket-done").click()
    await expect(kiosk.locator("#screen-start")).to_be_visible()
    await kiosk.keyboard.type(code)
    await kiosk.keyboard.press("Enter")
    await expect(kiosk.locator("#message-th")).to_contain_text(number)
    assert [e for e in klog.errors if "409" not in e] == []

    # The phone's page for the code says it was checked in, with the ticket's number.
    await phone.goto(f"{base}/book/{code}")
    await expect(phone.locator(".b-status")).to_contain_text("รับบัตรคิวตามนัดแล้ว")
