"""Reports: serving segments of a transaction, and the dashboard's breakdowns as rollups

report_transaction.segments: the stretches of service of a transaction split by a hold (the raw
export shows them). report_day_group / report_month_group: the dashboard's breakdowns (counter,
staff, priority, hours…) as rollups, so a fiscal year's dashboard and evidence pack read rollups
like the summary. The reports rebuild their rollups on the next request (FACTS_VERSION 2).

Revision ID: 8e4b2f6a1c37
Revises: 1bdcf3d305d2
Create Date: 2026-12-06 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8e4b2f6a1c37"
down_revision: str | None = "1bdcf3d305d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "issued",
    "transferred_in",
    "served",
    "transferred",
    "no_show",
    "cancelled",
    "unserved",
    "hold_s",
    "within_standard",
    "within_target",
)


def upgrade() -> None:
    with op.batch_alter_table("report_transaction", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("segments", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    for table, day in (("report_day_group", "business_day"), ("report_month_group", "month")):
        op.create_table(
            table,
            sa.Column("office_id", sa.Integer(), nullable=False),
            sa.Column(day, sa.Date(), nullable=False),
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
            *[
                sa.Column(name, sa.LargeBinary(), nullable=False)
                for name in ("waits", "walks", "services", "totals")
            ],
            sa.ForeignKeyConstraint(
                ["office_id"], ["office.id"], name=op.f(f"fk_{table}_office_id_office")
            ),
            sa.PrimaryKeyConstraint("office_id", day, "kind", "key", name=op.f(f"pk_{table}")),
        )


def downgrade() -> None:
    op.drop_table("report_month_group")
    op.drop_table("report_day_group")
    with op.batch_alter_table("report_transaction", schema=None) as batch_op:
        batch_op.drop_column("segments")
