"""The counter console as a registrar's day tests it: the waiting list in the order N calls, a
no-show that can be undone, messages that never cover the keys, and a paused console that still
fits a 1366×768 laptop. One server and one browser for the module; each test has its counter."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.console_fixtures import (
    LAPTOP,
    Office,
    Staff,
    browser_fixture,  # noqa: F401  (fixture)
    module_office_fixture,  # noqa: F401  (fixture)
    open_counter,
    seeded_template_fixture,  # noqa: F401  (fixture)
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


async def status_of(office: Office, ticket_id: int) -> str:
    headers = await office.bearer("manager")
    async with office.api(headers) as client:
        r = await client.get(f"/api/v1/tickets/{ticket_id}")
        assert r.status_code == 200
        return str(r.json()["status"])


async def press(page: Page, key: str) -> None:
    await expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))
    await page.keyboard.press(key)


async def at_counter(browser: Browser, office: Office, user: str, number: int) -> Staff:
    staff = await sign_in(browser, office, user, viewport=LAPTOP)
    await open_counter(staff, number)
    return staff


async def close_counter(page: Page) -> None:
    await press(page, "KeyQ")
    await press(page, "Enter")
    await expect(page.locator("#chooser")).to_be_visible()


async def boxes_apart(page: Page, one: str, others: str) -> None:
    """No box of `others` overlaps the box of `one`."""
    overlapping = await page.evaluate(
        """([one, others]) => {
          const a = document.querySelector(one).getBoundingClientRect();
          return [...document.querySelectorAll(others)].filter((n) => {
            const b = n.getBoundingClientRect();
            return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          }).map((n) => n.dataset.action || n.className);
        }""",
        [one, others],
    )
    assert overlapping == []


async def keys_above_the_fold(page: Page) -> None:
    bottoms = await page.evaluate(
        """() => [...document.querySelectorAll('#actions .act, .shortcut-note')]
             .map((b) => b.getBoundingClientRect().bottom)"""
    )
    assert bottoms and max(bottoms) <= LAPTOP[1], bottoms


async def test_the_waiting_list_is_in_the_order_n_calls_with_the_next_first(
    browser: Browser, office: Office
) -> None:
    # Counter 1 serves civil registration before ID cards: the ID-card ticket that came first
    # is called after the births, and the list says so from the top.
    id_card = await office.issue("id_card_renewal")
    births = [await office.issue("birth"), await office.issue("death")]
    staff = await at_counter(browser, office, "staff1", 1)
    page = staff.page
    rows = page.locator("#waiting-list li")
    listed = [t["number"] for t in [*births, id_card]]
    await expect(rows).to_have_count(3)
    assert [await r.get_attribute("data-number") for r in await rows.all()] == listed
    await expect(rows.first).to_have_class(re.compile(r"\bnext\b"))
    await expect(page.locator("#waiting-list li.next")).to_have_count(1)
    await shot(page, "console-waiting-call-order.png")

    called = []
    for _ in listed:
        await press(page, "KeyN")
        await expect(page.locator("#current")).to_have_attribute("data-status", "called")
        called.append(await page.locator("#cur-number").text_content())
        await press(page, "KeyS")
        await expect(page.locator("#current")).to_have_attribute("data-status", "serving")
    assert called == listed
    await press(page, "KeyF")
    await close_counter(page)
    await staff.close()


async def test_a_no_show_can_be_undone_and_is_written_only_when_it_stands(
    browser: Browser, office: Office
) -> None:
    first = await office.issue("marriage")
    second = await office.issue("marriage")
    staff = await at_counter(browser, office, "staff2", 3)
    page = staff.page
    toast = page.locator("#toast")

    await press(page, "KeyN")
    await expect(page.locator("#cur-number")).to_have_text(first["number"])
    await press(page, "KeyX")
    await expect(toast).to_be_visible()
    await expect(toast).to_contain_text(first["number"])
    await expect(page.locator("#undo")).to_be_visible()
    await expect(page.locator("#cur-empty")).to_be_visible()
    await boxes_apart(page, "#toast", "#actions .act")
    await shot(page, "console-no-show-undo.png")

    # Z (or the button) undoes it: the ticket never left the counter, nothing was written.
    await press(page, "KeyZ")
    await expect(page.locator("#cur-number")).to_have_text(first["number"])
    await expect(page.locator("#current")).to_have_attribute("data-status", "called")
    await expect(toast).to_contain_text("ยกเลิกแล้ว")
    assert await status_of(office, first["id"]) == "called"

    # Left alone, it is written when the window closes: the page's clock (a fake, run on by the
    # test) passes the five seconds at once instead of the test waiting them out. Paused, so that
    # the real seconds a loaded machine takes between the steps below do not count as well.
    await page.clock.install()
    await page.clock.pause_at(datetime.now() + timedelta(seconds=2))
    await press(page, "KeyX")
    await expect(page.locator("#undo")).to_be_visible()
    assert await status_of(office, first["id"]) == "called"
    await page.clock.fast_forward(4_000)
    await expect(page.locator("#undo")).to_be_visible()
    assert await status_of(office, first["id"]) == "called"
    await page.clock.fast_forward(1_100)
    # The toast that says it was recorded comes after the server answered.
    await expect(toast).to_contain_text(f"บันทึก {first['number']} ว่าไม่พบผู้รับบริการแล้ว")
    assert await status_of(office, first["id"]) == "no_show"

    # X then N at once: the no-show is written first, then the next ticket is called.
    await press(page, "KeyN")
    await expect(page.locator("#cur-number")).to_have_text(second["number"])
    await press(page, "KeyX")
    await press(page, "KeyN")
    await expect(page.locator("#cur-empty")).to_be_visible()
    assert await status_of(office, second["id"]) == "no_show"
    await close_counter(page)
    assert staff.log.errors == []
    await staff.close()


async def test_transfer_while_called_says_why_and_a_paused_console_fits_the_laptop(
    browser: Browser, office: Office
) -> None:
    ticket = await office.issue("complaint_intake")
    staff = await at_counter(browser, office, "staff1", 4)
    page = staff.page
    await press(page, "KeyN")
    await expect(page.locator("#cur-number")).to_have_text(ticket["number"])

    # T while the citizen has not come yet: said in words, not a silent shake.
    await press(page, "KeyT")
    await expect(page.locator("#transfer-dialog")).to_be_hidden()
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("ส่งต่อได้เมื่อเริ่มให้บริการแล้ว")
    await expect(banner).to_contain_text("S")
    await keys_above_the_fold(page)
    await shot(page, "console-transfer-refused.png")

    # Paused while serving: the tallest console there is. Every key stays on the screen, and
    # the toast stays off them.
    await press(page, "KeyS")
    await press(page, "KeyP")
    await press(page, "Digit1")
    await expect(page.locator("#paused-panel")).to_be_visible()
    await expect(page.locator("#current")).to_be_visible()
    await expect(page.locator("#toast")).to_be_visible()
    await keys_above_the_fold(page)
    await boxes_apart(page, "#toast", "#actions .act")
    await shot(page, "console-paused-serving.png")

    await press(page, "KeyP")
    await expect(page.locator("#paused-panel")).to_be_hidden()
    await press(page, "KeyF")
    await close_counter(page)
    await staff.close()


@pytest.mark.parametrize(
    ("user", "home", "nav"),
    [
        ("manager", "/supervisor", ["ช่องบริการ", "ภาพรวมสำนักงาน", "รายงาน"]),
        ("admin", "/admin", ["ภาพรวมสำนักงาน", "รายงาน", "ผู้ดูแลระบบ"]),
        ("staff2", "/counter", ["ช่องบริการ", "เรื่องร้องเรียน"]),
    ],
)
async def test_each_role_lands_on_its_page_and_gets_around_with_one_bar(
    browser: Browser, office: Office, user: str, home: str, nav: list[str]
) -> None:
    staff = await sign_in(browser, office, user, path=home, on_the_way=False)
    page, log = staff.page, staff.log
    if home in ("/supervisor", "/counter"):
        await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    bar = page.locator("nav.rolenav")
    await expect(bar.locator("a.is-here")).to_have_count(1)
    # One row, on a laptop too: nothing in the bar is pushed below or beyond it.
    header = await page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] <= 70
    await expect(page.locator("[data-logout]")).to_be_in_viewport(ratio=1)
    for word in nav:
        await expect(bar.get_by_text(word, exact=True)).to_be_visible()
    await shot(page, f"nav-{user}-home.png")
    if user == "manager":
        # Reports were reachable only by typing the address; now one click, and back.
        await bar.get_by_text("รายงาน", exact=True).click()
        await page.wait_for_url(f"{office.url}/reports")
        await expect(page.locator("nav.rolenav a.is-here")).to_have_text("รายงาน")
        await expect(page.locator("[data-logout]")).to_be_in_viewport(ratio=1)
        await shot(page, "nav-manager-reports.png")
        await page.locator("nav.rolenav").get_by_text("ภาพรวมสำนักงาน", exact=True).click()
        await page.wait_for_url(f"{office.url}/supervisor")
    if user == "staff2":
        assert await bar.get_by_text("รายงาน", exact=True).count() == 0
    # Sign-out is in the bar on every page.
    await page.locator("[data-logout]").click()
    await page.wait_for_url(f"{office.url}/login?signed-out=1")
    assert [e for e in log.errors if not e.startswith("Failed to load resource")] == []
    await staff.close()
