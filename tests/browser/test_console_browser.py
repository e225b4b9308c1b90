"""The counter console and the supervisor view in a real browser, driven as staff use them: by
keyboard, two at once, with tickets arriving and being taken while they work."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from counter.bus import bus_from_url
from counter.unit_of_work import office_channel
from tests.browser.console_fixtures import (
    DESKTOP,
    LAPTOP,
    Office,
    Staff,
    browser_fixture,  # noqa: F401  (fixture)
    office_fixture,  # noqa: F401  (fixture)
    open_counter,
    seeded_template_fixture,  # noqa: F401  (fixture)
    shot,
    sign_in,
    start_office,
)
from tests.browser_conftest_helpers import PageLog, new_context, watch
from tests.conftest import DEMO_PASSWORDS, create_pg_database, drop_pg_database, pg_url

pytestmark = pytest.mark.browser


async def ticket_status(office: Office, ticket_id: int) -> dict:
    headers = await office.bearer("manager")
    async with office.api(headers) as client:
        r = await client.get(f"/api/v1/tickets/{ticket_id}")
        assert r.status_code == 200
        return dict(r.json())


def script_errors(log: PageLog) -> list[str]:
    """Errors of the page's own code; refused requests (401, 409) are expected in some tests."""
    return [e for e in log.errors if not e.startswith("Failed to load resource")]


async def press(page: Page, key: str) -> None:
    # The console ignores keys while an action is still settling (by design); a person sees the
    # busy state, so the test waits for it to end as a person would.
    await expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))
    await page.keyboard.press(key)


