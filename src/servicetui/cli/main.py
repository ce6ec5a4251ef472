"""The `servicetui` command line. Global options: --db, --lang, --user.

`servicetui` alone opens the app. Sub-commands live in this package, one module per area, each
registering its commands on `cli` (see the bottom of this file). Errors become one clear line on
stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

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

    def ready_engine(self):
        """An engine on a database that exists and is migrated; a clear error otherwise."""
        from servicetui.store import migrate

        engine = self.engine()
        try:
            current = migrate.current_revision(engine)
        except Exception as exc:  # connection refused, not a database …
            raise UserError(f"无法打开数据库：{exc}", f"cannot open the database: {exc}") from exc
        if current is None:
            raise UserError(
                "数据库尚未初始化：请先运行 servicetui init（或 servicetui demo）",
                "the database is not initialised: run `servicetui init` (or `servicetui demo`) first",
            )
        if current != migrate.head_revision():
            raise UserError(
                "数据库版本较旧：请先运行 servicetui migrate",
                "the database schema is out of date: run `servicetui migrate` first",
            )
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


def _current_lang() -> str:
    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(CliState) if ctx else None
    return state.lang if state else "zh"


def service_errors(fn):
    """Turn a ServiceError or a file error raised by `fn` into a UserError."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from servicetui.services.errors import ServiceError

        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            raise UserError(exc.zh, exc.en) from exc
        except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            name = getattr(exc, "filename", "") or ""
            raise UserError(f"无法写入或读取文件：{name}（{exc.strerror}）", f"file error: {name} ({exc.strerror})") from exc

    return wrapper


def parse_date_option(state: CliState, value: str | None, field: str = "date"):
    if value is None:
        return None
    from servicetui.domain.parsing import ParseError, parse_date

    try:
        return parse_date(value, state.today or date.today())
    except ParseError as exc:
        raise UserError(f"{field}：{exc.zh}", f"{field}: {exc.en}") from exc


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
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
    if today:
        state.today = parse_date_option(state, today, "--today")
    if ctx.invoked_subcommand is None:
        open_app(state)


def open_app(state: CliState, engine=None) -> None:
    engine = engine or state.ready_engine()
    from servicetui.tui.app import run_app

    run_app(engine=engine, lang=state.lang, user=state.user, today=state.today)


def main() -> None:
    try:
        cli.main(prog_name="servicetui", standalone_mode=False)
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
    except Exception as exc:  # the last net: one line, never a traceback
        click.echo(f"servicetui: 内部错误 / internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


# Each area registers its commands here.
from servicetui.cli import admin  # noqa: E402,F401
