"""Every page a citizen, a screen or staff opens through axe-core: no serious or critical
violation on any of them (the admin's pages: test_accessibility_admin.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.axe import (
    assert_no_blocking_violation,
    contexts_fixture,  # noqa: F401  (fixture)
    ids,
    module_office,  # noqa: F401  (fixture)
    ticket_fixture,  # noqa: F401  (fixture)
)
from tests.browser.console_fixtures import Office

pytestmark = pytest.mark.browser

FY = date.today().year + 543 + (1 if date.today().month >= 10 else 0)

# (who looks: a role signing in, or nobody; the page's path, `{name}` filled in by the check).
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
]


@pytest.mark.parametrize(("who", "path"), PAGES, ids=ids(PAGES))
async def test_no_page_has_a_serious_or_critical_accessibility_violation(
    office: Office, contexts: dict, ticket: str, who: str | None, path: str
) -> None:
    await assert_no_blocking_violation(office, contexts, ticket, who, path)
