"""Call announcements as sequences of pre-recorded clip ids, and the same sentence as plain text."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

Polite = Literal["ka", "krap"]
Lang = Literal["th", "en"]

MAX_CARDINAL = 9999

DIGIT_WORDS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
SIP = "สิบ"
YI = "ยี่"  # replaces สอง before สิบ: 20 is ยี่สิบ
ET = "เอ็ด"  # replaces หนึ่ง in the units once any higher place is spoken: 11 สิบเอ็ด, 101
ROI = "ร้อย"
PHAN = "พัน"

# How Thai speakers read Latin letters on tickets and signs.
LETTER_WORDS = {
    "A": "เอ",
    "B": "บี",
    "C": "ซี",
    "D": "ดี",
    "E": "อี",
    "F": "เอฟ",
    "G": "จี",
    "H": "เอช",
    "I": "ไอ",
    "J": "เจ",
    "K": "เค",
    "L": "แอล",
    "M": "เอ็ม",
    "N": "เอ็น",
    "O": "โอ",
    "P": "พี",
    "Q": "คิว",
    "R": "อาร์",
    "S": "เอส",
    "T": "ที",
    "U": "ยู",
    "V": "วี",
    "W": "ดับเบิลยู",
    "X": "เอ็กซ์",
    "Y": "วาย",
    "Z": "แซด",
}

EN_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# Place words get their own clips so that every cardinal is a concatenation of ~15 recordings.
_PLACE_CLIPS = {SIP: "word_sip", YI: "word_yi", ET: "word_et", ROI: "word_roi", PHAN: "word_phan"}

# The single catalogue of what each clip says; offices re-record clips from this list.
CLIP_TEXT: dict[str, str] = {
    "chime": "",  # a tone, no words
    "phrase_invite": "ขอเชิญหมายเลข",
    "phrase_at_counter": "ที่ช่องบริการ",
    "polite_ka": "ค่ะ",
    "polite_krap": "ครับ",
    **{f"digit_{i}": word for i, word in enumerate(DIGIT_WORDS)},
    **{clip_id: word for word, clip_id in _PLACE_CLIPS.items()},
    **{f"letter_{letter.lower()}": word for letter, word in LETTER_WORDS.items()},
    "en_number": "Number",
    "en_proceed_counter": "please proceed to counter",
    **{f"en_digit_{i}": word for i, word in enumerate(EN_DIGIT_WORDS)},
    **{f"en_letter_{letter.lower()}": letter for letter in LETTER_WORDS},
}
ALL_CLIP_IDS: tuple[str, ...] = tuple(CLIP_TEXT)

_WORD_CLIPS = {**{word: f"digit_{i}" for i, word in enumerate(DIGIT_WORDS)}, **_PLACE_CLIPS}
# Ticket numbers are shown as "B 015" or "B-015" but read the same as "B015".
_SEPARATORS = " -"


def thai_cardinal_words(n: int) -> list[str]:
    """The Thai words of `n` (0–9999) in order, e.g. 21 -> ['ยี่', 'สิบ', 'เอ็ด']."""
    if not 0 <= n <= MAX_CARDINAL:
        raise ValueError(f"cardinal must be 0–{MAX_CARDINAL}, got {n}")
    if n == 0:
        return [DIGIT_WORDS[0]]
    thousands, hundreds, tens, units = n // 1000, n // 100 % 10, n // 10 % 10, n % 10
    words: list[str] = []
    if thousands:
        words += [DIGIT_WORDS[thousands], PHAN]
    if hundreds:
        words += [DIGIT_WORDS[hundreds], ROI]
    if tens == 1:
        words.append(SIP)
    elif tens == 2:
        words += [YI, SIP]
    elif tens:
        words += [DIGIT_WORDS[tens], SIP]
    if units == 1 and n > 9:
        words.append(ET)
    elif units:
        words.append(DIGIT_WORDS[units])
    return words


def thai_cardinal(n: int) -> str:
    """`n` (0–9999) written in Thai words, e.g. 11 -> 'สิบเอ็ด'."""
    return "".join(thai_cardinal_words(n))


def cardinal_clips(n: int) -> list[str]:
    """Clip ids that speak `n` (0–9999) as a Thai cardinal, e.g. 11 -> ['word_sip', 'word_et']."""
    return [_WORD_CLIPS[word] for word in thai_cardinal_words(n)]


def _normalise_number(number: str) -> str:
    compact = "".join(ch for ch in number if ch not in _SEPARATORS).upper()
    if not compact:
        raise ValueError("empty ticket number")
    for ch in compact:
        # isdigit()/isalpha() alone would accept Thai digits and letters we have no clips for.
        if not (ch.isascii() and ch.isalnum()):
            raise ValueError(f"ticket number {number!r} has {ch!r}; only A–Z and 0–9 can be read")
    return compact


def number_clips(number: str) -> list[str]:
    """Clip ids reading a ticket number character by character: 'B015' -> letter_b digit_0 ..."""
    return [
        f"digit_{ch}" if ch.isdigit() else f"letter_{ch.lower()}"
        for ch in _normalise_number(number)
    ]


def en_number_clips(number: str) -> list[str]:
    """English clip ids reading a ticket number character by character."""
    return [
        f"en_digit_{ch}" if ch.isdigit() else f"en_letter_{ch.lower()}"
        for ch in _normalise_number(number)
    ]


def en_counter_clips(counter: int) -> list[str]:
    """English clip ids for a counter, digit by digit ('one one') to keep the English set small."""
    if not 0 <= counter <= MAX_CARDINAL:
        raise ValueError(f"counter must be 0–{MAX_CARDINAL}, got {counter}")
    return [f"en_digit_{ch}" for ch in str(counter)]


def _check_polite(polite: str) -> str:
    clip_id = f"polite_{polite}"
    if clip_id not in CLIP_TEXT:
        raise ValueError(f"polite must be 'ka' or 'krap', got {polite!r}")
    return clip_id


def announcement_clips(
    number: str,
    counter: int,
    *,
    repeat: int = 1,
    english: bool = False,
    polite: Polite = "ka",
) -> list[str]:
    """Clip ids for one call: chime, the Thai sentence `repeat` times, then optionally English."""
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    thai = [
        "phrase_invite",
        *number_clips(number),
        "phrase_at_counter",
        *cardinal_clips(counter),
        _check_polite(polite),
    ]
    clips = ["chime", *thai * repeat]
    if english:
        clips += [
            "en_number",
            *en_number_clips(number),
            "en_proceed_counter",
            *en_counter_clips(counter),
        ]
    return clips


def announcement_text(
    number: str, counter: int, *, lang: Lang = "th", polite: Polite = "ka"
) -> str:
    """The sentence for browser speech synthesis, in Thai or English."""
    if lang == "en":
        if not 0 <= counter <= MAX_CARDINAL:
            raise ValueError(f"counter must be 0–{MAX_CARDINAL}, got {counter}")
        return (
            f"{CLIP_TEXT['en_number']} {_normalise_number(number)}, "
            f"{CLIP_TEXT['en_proceed_counter']} {counter}"
        )
    if lang != "th":
        raise ValueError(f"lang must be 'th' or 'en', got {lang!r}")
    return " ".join(
        [
            CLIP_TEXT["phrase_invite"],
            *(CLIP_TEXT[clip_id] for clip_id in number_clips(number)),
            CLIP_TEXT["phrase_at_counter"],
            thai_cardinal(counter),
            CLIP_TEXT[_check_polite(polite)],
        ]
    )


# ------------------------------------------------------------------ announcements for the screens


@dataclass(frozen=True)
class VoiceOptions:
    repeat: int = 1
    english: bool = False
    polite: Polite = "ka"


def announcement(number: str, counter: int, options: VoiceOptions) -> dict[str, Any]:
    """What a screen needs to announce one call in either voice mode.

    `clips` is the whole sequence (chime, Thai sentence `repeat` times, optional English); for
    speech mode the page plays the chime clip, then speaks `text` `repeat` times, then `text_en`.
    """
    return {
        "clips": announcement_clips(
            number, counter, repeat=options.repeat, english=options.english, polite=options.polite
        ),
        "text": announcement_text(number, counter, polite=options.polite),
        "text_en": announcement_text(number, counter, lang="en") if options.english else None,
        "repeat": options.repeat,
    }


# ------------------------------------------------------------------ the clip files

CLIPS_DIR = Path(__file__).parent / "clips"
MANIFEST_NAME = "manifest.json"
# Qualities fit to be spoken to the public; see make_clips.Quality for what each one means.
GOOD_QUALITIES = frozenset({"ok", "digits-ok", "letters-ok"})


@dataclass(frozen=True)
class Clip:
    clip_id: str
    path: Path | None
    quality: str
    source: str
    duration_ms: int | None


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        clips = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["clips"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError):
        # A broken office manifest must not silence the hall: fall back to the shipped clips.
        log.warning("ignoring unreadable clip manifest in %s", folder, exc_info=True)
        return {}
    return clips if isinstance(clips, dict) else {}


def _clip_from_entry(folder: Path, clip_id: str, entry: Any) -> Clip | None:
    if not isinstance(entry, dict) or not entry.get("file"):
        return None
    # Only a plain file name inside the folder: a manifest cannot point the server elsewhere.
    name = Path(str(entry["file"])).name
    path = folder / name
    if name != entry["file"] or not path.is_file():
        return None
    return Clip(
        clip_id,
        path,
        str(entry.get("quality", "ok")),
        str(entry.get("source", "office-upload")),
        entry.get("duration_ms") if isinstance(entry.get("duration_ms"), int) else None,
    )


class ClipLibrary:
    """The clips a screen can play: the shipped set, with an office's recordings taking precedence.

    An office replaces a clip by putting a WAV and its manifest entry in `override_dir` (the
    layout `python -m displays.make_clips` writes); the shipped files are never modified.
    """

    def __init__(self, default_dir: Path = CLIPS_DIR, override_dir: Path | None = None) -> None:
        self.clips: dict[str, Clip] = {}
        defaults = _read_manifest(default_dir)
        overrides = _read_manifest(override_dir) if override_dir is not None else {}
        for clip_id in ALL_CLIP_IDS:
            clip = None
            if override_dir is not None:
                clip = _clip_from_entry(override_dir, clip_id, overrides.get(clip_id))
            clip = clip or _clip_from_entry(default_dir, clip_id, defaults.get(clip_id))
            self.clips[clip_id] = clip or Clip(clip_id, None, "missing", "missing", None)

    def path(self, clip_id: str) -> Path | None:
        clip = self.clips.get(clip_id)
        return clip.path if clip is not None else None

    def page_manifest(self, url_prefix: str) -> dict[str, Any]:
        """What the page preloads: every playable clip's URL, and every clip's quality."""
        return {
            "clips": {
                clip.clip_id: {
                    "url": f"{url_prefix}/{clip.clip_id}.wav" if clip.path else None,
                    "quality": clip.quality,
                    "source": clip.source,
                    "duration_ms": clip.duration_ms,
                }
                for clip in self.clips.values()
            },
            "good_qualities": sorted(GOOD_QUALITIES),
        }

    def status(self) -> dict[str, Any]:
        """The honest state of the voice set, for the admin: which clips are poor or missing."""
        by_quality: dict[str, int] = {}
        for clip in self.clips.values():
            by_quality[clip.quality] = by_quality.get(clip.quality, 0) + 1
        weak = [c.clip_id for c in self.clips.values() if c.quality not in GOOD_QUALITIES]
        return {
            "by_quality": dict(sorted(by_quality.items())),
            "poor": [c for c in weak if self.clips[c].quality != "missing"],
            "missing": [c for c in weak if self.clips[c].quality == "missing"],
            # Screens prefer the device's Thai speech voice when a call needs any of these.
            "clip_mode_fit": not weak,
        }
