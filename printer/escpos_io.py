"""Blocking ESC/POS I/O: read a printer's status and print one ticket image, within timeouts."""

import copy
import functools
import os
import select
import socket
import struct
import tempfile
import time
from pathlib import Path
from typing import Any


def _pickle_dir() -> str:
    # python-escpos writes a capabilities pickle at import time, into a fresh temp dir each time
    # unless this is set, and loads any pickle it finds there: keep one private directory.
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        directory = base / "saduak" / "escpos"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return str(directory)
    except (OSError, RuntimeError):
        pass  # a service account without a (writable) home
    # Per user in /tmp, and only if nobody else can write there, since the pickle is run as code.
    directory = Path(tempfile.gettempdir()) / f"saduak-escpos-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    info = directory.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(f"{directory} is not a private directory of this user")
    return str(directory)


os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", _pickle_dir())

# The environment must be set before python-escpos is first imported.
from escpos import exceptions as escpos_errors  # noqa: E402
from escpos.capabilities import Profile  # noqa: E402
from escpos.constants import RT_STATUS  # noqa: E402
from escpos.escpos import Escpos  # noqa: E402
from escpos.printer import Dummy, Network, Serial, Usb, Win32Raw  # noqa: E402
from PIL import Image  # noqa: E402

from printer.config import (  # noqa: E402
    AgentTarget,
    BrowserTarget,
    FileTarget,
    PrinterConfig,
    SerialTarget,
    TcpTarget,
    UsbTarget,
    WinTarget,
)
from printer.status import (  # noqa: E402
    STATUS_QUERIES,
    PrinterState,
    PrinterStatus,
    PrintResult,
    decode_status,
)

# What a printer link can raise when the printer is away, slow or broken. socket.timeout,
# ConnectionError, pyusb's USBError and pyserial's SerialException are all OSError subclasses.
# Anything else is a bug in our code and must surface.
LINK_ERRORS: tuple[type[Exception], ...] = (OSError, escpos_errors.Error)

# Lines fed after the image when there is no cutter, so the ticket clears the tear bar;
# python-escpos cut() feeds 6 lines itself.
_FEED_LINES_WITHOUT_CUT = 6
# Send buffer for the TCP link. The kernel's default on a fast link swallows a whole ticket, so
# sendall() would "succeed" at once even when the printer has stopped reading (trap 3); a small
# buffer makes the send timeout mean "the printer did not take the ticket".
_TCP_SEND_BUFFER = 8192
# GS ( L carries its length in two bytes; python-escpos does not check and silently wraps it.
_GRAPHICS_MAX_BYTES = 65535 - 10


def compose_job(config: PrinterConfig, image: Image.Image) -> bytes:
    """The exact bytes of one ticket: initialise, the image, then cut (or feed)."""
    if image.width > config.width:
        raise ValueError(f"image is {image.width} dots wide, the printer takes {config.width}")
    job = Dummy(profile=_profile(config.width))
    job.hw("INIT")
    job.image(image, impl=config.impl, fragment_height=_fragment_height(config))
    if config.cut == "none":
        job.print_and_feed(_FEED_LINES_WITHOUT_CUT)
    else:
        job.cut(mode="FULL" if config.cut == "full" else "PART")
    return bytes(job.output)


def query_status(config: PrinterConfig) -> PrinterStatus:
    """Ask the printer how it is, within `config.status_timeout` plus connecting."""
    if config.target is None:
        return PrinterStatus(PrinterState.NOT_CONFIGURED, "no printer configured")
    opened = _open(config)
    if isinstance(opened, PrinterStatus):
        return opened
    try:
        return _read_status(opened, config, config.status_timeout)
    finally:
        _close(opened, abort=False)


