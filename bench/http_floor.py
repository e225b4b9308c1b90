"""The floor of bench.http_queue: issue and call-next as bare Starlette endpoints over the driver.

Each endpoint runs, in one transaction through the database's own driver (sqlite3, or psycopg 3
for PostgreSQL, no ORM, no SQLAlchemy), the same SQL statements the app runs for that request.
The statements are written here by hand, copied in order from what the app sent while handling
one request (captured with a SQLAlchemy `before_cursor_execute` hook on both of its engines, on
SQLite and PostgreSQL: for issue 6 statements in the write, then 8 in a read transaction after
its commit, outside the office's lock, for the wait estimate its answer carries, among them the
waiting lines caught up with the events since the last answer, as the app keeps them; 13 for a
call-next that finishes the ticket served before, besides BEGIN and COMMIT); when the app's
queries change, capture again and copy. Only what the database needs is kept around them: the
office's write lock (one asyncio lock per process, as the app's unit of work has, then BEGIN
IMMEDIATE on SQLite or the office row FOR UPDATE on PostgreSQL), the transaction in a worker
thread (a blocking driver must not stop the event loop), a read connection per worker thread (as
the app's read engine pools them), the day in the office's time zone, and a JSON answer with the
ticket. No authentication, no validation, no policy beyond "oldest head first", no events, no
bus.

Served by the same uvicorn with the same settings as `saduak serve` (one process, log level info,
access log on):

    SADUAK_DATABASE_URL=sqlite:///path.db python -m bench.http_floor --port 8001

With `--stack`, the same endpoints are served inside Saduak's own app (`create_stack_app`): the
floor plus the web stack every request of the app crosses.

    POST /issue          {"service": code}   -> 201 {"id", "number"}
    POST /call-next/{n}                      -> 200 {"id", "number"} | 204 (nobody waiting)
    POST /start/{id}                         -> 200 (untimed in the benchmark, as in the app's run)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio.to_thread
import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

T = TypeVar("T")

OFFICE = (
    "SELECT office.id, office.code, office.name_th, office.name_en, office.timezone, office.opens,"
    " office.closes, office.saturday, office.lunch_service, office.hours_enforced,"
    " office.footer_th, office.footer_en, office.display_message, office.event_seq,"
    " office.last_business_day FROM office WHERE office.id = ?"
)
SERVICE_COLUMNS = (
    "SELECT service.id, service.office_id, service.code, service.prefix, service.name_th,"
    ' service.name_en, service."group", service.standard_minutes, service.wait_target_minutes,'
    " service.active, service.daily_cap, service.issue_cutoff, service.position FROM service"
)
SERVICE_BY_CODE = SERVICE_COLUMNS + " WHERE service.office_id = ? AND service.code = ?"
SERVICE_BY_ID = SERVICE_COLUMNS + " WHERE service.id = ?"
# What the wait forecast reads of the catalogue (repository.forecast_catalogue).
SERVICES = (
    "SELECT service.id, service.standard_minutes, service.active FROM service"
    " WHERE service.office_id = ? ORDER BY service.position, service.id"
)
LAST_SEQ_NO = (
    "SELECT max(ticket.seq_no) AS max_1 FROM ticket"
    " WHERE ticket.office_id = ? AND ticket.business_day = ? AND ticket.prefix = ?"
)
INSERT_TICKET = (
    "INSERT INTO ticket (office_id, service_id, business_day, prefix, seq_no, number, status,"
    " priority, token, issued_at, queued_at, called_at, counter_id, staff_id, recall_count,"
    " transaction_no, device_id, request_key, print_status, booked_for)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
NEXT_SEQ = "UPDATE office SET event_seq=? WHERE office.id = ?"
INSERT_EVENT = (
    "INSERT INTO ticket_event (office_id, seq, ticket_id, kind, at, service_id, transaction_no,"
    " counter_id, staff_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
COUNTER_COLUMNS = (
    "SELECT counter.id, counter.office_id, counter.number, counter.name, counter.mode,"
    " counter.priority_share, counter.normal_share, counter.ageing_cap_minutes,"
    " counter.booked_in_row, counter.active, counter.staff_id, counter.opened_at,"
    " counter.paused_reason, counter.paused_at, counter.cycle_pos, counter.booked_streak"
    " FROM counter"
)
COUNTER_BY_NUMBER = COUNTER_COLUMNS + " WHERE counter.office_id = ? AND counter.number = ?"
COUNTERS = (
    "SELECT counter.id, counter.number, counter.active, counter.staff_id, counter.paused_reason,"
    " counter.paused_at, counter.mode, counter.priority_share, counter.normal_share,"
    " counter.ageing_cap_minutes, counter.booked_in_row, counter.cycle_pos, counter.booked_streak"
    " FROM counter WHERE counter.office_id = ? ORDER BY counter.number"
)
SLOTS_OF_OFFICE = (
    "SELECT counter_service.counter_id, counter_service.service_id, counter_service.position,"
    " counter_service.weight, counter_service.credit FROM counter_service"
    " JOIN counter ON counter.id = counter_service.counter_id WHERE counter.office_id = ?"
    " ORDER BY counter_service.counter_id, counter_service.position"
)
SLOTS_OF_COUNTER = (
    "SELECT counter_service.counter_id, counter_service.service_id, counter_service.position,"
    " counter_service.weight, counter_service.credit FROM counter_service"
    " WHERE counter_service.counter_id = ? ORDER BY counter_service.position"
)
TICKET_COLUMNS = (
    "SELECT ticket.id, ticket.office_id, ticket.service_id, ticket.business_day, ticket.prefix,"
    " ticket.seq_no, ticket.number, ticket.status, ticket.priority, ticket.token,"
    " ticket.issued_at, ticket.queued_at, ticket.called_at, ticket.counter_id, ticket.staff_id,"
    " ticket.recall_count, ticket.transaction_no, ticket.device_id, ticket.request_key,"
    " ticket.print_status, ticket.booked_for FROM ticket"
)
TICKET_BY_ID = TICKET_COLUMNS + " WHERE ticket.id = ?"
CURRENT_AT_COUNTER = (
    TICKET_COLUMNS
    + " WHERE ticket.counter_id = ? AND ticket.status IN (?, ?) ORDER BY ticket.called_at DESC"
)
CALLS_AT_COUNTERS = (
    "SELECT ticket.counter_id, ticket.service_id, ticket.called_at FROM ticket"
    " WHERE ticket.counter_id IN ({}) AND ticket.status IN (?, ?)"
    " AND ticket.called_at IS NOT NULL ORDER BY ticket.called_at"
)
LINE = (
    "PARTITION BY ticket.service_id, CASE WHEN (ticket.booked_for IS NOT NULL) THEN 2"
    " WHEN (ticket.priority IS NOT NULL) THEN 1 ELSE 0 END"
)
RANKED = (
    "SELECT ticket.id AS id, ticket.service_id AS service_id,"
    " ticket.priority IS NOT NULL AS is_priority, ticket.queued_at AS queued_at,"
    f" ticket.booked_for AS booked_for, row_number() OVER ({LINE} ORDER BY"
    " coalesce(ticket.booked_for, ticket.queued_at), ticket.id) AS place"
)
# The waiting lines, read whole the first time (repository.waiting_lines) ...
WAITING_TICKETS = (
    "SELECT ticket.id, ticket.service_id, ticket.priority IS NOT NULL AS anon_1,"
    " ticket.queued_at, ticket.booked_for FROM ticket WHERE ticket.office_id = ?"
    " AND ticket.business_day = ? AND ticket.status = ?"
)
# ... then caught up with the office's events since (repository.ticket_changes).
TICKET_CHANGES = (
    "SELECT ticket_event.seq, ticket.id, ticket.service_id,"
    " ticket.priority IS NOT NULL AS anon_1, ticket.queued_at, ticket.booked_for, ticket.status,"
    " ticket.business_day FROM ticket_event JOIN ticket ON ticket.id = ticket_event.ticket_id"
    " WHERE ticket_event.office_id = ? AND ticket_event.seq > ? ORDER BY ticket_event.seq"
    " LIMIT ? OFFSET ?"
)
# ... and checked against the count of waiting tickets (repository.waiting_count).
WAITING_COUNT = (
    "SELECT count(*) AS count_1 FROM ticket WHERE ticket.office_id = ?"
    " AND ticket.business_day = ? AND ticket.status = ?"
)
# As service.waits.CATCH_UP_EVENTS (plus one, to know when there are more).
CATCH_UP_LIMIT = 201
WAITING_HEADS = (
    "SELECT anon_1.id, anon_1.service_id, anon_1.is_priority, anon_1.queued_at,"
    f" anon_1.booked_for FROM ({RANKED} FROM ticket WHERE ticket.office_id = ?"
    " AND ticket.business_day = ? AND ticket.status = ? AND ticket.service_id IN ({}))"
    " AS anon_1 WHERE anon_1.place = ?"
)
CLAIM = (
    "UPDATE ticket SET status=?, called_at=?, counter_id=?, staff_id=?, recall_count=?"
    " WHERE ticket.id = ? AND ticket.status = ?"
)
SET_STATUS = "UPDATE ticket SET status=? WHERE ticket.id = ?"
AT_COUNTER = ("called", "serving")


def marks(n: int) -> str:
    return ", ".join("?" * n)


class Driver:
    """One write connection of the database's own driver, used by one thread at a time."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            path = url.split(":///", 1)[1]
            # As counter.db: autocommit mode, so the transaction starts with our BEGIN IMMEDIATE.
            self.conn: Any = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                self.conn.execute(pragma)
        else:
            dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
            self.conn = psycopg.connect(dsn, options="-c lock_timeout=5000")

    def sql(self, statement: str) -> str:
        return statement if self.sqlite else statement.replace("?", "%s")

    def stamp(self, at: datetime) -> Any:
        # As counter.models.UTCDateTime stores it: naive UTC text on SQLite.
        return at.replace(tzinfo=None).isoformat(sep=" ") if self.sqlite else at

    def day(self, day: date) -> Any:
        return day.isoformat() if self.sqlite else day

    def all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.conn.execute(self.sql(statement), params).fetchall())

    def one(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(statement), params).fetchone()

    def run(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(statement), params)

    def transaction(self, office_id: int, work: Callable[[Any], T]) -> T:
        """`work(office_row)` in one transaction holding the office's lock."""
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")
            office_sql = OFFICE
        else:
            office_sql = OFFICE + " FOR UPDATE"
        try:
            result = work(self.one(office_sql, (office_id,)))
        except BaseException:
            if self.sqlite:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.rollback()
            raise
        if self.sqlite:
            self.conn.execute("COMMIT")
        else:
            self.conn.commit()
        return result


