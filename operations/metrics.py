"""`/metrics` in the Prometheus text format: the queue of every office (read from the database at
each scrape, so every app process tells the same), connected screens, kiosk printers, bus lag, and
this process's request latency. Served to this machine, or to whoever has the metrics token."""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlmodel import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from counter import repository as counter_repo
from counter.auth import DeviceKind
from counter.models import Device, Office
from counter.service import day_start, local_day
from counter.web import error_body
from operations import repository as repo
from operations.text import say

router = APIRouter(include_in_schema=False)

# Seconds: a page or API call is a few ms; a slow database shows in the upper buckets.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class QueueCollector:
    """Gauges read at scrape time from the database and the app's state."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        issued = GaugeMetricFamily(
            "saduak_tickets_issued_today",
            "Tickets issued this business day",
            labels=["office", "service"],
        )
        called = GaugeMetricFamily(
            "saduak_tickets_called_today",
            "Calls (first calls and recalls of a transaction) this business day",
            labels=["office", "service"],
        )
        waiting = GaugeMetricFamily(
            "saduak_tickets_waiting", "Tickets waiting now", labels=["office", "service"]
        )
        oldest = GaugeMetricFamily(
            "saduak_oldest_wait_seconds",
            "How long the longest-waiting ticket has been in its line",
            labels=["office", "service"],
        )
        printers = GaugeMetricFamily(
            "saduak_printer_state",
            "1 for each kiosk printer's last known state",
            labels=["office", "kiosk", "state"],
        )
        db = self.state.db
        now = self.state.queue.clock()
        with db.read() as session:
            for office in session.exec(select(Office)):
                assert office.id is not None
                services = {s.id: s.code for s in counter_repo.services(session, office.id)}
                today = local_day(now, office.timezone)
                counts = repo.events_since(session, office.id, day_start(today, office.timezone))
                lines = repo.waiting_by_service(session, office.id, today)
                for sid, code in services.items():
                    labels = [office.code, code]
                    issued.add_metric(labels, counts.get((sid, "issued"), 0))  # type: ignore[arg-type]
                    called.add_metric(labels, counts.get((sid, "called"), 0))  # type: ignore[arg-type]
                    n, first = lines.get(sid, (0, None))  # type: ignore[arg-type]
                    waiting.add_metric(labels, n)
                    oldest.add_metric(
                        labels, max(0.0, (now - first).total_seconds()) if first else 0.0
                    )
                kiosks = session.exec(
                    select(Device).where(
                        Device.office_id == office.id, Device.kind == DeviceKind.KIOSK.value
                    )
                )
                for kiosk in kiosks:
                    if kiosk.revoked_at is None:
                        printers.add_metric(
                            [office.code, kiosk.name, kiosk.printer_state or "unchecked"], 1
                        )
            codes = {o.id: o.code for o in session.exec(select(Office))}
        yield from (issued, called, waiting, oldest, printers)

        screens = GaugeMetricFamily(
            "saduak_screens_connected",
            "Display screens connected to this process",
            labels=["office"],
        )
        per_office: dict[str, int] = {}
        hub = getattr(self.state, "displays", None)
        for conn in hub.connections() if hub is not None else []:
            code = codes.get(conn.office_id, str(conn.office_id))
            per_office[code] = per_office.get(code, 0) + 1
        for code, n in sorted(per_office.items()):
            screens.add_metric([code], n)
        yield screens

        watch = getattr(self.state, "watch", None)
        lag = getattr(watch, "bus_lag_seconds", None)
        if lag is not None:
            yield GaugeMetricFamily(
                "saduak_bus_lag_seconds",
                "Time this process's last heartbeat took to come back from the event bus",
                value=lag,
            )


class RequestLatency:
    """ASGI middleware: the duration of each HTTP request, by route template and status."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            # The template, never the raw path: tokens and ids stay out of the labels.
            path = getattr(route, "path", None) or "unmatched"
            self.histogram.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - began
            )


def install_metrics(app: Any) -> None:
    registry = CollectorRegistry()
    histogram = Histogram(
        "saduak_http_request_duration_seconds",
        "HTTP request latency in this process",
        ["method", "route", "status"],
        registry=registry,
        buckets=LATENCY_BUCKETS,
    )
    registry.register(QueueCollector(app.state))
    app.state.metrics_registry = registry
    app.add_middleware(RequestLatency, histogram=histogram)


def _allowed(request: Request) -> bool:
    token = request.app.state.settings.metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not _allowed(request):
        return JSONResponse(
            error_body("forbidden", *say("metrics_forbidden")),
            status_code=403,
        )
    registry: CollectorRegistry = request.app.state.metrics_registry
    body = await anyio.to_thread.run_sync(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
