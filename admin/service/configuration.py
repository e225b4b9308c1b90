"""Configuration files: exporting an office's set-up and rolling it out to another, all or
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session

from admin import config_io, rules
from admin import repository as arepo
from admin.audit import changed_fields, office_snapshot
from admin.schemas import ImportIn
from admin.service.base import AdminCore
from admin.service.counters import counter_state, save_counter
from admin.service.offices import apply_office_options
from admin.service.services import create_service, update_service
from admin.service.shared import AdminTx, DryRun
from admin.text import message
from counter import repository as repo
from counter.auth import StaffPrincipal
from counter.models import Holiday
from counter.queue.errors import Conflict, Forbidden, InvalidInput, NotFound
from counter.texts import say


class ConfigurationUseCases(AdminCore):
    """Configuration files out of and into an office."""

    async def export_config(self, office_id: int) -> dict[str, Any]:
        now = self.clock()

        def read(session: Session) -> dict[str, Any]:
            return _export(session, office_id, now)

        return await self._read(read)

    async def import_config(self, actor: StaffPrincipal, body: ImportIn) -> dict[str, Any]:
        """Roll another office's configuration out to this one, all or nothing; a dry run
        reports what would change and changes nothing."""
        document = config_io.parse(body.text, body.format)
        code = body.office.strip()

        def work(tx: AdminTx) -> dict[str, Any]:
            if code != tx.office.code:
                if repo.office_by_code(tx.session, code) is None:
                    raise NotFound(*message("office_not_found", code=code))
                raise Forbidden(*message("office_code_mismatch", own=tx.office.code, code=code))
            before = _export(tx.session, tx.office_id, tx.now)
            summary = apply_document(tx, document)
            after = _export(tx.session, tx.office_id, tx.now)
            result = {"office": tx.office.code, "dry_run": body.dry_run, "summary": summary}
            if body.dry_run:
                raise DryRun(result)
            before.pop("exported_at", None)
            after.pop("exported_at", None)
            if before != after:
                tx.audit("config.import", f"office:{tx.office.code}", before, after)
                tx.changed.update({"office", "services", "counters"})
            return result

        try:
            return await self._write(actor, work)
        except DryRun as dry:
            result: dict[str, Any] = dry.result
            return result


def _export(session: Session, office_id: int, now: datetime) -> dict[str, Any]:
    office = repo.get_office(session, office_id)
    if office is None:
        raise NotFound(*say("no_office", office_id=office_id))
    return config_io.build(
        office,
        arepo.office_settings(session, office_id),
        repo.services(session, office_id),
        repo.counters(session, office_id),
        arepo.all_counter_services(session, office_id),
        arepo.holiday_rows(session, office_id),
        now,
    )


def apply_document(tx: AdminTx, document: config_io.ConfigDoc) -> dict[str, Any]:
    """Apply a configuration file inside the current transaction; returns what changed."""
    summary: dict[str, Any] = {
        "office": [],
        "services": {"created": [], "updated": []},
        "counters": {"created": [], "updated": []},
        "holidays": {"created": [], "updated": []},
    }
    if document.office is not None:
        settings = arepo.office_settings_for_update(tx.session, tx.office_id)
        before = office_snapshot(tx.office, settings)
        apply_office_options(tx.office, settings, document.office)
        after = office_snapshot(tx.office, settings)
        summary["office"] = changed_fields(before, after)
        if before != after:
            tx.changed.add("office")
    for index, item in enumerate(document.services):
        with _where(f"services[{index}] ({item.code})"):
            existing = repo.service_by_code(tx.session, tx.office_id, item.code.strip())
            if existing is None:
                create_service(tx, item)
                summary["services"]["created"].append(item.code)
            elif update_service(tx, existing, item):
                summary["services"]["updated"].append(item.code)
    tx.session.flush()
    for index, counter_item in enumerate(document.counters):
        with _where(f"counters[{index}] ({counter_item.number})"):
            found = repo.counter_by_number(tx.session, tx.office_id, counter_item.number)
            before_state = counter_state(tx.session, found) if found is not None else None
            saved = save_counter(tx, found, counter_item)
            if found is None:
                summary["counters"]["created"].append(counter_item.number)
            elif before_state != counter_state(tx.session, saved):
                summary["counters"]["updated"].append(counter_item.number)
    for index, holiday_item in enumerate(document.holidays):
        with _where(f"holidays[{index}]"):
            day = rules.day(holiday_item.day)
            name = rules.text(holiday_item.name, "holiday_name", 200)
            row = arepo.holiday_on(tx.session, tx.office_id, day)
            if row is None:
                tx.session.add(Holiday(office_id=tx.office_id, day=day, name=name))
                summary["holidays"]["created"].append(day.isoformat())
            elif row.name != name:
                row.name = name
                summary["holidays"]["updated"].append(day.isoformat())
    tx.session.flush()
    return summary


@contextmanager
def _where(where: str) -> Iterator[None]:
    """Names the item of a configuration file an error came from."""
    try:
        yield
    except (InvalidInput, Conflict) as exc:
        raise InvalidInput(
            *message("config_invalid", where=where, detail_th=exc.th, detail_en=exc.en)
        ) from exc
