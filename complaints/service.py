"""Use cases of the complaint register: one write transaction each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import anyio.to_thread
from sqlmodel import Session

from complaints import metrics
from complaints import repository as repo
from complaints.models import Complaint, ComplaintSettings, ComplaintStep
from complaints.text import CATEGORY, CHANNEL, ERR, STATUS
from complaints.workflow import (
    PUBLIC_CHANNELS,
    Category,
    Channel,
    Status,
    Step,
    StepNotAllowed,
    advance,
    deadlines,
    new_code,
    normalise_code,
)
from counter import repository as counter_repo
from counter.auth import StaffPrincipal
from counter.models import Office
from counter.queue.errors import Conflict, DomainError, InvalidInput, NotFound
from counter.service import day_start, local_day, office_hours
from counter.texts import fill
from counter.unit_of_work import OfficeTx, OfficeWork

R = TypeVar("R")

MAX_DAYS = 90


def error(cls: type[DomainError], key: str, **kw: Any) -> DomainError:
    """A refusal in the catalogue's words (complaints.text.ERR), placeholders filled."""
    return cls(*fill(ERR[key], **kw))


@dataclass(frozen=True)
class Intake:
    """A complaint as it arrives, from the public form, the API or staff."""

    channel: str
    category: str
    text: str
    contact: str | None = None
    consent: bool = False
    office_code: str | None = None
    ticket_token: str | None = None


@dataclass(frozen=True)
class Resolution:
    response: str = ""
    root_cause: str = ""
    preventive_action: str = ""
    referred_to: str = ""
    note: str = ""


