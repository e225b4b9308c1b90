"""Queries of the queue. Takes a session, never commits: the service owns the transaction."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from counter.models import (
    Counter,
    CounterEvent,
    CounterService,
    Device,
    Holiday,
    Installation,
    Office,
    Service,
    Staff,
    Ticket,
    TicketEvent,
)
from counter.queue.policy import Candidate, Line
from counter.queue.states import ROLLOVER_CLOSES, TicketStatus


def installation(session: Session) -> Installation | None:
    return session.get(Installation, 1)


def lock_office(session: Session, office_id: int) -> Office | None:
    """Load the office row for update: every write of one office's queue serialises on it.

    On PostgreSQL this row lock is what keeps two processes from choosing the same ticket or
    number; it also hands out the gap-free event sequence. On SQLite the immediate transaction has
    already taken the database write lock and FOR UPDATE compiles to nothing.
    """
    return session.exec(_lock_office_query(), params={"office_id": office_id}).first()


# The statements of the hot writes (issue, call-next, start) and of the wait forecast are built
# once, with bound parameters, like `_waiting_lines_query`: building one anew and computing its
# cache key costs SQLAlchemy more CPU than the database spends running it.


@functools.cache
def _lock_office_query() -> SelectOfScalar[Office]:
    return select(Office).where(Office.id == sa.bindparam("office_id")).with_for_update()


def get_office(session: Session, office_id: int) -> Office | None:
    return session.get(Office, office_id)


def office_by_code(session: Session, code: str) -> Office | None:
    return session.exec(select(Office).where(Office.code == code)).first()


def list_offices(session: Session) -> Sequence[Office]:
    return session.exec(select(Office).order_by(col(Office.id))).all()


def public_office(session: Session, code: str | None) -> Office | None:
    """The office a public page or form is for: the one with this code, or without a code the
    only office this server has; None when there is no such office, or several to choose from."""
    if code:
        return office_by_code(session, code)
    offices = list_offices(session)
    return offices[0] if len(offices) == 1 else None


def holidays(session: Session, office_id: int) -> set[date]:
    rows = session.exec(select(Holiday).where(Holiday.office_id == office_id)).all()
    return {h.day for h in rows}


def service_by_code(session: Session, office_id: int, code: str) -> Service | None:
    params = {"office_id": office_id, "code": code}
    return session.exec(_service_by_code_query(), params=params).first()


@functools.cache
def _service_by_code_query() -> SelectOfScalar[Service]:
    return select(Service).where(
        Service.office_id == sa.bindparam("office_id"), Service.code == sa.bindparam("code")
    )


def services(session: Session, office_id: int) -> Sequence[Service]:
    return session.exec(
        select(Service)
        .where(Service.office_id == office_id)
        .order_by(col(Service.position), col(Service.id))
    ).all()


def counter_by_number(session: Session, office_id: int, number: int) -> Counter | None:
    params = {"office_id": office_id, "number": number}
    return session.exec(_counter_by_number_query(), params=params).first()


@functools.cache
def _counter_by_number_query() -> SelectOfScalar[Counter]:
    return select(Counter).where(
        Counter.office_id == sa.bindparam("office_id"), Counter.number == sa.bindparam("number")
    )


def counters(session: Session, office_id: int) -> Sequence[Counter]:
    return session.exec(
        select(Counter).where(Counter.office_id == office_id).order_by(col(Counter.number))
    ).all()


def counter_services(session: Session, counter_id: int) -> Sequence[CounterService]:
    return session.exec(
        select(CounterService)
        .where(CounterService.counter_id == counter_id)
        .order_by(col(CounterService.position))
    ).all()


def counter_slots(session: Session, counter_id: int) -> Sequence[sa.Row[Any]]:
    """A counter's service slots (`counter_services`) as plain rows, by a statement built once:
    what every call-next reads."""
    return session.execute(_counter_slots_query(), {"counter_id": counter_id}).all()


@functools.cache
def _counter_slots_query() -> sa.Executable:
    return (
        _slot_columns()
        .where(col(CounterService.counter_id) == sa.bindparam("counter_id"))
        .order_by(col(CounterService.position))
    )


def _slot_columns() -> sa.Select[int, int, int, int, int]:
    """What the calling rule reads of a counter's slots (see service.waits.counter_policy)."""
    return sa.select(
        col(CounterService.counter_id),
        col(CounterService.service_id),
        col(CounterService.position),
        col(CounterService.weight),
        col(CounterService.credit),
    )


