"""Which waiting ticket a counter calls next: configuration, not code.

A counter serves a set of services either in a fixed order (the first position with someone waiting
wins; services at the same position are one line, first come first served) or by weight (smooth
weighted round robin, so 3:1 means three of one for each of the other, interleaved). Priority
tickets mix with normal ones at a configurable ratio when both wait, and any ticket that has waited
past the ageing cap goes first, oldest first, so nobody waits forever.

A booked ticket (checked in for a time slot) is due at its slot: once due it goes ahead of the
walk-ins, earliest slot first, but at most `booked_in_row` booked tickets in a row while walk-ins
wait, so a morning full of bookings never starves the hall. Before its slot it is called only when
no walk-in waits (the counter would otherwise sit idle). Its age counts from the later of its slot
and its check-in, as its wait does (DOMAIN.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any, Generic, Self, TypeVar, overload


class ServeMode(StrEnum):
    ORDER = "order"
    WEIGHT = "weight"


class Line(IntEnum):
    """The waiting lines of one service: walk-ins (normal, priority) and booked tickets."""

    NORMAL = 0
    PRIORITY = 1
    BOOKED = 2


T = TypeVar("T")


class once(Generic[T]):
    """`functools.cached_property` without its lock: on Python 3.11 every first read of one takes
    a lock shared by all instances of the class (gone in 3.12), which doubled the cost of making
    a Candidate and reading it once, a thousand times per forecast. Frozen dataclasses keep the
    value in their __dict__, outside their fields, equality and hash."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | Self:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    service_id: int
    priority: bool
    queued_at: datetime
    # A booked ticket: the start of its slot (it is due then). None for a walk-in.
    due_at: datetime | None = None

    @property
    def booked(self) -> bool:
        return self.due_at is not None

    # Computed once: the forecast asks each waiting ticket these many times a replay.
    @once
    def line(self) -> tuple[int, Line]:
        if self.due_at is not None:
            return (self.service_id, Line.BOOKED)
        return (self.service_id, Line.PRIORITY if self.priority else Line.NORMAL)

    @once
    def waits_from(self) -> datetime:
        """When its wait began: arrival, or for a booked ticket the later of slot and check-in."""
        if self.due_at is None:
            return self.queued_at
        return max(self.queued_at, self.due_at)

    @once
    def place(self) -> tuple[datetime, int]:
        """Its place in its own line: by arrival, a booked ticket by its slot."""
        return (self.due_at or self.queued_at, self.ticket_id)


@dataclass(frozen=True)
class ServiceSlot:
    service_id: int
    position: int = 0
    weight: int = 1


@dataclass(frozen=True)
class CounterPolicy:
    services: tuple[ServiceSlot, ...]
    mode: ServeMode = ServeMode.ORDER
    # When both wait: `priority_share` priority tickets, then `normal_share` normal ones.
    priority_share: int = 1
    normal_share: int = 1
    ageing_cap: timedelta = timedelta(minutes=30)
    # Due booked tickets called in a row while walk-ins wait, before a walk-in must be called.
    booked_in_row: int = 2

    def __post_init__(self) -> None:
        if self.priority_share < 0 or self.normal_share < 0:
            raise ValueError("priority ratio parts must not be negative")
        if self.booked_in_row < 0:
            raise ValueError("booked tickets in a row must not be negative")
        if self.priority_share + self.normal_share == 0:
            raise ValueError("priority ratio needs at least one non-zero part")
        if any(slot.weight < 1 for slot in self.services):
            raise ValueError("service weights must be at least 1")

    @once
    def service_ids(self) -> frozenset[int]:
        return frozenset(slot.service_id for slot in self.services)


@dataclass(frozen=True)
class CounterMix:
    """What a counter remembers between calls so the ratio and weights hold over a day."""

    # Position in the priority/normal cycle: < priority_share means "a priority ticket is due".
    cycle_pos: int = 0
    # Smooth weighted round-robin credit per service.
    credits: Mapping[int, int] = field(default_factory=dict)
    # Due booked tickets called since the last walk-in while walk-ins waited.
    booked_streak: int = 0


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    mix: CounterMix
    reason: str  # "aged", "booked", "priority", "normal" — kept in the call event for audits


