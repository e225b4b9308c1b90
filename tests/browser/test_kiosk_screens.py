"""The kiosk at its real sizes (portrait 1080×1920, landscape 1920×1080) in Debian's chromium:
everything fits without scrolling, touch targets are large enough, a closed office says why and
when it opens, a kiosk without a printer says to note the number, the clock shows the office's
time whatever the device's time zone, and an unpaired kiosk's pairing code is renewed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from counter.auth import DeviceKind
from counter.models import Office, Service
from counter.pairing import PairingRequest, confirm
from tests.browser.kiosk_fixtures import Site, site_fixture  # noqa: F401  (fixture)
from tests.browser_conftest_helpers import artifact, broken_phrases, watch

pytestmark = pytest.mark.browser

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
SIZES = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
# Apple's and Google's guidance for a finger; the kiosk's own targets are far larger.
MIN_TARGET_PX = 44
BANGKOK = ZoneInfo("Asia/Bangkok")
# A pairing code: six letters and digits without 0/O/1/I (counter/pairing.py).
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{6}$")


async def kiosk_page(
    browser: Browser, site: Site, token: str | None, size: tuple[int, int], tz: str = "UTC"
) -> Page:
    """A kiosk browser whose own clock is set to `tz` (UTC by default, as a fresh PC often is)."""
    width, height = size
    context = await browser.new_context(
        viewport={"width": width, "height": height}, locale="th-TH", timezone_id=tz
    )
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(f"{site.server.url}/kiosk" + (f"?token={token}" if token else ""))
    return page


def set_hours(site: Site, *, enforced: bool, **services: dict[str, object]) -> None:
    with site.db.write() as session:
        office = session.get(Office, 1)
        assert office is not None
        office.hours_enforced = enforced
        for service in session.exec(select(Service)).all():
            for field, value in services.get(service.code, {}).items():
                setattr(service, field, value)


def local_now() -> datetime:
    return datetime.now(BANGKOK)


async def fits(page: Page) -> dict[str, float]:
    """The page's scroll size against the window: nothing may lie beyond the window."""
    box: dict[str, float] = await page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            scrollHeight: document.documentElement.scrollHeight,
            width: innerWidth,
            height: innerHeight,
        })"""
    )
    return box


async def assert_fits(page: Page, what: str) -> None:
    box = await fits(page)
    assert box["scrollHeight"] <= box["height"], (what, box)
    assert box["scrollWidth"] <= box["width"], (what, box)


async def visible_boxes(page: Page, selector: str) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = await page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null || getComputedStyle(el).position === "fixed")
            .map((el) => {
                const r = el.getBoundingClientRect();
                return {id: el.id || el.dataset.service || el.dataset.group
                          || el.dataset.priority || el.className,
                        left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                        width: r.width, height: r.height};
            })
            .filter((r) => r.width > 0 && r.height > 0)""",
        selector,
    )
    return boxes


async def assert_touch_targets(page: Page, what: str) -> int:
    """Every visible button is at least MIN_TARGET_PX square and wholly inside the window."""
    boxes = await visible_boxes(page, "button, a[href], [role=button]")
    width, height = await page.evaluate("() => [innerWidth, innerHeight]")
    small = [b for b in boxes if b["width"] < MIN_TARGET_PX or b["height"] < MIN_TARGET_PX]
    assert not small, (what, small)
    outside = [
        b
        for b in boxes
        if b["left"] < 0 or b["top"] < 0 or b["right"] > width or b["bottom"] > height
    ]
    assert not outside, (what, outside)
    return len(boxes)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
