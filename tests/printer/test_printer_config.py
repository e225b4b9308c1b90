"""The printer setting string: parsing, defaults, errors and the canonical form."""

import pytest

from printer.config import (
    AgentTarget,
    FileTarget,
    PrinterConfig,
    PrinterConfigError,
    SerialTarget,
    TcpTarget,
    UsbTarget,
    WinTarget,
)


class TestParsingValidSettings:
    def test_a_full_network_setting_keeps_every_option(self) -> None:
        config = PrinterConfig.parse(
            "tcp://192.168.1.50:9100?width=576&impl=graphics&cut=part&status=dleeot"
            "&timeout=2&status_timeout=1.5"
        )
        assert config == PrinterConfig(
            target=TcpTarget("192.168.1.50", 9100),
            width=576,
            impl="graphics",
            cut="part",
            status="dleeot",
            timeout=2.0,
            status_timeout=1.5,
        )

    def test_a_bare_network_printer_gets_the_safe_defaults(self) -> None:
        config = PrinterConfig.parse("tcp://printer.local")
        assert config.target == TcpTarget("printer.local", 9100)
        assert (config.width, config.impl, config.cut, config.status) == (
            512,
            "bitImageRaster",
            "full",
            "dleeot",
        )
        assert config.status_timeout <= 2 and config.timeout <= 5

    def test_usb_ids_are_hexadecimal_and_endpoints_optional(self) -> None:
        config = PrinterConfig.parse("usb://04b8:0202?in_ep=0x81")
        assert config.target == UsbTarget(0x04B8, 0x0202, in_ep=0x81, out_ep=0x01)
        assert config.status == "dleeot"

    def test_serial_takes_a_device_path_and_baud_rate(self) -> None:
        config = PrinterConfig.parse("serial:///dev/ttyUSB0?baudrate=19200")
        assert config.target == SerialTarget("/dev/ttyUSB0", 19200)
        assert config.status == "dleeot"

    def test_a_device_file_cannot_be_asked_for_status(self) -> None:
        config = PrinterConfig.parse("file:///dev/usb/lp0")
        assert config.target == FileTarget("/dev/usb/lp0")
        assert config.status == "none"

    @pytest.mark.parametrize("text", ["none", " NONE ", "None"])
    def test_none_means_no_printer(self, text: str) -> None:
        config = PrinterConfig.parse(text)
        assert config.target is None
        assert not config.enabled

    def test_an_ipv6_address_is_bracketed(self) -> None:
        assert PrinterConfig.parse("tcp://[fe80::1]:9101").target == TcpTarget("fe80::1", 9101)


class TestCanonicalForm:
    @pytest.mark.parametrize(
        "text",
        [
            "tcp://192.168.1.50:9100?width=512&impl=bitImageRaster&cut=full&status=dleeot"
            "&timeout=2&status_timeout=1.5",
            "tcp://printer.local",
            "tcp://[fe80::1]",
            "usb://04b8:0202?width=384&cut=none&out_ep=0x03",
            "serial:///dev/ttyUSB0?baudrate=19200&status_timeout=0.25",
            "file:///dev/usb/lp0?impl=bitImageColumn",
            "none",
        ],
    )
    def test_str_parses_back_to_the_same_config(self, text: str) -> None:
        config = PrinterConfig.parse(text)
        assert PrinterConfig.parse(str(config)) == config

    def test_str_spells_out_every_option(self) -> None:
        assert str(PrinterConfig.parse("tcp://10.0.0.7")) == (
            "tcp://10.0.0.7:9100?width=512&impl=bitImageRaster&cut=full&status=dleeot"
            "&timeout=5&status_timeout=1.5"
        )


class TestInvalidSettings:
    @pytest.mark.parametrize(
        ("text", "named"),
        [
            ("", "no scheme"),
            ("/dev/usb/lp0", "no scheme"),
            ("http://printer", "'http'"),
            ("tcp://", "not host:port"),
            ("tcp://printer:99999", "'99999'"),
            ("tcp://printer:abc", "'abc'"),
            ("tcp://printer/queue", "'/queue'"),
            ("tcp://bad host", "'bad host'"),
            ("tcp://printer?width=500", "width=500"),
            ("tcp://printer?width=wide", "width='wide'"),
            ("tcp://printer?width=128", "width='128'"),
            ("tcp://printer?impl=escpos", "impl='escpos'"),
            ("tcp://printer?cut=half", "cut='half'"),
            ("tcp://printer?status=asb", "status='asb'"),
            ("tcp://printer?timeout=0", "timeout='0'"),
            ("tcp://printer?status_timeout=-1", "status_timeout='-1'"),
            ("tcp://printer?timeout=nan", "timeout='nan'"),
            ("tcp://printer?colour=red", "'colour'"),
            ("tcp://printer?width=512&width=384", "'width' is given twice"),
            ("tcp://printer?baudrate=9600", "'baudrate'"),
            ("usb://4b8:202", "vendor:product"),
            ("usb://04b8:0202?in_ep=zz", "in_ep='zz'"),
            ("serial://dev/ttyUSB0", "three slashes"),
            ("file://", "no device path"),
            ("file:///dev/usb/lp0?status=dleeot", "status=dleeot"),
            ("agent://?width=512", "kiosk-agent --printer"),
            ("agent://host", "kiosk-agent --printer"),
            ("win://", "queue name"),
            ("win://POS-80?status=dleeot", "status=dleeot"),
        ],
    )
    def test_the_error_names_the_bad_part(self, text: str, named: str) -> None:
        with pytest.raises(PrinterConfigError) as error:
            PrinterConfig.parse(text)
        assert named in str(error.value)

    def test_the_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError):
            PrinterConfig.parse("lp0")


class TestPrintersBehindAnAgent:
    def test_agent_means_the_kiosks_own_agent_prints(self) -> None:
        config = PrinterConfig.parse("agent://")
        assert config.target == AgentTarget() and config.enabled
        assert str(config) == "agent://"

    def test_a_windows_queue_is_written_raw_and_cannot_answer_status(self) -> None:
        config = PrinterConfig.parse("win://POS-80%20Printer?width=576")
        assert config.target == WinTarget("POS-80 Printer")
        assert config.status == "none" and config.width == 576
        assert PrinterConfig.parse(str(config)) == config

    def test_the_server_never_opens_an_agent_printer(self) -> None:
        from printer.escpos_io import query_status

        status = query_status(PrinterConfig.parse("agent://"))
        assert status.state == "none" and "agent" in status.detail
