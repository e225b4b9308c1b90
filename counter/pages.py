"""Pages of every package: who is looking, one refusal handler, one renderer, one header policy.

- Log-in and permission by exception: a page takes `PageViewer`, `PageManager` or `PageAdmin`
  (dependencies that raise `LoginRequired` or `PageForbidden`); `install_page_handlers` turns
  them into the sign-in redirect and the one forbidden page. API errors keep their JSON shape
  (counter/web.py); these two exceptions are raised by page dependencies only.
- `render_page`: a package's template with the common context and never-cached headers.
- `SecurityHeaders`: every HTML response of the app — kiosk, status page, survey, console,
  reports, admin, displays, /docs — gets the same Content-Security-Policy (everything from this
  server; no inline script), no framing, and no Referer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from counter.auth import Role, StaffPrincipal
from counter.nav import home_for
from counter.texts import PAGES as TEXT
from counter.ui import COMMON_TEMPLATES, csrf_token_for, mount_static, templates_for
from counter.web import token_from_request

MANAGER_ROLES = frozenset({Role.ADMIN, Role.MANAGER})

_templates = templates_for(COMMON_TEMPLATES.parent)


# ------------------------------------------------------------------ who is looking


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member looking at a page, and their session token."""

    staff: StaffPrincipal
    token: str

    @property
    def csrf_token(self) -> str:
        return csrf_token_for(self.token)


class LoginRequired(Exception):
    """Nobody is signed in (or the session ended): the page sends them to sign in."""

    def __init__(self, expired: bool) -> None:
        super().__init__("sign in first")
        self.expired = expired


class PageForbidden(Exception):
    """Signed in, but this page is not for them: the forbidden page, with why (Thai, English)."""

    def __init__(self, why: tuple[str, str]) -> None:
        super().__init__(why[1])
        self.why = why


async def page_viewer(request: Request) -> Viewer:
    token = token_from_request(request)
    principal = await request.app.state.auth.resolve(token) if token else None
    if token is None or not isinstance(principal, StaffPrincipal):
        raise LoginRequired(expired=token is not None)
    viewer = Viewer(principal, token)
    # For the navigation bar the page's template includes (counter/nav.py).
    request.state.viewer = viewer
    return viewer


async def page_manager(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    if viewer.staff.role not in MANAGER_ROLES:
        raise PageForbidden(TEXT["managers_only"])
    return viewer


async def page_admin(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    if viewer.staff.role != Role.ADMIN:
        raise PageForbidden(TEXT["admins_only"])
    return viewer


PageViewer = Annotated[Viewer, Depends(page_viewer)]
PageManager = Annotated[Viewer, Depends(page_manager)]
PageAdmin = Annotated[Viewer, Depends(page_admin)]


def login_url(request: Request, *, expired: bool = False) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + ("expired=1&" if expired else "") + "next=" + quote(target, safe="")


def install_page_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(login_url(request, expired=exc.expired), status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> HTMLResponse:
        viewer = getattr(request.state, "viewer", None)
        home = home_for(viewer.staff.role) if viewer is not None else "/counter"
        return render_page(
            _templates,
            request,
            "forbidden.html",
            {"why": exc.why, "t": TEXT, "login": login_url(request), "home": home},
            status_code=403,
        )


# ------------------------------------------------------------------ rendering


def render_page(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    cache: str = "no-store",
) -> HTMLResponse:
    """A page: pages that carry a CSRF token or personal data are never cached (`cache`
    loosens it for pages that carry neither)."""
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers={"Cache-Control": cache}
    )


# ------------------------------------------------------------------ headers


def content_security_policy(host: str) -> str:
    # Everything comes from this server: office networks are often closed, and a page that holds
    # a CSRF token must not run injected code (no inline script or style anywhere).
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
        f"img-src 'self' data:; media-src 'self'; connect-src 'self' ws://{host} wss://{host}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """The one header policy of every HTML response (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1")
                break

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = content_security_policy(host)
                    headers["X-Frame-Options"] = "DENY"
                    headers["Referrer-Policy"] = "no-referrer"
                    headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------ API docs


async def _api_docs(request: Request) -> HTMLResponse:
    # The app from the request, not from a closure: FastAPI keeps every endpoint it has seen in
    # a process-wide cache, and an endpoint that held its app would keep each app alive.
    title = request.app.title
    return render_page(_templates, request, "docs.html", {"title": title}, cache="no-cache")


def mount_api_docs(app: FastAPI) -> None:
    """/docs: Swagger UI served from this server (swagger-ui-bundle), not from a CDN — the office
    network may have no internet — and started by a script file, as the header policy wants."""
    mount_static(app, "/static/swagger-ui", Path(swagger_ui_path), "swagger-ui")
    app.add_api_route("/docs", _api_docs, methods=["GET"], include_in_schema=False)