class Floor:
    def __init__(self, url: str, office_code: str) -> None:
        self.url = url
        self.db = Driver(url)
        row = self.db.one("SELECT id, timezone FROM office WHERE code = ?", (office_code,))
        if not self.db.sqlite:
            self.db.conn.commit()
        self.office_id, self.tz = int(row[0]), ZoneInfo(row[1])
        self.lock = asyncio.Lock()
        self.readers = threading.local()
        # The office's event seq up to which the waiting lines were last read.
        self.kept_seq: int | None = None

    async def write(self, work: Callable[[Any], T]) -> T:
        async with self.lock:
            return await anyio.to_thread.run_sync(self.db.transaction, self.office_id, work)

    async def read(self, work: Callable[[Driver], T]) -> T:
        """`work(driver)` in one read transaction, outside the office's lock."""
        return await anyio.to_thread.run_sync(self._read, work)

    def _read(self, work: Callable[[Driver], T]) -> T:
        db: Driver | None = getattr(self.readers, "db", None)
        if db is None:
            db = self.readers.db = Driver(self.url)
        if db.sqlite:
            db.conn.execute("BEGIN")
        try:
            return work(db)
        finally:
            if db.sqlite:
                db.conn.execute("COMMIT")
            else:
                db.conn.commit()

    def _event(
        self, seq: int, ticket: Sequence[Any], kind: str, now: datetime, **more: Any
    ) -> None:
        db = self.db
        db.run(NEXT_SEQ, (seq, self.office_id))
        db.run(
            INSERT_EVENT,
            (
                self.office_id,
                seq,
                ticket[0],
                kind,
                db.stamp(now),
                ticket[1],
                1,
                more.get("counter_id"),
                more.get("staff_id"),
                json.dumps(more.get("detail")),
            ),
        )

    def issue(self, code: str) -> Callable[[Any], dict[str, Any]]:
        def work(office: Any) -> dict[str, Any]:
            db, now = self.db, datetime.now(UTC)
            today = now.astimezone(self.tz).date()
            service = db.one(SERVICE_BY_CODE, (self.office_id, code))
            service_id, prefix = service[0], service[3]
            last = db.one(LAST_SEQ_NO, (self.office_id, db.day(today), prefix))[0]
            seq_no = int(last or 0) + 1
            number = f"{prefix}{seq_no:03d}"
            values = (
                self.office_id,
                service_id,
                db.day(today),
                prefix,
                seq_no,
                number,
                "waiting",
                None,
                secrets.token_urlsafe(16),
                db.stamp(now),
                db.stamp(now),
                None,
                None,
                None,
                0,
                1,
                None,
                None,
                "none",
                None,
            )
            if db.sqlite:
                ticket_id = db.run(INSERT_TICKET, values).lastrowid
            else:
                ticket_id = db.one(INSERT_TICKET + " RETURNING ticket.id", values)[0]
            seq = office[13] + 1
            self._event(seq, (ticket_id, service_id), "issued", now)
            return {"id": ticket_id, "number": number}

        return work

    def estimate(self, ticket_id: int) -> Callable[[Driver], dict[str, Any]]:
        """What the app reads after the commit for the wait estimate its answer carries."""

        def work(db: Driver) -> dict[str, Any]:
            today = datetime.now(UTC).astimezone(self.tz).date()
            ticket = db.one(TICKET_BY_ID, (ticket_id,))
            office = db.one(OFFICE, (self.office_id,))
            # The app keeps the waiting lines between events (service.waits.WaitingKept):
            # read whole once, then the tickets of the events since.
            if self.kept_seq is None:
                db.all(WAITING_TICKETS, (self.office_id, db.day(today), "waiting"))
                self.kept_seq = int(office[13])
            else:
                changes = db.all(TICKET_CHANGES, (self.office_id, self.kept_seq, CATCH_UP_LIMIT, 0))
                db.one(WAITING_COUNT, (self.office_id, db.day(today), "waiting"))
                self.kept_seq = max([int(office[13]), *(int(row[0]) for row in changes)])
            db.all(SERVICES, (self.office_id,))
            open_counters = [r[0] for r in db.all(COUNTERS, (self.office_id,)) if r[3]]
            db.all(SLOTS_OF_OFFICE, (self.office_id,))
            if open_counters:
                db.all(
                    CALLS_AT_COUNTERS.format(marks(len(open_counters))),
                    (*open_counters, *AT_COUNTER),
                )
            db.one(SERVICE_BY_ID, (ticket[2],))
            return {"id": ticket_id, "number": ticket[6]}

        return work

    def call_next(self, counter_number: int) -> Callable[[Any], dict[str, Any] | None]:
        def work(office: Any) -> dict[str, Any] | None:
            db, now = self.db, datetime.now(UTC)
            today = now.astimezone(self.tz).date()
            counter = db.one(COUNTER_BY_NUMBER, (self.office_id, counter_number))
            counter_id, staff_id = counter[0], counter[10]
            seq = office[13]
            current = db.one(CURRENT_AT_COUNTER, (counter_id, *AT_COUNTER))
            if current is not None and current[7] == "serving":
                seq += 1
                db.run(SET_STATUS, ("done", current[0]))
                self._event(
                    seq,
                    (current[0], current[2]),
                    "finished",
                    now,
                    counter_id=counter_id,
                    staff_id=staff_id,
                    detail={"by": "call_next"},
                )
            services = [r[1] for r in db.all(SLOTS_OF_COUNTER, (counter_id,))]
            heads = db.all(
                WAITING_HEADS.format(marks(len(services))),
                (self.office_id, db.day(today), "waiting", *services, 1),
            )
            if not heads:
                return None
            picked = min(heads, key=lambda r: (str(r[4] or r[3]), r[0]))
            db.run(CLAIM, ("called", db.stamp(now), counter_id, staff_id, 0, picked[0], "waiting"))
            ticket = db.one(TICKET_BY_ID, (picked[0],))
            seq += 1
            self._event(
                seq,
                (ticket[0], ticket[2]),
                "called",
                now,
                counter_id=counter_id,
                staff_id=staff_id,
                detail={"reason": "normal"},
            )
            db.one(SERVICE_BY_ID, (ticket[2],))
            return {"id": ticket[0], "number": ticket[6]}

        return work

    def start(self, ticket_id: int) -> Callable[[Any], None]:
        def work(office: Any) -> None:
            db, now = self.db, datetime.now(UTC)
            ticket = db.one(TICKET_BY_ID, (ticket_id,))
            db.run(SET_STATUS, ("serving", ticket_id))
            self._event(
                office[13] + 1,
                (ticket[0], ticket[2]),
                "started",
                now,
                counter_id=ticket[13],
                staff_id=ticket[14],
            )

        return work


