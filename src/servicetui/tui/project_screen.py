"""One project: facts, the unit × milestone grid, its problems, funds by month and the change history."""

from __future__ import annotations

import json
from types import SimpleNamespace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Sparkline, Static

from servicetui import i18n
from servicetui.domain import rules
from servicetui.domain.enums import MilestoneStatus, ProblemKind
from servicetui.domain.parsing import format_money, money_unit_label
from servicetui.services import history, queries
from servicetui.tui import actions
from servicetui.tui.footer import AppFooter
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.milestone_grid import MilestoneGrid
from servicetui.tui.problem_table import (
    ProblemTable,
    problem_columns,
    problem_status_text,
)
from servicetui.tui.screens import BaseScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import I18nBindings, StatusLine, TopBar, lang_of, light_text

V = i18n.value


def _history_text(entry: dict, lang: str) -> str:
    """One audit entry in words: "销号 · 问题#20 状态：已办结 → 已销号"."""
    what = entry["summary"] or entry["action"]
    field = entry["field"]
    target = f"{i18n.entity(entry['entity'], lang)}#{entry['entity_id']}"

    def dec(raw):
        if raw is None:
            return "—"
        try:
            v = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(v, str):
            return V(v, lang) or "—"
        return str(v)

    if field:
        return f"{what} · {target} {i18n.label(field, lang)}{'：' if lang != 'en' else ': '}" \
               f"{dec(entry['old'])} → {dec(entry['new'])}"
    if entry["action"] == "create" and entry["new"]:
        try:
            new = json.loads(entry["new"])
        except ValueError:
            new = {}
        name = new.get("text") or new.get("title") or new.get("name") or ""
        if name:
            return f"{what} · {target}{'：' if lang != 'en' else ': '}{name}"
    return f"{what} · {target}"


def facts_text(app, d: queries.ProjectDetail) -> Text:
    """The project's facts block (name, stage, money, dates, people, light); shared with the meeting."""
    f, lang, unit = d.facts, app.lang, app.money_unit
    ul = money_unit_label(unit, lang)
    L = i18n.label

    def money(x):
        return f"{format_money(x or 0, unit)} {ul}"

    def day(x):
        return x.isoformat() if x else "—"

    sep = " · "
    colon = "：" if lang != "en" else ": "
    light = d.verdict.light.value
    from servicetui.tui.widgets import LIGHT_COLOURS

    lines = [
        Text.assemble((f["name"], "bold"), f"  [{f['code']}]  ", f.get("company") or ""),
        Text(sep.join(x for x in [f"{t('stage', lang)}{colon}{V(f['stage'], lang)}" +
                                  (f"（{t('stalled', lang)}）" if f.get("stalled") else ""),
                                  V(f.get("kind"), lang), f.get("park") or "", f.get("industry") or ""] if x)),
        Text(sep.join([f"{t('agreed', lang)}{colon}{money(f['agreed_investment'])}",
                       f"{t('annual_plan', lang)}{colon}{money(f['annual_plan'])}",
                       f"{t('funds_year', lang)}{colon}{money(d.funds_this_year)}",
                       f"{t('funds_last', lang)}{colon}{money(d.funds_same_period_last_year)}"])),
        Text(sep.join([f"{t('signed', lang)}{colon}{day(f.get('signed_on'))}",
                       f"{t('start', lang)}{colon}{day(f.get('start_on'))}",
                       f"{t('target', lang)}{colon}{day(f.get('target_production_on'))}"])),
        Text(sep.join([f"{t('leader', lang)}{colon}{f.get('leader') or '—'}",
                       f"{t('officer', lang)}{colon}{f.get('officer') or '—'}",
                       f"{t('lead_dept', lang)}{colon}{f.get('lead_department') or '—'}"])),
        Text.assemble(("● ", LIGHT_COLOURS.get(light, "")), (d.verdict.reason(lang), LIGHT_COLOURS.get(light, "")),
                      f"{sep}{t('progress', lang)}{colon}", (f"{d.progress}%", "bold")),
    ]
    del L
    return Text("\n").join(lines)


