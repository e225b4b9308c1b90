"""L5: X-Forwarded-For is believed only from the proxies the operator configured, and pairing is
limited per source, so nobody can fill a global quota and stop every office from pairing."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from counter import pairing
from counter.db import Database
from counter.pairing import PairingRequest
from tests.conftest import FakeClock
from tests.live import SADUAK_SERVE, LiveServer, ServerFailed


def _serve(db_url: str, **env: str) -> LiveServer:
    """`saduak serve`, as deployed (it decides how uvicorn treats forwarded headers)."""
    return LiveServer(
        db_url,
        env={"SADUAK_BUS_URL": "", **env},
        command=SADUAK_SERVE,
    )


@pytest.fixture
def url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file: `saduak serve` finds nothing to migrate (its subject here is the
    forwarded headers, not the migrations)."""
    shutil.copy(sqlite_template, tmp_path / "saduak.db")
    return f"sqlite:///{tmp_path / 'saduak.db'}"


def _clients(db_url: str) -> list[str]:
    db = Database(db_url)
    try:
        with db.read() as session:
            return [r.client for r in session.exec(select(PairingRequest))]
    finally:
        db.dispose()


def _start(client: httpx.Client, forwarded_for: str) -> int:
    return client.post("/api/v1/pairing", headers={"X-Forwarded-For": forwarded_for}).status_code


@pytest.mark.slow
class TestForwardedHeaders:
    def test_without_configured_proxies_a_forged_address_changes_nothing(self, url: str) -> None:
        with (
            _serve(url) as server,
            httpx.Client(base_url=server.url, trust_env=False) as client,
        ):
            codes = [_start(client, f"203.0.113.{i}") for i in range(pairing.STARTS_PER_MINUTE + 1)]
        assert codes[-1] == 429 and codes[:-1] == [201] * pairing.STARTS_PER_MINUTE
        assert set(_clients(url)) == {"127.0.0.1"}

    def test_a_configured_proxy_names_the_client(self, url: str) -> None:
        with (
            _serve(url, SADUAK_TRUSTED_PROXIES="127.0.0.1") as server,
            httpx.Client(base_url=server.url, trust_env=False) as client,
        ):
            codes = [_start(client, "203.0.113.9") for _ in range(pairing.STARTS_PER_MINUTE + 1)]
            assert codes[-1] == 429
            assert _start(client, "203.0.113.10") == 201  # another source is not held up
        assert set(_clients(url)) == {"203.0.113.9", "203.0.113.10"}

    def test_a_mistyped_proxy_list_stops_the_server(self, url: str) -> None:
        server = _serve(url, SADUAK_TRUSTED_PROXIES="10.0.0.1, proxy.local")
        with pytest.raises(ServerFailed, match="not an IP address or network"):
            server.start(timeout=20)
        server.stop()


class TestPairingIsLimitedPerSource:
    def test_many_sources_cannot_fill_a_quota_that_blocks_an_office(
        self, database: Database, clock: FakeClock
    ) -> None:
        now: datetime = clock()
        with database.write() as session:
            for source in range(30):
                for _ in range(pairing.MAX_PENDING_PER_SOURCE):
                    pairing.start(session, now, client=f"198.51.100.{source}")
        with database.write() as session:
            # 300 pending requests: the office's own screen still pairs.
            assert pairing.start(session, now, client="192.168.1.20").code
            with pytest.raises(pairing.TooMany):
                pairing.start(session, now, client="198.51.100.7")

    def test_one_ipv6_machine_is_one_source(self, database: Database, clock: FakeClock) -> None:
        with database.write() as session:
            for host in range(pairing.MAX_PENDING_PER_SOURCE):
                pairing.start(session, clock(), client=f"2001:db8:1:2::{host + 1:x}")
            with pytest.raises(pairing.TooMany):
                pairing.start(session, clock(), client="2001:db8:1:2:ffff::1")
            assert pairing.start(session, clock(), client="2001:db8:1:3::1").code