async def test_every_kiosk_screen_fits_without_scrolling_with_large_targets(
    chromium: Browser, site: Site, orientation: str
) -> None:
    size = SIZES[orientation]
    page = await kiosk_page(chromium, site, site.kiosk("front", site.printer.url), size)
    log = watch(page)
    await expect(page.locator("[data-group=civil_registration]")).to_be_visible()
    await page.screenshot(path=artifact(f"kiosk-screens-start-{orientation}.png"), full_page=True)
    await assert_fits(page, "start")
    assert await assert_touch_targets(page, "start") >= 10

    groups = await page.locator("[data-group]").evaluate_all(
        "(buttons) => buttons.map((b) => b.dataset.group)"
    )
    # Five groups: three of several services, two of one service, shown as that service.
    assert len(groups) == 3
    assert await page.locator("#groups > .k-groups-grid > *").count() == 5
    for group in groups:
        await page.locator(f"[data-group={group}]").click()
        await expect(page.locator("#group-back")).to_be_visible()
        await assert_fits(page, group)
        await assert_touch_targets(page, group)
        if group == "id_card":  # the largest group: its last row is on screen
            await page.screenshot(path=artifact(f"kiosk-screens-group-{orientation}.png"))
        await page.locator("#group-back").click()

    # English, and the toggle back, both on screen.
    await page.locator("#lang-toggle").click()
    await expect(page.locator("#lang-toggle")).to_have_text("ภาษาไทย")
    await assert_fits(page, "english")
    await page.screenshot(path=artifact(f"kiosk-screens-start-en-{orientation}.png"))
    await page.locator("#lang-toggle").click()

    # The ticket overlay keeps clear of the screen's edges.
    await page.locator("[data-group=civil_registration]").click()
    await page.locator("[data-service=birth]").click()
    await expect(page.locator("#screen-ticket")).to_be_visible()
    await expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    (card,) = await visible_boxes(page, ".k-ticket")
    width, height = size
    margin = 0.02 * min(width, height)
    assert card["left"] >= margin and card["top"] >= margin, card
    assert card["right"] <= width - margin and card["bottom"] <= height - margin, card
    await assert_touch_targets(page, "ticket")
    await assert_fits(page, "ticket")
    await page.screenshot(path=artifact(f"kiosk-screens-ticket-{orientation}.png"))
    assert not log.errors, log.errors
    await page.context.close()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
