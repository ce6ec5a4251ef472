"""`servicetui serve --login`: each browser session first asks who the officer is.

    python -m servicetui.cli.login_session --db DB --lang zh

runs the officer's app (ServiceApp) behind a small screen that asks for a login or a name and checks
it against the people in the database (Person.login or Person.name, not archived) — the same
lookup as `--user`. This identifies, it does not authenticate: there are no passwords in
servicetui; put the county's sign-on (or basic auth) on the reverse proxy in front of it.

One App, not two in a row: under textual-serve the first app's exit would end the browser session.
The login screen is a mode of the app ("login"); once the name is known the app switches to its
usual "projects" mode and drops the login mode. Until then only quitting works (no 1/2/3, help,
undo or command palette).

Textual is imported when the app is built (`login_app_class()`), never when this module is
imported (tests/test_import_hygiene.py).
"""

from __future__ import annotations

import functools

from sqlalchemy import Engine, case, or_, select

TEXT = {
    "zh": {
        "title": "servicetui 首席服务官工作台",
        "prompt": "请输入您的登录名或姓名：",
        "placeholder": "登录名或姓名",
        "hint": "回车确认 · Ctrl+Q 退出",
        "empty": "请输入登录名或姓名。",
        "unknown": "没有找到“{name}”：请输入数据库中人员的登录名或姓名。",
    },
    "en": {
        "title": "servicetui — chief service officer desk",
        "prompt": "Your login or name:",
        "placeholder": "login or name",
        "hint": "Enter to continue · Ctrl+Q to quit",
        "empty": "Please type your login or name.",
        "unknown": "No one called “{name}”: type the login or the name of a person in the database.",
    },
}

# What works before anyone has logged in (app-level actions only; the screen's own keys are its own).
ALLOWED_BEFORE_LOGIN = frozenset({"quit", "help_quit", "focus_next", "focus_previous", "bell"})


def find_person(engine: Engine, name: str) -> str | None:
    """The login (or, for someone without one, the name) of the person `name` designates; None when
    no active person has that login or name. Same precedence as services.context.Ctx: login first."""
    from servicetui.store.models import Person

    name = name.strip()
    if not name:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(Person.login, Person.name)
            .where(or_(Person.login == name, Person.name == name), Person.archived == False)  # noqa: E712
            .order_by(case((Person.login == name, 0), else_=1), Person.id)
        ).first()
    if row is None:
        return None
    return row[0] or row[1]


@functools.cache
def login_app_class():
    """LoginServiceApp (built on first use, so importing this module does not load Textual)."""
    import inspect
    from pathlib import Path

    from textual.app import ComposeResult
    from textual.binding import Binding
    from textual.containers import Center, Vertical
    from textual.screen import Screen
    from textual.widgets import Input, Static

    from servicetui.tui.app import ServiceApp

    class LoginScreen(Screen):
        """Who are you? One input; Enter checks the name against the database."""

        DEFAULT_CSS = """
        LoginScreen { align: center middle; }
        LoginScreen #login-box { width: 64; height: auto; border: round $accent; padding: 1 2; }
        LoginScreen #login-title { text-style: bold; margin-bottom: 1; }
        LoginScreen #login-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
        LoginScreen #login-hint { color: $text-muted; margin-top: 1; }
        """
        BINDINGS = [Binding("ctrl+q", "app.quit", "quit", show=False, priority=True)]

        def compose(self) -> ComposeResult:
            text = TEXT[self.app.lang]
            with Center():
                with Vertical(id="login-box"):
                    yield Static(text["title"], id="login-title")
                    yield Static(text["prompt"], id="login-prompt")
                    yield Input(placeholder=text["placeholder"], id="login-name", max_length=50)
                    yield Static("", id="login-error")
                    yield Static(text["hint"], id="login-hint")

        def on_mount(self) -> None:
            self.query_one("#login-name", Input).focus()

        def on_input_submitted(self, event: Input.Submitted) -> None:
            event.stop()
            text = TEXT[self.app.lang]
            name = event.value.strip()
            error = self.query_one("#login-error", Static)
            if not name:
                error.update(text["empty"])
                return
            user = find_person(self.app.engine, name)
            if user is None:
                error.update(text["unknown"].format(name=name))
                event.input.clear()
                return
            # from the app, not from this screen's handler: logging in removes this screen
            self.app.call_later(self.app.log_in, user)

    class LoginServiceApp(ServiceApp):
        """The officer's app, opened on the login screen."""

        # CSS_PATH is relative to the module that defines the class: keep pointing at tui/app.tcss
        CSS_PATH = str(Path(inspect.getfile(ServiceApp)).parent / ServiceApp.CSS_PATH)
        DEFAULT_MODE = "login"
        MODES = {**ServiceApp.MODES, "login": LoginScreen}

        def __init__(self, engine, *, lang: str = "zh", today=None, poll: bool = True) -> None:
            super().__init__(engine, lang=lang, user=None, today=today, poll=poll)
            self.logged_in = False

        def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
            if not getattr(self, "logged_in", False) and action not in ALLOWED_BEFORE_LOGIN:
                return False
            return super().check_action(action, parameters)

        async def log_in(self, user: str) -> None:
            """Become `user` (a login or a name find_person returned) and open the projects."""
            self.user = user
            ctx = self.ctx()
            self.person_id = ctx.person_id
            self.role = ctx.role
            self.user_label = self._user_label()
            self.logged_in = True
            await self.switch_mode("projects")
            await self.remove_mode("login")

    LoginServiceApp.LoginScreen = LoginScreen
    return LoginServiceApp
