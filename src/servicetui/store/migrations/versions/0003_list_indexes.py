"""Indexes for the lists at province scale: per-project aggregates of the home list and the board's
text search (covering, so a LIKE on titles reads the index instead of the table).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_problem_project_agg", "problem", ["project_id", "archived", "status", "due"])
    op.create_index("ix_milestone_project_agg", "milestone",
                    ["project_id", "archived", "kind", "status", "planned_on"])
    op.create_index("ix_problem_board", "problem",
                    ["status", "archived", "project_id", "department_id", "title", "due", "escalation"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_index("ix_problem_board", "problem")
    op.drop_index("ix_milestone_project_agg", "milestone")
    op.drop_index("ix_problem_project_agg", "problem")
