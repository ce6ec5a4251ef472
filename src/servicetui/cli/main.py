"""The `servicetui` command line. Global options: --db, --lang, --user.

`servicetui` alone opens the app. Sub-commands live in this package, one module per area, each
registering its commands on `cli` (see the bottom of this file). Errors become one clear line on
stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass
from datetime import date

import click


@dataclass
class CliState:
    db: str | None
    lang: str
    user: str | None
    today: date | None = None

    def engine(self):
        from servicetui.store.db import make_engine

        return make_engine(self.db)

    def existing_engine(self, db: str | None = None):
        """An engine on a database that must already exist (never creates an empty file by mistake)."""
        from servicetui.store.db import make_engine, resolve_url, sqlite_path

        url = resolve_url(db or self.db)
        path = sqlite_path(url)
        if path is not None and not path.is_file():
            raise UserError(f"数据库文件不存在：{path}", f"database file not found: {path}")
        return make_engine(url)

    def ready_engine(self):
        """An engine on a database that exists and is migrated; one clear line otherwise."""
        from servicetui.store import migrate

        engine = self.existing_engine()
        try:
            current = migrate.current_revision(engine)
        except Exception as exc:  # connection refused, not a database …
            engine.dispose()
            msg = one_line(exc)
            raise UserError(f"无法打开数据库：{msg}", f"cannot open the database: {msg}") from exc
        if current is None:
            engine.dispose()
            raise UserError(
                "数据库尚未初始化：请先运行 servicetui init（或 servicetui demo）",
                "the database is not initialised: run `servicetui init` (or `servicetui demo`) first",
            )
        if current != migrate.HEAD:
            engine.dispose()
            if known_revision(current):
                raise UserError("数据库版本较旧：请先运行 servicetui migrate",
                                "the database schema is out of date: run `servicetui migrate` first")
            raise UserError(f"数据库版本 {current} 比本程序新，请升级 servicetui",
                            f"database revision {current} is newer than this program; upgrade servicetui")
        if self.today is None:
            self.today = pinned_today(engine)
        return engine

    def ctx(self, engine=None):
        from servicetui.services import Ctx
        from servicetui.services.context import os_user

        kwargs = {"engine": engine or self.ready_engine(), "actor": self.user or os_user(), "lang": self.lang}
        if self.today:
            kwargs["today"] = self.today
        return Ctx(**kwargs)

    def msg(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh


def one_line(exc: BaseException) -> str:
    """The first line of an error (drivers add "Background on this error at: …" lines)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return (text[0] if text else type(orig).__name__)[:300]


