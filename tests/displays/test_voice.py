"""Specification of call announcements: Thai numbers, clip sequences, text, default clips."""

import json
import math
import shutil
import wave
from array import array
from pathlib import Path

import pytest

import displays
from displays.make_clips import build_clips, resample, write_wav
from displays.voice import (
    ALL_CLIP_IDS,
    CLIP_TEXT,
    LETTER_WORDS,
    Lang,
    Polite,
    announcement_clips,
    announcement_text,
    cardinal_clips,
    en_counter_clips,
    en_number_clips,
    number_clips,
    thai_cardinal,
    thai_cardinal_words,
)

DEFAULT_CLIPS = Path(displays.__file__).parent / "clips"
ESPEAK = shutil.which("espeak-ng")


def reference_cardinal(n: int) -> str:
    """Thai cardinal built from the decimal string, place by place, as a second opinion."""
    ones = ["ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"]
    place_names = {3: "พัน", 2: "ร้อย"}
    digits = str(n)
    if digits == "0":
        return ones[0]
    text = ""
    for position, ch in enumerate(digits):
        place = len(digits) - 1 - position
        d = int(ch)
        if d == 0:
            continue
        if place in place_names:
            text += ones[d] + place_names[place]
        elif place == 1:
            text += {1: "", 2: "ยี่"}.get(d, ones[d]) + "สิบ"
        elif d == 1 and len(digits) > 1:
            text += "เอ็ด"
        else:
            text += ones[d]
    return text


class TestThaiCardinal:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [
            (0, "ศูนย์"),
            (1, "หนึ่ง"),
            (2, "สอง"),
            (9, "เก้า"),
            (10, "สิบ"),
            (11, "สิบเอ็ด"),
            (12, "สิบสอง"),
            (19, "สิบเก้า"),
            (20, "ยี่สิบ"),
            (21, "ยี่สิบเอ็ด"),
            (22, "ยี่สิบสอง"),
            (30, "สามสิบ"),
            (31, "สามสิบเอ็ด"),
            (99, "เก้าสิบเก้า"),
            (100, "หนึ่งร้อย"),
            (101, "หนึ่งร้อยเอ็ด"),
            (110, "หนึ่งร้อยสิบ"),
            (111, "หนึ่งร้อยสิบเอ็ด"),
            (120, "หนึ่งร้อยยี่สิบ"),
            (121, "หนึ่งร้อยยี่สิบเอ็ด"),
            (200, "สองร้อย"),
            (201, "สองร้อยเอ็ด"),
            (999, "เก้าร้อยเก้าสิบเก้า"),
            (1000, "หนึ่งพัน"),
            (1001, "หนึ่งพันเอ็ด"),
            (1010, "หนึ่งพันสิบ"),
            (1011, "หนึ่งพันสิบเอ็ด"),
            (1100, "หนึ่งพันหนึ่งร้อย"),
            (2021, "สองพันยี่สิบเอ็ด"),
            (2569, "สองพันห้าร้อยหกสิบเก้า"),
            (9999, "เก้าพันเก้าร้อยเก้าสิบเก้า"),
        ],
    )
    def test_known_values(self, n: int, expected: str) -> None:
        assert thai_cardinal(n) == expected

    def test_every_number_up_to_9999_matches_a_place_by_place_reading(self) -> None:
        for n in range(10_000):
            assert thai_cardinal(n) == reference_cardinal(n), n

    @pytest.mark.parametrize(
        ("n", "words", "clips"),
        [
            (1, ["หนึ่ง"], ["digit_1"]),
            (11, ["สิบ", "เอ็ด"], ["word_sip", "word_et"]),
            (21, ["ยี่", "สิบ", "เอ็ด"], ["word_yi", "word_sip", "word_et"]),
            (305, ["สาม", "ร้อย", "ห้า"], ["digit_3", "word_roi", "digit_5"]),
            (1001, ["หนึ่ง", "พัน", "เอ็ด"], ["digit_1", "word_phan", "word_et"]),
        ],
    )
    def test_words_and_clips_come_one_per_recording(
        self, n: int, words: list[str], clips: list[str]
    ) -> None:
        assert thai_cardinal_words(n) == words
        assert cardinal_clips(n) == clips

    def test_the_words_of_every_number_are_recordings_that_read_it(self) -> None:
        recordings = {text for text in CLIP_TEXT.values() if text}
        for n in range(10_000):
            words = thai_cardinal_words(n)
            # Checked against the independent place-by-place reading, not against thai_cardinal
            # (which joins these very words).
            assert "".join(words) == reference_cardinal(n), n
            assert set(words) <= recordings, n
            assert [CLIP_TEXT[c] for c in cardinal_clips(n)] == words

    @pytest.mark.parametrize("n", [-1, 10_000])
    def test_numbers_outside_0_to_9999_are_rejected(self, n: int) -> None:
        with pytest.raises(ValueError, match="0–9999"):
            thai_cardinal_words(n)


