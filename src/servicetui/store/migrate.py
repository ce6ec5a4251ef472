"""Schema migrations through Alembic, run programmatically (`servicetui init` / `migrate`).

Before a migration changes an existing SQLite file, the file is backed up beside itself.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision, so start-up can check the schema without loading Alembic (a test keeps it
# equal to the head of migrations/versions).
HEAD = "0006"


def _config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (None when it has never been migrated). One SELECT."""
    from sqlalchemy import text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != HEAD


def upgrade(engine: Engine, revision: str = "head", *, backup: bool = True) -> Path | None:
    """Bring the schema to `revision`. Returns the backup file made first, if any."""
    from alembic import command

    made = None
    if backup and needs_upgrade(engine) and inspect(engine).get_table_names():
        made = backup_before_migration(engine)
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    return made


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def backup_before_migration(engine: Engine) -> Path | None:
    from servicetui.store.db import sqlite_path
    from servicetui.store.backup import backup_sqlite

    path = sqlite_path(engine)
    if path is None or not path.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.pre-migrate-{stamp}.bak")
    backup_sqlite(engine, target)
    return target
