"""The audit trail is append-only at the database level, and a populated database migrates forward
from the first revision with its data intact and a backup made first."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from servicetui.services import entities, problems
from servicetui.services.context import Ctx
from servicetui.store import migrate
from servicetui.store.backup import check_file
from servicetui.store.db import make_engine
from servicetui.store.models import AuditEntry, Problem


def test_updating_or_deleting_audit_entries_is_refused_by_the_database(world, engine):
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(AuditEntry))
    for sql in ("UPDATE auditentry SET actor = 'forger'", "DELETE FROM auditentry"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEntry)) == n
        assert conn.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor == "forger")) == 0


@pytest.mark.sqlite_only
def test_a_populated_first_revision_database_upgrades_with_its_data_and_a_backup(tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0001")
    ctx = Ctx(engine, actor="liming", today=date(2022, 10, 5))
    project = entities.create_project(ctx, name="思思食品年产2万吨航空系列食品加工项目")
    pid = problems.create_problem(ctx, project_id=project, title="钢柱加工延迟", due=date(2022, 10, 14))
    with engine.begin() as conn:  # at revision 0001 nothing stops this yet
        conn.execute(text("UPDATE auditentry SET summary = summary"))

    backup = migrate.upgrade(engine)

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert backup is not None and backup.exists() and check_file(backup) == []
    with engine.connect() as conn:
        assert conn.scalar(select(Problem.title).where(Problem.id == pid)) == "钢柱加工延迟"
    with pytest.raises(DBAPIError):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM auditentry"))
    engine.dispose()
