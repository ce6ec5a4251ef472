"""Drop the problem table's single-column indexes that a composite index already starts with:
status (ix_problem_status_due, ix_problem_board, ix_problem_overdue), project_id
(ix_problem_project_agg) and department_id (ix_problem_department_status). The planner uses the
composite ones for the same lookups (the benchmark's queries time the same without them), and every
write, and the index rebuild of a bulk import, has three fewer indexes to keep.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DROPPED = (("ix_problem_status", "status"), ("ix_problem_project_id", "project_id"),
           ("ix_problem_department_id", "department_id"))


def upgrade() -> None:
    for name, _column in DROPPED:
        op.drop_index(name, "problem")


def downgrade() -> None:
    for name, column in DROPPED:
        op.create_index(name, "problem", [column])
