"""Every page through axe-core (the engine bundled in axe-playwright-python, injected into the page,
never fetched): no serious or critical violation on any of them.

One server over the demo office and one browser for the module; each role signs in once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext

from tests.browser.console_fixtures import (
    LAPTOP,
    Office,
    browser_fixture,  # noqa: F401  (fixture)
    seeded_template_fixture,  # noqa: F401  (fixture)
    start_office,
)
from tests.browser_conftest_helpers import new_context
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

FY = date.today().year + 543 + (1 if date.today().month >= 10 else 0)

# (who looks: a role signing in, or nobody; the page's path, `{name}` filled in below).
PAGES: list[tuple[str | None, str]] = [
    (None, "/login"),
    (None, "/kiosk?token={kiosk}"),
    (None, "/t/{ticket}"),
    (None, "/complaint?office=demo"),
    (None, "/standards?office=demo"),
    (None, "/display?token={display}"),
    (None, "/display/counter/1?token={display}"),
    ("staff1", "/counter"),
    ("staff1", "/survey/counter/1"),
    ("manager", "/supervisor"),
    ("manager", "/reports"),
    ("manager", f"/reports/evidence?fy={FY}"),
    ("manager", "/reports/staff"),
    ("manager", "/needs"),
    ("manager", "/province"),
    ("manager", "/complaints"),
    ("manager", "/operations"),
    ("manager", "/operations/paper"),
    ("admin", "/admin"),
    ("admin", "/admin/office"),
    ("admin", "/admin/services"),
    ("admin", "/admin/counters"),
    ("admin", "/admin/staff"),
    ("admin", "/admin/devices"),
    ("admin", "/admin/voice"),
    ("admin", "/admin/audit"),
    ("admin", "/admin/config"),
    ("admin", "/admin/manuals"),
    ("admin", "/admin/evidence"),
    ("admin", "/admin/questionnaires"),
    ("admin", "/admin/province"),
    ("admin", "/admin/line"),
]
BLOCKING = frozenset({"serious", "critical"})


@pytest.fixture(scope="module", name="office")
async def module_office(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Office]:
    async with start_office(seeded_template, tmp_path_factory.mktemp("a11y")) as office:
        yield office


@pytest.fixture(scope="module", name="ticket")
async def ticket_fixture(office: Office) -> str:
    issued = await office.issue("birth", priority="elderly")
    return str(issued["status_url"]).rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(scope="module", name="contexts")
async def contexts_fixture(browser: Browser, office: Office) -> AsyncIterator[dict]:
    """One browser profile per role, signed in through the login API (its session cookie)."""
    made: dict[str | None, BrowserContext] = {None: await new_context(browser, LAPTOP)}
    for username in ("staff1", "manager", "admin"):
        context = await new_context(browser, LAPTOP)
        r = await context.request.post(
            f"{office.url}/api/v1/auth/login",
            data={"username": username, "password": DEMO_PASSWORDS[username]},
        )
        assert r.status == 200, await r.text()
        made[username] = context
    yield made
    for context in made.values():
        await context.close()


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[path.split("?")[0] for _, path in PAGES])
async def test_no_page_has_a_serious_or_critical_accessibility_violation(
    office: Office, contexts: dict, ticket: str, who: str | None, path: str
) -> None:
    url = office.url + path.format(
        kiosk=office.kiosk_token, display=office.display_token, ticket=ticket
    )
    page = await contexts[who].new_page()
    try:
        response = await page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response and response.status)
        await page.evaluate("document.fonts.ready.then(() => true)")
        results = await Axe().run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(
                f"  {', '.join(node['target'])}: {node['html'][:120]}"
                + "".join(f" [{check['message']}]" for check in node["any"][:1])
                for node in v["nodes"][:5]
            )
            for v in blocking
        )
        assert not blocking, f"{path}:\n{report}"
    finally:
        await page.close()
