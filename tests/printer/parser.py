"""Read an ESC/POS byte stream back into commands and images, to check what a printer received."""

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10
EOT, ENQ, DC4 = 0x04, 0x05, 0x14
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C

# In ESC/POS a set bit prints a dot; in a PIL "1" image a set bit is white.
_INVERT = bytes(255 - value for value in range(256))

# ESC commands by the number of parameter bytes that follow the command letter.
_ESC_FIXED = {
    **dict.fromkeys(b"@2<SL", 0),
    **dict.fromkeys(b" !%-3EGJMRTUVadertK{=", 1),
    **dict.fromkeys(b"$\\Bc?", 2),
    **dict.fromkeys(b"p", 3),
}
_ESC_NAMES = {
    ord("@"): "ESC @",  # initialise
    ord("a"): "ESC a",  # justification
    ord("d"): "ESC d",  # print and feed n lines
    ord("J"): "ESC J",  # print and feed n dots
    ord("2"): "ESC 2",  # default line spacing
    ord("3"): "ESC 3",  # line spacing
    ord("!"): "ESC !",  # print mode
    ord("t"): "ESC t",  # code page
}
_GS_FIXED = {
    **dict.fromkeys(b"!BHIbhwfar/", 1),
    **dict.fromkeys(b"LWP$", 2),
}
_CUT_FUNCTIONS = {0: "full", 48: "full", 1: "part", 49: "part"}
_FEED_CUT_FUNCTIONS = {65: "full", 66: "part", 97: "full", 98: "part", 103: "part"}


@dataclass(frozen=True)
class Command:
    offset: int
    name: str
    # Parameter bytes after the command letters; image and code data are left out.
    params: bytes = b""
    size: int = 0


@dataclass(frozen=True)
class RasterImage:
    offset: int
    impl: str  # "bitImageRaster" (GS v 0), "bitImageColumn" (ESC *) or "graphics" (GS ( L)
    image: Image.Image  # mode "1", black where the printer prints a dot
    density: int = 0


@dataclass(frozen=True)
class Cut:
    offset: int
    mode: str  # "full" or "part"
    feed: int = 0  # dots fed before the cut (GS V 65/66 n)


@dataclass
class ParsedStream:
    commands: list[Command] = field(default_factory=list)
    images: list[RasterImage] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    unknown: list[tuple[int, bytes]] = field(default_factory=list)
    # The stream ended inside a command: a job cut off half-way.
    truncated: bool = False

    def stacked_image(self) -> Image.Image | None:
        """All images top to bottom, as they come out of the printer."""
        if not self.images:
            return None
        width = max(raster.image.width for raster in self.images)
        height = sum(raster.image.height for raster in self.images)
        sheet = Image.new("1", (width, height), 1)
        y = 0
        for raster in self.images:
            sheet.paste(raster.image, (0, y))
            y += raster.image.height
        return sheet


def parse(data: bytes) -> ParsedStream:
    """Parse a whole job; a command cut off at the end is flagged `truncated`."""
    parser = StreamParser()
    parser.feed(data)
    parser.finish()
    return parser.result


