"""The staff counter console and the supervisor view: pages, their JSON reads, the staff feed.

Pages (`/login`, `/counter`, `/supervisor`) authenticate with the HttpOnly session cookie set by
POST /api/v1/auth/login; every change they make goes through the JSON API with the CSRF header.
The live feed `/ws/staff` is described on `staff_feed`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from counter.auth import Role, StaffPrincipal
from counter.console_service import ConsoleService, ConsoleState, SupervisorState, TicketLookup
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
from counter.pages import PageManager, PageViewer, render_page
from counter.schemas import Strict
from counter.service import PAUSE_REASONS, QueueService
from counter.ui import mount_static, templates_for
from counter.web import SESSION_COOKIE, Authenticator, CurrentManager, CurrentStaff, QueueDep

log = logging.getLogger(__name__)

router = APIRouter()

COUNTER_DIR = Path(__file__).resolve().parent
STATIC_DIR = COUNTER_DIR / "static" / "console"
STATIC_URL = "/static/console"
WS_PATH = "/ws/staff"
templates = templates_for(COUNTER_DIR)

CounterNumber = Annotated[int, PathParam(ge=1, le=9999)]

# Application close codes the pages act on: 4401 -> sign in again, 4403 -> not allowed.
CLOSE_SESSION = 4401
CLOSE_FORBIDDEN = 4403

MANAGER_ROLES = (Role.ADMIN, Role.MANAGER)

# The console's actions and their keys, in button order. Keys are matched by physical position
# (KeyboardEvent.code), so they work whether the keyboard is set to Thai or English.
ACTIONS: list[tuple[str, str]] = [
    ("call_next", "N"),
    ("recall", "R"),
    ("start", "S"),
    ("finish", "F"),
    ("no_show", "X"),
    ("transfer", "T"),
    ("hold", "H"),
    ("unhold", "B"),
    ("call_specific", "C"),
    ("pause", "P"),
    ("close_counter", "Q"),
]
# Undoes a no-show while it waits to be written (see console.js).
UNDO_KEY = "Z"
# Ready-made reasons for calling a ticket out of order (catalogue keys); the last asks for text.
CALL_REASONS = [
    "reason_priority",
    "reason_continuing",
    "reason_appointment",
    "reason_urgent",
    "reason_other_option",
]

# ------------------------------------------------------------------ the text catalogue

# Every word the console, the supervisor view and the login page show: (Thai, English).
# `{name}` placeholders are filled in by the page script.
TEXT: dict[str, tuple[str, str]] = {
    "app": ("สะดวก", "Saduak"),
    "login_title": ("เข้าสู่ระบบเจ้าหน้าที่", "Staff sign-in"),
    "username": ("ชื่อผู้ใช้", "Username"),
    "password": ("รหัสผ่าน", "Password"),
    "sign_in": ("เข้าสู่ระบบ", "Sign in"),
    "signing_in": ("กำลังเข้าสู่ระบบ…", "Signing in…"),
    "expired": (
        "หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง",
        "Your session has ended. Please sign in again.",
    ),
    "logged_out": ("ออกจากระบบแล้ว", "You have signed out."),
    "login_failed": ("เข้าสู่ระบบไม่สำเร็จ", "Sign-in failed"),
    "network_error": (
        "ติดต่อเซิร์ฟเวอร์ไม่ได้ กรุณาลองอีกครั้ง",
        "Cannot reach the server. Please try again.",
    ),
    "logout": ("ออกจากระบบ", "Sign out"),
    "console_title": ("ช่องบริการ", "Counter"),
    "counter_n": ("ช่อง {n}", "Counter {n}"),
    "choose_counter": ("เลือกช่องบริการที่ท่านนั่งประจำ", "Choose your counter"),
    "choose_hint": (
        "กดปุ่มตัวเลขตามหมายเลขช่อง หรือคลิกที่ช่อง",
        "Press the counter's number key, or click it",
    ),
    "free": ("ว่าง", "Free"),
    "held_by": ("ใช้งานโดย {name}", "In use by {name}"),
    "yours": ("ช่องของท่าน", "Your counter"),
    "serves": ("ให้บริการ", "Serves"),
    "n_services": ("{n} งาน", "{n} services"),
    "current_ticket": ("บัตรคิวปัจจุบัน", "Current ticket"),
    "no_ticket": ("ยังไม่มีบัตรคิวที่ช่องนี้", "No ticket at this counter"),
    "no_ticket_hint": ("กด {key} เพื่อเรียกคิวถัดไป", "Press {key} to call the next ticket"),
    "status_called": ("เรียกแล้ว รอผู้รับบริการมาที่ช่อง", "Called — waiting for the citizen"),
    "status_serving": ("กำลังให้บริการ", "Serving"),
    "status_held": ("พักไว้", "On hold"),
    "since_call": ("เรียกมาแล้ว", "Since the call"),
    "elapsed": ("เวลาให้บริการ", "Service time"),
    "standard": ("มาตรฐาน {n} นาที", "standard {n} min"),
    "over_standard": ("เกินเวลามาตรฐาน", "over the standard time"),
    "recalled_n": ("เรียกซ้ำแล้ว {n} ครั้ง", "recalled {n}×"),
    "recall_enough": (
        "เรียกซ้ำ {n} ครั้งแล้ว หากยังไม่มา กด {key} บันทึกไม่มาตามเรียก",
        "Recalled {n}×; if nobody comes, press {key} for no-show",
    ),
    "call_next": ("เรียกคิวถัดไป", "Call next"),
    "call_next_finishes": ("+ จบ {number} / finish", "finishes {number}, then calls the next"),
    "recall": ("เรียกซ้ำ", "Recall"),
    "start": ("เริ่มบริการ", "Start"),
    "finish": ("จบบริการ", "Finish"),
    "no_show": ("ไม่มาตามเรียก", "No-show"),
    "transfer": ("ส่งต่อ", "Transfer"),
    "hold": ("พักคิว", "Hold"),
    "unhold": ("เรียกคิวที่พักไว้", "Call back held"),
    "release": ("คืนเข้าแถว", "Back to the line"),
    "call_specific": ("เรียกคิวเจาะจง", "Call a ticket"),
    "pause": ("พักช่องบริการ", "Pause"),
    "resume": ("กลับมาให้บริการ", "Resume"),
    "close_counter": ("ปิดช่องบริการ", "Close counter"),
    "shortcuts": ("ปุ่มลัด", "Shortcuts"),
    "shortcuts_hint": (
        "ใช้ปุ่มลัดได้ทั้งแป้นภาษาไทยและอังกฤษ ไม่ทำงานขณะพิมพ์ในช่องกรอก",
        "Keys work with Thai or English layout, never while typing in a field",
    ),
    "waiting_title": ("คิวที่รอ", "Waiting"),
    "waiting_n": ("{n} คิว", "{n} waiting"),
    "nobody_waiting": ("ไม่มีคิวรอสำหรับช่องนี้", "Nobody is waiting for this counter"),
    "next_mark": ("ถัดไป", "next"),
    "wait_min": ("รอ {n} นาที", "{n} min"),
    "call_this": ("เรียก", "Call"),
    "priority": ("คิวพิเศษ", "Priority"),
    "priority_elderly": ("ผู้สูงอายุ", "Elderly"),
    "priority_disabled": ("ผู้พิการ", "Disabled"),
    "priority_pregnant": ("หญิงตั้งครรภ์", "Pregnant"),
    "priority_monk": ("พระภิกษุ", "Monk"),
    "held_title": ("คิวที่พักไว้", "On hold"),
    "held_since": ("พักตั้งแต่ {time}", "held since {time}"),
    "printers_title": ("แจ้งเตือนเครื่องพิมพ์", "Printer alerts"),
    "printers_ok": ("เครื่องพิมพ์ทุกเครื่องปกติ", "All printers OK"),
    "printer_near_end": ("กระดาษใกล้หมด", "Paper low"),
    "printer_paper_out": ("กระดาษหมด", "Out of paper"),
    "printer_cover_open": ("ฝาเครื่องพิมพ์เปิดอยู่", "Printer cover open"),
    "printer_offline": ("เครื่องพิมพ์ขัดข้อง", "Printer offline"),
    "printer_no_answer": ("เครื่องพิมพ์ไม่ตอบสนอง", "Printer not answering"),
    "printer_unknown": ("ไม่ทราบสถานะเครื่องพิมพ์", "Printer state unknown"),
    "printer_ok": ("เครื่องพิมพ์กลับมาปกติแล้ว", "Printer is OK again"),
    "printer_other": ("เครื่องพิมพ์แจ้งเตือน", "Printer alert"),
    "dismiss": ("ปิด", "Dismiss"),
    "pause_break": ("พักเบรก", "Break"),
    "pause_lunch": ("พักกลางวัน", "Lunch"),
    "pause_meeting": ("ประชุม", "Meeting"),
    "pause_system": ("ระบบขัดข้อง", "System problem"),
    "pause_other": ("อื่น ๆ", "Other"),
    "paused_banner": ("ช่องบริการพักอยู่ — {reason}", "Counter paused — {reason}"),
    "paused_since": ("ตั้งแต่ {time} ({min} นาที)", "since {time} ({min} min)"),
    "paused_hint": (
        "ระหว่างพัก ช่องนี้จะไม่ได้รับคิว กด {key} เพื่อกลับมาให้บริการ",
        "While paused this counter gets no tickets. Press {key} to resume",
    ),
    "pause_title": ("พักช่องบริการ — เลือกเหตุผล", "Pause — choose a reason"),
    "transfer_title": ("ส่งต่อบัตรคิว {number} ไปงาน…", "Transfer {number} to…"),
    "filter": ("พิมพ์เพื่อค้นหางาน แล้วกด Enter", "Type to filter, then Enter"),
    "no_match": ("ไม่พบงานที่ค้นหา", "No service matches"),
    "call_title": ("เรียกคิวเจาะจง (ข้ามลำดับ)", "Call a specific ticket (out of order)"),
    "ticket_number": ("หมายเลขบัตรคิว", "Ticket number"),
    "ticket_number_hint": ("เช่น B015", "e.g. B015"),
    "reason": ("เหตุผล (บันทึกไว้ตรวจสอบ)", "Reason (kept for audit)"),
    "reason_other": ("ระบุเหตุผล", "Type the reason"),
    "reason_priority": (
        "ผู้สูงอายุ ผู้พิการ หรือหญิงตั้งครรภ์",
        "Elderly, disabled or pregnant",
    ),
    "reason_continuing": ("ติดต่อต่อเนื่องจากช่องอื่น", "Continuing from another counter"),
    "reason_appointment": ("นัดหมายล่วงหน้า", "Appointment"),
    "reason_urgent": ("มีเหตุจำเป็นเร่งด่วน", "Urgent need"),
    "reason_other_option": ("อื่น ๆ (ระบุ)", "Other (type it)"),
    "reason_required": ("กรุณาระบุเหตุผล", "Please give a reason"),
    "call_confirm": ("เรียกบัตรคิวนี้", "Call this ticket"),
    "cancel": ("ยกเลิก", "Cancel"),
    "taken": (
        "บัตรคิว {number} ถูกเรียกที่ช่อง {counter} แล้ว",
        "Ticket {number} has already been called at counter {counter}",
    ),
    "close_title": ("ปิดช่องบริการ {n}?", "Close counter {n}?"),
    "close_open_ticket": (
        "ยังมีบัตรคิว {number} อยู่ที่ช่องนี้ กรุณาจบบริการหรือส่งต่อก่อน",
        "Ticket {number} is still at this counter; finish or transfer it first",
    ),
    "close_confirm": ("ปิดช่อง", "Close"),
    "live": ("ออนไลน์", "Live"),
    "offline": ("ขาดการเชื่อมต่อ กำลังเชื่อมต่อใหม่…", "Disconnected — reconnecting…"),
    "call_next_blocked": (
        "กรุณากดเริ่มบริการ ({start}) หรือไม่มาตามเรียก ({no_show}) ก่อนเรียกคิวถัดไป",
        "Start ({start}) or mark no-show ({no_show}) before calling the next ticket",
    ),
    "nobody": ("ไม่มีคิวรอสำหรับช่องนี้", "Nobody is waiting for this counter"),
    "done_called": ("เรียกบัตรคิว {number} แล้ว", "Called {number}"),
    "done_recalled": ("เรียกซ้ำ {number} แล้ว", "Recalled {number}"),
    "done_started": ("เริ่มให้บริการ {number}", "Serving {number}"),
    "done_finished": ("จบบริการ {number} แล้ว", "Finished {number}"),
    "done_no_show": ("บันทึก {number} ไม่มาตามเรียกแล้ว", "{number} marked no-show"),
    "no_show_pending": (
        "{number} ไม่มาตามเรียก — จะบันทึกใน {seconds} วินาที",
        "{number} no-show — recorded in {seconds} s",
    ),
    "no_show_undone": ("ยกเลิกแล้ว {number} ยังอยู่ที่ช่องนี้", "Undone: {number} is still here"),
    "undo": ("ยกเลิก", "Undo"),
    "transfer_called": (
        "ส่งต่อได้เมื่อเริ่มให้บริการแล้ว กด {start} เริ่มบริการ หรือ {no_show} หากไม่มาตามเรียก",
        "Transfer works once service has started: press {start} to start, or {no_show} for no-show",
    ),
    "transfer_none": (
        "ยังไม่มีบัตรคิวที่กำลังให้บริการให้ส่งต่อ",
        "No ticket in service to transfer",
    ),
    "finish_called": (
        "ยังไม่ได้เริ่มบริการ กด {start} เริ่มบริการ หรือ {no_show} หากไม่มาตามเรียก",
        "Service has not started: press {start} to start, or {no_show} for no-show",
    ),
    "done_transferred": ("ส่งต่อ {number} ไปงาน{service}แล้ว", "{number} sent to {service_en}"),
    "done_held": ("พักคิว {number} ไว้แล้ว", "{number} put on hold"),
    "done_released": ("คืน {number} เข้าแถวแล้ว", "{number} is back in the line"),
    "done_paused": ("พักช่องบริการแล้ว", "Counter paused"),
    "done_resumed": ("กลับมาให้บริการแล้ว", "Counter resumed"),
    "supervisor": ("ภาพรวมสำนักงาน", "Supervisor"),
    "sup_title": ("ภาพรวมสำนักงาน", "Office overview"),
    "to_console": ("หน้าช่องบริการ", "Counter console"),
    "counters_title": ("ช่องบริการ", "Counters"),
    "state_closed": ("ปิด", "Closed"),
    "state_idle": ("ว่าง", "Idle"),
    "state_called": ("เรียกแล้ว", "Called"),
    "state_serving": ("กำลังให้บริการ", "Serving"),
    "state_paused": ("พัก", "Paused"),
    "idle_since": ("ว่างตั้งแต่ {time} ({min} นาที)", "idle since {time} ({min} min)"),
    "no_staff": ("ไม่มีเจ้าหน้าที่", "nobody here"),
    "held_n": ("พักไว้ {n} คิว", "{n} on hold"),
    "services_title": ("คิวแต่ละงาน", "Queue per service"),
    "col_service": ("งาน", "Service"),
    "col_waiting": ("รอ", "Waiting"),
    "col_priority": ("คิวพิเศษ", "Priority"),
    "col_longest": ("รอนานสุด", "Longest wait"),
    "col_target": ("เป้าหมาย", "Target"),
    "col_counters": ("ช่องที่เปิดรับ", "Open counters"),
    "min": ("{n} นาที", "{n} min"),
    "none_open": ("ไม่มีช่องเปิด", "no counter open"),
    "alerts_title": ("แจ้งเตือนเวลารอ", "Wait alerts"),
    "no_alerts": ("ไม่มีคิวที่รอเกินเป้าหมาย", "No wait over its target"),
    "alert_line": (
        "งาน{service}: บัตรคิว {number} รอแล้ว {min} นาที (เป้าหมาย {target} นาที)",
        "{service_en}: {number} has waited {min} min (target {target} min)",
    ),
    "alert_more": ("และอีก {n} คิวที่รอเกินเป้าหมาย", "and {n} more over the target"),
    "total_waiting": ("รอทั้งหมด {n} คิว", "{n} waiting in all"),
    "edit_services": ("เปลี่ยนงาน", "Change services"),
    "edit_title": ("งานที่ช่อง {n} ให้บริการ", "Services of counter {n}"),
    "edit_hint": (
        "มีผลตั้งแต่การเรียกคิวครั้งถัดไป และบันทึกไว้ในประวัติการใช้งาน",
        "Takes effect at the counter's next call; the change is logged",
    ),
    "group_civil_registration": ("งานทะเบียนราษฎร", "Civil registration"),
    "group_id_card": ("งานบัตรประจำตัวประชาชน", "ID cards"),
    "group_family_registration": ("งานทะเบียนครอบครัว", "Family registration"),
    "group_licensing": ("งานอนุญาต", "Licensing"),
    "group_damrongtham": ("ศูนย์ดำรงธรรม", "Damrongtham centre"),
    "save": ("บันทึก", "Save"),
    "saved": ("บันทึกงานของช่อง {n} แล้ว", "Counter {n} services saved"),
    "changed_by": ("เปลี่ยนงานวันนี้ {time} โดย {name}", "changed today {time} by {name}"),
}


def text_catalogue() -> dict[str, list[str]]:
    return {key: [th, en] for key, (th, en) in TEXT.items()}


# ------------------------------------------------------------------ request bodies


class ServicesIn(Strict):
    services: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=200)


class ServicesOut(BaseModel):
    counter: int
    services: list[str]


def get_console(request: Request) -> ConsoleService:
    queue: QueueService = request.app.state.queue
    return ConsoleService(queue)


ConsoleDep = Annotated[ConsoleService, Depends(get_console)]


# ------------------------------------------------------------------ pages


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    # Pages carry a CSRF token: never cached (render_page), never framed (SecurityHeaders).
    return render_page(
        templates,
        request,
        name,
        {"t": TEXT, "text_json": text_catalogue(), "static": STATIC_URL, **context},
        status_code=status_code,
    )


def safe_next(value: str | None, default: str = "/counter") -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(
    request: Request,
    next: Annotated[str | None, Query(max_length=500)] = None,
    expired: Annotated[str | None, Query(max_length=5)] = None,
    signed_out: Annotated[str | None, Query(alias="signed-out", max_length=5)] = None,
) -> HTMLResponse:
    return _page(
        request,
        "login.html",
        {
            "next": safe_next(next),
            "expired": expired == "1",
            "signed_out": signed_out == "1",
        },
    )


@router.get("/counter", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, viewer: PageViewer) -> Response:
    """The counter console: one key per action (see the legend on screen)."""
    staff = viewer.staff
    return _page(
        request,
        "console/console.html",
        {
            "csrf_token": viewer.csrf_token,
            "me": staff,
            "page": "console",
            "is_manager": staff.role in MANAGER_ROLES,
            "actions": ACTIONS,
            "pause_reasons": PAUSE_REASONS,
            "call_reasons": CALL_REASONS,
            "config": {
                "view": "console",
                "ws_path": WS_PATH,
                "keys": dict(ACTIONS),
                "undo_key": UNDO_KEY,
            },
        },
    )


@router.get("/supervisor", response_class=HTMLResponse, include_in_schema=False)
async def supervisor_page(request: Request, viewer: PageManager) -> Response:
    """Every counter and every service line at a glance, for the office head."""
    return _page(
        request,
        "console/supervisor.html",
        {
            "csrf_token": viewer.csrf_token,
            "me": viewer.staff,
            "page": "supervisor",
            "is_manager": True,
            "config": {"view": "supervisor", "ws_path": WS_PATH},
            # Cards other packages add (overdue complaints…), composed by the app factory.
            "panels": getattr(request.app.state, "supervisor_panels", []),
        },
    )


def mount_console_static(app: Any) -> None:
    mount_static(app, STATIC_URL, STATIC_DIR, "console-static")


# ------------------------------------------------------------------ JSON API of the pages


@router.get("/api/v1/console", tags=["console"])
async def console_state(staff: CurrentStaff, console: ConsoleDep) -> ConsoleState:
    """What the signed-in staff member's console shows: their counter, its current ticket,
    held tickets, the waiting line of its services, every counter and who holds it."""
    return await console.console(staff)


@router.get("/api/v1/console/ticket", tags=["console"])
async def find_ticket(
    number: Annotated[str, Query(min_length=1, max_length=8)],
    staff: CurrentStaff,
    console: ConsoleDep,
) -> TicketLookup:
    """Today's ticket by its number ("B015"), to call it out of order."""
    return await console.find_ticket(staff.office_id, number)


