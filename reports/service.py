"""Report use cases: seal finished business days into rollups, then summarise any period.

A business day is final once the office's day rollover has run past it (Office.last_business_day
is later): every ticket of it is closed. Such days are "sealed": their transactions are replayed
from the TicketEvent log once and stored (report_transaction, report_day_service). Days not yet
final (today) are replayed from the log on every request. Sealing happens lazily, at the start
of any report request, one day per short write transaction.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter import repository as counter_repo
from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Counter, Office, Service, Staff
from counter.queue.errors import Forbidden, InvalidInput, NotFound
from counter.queue.thai import BE_OFFSET, MONTHS_SHORT, business_day, format_thai_date
from counter.standards import FROM_THE_START, StandardHistory, histories
from counter.unit_of_work import office_transaction
from reports import exports, questionnaire
from reports import fairness as fairness_mod
from reports import repository as repo
from reports import staff as staff_mod
from reports.metrics import ScoreTally, Tally, TransactionRow, yamane
from reports.models import ReportDay
from reports.periods import Period, fiscal, months_of, quarter
from reports.rollup import (
    DEFAULT_THRESHOLDS,
    FACTS_VERSION,
    Built,
    DayCalls,
    DayServiceAgg,
    OfficeClock,
    Thresholds,
    ThresholdsAt,
    TicketRecord,
    build,
    group_counts,
    group_metrics,
    local_day_bounds,
    merge_aggs,
    summarise_overall,
    summarise_services,
    tally_by,
    tally_metrics,
)
from reports.sessions import (
    LOOKBACK,
    CounterInterval,
    SessionRow,
    SessionTotals,
    counter_intervals,
    day_rows,
    open_by_hour,
    sessions_before,
)
from reports.survey import default_items, items_or_default
from reports.text import ERR, T

log = logging.getLogger(__name__)

R = TypeVar("R")

# Days whose events are read in one go while sealing.
SEAL_READ_DAYS = 7


def _err(key: str, **values: object) -> InvalidInput:
    th, en = ERR[key]
    return InvalidInput(th.format(**values), en.format(**values))


@dataclass
class OfficeContext:
    """An office and the names and thresholds every report needs, read once per request."""

    office: Office
    clock: OfficeClock
    services: dict[int, Service]
    counters: dict[int, Counter]
    staff: dict[int, Staff]
    standards: dict[int, StandardHistory]
    thresholds: ThresholdsAt
    last_sealed: date | None
    built_months: set[date] = field(default_factory=set)
    live_cache: dict[tuple[date, date], Built] = field(default_factory=dict)
    # What one request has read or computed already (the evidence pack reuses the summary's).
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @property
    def office_id(self) -> int:
        assert self.office.id is not None
        return self.office.id


class ReportService:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    async def _run(self, fn: Callable[[], R]) -> R:
        return await anyio.to_thread.run_sync(fn)

    async def now(self) -> datetime:
        return self.clock()

    async def today(self, office_id: int) -> date:
        """The office's current business day (its local date)."""

        def read() -> date:
            with self.db.read() as session:
                office = repo.office(session, office_id)
                if office is None:
                    raise NotFound(*ERR["no_office"])
                return business_day(self.clock(), office.timezone)

        return await self._run(read)

    async def options(self, office_id: int) -> dict[str, list[dict[str, Any]]]:
        """Services and counters for the dashboard's filters."""

        def read() -> dict[str, list[dict[str, Any]]]:
            with self.db.read() as session:
                services = counter_repo.services(session, office_id)
                counters = counter_repo.counters(session, office_id)
                return {
                    "services": [
                        {"id": s.id, "name_th": s.name_th, "prefix": s.prefix} for s in services
                    ],
                    "counters": [
                        {"id": c.id, "number": c.number, "name": c.name} for c in counters
                    ],
                }

        return await self._run(read)

    # ----------------------------------------------------------------- sealing

    def seal(self, office_id: int) -> int:
        """Build and store the rollups of every final, unsealed day; returns how many."""
        with self.db.read() as session:
            office = repo.office(session, office_id)
            if office is None:
                raise NotFound(*ERR["no_office"])
            before = office.last_business_day
            if before is None:
                return 0
            # A ticket in service at the day end keeps its day open until staff finish it.
            before = min(before, repo.first_open_day(session, office_id, before) or before)
            after = repo.last_sealed_day(session, office_id)
            restandardised = repo.restandardised_from(session, office_id)
            if self._outdated(session, office_id):
                # Built by older rules: drop them all and build again from the start.
                with office_transaction(self.db, office_id) as (wsession, _):
                    repo.delete_report_days(wsession, office_id)
                after = None
            elif restandardised is not None and after is not None:
                # A standard changed with an earlier effective date: its days are rated again.
                with office_transaction(self.db, office_id) as (wsession, _):
                    repo.unseal_from(wsession, office_id, restandardised)
                after = min(after, restandardised - timedelta(days=1))
            days = repo.ticket_days(session, office_id, after, before)
            clock = office_clock(session, office)
            thresholds = thresholds_at(
                histories(session, list(counter_repo.services(session, office_id)))
            )
            # The first day whose counter sessions are not stored yet.
            pending = after + timedelta(days=1) if after is not None else None
            if pending is None and days:
                first_event = repo.first_counter_event(session, office_id)
                pending = days[0]
                if first_event is not None:
                    pending = min(pending, first_event.astimezone(clock.tz).date())
        sealed = 0
        # Read a few days' events at once (fewer round trips), write each day in its own short
        # transaction (queue writes on SQLite wait behind it).
        for start in range(0, len(days), SEAL_READ_DAYS):
            chunk = days[start : start + SEAL_READ_DAYS]
            assert pending is not None
            with self.db.read() as session:
                records = _records(session, office_id, chunk[0], chunk[-1])
                session_rows = self._session_rows(session, office_id, clock, pending, chunk[-1])
            by_day: dict[date, list[TicketRecord]] = {}
            for record in records:
                by_day.setdefault(record.business_day, []).append(record)
            for day in chunk:
                facts, aggs, calls = build(office_id, by_day.get(day, []), clock, thresholds)
                # This day's counter sessions and those of the days without tickets before it.
                since, pending = pending, day + timedelta(days=1)
                sessions = [
                    r.as_row(office_id) for r in session_rows if since <= r.business_day <= day
                ]
                try:
                    with office_transaction(self.db, office_id) as (session, _):
                        if repo.is_sealed(session, office_id, day):
                            continue
                        repo.save_day(
                            session,
                            office_id,
                            day,
                            facts,
                            [a.as_row() for a in aggs if not a.kind],
                            self.clock(),
                            FACTS_VERSION,
                            [a.as_row() for a in aggs if a.kind],
                            [c.as_row() for c in calls],
                            sessions,
                        )
                    sealed += 1
                except sa.exc.IntegrityError:
                    # Another process sealed the same day first; its rows are the same.
                    log.info("day %s of office %s was sealed concurrently", day, office_id)
        self._build_months(office_id, before)
        return sealed

    def _session_rows(
        self, session: Session, office_id: int, clock: OfficeClock, first: date, last: date
    ) -> list[SessionRow]:
        """The session day rows of the local days first..last, from the counter log."""
        start, end = local_day_bounds(first - LOOKBACK, last, clock.tz)
        # A session closed by the next morning's rollover began before the end; read a day
        # further so it is seen, then clip.
        events = repo.counter_events(session, office_id, start, end + timedelta(days=1))
        intervals = counter_intervals(events, clock, start, end, self.clock())
        return day_rows(intervals, clock.tz, first, last)

    def _build_months(self, office_id: int, before: date) -> None:
        """Merge the days of each finished, sealed month into the month rollup, once."""
        with self.db.read() as session:
            built = repo.built_months(session, office_id)
            start = _next_month(max(built)) if built else date(1900, 1, 1)
            months = sorted(
                {d.replace(day=1) for d in repo.sealed_days_from(session, office_id, start)}
            )
        for month in months:
            last = _next_month(month) - timedelta(days=1)
            if month in built or last >= before:
                continue
            with self.db.read() as session:
                aggs = [
                    DayServiceAgg.from_row(r)
                    for r in repo.day_services(session, [office_id], month, last)
                ] + [
                    DayServiceAgg.from_group_row(r)
                    for r in repo.day_groups(session, office_id, month, last)
                ]
            rows = [a.as_row("month") for a in merge_aggs(office_id, month, aggs)]
            try:
                with office_transaction(self.db, office_id) as (session, _):
                    if month in repo.built_months(session, office_id):
                        continue
                    repo.save_month(session, office_id, month, rows, self.clock(), FACTS_VERSION)
            except sa.exc.IntegrityError:
                log.info("month %s of office %s was built concurrently", month, office_id)

    def _outdated(self, session: Session, office_id: int) -> bool:
        oldest = session.exec(
            select(sa.func.min(ReportDay.version)).where(col(ReportDay.office_id) == office_id)
        ).one()
        return oldest is not None and oldest < FACTS_VERSION

    def _context(self, session: Session, office_id: int) -> OfficeContext:
        office = repo.office(session, office_id)
        if office is None:
            raise NotFound(*ERR["no_office"])
        services = {s.id: s for s in counter_repo.services(session, office_id) if s.id}
        counters = repo.counters_by_id(session, office_id)
        staff = {s.id: s for s in counter_repo.staff_list(session, office_id) if s.id}
        standards = histories(session, list(services.values()))
        return OfficeContext(
            office=office,
            clock=office_clock(session, office),
            services=services,
            counters=counters,
            staff=staff,
            standards=standards,
            thresholds=thresholds_at(standards),
            last_sealed=repo.last_sealed_day(session, office_id),
            built_months=repo.built_months(session, office_id),
        )

    # ----------------------------------------------------------------- data of a period

    def _live(self, session: Session, ctx: OfficeContext, period: Period) -> Built:
        """Facts, aggregates and calls of the period's days that are not sealed, from the
        event log."""
        first = period.first
        if ctx.last_sealed is not None:
            first = max(first, ctx.last_sealed + timedelta(days=1))
        if first > period.last:
            return Built([], [], [])
        key = (first, period.last)
        if key not in ctx.live_cache:
            records = _records(session, ctx.office_id, first, period.last)
            ctx.live_cache[key] = build(ctx.office_id, records, ctx.clock, ctx.thresholds)
        return ctx.live_cache[key]

    def _aggs(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        *,
        daily: bool = False,
        groups: bool = False,
    ) -> list[DayServiceAgg]:
        """The period's day-service aggregates: whole built months from the month rollup
        (unless `daily`, or a standard changed within the month: each day is rated against
        its own standard), the other days from the day rollup, unsealed days from the log.
        With `groups`, the breakdowns' aggregates (kind and key set) instead."""
        key = ("aggs", period.first, period.last, daily, groups)
        if key not in ctx.memo:
            ctx.memo[key] = self._read_aggs(session, ctx, period, daily=daily, groups=groups)
        aggs: list[DayServiceAgg] = ctx.memo[key]
        return aggs

    def _read_aggs(
        self, session: Session, ctx: OfficeContext, period: Period, *, daily: bool, groups: bool
    ) -> list[DayServiceAgg]:
        months: list[date] = []
        ranges: list[tuple[date, date]] = []
        for first, last in months_of(period):
            whole = first.day == 1 and _next_month(first) - timedelta(days=1) == last
            one_standard = not any(h.changes_within(first, last) for h in ctx.standards.values())
            if not daily and whole and first in ctx.built_months and one_standard:
                months.append(first)
            elif ranges and ranges[-1][1] + timedelta(days=1) == first:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
        live = [a for a in self._live(session, ctx, period).aggs if a.kind == ""]
        if groups:
            out = [
                DayServiceAgg.from_group_row(r)
                for r in repo.month_groups(session, ctx.office_id, months)
            ]
            for first, last in ranges:
                out.extend(
                    DayServiceAgg.from_group_row(r)
                    for r in repo.day_groups(session, ctx.office_id, first, last)
                )
            return out + [a for a in self._live(session, ctx, period).aggs if a.kind]
        rows = list(repo.month_services(session, [ctx.office_id], months))
        for first, last in ranges:
            rows.extend(repo.day_services(session, [ctx.office_id], first, last))
        return [DayServiceAgg.from_row(r) for r in rows] + live

    def _rows(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        *,
        service_id: int | None = None,
        counter_id: int | None = None,
    ) -> list[TransactionRow]:
        rows = repo.facts(
            session,
            ctx.office_id,
            period.first,
            period.last,
            service_id=service_id,
            counter_id=counter_id,
        )
        for fact in self._live(session, ctx, period).facts:
            if service_id is not None and fact["service_id"] != service_id:
                continue
            if counter_id is not None and fact["counter_id"] != counter_id:
                continue
            rows.append(_row_of(fact))
        return rows

    # ----------------------------------------------------------------- use cases

    async def summary(
        self, office_id: int, period: Period, *, include_staff: bool = False
    ) -> dict[str, Any]:
        """Metrics per service and overall, durations in seconds (the summary API)."""

        def run() -> dict[str, Any]:
            self.seal(office_id)
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                return self._summary(session, ctx, period, include_staff=include_staff)

        return await self._run(run)

    def summary_sync(self, office_id: int, period: Period) -> dict[str, Any]:
        """The summary without the thread hop (benchmarks and the CLI)."""
        self.seal(office_id)
        with self.db.read() as session:
            ctx = self._context(session, office_id)
            return self._summary(session, ctx, period, include_staff=False)

    def _summarised(
        self, session: Session, ctx: OfficeContext, period: Period
    ) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        """(overall, per service) of a period, once per request."""
        key = ("summarised", period.first, period.last)
        if key not in ctx.memo:
            ctx.memo[key] = summarise_services(self._aggs(session, ctx, period), ctx.thresholds)
        result: tuple[dict[str, Any], dict[int, dict[str, Any]]] = ctx.memo[key]
        return result

    def _summary(
        self, session: Session, ctx: OfficeContext, period: Period, *, include_staff: bool
    ) -> dict[str, Any]:
        overall, per_service = self._summarised(session, ctx, period)
        satisfaction = self._satisfaction(
            session, ctx, period, overall["issued"], include_staff=include_staff
        )
        services = []
        for sid, metrics in per_service.items():
            s = ctx.services.get(sid)
            services.append(
                {
                    "service_id": sid,
                    "code": s.code if s else str(sid),
                    "name_th": s.name_th if s else str(sid),
                    "name_en": s.name_en if s else str(sid),
                    # In force on the period's last day; `standards` lists every version.
                    **_standard_dict(ctx, sid, period.last),
                    **metrics,
                    "satisfaction": satisfaction["by_service"].get(sid),
                }
            )
        services.sort(
            key=lambda x: (
                ctx.services[x["service_id"]].position if x["service_id"] in ctx.services else 0,
                x["service_id"],
            )
        )
        return {
            "office": office_dict(ctx.office),
            "period": period.as_dict(),
            "generated_at": self.clock().isoformat(),
            "units": "seconds",
            "overall": {**overall, "satisfaction": satisfaction["overall"]},
            "services": services,
            "standards": standards_in(ctx, period),
            "satisfaction": {k: v for k, v in satisfaction.items() if k not in ("by_service",)},
        }

    async def compare(self, who: StaffPrincipal, period: Period) -> list[dict[str, Any]]:
        """The province comparison: each office this account may compare, with the overall
        figures of the same summary every other report reads (one engine, one definition)."""

        def run() -> list[dict[str, Any]]:
            with self.db.read() as session:
                offices = {o.id: o for o in repo.offices_shared_with(session, who.staff_id)}
                if who.role in (Role.ADMIN, Role.MANAGER):
                    own = repo.office(session, who.office_id)
                    if own is not None:
                        offices[own.id] = own
            if not offices:
                raise Forbidden(*ERR["province_forbidden"])
            out = []
            for office in sorted(offices.values(), key=lambda o: o.code):
                assert office.id is not None
                self.seal(office.id)
                with self.db.read() as session:
                    ctx = self._context(session, office.id)
                    summary = self._summary(session, ctx, period, include_staff=False)
                out.append({**summary["office"], **summary["overall"]})
            return out

        return await self._run(run)

    async def fairness(
        self, office_id: int, period: Period, *, include_staff: bool = False
    ) -> dict[str, Any]:
        """Calls in policy order per service line, every out-of-order call, priority and
        normal waits (reports/fairness.py)."""

        def run() -> dict[str, Any]:
            self.seal(office_id)
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                return self._fairness(session, ctx, period, include_staff=include_staff)

        return await self._run(run)

    def _fairness(
        self, session: Session, ctx: OfficeContext, period: Period, *, include_staff: bool
    ) -> dict[str, Any]:
        tz = ctx.office.timezone

        def describe(c: fairness_mod.Call) -> dict[str, Any]:
            out = {
                "at_th": format_thai_date(c.at, tz=tz, with_time=True),
                "service_th": _service_name(ctx, c.service_id),
                "counter": _counter_no(ctx, c.counter_id) if c.counter_id else None,
            }
            if include_staff and c.staff_id is not None:
                out["staff"] = _staff_name(ctx, c.staff_id)
            return out

        calls = self._calls(session, ctx, period)
        line_waits: dict[tuple[int, bool], list[Sequence[int]]] = {}
        for a in self._aggs(session, ctx, period, groups=True):
            if a.kind == "line":
                sid, kind = a.key.split(":")
                line_waits.setdefault((int(sid), kind == "p"), []).append(a.waits)
        data = fairness_mod.fairness(
            calls,
            fairness_mod.out_of_order_calls(session, ctx.office_id, calls),
            line_waits,
            service_order=lambda sid: _service_pos(ctx, sid),
            describe=describe,
        )
        for line in data["by_service"]:
            line["name_th"] = _service_name(ctx, line["service_id"])
            s = ctx.services.get(line["service_id"])
            line["code"] = s.code if s else str(line["service_id"])
        return {"period": period.as_dict(), **data}

    def _calls(self, session: Session, ctx: OfficeContext, period: Period) -> list[DayCalls]:
        """The calls of the period's tickets by day, service and reason: the sealed days'
        rollups, the other days from the log."""
        sealed = [
            DayCalls.from_row(r)
            for r in repo.day_calls(session, ctx.office_id, period.first, period.last)
        ]
        return sealed + self._live(session, ctx, period).calls

    async def questionnaires(
        self, office_id: int, period: Period, *, free_text: bool
    ) -> dict[str, Any]:
        """Satisfaction per dimension and item, needs tallies (reports/questionnaire.py)."""

        def run() -> dict[str, Any]:
            with self.db.read() as session:
                return self._questionnaires(session, office_id, period, free_text=free_text)

        return await self._run(run)

    def _questionnaires(
        self,
        session: Session,
        office_id: int,
        period: Period,
        *,
        free_text: bool,
        ctx: OfficeContext | None = None,
    ) -> dict[str, Any]:
        """With `ctx`, the answers' tallies come from the summary's read of the same period."""
        forms = questionnaire.versions(session, office_id, default_items())
        tallies: list[tuple[Any, ...]] | None = None
        if ctx is not None:
            by_item: dict[tuple[int, str], list[int]] = {}
            for version, _sid, _cid, _stid, code, n, total, squares in self._survey_tallies(
                session, ctx, period
            ):
                sums = by_item.setdefault((int(version or 0), code), [0, 0, 0])
                sums[0] += int(n)
                sums[1] += int(total)
                sums[2] += int(squares)
            tallies = [(v, code, *sums) for (v, code), sums in sorted(by_item.items())]
        return {
            "period": period.as_dict(),
            "satisfaction": questionnaire.satisfaction_results(
                session, office_id, period.first, period.last, forms, tallies
            ),
            "needs": questionnaire.needs_results(
                session, office_id, period.first, period.last, forms, free_text=free_text
            ),
        }

    async def staff_assessment(self, office_id: int, period: Period) -> dict[str, Any]:
        """Per staff member (office head only): see reports/staff.py."""

        def run() -> dict[str, Any]:
            self.seal(office_id)
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                return self._staff_assessment(session, ctx, period)

        return await self._run(run)

    def _staff_assessment(
        self, session: Session, ctx: OfficeContext, period: Period
    ) -> dict[str, Any]:
        overall, _ = self._summarised(session, ctx, period)
        satisfaction = self._satisfaction(
            session, ctx, period, overall["issued"], include_staff=True
        )
        sessions = self._sessions(session, ctx, period)
        return {
            "office": office_dict(ctx.office),
            "period": period.as_dict(),
            "generated_at": self.clock().isoformat(),
            "units": "seconds",
            "staff": staff_mod.assessment(
                self._breakdowns(session, ctx, period).counts("staff"),
                sessions.staff_open_s,
                sessions.staff_paused_s,
                satisfaction.get("by_staff", {}),
                lambda sid: _staff_name(ctx, sid),
            ),
        }

    async def dashboard(
        self,
        office_id: int,
        period: Period,
        *,
        service_id: int | None = None,
        counter_id: int | None = None,
        include_staff: bool = False,
    ) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            self.seal(office_id)
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                if service_id is not None and service_id not in ctx.services:
                    raise NotFound(*ERR["unknown_service"])
                if counter_id is not None and counter_id not in ctx.counters:
                    raise NotFound(*ERR["unknown_counter"])
                return self._dashboard(session, ctx, period, service_id, counter_id, include_staff)

        return await self._run(run)

    def _dashboard(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        service_id: int | None,
        counter_id: int | None,
        include_staff: bool,
    ) -> dict[str, Any]:
        th = ctx.thresholds
        # A trend over more than two months reads better by month than by day.
        by_month = period.days > 62

        def bucket(d: date) -> date:
            return d.replace(day=1) if by_month else d

        overall_m: dict[str, Any] | None
        per_service: dict[int, dict[str, Any]]
        by_day: dict[date, dict[str, Any]]
        if counter_id is None:
            # The rollups answer everything without touching the rows (and match the summary
            # API): the service rollups for the totals and trend, the breakdown rollups for the
            # tables, hours and heat map.
            aggs = [
                a
                for a in self._aggs(session, ctx, period, daily=not by_month)
                if service_id is None or a.service_id == service_id
            ]
            if service_id is None and by_month:
                overall_m, per_service = self._summarised(session, ctx, period)
            else:
                overall_m, per_service = summarise_services(aggs, th)
            days: dict[date, list[DayServiceAgg]] = {}
            for a in aggs:
                days.setdefault(bucket(a.business_day), []).append(a)
            by_day = {d: summarise_overall(group, th) for d, group in days.items()}
            if service_id is None:
                parts = self._breakdowns(session, ctx, period)
            else:
                # The breakdowns of one service: from its transaction rows.
                rows = self._rows(session, ctx, period, service_id=service_id)
                parts = breakdowns_from_rows(rows, th)
        else:
            # One counter's figures: from its transaction rows (a small share of the period).
            rows = self._rows(session, ctx, period, service_id=service_id, counter_id=counter_id)
            overall_m = tally_metrics(tally_by(rows, lambda r: 0, th).get(0) or Tally())
            per_service = {
                sid: tally_metrics(t)
                for sid, t in tally_by(rows, lambda r: r.service_id, th).items()
            }
            by_day = {
                d: tally_metrics(t, light=True)
                for d, t in tally_by(rows, lambda r: bucket(r.business_day), th).items()
            }
            parts = breakdowns_from_rows(rows, th)
        if overall_m["issued"] + overall_m["transferred_in"] == 0:
            overall_m = None
        satisfaction = self._satisfaction(
            session,
            ctx,
            period,
            overall_m["issued"] if overall_m else 0,
            include_staff=include_staff,
            service_id=service_id,
            counter_id=counter_id,
        )
        sessions = self._sessions(session, ctx, period)
        open_days = self._open_days(session, ctx, period)
        out: dict[str, Any] = {
            "office": office_dict(ctx.office),
            "period": period.as_dict(),
            "filters": {"service_id": service_id, "counter_id": counter_id},
            "overall": overall_m,
            "services": [
                {
                    "service_id": sid,
                    "name_th": _service_name(ctx, sid),
                    "standard_minutes": _standard_dict(ctx, sid, period.last)["standard_minutes"],
                    **metrics,
                    "satisfaction": satisfaction["by_service"].get(sid),
                }
                for sid, metrics in sorted(
                    per_service.items(), key=lambda kv: _service_pos(ctx, kv[0])
                )
            ],
            **breakdown_tables(ctx, parts, satisfaction),
            "by_hour": [
                {"hour": h, **metrics} for h, metrics in sorted(parts.metrics["hour"].items())
            ],
            "by_day": [
                {"day": d.isoformat(), "label": _trend_label(d, by_month), **metrics}
                for d, metrics in sorted(by_day.items())
            ],
            "trend_unit": "month" if by_month else "day",
            "satisfaction": satisfaction,
            "open_days": len(open_days),
        }
        out["hourly"] = hourly_rows(parts, sessions.open_hours, len(open_days))
        out["heatmap"] = heatmap(parts, open_days)
        out["counter_time"] = self._counter_time(ctx, parts.busy, sessions)
        if include_staff:
            out["staff"] = [
                {
                    "staff_id": sid,
                    "name": _staff_name(ctx, sid),
                    **metrics,
                    "satisfaction": satisfaction.get("by_staff", {}).get(sid),
                }
                for sid, metrics in sorted(parts.metrics["staff"].items())
            ]
        return out

    def _breakdowns(self, session: Session, ctx: OfficeContext, period: Period) -> Breakdowns:
        """The period's breakdowns from the breakdown rollups, once per request."""
        key = ("breakdowns", period.first, period.last)
        if key not in ctx.memo:
            ctx.memo[key] = breakdowns_from_groups(self._aggs(session, ctx, period, groups=True))
        parts: Breakdowns = ctx.memo[key]
        return parts

    def _open_days(self, session: Session, ctx: OfficeContext, period: Period) -> list[date]:
        """The business days the office was open in the period: a ticket was issued or a
        counter was opened (the divisor of every "per day" average)."""
        key = ("open_days", period.first, period.last)
        if key not in ctx.memo:
            days = set(repo.open_days(session, ctx.office_id, period.first, period.last))
            days.update(f["business_day"] for f in self._live(session, ctx, period).facts)
            days.update(self._sessions(session, ctx, period).open_days)
            ctx.memo[key] = sorted(d for d in days if period.first <= d <= period.last)
        open_days: list[date] = ctx.memo[key]
        return open_days

    async def evidence(self, office_id: int, fy: int, *, gecc: bool = False) -> dict[str, Any]:
        """The fiscal year's evidence pack: summary, quarters, months, hours, satisfaction.
        With `gecc`, in the same read, what the sections beyond speed need (reports/gecc.py):
        `fairness`, `staff` (the assessment), `questionnaires`, and the year before's
        `previous` summary, `previous_fairness` and `previous_questionnaires`."""
        period = fiscal(fy)

        def run() -> dict[str, Any]:
            self.seal(office_id)
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                summary = self._summary(session, ctx, period, include_staff=False)
                aggs = self._aggs(session, ctx, period)
                quarters = []
                for q in (1, 2, 3, 4):
                    qp = quarter(fy, q)
                    overall = summarise_overall(
                        [a for a in aggs if qp.first <= a.business_day <= qp.last], ctx.thresholds
                    )
                    quarters.append({"quarter": q, "label_th": qp.label_th, **overall})
                months = []
                for first, last in months_of(period):
                    overall = summarise_overall(
                        [a for a in aggs if first <= a.business_day <= last], ctx.thresholds
                    )
                    months.append(
                        {
                            "month": first.isoformat(),
                            "label_th": _trend_label(first, True),
                            **overall,
                        }
                    )
                # The dashboard's tables the pack shows, from the same rollups.
                parts = self._breakdowns(session, ctx, period)
                satisfaction = self._satisfaction(
                    session, ctx, period, summary["overall"]["issued"], include_staff=False
                )
                sessions = self._sessions(session, ctx, period)
                open_days = self._open_days(session, ctx, period)
                extra: dict[str, Any] = {}
                if gecc:
                    before = fiscal(fy - 1)
                    extra = {
                        "fairness": self._fairness(session, ctx, period, include_staff=False),
                        "staff": self._staff_assessment(session, ctx, period),
                        "questionnaires": self._questionnaires(
                            session, ctx.office_id, period, free_text=False, ctx=ctx
                        ),
                        "previous": self._summary(session, ctx, before, include_staff=False),
                        "previous_fairness": self._fairness(
                            session, ctx, before, include_staff=False
                        ),
                        "previous_questionnaires": self._questionnaires(
                            session, ctx.office_id, before, free_text=False, ctx=ctx
                        ),
                    }
                return {
                    **extra,
                    **summary,
                    "quarters": quarters,
                    "months": months,
                    **breakdown_tables(ctx, parts, satisfaction),
                    "hourly": hourly_rows(parts, sessions.open_hours, len(open_days)),
                    "counter_time": self._counter_time(ctx, parts.busy, sessions),
                    "comments": self._comments(session, ctx, period),
                }

        return await self._run(run)

    # ----------------------------------------------------------------- exports

    async def export(
        self, office_id: int, period: Period, what: str, fmt: str, *, include_staff: bool
    ) -> tuple[Path, str]:
        """A temporary file of the summary or the per-transaction rows; (path, download name)."""
        if fmt not in ("csv", "xlsx") or what not in ("summary", "rows"):
            raise _err("bad_format")
        return await self._run(
            lambda: self.export_sync(office_id, period, what, fmt, include_staff=include_staff)
        )

    def export_sync(
        self, office_id: int, period: Period, what: str, fmt: str, *, include_staff: bool
    ) -> tuple[Path, str]:
        self.seal(office_id)
        fd, name = tempfile.mkstemp(prefix="saduak-report-", suffix=f".{fmt}")
        os.close(fd)
        path = Path(name)
        try:
            with self.db.read() as session:
                ctx = self._context(session, office_id)
                if what == "summary":
                    self._export_summary(session, ctx, period, fmt, path)
                else:
                    self._export_rows(session, ctx, period, fmt, path, include_staff)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        download = f"saduak-{ctx.office.code}-{what}-{period.first}-{period.last}.{fmt}"
        return path, download

    def _export_summary(
        self, session: Session, ctx: OfficeContext, period: Period, fmt: str, path: Path
    ) -> None:
        summary = self._summary(session, ctx, period, include_staff=False)
        rows = exports.summary_rows(summary)
        if fmt == "csv":
            exports.write_csv(path, exports.SUMMARY_HEADER, rows)
            return
        title = f"{ctx.office.name_th} {period.label_th}"
        exports.write_xlsx(
            path,
            [
                ("สรุป Summary", exports.SUMMARY_HEADER, rows, [34] + [12] * 35),
                ("ความพึงพอใจ Satisfaction", None, exports.satisfaction_rows(summary), [60, 10]),
                ("นิยาม Definitions", None, exports.definitions_rows(), [90, 90]),
            ],
            title=title,
            preamble=exports.covers(summary),
        )

    def _export_rows(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        fmt: str,
        path: Path,
        include_staff: bool,
    ) -> None:
        live = self._live(session, ctx, period).facts
        facts = itertools.chain(
            repo.fact_rows_for_export(session, ctx.office_id, period.first, period.last),
            (
                [f[k] for k in repo.EXPORT_FIELDS]
                for f in sorted(live, key=lambda f: (f["business_day"], f["queued_at"]))
            ),
        )
        rows = exports.transaction_rows(
            facts,
            tz=ctx.clock.tz,
            services=ctx.services,
            counters=ctx.counters,
            staff=ctx.staff if include_staff else None,
            for_excel=fmt == "xlsx",
            thresholds=ctx.thresholds,
        )
        header = exports.ROWS_HEADER + ([exports.STAFF_HEADER] if include_staff else [])
        if fmt == "csv":
            exports.write_csv(path, header, rows)
            return
        exports.write_xlsx(
            path,
            [
                (
                    "รายการ Transactions",
                    header,
                    rows,
                    [11, 13, 9, 6, 18, 30] + [12] * 18 + [34, 14],
                ),
                ("นิยาม Definitions", None, exports.definitions_rows(), [90, 90]),
            ],
            title=f"{ctx.office.name_th} {period.label_th}",
        )

    # ----------------------------------------------------------------- satisfaction

    def _satisfaction(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        visitors: int,
        *,
        include_staff: bool,
        service_id: int | None = None,
        counter_id: int | None = None,
    ) -> dict[str, Any]:
        key = ("satisfaction", period.first, period.last, visitors, service_id, counter_id)
        if key not in ctx.memo:
            # Read once with the per-staff figures; those are left out unless asked for.
            ctx.memo[key] = self._read_satisfaction(
                session,
                ctx,
                period,
                visitors,
                include_staff=True,
                service_id=service_id,
                counter_id=counter_id,
            )
        result: dict[str, Any] = ctx.memo[key]
        if include_staff:
            return result
        return {k: v for k, v in result.items() if k != "by_staff"}

    def _read_satisfaction(
        self,
        session: Session,
        ctx: OfficeContext,
        period: Period,
        visitors: int,
        *,
        include_staff: bool,
        service_id: int | None = None,
        counter_id: int | None = None,
    ) -> dict[str, Any]:
        items = items_or_default(repo.survey_items(session, ctx.office_id))
        per_item: dict[str, ScoreTally] = {}
        by_service: dict[int, ScoreTally] = {}
        by_counter: dict[int, ScoreTally] = {}
        by_staff: dict[int, ScoreTally] = {}
        pooled = ScoreTally()
        for _version, sid, cid, stid, code, n, total, squares in self._survey_tallies(
            session, ctx, period
        ):
            if service_id is not None and sid != service_id:
                continue
            if counter_id is not None and cid != counter_id:
                continue
            part = ScoreTally(int(n), int(total), int(squares))
            per_item.setdefault(code, ScoreTally()).merge(part)
            by_service.setdefault(sid, ScoreTally()).merge(part)
            if cid is not None:
                by_counter.setdefault(cid, ScoreTally()).merge(part)
            if stid is not None:
                by_staff.setdefault(stid, ScoreTally()).merge(part)
            pooled.merge(part)
        # People (one response per ticket), beside the item answers of each tally.
        respondents = 0
        people: dict[str, dict[int, int]] = {"service": {}, "counter": {}, "staff": {}}
        for sid, cid, stid, n in repo.survey_respondents(
            session, ctx.office_id, period.first, period.last
        ):
            if (service_id is not None and sid != service_id) or (
                counter_id is not None and cid != counter_id
            ):
                continue
            respondents += int(n)
            for kind, key in (("service", sid), ("counter", cid), ("staff", stid)):
                if key is not None:
                    people[kind][key] = people[kind].get(key, 0) + int(n)

        def group(kind: str, tallies: dict[int, ScoreTally]) -> dict[int, dict[str, Any]]:
            return {
                k: {"respondents": people[kind].get(k, 0), **t.as_dict()}
                for k, t in tallies.items()
            }

        need = yamane(visitors)
        known = {i.code for i in items}
        item_rows = [
            {
                "code": i.code,
                "label_th": i.label_th,
                "label_en": i.label_en,
                **per_item.get(i.code, ScoreTally()).as_dict(),
            }
            for i in items
        ] + [
            # Answers to items since retired stay in the report under their code.
            {"code": code, "label_th": code, "label_en": code, **tally.as_dict()}
            for code, tally in sorted(per_item.items())
            if code not in known
        ]
        out: dict[str, Any] = {
            "respondents": respondents,
            "visitors": visitors,
            "yamane_required": need,
            "sample_ok": respondents >= need,
            "warning_th": None,
            "warning_en": None,
            "items": item_rows,
            "overall": {"respondents": respondents, **pooled.as_dict()},
            "by_service": group("service", by_service),
            "by_counter": group("counter", by_counter),
        }
        if respondents < need:
            th, en = T["sample_warning"]
            out["warning_th"] = th.format(n=respondents, need=need, visitors=visitors)
            out["warning_en"] = en.format(n=respondents, need=need, visitors=visitors)
        if include_staff:
            out["by_staff"] = group("staff", by_staff)
        return out

    def _survey_tallies(
        self, session: Session, ctx: OfficeContext, period: Period
    ) -> Sequence[Any]:
        """The period's answers counted by version, service, counter, staff and item, once per
        request (the summary's satisfaction and the questionnaire results)."""
        key = ("survey_tallies", period.first, period.last)
        if key not in ctx.memo:
            ctx.memo[key] = repo.survey_tallies(session, ctx.office_id, period.first, period.last)
        tallies: Sequence[Any] = ctx.memo[key]
        return tallies

    def _comments(
        self, session: Session, ctx: OfficeContext, period: Period
    ) -> list[dict[str, Any]]:
        return [
            {
                "at": format_thai_date(at, tz=ctx.clock.tz, with_time=True),
                "service": _service_name(ctx, sid),
                "comment": comment,
            }
            for at, sid, comment in repo.survey_comments(
                session, ctx.office_id, period.first, period.last
            )
        ]

    # ----------------------------------------------------------------- counters

    def _sessions(self, session: Session, ctx: OfficeContext, period: Period) -> SessionTotals:
        """The period's counter time: the session rollups of its sealed days, the other days
        from the counter log (once per request)."""
        key = ("sessions", period.first, period.last)
        if key not in ctx.memo:
            totals = SessionTotals()
            first = period.first
            if ctx.last_sealed is not None and ctx.last_sealed >= period.first:
                last = min(period.last, ctx.last_sealed)
                for row in repo.day_sessions(session, ctx.office_id, period.first, last):
                    totals.add(*row)
                totals.open_days.update(
                    repo.session_days(session, ctx.office_id, period.first, last)
                )
                first = last + timedelta(days=1)
            if first <= period.last:
                start, end = local_day_bounds(first - LOOKBACK, period.last, ctx.clock.tz)
                events = repo.counter_events(session, ctx.office_id, start, end + timedelta(days=1))
                intervals = counter_intervals(
                    events,
                    ctx.clock,
                    start,
                    end,
                    self.clock(),
                    sessions_before(ctx.counters, start),
                )
                totals.add_rows(day_rows(intervals, ctx.clock.tz, first, period.last))
            ctx.memo[key] = totals
        sessions: SessionTotals = ctx.memo[key]
        return sessions

    def _counter_time(
        self, ctx: OfficeContext, busy: dict[int, int], sessions: SessionTotals
    ) -> list[dict[str, Any]]:
        out = []
        for cid in sorted(ctx.counters, key=lambda c: ctx.counters[c].number):
            open_s = sessions.open_s.get(cid, 0)
            paused = sessions.paused_s.get(cid, {})
            if not open_s and not busy.get(cid):
                continue
            paused_s = sum(paused.values())
            busy_s = busy.get(cid, 0)
            out.append(
                {
                    "counter_id": cid,
                    "number": ctx.counters[cid].number,
                    "name_th": _counter_name(ctx, cid),
                    "open_s": open_s,
                    "paused_s": paused_s,
                    "paused_by_reason": paused,
                    "busy_s": busy_s,
                    "idle_s": max(0, open_s - paused_s - busy_s),
                }
            )
        return out