def current(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#cur-number")


async def next_marked(page: Page) -> str:
    marked = page.locator("#waiting-list li.next")
    await expect(marked).to_have_count(1)
    return str(await marked.get_attribute("data-number"))


async def test_the_whole_staff_flow_by_keyboard(browser: Browser, office: Office) -> None:
    a1 = await office.issue("birth")
    a2 = await office.issue("move_in")
    b1 = await office.issue("id_card_renewal", "elderly")
    a3 = await office.issue("death")

    context = await new_context(browser, LAPTOP)
    page = await context.new_page()
    log = watch(page)
    await page.goto(f"{office.url}/counter")
    await page.wait_for_url(f"{office.url}/login?next=%2Fcounter")
    await shot(page, "console-login.png")
    await page.get_by_label("ชื่อผู้ใช้").fill("staff1")
    await page.get_by_label("รหัสผ่าน").fill("wrong")
    await press(page, "Enter")
    await expect(page.locator("#login-error")).to_contain_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
    await page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORDS["staff1"])
    await press(page, "Enter")
    await page.wait_for_url(f"{office.url}/counter")
    staff = Staff(context, page, log)

    # Choose counter 1 with its number key; the line of its services is listed.
    await open_counter(staff, 1)
    for t in (a1, a2, b1, a3):
        await expect(page.locator(f"#waiting-list li[data-number='{t['number']}']")).to_be_visible()
    await expect(page.locator("#waiting-count")).to_contain_text("4 คิว")
    elderly = page.locator(f"#waiting-list li[data-number='{b1['number']}'] .prio")
    await expect(elderly).to_contain_text("ผู้สูงอายุ")
    await shot(page, "console-idle.png")

    # N calls exactly the ticket marked "next"; a Thai keyboard layout works the same (by key
    # position), and a held-down key calls only once.
    expected = await next_marked(page)
    await page.evaluate(
        """() => document.dispatchEvent(new KeyboardEvent("keydown",
             {key: "ื", code: "KeyN", bubbles: true}))"""
    )
    await expect(current(page)).to_have_text(expected)
    await expect(page.locator("#current")).to_have_attribute("data-status", "called")
    await page.keyboard.down("KeyN")
    await page.keyboard.down("KeyN")  # auto-repeat
    await page.keyboard.up("KeyN")
    await expect(page.locator("#banner")).to_contain_text("กรุณากดเริ่มบริการ (S)")
    await expect(current(page)).to_have_text(expected)

    # Recall shows its count; Start begins the service clock against the standard.
    await press(page, "KeyR")
    await expect(page.locator(".act-recall [data-count]")).to_have_text("1")
    await expect(page.locator("#cur-recall")).to_contain_text("เรียกซ้ำแล้ว 1 ครั้ง")
    await press(page, "KeyS")
    await expect(page.locator("#current")).to_have_attribute("data-status", "serving")
    await expect(page.locator("#cur-timer .timer-standard")).to_contain_text("มาตรฐาน")
    await expect(page.locator("#cur-timer .timer-value")).to_have_text("0:00")
    await expect(page.locator("#cur-timer .timer-value")).not_to_have_text("0:00")
    await shot(page, "console-serving.png")

    # Finish.
    await press(page, "KeyF")
    await expect(page.locator("#cur-empty")).to_be_visible()
    first = expected

    # Call, start, transfer to the ID-card line by typing in the picker.
    second = await next_marked(page)
    await press(page, "KeyN")
    await expect(current(page)).to_have_text(second)
    await press(page, "KeyS")
    await expect(page.locator("#current")).to_have_attribute("data-status", "serving")
    await press(page, "KeyT")
    await expect(page.locator("#transfer-dialog")).to_be_visible()
    # Typing in the picker never fires a shortcut (F would finish, N would call).
    await page.keyboard.type("ประชาชนครั้งแรก")
    await expect(page.locator("#transfer-list li")).to_have_count(1)
    await shot(page, "console-transfer.png")
    await press(page, "Enter")
    await expect(page.locator("#transfer-dialog")).to_be_hidden()
    await expect(page.locator("#cur-empty")).to_be_visible()
    transferred = next(t for t in (a1, a2, b1, a3) if t["number"] == second)
    status = await ticket_status(office, transferred["id"])
    assert status["status"] == "waiting" and status["service"] == "id_card_first"
    assert status["transaction_no"] == 2

    # No-show: call, nobody comes.
    third = await next_marked(page)
    await press(page, "KeyN")
    await expect(current(page)).to_have_text(third)
    await press(page, "KeyX")
    await expect(page.locator("#cur-empty")).to_be_visible()
    no_show = next(t for t in (a1, a2, b1, a3) if t["number"] == third)
    # Written once its undo window closes, or at once by the next action (here N).
    assert (await ticket_status(office, no_show["id"]))["status"] == "called"

    # Hold and call back.
    fourth = await next_marked(page)
    await press(page, "KeyN")
    await expect(current(page)).to_have_text(fourth)
    assert (await ticket_status(office, no_show["id"]))["status"] == "no_show"
    await press(page, "KeyH")
    await expect(page.locator("#held-list li")).to_have_count(1)
    await expect(page.locator(".act-unhold [data-count]")).to_have_text("1")
    await press(page, "KeyB")
    await expect(current(page)).to_have_text(fourth)
    await expect(page.locator("#held-card")).to_be_hidden()
    await press(page, "KeyS")
    await expect(page.locator("#current")).to_have_attribute("data-status", "serving")
    await press(page, "KeyF")
    await expect(page.locator("#cur-empty")).to_be_visible()

    # Pause for lunch: nothing can be called; resume with the same key.
    late = await office.issue("birth")
    await expect(page.locator(f"#waiting-list li[data-number='{late['number']}']")).to_be_visible()
    await press(page, "KeyP")
    await expect(page.locator("#pause-dialog")).to_be_visible()
    await press(page, "Digit2")
    await expect(page.locator("#paused-panel")).to_contain_text("พักกลางวัน")
    await press(page, "KeyN")
    # Refused in the page (its key shakes), so nothing was sent to the server.
    refused = page.locator("#actions [data-action=call_next]")
    await expect(refused).to_have_class(re.compile(r"\brefused\b"))
    assert (await ticket_status(office, late["id"]))["status"] == "waiting"
    await press(page, "KeyP")
    await expect(page.locator("#paused-panel")).to_be_hidden()

    # Call a specific ticket by number, with a reason; typing N in the field types an N.
    await press(page, "KeyC")
    await expect(page.locator("#call-dialog")).to_be_visible()
    await page.keyboard.type("n")
    await expect(page.locator("#call-number")).to_have_value("n")
    await page.locator("#call-number").fill(late["number"].lower())
    await press(page, "Enter")
    await expect(page.locator("#call-error")).to_contain_text("กรุณาระบุเหตุผล")
    await page.get_by_label("นัดหมายล่วงหน้า").check()
    await page.locator("#call-submit").click()
    await expect(current(page)).to_have_text(late["number"])
    await expect(page.locator("#call-dialog")).to_be_hidden()
    await press(page, "KeyS")
    await expect(page.locator("#current")).to_have_attribute("data-status", "serving")
    await press(page, "KeyF")
    await expect(page.locator("#cur-empty")).to_be_visible()

    # Close the counter (confirmed with Enter): back to choosing one.
    await press(page, "KeyQ")
    await expect(page.locator("#close-dialog")).to_be_visible()
    await press(page, "Enter")
    await expect(page.locator("#chooser")).to_be_visible()
    assert first != second
    assert script_errors(log) == []
    await context.close()


