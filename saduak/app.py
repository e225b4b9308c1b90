"""create_app(): wires settings, database, bus and every package's routes; owns their lifetimes."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, datetime
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from admin.pages import mount_admin_static
from admin.routes import router as admin_router
from bookings.routes import CONSOLE_PANEL as BOOKINGS_CONSOLE_PANEL
from bookings.routes import mount_static as mount_bookings_static
from bookings.routes import report_section as bookings_report_section
from bookings.routes import router as bookings_router
from bookings.service import Bookings
from complaints.routes import SUPERVISOR_PANEL, report_section
from complaints.routes import mount_static as mount_complaints_static
from complaints.routes import router as complaints_router
from counter.bus import bus_from_url
from counter.console import configure_staff_feed, mount_console_static
from counter.console import router as console_router
from counter.db import Database
from counter.feed import FeedHub
from counter.pages import SecurityHeaders, install_page_handlers, mount_api_docs
from counter.pairing import router as pairing_router
from counter.routes import router as counter_router
from counter.service import QueueService, installation_namespace
from counter.settings import Settings, get_settings
from counter.ui import mount_common_static
from counter.ui import router as ui_router
from counter.unit_of_work import OfficeWork, utcnow
from counter.web import Authenticator, BodyLimit, install_error_handlers, install_log_redaction
from displays.routes import lifespan as displays_lifespan
from displays.routes import mount_displays_static
from displays.routes import router as displays_router
from displays.voice_admin import MAX_UPLOAD_BYTES as VOICE_MAX_UPLOAD_BYTES
from displays.voice_admin import UPLOAD_PREFIX as VOICE_UPLOAD_PREFIX
from displays.voice_admin import router as voice_admin_router
from kiosk.agent_channel import router as agent_router
from kiosk.printing import lifespan as printing_lifespan
from kiosk.routes import configure_status_feed, issued_response, mount_kiosk_static
from kiosk.routes import router as kiosk_router
from line.notifier import lifespan as line_lifespan
from line.routes import booking_action as line_booking_action
from line.routes import linked_arrivals as line_linked_arrivals
from line.routes import report_section as line_report_section
from line.routes import router as line_router
from line.routes import status_action as line_status_action
from operations.incidents import Watch, printer_state_changed
from operations.logs import RequestId
from operations.metrics import install_metrics
from operations.metrics import router as metrics_router
from operations.routes import mount_static as mount_operations_static
from operations.routes import report_section as continuity_report_section
from operations.routes import router as operations_router
from printer.config import TargetPolicy
from reports.routes import configure_survey_feed, mount_reports_static
from reports.routes import router as reports_router
from reports.sections import Section
from saduak.text import APP_TITLE, ENTRY_PAGE_NAMES

logger = logging.getLogger("saduak")

# The youngest generation is collected after this many new objects (Python's default: 700).
GC_YOUNG_THRESHOLD = 20_000


# Apps running in this process (tests run several, one after another and sometimes nested): the
# collector's settings are changed by the first to start and restored by the last to stop.
_collector_users = 0
_collector_threshold = gc.get_threshold()
# Whether the process froze its start-up itself before any app started (a test runner, a forking
# parent): asked once, since counting the frozen objects walks every one of them.
_process_froze_itself: bool | None = None


@contextmanager
def collector_for_streams() -> Iterator[None]:
    """Garbage collection for a server holding many live pages.

    A full collection walks every object the process holds, and a process serving a thousand
    status pages holds about 400,000: the event loop stood still 150–400 ms each time, every few
    office events (bench.status_fanout). What start-up built (modules, routes, templates) lives as
    long as the process, so it is frozen out of the collector's walk; and with a larger youngest
    generation, what one office event allocates and frees is rarely promoted, so full
    collections become rare. Both are undone when the last app of the process stops. A process
    that froze its own start-up keeps what it froze."""
    global _collector_users, _collector_threshold, _process_froze_itself
    if _process_froze_itself is None:
        _process_froze_itself = gc.get_freeze_count() > 0
    if _collector_users == 0:
        _collector_threshold = gc.get_threshold()
        if not _process_froze_itself:
            gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, *_collector_threshold[1:])
    _collector_users += 1
    try:
        yield
    finally:
        _collector_users -= 1
        if _collector_users == 0:
            gc.set_threshold(*_collector_threshold)
            if not _process_froze_itself:
                gc.unfreeze()


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow
) -> FastAPI:
    settings = settings or get_settings()
    # Parsed now, so a mistyped allow-list stops the server at start rather than at first print.
    printer_policy = TargetPolicy.parse(settings.printer_allow)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Nothing connects at import time: the lifespan opens and closes every resource.
        db = Database(settings.database_url, write_wait=settings.write_wait_seconds)
        if not settings.public_url:
            logger.warning(
                "SADUAK_PUBLIC_URL is not set and this process was not started by `saduak serve`: "
                "QR codes link to %s",
                settings.qr_base_url,
            )
        namespace = settings.bus_namespace
        if settings.bus_url and not namespace:
            namespace = await anyio.to_thread.run_sync(installation_namespace, db, clock())
        bus = bus_from_url(settings.bus_url, namespace=namespace)
        await bus.start()
        # The one unit of work of this process: every service that writes an office uses it.
        app.state.work = work = OfficeWork(db, bus, clock=clock)
        queue = QueueService(db, bus, public_url=settings.qr_base_url, clock=clock, work=work)
        app.state.settings = settings
        app.state.printer_policy = printer_policy
        app.state.db = db
        app.state.bus = bus
        app.state.queue = queue
        app.state.auth = Authenticator(db, queue)
        queue.printer_state_listeners.append(printer_state_changed)
        watch = Watch(db, bus, clock=clock, interval=settings.heartbeat_seconds)
        await watch.start()
        app.state.watch = watch
        # One bus subscription per office for every live page: screens, consoles, tablets, phones.
        app.state.feeds = feeds = FeedHub(db=db, bus=bus, clock=clock)
        configure_status_feed(app)
        configure_staff_feed(app)
        configure_survey_feed(app)
        try:
            # LINE reads bookings (link, reminder, check-in) through this; siblings never import
            # each other.
            app.state.line_bookings = Bookings(work)
            async with displays_lifespan(app), printing_lifespan(app), line_lifespan(app):
                with collector_for_streams():
                    yield
        finally:
            await feeds.stop()
            await watch.stop()
            await bus.stop()
            db.dispose()

    app = FastAPI(
        title=APP_TITLE,
        description="Queue and service-counter system for government front offices.",
        version="0.1.0",
        lifespan=lifespan,
        # Served by mount_api_docs from this server's own copy of Swagger UI.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        # Voice clips are WAV files, far larger than any JSON body.
        larger={VOICE_UPLOAD_PREFIX: VOICE_MAX_UPLOAD_BYTES + 64 * 1024},
    )
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    install_log_redaction()
    install_metrics(app)
    app.add_middleware(RequestId)
    install_page_handlers(app)
    mount_common_static(app)
    mount_kiosk_static(app)
    mount_console_static(app)
    mount_displays_static(app)
    mount_reports_static(app)
    mount_admin_static(app)
    mount_api_docs(app)
    mount_complaints_static(app)
    mount_bookings_static(app)
    # Siblings never import each other: the reports and the supervisor view get the complaint
    # register's figures and card from here.
    app.state.report_sections = {
        "complaints": report_section(app.state),
        "continuity": continuity_report_section(app.state),
        "channels": channels_section(
            bookings_report_section(app.state), line_report_section(app.state)
        ),
    }
    # Arrivals by channel: the LINE-linked ones, beside walk-in and booked.
    app.state.channel_counts = {"line_linked": line_linked_arrivals(app.state)}
    # Booking check-in issues (and at a kiosk prints) its ticket as POST /api/v1/tickets does.
    app.state.ticket_issuer = issued_response
    app.state.supervisor_panels = [SUPERVISOR_PANEL]
    # Buttons the citizen's status page (kiosk) offers from other packages.
    app.state.status_actions = [line_status_action(app.state)]
    app.state.booking_actions = [line_booking_action(app.state)]
    app.state.console_panels = [BOOKINGS_CONSOLE_PANEL]
    mount_operations_static(app)
    app.include_router(ui_router)
    # Kiosk routes first: /api/v1/tickets/{id}/reprint must win over the generic
    # /api/v1/tickets/{id}/{action} of the counter router.
    app.include_router(kiosk_router)
    app.include_router(agent_router)
    app.include_router(counter_router)
    app.include_router(displays_router)
    app.include_router(console_router)
    app.include_router(pairing_router)
    app.include_router(reports_router)
    app.include_router(admin_router)
    app.include_router(complaints_router)
    app.include_router(bookings_router)
    app.include_router(line_router)
    app.include_router(voice_admin_router)
    app.include_router(operations_router)
    app.include_router(metrics_router)
    return app


def channels_section(bookings: Section, line: Section) -> Section:
    """The reports' channels section: the bookings' figures, with LINE's links and pushes."""

    async def section(
        office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        figures = await bookings(office_id, first, last, served)
        figures["line"] = await line(office_id, first, last, served)
        return figures

    return section


# Pages a person opens, in the order `saduak demo` prints them; only those this build serves.
ENTRY_PAGES: list[tuple[str, str]] = [(name, path) for path, name in ENTRY_PAGE_NAMES.items()]


def entry_urls(app: FastAPI) -> list[tuple[str, str]]:
    paths = set(_paths(app.routes))
    return [(label, path) for label, path in ENTRY_PAGES if path in paths]


def _paths(routes: Iterable[Any]) -> Iterator[str]:
    for route in routes:
        # Included routers are resolved lazily and keep their routes on the original router.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _paths(inner.routes)
        elif isinstance(getattr(route, "path", None), str):
            yield route.path