# ------------------------------------------------------------------ helpers (pure)


class _Tables(dict[str, dict[Any, dict[str, Any]]]):
    """Breakdown kind -> key -> metrics, each kind's made from its rollups when first asked for
    (the evidence pack shows some tables, the dashboard all)."""

    def __init__(self, groups: dict[str, dict[Any, list[DayServiceAgg]]]) -> None:
        super().__init__()
        self.groups = groups

    def __missing__(self, kind: str) -> dict[Any, dict[str, Any]]:
        table = self[kind] = {k: group_metrics(a) for k, a in self.groups.get(kind, {}).items()}
        return table


@dataclass
class Breakdowns:
    """The dashboard's breakdowns of a period: metrics per counter, staff, priority, outside
    class and arrival hour; the hourly and weekday × hour arrival counts; counter busy time."""

    metrics: dict[str, dict[Any, dict[str, Any]]]
    arrivals: dict[int, int]  # issued tickets by local hour of issue
    served: dict[int, int]  # finished services by local hour of finish
    weekday_hour: dict[tuple[int, int], int]  # issued tickets by weekday and hour
    busy: dict[int, int]  # walk + service seconds of a counter's completed transactions

    def counts(self, kind: str) -> Mapping[Any, Mapping[str, Any]]:
        """A table's counts and verdicts, without its durations' statistics unless made."""
        if kind in self.metrics or not isinstance(self.metrics, _Tables):
            return self.metrics[kind]
        return {k: group_counts(a) for k, a in self.metrics.groups.get(kind, {}).items()}


