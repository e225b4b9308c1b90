"""Every admin page through axe-core: no serious or critical violation on any of them."""

from __future__ import annotations

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

PAGES: list[tuple[str | None, str]] = [
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


@pytest.mark.parametrize(("who", "path"), PAGES, ids=ids(PAGES))
async def test_no_admin_page_has_a_serious_or_critical_accessibility_violation(
    office: Office, contexts: dict, ticket: str, who: str | None, path: str
) -> None:
    await assert_no_blocking_violation(office, contexts, ticket, who, path)
