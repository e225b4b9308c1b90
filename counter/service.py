"""Queue use cases: each one write of the office unit of work (counter.unit_of_work).

Every write locks the office, runs the day rollover (registered here) if the business day has
changed, does its work, and appends TicketEvent rows with the office's next sequence numbers. Only
after the commit are the events published on the bus, so a rolled-back call is never shown.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import Session

from counter import print_jobs, texts
from counter import repository as repo
from counter.auth import Role, StaffPrincipal
from counter.bus import Bus
from counter.db import Database
from counter.models import (
    Counter,
    Device,
    Installation,
    Office,
    Service,
    Ticket,
)
from counter.queue.errors import (
    AlreadyTaken,
    Conflict,
    CounterBusy,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
)
from counter.queue.events import (
    Event,
    PrinterStateChanged,
    QueueRolledOver,
    TicketChanged,
)
from counter.queue.forecast import (
    LOADED_PER_LINE,
    NOT_WAITING,
    CounterPlan,
    Estimate,
    Forecast,
    expected_minutes,
    forecast,
    remaining_minutes,
)
from counter.queue.hours import OfficeHours, issuing_refusal, next_issuing_opening
from counter.queue.numbering import MAX_DAILY_NUMBER, format_number
from counter.queue.policy import (
    Candidate,
    CounterMix,
    CounterPolicy,
    ServeMode,
    ServiceSlot,
    choose,
)
from counter.queue.states import AT_COUNTER_STATES, Action, Priority, TicketStatus, advance
from counter.texts import say
from counter.unit_of_work import (
    OfficeTx,
    OfficeWork,
    day_start,
    local_day,
    utcnow,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

PAUSE_REASONS = tuple(texts.PAUSE_REASONS)

# The event kind logged for each action (past tense, as the reports read them).
EVENT_KIND: dict[Action, str] = {
    Action.CALL: "called",
    Action.RECALL: "recalled",
    Action.START: "started",
    Action.FINISH: "finished",
    Action.NO_SHOW: "no_show",
    Action.REACTIVATE: "reactivated",
    Action.CANCEL: "cancelled",
    Action.TRANSFER: "transferred",
    Action.HOLD: "held",
    Action.UNHOLD: "unheld",
    Action.RELEASE: "released",
    Action.CLOSE_UNSERVED: "closed_unserved",
}


def installation_namespace(db: Database, now: datetime) -> str:
    """This installation's bus namespace: random, made by the first process that asks, then the
    same for every process that serves from this database."""
    with db.read() as session:
        row = repo.installation(session)
    if row is not None:
        return row.bus_namespace
    try:
        with db.write() as session:
            row = repo.installation(session)
            if row is None:
                row = Installation(id=1, bus_namespace=secrets.token_hex(6), created_at=now)
                session.add(row)
                session.flush()
            namespace = row.bus_namespace
    except sa.exc.IntegrityError:
        # Another process made it in the meantime (PostgreSQL; SQLite's write lock orders them).
        with db.read() as session:
            row = repo.installation(session)
            assert row is not None
            namespace = row.bus_namespace
    return namespace


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    service: str
    service_id: int
    service_name_th: str
    service_name_en: str
    status: str
    priority: str | None
    issued_at: datetime
    # From the office's forecast (counter.queue.forecast): the calls before this ticket by the
    # counters that can serve it, and the wait as a point and a [low, high] range in minutes.
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    status_url: str
    token: str
    counter: int | None
    recall_count: int
    transaction_no: int
    print_status: str
    business_day: date
    device_id: int | None
    office_id: int
    # True when an earlier request with the same key already produced this ticket.
    replayed: bool = False
    # The print job written with the ticket (see counter.print_jobs), when it is to be printed.
    print_job_id: int | None = None
    # A booked ticket: the start of its slot (the counters call it then, ahead of walk-ins).
    booked_for: datetime | None = None


@dataclass(frozen=True)
class ServiceQueue:
    service: str
    service_id: int
    name_th: str
    name_en: str
    prefix: str
    active: bool
    waiting: int
    oldest_wait_seconds: int | None
    # What a new normal ticket of this service would be told now.
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    wait_target_minutes: int
    # Why a walk-in ticket of this service cannot be taken now (Thai, English), or None: the
    # very check issuing makes (`walk_in_refusal`).
    refusal: tuple[str, str] | None = None


@dataclass(frozen=True)
class Issuing:
    """Whether the office issues tickets now, and if not why and when it opens again."""

    open: bool
    # Thai, English; None while open.
    reason: tuple[str, str] | None
    # In the office's time zone; None while open or when it issues at any hour.
    next_opening: datetime | None
    hours: OfficeHours
    timezone: str


# The queue's write transaction (the office unit of work's).
_Tx = OfficeTx


class QueueService:
    """The queue's use cases. Blocking database work runs in worker threads."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        public_url: str = "http://127.0.0.1:8000",
        clock: Callable[[], datetime] = utcnow,
        work: OfficeWork | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        # The process's unit of work, shared with every other service that writes an office.
        self.work = work or OfficeWork(db, bus, clock=clock)
        self.work.on_begin.append(self._roll_over)
        self.work.on_commit.append(self._committed)
        # Called inside the transaction that changes a kiosk's printer state, with
        # (session, device, previous state, time): the incident log records outages this way,
        # exactly once whatever the number of app processes.
        self.printer_state_listeners: list[
            Callable[[Session, Device, str | None, datetime], None]
        ] = []
        # Office id -> (event seq, forecast): the last committed state's forecast, so the many
        # status pages following one office share one computation per office event.
        self._forecasts: dict[int, tuple[int, Forecast]] = {}
        # Office id -> (read at, recent call minutes per service): read again after a minute,
        # or at once when this process ends a call there.
        self._call_minutes: dict[int, tuple[datetime, dict[int, list[float]]]] = {}

    # ----------------------------------------------------------------- plumbing

    async def _write(self, office_id: int, work: Callable[[_Tx], T]) -> T:
        return await self.work.run(office_id, work)

    def _committed(self, office_id: int, messages: Sequence[Event]) -> None:
        if any(isinstance(m, TicketChanged) and m.kind in CALL_END_KINDS for m in messages):
            self._call_minutes.pop(office_id, None)

    async def _read(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    def _roll_over(self, tx: _Tx) -> None:
        """Close tickets left open from an earlier business day, once per office and day.

        A ticket in service at the rollover keeps its service: it stays with its counter, which
        stays open, until staff finish it (DOMAIN.md: a day end never erases service). So does
        one held in the middle of its service (it was started): it stays held at its counter,
        for staff to call back, resume and finish. One still in service or held at the next
        rollover was forgotten: how its service ended is unknown, so it is closed unserved
        rather than counted as a day-long service."""
        if tx.office.last_business_day == tx.today:
            return
        stale = repo.stale_open_tickets(
            tx.session, _id(tx.office), tx.today, serving_before=tx.office.last_business_day
        )
        for ticket in stale:
            ticket.status = advance(
                ticket.number, TicketStatus(ticket.status), Action.CLOSE_UNSERVED
            )
            # One message for the whole rollover below; per-ticket events stay in the log.
            tx.log_ticket(
                ticket,
                "closed_unserved",
                publish=False,
                detail={"business_day": ticket.business_day.isoformat()},
            )
        for counter in repo.counters(tx.session, _id(tx.office)):
            if counter.staff_id is not None and not repo.keeps_service(tx.session, _id(counter)):
                tx.log_counter(counter, "closed", counter.staff_id, reason="day_end")
                counter.staff_id = None
                counter.opened_at = None
                counter.paused_reason = None
                counter.paused_at = None
        if tx.office.last_business_day is not None:
            self._restore_counter_services(tx, tx.office.last_business_day)
        tx.office.last_business_day = tx.today
        if stale:
            tx.messages.append(
                QueueRolledOver(
                    office=_id(tx.office),
                    # The last close's number: the log stays gap-free, and subscribers, having
                    # missed the unpublished closes, see a jump and resync.
                    seq=tx.office.event_seq,
                    at=tx.now.isoformat(),
                    closed=len(stale),
                )
            )

    def _restore_counter_services(self, tx: _Tx, last_day: date) -> None:
        """A manager's change of a counter's services holds for that day only: undo it, newest
        first, so each counter starts the new day with its standing services (set in the admin)."""
        start = day_start(last_day, tx.office.timezone)
        changes = repo.counter_events_since(
            tx.session, _id(tx.office), start, ["service_added", "service_removed"]
        )
        counters = {c.id: c for c in repo.counters(tx.session, _id(tx.office))}
        for event in sorted(changes, key=lambda e: e.seq, reverse=True):
            counter = counters.get(event.counter_id)
            if counter is None or not event.reason:
                continue
            service_id, *place = (int(part) for part in event.reason.split(":"))
            rows = {r.service_id: r for r in repo.counter_services(tx.session, event.counter_id)}
            if event.kind == "service_added" and service_id in rows:
                repo.remove_counter_service(tx.session, rows[service_id])
                tx.log_counter(counter, "service_restored", None, event.reason)
            elif event.kind == "service_removed" and service_id not in rows:
                position = place[0] if place else 0
                weight = place[1] if len(place) > 1 else 1
                row = repo.add_counter_service(tx.session, event.counter_id, service_id, position)
                row.weight = weight
                tx.log_counter(counter, "service_restored", None, event.reason)
            tx.session.flush()

    def office_forecast(
        self, session: Session, office: Office, *, committed: bool, until: int | None = None
    ) -> Forecast:
        """The office's wait forecast now. Committed reads share one per office event (the
        event seq moves with every change of the lines or counters), with the kiosk list's
        newcomers; a write computes its own, only as far as ticket `until`."""
        now = self.clock()
        assert office.id is not None
        minutes = self._call_minutes.get(office.id)
        if minutes is None or not timedelta(0) <= now - minutes[0] < DURATION_REREAD:
            since = now - DURATION_HISTORY
            read = repo.recent_call_minutes(session, office.id, since, DURATION_SAMPLES)
            minutes = self._call_minutes[office.id] = (now, read)
        if not committed:
            return office_forecast(session, office, now, minutes[1], until=until)
        cached = self._forecasts.get(office.id)
        if (
            cached is not None
            and cached[0] == office.event_seq
            and abs((now - cached[1].now).total_seconds()) < FORECAST_REUSE_SECONDS
        ):
            return cached[1]
        result = office_forecast(session, office, now, minutes[1], newcomers=True)
        self._forecasts[office.id] = (office.event_seq, result)
        return result

    def _view(
        self,
        session: Session,
        ticket: Ticket,
        service: Service | None = None,
        *,
        committed: bool = False,
    ) -> TicketView:
        services = {ticket.service_id: service} if service else None
        return self._views(session, [ticket], services, committed=committed)[0]

    def _views(
        self,
        session: Session,
        tickets: Sequence[Ticket],
        services: dict[int, Service] | None = None,
        *,
        committed: bool = False,
    ) -> list[TicketView]:
        """Views of tickets of one office, with the same few queries however many there are
        (one status page, or every status page following the office): one forecast for all.
        `committed`: a read of committed data, which shares the forecast of its office event."""
        waiting = [t for t in tickets if t.status == TicketStatus.WAITING and t.id is not None]
        forecast: Forecast | None = None
        if waiting:
            office = session.get(Office, waiting[0].office_id)
            assert office is not None
            # A write wants its own ticket only: the replay may stop once it is called.
            until = waiting[0].id if len(waiting) == 1 else None
            forecast = self.office_forecast(session, office, committed=committed, until=until)
        known = dict(services or {})
        counters: dict[int | None, Counter] = {}
        if len(tickets) > 1:
            # Many tickets: the office's services and counters once, not a lookup per ticket.
            office_id = tickets[0].office_id
            known |= {s.id: s for s in repo.services(session, office_id) if s.id is not None}
            counters = {c.id: c for c in repo.counters(session, office_id)}
        views = []
        for ticket in tickets:
            service = known.get(ticket.service_id) or session.get(Service, ticket.service_id)
            assert service is not None and ticket.id is not None
            counter = None
            if ticket.counter_id:
                counter = counters.get(ticket.counter_id) or session.get(Counter, ticket.counter_id)
            wait: Estimate = NOT_WAITING
            if forecast is not None and ticket.status == TicketStatus.WAITING:
                wait = forecast.wait_of(
                    Candidate(
                        ticket.id,
                        ticket.service_id,
                        ticket.priority is not None,
                        ticket.queued_at,
                        ticket.booked_for,
                    )
                )
            views.append(
                TicketView(
                    id=ticket.id,
                    number=ticket.number,
                    service=service.code,
                    service_id=ticket.service_id,
                    service_name_th=service.name_th,
                    service_name_en=service.name_en,
                    status=ticket.status,
                    priority=ticket.priority,
                    issued_at=ticket.issued_at,
                    waiting_ahead=wait.waiting_ahead,
                    estimated_wait_minutes=wait.minutes,
                    estimated_wait_range=wait.range,
                    status_url=f"{self.public_url}/t/{ticket.token}",
                    token=ticket.token,
                    counter=counter.number if counter else None,
                    recall_count=ticket.recall_count,
                    transaction_no=ticket.transaction_no,
                    print_status=ticket.print_status,
                    business_day=ticket.business_day,
                    device_id=ticket.device_id,
                    office_id=ticket.office_id,
                    booked_for=ticket.booked_for,
                )
            )
        return views

    # ----------------------------------------------------------------- issuing

    async def issue_ticket(
        self,
        office_id: int,
        service_code: str,
        priority: str | None = None,
        *,
        device_id: int | None = None,
        staff_id: int | None = None,
        print_status: str = "none",
        request_key: str | None = None,
        rate_check: Callable[[], bool] | None = None,
        print_queue: str | None = None,
        print_deadline: timedelta = print_jobs.DEFAULT_DEADLINE,
        booked_for: datetime | None = None,
        with_ticket: Callable[[Session, Ticket], None] | None = None,
    ) -> TicketView:
        """Issue a ticket (a walk-in, or with `booked_for` a booked ticket for that slot).

        `with_ticket` runs inside the issuing transaction once the ticket has its id: a feature
        package records what the ticket is for (a checked-in booking) in the same commit, and
        may refuse by raising a DomainError, which issues nothing."""
        if priority is not None and priority not in Priority.__members__.values():
            allowed = ", ".join(p.value for p in Priority)
            raise InvalidInput(*say("bad_priority", allowed=allowed))

        def work(tx: _Tx) -> TicketView:
            session = tx.session
            if device_id is not None and request_key:
                # The same tap sent twice (a double tap, a retry after a dropped connection)
                # gets the ticket it already produced, never a second one.
                earlier = repo.ticket_by_request_key(session, device_id, request_key)
                if earlier is not None:
                    asked = (service_code, priority)
                    if (repo.issued_service_code(session, earlier), earlier.priority) != asked:
                        # A reused key with another request is a client bug; answering with
                        # the first ticket would hand out a ticket for the wrong service.
                        raise InvalidInput(*say("request_key_reused"))
                    return replace(self._view(session, earlier), replayed=True)
            if rate_check is not None and not rate_check():
                raise TooManyRequests(*say("kiosk_too_fast"))
            service = repo.service_by_code(session, _id(tx.office), service_code)
            if service is None:
                raise NotFound(*say("no_service", code=service_code))
            assert service.id is not None
            hours = office_hours(tx.office)
            seq_no = repo.last_seq_no(session, _id(tx.office), tx.today, service.prefix) + 1
            # A booked ticket was given its slot within the hours, and its check-in window may
            # open before them; the walk-in cap leaves its capacity alone.
            walk_in = booked_for is None
            refusal = walk_in_refusal(
                service,
                tx.now.astimezone(ZoneInfo(tx.office.timezone)),
                hours if walk_in else replace(hours, enforced=False),
                # Holidays are read only where hours apply: most calls need no extra query.
                holidays=repo.holidays(session, _id(tx.office))
                if walk_in and hours.enforced
                else (),
                issued_today=(
                    repo.issued_today(
                        session, _id(tx.office), service.id, tx.today, tx.start_of_day()
                    )
                    if walk_in and service.daily_cap is not None
                    else None
                ),
                last_number=seq_no - 1,
            )
            if refusal:
                raise ServiceUnavailable(*refusal)
            ticket = Ticket(
                office_id=_id(tx.office),
                service_id=service.id,
                business_day=tx.today,
                prefix=service.prefix,
                seq_no=seq_no,
                number=format_number(service.prefix, seq_no),
                status=TicketStatus.WAITING,
                priority=priority,
                token=secrets.token_urlsafe(16),
                issued_at=tx.now,
                queued_at=tx.now,
                device_id=device_id,
                request_key=request_key if device_id is not None else None,
                print_status=print_status,
                booked_for=booked_for,
            )
            session.add(ticket)
            session.flush()
            if with_ticket is not None:
                with_ticket(session, ticket)
            detail: dict[str, Any] = {"device_id": device_id} if device_id else {}
            if booked_for is not None:
                detail["booked_for"] = booked_for.isoformat()
            tx.log_ticket(ticket, "issued", staff_id=staff_id, detail=detail or None)
            job_id = None
            if print_queue is not None and device_id is not None:
                # The outbox row in the ticket's own transaction: no ticket without its job.
                job_id = print_jobs.add(
                    session,
                    office_id=_id(tx.office),
                    device_id=device_id,
                    ticket_id=ticket.id,
                    queue=print_queue,
                    now=tx.now,
                    deadline=print_deadline,
                ).id
            return replace(self._view(session, ticket, service), print_job_id=job_id)

        return await self._write(office_id, work)

    # ----------------------------------------------------------------- the print outbox

    async def enqueue_print(
        self,
        office_id: int,
        device_id: int,
        queue: str,
        *,
        deadline: timedelta,
        ticket_id: int | None = None,
        kind: str = "ticket",
    ) -> print_jobs.JobView:
        """A reprint or a test page: a new job (a new id) on a kiosk's printer queue."""

        def work(tx: _Tx) -> print_jobs.JobView:
            if (
                ticket_id is not None
                and repo.get_ticket(tx.session, _id(tx.office), ticket_id) is None
            ):
                raise ticket_not_found(ticket_id)
            job = print_jobs.add(
                tx.session,
                office_id=_id(tx.office),
                device_id=device_id,
                ticket_id=ticket_id,
                kind=kind,
                queue=queue,
                now=tx.now,
                deadline=deadline,
            )
            return print_jobs.view(job)

        return await self._write(office_id, work)

    async def finish_print_job(
        self, job: print_jobs.JobView, *, printed: bool, state: str, detail: str
    ) -> print_jobs.JobView | None:
        """Record a job's outcome and its ticket's print status in one transaction."""

        def work(tx: _Tx) -> print_jobs.JobView | None:
            done = print_jobs.finish(
                tx.session, job.id, printed=printed, state=state, detail=detail, now=tx.now
            )
            if done is None:
                return None
            if done.ticket_id is not None:
                self._mark_printed(tx, done.ticket_id, printed)
            return print_jobs.view(done)

        return await self._write(job.office_id, work)

    def _mark_printed(self, tx: _Tx, ticket_id: int, printed: bool) -> None:
        ticket = repo.get_ticket(tx.session, _id(tx.office), ticket_id)
        status = "printed" if printed else "pending"
        if ticket is not None and ticket.print_status != status:
            ticket.print_status = status
            # "printed" once on paper; "print_pending" when it must be reprinted.
            tx.log_ticket(ticket, "printed" if printed else "print_pending")

    async def claim_server_print_jobs(
        self, owner: str, lease: Callable[[str], timedelta]
    ) -> list[print_jobs.JobView]:
        def run() -> list[print_jobs.JobView]:
            if not self._open_print_jobs():
                return []
            with self.db.write() as session:
                claimed = print_jobs.claim_server_jobs(session, self.clock(), owner, lease)
                return [print_jobs.view(job) for job in claimed]

        return await anyio.to_thread.run_sync(run)

    async def next_agent_print_job(
        self, device_id: int, owner: str, lease: timedelta
    ) -> print_jobs.JobView | None:
        def run() -> print_jobs.JobView | None:
            with self.db.write() as session:
                job = print_jobs.next_agent_job(session, device_id, self.clock(), owner, lease)
                return print_jobs.view(job) if job is not None else None

        return await anyio.to_thread.run_sync(run)

    async def release_agent_print_jobs(self, owner: str) -> None:
        def run() -> None:
            with self.db.write() as session:
                print_jobs.release_agent_jobs(session, owner)

        await anyio.to_thread.run_sync(run)

    async def expire_print_jobs(self) -> list[print_jobs.JobView]:
        def run() -> list[print_jobs.JobView]:
            if not self._open_print_jobs():
                return []
            with self.db.write() as session:
                return [
                    print_jobs.view(j) for j in print_jobs.expire_overdue(session, self.clock())
                ]

        return await anyio.to_thread.run_sync(run)

    def _open_print_jobs(self) -> bool:
        # The print worker looks every second: an idle outbox is read, never written (a write
        # takes the database's write lock on SQLite).
        with self.db.read() as session:
            return print_jobs.has_open_jobs(session)

    async def print_job(self, job_id: int) -> print_jobs.JobView | None:
        def read(session: Session) -> print_jobs.JobView | None:
            job = print_jobs.get(session, job_id)
            return print_jobs.view(job) if job is not None else None

        return await self._read(read)

    # ----------------------------------------------------------------- calling

    async def call_next(self, actor: StaffPrincipal, counter_number: int) -> TicketView | None:
        def work(tx: _Tx) -> TicketView | None:
            counter = self._take_counter(tx, actor, counter_number)
            self._clear_counter_for_call(tx, counter, actor)
            slots = repo.counter_services(tx.session, _id(counter))
            policy = counter_policy(counter, slots)
            mix = counter_mix(counter, slots)
            candidates = repo.waiting_candidates(
                tx.session, _id(tx.office), tx.today, [s.service_id for s in slots]
            )
            while candidates:
                choice = choose(candidates, policy, mix, tx.now)
                if choice is None:
                    return None
                picked = choice.candidate
                if repo.claim_waiting(
                    tx.session, picked.ticket_id, _id(counter), actor.staff_id, tx.now
                ):
                    counter.cycle_pos = choice.mix.cycle_pos
                    counter.booked_streak = choice.mix.booked_streak
                    for slot in slots:
                        slot.credit = choice.mix.credits.get(slot.service_id, slot.credit)
                    ticket = tx.session.get(Ticket, picked.ticket_id, populate_existing=True)
                    assert ticket is not None
                    tx.log_ticket(
                        ticket,
                        "called",
                        counter=counter,
                        staff_id=actor.staff_id,
                        detail={"reason": choice.reason},
                    )
                    return self._view(tx.session, ticket)
                # Unreachable while the office row lock holds; kept so a lost race retries
                # with the next ticket rather than calling one twice.
                candidates = [c for c in candidates if c.ticket_id != picked.ticket_id]
            return None

        return await self._write(actor.office_id, work)

    async def call_ticket(
        self, actor: StaffPrincipal, ticket_id: int, counter_number: int, reason: str
    ) -> TicketView:
        """Call a specific waiting ticket out of order; the reason is kept in the log."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput(*say("reason_required"))

        def work(tx: _Tx) -> TicketView:
            counter = self._take_counter(tx, actor, counter_number)
            ticket = self._ticket(tx, ticket_id)
            if ticket.status == TicketStatus.WAITING and ticket.service_id not in {
                s.service_id for s in repo.counter_services(tx.session, _id(counter))
            }:
                # Allowed, but worth knowing in an audit: the counter does not normally serve it.
                reason_detail = {"reason": "out_of_order", "note": reason, "foreign_service": True}
            else:
                reason_detail = {"reason": "out_of_order", "note": reason}
            if TicketStatus(ticket.status) in AT_COUNTER_STATES:
                raise _taken(tx.session, ticket)
            advance(ticket.number, TicketStatus(ticket.status), Action.CALL)
            self._clear_counter_for_call(tx, counter, actor)
            if not repo.claim_waiting(
                tx.session, _id(ticket), _id(counter), actor.staff_id, tx.now
            ):
                raise _taken(tx.session, ticket)
            tx.session.refresh(ticket)
            tx.log_ticket(
                ticket, "called", counter=counter, staff_id=actor.staff_id, detail=reason_detail
            )
            return self._view(tx.session, ticket)

        return await self._write(actor.office_id, work)

    def _take_counter(self, tx: _Tx, actor: StaffPrincipal, counter_number: int) -> Counter:
        counter = repo.counter_by_number(tx.session, _id(tx.office), counter_number)
        if counter is None or not counter.active:
            raise NotFound(*say("no_counter", number=counter_number))
        if counter.staff_id is not None and counter.staff_id != actor.staff_id:
            holder = repo.staff_by_id(tx.session, counter.staff_id)
            name = (holder.display_name or holder.username) if holder else "?"
            raise CounterBusy(*say("counter_held", number=counter.number, name=name))
        if counter.staff_id is None:
            elsewhere = repo.counter_of_staff(tx.session, actor.staff_id)
            if elsewhere is not None:
                raise CounterBusy(*say("counter_elsewhere", number=elsewhere.number))
            counter.staff_id = actor.staff_id
            counter.opened_at = tx.now
            tx.log_counter(counter, "opened", actor.staff_id)
        if counter.paused_reason is not None:
            raise Conflict(*say("counter_paused", number=counter.number))
        return counter

    def _clear_counter_for_call(self, tx: _Tx, counter: Counter, actor: StaffPrincipal) -> None:
        """Calling the next citizen finishes the one being served; an unanswered call must be
        settled first (started or marked no-show), so nobody is dropped by a stray key press."""
        current = repo.current_ticket_at(tx.session, _id(counter))
        if current is None:
            return
        if current.status == TicketStatus.SERVING:
            current.status = advance(current.number, TicketStatus.SERVING, Action.FINISH)
            tx.log_ticket(
                current,
                "finished",
                counter=counter,
                staff_id=actor.staff_id,
                detail={"by": "call_next"},
            )
            return
        raise Conflict(*say("called_not_started", ticket=current.number, number=counter.number))

    # ----------------------------------------------------------------- ticket actions

    async def act(self, actor: StaffPrincipal, ticket_id: int, action: Action) -> TicketView:
        if action in (Action.CALL, Action.TRANSFER, Action.CLOSE_UNSERVED):
            raise InvalidInput(*say("bad_action", action=action.value))

        def work(tx: _Tx) -> TicketView:
            ticket = self._ticket(tx, ticket_id)
            counter = self._check_not_taken(tx, ticket, actor)
            new_status = advance(ticket.number, TicketStatus(ticket.status), action)
            if action is Action.REACTIVATE and ticket.business_day != tx.today:
                raise Conflict(*say("earlier_day", ticket=ticket.number))
            if action is Action.UNHOLD and counter is not None:
                current = repo.current_ticket_at(tx.session, _id(counter))
                if current is not None:
                    raise Conflict(
                        *say("counter_has_ticket", number=counter.number, ticket=current.number)
                    )
            ticket.status = new_status
            detail: dict[str, Any] | None = None
            if action is Action.RECALL:
                ticket.recall_count += 1
                detail = {"recall_count": ticket.recall_count}
            elif action is Action.UNHOLD:
                ticket.called_at = tx.now
            if new_status == TicketStatus.WAITING:
                ticket.queued_at = tx.now
                ticket.counter_id = None
                ticket.staff_id = None
                ticket.recall_count = 0
            tx.log_ticket(
                ticket, EVENT_KIND[action], counter=counter, staff_id=actor.staff_id, detail=detail
            )
            return self._view(tx.session, ticket)

        return await self._write(actor.office_id, work)

    async def transfer(
        self, actor: StaffPrincipal, ticket_id: int, service_code: str
    ) -> TicketView:
        def work(tx: _Tx) -> TicketView:
            ticket = self._ticket(tx, ticket_id)
            target = repo.service_by_code(tx.session, _id(tx.office), service_code)
            if target is None:
                raise NotFound(*say("no_service", code=service_code))
            if not target.active:
                raise ServiceUnavailable(
                    *say("service_closed", name=target.name_th, name_en=target.name_en)
                )
            counter = self._check_not_taken(tx, ticket, actor)
            ticket.status = advance(ticket.number, TicketStatus(ticket.status), Action.TRANSFER)
            from_service = ticket.service_id
            # The transfer ends this transaction (logged under the old service) ...
            tx.log_ticket(
                ticket,
                "transferred",
                counter=counter,
                staff_id=actor.staff_id,
                detail={"from_service_id": from_service, "to_service_id": target.id},
            )
            # ... and the same visit and number wait again for the next service.
            ticket.service_id = _id(target)
            ticket.transaction_no += 1
            ticket.queued_at = tx.now
            ticket.counter_id = None
            ticket.staff_id = None
            ticket.recall_count = 0
            tx.log_ticket(
                ticket,
                "requeued",
                staff_id=actor.staff_id,
                detail={"from_service_id": from_service},
            )
            return self._view(tx.session, ticket, target)

        return await self._write(actor.office_id, work)

    def _ticket(self, tx: _Tx, ticket_id: int) -> Ticket:
        ticket = repo.ticket_for_update(tx.session, _id(tx.office), ticket_id)
        if ticket is None:
            raise ticket_not_found(ticket_id)
        return ticket

    def _check_not_taken(self, tx: _Tx, ticket: Ticket, actor: StaffPrincipal) -> Counter | None:
        """A ticket at a counter belongs to whoever holds that counter; managers may step in.

        Returns that counter, or None when the ticket is not at one."""
        if ticket.counter_id is None or TicketStatus(ticket.status) not in AT_COUNTER_STATES:
            return None
        counter = tx.session.get(Counter, ticket.counter_id)
        assert counter is not None
        if counter.staff_id != actor.staff_id and actor.role == Role.STAFF:
            raise _taken(tx.session, ticket)
        return counter

    # ----------------------------------------------------------------- counters

    async def close_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        def work(tx: _Tx) -> None:
            counter = repo.counter_by_number(tx.session, _id(tx.office), counter_number)
            if counter is None:
                raise NotFound(*say("no_counter", number=counter_number))
            if counter.staff_id is None:
                return
            if counter.staff_id != actor.staff_id and actor.role == Role.STAFF:
                raise Forbidden(*say("counter_of_other", number=counter.number))
            if counter.paused_reason is not None:
                tx.log_counter(counter, "resumed", actor.staff_id)
            tx.log_counter(counter, "closed", actor.staff_id)
            counter.staff_id = None
            counter.opened_at = None
            counter.paused_reason = None
            counter.paused_at = None

        await self._write(actor.office_id, work)

    async def pause_counter(self, actor: StaffPrincipal, counter_number: int, reason: str) -> None:
        if reason not in PAUSE_REASONS:
            raise InvalidInput(*say("bad_pause_reason", allowed=", ".join(PAUSE_REASONS)))

        def work(tx: _Tx) -> None:
            counter = self._take_counter_unpaused(tx, actor, counter_number)
            if counter.paused_reason is None:
                counter.paused_reason = reason
                counter.paused_at = tx.now
                tx.log_counter(counter, "paused", actor.staff_id, reason)

        await self._write(actor.office_id, work)

    async def resume_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        def work(tx: _Tx) -> None:
            counter = self._take_counter_unpaused(tx, actor, counter_number)
            if counter.paused_reason is not None:
                tx.log_counter(counter, "resumed", actor.staff_id, counter.paused_reason)
                counter.paused_reason = None
                counter.paused_at = None

        await self._write(actor.office_id, work)

    def _take_counter_unpaused(self, tx: _Tx, actor: StaffPrincipal, number: int) -> Counter:
        counter = repo.counter_by_number(tx.session, _id(tx.office), number)
        if counter is None:
            raise NotFound(*say("no_counter", number=number))
        if counter.staff_id != actor.staff_id:
            raise CounterBusy(*say("not_at_counter", number=number))
        return counter

    # ----------------------------------------------------------------- reads

    async def ticket(self, office_id: int, ticket_id: int) -> TicketView:
        def read(session: Session) -> TicketView:
            ticket = repo.get_ticket(session, office_id, ticket_id)
            if ticket is None:
                raise ticket_not_found(ticket_id)
            return self._view(session, ticket, committed=True)

        return await self._read(read)

    async def ticket_by_token(self, token: str) -> TicketView:
        def read(session: Session) -> TicketView:
            ticket = repo.ticket_by_token(session, token)
            if ticket is None:
                raise NotFound(*say("no_ticket"))
            return self._view(session, ticket, committed=True)

        return await self._read(read)

    async def tickets_by_token(
        self, office_id: int, tokens: Sequence[str]
    ) -> tuple[Office, list[TicketView]]:
        """The office and its tickets with these status tokens, in one read: what every status
        page following the office shows, recomputed once per office event."""

        def read(session: Session) -> tuple[Office, list[TicketView]]:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=office_id))
            tickets = repo.tickets_by_token(session, office_id, tokens)
            return office, self._views(session, tickets, committed=True) if tickets else []

        return await self._read(read)

    async def queue(self, office_id: int) -> list[ServiceQueue]:
        now = self.clock()

        def read(session: Session) -> list[ServiceQueue]:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=office_id))
            today = local_day(now, office.timezone)
            stats = repo.queue_stats(session, office_id, today)
            newcomers = self.office_forecast(session, office, committed=True).newcomers
            hours = office_hours(office)
            local_now = now.astimezone(ZoneInfo(office.timezone))
            holidays = repo.holidays(session, office_id) if hours.enforced else set()
            issued = repo.issued_today_by_service(
                session, office_id, today, day_start(today, office.timezone)
            )
            numbers = repo.last_seq_nos(session, office_id, today)
            out = []
            for s in repo.services(session, office_id):
                assert s.id is not None
                waiting, oldest = stats.get(s.id, (0, None))
                wait = newcomers.get(s.id, NOT_WAITING)
                refusal = walk_in_refusal(
                    s,
                    local_now,
                    hours,
                    holidays=holidays,
                    issued_today=issued.get(s.id, 0),
                    last_number=numbers.get(s.prefix, 0),
                )
                out.append(
                    ServiceQueue(
                        service=s.code,
                        service_id=s.id,
                        name_th=s.name_th,
                        name_en=s.name_en,
                        prefix=s.prefix,
                        active=s.active,
                        waiting=waiting,
                        oldest_wait_seconds=int((now - oldest).total_seconds()) if oldest else None,
                        waiting_ahead=wait.waiting_ahead,
                        estimated_wait_minutes=wait.minutes,
                        estimated_wait_range=wait.range,
                        wait_target_minutes=s.wait_target_minutes,
                        refusal=refusal,
                    )
                )
            return out

        return await self._read(read)

    async def issuing(self, office_id: int) -> Issuing:
        """Whether the office issues tickets now (its hours and holidays; a service's own
        cut-off and cap are in `queue`), and when it opens again."""
        now = self.clock()

        def read(session: Session) -> Issuing:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=office_id))
            hours = office_hours(office)
            holidays = repo.holidays(session, office_id) if hours.enforced else set()
            local_now = now.astimezone(ZoneInfo(office.timezone))
            reason = issuing_refusal(hours, local_now, holidays=holidays)
            return Issuing(
                open=reason is None,
                reason=reason,
                next_opening=next_issuing_opening(hours, local_now, holidays),
                hours=hours,
                timezone=office.timezone,
            )

        return await self._read(read)

    async def services(self, office_id: int) -> list[Service]:
        return await self._read(lambda session: list(repo.services(session, office_id)))

    async def office(self, office_id: int) -> Office:
        def read(session: Session) -> Office:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=office_id))
            return office

        return await self._read(read)

    async def device(self, office_id: int, device_id: int) -> Device:
        def read(session: Session) -> Device:
            device = session.get(Device, device_id)
            if device is None or device.office_id != office_id:
                raise NotFound(*say("no_device", device_id=device_id))
            return device

        return await self._read(read)

    async def record_printer_status(
        self, office_id: int, device_id: int, state: str, detail: str
    ) -> None:
        """Keep a kiosk's last printer state and tell staff screens when it needs a person."""

        def work(tx: _Tx) -> None:
            device = tx.session.get(Device, device_id)
            if device is None or device.office_id != office_id:
                raise NotFound(*say("no_device", device_id=device_id))
            before = device.printer_state
            device.printer_state = state
            device.printer_detail = detail[:300]
            device.printer_checked_at = tx.now
            if state == before:
                return
            for listener in self.printer_state_listeners:
                listener(tx.session, device, before, tx.now)
            # Not a queue event: no sequence number, so displays never resync over a printer.
            tx.publish(
                PrinterStateChanged(
                    kind=state,
                    office=office_id,
                    at=tx.now.isoformat(),
                    device_id=device_id,
                    device=device.name,
                    state=state,
                    previous=before,
                    detail=detail,
                )
            )

        await self._write(office_id, work)

    # ----------------------------------------------------------------- console (issue 5)

    async def open_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        """Sit down at a counter: one staff member per counter, one counter per staff member.

        Opening the counter one already holds is a no-op, paused or not."""

        def work(tx: _Tx) -> None:
            counter = repo.counter_by_number(tx.session, _id(tx.office), counter_number)
            if counter is not None and counter.staff_id == actor.staff_id:
                return
            self._take_counter(tx, actor, counter_number)

        await self._write(actor.office_id, work)

    async def set_counter_services(
        self, actor: StaffPrincipal, counter_number: int, service_codes: Sequence[str]
    ) -> list[str]:
        """A manager changes which services a counter serves, effective at its next call.

        Each service added or removed is logged as a CounterEvent (`service_added` /
        `service_removed`, with the service id in `reason`) by the manager who did it, so the
        change is in the audit trail and the reports can tell who served what when. A service
        that stays keeps its position and weight; an added one joins the position of a service
        of the same group already there (one first-come line), else a new last position.
        Returns the counter's service codes afterwards, in calling order.
        """
        if actor.role not in (Role.ADMIN, Role.MANAGER):
            raise Forbidden(*say("managers_only_services"))
        wanted = list(dict.fromkeys(code.strip() for code in service_codes))
        if not wanted:
            raise InvalidInput(*say("counter_needs_service"))

        def work(tx: _Tx) -> list[str]:
            office_id = _id(tx.office)
            counter = repo.counter_by_number(tx.session, office_id, counter_number)
            if counter is None:
                raise NotFound(*say("no_counter", number=counter_number))
            by_code = {s.code: s for s in repo.services(tx.session, office_id)}
            unknown = [code for code in wanted if code not in by_code]
            if unknown:
                raise InvalidInput(*say("no_services", codes=", ".join(unknown)))
            by_id = {_id(s): s for s in by_code.values()}
            rows = list(repo.counter_services(tx.session, _id(counter)))
            keep_ids = {_id(by_code[code]) for code in wanted}
            for row in rows:
                if row.service_id not in keep_ids:
                    repo.remove_counter_service(tx.session, row)
                    # Position and weight ride along so the day-end restore can put it back.
                    tx.log_counter(
                        counter,
                        "service_removed",
                        actor.staff_id,
                        f"{row.service_id}:{row.position}:{row.weight}",
                    )
            kept = [row for row in rows if row.service_id in keep_ids]
            have = {row.service_id for row in kept}
            group_position = {by_id[row.service_id].group: row.position for row in kept}
            next_position = max((row.position for row in kept), default=-1) + 1
            for code in wanted:
                service = by_code[code]
                if _id(service) in have:
                    continue
                position = group_position.get(service.group)
                if position is None:
                    position = group_position[service.group] = next_position
                    next_position += 1
                kept.append(
                    repo.add_counter_service(tx.session, _id(counter), _id(service), position)
                )
                have.add(_id(service))
                tx.log_counter(counter, "service_added", actor.staff_id, str(_id(service)))
            kept.sort(key=lambda row: (row.position, by_id[row.service_id].position))
            return [by_id[row.service_id].code for row in kept]

        return await self._write(actor.office_id, work)


def walk_in_refusal(
    service: Service,
    local_now: datetime,
    hours: OfficeHours,
    *,
    holidays: Container[date],
    issued_today: int | None,
    last_number: int,
) -> tuple[str, str] | None:
    """Why a walk-in ticket of `service` cannot be issued now (Thai, English), or None.

    The one rule: issuing enforces it in its transaction, and the kiosk greys a service with
    the same reason before anyone taps it. In order: the service is closed; the office's hours,
    holidays and the service's issuing cut-off; its daily cap (`issued_today` tickets first
    issued for it today; None where the cap does not apply, a booked ticket); the day's numbers
    of its prefix (`last_number` used)."""
    if not service.active:
        return say("service_closed", name=service.name_th, name_en=service.name_en)
    refusal = issuing_refusal(hours, local_now, cutoff=service.issue_cutoff, holidays=holidays)
    if refusal:
        return refusal
    cap = service.daily_cap
    if cap is not None and issued_today is not None and issued_today >= cap:
        return say("daily_cap", name=service.name_th, name_en=service.name_en, cap=cap)
    if last_number >= MAX_DAILY_NUMBER:
        return say("numbers_used", prefix=service.prefix, max=MAX_DAILY_NUMBER)
    return None


def office_hours(office: Office) -> OfficeHours:
    return OfficeHours(
        opens=office.opens,
        closes=office.closes,
        saturday=office.saturday,
        lunch_service=office.lunch_service,
        enforced=office.hours_enforced,
    )


def counter_policy(counter: Counter, slots: Sequence[Any]) -> CounterPolicy:
    return CounterPolicy(
        services=tuple(ServiceSlot(s.service_id, s.position, max(1, s.weight)) for s in slots),
        mode=ServeMode(counter.mode),
        priority_share=counter.priority_share,
        normal_share=counter.normal_share,
        ageing_cap=timedelta(minutes=counter.ageing_cap_minutes),
        booked_in_row=counter.booked_in_row,
    )


def counter_mix(counter: Counter, slots: Sequence[Any]) -> CounterMix:
    """What the counter's rows remember between calls (see counter.queue.policy.CounterMix)."""
    return CounterMix(
        cycle_pos=counter.cycle_pos,
        credits={s.service_id: s.credit for s in slots},
        booked_streak=counter.booked_streak,
    )


# ------------------------------------------------------------------ the wait forecast

# A forecast of the same office event is reused this long (the clock moves its waits).
FORECAST_REUSE_SECONDS = 10.0
# How far back, and how many, finished calls tell how long a call of each service takes
# (the `samples` of office_forecast), and how long one reading of them serves.
DURATION_HISTORY = timedelta(days=14)
DURATION_SAMPLES = 400
DURATION_REREAD = timedelta(minutes=1)
CALL_END_KINDS = frozenset(repo.CALL_END_KINDS)
# When a paused counter is expected back, by reason (minutes since the pause began).
PAUSE_MINUTES = {"break": 15, "lunch": 60, "meeting": 30, "system": 10, "other": 15}
# A paused counter past its usual pause, or a closed one the forecast must count on, is
# expected no sooner than this.
COUNTER_RETURN = timedelta(minutes=5)


def office_forecast(
    session: Session,
    office: Office,
    now: datetime,
    samples: Mapping[int, list[float]],
    *,
    newcomers: bool = False,
    until: int | None = None,
) -> Forecast:
    """Today's waiting lines replayed through the counters' own calling rules (one pass).

    `samples`: service id -> recent minutes per call (repository.recent_call_minutes).

    Counters count from when they can next call: an open idle one now, a busy one once the
    citizen there is likely done (expected time minus time already spent), a paused one at the
    usual end of its pause. Closed counters are counted on only for services no open or paused
    counter serves, from the opening hour or a few minutes from now. With `newcomers`, every
    active service also gets the wait a new ticket would have (the kiosk's list); with `until`,
    the replay stops once that ticket is called (a write wants only its own ticket).
    """
    office_id = _id(office)
    today = local_day(now, office.timezone)
    services = repo.services(session, office_id)
    minutes = {
        _id(s): expected_minutes(samples.get(_id(s), []), s.standard_minutes) for s in services
    }
    slots: dict[int, list[Any]] = {}
    for row in repo.office_counter_services(session, office_id):
        slots.setdefault(row.counter_id, []).append(row)
    counters = repo.counters(session, office_id)
    current = repo.calls_at_counters(session, [_id(c) for c in counters if c.staff_id])
    plans: list[CounterPlan] = []
    closed: list[CounterPlan] = []
    for counter in counters:
        rows = slots.get(_id(counter))
        if not counter.active or not rows:
            continue
        plan = CounterPlan(
            counter.number, counter_policy(counter, rows), counter_mix(counter, rows), now
        )
        if counter.staff_id is None:
            closed.append(plan)
            continue
        free_at = now
        if counter.paused_reason is not None and counter.paused_at is not None:
            back = counter.paused_at + timedelta(
                minutes=PAUSE_MINUTES.get(counter.paused_reason, 15)
            )
            free_at = max(back, now + COUNTER_RETURN)
        at_counter = current.get(_id(counter))
        if at_counter is not None:
            service_id, called_at = at_counter
            expected = minutes.get(service_id, 15.0)
            elapsed = (now - called_at).total_seconds() / 60
            left = timedelta(minutes=remaining_minutes(expected, elapsed))
            free_at = max(free_at, now + left)
        plans.append(replace(plan, free_at=free_at))
    waiting, line_sizes = repo.waiting_lines(session, office_id, today, LOADED_PER_LINE)
    served = {sid for plan in plans for sid in plan.policy.service_ids}
    orphans = ({service_id for service_id, _ in line_sizes} | set(minutes)) - served
    if orphans and closed:
        # Before opening time nobody is expected sooner (an office that issues early, as the
        # demo does, still opens its counters at its hour).
        opens = datetime.combine(today, office.opens, ZoneInfo(office.timezone))
        start = max(now + COUNTER_RETURN, opens)
        for plan in closed:
            kept = tuple(slot for slot in plan.policy.services if slot.service_id in orphans)
            if kept:
                policy = replace(plan.policy, services=kept)
                plans.append(replace(plan, policy=policy, free_at=start))
    active = [_id(s) for s in services if s.active] if newcomers else []
    return forecast(
        waiting, plans, minutes, now, newcomers=active, line_sizes=line_sizes, until=until
    )


def _id(row: Office | Counter | Service | Ticket) -> int:
    assert row.id is not None
    return row.id


def ticket_not_found(ticket_id: int) -> NotFound:
    return NotFound(*say("no_ticket_id", ticket_id=ticket_id))


def _taken(session: Session, ticket: Ticket) -> AlreadyTaken:
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    where = counter.number if counter else "?"
    return AlreadyTaken(*say("taken", ticket=ticket.number, number=where))
