"""Rendering tickets and test pages as 1-bit images with correct Thai layout."""

import dataclasses

import fontpkg_sarabun
import pytest
from PIL import Image, ImageChops, ImageFont, features

from printer.config import PrinterConfig
from printer.escpos_io import compose_job
from printer.render import (
    RenderingUnavailable,
    balanced_wrap,
    check_raqm,
    render_slip,
    render_test_page,
    wrap_text,
)
from printer.slip import Slip
from tests.printer.parser import parse

WIDTHS = [384, 512, 576]
SARABUN = fontpkg_sarabun.ROOT / "files" / "Sarabun-Medium.ttf"
LONG_THAI = "ขอเปลี่ยนชื่อตัวชื่อสกุลและแก้ไขรายการในทะเบียนบ้านกรณีผู้เยาว์ที่บิดามารดาหย่าร้าง"


def _sarabun(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(SARABUN), size, layout_engine=ImageFont.Layout.RAQM)


def _same(first: Image.Image, second: Image.Image) -> bool:
    return first.size == second.size and first.tobytes() == second.tobytes()


class TestTicketImage:
    @pytest.mark.parametrize("width", WIDTHS)
    def test_the_ticket_is_one_bit_and_exactly_the_paper_width(
        self, slip: Slip, width: int
    ) -> None:
        image = render_slip(slip, width)
        assert image.mode == "1"
        assert image.width == width
        assert width < image.height < 4 * width
        histogram = image.convert("L").histogram()
        assert histogram[0] and histogram[255]
        assert sum(histogram) == histogram[0] + histogram[255]

    @pytest.mark.parametrize("width", WIDTHS)
    def test_nothing_is_drawn_on_the_side_margins(self, slip: Slip, width: int) -> None:
        image = render_slip(slip, width)
        edge = max(8, round(width * 0.04)) - 2
        for strip in (
            image.crop((0, 0, edge, image.height)),
            image.crop((width - edge, 0, width, image.height)),
        ):
            assert strip.convert("L").getextrema() == (255, 255)

    @pytest.mark.parametrize("width", [100, 4096])
    def test_an_impossible_width_is_refused(self, slip: Slip, width: int) -> None:
        with pytest.raises(ValueError, match=str(width)):
            render_slip(slip, width)

    def test_rendering_is_deterministic(self, slip: Slip) -> None:
        assert _same(render_slip(slip, 512), render_slip(slip, 512))

    def test_the_number_changes_the_ticket(self, slip: Slip) -> None:
        other = dataclasses.replace(slip, number="B016")
        assert not _same(render_slip(slip, 512), render_slip(other, 512))

    def test_a_priority_ticket_carries_a_black_box(self, slip: Slip) -> None:
        plain = render_slip(dataclasses.replace(slip, priority_label=None), 512)
        marked = render_slip(slip, 512)
        assert marked.height > plain.height
        # The badge is a long black run across the middle of some row.
        assert any(
            marked.crop((200, y, 312, y + 1)).convert("L").getextrema() == (0, 0)
            for y in range(marked.height)
        )

    def test_without_an_estimate_the_estimate_lines_are_left_out(self, slip: Slip) -> None:
        full = render_slip(slip, 512)
        shorter = render_slip(dataclasses.replace(slip, wait_th="", wait_en=""), 512)
        assert shorter.height < full.height

    def test_a_long_service_name_wraps_onto_more_lines(self, slip: Slip) -> None:
        short = render_slip(dataclasses.replace(slip, service_name_th="ทะเบียนราษฎร"), 384)
        long = render_slip(dataclasses.replace(slip, service_name_th=LONG_THAI), 384)
        assert long.width == short.width == 384
        assert long.height > short.height


