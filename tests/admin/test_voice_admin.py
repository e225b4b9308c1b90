"""Voice clips in the admin: which are poor or missing, an office's own recordings, a sample."""

from __future__ import annotations

import io
import json
import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from displays.voice import ALL_CLIP_IDS, CLIPS_DIR, ClipLibrary
from displays.voice_admin import check_wav
from tests.admin.conftest import North, assert_thai_error, audit
from tests.conftest import DEMO_PASSWORDS, SQLITE_ONLY, login

pytestmark = SQLITE_ONLY

BASE = "/api/v1/admin/voice"


def wav(
    seconds: float, *, rate: int = 16000, channels: int = 1, width: int = 2, tone: float = 440
) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            value = math.sin(2 * math.pi * tone * i / rate)
            if width == 1:
                sample = bytes([int(128 + 100 * value)])
            else:
                sample = struct.pack("<h", int(12000 * value))
            frames += sample * channels
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def float_wav() -> bytes:
    """A 32-bit float WAV (format 3): not PCM."""
    data = struct.pack("<4f", 0.0, 0.5, -0.5, 0.0)
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


async def clips(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.get(BASE, headers=headers)
    assert r.status_code == 200, r.text
    return {c["id"]: c for c in r.json()["clips"]}


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], clip: str, data: bytes
) -> httpx.Response:
    return await client.put(
        f"{BASE}/clips/{clip}", content=data, headers={**headers, "Content-Type": "audio/wav"}
    )


