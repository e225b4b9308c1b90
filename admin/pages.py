"""Admin pages under /admin (admin role); the office comparison at /province is a report page
(reports/routes.py), linked from the admin menu.

Pages are rendered with the data they show; every change goes through the JSON API from
admin.js (Saduak.api adds the CSRF token). Without a login a page redirects to /login?next=...
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from admin import config_io
from admin.api import get_admin_service
from admin.service import AdminService
from admin.text import LABELS, ROLE_LABELS, both, field_label, label
from counter.auth import DeviceKind, Role, StaffPrincipal
from counter.pages import PageAdmin, PageManager, render_page
from counter.queue.thai import BE_OFFSET, business_day, format_thai_date
from counter.seed import catalogue
from counter.ui import csrf_token_for, mount_static, templates_for
from counter.web import SESSION_COOKIE

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"

router = APIRouter(include_in_schema=False)
templates = templates_for(HERE)

# The side menu: key in LABELS, address.
NAV: list[tuple[str, str]] = [
    ("overview", "/admin"),
    ("office", "/admin/office"),
    ("services", "/admin/services"),
    ("counters", "/admin/counters"),
    ("staff", "/admin/staff"),
    ("devices", "/admin/devices"),
    ("voice", "/admin/voice"),
    ("line", "/admin/line"),
    ("manuals", "/admin/manuals"),
    ("evidence", "/admin/evidence"),
    ("questionnaires", "/admin/questionnaires"),
    ("config", "/admin/config"),
    ("province_sharing", "/admin/province"),
    ("audit", "/admin/audit"),
]

# What an office head (manager) may edit here: the evidence the office publishes and answers
# for (the rest of the admin is the admin role's).
MANAGER_NAV: list[tuple[str, str]] = [
    ("manuals", "/admin/manuals"),
    ("evidence", "/admin/evidence"),
    ("questionnaires", "/admin/questionnaires"),
]


def _as_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def thai_datetime(value: str | datetime | None, tz: str = "Asia/Bangkok") -> str:
    moment = _as_datetime(value)
    return format_thai_date(moment, tz=tz, with_time=True) if moment else "—"


def thai_day(value: str | date | None) -> str:
    if value is None or value == "":
        return "—"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_thai_date(day)


def audit_value(value: Any) -> str:
    """One value of an audit snapshot, short and readable (Thai text stays Thai)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return both(label("yes" if value else "no"))
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            names = [
                str(item.get("code") or item.get("service") or item.get("day") or "")
                for item in value
            ]
            listed = ", ".join(name for name in names if name)
            items_th, items_en = label("items")
            return f"{len(value)} {items_th} / {items_en}: {listed}"[:400]
        return ", ".join(str(item) for item in value)[:400]
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)[:400]
    return str(value)[:400]


templates.env.filters["thai_dt"] = thai_datetime
templates.env.filters["thai_day"] = thai_day
templates.env.filters["audit_value"] = audit_value
templates.env.globals["field_label"] = field_label


# ------------------------------------------------------------------ who is looking


def _render(
    request: Request,
    name: str,
    who: StaffPrincipal,
    *,
    active: str,
    status_code: int = 200,
    **data: Any,
) -> HTMLResponse:
    cookie = request.cookies.get(SESSION_COOKIE)
    context = {
        "t": LABELS,
        "role_labels": ROLE_LABELS,
        "me": who,
        "is_admin": who.role == Role.ADMIN,
        "csrf_token": csrf_token_for(cookie) if cookie else None,
        "nav": NAV if who.role == Role.ADMIN else MANAGER_NAV,
        "active": active,
        **data,
    }
    return render_page(templates, request, name, context, status_code=status_code)


@dataclass(frozen=True)
class OfficePage:
    """What an admin page shows its office with: who looks, the admin's use cases, and the
    page's rendering."""

    request: Request
    staff: StaffPrincipal
    service: AdminService

    @property
    def office_id(self) -> int:
        return self.staff.office_id

    async def render(self, page: str, *, active: str | None = None, **data: Any) -> HTMLResponse:
        """admin/<page>.html about the office (loaded unless given), the menu on `active`
        (default: the page)."""
        if "office" not in data:
            data["office"] = await self.service.office(self.office_id)
        return _render(
            self.request, f"admin/{page}.html", self.staff, active=active or page, **data
        )


async def _admin_page(request: Request, viewer: PageAdmin) -> OfficePage:
    return OfficePage(request, viewer.staff, get_admin_service(request))


async def _manager_page(request: Request, viewer: PageManager) -> OfficePage:
    return OfficePage(request, viewer.staff, get_admin_service(request))


# An admin's page; an office head's (the evidence pages, MANAGER_NAV).
AdminPage = Annotated[OfficePage, Depends(_admin_page)]
ManagerPage = Annotated[OfficePage, Depends(_manager_page)]


# ------------------------------------------------------------------ pages


