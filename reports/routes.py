"""Reports for managers: dashboard, evidence pack, exports, summary API; the citizen survey."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any, TypeGuard
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request, WebSocket
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from counter.auth import DeviceKind, DevicePrincipal, Role, StaffPrincipal
from counter.db import Database
from counter.feed import (
    Channel,
    FeedHub,
    OfficeFeed,
    Peer,
    Snapshot,
    WebSocketSink,
    dumps,
    receive_json,
    same_origin,
)
from counter.models import OfficeSettings
from counter.pages import PageForbidden, PageManager, PageViewer, render_page
from counter.queue.errors import DomainError, Forbidden, InvalidInput, TooManyRequests
from counter.queue.thai import (
    fiscal_year,
    format_thai_date,
    format_thai_date_long,
    to_thai_digits,
)
from counter.ratelimit import RateLimiter
from counter.ui import csrf_token_for, mount_static, templates_for
from counter.web import (
    SESSION_COOKIE,
    Authenticator,
    CurrentManager,
    CurrentStaff,
    Principal,
    forbidden,
    get_principal,
)
from reports import gecc, periods
from reports.metrics import KPI_TARGETS
from reports.schemas import CounterSurveyIn, NeedsFormIn, NeedsIn, SurveyIn, SurveyItemsIn
from reports.sections import add_sections
from reports.service import ReportService
from reports.survey import Item, SurveyService
from reports.text import (
    BANDS,
    DEFINITIONS,
    DIMENSIONS,
    OUTCOME,
    OUTSIDE,
    PAUSE_REASON,
    PERIOD_KINDS,
    PRIORITY,
    SCALE,
    WEEKDAYS,
    T,
    err,
)

router = APIRouter()

HERE = FilePath(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_URL = "/static/reports"
templates = templates_for(HERE)


def _number(value: Any) -> float | None:
    # Missing parts of the data (no answers yet, an empty group) show as a dash.
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _mins(seconds: Any) -> str:
    v = _number(seconds)
    return "–" if v is None else f"{v / 60:,.1f}"


def _pct(value: Any) -> str:
    v = _number(value)
    return "–" if v is None else f"{v:.1f}"


def _dec2(value: Any) -> str:
    v = _number(value)
    return "–" if v is None else f"{v:.2f}"


def _hours(seconds: Any) -> str:
    v = _number(seconds)
    return "–" if v is None else f"{v / 3600:,.1f}"


def _num(value: Any) -> str:
    v = _number(value)
    return "–" if v is None else f"{v:,.0f}"


def _tone(value: Any, target: float) -> str:
    """A KPI tile's class: good at or above its target, warn below, plain without a value."""
    v = _number(value)
    if v is None:
        return ""
    return "good" if v >= target else "warn"


async def _kpi_targets(request: Request, office_id: int) -> dict[str, float]:
    """What the KPI tiles are coloured against: the office's targets (Admin → Office), and
    the default for the share of waits within target, which has no setting."""
    options = await gecc.office_options(request.app.state.db, office_id)
    return {
        **KPI_TARGETS,
        "satisfaction_pct": options.satisfaction_target_pct,
        "within_standard_pct": options.within_standard_target_pct,
    }


def _thai_day(value: Any) -> str:
    return format_thai_date(date.fromisoformat(value)) if value else "–"


def _fmt_value(value: Any, unit: str) -> str:
    if unit == "count":
        return _num(value)
    v = _number(value)
    if unit == "per_1000":
        return "–" if v is None else f"{v:,.2f}"
    if unit == "minutes":
        return "–" if v is None else f"{v:,.1f}"
    return _pct(value)


# The usual แปลผล of a 5-level mean: 4.21–5.00 มากที่สุด, 3.41–4.20 มาก, 2.61–3.40 ปานกลาง,
# 1.81–2.60 น้อย, 1.00–1.80 น้อยที่สุด (THAI-TERMS.md).
# The level's words are the scale's own (reports/text.py SCALE), highest first.
LEVELS = list(zip((4.205, 3.405, 2.605, 1.805, 0.0), (th for _, th, _ in SCALE), strict=True))


def _level(mean: Any) -> str:
    v = _number(mean)
    if v is None:
        return "–"
    return next(th for floor, th in LEVELS if v >= floor)