def set_slot_credits(session: Session, counter_id: int, credits: Mapping[int, int]) -> None:
    """Write the weighted-turn credits of a counter's slots (service id -> credit)."""
    if credits:
        session.execute(
            sa.update(CounterService),
            [
                {"counter_id": counter_id, "service_id": service_id, "credit": credit}
                for service_id, credit in credits.items()
            ],
        )


def counter_of_staff(session: Session, staff_id: int) -> Counter | None:
    return session.exec(select(Counter).where(Counter.staff_id == staff_id)).first()


def staff_by_id(session: Session, staff_id: int) -> Staff | None:
    return session.get(Staff, staff_id)


def staff_by_username(session: Session, username: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.username == username)).first()


def get_ticket(session: Session, office_id: int, ticket_id: int) -> Ticket | None:
    ticket = session.get(Ticket, ticket_id)
    return ticket if ticket is not None and ticket.office_id == office_id else None


def ticket_for_update(session: Session, office_id: int, ticket_id: int) -> Ticket | None:
    params = {"ticket_id": ticket_id, "office_id": office_id}
    return session.exec(_ticket_for_update_query(), params=params).first()


@functools.cache
def _ticket_for_update_query() -> SelectOfScalar[Ticket]:
    return (
        select(Ticket)
        .where(
            Ticket.id == sa.bindparam("ticket_id"), Ticket.office_id == sa.bindparam("office_id")
        )
        .with_for_update()
    )


def ticket_by_token(session: Session, token: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.token == token)).first()


def ticket_by_request_key(session: Session, device_id: int, key: str) -> Ticket | None:
    return session.exec(
        select(Ticket).where(Ticket.device_id == device_id, Ticket.request_key == key)
    ).first()


def issued_service_code(session: Session, ticket: Ticket) -> str | None:
    """The code of the service a ticket was issued for (a transfer changes its service later)."""
    return session.exec(
        select(Service.code)
        .join(TicketEvent, col(TicketEvent.service_id) == col(Service.id))
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "issued")
    ).first()


def last_seq_no(session: Session, office_id: int, day: date, prefix: str) -> int:
    params = {"office_id": office_id, "day": day, "prefix": prefix}
    value = session.execute(_last_seq_no_query(), params).scalar_one()
    return int(value or 0)


@functools.cache
def _last_seq_no_query() -> sa.Executable:
    return sa.select(func.max(Ticket.seq_no)).where(
        col(Ticket.office_id) == sa.bindparam("office_id"),
        col(Ticket.business_day) == sa.bindparam("day"),
        col(Ticket.prefix) == sa.bindparam("prefix"),
    )


def last_seq_nos(session: Session, office_id: int, day: date) -> dict[str, int]:
    """The last number used today, by prefix (`last_seq_no` of every prefix in one read)."""
    rows = session.exec(
        select(Ticket.prefix, func.max(Ticket.seq_no))
        .where(Ticket.office_id == office_id, Ticket.business_day == day)
        .group_by(Ticket.prefix)
    ).all()
    return {prefix: int(last or 0) for prefix, last in rows}


def issued_today_by_service(
    session: Session, office_id: int, day: date, day_start: datetime
) -> dict[int, int]:
    """Tickets first issued today, by service id, in one read (see `issued_today`)."""
    rows = session.exec(
        select(TicketEvent.service_id, func.count())
        .select_from(TicketEvent)
        .join(Ticket, col(Ticket.id) == TicketEvent.ticket_id)
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.at) >= day_start,
            TicketEvent.kind == "issued",
            Ticket.business_day == day,
        )
        .group_by(col(TicketEvent.service_id))
    ).all()
    return {int(service_id): int(count) for service_id, count in rows if service_id is not None}


