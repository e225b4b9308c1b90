"""Queries of the reports. Takes a session, never commits: the service owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter.models import (
    Counter,
    CounterEvent,
    Office,
    ProvinceMember,
    Service,
    ServiceStandard,
    Ticket,
    TicketEvent,
)
from counter.queue.states import OPEN_STATES
from counter.standards import FROM_THE_START
from reports.metrics import Event, TransactionRow
from reports.models import (
    NeedsResponse,
    ReportDay,
    ReportDayCall,
    ReportDayGroup,
    ReportDayService,
    ReportDaySession,
    ReportMonth,
    ReportMonthGroup,
    ReportMonthService,
    ReportTransaction,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
)
from reports.rollup import OUT_OF_ORDER


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def _c(model: Any, *names: str) -> list[sa.ColumnElement[Any]]:
    """Table columns by name: SQLModel's instance-typed attributes do not type-check in Core."""
    table: sa.Table = model.__table__
    return [table.c[n] for n in names]


# Read this many tickets' events at a time while building facts, to bound memory.
TICKET_BATCH = 2000


# ------------------------------------------------------------------ sealing


def last_sealed_day(session: Session, office_id: int) -> date | None:
    value = session.exec(
        select(sa.func.max(ReportDay.business_day)).where(ReportDay.office_id == office_id)
    ).one()
    return value


def first_open_day(session: Session, office_id: int, before: date) -> date | None:
    """The earliest business day before `before` with a ticket still open: one in service at
    the day end stays open until staff finish it, so its day is not final yet."""
    value: date | None = session.exec(
        select(sa.func.min(Ticket.business_day)).where(
            Ticket.office_id == office_id,
            col(Ticket.business_day) < before,
            col(Ticket.status).in_(sorted(OPEN_STATES)),
        )
    ).one()
    return value


def ticket_days(session: Session, office_id: int, after: date | None, before: date) -> list[date]:
    """Business days with tickets, after `after` (exclusive) and before `before` (exclusive)."""
    q = select(col(Ticket.business_day)).where(
        Ticket.office_id == office_id, col(Ticket.business_day) < before
    )
    if after is not None:
        q = q.where(col(Ticket.business_day) > after)
    return sorted(set(session.exec(q.distinct()).all()))


def is_sealed(session: Session, office_id: int, day: date) -> bool:
    return session.get(ReportDay, (office_id, day)) is not None


def call_reason() -> Any:
    """A `called` event's detail.reason: a JSON path, compiled for each database (json_extract
    on SQLite, ->> on PostgreSQL)."""
    return sa.type_coerce(col(TicketEvent.detail), sa.JSON)["reason"].as_string()


def ticket_events(
    session: Session, office_id: int, first: date, last: date
) -> Iterator[tuple[int, date, str, str | None, datetime | None, list[Event]]]:
    """(ticket id, business day, number, priority, booked slot, events) for every ticket of the
    days."""
    tickets = session.execute(
        sa.select(*_c(Ticket, "id", "business_day", "number", "priority", "booked_for"))
        .where(
            col(Ticket.office_id) == office_id,
            col(Ticket.business_day) >= first,
            col(Ticket.business_day) <= last,
        )
        .order_by(col(Ticket.id))
    ).all()
    e = TicketEvent
    for start in range(0, len(tickets), TICKET_BATCH):
        batch = tickets[start : start + TICKET_BATCH]
        ids = [t[0] for t in batch]
        rows = session.execute(
            sa.select(
                *_c(
                    e,
                    "ticket_id",
                    "seq",
                    "kind",
                    "at",
                    "transaction_no",
                    "service_id",
                    "counter_id",
                    "staff_id",
                ),
                sa.case((col(e.kind) == "called", call_reason()), else_=sa.null()),
            )
            .where(col(e.ticket_id).in_(ids))
            .order_by(col(e.ticket_id), col(e.seq))
        ).all()
        by_ticket: dict[int, list[Event]] = {}
        for tid, seq, kind, at, txn, sid, cid, stid, reason in rows:
            by_ticket.setdefault(tid, []).append(Event(seq, kind, at, txn, sid, cid, stid, reason))
        for tid, bday, number, priority, booked_for in batch:
            yield tid, bday, number, priority, booked_for, by_ticket.get(tid, [])


