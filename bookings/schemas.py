"""Bodies and answers of the booking API."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field

from bookings.rules import format_code
from bookings.service import BookableServiceView, BookingView, DaySlots
from bookings.text import DAY_NOTE, SOURCE, STATUS, WEEKDAYS
from counter.queue.thai import format_thai_date
from counter.schemas import Strict


class SlotOut(BaseModel):
    time: str
    start: datetime
    capacity: int
    booked: int
    remaining: int


class SlotsOut(BaseModel):
    service: str
    date: date
    slots: list[SlotOut]
    # Why the day cannot be booked; null when it can.
    closed: str | None = None
    closed_th: str = ""
    closed_en: str = ""

    @classmethod
    def of(cls, day: DaySlots) -> SlotsOut:
        return cls(
            service=day.service,
            date=day.day,
            slots=[
                SlotOut(
                    time=s.time,
                    start=s.start,
                    capacity=s.capacity,
                    booked=s.booked,
                    remaining=s.remaining,
                )
                for s in day.slots
            ],
            closed=day.closed,
            closed_th=day.closed_th,
            closed_en=day.closed_en,
        )


class DayOut(BaseModel):
    date: date
    label_th: str
    label_en: str
    remaining: int
    closed: str | None = None
    closed_th: str = ""
    # The reason in a word or two, for the day picker.
    note_th: str = ""
    note_en: str = ""


def day_out(day: DaySlots) -> DayOut:
    th_day, en_day = WEEKDAYS[day.day.weekday()]
    note_th, note_en = DAY_NOTE.get(day.closed or "", ("", ""))
    return DayOut(
        date=day.day,
        label_th=f"{th_day} {format_thai_date(day.day)}",
        label_en=f"{en_day} {day.day:%d %b %Y}",
        remaining=sum(s.remaining for s in day.slots),
        closed=day.closed,
        closed_th=day.closed_th,
        note_th=note_th,
        note_en=note_en,
    )


class BookingIn(Strict):
    office: str | None = Field(default=None, max_length=32)
    service: str = Field(min_length=1, max_length=64)
    date: date
    time: str = Field(min_length=4, max_length=8)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(max_length=20)
    # The PDPA consent line of the booking page; staff booking for a caller need not send it.
    consent: bool = False


class MoveIn(Strict):
    date: date
    time: str = Field(min_length=4, max_length=8)


def mask_phone(phone: str) -> str:
    """What anyone holding the code sees of the phone: its last three digits."""
    return "•" * max(0, len(phone) - 3) + phone[-3:] if phone else ""


class BookingOut(BaseModel):
    code: str
    code_text: str
    office: str
    office_th: str
    office_en: str
    service: str
    service_th: str
    service_en: str
    date: date
    time: str
    slot_minutes: int
    when_th: str
    name: str
    phone: str
    source: str
    source_th: str
    status: str
    status_th: str
    status_en: str
    checked_in_at: datetime | None
    ticket_number: str | None
    manage_url: str

    @classmethod
    def of(cls, view: BookingView, *, private: bool) -> BookingOut:
        """`private`: staff of the office see the name and phone; anyone else a masked phone
        and the name as given (the code is the only key, and it is not guessable)."""
        status_th, status_en = STATUS[view.status]
        return cls(
            code=view.code,
            code_text=format_code(view.code),
            office=view.office_code,
            office_th=view.office_th,
            office_en=view.office_en,
            service=view.service,
            service_th=view.service_th,
            service_en=view.service_en,
            date=view.day,
            time=view.time,
            slot_minutes=view.slot_minutes,
            when_th=view.when_th,
            name=view.name,
            phone=view.phone if private else mask_phone(view.phone),
            source=view.source,
            source_th=SOURCE[view.source][0],
            status=view.status,
            status_th=status_th,
            status_en=status_en,
            checked_in_at=view.checked_in_at,
            ticket_number=view.ticket_number,
            manage_url=f"/book/{view.code}",
        )


class OfficeRulesIn(Strict):
    check_in_before: int = Field(ge=0, le=240)
    check_in_after: int = Field(ge=0, le=240)
    per_phone_per_day: int = Field(ge=1, le=20)


class SettingsOut(BaseModel):
    check_in_before: int
    check_in_after: int
    per_phone_per_day: int
    import_columns: dict[str, str]


class ServiceRulesIn(Strict):
    enabled: bool = True
    slot_minutes: int = Field(default=30, ge=5, le=240)
    # Null: derived from the counters serving the service and its standard time.
    capacity: int | None = Field(default=None, ge=0, le=500)
    share_pct: int = Field(default=50, ge=0, le=100)
    window_days: int = Field(default=15, ge=1, le=90)
    cutoff: time = time(16, 0)


class BookableServiceOut(BaseModel):
    code: str
    name_th: str
    name_en: str
    enabled: bool
    slot_minutes: int
    capacity: int
    capacity_set: int | None
    derived_capacity: int
    counters: int
    standard_minutes: int
    share_pct: int
    window_days: int
    cutoff: str

    @classmethod
    def of(cls, v: BookableServiceView) -> BookableServiceOut:
        return cls(
            code=v.code,
            name_th=v.name_th,
            name_en=v.name_en,
            enabled=v.rules.enabled,
            slot_minutes=v.rules.slot_minutes,
            capacity=v.capacity,
            capacity_set=v.rules.capacity,
            derived_capacity=v.derived_capacity,
            counters=v.counters,
            standard_minutes=v.standard_minutes,
            share_pct=v.rules.share_pct,
            window_days=v.rules.window_days,
            cutoff=v.rules.cutoff.strftime("%H:%M"),
        )


class ImportIn(Strict):
    csv: str = Field(min_length=1, max_length=60_000)
    # Our field -> the file's column heading; default: the office's saved mapping.
    columns: dict[str, str] | None = None
    # Keep `columns` as the office's mapping for the next files.
    save_columns: bool = False


class ImportOut(BaseModel):
    added: int
    updated: int
    skipped: list[tuple[int, str]]
