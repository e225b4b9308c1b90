"""The `saduak` command: serve, migrate, demo, user and device administration.

Every command builds the whole command tree, so this module and `operations.cli` import at the
top only what the tree needs; what a command does is imported when it runs. The kiosk agent (on
a kiosk PC) then starts in about a fifth of the CPU that loading the app's database layer,
models and use cases costs (2.5–3 s on a loaded 2-core machine)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from counter.roles import DeviceKind, Role
from counter.settings import get_settings
from operations.cli import backup_app, doctor_command, restore_command, take_backup
from operations.network import resolve_public_url
from printer.config import AgentTarget, PrinterConfig, TargetPolicy, confine
from saduak.text import CLI_HELP, COUNTER_DISPLAY_NAME, ENTRY_PAGE_NAMES

if TYPE_CHECKING:
    from sqlmodel import Session

    from admin.service import AdminService
    from counter.db import Database
    from counter.models import Device, Office
    from counter.print_jobs import JobView
    from counter.service import QueueService
    from line.fake import FakeLineServer

app = typer.Typer(help=CLI_HELP, no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
device_app = typer.Typer(help="Paired kiosks and display screens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(device_app, name="device")
printer_app = typer.Typer(help="Ticket printers of kiosks.", no_args_is_help=True)
app.add_typer(printer_app, name="printer")
app.add_typer(backup_app, name="backup")
app.command("restore")(restore_command)
app.command("doctor")(doctor_command)

T = TypeVar("T")

OfficeOpt = Annotated[
    str | None, typer.Option("--office", help="office code; defaults to the only office")
]


def _now() -> datetime:
    return datetime.now(UTC)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


@contextmanager
def _db() -> Iterator[Database]:
    from counter.db import Database

    db = Database(get_settings().database_url)
    try:
        yield db
    finally:
        db.dispose()


def _office(session: Session, code: str | None) -> Office:
    from counter import repository as repo

    if code:
        office = repo.office_by_code(session, code)
        if office is None:
            raise _fail(f"no office with code {code!r}")
        return office
    offices = repo.list_offices(session)
    if len(offices) == 1:
        return offices[0]
    if not offices:
        raise _fail("there is no office yet: run `saduak demo` or create one in the admin")
    raise _fail(
        "several offices exist; choose one with --office CODE: "
        + ", ".join(o.code for o in offices)
    )


def _migrate(*, backup_first: bool = True) -> None:
    """Upgrade the schema; a database holding data is backed up first when anything changes."""
    from operations.backup import is_empty
    from saduak import migrations

    settings = get_settings()
    url = settings.database_url
    migrations.upgrade_prepare(url)
    if backup_first and not is_empty(url) and migrations.pending(url):
        typer.echo(f"backup before the upgrade: {take_backup(settings)}")
    migrations.upgrade(url)


@app.command()
def migrate(
    backup: Annotated[
        bool, typer.Option("--backup/--no-backup", help="back up a database with data first")
    ] = True,
) -> None:
    """Apply all database migrations (after a backup when they change a database with data)."""
    _migrate(backup_first=backup)
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="app processes (needs PostgreSQL + a bus URL)")] = 1,
) -> None:
    """Migrate, then serve the app."""
    _migrate()
    _serve(host, port, workers)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    history: Annotated[
        int,
        typer.Option(
            "--history",
            metavar="DAYS",
            help="also seed DAYS days of past traffic, complaints and surveys for the demo office",
        ),
    ] = 0,
    line_fake: Annotated[
        bool,
        typer.Option(
            "--line-fake",
            help="LINE notifications against a local fake LINE platform (no LINE account needed)",
        ),
    ] = False,
) -> None:
    """Migrate, seed a demo district office when the database is empty, then serve."""
    from counter.auth import add_device
    from counter.seed import seed_demo

    settings = get_settings()
    credentials = settings.var_dir / "demo-credentials.txt"
    _migrate()
    with _db() as db, db.write() as session:
        passwords = seed_demo(session, _now())
        lines: list[str] = []
        if passwords is not None:
            office = _office(session, None)
            assert office.id is not None
            _, kiosk_token = add_device(session, office.id, DeviceKind.KIOSK, "kiosk-1", _now())
            _, display_token = add_device(session, office.id, DeviceKind.DISPLAY, "hall", _now())
            lines = [f"{user}\t{pw}" for user, pw in passwords.items()]
            lines += [f"kiosk-1 token\t{kiosk_token}", f"hall display token\t{display_token}"]
    if passwords is not None:
        credentials.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created owner-only: the secrets are never readable by others, not even for a moment.
        with contextlib.suppress(FileNotFoundError):
            credentials.unlink()
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(
                "# Demo accounts (username, password) and device tokens; shown once.\n"
                + "\n".join(lines)
                + "\n"
            )
        typer.echo(f"Seeded the demo office. Accounts and tokens ({credentials}):")
        for line in lines:
            typer.echo("  " + line.replace("\t", ": "))
    elif credentials.exists():
        typer.echo(f"Demo accounts: {credentials}")
    if history:
        _seed_history(history)
    fake = _start_line_fake(host, port) if line_fake else None
    with _db() as db, db.read() as session:
        screens = demo_screen_paths(session, _read_credentials(credentials))
    try:
        _serve(host, port, 1, screens)
    finally:
        if fake is not None:
            fake.stop()


def _start_line_fake(host: str, port: int) -> FakeLineServer:
    """A local fake LINE platform for the demo: the SDK sends to it, its chat page sends the
    citizen's message to this server's webhook, and the demo office gets its account (unless it
    has one already)."""
    from line.fake import DEMO_BASIC_ID, DEMO_SECRET, DEMO_TOKEN, FakeLine, FakeLineServer
    from line.service import seed_account

    fake = FakeLineServer(FakeLine(access_token=DEMO_TOKEN, channel_secret=DEMO_SECRET)).start()
    os.environ["SADUAK_LINE_API_URL"] = fake.url
    os.environ["SADUAK_LINE_CHAT_URL"] = f"{fake.url}/oaMessage"
    get_settings.cache_clear()
    with _db() as db, db.write() as session:
        office = _office(session, None)
        assert office.id is not None
        seed_account(session, office.id, DEMO_SECRET, DEMO_TOKEN, DEMO_BASIC_ID, _now())
        code = office.code
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    fake.fake.webhook_url = f"http://{local}:{port}/line/webhook/{code}"
    typer.echo(f"LINE (fake platform): {fake.url}/chat — what the office's LINE account sent")
    return fake


# The demo's paired screens: opened with their token once, they keep it (the token then leaves
# the address bar) and show the office at once instead of a pairing code.
DEMO_SCREENS: list[tuple[str, str, str]] = [
    ("kiosk-1 token", ENTRY_PAGE_NAMES["/kiosk"], "/kiosk"),
    ("hall display token", ENTRY_PAGE_NAMES["/display"], "/display"),
    ("hall display token", COUNTER_DISPLAY_NAME.format(number=1), "/display/counter/1"),
]


def _read_credentials(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    pairs = (line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    return {key: value.strip() for key, value in pairs}


def demo_screen_paths(session: Session, credentials: dict[str, str]) -> dict[str, str]:
    """Entry path → the same path with the demo device's token, for the tokens of the demo
    credentials file that still open a paired device (a revoked one falls back to the plain
    URL and its pairing screen)."""
    from counter.auth import device_for_token

    paths: dict[str, str] = {}
    for key, _, path in DEMO_SCREENS:
        token = credentials.get(key)
        if token and device_for_token(session, token) is not None:
            paths[path] = f"{path}?token={token}"
    return paths


def _seed_history(days: int) -> None:
    from saduak.history import HistoryRefused, seed_history

    with _db() as db:
        with db.read() as session:
            office = _office(session, None)
        assert office.id is not None
        try:
            made = seed_history(db, office.id, days, _now())
        except HistoryRefused as refused:
            typer.echo(f"history: {refused}")
            return
    if made.first is None:
        typer.echo("history: no working day in that range")
        return
    typer.echo(
        f"history: {made.tickets} tickets and {made.complaints} complaints "
        f"from {made.first} to {made.last}"
    )


def trusted_proxies(setting: str) -> list[str]:
    """SADUAK_TRUSTED_PROXIES as addresses and networks; a typo stops the server at start."""
    proxies = [p.strip() for p in setting.split(",") if p.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise _fail(
                f"SADUAK_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
            ) from None
    return proxies


def _serve(host: str, port: int, workers: int, screens: dict[str, str] | None = None) -> None:
    import uvicorn

    from operations.logs import json_log_config
    from saduak.app import create_app, entry_urls

    public = resolve_public_url(get_settings().public_url, host, port)
    # Every process uvicorn starts (one, or each worker) reads its settings from the environment.
    os.environ["SADUAK_PUBLIC_URL"] = public.url
    get_settings.cache_clear()
    for warning in public.warnings:
        typer.secho(f"\n!!! {warning}\n", err=True, fg=typer.colors.RED, bold=True)
    how = "derived from the address served" if public.derived else "SADUAK_PUBLIC_URL"
    typer.echo(f"QR codes on tickets link to {public.url} ({how})")
    base = public.url
    typer.echo("Saduak is starting:")
    screens = screens or {}
    entries = entry_urls(create_app())
    # A demo screen that is not an entry page (a counter's display) follows them.
    shown = {path for _, path in entries}
    entries += [(label, path) for _, label, path in DEMO_SCREENS if path in screens.keys() - shown]
    for label, path in entries:
        typer.echo(f"  {label:<22} {base}{screens.get(path, path)}")
    sys.stdout.flush()
    json_logs = get_settings().log_format == "json"
    proxies = trusted_proxies(get_settings().trusted_proxies)
    uvicorn.run(
        "saduak.app:create_app",
        log_config=json_log_config() if json_logs else uvicorn.config.LOGGING_CONFIG,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # X-Forwarded-For names the client only when a configured proxy sent it; otherwise
        # anyone could pick the address that rate limits and logs see (uvicorn would believe
        # any local process by default).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        # Call messages are tiny and stay on the office network: per-socket compression only
        # costs CPU, about three times the send cost per screen at 200 screens.
        ws_per_message_deflate=False,
    )


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, manager or staff")],
    password: Annotated[str | None, typer.Option(help="omit to print a random one once")] = None,
    name: Annotated[str, typer.Option(help="display name")] = "",
    office: OfficeOpt = None,
) -> None:
    """Create a staff account (the same rules and audit entry as Admin → Staff)."""
    from admin.audit import command_line
    from admin.schemas import StaffIn

    with _db() as db:
        with db.read() as session:
            target = _office(session, office)
        assert target.id is not None
        body = StaffIn(username=username, display_name=name or username, role=role.value)
        created = _admin_run(
            db,
            lambda admin: admin.create_staff(command_line(target.id or 0), body, password=password),
        )
    username = created["staff"]["username"]
    typer.echo(f"created {role.value} {username!r} in office {target.code}")
    if password is None:
        typer.echo(f"password (shown once): {created['password']}")


@user_app.command("passwd")
def user_passwd(
    username: str,
    password: Annotated[str | None, typer.Option(help="omit to print a random one once")] = None,
) -> None:
    """Set a new password (the account is signed out everywhere, as Admin → Staff does)."""
    from admin.audit import command_line
    from counter import repository as repo

    with _db() as db:
        with db.read() as session:
            staff = repo.staff_by_username(session, username)
        if staff is None or staff.id is None:
            raise _fail(f"no user {username!r}")
        staff_id, office_id = staff.id, staff.office_id
        done = _admin_run(
            db,
            lambda admin: admin.reset_password(
                command_line(office_id), staff_id, password=password
            ),
        )
    typer.echo(f"password changed for {username!r}")
    if password is None:
        typer.echo(f"password (shown once): {done['password']}")


@user_app.command("list")
def user_list(office: OfficeOpt = None) -> None:
    """List staff accounts."""
    from counter import repository as repo

    with _db() as db, db.read() as session:
        target = _office(session, office)
        assert target.id is not None
        for staff in repo.staff_list(session, target.id):
            state = "" if staff.active else " (inactive)"
            typer.echo(f"{staff.username}\t{staff.role}\t{staff.display_name}{state}")


@device_app.command("add")
def device_add(
    kind: DeviceKind,
    name: str,
    printer: Annotated[
        str | None, typer.Option(help="kiosk printer, e.g. tcp://10.0.0.5:9100")
    ] = None,
    office: OfficeOpt = None,
) -> None:
    """Pair a kiosk or display screen; prints its token once (the same rules and audit entry
    as Admin → Devices)."""
    from admin.audit import command_line
    from admin.schemas import DeviceIn

    with _db() as db:
        with db.read() as session:
            target = _office(session, office)
        body = DeviceIn(kind=kind.value, name=name, printer=printer)
        device, token = _admin_run(
            db, lambda admin: admin.add_device(command_line(target.id or 0), body)
        )
    typer.echo(f"device {device['id']} ({kind.value} {device['name']!r}) in office {target.code}")
    typer.echo(f"token (shown once): {token}")


@device_app.command("list")
def device_list(office: OfficeOpt = None) -> None:
    """List paired devices."""
    from counter import repository as repo

    with _db() as db, db.read() as session:
        target = _office(session, office)
        assert target.id is not None
        for d in repo.devices(session, target.id):
            state = "revoked" if d.revoked_at else "active"
            seen = d.last_seen_at.isoformat(timespec="seconds") if d.last_seen_at else "never"
            typer.echo(f"{d.id}\t{d.kind}\t{d.name}\t{state}\tlast seen {seen}")


@device_app.command("revoke")
def device_revoke(device_id: int, office: OfficeOpt = None) -> None:
    """Revoke a device's token (with the same audit entry as Admin → Devices)."""
    from admin.audit import command_line

    with _db() as db:
        with db.read() as session:
            target = _office(session, office)
        _admin_run(db, lambda admin: admin.revoke_device(command_line(target.id or 0), device_id))
    typer.echo(f"device {device_id} revoked")