def issued_today(
    session: Session, office_id: int, service_id: int, day: date, day_start: datetime
) -> int:
    """Tickets first issued for this service today (transfers in do not use up the cap).

    `day_start` (the business day's first instant, UTC) keeps the count on today's slice of the
    office's event index instead of its whole history."""
    return issued_today_by_service(session, office_id, day, day_start).get(service_id, 0)


def waiting_candidates(
    session: Session, office_id: int, day: date, service_ids: Sequence[int]
) -> list[Candidate]:
    """The head of every line (per service: normal, priority, booked): the only tickets a policy
    can pick.

    One window query returns at most three rows per service, however long the lines are.
    """
    if not service_ids:
        return []
    params = {"office_id": office_id, "day": day, "service_ids": list(service_ids)}
    rows = session.execute(_waiting_heads_query(), params).all()
    return [_candidate(*row) for row in rows]


@functools.cache
def _waiting_heads_query() -> sa.Select[Any]:
    # Built once: every call-next runs it.
    ranked = _ranked_waiting(
        sa.bindparam("office_id"),
        sa.bindparam("day"),
        col(Ticket.service_id).in_(sa.bindparam("service_ids", expanding=True)),
    )
    return _candidate_columns(ranked).where(ranked.c.place == 1)


def _candidate_columns(ranked: sa.Subquery) -> sa.Select[Any]:
    """A ranked ticket's columns that make its `_candidate`."""
    c = ranked.c
    return sa.select(c.id, c.service_id, c.is_priority, c.queued_at, c.booked_for)


def waiting_lines(
    session: Session, office_id: int, day: date, per_line: int | None
) -> tuple[list[Candidate], dict[tuple[int, Line], tuple[int, datetime]]]:
    """The first `per_line` tickets (None: all) of every line waiting today (per service:
    normal, priority, booked), and each line's full length and last arrival: what the wait
    forecast replays.

    Read as the queue index keeps them, and placed in their lines here: numbering stops at 999
    a day per service, so a line is at most that long and ranking it in the database (two sorts
    of every waiting ticket, on every issue) cost more than reading it."""
    params = {"office_id": office_id, "day": day}
    lines: dict[tuple[int, Line], list[Candidate]] = {}
    for row in session.connection().execute(_waiting_tickets_query(), params):
        c = _candidate(*row)
        lines.setdefault(c.line, []).append(c)
    candidates: list[Candidate] = []
    sizes: dict[tuple[int, Line], tuple[int, datetime]] = {}
    for key, line in lines.items():
        line.sort(key=attrgetter("place"))
        sizes[key] = (len(line), line[-1].place[0])
        candidates += line[:per_line]
    return candidates, sizes


@functools.cache
def _waiting_tickets_query() -> sa.Executable:
    # Built once: the wait forecast runs on every issue, and building the statement costs more
    # than running it.
    return sa.select(
        col(Ticket.id),
        col(Ticket.service_id),
        col(Ticket.priority).is_not(None),
        col(Ticket.queued_at),
        col(Ticket.booked_for),
    ).where(
        col(Ticket.office_id) == sa.bindparam("office_id"),
        col(Ticket.business_day) == sa.bindparam("day"),
        col(Ticket.status) == TicketStatus.WAITING,
    )


class TicketChange(NamedTuple):
    """A ticket touched by an office event, as it stands now (`ticket_changes`)."""

    seq: int
    ticket: Candidate
    waiting: bool
    business_day: date


