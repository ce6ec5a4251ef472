"""The officer's app: screens (1 projects, 2 problems, 3 departments), keymap, help, undo, polling.

    run_app(engine=engine, lang="zh", user="liming", today=date(2022, 9, 30))

Every key is a `Binding` with an id (see `keymap_ids()`); a user keymap file
(`config.keymap_path()`, TOML lines `"problem.close" = "x"`) rebinds them through `set_keymap`.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, Callable

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import ModalScreen

from servicetui.services.errors import ServiceError
from servicetui.tui.strings import t
from servicetui.tui.widgets import translate_bindings


class ServiceCommands(Provider):
    """The command palette: every action that can run on this screen, and "jump to project …"."""

    async def startup(self) -> None:
        from servicetui.tui import data

        app = self.app
        self._projects = data.project_choices(app.engine) if hasattr(app, "engine") else []

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        lang = getattr(app, "lang", "zh")
        out: list[tuple[str, str, Callable[[], Any]]] = []
        seen: set[tuple[int, str]] = set()
        keys: dict[tuple[int, str], list[str]] = {}
        items = []
        for key, ab in self.screen.active_bindings.items():
            node, binding = ab.node, ab.binding
            if not ab.enabled or not binding.description or binding.system:
                continue
            ident = (id(node), binding.action)
            keys.setdefault(ident, []).append(app.get_key_display(binding))
            if ident not in seen:
                seen.add(ident)
                items.append((ident, node, binding))
        for ident, node, binding in items:
            text = f"{binding.description}  ({', '.join(keys[ident])})"
            out.append((text, binding.id or binding.action, partial(self._run, binding.action, node)))
        for pid, code, name in getattr(self, "_projects", []):
            out.append((t("jump_project", lang, name=f"{code} {name}"), t("jump_project_help", lang),
                        partial(app.open_project, pid)))
        return out

    def _run(self, action: str, node) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for text, help_, cb in self._commands():
            yield DiscoveryHit(text, cb, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_, cb in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), cb, help=help_)


def _projects():
    from servicetui.tui.screens import ProjectsScreen

    return ProjectsScreen()


def _problems():
    from servicetui.tui.screens import ProblemsScreen

    return ProblemsScreen()


def _departments():
    from servicetui.tui.screens import DepartmentsScreen

    return DepartmentsScreen()


def _activities():
    from servicetui.tui.activities import ActivitiesScreen

    return ActivitiesScreen()


def _reference():
    from servicetui.tui.reference import ReferenceScreen

    return ReferenceScreen()


class ServiceApp(App):
    """Chief service officer desk."""

    TITLE = "servicetui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ServiceCommands}
    POLL_SECONDS = 2.0
    DEFAULT_MODE = "projects"
    MODES = {"projects": _projects, "problems": _problems, "departments": _departments,
             "activities": _activities, "reference": _reference}
    BINDINGS = [
        Binding("1", "show('projects')", "a_projects", id="app.projects", show=False),
        Binding("2", "show('problems')", "a_problems", id="app.problems", show=False),
        Binding("3", "show('departments')", "a_departments", id="app.departments", show=False),
        # 4/5 and the rest stay out of the footer (its width is shared); `?` help and ctrl+p list them
        Binding("4", "show('activities')", "a_activities", id="app.activities", show=False),
        Binding("5", "show('reference')", "a_reference", id="app.reference", show=False),
        Binding("comma", "settings", "a_settings", id="app.settings", key_display=",", show=False),
        Binding("ctrl+e", "export", "a_export", id="app.export", show=False),
        Binding("ctrl+o", "import_file", "a_import", id="app.import", show=False),
        Binding("question_mark,f1", "help", "a_help", id="app.help"),
        Binding("u,ctrl+z", "undo", "a_undo", id="app.undo"),
        Binding("M", "meeting", "a_meeting", id="app.meeting", show=False),
        Binding("q", "quit", "a_quit", id="app.quit", show=False),
    ]

    def __init__(self, engine, *, lang: str = "zh", user: str | None = None, today: date | None = None,
                 poll: bool = True) -> None:
        from servicetui.services.context import os_user

        self.lang = "en" if str(lang).lower().startswith("en") else "zh"
        self.engine = engine
        self.user = user or os_user()
        self.today = today or date.today()
        self.poll = poll
        super().__init__()
        translate_bindings(self, self.lang)
        from servicetui.config import load_settings
        from servicetui.services import entities

        settings = load_settings()
        self.money_unit = settings.get("money_unit", "万") if settings.get("money_unit") in ("万", "亿") else "万"
        try:
            self.warn_days = int(entities.get_setting(engine, "warn_days"))
        except (ValueError, TypeError):
            self.warn_days = 3
        ctx = self.ctx()
        self.person_id = ctx.person_id
        self.role = ctx.role
        self.user_label = self._user_label()
        self._last_counter = 0
        self.pending_problem_filter = None
        self.pending_project_filter = None

    # -- set-up ------------------------------------------------------------------------

    def _user_label(self) -> str:
        from sqlalchemy import select

        from servicetui.store.models import Person

        if self.person_id is None:
            return self.user
        with self.engine.connect() as conn:
            name = conn.scalar(select(Person.name).where(Person.id == self.person_id))
        return f"{name}（{self.user}）" if self.lang != "en" else f"{name} ({self.user})"

    def on_mount(self) -> None:
        from servicetui.config import load_keymap
        from servicetui.services.history import change_counter

        self.title = t("app_title", self.lang)
        keymap = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        self._last_counter = change_counter(self.engine)
        if self.poll:
            self.set_interval(self.POLL_SECONDS, self.poll_changes, name="poll")
        self.call_after_refresh(self._offer_meeting_resume)

    def _offer_meeting_resume(self) -> None:
        from servicetui.tui.meeting import offer_resume

        offer_resume(self)

    def action_meeting(self) -> None:
        """调度会: start one, or resume the open one."""
        from servicetui.tui.meeting import open_meeting

        if isinstance(self.screen, ModalScreen):
            return
        open_meeting(self)

    def handle_bindings_clash(self, clashed_bindings, node) -> None:
        detail = ", ".join(sorted(f"{b.id}={b.key}" for b in clashed_bindings if b.id))
        self.notify(t("keymap_error", self.lang, detail=detail), severity="warning")

    # -- services ------------------------------------------------------------------------
    def ctx(self):
        from servicetui.services.context import Ctx

        return Ctx(self.engine, actor=self.user, today=self.today, lang=self.lang)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run one service call; a ServiceError becomes a toast, never a traceback."""
        try:
            return True, fn(*args, **kwargs)
        except ServiceError as exc:
            self.notify(exc.message(self.lang), severity="error", timeout=8)
            return False, exc

    def after_write(self, message: str | None = None) -> None:
        """Refresh what is visible after this user's write."""
        from servicetui.services.history import change_counter

        self._last_counter = change_counter(self.engine)
        self.refresh_visible()
        if message:
            self.notify(message)

    def refresh_visible(self) -> None:
        for screen in self.screen_stack:
            if hasattr(screen, "refresh_data") and not isinstance(screen, ModalScreen):
                if screen is self.screen or screen.is_current:
                    screen.refresh_data()
                else:
                    screen.stale = True
        for mode_stack in self._screen_stacks.values():
            for screen in mode_stack:
                if hasattr(screen, "stale") and screen not in self.screen_stack:
                    screen.stale = True

    def poll_changes(self) -> None:
        """Cheap: one MAX(id) on the audit log; refresh only when someone else wrote."""
        from servicetui.services.history import change_counter

        try:
            counter = change_counter(self.engine)
        except Exception:  # the database went away for a moment: try again next tick
            return
        if counter != self._last_counter:
            self._last_counter = counter
            self.refresh_visible()

    # -- actions -------------------------------------------------------------------------
    async def action_show(self, mode: str) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        if self.current_mode == mode:
            # back to the list itself when a detail screen is on top
            while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
                self.pop_screen()
            if hasattr(self.screen, "on_show_again"):
                self.screen.on_show_again()
            return
        await self.switch_mode(mode)

    def show_problems(self, f) -> None:
        self.pending_problem_filter = f
        self.call_later(self.action_show, "problems")

    def open_project(self, project_id: int) -> None:
        from servicetui.tui.project_screen import ProjectScreen

        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        if isinstance(self.screen, ProjectScreen):
            self.pop_screen()
        self.push_screen(ProjectScreen(project_id))

    def action_undo(self) -> None:
        from servicetui.services import history

        ok, summary = self.call(history.undo_last, self.ctx())
        if not ok:
            return
        if summary is None:
            self.notify(t("nothing_to_undo", self.lang), severity="warning")
            return
        self.after_write(t("undone", self.lang, what=summary))

    def action_settings(self) -> None:
        from servicetui.tui.settings_screen import open_settings

        if not isinstance(self.screen, ModalScreen):
            open_settings(self)

    def action_export(self) -> None:
        from servicetui.tui.transfer import open_export

        open_export(self)

    def action_import_file(self) -> None:
        from servicetui.tui.transfer import open_import

        open_import(self)

    def action_help(self) -> None:
        from servicetui.tui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            from servicetui.tui.forms import ConfirmScreen, FormScreen

            return not isinstance(self.screen, (FormScreen, ConfirmScreen))
        return True


def run_app(*, engine, lang: str = "zh", user: str | None = None, today: date | None = None) -> None:
    ServiceApp(engine, lang=lang, user=user, today=today).run()