def _allowed_printer(setting: str) -> PrinterConfig:
    """The printer setting, checked like the admin pages check it (SADUAK_PRINTER_ALLOW)."""
    try:
        policy = TargetPolicy.parse(get_settings().printer_allow)
        return confine(PrinterConfig.parse(setting), policy)
    except ValueError as exc:
        raise _fail(str(exc)) from exc


def _queue(db: Database) -> QueueService:
    from counter.bus import MemoryBus
    from counter.service import QueueService

    return QueueService(db, MemoryBus(), public_url=get_settings().qr_base_url)


def _admin_run(db: Database, use_case: Callable[[AdminService], Coroutine[Any, Any, T]]) -> T:
    """Run one admin use case, as Admin's pages do: the same rules, unit of work and audit."""
    from admin.service import AdminService
    from counter.queue.errors import DomainError

    admin = AdminService(_queue(db).work, TargetPolicy.parse(get_settings().printer_allow))
    try:
        return asyncio.run(use_case(admin))
    except DomainError as exc:
        raise _fail(exc.en) from exc


@printer_app.command("test")
def printer_test(
    kiosk: Annotated[
        int, typer.Option("--kiosk", help="device id of the kiosk (saduak device list)")
    ],
    office: OfficeOpt = None,
) -> None:
    """Print a test page (width ruler and Thai sample) on a kiosk's printer."""
    from counter import repository as repo
    from printer.escpos_io import print_image
    from printer.render import RenderingUnavailable, check_raqm, render_test_page

    with _db() as db:
        with db.read() as session:
            target = _office(session, office)
            device = next((d for d in repo.devices(session, target.id or 0) if d.id == kiosk), None)
        if device is None or device.kind != DeviceKind.KIOSK.value:
            raise _fail(f"no kiosk with id {kiosk} in office {target.code}")
        if not device.printer:
            raise _fail(f"kiosk {device.name!r} has no printer configured")
        config = _allowed_printer(device.printer)
        if isinstance(config.target, AgentTarget):
            _test_through_agent(db, device)
            return
        try:
            check_raqm()
        except RenderingUnavailable as exc:
            raise _fail(str(exc)) from exc
        result = print_image(config, render_test_page(config.width))
        # The device row is read by office admins: it keeps the public wording only.
        shown = result.status.public()
        asyncio.run(
            _queue(db).record_printer_status(device.office_id, kiosk, shown.state, shown.detail)
        )
    if not result.printed:
        raise _fail(f"not printed on {config}: {result.status.state} ({result.detail})")
    typer.echo(f"test page printed on {config} ({result.status.state})")


