"""Complaint register: complaints, their steps, and each office's deadlines.

Revision ID: 1897eb810fc2
Revises: c12f5a90a43a
Create Date: 2026-12-06 08:34:13.453217
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = '1897eb810fc2'
down_revision: str | None = 'c12f5a90a43a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('complaint_settings',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('acknowledge_business_days', sa.Integer(), nullable=False),
    sa.Column('resolve_business_days', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_complaint_settings_office_id_office')),
    sa.PrimaryKeyConstraint('office_id', name=op.f('pk_complaint_settings'))
    )
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('consent_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('received_at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('acknowledge_due_at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolve_due_at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('referred_at', counter.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('root_cause', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('preventive_action', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('referred_to', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_complaint_counter_id_counter')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_complaint_office_id_office')),
    sa.ForeignKeyConstraint(['received_by'], ['staff.id'], name=op.f('fk_complaint_received_by_staff')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_complaint_service_id_service')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_complaint_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('code', name=op.f('uq_complaint_code'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_office_received', ['office_id', 'received_at'], unique=False)

    op.create_table('complaint_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', counter.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_step_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_complaint_step_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_step'))
    )
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_step_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_step_complaint_id'))

    op.drop_table('complaint_step')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_office_received')

    op.drop_table('complaint')
    op.drop_table('complaint_settings')
