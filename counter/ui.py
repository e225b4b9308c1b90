"""What every page shares: templates that extend one base, the Thai font, common CSS/JS, CSRF.

Pages are Thai first with English beside. Fonts and scripts are served by the app itself, never a
CDN: office networks are often closed, and a screen must never fall back to boxes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import fontpkg_sarabun
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

COUNTER_DIR = Path(__file__).resolve().parent
COMMON_TEMPLATES = COUNTER_DIR / "templates"
COMMON_STATIC = COUNTER_DIR / "static"
FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
# Only these weights are served; the rest of the family stays unused.
FONT_FILES = frozenset(
    {"Sarabun-Regular.ttf", "Sarabun-Medium.ttf", "Sarabun-SemiBold.ttf", "Sarabun-Bold.ttf"}
)

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

router = APIRouter(include_in_schema=False)


@router.get("/static/fonts/{name}")
async def font(name: str) -> FileResponse:
    if name not in FONT_FILES:
        raise HTTPException(404, detail="no such font")
    return FileResponse(
        FONT_DIR / name,
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=604800, immutable"},
    )


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(COMMON_STATIC / "favicon.svg", media_type="image/svg+xml")


def mount_common_static(app: Any) -> None:
    app.mount("/static/common", StaticFiles(directory=COMMON_STATIC), name="common-static")


def templates_for(package_dir: Path) -> Jinja2Templates:
    """Templates of one package, able to extend the shared base.html and partials."""
    templates = Jinja2Templates(directory=str(package_dir / "templates"))
    templates.env.loader = ChoiceLoader(
        [FileSystemLoader(str(package_dir / "templates")), FileSystemLoader(str(COMMON_TEMPLATES))]
    )
    return templates


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of a login session: derived from the HttpOnly session cookie, which a
    script on another site can neither read nor send with a custom header."""
    return hashlib.sha256(f"saduak-csrf:{session_token}".encode()).hexdigest()


def csrf_ok(request: Request, session_token: str, form_value: str | None = None) -> bool:
    expected = csrf_token_for(session_token)
    given = request.headers.get(CSRF_HEADER) or form_value or ""
    return _consteq(given, expected)


def _consteq(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())