def print_image(config: PrinterConfig, image: Image.Image) -> PrintResult:
    """Print one ticket image. Blocking: call it from a worker thread in async code.

    Takes at most about 2 × status_timeout (connect, status) + 2 × timeout (send, status
    after the cut). `printed` is True only when the printer said it was ready before the job
    and still ready after the cut.
    """
    started = time.monotonic()

    def result(printed: bool, status: PrinterStatus, job_started: bool) -> PrintResult:
        return PrintResult(printed, status, job_started, time.monotonic() - started)

    if config.target is None:
        status = PrinterStatus(PrinterState.NOT_CONFIGURED, "no printer configured")
        return result(False, status, False)
    # Compose first: a bad image is our bug and must not leave a half-open printer connection.
    job = compose_job(config, image)
    opened = _open(config)
    if isinstance(opened, PrinterStatus):
        return result(False, opened, False)
    sent = False
    try:
        # Trap 2: an unanswered status is never "ready"; we do not send into the unknown.
        before = _read_status(opened, config, config.status_timeout)
        if not before.printable:
            return result(False, before, False)
        try:
            _set_timeout(opened, config.timeout)
            # One write for the whole job, so `timeout` bounds the whole send; python-escpos
            # has no public raw write, and each public call would get its own timeout.
            opened._raw(job)
            sent = True
        except LINK_ERRORS as exc:
            # Trap 3: out of paper, a printer stops reading and the send stalls. The job may be
            # half-printed; the caller keeps the ticket pending and reprints it from the start.
            detail = f"printer stopped taking the ticket after {config.timeout:g} s ({exc!r})"
            return result(False, PrinterStatus(PrinterState.NO_ANSWER, detail), True)
        # Trap 4: generic ESC/POS cannot confirm ink on paper; the best evidence is a printer that
        # is still ready after the cut. Its answer may wait behind the job in the printer's
        # buffer, so it gets the send timeout rather than the short status timeout.
        _discard_input(opened)
        after = _read_status(opened, config, config.timeout)
        return result(after.printable, after, True)
    finally:
        _close(opened, abort=not sent)


@functools.lru_cache(maxsize=8)
def _profile(width: int) -> Any:
    # The default profile has no media width: python-escpos then prints a notice on every image
    # and cannot refuse an image wider than the paper (ImageWidthError). Give it ours.
    # python-escpos accepts an object only if it is a `Profile`, whose features start empty.
    data = copy.deepcopy(Profile.profile_data)
    data["media"]["width"]["pixels"] = width
    profile = Profile(features=dict(data["features"]))
    profile.profile_data = data
    return profile


def _fragment_height(config: PrinterConfig) -> int:
    if config.impl == "graphics":
        return min(960, _GRAPHICS_MAX_BYTES // (config.width // 8))
    return 960  # python-escpos's default band height


def _open(config: PrinterConfig) -> Escpos | PrinterStatus:
    """An open printer link, or the status explaining why there is none."""
    target = config.target
    printer: Escpos
    try:
        if isinstance(target, TcpTarget):
            # Trap 1: python-escpos's 60 s default would hold the kiosk; the connect and every
            # read get the short status timeout until we send.
            printer = Network(target.host, target.port, timeout=config.status_timeout)
            # Our own connect rather than Network.open(): that one is IPv4 only and leaks its
            # socket when the connection is refused, as it is on every retry to a printer
            # that is switched off.
            sock = socket.create_connection(
                (target.host, target.port), timeout=config.status_timeout
            )
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _TCP_SEND_BUFFER)
            printer.device = sock
        elif isinstance(target, UsbTarget):
            if not Usb.is_usable():
                return _missing_library("USB", "python-escpos[usb] (pyusb)")
            if not _libusb_present():
                return _missing_library("USB", "the Debian package libusb-1.0-0")
            printer = Usb(
                target.vendor_id,
                target.product_id,
                timeout=_milliseconds(config.timeout),
                in_ep=target.in_ep,
                out_ep=target.out_ep,
            )
            printer.open()
        elif isinstance(target, SerialTarget):
            if not Serial.is_usable():
                return _missing_library("serial", "python-escpos[serial] (pyserial)")
            printer = Serial(target.device, target.baudrate, timeout=config.status_timeout)
            printer.open()
            # pyserial's read(16) waits for 16 bytes or the timeout; a status answer is one
            # byte, so stop reading once the line goes quiet after it.
            printer.device.inter_byte_timeout = 0.05
        elif isinstance(target, FileTarget):
            printer = _DeviceFile(target.path)
            printer.open()
        elif isinstance(target, WinTarget):
            if not Win32Raw.is_usable():
                return _missing_library("Windows queue", "Windows with pywin32 (win32print)")
            printer = Win32Raw(target.queue)
            printer.open(job_name="saduak")
        elif isinstance(target, AgentTarget):
            # Never opened here: the kiosk's own print agent holds the printer.
            return PrinterStatus(PrinterState.NOT_CONFIGURED, "printed by the kiosk's print agent")
        elif isinstance(target, BrowserTarget):
            return PrinterStatus(PrinterState.NOT_CONFIGURED, "printed by the kiosk's browser")
        else:
            return PrinterStatus(PrinterState.NOT_CONFIGURED, "no printer configured")
    except LINK_ERRORS as exc:
        return PrinterStatus(PrinterState.OFFLINE, f"cannot reach printer {target}: {exc}")
    return printer


