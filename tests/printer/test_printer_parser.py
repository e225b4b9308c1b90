"""The ESC/POS parser reads python-escpos output back into the very image that was rendered."""

import pytest
from escpos.printer import Dummy
from PIL import Image

from printer.config import IMAGE_IMPLS, PrinterConfig
from printer.escpos_io import compose_job
from printer.render import render_slip
from printer.slip import Slip
from tests.printer.parser import StreamParser, parse


def _assert_prints_as(printed: Image.Image | None, rendered: Image.Image) -> None:
    """Equal dot for dot; column mode may add blank rows to fill its last 24-dot band."""
    assert printed is not None
    assert printed.width == rendered.width
    assert 0 <= printed.height - rendered.height < 24
    top = printed.crop((0, 0, rendered.width, rendered.height))
    assert top.tobytes() == rendered.tobytes()
    rest = printed.crop((0, rendered.height, printed.width, printed.height))
    assert rest.height == 0 or rest.convert("L").getextrema() == (255, 255)


class TestReadingBackTheTicket:
    @pytest.mark.parametrize("width", [384, 512, 576])
    @pytest.mark.parametrize("impl", IMAGE_IMPLS)
    def test_the_job_holds_the_rendered_image_dot_for_dot(
        self, slip: Slip, width: int, impl: str
    ) -> None:
        rendered = render_slip(slip, width)
        config = PrinterConfig.parse(f"tcp://printer?width={width}&impl={impl}")
        parsed = parse(compose_job(config, rendered))
        _assert_prints_as(parsed.stacked_image(), rendered)
        assert {raster.impl for raster in parsed.images} == {impl}
        assert parsed.unknown == []
        assert not parsed.truncated

    def test_a_plain_dummy_printer_image_reads_back(self, slip: Slip) -> None:
        rendered = render_slip(slip, 512)
        dummy = Dummy()
        dummy.image(rendered)
        parsed = parse(dummy.output)
        _assert_prints_as(parsed.stacked_image(), rendered)
        # python-escpos sends tall images in bands of 960 dots.
        assert [raster.image.height for raster in parsed.images] == [960, rendered.height - 960]

    def test_the_job_starts_with_initialise_and_ends_with_the_cut(self, slip: Slip) -> None:
        config = PrinterConfig.parse("tcp://printer?cut=part")
        parsed = parse(compose_job(config, render_slip(slip, 512)))
        assert parsed.commands[0].name == "ESC @"
        assert parsed.commands[-1].name == "GS V"
        assert [cut.mode for cut in parsed.cuts] == ["part"]

    def test_no_cutter_means_no_cut_but_a_feed(self, slip: Slip) -> None:
        config = PrinterConfig.parse("tcp://printer?cut=none&width=384")
        parsed = parse(compose_job(config, render_slip(slip, 384)))
        assert parsed.cuts == []
        assert parsed.commands[-1].name == "ESC d"

    def test_an_image_wider_than_the_paper_is_refused(self, slip: Slip) -> None:
        config = PrinterConfig.parse("tcp://printer?width=384")
        with pytest.raises(ValueError, match="576"):
            compose_job(config, render_slip(slip, 576))


class TestOtherCommands:
    def test_text_and_settings_from_python_escpos_are_known(self) -> None:
        dummy = Dummy()
        dummy.hw("INIT")
        dummy.set(align="center", bold=True)
        dummy.textln("Saduak 123")
        dummy.qr("https://q.example.go.th/s/1", native=True)
        dummy.barcode("4006381333931", "EAN13")
        dummy.cut()
        parsed = parse(dummy.output)
        assert parsed.unknown == []
        assert b"Saduak 123" in parsed.text
        assert [cut.mode for cut in parsed.cuts] == ["full"]
        names = {command.name for command in parsed.commands}
        assert {"ESC @", "ESC a", "GS ( k", "GS k", "GS V"} <= names

    def test_status_queries_are_listed(self) -> None:
        assert parse(b"\x10\x04\x01\x10\x04\x04").status_queries == [1, 4]

    def test_status_bytes_inside_image_data_are_not_queries(self) -> None:
        header = b"\x1dv0\x00\x01\x00\x03\x00"
        parsed = parse(header + b"\x10\x04\x01" + b"\x10\x04\x02")
        assert parsed.status_queries == [2]
        assert len(parsed.images) == 1

    def test_unknown_bytes_are_flagged_with_their_offset(self) -> None:
        parsed = parse(b"\x1b@\x1b\xff\x01")
        assert parsed.unknown == [(2, b"\x1b\xff"), (4, b"\x01")]

    def test_a_job_cut_off_half_way_is_truncated(self, slip: Slip) -> None:
        job = compose_job(PrinterConfig.parse("tcp://printer"), render_slip(slip, 512))
        parsed = parse(job[: len(job) // 2])
        assert parsed.truncated
        assert parsed.cuts == []


class TestIncrementalParsing:
    def test_feeding_in_small_pieces_gives_the_same_result(self, slip: Slip) -> None:
        job = b"\x10\x04\x01" + compose_job(
            PrinterConfig.parse("tcp://printer"), render_slip(slip, 384)
        )
        parser = StreamParser()
        names = []
        for start in range(0, len(job), 1000):
            names += [command.name for command in parser.feed(job[start : start + 1000])]
        parser.finish()
        whole = parse(job)
        assert names == [command.name for command in whole.commands]
        pieces, at_once = parser.result.stacked_image(), whole.stacked_image()
        assert pieces is not None and at_once is not None
        assert pieces.tobytes() == at_once.tobytes()
        assert not parser.result.truncated

    def test_an_incomplete_command_waits_for_more_bytes(self) -> None:
        parser = StreamParser()
        assert parser.feed(b"\x10\x04") == []
        assert [command.name for command in parser.feed(b"\x01")] == ["DLE EOT"]
