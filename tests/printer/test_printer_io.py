"""Printing a ticket over the network to the fake printer, in every printer state."""

import asyncio
import fcntl
import os
import socket
from pathlib import Path

import pytest
from PIL import Image

from printer.config import PrinterConfig
from printer.escpos_io import compose_job, print_image, query_status
from printer.render import render_slip
from printer.slip import Slip
from printer.status import PrinterState
from tests.printer.fake import FakePrinter, FakeState
from tests.printer.parser import parse

# Short timeouts keep the suite fast. Which timeout ended a wait is read from the result (the
# printer module says so), never from the wall clock, which stalls on busy machines.
STATUS_TIMEOUT = 0.5
SEND_TIMEOUT = 1.0
OPTIONS = f"?timeout={SEND_TIMEOUT}&status_timeout={STATUS_TIMEOUT}"


@pytest.fixture(scope="module")
def ticket() -> Image.Image:
    slip = Slip(
        office_name_th="ที่ว่าการอำเภอบางพลี",
        office_name_en="Bang Phli District Office",
        service_name_th="ทะเบียนราษฎร แจ้งย้ายที่อยู่",
        service_name_en="Civil registration: change of address",
        number="A027",
        wait_th="รอ 3 คิว (ประมาณ 6–15 นาที)",
        wait_en="3 ahead (about 6–15 min)",
        issued_text="3 ธ.ค. 2569 09.05 น.",
        status_url="https://q.example.go.th/s/AB12CD34",
        priority_label=None,
        footer_th="กรุณารอเรียกหมายเลขที่หน้าจอ",
        footer_en="Please wait for your number on the screen",
    )
    return render_slip(slip, 512)


def _printed_image(job: bytes) -> Image.Image | None:
    return parse(job).stacked_image()


class TestPrintingToAReadyPrinter:
    def test_the_printer_receives_exactly_the_rendered_ticket(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.ONLINE) as fake:
            config = PrinterConfig.parse(fake.url + OPTIONS)
            result = print_image(config, ticket)
            assert fake.wait_closed(1)
        assert result.printed
        assert result.status.state is PrinterState.OK
        assert not result.paper_near_end
        [job] = fake.jobs
        printed = _printed_image(job)
        assert printed is not None
        assert printed.tobytes() == ticket.tobytes()
        parsed = parse(job)
        assert [cut.mode for cut in parsed.cuts] == ["full"]
        # Status before the job and again after the cut (trap 4).
        assert parsed.status_queries == [1, 2, 3, 4, 1, 2, 3, 4]
        first_image = parsed.commands.index(next(c for c in parsed.commands if c.name == "GS v 0"))
        assert [c.name for c in parsed.commands[:first_image]].count("DLE EOT") == 4

    def test_near_end_prints_and_warns(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.NEAR_END) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS), ticket)
            assert fake.wait_closed(1)
        assert result.printed
        assert result.paper_near_end
        assert result.status.state is PrinterState.NEAR_END
        assert len(fake.jobs) == 1

    def test_status_off_sends_blind_and_says_so(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.PAPER_OUT) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS + "&status=none"), ticket)
            assert fake.wait_closed(1)
        assert result.printed
        assert result.status.state is PrinterState.UNCHECKED
        [job] = fake.jobs
        assert parse(job).status_queries == []


