"""Specification of the event bus on every adapter, against real PostgreSQL and Redis servers."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import asyncpg
import pytest
import redis.asyncio as aioredis

from counter.bus import (
    MAX_PAYLOAD_BYTES,
    Bus,
    BusClosed,
    MemoryBus,
    MessagesMissed,
    PayloadTooLarge,
    PostgresBus,
    PublishFailed,
    RedisBus,
    Subscription,
    bus_from_url,
)

POSTGRES_URL = os.environ.get("SADUAK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SADUAK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
URLS = {"memory": "memory://", "postgres": POSTGRES_URL, "redis": REDIS_URL}
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Generous: only a broken bus waits this long, and then the test fails instead of hanging.
WAIT = 10.0

ALL_ADAPTERS = [
    pytest.param("memory", id="memory"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
]
SERVER_ADAPTERS = ALL_ADAPTERS[1:]


@pytest.fixture
def channel() -> str:
    # Unique per test so parallel runs on the same servers never see each other's events.
    return f"saduak.test.{uuid.uuid4().hex}"


@pytest.fixture
def other_channel() -> str:
    return f"saduak.test.{uuid.uuid4().hex}"


@pytest.fixture(params=ALL_ADAPTERS)
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    # No skip when a server is down: start() raises and the test errors.
    started = bus_from_url(URLS[request.param])
    await started.start()
    yield started
    await started.stop()


@pytest.fixture(params=ALL_ADAPTERS)
async def small_bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    started = bus_from_url(URLS[request.param], max_queue=3)
    await started.start()
    yield started
    await started.stop()


@pytest.fixture(params=SERVER_ADAPTERS)
def server_url(request: pytest.FixtureRequest) -> str:
    return URLS[request.param]


async def receive(subscription: Subscription, count: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(WAIT):
        return [await subscription.get() for _ in range(count)]


async def assert_nothing_arrives(subscription: Subscription, seconds: float = 0.2) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(seconds):
            await subscription.get()


class TestPublishAndSubscribe:
    async def test_a_subscriber_receives_messages_in_publish_order(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as subscription:
            for seq in range(1, 21):
                await bus.publish(channel, {"seq": seq, "ticket": "A012", "text": "เชิญที่ช่อง 3"})

            received = await receive(subscription, 20)

        assert [message["seq"] for message in received] == list(range(1, 21))
        assert received[0] == {"seq": 1, "ticket": "A012", "text": "เชิญที่ช่อง 3"}

    async def test_every_subscriber_of_a_channel_receives_each_message(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as first, bus.subscribe(channel) as second:
            await bus.publish(channel, {"seq": 1})
            await bus.publish(channel, {"seq": 2})

            assert await receive(first, 2) == [{"seq": 1}, {"seq": 2}]
            assert await receive(second, 2) == [{"seq": 1}, {"seq": 2}]

    async def test_each_subscriber_gets_its_own_copy_of_a_message(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as first, bus.subscribe(channel) as second:
            await bus.publish(channel, {"seq": 1})
            (mine,) = await receive(first, 1)
            mine["seq"] = 99

            assert await receive(second, 1) == [{"seq": 1}]

    async def test_a_channel_does_not_see_messages_of_another_channel(
        self, bus: Bus, channel: str, other_channel: str
    ) -> None:
        async with bus.subscribe(channel) as office_1, bus.subscribe(other_channel) as office_2:
            await bus.publish(channel, {"office": 1})
            await bus.publish(other_channel, {"office": 2})

            assert await receive(office_1, 1) == [{"office": 1}]
            assert await receive(office_2, 1) == [{"office": 2}]
            await assert_nothing_arrives(office_1)
            await assert_nothing_arrives(office_2)

    async def test_publishing_to_a_channel_without_subscribers_is_harmless(
        self, bus: Bus, channel: str
    ) -> None:
        await bus.publish(channel, {"seq": 1})


class TestLeavingASubscription:
    async def test_a_subscription_that_was_left_ends_its_iteration(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as subscription:
            pass

        await bus.publish(channel, {"seq": 1})

        with pytest.raises(BusClosed):
            await subscription.get()
        assert [message async for message in subscription] == []

    async def test_the_other_subscribers_of_the_channel_keep_receiving(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as staying:
            async with bus.subscribe(channel) as leaving:
                await bus.publish(channel, {"seq": 1})
                assert await receive(leaving, 1) == [{"seq": 1}]

            await bus.publish(channel, {"seq": 2})

            assert await receive(staying, 2) == [{"seq": 1}, {"seq": 2}]

    async def test_subscribing_again_receives_only_later_messages(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel):
            pass
        await bus.publish(channel, {"seq": 1})

        async with bus.subscribe(channel) as again:
            await bus.publish(channel, {"seq": 2})

            assert await receive(again, 1) == [{"seq": 2}]


class TestSlowSubscriber:
    async def test_a_full_queue_drops_the_oldest_and_reports_the_gap_once(
        self, small_bus: Bus, channel: str
    ) -> None:
        async with small_bus.subscribe(channel) as slow, small_bus.subscribe(channel) as witness:
            for seq in range(1, 6):
                await small_bus.publish(channel, {"seq": seq})
            # The bus fills both queues in the same step, so once the witness has seen the last
            # message the slow queue holds everything it is going to get.
            async with asyncio.timeout(WAIT):
                while True:
                    try:
                        if (await witness.get())["seq"] == 5:
                            break
                    except MessagesMissed:
                        continue

            with pytest.raises(MessagesMissed) as missed:
                await slow.get()
            assert missed.value.dropped == 2
            assert not missed.value.reconnected
            assert await receive(slow, 3) == [{"seq": 3}, {"seq": 4}, {"seq": 5}]

            await small_bus.publish(channel, {"seq": 6})
            assert await receive(slow, 1) == [{"seq": 6}]

    async def test_a_slow_subscriber_does_not_hold_up_the_others(
        self, small_bus: Bus, channel: str
    ) -> None:
        async with small_bus.subscribe(channel) as slow, small_bus.subscribe(channel) as fast:
            for seq in range(1, 11):
                await small_bus.publish(channel, {"seq": seq})
                assert await receive(fast, 1) == [{"seq": seq}]

            with pytest.raises(MessagesMissed):
                await slow.get()
            assert await receive(slow, 3) == [{"seq": 8}, {"seq": 9}, {"seq": 10}]


class TestAcrossProcesses:
    async def test_messages_published_by_another_process_arrive_in_order(
        self, server_url: str, channel: str
    ) -> None:
        script = f"""
            import asyncio
            from counter.bus import bus_from_url

            async def main():
                bus = bus_from_url({server_url!r})
                await bus.start()
                for seq in range(1, 4):
                    await bus.publish({channel!r}, {{"seq": seq, "by": "child"}})
                await bus.stop()

            asyncio.run(main())
        """
        bus = bus_from_url(server_url)
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                child = await run_python(script)
                assert await wait_for_exit(child) == 0

                received = await receive(subscription, 3)
        finally:
            await bus.stop()

        assert received == [{"seq": seq, "by": "child"} for seq in range(1, 4)]

    async def test_a_subscriber_in_another_process_receives_our_messages(
        self, server_url: str, channel: str
    ) -> None:
        script = f"""
            import asyncio, json
            from counter.bus import bus_from_url

            async def main():
                bus = bus_from_url({server_url!r})
                await bus.start()
                async with bus.subscribe({channel!r}) as subscription:
                    print("ready", flush=True)
                    for _ in range(3):
                        print(json.dumps(await subscription.get()), flush=True)
                await bus.stop()

            asyncio.run(main())
        """
        bus = bus_from_url(server_url)
        await bus.start()
        child = await run_python(script)
        try:
            assert child.stdout is not None
            async with asyncio.timeout(WAIT):
                assert await child.stdout.readline() == b"ready\n"
            for seq in range(1, 4):
                await bus.publish(channel, {"seq": seq, "by": "parent"})
            async with asyncio.timeout(WAIT):
                lines = [await child.stdout.readline() for _ in range(3)]
            assert await wait_for_exit(child) == 0
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
            await bus.stop()

        assert [json.loads(line) for line in lines] == [
            {"seq": seq, "by": "parent"} for seq in range(1, 4)
        ]


async def run_python(script: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(script),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )


async def wait_for_exit(process: asyncio.subprocess.Process) -> int:
    async with asyncio.timeout(WAIT):
        return await process.wait()


class TestReconnecting:
    @pytest.mark.postgres
    async def test_postgres_subscribers_hear_of_the_gap_and_then_receive_again(
        self, channel: str
    ) -> None:
        name = f"saduak-test-{uuid.uuid4().hex[:12]}"
        bus = PostgresBus(POSTGRES_URL, name=name, reconnect_delay=0.05)
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                admin = await asyncpg.connect(POSTGRES_URL)
                try:
                    killed = await admin.fetchval(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = $1",
                        f"{name}-listen",
                    )
                finally:
                    await admin.close()
                assert killed == 1

                await assert_reconnected_and_receiving(bus, subscription, channel)
        finally:
            await bus.stop()

    @pytest.mark.redis
    async def test_redis_subscribers_hear_of_the_gap_and_then_receive_again(
        self, channel: str
    ) -> None:
        name = f"saduak-test-{uuid.uuid4().hex[:12]}"
        bus = RedisBus(REDIS_URL, name=name, reconnect_delay=0.05)
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                admin = aioredis.Redis.from_url(REDIS_URL)
                try:
                    clients = await admin.client_list(_type="pubsub")
                    (listener,) = [c for c in clients if c["name"] == f"{name}-listen"]
                    await admin.client_kill_filter(_id=listener["id"])
                finally:
                    await admin.aclose()

                await assert_reconnected_and_receiving(bus, subscription, channel)
        finally:
            await bus.stop()

    @pytest.mark.parametrize(
        "make_bus",
        [
            pytest.param(
                lambda: PostgresBus(POSTGRES_URL, ping_interval=0.05),
                id="postgres",
                marks=pytest.mark.postgres,
            ),
            pytest.param(
                lambda: RedisBus(REDIS_URL, ping_interval=0.05), id="redis", marks=pytest.mark.redis
            ),
        ],
    )
    async def test_a_quiet_connection_is_kept_without_false_alarms(
        self, make_bus: Callable[[], Bus], channel: str
    ) -> None:
        bus = make_bus()
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                # Many ping intervals with nothing published: every ping must be answered.
                await asyncio.sleep(0.6)
                await bus.publish(channel, {"seq": 1})

                assert await receive(subscription, 1) == [{"seq": 1}]
        finally:
            await bus.stop()

    @pytest.mark.parametrize(
        ("url", "make_bus"),
        [
            pytest.param(
                POSTGRES_URL,
                lambda url: PostgresBus(url, timeout=0.5, ping_interval=0.2, reconnect_delay=0.05),
                id="postgres",
                marks=pytest.mark.postgres,
            ),
            pytest.param(
                REDIS_URL,
                lambda url: RedisBus(url, timeout=0.5, ping_interval=0.2, reconnect_delay=0.05),
                id="redis",
                marks=pytest.mark.redis,
            ),
        ],
    )
    async def test_a_connection_that_goes_silent_is_replaced(
        self, url: str, make_bus: Callable[[str], Bus], channel: str
    ) -> None:
        async with SilenceableRelay(url) as relay:
            bus = make_bus(relay.url)
            await bus.start()
            try:
                async with bus.subscribe(channel) as subscription:
                    relay.silence_open_connections()

                    with pytest.raises(MessagesMissed) as missed:
                        await receive(subscription, 1)
                    assert missed.value.reconnected
                    # Publishing can hit the silenced publishing connection once; it must fail
                    # within the timeout rather than hang the caller.
                    try:
                        async with asyncio.timeout(WAIT):
                            await bus.publish(channel, {"seq": 2})
                    except PublishFailed:
                        await bus.publish(channel, {"seq": 2})

                    assert await receive(subscription, 1) == [{"seq": 2}]
            finally:
                async with asyncio.timeout(WAIT):
                    await bus.stop()


class SilenceableRelay:
    """TCP relay to a server whose open connections can go silent, as half-open ones do."""

    def __init__(self, server_url: str) -> None:
        self._server_url = urlsplit(server_url)
        self._silent: list[dict[str, bool]] = []
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task[Any]] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        netloc = self._server_url.netloc.rsplit("@", 1)
        netloc[-1] = f"127.0.0.1:{port}"
        self.url = self._server_url._replace(netloc="@".join(netloc)).geturl()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    def silence_open_connections(self) -> None:
        for link in self._silent:
            link["silent"] = True

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        host, port = self._server_url.hostname, self._server_url.port
        upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
        self._writers += [writer, upstream_writer]
        link = {"silent": False}
        self._silent.append(link)
        await asyncio.gather(
            self._pump(reader, upstream_writer, link),
            self._pump(upstream_reader, writer, link),
            return_exceptions=True,
        )
        writer.close()
        upstream_writer.close()

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader, sink: asyncio.StreamWriter, link: dict[str, bool]
    ) -> None:
        while data := await source.read(65536):
            if not link["silent"]:
                sink.write(data)
                await sink.drain()


async def assert_reconnected_and_receiving(
    bus: Bus, subscription: Subscription, channel: str
) -> None:
    with pytest.raises(MessagesMissed) as missed:
        await receive(subscription, 1)
    assert missed.value.reconnected
    # The gap is reported only once the channel is listened to again, so this must arrive.
    await bus.publish(channel, {"seq": 2})
    assert await receive(subscription, 1) == [{"seq": 2}]


class TestLimits:
    async def test_a_payload_over_the_postgres_limit_is_refused_on_every_adapter(
        self, bus: Bus, channel: str
    ) -> None:
        async with bus.subscribe(channel) as subscription:
            with pytest.raises(PayloadTooLarge, match="limit is 7999"):
                await bus.publish(channel, {"blob": "x" * MAX_PAYLOAD_BYTES})

            await assert_nothing_arrives(subscription)

    @pytest.mark.postgres
    async def test_postgres_delivers_the_largest_allowed_payload(self, channel: str) -> None:
        overhead = len(json.dumps({"blob": ""}, separators=(",", ":")))
        # Thai characters take 3 bytes each in UTF-8, which is what the limit counts.
        thai = "ก" * ((MAX_PAYLOAD_BYTES - overhead) // 3)
        padding = "x" * (MAX_PAYLOAD_BYTES - overhead - len(thai.encode()))
        message = {"blob": thai + padding}
        assert len(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()) == (
            MAX_PAYLOAD_BYTES
        )
        bus = bus_from_url(POSTGRES_URL)
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                await bus.publish(channel, message)

                assert await receive(subscription, 1) == [message]
        finally:
            await bus.stop()

    @pytest.mark.postgres
    async def test_a_foreign_payload_that_is_not_a_json_object_is_skipped(
        self, channel: str
    ) -> None:
        bus = bus_from_url(POSTGRES_URL)
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                admin = await asyncpg.connect(POSTGRES_URL)
                try:
                    await admin.execute("SELECT pg_notify($1, 'not json')", channel)
                    await admin.execute("SELECT pg_notify($1, '[1, 2]')", channel)
                finally:
                    await admin.close()
                await bus.publish(channel, {"seq": 1})

                assert await receive(subscription, 1) == [{"seq": 1}]
        finally:
            await bus.stop()

    @pytest.mark.parametrize("bad", ["", "x" * 64, "saduak.office.\x00", "ช" * 22])
    async def test_a_channel_name_postgres_could_not_listen_on_is_refused(
        self, bus: Bus, bad: str
    ) -> None:
        with pytest.raises(ValueError, match="bad bus channel"):
            await bus.publish(bad, {"seq": 1})
        with pytest.raises(ValueError, match="bad bus channel"):
            async with bus.subscribe(bad):
                pass

    async def test_a_message_must_be_a_json_object(self, bus: Bus, channel: str) -> None:
        with pytest.raises(TypeError):
            await bus.publish(channel, [1, 2])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await bus.publish(channel, {"when": object()})


class TestLifecycle:
    async def test_a_bus_that_is_not_started_refuses_to_work(self, channel: str) -> None:
        bus = MemoryBus()

        with pytest.raises(BusClosed):
            await bus.publish(channel, {"seq": 1})
        with pytest.raises(BusClosed):
            async with bus.subscribe(channel):
                pass

    async def test_stopping_the_bus_ends_every_subscription(self, bus: Bus, channel: str) -> None:
        async with bus.subscribe(channel) as subscription:
            consumer = asyncio.create_task(collect(subscription))
            await bus.publish(channel, {"seq": 1})
            await asyncio.sleep(0.1)

            await bus.stop()

            async with asyncio.timeout(WAIT):
                assert await consumer == [{"seq": 1}]

    async def test_a_bus_can_be_used_as_an_async_context_manager(self, channel: str) -> None:
        async with MemoryBus() as bus, bus.subscribe(channel) as subscription:
            await bus.publish(channel, {"seq": 1})

            assert await receive(subscription, 1) == [{"seq": 1}]


async def collect(subscription: Subscription) -> list[dict[str, Any]]:
    return [message async for message in subscription]


class TestChoosingTheAdapterByUrl:
    @pytest.mark.parametrize(
        ("url", "adapter"),
        [
            (None, MemoryBus),
            ("", MemoryBus),
            ("memory://", MemoryBus),
            ("postgres://postgres@127.0.0.1/postgres", PostgresBus),
            ("postgresql://postgres@127.0.0.1/postgres", PostgresBus),
            ("postgresql+asyncpg://postgres@127.0.0.1/postgres", PostgresBus),
            ("postgresql+psycopg://postgres@127.0.0.1/postgres", PostgresBus),
            ("redis://127.0.0.1:6379/0", RedisBus),
            ("rediss://127.0.0.1:6379/0", RedisBus),
        ],
    )
    def test_the_scheme_chooses_the_adapter(self, url: str | None, adapter: type) -> None:
        assert isinstance(bus_from_url(url), adapter)

    @pytest.mark.parametrize(
        "url", ["mysql://root@localhost/saduak", "sqlite:///saduak.db", "amqp://localhost", "x"]
    )
    def test_an_unknown_scheme_is_refused(self, url: str) -> None:
        with pytest.raises(ValueError, match="unsupported bus URL scheme"):
            bus_from_url(url)

    @pytest.mark.postgres
    @pytest.mark.parametrize("driver", ["postgresql+asyncpg", "postgresql+psycopg", "postgres"])
    async def test_a_sqlalchemy_database_url_works_as_the_bus_url(
        self, driver: str, channel: str
    ) -> None:
        bus = bus_from_url(driver + POSTGRES_URL[POSTGRES_URL.index(":") :])
        await bus.start()
        try:
            async with bus.subscribe(channel) as subscription:
                await bus.publish(channel, {"seq": 1})

                assert await receive(subscription, 1) == [{"seq": 1}]
        finally:
            await bus.stop()
