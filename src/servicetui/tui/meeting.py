"""The dispatch meeting (调度会) mode.

    M (app.meeting)      start a meeting, or resume the open one (meeting_start.py)
    MeetingScreen        step -1: last meeting's decisions with their state; then one project per step
    MeetingSummaryScreen after F (meeting_summary.py): counts, the decisions, the 议定事项清单 export

Everything goes through `services.review`; the step on screen is saved with `review.goto` on every
move, so a new app on the same database resumes at the same project.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlalchemy import select
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from servicetui import i18n
from servicetui.domain import rules
from servicetui.domain.enums import ProblemKind
from servicetui.services import queries, review
from servicetui.tui import actions
from servicetui.tui.footer import AppFooter
from servicetui.tui.forms import ConfirmScreen, Field, FormScreen
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.milestone_grid import MilestoneGrid
from servicetui.tui.problem_table import (
    ProblemTable,
    problem_columns,
    problem_status_text,
)
from servicetui.tui.project_screen import facts_text, show_blockers
from servicetui.tui.screens import BaseScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import StatusLine, TopBar, light_text

if TYPE_CHECKING:  # pragma: no cover
    from servicetui.tui.app import ServiceApp

V = i18n.value
STATE_COLOURS = {"已完成": "green", "办理中": "yellow", "逾期": "bold red"}


# -- the step on screen, in words --------------------------------------------------------------
def position_text(view: review.SessionView, lang: str) -> str:
    if view.current_index < 0:
        return t("mt_step_previous", lang)
    return t("mt_position", lang, i=view.current_index + 1, n=len(view.items),
             done=sum(1 for i in view.items if i.reviewed))


# -- read helpers ------------------------------------------------------------------------------
def meeting_source(app: "ServiceApp", session_id: int, view: review.SessionView | None) -> dict[str, Any]:
    """The export modal's source on a dispatch meeting's screens (transfer.source_of)."""
    return {"what": "decisions", "session_id": session_id, "held_on": view.held_on if view else app.today,
            "meeting_title": view.title if view else ""}


def recent_notes(engine, project_id: int, limit: int = 8) -> list[tuple[date | None, str, str]]:
    """The project's latest progress notes (办理进展): (on, problem title, text)."""
    from servicetui.store.models import Problem, ProblemEvent

    with engine.connect() as conn:
        rows = conn.execute(
            select(ProblemEvent.on, Problem.title, ProblemEvent.text)
            .join(Problem, Problem.id == ProblemEvent.problem_id)
            .where(Problem.project_id == project_id, Problem.archived == False,  # noqa: E712
                   ProblemEvent.archived == False, ProblemEvent.kind == "note")  # noqa: E712
            .order_by(ProblemEvent.on.desc(), ProblemEvent.id.desc()).limit(limit)).all()
    return [(r.on, r.title, r.text) for r in rows]


def _who(r: queries.ProblemRow) -> str:
    return " / ".join(x for x in (r.department, r.owner) if x) or "—"


