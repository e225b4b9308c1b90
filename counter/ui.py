"""What every page shares: templates that extend one base, the Thai font, common CSS/JS, CSRF.

Pages are Thai first with English beside. Fonts and scripts are served by the app itself, never a
CDN: office networks are often closed, and a screen must never fall back to boxes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fontpkg_sarabun
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup
from starlette.responses import Response
from starlette.types import Scope

from counter import nav
from counter.queue.thai import BE_OFFSET, MONTHS_SHORT
from counter.texts import DATE_ENTRY, VALIDITY

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


class StaticFolder(StaticFiles):
    """A package's static folder. Files are revalidated on every load (a page picks up an
    upgrade when it reloads) unless `cache` gives their suffix a longer life (fonts, which never
    change under one name)."""

    def __init__(self, directory: Path, cache: Mapping[str, str] | None = None) -> None:
        super().__init__(directory=directory)
        self.cache = dict(cache or {})

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache.get(Path(full_path).suffix, "no-cache")
        return response


def mount_static(
    app: Any, url: str, directory: Path, name: str, cache: Mapping[str, str] | None = None
) -> None:
    app.mount(url, StaticFolder(directory, cache), name=name)


def mount_common_static(app: Any) -> None:
    mount_static(app, "/static/common", COMMON_STATIC, "common-static")


def date_entry_words() -> dict[str, Any]:
    """What the shared Thai date entry (static/thai-date.js) writes: its labels and the months."""
    return {
        "labels": {key: th for key, (th, _) in DATE_ENTRY.items()},
        "months": list(MONTHS_SHORT),
        "be_offset": BE_OFFSET,
    }


def phrases(text: object) -> Markup:
    """Thai text as one inline-block span per space-separated phrase (`.ph`, saduak.css), so a
    line breaks between phrases, not inside a word the browser's dictionary splits ("ปาน|กลาง");
    the same as Saduak.phrases in the page scripts."""
    parts = re.split(r"( +)", str(text or ""))
    return Markup("").join(
        Markup('<span class="ph">{}</span>').format(part) if part.strip() else part
        for part in parts
        if part
    )


def templates_for(package_dir: Path) -> Jinja2Templates:
    """Templates of one package, able to extend the shared base.html and partials."""
    templates = Jinja2Templates(directory=str(package_dir / "templates"))
    templates.env.loader = ChoiceLoader(
        [FileSystemLoader(str(package_dir / "templates")), FileSystemLoader(str(COMMON_TEMPLATES))]
    )
    templates.env.filters["phrases"] = phrases
    # The navigation bar every staff page includes (_nav.html).
    templates.env.globals["nav_bar"] = nav.nav_bar
    templates.env.globals["nav_text"] = nav.TEXT
    # The browser's form checks in Thai (base.html hands them to saduak.js).
    templates.env.globals["validity_text"] = VALIDITY
    templates.env.globals["date_entry"] = date_entry_words()
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
