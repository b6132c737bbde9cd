"""A run belongs to a workspace and is pending until its folder is published.

`runs.workspace` is the id of the workspace that wrote the run (its `.kaohe-id`), so that
two workspaces sharing one database never meet on (period, version); rows written before
have none and are claimed by their workspace on its next run or send
(flows.outputs.reconcile). `runs.status` is `pending` from the moment the run is recorded
until its version folder is published, then `complete`; every earlier row is complete.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("workspace", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="complete")
        )
        batch.drop_constraint("uq_run_period_version", type_="unique")
        batch.create_unique_constraint(
            "uq_run_workspace_period_version", ["workspace", "period", "version"]
        )
        batch.create_index("ix_runs_workspace", ["workspace"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_workspace")
        batch.drop_constraint("uq_run_workspace_period_version", type_="unique")
        batch.create_unique_constraint("uq_run_period_version", ["period", "version"])
        batch.drop_column("status")
        batch.drop_column("workspace")