class StreamParser:
    """Incremental parser: feed bytes as they arrive, get whole commands out.

    The fake printer uses it to answer DLE EOT only where it is a real command, never when the
    same three bytes occur inside image data.
    """

    def __init__(self) -> None:
        self.result = ParsedStream()
        self._buffer = bytearray()
        self._offset = 0  # stream offset of _buffer[0]
        self._pending_graphics: tuple[int, Image.Image] | None = None

    def feed(self, data: bytes) -> list[Command]:
        self._buffer += data
        done: list[Command] = []
        position = 0
        while position < len(self._buffer):
            size = self._step(position)
            if size == 0:
                break  # incomplete: wait for more bytes
            done.append(self.result.commands[-1])
            position += size
        del self._buffer[:position]
        self._offset += position
        return done

    def finish(self) -> None:
        if self._buffer:
            self.result.truncated = True
            self.result.unknown.append((self._offset, bytes(self._buffer)))
            self._buffer.clear()

    def _step(self, position: int) -> int:
        """Consume one command at `position`; return its size, or 0 when it is incomplete."""
        buffer = self._buffer
        offset = self._offset + position
        first = buffer[position]
        if first == ESC:
            return self._esc(position, offset)
        if first == GS:
            return self._gs(position, offset)
        if first == DLE:
            return self._dle(position, offset)
        if first in (LF, CR, HT, FF):
            name = {LF: "LF", CR: "CR", HT: "HT", FF: "FF"}[first]
            return self._add(Command(offset, name, size=1))
        if first >= 0x20:
            end = position
            while end < len(buffer) and buffer[end] >= 0x20:
                end += 1
            self.result.text += buffer[position:end]
            return self._add(Command(offset, "text", bytes(buffer[position:end]), end - position))
        self.result.unknown.append((offset, bytes([first])))
        return self._add(Command(offset, "unknown", bytes([first]), 1))

    def _add(self, command: Command) -> int:
        self.result.commands.append(command)
        return command.size

    def _have(self, position: int, count: int) -> bool:
        return len(self._buffer) - position >= count

    def _esc(self, position: int, offset: int) -> int:
        if not self._have(position, 2):
            return 0
        letter = self._buffer[position + 1]
        if letter == ord("*"):
            return self._esc_star(position, offset)
        if letter == ord("D"):  # tab stops, ended by NUL
            end = self._buffer.find(0, position + 2)
            if end < 0:
                return 0
            return self._add(
                Command(
                    offset, "ESC D", bytes(self._buffer[position + 2 : end]), end + 1 - position
                )
            )
        if letter in (ord("i"), ord("m")):  # legacy one-byte cuts
            mode = "full" if letter == ord("i") else "part"
            self.result.cuts.append(Cut(offset, mode))
            return self._add(Command(offset, f"ESC {chr(letter)}", size=2))
        if letter not in _ESC_FIXED:
            self.result.unknown.append((offset, bytes(self._buffer[position : position + 2])))
            return self._add(
                Command(offset, "unknown", bytes(self._buffer[position : position + 2]), 2)
            )
        size = 2 + _ESC_FIXED[letter]
        if not self._have(position, size):
            return 0
        name = _ESC_NAMES.get(letter, f"ESC {chr(letter)}")
        return self._add(
            Command(offset, name, bytes(self._buffer[position + 2 : position + size]), size)
        )

    def _esc_star(self, position: int, offset: int) -> int:
        # ESC * m nL nH d1...dk: one band of column-format dots, 8 or 24 dots high.
        if not self._have(position, 5):
            return 0
        mode, low, high = self._buffer[position + 2 : position + 5]
        columns = low + 256 * high
        rows_bytes = 3 if mode in (32, 33) else 1
        size = 5 + columns * rows_bytes
        if not self._have(position, size):
            return 0
        data = bytes(self._buffer[position + 5 : position + size]).translate(_INVERT)
        # Each column is `rows_bytes` bytes, top dot in the high bit: read the band as an image
        # whose rows are the columns, then transpose it upright.
        band = Image.frombytes("1", (rows_bytes * 8, columns), data)
        image = band.transpose(Image.Transpose.TRANSPOSE)
        self.result.images.append(RasterImage(offset, "bitImageColumn", image, mode))
        return self._add(Command(offset, "ESC *", bytes([mode, low, high]), size))

    def _gs(self, position: int, offset: int) -> int:
        if not self._have(position, 2):
            return 0
        letter = self._buffer[position + 1]
        if letter == ord("v"):
            return self._gs_v0(position, offset)
        if letter == ord("("):
            return self._gs_paren(position, offset)
        if letter == ord("8"):
            return self._gs_8(position, offset)
        if letter == ord("V"):
            return self._gs_cut(position, offset)
        if letter == ord("k"):
            return self._gs_barcode(position, offset)
        if letter in _GS_FIXED:
            size = 2 + _GS_FIXED[letter]
            if not self._have(position, size):
                return 0
            params = bytes(self._buffer[position + 2 : position + size])
            return self._add(Command(offset, f"GS {chr(letter)}", params, size))
        self.result.unknown.append((offset, bytes(self._buffer[position : position + 2])))
        return self._add(
            Command(offset, "unknown", bytes(self._buffer[position : position + 2]), 2)
        )

    def _gs_v0(self, position: int, offset: int) -> int:
        # GS v 0 m xL xH yL yH d1...dk: raster image, x bytes wide and y dots high.
        if not self._have(position, 8):
            return 0
        if self._buffer[position + 2] not in (0, ord("0")):
            return self._unknown(position, offset, 3)
        density, x_low, x_high, y_low, y_high = self._buffer[position + 3 : position + 8]
        width_bytes = x_low + 256 * x_high
        height = y_low + 256 * y_high
        size = 8 + width_bytes * height
        if not self._have(position, size):
            return 0
        data = bytes(self._buffer[position + 8 : position + size]).translate(_INVERT)
        image = Image.frombytes("1", (width_bytes * 8, height), data)
        self.result.images.append(RasterImage(offset, "bitImageRaster", image, density))
        params = bytes(self._buffer[position + 3 : position + 8])
        return self._add(Command(offset, "GS v 0", params, size))

    def _gs_paren(self, position: int, offset: int) -> int:
        # GS ( X pL pH ...: a function with a two-byte length.
        if not self._have(position, 5):
            return 0
        function = self._buffer[position + 2]
        length = self._buffer[position + 3] + 256 * self._buffer[position + 4]
        size = 5 + length
        if not self._have(position, size):
            return 0
        body = bytes(self._buffer[position + 5 : position + size])
        name = f"GS ( {chr(function)}"
        if function == ord("L"):
            self._graphics(body, offset)
        return self._add(Command(offset, name, body[:2], size))

    def _gs_8(self, position: int, offset: int) -> int:
        # GS 8 L p1 p2 p3 p4 ...: GS ( L with a four-byte length, for big images.
        if not self._have(position, 7):
            return 0
        if self._buffer[position + 2] != ord("L"):
            return self._unknown(position, offset, 3)
        length = int.from_bytes(self._buffer[position + 3 : position + 7], "little")
        size = 7 + length
        if not self._have(position, size):
            return 0
        body = bytes(self._buffer[position + 7 : position + size])
        self._graphics(body, offset)
        return self._add(Command(offset, "GS 8 L", body[:2], size))

    def _graphics(self, body: bytes, offset: int) -> None:
        # m fn ...: fn 112 stores a raster in the print buffer, fn 50 prints what is stored.
        if len(body) < 2:
            return
        function = body[1]
        if function == 112 and len(body) >= 10:
            width = body[6] + 256 * body[7]
            height = body[8] + 256 * body[9]
            row_bytes = (width + 7) // 8
            data = body[10 : 10 + row_bytes * height].translate(_INVERT)
            if len(data) == row_bytes * height:
                image = Image.frombytes("1", (row_bytes * 8, height), data)
                self._pending_graphics = (offset, image.crop((0, 0, width, height)))
        elif function in (50, 2) and self._pending_graphics is not None:
            stored_offset, image = self._pending_graphics
            self.result.images.append(RasterImage(stored_offset, "graphics", image))
            self._pending_graphics = None

    def _gs_cut(self, position: int, offset: int) -> int:
        if not self._have(position, 3):
            return 0
        function = self._buffer[position + 2]
        if function in _CUT_FUNCTIONS:
            self.result.cuts.append(Cut(offset, _CUT_FUNCTIONS[function]))
            return self._add(Command(offset, "GS V", bytes([function]), 3))
        if function in _FEED_CUT_FUNCTIONS:
            if not self._have(position, 4):
                return 0
            feed = self._buffer[position + 3]
            self.result.cuts.append(Cut(offset, _FEED_CUT_FUNCTIONS[function], feed))
            return self._add(Command(offset, "GS V", bytes([function, feed]), 4))
        return self._unknown(position, offset, 3)

    def _gs_barcode(self, position: int, offset: int) -> int:
        # GS k m: m 0–6 ends with NUL, m 65–79 has a length byte.
        if not self._have(position, 3):
            return 0
        kind = self._buffer[position + 2]
        if kind <= 6:
            end = self._buffer.find(0, position + 3)
            if end < 0:
                return 0
            size = end + 1 - position
        else:
            if not self._have(position, 4):
                return 0
            size = 4 + self._buffer[position + 3]
            if not self._have(position, size):
                return 0
        return self._add(Command(offset, "GS k", bytes([kind]), size))

    def _dle(self, position: int, offset: int) -> int:
        if not self._have(position, 3):
            return 0
        letter, argument = self._buffer[position + 1], self._buffer[position + 2]
        if letter == EOT:
            if argument in (7, 8):  # ink / paper-roll status: one more byte
                if not self._have(position, 4):
                    return 0
                return self._add(
                    Command(offset, "DLE EOT", bytes(self._buffer[position + 2 : position + 4]), 4)
                )
            self.result.status_queries.append(argument)
            return self._add(Command(offset, "DLE EOT", bytes([argument]), 3))
        if letter == ENQ:
            return self._add(Command(offset, "DLE ENQ", bytes([argument]), 3))
        if letter == DC4:
            # fn 8 (clear buffers) has seven fixed bytes; fn 1 and 2 (pulse, power off) have three.
            size = 10 if argument == 8 else 5
            if not self._have(position, size):
                return 0
            params = bytes(self._buffer[position + 2 : position + size])
            return self._add(Command(offset, "DLE DC4", params, size))
        return self._unknown(position, offset, 2)

    def _unknown(self, position: int, offset: int, size: int) -> int:
        raw = bytes(self._buffer[position : position + size])
        self.result.unknown.append((offset, raw))
        return self._add(Command(offset, "unknown", raw, size))
