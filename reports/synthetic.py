"""Synthetic years of office traffic: for the report benchmark, screenshots and demos.

Rows are written straight into ticket, ticket_event, counter_event and the survey tables (bulk
inserts, COPY on PostgreSQL), shaped like a real district office: a morning peak and a smaller
one after lunch, Mondays and the weeks before term busiest, service times lognormal around each
service's standard, a few per cent no-shows (some reactivated), cancels, transfers, holds,
call-next finishes, tickets left at day end, counters that open, pause and close, a survey
answered by about one visitor in ten and the needs survey by every fifth of them (and a few
from the poster's link). Complaints live in their own package (complaints/synthetic.py). The
day rollover's work is reproduced too (open tickets closed as unserved, counters closed at day
end) and Office.last_business_day is set past the last day, so every generated day is final
and can be sealed.

    from reports.synthetic import Ids, OfficeShape, generate_office, insert
    rows = generate_office(office_id, services, desks, days, OfficeShape(), Ids(), seed=1)
    insert(engine, office_id, rows)
"""

from __future__ import annotations

import heapq
import json
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import SQLModel

import counter.models  # noqa: F401  (tables on the metadata)
import reports.models  # noqa: F401
from reports.questionnaire import DEFAULT_NEEDS_EVERY
from reports.text import DEFAULT_NEEDS

BANGKOK = ZoneInfo("Asia/Bangkok")

# Relative arrivals per half hour from 08:00 to 16:30 (a common district-office profile).
HALF_HOURS = [
    (time(8, 0), 0.6),
    (time(8, 30), 1.6),
    (time(9, 0), 1.9),
    (time(9, 30), 1.8),
    (time(10, 0), 1.6),
    (time(10, 30), 1.4),
    (time(11, 0), 1.2),
    (time(11, 30), 0.9),
    (time(12, 0), 0.5),
    (time(12, 30), 0.6),
    (time(13, 0), 1.2),
    (time(13, 30), 1.3),
    (time(14, 0), 1.2),
    (time(14, 30), 1.0),
    (time(15, 0), 0.8),
    (time(15, 30), 0.6),
    (time(16, 0), 0.35),
    (time(16, 30), 0.1),
]
WEEKDAY_LOAD = [1.25, 1.05, 1.0, 0.95, 0.9, 0.0, 0.0]
PRIORITIES = [("elderly", 0.06), ("disabled", 0.01), ("pregnant", 0.008), ("monk", 0.004)]


@dataclass(frozen=True)
class ServiceShape:
    id: int
    prefix: str
    standard_minutes: int
    weight: float


@dataclass(frozen=True)
class OfficeShape:
    tickets_per_year: int = 150_000
    no_show: float = 0.04
    reactivate: float = 0.25  # of no-shows
    cancel: float = 0.015
    transfer: float = 0.03
    hold: float = 0.02
    call_next_finish: float = 0.6
    survey: float = 0.10
    unserved: float = 0.004


@dataclass
class Rows:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    counter_events: list[tuple[Any, ...]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, str, int]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)
    last_business_day: date | None = None


@dataclass
class Ids:
    """Next ids, shared by all offices written into one database."""

    ticket: int = 1
    event: int = 1
    counter_event: int = 1
    response: int = 1


EVENT_COLUMNS = (
    "id",
    "office_id",
    "seq",
    "ticket_id",
    "kind",
    "at",
    "service_id",
    "transaction_no",
    "counter_id",
    "staff_id",
    "detail",
)
COUNTER_EVENT_COLUMNS = ("id", "office_id", "seq", "counter_id", "kind", "at", "staff_id", "reason")
SURVEY_CODES = ("speed", "courtesy", "clarity", "facilities", "overall")


def working_days(first: date, last: date) -> list[date]:
    out, d = [], first
    while d <= last:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _local(day: date, minutes: float) -> datetime:
    return (datetime.combine(day, time(0), BANGKOK) + timedelta(minutes=minutes)).astimezone(UTC)


