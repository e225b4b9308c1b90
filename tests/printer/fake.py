"""A fake ESC/POS network printer for the tests and benchmarks: answers DLE EOT per its state,
records every byte."""

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self

from tests.printer.parser import ParsedStream, StreamParser, parse


class FakeState(StrEnum):
    ONLINE = "online"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    # Reads everything, answers nothing (trap 1).
    MUTE = "mute"
    # Answers status as online, then stops reading once ticket data arrives, as a printer does
    # when the paper runs out mid-job: the sender's sendall() blocks (trap 3).
    STALL = "stall"
    # Closes the connection when asked for status: an empty answer (trap 2).
    HANGUP = "hangup"


# DLE EOT n answers per state, from the table in PRINTING.md.
STATUS_BYTES: dict[FakeState, dict[int, int]] = {
    FakeState.ONLINE: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    FakeState.NEAR_END: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    FakeState.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    FakeState.COVER_OPEN: {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    FakeState.STALL: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
}

_TCP_ESTABLISHED = 1  # Linux tcp_info.tcpi_state
_HANGUP_POLL = 0.05

# A small receive window, as on a real printer, so a stalled fake fills up quickly.
_RECEIVE_BUFFER = 4096


@dataclass
class FakeConnection:
    """One TCP connection: `print_image` and `query_status` each open one."""

    received: bytearray = field(default_factory=bytearray)
    closed: bool = False

    def parsed(self) -> ParsedStream:
        return parse(bytes(self.received))

    @property
    def is_job(self) -> bool:
        """True when more than status questions arrived."""
        return any(command.name != "DLE EOT" for command in self.parsed().commands)


class _PrinterProtocol(asyncio.Protocol):
    def __init__(self, fake: "FakePrinter") -> None:
        self.fake = fake
        self.record = FakeConnection()
        self.parser = StreamParser()
        self.transport: asyncio.Transport | None = None
        self.stalled = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.fake._connection_opened(self.record, transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.record.received += data
        state = self.fake.state
        for command in self.parser.feed(data):
            if command.name == "DLE EOT":
                self._answer(state, command.params[0])
            elif state is FakeState.STALL and not self.stalled:
                # The kernel buffers fill up behind us and the sender blocks.
                self.stalled = True
                self.transport.pause_reading()
                self._watch_for_hangup()

    def _watch_for_hangup(self) -> None:
        # A paused transport never sees the peer go away, since nothing reads; look at the TCP
        # state instead, so that `closed` connections are reported as on a reading printer.
        assert self.transport is not None
        if self.transport.is_closing() or not self.stalled:
            return
        tcp_info = getattr(socket, "TCP_INFO", None)
        if tcp_info is None:
            return  # not Linux: a stalled connection is only seen closed when the fake stops
        sock = self.transport.get_extra_info("socket")
        state = sock.getsockopt(socket.IPPROTO_TCP, tcp_info, 1)[0]
        if state != _TCP_ESTABLISHED:
            self.transport.abort()
            return
        asyncio.get_running_loop().call_later(_HANGUP_POLL, self._watch_for_hangup)

    def _answer(self, state: FakeState, n: int) -> None:
        assert self.transport is not None
        if self.transport.is_closing():
            return
        if state is FakeState.HANGUP:
            self.transport.close()
            return
        answer = STATUS_BYTES.get(state, {}).get(n)
        if answer is not None and not self.stalled:
            self.transport.write(bytes([answer]))

    def connection_lost(self, exc: Exception | None) -> None:
        assert self.transport is not None
        self.fake._connection_closed(self.record, self.transport)


class FakePrinter:
    """A TCP server on 127.0.0.1 speaking enough ESC/POS for python-escpos `Network`.

    Async tests: `async with FakePrinter() as printer:` on the test's loop, and run the blocking
    printing code in a thread (`asyncio.to_thread`). Sync tests: `with FakePrinter.running() as
    printer:` runs it on its own loop in a background thread.
    """

    def __init__(self, state: FakeState | str = FakeState.ONLINE) -> None:
        self._state = FakeState(state)
        self.connections: list[FakeConnection] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.Transport] = set()
        self._closing: asyncio.Event | None = None  # created on the loop the server runs on
        self._changed = threading.Condition()

    @property
    def state(self) -> FakeState:
        return self._state

    @state.setter
    def state(self, value: FakeState | str) -> None:
        self._state = FakeState(value)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def jobs(self) -> list[bytes]:
        """Bytes of every connection that carried more than status questions."""
        return [bytes(connection.received) for connection in self.connections if connection.is_job]

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Set before listen() so accepted sockets inherit it and the window stays small.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        self._server = await loop.create_server(lambda: _PrinterProtocol(self), sock=sock)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Server.close() leaves accepted connections open (before Python 3.13), and a
            # stalled one would never finish on its own.
            for transport in list(self._transports):
                transport.abort()
            await self._server.wait_closed()
            self._server = None

    async def resume(self) -> None:
        """A stalled printer comes back (paper cleared): it reads on where it stopped, and
        answers again."""
        self.state = FakeState.ONLINE
        for transport in list(self._transports):
            protocol = transport.get_protocol()
            if isinstance(protocol, _PrinterProtocol) and protocol.stalled:
                protocol.stalled = False
                transport.resume_reading()

    async def hang_up(self) -> None:
        """Drop every open connection, as a printer switched off mid-job does."""
        for transport in list(self._transports):
            transport.abort()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @classmethod
    @contextlib.contextmanager
    def running(cls, state: FakeState | str = FakeState.ONLINE) -> Iterator["FakePrinter"]:
        """Run a fake printer on its own event loop in a background thread."""
        fake = cls(state)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="fake-printer", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=5)
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()

    def wait_closed(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until `count` connections have closed, so their bytes are all recorded.

        Only for `running()`: from the fake's own loop this would block the loop it waits on.
        """
        with self._changed:
            return self._changed.wait_for(
                lambda: sum(c.closed for c in self.connections) >= count, timeout
            )

    async def closed(self, count: int = 1) -> None:
        """Async form of `wait_closed`, for a fake on the caller's loop; wrap it in a timeout."""
        assert self._closing is not None, "start() the fake first"
        while sum(c.closed for c in self.connections) < count:
            self._closing.clear()
            await self._closing.wait()

    def _connection_opened(self, record: FakeConnection, transport: asyncio.Transport) -> None:
        with self._changed:
            self.connections.append(record)
            self._transports.add(transport)
            self._changed.notify_all()

    def _connection_closed(self, record: FakeConnection, transport: asyncio.Transport) -> None:
        with self._changed:
            record.closed = True
            self._transports.discard(transport)
            self._changed.notify_all()
        if self._closing is not None:
            self._closing.set()
