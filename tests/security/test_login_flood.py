"""H2: failed logins neither stall the server nor go on for ever: the password is checked outside
any lock or transaction, in a worker thread, and failures are limited per name and per address,
across processes sharing the database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from counter import auth
from counter.db import Database
from counter.models import LoginFailure
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock
from tests.security.conftest import AppFactory

LOGIN = "/api/v1/auth/login"
WRONG = "not-the-password"


class ProbingHasher(PasswordHasher):
    """argon2 as shipped, noting for each check whether a write lock of the app's database was
    held and which thread ran it (the library is the edge; nothing of ours is replaced)."""

    def __init__(self) -> None:
        # At the test suite's cost (SADUAK_ARGON2_COST=test), as the hashes it checks.
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.databases: list[Database] = []
        self.checks: list[dict[str, Any]] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.checks.append(
            {
                # Could this thread take the write lock now? Not if the check ran inside a
                # write (the lock is not re-entrant); other writers only make it wait briefly.
                "write_lock_held": not all(_can_take(db._write_lock) for db in self.databases),
                "thread": threading.current_thread(),
            }
        )
        return super().verify(hash, password)


def _can_take(lock: Any) -> bool:
    if not hasattr(lock, "acquire"):
        return True  # PostgreSQL: no process-wide write lock
    if not lock.acquire(timeout=5):
        return False
    lock.release()
    return True


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProbingHasher]:
    probe = ProbingHasher()
    monkeypatch.setattr(auth, "_hasher", probe)
    yield probe


async def _try(client: httpx.AsyncClient, username: str, password: str = WRONG) -> httpx.Response:
    return await client.post(LOGIN, json={"username": username, "password": password})


def _too_many(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["error"] == "too_many_logins"
    assert "กรุณารอ" in body["detail_th"] and "try again" in body["detail_en"]
    return int(r.headers["Retry-After"])


class TestThePasswordCheckHoldsNothing:
    async def test_argon2_runs_in_a_worker_thread_without_the_write_lock(
        self, demo: Demo, make_app: AppFactory, hasher: ProbingHasher
    ) -> None:
        async with make_app() as client:
            hasher.databases.append(client.app.state.db)  # type: ignore[attr-defined]
            assert (await _try(client, "staff1")).status_code == 401
            assert (await _try(client, "nobody")).status_code == 401
            assert (await _try(client, "staff1", DEMO_PASSWORDS["staff1"])).status_code == 200
        assert len(hasher.checks) == 3
        for check in hasher.checks:
            assert check["write_lock_held"] is False
            assert check["thread"] is not threading.main_thread()


class TestFailedLoginsAreLimited:
    async def test_a_name_gets_five_tries_then_waits_even_with_the_right_password(
        self, demo: Demo, make_app: AppFactory, clock: FakeClock
    ) -> None:
        async with make_app() as client:
            codes = [(await _try(client, "staff1")).status_code for _ in range(5)]
            assert codes == [401] * 5
            wait = _too_many(await _try(client, "staff1", DEMO_PASSWORDS["staff1"]))
            assert wait == auth.FIRST_WAIT.total_seconds()
            # Another name from the same address is not held up by this one.
            assert (await _try(client, "staff2", DEMO_PASSWORDS["staff2"])).status_code == 200
            clock.advance(seconds=wait)
            assert (await _try(client, "staff1", DEMO_PASSWORDS["staff1"])).status_code == 200
            # Getting in forgets the name's failures.
            assert (await _try(client, "staff1")).status_code == 401

    async def test_the_wait_doubles_with_each_further_failure(
        self, demo: Demo, make_app: AppFactory, clock: FakeClock
    ) -> None:
        async with make_app() as client:
            for _ in range(5):
                await _try(client, "manager")
            waits = []
            for _ in range(4):
                wait = _too_many(await _try(client, "manager"))
                waits.append(wait)
                clock.advance(seconds=wait)
                assert (await _try(client, "manager")).status_code == 401
            assert waits == [2, 4, 8, 16]

    async def test_one_address_trying_many_names_is_limited_and_others_are_not(
        self, demo: Demo, make_app: AppFactory, hasher: ProbingHasher
    ) -> None:
        async with (
            make_app(client_host="192.0.2.66") as attacker,
            make_app(client_host="192.0.2.10") as office,
        ):
            codes = [(await _try(attacker, f"guess{i}")).status_code for i in range(20)]
            assert codes == [401] * 20
            _too_many(await _try(attacker, "guess20"))
            checked = len(hasher.checks)
            # A flood of refused attempts costs no password check at all.
            for i in range(50):
                _too_many(await _try(attacker, f"more{i}"))
            assert len(hasher.checks) == checked
            assert (await _try(office, "staff1", DEMO_PASSWORDS["staff1"])).status_code == 200

    async def test_attempts_sent_all_at_once_do_not_slip_past_the_count(
        self, demo: Demo, make_app: AppFactory
    ) -> None:
        async with make_app(client_host="192.0.2.77") as client:
            answers = await asyncio.gather(*(_try(client, f"burst{i}") for i in range(30)))
        codes = sorted(r.status_code for r in answers)
        assert codes.count(401) == auth.FREE_FAILURES_PER_CLIENT
        assert codes.count(429) == 30 - auth.FREE_FAILURES_PER_CLIENT

    async def test_processes_sharing_the_database_count_together(
        self, demo: Demo, make_app: AppFactory, database: Database
    ) -> None:
        async with make_app() as first, make_app() as second:
            for _ in range(3):
                assert (await _try(first, "admin")).status_code == 401
            for _ in range(2):
                assert (await _try(second, "admin")).status_code == 401
            _too_many(await _try(first, "admin", DEMO_PASSWORDS["admin"]))
            _too_many(await _try(second, "admin", DEMO_PASSWORDS["admin"]))
        with database.read() as session:
            assert len(session.exec(select(LoginFailure)).all()) == 5

    async def test_old_failures_are_forgotten_after_the_window(
        self, demo: Demo, make_app: AppFactory, clock: FakeClock, database: Database
    ) -> None:
        async with make_app() as client:
            for _ in range(5):
                await _try(client, "staff2")
            clock.advance(seconds=auth.LOGIN_WINDOW.total_seconds() + 1)
            assert (await _try(client, "staff2")).status_code == 401
        with database.read() as session:
            assert len(session.exec(select(LoginFailure)).all()) == 1