class TestTheClipTable:
    async def test_every_clip_shows_its_default_and_the_poor_ones_are_named(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        r = await client.get(BASE, headers=admin)
        body = r.json()
        table = {c["id"]: c for c in body["clips"]}
        assert list(table) == list(ALL_CLIP_IDS)
        assert table["chime"]["source"] == "generated-chime" and table["chime"]["good"]
        assert table["phrase_invite"]["quality"] == "poor" and not table["phrase_invite"]["good"]
        assert "phrase_invite" in body["status"]["poor"]


class TestUploads:
    async def test_an_office_recording_replaces_the_clip_for_that_office(
        self, client: httpx.AsyncClient, admin: dict[str, str], var_dir: Path
    ) -> None:
        data = wav(1.2)
        r = await upload(client, admin, "phrase_invite", data)
        assert r.status_code == 200, r.text
        clip = (await clips(client, admin))["phrase_invite"]
        assert clip["source"] == "office-upload" and clip["quality"] == "ok"
        assert clip["uploaded_by"] == "admin" and clip["duration_ms"] == 1200
        # Stored where the screens' ClipLibrary finds an office's clips.
        folder = var_dir / "clips" / "demo"
        assert (folder / "phrase_invite.wav").read_bytes() == data
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["clips"]["phrase_invite"]["source"] == "office-upload"
        library = ClipLibrary(CLIPS_DIR, folder)
        assert library.path("phrase_invite") == folder / "phrase_invite.wav"
        assert library.path("chime") == CLIPS_DIR / "chime.wav"
        played = await client.get(f"{BASE}/clips/phrase_invite.wav", headers=admin)
        assert played.status_code == 200 and played.content == data

    async def test_stereo_and_8_bit_recordings_are_accepted(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        assert (await upload(client, admin, "polite_ka", wav(0.5, channels=2))).status_code == 200
        r = await upload(client, admin, "polite_krap", wav(0.5, rate=8000, width=1))
        assert r.status_code == 200

    @pytest.mark.parametrize(
        ("make", "fragment"),
        [
            (lambda: b"not a wav at all", "ไม่ใช่ไฟล์เสียง WAV"),
            (float_wav, "ไม่ใช่ไฟล์เสียง WAV"),
            (lambda: wav(6, rate=8000, width=1), "ยาวเกิน 5 วินาที"),
            (lambda: wav(0.1, channels=3), "โมโนหรือสเตอริโอ"),
            (lambda: wav(0), "ไม่มีเสียง"),
            (lambda: wav(0.2, rate=4000), "อัตราสุ่มตัวอย่าง"),
        ],
    )
    async def test_files_that_are_not_a_short_pcm_wav_are_refused_in_thai(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        var_dir: Path,
        make: Callable[[], bytes],
        fragment: str,
    ) -> None:
        assert_thai_error(await upload(client, admin, "phrase_invite", make()), 422, fragment)
        assert (await clips(client, admin))["phrase_invite"]["source"] == "espeak-ng"
        assert not (var_dir / "clips" / "demo" / "phrase_invite.wav").exists()

    async def test_more_than_a_megabyte_is_refused(
        self, demo: Any, make_client: Callable[..., Any]
    ) -> None:
        # The app-wide body limit is lower; with it raised, the clip rule itself speaks.
        async with make_client(max_body_bytes=4 * 1024 * 1024) as big:
            admin = await login(big, "admin", DEMO_PASSWORDS["admin"])
            data = wav(4.5, rate=96000, channels=2)
            assert len(data) > 1024 * 1024
            assert_thai_error(await upload(big, admin, "chime", data), 422, "1 MB")

    def test_the_length_is_read_from_the_audio_not_the_header(self) -> None:
        assert check_wav(wav(2.5)) == 2500

    async def test_an_unknown_clip_is_a_thai_404(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        assert (await upload(client, admin, "../etc/passwd", wav(0.5))).status_code == 404
        assert_thai_error(await upload(client, admin, "digit_x", wav(0.5)), 404, "ไม่มีคลิป")

    async def test_going_back_to_the_default_and_the_audit_trail(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await upload(client, admin, "word_sip", wav(0.4))
        r = await client.delete(f"{BASE}/clips/word_sip", headers=admin)
        assert r.status_code == 204
        assert (await clips(client, admin))["word_sip"]["source"] == "espeak-ng"
        assert_thai_error(await client.delete(f"{BASE}/clips/word_sip", headers=admin), 404)
        removed, uploaded = await audit(client, admin, action="voice.")
        assert uploaded["action"] == "voice.upload" and uploaded["target"] == "clip:word_sip"
        assert uploaded["before"] is None and uploaded["after"]["duration_ms"] == 400
        assert removed["action"] == "voice.remove" and removed["after"] is None

    async def test_one_offices_recordings_are_its_own(
        self, client: httpx.AsyncClient, admin: dict[str, str], north: North, var_dir: Path
    ) -> None:
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        assert (await upload(client, north_admin, "digit_1", wav(0.5))).status_code == 200
        assert (var_dir / "clips" / "north" / "digit_1.wav").exists()
        assert (await clips(client, admin))["digit_1"]["source"] == "espeak-ng"
        assert await audit(client, admin, action="voice.") == []


class TestSample:
    async def test_the_sample_call_lists_playable_clips_in_order(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        r = await client.get(
            f"{BASE}/sample",
            params={"number": "B015", "counter": 11, "repeat": 2, "english": "true"},
            headers=admin,
        )
        sample = r.json()
        assert sample["clips"][:3] == ["chime", "phrase_invite", "letter_b"]
        assert sample["clips"].count("phrase_invite") == 2
        assert "en_number" in sample["clips"]
        assert sample["text"].startswith("ขอเชิญหมายเลข")
        for url in set(sample["urls"]):
            assert (await client.get(url, headers=admin)).status_code == 200

    async def test_an_unreadable_sample_is_refused_in_thai(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        r = await client.get(f"{BASE}/sample", params={"number": "ก๑๒"}, headers=admin)
        assert_thai_error(r, 422, "ตัวอย่าง")


class TestScreensPlayTheOfficesOwnClips:
    async def test_a_paired_display_gets_the_uploaded_clip_and_others_the_shipped_one(
        self, client: httpx.AsyncClient, admin: dict[str, str], database: Any, clock: Any
    ) -> None:
        from counter.auth import DeviceKind, add_device

        data = wav(1.0, tone=660)
        assert (await upload(client, admin, "digit_5", data)).status_code in (200, 201)
        with database.write() as session:
            _, token = add_device(session, 1, DeviceKind.DISPLAY, "hall-2", clock())
        screen = {"Authorization": f"Bearer {token}"}

        mine = (await client.get("/display/clips/manifest.json", headers=screen)).json()
        entry = mine["clips"]["digit_5"]
        assert entry["source"] == "office-upload"
        assert entry["url"].endswith("?office=1")
        played = await client.get(entry["url"])
        assert played.status_code == 200 and played.content == data

        client.cookies.clear()  # the admin's login cookie would name the office too
        shipped = (await client.get("/display/clips/manifest.json")).json()["clips"]["digit_5"]
        assert shipped["source"] != "office-upload"
        assert (await client.get(shipped["url"])).content != data
