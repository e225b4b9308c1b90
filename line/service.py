"""LINE use cases: the office's account, the one-time link code, what the bot receives, which
notices are due, and sending them.

Notices are decided after the queue's own transaction, never inside it: `plan` runs when the
office's events arrive on the bus (line.notifier) and writes outbox rows keyed so that deciding
twice (several processes, a replayed event) writes once. The number in "อีก 3 คิวจะถึงคิวของท่าน"
is the status page's own `waiting_ahead` (`QueueService.tickets_by_token`: the office forecast).
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

import anyio.to_thread
from pydantic import BaseModel
from sqlmodel import Session

from counter import outbox
from counter.db import Database
from counter.models import Office, Ticket, TicketEvent
from counter.outbox import Message, Outcome
from counter.queue.errors import Conflict, InvalidInput, NotFound
from counter.queue.states import TicketStatus
from counter.service import QueueService, TicketView, local_day
from counter.texts import say
from line import repository as repo
from line import text
from line.client import LineApi
from line.models import LineAccount, LineLink

log = logging.getLogger(__name__)

CHANNEL = "line"
# The link code: 8 characters nobody confuses when reading them aloud (no 0/O, 1/I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_PATTERN = re.compile(rf"(?<![A-Z0-9])([{CODE_ALPHABET}]{{{CODE_LENGTH}}})(?![A-Z0-9])")
CODE_LIFETIME = timedelta(hours=12)
SECRET_PATTERN = re.compile(r"^[0-9a-f]{32}$")
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9+/=._-]{20,400}$")
BASIC_ID_PATTERN = re.compile(r"^@[a-z0-9._-]{3,30}$")
MAX_THRESHOLD = 20

# A ticket linked in one of these can still be told something.
OPEN_STATUSES = {
    TicketStatus.WAITING,
    TicketStatus.CALLED,
    TicketStatus.SERVING,
    TicketStatus.HELD,
    TicketStatus.NO_SHOW,
}
FINAL_STATUSES = {TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.UNSERVED}

# How long each notice is worth sending: past this it is expired, not sent late.
DEADLINES = {
    "near": timedelta(minutes=30),
    "call": timedelta(minutes=10),
    "missed": timedelta(minutes=30),
    "survey": timedelta(hours=12),
    # A booking's reminder is worth sending until its slot (set per message).
    "reminder": timedelta(hours=24),
    # LINE accepts a reply token for a short while only.
    "reply": timedelta(minutes=1),
}


def _stop_quick_reply() -> dict[str, Any]:
    return {
        "items": [
            {
                "type": "action",
                "action": {
                    "type": "postback",
                    "label": text.STOP_LABEL,
                    "data": text.STOP_POSTBACK,
                    "displayText": text.STOP_LABEL,
                },
            }
        ]
    }


def text_message(body: str, *, stop_button: bool = False) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "text", "text": body}
    if stop_button:
        message["quickReply"] = _stop_quick_reply()
    return message


# ------------------------------------------------------------------ the account


class AccountView(BaseModel):
    """What admin pages and the API show: never the secret or the token themselves."""

    configured: bool
    enabled: bool
    secret_set: bool
    token_set: bool
    # The token's last four characters, at most.
    token_hint: str
    basic_id: str
    near_threshold: int
    updated_at: datetime | None


def account_view(account: LineAccount | None) -> AccountView:
    if account is None:
        return AccountView(
            configured=False,
            enabled=False,
            secret_set=False,
            token_set=False,
            token_hint="",
            basic_id="",
            near_threshold=3,
            updated_at=None,
        )
    return AccountView(
        configured=_complete(account),
        enabled=account.enabled,
        secret_set=bool(account.channel_secret),
        token_set=bool(account.access_token),
        token_hint=f"…{account.access_token[-4:]}" if len(account.access_token) >= 12 else "",
        basic_id=account.basic_id,
        near_threshold=account.near_threshold,
        updated_at=account.updated_at,
    )


def audit_snapshot(account: LineAccount | None) -> dict[str, Any] | None:
    """The audit log's view: whether a secret is set and the token's last four, nothing more."""
    if account is None:
        return None
    view = account_view(account)
    return {
        "secret_set": view.secret_set,
        "token": view.token_hint or ("set" if view.token_set else ""),
        "basic_id": view.basic_id,
        "near_threshold": view.near_threshold,
        "enabled": view.enabled,
    }


def _complete(account: LineAccount) -> bool:
    return bool(account.channel_secret and account.access_token and account.basic_id)


def _active(account: LineAccount | None) -> bool:
    return account is not None and account.enabled and _complete(account)


@dataclass(frozen=True)
class AccountChange:
    """Admin → LINE. None leaves a field as it is (the secret and token are write-only: an
    empty field keeps the saved value)."""

    channel_secret: str | None = None
    access_token: str | None = None
    basic_id: str | None = None
    near_threshold: int | None = None
    enabled: bool | None = None


def _refuse(key: str) -> InvalidInput:
    th, en = text.MESSAGES[key]
    return InvalidInput(th, en)


def apply_change(account: LineAccount, change: AccountChange) -> None:
    if change.channel_secret:
        secret = change.channel_secret.strip()
        if not SECRET_PATTERN.match(secret):
            raise _refuse("secret_format")
        account.channel_secret = secret
    if change.access_token:
        token = change.access_token.strip()
        if not TOKEN_PATTERN.match(token):
            raise _refuse("token_format")
        account.access_token = token
    if change.basic_id is not None:
        basic_id = change.basic_id.strip().lower()
        if basic_id and not basic_id.startswith("@"):
            basic_id = "@" + basic_id
        if basic_id and not BASIC_ID_PATTERN.match(basic_id):
            raise _refuse("basic_id_format")
        account.basic_id = basic_id
    if change.near_threshold is not None:
        account.near_threshold = max(0, min(MAX_THRESHOLD, change.near_threshold))
    if change.enabled is not None:
        account.enabled = change.enabled
    if account.enabled and not _complete(account):
        raise _refuse("incomplete")


# ------------------------------------------------------------------ bookings (a port)


class BookingInfo(Protocol):
    """What LINE reads of a booking (the bookings package's BookingView has these)."""

    id: int
    office_id: int
    code: str
    service_th: str
    day: date
    when_th: str
    slot_start: datetime
    # booked | checked_in | cancelled | missed
    status: str
    ticket_id: int | None


class BookingPort(Protocol):
    """The bookings the app factory hands LINE (siblings never import each other)."""

    async def find(self, code: str) -> BookingInfo: ...

    async def bookings_on(self, office_id: int, day: date) -> Sequence[BookingInfo]: ...


# Day-before reminders go out from this local time on (not at midnight).
REMINDER_FROM = time(8, 0)


# ------------------------------------------------------------------ links and webhooks


@dataclass(frozen=True)
class LinkOffer:
    code: str
    number: str
    chat_url: str


@dataclass(frozen=True)
class StatusOffer:
    """What the status page shows for LINE: nothing, the button, or "on"."""

    linked: bool
    href: str


class SignatureMissing(Exception):
    pass


class SignatureRefused(Exception):
    pass


class NotAvailable(Conflict):
    code = "line_not_available"


@dataclass
class _Reply:
    token: str
    event_id: str
    messages: list[dict[str, Any]]


class LineService:
    """The LINE use cases of every office on this server."""

    def __init__(
        self,
        db: Database,
        queue: QueueService,
        api: LineApi,
        *,
        chat_url: str = "https://line.me/R/oaMessage",
        clock: Callable[[], datetime],
        bookings: BookingPort | None = None,
    ) -> None:
        self.bookings = bookings
        self.db = db
        self.queue = queue
        self.api = api
        self.chat_url = chat_url.rstrip("/")
        self.clock = clock
        # Told when messages were written (the worker sends them) or a link was made (the
        # notifier plans that office at once).
        self.on_written: list[Callable[[], None]] = []
        self.on_linked: list[Callable[[int], None]] = []

    async def _read(self, fn: Callable[[Session], Any]) -> Any:
        def run() -> Any:
            with self.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    async def _write(self, fn: Callable[[Session], Any]) -> Any:
        def run() -> Any:
            with self.db.write() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    def _written(self) -> None:
        for callback in self.on_written:
            callback()

    # ------------------------------------------------------------ the account

    async def account(self, office_id: int) -> AccountView:
        return account_view(await self._read(lambda s: repo.account(s, office_id)))

    async def offices(self) -> list[int]:
        """Offices whose LINE notices are on."""
        rows = await self._read(repo.accounts)
        return [row.office_id for row in rows if _active(row)]

    async def configure(
        self, office_id: int, staff_id: int, change: AccountChange
    ) -> tuple[AccountView, dict[str, Any] | None, dict[str, Any] | None]:
        """Save the office's account; the view and the audit snapshots before and after."""
        now = self.clock()

        def write(session: Session) -> tuple[AccountView, Any, Any]:
            account = repo.account(session, office_id)
            before = audit_snapshot(account)
            if account is None:
                account = LineAccount(office_id=office_id, enabled=False)
                session.add(account)
            apply_change(account, change)
            account.updated_at = now
            account.updated_by = staff_id
            session.flush()
            return account_view(account), before, audit_snapshot(account)

        result: tuple[AccountView, Any, Any] = await self._write(write)
        return result

    # ------------------------------------------------------------ the status page's button

    async def status_offer(self, office_id: int, token: str) -> StatusOffer | None:
        def read(session: Session) -> StatusOffer | None:
            if not _active(repo.account(session, office_id)):
                return None
            ticket = repo.ticket_by_token(session, token)
            if ticket is None or ticket.id is None or ticket.status not in OPEN_STATUSES:
                return None
            linked = any(
                link.status == repo.LINKED for link in repo.ticket_links(session, ticket.id)
            )
            return StatusOffer(linked, f"/line/link/{token}")

        offer: StatusOffer | None = await self._read(read)
        return offer

    async def offer_link(self, token: str) -> LinkOffer:
        """The chat link for a ticket's status token, with a one-time code (reused while it is
        unused, so opening the button twice gives the same code)."""
        now = self.clock()

        def write(session: Session) -> LinkOffer:
            ticket = repo.ticket_by_token(session, token)
            if ticket is None or ticket.id is None:
                raise NotFound(*say("no_ticket"))
            account = repo.account(session, ticket.office_id)
            if not _active(account):
                raise NotAvailable(*text.NOT_AVAILABLE)
            assert account is not None
            if ticket.status not in OPEN_STATUSES:
                raise Conflict(*text.TICKET_FINISHED)
            link = _pending_link(session, now, ticket.office_id, ticket_id=ticket.id)
            message = text.LINK_REQUEST.format(number=ticket.number, code=link.code)
            return LinkOffer(link.code, ticket.number, self._chat_url(account, message))

        offer: LinkOffer = await self._write(write)
        return offer

    async def _booking(self, code: str) -> BookingInfo:
        if self.bookings is None:
            raise NotFound(*text.NO_BOOKING)
        return await self.bookings.find(code)

    async def booking_offer(self, code: str) -> StatusOffer | None:
        """The booking confirmation's LINE button (None: the office has no LINE, or the
        booking can no longer be told anything)."""
        booking = await self._booking(code)

        def read(session: Session) -> StatusOffer | None:
            if not _active(repo.account(session, booking.office_id)):
                return None
            if booking.status != "booked":
                return None
            linked = any(
                link.status == repo.LINKED for link in repo.booking_links(session, booking.id)
            )
            return StatusOffer(linked, f"/line/link/booking/{quote(booking.code, safe='')}")

        offer: StatusOffer | None = await self._read(read)
        return offer

    async def offer_booking_link(self, code: str) -> LinkOffer:
        """The chat link for a booking (its code as the citizen holds it), with a one-time
        code: the day-before reminder, then the ticket's notices once checked in."""
        booking = await self._booking(code)
        now = self.clock()

        def write(session: Session) -> LinkOffer:
            account = repo.account(session, booking.office_id)
            if not _active(account):
                raise NotAvailable(*text.NOT_AVAILABLE)
            assert account is not None
            if booking.status != "booked":
                raise Conflict(*text.BOOKING_OVER)
            link = _pending_link(
                session, now, booking.office_id, booking_id=booking.id, booking_code=booking.code
            )
            message = text.LINK_BOOKING_REQUEST.format(booking=booking.code, code=link.code)
            return LinkOffer(link.code, booking.code, self._chat_url(account, message))

        offer: LinkOffer = await self._write(write)
        return offer

    def _chat_url(self, account: LineAccount, message: str) -> str:
        return f"{self.chat_url}/{quote(account.basic_id, safe='')}/?{quote(message, safe='')}"

    async def receive(self, office_code: str | None, body: str, signature: str | None) -> int:
        """A webhook from LINE: check its signature against the office's channel secret (or,
        without an office in the path, against every office's: the one that verifies it sent
        it), then act on its events. Returns how many events were handled.

        Raises SignatureMissing / SignatureRefused before anything is done."""
        if not signature:
            raise SignatureMissing()

        def accounts(session: Session) -> list[LineAccount]:
            if office_code is None:
                return [a for a in repo.accounts(session) if a.channel_secret]
            office = repo.office_by_code(session, office_code)
            account = repo.account(session, office.id) if office and office.id else None
            return [account] if account and account.channel_secret else []

        # The SDK's webhook package is loaded by the first webhook, not with every server process.
        from linebot.v3 import WebhookParser
        from linebot.v3.exceptions import InvalidSignatureError

        payload = None
        office_id = None
        for account in await self._read(accounts):
            try:
                payload = WebhookParser(account.channel_secret).parse(
                    body, signature, as_payload=True
                )
            except InvalidSignatureError:
                continue
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(*text.MESSAGES["body_bad"]) from exc
            office_id = account.office_id
            break
        if payload is None or office_id is None:
            raise SignatureRefused()
        handled = 0
        for event in payload.events or []:
            handled += await self._handle(office_id, event)
        return handled

    async def _handle(self, office_id: int, event: Any) -> int:
        from linebot.v3.webhooks import (
            MessageEvent,
            PostbackEvent,
            TextMessageContent,
            UnfollowEvent,
        )

        source = getattr(event, "source", None)
        user_id = getattr(source, "user_id", None)
        if not user_id:
            return 0  # a group or room: the OA links people one by one
        reply_token = getattr(event, "reply_token", None)
        event_id = str(getattr(event, "webhook_event_id", "") or uuid.uuid4().hex)
        if isinstance(event, UnfollowEvent):
            await self._stop(office_id, user_id, None)
            return 1
        if isinstance(event, PostbackEvent):
            if event.postback.data == text.STOP_POSTBACK:
                await self._stop(office_id, user_id, _Reply(reply_token or "", event_id, []))
                return 1
            return 0
        if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
            said = event.message.text.strip()
            reply = _Reply(reply_token or "", event_id, [])
            if said.casefold() in {w.casefold() for w in text.STOP_WORDS}:
                await self._stop(office_id, user_id, reply)
                return 1
            # The last code-like word: the prepared message ends with the link code, and a
            # booking code before it (eight digits without 0 or 1) reads like one too.
            found = CODE_PATTERN.findall(said.upper())
            if found:
                await self._link(office_id, user_id, found[-1], reply)
                return 1
        return 0

    def _queue_reply(self, session: Session, office_id: int, reply: _Reply | None) -> None:
        if reply is None or not reply.token or not reply.messages:
            return
        outbox.add(
            session,
            office_id=office_id,
            channel=CHANNEL,
            key=f"line:reply:{reply.event_id}",
            kind="reply",
            payload={"reply_token": reply.token, "messages": reply.messages},
            now=self.clock(),
            deadline=DEADLINES["reply"],
            max_attempts=2,
        )

    async def _link(self, office_id: int, user_id: str, code: str, reply: _Reply) -> None:
        now = self.clock()
        booking = None
        pending = await self._read(lambda s: repo.link_by_code(s, office_id, code, lock=False))
        if pending is not None and pending.booking_id is not None and pending.ticket_id is None:
            booking = await self._booking_by_link(pending)

        def write(session: Session) -> bool:
            made = False
            link = repo.link_by_code(session, office_id, code)
            if link is not None and link.ticket_id is None and link.booking_id is not None:
                return self._link_booking(session, link, booking, user_id, reply, now)
            ticket = session.get(Ticket, link.ticket_id) if link and link.ticket_id else None
            if link is None or ticket is None or link.status in (repo.STOPPED, repo.CLOSED):
                body = text.CODE_UNKNOWN
            elif link.status == repo.LINKED:
                body = (
                    text.already_linked(ticket.number)
                    if link.line_user_id == user_id
                    else text.CODE_TAKEN
                )
            elif link.code_expires_at <= now:
                body = text.CODE_UNKNOWN
            elif ticket.status not in OPEN_STATUSES:
                body = text.TICKET_OVER
            else:
                office = session.get(Office, office_id)
                assert office is not None
                link.status = repo.LINKED
                link.line_user_id = user_id
                link.linked_at = now
                # Notices from now on: what happened before the link is not pushed.
                link.cursor_seq = office.event_seq
                body = text.linked(ticket.number)
                made = True
            reply.messages = [text_message(body, stop_button=made)]
            self._queue_reply(session, office_id, reply)
            return made

        made = await self._write(write)
        self._written()
        if made:
            for callback in self.on_linked:
                callback(office_id)

    async def _booking_by_link(self, link: LineLink) -> BookingInfo | None:
        if self.bookings is None or link.booking_code is None:
            return None
        try:
            return await self.bookings.find(link.booking_code)
        except NotFound:
            return None

    def _link_booking(
        self,
        session: Session,
        link: LineLink,
        booking: BookingInfo | None,
        user_id: str,
        reply: _Reply,
        now: datetime,
    ) -> bool:
        made = False
        if link.status == repo.LINKED and link.line_user_id != user_id:
            body = text.CODE_TAKEN
        elif link.status == repo.LINKED and booking is not None:
            body = text.linked_booking(booking.when_th, booking.service_th)
        elif link.status != repo.PENDING or link.code_expires_at <= now or booking is None:
            body = text.CODE_UNKNOWN
        elif booking.status != "booked":
            body = text.BOOKING_OVER[0] + "\n" + text.BOOKING_OVER[1]
        else:
            link.status = repo.LINKED
            link.line_user_id = user_id
            link.linked_at = now
            body = text.linked_booking(booking.when_th, booking.service_th)
            made = True
        reply.messages = [text_message(body, stop_button=made)]
        self._queue_reply(session, link.office_id, reply)
        return made

    async def _stop(self, office_id: int, user_id: str, reply: _Reply | None) -> None:
        now = self.clock()

        def write(session: Session) -> None:
            links = repo.links_of_user(session, office_id, user_id)
            for link in links:
                link.status = repo.STOPPED
                link.stopped_at = now
            outbox.cancel(session, [f"line-link:{link.id}" for link in links], now)
            if reply is not None:
                reply.messages = [text_message(text.STOPPED if links else text.NOTHING_TO_STOP)]
                self._queue_reply(session, office_id, reply)

        await self._write(write)
        self._written()

    # ------------------------------------------------------------ notices

    async def plan(self, office_id: int) -> int:
        """Write the notices now due for the office's linked tickets; how many were written.

        One read gives the linked tickets, the office's seq and the events since each link's
        cursor up to that seq, then the write. A read sees one snapshot of the database
        (`Database.read`), so every ticket state read has its event among those read: a link is
        never closed (its ticket finished) without the notice of the event that finished it. An
        event that lands after the read is noticed by the next plan."""

        def read(session: Session) -> Any:
            account = repo.account(session, office_id)
            office = session.get(Office, office_id)
            if not _active(account) or office is None:
                return None
            links = list(repo.linked(session, office_id))
            if not links:
                return None
            tickets = repo.tickets(session, [link.ticket_id for link in links if link.ticket_id])
            upto = office.event_seq
            after = min(link.cursor_seq for link in links)
            events = repo.ticket_events_after(session, office_id, list(tickets), after, upto)
            counters = repo.counter_numbers(session, office_id)
            return account, office, links, tickets, list(events), upto, counters

        found = await self._read(read)
        if found is None:
            return 0
        account, office, links, tickets, events, upto, counters = found
        tokens = [t.token for t in tickets.values() if t.status == TicketStatus.WAITING]
        views: dict[int, TicketView] = {}
        if tokens:
            _, seen = await self.queue.tickets_by_token(office_id, tokens)
            views = {view.id: view for view in seen}
        now = self.clock()
        today = local_day(now, office.timezone)
        near_due = any(
            view.status == TicketStatus.WAITING
            and view.waiting_ahead <= account.near_threshold
            and view.transaction_no not in {link.near_transaction for link in links}
            for view in views.values()
        )
        ended = any(t.status in FINAL_STATUSES or t.business_day < today for t in tickets.values())
        bookings = await self._bookings_of(links)
        booking_due = {
            link_id: step
            for link_id, booking in bookings.items()
            if (step := _booking_step(booking, links, link_id, now, office.timezone)) is not None
        }
        if not events and not near_due and not ended and not booking_due:
            return 0  # nothing to write: the queue's writer keeps the lock to itself

        def write(session: Session) -> tuple[int, bool]:
            written = 0
            adopted = False
            fresh = repo.links_for_update(session, [link.id for link in links])
            for link_id, step in booking_due.items():
                link = fresh.get(link_id)
                if link is None or link.status != repo.LINKED or link.ticket_id is not None:
                    continue
                written += self._booking_notice(session, link, bookings[link_id], step, now)
                adopted = adopted or link.ticket_id is not None
            for link in fresh.values():
                if link.status != repo.LINKED or link.ticket_id is None:
                    continue
                ticket = tickets.get(link.ticket_id)
                if ticket is None:
                    continue
                for event in events:
                    if event.ticket_id != ticket.id or event.seq <= link.cursor_seq:
                        continue
                    written += self._notice_of_event(session, link, ticket, event, counters, now)
                link.cursor_seq = max(link.cursor_seq, upto)
                view = views.get(ticket.id) if ticket.id is not None else None
                if (
                    view is not None
                    and view.status == TicketStatus.WAITING
                    and view.waiting_ahead <= account.near_threshold
                    and link.near_transaction != view.transaction_no
                ):
                    written += self._add(
                        session,
                        link,
                        "near",
                        f"near:{view.transaction_no}",
                        text.near(view.number, view.waiting_ahead),
                        now,
                        stop_button=True,
                    )
                    link.near_transaction = view.transaction_no
                if ticket.status in FINAL_STATUSES or ticket.business_day < today:
                    link.status = repo.CLOSED
            return written, adopted

        written, adopted = await self._write(write)
        if written:
            self._written()
        if adopted:
            # A booking checked in: its link now follows the ticket (near, call, survey).
            written += await self.plan(office_id)
        return int(written)

    async def _bookings_of(self, links: Sequence[LineLink]) -> dict[int, BookingInfo]:
        """The bookings of booking links not yet following a ticket, by link id."""
        found: dict[int, BookingInfo] = {}
        if self.bookings is None:
            return found
        for link in links:
            if link.ticket_id is None and link.booking_code and link.id is not None:
                try:
                    found[link.id] = await self.bookings.find(link.booking_code)
                except NotFound:
                    continue
        return found

    def _booking_notice(
        self, session: Session, link: LineLink, booking: BookingInfo, step: str, now: datetime
    ) -> int:
        if step == "close":
            link.status = repo.CLOSED
            return 0
        if step == "follow" and booking.ticket_id is not None:
            first = repo.first_event_seq(session, booking.ticket_id)
            link.ticket_id = booking.ticket_id
            # Every event of the ticket from its issue on is the citizen's news.
            link.cursor_seq = (first - 1) if first is not None else link.cursor_seq
            return 0
        if step == "remind" and link.reminded_for != booking.day:
            link.reminded_for = booking.day
            return self._add(
                session,
                link,
                "reminder",
                f"reminder:{booking.day.isoformat()}",
                text.reminder(booking.when_th, booking.service_th, booking.code),
                now,
                stop_button=True,
                deadline=max(booking.slot_start - now, timedelta(minutes=1)),
            )
        return 0

    def _notice_of_event(
        self,
        session: Session,
        link: LineLink,
        ticket: Ticket,
        event: TicketEvent,
        counters: dict[int, int],
        now: datetime,
    ) -> int:
        key = f"event:{event.seq}"
        if event.kind in ("called", "recalled", "unheld"):
            counter = counters.get(event.counter_id) if event.counter_id else None
            return self._add(session, link, "call", key, text.called(ticket.number, counter), now)
        if event.kind == "no_show":
            return self._add(session, link, "missed", key, text.missed(ticket.number), now)
        if event.kind == "finished":
            url = f"{self.queue.public_url}/survey/{ticket.token}"
            return self._add(session, link, "survey", key, text.survey(ticket.number, url), now)
        return 0

    def _add(
        self,
        session: Session,
        link: LineLink,
        kind: str,
        key: str,
        body: str,
        now: datetime,
        *,
        stop_button: bool = False,
        deadline: timedelta | None = None,
    ) -> int:
        assert link.id is not None and link.line_user_id is not None
        added = outbox.add(
            session,
            office_id=link.office_id,
            channel=CHANNEL,
            key=f"line:{link.id}:{key}",
            subject=f"line-link:{link.id}",
            kind=kind,
            payload={
                "to": link.line_user_id,
                "messages": [text_message(body, stop_button=stop_button)],
                # LINE's X-Line-Retry-Key: a retried push is accepted once.
                "retry_key": str(uuid.uuid4()),
            },
            now=now,
            deadline=deadline or DEADLINES[kind],
        )
        return 1 if added else 0

    # ------------------------------------------------------------ sending (the outbox's sender)

    async def send(self, message: Message) -> Outcome:
        account = await self._read(lambda s: repo.account(s, message.office_id))
        if not _active(account):
            return Outcome(False, "LINE is off for this office", retry=False)
        payload = message.payload
        messages = list(payload.get("messages") or [])
        if "reply_token" in payload:
            return await self.api.reply(account.access_token, payload["reply_token"], messages)
        return await self.api.push(
            account.access_token, payload["to"], messages, payload["retry_key"]
        )

    # ------------------------------------------------------------ figures

    async def linked_arrivals(self, office_id: int, first: date, last: date) -> int:
        """Arrivals (tickets) of the period that were linked to LINE: the reports' channels."""
        count: int = await self._read(lambda s: repo.linked_ticket_count(s, office_id, first, last))
        return count

    async def figures(self, office_id: int, since: datetime, until: datetime) -> dict[str, Any]:
        """Links made and messages sent in [since, until), for the reports."""

        def read(session: Session) -> dict[str, Any]:
            made, stopped, tickets = repo.link_counts(session, office_id, since, until)
            by_kind = outbox.counts(session, office_id, CHANNEL, since, until)
            pushes: dict[str, dict[str, int]] = {}
            for (kind, status), n in by_kind.items():
                if kind == "reply":
                    continue
                pushes.setdefault(kind, {})[status] = n
            return {
                "links": made,
                "linked_tickets": tickets,
                "stopped": stopped,
                "pushes": pushes,
                "pushes_sent": sum(v.get(outbox.SENT, 0) for v in pushes.values()),
                "pushes_failed": sum(
                    v.get(outbox.FAILED, 0) + v.get(outbox.EXPIRED, 0) for v in pushes.values()
                ),
            }

        result: dict[str, Any] = await self._read(read)
        return result


def _booking_step(
    booking: BookingInfo, links: Sequence[LineLink], link_id: int, now: datetime, tz: str
) -> str | None:
    """What a booking's link needs now: follow its ticket (checked in), close (cancelled or
    missed), the day-before reminder (once, from REMINDER_FROM), or nothing."""
    if booking.status == "checked_in" and booking.ticket_id is not None:
        return "follow"
    if booking.status in ("cancelled", "missed"):
        return "close"
    local = now.astimezone(ZoneInfo(tz))
    link = next((link for link in links if link.id == link_id), None)
    if (
        booking.status == "booked"
        and booking.day == local.date() + timedelta(days=1)
        and local.time() >= REMINDER_FROM
        and link is not None
        and link.reminded_for != booking.day
    ):
        return "remind"
    return None


def seed_account(
    session: Session, office_id: int, secret: str, token: str, basic_id: str, now: datetime
) -> bool:
    """Give an office without a LINE account this one (the demo's fake); False when it has one
    already, which is never overwritten."""
    if repo.account(session, office_id) is not None:
        return False
    account = LineAccount(office_id=office_id, enabled=True, updated_at=now)
    apply_change(account, AccountChange(secret, token, basic_id, None, True))
    session.add(account)
    return True


def _pending_link(
    session: Session,
    now: datetime,
    office_id: int,
    *,
    ticket_id: int | None = None,
    booking_id: int | None = None,
    booking_code: str | None = None,
) -> LineLink:
    """The subject's unused link code (so opening the button twice gives the same code), or a
    new one: a ticket's, or a booking's before check-in."""
    link = repo.pending_link(session, now, ticket_id=ticket_id, booking_id=booking_id)
    if link is None:
        link = LineLink(
            office_id=office_id,
            ticket_id=ticket_id,
            booking_id=booking_id,
            booking_code=booking_code,
            code=_new_code(),
            code_expires_at=now + CODE_LIFETIME,
            created_at=now,
        )
        session.add(link)
        session.flush()
    return link


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
