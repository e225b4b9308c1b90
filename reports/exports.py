"""CSV and XLSX files of a period's summary and of its per-transaction rows."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from counter.queue.thai import format_thai_date
from reports import xlsx
from reports.rollup import ThresholdsAt
from reports.text import (
    ARRIVAL,
    BANDS,
    DEFINITIONS,
    EXPORT,
    EXPORT_ROWS_HEADER,
    EXPORT_STAFF_HEADER,
    EXPORT_SUMMARY_HEADER,
    OUTCOME,
    OUTSIDE,
    PRIORITY,
    T,
    heading,
)

# The column headings, Thai first (reports/text.py).
SUMMARY_HEADER = EXPORT_SUMMARY_HEADER
ROWS_HEADER = EXPORT_ROWS_HEADER
STAFF_HEADER = EXPORT_STAFF_HEADER


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """One row per service, then the overall row."""

    def row(name: str, m: dict[str, Any], standard: int | None) -> list[Any]:
        sat = m.get("satisfaction") or {}
        return [
            name,
            m["issued"],
            m["transferred_in"],
            m["served"],
            m["transferred"],
            m["no_show"],
            m["cancelled"],
            m["unserved"],
            _r(m["wait"]["mean"]),
            _r(m["wait"]["median"]),
            m["wait"]["p90"],
            m["wait"]["max"],
            _r(m["walk"]["mean"]),
            _r(m["service"]["mean"]),
            _r(m["service"]["median"]),
            m["service"]["p90"],
            m["service"]["max"],
            _r(m["total"]["mean"]),
            m["total"]["p90"],
            *[m["wait_bands"][key] for key, _, _ in BANDS],
            standard,
            _r(m["within_standard_pct"]),
            _r(m["within_target_pct"]),
            sat.get("respondents"),
            sat.get("answers"),
            _r(sat.get("mean"), 2),
            _r(sat.get("sd"), 2),
            _r(sat.get("percent")),
        ]

    rows = [row(s["name_th"], s, s["standard_minutes"]) for s in summary["services"]]
    rows.append(row(heading(T["overall"]), summary["overall"], None))
    return rows


def satisfaction_rows(summary: dict[str, Any]) -> list[list[Any]]:
    sat = summary["satisfaction"]
    columns = [EXPORT["item"], EXPORT["answers"], EXPORT["mean"], None, EXPORT["percent"]]
    rows: list[list[Any]] = [[heading(words) if words else "S.D." for words in columns]]
    for item in sat["items"]:
        rows.append(
            [
                f"{item['label_th']} / {item['label_en']}",
                item["answers"],
                _r(item["mean"], 2),
                _r(item["sd"], 2),
                _r(item["percent"]),
            ]
        )
    o = summary["overall"]["satisfaction"]
    rows.append(
        [
            heading(EXPORT["overall"]),
            o["answers"],
            _r(o["mean"], 2),
            _r(o["sd"], 2),
            _r(o["percent"]),
        ]
    )
    rows.append([])
    rows.append([heading(EXPORT["respondents"]), sat["respondents"]])
    rows.append([heading(T["visitors"]), sat["visitors"]])
    rows.append([heading(EXPORT["minimum_sample"]), sat["yamane_required"]])
    if sat.get("warning_th"):
        rows.append([sat["warning_th"]])
        rows.append([sat["warning_en"]])
    return rows


def transaction_rows(
    facts: Iterable[Sequence[Any]],
    *,
    tz: tzinfo,
    services: dict[int, Any],
    counters: dict[int, Any],
    staff: dict[int, Any] | None,
    for_excel: bool,
    thresholds: ThresholdsAt,
) -> Iterable[list[Any]]:
    """Export rows from report_transaction rows (fields as repository.fact_rows_for_export);
    each row is rated against the standard in force on its business day."""
    be_cache: dict[date, str] = {}
    # Plain tuples per service and counter: ORM attribute reads cost more than the row itself.
    svc = {sid: (s.code, s.name_th) for sid, s in services.items()}
    ctr = {cid: c.number for cid, c in counters.items()}
    priority_th = {k: v[0] for k, v in PRIORITY.items()}
    arrival_th = {k: v[0] for k, v in ARRIVAL.items()}
    outcome_th = {k: v[0] for k, v in OUTCOME.items()}
    outside_th = {k: v[0] for k, v in OUTSIDE.items()}
    for (
        day,
        number,
        txn,
        sid,
        priority,
        arrival,
        outcome,
        cid,
        stid,
        queued,
        called,
        started,
        ended,
        wait_s,
        walk_s,
        service_s,
        hold_s,
        total_s,
        recalls,
        outside,
        segments,
    ) in facts:
        code, name = svc.get(sid, (sid, ""))
        th = thresholds(sid, day)
        standard, target = th.standard_s, th.target_s
        be = be_cache.get(day)
        if be is None:
            be = be_cache[day] = format_thai_date(day)
        row: list[Any] = [
            day if for_excel else day.isoformat(),
            be,
            number,
            txn,
            code,
            name,
            priority_th.get(priority, priority or ""),
            arrival_th.get(arrival, arrival),
            outcome_th.get(outcome, outcome),
            ctr.get(cid) if cid is not None else None,
            _local(queued, tz, for_excel),
            _local(called, tz, for_excel),
            _local(started, tz, for_excel),
            _local(ended, tz, for_excel),
            wait_s,
            walk_s,
            service_s,
            hold_s,
            total_s,
            recalls,
            _yes(
                service_s is not None and standard is not None and service_s <= standard, service_s
            ),
            _yes(wait_s is not None and target is not None and wait_s <= target, wait_s),
            outside_th.get(outside, "") if outside else "",
            _segments(segments, started, ended, tz) if service_s is not None else "",
            _between(started, ended, service_s),
        ]
        if staff is not None:
            person = staff.get(stid) if stid is not None else None
            row.append((person.display_name or person.username) if person else "")
        yield row


def _segments(text: str | None, started: datetime, ended: datetime, tz: tzinfo) -> str:
    """Local wall-clock stretches of service, "08:06:00–08:10:00, 08:16:00–08:30:00": with
    the hold column a spreadsheet user recomputes the service time from them."""
    if text:
        pairs = [
            (datetime.fromtimestamp(int(a), UTC), datetime.fromtimestamp(int(b), UTC))
            for a, b in (part.split("-") for part in text.split(","))
        ]
    else:
        pairs = [(started, ended)]
    return ", ".join(f"{a.astimezone(tz):%H:%M:%S}–{b.astimezone(tz):%H:%M:%S}" for a, b in pairs)


def _between(started: datetime | None, ended: datetime | None, service_s: int | None) -> Any:
    """First start to end, less the service: held, or walking back after a call-back."""
    if started is None or ended is None or service_s is None:
        return None
    return round((ended - started).total_seconds()) - service_s


def _yes(ok: bool, value: object) -> str:
    if value is None:
        return ""
    return EXPORT["yes"][0] if ok else EXPORT["no"][0]


def _local(at: datetime | None, tz: tzinfo, for_excel: bool) -> datetime | str | None:
    if at is None:
        return None if for_excel else ""
    local = at.astimezone(tz)
    # Excel has no time zones: it gets the office's wall-clock time.
    return local.replace(tzinfo=None) if for_excel else local.isoformat(timespec="seconds")


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…);
# text from service or staff names must arrive as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: None empty, text that could start a formula behind a quote mark
    (the spreadsheet convention for "this is text"); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    # The byte-order mark makes Excel read the file as UTF-8, so Thai shows correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([csv_cell(v) for v in header])
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[str] | None, Iterable[Sequence[Any]], Sequence[int]]],
    *,
    title: str,
    preamble: Sequence[Sequence[Any]] = (),
) -> None:
    """Sheets of (name, header, rows, column widths), streamed into the file; `preamble`
    lines (what the file covers) head the first sheet."""
    xlsx.write(
        path,
        [
            xlsx.Sheet(n, h, r, w, preamble if i == 0 else ())
            for i, (n, h, r, w) in enumerate(sheets)
        ],
        title=title,
    )


def covers(summary: dict[str, Any]) -> list[list[Any]]:
    """What a summary file covers: office and period, Thai first."""
    office, period = summary["office"], summary["period"]
    return [
        [f"{heading(T['office'])}: {office['name_th']} ({office['code']})", office["name_en"]],
        [
            f"{heading(T['period'])}: {period['label_th']}",
            f"{period['from']} – {period['to']} ({period['days']} {heading(EXPORT['days'])})",
        ],
    ]


def definitions_rows() -> list[list[str]]:
    return [[th, en] for th, en in DEFINITIONS]