@router.get("/admin", response_class=HTMLResponse)
async def overview(page: AdminPage) -> Response:
    services = await page.service.services(page.office_id)
    devices = [d for d in await page.service.devices(page.office_id) if not d["revoked_at"]]
    return await page.render(
        "overview",
        services=services,
        counters=await page.service.counters(page.office_id),
        staff=await page.service.staff(page.office_id),
        kiosks=[d for d in devices if d["kind"] == DeviceKind.KIOSK],
        displays=[d for d in devices if d["kind"] == DeviceKind.DISPLAY],
        recent=await page.service.audit_log(page.office_id, limit=8),
    )


@router.get("/admin/office", response_class=HTMLResponse)
async def office_page(page: AdminPage, year: int | None = None) -> Response:
    office = await page.service.office(page.office_id)
    now = page.service.clock()
    this_year = business_day(now, ZoneInfo(office["timezone"])).year
    # The page speaks BE years; a CE year in the address is accepted too.
    ce_year = year - BE_OFFSET if year and year > 2400 else (year or this_year)
    if not 1900 <= ce_year <= 2800:
        ce_year = this_year
    holidays = [h for h in office["holidays"] if h["day"].startswith(f"{ce_year:04d}-")]
    years = sorted({int(h["day"][:4]) for h in office["holidays"]} | {this_year, this_year + 1})
    return await page.render(
        "office",
        office=office,
        year=ce_year,
        years=years,
        be_offset=BE_OFFSET,
        holidays=holidays,
        bulk="\n".join(f"{h['day']} {h['name']}" for h in holidays),
    )


@router.get("/admin/services", response_class=HTMLResponse)
async def services_page(page: AdminPage) -> Response:
    return await page.render(
        "services",
        services=await page.service.services(page.office_id),
        catalogue_size=len(catalogue()),
    )


@router.get("/admin/counters", response_class=HTMLResponse)
async def counters_page(page: AdminPage) -> Response:
    services = await page.service.services(page.office_id)
    return await page.render(
        "counters",
        counters=await page.service.counters(page.office_id),
        services=services,
        service_names={s["code"]: s for s in services},
    )


@router.get("/admin/staff", response_class=HTMLResponse)
async def staff_page(page: AdminPage) -> Response:
    return await page.render(
        "staff",
        staff=await page.service.staff(page.office_id),
        roles=[r.value for r in Role],
    )


@router.get("/admin/devices", response_class=HTMLResponse)
async def devices_page(page: AdminPage) -> Response:
    return await page.render("devices", devices=await page.service.devices(page.office_id))


@router.get("/admin/voice", response_class=HTMLResponse)
async def voice_page(page: AdminPage) -> Response:
    """The clip table is loaded by the page from the voice API (displays.voice_admin)."""
    return await page.render("voice")


@router.get("/admin/line", response_class=HTMLResponse)
async def line_page(page: AdminPage) -> Response:
    """The LINE account's settings are the line package's (write-only secrets, its API): its
    service reaches this page through app.state.line, as the voice clips do through their API."""
    office = await page.service.office(page.office_id)
    account = await page.request.app.state.line.account(page.office_id)
    base = page.request.app.state.queue.public_url
    return await page.render(
        "line",
        office=office,
        account=account,
        webhook_url=f"{base}/line/webhook/{office['code']}",
    )


@router.get("/admin/config", response_class=HTMLResponse)
async def config_page(page: AdminPage) -> Response:
    return await page.render("config", yaml=config_io.yaml_available())


@router.get("/admin/province", response_class=HTMLResponse)
async def province_page(page: AdminPage) -> Response:
    return await page.render(
        "province",
        active="province_sharing",
        shares=await page.service.shares(page.office_id),
    )


@router.get("/admin/audit", response_class=HTMLResponse)
async def audit_page(
    page: AdminPage, before: int | None = None, action: str | None = None
) -> Response:
    action = (action or "")[:48] or None
    entries = await page.service.audit_log(
        page.office_id, limit=50, before_id=before if before and before > 0 else None, action=action
    )
    return await page.render(
        "audit",
        entries=entries,
        action=action or "",
        older=entries[-1]["id"] if len(entries) == 50 else None,
    )


@router.get("/admin/manuals", response_class=HTMLResponse)
async def manuals_page(page: ManagerPage) -> Response:
    """Each service's citizen manual; its processing time is the standard in force today."""
    return await page.render(
        "manuals",
        manuals=await page.service.manuals(page.office_id),
        active_codes={
            s["code"] for s in await page.service.services(page.office_id) if s["active"]
        },
    )


@router.get("/admin/evidence", response_class=HTMLResponse)
async def evidence_page(page: ManagerPage) -> Response:
    """The evidence pack's targets; the complaint deadlines are edited on the register."""
    return await page.render("evidence", targets=await page.service.targets(page.office_id))


@router.get("/admin/questionnaires", response_class=HTMLResponse)
async def questionnaires_page(page: ManagerPage) -> Response:
    """The satisfaction form and the needs survey; the editor loads them from the survey API
    (reports/routes.py), as the voice page loads its clips."""
    return await page.render("questionnaires")


def mount_admin_static(app: Any) -> None:
    mount_static(app, "/static/admin", STATIC_DIR, "admin-static")
