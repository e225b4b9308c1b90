"""One request's reading of the rollups: for any period of the office, its day-service and
breakdown aggregates (whole months from the month rollups, other days from the day rollups,
days not sealed replayed from the event log), its calls, counter sessions, open days, survey
tallies and satisfaction — each read once per request (the memo of the office context), so a
page that shows a figure twice, or a summary and the figures beside it, reads it once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from counter.queue.thai import format_thai_date
from reports import repository as repo
from reports.breakdowns import Breakdowns, breakdowns_from_groups
from reports.context import (
    OfficeContext,
    next_month,
    read_context,
    row_of,
    service_name,
    ticket_records,
)
from reports.metrics import ScoreTally, TransactionRow, yamane
from reports.periods import Period, months_of
from reports.rollup import (
    Built,
    DayCalls,
    DayServiceAgg,
    build,
    local_day_bounds,
    summarise_services,
)
from reports.sessions import (
    LOOKBACK,
    SessionTotals,
    counter_intervals,
    day_rows,
    sessions_before,
)
from reports.survey import items_or_default
from reports.text import pair


class PeriodReader:
    """Reads periods of one office within one read transaction."""

    def __init__(self, session: Session, ctx: OfficeContext, clock: Callable[[], datetime]) -> None:
        self.session = session
        self.ctx = ctx
        self.clock = clock

    @classmethod
    def of(cls, session: Session, office_id: int, clock: Callable[[], datetime]) -> PeriodReader:
        """A reader of the office (its context read now)."""
        return cls(session, read_context(session, office_id), clock)

    def live(self, period: Period) -> Built:
        """Facts, aggregates and calls of the period's days that are not sealed, from the
        event log."""
        first = period.first
        if self.ctx.last_sealed is not None:
            first = max(first, self.ctx.last_sealed + timedelta(days=1))
        if first > period.last:
            return Built([], [], [])
        key = (first, period.last)
        if key not in self.ctx.live_cache:
            records = ticket_records(self.session, self.ctx.office_id, first, period.last)
            self.ctx.live_cache[key] = build(
                self.ctx.office_id, records, self.ctx.clock, self.ctx.thresholds
            )
        return self.ctx.live_cache[key]

    def aggs(
        self,
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
        if key not in self.ctx.memo:
            self.ctx.memo[key] = self._read_aggs(period, daily=daily, groups=groups)
        aggs: list[DayServiceAgg] = self.ctx.memo[key]
        return aggs

    def _read_aggs(self, period: Period, *, daily: bool, groups: bool) -> list[DayServiceAgg]:
        months: list[date] = []
        ranges: list[tuple[date, date]] = []
        for first, last in months_of(period):
            whole = first.day == 1 and next_month(first) - timedelta(days=1) == last
            one_standard = not any(
                h.changes_within(first, last) for h in self.ctx.standards.values()
            )
            if not daily and whole and first in self.ctx.built_months and one_standard:
                months.append(first)
            elif ranges and ranges[-1][1] + timedelta(days=1) == first:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
        live = [a for a in self.live(period).aggs if a.kind == ""]
        if groups:
            out = [
                DayServiceAgg.from_group_row(r)
                for r in repo.month_groups(self.session, self.ctx.office_id, months)
            ]
            for first, last in ranges:
                out.extend(
                    DayServiceAgg.from_group_row(r)
                    for r in repo.day_groups(self.session, self.ctx.office_id, first, last)
                )
            return out + [a for a in self.live(period).aggs if a.kind]
        rows = list(repo.month_services(self.session, [self.ctx.office_id], months))
        for first, last in ranges:
            rows.extend(repo.day_services(self.session, [self.ctx.office_id], first, last))
        return [DayServiceAgg.from_row(r) for r in rows] + live

    def rows(
        self,
        period: Period,
        *,
        service_id: int | None = None,
        counter_id: int | None = None,
    ) -> list[TransactionRow]:
        rows = repo.facts(
            self.session,
            self.ctx.office_id,
            period.first,
            period.last,
            service_id=service_id,
            counter_id=counter_id,
        )
        for fact in self.live(period).facts:
            if service_id is not None and fact["service_id"] != service_id:
                continue
            if counter_id is not None and fact["counter_id"] != counter_id:
                continue
            rows.append(row_of(fact))
        return rows

    def summarised(self, period: Period) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        """(overall, per service) of a period, once per request."""
        key = ("summarised", period.first, period.last)
        if key not in self.ctx.memo:
            self.ctx.memo[key] = summarise_services(self.aggs(period), self.ctx.thresholds)
        result: tuple[dict[str, Any], dict[int, dict[str, Any]]] = self.ctx.memo[key]
        return result

    def calls(self, period: Period) -> list[DayCalls]:
        """The calls of the period's tickets by day, service and reason: the sealed days'
        rollups, the other days from the log."""
        sealed = [
            DayCalls.from_row(r)
            for r in repo.day_calls(self.session, self.ctx.office_id, period.first, period.last)
        ]
        return sealed + self.live(period).calls

    def sessions(self, period: Period) -> SessionTotals:
        """The period's counter time: the session rollups of its sealed days, the other days
        from the counter log (once per request)."""
        key = ("sessions", period.first, period.last)
        if key not in self.ctx.memo:
            totals = SessionTotals()
            first = period.first
            if self.ctx.last_sealed is not None and self.ctx.last_sealed >= period.first:
                last = min(period.last, self.ctx.last_sealed)
                for row in repo.day_sessions(self.session, self.ctx.office_id, period.first, last):
                    totals.add(*row)
                totals.open_days.update(
                    repo.session_days(self.session, self.ctx.office_id, period.first, last)
                )
                first = last + timedelta(days=1)
            if first <= period.last:
                start, end = local_day_bounds(first - LOOKBACK, period.last, self.ctx.clock.tz)
                events = repo.counter_events(
                    self.session, self.ctx.office_id, start, end + timedelta(days=1)
                )
                intervals = counter_intervals(
                    events,
                    self.ctx.clock,
                    start,
                    end,
                    self.clock(),
                    sessions_before(self.ctx.counters, start),
                )
                totals.add_rows(day_rows(intervals, self.ctx.clock.tz, first, period.last))
            self.ctx.memo[key] = totals
        sessions: SessionTotals = self.ctx.memo[key]
        return sessions

    def open_days(self, period: Period) -> list[date]:
        """The business days the office was open in the period: a ticket was issued or a
        counter was opened (the divisor of every "per day" average)."""
        key = ("open_days", period.first, period.last)
        if key not in self.ctx.memo:
            days = set(repo.open_days(self.session, self.ctx.office_id, period.first, period.last))
            days.update(f["business_day"] for f in self.live(period).facts)
            days.update(self.sessions(period).open_days)
            self.ctx.memo[key] = sorted(d for d in days if period.first <= d <= period.last)
        open_days: list[date] = self.ctx.memo[key]
        return open_days

    def breakdowns(self, period: Period) -> Breakdowns:
        """The period's breakdowns from the breakdown rollups, once per request."""
        key = ("breakdowns", period.first, period.last)
        if key not in self.ctx.memo:
            self.ctx.memo[key] = breakdowns_from_groups(self.aggs(period, groups=True))
        parts: Breakdowns = self.ctx.memo[key]
        return parts

    def survey_tallies(self, period: Period) -> Sequence[Any]:
        """The period's answers counted by version, service, counter, staff and item, once per
        request (the summary's satisfaction and the questionnaire results)."""
        key = ("survey_tallies", period.first, period.last)
        if key not in self.ctx.memo:
            self.ctx.memo[key] = repo.survey_tallies(
                self.session, self.ctx.office_id, period.first, period.last
            )
        tallies: Sequence[Any] = self.ctx.memo[key]
        return tallies

    def satisfaction(
        self,
        period: Period,
        visitors: int,
        *,
        include_staff: bool,
        service_id: int | None = None,
        counter_id: int | None = None,
    ) -> dict[str, Any]:
        key = ("satisfaction", period.first, period.last, visitors, service_id, counter_id)
        if key not in self.ctx.memo:
            # Read once with the per-staff figures; those are left out unless asked for.
            self.ctx.memo[key] = self._read_satisfaction(period, visitors, service_id, counter_id)
        result: dict[str, Any] = self.ctx.memo[key]
        if include_staff:
            return result
        return {k: v for k, v in result.items() if k != "by_staff"}

    def _read_satisfaction(
        self, period: Period, visitors: int, service_id: int | None, counter_id: int | None
    ) -> dict[str, Any]:
        """Per item, service, counter and staff member: respondents and answers' tallies."""
        items = items_or_default(repo.survey_items(self.session, self.ctx.office_id))
        per_item: dict[str, ScoreTally] = {}
        by_service: dict[int, ScoreTally] = {}
        by_counter: dict[int, ScoreTally] = {}
        by_staff: dict[int, ScoreTally] = {}
        pooled = ScoreTally()
        for _version, sid, cid, stid, code, n, total, squares in self.survey_tallies(period):
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
            self.session, self.ctx.office_id, period.first, period.last
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
            out["warning_th"], out["warning_en"] = pair(
                "sample_warning", n=respondents, need=need, visitors=visitors
            )
        out["by_staff"] = group("staff", by_staff)
        return out

    def comments(self, period: Period) -> list[dict[str, Any]]:
        return [
            {
                "at": format_thai_date(at, tz=self.ctx.clock.tz, with_time=True),
                "service": service_name(self.ctx, sid),
                "comment": comment,
            }
            for at, sid, comment in repo.survey_comments(
                self.session, self.ctx.office_id, period.first, period.last
            )
        ]
