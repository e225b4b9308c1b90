"""Fixtures of the kiosk browser tests: a server over a fresh copy of the seeded demo office with
the fake network printer, and helpers to open a kiosk and take a ticket as a citizen does."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from counter.auth import DeviceKind, add_device
from counter.bus import MemoryBus
from counter.db import Database
from counter.service import QueueService
from tests.browser_conftest_helpers import new_context
from tests.conftest import DEMO_PASSWORDS
from tests.live import Served, serve
from tests.printer.fake import FakePrinter

PORTRAIT = (1080, 1920)
GROUP_OF = {
    "birth": "civil_registration",
    "move_in": "civil_registration",
    "marriage": "family_registration",
}
PHONE = (390, 844)


@dataclass
class Site:
    server: Served
    db: Database
    printer: FakePrinter

    def kiosk(self, name: str, printer_url: str | None) -> str:
        with self.db.write() as session:
            _, token = add_device(session, 1, DeviceKind.KIOSK, name, _now(), printer=printer_url)
        return token

    async def staff(self, client: httpx.AsyncClient, who: str = "staff1") -> dict[str, str]:
        r = await client.post(
            f"{self.server.url}/api/v1/auth/login",
            json={"username": who, "password": DEMO_PASSWORDS[who]},
        )
        return {"Authorization": f"Bearer {r.json()['token']}"}


def _now():  # the server runs on real time; so does the data the test adds
    from datetime import UTC, datetime

    return datetime.now(UTC)


@pytest.fixture(name="site")
async def site_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_template: Path
) -> AsyncIterator[Site]:
    """A copy of the seeded demo office, served in this process: each test starts from an
    empty line (its first birth ticket is A001). A test marked `print_wait(seconds)` gets a
    server whose taps wait that long for their slip (SADUAK_PRINT_WAIT_SECONDS) instead of the
    default."""
    path = tmp_path / "kiosk.db"
    shutil.copy(seeded_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    settings: dict[str, float] = {}
    marker = request.node.get_closest_marker("print_wait")
    if marker is not None:
        settings["print_wait_seconds"] = marker.args[0]
    async with (
        FakePrinter() as printer,
        serve(url, kiosk_rate_per_minute=100, **settings) as server,
    ):
        try:
            yield Site(server, db, printer)
        finally:
            db.dispose()


async def open_kiosk(browser: Browser, site: Site, token: str) -> Page:
    context = await new_context(browser, PORTRAIT)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(f"{site.server.url}/kiosk?token={token}")
    await expect(page.locator("[data-group=civil_registration]")).to_be_visible()
    return page


async def tap(page: Page, service: str) -> None:
    """As a citizen does it: the group of services first, then the service."""
    await page.locator(f"[data-group={GROUP_OF[service]}]").click()
    await page.locator(f"[data-service={service}]").click()


async def ticket_view(site: Site, number: str):
    queue = QueueService(site.db, MemoryBus())
    office = await queue.office(1)
    from sqlmodel import select

    from counter.models import Ticket

    with site.db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.id is not None
    return await queue.ticket(1, ticket.id), office
