"""The bundled district-office service catalogue and the demo office built from it."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlmodel import Session

from counter import repository as repo
from counter.auth import Role, hash_password, new_password
from counter.models import Counter, CounterService, Office, Service, Staff
from counter.texts import GROUPS


@dataclass(frozen=True)
class CatalogueService:
    code: str
    prefix: str
    name_th: str
    name_en: str
    group: str
    standard_minutes: int
    fee_baht: int
    source_url: str
    note: str


def catalogue() -> list[CatalogueService]:
    """Services of a Thai district office, with their published standard times and sources."""
    text = resources.files("counter.data").joinpath("dopa-services.csv").read_text("utf-8")
    return [
        CatalogueService(
            code=row["code"],
            prefix=row["prefix"],
            name_th=row["name_th"],
            name_en=row["name_en"],
            group=row["group"],
            standard_minutes=int(row["standard_minutes"]),
            fee_baht=int(row["fee_baht"] or 0),
            source_url=row["source_url"],
            note=row["note"],
        )
        for row in csv.DictReader(text.splitlines())
    ]


# Four counters that together serve every group: each leads with one group and backs up another.
DEMO_COUNTERS: list[tuple[int, str, list[str]]] = [
    (1, GROUPS["civil_registration"][0], ["civil_registration", "id_card"]),
    (2, GROUPS["id_card"][0], ["id_card", "civil_registration"]),
    (3, GROUPS["family_registration"][0], ["family_registration", "licensing"]),
    (
        4,
        f"{GROUPS['damrongtham'][0]} / {GROUPS['licensing'][0]}",
        ["damrongtham", "licensing", "family_registration"],
    ),
]

DEMO_ACCOUNTS: list[tuple[str, Role, str]] = [
    ("admin", Role.ADMIN, "ผู้ดูแลระบบ"),
    ("manager", Role.MANAGER, "ปลัดอำเภอ (หัวหน้าสำนักงาน)"),
    ("staff1", Role.STAFF, "เจ้าหน้าที่ 1"),
    ("staff2", Role.STAFF, "เจ้าหน้าที่ 2"),
]


def create_office(
    session: Session, code: str, name_th: str, name_en: str, **fields: object
) -> Office:
    office = Office(code=code, name_th=name_th, name_en=name_en, **fields)  # type: ignore[arg-type]
    session.add(office)
    session.flush()
    return office


def import_catalogue(session: Session, office: Office) -> list[Service]:
    assert office.id is not None
    services = []
    for position, item in enumerate(catalogue()):
        if repo.service_by_code(session, office.id, item.code) is not None:
            continue
        service = Service(
            office_id=office.id,
            code=item.code,
            prefix=item.prefix,
            name_th=item.name_th,
            name_en=item.name_en,
            group=item.group,
            standard_minutes=item.standard_minutes,
            position=position,
        )
        session.add(service)
        services.append(service)
    session.flush()
    return services


def seed_demo(
    session: Session,
    now: datetime,
    *,
    passwords: Mapping[str, str] | None = None,
    make_hash: Callable[[str], str] = hash_password,
) -> dict[str, str] | None:
    """Build the demo office when the database has no office; returns username -> password.

    Passwords are random unless given; tests give fixed ones with a memoised hash function,
    since argon2 is deliberately slow.
    """
    if not repo.office_is_empty(session):
        return None
    office = create_office(
        session,
        "demo",
        "ที่ทำการปกครองอำเภอสะดวก",
        "Saduak District Office",
        # A demo must work whenever someone tries it; real offices keep hours enforced.
        hours_enforced=False,
        display_message="ยินดีต้อนรับ กรุณารอเรียกหมายเลขคิว / Welcome, please wait for your number",
    )
    assert office.id is not None
    services = import_catalogue(session, office)
    for number, name, groups in DEMO_COUNTERS:
        counter = Counter(office_id=office.id, number=number, name=name)
        session.add(counter)
        session.flush()
        assert counter.id is not None
        # One position per group: a group's services form one first-come-first-served line.
        for position, group in enumerate(groups):
            for service in services:
                if service.group == group:
                    assert service.id is not None
                    session.add(
                        CounterService(
                            counter_id=counter.id, service_id=service.id, position=position
                        )
                    )
    chosen = {}
    for username, role, display in DEMO_ACCOUNTS:
        password = passwords[username] if passwords else new_password()
        session.add(
            Staff(
                office_id=office.id,
                username=username,
                display_name=display,
                role=role.value,
                password_hash=make_hash(password),
                created_at=now,
            )
        )
        chosen[username] = password
    session.flush()
    return chosen
