"""Display screens: hall and counter pages, their files and clips, and the WebSocket feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from counter import repository as repo
from counter.auth import DeviceKind, DevicePrincipal
from counter.db import Database
from counter.feed import receive_json
from counter.pages import render_page
from counter.ui import mount_static, templates_for
from counter.web import CurrentManager, DatabaseDep, token_from_request
from displays.feed import DisplayConnection, DisplayHub
from displays.messages import CLOSE_BAD_TOKEN, CLOSE_NOT_DISPLAY, CLOSE_SILENT
from displays.settings import DisplaySettings, get_display_settings
from displays.text import TEXT, page_catalogue
from displays.voice import ALL_CLIP_IDS, ClipLibrary
from displays.voice_admin import office_clips_dir

router = APIRouter()

HERE = FilePath(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_URL = "/display/static"
CLIPS_URL = "/display/clips"
WS_PATH = "/ws/display"
templates = templates_for(HERE)

# A page that reloads without its token in the address keeps working: the token is in the
# browser's storage. A page that connects without ?token sends it in a first "hello" message,
# so device tokens stay out of access logs.
HELLO_TIMEOUT_S = 10.0
MAX_CLIENT_MESSAGE = 4096

_CACHE = {".ttf": "public, max-age=604800", ".wav": "public, max-age=3600"}


def mount_displays_static(app: Any) -> None:
    mount_static(app, STATIC_URL, STATIC_DIR, "displays-static", cache=_CACHE)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The screens' part of the office feed (app.state.feeds) and their last-seen bookkeeping."""
    settings: DisplaySettings = (
        getattr(app.state, "display_settings", None) or get_display_settings()
    )
    hub = DisplayHub(feeds=app.state.feeds, settings=settings)
    app.state.display_settings = settings
    app.state.clip_library = ClipLibrary(override_dir=settings.clips_dir)
    app.state.displays = hub
    await hub.start()
    try:
        yield
    finally:
        await hub.stop()


# ------------------------------------------------------------------ pages


def _page(request: Request, template: str, config: dict[str, Any]) -> HTMLResponse:
    settings: DisplaySettings = request.app.state.display_settings
    config = {
        **config,
        "ws_path": WS_PATH,
        "static": STATIC_URL,
        "manifest_url": f"{CLIPS_URL}/manifest.json",
        "voice_mode": settings.voice_mode,
        **page_catalogue(),
    }
    # The first visit carries ?token=: SecurityHeaders keeps it out of any Referer.
    return render_page(
        templates,
        request,
        template,
        {"t": TEXT, "config": config, "static": STATIC_URL},
        cache="no-cache",
    )


@router.get("/display", response_class=HTMLResponse, include_in_schema=False)
async def hall_page(request: Request) -> HTMLResponse:
    """The hall TV (1920×1080): the call just made, every counter, recent calls, waiting."""
    return _page(request, "display/hall.html", {"page": "hall", "sound": True})


@router.get("/display/counter/{number}", response_class=HTMLResponse, include_in_schema=False)
async def counter_page(
    request: Request, number: Annotated[int, Path(ge=1, le=9999)]
) -> HTMLResponse:
    """The small screen above one counter: its current number, very large. Silent by default
    (the hall speaks); `?sound=on` makes it announce its own counter's calls."""
    return _page(
        request, "display/counter.html", {"page": "counter", "counter": number, "sound": False}
    )


@router.get(CLIPS_URL + "/manifest.json", include_in_schema=False)
async def clip_manifest(request: Request) -> JSONResponse:
    """The clips a screen preloads. A paired screen (its token in the Authorization header) gets
    its own office's recordings where the office uploaded them, the shipped set elsewhere."""
    library, office_id = await _library_for_request(request)
    manifest = library.page_manifest(CLIPS_URL)
    if office_id is not None:
        for entry in manifest["clips"].values():
            if entry["url"]:
                entry["url"] += f"?office={office_id}"
    return JSONResponse(manifest, headers={"Cache-Control": "no-cache"})


@router.get(CLIPS_URL + "/{clip_id}.wav", include_in_schema=False)
async def clip_file(
    request: Request, clip_id: str, office: Annotated[int | None, Query(ge=1)] = None
) -> FileResponse:
    """A clip. The shipped clips are public (they come with the software); an office's own
    recordings are its staff's voices, so `?office=` answers only that office's screens and
    staff, and is "no such clip" to anyone else."""
    if office is not None:
        _, office_id = await _library_for_request(request)
        if office_id != office:
            raise HTTPException(404, "no such clip")
    library = await _office_library(request, office) if office else request.app.state.clip_library
    path = library.path(clip_id) if clip_id in ALL_CLIP_IDS else None
    if path is None:
        raise HTTPException(404, "no such clip")
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-cache"})


