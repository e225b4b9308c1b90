"""Report periods (day, week, month, fiscal quarter, fiscal year, custom) and their Thai labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from counter.queue.errors import InvalidInput
from counter.queue.thai import (
    BE_OFFSET,
    MONTHS_LONG,
    MONTHS_SHORT,
    fiscal_quarter,
    fiscal_quarter_range,
    fiscal_year,
    fiscal_year_range,
    format_thai_date,
)
from reports.text import err, period_label

# A custom range up to two fiscal years: longer asks are almost always a typo.
MAX_RANGE_DAYS = 731
_MIN_BE_YEAR = 2400
# The earliest year a report may ask for; no office kept queues on this system before it.
_MIN_CE_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month | quarter | fy | custom
    first: date
    last: date
    label_th: str
    label_en: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days": self.days,
            "label_th": self.label_th,
            "label_en": self.label_en,
        }


def _err(key: str, **values: object) -> InvalidInput:
    return InvalidInput(*err(key, **values))


def parse_date(value: str) -> date:
    """A CE ISO date from a query string; a Buddhist Era year gets its own message."""
    text = value.strip()
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise _err("bad_date", value=repr(value[:40])) from None
    if len(text) != 10:
        # Only the plain YYYY-MM-DD form: 20261127 or week dates are more likely mistakes.
        raise _err("bad_date", value=repr(value[:40]))
    if parsed.year >= _MIN_BE_YEAR:
        raise _err("be_year", year=parsed.year)
    if parsed.year < _MIN_CE_YEAR:
        # Far dates overflow the time-zone arithmetic of a business day (year 1 has no day before).
        raise _err("date_range", value=text, first=_MIN_CE_YEAR, last=_MIN_BE_YEAR - 1)
    return parsed


def parse_fy(value: str | int) -> int:
    try:
        fy = int(value)
    except (TypeError, ValueError):
        raise _err("bad_fy", value=repr(str(value)[:20])) from None
    if not _MIN_BE_YEAR <= fy <= 2800:
        raise _err("bad_fy", value=fy)
    return fy


def custom(first: date, last: date) -> Period:
    if first > last:
        raise _err("range_order")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise _err("range_long", days=MAX_RANGE_DAYS)
    if first == last:
        return day(first)
    th = f"{format_thai_date(first)} – {format_thai_date(last)}"
    return Period("custom", first, last, th, f"{first.isoformat()} – {last.isoformat()}")


def day(d: date) -> Period:
    return Period("day", d, d, *period_label("day", date=format_thai_date(d), iso=d.isoformat()))


def week(d: date) -> Period:
    """Monday to Sunday around `d`."""
    first = d - timedelta(days=d.weekday())
    last = first + timedelta(days=6)
    th, en = period_label(
        "week",
        first=format_thai_date(first),
        last=format_thai_date(last),
        first_iso=first.isoformat(),
        last_iso=last.isoformat(),
    )
    return Period("week", first, last, th, en)


def month(d: date) -> Period:
    first = d.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    th, en = period_label(
        "month", month=MONTHS_LONG[d.month - 1], year=d.year + BE_OFFSET, en=f"{first:%B %Y}"
    )
    return Period("month", first, nxt - timedelta(days=1), th, en)


def quarter(fy: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise _err("bad_quarter")
    first, last = fiscal_quarter_range(parse_fy(fy), q)
    # THAI-TERMS.md: a quarter names its months, "ไตรมาสที่ 1 (ต.ค.–ธ.ค. 2568)".
    th, en = period_label(
        "quarter",
        q=q,
        fy=fy,
        first=MONTHS_SHORT[first.month - 1],
        last=MONTHS_SHORT[last.month - 1],
        year=last.year + BE_OFFSET,
    )
    return Period("quarter", first, last, th, en)


def quarter_of(d: date) -> Period:
    fy, q = fiscal_quarter(d)
    return quarter(fy, q)


def fiscal(fy: int) -> Period:
    first, last = fiscal_year_range(parse_fy(fy))
    return Period("fy", first, last, *period_label("fy", fy=fy))


def fiscal_of(d: date) -> Period:
    return fiscal(fiscal_year(d))


def resolve(
    kind: str | None,
    today: date,
    *,
    on: str | None = None,
    first: str | None = None,
    last: str | None = None,
    fy: str | None = None,
    q: str | None = None,
) -> Period:
    """The period a page's query string asks for; defaults to the current month."""
    if first or last:
        start = parse_date(first) if first else parse_date(last or "")
        end = parse_date(last) if last else start
        return custom(start, end)
    anchor = parse_date(on) if on else today
    kind = kind or "month"
    if kind == "day":
        return day(anchor)
    if kind == "week":
        return week(anchor)
    if kind == "month":
        return month(anchor)
    if kind == "quarter":
        if fy and q:
            try:
                q_no = int(q)
            except ValueError:
                raise _err("bad_quarter") from None
            return quarter(parse_fy(fy), q_no)
        return quarter_of(anchor)
    if kind == "fy":
        return fiscal(parse_fy(fy)) if fy else fiscal_of(anchor)
    raise _err("bad_period")


def months_of(period: Period) -> list[tuple[date, date]]:
    """Calendar months overlapping the period, clipped to it."""
    out = []
    cur = period.first.replace(day=1)
    while cur <= period.last:
        nxt = (cur + timedelta(days=32)).replace(day=1)
        out.append((max(cur, period.first), min(nxt - timedelta(days=1), period.last)))
        cur = nxt
    return out
