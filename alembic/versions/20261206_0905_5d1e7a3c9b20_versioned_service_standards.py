"""Versioned service standards: a standard time and wait target effective from a date

A new table only; services never changed keep no rows (their own columns apply), so no data
moves and the downgrade drops the table.

Revision ID: 5d1e7a3c9b20
Revises: 440d17120afe
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import counter.models

revision: str = "5d1e7a3c9b20"
down_revision: str | None = "440d17120afe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("standard_minutes", sa.Integer(), nullable=False),
        sa.Column("wait_target_minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_service_standard_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff.id"], name=op.f("fk_service_standard_recorded_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_standard")),
        sa.UniqueConstraint(
            "service_id",
            "effective_from",
            name=op.f("uq_service_standard_service_id_effective_from"),
        ),
    )
    with op.batch_alter_table("service_standard", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_standard_service_id"), ["service_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_standard_service_id"))
    op.drop_table("service_standard")