async def _library_for_request(request: Request) -> tuple[ClipLibrary, int | None]:
    token = token_from_request(request)
    principal = await request.app.state.auth.resolve(token) if token else None
    if principal is None:
        return request.app.state.clip_library, None
    return await _office_library(request, principal.office_id), principal.office_id


async def _office_library(request: Request, office_id: int) -> ClipLibrary:
    """The office's clip set: its uploads over the shipped clips, re-read when they change."""
    state = request.app.state
    db: Database = state.db

    def code() -> str | None:
        with db.read() as session:
            office = repo.get_office(session, office_id)
            return office.code if office else None

    office_code = await anyio.to_thread.run_sync(code)
    if office_code is None:
        raise HTTPException(404, "no such office")
    folder = office_clips_dir(state.settings, office_code)
    manifest = folder / "manifest.json"
    stamp = manifest.stat().st_mtime if manifest.exists() else 0.0
    cache: dict[int, tuple[float, ClipLibrary]] = state.__dict__.setdefault("office_clips", {})
    hit = cache.get(office_id)
    if hit is None or hit[0] != stamp:
        fallback = state.clip_library
        library = ClipLibrary(override_dir=folder) if stamp else fallback
        cache[office_id] = hit = (stamp, library)
    return hit[1]


# ------------------------------------------------------------------ admin view


@router.get("/api/v1/displays", tags=["displays"])
async def display_status(request: Request, staff: CurrentManager, db: DatabaseDep) -> JSONResponse:
    """The office's display screens (last seen, connected to this process) and the voice set's
    honest state: which announcement clips are poor or missing."""

    def read() -> list[dict[str, Any]]:
        with db.read() as session:
            return [
                {
                    "id": d.id,
                    "name": d.name,
                    "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
                    "revoked": d.revoked_at is not None,
                }
                for d in repo.devices(session, staff.office_id)
                if d.kind == DeviceKind.DISPLAY
            ]

    devices = await anyio.to_thread.run_sync(read)
    hub: DisplayHub = request.app.state.displays
    connected: dict[int, int] = {}
    for conn in hub.connections():
        if conn.office_id == staff.office_id:
            connected[conn.device.device_id] = connected.get(conn.device.device_id, 0) + 1
    library: ClipLibrary = request.app.state.clip_library
    return JSONResponse(
        {
            "displays": [{**d, "connections_here": connected.get(d["id"], 0)} for d in devices],
            "voice": library.status(),
        }
    )


# ------------------------------------------------------------------ the feed


@router.websocket(WS_PATH)
async def display_feed(
    websocket: WebSocket, token: Annotated[str | None, Query(max_length=200)] = None
) -> None:
    """Live feed for a paired display screen: a snapshot, then events, heartbeats.

    Authenticate with `?token=DISPLAY_TOKEN`, or with a first message
    `{"type": "hello", "token": ...}`. Refusals close with 4401 (bad token) or 4403 (not a
    display). Screens may send `{"type": "resync"}` for a fresh snapshot and
    `{"type": "ack", "seq": n}` after heartbeats. Message format: displays/messages.py.
    """
    await websocket.accept()
    if not token:
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_S):
                hello = await receive_json(websocket, max_length=MAX_CLIENT_MESSAGE)
        except TimeoutError:
            hello = {}
        if hello is None:
            return  # gone, or closed for sending something that is not JSON
        if hello.get("type") == "hello" and isinstance(hello.get("token"), str):
            token = hello["token"][:200]
        if not token:
            await websocket.close(CLOSE_SILENT, "no token: use ?token= or a hello message")
            return
    principal = await websocket.app.state.auth.resolve(token)
    if principal is None:
        await websocket.close(CLOSE_BAD_TOKEN, "invalid or revoked display token")
        return
    if not isinstance(principal, DevicePrincipal) or principal.kind is not DeviceKind.DISPLAY:
        await websocket.close(CLOSE_NOT_DISPLAY, "not a display token")
        return
    hub: DisplayHub = websocket.app.state.displays
    loop = asyncio.get_running_loop()
    conn = DisplayConnection(websocket, principal, loop.time())
    hub.join(conn)
    try:
        while (message := await receive_json(websocket, max_length=MAX_CLIENT_MESSAGE)) is not None:
            conn.last_heard = loop.time()
            kind = message.get("type")
            if kind == "ack":
                conn.acks = True
            elif kind == "resync":
                hub.resync(conn)
    finally:
        hub.leave(conn)
