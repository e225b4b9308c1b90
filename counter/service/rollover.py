"""The day rollover: run first in every write of the office unit of work when the business day
has changed."""

from __future__ import annotations

from datetime import date

from counter import repository as repo
from counter.queue.events import QueueRolledOver
from counter.queue.states import Action, TicketStatus, advance
from counter.service.shared import row_id
from counter.unit_of_work import OfficeTx, day_start


def roll_over(tx: OfficeTx) -> None:
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
        tx.session, row_id(tx.office), tx.today, serving_before=tx.office.last_business_day
    )
    for ticket in stale:
        ticket.status = advance(ticket.number, TicketStatus(ticket.status), Action.CLOSE_UNSERVED)
        # One message for the whole rollover below; per-ticket events stay in the log.
        tx.log_ticket(
            ticket,
            "closed_unserved",
            publish=False,
            detail={"business_day": ticket.business_day.isoformat()},
        )
    for counter in repo.counters(tx.session, row_id(tx.office)):
        if counter.staff_id is not None and not repo.keeps_service(tx.session, row_id(counter)):
            tx.log_counter(counter, "closed", counter.staff_id, reason="day_end")
            counter.staff_id = None
            counter.opened_at = None
            counter.paused_reason = None
            counter.paused_at = None
    if tx.office.last_business_day is not None:
        restore_counter_services(tx, tx.office.last_business_day)
    tx.office.last_business_day = tx.today
    if stale:
        tx.messages.append(
            QueueRolledOver(
                office=row_id(tx.office),
                # The last close's number: the log stays gap-free, and subscribers, having
                # missed the unpublished closes, see a jump and resync.
                seq=tx.office.event_seq,
                at=tx.now.isoformat(),
                closed=len(stale),
            )
        )


def restore_counter_services(tx: OfficeTx, last_day: date) -> None:
    """A manager's change of a counter's services holds for that day only: undo it, newest
    first, so each counter starts the new day with its standing services (set in the admin)."""
    start = day_start(last_day, tx.office.timezone)
    changes = repo.counter_events_since(
        tx.session, row_id(tx.office), start, ["service_added", "service_removed"]
    )
    counters = {c.id: c for c in repo.counters(tx.session, row_id(tx.office))}
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
