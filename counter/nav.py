"""The staff navigation bar: which pages each role reaches, and where each role lands on signing in.

Every staff, manager and admin page includes the one partial `_nav.html`, which asks
`nav_bar(request)` (a template global, see counter/ui.py) for the signed-in person's links; the
page dependencies of counter/pages.py leave the viewer on `request.state` for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from counter.auth import Role
from counter.texts import NAV as TEXT

STAFF = frozenset({Role.STAFF})
EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

# (key in TEXT, address, who sees it), in bar order. Paper tickets are entered from the
# continuity page by managers; staff reach them here.
PAGES: list[tuple[str, str, frozenset[Role]]] = [
    ("counter", "/counter", EVERYONE),
    ("supervisor", "/supervisor", MANAGERS),
    ("reports", "/reports", MANAGERS),
    ("complaints", "/complaints", EVERYONE),
    ("operations", "/operations", MANAGERS),
    # The office head's GECC evidence settings (admins reach them inside /admin).
    ("evidence_settings", "/admin/evidence", frozenset({Role.MANAGER})),
    ("paper", "/operations/paper", STAFF),
    ("admin", "/admin", ADMINS),
]

# Where each role starts after signing in (unless the sign-in was on the way to a page).
HOME: dict[Role, str] = {Role.ADMIN: "/admin", Role.MANAGER: "/supervisor", Role.STAFF: "/counter"}


@dataclass(frozen=True)
class Link:
    key: str
    href: str
    th: str
    en: str
    here: bool


@dataclass(frozen=True)
class NavBar:
    links: list[Link]
    name: str
    role: tuple[str, str]
    csrf_token: str


def home_for(role: Role | str) -> str:
    return HOME.get(Role(role), "/counter")


def links_for(role: Role | str, path: str) -> list[Link]:
    """The pages `role` may open, the one `path` is on marked (the longest address it is under)."""
    role = Role(role)
    mine = [(key, href) for key, href, roles in PAGES if role in roles]
    under = [href for _, href in mine if path == href or path.startswith(href + "/")]
    here = max(under, key=len, default=None)
    return [Link(key, href, *TEXT[key], here=href == here) for key, href in mine]


def nav_bar(request: Request) -> NavBar | None:
    """The bar for the person looking at this page; None on pages nobody signed in to."""
    viewer: Any = getattr(request.state, "viewer", None)
    if viewer is None:
        return None
    staff = viewer.staff
    return NavBar(
        links=links_for(staff.role, request.url.path),
        name=staff.display_name or staff.username,
        role=TEXT[f"role_{Role(staff.role).value}"],
        csrf_token=viewer.csrf_token,
    )
