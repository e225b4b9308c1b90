"""The hall and counter displays in chromium, against a real server: calls show within a second
and are queued for announcement in order; a server restart shows as disconnected, then heals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from counter.auth import DeviceKind
from counter.db import Database
from counter.pairing import confirm
from displays.voice import announcement_clips, announcement_text
from tests.browser_conftest_helpers import (
    PageLog,
    artifact,
    launch_chromium,
    new_context,
    watch,
)
from tests.displays.conftest import FAST_FEED
from tests.displays.support import Desks, Office, seed_office, sqlite_copy
from tests.live import LiveServer, serve

pytestmark = pytest.mark.browser

HALL = (1920, 1080)
COUNTER = (1280, 720)
IS_LIVE = "() => document.body.dataset.connection === 'live'"
ANNOUNCEMENTS = "() => window.saduakAnnouncements.map(a => ({...a}))"


class Screen:
    def __init__(self, context: BrowserContext, page: Page, log: PageLog) -> None:
        self.context, self.page, self.log = context, page, log

    @classmethod
    async def open(
        cls,
        browser: Browser,
        url: str,
        viewport: tuple[int, int] = HALL,
        *,
        fake_clock: bool = False,
        init_scripts: tuple[str, ...] = (),
    ) -> Screen:
        context = await new_context(browser, viewport)
        if fake_clock:
            await context.clock.install()
        for script in init_scripts:
            await context.add_init_script(script)
        page = await context.new_page()
        log = watch(page)
        await page.goto(url)
        return cls(context, page, log)

    async def live(self, timeout: float = 10_000) -> None:
        await self.page.wait_for_function(IS_LIVE, timeout=timeout)
        await self.page.evaluate("() => document.fonts.ready.then(() => true)")

    async def text(self, selector: str) -> str:
        return (await self.page.text_content(selector) or "").strip()

    async def wait_text(self, selector: str, text: str, timeout: float = 1000) -> None:
        await self.page.wait_for_function(
            "([selector, text]) => (document.querySelector(selector)?.textContent || '')"
            ".trim() === text",
            arg=[selector, text],
            timeout=timeout,
        )

    async def announcements(self) -> list[dict[str, Any]]:
        return list(await self.page.evaluate(ANNOUNCEMENTS))

    async def still(self) -> None:
        """Stop the call flash so a screenshot shows the resting colours."""
        await self.page.evaluate(
            "() => document.querySelectorAll('.flash').forEach(n => n.classList.remove('flash'))"
        )

    async def screenshot(self, name: str) -> Path:
        path = artifact(name)
        await self.page.screenshot(path=str(path))
        return path

    def assert_self_contained(self, server: LiveServer) -> None:
        origin = urlsplit(server.url).netloc
        foreign = [
            u
            for u in self.log.requests
            if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != origin
        ]
        assert foreign == [], "a display page loaded something from outside its server"
        assert self.log.errors == []

    async def close(self) -> None:
        await self.context.close()


async def open_hall(
    chromium: Browser, server: LiveServer, office: Office, *init_scripts: str
) -> Screen:
    screen = await Screen.open(
        chromium, f"{server.url}/display?token={office.display_token}", init_scripts=init_scripts
    )
    await screen.live()
    return screen


@pytest.fixture
async def hall(chromium: Browser, server: LiveServer, office: Office) -> AsyncIterator[Screen]:
    screen = await open_hall(chromium, server, office)
    yield screen
    await screen.close()


# The sound card is an edge too: this one plays each clip as its first 0.15 s, so that a test of
# the order of announcements (one after the other, never overlapping) does not sit out seconds of
# recorded speech per call. The clips, their order and the page's timing are the page's own.
SHORT_CLIPS = """
(() => {
  const decode = BaseAudioContext.prototype.decodeAudioData;
  BaseAudioContext.prototype.decodeAudioData = function (data, ...callbacks) {
    return decode.call(this, data, ...callbacks).then((buffer) => {
      const length = Math.min(buffer.length, Math.round(buffer.sampleRate * 0.15));
      const cut = new AudioBuffer({
        length, numberOfChannels: buffer.numberOfChannels, sampleRate: buffer.sampleRate,
      });
      for (let c = 0; c < buffer.numberOfChannels; c += 1) {
        cut.copyToChannel(buffer.getChannelData(c).subarray(0, length), c);
      }
      return cut;
    });
  };
})();
"""


@pytest.fixture
async def hall_short_clips(
    chromium: Browser, server: LiveServer, office: Office
) -> AsyncIterator[Screen]:
    screen = await open_hall(chromium, server, office, SHORT_CLIPS)
    yield screen
    await screen.close()


@pytest.fixture
async def counter2(chromium: Browser, server: LiveServer, office: Office) -> AsyncIterator[Screen]:
    screen = await Screen.open(
        chromium, f"{server.url}/display/counter/2?token={office.second_display_token}", COUNTER
    )
    await screen.live()
    yield screen
    await screen.close()


# Every text inside a flashing box against the background behind it, at 20 moments of a flash
# second, each animation moved on from where it really is (so boxes keep their true phases).
FLASH_CONTRAST = """() => {
  const rgb = (css) => {
    let m = css.match(/^rgba?\\(([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
      return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1];
    }
    m = css.match(/^color\\(srgb ([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ \\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    throw new Error("unknown colour " + css);
  };
  const lum = ([r, g, b]) => {
    const f = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const boxes = [...document.querySelectorAll(".flash")];
  const animations = document.getAnimations();
  const strays = animations.filter((a) => a.animationName !== "marquee"
    && a.animationName !== "spin" && !boxes.includes(a.effect.target))
    .map((a) => a.animationName + " on " + a.effect.target.className);
  const texts = boxes.flatMap((box) => [box, ...box.querySelectorAll("*")]
    .filter((n) => [...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())
      && n.getClientRects().length)
    .map((n) => [box, n]));
  const starts = animations.map((a) => a.currentTime);
  let worst = Infinity;
  for (let t = 0; t < 1000; t += 50) {
    animations.forEach((a, i) => { a.pause(); a.currentTime = starts[i] + t; });
    for (const [box, node] of texts) {
      let back = node;
      while (back !== box && rgb(getComputedStyle(back).backgroundColor)[3] === 0) {
        back = back.parentElement;
      }
      const ink = rgb(getComputedStyle(node).color);
      worst = Math.min(worst, contrast(ink, rgb(getComputedStyle(back).backgroundColor)));
    }
  }
  animations.forEach((a, i) => { a.currentTime = starts[i]; a.play(); });
  return { boxes: boxes.length, texts: texts.length, strays, worst };
}"""


class TestCalls:
    async def test_a_call_shows_on_the_hall_and_counter_displays_within_a_second_and_is_queued(
        self, hall: Screen, counter2: Screen, desks: Desks, server: LiveServer
    ) -> None:
        await desks.call(1)
        await desks.issue("death")
        await desks.issue("id_card_renewal")
        await desks.prepare(2)

        ticket = await desks.call_next(2)
        number = ticket["number"]

        await hall.wait_text("#now-number", number, timeout=1000)
        await counter2.wait_text("#cd-number", number, timeout=1000)
        assert await hall.text("#now-counter") == "2"
        assert await hall.text('.counter-row[data-counter="2"] .c-num') == number
        assert "เชิญที่ช่องนี้" in await counter2.text("#cd-status")
        expected = {
            "number": number,
            "counter": 2,
            "clips": announcement_clips(number, 2),
            "text": announcement_text(number, 2),
        }
        hall_queue = await hall.announcements()
        assert {k: hall_queue[-1][k] for k in expected} == expected
        assert hall_queue[-1]["state"] in ("queued", "playing", "done")
        counter_queue = await counter2.announcements()
        assert {k: counter_queue[-1][k] for k in expected} == expected
        # Counter screens are silent unless ?sound=on: the hall speaks for the whole room.
        assert counter_queue[-1]["state"] == "silent"

        await hall.screenshot("display-hall-calling.png")
        await hall.still()
        await hall.screenshot("display-hall.png")
        await counter2.still()
        await counter2.screenshot("display-counter.png")
        hall.assert_self_contained(server)
        counter2.assert_self_contained(server)

    async def test_two_rapid_calls_are_both_shown_and_announced_in_order_without_overlap(
        self, hall_short_clips: Screen, desks: Desks
    ) -> None:
        hall = hall_short_clips
        await desks.prepare(1)
        await desks.prepare(3)
        before = len(await hall.announcements())

        first, second = await asyncio.gather(desks.call_next(1), desks.call_next(3))

        await hall.wait_text('.counter-row[data-counter="1"] .c-num', first["number"])
        await hall.wait_text('.counter-row[data-counter="3"] .c-num', second["number"])
        queued = (await hall.announcements())[before:]
        assert sorted((a["number"], a["counter"]) for a in queued) == sorted(
            [(first["number"], 1), (second["number"], 3)]
        )
        assert queued[0]["seq"] < queued[1]["seq"]
        # The later call (by sequence) is the big one; the other is in the recent calls.
        await hall.wait_text("#now-number", queued[1]["number"])
        assert queued[0]["number"] in await hall.text("#recent")

        # Spoken one after the other: the second starts only when the first has ended.
        await hall.page.wait_for_function(
            "(n) => window.saduakAnnouncements[n + 1].state !== 'queued'",
            arg=before,
            timeout=30_000,
        )
        played = (await hall.announcements())[before:]
        assert [a["seq"] for a in played] == [a["seq"] for a in queued]
        assert played[1]["startedAt"] >= played[0]["endedAt"]
        assert all(a["mode"] == "clips" for a in played)  # chromium here has no Thai voice

    async def test_a_flash_keeps_every_text_readable_even_when_it_changes_mid_flash(
        self, hall: Screen, counter2: Screen, desks: Desks
    ) -> None:
        called = await desks.call(2)
        await counter2.wait_text("#cd-number", called["number"], timeout=5000)
        await hall.wait_text("#now-number", called["number"], timeout=5000)
        # Mid-flash, the citizen arrives: the status line is redrawn, and the hall redraws its
        # rows for another counter's call half a second later.
        await counter2.page.wait_for_timeout(300)
        await desks.act(2, "start")
        await counter2.page.wait_for_function(
            "() => document.getElementById('cd-status').textContent.includes('กำลังให้บริการ')"
        )
        await hall.page.wait_for_timeout(500)
        other = await desks.call(1)
        await hall.wait_text('.counter-row[data-counter="1"] .c-num', other["number"], 5000)

        for screen, boxes in ((counter2, 1), (hall, 3)):
            seen = await screen.page.evaluate(FLASH_CONTRAST)
            # One element flashes per box, and nothing inside it has an animation of its own.
            assert seen["boxes"] == boxes and seen["strays"] == [], seen
            assert seen["texts"] >= boxes
            # WCAG's 3:1 for large text, in every frame of the flash.
            assert seen["worst"] >= 3, seen
        await counter2.screenshot("display-counter-flash-serving.png")
        await hall.screenshot("display-hall-flash.png")

    async def test_a_finished_call_is_the_last_call_and_a_missed_one_says_what_to_do(
        self, hall: Screen, desks: Desks
    ) -> None:
        missed = await desks.call(3)
        await hall.wait_text("#now-number", missed["number"], timeout=5000)
        assert "เชิญหมายเลข" in await hall.text("#now-label")
        await desks.act(3, "no-show")
        await hall.page.wait_for_function(
            "() => document.getElementById('now').classList.contains('is-past')", timeout=5000
        )
        assert "เรียกล่าสุด" in await hall.text("#now-label")
        assert "กรุณาติดต่อเจ้าหน้าที่" in await hall.text("#now-missed")
        await hall.still()
        await hall.screenshot("display-hall-last-called-missed.png")

        # The next call takes the big number; the missed one is marked among the earlier calls.
        after = await desks.call(1)
        await hall.wait_text("#now-number", after["number"], timeout=5000)
        assert "เชิญหมายเลข" in await hall.text("#now-label")
        assert await hall.page.is_hidden("#now-missed")
        item = hall.page.locator("#recent li", has_text=missed["number"]).first
        await item.wait_for()
        assert "is-missed" in (await item.get_attribute("class") or "")
        assert "ติดต่อเจ้าหน้าที่" in (await item.text_content() or "")
        # A call served and finished is the last call too, without the missed mark.
        await desks.act(1, "start", "finish")
        await hall.page.wait_for_function(
            "() => document.getElementById('now').classList.contains('is-past')", timeout=5000
        )
        assert await hall.page.is_hidden("#now-missed")
        await hall.still()
        await hall.screenshot("display-hall-recent-missed.png")

    async def test_a_counter_screen_ignores_other_counters_calls(
        self, counter2: Screen, desks: Desks
    ) -> None:
        shown = await counter2.text("#cd-number")
        before = len(await counter2.announcements())
        other = await desks.call(1)
        # The screen has had the call (it keeps every call of the office in its state) …
        await counter2.page.wait_for_function(
            "(n) => window.saduakDisplay.state.lastCalls.some((c) => c.number === n)",
            arg=other["number"],
            timeout=5000,
        )
        # … and neither shows nor announces it.
        assert await counter2.text("#cd-number") == shown
        assert len(await counter2.announcements()) == before
        # Its own counter's call it does show, so the check above could have failed.
        own = await desks.call(2)
        await counter2.wait_text("#cd-number", own["number"], timeout=5000)


class TestSound:
    async def test_a_plain_browser_queues_calls_until_someone_clicks_to_enable_sound(
        self, server: LiveServer, office: Office, desks: Desks
    ) -> None:
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright, autoplay=False)
            try:
                screen = await Screen.open(
                    browser, f"{server.url}/display?token={office.display_token}"
                )
                await screen.live()
                await screen.page.wait_for_selector("#sound-button", state="visible")
                assert "คลิกเพื่อเปิดเสียง" in await screen.text("#sound-button")

                ticket = await desks.call(4)
                await screen.wait_text("#now-number", ticket["number"])
                await asyncio.sleep(0.3)
                assert (await screen.announcements())[-1]["state"] == "queued"
                await screen.screenshot("display-hall-sound-locked.png")

                await screen.page.click("#sound-button")
                await screen.page.wait_for_function(
                    "() => window.saduakAnnouncements.at(-1).state !== 'queued'", timeout=5000
                )
                assert not await screen.page.is_visible("#sound-button")
                assert await screen.page.evaluate("() => window.saduakVoice.audio") == "running"
            finally:
                await browser.close()


# The device's speech engine is the edge faked here: headless chromium has no voices at all. This
# one has a local Thai voice and records what it is asked to say.
FAKE_THAI_VOICE = """
(() => {
  const voice = {name: "Fake Thai", lang: "th-TH", localService: true, voiceURI: "fake-th"};
  window.__spoken = [];
  window.SpeechSynthesisUtterance = class {
    constructor(text) { Object.assign(this, {text, lang: "", voice: null, rate: 1}); }
  };
  const synth = {
    getVoices: () => [voice],
    speak(u) {
      if (!u.text) return;
      window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name});
      setTimeout(() => u.onend && u.onend(), 50);
    },
    cancel() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
})();
"""


class TestSpeech:
    @pytest.mark.parametrize(("voice", "mode"), [("auto", "speech"), ("clips", "clips")])
    async def test_with_a_thai_voice_poor_clips_give_way_to_speech_after_the_chime(
        self,
        chromium: Browser,
        server: LiveServer,
        office: Office,
        desks: Desks,
        voice: str,
        mode: str,
    ) -> None:
        context = await new_context(chromium, HALL)
        await context.add_init_script(FAKE_THAI_VOICE)
        await context.add_init_script(SHORT_CLIPS)
        page = await context.new_page()
        try:
            await page.goto(f"{server.url}/display?token={office.display_token}&voice={voice}")
            await page.wait_for_function(IS_LIVE)
            ticket = await desks.call(3)
            await page.wait_for_function(
                "(n) => window.saduakAnnouncements.some(a => a.number === n && a.state === 'done')",
                arg=ticket["number"],
                timeout=20_000,
            )
            item = next(
                a for a in await page.evaluate(ANNOUNCEMENTS) if a["number"] == ticket["number"]
            )
            spoken = await page.evaluate("() => window.__spoken")
        finally:
            await context.close()
        assert item["mode"] == mode
        if mode == "speech":
            text = announcement_text(ticket["number"], 3)
            assert spoken == [{"text": text, "lang": "th-TH", "voice": "Fake Thai"}]
        else:
            assert spoken == []


class TestPairing:
    async def test_the_token_is_remembered_and_taken_out_of_the_address(
        self, hall: Screen, server: LiveServer
    ) -> None:
        assert "token" not in hall.page.url
        await hall.page.goto(f"{server.url}/display")
        await hall.live()

    async def test_a_screen_without_a_token_explains_how_to_pair_it(
        self, chromium: Browser, server: LiveServer
    ) -> None:
        screen = await Screen.open(chromium, f"{server.url}/display")
        try:
            await screen.page.wait_for_selector("#pair", state="visible", timeout=5000)
            text = await screen.text("#pair")
            assert "จอนี้ยังไม่ได้จับคู่กับระบบ" in text
            assert "This screen is not paired yet" in text
            assert "/display?token=" in text
            await screen.screenshot("display-unpaired.png")
        finally:
            await screen.close()

    async def test_a_new_screen_shows_a_code_and_connects_once_an_admin_confirms_it(
        self, chromium: Browser, server: LiveServer, office: Office
    ) -> None:
        screen = await Screen.open(chromium, f"{server.url}/display")
        try:
            await screen.page.wait_for_selector("#pair-code-box", state="visible", timeout=5000)
            code = await screen.page.evaluate("() => window.saduakDisplay.pairingCode")
            assert (await screen.text("#pair-code")).replace(" ", "") == code
            await screen.screenshot("display-pairing.png")

            db = Database(office.url)
            try:
                with db.write() as session:
                    confirm(
                        session,
                        code,
                        office_id=1,
                        kind=DeviceKind.DISPLAY,
                        name="hall east",
                        printer=None,
                        now=datetime.now(UTC),
                    )
            finally:
                db.dispose()

            await screen.live(timeout=10_000)
            assert not await screen.page.is_visible("#pair")
            stored = await screen.page.evaluate(
                "() => localStorage.getItem('saduak.display.token')"
            )
            assert stored.startswith("dv_")
        finally:
            await screen.close()

    async def test_a_wrong_token_is_shown_as_such(
        self, chromium: Browser, server: LiveServer
    ) -> None:
        screen = await Screen.open(chromium, f"{server.url}/display?token=dv_wrong")
        try:
            await screen.page.wait_for_selector("#pair-problem", state="visible", timeout=5000)
            assert "invalid or has been revoked" in await screen.text("#pair-problem")
        finally:
            await screen.close()


@pytest.fixture
def own_office(sqlite_template: Path, tmp_path: Path) -> Office:
    return seed_office(sqlite_copy(sqlite_template, tmp_path))


class TestReconnect:
    async def test_a_stopped_server_shows_disconnected_and_a_restart_recovers_the_right_state(
        self, chromium: Browser, own_office: Office, tmp_path: Path
    ) -> None:
        server = LiveServer(own_office.url, env=FAST_FEED, log_dir=tmp_path)
        await server.astart()
        screen = None
        try:
            async with Desks(server.url, own_office) as desks:
                # The page's clock is a fake that runs on by itself; after the restart the test
                # moves it past the reconnect backoff instead of waiting the backoff out.
                screen = await Screen.open(
                    chromium,
                    f"{server.url}/display?token={own_office.display_token}",
                    fake_clock=True,
                )
                await screen.live()
                first = await desks.call(1)
                await screen.wait_text("#now-number", first["number"])

                await server.astop()
                await screen.page.wait_for_function(
                    "() => document.body.dataset.connection === 'disconnected'", timeout=5000
                )
                assert await screen.page.is_visible("#banner")
                assert "ขาดการเชื่อมต่อ" in await screen.text("#banner")
                await screen.still()
                await screen.screenshot("display-hall-disconnected.png")

                # While this process is down, another server on the same database takes a call.
                async with serve(own_office.url) as other:
                    other_desks = desks.rebase(other.url)
                    try:
                        missed = await other_desks.call(3)
                    finally:
                        await other_desks.client.aclose()

                await server.arestart()
                await screen.page.clock.fast_forward(10_000)  # the longest backoff
                await screen.live(timeout=25_000)
                assert not await screen.page.is_visible("#banner")
                await screen.wait_text('.counter-row[data-counter="3"] .c-num', missed["number"])
                await screen.wait_text('.counter-row[data-counter="1"] .c-num', first["number"])
                assert await screen.text("#now-number") == missed["number"]
                # The call it missed is still announced: it is recent.
                catch_up = [a for a in await screen.announcements() if a["catchUp"]]
                assert [(a["number"], a["counter"]) for a in catch_up] == [(missed["number"], 3)]

                # And it is live again: the next call arrives as usual.
                after = await desks.call(2)
                await screen.wait_text("#now-number", after["number"])
        finally:
            if screen is not None:
                await screen.close()
            await server.astop()
