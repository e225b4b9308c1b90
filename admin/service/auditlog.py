"""The audit log as the admin pages read it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from admin import repository as arepo
from admin.audit import changed_fields
from admin.service.base import AdminCore
from admin.text import ACTIONS


class AuditLogReads(AdminCore):
    """The audit log, newest first."""

    async def audit_log(
        self,
        office_id: int,
        *,
        limit: int = 100,
        before_id: int | None = None,
        action: str | None = None,
    ) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "username": e.username,
                    "action": e.action,
                    "action_th": ACTIONS.get(e.action, (e.action, e.action))[0],
                    "action_en": ACTIONS.get(e.action, (e.action, e.action))[1],
                    "target": e.target,
                    "changed": changed_fields(e.before, e.after),
                    "before": e.before,
                    "after": e.after,
                }
                for e in arepo.audit_entries(
                    session, office_id, limit=limit, before_id=before_id, action_prefix=action
                )
            ]

        return await self._read(read)
