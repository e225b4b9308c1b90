"""What a ticket and a service line look like to the kiosk, status pages and staff, with their
waits from the office's forecast."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import anyio
from sqlmodel import Session

from counter import repository as repo
from counter.models import Counter, Office, Service, Ticket
from counter.queue.forecast import NOT_WAITING, Estimate, Forecast
from counter.queue.hours import OfficeHours
from counter.queue.policy import Candidate
from counter.queue.states import TicketStatus
from counter.service.base import QueueCore
from counter.service.waits import (
    DURATION_REREAD,
    FORECAST_REUSE_SECONDS,
    CallMinutes,
    WaitingKept,
    office_forecast,
    recent_arrivals,
)
from counter.unit_of_work import OfficeTx, local_day


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
class AfterCommit:
    """A write's answer about a ticket it left waiting, whose view is built after the commit
    (`QueueViews._answer`): its wait is forecast outside the office's lock, so the next write
    does not queue behind this forecast."""

    ticket_id: int
    # The office's event seq when the write committed (`OfficeTx.office.event_seq`): a
    # committed forecast made from there on knows the ticket as the write left it or later.
    seq: int
    # As in TicketView.
    replayed: bool = False
    print_job_id: int | None = None


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


class QueueViews(QueueCore):
    """Tickets as shown, with their waits from the office's forecast (shared per office event)."""

    def office_forecast(
        self,
        session: Session,
        office: Office,
        *,
        committed: bool,
        until: int | None = None,
        newcomers: bool = False,
        tickets: Collection[Candidate] = (),
        since: int | None = None,
    ) -> Forecast:
        """The office's wait forecast now. Committed reads share one per office event (the
        event seq moves with every change of the lines or counters): a write's answer, read
        right after its commit, shares it with the status pages and the slip of the same event;
        a write computes its own, now and only as far as ticket `until`.

        `newcomers`: also the wait of a new ticket of every active service (the kiosk's list).
        The waiting tickets' waits are the same with or without them (each newcomer goes on in
        a copy of the replay from where it is first weighed: counter.queue.forecast), so a
        forecast made with them serves the tickets too; one made without them (most of an
        office's events, which only status pages follow) costs no copies.

        The waiting lines are those this process keeps (`WaitingKept`), caught up with the
        office's events since it last read them.

        `tickets`: the waiting tickets the caller will read from it. A committed forecast of a
        later event than the caller's read serves it when it holds them all as they wait in
        that read (`Forecast.holds`: same line, same wait start): it is the newer state.
        `since`: the event seq at which a write's answer left its ticket; a forecast of an event
        from there on serves it when it holds the ticket as it waits now. So the answers that
        queued behind one replay (a burst of issues) take the next one, made with every ticket
        committed meanwhile, and each is told the office as it stood at an event after its own
        write: one replay per turn rather than one per issue. An event later than that forecast
        reaches the ticket's status page as any event does. Each is at most
        FORECAST_REUSE_SECONDS old."""
        now = self.clock()
        assert office.id is not None
        calls = self._call_minutes.get(office.id)
        if calls is None or not timedelta(0) <= now - calls.read_at < DURATION_REREAD:
            calls = self._call_minutes[office.id] = CallMinutes.read(session, office.id, now)
        elif calls.stale:
            calls = self._call_minutes[office.id] = calls.caught_up(session, office.id, now)
        samples = calls.samples
        arrivals = self._arrivals.get(office.id)
        if arrivals is None or not timedelta(0) <= now - arrivals[0] < DURATION_REREAD:
            arrivals = self._arrivals[office.id] = (now, recent_arrivals(session, office, now))
        if not committed:
            return office_forecast(session, office, now, samples, arrivals[1], until=until)
        with self._forecast_turn(office.id):
            cached = self._forecasts.get(office.id)
            if (
                cached is not None
                and (cached[1] or not newcomers)
                and abs((now - cached[2].now).total_seconds()) < FORECAST_REUSE_SECONDS
                and (
                    cached[0] == office.event_seq
                    or (
                        cached[0] >= (office.event_seq if since is None else since)
                        and cached[2].holds(tickets)
                    )
                )
            ):
                return cached[2]
            today = local_day(now, office.timezone)
            held = self._waiting.get(office.id)
            kept = (
                WaitingKept.read(session, office, today)
                if held is None
                else held.caught_up(session, office, today)
            )
            if held is None or (kept.day, kept.seq) >= (held.day, held.seq):
                # A read that began before the lines were last caught up reads them for itself
                # and leaves the newer ones kept.
                self._waiting[office.id] = kept
            result = office_forecast(
                session,
                office,
                now,
                samples,
                arrivals[1],
                newcomers=newcomers,
                waiting=kept.tickets.values() if kept.loadable else None,
            )
            if cached is None or cached[0] <= office.event_seq:
                self._forecasts[office.id] = (office.event_seq, newcomers, result)
            return result

    def _view_or_later(self, tx: OfficeTx, ticket: Ticket) -> TicketView | AfterCommit:
        """Inside a write: the ticket's view now, or, when it waits, its view after the commit
        (`_answer`), since only a waiting ticket needs the forecast."""
        if ticket.status == TicketStatus.WAITING:
            assert ticket.id is not None
            return AfterCommit(ticket.id, tx.office.event_seq)
        return self._view(tx.session, ticket)

    async def _answer(self, office_id: int, result: TicketView | AfterCommit) -> TicketView:
        """A write's answer once it has committed: a waiting ticket's view is read in a read of
        its own and its wait is the office's committed forecast of an event at or after the
        write (`office_forecast`'s `since`), as a status page following it is told."""
        if isinstance(result, TicketView):
            return result
        after = result

        def answer(session: Session) -> TicketView:
            # The office's forecast turn, then the reads: an answer that waited behind others'
            # forecasts reads the lines as they are when its turn comes, or takes the forecast
            # made meanwhile (`office_forecast`'s `since`). Its connection is taken before the
            # turn, as every other reader of the forecast has one before it asks (the turn is
            # never held waiting for the pool); a transaction's snapshot begins at its first
            # read, on SQLite and in PostgreSQL's repeatable read alike.
            session.connection()
            with self._forecast_turn(office_id):
                ticket = repo.get_ticket(session, office_id, after.ticket_id)
                assert ticket is not None  # committed, and tickets are never deleted
                view = self._views(session, [ticket], committed=True, since=after.seq)[0]
            return replace(view, replayed=after.replayed, print_job_id=after.print_job_id)

        # The office's answers wait for their turn here, in order, before they take a worker
        # thread and a connection: a burst of issues holds one of each, not one per answer.
        async with self._answering.setdefault(office_id, anyio.Lock()):
            return await self._read(answer)

    def _view(self, session: Session, ticket: Ticket, *, committed: bool = False) -> TicketView:
        return self._views(session, [ticket], committed=committed)[0]

    def _views(
        self,
        session: Session,
        # ORM tickets, or plain tuples of the columns read here (repository.TicketRow).
        tickets: Sequence[Ticket] | Sequence[repo.TicketRow],
        *,
        committed: bool = False,
        since: int | None = None,
    ) -> list[TicketView]:
        """Views of tickets of one office, with the same few queries however many there are
        (one status page, or every status page following the office): one forecast for all.
        `committed`: a read of committed data, which shares the forecast of its office event."""
        # The waiting ones as the forecast weighs them.
        waiting = {
            t.id: Candidate(t.id, t.service_id, t.priority is not None, t.queued_at, t.booked_for)
            for t in tickets
            if t.status == TicketStatus.WAITING and t.id is not None
        }
        forecast: Forecast | None = None
        if waiting:
            office = session.get(Office, tickets[0].office_id)
            assert office is not None
            # A write wants its own ticket only: the replay may stop once it is called.
            until = next(iter(waiting)) if len(waiting) == 1 else None
            forecast = self.office_forecast(
                session,
                office,
                committed=committed,
                until=until,
                tickets=list(waiting.values()),
                since=since,
            )
        known: dict[int | None, Service] = {}
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
            if forecast is not None and ticket.id in waiting:
                wait = forecast.wait_of(waiting[ticket.id])
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
