"""Decoding DLE EOT answers into one printer state."""

import pytest

from printer.status import PrinterState, PrinterStatus, decode_status
from tests.printer.fake import STATUS_BYTES, FakeState


class TestDecodingTheStatusTable:
    @pytest.mark.parametrize(
        ("fake_state", "expected"),
        [
            (FakeState.ONLINE, PrinterState.OK),
            (FakeState.NEAR_END, PrinterState.NEAR_END),
            (FakeState.PAPER_OUT, PrinterState.PAPER_OUT),
            (FakeState.COVER_OPEN, PrinterState.COVER_OPEN),
        ],
    )
    def test_each_row_of_the_table_reads_as_its_state(
        self, fake_state: FakeState, expected: PrinterState
    ) -> None:
        status = decode_status(STATUS_BYTES[fake_state])
        assert status.state is expected
        assert status.answers == tuple(sorted(STATUS_BYTES[fake_state].items()))

    def test_only_ok_and_near_end_are_printable(self) -> None:
        printable = {state for state in PrinterState if PrinterStatus(state).printable}
        assert printable == {PrinterState.OK, PrinterState.NEAR_END, PrinterState.UNCHECKED}

    def test_a_cutter_error_takes_the_printer_offline(self) -> None:
        status = decode_status({1: 0x1A, 2: 0x12, 3: 0x1A, 4: 0x12})
        assert status.state is PrinterState.OFFLINE
        assert "cutter" in status.detail

    def test_offline_without_a_known_cause_is_offline(self) -> None:
        assert decode_status({1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12}).state is PrinterState.OFFLINE

    def test_paper_end_on_the_sensor_wins_over_online(self) -> None:
        assert decode_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x72}).state is PrinterState.PAPER_OUT


class TestAnswersThatMeanNothing:
    def test_no_answer_at_all_is_never_ok(self) -> None:
        assert decode_status({}).state is PrinterState.NO_ANSWER

    def test_a_missing_answer_is_no_answer(self) -> None:
        status = decode_status({1: 0x12, 2: 0x12, 4: 0x12})
        assert status.state is PrinterState.NO_ANSWER
        assert "DLE EOT 3" in status.detail

    @pytest.mark.parametrize("byte", [0x00, 0xFF, 0x13, 0x92, 0x02])
    def test_a_byte_without_the_fixed_bits_is_unknown(self, byte: int) -> None:
        status = decode_status({1: byte, 2: 0x12, 3: 0x12, 4: 0x12})
        assert status.state is PrinterState.UNKNOWN
        assert not status.printable