class TestNumberClips:
    @pytest.mark.parametrize(
        ("number", "expected"),
        [
            ("B015", ["letter_b", "digit_0", "digit_1", "digit_5"]),
            ("A001", ["letter_a", "digit_0", "digit_0", "digit_1"]),
            ("E999", ["letter_e", "digit_9", "digit_9", "digit_9"]),
            ("007", ["digit_0", "digit_0", "digit_7"]),
            ("b015", ["letter_b", "digit_0", "digit_1", "digit_5"]),
            ("B 015", ["letter_b", "digit_0", "digit_1", "digit_5"]),
            ("B-015", ["letter_b", "digit_0", "digit_1", "digit_5"]),
            ("WZ10", ["letter_w", "letter_z", "digit_1", "digit_0"]),
        ],
    )
    def test_read_character_by_character_keeping_leading_zeros(
        self, number: str, expected: list[str]
    ) -> None:
        assert number_clips(number) == expected

    def test_english_reads_the_same_characters(self) -> None:
        assert en_number_clips("B015") == ["en_letter_b", "en_digit_0", "en_digit_1", "en_digit_5"]

    @pytest.mark.parametrize("number", ["", " ", "B๐๑๕", "ข015", "B/15", "B.015"])
    def test_characters_without_a_clip_are_rejected(self, number: str) -> None:
        with pytest.raises(ValueError):
            number_clips(number)

    def test_every_latin_letter_has_a_thai_reading(self) -> None:
        assert sorted(LETTER_WORDS) == [chr(c) for c in range(ord("A"), ord("Z") + 1)]

    @pytest.mark.parametrize(
        ("letter", "reading"), [("A", "เอ"), ("B", "บี"), ("C", "ซี"), ("D", "ดี"), ("E", "อี")]
    )
    def test_service_group_letters_are_read_the_thai_way(self, letter: str, reading: str) -> None:
        assert CLIP_TEXT[f"letter_{letter.lower()}"] == reading


class TestAnnouncementClips:
    def test_a_call_is_chime_invite_number_counter_and_polite_particle(self) -> None:
        assert announcement_clips("B015", 11) == [
            "chime",
            "phrase_invite",
            "letter_b",
            "digit_0",
            "digit_1",
            "digit_5",
            "phrase_at_counter",
            "word_sip",
            "word_et",
            "polite_ka",
        ]

    def test_a_male_voice_ends_with_krap(self) -> None:
        assert announcement_clips("A001", 3, polite="krap")[-1] == "polite_krap"

    def test_repeating_says_the_sentence_again_after_a_single_chime(self) -> None:
        once = announcement_clips("B015", 11)
        twice = announcement_clips("B015", 11, repeat=2)
        assert twice == ["chime", *once[1:], *once[1:]]
        assert twice.count("chime") == 1

    def test_english_follows_the_thai_sentences_once(self) -> None:
        clips = announcement_clips("B015", 11, repeat=2, english=True)
        english = ["en_number", "en_letter_b", "en_digit_0", "en_digit_1", "en_digit_5"]
        english += ["en_proceed_counter", "en_digit_1", "en_digit_1"]
        assert clips[-len(english) :] == english
        assert clips[: -len(english)] == announcement_clips("B015", 11, repeat=2)

    def test_english_counters_are_read_digit_by_digit(self) -> None:
        assert en_counter_clips(20) == ["en_digit_2", "en_digit_0"]

    @pytest.mark.parametrize(
        "kwargs", [{"repeat": 0}, {"polite": "kha"}], ids=["repeat 0", "unknown particle"]
    )
    def test_invalid_options_are_rejected(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError):
            announcement_clips("B015", 11, **kwargs)  # type: ignore[arg-type]