templates.env.filters.update(
    mins=_mins,
    pct=_pct,
    dec2=_dec2,
    hours=_hours,
    num=_num,
    thai_day=_thai_day,
    fmt_value=_fmt_value,
    tone=_tone,
)
templates.env.globals.update(level=_level, zip=zip)


def get_reports(request: Request) -> ReportService:
    return ReportService(request.app.state.db, request.app.state.queue.clock)


def get_survey(request: Request) -> SurveyService:
    return SurveyService(request.app.state.work)


ReportsDep = Annotated[ReportService, Depends(get_reports)]
SurveyDep = Annotated[SurveyService, Depends(get_survey)]
Text = Annotated[str | None, Query(max_length=40)]


def is_office_head(staff: StaffPrincipal) -> bool:
    """Per-staff figures are for the office head only (PDPA): the manager role. The admin role is
    the system administrator, who runs the system but does not assess colleagues."""
    return staff.role == Role.MANAGER


# ------------------------------------------------------------------ JSON API


@router.get("/api/v1/reports/summary", tags=["reports"])
async def summary(
    request: Request,
    manager: CurrentManager,
    reports: ReportsDep,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Text = None,
) -> JSONResponse:
    """Metrics per service and overall for a date range (YYYY-MM-DD, CE, inclusive), in seconds;
    with `complaints` (the complaint register's figures for the same days)."""
    if not from_ or not to:
        raise InvalidInput(*err("range_missing"))
    period = periods.custom(periods.parse_date(from_), periods.parse_date(to))
    data = await reports.summary(manager.office_id, period, include_staff=is_office_head(manager))
    await add_sections(request.app.state, data, manager.office_id, period.first, period.last)
    return JSONResponse(data)


@router.get("/api/v1/reports/fairness", tags=["reports"])
async def fairness(request: Request, manager: CurrentManager, reports: ReportsDep) -> JSONResponse:
    """Fairness evidence for the period in the query (as /reports): per service line the calls
    in policy order (call-next's reason aged / priority / normal) against out-of-order calls,
    every out-of-order call with its recorded reason, and priority vs normal waits (seconds)."""
    period = await _period(request, reports, manager.office_id)
    return JSONResponse(
        await reports.fairness(manager.office_id, period, include_staff=is_office_head(manager))
    )


def _office_head_only(staff: StaffPrincipal) -> None:
    if not is_office_head(staff):
        raise forbidden(*err("office_head_only"))


@router.get("/api/v1/reports/staff", tags=["reports"])
async def staff_assessment(
    request: Request, manager: CurrentManager, reports: ReportsDep
) -> JSONResponse:
    """Staff assessment for the office head only (`from`, `to` as YYYY-MM-DD, or any period of
    /reports): per staff member transactions served, % within the service's standard,
    satisfaction of the tickets they served (respondents), no-show and transfer rates, time open
    and paused by reason (seconds)."""
    _office_head_only(manager)
    period = await _period(request, reports, manager.office_id)
    return JSONResponse(await reports.staff_assessment(manager.office_id, period))


@router.get("/api/v1/reports/dashboard", tags=["reports"])
async def dashboard_data(
    request: Request,
    manager: CurrentManager,
    reports: ReportsDep,
    service: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    counter: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> JSONResponse:
    """Everything the dashboard shows, for the period in the query (see /reports)."""
    period = await _period(request, reports, manager.office_id)
    data = await reports.dashboard(
        manager.office_id,
        period,
        service_id=service,
        counter_id=counter,
        include_staff=is_office_head(manager),
    )
    return JSONResponse(data)


@router.get("/api/v1/reports/export", tags=["reports"])
async def export(
    request: Request,
    manager: CurrentManager,
    reports: ReportsDep,
    what: Annotated[str, Query(max_length=10)] = "summary",
    format: Annotated[str, Query(max_length=5)] = "xlsx",
) -> FileResponse:
    """The period's summary or its per-transaction rows as CSV (UTF-8) or XLSX."""
    period = await _period(request, reports, manager.office_id)
    path, name = await reports.export(
        manager.office_id, period, what, format, include_staff=is_office_head(manager)
    )
    media = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        path, media_type=media, filename=name, background=BackgroundTask(path.unlink, True)
    )