def floor_routes(floor: Floor) -> list[Route]:
    async def issue(request: Request) -> Response:
        body = await request.json()
        issued = await floor.write(floor.issue(body["service"]))
        return JSONResponse(await floor.read(floor.estimate(issued["id"])), status_code=201)

    async def call_next(request: Request) -> Response:
        called = await floor.write(floor.call_next(int(request.path_params["number"])))
        return Response(status_code=204) if called is None else JSONResponse(called)

    async def start(request: Request) -> Response:
        await floor.write(floor.start(int(request.path_params["ticket_id"])))
        return JSONResponse({"ok": True})

    return [
        Route("/issue", issue, methods=["POST"]),
        Route("/call-next/{number:int}", call_next, methods=["POST"]),
        Route("/start/{ticket_id:int}", start, methods=["POST"]),
    ]


def _floor() -> Floor:
    return Floor(os.environ["SADUAK_DATABASE_URL"], os.environ.get("FLOOR_OFFICE", "demo"))


def create_app() -> Starlette:
    async def health(_: Request) -> Response:
        return Response("ok")

    return Starlette(routes=[*floor_routes(_floor()), Route("/healthz", health)])


def create_stack_app() -> Starlette:
    """The floor's endpoints inside Saduak's own app (`saduak.app.create_app`): its middleware
    (request ids, latency metrics, security headers, body limit, error handling), FastAPI's
    routing and its lifespan around the same statements, with no authentication, no
    validation, no ORM, no events and no forecast. What the app costs beyond this is its own
    work; what this costs beyond the floor is the web stack every request of the app crosses.
    The endpoints come first in the routing, as the app's own are found early."""
    from saduak.app import create_app as saduak_app

    app = saduak_app()
    app.router.routes[0:0] = floor_routes(_floor())
    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.http_floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--stack", action="store_true", help="the endpoints inside Saduak's app (its web stack)"
    )
    args = parser.parse_args()
    # The settings `saduak serve` gives uvicorn (saduak.cli._serve), with this app.
    uvicorn.run(
        "bench.http_floor:create_stack_app" if args.stack else "bench.http_floor:create_app",
        log_config=uvicorn.config.LOGGING_CONFIG,
        factory=True,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
