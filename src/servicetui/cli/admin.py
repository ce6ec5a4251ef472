"""Administration commands: init, migrate, demo, check, backup, restore, history.

Every refusal or failure is one line on stderr and exit code 2 (UserError); `check` exits 1 when it
finds a problem. Nothing here prints a traceback.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from servicetui.cli.main import CliState, UserError, cli, known_revision, one_line, open_app, service_errors

# -- helpers ----------------------------------------------------------------------------------


def _guard(fn):
    return service_errors(fn)


def _url(state: CliState, db: str | None = None) -> str:
    from servicetui.store.db import resolve_url

    return resolve_url(db or state.db)


def _sqlite_file(url: str) -> Path | None:
    from servicetui.store.db import sqlite_path

    return sqlite_path(url)


def _where(engine) -> str:
    from servicetui.store.db import sqlite_path

    path = sqlite_path(engine)
    if path is not None:
        return str(path)
    if engine.url.get_backend_name() == "sqlite":
        return ":memory:"
    return engine.url.render_as_string(hide_password=True)


def _existing_engine(state: CliState, db: str | None = None):
    return state.existing_engine(db)


def _ready_engine(state: CliState):
    return state.ready_engine()


def _safety_copy(path: Path, tag: str) -> Path:
    """Copy a database file beside itself (online backup when it is a database, else raw)."""
    from servicetui.store.backup import backup_sqlite
    from servicetui.store.db import make_engine

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{tag}-{stamp}.bak")
    engine = make_engine(path)
    try:
        backup_sqlite(engine, target)
    except Exception:
        shutil.copy2(path, target)
    finally:
        engine.dispose()
    return target


def _msg(state: CliState, zh: str, en: str) -> str:
    return state.msg(zh, en)


# -- init / migrate ---------------------------------------------------------------------------


@cli.command()
@click.pass_obj
@_guard
def init(state: CliState) -> None:
    """创建或升级数据库到最新版本 / create the database or bring it to the latest schema."""
    from servicetui.store import migrate

    engine = state.engine()
    try:
        before = migrate.current_revision(engine)
        made = migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    where = _where(engine)
    if before == after:
        click.echo(_msg(state, f"数据库已是最新版本（{after}）：{where}", f"database is up to date ({after}): {where}"))
    else:
        click.echo(_msg(state, f"数据库已就绪（版本 {after}）：{where}", f"database ready (revision {after}): {where}"))
    if made:
        click.echo(_msg(state, f"迁移前备份：{made}", f"backup before migration: {made}"))


@cli.command()
@click.pass_obj
@_guard
def migrate(state: CliState) -> None:
    """升级数据库结构（先自动备份）/ upgrade the schema (backs the file up first)."""
    from servicetui.store import migrate as mig

    engine = _existing_engine(state)
    try:
        before = mig.current_revision(engine)
        if before is not None and not known_revision(before):
            raise UserError(
                f"数据库版本 {before} 比本程序新，请升级 servicetui",
                f"database revision {before} is newer than this program; upgrade servicetui",
            )
        made = mig.upgrade(engine)
        after = mig.current_revision(engine)
    finally:
        engine.dispose()
    none = _msg(state, "（空）", "(none)")
    if before == after:
        click.echo(_msg(state, f"已是最新版本：{after}（{_where(engine)}）", f"already at the latest revision: {after} ({_where(engine)})"))
    else:
        click.echo(_msg(state, f"数据库版本：{before or none} → {after}（{_where(engine)}）",
                        f"database revision: {before or none} → {after} ({_where(engine)})"))
    if made:
        click.echo(_msg(state, f"迁移前备份：{made}", f"backup before migration: {made}"))


# -- demo -------------------------------------------------------------------------------------


def _reset_sqlite(state: CliState, db: str | None) -> Path | None:
    """Delete the SQLite file (and its -wal/-shm) for `demo --reset`. A database with real data is
    first copied beside itself; returns that copy, if any."""
    from servicetui.services.demo import looks_like_demo
    from servicetui.store.db import make_engine

    url = _url(state, db)
    path = _sqlite_file(url)
    if path is None:
        if url.startswith("sqlite"):
            return None  # in memory: nothing to delete
        raise UserError(
            "--reset 只能用于 SQLite 数据库文件（不会清空 PostgreSQL 数据库）",
            "--reset works on SQLite files only (it never empties a PostgreSQL database)",
        )
    if path.is_dir():
        raise UserError(f"{path} 是目录，不是数据库文件", f"{path} is a directory, not a database file")
    if not path.exists():
        return None
    saved = None
    keep = True
    try:
        engine = make_engine(path)
        try:
            keep = path.stat().st_size > 0 and not looks_like_demo(engine)
        finally:
            engine.dispose()
    except Exception:
        keep = True
    if keep and path.stat().st_size > 0:
        saved = _safety_copy(path, "pre-reset")
    for suffix in ("", "-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()
    return saved


@cli.command()
@click.option("--db", "db_opt", default=None, metavar="PATH", help="示范数据库（覆盖全局 --db）/ demo database (overrides the global --db).")
@click.option("--reset", is_flag=True, help="先删除已有的数据库文件再重建 / delete the database file first.")
@click.option("--no-open", "no_open", is_flag=True, help="只生成数据，不打开界面 / build only, do not open the app.")
@click.pass_context
@_guard
def demo(ctx: click.Context, db_opt: str | None, reset: bool, no_open: bool) -> None:
    """生成示范县 2022 年 9 月底的数据并打开 / build the demo county (end of September 2022) and open it."""
    from servicetui.services.demo import DEMO_TODAY, DEMO_USER, build_demo, is_empty
    from servicetui.store import migrate as mig
    from servicetui.store.db import make_engine

    state: CliState = ctx.obj
    db = db_opt or state.db
    saved = _reset_sqlite(state, db) if reset else None
    if saved:
        click.echo(_msg(state, f"原数据库已另存：{saved}", f"the previous database was saved as: {saved}"))
    engine = make_engine(_url(state, db))
    try:
        current = mig.current_revision(engine)
        if current is not None and not known_revision(current):
            raise UserError(
                f"数据库版本 {current} 比本程序新，请升级 servicetui",
                f"database revision {current} is newer than this program; upgrade servicetui",
            )
        if current is not None and not is_empty(engine):
            raise UserError(
                f"数据库已有数据，不会加入示范数据：{_where(engine)}（加 --reset 清空重建，或用 --db 指定新文件）",
                f"the database already holds data, not adding the demo: {_where(engine)} "
                "(use --reset to rebuild it, or --db for a new file)",
            )
        mig.upgrade(engine)
        summary = build_demo(engine)
    except BaseException:
        engine.dispose()
        raise
    user = (ctx.parent.params.get("user") if ctx.parent else None) or DEMO_USER
    today = state.today or DEMO_TODAY
    click.echo(
        _msg(
            state,
            f"示范数据已生成：{summary['projects']} 个项目、{summary['problems']} 个问题、{summary['tasks']} 项任务、"
            f"{summary['funds_reports']} 条到位资金、{summary['activities']} 次招商活动 → {_where(engine)}"
            f"（以 {user} 身份、{today} 打开）",
            f"demo built: {summary['projects']} projects, {summary['problems']} problems, {summary['tasks']} tasks, "
            f"{summary['funds_reports']} funds reports, {summary['activities']} activities → {_where(engine)} "
            f"(opens as {user} on {today})",
        )
    )
    if no_open:
        engine.dispose()
        return
    state.db = db
    state.user = user
    state.today = today
    open_app(state, engine)


# -- check / backup / restore -----------------------------------------------------------------


@cli.command()
@click.pass_context
@_guard
def check(ctx: click.Context) -> None:
    """检查数据库完整性和版本 / check integrity and schema version ("ok" or each problem, exit 1)."""
    from sqlalchemy.exc import DatabaseError

    from servicetui.store import migrate as mig
    from servicetui.store.backup import integrity_problems

    state: CliState = ctx.obj
    engine = _existing_engine(state)
    found: list[str] = []
    try:
        found += integrity_problems(engine)
        rev, head = mig.current_revision(engine), mig.head_revision()
        if rev is None:
            found.append(_msg(state, "数据库尚未初始化：请运行 servicetui init", "not initialised: run `servicetui init`"))
        elif rev != head and not known_revision(rev):
            found.append(_msg(state, f"数据库版本 {rev} 比本程序新（{head}）：请升级 servicetui",
                              f"revision {rev} is newer than this program ({head}): upgrade servicetui"))
        elif rev != head:
            found.append(_msg(state, f"数据库版本 {rev}，最新 {head}：请运行 servicetui migrate",
                              f"revision {rev}, latest {head}: run `servicetui migrate`"))
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        found.append(_msg(state, f"不是有效的数据库：{one_line(exc)}", f"not a valid database: {one_line(exc)}"))
    finally:
        engine.dispose()
    if found:
        for line in found:
            click.echo(line)
        # not ctx.exit(1): main() runs click with standalone_mode=False, which drops Exit codes
        sys.exit(1)
    click.echo("ok")


@cli.command()
@click.option("-o", "--output", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path), help="备份文件 / backup file.")
@click.option("--force", is_flag=True, help="覆盖已有的备份文件 / overwrite an existing file.")
@click.pass_obj
@_guard
def backup(state: CliState, output: Path, force: bool) -> None:
    """在线备份 SQLite 数据库 / online backup of the SQLite database."""
    from servicetui.store.backup import backup_sqlite

    url = _url(state)
    source = _sqlite_file(url)
    if source is None:
        raise UserError(
            "只能备份 SQLite 数据库文件（PostgreSQL 请用 pg_dump）",
            "only SQLite database files can be backed up here (use pg_dump for PostgreSQL)",
        )
    target = output.expanduser().absolute()
    if not target.parent.is_dir():
        raise UserError(f"目录不存在：{target.parent}", f"directory does not exist: {target.parent}")
    engine = _existing_engine(state)
    try:
        if target.exists() and target.resolve() == source.resolve():
            raise UserError("不能备份到数据库文件自身", "cannot back up onto the database file itself")
        if target.exists() and not force:
            raise UserError(f"{target} 已存在，加 --force 覆盖", f"{target} exists, use --force to overwrite")
        existed = target.exists()
        try:
            backup_sqlite(engine, target)
        except BaseException:
            if not existed and target.exists():
                target.unlink()
            raise
    finally:
        engine.dispose()
    click.echo(_msg(state, f"已备份：{source} → {target}", f"backed up: {source} → {target}"))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已有的数据库 / overwrite the existing database.")
@click.pass_obj
@_guard
def restore(state: CliState, file: Path, force: bool) -> None:
    """用备份文件恢复数据库 / restore the database from a backup file."""
    from servicetui.store import migrate as mig
    from servicetui.store.backup import check_file, restore_sqlite
    from servicetui.store.db import make_engine

    target = _sqlite_file(_url(state))
    if target is None:
        raise UserError("只能恢复到 SQLite 数据库文件", "can only restore onto a SQLite database file")
    source = file.expanduser().absolute()
    if not source.is_file():
        raise UserError(f"文件不存在：{source}", f"file not found: {source}")
    if target.exists() and source.resolve() == target.resolve():
        raise UserError("备份文件就是当前数据库", "the backup file is the database itself")
    problems = check_file(source)
    if problems:
        raise UserError(f"备份文件校验失败：{problems[0]}", f"the backup failed the integrity check: {problems[0]}")
    if target.exists() and not force:
        raise UserError(f"{target} 已存在，加 --force 覆盖", f"{target} exists, use --force to overwrite")
    saved = _safety_copy(target, "pre-restore") if target.exists() and target.stat().st_size > 0 else None
    restore_sqlite(source, target, force=True)
    click.echo(_msg(state, f"已恢复：{source} → {target}", f"restored: {source} → {target}"))
    if saved:
        click.echo(_msg(state, f"原数据库已另存：{saved}", f"the previous database was saved as: {saved}"))
    engine = make_engine(target)
    try:
        rev = mig.current_revision(engine)
    finally:
        engine.dispose()
    if rev != mig.head_revision():
        click.echo(_msg(state, "备份的数据库版本较旧：请运行 servicetui migrate",
                        "the restored database has an older schema: run `servicetui migrate`"))


# -- history ----------------------------------------------------------------------------------

_ACTIONS = {
    "create": ("新增", "create"), "update": ("修改", "update"), "archive": ("归档", "archive"),
    "restore": ("恢复", "restore"), "undo": ("撤销", "undo"), "set": ("设置", "set"),
}
_MAX_VALUE = 40


def _find_project(engine, value: str):
    from sqlalchemy import func, select

    from servicetui.store.models import Project

    value = value.strip()
    with engine.connect() as conn:
        row = conn.execute(select(Project.id, Project.code, Project.name).where(func.upper(Project.code) == value.upper())).first()
        if row is None and value.isdigit():
            row = conn.execute(select(Project.id, Project.code, Project.name).where(Project.id == int(value))).first()
    if row is None:
        raise UserError(f"找不到项目：{value}（请给出项目编号或 id）", f"project not found: {value} (give its code or id)")
    return row


def _show(raw: str | None, lang: str) -> str:
    if raw is None:
        return "—"
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if value is None:
        return "—"
    if isinstance(value, bool):
        text = ("是" if value else "否") if lang != "en" else ("yes" if value else "no")
    elif value == "":
        text = '""'
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _created(raw: str | None, lang: str) -> str:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return _show(raw, lang)
    if "year" in data and "month" in data and "amount" in data:
        main = f"{data['year']}-{int(data['month']):02d} {data['amount']}" + ("万元" if lang != "en" else " (10k CNY)")
    else:
        main = next((str(data[k]) for k in ("name", "title", "text", "kind") if data.get(k)), "")
    main = " ".join(main.split())
    if len(main) > _MAX_VALUE:
        main = main[: _MAX_VALUE - 1] + "…"
    return main


def _local(at) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _pad(text: str, width: int) -> str:
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


@cli.command()
@click.option("--project", "project", required=True, metavar="ID|CODE", help="项目编号或 id / project code or id.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 1_000_000), help="最多显示条数 / at most N entries.")
@click.pass_obj
@_guard
def history(state: CliState, project: str, limit: int) -> None:
    """项目的修改记录（最新在前）/ a project's change history, newest first."""
    from rich.cells import cell_len

    from servicetui import i18n
    from servicetui.services.history import history as audit_history

    lang = state.lang
    engine = _ready_engine(state)
    try:
        proj = _find_project(engine, project)
        rows = audit_history(engine, project_id=proj.id, limit=limit)
    finally:
        engine.dispose()
    click.echo(f"{proj.code} {proj.name}")
    if not rows:
        click.echo(_msg(state, "（无记录）", "(no entries)"))
        return
    table = []
    for r in rows:
        action = _ACTIONS.get(r["action"], (r["action"], r["action"]))[1 if lang == "en" else 0]
        what = f"{i18n.entity(r['entity'], lang)} #{r['entity_id']}"
        if r["action"] == "create" or not r["field"]:
            detail = _created(r["new"], lang)
        else:
            detail = f"{i18n.label(r['field'], lang)}: {_show(r['old'], lang)} → {_show(r['new'], lang)}"
        table.append((_local(r["at"]), r["actor"], action, what, detail))
    widths = [max(cell_len(row[i]) for row in table) for i in range(4)]
    for row in table:
        click.echo("  ".join([*(_pad(row[i], widths[i]) for i in range(4)), row[4]]).rstrip())