def generate_office(
    office_id: int,
    services: Sequence[ServiceShape],
    counters: Sequence[tuple[int, int]],  # (counter id, staff id)
    days: Sequence[date],
    shape: OfficeShape,
    ids: Ids,
    *,
    seed: int = 1,
) -> Rows:
    """One office's tickets, events, counter sessions and survey answers over `days`."""
    rng = random.Random(seed)
    # A second stream for the call reasons, so adding them changed no other number drawn.
    reasons = random.Random(seed + 1)
    # And a third for the needs survey.
    wants = random.Random(seed + 2)
    rows = Rows()
    seq = 0
    per_day = shape.tickets_per_year / max(1, len(days))
    weights = [s.weight for s in services]
    half_weights = [w for _, w in HALF_HOURS]
    month_load = {m: 1.0 + 0.15 * math.sin((m - 3) / 12 * 2 * math.pi) for m in range(1, 13)}

    def event(
        kind: str,
        at: datetime,
        ticket_id: int,
        service_id: int,
        txn: int,
        counter_id: int | None = None,
        staff_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        nonlocal seq
        seq += 1
        rows.events.append(
            (
                ids.event,
                office_id,
                seq,
                ticket_id,
                kind,
                at,
                service_id,
                txn,
                counter_id,
                staff_id,
                detail,
            )
        )
        ids.event += 1

    def counter_event(
        kind: str, at: datetime, counter_id: int, staff_id: int, reason: str | None = None
    ) -> None:
        nonlocal seq
        seq += 1
        rows.counter_events.append(
            (ids.counter_event, office_id, seq, counter_id, kind, at, staff_id, reason)
        )
        ids.counter_event += 1

    for day in days:
        load = WEEKDAY_LOAD[day.weekday()] * month_load[day.month]
        n = max(0, round(rng.gauss(per_day * load, per_day * load * 0.08)))
        # Arrival minutes since local midnight, sorted.
        slots = rng.choices(range(len(HALF_HOURS)), half_weights, k=n)
        arrivals = sorted(
            HALF_HOURS[s][0].hour * 60 + HALF_HOURS[s][0].minute + rng.random() * 30 for s in slots
        )
        # Counters open around 08:25 and close around 16:35; half take lunch 12:00–12:30.
        free: list[tuple[float, int]] = []
        day_counters = (
            counters
            if len(counters) <= 2
            else counters[: max(2, len(counters) - rng.randint(0, 1))]
        )
        for cid, staff in day_counters:
            opens = 8 * 60 + 20 + rng.random() * 10
            counter_event("opened", _local(day, opens), cid, staff)
            heapq.heappush(free, (opens, cid))
        staff_of = dict(counters)
        lunch = {cid for i, (cid, _) in enumerate(day_counters) if i % 2 == 0}
        numbers: dict[str, int] = {}
        pending: list[tuple[int, int]] = []  # (ticket id, service id) left at day end
        for minute in arrivals:
            service = rng.choices(services, weights)[0]
            numbers[service.prefix] = numbers.get(service.prefix, 0) + 1
            seq_no = numbers[service.prefix]
            if seq_no > 999:
                continue
            tid = ids.ticket
            ids.ticket += 1
            issued = _local(day, minute)
            priority = None
            r = rng.random()
            for name, p in PRIORITIES:
                if r < p:
                    priority = name
                    break
                r -= p
            status, txn, counter_id, staff_id = "done", 1, None, None
            event("issued", issued, tid, service.id, 1)
            current = service
            queued = minute
            visit_over = False
            while not visit_over:
                if rng.random() < shape.cancel and txn == 1:
                    event(
                        "cancelled",
                        _local(day, queued + rng.random() * 20),
                        tid,
                        current.id,
                        txn,
                        staff_id=staff_of[counters[0][0]],
                    )
                    status, visit_over = "cancelled", True
                    break
                start_free, cid = heapq.heappop(free)
                call = max(start_free, queued) + rng.random() * 0.5
                if call > 16 * 60 + 45 or rng.random() < shape.unserved:
                    heapq.heappush(free, (start_free, cid))
                    pending.append((tid, current.id))
                    status, visit_over = "unserved", True
                    break
                staff = staff_of[cid]
                event(
                    "called",
                    _local(day, call),
                    tid,
                    current.id,
                    txn,
                    cid,
                    staff,
                    _call_reason(reasons, priority),
                )
                counter_id, staff_id = cid, staff
                if rng.random() < shape.no_show:
                    recalls = rng.randint(1, 2)
                    t = call
                    for _ in range(recalls):
                        t += 1 + rng.random()
                        event(
                            "recalled",
                            _local(day, t),
                            tid,
                            current.id,
                            txn,
                            cid,
                            staff,
                            {"recall_count": 1},
                        )
                    t += 1 + rng.random()
                    event("no_show", _local(day, t), tid, current.id, txn, cid, staff)
                    heapq.heappush(free, (t, cid))
                    if rng.random() < shape.reactivate:
                        queued_again = t + 10 + rng.random() * 40
                        event(
                            "reactivated",
                            _local(day, queued_again),
                            tid,
                            current.id,
                            txn,
                            cid,
                            staff,
                        )
                        queued = queued_again
                        continue
                    status, visit_over = "no_show", True
                    break
                walk = 0.3 + rng.expovariate(1 / 1.2)
                start = call + walk
                event("started", _local(day, start), tid, current.id, txn, cid, staff)
                mean = current.standard_minutes * 0.8
                duration = rng.lognormvariate(math.log(max(1.0, mean)), 0.45)
                end = start + duration
                if rng.random() < shape.hold:
                    held = start + duration / 2
                    event("held", _local(day, held), tid, current.id, txn, cid, staff)
                    back = held + 3 + rng.random() * 10
                    event("unheld", _local(day, back), tid, current.id, txn, cid, staff)
                    event("started", _local(day, back + 0.5), tid, current.id, txn, cid, staff)
                    end = back + 0.5 + duration / 2
                if txn == 1 and rng.random() < shape.transfer:
                    target = rng.choice(services)
                    event(
                        "transferred",
                        _local(day, end),
                        tid,
                        current.id,
                        txn,
                        cid,
                        staff,
                        {"from_service_id": current.id, "to_service_id": target.id},
                    )
                    txn += 1
                    event(
                        "requeued",
                        _local(day, end),
                        tid,
                        target.id,
                        txn,
                        None,
                        staff,
                        {"from_service_id": current.id},
                    )
                    heapq.heappush(free, (end, cid))
                    current, queued = target, end
                    continue
                by_call_next = rng.random() < shape.call_next_finish
                event(
                    "finished",
                    _local(day, end),
                    tid,
                    current.id,
                    txn,
                    cid,
                    staff,
                    {"by": "call_next"} if by_call_next else None,
                )
                heapq.heappush(free, (end + rng.random() * 1.5, cid))
                visit_over = True
                if rng.random() < shape.survey:
                    rid = ids.response
                    ids.response += 1
                    base = rng.choice((5, 5, 4, 4, 4, 3))
                    rows.responses.append(
                        {
                            "id": rid,
                            "office_id": office_id,
                            "ticket_id": tid,
                            "transaction_no": txn,
                            "business_day": day,
                            "service_id": current.id,
                            "counter_id": cid,
                            "staff_id": staff,
                            "answered_at": _local(day, end + 2),
                            "channel": "counter",
                            "comment": "" if rng.random() < 0.9 else wants.choice(COMMENTS),
                        }
                    )
                    for code in SURVEY_CODES:
                        score = min(5, max(1, base + rng.choice((-1, 0, 0, 0, 1))))
                        rows.answers.append((rid, code, score))
                    if rid % DEFAULT_NEEDS_EVERY == 0:
                        rows.needs.append(
                            _needs_answer(
                                wants, office_id, day, _local(day, end + 4), "survey", tid
                            )
                        )
            prefix = service.prefix
            rows.tickets.append(
                {
                    "id": tid,
                    "office_id": office_id,
                    "service_id": current.id,
                    "business_day": day,
                    "prefix": prefix,
                    "seq_no": seq_no,
                    "number": f"{prefix}{seq_no:03d}",
                    "status": status,
                    "priority": priority,
                    "token": secrets.token_urlsafe(12),
                    "issued_at": issued,
                    "queued_at": _local(day, queued),
                    "counter_id": counter_id,
                    "staff_id": staff_id,
                    "transaction_no": txn,
                }
            )
        # A few answer the needs survey from the poster's link.
        for _ in range(int(wants.random() < NEEDS_BY_LINK_PER_DAY)):
            at = _local(day, 9 * 60 + wants.random() * 7 * 60)
            rows.needs.append(_needs_answer(wants, office_id, day, at, "link", None))
        # Pauses and closing of the day's counters.
        for i, (cid, staff) in enumerate(day_counters):
            if cid in lunch:
                counter_event(
                    "paused", _local(day, 12 * 60 + rng.random() * 5), cid, staff, "lunch"
                )
                counter_event(
                    "resumed", _local(day, 12 * 60 + 30 + rng.random() * 5), cid, staff, "lunch"
                )
            if i % 3 == 1:
                t = 14 * 60 + 30 + rng.random() * 30
                counter_event("paused", _local(day, t), cid, staff, "break")
                counter_event(
                    "resumed", _local(day, t + 10 + rng.random() * 10), cid, staff, "break"
                )
            counter_event("closed", _local(day, 16 * 60 + 35 + rng.random() * 20), cid, staff)
        # The next morning's rollover closes what was left open.
        next_morning = _local(day + timedelta(days=1), 8 * 60)
        for tid, sid in pending:
            event(
                "closed_unserved",
                next_morning,
                tid,
                sid,
                1,
                None,
                None,
                {"business_day": day.isoformat()},
            )
    rows.last_business_day = days[-1] + timedelta(days=1) if days else None
    return rows


# ------------------------------------------------------------------ writing


def _complete(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns a row leaves out with their Python-side defaults (or None)."""
    out = {}
    for column in table.columns:
        if column.name in row:
            out[column.name] = row[column.name]
        elif column.default is not None and getattr(column.default, "is_scalar", False):
            out[column.name] = column.default.arg  # type: ignore[attr-defined]
        else:
            out[column.name] = None
    return out


def insert(engine: sa.Engine, office_id: int, rows: Rows) -> None:
    """Write one office's rows; COPY on PostgreSQL, batched inserts on SQLite."""
    meta = SQLModel.metadata
    tables = {
        "ticket": [_complete(meta.tables["ticket"], r) for r in rows.tickets],
        "survey_response": [_complete(meta.tables["survey_response"], r) for r in rows.responses],
    }
    if engine.dialect.name == "postgresql":
        _copy_all(engine, tables, rows)
    else:
        with engine.begin() as conn:
            conn.execute(meta.tables["ticket"].insert(), tables["ticket"])
            conn.execute(
                meta.tables["ticket_event"].insert(),
                [dict(zip(EVENT_COLUMNS, e, strict=True)) for e in rows.events],
            )
            conn.execute(
                meta.tables["counter_event"].insert(),
                [dict(zip(COUNTER_EVENT_COLUMNS, e, strict=True)) for e in rows.counter_events],
            )
            if rows.responses:
                conn.execute(meta.tables["survey_response"].insert(), tables["survey_response"])
                conn.execute(
                    meta.tables["survey_answer"].insert(),
                    [{"response_id": r, "item_code": c, "score": s} for r, c, s in rows.answers],
                )
    if rows.needs:
        # A few thousand a year: plain inserts on both databases (JSON answers).
        with engine.begin() as conn:
            conn.execute(meta.tables["needs_response"].insert(), rows.needs)
    with engine.begin() as conn:
        office = meta.tables["office"]
        seq = len(rows.events) + len(rows.counter_events)
        conn.execute(
            office.update()
            .where(office.c.id == office_id)
            .values(last_business_day=rows.last_business_day, event_seq=seq)
        )


def _copy_all(engine: sa.Engine, tables: dict[str, list[dict[str, Any]]], rows: Rows) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        # Generated rows are consistent by construction: skip the foreign-key triggers while
        # loading, as a bulk restore does (needs a superuser; without one the checks just run).
        # LOCAL: for this transaction only. The connection goes back to the engine's pool, and
        # whatever used it next would have had no foreign-key checks.
        try:
            cur.execute("SET LOCAL session_replication_role = replica")
        except Exception:
            raw.rollback()
        for name, data in tables.items():
            if not data:
                continue
            cols = list(data[0])
            with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                for r in data:
                    copy.write_row([r[c] for c in cols])
        with cur.copy(f"COPY ticket_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for e in rows.events:
                detail = e[10]
                copy.write_row((*e[:10], None if detail is None else json.dumps(detail)))
        with cur.copy(
            f"COPY counter_event ({', '.join(COUNTER_EVENT_COLUMNS)}) FROM STDIN"
        ) as copy:
            for e in rows.counter_events:
                copy.write_row(e)
        if rows.answers:
            with cur.copy("COPY survey_answer (response_id, item_code, score) FROM STDIN") as copy:
                for a in rows.answers:
                    copy.write_row(a)
        raw.commit()
    finally:
        raw.close()


def fix_sequences(engine: sa.Engine) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequences past them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("ticket", "ticket_event", "counter_event", "survey_response"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (constants)
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def office_shapes(session_services: Sequence[Any], counters: Sequence[Any]) -> list[ServiceShape]:
    """Service mix: ID cards and civil registration dominate a district office's day."""
    group_weight = {
        "id_card": 5.0,
        "civil_registration": 3.0,
        "family_registration": 1.2,
        "licensing": 0.6,
        "damrongtham": 0.4,
    }
    return [
        ServiceShape(s.id, s.prefix, s.standard_minutes, group_weight.get(s.group, 0.5))
        for s in session_services
    ]


# Why staff called a ticket by number instead of the next one: a few in every thousand calls.
OUT_OF_ORDER_SHARE = 0.004
OUT_OF_ORDER_NOTES = (
    "คนพิการ นั่งรถเข็น",
    "ผู้สูงอายุ ไม่ได้กดช่องทางพิเศษ",
    "เอกสารพร้อมแล้ว รับต่อจากช่องอื่น",
    "เรียกผิดหมายเลข แก้ไขแล้ว",
)


def _call_reason(rng: random.Random, priority: str | None) -> dict[str, Any]:
    """The `detail` of a call as call-next and a call by number record it."""
    if rng.random() < OUT_OF_ORDER_SHARE:
        return {"reason": "out_of_order", "note": rng.choice(OUT_OF_ORDER_NOTES)}
    return {"reason": "priority" if priority else "normal"}


# The needs survey: how often each bundled choice is ticked (others 10 %), and the free text a
# few write. Online booking and Saturday service lead, as offices' own surveys report.
NEEDS_BY_LINK_PER_DAY = 0.3
NEEDS_SHARE = {
    "booking": 0.55,
    "eservice": 0.35,
    "mobile": 0.15,
    "advice": 0.12,
    "early": 0.2,
    "lunch": 0.3,
    "evening": 0.25,
    "saturday": 0.45,
    "office_hours": 0.35,
    "line": 0.6,
    "facebook": 0.35,
    "website": 0.15,
    "phone": 0.12,
    "board": 0.1,
    "seats": 0.4,
    "parking": 0.45,
    "toilets": 0.15,
    "wifi": 0.2,
    "water": 0.2,
    "ramps": 0.08,
}
# Suggestions written under the satisfaction items.
COMMENTS = (
    "อยากให้มีที่นั่งรอเพิ่ม",
    "เจ้าหน้าที่บริการดี ยิ้มแย้มแจ่มใส",
    "อยากให้เปิดช่องบริการเพิ่มช่วงเช้า",
    "ป้ายบอกทางไม่ชัดเจน หาช่องบริการยาก",
    "ขอบคุณที่บริการรวดเร็ว",
    "ที่จอดรถไม่พอ",
)
NEEDS_TEXTS = (
    "อยากให้เปิดบริการวันเสาร์เดือนละครั้ง",
    "อยากให้จองคิวผ่าน LINE ได้",
    "ขอที่จอดรถสำหรับผู้สูงอายุ",
    "อยากให้มีป้ายบอกเอกสารที่ต้องเตรียมหน้าห้อง",
)


def _needs_answer(
    rng: random.Random,
    office_id: int,
    day: date,
    at: datetime,
    channel: str,
    ticket_id: int | None,
) -> dict[str, Any]:
    answers = {
        q["code"]: [c[0] for c in q["choices"] if rng.random() < NEEDS_SHARE.get(c[0], 0.1)]
        for q in DEFAULT_NEEDS
    }
    return {
        "office_id": office_id,
        "form_version": 0,
        "answered_at": at,
        "business_day": day,
        "channel": channel,
        "ticket_id": ticket_id,
        "answers": {k: v for k, v in answers.items() if v},
        "free_text": rng.choice(NEEDS_TEXTS) if rng.random() < 0.08 else "",
    }
