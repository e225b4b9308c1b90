"""Versioned questionnaires: form versions, item dimensions, the needs survey.

Revision ID: 6733e318669c
Revises: 5d1e7a3c9b20
Create Date: 2026-12-06 09:35:11.369385
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = '6733e318669c'
down_revision: str | None = '5d1e7a3c9b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('items', sa.JSON(), nullable=True),
    sa.Column('needs', sa.JSON(), nullable=True),
    sa.Column('needs_every', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_survey_form_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_form')),
    sa.UniqueConstraint('office_id', 'version', name=op.f('uq_survey_form_office_id_version'))
    )
    with op.batch_alter_table('survey_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_form_office_id'), ['office_id'], unique=False)

    op.create_table('needs_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('answered_at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('free_text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_needs_response_office_id_office')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_needs_response_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_response'))
    )
    with op.batch_alter_table('needs_response', schema=None) as batch_op:
        batch_op.create_index('ix_needs_response_office_day', ['office_id', 'business_day'], unique=False)

    with op.batch_alter_table('survey_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='overall', nullable=False))
    # Items an office kept from the bundled set get their GECC dimension.
    for code, dimension in [
        ("speed", "process"),
        ("courtesy", "staff"),
        ("clarity", "information"),
        ("facilities", "facilities"),
    ]:
        op.execute(
            sa.text("UPDATE survey_item SET dimension = :d WHERE code = :c").bindparams(
                d=dimension, c=code
            )
        )

    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_version', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_column('form_version')

    with op.batch_alter_table('survey_item', schema=None) as batch_op:
        batch_op.drop_column('dimension')

    with op.batch_alter_table('needs_response', schema=None) as batch_op:
        batch_op.drop_index('ix_needs_response_office_day')

    op.drop_table('needs_response')
    with op.batch_alter_table('survey_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_form_office_id'))

    op.drop_table('survey_form')