class TestAnnouncementText:
    @pytest.mark.parametrize(
        ("number", "counter", "lang", "polite", "expected"),
        [
            ("B015", 11, "th", "ka", "ขอเชิญหมายเลข บี ศูนย์ หนึ่ง ห้า ที่ช่องบริการ สิบเอ็ด ค่ะ"),
            ("A001", 1, "th", "krap", "ขอเชิญหมายเลข เอ ศูนย์ ศูนย์ หนึ่ง ที่ช่องบริการ หนึ่ง ครับ"),
            ("C120", 21, "th", "ka", "ขอเชิญหมายเลข ซี หนึ่ง สอง ศูนย์ ที่ช่องบริการ ยี่สิบเอ็ด ค่ะ"),
            ("B015", 11, "en", "ka", "Number B015, please proceed to counter 11"),
            ("b 015", 11, "en", "krap", "Number B015, please proceed to counter 11"),
        ],
    )
    def test_sentence_for_browser_speech(
        self, number: str, counter: int, lang: Lang, polite: Polite, expected: str
    ) -> None:
        assert announcement_text(number, counter, lang=lang, polite=polite) == expected

    def test_an_unknown_language_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="lang"):
            announcement_text("B015", 11, lang="fr")  # type: ignore[arg-type]


class TestClipCatalogue:
    def test_clip_ids_are_unique_and_all_have_words_except_the_chime(self) -> None:
        assert len(set(ALL_CLIP_IDS)) == len(ALL_CLIP_IDS)
        assert [c for c in ALL_CLIP_IDS if not CLIP_TEXT[c]] == ["chime"]

    def test_every_producible_clip_exists_and_every_clip_is_producible(self) -> None:
        produced: set[str] = set()
        for counter in range(10_000):
            produced.update(cardinal_clips(counter), en_counter_clips(counter))
        for letter in LETTER_WORDS:
            number = f"{letter}0123456789"
            for polite in ("ka", "krap"):
                produced.update(announcement_clips(number, 1, english=True, polite=polite))
        assert produced == set(ALL_CLIP_IDS)


