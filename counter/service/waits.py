"""The office's wait forecast as the kiosk, the status pages and the tickets tell it, and the
counters' calling rules it replays."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session

from counter import repository as repo
from counter.models import Counter, Office
from counter.queue.forecast import (
    ARRIVAL_WINDOW,
    LOADED_PER_LINE,
    CounterPlan,
    Forecast,
    arrival_rates,
    expected_minutes,
    forecast,
    remaining_minutes,
)
from counter.queue.policy import (
    Candidate,
    CounterMix,
    CounterPolicy,
    Line,
    ServeMode,
    ServiceSlot,
)
from counter.service.shared import row_id
from counter.unit_of_work import local_day


def counter_policy(counter: Counter | Row[Any], slots: Sequence[Any]) -> CounterPolicy:
    return CounterPolicy(
        services=tuple(ServiceSlot(s.service_id, s.position, max(1, s.weight)) for s in slots),
        mode=ServeMode(counter.mode),
        priority_share=counter.priority_share,
        normal_share=counter.normal_share,
        ageing_cap=timedelta(minutes=counter.ageing_cap_minutes),
        booked_in_row=counter.booked_in_row,
    )


def counter_mix(counter: Counter | Row[Any], slots: Sequence[Any]) -> CounterMix:
    """What the counter's rows remember between calls (see counter.queue.policy.CounterMix)."""
    return CounterMix(
        cycle_pos=counter.cycle_pos,
        credits={s.service_id: s.credit for s in slots},
        booked_streak=counter.booked_streak,
    )


# A forecast of the same office event is reused this long (the clock moves its waits).
FORECAST_REUSE_SECONDS = 10.0
# How far back, and how many, finished calls tell how long a call of each service takes
# (the `samples` of office_forecast), and how long one reading of them serves.
DURATION_HISTORY = timedelta(days=14)
DURATION_SAMPLES = 400
DURATION_REREAD = timedelta(minutes=1)
CALL_END_KINDS = frozenset(repo.CALL_END_KINDS)
# When a paused counter is expected back, by reason (minutes since the pause began).
PAUSE_MINUTES = {"break": 15, "lunch": 60, "meeting": 30, "system": 10, "other": 15}
# A paused counter past its usual pause, or a closed one the forecast must count on, is
# expected no sooner than this.
COUNTER_RETURN = timedelta(minutes=5)


