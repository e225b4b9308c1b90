"""The office's counters and the services each serves."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from admin import repository as arepo
from admin import rules
from admin.audit import Snapshot, counter_snapshot
from admin.schemas import CounterIn, CounterPatch
from admin.service.base import AdminCore
from admin.service.shared import AdminTx, conflict, merged, not_found
from counter import repository as repo
from counter.auth import StaffPrincipal
from counter.models import Counter, CounterService


class CounterUseCases(AdminCore):
    """The office's counters."""

    async def counters(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            codes = {s.id: s.code for s in repo.services(session, office_id) if s.id is not None}
            out = []
            for c in repo.counters(session, office_id):
                assert c.id is not None
                holder = repo.staff_by_id(session, c.staff_id) if c.staff_id else None
                out.append(
                    {
                        "id": c.id,
                        **counter_snapshot(c, repo.counter_services(session, c.id), codes),
                        "in_use_by": (holder.display_name or holder.username) if holder else None,
                    }
                )
            return out

        return await self._read(read)

    async def create_counter(self, actor: StaffPrincipal, body: CounterIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            counter = save_counter(tx, None, body)
            return {"id": counter.id, **counter_state(tx.session, counter)}

        return await self._write(actor, work)

    async def update_counter(
        self, actor: StaffPrincipal, counter_id: int, patch: CounterPatch
    ) -> Snapshot:
        """Change some fields of a counter; `services`, when given, replaces the whole list."""

        def work(tx: AdminTx) -> Snapshot:
            counter = arepo.counter(tx.session, tx.office_id, counter_id)
            if counter is None:
                raise not_found("counter_not_found")
            body = merged(CounterIn, counter_state(tx.session, counter), patch)
            save_counter(tx, counter, body)
            return {"id": counter.id, **counter_state(tx.session, counter)}

        return await self._write(actor, work)


def counter_state(session: Session, counter: Counter) -> Snapshot:
    assert counter.id is not None
    codes = {s.id: s.code for s in repo.services(session, counter.office_id) if s.id is not None}
    return counter_snapshot(counter, repo.counter_services(session, counter.id), codes)


def save_counter(tx: AdminTx, counter: Counter | None, body: CounterIn) -> Counter:
    """Create (counter=None) or update a counter and the services it serves."""
    number = rules.whole(body.number, "number", 1, rules.MAX_COUNTER)
    same_number = repo.counter_by_number(tx.session, tx.office_id, number)
    if same_number is not None and same_number is not counter:
        raise conflict("counter_exists", number=number)
    if not body.services:
        raise rules.invalid("counter_needs_service")
    slots: list[tuple[int, int, int]] = []
    seen: set[str] = set()
    for item in body.services:
        if item.service in seen:
            raise rules.invalid("counter_service_twice", code=item.service)
        seen.add(item.service)
        # Looked up in this office only: a counter can never serve another office's line.
        service = repo.service_by_code(tx.session, tx.office_id, item.service)
        if service is None or service.id is None:
            raise rules.invalid("service_unknown_code", code=item.service)
        slots.append((service.id, item.position, item.weight))
    rules.counter_policy(
        body.mode,
        body.priority_share,
        body.normal_share,
        body.ageing_cap_minutes,
        slots,
        body.booked_in_row,
    )
    name = rules.text(body.name, "name", 100)
    if counter is not None and not body.active and counter.active and counter.staff_id:
        raise conflict("counter_in_use", number=counter.number)

    before = counter_state(tx.session, counter) if counter is not None else None
    if counter is None:
        counter = Counter(office_id=tx.office_id, number=number)
        tx.session.add(counter)
    counter.number = number
    counter.name = name
    counter.mode = body.mode
    counter.priority_share = body.priority_share
    counter.normal_share = body.normal_share
    counter.ageing_cap_minutes = body.ageing_cap_minutes
    counter.booked_in_row = body.booked_in_row
    counter.active = body.active
    tx.session.flush()
    assert counter.id is not None
    existing = {s.service_id: s for s in repo.counter_services(tx.session, counter.id)}
    wanted = {sid for sid, _, _ in slots}
    for service_id, slot in existing.items():
        if service_id not in wanted:
            tx.session.delete(slot)
    for service_id, position, weight in slots:
        kept = existing.get(service_id)
        if kept is None:
            # Credit carries the weighted rotation between calls; a new slot starts level.
            tx.session.add(
                CounterService(
                    counter_id=counter.id, service_id=service_id, position=position, weight=weight
                )
            )
        else:
            kept.position = position
            kept.weight = weight
    tx.session.flush()
    after = counter_state(tx.session, counter)
    if before != after:
        action = "counter.create" if before is None else "counter.update"
        tx.audit(action, f"counter:{number}", before, after)
        tx.changed.add("counters")
    return counter
