"""The office itself: its settings, hours, holidays, targets, and the province accounts that may
see it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from admin import repository as arepo
from admin import rules
from admin.audit import Snapshot, holiday_snapshot, office_snapshot
from admin.models import OfficeSettings, ProvinceMember
from admin.schemas import HolidayIn, OfficeIn, TargetsIn
from admin.service.base import AdminCore
from admin.service.shared import AdminTx, conflict, not_found
from counter import repository as repo
from counter.auth import StaffPrincipal
from counter.models import Holiday, Office
from counter.queue.errors import NotFound
from counter.texts import say


class OfficeUseCases(AdminCore):
    """The office's settings, holidays and targets, and its province accounts."""

    async def office(self, office_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=office_id))
            return {
                "id": office.id,
                **office_snapshot(office, arepo.office_settings(session, office_id)),
                "holidays": [
                    {"id": h.id, **holiday_snapshot(h)}
                    for h in arepo.holiday_rows(session, office_id)
                ],
            }

        return await self._read(read)

    async def update_office(self, actor: StaffPrincipal, body: OfficeIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            settings = arepo.office_settings_for_update(tx.session, tx.office_id)
            before = office_snapshot(tx.office, settings)
            apply_office(tx.office, settings, body)
            after = office_snapshot(tx.office, settings)
            if before != after:
                tx.audit("office.update", f"office:{tx.office.code}", before, after)
                tx.changed.add("office")
            return after

        return await self._write(actor, work)

    async def add_holiday(self, actor: StaffPrincipal, body: HolidayIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            day = rules.day(body.day)
            name = rules.text(body.name, "holiday_name", 200)
            if arepo.holiday_on(tx.session, tx.office_id, day) is not None:
                raise conflict("holiday_exists", day=day.isoformat())
            row = Holiday(office_id=tx.office_id, day=day, name=name)
            tx.session.add(row)
            tx.session.flush()
            after = holiday_snapshot(row)
            tx.audit("holiday.add", f"holiday:{day.isoformat()}", None, after)
            tx.changed.add("office")
            return {"id": row.id, **after}

        return await self._write(actor, work)

    async def remove_holiday(self, actor: StaffPrincipal, holiday_id: int) -> None:
        def work(tx: AdminTx) -> None:
            row = arepo.holiday(tx.session, tx.office_id, holiday_id)
            if row is None:
                raise not_found("holiday_not_found")
            target = f"holiday:{row.day.isoformat()}"
            tx.audit("holiday.remove", target, holiday_snapshot(row), None)
            tx.session.delete(row)
            tx.changed.add("office")

        await self._write(actor, work)

    async def replace_holidays(
        self, actor: StaffPrincipal, year: int, items: Sequence[HolidayIn]
    ) -> list[Snapshot]:
        """The yearly edit: the list for one (CE) year becomes exactly `items`."""
        rules.whole(year, "year", 2000, 2200)

        def work(tx: AdminTx) -> list[Snapshot]:
            wanted: dict[date, str] = {}
            for item in items:
                day = rules.day(item.day)
                if day.year != year:
                    raise rules.invalid(
                        "holiday_year", day=day.isoformat(), year=year, year_be=year + 543
                    )
                if day in wanted:
                    raise rules.invalid("holiday_duplicate", day=day.isoformat())
                wanted[day] = rules.text(item.name, "holiday_name", 200)
            rows = arepo.holiday_rows(tx.session, tx.office_id)
            existing = [h for h in rows if h.day.year == year]
            before = [holiday_snapshot(h) for h in existing]
            for row in existing:
                if row.day in wanted:
                    row.name = wanted.pop(row.day)
                else:
                    tx.session.delete(row)
            for day, name in wanted.items():
                tx.session.add(Holiday(office_id=tx.office_id, day=day, name=name))
            tx.session.flush()
            after = [
                holiday_snapshot(h)
                for h in arepo.holiday_rows(tx.session, tx.office_id)
                if h.day.year == year
            ]
            if before != after:
                tx.audit(
                    "holiday.replace_year",
                    f"holidays:{year}",
                    {"holidays": before},
                    {"holidays": after},
                )
                tx.changed.add("office")
            return after

        return await self._write(actor, work)

    async def targets(self, office_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            return _targets(arepo.office_settings(session, office_id))

        return await self._read(read)

    async def set_targets(self, actor: StaffPrincipal, body: TargetsIn) -> dict[str, Any]:
        satisfaction = rules.percent(body.satisfaction_target_pct, "satisfaction_target_pct")
        within = rules.percent(body.within_standard_target_pct, "within_standard_target_pct")

        def work(tx: AdminTx) -> dict[str, Any]:
            settings = arepo.office_settings_for_update(tx.session, tx.office_id)
            before = _targets(settings)
            settings.satisfaction_target_pct = satisfaction
            settings.within_standard_target_pct = within
            after = _targets(settings)
            if before != after:
                tx.audit("office.targets", f"office:{tx.office.code}", before, after)
            return after

        return await self._write(actor, work)

    async def shares(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            out = []
            own = repo.get_office(session, office_id)
            for member, staff in arepo.shares_of_office(session, office_id):
                # Accounts of this office are shown by name; of other offices nothing beyond
                # the name typed, not even whether the account exists.
                ours = staff is not None and staff.office_id == office_id
                out.append(
                    {
                        "id": member.id,
                        "username": member.username,
                        "display_name": staff.display_name if staff and ours else "",
                        "office_code": own.code if own and ours else "",
                        "granted_at": member.granted_at.isoformat(),
                    }
                )
            return out

        return await self._read(read)

    async def grant_share(self, actor: StaffPrincipal, username: str) -> dict[str, Any]:
        name = rules.username(username)

        def work(tx: AdminTx) -> dict[str, Any]:
            if arepo.share(tx.session, tx.office_id, name) is not None:
                raise conflict("already_shared", username=name)
            # The same answer whether or not the name is an account: a 404 here would let an
            # admin list the accounts of every other office.
            staff = repo.staff_by_username(tx.session, name)
            member = ProvinceMember(
                office_id=tx.office_id,
                username=name,
                staff_id=staff.id if staff is not None else None,
                granted_by=actor.staff_id,
                granted_at=tx.now,
            )
            tx.session.add(member)
            tx.session.flush()
            after = {"username": name, "office": tx.office.code}
            tx.audit("province.grant", f"staff:{name}", None, after)
            return {"id": member.id, **after}

        return await self._write(actor, work)

    async def revoke_share(self, actor: StaffPrincipal, share_id: int) -> None:
        def work(tx: AdminTx) -> None:
            member = arepo.share_by_id(tx.session, tx.office_id, share_id)
            if member is None:
                raise not_found("share_not_found")
            username = member.username
            tx.audit(
                "province.revoke",
                f"staff:{username}",
                {"username": username, "office": tx.office.code},
                None,
            )
            tx.session.delete(member)

        await self._write(actor, work)


def _targets(settings: OfficeSettings) -> dict[str, Any]:
    return {
        "satisfaction_target_pct": settings.satisfaction_target_pct,
        "within_standard_target_pct": settings.within_standard_target_pct,
    }


def apply_office(office: Office, settings: OfficeSettings, body: OfficeIn) -> None:
    office.name_th = rules.text(body.name_th, "name_th", 200, required="name_th_required")
    office.name_en = rules.text(body.name_en, "name_en", 200, required="name_en_required")
    apply_office_options(office, settings, body)


def apply_office_options(office: Office, settings: OfficeSettings, body: OfficeIn) -> None:
    office.timezone = rules.timezone(body.timezone)
    office.opens, office.closes = rules.office_hours(body.opens, body.closes)
    office.saturday = body.saturday
    office.hours_enforced = body.hours_enforced
    office.footer_th = rules.text(body.footer_th, "footer_th", 300)
    office.footer_en = rules.text(body.footer_en, "footer_en", 300)
    office.display_message = rules.text(body.display_message, "display_message", 500)
    office.lunch_service = body.lunch_service
    settings.thai_digits = body.thai_digits
    settings.voice_repeat = rules.whole(body.voice_repeat, "voice_repeat", 1, 3)
    settings.voice_english = body.voice_english
    settings.voice_polite = rules.one_of(body.voice_polite, "voice_polite", ["ka", "krap"])
    if body.satisfaction_target_pct is not None:
        settings.satisfaction_target_pct = body.satisfaction_target_pct
    if body.within_standard_target_pct is not None:
        settings.within_standard_target_pct = body.within_standard_target_pct
