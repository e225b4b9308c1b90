"""Specification of the feed's wire format and of the clip library the screens play from."""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Any

import pytest

from counter.texts import GROUPS
from displays.make_clips import build_clips, write_wav
from displays.messages import asks_for_resync, changes_waiting, display_message
from displays.snapshot import waiting_lines
from displays.text import TEXT, page_catalogue
from displays.voice import (
    ALL_CLIP_IDS,
    ClipLibrary,
    VoiceOptions,
    announcement,
    announcement_clips,
    announcement_text,
)

VOICE = VoiceOptions()


def event(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "office": 1,
        "seq": 7,
        "at": "2026-11-27T03:00:00+00:00",
        "ticket_id": 3,
        "number": "B015",
        "service_id": 2,
        "status": "called",
        "priority": None,
        "counter": 11,
        "recall_count": 0,
        **fields,
    }


class TestCallMessages:
    def test_a_call_carries_number_counter_clips_and_the_sentence_for_speech(self) -> None:
        message = display_message(event("ticket.called"), VOICE)
        assert message is not None
        assert message["type"] == "called"
        assert (message["seq"], message["office"]) == (7, 1)
        assert (message["number"], message["counter"]) == ("B015", 11)
        assert message["clips"] == announcement_clips("B015", 11)
        assert message["text"] == "ขอเชิญหมายเลข บี ศูนย์ หนึ่ง ห้า ที่ช่องบริการ สิบเอ็ด ค่ะ"
        assert message["text_en"] is None
        assert message["recall"] is False

    @pytest.mark.parametrize("kind", ["ticket.recalled", "ticket.unheld"])
    def test_recalls_and_held_tickets_called_back_are_announced_again(self, kind: str) -> None:
        message = display_message(event(kind, recall_count=1), VOICE)
        assert message is not None
        assert message["type"] == "called"
        assert message["recall"] is True

    def test_the_offices_voice_options_shape_the_announcement(self) -> None:
        options = VoiceOptions(repeat=2, english=True, polite="krap")
        message = display_message(event("ticket.called"), options)
        assert message is not None
        assert message["clips"] == announcement_clips(
            "B015", 11, repeat=2, english=True, polite="krap"
        )
        assert message["repeat"] == 2
        assert message["text"].endswith("ครับ")
        assert message["text_en"] == "Number B015, please proceed to counter 11"

    def test_a_number_the_voice_cannot_read_is_still_shown_with_a_chime(self) -> None:
        message = display_message(event("ticket.called", number="ข015"), VOICE)
        assert message is not None
        assert (message["number"], message["clips"]) == ("ข015", ["chime"])

    def test_announcement_bundles_clips_and_texts(self) -> None:
        assert announcement("A001", 3, VOICE) == {
            "clips": announcement_clips("A001", 3),
            "text": announcement_text("A001", 3),
            "text_en": None,
            "repeat": 1,
        }


class TestOtherMessages:
    def test_other_ticket_events_tell_the_screen_where_the_ticket_now_is(self) -> None:
        message = display_message(event("ticket.finished", status="done"), VOICE)
        assert message == {
            "type": "ticket",
            "seq": 7,
            "office": 1,
            "at": "2026-11-27T03:00:00+00:00",
            "kind": "finished",
            "ticket_id": 3,
            "number": "B015",
            "counter": 11,
            "service_id": 2,
            "status": "done",
        }

    def test_counter_events_say_what_happened_to_the_counter(self) -> None:
        message = display_message(
            {"type": "counter.paused", "office": 1, "seq": 9, "counter": 2, "reason": "lunch"},
            VOICE,
        )
        assert message is not None
        assert (message["type"], message["kind"], message["counter"]) == ("counter", "paused", 2)

    def test_unknown_events_still_pass_on_their_sequence_number(self) -> None:
        message = display_message({"type": "queue.rolled_over", "office": 1, "seq": 4}, VOICE)
        assert message == {
            "type": "event",
            "seq": 4,
            "office": 1,
            "at": None,
            "kind": "queue.rolled_over",
        }

    @pytest.mark.parametrize("seq", [None, "7", True, 7.0])
    def test_an_event_without_an_integer_seq_is_dropped(self, seq: object) -> None:
        assert display_message(event("ticket.called", seq=seq), VOICE) is None

    @pytest.mark.parametrize(
        ("kind", "resync"),
        [("office.updated", True), ("queue.rolled_over", True), ("ticket.called", False)],
    )
    def test_office_changes_and_the_day_rollover_refresh_every_screen(
        self, kind: str, resync: bool
    ) -> None:
        assert asks_for_resync({"type": kind, "office": 1}) is resync

    def test_only_ticket_events_change_the_waiting_counts(self) -> None:
        kinds = ["ticket.issued", "ticket.called", "counter.opened"]
        changes = [changes_waiting(display_message(event(k), VOICE) or {}) for k in kinds]
        assert changes == [True, True, False]


