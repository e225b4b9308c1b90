"""The summary of a period (per service and overall), and the evidence beside it that reads the
same engine: fairness (calls in policy order, priority and normal waits), the questionnaire
results, the staff assessment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from counter.queue.thai import format_thai_date
from reports import fairness as fairness_mod
from reports import questionnaire
from reports import staff as staff_mod
from reports.context import (
    counter_no,
    office_dict,
    service_name,
    service_pos,
    staff_name,
    standard_dict,
    standards_in,
)
from reports.periods import Period
from reports.reader import PeriodReader
from reports.survey import default_items


def summary(r: PeriodReader, period: Period, *, include_staff: bool) -> dict[str, Any]:
    """Metrics per service and overall, durations in seconds (the summary API)."""
    overall, per_service = r.summarised(period)
    satisfaction = r.satisfaction(period, overall["issued"], include_staff=include_staff)
    services = []
    for sid, metrics in per_service.items():
        s = r.ctx.services.get(sid)
        services.append(
            {
                "service_id": sid,
                "code": s.code if s else str(sid),
                "name_th": s.name_th if s else str(sid),
                "name_en": s.name_en if s else str(sid),
                # In force on the period's last day; `standards` lists every version.
                **standard_dict(r.ctx, sid, period.last),
                **metrics,
                "satisfaction": satisfaction["by_service"].get(sid),
            }
        )
    services.sort(
        key=lambda x: (
            r.ctx.services[x["service_id"]].position if x["service_id"] in r.ctx.services else 0,
            x["service_id"],
        )
    )
    return {
        "office": office_dict(r.ctx.office),
        "period": period.as_dict(),
        "generated_at": r.clock().isoformat(),
        "units": "seconds",
        "overall": {**overall, "satisfaction": satisfaction["overall"]},
        "services": services,
        "standards": standards_in(r.ctx, period),
        "satisfaction": {k: v for k, v in satisfaction.items() if k not in ("by_service",)},
    }


def fairness(r: PeriodReader, period: Period, *, include_staff: bool) -> dict[str, Any]:
    """Calls in policy order per service line, every out-of-order call, priority and normal
    waits (reports/fairness.py)."""
    tz = r.ctx.office.timezone

    def describe(c: fairness_mod.Call) -> dict[str, Any]:
        out = {
            "at_th": format_thai_date(c.at, tz=tz, with_time=True),
            "service_th": service_name(r.ctx, c.service_id),
            "counter": counter_no(r.ctx, c.counter_id) if c.counter_id else None,
        }
        if include_staff and c.staff_id is not None:
            out["staff"] = staff_name(r.ctx, c.staff_id)
        return out

    calls = r.calls(period)
    line_waits: dict[tuple[int, bool], list[Sequence[int]]] = {}
    for a in r.aggs(period, groups=True):
        if a.kind == "line":
            sid, kind = a.key.split(":")
            line_waits.setdefault((int(sid), kind == "p"), []).append(a.waits)
    data = fairness_mod.fairness(
        calls,
        fairness_mod.out_of_order_calls(r.session, r.ctx.office_id, calls),
        line_waits,
        service_order=lambda sid: service_pos(r.ctx, sid),
        describe=describe,
    )
    for line in data["by_service"]:
        line["name_th"] = service_name(r.ctx, line["service_id"])
        s = r.ctx.services.get(line["service_id"])
        line["code"] = s.code if s else str(line["service_id"])
    return {"period": period.as_dict(), **data}


def questionnaires(
    session: Session,
    office_id: int,
    period: Period,
    *,
    free_text: bool,
    r: PeriodReader | None = None,
) -> dict[str, Any]:
    """Satisfaction per dimension and item, needs tallies (reports/questionnaire.py). With a
    reader, the answers' tallies come from the summary's read of the same period."""
    forms = questionnaire.versions(session, office_id, default_items())
    tallies: list[tuple[Any, ...]] | None = None
    if r is not None:
        by_item: dict[tuple[int, str], list[int]] = {}
        for version, _sid, _cid, _stid, code, n, total, squares in r.survey_tallies(period):
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


def staff_assessment(r: PeriodReader, period: Period) -> dict[str, Any]:
    """Per staff member (office head only): see reports/staff.py."""
    overall, _ = r.summarised(period)
    satisfaction = r.satisfaction(period, overall["issued"], include_staff=True)
    sessions = r.sessions(period)
    return {
        "office": office_dict(r.ctx.office),
        "period": period.as_dict(),
        "generated_at": r.clock().isoformat(),
        "units": "seconds",
        "staff": staff_mod.assessment(
            r.breakdowns(period).counts("staff"),
            sessions.staff_open_s,
            sessions.staff_paused_s,
            satisfaction.get("by_staff", {}),
            lambda sid: staff_name(r.ctx, sid),
        ),
    }
