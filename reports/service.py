"""Report use cases: each seals the office's final days (reports/sealing.py), then reads the
period through one reader in one read transaction (reports/reader.py, every figure read once)
and shapes it: the summary and the evidence beside it (reports/summary.py), the dashboard and
the evidence pack's figures (reports/dashboard.py), the province comparison, and the summary
or the per-transaction rows as files (reports/exports.py)."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from counter import repository as counter_repo
from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.queue.errors import Forbidden, InvalidInput, NotFound
from counter.queue.thai import business_day
from reports import dashboard as dashboard_mod
from reports import exports, sealing
from reports import repository as repo
from reports import summary as summary_mod
from reports.periods import Period
from reports.reader import PeriodReader
from reports.text import ERR, EXPORT_SHEETS, err

R = TypeVar("R")


def _err(key: str, **values: object) -> InvalidInput:
    return InvalidInput(*err(key, **values))


class ReportService:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    async def _run(self, fn: Callable[[], R]) -> R:
        return await anyio.to_thread.run_sync(fn)

    async def now(self) -> datetime:
        return self.clock()

    async def today(self, office_id: int) -> date:
        """The office's current business day (its local date)."""

        def read() -> date:
            with self.db.read() as session:
                office = repo.office(session, office_id)
                if office is None:
                    raise NotFound(*ERR["no_office"])
                return business_day(self.clock(), office.timezone)

        return await self._run(read)

    async def options(self, office_id: int) -> dict[str, list[dict[str, Any]]]:
        """Services and counters for the dashboard's filters."""

        def read() -> dict[str, list[dict[str, Any]]]:
            with self.db.read() as session:
                services = counter_repo.services(session, office_id)
                counters = counter_repo.counters(session, office_id)
                return {
                    "services": [
                        {"id": s.id, "name_th": s.name_th, "prefix": s.prefix} for s in services
                    ],
                    "counters": [
                        {"id": c.id, "number": c.number, "name": c.name} for c in counters
                    ],
                }

        return await self._run(read)

    def seal(self, office_id: int) -> int:
        """Build and store the rollups of every final, unsealed day; returns how many."""
        return sealing.seal(self.db, self.clock, office_id)

    async def _read(self, office_id: int, fn: Callable[[PeriodReader], R]) -> R:
        """Seal, then `fn` of a reader of the office in one read transaction, off the loop."""

        def run() -> R:
            self.seal(office_id)
            with self.db.read() as session:
                return fn(PeriodReader.of(session, office_id, self.clock))

        return await self._run(run)

    async def summary(
        self, office_id: int, period: Period, *, include_staff: bool = False
    ) -> dict[str, Any]:
        """Metrics per service and overall, durations in seconds (the summary API)."""
        return await self._read(
            office_id, lambda r: summary_mod.summary(r, period, include_staff=include_staff)
        )

    async def compare(self, who: StaffPrincipal, period: Period) -> list[dict[str, Any]]:
        """The province comparison: each office this account may compare, with the overall
        figures of the same summary every other report reads (one engine, one definition)."""

        def run() -> list[dict[str, Any]]:
            with self.db.read() as session:
                offices = {o.id: o for o in repo.offices_shared_with(session, who.staff_id)}
                if who.role in (Role.ADMIN, Role.MANAGER):
                    own = repo.office(session, who.office_id)
                    if own is not None:
                        offices[own.id] = own
            if not offices:
                raise Forbidden(*ERR["province_forbidden"])
            out = []
            for office in sorted(offices.values(), key=lambda o: o.code):
                assert office.id is not None
                self.seal(office.id)
                with self.db.read() as session:
                    r = PeriodReader.of(session, office.id, self.clock)
                    summary = summary_mod.summary(r, period, include_staff=False)
                out.append({**summary["office"], **summary["overall"]})
            return out

        return await self._run(run)

    async def fairness(
        self, office_id: int, period: Period, *, include_staff: bool = False
    ) -> dict[str, Any]:
        """Calls in policy order per service line, every out-of-order call, priority and
        normal waits (reports/fairness.py)."""
        return await self._read(
            office_id, lambda r: summary_mod.fairness(r, period, include_staff=include_staff)
        )

    async def questionnaires(
        self, office_id: int, period: Period, *, free_text: bool
    ) -> dict[str, Any]:
        """Satisfaction per dimension and item, needs tallies (reports/questionnaire.py)."""

        def run() -> dict[str, Any]:
            with self.db.read() as session:
                return summary_mod.questionnaires(session, office_id, period, free_text=free_text)

        return await self._run(run)

    async def staff_assessment(self, office_id: int, period: Period) -> dict[str, Any]:
        """Per staff member (office head only): see reports/staff.py."""
        return await self._read(office_id, lambda r: summary_mod.staff_assessment(r, period))

    async def dashboard(
        self,
        office_id: int,
        period: Period,
        *,
        service_id: int | None = None,
        counter_id: int | None = None,
        include_staff: bool = False,
    ) -> dict[str, Any]:
        def make(r: PeriodReader) -> dict[str, Any]:
            if service_id is not None and service_id not in r.ctx.services:
                raise NotFound(*ERR["unknown_service"])
            if counter_id is not None and counter_id not in r.ctx.counters:
                raise NotFound(*ERR["unknown_counter"])
            return dashboard_mod.dashboard(r, period, service_id, counter_id, include_staff)

        return await self._read(office_id, make)

    async def evidence(self, office_id: int, fy: int, *, gecc: bool = False) -> dict[str, Any]:
        """The fiscal year's evidence pack's figures (reports/dashboard.py::evidence)."""
        return await self._read(office_id, lambda r: dashboard_mod.evidence(r, fy, gecc=gecc))

    async def export(
        self, office_id: int, period: Period, what: str, fmt: str, *, include_staff: bool
    ) -> tuple[Path, str]:
        """A temporary file of the summary or the per-transaction rows; (path, download name)."""
        if fmt not in ("csv", "xlsx") or what not in ("summary", "rows"):
            raise _err("bad_format")
        return await self._run(
            lambda: self.export_sync(office_id, period, what, fmt, include_staff=include_staff)
        )

    def export_sync(
        self, office_id: int, period: Period, what: str, fmt: str, *, include_staff: bool
    ) -> tuple[Path, str]:
        self.seal(office_id)
        fd, name = tempfile.mkstemp(prefix="saduak-report-", suffix=f".{fmt}")
        os.close(fd)
        path = Path(name)
        try:
            with self.db.read() as session:
                r = PeriodReader.of(session, office_id, self.clock)
                ctx = r.ctx
                if what == "summary":
                    _export_summary(r, period, fmt, path)
                else:
                    _export_rows(r, period, fmt, path, include_staff)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        download = f"saduak-{ctx.office.code}-{what}-{period.first}-{period.last}.{fmt}"
        return path, download