def ticket_changes(
    session: Session, office_id: int, after_seq: int, limit: int
) -> list[TicketChange] | None:
    """The tickets touched by the office's events after `after_seq`, as they stand now (one row
    per event, in seq order), or None when there are more than `limit` of them. Every change of
    a ticket is an event of its office (counter.unit_of_work.OfficeTx.log_ticket), written in
    the same transaction and numbered in commit order under the office's lock: what a process
    keeps of the waiting lines is caught up by these (service.waits.WaitingKept)."""
    params = {"office_id": office_id, "after": after_seq, "limit": limit + 1}
    rows = session.connection().execute(_ticket_changes_query(), params).all()
    if len(rows) > limit:
        return None
    return [
        TicketChange(seq, _candidate(*columns), status == TicketStatus.WAITING, _day(day))
        for seq, *columns, status, day in rows
    ]


@functools.cache
def _ticket_changes_query() -> sa.Executable:
    return (
        sa.select(
            col(TicketEvent.seq),
            col(Ticket.id),
            col(Ticket.service_id),
            col(Ticket.priority).is_not(None),
            col(Ticket.queued_at),
            col(Ticket.booked_for),
            col(Ticket.status),
            col(Ticket.business_day),
        )
        .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(
            col(TicketEvent.office_id) == sa.bindparam("office_id"),
            col(TicketEvent.seq) > sa.bindparam("after"),
        )
        .order_by(col(TicketEvent.seq))
        .limit(sa.bindparam("limit"))
    )


def waiting_count(session: Session, office_id: int, day: date) -> int:
    """How many tickets of the office wait on `day` (counted in the queue index)."""
    params = {"office_id": office_id, "day": day}
    return int(session.connection().execute(_waiting_count_query(), params).scalar_one())


@functools.cache
def _waiting_count_query() -> sa.Executable:
    return sa.select(func.count()).where(
        col(Ticket.office_id) == sa.bindparam("office_id"),
        col(Ticket.business_day) == sa.bindparam("day"),
        col(Ticket.status) == TicketStatus.WAITING,
    )


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _line_kind() -> sa.ColumnElement[int]:
    """The line a waiting ticket stands in (counter.queue.policy.Line): booked, priority, normal."""
    # Constants in the statement, not parameters: the kinds never change.
    return sa.case(
        (col(Ticket.booked_for).is_not(None), sa.literal_column(str(int(Line.BOOKED)))),
        (col(Ticket.priority).is_not(None), sa.literal_column(str(int(Line.PRIORITY)))),
        else_=sa.literal_column(str(int(Line.NORMAL))),
    )


def _line_place() -> sa.ColumnElement[datetime]:
    """Order within a line: arrival, or a booked ticket's slot."""
    return func.coalesce(col(Ticket.booked_for), col(Ticket.queued_at))


def _ranked_waiting(
    office_id: int | sa.BindParameter[Any],
    day: date | sa.BindParameter[Any],
    where: sa.ColumnElement[bool],
) -> sa.Subquery:
    """Today's waiting tickets numbered within their line (per service: normal, priority,
    booked)."""
    is_priority = col(Ticket.priority).is_not(None)
    return (
        sa.select(
            col(Ticket.id).label("id"),
            col(Ticket.service_id).label("service_id"),
            is_priority.label("is_priority"),
            col(Ticket.queued_at).label("queued_at"),
            col(Ticket.booked_for).label("booked_for"),
            func.row_number()
            .over(
                partition_by=(col(Ticket.service_id), _line_kind()),
                order_by=(_line_place(), col(Ticket.id)),
            )
            .label("place"),
        )
        .where(
            col(Ticket.office_id) == office_id,
            col(Ticket.business_day) == day,
            col(Ticket.status) == TicketStatus.WAITING,
            where,
        )
        .subquery()
    )


def _candidate(
    ticket_id: int,
    service_id: int,
    priority: object,
    queued_at: datetime | str,
    booked_for: datetime | str | None = None,
) -> Candidate:
    # The subquery loses the column type on SQLite; bring the UTC zone back.
    due = _utc(booked_for) if booked_for is not None else None
    return Candidate(ticket_id, service_id, bool(priority), _utc(queued_at), due)


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def claim_waiting(
    session: Session, ticket_id: int, counter_id: int, staff_id: int, now: datetime
) -> bool:
    """Guarded claim: succeeds only while the ticket still waits, so it is never called twice."""
    params = {"ticket_id": ticket_id, "counter_id": counter_id, "staff_id": staff_id, "now": now}
    result = session.execute(_claim_waiting_statement(), params)
    return bool(getattr(result, "rowcount", 0) == 1)


