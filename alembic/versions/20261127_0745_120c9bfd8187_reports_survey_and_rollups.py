"""Reports: satisfaction survey (items, responses, answers) and report rollups (sealed days,
per-transaction facts, per day-and-service aggregates). Owned by the reports package.

Revision ID: 120c9bfd8187
Revises: 643c1d586677
Create Date: 2026-11-27 07:45:46.108011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = "120c9bfd8187"
down_revision: str | None = "643c1d586677"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_day",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("sealed_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_day_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "business_day", name=op.f("pk_report_day")),
    )
    op.create_table(
        "survey_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("label_th", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("label_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_survey_item_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_item")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_survey_item_office_id_code")),
    )
    with op.batch_alter_table("survey_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_item_office_id"), ["office_id"], unique=False)

    op.create_table(
        "report_day_service",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("transferred_in", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("unserved", sa.Integer(), nullable=False),
        sa.Column("hold_s", sa.Integer(), nullable=False),
        sa.Column("waits", sa.LargeBinary(), nullable=False),
        sa.Column("walks", sa.LargeBinary(), nullable=False),
        sa.Column("services", sa.LargeBinary(), nullable=False),
        sa.Column("totals", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_day_service_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_report_day_service_service_id_service")
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "business_day", "service_id", name=op.f("pk_report_day_service")
        ),
    )
    op.create_table(
        "report_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("transaction_no", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("arrival", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("called_at", counter.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", counter.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", counter.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=True),
        sa.Column("walk_s", sa.Integer(), nullable=True),
        sa.Column("service_s", sa.Integer(), nullable=True),
        sa.Column("hold_s", sa.Integer(), nullable=False),
        sa.Column("total_s", sa.Integer(), nullable=True),
        sa.Column("arrival_hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("end_hour", sa.Integer(), nullable=True),
        sa.Column("outside", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_report_transaction_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_transaction_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_report_transaction_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_report_transaction_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_report_transaction_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_transaction")),
        sa.UniqueConstraint(
            "ticket_id",
            "transaction_no",
            name=op.f("uq_report_transaction_ticket_id_transaction_no"),
        ),
    )
    with op.batch_alter_table("report_transaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_transaction_office_day", ["office_id", "business_day"], unique=False
        )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("transaction_no", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_survey_response_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_survey_response_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_survey_response_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_survey_response_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_survey_response_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint(
            "ticket_id", "transaction_no", name=op.f("uq_survey_response_ticket_id_transaction_no")
        ),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_response_office_day", ["office_id", "business_day"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_survey_answer_score_range")),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
        ),
        sa.PrimaryKeyConstraint("response_id", "item_code", name=op.f("pk_survey_answer")),
    )
    op.create_table(
        "report_month",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("built_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_month_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "month", name=op.f("pk_report_month")),
    )
    op.create_table(
        "report_month_service",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("transferred_in", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("unserved", sa.Integer(), nullable=False),
        sa.Column("hold_s", sa.Integer(), nullable=False),
        sa.Column("waits", sa.LargeBinary(), nullable=False),
        sa.Column("walks", sa.LargeBinary(), nullable=False),
        sa.Column("services", sa.LargeBinary(), nullable=False),
        sa.Column("totals", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_month_service_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_report_month_service_service_id_service")
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "month", "service_id", name=op.f("pk_report_month_service")
        ),
    )


def downgrade() -> None:
    op.drop_table("report_month_service")
    op.drop_table("report_month")
    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_office_day")

    op.drop_table("survey_response")
    with op.batch_alter_table("report_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_report_transaction_office_day")

    op.drop_table("report_transaction")
    op.drop_table("report_day_service")
    with op.batch_alter_table("survey_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_item_office_id"))

    op.drop_table("survey_item")
    op.drop_table("report_day")
