"""Citizen manuals (คู่มือสำหรับประชาชน): steps, documents, fee, processing time, legal basis and
source of each service, read by the kiosk, the status page, the standards board, the reports and
the admin alike."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from sqlmodel import Session, col, select

from counter import repository as repo
from counter.models import Service, ServiceManual
from counter.queue.errors import InvalidInput
from counter.standards import histories, standard_in_force
from counter.texts import say

Pair = tuple[str, str]

# DOPA no longer asks for copies of the ID card or house registration; a manual that does is
# refused (the words a copy request is written with, and what it is a copy of).
COPY_WORDS = ("สำเนา", "copy of", "photocopy")
COPY_OF = ("บัตรประจำตัวประชาชน", "ทะเบียนบ้าน", "id card", "house regist")


@dataclass(frozen=True)
class Manual:
    service_id: int
    code: str
    name_th: str
    name_en: str
    steps: list[Pair]
    documents: list[Pair]
    fee_baht: int
    fee_note_th: str
    fee_note_en: str
    # The service's standard time in force on the day asked for (counter/standards.py): the
    # one number the reports rate service against, never a second copy kept in the manual.
    processing_minutes: int
    legal_basis_th: str
    legal_basis_en: str
    source_url: str
    edited: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def _bundled() -> dict[str, Any]:
    text = resources.files("counter.data").joinpath("service-manuals.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def _catalogue_fees() -> dict[str, tuple[int, str]]:
    from counter.seed import catalogue

    return {item.code: (item.fee_baht, item.source_url) for item in catalogue()}


def processing_minutes(session: Session, service: Service, day: date) -> int:
    """The processing time a manual states: the service's standard in force that day."""
    return standard_in_force(session, service, day).standard_minutes


def _pairs(value: Any) -> list[Pair]:
    return [(str(p[0]), str(p[1]) if len(p) > 1 else "") for p in value or [] if p and p[0]]


def bundled_manual(service: Service, minutes: int | None = None) -> Manual:
    """The catalogue's manual of a service (empty for a service the catalogue does not know);
    `minutes` is the standard in force (default: the service's current standard)."""
    assert service.id is not None
    data = _bundled()
    entry = data["services"].get(service.code, {})
    legal = data["_legal"].get(entry.get("legal", ""), ["", ""])
    fee, source = _catalogue_fees().get(service.code, (0, ""))
    fee_note = entry.get("fee_note", ["", ""])
    return Manual(
        service_id=service.id,
        code=service.code,
        name_th=service.name_th,
        name_en=service.name_en,
        steps=_pairs(entry.get("steps")),
        documents=_pairs(entry.get("documents")),
        fee_baht=fee,
        fee_note_th=fee_note[0],
        fee_note_en=fee_note[1],
        processing_minutes=service.standard_minutes if minutes is None else minutes,
        legal_basis_th=legal[0],
        legal_basis_en=legal[1],
        source_url=source,
        edited=False,
    )


def _of_row(service: Service, row: ServiceManual, minutes: int) -> Manual:
    assert service.id is not None
    return Manual(
        service_id=service.id,
        code=service.code,
        name_th=service.name_th,
        name_en=service.name_en,
        steps=_pairs(row.steps),
        documents=_pairs(row.documents),
        fee_baht=row.fee_baht,
        fee_note_th=row.fee_note_th,
        fee_note_en=row.fee_note_en,
        processing_minutes=minutes,
        legal_basis_th=row.legal_basis_th,
        legal_basis_en=row.legal_basis_en,
        source_url=row.source_url,
        edited=True,
    )


def manual_of(session: Session, service: Service, day: date) -> Manual:
    """The manual citizens read on `day` (the office's local day)."""
    row = session.get(ServiceManual, service.id)
    minutes = processing_minutes(session, service, day)
    return bundled_manual(service, minutes) if row is None else _of_row(service, row, minutes)


def manuals(
    session: Session, office_id: int, day: date, *, active_only: bool = True
) -> list[Manual]:
    """Every service's manual on `day`, in the office's service order."""
    services = [s for s in repo.services(session, office_id) if s.active or not active_only]
    standards = histories(session, services)
    ids = [s.id for s in services]
    rows = {
        r.service_id: r
        for r in session.exec(
            select(ServiceManual).where(col(ServiceManual.service_id).in_(ids))
        ).all()
    }
    out = []
    for s in services:
        assert s.id is not None
        minutes = standards[s.id].at(day).standard_minutes if s.id in standards else None
        if s.id in rows:
            out.append(_of_row(s, rows[s.id], s.standard_minutes if minutes is None else minutes))
        else:
            out.append(bundled_manual(s, minutes))
    return out


def asks_for_a_copy(text: str) -> bool:
    lowered = text.casefold()
    return any(w in lowered for w in COPY_WORDS) and any(w in lowered for w in COPY_OF)


def save_manual(
    session: Session,
    service: Service,
    *,
    steps: Sequence[Pair],
    documents: Sequence[Pair],
    fee_baht: int,
    fee_note: Pair,
    legal_basis: Pair,
    source_url: str,
    now: datetime,
    day: date,
) -> Manual:
    """Store the office's edit of a manual (validated); returns what citizens will now read."""
    for th, en in documents:
        if asks_for_a_copy(th) or asks_for_a_copy(en):
            raise InvalidInput(*say("manual_asks_for_copy"))
    if fee_baht < 0:
        raise InvalidInput(*say("negative_fee"))
    if source_url and not source_url.startswith(("http://", "https://")):
        raise InvalidInput(*say("source_url"))
    row = session.get(ServiceManual, service.id)
    if row is None:
        assert service.id is not None
        row = ServiceManual(service_id=service.id)
        session.add(row)
    row.steps = [[th.strip(), en.strip()] for th, en in steps if th.strip()]
    row.documents = [[th.strip(), en.strip()] for th, en in documents if th.strip()]
    row.fee_baht = fee_baht
    row.fee_note_th, row.fee_note_en = fee_note[0].strip(), fee_note[1].strip()
    row.legal_basis_th, row.legal_basis_en = legal_basis[0].strip(), legal_basis[1].strip()
    row.source_url = source_url.strip()
    row.updated_at = now
    session.flush()
    return _of_row(service, row, processing_minutes(session, service, day))


async def read_manuals(db: Any, office_id: int, day: date) -> dict[str, Manual]:
    """Service code -> manual on `day`, read off the event loop (for pages and APIs)."""
    import anyio.to_thread

    def read() -> dict[str, Manual]:
        with db.read() as session:
            return {m.code: m for m in manuals(session, office_id, day)}

    return await anyio.to_thread.run_sync(read)
