"""The officer's app: screens (1 projects, 2 problems, 3 departments), keymap, help, undo, polling.

    run_app(engine=engine, lang="zh", user="liming", today=date(2022, 9, 30))

Every key is a `Binding` with an id (see `keymap_ids()`); a user keymap file
(`config.keymap_path()`, TOML lines `"problem.close" = "x"`) rebinds them through `set_keymap`.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, Callable

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from servicetui.tui.footer import AppFooter
from servicetui.tui.palette import (
    SCREENSHOT,
    ServiceCommands,
    ServicePalette,
    system_commands,
)
from servicetui.tui.strings import t
from servicetui.tui.widgets import TopBar, translate_bindings

# Nothing here imports the database layer at module level: `servicetui` paints the frame of the
# home screen first (BootScreen) and opens the database, loads the data layer and the first page
# of the home list in a worker thread meanwhile (see ServiceApp._open_worker).


def _sized(screen: Screen) -> Screen:
    """A new mode screen with the terminal's size classes (see ServiceApp.push_screen)."""
    from textual._context import active_app

    return active_app.get().with_size_classes(screen)


def _projects():
    from servicetui.tui.screens import ProjectsScreen

    return _sized(ProjectsScreen())


class BootScreen(Screen):
    """The frame of the home screen while the database opens (a fraction of a second)."""

    def compose(self) -> ComposeResult:
        yield TopBar("projects")
        # no animated indicator: its frames would take the GIL from the opening worker
        yield Static(t("opening", self.app.lang), id="boot-message")
        yield AppFooter()

    def on_mount(self) -> None:
        self.call_after_refresh(self.app.boot_painted)


def _problems():
    from servicetui.tui.problems_screen import ProblemsScreen

    return _sized(ProblemsScreen())


def _departments():
    from servicetui.tui.departments_screen import DepartmentsScreen

    return _sized(DepartmentsScreen())


def _activities():
    from servicetui.tui.activities import ActivitiesScreen

    return _sized(ActivitiesScreen())


def _reference():
    from servicetui.tui.reference import ReferenceScreen

    return _sized(ReferenceScreen())


