"""The public JSON API: paths, status codes, roles and error bodies, on both databases."""

from __future__ import annotations

import httpx
import pytest

from counter.auth import DeviceKind
from counter.db import Database
from counter.web import Authenticator
from tests.conftest import (
    DEMO_PASSWORDS,
    SQLITE_ONLY,
    Demo,
    FakeClock,
    device_headers,
    issue,
    login,
)

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture
async def staff1(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])


@pytest.fixture
async def staff2(app_client: httpx.AsyncClient) -> dict[str, str]:
    return await login(app_client, "staff2", DEMO_PASSWORDS["staff2"])


class TestAuth:
    async def test_login_returns_a_token_and_role_and_sets_an_httponly_cookie(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await app_client.post(
            "/api/v1/auth/login",
            json={"username": "manager", "password": DEMO_PASSWORDS["manager"]},
        )
        assert r.status_code == 200
        body = r.json()
        assert body["role"] == "manager" and body["token"].startswith("st_")
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie

    @pytest.mark.parametrize(("username", "password"), [("staff1", "wrong"), ("nobody", "x")])
    async def test_wrong_credentials_are_401_with_one_message(
        self, app_client: httpx.AsyncClient, username: str, password: str
    ) -> None:
        r = await app_client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_credentials"
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in r.json()["detail"]

    async def test_no_token_or_a_bad_token_is_401(self, app_client: httpx.AsyncClient) -> None:
        assert (await app_client.get("/api/v1/queue")).status_code == 401
        r = await app_client.get("/api/v1/queue", headers={"Authorization": "Bearer st_nope"})
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"

    async def test_the_session_cookie_authenticates_too(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await app_client.post(
            "/api/v1/auth/login", json={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]}
        )
        assert (await app_client.get("/api/v1/queue")).status_code == 200
        csrf = r.json()["csrf_token"]
        # A change riding on the cookie alone is refused: that is what a forged request looks like.
        r = await app_client.post("/api/v1/tickets", json={"service": "birth"})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
        r = await app_client.post(
            "/api/v1/tickets", json={"service": "birth"}, headers={"X-CSRF-Token": "0" * 64}
        )
        assert r.status_code == 403
        r = await app_client.post(
            "/api/v1/tickets", json={"service": "birth"}, headers={"X-CSRF-Token": csrf}
        )
        assert r.status_code == 201

    async def test_logout_revokes_the_token(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        assert (await app_client.post("/api/v1/auth/logout", headers=staff1)).status_code == 204
        app_client.cookies.clear()
        assert (await app_client.get("/api/v1/queue", headers=staff1)).status_code == 401

    async def test_an_expired_session_is_401(
        self, app_client: httpx.AsyncClient, staff1: dict, clock: FakeClock
    ) -> None:
        clock.advance(hours=13)
        assert (await app_client.get("/api/v1/queue", headers=staff1)).status_code == 401


class TestDevices:
    async def test_a_kiosk_can_issue_but_not_call_or_act(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock, staff1: dict
    ) -> None:
        kiosk = device_headers(database, clock, DeviceKind.KIOSK)
        t = await issue(app_client, kiosk)
        assert (
            await app_client.post("/api/v1/counters/1/call-next", headers=kiosk)
        ).status_code == 403
        assert (
            await app_client.post(f"/api/v1/tickets/{t['id']}/cancel", headers=kiosk)
        ).status_code == 403
        assert (
            await app_client.post(
                f"/api/v1/tickets/{t['id']}/call", headers=kiosk, json={"counter": 1, "reason": "x"}
            )
        ).status_code == 403

    async def test_a_display_reads_its_feed_only(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock, staff1: dict
    ) -> None:
        display = device_headers(database, clock, DeviceKind.DISPLAY)
        t = await issue(app_client, staff1)
        # Tickets carry their status links: a screen gets its feed, never the API (issue 12 M1).
        assert (await app_client.get("/api/v1/queue", headers=display)).status_code == 403
        assert (
            await app_client.get(f"/api/v1/tickets/{t['id']}", headers=display)
        ).status_code == 403
        r = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=display)
        assert r.status_code == 403
        assert (
            await app_client.post("/api/v1/counters/1/call-next", headers=display)
        ).status_code == 403

    async def test_a_revoked_device_is_refused(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        kiosk = device_headers(database, clock, DeviceKind.KIOSK)
        from sqlmodel import select

        from counter.models import Device

        with database.write() as session:
            for d in session.exec(select(Device)).all():
                d.revoked_at = clock()
        # Every process notices within the login cache's lifetime.
        clock.advance(seconds=Authenticator.TTL.total_seconds())
        r = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=kiosk)
        assert r.status_code == 401

    async def test_device_list_is_for_admins_only(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock, staff1: dict
    ) -> None:
        device_headers(database, clock, DeviceKind.DISPLAY)
        assert (await app_client.get("/api/v1/devices", headers=staff1)).status_code == 403
        admin = await login(app_client, "admin", DEMO_PASSWORDS["admin"])
        r = await app_client.get("/api/v1/devices", headers=admin)
        assert r.status_code == 200
        assert [d["kind"] for d in r.json()] == ["display"]
        assert "token_hash" not in r.json()[0]


class TestTicketFlow:
    async def test_issue_call_start_finish_over_http(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        t = await issue(app_client, staff1, "birth", "elderly")
        assert set(t) >= {
            "id",
            "number",
            "service",
            "status",
            "priority",
            "issued_at",
            "waiting_ahead",
            "estimated_wait_minutes",
            "status_url",
        }
        assert (t["number"], t["status"], t["priority"]) == ("A001", "waiting", "elderly")
        r = await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        assert r.status_code == 200 and r.json()["id"] == t["id"] and r.json()["counter"] == 1
        for action, status in [("recall", "called"), ("start", "serving"), ("finish", "done")]:
            r = await app_client.post(f"/api/v1/tickets/{t['id']}/{action}", headers=staff1)
            assert r.status_code == 200 and r.json()["status"] == status
        r = await app_client.get(f"/api/v1/tickets/{t['id']}", headers=staff1)
        assert r.json()["status"] == "done" and r.json()["recall_count"] == 1

    async def test_call_next_with_nobody_waiting_is_204(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        r = await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        assert r.status_code == 204 and r.content == b""

    async def test_a_counter_held_by_someone_else_is_409_naming_them(
        self, app_client: httpx.AsyncClient, staff1: dict, staff2: dict
    ) -> None:
        await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        r = await app_client.post("/api/v1/counters/1/call-next", headers=staff2)
        assert r.status_code == 409
        assert r.json()["error"] == "counter_busy" and "เจ้าหน้าที่ 1" in r.json()["detail"]
        assert (
            await app_client.post("/api/v1/counters/1/close", headers=staff1)
        ).status_code == 204
        assert (
            await app_client.post("/api/v1/counters/1/call-next", headers=staff2)
        ).status_code == 204

    async def test_transfer_no_show_reactivate_hold_unhold_cancel(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        a = await issue(app_client, staff1, "move_in")
        b = await issue(app_client, staff1, "birth")
        await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        await app_client.post(f"/api/v1/tickets/{a['id']}/start", headers=staff1)
        r = await app_client.post(
            f"/api/v1/tickets/{a['id']}/transfer",
            headers=staff1,
            json={"service": "id_card_renewal"},
        )
        assert r.status_code == 200
        assert (r.json()["service"], r.json()["number"], r.json()["transaction_no"]) == (
            "id_card_renewal",
            a["number"],
            2,
        )
        r = await app_client.post("/api/v1/counters/1/call-next", headers=staff1)
        assert r.json()["id"] == b["id"]
        assert (await app_client.post(f"/api/v1/tickets/{b['id']}/no-show", headers=staff1)).json()[
            "status"
        ] == "no_show"
        assert (
            await app_client.post(f"/api/v1/tickets/{b['id']}/reactivate", headers=staff1)
        ).json()["status"] == "waiting"
        r = await app_client.post(
            f"/api/v1/tickets/{b['id']}/call",
            headers=staff1,
            json={"counter": 1, "reason": "กลับมาแล้ว"},
        )
        assert r.status_code == 200 and r.json()["status"] == "called"
        assert (await app_client.post(f"/api/v1/tickets/{b['id']}/hold", headers=staff1)).json()[
            "status"
        ] == "held"
        assert (await app_client.post(f"/api/v1/tickets/{b['id']}/unhold", headers=staff1)).json()[
            "status"
        ] == "called"
        c = await issue(app_client, staff1, "divorce")
        assert (await app_client.post(f"/api/v1/tickets/{c['id']}/cancel", headers=staff1)).json()[
            "status"
        ] == "cancelled"

    async def test_queue_lists_waiting_per_service(
        self, app_client: httpx.AsyncClient, staff1: dict, clock: FakeClock
    ) -> None:
        await issue(app_client, staff1, "birth")
        await issue(app_client, staff1, "birth")
        clock.advance(minutes=3)
        r = await app_client.get("/api/v1/queue", headers=staff1)
        body = r.json()
        assert body["waiting"] == 2
        birth = next(s for s in body["services"] if s["service"] == "birth")
        assert birth["waiting"] == 2 and birth["oldest_wait_seconds"] == 180


@SQLITE_ONLY
class TestBadInput:
    async def test_unknown_ticket_is_404(self, app_client: httpx.AsyncClient, staff1: dict) -> None:
        r = await app_client.get("/api/v1/tickets/999", headers=staff1)
        assert r.status_code == 404 and r.json()["error"] == "not_found"
        r = await app_client.post("/api/v1/tickets/999/start", headers=staff1)
        assert r.status_code == 404

    async def test_unknown_action_and_counter_are_404(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        t = await issue(app_client, staff1)
        assert (
            await app_client.post(f"/api/v1/tickets/{t['id']}/explode", headers=staff1)
        ).status_code == 404
        assert (
            await app_client.post("/api/v1/counters/77/call-next", headers=staff1)
        ).status_code == 404

    async def test_an_illegal_transition_is_409_naming_ticket_state_and_action(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        t = await issue(app_client, staff1)
        r = await app_client.post(f"/api/v1/tickets/{t['id']}/finish", headers=staff1)
        assert r.status_code == 409
        body = r.json()
        assert body["error"] == "illegal_transition"
        assert t["number"] in body["detail"] and "waiting" in body["detail_en"]
        assert "finish" in body["detail_en"]

    async def test_a_closed_service_is_409(
        self, app_client: httpx.AsyncClient, staff1: dict, database: Database
    ) -> None:
        from counter.models import Service

        with database.write() as session:
            s = session.get(Service, 6)
            assert s is not None
            s.active = False
        r = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff1)
        assert r.status_code == 409 and r.json()["error"] == "service_unavailable"

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"service": ""},
            {"service": 5},
            {"service": "birth", "priority": "vip"},
            {"service": "birth", "extra": 1},
            {"service": "x" * 500},
            [],
            "birth",
        ],
    )
    async def test_invalid_bodies_are_422_with_a_readable_message(
        self, app_client: httpx.AsyncClient, staff1: dict, body: object
    ) -> None:
        r = await app_client.post("/api/v1/tickets", json=body, headers=staff1)
        assert r.status_code == 422
        assert r.json()["error"] == "invalid_body" and r.json()["detail"]

    async def test_malformed_json_is_422(self, app_client: httpx.AsyncClient, staff1: dict) -> None:
        r = await app_client.post(
            "/api/v1/tickets",
            content=b"{not json",
            headers={**staff1, "content-type": "application/json"},
        )
        assert r.status_code == 422

    async def test_an_oversized_body_is_413(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        r = await app_client.post(
            "/api/v1/tickets",
            content=b"x" * 70_000,
            headers={**staff1, "content-type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"

    async def test_an_oversized_chunked_body_is_413(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        async def chunks():  # no Content-Length: the limit must count the stream
            for _ in range(20):
                yield b"x" * 8192

        r = await app_client.post(
            "/api/v1/tickets",
            content=chunks(),
            headers={**staff1, "content-type": "application/json"},
        )
        assert r.status_code == 413

    @pytest.mark.parametrize(
        "path",
        ["/api/v1/tickets/abc", "/api/v1/tickets/-1", "/api/v1/tickets/99999999999999999999999"],
    )
    async def test_bad_ids_are_client_errors(
        self, app_client: httpx.AsyncClient, staff1: dict, path: str
    ) -> None:
        r = await app_client.get(path, headers=staff1)
        assert r.status_code in (404, 422)

    async def test_out_of_order_call_without_reason_is_422(
        self, app_client: httpx.AsyncClient, staff1: dict
    ) -> None:
        t = await issue(app_client, staff1)
        r = await app_client.post(
            f"/api/v1/tickets/{t['id']}/call", headers=staff1, json={"counter": 1, "reason": ""}
        )
        assert r.status_code == 422


async def test_health_and_openapi(app_client: httpx.AsyncClient, demo: Demo) -> None:
    r = await app_client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    spec = (await app_client.get("/openapi.json")).json()
    for path in [
        "/api/v1/auth/login",
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/queue",
        "/api/v1/counters/{number}/call-next",
        "/api/v1/counters/{number}/close",
        "/api/v1/tickets/{ticket_id}/transfer",
        "/api/v1/tickets/{ticket_id}/call",
        "/api/v1/tickets/{ticket_id}/{action}",
    ]:
        assert path in spec["paths"], path
    assert (await app_client.get("/docs")).status_code == 200
