"""Words of the application as a whole: its name, the pages `saduak demo` lists, and the
command line's."""

from __future__ import annotations

APP_TITLE = "Saduak (สะดวก)"

# Pages a person opens, by path, in the order `saduak demo` prints them (a terminal: English
# first, the Thai the page itself shows in brackets).
ENTRY_PAGE_NAMES: dict[str, str] = {
    "/kiosk": "Kiosk (ตู้กดบัตรคิว)",
    "/counter": "Counter (ช่องบริการ)",
    "/supervisor": "Supervisor (ภาพรวมสำนักงาน)",
    "/display": "Hall display (จอแสดงผล)",
    "/reports": "Reports (รายงาน)",
    "/complaints": "Complaints (ทะเบียนข้อร้องเรียน)",
    "/complaint": "Complaint form (แจ้งข้อร้องเรียน)",
    "/admin": "Admin (ผู้ดูแลระบบ)",
    "/operations": "Incidents, BCP (เหตุขัดข้อง)",
    "/docs": "API docs",
    "/healthz": "Health",
}

# The command line's own words.
CLI_HELP = f"{APP_TITLE}: queue and service-counter system."
# The demo's paired screens beyond the entry pages above.
COUNTER_DISPLAY_NAME = "Counter {number} display (จอช่องบริการ {number})"
