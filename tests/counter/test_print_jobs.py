"""The print outbox: one job at a time per printer, claims by one owner, expiry and leases,
redelivery to a kiosk's agent — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from counter import print_jobs
from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import PrintJob
from counter.service import QueueService
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

LEASE = timedelta(seconds=20)
DEADLINE = timedelta(seconds=30)


def kiosk(database: Database, clock: FakeClock, printer: str = "agent://") -> int:
    with database.write() as session:
        device, _ = add_device(session, 1, DeviceKind.KIOSK, "k", clock(), printer=printer)
        assert device.id is not None
        return device.id


def job_status(database: Database, job_id: int) -> str:
    with database.read() as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        return job.status


async def test_a_kiosk_ticket_and_its_job_are_written_together(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock, "tcp://127.0.0.1:9")
    view = await queue.issue_ticket(
        1, "birth", device_id=device, print_status="pending", print_queue="printer:a"
    )
    assert view.print_job_id is not None
    job = await queue.print_job(view.print_job_id)
    assert job is not None and job.ticket_id == view.id and job.status == "queued"
    # A replayed tap makes neither a second ticket nor a second job.
    again = await queue.issue_ticket(
        1, "birth", device_id=device, request_key="k1", print_queue="printer:a"
    )
    replay = await queue.issue_ticket(
        1, "birth", device_id=device, request_key="k1", print_queue="printer:a"
    )
    assert replay.replayed and replay.id == again.id and replay.print_job_id is None
    with database.read() as session:
        assert len(session.exec(select(PrintJob)).all()) == 2


async def test_one_job_at_a_time_per_printer_in_order(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock, "tcp://127.0.0.1:9")
    jobs = [
        await queue.enqueue_print(1, device, name, deadline=DEADLINE, kind="test")
        for name in ("printer:a", "printer:a", "printer:b")
    ]
    first = await queue.claim_server_print_jobs("w1", lambda _q: LEASE)
    assert [j.id for j in first] == [jobs[0].id, jobs[2].id]
    # Another worker finds both printers busy.
    assert await queue.claim_server_print_jobs("w2", lambda _q: LEASE) == []
    await queue.finish_print_job(first[0], printed=True, state="ok", detail="ready")
    second = await queue.claim_server_print_jobs("w2", lambda _q: LEASE)
    assert [j.id for j in second] == [jobs[1].id]
    # Agent jobs are never claimed by a server worker.
    await queue.enqueue_print(1, device, print_jobs.agent_queue(device), deadline=DEADLINE)
    assert await queue.claim_server_print_jobs("w3", lambda _q: LEASE) == []


async def test_outcomes_reach_the_ticket_and_a_late_failure_changes_nothing(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock, "tcp://127.0.0.1:9")
    view = await queue.issue_ticket(
        1, "birth", device_id=device, print_status="pending", print_queue="printer:a"
    )
    (job,) = await queue.claim_server_print_jobs("w1", lambda _q: LEASE)
    assert await queue.finish_print_job(job, printed=True, state="ok", detail="") is not None
    assert (await queue.ticket(1, view.id)).print_status == "printed"
    assert await queue.finish_print_job(job, printed=False, state="offline", detail="") is None
    assert (await queue.ticket(1, view.id)).print_status == "printed"


async def test_a_job_interrupted_by_a_crash_fails_and_is_never_printed_again_by_itself(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock, "tcp://127.0.0.1:9")
    view = await queue.issue_ticket(
        1, "birth", device_id=device, print_status="pending", print_queue="printer:a"
    )
    (job,) = await queue.claim_server_print_jobs("dead-process", lambda _q: LEASE)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    (expired,) = await queue.expire_print_jobs()
    assert expired.id == job.id and expired.status == "failed" and expired.state == "unknown"
    assert await queue.claim_server_print_jobs("w2", lambda _q: LEASE) == []
    assert (await queue.ticket(1, view.id)).print_status == "pending"


async def test_a_job_not_started_by_its_deadline_expires(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock)
    job = await queue.enqueue_print(
        1, device, print_jobs.agent_queue(device), deadline=DEADLINE, kind="test"
    )
    clock.advance(seconds=DEADLINE.total_seconds())
    (expired,) = await queue.expire_print_jobs()
    assert expired.id == job.id and expired.status == "expired"
    assert await queue.next_agent_print_job(device, "conn-1", LEASE) is None


async def test_an_agent_gets_one_job_at_a_time_and_again_on_a_new_connection(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock)
    where = print_jobs.agent_queue(device)
    a = await queue.enqueue_print(1, device, where, deadline=DEADLINE, kind="test")
    b = await queue.enqueue_print(1, device, where, deadline=DEADLINE, kind="test")
    sent = await queue.next_agent_print_job(device, "conn-1", LEASE)
    assert sent is not None and sent.id == a.id and sent.status == "sent"
    assert await queue.next_agent_print_job(device, "conn-1", LEASE) is None  # awaiting its ack
    # A second live connection (another process, a second agent) never gets the same job.
    assert await queue.next_agent_print_job(device, "conn-2", LEASE) is None
    # The first connection dropped before the ack: the same job goes out again, same id.
    await queue.release_agent_print_jobs("conn-1")
    again = await queue.next_agent_print_job(device, "conn-2", LEASE)
    assert again is not None and again.id == a.id
    await queue.finish_print_job(again, printed=True, state="ok", detail="")
    following = await queue.next_agent_print_job(device, "conn-2", LEASE)
    assert following is not None and following.id == b.id
    assert job_status(database, a.id) == "printed"


async def test_a_sent_job_whose_server_died_goes_out_again_after_its_lease(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    device = kiosk(database, clock)
    job = await queue.enqueue_print(
        1, device, print_jobs.agent_queue(device), deadline=DEADLINE, kind="test"
    )
    assert await queue.next_agent_print_job(device, "conn-of-a-dead-process", LEASE) is not None
    assert await queue.next_agent_print_job(device, "conn-2", LEASE) is None
    clock.advance(seconds=LEASE.total_seconds())
    again = await queue.next_agent_print_job(device, "conn-2", LEASE)
    assert again is not None and again.id == job.id
