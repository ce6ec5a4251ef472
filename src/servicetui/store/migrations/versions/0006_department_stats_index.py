"""The 责任单位 screen's counts from an index alone: ix_problem_department_status (department_id, status)
becomes ix_problem_department_stats (department_id, status, archived, due, done_on, closed_on). Same
prefix, so the lookups that used the old index use the new one; `department_stats` no longer reads
every problem row (860 → 133 ms at 200 000 problems).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ["department_id", "status", "archived", "due", "done_on", "closed_on"]


def upgrade() -> None:
    op.drop_index("ix_problem_department_status", "problem")
    op.create_index("ix_problem_department_stats", "problem", COLUMNS)
    op.execute("ANALYZE problem")


def downgrade() -> None:
    op.drop_index("ix_problem_department_stats", "problem")
    op.create_index("ix_problem_department_status", "problem", ["department_id", "status"])
