"""The public URL of QR codes follows the address and port served; a loopback URL on a server
that listens beyond loopback is warned about."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import httpx
import pytest

from operations.network import lan_address, resolve_public_url, url_is_loopback
from saduak import migrations
from tests.live import LiveServer, free_port

LAN = "192.168.1.23"
DEMO = [sys.executable, "-m", "saduak.cli", "demo"]


class TestResolvePublicUrl:
    def test_a_configured_url_is_kept(self) -> None:
        got = resolve_public_url("https://q.amphoe.go.th/", "0.0.0.0", 8702, find_lan=lambda: LAN)
        assert (got.url, got.derived, got.warnings) == ("https://q.amphoe.go.th", False, [])

    def test_loopback_host_and_port_served_give_the_url(self) -> None:
        got = resolve_public_url("", "127.0.0.1", 8702, find_lan=lambda: LAN)
        assert (got.url, got.derived, got.warnings) == ("http://127.0.0.1:8702", True, [])

    def test_a_specific_address_is_used_as_is(self) -> None:
        got = resolve_public_url("", "10.0.0.5", 9000, find_lan=lambda: LAN)
        assert (got.url, got.warnings) == ("http://10.0.0.5:9000", [])

    @pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
    def test_a_wildcard_address_gives_the_lan_address(self, wildcard: str) -> None:
        got = resolve_public_url("", wildcard, 8702, find_lan=lambda: LAN)
        assert (got.url, got.warnings) == (f"http://{LAN}:8702", [])

    def test_no_lan_address_falls_back_to_loopback_and_warns_twice(self) -> None:
        got = resolve_public_url("", "0.0.0.0", 8702, find_lan=lambda: None)
        assert got.url == "http://127.0.0.1:8702"
        assert len(got.warnings) == 2
        assert "no office network address" in got.warnings[0]
        assert "no phone can open" in got.warnings[1]

    @pytest.mark.parametrize(
        "configured", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
    )
    def test_a_configured_loopback_url_on_a_wide_listener_is_warned(self, configured: str) -> None:
        got = resolve_public_url(configured, "0.0.0.0", 8000, find_lan=lambda: LAN)
        assert got.url == configured
        assert len(got.warnings) == 1 and configured in got.warnings[0]
        assert "SADUAK_PUBLIC_URL" in got.warnings[0]

    def test_a_configured_loopback_url_on_loopback_is_fine(self) -> None:
        assert resolve_public_url("http://127.0.0.1:8000", "127.0.0.1", 8000).warnings == []

    def test_ipv6_hosts_are_bracketed(self) -> None:
        assert resolve_public_url("", "fd00::5", 80).url == "http://[fd00::5]:80"


def test_the_lan_address_is_one_of_this_machines_own() -> None:
    found = lan_address()
    if found is None:
        pytest.skip("this machine has no network address besides loopback")
    assert not url_is_loopback(f"http://{found}/")
    # Binding proves the address belongs to this machine; nothing is sent anywhere.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((found, 0))


def _serve(tmp_path: Path, host: str, port: int, public_url: str) -> tuple[str, str]:
    """`saduak demo` on host:port; a ticket's status URL, then everything the command printed."""
    db = tmp_path / f"{port}.db"
    migrations.upgrade(f"sqlite:///{db}")
    env = {
        "SADUAK_VAR_DIR": str(tmp_path),
        "SADUAK_PUBLIC_URL": public_url,
        "PYTHONUNBUFFERED": "1",
    }
    demo = LiveServer(
        f"sqlite:///{db}",
        env=env,
        host=host,
        port=port,
        log_dir=tmp_path,
        command=[*DEMO, "--host", "{host}", "--port", "{port}"],
    )
    with demo:
        creds = (tmp_path / "demo-credentials.txt").read_text(encoding="utf-8")
        token = dict(line.split("\t") for line in creds.splitlines() if "\t" in line)[
            "kiosk-1 token"
        ]
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/tickets",
            json={"service": "birth"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201, r.text
        status_url: str = r.json()["status_url"]
    return status_url, demo.logs()


@pytest.mark.slow
def test_a_server_on_every_interface_prints_its_lan_address_in_qr_codes(tmp_path: Path) -> None:
    port = free_port()
    status_url, printed = _serve(tmp_path, "0.0.0.0", port, "")
    expected = lan_address() or "127.0.0.1"
    assert status_url.startswith(f"http://{expected}:{port}/t/")
    assert f"QR codes on tickets link to http://{expected}:{port}" in printed
    assert "no phone can open" not in printed or expected == "127.0.0.1"


@pytest.mark.slow
def test_a_loopback_public_url_on_every_interface_is_warned_at_start(tmp_path: Path) -> None:
    port = free_port()
    status_url, printed = _serve(tmp_path, "0.0.0.0", port, f"http://127.0.0.1:{port}")
    assert status_url.startswith(f"http://127.0.0.1:{port}/t/")
    assert "!!!" in printed and "no phone can open" in printed


@pytest.mark.slow
def test_make_run_port_reaches_the_qr_codes(tmp_path: Path) -> None:
    port = free_port()
    status_url, printed = _serve(tmp_path, "127.0.0.1", port, "")
    assert status_url.startswith(f"http://127.0.0.1:{port}/t/")
    assert "!!!" not in printed
