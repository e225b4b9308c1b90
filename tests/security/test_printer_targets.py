"""H1: an office admin's printer setting cannot reach files, devices or hosts the server operator
did not allow, and a test print tells nothing about what answered."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter.auth import DeviceKind
from counter.db import Database
from counter.models import Device
from printer.config import PrinterConfig, PrinterTargetRefused, TargetPolicy, confine
from tests.conftest import DEMO_PASSWORDS, SQLITE_ONLY, Demo, login
from tests.printer.fake import FakePrinter
from tests.security.conftest import AppFactory

pytestmark = SQLITE_ONLY

KIOSK_TAP = {"service": "birth"}


@pytest.fixture
async def admin_app(demo: Demo, make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_app() as client:  # shipped default: printer_allow="private"
        yield client


async def _admin(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "admin", DEMO_PASSWORDS["admin"])


def _refused(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_input"
    assert "ไม่อนุญาต" in body["detail_th"] and "allow" in body["detail_en"]
    return str(body["detail_en"])


class TestAnAdminCannotPointAPrinterAnywhere:
    async def test_a_file_url_to_the_database_is_refused_and_nothing_is_written(
        self,
        admin_app: httpx.AsyncClient,
        device_token: Callable[..., Any],
        tmp_path: Path,
    ) -> None:
        victim = tmp_path / "other-office.db"
        victim.write_bytes(b"precious")
        kiosk_id, _ = device_token(DeviceKind.KIOSK, "ตู้ 1")
        admin = await _admin(admin_app)
        r = await admin_app.patch(
            f"/api/v1/admin/devices/{kiosk_id}",
            headers=admin,
            json={"printer": f"file://{victim}?status=none"},
        )
        assert "/dev/usb/lp0" in _refused(r)
        r = await admin_app.post(f"/api/v1/admin/devices/{kiosk_id}/test-print", headers=admin)
        assert r.status_code == 409  # still no printer: nothing was saved
        assert victim.read_bytes() == b"precious"

    @pytest.mark.parametrize(
        "setting",
        [
            "serial:///dev/null",
            "serial:///etc/passwd",
            "file:///dev/usb/lp0/../../../etc/passwd?status=none",
            "file:///dev/sda?status=none",
            "tcp://127.0.0.1:5432",
            "tcp://localhost:9100",
            "tcp://2130706433:9100",  # 127.0.0.1 written as one number
            "tcp://[::1]:9100",
            "tcp://[::ffff:127.0.0.1]:9100",
            "tcp://169.254.169.254:80",
            "tcp://8.8.8.8:9100",
            "tcp://192.168.1.50:22",
        ],
    )
    async def test_targets_outside_the_allow_list_are_refused_when_pairing(
        self, admin_app: httpx.AsyncClient, setting: str
    ) -> None:
        admin = await _admin(admin_app)
        start = await admin_app.post("/api/v1/pairing")
        r = await admin_app.post(
            "/api/v1/admin/devices/pair",
            headers=admin,
            json={"code": start.json()["code"], "kind": "kiosk", "name": "ตู้", "printer": setting},
        )
        _refused(r)

    @pytest.mark.parametrize(
        "setting",
        [
            "tcp://192.168.1.50:9100",
            "tcp://10.0.0.7",
            "usb://04b8:0202",
            "serial:///dev/ttyUSB0?baudrate=19200",
            "file:///dev/usb/lp0?status=none",
        ],
    )
    async def test_printers_of_the_office_network_are_accepted(
        self, admin_app: httpx.AsyncClient, device_token: Callable[..., Any], setting: str
    ) -> None:
        kiosk_id, _ = device_token(DeviceKind.KIOSK)
        admin = await _admin(admin_app)
        r = await admin_app.patch(
            f"/api/v1/admin/devices/{kiosk_id}", headers=admin, json={"printer": setting}
        )
        assert r.status_code == 200, r.text


class TestTheServerNeverOpensARefusedTarget:
    async def test_a_kiosk_with_a_loopback_printer_stored_earlier_does_not_connect(
        self,
        admin_app: httpx.AsyncClient,
        device_token: Callable[..., Any],
    ) -> None:
        async with FakePrinter() as listener:
            # As if saved before the allow-list existed (or straight into the database).
            _, kiosk = device_token(DeviceKind.KIOSK, "ตู้", listener.url)
            r = await admin_app.post("/api/v1/tickets", headers=kiosk, json=KIOSK_TAP)
            assert r.status_code == 201 and r.json()["print_status"] == "pending"
            assert listener.connections == []

    async def test_a_test_print_to_a_refused_target_is_a_422_without_connecting(
        self,
        admin_app: httpx.AsyncClient,
        device_token: Callable[..., Any],
    ) -> None:
        async with FakePrinter() as listener:
            kiosk_id, _ = device_token(DeviceKind.KIOSK, "ตู้", listener.url)
            admin = await _admin(admin_app)
            r = await admin_app.post(f"/api/v1/admin/devices/{kiosk_id}/test-print", headers=admin)
            assert "127.0.0.1" in _refused(r)
            assert listener.connections == []

    async def test_the_operator_lists_a_printer_and_it_prints(
        self, demo: Demo, make_app: AppFactory, device_token: Callable[..., Any]
    ) -> None:
        async with (
            FakePrinter() as printer,
            make_app(printer_allow=f"private, 127.0.0.1:{printer.port}") as client,
        ):
            kiosk_id, _ = device_token(DeviceKind.KIOSK, "ตู้", f"{printer.url}?width=384")
            admin = await _admin(client)
            r = await client.post(f"/api/v1/admin/devices/{kiosk_id}/test-print", headers=admin)
            assert r.status_code == 200 and r.json()["printed"] is True
            assert len(printer.jobs) == 1


class TestAFailedTestPrintTellsNothingOfWhatAnswered:
    @pytest.fixture
    async def chatty_service(self) -> AsyncIterator[int]:
        """Not a printer: a service that answers anything with its own first byte (0xAB)."""

        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while await reader.read(64):
                    writer.write(b"\xab")
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        yield server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()

    async def test_bytes_that_came_back_are_not_echoed(
        self,
        demo: Demo,
        make_app: AppFactory,
        device_token: Callable[..., Any],
        database: Database,
        chatty_service: int,
    ) -> None:
        async with make_app(printer_allow="127.0.0.1:*") as client:
            setting = f"tcp://127.0.0.1:{chatty_service}?status_timeout=1"
            kiosk_id, kiosk = device_token(DeviceKind.KIOSK, "ตู้", setting)
            admin = await _admin(client)
            r = await client.post(f"/api/v1/admin/devices/{kiosk_id}/test-print", headers=admin)
            assert r.status_code == 200
            result = r.json()
            assert result["printed"] is False
            assert result["detail"] == "no printer answered"
            assert "AB" not in r.text.upper().replace("ABLE", "")
            # A kiosk tap on the same setting leaves the same words on the device.
            await client.post("/api/v1/tickets", headers=kiosk, json=KIOSK_TAP)
            with database.read() as session:
                device = session.get(Device, kiosk_id)
                assert device is not None and device.printer_detail == "no printer answered"

    async def test_a_closed_port_and_a_silent_one_read_the_same(
        self, demo: Demo, make_app: AppFactory, device_token: Callable[..., Any]
    ) -> None:
        async with make_app(printer_allow="127.0.0.1:*") as client:
            admin = await _admin(client)
            closed, _ = device_token(DeviceKind.KIOSK, "a", "tcp://127.0.0.1:9?status_timeout=0.5")
            r = await client.post(f"/api/v1/admin/devices/{closed}/test-print", headers=admin)
            assert r.json()["state"] == "no_answer" and r.json()["detail"] == "no printer answered"
            assert "refused" not in r.text.lower()


class TestTheAllowList:
    def test_the_default_is_private_lan_ranges_on_printer_ports(self) -> None:
        policy = TargetPolicy.parse("")
        allowed = [("192.168.1.50", 9100), ("10.1.2.3", 9109), ("172.16.0.9", 9100)]
        refused = [
            ("192.168.1.50", 22),
            ("8.8.8.8", 9100),
            ("127.0.0.1", 9100),
            ("169.254.169.254", 9100),
            ("0.0.0.0", 9100),
            ("172.32.0.1", 9100),
        ]
        for host, port in allowed:
            assert policy.allows(ipaddress.ip_address(host), port), host
        for host, port in refused:
            assert not policy.allows(ipaddress.ip_address(host), port), host

    def test_loopback_and_link_local_need_a_rule_that_names_them(self) -> None:
        everything = TargetPolicy.parse("0.0.0.0/0:*, [::/0]:*")
        for host in ("127.0.0.1", "169.254.169.254", "::1", "fe80::1", "::ffff:127.0.0.1"):
            assert not everything.allows(ipaddress.ip_address(host), 9100), host
        assert everything.allows(ipaddress.ip_address("203.0.113.5"), 9100)
        listed = TargetPolicy.parse("127.0.0.1:*, 169.254.1.0/24:9100")
        assert listed.allows(ipaddress.ip_address("127.0.0.1"), 54321)
        assert listed.allows(ipaddress.ip_address("169.254.1.7"), 9100)
        assert not listed.allows(ipaddress.ip_address("169.254.169.254"), 9100)

    def test_a_host_name_is_checked_on_every_address_and_pinned(self) -> None:
        policy = TargetPolicy.parse("private")
        config = PrinterConfig.parse("tcp://printer.office:9100")
        pinned = confine(config, policy, resolve=lambda host, port: ["192.168.1.50"])
        assert str(pinned).startswith("tcp://192.168.1.50:9100?")
        with pytest.raises(PrinterTargetRefused):
            confine(config, policy, resolve=lambda host, port: ["192.168.1.50", "127.0.0.1"])

    @pytest.mark.parametrize(
        "text", ["192.168.1.0/33", "printer.local", "10.0.0.1:0", "10.0.0.1:9200-9100", "[::1"]
    )
    def test_a_mistyped_allow_list_stops_the_server_at_start(self, text: str) -> None:
        with pytest.raises(ValueError, match="allow-list entry"):
            TargetPolicy.parse(text)
