"""LINE Official Account against the fake LINE platform: the link, the three-ahead push (the status
page's own number), the call and survey pushes, opting out, signatures, and a failing or hanging
LINE API that never delays the queue."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from counter.db import Database
from counter.settings import get_settings
from line import text
from line.fake import DEMO_BASIC_ID, new_user_id
from line.models import LineAccount
from saduak import cli
from tests.conftest import DEFAULT_NOW, login, seeded_sqlite, sign_in
from tests.line.conftest import (
    BASIC_ID,
    CLIENT_TIMEOUT,
    SECRET,
    TOKEN,
    LineSite,
    prepared_text,
    pushes,
    replies,
    wait_until,
    wait_until_async,
)


class TestAdmin:
    async def test_the_secret_and_token_are_never_shown_again(self, line_site: LineSite) -> None:
        r = await line_site.client.get("/api/v1/admin/line", headers=line_site.admin)
        assert r.status_code == 200
        body = r.json()
        assert body["secret_set"] is True and body["token_set"] is True
        assert body["token_hint"] == "…" + TOKEN[-4:]
        assert body["basic_id"] == BASIC_ID and body["enabled"] is True
        assert body["webhook_url"].endswith("/line/webhook/demo")
        assert SECRET not in r.text and TOKEN[:-4] not in r.text
        # An empty field keeps what was saved.
        r = await line_site.client.put(
            "/api/v1/admin/line",
            json={"channel_secret": "", "access_token": "", "near_threshold": 2},
            headers=line_site.admin,
        )
        assert r.status_code == 200 and r.json()["secret_set"] and r.json()["near_threshold"] == 2
        with line_site.app.state.db.read() as session:
            rows = session.execute(
                sa.text("SELECT after FROM audit_log WHERE action = 'line.update' ORDER BY id")
            ).all()
        assert len(rows) == 2
        for (after,) in rows:
            logged = after if isinstance(after, str) else json.dumps(after)
            assert SECRET not in logged and TOKEN[:-4] not in logged
        assert (
            json.loads(rows[-1][0] if isinstance(rows[-1][0], str) else json.dumps(rows[-1][0]))[
                "near_threshold"
            ]
            == 2
        )

    async def test_the_admin_page_says_set_and_never_shows_the_values(
        self, line_site: LineSite
    ) -> None:
        await sign_in(line_site.client, "admin")
        page = await line_site.client.get("/admin/line")
        assert page.status_code == 200
        assert "ตั้งค่าแล้ว" in page.text and "…" + TOKEN[-4:] in page.text
        assert SECRET not in page.text and TOKEN[:-4] not in page.text
        assert "/line/webhook/demo" in page.text

    async def test_a_malformed_secret_is_refused_in_thai(self, line_site: LineSite) -> None:
        r = await line_site.client.put(
            "/api/v1/admin/line", json={"channel_secret": "not-hex"}, headers=line_site.admin
        )
        assert r.status_code == 422
        assert r.json()["detail_th"] == text.MESSAGES["secret_format"][0]

    async def test_only_an_admin_configures_line(self, line_site: LineSite) -> None:
        r = await line_site.client.get("/api/v1/admin/line", headers=line_site.staff)
        assert r.status_code == 403


class TestSignature:
    async def test_a_wrong_or_missing_signature_does_nothing(self, line_site: LineSite) -> None:
        ticket = await line_site.issue()
        r = await line_site.client.get(f"/line/link/{ticket['token']}")
        message = line_site.fake.message_event(new_user_id(), prepared_text(r.headers["location"]))
        wrong = await line_site.webhook([message], secret="f" * 32)
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "signature_bad"
        body, _ = line_site.fake.webhook([message])
        missing = await line_site.client.post("/line/webhook/demo", content=body)
        assert missing.status_code == 400
        assert missing.json()["detail_th"] == text.MESSAGES["signature_missing"][0]
        # The path without an office also checks (against every office's secret).
        anywhere = await line_site.client.post(
            "/line/webhook", content=body, headers={"X-Line-Signature": "AAAA"}
        )
        assert anywhere.status_code == 401
        with line_site.app.state.db.read() as session:
            statuses = session.execute(sa.text("SELECT status FROM line_link")).scalars().all()
        assert statuses == ["pending"]
        assert line_site.outbox() == []

    async def test_the_office_is_known_by_its_signature_without_a_path(
        self, line_site: LineSite
    ) -> None:
        ticket = await line_site.issue()
        r = await line_site.client.get(f"/line/link/{ticket['token']}")
        user = new_user_id()
        body, sig = line_site.fake.webhook(
            [line_site.fake.message_event(user, prepared_text(r.headers["location"]))]
        )
        r = await line_site.client.post(
            "/line/webhook", content=body, headers={"X-Line-Signature": sig}
        )
        assert r.status_code == 200 and r.json() == {"handled": 1}
        await wait_until(lambda: bool(replies(line_site, user)))


class TestLink:
    async def test_the_status_page_links_a_ticket_through_the_chat(
        self, line_site: LineSite
    ) -> None:
        ticket = await line_site.issue()
        page = await line_site.client.get(f"/t/{ticket['token']}")
        assert page.status_code == 200
        assert "แจ้งเตือนผ่าน LINE" in page.text and f"/line/link/{ticket['token']}" in page.text
        r = await line_site.client.get(f"/line/link/{ticket['token']}")
        assert r.status_code == 303
        location = r.headers["location"]
        assert location.startswith(f"{line_site.server.url}/oaMessage/%40saduakdemo/?")
        prepared = prepared_text(location)
        assert ticket["number"] in prepared
        # Pressing the button again gives the same one-time code.
        again = await line_site.client.get(f"/line/link/{ticket['token']}")
        assert prepared_text(again.headers["location"]) == prepared

        user = await line_site.link(ticket)
        assert any(ticket["number"] in reply for reply in replies(line_site, user))
        page = await line_site.client.get(f"/t/{ticket['token']}")
        assert text.NOTIFY_LINKED[0] in page.text
        assert f"/line/link/{ticket['token']}" not in page.text

        # The code was for one LINE account: someone else sending it is told so.
        other = new_user_id()
        await line_site.webhook([line_site.fake.message_event(other, prepared)])
        await wait_until(lambda: bool(replies(line_site, other)))
        assert replies(line_site, other) == [text.CODE_TAKEN]

    async def test_an_unknown_code_is_answered_with_the_next_step(
        self, line_site: LineSite
    ) -> None:
        user = new_user_id()
        await line_site.webhook([line_site.fake.message_event(user, "รหัส ABCDEFGH")])
        await wait_until(lambda: bool(replies(line_site, user)))
        assert replies(line_site, user) == [text.CODE_UNKNOWN]

    async def test_an_office_without_line_offers_no_button(self, line_site: LineSite) -> None:
        r = await line_site.client.put(
            "/api/v1/admin/line", json={"enabled": False}, headers=line_site.admin
        )
        assert r.status_code == 200
        ticket = await line_site.issue()
        page = await line_site.client.get(f"/t/{ticket['token']}")
        assert "แจ้งเตือนผ่าน LINE" not in page.text
        r = await line_site.client.get(f"/line/link/{ticket['token']}")
        assert r.status_code == 409
        assert text.NOT_AVAILABLE[0] in r.text


class TestPushes:
    async def test_three_ahead_is_pushed_once_with_the_status_pages_number(
        self, line_site: LineSite
    ) -> None:
        tickets = [await line_site.issue() for _ in range(6)]
        mine = tickets[-1]
        user = await line_site.link(mine)
        await line_site.settled()
        assert pushes(line_site, user) == []  # five ahead: not yet

        shown = []
        for called in range(1, 4):
            r = await line_site.call_next()
            assert r.status_code == 200 and r.json()["number"] == tickets[called - 1]["number"]
            await line_site.settled()
            status = (await line_site.client.get(f"/api/v1/status/{mine['token']}")).json()
            shown.append(status["waiting_ahead"])
        # One counter open, one line, first come first served: those issued earlier and not yet
        # called are ahead (an independent count).
        assert shown == [4, 3, 2] == [5 - called for called in range(1, 4)]
        near = [p for p in pushes(line_site, user) if "จะถึงคิวของท่าน" in p]
        assert near == [text.near(mine["number"], 3)]
        assert near[0].startswith("อีก 3 คิวจะถึงคิวของท่าน")

    async def test_the_reports_count_links_pushes_and_linked_arrivals(
        self, line_site: LineSite, demo: Any
    ) -> None:
        tickets = [await line_site.issue() for _ in range(3)]
        first = await line_site.link(tickets[0])
        await line_site.link(tickets[1])
        await line_site.webhook([line_site.fake.message_event(first, "ยกเลิกการแจ้งเตือน")])
        await wait_until(lambda: text.STOPPED in replies(line_site, first))
        assert (await line_site.call_next()).status_code == 200
        assert (await line_site.call_next()).status_code == 200
        await line_site.settled()
        manager = await login(line_site.client, "manager", demo.passwords["manager"])
        r = await line_site.client.get(
            "/api/v1/reports/summary?from=2026-11-27&to=2026-11-27", headers=manager
        )
        assert r.status_code == 200, r.text
        channels = r.json()["channels"]
        # Independently: what the fake LINE platform accepted, and the links made above.
        accepted = line_site.fake.pushes()
        assert channels["line"]["pushes_sent"] == len(accepted) > 0
        assert channels["line"]["links"] == 2 and channels["line"]["stopped"] == 1
        assert channels["arrivals"]["line_linked"] == 2
        assert channels["arrivals"]["total"] == 3

    async def test_the_call_and_the_survey_are_pushed(self, line_site: LineSite) -> None:
        ticket = await line_site.issue()
        user = await line_site.link(ticket)
        r = await line_site.call_next()
        assert r.status_code == 200
        await wait_until(lambda: text.called(ticket["number"], 1) in pushes(line_site, user))
        assert (await line_site.call_next()).status_code == 204  # served; nobody else waits
        survey_url = f"{line_site.app.state.queue.public_url}/survey/{ticket['token']}"
        await wait_until(
            lambda: text.survey(ticket["number"], survey_url) in pushes(line_site, user)
        )
        sent = line_site.fake.pushes(user)
        # Each push carried its own retry key, and the fake checked the bearer token.
        assert len({s.retry_key for s in sent}) == len(sent)
        kinds = [row.kind for row in line_site.outbox() if row.kind != "reply"]
        assert kinds == ["near", "call", "survey"]

    async def test_a_ticket_finished_while_its_notices_are_planned_still_gets_the_survey(
        self, line_site: LineSite
    ) -> None:
        """The counter finishes the ticket while a plan is reading, just after the office's
        links. The plan must write the survey then, or leave the link for the next plan; never
        close the link without it. On PostgreSQL a read whose statements each saw their own
        moment (the seq before the finish, the ticket after it) lost the survey this way."""
        ticket = await line_site.issue()
        user = await line_site.link(ticket)
        assert (await line_site.call_next()).status_code == 200
        await wait_until(lambda: text.called(ticket["number"], 1) in pushes(line_site, user))
        called = line_site.current
        loop = asyncio.get_running_loop()
        armed = True

        def finish_after_the_links_are_read(
            conn: Any, cursor: Any, statement: str, *args: Any
        ) -> None:
            nonlocal armed
            if armed and statement.lstrip().startswith("SELECT") and "FROM line_link" in statement:
                armed = False  # the plan after "started" reads the links: finish now
                finished = asyncio.run_coroutine_threadsafe(
                    line_site.client.post(
                        f"/api/v1/tickets/{called}/finish", headers=line_site.staff
                    ),
                    loop,
                ).result(30)
                assert finished.status_code == 200, finished.text

        engine = line_site.app.state.db.read_engine
        sa.event.listen(engine, "after_cursor_execute", finish_after_the_links_are_read)
        try:
            r = await line_site.client.post(
                f"/api/v1/tickets/{called}/start", headers=line_site.staff
            )
            assert r.status_code == 200, r.text
            survey_url = f"{line_site.app.state.queue.public_url}/survey/{ticket['token']}"
            await wait_until(
                lambda: text.survey(ticket["number"], survey_url) in pushes(line_site, user)
            )
        finally:
            sa.event.remove(engine, "after_cursor_execute", finish_after_the_links_are_read)
        assert not armed  # the interleaving happened

    async def test_stopping_by_message_stops_every_later_push(self, line_site: LineSite) -> None:
        tickets = [await line_site.issue() for _ in range(2)]
        user = await line_site.link(tickets[1])
        await line_site.webhook([line_site.fake.message_event(user, "ยกเลิกการแจ้งเตือน")])
        await wait_until(lambda: text.STOPPED in replies(line_site, user))
        # A notice already on its way when the stop came (one ahead: "near") still arrives;
        # the stop cancels what is queued, not what is being sent.
        await wait_until_async(line_site.outbox_idle)
        before = pushes(line_site, user)
        # The ticket ahead is served, then this one is called: nothing more is pushed.
        assert (await line_site.call_next()).status_code == 200
        r = await line_site.call_next()
        assert r.status_code == 200 and r.json()["number"] == tickets[1]["number"]
        await line_site.app.state.line.plan(1)
        await line_site.app.state.line_worker.run_once()
        await line_site.app.state.line_worker.drain()
        assert pushes(line_site, user) == before
        assert not any(row.kind == "call" for row in line_site.outbox())

    async def test_stopping_by_the_quick_reply_button(self, line_site: LineSite) -> None:
        ticket = await line_site.issue()
        user = await line_site.link(ticket)
        await line_site.webhook([line_site.fake.postback_event(user, text.STOP_POSTBACK)])
        await wait_until(lambda: text.STOPPED in replies(line_site, user))
        assert (await line_site.call_next()).status_code == 200
        await line_site.app.state.line.plan(1)
        await line_site.app.state.line_worker.run_once()
        await line_site.app.state.line_worker.drain()
        assert not any("ขอเชิญหมายเลข" in p for p in pushes(line_site, user))


# How long the app's LINE client waits while the fake platform hangs or answers late: every request
# it sends then is meant to time out, so this need not cover a slow answer on a loaded machine, as
# CLIENT_TIMEOUT does; only the request's way to the fake, which takes milliseconds.
FAILING_CLIENT_TIMEOUT = 1.0


@contextlib.contextmanager
def failing_line(site: LineSite) -> Iterator[None]:
    """The app's LINE client waits FAILING_CLIENT_TIMEOUT inside, CLIENT_TIMEOUT (as in every
    other test) before and after: the requests meant to succeed keep their margin, and the test
    does not wait 4 s for each one meant to time out."""
    api = site.app.state.line.api
    assert api.timeout == CLIENT_TIMEOUT
    api.timeout = FAILING_CLIENT_TIMEOUT
    try:
        yield
    finally:
        api.timeout = CLIENT_TIMEOUT


class TestFailingLine:
    async def test_a_hanging_line_api_never_delays_call_next(self, line_site: LineSite) -> None:
        tickets = [await line_site.issue() for _ in range(5)]
        user = await line_site.link(tickets[4])  # four ahead: nothing due yet
        line_site.fake.hang()
        with failing_line(line_site):
            r = await line_site.call_next()  # three ahead: the near push goes out, and hangs
            assert r.status_code == 200
            await wait_until(lambda: line_site.fake.held >= 1)
            # The push is stuck in LINE; the counter still calls, and the call is answered.
            r = await line_site.call_next()
            assert r.status_code == 200 and r.json()["number"] == tickets[1]["number"]
            assert line_site.fake.held >= 1
            assert pushes(line_site, user) == []
            # The client gave up on the hung request; the push waits for its retry.
            await wait_until(
                lambda: any(
                    row.kind == "near" and row.status == "queued" and row.attempts == 1
                    for row in line_site.outbox()
                )
            )
        line_site.fake.release()
        line_site.clock.advance(seconds=30)
        line_site.app.state.line_worker.wake()
        await wait_until(
            lambda: any(row.kind == "near" and row.status == "sent" for row in line_site.outbox())
        )
        near = [row for row in line_site.outbox() if row.kind == "near"]
        assert [(row.status, row.attempts) for row in near] == [("sent", 2)]
        # The notice says what was decided when it was due (three ahead), once.
        assert [p for p in pushes(line_site, user) if "จะถึงคิวของท่าน" in p] == [
            text.near(tickets[4]["number"], 3)
        ]

    async def test_a_failing_line_api_is_tried_a_bounded_number_of_times(
        self, line_site: LineSite
    ) -> None:
        tickets = [await line_site.issue() for _ in range(5)]
        user = await line_site.link(tickets[4])
        line_site.fake.fail_next = 1000
        assert (await line_site.call_next()).status_code == 200
        await line_site.settled()  # planned, tried once, waiting for its retry
        worker = line_site.app.state.line_worker
        for _ in range(8):
            line_site.clock.advance(minutes=3)
            await worker.run_once()
            await worker.drain()
        rows = [row for row in line_site.outbox() if row.kind == "near"]
        assert [(row.status, row.attempts) for row in rows] == [("failed", 5)]
        assert line_site.fake.attempts("/v2/bot/message/push") == 5
        assert pushes(line_site, user) == []

    async def test_a_push_whose_answer_was_lost_is_delivered_once(
        self, line_site: LineSite
    ) -> None:
        tickets = [await line_site.issue() for _ in range(2)]
        with failing_line(line_site):
            # Longer than the client waits (by 1.5 s, as before, for a late timer on a loaded
            # machine): LINE has it, we do not know.
            line_site.fake.delay = FAILING_CLIENT_TIMEOUT + 1.5
            user = await line_site.link(tickets[1])
            await wait_until(
                lambda: any(
                    row.kind == "near" and row.status == "queued" and row.attempts == 1
                    for row in line_site.outbox()
                )
            )
            # LINE accepted it (after the client gave up), then the retry comes.
            await wait_until(lambda: any("จะถึงคิวของท่าน" in p for p in pushes(line_site, user)))
            line_site.fake.delay = 0
        line_site.clock.advance(seconds=30)
        line_site.app.state.line_worker.wake()
        await wait_until(
            lambda: any(row.kind == "near" and row.status == "sent" for row in line_site.outbox())
        )
        # The retry carried the same retry key: LINE answered 409 and the citizen got one.
        assert len([p for p in pushes(line_site, user) if "จะถึงคิวของท่าน" in p]) == 1
        assert ("/v2/bot/message/push", 409) in line_site.fake.requests


async def book(client: httpx.AsyncClient, time: str) -> str:
    """A citizen's booking for a birth registration on Monday 30 November; its code."""
    r = await client.post(
        "/api/v1/bookings",
        json={
            "service": "birth",
            "date": "2026-11-30",
            "time": time,
            "name": "สมชาย ใจดี",
            "phone": "081-234-5678",
            "consent": True,
        },
    )
    assert r.status_code == 201, r.text
    code: str = r.json()["code"]
    return code


