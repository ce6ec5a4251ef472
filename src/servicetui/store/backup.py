"""SQLite online backup, restore and integrity checks."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text


class BackupError(Exception):
    pass


def integrity_problems(engine: Engine) -> list[str]:
    """[] when the database is sound. On SQLite runs PRAGMA integrity_check and foreign_key_check."""
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return []
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        problems = [] if rows == ["ok"] else rows
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        problems += [f"foreign key: table {r[0]} rowid {r[1]} -> {r[2]}" for r in fk]
    return problems


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the live database to `target` with SQLite's online backup API (safe while in use)."""
    from servicetui.store.db import sqlite_path

    source = sqlite_path(engine)
    if source is None:
        raise BackupError("只能备份 SQLite 数据库文件 / only SQLite database files can be backed up")
    target = Path(target).expanduser()
    if not target.parent.is_dir():
        raise BackupError(f"目录不存在：{target.parent} / directory does not exist")
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def check_file(path: Path) -> list[str]:
    """Integrity problems of a database file that is not open ([] when sound)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            conn.execute("SELECT count(*) FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"不是有效的 servicetui 数据库 / not a servicetui database: {exc}"]
    return [] if rows == ["ok"] else rows


def restore_sqlite(source: Path, target: Path, *, force: bool = False) -> None:
    source, target = Path(source).expanduser(), Path(target).expanduser()
    if not source.is_file():
        raise BackupError(f"文件不存在：{source} / file not found")
    problems = check_file(source)
    if problems:
        raise BackupError("备份文件校验失败 / backup failed the integrity check: " + "; ".join(problems[:3]))
    if target.exists() and not force:
        raise BackupError(f"{target} 已存在，加 --force 覆盖 / exists, use --force to overwrite")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, tmp)
    os.chmod(tmp, 0o600)
    for suffix in ("-wal", "-shm"):
        side = target.with_name(target.name + suffix)
        if side.exists():
            side.unlink()
    os.replace(tmp, target)
