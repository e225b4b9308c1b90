"""One JSON error shape everywhere: {error, detail, detail_th, detail_en} for 400/404/405/413/422,
and an uncaught error is a JSON 500 with an incident id that the log holds with the traceback,
while the client gets neither the traceback nor the exception's text."""

from __future__ import annotations

import logging

import httpx
import pytest

from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, SQLITE_ONLY, FakeClock, login, serving

pytestmark = [pytest.mark.usefixtures("demo"), SQLITE_ONLY]

SHAPE = {"error", "detail", "detail_th", "detail_en"}


def assert_shape(response: httpx.Response, status: int, error: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, str] = response.json()
    assert set(body) >= SHAPE, body
    assert body["error"] == error
    assert body["detail"] == f"{body['detail_th']} / {body['detail_en']}"
    return body


class TestFrameworkErrors:
    async def test_an_unknown_path_is_a_404_with_error(self, app_client: httpx.AsyncClient) -> None:
        assert_shape(await app_client.get("/api/v1/no-such-thing"), 404, "not_found")

    async def test_a_wrong_method_is_a_405_with_error(self, app_client: httpx.AsyncClient) -> None:
        response = await app_client.delete("/api/v1/queue")
        assert_shape(response, 405, "method_not_allowed")
        assert "GET" in response.headers["allow"]

    async def test_an_unreadable_form_is_a_400_with_error(
        self, app_client: httpx.AsyncClient
    ) -> None:
        # A cookie-authenticated change reads the form for its CSRF field; a multipart body
        # without a boundary cannot be parsed.
        await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        response = await app_client.post(
            "/api/v1/auth/logout",
            content=b"garbage",
            headers={"content-type": "multipart/form-data"},
        )
        assert_shape(response, 400, "bad_request")

    async def test_malformed_json_is_a_422_with_error(self, app_client: httpx.AsyncClient) -> None:
        response = await app_client.post(
            "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert_shape(response, 422, "invalid_body")


class TestUncaughtErrors:
    async def test_a_bug_is_a_json_500_with_an_incident_id_that_the_log_holds(
        self, db_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = create_app(Settings(database_url=db_url, bus_url=""), clock=clock)

        async def broken() -> None:
            raise RuntimeError("secret internal state /srv/saduak/var/saduak.db")

        app.add_api_route("/api/v1/broken", broken)
        caplog.set_level(logging.ERROR)
        async with serving(app) as client:
            response = await client.get("/api/v1/broken")
        body = assert_shape(response, 500, "internal_error")
        incident = body["incident"]
        assert (
            len(incident) >= 8 and incident in body["detail_th"] and incident in body["detail_en"]
        )
        assert "secret" not in response.text and "Traceback" not in response.text
        logged = [r for r in caplog.records if incident in r.getMessage()]
        assert len(logged) == 1
        assert logged[0].exc_info is not None
        assert "secret internal state" in str(logged[0].exc_info[1])
        assert "/api/v1/broken" in logged[0].getMessage()

    async def test_two_incidents_get_different_ids(
        self, db_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = create_app(Settings(database_url=db_url, bus_url=""), clock=clock)

        async def broken() -> None:
            raise KeyError("x")

        app.add_api_route("/api/v1/broken", broken)
        async with serving(app) as client:
            first = (await client.get("/api/v1/broken")).json()["incident"]
            second = (await client.get("/api/v1/broken")).json()["incident"]
        assert first != second