def _export_summary(r: PeriodReader, period: Period, fmt: str, path: Path) -> None:
    ctx = r.ctx
    summary = summary_mod.summary(r, period, include_staff=False)
    rows = exports.summary_rows(summary)
    if fmt == "csv":
        exports.write_csv(path, exports.SUMMARY_HEADER, rows)
        return
    title = f"{ctx.office.name_th} {period.label_th}"
    exports.write_xlsx(
        path,
        [
            (EXPORT_SHEETS["summary"], exports.SUMMARY_HEADER, rows, [34] + [12] * 35),
            (EXPORT_SHEETS["satisfaction"], None, exports.satisfaction_rows(summary), [60, 10]),
            (EXPORT_SHEETS["definitions"], None, exports.definitions_rows(), [90, 90]),
        ],
        title=title,
        preamble=exports.covers(summary),
    )


def _export_rows(
    r: PeriodReader, period: Period, fmt: str, path: Path, include_staff: bool
) -> None:
    ctx = r.ctx
    live = r.live(period).facts
    facts = itertools.chain(
        repo.fact_rows_for_export(r.session, ctx.office_id, period.first, period.last),
        (
            [f[k] for k in repo.EXPORT_FIELDS]
            for f in sorted(live, key=lambda f: (f["business_day"], f["queued_at"]))
        ),
    )
    rows = exports.transaction_rows(
        facts,
        tz=ctx.clock.tz,
        services=ctx.services,
        counters=ctx.counters,
        staff=ctx.staff if include_staff else None,
        for_excel=fmt == "xlsx",
        thresholds=ctx.thresholds,
    )
    header = exports.ROWS_HEADER + ([exports.STAFF_HEADER] if include_staff else [])
    if fmt == "csv":
        exports.write_csv(path, header, rows)
        return
    exports.write_xlsx(
        path,
        [
            (
                EXPORT_SHEETS["rows"],
                header,
                rows,
                [11, 13, 9, 6, 18, 30] + [12] * 18 + [34, 14],
            ),
            (EXPORT_SHEETS["definitions"], None, exports.definitions_rows(), [90, 90]),
        ],
        title=f"{ctx.office.name_th} {period.label_th}",
    )