class ComplaintService:
    def __init__(self, work: OfficeWork) -> None:
        # The process's office unit of work: every write of the register is a write of its office.
        self.work = work
        self.db = work.db
        self.clock = work.clock

    async def _run(self, fn: Callable[[], R]) -> R:
        return await anyio.to_thread.run_sync(fn)

    # ----------------------------------------------------------------- intake

    async def submit(self, intake: Intake, staff: StaffPrincipal | None = None) -> Complaint:
        """Register a complaint; its deadlines are fixed now from the office's SLA."""
        channel = _choice(Channel, intake.channel or Channel.WEB, "bad_channel")
        if staff is None and channel not in PUBLIC_CHANNELS:
            raise error(
                InvalidInput,
                "bad_channel",
                allowed=", ".join(sorted(c.value for c in PUBLIC_CHANNELS)),
            )
        category = _choice(Category, intake.category, "bad_category")
        text = intake.text.strip()
        if not text:
            raise error(InvalidInput, "empty_text")
        contact = (intake.contact or "").strip() or None
        if contact is not None and not intake.consent:
            raise error(InvalidInput, "no_consent")

        def which() -> int:
            with self.db.read() as session:
                office, _ = self._office_and_ticket(session, intake, staff)
                assert office.id is not None
                return office.id

        def write(tx: OfficeTx) -> Complaint:
            session, now = tx.session, tx.now
            office, ticket = self._office_and_ticket(session, intake, staff)
            assert office.id is not None
            rules = repo.settings(session, office.id)
            due = deadlines(
                now,
                office.timezone,
                office_hours(office),
                counter_repo.holidays(session, office.id),
                rules.acknowledge_business_days,
                rules.resolve_business_days,
            )
            code = new_code()
            while repo.code_taken(session, code):
                code = new_code()
            row = Complaint(
                office_id=office.id,
                code=code,
                channel=channel,
                category=category,
                text=text,
                contact=contact,
                consent_at=now if contact else None,
                ticket_id=ticket.id if ticket else None,
                service_id=ticket.service_id if ticket else None,
                counter_id=ticket.counter_id if ticket else None,
                status=Status.RECEIVED,
                received_at=now,
                received_by=staff.staff_id if staff else None,
                acknowledge_due_at=due.acknowledge_by,
                resolve_due_at=due.resolve_by,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(
                ComplaintStep(
                    complaint_id=row.id,
                    action="received",
                    at=now,
                    staff_id=staff.staff_id if staff else None,
                )
            )
            return row

        return await self.work.run(await self._run(which), write)

    def _office_and_ticket(
        self, session: Session, intake: Intake, staff: StaffPrincipal | None
    ) -> tuple[Office, Any]:
        ticket = None
        if intake.ticket_token:
            ticket = counter_repo.ticket_by_token(session, intake.ticket_token)
            if ticket is None:
                raise error(NotFound, "unknown_ticket")
        if staff is not None:
            office_id = staff.office_id
        elif ticket is not None:
            office_id = ticket.office_id
        else:
            found = counter_repo.public_office(session, intake.office_code)
            if found is None:
                if intake.office_code:
                    raise error(NotFound, "unknown_office")
                raise error(InvalidInput, "choose_office")
            office_id = found.id or 0
        if ticket is not None and ticket.office_id != office_id:
            raise error(NotFound, "unknown_ticket")
        office = counter_repo.get_office(session, office_id)
        if office is None:
            raise error(NotFound, "unknown_office")
        return office, ticket

    # ----------------------------------------------------------------- workflow

    async def step(
        self, staff: StaffPrincipal, complaint_id: int, step: Step, detail: Resolution
    ) -> Complaint:
        """Move a complaint one step (staff or manager of its office)."""
        if step is Step.RESOLVE and not all(
            x.strip() for x in (detail.response, detail.root_cause, detail.preventive_action)
        ):
            raise error(InvalidInput, "resolve_fields")
        if step is Step.REFER and not detail.referred_to.strip():
            raise error(InvalidInput, "refer_agency")

        def write(tx: OfficeTx) -> Complaint:
            session, now = tx.session, tx.now
            row = repo.for_update(session, staff.office_id, complaint_id)
            if row is None:
                raise error(NotFound, "not_found")
            try:
                row.status = advance(Status(row.status), step)
            except StepNotAllowed as exc:
                th, en = STATUS[exc.status]
                raise error(
                    Conflict, "step_not_allowed", step=step.value, status=th, status_en=en
                ) from None
            if step in (Step.ACKNOWLEDGE, Step.RESOLVE, Step.REFER, Step.START) and (
                row.acknowledged_at is None
            ):
                row.acknowledged_at = now
            if step is Step.START:
                row.started_at = now
            elif step is Step.RESOLVE:
                row.resolved_at = now
                row.response = detail.response.strip()
                row.root_cause = detail.root_cause.strip()
                row.preventive_action = detail.preventive_action.strip()
            elif step is Step.CLOSE:
                row.closed_at = now
            elif step is Step.REFER:
                row.referred_at = now
                row.referred_to = detail.referred_to.strip()
            assert row.id is not None
            session.add(
                ComplaintStep(
                    complaint_id=row.id,
                    action=step.value,
                    at=now,
                    staff_id=staff.staff_id,
                    note=(detail.note.strip() or None),
                )
            )
            return row

        return await self.work.run(staff.office_id, write)

    # ----------------------------------------------------------------- reads

    async def listing(
        self, office_id: int, filters: repo.Filters, *, overdue_only: bool = False
    ) -> list[Complaint]:
        now = self.clock()

        def read() -> list[Complaint]:
            with self.db.read() as session:
                rows = list(repo.listing(session, office_id, filters))
            if overdue_only:
                rows = [r for r in rows if metrics.overdue_of(r, now) is not None]
            return rows

        return await self._run(read)

    async def get(self, office_id: int, complaint_id: int) -> Complaint:
        def read() -> Complaint:
            with self.db.read() as session:
                row = repo.get(session, office_id, complaint_id)
            if row is None:
                raise error(NotFound, "not_found")
            return row

        return await self._run(read)

    async def public_status(self, code: str) -> tuple[Complaint, Office]:
        def read() -> tuple[Complaint, Office]:
            with self.db.read() as session:
                row = repo.by_code(session, normalise_code(code))
                office = counter_repo.get_office(session, row.office_id) if row else None
            if row is None or office is None:
                raise error(NotFound, "not_found")
            return row, office

        return await self._run(read)

    async def overdue(self, office_id: int) -> list[Complaint]:
        """Open complaints past a deadline, oldest first (the supervisor view)."""
        now = self.clock()

        def read() -> list[Complaint]:
            with self.db.read() as session:
                rows = repo.open_complaints(session, office_id)
            late = [r for r in rows if metrics.overdue_of(r, now) is not None]
            return sorted(late, key=lambda r: r.received_at)

        return await self._run(read)

    async def office(self, office_code: str | None) -> Office | None:
        """The office a public form is for: by code, or the only one this server has."""

        def read() -> Office | None:
            with self.db.read() as session:
                return counter_repo.public_office(session, office_code)

        return await self._run(read)

    async def office_by_id(self, office_id: int) -> Office:
        def read() -> Office:
            with self.db.read() as session:
                office = counter_repo.get_office(session, office_id)
            if office is None:
                raise error(NotFound, "unknown_office")
            return office

        return await self._run(read)

    async def office_of_ticket(self, token: str) -> Office | None:
        def read() -> Office | None:
            with self.db.read() as session:
                ticket = counter_repo.ticket_by_token(session, token)
                return counter_repo.get_office(session, ticket.office_id) if ticket else None

        return await self._run(read)

    async def offices(self) -> list[Office]:
        def read() -> list[Office]:
            with self.db.read() as session:
                return list(counter_repo.list_offices(session))

        return await self._run(read)

    async def today(self, office_id: int) -> date:
        def read() -> date:
            with self.db.read() as session:
                office = counter_repo.get_office(session, office_id)
            return local_day(self.clock(), office.timezone if office else "Asia/Bangkok")

        return await self._run(read)

    # ----------------------------------------------------------------- settings

    async def settings(self, office_id: int) -> ComplaintSettings:
        def read() -> ComplaintSettings:
            with self.db.read() as session:
                return repo.settings(session, office_id)

        return await self._run(read)

    async def set_settings(
        self, office_id: int, acknowledge_days: int, resolve_days: int, source: str
    ) -> ComplaintSettings:
        """New deadlines apply to complaints received from now on; earlier ones keep theirs."""
        for days in (acknowledge_days, resolve_days):
            if not 0 <= days <= MAX_DAYS:
                raise error(InvalidInput, "bad_days")

        def write(tx: OfficeTx) -> ComplaintSettings:
            session = tx.session
            row = session.get(ComplaintSettings, office_id)
            if row is None:
                row = ComplaintSettings(office_id=office_id)
                session.add(row)
            row.acknowledge_business_days = acknowledge_days
            row.resolve_business_days = resolve_days
            row.source = source.strip()[:300]
            return row

        return await self.work.run(office_id, write)

    # ----------------------------------------------------------------- figures

    def figures_sync(
        self, office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        """The period's complaint figures (days are the office's local days, inclusive)."""
        with self.db.read() as session:
            office = counter_repo.get_office(session, office_id)
            if office is None:
                raise error(NotFound, "unknown_office")
            rows = repo.received_between(
                session,
                office_id,
                day_start(first, office.timezone),
                day_start(last + timedelta(days=1), office.timezone),
            )
            rules = repo.settings(session, office_id)
        return {
            **metrics.figures(rows, self.clock(), served),
            "acknowledge_business_days": rules.acknowledge_business_days,
            "resolve_business_days": rules.resolve_business_days,
            "deadline_source": rules.source,
            # Thai words for the reports that show these figures (they cannot import this package).
            "category_th": {k: v[0] for k, v in CATEGORY.items()},
            "channel_th": {k: v[0] for k, v in CHANNEL.items()},
        }

    async def figures(
        self, office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        return await self._run(lambda: self.figures_sync(office_id, first, last, served))


def _choice(enum: type[Channel] | type[Category], value: str, key: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise error(InvalidInput, key, allowed=", ".join(e.value for e in enum)) from None
