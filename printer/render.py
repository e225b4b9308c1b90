"""Draw a queue slip, and a printer test page, as one 1-bit image as wide as the paper."""

import functools
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import fontpkg_sarabun
import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont, features

from printer import texts, thaiwords
from printer.config import MAX_WIDTH, MIN_WIDTH
from printer.slip import Slip

# Grey levels below this become black dots. A hard threshold, not dithering: dithered text edges
# print fuzzy on thermal paper.
THRESHOLD = 160
_TO_1BIT = [0 if level < THRESHOLD else 255 for level in range(256)]

Weight = Literal["Medium", "SemiBold", "Bold", "ExtraBold"]

# Thai script's line-breaking classes live with the word boundaries (printer.thaiwords).
_LINE_PROBE = thaiwords.LINE_PROBE
_THAI_BLOCK = thaiwords.THAI_BLOCK
ZERO_WIDTH_SPACE = "\u200b"
_SPACES = frozenset((" ", ZERO_WIDTH_SPACE))
_NO_BREAK_BEFORE = thaiwords.NO_BREAK_BEFORE
_NO_BREAK_AFTER = thaiwords.NO_BREAK_AFTER
_SYLLABLE_END = thaiwords.SYLLABLE_END
_NO_BREAK_AFTER_MARK = thaiwords.NO_BREAK_AFTER_MARK
_NO_BREAK_BEFORE_MARK = thaiwords.NO_BREAK_BEFORE_MARK
# Break kinds in order of preference, each taken only if it leaves the line this full: a space,
# then any boundary between dictionary words, then between the parts of a compound word; inside
# a word only when one word is wider than the line.
_BREAK_PREFERENCE = (
    ("space", 0.4),
    ("word", 0.0),
    ("part1", 0.0),
    ("part2", 0.0),
    ("part3", 0.0),
    ("syllable", 0.7),
)


class RenderingUnavailable(RuntimeError):
    """The machine cannot lay out Thai correctly; the message says what to install."""


def check_raqm() -> None:
    # Without libfribidi, Pillow's wheels fall back to BASIC layout with a single warning, and
    # Thai tone marks print on top of vowels: refuse rather than print wrong tickets.
    if not features.check("raqm"):
        raise RenderingUnavailable(
            "Pillow has no RAQM text layout, so Thai marks would collide. Install the Debian "
            "package libfribidi0 (apt-get install libfribidi0); a Pillow built without its own "
            "libraqm also needs libraqm0."
        )


@functools.cache
def _font_file(weight: Weight) -> Path:
    path = Path(fontpkg_sarabun.ROOT) / "files" / f"Sarabun-{weight}.ttf"
    if not path.is_file():
        raise RenderingUnavailable(f"font file {path} is missing; reinstall fontpkg-sarabun")
    return path


@functools.lru_cache(maxsize=128)
def _font(weight: Weight, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_file(weight)), size, layout_engine=ImageFont.Layout.RAQM)


@functools.lru_cache(maxsize=128)
def _line_box(weight: Weight, size: int) -> tuple[int, int]:
    """Top and bottom of any line of this font, relative to the ascender line (anchor "ma")."""
    _, top, _, bottom = _font(weight, size).getbbox(_LINE_PROBE, anchor="ma")
    return int(top), int(bottom)


