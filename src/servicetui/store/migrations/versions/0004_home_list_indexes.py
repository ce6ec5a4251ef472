"""Indexes for the home screen at province scale: the light and next due of every project from just
the rows that decide them (active problems past due or due soon, milestones late or blocked), and
the desk summary's counts read from indexes alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("problem", "milestone", "project")


def upgrade() -> None:
    # problems of some statuses due before / within a day range (逾期, 本周到期, 待销号, red projects)
    op.create_index("ix_problem_overdue", "problem", ["status", "archived", "due", "project_id"])
    # milestones not done and planned before a day, and blocked ones (red and yellow projects)
    op.create_index("ix_milestone_late", "milestone", ["status", "archived", "planned_on", "project_id"])
    # live projects and stalled ones, counted without reading the table
    op.create_index("ix_project_archived_stalled", "project", ["archived", "stalled"])
    for table in TABLES:  # the planner's statistics for the new indexes (SQLite and PostgreSQL alike)
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    op.drop_index("ix_project_archived_stalled", "project")
    op.drop_index("ix_milestone_late", "milestone")
    op.drop_index("ix_problem_overdue", "problem")
