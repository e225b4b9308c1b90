"""The dashboard of a period: totals and trend, tables by service, counter, priority, outside
hours, hour and staff member, the hourly profile, heat map and counter time — from the rollups
(one counter's figures from its transaction rows); and the evidence pack's figures of speed,
which are the same summary and tables of the fiscal year with its quarters and months."""

from __future__ import annotations

from datetime import date
from typing import Any

from reports.breakdowns import (
    breakdown_tables,
    breakdowns_from_rows,
    counter_time,
    heatmap,
    hourly_rows,
)
from reports.context import (
    office_dict,
    service_name,
    service_pos,
    staff_name,
    standard_dict,
    trend_label,
)
from reports.metrics import Tally
from reports.periods import Period, fiscal, months_of, quarter
from reports.reader import PeriodReader
from reports.rollup import (
    DayServiceAgg,
    summarise_overall,
    summarise_services,
    tally_by,
    tally_metrics,
)
from reports.summary import fairness, questionnaires, staff_assessment, summary


def dashboard(
    r: PeriodReader,
    period: Period,
    service_id: int | None,
    counter_id: int | None,
    include_staff: bool,
) -> dict[str, Any]:
    """Everything the dashboard shows of a period, optionally of one service or counter."""
    th = r.ctx.thresholds
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
            for a in r.aggs(period, daily=not by_month)
            if service_id is None or a.service_id == service_id
        ]
        if service_id is None and by_month:
            overall_m, per_service = r.summarised(period)
        else:
            overall_m, per_service = summarise_services(aggs, th)
        days: dict[date, list[DayServiceAgg]] = {}
        for a in aggs:
            days.setdefault(bucket(a.business_day), []).append(a)
        by_day = {d: summarise_overall(group, th) for d, group in days.items()}
        if service_id is None:
            parts = r.breakdowns(period)
        else:
            # The breakdowns of one service: from its transaction rows.
            rows = r.rows(period, service_id=service_id)
            parts = breakdowns_from_rows(rows, th)
    else:
        # One counter's figures: from its transaction rows (a small share of the period).
        rows = r.rows(period, service_id=service_id, counter_id=counter_id)
        overall_m = tally_metrics(tally_by(rows, lambda r: 0, th).get(0) or Tally())
        per_service = {
            sid: tally_metrics(t) for sid, t in tally_by(rows, lambda r: r.service_id, th).items()
        }
        by_day = {
            d: tally_metrics(t, light=True)
            for d, t in tally_by(rows, lambda r: bucket(r.business_day), th).items()
        }
        parts = breakdowns_from_rows(rows, th)
    if overall_m["issued"] + overall_m["transferred_in"] == 0:
        overall_m = None
    satisfaction = r.satisfaction(
        period,
        overall_m["issued"] if overall_m else 0,
        include_staff=include_staff,
        service_id=service_id,
        counter_id=counter_id,
    )
    sessions = r.sessions(period)
    open_days = r.open_days(period)
    out: dict[str, Any] = {
        "office": office_dict(r.ctx.office),
        "period": period.as_dict(),
        "filters": {"service_id": service_id, "counter_id": counter_id},
        "overall": overall_m,
        "services": [
            {
                "service_id": sid,
                "name_th": service_name(r.ctx, sid),
                "standard_minutes": standard_dict(r.ctx, sid, period.last)["standard_minutes"],
                **metrics,
                "satisfaction": satisfaction["by_service"].get(sid),
            }
            for sid, metrics in sorted(
                per_service.items(), key=lambda kv: service_pos(r.ctx, kv[0])
            )
        ],
        **breakdown_tables(r.ctx, parts, satisfaction),
        "by_hour": [{"hour": h, **metrics} for h, metrics in sorted(parts.metrics["hour"].items())],
        "by_day": [
            {"day": d.isoformat(), "label": trend_label(d, by_month), **metrics}
            for d, metrics in sorted(by_day.items())
        ],
        "trend_unit": "month" if by_month else "day",
        "satisfaction": satisfaction,
        "open_days": len(open_days),
    }
    out["hourly"] = hourly_rows(parts, sessions.open_hours, len(open_days))
    out["heatmap"] = heatmap(parts, open_days)
    out["counter_time"] = counter_time(r.ctx, parts.busy, sessions)
    if include_staff:
        out["staff"] = [
            {
                "staff_id": sid,
                "name": staff_name(r.ctx, sid),
                **metrics,
                "satisfaction": satisfaction.get("by_staff", {}).get(sid),
            }
            for sid, metrics in sorted(parts.metrics["staff"].items())
        ]
    return out


def evidence(r: PeriodReader, fy: int, *, gecc: bool) -> dict[str, Any]:
    """The fiscal year's evidence pack: summary, quarters, months, the dashboard's tables by
    counter, priority and outside hours, hours, counter time, comments. With `gecc`, in the
    same read, what the sections beyond speed need (reports/gecc.py): `fairness`, `staff` (the
    assessment), `questionnaires`, and the year before's `previous` summary,
    `previous_fairness` and `previous_questionnaires`."""
    period = fiscal(fy)
    ctx = r.ctx
    data = summary(r, period, include_staff=False)
    aggs = r.aggs(period)
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
        months.append({"month": first.isoformat(), "label_th": trend_label(first, True), **overall})
    # The dashboard's tables the pack shows, from the same rollups.
    parts = r.breakdowns(period)
    satisfaction = r.satisfaction(period, data["overall"]["issued"], include_staff=False)
    sessions = r.sessions(period)
    open_days = r.open_days(period)
    extra: dict[str, Any] = {}
    if gecc:
        before = fiscal(fy - 1)
        extra = {
            "fairness": fairness(r, period, include_staff=False),
            "staff": staff_assessment(r, period),
            "questionnaires": questionnaires(
                r.session, ctx.office_id, period, free_text=False, r=r
            ),
            "previous": summary(r, before, include_staff=False),
            "previous_fairness": fairness(r, before, include_staff=False),
            "previous_questionnaires": questionnaires(
                r.session, ctx.office_id, before, free_text=False, r=r
            ),
        }
    return {
        **extra,
        **data,
        "quarters": quarters,
        "months": months,
        **breakdown_tables(ctx, parts, satisfaction),
        "hourly": hourly_rows(parts, sessions.open_hours, len(open_days)),
        "counter_time": counter_time(ctx, parts.busy, sessions),
        "comments": r.comments(period),
    }