def _test_through_agent(db: Database, device: Device) -> None:
    """The test page as a job of the kiosk's print outbox: the server hands it to the kiosk's
    agent, which prints it on its own printer and acknowledges it."""
    from counter.print_jobs import FINAL, agent_queue
    from kiosk.printing import JOB_DEADLINE

    assert device.id is not None
    device_id = device.id
    queue = _queue(db)

    async def run() -> JobView | None:
        job = await queue.enqueue_print(
            device.office_id, device_id, agent_queue(device_id), deadline=JOB_DEADLINE, kind="test"
        )
        typer.echo(f"test page sent to the print agent of {device.name!r} (job {job.id})")
        waited = 0.0
        while waited < JOB_DEADLINE.total_seconds() + 5:
            seen = await queue.print_job(job.id)
            if seen is not None and seen.status in FINAL:
                return seen
            await asyncio.sleep(0.2)
            waited += 0.2
        return None

    done = asyncio.run(run())
    if done is None:
        raise _fail(
            "the print agent did not answer: is the server running and "
            f"saduak kiosk-agent connected for {device.name!r}?"
        )
    if done.status != "printed":
        raise _fail(f"not printed through the agent: {done.state} ({done.detail})")
    typer.echo(f"test page printed through the agent ({done.state})")


@printer_app.command("preview")
def printer_preview(
    ticket_id: int,
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write")],
    width: Annotated[int | None, typer.Option(help="dots; default: the issuing kiosk's")] = None,
    office: OfficeOpt = None,
) -> None:
    """Render a ticket exactly as it prints, to a PNG file."""
    from counter.queue.errors import NotFound
    from kiosk.printing import render_ticket
    from printer.config import PrinterConfigError

    with _db() as db:
        with db.read() as session:
            target = _office(session, office)
        assert target.id is not None
        queue = _queue(db)
        try:
            view = asyncio.run(queue.ticket(target.id, ticket_id))
        except NotFound as exc:
            raise _fail(exc.en) from exc
        if width is None:
            width = 512
            if view.device_id is not None:
                device = asyncio.run(queue.device(target.id, view.device_id))
                with contextlib.suppress(PrinterConfigError):
                    width = PrinterConfig.parse(device.printer or "none").width
        image = render_ticket(view, target, width)
    image.save(output)
    typer.echo(f"wrote {output} ({image.width}x{image.height}) for ticket {view.number}")