_TABLE_KINDS = {"counter": int, "staff": int, "priority": str, "outside": str, "hour": int}


def breakdowns_from_groups(groups: Sequence[DayServiceAgg]) -> Breakdowns:
    """From the breakdown rollups (report_day_group / report_month_group and live days)."""
    by_key: dict[tuple[str, str], list[DayServiceAgg]] = {}
    for a in groups:
        by_key.setdefault((a.kind, a.key), []).append(a)
    tables: dict[str, dict[Any, list[DayServiceAgg]]] = {k: {} for k in _TABLE_KINDS}
    parts = Breakdowns(_Tables(tables), {}, {}, {}, {})
    for (kind, key), aggs in by_key.items():
        if kind in _TABLE_KINDS:
            tables[kind][_TABLE_KINDS[kind](key)] = aggs
        if kind == "hour":
            parts.arrivals[int(key)] = sum(a.counts["issued"] for a in aggs)
        elif kind == "end_hour":
            parts.served[int(key)] = sum(a.counts["served"] for a in aggs)
        elif kind == "weekday_hour":
            wd, hour = key.split(":")
            parts.weekday_hour[(int(wd), int(hour))] = sum(a.counts["issued"] for a in aggs)
        elif kind == "counter":
            parts.busy[int(key)] = sum(sum(a.services) + sum(a.walks) for a in aggs)
    return parts


