"""A kiosk print agent as a real process against the fake network printer, with a real server
process: normal prints, paper out, the agent killed mid-job, the server restarted, the network
dropped — every ticket printed once, or "pending" and then reprinted once."""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import Device, PrintJob
from tests.kiosk.agent_support import (
    AgentProcess,
    Office,
    relay,
    seed_agent_office,
    staff_headers,
    wait_until,
)
from tests.live import LiveServer
from tests.prefork import run_to_end
from tests.printer.fake import FakePrinter
from tests.printer.parser import parse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_office(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Office]:
    """One seeded office, and one server over it, for the whole file: each test gets a kiosk of
    its own in it (its own token, jobs and printer state), so nothing one test leaves behind is
    seen by another, and migrating, seeding and starting a server are paid once, not per test."""
    path = tmp_path_factory.mktemp("agent-office") / "agent.db"
    shutil.copy(sqlite_template, path)  # migrated once per worker (conftest)
    yield seed_agent_office(f"sqlite:///{path}")
    for db in _DATABASES.values():
        db.dispose()
    _DATABASES.clear()


@pytest.fixture(scope="module")
def shared_server(
    shared_office: Office, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = LiveServer(
        shared_office.url,
        log_dir=tmp_path_factory.mktemp("agent-server"),
        env={"SADUAK_KIOSK_RATE_PER_MINUTE": "1000"},
    )
    with live:
        yield live
    _LOGINS.clear()


@pytest.fixture
def office(shared_office: Office) -> Office:
    """A fresh `agent://` kiosk of the shared office."""
    with database(shared_office.url).write() as session:
        name = f"k-agent-{uuid.uuid4().hex[:8]}"
        kiosk, token = add_device(session, 1, DeviceKind.KIOSK, name, datetime.now(UTC), "agent://")
        assert kiosk.id is not None
        return Office(shared_office.url, token, kiosk.id)


@pytest.fixture
def server(shared_server: LiveServer) -> LiveServer:
    # The restart test stops and starts the shared server; had it failed in between, the
    # server would be down for the tests after it.
    if not shared_server.running:
        shared_server.start()
    return shared_server


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter.running() as fake:
        yield fake


# The tests poll the database and the ticket every 50 ms: one engine per database, and one login
# per server and user (a login is a write), not one of each per poll.
_DATABASES: dict[str, Database] = {}
_LOGINS: dict[tuple[str, str], dict[str, str]] = {}


def database(url: str) -> Database:
    if url not in _DATABASES:
        _DATABASES[url] = Database(url)
    return _DATABASES[url]


def login(server_url: str, username: str = "staff1") -> dict[str, str]:
    if (server_url, username) not in _LOGINS:
        _LOGINS[server_url, username] = staff_headers(server_url, username)
    return _LOGINS[server_url, username]


def tap(server: LiveServer, office: Office) -> dict:
    r = httpx.post(
        f"{server.url}/api/v1/tickets",
        json={"service": "birth"},
        headers={
            "Authorization": f"Bearer {office.kiosk_token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
        timeout=30,
    )
    assert r.status_code == 201, r.text
    body: dict = r.json()
    return body


def ticket(server: LiveServer, ticket_id: int) -> dict:
    r = httpx.get(f"{server.url}/api/v1/tickets/{ticket_id}", headers=login(server.url))
    assert r.status_code == 200, r.text
    body: dict = r.json()
    return body


def device(office: Office) -> Device:
    with database(office.url).read() as session:
        found = session.get(Device, office.kiosk_id)
        assert found is not None
        return found


def jobs(office: Office) -> list[PrintJob]:
    """The print jobs of this test's kiosk."""
    with database(office.url).read() as session:
        query = select(PrintJob).where(PrintJob.device_id == office.kiosk_id)
        return list(session.exec(query.order_by(col(PrintJob.id))).all())


def printed_soon(server: LiveServer, ticket_id: int, logs: object = None) -> None:
    """The tap answers within its bound; on a loaded machine the slip may come just after it."""
    wait_until(
        lambda: ticket(server, ticket_id)["print_status"] == "printed",
        30,
        f"ticket {ticket_id} to be printed",
        logs,
    )


def connected(office: Office) -> bool:
    return device(office).printer_state == "ok"


def complete_jobs(fake: FakePrinter) -> list[bytes]:
    """Jobs that reached the printer whole: the image and the cut."""
    return [job for job in fake.jobs if parse(job).cuts and parse(job).stacked_image()]


def start_agent(tmp_path: Path, server_url: str, office: Office, printer_url: str) -> AgentProcess:
    return AgentProcess(server_url, office.kiosk_token, printer_url, tmp_path / "agent-state")


def test_a_tap_prints_through_the_agent_exactly_the_rendered_slip(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    with start_agent(tmp_path, server.url, office, printer.url + "?width=576") as agent:
        wait_until(lambda: connected(office), 30, "the agent to connect", agent.logs)
        body = tap(server, office)
        printed_soon(server, body["id"], agent.logs)
        assert printer.wait_closed(count=len(printer.connections))
        (job,) = complete_jobs(printer)
        image = parse(job).stacked_image()
        assert image is not None and image.width == 576  # rendered at the agent's width
        assert agent.journal() == {
            "job": jobs(office)[0].id,
            "phase": "done",
            "printed": True,
            "state": "ok",
            "detail": "ready",
        }
        # `saduak printer test` goes through the agent too.
        code, output = run_to_end(
            [
                str(Path(sys.executable).parent / "saduak"),
                "printer",
                "test",
                "--kiosk",
                str(office.kiosk_id),
            ],
            env={**os.environ, "SADUAK_DATABASE_URL": office.url},
            timeout=60,
        )
        assert code == 0, output
        assert "printed through the agent" in output
        assert [j.kind for j in jobs(office)] == ["ticket", "test"]
        wait_until(lambda: len(complete_jobs(printer)) == 2, 30, "the test page")
        # And the admin's test print.
        r = httpx.post(
            f"{server.url}/api/v1/admin/devices/{office.kiosk_id}/test-print",
            headers=login(server.url, "admin"),
            timeout=60,
        )
        assert r.status_code == 200, r.text
        assert r.json()["printed"] is True and r.json()["state"] == "ok"
        assert len(complete_jobs(printer)) == 3


def test_paper_out_is_reported_like_a_server_printer_and_the_reprint_prints_once(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    # A send timeout of 2 s rather than 5: the stalled slip below fails when it runs out.
    with start_agent(tmp_path, server.url, office, printer.url + "?timeout=2") as agent:
        wait_until(lambda: connected(office), 30, "the agent to connect", agent.logs)
        printer.state = "paper_out"
        body = tap(server, office)
        assert body["print_status"] == "pending"
        assert body["print_message_en"] == "please note your number"
        assert device(office).printer_state == "paper_out"
        assert complete_jobs(printer) == []

        # Paper out in the middle of the next slip: the printer stops reading (trap 3).
        printer.state = "online"
        staff = login(server.url)
        printer.state = "stall"
        r = httpx.post(
            f"{server.url}/api/v1/tickets/{body['id']}/reprint", headers=staff, timeout=30
        )
        assert r.status_code == 200 and r.json()["print_status"] == "pending"
        wait_until(
            lambda: jobs(office)[-1].status == "failed", 30, "the stalled job to fail", agent.logs
        )
        assert device(office).printer_state == "no_answer"

        printer.state = "online"  # paper refilled
        r = httpx.post(
            f"{server.url}/api/v1/tickets/{body['id']}/reprint", headers=staff, timeout=30
        )
        assert r.status_code == 200
        printed_soon(server, body["id"], agent.logs)
        assert len(complete_jobs(printer)) == 1
        assert device(office).printer_state == "ok"


def test_an_agent_killed_mid_job_never_prints_the_slip_twice(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    agent = start_agent(tmp_path, server.url, office, printer.url + "?timeout=60")
    with ThreadPoolExecutor(1) as pool, agent:
        wait_until(lambda: connected(office), 30, "the agent to connect", agent.logs)
        printer.state = "stall"  # the job starts and never finishes
        # The tap answers at its bound; the agent is killed mid-job, and started again, meanwhile.
        tapped = pool.submit(tap, server, office)
        wait_until(lambda: agent.journal().get("phase") == "printing", 30, "the job to start")
        agent.kill()
        printer.state = "online"
        agent.start()
        body = tapped.result()
        assert body["print_status"] == "pending"
        # The server sends the same job again; the journal says it was cut off mid-slip.
        wait_until(
            lambda: jobs(office)[0].status == "failed", 30, "the job to be settled", agent.logs
        )
        assert jobs(office)[0].state == "unknown"
        assert ticket(server, body["id"])["print_status"] == "pending"
        assert complete_jobs(printer) == []

        r = httpx.post(
            f"{server.url}/api/v1/tickets/{body['id']}/reprint",
            headers=login(server.url),
            timeout=30,
        )
        assert r.status_code == 200
        printed_soon(server, body["id"], agent.logs)
        assert len(complete_jobs(printer)) == 1


def test_a_ticket_taken_while_the_server_restarts_prints_once_the_agent_is_back(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    with start_agent(tmp_path, server.url, office, printer.url) as agent:
        wait_until(lambda: connected(office), 30, "the agent to connect", agent.logs)
        server.stop()
        assert device(office).printer_state == "offline"  # staff see the agent has gone
        server.start()
        body = tap(server, office)  # the agent may still be waiting to reconnect
        printed_soon(server, body["id"], agent.logs)
        assert len(complete_jobs(printer)) == 1


def test_a_lost_acknowledgement_is_answered_from_the_journal_not_printed_again(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    with (
        relay(server.port) as network,
        start_agent(tmp_path, network.url, office, printer.url) as agent,
    ):
        wait_until(lambda: connected(office), 30, "the agent to connect", agent.logs)
        network.swallow_upstream = True  # what the agent says is lost from now on
        body = tap(server, office)
        assert body["print_status"] == "pending"  # the ack never came within the bound
        wait_until(lambda: len(complete_jobs(printer)) == 1, 30, "the slip", agent.logs)
        network.swallow_upstream = False
        network.cut()  # the agent notices, reconnects, and gets the same job again
        printed_soon(server, body["id"], agent.logs)
        assert len(complete_jobs(printer)) == 1
        assert jobs(office)[0].status == "printed"


def test_a_token_that_is_not_an_agent_kiosk_stops_the_agent_with_a_message(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    agent = AgentProcess(server.url, "dv_not-a-token", printer.url, tmp_path / "bad")
    with agent:
        assert agent.process is not None
        assert agent.process.wait(30) == 2
    assert "refused" in agent.logs()


def test_an_agent_pairs_with_a_code_like_a_screen_and_keeps_its_token(
    tmp_path: Path, office: Office, server: LiveServer, printer: FakePrinter
) -> None:
    state = tmp_path / "paired-agent"
    agent = AgentProcess(server.url, None, printer.url, state, pair=True)
    with agent:
        shown = wait_until(
            lambda: re.search(r"pairing code: ([A-Z0-9]{6})", agent.logs()), 30, "a code"
        )
        admin = login(server.url, "admin")
        r = httpx.post(
            f"{server.url}/api/v1/admin/devices/pair",
            json={"code": shown.group(1), "kind": "kiosk", "name": "ตู้ชั้น 2", "printer": "agent://"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        kiosk = Office(office.url, "", r.json()["id"])
        wait_until(lambda: connected(kiosk), 30, "the paired agent to connect", agent.logs)
    token = (state / "token").read_text().strip()
    assert token.startswith("dv_") and (state / "token").stat().st_mode & 0o077 == 0

    # Started again without --pair or --token: the kept token is enough. Both runs write to the
    # same log; the first may have been stopped before it logged its own connection (the server
    # counts a connection before the agent hears its welcome), so only the new part is read.
    first_run = len(agent.logs())
    with AgentProcess(server.url, None, printer.url, state) as again:
        wait_until(
            lambda: "connected to" in again.logs()[first_run:],
            30,
            "the agent to reconnect",
            again.logs,
        )
        body = tap(server, Office(office.url, token, kiosk.kiosk_id))
        printed_soon(server, body["id"], again.logs)
