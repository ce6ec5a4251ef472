"""The problems board (2): every problem of the current filter in a line-API table, `/` to search as
you type (an in-memory index built in a worker, queries.search), `f` filter, `s` sort, the row keys
of problem_table.py, and marks for bulk changes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from servicetui import i18n
from servicetui.domain.enums import Category, Light, ProblemKind, ProblemStatus
from servicetui.services import queries
from servicetui.services.queries.search import ProblemSearch
from servicetui.tui import actions, data
from servicetui.tui.footer import AppFooter
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.list_search import SearchedList
from servicetui.tui.problem_table import (
    ProblemTable,
    problem_columns,
    problem_status_text,
)
from servicetui.tui.screens import BaseScreen, SearchInput
from servicetui.tui.strings import t
from servicetui.tui.widgets import FieldInput, StatusLine, TopBar

V = i18n.value


def problem_filter_bits(app, f: queries.ProblemFilter, *, with_text: bool = False) -> list[str]:
    """The active filters of a problem list in words ("仅未销号 · 供电公司 · 红")."""
    lang, eng = app.lang, app.engine
    bits = []
    if f.open_only:
        bits.append(t("open_only", lang))
    if with_text and f.text:
        bits.append(f"“{f.text}”")
    if f.department_id is not None:
        bits.append(dict(queries.choices(eng, "departments")).get(f.department_id, "?"))
    if f.statuses:
        bits.append("/".join(V(s, lang) for s in f.statuses))
    if f.lights:
        bits.append(f"{t('light', lang)}=" + "/".join(V(x, lang) for x in f.lights))
    if f.category:
        bits.append(V(f.category, lang))
    if f.kind:
        bits.append(V(f.kind, lang))
    if f.project_id is not None:
        bits.append(data.project_name(eng, f.project_id))
    if f.officer_id is not None:
        bits.append(t("mine", lang))
    if f.due_from or f.due_to:
        bits.append(f"{f.due_from or ''}…{f.due_to or ''}")
    return bits


# -- problems board -------------------------------------------------------------------------
PROBLEM_SORTS = ("urgency", "due", "project", "department")


class ProblemsScreen(SearchedList, BaseScreen):
    current = "problems"
    AUTO_FOCUS = "#list"
    BINDINGS = [
        Binding("slash", "search", "a_filter_text", id="problems.search", key_display="/"),
        Binding("f", "filter", "a_filter", id="problems.filter"),
        Binding("s", "sort", "a_sort", id="problems.sort"),
        Binding("c", "clear", "a_clear", id="problems.clear", show=False),
        Binding("a", "add", "a_add_problem", id="problem.add"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = queries.ProblemFilter(open_only=True)
        self.sort = "urgency"
        self._init_search()

    def compose(self) -> ComposeResult:
        yield TopBar("problems")
        with Horizontal(id="filterbar"):
            yield SearchInput(placeholder=t("filter_placeholder_problems", self.lang), id="search", compact=True)
            yield Static("", id="filterdesc")
        yield ProblemTable(problem_columns(self.app), count=self._count, fetch=self._fetch, id="list")
        yield StatusLine("")
        yield AppFooter()

    def on_mount(self) -> None:
        self._take_pending()
        self._apply()
        self.focus_list()

    def _take_pending(self) -> bool:
        if self.app.pending_problem_filter is not None:
            self.filter = self.app.pending_problem_filter
            self.app.pending_problem_filter = None
            try:
                self.query_one("#search", FieldInput).value = self.filter.text
            except Exception:
                pass
            return True
        return False

    def on_screen_resume(self) -> None:
        # BaseScreen's handler runs after this one (Textual calls each class's handler down the MRO)
        if self._take_pending():
            self.stale = False
            self._apply()

    def focus_list(self) -> None:
        self.query_one("#list", LazyTable).focus()

    def on_show_again(self) -> None:
        self.focus_list()

    # -- the list: from the search index when there is one (list_search.SearchedList), else SQL
    def _sql_count(self) -> int:
        return queries.problem_count(self.app.engine, self.filter, today=self.app.today, warn_days=self.app.warn_days)

    def _sql_page(self, offset: int, limit: int) -> list:
        # (every problem by urgency was ~0.5 s a page at 200 000 in SQL: then it pages from an index)
        app, total = self.app, self.query_one("#list", LazyTable).row_count
        return queries.problem_rows(app.engine, self.filter, today=app.today, warn_days=app.warn_days,
                                    sort=self.sort, offset=offset, limit=limit, with_note=False, total=total)

    # -- search as you type: an in-memory index of this filter (list_search, queries.search)
    def _new_index(self, f: queries.ProblemFilter, sort: str) -> ProblemSearch:
        app = self.app
        return ProblemSearch(app.engine, f, today=app.today, warn_days=app.warn_days, sort=sort)

    def refresh_data(self) -> None:
        self._drop_search()
        self.query_one("#list", LazyTable).reload()
        self._describe()

    def _apply(self) -> None:
        self.query_one("#list", LazyTable).reload(keep_cursor=False)
        self._describe()

    def _describe(self) -> None:
        self._show_filters(problem_filter_bits(self.app, self.filter))

    def on_input_changed(self, event) -> None:
        if event.input.id == "search":
            self.filter = replace(self.filter, text=event.value)
            self._apply()

    def on_lazy_table_highlighted(self, event: LazyTable.Highlighted) -> None:
        if event.row is None:
            self.status(t("empty", self.lang))
            return
        text, light = problem_status_text(self.app, event.row)
        self.status(text, light)

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        self.app.open_project(event.row.project_id)

    def on_problem_table_marks_changed(self, event: ProblemTable.MarksChanged) -> None:
        self.status(t("marked_n", self.lang, n=event.count) if event.count else t("marks_cleared", self.lang))

    def action_search(self) -> None:
        self.query_one("#search", FieldInput).focus()
        self._build_search()  # ready by the time the first characters arrive

    def action_sort(self) -> None:
        self.sort = PROBLEM_SORTS[(PROBLEM_SORTS.index(self.sort) + 1) % len(PROBLEM_SORTS)]
        self._apply()

    def action_clear(self) -> None:
        self.filter = queries.ProblemFilter(open_only=True)
        self.query_one("#search", FieldInput).value = ""
        self._apply()

    def action_add(self) -> None:
        row = self.query_one("#list", LazyTable).selected
        if self.filter.project_id is not None:
            actions.add_problem(self.app, self.filter.project_id)
        elif row is not None:
            actions.add_problem(self.app, row.project_id)
        else:
            self.app.notify(t("no_selection", self.lang), severity="warning")

    def action_filter(self) -> None:
        lang, f, eng = self.lang, self.filter, self.app.engine
        fields = [
            Field("department_id", i18n.label("department_id", lang), "select",
                  [(n, i) for i, n in queries.choices(eng, "departments")]),
            Field("status", i18n.label("status", lang), "select",
                  [(V(s.value, lang), s.value) for s in ProblemStatus]),
            Field("light", t("light", lang), "select",
                  [(V(x.value, lang), x.value) for x in (Light.RED, Light.YELLOW, Light.GREEN)]),
            Field("category", i18n.label("category", lang), "select", [(V(c.value, lang), c.value) for c in Category]),
            Field("kind", i18n.label("kind", lang), "select", [(V(k.value, lang), k.value) for k in ProblemKind]),
            Field("project_id", i18n.label("project_id", lang), "select",
                  [(n, i) for i, n in queries.choices(eng, "projects")]),
            Field("open_only", t("open_only", lang), "bool"),
        ]
        values = {"department_id": f.department_id, "status": f.statuses[0] if len(f.statuses) == 1 else None,
                  "light": f.lights[0] if f.lights else None, "category": f.category, "kind": f.kind,
                  "project_id": f.project_id, "open_only": f.open_only}

        def done(v: dict[str, Any] | None) -> None:
            if v is None:
                return
            self.filter = replace(self.filter, department_id=v["department_id"],
                                  statuses=(v["status"],) if v["status"] else (),
                                  lights=(v["light"],) if v["light"] else (), category=v["category"],
                                  kind=v["kind"], project_id=v["project_id"], open_only=bool(v["open_only"]),
                                  due_from=None, due_to=None)
            self._apply()

        self.app.push_screen(FormScreen(t("filters_title", lang), fields, values, lambda v: v), done)
