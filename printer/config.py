"""Printer connection settings, parsed from and written back to one URL-like string."""

import ipaddress
import math
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ImageImpl = Literal["bitImageRaster", "bitImageColumn", "graphics"]
CutMode = Literal["full", "part", "none"]
StatusMode = Literal["dleeot", "none"]

IMAGE_IMPLS: tuple[ImageImpl, ...] = ("bitImageRaster", "bitImageColumn", "graphics")
CUT_MODES: tuple[CutMode, ...] = ("full", "part", "none")
STATUS_MODES: tuple[StatusMode, ...] = ("dleeot", "none")

DEFAULT_WIDTH = 512  # safe for unknown 80 mm printers: 180-dpi Epson models print 512 dots
DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
DEFAULT_USB_IN_EP = 0x82
DEFAULT_USB_OUT_EP = 0x01
# Short on purpose: a printer that never answers must not hold a kiosk for the socket default
# (60 s in python-escpos). The send timeout covers printing a whole ticket at slow printer speed.
DEFAULT_TIMEOUT = 5.0
DEFAULT_STATUS_TIMEOUT = 1.5
MAX_TIMEOUT = 120.0
# Below 256 dots the ticket layout has no room for a readable number and QR code.
MIN_WIDTH, MAX_WIDTH = 256, 2048

_COMMON_KEYS = ("width", "impl", "cut", "status", "timeout", "status_timeout")
_USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_Choice = TypeVar("_Choice", bound=str)


class PrinterConfigError(ValueError):
    """The printer setting string cannot be understood; the message names the bad part."""


class PrinterTargetRefused(PrinterConfigError):
    """The setting is well formed but points where the server operator does not allow printing."""


@dataclass(frozen=True)
class TcpTarget:
    host: str
    port: int = DEFAULT_TCP_PORT


@dataclass(frozen=True)
class UsbTarget:
    vendor_id: int
    product_id: int
    in_ep: int = DEFAULT_USB_IN_EP
    out_ep: int = DEFAULT_USB_OUT_EP


@dataclass(frozen=True)
class SerialTarget:
    device: str
    baudrate: int = DEFAULT_BAUDRATE


@dataclass(frozen=True)
class FileTarget:
    path: str


@dataclass(frozen=True)
class WinTarget:
    """A Windows printer queue, written in raw mode (win32print); for the kiosk's print agent."""

    queue: str


@dataclass(frozen=True)
class AgentTarget:
    """The kiosk's own print agent (`saduak kiosk-agent`) prints: the server never opens it, and
    the printer's settings stay with the agent."""


@dataclass(frozen=True)
class BrowserTarget:
    """The kiosk page prints the slip image through the browser and the OS printer driver:
    nothing can be checked, so every such print is unconfirmed."""


Target = TcpTarget | UsbTarget | SerialTarget | FileTarget | WinTarget | AgentTarget | BrowserTarget

# Roll width in millimetres by printer dots: 58 mm rolls print 384 dots, 80 mm ones 512-576.
PAPER_MM_58, PAPER_MM_80 = 58, 80


def paper_mm(width: int) -> int:
    return PAPER_MM_58 if width <= 384 else PAPER_MM_80