class ProjectScreen(BaseScreen):
    current = "projects"
    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("escape", "back", "a_back", id="project.back"),
        Binding("a", "add_problem", "a_add_problem", id="problem.add"),
        Binding("E", "edit_project", "a_edit_project", id="project.edit"),
        Binding("F", "funds", "a_funds", id="project.funds"),
        Binding("T", "add_task", "a_add_task", id="project.add_task"),
    ]
    DEFAULT_CSS = """
    ProjectScreen #problems { height: 2fr; min-height: 3; }
    ProjectScreen #tasks { height: 1fr; min-height: 2; max-height: 6; padding: 0 1; }
    ProjectScreen #notes { height: 1fr; padding: 0 1 0 0; }
    ProjectScreen #history { height: 1fr; }
    """

    def __init__(self, project_id: int) -> None:
        super().__init__()
        self.project_id = project_id
        self.detail: queries.ProjectDetail | None = None
        self._history: list[dict] = []
        self._notes: list[dict] = []
        self._notes_for: tuple[int, str] | None = None  # (problem id, title) whose progress notes are shown

    def compose(self) -> ComposeResult:
        yield TopBar("projects")
        with Horizontal(id="top"):
            yield Static("", id="facts")
            with Vertical(id="fundsbox"):
                yield Label(t("funds", self.lang), classes="section")
                yield Sparkline([], id="funds")
                yield Static("", id="fundscaption")
        yield Static("", id="gridtitle", classes="section")
        yield MilestoneGrid(id="grid")
        yield Static("", id="blockers")
        with Horizontal(id="bottom"):
            with Vertical(id="problemsbox"):
                yield Label(t("project_problems", self.lang), classes="section")
                yield ProblemTable(problem_columns(self.app, with_project=False), count=self._count,
                                   fetch=self._fetch, id="problems")
                yield Label(t("tasks", self.lang), classes="section", id="taskstitle")
                yield ProblemTable(task_columns(self.app), count=self._task_count, fetch=self._task_fetch, id="tasks")
            with Vertical(id="historybox"):
                yield Label(t("notes_none", self.lang), classes="section", id="notestitle")
                yield LazyTable(note_columns(self.lang), count=lambda: len(self._notes),
                                fetch=lambda o, n: self._notes[o:o + n], id="notes")
                yield Label(t("history", self.lang), classes="section")
                yield LazyTable(self._history_columns(), count=lambda: len(self._history),
                                fetch=lambda o, n: self._history[o:o + n], id="history")
        yield StatusLine("")
        yield AppFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(MilestoneGrid).focus()

    # -- data ----------------------------------------------------------------------------
    def _count(self) -> int:
        return queries.problem_count(self.app.engine, self._problem_filter(),
                                     today=self.app.today, warn_days=self.app.warn_days)

    def _fetch(self, offset: int, limit: int) -> list:
        return queries.problem_rows(self.app.engine, self._problem_filter(),
                                    today=self.app.today, warn_days=self.app.warn_days, offset=offset, limit=limit)

    def _task_filter(self) -> queries.ProblemFilter:
        return queries.ProblemFilter(project_id=self.project_id, kind=ProblemKind.TASK.value)

    def _problem_filter(self) -> queries.ProblemFilter:
        """The project's problems and decisions; its 分工方案 tasks have their own list below."""
        return queries.ProblemFilter(project_id=self.project_id, exclude_kinds=(ProblemKind.TASK.value,))

    def _task_count(self) -> int:
        return queries.problem_count(self.app.engine, self._task_filter(), today=self.app.today,
                                     warn_days=self.app.warn_days)

    def _task_fetch(self, offset: int, limit: int) -> list:
        return queries.problem_rows(self.app.engine, self._task_filter(), today=self.app.today,
                                    warn_days=self.app.warn_days, sort="due", offset=offset, limit=limit)

    def show_notes(self, problem_id: int | None, title: str = "") -> None:
        """Show the 办理进展 of one problem (newest first) in the right-hand pane."""
        from servicetui.tui import data

        self._notes_for = (problem_id, title) if problem_id is not None else None
        self._notes = data.problem_events(self.app.engine, problem_id) if problem_id is not None else []
        short = title if len(title) <= 24 else title[:23] + "…"
        self.query_one("#notestitle", Label).update(
            t("notes_of", self.lang, title=short) if problem_id is not None else t("notes_none", self.lang))
        self.query_one("#notes", LazyTable).reload(keep_cursor=False)

    def _history_columns(self) -> list[Column]:
        lang = self.lang

        def when(e):
            at = e["at"]
            try:
                return at.astimezone().strftime("%m-%d %H:%M")
            except (ValueError, AttributeError):
                return str(at)[5:16]

        return [
            Column("at", "时间" if lang != "en" else "When", 11, when),
            Column("actor", "用户" if lang != "en" else "Who", 8, lambda e: e["actor"]),
            Column("what", "变更" if lang != "en" else "Change", 20, lambda e: _history_text(e, lang), flex=1),
        ]

    def show_project(self, project_id: int) -> bool:
        """Show another project on this screen (composed before, not on the stack now), as a new screen
        would show it: every list at its top without marks, the grid at its first cell and focused. The
        app keeps one project screen per mode this way: composing, styling and laying out a new one was
        about half of opening a project. False (nothing changed) when the project is gone."""
        app = self.app
        d = queries.project_detail(app.engine, project_id, today=app.today, warn_days=app.warn_days)
        if d is None:
            return False
        self.project_id = project_id
        self._notes_for = None
        self.stale = False
        grid = self.query_one(MilestoneGrid)
        grid.row = grid.col = 0
        self.refresh_data(d, fresh=True)
        self.scroll_home(animate=False)
        grid.focus()
        return True

    def refresh_data(self, detail: queries.ProjectDetail | None = None, *, fresh: bool = False) -> None:
        """Read the project again (or show `detail`, just read); `fresh`: another project, so the lists
        start at their top."""
        app = self.app
        d = detail or queries.project_detail(app.engine, self.project_id, today=app.today, warn_days=app.warn_days)
        if d is None:  # archived by someone (or undone): go back
            self.app.pop_screen()
            return
        self.detail = d
        self._history = history.history(app.engine, project_id=self.project_id, limit=200)
        self.query_one(TopBar).extra = d.facts["name"]
        self.query_one(TopBar).draw()
        self._facts(d)
        self._funds(d)
        lang = self.lang
        self.query_one("#gridtitle", Static).update(
            Text.assemble((t("grid", lang), "bold"), "   ", (t("legend", lang), "dim")))
        self.query_one(MilestoneGrid).set_data(self.project_id, d.units, d.milestone_kinds)
        self._blockers(d)
        keep = not fresh
        self.query_one("#problems", LazyTable).reload(keep_cursor=keep)
        tasks = self.query_one("#tasks", LazyTable)
        tasks.reload(keep_cursor=keep)
        tasks.display = self.query_one("#taskstitle").display = tasks.row_count > 0  # only a project with tasks
        self.query_one("#history", LazyTable).reload(keep_cursor=keep)
        if self._notes_for is None:
            first = self.query_one("#problems", LazyTable).selected
            self.show_notes(first.id if first else None, first.title if first else "")
        else:
            self.show_notes(*self._notes_for)

    def _facts(self, d: queries.ProjectDetail) -> None:
        self.query_one("#facts", Static).update(facts_text(self.app, d))

    def _funds(self, d: queries.ProjectDetail) -> None:
        today = self.app.today
        months = []
        y, m = today.year, today.month
        for _ in range(12):
            months.append((y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.reverse()
        by = {(yy, mm): a for yy, mm, a in d.funds}
        values = [float(by.get(k, 0)) for k in months]
        spark = self.query_one("#funds", Sparkline)
        spark.data = values if any(values) else [0.0] * 12
        lang, unit = self.lang, self.app.money_unit
        first, last = months[0], months[-1]
        if any(values):
            cap = f"{first[0]}-{first[1]:02d} … {last[0]}-{last[1]:02d}  " \
                  f"{t('funds_year', lang)} {format_money(d.funds_this_year, unit)} {money_unit_label(unit, lang)}"
        else:
            cap = t("no_funds", lang)
        self.query_one("#fundscaption", Static).update(Text(cap, style="dim"))

    def _blockers(self, d: queries.ProjectDetail) -> None:
        show_blockers(self.query_one("#blockers", Static), d, self.lang)

    # -- events --------------------------------------------------------------------------
    def on_milestone_grid_cell_highlighted(self, event: MilestoneGrid.CellHighlighted) -> None:
        if not self.query_one(MilestoneGrid).has_focus:
            return
        self._status_for_cell(event.unit, event.cell)

    def _status_for_cell(self, unit, cell) -> None:
        lang = self.lang
        if unit is None or cell is None:
            self.status(t("no_units", lang))
            return
        v = rules.milestone_light(cell.facts(unit.name), self.app.today)
        bits = [f"{unit.name} {V(cell.kind, lang)}", V(cell.status, lang)]
        if cell.planned_on:
            bits.append(f"{t('planned', lang)} {cell.planned_on.isoformat()}")
        if cell.actual_start_on:
            bits.append(f"{i18n.label('actual_start_on', lang)} {cell.actual_start_on.isoformat()}")
        if cell.actual_finish_on:
            bits.append(f"{i18n.label('actual_finish_on', lang)} {cell.actual_finish_on.isoformat()}")
        self.status(f"{v.reason(lang)} · " + " · ".join(bits), v.light.value)

    def on_lazy_table_highlighted(self, event: LazyTable.Highlighted) -> None:
        if event.table.id in ("problems", "tasks") and event.row is not None and (
                self.focused is event.table or not self.is_current):
            text, light = problem_status_text(self.app, event.row)
            self.status(text, light)
            if self.focused is event.table and (self._notes_for or (None,))[0] != event.row.id:
                self.show_notes(event.row.id, event.row.title)

    def on_descendant_focus(self, event) -> None:
        w = event.widget if hasattr(event, "widget") else None
        if isinstance(w, MilestoneGrid):
            self._status_for_cell(w.unit, w.cell)
        elif isinstance(w, LazyTable) and w.id in ("problems", "tasks") and w.selected is not None:
            text, light = problem_status_text(self.app, w.selected)
            self.status(text, light)
            if (self._notes_for or (None,))[0] != w.selected.id:
                self.show_notes(w.selected.id, w.selected.title)
        elif self.detail is not None:
            self.status(self.detail.verdict.reason(self.lang), self.detail.verdict.light.value)

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        if event.table.id in ("problems", "tasks"):
            actions.edit_problem(self.app, event.row.id)

    # -- actions -------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add_problem(self) -> None:
        actions.add_problem(self.app, self.project_id)

    def action_edit_project(self) -> None:
        actions.edit_project(self.app, self.project_id)

    def action_funds(self) -> None:
        actions.report_funds(self.app, self.project_id)

    def action_add_task(self) -> None:
        add_task(self.app, self.project_id)


def show_blockers(w: Static, d: queries.ProjectDetail, lang: str) -> None:
    """The line under the grid naming what blocks each blocked milestone ("✗ 四号车间 主体钢结构：等待钢柱加工")."""
    lines = []
    for u in d.units:
        for k in d.milestone_kinds:
            c = u.milestones.get(k)
            if c is not None and c.status == MilestoneStatus.BLOCKED.value:
                lines.append(Text.assemble(("✗ ", "bold red"), f"{u.name} {V(k, lang)}",
                                           ("：" if lang != "en" else ": "), (c.blocker or "—", "red")))
    w.display = bool(lines)
    w.update(Text("\n").join(lines))


# -- 分工方案 tasks and 办理进展 (progress notes) ------------------------------------------------------
def task_columns(app) -> list[Column]:
    """A division-plan task: what, responsible unit, deadline, status, light."""
    lang = app.lang
    en = lang == "en"
    return [
        Column("light", t("c_light", lang), 8 if en else 6, lambda r: light_text(r.light, lang)),
        Column("title", t("c_title", lang) if en else "任务", 16, lambda r: r.title, flex=2),
        Column("department", t("c_department", lang), 12, lambda r: r.department or "—", flex=1),
        Column("due", t("c_due", lang), 10, lambda r: r.due.isoformat() if r.due else "—"),
        Column("status", t("c_status", lang), 10 if en else 6, lambda r: V(r.status, lang)),
    ]


def note_columns(lang: str, wide: bool = False) -> list[Column]:
    def when(e):
        on = e.get("on")
        if on is not None:
            return on.isoformat() if wide else on.strftime("%m-%d")
        return str(e.get("at") or "")[:10]

    return [
        Column("on", t("c_when", lang), 10 if wide else 5, when),
        Column("who", t("c_by", lang), 8, lambda e: e["who"]),
        Column("kind", t("c_ev_kind", lang), 10 if lang == "en" else 6, lambda e: t(f"ev_{e['kind']}", lang)),
        Column("text", t("c_note", lang), 20, lambda e: " ".join((e["text"] or "").split()), flex=1),
    ]


def add_task(app, project_id: int) -> None:
    """A problem form preset to kind 任务 (a 分工方案 task)."""
    from servicetui.domain.enums import Category, ProblemKind
    from servicetui.services import problems
    from servicetui.tui import data
    from servicetui.tui.forms import FormScreen

    name = data.project_name(app.engine, project_id)
    values = {"category": Category.OTHER.value, "kind": ProblemKind.TASK.value, "raised_on": app.today}

    def submit(v):
        v = dict(v)
        v["category"] = v.get("category") or Category.OTHER.value
        v["kind"] = v.get("kind") or ProblemKind.TASK.value
        return problems.create_problem(app.ctx(), project_id=project_id, **v)

    def done(result) -> None:
        if result:
            app.after_write(t("saved", app.lang))

    short = name if len(name) <= 40 else name[:39] + "…"
    app.push_screen(FormScreen(t("f_new_task", app.lang, project=short), actions.problem_fields(app), values,
                               submit), done)


class ProblemLogScreen(I18nBindings, ModalScreen[None]):
    """The 办理进展 log of one problem, newest first (`l` on a problem)."""

    DEFAULT_CSS = """
    ProblemLogScreen { align: center middle; }
    ProblemLogScreen > Vertical { width: 120; max-width: 95%; height: 80%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    ProblemLogScreen #log-title { text-style: bold; height: auto; }
    ProblemLogScreen #log-hint { color: $text-muted; height: 1; }
    ProblemLogScreen LazyTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,l,q", "close", "a_back", id="log.close"),
        Binding("p", "note", "a_note", id="log.note"),
    ]

    def __init__(self, problem_id: int, title: str) -> None:
        super().__init__()
        self._translate()
        self.problem_id = problem_id
        self.problem_title = title
        self.events: list[dict] = []

    def compose(self) -> ComposeResult:
        lang = lang_of(self)
        with Vertical():
            yield Static(Text(t("log_title", lang, title=self.problem_title)), id="log-title")
            yield Static(t("log_hint", lang), id="log-hint")
            yield LazyTable(note_columns(lang, wide=True), count=lambda: len(self.events),
                            fetch=lambda o, n: self.events[o:o + n], id="log")

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#log", LazyTable).focus()

    def refresh_data(self) -> None:
        from servicetui.tui import data

        self.events = data.problem_events(self.app.engine, self.problem_id)
        self.query_one("#log", LazyTable).reload(keep_cursor=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_note(self) -> None:
        from servicetui.tui import data

        rec = data.problem_record(self.app.engine, self.problem_id)
        if rec is None:
            return
        row = SimpleNamespace(id=self.problem_id, title=self.problem_title, version=rec["version"])
        self._pending_refresh = True  # the note form is on top now; re-read the log when it closes
        actions.note_problem(self.app, row)

    def on_screen_resume(self) -> None:
        if getattr(self, "_pending_refresh", False):
            self._pending_refresh = False
            self.refresh_data()
