"""kiosk request keys, printer status, lunch service

Revision ID: 643c1d586677
Revises: 1a0bf01227bb
Create Date: 2026-11-27 07:43:34.599162
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = "643c1d586677"
down_revision: str | None = "1a0bf01227bb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ticket_counter", "ticket", ["counter_id", "status"], unique=False)
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lunch_service", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("printer_state", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True)
        )
        batch_op.add_column(
            sa.Column("printer_detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "printer_checked_at", counter.models.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_ticket_device_id_request_key"), ["device_id", "request_key"]
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index("ix_ticket_counter", table_name="ticket")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_column("lunch_service")

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ticket_device_id_request_key"), type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("printer_checked_at")
        batch_op.drop_column("printer_detail")
        batch_op.drop_column("printer_state")

    # ### end Alembic commands ###