@dataclass(frozen=True)
class PrinterConfig:
    """Where the printer is and how it wants to be driven; `target=None` means no printer."""

    target: Target | None
    width: int = DEFAULT_WIDTH
    impl: ImageImpl = "bitImageRaster"
    cut: CutMode = "full"
    status: StatusMode = "dleeot"
    timeout: float = DEFAULT_TIMEOUT
    status_timeout: float = DEFAULT_STATUS_TIMEOUT

    @property
    def enabled(self) -> bool:
        return self.target is not None

    @classmethod
    def parse(cls, text: str) -> "PrinterConfig":
        return parse_printer_config(text)

    def __str__(self) -> str:
        target = self.target
        if target is None:
            return "none"
        extra: list[tuple[str, str]] = []
        if isinstance(target, TcpTarget):
            host = f"[{target.host}]" if ":" in target.host else target.host
            base = f"tcp://{host}:{target.port}"
        elif isinstance(target, UsbTarget):
            base = f"usb://{target.vendor_id:04x}:{target.product_id:04x}"
            extra = [("in_ep", f"0x{target.in_ep:02x}"), ("out_ep", f"0x{target.out_ep:02x}")]
        elif isinstance(target, SerialTarget):
            base = f"serial://{quote(target.device)}"
            extra = [("baudrate", str(target.baudrate))]
        elif isinstance(target, AgentTarget):
            return "agent://"
        elif isinstance(target, BrowserTarget):
            return f"browser://?width={self.width}"
        elif isinstance(target, WinTarget):
            base = f"win://{quote(target.queue, safe='')}"
        else:
            base = f"file://{quote(target.path)}"
        params = [
            ("width", str(self.width)),
            ("impl", self.impl),
            ("cut", self.cut),
            ("status", self.status),
            ("timeout", _format_seconds(self.timeout)),
            ("status_timeout", _format_seconds(self.status_timeout)),
            *extra,
        ]
        return base + "?" + "&".join(f"{key}={value}" for key, value in params)