def render_slip(slip: Slip, width_px: int) -> Image.Image:
    """The whole ticket as a mode "1" image `width_px` wide, ready for `GS v 0`."""
    check_raqm()
    sheet = _Sheet(width_px)
    s = sheet.scale
    sheet.gap(round(12 * s))
    sheet.text(slip.office_name_th, "Bold", 28)
    sheet.text(slip.office_name_en, "Medium", 20)
    sheet.gap(round(10 * s))
    sheet.rule()
    sheet.gap(round(12 * s))
    sheet.text(slip.service_name_th, "Bold", 34)
    sheet.text(slip.service_name_en, "Medium", 22)
    sheet.gap(round(18 * s))
    sheet.text(texts.YOUR_NUMBER, "Medium", 22)
    sheet.gap(round(6 * s))
    sheet.headline(slip.number, "ExtraBold", 210)
    sheet.gap(round(18 * s))
    if slip.priority_label:
        sheet.badge(slip.priority_label, "Bold", 26)
        sheet.gap(round(16 * s))
    if slip.booked_label:
        sheet.badge(slip.booked_label, "Bold", 26)
        sheet.gap(round(16 * s))
    if slip.wait_th:
        sheet.text(slip.wait_th, "Bold", 30)
    if slip.wait_en:
        sheet.text(slip.wait_en, "Medium", 24)
    sheet.gap(round(12 * s))
    sheet.rule()
    sheet.gap(round(12 * s))
    sheet.text(slip.issued_text, "SemiBold", 24)
    sheet.gap(round(6 * s))
    sheet.qr(slip.status_url, round(0.45 * width_px))
    sheet.text(texts.SCAN_FOR_STATUS, "Medium", 20)
    sheet.gap(round(12 * s))
    sheet.rule(dashed=True)
    sheet.gap(round(10 * s))
    sheet.text(slip.footer_th, "SemiBold", 22)
    sheet.text(slip.footer_en, "Medium", 20)
    sheet.gap(round(8 * s))
    return sheet.finish()


def render_test_page(width_px: int) -> Image.Image:
    """A page to set `width_px` by eye: ruler ticks every 8 and 64 dots, edges, Thai text."""
    check_raqm()
    sheet = _Sheet(width_px)
    sheet.gap(8)
    sheet.text(texts.TEST_PAGE_TITLE, "Bold", 28)
    sheet.text(texts.width_caption(width_px), "Bold", 28)
    sheet.gap(8)
    sheet.ruler()
    sheet.gap(12)
    for size in (20, 28, 40):
        sheet.text(texts.THAI_SAMPLE, "Medium", size, min_size=size)
        sheet.gap(6)
    sheet.text(texts.LATIN_SAMPLE, "Medium", 22)
    sheet.gap(8)
    sheet.solid_bar(16)
    sheet.gap(8)
    sheet.ruler()
    sheet.gap(8)
    return sheet.finish(frame=True)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break `text` into lines no wider than `max_width`, Thai-aware.

    Thai writes no spaces between words: inside a Thai run a line breaks between dictionary
    words (printer.thaiwords), and between syllables or character clusters only when one word is
    wider than the line; a cluster keeps its base letter with its marks and syllable vowels.
    Spaces, and zero-width spaces (U+200B, the usual Thai word-break hint an office can put in a
    service name), are preferred when they leave the line reasonably full.
    """
    return _wrap(text, font, max_width)[0]


# How bad a break is: between words, between the parts of a compound word (outermost first),
# inside a word at a syllable, at any cluster, anywhere.
_BREAK_RANK = {
    "space": 0,
    "word": 0,
    "part1": 1,
    "part2": 2,
    "part3": 3,
    "syllable": 4,
    "cluster": 5,
    "forced": 6,
}


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> tuple[list[str], int]:
    """The lines, and the rank of the worst break taken (0 when every break is between words)."""
    lines: list[str] = []
    worst = 0
    for paragraph in text.split("\n"):
        rest = paragraph.strip()
        # Word boundaries of the whole paragraph, shifted as its lines are taken off the front.
        bounds = thaiwords.word_boundaries(rest)
        taken = 0
        while rest:
            if _width(font, rest) <= max_width:
                lines.append(_visible(rest))
                break
            words = {i - taken: "word" for i in bounds.words if i > taken}
            words.update({i - taken: f"part{n}" for i, n in bounds.inner.items() if i > taken})
            cut, kind = _best_break(rest, font, max_width, words)
            worst = max(worst, _BREAK_RANK[kind])
            lines.append(_visible(rest[:cut]).rstrip())
            stripped = rest[cut:].lstrip()
            taken += len(rest) - len(stripped)
            rest = stripped
    return [line for line in lines if line], worst


def _visible(text: str) -> str:
    return text.replace(ZERO_WIDTH_SPACE, "")


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(_visible(text).rstrip())


def balanced_wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Wrap into as few lines as `wrap_text`, but as even as possible: no lone last word, and
    never by breaking inside a word where the full width did not."""
    lines, worst = _wrap(text, font, max_width)
    if len(lines) < 2:
        return lines
    low, high = 0.0, float(max_width)
    while high - low > 2:
        middle = (low + high) / 2
        narrower, rank = _wrap(text, font, middle)
        if len(narrower) <= len(lines) and rank <= worst:
            high = middle
        else:
            low = middle
    return wrap_text(text, font, high)