async def test_two_staff_pressing_call_next_at_once_get_different_tickets(
    browser: Browser,
    office: Office,
) -> None:
    one = await sign_in(browser, office, "staff1")
    two = await sign_in(browser, office, "staff2")
    await open_counter(one, 1)
    await open_counter(two, 2)
    seen: list[str] = []
    for _ in range(3):
        tickets = [await office.issue("birth"), await office.issue("id_card_renewal")]
        numbers = {t["number"] for t in tickets}
        for staff in (one, two):
            await expect(staff.page.locator("#waiting-list li")).to_have_count(2)
        await asyncio.gather(press(one.page, "KeyN"), press(two.page, "KeyN"))
        for staff in (one, two):
            await expect(staff.page.locator("#current")).to_have_attribute("data-status", "called")
        got = [await current(one.page).inner_text(), await current(two.page).inner_text()]
        assert set(got) == numbers, got
        seen += got
        for staff in (one, two):
            await press(staff.page, "KeyS")
            await expect(staff.page.locator("#current")).to_have_attribute("data-status", "serving")
            await press(staff.page, "KeyF")
            await expect(staff.page.locator("#cur-empty")).to_be_visible()
    assert len(seen) == len(set(seen)) == 6
    assert script_errors(one.log) == script_errors(two.log) == []
    await one.close()
    await two.close()


async def test_the_console_updates_itself_and_says_who_took_a_ticket(
    browser: Browser,
    office: Office,
) -> None:
    staff = await sign_in(browser, office, "staff1")
    page = staff.page
    await open_counter(staff, 1)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    await expect(page.locator("#waiting-empty")).to_be_visible()

    # A citizen takes a ticket at the kiosk: it appears without a reload.
    ticket = await office.issue("birth")
    row = page.locator(f"#waiting-list li[data-number='{ticket['number']}']")
    await expect(row).to_be_visible()

    # The registrar starts to call it by hand, and counter 2 calls it first.
    await row.locator("button.call-this").click()
    await expect(page.locator("#call-dialog")).to_be_visible()
    headers = await office.bearer("staff2")
    async with office.api(headers) as client:
        r = await client.post("/api/v1/counters/2/call-next")
        assert r.json()["number"] == ticket["number"]
    taken = f"บัตรคิว {ticket['number']} ถูกเรียกที่ช่อง 2 แล้ว"
    await expect(page.locator("#call-error")).to_contain_text(taken)
    await page.get_by_label("มีเหตุจำเป็นเร่งด่วน").check()
    await page.locator("#call-submit").click()
    await expect(page.locator("#banner")).to_contain_text(taken)
    await expect(page.locator("#call-dialog")).to_be_visible()
    await expect(page.locator("#waiting-count")).to_contain_text("0 คิว")
    await shot(page, "console-taken.png")
    await press(page, "Escape")
    await expect(row).to_be_hidden()
    await expect(page.locator("#cur-empty")).to_be_visible()
    assert script_errors(staff.log) == []
    await staff.close()


