"""The admin pages: who may open them, and that each renders Thai first with its data."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.conftest import SQLITE_ONLY, sign_in

pytestmark = SQLITE_ONLY

PAGES = {
    "/admin": "ขั้นตอนตั้งค่าสำนักงาน",
    "/admin/office": "วันหยุดราชการ",
    "/admin/services": "รับแจ้งการเกิด",
    "/admin/counters": "งานทะเบียนราษฎร",
    "/admin/staff": "เจ้าหน้าที่ 1",
    "/admin/devices": "จับคู่อุปกรณ์ใหม่",
    "/admin/voice": "ฟังตัวอย่างประโยคเรียกคิว",
    "/admin/config": "ส่งออกการตั้งค่า",
    "/admin/province": "สิทธิ์ดูข้อมูลระดับจังหวัด",
    "/admin/audit": "บันทึกการเปลี่ยนแปลง",
    "/province": "เปรียบเทียบสำนักงาน",
}


@pytest.mark.parametrize("path", [*PAGES, "/admin/office?year=2570"])
async def test_without_a_login_each_page_sends_to_the_login_page(
    client: httpx.AsyncClient, path: str
) -> None:
    r = await client.get(path)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=" + quote(path, safe="")


async def test_an_admin_opens_every_page_in_thai(client: httpx.AsyncClient) -> None:
    csrf = await sign_in(client, "admin")
    for path, text in PAGES.items():
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert text in r.text, path
        assert f'<meta name="csrf-token" content="{csrf}">' in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert '<html lang="th">' in r.text


async def test_staff_get_a_thai_refusal_not_the_admin_pages(client: httpx.AsyncClient) -> None:
    await sign_in(client, "staff1")
    r = await client.get("/admin/staff")
    assert r.status_code == 403
    main = r.text.split("<main")[1].split("</main")[0]
    assert "สำหรับผู้ดูแลระบบเท่านั้น" in main and "staff2" not in main


async def test_the_admin_script_and_style_are_served(client: httpx.AsyncClient) -> None:
    for name in ("admin.js", "admin.css"):
        assert (await client.get(f"/static/admin/{name}")).status_code == 200
    assert (await client.get("/static/admin/../routes.py")).status_code == 404