async def test_a_closed_office_shows_why_when_it_opens_and_its_hours(
    chromium: Browser, site: Site, orientation: str
) -> None:
    # Issuing closed a minute ago (or, on a Sunday, closed all day): whatever the hour the test
    # runs at, the office is closed now. The page shows the server's words for it.
    closes = (local_now() - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    if closes < time(0, 5):
        pytest.skip("the first minutes of the day: no closing time earlier today")
    with site.db.write() as session:
        office = session.get(Office, 1)
        assert office is not None
        office.hours_enforced = True
        office.opens, office.closes = time(0, 0), closes
    token = site.kiosk("front", None)
    page = await kiosk_page(chromium, site, token, SIZES[orientation])
    closed = page.locator("#screen-closed")
    await expect(closed).to_be_visible()
    await expect(page.locator("#screen-start")).to_be_hidden()
    async with httpx.AsyncClient() as client:
        said = (
            await client.get(
                f"{site.server.url}/api/v1/kiosk/services",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    assert said["open"] is False and said["closed_th"].startswith("ขออภัย")
    await expect(page.locator("#closed-th")).to_have_text(said["closed_th"])
    await expect(page.locator("#closed-en")).to_have_text(said["closed_en"])
    await expect(page.locator("#opening-th")).to_have_text(said["next_opening_th"])
    assert said["next_opening_th"].startswith("เปิดรับบัตรคิวอีกครั้ง")
    await expect(page.locator("#hours-th")).to_have_text(
        f"เปิดรับบัตรคิว วันจันทร์–วันศุกร์ เวลา 00.00–{closes:%H.%M} น."
    )
    await assert_fits(page, "closed")
    await assert_touch_targets(page, "closed")
    # Lines break between Thai phrases ("… กรุณามาใหม่ในวันทำการถัดไป"), not inside "ถัด|ไป".
    assert await page.locator("#screen-closed .ph").count() >= 5
    assert not await broken_phrases(page)
    await page.screenshot(path=artifact(f"kiosk-closed-{orientation}.png"))
    await page.context.close()


async def test_a_service_whose_daily_cap_is_reached_is_greyed_with_the_reason(
    chromium: Browser, site: Site
) -> None:
    set_hours(site, enforced=False, birth={"daily_cap": 0})
    page = await kiosk_page(chromium, site, site.kiosk("front", None), PORTRAIT)
    await page.locator("[data-group=civil_registration]").click()
    birth = page.locator("[data-service=birth]")
    death = page.locator("[data-service=death]")
    await expect(birth).to_have_attribute("aria-disabled", "true")
    await expect(birth).to_contain_text("ออกบัตรคิวครบ 0 คิวของวันนี้แล้ว")
    await expect(death).not_to_have_attribute("aria-disabled", "true")
    greyed = await birth.evaluate("(b) => getComputedStyle(b).backgroundColor")
    assert greyed != await death.evaluate("(b) => getComputedStyle(b).backgroundColor")
    await assert_touch_targets(page, "greyed")
    await page.screenshot(path=artifact("kiosk-unavailable-portrait.png"))
    # A citizen taps the greyed service anyway (force: Playwright will not click a control that
    # is aria-disabled): nothing is issued, and the kiosk says why.
    await birth.click(force=True)
    await expect(page.locator("#screen-message")).to_be_visible()
    await expect(page.locator("#message-th")).to_contain_text("ออกบัตรคิวครบ")
    await expect(page.locator("#screen-ticket")).to_be_hidden()
    await page.context.close()


async def test_a_kiosk_without_a_printer_says_to_note_the_number(
    chromium: Browser, site: Site
) -> None:
    page = await kiosk_page(chromium, site, site.kiosk("no-printer", None), PORTRAIT)
    await page.locator("[data-group=civil_registration]").click()
    await page.locator("[data-service=birth]").click()
    note = page.locator("#print-none")
    await expect(note).to_be_visible()
    await expect(note).to_contain_text("กรุณาจดหมายเลขคิว")
    # Thai first, English second.
    texts = await note.locator("div").all_inner_texts()
    assert texts[0].startswith("ตู้นี้ไม่พิมพ์บัตรคิว") and "note your number" in texts[1]
    await expect(page.locator("#print-warning")).to_be_hidden()
    await expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    await page.screenshot(path=artifact("kiosk-no-printer-portrait.png"))
    await page.context.close()

    # A kiosk with a printer never says so.
    printing = await kiosk_page(chromium, site, site.kiosk("front", site.printer.url), PORTRAIT)
    await printing.locator("[data-group=civil_registration]").click()
    await printing.locator("[data-service=birth]").click()
    await expect(printing.locator("#screen-ticket")).to_be_visible()
    await expect(printing.locator("#print-none")).to_be_hidden()
    await printing.context.close()


@pytest.mark.parametrize("device_tz", ["UTC", "America/New_York"])
async def test_the_clock_shows_the_office_time_not_the_devices(
    chromium: Browser, site: Site, device_tz: str
) -> None:
    page = await kiosk_page(chromium, site, site.kiosk("front", None), PORTRAIT, tz=device_tz)
    await expect(page.locator("[data-group=civil_registration]")).to_be_visible()
    before = local_now()
    shown = await page.locator("#clock").inner_text()
    after = local_now()
    # The page writes its clock every second: what it shows was the time at most a second (and
    # on a loaded machine a little more) before it was read.
    expected = {f"{t:%H.%M} น." for t in (before - timedelta(seconds=3), before, after)}
    assert any(shown.endswith(e) for e in expected), (shown, expected)
    assert f"{before.year + 543}" in shown
    await page.context.close()


async def test_an_unpaired_kiosk_renews_its_expired_code_and_pairs_with_the_new_one(
    chromium: Browser, site: Site
) -> None:
    page = await kiosk_page(chromium, site, None, PORTRAIT)
    screen = page.locator("#screen-pair")
    await expect(page.locator("#pair-code-box")).to_be_visible()
    await expect(screen).to_have_attribute("data-code", CODE)
    first = await screen.get_attribute("data-code")
    assert first is not None
    assert (await page.locator("#pair-code").inner_text()).replace(" ", "") == first
    await expect(page.locator("#pair-expiry")).to_have_text(re.compile(r"^\d+:\d\d$"))
    await page.screenshot(path=artifact("kiosk-pairing-portrait.png"))

    # The code runs out unconfirmed: the kiosk shows a fresh one by itself.
    with site.db.write() as session:
        for request in session.exec(select(PairingRequest)).all():
            request.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await expect(screen).not_to_have_attribute("data-code", first, timeout=15_000)
    second = await screen.get_attribute("data-code")
    assert second and second != first
    assert (await page.locator("#pair-code").inner_text()).replace(" ", "") == second

    # The administrator confirms the new code: the kiosk pairs and shows the services.
    with site.db.write() as session:
        confirm(
            session,
            second,
            office_id=1,
            kind=DeviceKind.KIOSK,
            name="renewed",
            printer=None,
            now=datetime.now(UTC),
        )
    await expect(page.locator("[data-group=civil_registration]")).to_be_visible(timeout=15_000)
    stored = await page.evaluate("() => localStorage.getItem('saduak.kiosk.token')")
    assert stored.startswith("dv_")
    await page.context.close()
