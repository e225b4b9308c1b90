"""Staff at counters: opening, closing, pausing, resuming, and a manager's change of the
services a counter serves."""

from __future__ import annotations

from collections.abc import Sequence

from counter import repository as repo
from counter.auth import Role, StaffPrincipal
from counter.models import Counter
from counter.queue.errors import Conflict, CounterBusy, Forbidden, InvalidInput, NotFound
from counter.service.base import QueueCore
from counter.service.shared import PAUSE_REASONS, row_id
from counter.texts import say
from counter.unit_of_work import OfficeTx


class CounterUseCases(QueueCore):
    """Staff taking, pausing and leaving counters; managers changing what a counter serves."""

    def _take_counter(self, tx: OfficeTx, actor: StaffPrincipal, counter_number: int) -> Counter:
        counter = repo.counter_by_number(tx.session, row_id(tx.office), counter_number)
        if counter is None or not counter.active:
            raise NotFound(*say("no_counter", number=counter_number))
        if counter.staff_id is not None and counter.staff_id != actor.staff_id:
            holder = repo.staff_by_id(tx.session, counter.staff_id)
            name = (holder.display_name or holder.username) if holder else "?"
            raise CounterBusy(*say("counter_held", number=counter.number, name=name))
        if counter.staff_id is None:
            elsewhere = repo.counter_of_staff(tx.session, actor.staff_id)
            if elsewhere is not None:
                raise CounterBusy(*say("counter_elsewhere", number=elsewhere.number))
            counter.staff_id = actor.staff_id
            counter.opened_at = tx.now
            tx.log_counter(counter, "opened", actor.staff_id)
        if counter.paused_reason is not None:
            raise Conflict(*say("counter_paused", number=counter.number))
        return counter

    async def close_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        def work(tx: OfficeTx) -> None:
            counter = repo.counter_by_number(tx.session, row_id(tx.office), counter_number)
            if counter is None:
                raise NotFound(*say("no_counter", number=counter_number))
            if counter.staff_id is None:
                return
            if counter.staff_id != actor.staff_id and actor.role == Role.STAFF:
                raise Forbidden(*say("counter_of_other", number=counter.number))
            if counter.paused_reason is not None:
                tx.log_counter(counter, "resumed", actor.staff_id)
            tx.log_counter(counter, "closed", actor.staff_id)
            counter.staff_id = None
            counter.opened_at = None
            counter.paused_reason = None
            counter.paused_at = None

        await self._write(actor.office_id, work)

    async def pause_counter(self, actor: StaffPrincipal, counter_number: int, reason: str) -> None:
        if reason not in PAUSE_REASONS:
            raise InvalidInput(*say("bad_pause_reason", allowed=", ".join(PAUSE_REASONS)))

        def work(tx: OfficeTx) -> None:
            counter = self._take_counter_unpaused(tx, actor, counter_number)
            if counter.paused_reason is None:
                counter.paused_reason = reason
                counter.paused_at = tx.now
                tx.log_counter(counter, "paused", actor.staff_id, reason)

        await self._write(actor.office_id, work)

    async def resume_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        def work(tx: OfficeTx) -> None:
            counter = self._take_counter_unpaused(tx, actor, counter_number)
            if counter.paused_reason is not None:
                tx.log_counter(counter, "resumed", actor.staff_id, counter.paused_reason)
                counter.paused_reason = None
                counter.paused_at = None

        await self._write(actor.office_id, work)

    def _take_counter_unpaused(self, tx: OfficeTx, actor: StaffPrincipal, number: int) -> Counter:
        counter = repo.counter_by_number(tx.session, row_id(tx.office), number)
        if counter is None:
            raise NotFound(*say("no_counter", number=number))
        if counter.staff_id != actor.staff_id:
            raise CounterBusy(*say("not_at_counter", number=number))
        return counter

    async def open_counter(self, actor: StaffPrincipal, counter_number: int) -> None:
        """Sit down at a counter: one staff member per counter, one counter per staff member.

        Opening the counter one already holds is a no-op, paused or not."""

        def work(tx: OfficeTx) -> None:
            counter = repo.counter_by_number(tx.session, row_id(tx.office), counter_number)
            if counter is not None and counter.staff_id == actor.staff_id:
                return
            self._take_counter(tx, actor, counter_number)

        await self._write(actor.office_id, work)

    async def set_counter_services(
        self, actor: StaffPrincipal, counter_number: int, service_codes: Sequence[str]
    ) -> list[str]:
        """A manager changes which services a counter serves, effective at its next call.

        Each service added or removed is logged as a CounterEvent (`service_added` /
        `service_removed`, with the service id in `reason`) by the manager who did it, so the
        change is in the audit trail and the reports can tell who served what when. A service
        that stays keeps its position and weight; an added one joins the position of a service
        of the same group already there (one first-come line), else a new last position.
        Returns the counter's service codes afterwards, in calling order.
        """
        if actor.role not in (Role.ADMIN, Role.MANAGER):
            raise Forbidden(*say("managers_only_services"))
        wanted = list(dict.fromkeys(code.strip() for code in service_codes))
        if not wanted:
            raise InvalidInput(*say("counter_needs_service"))

        def work(tx: OfficeTx) -> list[str]:
            office_id = row_id(tx.office)
            counter = repo.counter_by_number(tx.session, office_id, counter_number)
            if counter is None:
                raise NotFound(*say("no_counter", number=counter_number))
            by_code = {s.code: s for s in repo.services(tx.session, office_id)}
            unknown = [code for code in wanted if code not in by_code]
            if unknown:
                raise InvalidInput(*say("no_services", codes=", ".join(unknown)))
            by_id = {row_id(s): s for s in by_code.values()}
            rows = list(repo.counter_services(tx.session, row_id(counter)))
            keep_ids = {row_id(by_code[code]) for code in wanted}
            for row in rows:
                if row.service_id not in keep_ids:
                    repo.remove_counter_service(tx.session, row)
                    # Position and weight ride along so the day-end restore can put it back.
                    tx.log_counter(
                        counter,
                        "service_removed",
                        actor.staff_id,
                        f"{row.service_id}:{row.position}:{row.weight}",
                    )
            kept = [row for row in rows if row.service_id in keep_ids]
            have = {row.service_id for row in kept}
            group_position = {by_id[row.service_id].group: row.position for row in kept}
            next_position = max((row.position for row in kept), default=-1) + 1
            for code in wanted:
                service = by_code[code]
                if row_id(service) in have:
                    continue
                position = group_position.get(service.group)
                if position is None:
                    position = group_position[service.group] = next_position
                    next_position += 1
                kept.append(
                    repo.add_counter_service(tx.session, row_id(counter), row_id(service), position)
                )
                have.add(row_id(service))
                tx.log_counter(counter, "service_added", actor.staff_id, str(row_id(service)))
            kept.sort(key=lambda row: (row.position, by_id[row.service_id].position))
            return [by_id[row.service_id].code for row in kept]

        return await self._write(actor.office_id, work)
