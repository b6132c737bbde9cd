"""Signed bulletins: the office's edited and signed bulletin mailed in place of the run's.

`signed_bulletins` records each file `kaohe send --bulletin` was given (the version it
stands for, where it is kept, its sha256); `deliveries.bulletin` says which bulletin a
message carried ("" the run's own bulletin.pdf, else the signed file's sha256), and is part
of the key, so that a unit that received the generated bulletin can, when the office asks
(`--resend`), receive the signed one as a message of its own. Every earlier row carried the
generated bulletin.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signed_bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "sha256", name="uq_signed_run_sha256"),
    )
    op.create_index("ix_signed_bulletins_run_id", "signed_bulletins", ["run_id"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("bulletin", sa.String(length=64), nullable=False, server_default="")
        )
        batch.drop_constraint("uq_delivery_run_unit_address", type_="unique")
        batch.create_unique_constraint(
            "uq_delivery_run_unit_address_bulletin", ["run_id", "unit", "address", "bulletin"]
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_delivery_run_unit_address_bulletin", type_="unique")
        batch.create_unique_constraint(
            "uq_delivery_run_unit_address", ["run_id", "unit", "address"]
        )
        batch.drop_column("bulletin")
    op.drop_index("ix_signed_bulletins_run_id", table_name="signed_bulletins")
    op.drop_table("signed_bulletins")