@router.get("/api/v1/supervisor", tags=["console"])
async def supervisor_state(manager: CurrentManager, console: ConsoleDep) -> SupervisorState:
    """Every counter's state, each service's line and longest wait, and the wait alerts."""
    return await console.supervisor(manager)


@router.post("/api/v1/counters/{number}/open", tags=["counters"], status_code=204)
async def open_counter(number: CounterNumber, staff: CurrentStaff, queue: QueueDep) -> Response:
    """Sit down at a counter; 409 naming the holder when someone else is there."""
    await queue.open_counter(staff, number)
    return Response(status_code=204)


@router.put("/api/v1/counters/{number}/services", tags=["counters"])
async def set_counter_services(
    number: CounterNumber, body: ServicesIn, manager: CurrentManager, queue: QueueDep
) -> ServicesOut:
    """Change which services a counter serves (by service code); each change is logged."""
    codes = await queue.set_counter_services(manager, number, body.services)
    return ServicesOut(counter=number, services=codes)


# ------------------------------------------------------------------ the staff feed

View = Literal["console", "supervisor"]


@dataclass(frozen=True)
class StaffPage:
    """Who a console or supervisor page is, on the staff channel."""

    staff: StaffPrincipal
    token: str
    view: View


class StaffChannel(Channel):
    """The console and supervisor pages of one office (counter/feed.py): a snapshot of the page's
    own state, then every office event as published, in seq order (`printer.*` alerts, which have
    no seq, as they come). Each heartbeat re-checks that the page's session still holds."""

    kind = "staff"

    def __init__(self, office: OfficeFeed, *, auth: Authenticator, queue: QueueService) -> None:
        super().__init__(office)
        self.auth = auth
        self.console = ConsoleService(queue)

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None]:
        # One read per person and view, however many tabs they have open.
        made: dict[tuple[View, int], Snapshot] = {}
        out: dict[Peer, Snapshot | None] = {}
        for peer in peers:
            page: StaffPage = peer.key
            key = (page.view, page.staff.staff_id)
            if key not in made:
                state: ConsoleState | SupervisorState
                if page.view == "supervisor":
                    state = await self.console.supervisor(page.staff)
                else:
                    state = await self.console.console(page.staff)
                made[key] = self._snapshot(page.view, state)
            out[peer] = made[key]
        return out

    @staticmethod
    def _snapshot(view: View, state: ConsoleState | SupervisorState) -> Snapshot:
        message = {"type": "snapshot", "view": view, "seq": state.seq, "state": state}
        return Snapshot(dumps(jsonable_encoder(message)), state.seq)

    async def still_allowed(self, peers: list[Peer]) -> Iterable[tuple[Peer, int, str]]:
        ended = []
        for peer in peers:
            if await self.auth.resolve(peer.key.token) is None:
                await self.send(peer, dumps({"type": "session.expired"}))
                ended.append((peer, CLOSE_SESSION, "session expired"))
        return ended


