"""Citizen manual of each service, as the office edited it.

Revision ID: 440d17120afe
Revises: 1897eb810fc2
Create Date: 2026-12-06 09:04:11.733160
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = '440d17120afe'
down_revision: str | None = '1897eb810fc2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_manual',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=True),
    sa.Column('fee_baht', sa.Integer(), nullable=False),
    sa.Column('fee_note_th', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('fee_note_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('legal_basis_th', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('legal_basis_en', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('updated_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_manual_service_id_service')),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_service_manual'))
    )


def downgrade() -> None:
    op.drop_table('service_manual')