@functools.cache
def _claim_waiting_statement() -> sa.Executable:
    return (
        sa.update(Ticket)
        .where(
            col(Ticket.id) == sa.bindparam("ticket_id"),
            col(Ticket.status) == TicketStatus.WAITING,
        )
        .values(
            status=TicketStatus.CALLED,
            counter_id=sa.bindparam("counter_id"),
            staff_id=sa.bindparam("staff_id"),
            called_at=sa.bindparam("now"),
            recall_count=0,
        )
        .execution_options(synchronize_session=False)
    )


def current_ticket_at(session: Session, counter_id: int) -> Ticket | None:
    """The ticket called to or being served at this counter (held ones are set aside)."""
    return session.exec(_current_ticket_query(), params={"counter_id": counter_id}).first()


@functools.cache
def _current_ticket_query() -> SelectOfScalar[Ticket]:
    return (
        select(Ticket)
        .where(
            Ticket.counter_id == sa.bindparam("counter_id"),
            col(Ticket.status).in_([TicketStatus.CALLED, TicketStatus.SERVING]),
        )
        .order_by(col(Ticket.called_at).desc())
    )


def calls_at_counters(
    session: Session, counter_ids: Sequence[int]
) -> dict[int, tuple[int, datetime]]:
    """Counter id -> (service id, called at) of the citizen called to or served there now."""
    if not counter_ids:
        return {}
    rows = session.execute(_calls_at_counters_query(), {"counter_ids": list(counter_ids)}).all()
    # The latest call wins, as in current_ticket_at.
    return {counter_id: (service_id, called_at) for counter_id, service_id, called_at in rows}


@functools.cache
def _calls_at_counters_query() -> sa.Executable:
    return (
        sa.select(col(Ticket.counter_id), col(Ticket.service_id), col(Ticket.called_at))
        .where(
            col(Ticket.counter_id).in_(sa.bindparam("counter_ids", expanding=True)),
            col(Ticket.status).in_([TicketStatus.CALLED, TicketStatus.SERVING]),
            col(Ticket.called_at).is_not(None),
        )
        .order_by(col(Ticket.called_at))
    )


def held_at(session: Session, counter_id: int) -> Sequence[Ticket]:
    return session.exec(
        select(Ticket)
        .where(Ticket.counter_id == counter_id, Ticket.status == TicketStatus.HELD)
        .order_by(col(Ticket.id))
    ).all()


def service_begun() -> sa.ColumnElement[bool]:
    """A ticket whose service has begun: in service, or held after its current transaction was
    started (held in the middle of its service, not before it)."""
    e = TicketEvent
    started = (
        sa.select(sa.literal(1))
        .where(
            col(e.ticket_id) == col(Ticket.id),
            col(e.transaction_no) == col(Ticket.transaction_no),
            col(e.kind) == "started",
        )
        .exists()
    )
    return sa.or_(
        col(Ticket.status) == TicketStatus.SERVING,
        sa.and_(col(Ticket.status) == TicketStatus.HELD, started),
    )


def stale_open_tickets(
    session: Session, office_id: int, before: date, serving_before: date | None = None
) -> Sequence[Ticket]:
    """Tickets of business days before `before` that the rollover closes: not those whose
    service has begun (in service, or held in the middle of it), unless their day is before
    `serving_before` (carried over a whole day already)."""
    closes: sa.ColumnElement[bool] = sa.and_(
        col(Ticket.status).in_(sorted(ROLLOVER_CLOSES)), sa.not_(service_begun())
    )
    if serving_before is not None:
        closes = sa.or_(closes, sa.and_(service_begun(), col(Ticket.business_day) < serving_before))
    return session.exec(
        select(Ticket).where(Ticket.office_id == office_id, Ticket.business_day < before, closes)
    ).all()