def save_day(
    session: Session,
    office_id: int,
    day: date,
    facts: Sequence[dict[str, Any]],
    day_services: Sequence[dict[str, Any]],
    now: datetime,
    version: int,
    day_groups: Sequence[dict[str, Any]] = (),
    day_calls: Sequence[dict[str, Any]] = (),
    day_sessions: Sequence[dict[str, Any]] = (),
) -> None:
    """Store one day's facts and aggregates and mark it sealed (one transaction); with it the
    counter sessions of the days since the last sealed one (days without tickets too)."""
    session.add(ReportDay(office_id=office_id, business_day=day, sealed_at=now, version=version))
    session.flush()
    _bulk_insert(session, _table(ReportTransaction), facts)
    _bulk_insert(session, _table(ReportDayService), day_services)
    _bulk_insert(session, _table(ReportDayGroup), day_groups)
    _bulk_insert(session, _table(ReportDayCall), day_calls)
    _bulk_insert(session, _table(ReportDaySession), day_sessions)


def _bulk_insert(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany (the ORM's bulk path costs several times more per row); on PostgreSQL
    COPY, since psycopg's executemany sends one statement per row."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    driver = conn.connection.driver_connection
    assert driver is not None
    # Column names come from our own table definition, never from input.
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def delete_report_days(session: Session, office_id: int) -> None:
    for table in (
        ReportTransaction,
        ReportDayService,
        ReportDayGroup,
        ReportDayCall,
        ReportDaySession,
        ReportDay,
        ReportMonthService,
        ReportMonthGroup,
        ReportMonth,
    ):
        session.execute(sa.delete(table).where(col(table.office_id) == office_id))


# ------------------------------------------------------------------ reading the rollups


_AGG_COLUMNS = (
    "issued",
    "transferred_in",
    "served",
    "transferred",
    "no_show",
    "cancelled",
    "unserved",
    "hold_s",
    "waits",
    "walks",
    "services",
    "totals",
)


def day_services(
    session: Session, office_ids: Sequence[int], first: date, last: date
) -> Sequence[Any]:
    """(office, day, service, counts…, sorted duration blobs) of days in [first, last]."""
    t = ReportDayService
    return session.execute(
        sa.select(*_c(t, "office_id", "business_day", "service_id", *_AGG_COLUMNS)).where(
            col(t.office_id).in_(office_ids),
            col(t.business_day) >= first,
            col(t.business_day) <= last,
        )
    ).all()


def month_services(
    session: Session, office_ids: Sequence[int], months: Sequence[date]
) -> Sequence[Any]:
    """The same columns for built months (the month's first day in the day column)."""
    if not months:
        return []
    t = ReportMonthService
    return session.execute(
        sa.select(*_c(t, "office_id", "month", "service_id", *_AGG_COLUMNS)).where(
            col(t.office_id).in_(office_ids), col(t.month).in_(list(months))
        )
    ).all()


_GROUP_COLUMNS = (*_AGG_COLUMNS[:8], "within_standard", "within_target", *_AGG_COLUMNS[8:])


def day_groups(session: Session, office_id: int, first: date, last: date) -> Sequence[Any]:
    """(office, day, kind, key, counts…, hold, within…, blobs) of the breakdowns of days."""
    t = ReportDayGroup
    return session.execute(
        sa.select(*_c(t, "office_id", "business_day", "kind", "key", *_GROUP_COLUMNS)).where(
            col(t.office_id) == office_id,
            col(t.business_day) >= first,
            col(t.business_day) <= last,
        )
    ).all()


def day_calls(session: Session, office_id: int, first: date, last: date) -> list[Any]:
    """(office, first day, service, reason, calls, out-of-order seqs) of the sealed days' calls:
    summed over the days in SQL, the packed seqs of each day's out-of-order calls joined."""
    t = ReportDayCall
    in_period = (
        col(t.office_id) == office_id,
        col(t.business_day) >= first,
        col(t.business_day) <= last,
    )
    seqs: dict[int, list[bytes]] = {}
    for sid, blob in session.execute(
        sa.select(col(t.service_id), col(t.seqs)).where(*in_period, col(t.reason) == OUT_OF_ORDER)
    ):
        seqs.setdefault(sid, []).append(blob)
    return [
        (
            office_id,
            first,
            sid,
            reason,
            int(n),
            b"".join(seqs.get(sid, [])) if reason == OUT_OF_ORDER else b"",
        )
        for sid, reason, n in session.execute(
            sa.select(col(t.service_id), col(t.reason), sa.func.sum(col(t.calls)))
            .where(*in_period)
            .group_by(col(t.service_id), col(t.reason))
        )
    ]


def calls_by_seq(session: Session, office_id: int, seqs: Sequence[int]) -> Sequence[Any]:
    """(at, ticket id, number, priority, service, counter, staff, detail) of the ticket events
    numbered `seqs`, in order."""
    if not seqs:
        return []
    e, t = TicketEvent, Ticket
    out: list[Any] = []
    ordered = sorted(set(seqs))
    for start in range(0, len(ordered), TICKET_BATCH):
        out.extend(
            session.execute(
                sa.select(
                    *_c(e, "at", "ticket_id"),
                    *_c(t, "number", "priority"),
                    *_c(e, "service_id", "counter_id", "staff_id", "detail"),
                )
                .join(t, col(t.id) == col(e.ticket_id))
                .where(
                    col(e.office_id) == office_id,
                    col(e.seq).in_(ordered[start : start + TICKET_BATCH]),
                )
                .order_by(col(e.seq))
            ).all()
        )
    return out


def month_groups(session: Session, office_id: int, months: Sequence[date]) -> Sequence[Any]:
    if not months:
        return []
    t = ReportMonthGroup
    return session.execute(
        sa.select(*_c(t, "office_id", "month", "kind", "key", *_GROUP_COLUMNS)).where(
            col(t.office_id) == office_id, col(t.month).in_(list(months))
        )
    ).all()


def restandardised_from(session: Session, office_id: int) -> date | None:
    """The earliest day a standard change applies from that was recorded after that day (or a
    later one) was sealed: a backdated change, whose days must be sealed again."""
    ss, rd = ServiceStandard, ReportDay
    sealed_before = (
        sa.select(sa.literal(1))
        .where(
            col(rd.office_id) == office_id,
            col(rd.business_day) >= col(ss.effective_from),
            col(rd.sealed_at) <= col(ss.recorded_at),
        )
        .exists()
    )
    value: date | None = session.execute(
        sa.select(sa.func.min(col(ss.effective_from)))
        .join(Service, col(Service.id) == col(ss.service_id))
        .where(
            col(Service.office_id) == office_id,
            col(ss.effective_from) > FROM_THE_START,
            sealed_before,
        )
    ).scalar_one()
    return value


def unseal_from(session: Session, office_id: int, first: date) -> None:
    """Drop the rollups of `first` and later days (and of their months), to be sealed again."""
    for day_table in (
        ReportTransaction,
        ReportDayService,
        ReportDayGroup,
        ReportDayCall,
        ReportDaySession,
        ReportDay,
    ):
        session.execute(
            sa.delete(day_table).where(
                col(day_table.office_id) == office_id, col(day_table.business_day) >= first
            )
        )
    for month_table in (ReportMonthService, ReportMonthGroup, ReportMonth):
        session.execute(
            sa.delete(month_table).where(
                col(month_table.office_id) == office_id,
                col(month_table.month) >= first.replace(day=1),
            )
        )


def open_days(session: Session, office_id: int, first: date, last: date) -> list[date]:
    """Sealed business days of the period with any ticket (the days the office was open)."""
    return _days_of(session, ReportDayService, office_id, first, last)


def _days_of(
    session: Session, table: Any, office_id: int, first: date, last: date, *where: Any
) -> list[date]:
    """The distinct business days of a day rollup's rows in [first, last]."""
    return list(
        session.exec(
            select(col(table.business_day))
            .where(
                col(table.office_id) == office_id,
                col(table.business_day) >= first,
                col(table.business_day) <= last,
                *where,
            )
            .distinct()
        )
    )


def built_months(session: Session, office_id: int) -> set[date]:
    return set(
        session.exec(select(col(ReportMonth.month)).where(ReportMonth.office_id == office_id))
    )


def sealed_days_from(session: Session, office_id: int, first: date) -> list[date]:
    return list(
        session.exec(
            select(col(ReportDay.business_day)).where(
                ReportDay.office_id == office_id, col(ReportDay.business_day) >= first
            )
        )
    )


def save_month(
    session: Session,
    office_id: int,
    month: date,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    version: int,
) -> None:
    session.add(ReportMonth(office_id=office_id, month=month, built_at=now, version=version))
    session.flush()
    _bulk_insert(session, _table(ReportMonthService), [r for r in rows if "kind" not in r])
    _bulk_insert(session, _table(ReportMonthGroup), [r for r in rows if "kind" in r])


def facts(
    session: Session,
    office_id: int,
    first: date,
    last: date,
    *,
    service_id: int | None = None,
    counter_id: int | None = None,
) -> list[TransactionRow]:
    t = ReportTransaction
    q = sa.select(
        *_c(
            t,
            "ticket_id",
            "transaction_no",
            "business_day",
            "service_id",
            "priority",
            "arrival",
            "outcome",
            "counter_id",
            "staff_id",
            "wait_s",
            "walk_s",
            "service_s",
            "hold_s",
            "total_s",
            "arrival_hour",
            "weekday",
            "end_hour",
            "outside",
        )
    ).where(
        col(t.office_id) == office_id, col(t.business_day) >= first, col(t.business_day) <= last
    )
    if service_id is not None:
        q = q.where(col(t.service_id) == service_id)
    if counter_id is not None:
        q = q.where(col(t.counter_id) == counter_id)
    return [TransactionRow(*row) for row in session.execute(q)]


# The per-transaction columns of the raw export, in the order of its header.
EXPORT_FIELDS = (
    "business_day",
    "number",
    "transaction_no",
    "service_id",
    "priority",
    "arrival",
    "outcome",
    "counter_id",
    "staff_id",
    "queued_at",
    "called_at",
    "started_at",
    "ended_at",
    "wait_s",
    "walk_s",
    "service_s",
    "hold_s",
    "total_s",
    "recalls",
    "outside",
    "segments",
)


def fact_rows_for_export(
    session: Session, office_id: int, first: date, last: date
) -> Iterator[Sequence[Any]]:
    t = ReportTransaction
    result = session.execute(
        sa.select(
            *_c(
                t,
                *EXPORT_FIELDS,
            )
        )
        .where(
            col(t.office_id) == office_id,
            col(t.business_day) >= first,
            col(t.business_day) <= last,
        )
        .order_by(col(t.business_day), col(t.queued_at), col(t.ticket_id), col(t.transaction_no))
        .execution_options(yield_per=5000)
    )
    yield from result


def day_sessions(session: Session, office_id: int, first: date, last: date) -> Sequence[Any]:
    """(counter, staff, kind, reason, hour, seconds) of the session rollups of days in
    [first, last], summed over the days in SQL."""
    t = ReportDaySession
    keys = _c(t, "counter_id", "staff_id", "kind", "reason", "hour")
    return session.execute(
        sa.select(*keys, sa.func.sum(col(t.seconds)))
        .where(
            col(t.office_id) == office_id,
            col(t.business_day) >= first,
            col(t.business_day) <= last,
        )
        .group_by(*keys)
    ).all()


def session_days(session: Session, office_id: int, first: date, last: date) -> list[date]:
    """Days in [first, last] on which a counter session began (from the session rollups)."""
    t = ReportDaySession
    return _days_of(session, t, office_id, first, last, col(t.kind) == "open", col(t.starts) > 0)


def first_counter_event(session: Session, office_id: int) -> datetime | None:
    value: datetime | None = session.execute(
        sa.select(sa.func.min(col(CounterEvent.at))).where(col(CounterEvent.office_id) == office_id)
    ).scalar_one()
    return value


def counter_events(session: Session, office_id: int, start: datetime, end: datetime) -> list[Any]:
    e = CounterEvent
    return list(
        session.execute(
            sa.select(*_c(e, "counter_id", "kind", "at", "reason", "seq", "staff_id"))
            .where(col(e.office_id) == office_id, col(e.at) >= start, col(e.at) < end)
            .order_by(col(e.seq))
        ).all()
    )


def counters_by_id(session: Session, office_id: int) -> dict[int, Counter]:
    rows = session.exec(select(Counter).where(Counter.office_id == office_id)).all()
    return {c.id: c for c in rows if c.id is not None}


def office(session: Session, office_id: int) -> Office | None:
    return session.get(Office, office_id)


# ------------------------------------------------------------------ survey


def survey_items(session: Session, office_id: int) -> Sequence[SurveyItem]:
    return session.exec(
        select(SurveyItem)
        .where(SurveyItem.office_id == office_id)
        .order_by(col(SurveyItem.position), col(SurveyItem.id))
    ).all()


def ticket_by_token(session: Session, token: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.token == token)).first()


def events_of_ticket(session: Session, ticket_id: int) -> list[Event]:
    e = TicketEvent
    rows = session.execute(
        sa.select(
            *_c(e, "seq", "kind", "at", "transaction_no", "service_id", "counter_id", "staff_id")
        )
        .where(col(e.ticket_id) == ticket_id)
        .order_by(col(e.seq))
    ).all()
    return [Event(*row) for row in rows]


def survey_response(session: Session, ticket_id: int, transaction_no: int) -> SurveyResponse | None:
    return session.exec(
        select(SurveyResponse).where(
            SurveyResponse.ticket_id == ticket_id,
            SurveyResponse.transaction_no == transaction_no,
        )
    ).first()


def add_survey_response(
    session: Session, response: SurveyResponse, scores: dict[str, int]
) -> SurveyResponse:
    session.add(response)
    session.flush()
    assert response.id is not None
    for code, score in scores.items():
        session.add(SurveyAnswer(response_id=response.id, item_code=code, score=score))
    return response


def survey_tallies(session: Session, office_id: int, first: date, last: date) -> Sequence[Any]:
    """(form version, service, counter, staff, item, n, Σscore, Σscore²) of the period's
    answers (version None or 0: answered before forms were versioned)."""
    r, a = SurveyResponse, SurveyAnswer
    version = col(r.form_version)
    return session.execute(
        sa.select(
            version,
            *_c(r, "service_id", "counter_id", "staff_id"),
            col(a.item_code),
            sa.func.count(),
            sa.func.sum(col(a.score)),
            sa.func.sum(col(a.score) * col(a.score)),
        )
        .join(a, col(a.response_id) == col(r.id))
        .where(
            col(r.office_id) == office_id,
            col(r.business_day) >= first,
            col(r.business_day) <= last,
        )
        .group_by(version, col(r.service_id), col(r.counter_id), col(r.staff_id), col(a.item_code))
    ).all()


def survey_respondents(session: Session, office_id: int, first: date, last: date) -> Sequence[Any]:
    """(service, counter, staff, respondents) of the period: one response per ticket."""
    r = SurveyResponse
    return session.execute(
        sa.select(*_c(r, "service_id", "counter_id", "staff_id"), sa.func.count())
        .where(
            col(r.office_id) == office_id,
            col(r.business_day) >= first,
            col(r.business_day) <= last,
        )
        .group_by(col(r.service_id), col(r.counter_id), col(r.staff_id))
    ).all()


def survey_comments(
    session: Session, office_id: int, first: date, last: date, limit: int = 50
) -> Sequence[Any]:
    r = SurveyResponse
    return session.execute(
        sa.select(*_c(r, "answered_at", "service_id", "comment"))
        .where(
            col(r.office_id) == office_id,
            col(r.business_day) >= first,
            col(r.business_day) <= last,
            col(r.comment) != "",
        )
        .order_by(col(r.answered_at).desc())
        .limit(limit)
    ).all()


def last_finished_at_counter(
    session: Session, office_id: int, counter_id: int, since: datetime
) -> tuple[int, int] | None:
    """(ticket id, transaction) most recently finished at this counter since `since`."""
    e = TicketEvent
    row = session.execute(
        sa.select(*_c(e, "ticket_id", "transaction_no"))
        .where(
            col(e.office_id) == office_id,
            col(e.counter_id) == counter_id,
            col(e.kind) == "finished",
            col(e.at) >= since,
        )
        .order_by(col(e.seq).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


# ------------------------------------------------------------------ province


def offices_shared_with(session: Session, staff_id: int) -> Sequence[Office]:
    """Offices whose admin let this account compare their key metrics."""
    return session.exec(
        select(Office)
        .join(ProvinceMember, col(ProvinceMember.office_id) == Office.id)
        .where(ProvinceMember.staff_id == staff_id)
        .order_by(col(Office.code))
    ).all()


def survey_response_count(session: Session, office_id: int) -> int:
    return int(
        session.execute(
            sa.select(sa.func.count())
            .select_from(SurveyResponse)
            .where(col(SurveyResponse.office_id) == office_id)
        ).scalar_one()
    )


def needs_of_ticket(session: Session, ticket_id: int) -> bool:
    return (
        session.execute(
            sa.select(col(NeedsResponse.id)).where(col(NeedsResponse.ticket_id) == ticket_id)
        ).first()
        is not None
    )
