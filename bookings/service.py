"""Use cases of advance booking: slots, booking, moving, cancelling, check-in, imports, settings.

Every write is one write of the office unit of work (counter.unit_of_work), the queue's own:
it holds the office's lock, so two people never both get a slot's last place. Check-in issues
the ticket through the queue (QueueService.issue_ticket with the slot as `booked_for`) and marks
the booking in that same transaction: a booking never has two tickets, a ticket is never left
without it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlmodel import Session

from bookings import repository as repo
from bookings.figures import channel_figures
from bookings.models import BookableService, Booking, BookingSettings
from bookings.rules import (
    OfficeRules,
    ServiceRules,
    Source,
    Window,
    booking_refusal,
    capacity_of,
    check_in_window,
    new_code,
    normalise_code,
    normalise_phone,
    slot_times,
)
from bookings.text import ERR, IMPORT_FIELDS
from counter import repository as counter_repo
from counter.auth import StaffPrincipal
from counter.models import Office, Service, Ticket
from counter.queue.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from counter.queue.thai import format_thai_date
from counter.service import local_day, office_hours
from counter.standards import standard_in_force
from counter.texts import fill
from counter.unit_of_work import OfficeTx, OfficeWork

R = TypeVar("R")

# What the caller of check_in gives: issue a booked ticket of this service for this slot, running
# `with_ticket` inside the issuing transaction (QueueService.issue_ticket's hook).
Issue = Callable[[str, datetime, Callable[[Session, Ticket], None]], Awaitable[R]]


def error(cls: type[DomainError], key: str, **kw: Any) -> DomainError:
    return cls(*fill(ERR[key], **kw))


@dataclass(frozen=True)
class SlotView:
    time: str
    start: datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True)
class DaySlots:
    service: str
    day: date
    slots: list[SlotView]
    # Why the day cannot be booked (bookings.text.ERR key), with its words; None when it can.
    closed: str | None = None
    closed_th: str = ""
    closed_en: str = ""


@dataclass(frozen=True)
class BookingView:
    id: int
    code: str
    office_id: int
    office_code: str
    office_th: str
    office_en: str
    service: str
    service_id: int
    service_th: str
    service_en: str
    day: date
    time: str
    slot_start: datetime
    slot_minutes: int
    when_th: str
    name: str
    phone: str
    source: str
    status: str
    created_at: datetime
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    ticket_id: int | None
    ticket_number: str | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: list[tuple[int, str]]


@dataclass(frozen=True)
class BookableServiceView:
    code: str
    name_th: str
    name_en: str
    rules: ServiceRules
    counters: int
    standard_minutes: int
    derived_capacity: int

    @property
    def capacity(self) -> int:
        return self.rules.capacity if self.rules.capacity is not None else self.derived_capacity


def _sid(service: Service) -> int:
    assert service.id is not None
    return service.id


def status_of(booking: Booking, today: date) -> str:
    if booking.cancelled_at is not None:
        return "cancelled"
    if booking.ticket_id is not None:
        return "checked_in"
    if booking.day < today:
        return "missed"
    return "booked"


def service_rules(row: BookableService | None) -> ServiceRules:
    if row is None:
        return ServiceRules()
    return ServiceRules(
        enabled=row.enabled,
        slot_minutes=row.slot_minutes,
        capacity=row.capacity,
        share_pct=row.share_pct,
        window_days=row.window_days,
        cutoff=row.cutoff,
    )


def office_rules(row: BookingSettings | None) -> OfficeRules:
    if row is None:
        return OfficeRules()
    return OfficeRules(row.check_in_before, row.check_in_after, row.per_phone_per_day)


def hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def dotted(at: time) -> str:
    """A time as Thai text writes it: 10.35 (followed by น.)."""
    return at.strftime("%H.%M")


class Bookings:
    def __init__(self, work: OfficeWork) -> None:
        # The process's office unit of work, shared with the queue and the admin.
        self.work = work
        self.db = work.db
        self.clock = work.clock

    async def _run(self, fn: Callable[[], R]) -> R:
        return await anyio.to_thread.run_sync(fn)

    async def _write(self, office_id: int, fn: Callable[[OfficeTx], R]) -> R:
        return await self.work.run(office_id, fn)

    # ----------------------------------------------------------------- reading

    def _office(self, session: Session, office_id: int | None, office_code: str | None) -> Office:
        if office_id is not None:
            office = counter_repo.get_office(session, office_id)
        else:
            office = counter_repo.public_office(session, office_code)
            if office is None and not office_code:
                raise error(InvalidInput, "choose_office")
        if office is None or office.id is None:
            raise error(NotFound, "unknown_office")
        return office

    def _service(self, session: Session, office: Office, code: str) -> Service:
        assert office.id is not None
        service = counter_repo.service_by_code(session, office.id, code)
        if service is None or service.id is None:
            raise error(NotFound, "unknown_service")
        return service

    def _bookable(self, session: Session, service: Service, day: date) -> BookableServiceView:
        assert service.id is not None
        rules = service_rules(repo.service_rules(session, service.id))
        counters = repo.counters_serving(session, service.id)
        standard = standard_in_force(session, service, day).standard_minutes
        derived = capacity_of(counters, rules.slot_minutes, standard, rules.share_pct)
        return BookableServiceView(
            service.code, service.name_th, service.name_en, rules, counters, standard, derived
        )

    def _day_slots(
        self,
        session: Session,
        office: Office,
        service: Service,
        day: date,
        *,
        staff: bool = False,
        leave_out: int | None = None,
    ) -> DaySlots:
        assert office.id is not None and service.id is not None
        bookable = self._bookable(session, service, day)
        rules = bookable.rules
        tz = ZoneInfo(office.timezone)
        local_now = self.clock().astimezone(tz)
        hours = office_hours(office)
        closed = booking_refusal(
            rules,
            hours,
            counter_repo.holidays(session, office.id),
            day,
            local_now,
            staff=staff,
        )
        if closed is None and not service.active:
            closed = "not_bookable"
        if closed is None and bookable.capacity <= 0:
            closed = "not_bookable"
        if closed is not None:
            words = fill(ERR[closed], days=rules.window_days, cutoff=dotted(rules.cutoff))
            return DaySlots(service.code, day, [], closed, *words)
        taken = repo.booked_per_slot(session, service.id, day, leave_out)
        slots = []
        for at in slot_times(hours, rules.slot_minutes, service.issue_cutoff):
            start = datetime.combine(day, at, tz).astimezone(UTC)
            if start <= self.clock():
                continue  # staff booking later today: only slots still ahead
            slots.append(SlotView(hhmm(at), start, bookable.capacity, taken.get(start, 0)))
        return DaySlots(service.code, day, slots)

    async def slots(
        self,
        service_code: str,
        day: date,
        *,
        office_id: int | None = None,
        office_code: str | None = None,
        staff: bool = False,
    ) -> DaySlots:
        """A day's slots of a service with capacity and what remains (or why none)."""

        def read() -> DaySlots:
            with self.db.read() as session:
                office = self._office(session, office_id, office_code)
                service = self._service(session, office, service_code)
                return self._day_slots(session, office, service, day, staff=staff)

        return await self._run(read)

    async def days(
        self,
        service_code: str,
        *,
        office_id: int | None = None,
        office_code: str | None = None,
        staff: bool = False,
    ) -> list[DaySlots]:
        """Every day of the service's booking window (from tomorrow; staff from today), each
        with its slots or why it cannot be booked: the booking page's day picker."""

        def read() -> list[DaySlots]:
            with self.db.read() as session:
                office = self._office(session, office_id, office_code)
                service = self._service(session, office, service_code)
                today = local_day(self.clock(), office.timezone)
                rules = service_rules(repo.service_rules(session, _sid(service)))
                first = 0 if staff else 1
                return [
                    self._day_slots(
                        session, office, service, today + timedelta(days=n), staff=staff
                    )
                    for n in range(first, rules.window_days + 1)
                ]

        return await self._run(read)

    async def bookable_services(
        self, *, office_id: int | None = None, office_code: str | None = None
    ) -> tuple[Office, list[BookableServiceView]]:
        """The office and its services open to booking today, with their rules."""

        def read() -> tuple[Office, list[BookableServiceView]]:
            with self.db.read() as session:
                office = self._office(session, office_id, office_code)
                assert office.id is not None
                today = local_day(self.clock(), office.timezone)
                out = [
                    self._bookable(session, s, today)
                    for s in counter_repo.services(session, office.id)
                    if s.active
                ]
                return office, out

        return await self._run(read)

    def _view(
        self, session: Session, booking: Booking, office: Office | None = None
    ) -> BookingView:
        office = office or counter_repo.get_office(session, booking.office_id)
        service = session.get(Service, booking.service_id)
        assert office is not None and service is not None and booking.id is not None
        ticket = session.get(Ticket, booking.ticket_id) if booking.ticket_id else None
        tz = ZoneInfo(office.timezone)
        local = booking.slot_start.astimezone(tz)
        return BookingView(
            id=booking.id,
            code=booking.code,
            office_id=booking.office_id,
            office_code=office.code,
            office_th=office.name_th,
            office_en=office.name_en,
            service=service.code,
            service_id=booking.service_id,
            service_th=service.name_th,
            service_en=service.name_en,
            day=booking.day,
            time=hhmm(local.time()),
            slot_start=booking.slot_start,
            slot_minutes=booking.slot_minutes,
            when_th=format_thai_date(booking.slot_start, tz=office.timezone, with_time=True),
            name=booking.name,
            phone=booking.phone,
            source=booking.source,
            status=status_of(booking, local_day(self.clock(), office.timezone)),
            created_at=booking.created_at,
            checked_in_at=booking.checked_in_at,
            cancelled_at=booking.cancelled_at,
            ticket_id=booking.ticket_id,
            ticket_number=ticket.number if ticket else None,
        )

    def _find(self, session: Session, code: str, office_id: int | None) -> Booking:
        clean = normalise_code(code)
        if clean is None:
            raise error(InvalidInput, "bad_code")
        found = repo.by_code(session, clean, office_id)
        if len(found) != 1:
            raise error(NotFound, "not_found")
        return found[0]

    async def find(self, code: str, *, office_id: int | None = None) -> BookingView:
        def read() -> BookingView:
            with self.db.read() as session:
                return self._view(session, self._find(session, code, office_id))

        return await self._run(read)

    async def bookings_on(self, office_id: int, day: date) -> list[BookingView]:
        """Every booking of an office on a local day (cancelled ones too), by slot: what the
        console lists and what a reminder sender reads the day before."""

        def read() -> list[BookingView]:
            with self.db.read() as session:
                office = self._office(session, office_id, None)
                rows = repo.on_day(session, office_id, day)
                return [self._view(session, row, office) for row in rows]

        return await self._run(read)

    async def ticket_of(self, code: str, *, office_id: int | None = None) -> int | None:
        """The id of the ticket a booking was checked in with (None before check-in)."""

        def read() -> int | None:
            with self.db.read() as session:
                return self._find(session, code, office_id).ticket_id

        return await self._run(read)

    # ----------------------------------------------------------------- booking

    def _check_slot(
        self,
        session: Session,
        office: Office,
        service: Service,
        day: date,
        at: str,
        *,
        staff: bool,
        leave_out: int | None = None,
    ) -> SlotView:
        found = self._day_slots(session, office, service, day, staff=staff, leave_out=leave_out)
        if found.closed is not None:
            raise InvalidInput(found.closed_th, found.closed_en)
        slot = next((s for s in found.slots if s.time == _hhmm(at)), None)
        if slot is None:
            raise error(InvalidInput, "no_slot")
        if slot.remaining <= 0:
            raise error(Conflict, "slot_full")
        return slot

    async def book(
        self,
        service_code: str,
        day: date,
        at: str,
        name: str,
        phone: str,
        *,
        consent: bool,
        office_code: str | None = None,
        staff: StaffPrincipal | None = None,
    ) -> BookingView:
        """Book a slot: from the public page (with consent) or by staff for a caller."""
        clean_name = " ".join(name.split())
        if not clean_name:
            raise error(InvalidInput, "no_name")
        clean_phone = normalise_phone(phone)
        if clean_phone is None:
            raise error(InvalidInput, "bad_phone")
        if staff is None and not consent:
            raise error(InvalidInput, "no_consent")

        def which() -> int:
            with self.db.read() as session:
                office = self._office(
                    session, staff.office_id if staff else None, None if staff else office_code
                )
                assert office.id is not None
                return office.id

        def write(tx: OfficeTx) -> BookingView:
            session, office, now = tx.session, tx.office, tx.now
            assert office.id is not None
            service = self._service(session, office, service_code)
            assert service.id is not None
            slot = self._check_slot(session, office, service, day, at, staff=staff is not None)
            rules = office_rules(repo.office_rules(session, office.id))
            held = repo.held_by_phone(session, office.id, clean_phone, day)
            if held >= rules.per_phone_per_day:
                raise error(Conflict, "phone_limit", limit=rules.per_phone_per_day)
            code = new_code()
            while repo.code_taken(session, code):
                code = new_code()
            row = Booking(
                office_id=office.id,
                service_id=service.id,
                code=code,
                day=day,
                slot_start=slot.start,
                slot_minutes=self._bookable(session, service, day).rules.slot_minutes,
                name=clean_name[:200],
                phone=clean_phone,
                consent_at=now if consent or staff is None else None,
                source=Source.STAFF if staff else Source.WEB,
                created_at=now,
                created_by=staff.staff_id if staff else None,
            )
            session.add(row)
            session.flush()
            return self._view(session, row, office)

        return await self._write(await self._run(which), write)

    def _open_booking(self, session: Session, code: str, office_id: int | None) -> Booking:
        """A booking that may still be moved or cancelled, locked for the change (in a write of
        its office, see _office_of). `office_id`: staff of that office; None: anyone holding the
        code, who may not change a booking imported from another system (its references may be
        guessable; it is changed there)."""
        booking = self._find(session, code, office_id)
        if office_id is None and booking.source == Source.IMPORT:
            raise error(Forbidden, "imported")
        assert booking.id is not None
        locked = repo.for_update(session, booking.id)
        assert locked is not None
        if locked.cancelled_at is not None:
            raise error(Conflict, "cancelled")
        if locked.ticket_id is not None:
            ticket = session.get(Ticket, locked.ticket_id)
            raise error(Conflict, "checked_in", number=ticket.number if ticket else "")
        if locked.slot_start < self.clock():
            raise error(Conflict, "past_booking")
        return locked

    async def _office_of(self, code: str, office_id: int | None) -> int:
        """The office of the booking with this code (NotFound as `_find`), before writing it."""

        def read() -> int:
            with self.db.read() as session:
                return self._find(session, code, office_id).office_id

        return await self._run(read)

    async def cancel(self, code: str, *, office_id: int | None = None) -> BookingView:
        def write(tx: OfficeTx) -> BookingView:
            booking = self._open_booking(tx.session, code, office_id)
            booking.cancelled_at = tx.now
            return self._view(tx.session, booking)

        return await self._write(await self._office_of(code, office_id), write)

    async def move(
        self, code: str, day: date, at: str, *, staff: StaffPrincipal | None = None
    ) -> BookingView:
        """Move a booking to another slot of the same service; it keeps its code."""

        staff_office = staff.office_id if staff else None

        def write(tx: OfficeTx) -> BookingView:
            session = tx.session
            booking = self._open_booking(session, code, staff_office)
            office = self._office(session, booking.office_id, None)
            service = session.get(Service, booking.service_id)
            assert service is not None
            slot = self._check_slot(
                session,
                office,
                service,
                day,
                at,
                staff=staff is not None,
                leave_out=booking.id,
            )
            if booking.day != day:
                rules = office_rules(repo.office_rules(session, booking.office_id))
                held = repo.held_by_phone(
                    session, booking.office_id, booking.phone, day, booking.id
                )
                if booking.phone and held >= rules.per_phone_per_day:
                    raise error(Conflict, "phone_limit", limit=rules.per_phone_per_day)
            booking.day = day
            booking.slot_start = slot.start
            booking.moved_at = tx.now
            return self._view(session, booking, office)

        return await self._write(await self._office_of(code, staff_office), write)

    # ----------------------------------------------------------------- check-in

    async def check_in(self, code: str, office_id: int, issue: Issue[R]) -> R:
        """Turn a booking into its ticket, within the check-in window of its slot.

        Too early or too late (then the citizen takes an ordinary ticket) and another day are
        refused with the reason; a booking already checked in is a conflict. The booking is
        checked again inside the issuing transaction, so two check-ins never both succeed."""
        now = self.clock()

        def read() -> tuple[Booking, Service, Office, OfficeRules]:
            with self.db.read() as session:
                booking = self._find(session, code, office_id)
                service = session.get(Service, booking.service_id)
                office = counter_repo.get_office(session, booking.office_id)
                assert service is not None and office is not None
                rules = office_rules(repo.office_rules(session, booking.office_id))
                self._check_in_refusal(session, booking, office, rules, now)
                return booking, service, office, rules

        booking, service, office, rules = await self._run(read)

        def with_ticket(session: Session, ticket: Ticket) -> None:
            assert booking.id is not None
            locked = repo.for_update(session, booking.id)
            assert locked is not None
            self._check_in_refusal(session, locked, office, rules, ticket.issued_at)
            locked.ticket_id = ticket.id
            locked.checked_in_at = ticket.issued_at

        return await issue(service.code, booking.slot_start, with_ticket)

    def _check_in_refusal(
        self, session: Session, booking: Booking, office: Office, rules: OfficeRules, now: datetime
    ) -> None:
        tz = ZoneInfo(office.timezone)
        if booking.cancelled_at is not None:
            raise error(InvalidInput, "cancelled")
        if booking.ticket_id is not None:
            ticket = session.get(Ticket, booking.ticket_id)
            raise error(Conflict, "checked_in", number=ticket.number if ticket else "")
        if booking.day != local_day(now, office.timezone):
            day = format_thai_date(booking.slot_start, tz=office.timezone)
            raise error(InvalidInput, "other_day", day=day)
        window = check_in_window(booking.slot_start, now, rules)
        slot = dotted(booking.slot_start.astimezone(tz).time())
        if window is Window.EARLY:
            opens = booking.slot_start - timedelta(minutes=rules.check_in_before)
            raise error(InvalidInput, "early", slot=slot, opens=dotted(opens.astimezone(tz).time()))
        if window is Window.LATE:
            raise error(InvalidInput, "late", slot=slot)

    # ----------------------------------------------------------------- settings

    async def settings(self, office_id: int) -> tuple[OfficeRules, dict[str, str]]:
        def read() -> tuple[OfficeRules, dict[str, str]]:
            with self.db.read() as session:
                row = repo.office_rules(session, office_id)
                return office_rules(row), dict(row.import_columns or {}) if row else {}

        return await self._run(read)

    async def save_settings(
        self,
        office_id: int,
        rules: OfficeRules | None = None,
        import_columns: Mapping[str, str] | None = None,
    ) -> tuple[OfficeRules, dict[str, str]]:
        if rules is not None:
            for field, value, top in (
                ("check_in_before", rules.check_in_before, 240),
                ("check_in_after", rules.check_in_after, 240),
                ("per_phone_per_day", rules.per_phone_per_day, 20),
            ):
                if not 0 <= value <= top or (field == "per_phone_per_day" and value < 1):
                    raise error(InvalidInput, "bad_setting", field=field)
        if import_columns is not None:
            unknown = sorted(set(import_columns) - set(IMPORT_FIELDS))
            if unknown:
                raise error(InvalidInput, "bad_setting", field=", ".join(unknown))

        def write(tx: OfficeTx) -> tuple[OfficeRules, dict[str, str]]:
            session = tx.session
            row = repo.office_rules(session, office_id) or BookingSettings(office_id=office_id)
            if rules is not None:
                row.check_in_before = rules.check_in_before
                row.check_in_after = rules.check_in_after
                row.per_phone_per_day = rules.per_phone_per_day
            if import_columns is not None:
                row.import_columns = {k: v.strip() for k, v in import_columns.items() if v}
            session.add(row)
            session.flush()
            return office_rules(row), dict(row.import_columns or {})

        return await self._write(office_id, write)

    async def save_service_rules(
        self, office_id: int, service_code: str, rules: ServiceRules
    ) -> BookableServiceView:
        for field, value, low, top in (
            ("slot_minutes", rules.slot_minutes, 5, 240),
            ("share_pct", rules.share_pct, 0, 100),
            ("window_days", rules.window_days, 1, 90),
            ("capacity", rules.capacity if rules.capacity is not None else 0, 0, 500),
        ):
            if not low <= value <= top:
                raise error(InvalidInput, "bad_setting", field=field)

        def write(tx: OfficeTx) -> BookableServiceView:
            session, office = tx.session, tx.office
            service = self._service(session, office, service_code)
            assert service.id is not None
            row = repo.service_rules(session, service.id) or BookableService(service_id=service.id)
            row.enabled = rules.enabled
            row.slot_minutes = rules.slot_minutes
            row.capacity = rules.capacity
            row.share_pct = rules.share_pct
            row.window_days = rules.window_days
            row.cutoff = rules.cutoff
            session.add(row)
            session.flush()
            return self._bookable(session, service, tx.today)

        return await self._write(office_id, write)

    # ----------------------------------------------------------------- imports

    async def import_csv(
        self, office_id: int, text: str, columns: Mapping[str, str] | None = None
    ) -> ImportResult:
        """Bookings made elsewhere (BORA, a provincial system), from a CSV file whose columns are
        named by the office's saved mapping (`columns` overrides it). A row whose code is
        already here updates that booking unless it was checked in; bad rows are skipped with
        their line number and reason. Capacity is the other system's business: not checked."""
        saved = (await self.settings(office_id))[1]
        mapping = {field: field for field in IMPORT_FIELDS} | saved | dict(columns or {})
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        heading = [h.strip() for h in reader.fieldnames or []]
        if not heading:
            raise error(InvalidInput, "csv_empty")
        needed = ("service", "date", "time")
        missing = [mapping[f] for f in needed if mapping[f] not in heading]
        if missing:
            raise error(InvalidInput, "csv_columns", columns=", ".join(missing))
        rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]

        def write(tx: OfficeTx) -> ImportResult:
            added = updated = 0
            skipped: list[tuple[int, str]] = []
            session, office, now = tx.session, tx.office, tx.now
            assert office.id is not None
            tz = ZoneInfo(office.timezone)
            services = {s.code: s for s in counter_repo.services(session, office.id)}
            by_name = {s.name_th: s for s in services.values()}
            for line, raw in enumerate(rows, start=2):
                value = {f: raw.get(col, "") for f, col in mapping.items()}
                service = services.get(value["service"]) or by_name.get(value["service"])
                day = _parse_day(value["date"])
                at = _parse_time(value["time"])
                code = normalise_code(value["code"]) if value["code"] else new_code()
                if service is None or service.id is None:
                    skipped.append((line, ERR["unknown_service"][0]))
                    continue
                if day is None or at is None:
                    skipped.append((line, ERR["no_slot"][0]))
                    continue
                if code is None:
                    skipped.append((line, ERR["bad_code"][0]))
                    continue
                phone = normalise_phone(value["phone"]) or ""
                start = datetime.combine(day, at, tz).astimezone(UTC)
                rules = service_rules(repo.service_rules(session, service.id))
                existing = repo.by_code(session, code, office.id)
                if existing:
                    row = existing[0]
                    if row.ticket_id is not None:
                        skipped.append((line, ERR["checked_in"][0].format(number="")))
                        continue
                    row.service_id, row.day, row.slot_start = service.id, day, start
                    row.name, row.phone = value["name"][:200], phone
                    updated += 1
                    continue
                session.add(
                    Booking(
                        office_id=office.id,
                        service_id=service.id,
                        code=code,
                        day=day,
                        slot_start=start,
                        slot_minutes=rules.slot_minutes,
                        name=value["name"][:200],
                        phone=phone,
                        source=Source.IMPORT,
                        created_at=now,
                    )
                )
                session.flush()
                added += 1
            return ImportResult(added, updated, skipped)

        return await self._write(office_id, write)

    # ----------------------------------------------------------------- figures

    async def figures(self, office_id: int, first: date, last: date) -> dict[str, Any]:
        """Arrivals by channel, booking punctuality and no-shows over a period (the reports'
        "channels" section; see bookings.figures for the definitions)."""

        def read() -> dict[str, Any]:
            with self.db.read() as session:
                office = self._office(session, office_id, None)
                today = local_day(self.clock(), office.timezone)
                rows = repo.in_period(session, office_id, first, last)
                tickets = repo.tickets(session, [r.ticket_id for r in rows if r.ticket_id])
                visits = repo.visits_issued(session, office_id, first, last)
                return channel_figures(rows, tickets, visits, today)

        return await self._run(read)


def _hhmm(text: str) -> str:
    at = _parse_time(text)
    return hhmm(at) if at else text


def _parse_time(text: str) -> time | None:
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?\s*(?:น\.?)?\s*", text or "")
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _parse_day(text: str) -> date | None:
    """2026-12-07, or 7/12/2569 (Buddhist Era) or 7/12/2026 as Thai lists write dates."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
        else:
            m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
            if not m:
                return None
            year = int(m.group(3))
            day = date(year - 543 if year > 2400 else year, int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    year = day.year
    return day if 2000 <= year <= 2100 else None