def parse_printer_config(text: str) -> PrinterConfig:
    """Parse `tcp://host:9100?width=512`, `usb://04b8:0202`, `serial:///dev/ttyUSB0`,
    `file:///dev/usb/lp0`, `win://QUEUE` (print agent on Windows), `agent://`, `browser://`
    or `none`."""
    raw = text.strip()
    if raw.lower() == "none":
        return PrinterConfig(target=None, status="none")
    scheme, sep, _ = raw.partition("://")
    if not sep:
        raise PrinterConfigError(
            f"printer setting {text!r} is not 'none' and has no scheme; "
            "expected tcp://, usb://, serial://, file:// or agent://"
        )
    scheme = scheme.lower()
    try:
        parts = urlsplit(raw)
    except ValueError as exc:
        raise PrinterConfigError(f"printer setting {text!r} is not a valid URL: {exc}") from exc
    if parts.fragment:
        raise PrinterConfigError(f"printer setting {text!r} has a '#' part, which means nothing")
    params = _query_params(parts.query, text)

    target: Target
    scheme_keys: tuple[str, ...]
    if scheme == "tcp":
        target, scheme_keys = _tcp_target(parts.netloc, parts.path, text), ()
    elif scheme == "usb":
        target = _usb_target(parts.netloc, parts.path, params, text)
        scheme_keys = ("in_ep", "out_ep")
    elif scheme == "serial":
        device = _device_path(parts.netloc, parts.path, "serial", text)
        baudrate = _int_param(params, "baudrate", DEFAULT_BAUDRATE, 50, 4_000_000)
        target, scheme_keys = SerialTarget(device, baudrate), ("baudrate",)
    elif scheme == "file":
        target, scheme_keys = FileTarget(_device_path(parts.netloc, parts.path, "file", text)), ()
    elif scheme == "agent":
        if parts.netloc or parts.path not in ("", "/") or params:
            raise PrinterConfigError(
                f"agent:// takes nothing more ({text!r}): the printer's own settings are given "
                "to saduak kiosk-agent --printer on the kiosk"
            )
        return PrinterConfig(target=AgentTarget(), status="none")
    elif scheme == "browser":
        unknown = sorted(set(params) - {"width"})
        if parts.netloc or parts.path not in ("", "/") or unknown:
            raise PrinterConfigError(
                f"browser:// takes only ?width= (384 for 58 mm paper, 512 or 576 for 80 mm), "
                f"not {text!r}"
            )
        width = _int_param(params, "width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
        return PrinterConfig(target=BrowserTarget(), width=width, status="none")
    elif scheme == "win":
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue:
            raise PrinterConfigError(f"win:// printer {text!r} needs a printer queue name")
        target, scheme_keys = WinTarget(queue), ()
    else:
        raise PrinterConfigError(
            f"printer scheme {scheme!r} in {text!r} is not known; "
            "use tcp://, usb://, serial://, file://, agent://, browser:// or none"
        )

    allowed = (*_COMMON_KEYS, *scheme_keys)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise PrinterConfigError(
            f"unknown printer option {unknown[0]!r} in {text!r}; "
            f"{scheme}:// accepts {', '.join(allowed)}"
        )

    width = _int_param(params, "width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
    if width % 8:
        raise PrinterConfigError(
            f"printer width={width} is not a multiple of 8 dots (use 384, 512 or 576)"
        )
    # python-escpos File (and Win32Raw) has no way to read an answer back, so DLE EOT cannot work
    # there (trap 5).
    write_only = isinstance(target, FileTarget | WinTarget)
    default_status: StatusMode = "none" if write_only else "dleeot"
    status = _choice_param(params, "status", STATUS_MODES, default_status)
    if status == "dleeot" and write_only:
        raise PrinterConfigError(
            f"status=dleeot is not possible with {scheme}://: it cannot be read back; "
            "use status=none or a tcp://, usb:// or serial:// connection"
        )
    return PrinterConfig(
        target=target,
        width=width,
        impl=_choice_param(params, "impl", IMAGE_IMPLS, "bitImageRaster"),
        cut=_choice_param(params, "cut", CUT_MODES, "full"),
        status=status,
        timeout=_seconds_param(params, "timeout", DEFAULT_TIMEOUT),
        status_timeout=_seconds_param(params, "status_timeout", DEFAULT_STATUS_TIMEOUT),
    )


def _query_params(query: str, text: str) -> dict[str, str]:
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise PrinterConfigError(f"printer options {query!r} in {text!r}: {exc}") from exc
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise PrinterConfigError(f"printer option {key!r} is given twice in {text!r}")
        params[key] = value
    return params


def _tcp_target(netloc: str, path: str, text: str) -> TcpTarget:
    if path not in ("", "/"):
        raise PrinterConfigError(f"tcp:// printer {text!r} must not have a path ({path!r})")
    if "@" in netloc:
        raise PrinterConfigError(f"tcp:// printer {text!r} must not contain a user name")
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(.*))?|([^:\[\]]+)(?::(.*))?", netloc)
    if not match:
        raise PrinterConfigError(f"tcp:// printer address {netloc!r} in {text!r} is not host:port")
    host = match.group(1) or match.group(3) or ""
    if not match.group(1) and not _HOST_NAME.fullmatch(host):
        raise PrinterConfigError(f"tcp:// printer host {host!r} in {text!r} is not a host name")
    port_text = match.group(2) if match.group(1) else match.group(4)
    if port_text is None:
        return TcpTarget(host.lower())
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise PrinterConfigError(
            f"tcp:// printer port {port_text!r} in {text!r} is not a number from 1 to 65535"
        )
    return TcpTarget(host.lower(), int(port_text))


def _usb_target(netloc: str, path: str, params: dict[str, str], text: str) -> UsbTarget:
    match = _USB_ID.match(netloc)
    if not match or path not in ("", "/"):
        raise PrinterConfigError(
            f"usb:// printer {text!r} needs vendor:product as 4 hex digits each, "
            "e.g. usb://04b8:0202"
        )
    return UsbTarget(
        vendor_id=int(match.group(1), 16),
        product_id=int(match.group(2), 16),
        in_ep=_endpoint_param(params, "in_ep", DEFAULT_USB_IN_EP),
        out_ep=_endpoint_param(params, "out_ep", DEFAULT_USB_OUT_EP),
    )


def _device_path(netloc: str, path: str, scheme: str, text: str) -> str:
    if netloc:
        raise PrinterConfigError(
            f"{scheme}:// printer {text!r} needs an absolute path with three slashes, "
            f"e.g. {scheme}:///dev/..., not host {netloc!r}"
        )
    device = unquote(path)
    if not device.startswith("/") or device == "/":
        raise PrinterConfigError(f"{scheme}:// printer {text!r} has no device path")
    return device


def _int_param(params: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise PrinterConfigError(
            f"printer option {key}={value!r} is not a whole number from {low} to {high}"
        )
    return int(value)


def _endpoint_param(params: dict[str, str], key: str, default: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    try:
        number = int(value, 0)
    except ValueError:
        number = -1
    if not 0 <= number <= 0xFF:
        raise PrinterConfigError(
            f"printer option {key}={value!r} is not a USB endpoint number such as 0x82"
        )
    return number


def _seconds_param(params: dict[str, str], key: str, default: float) -> float:
    value = params.get(key)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
        raise PrinterConfigError(
            f"printer option {key}={value!r} is not a number of seconds above 0 "
            f"and at most {MAX_TIMEOUT:g}"
        )
    return seconds


def _choice_param(
    params: dict[str, str], key: str, choices: tuple[_Choice, ...], default: _Choice
) -> _Choice:
    value = params.get(key)
    if value is None:
        return default
    if value not in choices:
        raise PrinterConfigError(
            f"printer option {key}={value!r} is not one of {', '.join(choices)}"
        )
    return cast(_Choice, value)


def _format_seconds(seconds: float) -> str:
    return repr(seconds) if seconds != int(seconds) else str(int(seconds))


# ------------------------------------------------------------------ where printing may go
#
# A printer setting is typed by an office admin, but the server opens it: unconfined, a file://
# URL overwrites any file the server can write, serial:// opens any device and tcp:// reaches any
# host and port (a port scanner). So every target is checked against what the server operator
# allows (SADUAK_PRINTER_ALLOW) right before it is saved and right before it is opened.

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

# The raw ("JetDirect") ports network receipt printers listen on.
PRINTER_PORTS = (9100, 9109)
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
DEFAULT_PRINTER_ALLOW = "private"
# Printer device nodes: USB printer class (usblp) and parallel ports.
_PRINTER_DEVICE = re.compile(r"/dev/(usb/)?lp[0-9]{1,3}")
# Serial ttys: on-board, USB adapters, CDC-ACM, ARM boards, Bluetooth, and udev's stable names.
_SERIAL_DEVICE = re.compile(
    r"/dev/(tty(S|USB|ACM|AMA)[0-9]{1,3}|rfcomm[0-9]{1,3}"
    r"|serial/by-(id|path)/[A-Za-z0-9][A-Za-z0-9._:+-]*)"
)
_SPECIAL_CHECKS = ("is_loopback", "is_link_local", "is_unspecified", "is_multicast")


@dataclass(frozen=True)
class TcpRule:
    network: Network
    low: int
    high: int

    def allows(self, address: Address, port: int) -> bool:
        if address.version != self.network.version or address not in self.network:
            return False
        if not self.low <= port <= self.high:
            return False
        # Loopback, link-local (169.254.169.254 is the cloud metadata service), unspecified and
        # multicast addresses pass only a rule that names such a range itself: "0.0.0.0/0"
        # opens the LAN, never the server's own ports.
        special = [c for c in _SPECIAL_CHECKS if getattr(address, c)]
        return not special or all(
            getattr(self.network.network_address, c) and getattr(self.network.broadcast_address, c)
            for c in special
        )


@dataclass(frozen=True)
class TargetPolicy:
    """Where printer connections may go, as the server operator set it.

    `SADUAK_PRINTER_ALLOW` is a comma-separated list of `private` (the private LAN ranges on
    ports 9100-9109, the default) and `NETWORK[:PORTS]` entries such as `192.0.2.0/24`,
    `10.1.2.3:9100`, `127.0.0.1:*` or `[fd00::/8]:9100-9102`; a bare network means ports
    9100-9109, `*` any port. `none` allows no network printer.
    """

    tcp: tuple[TcpRule, ...]

    @classmethod
    def parse(cls, text: str) -> "TargetPolicy":
        rules: list[TcpRule] = []
        entries = [e.strip() for e in text.split(",") if e.strip()] or [DEFAULT_PRINTER_ALLOW]
        for entry in entries:
            if entry.lower() == "none":
                continue
            if entry.lower() == "private":
                rules += [
                    TcpRule(ipaddress.ip_network(n), *PRINTER_PORTS) for n in PRIVATE_NETWORKS
                ]
                continue
            rules.append(_tcp_rule(entry))
        return cls(tuple(rules))

    def allows(self, address: Address, port: int) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(rule.allows(address, port) for rule in self.tcp)


def _tcp_rule(entry: str) -> TcpRule:
    match = re.fullmatch(r"\[([0-9A-Fa-f:./]+)\](?::(.+))?|([0-9.]+(?:/[0-9]+)?)(?::(.+))?", entry)
    if not match:
        raise ValueError(
            f"printer allow-list entry {entry!r} is not NETWORK[:PORTS], e.g. 192.168.1.0/24:9100"
        )
    network_text = match.group(1) or match.group(3)
    ports = match.group(2) if match.group(1) else match.group(4)
    try:
        network = ipaddress.ip_network(network_text, strict=False)
    except ValueError as exc:
        raise ValueError(f"printer allow-list entry {entry!r}: {exc}") from None
    if ports is None:
        return TcpRule(network, *PRINTER_PORTS)
    if ports == "*":
        return TcpRule(network, 1, 65535)
    low, _, high = ports.partition("-")
    high = high or low
    if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 65535):
        raise ValueError(f"printer allow-list entry {entry!r}: ports {ports!r} are not N or N-M")
    return TcpRule(network, int(low), int(high))


def resolve_host(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def confine(
    config: PrinterConfig, policy: TargetPolicy, resolve: Resolver = resolve_host
) -> PrinterConfig:
    """The setting if the operator allows its target, else PrinterTargetRefused.

    A host name is resolved here and every address it has must be allowed; the result is pinned
    to the first one, so a name that resolves differently by the time the printer is opened
    cannot lead elsewhere. Targets of other kinds than those below pass unchanged.
    """
    target = config.target
    if isinstance(target, TcpTarget):
        try:
            literal: Address | None = ipaddress.ip_address(target.host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [target.host]
        else:
            try:
                addresses = list(resolve(target.host, target.port))
            except OSError:
                raise PrinterTargetRefused(
                    f"printer host name {target.host!r} does not resolve; "
                    "use the printer's IP address"
                ) from None
        refused = [a for a in addresses or [""] if not _allowed_address(policy, a, target.port)]
        if refused:
            shown = target.host if literal is not None else f"{target.host} ({refused[0]})"
            raise PrinterTargetRefused(
                f"network printer {shown} port {target.port} is not on the server's "
                "printer allow-list (private LAN addresses, ports 9100-9109, unless the "
                "server operator lists more in SADUAK_PRINTER_ALLOW)"
            )
        return replace(config, target=TcpTarget(addresses[0], target.port))
    if isinstance(target, FileTarget) and not _PRINTER_DEVICE.fullmatch(target.path):
        raise PrinterTargetRefused(
            f"file:// printers must be a printer device such as /dev/usb/lp0, not {target.path!r}"
        )
    if isinstance(target, SerialTarget) and not _SERIAL_DEVICE.fullmatch(target.device):
        raise PrinterTargetRefused(
            "serial:// printers must be a serial port such as /dev/ttyUSB0 or /dev/ttyS0, "
            f"not {target.device!r}"
        )
    return config


def _allowed_address(policy: TargetPolicy, address: str, port: int) -> bool:
    try:
        return policy.allows(ipaddress.ip_address(address.split("%", 1)[0]), port)
    except ValueError:
        return False
