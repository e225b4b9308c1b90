"""Issuing a ticket, and the one rule that refuses a walk-in."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Container
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from counter import print_jobs
from counter import repository as repo
from counter.models import Office, Service, Ticket
from counter.queue.errors import InvalidInput, NotFound, ServiceUnavailable, TooManyRequests
from counter.queue.hours import OfficeHours, issuing_refusal
from counter.queue.numbering import MAX_DAILY_NUMBER, format_number
from counter.queue.states import Priority, TicketStatus
from counter.service.shared import row_id
from counter.service.views import AfterCommit, QueueViews, TicketView
from counter.texts import say
from counter.unit_of_work import OfficeTx


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


class IssueUseCases(QueueViews):
    """Issuing tickets: walk-ins and booked ones."""

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
        may refuse by raising a DomainError, which issues nothing.

        The answer's wait is forecast after the commit (`AfterCommit`): the office's lock is
        held for the write alone."""
        if priority is not None and priority not in Priority.__members__.values():
            allowed = ", ".join(p.value for p in Priority)
            raise InvalidInput(*say("bad_priority", allowed=allowed))

        def work(tx: OfficeTx) -> AfterCommit:
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
                    return AfterCommit(row_id(earlier), tx.office.event_seq, replayed=True)
            if rate_check is not None and not rate_check():
                raise TooManyRequests(*say("kiosk_too_fast"))
            service = repo.service_by_code(session, row_id(tx.office), service_code)
            if service is None:
                raise NotFound(*say("no_service", code=service_code))
            assert service.id is not None
            hours = office_hours(tx.office)
            seq_no = repo.last_seq_no(session, row_id(tx.office), tx.today, service.prefix) + 1
            # A booked ticket was given its slot within the hours, and its check-in window may
            # open before them; the walk-in cap leaves its capacity alone.
            walk_in = booked_for is None
            refusal = walk_in_refusal(
                service,
                tx.now.astimezone(ZoneInfo(tx.office.timezone)),
                hours if walk_in else replace(hours, enforced=False),
                # Holidays are read only where hours apply: most calls need no extra query.
                holidays=repo.holidays(session, row_id(tx.office))
                if walk_in and hours.enforced
                else (),
                issued_today=(
                    repo.issued_today(
                        session, row_id(tx.office), service.id, tx.today, tx.start_of_day()
                    )
                    if walk_in and service.daily_cap is not None
                    else None
                ),
                last_number=seq_no - 1,
            )
            if refusal:
                raise ServiceUnavailable(*refusal)
            ticket = Ticket(
                office_id=row_id(tx.office),
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
                    office_id=row_id(tx.office),
                    device_id=device_id,
                    ticket_id=ticket.id,
                    queue=print_queue,
                    now=tx.now,
                    deadline=print_deadline,
                ).id
            return AfterCommit(row_id(ticket), tx.office.event_seq, print_job_id=job_id)

        return await self._answer(office_id, await self._write(office_id, work))
