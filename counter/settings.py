"""Run-time settings from the environment (prefix SADUAK_), read once through get_settings()."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SADUAK_", extra="ignore")

    # Where the default database and the demo credentials live.
    var_dir: Path = PROJECT_ROOT / "var"
    # Default (empty): a SQLite file under var_dir, so `make run` needs no server.
    database_url: str = ""
    # Empty or memory:// = in-process events (one process);
    # postgresql:// or redis:// to carry events between several app processes.
    bus_url: str = ""
    # Prefix of the bus's channel names on a shared Redis or PostgreSQL. Empty: this installation's
    # own random name, kept in its database (the same for all of its processes).
    bus_namespace: str = ""
    # Public base URL printed in QR codes; the status page must be reachable from citizens' phones.
    # Empty: `saduak serve` derives it from the address and port it serves (operations.network).
    public_url: str = ""
    session_hours: int = 12
    max_body_bytes: int = 64 * 1024
    # Kiosk: how many tickets one device may issue per minute before it is refused.
    kiosk_rate_per_minute: int = 20
    # Public complaint form: how many complaints one source address may send per hour.
    complaint_rate_per_hour: int = 5
    # Public booking page: bookings, moves and cancels one source address may send per hour, and
    # the lookups (slots, a booking by code) per minute.
    booking_rate_per_hour: int = 20
    booking_reads_per_minute: int = 60
    # `saduak backup`: where copies go (default var_dir/backups) and how many are kept.
    backup_dir: Path | None = None
    backup_keep: int = 14
    # Where kiosk printers may be: `private` (private LAN ranges, ports 9100-9109) and/or
    # NETWORK[:PORTS] entries; loopback and link-local only when listed. See printer.config.
    printer_allow: str = "private"
    # Each app process writes a heartbeat this often; an unclean stop is known to this precision.
    heartbeat_seconds: float = 30.0
    # /metrics answers this machine, and other hosts that send "Authorization: Bearer TOKEN".
    metrics_token: str = ""
    # "json": one JSON object per log line, with the request's id (X-Request-ID).
    log_format: str = "text"
    # How long a write waits for the database (a lock held by another process, this process's
    # queue of writers) before it is refused with 503 and Retry-After.
    write_wait_seconds: float = 5.0
    # How long a kiosk tap waits for its slip to come out before it answers with the ticket and
    # "pending" (the screen then says to note the number; the printing goes on).
    print_wait_seconds: float = 3.0

    # LINE Official Account (line/): the Messaging API's base URL — empty for LINE's own
    # (https://api.line.me); a local fake for tests and the demo — the chat link's base, and how
    # long one call to the API may take before it counts as failed (and is retried later).
    line_api_url: str = ""
    line_chat_url: str = "https://line.me/R/oaMessage"
    line_timeout_seconds: float = 10.0

    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. Empty: none; the client address is the peer's.
    trusted_proxies: str = ""
    # argon2's cost for staff passwords: "standard" (the library's parameters). "test" makes a
    # hash cost microseconds instead of a tenth of a second: for the test suite only, never
    # for accounts anyone uses.
    argon2_cost: Literal["standard", "test"] = "standard"

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'saduak.db'}"
        if self.backup_dir is None:
            self.backup_dir = self.var_dir / "backups"
        return self

    @property
    def cookie_secure(self) -> bool:
        """Cookies are marked Secure when the public URL is https."""
        return self.public_url.startswith("https://")

    @property
    def qr_base_url(self) -> str:
        """The public URL, or the default address when nothing derived one (a bare uvicorn)."""
        return self.public_url or DEFAULT_PUBLIC_URL


@lru_cache
def get_settings() -> Settings:
    return Settings()
