"""Thai calendar conventions: Buddhist Era dates, the 1 October fiscal year, Thai digits."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

BANGKOK = "Asia/Bangkok"
BE_OFFSET = 543

# A BE year below this is almost certainly a CE year passed by mistake (2026 CE would silently
# become FY 2026 BE = 1483 CE); no office has records from before 1857 CE.
_MIN_BE_YEAR = 2400

MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
MONTHS_LONG = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)

# Thai weekday names, Monday first (Python's and Intl's ISO order).
WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# Fiscal quarter -> ((month, day) first, (month, day) last); no quarter ends in February, so the
# last days are fixed. Q1 lies in the CE year before the one the fiscal year ends in.
_QUARTERS = {
    1: ((10, 1), (12, 31)),
    2: ((1, 1), (3, 31)),
    3: ((4, 1), (6, 30)),
    4: ((7, 1), (9, 30)),
}


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _require_aware(value: datetime) -> None:
    # A naive datetime could be UTC (as stored) or local wall time; guessing shifts dates by 7 h.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC as stored)")


def _local_date(value: date | datetime, tz: str | tzinfo) -> date:
    if isinstance(value, datetime):
        return business_day(value, tz)
    return value


def business_day(instant: datetime, tz: str | tzinfo = BANGKOK) -> date:
    """The office's local calendar date of an aware instant (ticket numbering restarts on it)."""
    _require_aware(instant)
    return instant.astimezone(_zone(tz)).date()


def be_year(d: date | datetime, *, tz: str | tzinfo = BANGKOK) -> int:
    """Buddhist Era year of a date, or of an aware instant's local date."""
    return _local_date(d, tz).year + BE_OFFSET


def to_thai_digits(s: str | int) -> str:
    """Replace Arabic digits with Thai digits (๐–๙), leaving every other character alone."""
    return str(s).translate(_THAI_DIGITS)


def format_thai_time(instant: datetime, *, tz: str | tzinfo = BANGKOK) -> str:
    """'10.35 น.' in the office's timezone."""
    _require_aware(instant)
    local = instant.astimezone(_zone(tz))
    return f"{local:%H.%M} น."


def format_thai_date(
    value: date | datetime, *, tz: str | tzinfo = BANGKOK, with_time: bool = False
) -> str:
    """'26 พ.ย. 2569', or with time '26 พ.ย. 2569 10.35 น.'; aware datetimes shown in `tz`."""
    d = _local_date(value, tz)
    text = f"{d.day} {MONTHS_SHORT[d.month - 1]} {d.year + BE_OFFSET}"
    return _with_time(text, value, tz, with_time=with_time, joiner=" ")


def format_thai_date_long(
    value: date | datetime, *, tz: str | tzinfo = BANGKOK, with_time: bool = False
) -> str:
    """'26 พฤศจิกายน พ.ศ. 2569', or with time '26 พฤศจิกายน พ.ศ. 2569 เวลา 10.35 น.'."""
    d = _local_date(value, tz)
    text = f"{d.day} {MONTHS_LONG[d.month - 1]} พ.ศ. {d.year + BE_OFFSET}"
    return _with_time(text, value, tz, with_time=with_time, joiner=" เวลา ")


def _with_time(
    text: str, value: date | datetime, tz: str | tzinfo, *, with_time: bool, joiner: str
) -> str:
    if not with_time:
        return text
    if not isinstance(value, datetime):
        raise ValueError("with_time=True needs a datetime, not a date")
    return f"{text}{joiner}{format_thai_time(value, tz=tz)}"


def fiscal_year(d: date | datetime, *, tz: str | tzinfo = BANGKOK) -> int:
    """The BE year the Thai fiscal year (1 Oct – 30 Sep) containing `d` ends in."""
    local = _local_date(d, tz)
    ce_end_year = local.year + 1 if local.month >= 10 else local.year
    return ce_end_year + BE_OFFSET


def fiscal_quarter(d: date | datetime, *, tz: str | tzinfo = BANGKOK) -> tuple[int, int]:
    """(fiscal year, quarter): Q1 Oct–Dec, Q2 Jan–Mar, Q3 Apr–Jun, Q4 Jul–Sep."""
    local = _local_date(d, tz)
    # (month + 2) % 12 counts the months since October.
    quarter = (local.month + 2) % 12 // 3 + 1
    return fiscal_year(local), quarter


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """First and last CE dates (inclusive) of BE fiscal year `fy`."""
    ce_end_year = _ce_end_year(fy)
    return date(ce_end_year - 1, 10, 1), date(ce_end_year, 9, 30)


def fiscal_quarter_range(fy: int, q: int) -> tuple[date, date]:
    """First and last CE dates (inclusive) of quarter `q` of BE fiscal year `fy`."""
    if q not in _QUARTERS:
        raise ValueError(f"fiscal quarter must be 1–4, got {q}")
    year = _ce_end_year(fy) - 1 if q == 1 else _ce_end_year(fy)
    (first_month, first_day), (last_month, last_day) = _QUARTERS[q]
    return date(year, first_month, first_day), date(year, last_month, last_day)


def _ce_end_year(fy: int) -> int:
    if fy < _MIN_BE_YEAR:
        raise ValueError(f"fiscal year {fy} looks like a CE year; fiscal years are named in BE")
    return fy - BE_OFFSET
