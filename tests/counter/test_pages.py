"""Every page: one header policy (CSP, no framing, no Referer), one sign-in redirect, one forbidden
page, the API docs served from this server."""

from __future__ import annotations

import re

import httpx
import pytest

from counter.service import QueueService
from tests.conftest import SQLITE_ONLY, sign_in

pytestmark = [pytest.mark.usefixtures("demo"), SQLITE_ONLY]


async def status_path(queue: QueueService) -> str:
    ticket = await queue.issue_ticket(1, "birth")
    return "/t/" + ticket.token


def assert_page_policy(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp, (response.url, csp)
    assert "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    # No inline script, no inline style: the policy would block them.
    body = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body), (
        response.url
    )
    assert " style=" not in body, response.url


PUBLIC_PAGES = ["/kiosk", "/login", "/display", "/display/counter/1", "/survey/counter/1", "/docs"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_every_public_page_sends_the_one_header_policy(
    app_client: httpx.AsyncClient, path: str
) -> None:
    r = await app_client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert_page_policy(r)


async def test_the_citizen_status_page_and_survey_send_it_too(
    app_client: httpx.AsyncClient, queue: QueueService
) -> None:
    path = await status_path(queue)
    for page in (path, path.replace("/t/", "/survey/"), "/t/no-such-ticket-token"):
        r = await app_client.get(page)
        assert r.status_code in (200, 404)
        assert_page_policy(r)


@pytest.mark.parametrize("user", ["manager", "admin"])
async def test_signed_in_pages_send_it_too(app_client: httpx.AsyncClient, user: str) -> None:
    await sign_in(app_client, user)
    pages = ["/counter", "/supervisor", "/reports", "/reports/evidence"]
    if user == "admin":
        pages += ["/admin", "/admin/staff"]
    for path in pages:
        r = await app_client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert_page_policy(r)


@pytest.mark.parametrize(
    ("user", "path", "why"),
    [
        ("staff1", "/supervisor", "สำหรับหัวหน้าสำนักงานและผู้ดูแลระบบเท่านั้น"),
        ("staff1", "/reports", "สำหรับหัวหน้าสำนักงานและผู้ดูแลระบบเท่านั้น"),
        ("manager", "/admin/devices", "สำหรับผู้ดูแลระบบเท่านั้น"),
    ],
)
async def test_one_forbidden_page_says_why_in_thai_and_english(
    app_client: httpx.AsyncClient, user: str, path: str, why: str
) -> None:
    await sign_in(app_client, user)
    r = await app_client.get(path)
    assert r.status_code == 403
    assert_page_policy(r)
    assert 'id="forbidden"' in r.text and why in r.text and "Not allowed" in r.text
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/counter", "/supervisor", "/reports", "/admin", "/province"])
async def test_every_page_sends_a_visitor_without_a_session_to_sign_in(
    app_client: httpx.AsyncClient, path: str
) -> None:
    r = await app_client.get(path + "?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=%2F{path[1:]}%3Fx%3D1"
    app_client.cookies.set("saduak_session", "st_ended-session")
    r = await app_client.get(path)
    assert r.headers["location"] == f"/login?expired=1&next=%2F{path[1:]}"


async def test_the_api_docs_load_nothing_from_another_host(app_client: httpx.AsyncClient) -> None:
    page = await app_client.get("/docs")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        r = await app_client.get(asset)
        assert r.status_code == 200, asset
    assert (await app_client.get("/openapi.json")).json()["info"]["title"].startswith("Saduak")
    assert (await app_client.get("/redoc")).status_code == 404