class ServiceApp(App):
    """Chief service officer desk."""

    TITLE = "servicetui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ServiceCommands}
    POLL_SECONDS = 2.0
    # the screen gets -narrow below 120 columns (an 80×24 terminal): side panels give the main text room
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    # and -short below 32 lines (an 80×24 terminal): the project and meeting screens drop spacing and the
    # grid's legend so their problem lists keep some rows
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    DEFAULT_MODE = "projects"
    MODES = {"projects": _projects, "problems": _problems, "departments": _departments,
             "activities": _activities, "reference": _reference, "boot": BootScreen}
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

    def __init__(self, engine=None, *, opener: Callable[[], tuple[Any, date | None]] | None = None,
                 lang: str = "zh", user: str | None = None, today: date | None = None, poll: bool = True) -> None:
        """`engine`: an open, migrated database (tests, the demo command). Or `opener`: called in a
        worker thread after the first paint, returns (engine, pinned today or None) or raises; its
        error is kept in `open_error` and the app exits (run_app raises it again)."""
        from servicetui.config import load_settings, os_user

        if engine is None and opener is None:
            raise ValueError("ServiceApp needs an engine or an opener")
        self.lang = "en" if str(lang).lower().startswith("en") else "zh"
        self.engine = engine
        self.user = user or os_user()
        self.today = today or (date.today() if engine is not None else None)
        self.poll = poll
        self._opener = opener
        self.opened = engine is not None
        self.open_error: BaseException | None = None
        self.boot_painted_at: float | None = None  # perf_counter() of the first painted frame
        self.opened_at: float | None = None  # … and of the home list shown with its data
        self._preload = None  # the home list's first page, loaded by the opener's worker
        if engine is None:
            self.DEFAULT_MODE = "boot"
        super().__init__()
        translate_bindings(self, self.lang)
        settings = load_settings()
        self.money_unit = settings.get("money_unit", "万") if settings.get("money_unit") in ("万", "亿") else "万"
        theme = settings.get("theme")  # the officer's last choice in the palette's 配色主题
        if isinstance(theme, str) and theme in self.available_themes and theme != self.theme:
            self.theme = theme
        self.warn_days = 3
        self.person_id = None
        self.role = None
        self.user_label = self.user
        self._last_counter = 0
        self._undo_worker = None  # an import's undo, running
        self.pending_problem_filter = None
        self.pending_project_filter = None
        if engine is not None:
            self._apply_setup(self._setup_values(engine, self.today))

    # -- set-up ------------------------------------------------------------------------

    def _setup_values(self, engine, today: date) -> dict[str, Any]:
        """What the app reads from the database before its first screen (any thread)."""
        from servicetui.services import entities
        from servicetui.services.context import Ctx

        try:
            warn_days = int(entities.get_setting(engine, "warn_days"))
        except (ValueError, TypeError):
            warn_days = 3
        ctx = Ctx(engine, actor=self.user, today=today, lang=self.lang)
        person_id, role = ctx.person_id, ctx.role
        return {"warn_days": warn_days, "person_id": person_id, "role": role,
                "user_label": self._user_label(engine, person_id)}

    def _user_label(self, engine=None, person_id: int | None = None) -> str:
        """"李明（liming）": the person's name with the login, or the login alone for an unknown user."""
        from sqlalchemy import select

        from servicetui.store.models import Person

        engine = engine or self.engine
        person_id = self.person_id if person_id is None else person_id
        if person_id is None or engine is None:
            return self.user
        with engine.connect() as conn:
            name = conn.scalar(select(Person.name).where(Person.id == person_id))
        return f"{name}（{self.user}）" if self.lang != "en" else f"{name} ({self.user})"

    def _apply_setup(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(self, key, value)

    def on_mount(self) -> None:
        from servicetui.config import load_keymap

        self.title = t("app_title", self.lang)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        keymap = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        if self.opened:
            self._start()
        # else: BootScreen paints first, then boot_painted starts the opening worker (started now, its
        # imports would share the GIL with the first frame and slow it down)

    @on(events.DeliveryComplete)
    def _screenshot_delivered(self, event: events.DeliveryComplete) -> None:
        if event.name == SCREENSHOT:
            self.notify(t("screenshot_saved", self.lang, path=str(event.path)) if event.path is not None
                        else t("screenshot_sent", self.lang))

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == SCREENSHOT:
            why = getattr(event.exception, "strerror", None) or str(event.exception)
            self.notify(t("screenshot_failed", self.lang, why=why), severity="error")

    def _remember_theme(self, theme) -> None:
        """Keep the theme chosen in the palette for the next start (settings.toml `theme`)."""
        from servicetui.config import load_settings, update_settings

        if load_settings().get("theme") == theme.name:
            return
        try:
            update_settings(theme=theme.name)
        except OSError as exc:
            self.notify(t("theme_not_saved", self.lang, why=exc.strerror or str(exc)), severity="warning")

    def _start(self) -> None:
        from servicetui.services.history import change_counter

        self._last_counter = change_counter(self.engine)
        if self.poll:
            self.set_interval(self.POLL_SECONDS, self.poll_changes, name="poll")
        self.call_after_refresh(self._offer_meeting_resume)
        self.call_after_refresh(self.settle_memory)

    def settle_memory(self) -> None:
        """Take what exists now (the modules, the widgets, the data layer, a search index) out of the
        cyclic collector's way. Its full passes walk every tracked object, 150 000 once the board and
        its search index are up, and one took ~100 ms in the middle of a keystroke; frozen objects are
        skipped (and never collected, so it is undone when the app closes). Called once the first
        screen is up and when a search index arrives. The `servicetui` command holds the collector
        while the program starts (`servicetui.cli.start`): it is turned back on here."""
        import gc

        gc.freeze()
        gc.enable()

    def on_unmount(self) -> None:
        import gc

        gc.unfreeze()  # what the app froze can be collected again (tests run many apps in one process)

    # -- opening (the CLI's path: paint first, then open) ----------------------------------
    def boot_painted(self) -> None:
        if self.boot_painted_at is None:
            import time

            self.boot_painted_at = time.perf_counter()
            if not self.opened:
                self.run_worker(self._open_worker, thread=True, name="open", exit_on_error=False)

    def _open_worker(self) -> None:
        """Worker thread: open and check the database, load the data layer and the home page."""
        try:
            engine, today = self._opener()
            today = self.today or today or date.today()
            values = self._setup_values(engine, today)
            from servicetui.tui import meeting  # noqa: F401  (what the first screen and _start use, loaded here)
            from servicetui.tui.screens import ProjectsScreen

            preload = ProjectsScreen.preload(engine, today=today, warn_days=values["warn_days"],
                                             person_id=values["person_id"], role=values["role"])
        except BaseException as exc:  # one clear line after the app has closed (run_app re-raises it)
            self._call_from_worker(self._open_failed, exc)
            return
        self._call_from_worker(self._opened, engine, today, values, preload)

    def _call_from_worker(self, fn, *args) -> None:
        try:
            self.call_from_thread(fn, *args)
        except RuntimeError:  # the user quit while the database was opening
            pass

    def _open_failed(self, exc: BaseException) -> None:
        self.open_error = exc
        self.exit(return_code=2)

    async def _opened(self, engine, today: date, values: dict[str, Any], preload) -> None:
        import time

        self.engine, self.today = engine, today
        self._apply_setup(values)
        self._preload = preload
        self.opened = True
        await self.switch_mode("projects")
        await self.remove_mode("boot")
        self.opened_at = time.perf_counter()
        self._start()
        rows = getattr(preload, "rows", None)
        if rows:  # the first Enter on a project should not also pay for compiling its screen's queries
            self.run_worker(partial(self._warm_project_screen, engine, rows[0].id, today, values["warn_days"]),
                            thread=True, name="warm", exit_on_error=False)

    @staticmethod
    def _warm_project_screen(engine, project_id: int, today: date, warn_days: int) -> None:
        """Worker thread, once the home list is up: read one project's screen and throw it away, so the
        SQL of a project screen is compiled (SQLAlchemy's statement cache) before the officer opens one."""
        from servicetui.services import queries

        try:
            queries.project_detail(engine, project_id, today=today, warn_days=warn_days)
        except Exception:  # only a warm-up: the screen itself reports any real problem
            pass

    def _offer_meeting_resume(self) -> None:
        from servicetui.tui.meeting_start import offer_resume

        offer_resume(self)

    def action_meeting(self) -> None:
        """调度会: start one, or resume the open one."""
        from servicetui.tui.meeting_start import open_meeting

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
        from servicetui.services.errors import ServiceError

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
        name = f"project:{self.current_mode}"  # this mode's project screen, kept to show the next project
        kept = self.get_screen(name) if self.is_screen_installed(name) else None
        if kept is None:
            screen = ProjectScreen(project_id)
            self.install_screen(screen, name)
        elif self._in_a_stack(kept) or not kept.show_project(project_id):
            # (under another screen still, say a meeting over it; or the project is gone: a screen of
            # its own, which goes back by itself when there is nothing to show)
            screen = ProjectScreen(project_id)
        else:
            screen = kept
        self.push_screen(screen)

    def push_screen(self, screen, *args, **kwargs):
        """As App.push_screen; a new screen gets its size classes first (`with_size_classes`)."""
        if isinstance(screen, Screen):
            self.with_size_classes(screen)
        return super().push_screen(screen, *args, **kwargs)

    def with_size_classes(self, screen: Screen) -> Screen:
        """`screen` with its size classes (-narrow/-wide, -short/-tall) before it is styled. Textual adds
        them at the screen's first resize, after its widgets were styled, and a change of a screen's
        classes restyles every widget on it again: each new screen was styled twice. Pushed screens get
        them in push_screen, the modes' screens when they are made (`_sized`)."""
        screen.update_classes(self.size_classes(), update=False)
        return screen

    def size_classes(self) -> dict[str, bool]:
        """The breakpoint classes Textual's Screen._on_resize gives a screen of the terminal's size."""
        width, height = self.size
        classes = {name: False for _, name in (*self.HORIZONTAL_BREAKPOINTS, *self.VERTICAL_BREAKPOINTS)}
        for dimension, points in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            for point, name in sorted(points, reverse=True):
                if dimension >= point:
                    classes[name] = True
                    break
        return classes

    def _in_a_stack(self, screen) -> bool:
        return any(screen in stack for stack in self._screen_stacks.values())

    async def drop_kept_screens(self) -> None:
        """Forget the project screens kept for the next project (they hold the old language's labels)."""
        for name in [n for n in self._installed_screens if n.startswith("project:")]:
            screen = self.get_screen(name)
            if not self._in_a_stack(screen):
                self.uninstall_screen(name)
                await screen.remove()

    def action_undo(self) -> None:
        """Undo this user's last action. An import's thousands of rows are undone in a worker (seconds),
        with a notice; an edit at once."""
        from servicetui.services import history

        if self._undo_worker is not None and self._undo_worker.is_running:
            self.notify(t("undo_running", self.lang), severity="warning")
            return
        ok, pending = self.call(history.pending_undo, self.ctx())
        if not ok:
            return
        if pending is None:
            self.notify(t("nothing_to_undo", self.lang), severity="warning")
            return
        what, n = pending
        if n < history.BULK_UNDO_MIN:
            ok, summary = self.call(history.undo_last, self.ctx(), pending)
            if ok:
                self._undone(summary)
            return
        self.notify(t("undoing", self.lang, what=what, n=n), timeout=8)
        self._undo_worker = self.run_worker(partial(self._undo_in_worker, self.ctx(), pending), thread=True,
                                            name="undo", exit_on_error=False)

    def _undo_in_worker(self, ctx, pending) -> None:
        from servicetui.services import history
        from servicetui.tui.transfer import one_line

        try:
            summary = history.undo_last(ctx, pending)
        except Exception as exc:  # a refusal or a database error: one line, never a traceback
            self.call_from_thread(self.notify, one_line(exc, self.lang), severity="error", timeout=8)
        else:
            self.call_from_thread(self._undone, summary)

    def _undone(self, summary: str | None) -> None:
        if summary is None:
            self.notify(t("nothing_to_undo", self.lang), severity="warning")
        else:
            self.after_write(t("undone", self.lang, what=summary))

    def action_settings(self) -> None:
        from servicetui.tui.settings_screen import open_settings

        if not isinstance(self.screen, ModalScreen):
            open_settings(self)

    def action_export(self) -> None:
        from servicetui.tui.transfer import open_export

        open_export(self)

    def action_import_file(self) -> None:
        from servicetui.tui.import_screen import open_import

        open_import(self)

    # -- the command palette, in the app's language ---------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not ServicePalette.is_open(self):
            self.push_screen(ServicePalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(ServicePalette(providers=[ThemeProvider], placeholder=t("palette_themes", self.lang)))

    def get_system_commands(self, screen: Screen):
        from textual.app import SystemCommand

        for title, help_, callback in system_commands(self, screen):
            yield SystemCommand(title, help_, callback)

    def action_help(self) -> None:
        from servicetui.tui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.opened:  # still opening the database: only help and quit
            return action in ("quit", "help", "command_palette")
        if action == "undo":
            from servicetui.tui.forms import ConfirmScreen, FormScreen

            return not isinstance(self.screen, (FormScreen, ConfirmScreen))
        return True


def run_app(*, engine=None, opener=None, lang: str = "zh", user: str | None = None,
            today: date | None = None) -> None:
    """Run the app on `engine`, or paint first and open the database with `opener` (see ServiceApp).
    An error of the opener is raised here, after the terminal is restored."""
    app = ServiceApp(engine, opener=opener, lang=lang, user=user, today=today)
    app.run()
    if app.open_error is not None:
        raise app.open_error