@router.get("/api/v1/province/compare", tags=["province"])
async def province_compare(
    who: CurrentStaff,
    reports: ReportsDep,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Text = None,
) -> JSONResponse:
    """Key metrics of every office this account may compare (its own for a manager or admin,
    and those shared with it), from the same engine as the summary; default this month."""
    period = await _compare_period(reports, who.office_id, from_, to)
    offices = await reports.compare(who, period)
    return JSONResponse({"period": period.as_dict(), "offices": offices})


async def _compare_period(
    reports: ReportService, office_id: int, first: str | None, last: str | None
) -> periods.Period:
    today = await reports.today(office_id)
    return periods.custom(
        periods.parse_date(first) if first else today.replace(day=1),
        periods.parse_date(last) if last else today,
    )


@router.get("/api/v1/survey-items", tags=["survey"])
async def survey_items(manager: CurrentManager, survey: SurveyDep) -> dict[str, Any]:
    """The office's satisfaction items (retired ones too) and the GECC dimensions they go in."""
    return {
        "items": await survey.items(manager.office_id),
        "dimensions": [
            {"code": code, "label_th": th, "label_en": en} for code, th, en in DIMENSIONS
        ],
    }


@router.put("/api/v1/survey-items", tags=["survey"])
async def set_survey_items(
    body: SurveyItemsIn, manager: CurrentManager, survey: SurveyDep
) -> dict[str, Any]:
    """Replace the office's survey items (in order); items left out are retired, not deleted."""
    items = [
        Item(i.code, i.label_th, i.label_en, n, i.active, i.dimension or "")
        for n, i in enumerate(body.items)
    ]
    return {"items": await survey.set_items(manager.office_id, items)}


@router.get("/api/v1/survey-needs", tags=["survey"])
async def needs_questions(manager: CurrentManager, survey: SurveyDep) -> dict[str, Any]:
    """The office's needs survey: its questions, version and how often it is offered."""
    return await survey.needs_form(manager.office_id)


@router.put("/api/v1/survey-needs", tags=["survey"])
async def set_needs_questions(
    body: NeedsFormIn, manager: CurrentManager, survey: SurveyDep
) -> dict[str, Any]:
    """Replace the needs survey (a new version; answers keep theirs). `every`: offer it to
    every Nth satisfaction respondent (0: only on its own link, /needs?office=CODE)."""
    questions = [q.model_dump() for q in body.questions]
    return await survey.set_needs(manager.office_id, questions, body.every)


@router.post("/api/v1/needs", tags=["survey"], status_code=201)
async def needs_answer(body: NeedsIn, request: Request, survey: SurveyDep) -> dict[str, Any]:
    """Answer the needs survey (public, anonymous): `office` code or the `ticket` status token,
    `answers` {question: [choices]}, `free_text`. Limited per source address."""
    if not _needs_limiter(request).allow(request.client.host if request.client else ""):
        raise TooManyRequests(*err("needs_too_many"))
    return await survey.answer_needs(body.office, body.ticket, body.answers, body.free_text)


@router.get("/api/v1/reports/survey", tags=["reports"])
async def survey_results(
    request: Request, manager: CurrentManager, reports: ReportsDep
) -> JSONResponse:
    """Questionnaire results for the period (as /reports): satisfaction per GECC dimension and
    item (respondents, answers, mean, SD, %), answers per form version, needs tallies; the
    free text for the office head only."""
    period = await _period(request, reports, manager.office_id)
    return JSONResponse(
        await reports.questionnaires(manager.office_id, period, free_text=is_office_head(manager))
    )


def is_counter_tablet(principal: object) -> TypeGuard[Principal]:
    """A counter tablet is a signed-in staff member or a paired display screen; a kiosk is not."""
    return isinstance(principal, StaffPrincipal) or (
        isinstance(principal, DevicePrincipal) and principal.kind is DeviceKind.DISPLAY
    )