def choose(
    candidates: Iterable[Candidate], policy: CounterPolicy, mix: CounterMix, now: datetime
) -> Choice | None:
    """The ticket this counter should call now, and the counter's mix after calling it."""
    served = policy.service_ids
    eligible = [c for c in candidates if c.service_id in served]
    if not eligible:
        return None

    # Whoever has waited past the cap goes first, oldest first: if anyone has, the oldest has.
    oldest = min(eligible, key=age_key)
    if aged(oldest, policy, now):
        return Choice(oldest, mix, "aged")

    walk_ins = [c for c in eligible if not c.booked]
    booked = [c for c in eligible if c.booked]
    due = [c for c in booked if c.due_at is not None and c.due_at <= now]
    if due and (not walk_ins or mix.booked_streak < policy.booked_in_row):
        # The streak only counts while walk-ins wait, as the priority ratio does.
        streak = mix.booked_streak + 1 if walk_ins else mix.booked_streak
        picked = min(due, key=_slot_key)
        return Choice(picked, replace(mix, booked_streak=streak), "booked")
    if not walk_ins:
        # Only bookings not yet due: the counter would be idle, so the earliest slot comes now.
        return Choice(min(booked, key=_slot_key), mix, "booked")

    priority = [c for c in walk_ins if c.priority]
    normal = [c for c in walk_ins if not c.priority]
    cycle = policy.priority_share + policy.normal_share
    if priority and normal:
        want_priority = mix.cycle_pos % cycle < policy.priority_share
        pool = priority if want_priority else normal
        next_pos = (mix.cycle_pos + 1) % cycle
    else:
        # The ratio only governs the mix while both kinds wait; one kind alone is simply served.
        pool = priority or normal
        next_pos = mix.cycle_pos
    picked, credits = _pick_by_service(pool, policy, mix.credits)
    return Choice(
        picked,
        replace(mix, cycle_pos=next_pos, credits=credits, booked_streak=0),
        "priority" if picked.priority else "normal",
    )


def aged(oldest: Candidate, policy: CounterPolicy, now: datetime) -> bool:
    """The first rule of `choose`: when the counter's oldest waiting ticket (by `age_key`) has
    waited past the ageing cap, it is called, whatever else waits, and the mix stays as it is."""
    return now - oldest.waits_from >= policy.ageing_cap


def age_key(c: Candidate) -> tuple[datetime, int]:
    """Oldest first: by when its wait began, then by id."""
    return (c.waits_from, c.ticket_id)


def _slot_key(c: Candidate) -> tuple[datetime, int]:
    return c.place


def _pick_by_service(
    pool: list[Candidate], policy: CounterPolicy, credits: Mapping[int, int]
) -> tuple[Candidate, Mapping[int, int]]:
    by_service: dict[int, list[Candidate]] = {}
    for c in pool:
        by_service.setdefault(c.service_id, []).append(c)
    slots = [s for s in policy.services if s.service_id in by_service]
    if policy.mode is ServeMode.ORDER:
        # Services sharing a position form one tier and are served first come, first served
        # among themselves (e.g. every ID-card service at counter 2).
        tier = min(s.position for s in slots)
        heads = [c for s in slots if s.position == tier for c in by_service[s.service_id]]
        return min(heads, key=age_key), credits

    # Smooth weighted round robin (as in nginx): only services with someone waiting take part,
    # so an empty service neither gains credit nor blocks the others.
    new = dict(credits)
    total = 0
    for s in slots:
        new[s.service_id] = new.get(s.service_id, 0) + s.weight
        total += s.weight
    best = max(slots, key=lambda s: (new[s.service_id], -s.position, -s.service_id))
    new[best.service_id] -= total
    return min(by_service[best.service_id], key=age_key), new


def call_order(
    candidates: Iterable[Candidate], policy: CounterPolicy, mix: CounterMix, now: datetime
) -> list[Choice]:
    """The waiting tickets in the order this counter would call them, one `choose` after
    another (each call advancing the mix), were it the only counter and nobody else to arrive.
    The first is the ticket Call next takes now; tickets of services it does not serve are left
    out."""
    lines: dict[tuple[int, Line], list[Candidate]] = {}
    for c in sorted(candidates, key=_slot_key, reverse=True):
        if c.service_id in policy.service_ids:
            lines.setdefault(c.line, []).append(c)
    # Only the head of each line (service: normal, priority, booked) can be picked (oldest, or
    # earliest slot, first within a line), so each step weighs the heads alone: a long line
    # costs no more than a short one per call.
    order: list[Choice] = []
    while lines:
        choice = choose([line[-1] for line in lines.values()], policy, mix, now)
        if choice is None:
            break
        key = choice.candidate.line
        lines[key].pop()
        if not lines[key]:
            del lines[key]
        order.append(choice)
        mix = choice.mix
    return order
