"""Read models of the staff console and the supervisor view, built from the database in one read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import anyio.to_thread
from sqlmodel import Session

from counter import repository as repo
from counter.auth import Role, StaffPrincipal
from counter.models import Counter, CounterService, Office, Service, Staff, Ticket
from counter.queue.errors import InvalidInput, NotFound
from counter.queue.numbering import format_number, parse_number
from counter.queue.policy import Candidate, call_order
from counter.queue.states import TicketStatus
from counter.service import (
    PAUSE_REASONS,
    QueueService,
    counter_mix,
    counter_policy,
    day_start,
    local_day,
)
from counter.texts import say

T = TypeVar("T")

# Printer states that need nobody (see printer.status.PrinterState); the rest are alerts.
_PRINTER_FINE = frozenset({None, "ok", "unchecked", "none"})

# Counter events logged when a manager changes a counter's services (QueueService).
_SERVICE_CHANGE_KINDS = ("service_added", "service_removed")


@dataclass(frozen=True)
class ServiceRef:
    code: str
    name_th: str
    name_en: str
    prefix: str
    group: str
    active: bool
    standard_minutes: int
    wait_target_minutes: int


@dataclass(frozen=True)
class TicketLine:
    id: int
    number: str
    service: str
    service_name_th: str
    service_name_en: str
    status: str
    priority: str | None
    issued_at: datetime
    queued_at: datetime
    called_at: datetime | None
    # When service began (serving) or the ticket was set aside (held); from the event log.
    started_at: datetime | None
    held_at: datetime | None
    recall_count: int
    standard_minutes: int
    counter: int | None
    # The ticket "Call next" would pick now, by the counter's own policy.
    next: bool = False
    next_reason: str | None = None
    # A booked ticket: the start of its slot (called then, ahead of walk-ins).
    booked_for: datetime | None = None


@dataclass(frozen=True)
class CounterLine:
    number: int
    name: str
    active: bool
    holder: str | None
    holder_username: str | None
    mine: bool
    state: str  # closed | idle | called | serving | paused
    opened_at: datetime | None
    paused_reason: str | None
    paused_at: datetime | None
    idle_since: datetime | None
    current: TicketLine | None
    held: int
    services: list[str]
    services_changed_at: datetime | None
    services_changed_by: str | None


@dataclass(frozen=True)
class PrinterAlert:
    """A kiosk whose printer needs a person, as last reported (live ones come as printer.*)."""

    device_id: int
    device: str
    state: str
    detail: str
    at: datetime | None


@dataclass(frozen=True)
class Me:
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class ConsoleState:
    now: datetime
    seq: int
    office_name_th: str
    office_name_en: str
    timezone: str
    me: Me
    counter: CounterLine | None
    counters: list[CounterLine]
    current: TicketLine | None
    held: list[TicketLine]
    waiting: list[TicketLine]
    services: list[ServiceRef]
    pause_reasons: list[str]
    printers: list[PrinterAlert]


@dataclass(frozen=True)
class ServiceLoad:
    service: ServiceRef
    waiting: int
    priority_waiting: int
    oldest_number: str | None
    oldest_queued_at: datetime | None
    longest_wait_seconds: int | None
    over_target: int
    open_counters: list[int]


@dataclass(frozen=True)
class SupervisorState:
    now: datetime
    seq: int
    office_name_th: str
    office_name_en: str
    timezone: str
    me: Me
    counters: list[CounterLine]
    services: list[ServiceLoad]
    waiting: int
    alerts: list[ServiceLoad]
    printers: list[PrinterAlert]
    # Every service of the office, for choosing a counter's services.
    all_services: list[ServiceRef]


@dataclass(frozen=True)
class TicketLookup:
    id: int
    number: str
    status: str
    service: str
    service_name_th: str
    service_name_en: str
    counter: int | None


class _Day:
    """Everything one read needs about the office and the moment."""

    def __init__(self, session: Session, office_id: int, now: datetime) -> None:
        office = repo.get_office(session, office_id)
        if office is None:
            raise NotFound(*say("no_office", office_id=office_id))
        self.session = session
        self.office: Office = office
        self.office_id = office_id
        self.now = now
        self.today: date = local_day(now, office.timezone)
        self.day_start = day_start(self.today, office.timezone)
        self.services: dict[int, Service] = {
            s.id: s for s in repo.services(session, office_id) if s.id is not None
        }
        self._staff: dict[int, Staff | None] = {}

    def staff_name(self, staff_id: int | None) -> tuple[str | None, str | None]:
        if staff_id is None:
            return None, None
        if staff_id not in self._staff:
            self._staff[staff_id] = repo.staff_by_id(self.session, staff_id)
        staff = self._staff[staff_id]
        if staff is None:
            return "?", None
        return staff.display_name or staff.username, staff.username

    def service_ref(self, service_id: int) -> ServiceRef:
        s = self.services[service_id]
        return ServiceRef(
            code=s.code,
            name_th=s.name_th,
            name_en=s.name_en,
            prefix=s.prefix,
            group=s.group,
            active=s.active,
            standard_minutes=s.standard_minutes,
            wait_target_minutes=s.wait_target_minutes,
        )

    def line(
        self,
        ticket: Ticket,
        counters: dict[int, Counter] | None = None,
        *,
        next_reason: str | None = None,
    ) -> TicketLine:
        assert ticket.id is not None
        service = self.services[ticket.service_id]
        started_at = held_at = None
        if ticket.status == TicketStatus.SERVING:
            started_at = repo.last_event_at(
                self.session, ticket.id, ticket.transaction_no, ["started"]
            )
        elif ticket.status == TicketStatus.HELD:
            held_at = repo.last_event_at(self.session, ticket.id, ticket.transaction_no, ["held"])
        counter = (counters or {}).get(ticket.counter_id) if ticket.counter_id else None
        return TicketLine(
            id=ticket.id,
            number=ticket.number,
            service=service.code,
            service_name_th=service.name_th,
            service_name_en=service.name_en,
            status=ticket.status,
            priority=ticket.priority,
            issued_at=ticket.issued_at,
            queued_at=ticket.queued_at,
            called_at=ticket.called_at,
            started_at=started_at,
            held_at=held_at,
            recall_count=ticket.recall_count,
            standard_minutes=service.standard_minutes,
            counter=counter.number if counter else None,
            booked_for=ticket.booked_for,
            next=next_reason is not None,
            next_reason=next_reason,
        )


class ConsoleService:
    """What the console and the supervisor screens show; every figure read from the database."""

    def __init__(self, queue: QueueService) -> None:
        self.queue = queue

    async def console(self, actor: StaffPrincipal) -> ConsoleState:
        now = self.queue.clock()

        def read(session: Session) -> ConsoleState:
            day = _Day(session, actor.office_id, now)
            counters = list(repo.counters(session, actor.office_id))
            by_id = {c.id: c for c in counters if c.id is not None}
            at_counters = list(repo.tickets_at_counters(session, actor.office_id))
            lines = self._counter_lines(day, counters, at_counters, actor)
            mine = next((c for c in counters if c.staff_id == actor.staff_id), None)
            current: TicketLine | None = None
            held: list[TicketLine] = []
            waiting: list[TicketLine] = []
            if mine is not None and mine.id is not None:
                current_row = repo.current_ticket_at(session, mine.id)
                current = day.line(current_row, by_id) if current_row else None
                held = [day.line(t, by_id) for t in repo.held_at(session, mine.id)]
                waiting = self._waiting_for(day, mine, by_id)
            return ConsoleState(
                now=now,
                seq=day.office.event_seq,
                office_name_th=day.office.name_th,
                office_name_en=day.office.name_en,
                timezone=day.office.timezone,
                me=_me(actor),
                counter=next((line for line in lines if line.mine), None),
                counters=lines,
                current=current,
                held=held,
                waiting=waiting,
                services=[day.service_ref(sid) for sid in day.services],
                pause_reasons=list(PAUSE_REASONS),
                printers=_printer_alerts(session, actor.office_id),
            )

        return await self._read(read)

    async def supervisor(self, actor: StaffPrincipal) -> SupervisorState:
        now = self.queue.clock()

        def read(session: Session) -> SupervisorState:
            day = _Day(session, actor.office_id, now)
            counters = list(repo.counters(session, actor.office_id))
            at_counters = list(repo.tickets_at_counters(session, actor.office_id))
            lines = self._counter_lines(day, counters, at_counters, actor)
            waiting = repo.waiting_tickets(session, actor.office_id, day.today)
            loads = self._loads(day, waiting, lines)
            return SupervisorState(
                now=now,
                seq=day.office.event_seq,
                office_name_th=day.office.name_th,
                office_name_en=day.office.name_en,
                timezone=day.office.timezone,
                me=_me(actor),
                counters=lines,
                services=loads,
                waiting=len(waiting),
                alerts=[load for load in loads if load.over_target],
                printers=_printer_alerts(session, actor.office_id),
                all_services=[day.service_ref(sid) for sid in day.services],
            )

        return await self._read(read)

    async def find_ticket(self, office_id: int, number: str) -> TicketLookup:
        """Today's ticket by the number a citizen shows (for calling a specific ticket)."""
        try:
            prefix, seq_no = parse_number(number)
        except ValueError:
            raise InvalidInput(*say("bad_number", number=number)) from None
        canonical = format_number(prefix, seq_no)
        now = self.queue.clock()

        def read(session: Session) -> TicketLookup:
            day = _Day(session, office_id, now)
            ticket = repo.ticket_by_number(session, office_id, day.today, canonical)
            if ticket is None or ticket.id is None:
                raise NotFound(*say("no_ticket_today", number=canonical))
            service = day.services[ticket.service_id]
            counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
            return TicketLookup(
                id=ticket.id,
                number=ticket.number,
                status=ticket.status,
                service=service.code,
                service_name_th=service.name_th,
                service_name_en=service.name_en,
                counter=counter.number if counter else None,
            )

        return await self._read(read)

    async def _read(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.queue.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    # ------------------------------------------------------------ helpers (inside one read)

    def _waiting_for(
        self, day: _Day, counter: Counter, by_id: dict[int, Counter]
    ) -> list[TicketLine]:
        """The tickets this counter may call, in the order its own policy calls them (the rule
        Call next uses, counter/queue/policy.py), so the first is the one N takes now; the call
        itself decides again under the office lock."""
        assert counter.id is not None
        slots = repo.counter_services(day.session, counter.id)
        service_ids = [s.service_id for s in slots]
        tickets = {
            t.id: t
            for t in repo.waiting_for_services(day.session, day.office_id, day.today, service_ids)
            if t.id is not None
        }
        if not tickets:
            return []
        candidates = [
            Candidate(t.id, t.service_id, bool(t.priority), t.queued_at, t.booked_for)
            for t in tickets.values()
            if t.id is not None
        ]
        order = call_order(
            candidates, counter_policy(counter, slots), counter_mix(counter, slots), day.now
        )
        return [
            day.line(
                tickets[choice.candidate.ticket_id],
                by_id,
                next_reason=choice.reason if place == 0 else None,
            )
            for place, choice in enumerate(order)
        ]

    def _counter_lines(
        self,
        day: _Day,
        counters: Sequence[Counter],
        at_counters: Sequence[Ticket],
        actor: StaffPrincipal,
    ) -> list[CounterLine]:
        by_id = {c.id: c for c in counters if c.id is not None}
        current: dict[int, Ticket] = {}
        held: dict[int, int] = defaultdict(int)
        for ticket in at_counters:
            assert ticket.counter_id is not None
            if ticket.status == TicketStatus.HELD:
                held[ticket.counter_id] += 1
            else:
                # The latest call wins, as in repository.current_ticket_at.
                current[ticket.counter_id] = ticket
        services: dict[int, list[CounterService]] = defaultdict(list)
        for row in repo.office_counter_services(day.session, day.office_id):
            services[row.counter_id].append(row)
        last_ticket_event = repo.last_ticket_event_per_counter(
            day.session, day.office_id, day.day_start
        )
        resumed: dict[int, datetime] = {}
        changed: dict[int, tuple[datetime, int | None]] = {}
        for event in repo.counter_events_since(
            day.session, day.office_id, day.day_start, ["resumed", *_SERVICE_CHANGE_KINDS]
        ):
            if event.kind == "resumed":
                resumed[event.counter_id] = event.at
            else:
                changed[event.counter_id] = (event.at, event.staff_id)
        lines = []
        for counter in counters:
            assert counter.id is not None
            holder, username = day.staff_name(counter.staff_id)
            at_counter = current.get(counter.id)
            line = day.line(at_counter, by_id) if at_counter else None
            if counter.staff_id is None:
                state = "closed"
            elif counter.paused_reason is not None:
                state = "paused"
            elif at_counter is not None:
                state = at_counter.status
            else:
                state = "idle"
            idle_since = None
            if state == "idle":
                moments = [counter.opened_at, last_ticket_event.get(counter.id)]
                moments.append(resumed.get(counter.id))
                idle_since = max((m for m in moments if m is not None), default=None)
            rows = sorted(
                services[counter.id],
                key=lambda r: (r.position, day.services[r.service_id].position),
            )
            change = changed.get(counter.id)
            lines.append(
                CounterLine(
                    number=counter.number,
                    name=counter.name,
                    active=counter.active,
                    holder=holder,
                    holder_username=username,
                    mine=counter.staff_id is not None and counter.staff_id == actor.staff_id,
                    state=state,
                    opened_at=counter.opened_at,
                    paused_reason=counter.paused_reason,
                    paused_at=counter.paused_at,
                    idle_since=idle_since,
                    current=line,
                    held=held.get(counter.id, 0),
                    services=[day.services[r.service_id].code for r in rows],
                    services_changed_at=change[0] if change else None,
                    services_changed_by=day.staff_name(change[1])[0] if change else None,
                )
            )
        return lines

    def _loads(
        self, day: _Day, waiting: Sequence[Ticket], counters: Sequence[CounterLine]
    ) -> list[ServiceLoad]:
        lines: dict[int, list[Ticket]] = defaultdict(list)
        for ticket in waiting:
            lines[ticket.service_id].append(ticket)
        open_at: dict[str, list[int]] = defaultdict(list)
        for counter in counters:
            if counter.state not in ("closed", "paused"):
                for code in counter.services:
                    open_at[code].append(counter.number)
        loads = []
        for service_id, service in day.services.items():
            tickets = lines.get(service_id, [])
            if not tickets and not service.active:
                continue
            oldest = min(tickets, key=lambda t: (t.queued_at, t.id or 0)) if tickets else None
            target = service.wait_target_minutes * 60
            loads.append(
                ServiceLoad(
                    service=day.service_ref(service_id),
                    waiting=len(tickets),
                    priority_waiting=sum(1 for t in tickets if t.priority),
                    oldest_number=oldest.number if oldest else None,
                    oldest_queued_at=oldest.queued_at if oldest else None,
                    longest_wait_seconds=(
                        int((day.now - oldest.queued_at).total_seconds()) if oldest else None
                    ),
                    over_target=sum(
                        1 for t in tickets if (day.now - t.queued_at).total_seconds() > target
                    ),
                    open_counters=open_at.get(service.code, []),
                )
            )
        return loads


def _me(actor: StaffPrincipal) -> Me:
    return Me(
        username=actor.username,
        display_name=actor.display_name or actor.username,
        role=actor.role.value if isinstance(actor.role, Role) else str(actor.role),
    )


def _printer_alerts(session: Session, office_id: int) -> list[PrinterAlert]:
    return [
        PrinterAlert(
            device_id=d.id,
            device=d.name,
            state=d.printer_state or "unknown",
            detail=d.printer_detail or "",
            at=d.printer_checked_at,
        )
        for d in repo.devices(session, office_id)
        if d.id is not None and d.revoked_at is None and d.printer_state not in _PRINTER_FINE
    ]
