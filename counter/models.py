"""SQLModel tables. Every row belongs to an office; times are stored as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from counter.texts import SLIP_FOOTER

# Stable constraint names, so migrations can drop and alter them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_col(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


def _utc_col_opt() -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_th: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    timezone: str = Field(default="Asia/Bangkok", max_length=64)
    opens: time = Field(default=time(8, 30))
    closes: time = Field(default=time(16, 30))
    saturday: bool = Field(default=False)
    # Tickets are issued over lunch (12.00–13.00); off means issuing pauses then.
    lunch_service: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    hours_enforced: bool = Field(default=True)
    footer_th: str = Field(default=SLIP_FOOTER[0], max_length=300)
    footer_en: str = Field(default=SLIP_FOOTER[1], max_length=300)
    display_message: str = Field(default="", max_length=500)
    # Last event sequence number handed out; events of one office are numbered without gaps.
    event_seq: int = Field(default=0)
    # The business day the rollover last ran for; earlier open tickets get closed once.
    last_business_day: date | None = Field(default=None)


class OfficeSettings(SQLModel, table=True):
    """Office options set in the admin (voice, report digits); an office without a row has the
    defaults."""

    __tablename__ = "office_settings"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    # Thai digits (๐–๙) in the narrative text of formal reports; screens and tickets keep Arabic.
    thai_digits: bool = Field(default=False)
    voice_repeat: int = Field(default=1)
    voice_english: bool = Field(default=False)
    voice_polite: str = Field(default="ka", max_length=8)
    # Targets the evidence pack rates the year against [D]: satisfaction % and % of services
    # within their standard time.
    satisfaction_target_pct: float = Field(default=85.0, sa_column_kwargs={"server_default": "85"})
    within_standard_target_pct: float = Field(
        default=80.0, sa_column_kwargs={"server_default": "80"}
    )


class Holiday(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    day: date
    name: str = Field(default="", max_length=200)


class Service(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    code: str = Field(max_length=64)
    prefix: str = Field(max_length=1)
    name_th: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    group: str = Field(default="", max_length=64)
    standard_minutes: int = Field(default=15)
    wait_target_minutes: int = Field(default=15)
    active: bool = Field(default=True)
    daily_cap: int | None = Field(default=None)
    issue_cutoff: time | None = Field(default=None)
    position: int = Field(default=0)


class Counter(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    number: int
    name: str = Field(default="", max_length=100)
    mode: str = Field(default="order", max_length=16)
    priority_share: int = Field(default=1)
    normal_share: int = Field(default=1)
    ageing_cap_minutes: int = Field(default=30)
    # Due booked tickets called in a row while walk-ins wait (counter.queue.policy).
    booked_in_row: int = Field(default=2, sa_column_kwargs={"server_default": "2"})
    active: bool = Field(default=True)
    # Who is working here now; one staff member per counter at a time.
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    opened_at: datetime | None = _utc_col_opt()
    paused_reason: str | None = Field(default=None, max_length=32)
    paused_at: datetime | None = _utc_col_opt()
    # Ordering state carried between calls (see counter.queue.policy.CounterMix).
    cycle_pos: int = Field(default=0)
    booked_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class CounterService(SQLModel, table=True):
    __tablename__ = "counter_service"
    counter_id: int = Field(foreign_key="counter.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    position: int = Field(default=0)
    weight: int = Field(default=1)
    credit: int = Field(default=0)


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = _utc_col()


class Installation(SQLModel, table=True):
    """This installation (one row, made on first start): what sets it apart from others that
    share a Redis or PostgreSQL server for their events."""

    id: int | None = Field(default=None, primary_key=True)
    # Prefix of every bus channel name (counter.bus): random, so two installations never meet.
    bus_namespace: str = Field(max_length=24)
    created_at: datetime = _utc_col()


class AuthToken(SQLModel, table=True):
    """A staff login: the bearer token (API) and the session cookie (pages) share this table."""

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = _utc_col()
    expires_at: datetime = _utc_col()
    revoked: bool = Field(default=False)


class Device(SQLModel, table=True):
    """A paired kiosk or display screen. Only a hash of its token is kept."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    kind: str = Field(max_length=16)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    printer: str | None = Field(default=None, max_length=500)
    # Last printer check of a kiosk: state (ok, near_end, paper_out, ...), its detail and time.
    printer_state: str | None = Field(default=None, max_length=24)
    printer_detail: str | None = Field(default=None, max_length=300)
    printer_checked_at: datetime | None = _utc_col_opt()
    created_at: datetime = _utc_col()
    last_seen_at: datetime | None = _utc_col_opt()
    revoked_at: datetime | None = _utc_col_opt()


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # The guarantee behind numbering: one number per office, prefix and business day.
        sa.UniqueConstraint("office_id", "business_day", "prefix", "seq_no"),
        # The waiting line of a service today: call-next heads, people ahead, queue summary.
        sa.Index(
            "ix_ticket_queue", "office_id", "business_day", "status", "service_id", "queued_at"
        ),
        # What a counter has now (call-next, actions): without it every call scans all history.
        sa.Index("ix_ticket_counter", "counter_id", "status"),
        # A kiosk's double tap or retried request carries the same key and gets the same ticket.
        sa.UniqueConstraint("device_id", "request_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    service_id: int = Field(foreign_key="service.id")
    business_day: date
    prefix: str = Field(max_length=1)
    seq_no: int
    number: str = Field(max_length=8)
    status: str = Field(max_length=16)
    priority: str | None = Field(default=None, max_length=16)
    # The status-page token behind the QR code: unguessable, unlike the id.
    token: str = Field(max_length=64, unique=True)
    issued_at: datetime = _utc_col()
    # When it last joined a waiting line (issue, transfer, reactivate, release).
    queued_at: datetime = _utc_col()
    called_at: datetime | None = _utc_col_opt()
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    recall_count: int = Field(default=0)
    transaction_no: int = Field(default=1)
    device_id: int | None = Field(default=None, foreign_key="device.id")
    request_key: str | None = Field(default=None, max_length=64)
    print_status: str = Field(default="none", max_length=16)
    # A booked ticket (a checked-in booking): the start of its slot, when the counters call it
    # ahead of walk-ins (counter.queue.policy). None for a walk-in.
    booked_for: datetime | None = _utc_col_opt()


class PrintJob(SQLModel, table=True):
    """The print outbox: one row per slip to print, written in the same transaction as the
    ticket (or the reprint), claimed by one process and marked once the printer answered."""

    __tablename__ = "print_job"

    __table_args__ = (sa.Index("ix_print_job_open", "status", "queue"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    # The kiosk whose printer prints it; the ticket (none for a test page).
    device_id: int = Field(foreign_key="device.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    kind: str = Field(default="ticket", max_length=16)
    # One queue per printer: jobs of a queue print one at a time, in order.
    queue: str = Field(max_length=100)
    # queued -> printing (a server worker) or sent (a kiosk's print agent) -> printed | failed;
    # queued or sent past the deadline -> expired (the ticket stays "pending print").
    status: str = Field(default="queued", max_length=16)
    created_at: datetime = _utc_col()
    deadline_at: datetime = _utc_col()
    claimed_at: datetime | None = _utc_col_opt()
    lease_until: datetime | None = _utc_col_opt()
    owner: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = _utc_col_opt()
    state: str | None = Field(default=None, max_length=24)
    detail: str | None = Field(default=None, max_length=300)


class TicketEvent(SQLModel, table=True):
    """Append-only log of everything that happened to a ticket; all durations derive from it."""

    __tablename__ = "ticket_event"

    __table_args__ = (
        sa.UniqueConstraint("office_id", "seq"),
        sa.Index("ix_ticket_event_office_at", "office_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    seq: int
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=24)
    at: datetime = _utc_col()
    service_id: int = Field(foreign_key="service.id")
    transaction_no: int
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    detail: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))


class CounterEvent(SQLModel, table=True):
    """Log of counter sessions: opened, closed, paused (with reason), resumed."""

    __tablename__ = "counter_event"

    __table_args__ = (
        sa.UniqueConstraint("office_id", "seq"),
        sa.Index("ix_counter_event_office_at", "office_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    seq: int
    counter_id: int = Field(foreign_key="counter.id", index=True)
    kind: str = Field(max_length=24)
    at: datetime = _utc_col()
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    reason: str | None = Field(default=None, max_length=32)


class PaperTicket(SQLModel, table=True):
    """A pre-printed paper ticket served while the system was down, entered by staff afterwards.

    Part of the service log, never of the event log: its times are approximate, so no duration is
    derived from it (reports count it, flagged as paper, outside every average)."""

    __tablename__ = "paper_ticket"
    __table_args__ = (sa.UniqueConstraint("office_id", "business_day", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    business_day: date
    number: str = Field(max_length=16)
    service_id: int = Field(foreign_key="service.id")
    issued_at: datetime | None = _utc_col_opt()
    served_at: datetime | None = _utc_col_opt()
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    entered_by: int | None = Field(default=None, foreign_key="staff.id")
    entered_at: datetime = _utc_col()


class ProvinceMember(SQLModel, table=True):
    """A user name (usually of a provincial officer) allowed to compare this office's key
    metrics with others'. Granted by the office's own admin: each office shares its own data.

    The grant names the account as typed; it takes effect when an account of that name existed
    at the time (staff_id), and it is stored and listed the same way either way, so that granting
    tells an admin nothing about which accounts other offices have. A name granted before its
    account exists is never claimed later by whoever creates that name.
    """

    __tablename__ = "province_member"
    __table_args__ = (sa.UniqueConstraint("office_id", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    username: str = Field(max_length=64)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    granted_by: int | None = Field(default=None, foreign_key="staff.id")
    granted_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class ServiceManual(SQLModel, table=True):
    """The citizen manual of a service as the office edited it (Admin → Services). A service
    without a row shows the bundled catalogue's manual (counter/data/service-manuals.json); its
    processing time is always the service's standard, never a second number kept here."""

    __tablename__ = "service_manual"

    service_id: int = Field(foreign_key="service.id", primary_key=True)
    # Lists of [Thai, English] pairs, in order.
    steps: list[list[str]] = Field(default_factory=list, sa_column=sa.Column(sa.JSON()))
    documents: list[list[str]] = Field(default_factory=list, sa_column=sa.Column(sa.JSON()))
    fee_baht: int = Field(default=0)
    fee_note_th: str = Field(default="", max_length=300)
    fee_note_en: str = Field(default="", max_length=300)
    legal_basis_th: str = Field(default="", max_length=500)
    legal_basis_en: str = Field(default="", max_length=500)
    source_url: str = Field(default="", max_length=500)
    updated_at: datetime | None = _utc_col_opt()


class ServiceStandard(SQLModel, table=True):
    """A service's standard time and wait target from a date on (DOMAIN.md: standards are
    versioned). Rows exist once a service's standard has changed: the first row (effective from
    counter.standards.FROM_THE_START) keeps what applied before; a service never changed has
    none and its own columns apply."""

    __tablename__ = "service_standard"
    __table_args__ = (sa.UniqueConstraint("service_id", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    effective_from: date
    standard_minutes: int
    wait_target_minutes: int
    recorded_at: datetime = _utc_col()
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")


class LoginFailure(SQLModel, table=True):
    """One failed staff login, kept for the throttle window. In the database so that every app
    process sharing it counts the same failures."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = _utc_col(index=True)
