"""The outbox of messages to the outside world: a decision written twice is one row, a claim
hands a row to one sender, retries back off and stop after the bound, deadlines and
cancellations close rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from counter import outbox
from counter.db import Database
from counter.outbox import Outbox, Outcome
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")


def _add(db: Database, clock: FakeClock, key: str, **kw: object) -> bool:
    with db.write() as session:
        return outbox.add(
            session,
            office_id=1,
            channel="test",
            key=key,
            payload={"n": key},
            now=clock(),
            deadline=kw.pop("deadline", timedelta(minutes=10)),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


def _rows(db: Database) -> list[Outbox]:
    with db.read() as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))).all())


class TestAdd:
    def test_the_same_decision_twice_is_one_message(
        self, database: Database, clock: FakeClock
    ) -> None:
        assert _add(database, clock, "k1") is True
        assert _add(database, clock, "k1") is False
        assert [row.key for row in _rows(database)] == ["k1"]


class TestClaim:
    def test_a_message_goes_to_one_sender(self, database: Database, clock: FakeClock) -> None:
        for i in range(3):
            _add(database, clock, f"k{i}")
        with database.write() as session:
            first = outbox.claim(session, "test", clock(), "a", limit=2)
        with database.write() as session:
            second = outbox.claim(session, "test", clock(), "b", limit=5)
        with database.write() as session:
            third = outbox.claim(session, "test", clock(), "c", limit=5)
        assert [m.key for m in first] == ["k0", "k1"]
        assert [m.key for m in second] == ["k2"]
        assert third == []

    def test_a_sender_that_died_loses_its_lease(self, database: Database, clock: FakeClock) -> None:
        _add(database, clock, "k")
        with database.write() as session:
            outbox.claim(session, "test", clock(), "a", lease=timedelta(seconds=30))
        clock.advance(seconds=31)
        with database.write() as session:
            again = outbox.claim(session, "test", clock(), "b")
        assert [(m.key, m.attempts) for m in again] == [("k", 2)]


class TestSettle:
    def test_retries_back_off_and_stop_at_the_bound(
        self, database: Database, clock: FakeClock
    ) -> None:
        _add(database, clock, "k", max_attempts=3, deadline=timedelta(hours=1))
        waits = []
        statuses = []
        for _ in range(3):
            with database.write() as session:
                (message,) = outbox.claim(session, "test", clock(), "a")
                status = outbox.settle(session, message.id, Outcome(False, "HTTP 500"), clock())
            statuses.append(status)
            row = _rows(database)[0]
            waits.append(row.next_attempt_at - clock())
            clock.advance(minutes=5)
        assert statuses == ["queued", "queued", "failed"]
        assert waits[:2] == [outbox.FIRST_BACKOFF, outbox.FIRST_BACKOFF * 2]
        with database.write() as session:
            assert outbox.claim(session, "test", clock(), "a") == []

    def test_an_answer_retrying_cannot_change_fails_at_once(
        self, database: Database, clock: FakeClock
    ) -> None:
        _add(database, clock, "k")
        with database.write() as session:
            (message,) = outbox.claim(session, "test", clock(), "a")
            status = outbox.settle(
                session, message.id, Outcome(False, "HTTP 400", retry=False), clock()
            )
        assert status == "failed"

    def test_past_its_deadline_a_message_expires_unsent(
        self, database: Database, clock: FakeClock
    ) -> None:
        _add(database, clock, "k", deadline=timedelta(minutes=1))
        clock.advance(minutes=2)
        with database.write() as session:
            assert outbox.claim(session, "test", clock(), "a") == []
            assert outbox.expire_overdue(session, clock()) == 1
        assert _rows(database)[0].status == "expired"

    def test_a_subject_is_cancelled_at_once(self, database: Database, clock: FakeClock) -> None:
        _add(database, clock, "k1", subject="s")
        _add(database, clock, "k2", subject="t")
        with database.write() as session:
            assert outbox.cancel(session, ["s"], clock()) == 1
            claimed = outbox.claim(session, "test", clock(), "a")
        assert [m.key for m in claimed] == ["k2"]