async def get_counter_tablet(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not is_counter_tablet(principal):
        raise forbidden(*err("counter_survey_device"))
    return principal


CounterTablet = Annotated[Principal, Depends(get_counter_tablet)]


@router.get("/api/v1/survey/counter/{number}", tags=["survey"])
async def counter_survey(
    number: Annotated[int, Path(ge=1, le=9999)], who: CounterTablet, survey: SurveyDep
) -> Response:
    """The open survey of the ticket this counter finished last (204 when there is none)."""
    current = await survey.counter_current(who.office_id, number)
    return Response(status_code=204) if current is None else JSONResponse(current)


@router.post("/api/v1/survey/counter/{number}", tags=["survey"], status_code=201)
async def counter_survey_answer(
    number: Annotated[int, Path(ge=1, le=9999)],
    body: CounterSurveyIn,
    who: CounterTablet,
    survey: SurveyDep,
) -> dict[str, Any]:
    """Answer on the counter tablet: only for the ticket this counter finished last (409 when
    `ticket_id` is not that ticket, or it was answered already)."""
    result = await survey.answer_at_counter(
        who.office_id, number, body.ticket_id, dict(body.answers), body.comment
    )
    th, en = T["survey_thanks"]
    return {**result, "message_th": th, "message_en": en}


@router.get("/api/v1/survey/{token}", tags=["survey"])
async def survey_form(
    token: Annotated[str, Path(max_length=64)], survey: SurveyDep
) -> dict[str, Any]:
    """The survey of a ticket (public, by its status token): state open | answered |
    not_finished | expired, the ticket, the items and the 5-level scale."""
    return await survey.form(token)


@router.post("/api/v1/survey/{token}", tags=["survey"], status_code=201)
async def survey_answer(
    token: Annotated[str, Path(max_length=64)], body: SurveyIn, survey: SurveyDep
) -> dict[str, Any]:
    """Answer once, after the ticket is finished: 409 if not finished or already answered."""
    result = await survey.answer(token, dict(body.answers), body.comment)
    th, en = T["survey_thanks"]
    return {**result, "message_th": th, "message_en": en}


# ------------------------------------------------------------------ pages


async def _period(request: Request, reports: ReportsDep, office_id: int) -> periods.Period:
    q = request.query_params
    today = await reports.today(office_id)
    for key in ("period", "on", "from", "to", "fy", "q"):
        if len(q.get(key, "")) > 40:
            raise InvalidInput(*err("too_long", key=key))
    return periods.resolve(
        q.get("period") or None,
        today,
        on=q.get("on") or None,
        first=q.get("from") or None,
        last=q.get("to") or None,
        fy=q.get("fy") or None,
        q=q.get("q") or None,
    )


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return render_page(
        templates,
        request,
        name,
        {
            "T": T,
            "static": STATIC_URL,
            "BANDS": BANDS,
            "OUTCOME": OUTCOME,
            "OUTSIDE": OUTSIDE,
            "PRIORITY": PRIORITY,
            "PAUSE": PAUSE_REASON,
            "WEEKDAYS": WEEKDAYS,
            "DEFINITIONS": DEFINITIONS,
            "SCALE": SCALE,
            "PERIOD_KINDS": PERIOD_KINDS,
            **context,
        },
        status_code=status_code,
    )


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
async def dashboard_page(request: Request, viewer: PageManager, reports: ReportsDep) -> Response:
    staff = viewer.staff
    q = request.query_params
    try:
        period = await _period(request, reports, staff.office_id)
        service = _int(q.get("service"))
        counter = _int(q.get("counter"))
        data = await reports.dashboard(
            staff.office_id,
            period,
            service_id=service,
            counter_id=counter,
            include_staff=is_office_head(staff),
        )
        await add_sections(request.app.state, data, staff.office_id, period.first, period.last)
        options = await reports.options(staff.office_id)
    except DomainError as exc:
        return _render(request, "reports/error.html", {"error": exc}, status_code=422)
    today = await reports.today(staff.office_id)
    return _render(
        request,
        "reports/dashboard.html",
        {
            "csrf_token": viewer.csrf_token,
            "staff": staff,
            "d": data,
            "data_json": _script_json(_chart_data(data)),
            "period": period,
            "q": dict(q),
            "options": options,
            "service": service,
            "counter": counter,
            "office_head": is_office_head(staff),
            "nav": _nav(period, q),
            "fy_now": fiscal_year(today),
            "generated": format_thai_date(await reports.now(), with_time=True),
            "query": str(request.url.query),
            "kpi": await _kpi_targets(request, staff.office_id),
        },
    )


@router.get("/reports/evidence", response_class=HTMLResponse, include_in_schema=False)
async def evidence_page(
    request: Request, viewer: PageManager, reports: ReportsDep, fy: Text = None
) -> Response:
    """The fiscal year's GECC evidence pack: print-ready A4 HTML."""
    staff = viewer.staff
    try:
        year = periods.parse_fy(fy) if fy else fiscal_year(await reports.today(staff.office_id))
        # Every section, with those of other packages (complaints; the continuity report:
        # incidents, drills, paper tickets) and the evidence beyond speed.
        data = await gecc.evidence_pack(request.app.state, reports, staff.office_id, year)
    except DomainError as exc:
        return _render(request, "reports/error.html", {"error": exc}, status_code=422)
    first, last = periods.fiscal(year).first, periods.fiscal(year).last
    # Formal Thai documents may write the narrative in Thai digits (Admin → Office); tables
    # and figures keep Arabic digits either way.
    narrative = to_thai_digits if await _thai_digits(request, staff.office_id) else str
    return _render(
        request,
        "reports/evidence.html",
        {
            "d": data,
            "fy": year,
            "narrative": narrative,
            "range_th": narrative(
                f"{format_thai_date_long(first)} – {format_thai_date_long(last)}"
            ),
            "data_json": _script_json(_evidence_chart_data(data)),
            "generated": narrative(format_thai_date_long(await reports.now(), with_time=True)),
            "kpi": await _kpi_targets(request, staff.office_id),
            "yoy": {r["key"]: r for r in data["gecc"]["year_over_year"]},
        },
    )


@router.get("/province", response_class=HTMLResponse, include_in_schema=False)
async def province_page(
    request: Request, viewer: PageViewer, reports: ReportsDep, start: Text = None, end: Text = None
) -> Response:
    """The province view: the offices this account may compare, side by side (linked from the
    admin menu; any account an office shared its metrics with may open it)."""
    staff = viewer.staff
    error: DomainError | None = None
    offices: list[dict[str, Any]] = []
    period = None
    status = 200
    try:
        period = await _compare_period(reports, staff.office_id, start or None, end or None)
        offices = await reports.compare(staff, period)
    except Forbidden as exc:
        error, status = exc, 403
    except DomainError as exc:
        error, status = exc, 422
    if period is None:
        period = await _compare_period(reports, staff.office_id, None, None)
    return _render(
        request,
        "reports/province.html",
        {
            "csrf_token": viewer.csrf_token,
            "staff": staff,
            "period": period,
            "offices": offices,
            "error": error,
        },
        status_code=status,
    )


@router.get("/api/v1/reports/evidence.xlsx", tags=["reports"])
async def evidence_xlsx(
    request: Request, manager: CurrentManager, reports: ReportsDep, fy: Text = None
) -> FileResponse:
    """The fiscal year's evidence pack as XLSX, one sheet per section."""
    year = periods.parse_fy(fy) if fy else fiscal_year(await reports.today(manager.office_id))
    data = await gecc.evidence_pack(request.app.state, reports, manager.office_id, year)
    g = data.pop("gecc")
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    path = FilePath(name)
    await anyio.to_thread.run_sync(
        lambda: gecc.write_xlsx(path, data, g, f"GECC evidence FY {year}")
    )
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"evidence-{data['office']['code']}-fy{year}.xlsx",
        background=BackgroundTask(path.unlink, True),
    )


