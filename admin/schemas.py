"""Request bodies of the admin API. Types only: the rules (admin.rules) give Thai messages."""

from __future__ import annotations

from pydantic import Field

from counter.schemas import Strict

# Generous caps so absurd input fails early; the real limits are in admin.rules.
_SHORT = 100
_TEXT = 600


class OfficeIn(Strict):
    name_th: str = Field(max_length=_TEXT)
    name_en: str = Field(max_length=_TEXT)
    timezone: str = Field(default="Asia/Bangkok", max_length=_SHORT)
    opens: str = Field(max_length=_SHORT)
    closes: str = Field(max_length=_SHORT)
    saturday: bool = False
    hours_enforced: bool = True
    lunch_service: bool = True
    footer_th: str = Field(default="", max_length=_TEXT)
    footer_en: str = Field(default="", max_length=_TEXT)
    display_message: str = Field(default="", max_length=_TEXT)
    thai_digits: bool = False
    voice_repeat: int = 1
    voice_english: bool = False
    voice_polite: str = Field(default="ka", max_length=_SHORT)
    # Evidence pack targets (%); left out: unchanged.
    satisfaction_target_pct: float | None = Field(default=None, ge=0, le=100)
    within_standard_target_pct: float | None = Field(default=None, ge=0, le=100)


class TargetsIn(Strict):
    """The office's evidence-pack targets (%); bounds are checked by admin.rules (Thai)."""

    satisfaction_target_pct: float
    within_standard_target_pct: float


class HolidayIn(Strict):
    day: str = Field(max_length=_SHORT)
    name: str = Field(default="", max_length=_TEXT)


class HolidayYearIn(Strict):
    holidays: list[HolidayIn] = Field(max_length=100)


class ServiceFields(Strict):
    prefix: str = Field(max_length=_SHORT)
    name_th: str = Field(max_length=_TEXT)
    name_en: str = Field(max_length=_TEXT)
    group: str = Field(default="", max_length=_SHORT)
    standard_minutes: int = 15
    wait_target_minutes: int = 15
    # When a changed standard or wait target takes effect (YYYY-MM-DD; default today).
    effective_from: str | None = Field(default=None, max_length=10)
    daily_cap: int | None = None
    issue_cutoff: str | None = Field(default=None, max_length=_SHORT)
    position: int = 0
    active: bool = True


class ServiceIn(ServiceFields):
    code: str = Field(max_length=_SHORT)


class ManualIn(Strict):
    """A service's citizen manual; lists are [Thai, English] pairs in order. The processing
    time is the service's standard (edit the service), not part of the manual."""

    steps: list[tuple[str, str]] = Field(default_factory=list, max_length=30)
    documents: list[tuple[str, str]] = Field(default_factory=list, max_length=30)
    fee_baht: int = Field(default=0, ge=0, le=1_000_000)
    fee_note_th: str = Field(default="", max_length=300)
    fee_note_en: str = Field(default="", max_length=300)
    legal_basis_th: str = Field(default="", max_length=500)
    legal_basis_en: str = Field(default="", max_length=500)
    source_url: str = Field(default="", max_length=500)


class ServicePatch(Strict):
    prefix: str | None = Field(default=None, max_length=_SHORT)
    name_th: str | None = Field(default=None, max_length=_TEXT)
    name_en: str | None = Field(default=None, max_length=_TEXT)
    group: str | None = Field(default=None, max_length=_SHORT)
    standard_minutes: int | None = None
    wait_target_minutes: int | None = None
    effective_from: str | None = Field(default=None, max_length=10)
    daily_cap: int | None = None
    issue_cutoff: str | None = Field(default=None, max_length=_SHORT)
    position: int | None = None
    active: bool | None = None


class CounterSlotIn(Strict):
    service: str = Field(max_length=_SHORT, description="service code")
    position: int = 0
    weight: int = 1


class CounterIn(Strict):
    number: int
    name: str = Field(default="", max_length=_TEXT)
    mode: str = Field(default="order", max_length=_SHORT)
    priority_share: int = 1
    normal_share: int = 1
    ageing_cap_minutes: int = 30
    # Checked-in bookings called in a row, ahead of waiting walk-ins, before a walk-in's turn.
    booked_in_row: int = 2
    active: bool = True
    services: list[CounterSlotIn] = Field(default_factory=list, max_length=500)


class CounterPatch(Strict):
    number: int | None = None
    name: str | None = Field(default=None, max_length=_TEXT)
    mode: str | None = Field(default=None, max_length=_SHORT)
    priority_share: int | None = None
    normal_share: int | None = None
    ageing_cap_minutes: int | None = None
    booked_in_row: int | None = None
    active: bool | None = None
    services: list[CounterSlotIn] | None = Field(default=None, max_length=500)


class StaffIn(Strict):
    username: str = Field(max_length=_SHORT)
    display_name: str = Field(default="", max_length=_TEXT)
    role: str = Field(default="staff", max_length=_SHORT)


class StaffUpdate(Strict):
    display_name: str | None = Field(default=None, max_length=_TEXT)
    role: str | None = Field(default=None, max_length=_SHORT)
    active: bool | None = None


class DeviceIn(Strict):
    """A new device given its token by the server (the command line)."""

    kind: str = Field(max_length=_SHORT)
    name: str = Field(max_length=_TEXT)
    printer: str | None = Field(default=None, max_length=_TEXT)


class PairIn(DeviceIn):
    """A new device paired by the code its screen shows (Admin → Devices)."""

    code: str = Field(max_length=_SHORT)


class DeviceUpdate(Strict):
    name: str | None = Field(default=None, max_length=_TEXT)
    printer: str | None = Field(default=None, max_length=_TEXT)


class ShareIn(Strict):
    username: str = Field(max_length=_SHORT)


class ImportIn(Strict):
    office: str = Field(max_length=_SHORT, description="code of the office to import into")
    format: str = Field(default="json", max_length=_SHORT)
    text: str
    dry_run: bool = False
