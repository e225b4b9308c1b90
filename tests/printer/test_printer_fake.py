"""The fake network printer itself: it answers like the status table and only to real queries."""

import socket

import pytest

from tests.printer.fake import STATUS_BYTES, FakePrinter, FakeState

IMAGE_WITH_STATUS_LOOKALIKES = b"\x1dv0\x00\x02\x00\x03\x00" + b"\x10\x04\x01\x10\x04\x02"


def _ask(sock: socket.socket, n: int) -> bytes:
    sock.sendall(bytes([0x10, 0x04, n]))
    return sock.recv(16)


class TestFakePrinter:
    @pytest.mark.parametrize(
        "state",
        [FakeState.ONLINE, FakeState.NEAR_END, FakeState.PAPER_OUT, FakeState.COVER_OPEN],
    )
    def test_answers_dle_eot_from_the_table(self, state: FakeState) -> None:
        with (
            FakePrinter.running(state) as fake,
            socket.create_connection(("127.0.0.1", fake.port), timeout=2) as sock,
        ):
            answers = {n: _ask(sock, n) for n in (1, 2, 3, 4)}
        assert answers == {n: bytes([byte]) for n, byte in STATUS_BYTES[state].items()}

    def test_status_lookalikes_inside_image_data_get_no_answer(self) -> None:
        with (
            FakePrinter.running() as fake,
            socket.create_connection(("127.0.0.1", fake.port), timeout=2) as sock,
        ):
            sock.sendall(IMAGE_WITH_STATUS_LOOKALIKES)
            assert _ask(sock, 4) == b"\x12"
            sock.settimeout(0.2)
            with pytest.raises(TimeoutError):
                sock.recv(16)

    def test_a_mute_printer_reads_but_never_answers(self) -> None:
        with (
            FakePrinter.running(FakeState.MUTE) as fake,
            socket.create_connection(("127.0.0.1", fake.port), timeout=0.3) as sock,
        ):
            with pytest.raises(TimeoutError):
                _ask(sock, 1)
            sock.close()
            assert fake.wait_closed(1)
        assert bytes(fake.connections[0].received) == b"\x10\x04\x01"

    def test_records_each_connection_and_tells_jobs_from_status_checks(self) -> None:
        with FakePrinter.running() as fake:
            for payload in (b"\x10\x04\x01", b"\x1b@" + IMAGE_WITH_STATUS_LOOKALIKES):
                with socket.create_connection(("127.0.0.1", fake.port), timeout=2) as sock:
                    sock.sendall(payload)
            assert fake.wait_closed(2)
        assert [bytes(c.received) for c in fake.connections] == [
            b"\x10\x04\x01",
            b"\x1b@" + IMAGE_WITH_STATUS_LOOKALIKES,
        ]
        assert fake.jobs == [b"\x1b@" + IMAGE_WITH_STATUS_LOOKALIKES]

    def test_the_url_points_at_the_fake(self) -> None:
        with FakePrinter.running() as fake:
            assert fake.url == f"tcp://127.0.0.1:{fake.port}"
            assert fake.port > 0

    async def test_runs_on_the_current_event_loop_too(self) -> None:
        async with FakePrinter(FakeState.NEAR_END) as fake:
            assert fake.state is FakeState.NEAR_END
            fake.state = "cover_open"
            assert fake.state is FakeState.COVER_OPEN
