"""`saduak doctor`: one line per thing an office needs working, each with what was found."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from counter.auth import DeviceKind
from counter.bus import bus_from_url
from counter.db import Database
from counter.models import Device, Office
from counter.settings import Settings
from operations import repository as repo
from printer.config import AgentTarget, BrowserTarget, PrinterConfig, TargetPolicy, confine
from printer.escpos_io import query_status
from printer.status import PRINTABLE_STATES

OK, WARN, FAIL = "ok", "warn", "FAIL"
# Thresholds of a warning; a failure is what stops service.
DISK_WARN_BYTES = 2 * 1024**3
BACKUP_WARN_HOURS = 36
CLOCK_WARN_SECONDS = 5.0


@dataclass
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<14} {self.detail}"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def check_public_url(public_url: str) -> Check:
    try:
        answer = httpx.get(f"{public_url}/healthz", timeout=3.0)
    except httpx.HTTPError as exc:
        return Check("public URL", FAIL, f"{public_url} does not answer here: {exc}")
    if answer.status_code != 200:
        return Check("public URL", FAIL, f"{public_url}/healthz answered {answer.status_code}")
    return Check("public URL", OK, f"{public_url} answers")


def check_database(db: Database) -> Check:
    try:
        with db.write() as session:
            if db.dialect == "postgresql":
                read_only = session.execute(sa.text("SHOW transaction_read_only")).scalar_one()
                if read_only == "on":
                    return Check("database", FAIL, "PostgreSQL is read-only (a standby?)")
                size = session.execute(
                    sa.text("SELECT pg_database_size(current_database())")
                ).scalar_one()
                where = f"PostgreSQL {make_url(db.url).database}"
            else:
                # BEGIN IMMEDIATE has taken the write lock: the file is writable.
                path = Path(make_url(db.url).database or "")
                size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
                where = f"SQLite {path}"
    except sa.exc.SQLAlchemyError as exc:
        return Check("database", FAIL, f"cannot write: {str(exc).splitlines()[0]}")
    return Check("database", OK, f"writable, {_size(size)} ({where})")


def check_disk(folder: Path) -> Check:
    folder.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(folder)
    detail = f"{_size(usage.free)} free of {_size(usage.total)} at {folder}"
    if usage.free < DISK_WARN_BYTES or usage.free < usage.total * 0.05:
        return Check("disk", WARN, detail)
    return Check("disk", OK, detail)


def check_clock(db: Database, now: datetime) -> Check:
    """The offices' time zones, and this machine's clock against the database server's."""
    with db.read() as session:
        zones = sorted({o.timezone for o in session.exec(select(Office))})
        db_now = (
            session.execute(sa.text("SELECT now()")).scalar_one()
            if db.dialect == "postgresql"
            else None
        )
    shown = ", ".join(f"{z} {now.astimezone(ZoneInfo(z)):%H:%M}" for z in zones) or "no office"
    detail = f"{now:%Y-%m-%d %H:%M:%S} UTC; {shown}"
    if db_now is not None:
        skew = abs((db_now - now).total_seconds())
        detail += f"; database server differs by {skew:.1f} s"
        if skew > CLOCK_WARN_SECONDS:
            return Check("clock", WARN, detail)
    return Check("clock", OK, detail)


def check_printers(db: Database, policy: TargetPolicy) -> Iterator[Check]:
    with db.read() as session:
        kiosks = list(
            session.exec(
                select(Device).where(
                    Device.kind == DeviceKind.KIOSK.value, col(Device.revoked_at).is_(None)
                )
            )
        )
    if not kiosks:
        yield Check("printers", OK, "no kiosk is paired")
    for kiosk in kiosks:
        name = f"printer {kiosk.id}"
        if not kiosk.printer or kiosk.printer == "none":
            yield Check(name, WARN, f"{kiosk.name}: no printer configured (tickets on screen only)")
            continue
        try:
            config = confine(PrinterConfig.parse(kiosk.printer), policy)
        except ValueError as exc:
            yield Check(name, FAIL, f"{kiosk.name}: {exc}")
            continue
        if isinstance(config.target, BrowserTarget):
            yield Check(name, WARN, f"{kiosk.name}: prints through its browser; nothing to check")
            continue
        if isinstance(config.target, AgentTarget):
            # The server never opens it: what the kiosk's print agent last reported.
            last = kiosk.printer_state or "unknown"
            seen = (
                kiosk.printer_checked_at.isoformat(timespec="seconds")
                if kiosk.printer_checked_at
                else "never"
            )
            detail = (
                f"{kiosk.name} (agent://): {last} {kiosk.printer_detail or ''} (reported {seen})"
            )
            yield Check(name, OK if last in PRINTABLE_STATES else FAIL, detail)
            continue
        status = query_status(config)
        state = status.state
        detail = f"{kiosk.name} ({config}): {state.value} {status.detail}".strip()
        yield Check(name, OK if state in PRINTABLE_STATES else FAIL, detail)


def check_bus(url: str) -> Check:
    if not url or url.startswith("memory"):
        return Check("bus", OK, "in-process (one app process)")

    async def round_trip() -> float:
        bus = bus_from_url(url)
        await bus.start()
        try:
            channel = f"saduak.doctor.{time.monotonic_ns()}"
            async with bus.subscribe(channel) as subscription:
                began = time.perf_counter()
                await bus.publish(channel, {"type": "ping"})
                async with asyncio.timeout(3):
                    await subscription.get()
                return time.perf_counter() - began
        finally:
            await bus.stop()

    scheme = url.split(":", 1)[0]
    try:
        seconds = asyncio.run(round_trip())
    except Exception as exc:
        return Check("bus", FAIL, f"{scheme}: no round trip ({type(exc).__name__}: {exc})")
    return Check("bus", OK, f"{scheme}: a message went round in {seconds * 1000:.1f} ms")


def check_backup(db: Database, now: datetime) -> Check:
    with db.read() as session:
        drill = repo.last_passed_drill(session)
    if drill is None:
        return Check("backup", WARN, "no verified backup yet: saduak backup, then backup verify")
    hours = (now - drill.at).total_seconds() / 3600
    detail = f"last verified {hours:.1f} h ago ({drill.backup_file})"
    return Check("backup", WARN if hours > BACKUP_WARN_HOURS else OK, detail)


def run_checks(
    settings: Settings, public_url: str, *, now: Callable[[], datetime] | None = None
) -> list[Check]:
    clock = now or (lambda: datetime.now(UTC))
    checks = [check_public_url(public_url)]
    db = Database(settings.database_url)
    try:
        database = check_database(db)
        checks.append(database)
        checks.append(check_disk(settings.var_dir))
        if database.status != FAIL:
            checks.append(check_clock(db, clock()))
            try:
                policy = TargetPolicy.parse(settings.printer_allow)
            except ValueError as exc:
                checks.append(Check("printers", FAIL, f"SADUAK_PRINTER_ALLOW: {exc}"))
            else:
                checks.extend(check_printers(db, policy))
        checks.append(check_bus(settings.bus_url))
        if database.status != FAIL:
            checks.append(check_backup(db, clock()))
    finally:
        db.dispose()
    return checks
