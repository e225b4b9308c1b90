"""What a screen shows, read from the database in one consistent transaction.

Read-only queries over counter.models. They live here rather than in counter.repository only
until that module takes them (see the display issue's report); they never write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from counter import repository as repo
from counter.db import Database
from counter.models import Counter, Office, OfficeSettings, Service, Ticket, TicketEvent
from counter.queue.states import TicketStatus
from counter.service import local_day
from counter.unit_of_work import day_start
from displays.messages import CALL_KINDS, PROTOCOL, call_fields
from displays.text import GROUP_NAMES
from displays.voice import VoiceOptions

AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)


def _begin_consistent_read(db: Database, session: Session) -> None:
    # PostgreSQL's default READ COMMITTED gives each statement its own view; the snapshot's seq
    # must describe every row it returns, so the whole read shares one. SQLite's WAL read
    # transaction already is one snapshot.
    if db.dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def office_voice(options: OfficeSettings | None, default: VoiceOptions) -> VoiceOptions:
    """The office's own voice options where it set them, else the deployment's defaults."""
    if options is None:
        return default
    polite: Literal["ka", "krap"] = "krap" if options.voice_polite == "krap" else "ka"
    return VoiceOptions(repeat=options.voice_repeat, english=options.voice_english, polite=polite)


def read_snapshot(
    db: Database, office_id: int, now: datetime, *, last_calls: int, voice: VoiceOptions
) -> dict[str, Any] | None:
    """The full screen state of an office, or None when the office no longer exists."""
    with db.read() as session:
        _begin_consistent_read(db, session)
        office = session.get(Office, office_id)
        if office is None:
            return None
        voice = office_voice(session.get(OfficeSettings, office_id), voice)
        seq = office.event_seq
        today = local_day(now, office.timezone)
        counters = repo.counters(session, office_id)
        current = _current_tickets(session, office_id, today)
        calls = _last_calls(
            session, office_id, today, day_start(today, office.timezone), seq, last_calls, voice
        )
        services, lines = _waiting(session, office_id, today)
    return {
        "type": "snapshot",
        "protocol": PROTOCOL,
        "seq": seq,
        "office": office_id,
        "at": now.isoformat(),
        "office_info": {
            "code": office.code,
            "name_th": office.name_th,
            "name_en": office.name_en,
            "timezone": office.timezone,
            "message": office.display_message,
        },
        "counters": [
            {
                "number": c.number,
                "name": c.name,
                "state": _counter_state(c),
                "current": _ticket_brief(current.get(c.id)) if c.id in current else None,
            }
            for c in counters
            if c.active
        ],
        "last_calls": calls,
        # How this office's calls are spoken (set in Admin → Office); the feed speaks its
        # events the same way.
        "voice": {"repeat": voice.repeat, "english": voice.english, "polite": voice.polite},
        "services": services,
        "lines": lines,
    }


def read_waiting(db: Database, office_id: int, now: datetime) -> dict[str, Any] | None:
    """Waiting counts per service and per numbering line (prefix)."""
    with db.read() as session:
        office = session.get(Office, office_id)
        if office is None:
            return None
        services, lines = _waiting(session, office_id, local_day(now, office.timezone))
    return {"services": services, "lines": lines}


def _counter_state(counter: Counter) -> str:
    if counter.staff_id is None:
        return "closed"
    return "paused" if counter.paused_reason is not None else "open"


def _ticket_brief(ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None:
        return None
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "status": ticket.status,
        "service_id": ticket.service_id,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
    }


def _current_tickets(session: Session, office_id: int, today: Any) -> dict[int | None, Ticket]:
    """Counter id -> the ticket called to or served there now (the latest call wins)."""
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.business_day == today,
            col(Ticket.status).in_([s.value for s in AT_COUNTER]),
            col(Ticket.counter_id).is_not(None),
        )
        .order_by(col(Ticket.called_at), col(Ticket.id))
    ).all()
    return {ticket.counter_id: ticket for ticket in rows}


def _last_calls(
    session: Session,
    office_id: int,
    today: Any,
    start: datetime,
    seq: int,
    limit: int,
    voice: VoiceOptions,
) -> list[dict[str, Any]]:
    """Today's most recent calls up to `seq`, newest first, each ready to be announced, with the
    ticket's status now (a call nobody answered shows as such: `no_show`).

    The walk down the office's events stops at today's first event (`start`: the day's first
    instant): a call of today's ticket comes after it. Without that bound a morning with fewer
    than `limit` calls read the office's whole history.
    """
    today_events = aliased(TicketEvent)
    first_today = (
        # `+ 0` keeps the database from finding the minimum by walking the (office, seq) index
        # from the office's first event; it reads today's events through (office, at) instead.
        sa.select(sa.func.min(col(today_events.seq) + 0))
        .where(col(today_events.office_id) == office_id, col(today_events.at) >= start)
        .scalar_subquery()
    )
    rows = session.exec(
        select(TicketEvent, Ticket, Counter.number)
        .join(Ticket, col(Ticket.id) == TicketEvent.ticket_id)
        .join(Counter, col(Counter.id) == TicketEvent.counter_id)
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.kind).in_(CALL_KINDS),
            col(TicketEvent.seq) <= seq,
            col(TicketEvent.seq) >= first_today,
            Ticket.business_day == today,
        )
        .order_by(col(TicketEvent.seq).desc())
        .limit(limit)
    ).all()
    return [
        {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "ticket_id": event.ticket_id,
            "number": ticket.number,
            "counter": counter,
            "service_id": event.service_id,
            "recall": event.kind != "called",
            "status": ticket.status,
            # A booked ticket (a checked-in booking): the screens mark it.
            "booked": ticket.booked_for is not None,
            **call_fields(ticket.number, counter, voice),
        }
        for event, ticket, counter in rows
    ]


def _waiting(
    session: Session, office_id: int, today: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    stats = repo.queue_stats(session, office_id, today)
    services: Sequence[Service] = repo.services(session, office_id)
    waiting = {s.id: stats[s.id][0] if s.id in stats else 0 for s in services}
    per_service = [
        {
            "id": s.id,
            "code": s.code,
            "prefix": s.prefix,
            "group": s.group,
            "name_th": s.name_th,
            "name_en": s.name_en,
            "waiting": waiting[s.id],
        }
        for s in services
        # A closed service drops off the screen once nobody waits for it any more.
        if s.active or waiting[s.id]
    ]
    return per_service, waiting_lines(per_service)


def waiting_lines(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per ticket prefix, A to Z: what a citizen holding "B 017" looks for.

    Numbers are handed out per prefix, so the prefix is the line a citizen recognises; the
    services sharing a prefix are one group of the catalogue.
    """
    lines: dict[str, dict[str, Any]] = {}
    for s in services:
        line = lines.setdefault(
            s["prefix"], {"prefix": s["prefix"], "waiting": 0, "groups": [], "names": []}
        )
        line["waiting"] += s["waiting"]
        if s["group"] not in line["groups"]:
            line["groups"].append(s["group"])
        line["names"].append((s["name_th"], s["name_en"]))
    out = []
    for line in sorted(lines.values(), key=lambda line: line["prefix"]):
        groups, names = line.pop("groups"), line.pop("names")
        if len(groups) == 1 and groups[0] in GROUP_NAMES:
            name_th, name_en = GROUP_NAMES[groups[0]]
        else:
            name_th, name_en = names[0]
        out.append({**line, "name_th": name_th, "name_en": name_en})
    return out