class TestBooking:
    async def test_a_booking_code_that_reads_like_a_link_code_does_not_hide_the_link_code(
        self, line_site: LineSite
    ) -> None:
        # Eight digits without 0 or 1 are also eight characters of the link code's alphabet:
        # the prepared message names the booking first and its link code last.
        client = line_site.client
        code = await book(client, "10:30")
        r = await client.get(f"/line/link/booking/{code}")
        assert r.status_code == 303
        said = prepared_text(r.headers["location"]).replace(code, "23456789")
        assert said.index("23456789") < said.index("รหัส")
        user = new_user_id()
        await line_site.webhook([line_site.fake.message_event(user, said)])
        await wait_until(lambda: any("เชื่อมต่อการนัดหมาย" in t for t in replies(line_site, user)))

    async def test_a_booking_is_reminded_the_day_before_then_follows_its_ticket(
        self, line_site: LineSite
    ) -> None:
        client = line_site.client
        code = await book(client, "10:00")
        offer = await client.get(f"/api/v1/line/offer/booking/{code}")
        assert offer.status_code == 200 and offer.json()["th"] == text.NOTIFY_BUTTON[0]
        page = await client.get(f"/book/{code}")
        assert text.NOTIFY_BUTTON[0] in page.text and offer.json()["href"] in page.text
        r = await client.get(offer.json()["href"])
        assert r.status_code == 303
        user = new_user_id()
        await line_site.webhook(
            [line_site.fake.message_event(user, prepared_text(r.headers["location"]))]
        )
        await wait_until(lambda: any("เชื่อมต่อการนัดหมาย" in t for t in replies(line_site, user)))
        assert (await client.get(f"/api/v1/line/offer/booking/{code}")).json()["linked"] is True

        # Friday: nothing yet. Sunday 09:00 (the day before): the reminder, once.
        await line_site.settled()
        assert pushes(line_site, user) == []
        line_site.clock.now = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
        await line_site.settled()
        await line_site.settled()
        reminders = [p for p in pushes(line_site, user) if "แจ้งเตือนการนัดหมายวันพรุ่งนี้" in p]
        assert len(reminders) == 1 and code in reminders[0]

        # Monday 09:50: checked in at the kiosk; its ticket's call is pushed.
        line_site.clock.now = datetime(2026, 11, 30, 2, 50, tzinfo=UTC)
        r = await client.post(f"/api/v1/bookings/{code}/check-in", headers=line_site.kiosk)
        assert r.status_code == 201, r.text
        number = r.json()["number"]
        await line_site.settled()
        assert (
            await client.post("/api/v1/counters/1/open", headers=line_site.staff)
        ).status_code in (204, 409)
        line_site.current = None
        r = await line_site.call_next()
        assert r.status_code == 200 and r.json()["number"] == number
        await wait_until(lambda: text.called(number, 1) in pushes(line_site, user))


class TestDemo:
    def test_the_demo_gets_a_fake_line_platform_and_an_account_on_it(
        self, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url = seeded_sqlite(tmp_path / "demo.db", sqlite_template, DEFAULT_NOW)
        monkeypatch.setenv("SADUAK_DATABASE_URL", url)
        monkeypatch.setenv("SADUAK_LINE_API_URL", "")
        monkeypatch.setenv("SADUAK_LINE_CHAT_URL", "")
        get_settings.cache_clear()
        server = cli._start_line_fake("0.0.0.0", 8123)
        try:
            assert get_settings().line_api_url == server.url
            assert get_settings().line_chat_url == f"{server.url}/oaMessage"
            assert server.fake.webhook_url == "http://127.0.0.1:8123/line/webhook/demo"
            db = Database(url)
            with db.read() as session:
                account = session.get(LineAccount, 1)
            db.dispose()
            assert account is not None and account.enabled and account.basic_id == DEMO_BASIC_ID
        finally:
            server.stop()
            get_settings.cache_clear()
