"""One navigation bar chosen by role, on every staff, manager and admin page, and a start page by
role after signing in."""

from __future__ import annotations

import re

import httpx
import pytest

from counter.auth import Role
from counter.nav import home_for, links_for
from tests.conftest import DEMO_PASSWORDS, SQLITE_ONLY, sign_in

pytestmark = [pytest.mark.usefixtures("demo"), SQLITE_ONLY]

# Every page a signed-in person opens, by who may open it.
PAGES = {
    "staff1": ["/counter", "/complaints", "/operations/paper"],
    "manager": [
        "/counter",
        "/supervisor",
        "/reports",
        "/reports/evidence",
        "/reports/staff",
        "/complaints",
        "/operations",
        "/operations/paper",
        "/admin/evidence",
        "/admin/manuals",
        "/admin/questionnaires",
    ],
    "admin": [
        "/counter",
        "/supervisor",
        "/reports",
        "/complaints",
        "/operations",
        "/admin",
        "/admin/office",
        "/admin/services",
        "/admin/counters",
        "/admin/staff",
        "/admin/devices",
        "/admin/voice",
        "/admin/config",
        "/admin/manuals",
        "/admin/evidence",
        "/admin/questionnaires",
        "/admin/province",
        "/admin/audit",
        "/province",
    ],
}
ROLES = {"staff1": Role.STAFF, "manager": Role.MANAGER, "admin": Role.ADMIN}
NAV = re.compile(r'<nav class="rolenav[^"]*"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*data-nav="(\w+)"([^>]*)>')


class TestTheBarByRole:
    def test_staff_reach_their_console_complaints_and_paper_tickets_only(self) -> None:
        assert [link.href for link in links_for(Role.STAFF, "/counter")] == [
            "/counter",
            "/complaints",
            "/operations/paper",
        ]

    def test_managers_reach_the_supervisor_view_and_reports_but_not_admin(self) -> None:
        hrefs = [link.href for link in links_for(Role.MANAGER, "/reports")]
        assert hrefs == [
            "/counter",
            "/supervisor",
            "/reports",
            "/complaints",
            "/operations",
            "/admin/evidence",
        ]

    def test_admins_reach_every_page(self) -> None:
        hrefs = [link.href for link in links_for(Role.ADMIN, "/admin/staff")]
        assert hrefs[-1] == "/admin" and "/reports" in hrefs and "/supervisor" in hrefs

    @pytest.mark.parametrize(
        ("path", "here"),
        [
            ("/admin/staff", "/admin"),
            ("/reports/evidence", "/reports"),
            ("/operations/paper", "/operations"),
            ("/counter", "/counter"),
            ("/province", None),
        ],
    )
    def test_the_page_one_is_on_is_marked_by_the_longest_address_it_is_under(
        self, path: str, here: str | None
    ) -> None:
        marked = [link.href for link in links_for(Role.ADMIN, path) if link.here]
        assert marked == ([here] if here else [])

    @pytest.mark.parametrize(
        ("role", "home"),
        [(Role.ADMIN, "/admin"), (Role.MANAGER, "/supervisor"), (Role.STAFF, "/counter")],
    )
    def test_each_role_starts_on_its_own_page(self, role: Role, home: str) -> None:
        assert home_for(role) == home


@pytest.mark.parametrize("user", list(PAGES))
async def test_every_page_of_a_role_shows_the_same_bar(
    app_client: httpx.AsyncClient, user: str
) -> None:
    await sign_in(app_client, user)
    for path in PAGES[user]:
        r = await app_client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        bars = NAV.findall(r.text)
        assert len(bars) == 1, path
        links = LINK.findall(bars[0])
        expected = links_for(ROLES[user], path)
        assert [(href, key) for href, key, _ in links] == [(x.href, x.key) for x in expected]
        marked = [href for href, _, rest in links if 'aria-current="page"' in rest]
        assert marked == [x.href for x in expected if x.here], path
        assert "data-logout" in r.text, path


async def test_the_forbidden_page_shows_the_bar_and_the_way_to_ones_own_start_page(
    app_client: httpx.AsyncClient,
) -> None:
    await sign_in(app_client, "manager")
    r = await app_client.get("/admin/devices")
    assert r.status_code == 403
    assert len(NAV.findall(r.text)) == 1
    assert 'href="/supervisor"' in r.text


@pytest.mark.parametrize("user", list(ROLES))
async def test_the_login_answer_names_the_start_page_of_the_role(
    app_client: httpx.AsyncClient, user: str
) -> None:
    r = await app_client.post(
        "/api/v1/auth/login", json={"username": user, "password": DEMO_PASSWORDS[user]}
    )
    assert r.json()["home"] == home_for(ROLES[user])


async def test_the_login_page_keeps_a_page_asked_for_and_otherwise_leaves_it_to_the_role(
    app_client: httpx.AsyncClient,
) -> None:
    assert 'data-next="/reports"' in (await app_client.get("/login?next=/reports")).text
    assert 'data-next=""' in (await app_client.get("/login")).text
