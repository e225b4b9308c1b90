"""Office targets the evidence pack rates the year against.

Revision ID: 1bdcf3d305d2
Revises: 6f4aa95b2ed8
Create Date: 2026-12-06 09:54:11.450878
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = '1bdcf3d305d2'
down_revision: str | None = '6f4aa95b2ed8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('satisfaction_target_pct', sa.Float(), server_default='85', nullable=False))
        batch_op.add_column(sa.Column('within_standard_target_pct', sa.Float(), server_default='80', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.drop_column('within_standard_target_pct')
        batch_op.drop_column('satisfaction_target_pct')