def _best_break(
    text: str, font: ImageFont.FreeTypeFont, max_width: float, words: Mapping[int, str]
) -> tuple[int, str]:
    """Where to end the line, and the kind of that break."""
    best: dict[str, int] = {}
    overflow = len(text)
    for index, kind in _break_points(text, words):
        if _width(font, text[:index]) > max_width:
            overflow = index  # used only when even the first cluster is too wide
            break
        best[kind] = index
    for kind, fill in _BREAK_PREFERENCE:
        if kind in best and _width(font, text[: best[kind]]) >= max_width * fill:
            return best[kind], kind
    # Otherwise the fullest line, breaking inside a Latin word only when nothing else fits.
    natural = [(best[kind], kind) for kind in ("space", "syllable", "cluster") if kind in best]
    return max(natural, default=(best.get("forced", overflow), "forced"))


def _break_points(text: str, words: Mapping[int, str] | None = None) -> list[tuple[int, str]]:
    """Where a line may end, ascending, as (index, kind); kind ranks how good the break is.
    `words`: the indexes where a dictionary word ("word") or a part of a compound word
    ("part1", outermost, to "part3") ends inside `text`."""
    words = words or {}
    points: list[tuple[int, str]] = []
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        thai = ord(before) in _THAI_BLOCK or ord(after) in _THAI_BLOCK
        if after in _SPACES:
            continue  # break after the space run, never before it
        if before in _SPACES:
            points.append((index, "space"))
        elif _joins_previous(after) or before in _NO_BREAK_AFTER:
            continue
        elif (
            thai
            and index in words
            and before not in _NO_BREAK_AFTER_MARK
            and after not in _NO_BREAK_BEFORE_MARK
        ):
            points.append((index, words[index]))
        elif after in _NO_BREAK_AFTER or before in _SYLLABLE_END:
            points.append((index, "syllable"))
        elif thai:
            points.append((index, "cluster"))
        else:
            points.append((index, "forced"))
    return points


