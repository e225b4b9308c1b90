"""Voice administration: which clips are default, poor, missing or uploaded; upload; sample.

An office's recordings live in `Settings.var_dir / "clips" / <office code>/`, laid out as
`python -m displays.make_clips` writes a clip folder (WAV files and manifest.json with
source "office-upload"), so ClipLibrary(override_dir=office_clips_dir(...)) plays them. The admin
page (admin package) calls this API; uploads are audit-logged through `app.state.audit`, which
the admin package provides (displays cannot import it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import threading
import wave
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Protocol

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse

from counter import repository as repo
from counter.auth import StaffPrincipal
from counter.queue.errors import InvalidInput, NotFound
from counter.settings import Settings
from counter.web import CurrentAdmin, DatabaseDep, SettingsDep
from displays.text import VOICE_MESSAGES
from displays.voice import (
    ALL_CLIP_IDS,
    CLIP_TEXT,
    CLIPS_DIR,
    GOOD_QUALITIES,
    MANIFEST_NAME,
    ClipLibrary,
    Polite,
    announcement_clips,
    announcement_text,
)

# Uploads under this prefix may be larger than the app's JSON body limit (see saduak/app.py).
UPLOAD_PREFIX = "/api/v1/admin/voice/clips/"
router = APIRouter(prefix="/api/v1/admin/voice")

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_SECONDS = 5.0
# Telephone quality up to studio rates; anything else is more likely a wrong file.
MIN_RATE, MAX_RATE = 8000, 96000
MANIFEST_FORMAT = 1
_OFFICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# One upload or removal at a time per process, so the manifest is never written by two.
_manifest_lock = threading.Lock()


class AuditPort(Protocol):
    def record(
        self,
        actor: StaffPrincipal,
        action: str,
        target: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None: ...


def _invalid(key: str) -> InvalidInput:
    return InvalidInput(*VOICE_MESSAGES[key])


def office_clips_dir(settings: Settings, office_code: str) -> FilePath:
    """Where one office's own recordings are kept."""
    if not _OFFICE_CODE.match(office_code):
        raise _invalid("office_code")
    return settings.var_dir / "clips" / office_code


def check_wav(data: bytes) -> int:
    """The clip's length in ms, if `data` is a WAV an office may upload; InvalidInput if not."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _invalid("too_big")
    try:
        # The wave module reads uncompressed PCM only: any other encoding fails to open.
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, rate, frames = wav.getnchannels(), wav.getframerate(), wav.getnframes()
            width = wav.getsampwidth()
            audio = wav.readframes(frames)
    except (wave.Error, EOFError, ValueError):
        raise _invalid("not_wav") from None
    if channels not in (1, 2):
        raise _invalid("channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise _invalid("rate")
    # The header may claim more frames than the file holds; count what is there.
    frames = len(audio) // max(1, channels * width)
    if frames == 0:
        raise _invalid("empty")
    seconds = frames / rate
    if seconds > MAX_SECONDS:
        raise _invalid("too_long")
    return round(seconds * 1000)


def _read_manifest(folder: FilePath) -> dict[str, Any]:
    try:
        clips = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["clips"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return clips if isinstance(clips, dict) else {}


def _write_atomic(path: FilePath, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_manifest(folder: FilePath, clips: dict[str, Any]) -> None:
    body = {
        "format": MANIFEST_FORMAT,
        "generator": "saduak admin upload",
        "clips": dict(sorted(clips.items())),
    }
    text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    _write_atomic(folder / MANIFEST_NAME, text.encode("utf-8"))


def store_upload(
    folder: FilePath, clip_id: str, data: bytes, username: str, at: datetime
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Save an office recording of one clip; returns the manifest entry before and after."""
    duration_ms = check_wav(data)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {
        "file": f"{clip_id}.wav",
        "source": "office-upload",
        "quality": "ok",
        "duration_ms": duration_ms,
        "text": CLIP_TEXT[clip_id],
        "uploaded_by": username,
        "uploaded_at": at.isoformat(timespec="seconds"),
        "bytes": len(data),
    }
    with _manifest_lock:
        clips = _read_manifest(folder)
        before = clips.get(clip_id)
        _write_atomic(folder / f"{clip_id}.wav", data)
        clips[clip_id] = entry
        _write_manifest(folder, clips)
    return before, entry


def remove_upload(folder: FilePath, clip_id: str) -> dict[str, Any]:
    with _manifest_lock:
        clips = _read_manifest(folder)
        before = clips.pop(clip_id, None)
        if before is None:
            raise NotFound(*VOICE_MESSAGES["not_uploaded"])
        _write_manifest(folder, clips)
        (folder / f"{clip_id}.wav").unlink(missing_ok=True)
    return dict(before)