async def _thai_digits(request: Request, office_id: int) -> bool:
    db: Database = request.app.state.db

    def read() -> bool:
        with db.read() as session:
            options = session.get(OfficeSettings, office_id)
            return bool(options and options.thai_digits)

    return await anyio.to_thread.run_sync(read)


@router.get("/reports/staff", response_class=HTMLResponse, include_in_schema=False)
async def staff_page(request: Request, viewer: PageManager, reports: ReportsDep) -> Response:
    """The staff assessment, printable on A4 (office head only)."""
    staff = viewer.staff
    if not is_office_head(staff):
        raise PageForbidden(T["office_head_only"])
    try:
        period = await _period(request, reports, staff.office_id)
        data = await reports.staff_assessment(staff.office_id, period)
    except DomainError as exc:
        return _render(request, "reports/error.html", {"error": exc}, status_code=422)
    return _render(
        request,
        "reports/staff.html",
        {
            "d": data,
            "period": period,
            "generated": format_thai_date(await reports.now(), with_time=True),
        },
    )


def _needs_limiter(request: Request) -> RateLimiter:
    state = request.app.state
    if not hasattr(state, "needs_limiter"):
        state.needs_limiter = RateLimiter(20, 3600.0)
    limiter: RateLimiter = state.needs_limiter
    return limiter