def configure_staff_feed(app: Any) -> None:
    app.state.feeds.configure(StaffChannel, auth=app.state.auth, queue=app.state.queue)


@router.websocket(WS_PATH)
async def staff_feed(websocket: WebSocket, view: str = "console") -> None:
    """Live feed of the console (`?view=console`) and supervisor (`?view=supervisor`) pages.

    Authenticated by the staff session cookie (the page's own origin only). Sends
    `{"type": "snapshot", "view", "seq", "state"}` on connect and whenever events were missed
    (state = GET /api/v1/console or /api/v1/supervisor), then every office event as published
    (`ticket.*`, `counter.*`, `queue.*` with a gap-free `seq`; `printer.*` without one), and
    `{"type": "heartbeat", "seq"}` every few seconds. A page may send `{"type": "resync"}`.
    Closes with 4401 when there is no valid session (or it ends: `session.expired` first) and
    4403 for a view the account may not see or a foreign origin.
    """
    await websocket.accept()
    if not same_origin(websocket):
        await websocket.close(CLOSE_FORBIDDEN, "foreign origin")
        return
    token = websocket.cookies.get(SESSION_COOKIE)
    auth: Authenticator = websocket.app.state.auth
    principal = await auth.resolve(token) if token else None
    if token is None or not isinstance(principal, StaffPrincipal):
        await websocket.close(CLOSE_SESSION, "sign in first")
        return
    if view not in ("console", "supervisor") or (
        view == "supervisor" and principal.role not in MANAGER_ROLES
    ):
        await websocket.close(CLOSE_FORBIDDEN, "not allowed")
        return
    page = StaffPage(principal, token, "supervisor" if view == "supervisor" else "console")
    feeds: FeedHub = websocket.app.state.feeds
    peer = Peer(WebSocketSink(websocket), principal.office_id, page)
    feeds.join(peer, StaffChannel)
    try:
        # Pages may ask for a snapshot; anything else they send is ignored.
        while (message := await receive_json(websocket, max_length=200)) is not None:
            if message.get("type") == "resync":
                feeds.resync(peer)
    finally:
        feeds.leave(peer)
