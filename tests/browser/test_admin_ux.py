"""Admin pages as an office admin uses them on a 1366×768 laptop: a new password copied with one
click, a pairing that says it worked, the voice page down to what needs work, the audit log in
the forms' words and the browser's form checks in Thai. One server and one browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from counter.auth import PASSWORD_ALPHABET
from tests.browser.console_fixtures import (
    Office,
    Staff,
    browser_fixture,  # noqa: F401  (fixture)
    module_office_fixture,  # noqa: F401  (fixture)
    seeded_template_fixture,  # noqa: F401  (fixture)
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(name="admin")
async def admin_fixture(browser: Browser, office: Office) -> AsyncIterator[Staff]:
    staff = await sign_in(browser, office, "admin", path="/admin")
    yield staff
    assert [e for e in staff.log.errors if not e.startswith("Failed to load resource")] == []
    await staff.close()


async def test_a_new_password_has_no_look_alikes_and_is_copied_with_one_click(
    admin: Staff,
) -> None:
    page = admin.page
    await admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await page.goto(page.url.replace("/admin", "/admin/staff"))
    page.on("dialog", lambda d: d.accept())
    row = page.locator("tr", has_text="staff2")
    await row.get_by_role("button", name=re.compile("ตั้งรหัสผ่านใหม่")).click()
    dialog = page.locator("[data-secret-dialog]")
    await expect(dialog).to_be_visible()
    password = (await dialog.locator("[data-secret-value]").text_content() or "").strip()
    assert re.fullmatch(f"[{PASSWORD_ALPHABET}]{{4}}(-[{PASSWORD_ALPHABET}]{{4}}){{2}}", password)
    await dialog.locator("[data-secret-copy]").click()
    await expect(dialog.locator("[data-secret-copied]")).to_be_visible()
    assert await page.evaluate("() => navigator.clipboard.readText()") == password
    await shot(page, "admin-password-copy.png")
    await dialog.locator("[data-secret-close]").click()


async def test_pairing_says_it_worked_and_the_screen_is_seen_once_it_fetched(
    admin: Staff, office: Office
) -> None:
    page = admin.page
    async with httpx.AsyncClient(base_url=office.url) as screen:
        started = (await screen.post("/api/v1/pairing")).json()
        await page.goto(f"{office.url}/admin/devices")
        form = page.locator("#pair-form")
        await form.locator("[name=code]").fill(started["code"])
        await form.locator("[name=kind]").select_option("display")
        await form.locator("[name=name]").fill("จอหน้าห้องประชุม")
        await form.get_by_role("button", name=re.compile("จับคู่อุปกรณ์ใหม่")).click()
        done = page.locator("[data-done-note]")
        await expect(done).to_be_visible()
        await expect(done).to_contain_text("จับคู่ “จอหน้าห้องประชุม” แล้ว")
        await shot(page, "admin-paired.png")

        # The screen collects its token; the list then says when, not "never".
        r = await screen.get(
            f"/api/v1/pairing/{started['pairing_id']}", params={"secret": started["poll_secret"]}
        )
        assert r.json()["status"] == "paired"
    await page.reload()
    row = page.locator("tr", has_text="จอหน้าห้องประชุม")
    await expect(row).to_be_visible()
    await expect(row).not_to_contain_text("ยังไม่เคย")


async def test_the_voice_page_shows_what_needs_work_first_and_all_on_request(
    admin: Staff, office: Office
) -> None:
    page = admin.page
    await page.goto(f"{office.url}/admin/voice")
    rows = page.locator("[data-voice-rows] tr[data-clip]")
    await expect(rows.first).to_be_attached()
    total = await rows.count()
    shown = page.locator("[data-voice-rows] tr[data-clip]:not(.hidden)")
    filtered = await shown.count()
    assert 0 < filtered < total, (filtered, total)
    for quality in await shown.locator("[data-f=quality]").all_text_contents():
        assert "ไม่ชัด" in quality or "ไม่มี" in quality
    short = await page.evaluate("() => document.documentElement.scrollHeight")
    await shot(page, "admin-voice-poor-only.png")
    await page.locator("[data-voice-filter]").uncheck()
    await expect(shown).to_have_count(total)
    everything = await page.evaluate("() => document.documentElement.scrollHeight")
    assert short < everything / 2, (short, everything)


async def test_the_audit_log_names_fields_as_the_forms_do(admin: Staff, office: Office) -> None:
    page = admin.page
    await page.goto(f"{office.url}/admin/services")
    await page.get_by_role("button", name=re.compile("แก้ไข")).first.click()
    form = page.locator("#service-form, form[data-method=PATCH]").first
    minutes = form.locator("[name=standard_minutes]")
    await minutes.fill(str(int(await minutes.input_value()) + 3))
    async with page.expect_navigation():  # saved, then the page reloads
        await form.get_by_role("button", name=re.compile("บันทึก")).click()
    await page.goto(f"{office.url}/admin/audit")
    entry = page.locator("tr[data-action='service.update']").first
    await expect(entry.locator("[data-field=standard_minutes]")).to_have_text("เวลามาตรฐาน (นาที)")
    await expect(page.locator("table.audit")).not_to_contain_text("standard_minutes")
    await shot(page, "admin-audit-labels.png")


async def test_the_browsers_form_checks_speak_thai_on_every_form(
    admin: Staff, office: Office, browser: Browser
) -> None:
    page = admin.page
    await page.goto(f"{office.url}/admin/staff")
    form = page.locator("form[data-method=POST]").first
    await form.get_by_role("button").last.click()
    message = await form.locator("[name=username]").evaluate("(n) => n.validationMessage")
    assert message.startswith("กรุณากรอกช่องนี้"), message

    await page.goto(f"{office.url}/admin/voice")
    counter = page.locator("[data-sample] [name=counter]")
    await counter.fill("99999")
    await page.locator("[data-sample] button[type=submit]").click()
    message = await counter.evaluate("(n) => n.validationMessage")
    assert message.startswith("ต้องไม่เกิน 9999"), message
    # Typing again clears it: the next check is made afresh.
    await counter.fill("3")
    assert await counter.evaluate("(n) => n.checkValidity()")

    # The same words on a page of another package (the complaint register).
    await page.goto(f"{office.url}/complaints")
    required = page.locator("form [required]").first
    await required.evaluate("(n) => n.form.requestSubmit()")
    message = await required.evaluate("(n) => n.validationMessage")
    assert re.match("กรุณา(กรอก|เลือก)", message), message