class TestThaiShaping:
    def test_this_machine_has_raqm_layout(self) -> None:
        check_raqm()

    def test_raqm_stacks_a_tone_mark_above_an_upper_vowel(self) -> None:
        # Without RAQM, Pillow draws ้ at the height of ี and they collide.
        basic = ImageFont.truetype(str(SARABUN), 100, layout_engine=ImageFont.Layout.BASIC)
        raqm_top = _sarabun(100).getbbox("นี้", anchor="ma")[1]
        basic_top = basic.getbbox("นี้", anchor="ma")[1]
        assert raqm_top < basic_top - 10

    def test_tone_marks_reach_the_ticket(self, slip: Slip) -> None:
        with_mark = render_slip(dataclasses.replace(slip, footer_th="ปี่"), 512)
        without = render_slip(dataclasses.replace(slip, footer_th="ปี"), 512)
        assert with_mark.size == without.size
        difference = ImageChops.difference(with_mark.convert("L"), without.convert("L")).getbbox()
        assert difference is not None
        # Only the tone mark differs: a small area, above the rest of the footer line.
        left, top, right, bottom = difference
        assert right - left < 30 and bottom - top < 30

    def test_missing_raqm_refuses_to_render_and_names_the_package(
        self, slip: Slip, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real_check = features.check
        monkeypatch.setattr(
            features, "check", lambda feature: False if feature == "raqm" else real_check(feature)
        )
        with pytest.raises(RenderingUnavailable, match="libfribidi0"):
            check_raqm()
        with pytest.raises(RenderingUnavailable):
            render_slip(slip, 512)
        with pytest.raises(RenderingUnavailable):
            render_test_page(512)


class TestWrapping:
    def test_every_line_fits_and_no_character_is_lost(self) -> None:
        font = _sarabun(28)
        lines = wrap_text(LONG_THAI, font, 300)
        assert len(lines) > 2
        assert all(font.getlength(line) <= 300 for line in lines)
        assert "".join(lines) == LONG_THAI

    def test_a_line_never_starts_with_a_mark_or_following_vowel(self) -> None:
        font = _sarabun(28)
        for width in range(120, 400, 7):
            lines = wrap_text(LONG_THAI + "น้ำใจ เกี่ยวข้อง", font, width)
            for line in lines:
                assert line[0] not in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
                assert line[0] not in "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
                assert line[0] not in "ะาำๅ"
                assert line[-1] not in "เแโใไ"

    def test_spaces_are_preferred_when_they_fill_the_line(self) -> None:
        font = _sarabun(28)
        text = "ขอมีบัตรประจำตัวประชาชน กรณีบัตรหมดอายุหรือชำรุด"
        assert wrap_text(text, font, 360) == ["ขอมีบัตรประจำตัวประชาชน", "กรณีบัตรหมดอายุหรือชำรุด"]

    def test_english_breaks_between_words(self) -> None:
        font = _sarabun(20)
        lines = wrap_text("Please wait for your number on the screen", font, 200)
        assert all(" " not in (line[0], line[-1]) for line in lines)
        assert " ".join(lines) == "Please wait for your number on the screen"

    def test_balanced_wrapping_leaves_no_lonely_last_word(self) -> None:
        font = _sarabun(20)
        text = "Please wait for your number on the screen"
        greedy = wrap_text(text, font, 330)
        balanced = balanced_wrap(text, font, 330)
        assert len(balanced) == len(greedy) == 2
        widths = [font.getlength(line) for line in balanced]
        assert max(widths) - min(widths) < font.getlength(greedy[0]) - font.getlength(greedy[1])

    def test_a_zero_width_space_marks_where_a_thai_word_may_break(self) -> None:
        font = _sarabun(28)
        text = "ขอเปลี่ยนชื่อตัว\u200bชื่อสกุลและแก้ไขรายการ"
        lines = wrap_text(text, font, font.getlength("ขอเปลี่ยนชื่อตัวชื่อ"))
        assert lines[0] == "ขอเปลี่ยนชื่อตัว"
        assert all("\u200b" not in line for line in lines)
        assert "".join(lines) == text.replace("\u200b", "")

    def test_a_leading_vowel_goes_to_the_next_line_with_its_consonant(self) -> None:
        font = _sarabun(28)
        text = "ชื่อสกุลและแก้ไขรายการ"
        lines = wrap_text(text, font, font.getlength("ชื่อสกุลและ") + 20)
        assert lines[0] == "ชื่อสกุลและ"
        assert lines[1].startswith("แก้")

    def test_empty_text_takes_no_lines(self) -> None:
        assert wrap_text("", _sarabun(20), 300) == []
        assert wrap_text("  ", _sarabun(20), 300) == []

    def test_short_text_stays_on_one_line(self) -> None:
        assert wrap_text("รอ 3 คิว", _sarabun(28), 300) == ["รอ 3 คิว"]


# Word boundaries written by hand, independent of the dictionary the printer uses: a line of the
# slip may end only at one of these (or at a space).
ID_CARD_NAME = "ขอเปลี่ยนบัตรประจำตัวประชาชน กรณีเปลี่ยนที่อยู่"
ID_CARD_WORDS = ["ขอ", "เปลี่ยน", "บัตร", "ประจำตัว", "ประชาชน", " ", "กรณี", "เปลี่ยน", "ที่อยู่"]
FOOTER = "กรุณารอฟังเสียงเรียกและดูหมายเลขที่จอแสดงผล"
FOOTER_WORDS = ["กรุณา", "รอ", "ฟัง", "เสียง", "เรียก", "และ", "ดู", "หมายเลข", "ที่", "จอแสดงผล"]


def _cuts(words: list[str]) -> set[int]:
    ends, index = set(), 0
    for word in words:
        index += len(word)
        ends.add(index)
    return ends


def _line_cuts(text: str, lines: list[str]) -> set[int]:
    """Where in `text` each line but the last ended (spaces between lines skipped)."""
    cuts, index = set(), 0
    for line in lines[:-1]:
        index = text.index(line, index) + len(line)
        cuts.add(index)
    return cuts


class TestThaiWordBreaks:
    @pytest.mark.parametrize(
        ("text", "words"), [(ID_CARD_NAME, ID_CARD_WORDS), (FOOTER, FOOTER_WORDS)]
    )
    @pytest.mark.parametrize("wrap", [wrap_text, balanced_wrap])
    def test_thai_lines_end_only_between_words(self, text: str, words: list[str], wrap) -> None:
        assert "".join(words) == text
        font = _sarabun(28)
        longest = max(font.getlength(word) for word in words)
        for width in range(int(longest) + 1, int(font.getlength(text)), 9):
            lines = wrap(text, font, width)
            assert all(font.getlength(line) <= width for line in lines)
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
            assert _line_cuts(text, lines) <= _cuts(words), (width, lines)

    def test_the_id_card_stays_whole_on_every_slip_width(self) -> None:
        for size in (22, 28, 38):
            font = _sarabun(size)
            whole = font.getlength("บัตรประจำตัวประชาชน")
            for width in range(int(whole) + 1, int(font.getlength(ID_CARD_NAME)), 13):
                lines = balanced_wrap(ID_CARD_NAME, font, width)
                assert any("ประจำตัวประชาชน" in line for line in lines), (size, width, lines)

    def test_a_word_wider_than_the_line_still_breaks_without_losing_a_letter(self) -> None:
        font = _sarabun(28)
        width = font.getlength("บัตรประจำ")
        lines = wrap_text("บัตรประจำตัวประชาชน", font, width)
        assert len(lines) > 1 and "".join(lines) == "บัตรประจำตัวประชาชน"
        assert all(font.getlength(line) <= width for line in lines)

    def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(self) -> None:
        font = _sarabun(28)
        text = "ยื่นคำขออนุญาตอาวุธปืน (ป.3/ป.4) ขอมีบัตรฯ ของบุคคล"
        for width in range(int(font.getlength("อาวุธปืน (ป.3/")), int(font.getlength(text)), 6):
            for line in wrap_text(text, font, width):
                assert line[0] not in ")/ฯ" and line[-1] != "(", (width, line)

    @pytest.mark.parametrize("width", WIDTHS)
    def test_the_printed_slip_breaks_the_id_card_name_between_words(
        self, slip: Slip, width: int
    ) -> None:
        """From the bytes the printer receives, back to an image: the same dots as the slip laid
        out with the line breaks given by hand, "บัตรประจำตัวประชาชน" whole on its line."""
        named = dataclasses.replace(slip, service_name_th=ID_CARD_NAME)
        by_hand = dataclasses.replace(
            slip, service_name_th="ขอเปลี่ยน\nบัตรประจำตัวประชาชน\nกรณีเปลี่ยนที่อยู่"
        )
        config = PrinterConfig.parse(f"tcp://printer?width={width}")
        printed = parse(compose_job(config, render_slip(named, width))).stacked_image()
        assert printed is not None
        assert _same(printed, render_slip(by_hand, width))


class TestTestPage:
    @pytest.mark.parametrize("width", WIDTHS)
    def test_the_test_page_is_the_paper_width(self, width: int) -> None:
        page = render_test_page(width)
        assert page.mode == "1"
        assert page.width == width

    @pytest.mark.parametrize("width", WIDTHS)
    def test_the_first_and_last_dot_columns_are_marked(self, width: int) -> None:
        page = render_test_page(width)
        for x in (0, width - 1):
            column = page.crop((x, 0, x + 1, page.height)).convert("L")
            assert column.getextrema()[0] == 0

    def test_the_ruler_has_a_tick_every_8_dots(self) -> None:
        page = render_test_page(512).convert("L")
        # Find a row crossing only the short ticks: black exactly at multiples of 8.
        rows = [
            y
            for y in range(page.height)
            if all(page.getpixel((x, y)) == 0 for x in range(8, 505, 8))
            and page.getpixel((4, y)) == 255
        ]
        assert rows