def clip_table(folder: FilePath) -> dict[str, Any]:
    """Every clip with its shipped default and what this office actually plays."""
    shipped = ClipLibrary(CLIPS_DIR, None)
    effective = ClipLibrary(CLIPS_DIR, folder)
    uploads = _read_manifest(folder)
    rows = []
    for clip_id in ALL_CLIP_IDS:
        default = shipped.clips[clip_id]
        used = effective.clips[clip_id]
        upload = uploads.get(clip_id) if used.source == "office-upload" else None
        rows.append(
            {
                "id": clip_id,
                "text": CLIP_TEXT[clip_id],
                "default_quality": default.quality,
                "default_source": default.source,
                "quality": used.quality,
                "source": used.source,
                "duration_ms": used.duration_ms,
                "playable": used.path is not None,
                "good": used.quality in GOOD_QUALITIES,
                "uploaded_by": upload.get("uploaded_by") if isinstance(upload, dict) else None,
                "uploaded_at": upload.get("uploaded_at") if isinstance(upload, dict) else None,
            }
        )
    return {"clips": rows, "status": effective.status()}


async def _office_dir(who: StaffPrincipal, db: Any, settings: Settings) -> FilePath:
    def read() -> str:
        with db.read() as session:
            office = repo.get_office(session, who.office_id)
            if office is None:
                raise NotFound(*VOICE_MESSAGES["no_office"])
            return office.code

    return office_clips_dir(settings, await anyio.to_thread.run_sync(read))


def _known(clip_id: str) -> str:
    if clip_id not in CLIP_TEXT:
        raise NotFound(*VOICE_MESSAGES["unknown_clip"])
    return clip_id


ClipId = Annotated[str, Path(max_length=40)]


@router.get("", tags=["voice"])
async def voice_status(admin: CurrentAdmin, db: DatabaseDep, settings: SettingsDep) -> Any:
    """Each clip: its shipped default (quality, source) and what this office plays."""
    folder = await _office_dir(admin, db, settings)
    return await anyio.to_thread.run_sync(clip_table, folder)


@router.get("/clips/{clip_id}.wav", tags=["voice"], response_class=FileResponse)
async def clip_file(
    clip_id: ClipId, admin: CurrentAdmin, db: DatabaseDep, settings: SettingsDep
) -> FileResponse:
    """The clip as this office plays it (its upload, else the shipped one)."""
    folder = await _office_dir(admin, db, settings)
    path = ClipLibrary(CLIPS_DIR, folder).path(_known(clip_id))
    if path is None:
        raise NotFound(*VOICE_MESSAGES["unknown_clip"])
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-cache"})


@router.put("/clips/{clip_id}", tags=["voice"])
async def upload_clip(
    clip_id: ClipId,
    request: Request,
    admin: CurrentAdmin,
    db: DatabaseDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Replace one clip with the office's own recording: the request body is the WAV file
    (PCM, mono or stereo, at most 5 s and 1 MB)."""
    _known(clip_id)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_UPLOAD_BYTES:
            raise _invalid("too_big")
    folder = await _office_dir(admin, db, settings)
    audit: AuditPort = request.app.state.audit
    now: datetime = request.app.state.queue.clock()

    def run() -> dict[str, Any]:
        before, after = store_upload(folder, clip_id, bytes(data), admin.username, now)
        audit.record(admin, "voice.upload", f"clip:{clip_id}", before, after)
        return after

    return {"clip": clip_id, **await anyio.to_thread.run_sync(run)}


@router.delete("/clips/{clip_id}", tags=["voice"], status_code=204)
async def remove_clip(
    clip_id: ClipId, request: Request, admin: CurrentAdmin, db: DatabaseDep, settings: SettingsDep
) -> Response:
    """Go back to the shipped clip."""
    _known(clip_id)
    folder = await _office_dir(admin, db, settings)
    audit: AuditPort = request.app.state.audit

    def run() -> None:
        before = remove_upload(folder, clip_id)
        audit.record(admin, "voice.remove", f"clip:{clip_id}", before, None)

    await anyio.to_thread.run_sync(run)
    return Response(status_code=204)


@router.get("/sample", tags=["voice"])
async def sample(
    admin: CurrentAdmin,
    number: Annotated[str, Query(max_length=8)] = "B015",
    counter: Annotated[int, Query(ge=0, le=9999)] = 3,
    repeat: Annotated[int, Query(ge=1, le=3)] = 1,
    english: bool = False,
    polite: Annotated[str, Query(pattern="^(ka|krap)$")] = "ka",
) -> dict[str, Any]:
    """The clips of one call, as the screens would play them, with their URLs."""
    voice: Polite = "krap" if polite == "krap" else "ka"
    try:
        clips = announcement_clips(number, counter, repeat=repeat, english=english, polite=voice)
        text = announcement_text(number, counter, polite=voice)
    except ValueError:
        raise _invalid("sample") from None
    return {
        "clips": clips,
        "urls": [f"{router.prefix}/clips/{clip_id}.wav" for clip_id in clips],
        "text": text,
    }