class TestPrinterNotReady:
    @pytest.mark.parametrize(
        ("state", "expected"),
        [
            (FakeState.PAPER_OUT, PrinterState.PAPER_OUT),
            (FakeState.COVER_OPEN, PrinterState.COVER_OPEN),
        ],
    )
    def test_nothing_is_sent_to_a_printer_that_cannot_print(
        self, ticket: Image.Image, state: FakeState, expected: PrinterState
    ) -> None:
        with FakePrinter.running(state) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS), ticket)
            assert fake.wait_closed(1)
        assert not result.printed
        assert not result.job_started
        assert result.status.state is expected
        assert fake.jobs == []
        [connection] = fake.connections
        assert parse(bytes(connection.received)).images == []

    def test_a_mute_printer_costs_only_the_status_timeout(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.MUTE) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.NO_ANSWER
        assert not result.job_started
        assert fake.jobs == []
        assert f"within {STATUS_TIMEOUT:g} s" in result.status.detail

    def test_a_closed_connection_is_no_answer_not_ok(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.HANGUP) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.NO_ANSWER

    def test_a_printer_that_stops_reading_fails_after_the_send_timeout(
        self, ticket: Image.Image
    ) -> None:
        with FakePrinter.running(FakeState.STALL) as fake:
            result = print_image(PrinterConfig.parse(fake.url + OPTIONS), ticket)
            assert fake.wait_closed(1)
        assert not result.printed
        assert result.job_started  # the caller must reprint from the start (trap 3)
        assert result.status.state is PrinterState.NO_ANSWER
        assert f"stopped taking the ticket after {SEND_TIMEOUT:g} s" in result.status.detail
        [job] = fake.jobs
        assert parse(job).truncated

    def test_nobody_listening_is_offline_at_once(self, ticket: Image.Image) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        result = print_image(PrinterConfig.parse(f"tcp://127.0.0.1:{port}{OPTIONS}"), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.OFFLINE

    def test_no_printer_configured_prints_nothing(self, ticket: Image.Image) -> None:
        result = print_image(PrinterConfig.parse("none"), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.NOT_CONFIGURED
        assert result.status.state == "none"


class TestQueryStatus:
    @pytest.mark.parametrize(
        ("state", "expected"),
        [
            (FakeState.ONLINE, PrinterState.OK),
            (FakeState.NEAR_END, PrinterState.NEAR_END),
            (FakeState.PAPER_OUT, PrinterState.PAPER_OUT),
            (FakeState.COVER_OPEN, PrinterState.COVER_OPEN),
            (FakeState.MUTE, PrinterState.NO_ANSWER),
            (FakeState.HANGUP, PrinterState.NO_ANSWER),
        ],
    )
    def test_the_state_is_read_from_dle_eot(self, state: FakeState, expected: PrinterState) -> None:
        with FakePrinter.running(state) as fake:
            status = query_status(PrinterConfig.parse(fake.url + OPTIONS))
            assert fake.wait_closed(1)
        assert status.state is expected
        assert fake.jobs == []

    def test_the_state_can_change_between_jobs(self, ticket: Image.Image) -> None:
        with FakePrinter.running(FakeState.ONLINE) as fake:
            config = PrinterConfig.parse(fake.url + OPTIONS)
            assert print_image(config, ticket).printed
            fake.state = "paper_out"
            assert query_status(config).state is PrinterState.PAPER_OUT
            assert not print_image(config, ticket).printed
            fake.state = FakeState.ONLINE
            assert print_image(config, ticket).printed
            assert fake.wait_closed(4)
        assert len(fake.jobs) == 2


class TestFromAsyncCode:
    async def test_print_in_a_worker_thread_with_the_fake_on_this_loop(
        self, ticket: Image.Image
    ) -> None:
        async with FakePrinter() as fake:
            config = PrinterConfig.parse(fake.url + OPTIONS)
            result = await asyncio.to_thread(print_image, config, ticket)
            async with asyncio.timeout(5):
                await fake.closed(1)
        assert result.printed
        [job] = fake.jobs
        printed = _printed_image(job)
        assert printed is not None
        assert printed.tobytes() == ticket.tobytes()


class TestOtherConnections:
    def test_a_device_file_receives_the_composed_job(
        self, ticket: Image.Image, tmp_path: Path
    ) -> None:
        device = tmp_path / "lp0"
        device.touch()
        config = PrinterConfig.parse(f"file://{device}{OPTIONS}")
        result = print_image(config, ticket)
        assert result.printed
        assert result.status.state is PrinterState.UNCHECKED
        assert device.read_bytes() == compose_job(config, ticket)

    def test_a_device_that_stops_taking_data_times_out(
        self, ticket: Image.Image, tmp_path: Path
    ) -> None:
        fifo = tmp_path / "lp0"
        os.mkfifo(fifo)
        # A reader that never reads: the pipe fills like a printer out of paper.
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
        try:
            result = print_image(PrinterConfig.parse(f"file://{fifo}{OPTIONS}"), ticket)
        finally:
            os.close(reader)
        assert not result.printed
        assert result.job_started
        assert f"stopped taking the ticket after {SEND_TIMEOUT:g} s" in result.status.detail

    def test_a_missing_device_file_is_offline(self, ticket: Image.Image, tmp_path: Path) -> None:
        result = print_image(PrinterConfig.parse(f"file://{tmp_path}/nothing"), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.OFFLINE
        assert not (tmp_path / "nothing").exists()

    @pytest.mark.parametrize("url", ["usb://04b8:0e15", "serial:///dev/saduak-no-such-port"])
    def test_an_absent_usb_or_serial_printer_is_offline(
        self, ticket: Image.Image, url: str
    ) -> None:
        # Offline whether pyusb/pyserial are missing or the device is simply not there.
        result = print_image(PrinterConfig.parse(url + OPTIONS), ticket)
        assert not result.printed
        assert result.status.state is PrinterState.OFFLINE
        assert result.detail