def breakdowns_from_rows(rows: Sequence[TransactionRow], th: ThresholdsAt) -> Breakdowns:
    """The same from transaction rows (one counter's dashboard)."""
    keys: dict[str, Callable[[TransactionRow], Any]] = {
        "counter": lambda r: r.counter_id,
        "staff": lambda r: r.staff_id,
        "priority": lambda r: r.priority or "",
        "outside": lambda r: r.outside,
        "hour": lambda r: r.arrival_hour,
    }
    parts = Breakdowns({}, {}, {}, {}, {})
    for kind, key in keys.items():
        parts.metrics[kind] = {
            k: tally_metrics(t, light=True)
            for k, t in tally_by([r for r in rows if key(r) is not None], key, th).items()
            if not (kind == "outside" and not k)
        }
    for r in rows:
        if r.arrival == "issued":
            parts.arrivals[r.arrival_hour] = parts.arrivals.get(r.arrival_hour, 0) + 1
            wh = (r.weekday, r.arrival_hour)
            parts.weekday_hour[wh] = parts.weekday_hour.get(wh, 0) + 1
        if r.outcome == "done" and r.end_hour is not None:
            parts.served[r.end_hour] = parts.served.get(r.end_hour, 0) + 1
        if r.counter_id is not None and r.service_s is not None:
            parts.busy[r.counter_id] = (
                parts.busy.get(r.counter_id, 0) + r.service_s + (r.walk_s or 0)
            )
    return parts