def wav_format(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as wav:
        frames = wav.getnframes()
        rate = wav.getframerate()
        return wav.getnchannels(), wav.getsampwidth(), rate, frames / rate


def peak(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    return max(abs(s) for s in samples)


class TestDefaultClips:
    manifest = json.loads((DEFAULT_CLIPS / "manifest.json").read_text(encoding="utf-8"))

    def test_the_manifest_covers_every_clip_id(self) -> None:
        assert set(self.manifest["clips"]) == set(ALL_CLIP_IDS)

    def test_the_chime_is_a_short_audible_mono_wav(self) -> None:
        entry = self.manifest["clips"]["chime"]
        assert entry["source"] == "generated-chime"
        channels, width, rate, seconds = wav_format(DEFAULT_CLIPS / entry["file"])
        assert (channels, width) == (1, 2)
        assert rate in (16000, 22050)
        assert 0.8 <= seconds <= 3.0
        assert 8000 < peak(DEFAULT_CLIPS / entry["file"]) < 32767

    def test_every_listed_file_exists_with_the_duration_the_manifest_says(self) -> None:
        for clip_id, entry in self.manifest["clips"].items():
            assert entry["source"] in {"generated-chime", "espeak-ng", "missing", "office-upload"}
            assert entry["text"] == CLIP_TEXT[clip_id]
            if entry["source"] == "missing":
                assert entry["file"] is None
                continue
            channels, width, _, seconds = wav_format(DEFAULT_CLIPS / entry["file"])
            assert (channels, width) == (1, 2), clip_id
            assert abs(seconds * 1000 - entry["duration_ms"]) <= 1, clip_id

    def test_thai_words_from_espeak_are_never_claimed_to_be_good(self) -> None:
        for clip_id, entry in self.manifest["clips"].items():
            if entry["source"] == "espeak-ng" and not clip_id.startswith(("digit_", "letter_")):
                assert entry["quality"] == ("ok" if clip_id.startswith("en_") else "poor")

    def test_the_shipped_set_stays_small(self) -> None:
        total = sum(p.stat().st_size for p in DEFAULT_CLIPS.iterdir())
        assert total < 1_500_000


class TestMakeClips:
    def test_without_espeak_only_the_chime_is_made_and_the_rest_is_missing(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "digit_5.wav").write_bytes(b"stale")
        entries = build_clips(tmp_path, espeak=None)
        manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
        assert set(manifest["clips"]) == set(ALL_CLIP_IDS) == set(entries)
        assert entries["chime"].source == "generated-chime"
        assert (tmp_path / "chime.wav").is_file()
        others = [e for clip_id, e in entries.items() if clip_id != "chime"]
        assert all(e.source == "missing" and e.file is None for e in others)
        assert not (tmp_path / "digit_5.wav").exists()

    def test_an_espeak_that_fails_leaves_its_clips_missing(self, tmp_path: Path) -> None:
        entries = build_clips(tmp_path, espeak="/nonexistent/espeak-ng", clip_ids=["digit_5"])
        assert entries["digit_5"].source == "missing"

    def test_office_recordings_survive_regeneration(self, tmp_path: Path) -> None:
        build_clips(tmp_path, espeak=None, clip_ids=["chime", "polite_ka"])
        write_wav(tmp_path / "office_ka.wav", array("h", [1000, -1000] * 4000), 16000)
        manifest_path = tmp_path / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["clips"]["polite_ka"] = {
            "file": "office_ka.wav",
            "source": "office-upload",
            "quality": "ok",
            "duration_ms": 500,
            "text": "ค่ะ",
        }
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        entries = build_clips(tmp_path, espeak=None, clip_ids=["chime", "polite_ka"])
        assert entries["polite_ka"].source == "office-upload"
        assert entries["polite_ka"].file == "office_ka.wav"

    @pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")
    def test_espeak_clips_are_marked_by_how_well_it_reads_them(self, tmp_path: Path) -> None:
        entries = build_clips(
            tmp_path, espeak=ESPEAK, clip_ids=["digit_5", "letter_b", "polite_ka", "en_digit_1"]
        )
        qualities = {clip_id: entry.quality for clip_id, entry in entries.items()}
        assert qualities == {
            "digit_5": "digits-ok",
            "letter_b": "letters-ok",
            "polite_ka": "poor",
            "en_digit_1": "ok",
        }
        for entry in entries.values():
            assert entry.source == "espeak-ng"
            assert entry.file is not None
            assert wav_format(tmp_path / entry.file)[2] == 16000


class TestResample:
    @staticmethod
    def tone_level(freq: float) -> float:
        source = array(
            "h", [round(10_000 * math.sin(2 * math.pi * freq * i / 22050)) for i in range(11025)]
        )
        out = resample(source, 22050, 16000)[100:-100]
        return math.sqrt(sum(s * s for s in out) / len(out)) / (10_000 / math.sqrt(2))

    @pytest.mark.parametrize("freq", [300, 1000, 4000])
    def test_speech_frequencies_pass_unchanged(self, freq: float) -> None:
        assert self.tone_level(freq) == pytest.approx(1.0, abs=0.01)

    def test_frequencies_above_the_new_nyquist_limit_do_not_alias(self) -> None:
        assert self.tone_level(10_000) < 0.01

    def test_the_length_scales_with_the_rate(self) -> None:
        assert len(resample(array("h", [0] * 22050), 22050, 16000)) == 16000