@app.command("kiosk-agent")
def kiosk_agent(
    server: Annotated[str, typer.Option(help="the server, e.g. http://192.168.1.10:8000")],
    printer: Annotated[
        str,
        typer.Option(
            help="this PC's printer: usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0, "
            "file:///dev/usb/lp0 or win://QUEUE (Windows), with ?width=384|512|576"
        ),
    ],
    token: Annotated[
        str | None,
        typer.Option(envvar="SADUAK_AGENT_TOKEN", help="the kiosk's device token (or --pair)"),
    ] = None,
    pair: Annotated[
        bool, typer.Option("--pair", help="show a pairing code and wait for an admin")
    ] = False,
    state_dir: Annotated[
        Path | None, typer.Option(help="where the agent keeps its token and job journal")
    ] = None,
) -> None:
    """Print this kiosk's tickets on the printer attached to this PC (runs on the kiosk PC)."""
    import logging

    from printer.agent import Agent, AgentStopped, default_state_dir, saved_token
    from printer.agent import pair as pair_agent
    from printer.config import PrinterConfigError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True
    )
    for chatty in ("escpos", "httpx"):  # every connection, every poll
        logging.getLogger(chatty).setLevel(logging.WARNING)
    directory = state_dir or default_state_dir()
    try:
        config = PrinterConfig.parse(printer)
    except PrinterConfigError as exc:
        raise _fail(str(exc)) from exc
    if pair:
        token = pair_agent(server, directory, typer.echo)
    token = token or saved_token(directory)
    if not token:
        raise _fail("no kiosk token: give --token KIOSK_TOKEN, or --pair to pair this kiosk")
    try:
        agent = Agent(server, token, config, directory)
        asyncio.run(agent.run())
    except (ValueError, AgentStopped) as exc:
        raise _fail(str(exc)) from exc
    except KeyboardInterrupt:
        pass


def main() -> None:
    app()


if __name__ == "__main__":
    main()
