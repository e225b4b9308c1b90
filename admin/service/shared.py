"""What every admin use case shares: its transaction (with the audit row), errors, and merging
a partial change into the current values."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from admin.audit import Snapshot, record
from admin.text import message
from counter.auth import StaffPrincipal
from counter.models import Office
from counter.queue.errors import Conflict, InvalidInput, NotFound

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def not_found(key: str) -> NotFound:
    return NotFound(*message(key))


def conflict(key: str, **values: object) -> Conflict:
    return Conflict(*message(key, **values))


@dataclass
class AdminTx:
    """One admin write: its session, the locked office, who acts, when, and what screens must
    hear about afterwards."""

    session: Session
    office: Office
    actor: StaffPrincipal
    now: datetime
    changed: set[str] = field(default_factory=set)

    @property
    def office_id(self) -> int:
        assert self.office.id is not None
        return self.office.id

    def audit(
        self, action: str, target: str, before: Snapshot | None, after: Snapshot | None
    ) -> None:
        record(self.session, self.actor, self.now, action, target, before, after)


class DryRun(Exception):
    """Raised inside a transaction to roll it back while keeping its result."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result


def merged(model: type[M], current: dict[str, Any], patch: BaseModel) -> M:
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        detail = "; ".join(str(err["msg"]) for err in exc.errors()[:3])
        raise InvalidInput(*message("invalid_fields", detail=detail)) from None