def office_forecast(
    session: Session,
    office: Office,
    now: datetime,
    samples: Mapping[int, list[float]],
    arrivals: Mapping[tuple[int, Line], float],
    *,
    newcomers: bool = False,
    until: int | None = None,
    waiting: Collection[Candidate] | None = None,
) -> Forecast:
    """Today's waiting lines replayed through the counters' own calling rules (one pass).

    `samples`: service id -> recent minutes per call (repository.recent_call_minutes).
    `arrivals`: (service, line) -> tickets a minute lately joining it (see `recent_arrivals`),
    expected to go on until closing time where the office keeps its hours.

    Counters count from when they can next call: an open idle one now, a busy one once the
    citizen there is likely done (expected time minus time already spent), a paused one at the
    usual end of its pause. Closed counters are counted on only for services no open or paused
    counter serves, from the opening hour or a few minutes from now. With `newcomers`, every
    active service also gets the wait a new ticket would have (the kiosk's list); with `until`,
    the replay stops once that ticket is called (a write wants only its own ticket).
    `waiting`: today's waiting tickets as a process keeps them (`WaitingKept`), instead of
    reading them.
    """
    office_id = row_id(office)
    today = local_day(now, office.timezone)
    services, counters, slot_rows = repo.forecast_catalogue(session, office_id)
    minutes = {s.id: expected_minutes(samples.get(s.id, []), s.standard_minutes) for s in services}
    slots: dict[int, list[Any]] = {}
    for row in slot_rows:
        slots.setdefault(row.counter_id, []).append(row)
    current = repo.calls_at_counters(session, [c.id for c in counters if c.staff_id])
    plans: list[CounterPlan] = []
    closed: list[CounterPlan] = []
    for counter in counters:
        rows = slots.get(counter.id)
        if not counter.active or not rows:
            continue
        plan = CounterPlan(
            counter.number, counter_policy(counter, rows), counter_mix(counter, rows), now
        )
        if counter.staff_id is None:
            closed.append(plan)
            continue
        free_at = now
        if counter.paused_reason is not None and counter.paused_at is not None:
            back = counter.paused_at + timedelta(
                minutes=PAUSE_MINUTES.get(counter.paused_reason, 15)
            )
            free_at = max(back, now + COUNTER_RETURN)
        at_counter = current.get(counter.id)
        if at_counter is not None:
            service_id, called_at = at_counter
            expected = minutes.get(service_id, 15.0)
            elapsed = (now - called_at).total_seconds() / 60
            left = timedelta(minutes=remaining_minutes(expected, elapsed))
            free_at = max(free_at, now + left)
        plans.append(replace(plan, free_at=free_at))
    line_sizes: dict[tuple[int, Line], tuple[int, datetime]] | None = None
    if waiting is None:
        waiting, line_sizes = repo.waiting_lines(session, office_id, today, LOADED_PER_LINE)
        waiting_services = {service_id for service_id, _ in line_sizes}
    else:
        waiting_services = {c.service_id for c in waiting}
    served = {sid for plan in plans for sid in plan.policy.service_ids}
    orphans = (waiting_services | set(minutes)) - served
    if orphans and closed:
        # Before opening time nobody is expected sooner (an office that issues early, as the
        # demo does, still opens its counters at its hour).
        opens = datetime.combine(today, office.opens, ZoneInfo(office.timezone))
        start = max(now + COUNTER_RETURN, opens)
        for plan in closed:
            kept = tuple(slot for slot in plan.policy.services if slot.service_id in orphans)
            if kept:
                policy = replace(plan.policy, services=kept)
                plans.append(replace(plan, policy=policy, free_at=start))
    active = [s.id for s in services if s.active] if newcomers else []
    closes = datetime.combine(today, office.closes, ZoneInfo(office.timezone))
    return forecast(
        waiting,
        plans,
        minutes,
        now,
        newcomers=active,
        line_sizes=line_sizes,
        until=until,
        arrivals=arrivals,
        arrivals_until=closes if office.hours_enforced else None,
    )


def recent_arrivals(
    session: Session, office: Office, now: datetime
) -> dict[tuple[int, Line], float]:
    """Each line's arrival rate over the last hour, from the office's own events."""
    today = local_day(now, office.timezone)
    joins, began = repo.recent_joins(session, row_id(office), today, now - ARRIVAL_WINDOW)
    return arrival_rates(joins, now, began)


@dataclass(frozen=True)
class CallMinutes:
    """One office's recent call durations as a process keeps them between forecasts: the
    `samples` of `office_forecast`, from the last DURATION_SAMPLES transactions that ended at
    a counter within DURATION_HISTORY.

    Read whole once they are DURATION_REREAD old (other processes' calls count from then on).
    When this process ends a call there (`stale`), only what ended since the newest one kept
    is read and added: a busy office ends a call every few minutes, and reading its fortnight
    again each time cost about 2 ms (the year's history of `saduak demo --history 365`)."""

    read_at: datetime
    # (when it ended, its end event's id, service id, minutes from the call to the end),
    # oldest first.
    rows: tuple[tuple[datetime, int, int, float], ...]
    stale: bool = False

    @classmethod
    def read(cls, session: Session, office_id: int, now: datetime) -> CallMinutes:
        rows = repo.recent_call_minutes(
            session, office_id, now - DURATION_HISTORY, DURATION_SAMPLES
        )
        return cls(now, tuple(rows))

    def caught_up(self, session: Session, office_id: int, now: datetime) -> CallMinutes:
        """With the transactions that ended since the newest kept (read whole if none is):
        from that instant on, so one that ended at the same instant counts too, once."""
        if not self.rows:
            return replace(CallMinutes.read(session, office_id, now), read_at=self.read_at)
        newest = self.rows[-1][0]
        held = {row[1] for row in self.rows if row[0] == newest}
        newer = repo.recent_call_minutes(session, office_id, newest, DURATION_SAMPLES)
        since = now - DURATION_HISTORY
        kept = sorted(
            row for row in (*self.rows, *(r for r in newer if r[1] not in held)) if row[0] >= since
        )
        return CallMinutes(self.read_at, tuple(kept[-DURATION_SAMPLES:]))

    @functools.cached_property
    def samples(self) -> dict[int, list[float]]:
        """Service id -> minutes per call, oldest first."""
        out: dict[int, list[float]] = {}
        for _, _, service_id, minutes in self.rows:
            out.setdefault(service_id, []).append(minutes)
        return out


