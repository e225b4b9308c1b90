"""Calling tickets and what staff do with a called ticket (recall, start, finish, hold,
transfer, no-show)."""

from __future__ import annotations

from typing import Any

from counter import repository as repo
from counter.auth import Role, StaffPrincipal
from counter.models import Counter, Ticket
from counter.queue.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from counter.queue.policy import choose
from counter.queue.states import AT_COUNTER_STATES, Action, TicketStatus, advance
from counter.service.counters import CounterUseCases
from counter.service.shared import EVENT_KIND, row_id, ticket_not_found, ticket_taken
from counter.service.views import AfterCommit, QueueViews, TicketView
from counter.service.waits import counter_mix, counter_policy
from counter.texts import say
from counter.unit_of_work import OfficeTx


class CallingUseCases(CounterUseCases, QueueViews):
    """Calling the next ticket or a chosen one, and what staff do with a called ticket."""

    async def call_next(self, actor: StaffPrincipal, counter_number: int) -> TicketView | None:
        def work(tx: OfficeTx) -> TicketView | None:
            counter = self._take_counter(tx, actor, counter_number)
            self._clear_counter_for_call(tx, counter, actor)
            slots = repo.counter_slots(tx.session, row_id(counter))
            policy = counter_policy(counter, slots)
            mix = counter_mix(counter, slots)
            candidates = repo.waiting_candidates(
                tx.session, row_id(tx.office), tx.today, [s.service_id for s in slots]
            )
            while candidates:
                choice = choose(candidates, policy, mix, tx.now)
                if choice is None:
                    return None
                picked = choice.candidate
                if repo.claim_waiting(
                    tx.session, picked.ticket_id, row_id(counter), actor.staff_id, tx.now
                ):
                    counter.cycle_pos = choice.mix.cycle_pos
                    counter.booked_streak = choice.mix.booked_streak
                    credits = choice.mix.credits
                    repo.set_slot_credits(
                        tx.session,
                        row_id(counter),
                        {
                            slot.service_id: credits[slot.service_id]
                            for slot in slots
                            if credits.get(slot.service_id, slot.credit) != slot.credit
                        },
                    )
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

        def work(tx: OfficeTx) -> TicketView:
            counter = self._take_counter(tx, actor, counter_number)
            ticket = self._ticket(tx, ticket_id)
            if ticket.status == TicketStatus.WAITING and ticket.service_id not in {
                s.service_id for s in repo.counter_services(tx.session, row_id(counter))
            }:
                # Allowed, but worth knowing in an audit: the counter does not normally serve it.
                reason_detail = {"reason": "out_of_order", "note": reason, "foreign_service": True}
            else:
                reason_detail = {"reason": "out_of_order", "note": reason}
            if TicketStatus(ticket.status) in AT_COUNTER_STATES:
                raise ticket_taken(tx.session, ticket)
            advance(ticket.number, TicketStatus(ticket.status), Action.CALL)
            self._clear_counter_for_call(tx, counter, actor)
            if not repo.claim_waiting(
                tx.session, row_id(ticket), row_id(counter), actor.staff_id, tx.now
            ):
                raise ticket_taken(tx.session, ticket)
            tx.session.refresh(ticket)
            tx.log_ticket(
                ticket, "called", counter=counter, staff_id=actor.staff_id, detail=reason_detail
            )
            return self._view(tx.session, ticket)

        return await self._write(actor.office_id, work)

    def _clear_counter_for_call(
        self, tx: OfficeTx, counter: Counter, actor: StaffPrincipal
    ) -> None:
        """Calling the next citizen finishes the one being served; an unanswered call must be
        settled first (started or marked no-show), so nobody is dropped by a stray key press."""
        current = repo.current_ticket_at(tx.session, row_id(counter))
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

    async def act(self, actor: StaffPrincipal, ticket_id: int, action: Action) -> TicketView:
        if action in (Action.CALL, Action.TRANSFER, Action.CLOSE_UNSERVED):
            raise InvalidInput(*say("bad_action", action=action.value))

        def work(tx: OfficeTx) -> TicketView | AfterCommit:
            ticket = self._ticket(tx, ticket_id)
            counter = self._check_not_taken(tx, ticket, actor)
            new_status = advance(ticket.number, TicketStatus(ticket.status), action)
            if action is Action.REACTIVATE and ticket.business_day != tx.today:
                raise Conflict(*say("earlier_day", ticket=ticket.number))
            if action is Action.UNHOLD and counter is not None:
                current = repo.current_ticket_at(tx.session, row_id(counter))
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
            # Back in the line (a reactivated no-show, a released hold): forecast after the commit.
            return self._view_or_later(tx, ticket)

        return await self._answer(actor.office_id, await self._write(actor.office_id, work))

    async def transfer(
        self, actor: StaffPrincipal, ticket_id: int, service_code: str
    ) -> TicketView:
        def work(tx: OfficeTx) -> AfterCommit:
            ticket = self._ticket(tx, ticket_id)
            target = repo.service_by_code(tx.session, row_id(tx.office), service_code)
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
            ticket.service_id = row_id(target)
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
            # Waiting again: its wait is forecast after the commit.
            return AfterCommit(row_id(ticket), tx.office.event_seq)

        return await self._answer(actor.office_id, await self._write(actor.office_id, work))

    def _ticket(self, tx: OfficeTx, ticket_id: int) -> Ticket:
        ticket = repo.ticket_for_update(tx.session, row_id(tx.office), ticket_id)
        if ticket is None:
            raise ticket_not_found(ticket_id)
        return ticket

    def _check_not_taken(
        self, tx: OfficeTx, ticket: Ticket, actor: StaffPrincipal
    ) -> Counter | None:
        """A ticket at a counter belongs to whoever holds that counter; managers may step in.

        Returns that counter, or None when the ticket is not at one."""
        if ticket.counter_id is None or TicketStatus(ticket.status) not in AT_COUNTER_STATES:
            return None
        counter = tx.session.get(Counter, ticket.counter_id)
        assert counter is not None
        if counter.staff_id != actor.staff_id and actor.role == Role.STAFF:
            raise ticket_taken(tx.session, ticket)
        return counter
