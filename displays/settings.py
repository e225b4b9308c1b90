"""Display and voice settings from the environment (prefix SADUAK_DISPLAY_), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VoiceMode = Literal["auto", "clips", "speech"]


class DisplaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SADUAK_DISPLAY_", extra="ignore")

    # Screens treat 3 missed heartbeats as a dead connection and reconnect.
    heartbeat_seconds: float = Field(default=5.0, gt=0, le=60)
    # How often the connected screens' Device.last_seen_at is written (also once on connect).
    last_seen_seconds: float = Field(default=30.0, gt=0)
    # A send that takes longer means the screen's network is stuck: it is dropped and reconnects.
    send_timeout_seconds: float = Field(default=2.0, gt=0)
    # Every screen gets a fresh snapshot this often anyway: the database is the truth, and edits
    # that publish no event (the office message line) reach the screens this way.
    resync_seconds: float = Field(default=300.0, gt=0)
    # How many recent calls a snapshot carries (the hall shows the last few).
    last_calls: int = Field(default=8, ge=1, le=50)
    # Calls a screen missed while disconnected are still announced when they are this recent.
    catch_up_seconds: float = Field(default=120.0, ge=0)
    # A folder of office recordings (WAV + manifest.json, as `python -m displays.make_clips`
    # writes it); any clip found there replaces the shipped one.
    clips_dir: Path | None = None
    voice_mode: VoiceMode = "auto"
    voice_repeat: int = Field(default=1, ge=1, le=3)
    voice_english: bool = False
    voice_polite: Literal["ka", "krap"] = "ka"


@lru_cache
def get_display_settings() -> DisplaySettings:
    return DisplaySettings()
