"""Staff accounts: creating, changing roles, deactivating, resetting passwords."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from sqlmodel import Session

from admin import repository as arepo
from admin import rules
from admin.audit import Snapshot, staff_snapshot
from admin.schemas import StaffIn, StaffUpdate
from admin.service.base import AdminCore
from admin.service.shared import AdminTx, conflict, not_found
from admin.text import message
from counter import repository as repo
from counter.auth import Role, StaffPrincipal, hash_password, new_password
from counter.models import Staff
from counter.queue.errors import Forbidden


class StaffUseCases(AdminCore):
    """Staff accounts."""

    async def staff(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [
                {"id": s.id, **staff_snapshot(s), "created_at": s.created_at.isoformat()}
                for s in repo.staff_list(session, office_id)
            ]

        return await self._read(read)

    async def create_staff(
        self, actor: StaffPrincipal, body: StaffIn, password: str | None = None
    ) -> dict[str, Any]:
        """A new account; its password is `password` (the command line may set one) or a
        random one, returned once."""
        username = rules.username(body.username)
        display_name = rules.text(body.display_name, "display_name", 200)
        role = rules.role(body.role)
        password = password or new_password()
        # argon2 is slow on purpose: hash before taking the office lock.
        password_hash = await anyio.to_thread.run_sync(hash_password, password)

        def work(tx: AdminTx) -> dict[str, Any]:
            if repo.staff_by_username(tx.session, username) is not None:
                raise conflict("username_exists", username=username)
            staff = Staff(
                office_id=tx.office_id,
                username=username,
                display_name=display_name,
                role=role.value,
                password_hash=password_hash,
                created_at=tx.now,
            )
            tx.session.add(staff)
            tx.session.flush()
            after = staff_snapshot(staff)
            tx.audit("staff.create", f"staff:{username}", None, after)
            return {"staff": {"id": staff.id, **after}, "password": password}

        return await self._write(actor, work)

    async def update_staff(
        self, actor: StaffPrincipal, staff_id: int, body: StaffUpdate
    ) -> Snapshot:
        role = rules.role(body.role) if body.role is not None else None
        display_name = (
            rules.text(body.display_name, "display_name", 200)
            if body.display_name is not None
            else None
        )

        def work(tx: AdminTx) -> Snapshot:
            staff = arepo.staff(tx.session, tx.office_id, staff_id)
            if staff is None:
                raise not_found("staff_not_found")
            before = staff_snapshot(staff)
            losing_admin = (
                staff.role == Role.ADMIN
                and staff.active
                and ((role is not None and role is not Role.ADMIN) or body.active is False)
            )
            if losing_admin:
                if staff.id == actor.staff_id:
                    raise Forbidden(*message("not_yourself"))
                if len(arepo.active_admins(tx.session, tx.office_id)) <= 1:
                    raise conflict("last_admin")
            if role is not None:
                staff.role = role.value
            if display_name is not None:
                staff.display_name = display_name
            if body.active is not None:
                if body.active is False and staff.id == actor.staff_id:
                    raise Forbidden(*message("not_yourself"))
                staff.active = body.active
                if not staff.active:
                    # Checked on every request anyway; revoking says so in the token table too.
                    arepo.revoke_tokens_of(tx.session, staff_id)
            after = staff_snapshot(staff)
            if before != after:
                tx.audit("staff.update", f"staff:{staff.username}", before, after)
            return {"id": staff.id, **after}

        return await self._write(actor, work)

    async def reset_password(
        self, actor: StaffPrincipal, staff_id: int, password: str | None = None
    ) -> dict[str, Any]:
        password = password or new_password()
        password_hash = await anyio.to_thread.run_sync(hash_password, password)

        def work(tx: AdminTx) -> dict[str, Any]:
            staff = arepo.staff(tx.session, tx.office_id, staff_id)
            if staff is None:
                raise not_found("staff_not_found")
            staff.password_hash = password_hash
            # Whoever knew the old password is logged out everywhere.
            arepo.revoke_tokens_of(tx.session, staff_id)
            tx.audit("staff.reset_password", f"staff:{staff.username}", None, None)
            return {"staff": {"id": staff.id, **staff_snapshot(staff)}, "password": password}

        return await self._write(actor, work)