class TestWaitingLines:
    def service(self, prefix: str, group: str, waiting: int, name: str = "x") -> dict[str, Any]:
        return {
            "prefix": prefix,
            "group": group,
            "waiting": waiting,
            "name_th": name,
            "name_en": name,
        }

    def test_services_sharing_a_prefix_are_one_line_named_after_their_group(self) -> None:
        lines = waiting_lines(
            [
                self.service("B", "id_card", 2),
                self.service("A", "civil_registration", 1),
                self.service("B", "id_card", 3),
            ]
        )
        assert [(line["prefix"], line["waiting"], line["name_th"]) for line in lines] == [
            ("A", 1, GROUPS["civil_registration"][0]),
            ("B", 5, GROUPS["id_card"][0]),
        ]

    def test_a_line_of_an_unknown_group_is_named_after_its_first_service(self) -> None:
        lines = waiting_lines([self.service("F", "ours", 0, "งานพิเศษ")])
        assert (lines[0]["name_th"], lines[0]["name_en"]) == ("งานพิเศษ", "งานพิเศษ")


class TestClipLibrary:
    def test_the_shipped_set_serves_every_clip_it_has_and_says_which_are_poor(self) -> None:
        library = ClipLibrary()
        manifest = library.page_manifest("/display/clips")
        assert set(manifest["clips"]) == set(ALL_CLIP_IDS)
        assert manifest["clips"]["chime"]["url"] == "/display/clips/chime.wav"
        assert manifest["clips"]["digit_5"]["quality"] == "digits-ok"
        assert manifest["clips"]["phrase_invite"]["quality"] == "poor"
        status = library.status()
        assert "phrase_invite" in status["poor"]
        assert "digit_5" not in status["poor"]
        assert status["clip_mode_fit"] is False

    def test_an_office_recording_replaces_the_shipped_clip(self, tmp_path: Path) -> None:
        write_wav(tmp_path / "invite.wav", array("h", [0, 1000, 0, -1000] * 4000), 16000)
        (tmp_path / "manifest.json").write_text(
            json.dumps(
                {
                    "clips": {
                        "phrase_invite": {
                            "file": "invite.wav",
                            "source": "office-upload",
                            "quality": "ok",
                            "duration_ms": 1000,
                            "text": "ขอเชิญหมายเลข",
                        }
                    }
                }
            ),
            encoding="utf-8",
        )
        library = ClipLibrary(override_dir=tmp_path)
        assert library.path("phrase_invite") == tmp_path / "invite.wav"
        assert library.clips["phrase_invite"].quality == "ok"
        assert library.path("chime") is not None
        assert library.path("chime") != tmp_path / "chime.wav"
        assert "phrase_invite" not in library.status()["poor"]

    def test_a_manifest_cannot_point_outside_its_folder(self, tmp_path: Path) -> None:
        (tmp_path / "manifest.json").write_text(
            json.dumps({"clips": {"chime": {"file": "../../etc/passwd", "quality": "ok"}}}),
            encoding="utf-8",
        )
        library = ClipLibrary(override_dir=tmp_path)
        path = library.path("chime")
        assert path is not None and path.name == "chime.wav" and path.parent != tmp_path

    def test_a_broken_office_manifest_falls_back_to_the_shipped_clips(self, tmp_path: Path) -> None:
        (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
        assert ClipLibrary(override_dir=tmp_path).path("chime") is not None

    def test_clips_missing_everywhere_are_reported_missing(self, tmp_path: Path) -> None:
        build_clips(tmp_path, espeak=None, clip_ids=["chime"])
        library = ClipLibrary(default_dir=tmp_path)
        assert library.path("digit_1") is None
        assert library.page_manifest("/c")["clips"]["digit_1"]["url"] is None
        assert "digit_1" in library.status()["missing"]


class TestCatalogue:
    def test_every_screen_word_has_thai_and_english(self) -> None:
        for key, (th, en) in TEXT.items():
            assert th.strip() and en.strip(), key
            assert any("\u0e00" <= ch <= "\u0e7f" for ch in th), key

    def test_the_page_gets_be_month_names_and_weekdays_from_the_catalogue(self) -> None:
        catalogue = page_catalogue()
        assert catalogue["months_th"][10] == "พฤศจิกายน"
        assert catalogue["weekdays_th"][4] == "ศุกร์"
        assert catalogue["text"]["disconnected"] == {"th": "ขาดการเชื่อมต่อ", "en": "Disconnected"}
