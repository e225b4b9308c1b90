"""Installation: one row naming this installation's channels on a shared bus

Revision ID: 5e1c0a7d2b39
Revises: 5e1f0a7c2b9d
Create Date: 2026-12-06 10:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models

revision: str = "5e1c0a7d2b39"
down_revision: str | None = "5e1f0a7c2b9d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The row itself is made by the first process that starts (counter.service.installation).
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bus_namespace", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("created_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )


def downgrade() -> None:
    op.drop_table("installation")
