"""The queue's reads: tickets, service lines, whether the office issues now, its services,
devices."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session

from counter import repository as repo
from counter.models import Device, Office, Service
from counter.queue.errors import NotFound
from counter.queue.forecast import NOT_WAITING
from counter.queue.hours import issuing_refusal, next_issuing_opening
from counter.service.issue import office_hours, walk_in_refusal
from counter.service.shared import ticket_not_found
from counter.service.views import Issuing, QueueViews, ServiceQueue, TicketView
from counter.texts import say
from counter.unit_of_work import day_start, local_day


class QueueReads(QueueViews):
    """What pages read: tickets, lines, the office, its services and devices."""

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
            forecast = self.office_forecast(session, office, committed=True, newcomers=True)
            newcomers = forecast.newcomers
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