async def test_sessions_begin_at_sign_in_and_end_with_a_clear_message(
    browser: Browser,
    office: Office,
) -> None:
    staff = await sign_in(browser, office, "staff1")
    page = staff.page
    await open_counter(staff, 1)
    # The session ends (here: the cookie is no longer a session), and the next key says so.
    cookies = await staff.context.cookies()
    await staff.context.clear_cookies()
    await staff.context.add_cookies(
        [{**cookies[0], "value": "st_no-longer-valid"}]  # type: ignore[list-item]
    )
    await press(page, "KeyN")
    await page.wait_for_url(f"{office.url}/login?expired=1&next=%2Fcounter")
    await expect(page.locator("#login-expired")).to_contain_text("หมดเวลาการใช้งาน")
    await shot(page, "console-login-expired.png")
    await page.get_by_label("ชื่อผู้ใช้").fill("staff1")
    await page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORDS["staff1"])
    await press(page, "Enter")
    await page.wait_for_url(f"{office.url}/counter")
    # Counter 1 is still this staff member's: the console opens on it.
    await expect(page.locator("#topbar-counter")).to_contain_text("ช่อง 1")

    # Signing out ends the session for good.
    await page.locator("[data-logout]").click()
    await page.wait_for_url(f"{office.url}/login?signed-out=1")
    await page.goto(f"{office.url}/counter")
    await page.wait_for_url(f"{office.url}/login?next=%2Fcounter")
    await staff.close()


async def test_staff_cannot_open_the_supervisor_view(
    browser: Browser,
    office: Office,
) -> None:
    staff = await sign_in(browser, office, "staff1")
    response = await staff.page.goto(f"{office.url}/supervisor")
    assert response is not None and response.status == 403
    await expect(staff.page.locator("#forbidden")).to_contain_text("สำหรับหัวหน้าสำนักงาน")
    await staff.close()


def age_ticket(office: Office, ticket_id: int, minutes: int) -> None:
    """Make a ticket look as if it joined the line long ago (the server's clock is real)."""
    path = Path(office.server.database_url.removeprefix("sqlite:///"))
    queued = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE ticket SET queued_at = ?, issued_at = ? WHERE id = ?",
            (queued.strftime("%Y-%m-%d %H:%M:%S.%f"),) * 2 + (ticket_id,),
        )


async def test_the_supervisor_sees_every_counter_and_line_and_changes_services(
    browser: Browser,
    office: Office,
) -> None:
    # Counter 1 serving, counter 2 paused for a meeting, counter 3 idle, counter 4 closed.
    one = await office.bearer("staff1")
    two = await office.bearer("staff2")
    served = await office.issue("birth")
    async with office.api(one) as client:
        await client.post("/api/v1/counters/1/call-next")
        await client.post(f"/api/v1/tickets/{served['id']}/start")
    async with office.api(two) as client:
        await client.post("/api/v1/counters/2/open")
        await client.post("/api/v1/counters/2/pause", json={"reason": "meeting"})
    old = await office.issue("id_card_renewal", "elderly")
    age_ticket(office, old["id"], 40)
    for service in ("birth", "move_in", "id_card_first"):
        await office.issue(service)

    boss = await sign_in(browser, office, "manager", viewport=DESKTOP, path="/supervisor")
    page = boss.page
    await page.goto(f"{office.url}/counter")
    await open_counter(boss, 3)
    await page.locator("nav.rolenav a[href='/supervisor']").click()
    await page.wait_for_url(f"{office.url}/supervisor")

    cards = page.locator("#sup-counters")
    await expect(cards.locator("[data-number='1']")).to_contain_text(served["number"])
    await expect(cards.locator("[data-number='1']")).to_contain_text("กำลังให้บริการ")
    await expect(cards.locator("[data-number='2']")).to_contain_text("ประชุม")
    await expect(cards.locator("[data-number='3']")).to_contain_text("ว่างตั้งแต่")
    await expect(cards.locator("[data-number='4']")).to_contain_text("ปิด")
    alert = page.locator("#alert-list li[data-service='id_card_renewal']")
    await expect(alert).to_contain_text(f"บัตรคิว {old['number']} รอแล้ว 40 นาที")
    row = page.locator("#svc-rows tr[data-service='id_card_renewal']")
    await expect(row).to_have_class("over")
    await expect(row.locator(".longest")).to_have_text("40 นาที")

    # A new ticket shows up by itself.
    await office.issue("marriage")
    await expect(page.locator("#svc-rows tr[data-service='marriage'] td").nth(1)).to_have_text("1")
    await shot(page, "supervisor.png")

    # Counter 3 takes ID-card renewals too, for today.
    await cards.locator("[data-edit='3']").click()
    dialog = page.locator("#services-dialog")
    await expect(dialog).to_be_visible()
    await dialog.locator("input[value='id_card_renewal']").check()
    await dialog.locator("#services-save").click()
    await expect(dialog).to_be_hidden()
    await expect(cards.locator("[data-number='3']")).to_contain_text("เปลี่ยนบริการวันนี้")
    await expect(row.locator("td").nth(5)).to_contain_text("3")
    headers = await office.bearer("manager")
    async with office.api(headers) as client:
        r = await client.post("/api/v1/counters/3/call-next")
        assert r.json()["number"] == old["number"]

    laptop = await new_context(browser, LAPTOP)
    small = await laptop.new_page()
    await small.context.add_cookies(await boss.context.cookies())
    await small.goto(f"{office.url}/supervisor")
    await expect(small.locator("#sup-counters [data-number='1']")).to_be_visible()
    await shot(small, "supervisor-laptop.png")
    await laptop.close()
    assert script_errors(boss.log) == []
    await boss.close()