def keeps_service(session: Session, counter_id: int) -> bool:
    """Whether a ticket at this counter has begun its service (in service, or held in the
    middle of it): the day-end rollover leaves such a counter open."""
    found = session.exec(
        select(Ticket.id).where(Ticket.counter_id == counter_id, service_begun()).limit(1)
    ).first()
    return found is not None


# A ticket joining a waiting line: issued (or checked in), sent on by a transfer, put back.
LINE_JOIN_KINDS = ("issued", "requeued", "reactivated", "released")


def recent_joins(
    session: Session, office_id: int, day: date, since: datetime
) -> tuple[list[Candidate], datetime | None]:
    """Today's tickets that joined a waiting line since `since` (one per join, at its time, in
    its line then), and when today's first ticket was issued (None without joins): the
    arrivals the wait forecast expects more of. One statement."""
    first_today = (
        sa.select(func.min(col(Ticket.issued_at)))
        .where(col(Ticket.office_id) == office_id, col(Ticket.business_day) == day)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(
            col(TicketEvent.ticket_id),
            col(TicketEvent.service_id),
            col(Ticket.priority),
            col(TicketEvent.at),
            col(Ticket.booked_for),
            first_today,
        )
        .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
        .where(
            col(TicketEvent.office_id) == office_id,
            col(TicketEvent.at) >= since,
            col(TicketEvent.kind).in_(LINE_JOIN_KINDS),
            col(Ticket.business_day) == day,
        )
    ).all()
    joins = [_candidate(*row[:5]) for row in rows]
    return joins, _utc(rows[0][5]) if rows and rows[0][5] is not None else None


# A transaction's end at the counter: the counter is free for the next call.
CALL_END_KINDS = ("finished", "no_show", "transferred")


def recent_call_minutes(
    session: Session, office_id: int, since: datetime, limit: int
) -> list[tuple[datetime, int, int, float]]:
    """The `limit` most recent transactions at a counter (finished, no-show or transferred)
    that ended at or after `since`: (when it ended, its end event's id, service id, minutes from
    the call to that end), oldest first: how long a call keeps a counter."""
    params = {"office_id": office_id, "since": since, "limit": limit}
    rows = session.execute(_recent_calls_query(), params).all()
    out = []
    for event_id, service_id, ended, called in reversed(rows):
        if called is not None:
            end = _utc(ended)
            minutes = max(0.0, (end - _utc(called)).total_seconds() / 60)
            out.append((end, event_id, service_id, minutes))
    return out


@functools.cache
def _recent_calls_query() -> sa.Select[Any]:
    table = TicketEvent.metadata.tables[TicketEvent.__tablename__]
    end, call = table.alias("end_event"), table.alias("call_event")
    called_at = (
        sa.select(func.max(call.c.at))
        .where(
            call.c.ticket_id == end.c.ticket_id,
            call.c.transaction_no == end.c.transaction_no,
            call.c.kind == "called",
            call.c.at <= end.c.at,
        )
        .scalar_subquery()
    )
    return (
        sa.select(end.c.id, end.c.service_id, end.c.at, called_at)
        .where(
            end.c.office_id == sa.bindparam("office_id"),
            end.c.at >= sa.bindparam("since"),
            end.c.kind.in_(CALL_END_KINDS),
        )
        .order_by(end.c.at.desc(), end.c.id.desc())
        .limit(sa.bindparam("limit"))
    )


class TicketRow(NamedTuple):
    """The columns of a ticket its view reads (`QueueViews._views`), as a plain tuple: a status
    page's ticket is read again on every office event, a thousand at a time, and a tuple's
    fields are read several times faster than a database row's."""

    id: int
    office_id: int
    service_id: int
    counter_id: int | None
    number: str
    status: str
    priority: str | None
    issued_at: datetime
    queued_at: datetime
    booked_for: datetime | None
    token: str
    recall_count: int
    transaction_no: int
    print_status: str
    business_day: date
    device_id: int | None