def _libusb_present() -> bool:
    # pyusb imports without libusb and only fails (NoBackendError) when it looks for a device.
    import usb.backend.libusb1

    return usb.backend.libusb1.get_backend() is not None


def _missing_library(link: str, package: str) -> PrinterStatus:
    return PrinterStatus(PrinterState.OFFLINE, f"{link} printing needs {package} installed")


def _read_status(printer: Escpos, config: PrinterConfig, budget: float) -> PrinterStatus:
    """DLE EOT 1–4 within `budget` seconds in all; the first silence ends it as no_answer."""
    if config.status == "none":
        return PrinterStatus(PrinterState.UNCHECKED, "status reading is off for this printer")
    deadline = time.monotonic() + budget
    answers: dict[int, int] = {}
    for n in STATUS_QUERIES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            _set_timeout(printer, remaining)
            answer = bytes(printer.query_status(RT_STATUS + bytes([n])))
        except LINK_ERRORS as exc:
            detail = f"no answer to DLE EOT {n} within {budget:g} s ({exc!r})"
            return PrinterStatus(PrinterState.NO_ANSWER, detail, tuple(answers.items()))
        if not answer:
            # Trap 2: python-escpos reads an empty answer as "paper adequate"; it is silence.
            detail = f"connection closed instead of answering DLE EOT {n}"
            return PrinterStatus(PrinterState.NO_ANSWER, detail, tuple(answers.items()))
        # The last byte: earlier ones can be late answers to status-like bytes inside image data.
        answers[n] = answer[-1]
    return decode_status(answers)


def _set_timeout(printer: Escpos, seconds: float) -> None:
    seconds = max(seconds, 0.001)
    if isinstance(printer, Network):
        printer.device.settimeout(seconds)
    elif isinstance(printer, Serial):
        printer.device.timeout = seconds
        printer.device.write_timeout = seconds
    elif isinstance(printer, Usb):
        printer.timeout = _milliseconds(seconds)  # writes
        printer.device.default_timeout = _milliseconds(seconds)  # reads
    elif isinstance(printer, _DeviceFile):
        printer.timeout = seconds


def _discard_input(printer: Escpos) -> None:
    """Drop bytes already waiting, so the next read is the answer to the next question."""
    if isinstance(printer, Network):
        sock: socket.socket = printer.device
        sock.setblocking(False)
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass  # nothing waiting (BlockingIOError), or a broken link the next read reports
        finally:
            sock.setblocking(True)
    elif isinstance(printer, Serial):
        printer.device.reset_input_buffer()


def _close(printer: Escpos, *, abort: bool) -> None:
    # `_device`, not `device`: python-escpos reopens the link when `device` is read after close.
    sock = printer._device
    try:
        if abort and isinstance(sock, socket.socket):
            # Reset instead of a graceful close: the kernel would otherwise keep delivering the
            # rest of an abandoned job, and the printer would finish a ticket we print again.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        printer.close()
    except LINK_ERRORS:
        pass  # closing a dead link cannot fail the job any further


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class _DeviceFile(Escpos):
    """A printer device file such as /dev/usb/lp0, written with a deadline.

    python-escpos File opens the file blocking: a printer out of paper blocks write() for ever.
    Non-blocking writes with select() keep the send within the timeout. It cannot read
    status either (trap 5), so the setting refuses status=dleeot for file://.
    """

    def __init__(self, path: str) -> None:
        super().__init__(profile=None)
        self.path = path
        self.timeout = 5.0
        self._fd: int | None = None

    def open(self, raise_not_found: bool = True) -> None:
        # No O_CREAT: a missing device must fail, not become a regular file in /dev.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self.device = self._fd

    def _raw(self, msg: bytes) -> None:
        assert self._fd is not None
        deadline = time.monotonic() + self.timeout
        view = memoryview(msg)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.path} took no data for {self.timeout:g} s")
            _, writable, _ = select.select([], [self._fd], [], remaining)
            if not writable:
                continue
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:
                continue

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._device = False
