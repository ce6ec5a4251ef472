"""The projects list (1, the home screen) and what the top-level screens share: BaseScreen, the `/`
search box, a DataTable with vim keys. The problems board is problems_screen.py, the departments
screen departments_screen.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import DataTable, Static

from servicetui import i18n
from servicetui.domain.enums import Light, Stage
from servicetui.domain.parsing import format_money, money_unit_label
from servicetui.services import queries
from servicetui.services.queries.search import ProjectSearch
from servicetui.tui import actions, data
from servicetui.tui.footer import AppFooter
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.list_search import SearchedList
from servicetui.tui.strings import t
from servicetui.tui.widgets import (
    FieldInput,
    I18nBindings,
    StatusLine,
    TopBar,
    light_text,
)

V = i18n.value


class BaseScreen(I18nBindings, Screen):
    """Top bar, status line and footer; `refresh_data()` re-reads what is shown."""

    current = "projects"
    stale = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._translate()

    @property
    def lang(self) -> str:
        return self.app.lang

    def refresh_data(self) -> None:  # pragma: no cover - overridden
        pass

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.refresh_data()
        self.refresh_bindings()

    def status(self, text: str | Text, light: str | None = None) -> None:
        try:
            self.query_one(StatusLine).show(text, light)
        except Exception:
            pass


class SearchInput(FieldInput):
    """The `/` box: filters as you type; Enter or Esc returns to the list."""

    BINDINGS = [Binding("escape", "done", "back", show=False, id="search.done")]
    # Input sets its virtual width to the text's on every keystroke (for its own horizontal scrolling),
    # and Widget.virtual_size lays the whole screen out again when it changes. This box is a fixed 40
    # cells wide (app.tcss #filterbar #search): nothing around it moves, so no layout pass per keystroke.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def action_done(self) -> None:
        self.screen.focus_list()

    def on_input_submitted(self) -> None:
        self.screen.focus_list()


# -- projects (home) ------------------------------------------------------------------------
PROJECT_SORTS = ("light", "due", "name")


@dataclass
class HomePreload:
    mine: bool
    summary: queries.DeskSummary
    count: int
    rows: list


class ProjectsScreen(SearchedList, BaseScreen):
    current = "projects"
    AUTO_FOCUS = "#list"
    BINDINGS = [
        Binding("slash", "search", "a_filter_text", id="projects.search", key_display="/"),
        Binding("f", "filter", "a_filter", id="projects.filter"),
        Binding("m", "mine", "a_mine", id="projects.mine"),
        Binding("s", "sort", "a_sort", id="projects.sort"),
        Binding("c", "clear", "a_clear", id="projects.clear", show=False),
        Binding("a", "add", "a_add_project", id="projects.add"),
        Binding("e", "edit", "a_edit_project", id="projects.edit"),
        Binding("delete", "archive", "a_archive", id="projects.archive", show=False),
        Binding("o", "jump('overdue')", "a_overdue", id="summary.overdue", show=False),
        Binding("w", "jump('week')", "a_week", id="summary.week", show=False),
        Binding("v", "jump('to_close')", "a_to_close", id="summary.to_close", show=False),
        Binding("t", "jump('stalled')", "a_stalled", id="summary.stalled", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = queries.ProjectFilter()
        self.sort = "light"
        self.mine = False
        self._init_search()

    def compose(self) -> ComposeResult:
        yield TopBar("projects")
        yield Static("", id="summary")
        with Horizontal(id="filterbar"):
            yield SearchInput(placeholder=t("filter_placeholder_projects", self.lang), id="search", compact=True)
            yield Static("", id="filterdesc")
        yield LazyTable(self._columns(), count=self._count, fetch=self._fetch, id="list")
        yield StatusLine("")
        yield AppFooter()

    @staticmethod
    def preload(engine, *, today, warn_days: int, person_id: int | None, role: str | None) -> HomePreload:
        """Everything the home screen shows first, read in one go: by the app's opening worker off the
        UI thread (the screen then draws it without a query), or by the screen's own on_mount."""
        mine = person_id is not None and role == "首席服务官" and data.project_count(
            engine, queries.ProjectFilter(officer_id=person_id), today=today) > 0
        f = queries.ProjectFilter(officer_id=person_id) if mine else queries.ProjectFilter()
        summary = queries.desk_summary(engine, today=today, officer_id=person_id if mine else None)
        count = data.project_count(engine, f, today=today, warn_days=warn_days)
        rows = queries.project_rows(engine, f, today=today, warn_days=warn_days, sort="light", offset=0,
                                    limit=LazyTable.PAGE) if count else []
        return HomePreload(mine, summary, count, rows)

    def on_mount(self) -> None:
        # a new screen has the default filter and sort: what the opening worker may have read already
        app = self.app
        pre, app._preload = getattr(app, "_preload", None), None
        if pre is None:
            pre = self.preload(app.engine, today=app.today, warn_days=app.warn_days, person_id=app.person_id,
                               role=app.role)
        self.mine = pre.mine
        self._summary(pre.summary)
        self.query_one("#list", LazyTable).prime(pre.count, pre.rows)
        self._describe()
        self.focus_list()

    def focus_list(self) -> None:
        self.query_one("#list", LazyTable).focus()

    def on_show_again(self) -> None:
        self.focus_list()

    # -- data ----------------------------------------------------------------------------
    def _effective(self) -> queries.ProjectFilter:
        f = self.filter
        if self.mine and self.app.person_id is not None:
            f = replace(f, officer_id=self.app.person_id)
        return f

    # -- the list: from the search index when there is one (list_search.SearchedList), else SQL
    def _sql_count(self) -> int:
        return data.project_count(self.app.engine, self._effective(), today=self.app.today,
                                  warn_days=self.app.warn_days)

    def _sql_page(self, offset: int, limit: int) -> list:
        # (a text's projects in the light order took 0.1–0.3 s at 20 000 projects, and a page of the
        # progress order 0.6 s: then the list pages from an index)
        app = self.app
        return queries.project_rows(app.engine, self._effective(), today=app.today, warn_days=app.warn_days,
                                    sort=self.sort, offset=offset, limit=limit)

    # -- search as you type: an in-memory index of this filter (list_search, queries.search)
    def _search_filter(self) -> queries.ProjectFilter:
        return self._effective()

    def _new_index(self, f: queries.ProjectFilter, sort: str) -> ProjectSearch:
        app = self.app
        return ProjectSearch(app.engine, f, today=app.today, warn_days=app.warn_days, sort=sort)

    def _columns(self) -> list[Column]:
        lang, unit = self.lang, self.app.money_unit
        en = lang == "en"
        return [
            Column("code", t("c_code", lang), 11, lambda r: r.code, priority=-1),
            Column("name", t("c_name", lang), 18, lambda r: r.name, flex=3),
            Column("company", t("c_company", lang), 10, lambda r: r.company, flex=1, priority=-2),
            Column("stage", t("c_stage", lang), 10 if en else 4, lambda r: V(r.stage, lang)
                   + ("!" if r.stalled else "")),
            Column("park", t("c_park", lang), 10, lambda r: r.park, flex=1, priority=-1),
            Column("officer", t("c_officer", lang), 8 if en else 6, lambda r: r.officer),
            Column("leader", t("c_leader", lang), 8, lambda r: r.leader, priority=-3),
            Column("invest", t("c_invest", lang, unit=money_unit_label(unit, lang)), 16 if en else 14,
                   lambda r: format_money(r.agreed_investment, unit), align="right"),
            Column("progress", t("c_progress", lang), 8, lambda r: f"{r.progress}%", align="right"),
            Column("open", t("c_open", lang), 6, lambda r: str(r.open_problems), align="right"),
            Column("light", t("c_light", lang), 8 if en else 6, lambda r: light_text(r.light, lang)),
        ]

    def refresh_data(self) -> None:
        self._drop_search()
        self._summary()
        self.query_one("#list", LazyTable).reload()
        self._describe()

    def _apply(self, summary: bool = True) -> None:
        if summary:  # (the summary counts every project: the box's text and the order do not change it)
            self._summary()
        self.query_one("#list", LazyTable).reload(keep_cursor=False)
        self._describe()

    def _summary(self, s: queries.DeskSummary | None = None) -> None:
        app = self.app
        if s is None:
            s = queries.desk_summary(app.engine, today=app.today, officer_id=app.person_id if self.mine else None)
        lang = self.lang
        parts = [("overdue", s.overdue, "o", "red"), ("due_week", s.due_this_week, "w", "yellow"),
                 ("to_close", s.to_close, "v", "green"), ("stalled", s.stalled_projects, "t", "yellow")]
        jumps = {"overdue": "overdue", "due_week": "week", "to_close": "to_close", "stalled": "stalled"}
        pieces = []
        for key, n, k, colour in parts:
            style = f"bold {colour}" if n else ""
            pieces.append(f"[@click=screen.jump('{jumps[key]}')][{style}]{t(key, lang)} {n}[/][/] [dim]({k})[/]"
                          if style else f"[@click=screen.jump('{jumps[key]}')]{t(key, lang)} {n}[/] [dim]({k})[/]")
        scope = t("mine", lang) if self.mine else t("all", lang)
        # " · " as in the facts: the English line fits 80 columns with its last key
        self.query_one("#summary", Static).update(f"[b]{scope}[/b]  " + " · ".join(pieces))

    def _describe(self) -> None:
        lang, f = self.lang, self.filter
        bits = []
        if self.mine:
            bits.append(t("mine", lang))
        if f.stage:
            bits.append(f"{i18n.label('stage', lang)}={V(f.stage, lang)}")
        if f.park_id is not None:
            bits.append(dict((i, n) for i, n in queries.choices(self.app.engine, "parks")).get(f.park_id, "?"))
        if f.officer_id is not None:
            bits.append(dict(queries.choices(self.app.engine, "people")).get(f.officer_id, "?"))
        if f.lights:
            bits.append(f"{t('light', lang)}=" + "/".join(V(x, lang) for x in f.lights))
        if f.stalled:
            bits.append(t("stalled", lang))
        self._show_filters(bits)

    # -- events --------------------------------------------------------------------------
    def on_input_changed(self, event) -> None:
        if event.input.id == "search":
            self.filter = replace(self.filter, text=event.value)
            self._apply(summary=False)

    def on_lazy_table_highlighted(self, event: LazyTable.Highlighted) -> None:
        row = event.row
        if row is None:
            self.status(t("empty", self.lang))
            return
        # The reason behind the row's light takes three queries (2–20 ms): worked out once the list is
        # drawn, so a keystroke or a cursor move shows the list first, and only for the row still
        # highlighted by then (a key held down skips the rows it passes).
        self.call_after_refresh(self._show_verdict, row.id, row.name)

    def _show_verdict(self, project_id: int, name: str) -> None:
        if not self.is_attached or self.query_one("#list", LazyTable).selected_key != project_id:
            return
        v = queries.project_verdict(self.app.engine, project_id, today=self.app.today, warn_days=self.app.warn_days)
        if v is not None:
            self.status(f"{v.reason(self.lang)} · {name}", v.light.value)

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        self.app.open_project(event.row.id)

    # -- actions -------------------------------------------------------------------------
    def action_search(self) -> None:
        self.query_one("#search", FieldInput).focus()
        self._build_search()  # ready by the time the first characters arrive

    def action_mine(self) -> None:
        self.mine = not self.mine
        self._apply()

    def action_sort(self) -> None:
        self.sort = PROJECT_SORTS[(PROJECT_SORTS.index(self.sort) + 1) % len(PROJECT_SORTS)]
        self._apply(summary=False)

    def action_clear(self) -> None:
        self.filter = queries.ProjectFilter()
        self.mine = False
        self.query_one("#search", FieldInput).value = ""
        self._apply()

    def action_add(self) -> None:
        actions.add_project(self.app)

    def action_edit(self) -> None:
        row = self.query_one("#list", LazyTable).selected
        if row is not None:
            actions.edit_project(self.app, row.id)

    def action_archive(self) -> None:
        row = self.query_one("#list", LazyTable).selected
        if row is not None:
            actions.archive_project(self.app, row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "archive"):
            try:
                return self.query_one("#list", LazyTable).selected is not None
            except Exception:
                return False
        if action == "mine":
            return self.app.person_id is not None
        return True

    def action_filter(self) -> None:
        lang, f = self.lang, self.filter
        fields = [
            Field("stage", i18n.label("stage", lang), "select", [(V(s.value, lang), s.value) for s in Stage]),
            Field("park_id", i18n.label("park_id", lang), "select",
                  [(n, i) for i, n in queries.choices(self.app.engine, "parks")]),
            Field("officer_id", i18n.label("officer_id", lang), "select",
                  [(n, i) for i, n in queries.choices(self.app.engine, "officers")]),
            Field("light", t("light", lang), "select",
                  [(V(x.value, lang), x.value) for x in (Light.RED, Light.YELLOW, Light.GREEN)]),
            Field("stalled", t("stalled", lang), "bool"),
        ]
        values = {"stage": f.stage, "park_id": f.park_id, "officer_id": f.officer_id,
                  "light": f.lights[0] if f.lights else None, "stalled": bool(f.stalled)}

        def done(v: dict[str, Any] | None) -> None:
            if v is None:
                return
            self.filter = replace(self.filter, stage=v["stage"], park_id=v["park_id"], officer_id=v["officer_id"],
                                  lights=(v["light"],) if v["light"] else (), stalled=True if v["stalled"] else None)
            if v["officer_id"] is not None:
                self.mine = False
            self._apply()

        self.app.push_screen(FormScreen(t("filters_title", lang), fields, values, lambda v: v), done)

    def action_jump(self, what: str) -> None:
        """Open the list behind a number of the summary line (the very filter that counted it)."""
        app = self.app
        officer = app.person_id if self.mine else None
        key = {"overdue": "overdue", "week": "due_this_week", "to_close": "to_close", "stalled": "stalled_projects"}[what]
        f = queries.summary_filters(app.today, officer)[key]
        if isinstance(f, queries.ProjectFilter):
            self.filter = f
            self._apply()
            return
        app.show_problems(f)


# -- departments ------------------------------------------------------------------------------
class VimDataTable(I18nBindings, DataTable):
    """A small DataTable (a few dozen departments) with j/k/g/G beside the arrows."""

    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="list.down"),
        Binding("k", "cursor_up", "up", show=False, id="list.up"),
        Binding("g", "scroll_top", "top", show=False, id="list.top"),
        Binding("G", "scroll_bottom", "bottom", show=False, id="list.bottom"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._translate()
