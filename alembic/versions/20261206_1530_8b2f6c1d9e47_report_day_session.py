"""Reports: counter sessions of each day, as a rollup

report_day_session: per local day, counter, staff member who opened the session, open or paused
and pause reason, the seconds (whole intervals, and open seconds per local hour), so the
dashboard, the evidence pack and the staff assessment of a fiscal year read rollups instead of
the year's counter events. The reports rebuild their rollups on the next request
(FACTS_VERSION 4).

Revision ID: 8b2f6c1d9e47
Revises: 3c7d9e2a4b61
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8b2f6c1d9e47"
down_revision: str | None = "3c7d9e2a4b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_day_session",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("starts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_day_session_office_id_office")
        ),
        sa.PrimaryKeyConstraint(
            "office_id",
            "business_day",
            "counter_id",
            "staff_id",
            "kind",
            "reason",
            "hour",
            name=op.f("pk_report_day_session"),
        ),
    )


def downgrade() -> None:
    op.drop_table("report_day_session")