def tickets_by_token(session: Session, office_id: int, tokens: Sequence[str]) -> list[TicketRow]:
    """An office's tickets by their status tokens: every status page following the office, read
    again on each office event, so no ORM objects (loading them cost more than the query)."""
    if not tokens:
        return []
    params = {"office_id": office_id, "tokens": sorted(set(tokens))}
    return [TicketRow._make(row) for row in session.execute(_tickets_by_token_query(), params)]


@functools.cache
def _tickets_by_token_query() -> sa.Executable:
    return sa.select(*(col(getattr(Ticket, name)) for name in TicketRow._fields)).where(
        col(Ticket.office_id) == sa.bindparam("office_id"),
        col(Ticket.token).in_(sa.bindparam("tokens", expanding=True)),
    )


def queue_stats(
    session: Session, office_id: int, day: date
) -> dict[int, tuple[int, datetime | None]]:
    """Service id -> (waiting count, oldest queued_at)."""
    rows = session.exec(
        select(Ticket.service_id, func.count(), func.min(Ticket.queued_at))
        .where(
            Ticket.office_id == office_id,
            Ticket.business_day == day,
            Ticket.status == TicketStatus.WAITING,
        )
        .group_by(col(Ticket.service_id))
    ).all()
    return {sid: (n, oldest) for sid, n, oldest in rows}


def waiting_tickets(session: Session, office_id: int, day: date) -> Sequence[Ticket]:
    return session.exec(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.business_day == day,
            Ticket.status == TicketStatus.WAITING,
        )
        .order_by(col(Ticket.queued_at), col(Ticket.id))
    ).all()


def recent_calls(session: Session, office_id: int, limit: int = 10) -> Sequence[TicketEvent]:
    return session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.kind).in_(["called", "recalled"]),
        )
        .order_by(col(TicketEvent.seq).desc())
        .limit(limit)
    ).all()


def ticket_events(session: Session, ticket_id: int) -> Sequence[TicketEvent]:
    return session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.seq))
    ).all()


def counter_events(session: Session, office_id: int) -> Sequence[CounterEvent]:
    return session.exec(
        select(CounterEvent)
        .where(CounterEvent.office_id == office_id)
        .order_by(col(CounterEvent.seq))
    ).all()


def device_by_token_hash(session: Session, token_hash: str) -> Device | None:
    return session.exec(select(Device).where(Device.token_hash == token_hash)).first()


def devices(session: Session, office_id: int) -> Sequence[Device]:
    return session.exec(
        select(Device).where(Device.office_id == office_id).order_by(col(Device.id))
    ).all()


def staff_list(session: Session, office_id: int) -> Sequence[Staff]:
    return session.exec(
        select(Staff).where(Staff.office_id == office_id).order_by(col(Staff.username))
    ).all()


def office_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Office)).one() == 0


# ------------------------------------------------------------------ console and supervisor reads


def waiting_for_services(
    session: Session, office_id: int, day: date, service_ids: Sequence[int]
) -> Sequence[Ticket]:
    """Today's waiting tickets of some services, in the order they joined the line."""
    if not service_ids:
        return []
    return session.exec(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.business_day == day,
            Ticket.status == TicketStatus.WAITING,
            col(Ticket.service_id).in_(service_ids),
        )
        .order_by(col(Ticket.queued_at), col(Ticket.id))
    ).all()


def ticket_by_number(session: Session, office_id: int, day: date, number: str) -> Ticket | None:
    """Today's ticket with this number ("B015"): numbers restart every business day."""
    return session.exec(
        select(Ticket).where(
            Ticket.office_id == office_id, Ticket.business_day == day, Ticket.number == number
        )
    ).first()


def tickets_at_counters(session: Session, office_id: int) -> Sequence[Ticket]:
    """Tickets called to, served at or held by a counter, oldest call first."""
    return session.exec(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            col(Ticket.counter_id).is_not(None),
            col(Ticket.status).in_([TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.HELD]),
        )
        .order_by(col(Ticket.called_at), col(Ticket.id))
    ).all()


