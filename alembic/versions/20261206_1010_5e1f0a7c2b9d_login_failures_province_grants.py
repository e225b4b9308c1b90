"""login failures (the cross-process throttle of failed logins); province grants by user name

Revision ID: 5e1f0a7c2b9d
Revises: 8e4b2f6a1c37
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import counter.models  # noqa: F401

revision: str = "5e1f0a7c2b9d"
down_revision: str | None = "8e4b2f6a1c37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"], unique=False)
    # province_member: keyed by (staff_id, office_id) before; now one row per (office, user name
    # as typed), staff_id set only when the account existed. Rebuilt through a plain copy, since
    # the key changes and PostgreSQL would keep the old constraint names on a renamed table.
    op.execute(
        "CREATE TABLE province_member_copy AS SELECT pm.office_id, s.username, pm.staff_id, "
        "pm.granted_by, pm.granted_at FROM province_member pm JOIN staff s ON s.id = pm.staff_id"
    )
    op.drop_table("province_member")
    _create_province_member(by_name=True)
    op.execute(
        "INSERT INTO province_member (office_id, username, staff_id, granted_by, granted_at) "
        "SELECT office_id, username, staff_id, granted_by, granted_at FROM province_member_copy"
    )
    op.drop_table("province_member_copy")


def _create_province_member(*, by_name: bool) -> None:
    columns: list[sa.Column[object] | sa.Constraint] = [
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", counter.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["staff.id"], name=op.f("fk_province_member_granted_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_province_member_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_province_member_staff_id_staff")
        ),
    ]
    if by_name:
        columns += [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column("staff_id", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_province_member")),
            sa.UniqueConstraint(
                "office_id", "username", name=op.f("uq_province_member_office_id_username")
            ),
        ]
    else:
        columns += [
            sa.Column("staff_id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("staff_id", "office_id", name=op.f("pk_province_member")),
        ]
    op.create_table("province_member", *columns)
    if by_name:
        with op.batch_alter_table("province_member", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_province_member_office_id"), ["office_id"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_province_member_staff_id"), ["staff_id"], unique=False
            )


def downgrade() -> None:
    # Grants of names that were not accounts cannot be kept in the old table.
    op.execute(
        "CREATE TABLE province_member_copy AS SELECT staff_id, office_id, granted_by, granted_at "
        "FROM province_member WHERE staff_id IS NOT NULL"
    )
    with op.batch_alter_table("province_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_province_member_staff_id"))
        batch_op.drop_index(batch_op.f("ix_province_member_office_id"))
    op.drop_table("province_member")
    _create_province_member(by_name=False)
    op.execute(
        "INSERT INTO province_member (staff_id, office_id, granted_by, granted_at) "
        "SELECT staff_id, office_id, granted_by, granted_at FROM province_member_copy"
    )
    op.drop_table("province_member_copy")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_username"))
        batch_op.drop_index(batch_op.f("ix_login_failure_client"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
    op.drop_table("login_failure")
