"""The office configuration file (JSON or YAML): what it holds, writing it, reading it back.

It carries what rolls out from one office to another — services, counters, hours, holidays,
messages and options — and never accounts, passwords or devices.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, ValidationError

from admin.audit import (
    OFFICE_FIELDS,
    SETTINGS_FIELDS,
    counter_snapshot,
    holiday_snapshot,
    office_snapshot,
    service_snapshot,
)
from admin.models import OfficeSettings
from admin.schemas import CounterIn, HolidayIn, OfficeIn, ServiceIn
from admin.text import message
from counter.models import Counter, CounterService, Holiday, Office, Service
from counter.queue.errors import InvalidInput
from counter.schemas import Strict

try:  # PyYAML arrives with uvicorn[standard]; without it, JSON still works.
    import yaml
except ImportError:  # pragma: no cover - depends on the installation
    yaml = None

FORMAT_NAME = "saduak-office-config"
FORMAT_VERSION = 1
FORMATS = ("json", "yaml")


class OfficeDoc(OfficeIn):
    # Exported for the reader's sake; an import never renames the office it goes into.
    code: str | None = None
    name_th: str | None = None  # type: ignore[assignment]
    name_en: str | None = None  # type: ignore[assignment]


class ConfigDoc(Strict):
    format: Literal["saduak-office-config"]
    version: Literal[1]
    exported_at: str | None = None
    office: OfficeDoc | None = None
    services: list[ServiceIn] = Field(default_factory=list)
    counters: list[CounterIn] = Field(default_factory=list)
    holidays: list[HolidayIn] = Field(default_factory=list)


def yaml_available() -> bool:
    return yaml is not None


def build(
    office: Office,
    settings: OfficeSettings,
    services: Sequence[Service],
    counters: Sequence[Counter],
    slots: Sequence[CounterService],
    holidays: Sequence[Holiday],
    now: datetime,
) -> dict[str, Any]:
    codes = {s.id: s.code for s in services if s.id is not None}
    by_counter: dict[int, list[CounterService]] = {}
    for slot in slots:
        by_counter.setdefault(slot.counter_id, []).append(slot)
    snapshot = office_snapshot(office, settings)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(timespec="seconds"),
        "office": {k: snapshot[k] for k in (*OFFICE_FIELDS, *SETTINGS_FIELDS)},
        "services": [service_snapshot(s) for s in services],
        "counters": [counter_snapshot(c, by_counter.get(c.id or 0, []), codes) for c in counters],
        "holidays": [holiday_snapshot(h) for h in holidays],
    }


def dump(document: dict[str, Any], fmt: str) -> str:
    if fmt == "yaml":
        if yaml is None:
            raise InvalidInput(*message("yaml_missing"))
        text: str = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        return text
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    # YAML reads an unquoted 2026-12-05 as a date; the file format keeps dates as text.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _load(text: str, fmt: str) -> Any:
    if fmt not in FORMATS:
        raise InvalidInput(*message("config_format"))
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise InvalidInput(*message("config_parse", detail=str(exc)[:300])) from None
    if yaml is None:
        raise InvalidInput(*message("yaml_missing"))
    try:
        return _plain(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise InvalidInput(*message("config_parse", detail=str(exc)[:300])) from None


def parse(text: str, fmt: str) -> ConfigDoc:
    """Read a configuration file; any problem is InvalidInput naming where it is."""
    data = _load(text, fmt)
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise InvalidInput(*message("config_kind"))
    try:
        return ConfigDoc.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise InvalidInput(*message("config_schema", detail=problems)) from None