def breakdown_tables(
    ctx: OfficeContext, parts: Breakdowns, satisfaction: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's tables by counter, priority and outside-hours class."""
    return {
        "counters": [
            {
                "counter_id": cid,
                "name_th": _counter_name(ctx, cid),
                **metrics,
                "satisfaction": satisfaction["by_counter"].get(cid),
            }
            for cid, metrics in sorted(
                parts.metrics["counter"].items(), key=lambda kv: _counter_no(ctx, kv[0])
            )
        ],
        "priority": [
            {"priority": p, **metrics} for p, metrics in sorted(parts.metrics["priority"].items())
        ],
        "outside": [
            {"outside": k, **metrics} for k, metrics in sorted(parts.metrics["outside"].items())
        ],
    }


def hourly(
    parts: Breakdowns, intervals: Sequence[CounterInterval], clock: OfficeClock, open_days: int
) -> list[dict[str, Any]]:
    """Per local hour: average arrivals and served per day the office was open, and average
    open counters."""
    return hourly_rows(parts, open_by_hour(intervals, clock.tz), open_days)


def hourly_rows(
    parts: Breakdowns, open_s: Mapping[int, float], open_days: int
) -> list[dict[str, Any]]:
    """The same from the open counter seconds per local hour (the session rollups)."""
    n_days = max(1, open_days)
    arrivals, served = parts.arrivals, parts.served
    hours = sorted(
        {h for h, n in arrivals.items() if n}
        | set(served)
        | {h for h, s in open_s.items() if s > 0}
    )
    return [
        {
            "hour": h,
            "arrivals_total": arrivals.get(h, 0),
            "served_total": served.get(h, 0),
            "arrivals_per_day": arrivals.get(h, 0) / n_days,
            "served_per_day": served.get(h, 0) / n_days,
            "open_counters": open_s.get(h, 0.0) / 3600 / n_days,
        }
        for h in hours
    ]


def heatmap(parts: Breakdowns, open_days: Sequence[date]) -> dict[str, Any]:
    """Average arrivals per open day for weekday × hour."""
    days_by_weekday = [sum(1 for d in open_days if d.weekday() == wd) for wd in range(7)]
    counts = parts.weekday_hour
    hours = sorted({h for (_, h), n in counts.items() if n}) or list(range(8, 17))
    grid = [
        [counts.get((wd, h), 0) / max(1, days_by_weekday[wd]) for h in hours] for wd in range(7)
    ]
    peak = max((v for row in grid for v in row), default=0.0)
    return {"hours": hours, "grid": grid, "peak": peak, "days": days_by_weekday}


def thresholds_at(standards: dict[int, StandardHistory]) -> ThresholdsAt:
    """The thresholds of a service on a day, from its versioned standards (fast for the many
    services whose standard never changed)."""
    fixed_th = {
        sid: Thresholds(h.versions[0].standard_minutes * 60, h.versions[0].wait_target_minutes * 60)
        for sid, h in standards.items()
        if len(h.versions) == 1
    }
    cache: dict[tuple[int, date], Thresholds] = {}

    def at(service_id: int, day: date) -> Thresholds:
        th = fixed_th.get(service_id)
        if th is not None:
            return th
        th = cache.get((service_id, day))
        if th is None:
            history = standards.get(service_id)
            if history is None:
                return DEFAULT_THRESHOLDS
            v = history.at(day)
            th = cache[(service_id, day)] = Thresholds(
                v.standard_minutes * 60, v.wait_target_minutes * 60
            )
        return th

    return at


def office_clock(session: Session, office: Office) -> OfficeClock:
    assert office.id is not None
    return OfficeClock(
        tz=ZoneInfo(office.timezone),
        opens=office.opens,
        closes=office.closes,
        holidays=frozenset(counter_repo.holidays(session, office.id)),
    )


def office_dict(office: Office) -> dict[str, Any]:
    return {
        "id": office.id,
        "code": office.code,
        "name_th": office.name_th,
        "name_en": office.name_en,
        "timezone": office.timezone,
    }


def _records(session: Session, office_id: int, first: date, last: date) -> list[TicketRecord]:
    return [
        TicketRecord(tid, bday, number, priority, events, booked_for)
        for tid, bday, number, priority, booked_for, events in repo.ticket_events(
            session, office_id, first, last
        )
    ]


def _row_of(fact: dict[str, Any]) -> TransactionRow:
    return TransactionRow(
        fact["ticket_id"],
        fact["transaction_no"],
        fact["business_day"],
        fact["service_id"],
        fact["priority"],
        fact["arrival"],
        fact["outcome"],
        fact["counter_id"],
        fact["staff_id"],
        fact["wait_s"],
        fact["walk_s"],
        fact["service_s"],
        fact["hold_s"],
        fact["total_s"],
        fact["arrival_hour"],
        fact["weekday"],
        fact["end_hour"],
        fact["outside"],
    )


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def _trend_label(d: date, by_month: bool) -> str:
    if by_month:
        return f"{MONTHS_SHORT[d.month - 1]} {d.year + BE_OFFSET}"
    return format_thai_date(d)


def _service_name(ctx: OfficeContext, sid: int) -> str:
    s = ctx.services.get(sid)
    return s.name_th if s else str(sid)


def _standard_dict(ctx: OfficeContext, sid: int, day: date) -> dict[str, int | None]:
    history = ctx.standards.get(sid)
    if history is None:
        return {"standard_minutes": None, "wait_target_minutes": None}
    v = history.at(day)
    return {"standard_minutes": v.standard_minutes, "wait_target_minutes": v.wait_target_minutes}


def standards_in(ctx: OfficeContext, period: Period) -> list[dict[str, Any]]:
    """Every service's standard versions in force at some time in the period, with their dates
    (the evidence pack lists them; a period is rated against each day's own standard)."""
    out = []
    for sid in sorted(ctx.standards, key=lambda s: _service_pos(ctx, s)):
        versions = ctx.standards[sid].versions
        for i, v in enumerate(versions):
            until = (
                versions[i + 1].effective_from - timedelta(days=1)
                if i + 1 < len(versions)
                else None
            )
            if (until is not None and until < period.first) or v.effective_from > period.last:
                continue
            out.append(
                {
                    "service_id": sid,
                    "name_th": _service_name(ctx, sid),
                    "effective_from": (
                        None if v.effective_from <= FROM_THE_START else v.effective_from.isoformat()
                    ),
                    "until": until.isoformat() if until else None,
                    "standard_minutes": v.standard_minutes,
                    "wait_target_minutes": v.wait_target_minutes,
                }
            )
    return out


def _service_pos(ctx: OfficeContext, sid: int) -> tuple[int, int]:
    s = ctx.services.get(sid)
    return (s.position if s else 10**6, sid)


def _counter_name(ctx: OfficeContext, cid: int) -> str:
    c = ctx.counters.get(cid)
    if c is None:
        return str(cid)
    return f"ช่อง {c.number}" + (f" {c.name}" if c.name else "")


def _counter_no(ctx: OfficeContext, cid: int) -> int:
    c = ctx.counters.get(cid)
    return c.number if c else 10**6


def _staff_name(ctx: OfficeContext, sid: int) -> str:
    s = ctx.staff.get(sid)
    return (s.display_name or s.username) if s else str(sid)