async def test_the_console_fits_a_big_screen_too(
    browser: Browser,
    office: Office,
) -> None:
    for service, priority in [("birth", None), ("move_in", "monk"), ("id_card_renewal", None)]:
        await office.issue(service, priority)
    staff = await sign_in(browser, office, "staff2", viewport=DESKTOP)
    await open_counter(staff, 2)
    await press(staff.page, "KeyN")
    await expect(staff.page.locator("#current")).to_have_attribute("data-status", "called")
    await press(staff.page, "KeyS")
    await expect(staff.page.locator("#current")).to_have_attribute("data-status", "serving")
    await shot(staff.page, "console-serving-1920.png")
    # Everything a registrar needs is on screen without scrolling.
    for selector in ("#cur-number", ".act-call_next", ".act-close_counter", "#waiting-list"):
        assert await staff.page.locator(selector).is_visible()
        box = await staff.page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= DESKTOP[1]
    await staff.close()


@pytest.mark.postgres
async def test_a_printer_alert_from_a_kiosk_process_appears_on_the_console(
    browser: Browser,
    seeded_template: Path,
    tmp_path: Path,
) -> None:
    """Kiosks publish `printer.*` on the office bus (here the PostgreSQL one, as between
    processes): the console lists the alert live and clears it when the printer is back."""
    name = create_pg_database("saduak_console_printer")
    # This test plays another process of the same installation: the same bus namespace.
    bus = bus_from_url(pg_url(name), namespace="consolebrowser")
    await bus.start()
    try:
        async with start_office(
            seeded_template, tmp_path, bus_url=pg_url(name), bus_namespace="consolebrowser"
        ) as o:
            staff = await sign_in(browser, o, "staff1")
            await open_counter(staff, 1)
            page = staff.page
            await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
            await expect(page.locator("#printer-ok")).to_be_visible()
            event = {"office": 1, "device_id": 7, "device": "ตู้กดบัตรคิว 1", "at": None}
            await bus.publish(
                office_channel(1),
                {**event, "type": "printer.paper_out", "state": "paper_out", "detail": "paper end"},
            )
            alert = page.locator("#printer-list .printer-alert")
            await expect(alert).to_contain_text("กระดาษหมด")
            await expect(alert).to_contain_text("ตู้กดบัตรคิว 1")
            await expect(page.locator("#printer-card")).to_have_class(re.compile("alerting"))
            await shot(page, "console-printer-alert.png")
            await bus.publish(office_channel(1), {**event, "type": "printer.ok", "state": "ok"})
            await expect(alert).to_have_count(0)
            await expect(page.locator("#toast")).to_contain_text("เครื่องพิมพ์กลับมาปกติแล้ว")
            assert script_errors(staff.log) == []
            await staff.close()
    finally:
        await bus.stop()
        drop_pg_database(name)