def last_event_at(
    session: Session, ticket_id: int, transaction_no: int, kinds: Sequence[str]
) -> datetime | None:
    """When one of `kinds` last happened to this transaction of a ticket (e.g. its start)."""
    value = session.exec(
        select(func.max(TicketEvent.at)).where(
            TicketEvent.ticket_id == ticket_id,
            TicketEvent.transaction_no == transaction_no,
            col(TicketEvent.kind).in_(kinds),
        )
    ).one()
    return value


def forecast_catalogue(
    session: Session, office_id: int
) -> tuple[Sequence[sa.Row[Any]], Sequence[sa.Row[Any]], Sequence[sa.Row[Any]]]:
    """The office's services, counters and counter slots as the wait forecast reads them on
    every issue: plain rows of the columns it uses, by statements built once (loading them as
    entities cost several times the queries). Read in the caller's transaction, never kept:
    counters' state and slots' credits change with every call."""
    params = {"office_id": office_id}
    services, counters, slots = _forecast_catalogue_queries()
    return (
        session.execute(services, params).all(),
        session.execute(counters, params).all(),
        session.execute(slots, params).all(),
    )


@functools.cache
def _forecast_catalogue_queries() -> tuple[sa.Executable, sa.Executable, sa.Executable]:
    office: sa.BindParameter[int] = sa.bindparam("office_id")
    services = (
        sa.select(col(Service.id), col(Service.standard_minutes), col(Service.active))
        .where(col(Service.office_id) == office)
        .order_by(col(Service.position), col(Service.id))
    )
    counters = (
        sa.select(
            col(Counter.id),
            col(Counter.number),
            col(Counter.active),
            col(Counter.staff_id),
            col(Counter.paused_reason),
            col(Counter.paused_at),
            col(Counter.mode),
            col(Counter.priority_share),
            col(Counter.normal_share),
            col(Counter.ageing_cap_minutes),
            col(Counter.booked_in_row),
            col(Counter.cycle_pos),
            col(Counter.booked_streak),
        )
        .where(col(Counter.office_id) == office)
        .order_by(col(Counter.number))
    )
    slots = (
        _slot_columns()
        .join(Counter, col(Counter.id) == col(CounterService.counter_id))
        .where(col(Counter.office_id) == office)
        .order_by(col(CounterService.counter_id), col(CounterService.position))
    )
    return services, counters, slots


def office_counter_services(session: Session, office_id: int) -> Sequence[CounterService]:
    """Every counter's service rows in one query (the supervisor shows them all)."""
    return session.exec(
        select(CounterService)
        .join(Counter, col(Counter.id) == CounterService.counter_id)
        .where(Counter.office_id == office_id)
        .order_by(col(CounterService.counter_id), col(CounterService.position))
    ).all()


def last_ticket_event_per_counter(
    session: Session, office_id: int, since: datetime
) -> dict[int, datetime]:
    """Counter id -> time of the last ticket event there since `since` (for "idle since")."""
    rows = session.exec(
        select(TicketEvent.counter_id, func.max(TicketEvent.at))
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.counter_id).is_not(None),
            col(TicketEvent.at) >= since,
        )
        .group_by(col(TicketEvent.counter_id))
    ).all()
    return {counter_id: at for counter_id, at in rows if counter_id is not None}


def counter_events_since(
    session: Session, office_id: int, since: datetime, kinds: Sequence[str]
) -> Sequence[CounterEvent]:
    return session.exec(
        select(CounterEvent)
        .where(
            CounterEvent.office_id == office_id,
            col(CounterEvent.at) >= since,
            col(CounterEvent.kind).in_(kinds),
        )
        .order_by(col(CounterEvent.seq))
    ).all()


def add_counter_service(
    session: Session, counter_id: int, service_id: int, position: int
) -> CounterService:
    row = CounterService(counter_id=counter_id, service_id=service_id, position=position)
    session.add(row)
    return row


def remove_counter_service(session: Session, row: CounterService) -> None:
    session.delete(row)
