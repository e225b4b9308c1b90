"""Control characters in any text of a request (body, path, query) are refused with 422 at
validation, on both databases, before a query can fail on them (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.schemas import Strict, refuse_control_characters
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock, login
from tests.live import LiveServer

pytestmark = pytest.mark.usefixtures("demo")

NUL = "\x00"


def kiosk_headers(database: Database, clock: FakeClock) -> dict[str, str]:
    with database.write() as session:
        _, token = add_device(session, 1, DeviceKind.KIOSK, "kiosk-test", clock())
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_body"
    assert body["detail_th"] and body["detail_en"]


class TestBodies:
    @pytest.mark.parametrize(
        "character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"], ids=repr
    )
    async def test_login_with_a_control_character_in_the_username_is_422(
        self, app_client: httpx.AsyncClient, character: str
    ) -> None:
        # json.dumps writes a lone surrogate as the escape "\ud800", as a hostile client would.
        body = json.dumps({"username": f"staff{character}1", "password": "x"})
        response = await app_client.post(
            "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
        )
        assert_refused(response)

    async def test_a_kiosk_issue_with_nul_in_the_service_is_422_and_issues_nothing(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        headers = kiosk_headers(database, clock)
        response = await app_client.post(
            "/api/v1/tickets", json={"service": f"birth{NUL}"}, headers=headers
        )
        assert_refused(response)
        queue = await app_client.get("/api/v1/queue", headers=headers)
        assert queue.json()["waiting"] == 0

    async def test_staff_and_admin_bodies_with_nul_are_422(
        self, app_client: httpx.AsyncClient
    ) -> None:
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
        manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
        requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
            ("POST", "/api/v1/admin/province/shares", {"username": f"x{NUL}y"}, admin),
            ("PUT", "/api/v1/counters/1/services", {"services": ["birth", f"x{NUL}"]}, manager),
            ("POST", "/api/v1/tickets/1/call", {"counter": 1, "reason": f"r{NUL}"}, staff),
            ("POST", "/api/v1/tickets/1/transfer", {"service": f"birth{NUL}"}, staff),
            (
                "PUT",
                "/api/v1/survey-items",
                {"items": [{"code": "q1", "label_th": f"ข้อ{NUL}", "label_en": "Q"}]},
                admin,
            ),
            ("POST", "/api/v1/survey/abcdefgh", {"answers": {f"q{NUL}": 5}}, {}),
            (
                "POST",
                "/api/v1/admin/config/import",
                {"office": f"x{NUL}", "text": "{}", "dry_run": True},
                admin,
            ),
        ]
        for method, url, body, headers in requests:
            response = await app_client.request(method, url, json=body, headers=headers)
            assert response.status_code == 422, (url, response.text)
            assert_refused(response)

    async def test_tab_and_line_breaks_in_text_are_still_accepted(
        self, app_client: httpx.AsyncClient
    ) -> None:
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        office = (await app_client.get("/api/v1/admin/office", headers=admin)).json()
        fields = {k: office[k] for k in ("name_th", "name_en", "opens", "closes")}
        message = "ปิดปรับปรุงระบบ\r\nวันเสาร์\tนี้"
        response = await app_client.put(
            "/api/v1/admin/office", json={**fields, "display_message": message}, headers=admin
        )
        assert response.status_code == 200, response.text
        again = await app_client.get("/api/v1/admin/office", headers=admin)
        assert again.json()["display_message"] == message


class TestURLs:
    async def test_nul_in_a_query_parameter_is_422(self, app_client: httpx.AsyncClient) -> None:
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        assert_refused(await app_client.get("/api/v1/admin/audit?action=a%00", headers=admin))

    async def test_nul_in_a_path_parameter_is_422(self, app_client: httpx.AsyncClient) -> None:
        assert_refused(await app_client.get("/api/v1/survey/abc%00defgh"))

    async def test_a_websocket_with_nul_in_its_token_is_refused_before_any_query(
        self, db_url: str
    ) -> None:
        async with LiveServer(db_url) as server:
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"{server.ws_url}/ws/display?token=dv_%00x"):
                    pass
            assert refused.value.response.status_code == 403
            # The server is still well and answers the next request.
            async with httpx.AsyncClient(base_url=server.url) as client:
                assert (await client.get("/healthz")).status_code == 200


class TestReportDates:
    @pytest.mark.parametrize(
        "query",
        [
            "period=day&on=0001-01-01",
            "period=week&on=0001-01-01",
            "period=month&on=0001-01-01",
            "period=quarter&on=0001-01-01",
            "period=fy&on=0001-01-01",
            "period=day&on=1899-12-31",
            "from=0001-01-01&to=0001-01-02",
            "period=day&on=9999-12-31",
        ],
    )
    async def test_a_date_outside_the_sane_range_is_422(
        self, app_client: httpx.AsyncClient, query: str
    ) -> None:
        manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
        for path in ("/api/v1/reports/dashboard", "/api/v1/reports/export"):
            response = await app_client.get(f"{path}?{query}&format=csv", headers=manager)
            assert response.status_code == 422, (path, query, response.text)
            assert response.json()["error"] == "invalid_input"
        summary = await app_client.get(
            "/api/v1/reports/summary?from=0001-01-01&to=2026-01-01", headers=manager
        )
        assert summary.status_code == 422

    async def test_the_first_day_of_the_range_still_works(
        self, app_client: httpx.AsyncClient
    ) -> None:
        manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
        response = await app_client.get(
            "/api/v1/reports/dashboard?period=day&on=2000-01-01", headers=manager
        )
        assert response.status_code == 200, response.text


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _routes(inner.routes) if inner is not None else [route]


def test_every_request_body_of_the_api_is_checked_by_the_one_strict_base(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url))
    params = [
        param
        for route in _routes(app.routes)
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
    ]
    assert len(params) > 15
    for param in params:
        annotation = param.field_info.annotation
        models = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        for model in models:
            if model is str:
                # A form field: the same check through counter.schemas.PlainText.
                validators = [getattr(m, "func", None) for m in param.field_info.metadata]
                assert refuse_control_characters in validators, param.name
            else:
                assert issubclass(model, Strict), f"{model} does not derive from Strict"