# -- the meeting -------------------------------------------------------------------------------
class MeetingScreen(BaseScreen):
    """One step of the meeting: last time's decisions (index -1) or one project."""

    current = "projects"
    DEFAULT_CSS = """
    MeetingScreen #mt-progress { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    MeetingScreen #mt-prevbox { height: 1fr; }
    MeetingScreen #mt-prevhint { height: 1; padding: 0 1; color: $text-muted; }
    MeetingScreen #mt-projectbox { height: 1fr; }
    MeetingScreen #mt-top { height: auto; }
    MeetingScreen #mt-side { width: 64; height: auto; padding: 0 1; }
    MeetingScreen.-narrow #mt-side { width: 38%; }
    MeetingScreen.-short #mt-bottom { margin: 0; }
    MeetingScreen #mt-minutes { height: auto; max-height: 3; }
    MeetingScreen #mt-decisions { height: auto; max-height: 5; }
    MeetingScreen #mt-bottom { height: 1fr; margin: 1 0 0 0; }
    MeetingScreen #mt-problemsbox { width: 2fr; }
    MeetingScreen #mt-notesbox { width: 1fr; }
    MeetingScreen #mt-notes { padding: 0 1; height: 1fr; }
    MeetingScreen #prev, MeetingScreen #problems { padding: 0 1; }
    """
    BINDINGS = [
        Binding("right_square_bracket,pagedown", "move(1)", "a_mt_next", id="meeting.next", key_display="]",
                priority=True),
        Binding("left_square_bracket,pageup", "move(-1)", "a_mt_prev", id="meeting.prev", key_display="[",
                priority=True),
        Binding("space", "reviewed", "a_mt_reviewed", id="meeting.reviewed", priority=True),
        Binding("a", "decision", "a_mt_decision", id="meeting.decision"),
        Binding("m", "minutes", "a_mt_minutes", id="meeting.minutes"),
        Binding("A", "add_problem", "a_add_problem", id="meeting.add_problem", show=False),
        Binding("F,ctrl+enter", "finish", "a_mt_finish", id="meeting.finish"),
        Binding("escape", "leave", "a_mt_leave", id="meeting.leave"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.view: review.SessionView | None = None
        self.detail: queries.ProjectDetail | None = None
        self._notes: list[tuple[date | None, str, str]] = []
        self._shown_index: int | None = None

    @property
    def item(self) -> review.Item | None:
        return self.view.current if self.view else None

    @property
    def project_id(self) -> int | None:
        item = self.item
        return item.project_id if item else None

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        lang = self.lang
        yield TopBar("projects", extra=t("meeting", lang))
        yield Static("", id="mt-progress")
        with Vertical(id="mt-prevbox"):
            yield Label("", id="mt-prevtitle", classes="section")
            yield ProblemTable(self._prev_columns(), count=lambda: len(self._previous()),
                               fetch=lambda o, n: [d.problem for d in self._previous()[o:o + n]], id="prev")
            yield Static(t("mt_prev_hint", lang), id="mt-prevhint")
        with Vertical(id="mt-projectbox"):
            with Horizontal(id="mt-top"):
                yield Static("", id="facts")
                with Vertical(id="mt-side"):
                    yield Label(t("mt_minutes", lang), classes="section")
                    yield Static("", id="mt-minutes")
                    yield Label("", id="mt-decisionstitle", classes="section")
                    yield Static("", id="mt-decisions")
            yield Static("", id="gridtitle", classes="section")
            yield MilestoneGrid(id="grid")
            yield Static("", id="blockers")
            with Horizontal(id="mt-bottom"):
                with Vertical(id="mt-problemsbox"):
                    yield Label(t("mt_open_problems", lang), classes="section")
                    yield ProblemTable(problem_columns(self.app, with_project=False), count=self._count,
                                       fetch=self._fetch, id="problems")
                with Vertical(id="mt-notesbox"):
                    yield Label(t("mt_notes", lang), classes="section")
                    yield LazyTable(self._note_columns(), count=lambda: len(self._notes),
                                    fetch=lambda o, n: self._notes[o:o + n], id="mt-notes")
        yield StatusLine("")
        yield AppFooter()

    def _previous(self) -> list[review.DecisionState]:
        return self.view.previous if self.view else []

    def _state_of(self, row) -> str:
        return next((d.state for d in self._previous() if d.problem.id == row.id), "")

    def _prev_columns(self) -> list[Column]:
        lang = self.lang

        def state(r):
            s = self._state_of(r)
            return Text(V(s, lang) if lang == "en" else s, style=STATE_COLOURS.get(s, ""))

        return [
            Column("state", t("mt_c_state", lang), 8, state),
            Column("project", t("c_project", lang), 18, lambda r: r.project_name, flex=1),
            Column("title", t("mt_c_decision", lang), 20, lambda r: r.title, flex=2),
            Column("who", t("mt_c_who", lang), 14, _who, flex=1),
            Column("due", t("c_due", lang), 10, lambda r: r.due.isoformat() if r.due else "—"),
            Column("status", t("c_status", lang), 10 if lang == "en" else 6, lambda r: V(r.status, lang)),
            Column("light", t("c_light", lang), 8 if lang == "en" else 6, lambda r: light_text(r.light, lang)),
        ]

    def _note_columns(self) -> list[Column]:
        lang = self.lang
        return [
            Column("on", t("f_note_on", lang), 5, lambda n: n[0].strftime("%m-%d") if n[0] else ""),
            Column("text", t("f_note_label", lang), 20, lambda n: f"{n[1]}：{n[2]}" if lang != "en" else
                   f"{n[1]}: {n[2]}", flex=1),
        ]

    def _count(self) -> int:
        if self.project_id is None:
            return 0
        return queries.problem_count(self.app.engine, self._problem_filter(), today=self.app.today,
                                     warn_days=self.app.warn_days)

    def _fetch(self, offset: int, limit: int) -> list:
        if self.project_id is None:
            return []
        return queries.problem_rows(self.app.engine, self._problem_filter(), today=self.app.today,
                                    warn_days=self.app.warn_days, offset=offset, limit=limit)

    def _problem_filter(self) -> queries.ProblemFilter:
        return queries.ProblemFilter(project_id=self.project_id, open_only=True)

    # -- data ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        app = self.app
        view = review.session_view(app.engine, self.session_id, today=app.today)
        if view is None:
            app.pop_screen()
            return
        self.view = view
        moved = self._shown_index != view.current_index
        self._shown_index = view.current_index
        self._progress()
        on_previous = view.current_index < 0
        self.query_one("#mt-prevbox").display = on_previous
        self.query_one("#mt-projectbox").display = not on_previous
        if on_previous:
            self._show_previous(moved)
        else:
            self._show_project(moved)
        self.refresh_bindings()

    def _progress(self) -> None:
        view, lang = self.view, self.lang
        bits = [Text(view.title, style="bold"), Text(position_text(view, lang))]
        item = self.item
        if item is not None:
            bits.append(Text(t("mt_reviewed_yes", lang), style="bold green") if item.reviewed
                         else Text(t("mt_reviewed_no", lang), style="yellow"))
        if view.status != "open":
            bits.append(Text(t("mt_finished", lang), style="bold red"))
        self.query_one("#mt-progress", Static).update(Text(" · ").join(bits))

    def _show_previous(self, moved: bool) -> None:
        lang, prev = self.lang, self._previous()
        counts = {s: sum(1 for d in prev if d.state == s) for s in STATE_COLOURS}
        self.query_one("#mt-prevtitle", Label).update(
            t("mt_prev_title", lang, n=len(prev), done=counts["已完成"], doing=counts["办理中"], late=counts["逾期"]))
        table = self.query_one("#prev", ProblemTable)
        table.reload(keep_cursor=not moved)
        if moved:
            table.focus()

    def _show_project(self, moved: bool) -> None:
        app, lang, item = self.app, self.lang, self.item
        if item is None:
            return
        d = queries.project_detail(app.engine, item.project_id, today=app.today, warn_days=app.warn_days)
        if d is None:  # archived meanwhile: show what the meeting knows
            self.query_one("#facts", Static).update(Text(item.project_name, style="bold"))
            return
        self.detail = d
        self.query_one(TopBar).extra = f"{t('meeting', lang)} › {item.project_name}"
        self.query_one(TopBar).draw()
        self.query_one("#facts", Static).update(facts_text(app, d))
        self.query_one("#mt-minutes", Static).update(
            Text(item.minutes) if item.minutes else Text(t("mt_no_minutes", lang), style="dim"))
        decisions = queries.problem_rows(
            app.engine, queries.ProblemFilter(session_id=self.session_id, project_id=item.project_id,
                                              kind=ProblemKind.DECISION.value),
            today=app.today, warn_days=app.warn_days, sort="project", limit=None)
        self.query_one("#mt-decisionstitle", Label).update(t("mt_decisions", lang, n=len(decisions)))
        lines = [Text.assemble(f"{n}. ", (r.title, "bold"), f"  {_who(r)}  ",
                               (r.due.isoformat() if r.due else "—", "cyan"))
                 for n, r in enumerate(decisions, start=1)]
        self.query_one("#mt-decisions", Static).update(
            Text("\n").join(lines) if lines else Text(t("mt_no_decisions", lang), style="dim"))
        self.query_one("#gridtitle", Static).update(
            Text.assemble((t("grid", lang), "bold"), "   ", (t("legend", lang), "dim")))
        grid = self.query_one(MilestoneGrid)
        if moved:
            grid.row = grid.col = 0
        grid.set_data(item.project_id, d.units, d.milestone_kinds)
        show_blockers(self.query_one("#blockers", Static), d, lang)
        self.query_one("#problems", ProblemTable).reload(keep_cursor=not moved)
        self._notes = recent_notes(app.engine, item.project_id)
        self.query_one("#mt-notes", LazyTable).reload(keep_cursor=False)
        if moved:
            grid.focus()
            self.status(d.verdict.reason(lang), d.verdict.light.value)

    # -- status line -----------------------------------------------------------------------
    def on_milestone_grid_cell_highlighted(self, event: MilestoneGrid.CellHighlighted) -> None:
        unit, cell = event.unit, event.cell
        if not self.query_one(MilestoneGrid).has_focus or unit is None or cell is None:
            return
        v = rules.milestone_light(cell.facts(unit.name), self.app.today)
        self.status(f"{v.reason(self.lang)} · {unit.name} {V(cell.kind, self.lang)} · {V(cell.status, self.lang)}",
                    v.light.value)

    def on_lazy_table_highlighted(self, event: LazyTable.Highlighted) -> None:
        if event.table.id in ("problems", "prev") and event.row is not None and self.focused is event.table:
            text, light = problem_status_text(self.app, event.row)
            self.status(text, light)

    def on_problem_table_marks_changed(self, event: ProblemTable.MarksChanged) -> None:
        self.status(t("marked_n", self.lang, n=event.count) if event.count else t("marks_cleared", self.lang))

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        if event.table.id in ("problems", "prev"):
            actions.edit_problem(self.app, event.row.id)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if view is None:
            return action == "leave"
        is_open = view.status == "open"
        if action == "move":
            step = int(parameters[0]) if parameters else 1
            low = -1 if view.previous else 0
            target = view.current_index + step
            return True if step > 0 or target >= low else None  # None: shown, greyed out
        if action in ("reviewed", "decision", "minutes"):
            return is_open and self.item is not None
        if action == "add_problem":
            return self.item is not None
        if action == "finish":
            return is_open
        return True

    def action_move(self, step: int) -> None:
        view = self.view
        if view is None:
            return
        target = view.current_index + step
        if target >= len(view.items):
            self.app.notify(t("mt_last_project", self.lang), severity="information")
            return
        low = -1 if view.previous else 0
        if target < low:
            return
        ok, _ = self.app.call(review.goto, self.app.ctx(), self.session_id, target)
        if ok:
            self.refresh_data()

    def action_reviewed(self) -> None:
        item = self.item
        if item is None:
            return
        ok, _ = self.app.call(review.mark_reviewed, self.app.ctx(), self.session_id, item.project_id,
                              not item.reviewed, item.version)
        if ok:
            self.app.after_write(t("mt_marked_reviewed" if not item.reviewed else "mt_unmarked_reviewed", self.lang,
                                   name=item.project_name))

    def action_minutes(self) -> None:
        item = self.item
        if item is None:
            return
        app = self.app
        state = {"version": item.version}

        def submit(v: dict[str, Any]) -> int:
            return review.set_minutes(app.ctx(), self.session_id, item.project_id, v["minutes"], state["version"])

        def reload() -> dict[str, Any] | None:
            fresh = review.session_view(app.engine, self.session_id, today=app.today)
            it = next((i for i in fresh.items if i.project_id == item.project_id), None) if fresh else None
            if it is None:
                return None
            state["version"] = it.version
            return {"minutes": it.minutes}

        fields = [Field("minutes", i18n.label("minutes", self.lang), "area")]
        actions._push(app, FormScreen(t("mt_minutes_title", self.lang, name=item.project_name), fields,
                                      {"minutes": item.minutes}, submit, reload=reload), t("saved", self.lang))

    def action_decision(self) -> None:
        item = self.item
        if item is None:
            return
        app, lang, L = self.app, self.lang, i18n.label
        fields = [
            Field("title", t("mt_c_decision", lang), required=True),
            Field("department_id", L("department_id", lang), "select", actions._opts(app, "departments")),
            Field("owner_id", L("owner_id", lang), "select", actions._opts(app, "people")),
            Field("due", L("due", lang), "date", required=True,
                  placeholder="下周五 / 2022-10-14 / +7d" if lang != "en" else "next fri / 2022-10-14 / +7d"),
            Field("detail", L("detail", lang), "area"),
        ]

        def submit(v: dict[str, Any]) -> int:
            return review.add_decision(app.ctx(), self.session_id, item.project_id, title=v["title"],
                                       department_id=v["department_id"], owner_id=v["owner_id"], due=v["due"],
                                       detail=v["detail"] or "")

        actions._push(app, FormScreen(t("mt_decision_title", lang, name=item.project_name), fields, {}, submit,
                                      intro=t("mt_decision_intro", lang)),
                      t("mt_decision_added", lang))

    def action_add_problem(self) -> None:
        if self.project_id is not None:
            actions.add_problem(self.app, self.project_id)

    def meeting_source(self) -> dict[str, Any]:
        return meeting_source(self.app, self.session_id, self.view)

    def action_leave(self) -> None:
        self.app.notify(t("mt_left", self.lang))
        self.app.pop_screen()

    def action_finish(self) -> None:
        view = self.view
        if view is None or view.status != "open":
            return
        done = sum(1 for i in view.items if i.reviewed)
        question = t("mt_confirm_finish", self.lang, title=view.title, done=done, n=len(view.items),
                     skipped=len(view.items) - done)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            ok, _ = self.app.call(review.finish_session, self.app.ctx(), self.session_id, None)
            if ok:
                self.app.after_write(t("mt_finished_ok", self.lang))
                from servicetui.tui.meeting_summary import MeetingSummaryScreen

                self.app.switch_screen(MeetingSummaryScreen(self.session_id))

        self.app.push_screen(ConfirmScreen(question), answered)