@router.get("/needs", response_class=HTMLResponse, include_in_schema=False)
async def needs_page(
    request: Request,
    survey: SurveyDep,
    office: Annotated[str | None, Query(max_length=32)] = None,
    ticket: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The needs survey on its own link or poster (`?office=CODE`), or after the satisfaction
    items (`?ticket=`)."""
    found, form = await survey.needs_target(office, ticket)
    return _render(
        request,
        "reports/needs.html",
        {"office": found, "form": form, "ticket": ticket if found else None, "done": False},
        status_code=200 if found else 404,
    )


@router.post("/needs", response_class=HTMLResponse, include_in_schema=False)
async def needs_submit(request: Request, survey: SurveyDep) -> HTMLResponse:
    form_data = await request.form()
    office = str(form_data.get("office") or "")[:32] or None
    ticket = str(form_data.get("ticket") or "")[:64] or None
    text = str(form_data.get("free_text") or "")[:1000]
    found, form = await survey.needs_target(office, ticket)
    answers: dict[str, list[str]] = {}
    if form is not None:
        for q in form.needs:
            picked = [str(v)[:32] for v in form_data.getlist(q["code"])]
            if picked:
                answers[q["code"]] = picked
    error: DomainError | None = None
    try:
        if not _needs_limiter(request).allow(request.client.host if request.client else ""):
            raise TooManyRequests(*err("needs_too_many"))
        await survey.answer_needs(office, ticket, answers, text)
    except DomainError as exc:
        error = exc
    return _render(
        request,
        "reports/needs.html",
        {"office": found, "form": form, "ticket": ticket, "done": error is None, "error": error},
        status_code=200 if error is None else 422,
    )


@router.get("/survey/counter/{number}", response_class=HTMLResponse, include_in_schema=False)
async def counter_survey_page(
    request: Request, number: Annotated[int, Path(ge=1, le=9999)]
) -> HTMLResponse:
    """A tablet at the counter: shows the survey for the ticket the counter just finished.
    Open it on a paired display (`?token=` once; kept in the browser) or signed in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return _render(
        request,
        "reports/survey.html",
        {
            "mode": "counter",
            "counter": number,
            "token": "",
            # A signed-in tablet answers with its session cookie, which needs the CSRF token.
            "csrf_token": csrf_token_for(cookie) if cookie else "",
        },
    )


@router.get("/survey/{token}", response_class=HTMLResponse, include_in_schema=False)
async def survey_page(request: Request, token: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    """The citizen's survey page (linked from the ticket's status page)."""
    return _render(request, "reports/survey.html", {"mode": "ticket", "counter": 0, "token": token})


def mount_reports_static(app: Any) -> None:
    mount_static(app, STATIC_URL, STATIC_DIR, "reports-static")


# ------------------------------------------------------------------ counter tablet feed


class SurveyChannel(Channel):
    """The survey tablets of one office (counter/feed.py), each following one counter: the
    survey of the ticket the counter just finished, read again when that counter finishes or
    calls a ticket."""

    kind = "survey"
    ordered = False

    def __init__(self, office: OfficeFeed, *, survey: SurveyService) -> None:
        super().__init__(office)
        self.survey = survey

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None]:
        texts: dict[int, str] = {}
        for number in sorted({peer.key for peer in peers}):
            try:
                current = await self.survey.counter_current(self.office_id, number)
            except DomainError as exc:
                texts[number] = dumps({"type": "error", "detail_th": exc.th, "detail_en": exc.en})
                continue
            message = {"type": "idle"} if current is None else {"type": "survey", "survey": current}
            texts[number] = dumps(jsonable_encoder(message))
        return {peer: Snapshot(texts[peer.key]) for peer in peers}

    async def on_event(self, event: dict[str, Any]) -> None:
        if event.get("type") in ("ticket.finished", "ticket.called"):
            counter = event.get("counter")
            self.resync([peer for peer in self.live if peer.key == counter])


def configure_survey_feed(app: Any) -> None:
    app.state.feeds.configure(SurveyChannel, survey=SurveyService(app.state.work))


@router.websocket("/ws/survey/counter/{number}")
async def counter_survey_feed(
    websocket: WebSocket, number: Annotated[int, Path(ge=1, le=9999)]
) -> None:
    """Pushes {"type": "survey", ...} when the counter finishes a ticket, {"type": "idle"} when
    there is nothing to answer, and a heartbeat. A staff session cookie authenticates (from this
    site's own pages only: 4403 otherwise), or a first message
    {"type": "hello", "token": <display device token or staff token>}."""
    await websocket.accept()
    if not same_origin(websocket):
        await websocket.close(4403, "foreign origin")
        return
    auth: Authenticator = websocket.app.state.auth
    principal = None
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = await auth.resolve(cookie)
    if principal is None:
        hello: dict[str, Any] | None = {}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                hello = await receive_json(websocket, max_length=1000)
        if hello is None:
            return  # gone, or closed for sending something that is not JSON
        if isinstance(hello.get("token"), str):
            principal = await auth.resolve(hello["token"][:200])
    if not is_counter_tablet(principal):
        with contextlib.suppress(Exception):
            await websocket.close(4401, "sign in or pair this device")
        return
    feeds: FeedHub = websocket.app.state.feeds
    peer = Peer(WebSocketSink(websocket), principal.office_id, number)
    feeds.join(peer, SurveyChannel)
    try:
        # Reading is how a closed socket is noticed; the page sends nothing else.
        while await receive_json(websocket, max_length=1000) is not None:
            pass
    finally:
        feeds.leave(peer)


# ------------------------------------------------------------------ page helpers


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(*err("bad_filter")) from None
    if not 1 <= number <= 2**62:
        raise InvalidInput(*err("bad_filter"))
    return number


def _nav(period: periods.Period, q: Any) -> dict[str, str | None]:
    """Query strings of the previous and next period of the same kind."""
    if period.kind == "custom":
        return {"prev": None, "next": None}
    keep = {k: v for k, v in q.items() if k in ("service", "counter")}

    def link(anchor: Any) -> str:
        params = {**keep, "period": period.kind, "on": anchor.isoformat()}
        return "?" + "&".join(f"{k}={quote(str(v))}" for k, v in params.items())

    return {
        "prev": link(period.first - timedelta(days=1)),
        "next": link(period.last + timedelta(days=1)),
    }


def _script_json(data: dict[str, Any]) -> str:
    # Inside <script>, "</" could end the element early: office-edited names must not do that.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _chart_data(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "days": [x["label"] for x in d["by_day"]],
        "served": [x["served"] for x in d["by_day"]],
        "issued": [x["issued"] for x in d["by_day"]],
        "wait_mean": [_minutes(x["wait"]["mean"]) for x in d["by_day"]],
        "hours": [f"{h['hour']:02d}.00" for h in d["hourly"]],
        "arrivals_per_day": [round(h["arrivals_per_day"], 1) for h in d["hourly"]],
        "served_per_day": [round(h["served_per_day"], 1) for h in d["hourly"]],
        "open_counters": [round(h["open_counters"], 2) for h in d["hourly"]],
        "bands": [th for _, th, _ in BANDS],
        "band_counts": [(d["overall"] or {}).get("wait_bands", {}).get(k, 0) for k, _, _ in BANDS],
        "services": [s["name_th"] for s in d["services"]],
        "service_wait": [_minutes(s["wait"]["mean"]) for s in d["services"]],
        "service_time": [_minutes(s["service"]["mean"]) for s in d["services"]],
    }


def _evidence_chart_data(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "months": [m["label_th"] for m in d["months"]],
        "served": [m["served"] for m in d["months"]],
        "wait_mean": [_minutes(m["wait"]["mean"]) for m in d["months"]],
        "within_target": [
            None if m["within_target_pct"] is None else round(m["within_target_pct"], 1)
            for m in d["months"]
        ],
        "hours": [f"{h['hour']:02d}.00" for h in d["hourly"]],
        "arrivals_per_day": [round(h["arrivals_per_day"], 1) for h in d["hourly"]],
        "open_counters": [round(h["open_counters"], 2) for h in d["hourly"]],
        "bands": [th for _, th, _ in BANDS],
        "band_counts": [d["overall"]["wait_bands"].get(k, 0) for k, _, _ in BANDS],
    }
