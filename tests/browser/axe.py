"""Pages through axe-core (the engine bundled in axe-playwright-python, injected into the page,
never fetched) for the accessibility test modules: one server over the demo office per module,
one browser profile per role signed in once, and the check that no page has a serious or
critical violation. The pages are split over two modules so that two test workers share them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext

from tests.browser.console_fixtures import LAPTOP, Office, start_office
from tests.browser_conftest_helpers import new_context
from tests.conftest import DEMO_PASSWORDS

BLOCKING = frozenset({"serious", "critical"})


def ids(pages: list[tuple[str | None, str]]) -> list[str]:
    return [path.split("?")[0] for _, path in pages]


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


async def assert_no_blocking_violation(
    office: Office, contexts: dict, ticket: str, who: str | None, path: str
) -> None:
    url = office.url + path.format(
        kiosk=office.kiosk_token, display=office.display_token, ticket=ticket
    )
    # One tab per role, taken from page to page as a person browsing would: the renderer and
    # what it compiled (axe's half a megabyte of script) stay, where a new tab per page cost
    # about 0.4 s of chromium's CPU more.
    context: BrowserContext = contexts[who]
    page = context.pages[0] if context.pages else await context.new_page()
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