# Past this many office events since a process last caught up its waiting lines, it reads them
# whole again (one read of the lines costs about as much as catching up this many).
CATCH_UP_EVENTS = 200


@dataclass(frozen=True)
class WaitingKept:
    """One office's waiting tickets of a business day as a process keeps them between
    forecasts: read whole once, then caught up with the office's events since
    (`repository.ticket_changes`: every change of a ticket is an event of its office, in the
    same transaction), re-reading only the tickets those events touched. A forecast after one
    issue reads one ticket, not the thousand waiting (and makes no Candidate anew: each keeps
    what it computed once, `policy.once`).

    While a line is longer than the forecast loads (`LOADED_PER_LINE`), the forecast does not
    use what is kept: it reads the first of each line and every line's length
    (repository.waiting_lines). Each catch-up also counts the waiting tickets in the queue
    index: a change made beside the event log (a row deleted or a status set by hand) that moves
    the count makes it read whole. The committed forecast runs in a read transaction (SQLite's,
    PostgreSQL's repeatable read), so the catch-up and the count see one snapshot: a ticket
    committed between the two statements moves neither."""

    day: date
    # Every event up to this seq is in `tickets`.
    seq: int
    tickets: Mapping[int, Candidate]
    # (service, line) -> waiting tickets in it.
    lengths: Mapping[tuple[int, Line], int]

    @property
    def loadable(self) -> bool:
        return all(n <= LOADED_PER_LINE for n in self.lengths.values())

    @classmethod
    def read(cls, session: Session, office: Office, day: date) -> WaitingKept:
        # The seq first: a ticket changed after it is read again at the next catch-up.
        seq = office.event_seq
        waiting, _ = repo.waiting_lines(session, row_id(office), day, per_line=None)
        return cls._of(day, seq, {c.ticket_id: c for c in waiting})

    @classmethod
    def _of(cls, day: date, seq: int, tickets: dict[int, Candidate]) -> WaitingKept:
        lengths: dict[tuple[int, Line], int] = {}
        for c in tickets.values():
            lengths[c.line] = lengths.get(c.line, 0) + 1
        return cls(day, seq, tickets, lengths)

    def caught_up(self, session: Session, office: Office, day: date) -> WaitingKept:
        """Up to the office's latest event (read whole on another day, or past CATCH_UP_EVENTS)."""
        if day != self.day or office.event_seq < self.seq:
            return WaitingKept.read(session, office, day)
        if office.event_seq == self.seq:
            return self
        changes = repo.ticket_changes(session, row_id(office), self.seq, CATCH_UP_EVENTS)
        if changes is None:
            return WaitingKept.read(session, office, day)
        tickets = dict(self.tickets)
        lengths = dict(self.lengths)
        seq = self.seq
        for change in changes:
            seq = change.seq
            c = change.ticket
            was = tickets.pop(c.ticket_id, None)
            if was is not None:
                lengths[was.line] -= 1
            if change.waiting and change.business_day == day:
                kept = c if was is None or was != c else was
                tickets[c.ticket_id] = kept
                lengths[kept.line] = lengths.get(kept.line, 0) + 1
        if len(tickets) != repo.waiting_count(session, row_id(office), day):
            # A ticket changed without its event (a repair by hand in the database, a tool
            # that deletes rows): what is kept is no longer the line.
            return WaitingKept.read(session, office, day)
        lengths = {key: n for key, n in lengths.items() if n}
        # Events of counters move the seq too, and touch no ticket.
        return WaitingKept(day, max(seq, office.event_seq), tickets, lengths)
