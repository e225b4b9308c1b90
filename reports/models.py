"""Tables owned by the reports package (registered on the shared metadata for Alembic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from counter.models import UTCDateTime


def _utc(*, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable)


class SurveyItem(SQLModel, table=True):
    """One 5-level question of an office's satisfaction survey. Answers refer to the code, so a
    label can be reworded and an item retired without touching what was already answered."""

    __tablename__ = "survey_item"
    __table_args__ = (sa.UniqueConstraint("office_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    code: str = Field(max_length=32)
    label_th: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    position: int = Field(default=0)
    active: bool = Field(default=True)
    # GECC dimension of the item: process, staff, information, facilities, overall.
    dimension: str = Field(
        default="overall", max_length=16, sa_column_kwargs={"server_default": "overall"}
    )


class SurveyForm(SQLModel, table=True):
    """One version of an office's questionnaires: its satisfaction items (with dimensions) and
    its needs survey, as they stood from `created_at` (reports/questionnaire.py)."""

    __tablename__ = "survey_form"
    __table_args__ = (sa.UniqueConstraint("office_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    version: int
    created_at: datetime = Field(sa_column=_utc())
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=sa.Column(sa.JSON()))
    needs: list[dict[str, Any]] = Field(default_factory=list, sa_column=sa.Column(sa.JSON()))
    needs_every: int = Field(default=5)


class NeedsResponse(SQLModel, table=True):
    """An answer to the needs survey: after the satisfaction items, or from its own link."""

    __tablename__ = "needs_response"
    __table_args__ = (sa.Index("ix_needs_response_office_day", "office_id", "business_day"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    form_version: int = Field(default=0)
    answered_at: datetime = Field(sa_column=_utc())
    business_day: date
    # "survey" (offered after the satisfaction items, with the ticket) or "link" (poster/link).
    channel: str = Field(default="link", max_length=16)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    answers: dict[str, list[str]] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON()))
    free_text: str = Field(default="", max_length=1000)


class SurveyResponse(SQLModel, table=True):
    """A citizen's answer for one finished ticket transaction (at most one each)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "transaction_no"),
        sa.Index("ix_survey_response_office_day", "office_id", "business_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    ticket_id: int = Field(foreign_key="ticket.id")
    transaction_no: int
    # The visit's business day, so a period's answers match that period's visitors.
    business_day: date
    service_id: int = Field(foreign_key="service.id")
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    answered_at: datetime = Field(sa_column=_utc())
    # Where it was answered: "status" (the ticket's QR page) or "counter" (the counter tablet).
    channel: str = Field(default="status", max_length=16)
    # Needs and suggestions (ความต้องการ / ข้อเสนอแนะ) in the citizen's own words.
    comment: str = Field(default="", max_length=1000)
    # The questionnaire version answered (0: the bundled default, before any edit).
    form_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answer"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    response_id: int = Field(foreign_key="survey_response.id", primary_key=True)
    item_code: str = Field(max_length=32, primary_key=True)
    score: int


class ReportDay(SQLModel, table=True):
    """A business day whose report rows are built and final (see reports.rollup)."""

    __tablename__ = "report_day"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    business_day: date = Field(primary_key=True)
    sealed_at: datetime = Field(sa_column=_utc())
    # The fact-building rules' version; a newer one rebuilds older days.
    version: int = Field(default=1)


class ReportTransaction(SQLModel, table=True):
    """One ticket transaction, derived from its events once its business day is over.

    Durations are whole seconds; None where the interval did not happen (e.g. no service for a
    no-show). Local hour/weekday are in the office's timezone, kept so breakdowns need no
    timezone arithmetic in SQL.
    """

    __tablename__ = "report_transaction"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "transaction_no"),
        sa.Index("ix_report_transaction_office_day", "office_id", "business_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    ticket_id: int = Field(foreign_key="ticket.id")
    transaction_no: int
    business_day: date
    number: str = Field(max_length=8)
    service_id: int = Field(foreign_key="service.id")
    priority: str | None = Field(default=None, max_length=16)
    # issued | requeued (a transfer in)
    arrival: str = Field(max_length=16)
    # done | transferred | no_show | cancelled | unserved | open
    outcome: str = Field(max_length=16)
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    queued_at: datetime = Field(sa_column=_utc())
    called_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    started_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    recalls: int = Field(default=0)
    wait_s: int | None = Field(default=None)
    walk_s: int | None = Field(default=None)
    service_s: int | None = Field(default=None)
    hold_s: int = Field(default=0)
    total_s: int | None = Field(default=None)
    arrival_hour: int
    weekday: int
    end_hour: int | None = Field(default=None)
    # Served outside normal hours: lunch | before | after | saturday | sunday | holiday.
    outside: str | None = Field(default=None, max_length=16)
    # The serving segments when service was split by a hold, as "start-end,start-end" in epoch
    # seconds; None when there was one segment, from started_at to ended_at.
    segments: str | None = Field(default=None)


class ReportDayService(SQLModel, table=True):
    """Per office, business day and service: counts, sums and the sorted durations.

    The durations are kept as sorted arrays of unsigned 32-bit little-endian seconds, so a
    period's exact median, p90, bands and shares within any threshold come from merging a few
    hundred small sorted runs instead of reading every transaction (reports.metrics).
    """

    __tablename__ = "report_day_service"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    business_day: date = Field(primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    issued: int = Field(default=0)
    transferred_in: int = Field(default=0)
    served: int = Field(default=0)
    transferred: int = Field(default=0)
    no_show: int = Field(default=0)
    cancelled: int = Field(default=0)
    unserved: int = Field(default=0)
    hold_s: int = Field(default=0)
    waits: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    walks: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    services: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    totals: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ReportMonth(SQLModel, table=True):
    """A calendar month whose month rollup is built (all its days were final and sealed)."""

    __tablename__ = "report_month"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    month: date = Field(primary_key=True)
    built_at: datetime = Field(sa_column=_utc())
    version: int = Field(default=1)


class ReportMonthService(SQLModel, table=True):
    """report_day_service merged over a whole month: a fiscal year reads 12 runs per service
    instead of about 250."""

    __tablename__ = "report_month_service"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    month: date = Field(primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    issued: int = Field(default=0)
    transferred_in: int = Field(default=0)
    served: int = Field(default=0)
    transferred: int = Field(default=0)
    no_show: int = Field(default=0)
    cancelled: int = Field(default=0)
    unserved: int = Field(default=0)
    hold_s: int = Field(default=0)
    waits: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    walks: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    services: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    totals: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ReportDayGroup(SQLModel, table=True):
    """One breakdown of a business day (kind counter | staff | priority | outside | hour |
    end_hour | weekday_hour, and its key): counts, sorted durations, and how many were within
    the standard and the wait target in force that day (rated when the day is sealed; a
    standard changed with an earlier effective date has those days sealed again). end_hour and
    weekday_hour keep counts only (the hourly profile and the heat map)."""

    __tablename__ = "report_day_group"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    business_day: date = Field(primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    key: str = Field(max_length=16, primary_key=True)
    issued: int = Field(default=0)
    transferred_in: int = Field(default=0)
    served: int = Field(default=0)
    transferred: int = Field(default=0)
    no_show: int = Field(default=0)
    cancelled: int = Field(default=0)
    unserved: int = Field(default=0)
    hold_s: int = Field(default=0)
    within_standard: int = Field(default=0)
    within_target: int = Field(default=0)
    waits: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    walks: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    services: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    totals: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ReportMonthGroup(SQLModel, table=True):
    """report_day_group merged over a whole month (built with report_month_service)."""

    __tablename__ = "report_month_group"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    month: date = Field(primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    key: str = Field(max_length=16, primary_key=True)
    issued: int = Field(default=0)
    transferred_in: int = Field(default=0)
    served: int = Field(default=0)
    transferred: int = Field(default=0)
    no_show: int = Field(default=0)
    cancelled: int = Field(default=0)
    unserved: int = Field(default=0)
    hold_s: int = Field(default=0)
    within_standard: int = Field(default=0)
    within_target: int = Field(default=0)
    waits: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    walks: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    services: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    totals: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ReportDayCall(SQLModel, table=True):
    """The calls of one business day's tickets, per service and the reason the call records
    (`detail.reason`: aged | priority | normal, chosen by call-next; out_of_order, a call by
    number). `seqs` are the packed event numbers of the out-of-order calls, so the fairness
    evidence lists each without reading the year's calls (reports/fairness.py)."""

    __tablename__ = "report_day_call"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    business_day: date = Field(primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    reason: str = Field(max_length=16, primary_key=True)
    calls: int = Field(default=0)
    seqs: bytes = Field(default=b"", sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ReportDaySession(SQLModel, table=True):
    """Counter sessions of one local day (reports/sessions.py): seconds a counter was open or
    paused, by the staff member who opened the session (0: none recorded) and the pause reason
    ("" for none). Rows with `hour` -1 hold whole intervals (each piece's seconds rounded;
    `starts`: how many began that day); the others (counter and staff 0) the seconds all
    counters were open in that local hour. Kept
    for every day up to the office's last sealed day, days without tickets included."""

    __tablename__ = "report_day_session"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    business_day: date = Field(primary_key=True)
    counter_id: int = Field(primary_key=True)
    staff_id: int = Field(primary_key=True)
    kind: str = Field(max_length=8, primary_key=True)
    reason: str = Field(max_length=32, primary_key=True)
    hour: int = Field(primary_key=True)
    seconds: float = Field(default=0.0)
    starts: int = Field(default=0)