def _joins_previous(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in _NO_BREAK_BEFORE


class _Sheet:
    """A greyscale canvas filled top to bottom, one centred block at a time."""

    def __init__(self, width: int) -> None:
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise ValueError(f"paper width {width} is outside {MIN_WIDTH}–{MAX_WIDTH} dots")
        self.width = width
        # Sizes are designed at 512 dots (80 mm at 180 dpi) and scaled to the roll.
        self.scale = width / 512
        self.margin = max(8, round(width * 0.04))
        self.image = Image.new("L", (width, width * 3), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 0

    @property
    def inner_width(self) -> int:
        return self.width - 2 * self.margin

    def _ensure(self, height: int) -> None:
        if self.y + height <= self.image.height:
            return
        taller = Image.new("L", (self.width, max(self.image.height * 2, self.y + height)), 255)
        taller.paste(self.image, (0, 0))
        self.image = taller
        self.draw = ImageDraw.Draw(self.image)

    def _size(self, design_size: int, min_size: int) -> int:
        return max(min_size, round(design_size * self.scale))

    def gap(self, height: int) -> None:
        self.y += height

    def text(self, text: str, weight: Weight, design_size: int, *, min_size: int = 20) -> None:
        # 20 px is the smallest body text that stays readable at 203 dpi.
        size = self._size(design_size, min_size)
        font = _font(weight, size)
        top, bottom = _line_box(weight, size)
        for line in balanced_wrap(text, font, self.inner_width):
            self._ensure(bottom - top)
            self.draw.text((self.width // 2, self.y - top), line, font=font, fill=0, anchor="ma")
            self.y += bottom - top

    def headline(self, text: str, weight: Weight, design_size: int) -> None:
        """One line as large as fits, boxed tightly by its ink so big digits sit evenly."""
        size = round(design_size * self.scale)
        font = _font(weight, size)
        # Leave air at the sides: a number touching the paper edge looks cut off.
        fitted = size * 0.92 * self.inner_width / max(1.0, font.getlength(text))
        if fitted < size:
            size = int(fitted)
            font = _font(weight, size)
        _, top, _, bottom = font.getbbox(text, anchor="ma")
        self._ensure(int(bottom - top))
        self.draw.text((self.width // 2, self.y - top), text, font=font, fill=0, anchor="ma")
        self.y += int(bottom - top)

    def badge(self, text: str, weight: Weight, design_size: int) -> None:
        """White text in a black box: the priority mark, visible at a glance to counter staff."""
        size = self._size(design_size, 20)
        font = _font(weight, size)
        pad_x, pad_y = round(18 * self.scale), round(6 * self.scale)
        lines = balanced_wrap(text, font, self.inner_width - 2 * pad_x)
        top, bottom = _line_box(weight, size)
        line_height = bottom - top
        box_width = max(font.getlength(line) for line in lines) + 2 * pad_x
        box_height = line_height * len(lines) + 2 * pad_y
        self._ensure(box_height)
        left = (self.width - box_width) / 2
        self.draw.rounded_rectangle(
            (left, self.y, left + box_width, self.y + box_height),
            radius=round(10 * self.scale),
            fill=0,
        )
        y = self.y + pad_y
        for line in lines:
            self.draw.text((self.width // 2, y - top), line, font=font, fill=255, anchor="ma")
            y += line_height
        self.y += box_height

    def rule(self, *, dashed: bool = False) -> None:
        thickness = max(2, round(2 * self.scale))
        self._ensure(thickness)
        left, right = self.margin, self.width - self.margin
        if not dashed:
            self.draw.rectangle((left, self.y, right - 1, self.y + thickness - 1), fill=0)
        else:
            dash = round(10 * self.scale)
            for x in range(left, right, 2 * dash):
                end = min(x + dash, right) - 1
                self.draw.rectangle((x, self.y, end, self.y + thickness - 1), fill=0)
        self.y += thickness

    def qr(self, data: str, target_side: int) -> None:
        # Level M survives a smudge or a fold; the 4-module quiet zone is part of the matrix.
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        code.add_data(data)
        code.make(fit=True)
        matrix: Sequence[Sequence[bool]] = code.get_matrix()
        modules = len(matrix)
        # Whole dots per module keep every module the same size, which scanners rely on.
        dot = max(3, target_side // modules)
        small = Image.new("L", (modules, modules), 255)
        small.putdata([0 if cell else 255 for row in matrix for cell in row])
        side = modules * dot
        self._ensure(side)
        self.image.paste(
            small.resize((side, side), Image.Resampling.NEAREST),
            ((self.width - side) // 2, self.y),
        )
        self.y += side

    def ruler(self) -> None:
        height = 28
        self._ensure(height + 24)
        base = self.y + height
        self.draw.rectangle((0, base - 1, self.width - 1, base), fill=0)
        for x in range(0, self.width, 8):
            tall = x % 64 == 0
            self.draw.rectangle(
                (x, base - (height if tall else 10), x + (1 if tall else 0), base), 0
            )
        # The last dot column marks the right edge: if it is missing, the width is too large.
        self.draw.rectangle((self.width - 2, self.y, self.width - 1, base), fill=0)
        font = _font("Medium", 16)
        for x in range(64, self.width - 32, 64):
            self.draw.text((x, base + 2), str(x), font=font, fill=0, anchor="ma")
        self.y = base + 24

    def solid_bar(self, height: int) -> None:
        self._ensure(height)
        self.draw.rectangle((0, self.y, self.width - 1, self.y + height - 1), fill=0)
        self.y += height

    def finish(self, *, frame: bool = False) -> Image.Image:
        page = self.image.crop((0, 0, self.width, self.y))
        if frame:
            ImageDraw.Draw(page).rectangle((0, 0, self.width - 1, self.y - 1), outline=0, width=2)
        return page.point(_TO_1BIT, "1")
