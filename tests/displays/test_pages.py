"""The display pages and their files, served in-process: self-contained, nothing from outside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

import displays
from tests.conftest import SQLITE_ONLY, Demo, login

pytestmark = SQLITE_ONLY

PACKAGE = Path(displays.__file__).parent
# Any absolute URL in what the pages load would reach outside the office's server.
EXTERNAL = re.compile(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def config_of(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="saduak-config">(.*?)</script>', html)
    assert match, "the page embeds its configuration"
    return dict(json.loads(match.group(1)))


class TestPages:
    async def test_the_hall_page_is_thai_first_and_forbids_loading_from_elsewhere(
        self, app_client: httpx.AsyncClient
    ) -> None:
        response = await app_client.get("/display")
        assert response.status_code == 200
        html = response.text
        assert '<html lang="th"' in html
        assert "เชิญหมายเลข" in html and "Now calling" in html
        body = html[html.index("<body") :]
        assert body.index("เชิญหมายเลข") < body.index("Now calling")
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert not EXTERNAL.search(html.replace("http://testserver", ""))
        config = config_of(html)
        assert config["page"] == "hall"
        assert config["ws_path"] == "/ws/display"

    async def test_the_counter_page_knows_its_counter(self, app_client: httpx.AsyncClient) -> None:
        response = await app_client.get("/display/counter/11")
        assert response.status_code == 200
        config = config_of(response.text)
        assert (config["page"], config["counter"], config["sound"]) == ("counter", 11, False)

    @pytest.mark.parametrize("path", ["/display/counter/0", "/display/counter/x"])
    async def test_a_counter_page_needs_a_counter_number(
        self, app_client: httpx.AsyncClient, path: str
    ) -> None:
        assert (await app_client.get(path)).status_code == 422

    async def test_pages_work_without_logging_in_and_without_a_token(
        self, app_client: httpx.AsyncClient
    ) -> None:
        # The page itself is public; pairing happens in the page, with the device token.
        response = await app_client.get("/display")
        assert "This screen is not paired yet" in response.text


class TestFiles:
    @pytest.mark.parametrize(
        ("path", "media_type"),
        [
            ("display.css", "text/css"),
            ("hall.js", "text/javascript"),
            ("page.js", "text/javascript"),
            ("fonts/Sarabun-Bold.ttf", "font/ttf"),
            ("fonts/OFL.txt", "text/plain"),
        ],
    )
    async def test_scripts_styles_and_the_thai_font_are_served_by_the_app(
        self, app_client: httpx.AsyncClient, path: str, media_type: str
    ) -> None:
        response = await app_client.get(f"/display/static/{path}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)

    async def test_the_font_is_the_real_sarabun_truetype_file(
        self, app_client: httpx.AsyncClient
    ) -> None:
        body = (await app_client.get("/display/static/fonts/Sarabun-Regular.ttf")).content
        assert body[:4] == b"\x00\x01\x00\x00"
        assert b"S\x00a\x00r\x00a\x00b\x00u\x00n" in body or b"Sarabun" in body

    @pytest.mark.parametrize(
        "path", ["../routes.py", "..%2Froutes.py", "fonts/../../voice.py", "nope.js"]
    )
    async def test_nothing_outside_the_static_folder_is_served(
        self, app_client: httpx.AsyncClient, path: str
    ) -> None:
        assert (await app_client.get(f"/display/static/{path}")).status_code == 404

    def test_no_shipped_page_file_refers_to_another_host(self) -> None:
        for file in [*PACKAGE.glob("static/*"), *PACKAGE.glob("templates/**/*.html")]:
            if file.is_file():
                assert not EXTERNAL.search(file.read_text(encoding="utf-8")), file

    async def test_clips_and_their_manifest_are_served(self, app_client: httpx.AsyncClient) -> None:
        manifest = (await app_client.get("/display/clips/manifest.json")).json()
        assert manifest["clips"]["chime"]["url"] == "/display/clips/chime.wav"
        response = await app_client.get("/display/clips/chime.wav")
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/wav"
        assert response.content[:4] == b"RIFF"

    @pytest.mark.parametrize("clip", ["nope", "manifest", "..%2Froutes"])
    async def test_unknown_clips_are_not_found(
        self, app_client: httpx.AsyncClient, clip: str
    ) -> None:
        assert (await app_client.get(f"/display/clips/{clip}.wav")).status_code == 404


class TestDisplayStatus:
    async def test_only_managers_and_admins_see_the_display_status(
        self, app_client: httpx.AsyncClient, demo: Demo
    ) -> None:
        assert (await app_client.get("/api/v1/displays")).status_code == 401
        staff = await login(app_client, "staff1", demo.passwords["staff1"])
        manager = await login(app_client, "manager", demo.passwords["manager"])
        assert (await app_client.get("/api/v1/displays", headers=staff)).status_code == 403
        body = (await app_client.get("/api/v1/displays", headers=manager)).json()
        assert body["displays"] == []
        assert body["voice"]["by_quality"]["poor"] >= 1
