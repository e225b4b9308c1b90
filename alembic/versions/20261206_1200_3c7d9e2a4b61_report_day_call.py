"""Reports: the calls of each day by service and reason, as a rollup

report_day_call: per business day, service and call reason (aged, priority, normal by call-next;
out_of_order by number) the number of calls, and the event numbers of the out-of-order ones, so
the fairness evidence of a fiscal year reads rollups like the summary. The reports rebuild their
rollups on the next request (FACTS_VERSION 3, which also adds the per-line priority/normal waits).

Revision ID: 3c7d9e2a4b61
Revises: 47fe9963024f
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c7d9e2a4b61"
down_revision: str | None = "47fe9963024f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_day_call",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("seqs", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_report_day_call_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_report_day_call_service_id_service")
        ),
        sa.PrimaryKeyConstraint(
            "office_id", "business_day", "service_id", "reason", name=op.f("pk_report_day_call")
        ),
    )


def downgrade() -> None:
    op.drop_table("report_day_call")
