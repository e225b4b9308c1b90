"""Printer states decoded from DLE EOT answers, and the outcome of one print job."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class PrinterState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    NO_ANSWER = "no_answer"
    UNKNOWN = "unknown"
    # status=none in the setting: the job was sent blind, nothing could be checked.
    UNCHECKED = "unchecked"
    # No printer configured at all: the ticket exists on screen only.
    NOT_CONFIGURED = "none"


PRINTABLE_STATES = frozenset({PrinterState.OK, PrinterState.NEAR_END, PrinterState.UNCHECKED})

# Every DLE EOT answer byte has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is
# not a status byte (stray data, an ASB packet), so we refuse to read meaning into it.
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12

# Bits per DLE EOT n, as in PRINTING.md (python-escpos masks agree).
_N1_OFFLINE = 0x08
_N2_COVER_OPEN, _N2_PAPER_END, _N2_ERROR = 0x04, 0x20, 0x40
_N3_CUTTER, _N3_UNRECOVERABLE, _N3_AUTO_RECOVERABLE = 0x08, 0x20, 0x40
_N4_NEAR_END, _N4_PAPER_END = 0x0C, 0x60

STATUS_QUERIES = (1, 2, 3, 4)
NO_PRINTER_ANSWERED = "no printer answered"


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""
    # (n, answer byte) pairs as received, kept for logs and support calls.
    answers: tuple[tuple[int, int], ...] = ()

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE_STATES

    def public(self) -> "PrinterStatus":
        """What people are shown: a decoded state in words, never the bytes that came back or
        why a connection failed (those stay in the log). Otherwise a printer setting and a test
        print would tell an admin what answers at an address, and how."""
        if self.state in (PrinterState.NO_ANSWER, PrinterState.UNKNOWN) or (
            self.state is PrinterState.OFFLINE and not self.answers
        ):
            return PrinterStatus(PrinterState.NO_ANSWER, NO_PRINTER_ANSWERED)
        return PrinterStatus(self.state, self.detail)

    @property
    def paper_near_end(self) -> bool:
        return self.state is PrinterState.NEAR_END


@dataclass(frozen=True)
class PrintResult:
    """`printed=False` means: keep the ticket "pending print"; reprint it whole later (trap 3)."""

    printed: bool
    status: PrinterStatus
    # True when ticket bytes went out; a failed job may have printed partly.
    job_started: bool = False
    elapsed_seconds: float = field(default=0.0, compare=False)

    @property
    def paper_near_end(self) -> bool:
        return self.status.paper_near_end

    @property
    def detail(self) -> str:
        return self.status.detail


def decode_status(answers: Mapping[int, int]) -> PrinterStatus:
    """Turn the answer bytes to DLE EOT 1–4 into one state; a missing answer is never OK."""
    pairs = tuple(sorted(answers.items()))
    for n, byte in pairs:
        if byte & _FIXED_MASK != _FIXED_BITS:
            return PrinterStatus(
                PrinterState.UNKNOWN, f"answer 0x{byte:02X} to DLE EOT {n} is not a status", pairs
            )
    missing = [n for n in STATUS_QUERIES if n not in answers]
    if missing:
        return PrinterStatus(PrinterState.NO_ANSWER, f"no answer to DLE EOT {missing[0]}", pairs)
    n1, n2, n3, n4 = (answers[n] for n in STATUS_QUERIES)
    if n2 & _N2_COVER_OPEN:
        return PrinterStatus(PrinterState.COVER_OPEN, "cover open", pairs)
    if n2 & _N2_PAPER_END or n4 & _N4_PAPER_END:
        return PrinterStatus(PrinterState.PAPER_OUT, "paper out", pairs)
    errors = [
        text
        for bit, text in (
            (_N3_CUTTER, "cutter error"),
            (_N3_UNRECOVERABLE, "unrecoverable error"),
            (_N3_AUTO_RECOVERABLE, "auto-recoverable error"),
        )
        if n3 & bit
    ]
    if n1 & _N1_OFFLINE or n2 & _N2_ERROR or errors:
        return PrinterStatus(PrinterState.OFFLINE, ", ".join(errors) or "offline", pairs)
    if n4 & _N4_NEAR_END:
        return PrinterStatus(PrinterState.NEAR_END, "paper near end", pairs)
    return PrinterStatus(PrinterState.OK, "ready", pairs)