def known_revision(rev: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from servicetui.store.migrate import _config

    try:
        return ScriptDirectory.from_config(_config()).get_revision(rev) is not None
    except CommandError:
        return False


def pinned_today(engine) -> date | None:
    """A demo or training database can pin "today" (setting `today`) so its lights stay as of that day."""
    from servicetui.services.entities import get_setting

    value = get_setting(engine, "today")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class UserError(click.ClickException):
    """One clear line for the user, exit code 2."""

    exit_code = 2

    def __init__(self, zh: str, en: str | None = None):
        super().__init__(zh)
        self.zh, self.en = zh, en or zh

    def format_message(self) -> str:
        lang = _current_lang()
        return self.en if lang == "en" else self.zh

    def show(self, file=None) -> None:
        click.echo(f"servicetui: {self.format_message()}", err=True)


_LAST_STATE: list[CliState] = []  # the state of this run, for errors reported after click has returned


def _current_lang() -> str:
    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(CliState) if ctx else None
    if state is None and _LAST_STATE:
        state = _LAST_STATE[-1]
    return state.lang if state else "zh"


def service_errors(fn):
    """Turn what a command can hit — a service refusal, a database, migration, backup or file error —
    into one UserError line (exit 2)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import sqlite3

        from sqlalchemy.exc import SQLAlchemyError

        from servicetui.services.errors import ServiceError
        from servicetui.store.backup import BackupError

        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            raise UserError(exc.zh, exc.en) from exc
        except BackupError as exc:
            raise UserError(str(exc)) from exc
        except _alembic_error() as exc:
            msg = one_line(exc)
            if "Can't locate revision" in msg:
                raise UserError(
                    f"数据库版本比本程序新，请升级 servicetui（{msg}）",
                    f"the database was made by a newer servicetui; upgrade the program ({msg})",
                ) from exc
            raise UserError(f"迁移失败：{msg}", f"migration failed: {msg}") from exc
        except (SQLAlchemyError, sqlite3.Error) as exc:
            msg = one_line(exc)
            raise UserError(f"数据库错误：{msg}", f"database error: {msg}") from exc
        except BrokenPipeError:
            raise
        except OSError as exc:
            name = getattr(exc, "filename", "") or ""
            reason = exc.strerror or str(exc)
            raise UserError(f"无法写入或读取文件：{name}（{reason}）", f"file error: {name} ({reason})") from exc

    return wrapper


def _alembic_error() -> type[BaseException] | tuple[()]:
    """Alembic's CommandError when alembic has been loaded, else nothing to catch: only a command that
    migrates loads alembic (about 0.4 s of imports), so one that did not load it cannot have raised it."""
    exc_module = sys.modules.get("alembic.util.exc")
    return exc_module.CommandError if exc_module is not None else ()


def parse_date_option(state: CliState, value: str | None, field: str = "date"):
    if value is None:
        return None
    from servicetui.domain.parsing import ParseError, parse_date

    try:
        return parse_date(value, state.today or date.today())
    except ParseError as exc:
        raise UserError(f"{field}：{exc.zh}", f"{field}: {exc.en}") from exc


class LazyGroup(click.Group):
    """`servicetui` alone opens the app: the sub-commands' modules (and what they import) load only
    when a sub-command or the help is asked for, so the app paints sooner."""

    _loaded = False

    def load_commands(self) -> None:
        if not self._loaded:
            type(self)._loaded = True
            from servicetui.cli import admin, reports_cmds, serve  # noqa: F401  (they register on `cli`)

            for command in self.commands.values():
                _add_global_options(command)

    def get_command(self, ctx, cmd_name):
        self.load_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        self.load_commands()
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="SERVICETUI_DB", help="SQLite file or SQLAlchemy URL (postgresql://…). Env: SERVICETUI_DB.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Interface language (default zh).")
@click.option("--user", "user", default=None, help="Who you are (login or name); default: the OS user.")
@click.option("--today", "today", default=None, hidden=True, help="Pretend today is this date (demos, tests).")
@click.version_option(package_name="servicetui")
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str | None, user: str | None, today: str | None) -> None:
    """servicetui — 首席服务官工作台 / a desk for chief service officers."""
    from servicetui.config import load_settings

    settings = load_settings()
    state = CliState(db=db or settings.get("db"), lang=lang or settings.get("lang", "zh"), user=user or settings.get("user"))
    ctx.obj = state
    _LAST_STATE.append(state)
    if today:
        state.today = parse_date_option(state, today, "--today")
    if ctx.invoked_subcommand is None:
        open_app(state)  # the app turns the collector back on once its first screen is up
    else:
        gc.enable()  # held while the program started (`servicetui.cli.start`)


def open_app(state: CliState, engine=None) -> None:
    """Open the app. Without an engine it paints first and opens the database in a worker
    (`ready_engine`: the same checks, the same one-line errors once the app has closed)."""
    from servicetui.tui.app import run_app

    if engine is not None:
        run_app(engine=engine, lang=state.lang, user=state.user, today=state.today)
        return
    if state.db and "://" not in state.db and not os.path.isfile(os.path.expanduser(state.db)):
        state.existing_engine()  # a missing file: say so before the terminal switches to the app

    def opener():
        return state.ready_engine(), state.today

    run_app(opener=opener, lang=state.lang, user=state.user, today=state.today)


def main() -> None:
    try:
        code = cli.main(prog_name="servicetui", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("servicetui: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        if isinstance(exc, UserError):
            exc.show()
        else:
            click.echo(f"servicetui: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `servicetui export problems | head`: the reader left, nothing to say
        try:
            sys.stdout = open(os.devnull, "w")
        finally:
            sys.exit(0)
    except Exception as exc:  # the last net: one line, never a traceback
        click.echo(f"servicetui: 内部错误 / internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


def _leaf_option(name: str, attr: str, help_text: str, **kw) -> click.Option:
    def remember(ctx: click.Context, _param, value):
        if value is not None:
            state = ctx.find_object(CliState)
            if state is not None:
                setattr(state, attr, value)
        return value

    return click.Option([name], expose_value=False, callback=remember, help=help_text, **kw)


def _add_global_options(command: click.Command) -> None:
    """Let every sub-command take --db/--user/--lang after its name too (`export problems --db X`)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_global_options(sub)
        return
    names = {p.name for p in command.params} | {o for p in command.params for o in getattr(p, "opts", [])}
    if "db" not in names and "--db" not in names:
        command.params.append(_leaf_option("--db", "db", "Database (same as the global --db)."))
    if "user" not in names and "--user" not in names:
        command.params.append(_leaf_option("--user", "user", "Who you are (same as the global --user)."))
    if "lang" not in names and "--lang" not in names:
        command.params.append(_leaf_option("--lang", "lang", "zh|en (same as the global --lang).",
                                           type=click.Choice(["zh", "en"])))

